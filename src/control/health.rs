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
    crate::authn::forget_pending(&state.tenant().issuer);
    let users = state.tenant().read(|data| data.users.len());
    Ok(Json(json!({ "status": "reset", "users": users })))
}

/// `GET /__emulator/exports/{file}`: the gzipped file of a users-export job (its `location`).
/// The file name carries a random secret, as Auth0's pre-signed download URLs do.
pub async fn export_file(State(state): State<AppState>, axum::extract::Path(file): axum::extract::Path<String>) -> Result<axum::response::Response, ControlError> {
    let bytes = state.tenant().read(|data| {
        data.jobs.export_by_file(&file).and_then(|job| match &job.kind {
            crate::tenant::jobs::JobKind::Export { gzip, .. } => Some(gzip.clone()),
            crate::tenant::jobs::JobKind::Import { .. } => None,
        })
    });
    let bytes = bytes.ok_or_else(|| ControlError::new(ErrorCode::NotFound, format!("no export file {file}")))?;
    Ok(([(header::CONTENT_TYPE, "application/gzip")], bytes).into_response())
}
