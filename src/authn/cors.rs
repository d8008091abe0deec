//! CORS for the endpoints browsers call (token, userinfo, revoke, signup, …). An origin is
//! allowed when some client of the tenant lists it in `web_origins` or `allowed_origins`; the
//! response then names that exact origin and allows credentials, as auth0-js and Lock need.
//! Preflights echo the requested headers (SDKs send `auth0-client`, `authorization`,
//! `content-type`, `dpop`) and set no `Access-Control-Max-Age`, so a fixed configuration is never
//! hidden behind a browser's preflight cache.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::paths;
use crate::state::AppState;

const ALLOWED_HEADERS: &str = "auth0-client, authorization, content-type, dpop";

/// The paths browsers call cross-origin. The middleware wraps the whole router (so it answers
/// preflights before routing) and leaves every other path alone.
const BROWSER_PATHS: &[&str] = &[paths::TOKEN, paths::USERINFO, paths::REVOKE, paths::SIGNUP, paths::CHANGE_PASSWORD, paths::PASSWORDLESS_START, paths::CO_AUTHENTICATE];

pub async fn cors(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !BROWSER_PATHS.contains(&request.uri().path()) {
        return next.run(request).await;
    }
    let origin = request.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let allowed = origin
        .as_deref()
        .filter(|o| state.tenant().read(|data| data.clients.iter().any(|c| c.allows_origin(o))))
        .and_then(|o| HeaderValue::from_str(o).ok());
    if request.method() == Method::OPTIONS && request.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD) {
        let requested = request.headers().get(header::ACCESS_CONTROL_REQUEST_HEADERS).cloned();
        let mut response = StatusCode::NO_CONTENT.into_response();
        if let Some(origin) = allowed {
            let h = response.headers_mut();
            h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            h.insert(header::ACCESS_CONTROL_ALLOW_CREDENTIALS, HeaderValue::from_static("true"));
            h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST, OPTIONS"));
            h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, requested.unwrap_or(HeaderValue::from_static(ALLOWED_HEADERS)));
            h.insert(header::VARY, HeaderValue::from_static("Origin"));
        }
        return response;
    }
    let mut response = next.run(request).await;
    if let Some(origin) = allowed {
        let h = response.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        h.insert(header::ACCESS_CONTROL_ALLOW_CREDENTIALS, HeaderValue::from_static("true"));
        h.append(header::VARY, HeaderValue::from_static("Origin"));
    }
    response
}
