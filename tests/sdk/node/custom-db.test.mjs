// A custom database connection, end to end through node-auth0: the Management API (auth0@7
// ManagementClient) creates a connection whose Auth0 action scripts (tests/fixtures/custom-db/
// scripts) read a JSON legacy store; the legacy AuthenticationClient (auth0/legacy) logs a legacy
// user in with password-realm; the Management API then shows the profile the login script
// returned, its `metadata` as app_metadata.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ManagementClient } from 'auth0';
import { AuthenticationClient } from 'auth0/legacy';
import { DOMAIN, EMULATOR_URL, decodeJwt } from './emulator.mjs';

const TEST = { timeout: 30_000 };
const FIXTURES = new URL('../../fixtures/custom-db/', import.meta.url);
const WEB = { id: 'web-client', secret: 'web-client-secret' };
const ANA = { email: 'ana@legacy.example', password: 'Legacy-Passw0rd!', user_id: 'auth0|1001' };

const mgmt = new ManagementClient({ domain: DOMAIN, clientId: 'm2m-client', clientSecret: 'm2m-client-secret', maxRetries: 0 });
const auth = new AuthenticationClient({ domain: DOMAIN, clientId: WEB.id, clientSecret: WEB.secret });

function script(action) {
  return readFileSync(new URL(`scripts/${action}.js`, FIXTURES), 'utf8');
}

/** A custom database over a private copy of the fixture store; returns its name. */
async function createConnection(importMode) {
  const dir = mkdtempSync(join(tmpdir(), 'auth0-emulator-custom-db-'));
  const storePath = join(dir, 'store.json');
  copyFileSync(new URL('store.json', FIXTURES), storePath);
  const name = `sdk-legacy-${randomBytes(4).toString('hex')}`;
  await mgmt.connections.create({
    name,
    strategy: 'auth0',
    enabled_clients: [WEB.id],
    options: {
      enabledDatabaseCustomization: true,
      import_mode: importMode,
      configuration: { store_path: storePath },
      customScripts: { login: script('login'), get_user: script('get_user') },
    },
  });
  return name;
}

/** The script calls the emulator's request journal recorded for token requests. */
async function loginScriptCalls(connection) {
  const res = await fetch(new URL('/__emulator/requests?endpoint=token', EMULATOR_URL));
  const { requests } = await res.json();
  return requests.flatMap((r) => r.scripts ?? []).filter((c) => c.connection === connection && c.action === 'login');
}

describe('node-auth0 against a custom database connection', () => {
  let legacy;
  before(async () => {
    legacy = await createConnection(false);
  });

  it('logs a legacy user in with password-realm; the Management API shows metadata as app_metadata', TEST, async () => {
    const login = await auth.oauth.passwordGrant({ username: ANA.email, password: ANA.password, realm: legacy, scope: 'openid profile email' });
    assert.equal(login.status, 200);
    const idToken = decodeJwt(login.data.id_token).payload;
    assert.equal(idToken.sub, ANA.user_id);
    assert.equal(idToken.email, ANA.email);

    const user = await mgmt.users.get(ANA.user_id);
    assert.deepEqual(user.app_metadata, { plan: 'full', tier: 'silver' }, 'metadata → app_metadata, app_metadata winning on tier');
    assert.deepEqual(user.user_metadata, { hobby: 'surfing' });
    assert.deepEqual(user.identities, [{ connection: legacy, user_id: '1001', provider: 'auth0', isSocial: false }]);
  });

  it("surfaces the script's WrongUsernameOrPasswordError as invalid_grant", TEST, async () => {
    await assert.rejects(
      auth.oauth.passwordGrant({ username: ANA.email, password: 'not-it', realm: legacy }),
      (err) => err.error === 'invalid_grant' && err.error_description === 'Wrong email or password.',
    );
  });

  it('in import mode migrates on the first login and logs in without the script afterwards', TEST, async () => {
    const migrating = await createConnection(true);
    for (let i = 0; i < 2; i++) {
      const login = await auth.oauth.passwordGrant({ username: 'bo@legacy.example', password: ANA.password, realm: migrating });
      assert.equal(login.status, 200);
    }
    assert.equal((await loginScriptCalls(migrating)).length, 1, 'only the first login ran the script');
    const bo = await mgmt.users.get('auth0|1002');
    assert.deepEqual([bo.email, bo.identities[0].connection, bo.app_metadata, bo.logins_count], ['bo@legacy.example', migrating, { plan: 'basic' }, 2]);
  });
});
