// The legal pages every State site carries, in a real browser: reached from the footer,
// axe clean on a phone and on a desktop.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertAccessible, newPage, screenshot, startServerAndBrowser, stopAll } from './helpers.mjs';

const PAGES = [
  ['/plan-du-site', 'Plan du site'],
  ['/accessibilite', "Déclaration d'accessibilité"],
  ['/mentions-legales', 'Mentions légales'],
  ['/donnees-personnelles', 'Données personnelles'],
  ['/cookies', 'Gestion des cookies'],
];

describe('legal pages', () => {
  let server;
  let browser;

  before(async () => {
    ({ server, browser } = await startServerAndBrowser());
  });

  after(async () => {
    await stopAll({ server, browser });
  });

  for (const mobile of [false, true]) {
    const device = mobile ? 'phone' : 'desktop';
    test(`${device}: each page from the footer, accessible`, async () => {
      const page = await newPage(browser, { mobile });
      try {
        await page.goto(`${server.url}/`, { waitUntil: 'load' });
        const status = await page.locator('footer .fr-footer__bottom-list a[href="/accessibilite"]').innerText();
        assert.equal(status.trim(), 'Accessibilité : partiellement conforme', 'the footer shows the computed status');
        for (const [path, heading] of PAGES) {
          // Reached by the footer's link, as a visitor would.
          await page.goto(`${server.url}/`, { waitUntil: 'load' });
          await Promise.all([
            page.waitForURL(`${server.url}${path}`),
            page.locator(`footer .fr-footer__bottom-list a[href="${path}"]`).click(),
          ]);
          assert.equal((await page.locator('h1').innerText()).trim(), heading, `the heading of ${path}`);
          if (path === '/accessibilite') {
            assert.match(await page.locator('#statut-conformite').innerText(), /partiellement conforme/);
          }
          await screenshot(page, `legal${path.replace(/\//g, '-')}-${device}`);
          await assertAccessible(page, `${path} (${device})`);
        }
        assert.deepEqual(page.problems.failedRequests, [], 'every resource loads');
        assert.deepEqual(page.problems.pageErrors, [], 'no uncaught script error');
      } finally {
        await page.close();
      }
    });
  }

  test('desktop: the detail of the audit opens (a native disclosure)', async () => {
    const page = await newPage(browser);
    try {
      await page.goto(`${server.url}/accessibilite`, { waitUntil: 'load' });
      await page.locator('summary', { hasText: 'Détail des critères' }).click();
      assert.ok(await page.locator('table caption', { hasText: 'Critères du RGAA 4.1 vérifiés' }).isVisible());
      await assertAccessible(page, '/accessibilite with the audit open');
    } finally {
      await page.close();
    }
  });
});
