//! Custom database connections: a database connection with `enabledDatabaseCustomization` keeps
//! its users in the developer's own store and reaches it through Auth0's action scripts
//! (`login`, `get_user`, `create`, `verify`, `change_password`, `change_email`, `delete`).
//!
//! A script (a value of the connection's `options.customScripts`) is either
//! - JavaScript source, as in Auth0, run by one long-lived Node.js worker ([`node`]), or
//! - an `http://` / `https://` URL the emulator POSTs the call to ([`hook`]).
//!
//! [`Scripts::call`] runs one call with a timeout and records it (connection, action, duration,
//! outcome) on the request that caused it, for the request journal. [`flows`] puts the calls into
//! login, signup, password reset and the Management API; the profile mapping (Auth0's `metadata`
//! alias) is domain code in [`crate::tenant::script_profile`].

pub mod flows;
pub mod hook;
pub mod node;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::tenant::model::Connection;

/// Auth0's limit on one script execution.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);

/// The actions a custom database can script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Login,
    GetUser,
    Create,
    Verify,
    ChangePassword,
    ChangeEmail,
    Delete,
}

impl Action {
    /// The key in `customScripts` and in the journal.
    pub fn key(self) -> &'static str {
        match self {
            Action::Login => "login",
            Action::GetUser => "get_user",
            Action::Create => "create",
            Action::Verify => "verify",
            Action::ChangePassword => "change_password",
            Action::ChangeEmail => "change_email",
            Action::Delete => "delete",
        }
    }

    /// The names of the script's arguments, in Auth0's order (the callback comes last). An HTTP
    /// hook gets them as named fields of its JSON body.
    pub fn params(self) -> &'static [&'static str] {
        match self {
            Action::Login => &["email", "password"],
            Action::GetUser | Action::Verify => &["email"],
            Action::Create => &["user"],
            Action::ChangePassword => &["email", "new_password"],
            Action::ChangeEmail => &["email", "new_email", "verified"],
            Action::Delete => &["id"],
        }
    }
}

/// How a script call failed: the error the script passed to its callback, or why it could not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScriptError {
    /// `new WrongUsernameOrPasswordError(email, message)`.
    #[error("{}", .0.as_deref().unwrap_or("Wrong email or password."))]
    WrongCredentials(Option<String>),
    /// `new ValidationError(code, message)`, e.g. `user_exists`.
    #[error("{message}")]
    Validation { code: String, message: String },
    /// `new UnauthorizedError(message)`.
    #[error("{0}")]
    Unauthorized(String),
    /// Any other error the script reported.
    #[error("{0}")]
    Failed(String),
    /// The callback was not called in time.
    #[error("Script execution time exceeded ({} ms)", .0.as_millis())]
    Timeout(Duration),
    /// The script could not run: no Node.js, the worker died, the hook was unreachable.
    #[error("{0}")]
    Runtime(String),
    /// The connection has no script for the action.
    #[error("the custom database connection has no {} script", .0.key())]
    Missing(Action),
}

impl ScriptError {
    /// An error a script reported as `{name, message, code}` (from the worker or a hook).
    pub fn reported(name: &str, message: Option<&str>, code: Option<&str>) -> Self {
        let message = message.filter(|m| !m.is_empty()).map(str::to_owned);
        match name {
            "WrongUsernameOrPasswordError" => ScriptError::WrongCredentials(message),
            "ValidationError" => {
                let code = code.unwrap_or("invalid_signup").to_owned();
                ScriptError::Validation { message: message.unwrap_or_else(|| code.clone()), code }
            }
            "UnauthorizedError" => ScriptError::Unauthorized(message.unwrap_or_else(|| "Unauthorized".into())),
            // The runner knows the limit; `Scripts::call` fills it in.
            "TimeoutError" => ScriptError::Timeout(Duration::ZERO),
            _ => ScriptError::Failed(message.unwrap_or_else(|| name.to_owned())),
        }
    }

    /// Reads `{"name", "message", "code"}`.
    fn from_json(error: &Value) -> Self {
        let field = |k: &str| error.get(k).and_then(Value::as_str);
        Self::reported(field("name").unwrap_or("Error"), field("message"), field("code"))
    }

    /// The journal's word for it.
    fn outcome(&self) -> &'static str {
        match self {
            ScriptError::WrongCredentials(_) => "wrong_credentials",
            ScriptError::Validation { .. } => "validation_error",
            ScriptError::Unauthorized(_) => "unauthorized",
            ScriptError::Failed(_) => "error",
            ScriptError::Timeout(_) => "timeout",
            ScriptError::Runtime(_) => "runtime_error",
            ScriptError::Missing(_) => "missing_script",
        }
    }
}

