// « Mot de passe oublié » in a real browser: the link from the login page, the e-mail read
// from the server's mail folder (the outbox written as .eml files), the new password, the
// second factor still asked at the next login, the spent link's page; and the officer's
// « Faire confiance à cet appareil pendant mon service (12 h) ». axe on every new page, on a
// phone (390 × 844) and a desktop.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  assertAccessible,
  logInAndEnrol,
  logOut,
  newPage,
  startServerAndBrowser,
  stopAll,
  submitPassword,
  submitSecondFactor,
  totp,
  totpStep,
  waitForFreshStep,
} from './helpers.mjs';

const NEW_PASSWORD = 'cheval agrafe lumière boussole';
const pathOf = (page) => new URL(page.url()).pathname;

/** The text of an .eml file's body, decoded (quoted-printable or base64, as lettre wrote it). */
function bodyOf(raw) {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const body = rest.join('\n\n');
  const encoding = (head.match(/^Content-Transfer-Encoding:\s*(\S+)/im) || [])[1]?.toLowerCase();
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

/** Waits for the server's mail task to write a message to `email`; resolves its decoded body. */
async function mailTo(folder, email, seen) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const files = fs.existsSync(folder) ? fs.readdirSync(folder).filter((f) => f.endsWith('.eml') && !seen.has(f)) : [];
    for (const file of files) {
      const raw = fs.readFileSync(path.join(folder, file), 'utf8');
      if (raw.includes(email)) {
        seen.add(file);
        return bodyOf(raw);
      }
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`no e-mail to ${email} in ${folder}`);
}

/** The path of the reset link in a message (the server's public address may differ). */
function linkIn(text) {
  const match = text.match(/https?:\/\/\S+?(\/mot-de-passe-oublie\/[0-9a-f-]+\/[0-9a-f]+)/);
  assert.ok(match, `a reset link in:\n${text}`);
  return match[1];
}

/** The browser loses its session cookie, as when the session ends; other cookies stay. */
async function endSession(page) {
  await page.context().clearCookies({ name: 'passerelle_session' });
}

