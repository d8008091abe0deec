//! The parameters of `GET /authorize`, checked against the tenant (reference §3.4, sdk-notes §5):
//! what the request asks for once it is known to be valid, or why it is refused.
//!
//! The order of the checks decides how a refusal is shown. Until the client and the redirect URI
//! check out, nothing can be trusted to receive an answer, so the refusal is an error page (400,
//! no redirect). After that every refusal is an OAuth error (`error`, `error_description`, and
//! `state` when sent) delivered through the response mode. `web_message` needs one more check
//! first: the redirect URI's origin must be an allowed web origin, or no message is posted at all
//! (as with Auth0, where a missing web origin makes silent authentication time out).
//!
//! Decisions on points the references leave open:
//! - a callback matches when it is the same string as a registered one or parses to the same URL
//!   (`http://localhost:3000` = `http://localhost:3000/`); wildcards are not supported;
//! - `response_mode=query` with tokens in the response is refused (`invalid_request`, delivered
//!   in the fragment), as OAuth 2.0 Multiple Response Types requires;
//! - an `id_token` response type implies the `openid` scope;
//! - public clients must send a `code_challenge` for response types with `code` (their code
//!   could not be exchanged without one anyway);
//! - the login page uses the `connection` parameter, else the tenant's default directory, else
//!   the first database connection enabled for the client.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::client_auth;
use super::error::{AuthError, ErrorCode};
use super::pages;
use super::params::Params;
use super::response_mode::{self, ResponseMode, ResponseParams};
use crate::tenant::model::Client;
use crate::tenant::TenantData;

/// Which of `code`, `token` and `id_token` the response carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseType {
    pub code: bool,
    pub token: bool,
    pub id_token: bool,
}

impl ResponseType {
    /// `code`, `token`, `id_token` in any combination and order, each at most once.
    pub fn parse(value: &str) -> Option<Self> {
        let mut parsed = Self { code: false, token: false, id_token: false };
        for word in value.split_whitespace() {
            let slot = match word {
                "code" => &mut parsed.code,
                "token" => &mut parsed.token,
                "id_token" => &mut parsed.id_token,
                _ => return None,
            };
            if *slot {
                return None;
            }
            *slot = true;
        }
        (parsed.code || parsed.token || parsed.id_token).then_some(parsed)
    }

    /// Whether tokens travel in the front channel.
    pub fn has_tokens(self) -> bool {
        self.token || self.id_token
    }

    pub fn default_mode(self) -> ResponseMode {
        if self.has_tokens() {
            ResponseMode::Fragment
        } else {
            ResponseMode::Query
        }
    }
}

/// Where and how answers go once the client and redirect URI check out.
#[derive(Debug, Clone)]
pub struct Target {
    pub redirect_uri: String,
    pub mode: ResponseMode,
    /// Echoed only when the request carried one.
    pub state: Option<String>,
}

impl Target {
    pub fn deliver(&self, mut params: ResponseParams) -> Response {
        if let Some(state) = &self.state {
            params.push(("state", state.clone()));
        }
        response_mode::deliver(self.mode, &self.redirect_uri, &params)
    }

    pub fn error(&self, code: ErrorCode, description: &str) -> Response {
        self.deliver(vec![("error", code.as_str().to_string()), ("error_description", description.to_string())])
    }
}

/// A valid authorization request.
#[derive(Debug, Clone)]
pub struct AuthorizeRequest {
    pub client_id: String,
    pub target: Target,
    /// Whether `redirect_uri` was sent (the code then remembers it for the exchange).
    pub redirect_uri_sent: bool,
    pub response_type: ResponseType,
    pub scope: Option<String>,
    /// The API identifier (the `audience` parameter or the tenant's default audience).
    pub audience: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub prompt_none: bool,
    pub prompt_login: bool,
    /// Seconds.
    pub max_age: Option<i64>,
    /// The database connection the login and signup pages use.
    pub connection: Option<String>,
    pub login_hint: Option<String>,
    pub screen_hint_signup: bool,
    pub login_ticket: Option<String>,
}

