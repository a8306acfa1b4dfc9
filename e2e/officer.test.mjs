// The officer's day on a phone (390×844): from their home, a typical referral and a
// referral without consent, each counted in taps (a click or a focus of a control; typing in
// a focused field is not a tap; a select is two: open, choose) and in screens of form.
// Errors show at their fields; « Mes signalements » tells referrals apart; the header menu
// works without JavaScript. axe checks every page on the way, phone and desktop.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertAccessible, logInAndEnrol, newPage, screenshot, startServerAndBrowser, stopAll } from './helpers.mjs';

const PHONE = { width: 390, height: 844 };
const REFERENCE = 'PV 2026/004217';
const text = async (locator) => (await locator.innerText()).replace(/\s+/g, ' ').trim();
const pathOf = (page) => new URL(page.url()).pathname;

/** Counts the taps a person makes on a page. */
function tapper(page) {
  const counter = {
    taps: 0,
    async tap(locator) {
      counter.taps += 1;
      await locator.tap();
    },
    /** Taps a field then types (the typing is free). */
    async type(locator, value) {
      await counter.tap(locator);
      await page.keyboard.type(value);
    },
    /** Taps a link or button that loads a page; resolves with the response of that load. */
    async go(locator) {
      const loaded = page.waitForNavigation({ waitUntil: 'load' });
      await counter.tap(locator);
      return loaded;
    },
  };
  return counter;
}

/** Bottom of the submit button, in pixels from the top of the form. */
const submitDepth = (page) =>
  page.evaluate(() => {
    const form = document.getElementById('referral-form').getBoundingClientRect();
    return document.getElementById('send').getBoundingClientRect().bottom - form.top;
  });

