//! The HTML shell shared by the hosted pages (login, signup, errors, logged out): one card in
//! the middle of the page, styled after Auth0's Universal Login with inline CSS and no external
//! asset, plus the escaping helpers every page and the response-mode pages use.
//!
//! Stable selectors of the error page: `#error-code` (e.g. `invalid_request`) and
//! `#error-description`. The logged-out page has `#logged-out` and, when a redirect was refused
//! (status 400), `#logout-notice` saying why.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// Text for HTML element content and double-quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// JSON that is safe inside an inline `<script>`: `<`, `>`, `&` and the JavaScript line
/// separators are written as `\u` escapes, so no value can close the script element.
pub fn script_json(value: &serde_json::Value) -> String {
    let text = value.to_string();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            _ => out.push(c),
        }
    }
    out
}

/// An HTML response that no cache keeps (pages may carry codes, tokens and one-time state).
pub fn html(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A whole page around a card.
pub fn card_page(status: StatusCode, title: &str, card: &str) -> Response {
    html(
        status,
        format!(
            r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{STYLE}</style>
</head>
<body>
<main class="card">
<header><div class="logo" aria-hidden="true">A0</div></header>
{card}
</main>
</body>
</html>
"#,
            title = escape(title),
        ),
    )
}

/// Auth0's "Oops!, something went wrong" page, for requests that cannot be answered through the
/// application's redirect URI (unknown client, unregistered callback).
pub fn error_page(status: StatusCode, code: &str, description: &str) -> Response {
    let card = format!(
        r#"<h1>Oops!, something went wrong</h1>
<p class="error"><span id="error-code">{code}</span>: <span id="error-description">{description}</span></p>"#,
        code = escape(code),
        description = escape(description),
    );
    card_page(status, "Error", &card)
}

/// The page logout ends on when it does not redirect: 200, or 400 with `refusal` saying why a
/// requested redirect was refused (the session has ended either way).
pub fn logged_out_page(refusal: Option<&str>) -> Response {
    let status = if refusal.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    let notice = refusal;
    let notice = notice.map(|n| format!(r#"<p id="logout-notice" class="notice">{}</p>"#, escape(n))).unwrap_or_default();
    let card = format!(
        r#"<h1 id="logged-out">You have been logged out</h1>
<p>Your session has ended. You can close this window.</p>
{notice}"#
    );
    card_page(status, "Logged out", &card)
}

const STYLE: &str = "body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;\
background:#f3f3f5;font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1e212a}\
.card{background:#fff;width:400px;max-width:100%;padding:40px;box-sizing:border-box;border-radius:5px;\
box-shadow:0 12px 40px rgba(0,0,0,.12);text-align:center}\
.logo{width:52px;height:52px;margin:0 auto 24px;border-radius:50%;background:#635dff;color:#fff;\
font-weight:700;line-height:52px}\
h1{font-size:24px;font-weight:400;margin:0 0 16px}p{font-size:14px;line-height:1.5}\
form{text-align:left}label{display:block;font-size:14px;margin:16px 0 6px}\
input[type=text],input[type=email],input[type=password]{width:100%;box-sizing:border-box;height:52px;\
padding:0 16px;border:1px solid #c9cace;border-radius:3px;font-size:16px}\
input[aria-invalid=true]{border-color:#d03c38}\
button{width:100%;height:52px;margin-top:24px;border:0;border-radius:3px;background:#635dff;color:#fff;\
font-size:16px;cursor:pointer}\
.error{color:#d03c38;font-size:13px;margin:6px 0 0;white-space:pre-line}.notice{color:#65676e}\
.alt{margin-top:24px;text-align:center;font-size:14px}a{color:#635dff}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(escape(r#"<a href="x">'&'</a>"#), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    }

    #[test]
    fn script_json_cannot_close_the_script_element() {
        let value = serde_json::json!({"state": "</script><script>alert(1)</script>"});
        let text = script_json(&value);
        assert!(!text.contains("</script>"));
        let back: serde_json::Value = serde_json::from_str(&text).expect("still JSON");
        assert_eq!(back, value);
    }
}
