//! The Authentication API: the endpoints SDKs call on the tenant's domain. One file per endpoint.


pub mod dbconnections;
pub mod discovery;
pub mod error;
pub mod jwks;
pub mod params;
pub mod client_auth;
pub mod cors;
pub mod passwordless;
pub mod revoke;
pub mod token;
pub mod userinfo;

use axum::routing::{get, post};
use axum::Router;

use crate::paths;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(paths::DISCOVERY, get(discovery::openid_configuration))
        .route(paths::OAUTH_AS_METADATA, get(discovery::openid_configuration))
        .route(paths::JWKS, get(jwks::jwks))
        .route(paths::TOKEN, post(token::token))
        .route(paths::USERINFO, get(userinfo::userinfo).post(userinfo::userinfo))
        .route(paths::REVOKE, post(revoke::revoke))
        .route(paths::PASSWORDLESS_START, post(passwordless::start))
        .merge(dbconnections::routes())
}
