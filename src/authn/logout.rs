//! Logout (reference §3.8, sdk-notes §3.5–3.7, §3.9): both endpoints end the login session (the
//! cookie's, and for `/oidc/logout` the one the hint names) and expire the cookie.
//!
//! - `GET /v2/logout?client_id&returnTo&federated`: `302` to `returnTo` when it is one of the
//!   client's Allowed Logout URLs; with `client_id` and no `returnTo`, to the client's first
//!   allowed URL. Without `client_id`, `returnTo` may be any client's allowed URL (the emulator
//!   has no tenant-level list, so the union of the clients' lists stands in for it).
//!   `federated` changes nothing (there is no upstream identity provider).
//! - `GET|POST /oidc/logout?id_token_hint&post_logout_redirect_uri&client_id&state&logout_hint`:
//!   `302` to `post_logout_redirect_uri` (with `state` added when sent) when it is an allowed
//!   logout URL of the client named by `client_id` or by the hint's `aud`. The hint must carry a
//!   valid signature of this tenant (RS256, or HS256 with its client's secret) and this issuer;
//!   an expired hint is fine. A hint that fails, a `client_id` other than the hint's `aud`, or a
//!   `logout_hint` other than the hint's `sid` is a 400 error page and ends nothing.
//!
//! Anything else ends on a small "logged out" page: 200 when no redirect was asked for, 400 when
//! the requested one was refused, with Auth0's text saying why. Auth0 shows an error page for a
//! refused URL; the emulator ends the session all the same, so a test that only checks the
//! session is gone does not depend on the URL being allowed.

use std::collections::HashSet;

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

use super::authorize_request::same_url;
use super::error::{AuthError, ErrorCode};
use super::pages::{error_page, logged_out_page};
use super::params::Params;
use super::response_mode::{self, found, ResponseMode};
use super::session;
use crate::state::AppState;
use crate::tenant::model::Client;
use crate::tenant::Tenant;
use crate::tokens::jws::verify_rs256;

fn allowed(client: &Client, url: &str) -> bool {
    client.allowed_logout_urls.iter().any(|u| same_url(u, url))
}

fn refused(parameter: &str, url: &str) -> String {
    format!("The \"{parameter}\" querystring parameter \"{url}\" is not defined as a valid URL in \"Allowed Logout URLs\".")
}

/// Ends the cookie's sessions and `also` (a sid), and expires the cookie on `response`.
fn end_sessions(state: &AppState, headers: &HeaderMap, also: Option<&str>, mut response: Response) -> Response {
    let mut sids = session::cookie_values(headers);
    sids.extend(also.map(str::to_owned));
    state.tenant().write(|data| {
        for sid in &sids {
            data.auth.remove_session(sid);
        }
    });
    response.headers_mut().append(header::SET_COOKIE, session::end());
    response
}

pub async fn logout(State(state): State<AppState>, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    let params = Params::from_query(query.as_deref());
    let return_to = params.str("returnTo");
    let response = state.tenant().read(|data| match (params.str("client_id"), return_to) {
        (Some(id), return_to) => match (data.client(&id), return_to) {
            (None, _) => logged_out_page(Some(&format!("Unknown client: {id}"))),
            (Some(client), Some(url)) if allowed(client, &url) => found(&url),
            (Some(_), Some(url)) => logged_out_page(Some(&refused("returnTo", &url))),
            (Some(client), None) => client.allowed_logout_urls.first().map_or_else(|| logged_out_page(None), |url| found(url)),
        },
        (None, Some(url)) if data.clients.iter().any(|c| allowed(c, &url)) => found(&url),
        (None, Some(url)) => logged_out_page(Some(&refused("returnTo", &url))),
        (None, None) => logged_out_page(None),
    });
    end_sessions(&state, &headers, None, response)
}

pub async fn oidc_logout_get(State(state): State<AppState>, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    oidc_logout(&state, &headers, &Params::from_query(query.as_deref()))
}

pub async fn oidc_logout_post(State(state): State<AppState>, headers: HeaderMap, params: Result<Params, AuthError>) -> Response {
    match params {
        Ok(params) => oidc_logout(&state, &headers, &params),
        Err(error) => error_page(StatusCode::BAD_REQUEST, error.code.as_str(), &error.description),
    }
}

fn oidc_logout(state: &AppState, headers: &HeaderMap, params: &Params) -> Response {
    let bad = |text: &str| error_page(StatusCode::BAD_REQUEST, ErrorCode::InvalidRequest.as_str(), text);
    let tenant = state.tenant();
    let hint = match params.str("id_token_hint").map(|token| verify_hint(tenant, &token)).transpose() {
        Ok(hint) => hint,
        Err(()) => return bad("Invalid id_token_hint: it must be an ID token this tenant issued."),
    };
    let claim = |name: &str| hint.as_ref().and_then(|c| c.get(name)).and_then(Value::as_str).map(str::to_owned);
    let hint_aud = hint.as_ref().and_then(audience_of);
    let client_id = params.str("client_id");
    if let (Some(id), Some(aud)) = (&client_id, &hint_aud) {
        if id != aud {
            return bad("The client_id does not match the audience of the id_token_hint.");
        }
    }
    let hint_sid = claim("sid");
    if let (Some(logout_hint), Some(sid)) = (params.str("logout_hint"), &hint_sid) {
        if &logout_hint != sid {
            return bad("The logout_hint does not match the session of the id_token_hint.");
        }
    }
    let client_id = client_id.or(hint_aud);
    let response = match params.str("post_logout_redirect_uri") {
        None => logged_out_page(None),
        Some(url) => {
            let ok = tenant.read(|data| client_id.as_deref().and_then(|id| data.client(id)).is_some_and(|c| allowed(c, &url)));
            match (ok, params.str("state")) {
                (true, Some(s)) => response_mode::deliver(ResponseMode::Query, &url, &[("state", s)]),
                (true, None) => found(&url),
                (false, _) => logged_out_page(Some(&refused("post_logout_redirect_uri", &url))),
            }
        }
    };
    end_sessions(state, headers, hint_sid.as_deref(), response)
}

/// The hint's `aud` (a string, or the first of an array).
fn audience_of(claims: &Map<String, Value>) -> Option<String> {
    match claims.get("aud")? {
        Value::String(s) => Some(s.clone()),
        Value::Array(list) => list.first().and_then(Value::as_str).map(str::to_owned),
        _ => None,
    }
}

/// The claims of an ID token this tenant signed; its expiry does not matter.
fn verify_hint(tenant: &Tenant, token: &str) -> Result<Map<String, Value>, ()> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| ())?;
    let mut validation = Validation::new(header.alg);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims = HashSet::new();
    validation.set_issuer(&[&tenant.issuer]);
    match header.alg {
        Algorithm::RS256 => verify_rs256(&tenant.key, token, &validation).map_err(|_| ()),
        Algorithm::HS256 => {
            // HS256 ID tokens are signed with their client's secret: find it by the claimed audience.
            let unverified: Map<String, Value> = jsonwebtoken::dangerous::insecure_decode_claims(token).map_err(|_| ())?;
            let aud = audience_of(&unverified).ok_or(())?;
            let secret = tenant.read(|data| data.client(&aud).and_then(|c| c.client_secret.clone())).ok_or(())?;
            jsonwebtoken::decode::<Map<String, Value>>(token, &DecodingKey::from_secret(secret.as_bytes()), &validation)
                .map(|data| data.claims)
                .map_err(|_| ())
        }
        _ => Err(()),
    }
}
