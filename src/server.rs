//! The listener and the router.
//!
//! One TCP port serves both protocols: the first byte of each connection is peeked, and a TLS
//! handshake record (0x16) is answered over TLS while anything else is served as plain HTTP, so
//! there is no "which port" to get wrong. Shutdown stops accepting, lets open connections finish
//! for up to ten seconds, then returns.

use std::future::Future;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tower::layer::layer_fn;
use tower::ServiceBuilder;
use tower_http::trace::TraceLayer;

use crate::authn::cors::Cors;
use crate::authn::error::{AuthError, ErrorCode as AuthCode};
use crate::control::error::{ControlError, ErrorCode as ControlCode};
use crate::faults;
use crate::faults::connection::{ConnectionHandle, FaultIo};
use crate::faults::middleware::Faults;
use crate::mgmt::error::MgmtError;
use crate::paths;
use crate::state::AppState;
use crate::tls::Tls;

/// A response on its way, as the router's own layers (CORS, faults and the journal) hand it on.
pub type ResponseFuture = std::pin::Pin<Box<dyn std::future::Future<Output = Result<axum::response::Response, std::convert::Infallible>> + Send>>;

/// The Management API's payload limit (reference §2), applied to every surface.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// How long open connections may take to finish once shutdown begins.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);
/// A connection that sends nothing for this long is dropped before its protocol is known.
const FIRST_BYTE_TIMEOUT: Duration = Duration::from_secs(30);

/// Every route of every surface, with the shared layers.
pub fn router(state: AppState) -> Router {
    let (faults_state, cors_state) = (state.clone(), state.clone());
    // One `Router::layer` call for the whole stack: axum boxes the service anew for each call,
    // on every route, and each box costs every request an allocation and a clone. Listed from
    // the outside in.
    let layers = ServiceBuilder::new()
        // Spans name the path only (query strings can carry codes, tickets and ID-token hints),
        // at DEBUG so that serving a request at the default level formats nothing.
        .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<axum::body::Body>| {
            tracing::debug_span!("request", method = %request.method(), path = %request.uri().path())
        }))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        // Faults and the request journal sit inside CORS, so a faulted response still carries
        // CORS headers a browser needs to read it.
        .layer(layer_fn(move |inner| Cors::new(inner, cors_state.clone())))
        .layer(layer_fn(move |inner| Faults::new(inner, faults_state.clone())));
    Router::new()
        .merge(crate::authn::routes())
        .merge(crate::mgmt::routes())
        .merge(crate::control::routes(state.clone()))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(layers)
        .with_state(state)
}

/// Which surface a path belongs to, so errors outside any route still use that surface's body.
enum Surface {
    Authentication,
    Management,
    Control,
}

fn surface(uri: &Uri) -> Surface {
    let path = uri.path();
    if path == paths::MANAGEMENT_PREFIX || path.starts_with("/api/v2/") {
        Surface::Management
    } else if path == paths::CONTROL_PREFIX || path.starts_with("/__emulator/") {
        Surface::Control
    } else {
        Surface::Authentication
    }
}

async fn not_found(uri: Uri) -> Response {
    match surface(&uri) {
        Surface::Management => MgmtError::new(StatusCode::NOT_FOUND, "Not Found", None).into_response(),
        Surface::Control => ControlError::new(ControlCode::NotFound, format!("no control endpoint at {}", uri.path())).into_response(),
        Surface::Authentication => AuthError::new(StatusCode::NOT_FOUND, AuthCode::NotFound, "Not Found").into_response(),
    }
}

async fn method_not_allowed(uri: Uri) -> Response {
    let status = StatusCode::METHOD_NOT_ALLOWED;
    match surface(&uri) {
        Surface::Management => MgmtError::new(status, "Method Not Allowed", None).into_response(),
        Surface::Control => ControlError::new(ControlCode::MethodNotAllowed, "method not allowed").into_response(),
        Surface::Authentication => AuthError::new(status, AuthCode::MethodNotAllowed, "Method Not Allowed").into_response(),
    }
}

/// Accepts connections until `shutdown` resolves, then drains.
pub async fn serve(listener: TcpListener, router: Router, tls: Tls, shutdown: impl Future<Output = ()>) {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    // Turns true when shutdown begins, so requests a `hang` fault holds end instead of outliving
    // the drain.
    let (closing, _) = tokio::sync::watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(error) => {
                    // Out of file descriptors and the like: keep serving the connections we have.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let acceptor = tls.acceptor.clone();
        let watcher = graceful.watcher();
        let connection = ConnectionHandle::new(closing.subscribe());
        tokio::spawn(async move {
            if let Err(error) = serve_connection(stream, router, acceptor, watcher, connection).await {
                tracing::debug!(%peer, %error, "connection ended with an error");
            }
        });
    }
    drop(listener);
    let _ = closing.send(true);
    if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown()).await.is_err() {
        tracing::warn!("connections still open after {DRAIN_TIMEOUT:?}; closing them");
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

async fn serve_connection(
    stream: TcpStream,
    router: Router,
    acceptor: tokio_rustls::TlsAcceptor,
    watcher: hyper_util::server::graceful::Watcher,
    connection: ConnectionHandle,
) -> Result<(), BoxError> {
    let mut first = [0u8; 1];
    let peeked = tokio::time::timeout(FIRST_BYTE_TIMEOUT, stream.peek(&mut first)).await??;
    if peeked == 0 {
        return Ok(());
    }
    // Connection-level faults act on the socket: it is wrapped below TLS, and every request
    // carries the handle that arms it.
    let stream = FaultIo::new(stream, connection.clone());
    let service = TowerToHyperService::new(faults::connection::with_handle(router, connection));
    let builder = auto::Builder::new(TokioExecutor::new());
    // 0x16 is the TLS record type "handshake": every ClientHello starts with it, no HTTP request does.
    if first[0] == 0x16 {
        let tls = acceptor.accept(stream).await?;
        let conn = builder.serve_connection_with_upgrades(TokioIo::new(tls), service);
        watcher.watch(conn.into_owned()).await
    } else {
        let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
        watcher.watch(conn.into_owned()).await
    }
}
