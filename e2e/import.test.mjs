// The registry import in a real browser (issue 21): a dry run of a file whose one line has
// five errors lists them all in a table, keeps the kind chosen and never puts the token in
// the address; the templates download; the page is accessible on a phone and a desktop.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertAccessible, logInAndEnrol, newPage, startServerAndBrowser, stopAll } from './helpers.mjs';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

describe('registry import', () => {
  let server;
  let browser;

  before(async () => {
    ({ server, browser } = await startServerAndBrowser());
  });

  after(async () => {
    await stopAll({ server, browser });
  });

  test('a dry run lists every error of a line, keeps the kind, and the page is accessible', async () => {
    const page = await newPage(browser);
    await logInAndEnrol(page, server.url, server.logins.national);
    await page.goto(`${server.url}/registre/import`);
    assert.match(await page.locator('h1').innerText(), /Importer dans le registre/);
    for (const size of [PHONE, DESKTOP]) {
      await page.setViewportSize(size);
      await assertAccessible(page, `/registre/import (${size.width} px)`);
    }

    for (const href of await page.locator('#import-templates a').evaluateAll((links) => links.map((a) => a.getAttribute('href')))) {
      const response = await page.request.get(`${server.url}${href}`);
      assert.equal(response.status(), 200, href);
    }

    await page.locator('label[for="type-postes"]').click(); // the DSFR's label covers its radio
    await page.setInputFiles('#fichier', {
      name: 'postes.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('code;zone;departement;employeur;etp;statut;date\n;lune;01;Inconnu;3;ouvert;31/02/2021\n'),
    });
    await page.getByRole('button', { name: 'Vérifier ou importer' }).click();
    await page.waitForLoadState('load');
    assert.doesNotMatch(page.url(), /csrf=/);
    assert.match(await page.locator('#import-result').innerText(), /5 erreur\(s\)/);
    const rows = await page.locator('#import-errors tbody tr').evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
    );
    assert.deepEqual(
      rows.map(([line, column]) => `${line} ${column}`),
      ['2 zone', '2 employeur', '2 etp', '2 statut', '2 date'],
    );
    assert.ok(await page.locator('#type-postes').isChecked(), 'the kind stays chosen');
    for (const size of [PHONE, DESKTOP]) {
      await page.setViewportSize(size);
      await assertAccessible(page, `/registre/import with errors (${size.width} px)`);
    }
    await page.close();
  });
});
