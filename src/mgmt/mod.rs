//! The Management API v2 (`/api/v2/*`): bearer-token authorization with Auth0's scope rules, and
//! one file per resource. Unknown `/api/v2` routes answer with this surface's error body.

pub mod auth;
pub mod body;
pub mod client_grants;
pub mod clients;
pub mod connections;
pub mod error;
pub mod jobs;
pub mod logs;
pub mod pagination;
pub mod resource_servers;
pub mod roles;
pub mod user_blocks;
pub mod user_roles;
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
        .route(paths::MGMT_ROLES, get(roles::list).post(roles::create))
        .route(paths::MGMT_ROLE, get(roles::get).patch(roles::update).delete(roles::delete))
        .route(paths::MGMT_ROLE_PERMISSIONS, get(roles::permissions).post(roles::add_permissions).delete(roles::remove_permissions))
        .route(paths::MGMT_ROLE_USERS, get(roles::users).post(roles::assign_users))
        .route(paths::MGMT_USER_ROLES, get(user_roles::roles).post(user_roles::assign_roles).delete(user_roles::remove_roles))
        .route(paths::MGMT_USER_PERMISSIONS, get(user_roles::permissions).post(user_roles::add_permissions).delete(user_roles::remove_permissions))
        .route(paths::MGMT_CLIENTS, get(clients::list).post(clients::create))
        .route(paths::MGMT_CLIENT, get(clients::get).patch(clients::update).delete(clients::delete))
        .route(paths::MGMT_CONNECTIONS, get(connections::list).post(connections::create))
        .route(paths::MGMT_CONNECTION, get(connections::get).patch(connections::update).delete(connections::delete))
        .route(paths::MGMT_RESOURCE_SERVERS, get(resource_servers::list).post(resource_servers::create))
        .route(paths::MGMT_RESOURCE_SERVER, get(resource_servers::get).patch(resource_servers::update).delete(resource_servers::delete))
        .route(paths::MGMT_CLIENT_GRANTS, get(client_grants::list).post(client_grants::create))
        .route(paths::MGMT_CLIENT_GRANT, get(client_grants::get).patch(client_grants::update).delete(client_grants::delete))
}
