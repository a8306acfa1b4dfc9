// A real OpenID Connect provider for the browser tests, on 127.0.0.1: the npm package
// `oidc-provider` (certified OpenID implementation), configured like ProConnect for agents:
// one confidential client (authorization code, client_secret_basic or _post, PKCE allowed),
// scopes openid email given_name usual_name uid siret with the claims of the same names,
// ID tokens signed with the package's development keys (RS256), userinfo as JSON.
//
// People log in through the package's development interactions: a login form (any password;
// the login name picks the account) then a consent page, both filled in by the tests.
//
//   const provider = await startProvider({ redirectUri, accounts: [{ login: 'alice', email: … }] });
//   … provider.issuer, provider.clientId, provider.clientSecret …
//   await provider.stop();

import crypto from 'node:crypto';
import http from 'node:http';
import Provider from 'oidc-provider';

const VERBOSE = Boolean(process.env.E2E_VERBOSE);

/** The claims each scope releases (ProConnect's, for agents). */
const CLAIMS = {
  openid: ['sub'],
  email: ['email', 'email_verified'],
  given_name: ['given_name'],
  usual_name: ['usual_name'],
  uid: ['uid'],
  siret: ['siret'],
};

/**
 * Starts the provider on 127.0.0.1 (a free port unless `port` is given).
 * accounts: [{ login, email, given_name?, usual_name?, uid?, siret? }]; the login is the
 * subject (`sub`) and what is typed in the provider's login form.
 * Resolves { issuer, clientId, clientSecret, stop(), provider, authorizations, tokenRequests }:
 * provider is the oidc-provider instance (for its events); authorizations lists the
 * parameters of each successful authorization request and tokenRequests how each token
 * request authenticated its client (`basic` or `post`), for the tests to check.
 */
export async function startProvider({ redirectUri, accounts = [], port = 0, clientId = 'passerelle-e2e' }) {
  if (!redirectUri) throw new Error('startProvider: redirectUri is required');
  const byLogin = new Map(accounts.map((a) => [a.login, a]));
  const clientSecret = crypto.randomBytes(24).toString('base64url');

  // Listen first: the issuer names the port.
  const server = http.createServer();
  const sockets = new Set();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const issuer = `http://127.0.0.1:${server.address().port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        client_name: 'Passerelle (tests)',
        redirect_uris: [redirectUri],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    // Both confidential methods are accepted; the client above is registered with _basic
    // (the default of the Rust openidconnect crate).
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    scopes: Object.keys(CLAIMS),
    claims: CLAIMS,
    // PKCE is accepted (S256) and not demanded of this confidential client.
    pkce: { required: () => false },
    features: { devInteractions: { enabled: true }, userinfo: { enabled: true } },
    cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
    // Explicit lifetimes (seconds), which also spares the package's notices about its defaults.
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    async findAccount(_ctx, sub) {
      const account = byLogin.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        async claims() {
          return {
            sub,
            email: account.email,
            email_verified: true,
            given_name: account.given_name ?? 'Camille',
            usual_name: account.usual_name ?? 'Martin',
            uid: account.uid ?? sub,
            siret: account.siret ?? '13002526500013',
          };
        },
      };
    },
  });
  const authorizations = [];
  const tokenRequests = [];
  provider.on('authorization.success', (ctx) => authorizations.push({ ...ctx.oidc.params }));
  provider.on('grant.success', (ctx) => {
    const basic = /^Basic /i.test(ctx.headers.authorization ?? '');
    tokenRequests.push({ grantType: ctx.oidc.params?.grant_type, clientAuth: basic ? 'basic' : 'post' });
  });
  if (VERBOSE) {
    for (const event of ['server_error', 'authorization.error', 'grant.error', 'userinfo.error', 'introspection.error']) {
      provider.on(event, (...args) => process.stderr.write(`[oidc-provider ${event}] ${args.map((a) => a?.stack ?? a?.message ?? String(a)).join(' ')}\n`));
    }
  }
  server.on('request', provider.callback());

  const stop = () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });

  return { issuer, clientId, clientSecret, stop, provider, authorizations, tokenRequests };
}
