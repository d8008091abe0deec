//! The Authentication API: the endpoints SDKs call on the tenant's domain. One file per endpoint.
//! Today: OpenID discovery and the JWKS.

pub mod dbconnections;
pub mod discovery;
pub mod error;
pub mod jwks;
pub mod params;

use axum::routing::get;
use axum::Router;

use crate::paths;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(paths::DISCOVERY, get(discovery::openid_configuration))
        .route(paths::OAUTH_AS_METADATA, get(discovery::openid_configuration))
        .route(paths::JWKS, get(jwks::jwks))
        .merge(dbconnections::routes())
}
