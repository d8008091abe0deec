//! Bulk jobs (reference §5.11): user imports in Auth0's bulk format, with per-user errors and
//! upsert, and user exports as gzipped NDJSON or CSV. Jobs run to completion when created — the
//! emulator is fast enough that "pending" would only make tests wait — and are kept for their
//! status, errors and download.

use std::collections::HashMap;
use std::io::Write;

use serde_json::{json, Map, Value};

use super::users::User;
use super::TenantData;
use crate::clock::{iso8601, Millis};
use crate::rng::SeededRng;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobError {
    #[error("The connection does not exist.")]
    NoConnection,
    #[error("Connection must be a database connection.")]
    NotDatabase,
    #[error("Custom Database Connections without import mode are not allowed.")]
    CustomWithoutImport,
    #[error("Users file must not be empty.")]
    EmptyFile,
    #[error("Users file must contain a JSON array of users.")]
    NotAnArray,
    #[error("Export format must be json or csv.")]
    Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Json,
    Csv,
}

#[derive(Debug, Clone)]
pub enum JobKind {
    Import { summary: Summary, errors: Vec<Value>, external_id: Option<String> },
    Export { format: ExportFormat, gzip: Vec<u8>, secret: String },
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub failed: u64,
    pub updated: u64,
    pub inserted: u64,
    pub total: u64,
}

#[derive(Debug, Clone)]
pub struct Job {
    pub id: String,
    pub kind: JobKind,
    pub connection_id: Option<String>,
    pub connection: Option<String>,
    pub created_at: Millis,
}

impl Job {
    /// The job as `GET /jobs/{id}` shows it; `location` is the export's download URL.
    pub fn view(&self, status: &str, location: Option<String>) -> Value {
        let mut v = Map::new();
        v.insert("type".into(), match self.kind { JobKind::Import { .. } => "users_import", JobKind::Export { .. } => "users_export" }.into());
        v.insert("status".into(), status.into());
        if let Some(c) = &self.connection_id {
            v.insert("connection_id".into(), c.clone().into());
        }
        if let Some(c) = &self.connection {
            v.insert("connection".into(), c.clone().into());
        }
        v.insert("created_at".into(), iso8601(self.created_at).into());
        v.insert("id".into(), self.id.clone().into());
        match &self.kind {
            JobKind::Import { summary, external_id, .. } => {
                if let Some(e) = external_id {
                    v.insert("external_id".into(), e.clone().into());
                }
                if status == "completed" {
                    v.insert("summary".into(), json!(summary));
                }
            }
            JobKind::Export { format, .. } => {
                v.insert("format".into(), match format { ExportFormat::Json => "json", ExportFormat::Csv => "csv" }.into());
                if let Some(l) = location {
                    v.insert("location".into(), l.into());
                    v.insert("percentage_done".into(), 100.into());
                    v.insert("time_left_seconds".into(), 0.into());
                }
            }
        }
        Value::Object(v)
    }

    /// The file name of an export's download.
    pub fn export_file(&self) -> Option<String> {
        match &self.kind {
            JobKind::Export { format, secret, .. } => {
                Some(format!("{}-{secret}.{}.gz", self.id, if *format == ExportFormat::Json { "json" } else { "csv" }))
            }
            JobKind::Import { .. } => None,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Jobs {
    by_id: HashMap<String, Job>,
}

impl Jobs {
    pub fn get(&self, id: &str) -> Option<&Job> {
        self.by_id.get(id)
    }

    /// An export by its download file name.
    pub fn export_by_file(&self, file: &str) -> Option<&Job> {
        self.by_id.values().find(|j| j.export_file().as_deref() == Some(file))
    }

    fn insert(&mut self, job: Job) {
        self.by_id.insert(job.id.clone(), job);
    }
}

/// Attributes an upsert may change on an existing user.
const UPSERTABLE: &[&str] = &["app_metadata", "user_metadata", "email_verified", "given_name", "family_name", "name", "nickname", "picture"];

/// Auth0's error code for a rejected element, from the reason the seed checks gave.
fn error_code(reason: &str) -> &'static str {
    if reason.contains("unknown field") || reason.contains("invalid type") {
        "INVALID_TYPE"
    } else if reason.contains("already exists") {
        "DUPLICATED_USER"
    } else if reason.contains("needs an email") || reason.contains("missing field") {
        "OBJECT_REQUIRED"
    } else {
        "FORMAT"
    }
}

/// What `POST /jobs/users-exports` asks for, plus the ids drawn for the job.
pub struct ExportRequest {
    pub connection_id: Option<String>,
    pub format: ExportFormat,
    /// `(name, export_as)` pairs; empty means Auth0's default set.
    pub fields: Vec<(String, String)>,
    pub limit: Option<usize>,
    pub job_id: String,
    /// The random part of the download's file name.
    pub secret: String,
    pub now: Millis,
}

/// Inputs an import draws from outside: ids, the clock, the RNG for generated user ids.
pub struct ImportContext<'a> {
    pub job_id: String,
    pub rng: &'a SeededRng,
    pub now: Millis,
}

impl TenantData {
    /// Runs a users-import job and records it.
    pub fn import_users(&mut self, connection_id: &str, file: &[u8], upsert: bool, external_id: Option<String>, ctx: ImportContext<'_>) -> Result<Job, JobError> {
        let connection = self.connections.iter().find(|c| c.id == connection_id).cloned().ok_or(JobError::NoConnection)?;
        if !connection.is_database() {
            return Err(JobError::NotDatabase);
        }
        if connection.is_custom_database() && connection.options.import_mode != Some(true) {
            return Err(JobError::CustomWithoutImport);
        }
        if file.iter().all(u8::is_ascii_whitespace) {
            return Err(JobError::EmptyFile);
        }
        let Ok(Value::Array(items)) = serde_json::from_slice::<Value>(file) else { return Err(JobError::NotAnArray) };
        let mut summary = Summary { total: items.len() as u64, ..Summary::default() };
        let mut errors = Vec::new();
        for (index, item) in items.into_iter().enumerate() {
            let original = item.clone();
            let built = super::seed::import_user(item, index, &connection.name, &self.connections, &self.roles, ctx.rng, ctx.now);
            let outcome = match built {
                Ok(user) => self.place_imported(user, &original, upsert),
                Err(e) => Err((error_code(&e.reason), e.reason, e.path.trim_start_matches(&format!("[{index}]")).trim_start_matches('.').to_string())),
            };
            match outcome {
                Ok(true) => summary.updated += 1,
                Ok(false) => summary.inserted += 1,
                Err((code, message, path)) => {
                    summary.failed += 1;
                    let mut err = json!({"code": code, "message": message});
                    if !path.is_empty() {
                        err["path"] = path.into();
                    }
                    errors.push(json!({"user": original, "errors": [err]}));
                }
            }
        }
        let job = Job {
            id: ctx.job_id,
            kind: JobKind::Import { summary, errors, external_id },
            connection_id: Some(connection.id.clone()),
            connection: Some(connection.name.clone()),
            created_at: ctx.now,
        };
        self.jobs.insert(job.clone());
        Ok(job)
    }

