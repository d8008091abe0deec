//! `spawn_app()` and typed helpers: a real emulator on port 0 with a fixed signing key, a
//! frozen clock and nothing on disk, plus an HTTPS client that trusts only the emulator's CA.

use std::net::SocketAddr;
use std::path::PathBuf;

use auth0_emulator::config::{ClockStart, Config};
use auth0_emulator::Emulator;
use reqwest::StatusCode;
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The instant every test's clock starts at: 2023-11-14T22:13:20.000Z.
pub const T0_MS: i64 = 1_700_000_000_000;
pub const T0: i64 = T0_MS / 1000;

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

pub struct TestApp {
    pub addr: SocketAddr,
    /// `https://localhost:<port>/`, the issuer.
    pub base: String,
    /// HTTPS client whose only root is the emulator's CA.
    pub http: reqwest::Client,
    pub ca_pem: String,
    shutdown: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<()>>,
}

pub fn test_config() -> Config {
    let mut config = Config::ephemeral(42);
    config.signing_key = Some(fixture("signing-key.pem"));
    config.clock = ClockStart::FrozenAt(T0_MS);
    config
}

pub async fn spawn_app() -> TestApp {
    spawn_with(test_config()).await
}

pub async fn spawn_with(config: Config) -> TestApp {
    let emulator = Emulator::build(config).await.expect("emulator builds");
    let addr = emulator.local_addr();
    let base = emulator.state().tenant().issuer.clone();
    let ca_pem = emulator.state().ca_pem().to_string();
    let (tx, rx) = oneshot::channel();
    let handle = tokio::spawn(emulator.run_until(async {
        let _ = rx.await;
    }));
    TestApp { addr, base, http: https_client(&ca_pem), ca_pem, shutdown: Some(tx), handle: Some(handle) }
}

pub fn https_client(ca_pem: &str) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(ca_pem.as_bytes()).expect("CA parses");
    reqwest::Client::builder()
        .tls_certs_only([ca])
        .resolve("localhost", SocketAddr::from(([127, 0, 0, 1], 0)))
        .build()
        .expect("client builds")
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path.trim_start_matches('/'))
    }

    pub fn plain_url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.addr.port())
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let response = self.http.get(self.url(path)).send().await.expect("request");
        json_of(response).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let response = self.http.post(self.url(path)).json(&body).send().await.expect("request");
        json_of(response).await
    }

    /// `POST /__emulator/tokens`; panics unless it answers 200.
    pub async fn mint(&self, body: Value) -> Value {
        let (status, body) = self.post("/__emulator/tokens", body).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// The JWKS's first key as a jsonwebtoken decoding key.
    pub async fn jwks_key(&self) -> (String, jsonwebtoken::DecodingKey) {
        let (_, jwks) = self.get("/.well-known/jwks.json").await;
        let key = &jwks["keys"][0];
        let n = key["n"].as_str().expect("n");
        let e = key["e"].as_str().expect("e");
        let kid = key["kid"].as_str().expect("kid").to_string();
        (kid, jsonwebtoken::DecodingKey::from_rsa_components(n, e).expect("rsa components"))
    }

    /// Stops the server and waits for it to drain.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(handle) = self.handle.take() {
            handle.await.expect("server task");
        }
    }
}

pub async fn json_of(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let text = response.text().await.expect("body");
    let value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("expected JSON ({content_type}), got: {text}"));
    assert!(content_type.starts_with("application/json"), "content-type {content_type}");
    (status, value)
}

/// A Management API token for `scope`, minted through the control API.
pub async fn mgmt_token(app: &TestApp, scope: &str) -> String {
    let body = app.mint(serde_json::json!({"audience": format!("{}api/v2/", app.base), "scope": scope})).await;
    body["token"].as_str().expect("token").to_string()
}

/// A Management API call with a bearer token; a 204 answers `Value::Null`.
pub async fn call(app: &TestApp, method: reqwest::Method, path: &str, bearer: &str, body: Option<Value>) -> (StatusCode, Value) {
    let mut request = app.http.request(method, app.url(path)).bearer_auth(bearer);
    if let Some(b) = body {
        request = request.json(&b);
    }
    let response = request.send().await.expect("req");
    if response.status() == StatusCode::NO_CONTENT {
        return (StatusCode::NO_CONTENT, Value::Null);
    }
    json_of(response).await
}
