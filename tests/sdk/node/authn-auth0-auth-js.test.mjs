// @auth0/auth0-auth-js, the replacement for node-auth0's AuthenticationClient: discovery-based
// grants (password + realm, client credentials, code + PKCE through the hosted login page,
// refresh), /userinfo, sign-up, revocation and the logout URL. Its token calls run through
// openid-client/oauth4webapi, which validate every ID token (issuer, audience, no unexpected
// nonce) and insist on JSON replies.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AuthClient } from '@auth0/auth0-auth-js';
import { API_AUDIENCE } from './emulator.mjs';
import {
  APP_ORIGIN,
  CALLBACK,
  DB_CONNECTION,
  DOMAIN,
  ISSUER,
  JANE,
  M2M_CLIENT,
  NEW_PASSWORD,
  PASSWORD,
  PLAN_CLAIM,
  USER_METADATA_CLAIM,
  UserAgent,
  WEB_CLIENT,
  accessTokenClaims,
  authorize,
  loginForCallback,
  loginForm,
  logout,
  parseForms,
  hiddenFields,
  uniqueEmail,
} from './authn.mjs';

const TEST = { timeout: 30_000 };
const webClient = new AuthClient({
  domain: DOMAIN,
  clientId: WEB_CLIENT.id,
  clientSecret: WEB_CLIENT.secret,
  authorizationParams: { redirect_uri: CALLBACK },
});
const m2mClient = new AuthClient({ domain: DOMAIN, clientId: M2M_CLIENT.id, clientSecret: M2M_CLIENT.secret });

async function rejection(promise) {
  try {
    const res = await promise;
    assert.fail(`expected an error, got ${JSON.stringify(res)}`);
  } catch (err) {
    if (err instanceof assert.AssertionError) throw err;
    return err;
  }
}

/** `err` and its causes, for failure messages (openid-client wraps the real reason). */
function explain(err) {
  const parts = [];
  for (let e = err, depth = 0; e && depth < 5; e = e.cause, depth++) {
    parts.push(`${e.name ?? ''} ${e.code ?? ''} ${e.message ?? JSON.stringify(e)}`.trim());
  }
  return parts.join(' <- ');
}

/** Runs `fn`; on failure, rethrows with the whole cause chain in the message. */
async function sdk(fn) {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof assert.AssertionError) throw err;
    throw new Error(explain(err), { cause: err });
  }
}

describe('auth0-auth-js: getTokenByPassword (grant_type=password with realm)', () => {
  it('returns tokens with validated ID-token claims, including the action claim', TEST, async () => {
    const tokens = await sdk(() =>
      webClient.getTokenByPassword({
        username: JANE.email,
        password: PASSWORD,
        realm: DB_CONNECTION,
        scope: 'openid profile email',
        audience: API_AUDIENCE,
      }),
    );
    assert.equal(tokens.claims.iss, ISSUER);
    assert.equal(tokens.claims.aud, WEB_CLIENT.id);
    assert.equal(tokens.claims.sub, JANE.user_id);
    assert.equal(tokens.claims.email, JANE.email);
    assert.equal(tokens.claims.nonce, undefined);
    assert.deepEqual(tokens.claims[USER_METADATA_CLAIM], JANE.user_metadata);
    const secondsLeft = tokens.expiresAt - Date.now() / 1000;
    assert.ok(secondsLeft > 86_000 && secondsLeft <= 86_400, `expiresAt is ${secondsLeft}s away`);
    const at = accessTokenClaims(tokens.accessToken, API_AUDIENCE);
    assert.equal(at.sub, JANE.user_id);
    assert.equal(at[PLAN_CLAIM], JANE.plan);
  });

  it('without realm, the tenant default directory is used', TEST, async () => {
    const tokens = await sdk(() =>
      webClient.getTokenByPassword({ username: JANE.email, password: PASSWORD, scope: 'openid email' }),
    );
    assert.equal(tokens.claims.sub, JANE.user_id);
  });

  it('reports a wrong password as invalid_grant "Wrong email or password."', TEST, async () => {
    const err = await rejection(
      webClient.getTokenByPassword({ username: JANE.email, password: 'wrong', realm: DB_CONNECTION }),
    );
    assert.equal(err.name, 'TokenByPasswordError', explain(err));
    assert.equal(err.cause?.error, 'invalid_grant', explain(err));
    assert.equal(err.cause?.error_description, 'Wrong email or password.');
  });
});

