// The network's announcements in a real browser: the national team publishes to the social
// worker's département (on a phone), the personal-data check stops a text with a phone
// number until the author confirms; the social worker reads it and its « non lu » goes, in the
// network's title and in the header's badge on any page.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertAccessible, logInAndEnrol, newPage, screenshot, startServerAndBrowser, stopAll } from './helpers.mjs';

const unread = async (page) => {
  const badge = page.locator('h1 .fr-badge');
  if ((await badge.count()) === 0) return 0;
  return Number((await badge.innerText()).match(/(\d+)/)[1]);
};

// The header's badge beside « Réseau », on any page.
const headerUnread = async (page) => {
  const badge = page.getByRole('navigation', { name: 'Menu principal' }).locator('.fr-badge');
  if ((await badge.count()) === 0) return 0;
  return Number((await badge.innerText()).match(/(\d+)/)[1]);
};

describe('network announcements', () => {
  let server;
  let browser;

  before(async () => {
    ({ server, browser } = await startServerAndBrowser());
  });

  after(async () => {
    await stopAll({ server, browser });
  });

  test('national publishes to a département, a social worker reads it, the badge goes', async () => {
    const worker = await newPage(browser);
    await logInAndEnrol(worker, server.url, server.logins.intervenant);
    await worker.getByRole('navigation', { name: 'Menu principal' }).getByRole('link', { name: 'Réseau' }).click();
    await worker.waitForURL(/\/reseau$/);
    await assertAccessible(worker, '/reseau (social worker)');
    const departemental = await worker.getByRole('link', { name: /Réunion départementale du réseau/ }).innerText();
    const code = departemental.match(/\((\w+)\)/)[1];
    const before = await unread(worker);

    const national = await newPage(browser, { mobile: true });
    await logInAndEnrol(national, server.url, server.logins.national);
    await national.goto(`${server.url}/reseau/annonces/nouvelle`);
    await assertAccessible(national, '/reseau/annonces/nouvelle');
    await national.fill('#title', 'Stage d’acculturation au groupement');
    await national.fill('#text', 'Inscriptions ouvertes.\n\nRenseignements au 06 12 34 56 78.');
    await national.fill('#portee', code);
    await national.getByRole('button', { name: 'Publier' }).click();
    await national.waitForLoadState('load');
    assert.match(await national.locator('.fr-alert--error').innerText(), /numéro de téléphone : « 06 12 34 56 78 »/);
    await assertAccessible(national, '/reseau/annonces (personal data found)');
    await screenshot(national, 'reseau-donnees-personnelles');
    await national.check('#no_person', { force: true });
    await national.getByRole('button', { name: 'Publier' }).click();
    await national.waitForURL(/\/reseau\?publiee=1$/);
    assert.match(await national.locator('.fr-alert--success').innerText(), /Annonce publiée/);

    await worker.goto(`${server.url}/aujourdhui`);
    assert.equal(await headerUnread(worker), before + 1);
    await assertAccessible(worker, '/aujourdhui (header badge)');
    await worker.goto(`${server.url}/reseau`);
    assert.equal(await unread(worker), before + 1);
    await worker.getByRole('link', { name: 'Stage d’acculturation au groupement' }).click();
    await worker.waitForURL(/\/reseau\/annonces\/[0-9a-f-]+$/);
    await assertAccessible(worker, '/reseau/annonces/{id}');
    await worker.goto(`${server.url}/reseau`);
    assert.equal(await unread(worker), before);
    assert.equal(await headerUnread(worker), before);
  });
});
