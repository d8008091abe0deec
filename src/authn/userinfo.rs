//! `GET|POST /userinfo`: the user's OIDC claims allowed by the token's scope, plus the claims
//! post-login actions put in ID tokens (evaluated against the current data, so they show the
//! latest values, as on Auth0; `tenant::userinfo` renders them once per change of that data).
//! A missing, bad or expired token gets Auth0's plain-text 401 with `WWW-Authenticate`.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::state::AppState;
use crate::tenant::issue::ProfileScopes;

fn unauthorized(description: &str) -> Response {
    let challenge = format!("Bearer realm=\"Users\", error=\"invalid_token\", error_description=\"{description}\"");
    let mut response = (StatusCode::UNAUTHORIZED, "Unauthorized").into_response();
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

pub async fn userinfo(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim);
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return unauthorized("Missing access token");
    };
    let tenant = state.tenant();
    let now = state.clock().now_ms();
    // JWT access tokens carry their grant; opaque ones were recorded when issued.
    let body = if token.split('.').count() == 3 {
        let claims = match tenant.verified.verify(&tenant.key, token, &tenant.issuer, tenant.userinfo_audience(), now.div_euclid(1000)) {
            Ok(claims) => claims,
            Err(e) => return unauthorized(&e.to_string()),
        };
        let text = |name: &str| claims.get(name).and_then(Value::as_str).unwrap_or_default();
        tenant.userinfo_json(text("sub"), text("azp"), ProfileScopes::of(text("scope").split_whitespace()))
    } else {
        let grant = tenant.read(|data| {
            let t = data.auth.opaque(token, now)?;
            Some((t.user_id.clone(), t.client_id.clone(), ProfileScopes::of(t.scope.iter().map(String::as_str))))
        });
        let Some((user_id, client_id, scopes)) = grant else {
            return unauthorized("Invalid token");
        };
        tenant.userinfo_json(&user_id, &client_id, scopes)
    };
    match body {
        Some(body) => ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body.to_string()).into_response(),
        None => unauthorized("Invalid token"),
    }
}