describe('auth0-auth-js: getUserInfo', () => {
  it('returns sub, email and the namespaced user_metadata claim', TEST, async () => {
    const tokens = await sdk(() =>
      webClient.getTokenByPassword({
        username: JANE.email,
        password: PASSWORD,
        realm: DB_CONNECTION,
        scope: 'openid profile email',
      }),
    );
    const info = await sdk(() => webClient.getUserInfo({ accessToken: tokens.accessToken, expectedSubject: JANE.user_id }));
    assert.equal(info.sub, JANE.user_id);
    assert.equal(info.email, JANE.email);
    assert.equal(info.email_verified, true);
    assert.deepEqual(info[USER_METADATA_CLAIM], JANE.user_metadata);
  });
});

describe('auth0-auth-js: getTokenByClientCredentials', () => {
  it('issues an M2M token for the API', TEST, async () => {
    const tokens = await sdk(() => m2mClient.getTokenByClientCredentials({ audience: API_AUDIENCE }));
    assert.equal(tokens.idToken, undefined);
    const at = accessTokenClaims(tokens.accessToken, API_AUDIENCE);
    assert.equal(at.sub, `${M2M_CLIENT.id}@clients`);
    assert.equal(at.gty, 'client-credentials');
    assert.deepEqual(at.scope.split(' ').sort(), ['read:things', 'write:things']);
  });
});

describe('auth0-auth-js: database.signUp', () => {
  it('signs up with userMetadata; the new user logs in and the action shows the metadata', TEST, async () => {
    const email = uniqueEmail('authjs');
    const user = await sdk(() =>
      webClient.database.signUp({
        email,
        password: NEW_PASSWORD,
        connection: DB_CONNECTION,
        userMetadata: { favourite_sdk: 'auth0-auth-js' },
      }),
    );
    assert.match(user.id ?? '', /^[0-9a-f]{24}$/, `id: ${JSON.stringify(user)}`);
    assert.equal(user.email, email);
    assert.equal(user.emailVerified, false);

    const tokens = await sdk(() =>
      webClient.getTokenByPassword({ username: email, password: NEW_PASSWORD, realm: DB_CONNECTION, scope: 'openid email' }),
    );
    assert.equal(tokens.claims.sub, `auth0|${user.id}`);
    assert.deepEqual(tokens.claims[USER_METADATA_CLAIM], { favourite_sdk: 'auth0-auth-js' });
  });
});

