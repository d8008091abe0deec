// Discovery, JWKS and control-API tokens as Node resource servers see them: global fetch,
// jwks-rsa and jose, all over HTTPS trusting only the emulator's CA.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createHash } from 'node:crypto';
import { createRemoteJWKSet, errors, importSPKI, jwtVerify } from 'jose';
import jwksRsa from 'jwks-rsa';
import {
  API_AUDIENCE,
  DISCOVERY_URL,
  DOMAIN,
  EMULATOR_URL,
  ISSUER,
  JWKS_URL,
  control,
  decodeJwt,
  getJson,
  mint,
  nowSecs,
} from './emulator.mjs';

const M2M_CLIENT = 'm2m-client';
const SPA_CLIENT = 'spa-client';
const USER_SUB = 'auth0|sdk-suite-user';
const remoteJwks = createRemoteJWKSet(new URL(JWKS_URL));

function accessTokenRequest(overrides = {}) {
  return {
    kind: 'access',
    sub: `${M2M_CLIENT}@clients`,
    client_id: M2M_CLIENT,
    audience: API_AUDIENCE,
    scope: 'read:things write:things',
    expires_in: 300,
    ...overrides,
  };
}

async function jwksKeys() {
  const jwks = await getJson(JWKS_URL);
  assert.ok(Array.isArray(jwks.keys) && jwks.keys.length > 0, `JWKS has no keys: ${JSON.stringify(jwks)}`);
  return jwks.keys;
}

