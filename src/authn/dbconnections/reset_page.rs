//! The password-reset page a `change_password` link opens: `GET /lo/reset?ticket=…` shows a form,
//! `POST /lo/reset` (form `ticket`, `password`) sets the password through
//! [`crate::tenant::password_reset::reset`].
//!
//! Plain server-rendered HTML with inline styles and no script or external asset, laid out like
//! Auth0's Universal Login "Change Your Password" page. Stable selectors for browser tests:
//! `input#password[name=password]`, `button[type=submit][name=action][value=default]`,
//! `#error-message` (on every failure page, with status 400), `#success-message`, and
//! `#password-policy` (the connection's policy in Auth0's words).

use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::authn::error::AuthError;
use crate::authn::pages::escape;
use crate::authn::params::Params;
use crate::paths;
use crate::state::AppState;
use crate::custom_db::flows;
use crate::tenant::password_reset::{self, ResetFailure, Ticket, TicketError};

pub async fn show(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let ticket = Params::from_query(query.as_deref()).str("ticket").unwrap_or_default();
    match password_reset::inspect(state.tenant(), state.clock().now_ms(), &ticket) {
        Ok(found) => page(StatusCode::OK, &form(&ticket, &found, None)),
        Err(error) => ticket_error(error),
    }
}

pub async fn submit(State(state): State<AppState>, params: Result<Params, AuthError>) -> Response {
    let params = match params {
        Ok(params) => params,
        Err(error) => return page(StatusCode::BAD_REQUEST, &failure("Something Went Wrong", &error.description)),
    };
    let ticket = params.str("ticket").unwrap_or_default();
    let password = params.str("password").unwrap_or_default();
    if let Ok(found) = password_reset::check(state.tenant(), state.clock().now_ms(), &ticket, &password) {
        // A custom database in legacy mode takes the new password first (`change_password`).
        if let Err(error) = flows::before_reset(&state, &found.user_id, &password).await {
            return page(StatusCode::BAD_REQUEST, &form(&ticket, &found, Some(&error.to_string())));
        }
    }
    let salt = state.rng().bytes::<16>();
    match password_reset::reset(state.tenant(), state.clock().now_ms(), &ticket, &password, salt) {
        Ok(_) => page(StatusCode::OK, SUCCESS),
        Err(ResetFailure::Ticket(error)) => ticket_error(error),
        Err(ResetFailure::WeakPassword(policy)) => {
            // `Password is too weak` and Auth0's policy text in the error element; the form
            // again, with the same ticket, so the user can try another password.
            match password_reset::inspect(state.tenant(), state.clock().now_ms(), &ticket) {
                Ok(found) => page(StatusCode::BAD_REQUEST, &form(&ticket, &found, Some(&format!("{policy}\n{}", policy.policy_text())))),
                Err(error) => ticket_error(error),
            }
        }
    }
}

fn ticket_error(error: TicketError) -> Response {
    let title = match error {
        TicketError::Invalid => "Invalid Link",
        TicketError::Expired => "Link Expired",
        TicketError::Used => "Link Already Used",
    };
    page(StatusCode::BAD_REQUEST, &failure(title, &error.to_string()))
}

fn form(ticket: &str, found: &Ticket, error: Option<&str>) -> String {
    let error = error
        .map(|text| format!(r#"<div id="error-message" class="error" role="alert">{}</div>"#, escape(text)))
        .unwrap_or_default();
    let policy: String = found
        .policy_text
        .lines()
        .map(|line| {
            let indent = if line.starts_with(' ') { " class=\"item\"" } else { "" };
            format!("<li{indent}>{}</li>", escape(line.trim_start().trim_start_matches("* ")))
        })
        .collect();
    format!(
        r#"<h1>Change Your Password</h1>
<p>Enter a new password below to change your password for <strong id="email">{email}</strong>.</p>
{error}
<form method="post" action="{action}">
<input type="hidden" name="ticket" value="{ticket}">
<label for="password">New password</label>
<input id="password" name="password" type="password" autocomplete="new-password" autofocus required>
<div id="password-policy"><p>Your password must contain:</p><ul>{policy}</ul></div>
<button type="submit" name="action" value="default">Reset password</button>
</form>"#,
        email = escape(&found.email),
        action = paths::RESET_PASSWORD_PAGE,
        ticket = escape(ticket),
    )
}

fn failure(title: &str, message: &str) -> String {
    format!(r#"<h1>{}</h1><p id="error-message" class="error" role="alert">{}</p>"#, escape(title), escape(message))
}

const SUCCESS: &str = r#"<h1>Password Changed!</h1><p id="success-message">You can now login to the application with the new password.</p>"#;

fn page(status: StatusCode, main: &str) -> Response {
    let html = format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Change Your Password</title>
<style>{STYLE}</style>
</head>
<body>
<main class="box">
{main}
</main>
</body>
</html>
"#
    );
    let headers = [(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-store")];
    (status, headers, html).into_response()
}

const STYLE: &str = "body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;\
background:#f3f3f5;font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1e212a}\
.box{background:#fff;width:400px;max-width:100%;padding:40px;box-sizing:border-box;border-radius:5px;\
box-shadow:0 12px 40px rgba(0,0,0,.12);text-align:center}\
h1{font-size:24px;font-weight:400;margin:0 0 16px}p{font-size:14px;line-height:1.5}\
form{text-align:left}label{display:block;font-size:14px;margin:16px 0 6px}\
input[type=password]{width:100%;box-sizing:border-box;height:52px;padding:0 16px;border:1px solid #c9cace;border-radius:3px;font-size:16px}\
button{width:100%;height:52px;margin-top:24px;border:0;border-radius:3px;background:#635dff;color:#fff;font-size:16px;cursor:pointer}\
.error{color:#d03c38;white-space:pre-line}#password-policy{font-size:13px;color:#65676e;margin-top:12px}\
#password-policy ul{margin:4px 0;padding-left:20px}#password-policy li.item{margin-left:16px;list-style:circle}";

