// Lists that scale, in a real browser with the demo's 671 posts: on a phone the national
// team finds a post by département and status in three actions, and /postes stays under six
// screens; the list, its filters and « Créer un poste » are accessible on phone and desktop.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertAccessible, logInAndEnrol, newPage, screenshot, startServerAndBrowser, stopAll } from './helpers.mjs';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

describe('lists that scale', () => {
  let server;
  let browser;
  // One signed-in phone for both tests: the national account enrols its second factor once.
  let page;

  before(async () => {
    ({ server, browser } = await startServerAndBrowser());
    page = await newPage(browser, { mobile: true });
    await logInAndEnrol(page, server.url, server.logins.national);
  });

  after(async () => {
    await page?.close();
    await stopAll({ server, browser });
  });

  test('on a phone, a post found by département and status in 3 actions; /postes under 6 screens', async () => {
    await page.setViewportSize(PHONE);
    // The post to find: a vacant one of a département, read from the list's own export.
    const csv = await (await page.request.get(`${server.url}/postes/export.csv`)).text();
    const rows = csv.replace(/^\uFEFF/, '').trim().split('\n').slice(1).map((line) => line.split(';'));
    assert.ok(rows.length >= 600, `the demo's posts: ${rows.length}`);
    const vacant = rows.filter(([, , status]) => status === 'Vacant');
    const [code, , status, , departement] = vacant[Math.floor(vacant.length / 2)];

    await page.goto(`${server.url}/postes`, { waitUntil: 'load' });
    assert.match(await page.locator('caption').first().innerText(), new RegExp(`^${rows.length} postes, page 1 sur \\d+$`));
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    console.log(`/postes on a phone: ${height} px for ${rows.length} posts (${(height / PHONE.height).toFixed(1)} screens)`);
    assert.ok(height <= 6 * PHONE.height, `/postes is ${height} px tall on a phone`);
    await assertAccessible(page, '/postes (phone)');
    await screenshot(page, 'postes-mobile');

    // Three actions: the département, the status, « Filtrer ».
    await page.selectOption('#departement', departement);
    await page.selectOption('#statut', { label: status });
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await page.waitForLoadState('load');
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('departement'), departement);
    assert.equal(url.searchParams.get('statut'), 'vacant');
    const link = page.locator('#liste-postes').getByRole('link', { name: code, exact: true });
    assert.equal(await link.count(), 1, `${code} is in the filtered list`);
    assert.ok(await link.isVisible());
    const shown = await page.locator('#liste-postes tbody tr').count();
    assert.equal(shown, vacant.filter((row) => row[4] === departement).length);
    await assertAccessible(page, '/postes filtered (phone)');

    // The same pages on a desktop.
    await page.setViewportSize(DESKTOP);
    await assertAccessible(page, '/postes filtered (desktop)');
    await page.goto(`${server.url}/postes?page=3`, { waitUntil: 'load' });
    assert.match(await page.locator('caption').first().innerText(), /page 3 sur/);
    await assertAccessible(page, '/postes page 3 (desktop)');

    // The units' list, filtered, on both screens.
    await page.goto(`${server.url}/registre/unites?departement=35&type=bta`, { waitUntil: 'load' });
    assert.match(await page.locator('#liste-unites caption').innerText(), /^\d+ unités?, page 1 sur \d+$/);
    await assertAccessible(page, '/registre/unites filtered (desktop)');
    await page.setViewportSize(PHONE);
    await assertAccessible(page, '/registre/unites filtered (phone)');
  });

  test('« Créer un poste »: errors at their fields, then the new post', async () => {
    await page.setViewportSize(PHONE);
    await page.goto(`${server.url}/postes`, { waitUntil: 'load' });
    await page.getByRole('link', { name: 'Créer un poste' }).click();
    await page.waitForURL(/\/postes\/nouveau$/);
    await assertAccessible(page, '/postes/nouveau (phone)');

    await page.selectOption('#departement', '35');
    await page.selectOption('#zone', 'police');
    await page.fill('#employeur', 'Employeur qui n’existe pas');
    await page.fill('#etp', '2');
    await page.selectOption('#statut', 'project');
    await page.fill('#date', '02/01/2024');
    await page.getByRole('button', { name: 'Créer le poste' }).click();
    await page.waitForLoadState('load');
    assert.match(await page.locator('#etp-error').innerText(), /^Temps de travail \(ETP\) : /);
    assert.match(await page.locator('#employeur-error').innerText(), /^Employeur : /);
    assert.equal(await page.locator('#etp').getAttribute('aria-describedby'), 'etp-error');
    await assertAccessible(page, '/postes/nouveau with errors (phone)');
    await page.setViewportSize(DESKTOP);
    await assertAccessible(page, '/postes/nouveau with errors (desktop)');
    await screenshot(page, 'poste-nouveau-erreurs');

    // An employer of the département, as the employer filter of the list offers them.
    await page.goto(`${server.url}/postes?departement=35`, { waitUntil: 'load' });
    const employer = (await page.locator('#employeur option').nth(1).innerText()).replace(/ \(35\)$/, '');
    await page.goto(`${server.url}/postes/nouveau`, { waitUntil: 'load' });
    await page.selectOption('#departement', '35');
    await page.selectOption('#zone', 'police');
    await page.fill('#employeur', employer);
    await page.fill('#etp', '0,5');
    await page.selectOption('#statut', 'project');
    await page.fill('#date', '02/01/2024');
    await page.fill('#code', 'ISCG-35-E2E');
    await page.getByRole('button', { name: 'Créer le poste' }).click();
    await page.waitForURL(/\/postes\/[0-9a-f-]+$/);
    assert.match(await page.locator('h1').innerText(), /ISCG-35-E2E/);
  });

  test('the administrator\'s accounts list: filtered, paged, accessible', async () => {
    const admin = await newPage(browser, { mobile: true });
    try {
      await logInAndEnrol(admin, server.url, server.logins.admin);
      await admin.goto(`${server.url}/comptes`, { waitUntil: 'load' });
      await admin.selectOption('#role', 'officer');
      await admin.selectOption('#etat', 'actif');
      await admin.getByRole('button', { name: 'Filtrer' }).click();
      await admin.waitForURL(/\/comptes\?.*role=officer.*etat=actif/);
      assert.match(await admin.locator('#liste-comptes caption').innerText(), /: \d+ comptes?, page 1 sur \d+$/);
      await assertAccessible(admin, '/comptes filtered (phone)');
      await admin.setViewportSize(DESKTOP);
      await assertAccessible(admin, '/comptes filtered (desktop)');
    } finally {
      await admin.close();
    }
  });
});
