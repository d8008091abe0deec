//! `GET/DELETE /api/v2/user-blocks/{id}` and `GET/DELETE /api/v2/user-blocks?identifier=…`:
//! brute-force blocks (too many failed logins), as opposed to the `blocked` attribute.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use super::auth::Caller;
use super::body;
use super::error::{ErrorCode, MgmtError};
use crate::state::AppState;
use crate::tenant::auth_store::BRUTE_FORCE_THRESHOLD;
use crate::tenant::users::User;
use crate::tenant::TenantData;

fn blocked_for(data: &TenantData, user: &User) -> Value {
    if data.auth.failures(&user.user_id) >= BRUTE_FORCE_THRESHOLD {
        let identifier = user.email.clone().or_else(|| user.username.clone()).unwrap_or_default();
        json!({"blocked_for": [{"identifier": identifier, "ip": "127.0.0.1", "connection": user.connection}]})
    } else {
        json!({"blocked_for": []})
    }
}

fn identifier_users<'a>(data: &'a TenantData, identifier: &str) -> Vec<&'a User> {
    data.users
        .iter()
        .filter(|u| u.email.as_deref() == Some(identifier) || u.username.as_deref() == Some(identifier) || u.phone_number.as_deref() == Some(identifier))
        .collect()
}

fn identifier(raw: Option<&str>) -> Result<String, MgmtError> {
    body::query(raw)
        .remove("identifier")
        .ok_or_else(|| MgmtError::bad_request("Query validation error: 'Missing required property: identifier' on property identifier.", ErrorCode::InvalidQueryString))
}

pub async fn get(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Value>, MgmtError> {
    caller.require_any(&["read:users"])?;
    state.tenant().read(|data| data.users.get(&id).map(|u| Json(blocked_for(data, u))).ok_or_else(MgmtError::user_not_found))
}

pub async fn delete(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<StatusCode, MgmtError> {
    caller.require_any(&["update:users"])?;
    state.tenant().write(|data| {
        data.users.get(&id).ok_or_else(MgmtError::user_not_found)?;
        data.auth.clear_failures(&id);
        Ok(StatusCode::NO_CONTENT)
    })
}

pub async fn get_by_identifier(State(state): State<AppState>, caller: Caller, RawQuery(raw): RawQuery) -> Result<Json<Value>, MgmtError> {
    caller.require_any(&["read:users"])?;
    let identifier = identifier(raw.as_deref())?;
    state.tenant().read(|data| {
        let mut blocks = Vec::new();
        for user in identifier_users(data, &identifier) {
            if let Some(list) = blocked_for(data, user)["blocked_for"].as_array() {
                blocks.extend(list.iter().cloned());
            }
        }
        Ok(Json(json!({"blocked_for": blocks})))
    })
}

pub async fn delete_by_identifier(State(state): State<AppState>, caller: Caller, RawQuery(raw): RawQuery) -> Result<StatusCode, MgmtError> {
    caller.require_any(&["update:users"])?;
    let identifier = identifier(raw.as_deref())?;
    state.tenant().write(|data| {
        let ids: Vec<String> = identifier_users(data, &identifier).iter().map(|u| u.user_id.clone()).collect();
        for id in ids {
            data.auth.clear_failures(&id);
        }
    });
    Ok(StatusCode::NO_CONTENT)
}
