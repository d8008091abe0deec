//! `GET /authorize` (reference §3.4, sdk-notes §3.9, §5): checks the request
//! ([`super::authorize_request`]), then either answers at once from the login session — or from
//! a cross-origin `login_ticket` — or sends the browser to the hosted login page with the request
//! parked under a transaction id.
//!
//! - A usable session (not older than `max_age`, no `prompt=login`) completes the flow without a
//!   page; its user being blocked is `unauthorized` / `user is blocked`.
//! - No usable session with `prompt=none` is `login_required` / `Login required`.
//! - Otherwise `302 /u/login?state=<transaction>` (`/u/signup` with `screen_hint=signup`).
//!
//! Completing means deciding the answer under one tenant lock ([`decide`]: the authorization code
//! with its grant, or the front-channel tokens with `nonce`, `sid`, `auth_time`, `at_hash` and —
//! beside a code — `c_hash`) and signing after the lock is released ([`respond`]). Front-channel
//! responses never carry refresh tokens.

use std::sync::LazyLock;

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::authorize_request::{self, AuthorizeRequest};
use super::error::{AuthError, ErrorCode};
use super::params::Params;
use super::pending::Pending;
use super::response_mode::{found, ResponseParams};
use super::{embedded, pages, session};
use crate::clock::Millis;
use crate::paths;
use crate::state::AppState;
use crate::tenant::auth_store::{AuthorizationCode, GrantContext, CODE_LIFETIME_MS};
use crate::tenant::issue::{self, IssueRequest, Unsigned};
use crate::tenant::{Tenant, TenantData};

/// How long a parked request waits for the login page to be submitted.
const TRANSACTION_LIFETIME_MS: Millis = 60 * 60 * 1000;

/// Requests waiting on the login or signup page, by transaction id.
pub static TRANSACTIONS: LazyLock<Pending<AuthorizeRequest>> = LazyLock::new(Pending::new);

/// Who is logged in, for the answer being decided.
#[derive(Debug, Clone)]
pub struct Login {
    pub user_id: String,
    pub sid: String,
    /// Epoch seconds.
    pub auth_time: i64,
}

/// Random values drawn before the lock is taken.
pub struct Draws {
    code: String,
    opaque: String,
}

impl Draws {
    pub fn new(state: &AppState) -> Self {
        Self { code: state.rng().alnum(32), opaque: state.rng().alnum(32) }
    }
}

/// The answer, decided under the lock and not yet signed.
pub struct Decided {
    code: Option<String>,
    tokens: Option<Unsigned>,
}

pub async fn authorize(State(state): State<AppState>, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    let params = Params::from_query(query.as_deref());
    let tenant = state.tenant();
    let now = state.clock().now_ms();
    let request = match tenant.read(|data| authorize_request::parse(data, &params)) {
        Ok(request) => request,
        Err(rejection) => return rejection.into_response(),
    };
    if let Some(ticket) = &request.login_ticket {
        return embedded::redeem(&state, &request, ticket);
    }
    let current = tenant.read(|data| {
        session::current(data, &headers)
            .filter(|(_, s)| data.users.get(&s.user_id).is_some() && session::fresh_enough(s, request.max_age, now))
    });
    match current {
        Some((sid, s)) if !request.prompt_login => {
            finish(&state, &request, &Login { user_id: s.user_id, sid, auth_time: s.auth_time }, None)
        }
        _ if request.prompt_none => request.target.error(ErrorCode::LoginRequired, "Login required"),
        _ => park(&state, request, now),
    }
}

/// Parks the request and sends the browser to the login (or signup) page.
fn park(state: &AppState, request: AuthorizeRequest, now: Millis) -> Response {
    if request.connection.is_none() {
        let text = format!("No database connection is enabled for the client {}.", request.client_id);
        return pages::error_page(StatusCode::BAD_REQUEST, ErrorCode::InvalidRequest.as_str(), &text);
    }
    let page = if request.screen_hint_signup { paths::SIGNUP_PAGE } else { paths::LOGIN_PAGE };
    let id = state.rng().alnum(32);
    TRANSACTIONS.insert(&state.tenant().issuer, id.clone(), request, now, TRANSACTION_LIFETIME_MS);
    found(&format!("{page}?state={id}"))
}

