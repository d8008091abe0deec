//! Request parameters for the Authentication API: JSON or form-encoded bodies (SDKs send both),
//! read into one map so every endpoint parses them the same way.
//!
//! JSON `null` means absent (auth0-python fills unset options with `null`); form values are
//! strings; a repeated form key keeps its last value. Typed views come from [`Params::parse`],
//! whose failures are `invalid_request` errors.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::error::{AuthError, ErrorCode};

#[derive(Debug, Clone, Default)]
pub struct Params(pub Map<String, Value>);

impl Params {
    /// Parses a body by its content type; anything but JSON is read as form-encoded, as Auth0 does.
    pub fn from_body(content_type: Option<&str>, body: &[u8]) -> Result<Self, AuthError> {
        let is_json = content_type.is_some_and(|ct| {
            let essence = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
            essence == "application/json" || essence.ends_with("+json")
        });
        let mut map = Map::new();
        if is_json {
            if body.iter().all(u8::is_ascii_whitespace) {
                return Ok(Self(map));
            }
            match serde_json::from_slice::<Value>(body) {
                Ok(Value::Object(object)) => map = object,
                Ok(_) => return Err(invalid("the request body must be a JSON object")),
                Err(e) => return Err(invalid(format!("invalid JSON body: {e}"))),
            }
            map.retain(|_, v| !v.is_null());
        } else {
            for (k, v) in url::form_urlencoded::parse(body) {
                map.insert(k.into_owned(), Value::String(v.into_owned()));
            }
        }
        Ok(Self(map))
    }

    /// From a query string (GET endpoints such as `/authorize` and `/v2/logout`).
    pub fn from_query(query: Option<&str>) -> Self {
        let mut map = Map::new();
        for (k, v) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            map.insert(k.into_owned(), Value::String(v.into_owned()));
        }
        Self(map)
    }

    /// A string parameter; numbers and booleans are accepted as their text, empty strings are absent.
    pub fn str(&self, key: &str) -> Option<String> {
        match self.0.get(key)? {
            Value::String(s) if s.is_empty() => None,
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// A typed view of the parameters.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, AuthError> {
        serde_json::from_value(Value::Object(self.0.clone())).map_err(|e| invalid(e.to_string()))
    }
}

fn invalid(description: impl Into<String>) -> AuthError {
    AuthError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidRequest, description)
}

impl<S: Send + Sync> FromRequest<S> for Params {
    type Rejection = AuthError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let body = Bytes::from_request(req, state).await.map_err(|rejection| {
            let status = rejection.status();
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                AuthError::new(status, ErrorCode::PayloadTooLarge, "Payload content length greater than maximum allowed: 1048576")
            } else {
                invalid(rejection.body_text())
            }
        })?;
        Self::from_body(content_type.as_deref(), &body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_nulls_are_absent_and_form_values_are_strings() {
        let json = Params::from_body(Some("application/json; charset=utf-8"), br#"{"a": "x", "b": null, "c": 5}"#).expect("json");
        assert_eq!(json.str("a").as_deref(), Some("x"));
        assert_eq!(json.str("b"), None);
        assert_eq!(json.str("c").as_deref(), Some("5"));
        let form = Params::from_body(Some("application/x-www-form-urlencoded"), b"a=x%20y&a=z&e=").expect("form");
        assert_eq!(form.str("a").as_deref(), Some("z"));
        assert_eq!(form.str("e"), None);
    }

    #[test]
    fn a_json_body_that_is_not_an_object_is_an_invalid_request() {
        let err = Params::from_body(Some("application/json"), b"[1]").expect_err("array");
        assert_eq!(err.code, ErrorCode::InvalidRequest);
        let err = Params::from_body(Some("application/json"), b"{oops").expect_err("syntax");
        assert_eq!(err.status, StatusCode::BAD_REQUEST);
    }
}
