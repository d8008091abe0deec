//! `/api/v2/client-grants` and `/api/v2/client-grants/{id}` (reference §5.10): what lets a
//! client get client-credentials tokens for an API, and with which scopes. One grant per client
//! and API (409 otherwise); a change applies to the next token request.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use super::auth::Caller;
use super::body::{self, Body};
use super::error::MgmtError;
use super::pagination::{Envelope, Limits, Paging};
use crate::state::AppState;

/// `GET /client-grants`, filtered by `audience` and `client_id`.
pub async fn list(State(state): State<AppState>, caller: Caller, RawQuery(raw): RawQuery) -> Result<Json<Value>, MgmtError> {
    caller.require_any(&["read:client_grants"])?;
    let q = body::query(raw.as_deref());
    let paging = Paging::from_query(&q, Limits::CHECKPOINT)?;
    let (audience, client_id) = (q.get("audience"), q.get("client_id"));
    let grants = state.tenant().read(|data| {
        data.client_grants
            .iter()
            .filter(|g| audience.is_none_or(|a| &g.audience == a) && client_id.is_none_or(|c| &g.client_id == c))
            .cloned()
            .collect::<Vec<_>>()
    });
    Ok(Json(paging.respond(grants, "client_grants", Envelope::TotalsFirst, |g| g.id.clone())))
}

pub async fn create(State(state): State<AppState>, caller: Caller, Body(body): Body) -> Result<(StatusCode, Json<Value>), MgmtError> {
    caller.require_any(&["create:client_grants"])?;
    let id = format!("cgr_{}", state.rng().alnum(16));
    let grant = state.tenant().write(|data| data.create_client_grant(&body, id))?;
    Ok((StatusCode::CREATED, Json(json!(grant))))
}

pub async fn get(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Value>, MgmtError> {
    caller.require_any(&["read:client_grants"])?;
    let grant = state.tenant().read(|data| data.client_grant(&id).map(|g| json!(g)))?;
    Ok(Json(grant))
}

pub async fn update(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, Body(body): Body) -> Result<Json<Value>, MgmtError> {
    caller.require_any(&["update:client_grants"])?;
    let grant = state.tenant().write(|data| data.update_client_grant(&id, &body))?;
    Ok(Json(json!(grant)))
}

/// `DELETE /client-grants/{id}` answers 204, also for a grant that is already gone.
pub async fn delete(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<StatusCode, MgmtError> {
    caller.require_any(&["delete:client_grants"])?;
    state.tenant().write(|data| data.delete_client_grant(&id));
    Ok(StatusCode::NO_CONTENT)
}
