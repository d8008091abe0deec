//! `POST /oauth/token`: client credentials, password and password-realm, authorization code
//! (with PKCE) and refresh token grants, with Auth0's exact error bodies (reference §3.3).
//!
//! Each grant decides its tokens inside one tenant lock (so a login and the tokens it yields are
//! one atomic step) and signs them after the lock is released.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::client_auth::{self, Credentials};
use super::error::{AuthError, ErrorCode};
use super::params::Params;
use crate::custom_db::flows;
use crate::state::AppState;
use crate::tenant::auth_store::GrantContext;
use crate::tenant::issue::{self, IssueRequest, RefreshPlan, Unsigned};
use crate::tenant::login::{Attempt, LoginError};
use crate::tenant::model::RotationType;
use crate::tenant::logs::{Event, EventType};
use crate::tenant::{Tenant, TenantData};

pub const PASSWORD_REALM: &str = "http://auth0.com/oauth/grant-type/password-realm";
pub const PASSWORDLESS_OTP: &str = "http://auth0.com/oauth/grant-type/passwordless/otp";

pub async fn token(State(state): State<AppState>, headers: HeaderMap, params: Params) -> Result<Response, AuthError> {
    let grant_type = params.str("grant_type").ok_or_else(|| AuthError::invalid_request("Missing required parameter: grant_type"))?;
    let credentials = client_auth::credentials(&headers, &params)?;
    let result = match grant_type.as_str() {
        "client_credentials" => client_credentials(&state, &credentials, &params),
        "password" | PASSWORD_REALM => password(&state, &grant_type, &credentials, &params).await,
        "authorization_code" => authorization_code(&state, &credentials, &params),
        "refresh_token" => refresh_token(&state, &credentials, &params),
        PASSWORDLESS_OTP => passwordless_otp(&state, &credentials, &params),
        other => {
            return Err(AuthError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::UnsupportedGrantType,
                format!("Unsupported grant type: {other}"),
            ))
        }
    };
    let unsigned = match result {
        Ok(unsigned) => unsigned,
        Err(e) => {
            log_failure(&state, &grant_type, &credentials, &params, &e);
            return Err(e);
        }
    };
    let signed = state.tenant().sign(unsigned).map_err(server_error)?;
    let mut response = Json(signed).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response.headers_mut().insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    Ok(response)
}

/// Records a failed exchange in the tenant log (`f`, `limit_wc`, `feccft`).
fn log_failure(state: &AppState, grant_type: &str, credentials: &Credentials, params: &Params, e: &AuthError) {
    let kind = match (grant_type, e.code) {
        ("client_credentials", _) => EventType::FailedClientCredentials,
        (_, ErrorCode::TooManyAttempts) => EventType::LimitWc,
        _ => EventType::Failed,
    };
    let event = Event {
        description: Some(e.description.clone()),
        client_id: Some(credentials.client_id.clone()),
        user_name: params.str("username"),
        connection: params.str("realm"),
        audience: params.str("audience"),
        ..Event::default()
    };
    state.tenant().logs.record(kind, event, state.rng().hex(24), state.clock().now_ms());
}

/// Records a successful exchange for a user.
fn log_user_success(state: &AppState, kind: EventType, client: &crate::tenant::model::Client, user: &crate::tenant::users::User, description: &str) {
    let event = Event {
        description: Some(description.into()),
        client_id: Some(client.client_id.clone()),
        client_name: Some(client.name.clone()),
        connection: Some(user.connection.clone()),
        user_id: Some(user.user_id.clone()),
        user_name: user.email.clone().or_else(|| user.username.clone()).or_else(|| user.phone_number.clone()),
        ..Event::default()
    };
    state.tenant().logs.record(kind, event, state.rng().hex(24), state.clock().now_ms());
}

fn server_error(e: impl std::fmt::Display) -> AuthError {
    AuthError::new(StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::ServerError, e.to_string())
}

fn access_denied(description: impl Into<String>) -> AuthError {
    AuthError::new(StatusCode::FORBIDDEN, ErrorCode::AccessDenied, description)
}