/// Completes the flow for an existing login; `cookie` is a `Set-Cookie` to send along.
pub fn finish(state: &AppState, request: &AuthorizeRequest, login: &Login, cookie: Option<HeaderValue>) -> Response {
    let tenant = state.tenant();
    let draws = Draws::new(state);
    let now = state.clock().now_ms();
    let decided = tenant.write(|data| decide(data, &tenant.issuer, now, request, login, draws));
    respond(tenant, request, decided, cookie)
}

fn server_error(description: impl Into<String>) -> AuthError {
    AuthError::new(StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::ServerError, description)
}

/// Decides the code or tokens for `login`; call it under the tenant's write lock.
pub fn decide(
    data: &mut TenantData,
    issuer: &str,
    now: Millis,
    request: &AuthorizeRequest,
    login: &Login,
    draws: Draws,
) -> Result<Decided, AuthError> {
    let user = data
        .users
        .get(&login.user_id)
        .cloned()
        .ok_or_else(|| AuthError::new(StatusCode::FORBIDDEN, ErrorCode::LoginRequired, "Login required"))?;
    if user.blocked == Some(true) {
        return Err(AuthError::new(StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized, "user is blocked"));
    }
    let client = data.client(&request.client_id).cloned().ok_or_else(|| server_error("the client vanished during login"))?;
    let api = match &request.audience {
        None => None,
        Some(aud) => Some(
            data.resource_servers
                .iter()
                .find(|r| &r.identifier == aud)
                .cloned()
                .ok_or_else(|| AuthError::new(StatusCode::FORBIDDEN, ErrorCode::AccessDenied, format!("Service not found: {aud}")))?,
        ),
    };
    let grant = GrantContext {
        client_id: client.client_id.clone(),
        user_id: user.user_id.clone(),
        scope: issue::user_scope(data, &client, &user, api.as_ref(), request.scope.as_deref()),
        audience: api.map(|a| a.identifier),
        nonce: request.nonce.clone(),
        auth_time: login.auth_time,
        sid: Some(login.sid.clone()),
    };
    let rt = request.response_type;
    let code = rt.code.then(|| {
        let stored = AuthorizationCode {
            grant: grant.clone(),
            redirect_uri: request.redirect_uri_sent.then(|| request.target.redirect_uri.clone()),
            code_challenge: request.code_challenge.clone(),
            code_challenge_method: request.code_challenge_method.clone(),
            expires_at: now + CODE_LIFETIME_MS,
        };
        data.auth.insert_code(draws.code.clone(), stored, now);
        draws.code
    });
    let tokens = if rt.has_tokens() {
        let issue_request = IssueRequest { issuer, now, gty: None, refresh: None, opaque_token: draws.opaque };
        let mut unsigned = data.issue_for_user(&grant, issue_request).ok_or_else(|| server_error("the user vanished during login"))?;
        if !rt.id_token {
            unsigned.id = None;
        }
        unsigned.at_hash = rt.token && rt.id_token;
        if let (Some(code), Some((claims, _))) = (&code, &mut unsigned.id) {
            // OIDC hybrid flow: the ID token binds the code (oauth4webapi requires it).
            claims.insert("c_hash".into(), issue::at_hash(code).into());
        }
        Some(unsigned)
    } else {
        None
    };
    Ok(Decided { code, tokens })
}

/// Signs what [`decide`] chose (after the lock is released) and delivers it, or the error.
pub fn respond(tenant: &Tenant, request: &AuthorizeRequest, decided: Result<Decided, AuthError>, cookie: Option<HeaderValue>) -> Response {
    let mut response = match decided.and_then(|d| front_channel_params(tenant, request, d)) {
        Ok(params) => request.target.deliver(params),
        Err(error) => request.target.error(error.code, &error.description),
    };
    if let Some(cookie) = cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

fn front_channel_params(tenant: &Tenant, request: &AuthorizeRequest, decided: Decided) -> Result<ResponseParams, AuthError> {
    let rt = request.response_type;
    let mut params: ResponseParams = Vec::new();
    if let Some(code) = decided.code {
        params.push(("code", code));
    }
    if let Some(unsigned) = decided.tokens {
        let signed = tenant.sign(unsigned).map_err(|e| server_error(e.to_string()))?;
        if rt.token {
            params.push(("access_token", signed.access_token));
            if let Some(scope) = signed.scope {
                params.push(("scope", scope));
            }
            params.push(("expires_in", signed.expires_in.to_string()));
            params.push(("token_type", signed.token_type.to_string()));
        }
        if let Some(id_token) = signed.id_token.filter(|_| rt.id_token) {
            params.push(("id_token", id_token));
        }
    }
    Ok(params)
}
