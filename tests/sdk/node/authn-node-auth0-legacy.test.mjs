// node-auth0's AuthenticationClient and UserInfoClient, which auth0@7 still ships as
// `auth0/legacy` (an alias of auth0@4.37.1): sign-up, password-realm and client-credentials
// grants, refresh and revocation, /userinfo, change_password. Every grant reply that carries an
// id_token is validated by the SDK itself (issuer https://DOMAIN/, JWKS signature, audience, and
// no nonce it did not ask for), so a passing grant already proves the ID token.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AuthenticationClient, UserInfoClient } from 'auth0/legacy';
import { API_AUDIENCE } from './emulator.mjs';
import {
  BLOCKED,
  DB_CONNECTION,
  DOMAIN,
  ISSUER,
  JANE,
  M2M_CLIENT,
  NEW_PASSWORD,
  PASSWORD,
  PLAN_CLAIM,
  USERINFO_AUDIENCE,
  USER_METADATA_CLAIM,
  WEB_CLIENT,
  accessTokenClaims,
  decodeJwt,
  uniqueEmail,
} from './authn.mjs';

const TEST = { timeout: 30_000 };
const webAuth = new AuthenticationClient({ domain: DOMAIN, clientId: WEB_CLIENT.id, clientSecret: WEB_CLIENT.secret });
const m2mAuth = new AuthenticationClient({ domain: DOMAIN, clientId: M2M_CLIENT.id, clientSecret: M2M_CLIENT.secret });
const userInfo = new UserInfoClient({ domain: DOMAIN });

/** Jane's password-realm grant; `extra` overrides fields, and a field set to undefined is left out. */
function janeGrant(extra = {}) {
  const body = {
    username: JANE.email,
    password: PASSWORD,
    realm: DB_CONNECTION,
    scope: 'openid profile email',
    audience: API_AUDIENCE,
    ...extra,
  };
  for (const key of Object.keys(body)) if (body[key] === undefined) delete body[key];
  return webAuth.oauth.passwordGrant(body);
}

/** Awaits a rejection and returns the error (an AuthApiError for Auth0 error bodies). */
async function rejection(promise) {
  try {
    const res = await promise;
    assert.fail(`expected an error, got ${res?.status}: ${JSON.stringify(res?.data)}`);
  } catch (err) {
    if (err instanceof assert.AssertionError) throw err;
    return err;
  }
}

describe('node-auth0 legacy: database.signUp', () => {
  it('creates a user with user_metadata; the reply has _id (mapped to id) and the email', TEST, async () => {
    const email = uniqueEmail('legacy');
    const { data, status } = await webAuth.database.signUp({
      email,
      password: NEW_PASSWORD,
      connection: DB_CONNECTION,
      user_metadata: { color: 'blue', plan_name: 'trial' },
    });
    assert.equal(status, 200);
    assert.match(data._id, /^[0-9a-f]{24}$/, `_id is the bare 24-hex id: ${JSON.stringify(data)}`);
    assert.equal(data.id, data._id);
    assert.equal(data.email, email);
    assert.equal(data.email_verified, false);

    // The new user logs in, and the post-login action copies the stored user_metadata into the ID token.
    const login = await webAuth.oauth.passwordGrant({
      username: email,
      password: NEW_PASSWORD,
      realm: DB_CONNECTION,
      scope: 'openid profile email',
    });
    const idToken = decodeJwt(login.data.id_token).payload;
    assert.equal(idToken.sub, `auth0|${data._id}`);
    assert.equal(idToken.email, email);
    assert.deepEqual(idToken[USER_METADATA_CLAIM], { color: 'blue', plan_name: 'trial' });
  });

  it('refuses a second sign-up with the same email: 400 user_exists', TEST, async () => {
    const err = await rejection(
      webAuth.database.signUp({ email: JANE.email, password: NEW_PASSWORD, connection: DB_CONNECTION }),
    );
    assert.equal(err.name, 'AuthApiError', String(err));
    assert.equal(err.statusCode, 400);
    assert.equal(err.error, 'user_exists');
    assert.equal(err.error_description, 'The user already exists.');
  });

  it('refuses user_metadata with a non-string value: 400', TEST, async () => {
    const err = await rejection(
      webAuth.database.signUp({
        email: uniqueEmail('meta'),
        password: NEW_PASSWORD,
        connection: DB_CONNECTION,
        user_metadata: { age: 42 },
      }),
    );
    assert.equal(err.statusCode, 400, String(err));
  });

  it('refuses a password the connection policy rejects: 400 invalid_password', TEST, async () => {
    const err = await rejection(
      webAuth.database.signUp({ email: uniqueEmail('weak'), password: 'abc', connection: DB_CONNECTION }),
    );
    assert.equal(err.name, 'AuthApiError', String(err));
    assert.equal(err.statusCode, 400);
    assert.equal(err.error, 'invalid_password');
    assert.equal(JSON.parse(err.body).name, 'PasswordStrengthError');
  });
});

