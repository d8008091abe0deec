//! Database-connection endpoints: `POST /dbconnections/signup`, `POST /dbconnections/change_password`,
//! and the password-reset page its emailed link opens (`GET`/`POST /lo/reset`). One file per
//! endpoint; signup's own error shapes live in [`error`].

pub mod change_password;
pub mod error;
pub mod reset_page;
pub mod signup;

use axum::routing::{get, post};
use axum::Router;

use crate::paths;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(paths::SIGNUP, post(signup::signup))
        .route(paths::CHANGE_PASSWORD, post(change_password::change_password))
        .route(paths::RESET_PASSWORD_PAGE, get(reset_page::show).post(reset_page::submit))
}
