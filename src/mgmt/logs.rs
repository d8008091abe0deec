//! `GET /api/v2/logs`, `GET /api/v2/logs/{id}`, `GET /api/v2/users/{id}/logs` (reference §5.12):
//! offset paging (newest first by default), `q` over the log fields, and checkpoint paging with
//! `from` + `take`.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use super::auth::Caller;
use super::body;
use super::error::{ErrorCode, MgmtError};
use crate::state::AppState;
use crate::tenant::logs::LogEntry;
use crate::tenant::search::{self, Document, Field};

impl Document for LogEntry {
    fn lookup<'a>(&'a self, path: &str, out: &mut Vec<Field<'a>>) {
        let value = match path {
            "type" => Some(self.kind),
            "description" => self.description.as_deref(),
            "connection" => self.connection.as_deref(),
            "client_id" => self.client_id.as_deref(),
            "client_name" => self.client_name.as_deref(),
            "user_id" => self.user_id.as_deref(),
            "user_name" => self.user_name.as_deref(),
            "ip" => Some(self.ip),
            "log_id" => Some(self.log_id.as_str()),
            "date" => {
                out.push(Field::Date(self.at));
                None
            }
            _ => None,
        };
        if let Some(v) = value {
            out.push(Field::Str(v));
        }
    }
}

fn query_error(message: impl Into<String>) -> MgmtError {
    MgmtError::bad_request(message, ErrorCode::InvalidQueryString)
}

fn number(q: &std::collections::HashMap<String, String>, name: &str, default: usize, max: usize) -> Result<usize, MgmtError> {
    match q.get(name) {
        None => Ok(default),
        Some(v) => v.parse::<usize>().ok().filter(|n| *n <= max).ok_or_else(|| query_error(format!("Query validation error: 'Invalid value {v}' on property {name}."))),
    }
}

/// Lists `entries` (newest first) as the query asks.
fn page(entries: Vec<LogEntry>, raw: Option<&str>) -> Result<Value, MgmtError> {
    let q = body::query(raw);
    if let Some(from) = q.get("from") {
        // Checkpoint paging walks forward in time from the given log id.
        let take = number(&q, "take", 50, 100)?;
        let mut oldest_first = entries;
        oldest_first.reverse();
        let start = oldest_first.iter().position(|e| &e.log_id == from).map_or(0, |i| i + 1);
        let slice: Vec<Value> = oldest_first.iter().skip(start).take(take).map(|e| json!(e)).collect();
        return Ok(Value::Array(slice));
    }
    let page = number(&q, "page", 0, usize::MAX)?;
    let per_page = number(&q, "per_page", 50, 100)?;
    let filtered: Vec<LogEntry> = match q.get("q").filter(|s| !s.trim().is_empty()) {
        Some(text) => {
            let query = search::parse(text).map_err(|e| query_error(e.to_string()))?;
            entries.into_iter().filter(|e| query.matches(e)).collect()
        }
        None => entries,
    };
    let mut ordered = filtered;
    match q.get("sort").map(String::as_str) {
        None | Some("date:-1") => {}
        Some("date:1") => ordered.reverse(),
        Some(other) => return Err(query_error(format!("Query validation error: 'Invalid sort {other}' on property sort."))),
    }
    let total = ordered.len();
    let items: Vec<Value> = ordered.iter().skip(page.saturating_mul(per_page)).take(per_page).map(|e| json!(e)).collect();
    if q.get("include_totals").is_some_and(|v| v == "true") {
        Ok(json!({"start": page * per_page, "limit": per_page, "length": items.len(), "total": total, "logs": items}))
    } else {
        Ok(Value::Array(items))
    }
}

pub async fn list(State(state): State<AppState>, caller: Caller, RawQuery(raw): RawQuery) -> Result<Json<Value>, MgmtError> {
    caller.require_any(&["read:logs", "read:logs_users"])?;
    page(state.tenant().logs.newest_first(|_| true), raw.as_deref()).map(Json)
}

pub async fn get(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Value>, MgmtError> {
    caller.require_any(&["read:logs", "read:logs_users"])?;
    let found = state.tenant().logs.newest_first(|e| e.log_id == id);
    found.first().map(|e| Json(json!(e))).ok_or_else(|| MgmtError::new(StatusCode::NOT_FOUND, "log not found", None))
}

pub async fn for_user(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, RawQuery(raw): RawQuery) -> Result<Json<Value>, MgmtError> {
    caller.require_any(&["read:logs", "read:logs_users"])?;
    page(state.tenant().logs.newest_first(|e| e.user_id.as_deref() == Some(id.as_str())), raw.as_deref()).map(Json)
}
