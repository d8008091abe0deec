//! Database-connection endpoints: signup, change_password, and the password-reset page.

use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
