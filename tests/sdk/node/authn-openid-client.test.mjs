// openid-client 6 (oauth4webapi underneath), the certified generic OpenID Connect client:
// discovery, the code flow with PKCE, nonce and state through the hosted login page, userinfo,
// refresh, revocation, SSO and prompt=none, and RP-initiated logout via end_session_endpoint.
// oauth4webapi is strict: discovery issuer must equal the URL asked for, replies must be JSON,
// ID tokens must carry the nonce that was sent and nothing unexpected.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { API_AUDIENCE, mint } from './emulator.mjs';
import {
  APP_ORIGIN,
  CALLBACK,
  ISSUER,
  JANE,
  PASSWORD,
  PLAN_CLAIM,
  USERINFO_AUDIENCE,
  USER_METADATA_CLAIM,
  UserAgent,
  WEB_CLIENT,
  accessTokenClaims,
  BLOCKED,
  authorize,
  loginForCallback,
  loginForm,
} from './authn.mjs';

const TEST = { timeout: 30_000 };
let config;

function explain(err) {
  const parts = [];
  for (let e = err, depth = 0; e && depth < 5; e = e.cause, depth++) {
    const extra = e.error ? ` error=${e.error} error_description=${e.error_description}` : '';
    parts.push(`${e.name ?? ''} ${e.code ?? ''} ${e.message ?? JSON.stringify(e)}${extra}`.trim());
  }
  return parts.join(' <- ');
}

async function sdk(fn) {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof assert.AssertionError) throw err;
    throw new Error(explain(err), { cause: err });
  }
}

async function rejection(promise) {
  try {
    const res = await promise;
    assert.fail(`expected an error, got ${JSON.stringify(res)}`);
  } catch (err) {
    if (err instanceof assert.AssertionError) throw err;
    return err;
  }
}

/** A fresh authorization request: PKCE S256, nonce, state. */
async function authorizationRequest(params = {}) {
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const nonce = oidc.randomNonce();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: CALLBACK,
    scope: 'openid profile email',
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    nonce,
    state,
    ...params,
  });
  return { url, codeVerifier, nonce, state };
}

/** Logs Jane in through the hosted page and exchanges the code; returns tokens and the agent. */
async function janeCodeFlow(params = {}, ua = new UserAgent()) {
  const request = await authorizationRequest(params);
  const callback = await loginForCallback(ua, request.url, CALLBACK, { username: JANE.email, password: PASSWORD });
  assert.equal(callback.searchParams.get('state'), request.state, 'state is echoed verbatim');
  const tokens = await sdk(() =>
    oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: request.codeVerifier,
      expectedNonce: request.nonce,
      expectedState: request.state,
      idTokenExpected: true,
    }),
  );
  return { tokens, request, ua, callback };
}

before(async () => {
  config = await sdk(() => oidc.discovery(new URL(ISSUER), WEB_CLIENT.id, WEB_CLIENT.secret, undefined, { timeout: 10 }));
});

describe('openid-client: discovery', () => {
  it('finds every endpoint a code-flow client needs, on the issuer origin', TEST, () => {
    const meta = config.serverMetadata();
    assert.equal(meta.issuer, ISSUER);
    for (const [field, path] of [
      ['authorization_endpoint', 'authorize'],
      ['token_endpoint', 'oauth/token'],
      ['userinfo_endpoint', 'userinfo'],
      ['jwks_uri', '.well-known/jwks.json'],
      ['revocation_endpoint', 'oauth/revoke'],
      ['end_session_endpoint', 'oidc/logout'],
    ]) {
      assert.equal(meta[field], `${ISSUER}${path}`, `${field}: ${meta[field]}`);
    }
    assert.ok(meta.response_types_supported?.includes('code'), `response_types_supported: ${meta.response_types_supported}`);
    assert.ok(meta.code_challenge_methods_supported?.includes('S256'));
    assert.notEqual(meta.authorization_response_iss_parameter_supported, true, 'Auth0 adds no iss to callbacks');
  });
});

