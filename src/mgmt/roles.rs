//! `/api/v2/roles`, `/api/v2/roles/{id}`, `…/permissions` and `…/users` (reference §5.9):
//! scope checks, then one call into the tenant's role domain. Role errors carry no `errorCode`,
//! as on Auth0 (`{"statusCode":404,"error":"Not Found","message":"The role does not exist."}`).

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use super::auth::Caller;
use super::body::{self, Body};
use super::error::{ErrorCode, MgmtError};
use super::pagination::{Envelope, Limits, Paging};
use crate::state::AppState;
use crate::tenant::roles_admin::RoleError;

impl From<RoleError> for MgmtError {
    fn from(e: RoleError) -> Self {
        let message = e.to_string();
        match e {
            RoleError::InvalidBody(_) | RoleError::NoScope { .. } => MgmtError::bad_request(message, ErrorCode::InvalidBody),
            RoleError::NoRole | RoleError::NoUsers => MgmtError::new(StatusCode::NOT_FOUND, message, None),
            RoleError::Exists => MgmtError::new(StatusCode::CONFLICT, message, None),
            RoleError::NoUser => MgmtError::user_not_found(),
            RoleError::NoResourceServer(_) => MgmtError::new(StatusCode::NOT_FOUND, message, Some(ErrorCode::InexistentResourceServer)),
        }
    }
}

pub async fn list(State(state): State<AppState>, caller: Caller, RawQuery(raw): RawQuery) -> Result<Json<Value>, MgmtError> {
    caller.require_any(&["read:roles"])?;
    let q = body::query(raw.as_deref());
    let paging = Paging::from_query(&q, Limits::OFFSET)?;
    let roles = state.tenant().read(|data| data.list_roles(q.get("name_filter").map(String::as_str)));
    Ok(Json(paging.respond(roles, "roles", Envelope::ItemsFirst, |r| r.id.clone())))
}

/// `POST /roles` answers 200, not 201, as Auth0 does.
pub async fn create(State(state): State<AppState>, caller: Caller, Body(body): Body) -> Result<Json<Value>, MgmtError> {
    caller.require_any(&["create:roles"])?;
    let id = format!("rol_{}", state.rng().alnum(16));
    let role = state.tenant().write(|data| data.create_role(&body, id))?;
    Ok(Json(json!(role)))
}

pub async fn get(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Value>, MgmtError> {
    caller.require_any(&["read:roles"])?;
    let role = state.tenant().read(|data| data.role(&id))?;
    Ok(Json(json!(role)))
}

pub async fn update(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, Body(body): Body) -> Result<Json<Value>, MgmtError> {
    caller.require_any(&["update:roles"])?;
    let role = state.tenant().write(|data| data.update_role(&id, &body))?;
    Ok(Json(json!(role)))
}

/// `DELETE /roles/{id}` answers 200 `{}`.
pub async fn delete(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Value>, MgmtError> {
    caller.require_any(&["delete:roles"])?;
    state.tenant().write(|data| data.delete_role(&id))?;
    Ok(Json(json!({})))
}

pub async fn permissions(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, RawQuery(raw): RawQuery) -> Result<Json<Value>, MgmtError> {
    caller.require_any(&["read:roles"])?;
    let paging = Paging::from_query(&body::query(raw.as_deref()), Limits::OFFSET)?;
    let permissions = state.tenant().read(|data| data.role_permissions(&id))?;
    Ok(Json(paging.respond(permissions, "permissions", Envelope::ItemsFirst, |p| p.permission_name.clone())))
}

/// `POST /roles/{id}/permissions` answers 201 `{}`.
pub async fn add_permissions(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, Body(body): Body) -> Result<(StatusCode, Json<Value>), MgmtError> {
    caller.require_any(&["update:roles"])?;
    state.tenant().write(|data| data.add_role_permissions(&id, &body))?;
    Ok((StatusCode::CREATED, Json(json!({}))))
}

/// `DELETE /roles/{id}/permissions` answers 204 (as recorded against Auth0).
pub async fn remove_permissions(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, Body(body): Body) -> Result<StatusCode, MgmtError> {
    caller.require_any(&["update:roles"])?;
    state.tenant().write(|data| data.remove_role_permissions(&id, &body))?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /roles/{id}/users`: offset pages, or checkpoint pages when `from` or `take` is given.
pub async fn users(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, RawQuery(raw): RawQuery) -> Result<Json<Value>, MgmtError> {
    caller.require_all(&["read:users", "read:roles"])?;
    let paging = Paging::from_query(&body::query(raw.as_deref()), Limits::CHECKPOINT)?;
    let members = state.tenant().read(|data| data.role_members(&id))?;
    Ok(Json(paging.respond(members, "users", Envelope::ItemsFirst, |m| m.user_id.clone())))
}

/// `POST /roles/{id}/users` answers 200 `{}`.
pub async fn assign_users(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, Body(body): Body) -> Result<Json<Value>, MgmtError> {
    caller.require_any(&["update:roles", "create:role_members"])?;
    state.tenant().write(|data| data.assign_role_users(&id, &body))?;
    Ok(Json(json!({})))
}
