//! `POST /oauth/revoke`: revokes a refresh token and every token of its family. 200 with an
//! empty body, also for a token that is unknown or already revoked (reference §3.9).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};

use super::client_auth;
use super::error::AuthError;
use super::params::Params;
use crate::state::AppState;

pub async fn revoke(State(state): State<AppState>, headers: HeaderMap, params: Params) -> Result<StatusCode, AuthError> {
    let credentials = client_auth::credentials(&headers, &params)?;
    let token = params.str("token").ok_or_else(|| AuthError::invalid_request("Missing required parameter: token"))?;
    state.tenant().write(|data| {
        let client = client_auth::authenticate(data, &credentials)?;
        let family = data.auth.refresh_token(&token).filter(|t| t.grant.client_id == client.client_id).map(|t| t.family.clone());
        if let Some(family) = family {
            data.auth.revoke_family(&family);
        }
        Ok(StatusCode::OK)
    })
}
