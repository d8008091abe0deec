// express-oauth2-jwt-bearer (and jwks-rsa) on the resource-server side: an Express API that
// trusts the emulator through discovery + JWKS and accepts tokens the emulator's /oauth/token
// issued (client credentials for m2m-client; the password grant for RBAC-scoped user tokens).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import express from 'express';
import { auth, requiredScopes, claimIncludes } from 'express-oauth2-jwt-bearer';
import jwksRsa from 'jwks-rsa';
import { importSPKI, jwtVerify } from 'jose';
import { API_AUDIENCE, JWKS_URL } from './emulator.mjs';
import {
  DB_CONNECTION,
  HTTP_TIMEOUT_MS,
  ISSUER,
  JANE,
  JOHN,
  M2M_CLIENT,
  PASSWORD,
  WEB_CLIENT,
  decodeJwt,
  tokenRequest,
} from './authn.mjs';

const TEST = { timeout: 30_000 };
let server;
let base;

async function clientCredentialsToken(params = {}) {
  const res = await tokenRequest({
    grant_type: 'client_credentials',
    client_id: M2M_CLIENT.id,
    client_secret: M2M_CLIENT.secret,
    audience: API_AUDIENCE,
    ...params,
  });
  assert.equal(res.status, 200, `POST /oauth/token client_credentials -> ${res.status}: ${res.text}`);
  return res.body.access_token;
}

/** A user access token for the API from the password-realm grant. */
async function userToken(email, scope) {
  const res = await tokenRequest({
    grant_type: 'http://auth0.com/oauth/grant-type/password-realm',
    client_id: WEB_CLIENT.id,
    client_secret: WEB_CLIENT.secret,
    username: email,
    password: PASSWORD,
    realm: DB_CONNECTION,
    audience: API_AUDIENCE,
    scope,
  });
  assert.equal(res.status, 200, `POST /oauth/token password-realm for ${email} -> ${res.status}: ${res.text}`);
  return res.body.access_token;
}

async function call(path, token) {
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  const res = await fetch(`${base}${path}`, { headers, signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
  return { status: res.status, body: await res.text(), wwwAuthenticate: res.headers.get('www-authenticate') };
}

before(async () => {
  const app = express();
  app.use(auth({ issuerBaseURL: ISSUER, audience: API_AUDIENCE, timeoutDuration: HTTP_TIMEOUT_MS }));
  app.get('/things', requiredScopes('read:things'), (req, res) => res.json({ sub: req.auth.payload.sub }));
  app.get('/things/write', requiredScopes('write:things'), (req, res) => res.json({ ok: true }));
  app.get('/things/delete', requiredScopes('delete:things'), (req, res) => res.json({ ok: true }));
  app.get('/things/permission', claimIncludes('permissions', 'write:things'), (req, res) => res.json({ ok: true }));
  app.use((err, req, res, _next) => {
    if (err.headers) res.set(err.headers);
    res.status(err.status ?? 500).json({ error: err.code ?? err.name, message: err.message });
  });
  server = await new Promise((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', (err) => (err ? reject(err) : resolve(s)));
  });
  base = `http://127.0.0.1:${server.address().port}`;
});

after(() => server?.close());

describe('express-oauth2-jwt-bearer: an API protected by the emulator', () => {
  it('200 for an m2m client-credentials token with read:things', TEST, async () => {
    const token = await clientCredentialsToken();
    const res = await call('/things', token);
    assert.equal(res.status, 200, res.body);
    assert.equal(JSON.parse(res.body).sub, `${M2M_CLIENT.id}@clients`);
    assert.equal((await call('/things/write', token)).status, 200);
  });

  it('401 without a token and for a garbage token', TEST, async () => {
    const none = await call('/things');
    assert.equal(none.status, 401);
    assert.match(none.wwwAuthenticate ?? '', /^Bearer/);
    const garbage = await call('/things', 'not.a.jwt');
    assert.equal(garbage.status, 401);
    assert.match(garbage.wwwAuthenticate ?? '', /invalid_token/);
  });

  it('403 insufficient_scope when the token lacks the required scope', TEST, async () => {
    const token = await clientCredentialsToken();
    const res = await call('/things/delete', token);
    assert.equal(res.status, 403, res.body);
    assert.match(res.wwwAuthenticate ?? '', /insufficient_scope/);
  });

  it('RBAC: a reader user gets read:things but not write:things; an admin gets both', TEST, async () => {
    const john = await userToken(JOHN.email, 'openid read:things write:things');
    const johnClaims = decodeJwt(john).payload;
    assert.deepEqual(johnClaims.permissions, ['read:things']);
    assert.equal((await call('/things', john)).status, 200);
    assert.equal((await call('/things/write', john)).status, 403, 'a reader must not get write:things');
    assert.equal((await call('/things/permission', john)).status, 401, 'claimIncludes fails without the permission');

    const jane = await userToken(JANE.email, 'openid read:things write:things');
    assert.equal((await call('/things', jane)).status, 200);
    assert.equal((await call('/things/write', jane)).status, 200);
    assert.equal((await call('/things/permission', jane)).status, 200);
  });
});

describe('jwks-rsa: the key an issued token names', () => {
  it('getSigningKey(kid) verifies a client-credentials token with jose', TEST, async () => {
    const token = await clientCredentialsToken();
    const { header } = decodeJwt(token);
    const key = await jwksRsa({ jwksUri: JWKS_URL, timeout: HTTP_TIMEOUT_MS }).getSigningKey(header.kid);
    const { payload } = await jwtVerify(token, await importSPKI(key.getPublicKey(), 'RS256'), {
      issuer: ISSUER,
      audience: API_AUDIENCE,
      algorithms: ['RS256'],
    });
    assert.equal(payload.gty, 'client-credentials');
  });
});