fn required(params: &Params, name: &str) -> Result<String, AuthError> {
    params.str(name).ok_or_else(|| AuthError::invalid_request(format!("Missing required parameter: {name}")))
}

/// The token-endpoint rendering of a failed login.
pub fn login_error(e: LoginError) -> AuthError {
    let text = e.to_string();
    match e {
        LoginError::WrongCredentials | LoginError::Rejected(_) => AuthError::invalid_grant(text),
        LoginError::Blocked | LoginError::Unauthorized(_) => AuthError::new(StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized, text),
        LoginError::ScriptFailed(_) => server_error(text),
        LoginError::TooManyAttempts => AuthError::new(StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyAttempts, text),
        LoginError::ConnectionNotFound | LoginError::ConnectionDisabled => AuthError::invalid_request(text),
    }
}

/// The API a token is for: the `audience` parameter, else the tenant's default audience.
fn resolve_audience(data: &TenantData, params: &Params) -> Result<Option<crate::tenant::model::ResourceServer>, AuthError> {
    let audience = params.str("audience").or_else(|| data.settings.default_audience.clone().filter(|a| !a.is_empty()));
    match audience {
        None => Ok(None),
        Some(aud) => data
            .resource_servers
            .iter()
            .find(|r| r.identifier == aud)
            .cloned()
            .map(Some)
            .ok_or_else(|| access_denied(format!("Service not found: {aud}"))),
    }
}

fn client_credentials(state: &AppState, credentials: &Credentials, params: &Params) -> Result<Unsigned, AuthError> {
    let tenant = state.tenant();
    let now = state.clock().now_ms();
    tenant.read(|data| {
        let client = client_auth::authenticate(data, credentials)?;
        if client.is_public() {
            return Err(AuthError::new(StatusCode::UNAUTHORIZED, ErrorCode::AccessDenied, "Unauthorized"));
        }
        client_auth::require_grant(&client, "client_credentials")?;
        let api = resolve_audience(data, params)?
            .ok_or_else(|| access_denied("No audience parameter was provided, and no default audience has been configured"))?;
        let grant = data
            .client_grants
            .iter()
            .find(|g| g.client_id == client.client_id && g.audience == api.identifier)
            .ok_or_else(|| {
                access_denied(format!(
                    "Client is not authorized to access \"{}\". You need to create a \"client-grant\" associated to this API. See: https://auth0.com/docs/api/v2#!/Client_Grants/post_client_grants",
                    api.identifier
                ))
            })?;
        let scope: Vec<String> = match params.str("scope") {
            Some(requested) => {
                let requested: Vec<&str> = requested.split_whitespace().collect();
                grant.scope.iter().filter(|s| requested.contains(&s.as_str())).cloned().collect()
            }
            None => grant.scope.clone(),
        };
        let event = Event {
            description: Some("Client Credentials for Access Token".into()),
            client_id: Some(client.client_id.clone()),
            client_name: Some(client.name.clone()),
            audience: Some(api.identifier.clone()),
            scope: Some(scope.join(" ")),
            ..Event::default()
        };
        tenant.logs.record(EventType::ClientCredentials, event, state.rng().hex(24), now);
        Ok(data.issue_for_client(&client, &api, &scope, &tenant.issuer, now))
    })
}

/// Random strings for opaque tokens, refresh tokens and their families.
fn refresh_plan(state: &AppState) -> RefreshPlan {
    RefreshPlan { token: format!("v1.{}", state.rng().alnum(64)), family: state.rng().alnum(16) }
}

fn issue_request<'a>(tenant: &'a Tenant, state: &AppState, now: i64, gty: Option<&'static str>) -> IssueRequest<'a> {
    IssueRequest { issuer: &tenant.issuer, now, gty, refresh: Some(refresh_plan(state)), opaque_token: state.rng().alnum(32) }
}

