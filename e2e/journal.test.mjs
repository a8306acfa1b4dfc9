// The security journal in words: filtered to one account from its « Par » field, it shows
// that account by name and address and the actions in French, never an identifier; axe-clean
// on a desktop and on a phone.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertAccessible, logInAndEnrol, logOut, newPage, startServerAndBrowser, stopAll } from './helpers.mjs';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

describe('journal', () => {
  let server;
  let browser;

  before(async () => {
    ({ server, browser } = await startServerAndBrowser());
  });

  after(async () => {
    await stopAll({ server, browser });
  });

  test('the journal filtered to one account shows names, not identifiers', async () => {
    const worker = server.logins.intervenant;
    // The social worker logs in: their login and second factor are journaled.
    const workerPage = await newPage(browser);
    try {
      await logInAndEnrol(workerPage, server.url, worker);
      await logOut(workerPage);
    } finally {
      await workerPage.close();
    }

    const page = await newPage(browser);
    try {
      await logInAndEnrol(page, server.url, server.logins.admin);
      await page.goto(`${server.url}/journal/securite`, { waitUntil: 'load' });
      await page.getByLabel(/^Par/).fill(worker.email);
      await Promise.all([page.waitForURL(/qui=/), page.getByRole('button', { name: 'Filtrer' }).click()]);
      await page.waitForLoadState('load');
      assert.match(page.url(), new RegExp(`qui=${encodeURIComponent(worker.email)}`), 'the filter is kept in the address');

      const rows = page.locator('#journal-table tbody tr');
      const count = await rows.count();
      assert.ok(count >= 2, `the worker's login and second factor are listed (${count} rows)`);
      for (let i = 0; i < count; i += 1) {
        const text = (await rows.nth(i).innerText()).replace(/\s+/g, ' ');
        assert.ok(text.includes(worker.email), `every row is the worker's: ${text}`);
        assert.ok(!UUID.test(text), `a row shows an identifier: ${text}`);
        assert.ok(!/login\.|second_factor|social_worker/.test(text), `a row shows a code: ${text}`);
      }
      const table = await page.locator('#journal-table tbody').innerText();
      assert.match(table, /Connexion réussie/, 'the login in French');
      await assertAccessible(page, 'the filtered security journal (desktop)');

      await page.setViewportSize({ width: 390, height: 844 });
      await page.reload({ waitUntil: 'load' });
      await assertAccessible(page, 'the filtered security journal (phone)');
      assert.deepEqual(page.problems.pageErrors, []);
    } finally {
      await page.close();
    }
  });
});
