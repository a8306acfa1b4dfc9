// Presence schedules in a real browser: the social worker sets a weekly slot and an absence,
// the officer (on a phone) sees the next presence and books a visio appointment, anyone sees
// the unit's public page and poster, and the social worker finds the appointment in their day.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertAccessible, logInAndEnrol, newPage, screenshot, startServerAndBrowser, stopAll } from './helpers.mjs';

const SAFE_CONTACT = 'Appeler après 18 h, jamais le week-end';

/** A date's yyyy-mm-dd in Europe/Paris (the server's calendar). */
const parisIso = (date) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(date);
/** yyyy-mm-dd → dd/mm/yyyy. */
const frenchDate = (iso) => iso.split('-').reverse().join('/');
/** The Wednesday at least 8 days after `iso` (a calendar date, computed in UTC to avoid DST);
 * the demo's schedules leave Wednesdays free. */
function wednesdayAfter(iso) {
  const day = new Date(`${iso}T12:00:00Z`);
  day.setUTCDate(day.getUTCDate() + 8);
  while (day.getUTCDay() !== 3) day.setUTCDate(day.getUTCDate() + 1);
  return day.toISOString().slice(0, 10);
}

const text = async (locator) => (await locator.innerText()).replace(/\s+/g, ' ').trim();
const pathOf = (page) => new URL(page.url()).pathname;
const errorText = async (page) => {
  const alert = page.locator('.fr-alert--error');
  return (await alert.count()) === 0 ? null : text(alert.first());
};

/** Submits a form with its button and resolves with the POST's response, once the next page has loaded. */
async function submit(page, form, buttonName) {
  const posted = page.waitForResponse((r) => r.request().method() === 'POST');
  await form.getByRole('button', { name: buttonName }).click();
  const response = await posted;
  await page.waitForLoadState('load');
  return response;
}

/**
 * Records the console errors of a page with the address it was at (call right after newPage),
 * for assertNoPageProblems to say where each came from.
 */
function locateConsoleErrors(page) {
  page.locatedConsoleErrors = [];
  page.on('console', (message) => {
    if (message.type() === 'error') page.locatedConsoleErrors.push(`${message.text()} (at ${page.url()})`);
  });
  return page;
}

/** No uncaught exception, and no console error but the ones of expected refusals (HTTP 422). */
function assertNoPageProblems(page, what) {
  assert.deepEqual(page.problems.pageErrors, [], `uncaught errors on ${what}`);
  // page.problems.consoleErrors no longer holds the CSP reports of axe's refused script tag.
  const unexpected = page.problems.consoleErrors.filter((e) => !/status of 422/.test(e));
  const located = unexpected.map((e) => page.locatedConsoleErrors.find((l) => l.startsWith(e)) ?? e);
  assert.deepEqual(located, [], `console errors on ${what}`);
  const failed = page.problems.failedRequests.filter((r) => !/\(HTTP 422\)$/.test(r));
  assert.deepEqual(failed, [], `failed requests on ${what}`);
}

