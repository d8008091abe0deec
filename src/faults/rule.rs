//! A fault rule as data: the one serde format `--faults FILE`, the control API and (through
//! [`super::compact`]) the `--fault` flag share, and its validation.
//!
//! A rule is a matcher (`match`), an optional action, an optional latency, and limits. Every
//! duration in JSON is a number of milliseconds or a string with a unit (`"250ms"`, `"2s"`).
//!
//! ```json
//! {"id": "token-down", "match": {"endpoint": "token", "client_id": "m2m-client"},
//!  "action": {"type": "error", "status": 503}, "latency": "200ms", "times": 2}
//! ```

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::endpoint;
use super::latency::{de_ms, ser_ms};
pub use super::latency::{parse_duration, Latency};

/// Upper bound of every injected delay (latency, slow-body interval, rate-limit window).
pub const MAX_DELAY_MS: u64 = 600_000;
/// Upper bound of a `garbage` action's byte count.
pub const MAX_GARBAGE_BYTES: usize = 65_536;
/// Upper bound of a rule id's length.
const MAX_ID_LEN: usize = 64;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Generated (`flt_` + 16 letters and digits) when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, rename = "match")]
    pub matcher: Matcher,
    /// What to do; absent means "pass the request through" (with the latency, if any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency: Option<Latency>,
    /// Chance that a match fires, drawn from the seeded RNG (absent: always).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// Fire at most this many times, then stay listed but inert.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u64>,
    /// Let the first N matches pass before the rule starts firing.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub after: u64,
    /// Higher first; ties go to the rule added first.
    #[serde(default, skip_serializing_if = "is_zero_i32")]
    pub priority: i32,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn is_zero_i32(n: &i32) -> bool {
    *n == 0
}

/// What a request must look like; every field given must match (`*` is a glob in each).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Matcher {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The request path without the query, e.g. `/api/v2/users/*`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// A name from [`endpoint::catalog`], e.g. `token` or `mgmt.users.*`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// From the body, Basic auth, or a bearer token's `azp`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// The body's `username` or `email` (case-insensitive), or a bearer token's `sub`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The body's `connection` or `realm`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<HeaderMatch>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderMatch {
    pub name: String,
    /// Absent: the header only has to be present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// What a firing rule does instead of (or to) the normal response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// An HTTP error in the surface's Auth0 body; `error` and `message` default from the status.
    Error {
        status: u16,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
        /// More top-level body fields, e.g. `mfa_token` next to `mfa_required`; they never
        /// replace the surface's own fields.
        #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
        extra: serde_json::Map<String, Value>,
    },
    /// 429 with Auth0's body and `x-ratelimit-*` / `retry-after` headers.
    RateLimit {
        #[serde(default = "default_limit")]
        limit: u32,
        /// When the bucket refills, from now on the virtual clock.
        #[serde(default = "default_reset_after", serialize_with = "ser_ms", deserialize_with = "de_ms")]
        reset_after: u64,
    },
    /// TCP RST: `SO_LINGER` 0, then close. (Empty braces so extra fields are refused.)
    Reset {},
    /// Close the connection without a response.
    Close {},
    /// Write random bytes (from the seeded RNG), then close.
    Garbage {
        #[serde(default = "default_garbage_bytes")]
        bytes: usize,
    },
    /// Accept the request and never answer (until the server shuts down).
    Hang {},
    /// The real response, its body sent `chunk_bytes` at a time every `interval`.
    SlowBody {
        #[serde(default = "default_chunk_bytes")]
        chunk_bytes: usize,
        #[serde(default = "default_interval", serialize_with = "ser_ms", deserialize_with = "de_ms")]
        interval: u64,
    },
}

pub fn default_limit() -> u32 {
    10
}
pub fn default_reset_after() -> u64 {
    1_000
}
pub fn default_garbage_bytes() -> usize {
    64
}
pub fn default_chunk_bytes() -> usize {
    16
}
pub fn default_interval() -> u64 {
    100
}

