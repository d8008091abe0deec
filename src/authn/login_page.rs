//! The hosted login and signup pages (`/u/login`, `/u/signup`, each `?state=<transaction>`): plain
//! server-rendered HTML laid out like Auth0's Universal Login, with no script or external asset,
//! so a person, Playwright or a plain HTTP client can log in.
//!
//! Stable selectors (sdk-notes §5): `input#username[name=username]`,
//! `input#password[name=password]`, `button[type=submit][name=action][value=default]`; the signup
//! page has `input#email[name=email]` (and `input#username` when the connection requires
//! usernames). A refused submission re-renders the page with status 400, no redirect, and the
//! error text in `#error-element-password` (login: Auth0's texts such as `Wrong email or
//! password.` and `user is blocked`) or, on signup, in `#error-element-email`,
//! `#error-element-username` or `#error-element-password` by the field at fault. Links:
//! `a#signup-link` on the login page, `a#login-link` on the signup page.
//!
//! A successful submission logs the user in (brute-force protection and blocked users apply),
//! starts the session cookie, and completes the parked authorization request through its
//! response mode.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

use super::authorize::{self, Draws, Login, TRANSACTIONS};
use super::authorize_request::AuthorizeRequest;
use super::error::{AuthError, ErrorCode};
use super::pages::{card_page, error_page, escape};
use super::params::Params;
use super::session;
use crate::custom_db::flows;
use crate::paths;
use crate::state::AppState;
use crate::tenant::auth_store::Session;
use crate::tenant::login::{Attempt, LoginError};
use crate::tenant::signup::{SignupFailure, SignupRequest};

/// The form field an error belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Email,
    Username,
    Password,
}

impl Field {
    fn id(self) -> &'static str {
        match self {
            Field::Email => "error-element-email",
            Field::Username => "error-element-username",
            Field::Password => "error-element-password",
        }
    }
}

/// What the pages show besides the form.
struct Context {
    tx: String,
    tenant_name: String,
    client_name: String,
    requires_username: bool,
    show_signup: bool,
}

fn transaction_id(query: Option<&str>, body: Option<&Params>) -> String {
    Params::from_query(query).str("state").or_else(|| body.and_then(|b| b.str("state"))).unwrap_or_default()
}

fn expired() -> Response {
    error_page(
        StatusCode::BAD_REQUEST,
        ErrorCode::InvalidRequest.as_str(),
        "The login transaction is unknown or has expired. Start again from the application.",
    )
}

/// The parked request and the page context, unless the transaction is unknown or expired.
fn load(state: &AppState, tx: &str) -> Option<(AuthorizeRequest, Context)> {
    let tenant = state.tenant();
    let request = TRANSACTIONS.get(&tenant.issuer, tx, state.clock().now_ms())?;
    let context = tenant.read(|data| {
        let connection = request.connection.as_deref().and_then(|name| data.connections.iter().find(|c| c.name == name));
        Context {
            tx: tx.to_string(),
            tenant_name: data.settings.friendly_name.clone().unwrap_or_else(|| tenant.domain.clone()),
            client_name: data
                .client(&request.client_id)
                .map(|c| c.name.clone())
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| request.client_id.clone()),
            requires_username: connection.is_some_and(|c| c.requires_username()),
            show_signup: !connection.and_then(|c| c.options.other.get("disable_signup")).is_some_and(|v| v == &Value::Bool(true)),
        }
    });
    Some((request, context))
}

pub async fn show_login(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    match load(&state, &transaction_id(query.as_deref(), None)) {
        Some((request, context)) => login_form(StatusCode::OK, &context, request.login_hint.as_deref().unwrap_or(""), None),
        None => expired(),
    }
}

pub async fn show_signup(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    match load(&state, &transaction_id(query.as_deref(), None)) {
        Some((request, context)) => signup_form(StatusCode::OK, &context, request.login_hint.as_deref().unwrap_or(""), "", None),
        None => expired(),
    }
}

