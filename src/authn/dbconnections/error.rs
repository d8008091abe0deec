//! The signup endpoint's own error shapes. `/dbconnections/signup` does not answer with the
//! Authentication API's `{error, error_description}`; it uses (reference §3.1):
//!
//! - `{"name":"BadRequestError","code":"…","description":"…","statusCode":400}` for refusals such
//!   as `user_exists` and `invalid_signup`;
//! - `{"name":"PasswordStrengthError","message":"Password is too weak","code":"invalid_password",
//!   "description":{rules…},"policy":"…","statusCode":400}` when the connection's password policy
//!   fails;
//! - `{"code":"<text>","description":"<text>","statusCode":400}` for the signup-only
//!   `user_metadata` limits. **Unverified layout**: Auth0's texts (`invalid user_metadata type
//!   (expected object)`, `invalid user_metadata.<key> type (only strings are allowed)`) are known
//!   from auth0/auth0.js#843 and auth0/react-native-auth0#291, where auth0.js reported the text as
//!   both `code` and `description` and no `name` or `policy`; auth0.js takes `code` from `error`
//!   or `code` and `description` from `error_description`, `description` or `error`, so the body
//!   had no `name`. We send the text as both `code` and `description` so every SDK's error parser
//!   (`{error,…}` or `{code, description}`) surfaces it.
//!
//! A body over the size limit is a 413 in the same family:
//! `{"name":"PayloadTooLargeError","code":"payload_too_large","description":"…","statusCode":413}` (ours).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::Value;

use crate::authn::error::{AuthError, ErrorCode as AuthCode};
use crate::tenant::password_policy::PolicyFailure;
use crate::tenant::signup::SignupFailure;

/// Signup error codes; `Display` is the wire string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignupCode {
    /// Anything wrong with the request that has no more specific code.
    InvalidSignup,
    /// A user with this email already exists in the connection.
    UserExists,
    /// A user with this username already exists in the connection.
    UsernameExists,
    /// The password fails the connection's policy (`PasswordStrengthError`).
    InvalidPassword,
    /// The body is over the size limit.
    PayloadTooLarge,
}

impl SignupCode {
    pub fn as_str(self) -> &'static str {
        match self {
            SignupCode::InvalidSignup => "invalid_signup",
            SignupCode::UserExists => "user_exists",
            SignupCode::UsernameExists => "username_exists",
            SignupCode::InvalidPassword => "invalid_password",
            SignupCode::PayloadTooLarge => "payload_too_large",
        }
    }
}

impl std::fmt::Display for SignupCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A signup failure as the client sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignupError {
    /// `BadRequestError` with a code and a text.
    BadRequest { code: SignupCode, description: String },
    /// The connection's password policy refused the password.
    PasswordStrength(PolicyFailure),
    /// A `user_metadata` limit; the text is both code and description.
    UserMetadata(String),
    /// The body is over the size limit.
    PayloadTooLarge(String),
    /// A custom database's `create` script answered `ValidationError(code, message)`.
    Rejected { code: String, description: String },
}

impl SignupError {
    pub fn invalid_signup(description: impl Into<String>) -> Self {
        Self::BadRequest { code: SignupCode::InvalidSignup, description: description.into() }
    }
}

impl From<SignupFailure> for SignupError {
    fn from(failure: SignupFailure) -> Self {
        let description = failure.to_string();
        match failure {
            SignupFailure::UserExists => Self::BadRequest { code: SignupCode::UserExists, description },
            SignupFailure::UsernameExists => Self::BadRequest { code: SignupCode::UsernameExists, description },
            SignupFailure::WeakPassword(policy) => Self::PasswordStrength(policy),
            SignupFailure::UserMetadata(_) => Self::UserMetadata(description),
            SignupFailure::Rejected { code, message } => Self::Rejected { code, description: message },
            SignupFailure::Missing(_)
            | SignupFailure::UnknownClient
            | SignupFailure::ConnectionNotFound
            | SignupFailure::ConnectionDisabled
            | SignupFailure::InvalidEmail
            | SignupFailure::UsernameNotAllowed
            | SignupFailure::ScriptFailed(_) => Self::invalid_signup(description),
        }
    }
}

/// The body parser's rejections (malformed JSON, a JSON array, too large) in signup's shape.
impl From<AuthError> for SignupError {
    fn from(error: AuthError) -> Self {
        if error.code == AuthCode::PayloadTooLarge {
            Self::PayloadTooLarge(error.description)
        } else {
            Self::invalid_signup(error.description)
        }
    }
}

#[derive(Serialize)]
struct BadRequestBody<'a> {
    name: &'static str,
    code: &'a str,
    description: &'a str,
    #[serde(rename = "statusCode")]
    status_code: u16,
}

#[derive(Serialize)]
struct PasswordStrengthBody {
    name: &'static str,
    message: String,
    code: &'static str,
    description: Value,
    policy: String,
    #[serde(rename = "statusCode")]
    status_code: u16,
}

#[derive(Serialize)]
struct MetadataBody<'a> {
    code: &'a str,
    description: &'a str,
    #[serde(rename = "statusCode")]
    status_code: u16,
}

impl IntoResponse for SignupError {
    fn into_response(self) -> Response {
        let bad = StatusCode::BAD_REQUEST;
        match self {
            SignupError::BadRequest { code, description } => {
                let body = BadRequestBody { name: "BadRequestError", code: code.as_str(), description: &description, status_code: 400 };
                (bad, Json(body)).into_response()
            }
            SignupError::PasswordStrength(failure) => {
                let body = PasswordStrengthBody {
                    name: "PasswordStrengthError",
                    message: failure.to_string(),
                    code: SignupCode::InvalidPassword.as_str(),
                    description: failure.description(),
                    policy: failure.policy_text(),
                    status_code: 400,
                };
                (bad, Json(body)).into_response()
            }
            SignupError::Rejected { code, description } => {
                let body = BadRequestBody { name: "BadRequestError", code: &code, description: &description, status_code: 400 };
                (bad, Json(body)).into_response()
            }
            SignupError::UserMetadata(text) => {
                (bad, Json(MetadataBody { code: &text, description: &text, status_code: 400 })).into_response()
            }
            SignupError::PayloadTooLarge(description) => {
                let status = StatusCode::PAYLOAD_TOO_LARGE;
                let body = BadRequestBody {
                    name: "PayloadTooLargeError",
                    code: SignupCode::PayloadTooLarge.as_str(),
                    description: &description,
                    status_code: status.as_u16(),
                };
                (status, Json(body)).into_response()
            }
        }
    }
}
