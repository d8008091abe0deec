//! `/api/v2/users`, `/api/v2/users/{id}` and `/api/v2/users-by-email` (reference §5.2–5.7):
//! scope checks, then one call into the tenant's user domain.

use std::collections::HashMap;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use super::auth::Caller;
use super::body::{self, Body};
use super::error::{ErrorCode, MgmtError};
use crate::custom_db::flows;
use crate::state::AppState;
use crate::tenant::logs::{Event, EventType};
use crate::tenant::search::{self, check_page_window};
use crate::tenant::user_admin::{AdminError, WriteContext};
use crate::tenant::user_search::Sort;
use crate::tenant::users::User;

/// Fields `fields=` may name (reference §5.6).
const FIELDS: &[&str] = &[
    "phone_number", "email", "email_verified", "picture", "username", "user_id", "name", "nickname", "created_at",
    "identities", "app_metadata", "user_metadata", "last_ip", "last_login", "logins_count", "updated_at", "blocked",
    "family_name", "given_name", "phone_verified", "last_password_reset",
];

impl From<AdminError> for MgmtError {
    fn from(e: AdminError) -> Self {
        let message = e.to_string();
        match e {
            AdminError::InvalidBody(_) => MgmtError::bad_request(message, ErrorCode::InvalidBody),
            AdminError::BadRequest(_) | AdminError::Script(_) => MgmtError::new(StatusCode::BAD_REQUEST, message, None),
            AdminError::WeakPassword => MgmtError::new(StatusCode::BAD_REQUEST, message, Some(ErrorCode::PasswordStrength)),
            AdminError::NoUser => MgmtError::user_not_found(),
            AdminError::Exists => MgmtError::new(StatusCode::CONFLICT, message, Some(ErrorCode::Auth0IdpError)),
        }
    }
}

/// Records a Management API write (`sapi`) in the tenant log.
fn log_api(state: &AppState, caller: &Caller, description: &str, user_id: &str) {
    let event = Event { description: Some(description.into()), client_id: caller.client_id.clone(), user_id: Some(user_id.into()), ..Event::default() };
    state.tenant().logs.record(EventType::ManagementApi, event, state.rng().hex(24), state.clock().now_ms());
}

fn write_context(state: &AppState) -> WriteContext {
    WriteContext { now: state.clock().now_ms(), new_id: state.rng().hex(24), salt: state.rng().bytes() }
}

/// `fields` / `include_fields`, validated.
struct Projection {
    fields: Vec<String>,
    include: bool,
}

impl Projection {
    fn from_query(q: &HashMap<String, String>) -> Result<Self, MgmtError> {
        let fields: Vec<String> = q.get("fields").map(|f| f.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()).unwrap_or_default();
        if let Some(bad) = fields.iter().find(|f| !FIELDS.contains(&f.as_str())) {
            return Err(MgmtError::bad_request(
                format!("Query validation error: 'String '{bad}' does not match pattern. Must be a comma separated list of the following values: {}' on property fields (Comma-separated list of fields to include or exclude (based on value provided for include_fields) in the result. Leave empty to retrieve all fields).", FIELDS.join(",")),
                ErrorCode::InvalidQueryString,
            ));
        }
        let include = match q.get("include_fields").map(String::as_str) {
            None | Some("true") => true,
            Some("false") => false,
            Some(other) => return Err(MgmtError::bad_request(format!("Query validation error: 'Expected type boolean but found type string' on property include_fields ({other})."), ErrorCode::InvalidQueryString)),
        };
        Ok(Self { fields, include })
    }

    fn render(&self, user: &User) -> Value {
        let mut value = serde_json::to_value(user.view()).unwrap_or(Value::Null);
        if !self.fields.is_empty() {
            if let Value::Object(map) = &mut value {
                map.retain(|k, _| self.fields.iter().any(|f| f == k) == self.include);
            }
        }
        value
    }
}

pub async fn create(State(state): State<AppState>, caller: Caller, Body(body): Body) -> Result<(StatusCode, Json<Value>), MgmtError> {
    caller.require_any(&["create:users"])?;
    let ctx = write_context(&state);
    let user = flows::create_user(&state, &body, ctx).await?;
    log_api(&state, &caller, "Create a User", &user.user_id);
    Ok((StatusCode::CREATED, Json(serde_json::to_value(user.view()).unwrap_or(Value::Null))))
}

pub async fn get(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, RawQuery(raw): RawQuery) -> Result<Json<Value>, MgmtError> {
    if !caller.has("read:users") && !caller.has("read:user_idp_tokens") {
        if caller.has("read:current_user") {
            caller.require_self(&id)?;
        } else {
            caller.require_any(&["read:users", "read:current_user", "read:user_idp_tokens"])?;
        }
    }
    let projection = Projection::from_query(&body::query(raw.as_deref()))?;
    state.tenant().read(|data| data.users.get(&id).map(|u| Json(projection.render(u))).ok_or_else(MgmtError::user_not_found))
}