async fn password(state: &AppState, grant_type: &str, credentials: &Credentials, params: &Params) -> Result<Unsigned, AuthError> {
    let tenant = state.tenant();
    let username = required(params, "username")?;
    let password = required(params, "password")?;
    let realm = if grant_type == PASSWORD_REALM { Some(required(params, "realm")?) } else { params.str("realm") };
    // The client first: a custom database's script only runs for a client that may log users in.
    let (client, connection) = tenant.read(|data| {
        let client = client_auth::authenticate(data, credentials)?;
        client_auth::require_grant(&client, grant_type)?;
        let connection = realm.or_else(|| data.settings.default_directory.clone()).ok_or_else(|| {
            AuthError::new(StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::ServerError, "Authorization server not configured with default connection.")
        })?;
        Ok::<_, AuthError>((client, connection))
    })?;
    // A custom database checks the password with its own script, outside the tenant lock.
    let checked = flows::check_login(state, &connection, &client.client_id, &username, &password).await;
    let now = state.clock().now_ms();
    let request = issue_request(tenant, state, now, Some("password"));
    let salt = state.rng().bytes::<16>();
    tenant.write(|data| {
        let api = resolve_audience(data, params)?;
        let attempt =
            Attempt { connection: &connection, client_id: &client.client_id, username: &username, password: &password, now, rehash_salt: salt, checked };
        let user = data.login(&attempt).map_err(login_error)?;
        log_user_success(state, EventType::Success, &client, &user, "Successful login");
        issue_after_login(data, &client, &user, api, params, now, request)
    })
}

fn authorization_code(state: &AppState, credentials: &Credentials, params: &Params) -> Result<Unsigned, AuthError> {
    let tenant = state.tenant();
    let now = state.clock().now_ms();
    let code = required(params, "code")?;
    let request = issue_request(tenant, state, now, None);
    tenant.write(|data| {
        let client = client_auth::authenticate(data, credentials)?;
        client_auth::require_grant(&client, "authorization_code")?;
        let invalid = || AuthError::invalid_grant("Invalid authorization code");
        let stored = data.auth.take_code(&code, now).ok_or_else(invalid)?;
        if stored.grant.client_id != client.client_id {
            return Err(invalid());
        }
        if stored.redirect_uri.is_some() && stored.redirect_uri != params.str("redirect_uri") {
            return Err(AuthError::invalid_grant("Invalid redirect_uri"));
        }
        if let Some(challenge) = &stored.code_challenge {
            let verifier = params.str("code_verifier").ok_or_else(|| AuthError::invalid_grant("Failed to verify code verifier"))?;
            if !pkce_matches(challenge, stored.code_challenge_method.as_deref(), &verifier) {
                return Err(AuthError::invalid_grant("Failed to verify code verifier"));
            }
        } else if client.is_public() {
            return Err(AuthError::invalid_grant("Failed to verify code verifier"));
        }
        match data.users.get(&stored.grant.user_id) {
            None => return Err(invalid()),
            Some(u) if u.blocked == Some(true) => {
                return Err(AuthError::new(StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized, "user is blocked"))
            }
            Some(user) => log_user_success(state, EventType::CodeExchange, &client, user, "Authorization Code for Access Token"),
        }
        data.issue_for_user(&stored.grant, request).ok_or_else(invalid)
    })
}

fn passwordless_otp(state: &AppState, credentials: &Credentials, params: &Params) -> Result<Unsigned, AuthError> {
    let tenant = state.tenant();
    let now = state.clock().now_ms();
    let username = required(params, "username")?;
    let otp = required(params, "otp")?;
    let realm = required(params, "realm")?;
    let request = issue_request(tenant, state, now, None);
    let new_id = state.rng().hex(24);
    tenant.write(|data| {
        let client = client_auth::authenticate(data, credentials)?;
        client_auth::require_grant(&client, PASSWORDLESS_OTP)?;
        let api = resolve_audience(data, params)?;
        let to = if realm == "email" { username.trim().to_lowercase() } else { username.clone() };
        let user = data
            .passwordless_verify(&realm, &client.client_id, &to, &otp, new_id, now)
            .map_err(|e| AuthError::invalid_grant(e.to_string()))?;
        if user.blocked == Some(true) {
            return Err(AuthError::new(StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized, "user is blocked"));
        }
        log_user_success(state, EventType::Success, &client, &user, "Successful login");
        issue_after_login(data, &client, &user, api, params, now, request)
    })
}

