//! The middleware, a tower layer on every route: reads what a request is, asks the tenant's
//! rules what to do, awaits the delay with no lock held, applies the action (or the rate
//! limiter, or nothing), stamps `x-emulator-fault`, and records the request in the journal.
//!
//! The control API (`/__emulator/*`) is never faulted, limited or journaled: tests must always
//! be able to reach it, and its calls would only clutter the journal.

use std::convert::Infallible;
use std::future::Future;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{MatchedPath, Request};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tower::Service;

use super::connection::{ConnectionFault, ConnectionHandle};
use super::journal::Entry;
use super::matcher::RequestInfo;
use super::respond::{self, Dribble, Surface};
use super::rule::Action;
use super::{endpoint, request, Decision};
use crate::paths;
use crate::server::ResponseFuture;
use crate::state::AppState;

/// Names the rules that touched a response, comma-separated in firing order.
pub static X_EMULATOR_FAULT: HeaderName = HeaderName::from_static("x-emulator-fault");

/// Endpoints whose body the journal reads (client, grant, user) even when no rule needs it.
const JOURNAL_BODY_ENDPOINTS: &[&str] =
    &["token", "revoke", "signup", "change_password", "passwordless_start", "co_authenticate"];

/// Endpoints that may run custom database scripts, whose calls the journal lists.
const SCRIPT_ENDPOINTS: &[&str] = &[
    "token", "co_authenticate", "signup", "change_password", "login_page", "signup_page", "reset_password_page",
    "mgmt.users.create", "mgmt.users.update", "mgmt.users.delete",
];

/// The custom database script calls of one request.
type ScriptCalls = std::sync::Arc<std::sync::Mutex<Vec<crate::custom_db::CallRecord>>>;

/// Faults, rate limits and the journal around `inner`. A service of its own rather than
/// `from_fn`: with no rule installed, no rate limits and no body to read — the common case — a
/// request goes straight to its route and is journaled when answered, with nothing cloned or
/// awaited in between.
#[derive(Clone)]
pub struct Faults<S> {
    inner: S,
    state: AppState,
}

impl<S> Faults<S> {
    pub fn new(inner: S, state: AppState) -> Self {
        Self { inner, state }
    }
}

impl<S> Service<Request> for Faults<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> ResponseFuture {
        let path = request.uri().path();
        if path == paths::CONTROL_PREFIX || path.starts_with("/__emulator/") {
            return Box::pin(self.inner.call(request));
        }
        let state = self.state.clone();
        let started = tokio::time::Instant::now();
        let endpoint = request.extensions().get::<MatchedPath>().and_then(|m| endpoint::name(request.method(), m.as_str()));
        let scripts = endpoint.as_deref().is_some_and(|e| SCRIPT_ENDPOINTS.contains(&e)).then(ScriptCalls::default);
        let arrival = Arrival { time: state.clock().now_ms(), started, scripts };
        let limited = state.rate_limiter().preset() != super::ratelimit::Preset::Off;
        let with_body = (state.faults().is_active() && state.faults().needs_body())
            || endpoint.as_deref().is_some_and(|e| JOURNAL_BODY_ENDPOINTS.contains(&e))
            || limited && path == paths::CHANGE_PASSWORD;
        if !state.faults().is_active() && !limited && !with_body {
            let info = request::read_head(&request, endpoint, &state.tenant().verified);
            let call = self.inner.call(request);
            return Box::pin(async move {
                let response = run(call, arrival.scripts.clone()).await;
                let outcome = Outcome { arrival, delay_ms: None, fired: Vec::new() };
                outcome.record(&state, info, Ok(response.status().as_u16()));
                Ok(response)
            });
        }
        // The call outlives `&mut self`: take the service that is ready, leave a clone.
        let ready = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, ready);
        Box::pin(async move { Ok(faults(state, request, inner, arrival, endpoint, with_body).await) })
    }
}

/// When a request arrived: on the virtual clock for the journal, in real time for its latency.
struct Arrival {
    time: crate::clock::Millis,
    started: tokio::time::Instant,
    /// Where the route's custom database script calls go, on the endpoints that may make some.
    scripts: Option<ScriptCalls>,
}

