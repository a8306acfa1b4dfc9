// A referral in a real browser: an officer on a phone refers a person; the social worker
// takes it over, writes a sealed note and orients to a partner; the officer then sees
// "En contact" and nothing of the content. axe checks every page on the way.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertAccessible, logInAndEnrol, newPage, screenshot, startServerAndBrowser, stopAll } from './helpers.mjs';

const CONTEXT = 'Intervention pour un différend conjugal, voisins inquiets';
const NOTE = 'Premier échange rassurant, la personne souhaite un accompagnement';
const NAME = 'Orlanne';

/** The decoded subjects of the e-mails the server wrote in its folder (RFC 2047 words). */
const mailSubjects = (folder) =>
  (fs.existsSync(folder) ? fs.readdirSync(folder) : [])
    .filter((name) => name.endsWith('.eml'))
    .map((name) => fs.readFileSync(path.join(folder, name), 'utf8'))
    .map((raw) => {
      const header = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
      const subject = (header.match(/^Subject: (.*)$/m) || [])[1] || '';
      const decoded = subject.replace(/=\?utf-8\?b\?([^?]*)\?=\s*/gi, (_, b64) => Buffer.from(b64, 'base64').toString('utf8'));
      const body = raw.split(/\r?\n\r?\n/).slice(1).join('\n\n');
      const text = /^Content-Transfer-Encoding: base64/im.test(header)
        ? Buffer.from(body.replace(/\s/g, ''), 'base64').toString('utf8')
        : /^Content-Transfer-Encoding: quoted-printable/im.test(header)
          ? Buffer.from(body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8')
          : body;
      return { subject: decoded, text };
    });

const text = async (locator) => (await locator.innerText()).replace(/\s+/g, ' ').trim();
const pathOf = (page) => new URL(page.url()).pathname;
const errorText = async (page) => {
  const alert = page.locator('.fr-alert--error');
  return (await alert.count()) === 0 ? null : text(alert.first());
};

/** Submits a form with its button; resolves with the POST's response once the next page loaded. */
async function submit(page, form, buttonName) {
  const posted = page.waitForResponse((r) => r.request().method() === 'POST');
  await form.getByRole('button', { name: buttonName }).click();
  const response = await posted;
  await page.waitForLoadState('load');
  return response;
}

describe('referral', () => {
  let server;
  let browser;

  before(async () => {
    // A month of demo activity: the new referral must be found among real-shaped cases.
    ({ server, browser } = await startServerAndBrowser({ env: { PASSERELLE_DEMO_MONTHS: '1' } }));
  });

  after(async () => {
    await stopAll({ server, browser });
  });

  test('officer refers on a phone, social worker follows up, officer sees the status only', async () => {
    // 1. The officer, on a phone.
    const officer = await newPage(browser, { mobile: true });
    await logInAndEnrol(officer, server.url, server.logins.officier);
    await officer.goto(`${server.url}/signalements`, { waitUntil: 'load' });
    await assertAccessible(officer, '/signalements (phone)');
    await officer.getByRole('link', { name: 'Signaler une situation' }).click();
    await officer.waitForURL(/\/signalements\/nouveau$/);
    await assertAccessible(officer, '/signalements/nouveau (phone)');
    // DSFR draws radios and checkboxes on their labels: a person taps the label.
    await officer.locator('label[for="urgency-within_48h"]').click();
    // Consent first: it decides what is asked next.
    await officer.locator('label[for="consent-yes"]').click();
    await officer.locator('label[for="category-domestic_violence"]').click();
    // The demo never uses this category: it tells our referral apart in the inbox.
    await officer.locator('label[for="category-radicalisation"]').click();
    await officer.fill('#context', CONTEXT);
    await officer.selectOption('#person-1-role', 'victim');
    await officer.fill('#person-1-last', NAME);
    await officer.fill('#person-1-first', 'Maëlle');
    await officer.fill('#person-1-phone', '06 11 22 33 44');
    await officer.selectOption('#contact-channel', 'phone_call');
    await officer.fill('#contact-hours', 'En semaine avant 17 h');
    // The officer asks to be told of each status change by e-mail (status words only).
    await officer.locator('#more summary').click();
    await officer.locator('label[for="notify"]').click();
    await screenshot(officer, 'signalement-formulaire-mobile');
    let response = await submit(officer, officer.locator('#referral-form'), "Transmettre à l'intervenant social");
    assert.ok(response.status() < 400, `the referral answers ${response.status()}: ${await errorText(officer)}`);
    assert.equal(pathOf(officer), '/signalements');
    assert.match(await text(officer.locator('[role="status"]')), /transmis/);
    assert.equal(await text(officer.locator('#my-referrals tbody tr .referral-status').first()), 'Reçu');

    // 2. The social worker takes it over.
    const worker = await newPage(browser);
    await logInAndEnrol(worker, server.url, server.logins.intervenant);
    await worker.goto(`${server.url}/dossiers`, { waitUntil: 'load' });
    await assertAccessible(worker, '/dossiers');
    assert.ok((await worker.locator('#inbox tbody tr').count()) > 10, 'the demo fills the inbox');
    const row = worker.locator('#inbox tbody tr', { hasText: 'Radicalisation' });
    assert.equal(await row.count(), 1, 'our referral is in the inbox');
    await row.locator('a').click();
    await worker.waitForURL(/\/dossiers\/[^/]+$/);
    const casePath = pathOf(worker);
    assert.equal(await text(worker.locator('#case-context')), CONTEXT);
    assert.match(await text(worker.locator('#case-persons')), new RegExp(`Maëlle ${NAME}`));
    assert.match(await text(worker.locator('#case-safe-contact')), /Appel téléphonique — En semaine avant 17 h/);
    await assertAccessible(worker, '/dossiers/{id}');

    for (const status of ['contact_attempted', 'in_contact']) {
      await worker.selectOption('#next-status', status);
      response = await submit(worker, worker.locator('#status-form'), 'Enregistrer');
      assert.ok(response.status() < 400, `moving to ${status} answers ${response.status()}: ${await errorText(worker)}`);
    }
    assert.equal(await text(worker.locator('#case-status')), 'En contact');

    await worker.fill('#note-text', NOTE);
    await worker.locator('label[for="visibility-team"]').click();
    response = await submit(worker, worker.locator('#note-form'), 'Ajouter la note');
    assert.ok(response.status() < 400, `the note answers ${response.status()}`);
    assert.match(await text(worker.locator('.passerelle-note').last()), new RegExp(NOTE));

    // The case's sections are <details>: their summary opens them, with or without JavaScript.
    await worker.locator('summary', { hasText: 'Orienter vers un partenaire' }).click();
    await worker.selectOption('#orientation-type', 'cidff');
    await worker.fill('#orientation-name', 'CIDFF départemental');
    response = await submit(worker, worker.locator('#orientation-form'), "Proposer l'orientation");
    assert.ok(response.status() < 400, `the orientation answers ${response.status()}: ${await errorText(worker)}`);
    assert.equal(pathOf(worker), casePath);
    const orientation = worker.locator('#case-work li', { hasText: 'CIDFF départemental' });
    assert.match(await text(orientation), /Proposée/);
    response = await submit(worker, orientation.locator('form'), 'Acceptée');
    assert.ok(response.status() < 400);
    assert.match(await text(worker.locator('#case-work li', { hasText: 'CIDFF départemental' })), /Acceptée/);
    await assertAccessible(worker, '/dossiers/{id} (followed up)');
    await screenshot(worker, 'dossier-suivi');

    // 3. The officer sees "En contact", nothing else — on the page and in the e-mails the
    // server sends within its next round (every 15 s).
    const mailFolder = path.join(server.dataDir, 'courriels');
    const deadline = Date.now() + 40_000;
    while (mailSubjects(mailFolder).length < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const mails = mailSubjects(mailFolder);
    assert.deepEqual(
      mails.map((m) => m.subject.split(' : ').pop()).sort(),
      ['Contact tenté', 'En contact'],
      `two status e-mails: ${mails.map((m) => m.subject)}`,
    );
    for (const { text: body } of mails) {
      assert.match(body, /\/signalements/, body);
      for (const secret of [CONTEXT, NOTE, NAME, 'Maëlle', 'CIDFF', '06 11 22']) {
        assert.ok(!body.includes(secret), `a status e-mail holds « ${secret} »`);
      }
    }
    // 3. The officer sees "En contact", nothing else.
    await officer.goto(`${server.url}/signalements`, { waitUntil: 'load' });
    assert.equal(await text(officer.locator('#my-referrals tbody tr .referral-status').first()), 'En contact');
    const page = await officer.content();
    for (const secret of [CONTEXT, NOTE, NAME, 'CIDFF']) {
      assert.ok(!page.includes(secret), `the officer's page shows « ${secret} »`);
    }
    await assertAccessible(officer, '/signalements (phone, followed up)');
    await screenshot(officer, 'signalement-statut-mobile');
    const denied = await officer.goto(`${server.url}${casePath}`, { waitUntil: 'load' });
    assert.equal(denied.status(), 403, 'the officer cannot open the case');
    assert.ok(!(await officer.content()).includes(CONTEXT));
    await officer.close();

    // 4. The social worker looks a person's cases up by name.
    await worker.goto(`${server.url}/dossiers`, { waitUntil: 'load' });
    await worker.fill('#filter-person', 'Personne Introuvable');
    await worker.locator('#inbox-filters').getByRole('button', { name: 'Filtrer' }).click();
    await worker.waitForURL(/q=/);
    assert.match(await text(worker.locator('#inbox-count')), /^0 dossier/);
    await assertAccessible(worker, '/dossiers?q=…');

    // 5. Its post's activity: exact counts, this referral among them.
    await worker.goto(`${server.url}/statistiques`, { waitUntil: 'load' });
    const referralsRow = worker.locator('#table-activite tbody tr', { hasText: 'Signalements' });
    // The year's total (the last column): the month is Paris's, not this machine's.
    assert.ok(Number(await text(referralsRow.locator('td').nth(12))) >= 1, 'the year counts our referral');
    assert.equal(await worker.locator('#chart-activite rect').count(), 12);
    await assertAccessible(worker, '/statistiques (post)');
    // The annual report downloads as a PDF whose text holds the year's referrals.
    const [download] = await Promise.all([worker.waitForEvent('download'), worker.locator('#annual-report').click()]);
    const pdfPath = await download.path();
    const pdfText = execFileSync('pdftotext', ['-layout', pdfPath, '-']).toString().replace(/’/g, "'");
    const yearTotal = await text(referralsRow.locator('td').nth(12));
    assert.match(pdfText, /Rapport d'activité \d{4}/);
    // The summary is the page's headline tiles: the delay first, then whom, then how much.
    assert.match(pdfText.replace(/\s+/g, ' '), new RegExp(`En bref .*délai médian.*${yearTotal}.*signalements reçus`), 'the summary gives the year\'s referrals');
    // Every table as a workbook: LibreOffice opens it and finds the same year's total.
    const [workbook] = await Promise.all([worker.waitForEvent('download'), worker.locator('#tables-ods').click()]);
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-ods-'));
    const odsPath = path.join(outDir, 'tableaux.ods');
    fs.copyFileSync(await workbook.path(), odsPath);
    execFileSync('soffice', [`-env:UserInstallation=file://${outDir}/profil`, '--headless', '--convert-to',
      'csv:Text - txt - csv (StarCalc):59,34,76,1,,0,false,true,false,false,false,-1', '--outdir', outDir, odsPath]);
    const activity = fs.readFileSync(path.join(outDir, 'tableaux-activite.csv'), 'utf8');
    const referralsLine = activity.split('\n').find((line) => line.startsWith('Signalements;'));
    assert.equal(referralsLine.trim().split(';')[13], yearTotal, 'the workbook\'s year total is the dashboard\'s');
    // The activity narrowed to one category: a table of its own, drawn by the chart.
    await worker.selectOption('#filtre', 'motif:domestic_violence');
    await worker.locator('#period-form').getByRole('button', { name: 'Afficher' }).click();
    await worker.waitForURL(/filtre=motif/);
    assert.match(await text(worker.locator('#table-activite-filtree caption')), /motif « Violences conjugales »/);
    assert.equal(await worker.locator('#chart-activite-filtree rect').count(), 12);
    await assertAccessible(worker, '/statistiques?filtre=motif:… (post)');
    await worker.close();
  });

  test('the national team adds a category to the grid', async () => {
    const national = await newPage(browser);
    await logInAndEnrol(national, server.url, server.logins.national);
    await national.goto(`${server.url}/referentiels/categories`, { waitUntil: 'load' });
    await assertAccessible(national, '/referentiels/categories');
    await national.fill('#new-label', 'Violences numériques');
    await national.fill('#new-code', 'violences_numeriques');
    const response = await submit(national, national.locator('form', { has: national.locator('#new-code') }), 'Ajouter à la grille');
    assert.ok(response.status() < 400, `adding answers ${response.status()}: ${await errorText(national)}`);
    assert.match(await text(national.locator('table')), /Violences numériques violences_numeriques Proposée/);
    await national.goto(`${server.url}/statistiques`, { waitUntil: 'load' });
    assert.match(await text(national.locator('#suppression-notice')), /Secret statistique/);
    await assertAccessible(national, '/statistiques (nation, suppressed)');
    await national.selectOption('#filtre', 'zone:gendarmerie');
    await national.locator('#period-form').getByRole('button', { name: 'Afficher' }).click();
    await national.waitForURL(/filtre=zone/);
    assert.match(await text(national.locator('#table-activite-filtree caption')), /Zone gendarmerie/);
    assert.equal(await national.locator('#chart-activite-filtree rect').count(), 4, 'published by quarter');
    const visitor = await newPage(browser, { mobile: true });
    await visitor.goto(`${server.url}/observatoire`, { waitUntil: 'load' });
    assert.match(await text(visitor.locator('h1')), /Observatoire national/);
    assert.equal(await visitor.locator('#chart-activite rect').count(), 4, 'published by quarter');
    await assertAccessible(visitor, '/observatoire (public, phone)');
    await visitor.close();
    await national.close();
  });
});
