//! The Authentication API: the endpoints SDKs call on the tenant's domain. One file per endpoint.


pub mod authorize;
pub mod authorize_request;
pub mod dbconnections;
pub mod discovery;
pub mod embedded;
pub mod error;
pub mod jwks;
pub mod login_page;
pub mod logout;
pub mod pages;
pub mod params;
pub mod pending;
pub mod response_mode;
pub mod client_auth;
pub mod cors;
pub mod passwordless;
pub mod revoke;
pub mod session;
pub mod token;
pub mod userinfo;

use axum::routing::{get, post};
use axum::Router;

use crate::paths;
use crate::state::AppState;

/// Forgets a tenant's parked logins and unused login tickets (a reset).
pub fn forget_pending(issuer: &str) {
    authorize::TRANSACTIONS.forget_tenant(issuer);
    embedded::TICKETS.forget_tenant(issuer);
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(paths::DISCOVERY, get(discovery::openid_configuration))
        .route(paths::OAUTH_AS_METADATA, get(discovery::openid_configuration))
        .route(paths::JWKS, get(jwks::jwks))
        .route(paths::TOKEN, post(token::token))
        .route(paths::USERINFO, get(userinfo::userinfo).post(userinfo::userinfo))
        .route(paths::REVOKE, post(revoke::revoke))
        .route(paths::PASSWORDLESS_START, post(passwordless::start))
        .route(paths::AUTHORIZE, get(authorize::authorize))
        .route(paths::LOGIN_PAGE, get(login_page::show_login).post(login_page::submit_login))
        .route(paths::SIGNUP_PAGE, get(login_page::show_signup).post(login_page::submit_signup))
        .route(paths::LOGOUT, get(logout::logout))
        .route(paths::OIDC_LOGOUT, get(logout::oidc_logout_get).post(logout::oidc_logout_post))
        .route(paths::CLIENT_SCRIPT, get(embedded::client_script))
        .route(paths::CO_AUTHENTICATE, post(embedded::co_authenticate))
        .merge(dbconnections::routes())
}
