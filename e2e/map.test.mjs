// The public map, a département's page and the open-data page, in a real browser, with no
// login: rendered, navigable by link, accessible (axe), printable.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { axeViolations, formatViolations, launchBrowser, newPage, screenshot, startServer, assertAccessible, startServerAndBrowser, stopAll } from './helpers.mjs';

describe('public map and registry', () => {
  let server;
  let browser;

  before(async () => {
    ({ server, browser } = await startServerAndBrowser());
  });

  after(async () => {
    await stopAll({ server, browser });
  });

  test('the map colours every département, links to its page, and is accessible', async () => {
    const page = await newPage(browser);
    const response = await page.goto(`${server.url}/carte`);
    assert.equal(response.status(), 200);
    assert.equal(await page.locator('svg.passerelle-carte__svg a').count(), 101);
    assert.equal(await page.locator('table tbody tr').count(), 101);
    await assertAccessible(page, '/carte');
    await screenshot(page, 'carte');
    await page.selectOption('#mesure', 'ecart-cible');
    await page.click('button:has-text("Afficher")');
    await page.waitForURL(/mesure=ecart-cible/);
    await assertAccessible(page, '/carte?mesure=ecart-cible');
    await page.locator('svg a[href="/departements/35"]').click();
    await page.waitForURL(/\/departements\/35$/);
    assert.match(await page.locator('h1').innerText(), /Ille-et-Vilaine \(35\)/);
    await assertAccessible(page, '/departements/35');
    await page.emulateMedia({ media: 'print' });
    await screenshot(page, 'departement-35-impression');
    await page.close();
  });

  test('the map works on a phone', async () => {
    const page = await newPage(browser, { mobile: true });
    await page.goto(`${server.url}/carte`);
    await assertAccessible(page, '/carte (mobile)');
    await screenshot(page, 'carte-mobile');
    await page.close();
  });

  test('open data: the schema page and both downloads', async () => {
    const page = await newPage(browser);
    await page.goto(`${server.url}/donnees`);
    await assertAccessible(page, '/donnees');
    const csv = await page.request.get(`${server.url}/donnees/postes.csv`);
    assert.equal(csv.status(), 200);
    const bytes = await csv.body();
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    assert.match(bytes.toString('utf8'), /^\ufeffcode;zone;statut;/);
    const json = await (await page.request.get(`${server.url}/donnees/postes.json`)).json();
    assert.ok(json.posts.length > 349);
    await page.close();
  });
});
