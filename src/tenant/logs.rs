//! Tenant logs: the events Auth0 records (`s` login, `f` failed login, `ss` signup, `seccft`
//! client-credentials exchange, `sapi` Management API write, …) in a bounded ring, newest last,
//! read by `GET /api/v2/logs` and `GET /api/v2/users/{id}/logs`.

use std::collections::VecDeque;

use serde::Serialize;

use crate::clock::{iso8601, Millis};

/// At most this many events are kept; the oldest go first.
pub const CAPACITY: usize = 10_000;

/// Auth0's event type codes; `as_str` is the wire value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    /// Successful login.
    Success,
    /// Failed login.
    Failed,
    /// Failed login, wrong password.
    FailedPassword,
    /// Failed login, unknown user.
    FailedUsername,
    /// Blocked after too many attempts.
    LimitWc,
    /// Successful signup.
    SuccessSignup,
    /// Failed signup.
    FailedSignup,
    /// Client credentials exchanged for an access token.
    ClientCredentials,
    /// Failed client-credentials exchange.
    FailedClientCredentials,
    /// Authorization code exchanged.
    CodeExchange,
    /// Refresh token exchanged.
    RefreshExchange,
    /// Management API write.
    ManagementApi,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Success => "s",
            EventType::Failed => "f",
            EventType::FailedPassword => "fp",
            EventType::FailedUsername => "fu",
            EventType::LimitWc => "limit_wc",
            EventType::SuccessSignup => "ss",
            EventType::FailedSignup => "fs",
            EventType::ClientCredentials => "seccft",
            EventType::FailedClientCredentials => "feccft",
            EventType::CodeExchange => "seacft",
            EventType::RefreshExchange => "sertft",
            EventType::ManagementApi => "sapi",
        }
    }
}

/// What a caller knows about an event.
#[derive(Debug, Clone, Default)]
pub struct Event {
    pub description: Option<String>,
    pub client_id: Option<String>,
    pub client_name: Option<String>,
    pub connection: Option<String>,
    pub user_id: Option<String>,
    pub user_name: Option<String>,
    pub audience: Option<String>,
    pub scope: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LogEntry {
    pub date: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_name: Option<String>,
    pub ip: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    pub log_id: String,
    #[serde(rename = "isMobile")]
    pub is_mobile: bool,
    #[serde(skip)]
    pub at: Millis,
}

#[derive(Debug, Default)]
pub struct Logs {
    // A std mutex: a push or a copy-out, never across an await. Kept apart from the tenant's data
    // lock so that read-only requests (client credentials) can still log.
    entries: std::sync::Mutex<VecDeque<LogEntry>>,
}

impl Logs {
    pub fn record(&self, kind: EventType, event: Event, log_id: String, now: Millis) {
        let entry = LogEntry {
            date: iso8601(now),
            kind: kind.as_str(),
            description: event.description,
            connection: event.connection,
            client_id: event.client_id,
            client_name: event.client_name,
            ip: "127.0.0.1",
            user_id: event.user_id,
            user_name: event.user_name,
            audience: event.audience,
            scope: event.scope,
            log_id,
            is_mobile: false,
            at: now,
        };
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() == CAPACITY {
            entries.pop_front();
        }
        entries.push_back(entry);
    }

    /// The entries `keep` selects, newest first.
    pub fn newest_first(&self, keep: impl Fn(&LogEntry) -> bool) -> Vec<LogEntry> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.iter().rev().filter(|e| keep(e)).cloned().collect()
    }

    pub fn clear(&self) {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}
