//! `/api/v2/connections` and `/api/v2/connections/{id}` (reference §5.10): list (offset or
//! checkpoint pages, `strategy` and `name` filters), create, get, patch (`options` replaced as a
//! whole) and delete (202 `{"deleted_at"}` while it existed, 204 once gone), in Auth0's shape.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::{json, Value};

use super::auth::Caller;
use super::body::{self, Body};
use super::error::MgmtError;
use super::pagination::{query_all, Envelope, Fields, Keyed, Limits, Paging};
use crate::clock::iso8601;
use crate::state::AppState;
use crate::tenant::model::{Connection, ConnectionOptions};
use crate::tenant::TenantData;

/// A connection as Auth0 returns it, in its key order. `enabled_clients` left open in a seed
/// (every client) is spelled out.
#[derive(Serialize)]
struct ConnectionView<'a> {
    id: &'a str,
    options: &'a ConnectionOptions,
    strategy: &'a str,
    name: &'a str,
    is_domain_connection: bool,
    enabled_clients: Vec<&'a str>,
    realms: [&'a str; 1],
}

fn render(data: &TenantData, c: &Connection) -> Value {
    let enabled_clients = match &c.enabled_clients {
        Some(list) => list.iter().map(String::as_str).collect(),
        None => data.clients.iter().map(|cl| cl.client_id.as_str()).collect(),
    };
    let view = ConnectionView {
        id: &c.id,
        options: &c.options,
        strategy: &c.strategy,
        name: &c.name,
        is_domain_connection: false,
        enabled_clients,
        realms: [&c.name],
    };
    serde_json::to_value(view).unwrap_or(Value::Null)
}

/// Auth0 lists up to 100 connections by default (reference §5.10).
const LIMITS: Limits = Limits { default_per_page: 100, checkpoint: true };

pub async fn list(State(state): State<AppState>, caller: Caller, RawQuery(raw): RawQuery) -> Result<Json<Value>, MgmtError> {
    caller.require_any(&["read:connections"])?;
    let q = body::query(raw.as_deref());
    let paging = Paging::from_query(&q, LIMITS)?;
    let fields = Fields::from_query(&q)?;
    let strategies = query_all(raw.as_deref(), "strategy");
    let name = q.get("name");
    let connections = state.tenant().read(|data| {
        data.connections
            .iter()
            .filter(|c| strategies.is_empty() || strategies.contains(&c.strategy))
            .filter(|c| name.is_none_or(|n| &c.name == n))
            .map(|c| Keyed { key: c.id.clone(), value: fields.apply(render(data, c)) })
            .collect::<Vec<_>>()
    });
    Ok(Json(paging.respond(connections, "connections", Envelope::TotalsFirst, |c| c.key.clone())))
}

pub async fn create(State(state): State<AppState>, caller: Caller, Body(body): Body) -> Result<(StatusCode, Json<Value>), MgmtError> {
    caller.require_any(&["create:connections"])?;
    let id = format!("con_{}", state.rng().alnum(16));
    let created = state.tenant().write(|data| data.create_connection(body, id).map(|c| render(data, &c)))?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub async fn get(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, RawQuery(raw): RawQuery) -> Result<Json<Value>, MgmtError> {
    caller.require_any(&["read:connections"])?;
    let fields = Fields::from_query(&body::query(raw.as_deref()))?;
    let connection = state.tenant().read(|data| data.connection_by_id(&id).map(|c| render(data, c)))?;
    Ok(Json(fields.apply(connection)))
}

pub async fn update(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, Body(body): Body) -> Result<Json<Value>, MgmtError> {
    caller.require_any(&["update:connections"])?;
    let updated = state.tenant().write(|data| data.update_connection(&id, &body).map(|c| render(data, &c)))?;
    Ok(Json(updated))
}

/// The connection's users are deleted with it.
pub async fn delete(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Response, MgmtError> {
    caller.require_any(&["delete:connections"])?;
    let now = state.clock().now_ms();
    if state.tenant().write(|data| data.delete_connection(&id)) {
        Ok((StatusCode::ACCEPTED, Json(json!({"deleted_at": iso8601(now)}))).into_response())
    } else {
        Ok(StatusCode::NO_CONTENT.into_response())
    }
}
