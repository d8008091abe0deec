//! The Management API v2 (`/api/v2/*`): bearer-token authorization with Auth0's scope rules, and
//! one file per resource. Unknown `/api/v2` routes answer with this surface's error body.

pub mod auth;
pub mod body;
pub mod error;
pub mod jobs;
pub mod logs;
pub mod user_blocks;
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
        .route(paths::MGMT_LOGS, get(logs::list))
        .route(paths::MGMT_LOG, get(logs::get))
        .route(paths::MGMT_USER_LOGS, get(logs::for_user))
        .route(paths::MGMT_USER_BLOCKS, get(user_blocks::get_by_identifier).delete(user_blocks::delete_by_identifier))
        .route(paths::MGMT_USER_BLOCK, get(user_blocks::get).delete(user_blocks::delete))
        .route(paths::MGMT_JOBS_IMPORT, post(jobs::import))
        .route(paths::MGMT_JOBS_EXPORT, post(jobs::export))
        .route(paths::MGMT_JOB, get(jobs::get))
        .route(paths::MGMT_JOB_ERRORS, get(jobs::errors))
}