describe('discovery', () => {
  it('publishes issuer https://DOMAIN/ and a jwks_uri on the same origin, over HTTPS', async () => {
    const doc = await getJson(DISCOVERY_URL);
    assert.equal(doc.issuer, `https://${DOMAIN}/`);
    assert.equal(EMULATOR_URL, doc.issuer, 'the ready line url and the issuer differ');
    assert.equal(new URL(doc.jwks_uri).origin, new URL(doc.issuer).origin);
    assert.equal(doc.jwks_uri, JWKS_URL);
    assert.ok(
      doc.id_token_signing_alg_values_supported?.includes('RS256'),
      `id_token_signing_alg_values_supported lacks RS256: ${JSON.stringify(doc.id_token_signing_alg_values_supported)}`,
    );
  });

  it('serves plain HTTP on the same port, still naming the https issuer', async () => {
    const res = await fetch(`http://${DOMAIN}/.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    const doc = await res.json();
    assert.equal(doc.issuer, ISSUER);
  });

  it('reports health through the control API', async () => {
    const health = await getJson(new URL('/__emulator/health', EMULATOR_URL));
    assert.equal(health.status, 'ok');
  });
});

describe('JWKS', () => {
  it('lists RS256 signing keys with kid, n, e, x5c and x5t', async () => {
    const keys = await jwksKeys();
    const kids = new Set();
    for (const key of keys) {
      assert.equal(key.kty, 'RSA');
      assert.equal(key.alg, 'RS256');
      assert.equal(key.use, 'sig');
      assert.equal(typeof key.kid, 'string');
      assert.ok(key.kid.length > 0, 'empty kid');
      assert.ok(!kids.has(key.kid), `duplicate kid ${key.kid}`);
      kids.add(key.kid);
      assert.match(key.n, /^[A-Za-z0-9_-]+$/, 'n is not base64url');
      assert.equal(key.e, 'AQAB');
      assert.equal(Buffer.from(key.n, 'base64url').length, 256, 'n is not a 2048-bit modulus');
      assert.ok(Array.isArray(key.x5c) && key.x5c.length >= 1, 'x5c missing');
      assert.equal(typeof key.x5t, 'string');
    }
  });

  it('x5c[0] is a certificate for the same public key as n/e, and x5t is its SHA-1 thumbprint', async () => {
    for (const key of await jwksKeys()) {
      const der = Buffer.from(key.x5c[0], 'base64'); // x5c is standard base64, not base64url
      const cert = new X509Certificate(der);
      const certJwk = cert.publicKey.export({ format: 'jwk' });
      assert.equal(certJwk.kty, 'RSA');
      assert.equal(certJwk.n, key.n, `x5c[0] of ${key.kid} holds a different modulus`);
      assert.equal(certJwk.e, key.e, `x5c[0] of ${key.kid} holds a different exponent`);
      assert.ok(cert.verify(cert.publicKey), 'x5c[0] is not self-signed by its own key');
      const now = Date.now();
      assert.ok(new Date(cert.validFrom).getTime() <= now && now <= new Date(cert.validTo).getTime(),
        `x5c[0] is not valid now (${cert.validFrom} .. ${cert.validTo})`);
      assert.equal(key.x5t, createHash('sha1').update(der).digest('base64url'));
    }
  });
});

describe('access tokens minted through the control API', () => {
  it('verify with jwks-rsa getSigningKey(kid)', async () => {
    const minted = await mint(accessTokenRequest());
    const { header } = decodeJwt(minted.token);
    const client = jwksRsa({ jwksUri: JWKS_URL });
    const signingKey = await client.getSigningKey(header.kid);
    assert.equal(signingKey.kid, header.kid);
    assert.equal(signingKey.alg, 'RS256');
    const publicKey = await importSPKI(signingKey.getPublicKey(), 'RS256');
    const { payload } = await jwtVerify(minted.token, publicKey, {
      issuer: ISSUER,
      audience: API_AUDIENCE,
      algorithms: ['RS256'],
    });
    assert.equal(payload.sub, `${M2M_CLIENT}@clients`);
  });

  it('jwks-rsa does not find a kid the tenant never published', async () => {
    const client = jwksRsa({ jwksUri: JWKS_URL });
    await assert.rejects(client.getSigningKey('no-such-kid'), (err) => {
      assert.equal(err.name, 'SigningKeyNotFoundError');
      return true;
    });
  });

  it('verify with jose createRemoteJWKSet + jwtVerify and carry the requested claims', async () => {
    const before = nowSecs();
    const minted = await mint(accessTokenRequest({ claims: { 'https://example.test/plan': 'gold' } }));
    assert.equal(minted.kind, 'access');
    assert.equal(minted.expires_in, 300);

    const { payload, protectedHeader } = await jwtVerify(minted.token, remoteJwks, {
      issuer: ISSUER,
      audience: API_AUDIENCE,
      algorithms: ['RS256'],
    });
    assert.equal(protectedHeader.alg, 'RS256');
    assert.ok(['JWT', 'at+jwt'].includes(protectedHeader.typ), `typ is ${protectedHeader.typ}`);
    const kids = (await jwksKeys()).map((k) => k.kid);
    assert.ok(kids.includes(protectedHeader.kid), `kid ${protectedHeader.kid} is not in the JWKS`);

    assert.equal(payload.iss, ISSUER);
    assert.equal(payload.sub, `${M2M_CLIENT}@clients`);
    assert.equal(payload.aud, API_AUDIENCE);
    assert.equal(payload.azp, M2M_CLIENT);
    assert.equal(payload.scope, 'read:things write:things');
    assert.equal(payload['https://example.test/plan'], 'gold');
    assert.ok(Number.isInteger(payload.iat) && Number.isInteger(payload.exp), 'iat/exp must be integers');
    assert.ok(payload.iat >= before - 5 && payload.iat <= nowSecs() + 1, `iat ${payload.iat} is not now`);
    assert.equal(payload.exp - payload.iat, 300);
    assert.deepEqual(minted.claims, payload, 'the reply\'s claims differ from the token\'s');
  });

  it('keep an audience array as an array, accepted for each of its members', async () => {
    const audiences = [API_AUDIENCE, `${ISSUER}userinfo`];
    const minted = await mint(accessTokenRequest({ audience: audiences, scope: 'openid profile' }));
    for (const audience of audiences) {
      const { payload } = await jwtVerify(minted.token, remoteJwks, { issuer: ISSUER, audience });
      assert.deepEqual(payload.aud, audiences);
    }
  });

  it('are rejected for another audience', async () => {
    const minted = await mint(accessTokenRequest());
    await assert.rejects(
      jwtVerify(minted.token, remoteJwks, { issuer: ISSUER, audience: 'https://other.example.test/' }),
      (err) => {
        assert.ok(err instanceof errors.JWTClaimValidationFailed, `${err.name}: ${err.message}`);
        assert.equal(err.claim, 'aud');
        return true;
      },
    );
  });

  it('are rejected with jose\'s expiry error when minted already expired', async () => {
    const minted = await mint(accessTokenRequest({ expires_in: -60 }));
    const { payload } = decodeJwt(minted.token);
    assert.ok(payload.exp <= nowSecs() - 55, `exp ${payload.exp} is not a minute in the past`);
    await assert.rejects(
      jwtVerify(minted.token, remoteJwks, { issuer: ISSUER, audience: API_AUDIENCE }),
      (err) => {
        assert.ok(err instanceof errors.JWTExpired, `${err.name}: ${err.message}`);
        assert.equal(err.code, 'ERR_JWT_EXPIRED');
        return true;
      },
    );
  });

  it('are rejected with a signature error when signed by a foreign key under the tenant\'s kid', async () => {
    const minted = await mint(accessTokenRequest({ signing: 'foreign' }));
    const { header } = decodeJwt(minted.token);
    const kids = (await jwksKeys()).map((k) => k.kid);
    assert.ok(kids.includes(header.kid), `foreign token kid ${header.kid} is not the tenant's (${kids})`);
    await assert.rejects(
      jwtVerify(minted.token, remoteJwks, { issuer: ISSUER, audience: API_AUDIENCE }),
      (err) => {
        assert.ok(err instanceof errors.JWSSignatureVerificationFailed, `${err.name}: ${err.message}`);
        return true;
      },
    );
  });
});

describe('ID tokens minted through the control API', () => {
  it('have aud = client_id, integer times and no nonce, and verify against the JWKS', async () => {
    const minted = await mint({ kind: 'id', sub: USER_SUB, client_id: SPA_CLIENT, expires_in: 600 });
    assert.equal(minted.kind, 'id');
    const { payload } = await jwtVerify(minted.token, remoteJwks, {
      issuer: ISSUER,
      audience: SPA_CLIENT,
      algorithms: ['RS256'],
    });
    assert.equal(payload.aud, SPA_CLIENT);
    assert.equal(payload.sub, USER_SUB);
    assert.ok(Number.isInteger(payload.iat) && Number.isInteger(payload.exp), 'iat/exp must be integers');
    assert.equal(payload.exp - payload.iat, 600);
    assert.ok(!('nonce' in payload), `unexpected nonce ${payload.nonce}`);
  });
});

describe('virtual clock', () => {
  after(() => control('/__emulator/clock', { reset: true }));

  it('freezes, advances and resets the time tokens are stamped with', async () => {
    await control('/__emulator/clock', { freeze: true });
    const first = decodeJwt((await mint(accessTokenRequest())).token).payload;
    const second = decodeJwt((await mint(accessTokenRequest())).token).payload;
    assert.equal(second.iat, first.iat, 'a frozen clock moved');

    await control('/__emulator/clock', { advance: '1h' });
    const later = decodeJwt((await mint(accessTokenRequest())).token).payload;
    assert.equal(later.iat - first.iat, 3600);

    await control('/__emulator/clock', { reset: true });
    const now = nowSecs();
    const afterReset = decodeJwt((await mint(accessTokenRequest())).token).payload;
    assert.ok(Math.abs(afterReset.iat - now) <= 5, `iat ${afterReset.iat} is not wall time ${now} after reset`);
  });
});
