//! The control API (`/__emulator/*`): ours, not Auth0's. Health, the CA, reset, token minting,
//! the virtual clock, the outbox, fault rules and the request journal. When `--admin-token` is
//! set, everything but health and the CA requires it.

pub mod clock;
pub mod error;
pub mod faults;
pub mod health;
pub mod outbox;
pub mod requests;
pub mod tokens;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

use crate::paths;
use crate::state::AppState;
use error::{ControlError, ErrorCode};

/// A JSON body whose rejection is a control-API error.
pub type Json<T> = crate::extract::JsonBody<T, ControlError>;

pub fn routes(state: AppState) -> Router<AppState> {
    let guarded = Router::new()
        .route(paths::CONTROL_RESET, post(health::reset))
        .route(paths::CONTROL_TOKENS, post(tokens::mint))
        .route(paths::CONTROL_CLOCK, get(clock::status).post(clock::update))
        .route(paths::CONTROL_OUTBOX, get(outbox::list).delete(outbox::clear))
        .route(paths::CONTROL_FAULTS, get(faults::list).post(faults::add).delete(faults::clear))
        .route(paths::CONTROL_FAULT, get(faults::get).delete(faults::delete))
        .route(paths::CONTROL_REQUESTS, get(requests::list).delete(requests::clear))
        .route(paths::CONTROL_REQUESTS_COUNT, get(requests::count))
        .route(paths::CONTROL_REQUESTS_REPORT, get(requests::report))
        .route_layer(middleware::from_fn_with_state(state, require_admin_token));
    Router::new()
        .route(paths::CONTROL_HEALTH, get(health::health))
        .route(paths::CONTROL_CA, get(health::ca_pem))
        .route(paths::CONTROL_EXPORT_FILE, get(health::export_file))
        .merge(guarded)
}

async fn require_admin_token(State(state): State<AppState>, request: Request, next: Next) -> Result<Response, ControlError> {
    if let Some(expected) = state.admin_token() {
        let given = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if !given.is_some_and(|g| constant_time_eq(g.as_bytes(), expected.as_bytes())) {
            return Err(ControlError::new(ErrorCode::Unauthorized, "this emulator requires its admin token: Authorization: Bearer <token>"));
        }
    }
    Ok(next.run(request).await)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}
