//! Management API roles: CRUD and errors, role permissions checked against the API's scopes,
//! role members with offset and checkpoint pages, a user's roles and direct permissions, and
//! how each change reaches the `permissions` claim of the next token.

use base64::Engine;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{call, mgmt_token as token, spawn_app, TestApp};

const JANE: &str = "auth0|0123456789abcdef01234567";
const JOHN: &str = "auth0|0123456789abcdef01234568";
const BLOCKED: &str = "auth0|0123456789abcdef01234569";
const API: &str = "https://api.example.test/";
const ALL: &str = "read:roles create:roles update:roles delete:roles read:users update:users";

fn encoded(id: &str) -> String {
    url::form_urlencoded::byte_serialize(id.as_bytes()).collect()
}

/// The id of a seeded role (seeded ids come from the random seed).
async fn role_id(app: &TestApp, bearer: &str, name: &str) -> String {
    let (_, roles) = call(app, Method::GET, &format!("/api/v2/roles?name_filter={name}"), bearer, None).await;
    roles[0]["id"].as_str().expect("role id").to_string()
}

/// The `permissions` claim of a fresh password-realm token for `user` on the example API.
async fn permissions_claim(app: &TestApp, user: &str, scope: Option<&str>) -> Value {
    let mut body = json!({"grant_type": "http://auth0.com/oauth/grant-type/password-realm", "client_id": "web-client",
        "client_secret": "web-client-secret", "username": user, "password": "Passw0rd!",
        "realm": "Username-Password-Authentication", "audience": API});
    if let Some(scope) = scope {
        body["scope"] = scope.into();
    }
    let (status, tokens) = app.post("/oauth/token", body).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let payload = tokens["access_token"].as_str().expect("at").split('.').nth(1).expect("payload").to_string();
    let claims: Value = serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).expect("b64")).expect("json");
    claims["permissions"].clone()
}

#[tokio::test]
async fn roles_are_created_read_renamed_listed_and_deleted() {
    let app = spawn_app().await;
    let t = token(&app, ALL).await;
    let (status, role) = call(&app, Method::POST, "/api/v2/roles", &t, Some(json!({"name": "Editor", "description": "Edits things"}))).await;
    assert_eq!(status, StatusCode::OK, "Auth0 answers 200 to a role create: {role}");
    let id = role["id"].as_str().expect("id").to_string();
    assert!(id.starts_with("rol_") && id.len() == 20 && id[4..].bytes().all(|b| b.is_ascii_alphanumeric()), "{id}");
    assert_eq!(role, json!({"id": id, "name": "Editor", "description": "Edits things"}));

    let (status, body) = call(&app, Method::POST, "/api/v2/roles", &t, Some(json!({"name": "Editor"}))).await;
    assert_eq!((status, body), (StatusCode::CONFLICT, json!({"statusCode": 409, "error": "Conflict", "message": "The role already exists."})));

    let (_, renamed) = call(&app, Method::PATCH, &format!("/api/v2/roles/{id}"), &t, Some(json!({"description": "The Editor"}))).await;
    assert_eq!(renamed, json!({"id": id, "name": "Editor", "description": "The Editor"}));
    let (_, got) = call(&app, Method::GET, &format!("/api/v2/roles/{id}"), &t, None).await;
    assert_eq!(got, renamed);

    let (_, page) = call(&app, Method::GET, "/api/v2/roles?name_filter=EDIT&include_totals=true&per_page=10", &t, None).await;
    assert_eq!(page, json!({"roles": [renamed], "start": 0, "limit": 10, "total": 1}));
    let (_, all) = call(&app, Method::GET, "/api/v2/roles", &t, None).await;
    let names: Vec<&str> = all.as_array().expect("bare array without include_totals").iter().filter_map(|r| r["name"].as_str()).collect();
    assert_eq!(names, ["admin", "reader", "Editor"]);

    let (status, body) = call(&app, Method::DELETE, &format!("/api/v2/roles/{id}"), &t, None).await;
    assert_eq!((status, body), (StatusCode::OK, json!({})));
    let missing = json!({"statusCode": 404, "error": "Not Found", "message": "The role does not exist."});
    let (status, body) = call(&app, Method::GET, &format!("/api/v2/roles/{id}"), &t, None).await;
    assert_eq!((status, body), (StatusCode::NOT_FOUND, missing.clone()));
    let (status, body) = call(&app, Method::DELETE, &format!("/api/v2/roles/{id}"), &t, None).await;
    assert_eq!((status, body), (StatusCode::NOT_FOUND, missing));
    app.stop().await;
}