describe('node-auth0 legacy: oauth.passwordGrant (password-realm)', () => {
  it('returns tokens whose ID token the SDK validated, with the action claims', TEST, async () => {
    const { data, status } = await janeGrant();
    assert.equal(status, 200);
    assert.equal(data.token_type, 'Bearer');
    assert.equal(data.expires_in, 86400);
    assert.equal(typeof data.id_token, 'string');
    assert.equal(data.refresh_token, undefined, 'no refresh token without offline_access');

    const { header, payload: id } = decodeJwt(data.id_token);
    assert.equal(header.alg, 'RS256');
    assert.equal(id.iss, ISSUER);
    assert.equal(id.aud, WEB_CLIENT.id);
    assert.equal(id.sub, JANE.user_id);
    assert.equal(id.email, JANE.email);
    assert.equal(id.email_verified, true);
    assert.equal(id.name, JANE.name);
    assert.equal(id.nonce, undefined, 'a password grant ID token has no nonce');
    assert.ok(Number.isInteger(id.iat) && Number.isInteger(id.exp), 'iat/exp are integers');
    assert.deepEqual(id[USER_METADATA_CLAIM], JANE.user_metadata);
    assert.equal(id[PLAN_CLAIM], undefined, 'the plan claim is an access-token claim');

    const at = accessTokenClaims(data.access_token, API_AUDIENCE);
    assert.deepEqual(at.aud, [API_AUDIENCE, USERINFO_AUDIENCE]);
    assert.equal(at.sub, JANE.user_id);
    assert.equal(at.azp, WEB_CLIENT.id);
    assert.equal(at.gty, 'password');
    for (const scope of ['openid', 'profile', 'email']) assert.ok(at.scope.split(' ').includes(scope), `scope: ${at.scope}`);
    assert.equal(at[PLAN_CLAIM], JANE.plan);
    assert.deepEqual([...at.permissions].sort(), ['read:things', 'write:things']);
  });

  it('answers a wrong password with 403 invalid_grant "Wrong email or password."', TEST, async () => {
    const err = await rejection(janeGrant({ password: 'not-the-password' }));
    assert.equal(err.name, 'AuthApiError', String(err));
    assert.equal(err.statusCode, 403);
    assert.equal(err.error, 'invalid_grant');
    assert.equal(err.error_description, 'Wrong email or password.');
    assert.equal(err.message, 'Wrong email or password.');
  });

  it('answers an unknown user exactly like a wrong password', TEST, async () => {
    const err = await rejection(janeGrant({ username: uniqueEmail('nobody') }));
    assert.equal(err.statusCode, 403);
    assert.equal(err.error, 'invalid_grant');
    assert.equal(err.error_description, 'Wrong email or password.');
  });

  it('answers a blocked user with 401 unauthorized "user is blocked"', TEST, async () => {
    const err = await rejection(janeGrant({ username: BLOCKED.email }));
    assert.equal(err.name, 'AuthApiError', String(err));
    assert.equal(err.statusCode, 401);
    assert.equal(err.error, 'unauthorized');
    assert.equal(err.error_description, 'user is blocked');
  });

  it('issues a refresh token for offline_access; refreshTokenGrant works until revokeRefreshToken', TEST, async () => {
    const { data } = await janeGrant({ scope: 'openid profile email offline_access' });
    assert.equal(typeof data.refresh_token, 'string', `no refresh_token: ${JSON.stringify(Object.keys(data))}`);

    const refreshed = await webAuth.oauth.refreshTokenGrant({ refresh_token: data.refresh_token });
    assert.equal(refreshed.status, 200);
    assert.equal(accessTokenClaims(refreshed.data.access_token, API_AUDIENCE).sub, JANE.user_id);
    assert.equal(decodeJwt(refreshed.data.id_token).payload.sub, JANE.user_id);

    const revoked = await webAuth.oauth.revokeRefreshToken({ token: data.refresh_token });
    assert.equal(revoked.status, 200);

    const err = await rejection(webAuth.oauth.refreshTokenGrant({ refresh_token: data.refresh_token }));
    assert.equal(err.statusCode, 403);
    assert.equal(err.error, 'invalid_grant');
    assert.equal(err.error_description, 'Unknown or invalid refresh token.');
  });
});

