// Appointments from the case in a real browser: the social worker, on a phone, opens a case,
// takes « Prendre rendez-vous », books the first free slot the form offers (person and safe
// contact come from the case), reads the confirmation, finds the appointment on the case and
// in the week, and finds « Déplacer » filled with its hours. Then the same booking without
// JavaScript, and axe on every new or changed page, phone and desktop.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertAccessible, logInAndEnrol, newPage, screenshot, startServerAndBrowser, stopAll } from './helpers.mjs';

const text = async (locator) => (await locator.innerText()).replace(/\s+/g, ' ').trim();

/** Submits a form with its button; resolves with the POST's response once the next page loaded. */
async function submit(page, form, buttonName) {
  const posted = page.waitForResponse((r) => r.request().method() === 'POST');
  await form.getByRole('button', { name: buttonName }).click();
  const response = await posted;
  await page.waitForLoadState('load');
  return response;
}

/** Fills what the case could not give (a case naming nobody, or without a safe contact). */
async function completeForm(page) {
  if (await page.locator('#booking-person').count()) await page.fill('#booking-person', 'Repère convenu');
  if (await page.locator('#booking-safe').count()) await page.fill('#booking-safe', 'Appeler le matin');
  await page.locator('label[for="booking-consent"]').click();
}

/** Nothing wider than the screen: no sideways scrolling on a phone. */
async function fitsTheScreen(page, what) {
  const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= width, `${what}: ${scroll} px wide on a ${width} px screen`);
}

