// auth0-lock 14 in headless Chromium, bundled from its npm CommonJS sources with esbuild (the
// package ships no browser build), as a page at https://localhost:3000 (see browser.mjs). Lock
// reads the client's configuration from the emulator (configurationBaseUrl →
// /client/spa-client.js), signs up with an additionalSignUpFields value (→ user_metadata), logs in
// through cross-origin authentication (/co/authenticate, then /authorize?login_ticket), and reads
// the profile with getUserInfo. The English dictionary is registered up front and every request
// off this machine is aborted and recorded, so nothing comes from Auth0's CDN.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import esbuild from 'esbuild';
import {
  DOMAIN,
  EMULATOR_ORIGIN,
  ISSUER,
  JANE,
  NEW_PASSWORD,
  PASSWORD,
  SPA_CLIENT_ID,
  USER_METADATA_CLAIM,
  uniqueEmail,
} from './authn.mjs';
import { APP, openBrowser } from './browser.mjs';

const TEST = { timeout: 60_000 };
const HERE = path.dirname(fileURLToPath(import.meta.url));
const LOGO = 'data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7';

async function bundleLock() {
  const result = await esbuild.build({
    stdin: {
      contents: `
        import Auth0Lock from 'auth0-lock';
        import en from 'auth0-lock/lib/i18n/en';
        window.Auth0.registerLanguageDictionary('en', en);
        window.Auth0Lock = Auth0Lock;`,
      resolveDir: HERE,
      loader: 'js',
    },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    write: false,
    minify: true,
    define: { 'process.env.NODE_ENV': '"production"', global: 'window' },
    logLevel: 'silent',
    plugins: [
      {
        // auth0-js declares "type": "module" but its "main" is a UMD file, which esbuild would
        // then treat as ESM (no `exports`), leaving Lock's require('auth0-js') empty. Use the
        // package's real ESM build, which Lock's interop reads as the default export.
        name: 'auth0-js-esm',
        setup(build) {
          build.onResolve({ filter: /^auth0-js$/ }, async (args) => {
            const main = await build.resolve('auth0-js/package.json', { kind: 'require-call', resolveDir: args.resolveDir });
            return { path: path.join(path.dirname(main.path), 'dist', 'auth0.min.esm.js') };
          });
        },
      },
    ],
  });
  return result.outputFiles[0].text;
}

