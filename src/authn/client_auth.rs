//! Client authentication at the token and revocation endpoints: `client_secret_post` (in the
//! body), `client_secret_basic` (the Authorization header, each half URL-decoded after base64,
//! as openid-client encodes them), or none for public clients.

use axum::http::{header, HeaderMap, StatusCode};
use base64::Engine;

use super::error::{AuthError, ErrorCode};
use super::params::Params;
use crate::tenant::model::Client;
use crate::tenant::TenantData;

#[derive(Debug, Clone)]
pub struct Credentials {
    pub client_id: String,
    pub secret: Option<String>,
}

/// Reads the client's credentials from the Basic header or the parameters.
pub fn credentials(headers: &HeaderMap, params: &Params) -> Result<Credentials, AuthError> {
    if let Some(basic) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic ").or_else(|| v.strip_prefix("basic ")))
    {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(basic.trim())
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .ok_or_else(|| AuthError::invalid_request("Invalid Basic authorization header"))?;
        let (id, secret) = decoded.split_once(':').ok_or_else(|| AuthError::invalid_request("Invalid Basic authorization header"))?;
        let unescape = |s: &str| url::form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_default();
        return Ok(Credentials { client_id: unescape(id), secret: Some(unescape(secret)) });
    }
    let client_id = params.str("client_id").ok_or_else(|| AuthError::invalid_request("Missing required parameter: client_id"))?;
    Ok(Credentials { client_id, secret: params.str("client_secret") })
}

fn unauthorized() -> AuthError {
    AuthError::new(StatusCode::UNAUTHORIZED, ErrorCode::AccessDenied, "Unauthorized")
}

/// The client, once its credentials check out. Confidential clients must present their secret;
/// a public client that sends one anyway must send the right one.
pub fn authenticate(data: &TenantData, credentials: &Credentials) -> Result<Client, AuthError> {
    let client = data
        .client(&credentials.client_id)
        .ok_or_else(|| AuthError::new(StatusCode::FORBIDDEN, ErrorCode::UnauthorizedClient, "invalid client"))?;
    match (&client.client_secret, &credentials.secret) {
        (Some(expected), Some(given)) if !constant_time_eq(expected, given) => return Err(unauthorized()),
        (Some(_), None) if !client.is_public() => return Err(unauthorized()),
        (None, Some(_)) if !client.is_public() => return Err(unauthorized()),
        _ => {}
    }
    Ok(client.clone())
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Refuses a grant type the client does not have enabled.
pub fn require_grant(client: &Client, grant_type: &str) -> Result<(), AuthError> {
    if client.grant_types.iter().any(|g| g == grant_type) {
        Ok(())
    } else {
        Err(AuthError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::UnauthorizedClient,
            format!("Grant type '{grant_type}' not allowed for the client."),
        ))
    }
}