#[tokio::test]
async fn role_requests_are_validated_and_scoped_like_auth0s() {
    let app = spawn_app().await;
    let t = token(&app, ALL).await;
    let (status, body) = call(&app, Method::POST, "/api/v2/roles", &t, Some(json!({"description": "no name"}))).await;
    assert_eq!((status, body), (StatusCode::BAD_REQUEST, json!({"statusCode": 400, "error": "Bad Request",
        "message": "Payload validation error: 'Missing required property: name'.", "errorCode": "invalid_body"})));
    let (status, body) = call(&app, Method::POST, "/api/v2/roles", &t, Some(json!({"name": "x", "permissions": []}))).await;
    assert_eq!((status, body["message"].as_str()), (StatusCode::BAD_REQUEST, Some("Payload validation error: 'Additional properties not allowed: permissions'.")));
    let (status, body) = call(&app, Method::GET, "/api/v2/roles?per_page=101", &t, None).await;
    assert_eq!((status, body["errorCode"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_query_string")));

    let reader = token(&app, "read:roles").await;
    let (status, body) = call(&app, Method::POST, "/api/v2/roles", &reader, Some(json!({"name": "x"}))).await;
    assert_eq!((status, body), (StatusCode::FORBIDDEN, json!({"statusCode": 403, "error": "Forbidden",
        "message": "Insufficient scope, expected any of: create:roles", "errorCode": "insufficient_scope"})));
    let admin = role_id(&app, &reader, "admin").await;
    let (status, body) = call(&app, Method::GET, &format!("/api/v2/roles/{admin}/users"), &reader, None).await;
    assert_eq!((status, body), (StatusCode::FORBIDDEN, json!({"statusCode": 403, "error": "Forbidden",
        "message": "Insufficient scope, expected all of: read:users,read:roles", "errorCode": "insufficient_scope"})));
    let (status, _) = call(&app, Method::GET, &format!("/api/v2/users/{}/roles", encoded(JANE)), &reader, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    app.stop().await;
}

#[tokio::test]
async fn assigning_a_role_changes_the_permissions_claim_of_the_next_token() {
    let app = spawn_app().await;
    let t = token(&app, ALL).await;
    assert_eq!(permissions_claim(&app, "john@example.com", None).await, json!(["read:things"]));
    let admin = role_id(&app, &t, "admin").await;
    let roles_path = format!("/api/v2/users/{}/roles", encoded(JOHN));

    let (status, _) = call(&app, Method::POST, &roles_path, &t, Some(json!({"roles": [admin]}))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(permissions_claim(&app, "john@example.com", None).await, json!(["read:things", "write:things"]));
    let (_, roles) = call(&app, Method::GET, &format!("{roles_path}?include_totals=true"), &t, None).await;
    let reader = role_id(&app, &t, "reader").await;
    assert_eq!(roles, json!({"roles": [
        {"id": admin, "name": "admin", "description": "Reads and writes things"},
        {"id": reader, "name": "reader", "description": "Reads things"}], "start": 0, "limit": 50, "total": 2}));

    let (status, _) = call(&app, Method::DELETE, &roles_path, &t, Some(json!({"roles": [admin, reader]}))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(permissions_claim(&app, "john@example.com", None).await, json!([]));

    let (status, body) = call(&app, Method::POST, &roles_path, &t, Some(json!({"roles": ["rol_doesnotexist0000"]}))).await;
    assert_eq!((status, body["message"].as_str()), (StatusCode::NOT_FOUND, Some("The role does not exist.")));
    let (status, body) = call(&app, Method::POST, "/api/v2/users/auth0%7Cnobody/roles", &t, Some(json!({"roles": [admin]}))).await;
    assert_eq!((status, body["errorCode"].as_str()), (StatusCode::NOT_FOUND, Some("inexistent_user")));
    app.stop().await;
}

#[tokio::test]
async fn deleting_a_role_takes_its_permissions_from_its_users() {
    let app = spawn_app().await;
    let t = token(&app, ALL).await;
    let admin = role_id(&app, &t, "admin").await;
    assert_eq!(permissions_claim(&app, "jane@example.com", None).await, json!(["read:things", "write:things"]));
    call(&app, Method::DELETE, &format!("/api/v2/roles/{admin}"), &t, None).await;
    assert_eq!(permissions_claim(&app, "jane@example.com", None).await, json!([]));
    let (_, roles) = call(&app, Method::GET, &format!("/api/v2/users/{}/roles", encoded(JANE)), &t, None).await;
    assert_eq!(roles, json!([]));
    app.stop().await;
}

#[tokio::test]
async fn role_permissions_must_be_scopes_of_an_existing_api() {
    let app = spawn_app().await;
    let t = token(&app, ALL).await;
    let (_, role) = call(&app, Method::POST, "/api/v2/roles", &t, Some(json!({"name": "writer"}))).await;
    let path = format!("/api/v2/roles/{}/permissions", role["id"].as_str().expect("id"));
    let write = json!({"permissions": [{"resource_server_identifier": API, "permission_name": "write:things"}]});
    let (status, body) = call(&app, Method::POST, &path, &t, Some(write.clone())).await;
    assert_eq!((status, body), (StatusCode::CREATED, json!({})));
    let (_, page) = call(&app, Method::GET, &format!("{path}?include_totals=true&per_page=50"), &t, None).await;
    assert_eq!(page, json!({"permissions": [{"permission_name": "write:things", "description": "Write things",
        "resource_server_name": "Example API", "resource_server_identifier": API}], "start": 0, "limit": 50, "total": 1}));

    let (status, body) = call(&app, Method::POST, &path, &t, Some(json!({"permissions": [{"resource_server_identifier": "https://nope/", "permission_name": "x"}]}))).await;
    assert_eq!((status, body), (StatusCode::NOT_FOUND, json!({"statusCode": 404, "error": "Not Found",
        "message": "The resource server does not exist: 'https://nope/'", "errorCode": "inexistent_resource_server"})));
    let (status, body) = call(&app, Method::POST, &path, &t, Some(json!({"permissions": [{"resource_server_identifier": API, "permission_name": "fly:things"}]}))).await;
    assert_eq!((status, body["errorCode"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_body")));
    let (status, body) = call(&app, Method::POST, &path, &t, Some(json!({"permissions": []}))).await;
    assert_eq!((status, body["message"].as_str()), (StatusCode::BAD_REQUEST, Some("Payload validation error: 'Array is too short (0), minimum 1' on property permissions.")));

    let (status, _) = call(&app, Method::DELETE, &path, &t, Some(write)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, page) = call(&app, Method::GET, &path, &t, None).await;
    assert_eq!(page, json!([]));
    app.stop().await;
}

#[tokio::test]
async fn direct_user_permissions_show_their_source_and_reach_tokens() {
    let app = spawn_app().await;
    let t = token(&app, ALL).await;
    let path = format!("/api/v2/users/{}/permissions", encoded(JOHN));
    let write = json!({"permissions": [{"resource_server_identifier": API, "permission_name": "write:things"}]});
    let (status, body) = call(&app, Method::POST, &path, &t, Some(write.clone())).await;
    assert_eq!((status, body), (StatusCode::CREATED, json!({})));

    let reader = role_id(&app, &t, "reader").await;
    let (_, page) = call(&app, Method::GET, &format!("{path}?include_totals=true"), &t, None).await;
    assert_eq!(page, json!({"permissions": [
        {"permission_name": "read:things", "description": "Read things", "resource_server_name": "Example API", "resource_server_identifier": API,
         "sources": [{"source_id": reader, "source_name": "reader", "source_type": "ROLE"}]},
        {"permission_name": "write:things", "description": "Write things", "resource_server_name": "Example API", "resource_server_identifier": API,
         "sources": [{"source_id": "", "source_name": "", "source_type": "DIRECT"}]}], "start": 0, "limit": 50, "total": 2}));
    assert_eq!(permissions_claim(&app, "john@example.com", Some("read:things write:things")).await, json!(["write:things", "read:things"]));

    let (status, _) = call(&app, Method::DELETE, &path, &t, Some(write)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(permissions_claim(&app, "john@example.com", None).await, json!(["read:things"]));
    let (status, body) = call(&app, Method::GET, "/api/v2/users/auth0%7Cnobody/permissions", &t, None).await;
    assert_eq!((status, body["message"].as_str()), (StatusCode::NOT_FOUND, Some("The user does not exist.")));
    app.stop().await;
}

#[tokio::test]
async fn checkpoint_pages_walk_role_members_and_the_last_page_has_no_next() {
    let app = spawn_app().await;
    let t = token(&app, ALL).await;
    let (_, role) = call(&app, Method::POST, "/api/v2/roles", &t, Some(json!({"name": "everyone"}))).await;
    let users = format!("/api/v2/roles/{}/users", role["id"].as_str().expect("id"));
    let (status, body) = call(&app, Method::POST, &users, &t, Some(json!({"users": [JOHN, BLOCKED, JANE]}))).await;
    assert_eq!((status, body), (StatusCode::OK, json!({})));

    let (_, first) = call(&app, Method::GET, &format!("{users}?take=2&include_totals=true"), &t, None).await;
    let ids: Vec<&str> = first["users"].as_array().expect("users").iter().filter_map(|u| u["user_id"].as_str()).collect();
    assert_eq!(ids, [JANE, JOHN], "ordered by user id");
    assert_eq!(first["users"][0]["name"], "Jane Doe");
    assert_eq!(first["users"][0]["email"], "jane@example.com");
    assert!(first["users"][0]["picture"].as_str().is_some_and(|p| p.starts_with("https://s.gravatar.com/avatar/")));
    assert!(first.get("total").is_none(), "include_totals is ignored on checkpoint pages: {first}");
    let next = first["next"].as_str().expect("next");

    let (_, last) = call(&app, Method::GET, &format!("{users}?take=2&from={next}"), &t, None).await;
    let keys: Vec<&String> = last.as_object().expect("object").keys().collect();
    assert_eq!(keys, ["users"], "the last page has no next");
    assert_eq!(last["users"][0]["user_id"], BLOCKED);

    let (_, offset) = call(&app, Method::GET, &format!("{users}?per_page=2&page=1&include_totals=true"), &t, None).await;
    assert_eq!((offset["start"].as_u64(), offset["limit"].as_u64(), offset["total"].as_u64()), (Some(2), Some(2), Some(3)));
    assert_eq!(offset["users"], last["users"]);

    let (status, body) = call(&app, Method::POST, &users, &t, Some(json!({"users": ["auth0|nobody"]}))).await;
    assert_eq!((status, body["message"].as_str()), (StatusCode::NOT_FOUND, Some("One or more of the users do not exist.")));
    let (status, body) = call(&app, Method::GET, &format!("{users}?from=%25%25"), &t, None).await;
    assert_eq!((status, body["errorCode"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_query_string")));
    app.stop().await;
}
