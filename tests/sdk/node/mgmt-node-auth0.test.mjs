// node-auth0 7 (`auth0@7.1.0`) ManagementClient against the Management API v2 users endpoints:
// create, get, update (metadata merge rules), list with a v3 query and with paging, users-by-email,
// delete, and the error classes the SDK maps Auth0's error bodies to (ConflictError, NotFoundError,
// ForbiddenError, BadRequestError). The client gets its own token by client credentials for
// https://DOMAIN/api/v2/, exactly as it would against a real tenant.
//
// Every HTTP exchange the SDK makes goes through a recording `fetch`; a failing test prints them,
// so the failure names the exact request, and the status and body the emulator answered
// (MGMT_SDK_TRACE=1 prints them all).
//
// The seeded users are only read, never changed: other suites log Jane in and check her metadata.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Management, ManagementClient, ManagementError } from 'auth0';
import { DOMAIN, EMULATOR_URL } from './emulator.mjs';

const TEST = { timeout: 30_000 };
const HTTP_TIMEOUT_MS = 10_000;
const MGMT_AUDIENCE = `https://${DOMAIN}/api/v2/`;
const DB = 'Username-Password-Authentication';
const PASSWORD = 'Sdk-Mgmt-Passw0rd!';
const SEEDED = {
  jane: {
    user_id: 'auth0|0123456789abcdef01234567',
    email: 'jane@example.com',
    user_metadata: { hobby: 'surfing', theme: 'dark' },
    app_metadata: { plan: 'full' },
  },
  john: { user_id: 'auth0|0123456789abcdef01234568', email: 'john@example.com' },
  blocked: { user_id: 'auth0|0123456789abcdef01234569', email: 'blocked@example.com' },
};
// Auth0 timestamps: ISO-8601 UTC with milliseconds, e.g. 2023-01-25T19:00:26.187Z.
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
// Every scope that PATCH /api/v2/users/{id} accepts (any of).
const PATCH_USER_SCOPES = new Set([
  'update:users',
  'update:users_app_metadata',
  'update:current_user_metadata',
  'create:current_user_metadata',
]);

// --- recording fetch ------------------------------------------------------------------------

const exchanges = [];

/** The SDK's `fetch` option (used for the token request and every API call); logs each exchange. */
async function recordingFetch(input, init = {}) {
  const entry = {
    method: init.method ?? 'GET',
    url: String(input instanceof Request ? input.url : input),
    requestBody: typeof init.body === 'string' ? init.body : init.body?.toString?.(),
  };
  exchanges.push(entry);
  try {
    const res = await fetch(input, init);
    entry.status = res.status;
    entry.responseBody = await res.clone().text();
    return res;
  } catch (err) {
    entry.error = String(err?.cause ?? err);
    throw err;
  }
}

function formatExchanges(from) {
  const lines = exchanges.slice(from).map((e, i) => {
    const body = e.requestBody ? ` ${truncate(e.requestBody)}` : '';
    const answer = e.error ? `failed: ${e.error}` : `${e.status} ${truncate(e.responseBody ?? '')}`;
    return `  ${i + 1}. ${e.method} ${e.url}${body}\n     -> ${answer}`;
  });
  return lines.length ? lines.join('\n') : '  (none)';
}

function truncate(text, max = 1500) {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

/** `it` that appends the SDK's HTTP exchanges to the failure message. */
function sdkIt(name, fn) {
  it(name, TEST, async () => {
    const from = exchanges.length;
    try {
      await fn();
    } catch (err) {
      const trail = `\n--- HTTP exchanges the SDK made in this test:\n${formatExchanges(from)}`;
      try {
        err.message += trail;
        // Reporters print the stack, which was rendered when the error was made.
        if (typeof err.stack === 'string' && !err.stack.includes(trail)) err.stack += trail;
      } catch {
        throw new Error(`${err}${trail}`, { cause: err });
      }
      throw err;
    }
  });
}

// --- clients and helpers --------------------------------------------------------------------

const clientOptions = { domain: DOMAIN, fetch: recordingFetch, timeoutInSeconds: HTTP_TIMEOUT_MS / 1000, maxRetries: 0 };
const mgmt = new ManagementClient({ ...clientOptions, clientId: 'm2m-client', clientSecret: 'm2m-client-secret' });

/** Mint an access token through the control API (not Auth0's; the emulator's own). */
async function mintToken(request) {
  const res = await fetch(new URL('/__emulator/tokens', EMULATOR_URL), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
    signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
  });
  const text = await res.text();
  assert.equal(res.status, 200, `POST /__emulator/tokens ${JSON.stringify(request)} answered ${res.status}: ${text}`);
  return JSON.parse(text).token;
}

