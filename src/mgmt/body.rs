//! Management API request bodies and query strings, with Auth0's (hapi's) answers to bad input:
//! malformed JSON, non-object bodies, oversized payloads.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use serde_json::{Map, Value};

use super::error::{ErrorCode, MgmtError};

/// A JSON (or form-encoded) object body.
pub struct Body(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = MgmtError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                MgmtError::new(StatusCode::PAYLOAD_TOO_LARGE, "Payload content length greater than maximum allowed: 1048576", None)
            } else {
                MgmtError::new(StatusCode::BAD_REQUEST, "Invalid request payload input", None)
            }
        })?;
        if form {
            return Ok(Self(url::form_urlencoded::parse(&bytes).map(|(k, v)| (k.into_owned(), Value::String(v.into_owned()))).collect()));
        }
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(Self(map)),
            Ok(other) => Err(MgmtError::bad_request(
                format!("Payload validation error: 'Expected type object but found type {}'.", kind(&other)),
                ErrorCode::InvalidBody,
            )),
            Err(_) => Err(MgmtError::new(StatusCode::BAD_REQUEST, "Invalid request payload JSON format", None)),
        }
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Query parameters; decoding never fails (malformed escapes are kept as they are).
pub fn query(raw: Option<&str>) -> std::collections::HashMap<String, String> {
    url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}
