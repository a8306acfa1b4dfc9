// Case pages do not stay in the browser: on a unit's shared workstation, after the social
// worker logs out, Back must not show the case again (neither from the back-forward cache nor
// from the disk cache); the browser asks the server, which sends it to the login page.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { logInAndEnrol, logOut, newPage, startServerAndBrowser, stopAll } from './helpers.mjs';

const pathOf = (page) => new URL(page.url()).pathname;

describe('browser cache', () => {
  let server;
  let browser;

  before(async () => {
    // A month of demo activity fills the social worker's inbox with cases.
    ({ server, browser } = await startServerAndBrowser({ env: { PASSERELLE_DEMO_MONTHS: '1' } }));
  });

  after(async () => {
    await stopAll({ server, browser });
  });

  test('after logging out, Back does not show the case again', async () => {
    const page = await newPage(browser);
    try {
      await logInAndEnrol(page, server.url, server.logins.intervenant);
      await page.goto(`${server.url}/dossiers`, { waitUntil: 'load' });
      const link = page.locator('#inbox tbody tr a[href^="/dossiers/"]').first();
      assert.equal(await link.count(), 1, 'the inbox lists a case');
      await Promise.all([page.waitForURL(/\/dossiers\/[^/?]+$/), link.click()]);
      await page.waitForLoadState('load');
      const casePath = pathOf(page);
      const shown = page.locator('#case-context, #case-persons');
      assert.ok((await shown.count()) > 0, 'the case shows its facts or its persons');
      const facts = (await shown.first().innerText()).trim();
      assert.ok(facts.length > 5, `the case's text is long enough to be looked for: ${JSON.stringify(facts)}`);

      await logOut(page);
      assert.notEqual(pathOf(page), casePath, 'logging out leaves the case');
      await page.goBack({ waitUntil: 'load' });

      const body = await page.locator('body').innerText();
      assert.ok(!body.includes(facts), `Back after logging out shows the case again (at ${page.url()})`);
      assert.equal(pathOf(page), '/connexion', `Back asks the server again, which answers with the login page (at ${page.url()})`);
    } finally {
      await page.close();
    }
  });
});