const created = new Set();

function uniqueEmail(tag) {
  return `sdk-mgmt-node-${tag}-${randomBytes(6).toString('hex')}@example.com`;
}

/** POST /api/v2/users in the database connection; remembers the user for clean-up. */
async function createUser(tag, extra = {}) {
  const user = await mgmt.users.create({ connection: DB, email: uniqueEmail(tag), password: PASSWORD, ...extra });
  created.add(user.user_id);
  return user;
}

/** Awaits a rejection and returns the error; fails if the promise resolves. */
async function rejection(promise) {
  let value;
  try {
    value = await promise;
  } catch (err) {
    return err;
  }
  assert.fail(`expected the SDK to throw, it resolved with ${JSON.stringify(value)}`);
}

/** Checks the SDK error class, its statusCode and the Management API error body. */
function assertManagementError(err, ErrorClass, expectedBody) {
  assert.ok(
    err instanceof ErrorClass,
    `expected ${ErrorClass.name}, got ${err?.constructor?.name}: ${err?.message ?? err}`,
  );
  assert.ok(err instanceof ManagementError);
  assert.equal(err.statusCode, expectedBody.statusCode);
  for (const [key, value] of Object.entries(expectedBody)) {
    assert.deepEqual(err.body?.[key], value, `error body .${key}: ${JSON.stringify(err.body)}`);
  }
}

after(async () => {
  for (const id of created) {
    await mgmt.users.delete(id, { timeoutInSeconds: 3 }).catch(() => {});
  }
  // MGMT_SDK_TRACE=1 prints every exchange, passing tests included.
  if (process.env.MGMT_SDK_TRACE) console.log(formatExchanges(0));
}, { timeout: 60_000 });

// --- tests ----------------------------------------------------------------------------------

describe('node-auth0 ManagementClient: users.create', () => {
  sdkIt('answers 201 with Auth0\'s user object: auth0| id, identities, lowercased email, ISO timestamps, both metadata', async () => {
    const mixedCase = `Sdk-Mgmt-Node-Create-${randomBytes(6).toString('hex')}@Example.COM`;
    const lower = mixedCase.toLowerCase();
    const { data: user, rawResponse } = await mgmt.users
      .create({
        connection: DB,
        email: mixedCase,
        password: PASSWORD,
        user_metadata: { hobby: 'surfing', prefs: { lang: 'en' } },
        app_metadata: { plan: 'trial', roles: ['a', 'b'] },
      })
      .withRawResponse();
    created.add(user.user_id);

    assert.equal(rawResponse.status, 201);
    assert.match(rawResponse.headers.get('content-type') ?? '', /^application\/json/);
    assert.match(user.user_id, /^auth0\|[0-9a-f]{24}$/);
    const bareId = user.user_id.slice('auth0|'.length);
    assert.deepEqual(user.identities, [{ connection: DB, user_id: bareId, provider: 'auth0', isSocial: false }]);
    assert.equal(user.email, lower);
    assert.equal(user.email_verified, false);
    assert.equal(user.name, lower, 'name defaults to the email');
    assert.equal(user.nickname, lower.split('@')[0], 'nickname defaults to the local part');
    assert.equal(typeof user.picture, 'string');
    assert.match(user.created_at, ISO_MS);
    assert.match(user.updated_at, ISO_MS);
    assert.ok(Math.abs(Date.parse(user.created_at) - Date.now()) < 24 * 3600 * 1000, `created_at ${user.created_at} is not now`);
    assert.deepEqual(user.user_metadata, { hobby: 'surfing', prefs: { lang: 'en' } });
    assert.deepEqual(user.app_metadata, { plan: 'trial', roles: ['a', 'b'] });
    assert.ok(!('password' in user), 'the password is never returned');
    for (const absent of ['last_login', 'logins_count', 'last_ip']) {
      assert.ok(!(absent in user), `a fresh user has no ${absent} (absent attributes are omitted): ${JSON.stringify(user)}`);
    }
  });

  sdkIt('a second user with the same email (any case) is a ConflictError 409 "The user already exists."', async () => {
    const user = await createUser('dup');
    for (const email of [user.email, user.email.toUpperCase()]) {
      const err = await rejection(mgmt.users.create({ connection: DB, email, password: PASSWORD }));
      assertManagementError(err, Management.ConflictError, {
        statusCode: 409,
        error: 'Conflict',
        message: 'The user already exists.',
        errorCode: 'auth0_idp_error',
      });
    }
  });
});