/// Rules, delays and rate limits: everything that may await before the route is called.
async fn faults<S>(state: AppState, request: Request, inner: S, arrival: Arrival, endpoint: Option<std::sync::Arc<str>>, with_body: bool) -> Response
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    let rules = state.faults();
    let active = rules.is_active();
    let connection = request.extensions().get::<ConnectionHandle>().cloned();
    let (request, info) = request::read(request, endpoint, with_body, &state.tenant().verified).await;
    let decision = if active { rules.decide(&info, request.headers(), state.rng()) } else { None };
    // Every lock is released here: the rule set's in `decide`, the RNG's in each draw.
    let Decision { fired, delay_ms, action } = decision.unwrap_or_default();
    if let Some(ms) = delay_ms.filter(|ms| *ms > 0) {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    if !fired.is_empty() {
        tracing::debug!(faults = ?fired, action = action.as_ref().map(Action::kind), delay_ms, "fault rules fired");
    }
    let outcome = Outcome { arrival, delay_ms, fired };
    let surface = Surface::of(&info.path);
    let mut response = match action {
        None => pass(&state, &info, request, inner, outcome.arrival.scripts.clone()).await,
        Some(Action::SlowBody { chunk_bytes, interval }) => {
            Dribble::wrap(pass(&state, &info, request, inner, outcome.arrival.scripts.clone()).await, chunk_bytes, Duration::from_millis(interval))
        }
        Some(Action::Error { status, error, message, extra }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            respond::error(surface, status, error.as_deref(), message.as_deref(), extra)
        }
        Some(Action::RateLimit { limit, reset_after }) => {
            let mut response = respond::too_many_requests(surface);
            let now = state.clock().now_ms();
            let reset_after_s = reset_after.div_ceil(1000);
            let reset = (now + i64::try_from(reset_after).unwrap_or(i64::MAX) + 999).div_euclid(1000);
            respond::rate_limit_headers(&mut response, u64::from(limit), 0, reset, Some(reset_after_s));
            response
        }
        Some(Action::Hang {}) => {
            outcome.record(&state, info, Err("hang"));
            match &connection {
                Some(connection) => connection.closing().await,
                None => std::future::pending::<()>().await,
            }
            return break_connection(connection.as_ref(), ConnectionFault::Close);
        }
        Some(action @ (Action::Reset {} | Action::Close {} | Action::Garbage { .. })) => {
            let fault = match action {
                Action::Garbage { bytes } => ConnectionFault::Garbage(garbage(&state, bytes)),
                Action::Reset {} => ConnectionFault::Reset,
                _ => ConnectionFault::Close,
            };
            outcome.record(&state, info, Err(action.kind()));
            return break_connection(connection.as_ref(), fault);
        }
    };
    if !outcome.fired.is_empty() {
        let ids = outcome.fired.iter().map(|id| &**id).collect::<Vec<_>>().join(", ");
        if let Ok(value) = HeaderValue::from_str(&ids) {
            response.headers_mut().insert(X_EMULATOR_FAULT.clone(), value);
        }
    }
    outcome.record(&state, info, Ok(response.status().as_u16()));
    response
}

/// What the journal needs beyond the request itself.
struct Outcome {
    arrival: Arrival,
    delay_ms: Option<u64>,
    fired: Vec<std::sync::Arc<str>>,
}

impl Outcome {
    /// Records the request: `Ok(status)`, or `Err(connection fault)` when no response was sent.
    fn record(self, state: &AppState, info: RequestInfo, result: Result<u16, &'static str>) {
        let user = info.email.or(info.username).or(info.subject);
        state.journal().record(Entry {
            seq: 0,
            time: self.arrival.time,
            method: info.method,
            path: info.path,
            endpoint: info.endpoint,
            client_id: info.client_id,
            grant_type: info.grant_type,
            audience: info.audience,
            user,
            status: result.ok(),
            latency_ms: u64::try_from(self.arrival.started.elapsed().as_millis()).unwrap_or(u64::MAX),
            delay_ms: self.delay_ms,
            faults: self.fired,
            connection_fault: result.err(),
            scripts: self.arrival.scripts.map(|calls| std::mem::take(&mut *calls.lock().unwrap_or_else(|p| p.into_inner()))).unwrap_or_default(),
        });
    }
}

/// The real handler, behind the rate limiter when one is configured.
async fn pass<S>(state: &AppState, info: &RequestInfo, request: Request, mut inner: S, scripts: Option<ScriptCalls>) -> Response
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    let limiter = state.rate_limiter();
    if limiter.preset() == super::ratelimit::Preset::Off {
        return run(inner.call(request), scripts).await;
    }
    let bearer = request.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    let Some(verdict) = limiter.take(info, bearer, state.clock().now_ms()) else {
        return run(inner.call(request), scripts).await;
    };
    let mut response =
        if verdict.allowed { run(inner.call(request), scripts).await } else { respond::too_many_requests(Surface::of(&info.path)) };
    respond::rate_limit_headers(&mut response, verdict.limit, verdict.remaining, verdict.reset_epoch_s, verdict.retry_after_s);
    response
}

/// The route's answer, with the custom database script calls it makes collected when asked to.
async fn run<F: Future<Output = Result<Response, Infallible>>>(call: F, scripts: Option<ScriptCalls>) -> Response {
    let result = match scripts {
        Some(calls) => crate::custom_db::collecting(calls, call).await,
        None => call.await,
    };
    match result {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

/// Arms the connection's fault; the placeholder returned is never written (the socket fails
/// first). Without a connection (the router driven in-process) the placeholder is all there is.
fn break_connection(connection: Option<&ConnectionHandle>, fault: ConnectionFault) -> Response {
    match connection {
        Some(connection) => {
            connection.arm(fault);
            Response::new(Body::empty())
        }
        None => (StatusCode::BAD_GATEWAY, "connection faults need a TCP connection").into_response(),
    }
}

/// `n` bytes from the seeded RNG, so a replayed run writes the same garbage.
fn garbage(state: &AppState, n: usize) -> axum::body::Bytes {
    let mut out = Vec::with_capacity(n + 32);
    while out.len() < n {
        out.extend_from_slice(&state.rng().bytes::<32>());
    }
    out.truncate(n);
    axum::body::Bytes::from(out)
}
