//! CORS for the endpoints browsers call (token, userinfo, revoke, signup, …). An origin is
//! allowed when some client of the tenant lists it in `web_origins` or `allowed_origins`; the
//! response then names that exact origin and allows credentials, as auth0-js and Lock need.
//! Preflights echo the requested headers (SDKs send `auth0-client`, `authorization`,
//! `content-type`, `dpop`) and set no `Access-Control-Max-Age`, so a fixed configuration is never
//! hidden behind a browser's preflight cache.

use std::convert::Infallible;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use tower::Service;

use crate::paths;
use crate::server::ResponseFuture;
use crate::state::AppState;

const ALLOWED_HEADERS: &str = "auth0-client, authorization, content-type, dpop";

/// The paths browsers call cross-origin. The layer wraps every route and the router's fallbacks
/// (so it answers preflights, which no route accepts) and leaves every other path alone.
const BROWSER_PATHS: &[&str] = &[paths::TOKEN, paths::USERINFO, paths::REVOKE, paths::SIGNUP, paths::CHANGE_PASSWORD, paths::PASSWORDLESS_START, paths::CO_AUTHENTICATE];

/// Adds CORS to the browser paths of `inner` (see the module docs). A service of its own rather
/// than `from_fn`: every other path goes straight through, and a browser path calls the route
/// without first cloning it.
#[derive(Clone)]
pub struct Cors<S> {
    inner: S,
    state: AppState,
}

impl<S> Cors<S> {
    pub fn new(inner: S, state: AppState) -> Self {
        Self { inner, state }
    }
}

impl<S> Service<Request> for Cors<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> ResponseFuture {
        if !BROWSER_PATHS.contains(&request.uri().path()) {
            return Box::pin(self.inner.call(request));
        }
        let allowed = request
            .headers()
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok())
            .filter(|o| self.state.tenant().read(|data| data.clients.iter().any(|c| c.allows_origin(o))))
            .and_then(|o| HeaderValue::from_str(o).ok());
        if request.method() == Method::OPTIONS && request.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD) {
            let requested = request.headers().get(header::ACCESS_CONTROL_REQUEST_HEADERS).cloned();
            return Box::pin(std::future::ready(Ok(preflight(allowed, requested))));
        }
        let answer = self.inner.call(request);
        Box::pin(async move {
            let mut response = answer.await?;
            if let Some(origin) = allowed {
                let h = response.headers_mut();
                h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
                h.insert(header::ACCESS_CONTROL_ALLOW_CREDENTIALS, HeaderValue::from_static("true"));
                h.append(header::VARY, HeaderValue::from_static("Origin"));
            }
            Ok(response)
        })
    }
}

/// The answer to a preflight: `204`, with the CORS headers when the origin is allowed.
fn preflight(allowed: Option<HeaderValue>, requested: Option<HeaderValue>) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Some(origin) = allowed {
        let h = response.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        h.insert(header::ACCESS_CONTROL_ALLOW_CREDENTIALS, HeaderValue::from_static("true"));
        h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST, OPTIONS"));
        h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, requested.unwrap_or(HeaderValue::from_static(ALLOWED_HEADERS)));
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    response
}
