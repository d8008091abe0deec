//! Bad input never yields a 500 or a plain-text body: each surface answers with its own error shape.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{json_of, spawn_app};

#[tokio::test]
async fn unknown_routes_answer_in_each_surfaces_error_shape() {
    let app = spawn_app().await;
    let (status, body) = app.get("/no/such/thing").await;
    assert_eq!((status, body), (StatusCode::NOT_FOUND, json!({"error": "not_found", "error_description": "Not Found"})));
    let (status, body) = app.get("/api/v2/nothing-here").await;
    assert_eq!((status, body), (StatusCode::NOT_FOUND, json!({"statusCode": 404, "error": "Not Found", "message": "Not Found"})));
    let (status, body) = app.get("/__emulator/nothing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], "not_found");
    app.stop().await;
}

#[tokio::test]
async fn a_wrong_method_is_a_405_with_a_json_body() {
    let app = spawn_app().await;
    let response = app.http.delete(app.url("/.well-known/jwks.json")).send().await.expect("req");
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["error"], "method_not_allowed");
    app.stop().await;
}

#[tokio::test]
async fn malformed_or_mistyped_json_is_a_400_with_the_control_error_body() {
    let app = spawn_app().await;
    let cases = [
        ("{not json", "application/json", StatusCode::BAD_REQUEST),
        ("{\"expires_in\": {}}", "application/json", StatusCode::BAD_REQUEST),
        ("{\"surprise\": 1}", "application/json", StatusCode::BAD_REQUEST),
        ("[1,2,3]", "application/json", StatusCode::BAD_REQUEST),
        ("\u{feff}{}", "application/json", StatusCode::BAD_REQUEST),
        ("{}", "text/plain", StatusCode::UNSUPPORTED_MEDIA_TYPE),
        ("{\"claims\": {\"n\": 1e999999}}", "application/json", StatusCode::BAD_REQUEST),
    ];
    for (body, content_type, expected) in cases {
        let response = app
            .http
            .post(app.url("/__emulator/tokens"))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("req");
        let (status, err) = json_of(response).await;
        assert_eq!(status, expected, "{body}: {err}");
        assert!(err["error"].is_string() && err["message"].is_string(), "{body}: {err}");
    }
    // After all that, the server still serves.
    let (status, _) = app.get("/__emulator/health").await;
    assert_eq!(status, StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn a_body_over_one_megabyte_is_a_413_with_a_json_body() {
    let app = spawn_app().await;
    let huge = format!("{{\"claims\": {{\"blob\": \"{}\"}}}}", "x".repeat(2 * 1024 * 1024));
    let response = app
        .http
        .post(app.url("/__emulator/tokens"))
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .expect("req");
    let (status, err) = json_of(response).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(err["error"], "payload_too_large");
    app.stop().await;
}

#[tokio::test]
async fn management_bodies_over_one_megabyte_and_malformed_json_get_management_errors() {
    let app = spawn_app().await;
    let t = crate::helpers::mgmt_token(&app, "create:users").await;
    let huge = format!("{{\"connection\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
    let response = app.http.post(app.url("/api/v2/users")).bearer_auth(&t).header("content-type", "application/json").body(huge).send().await.expect("req");
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body["statusCode"], 413);
    let response = app.http.post(app.url("/api/v2/users")).bearer_auth(&t).header("content-type", "application/json").body("{\"connection\": ").send().await.expect("req");
    let (status, body) = json_of(response).await;
    assert_eq!((status, body), (StatusCode::BAD_REQUEST, json!({"statusCode": 400, "error": "Bad Request", "message": "Invalid request payload JSON format"})));
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let response = app.http.post(app.url("/api/v2/users")).bearer_auth(&t).header("content-type", "application/json").body(deep).send().await.expect("req");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    app.stop().await;
}
