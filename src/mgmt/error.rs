//! The Management API's error type, rendered as Auth0 does:
//! `{"statusCode": 404, "error": "Not Found", "message": "...", "errorCode": "..."}`
//! (`errorCode` is absent on some errors, and 401s carry `attributes`, as on Auth0).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

/// `errorCode` values; `Display` is the wire string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    InvalidBody,
    InvalidQueryString,
    InvalidUri,
    InsufficientScope,
    InexistentUser,
    InexistentConnection,
    InexistentClient,
    InexistentResourceServer,
    ConnectionConflict,
    Auth0IdpError,
    PasswordStrength,
    TooManyRequests,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidBody => "invalid_body",
            ErrorCode::InvalidQueryString => "invalid_query_string",
            ErrorCode::InvalidUri => "invalid_uri",
            ErrorCode::InsufficientScope => "insufficient_scope",
            ErrorCode::InexistentUser => "inexistent_user",
            ErrorCode::InexistentConnection => "inexistent_connection",
            ErrorCode::InexistentClient => "inexistent_client",
            ErrorCode::InexistentResourceServer => "inexistent_resource_server",
            ErrorCode::ConnectionConflict => "connection_conflict",
            ErrorCode::Auth0IdpError => "auth0_idp_error",
            ErrorCode::PasswordStrength => "PasswordStrengthError",
            ErrorCode::TooManyRequests => "too_many_requests",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MgmtError {
    pub status: StatusCode,
    pub message: String,
    pub error_code: Option<ErrorCode>,
    /// 401s repeat the message under `attributes.error`.
    pub attributes: bool,
}

impl MgmtError {
    pub fn new(status: StatusCode, message: impl Into<String>, error_code: Option<ErrorCode>) -> Self {
        Self { status, message: message.into(), error_code, attributes: false }
    }

    pub fn bad_request(message: impl Into<String>, code: ErrorCode) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message, Some(code))
    }

    /// 401 with `attributes`, as Auth0 answers token problems.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self { attributes: true, ..Self::new(StatusCode::UNAUTHORIZED, message, None) }
    }

    pub fn user_not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "The user does not exist.", Some(ErrorCode::InexistentUser))
    }
}

#[derive(Serialize)]
struct Attributes<'a> {
    error: &'a str,
}

#[derive(Serialize)]
struct Body<'a> {
    #[serde(rename = "statusCode")]
    status_code: u16,
    error: &'a str,
    message: &'a str,
    #[serde(rename = "errorCode", skip_serializing_if = "Option::is_none")]
    error_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    attributes: Option<Attributes<'a>>,
}

impl IntoResponse for MgmtError {
    fn into_response(self) -> Response {
        let body = Body {
            status_code: self.status.as_u16(),
            error: self.status.canonical_reason().unwrap_or("Error"),
            message: &self.message,
            error_code: self.error_code.map(ErrorCode::as_str),
            attributes: self.attributes.then_some(Attributes { error: &self.message }),
        };
        let mut response = (self.status, Json(&body)).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
        if self.status == StatusCode::UNAUTHORIZED {
            if let Ok(v) = HeaderValue::from_str(&format!("Bearer error=\"invalid_token\", error_description=\"{}\"", self.message.replace('"', "'"))) {
                response.headers_mut().insert(header::WWW_AUTHENTICATE, v);
            }
        }
        response
    }
}
