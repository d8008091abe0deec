//! `GET /.well-known/jwks.json`: the tenant's public signing key, with `x5c` and `x5t` as Auth0
//! publishes them. Browsers fetch it cross-origin (auth0-js verifies ID tokens), hence CORS.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use crate::state::AppState;

pub async fn jwks(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"), (header::CONTENT_TYPE, "application/json")],
        state.tenant().jwks().to_string(),
    )
}