describe('auth0-auth-js: authorization code flow through the hosted login page', () => {
  it('buildAuthorizationUrl → login page → callback with code (no state) → getTokenByCode', TEST, async () => {
    const { authorizationUrl, codeVerifier } = await sdk(() =>
      webClient.buildAuthorizationUrl({ authorizationParams: { scope: 'openid profile email' } }),
    );
    assert.equal(authorizationUrl.origin + authorizationUrl.pathname, `${ISSUER}authorize`);
    assert.equal(authorizationUrl.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(authorizationUrl.searchParams.get('state'), null, 'auth0-auth-js sends no state');

    const ua = new UserAgent();
    const callback = await loginForCallback(ua, authorizationUrl, CALLBACK, { username: JANE.email, password: PASSWORD });
    assert.ok(callback.searchParams.get('code'), `no code in ${callback.href}`);
    assert.equal(callback.searchParams.get('state'), null, `a state the client never sent: ${callback.href}`);
    assert.equal(callback.searchParams.get('iss'), null, `an iss parameter discovery does not advertise: ${callback.href}`);

    const tokens = await sdk(() => webClient.getTokenByCode(callback, { codeVerifier }));
    assert.equal(tokens.claims.sub, JANE.user_id);
    assert.equal(tokens.claims.email, JANE.email);
    assert.deepEqual(tokens.claims[USER_METADATA_CLAIM], JANE.user_metadata);
    assert.equal(tokens.claims.nonce, undefined);
  });

  it('with audience and offline_access: refresh, revoke, and the revoked token is refused', TEST, async () => {
    const { authorizationUrl, codeVerifier } = await sdk(() =>
      webClient.buildAuthorizationUrl({
        authorizationParams: { scope: 'openid profile email offline_access', audience: API_AUDIENCE },
      }),
    );
    const ua = new UserAgent();
    const callback = await loginForCallback(ua, authorizationUrl, CALLBACK, { username: JANE.email, password: PASSWORD });
    const tokens = await sdk(() => webClient.getTokenByCode(callback, { codeVerifier }));
    const at = accessTokenClaims(tokens.accessToken, API_AUDIENCE);
    assert.equal(at.sub, JANE.user_id);
    assert.equal(at[PLAN_CLAIM], JANE.plan);
    assert.equal(typeof tokens.refreshToken, 'string', 'no refresh token for offline_access');

    const refreshed = await sdk(() => webClient.getTokenByRefreshToken({ refreshToken: tokens.refreshToken }));
    assert.equal(accessTokenClaims(refreshed.accessToken, API_AUDIENCE).sub, JANE.user_id);

    await sdk(() => webClient.revokeToken({ token: tokens.refreshToken }));
    const err = await rejection(webClient.getTokenByRefreshToken({ refreshToken: tokens.refreshToken }));
    assert.equal(err.cause?.error, 'invalid_grant', explain(err));
  });

  it('a code is single use: the second getTokenByCode fails with invalid_grant', TEST, async () => {
    const { authorizationUrl, codeVerifier } = await sdk(() => webClient.buildAuthorizationUrl());
    const ua = new UserAgent();
    const callback = await loginForCallback(ua, authorizationUrl, CALLBACK, { username: JANE.email, password: PASSWORD });
    await sdk(() => webClient.getTokenByCode(callback, { codeVerifier }));
    const err = await rejection(webClient.getTokenByCode(callback, { codeVerifier }));
    assert.equal(err.cause?.error, 'invalid_grant', explain(err));
    assert.equal(err.cause?.error_description, 'Invalid authorization code');
  });

  it('a wrong password re-renders the login page with an error and a 4xx, without redirecting', TEST, async () => {
    const { authorizationUrl } = await sdk(() => webClient.buildAuthorizationUrl());
    const ua = new UserAgent();
    const page = await ua.follow(authorizationUrl);
    const form = loginForm(ua, page);
    const action = new URL(form.attrs.action || page.url.href, page.url);
    const res = await ua.request(action, {
      method: 'POST',
      form: [...hiddenFields(form), ['username', JANE.email], ['password', 'wrong-password'], ['action', 'default']],
    });
    assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}\n${ua.describe()}`);
    assert.equal(res.location, null);
    assert.match(res.text, /Wrong email or password/i);
    assert.ok(parseForms(res.text).some((f) => f.inputs.some((i) => i.id === 'password')), 'the form is shown again');

    // The same transaction still completes with the right password.
    const retry = loginForm(ua, res);
    const ok = await ua.follow(new URL(retry.attrs.action || res.url.href, res.url), {
      method: 'POST',
      form: [...hiddenFields(retry), ['username', JANE.email], ['password', PASSWORD], ['action', 'default']],
    });
    assert.ok(ok.location?.href.startsWith(`${CALLBACK}?code=`), `after the retry: ${ok.status}\n${ua.describe()}`);
  });

  it('buildLogoutUrl ends the session: the next authorize shows the login page again', TEST, async () => {
    const ua = new UserAgent();
    const first = await sdk(() => webClient.buildAuthorizationUrl());
    await loginForCallback(ua, first.authorizationUrl, CALLBACK, { username: JANE.email, password: PASSWORD });

    const sso = await authorize(ua, (await webClient.buildAuthorizationUrl()).authorizationUrl);
    assert.equal(sso.loginPageShown, false, `the session should skip the login page\n${ua.describe()}`);
    assert.ok(sso.callback?.searchParams.get('code'), `SSO gave no code\n${ua.describe()}`);

    const logoutUrl = await sdk(() => webClient.buildLogoutUrl({ returnTo: APP_ORIGIN }));
    assert.equal(logoutUrl.origin, new URL(ISSUER).origin);
    const back = await logout(ua, logoutUrl);
    assert.equal(back.origin, APP_ORIGIN, `logout went to ${back}`);

    const after = await ua.follow((await webClient.buildAuthorizationUrl()).authorizationUrl);
    loginForm(ua, after);
  });
});
