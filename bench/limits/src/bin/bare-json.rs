//! A bare hyper server answering every request with one fixed JSON body: the request-overhead
//! ceiling (accept, parse HTTP/1.1, write a response) on this machine, against which the
//! emulator's cheapest endpoints are compared.
//!
//! Listens on 127.0.0.1 (`--port`, 0 = any free port) with tokio's multi-threaded runtime (one
//! worker per core, like the emulator), prints `bare-json ready port=N`, and stops on SIGINT or
//! SIGTERM, or by itself after `--max-seconds` (default 600) so a crashed harness leaves nothing
//! running.
//!
//! Usage: bare-json [--port N] [--body-file PATH] [--max-seconds S]

use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

const DEFAULT_BODY: &str = r#"{"sub":"auth0|0123456789abcdef01234567","email":"jane@example.com","email_verified":true}"#;

#[tokio::main]
async fn main() {
    let mut port = 0u16;
    let mut body = Bytes::from_static(DEFAULT_BODY.as_bytes());
    let mut max_seconds = 600u64;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().unwrap_or_default();
        match arg.as_str() {
            "--port" => port = value.parse().expect("--port N"),
            "--body-file" => body = Bytes::from(std::fs::read(&value).expect("--body-file PATH")),
            "--max-seconds" => max_seconds = value.parse().expect("--max-seconds S"),
            other => panic!("unknown argument {other}"),
        }
    }
    let listener = TcpListener::bind(("127.0.0.1", port)).await.expect("bind 127.0.0.1");
    println!("bare-json ready port={}", listener.local_addr().expect("local address").port());

    let accept = async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { continue };
            let _ = stream.set_nodelay(true);
            let body = body.clone();
            tokio::spawn(async move {
                let service = service_fn(move |_request: Request<hyper::body::Incoming>| {
                    let mut response = Response::new(Full::new(body.clone()));
                    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                    async move { Ok::<_, Infallible>(response) }
                });
                let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
            });
        }
    };
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = accept => {}
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
        _ = tokio::time::sleep(Duration::from_secs(max_seconds)) => {}
    }
}