/// Tokens for a user who just logged in through the back channel (password or OTP grants).
fn issue_after_login(
    data: &mut TenantData,
    client: &crate::tenant::model::Client,
    user: &crate::tenant::users::User,
    api: Option<crate::tenant::model::ResourceServer>,
    params: &Params,
    now: i64,
    request: IssueRequest<'_>,
) -> Result<Unsigned, AuthError> {
    let scope = issue::user_scope(data, client, user, api.as_ref(), params.str("scope").as_deref());
    let grant = GrantContext {
        client_id: client.client_id.clone(),
        user_id: user.user_id.clone(),
        scope,
        audience: api.map(|a| a.identifier),
        nonce: None,
        auth_time: now.div_euclid(1000),
        sid: None,
    };
    data.issue_for_user(&grant, request).ok_or_else(|| server_error("the user vanished during login"))
}

/// RFC 7636: `S256` is base64url(SHA-256(verifier)); `plain` is the verifier itself.
pub fn pkce_matches(challenge: &str, method: Option<&str>, verifier: &str) -> bool {
    use base64::Engine;
    match method.unwrap_or("plain") {
        "S256" => {
            let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes());
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest) == challenge
        }
        "plain" => verifier == challenge,
        _ => false,
    }
}

fn refresh_token(state: &AppState, credentials: &Credentials, params: &Params) -> Result<Unsigned, AuthError> {
    let tenant = state.tenant();
    let now = state.clock().now_ms();
    let token = required(params, "refresh_token")?;
    let plan = refresh_plan(state);
    let opaque = state.rng().alnum(32);
    tenant.write(|data| {
        let client = client_auth::authenticate(data, credentials)?;
        client_auth::require_grant(&client, "refresh_token")?;
        let unknown = || AuthError::invalid_grant("Unknown or invalid refresh token.");
        let stored = data.auth.refresh_token(&token).cloned().ok_or_else(unknown)?;
        if stored.grant.client_id != client.client_id {
            return Err(unknown());
        }
        if stored.rotated {
            // A rotated token used again: someone holds a stolen copy. Auth0 revokes the family.
            data.auth.revoke_family(&stored.family);
            return Err(unknown());
        }
        match data.users.get(&stored.grant.user_id) {
            None => return Err(AuthError::invalid_grant("The refresh_token was generated for a user who doesn't exist anymore.")),
            Some(u) if u.blocked == Some(true) => {
                return Err(AuthError::new(StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized, "user is blocked"))
            }
            Some(user) => log_user_success(state, EventType::RefreshExchange, &client, user, "Refresh Token for Access Token"),
        }
        let mut grant = stored.grant.clone();
        grant.nonce = None;
        if let Some(requested) = params.str("scope") {
            let requested: Vec<&str> = requested.split_whitespace().collect();
            grant.scope.retain(|s| requested.contains(&s.as_str()));
        }
        let rotating = client.refresh_token.rotation_type == RotationType::Rotating;
        if rotating {
            data.auth.mark_rotated(&token);
        }
        let refresh = rotating.then(|| RefreshPlan { token: plan.token, family: stored.family.clone() });
        // The stored grant keeps its full scope so a narrowed refresh can be widened back later.
        let mut unsigned = data
            .issue_for_user(&grant, IssueRequest { issuer: &tenant.issuer, now, gty: Some("refresh_token"), refresh: None, opaque_token: opaque })
            .ok_or_else(unknown)?;
        if let Some(plan) = refresh {
            data.auth.insert_refresh_token(
                plan.token.clone(),
                crate::tenant::auth_store::RefreshToken { grant: stored.grant.clone(), family: plan.family, rotated: false },
            );
            unsigned.refresh_token = Some(plan.token);
        }
        Ok(unsigned)
    })
}

#[cfg(test)]
mod tests {
    use super::pkce_matches;

    #[test]
    fn pkce_s256_matches_the_rfc_example() {
        // RFC 7636 appendix B.
        assert!(pkce_matches("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", Some("S256"), "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
        assert!(!pkce_matches("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", Some("S256"), "wrong"));
        assert!(pkce_matches("abc", None, "abc"));
        assert!(!pkce_matches("abc", Some("S512"), "abc"));
    }
}
