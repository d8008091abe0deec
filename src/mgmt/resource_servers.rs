//! `/api/v2/resource-servers` and `/api/v2/resource-servers/{id}` (reference §5.10): APIs, looked
//! up by id or identifier. Identifiers are unique (409); the tenant's own Management API is a
//! system API that cannot be patched or deleted (400, as MGMT-OAS documents).

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use serde_json::Value;

use super::auth::Caller;
use super::body::{self, Body};
use super::error::MgmtError;
use super::pagination::{query_all, Envelope, Fields, Keyed, Limits, Paging};
use crate::state::AppState;
use crate::tenant::model::{ResourceServer, ResourceServerScope, SigningAlg, TokenDialect};

/// An API as Auth0 returns it, in its key order.
#[derive(Serialize)]
struct ResourceServerView<'a> {
    id: &'a str,
    name: &'a str,
    identifier: &'a str,
    scopes: &'a [ResourceServerScope],
    signing_alg: SigningAlg,
    #[serde(skip_serializing_if = "Option::is_none")]
    signing_secret: Option<&'a str>,
    allow_offline_access: bool,
    token_lifetime: i64,
    token_lifetime_for_web: i64,
    skip_consent_for_verifiable_first_party_clients: bool,
    enforce_policies: bool,
    token_dialect: TokenDialect,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    is_system: bool,
}

fn render(r: &ResourceServer) -> Value {
    let view = ResourceServerView {
        id: &r.id,
        name: &r.name,
        identifier: &r.identifier,
        scopes: &r.scopes,
        signing_alg: r.signing_alg,
        signing_secret: r.signing_secret.as_deref(),
        allow_offline_access: r.allow_offline_access,
        token_lifetime: r.token_lifetime,
        token_lifetime_for_web: r.token_lifetime_for_web,
        skip_consent_for_verifiable_first_party_clients: r.skip_consent_for_verifiable_first_party_clients,
        enforce_policies: r.enforce_policies,
        token_dialect: r.token_dialect,
        is_system: r.is_system,
    };
    serde_json::to_value(view).unwrap_or(Value::Null)
}

/// `GET /resource-servers`, optionally only the given `identifiers`.
pub async fn list(State(state): State<AppState>, caller: Caller, RawQuery(raw): RawQuery) -> Result<Json<Value>, MgmtError> {
    caller.require_any(&["read:resource_servers"])?;
    let q = body::query(raw.as_deref());
    let paging = Paging::from_query(&q, Limits::OFFSET)?;
    let fields = Fields::from_query(&q)?;
    let identifiers = query_all(raw.as_deref(), "identifiers");
    let apis = state.tenant().read(|data| {
        data.resource_servers
            .iter()
            .filter(|r| identifiers.is_empty() || identifiers.contains(&r.identifier))
            .map(|r| Keyed { key: r.id.clone(), value: fields.apply(render(r)) })
            .collect::<Vec<_>>()
    });
    Ok(Json(paging.respond(apis, "resource_servers", Envelope::TotalsFirst, |r| r.key.clone())))
}

pub async fn create(State(state): State<AppState>, caller: Caller, Body(body): Body) -> Result<(StatusCode, Json<Value>), MgmtError> {
    caller.require_any(&["create:resource_servers"])?;
    let (id, secret) = (state.rng().hex(24), state.rng().alnum(32));
    let api = state.tenant().write(|data| data.create_resource_server(body, id, secret))?;
    Ok((StatusCode::CREATED, Json(render(&api))))
}

pub async fn get(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, RawQuery(raw): RawQuery) -> Result<Json<Value>, MgmtError> {
    caller.require_any(&["read:resource_servers"])?;
    let fields = Fields::from_query(&body::query(raw.as_deref()))?;
    let api = state.tenant().read(|data| data.resource_server_index(&id).map(|i| render(&data.resource_servers[i])))?;
    Ok(Json(fields.apply(api)))
}

pub async fn update(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, Body(body): Body) -> Result<Json<Value>, MgmtError> {
    caller.require_any(&["update:resource_servers"])?;
    let secret = state.rng().alnum(32);
    let api = state.tenant().write(|data| data.update_resource_server(&id, &body, secret))?;
    Ok(Json(render(&api)))
}

/// `DELETE /resource-servers/{id}` answers 204, also for an API that is already gone.
pub async fn delete(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<StatusCode, MgmtError> {
    caller.require_any(&["delete:resource_servers"])?;
    state.tenant().write(|data| data.delete_resource_server(&id))?;
    Ok(StatusCode::NO_CONTENT)
}