describe('node-auth0 ManagementClient: users.get', () => {
  sdkIt('returns the stored user, metadata included', async () => {
    const user = await createUser('get', { user_metadata: { color: 'blue' }, app_metadata: { tier: 3 } });
    const fetched = await mgmt.users.get(user.user_id);
    assert.deepEqual(fetched, user);
  });

  sdkIt('returns a seeded user with its seeded metadata', async () => {
    const jane = await mgmt.users.get(SEEDED.jane.user_id);
    assert.equal(jane.user_id, SEEDED.jane.user_id);
    assert.equal(jane.email, SEEDED.jane.email);
    assert.deepEqual(jane.user_metadata, SEEDED.jane.user_metadata);
    assert.deepEqual(jane.app_metadata, SEEDED.jane.app_metadata);
    assert.equal(jane.identities?.[0]?.connection, DB);
  });

  sdkIt('an unknown id is a NotFoundError 404 "The user does not exist."', async () => {
    const err = await rejection(mgmt.users.get('auth0|ffffffffffffffffffffffff'));
    assertManagementError(err, Management.NotFoundError, {
      statusCode: 404,
      error: 'Not Found',
      message: 'The user does not exist.',
      errorCode: 'inexistent_user',
    });
  });
});

describe('node-auth0 ManagementClient: users.update merges metadata', () => {
  sdkIt('user_metadata: top-level keys merge, a nested object is replaced wholesale, null deletes a key', async () => {
    const user = await createUser('merge-um', {
      user_metadata: { hobby: 'surfing', theme: 'dark', prefs: { lang: 'en', tz: 'UTC' }, drop: 'me' },
      app_metadata: { plan: 'full' },
    });

    const updated = await mgmt.users.update(user.user_id, {
      user_metadata: { theme: 'light', prefs: { lang: 'fr' }, drop: null, added: 42 },
    });

    const expected = { hobby: 'surfing', theme: 'light', prefs: { lang: 'fr' }, added: 42 };
    assert.deepEqual(updated.user_metadata, expected);
    assert.deepEqual(updated.app_metadata, { plan: 'full' }, 'app_metadata is untouched by a user_metadata PATCH');
    assert.equal(updated.user_id, user.user_id);
    assert.equal(updated.email, user.email);
    assert.match(updated.updated_at, ISO_MS);
    assert.ok(Date.parse(updated.updated_at) >= Date.parse(user.updated_at), 'updated_at went backwards');

    const fetched = await mgmt.users.get(user.user_id);
    assert.deepEqual(fetched.user_metadata, expected, 'GET after PATCH shows the merged user_metadata');
    assert.deepEqual(fetched.app_metadata, { plan: 'full' });
  });

  sdkIt('app_metadata: the same merge rules, and user_metadata is untouched', async () => {
    const user = await createUser('merge-am', {
      user_metadata: { hobby: 'chess' },
      app_metadata: { plan: 'full', flags: { a: true, b: true }, legacy: 1 },
    });

    const updated = await mgmt.users.update(user.user_id, {
      app_metadata: { flags: { c: true }, legacy: null, tier: 2 },
    });

    const expected = { plan: 'full', flags: { c: true }, tier: 2 };
    assert.deepEqual(updated.app_metadata, expected);
    assert.deepEqual(updated.user_metadata, { hobby: 'chess' });
    const fetched = await mgmt.users.get(user.user_id);
    assert.deepEqual(fetched.app_metadata, expected);
    assert.deepEqual(fetched.user_metadata, { hobby: 'chess' });
  });

  sdkIt('both metadata in one PATCH, then a root attribute PATCH keeps both', async () => {
    const user = await createUser('merge-both', { user_metadata: { a: 1 }, app_metadata: { b: 2 } });
    await mgmt.users.update(user.user_id, { user_metadata: { c: 3 }, app_metadata: { d: 4 } });
    const renamed = await mgmt.users.update(user.user_id, { given_name: 'Ada' });
    assert.equal(renamed.given_name, 'Ada');
    assert.deepEqual(renamed.user_metadata, { a: 1, c: 3 });
    assert.deepEqual(renamed.app_metadata, { b: 2, d: 4 });
  });

  sdkIt('{} as user_metadata removes all of it', async () => {
    const user = await createUser('clear', { user_metadata: { a: 1, b: 2 }, app_metadata: { plan: 'x' } });
    const updated = await mgmt.users.update(user.user_id, { user_metadata: {} });
    // Auth0 documents that {} removes all metadata; whether the key is then absent or {} is unverified.
    assert.ok(
      updated.user_metadata === undefined || Object.keys(updated.user_metadata).length === 0,
      `user_metadata after {}: ${JSON.stringify(updated.user_metadata)}`,
    );
    assert.deepEqual(updated.app_metadata, { plan: 'x' });
  });

  sdkIt('app_metadata.blocked (a reserved key) is a BadRequestError 400 invalid_body, and nothing changes', async () => {
    const user = await createUser('reserved', { app_metadata: { plan: 'full' } });
    const err = await rejection(mgmt.users.update(user.user_id, { app_metadata: { blocked: true } }));
    assertManagementError(err, Management.BadRequestError, {
      statusCode: 400,
      error: 'Bad Request',
      errorCode: 'invalid_body',
    });
    assert.equal(typeof err.body.message, 'string');
    assert.ok(err.body.message.length > 0, 'empty error message');

    const fetched = await mgmt.users.get(user.user_id);
    assert.deepEqual(fetched.app_metadata, { plan: 'full' }, 'a rejected PATCH must not change app_metadata');
    assert.notEqual(fetched.blocked, true, 'a rejected PATCH must not block the user');
  });

  sdkIt('a token without update:users is a ForbiddenError 403 insufficient_scope; the same token may read', async () => {
    const user = await createUser('scope', { user_metadata: { keep: 'me' } });
    const token = await mintToken({ audience: MGMT_AUDIENCE, scope: 'read:users' });
    const readOnly = new ManagementClient({ ...clientOptions, token });

    const fetched = await readOnly.users.get(user.user_id);
    assert.equal(fetched.user_id, user.user_id, 'read:users suffices for GET /api/v2/users/{id}');

    const err = await rejection(readOnly.users.update(user.user_id, { user_metadata: { keep: null } }));
    assertManagementError(err, Management.ForbiddenError, {
      statusCode: 403,
      error: 'Forbidden',
      errorCode: 'insufficient_scope',
    });
    const match = /^Insufficient scope, expected any of: (.+)$/.exec(err.body.message);
    assert.ok(match, `message: ${JSON.stringify(err.body.message)}`);
    const expectedScopes = match[1].split(',');
    assert.ok(expectedScopes.includes('update:users'), `update:users not among ${match[1]}`);
    for (const scope of expectedScopes) {
      assert.ok(PATCH_USER_SCOPES.has(scope), `${scope} is not a PATCH /users/{id} scope`);
    }

    const unchanged = await mgmt.users.get(user.user_id);
    assert.deepEqual(unchanged.user_metadata, { keep: 'me' }, 'a forbidden PATCH must not change anything');
  });
});

