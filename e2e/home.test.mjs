// The public home page and the 404 page, in a real browser.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { axeViolations, formatViolations, launchBrowser, logInAndEnrol, newPage, screenshot, startServer, assertAccessible, startServerAndBrowser, stopAll } from './helpers.mjs';

const EMERGENCY_NUMBERS = ['17', '112', '15', '18', '114', '119', '3919', '3977'];

/** The whole number shown in an element, French formatting allowed ("1 234" with any space). */
function wholeNumber(text) {
  const compact = text.replace(/[\s\u00a0\u202f]/g, '');
  assert.match(compact, /^\d+$/, `« ${text} » is not a whole number`);
  return Number(compact);
}

describe('home page', () => {
  let server;
  let browser;

  before(async () => {
    ({ server, browser } = await startServerAndBrowser());
  });

  after(async () => {
    await stopAll({ server, browser });
  });

  test('desktop: content, emergency numbers, national count, accessibility', async () => {
    const page = await newPage(browser);
    try {
      const response = await page.goto(`${server.url}/`, { waitUntil: 'load' });
      assert.equal(response.status(), 200);
      assert.equal(await page.getAttribute('html', 'lang'), 'fr');

      const header = await page.locator('header').first().innerText();
      assert.match(header, /Passerelle/, 'the header names Passerelle');

      const footer = await page.locator('footer').first().innerText();
      for (const number of EMERGENCY_NUMBERS) {
        assert.match(footer, new RegExp(`(^|\\D)${number}(\\D|$)`), `the footer shows the emergency number ${number}`);
      }

      const count = page.locator('#national-posts-count');
      assert.equal(await count.count(), 1, 'one element #national-posts-count');
      assert.ok(wholeNumber(await count.innerText()) > 0, 'the national count of posts is positive');

      await screenshot(page, 'home-desktop');
      await assertAccessible(page, '/ (desktop)');

      assert.deepEqual(page.problems.failedRequests, [], 'every resource of the page loads');
      assert.deepEqual(page.problems.pageErrors, [], 'no uncaught script error');
      assert.deepEqual(page.problems.consoleErrors, [], 'no console error (CSP violations show here)');
    } finally {
      await page.close();
    }
  });

  test('mobile: same page, accessible, screenshot', async () => {
    const page = await newPage(browser, { mobile: true });
    try {
      const response = await page.goto(`${server.url}/`, { waitUntil: 'load' });
      assert.equal(response.status(), 200);
      assert.ok(await page.locator('#national-posts-count').isVisible(), 'the national count is visible on a phone');
      await screenshot(page, 'home-mobile');
      await assertAccessible(page, '/ (mobile)');
    } finally {
      await page.close();
    }
  });

  test('stylesheets load with status 200 and an immutable Cache-Control', async () => {
    const page = await newPage(browser);
    try {
      const responses = new Map();
      page.on('response', (r) => responses.set(r.url(), r));
      await page.goto(`${server.url}/`, { waitUntil: 'load' });
      const hrefs = await page.$$eval('link[rel=stylesheet]', (links) => links.map((l) => l.href));
      assert.ok(hrefs.length > 0, 'the page links a stylesheet');
      for (const href of hrefs) {
        const response = responses.get(href);
        assert.ok(response, `the browser requested ${href}`);
        assert.equal(response.status(), 200, `${href} loads`);
        const cacheControl = (await response.allHeaders())['cache-control'] ?? '';
        assert.match(cacheControl, /immutable/, `${href} has Cache-Control « ${cacheControl} »`);
      }
    } finally {
      await page.close();
    }
  });

  test('an unknown page is a DSFR 404 page', async () => {
    const page = await newPage(browser);
    try {
      const response = await page.goto(`${server.url}/page-qui-nexiste-pas`, { waitUntil: 'load' });
      assert.equal(response.status(), 404);
      assert.match(await page.locator('body').innerText(), /Page non trouvée/);
      const dsfr = await page.$$eval('link[rel=stylesheet]', (links) => links.some((l) => /dsfr[^/]*\.css$/.test(new URL(l.href).pathname)));
      assert.ok(dsfr, 'the 404 page uses the DSFR stylesheet');
      assert.equal(await page.getAttribute('html', 'lang'), 'fr');
      await screenshot(page, 'not-found-desktop');
      await assertAccessible(page, '/page-qui-nexiste-pas');
    } finally {
      await page.close();
    }
  });
});

// The homes of those who steer posts: their alerts first, then three figures, then their
// pages; accessible on a desktop and on a phone.
describe('steering homes', () => {
  let server;
  let browser;

  before(async () => {
    ({ server, browser } = await startServerAndBrowser());
  });

  after(async () => {
    await stopAll({ server, browser });
  });

  const loginWithLabel = (pattern) => {
    const found = Object.values(server.logins).find((login) => pattern.test(login.roleLabel));
    assert.ok(found, `a demo login for ${pattern}: ${JSON.stringify(Object.keys(server.logins))}`);
    return found;
  };

  for (const [name, pattern] of [
    ['employer', /employeur/i],
    ['prevention', /prévention/i],
    ['national', /national/i],
  ]) {
    test(`${name}: alerts, figures and pages, desktop and phone`, async () => {
      const page = await newPage(browser);
      try {
        await logInAndEnrol(page, server.url, loginWithLabel(pattern));
        await page.goto(`${server.url}/`, { waitUntil: 'load' });
        const main = page.locator('main');
        const alerts = main.locator('#alertes');
        assert.ok(await alerts.isVisible(), 'the alerts are shown');
        const figures = main.locator('#chiffres');
        // Alerts first, then the figures, then the pages.
        const top = async (locator) => (await locator.boundingBox()).y;
        assert.ok(await top(alerts) < await top(figures), 'the alerts come before the figures');
        assert.ok(await top(figures) < await top(main.locator('#role-pages')), 'the figures before the pages');
        assert.match(await main.locator('#chiffre-pourvus').innerText(), /^\d[\d\u202f]* sur \d[\d\u202f]*$/);
        assert.ok(await main.locator('#chiffre-saisines').isVisible(), 'the referrals of the year');
        assert.ok(await main.locator('#chiffre-delai').isVisible(), 'the median delay');
        await screenshot(page, `home-${name}-desktop`);
        await assertAccessible(page, `/ (${name}, desktop)`);

        await page.setViewportSize({ width: 390, height: 844 });
        await page.goto(`${server.url}/`, { waitUntil: 'load' });
        await screenshot(page, `home-${name}-phone`);
        await assertAccessible(page, `/ (${name}, phone)`);

        // An alert leads to its post.
        const link = main.locator('#alertes a[href^="/postes/"]').first();
        if ((await link.count()) > 0) {
          const href = await link.getAttribute('href');
          await link.click();
          await page.waitForURL((url) => url.pathname === href);
          assert.match(await page.locator('h1').innerText(), /ISCG|Poste/);
        }
        assert.deepEqual(page.problems.pageErrors, [], 'no uncaught script error');
      } finally {
        await page.close();
      }
    });
  }
});
