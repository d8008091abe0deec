// @auth0/auth0-spa-js 2 (its UMD build, straight from node_modules) in headless Chromium, as a SPA
// at https://localhost:3000 (see browser.mjs): loginWithRedirect through the hosted login page,
// handleRedirectCallback, getUser, silent authentication through the prompt=none web_message
// iframe after a reload, a token for the API audience, the refresh-token variant, and logout.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { API_AUDIENCE } from './emulator.mjs';
import {
  DOMAIN,
  EMULATOR_ORIGIN,
  ISSUER,
  JANE,
  PASSWORD,
  PLAN_CLAIM,
  SPA_CLIENT_ID,
  USER_METADATA_CLAIM,
  decodeJwt,
} from './authn.mjs';
import { openBrowser, submitLoginPage, vendor } from './browser.mjs';

const TEST = { timeout: 60_000 };

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>spa-js test app</title>
<script src="/vendor/auth0-spa-js.production.js"></script></head>
<body><p>auth0-spa-js test app</p>
<script>
  window.makeClient = (options = {}) => auth0.createAuth0Client({
    domain: ${JSON.stringify(DOMAIN)},
    clientId: ${JSON.stringify(SPA_CLIENT_ID)},
    authorizeTimeoutInSeconds: 8,
    ...options,
    authorizationParams: { redirect_uri: location.origin, ...(options.authorizationParams || {}) },
  });
  // Errors cross page.evaluate as plain objects, keeping the SDK's error/error_description.
  window.attempt = async (fn) => {
    try { return { ok: await fn() }; }
    catch (e) { return { error: e.error || e.name, error_description: e.error_description, message: e.message }; }
  };
