//! `/__emulator/requests`: the tenant's request journal.
//!
//! - `GET` answers `{"requests": [...]}`, oldest first; `GET /count` answers `{"count": N}`.
//!   Both filter by `endpoint` (a name or glob, e.g. `mgmt.users.*`), `method`, `path` (glob),
//!   `client_id`, `grant_type` (glob), `user`, `status` (`200` or a class such as `4xx`), `fault`
//!   (a rule id) and `since` (ISO-8601 or epoch milliseconds, on the virtual clock). An unknown
//!   parameter is a 400, so a typo never reads as "no requests".
//! - `DELETE` empties the journal (204).
//! - `GET /report` lists the Auth0 anti-patterns the journal shows (see [`crate::faults::report`]).

use axum::extract::{RawQuery, State};
use axum::http::{Method, StatusCode};
use axum::Json;
use serde_json::{json, Value};

use super::error::ControlError;
use crate::clock::parse_iso8601;
use crate::faults::journal::{Filter, StatusFilter};
use crate::faults::matcher::Pattern;
use crate::faults::report;
use crate::state::AppState;

const PARAMETERS: &str = "endpoint, method, path, client_id, grant_type, user, status, fault, since";

pub async fn list(State(state): State<AppState>, RawQuery(query): RawQuery) -> Result<Json<Value>, ControlError> {
    let filter = filter(query.as_deref())?;
    Ok(Json(json!({ "requests": state.journal().list(&filter) })))
}

pub async fn count(State(state): State<AppState>, RawQuery(query): RawQuery) -> Result<Json<Value>, ControlError> {
    let filter = filter(query.as_deref())?;
    Ok(Json(json!({ "count": state.journal().count(&filter) })))
}

pub async fn clear(State(state): State<AppState>) -> StatusCode {
    state.journal().clear();
    StatusCode::NO_CONTENT
}

pub async fn report(State(state): State<AppState>) -> Json<Value> {
    let entries = state.journal().list(&Filter::default());
    let lifetimes: Vec<(String, i64)> =
        state.tenant().read(|d| d.resource_servers.iter().map(|r| (r.identifier.clone(), r.token_lifetime)).collect());
    let default_audience = state.tenant().read(|d| d.settings.default_audience.clone());
    let report = report::build(&entries, |audience| {
        let audience = audience.or(default_audience.as_deref());
        lifetimes.iter().find(|(id, _)| Some(id.as_str()) == audience).map_or(86_400, |(_, lifetime)| *lifetime)
    });
    Json(json!(report))
}

fn filter(query: Option<&str>) -> Result<Filter, ControlError> {
    let mut filter = Filter::default();
    for (key, value) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        let value = value.into_owned();
        match key.as_ref() {
            "endpoint" => filter.endpoint = Some(Pattern::new(&value)),
            "method" => {
                let method = Method::from_bytes(value.to_ascii_uppercase().as_bytes())
                    .map_err(|_| ControlError::bad_request(format!("method: {value:?} is not an HTTP method")))?;
                filter.method = Some(method);
            }
            "path" => filter.path = Some(Pattern::new(&value)),
            "client_id" => filter.client_id = Some(value),
            "grant_type" => filter.grant_type = Some(Pattern::new(&value)),
            "user" => filter.user = Some(value),
            "status" => {
                filter.status = Some(StatusFilter::parse(&value).ok_or_else(|| {
                    ControlError::bad_request(format!("status: expected a code such as 200 or a class such as 4xx, got {value:?}"))
                })?);
            }
            "fault" => filter.fault = Some(value),
            "since" => {
                let since = value.parse::<i64>().ok().or_else(|| parse_iso8601(&value)).ok_or_else(|| {
                    ControlError::bad_request(format!("since: expected ISO-8601 or epoch milliseconds, got {value:?}"))
                })?;
                filter.since = Some(since);
            }
            other => return Err(ControlError::bad_request(format!("unknown query parameter {other:?} (use {PARAMETERS})"))),
        }
    }
    Ok(filter)
}
