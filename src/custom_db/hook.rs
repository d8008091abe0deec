//! HTTP hooks: a script value that is an `http(s)://` URL. For teams whose legacy store is not in
//! JavaScript, and for the container image, which carries no Node.js.
//!
//! Each call is one `POST` of a JSON object: `action`, `connection`, `configuration`, and the
//! action's arguments by name ([`super::Action::params`]), e.g.
//! `{"action":"login","connection":"legacy","configuration":{},"email":"…","password":"…"}`.
//!
//! The answer:
//! - `2xx` with a JSON body: the value the script would pass to its callback — a profile for
//!   `login`/`get_user` (`null` or an empty body: not found), `true`/`false` for `verify` and
//!   `change_password`, anything for `create` and `delete`;
//! - any status with `{"error": {"name": "WrongUsernameOrPasswordError" | "ValidationError" |
//!   "UnauthorizedError" | …, "message": "…", "code": "user_exists"}}`: that error;
//! - anything else: a failed call naming the status.

use serde_json::{Map, Value};

use super::{Call, ScriptError};

/// The HTTP client, made on the first hook call (it loads the system's CA certificates, which
/// start-up doesn't need and a `scratch` container doesn't have).
#[derive(Default)]
pub struct Client {
    http: std::sync::OnceLock<Result<reqwest::Client, String>>,
}

/// A client trusting the system's CAs (`SSL_CERT_FILE` too); without any, one that can still call
/// `http://` hooks (an `https://` one then fails certificate verification, saying so).
fn build() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .build()
        .or_else(|system| {
            tracing::warn!(%system, "no system CA certificates: https hooks cannot be verified (set SSL_CERT_FILE); http hooks work");
            reqwest::Client::builder().tls_certs_only(Vec::<reqwest::Certificate>::new()).build()
        })
        .map_err(|e| format!("cannot make the HTTP client for hooks: {e}"))
}

impl Client {
    pub async fn call(&self, call: &Call<'_>) -> Result<Value, ScriptError> {
        let http = self.http.get_or_init(build).as_ref().map_err(|e| ScriptError::Runtime(e.clone()))?;
        let mut body = Map::new();
        body.insert("action".into(), call.action.key().into());
        body.insert("connection".into(), call.connection.into());
        body.insert("configuration".into(), Value::Object(call.configuration.clone()));
        for (name, arg) in call.action.params().iter().zip(&call.args) {
            body.insert((*name).into(), arg.clone());
        }
        let response = http.post(call.script).timeout(call.timeout).json(&body).send().await.map_err(|e| {
            if e.is_timeout() {
                ScriptError::Timeout(call.timeout)
            } else {
                ScriptError::Runtime(format!("the {} hook {} could not be reached: {e}", call.action.key(), call.script))
            }
        })?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| ScriptError::Runtime(format!("the {} hook's answer broke off: {e}", call.action.key())))?;
        let value: Option<Value> = if bytes.iter().all(u8::is_ascii_whitespace) { Some(Value::Null) } else { serde_json::from_slice(&bytes).ok() };
        if let Some(error) = value.as_ref().and_then(|v| v.get("error")).filter(|e| e.is_object()) {
            return Err(ScriptError::from_json(error));
        }
        match value {
            Some(value) if status.is_success() => Ok(value),
            Some(_) | None if status.is_success() => {
                Err(ScriptError::Failed(format!("the {} hook answered {status} with a body that is not JSON", call.action.key())))
            }
            _ => Err(ScriptError::Failed(format!("the {} hook answered {status}", call.action.key()))),
        }
    }
}
