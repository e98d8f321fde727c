// A real OpenID provider for the team's view (npm `oidc-provider`, a certified implementation),
// on loopback, with one client (the server) and two people: one the server lets in (by their
// group) and one it does not. Its own sign-in pages (dev interactions) take any password.
import { createServer } from 'node:http';
import { once } from 'node:events';
import { freePort } from './mail.mjs';

// oidc-provider warns once that it prefers Node.js 22; the tests run on Debian's Node.js 20.
const Provider = (await import('oidc-provider')).default;

/** The group the server admits (`--team-group`). */
export const TEAM_GROUP = 'incident-team';

/** The two people the provider knows. */
export const PEOPLE = {
  handler: { login: 'sam.handler', email: 'sam.handler@example.org', name: 'Sam Handler', groups: [TEAM_GROUP] },
  other: { login: 'pat.other', email: 'pat.other@example.org', name: 'Pat Other', groups: ['finance'] },
  second: { login: 'kim.second', email: 'kim.second@example.org', name: 'Kim Second', groups: [TEAM_GROUP] },
};

const CLIENT_ID = 'lost-device';
const CLIENT_SECRET = 'a-test-secret-that-is-long-enough-for-hs256-0123456789';

/**
 * Starts the provider for servers that will listen on `ports` (it must know where to send people
 * back). Returns `{ issuer, serverArgs(port), serverEnv, stop }`.
 */
export async function startIdentityProvider(ports) {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uris: ports.map((p) => `http://127.0.0.1:${p}/team/signed-in`),
      post_logout_redirect_uris: ports.map((p) => `http://127.0.0.1:${p}/team/signed-out`),
      grant_types: ['authorization_code'],
      response_types: ['code'],
    }],
    async findAccount(_ctx, id) {
      const person = Object.values(PEOPLE).find((p) => p.login === id);
      if (!person) return undefined;
      return {
        accountId: id,
        async claims() {
          return { sub: id, email: person.email, email_verified: true, name: person.name, groups: person.groups };
        },
      };
    },
    claims: { openid: ['sub', 'groups'], email: ['email', 'email_verified'], profile: ['name'] },
    // The ID token carries the claims (the server reads no userinfo).
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    // No consent screen: the organisation's own app.
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
    cookies: { keys: ['lost-device-tests-cookie-key'] },
  });
  const server = createServer(provider.callback());
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return {
    issuer,
    serverArgs: (serverPort) => [
      '--oidc-issuer', issuer,
      '--oidc-client-id', CLIENT_ID,
      '--public-url', `http://127.0.0.1:${serverPort}`,
      '--team-group', TEAM_GROUP,
    ],
    serverEnv: { LOST_DEVICE_OIDC_CLIENT_SECRET: CLIENT_SECRET },
    stop: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

/**
 * Signs `person` in at the provider's own sign-in page, where `page` has been sent by the
 * server, and waits to be back at `origin`.
 */
export async function signInAtProvider(page, person, origin) {
  await page.locator('input[name="login"]').fill(person.login);
  await page.locator('input[name="password"]').fill('any password');
  await page.locator('button[type="submit"]').click();
  await page.waitForURL((url) => url.origin === origin);
}