/// Why `/authorize` cannot go on.
#[derive(Debug)]
pub enum Rejection {
    /// Nobody can be trusted to receive the answer: an error page, no redirect.
    Page(StatusCode, ErrorCode, String),
    /// An OAuth error for the application, through its response mode.
    Redirect(Target, AuthError),
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        match self {
            Rejection::Page(status, code, description) => pages::error_page(status, code.as_str(), &description),
            Rejection::Redirect(target, error) => target.error(error.code, &error.description),
        }
    }
}

/// Whether `given` names the same URL as `registered`.
pub fn same_url(registered: &str, given: &str) -> bool {
    registered == given || matches!((url::Url::parse(registered), url::Url::parse(given)), (Ok(a), Ok(b)) if a == b)
}

fn page(description: impl Into<String>) -> Rejection {
    Rejection::Page(StatusCode::BAD_REQUEST, ErrorCode::InvalidRequest, description.into())
}

fn invalid(description: impl Into<String>) -> AuthError {
    AuthError::invalid_request(description)
}

/// The database connection logins of this request use.
fn connection_for(data: &TenantData, client: &Client, requested: Option<&str>) -> Result<Option<String>, AuthError> {
    let usable = |name: &str| data.connections.iter().find(|c| c.name == name && c.is_database());
    if let Some(name) = requested {
        let found = usable(name).ok_or_else(|| invalid("the connection was not found"))?;
        if !found.is_enabled_for(&client.client_id) {
            return Err(invalid("the connection was disabled"));
        }
        return Ok(Some(found.name.clone()));
    }
    let default = data.settings.default_directory.as_deref().and_then(usable).filter(|c| c.is_enabled_for(&client.client_id));
    let first = || data.connections.iter().find(|c| c.is_database() && c.is_enabled_for(&client.client_id));
    Ok(default.or_else(first).map(|c| c.name.clone()))
}

