// Logging in with a password and a second factor, switching roles, and the lockout after
// repeated failures, in a real browser. One server for the file; each test uses its own
// demo accounts (national@, admin@, employeur@ and intervenant@).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  axeViolations,
  enrolSecondFactor,
  formatViolations,
  headerAccountText,
  launchBrowser,
  logInAndEnrol,
  newPage,
  screenshot,
  startServer,
  submitPassword,
  submitSecondFactor,
  totpStep,
  waitForFreshStep, assertAccessible, startServerAndBrowser, stopAll } from './helpers.mjs';

const WRONG_CREDENTIALS = 'Adresse électronique ou mot de passe incorrect.';
const BLOCKED = 'Trop de tentatives échouées : la connexion avec cette adresse est bloquée pendant 15 minutes.';
const REPLAYED = 'Ce code a déjà été utilisé : attendez que votre application en affiche un nouveau.';
const RECOVERY_CODE = /^[a-z0-9]{5}-[a-z0-9]{5}$/;

/**
 * Asserts that the page logged no console error (CSP violations show there) other than the
 * `expected` ones; the message lists every error with the address it was logged at.
 * Call `locateConsoleErrors(page)` right after newPage().
 */
function locateConsoleErrors(page) {
  page.locatedConsoleErrors = [];
  page.on('console', (message) => {
    if (message.type() === 'error') page.locatedConsoleErrors.push(`${message.text()}\n    (at ${page.url()})`);
  });
}
function assertNoConsoleError(page, expected = []) {
  const unexpected = page.problems.consoleErrors.filter((e) => !expected.some((re) => re.test(e)));
  assert.deepEqual(unexpected, [], `unexpected console errors; all of them, located:\n  ${page.locatedConsoleErrors.join('\n  ')}`);
}

const pathOf = (page) => new URL(page.url()).pathname;
const errorText = async (page) => {
  const alert = page.locator('.fr-alert--error');
  return (await alert.count()) === 0 ? null : (await alert.first().innerText()).replace(/\s+/g, ' ').trim();
};

/** Clicks the header's "Se déconnecter" and checks that the header no longer names anyone. */
async function logOut(page, baseUrl) {
  await Promise.all([
    page.waitForLoadState('load'),
    page.locator('header').getByRole('button', { name: 'Se déconnecter' }).click(),
  ]);
  await page.waitForLoadState('load');
  assert.equal(await headerAccountText(page), null, 'after logging out the header shows no account');
  const response = await page.goto(`${baseUrl}/compte`, { waitUntil: 'load' });
  assert.equal(pathOf(page), '/connexion', `/compte sends a logged-out visitor to /connexion (status ${response.status()})`);
}

/** On /compte, clicks "Agir avec ce rôle" on the line of a role, and returns to the page loaded. */
async function actWithRole(page, baseUrl, roleLabel) {
  await page.goto(`${baseUrl}/compte`, { waitUntil: 'load' });
  const line = page.locator('main li').filter({ has: page.locator('strong', { hasText: roleLabel }) });
  assert.equal(await line.count(), 1, `one line for the role ${roleLabel} on /compte`);
  await Promise.all([page.waitForLoadState('load'), line.getByRole('button', { name: 'Agir avec ce rôle' }).click()]);
  await page.waitForLoadState('load');
}

