//! Tenant logs recorded by the Authentication and Management APIs, and brute-force user blocks.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{json_of, spawn_app, TestApp};

const JOHN: &str = "auth0|0123456789abcdef01234568";

async fn mgmt(app: &TestApp, method: reqwest::Method, path: &str, scope: &str) -> (StatusCode, Value) {
    let t = app.mint(json!({"audience": format!("{}api/v2/", app.base), "scope": scope})).await;
    let response = app.http.request(method, app.url(path)).bearer_auth(t["token"].as_str().expect("t")).send().await.expect("req");
    if response.status() == StatusCode::NO_CONTENT {
        return (StatusCode::NO_CONTENT, Value::Null);
    }
    json_of(response).await
}

async fn login(app: &TestApp, username: &str, password: &str) -> StatusCode {
    app.post("/oauth/token", json!({"grant_type": "http://auth0.com/oauth/grant-type/password-realm", "client_id": "web-client", "client_secret": "web-client-secret",
        "username": username, "password": password, "realm": "Username-Password-Authentication"})).await.0
}

#[tokio::test]
async fn logins_token_exchanges_and_api_writes_are_logged_newest_first() {
    let app = spawn_app().await;
    assert_eq!(login(&app, "jane@example.com", "Passw0rd!").await, StatusCode::OK);
    assert_eq!(login(&app, "jane@example.com", "nope").await, StatusCode::FORBIDDEN);
    app.post("/oauth/token", json!({"grant_type": "client_credentials", "client_id": "m2m-client", "client_secret": "m2m-client-secret", "audience": "https://api.example.test/"})).await;
    let (status, logs) = mgmt(&app, reqwest::Method::GET, "/api/v2/logs", "read:logs").await;
    assert_eq!(status, StatusCode::OK);
    let types: Vec<&str> = logs.as_array().expect("array").iter().filter_map(|l| l["type"].as_str()).collect();
    assert_eq!(types, vec!["seccft", "f", "s"]);
    let success = &logs[2];
    assert_eq!((success["user_id"].as_str(), success["user_name"].as_str(), success["client_id"].as_str(), success["connection"].as_str()),
        (Some("auth0|0123456789abcdef01234567"), Some("jane@example.com"), Some("web-client"), Some("Username-Password-Authentication")));
    assert_eq!(logs[1]["description"], "Wrong email or password.");
    let (_, only_failures) = mgmt(&app, reqwest::Method::GET, "/api/v2/logs?q=type%3Af&include_totals=true", "read:logs").await;
    assert_eq!(only_failures["total"], 1);
    let id = success["log_id"].as_str().expect("log id");
    let (_, one) = mgmt(&app, reqwest::Method::GET, &format!("/api/v2/logs/{id}"), "read:logs").await;
    assert_eq!(&one, success);
    let (_, after) = mgmt(&app, reqwest::Method::GET, &format!("/api/v2/logs?from={id}&take=10"), "read:logs").await;
    assert_eq!(after.as_array().map(|a| a.iter().filter_map(|l| l["type"].as_str()).collect::<Vec<_>>()), Some(vec!["f", "seccft"]));
    let (_, janes) = mgmt(&app, reqwest::Method::GET, "/api/v2/users/auth0%7C0123456789abcdef01234567/logs", "read:logs").await;
    assert_eq!(janes.as_array().map(Vec::len), Some(1));
    let (status, _) = mgmt(&app, reqwest::Method::GET, "/api/v2/logs", "read:users").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    app.stop().await;
}

#[tokio::test]
async fn a_brute_force_block_shows_in_user_blocks_and_deleting_it_lets_the_user_in() {
    let app = spawn_app().await;
    let path = format!("/api/v2/user-blocks/{}", url::form_urlencoded::byte_serialize(JOHN.as_bytes()).collect::<String>());
    let (_, none) = mgmt(&app, reqwest::Method::GET, &path, "read:users").await;
    assert_eq!(none, json!({"blocked_for": []}));
    for _ in 0..10 {
        login(&app, "john@example.com", "nope").await;
    }
    assert_eq!(login(&app, "john@example.com", "Passw0rd!").await, StatusCode::TOO_MANY_REQUESTS);
    let (_, blocked) = mgmt(&app, reqwest::Method::GET, &path, "read:users").await;
    assert_eq!(blocked, json!({"blocked_for": [{"identifier": "john@example.com", "ip": "127.0.0.1", "connection": "Username-Password-Authentication"}]}));
    let (_, by_identifier) = mgmt(&app, reqwest::Method::GET, "/api/v2/user-blocks?identifier=john%40example.com", "read:users").await;
    assert_eq!(by_identifier, blocked);
    let (status, _) = mgmt(&app, reqwest::Method::DELETE, &path, "update:users").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(login(&app, "john@example.com", "Passw0rd!").await, StatusCode::OK);
    let (_, logs) = mgmt(&app, reqwest::Method::GET, "/api/v2/logs?q=type%3Alimit_wc", "read:logs").await;
    assert!(logs.as_array().is_some_and(|l| !l.is_empty()), "{logs}");
    app.stop().await;
}
