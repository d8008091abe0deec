//! Bulk import and export jobs.

use std::io::Read;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{json_of, spawn_app, TestApp};

async fn token(app: &TestApp, scope: &str) -> String {
    let body = app.mint(json!({"audience": format!("{}api/v2/", app.base), "scope": scope})).await;
    body["token"].as_str().expect("token").to_string()
}

/// The default connection's id, pinned in `seed-data/tenant.json`.
const CONNECTION_ID: &str = "con_UsernamePwdAuth0";

async fn import(app: &TestApp, t: &str, connection_id: &str, users: &Value, upsert: bool) -> (StatusCode, Value) {
    let form = reqwest::multipart::Form::new()
        .part("users", reqwest::multipart::Part::bytes(users.to_string().into_bytes()).file_name("users.json").mime_str("application/json").expect("mime"))
        .text("connection_id", connection_id.to_string())
        .text("upsert", upsert.to_string());
    json_of(app.http.post(app.url("/api/v2/jobs/users-imports")).bearer_auth(t).multipart(form).send().await.expect("req")).await
}

#[tokio::test]
async fn an_import_reports_inserted_failed_and_upserted_users_and_imported_passwords_work() {
    let app = spawn_app().await;
    let t = token(&app, "create:users read:users").await;
    let con = CONNECTION_ID;
    let users = json!([
        {"email": "imported@example.com", "email_verified": true, "password_hash": "$2b$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K", "user_metadata": {"from": "import"}},
        {"email": "not-an-email"},
        {"email": "jane@example.com", "given_name": "Janet"}
    ]);
    let (status, job) = import(&app, &t, con, &users, false).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    assert_eq!((job["type"].as_str(), job["status"].as_str(), job["connection"].as_str()), (Some("users_import"), Some("pending"), Some("Username-Password-Authentication")));
    let id = job["id"].as_str().expect("id");
    assert!(id.starts_with("job_") && id.len() == 20);
    let (_, done) = json_of(app.http.get(app.url(&format!("/api/v2/jobs/{id}"))).bearer_auth(&t).send().await.expect("req")).await;
    assert_eq!(done["status"], "completed");
    assert_eq!(done["summary"], json!({"failed": 2, "updated": 0, "inserted": 1, "total": 3}));
    let (_, errors) = json_of(app.http.get(app.url(&format!("/api/v2/jobs/{id}/errors"))).bearer_auth(&t).send().await.expect("req")).await;
    assert_eq!(errors[0]["user"], users[1]);
    assert_eq!(errors[0]["errors"][0]["code"], "FORMAT");
    assert_eq!(errors[1]["errors"][0], json!({"code": "DUPLICATED_USER", "message": "The user already exist and upsert parameter is false"}));
    // The imported bcrypt password logs in.
    let (status, _) = app.post("/oauth/token", json!({"grant_type": "http://auth0.com/oauth/grant-type/password-realm", "client_id": "web-client", "client_secret": "web-client-secret",
        "username": "imported@example.com", "password": "hello", "realm": "Username-Password-Authentication"})).await;
    assert_eq!(status, StatusCode::OK);
    // With upsert the existing user's upsertable attributes change.
    let (_, job) = import(&app, &t, con, &json!([{"email": "jane@example.com", "given_name": "Janet"}]), true).await;
    let (_, done) = json_of(app.http.get(app.url(&format!("/api/v2/jobs/{}", job["id"].as_str().expect("id")))).bearer_auth(&t).send().await.expect("req")).await;
    assert_eq!(done["summary"], json!({"failed": 0, "updated": 1, "inserted": 0, "total": 1}));
    let no_errors = app.http.get(app.url(&format!("/api/v2/jobs/{}/errors", job["id"].as_str().expect("id")))).bearer_auth(&t).send().await.expect("req");
    assert_eq!(no_errors.status(), StatusCode::NO_CONTENT);
    app.stop().await;
}

#[tokio::test]
async fn import_refuses_missing_parts_and_unknown_connections() {
    let app = spawn_app().await;
    let t = token(&app, "create:users").await;
    let (status, body) = import(&app, &t, "con_nope", &json!([]), false).await;
    assert_eq!((status, body["message"].as_str()), (StatusCode::BAD_REQUEST, Some("The connection does not exist.")));
    let form = reqwest::multipart::Form::new().text("connection_id", "con_x");
    let (status, body) = json_of(app.http.post(app.url("/api/v2/jobs/users-imports")).bearer_auth(&t).multipart(form).send().await.expect("req")).await;
    assert_eq!((status, body["message"].as_str()), (StatusCode::BAD_REQUEST, Some("Must provide 'users' file as multipart part.")));
    app.stop().await;
}

#[tokio::test]
async fn an_export_is_a_gzipped_ndjson_file_at_the_jobs_location() {
    let app = spawn_app().await;
    let t = token(&app, "read:users").await;
    let request = json!({"format": "json", "fields": [{"name": "email"}, {"name": "user_metadata.hobby", "export_as": "hobby"}]});
    let (status, job) = json_of(app.http.post(app.url("/api/v2/jobs/users-exports")).bearer_auth(&t).json(&request).send().await.expect("req")).await;
    assert_eq!(status, StatusCode::OK, "{job}");
    let (_, done) = json_of(app.http.get(app.url(&format!("/api/v2/jobs/{}", job["id"].as_str().expect("id")))).bearer_auth(&t).send().await.expect("req")).await;
    let location = done["location"].as_str().expect("location");
    assert!(location.starts_with(&app.base));
    let gz = app.http.get(location).send().await.expect("download").bytes().await.expect("bytes");
    let mut text = String::new();
    flate2::read::GzDecoder::new(&gz[..]).read_to_string(&mut text).expect("gunzip");
    let lines: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).expect("ndjson")).collect();
    assert_eq!(lines.len(), 3);
    assert!(lines.contains(&json!({"email": "jane@example.com", "hobby": "surfing"})), "{lines:?}");
    let csv = json!({"format": "csv", "fields": [{"name": "email"}, {"name": "name", "export_as": "Full name"}]});
    let (_, job) = json_of(app.http.post(app.url("/api/v2/jobs/users-exports")).bearer_auth(&t).json(&csv).send().await.expect("req")).await;
    let gz = app.http.get(job["location"].as_str().expect("location")).send().await.expect("download").bytes().await.expect("bytes");
    let mut text = String::new();
    flate2::read::GzDecoder::new(&gz[..]).read_to_string(&mut text).expect("gunzip");
    assert!(text.starts_with("email,Full name\n"), "{text}");
    assert!(text.contains("jane@example.com,Jane Doe\n"), "{text}");
    app.stop().await;
}
