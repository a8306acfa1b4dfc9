// The statistics show before they tell, in a real browser: a dashboard opens on its headline
// tiles (the delay to first contact and the share unknown to social services first), a table
// of contents that leads to each part, and a chart beside each table; every dashboard, the
// observatory, the pipeline (prevention and national), a département and the open data are
// accessible on a phone and on a desktop, their wide tables scrolling from the keyboard.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertAccessible, logInAndEnrol, newPage, screenshot, startServerAndBrowser, stopAll } from './helpers.mjs';

/** Every table of the page has its chart: `chart-x` for `table-x`, an SVG named by its title. */
async function chartPerTable(page, what) {
  const tables = await page.locator('table[id^="table-"]').evaluateAll((all) => all.map((t) => t.id));
  assert.ok(tables.length > 10, `${what}: ${tables.length} tables`);
  for (const id of tables) {
    const chart = page.locator(`svg#chart-${id.replace(/^table-/, '')}`);
    assert.equal(await chart.count(), 1, `${what}: the chart of ${id}`);
    assert.equal(await chart.getAttribute('role'), 'img');
    assert.ok((await chart.locator('title').textContent()).startsWith('Graphique'), `${what}: ${id}'s chart is named`);
  }
  assert.equal(await page.locator('svg[id^="chart-"]').count(), tables.length, `${what}: one chart per table`);
}

describe('statistics that show before they tell', () => {
  let server;
  let browser;
  // Each demo account logs in once (enrolling its second factor); its session serves after.
  const sessions = new Map();

  /** A page signed in as `who` (a demo login's name; null for the public), phone or desktop. */
  async function pageAs(who, { mobile = false } = {}) {
    if (!who) return newPage(browser, { mobile });
    const stored = sessions.get(who);
    if (!stored) {
      const page = await newPage(browser, { mobile });
      await logInAndEnrol(page, server.url, server.logins[who]);
      sessions.set(who, await page.context().storageState());
      return page;
    }
    const context = await browser.newContext({
      locale: 'fr-FR',
      timezoneId: 'Europe/Paris',
      storageState: stored,
      ...(mobile
        ? { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }
        : { viewport: { width: 1280, height: 900 } }),
    });
    const page = await context.newPage();
    page.on('close', () => context.close().catch(() => {}));
    return page;
  }

  before(async () => {
    // A month of activity, so that the tiles and the charts have something to show.
    ({ server, browser } = await startServerAndBrowser({ env: { PASSERELLE_DEMO_MONTHS: '1' } }));
  });

  after(async () => {
    await stopAll({ server, browser });
  });

  test('a dashboard shows its tiles, a table of contents and a chart for each table', async () => {
    const page = await pageAs('prevention');
    await page.goto(`${server.url}/statistiques`, { waitUntil: 'load' });

    // The tiles come first: the delay, then the share unknown to social services.
    const tiles = page.locator('#headline-tiles .statistics-tile');
    assert.equal(await tiles.count(), 8);
    assert.equal(await tiles.nth(0).getAttribute('id'), 'tile-delai');
    assert.equal(await tiles.nth(1).getAttribute('id'), 'tile-inconnues');
    assert.match(await page.locator('#tile-delai').innerText(), /délai médian/);
    assert.match(await page.locator('#tile-saisines').innerText(), /France entière : /, 'the nation beside the département');
    const tilesTop = (await page.locator('#headline-tiles').boundingBox()).y;
    const firstTableTop = (await page.locator('table').first().boundingBox()).y;
    assert.ok(tilesTop < firstTableTop, 'the tiles come before the tables');

    // The table of contents leads to each part.
    const summary = page.getByRole('navigation', { name: 'Sommaire' });
    assert.ok((await summary.getByRole('link').count()) >= 6);
    await summary.getByRole('link', { name: 'Personnes reçues', exact: true }).click();
    await page.waitForURL(/#personnes$/);
    assert.ok(await page.locator('#personnes h2').isVisible());

    await chartPerTable(page, '/statistiques (département)');
    // No total adds referrals, interviews, actions and orientations together.
    assert.equal(await page.locator('#table-activite tbody th', { hasText: /^Total$/ }).count(), 0);
    await assertAccessible(page, '/statistiques (département, desktop)');
    await screenshot(page, 'statistiques-departement');
    await page.close();
  });

  test('the observatory reads on a phone: tiles, a table of contents, a chart for each table', async () => {
    const visitor = await pageAs(null, { mobile: true });
    await visitor.goto(`${server.url}/observatoire`, { waitUntil: 'load' });
    assert.equal(await visitor.locator('#headline-tiles .statistics-tile').count(), 8);
    assert.equal(await visitor.getByRole('navigation', { name: 'Sommaire' }).count(), 1);
    await chartPerTable(visitor, '/observatoire');
    await assertAccessible(visitor, '/observatoire (phone)');
    await screenshot(visitor, 'observatoire-telephone');
    await visitor.close();
  });

  // Every page with figures or wide tables, for each reader, on a phone and on a desktop.
  const pages = [
    ['intervenant', '/statistiques'],
    ['employeur', '/statistiques'],
    ['prevention', '/statistiques'],
    ['national', '/statistiques'],
    ['prevention', '/observatoire'],
    [null, '/observatoire'],
    ['prevention', '/pilotage'],
    ['national', '/pilotage'],
    [null, '/departements/35'],
    [null, '/donnees'],
  ];
  for (const mobile of [true, false]) {
    test(`every page of figures is accessible on ${mobile ? 'a phone' : 'a desktop'}`, async () => {
      const logged = new Map();
      try {
        for (const [who, path] of pages) {
          let page = logged.get(who);
          if (!page) {
            page = await pageAs(who, { mobile });
            logged.set(who, page);
          }
          await page.goto(`${server.url}${path}`, { waitUntil: 'load' });
          const what = `${path} (${who ?? 'public'}, ${mobile ? 'phone' : 'desktop'})`;
          // A table wider than its frame scrolls, and the keyboard reaches it.
          const unreachable = await page.locator('table').evaluateAll((tables) =>
            tables
              .filter((t) => t.scrollWidth > t.clientWidth && t.tabIndex < 0)
              .map((t) => t.id || t.querySelector('caption')?.textContent),
          );
          assert.deepEqual(unreachable, [], `${what}: wide tables out of the keyboard's reach`);
          await assertAccessible(page, what);
        }
      } finally {
        for (const page of logged.values()) await page.close();
      }
    });
  }
});