</script></body></html>`;

const ROUTES = {
  '/': { body: PAGE },
  '/vendor/auth0-spa-js.production.js': {
    body: vendor('@auth0/auth0-spa-js/dist/auth0-spa-js.production.js'),
    contentType: 'text/javascript',
  },
};

/** Runs `body` (a function of the client) in the page against a client made with `options`. */
async function withClient(page, options, body) {
  const result = await page.evaluate(
    async ([opts, src]) => {
      // eslint-disable-next-line no-new-func
      const fn = new Function('client', `return (${src})(client);`);
      return window.attempt(async () => fn(await window.makeClient(opts)));
    },
    [options, body.toString()],
  );
  return result;
}

function ok(result, what, browser) {
  assert.ok(!result.error, `${what} failed: ${JSON.stringify(result)}\n${browser.describe()}`);
  return result.ok;
}

/** SPA page → loginWithRedirect → hosted login → back on the SPA with ?code&state. */
async function loginWithRedirect(browser, options = {}) {
  const { page } = browser;
  await page.goto(`${browser.origin}/`);
  await Promise.all([
    page.waitForURL((url) => url.origin === EMULATOR_ORIGIN),
    page
      .evaluate(async (opts) => {
        const client = await window.makeClient(opts);
        client.loginWithRedirect();
      }, options)
      .catch(() => {}), // the navigation may destroy the context before evaluate returns
  ]);
  await submitLoginPage(page, { username: JANE.email, password: PASSWORD, emulatorOrigin: EMULATOR_ORIGIN }).catch((err) => {
    throw new Error(`${err.message}\n${browser.describe()}`);
  });
  const back = new URL(page.url());
  assert.equal(back.origin, browser.origin, `after login the browser is at ${back.href}\n${browser.describe()}`);
  assert.ok(back.searchParams.get('code'), `no code on the SPA: ${back.href}\n${browser.describe()}`);
  assert.ok(back.searchParams.get('state'), `no state on the SPA: ${back.href}`);
  assert.equal(back.searchParams.get('error'), null, `error on the SPA: ${back.href}`);
  const result = await withClient(page, options, async (client) => {
    await client.handleRedirectCallback();
    return { user: await client.getUser(), claims: await client.getIdTokenClaims(), token: await client.getTokenSilently() };
  });
  return ok(result, 'handleRedirectCallback', browser);
}

const authorizeRequests = (browser) =>
  browser.requests.filter((r) => r.url.origin === EMULATOR_ORIGIN && r.url.pathname === '/authorize');
const tokenPosts = (browser) =>
  browser.requests.filter((r) => r.url.origin === EMULATOR_ORIGIN && r.url.pathname === '/oauth/token' && r.method === 'POST');

describe('auth0-spa-js: login, silent auth through the iframe, audience, logout', () => {
  let browser;
  before(async () => {
    browser = await openBrowser(ROUTES);
  });
  after(async () => browser?.close());

  it('loginWithRedirect → login page → handleRedirectCallback → getUser has the email and the action claim', TEST, async () => {
    const { user, claims, token } = await loginWithRedirect(browser);
    const login = authorizeRequests(browser)[0];
    assert.ok(login, `no /authorize navigation\n${browser.describe()}`);
    assert.equal(login.url.searchParams.get('response_mode'), 'query');
    assert.equal(login.url.searchParams.get('code_challenge_method'), 'S256');

    assert.equal(user.sub, JANE.user_id);
    assert.equal(user.email, JANE.email);
    assert.deepEqual(user[USER_METADATA_CLAIM], JANE.user_metadata);
    assert.equal(claims.iss, ISSUER);
    assert.equal(claims.aud, SPA_CLIENT_ID);
    assert.equal(typeof claims.nonce, 'string');
    assert.equal(typeof token, 'string');

    const exchange = tokenPosts(browser).at(-1);
    assert.ok(exchange, `no POST /oauth/token\n${browser.describe()}`);
    const body = new URLSearchParams(exchange.postData);
    assert.equal(body.get('grant_type'), 'authorization_code');
    assert.equal(body.get('client_secret'), null, 'a SPA sends no secret');
    assert.ok(body.get('code_verifier'));
  });

  it('after a reload, checkSession/getTokenSilently authenticate through the prompt=none web_message iframe', TEST, async () => {
    const { page } = browser;
    await page.goto(`${browser.origin}/`);
    const before = authorizeRequests(browser).length;
    const result = await withClient(page, {}, async (client) => {
      const authenticated = await client.isAuthenticated();
      const fresh = await client.getTokenSilently({ cacheMode: 'off', detailedResponse: true });
      return { authenticated, fresh, user: await client.getUser() };
    });
    const { authenticated, fresh, user } = ok(result, 'silent authentication', browser);
    const silent = authorizeRequests(browser).slice(before);
    assert.ok(silent.length >= 1, `no /authorize request after the reload\n${browser.describe()}`);
    for (const request of silent) {
      assert.equal(request.frame, 'sub', 'silent auth runs in an iframe');
      assert.equal(request.url.searchParams.get('prompt'), 'none');
      assert.equal(request.url.searchParams.get('response_mode'), 'web_message');
    }
    assert.equal(authenticated, true);
    assert.equal(user.email, JANE.email);
    assert.equal(decodeJwt(fresh.id_token).payload.sub, JANE.user_id);
  });

  it('getTokenSilently({authorizationParams: {audience}}) returns an access token for the API', TEST, async () => {
    const result = await withClient(browser.page, {}, (client) =>
      client.getTokenSilently({ authorizationParams: { audience: 'https://api.example.test/' } }),
    );
    const token = ok(result, 'getTokenSilently with audience', browser);
    const { payload } = decodeJwt(token);
    assert.equal(payload.iss, ISSUER);
    assert.ok([payload.aud].flat().includes(API_AUDIENCE), `aud: ${JSON.stringify(payload.aud)}`);
    assert.equal(payload.sub, JANE.user_id);
    assert.equal(payload.azp, SPA_CLIENT_ID);
    assert.equal(payload[PLAN_CLAIM], JANE.plan);
    assert.deepEqual([...payload.permissions].sort(), ['read:things', 'write:things']);
  });

  it('logout() returns to the SPA, and a later silent call fails with login_required', TEST, async () => {
    const { page } = browser;
    await page.goto(`${browser.origin}/`);
    // The logout navigation redirects straight back, so wait for the next committed navigation.
    const navigated = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() });
    await page
      .evaluate(async () => {
        const client = await window.makeClient();
        client.logout({ logoutParams: { returnTo: location.origin } });
      })
      .catch(() => {});
    await navigated.catch((err) => {
      throw new Error(`${err.message}\n${browser.describe()}`);
    });
    await page.waitForLoadState('load');
    const logoutRequest = browser.requests.find((r) => r.url.origin === EMULATOR_ORIGIN && r.url.pathname === '/v2/logout');
    assert.ok(logoutRequest, `no /v2/logout navigation\n${browser.describe()}`);
    assert.equal(logoutRequest.url.searchParams.get('client_id'), SPA_CLIENT_ID);
    assert.equal(new URL(page.url()).origin, browser.origin, `after logout the browser is at ${page.url()}`);

    const result = await withClient(page, {}, (client) => client.getTokenSilently());
    assert.equal(result.error, 'login_required', `expected login_required, got ${JSON.stringify(result)}\n${browser.describe()}`);
  });
});

describe('auth0-spa-js: useRefreshTokens', () => {
  let browser;
  const options = { useRefreshTokens: true, cacheLocation: 'localstorage' };
  before(async () => {
    browser = await openBrowser(ROUTES);
  });
  after(async () => browser?.close());

  it('logs in with offline_access and renews with grant_type=refresh_token, no iframe', TEST, async () => {
    const { user } = await loginWithRedirect(browser, options);
    assert.equal(user.email, JANE.email);
    const login = authorizeRequests(browser)[0];
    assert.ok(login.url.searchParams.get('scope').split(' ').includes('offline_access'));

    await browser.page.goto(`${browser.origin}/`);
    const iframesBefore = authorizeRequests(browser).length;
    const postsBefore = tokenPosts(browser).length;
    const result = await withClient(browser.page, options, (client) =>
      client.getTokenSilently({ cacheMode: 'off', detailedResponse: true }),
    );
    const fresh = ok(result, 'getTokenSilently with a refresh token', browser);
    assert.equal(authorizeRequests(browser).length, iframesBefore, 'a refresh token needs no iframe');
    const refresh = tokenPosts(browser)
      .slice(postsBefore)
      .find((r) => new URLSearchParams(r.postData).get('grant_type') === 'refresh_token');
    assert.ok(refresh, `no refresh_token grant\n${browser.describe()}`);
    assert.equal(decodeJwt(fresh.id_token).payload.sub, JANE.user_id);
  });
});

describe('auth0-spa-js on http://localhost:3000 (plain-HTTP dev server) with useRefreshTokens', () => {
  // Over http the app is cross-site to the emulator, so the silent-auth iframe would get no
  // session cookie (sdk-notes §3.9); refresh tokens are what such apps use, and need only CORS.
  let browser;
  const options = { useRefreshTokens: true, cacheLocation: 'localstorage' };
  before(async () => {
    browser = await openBrowser(ROUTES, { https: false });
  });
  after(async () => browser?.close());

  it('logs in, gets the user, and renews with the refresh token', TEST, async () => {
    const { user } = await loginWithRedirect(browser, options);
    assert.equal(user.email, JANE.email);
    assert.deepEqual(user[USER_METADATA_CLAIM], JANE.user_metadata);

    await browser.page.goto(`${browser.origin}/`);
    const postsBefore = tokenPosts(browser).length;
    const result = await withClient(browser.page, options, (client) =>
      client.getTokenSilently({ cacheMode: 'off', detailedResponse: true }),
    );
    const fresh = ok(result, 'getTokenSilently with a refresh token', browser);
    assert.ok(
      tokenPosts(browser).slice(postsBefore).some((r) => new URLSearchParams(r.postData).get('grant_type') === 'refresh_token'),
      `no refresh_token grant\n${browser.describe()}`,
    );
    assert.equal(decodeJwt(fresh.id_token).payload.sub, JANE.user_id);
  });
});