/** From the login page, follows « Mot de passe oublié ? » and asks a link for `email`. */
async function askLink(page, baseUrl, email, what) {
  await page.goto(`${baseUrl}/connexion`, { waitUntil: 'load' });
  await page.getByRole('link', { name: 'Mot de passe oublié ?' }).click();
  await page.waitForLoadState('load');
  assert.equal(pathOf(page), '/mot-de-passe-oublie');
  await assertAccessible(page, `the forgotten-password form (${what})`);
  await page.fill('#email', email);
  await page.getByRole('button', { name: 'Recevoir un lien' }).click();
  await page.waitForLoadState('load');
  assert.match(await page.locator('main').innerText(), /Si un compte Passerelle a l'adresse/);
  await assertAccessible(page, `the forgotten-password answer (${what})`);
}

describe('forgotten password and trusted device', () => {
  let server;
  let browser;
  let mails;
  const seen = new Set();
  before(async () => {
    ({ server, browser } = await startServerAndBrowser({ args: ['--mail-interval-secs', '1'] }));
    mails = path.join(server.dataDir, 'courriels');
  });
  after(async () => stopAll({ server, browser }));

  test('the e-mailed link sets a new password once; the second factor is still asked', async () => {
    const worker = server.logins.intervenant;
    const desktop = await newPage(browser);
    const { secret, step } = await logInAndEnrol(desktop, server.url, worker);
    await logOut(desktop);

    // The same answer for an address nobody has.
    await askLink(desktop, server.url, 'personne@exemple.fr', 'desktop, unknown address');
    const unknownAnswer = (await desktop.locator('main').innerText()).replace('personne@exemple.fr', 'X');
    await askLink(desktop, server.url, worker.email, 'desktop');
    assert.equal((await desktop.locator('main').innerText()).replace(worker.email, 'X'), unknownAnswer);

    const link = linkIn(await mailTo(mails, worker.email, seen));
    await desktop.goto(`${server.url}${link}`, { waitUntil: 'load' });
    assert.equal(await desktop.locator('h1').innerText(), 'Choisir un nouveau mot de passe');
    await assertAccessible(desktop, 'the new-password form (desktop)');
    await desktop.fill('#password', NEW_PASSWORD);
    await desktop.fill('#confirmation', NEW_PASSWORD);
    await desktop.getByRole('button', { name: 'Enregistrer mon nouveau mot de passe' }).click();
    await desktop.waitForLoadState('load');
    assert.equal(pathOf(desktop), '/connexion');
    assert.match(await desktop.locator('.fr-alert--success').innerText(), /nouveau mot de passe est enregistré/);

    // The new password, then the code: the reset never skips the second factor.
    await submitPassword(desktop, server.url, { email: worker.email, password: NEW_PASSWORD });
    assert.equal(pathOf(desktop), '/connexion/second-facteur');
    // A code of a later step than the one enrolment used (a code is accepted once).
    while (totpStep() <= step) await new Promise((r) => setTimeout(r, 1000));
    await waitForFreshStep(5);
    const response = await submitSecondFactor(desktop, totp(secret));
    assert.ok(response.status() === 303 || response.status() === 200, `code accepted (${response.status()})`);
    assert.notEqual(pathOf(desktop), '/connexion/second-facteur');

    // The spent link: a clear page, on a desktop and a phone.
    await desktop.goto(`${server.url}${link}`, { waitUntil: 'load' });
    assert.equal(await desktop.locator('h1').innerText(), 'Lien expiré ou déjà utilisé');
    await assertAccessible(desktop, 'the spent link (desktop)');
    const phone = await newPage(browser, { mobile: true });
    await phone.goto(`${server.url}${link}`, { waitUntil: 'load' });
    await assertAccessible(phone, 'the spent link (phone)');
    await desktop.close();
    await phone.close();
  });

  test('on a phone: the reset pages, and the officer trusts the phone for the shift', async () => {
    const officer = server.logins.officier;
    const phone = await newPage(browser, { mobile: true });
    await askLink(phone, server.url, officer.email, 'phone');
    const link = linkIn(await mailTo(mails, officer.email, seen));
    await phone.goto(`${server.url}${link}`, { waitUntil: 'load' });
    await assertAccessible(phone, 'the new-password form (phone)');
    await phone.fill('#password', NEW_PASSWORD);
    await phone.fill('#confirmation', NEW_PASSWORD);
    await phone.getByRole('button', { name: 'Enregistrer mon nouveau mot de passe' }).click();
    await phone.waitForLoadState('load');
    assert.equal(pathOf(phone), '/connexion');

    // The officer enrols a second factor of their own will, then logs in with it.
    await submitPassword(phone, server.url, { email: officer.email, password: NEW_PASSWORD });
    await phone.goto(`${server.url}/compte/second-facteur`, { waitUntil: 'load' });
    const secret = (await phone.locator('#totp-secret').innerText()).trim();
    const step = totpStep();
    await phone.fill('#code', totp(secret, step));
    await phone.getByRole('button', { name: 'Activer le second facteur' }).click();
    await phone.locator('#recovery-codes li code').first().waitFor();
    await endSession(phone);
    await submitPassword(phone, server.url, { email: officer.email, password: NEW_PASSWORD });
    assert.equal(pathOf(phone), '/connexion/second-facteur');
    const box = phone.getByLabel('Faire confiance à cet appareil pendant mon service (12 h)');
    assert.ok(await box.isVisible(), 'the officer is offered the trust');
    await assertAccessible(phone, 'the second factor with the trust box (phone)');
    const desktop = await newPage(browser);
    await submitPassword(desktop, server.url, { email: officer.email, password: NEW_PASSWORD });
    await assertAccessible(desktop, 'the second factor with the trust box (desktop)');
    await desktop.close();
    // The DSFR draws the box on its label: a person taps the label.
    await phone.locator('label[for="confiance"]').click();
    assert.ok(await box.isChecked());
    while (totpStep() <= step) await new Promise((r) => setTimeout(r, 1000));
    await waitForFreshStep(5);
    await submitSecondFactor(phone, totp(secret));
    assert.notEqual(pathOf(phone), '/connexion/second-facteur');
    const cookies = await phone.context().cookies();
    assert.ok(cookies.some((c) => c.name === 'passerelle_appareil' && c.httpOnly), 'the device keeps its cookie');

    // The session gone (as after 30 idle minutes): on this phone, the password is enough.
    await endSession(phone);
    await submitPassword(phone, server.url, { email: officer.email, password: NEW_PASSWORD });
    assert.notEqual(pathOf(phone), '/connexion/second-facteur', 'no code asked on the trusted phone');
    assert.notEqual(pathOf(phone), '/connexion');
    await phone.close();
  });
});
