//! Who is calling the Management API: the bearer token, verified on the virtual clock against
//! the tenant's key, issuer and the Management API audience, with Auth0's 400/401/403 bodies
//! (reference §7.2), and the scope checks each endpoint makes (§7.1).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use serde_json::Value;

use super::error::{ErrorCode, MgmtError};
use crate::state::AppState;
use crate::tenant::Tenant;
use crate::tokens::verify::VerifyError;

/// A verified caller.
#[derive(Debug, Clone)]
pub struct Caller {
    pub sub: String,
    /// The client the token was issued to (`azp`).
    pub client_id: Option<String>,
    pub scopes: Vec<String>,
}

impl Caller {
    pub fn has(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    /// Passes when the token holds any of `scopes`.
    pub fn require_any(&self, scopes: &[&str]) -> Result<(), MgmtError> {
        if scopes.iter().any(|s| self.has(s)) {
            return Ok(());
        }
        Err(MgmtError::new(
            StatusCode::FORBIDDEN,
            format!("Insufficient scope, expected any of: {}", scopes.join(",")),
            Some(ErrorCode::InsufficientScope),
        ))
    }

    /// Passes when the token holds every one of `scopes` (Auth0's "expected all of" endpoints).
    pub fn require_all(&self, scopes: &[&str]) -> Result<(), MgmtError> {
        if scopes.iter().all(|s| self.has(s)) {
            return Ok(());
        }
        Err(MgmtError::new(
            StatusCode::FORBIDDEN,
            format!("Insufficient scope, expected all of: {}", scopes.join(",")),
            Some(ErrorCode::InsufficientScope),
        ))
    }

    /// For `*:current_user*` scopes: the user acted on must be the token's subject.
    pub fn require_self(&self, user_id: &str) -> Result<(), MgmtError> {
        if self.sub == user_id {
            Ok(())
        } else {
            Err(MgmtError::new(StatusCode::FORBIDDEN, "User to be acted on does not match subject in bearer token.", None))
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = MgmtError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = parts.headers.get(header::AUTHORIZATION).ok_or_else(|| MgmtError::new(StatusCode::UNAUTHORIZED, "Missing authentication", None))?;
        let bad_format = || MgmtError::new(StatusCode::BAD_REQUEST, "Bad HTTP authentication header format", None);
        let token = header
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim)
            .filter(|t| t.split('.').count() == 3)
            .ok_or_else(bad_format)?;
        let tenant = state.tenant();
        let audience = Tenant::management_audience(&tenant.issuer);
        let claims = tenant
            .verified
            .verify(&tenant.key, token, &tenant.issuer, &audience, state.clock().now_secs())
            .map_err(|e| match e {
                VerifyError::Expired => MgmtError::unauthorized("Expired token received for JSON Web Token validation"),
                VerifyError::Signature => MgmtError::unauthorized("Invalid signature received for JSON Web Token validation"),
                VerifyError::Audience => {
                    let aud = jsonwebtoken::dangerous::insecure_decode::<Value>(token)
                        .ok()
                        .and_then(|d| d.claims.get("aud").map(|a| match a {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        }))
                        .unwrap_or_default();
                    MgmtError::unauthorized(format!("Bad audience: {aud}"))
                }
                VerifyError::Issuer | VerifyError::Malformed => MgmtError::unauthorized("Invalid token"),
            })?;
        let sub = claims.get("sub").and_then(Value::as_str).unwrap_or_default().to_string();
        let scopes = claims.get("scope").and_then(Value::as_str).unwrap_or_default().split_whitespace().map(String::from).collect();
        let client_id = claims.get("azp").and_then(Value::as_str).map(String::from);
        Ok(Caller { sub, client_id, scopes })
    }
}
