//! `POST /dbconnections/change_password` (reference §3.2): `client_id`, `email` and `connection`
//! are required (a missing one is `400 invalid_request`, `Missing required parameter: <name>`);
//! the answer is always `200 text/html; charset=utf-8`
//! `We've just sent you an email to reset your password.`, whether or not the user exists.
//! When it does, [`crate::tenant::password_reset::request`] puts the reset link in the outbox.
//!
//! An unknown client, or a connection that is unknown, not a database or not enabled for the
//! client, is refused with the texts `/oauth/token` uses for the same mistakes (reference
//! §3.3.6); for this endpoint they are **unverified**. `organization` is accepted and ignored.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;

use crate::authn::error::{AuthError, ErrorCode};
use crate::authn::params::Params;
use crate::custom_db::flows;
use crate::paths;
use crate::state::AppState;
use crate::tenant::password_reset::{self, RequestFailure};

/// Auth0's reply, recorded in go-auth0 `TestDatabaseChangePassword.yaml`.
pub const SENT: &str = "We've just sent you an email to reset your password.";

pub async fn change_password(State(state): State<AppState>, params: Params) -> Result<impl IntoResponse, AuthError> {
    let required = |key: &'static str| {
        params.str(key).ok_or_else(|| AuthError::invalid_request(format!("Missing required parameter: {key}")))
    };
    let client_id = required("client_id")?;
    let email = required("email")?;
    let connection = required("connection")?;
    // A custom database's `get_user` finds a user not (yet) stored here.
    flows::before_reset_request(&state, &client_id, &email, &connection)
        .await
        .map_err(|e| AuthError::new(StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::ServerError, e.to_string()))?;
    let now = state.clock().now_ms();
    let sent = password_reset::request(state.tenant(), state.rng(), now, &client_id, &email, &connection).map_err(|failure| {
        match failure {
            RequestFailure::UnknownClient => {
                AuthError::new(StatusCode::FORBIDDEN, ErrorCode::UnauthorizedClient, failure.to_string())
            }
            RequestFailure::ConnectionNotFound | RequestFailure::ConnectionDisabled => {
                AuthError::invalid_request(failure.to_string())
            }
        }
    })?;
    if sent {
        // The link itself is a credential: say where to read it, not what it is.
        tracing::info!(to = %email, %connection, "password-reset link queued; read it at GET {}", paths::CONTROL_OUTBOX);
    }
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], SENT))
}
