//! `POST /dbconnections/signup`: the 200 body, the signup error shapes (`BadRequestError`,
//! `PasswordStrengthError`, the `user_metadata` texts), JSON and form bodies, and one user per
//! email under concurrency.

use auth0_emulator::paths;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_with, test_config, TestApp};

const DB: &str = "Username-Password-Authentication";

fn bad_request(code: &str, description: &str) -> Value {
    json!({"name": "BadRequestError", "code": code, "description": description, "statusCode": 400})
}

fn metadata_error(text: &str) -> Value {
    json!({"code": text, "description": text, "statusCode": 400})
}

/// A valid signup body for `email`, to which tests add or change fields.
fn signup_body(email: &str) -> Value {
    json!({"client_id": "spa-client", "connection": DB, "email": email, "password": "Str0ng!pass"})
}

fn with(mut body: Value, extra: Value) -> Value {
    if let (Some(body), Value::Object(extra)) = (body.as_object_mut(), extra) {
        body.extend(extra);
    }
    body
}

async fn signup(app: &TestApp, body: Value) -> (StatusCode, Value) {
    app.post(paths::SIGNUP, body).await
}

fn is_bare_user_id(id: &Value) -> bool {
    id.as_str().is_some_and(|id| id.len() == 24 && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
}

#[tokio::test]
async fn signup_with_user_metadata_returns_the_user_in_auth0s_order() {
    let app = spawn_app().await;
    let body = with(
        signup_body("New.User@Example.com"),
        json!({"given_name": "New", "family_name": "User", "nickname": "newbie",
               "user_metadata": {"plan": "silver", "team_id": "a111"}}),
    );
    let response = app.http.post(app.url(paths::SIGNUP)).json(&body).send().await.expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"].to_str().expect("ascii").starts_with("application/json"));
    let text = response.text().await.expect("body");
    let parsed: Value = serde_json::from_str(&text).expect("json");
    assert!(is_bare_user_id(&parsed["_id"]), "{text}");
    assert_eq!(
        text,
        format!(
            r#"{{"_id":"{}","email_verified":false,"email":"new.user@example.com","given_name":"New","family_name":"User","nickname":"newbie","user_metadata":{{"plan":"silver","team_id":"a111"}}}}"#,
            parsed["_id"].as_str().unwrap_or_default()
        )
    );
    app.stop().await;
}

#[tokio::test]
async fn a_signed_up_user_is_stored_with_auth0_defaults_and_can_log_in() {
    let app = spawn_app().await;
    let (status, created) = signup(&app, signup_body("Fresh@Example.com")).await;
    assert_eq!((status, &created), (StatusCode::OK, &json!({"_id": created["_id"], "email_verified": false, "email": "fresh@example.com"})));
    // The control API's ID tokens carry a stored user's profile claims.
    let user_id = format!("auth0|{}", created["_id"].as_str().unwrap_or_default());
    let token = app.mint(json!({"kind": "id", "sub": user_id, "client_id": "spa-client"})).await;
    let claims = &token["claims"];
    assert_eq!(claims["email"], "fresh@example.com");
    assert_eq!(claims["email_verified"], false);
    assert_eq!(claims["name"], "fresh@example.com");
    assert_eq!(claims["nickname"], "fresh");
    assert_eq!(claims["updated_at"], "2023-11-14T22:13:20.000Z");
    assert!(claims["picture"].as_str().is_some_and(|p| p.starts_with("https://s.gravatar.com/avatar/")), "{claims}");
    // And the password works for a password-realm login.
    let form = [
        ("grant_type", "http://auth0.com/oauth/grant-type/password-realm"),
        ("client_id", "web-client"),
        ("client_secret", "web-client-secret"),
        ("realm", DB),
        ("username", "FRESH@example.com"),
        ("password", "Str0ng!pass"),
        ("scope", "openid"),
    ];
    let response = app.http.post(app.url(paths::TOKEN)).form(&form).send().await.expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn eleven_metadata_properties_are_refused() {
    let app = spawn_app().await;
    let metadata: serde_json::Map<String, Value> = (0..11).map(|i| (format!("k{i}"), json!("v"))).collect();
    let (status, body) = signup(&app, with(signup_body("many@example.com"), json!({"user_metadata": metadata}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, metadata_error("invalid user_metadata (at most 10 properties are allowed, got 11)"));
    app.stop().await;
}

#[tokio::test]
async fn a_non_string_metadata_value_is_refused_with_auth0s_text() {
    let app = spawn_app().await;
    let (status, body) =
        signup(&app, with(signup_body("bool@example.com"), json!({"user_metadata": {"plan": "x", "consentGiven": true}}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, metadata_error("invalid user_metadata.consentGiven type (only strings are allowed)"));
    app.stop().await;
}

#[tokio::test]
async fn metadata_that_is_not_an_object_is_refused_with_auth0s_text() {
    let app = spawn_app().await;
    let (status, body) =
        signup(&app, with(signup_body("str@example.com"), json!({"user_metadata": "{\"consentGiven\":\"yes\"}"}))).await;
    assert_eq!((status, body), (StatusCode::BAD_REQUEST, metadata_error("invalid user_metadata type (expected object)")));
    app.stop().await;
}

#[tokio::test]
async fn metadata_names_and_values_have_length_and_character_limits() {
    let app = spawn_app().await;
    let cases = [
        (json!({ "a".repeat(101): "v" }), format!("invalid user_metadata.{} name (at most 100 characters are allowed)", "a".repeat(101))),
        (json!({"a.b": "v"}), "invalid user_metadata.a.b name (field names may not contain '.' or '$')".to_string()),
        (json!({"$set": "v"}), "invalid user_metadata.$set name (field names may not contain '.' or '$')".to_string()),
        (json!({"bio": "x".repeat(501)}), "invalid user_metadata.bio value (at most 500 characters are allowed)".to_string()),
    ];
    for (metadata, text) in cases {
        let (status, body) = signup(&app, with(signup_body("limits@example.com"), json!({"user_metadata": metadata}))).await;
        assert_eq!((status, body), (StatusCode::BAD_REQUEST, metadata_error(&text)));
    }
    // Exactly at the limits is fine.
    let metadata: serde_json::Map<String, Value> =
        (0..10).map(|i| (format!("{i}{}", "n".repeat(99)), json!("v".repeat(500)))).collect();
    let (status, body) = signup(&app, with(signup_body("limits@example.com"), json!({"user_metadata": metadata}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.stop().await;
}

#[tokio::test]
async fn a_weak_password_gets_the_password_strength_error_for_policy_good() {
    let app = spawn_app().await;
    let (status, body) = signup(&app, with(signup_body("weak@example.com"), json!({"password": "hello!!!"}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Byte for byte the body in reference §3.1.
    assert_eq!(
        serde_json::to_string(&body).expect("json"),
        concat!(
            r#"{"name":"PasswordStrengthError","message":"Password is too weak","code":"invalid_password","#,
            r#""description":{"rules":[{"message":"At least %d characters in length","format":[8],"code":"lengthAtLeast","verified":true},"#,
            r#"{"message":"Contain at least %d of the following %d types of characters:","code":"containsAtLeast","format":[3,4],"#,
            r#""items":[{"message":"lower case letters (a-z)","code":"lowerCase","verified":true},"#,
            r#"{"message":"upper case letters (A-Z)","code":"upperCase","verified":false},"#,
            r#"{"message":"numbers (i.e. 0-9)","code":"numbers","verified":false},"#,
            r#"{"message":"special characters (e.g. !@#$%^&*)","code":"specialCharacters","verified":true}],"verified":false}],"#,
            r#""verified":false},"#,
            r#""policy":"* At least 8 characters in length\n* Contain at least 3 of the following 4 types of characters:\n * lower case letters (a-z)\n * upper case letters (A-Z)\n * numbers (i.e. 0-9)\n * special characters (e.g. !@#$%^&*)","#,
            r#""statusCode":400}"#
        )
    );
    app.stop().await;
}

#[tokio::test]
async fn signing_up_an_existing_email_in_any_case_is_user_exists() {
    let app = spawn_app().await;
    for email in ["jane@example.com", "JANE@Example.COM"] {
        let (status, body) = signup(&app, signup_body(email)).await;
        assert_eq!((status, body), (StatusCode::BAD_REQUEST, bad_request("user_exists", "The user already exists.")));
    }
    let (status, _) = signup(&app, signup_body("twice@example.com")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = signup(&app, signup_body("twice@example.com")).await;
    assert_eq!((status, body), (StatusCode::BAD_REQUEST, bad_request("user_exists", "The user already exists.")));
    app.stop().await;
}

#[tokio::test]
async fn concurrent_signups_of_one_email_make_exactly_one_user() {
    let app = spawn_app().await;
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (http, url) = (app.http.clone(), app.url(paths::SIGNUP));
            tokio::spawn(async move {
                let response = http.post(url).json(&signup_body("race@example.com")).send().await.expect("request");
                response.status()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.expect("task"));
    }
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::BAD_REQUEST).count(), 15, "{statuses:?}");
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_client_or_connection_is_invalid_signup() {
    let app = spawn_app().await;
    let cases = [
        (json!({"client_id": "nobody"}), "invalid client"),
        (json!({"connection": "No-Such-DB"}), "the connection was not found"),
        (json!({"client_id": null}), "Missing required parameter: client_id"),
        (json!({"connection": ""}), "Missing required parameter: connection"),
        (json!({"email": null}), "Missing required parameter: email"),
        (json!({"password": null}), "Missing required parameter: password"),
        (json!({"email": "not-an-email"}), "Invalid email address"),
        (json!({"username": "johnny"}), "Cannot set username for connection without requires_username"),
    ];
    for (change, description) in cases {
        let (status, body) = signup(&app, with(signup_body("x@example.com"), change.clone())).await;
        assert_eq!((status, body), (StatusCode::BAD_REQUEST, bad_request("invalid_signup", description)), "{change}");
    }
    app.stop().await;
}

#[tokio::test]
async fn connections_that_are_social_disabled_or_need_usernames_are_honoured() {
    let dir = tempfile::tempdir().expect("dir");
    let extra = dir.path().join("connections.json");
    std::fs::write(
        &extra,
        r#"{"connections": [
            {"name": "Usernames", "options": {"requires_username": true, "passwordPolicy": "low"}},
            {"name": "Web-Only", "enabled_clients": ["web-client"]},
            {"name": "google-oauth2", "strategy": "google-oauth2"}
        ]}"#,
    )
    .expect("write");
    let mut config = test_config();
    config.seeds = vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("seed-data"), extra];
    let app = spawn_with(config).await;

    let social = with(signup_body("s@example.com"), json!({"connection": "google-oauth2"}));
    assert_eq!(signup(&app, social).await, (StatusCode::BAD_REQUEST, bad_request("invalid_signup", "the connection was not found")));
    let disabled = with(signup_body("d@example.com"), json!({"connection": "Web-Only"}));
    assert_eq!(signup(&app, disabled).await, (StatusCode::BAD_REQUEST, bad_request("invalid_signup", "the connection was disabled")));

    let no_username = with(signup_body("u@example.com"), json!({"connection": "Usernames"}));
    assert_eq!(signup(&app, no_username).await, (StatusCode::BAD_REQUEST, bad_request("invalid_signup", "Missing required parameter: username")));
    // A username connection takes a username alone, as the recorded username-identifier signup does.
    let (status, body) = signup(
        &app,
        json!({"client_id": "spa-client", "connection": "Usernames", "username": "mytestaccount", "password": "secret"}),
    )
    .await;
    assert_eq!((status, &body), (StatusCode::OK, &json!({"_id": body["_id"], "username": "mytestaccount"})));
    assert!(is_bare_user_id(&body["_id"]));
    let again = json!({"client_id": "spa-client", "connection": "Usernames", "username": "mytestaccount", "email": "other@example.com", "password": "secret"});
    assert_eq!(signup(&app, again).await, (StatusCode::BAD_REQUEST, bad_request("username_exists", "The username already exists.")));
    // The same email may exist once per connection.
    let jane = json!({"client_id": "spa-client", "connection": "Usernames", "username": "jane", "email": "jane@example.com", "password": "secret", "phone_number": "+12345678900"});
    let (status, body) = signup(&app, jane).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        serde_json::to_string(&body).expect("json"),
        format!(
            r#"{{"_id":"{}","email_verified":false,"email":"jane@example.com","username":"jane","phone_number":"+12345678900","phone_verified":false}}"#,
            body["_id"].as_str().unwrap_or_default()
        )
    );
    app.stop().await;
}

#[tokio::test]
async fn a_form_encoded_signup_works_with_bracketed_metadata() {
    let app = spawn_app().await;
    let form = [
        ("client_id", "spa-client"),
        ("connection", DB),
        ("email", "form@example.com"),
        ("password", "Str0ng!pass"),
        ("name", "Form User"),
        ("picture", "https://example.com/me.png"),
        ("user_metadata[plan]", "gold"),
    ];
    let response = app.http.post(app.url(paths::SIGNUP)).form(&form).send().await.expect("request");
    let (status, body) = crate::helpers::json_of(response).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({"_id": body["_id"], "email_verified": false, "email": "form@example.com", "name": "Form User",
               "picture": "https://example.com/me.png", "user_metadata": {"plan": "gold"}})
    );
    app.stop().await;
}

#[tokio::test]
async fn malformed_json_is_a_400_signup_error_not_a_500() {
    let app = spawn_app().await;
    for text in ["{oops", "[1, 2]", "\"just a string\""] {
        let response = app
            .http
            .post(app.url(paths::SIGNUP))
            .header("content-type", "application/json")
            .body(text)
            .send()
            .await
            .expect("request");
        let (status, body) = crate::helpers::json_of(response).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{text}: {body}");
        assert_eq!((&body["name"], &body["code"], &body["statusCode"]), (&json!("BadRequestError"), &json!("invalid_signup"), &json!(400)));
        assert!(body["description"].is_string(), "{body}");
    }
    app.stop().await;
}