pub async fn submit_login(State(state): State<AppState>, RawQuery(query): RawQuery, body: Result<Params, AuthError>) -> Response {
    let body = body.unwrap_or_default();
    let (request, context) = match load(&state, &transaction_id(query.as_deref(), Some(&body))) {
        Some(loaded) => loaded,
        None => return expired(),
    };
    let username = body.str("username").unwrap_or_default();
    let password = body.str("password").unwrap_or_default();
    match log_in(&state, &request, &context.tx, &username, &password).await {
        Ok(response) => response,
        Err(text) => login_form(StatusCode::BAD_REQUEST, &context, &username, Some(&text)),
    }
}

pub async fn submit_signup(State(state): State<AppState>, RawQuery(query): RawQuery, body: Result<Params, AuthError>) -> Response {
    let body = body.unwrap_or_default();
    let (request, context) = match load(&state, &transaction_id(query.as_deref(), Some(&body))) {
        Some(loaded) => loaded,
        None => return expired(),
    };
    let email = body.str("email").unwrap_or_default();
    let username = body.str("username").filter(|_| context.requires_username);
    let password = body.str("password").unwrap_or_default();
    let signup_request = SignupRequest {
        client_id: Some(request.client_id.clone()),
        connection: request.connection.clone(),
        email: Some(email.clone()).filter(|e| !e.is_empty()),
        password: Some(password.clone()).filter(|p| !p.is_empty()),
        username: username.clone(),
        ..SignupRequest::default()
    };
    let shown_username = username.clone().unwrap_or_default();
    if let Err(failure) = flows::signup(&state, signup_request).await {
        let (field, text) = signup_error(failure, context.requires_username);
        return signup_form(StatusCode::BAD_REQUEST, &context, &email, &shown_username, Some((field, &text)));
    }
    let identifier = username.unwrap_or(email.clone());
    match log_in(&state, &request, &context.tx, &identifier, &password).await {
        Ok(response) => response,
        Err(text) => signup_form(StatusCode::BAD_REQUEST, &context, &email, &shown_username, Some((Field::Password, &text))),
    }
}

/// Logs in, starts the session and completes the parked request; `Err` is the text to show.
async fn log_in(state: &AppState, request: &AuthorizeRequest, tx: &str, username: &str, password: &str) -> Result<Response, String> {
    let tenant = state.tenant();
    let connection = request.connection.clone().unwrap_or_default();
    let checked = flows::check_login(state, &connection, &request.client_id, username, password).await;
    let now = state.clock().now_ms();
    let salt = state.rng().bytes::<16>();
    let sid = state.rng().alnum(32);
    let draws = Draws::new(state);
    let attempt = Attempt { connection: &connection, client_id: &request.client_id, username, password, now, rehash_salt: salt, checked };
    let (decided, cookie) = tenant.write(|data| {
        let user = match data.login(&attempt) {
            Ok(user) => user,
            // A blocked user goes back to the app with the error, as Auth0 redirects
            // `error=unauthorized&error_description=user is blocked`; no session starts.
            Err(LoginError::Blocked) => {
                let blocked = AuthError::new(StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized, LoginError::Blocked.to_string());
                return Ok((Err(blocked), None));
            }
            Err(e) => return Err(e.to_string()),
        };
        let login = Login { user_id: user.user_id.clone(), sid: sid.clone(), auth_time: now.div_euclid(1000) };
        data.auth.insert_session(sid.clone(), Session { user_id: login.user_id.clone(), auth_time: login.auth_time });
        Ok::<_, String>((authorize::decide(data, &tenant.issuer, now, request, &login, draws), Some(session::start(&sid))))
    })?;
    TRANSACTIONS.take(&tenant.issuer, tx, now);
    Ok(authorize::respond(tenant, request, decided, cookie))
}

