// Smoke test of the container image, run by tests/image/run.sh against the emulator running in
// a container: published on localhost:<port>, the default tenant from a mounted /seed folder plus
// one extra mounted seed file, trusted through the CA fetched from the container
// (NODE_EXTRA_CA_CERTS). It proves the image serves what SDK users need: node-auth0 client
// credentials and Management API writes, and tokens that verify against the published JWKS.
//
// The SDKs are the ones tests/sdk/node installs (npm ci there), resolved from that folder.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';

const sdkRequire = createRequire(new URL('../sdk/node/package.json', import.meta.url));
const { ManagementClient } = sdkRequire('auth0');
const { AuthenticationClient } = sdkRequire('auth0/legacy');
const { createRemoteJWKSet, jwtVerify } = await import(pathToFileURL(sdkRequire.resolve('jose')).href);

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run this test through tests/image/run.sh`);
  }
  return value;
}

const DOMAIN = required('AUTH0_DOMAIN');
required('NODE_EXTRA_CA_CERTS');
const ISSUER = `https://${DOMAIN}/`;
const API_AUDIENCE = 'https://api.example.test/';
const M2M = { clientId: 'm2m-client', clientSecret: 'm2m-client-secret' };
const MOUNTED_USER = 'auth0|0000000000000000000000a1';
const TEST = { timeout: 30_000 };

const mgmt = new ManagementClient({ domain: DOMAIN, ...M2M, timeoutInSeconds: 10, maxRetries: 0 });
const jwks = createRemoteJWKSet(new URL(`${ISSUER}.well-known/jwks.json`));

describe('auth0-emulator container image', () => {
  it('serves discovery over HTTPS with the issuer of the published domain', TEST, async () => {
    const res = await fetch(`${ISSUER}.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    const discovery = await res.json();
    assert.equal(discovery.issuer, ISSUER);
    assert.equal(discovery.jwks_uri, `${ISSUER}.well-known/jwks.json`);
  });

  it('loads the seed file mounted into the container', TEST, async () => {
    const user = await mgmt.users.get(MOUNTED_USER);
    assert.equal(user.email, 'mounted@example.com');
    assert.deepEqual(user.user_metadata, { seeded_from: '/seed-extra' });
    assert.deepEqual(user.app_metadata, { plan: 'image-test' });
  });

  it('creates a user with metadata through node-auth0 and reads it back', TEST, async () => {
    const email = `image-${randomBytes(4).toString('hex')}@example.com`;
    const created = await mgmt.users.create({
      connection: 'Username-Password-Authentication',
      email,
      password: 'Image-Smoke-Passw0rd!',
      user_metadata: { theme: 'dark', nested: { level: 1 } },
      app_metadata: { plan: 'trial' },
    });
    assert.match(created.user_id, /^auth0\|[0-9a-f]{24}$/);
    const fetched = await mgmt.users.get(created.user_id);
    assert.equal(fetched.email, email);
    assert.deepEqual(fetched.user_metadata, { theme: 'dark', nested: { level: 1 } });
    assert.deepEqual(fetched.app_metadata, { plan: 'trial' });
  });

  it('issues client-credentials access tokens that verify against the JWKS', TEST, async () => {
    const auth = new AuthenticationClient({ domain: DOMAIN, ...M2M });
    const { data } = await auth.oauth.clientCredentialsGrant({ audience: API_AUDIENCE });
    assert.equal(data.token_type, 'Bearer');
    const { payload, protectedHeader } = await jwtVerify(data.access_token, jwks, {
      issuer: ISSUER,
      audience: API_AUDIENCE,
      algorithms: ['RS256'],
    });
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(payload.sub, 'm2m-client@clients');
    assert.equal(payload.azp, 'm2m-client');
    assert.equal(payload.gty, 'client-credentials');
    assert.deepEqual(payload.scope.split(' ').sort(), ['read:things', 'write:things']);
  });

  it('runs custom database HTTP hooks (the image has no Node.js, so JavaScript scripts say so)', TEST, async () => {
    const auth = new AuthenticationClient({ domain: DOMAIN, clientId: 'web-client', clientSecret: 'web-client-secret' });
    const login = (realm) => auth.oauth.passwordGrant({ username: 'hook@example.com', password: 'x', realm });
    // hook-db's login hook is the emulator's own health URL, which only answers GET: the 405
    // proves the hook's HTTP round trip works from inside the scratch image.
    await assert.rejects(login('hook-db'), (err) => {
      assert.equal(err.statusCode, 500);
      assert.equal(err.error_description, 'the login hook answered 405 Method Not Allowed');
      return true;
    });
    await assert.rejects(login('js-db'), (err) => {
      assert.equal(err.statusCode, 500);
      assert.match(err.error_description, /need Node\.js/);
      return true;
    });
  });
});