describe('node-auth0 legacy: UserInfoClient.getUserInfo', () => {
  it('returns sub, email and the namespaced user_metadata claim, not raw metadata', TEST, async () => {
    const { data: tokens } = await janeGrant();
    const { data, status } = await userInfo.getUserInfo(tokens.access_token);
    assert.equal(status, 200);
    assert.equal(data.sub, JANE.user_id);
    assert.equal(data.email, JANE.email);
    assert.equal(data.email_verified, true);
    assert.equal(data.name, JANE.name);
    assert.deepEqual(data[USER_METADATA_CLAIM], JANE.user_metadata);
    // OIDC-conformant /userinfo returns claims, never the raw profile (sdk-notes §7 D1).
    assert.equal(data.user_metadata, undefined);
    assert.equal(data.app_metadata, undefined);
  });

  it('works with the access token of a grant without audience (userinfo-only token)', TEST, async () => {
    const { data: tokens } = await janeGrant({ audience: undefined });
    const { data } = await userInfo.getUserInfo(tokens.access_token);
    assert.equal(data.sub, JANE.user_id);
    assert.equal(data.email, JANE.email);
  });

  it('rejects a garbage bearer token with 401', TEST, async () => {
    const err = await rejection(userInfo.getUserInfo('not-a-token'));
    assert.equal(err.statusCode, 401, String(err));
  });
});

describe('node-auth0 legacy: oauth.clientCredentialsGrant', () => {
  it('issues an M2M access token for https://api.example.test/ with the granted scopes', TEST, async () => {
    const { data, status } = await m2mAuth.oauth.clientCredentialsGrant({ audience: API_AUDIENCE });
    assert.equal(status, 200);
    assert.equal(data.token_type, 'Bearer');
    assert.equal(data.expires_in, 86400);
    assert.equal(data.id_token, undefined);
    const at = accessTokenClaims(data.access_token, API_AUDIENCE);
    assert.equal(at.aud, API_AUDIENCE, 'one audience is a string');
    assert.equal(at.sub, `${M2M_CLIENT.id}@clients`);
    assert.equal(at.azp, M2M_CLIENT.id);
    assert.equal(at.gty, 'client-credentials');
    assert.deepEqual(at.scope.split(' ').sort(), ['read:things', 'write:things']);
    assert.ok(Number.isInteger(at.iat) && at.exp - at.iat === 86400, `exp - iat = ${at.exp - at.iat}`);
  });

  it('refuses a wrong client secret with 401', TEST, async () => {
    const bad = new AuthenticationClient({ domain: DOMAIN, clientId: M2M_CLIENT.id, clientSecret: 'wrong-secret' });
    const err = await rejection(bad.oauth.clientCredentialsGrant({ audience: API_AUDIENCE }));
    assert.equal(err.statusCode, 401, String(err));
    assert.ok(['access_denied', 'invalid_client'].includes(err.error), `error=${err.error}`);
  });

  it('refuses an audience the client has no grant for with 403 access_denied', TEST, async () => {
    const err = await rejection(webAuth.oauth.clientCredentialsGrant({ audience: API_AUDIENCE }));
    assert.equal(err.statusCode, 403, String(err));
    assert.ok(['access_denied', 'unauthorized_client'].includes(err.error), `error=${err.error}`);
  });
});

describe('node-auth0 legacy: database.changePassword', () => {
  it('answers with the fixed sentence', TEST, async () => {
    const { data, status } = await webAuth.database.changePassword({ email: JANE.email, connection: DB_CONNECTION });
    assert.equal(status, 200);
    assert.equal(data, "We've just sent you an email to reset your password.");
  });
});
