// The social worker's day in a real browser, on a phone: a referral an officer just made is
// first on the home « Aujourd'hui », marked « Nouveau »; the inbox finds it by the name the
// officer typed; on the case, the sections (entretien, action, orienter) open and save with
// JavaScript turned off. axe checks every page on the way, phone and desktop.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertAccessible, logInAndEnrol, newPage, startServerAndBrowser, stopAll } from './helpers.mjs';

const FIRST = 'Maëlle';
const LAST = 'Orlanne';

const text = async (locator) => (await locator.innerText()).replace(/\s+/g, ' ').trim();

/** Submits a form with its button; resolves with the POST's response once the next page loaded. */
async function submit(page, form, buttonName) {
  const posted = page.waitForResponse((r) => r.request().method() === 'POST');
  await form.getByRole('button', { name: buttonName }).click();
  const response = await posted;
  await page.waitForLoadState('load');
  return response;
}

describe("the social worker's day", () => {
  let server;
  let browser;

  before(async () => {
    // A month of demo activity: the fresh referral must come first among real-shaped cases.
    ({ server, browser } = await startServerAndBrowser({ env: { PASSERELLE_DEMO_MONTHS: '1' } }));
  });

  after(async () => {
    await stopAll({ server, browser });
  });

  test('a fresh referral is first on the home and found by the name the officer typed; the case saves without JavaScript', async () => {
    // 1. An officer refers, on a phone.
    const officer = await newPage(browser, { mobile: true });
    await logInAndEnrol(officer, server.url, server.logins.officier);
    await officer.goto(`${server.url}/signalements/nouveau`, { waitUntil: 'load' });
    // The form as it is now: consent first, the origin and the channel left to their defaults.
    await officer.locator('label[for="consent-yes"]').click();
    await officer.locator('label[for="urgency-within_48h"]').click();
    await officer.locator('label[for="category-domestic_violence"]').click();
    await officer.fill('#context', 'Voisins inquiets, cris entendus.');
    await officer.selectOption('#person-1-role', 'victim');
    await officer.fill('#person-1-last', LAST);
    await officer.fill('#person-1-first', FIRST);
    await officer.fill('#person-1-phone', '06 11 22 33 44');
    let response = await submit(officer, officer.locator('#referral-form'), "Transmettre à l'intervenant social");
    assert.ok(response.status() < 400, `the referral answers ${response.status()}`);
    await officer.close();

    // 2. The social worker, on a phone, lands on « Aujourd'hui »: the referral first.
    const worker = await newPage(browser, { mobile: true });
    await logInAndEnrol(worker, server.url, server.logins.intervenant);
    await worker.goto(`${server.url}/`, { waitUntil: 'load' });
    assert.equal(new URL(worker.url()).pathname, '/aujourdhui', 'the home of the social worker');
    const first = worker.locator('ul[aria-labelledby="today-new"] li').first();
    assert.match(await text(first), new RegExp(`^Nouveau .*${FIRST} ${LAST}`, "i"));
    await assertAccessible(worker, '/aujourdhui (phone)');

    // 3. The inbox: first too, and found by the name the officer typed.
    await worker.goto(`${server.url}/dossiers`, { waitUntil: 'load' });
    assert.ok((await worker.locator('#inbox tbody tr').count()) > 10, 'the demo fills the inbox');
    assert.match(await text(worker.locator('#inbox tbody tr').first()), new RegExp(`Nouveau.*${FIRST} ${LAST}`, "i"));
    await assertAccessible(worker, '/dossiers (phone)');
    await worker.fill('#filter-person', `${FIRST} ${LAST}`);
    await worker.locator('#inbox-filters').getByRole('button', { name: 'Filtrer' }).click();
    await worker.waitForURL(/q=/);
    assert.match(await text(worker.locator('#inbox-count')), /^1 dossier/);
    const row = worker.locator('#inbox tbody tr').first();
    assert.match(await text(row), new RegExp(`${FIRST} ${LAST}`));
    await assertAccessible(worker, '/dossiers?q=… (phone)');
    await row.locator('a').click();
    await worker.waitForURL(/\/dossiers\/[^/?]+$/);
    const casePath = new URL(worker.url()).pathname;
    await assertAccessible(worker, '/dossiers/{id} (phone)');

    // 4. JavaScript off, the same session: each section opens and saves.
    const state = await worker.context().storageState();
    const context = await browser.newContext({
      javaScriptEnabled: false,
      storageState: state,
      locale: 'fr-FR',
      timezoneId: 'Europe/Paris',
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    const plain = await context.newPage();
    await plain.goto(`${server.url}${casePath}`, { waitUntil: 'load' });
    // The DSFR's script marks the page when it runs: it did with JavaScript, not here.
    assert.equal(await worker.locator('html[data-fr-js]').count(), 1, 'the check can see the DSFR run');
    assert.equal(await plain.locator('html[data-fr-js]').count(), 0, 'no script runs');
    const sections = [
      ['Noter un entretien', '#interview-form', "Enregistrer l'entretien", /Entretien/],
      ['Noter une action', '#action-form', "Enregistrer l'action", /Action/],
      ['Orienter vers un partenaire', '#orientation-form', "Proposer l'orientation", /Orientation/],
    ];
    for (const [summary, form, button, line] of sections) {
      const before = await plain.locator('#case-work li').count();
      assert.equal(await plain.locator(form).isVisible(), false, `${summary}: closed at first`);
      await plain.locator('summary', { hasText: summary }).click();
      assert.equal(await plain.locator(form).isVisible(), true, `${summary}: opens`);
      response = await submit(plain, plain.locator(form), button);
      assert.ok(response.status() < 400, `${summary} answers ${response.status()}`);
      assert.equal(new URL(plain.url()).pathname, casePath);
      assert.equal(await plain.locator('#case-work li').count(), before + 1, `${summary}: saved`);
      assert.match(await text(plain.locator('#case-work')), line);
    }
    // A note says who may read it, once saved (by default, its author alone).
    await plain.fill('#note-text', 'Rappeler jeudi.');
    response = await submit(plain, plain.locator('#note-form'), 'Ajouter la note');
    assert.ok(response.status() < 400);
    assert.match(await text(plain.locator('#note-saved')), /Qui peut la lire : vous seul\(e\)/);
    await context.close();

    // 5. Desktop, with JavaScript: the changed pages stay clean for axe.
    const desk = await newPage(browser);
    await desk.context().addCookies(state.cookies);
    for (const path of ['/aujourdhui', '/dossiers', casePath, `/dossiers?q=${encodeURIComponent(LAST)}`]) {
      await desk.goto(`${server.url}${path}`, { waitUntil: 'load' });
      await assertAccessible(desk, `${path} (desktop)`);
    }
    await desk.goto(`${server.url}${casePath}`, { waitUntil: 'load' });
    await desk.locator('summary', { hasText: 'Transférer le dossier' }).click();
    await assertAccessible(desk, `${casePath} (desktop, transfer open)`);
    assert.equal(await desk.locator('#transfer-post').inputValue(), '', 'no post chosen for them');
    await desk.close();
    await worker.close();
  });
});