/// Checks an `/authorize` query against the tenant.
pub fn parse(data: &TenantData, params: &Params) -> Result<AuthorizeRequest, Rejection> {
    let client_id = params.str("client_id").ok_or_else(|| page("Missing required parameter: client_id"))?;
    let client = data.client(&client_id).ok_or_else(|| page(format!("Unknown client: {client_id}")))?;
    let sent_redirect = params.str("redirect_uri");
    let redirect_uri = match &sent_redirect {
        Some(uri) if client.callbacks.iter().any(|c| same_url(c, uri)) => uri.clone(),
        Some(_) => {
            return Err(page(
                "Callback URL mismatch. The provided redirect_uri is not in the list of allowed callback URLs. \
                 Please go to the Application Settings page and make sure you are sending a valid callback url from your application.",
            ))
        }
        None => client.callbacks.first().cloned().ok_or_else(|| page("Missing required parameter: redirect_uri"))?,
    };

    let raw_type = params.str("response_type");
    let response_type = raw_type.as_deref().and_then(ResponseType::parse);
    let raw_mode = params.str("response_mode");
    let default_mode = response_type.map_or(ResponseMode::Query, ResponseType::default_mode);
    let mode = raw_mode.as_deref().and_then(ResponseMode::parse).unwrap_or(default_mode);
    if mode == ResponseMode::WebMessage {
        let origin = response_mode::origin_of(&redirect_uri).unwrap_or_default();
        if !client.allows_origin(&origin) {
            return Err(Rejection::Page(
                StatusCode::FORBIDDEN,
                ErrorCode::UnauthorizedClient,
                format!("The origin \"{origin}\" of the redirect_uri is not in the Allowed Web Origins of the application, so no web message can be posted to it."),
            ));
        }
    }
    let mut target = Target { redirect_uri, mode, state: params.str("state") };
    let refuse = |target: &Target, error: AuthError| Rejection::Redirect(target.clone(), error);

    let Some(response_type) = response_type else {
        return match raw_type {
            None => Err(refuse(&target, invalid("Missing required parameter: response_type"))),
            Some(raw) => Err(refuse(
                &target,
                AuthError::new(StatusCode::BAD_REQUEST, ErrorCode::UnsupportedResponseType, format!("Unsupported response type: {raw}")),
            )),
        };
    };
    if let Some(raw) = raw_mode.as_deref().filter(|m| ResponseMode::parse(m).is_none()) {
        return Err(refuse(&target, invalid(format!("Unsupported response_mode: {raw}"))));
    }
    if mode == ResponseMode::Query && response_type.has_tokens() {
        target.mode = ResponseMode::Fragment;
        return Err(refuse(&target, invalid("response_mode=query cannot carry tokens; use fragment, form_post or web_message")));
    }
    if response_type.code {
        client_auth::require_grant(client, "authorization_code").map_err(|e| refuse(&target, e))?;
    }
    if response_type.has_tokens() {
        client_auth::require_grant(client, "implicit").map_err(|e| refuse(&target, e))?;
    }
    let nonce = params.str("nonce");
    if response_type.id_token && nonce.is_none() {
        return Err(refuse(&target, invalid("Missing required parameter: nonce")));
    }
    let code_challenge = params.str("code_challenge");
    let code_challenge_method = params.str("code_challenge_method");
    if let Some(method) = code_challenge_method.as_deref().filter(|m| *m != "S256" && *m != "plain") {
        return Err(refuse(&target, invalid(format!("Unsupported code_challenge_method: {method}"))));
    }
    if response_type.code && client.is_public() && code_challenge.is_none() {
        return Err(refuse(&target, invalid("Missing required parameter: code_challenge")));
    }
    let audience = params.str("audience").or_else(|| data.settings.default_audience.clone().filter(|a| !a.is_empty()));
    if let Some(aud) = audience.as_deref().filter(|aud| !data.resource_servers.iter().any(|r| r.identifier == *aud)) {
        return Err(refuse(&target, AuthError::new(StatusCode::FORBIDDEN, ErrorCode::AccessDenied, format!("Service not found: {aud}"))));
    }
    let connection = connection_for(data, client, params.str("connection").as_deref()).map_err(|e| refuse(&target, e))?;

    let mut scope = params.str("scope");
    if response_type.id_token && !scope.as_deref().unwrap_or("").split_whitespace().any(|s| s == "openid") {
        scope = Some(format!("openid {}", scope.unwrap_or_default()).trim_end().to_string());
    }
    let prompt = params.str("prompt").unwrap_or_default();
    Ok(AuthorizeRequest {
        client_id,
        target,
        redirect_uri_sent: sent_redirect.is_some(),
        response_type,
        scope,
        audience,
        nonce,
        code_challenge_method: code_challenge.as_ref().and(code_challenge_method),
        code_challenge,
        prompt_none: prompt.split_whitespace().any(|p| p == "none"),
        prompt_login: prompt.split_whitespace().any(|p| p == "login"),
        max_age: params.str("max_age").and_then(|m| m.parse::<i64>().ok()).filter(|m| *m >= 0),
        connection,
        login_hint: params.str("login_hint"),
        screen_hint_signup: params.str("screen_hint").as_deref() == Some("signup"),
        login_ticket: params.str("login_ticket"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_types_combine_in_any_order_but_only_once() {
        let rt = ResponseType::parse("token id_token").expect("valid");
        assert_eq!(rt, ResponseType { code: false, token: true, id_token: true });
        assert_eq!(ResponseType::parse("id_token token"), Some(rt));
        assert!(ResponseType::parse("code id_token token").is_some_and(|r| r.code && r.token && r.id_token));
        assert_eq!(ResponseType::parse("code code"), None);
        assert_eq!(ResponseType::parse("code device"), None);
        assert_eq!(ResponseType::parse(" "), None);
    }

    #[test]
    fn default_modes_are_query_for_code_and_fragment_for_tokens() {
        assert_eq!(ResponseType::parse("code").map(ResponseType::default_mode), Some(ResponseMode::Query));
        assert_eq!(ResponseType::parse("code id_token").map(ResponseType::default_mode), Some(ResponseMode::Fragment));
    }

    #[test]
    fn callbacks_match_exactly_or_as_the_same_url() {
        assert!(same_url("http://localhost:3000", "http://localhost:3000/"));
        assert!(same_url("http://localhost:3000/callback", "http://localhost:3000/callback"));
        assert!(!same_url("http://localhost:3000/callback", "http://localhost:3000/callback/"));
        assert!(!same_url("http://localhost:3000", "http://localhost:3001"));
    }
}
