// A real OpenID provider for the team's view (npm `oidc-provider`, a certified implementation),
// on loopback, with one client (the server) and two people: one the server lets in (by their
// group) and one it does not. Its own sign-in pages (dev interactions) take any password.
import { createServer } from 'node:http';
import { once } from 'node:events';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
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
  // In the group, but the provider does not say their address is verified (no `email_verified`).
  unverified: { login: 'lee.unverified', email: 'lee.unverified@example.org', name: 'Lee Unverified', groups: [TEAM_GROUP], unverified: true },
};

const CLIENT_ID = 'lost-device';
const CLIENT_SECRET = 'a-test-secret-that-is-long-enough-for-hs256-0123456789';

/** A new RSA signing key, as a private JWK with its own key id. */
function signingKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' };
}

/**
 * Starts the provider for servers that will listen on `ports` (it must know where to send people
 * back). Returns `{ issuer, serverArgs(port), serverEnv, rotateKeys(), stop }`: `rotateKeys`
 * restarts it at the same address signing with a new key, the old one still published after it
 * (as a provider rotating its keys does); its sessions are gone, so people sign in there again.
 */
export async function startIdentityProvider(ports) {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  let keys = [signingKey()];
  let server = await listen(issuer, port, ports, keys);
  return {
    issuer,
    serverArgs: (serverPort) => [
      '--oidc-issuer', issuer,
      '--oidc-client-id', CLIENT_ID,
      '--public-url', `http://127.0.0.1:${serverPort}`,
      '--team-group', TEAM_GROUP,
    ],
    serverEnv: { LOST_DEVICE_OIDC_CLIENT_SECRET: CLIENT_SECRET },
    rotateKeys: async () => {
      await close(server);
      keys = [signingKey(), ...keys];
      server = await listen(issuer, port, ports, keys);
      return keys[0].kid;
    },
    stop: () => close(server),
  };
}

function close(server) {
  return new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); });
}

/** The provider at `issuer`, signing with the first of `keys`, listening on `port`. */
async function listen(issuer, port, ports, keys) {
  const provider = new Provider(issuer, {
    jwks: { keys },
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
          const verified = person.unverified ? {} : { email_verified: true };
          return { sub: id, email: person.email, ...verified, name: person.name, groups: person.groups };
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
  return server;
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
