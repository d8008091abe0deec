//! `POST /passwordless/start`: sends (to the outbox) a one-time code for an `email` or `sms`
//! connection; the code is exchanged with the `passwordless/otp` grant at `/oauth/token`.
//! Errors use the endpoint's dotted codes (`bad.connection`, `bad.email`, …; reference §3.10).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde_json::{json, Value};

use super::client_auth::{self, Credentials};
use super::error::{AuthError, ErrorCode};
use super::params::Params;
use crate::state::AppState;
use crate::tenant::passwordless::{Channel, PasswordlessError, Start};
use crate::tenant::seed::is_email;

fn bad(code: ErrorCode, description: impl Into<String>) -> AuthError {
    AuthError::new(StatusCode::BAD_REQUEST, code, description)
}

pub async fn start(State(state): State<AppState>, headers: HeaderMap, params: Params) -> Result<Json<Value>, AuthError> {
    let credentials = client_auth::credentials(&headers, &params)
        .map_err(|_| bad(ErrorCode::BadClientId, "Missing required property: client_id"))?;
    let connection = params.str("connection").ok_or_else(|| bad(ErrorCode::BadConnection, "Missing required property: connection"))?;
    match params.str("send").as_deref() {
        None | Some("code") => {}
        Some("link") => return Err(bad(ErrorCode::BadRequest, "send=link is not supported by the emulator; use send=code")),
        Some(_) => return Err(bad(ErrorCode::BadRequest, "send must be code or link")),
    }
    if params.0.get("authParams").is_some_and(|v| !v.is_object()) {
        return Err(bad(ErrorCode::BadRequest, "authParams must be an object"));
    }
    let email = params.str("email").map(|e| e.trim().to_lowercase());
    let phone = params.str("phone_number");
    let code = format!("{:06}", (state.rng().unit() * 1_000_000.0) as u32 % 1_000_000);
    let message_id = state.rng().alnum(16);
    let now = state.clock().now_ms();
    let id = state.rng().hex(24);
    state.tenant().write(|data| {
        client_auth::authenticate(data, &Credentials { client_id: credentials.client_id.clone(), secret: credentials.secret.clone() })
            .map_err(|e| if e.code == ErrorCode::UnauthorizedClient { bad(ErrorCode::BadClientId, "Unknown client.") } else { e })?;
        let channel = data
            .connections
            .iter()
            .find(|c| c.name == connection)
            .and_then(Channel::of)
            .ok_or_else(|| bad(ErrorCode::BadConnection, "Connection does not exist"))?;
        let to = match channel {
            Channel::Email => email.clone().filter(|e| is_email(e)).ok_or_else(|| bad(ErrorCode::BadEmail, "Missing required property: email"))?,
            Channel::Sms => phone
                .clone()
                .filter(|p| p.strip_prefix('+').is_some_and(|d| !d.is_empty() && d.len() <= 15 && d.bytes().all(|b| b.is_ascii_digit())))
                .ok_or_else(|| bad(ErrorCode::BadPhoneNumber, "String does not match pattern ^\\+[0-9]{1,15}$: phone_number"))?,
        };
        let start = Start { connection: &connection, client_id: &credentials.client_id, to: &to, code, message_id, link: None, now };
        data.passwordless_start(start).map_err(|e| match e {
            PasswordlessError::Disabled => bad(ErrorCode::BadConnection, e.to_string()),
            other => bad(ErrorCode::BadConnection, other.to_string()),
        })?;
        Ok(Json(match channel {
            Channel::Email => json!({"_id": id, "email": to, "email_verified": false}),
            Channel::Sms => json!({"_id": id, "phone_number": to, "phone_verified": false, "request_language": null}),
        }))
    })
}
