//! `GET /.well-known/openid-configuration` (also served at
//! `/.well-known/oauth-authorization-server`, as Auth0 does).
//!
//! Field order and values follow a real tenant's document (reference §3.6), but only endpoints the
//! emulator implements are advertised; every URL derives from the issuer.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde_json::{json, Map, Value};

use crate::paths;
use crate::state::AppState;
use crate::tenant::Tenant;

pub async fn openid_configuration(State(state): State<AppState>) -> impl IntoResponse {
    let tenant = state.tenant();
    let body = tenant.discovery.get_or_init(|| document(tenant).to_string()).clone();
    ([(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"), (header::CONTENT_TYPE, "application/json")], body)
}

/// The discovery document for `tenant`.
pub fn document(tenant: &Tenant) -> Value {
    let mut doc = Map::new();
    doc.insert("issuer".into(), tenant.issuer.clone().into());
    doc.insert("authorization_endpoint".into(), tenant.url(paths::AUTHORIZE).into());
    doc.insert("token_endpoint".into(), tenant.url(paths::TOKEN).into());
    doc.insert("userinfo_endpoint".into(), tenant.url(paths::USERINFO).into());
    doc.insert("jwks_uri".into(), tenant.url(paths::JWKS).into());
    doc.insert("revocation_endpoint".into(), tenant.url(paths::REVOKE).into());
    let rest = json!({
        "scopes_supported": ["openid", "profile", "offline_access", "name", "given_name", "family_name",
            "nickname", "email", "email_verified", "picture", "created_at", "identities", "phone", "address"],
        "response_types_supported": ["code", "token", "id_token", "code token", "code id_token", "token id_token", "code token id_token"],
        "code_challenge_methods_supported": ["S256", "plain"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["public"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "claims_supported": ["aud", "auth_time", "created_at", "email", "email_verified", "exp", "family_name",
            "given_name", "iat", "identities", "iss", "name", "nickname", "phone_number", "picture", "sub"],
        "request_uri_parameter_supported": false,
        "request_parameter_supported": false,
        "id_token_signing_alg_values_supported": ["HS256", "RS256"],
    });
    if let Value::Object(rest) = rest {
        doc.extend(rest);
    }
    doc.insert("end_session_endpoint".into(), tenant.url(paths::OIDC_LOGOUT).into());
    Value::Object(doc)
}