describe('node-auth0 ManagementClient: users.list', () => {
  sdkIt('q=email:"jane@example.com" with search_engine v3 finds exactly Jane, in the include_totals envelope', async () => {
    const page = await mgmt.users.list({ q: 'email:"jane@example.com"', search_engine: 'v3' });
    assert.equal(page.data.length, 1, `users: ${JSON.stringify(page.data.map((u) => u.email))}`);
    const [jane] = page.data;
    assert.equal(jane.user_id, SEEDED.jane.user_id);
    assert.equal(jane.email, SEEDED.jane.email);
    assert.deepEqual(jane.user_metadata, SEEDED.jane.user_metadata);
    assert.deepEqual(jane.app_metadata, SEEDED.jane.app_metadata);
    // The SDK asked page=0&per_page=50&include_totals=true: Auth0's {start,limit,length,users,total}.
    assert.equal(page.response.start, 0);
    assert.equal(page.response.limit, 50);
    assert.equal(page.response.length, 1);
    assert.equal(page.response.total, 1);
    // Without per_page the SDK asks for the next page whenever one was non-empty: it must be empty.
    const next = await page.getNextPage();
    assert.deepEqual(next.data, [], 'page=1 of a one-result query');
    assert.equal(next.response.start, 50);
    assert.equal(next.response.total, 1);
  });

  sdkIt('email search is case-insensitive', async () => {
    const page = await mgmt.users.list({ q: 'email:"JANE@Example.com"', search_engine: 'v3' });
    assert.deepEqual(page.data.map((u) => u.user_id), [SEEDED.jane.user_id]);
  });

  sdkIt('q on a user_metadata value finds the user that has it', async () => {
    const marker = `m${randomBytes(6).toString('hex')}`;
    const user = await createUser('search', { user_metadata: { marker } });
    const page = await mgmt.users.list({ q: `user_metadata.marker:"${marker}"`, search_engine: 'v3' });
    assert.deepEqual(page.data.map((u) => u.user_id), [user.user_id]);
    assert.equal(page.response.total, 1);
  });

  sdkIt('for await over per_page 2 terminates and yields every user exactly once', async () => {
    // Make sure there is more than one page, including users this suite created.
    const mine = [await createUser('page-a'), await createUser('page-b'), await createUser('page-c')];
    const first = await mgmt.users.list({ per_page: 2 });
    const total = first.response.total;
    assert.equal(typeof total, 'number', `total: ${JSON.stringify(first.response)}`);
    assert.ok(total >= 6, `total ${total}, but 3 seeded + 3 created users exist`);
    assert.equal(first.data.length, 2);
    assert.equal(first.response.limit, 2);

    const ids = [];
    for await (const user of await mgmt.users.list({ per_page: 2 })) {
      ids.push(user.user_id);
      // A server that ignores `page` serves page 0 forever; stop instead of hanging.
      assert.ok(ids.length <= total, `paging yielded more than total=${total} users: ${ids.length} so far`);
    }
    assert.equal(ids.length, total, `yielded ${ids.length} users, total says ${total}`);
    assert.equal(new Set(ids).size, ids.length, `a user came twice: ${ids}`);
    for (const id of [...Object.values(SEEDED).map((u) => u.user_id), ...mine.map((u) => u.user_id)]) {
      assert.ok(ids.includes(id), `${id} was never yielded`);
    }
  });

  sdkIt('page by page with getNextPage: start, limit and length describe each page', async () => {
    let page = await mgmt.users.list({ per_page: 2 });
    const total = page.response.total;
    const seen = [];
    for (let index = 0; ; index++) {
      assert.ok(index <= Math.ceil(total / 2), `more pages than total=${total} allows`);
      assert.equal(page.response.start, index * 2, `page ${index} start`);
      assert.equal(page.response.limit, 2, `page ${index} limit`);
      assert.equal(page.response.length, page.data.length, `page ${index} length`);
      assert.equal(page.response.total, total, `page ${index} total`);
      seen.push(...page.data.map((u) => u.user_id));
      if (!page.hasNextPage()) break;
      page = await page.getNextPage();
    }
    assert.equal(seen.length, total);
    assert.equal(new Set(seen).size, total);
  });
});

