//! `/api/v2/jobs`: `POST users-imports` (multipart), `POST users-exports`, `GET {id}`,
//! `GET {id}/errors` (reference §5.11). Export files are served by the control API at the job's
//! `location`.

use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

use super::auth::Caller;
use super::body::Body;
use super::error::{ErrorCode, MgmtError};
use crate::paths;
use crate::state::AppState;
use crate::tenant::jobs::{ExportFormat, ExportRequest, ImportContext, Job, JobError, JobKind};

/// Auth0's limit on an import file.
pub const MAX_IMPORT_BYTES: usize = 512_000;

impl From<JobError> for MgmtError {
    fn from(e: JobError) -> Self {
        MgmtError::new(StatusCode::BAD_REQUEST, e.to_string(), None)
    }
}

fn bad(message: &str) -> MgmtError {
    MgmtError::new(StatusCode::BAD_REQUEST, message, None)
}

fn view(state: &AppState, job: &Job) -> Value {
    let location = job.export_file().map(|file| state.tenant().url(&format!("{}/{file}", paths::CONTROL_EXPORTS)));
    job.view("completed", location)
}

pub async fn import(State(state): State<AppState>, caller: Caller, mut multipart: Multipart) -> Result<(StatusCode, Json<Value>), MgmtError> {
    caller.require_any(&["create:users"])?;
    let (mut file, mut connection_id, mut upsert, mut external_id) = (None, None, false, None);
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(MgmtError::new(StatusCode::PAYLOAD_TOO_LARGE, format!("Payload content length greater than maximum allowed: {MAX_IMPORT_BYTES}."), None))
            }
            Err(_) => return Err(bad("Must provide 'users' file as multipart part.")),
        };
        let name = field.name().unwrap_or_default().to_string();
        let bytes = field.bytes().await.map_err(|_| bad("Must provide 'users' file as multipart part."))?;
        match name.as_str() {
            "users" => file = Some(bytes),
            "connection_id" => connection_id = Some(String::from_utf8_lossy(&bytes).trim().to_string()),
            "upsert" => upsert = String::from_utf8_lossy(&bytes).trim() == "true",
            "external_id" => external_id = Some(String::from_utf8_lossy(&bytes).to_string()),
            _ => {}
        }
    }
    let file = file.ok_or_else(|| bad("Must provide 'users' file as multipart part."))?;
    if file.len() > MAX_IMPORT_BYTES {
        return Err(MgmtError::new(StatusCode::PAYLOAD_TOO_LARGE, format!("Payload content length greater than maximum allowed: {MAX_IMPORT_BYTES}."), None));
    }
    let connection_id = connection_id.ok_or_else(|| bad("Must provide 'connection_id' as multipart part."))?;
    let ctx = ImportContext { job_id: format!("job_{}", state.rng().alnum(16)), rng: state.rng(), now: state.clock().now_ms() };
    let job = state.tenant().write(|data| data.import_users(&connection_id, &file, upsert, external_id, ctx))?;
    Ok((StatusCode::ACCEPTED, Json(job.view("pending", None))))
}

pub async fn export(State(state): State<AppState>, caller: Caller, Body(body): Body) -> Result<Json<Value>, MgmtError> {
    caller.require_any(&["read:users"])?;
    let format = match body.get("format").and_then(Value::as_str) {
        None | Some("json") => ExportFormat::Json,
        Some("csv") => ExportFormat::Csv,
        Some(_) => return Err(JobError::Format.into()),
    };
    let fields: Vec<(String, String)> = body
        .get("fields")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|f| {
                    let name = f.get("name")?.as_str()?.to_string();
                    let alias = f.get("export_as").and_then(Value::as_str).map_or_else(|| name.clone(), String::from);
                    Some((name, alias))
                })
                .collect()
        })
        .unwrap_or_default();
    let limit = body.get("limit").and_then(Value::as_u64).and_then(|n| usize::try_from(n).ok());
    let connection_id = body.get("connection_id").and_then(Value::as_str).map(String::from);
    let request = ExportRequest {
        connection_id,
        format,
        fields,
        limit,
        job_id: format!("job_{}", state.rng().alnum(16)),
        secret: state.rng().alnum(24),
        now: state.clock().now_ms(),
    };
    let job = state.tenant().write(|data| data.export_users(request))?;
    let mut shown = view(&state, &job);
    shown["status"] = "pending".into();
    Ok(Json(shown))
}

fn require_job_scope(caller: &Caller) -> Result<(), MgmtError> {
    caller.require_any(&["create:users", "read:users"])
}

fn not_found() -> MgmtError {
    MgmtError::new(StatusCode::NOT_FOUND, "The job does not exist.", Some(ErrorCode::InvalidUri))
}

pub async fn get(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Value>, MgmtError> {
    require_job_scope(&caller)?;
    let job = state.tenant().read(|data| data.jobs.get(&id).cloned()).ok_or_else(not_found)?;
    Ok(Json(view(&state, &job)))
}

pub async fn errors(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Response, MgmtError> {
    require_job_scope(&caller)?;
    let job = state.tenant().read(|data| data.jobs.get(&id).cloned()).ok_or_else(not_found)?;
    match job.kind {
        JobKind::Import { errors, .. } if !errors.is_empty() => Ok(Json(Value::Array(errors)).into_response()),
        _ => Ok(StatusCode::NO_CONTENT.into_response()),
    }
}
