//! `GET /__emulator/outbox` and `DELETE /__emulator/outbox`: the messages Auth0 would have sent
//! (password-reset links, passwordless codes, …), for tests to read instead of a mailbox.
//!
//! `GET` answers `{"messages": [...]}`, newest last, optionally filtered by `to` (an address,
//! compared case-insensitively) and `kind` (`password_reset`, `passwordless_code`,
//! `passwordless_link`, `verify_email`); an unknown parameter or kind is a 400, so a typo never
//! reads as "no messages". `DELETE` empties the outbox (204); links in cleared messages stop
//! working, since reset tickets live in their messages.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use super::error::ControlError;
use crate::state::AppState;
use crate::tenant::outbox::MessageKind;

/// Kinds a filter may name.
const KINDS: [MessageKind; 4] =
    [MessageKind::PasswordReset, MessageKind::PasswordlessCode, MessageKind::PasswordlessLink, MessageKind::VerifyEmail];

pub async fn list(State(state): State<AppState>, RawQuery(query): RawQuery) -> Result<Json<Value>, ControlError> {
    let mut to: Option<String> = None;
    let mut kind: Option<MessageKind> = None;
    for (key, value) in url::form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes()) {
        match key.as_ref() {
            "to" => to = Some(value.into_owned()),
            "kind" => {
                let found = KINDS.into_iter().find(|k| kind_name(*k) == value);
                let names: Vec<String> = KINDS.into_iter().map(kind_name).collect();
                kind = Some(found.ok_or_else(|| {
                    ControlError::bad_request(format!("kind: expected one of {}, got {value:?}", names.join(", ")))
                })?);
            }
            other => return Err(ControlError::bad_request(format!("unknown query parameter {other:?} (use to, kind)"))),
        }
    }
    let messages: Vec<Value> = state.tenant().read(|data| {
        data.outbox
            .iter()
            .filter(|m| to.as_deref().is_none_or(|to| m.to.eq_ignore_ascii_case(to)))
            .filter(|m| kind.is_none_or(|kind| m.kind == kind))
            .filter_map(|m| serde_json::to_value(m).ok())
            .collect()
    });
    Ok(Json(json!({ "messages": messages })))
}

pub async fn clear(State(state): State<AppState>) -> StatusCode {
    state.tenant().write(|data| data.outbox.clear());
    StatusCode::NO_CONTENT
}

/// The wire name of a kind (`password_reset`).
fn kind_name(kind: MessageKind) -> String {
    match serde_json::to_value(kind) {
        Ok(Value::String(name)) => name,
        _ => String::new(),
    }
}