/// The field a signup failure belongs to, and its text.
fn signup_error(failure: SignupFailure, requires_username: bool) -> (Field, String) {
    let text = failure.to_string();
    let field = match &failure {
        SignupFailure::Missing("email") | SignupFailure::InvalidEmail | SignupFailure::UserExists => Field::Email,
        SignupFailure::Missing("username") | SignupFailure::UsernameExists | SignupFailure::UsernameNotAllowed if requires_username => {
            Field::Username
        }
        _ => Field::Password,
    };
    match failure {
        SignupFailure::WeakPassword(policy) => (field, format!("{text}\n{}", policy.policy_text())),
        _ => (field, text),
    }
}

fn error_span(field: Field, error: Option<(Field, &str)>) -> String {
    match error {
        Some((f, text)) if f == field => format!(r#"<p id="{}" class="error" role="alert">{}</p>"#, field.id(), escape(text)),
        _ => String::new(),
    }
}

fn invalid_attr(field: Field, error: Option<(Field, &str)>) -> &'static str {
    if error.is_some_and(|(f, _)| f == field) {
        r#" aria-invalid="true""#
    } else {
        ""
    }
}

fn login_form(status: StatusCode, context: &Context, username: &str, error: Option<&str>) -> Response {
    let error = error.map(|text| (Field::Password, text));
    let label = if context.requires_username { "Username or email address" } else { "Email address" };
    let signup_link = if context.show_signup {
        format!(
            r#"<p class="alt">Don't have an account? <a id="signup-link" href="{}?state={}">Sign up</a></p>"#,
            paths::SIGNUP_PAGE,
            escape(&context.tx)
        )
    } else {
        String::new()
    };
    let card = format!(
        r#"<h1>Welcome</h1>
<p>Log in to {tenant} to continue to {client}.</p>
<form method="post" action="{action}?state={tx}">
<input type="hidden" name="state" value="{tx}">
<label for="username">{label}</label>
<input id="username" name="username" type="text" inputmode="email" value="{username}" autocomplete="username" autocapitalize="none" spellcheck="false" autofocus required{invalid}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required{invalid}>
{error}
<button type="submit" name="action" value="default">Continue</button>
</form>
{signup_link}"#,
        tenant = escape(&context.tenant_name),
        client = escape(&context.client_name),
        action = paths::LOGIN_PAGE,
        tx = escape(&context.tx),
        username = escape(username),
        invalid = invalid_attr(Field::Password, error),
        error = error_span(Field::Password, error),
    );
    card_page(status, "Log in", &card)
}

fn signup_form(status: StatusCode, context: &Context, email: &str, username: &str, error: Option<(Field, &str)>) -> Response {
    let username_input = if context.requires_username {
        format!(
            r#"<label for="username">Username</label>
<input id="username" name="username" type="text" value="{}" autocomplete="username" autocapitalize="none" spellcheck="false" required{}>
{}"#,
            escape(username),
            invalid_attr(Field::Username, error),
            error_span(Field::Username, error)
        )
    } else {
        String::new()
    };
    let card = format!(
        r#"<h1>Create Your Account</h1>
<p>Sign Up to {tenant} to continue to {client}.</p>
<form method="post" action="{action}?state={tx}">
<input type="hidden" name="state" value="{tx}">
<label for="email">Email address</label>
<input id="email" name="email" type="email" value="{email}" autocomplete="email" autocapitalize="none" spellcheck="false" autofocus required{email_invalid}>
{email_error}
{username_input}
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="new-password" required{password_invalid}>
{password_error}
<button type="submit" name="action" value="default">Continue</button>
</form>
<p class="alt">Already have an account? <a id="login-link" href="{login}?state={tx}">Log in</a></p>"#,
        tenant = escape(&context.tenant_name),
        client = escape(&context.client_name),
        action = paths::SIGNUP_PAGE,
        login = paths::LOGIN_PAGE,
        tx = escape(&context.tx),
        email = escape(email),
        email_invalid = invalid_attr(Field::Email, error),
        email_error = error_span(Field::Email, error),
        password_invalid = invalid_attr(Field::Password, error),
        password_error = error_span(Field::Password, error),
    );
    card_page(status, "Sign up", &card)
}