pub async fn update(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, Body(body): Body) -> Result<Json<Value>, MgmtError> {
    // Narrower scopes narrow what may change (reference §5.4).
    let allowed: Option<&[&str]> = if caller.has("update:users") {
        None
    } else if caller.has("update:users_app_metadata") {
        Some(&["app_metadata"])
    } else if caller.has("update:current_user_metadata") || caller.has("create:current_user_metadata") {
        caller.require_self(&id)?;
        Some(&["user_metadata"])
    } else {
        caller.require_any(&["update:users", "update:users_app_metadata", "update:current_user_metadata"])?;
        None
    };
    if allowed.is_none() {
        // Only a full `update:users` caller can reach a custom database's scripts.
        flows::before_update(&state, &id, &body).await?;
    }
    let ctx = write_context(&state);
    let user = state.tenant().write(|data| data.update_user(&id, &body, allowed, ctx))?;
    log_api(&state, &caller, "Update a User", &user.user_id);
    Ok(Json(serde_json::to_value(user.view()).unwrap_or(Value::Null)))
}

pub async fn delete(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<StatusCode, MgmtError> {
    if !caller.has("delete:users") {
        if caller.has("delete:current_user") {
            caller.require_self(&id)?;
        } else {
            caller.require_any(&["delete:users", "delete:current_user"])?;
        }
    }
    flows::before_delete(&state, &id).await?;
    state.tenant().write(|data| data.delete_user(&id));
    log_api(&state, &caller, "Delete a User", &id);
    Ok(StatusCode::NO_CONTENT)
}

fn query_error(message: impl Into<String>) -> MgmtError {
    MgmtError::bad_request(message, ErrorCode::InvalidQueryString)
}

fn number(q: &HashMap<String, String>, name: &str, default: u64, max: u64) -> Result<u64, MgmtError> {
    match q.get(name) {
        None => Ok(default),
        Some(v) => match v.parse::<u64>() {
            Ok(n) if n <= max => Ok(n),
            _ => Err(query_error(format!("Query validation error: 'Invalid value {v}' on property {name}."))),
        },
    }
}

pub async fn list(State(state): State<AppState>, caller: Caller, RawQuery(raw): RawQuery) -> Result<Json<Value>, MgmtError> {
    caller.require_any(&["read:users", "read:user_idp_tokens"])?;
    let q = body::query(raw.as_deref());
    let page = number(&q, "page", 0, u64::from(u32::MAX))?;
    let per_page = number(&q, "per_page", 50, 100)?;
    let include_totals = q.get("include_totals").is_some_and(|v| v == "true");
    match q.get("search_engine").map(String::as_str) {
        None | Some("v3") => {}
        Some("v1") => return Err(query_error("You are not allowed to use search_engine=v1.")),
        Some("v2") => return Err(query_error("You are not allowed to use search_engine=v2. Use search_engine=v3 instead.")),
        Some(other) => return Err(query_error(format!("Query validation error: 'No enum match for: {other}' on property search_engine."))),
    }
    let query = match q.get("q").filter(|s| !s.trim().is_empty()) {
        Some(text) => Some(search::parse(text).map_err(|e| query_error(e.to_string()))?),
        None => None,
    };
    if query.is_some() {
        check_page_window(page, per_page).map_err(|e| query_error(e.to_string()))?;
    }
    let sort = match q.get("sort") {
        Some(s) => Some(Sort::parse(s).ok_or_else(|| query_error(format!("Query validation error: 'String does not match pattern ^(([a-zA-Z0-9_\\.]+))\\:(1|-1)$: {s}' on property sort.")))?),
        None => None,
    };
    let projection = Projection::from_query(&q)?;
    let (page_idx, per) = (usize::try_from(page).unwrap_or(usize::MAX), usize::try_from(per_page).unwrap_or(100));
    let (users, total) = state.tenant().read(|data| {
        let (found, total) = data.search_users(query.as_ref(), sort.as_ref(), page_idx, per);
        (found.into_iter().map(|u| projection.render(u)).collect::<Vec<Value>>(), total)
    });
    if include_totals {
        Ok(Json(json!({"start": page * per_page, "limit": per_page, "length": users.len(), "users": users, "total": total})))
    } else {
        Ok(Json(Value::Array(users)))
    }
}

pub async fn by_email(State(state): State<AppState>, caller: Caller, RawQuery(raw): RawQuery) -> Result<Json<Value>, MgmtError> {
    caller.require_any(&["read:users"])?;
    let q = body::query(raw.as_deref());
    let email = q.get("email").ok_or_else(|| query_error("Query validation error: 'Missing required property: email' on property email."))?;
    let projection = Projection::from_query(&q)?;
    let users = state.tenant().read(|data| {
        // Auth0 matches case-sensitively; its own store keeps emails lowercased.
        let mut found: Vec<&User> = data.connections.iter().filter_map(|c| data.users.by_email(&c.name, email)).filter(|u| u.email.as_deref() == Some(email.as_str())).collect();
        found.sort_by(|a, b| (a.created_at, &a.user_id).cmp(&(b.created_at, &b.user_id)));
        found.into_iter().map(|u| projection.render(u)).collect::<Vec<Value>>()
    });
    Ok(Json(Value::Array(users)))
}