describe('openid-client: authorization code + PKCE through the hosted login page', () => {
  it('exchanges the code; the ID token carries the nonce, the user and the action claim', TEST, async () => {
    const { tokens, request } = await janeCodeFlow();
    const claims = tokens.claims();
    assert.equal(claims.iss, ISSUER);
    assert.equal(claims.aud, WEB_CLIENT.id);
    assert.equal(claims.sub, JANE.user_id);
    assert.equal(claims.nonce, request.nonce);
    assert.equal(claims.email, JANE.email);
    assert.equal(claims.name, JANE.name);
    assert.deepEqual(claims[USER_METADATA_CLAIM], JANE.user_metadata);
    assert.equal(typeof claims.sid, 'string', 'Auth0 ID tokens from a login carry sid');
    assert.ok(Number.isInteger(claims.auth_time), 'auth_time after an interactive login');
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    assert.equal(tokens.refresh_token, undefined, 'no refresh token without offline_access');
  });

  it('fetchUserInfo returns the same subject, email and action claim', TEST, async () => {
    const { tokens } = await janeCodeFlow();
    const info = await sdk(() => oidc.fetchUserInfo(config, tokens.access_token, tokens.claims().sub));
    assert.equal(info.sub, JANE.user_id);
    assert.equal(info.email, JANE.email);
    assert.deepEqual(info[USER_METADATA_CLAIM], JANE.user_metadata);
  });

  it('with audience + offline_access: an API token, then refreshTokenGrant, then revocation', TEST, async () => {
    const { tokens } = await janeCodeFlow({ scope: 'openid profile email offline_access', audience: API_AUDIENCE });
    const at = accessTokenClaims(tokens.access_token, API_AUDIENCE);
    assert.deepEqual(at.aud, [API_AUDIENCE, USERINFO_AUDIENCE]);
    assert.equal(at.azp, WEB_CLIENT.id);
    assert.equal(at[PLAN_CLAIM], JANE.plan);
    assert.deepEqual([...at.permissions].sort(), ['read:things', 'write:things']);
    assert.ok(tokens.scope.split(' ').includes('offline_access'), `scope: ${tokens.scope}`);
    assert.equal(typeof tokens.refresh_token, 'string', 'no refresh_token for offline_access');

    const refreshed = await sdk(() => oidc.refreshTokenGrant(config, tokens.refresh_token));
    assert.equal(accessTokenClaims(refreshed.access_token, API_AUDIENCE).sub, JANE.user_id);
    const refreshedId = refreshed.claims();
    assert.equal(refreshedId.sub, JANE.user_id);
    assert.equal(refreshedId.nonce, undefined, 'a refreshed ID token carries no nonce');

    await sdk(() => oidc.tokenRevocation(config, tokens.refresh_token, { token_type_hint: 'refresh_token' }));
    const err = await rejection(oidc.refreshTokenGrant(config, tokens.refresh_token));
    assert.equal(err.error, 'invalid_grant', explain(err));
    assert.equal(err.status, 403, explain(err));
  });

  it('refuses a wrong PKCE verifier: invalid_grant "Failed to verify code verifier"', TEST, async () => {
    const request = await authorizationRequest();
    const callback = await loginForCallback(new UserAgent(), request.url, CALLBACK, { username: JANE.email, password: PASSWORD });
    const err = await rejection(
      oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: oidc.randomPKCECodeVerifier(),
        expectedNonce: request.nonce,
        expectedState: request.state,
      }),
    );
    assert.equal(err.error, 'invalid_grant', explain(err));
    assert.equal(err.error_description, 'Failed to verify code verifier');
  });
});

describe('openid-client: fetchUserInfo failures', () => {
  it('a garbage or expired access token gets 401 with a Bearer challenge', TEST, async () => {
    const garbage = await rejection(oidc.fetchUserInfo(config, 'not-a-token', JANE.user_id));
    assert.equal(garbage.status ?? garbage.response?.status, 401, explain(garbage));

    const expired = await mint({
      kind: 'access',
      sub: JANE.user_id,
      client_id: WEB_CLIENT.id,
      audience: [API_AUDIENCE, USERINFO_AUDIENCE],
      scope: 'openid profile email',
      expires_in: '-1h',
    });
    const err = await rejection(oidc.fetchUserInfo(config, expired.token, JANE.user_id));
    assert.equal(err.status ?? err.response?.status, 401, explain(err));
    const challenge = err.response?.headers.get('www-authenticate') ?? '';
    assert.match(challenge, /^Bearer\b/i, `WWW-Authenticate: ${challenge}`);
    assert.match(challenge, /invalid_token/, `WWW-Authenticate: ${challenge}`);
  });
});

