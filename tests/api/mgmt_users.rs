//! Management API users: authorization, create/get/patch/delete with Auth0's metadata rules,
//! list and search, users-by-email, concurrency.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{call, json_of, mgmt_token as token, spawn_app};

const JANE: &str = "auth0|0123456789abcdef01234567";

fn user_path(id: &str) -> String {
    format!("/api/v2/users/{}", url::form_urlencoded::byte_serialize(id.as_bytes()).collect::<String>())
}

#[tokio::test]
async fn requests_without_a_valid_token_get_auth0s_bodies() {
    let app = spawn_app().await;
    let (status, body) = app.get("/api/v2/users").await;
    assert_eq!((status, body), (StatusCode::UNAUTHORIZED, json!({"statusCode": 401, "error": "Unauthorized", "message": "Missing authentication"})));
    let r = app.http.get(app.url("/api/v2/users")).header("authorization", "Bearer not-a-jwt").send().await.expect("req");
    let (status, body) = json_of(r).await;
    assert_eq!((status, body), (StatusCode::BAD_REQUEST, json!({"statusCode": 400, "error": "Bad Request", "message": "Bad HTTP authentication header format"})));
    let expired = app.mint(json!({"audience": format!("{}api/v2/", app.base), "scope": "read:users", "expires_in": "-1h"})).await;
    let (status, body) = call(&app, reqwest::Method::GET, "/api/v2/users", expired["token"].as_str().expect("t"), None).await;
    assert_eq!((status, body), (StatusCode::UNAUTHORIZED, json!({"statusCode": 401, "error": "Unauthorized",
        "message": "Expired token received for JSON Web Token validation", "attributes": {"error": "Expired token received for JSON Web Token validation"}})));
    let other = app.mint(json!({"audience": "https://api.example.test/", "scope": "read:users"})).await;
    let (status, body) = call(&app, reqwest::Method::GET, "/api/v2/users", other["token"].as_str().expect("t"), None).await;
    assert_eq!((status, body["message"].as_str()), (StatusCode::UNAUTHORIZED, Some("Bad audience: https://api.example.test/")));
    let foreign = app.mint(json!({"audience": format!("{}api/v2/", app.base), "signing": "foreign"})).await;
    let (status, body) = call(&app, reqwest::Method::GET, "/api/v2/users", foreign["token"].as_str().expect("t"), None).await;
    assert_eq!((status, body["message"].as_str()), (StatusCode::UNAUTHORIZED, Some("Invalid signature received for JSON Web Token validation")));
    let weak = token(&app, "read:users").await;
    let (status, body) = call(&app, reqwest::Method::POST, "/api/v2/users", &weak, Some(json!({"connection": "Username-Password-Authentication"}))).await;
    assert_eq!((status, body), (StatusCode::FORBIDDEN, json!({"statusCode": 403, "error": "Forbidden", "message": "Insufficient scope, expected any of: create:users", "errorCode": "insufficient_scope"})));
    app.stop().await;
}

#[tokio::test]
async fn create_returns_201_with_the_user_and_a_duplicate_is_409() {
    let app = spawn_app().await;
    let t = token(&app, "create:users read:users").await;
    let new = json!({"connection": "Username-Password-Authentication", "email": "New.User@Example.com", "password": "Passw0rd!",
        "user_metadata": {"hobby": "surfing"}, "app_metadata": {"plan": "full"}, "given_name": "New"});
    let (status, user) = call(&app, reqwest::Method::POST, "/api/v2/users", &t, Some(new.clone())).await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    assert_eq!(user["email"], "new.user@example.com");
    assert_eq!(user["email_verified"], false);
    assert_eq!(user["user_metadata"], json!({"hobby": "surfing"}));
    assert_eq!(user["app_metadata"], json!({"plan": "full"}));
    assert_eq!(user["created_at"], "2023-11-14T22:13:20.000Z");
    let id = user["user_id"].as_str().expect("id");
    assert!(id.starts_with("auth0|") && id.len() == 30, "{id}");
    assert_eq!(user["identities"][0]["user_id"].as_str(), id.strip_prefix("auth0|"));
    assert!(user.get("logins_count").is_none() && user.get("last_login").is_none());
    let (status, body) = call(&app, reqwest::Method::POST, "/api/v2/users", &t, Some(new)).await;
    assert_eq!((status, body), (StatusCode::CONFLICT, json!({"statusCode": 409, "error": "Conflict", "message": "The user already exists.", "errorCode": "auth0_idp_error"})));
    let (status, body) = call(&app, reqwest::Method::POST, "/api/v2/users", &t, Some(json!({"connection": "Username-Password-Authentication", "email": "x@y.z", "password": "Passw0rd!", "surprise": 1}))).await;
    assert_eq!((status, body["message"].as_str(), body["errorCode"].as_str()), (StatusCode::BAD_REQUEST, Some("Payload validation error: 'Additional properties not allowed: surprise'."), Some("invalid_body")));
    let (status, body) = call(&app, reqwest::Method::POST, "/api/v2/users", &t, Some(json!({"connection": "nope", "email": "x@y.z", "password": "Passw0rd!"}))).await;
    assert_eq!((status, body["message"].as_str()), (StatusCode::BAD_REQUEST, Some("Connection does not exist.")));
    app.stop().await;
}

