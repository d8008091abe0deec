//! `/passwordless/start` and the `passwordless/otp` grant.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};

const OTP: &str = "http://auth0.com/oauth/grant-type/passwordless/otp";

async fn last_code(app: &TestApp, to: &str) -> String {
    let (_, outbox) = app.get(&format!("/__emulator/outbox?to={}", urlencode(to))).await;
    let messages = outbox["messages"].as_array().expect("messages");
    let message = messages.iter().rev().find(|m| m["to"] == to).expect("a message to the address");
    assert_eq!(message["kind"], "passwordless_code");
    message["code"].as_str().expect("code").to_string()
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn an_email_code_logs_in_and_creates_the_user_once() {
    let app = spawn_app().await;
    let (status, body) = app.post("/passwordless/start", json!({"client_id": "web-client", "client_secret": "web-client-secret", "connection": "email", "email": "New@Example.com", "send": "code"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!((body["email"].as_str(), body["email_verified"].as_bool()), (Some("new@example.com"), Some(false)));
    let code = last_code(&app, "new@example.com").await;
    assert_eq!(code.len(), 6);
    let login = |otp: String| json!({"grant_type": OTP, "client_id": "web-client", "client_secret": "web-client-secret", "username": "new@example.com", "otp": otp, "realm": "email", "scope": "openid email"});
    let (status, tokens) = app.post("/oauth/token", login(code.clone())).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let info: Value = app.http.get(app.url("/userinfo")).bearer_auth(tokens["access_token"].as_str().expect("at")).send().await.expect("req").json().await.expect("json");
    assert!(info["sub"].as_str().is_some_and(|s| s.starts_with("email|")), "{info}");
    assert_eq!(info["email_verified"], true);
    // The code is spent.
    let (status, err) = app.post("/oauth/token", login(code)).await;
    assert_eq!((status, err), (StatusCode::FORBIDDEN, json!({"error": "invalid_grant", "error_description": "Wrong email or verification code."})));
    // A second login finds the same user.
    app.post("/passwordless/start", json!({"client_id": "web-client", "client_secret": "web-client-secret", "connection": "email", "email": "new@example.com"})).await;
    let (_, again) = app.post("/oauth/token", login(last_code(&app, "new@example.com").await)).await;
    let info2: Value = app.http.get(app.url("/userinfo")).bearer_auth(again["access_token"].as_str().expect("at")).send().await.expect("req").json().await.expect("json");
    assert_eq!(info2["sub"], info["sub"]);
    app.stop().await;
}

#[tokio::test]
async fn wrong_codes_and_bad_requests_get_the_endpoints_errors() {
    let app = spawn_app().await;
    let (status, body) = app.post("/passwordless/start", json!({"client_id": "web-client", "client_secret": "web-client-secret", "connection": "nope", "email": "a@b.c"})).await;
    assert_eq!((status, body), (StatusCode::BAD_REQUEST, json!({"error": "bad.connection", "error_description": "Connection does not exist"})));
    let (status, body) = app.post("/passwordless/start", json!({"client_id": "web-client", "client_secret": "web-client-secret", "connection": "sms", "phone_number": "0123"})).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("bad.phone_number")));
    let (status, _) = app.post("/passwordless/start", json!({"client_id": "web-client", "client_secret": "web-client-secret", "connection": "sms", "phone_number": "+15555550100"})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app.post("/oauth/token", json!({"grant_type": OTP, "client_id": "web-client", "client_secret": "web-client-secret", "username": "+15555550100", "otp": "000000x", "realm": "sms"})).await;
    assert_eq!((status, body), (StatusCode::FORBIDDEN, json!({"error": "invalid_grant", "error_description": "Wrong phone number or verification code."})));
    let (status, body) = app.post("/oauth/token", json!({"grant_type": OTP, "client_id": "m2m-client", "client_secret": "m2m-client-secret", "username": "+15555550100", "otp": "1", "realm": "sms"})).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::FORBIDDEN, Some("unauthorized_client")));
    app.stop().await;
}
