// node-auth0 7 bulk import: a file of users with bcrypt password hashes goes through
// jobs.usersImports.create, the job completes with its summary, and an imported user logs in
// with the original password (password-realm grant).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ManagementClient } from 'auth0';
import { DOMAIN, ISSUER } from './emulator.mjs';

const TEST = { timeout: 30_000 };
const CONNECTION_ID = 'con_UsernamePwdAuth0'; // pinned in seed-data/tenant.json
// Auth0's documented example: bcrypt (cost 10) of "hello".
const HELLO_BCRYPT = '$2b$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K';

const mgmt = new ManagementClient({ domain: DOMAIN, clientId: 'm2m-client', clientSecret: 'm2m-client-secret', timeoutInSeconds: 10, maxRetries: 0 });

describe('node-auth0 bulk import', () => {
  it('imports bcrypt users that then log in with their original password', TEST, async () => {
    const email = `import-${randomBytes(4).toString('hex')}@example.com`;
    const file = join(mkdtempSync(join(tmpdir(), 'import-')), 'users.json');
    writeFileSync(file, JSON.stringify([
      { email, email_verified: true, password_hash: HELLO_BCRYPT, user_metadata: { source: 'import' } },
      { email: 'not-an-email' },
    ]));
    const job = await mgmt.jobs.usersImports.create({ users: createReadStream(file), connection_id: CONNECTION_ID });
    assert.equal(job.type, 'users_import');
    assert.match(job.id, /^job_[A-Za-z0-9]{16}$/);
    const done = await mgmt.jobs.get(job.id);
    assert.equal(done.status, 'completed');
    assert.deepEqual(done.summary, { failed: 1, updated: 0, inserted: 1, total: 2 });
    const errors = await mgmt.jobs.errors.get(job.id);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].user.email, 'not-an-email');

    const res = await fetch(`${ISSUER}oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'http://auth0.com/oauth/grant-type/password-realm', client_id: 'web-client', client_secret: 'web-client-secret',
        username: email, password: 'hello', realm: 'Username-Password-Authentication', scope: 'openid' }),
      signal: AbortSignal.timeout(10_000),
    });
    assert.equal(res.status, 200, await res.clone().text());
    const [user] = await mgmt.users.listUsersByEmail({ email });
    assert.deepEqual(user.user_metadata, { source: 'import' });
    assert.equal(user.logins_count, 1);
    await mgmt.users.delete(user.user_id);
  });
});
