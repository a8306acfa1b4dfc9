// The national steering in a real browser: the pipeline and the map, a département, a post
// whose lifecycle it records; every page accessible.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertAccessible, logInAndEnrol, newPage, screenshot, startServerAndBrowser, stopAll } from './helpers.mjs';

describe('national steering', () => {
  let server;
  let browser;

  before(async () => {
    ({ server, browser } = await startServerAndBrowser());
  });

  after(async () => {
    await stopAll({ server, browser });
  });

  test('pipeline, map, département, and a lifecycle step recorded on a post', async () => {
    const page = await newPage(browser);
    await logInAndEnrol(page, server.url, server.logins.national);

    await page.goto(`${server.url}/pilotage`);
    assert.match(await page.locator('h1').innerText(), /Pilotage de la création des postes/);
    assert.ok((await page.locator('caption', { hasText: 'Postes en création' }).count()) === 1);
    await assertAccessible(page, '/pilotage');
    await screenshot(page, 'pilotage');

    await page.getByRole('navigation', { name: 'Menu principal' }).getByRole('link', { name: 'Carte des postes' }).click();
    await page.waitForURL(/\/carte$/);
    await page.locator('svg a[href="/departements/35"]').click();
    await page.waitForURL(/\/departements\/35$/);

    // "Who is where" asks the nation which département to show, then shows it.
    await page.goto(`${server.url}/presence`);
    assert.match(await page.locator('h1').innerText(), /Qui est où/);
    await assertAccessible(page, '/presence (choosing a département)');
    await page.selectOption('#departement', '35');
    await page.getByRole('button', { name: 'Afficher la présence' }).click();
    await page.waitForURL(/\/presence\/departements\/35/);

    await page.goto(`${server.url}/postes?statut=filled`);
    await assertAccessible(page, '/postes');
    const first = page.locator('table tbody tr td a').first();
    const code = await first.innerText();
    await first.click();
    await page.waitForURL(/\/postes\/[0-9a-f-]+$/);
    assert.match(await page.locator('h1').innerText(), new RegExp(code));
    assert.equal(await page.locator('#post-status').innerText(), 'Pourvu');
    await assertAccessible(page, '/postes/{id}');
    const steps = await page.locator('table tbody tr').count();

    await page.selectOption('#status', 'vacant');
    await page.getByRole('button', { name: "Enregistrer l'étape" }).click();
    await page.waitForLoadState('load');
    assert.equal(await page.locator('#post-status').innerText(), 'Vacant');
    assert.equal(await page.locator('table tbody tr').count(), steps + 1);

    // An impossible step is refused with a French message, on the same page.
    await page.selectOption('#status', 'closed');
    // Within the field's window (from 2000), but before the step just recorded.
    await page.fill('#date', '2000-01-03');
    await page.getByRole('button', { name: "Enregistrer l'étape" }).click();
    await page.waitForLoadState('load');
    assert.match(await page.locator('.fr-alert--error').innerText(), /ne peut pas précéder la précédente/);
    await assertAccessible(page, '/postes/{id} (with an error)');
    await screenshot(page, 'poste-cycle-de-vie');
    await page.close();
  });
});