describe('appointments from the case', () => {
  let server;
  let browser;

  before(async () => {
    // A month of demo activity: cases to book from, and presences to book in.
    ({ server, browser } = await startServerAndBrowser({ env: { PASSERELLE_DEMO_MONTHS: '1' } }));
  });

  after(async () => {
    await stopAll({ server, browser });
  });

  test('the social worker books from the case on a phone, on a free slot, and with JavaScript off', async () => {
    const worker = await newPage(browser, { mobile: true });
    await logInAndEnrol(worker, server.url, server.logins.intervenant);
    await worker.goto(`${server.url}/dossiers`, { waitUntil: 'load' });
    await worker.locator('#inbox tbody tr a').first().click();
    await worker.waitForURL(/\/dossiers\/[^/?]+$/);
    const casePath = new URL(worker.url()).pathname;

    // 1. From the case to the form: free slots first, the first one chosen.
    await worker.getByRole('link', { name: 'Prendre rendez-vous' }).click();
    await worker.waitForURL(/\/dossiers\/[^/]+\/rendez-vous$/);
    await assertAccessible(worker, '/dossiers/{id}/rendez-vous (phone)');
    await fitsTheScreen(worker, 'the booking form');
    await screenshot(worker, 'rendez-vous-dossier-mobile');
    const slots = worker.locator('#booking-slots input[name="slot"]');
    assert.ok((await slots.count()) > 1, 'the presences of the demo post offer free slots');
    assert.equal(await slots.first().isChecked(), true, 'the first free slot is proposed');
    const chosen = (await slots.first().getAttribute('value')).split('|');
    const slotLabel = await text(worker.locator(`label[for="${await slots.first().getAttribute('id')}"]`));
    await completeForm(worker);
    let response = await submit(worker, worker.locator('#case-booking'), 'Réserver le rendez-vous');
    assert.ok(response.status() < 400, `the booking answers ${response.status()}`);

    // 2. The confirmation: day, hours, place and mode; the way back to the case and the week.
    assert.match(worker.url(), /\/rendez-vous\/[^/?]+\?pris=1$/);
    const appointmentPath = new URL(worker.url()).pathname;
    const confirmation = await text(worker.locator('#booking-confirmed'));
    const [year, month, day] = chosen[0].split('-');
    assert.ok(confirmation.includes(`${day}/${month}/${year}`), confirmation);
    assert.ok(confirmation.includes("À l'unité"), confirmation);
    assert.ok(confirmation.includes(slotLabel.split(' — ').pop()), `${confirmation} names the unit of « ${slotLabel} »`);
    await assertAccessible(worker, '/rendez-vous/{id}?pris=1 (phone)');
    await fitsTheScreen(worker, 'the confirmation');
    // « Déplacer » starts from the current hours.
    assert.equal(await worker.locator('#move-start').inputValue(), chosen[1]);
    assert.equal(await worker.locator('#move-end').inputValue(), chosen[2]);
    assert.equal(await worker.locator('#move-date').inputValue(), chosen[0]);

    // 3. The case lists it; the week shows it on its day.
    await worker.locator('#back-to-case').click();
    await worker.waitForURL((url) => url.pathname === casePath);
    assert.equal(await worker.locator(`#case-appointments a[href="${appointmentPath}"]`).count(), 1);
    await worker.goto(`${server.url}${appointmentPath}?pris=1`, { waitUntil: 'load' });
    await worker.locator('#to-week').click();
    await worker.waitForURL(/\/rendez-vous\/semaine\?semaine=/);
    assert.equal(await worker.locator(`#jour-${chosen[0]} a[href="${appointmentPath}"]`).count(), 1);
    assert.equal(await worker.locator('#week section').count(), 7, 'Monday to Sunday');
    await assertAccessible(worker, '/postes/{id}/rendez-vous/semaine (phone)');
    await fitsTheScreen(worker, 'the week');
    await screenshot(worker, 'rendez-vous-semaine-mobile');
    await worker.locator('#this-week').click();
    await worker.waitForLoadState('load');
    assert.equal(await worker.locator('#week [aria-current="date"]').count(), 1, 'today is marked');

    // 4. JavaScript off: the form is a real form, the other time opens, the booking goes through.
    const state = await worker.context().storageState();
    const context = await browser.newContext({
      javaScriptEnabled: false,
      storageState: state,
      locale: 'fr-FR',
      timezoneId: 'Europe/Paris',
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    const plain = await context.newPage();
    await plain.goto(`${server.url}${casePath}/rendez-vous`, { waitUntil: 'load' });
    assert.equal(await plain.locator('html[data-fr-js]').count(), 0, 'no script runs');
    assert.equal(
      await plain.locator('#booking-slots input[name="slot"]').first().getAttribute('value') === chosen.join('|'),
      false,
      'the slot taken is no longer offered',
    );
    await plain.locator('summary', { hasText: 'Un autre horaire' }).click();
    assert.equal(await plain.locator('#booking-date').isVisible(), true, 'the other time opens');
    await completeForm(plain);
    response = await submit(plain, plain.locator('#case-booking'), 'Réserver le rendez-vous');
    assert.ok(response.status() < 400, `the booking without JavaScript answers ${response.status()}`);
    assert.equal(await plain.locator('#booking-confirmed').count(), 1, 'confirmed without JavaScript');
    await context.close();

    // 5. Desktop: the new and changed pages stay clean for axe.
    const desk = await newPage(browser);
    await desk.context().addCookies(state.cookies);
    for (const path of [casePath, `${casePath}/rendez-vous`, `${appointmentPath}?pris=1`, appointmentPath]) {
      await desk.goto(`${server.url}${path}`, { waitUntil: 'load' });
      await assertAccessible(desk, `${path} (desktop)`);
    }
    await desk.goto(`${server.url}${appointmentPath}?pris=1`, { waitUntil: 'load' });
    await desk.locator('#to-week').click();
    await desk.waitForURL(/\/rendez-vous\/semaine/);
    await assertAccessible(desk, '/postes/{id}/rendez-vous/semaine (desktop)');
    await screenshot(desk, 'rendez-vous-semaine-desktop');
    // A refusal shows at the top of the form, named, and stays accessible.
    await desk.goto(`${server.url}${casePath}/rendez-vous`, { waitUntil: 'load' });
    await desk.locator('summary', { hasText: 'Un autre horaire' }).click();
    await desk.locator('label[for="slot-other"]').click();
    await desk.fill('#booking-date', '2020-01-01');
    await desk.fill('#booking-start', '10:00');
    await desk.fill('#booking-end', '10:30');
    await completeForm(desk);
    response = await submit(desk, desk.locator('#case-booking'), 'Réserver le rendez-vous');
    assert.equal(response.status(), 422);
    assert.match(await text(desk.locator('.fr-alert--error')), /Date|futur/);
    await assertAccessible(desk, '/dossiers/{id}/rendez-vous (desktop, refused)');
    await desk.close();
    await worker.close();
  });
});
