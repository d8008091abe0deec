// express-openid-connect 3: a real Express app on a random loopback port, configured with the
// tenant's registered callback origin http://localhost:3000 as its baseURL. The cookie-keeping
// user agent plays the browser and maps that origin to the app's real port, so the emulator sees
// exactly the registered redirect_uri. Two modes:
//   * response_type=code (query), client_secret_basic at the token endpoint (web-client);
//   * the library's default, response_type=id_token with response_mode=form_post, where the
//     ID token arrives front-channel and is verified against the JWKS with the nonce. The
//     implicit grant is enabled on spa-client only (web-client has no `implicit`), so that mode
//     uses spa-client, as an Auth0 app would have to.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import express from 'express';
import eoc from 'express-openid-connect';
import {
  APP_ORIGIN,
  CALLBACK,
  EMULATOR_ORIGIN,
  ISSUER,
  JANE,
  PASSWORD,
  SPA_CLIENT_ID,
  USER_METADATA_CLAIM,
  UserAgent,
  WEB_CLIENT,
  authorize,
  loginForm,
} from './authn.mjs';

const { auth, requiresAuth } = eoc;
const TEST = { timeout: 30_000 };
const SESSION_SECRET = 'sdk-suite-session-secret-0123456789abcdef';

/** Starts an app on 127.0.0.1:<random>; returns {server, port}. */
async function startApp(authConfig) {
  const app = express();
  app.use(auth({ issuerBaseURL: ISSUER, baseURL: APP_ORIGIN, secret: SESSION_SECRET, authRequired: false, httpTimeout: 10_000, ...authConfig }));
  app.get('/', (req, res) => res.json({ authenticated: req.oidc.isAuthenticated() }));
  app.get('/profile', requiresAuth(), (req, res) =>
    res.json({ user: req.oidc.user, idTokenClaims: req.oidc.idTokenClaims, hasAccessToken: Boolean(req.oidc.accessToken) }),
  );
  // Surface library errors (failed token exchange, bad ID token) as JSON the test can print.
  app.use((err, req, res, _next) => {
    res.status(err.status ?? 500).json({
      name: err.name,
      message: err.message,
      error: err.error,
      error_description: err.error_description,
      cause: err.cause ? String(err.cause.message ?? err.cause) : undefined,
    });
  });
  const server = await new Promise((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', (err) => (err ? reject(err) : resolve(s)));
  });
  return { server, port: server.address().port };
}

function agentFor(port) {
  return new UserAgent({ rewrite: { [APP_ORIGIN]: `http://127.0.0.1:${port}` } });
}

/** GET /login on the app, through the emulator's login page, back to the app's callback. */
async function loginThroughApp(ua) {
  const start = await ua.request(`${APP_ORIGIN}/login`);
  assert.equal(start.status, 302, `/login answered ${start.status}: ${start.text}`);
  assert.equal(start.location.origin, EMULATOR_ORIGIN, `/login went to ${start.location}`);
  const authorizeUrl = start.location;
  const result = await authorize(ua, authorizeUrl, { username: JANE.email, password: PASSWORD });
  return { authorizeUrl, result };
}

async function profile(ua) {
  const res = await ua.request(`${APP_ORIGIN}/profile`);
  assert.equal(res.status, 200, `/profile answered ${res.status}: ${res.text}\n${ua.describe()}`);
  return JSON.parse(res.text);
}