describe('login', () => {
  let server;
  let browser;

  before(async () => {
    ({ server, browser } = await startServerAndBrowser());
    for (const who of ['national', 'admin', 'employeur', 'intervenant']) {
      assert.ok(server.logins[who]?.password, `the server printed the demo login of ${who}@ (got ${JSON.stringify(server.logins)})`);
    }
  });

  after(async () => {
    await stopAll({ server, browser });
  });

  test('national@: password, second-factor enrolment, replayed code refused, recovery code accepted', async () => {
    const login = server.logins.national;

    const mobile = await newPage(browser, { mobile: true });
    try {
      const response = await mobile.goto(`${server.url}/connexion`, { waitUntil: 'load' });
      assert.equal(response.status(), 200);
      assert.ok(await mobile.locator('#email').isVisible(), 'the address field is visible on a phone');
      await screenshot(mobile, 'login-mobile');
      await assertAccessible(mobile, '/connexion (mobile)');
    } finally {
      await mobile.close();
    }

    const page = await newPage(browser);
    locateConsoleErrors(page);
    try {
      const response = await page.goto(`${server.url}/connexion`, { waitUntil: 'load' });
      assert.equal(response.status(), 200);
      await assertAccessible(page, '/connexion');

      await submitPassword(page, server.url, login);
      assert.equal(pathOf(page), '/compte/second-facteur', 'an account without a second factor is sent to enrolment');
      await screenshot(page, 'second-factor-enrolment');
      await assertAccessible(page, '/compte/second-facteur (enrolment)');

      // The second login below replays the enrolment's code: start early in a 30-second step
      // so that it comes in the same step or, at worst, the next (still within the server's
      // tolerance of one step, so the code is refused as replayed, not as wrong).
      await waitForFreshStep(10);
      const enrolment = await enrolSecondFactor(page);
      assert.equal(enrolment.recoveryCodes.length, 10, 'ten recovery codes are shown');
      for (const code of enrolment.recoveryCodes) assert.match(code, RECOVERY_CODE);
      assert.equal(new Set(enrolment.recoveryCodes).size, 10, 'the recovery codes differ');
      await Promise.all([page.waitForLoadState('load'), page.getByRole('link', { name: 'Continuer' }).click()]);
      await page.waitForLoadState('load');
      assert.equal(pathOf(page), '/', '"Continuer" leads to the home page');

      const homeHeader = await headerAccountText(page);
      assert.match(homeHeader ?? '(no link to /compte)', /Pilotage national/, `the header of / shows the logged-in account: ${homeHeader}`);

      await page.goto(`${server.url}/compte`, { waitUntil: 'load' });
      const header = await headerAccountText(page);
      assert.match(header ?? '', /^Compte de démonstration — Pilotage national — Pilotage national$/, `header link: ${header}`);
      assert.match(await page.locator('main').innerText(), /rôle actif/i);
      assert.match(await page.locator('main').innerText(), /Second facteur : activé \(10 codes de secours inutilisés\)/);
      await assertAccessible(page, '/compte');

      await logOut(page, server.url);

      await submitPassword(page, server.url, login);
      assert.equal(pathOf(page), '/connexion/second-facteur', 'an account with a second factor is asked for a code');
      await screenshot(page, 'second-factor-login');
      await assertAccessible(page, '/connexion/second-facteur');

      assert.ok(totpStep() - enrolment.step <= 1, 'at most one step after the enrolment (the test waited for a fresh step)');
      await submitSecondFactor(page, enrolment.code);
      assert.equal(pathOf(page), '/connexion/second-facteur', 'a replayed code does not log in');
      assert.equal(await errorText(page), REPLAYED);
      await assertAccessible(page, '/connexion/second-facteur (with an error)');
      await page.goto(`${server.url}/compte`, { waitUntil: 'load' });
      assert.equal(pathOf(page), '/connexion/second-facteur', 'after a replayed code, /compte still asks for the second factor');

      await submitSecondFactor(page, enrolment.recoveryCodes[0]);
      assert.notEqual(pathOf(page), '/connexion/second-facteur', 'a recovery code logs in');
      assert.notEqual(pathOf(page), '/connexion');
      await page.goto(`${server.url}/compte`, { waitUntil: 'load' });
      assert.equal(pathOf(page), '/compte');
      assert.match((await headerAccountText(page)) ?? '', /Pilotage national/);
      assert.match(await page.locator('main').innerText(), /9 codes de secours inutilisés/, 'the recovery code is spent');

      assert.deepEqual(page.problems.pageErrors, [], 'no uncaught script error');
      // The refused code's page comes with HTTP 401, which the browser logs.
      assertNoConsoleError(page, [/status of 401/]);
    } finally {
      await page.close();
    }
  });

  test('admin@: grants itself "Pilotage national", switches to it and back', async () => {
    const page = await newPage(browser);
    locateConsoleErrors(page);
    try {
      await logInAndEnrol(page, server.url, server.logins.admin);
      await page.goto(`${server.url}/compte`, { waitUntil: 'load' });
      assert.match((await headerAccountText(page)) ?? '', /— Administration technique$/);

      let response = await page.goto(`${server.url}/comptes`, { waitUntil: 'load' });
      assert.equal(response.status(), 200);
      await assertAccessible(page, '/comptes');
      // The list goes a page at a time: the admin finds their own account by its name.
      await page.fill('#q', 'Administration technique');
      await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Rechercher' }).click()]);
      await page.waitForURL(/\/comptes\?q=/);
      const own = page.locator('main table').getByRole('link', { name: 'Compte de démonstration — Administration technique', exact: true });
      assert.equal(await own.count(), 1, "the admin's own row in /comptes");
      await Promise.all([page.waitForLoadState('load'), own.click()]);
      await page.waitForLoadState('load');
      assert.match(pathOf(page), /^\/comptes\/[^/]+$/);
      const accountUrl = page.url();
      await screenshot(page, 'account-admin');
      await assertAccessible(page, '/comptes/{id}');

      await page.selectOption('#role', { label: 'Pilotage national' });
      await page.selectOption('#scope', 'nation:');
      await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Ajouter ce rôle' }).click()]);
      await page.waitForLoadState('load');
      assert.equal(await errorText(page), null, 'adding the role shows no error');
      await page.goto(accountUrl, { waitUntil: 'load' });
      const roles = await page.locator('main ul').first().innerText();
      assert.match(roles, /Pilotage national/, `the account's roles now include Pilotage national:\n${roles}`);

      await actWithRole(page, server.url, 'Pilotage national');
      await page.goto(`${server.url}/compte`, { waitUntil: 'load' });
      assert.match((await headerAccountText(page)) ?? '', /— Pilotage national$/, 'the header shows the new active role');
      const activeLine = page.locator('main li').filter({ hasText: 'rôle actif' });
      assert.match(await activeLine.innerText(), /Pilotage national/);

      response = await page.goto(`${server.url}/journal/securite`, { waitUntil: 'load' });
      assert.equal(response.status(), 403, 'national cannot see the security journal');
      assert.match(await page.locator('body').innerText(), /Accès refusé/);

      await actWithRole(page, server.url, 'Administration technique');
      await page.goto(`${server.url}/compte`, { waitUntil: 'load' });
      assert.match((await headerAccountText(page)) ?? '', /— Administration technique$/);

      response = await page.goto(`${server.url}/journal/securite`, { waitUntil: 'load' });
      assert.equal(response.status(), 200);
      const journal = await page.locator('main table').innerText();
      assert.match(journal, /Changement de rôle actif/);
      assert.match(journal, /Second facteur activé/);
      await screenshot(page, 'security-journal');
      await assertAccessible(page, '/journal/securite');

      assert.deepEqual(page.problems.pageErrors, [], 'no uncaught script error');
      // The refused journal comes with HTTP 403, which the browser logs.
      assertNoConsoleError(page, [/status of 403/]);
    } finally {
      await page.close();
    }
  });

  test('lockout after 5 failures; an unknown address gets the same error as a wrong password', async () => {
    const page = await newPage(browser);
    try {
      const employer = server.logins.employeur;
      const texts = [];
      for (let i = 1; i <= 5; i += 1) {
        await submitPassword(page, server.url, { email: employer.email, password: `faux-mot-de-passe-${i}` });
        assert.equal(pathOf(page), '/connexion', `failure ${i} stays on /connexion`);
        texts.push(await errorText(page));
      }
      assert.deepEqual(texts.slice(0, 4), Array(4).fill(WRONG_CREDENTIALS), 'the first failures say the credentials are wrong');
      assert.equal(texts[4], BLOCKED, 'the fifth failure blocks the address');

      await submitPassword(page, server.url, employer);
      assert.equal(pathOf(page), '/connexion', 'the right password does not log a blocked address in');
      assert.equal(await errorText(page), BLOCKED);
      assert.equal(await headerAccountText(page), null);
      await assertAccessible(page, '/connexion (blocked)');

      // A known address and an unknown one: same error, same status, same lockout.
      const known = { email: server.logins.intervenant.email, texts: [], statuses: [] };
      const unknown = { email: 'inconnu@exemple.fr', texts: [], statuses: [] };
      for (let i = 1; i <= 5; i += 1) {
        for (const who of [known, unknown]) {
          const response = await submitPassword(page, server.url, { email: who.email, password: `pas-le-bon-mot-de-passe-${i}` });
          who.statuses.push(response.status());
          who.texts.push(await errorText(page));
          assert.equal(pathOf(page), '/connexion');
        }
      }
      assert.equal(known.texts[0], WRONG_CREDENTIALS);
      assert.equal(unknown.texts[0], known.texts[0], 'an unknown address and a wrong password get exactly the same error');
      assert.deepEqual(unknown.texts, known.texts, 'and the same lockout after 5 failures');
      assert.deepEqual(unknown.statuses, known.statuses, 'with the same HTTP statuses');
      assert.equal(known.texts[4], BLOCKED);
    } finally {
      await page.close();
    }
  });
});
