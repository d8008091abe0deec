//! `GET|POST /userinfo`: the user's OIDC claims allowed by the token's scope, plus the claims
//! post-login actions put in ID tokens (evaluated now, so they show the latest values, as on
//! Auth0). A missing, bad or expired token gets Auth0's plain-text 401 with `WWW-Authenticate`.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{Map, Value};

use crate::state::AppState;
use crate::tenant::actions::{self, Target};
use crate::tenant::issue::{self, userinfo_audience};

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
    let (user_id, client_id, scope): (String, String, Vec<String>) = if token.split('.').count() == 3 {
        match tenant.verified.verify(&tenant.key, token, &tenant.issuer, &userinfo_audience(&tenant.issuer), now.div_euclid(1000)) {
            Ok(claims) => {
                let sub = claims.get("sub").and_then(Value::as_str).unwrap_or_default().to_string();
                let azp = claims.get("azp").and_then(Value::as_str).unwrap_or_default().to_string();
                let scope = claims.get("scope").and_then(Value::as_str).unwrap_or_default().split_whitespace().map(String::from).collect();
                (sub, azp, scope)
            }
            Err(e) => return unauthorized(&e.to_string()),
        }
    } else {
        match tenant.read(|data| data.auth.opaque(token, now).map(|t| (t.user_id.clone(), t.client_id.clone(), t.scope.clone()))) {
            Some(found) => found,
            None => return unauthorized("Invalid token"),
        }
    };
    let body = tenant.read(|data| {
        let user = data.users.get(&user_id)?;
        let mut body = Map::new();
        body.insert("sub".into(), user.user_id.clone().into());
        body.extend(issue::scoped_profile(user, &scope));
        // The action context serialises the whole user: build it only when a template needs it.
        if data.actions.post_login.iter().any(|a| !a.id_token_claims.is_empty()) {
            let client = data.client(&client_id).or(data.clients.first())?;
            let context = issue::action_context(user, client, &tenant.issuer);
            actions::apply(&data.actions.post_login, Target::IdToken, &context, &mut body);
        }
        Some(body)
    });
    match body {
        Some(body) => Json(Value::Object(body)).into_response(),
        None => unauthorized("Invalid token"),
    }
}
