//! One port, two protocols; trust comes from the emulator's CA; state survives restarts.

use reqwest::StatusCode;

use crate::helpers::{https_client, spawn_app, spawn_with, test_config};

#[tokio::test]
async fn https_and_plain_http_are_served_on_the_same_port() {
    let app = spawn_app().await;
    let tls = app.http.get(app.url("/__emulator/health")).send().await.expect("https");
    assert_eq!(tls.status(), StatusCode::OK);
    assert_eq!(tls.url().scheme(), "https");
    let plain = reqwest::get(app.plain_url("/__emulator/health")).await.expect("http");
    assert_eq!(plain.status(), StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn a_client_that_does_not_trust_the_emulator_ca_is_refused() {
    let app = spawn_app().await;
    let other = auth0_emulator::tls::load_or_create_ca(None).expect("another CA");
    let stranger = https_client(&other.cert_pem);
    let err = stranger.get(app.url("/__emulator/health")).send().await.expect_err("untrusted");
    assert!(err.is_connect() || err.is_request(), "{err:?}");
    app.stop().await;
}

#[tokio::test]
async fn the_certificate_covers_loopback_ip_and_extra_names() {
    let mut config = test_config();
    config.tls = auth0_emulator::config::TlsSource::Generated { extra_sans: vec!["auth0".into()] };
    let app = spawn_with(config).await;
    let ca = reqwest::Certificate::from_pem(app.ca_pem.as_bytes()).expect("ca");
    for host in ["127.0.0.1", "auth0"] {
        let client = reqwest::Client::builder()
            .tls_certs_only([ca.clone()])
            .resolve("auth0", app.addr)
            .build()
            .expect("client");
        let url = format!("https://{host}:{}/__emulator/health", app.addr.port());
        let response = client.get(&url).send().await.unwrap_or_else(|e| panic!("{url}: {e:?}"));
        assert_eq!(response.status(), StatusCode::OK, "{url}");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_restart_with_the_same_state_dir_keeps_the_ca_and_the_kid() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = test_config();
    config.signing_key = None;
    config.state_dir = Some(dir.path().to_path_buf());
    let first = spawn_with(config.clone()).await;
    let (first_kid, _) = first.jwks_key().await;
    let first_ca = first.ca_pem.clone();
    first.stop().await;
    let second = spawn_with(config).await;
    let (second_kid, _) = second.jwks_key().await;
    assert_eq!(first_kid, second_kid);
    assert_eq!(first_ca, second.ca_pem);
    // The old CA still verifies the new server certificate: trust survives the restart.
    let response = https_client(&first_ca).get(second.url("/__emulator/health")).send().await.expect("trusted");
    assert_eq!(response.status(), StatusCode::OK);
    second.stop().await;
    assert!(dir.path().join("ca.pem").exists() && dir.path().join("signing-key.pem").exists());
}

#[tokio::test]
async fn ephemeral_runs_write_nothing_and_get_new_keys() {
    let mut config = test_config();
    config.signing_key = None;
    let a = spawn_with(config.clone()).await;
    let b = spawn_with(config).await;
    assert_ne!(a.jwks_key().await.0, b.jwks_key().await.0);
    assert_ne!(a.ca_pem, b.ca_pem);
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn shutdown_waits_for_nothing_when_idle_and_frees_the_port() {
    let app = spawn_app().await;
    let addr = app.addr;
    app.stop().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err(), "still listening after shutdown");
}
