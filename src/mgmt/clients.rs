//! `/api/v2/clients` and `/api/v2/clients/{id}` (reference §5.10): applications, created with
//! Auth0's defaults for their `app_type` and a generated id and secret. The secret is shown to
//! callers holding `read:client_keys` (or `read:client_credentials`), and always in the answer
//! to a create or update. Also home of the configuration error's rendering.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::Value;

use super::auth::Caller;
use super::body::{self, Body};
use super::error::{ErrorCode, MgmtError};
use super::pagination::{flag, query_all, Envelope, Fields, Keyed, Limits, Paging};
use crate::state::AppState;
use crate::tenant::config_admin::ConfigError;
use crate::tenant::model::Client;

/// Auth0's `errorCode`s where they are known; the others are left out rather than guessed.
impl From<ConfigError> for MgmtError {
    fn from(e: ConfigError) -> Self {
        let message = e.to_string();
        let (status, code) = match e {
            ConfigError::InvalidBody(_) => (StatusCode::BAD_REQUEST, Some(ErrorCode::InvalidBody)),
            ConfigError::BadRequest(_) => (StatusCode::BAD_REQUEST, None),
            ConfigError::NoClient => (StatusCode::NOT_FOUND, Some(ErrorCode::InexistentClient)),
            ConfigError::NoConnection => (StatusCode::NOT_FOUND, Some(ErrorCode::InexistentConnection)),
            ConfigError::NoResourceServer => (StatusCode::NOT_FOUND, Some(ErrorCode::InexistentResourceServer)),
            ConfigError::NoAudience(_) | ConfigError::NoGrant => (StatusCode::NOT_FOUND, None),
            ConfigError::ConnectionExists => (StatusCode::CONFLICT, Some(ErrorCode::ConnectionConflict)),
            ConfigError::ResourceServerExists | ConfigError::GrantExists { .. } => (StatusCode::CONFLICT, None),
        };
        MgmtError::new(status, message, code)
    }
}

const READ: &[&str] = &["read:clients", "read:client_keys", "read:client_credentials", "read:client_summary"];

fn shows_secret(caller: &Caller) -> bool {
    caller.has("read:client_keys") || caller.has("read:client_credentials")
}

fn render(client: &Client, secret: bool) -> Value {
    let mut value = serde_json::to_value(client).unwrap_or(Value::Null);
    if let (false, Value::Object(map)) = (secret, &mut value) {
        map.remove("client_secret");
    }
    value
}

/// `GET /clients`: offset or checkpoint pages; `app_type` and `is_first_party` filter.
pub async fn list(State(state): State<AppState>, caller: Caller, RawQuery(raw): RawQuery) -> Result<Json<Value>, MgmtError> {
    caller.require_any(READ)?;
    let q = body::query(raw.as_deref());
    let paging = Paging::from_query(&q, Limits::CHECKPOINT)?;
    let fields = Fields::from_query(&q)?;
    let app_types = query_all(raw.as_deref(), "app_type");
    let first_party = flag(&q, "is_first_party")?;
    let secret = shows_secret(&caller);
    let clients = state.tenant().read(|data| {
        data.clients
            .iter()
            .filter(|c| app_types.is_empty() || app_types.iter().any(|t| serde_json::to_value(c.app_type).is_ok_and(|v| v == t.as_str())))
            .filter(|c| first_party.is_none_or(|f| c.is_first_party == f))
            .map(|c| Keyed { key: c.client_id.clone(), value: fields.apply(render(c, secret)) })
            .collect::<Vec<_>>()
    });
    Ok(Json(paging.respond(clients, "clients", Envelope::TotalsFirst, |c| c.key.clone())))
}

/// `POST /clients` answers 201 with the secret.
pub async fn create(State(state): State<AppState>, caller: Caller, Body(body): Body) -> Result<(StatusCode, Json<Value>), MgmtError> {
    caller.require_any(&["create:clients"])?;
    let rng = state.rng();
    let client = state.tenant().write(|data| data.create_client(body, |n| rng.alnum(n)))?;
    Ok((StatusCode::CREATED, Json(render(&client, true))))
}

pub async fn get(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, RawQuery(raw): RawQuery) -> Result<Json<Value>, MgmtError> {
    caller.require_any(READ)?;
    let fields = Fields::from_query(&body::query(raw.as_deref()))?;
    let secret = shows_secret(&caller);
    let client = state.tenant().read(|data| data.client(&id).map(|c| render(c, secret)).ok_or(ConfigError::NoClient))?;
    Ok(Json(fields.apply(client)))
}

pub async fn update(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, Body(body): Body) -> Result<Json<Value>, MgmtError> {
    caller.require_any(&["update:clients", "update:client_keys"])?;
    let rng = state.rng();
    let client = state.tenant().write(|data| data.update_client(&id, &body, |n| rng.alnum(n)))?;
    Ok(Json(render(&client, true)))
}

/// `DELETE /clients/{id}` answers 204, also for a client that is already gone.
pub async fn delete(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<StatusCode, MgmtError> {
    caller.require_any(&["delete:clients"])?;
    state.tenant().write(|data| data.delete_client(&id));
    Ok(StatusCode::NO_CONTENT)
}
