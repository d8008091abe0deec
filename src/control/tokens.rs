//! `POST /__emulator/tokens`: mint an access or ID token for any subject, audience, scope and
//! claims, with any lifetime (negative for an already-expired token), signed by the tenant's key
//! or, for negative tests, by a foreign key under the tenant's `kid`.

use axum::extract::State;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::clock::parse_advance;
use super::error::{ControlError, ErrorCode};
use super::Json;
use crate::extract::JsonBody;
use crate::state::AppState;
use crate::tenant::Tenant;
use crate::tokens::{jws, keys, TokenKind, TokenSpec};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Signing {
    #[default]
    Tenant,
    Foreign,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MintRequest {
    #[serde(default)]
    kind: TokenKind,
    sub: Option<String>,
    client_id: Option<String>,
    audience: Option<OneOrMany>,
    scope: Option<String>,
    #[serde(default)]
    claims: Map<String, Value>,
    /// Seconds, or a duration string (`"15m"`, `"-1h"`).
    expires_in: Option<Value>,
    #[serde(default)]
    signing: Signing,
}

pub async fn mint(State(state): State<AppState>, JsonBody(request, _): Json<MintRequest>) -> Result<axum::Json<Value>, ControlError> {
    let tenant = state.tenant();
    let spec = spec_for(tenant, request.kind, &request)?;
    let claims = spec.claims(&tenant.issuer, state.clock().now_secs());
    let token = match request.signing {
        Signing::Tenant => jws::sign_rs256(&tenant.key, &claims),
        Signing::Foreign => {
            let foreign = tokio::task::spawn_blocking(keys::foreign)
                .await
                .map_err(|e| ControlError::new(ErrorCode::Internal, e.to_string()))?;
            foreign.and_then(|key| jws::sign_rs256_with_header(key, tenant.key.header_b64(), &claims))
        }
    }
    .map_err(|e| ControlError::new(ErrorCode::Internal, e.to_string()))?;
    Ok(axum::Json(json!({
        "token": token,
        "kind": request.kind,
        "expires_in": spec.lifetime_secs,
        "claims": claims,
    })))
}

/// Fills the request's gaps: the first client allowed client credentials (else the first), `<client>@clients`, the tenant's default
/// audience (else its Management API), Auth0's lifetimes; ID tokens for a known user carry
/// that user's profile claims.
fn spec_for(tenant: &Tenant, kind: TokenKind, request: &MintRequest) -> Result<TokenSpec, ControlError> {
    let (client_id, default_audience, profile) = tenant.read(|data| {
        let client_id = request
            .client_id
            .clone()
            .or_else(|| {
                let m2m = data.clients.iter().find(|c| c.grant_types.iter().any(|g| g == "client_credentials"));
                m2m.or(data.clients.first()).map(|c| c.client_id.clone())
            })
            .unwrap_or_default();
        let audience = data
            .settings
            .default_audience
            .clone()
            .filter(|a| !a.is_empty())
            .unwrap_or_else(|| Tenant::management_audience(&tenant.issuer));
        let profile = request
            .sub
            .as_deref()
            .and_then(|sub| data.users.get(sub))
            .filter(|_| kind == TokenKind::Id)
            .map(|user| user.profile_claims())
            .unwrap_or_default();
        (client_id, audience, profile)
    });
    let sub = match (&request.sub, kind) {
        (Some(sub), _) => sub.clone(),
        (None, TokenKind::Access) => format!("{client_id}@clients"),
        (None, TokenKind::Id) => return Err(ControlError::bad_request("sub: an ID token needs a subject (a user_id)")),
    };
    let lifetime_secs = match &request.expires_in {
        Some(value) => parse_advance(value)? / 1000,
        None if kind == TokenKind::Id => 36_000,
        None => 86_400,
    };
    let audience = match &request.audience {
        Some(OneOrMany::One(a)) => vec![a.clone()],
        Some(OneOrMany::Many(a)) if !a.is_empty() => a.clone(),
        Some(OneOrMany::Many(_)) => return Err(ControlError::bad_request("audience: must not be empty")),
        None => vec![default_audience],
    };
    Ok(TokenSpec {
        kind,
        sub,
        client_id,
        audience,
        scope: request.scope.clone(),
        lifetime_secs,
        profile,
        extra: request.claims.clone(),
    })
}
