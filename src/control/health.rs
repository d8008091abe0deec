//! `GET /__emulator/health`, `GET /__emulator/ca.pem` and `POST /__emulator/reset`.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use serde_json::json;

use super::error::{ControlError, ErrorCode};
use crate::state::AppState;

pub async fn health(State(state): State<AppState>) -> impl IntoResponse {
    let tenant = state.tenant();
    let users = tenant.read(|data| data.users.len());
    Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "domain": tenant.domain,
        "issuer": tenant.issuer,
        "users": users,
        "random_seed": state.random_seed(),
    }))
}

pub async fn ca_pem(State(state): State<AppState>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/x-pem-file")], state.ca_pem().to_string())
}

/// Puts the tenant back in its seeded state (users, clients, everything the APIs changed).
pub async fn reset(State(state): State<AppState>) -> Result<Json<serde_json::Value>, ControlError> {
    // Rebuilding a large tenant takes a while: keep it off the async workers. Seeds were
    // validated at start, so a rebuild cannot fail unless something is badly wrong.
    let worker = state.clone();
    tokio::task::spawn_blocking(move || worker.tenant().reset())
        .await
        .map_err(|e| ControlError::new(ErrorCode::Internal, e.to_string()))?
        .map_err(|e| ControlError::new(ErrorCode::Internal, e.to_string()))?;
    let users = state.tenant().read(|data| data.users.len());
    Ok(Json(json!({ "status": "reset", "users": users })))
}