describe('presence', () => {
  let server;
  let browser;

  before(async () => {
    ({ server, browser } = await startServerAndBrowser());
    for (const who of ['officier', 'intervenant']) {
      assert.ok(server.logins[who]?.password, `the server printed the demo login of ${who}@ (got ${JSON.stringify(server.logins)})`);
    }
  });

  after(async () => {
    await stopAll({ server, browser });
  });

  test('schedule, absence, officer booking by visio, public page and poster, day list', async () => {
    const today = parisIso(new Date());
    const wednesday = wednesdayAfter(today);

    // 1. The social worker's schedule.
    const worker = locateConsoleErrors(await newPage(browser));
    await logInAndEnrol(worker, server.url, server.logins.intervenant);
    await worker.goto(`${server.url}/presence`, { waitUntil: 'load' });
    const schedulePath = pathOf(worker);
    const postMatch = schedulePath.match(/^\/postes\/([^/]+)\/presence$/);
    assert.ok(postMatch, `/presence sends the social worker to their post's schedule (got ${schedulePath})`);
    const postId = postMatch[1];
    assert.match(await text(worker.locator('h1')), /^Présence — poste \S+/);

    const slotForm = worker.locator('#slot-form');
    const hostUnit = await worker.locator('#slot-unit option').first().getAttribute('value');
    await worker.selectOption('#slot-unit', hostUnit);
    await worker.selectOption('#slot-weekday', '3');
    await worker.fill('#slot-start', '09:00');
    await worker.fill('#slot-end', '12:00');
    await worker.fill('#slot-from', today);
    let response = await submit(worker, slotForm, 'Ajouter le créneau');
    assert.ok(response.status() < 400, `adding the slot answers ${response.status()}: ${await errorText(worker)}`);
    assert.equal(pathOf(worker), schedulePath, 'back on the schedule after adding a slot');
    assert.equal(await errorText(worker), null);
    const wednesdayRows = worker.locator('#slots tbody tr', { hasText: 'Mercredi' });
    assert.equal(await wednesdayRows.count(), 1, 'the slot is listed');
    const slotRow = await text(wednesdayRows.first());
    assert.match(slotRow, /9 h 00 – 12 h 00/);
    assert.match(slotRow, new RegExp(`à partir du ${frenchDate(today)}`));
    // The two weeks shown always include the next Wednesday's presence.
    const weekRows = worker.locator('table.passerelle-week tbody tr:not(.passerelle-skipped)', { hasText: '9 h 00 – 12 h 00' });
    assert.ok((await weekRows.count()) >= 1, 'the coming weeks show the Wednesday presence');

    // An overlapping slot is refused, and nothing is added.
    await worker.selectOption('#slot-unit', hostUnit);
    await worker.selectOption('#slot-weekday', '3');
    await worker.fill('#slot-start', '11:00');
    await worker.fill('#slot-end', '13:00');
    await worker.fill('#slot-from', today);
    response = await submit(worker, worker.locator('#slot-form'), 'Ajouter le créneau');
    assert.equal(response.status(), 422, 'an overlapping slot answers 422');
    assert.match((await errorText(worker)) ?? '(no error shown)', /chevauche/);
    assert.equal(await worker.locator('#slots tbody tr', { hasText: 'Mercredi' }).count(), 1, 'still one Wednesday slot');
    await assertAccessible(worker, '/postes/{id}/presence (overlapping slot refused)');

    // An absence for today only.
    await worker.goto(`${server.url}${schedulePath}`, { waitUntil: 'load' });
    await worker.selectOption('#absence-kind', 'training');
    await worker.fill('#absence-start', today);
    await worker.fill('#absence-end', today);
    response = await submit(worker, worker.locator('#absence-form'), "Enregistrer l'absence");
    assert.ok(response.status() < 400, `declaring the absence answers ${response.status()}: ${await errorText(worker)}`);
    assert.equal(pathOf(worker), schedulePath);
    const absenceRows = worker.locator('#absences tbody tr', { hasText: `du ${frenchDate(today)} au ${frenchDate(today)}` });
    assert.equal(await absenceRows.count(), 1, `the absence is listed: ${await text(worker.locator('#absences'))}`);
    assert.match(await text(absenceRows.first()), /Formation/i);
    for (const row of await worker.locator('table.passerelle-week tr.passerelle-skipped').all()) {
      // Only today's presence can be skipped (no holiday asserted: any skipped line names why).
      assert.match(await text(row), /\(\d+ h \d\d – \d+ h \d\d\)/);
    }
    await assertAccessible(worker, '/postes/{id}/presence');

    // 2. The officer, on a phone.
    const officer = locateConsoleErrors(await newPage(browser, { mobile: true }));
    await logInAndEnrol(officer, server.url, server.logins.officier);
    await officer.goto(`${server.url}/`, { waitUntil: 'load' });
    assert.equal(await officer.locator('#officer-presence').count(), 1, 'the officer home shows the presence callout');
    const next = officer.locator('#next-presence');
    assert.equal(await next.count(), 1, `the officer home shows the next presence: ${await text(officer.locator('#officer-presence'))}`);
    assert.match(await text(next), /^(lundi|mardi|mercredi|jeudi|vendredi) \d\d\/\d\d\/\d{4} de \d+ h \d\d – \d+ h \d\d$/);
    const unitHref = await officer.locator('a[href^="/presence/unites/"]').first().getAttribute('href');
    const unitId = unitHref.match(/^\/presence\/unites\/([^/?#]+)/)[1];
    await assertAccessible(officer, '/ (officer, phone)');
    await screenshot(officer, 'presence-officier-accueil-mobile');

    await officer.getByRole('link', { name: 'Prendre rendez-vous pour une personne' }).click();
    await officer.waitForURL(/\/rendez-vous$/);
    assert.ok((await officer.locator('#next-presences li').count()) >= 1, 'the desk lists the next presences');
    assert.match(await text(officer.locator('#next-presences li').first()), /\d+ h \d\d – \d+ h \d\d/);
    await assertAccessible(officer, '/rendez-vous (phone)');
    await screenshot(officer, 'presence-rendez-vous-mobile');

    const action = `/postes/${postId}/rendez-vous`;
    const bookVisio = async () => {
      const form = officer.locator(`form.passerelle-booking[action="${action}"]`);
      assert.equal(await form.count(), 1, `one booking form for the social worker's post (${action})`);
      const prefix = (await form.locator('input[type="date"]').getAttribute('id')).replace(/^booking-date-/, '');
      // DSFR draws radios and checkboxes on their labels: a person taps the label.
      await form.locator(`label[for="mode-visio-${prefix}"]`).click();
      assert.ok(await form.locator(`#mode-visio-${prefix}`).isChecked(), 'visio chosen');
      await form.locator(`#booking-date-${prefix}`).fill(wednesday);
      await form.locator(`#booking-start-${prefix}`).fill('14:00');
      await form.locator(`#booking-end-${prefix}`).fill('14:30');
      await form.locator(`#booking-person-${prefix}`).fill('Mme Test');
      await form.locator(`#booking-safe-${prefix}`).fill(SAFE_CONTACT);
      await form.locator(`label[for="booking-consent-${prefix}"]`).click();
      assert.ok(await form.locator(`#booking-consent-${prefix}`).isChecked(), 'consent ticked');
      return submit(officer, form, 'Réserver le rendez-vous');
    };
    response = await bookVisio();
    assert.ok(response.status() < 400, `booking answers ${response.status()}: ${await errorText(officer)}`);
    assert.match(pathOf(officer), /^\/rendez-vous\/[^/]+$/, 'the booking leads to the appointment');
    assert.equal(await text(officer.locator('h1')), 'Rendez-vous prévu');
    assert.match(await text(officer.locator('#appointment-mode')), /En visio/);
    const visio = officer.locator('#visio-link');
    assert.match(await visio.getAttribute('href'), /^https:\/\/visio\.numerique\.gouv\.fr\/[0-9a-f]{32}$/);
    assert.equal(await text(visio), await visio.getAttribute('href'));
    assert.equal(await text(officer.locator('#safe-contact')), SAFE_CONTACT);
    assert.equal(await text(officer.locator('#appointment-person')), 'Mme Test');
    assert.match(await text(officer.locator('#appointment-when')), new RegExp(frenchDate(wednesday).replace(/\//g, '\\/')));
    await assertAccessible(officer, '/rendez-vous/{id} (phone)');
    await screenshot(officer, 'presence-rendez-vous-prevu-mobile');

    // The same time again: refused, on the desk.
    await officer.goto(`${server.url}/rendez-vous`, { waitUntil: 'load' });
    response = await bookVisio();
    assert.equal(response.status(), 422, 'a second appointment at the same time answers 422');
    assert.match((await errorText(officer)) ?? '(no error shown)', /autre rendez-vous/);
    await assertAccessible(officer, '/rendez-vous (phone, booking refused)');
    await screenshot(officer, 'presence-rendez-vous-refuse-mobile');
    await officer.close();

    // 3. The public page of the unit, its poster and PDF, without logging in.
    const visitor = locateConsoleErrors(await newPage(browser));
    response = await visitor.goto(`${server.url}/presence/unites/${unitId}`, { waitUntil: 'load' });
    assert.equal(response.status(), 200);
    assert.match(await text(visitor.locator('h1')), /^Intervenant social — \S/);
    const weekly = await text(visitor.locator('#weekly-hours'));
    assert.match(weekly, /Mercredi : 9 h 00 – 12 h 00/);
    const notices = (await visitor.locator('.passerelle-notice').allInnerTexts()).map((n) => n.replace(/\s+/g, ' ').trim());
    assert.ok(
      notices.includes(`Absente jusqu'au ${frenchDate(today)} inclus`),
      `the absence under way is announced (notices: ${JSON.stringify(notices)})`,
    );
    assert.ok(!notices.some((n) => /formation/i.test(n)), 'the public notice never says why');
    await assertAccessible(visitor, '/presence/unites/{id}');

    response = await visitor.goto(`${server.url}/presence/unites/${unitId}/affiche`, { waitUntil: 'load' });
    assert.equal(response.status(), 200);
    const poster = await text(visitor.locator('body'));
    assert.match(poster, /Le mercredi de 9 h à 12 h/);
    assert.match(poster, /sauf jours fériés/);
    assert.match(poster, /3919/);
    await assertAccessible(visitor, '/presence/unites/{id}/affiche');

    const pdf = await visitor.request.get(`${server.url}/presence/unites/${unitId}/affiche.pdf`);
    assert.equal(pdf.status(), 200);
    assert.match(pdf.headers()['content-type'] ?? '', /^application\/pdf/);
    assert.equal((await pdf.body()).subarray(0, 5).toString('latin1'), '%PDF-');
    await visitor.close();

    // 4. The social worker's day.
    response = await worker.goto(`${server.url}/postes/${postId}/rendez-vous?jour=${wednesday}`, { waitUntil: 'load' });
    assert.equal(response.status(), 200);
    const row = worker.locator('#appointments tbody tr', { hasText: 'Mme Test' });
    assert.equal(await row.count(), 1, `the appointment is in the day list: ${await text(worker.locator('#appointments'))}`);
    const rowText = await text(row);
    assert.match(rowText, /14 h 00 – 14 h 30/);
    assert.ok(rowText.includes(SAFE_CONTACT), `the safe contact is shown: ${rowText}`);
    await assertAccessible(worker, '/postes/{id}/rendez-vous?jour=…');
    await worker.close();

    // Last, so that a stray console error does not hide the checks above. (A page without a
    // <link rel="icon"> makes the browser ask for /favicon.ico: it must not answer 404.)
    assertNoPageProblems(worker, "the social worker's pages");
    assertNoPageProblems(officer, "the officer's pages");
    assertNoPageProblems(visitor, 'the public pages, the poster');
  });
});
