//! How an authorization response (code, tokens or error) reaches the application: the four
//! `response_mode`s of `/authorize` (reference §3.4, sdk-notes §3.9, §5).
//!
//! - `query`: `302` to `redirect_uri?code=…&state=…` (the default for `response_type=code`);
//! - `fragment`: `302` to `redirect_uri#access_token=…` (the default when tokens are returned);
//! - `form_post`: a page whose form POSTs the parameters to `redirect_uri` on load;
//! - `web_message`: a framable page that posts `{type: "authorization_response", response: {…}}`
//!   to `window.opener || window.parent`, addressed to the origin of `redirect_uri` (auth0-spa-js
//!   and auth0-js silent authentication and popups).
//!
//! Values are percent-encoded with `%20` for spaces (as Auth0 does), not `+`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::pages::{escape, html, script_json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseMode {
    Query,
    Fragment,
    FormPost,
    WebMessage,
}

impl ResponseMode {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "query" => Some(Self::Query),
            "fragment" => Some(Self::Fragment),
            "form_post" => Some(Self::FormPost),
            "web_message" => Some(Self::WebMessage),
            _ => None,
        }
    }
}

/// The parameters of an authorization response, in the order they are written.
pub type ResponseParams = Vec<(&'static str, String)>;

/// The origin (`scheme://host[:port]`) of a URL, as `postMessage` wants it.
pub fn origin_of(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    let origin = parsed.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

fn encode(params: &[(&'static str, String)]) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{k}={}", url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>().replace('+', "%20")))
        .collect::<Vec<_>>()
        .join("&")
}

/// A `302 Found` to `location` that no cache keeps.
pub fn found(location: &str) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(location) {
        headers.insert(header::LOCATION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Delivers `params` to `redirect_uri` the way `mode` says.
pub fn deliver(mode: ResponseMode, redirect_uri: &str, params: &[(&'static str, String)]) -> Response {
    // A fragment in a registered callback is not part of where responses go.
    let base = redirect_uri.split_once('#').map_or(redirect_uri, |(base, _)| base);
    match mode {
        ResponseMode::Query => {
            let separator = if base.contains('?') { '&' } else { '?' };
            found(&format!("{base}{separator}{}", encode(params)))
        }
        ResponseMode::Fragment => found(&format!("{base}#{}", encode(params))),
        ResponseMode::FormPost => form_post(base, params),
        ResponseMode::WebMessage => web_message(base, params),
    }
}

fn form_post(action: &str, params: &[(&'static str, String)]) -> Response {
    let inputs: String =
        params.iter().map(|(k, v)| format!("<input type=\"hidden\" name=\"{}\" value=\"{}\"/>\n", escape(k), escape(v))).collect();
    html(
        StatusCode::OK,
        format!(
            r#"<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>Submit This Form</title></head>
<body onload="javascript:document.forms[0].submit()">
<form method="post" action="{action}">
{inputs}<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit"/></noscript>
</form>
</body>
</html>
"#,
            action = escape(action),
        ),
    )
}

fn web_message(redirect_uri: &str, params: &[(&'static str, String)]) -> Response {
    let response: Map<String, Value> = params.iter().map(|(k, v)| ((*k).to_string(), Value::String(v.clone()))).collect();
    let message = serde_json::json!({"type": "authorization_response", "response": response});
    let target = Value::String(origin_of(redirect_uri).unwrap_or_default());
    html(
        StatusCode::OK,
        format!(
            r#"<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>Authorization Response</title></head>
<body>
<script type="text/javascript">
(function (window) {{
  var targetOrigin = {target};
  var authorizationResponse = {message};
  var mainWin = window.opener ? window.opener : window.parent;
  mainWin.postMessage(authorizationResponse, targetOrigin);
}})(this);
</script>
</body>
</html>
"#,
            target = script_json(&target),
            message = script_json(&message),
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> ResponseParams {
        vec![("error", "login_required".into()), ("error_description", "Login required".into()), ("state", "a+b c".into())]
    }

    fn location(response: &Response) -> &str {
        response.headers()[header::LOCATION].to_str().expect("ascii")
    }

    #[test]
    fn query_appends_to_an_existing_query_and_encodes_spaces_as_percent_20() {
        let response = deliver(ResponseMode::Query, "https://app.test/cb?x=1", &params());
        assert_eq!(response.status(), StatusCode::FOUND);
        assert_eq!(location(&response), "https://app.test/cb?x=1&error=login_required&error_description=Login%20required&state=a%2Bb%20c");
    }

    #[test]
    fn fragment_replaces_a_fragment_of_the_callback() {
        let response = deliver(ResponseMode::Fragment, "https://app.test/cb#old", &params()[..1]);
        assert_eq!(location(&response), "https://app.test/cb#error=login_required");
    }

    #[test]
    fn the_origin_of_a_url_keeps_a_non_default_port() {
        assert_eq!(origin_of("http://localhost:3000/callback?x").as_deref(), Some("http://localhost:3000"));
        assert_eq!(origin_of("https://app.test:443/").as_deref(), Some("https://app.test"));
        assert_eq!(origin_of("not a url"), None);
    }
}
