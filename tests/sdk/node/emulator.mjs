// Shared helpers for the Node SDK suites. tests/sdk/run.sh starts the emulator and exports
// AUTH0_DOMAIN, EMULATOR_URL and the CA paths; every HTTPS call here relies on
// NODE_EXTRA_CA_CERTS being the emulator's CA and nothing else.
import assert from 'node:assert/strict';

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run these tests through tests/sdk/run.sh`);
  }
  return value;
}

export const DOMAIN = required('AUTH0_DOMAIN');
export const EMULATOR_URL = required('EMULATOR_URL');
export const CA_PATH = required('NODE_EXTRA_CA_CERTS');
/** What every Auth0 SDK derives from the domain: `https://DOMAIN/`, trailing slash. */
export const ISSUER = `https://${DOMAIN}/`;
export const API_AUDIENCE = 'https://api.example.test/';
export const DISCOVERY_URL = `${ISSUER}.well-known/openid-configuration`;
export const JWKS_URL = `${ISSUER}.well-known/jwks.json`;

/** POST a JSON body to a control-API path and return the parsed 200 reply. */
export async function control(path, body) {
  const res = await fetch(new URL(path, EMULATOR_URL), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  assert.equal(res.status, 200, `POST ${path} ${JSON.stringify(body)} answered ${res.status}: ${text}`);
  return JSON.parse(text);
}

/** Mint a token through `POST /__emulator/tokens`; returns `{token, kind, expires_in, claims}`. */
export function mint(request) {
  return control('/__emulator/tokens', request);
}

export async function getJson(url) {
  const res = await fetch(url);
  const text = await res.text();
  assert.equal(res.status, 200, `GET ${url} answered ${res.status}: ${text}`);
  return JSON.parse(text);
}

/** Decode a JWT's header and payload without verifying anything. */
export function decodeJwt(token) {
  const parts = token.split('.');
  assert.equal(parts.length, 3, `not a compact JWS: ${token}`);
  const [header, payload] = parts
    .slice(0, 2)
    .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')));
  return { header, payload };
}

export const nowSecs = () => Math.floor(Date.now() / 1000);
