// « Trouver l'intervenant social », in a real browser, with no login: a visitor types her
// commune without accents and in lower case, and reaches a unit's presence page and poster.
// The demo has no unit in La Mézière (35): the answer says so and offers the units of
// Ille-et-Vilaine that host a social worker, which is the path a visitor follows.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertAccessible, newPage, screenshot, startServerAndBrowser, stopAll } from './helpers.mjs';

describe('finding the social worker of a commune', () => {
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
    test(`from « la meziere » to a unit's presence page and poster (${device})`, async () => {
      const page = await newPage(browser, { mobile });
      await page.goto(`${server.url}/`);
      await page.locator('main a[href="/trouver"]').first().click();
      await page.waitForURL(/\/trouver$/);
      await assertAccessible(page, `/trouver (${device})`);
      await page.fill('#q', 'la meziere');
      await page.click('form[role="search"] button[type="submit"]');
      await page.waitForURL(/\/trouver\?q=la\+meziere/);
      assert.match(await page.locator('#commune-units').innerText(), /La Mézière \(35177\)/);
      assert.match(await page.locator('#departement-units').innerText(), /Ille-et-Vilaine \(35\)/);
      await assertAccessible(page, `/trouver?q=la+meziere (${device})`);
      await screenshot(page, `trouver-la-meziere-${device}`);
      const unitLink = page.locator('main a[href^="/presence/unites/"]:not([href$="/affiche"])').first();
      const href = await unitLink.getAttribute('href');
      await unitLink.click();
      await page.waitForURL(new RegExp(`${href}$`));
      assert.match(await page.locator('h1').innerText(), /^Intervenant social — /);
      assert.equal(await page.locator('#unit-around a[href="/departements/35"]').count(), 1);
      await page.locator(`main a[href="${href}/affiche"]`).click();
      await page.waitForURL(new RegExp(`${href}/affiche$`));
      assert.equal((await page.request.get(`${server.url}${href}/affiche.pdf`)).status(), 200);
      await page.close();
    });

    test(`homonyms, a typo and an empty search are answered in French (${device})`, async () => {
      const page = await newPage(browser, { mobile });
      await page.goto(`${server.url}/trouver?q=Maizieres`);
      assert.ok((await page.locator('#commune-choices li').count()) >= 5);
      await assertAccessible(page, `/trouver?q=Maizieres (${device})`);
      await page.goto(`${server.url}/trouver?q=la+mezeire`);
      await page.locator('#commune-choices a').first().click();
      await page.waitForURL(/commune=35177/);
      assert.match(await page.locator('#commune-units').innerText(), /La Mézière/);
      await page.goto(`${server.url}/trouver?q=`);
      assert.match(await page.locator('#finder-message').innerText(), /saisissez le nom de votre commune/);
      await assertAccessible(page, `/trouver?q= (${device})`);
      await page.close();
    });
  }

  test('the map leads to the search and to the units of a département', async () => {
    const page = await newPage(browser);
    await page.goto(`${server.url}/carte`);
    await page.fill('#finder-q', '35177');
    await page.click('#map-finder button');
    await page.waitForURL(/\/trouver\?q=35177/);
    assert.match(await page.locator('#commune-units').innerText(), /La Mézière/);
    await page.goto(`${server.url}/departements/35`);
    await assertAccessible(page, '/departements/35');
    const posters = page.locator('#postes-du-departement a[href$="/affiche"]');
    assert.ok((await posters.count()) > 0);
    await page.close();
  });
});
