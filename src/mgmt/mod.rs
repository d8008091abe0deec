//! The Management API v2 (`/api/v2/*`): bearer-token authorization with Auth0's scope rules, and
//! one file per resource. Unknown `/api/v2` routes answer with this surface's error body.

pub mod auth;
pub mod body;
pub mod error;
pub mod jobs;
pub mod users;

use axum::routing::{get, post};
use axum::Router;

use crate::paths;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(paths::MGMT_USERS, get(users::list).post(users::create))
        .route(paths::MGMT_USER, get(users::get).patch(users::update).delete(users::delete))
        .route(paths::MGMT_USERS_BY_EMAIL, get(users::by_email))
        .route(paths::MGMT_JOBS_IMPORT, post(jobs::import))
        .route(paths::MGMT_JOBS_EXPORT, post(jobs::export))
        .route(paths::MGMT_JOB, get(jobs::get))
        .route(paths::MGMT_JOB_ERRORS, get(jobs::errors))
}
