//! Database-connection endpoints: `POST /dbconnections/signup`, `POST /dbconnections/change_password`,
//! and the password-reset page its emailed link opens (`GET`/`POST /lo/reset`). One file per
//! endpoint; signup's own error shapes live in [`error`].

pub mod error;
pub mod signup;

use axum::routing::post;
use axum::Router;

use crate::paths;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route(paths::SIGNUP, post(signup::signup))
}