impl Action {
    /// The wire name of the action type (`rate_limit`).
    pub fn kind(&self) -> &'static str {
        match self {
            Action::Error { .. } => "error",
            Action::RateLimit { .. } => "rate_limit",
            Action::Reset {} => "reset",
            Action::Close {} => "close",
            Action::Garbage { .. } => "garbage",
            Action::Hang {} => "hang",
            Action::SlowBody { .. } => "slow_body",
        }
    }
}

/// Why a rule was refused: the field (a JSON path such as `action.status`) and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct InvalidRule {
    /// Empty when the error is about the rule as a whole.
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for InvalidRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.field.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.field, self.message)
        }
    }
}

impl InvalidRule {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }

    /// The same error under an outer path (`[2]` + `action.status` → `[2].action.status`).
    pub fn within(self, prefix: &str) -> Self {
        let field = if self.field.is_empty() {
            prefix.to_owned()
        } else if self.field.starts_with('[') {
            format!("{prefix}{}", self.field)
        } else {
            format!("{prefix}.{}", self.field)
        };
        Self { field, ..self }
    }
}

impl Rule {
    /// Checks everything serde cannot: ranges, names, a rule that does something.
    pub fn validate(&self) -> Result<(), InvalidRule> {
        if let Some(id) = &self.id {
            validate_id(id).map_err(|m| InvalidRule::new("id", m))?;
        }
        self.matcher.validate()?;
        if let Some(action) = &self.action {
            validate_action(action)?;
        }
        if let Some(latency) = &self.latency {
            latency.validate().map_err(|m| InvalidRule::new("latency", m))?;
        }
        if self.action.is_none() && self.latency.is_none() {
            return Err(InvalidRule::new("action", "a rule needs an action, a latency, or both"));
        }
        if let Some(p) = self.probability {
            if !(0.0..=1.0).contains(&p) {
                return Err(InvalidRule::new("probability", format!("{p} is not between 0 and 1")));
            }
        }
        if self.times == Some(0) {
            return Err(InvalidRule::new("times", "must be at least 1 (delete the rule to disable it)"));
        }
        Ok(())
    }

    /// Rules from JSON: one object, an array of them, or a string in the compact `--fault` form.
    /// Errors name the JSON path (`[1].action.status: …`).
    pub fn list_from_json(value: Value) -> Result<Vec<Rule>, InvalidRule> {
        match value {
            Value::Array(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, item)| Rule::one_from_json(item).map_err(|e| e.within(&format!("[{i}]"))))
                .collect(),
            other => Ok(vec![Rule::one_from_json(other)?]),
        }
    }

    fn one_from_json(value: Value) -> Result<Rule, InvalidRule> {
        if let Value::String(line) = &value {
            return super::compact::parse(line).map_err(|e| InvalidRule::new("", e.to_string()));
        }
        let rule: Rule = serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            InvalidRule::new(if path == "." { String::new() } else { path }, e.into_inner().to_string())
        })?;
        rule.validate()?;
        Ok(rule)
    }
}

fn validate_id(id: &str) -> Result<(), String> {
    if id.is_empty() || id.len() > MAX_ID_LEN {
        return Err(format!("must be 1 to {MAX_ID_LEN} characters"));
    }
    if !id.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-.:".contains(&b)) {
        return Err(format!("{id:?}: use letters, digits and _ - . : only"));
    }
    Ok(())
}

impl Matcher {
    pub fn is_empty(&self) -> bool {
        *self == Matcher::default()
    }

    fn validate(&self) -> Result<(), InvalidRule> {
        let field = |name: &str, m: String| InvalidRule::new(format!("match.{name}"), m);
        if let Some(method) = &self.method {
            if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err(field("method", format!("{method:?} is not an HTTP method")));
            }
        }
        if let Some(path) = &self.path {
            if !path.starts_with('/') && !path.starts_with('*') {
                return Err(field("path", format!("{path:?} must start with /")));
            }
        }
        if let Some(name) = &self.endpoint {
            endpoint::check_pattern(name).map_err(|m| field("endpoint", m))?;
        }
        for (name, value) in [
            ("client_id", &self.client_id),
            ("grant_type", &self.grant_type),
            ("audience", &self.audience),
            ("user", &self.user),
            ("connection", &self.connection),
        ] {
            if value.as_deref() == Some("") {
                return Err(field(name, "must not be empty".into()));
            }
        }
        if let Some(header) = &self.header {
            if axum::http::HeaderName::from_bytes(header.name.as_bytes()).is_err() {
                return Err(field("header.name", format!("{:?} is not a header name", header.name)));
            }
        }
        Ok(())
    }
}

