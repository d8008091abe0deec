//! `POST /dbconnections/change_password`, the reset link it leaves in the outbox, the reset page
//! the link opens, and the outbox's control endpoints.

use auth0_emulator::paths;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};

const DB: &str = "Username-Password-Authentication";
const JANE: &str = "auth0|0123456789abcdef01234567";
const SENT: &str = "We've just sent you an email to reset your password.";

/// Posts a JSON body and returns status, content type and text.
async fn change_password(app: &TestApp, body: Value) -> (StatusCode, String, String) {
    let response = app.http.post(app.url(paths::CHANGE_PASSWORD)).json(&body).send().await.expect("request");
    text_of(response).await
}

async fn text_of(response: reqwest::Response) -> (StatusCode, String, String) {
    let status = response.status();
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    (status, content_type, response.text().await.expect("body"))
}

fn request_for(email: &str) -> Value {
    json!({"client_id": "spa-client", "email": email, "connection": DB})
}

async fn outbox(app: &TestApp) -> Vec<Value> {
    let (status, body) = app.get(paths::CONTROL_OUTBOX).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["messages"].as_array().cloned().unwrap_or_default()
}

/// Requests a reset for `email` and returns the link from the newest outbox message.
async fn reset_link(app: &TestApp, email: &str) -> String {
    let (status, _, text) = change_password(app, request_for(email)).await;
    assert_eq!((status, text.as_str()), (StatusCode::OK, SENT));
    let messages = outbox(app).await;
    messages.last().and_then(|m| m["link"].as_str()).expect("a reset link").to_string()
}

fn ticket_of(link: &str) -> String {
    let query = link.split_once("?ticket=").map(|(_, rest)| rest).unwrap_or_default();
    query.trim_end_matches('#').to_string()
}

async fn open(app: &TestApp, link: &str) -> (StatusCode, String, String) {
    text_of(app.http.get(link).send().await.expect("request")).await
}

async fn submit(app: &TestApp, ticket: &str, password: &str) -> (StatusCode, String, String) {
    let form = [("ticket", ticket), ("password", password)];
    text_of(app.http.post(app.url(paths::RESET_PASSWORD_PAGE)).form(&form).send().await.expect("request")).await
}

