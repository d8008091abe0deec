//! `/api/v2/users/{id}/roles` and `/api/v2/users/{id}/permissions` (reference §5.8): a user's
//! roles, and the permissions they hold directly (`source_type: "DIRECT"`) or through a role
//! (`"ROLE"`). Both kinds reach the `permissions` claim of the user's next token.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use super::auth::Caller;
use super::body::{self, Body};
use super::error::MgmtError;
use super::pagination::{Envelope, Limits, Paging};
use crate::state::AppState;

pub async fn roles(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, RawQuery(raw): RawQuery) -> Result<Json<Value>, MgmtError> {
    caller.require_all(&["read:users", "read:roles"])?;
    let paging = Paging::from_query(&body::query(raw.as_deref()), Limits::OFFSET)?;
    let roles = state.tenant().read(|data| data.user_roles(&id))?;
    Ok(Json(paging.respond(roles, "roles", Envelope::ItemsFirst, |r| r.id.clone())))
}

/// `POST /users/{id}/roles` answers 204.
pub async fn assign_roles(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, Body(body): Body) -> Result<StatusCode, MgmtError> {
    caller.require_any(&["update:users", "create:role_members"])?;
    state.tenant().write(|data| data.assign_user_roles(&id, &body))?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn remove_roles(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, Body(body): Body) -> Result<StatusCode, MgmtError> {
    caller.require_any(&["update:users", "delete:role_members"])?;
    state.tenant().write(|data| data.remove_user_roles(&id, &body))?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn permissions(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, RawQuery(raw): RawQuery) -> Result<Json<Value>, MgmtError> {
    caller.require_any(&["read:users"])?;
    let paging = Paging::from_query(&body::query(raw.as_deref()), Limits::OFFSET)?;
    let permissions = state.tenant().read(|data| data.user_permission_views(&id))?;
    Ok(Json(paging.respond(permissions, "permissions", Envelope::ItemsFirst, |p| p.permission_name.clone())))
}

/// `POST /users/{id}/permissions` answers 201 `{}`.
pub async fn add_permissions(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, Body(body): Body) -> Result<(StatusCode, Json<Value>), MgmtError> {
    caller.require_any(&["update:users"])?;
    state.tenant().write(|data| data.add_user_permissions(&id, &body))?;
    Ok((StatusCode::CREATED, Json(json!({}))))
}

pub async fn remove_permissions(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, Body(body): Body) -> Result<StatusCode, MgmtError> {
    caller.require_any(&["update:users"])?;
    state.tenant().write(|data| data.remove_user_permissions(&id, &body))?;
    Ok(StatusCode::NO_CONTENT)
}