fn validate_action(action: &Action) -> Result<(), InvalidRule> {
    let field = |name: &str, m: String| InvalidRule::new(format!("action.{name}"), m);
    match action {
        Action::Error { status, error, message, .. } => {
            if !(400..=599).contains(status) {
                return Err(field("status", format!("{status} is not an error status (400-599)")));
            }
            if error.as_deref().is_some_and(|e| e.is_empty() || e.len() > 100) {
                return Err(field("error", "must be 1 to 100 characters".into()));
            }
            if message.as_deref().is_some_and(|m| m.len() > 2000) {
                return Err(field("message", "at most 2000 characters".into()));
            }
        }
        Action::RateLimit { limit, reset_after } => {
            if *limit == 0 {
                return Err(field("limit", "must be at least 1".into()));
            }
            if *reset_after > MAX_DELAY_MS {
                return Err(field("reset_after", format!("at most {MAX_DELAY_MS} ms")));
            }
        }
        Action::Garbage { bytes } => {
            if !(1..=MAX_GARBAGE_BYTES).contains(bytes) {
                return Err(field("bytes", format!("must be 1 to {MAX_GARBAGE_BYTES}")));
            }
        }
        Action::SlowBody { chunk_bytes, interval } => {
            if *chunk_bytes == 0 {
                return Err(field("chunk_bytes", "must be at least 1".into()));
            }
            if *interval > MAX_DELAY_MS {
                return Err(field("interval", format!("at most {MAX_DELAY_MS} ms")));
            }
        }
        Action::Reset {} | Action::Close {} | Action::Hang {} => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_full_rule_round_trips_through_json() {
        let value = json!({
            "id": "token-down",
            "match": {"endpoint": "token", "client_id": "m2m-client", "header": {"name": "x-test"}},
            "action": {"type": "error", "status": 503, "error": "temporarily_unavailable"},
            "latency": {"min": 20, "max": "80ms"},
            "probability": 0.5, "times": 2, "after": 1, "priority": 10
        });
        let rules = Rule::list_from_json(value).expect("valid");
        let back = serde_json::to_value(&rules[0]).expect("serializes");
        assert_eq!(back["latency"], json!({"min": 20, "max": 80}));
        assert_eq!(Rule::list_from_json(back).expect("round trip"), rules);
    }

    #[test]
    fn errors_name_the_json_path() {
        let err = Rule::list_from_json(json!([{"latency": 5}, {"action": {"type": "error", "status": 200}}])).expect_err("bad");
        assert_eq!(err.to_string(), "[1].action.status: 200 is not an error status (400-599)");
        let err = Rule::list_from_json(json!({"action": {"type": "explode"}})).expect_err("bad");
        assert!(err.to_string().starts_with("action.type: unknown variant `explode`"), "{err}");
        let err = Rule::list_from_json(json!({"match": {"endpoint": "tokn"}, "latency": 5})).expect_err("bad");
        assert_eq!(err.to_string(), "match.endpoint: unknown endpoint \"tokn\" (did you mean \"token\"?)");
        let err = Rule::list_from_json(json!({"match": {}})).expect_err("inert");
        assert_eq!(err.to_string(), "action: a rule needs an action, a latency, or both");
    }

    #[test]
    fn unit_actions_refuse_extra_fields() {
        assert!(Rule::list_from_json(json!({"action": {"type": "reset"}})).is_ok());
        assert!(Rule::list_from_json(json!({"action": {"type": "reset", "bytes": 3}})).is_err());
    }
}
