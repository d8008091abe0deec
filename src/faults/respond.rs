//! The responses rules put in place of the real one: an HTTP error in the body of the surface
//! the path belongs to, Auth0's 429 with its rate-limit headers, and the slow-body wrapper.
//!
//! Error codes here are user data (a rule may ask for `mfa_required` or any code a test needs),
//! so the three bodies are rendered from wire structs with the surfaces' field names rather than
//! through the surfaces' error enums, whose codes are closed sets. Rate-limit responses have
//! fixed codes and go through those enums.

use std::future::Future as _;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use hyper::body::{Frame, SizeHint};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::authn::error::{AuthError, ErrorCode as AuthCode};
use crate::mgmt::error::{ErrorCode as MgmtCode, MgmtError};
use crate::paths;

/// Which error body a path's clients expect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// `{error, error_description}`
    Authentication,
    /// `{statusCode, error, message, errorCode}`
    Management,
    /// `/dbconnections/signup`: `{name, code, description, statusCode}`
    Signup,
}

impl Surface {
    pub fn of(path: &str) -> Self {
        if path == paths::MANAGEMENT_PREFIX || path.starts_with("/api/v2/") {
            Surface::Management
        } else if path == paths::SIGNUP {
            Surface::Signup
        } else {
            Surface::Authentication
        }
    }
}

#[derive(Serialize)]
struct AuthBody<'a> {
    error: &'a str,
    error_description: &'a str,
}

#[derive(Serialize)]
struct MgmtBody<'a> {
    #[serde(rename = "statusCode")]
    status_code: u16,
    error: &'a str,
    message: &'a str,
    #[serde(rename = "errorCode", skip_serializing_if = "Option::is_none")]
    error_code: Option<&'a str>,
}

#[derive(Serialize)]
struct SignupBody<'a> {
    name: &'a str,
    code: &'a str,
    description: &'a str,
    #[serde(rename = "statusCode")]
    status_code: u16,
}

/// An `error` action's response. `code` and `message` default from the status; `extra` fields
/// are added after the surface's own (which they never replace).
pub fn error(surface: Surface, status: StatusCode, code: Option<&str>, message: Option<&str>, extra: Map<String, Value>) -> Response {
    let reason = status.canonical_reason().unwrap_or("Error");
    let message = message.unwrap_or(reason);
    let body = match surface {
        Surface::Authentication => {
            let code = code.unwrap_or_else(|| default_auth_code(status));
            serde_json::to_value(AuthBody { error: code, error_description: message })
        }
        Surface::Management => {
            serde_json::to_value(MgmtBody { status_code: status.as_u16(), error: reason, message, error_code: code })
        }
        Surface::Signup => {
            let name = signup_name(reason);
            let code = code.unwrap_or(if status == StatusCode::BAD_REQUEST { "invalid_signup" } else { default_auth_code(status) });
            serde_json::to_value(SignupBody { name: &name, code, description: message, status_code: status.as_u16() })
        }
    };
    let mut body = body.unwrap_or(Value::Null);
    if let Value::Object(fields) = &mut body {
        for (key, value) in extra {
            fields.entry(key).or_insert(value);
        }
    }
    let mut response = (status, Json(body)).into_response();
    if surface == Surface::Management {
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
    }
    response
}

/// The OAuth-style code a status suggests (RFC 6749 §5.2 and Auth0's usage).
fn default_auth_code(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 | 403 => AuthCode::AccessDenied.as_str(),
        404 => AuthCode::NotFound.as_str(),
        405 => AuthCode::MethodNotAllowed.as_str(),
        413 => AuthCode::PayloadTooLarge.as_str(),
        429 => AuthCode::TooManyRequests.as_str(),
        502..=504 => "temporarily_unavailable",
        500..=599 => AuthCode::ServerError.as_str(),
        _ => AuthCode::InvalidRequest.as_str(),
    }
}

/// `Bad Request` → `BadRequestError`, `Internal Server Error` → `InternalServerError`.
fn signup_name(reason: &str) -> String {
    let name: String = reason.split_whitespace().collect();
    if name.ends_with("Error") {
        name
    } else {
        name + "Error"
    }
}

const AUTH_RATE_LIMIT_TEXT: &str =
    "Too many requests. Check the X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset headers.";

/// Auth0's 429 (reference §9): the Management API's "Global limit has been reached", the
/// Authentication API's `too_many_requests` (also used for signup, whose 429 body is not
/// documented).
pub fn too_many_requests(surface: Surface) -> Response {
    match surface {
        Surface::Management => {
            MgmtError::new(StatusCode::TOO_MANY_REQUESTS, "Global limit has been reached", Some(MgmtCode::TooManyRequests))
                .into_response()
        }
        Surface::Authentication | Surface::Signup => {
            AuthError::new(StatusCode::TOO_MANY_REQUESTS, AuthCode::TooManyRequests, AUTH_RATE_LIMIT_TEXT).into_response()
        }
    }
}

