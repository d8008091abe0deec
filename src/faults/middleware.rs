//! The axum middleware: reads what a request is, asks the tenant's rules what to do, awaits the
//! delay with no lock held, applies the action (or the rate limiter, or nothing), stamps
//! `x-emulator-fault`, and records the request in the journal.
//!
//! The control API (`/__emulator/*`) is never faulted, limited or journaled: tests must always
//! be able to reach it, and its calls would only clutter the journal.

use std::time::Duration;

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::connection::{ConnectionFault, ConnectionHandle};
use super::journal::Entry;
use super::matcher::RequestInfo;
use super::respond::{self, Dribble, Surface};
use super::rule::Action;
use super::{endpoint, request, Decision};
use crate::paths;
use crate::state::AppState;

/// Names the rules that touched a response, comma-separated in firing order.
pub static X_EMULATOR_FAULT: HeaderName = HeaderName::from_static("x-emulator-fault");

/// Endpoints whose body the journal reads (client, grant, user) even when no rule needs it.
const JOURNAL_BODY_ENDPOINTS: &[&str] =
    &["token", "revoke", "signup", "change_password", "passwordless_start", "co_authenticate"];

pub async fn faults(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path == paths::CONTROL_PREFIX || path.starts_with("/__emulator/") {
        return next.run(request).await;
    }
    let started = tokio::time::Instant::now();
    let arrived = state.clock().now_ms();
    let endpoint = request.extensions().get::<MatchedPath>().and_then(|m| endpoint::name(request.method(), m.as_str()));
    let rules = state.faults();
    let active = rules.is_active();
    let limiter = state.rate_limiter();
    let with_body = (active && rules.needs_body())
        || endpoint.as_deref().is_some_and(|e| JOURNAL_BODY_ENDPOINTS.contains(&e))
        || limiter.preset() != super::ratelimit::Preset::Off && path == paths::CHANGE_PASSWORD;
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
    let outcome = Outcome { arrived, started, delay_ms, fired };
    let surface = Surface::of(&info.path);
    let mut response = match action {
        None => pass(&state, &info, request, next).await,
        Some(Action::SlowBody { chunk_bytes, interval }) => {
            Dribble::wrap(pass(&state, &info, request, next).await, chunk_bytes, Duration::from_millis(interval))
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
    arrived: crate::clock::Millis,
    started: tokio::time::Instant,
    delay_ms: Option<u64>,
    fired: Vec<std::sync::Arc<str>>,
}

impl Outcome {
    /// Records the request: `Ok(status)`, or `Err(connection fault)` when no response was sent.
    fn record(self, state: &AppState, info: RequestInfo, result: Result<u16, &'static str>) {
        let user = info.email.or(info.username).or(info.subject);
        state.journal().record(Entry {
            seq: 0,
            time: self.arrived,
            method: info.method,
            path: info.path,
            endpoint: info.endpoint,
            client_id: info.client_id,
            grant_type: info.grant_type,
            audience: info.audience,
            user,
            status: result.ok(),
            latency_ms: u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX),
            delay_ms: self.delay_ms,
            faults: self.fired,
            connection_fault: result.err(),
        });
    }
}

/// The real handler, behind the rate limiter when one is configured.
async fn pass(state: &AppState, info: &RequestInfo, request: Request, next: Next) -> Response {
    let limiter = state.rate_limiter();
    if limiter.preset() == super::ratelimit::Preset::Off {
        return next.run(request).await;
    }
    let bearer = request.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    let Some(verdict) = limiter.take(info, bearer, state.clock().now_ms()) else {
        return next.run(request).await;
    };
    let mut response =
        if verdict.allowed { next.run(request).await } else { respond::too_many_requests(Surface::of(&info.path)) };
    respond::rate_limit_headers(&mut response, verdict.limit, verdict.remaining, verdict.reset_epoch_s, verdict.retry_after_s);
    response
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