#[tokio::test]
async fn patch_follows_auth0s_metadata_merge_rules() {
    let app = spawn_app().await;
    let t = token(&app, "update:users read:users").await;
    let path = user_path(JANE);
    let (_, _) = call(&app, reqwest::Method::PATCH, &path, &t, Some(json!({"user_metadata": {"address": {"city": "Paris", "zip": "75001"}}}))).await;
    let (status, user) = call(&app, reqwest::Method::PATCH, &path, &t, Some(json!({"user_metadata": {"address": {"city": "Lyon"}, "hobby": null, "new": 1}}))).await;
    assert_eq!(status, StatusCode::OK, "{user}");
    // Top-level keys merge, nested objects are replaced whole, null deletes.
    assert_eq!(user["user_metadata"], json!({"theme": "dark", "address": {"city": "Lyon"}, "new": 1}));
    assert_eq!(user["app_metadata"], json!({"plan": "full"}), "untouched");
    let (_, user) = call(&app, reqwest::Method::PATCH, &path, &t, Some(json!({"user_metadata": {}}))).await;
    assert!(user.get("user_metadata").is_none(), "{{}} clears: {user}");
    let (_, user) = call(&app, reqwest::Method::PATCH, &path, &t, Some(json!({"given_name": null, "nickname": "JJ"}))).await;
    assert!(user.get("given_name").is_none());
    assert_eq!(user["nickname"], "JJ");
    let (status, body) = call(&app, reqwest::Method::PATCH, &path, &t, Some(json!({"app_metadata": {"blocked": true}}))).await;
    assert_eq!((status, body["errorCode"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_body")));
    let (status, _) = call(&app, reqwest::Method::PATCH, &path, &t, Some(json!({"user_metadata": {"a.b": 1}}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, body) = call(&app, reqwest::Method::PATCH, &path, &t, Some(json!({"password": "N3w-Passw0rd!", "email": "j@x.y"}))).await;
    assert_eq!((status, body["message"].as_str()), (StatusCode::BAD_REQUEST, Some("Cannot update password and email simultaneously.")));
    app.post("/__emulator/clock", json!({"advance": "1h"})).await;
    let (status, user) = call(&app, reqwest::Method::PATCH, &path, &t, Some(json!({"password": "N3w-Passw0rd!"}))).await;
    assert_eq!(status, StatusCode::OK, "{user}");
    assert_eq!((user["last_password_reset"].as_str(), user["updated_at"].as_str()), (Some("2023-11-14T23:13:20.000Z"), Some("2023-11-14T23:13:20.000Z")));
    let (status, _) = call(&app, reqwest::Method::PATCH, &user_path("auth0|nope"), &t, Some(json!({"nickname": "x"}))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn narrower_update_scopes_narrow_what_may_change() {
    let app = spawn_app().await;
    let app_only = token(&app, "update:users_app_metadata").await;
    let (status, user) = call(&app, reqwest::Method::PATCH, &user_path(JANE), &app_only, Some(json!({"app_metadata": {"tier": 2}}))).await;
    assert_eq!((status, &user["app_metadata"]), (StatusCode::OK, &json!({"plan": "full", "tier": 2})));
    let (status, _) = call(&app, reqwest::Method::PATCH, &user_path(JANE), &app_only, Some(json!({"user_metadata": {"x": 1}}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let mine = app.mint(json!({"sub": JANE, "audience": format!("{}api/v2/", app.base), "scope": "update:current_user_metadata read:current_user"})).await;
    let mine = mine["token"].as_str().expect("t");
    let (status, _) = call(&app, reqwest::Method::PATCH, &user_path(JANE), mine, Some(json!({"user_metadata": {"x": 1}}))).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = call(&app, reqwest::Method::PATCH, &user_path("auth0|0123456789abcdef01234568"), mine, Some(json!({"user_metadata": {"x": 1}}))).await;
    assert_eq!((status, body["message"].as_str()), (StatusCode::FORBIDDEN, Some("User to be acted on does not match subject in bearer token.")));
    let (status, _) = call(&app, reqwest::Method::GET, &user_path(JANE), mine, None).await;
    assert_eq!(status, StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn delete_is_204_and_idempotent_then_the_user_is_gone() {
    let app = spawn_app().await;
    let t = token(&app, "delete:users read:users").await;
    for _ in 0..2 {
        let (status, _) = call(&app, reqwest::Method::DELETE, &user_path(JANE), &t, None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }
    let (status, body) = call(&app, reqwest::Method::GET, &user_path(JANE), &t, None).await;
    assert_eq!((status, body), (StatusCode::NOT_FOUND, json!({"statusCode": 404, "error": "Not Found", "message": "The user does not exist.", "errorCode": "inexistent_user"})));
    app.stop().await;
}

#[tokio::test]
async fn list_pages_with_totals_searches_sorts_and_projects() {
    let app = spawn_app().await;
    let t = token(&app, "read:users").await;
    let (status, body) = call(&app, reqwest::Method::GET, "/api/v2/users?page=0&per_page=2&include_totals=true", &t, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((body["start"].as_i64(), body["limit"].as_i64(), body["length"].as_i64(), body["total"].as_i64()), (Some(0), Some(2), Some(2), Some(3)));
    let (_, past) = call(&app, reqwest::Method::GET, "/api/v2/users?page=5&per_page=2&include_totals=true", &t, None).await;
    assert_eq!(past["users"], json!([]));
    let (_, bare) = call(&app, reqwest::Method::GET, "/api/v2/users", &t, None).await;
    assert_eq!(bare.as_array().map(Vec::len), Some(3));
    let (_, found) = call(&app, reqwest::Method::GET, "/api/v2/users?q=email%3A%22JANE%40example.com%22&search_engine=v3", &t, None).await;
    assert_eq!(found.as_array().map(|a| a.iter().map(|u| u["user_id"].clone()).collect::<Vec<_>>()), Some(vec![json!(JANE)]));
    let (_, found) = call(&app, reqwest::Method::GET, "/api/v2/users?q=user_metadata.hobby%3Achess", &t, None).await;
    assert_eq!(found[0]["email"], "john@example.com");
    let (_, sorted) = call(&app, reqwest::Method::GET, "/api/v2/users?sort=email%3A-1&fields=email,user_id", &t, None).await;
    assert_eq!(sorted[0], json!({"email": "john@example.com", "user_id": "auth0|0123456789abcdef01234568"}));
    let (status, body) = call(&app, reqwest::Method::GET, "/api/v2/users?q=email%3A(", &t, None).await;
    assert_eq!((status, body["errorCode"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_query_string")));
    let (status, body) = call(&app, reqwest::Method::GET, "/api/v2/users?fields=password", &t, None).await;
    assert_eq!((status, body["errorCode"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_query_string")));
    let (status, body) = call(&app, reqwest::Method::GET, "/api/v2/users?q=name%3Ax&page=10&per_page=100", &t, None).await;
    assert_eq!((status, body["message"].as_str()), (StatusCode::BAD_REQUEST, Some("You can only page through the first 1000 records. See https://auth0.com/docs/users/search/v3/view-search-results-by-page#limitation.")));
    let (status, _) = call(&app, reqwest::Method::GET, "/api/v2/users?search_engine=v2&q=x", &t, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, by_email) = call(&app, reqwest::Method::GET, "/api/v2/users-by-email?email=jane%40example.com", &t, None).await;
    assert_eq!(by_email.as_array().map(Vec::len), Some(1));
    let (_, none) = call(&app, reqwest::Method::GET, "/api/v2/users-by-email?email=JANE%40example.com", &t, None).await;
    assert_eq!(none, json!([]), "users-by-email matches case-sensitively");
    app.stop().await;
}

#[tokio::test]
async fn concurrent_patches_of_different_metadata_keys_all_survive() {
    let app = spawn_app().await;
    let t = token(&app, "update:users read:users").await;
    let path = user_path(JANE);
    let mut writes = tokio::task::JoinSet::new();
    for i in 0..20 {
        let request = app.http.patch(app.url(&path)).bearer_auth(&t).json(&json!({"user_metadata": {format!("k{i}"): i}}));
        writes.spawn(async move { request.send().await.map(|r| r.status()) });
    }
    while let Some(result) = writes.join_next().await {
        assert_eq!(result.expect("task").expect("request"), StatusCode::OK);
    }
    let (_, user) = call(&app, reqwest::Method::GET, &path, &t, None).await;
    for i in 0..20 {
        assert_eq!(user["user_metadata"][format!("k{i}")], json!(i));
    }
    app.stop().await;
}
