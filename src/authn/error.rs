//! The Authentication API's error type, rendered as Auth0 does:
//! `{"error": "...", "error_description": "..."}`.

use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

/// OAuth/Auth0 error codes; `Display` is the wire string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    InvalidScope,
    UnauthorizedClient,
    UnsupportedGrantType,
    UnsupportedResponseType,
    AccessDenied,
    Unauthorized,
    TooManyAttempts,
    TooManyRequests,
    LoginRequired,
    InvalidToken,
    ServerError,
    NotFound,
    MethodNotAllowed,
    PayloadTooLarge,
    /// `/passwordless/start`'s dotted codes.
    BadClientId,
    BadConnection,
    BadEmail,
    BadPhoneNumber,
    BadRequest,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::InvalidClient => "invalid_client",
            ErrorCode::InvalidGrant => "invalid_grant",
            ErrorCode::InvalidScope => "invalid_scope",
            ErrorCode::UnauthorizedClient => "unauthorized_client",
            ErrorCode::UnsupportedGrantType => "unsupported_grant_type",
            ErrorCode::UnsupportedResponseType => "unsupported_response_type",
            ErrorCode::AccessDenied => "access_denied",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::TooManyAttempts => "too_many_attempts",
            ErrorCode::TooManyRequests => "too_many_requests",
            ErrorCode::LoginRequired => "login_required",
            ErrorCode::InvalidToken => "invalid_token",
            ErrorCode::ServerError => "server_error",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::BadClientId => "bad.client_id",
            ErrorCode::BadConnection => "bad.connection",
            ErrorCode::BadEmail => "bad.email",
            ErrorCode::BadPhoneNumber => "bad.phone_number",
            ErrorCode::BadRequest => "bad.request",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub description: String,
}

impl AuthError {
    pub fn new(status: StatusCode, code: ErrorCode, description: impl Into<String>) -> Self {
        Self { status, code, description: description.into() }
    }

    /// 400 `invalid_request`, e.g. `Missing required parameter: code`.
    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidRequest, description)
    }

    /// 403 `invalid_grant`, e.g. `Wrong email or password.`
    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, ErrorCode::InvalidGrant, description)
    }
}

impl From<JsonRejection> for AuthError {
    fn from(rejection: JsonRejection) -> Self {
        let (status, code) = match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::PayloadTooLarge),
            _ => (StatusCode::BAD_REQUEST, ErrorCode::InvalidRequest),
        };
        Self::new(status, code, crate::extract::rejection_message(&rejection))
    }
}

impl IntoResponse for AuthError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.code.as_str(), "error_description": self.description });
        (self.status, Json(body)).into_response()
    }
}
