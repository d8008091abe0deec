//! Embedded login for Lock and auth0-js (sdk-notes §8, §3.10):
//!
//! - `GET /client/{client_id}.js`: the script Lock loads to learn the client's connections. It
//!   calls `Auth0.setClient({...})` with the shape of a real tenant's script (`id`, `tenant`,
//!   `subscription`, `authorize`, `callback`, `hasAllowedOrigins`, and `strategies` grouping the
//!   connections enabled for the client by strategy; database connections carry
//!   `passwordPolicy`, `showSignup`, `showForgot` and `requires_username`). Lock accepts the call
//!   only when `id` is the client id it asked for (`lib/core/client/settings.js`).
//! - `POST /co/authenticate` (cross-origin authentication, JSON `{client_id, username, password,
//!   realm, credential_type}`, CORS with credentials): checks the password like every other login
//!   and answers `{login_ticket, co_verifier, co_id}`; wrong credentials are `403
//!   access_denied` / `Wrong email or password.`, which Lock shows as such.
//! - `GET /authorize?…&login_ticket=…` then completes the flow with no page ([`redeem`]) and
//!   starts the session cookie.
//!
//! Decisions on unverified points: a ticket is single use, bound to its client and lives five
//! minutes; it alone proves the login (the emulator does not run Auth0's third-party-cookie
//! check, so `co_verifier`/`co_id` are random values nobody verifies). A client without
//! `cross_origin_authentication` gets `403 unauthorized_client` / `Cross origin login not
//! allowed.`; a request whose `Origin` is not one of the client's web or allowed origins gets
//! `403 access_denied` / `Origin … is not allowed.`; a request with no `Origin` (a server-side
//! test) is accepted. An unusable ticket is `access_denied` / `Invalid or expired login_ticket.`
//! through the response mode.

use std::sync::LazyLock;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use super::authorize::{self, Login};
use super::authorize_request::AuthorizeRequest;
use super::error::{AuthError, ErrorCode};
use super::params::Params;
use super::pending::Pending;
use super::token::login_error;
use super::{pages, session};
use crate::clock::Millis;
use crate::custom_db::flows;
use crate::paths;
use crate::state::AppState;
use crate::tenant::auth_store::Session;
use crate::tenant::login::{Attempt, LoginError};
use crate::tenant::{Tenant, TenantData};

/// How long a login ticket waits for `/authorize`.
pub const LOGIN_TICKET_LIFETIME_MS: Millis = 5 * 60 * 1000;

/// A password login waiting to be turned into an authorization response.
#[derive(Debug, Clone)]
pub struct LoginTicket {
    client_id: String,
    user_id: String,
    /// Epoch seconds.
    auth_time: i64,
}

pub static TICKETS: LazyLock<Pending<LoginTicket>> = LazyLock::new(Pending::new);

