// Faults seen through the official SDKs: node-auth0's ManagementClient retries through two
// injected 429s (the journal counts three calls) and surfaces the error when they keep coming;
// a Node HTTP client sees ECONNRESET for the reset fault.
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { ManagementClient, ManagementError } from 'auth0';
import { DOMAIN, EMULATOR_URL } from './emulator.mjs';

const TEST = { timeout: 60_000 };
const JANE = 'auth0|0123456789abcdef01234567';

async function control(method, path, body) {
  const res = await fetch(new URL(path, EMULATOR_URL), {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const count = async (query) => (await control('GET', `__emulator/requests/count?${query}`)).count;

afterEach(async () => {
  await control('DELETE', '__emulator/faults');
});

describe('node-auth0 ManagementClient against injected 429s', () => {
  it('retries through two rate-limited answers and succeeds on the third call', TEST, async () => {
    const mgmt = new ManagementClient({ domain: DOMAIN, clientId: 'm2m-client', clientSecret: 'm2m-client-secret', timeoutInSeconds: 10 });
    await mgmt.users.get(JANE); // fetches and caches the Management API token first
    await control('POST', '__emulator/faults', {
      id: 'users-get-429',
      match: { endpoint: 'mgmt.users.get' },
      action: { type: 'rate_limit', limit: 10, reset_after: '1s' },
      times: 2,
    });
    await control('DELETE', '__emulator/requests');
    const user = await mgmt.users.get(JANE);
    assert.equal(user.email, 'jane@example.com');
    assert.equal(await count('endpoint=mgmt.users.get'), 3);
    assert.equal(await count('endpoint=mgmt.users.get&status=429'), 2);
    assert.equal(await count('fault=users-get-429'), 2);
  });

  it('surfaces a 429 that outlasts its retries as the SDK error', TEST, async () => {
    const mgmt = new ManagementClient({ domain: DOMAIN, clientId: 'm2m-client', clientSecret: 'm2m-client-secret', timeoutInSeconds: 10, maxRetries: 2 });
    await mgmt.users.get(JANE);
    await control('POST', '__emulator/faults', 'endpoint=mgmt.users.get,rate_limit,limit=10,reset_after=1s');
    await control('DELETE', '__emulator/requests');
    await assert.rejects(mgmt.users.get(JANE), (err) => {
      assert.ok(err instanceof ManagementError, `${err}`);
      assert.equal(err.statusCode, 429);
      assert.equal(err.body.message, 'Global limit has been reached');
      assert.equal(err.body.errorCode, 'too_many_requests');
      return true;
    });
    assert.equal(await count('endpoint=mgmt.users.get'), 3, 'one call and two retries');
  });
});

describe('connection faults', () => {
  it('a reset fault is ECONNRESET for a Node HTTP client, then the next request is served', TEST, async () => {
    await control('POST', '__emulator/faults', { match: { endpoint: 'jwks' }, action: { type: 'reset' }, times: 1 });
    const get = () => new Promise((resolve, reject) => {
      const req = http.get(`http://${DOMAIN}/.well-known/jwks.json`, { timeout: 10_000 }, (res) => {
        let body = '';
        res.on('data', (c) => { body += c; });
        res.on('end', () => resolve({ status: res.statusCode, body }));
      });
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new Error('timeout')));
    });
    await assert.rejects(get(), (err) => {
      assert.equal(err.code, 'ECONNRESET');
      return true;
    });
    const ok = await get();
    assert.equal(ok.status, 200);
    assert.ok(JSON.parse(ok.body).keys.length > 0);
  });
});