async fn advance_clock(app: &TestApp, by: &str) {
    let (status, body) = app.post(paths::CONTROL_CLOCK, json!({"advance": by})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// The status of a password-realm login on the default connection.
async fn login(app: &TestApp, username: &str, password: &str) -> StatusCode {
    let form = [
        ("grant_type", "http://auth0.com/oauth/grant-type/password-realm"),
        ("client_id", "web-client"),
        ("client_secret", "web-client-secret"),
        ("realm", DB),
        ("username", username),
        ("password", password),
        ("scope", "openid"),
    ];
    app.http.post(app.url(paths::TOKEN)).form(&form).send().await.expect("request").status()
}

/// `updated_at` of a stored user, read from the profile claims of a minted ID token.
async fn updated_at(app: &TestApp, user_id: &str) -> Value {
    app.mint(json!({"kind": "id", "sub": user_id, "client_id": "spa-client"})).await["claims"]["updated_at"].clone()
}

#[tokio::test]
async fn change_password_answers_with_auth0s_sentence_as_html_and_leaves_a_link_in_the_outbox() {
    let app = spawn_app().await;
    let (status, content_type, text) = change_password(&app, request_for("Jane@Example.com")).await;
    assert_eq!((status, content_type.as_str(), text.as_str()), (StatusCode::OK, "text/html; charset=utf-8", SENT));

    let messages = outbox(&app).await;
    assert_eq!(messages.len(), 1, "{messages:?}");
    let message = &messages[0];
    let link = message["link"].as_str().expect("link");
    let ticket = ticket_of(link);
    assert_eq!(link, format!("{}lo/reset?ticket={ticket}#", app.base));
    assert!(ticket.len() == 32 && ticket.bytes().all(|b| b.is_ascii_alphanumeric()), "{link}");
    assert_eq!(
        message,
        &json!({"id": message["id"], "kind": "password_reset", "to": "jane@example.com", "user_id": JANE,
                "client_id": "spa-client", "connection": DB, "link": link, "created_at": "2023-11-14T22:13:20.000Z"})
    );
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_email_still_gets_the_sentence_and_no_message() {
    let app = spawn_app().await;
    let (status, content_type, text) = change_password(&app, request_for("nobody@example.com")).await;
    assert_eq!((status, content_type.as_str(), text.as_str()), (StatusCode::OK, "text/html; charset=utf-8", SENT));
    assert_eq!(outbox(&app).await, Vec::<Value>::new());
    app.stop().await;
}

#[tokio::test]
async fn a_form_encoded_request_works_too() {
    let app = spawn_app().await;
    let form = [("client_id", "web-client"), ("email", "john@example.com"), ("connection", DB)];
    let response = app.http.post(app.url(paths::CHANGE_PASSWORD)).form(&form).send().await.expect("request");
    assert_eq!(text_of(response).await, (StatusCode::OK, "text/html; charset=utf-8".to_string(), SENT.to_string()));
    let messages = outbox(&app).await;
    assert_eq!((&messages[0]["to"], &messages[0]["client_id"]), (&json!("john@example.com"), &json!("web-client")));
    app.stop().await;
}

#[tokio::test]
async fn missing_parameters_and_unknown_connections_are_refused() {
    let app = spawn_app().await;
    let cases = [
        (json!({"email": "jane@example.com", "connection": DB}), 400, "invalid_request", "Missing required parameter: client_id"),
        (json!({"client_id": "spa-client", "connection": DB}), 400, "invalid_request", "Missing required parameter: email"),
        (json!({"client_id": "spa-client", "email": "jane@example.com"}), 400, "invalid_request", "Missing required parameter: connection"),
        (json!({"client_id": "spa-client", "email": "jane@example.com", "connection": "Nope"}), 400, "invalid_request", "the connection was not found"),
        (json!({"client_id": "nobody", "email": "jane@example.com", "connection": DB}), 403, "unauthorized_client", "invalid client"),
    ];
    for (body, status, error, description) in cases {
        let (got_status, got_body) = app.post(paths::CHANGE_PASSWORD, body.clone()).await;
        assert_eq!(
            (got_status.as_u16(), got_body),
            (status, json!({"error": error, "error_description": description})),
            "{body}"
        );
    }
    assert_eq!(outbox(&app).await, Vec::<Value>::new());
    app.stop().await;
}

#[tokio::test]
async fn the_reset_link_sets_a_new_password_once() {
    let app = spawn_app().await;
    let link = reset_link(&app, "jane@example.com").await;
    let ticket = ticket_of(&link);

    let (status, content_type, page) = open(&app, &link).await;
    assert_eq!((status, content_type.as_str()), (StatusCode::OK, "text/html; charset=utf-8"));
    assert!(page.contains(r#"<input id="password" name="password" type="password""#), "{page}");
    assert!(page.contains(r#"<button type="submit" name="action" value="default">"#), "{page}");
    assert!(page.contains(&format!(r#"<input type="hidden" name="ticket" value="{ticket}">"#)), "{page}");
    assert!(page.contains("jane@example.com"), "{page}");
    assert!(!page.contains("error-message"), "{page}");

    // A weak password shows the policy and leaves the ticket usable.
    let (status, _, page) = submit(&app, &ticket, "hello").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains(r#"id="error-message""#), "{page}");
    assert!(page.contains("Password is too weak\n* At least 8 characters in length\n* Contain at least 3 of the following 4 types of characters:"), "{page}");

    advance_clock(&app, "1h").await;
    let (status, _, page) = submit(&app, &ticket, "N3w-Passw0rd!").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains(r#"<p id="success-message">"#), "{page}");
    assert_eq!(updated_at(&app, JANE).await, "2023-11-14T23:13:20.000Z");
    assert_eq!(login(&app, "jane@example.com", "N3w-Passw0rd!").await, StatusCode::OK);
    assert_eq!(login(&app, "jane@example.com", "Passw0rd!").await, StatusCode::FORBIDDEN);

    // The same ticket, again: spent, by form and by link.
    let (status, _, page) = submit(&app, &ticket, "An0ther-Passw0rd!").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains(r#"id="error-message""#) && page.contains("This link has already been used."), "{page}");
    let (status, _, page) = open(&app, &link).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("This link has already been used."), "{page}");
    app.stop().await;
}

#[tokio::test]
async fn a_new_link_works_after_a_reset_even_on_a_frozen_clock() {
    let app = spawn_app().await;
    let first = ticket_of(&reset_link(&app, "john@example.com").await);
    let (status, _, _) = submit(&app, &first, "N3w-Passw0rd!").await;
    assert_eq!(status, StatusCode::OK);
    // The clock has not moved, yet the next link is not born spent.
    let second = ticket_of(&reset_link(&app, "john@example.com").await);
    let (status, _, page) = submit(&app, &second, "Th1rd-Passw0rd!").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(login(&app, "john@example.com", "Th1rd-Passw0rd!").await, StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn a_reset_link_expires_after_five_days() {
    let app = spawn_app().await;
    let link = reset_link(&app, "jane@example.com").await;
    advance_clock(&app, "5d").await;
    let (status, _, _) = open(&app, &link).await;
    assert_eq!(status, StatusCode::OK, "exactly five days is still fine");
    advance_clock(&app, "1s").await;
    let (status, _, page) = open(&app, &link).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains(r#"id="error-message""#) && page.contains("This link has expired."), "{page}");
    let (status, _, page) = submit(&app, &ticket_of(&link), "N3w-Passw0rd!").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("This link has expired."), "{page}");
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_ticket_is_an_error_page_and_markup_is_escaped() {
    let app = spawn_app().await;
    for path in ["/lo/reset", "/lo/reset?ticket=", "/lo/reset?ticket=%3Cscript%3E"] {
        let (status, content_type, page) = open(&app, &app.url(path)).await;
        assert_eq!((status, content_type.as_str()), (StatusCode::BAD_REQUEST, "text/html; charset=utf-8"), "{path}");
        assert!(page.contains(r#"<p id="error-message" class="error" role="alert">This link is invalid.</p>"#), "{page}");
        assert!(!page.contains("<script>"), "{page}");
    }
    app.stop().await;
}

#[tokio::test]
async fn the_outbox_filters_by_recipient_and_kind_and_can_be_emptied() {
    let app = spawn_app().await;
    reset_link(&app, "jane@example.com").await;
    reset_link(&app, "john@example.com").await;
    let (status, body) = app.get("/__emulator/outbox?to=JOHN@example.com&kind=password_reset").await;
    assert_eq!(status, StatusCode::OK);
    let messages = body["messages"].as_array().cloned().unwrap_or_default();
    assert_eq!(messages.iter().map(|m| m["to"].clone()).collect::<Vec<_>>(), vec![json!("john@example.com")]);
    let (_, body) = app.get("/__emulator/outbox?kind=verify_email").await;
    assert_eq!(body, json!({"messages": []}));

    let (status, body) = app.get("/__emulator/outbox?kind=sms").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({"error": "bad_request", "message": "kind: expected one of password_reset, passwordless_code, passwordless_link, verify_email, got \"sms\""})
    );
    let (status, body) = app.get("/__emulator/outbox?recipient=x").await;
    assert_eq!((status, &body["error"]), (StatusCode::BAD_REQUEST, &json!("bad_request")));

    let response = app.http.delete(app.url(paths::CONTROL_OUTBOX)).send().await.expect("request");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(outbox(&app).await, Vec::<Value>::new());
    app.stop().await;
}

#[tokio::test]
async fn clearing_the_outbox_retires_its_links() {
    let app = spawn_app().await;
    let link = reset_link(&app, "jane@example.com").await;
    let response = app.http.delete(app.url(paths::CONTROL_OUTBOX)).send().await.expect("request");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, _, page) = open(&app, &link).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("This link is invalid."), "{page}");
    app.stop().await;
}

#[tokio::test]
async fn a_password_reset_lifts_a_brute_force_block() {
    let app = spawn_app().await;
    for _ in 0..10 {
        login(&app, "john@example.com", "wrong").await;
    }
    assert_eq!(login(&app, "john@example.com", "Passw0rd!").await, StatusCode::TOO_MANY_REQUESTS);
    let link = reset_link(&app, "john@example.com").await;
    let (status, _, _) = submit(&app, &ticket_of(&link), "N3w-Passw0rd!").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(login(&app, "john@example.com", "N3w-Passw0rd!").await, StatusCode::OK);
}