describe('officer', () => {
  let server;
  let browser;

  before(async () => {
    ({ server, browser } = await startServerAndBrowser());
  });

  after(async () => {
    await stopAll({ server, browser });
  });

  test('a typical referral in 12 taps and 2 phone screens, from the officer home', async () => {
    const officer = await newPage(browser, { mobile: true });
    await logInAndEnrol(officer, server.url, server.logins.officier);
    await officer.goto(`${server.url}/`, { waitUntil: 'load' });
    assert.doesNotMatch(await text(officer.locator('main')), /Bientôt/);
    // The one action first: the first control of the page's content (after the breadcrumb,
    // which on the home is the current page only).
    const first = officer.locator('main a:not(.fr-breadcrumb__link), main button').first();
    assert.equal(await text(first), 'Signaler une situation');
    await assertAccessible(officer, '/ (officer, phone)');

    const count = tapper(officer);
    await count.go(first);
    assert.equal(pathOf(officer), '/signalements/nouveau');
    await assertAccessible(officer, '/signalements/nouveau (phone)');
    await count.tap(officer.locator('label[for="consent-yes"]'));
    const depth = await submitDepth(officer);
    console.log(`typical referral: submit button ${Math.round(depth)} px below the form top (${(depth / PHONE.height).toFixed(2)} screens)`);
    assert.ok(depth <= 2 * PHONE.height, `the form takes ${depth} px, more than two phone screens`);
    // The danger grid's result is offered for domestic violence only, folded: no tap added.
    assert.equal(await officer.locator('#danger-grid').isVisible(), false, 'the danger grid before its category');
    await count.tap(officer.locator('label[for="category-domestic_violence"]'));
    assert.equal(await officer.locator('#danger-grid').isVisible(), true, 'the danger grid for domestic violence');
    assert.equal(await officer.locator('#danger-conclusion').isVisible(), false, 'folded until opened');
    await count.tap(officer.locator('#context'));
    await officer.keyboard.type('Différend conjugal signalé par les voisins.');
    await officer.keyboard.press('Enter');
    await officer.keyboard.type('Madame souhaite être rappelée.');
    await count.type(officer.locator('#person-1-last'), 'Orlanne');
    await count.type(officer.locator('#person-1-first'), 'Maëlle');
    await count.type(officer.locator('#person-1-phone'), '06 11 22 33 44');
    await count.type(officer.locator('#procedure-reference'), REFERENCE);
    await screenshot(officer, 'officier-signalement-type');
    const before = count.taps;
    await count.go(officer.locator('#send'));
    console.log(`typical referral: ${before} taps before the first submit, ${count.taps} with it`);
    assert.ok(count.taps <= 12, `${count.taps} taps`);
    assert.equal(pathOf(officer), '/signalements');
    assert.match(await text(officer.locator('[role="status"]')), /transmis/);

    // « Mes signalements »: the reference typed and the reasons tell it apart.
    assert.equal(await text(officer.locator('h1')), 'Mes signalements');
    const row = officer.locator('#my-referrals tbody tr').first();
    assert.equal(await text(row.locator('.referral-reference')), REFERENCE);
    assert.equal(await text(row.locator('.referral-reasons')), 'Violences conjugales');
    assert.equal(await text(row.locator('.referral-status')), 'Reçu');
    await assertAccessible(officer, '/signalements (phone)');
    // The home recalls it, with a link to the list.
    await officer.goto(`${server.url}/`, { waitUntil: 'load' });
    assert.match(await text(officer.locator('#latest-referrals li').first()), /Violences conjugales/);
    assert.equal(await officer.getByRole('link', { name: 'Mes signalements', exact: true }).last().getAttribute('href'), '/signalements');
    await officer.close();
  });

  test('without consent: no name, no facts, in 6 taps', async () => {
    const officer = await newPage(browser, { mobile: true });
    await logInAndEnrol(officer, server.url, server.logins.officier);
    await officer.goto(`${server.url}/`, { waitUntil: 'load' });
    const count = tapper(officer);
    await count.go(officer.locator('#refer'));
    await count.tap(officer.locator('label[for="consent-no"]'));
    // Nothing that names or describes anyone is asked any more.
    for (const hidden of ['#context', '#person-1-last', '#person-1-phone', '#contact-channel', '#procedure-reference']) {
      assert.equal(await officer.locator(hidden).isVisible(), false, `${hidden} is still asked`);
    }
    await assertAccessible(officer, '/signalements/nouveau (consent no, phone)');
    await count.tap(officer.locator('label[for="category-housing"]'));
    assert.equal(await officer.locator('#danger-grid').isVisible(), false, 'no danger grid for housing');
    await count.go(officer.locator('#send'));
    console.log(`consent-no referral: ${count.taps} taps with the submit`);
    assert.ok(count.taps <= 6, `${count.taps} taps`);
    assert.equal(pathOf(officer), '/signalements');
    assert.equal(await text(officer.locator('#my-referrals tbody tr .referral-reasons').first()), 'Logement / expulsion');
    await officer.close();
  });

  test('each error at its field, linked from the summary, everything typed kept; a person added without JavaScript', async () => {
    // axe needs JavaScript: the page without it is checked for its behaviour, the same page
    // with it for its accessibility.
    for (const [mobile, javaScriptEnabled] of [[true, false], [true, true], [false, true]]) {
      const context = await browser.newContext({
        locale: 'fr-FR',
        javaScriptEnabled,
        viewport: mobile ? PHONE : { width: 1280, height: 900 },
      });
      context.setDefaultTimeout(15_000);
      const officer = await context.newPage();
      officer.problems = { consoleErrors: [], failedRequests: [], pageErrors: [] };
      await logInAndEnrol(officer, server.url, server.logins.officier);
      await officer.goto(`${server.url}/signalements/nouveau`, { waitUntil: 'load' });
      await officer.locator('label[for="consent-yes"]').click();
      await officer.fill('#person-1-phone', '12');
      await officer.fill('#contact-hours', 'Après 18 h');
      // One more person, without JavaScript: the same form comes back with everything kept.
      await officer.locator('#add-person').click();
      await officer.waitForLoadState('load');
      assert.equal(await officer.locator('#person-2-role').count(), 1, 'a second person block');
      assert.equal(await officer.inputValue('#person-1-phone'), '12');
      assert.equal(await officer.inputValue('#contact-hours'), 'Après 18 h');
      assert.equal(await officer.locator('.fr-alert--error').count(), 0, 'adding a person refuses nothing');
      await officer.locator('#send').click();
      await officer.waitForLoadState('load');
      const summary = officer.locator('#error-summary');
      for (const [anchor, message] of [
        ['#category-domestic_violence', /Motifs : choisissez au moins un motif/],
        ['#context', /Faits : décrivez brièvement la situation/],
        ['#person-1-last', /Personne 1 — nom : indiquez au moins le nom ou le prénom/],
        ['#person-1-phone', /Personne 1 — téléphone/],
      ]) {
        const link = summary.locator(`a[href="${anchor}"]`);
        assert.equal(await link.count(), 1, `the summary links to ${anchor}`);
        assert.match(await text(link), message);
        assert.equal(await officer.locator(anchor).count(), 1, `${anchor} exists`);
      }
      // At the field: the DSFR pattern, the message tied to its control.
      const phone = officer.locator('#person-1-phone');
      assert.equal(await phone.getAttribute('aria-describedby'), 'person-1-phone-error');
      assert.match(await text(officer.locator('#person-1-phone-error.fr-error-text')), /téléphone/);
      assert.equal(await officer.locator('.fr-input-group--error #person-1-phone').count(), 1);
      assert.equal(await officer.inputValue('#person-1-phone'), '12', 'what was typed is kept');
      assert.equal(await officer.locator('#person-2-role').count(), 1, 'the added person is kept');
      if (javaScriptEnabled) await assertAccessible(officer, `/signalements (errors, ${mobile ? 'phone' : 'desktop'})`);
      await context.close();
    }
  });

  test('desktop: the officer home, the form and the list are accessible', async () => {
    const officer = await newPage(browser);
    await logInAndEnrol(officer, server.url, server.logins.officier);
    for (const path of ['/', '/signalements/nouveau', '/signalements']) {
      await officer.goto(`${server.url}${path}`, { waitUntil: 'load' });
      await assertAccessible(officer, `${path} (officer, desktop)`);
    }
    await officer.close();
  });

  test('other roles land on their pages, never on « Bientôt »', async () => {
    const others = Object.keys(server.logins).filter((login) => login !== 'officier');
    assert.ok(others.length >= 4, `demo logins: ${Object.keys(server.logins)}`);
    for (const login of others) {
      const page = await newPage(browser, { mobile: true });
      await logInAndEnrol(page, server.url, server.logins[login]);
      await page.goto(`${server.url}/`, { waitUntil: 'load' });
      assert.doesNotMatch(await text(page.locator('main')), /Bientôt/, login);
      if (login === 'intervenant') {
        // The social worker's home is their day (e2e/worker.test.mjs tests it).
        assert.equal(new URL(page.url()).pathname, '/aujourdhui', login);
      } else {
        assert.ok((await page.locator('#role-pages a').count()) >= 1, `${login} has links to its pages`);
      }
      await assertAccessible(page, `/ (${login}, phone)`);
      await page.close();
    }
  });

  test('the phone header menu without JavaScript: hidden, a plain link to the menu page instead', async () => {
    const context = await browser.newContext({ locale: 'fr-FR', javaScriptEnabled: false, viewport: PHONE });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    await logInAndEnrol(page, server.url, server.logins.officier);
    await page.goto(`${server.url}/`, { waitUntil: 'load' });
    assert.equal(await page.locator('#button-menu').isVisible(), false, 'the button that needs JavaScript is hidden');
    const hidden = await page.evaluate(() => getComputedStyle(document.querySelector('.fr-header__menu')).display);
    assert.equal(hidden, 'none', 'the menu is out of the page, its links not clickable');
    await page.locator('#link-menu').click();
    await page.waitForLoadState('load');
    assert.equal(pathOf(page), '/menu');
    const links = page.locator('#menu-page a');
    assert.ok((await links.allInnerTexts()).includes('Mes signalements'));
    await links.filter({ hasText: 'Mes signalements' }).click();
    await page.waitForLoadState('load');
    assert.equal(pathOf(page), '/signalements');
    await context.close();

    // With JavaScript: the DSFR's menu button, no plain link; the menu page is accessible.
    for (const mobile of [true, false]) {
      const withJs = await newPage(browser, { mobile });
      await logInAndEnrol(withJs, server.url, server.logins.officier);
      await withJs.goto(`${server.url}/menu`, { waitUntil: 'load' });
      assert.equal(await withJs.locator('#link-menu').isVisible(), false);
      assert.equal(await withJs.locator('#button-menu').isVisible(), mobile);
      await assertAccessible(withJs, `/menu (${mobile ? 'phone' : 'desktop'})`);
      await withJs.close();
    }
  });
});
