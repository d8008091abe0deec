// auth0-js 10 (its UMD build from node_modules) in headless Chromium, on the spa-client callback
// https://localhost:3000/callback (see browser.mjs): WebAuth.authorize (implicit, token id_token)
// through the hosted login page, parseHash (which verifies the ID token in the browser against
// the JWKS, over CORS, and checks the nonce), client.userInfo (CORS /userinfo), and checkSession
// (the prompt=none web_message iframe).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  DOMAIN,
  EMULATOR_ORIGIN,
  ISSUER,
  JANE,
  PASSWORD,
  SPA_CLIENT_ID,
  USER_METADATA_CLAIM,
} from './authn.mjs';
import { APP, openBrowser, submitLoginPage, vendor } from './browser.mjs';

const TEST = { timeout: 60_000 };
const CALLBACK = `${APP}/callback`;

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>auth0-js test app</title>
<script src="/vendor/auth0.min.js"></script></head>
<body><p>auth0-js test app</p>
<script>
  window.webAuth = new auth0.WebAuth({
    domain: ${JSON.stringify(DOMAIN)},
    clientID: ${JSON.stringify(SPA_CLIENT_ID)},
    redirectUri: ${JSON.stringify(CALLBACK)},
    responseType: 'token id_token',
    scope: 'openid profile email',
  });
  // auth0-js is callback based; errors keep their error/errorDescription fields.
  window.call = (method, ...args) => new Promise((resolve) => {
    const target = method.startsWith('client.') ? webAuth.client : webAuth;
    target[method.replace('client.', '')](...args, (err, result) => resolve(err
      ? { error: err.error || err.code || err.name, errorDescription: err.errorDescription || err.error_description || err.description, message: err.message, original: String(err.original || '') }
      : { ok: result }));
  });
</script></body></html>`;

const ROUTES = {
  '/': { body: PAGE },
  '/callback': { body: PAGE },
  '/vendor/auth0.min.js': { body: vendor('auth0-js/dist/auth0.min.js'), contentType: 'text/javascript' },
};

describe('auth0-js: WebAuth.authorize (implicit) + parseHash + userInfo + checkSession', () => {
  let browser;
  let tokens;
  before(async () => {
    browser = await openBrowser(ROUTES);
  });
  after(async () => browser?.close());

  it('authorize → login page → #access_token&id_token → parseHash verifies the ID token', TEST, async () => {
    const { page } = browser;
    await page.goto(CALLBACK);
    await Promise.all([
      page.waitForURL((url) => url.origin === EMULATOR_ORIGIN),
      page.evaluate(() => window.webAuth.authorize()).catch(() => {}),
    ]);
    const request = browser.requests.find((r) => r.url.origin === EMULATOR_ORIGIN && r.url.pathname === '/authorize');
    assert.ok(request, `no /authorize navigation\n${browser.describe()}`);
    assert.equal(request.url.searchParams.get('response_type'), 'token id_token');
    assert.ok(request.url.searchParams.get('nonce'));

    await submitLoginPage(page, { username: JANE.email, password: PASSWORD, emulatorOrigin: EMULATOR_ORIGIN }).catch((err) => {
      throw new Error(`${err.message}\n${browser.describe()}`);
    });
    const back = new URL(page.url());
    assert.equal(back.origin + back.pathname, CALLBACK, `after login the browser is at ${back.href}\n${browser.describe()}`);
    const fragment = new URLSearchParams(back.hash.slice(1));
    assert.equal(back.search, '', 'implicit results travel in the fragment, not the query');
    assert.ok(fragment.get('access_token'), `no access_token in ${back.hash}`);
    assert.ok(fragment.get('id_token'), `no id_token in ${back.hash}`);
    assert.equal(fragment.get('state'), request.url.searchParams.get('state'));
    assert.equal(fragment.get('token_type'), 'Bearer');
    assert.ok(Number(fragment.get('expires_in')) > 0);

    const parsed = await page.evaluate(() => window.call('parseHash', {}));
    assert.ok(!parsed.error, `parseHash failed: ${JSON.stringify(parsed)}\n${browser.describe()}`);
    tokens = parsed.ok;
    assert.equal(tokens.idTokenPayload.iss, ISSUER);
    assert.equal(tokens.idTokenPayload.aud, SPA_CLIENT_ID);
    assert.equal(tokens.idTokenPayload.sub, JANE.user_id);
    assert.equal(tokens.idTokenPayload.email, JANE.email);
    assert.deepEqual(tokens.idTokenPayload[USER_METADATA_CLAIM], JANE.user_metadata);
    const jwks = browser.requests.find((r) => r.url.pathname === '/.well-known/jwks.json');
    assert.ok(jwks, 'parseHash fetched the JWKS to verify the signature');
  });

  it('client.userInfo(accessToken) returns the profile and the action claim (CORS /userinfo)', TEST, async () => {
    assert.ok(tokens, 'needs the tokens of the previous test');
    const info = await browser.page.evaluate((at) => window.call('client.userInfo', at), tokens.accessToken);
    assert.ok(!info.error, `userInfo failed: ${JSON.stringify(info)}\n${browser.describe()}`);
    assert.equal(info.ok.sub, JANE.user_id);
    assert.equal(info.ok.email, JANE.email);
    assert.deepEqual(info.ok[USER_METADATA_CLAIM], JANE.user_metadata);
  });

  it('checkSession renews the tokens through the prompt=none web_message iframe', TEST, async () => {
    assert.ok(tokens, 'needs the session of the first test');
    const result = await browser.page.evaluate(() => window.call('checkSession', {}));
    assert.ok(!result.error, `checkSession failed: ${JSON.stringify(result)}\n${browser.describe()}`);
    assert.equal(result.ok.idTokenPayload.sub, JANE.user_id);
    const silent = browser.requests.filter(
      (r) => r.url.origin === EMULATOR_ORIGIN && r.url.pathname === '/authorize' && r.url.searchParams.get('prompt') === 'none',
    );
    assert.ok(silent.length >= 1);
    assert.equal(silent[0].url.searchParams.get('response_mode'), 'web_message');
  });

  it('buildLogoutUrl → /v2/logout → back on the app; checkSession then fails with login_required', TEST, async () => {
    const { page } = browser;
    await page.goto(CALLBACK);
    const logoutUrl = await page.evaluate((returnTo) => window.webAuth.client.buildLogoutUrl({ returnTo }), APP);
    assert.equal(new URL(logoutUrl).pathname, '/v2/logout');
    const response = await page.goto(logoutUrl);
    assert.equal(new URL(page.url()).origin, APP, `after logout: ${page.url()} (${response?.status()})`);
    await page.goto(CALLBACK);
    const result = await page.evaluate(() => window.call('checkSession', {}));
    assert.equal(result.error, 'login_required', JSON.stringify(result));
  });
});
