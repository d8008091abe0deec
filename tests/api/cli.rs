//! The binary as users run it: the ready line, SIGTERM, and the subcommands.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_auth0-emulator");

/// Starts `serve` and returns the child and its ready line's key=value pairs.
fn start(args: &[&str]) -> (Child, std::collections::HashMap<String, String>) {
    let mut child = Command::new(BIN)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn emulator");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let ready = loop {
        let line = lines.next().expect("the emulator exited before its ready line").expect("read");
        if let Some(rest) = line.strip_prefix("auth0-emulator ready ") {
            break rest.to_string();
        }
    };
    let fields = ready
        .split_whitespace()
        .filter_map(|kv| kv.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())))
        .collect();
    (child, fields)
}

fn terminate(child: &mut Child) -> std::process::ExitStatus {
    let pid = child.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().expect("kill");
    child.wait().expect("wait")
}

#[tokio::test]
async fn serve_prints_a_ready_line_and_exits_zero_on_sigterm() {
    let dir = tempfile::tempdir().expect("dir");
    let state = dir.path().to_str().expect("utf8");
    let (mut child, ready) = start(&["--port", "0", "--state-dir", state, "--random-seed", "7"]);
    let port: u16 = ready["domain"].strip_prefix("localhost:").expect("domain").parse().expect("port");
    assert_eq!(ready["url"], format!("https://localhost:{port}/"));
    assert_eq!(ready["ca"], dir.path().join("ca.pem").display().to_string());
    assert_eq!(ready["users"], "3");
    assert_eq!(ready["random_seed"], "7");

    let health = Command::new(BIN).args(["healthcheck", "--port", &port.to_string()]).status().expect("healthcheck");
    assert!(health.success());

    // `token` signs with the same key the server publishes.
    let out = Command::new(BIN)
        .args(["token", "--state-dir", state, "--port", &port.to_string(), "--scope", "read:users", "--claim", "n=5"])
        .output()
        .expect("token");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8(out.stdout).expect("utf8");
    let jwks: Value = reqwest::get(format!("http://127.0.0.1:{port}/.well-known/jwks.json")).await.expect("jwks").json().await.expect("json");
    let key = jsonwebtoken::DecodingKey::from_rsa_components(jwks["keys"][0]["n"].as_str().expect("n"), jwks["keys"][0]["e"].as_str().expect("e")).expect("key");
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_issuer(&[format!("https://localhost:{port}/")]);
    validation.set_audience(&[format!("https://localhost:{port}/api/v2/")]);
    let claims = jsonwebtoken::decode::<Value>(token.trim(), &key, &validation).expect("verifies").claims;
    assert_eq!(claims["scope"], "read:users");
    assert_eq!(claims["n"], 5);

    let status = terminate(&mut child);
    assert!(status.success(), "{status:?}");
    let after = Command::new(BIN).args(["healthcheck", "--port", &port.to_string()]).output().expect("healthcheck");
    assert!(!after.status.success());
}

#[test]
fn ca_and_env_print_what_runtimes_need() {
    let dir = tempfile::tempdir().expect("dir");
    let state = dir.path().to_str().expect("utf8");
    let ca = Command::new(BIN).args(["ca", "--state-dir", state]).output().expect("ca");
    assert!(ca.status.success());
    let pem = String::from_utf8(ca.stdout).expect("utf8");
    assert_eq!(pem, std::fs::read_to_string(dir.path().join("ca.pem")).expect("saved"));
    let env = Command::new(BIN).args(["env", "--state-dir", state, "--port", "4443"]).output().expect("env");
    let text = String::from_utf8(env.stdout).expect("utf8");
    let ca_path = dir.path().join("ca.pem");
    let bundle = dir.path().join("ca-bundle.pem");
    assert!(text.contains(&format!("export NODE_EXTRA_CA_CERTS={}\n", ca_path.display())), "{text}");
    assert!(text.contains(&format!("export SSL_CERT_FILE={}\n", bundle.display())), "{text}");
    assert!(text.contains(&format!("export REQUESTS_CA_BUNDLE={}\n", bundle.display())), "{text}");
    assert!(text.contains("export AUTH0_DOMAIN=localhost:4443\n"));
    assert!(text.contains("export AUTH0_ISSUER_BASE_URL=https://localhost:4443/\n"));
    assert!(std::fs::read_to_string(bundle).expect("bundle").ends_with(&pem));
}

#[test]
fn check_seed_names_the_file_and_path_and_exits_two() {
    let dir = tempfile::tempdir().expect("dir");
    let bad = dir.path().join("users.json");
    std::fs::write(&bad, r#"[{"email": "a@b.c"}, {"email": "a@b.c"}, {"email": "oops"}]"#).expect("write");
    let out = Command::new(BIN).args(["check-seed", bad.to_str().expect("utf8")]).output().expect("check-seed");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).expect("utf8");
    assert_eq!(err.trim(), format!("{}: [1].email: a user with email a@b.c already exists in connection Username-Password-Authentication", bad.display()));

    let good = Command::new(BIN).args(["check-seed", concat!(env!("CARGO_MANIFEST_DIR"), "/seed-data")]).output().expect("check-seed");
    assert!(good.status.success());
    assert!(String::from_utf8_lossy(&good.stdout).starts_with("ok: 3 clients, 2 APIs"), "{}", String::from_utf8_lossy(&good.stdout));
}

#[test]
fn serve_with_a_bad_seed_exits_two_with_one_line() {
    let dir = tempfile::tempdir().expect("dir");
    let bad = dir.path().join("t.json");
    std::fs::write(&bad, r#"{"users": [{"email": 5}]}"#).expect("write");
    let out = Command::new(BIN)
        .args(["--port", "0", "--ephemeral", "--seed", bad.to_str().expect("utf8")])
        .output()
        .expect("serve");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).expect("utf8");
    assert_eq!(err.trim(), format!("{}: users[0].email: invalid type: integer `5`, expected a string", bad.display()));
}