describe('node-auth0 ManagementClient: users.listUsersByEmail', () => {
  sdkIt('returns a bare array with the seeded user', async () => {
    const users = await mgmt.users.listUsersByEmail({ email: SEEDED.jane.email });
    assert.ok(Array.isArray(users), `not an array: ${JSON.stringify(users)}`);
    assert.deepEqual(users.map((u) => u.user_id), [SEEDED.jane.user_id]);
    assert.deepEqual(users[0].user_metadata, SEEDED.jane.user_metadata);
  });

  sdkIt('finds a created user by its (lowercased) email; an unknown email gives []', async () => {
    const user = await createUser('by-email');
    const users = await mgmt.users.listUsersByEmail({ email: user.email });
    assert.deepEqual(users.map((u) => u.user_id), [user.user_id]);
    assert.deepEqual(await mgmt.users.listUsersByEmail({ email: uniqueEmail('nobody') }), []);
  });

  sdkIt('the lookup is case-sensitive (Auth0 stores database emails lowercased)', async () => {
    const users = await mgmt.users.listUsersByEmail({ email: 'JANE@EXAMPLE.COM' });
    assert.deepEqual(users, []);
  });
});

describe('node-auth0 ManagementClient: users.delete', () => {
  sdkIt('deletes (204); get is then a NotFoundError, and deleting again still succeeds', async () => {
    const user = await createUser('delete');
    const { rawResponse } = await mgmt.users.delete(user.user_id).withRawResponse();
    assert.equal(rawResponse.status, 204);
    created.delete(user.user_id);

    const err = await rejection(mgmt.users.get(user.user_id));
    assertManagementError(err, Management.NotFoundError, {
      statusCode: 404,
      error: 'Not Found',
      message: 'The user does not exist.',
      errorCode: 'inexistent_user',
    });
    assert.deepEqual(await mgmt.users.listUsersByEmail({ email: user.email }), []);

    const again = await mgmt.users.delete(user.user_id).withRawResponse();
    assert.equal(again.rawResponse.status, 204, 'deleting a missing user is 204 on Auth0');
  });
});