function page(initialScreen) {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Lock test app</title>
<script src="/vendor/lock.js"></script></head>
<body><p>auth0-lock test app</p>
<script>
  window.lockEvents = [];
  const lock = new Auth0Lock(${JSON.stringify(SPA_CLIENT_ID)}, ${JSON.stringify(DOMAIN)}, {
    configurationBaseUrl: ${JSON.stringify(EMULATOR_ORIGIN)},
    languageBaseUrl: location.origin,
    auth: {
      redirect: true,
      redirectUrl: location.origin,
      responseType: 'token id_token',
      params: { scope: 'openid profile email' },
    },
    additionalSignUpFields: [{ name: 'favorite_color', placeholder: 'Favourite colour' }],
    allowedConnections: ['Username-Password-Authentication'],
    initialScreen: ${JSON.stringify(initialScreen)},
    rememberLastLogin: false,
    avatar: null,
    closable: false,
    languageDictionary: { title: 'auth0-emulator' },
    theme: { logo: ${JSON.stringify(LOGO)} },
  });
  for (const name of ['authenticated', 'authorization_error', 'unrecoverable_error', 'signup success', 'signup error', 'signin ready', 'signup ready']) {
    lock.on(name, (payload) => window.lockEvents.push({ name, payload: JSON.parse(JSON.stringify(payload ?? null)) }));
  }
  window.lock = lock;
  window.getUserInfo = (accessToken) => new Promise((resolve) =>
    lock.getUserInfo(accessToken, (err, profile) => resolve(err ? { error: err.error || String(err), description: err.error_description || err.description } : { profile })));
  if (!location.hash) lock.show();
</script></body></html>`;
}

/** Waits until Lock emitted one of `names` (or an error event); returns that event. */
async function lockEvent(browser, names) {
  const wanted = [...names, 'authorization_error', 'unrecoverable_error', 'signup error'];
  try {
    await browser.page.waitForFunction((w) => window.lockEvents?.some((e) => w.includes(e.name)), wanted);
  } catch (err) {
    throw new Error(`Lock emitted none of ${wanted.join(', ')}: ${err.message}\n${browser.describe()}`);
  }
  const events = await browser.page.evaluate(() => window.lockEvents);
  return events.find((e) => wanted.includes(e.name));
}

async function waitForLockForm(browser) {
  try {
    // Either the form shows, or Lock gives up (e.g. it could not load the client configuration).
    await browser.page.waitForFunction(() => {
      const input = document.querySelector('.auth0-lock input[name=email]');
      return (input && input.offsetParent !== null) || window.lockEvents?.some((e) => e.name === 'unrecoverable_error');
    });
    const failed = await browser.page.evaluate(() => window.lockEvents.find((e) => e.name === 'unrecoverable_error'));
    if (failed) throw new Error(`unrecoverable_error ${JSON.stringify(failed.payload)}`);
  } catch (err) {
    const events = await browser.page.evaluate(() => window.lockEvents).catch(() => []);
    throw new Error(`Lock did not show its form: ${err.message}\nevents: ${JSON.stringify(events)}\n${browser.describe()}`);
  }
}

async function submitAndReturn(browser) {
  const { page } = browser;
  await Promise.all([
    page.waitForURL((url) => url.origin === APP && url.hash.includes('access_token')),
    page.click('.auth0-lock button.auth0-lock-submit'),
  ]).catch(async (err) => {
    const message = await page.textContent('.auth0-global-message').catch(() => null);
    throw new Error(`Lock did not come back with tokens: ${err.message}\nLock says: ${message}\n${browser.describe()}`);
  });
}

const emulatorCalls = (browser, pathname) =>
  browser.requests.filter((r) => r.url.origin === EMULATOR_ORIGIN && r.url.pathname === pathname);

describe('auth0-lock: sign-up with an additional field, then getUserInfo', () => {
  let browser;
  before(async () => {
    const lockJs = await bundleLock();
    browser = await openBrowser({
      '/': { body: page('signUp') },
      '/vendor/lock.js': { body: lockJs, contentType: 'text/javascript' },
    });
  });
  after(async () => browser?.close());

  it('signs up, logs in through /co/authenticate, and the action claim carries the field', TEST, async () => {
    const { page: tab } = browser;
    const email = uniqueEmail('lock');
    await tab.goto(`${APP}/`);
    await waitForLockForm(browser);
    assert.ok(emulatorCalls(browser, `/client/${SPA_CLIENT_ID}.js`).length >= 1, 'Lock read the client configuration');

    await tab.fill('.auth0-lock input[name=email]', email);
    await tab.fill('.auth0-lock input[name=password]', NEW_PASSWORD);
    await tab.fill('.auth0-lock input[name=favorite_color]', 'teal');
    await submitAndReturn(browser);

    const signup = emulatorCalls(browser, '/dbconnections/signup').find((r) => r.method === 'POST');
    assert.ok(signup, `no POST /dbconnections/signup\n${browser.describe()}`);
    const body = JSON.parse(signup.postData);
    assert.equal(body.email, email);
    assert.deepEqual(body.user_metadata, { favorite_color: 'teal' });
    assert.ok(emulatorCalls(browser, '/co/authenticate').some((r) => r.method === 'POST'), 'embedded login used /co/authenticate');

    const event = await lockEvent(browser, ['authenticated']);
    assert.equal(event.name, 'authenticated', `Lock reported ${JSON.stringify(event)}\n${browser.describe()}`);
    const auth = event.payload;
    assert.equal(auth.idTokenPayload.iss, ISSUER);
    assert.equal(auth.idTokenPayload.email, email);
    assert.deepEqual(auth.idTokenPayload[USER_METADATA_CLAIM], { favorite_color: 'teal' });

    const info = await tab.evaluate((at) => window.getUserInfo(at), auth.accessToken);
    assert.ok(info.profile, `getUserInfo failed: ${JSON.stringify(info)}\n${browser.describe()}`);
    assert.equal(info.profile.email, email);
    assert.equal(info.profile[USER_METADATA_CLAIM].favorite_color, 'teal');
    assert.deepEqual(browser.blocked, [], 'Lock fetched nothing from outside this machine');
  });
});

describe('auth0-lock: login', () => {
  let browser;
  before(async () => {
    const lockJs = await bundleLock();
    browser = await openBrowser({
      '/': { body: page('login') },
      '/vendor/lock.js': { body: lockJs, contentType: 'text/javascript' },
    });
  });
  after(async () => browser?.close());

  it('shows "Wrong email or password." for a bad password, then logs in', TEST, async () => {
    const { page: tab } = browser;
    await tab.goto(`${APP}/`);
    await waitForLockForm(browser);
    await tab.fill('.auth0-lock input[name=email]', JANE.email);
    await tab.fill('.auth0-lock input[name=password]', 'not-the-password');
    await tab.click('.auth0-lock button.auth0-lock-submit');
    const error = tab.locator('.auth0-lock .auth0-global-message-error');
    await error.waitFor({ state: 'visible' }).catch((err) => {
      throw new Error(`no Lock error message: ${err.message}\n${browser.describe()}`);
    });
    assert.match(await error.textContent(), /Wrong email or password/i);

    await tab.fill('.auth0-lock input[name=password]', PASSWORD);
    await submitAndReturn(browser);
    const event = await lockEvent(browser, ['authenticated']);
    assert.equal(event.name, 'authenticated', JSON.stringify(event));
    assert.equal(event.payload.idTokenPayload.sub, JANE.user_id);
    assert.deepEqual(event.payload.idTokenPayload[USER_METADATA_CLAIM], JANE.user_metadata);
    assert.deepEqual(browser.blocked, [], 'Lock fetched nothing from outside this machine');
  });
});
