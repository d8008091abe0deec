//! The Node.js worker: one `node` process started on the first JavaScript script call, fed one
//! JSON line per call on stdin and answering on stdout (protocol in `worker.js`). Calls are
//! multiplexed by id, so slow scripts don't queue behind each other. If the process dies it is
//! started again on the next call; a call stuck in a synchronous loop past its timeout (plus a
//! second of grace) gets the worker killed.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};
use tokio::sync::oneshot;

use super::{Call, ScriptError};

/// The worker's source, passed to `node -e`.
const WORKER_JS: &str = include_str!("worker.js");

/// Past the script's own timeout (which the worker enforces), how long before the worker is
/// presumed stuck and killed.
const GRACE: Duration = Duration::from_secs(1);

type Reply = Result<Value, ScriptError>;
type Pending = Arc<Mutex<HashMap<u64, oneshot::Sender<Reply>>>>;

pub struct Worker {
    node: PathBuf,
    cwd: Option<PathBuf>,
    running: tokio::sync::Mutex<Option<Running>>,
}

struct Running {
    child: Child,
    stdin: ChildStdin,
    pending: Pending,
    next_id: u64,
}

impl Worker {
    pub fn new(node: PathBuf, cwd: Option<PathBuf>) -> Self {
        Self { node, cwd, running: tokio::sync::Mutex::new(None) }
    }

    pub async fn call(&self, call: &Call<'_>) -> Result<Value, ScriptError> {
        let (id, reply) = self.send(call).await?;
        match tokio::time::timeout(call.timeout + GRACE, reply).await {
            Ok(Ok(reply)) => reply,
            Ok(Err(_)) => Err(ScriptError::Runtime("the Node.js worker exited during the call".into())),
            Err(_) => {
                // The worker did not even answer with its own timeout: a script is blocking it.
                let mut running = self.running.lock().await;
                if running.as_ref().is_some_and(|r| r.pending.lock().unwrap_or_else(|p| p.into_inner()).contains_key(&id)) {
                    if let Some(mut stuck) = running.take() {
                        tracing::warn!(connection = call.connection, action = call.action.key(), "a script blocked the Node.js worker; restarting it");
                        let _ = stuck.child.start_kill();
                    }
                }
                Err(ScriptError::Timeout(call.timeout))
            }
        }
    }

    /// Writes the call to a live worker (starting one if needed) and returns its id and reply.
    async fn send(&self, call: &Call<'_>) -> Result<(u64, oneshot::Receiver<Reply>), ScriptError> {
        let mut guard = self.running.lock().await;
        if guard.as_mut().is_none_or(|r| !matches!(r.child.try_wait(), Ok(None))) {
            *guard = Some(self.start()?);
        }
        let running = guard.as_mut().ok_or_else(|| ScriptError::Runtime("the Node.js worker is not running".into()))?;
        running.next_id += 1;
        let id = running.next_id;
        let timeout_ms = u64::try_from(call.timeout.as_millis()).unwrap_or(u64::MAX);
        let message = json!({
            "id": id,
            "connection": call.connection,
            "action": call.action.key(),
            "script": call.script,
            "args": call.args,
            "configuration": call.configuration,
            "timeout_ms": timeout_ms,
        });
        let mut line = message.to_string();
        line.push('\n');
        let (tx, rx) = oneshot::channel();
        running.pending.lock().unwrap_or_else(|p| p.into_inner()).insert(id, tx);
        if let Err(error) = running.stdin.write_all(line.as_bytes()).await {
            running.pending.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
            *guard = None;
            return Err(ScriptError::Runtime(format!("could not reach the Node.js worker: {error}")));
        }
        Ok((id, rx))
    }

    fn start(&self) -> Result<Running, ScriptError> {
        let mut command = Command::new(&self.node);
        command.arg("-e").arg(WORKER_JS).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true);
        if let Some(cwd) = &self.cwd {
            if !cwd.is_dir() {
                return Err(ScriptError::Runtime(format!("the scripts directory {} (--scripts-dir) is not a directory", cwd.display())));
            }
            command.current_dir(cwd);
        }
        let mut child = command.spawn().map_err(|error| {
            ScriptError::Runtime(if error.kind() == std::io::ErrorKind::NotFound {
                format!(
                    "custom database scripts written in JavaScript need Node.js, and `{}` was not found; install Node.js or pass --node PATH (or use an http(s) URL as the script)",
                    self.node.display()
                )
            } else {
                format!("could not start the Node.js worker `{}`: {error}", self.node.display())
            })
        })?;
        let missing = || ScriptError::Runtime("the Node.js worker has no stdio".into());
        let stdin = child.stdin.take().ok_or_else(missing)?;
        let stdout = child.stdout.take().ok_or_else(missing)?;
        let stderr = child.stderr.take().ok_or_else(missing)?;
        let pending: Pending = Arc::default();
        tokio::spawn(read_replies(BufReader::new(stdout), pending.clone()));
        tokio::spawn(async move {
            let mut lines = BufReader::new(stderr).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                tracing::warn!("node: {line}");
            }
        });
        tracing::info!(node = %self.node.display(), "started the Node.js worker for custom database scripts");
        Ok(Running { child, stdin, pending, next_id: 0 })
    }
}

/// Routes replies to their callers and script output to the log; when the worker's stdout ends,
/// fails every call still waiting.
async fn read_replies(stdout: BufReader<tokio::process::ChildStdout>, pending: Pending) {
    let mut lines = stdout.lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let Ok(message) = serde_json::from_str::<Value>(&line) else {
            // Something in a script wrote straight to stdout.
            tracing::info!("script output: {line}");
            continue;
        };
        if let Some(log) = message.get("log") {
            let field = |k: &str| log.get(k).and_then(Value::as_str).unwrap_or("-");
            let (connection, action, text) = (field("connection"), field("action"), field("text"));
            match field("level") {
                "error" | "warn" => tracing::warn!(connection, action, "script: {text}"),
                _ => tracing::info!(connection, action, "script: {text}"),
            }
            continue;
        }
        let Some(id) = message.get("id").and_then(Value::as_u64) else { continue };
        let reply = if message.get("ok").and_then(Value::as_bool) == Some(true) {
            Ok(message.get("value").cloned().unwrap_or(Value::Null))
        } else {
            Err(message.get("error").map_or_else(|| ScriptError::Failed("the script failed".into()), ScriptError::from_json))
        };
        if let Some(tx) = pending.lock().unwrap_or_else(|p| p.into_inner()).remove(&id) {
            let _ = tx.send(reply);
        }
    }
    // Dropping the senders wakes every waiting caller with "exited during the call".
    pending.lock().unwrap_or_else(|p| p.into_inner()).clear();
}