pub static X_RATELIMIT_LIMIT: HeaderName = HeaderName::from_static("x-ratelimit-limit");
pub static X_RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");
pub static X_RATELIMIT_RESET: HeaderName = HeaderName::from_static("x-ratelimit-reset");

/// Sets `x-ratelimit-limit/remaining/reset` (reset in epoch seconds) and, when given, `retry-after`.
pub fn rate_limit_headers(response: &mut Response, limit: u64, remaining: u64, reset_epoch_s: i64, retry_after_s: Option<u64>) {
    let headers = response.headers_mut();
    headers.insert(X_RATELIMIT_LIMIT.clone(), HeaderValue::from(limit));
    headers.insert(X_RATELIMIT_REMAINING.clone(), HeaderValue::from(remaining));
    headers.insert(X_RATELIMIT_RESET.clone(), HeaderValue::from(reset_epoch_s));
    if let Some(seconds) = retry_after_s {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
}

/// A response body sent `chunk` bytes at a time, `interval` apart (the first chunk at once).
pub struct Dribble {
    inner: Body,
    pending: Bytes,
    chunk: usize,
    interval: Duration,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl Dribble {
    pub fn wrap(response: Response, chunk: usize, interval: Duration) -> Response {
        let (parts, body) = response.into_parts();
        let dribble = Dribble { inner: body, pending: Bytes::new(), chunk: chunk.max(1), interval, sleep: None };
        Response::from_parts(parts, Body::new(dribble))
    }
}

impl HttpBody for Dribble {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = self.get_mut();
        loop {
            if let Some(sleep) = this.sleep.as_mut() {
                if sleep.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                this.sleep = None;
            }
            if !this.pending.is_empty() {
                let piece = this.pending.split_to(this.chunk.min(this.pending.len()));
                this.sleep = Some(Box::pin(tokio::time::sleep(this.interval)));
                return Poll::Ready(Some(Ok(Frame::data(piece))));
            }
            match Pin::new(&mut this.inner).poll_frame(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                    Ok(data) => this.pending = data,
                    Err(trailers) => return Poll::Ready(Some(Ok(trailers))),
                },
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.pending.is_empty() && self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        let inner = self.inner.size_hint();
        let pending = u64::try_from(self.pending.len()).unwrap_or(u64::MAX);
        let mut hint = SizeHint::new();
        hint.set_lower(inner.lower().saturating_add(pending));
        if let Some(upper) = inner.upper() {
            hint.set_upper(upper.saturating_add(pending));
        }
        hint
    }
}


#[cfg(test)]
mod tests {
    use super::*;

    async fn json(response: Response) -> serde_json::Value {
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16).await.expect("body");
        serde_json::from_slice(&bytes).expect("json")
    }

    #[tokio::test]
    async fn each_surface_gets_its_own_error_body() {
        let s503 = StatusCode::SERVICE_UNAVAILABLE;
        assert_eq!(
            json(error(Surface::of("/oauth/token"), s503, None, None, Map::new())).await,
            serde_json::json!({"error": "temporarily_unavailable", "error_description": "Service Unavailable"})
        );
        assert_eq!(
            json(error(Surface::of("/api/v2/users"), s503, Some("busy"), Some("try later"), Map::new())).await,
            serde_json::json!({"statusCode": 503, "error": "Service Unavailable", "message": "try later", "errorCode": "busy"})
        );
        assert_eq!(
            json(error(Surface::of("/dbconnections/signup"), StatusCode::BAD_REQUEST, None, Some("nope"), Map::new())).await,
            serde_json::json!({"name": "BadRequestError", "code": "invalid_signup", "description": "nope", "statusCode": 400})
        );
        assert_eq!(signup_name("Internal Server Error"), "InternalServerError");
    }

    #[tokio::test(start_paused = true)]
    async fn a_dribbled_body_arrives_in_timed_chunks() {
        let response = Dribble::wrap(Response::new(Body::from("abcdefghij")), 4, Duration::from_millis(100));
        let start = tokio::time::Instant::now();
        let mut body = response.into_body();
        let mut chunks = Vec::new();
        while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
            let data = frame.expect("frame").into_data().expect("data");
            chunks.push((String::from_utf8(data.to_vec()).expect("utf8"), start.elapsed().as_millis()));
        }
        assert_eq!(chunks, vec![("abcd".into(), 0), ("efgh".into(), 100), ("ij".into(), 200)]);
    }
}
