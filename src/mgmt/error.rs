//! The Management API's error type, rendered as Auth0 does:
//! `{"statusCode": 404, "error": "Not Found", "message": "...", "errorCode": "..."}`
//! (`errorCode` is absent on some errors, as on Auth0).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MgmtError {
    pub status: StatusCode,
    pub message: String,
    pub error_code: Option<&'static str>,
}

impl MgmtError {
    pub fn new(status: StatusCode, message: impl Into<String>, error_code: Option<&'static str>) -> Self {
        Self { status, message: message.into(), error_code }
    }
}

#[derive(Serialize)]
struct Body<'a> {
    #[serde(rename = "statusCode")]
    status_code: u16,
    error: &'a str,
    message: &'a str,
    #[serde(rename = "errorCode", skip_serializing_if = "Option::is_none")]
    error_code: Option<&'a str>,
}

impl IntoResponse for MgmtError {
    fn into_response(self) -> Response {
        let body = Body {
            status_code: self.status.as_u16(),
            error: self.status.canonical_reason().unwrap_or("Error"),
            message: &self.message,
            error_code: self.error_code,
        };
        let mut response = (self.status, Json(&body)).into_response();
        response.headers_mut().insert(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/json; charset=utf-8"),
        );
        response
    }
}