/// Where scripts run (from the command line).
#[derive(Debug, Clone)]
pub struct Settings {
    /// The Node.js executable.
    pub node: PathBuf,
    /// The scripts' working directory: `require()` and relative paths resolve from it.
    pub dir: Option<PathBuf>,
    /// Per call.
    pub timeout: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self { node: PathBuf::from("node"), dir: None, timeout: DEFAULT_TIMEOUT }
    }
}

/// One call as the journal shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallRecord {
    pub connection: String,
    pub action: &'static str,
    /// `node` or `http`.
    pub runner: &'static str,
    pub duration_ms: f64,
    /// `ok`, or the kind of failure (`wrong_credentials`, `validation_error`, `timeout`, …).
    pub outcome: &'static str,
}

tokio::task_local! {
    /// Script calls of the request being served (installed by the journal middleware).
    static CALLS: Arc<Mutex<Vec<CallRecord>>>;
}

/// Runs `request` with script calls collected into `calls`.
pub async fn collecting<F: std::future::Future>(calls: Arc<Mutex<Vec<CallRecord>>>, request: F) -> F::Output {
    CALLS.scope(calls, request).await
}

/// The script runners: one Node.js worker (started on first use) and an HTTP client.
pub struct Scripts {
    settings: Settings,
    node: node::Worker,
    hook: hook::Client,
}

impl Scripts {
    pub fn new(settings: Settings) -> Self {
        let node = node::Worker::new(settings.node.clone(), settings.dir.clone());
        Self { settings, node, hook: hook::Client::default() }
    }

    /// Runs `action` of `connection` with `args` (in [`Action::params`] order) and returns the
    /// value the script passed to its callback (`null` when none).
    pub async fn call(&self, connection: &Connection, action: Action, args: Vec<Value>) -> Result<Value, ScriptError> {
        let script = connection.custom_script(action.key()).ok_or(ScriptError::Missing(action))?.to_owned();
        let configuration = connection.options.configuration.clone().unwrap_or_default();
        let is_hook = script.starts_with("http://") || script.starts_with("https://");
        let started = Instant::now();
        let call = Call { connection: &connection.name, action, script: &script, args, configuration, timeout: self.settings.timeout };
        let result = if is_hook { self.hook.call(&call).await } else { self.node.call(&call).await };
        let result = result.map_err(|e| match e {
            ScriptError::Timeout(_) => ScriptError::Timeout(self.settings.timeout),
            other => other,
        });
        let record = CallRecord {
            connection: connection.name.clone(),
            action: action.key(),
            runner: if is_hook { "http" } else { "node" },
            duration_ms: (started.elapsed().as_secs_f64() * 1e6).round() / 1e3,
            outcome: result.as_ref().map_or_else(ScriptError::outcome, |_| "ok"),
        };
        match &result {
            Ok(_) => tracing::debug!(connection = %record.connection, action = record.action, ms = record.duration_ms, "script call"),
            Err(e) => tracing::info!(connection = %record.connection, action = record.action, ms = record.duration_ms, error = %e, "script call failed"),
        }
        let _ = CALLS.try_with(|calls| calls.lock().unwrap_or_else(|p| p.into_inner()).push(record));
        result
    }
}

/// What a runner needs for one call.
pub struct Call<'a> {
    pub connection: &'a str,
    pub action: Action,
    pub script: &'a str,
    pub args: Vec<Value>,
    pub configuration: Map<String, Value>,
    pub timeout: Duration,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reported_errors_map_to_auth0_error_classes() {
        assert_eq!(ScriptError::reported("WrongUsernameOrPasswordError", Some(""), None), ScriptError::WrongCredentials(None));
        assert_eq!(ScriptError::reported("WrongUsernameOrPasswordError", None, None).to_string(), "Wrong email or password.");
        assert_eq!(
            ScriptError::reported("ValidationError", Some("taken"), Some("user_exists")),
            ScriptError::Validation { code: "user_exists".into(), message: "taken".into() }
        );
        assert_eq!(ScriptError::reported("TypeError", Some("x is undefined"), None), ScriptError::Failed("x is undefined".into()));
        assert_eq!(ScriptError::reported("UnauthorizedError", Some("locked"), None).to_string(), "locked");
    }

    #[test]
    fn every_action_names_its_arguments_in_auth0_order() {
        assert_eq!(Action::Login.params(), ["email", "password"]);
        assert_eq!(Action::ChangeEmail.params(), ["email", "new_email", "verified"]);
        assert_eq!(Action::Delete.key(), "delete");
    }
}