describe('express-openid-connect: response_type=code', () => {
  let app;
  before(async () => {
    app = await startApp({
      clientID: WEB_CLIENT.id,
      clientSecret: WEB_CLIENT.secret,
      idpLogout: true,
      authorizationParams: { response_type: 'code', scope: 'openid profile email' },
    });
  });
  after(() => app?.server.close());

  it('/login → login page → /callback → session; /profile shows the user and the action claim', TEST, async () => {
    const ua = agentFor(app.port);
    const { authorizeUrl, result } = await loginThroughApp(ua);
    assert.equal(authorizeUrl.searchParams.get('response_type'), 'code');
    assert.equal(authorizeUrl.searchParams.get('redirect_uri'), CALLBACK);
    assert.ok(result.callback, `no redirect to the app after login\n${ua.describe()}`);
    assert.equal(result.callback.origin + result.callback.pathname, CALLBACK);
    assert.equal(result.callback.searchParams.get('state'), authorizeUrl.searchParams.get('state'));

    // The app exchanges the code (client_secret_basic) and starts its session.
    const done = await ua.request(result.callback);
    assert.equal(done.status, 302, `the app's /callback answered ${done.status}: ${done.text}\n${ua.describe()}`);
    assert.equal(done.location.origin, APP_ORIGIN);

    const { user, hasAccessToken } = await profile(ua);
    assert.equal(user.sub, JANE.user_id);
    assert.equal(user.email, JANE.email);
    assert.deepEqual(user[USER_METADATA_CLAIM], JANE.user_metadata);
    assert.equal(hasAccessToken, true);
  });

  it('/logout goes through end_session_endpoint back to the app and ends the emulator session', TEST, async () => {
    const ua = agentFor(app.port);
    const { result } = await loginThroughApp(ua);
    assert.ok(result.callback, `login failed\n${ua.describe()}`);
    await ua.request(result.callback);
    await profile(ua);

    const out = await ua.request(`${APP_ORIGIN}/logout`);
    assert.equal(out.status, 302, `/logout answered ${out.status}`);
    assert.equal(
      out.location.origin + out.location.pathname,
      `${ISSUER}oidc/logout`,
      `the app logged out locally only (is end_session_endpoint in discovery?): ${out.location}`,
    );
    assert.ok(out.location.searchParams.get('id_token_hint'));
    const back = await ua.request(out.location);
    assert.equal(back.status, 302, `GET ${out.location} -> ${back.status}: ${back.text}`);
    assert.equal(back.location.origin, APP_ORIGIN);

    const again = await ua.request(`${APP_ORIGIN}/profile`);
    assert.equal(again.status, 302, 'the app session is gone');
    assert.equal(again.location.origin, EMULATOR_ORIGIN);
    const page = await ua.follow(again.location);
    loginForm(ua, page); // the emulator session is gone too
  });
});

describe('express-openid-connect: default response_type=id_token, response_mode=form_post', () => {
  let app;
  before(async () => {
    app = await startApp({ clientID: SPA_CLIENT_ID });
  });
  after(() => app?.server.close());

  it('the emulator auto-posts the ID token to /callback; the app verifies it and starts a session', TEST, async () => {
    const ua = agentFor(app.port);
    const { authorizeUrl, result } = await loginThroughApp(ua);
    assert.equal(authorizeUrl.searchParams.get('response_type'), 'id_token');
    assert.equal(authorizeUrl.searchParams.get('response_mode'), 'form_post');
    assert.ok(authorizeUrl.searchParams.get('nonce'));
    assert.ok(
      result.formPost,
      `expected an auto-submitting form_post page after login, got ` +
        (result.callback ? `a redirect to ${result.callback}` : `${result.page?.status}`) +
        `\n${ua.describe()}`,
    );
    assert.equal(result.formPost.action.href, CALLBACK);
    assert.equal(result.formPost.method, 'post');
    assert.deepEqual(Object.keys(result.formPost.fields).sort(), ['id_token', 'state']);
    assert.equal(result.formPost.fields.state, authorizeUrl.searchParams.get('state'));
    assert.match(result.res.text, /\.submit\(\)|onload/i, 'the form submits itself');

    const done = await ua.request(result.formPost.action, { method: 'POST', form: result.formPost.fields });
    assert.equal(done.status, 302, `the app's POST /callback answered ${done.status}: ${done.text}\n${ua.describe()}`);

    const { user, idTokenClaims } = await profile(ua);
    assert.equal(user.sub, JANE.user_id);
    assert.equal(user.email, JANE.email);
    assert.deepEqual(user[USER_METADATA_CLAIM], JANE.user_metadata);
    assert.equal(idTokenClaims.nonce, authorizeUrl.searchParams.get('nonce'));
    assert.equal(idTokenClaims.aud, SPA_CLIENT_ID);
  });
});
