//! Connection-level faults seen from the client's socket: a raw `TcpStream` over plain HTTP
//! observes the RST, the bare EOF, the garbage and the silence.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::faults::add_fault;
use crate::helpers::{spawn_app, spawn_with, test_config, TestApp};

const JWKS: &str = "/.well-known/jwks.json";

/// Connects over plain HTTP and sends one GET.
async fn raw_get(app: &TestApp, path: &str) -> TcpStream {
    let mut stream = TcpStream::connect(app.addr).await.expect("connect");
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    stream
}

#[tokio::test]
async fn reset_sends_a_tcp_rst() {
    let app = spawn_app().await;
    add_fault(&app, json!("endpoint=jwks,reset")).await;
    let mut stream = raw_get(&app, JWKS).await;
    let mut buf = Vec::new();
    let err = stream.read_to_end(&mut buf).await.expect_err("reset");
    assert_eq!((err.kind(), buf.len()), (std::io::ErrorKind::ConnectionReset, 0));
    // Over HTTPS the client sees a failed request, not a response.
    let https = app.http.get(app.url(JWKS)).send().await;
    assert!(https.is_err(), "{https:?}");
    app.stop().await;
}

#[tokio::test]
async fn close_ends_the_connection_without_a_byte() {
    let app = spawn_app().await;
    add_fault(&app, json!("endpoint=jwks,close")).await;
    let mut stream = raw_get(&app, JWKS).await;
    let mut buf = Vec::new();
    let n = stream.read_to_end(&mut buf).await.expect("clean EOF");
    assert_eq!(n, 0);
    app.stop().await;
}

async fn garbage_run(seed: u64) -> Vec<u8> {
    let mut config = test_config();
    config.random_seed = seed;
    let app = spawn_with(config).await;
    add_fault(&app, json!("endpoint=jwks,garbage,bytes=48")).await;
    let mut stream = raw_get(&app, JWKS).await;
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf).await.expect("garbage then EOF");
    app.stop().await;
    buf
}

#[tokio::test]
async fn garbage_writes_seeded_bytes_then_closes() {
    let bytes = garbage_run(42).await;
    assert_eq!(bytes.len(), 48);
    assert!(!bytes.starts_with(b"HTTP/"));
    assert_eq!(garbage_run(42).await, bytes, "the same seed writes the same garbage");
}

#[tokio::test]
async fn hang_never_answers_until_shutdown() {
    let app = spawn_app().await;
    add_fault(&app, json!("endpoint=jwks,hang")).await;
    let mut stream = raw_get(&app, JWKS).await;
    let mut buf = [0u8; 16];
    let read = tokio::time::timeout(Duration::from_millis(300), stream.read(&mut buf)).await;
    assert!(read.is_err(), "expected no answer, got {read:?}");
    // Shutdown releases the held request instead of waiting out the drain timeout.
    let start = Instant::now();
    app.stop().await;
    assert!(start.elapsed() < Duration::from_secs(5), "{:?}", start.elapsed());
    assert_eq!(stream.read(&mut buf).await.expect("EOF after shutdown"), 0);
}

#[tokio::test]
async fn slow_body_dribbles_the_real_response() {
    let app = spawn_app().await;
    let (_, jwks) = app.get(JWKS).await;
    let size = serde_json::to_vec(&jwks).expect("json").len();
    add_fault(&app, json!("endpoint=jwks,slow_body,chunk_bytes=512,interval=50ms")).await;
    let start = Instant::now();
    let (status, body) = app.get(JWKS).await;
    let elapsed = start.elapsed();
    assert_eq!((status, body), (StatusCode::OK, jwks));
    let gaps = (size.div_ceil(512) - 1) as u32;
    assert!(elapsed >= Duration::from_millis(50) * gaps, "{elapsed:?} for {gaps} gaps");
    app.stop().await;
}