describe('openid-client: /authorize errors', () => {
  it('an unregistered redirect_uri is never redirected to', TEST, async () => {
    const request = await authorizationRequest({ redirect_uri: 'http://localhost:4000/callback' });
    const ua = new UserAgent();
    const res = await ua.follow(request.url);
    assert.ok(
      !(res.location && res.location.origin === 'http://localhost:4000'),
      `redirected to the unregistered URL ${res.location}\n${ua.describe()}`,
    );
    assert.ok(res.status >= 400, `status ${res.status}\n${ua.describe()}`);
  });

  it('a blocked user who logs in comes back with error=unauthorized "user is blocked" and the state', TEST, async () => {
    const request = await authorizationRequest();
    const ua = new UserAgent();
    const res = await authorize(ua, request.url, { username: BLOCKED.email, password: PASSWORD });
    assert.ok(res.callback, `expected a redirect to the callback\n${ua.describe()}`);
    assert.equal(res.callback.origin + res.callback.pathname, CALLBACK);
    assert.equal(res.callback.searchParams.get('error'), 'unauthorized');
    assert.equal(res.callback.searchParams.get('error_description'), 'user is blocked');
    assert.equal(res.callback.searchParams.get('state'), request.state);
    assert.equal(res.callback.searchParams.get('code'), null);
  });
});

describe('openid-client: the SSO session', () => {
  it('a second authorize reuses the session (no login page); prompt=none works too', TEST, async () => {
    const { ua } = await janeCodeFlow();
    const again = await authorizationRequest();
    const sso = await authorize(ua, again.url);
    assert.equal(sso.loginPageShown, false, `expected SSO\n${ua.describe()}`);
    assert.equal(sso.callback?.searchParams.get('state'), again.state);
    const tokens = await sdk(() =>
      oidc.authorizationCodeGrant(config, sso.callback, {
        pkceCodeVerifier: again.codeVerifier,
        expectedNonce: again.nonce,
        expectedState: again.state,
      }),
    );
    assert.equal(tokens.claims().sub, JANE.user_id);

    const silent = await authorizationRequest({ prompt: 'none' });
    const res = await authorize(ua, silent.url);
    assert.ok(res.callback?.searchParams.get('code'), `prompt=none with a session gave no code\n${ua.describe()}`);
  });

  it('prompt=login shows the login page even with a session', TEST, async () => {
    const { ua } = await janeCodeFlow();
    const again = await authorizationRequest({ prompt: 'login' });
    const page = await ua.follow(again.url);
    loginForm(ua, page);
  });

  it('prompt=none without a session redirects with error=login_required and the state', TEST, async () => {
    const ua = new UserAgent();
    const silent = await authorizationRequest({ prompt: 'none' });
    const res = await authorize(ua, silent.url);
    assert.ok(res.callback, `expected a redirect to the callback\n${ua.describe()}`);
    assert.equal(res.callback.origin + res.callback.pathname, CALLBACK);
    assert.equal(res.callback.searchParams.get('error'), 'login_required');
    assert.equal(res.callback.searchParams.get('state'), silent.state);
    assert.equal(res.callback.searchParams.get('code'), null);
  });

  it('buildEndSessionUrl → 302 to post_logout_redirect_uri with state; the session is gone', TEST, async () => {
    const { tokens, ua } = await janeCodeFlow();
    const url = oidc.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token,
      post_logout_redirect_uri: APP_ORIGIN,
      state: 'logout-state-1',
    });
    assert.equal(url.origin + url.pathname, `${ISSUER}oidc/logout`);
    const res = await ua.request(url);
    assert.equal(res.status, 302, `GET ${url.href} -> ${res.status}: ${res.text}\n${ua.describe()}`);
    assert.equal(res.location.origin, APP_ORIGIN);
    assert.ok(['/', ''].includes(res.location.pathname));
    assert.equal(res.location.searchParams.get('state'), 'logout-state-1');

    const silent = await authorizationRequest({ prompt: 'none' });
    const after = await authorize(ua, silent.url);
    assert.equal(after.callback?.searchParams.get('error'), 'login_required', `still logged in?\n${ua.describe()}`);
  });

  it('refuses a post_logout_redirect_uri that is not an allowed logout URL (no redirect there)', TEST, async () => {
    const { tokens, ua } = await janeCodeFlow();
    const url = oidc.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token,
      post_logout_redirect_uri: 'https://evil.example.test/',
    });
    const res = await ua.request(url);
    // Verified: no redirect to an unregistered URL. (Auth0 shows an error page there; its status
    // code is not pinned down by the reference, so it is not asserted.)
    assert.equal(res.location, null, `redirected to ${res.location}`);
    assert.ok(res.status < 300 || res.status >= 400, `status ${res.status}`);
  });
});

