//! The request journal: entries, filters, counts, clearing, and the anti-pattern report.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{call, mgmt_token, spawn_app, TestApp, T0_MS};

const API: &str = "https://api.example.test/";
const REALM: &str = "http://auth0.com/oauth/grant-type/password-realm";

async fn requests(app: &TestApp, query: &str) -> Vec<Value> {
    let (status, body) = app.get(&format!("/__emulator/requests{query}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["requests"].as_array().expect("requests").clone()
}

async fn count(app: &TestApp, query: &str) -> u64 {
    let (status, body) = app.get(&format!("/__emulator/requests/count{query}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["count"].as_u64().expect("count")
}

async fn client_credentials(app: &TestApp, audience: &str) -> StatusCode {
    let form = [("grant_type", "client_credentials"), ("client_id", "m2m-client"), ("client_secret", "m2m-client-secret"), ("audience", audience)];
    app.http.post(app.url("/oauth/token")).form(&form).send().await.expect("request").status()
}

async fn jane_login(app: &TestApp) -> StatusCode {
    let body = json!({"grant_type": REALM, "client_id": "web-client", "client_secret": "web-client-secret",
                      "username": "jane@example.com", "password": "Passw0rd!", "realm": "Username-Password-Authentication"});
    app.post("/oauth/token", body).await.0
}

#[tokio::test]
async fn token_calls_are_recorded_with_client_grant_audience_and_user() {
    let app = spawn_app().await;
    assert_eq!(client_credentials(&app, API).await, StatusCode::OK);
    assert_eq!(jane_login(&app).await, StatusCode::OK);
    let entries = requests(&app, "?endpoint=token").await;
    assert_eq!(entries.len(), 2);
    let mut first = entries[0].clone();
    assert!(first["latency_ms"].is_u64());
    first.as_object_mut().expect("object").remove("latency_ms");
    assert_eq!(
        first,
        json!({"seq": 1, "time": "2023-11-14T22:13:20.000Z", "method": "POST", "path": "/oauth/token", "endpoint": "token",
               "client_id": "m2m-client", "grant_type": "client_credentials", "audience": API, "status": 200})
    );
    assert_eq!(
        (entries[1]["client_id"].as_str(), entries[1]["grant_type"].as_str(), entries[1]["user"].as_str()),
        (Some("web-client"), Some(REALM), Some("jane@example.com"))
    );
    assert_eq!(count(&app, "?endpoint=token&client_id=m2m-client").await, 1);
    assert_eq!(count(&app, "?endpoint=token&grant_type=*password-realm&user=JANE@example.com").await, 1);
    app.stop().await;
}

#[tokio::test]
async fn filters_combine_and_the_control_api_is_not_recorded() {
    let app = spawn_app().await;
    let token = mgmt_token(&app, "read:users").await;
    call(&app, reqwest::Method::GET, "/api/v2/users", &token, None).await;
    call(&app, reqwest::Method::GET, "/api/v2/users/auth0%7Cnobody", &token, None).await;
    app.get("/.well-known/jwks.json").await;
    app.get("/nowhere").await;
    assert_eq!(count(&app, "").await, 4, "the control API calls (mint, these queries) are not journaled");
    assert_eq!(count(&app, "?endpoint=mgmt.users.*").await, 2);
    assert_eq!(count(&app, "?endpoint=mgmt.users.get&status=404").await, 1);
    assert_eq!(count(&app, "?status=4xx").await, 2);
    assert_eq!(count(&app, "?method=get&path=/api/v2/*").await, 2);
    assert_eq!(count(&app, "?client_id=m2m-client").await, 2, "a bearer token's azp names the client");
    let unrouted = requests(&app, "?path=/nowhere").await;
    assert!(unrouted[0].get("endpoint").is_none(), "{unrouted:?}");
    app.post("/__emulator/clock", json!({"advance": "1h"})).await;
    app.get("/.well-known/jwks.json").await;
    assert_eq!(count(&app, &format!("?since={}", T0_MS + 1)).await, 1);
    assert_eq!(count(&app, "?since=2023-11-14T23:13:20Z").await, 1);
    let (status, body) = app.get("/__emulator/requests?colour=red").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["message"], "unknown query parameter \"colour\" (use endpoint, method, path, client_id, grant_type, user, status, fault, since)");
    let (status, _) = app.get("/__emulator/requests/count?status=abc").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    app.stop().await;
}

#[tokio::test]
async fn faults_and_delays_are_recorded_and_filterable() {
    let app = spawn_app().await;
    app.post("/__emulator/faults", json!("id=slow,endpoint=jwks,latency=1ms")).await;
    app.post("/__emulator/faults", json!("id=cut,endpoint=userinfo,close")).await;
    app.get("/.well-known/jwks.json").await;
    let cut = app.http.get(app.url("/userinfo")).send().await;
    assert!(cut.is_err());
    let slow = requests(&app, "?fault=slow").await;
    assert_eq!((slow.len(), slow[0]["delay_ms"].as_u64(), slow[0]["faults"].clone()), (1, Some(1), json!(["slow"])));
    let cut = requests(&app, "?fault=cut").await;
    assert_eq!(cut.len(), 1);
    assert_eq!((cut[0].get("status"), cut[0]["connection_fault"].as_str()), (None, Some("close")));
    app.stop().await;
}

#[tokio::test]
async fn delete_empties_the_journal() {
    let app = spawn_app().await;
    app.get("/.well-known/jwks.json").await;
    let response = app.http.delete(app.url("/__emulator/requests")).send().await.expect("delete");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(count(&app, "").await, 0);
    app.get("/.well-known/jwks.json").await;
    assert_eq!(requests(&app, "").await[0]["seq"], 2, "sequence numbers are never reused");
    app.stop().await;
}

#[tokio::test]
async fn the_report_flags_a_token_per_call_and_management_calls_on_every_login() {
    let app = spawn_app().await;
    let (_, clean) = app.get("/__emulator/requests/report").await;
    assert_eq!(clean, json!({"requests": 0, "findings": []}));
    for _ in 0..4 {
        assert_eq!(client_credentials(&app, API).await, StatusCode::OK);
    }
    let token = mgmt_token(&app, "read:users").await;
    for _ in 0..3 {
        assert_eq!(jane_login(&app).await, StatusCode::OK);
        call(&app, reqwest::Method::GET, "/api/v2/users-by-email?email=jane@example.com", &token, None).await;
    }
    let (status, report) = app.get("/__emulator/requests/report").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        report,
        json!({"requests": 10, "findings": [
            {"kind": "m2m_token_per_call", "client_id": "m2m-client", "audience": API, "count": 4, "token_lifetime": 86400,
             "message": "4 client_credentials exchanges for client m2m-client and https://api.example.test/ within one token lifetime (86400 s): cache the access token until it expires instead of fetching one per call"},
            {"kind": "management_api_on_login", "logins": 3, "followed_by_management_calls": 3,
             "message": "3 of 3 logins were followed by a Management API call: read profile data from the ID token or add it with a post-login Action instead of calling the Management API on every login (its rate limits are per tenant)"}
        ]})
    );
    app.stop().await;
}

#[tokio::test]
async fn tokens_fetched_a_lifetime_apart_are_not_flagged() {
    let app = spawn_app().await;
    for _ in 0..3 {
        assert_eq!(client_credentials(&app, API).await, StatusCode::OK);
        app.post("/__emulator/clock", json!({"advance": "25h"})).await;
    }
    let (_, report) = app.get("/__emulator/requests/report").await;
    assert_eq!(report["findings"], json!([]));
    app.stop().await;
}
