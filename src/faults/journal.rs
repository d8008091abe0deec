//! The request journal: every Auth0-surface request of a tenant (the control API excluded), in a
//! bounded ring, for tests to assert on ("the token endpoint was called once for client X") and
//! for the anti-pattern [`super::report`].

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::http::Method;
use serde::Serialize;

use super::matcher::Pattern;
use crate::clock::{iso8601, Millis};

/// How many requests the journal keeps; older ones fall off.
pub const CAPACITY: usize = 10_000;

/// One request, as recorded when its response head was ready (or its connection faulted).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    /// Increasing per tenant; never reused, also across clears.
    pub seq: u64,
    /// Virtual-clock time the request arrived.
    #[serde(serialize_with = "ser_time")]
    pub time: Millis,
    #[serde(serialize_with = "ser_method")]
    pub method: Method,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "ser_opt_str")]
    pub endpoint: Option<Arc<str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grant_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Absent when a connection fault answered instead of a response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Time to the response head, injected delays included (real time, not the virtual clock).
    pub latency_ms: u64,
    /// The injected delay drawn for this request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
    /// Ids of the rules that fired, in order.
    #[serde(skip_serializing_if = "Vec::is_empty", serialize_with = "ser_strs")]
    pub faults: Vec<Arc<str>>,
    /// `reset`, `close`, `garbage` or `hang` when the connection faulted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_fault: Option<&'static str>,
    /// Custom database script calls the request made, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scripts: Vec<crate::custom_db::CallRecord>,
}

fn ser_method<S: serde::Serializer>(method: &Method, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(method.as_str())
}

fn ser_opt_str<S: serde::Serializer>(value: &Option<Arc<str>>, serializer: S) -> Result<S::Ok, S::Error> {
    value.as_deref().serialize(serializer)
}

fn ser_strs<S: serde::Serializer>(values: &[Arc<str>], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(values.iter().map(|v| &**v))
}

fn ser_time<S: serde::Serializer>(ms: &Millis, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&iso8601(*ms))
}

#[derive(Debug, Default)]
pub struct Journal {
    // A std mutex: pushes and scans are short and never await.
    inner: Mutex<Ring>,
}

#[derive(Debug, Default)]
struct Ring {
    entries: VecDeque<Entry>,
    next_seq: u64,
}

impl Journal {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `entry` (its `seq` is assigned here).
    pub fn record(&self, mut entry: Entry) {
        let mut ring = self.lock();
        ring.next_seq += 1;
        entry.seq = ring.next_seq;
        if ring.entries.len() == CAPACITY {
            ring.entries.pop_front();
        }
        ring.entries.push_back(entry);
    }

    /// The entries `filter` accepts, oldest first.
    pub fn list(&self, filter: &Filter) -> Vec<Entry> {
        self.lock().entries.iter().filter(|e| filter.accepts(e)).cloned().collect()
    }

    pub fn count(&self, filter: &Filter) -> usize {
        self.lock().entries.iter().filter(|e| filter.accepts(e)).count()
    }

    pub fn clear(&self) {
        self.lock().entries.clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Ring> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Which entries a query wants; every field given must hold.
#[derive(Debug, Default)]
pub struct Filter {
    pub endpoint: Option<Pattern>,
    pub method: Option<Method>,
    pub path: Option<Pattern>,
    pub client_id: Option<String>,
    pub grant_type: Option<Pattern>,
    pub user: Option<String>,
    pub status: Option<StatusFilter>,
    pub fault: Option<String>,
    /// Entries at or after this virtual-clock instant.
    pub since: Option<Millis>,
}

/// `200`, or a class such as `4xx`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    Exact(u16),
    Class(u16),
}

impl StatusFilter {
    pub fn parse(text: &str) -> Option<Self> {
        if let Some(class) = text.strip_suffix("xx").or_else(|| text.strip_suffix("XX")) {
            return class.parse::<u16>().ok().filter(|c| (1..=5).contains(c)).map(StatusFilter::Class);
        }
        text.parse::<u16>().ok().filter(|s| (100..=599).contains(s)).map(StatusFilter::Exact)
    }

    fn accepts(self, status: Option<u16>) -> bool {
        match (self, status) {
            (StatusFilter::Exact(want), Some(s)) => s == want,
            (StatusFilter::Class(class), Some(s)) => s / 100 == class,
            (_, None) => false,
        }
    }
}

impl Filter {
    pub fn accepts(&self, entry: &Entry) -> bool {
        self.endpoint.as_ref().is_none_or(|p| entry.endpoint.as_deref().is_some_and(|e| p.matches(e)))
            && self.method.as_ref().is_none_or(|m| *m == entry.method)
            && self.path.as_ref().is_none_or(|p| p.matches(&entry.path))
            && self.client_id.as_ref().is_none_or(|c| entry.client_id.as_ref() == Some(c))
            && self.grant_type.as_ref().is_none_or(|g| entry.grant_type.as_deref().is_some_and(|e| g.matches(e)))
            && self.user.as_ref().is_none_or(|u| entry.user.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(u)))
            && self.status.is_none_or(|s| s.accepts(entry.status))
            && self.fault.as_ref().is_none_or(|f| entry.faults.iter().any(|id| **id == **f))
            && self.since.is_none_or(|since| entry.time >= since)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, status: Option<u16>) -> Entry {
        Entry {
            seq: 0,
            time: 1_700_000_000_000,
            method: Method::GET,
            path: path.into(),
            endpoint: None,
            client_id: None,
            grant_type: None,
            audience: None,
            user: None,
            status,
            latency_ms: 0,
            delay_ms: None,
            faults: Vec::new(),
            connection_fault: None,
            scripts: Vec::new(),
        }
    }

    #[test]
    fn the_ring_keeps_the_newest_entries() {
        let journal = Journal::new();
        for i in 0..CAPACITY + 5 {
            journal.record(entry(&format!("/{i}"), Some(200)));
        }
        let all = journal.list(&Filter::default());
        assert_eq!(all.len(), CAPACITY);
        assert_eq!((all[0].seq, all[0].path.as_str()), (6, "/5"));
    }

    #[test]
    fn status_filters_take_codes_and_classes() {
        let journal = Journal::new();
        journal.record(entry("/a", Some(200)));
        journal.record(entry("/b", Some(429)));
        journal.record(entry("/c", None));
        let count = |s: &str| journal.count(&Filter { status: StatusFilter::parse(s), ..Filter::default() });
        assert_eq!((count("200"), count("4xx"), count("5xx")), (1, 1, 0));
        assert_eq!(StatusFilter::parse("9xx"), None);
    }
}
