//! `GET/POST /__emulator/clock`: read, freeze, advance, set and reset the virtual clock.

use axum::extract::State;
use serde::Deserialize;
use serde_json::{json, Value};

use super::error::ControlError;
use super::Json;
use crate::extract::JsonBody;
use crate::clock::{iso8601, parse_duration_ms, parse_iso8601, Clock};
use crate::state::AppState;

/// Every field optional; applied in the order reset, set, advance, freeze.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockUpdate {
    #[serde(default)]
    reset: bool,
    /// An ISO-8601 instant or epoch milliseconds.
    set: Option<Value>,
    /// A duration: seconds as a number, or a string such as `90s`, `15m`, `2h`, `-1d`.
    advance: Option<Value>,
    freeze: Option<bool>,
}

fn view(clock: &Clock) -> axum::Json<Value> {
    let status = clock.status();
    axum::Json(json!({
        "now": iso8601(status.now_ms),
        "now_ms": status.now_ms,
        "frozen": status.frozen,
        "offset_ms": status.offset_ms,
    }))
}

pub async fn status(State(state): State<AppState>) -> axum::Json<Value> {
    view(state.clock())
}

pub async fn update(State(state): State<AppState>, JsonBody(update, _): Json<ClockUpdate>) -> Result<axum::Json<Value>, ControlError> {
    let set_ms = match &update.set {
        None => None,
        Some(Value::Number(n)) => Some(n.as_i64().ok_or_else(|| ControlError::bad_request("set: epoch milliseconds must be an integer"))?),
        Some(Value::String(s)) => Some(parse_iso8601(s.as_str()).ok_or_else(|| ControlError::bad_request("set: not an ISO-8601 instant"))?),
        Some(_) => return Err(ControlError::bad_request("set: expected an ISO-8601 string or epoch milliseconds")),
    };
    let advance_ms = update.advance.as_ref().map(parse_advance).transpose()?;
    let clock = state.clock();
    if update.reset {
        clock.reset();
    }
    if let Some(ms) = set_ms {
        clock.set(ms);
    }
    if let Some(ms) = advance_ms {
        clock.advance(ms);
    }
    match update.freeze {
        Some(true) => clock.freeze(),
        Some(false) => clock.unfreeze(),
        None => {}
    }
    Ok(view(clock))
}

/// A duration for `advance`, also used by the token minting endpoint's `expires_in`.
pub fn parse_advance(value: &Value) -> Result<i64, ControlError> {
    match value {
        Value::Number(n) => n
            .as_i64()
            .and_then(|s| s.checked_mul(1000))
            .ok_or_else(|| ControlError::bad_request("duration: seconds must be an integer")),
        Value::String(s) => parse_duration_ms(s)
            .ok_or_else(|| ControlError::bad_request(format!("duration: cannot read {s:?} (use e.g. 90, \"15m\", \"2h\", \"-1d\")"))),
        _ => Err(ControlError::bad_request("duration: expected seconds or a string such as \"15m\"")),
    }
}