    /// Inserts a new user, or with `upsert` updates the upsertable attributes of the one with
    /// the same id or email. `Ok(true)` means updated.
    fn place_imported(&mut self, user: User, original: &Value, upsert: bool) -> Result<bool, (&'static str, String, String)> {
        let existing = self
            .users
            .get(&user.user_id)
            .or_else(|| user.email.as_deref().and_then(|e| self.users.by_email(&user.connection, e)))
            .map(|u| u.user_id.clone());
        match existing {
            None => self
                .users
                .insert(user)
                .map(|()| false)
                .map_err(|e| ("DUPLICATED_USER", e.to_string(), String::new())),
            Some(_) if !upsert => Err(("DUPLICATED_USER", "The user already exist and upsert parameter is false".into(), String::new())),
            Some(id) => {
                let Some(stored) = self.users.get_mut(&id) else { return Err(("DUPLICATED_USER", "The user vanished".into(), String::new())) };
                for field in UPSERTABLE.iter().filter(|f| original.get(**f).is_some()) {
                    match *field {
                        "app_metadata" => stored.app_metadata = user.app_metadata.clone(),
                        "user_metadata" => stored.user_metadata = user.user_metadata.clone(),
                        "email_verified" => stored.email_verified = user.email_verified,
                        "given_name" => stored.given_name = user.given_name.clone(),
                        "family_name" => stored.family_name = user.family_name.clone(),
                        "name" => stored.name = user.name.clone(),
                        "nickname" => stored.nickname = user.nickname.clone(),
                        _ => stored.picture = user.picture.clone(),
                    }
                }
                stored.updated_at = user.updated_at;
                Ok(true)
            }
        }
    }

    /// Runs a users-export job: every user of the connection (or the tenant), `fields` picked
    /// and renamed (`export_as`), gzipped.
    pub fn export_users(&mut self, request: ExportRequest) -> Result<Job, JobError> {
        let ExportRequest { connection_id, format, fields, limit, job_id, secret, now } = request;
        let fields = &fields[..];
        let connection = match connection_id.as_deref() {
            Some(id) => Some(self.connections.iter().find(|c| c.id == id).cloned().ok_or(JobError::NoConnection)?),
            None => None,
        };
        let mut users: Vec<&User> = self.users.iter().filter(|u| connection.as_ref().is_none_or(|c| c.name == u.connection)).collect();
        users.sort_by(|a, b| (a.created_at, &a.user_id).cmp(&(b.created_at, &b.user_id)));
        users.truncate(limit.unwrap_or(usize::MAX));
        let default_fields: Vec<(String, String)> = ["user_id", "email", "email_verified", "name", "nickname", "created_at", "updated_at"]
            .iter()
            .map(|f| ((*f).to_string(), (*f).to_string()))
            .collect();
        let fields = if fields.is_empty() { &default_fields[..] } else { fields };
        let mut text = String::new();
        if format == ExportFormat::Csv {
            text.push_str(&fields.iter().map(|(_, alias)| csv_cell(alias)).collect::<Vec<_>>().join(","));
            text.push('\n');
        }
        for user in users {
            let view = serde_json::to_value(user.view()).unwrap_or(Value::Null);
            let pick = |name: &str| name.split('.').try_fold(&view, |v, k| v.get(k)).cloned();
            match format {
                ExportFormat::Json => {
                    let row: Map<String, Value> = fields.iter().filter_map(|(name, alias)| pick(name).map(|v| (alias.clone(), v))).collect();
                    text.push_str(&Value::Object(row).to_string());
                }
                ExportFormat::Csv => {
                    let row: Vec<String> = fields
                        .iter()
                        .map(|(name, _)| match pick(name) {
                            Some(Value::String(s)) => csv_cell(&s),
                            Some(Value::Null) | None => String::new(),
                            Some(other) => csv_cell(&other.to_string()),
                        })
                        .collect();
                    text.push_str(&row.join(","));
                }
            }
            text.push('\n');
        }
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let gzip = encoder.write_all(text.as_bytes()).and_then(|()| encoder.finish()).unwrap_or_default();
        let job = Job {
            id: job_id,
            kind: JobKind::Export { format, gzip, secret },
            connection_id: connection.as_ref().map(|c| c.id.clone()),
            connection: connection.map(|c| c.name),
            created_at: now,
        };
        self.jobs.insert(job.clone());
        Ok(job)
    }
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
