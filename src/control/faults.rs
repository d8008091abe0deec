//! `/__emulator/faults`: the tenant's fault rules at runtime.
//!
//! - `POST` takes one rule (JSON object), several (JSON array) or a compact `--fault` line (a
//!   JSON string) and answers 201 with the installed rule, or `{"faults": [...]}` for an array;
//!   all or nothing.
//! - `GET` lists `{"faults": [...]}` in evaluation order (priority, then insertion), each rule
//!   with its id and `matched`/`fired` counters; `GET /{id}` reads one.
//! - `DELETE` removes every rule, `DELETE /{id}` one (404 when unknown); both 204.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use super::error::{ControlError, ErrorCode};
use crate::faults::rule::Rule;
use crate::state::AppState;

pub async fn add(State(state): State<AppState>, body: Bytes) -> Result<(StatusCode, Json<Value>), ControlError> {
    let value: Value = serde_json::from_slice(&body).map_err(|e| {
        ControlError::bad_request(format!("expected a rule, an array of rules or a compact rule string as JSON: {e}"))
    })?;
    let many = value.is_array();
    let rules = Rule::list_from_json(value).map_err(|e| ControlError::bad_request(e.to_string()))?;
    let views = state.faults().add(rules, state.rng()).map_err(|e| ControlError::bad_request(e.to_string()))?;
    let body = if many {
        json!({ "faults": views })
    } else {
        views.into_iter().next().map(|v| json!(v)).unwrap_or(Value::Null)
    };
    Ok((StatusCode::CREATED, Json(body)))
}

pub async fn list(State(state): State<AppState>) -> Json<Value> {
    Json(json!({ "faults": state.faults().list() }))
}

pub async fn clear(State(state): State<AppState>) -> StatusCode {
    state.faults().clear();
    StatusCode::NO_CONTENT
}

pub async fn get(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Value>, ControlError> {
    state.faults().get(&id).map(|view| Json(json!(view))).ok_or_else(|| not_found(&id))
}

pub async fn delete(State(state): State<AppState>, Path(id): Path<String>) -> Result<StatusCode, ControlError> {
    if state.faults().remove(&id) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(not_found(&id))
    }
}

fn not_found(id: &str) -> ControlError {
    ControlError::new(ErrorCode::NotFound, format!("no fault rule with id {id:?}"))
}