pub async fn client_script(State(state): State<AppState>, Path(script): Path<String>) -> Response {
    let not_found = || AuthError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "Not Found").into_response();
    let Some(client_id) = script.strip_suffix(".js") else { return not_found() };
    let tenant = state.tenant();
    let Some(config) = tenant.read(|data| client_config(tenant, data, client_id)) else { return not_found() };
    let mut response = format!("Auth0.setClient({});", pages::script_json(&config)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/javascript; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The object `/client/{id}.js` hands to `Auth0.setClient`.
pub fn client_config(tenant: &Tenant, data: &TenantData, client_id: &str) -> Option<Value> {
    let client = data.client(client_id)?;
    let mut strategies: Vec<(String, Vec<Value>)> = Vec::new();
    for connection in data.connections.iter().filter(|c| c.is_enabled_for(client_id)) {
        let mut entry = Map::new();
        entry.insert("name".into(), connection.name.clone().into());
        if connection.is_database() {
            let (policy, _) = connection.password_policy();
            entry.insert("passwordPolicy".into(), serde_json::to_value(policy).unwrap_or(Value::Null));
            if let Some(options) = &connection.options.password_complexity_options {
                entry.insert("password_complexity_options".into(), options.clone());
            }
            let signup_disabled = connection.options.other.get("disable_signup") == Some(&Value::Bool(true));
            entry.insert("showSignup".into(), (!signup_disabled).into());
            entry.insert("showForgot".into(), true.into());
            entry.insert("requires_username".into(), connection.requires_username().into());
        }
        match strategies.iter_mut().find(|(name, _)| *name == connection.strategy) {
            Some((_, list)) => list.push(Value::Object(entry)),
            None => strategies.push((connection.strategy.clone(), vec![Value::Object(entry)])),
        }
    }
    let host = tenant.domain.split(':').next().unwrap_or_default();
    Some(json!({
        "id": client.client_id,
        "tenant": host.split('.').next().unwrap_or(host),
        "subscription": "free",
        "authorize": tenant.url(paths::AUTHORIZE),
        "callback": client.callbacks.first().cloned().unwrap_or_default(),
        "hasAllowedOrigins": !client.allowed_origins.is_empty() || !client.web_origins.is_empty(),
        "strategies": strategies.into_iter().map(|(name, connections)| json!({"name": name, "connections": connections})).collect::<Vec<_>>(),
    }))
}

fn forbidden(code: ErrorCode, description: impl Into<String>) -> AuthError {
    AuthError::new(StatusCode::FORBIDDEN, code, description)
}

pub async fn co_authenticate(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Result<Params, AuthError>,
) -> Result<Response, AuthError> {
    let params = params?;
    let required = |name: &str| params.str(name).ok_or_else(|| AuthError::invalid_request(format!("Missing required parameter: {name}")));
    let client_id = required("client_id")?;
    let username = params
        .str("username")
        .or_else(|| params.str("email"))
        .ok_or_else(|| AuthError::invalid_request("Missing required parameter: username"))?;
    let password = required("password")?;
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let tenant = state.tenant();
    // The client first: a custom database's script only runs for a client allowed to log in here.
    let connection = tenant.read(|data| {
        let client = data.client(&client_id).ok_or_else(|| forbidden(ErrorCode::UnauthorizedClient, "invalid client"))?;
        if !client.cross_origin_authentication {
            return Err(forbidden(ErrorCode::UnauthorizedClient, "Cross origin login not allowed."));
        }
        if let Some(origin) = origin.as_deref().filter(|o| !client.allows_origin(o)) {
            return Err(forbidden(ErrorCode::AccessDenied, format!("Origin {origin} is not allowed.")));
        }
        params.str("realm").or_else(|| data.settings.default_directory.clone()).ok_or_else(|| {
            AuthError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::ServerError,
                "Authorization server not configured with default connection.",
            )
        })
    })?;
    let checked = flows::check_login(&state, &connection, &client_id, &username, &password).await;
    let now = state.clock().now_ms();
    let salt = state.rng().bytes::<16>();
    let ticket = tenant.write(|data| {
        let attempt =
            Attempt { connection: &connection, client_id: &client_id, username: &username, password: &password, now, rehash_salt: salt, checked };
        let user = data.login(&attempt).map_err(|e| match e {
            LoginError::WrongCredentials | LoginError::Rejected(_) => forbidden(ErrorCode::AccessDenied, e.to_string()),
            other => login_error(other),
        })?;
        Ok::<_, AuthError>(LoginTicket { client_id: client_id.clone(), user_id: user.user_id, auth_time: now.div_euclid(1000) })
    })?;
    let login_ticket = state.rng().alnum(32);
    TICKETS.insert(&tenant.issuer, login_ticket.clone(), ticket, now, LOGIN_TICKET_LIFETIME_MS);
    let body = json!({"login_ticket": login_ticket, "co_verifier": state.rng().alnum(32), "co_id": state.rng().alnum(12)});
    let mut response = Json(body).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// `/authorize` with a `login_ticket`: starts the session and completes the flow.
pub fn redeem(state: &AppState, request: &AuthorizeRequest, ticket: &str) -> Response {
    let tenant = state.tenant();
    let now = state.clock().now_ms();
    let Some(ticket) = TICKETS.take(&tenant.issuer, ticket, now).filter(|t| t.client_id == request.client_id) else {
        return request.target.error(ErrorCode::AccessDenied, "Invalid or expired login_ticket.");
    };
    let sid = state.rng().alnum(32);
    tenant.write(|data| data.auth.insert_session(sid.clone(), Session { user_id: ticket.user_id.clone(), auth_time: ticket.auth_time }));
    let login = Login { user_id: ticket.user_id, sid, auth_time: ticket.auth_time };
    authorize::finish(state, request, &login, Some(session::start(&login.sid)))
}
