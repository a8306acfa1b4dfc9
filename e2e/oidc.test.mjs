// Logging in through an OpenID Connect provider (ProConnect-compatible), in a real browser:
// a real provider (npm oidc-provider, e2e/oidc-provider.mjs) on loopback, and Passerelle
// started with --oidc-issuer/--oidc-client-id and the secret in its environment.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  axeViolations,
  formatViolations,
  freePort,
  headerAccountText,
  launchBrowser,
  logInAndEnrol,
  newPage,
  screenshot,
  startServer,
} from './helpers.mjs';
import { startProvider } from './oidc-provider.mjs';

const CALLBACK_PATH = '/connexion/proconnect/retour';

async function assertAccessible(page, what) {
  const violations = await axeViolations(page);
  if (violations.length > 0) console.log(`axe violations on ${what}:\n${formatViolations(violations)}`);
  assert.equal(violations.length, 0, `axe found ${violations.length} violation(s) on ${what}:\n${formatViolations(violations)}`);
}

/**
 * From /connexion: "Se connecter avec ProConnect", the provider's login form (the login
 * name picks the provider's account) and its consent page. Resolves with the response to
 * the return to Passerelle (CALLBACK_PATH), the page then being wherever that led.
 */
async function logInWithProvider(page, { serverUrl, issuer, login }) {
  await page.goto(`${serverUrl}/connexion`, { waitUntil: 'load' });
  const link = page.getByRole('link', { name: 'Se connecter avec ProConnect' });
  assert.equal(await link.getAttribute('href'), '/connexion/proconnect');
  await Promise.all([page.waitForURL((url) => url.href.startsWith(`${issuer}/interaction/`)), link.click()]);

  // The provider's development login page: any password, the login name is the account.
  await page.locator('input[name=login]').fill(login);
  await page.locator('input[name=password]').fill('mot-de-passe-du-fournisseur');
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Sign-in' }).click()]);
  await page.waitForURL((url) => url.href.startsWith(`${issuer}/interaction/`));

  // Its consent page (the scopes Passerelle asked for), then back to Passerelle.
  const consent = await page.locator('body').innerText();
  for (const scope of ['given_name', 'usual_name', 'uid', 'siret']) {
    assert.match(consent, new RegExp(`\\b${scope}\\b`), `the consent page lists the scope ${scope}`);
  }
  const callback = page.waitForResponse((r) => new URL(r.url()).pathname === CALLBACK_PATH);
  await page.getByRole('button', { name: 'Continue' }).click();
  const response = await callback;
  await page.waitForLoadState('load');
  return response;
}

describe('login with an OpenID Connect provider (ProConnect)', () => {
  let server;
  let provider;
  let browser;

  before(async () => {
    const browserStarting = launchBrowser();
    try {
      // Passerelle's port first: the provider registers its redirect URI.
      const port = await freePort();
      provider = await startProvider({
        redirectUri: `http://127.0.0.1:${port}${CALLBACK_PATH}`,
        accounts: [
          { login: 'camille.officier', email: 'officier@demo.passerelle.test', given_name: 'Camille', usual_name: 'Officier' },
          { login: 'dominique.inconnu', email: 'inconnu@exemple.fr', given_name: 'Dominique', usual_name: 'Inconnu' },
        ],
      });
      server = await startServer({
        port,
        args: ['--oidc-issuer', provider.issuer, '--oidc-client-id', provider.clientId],
        env: { PASSERELLE_OIDC_CLIENT_SECRET: provider.clientSecret },
      });
    } finally {
      browser = await browserStarting.catch(() => null);
    }
    assert.ok(browser, 'chromium started');
    assert.ok(server.logins.admin?.password, 'the server printed the demo login of admin@');
  });

  after(async () => {
    await Promise.allSettled([browser?.close(), server?.stop(), provider?.stop()]);
  });

  test('an officer logs in through the provider; the link is journaled', async () => {
    const page = await newPage(browser);
    try {
      const response = await page.goto(`${server.url}/connexion`, { waitUntil: 'load' });
      assert.equal(response.status(), 200);
      await screenshot(page, 'login-with-proconnect');
      await assertAccessible(page, '/connexion (with ProConnect)');

      const callback = await logInWithProvider(page, { serverUrl: server.url, issuer: provider.issuer, login: 'camille.officier' });
      assert.equal(callback.status(), 303, `the return from the provider redirects (got ${callback.status()} for ${callback.url()})`);
      assert.ok(page.url().startsWith(`${server.url}/`), `back on Passerelle: ${page.url()}`);
      assert.notEqual(new URL(page.url()).pathname, '/connexion/second-facteur', 'no second factor for an officer');
      assert.notEqual(new URL(page.url()).pathname, '/connexion');

      const header = await headerAccountText(page);
      assert.match(header ?? '', /— Gendarme ou policier$/, `the header shows the officer's role: ${header}`);

      // What Passerelle asked of the provider: code flow with PKCE (S256), state and nonce.
      const authorization = provider.authorizations.at(-1);
      assert.equal(authorization.response_type, 'code');
      assert.equal(authorization.code_challenge_method, 'S256');
      assert.ok(authorization.state && authorization.nonce, 'a state and a nonce are sent');
      assert.deepEqual(new Set(authorization.scope.split(' ')), new Set(['openid', 'email', 'given_name', 'usual_name', 'uid', 'siret']));
      assert.deepEqual(provider.tokenRequests.at(-1), { grantType: 'authorization_code', clientAuth: 'basic' });

      // The return address cannot be used twice.
      const replay = await page.goto(callback.url(), { waitUntil: 'load' });
      assert.equal(replay.status(), 400, 'a second use of the return address is refused');
      assert.match(await page.locator('main').innerText(), /La connexion par ProConnect n'a pas abouti/);
      await page.goto(`${server.url}/compte`, { waitUntil: 'load' });
      assert.equal(new URL(page.url()).pathname, '/compte', 'the refused replay leaves the session alone');
      await page.goto(`${server.url}/compte`, { waitUntil: 'load' });
      assert.equal(new URL(page.url()).pathname, '/compte');
      assert.match(await page.locator('main').innerText(), /officier@demo\.passerelle\.test/);
    } finally {
      await page.close();
    }

    const admin = await newPage(browser);
    try {
      await logInAndEnrol(admin, server.url, server.logins.admin);
      const response = await admin.goto(`${server.url}/journal/securite`, { waitUntil: 'load' });
      assert.equal(response.status(), 200);
      const journal = await admin.locator('main table').innerText();
      assert.match(journal, /Compte relié à ProConnect/, 'the security journal lists the link to the provider');
    } finally {
      await admin.close();
    }
  });

  test('an address unknown to Passerelle comes back to a 400 page', async () => {
    const page = await newPage(browser);
    try {
      const callback = await logInWithProvider(page, { serverUrl: server.url, issuer: provider.issuer, login: 'dominique.inconnu' });
      assert.equal(callback.status(), 400);
      const body = (await page.locator('main').innerText()).replace(/\s+/g, ' ');
      assert.match(body, /Aucun compte Passerelle actif n'est associé à l'adresse inconnu@exemple\.fr/);
      assert.equal(await headerAccountText(page), null, 'nobody is logged in');
      await screenshot(page, 'proconnect-unknown-address');
      await assertAccessible(page, `${CALLBACK_PATH} (unknown address)`);
    } finally {
      await page.close();
    }
  });
});
