use jsonwebtoken::{Algorithm, Validation};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_with, test_config, T0};

fn validation(issuer: &str, audience: &str) -> Validation {
    let mut v = Validation::new(Algorithm::RS256);
    v.set_issuer(&[issuer]);
    v.set_audience(&[audience]);
    v
}

#[tokio::test]
async fn a_minted_access_token_verifies_with_the_published_jwks() {
    let app = spawn_app().await;
    let body = app.mint(json!({"sub": "auth0|abc", "audience": "https://api.example.test/", "scope": "read:things", "expires_in": "1h"})).await;
    assert_eq!(body["expires_in"], 3600);
    let token = body["token"].as_str().expect("token");
    let (kid, key) = app.jwks_key().await;
    assert_eq!(jsonwebtoken::decode_header(token).expect("header").kid.as_deref(), Some(kid.as_str()));
    let mut v = validation(&app.base, "https://api.example.test/");
    v.validate_exp = false; // the token was minted at the frozen test clock's instant, far in the past
    let claims = jsonwebtoken::decode::<Value>(token, &key, &v).expect("verifies").claims;
    assert_eq!(
        claims,
        json!({"iss": app.base, "sub": "auth0|abc", "aud": "https://api.example.test/", "iat": T0, "exp": T0 + 3600,
               "scope": "read:things", "azp": "m2m-client"})
    );
    app.stop().await;
}

#[tokio::test]
async fn the_default_token_is_a_management_api_token_for_the_m2m_client() {
    let app = spawn_app().await;
    let body = app.mint(json!({})).await;
    assert_eq!(body["claims"]["aud"], json!(format!("{}api/v2/", app.base)));
    assert_eq!(body["claims"]["sub"], "m2m-client@clients");
    assert_eq!(body["claims"]["exp"], T0 + 86_400);
    app.stop().await;
}

#[tokio::test]
async fn an_id_token_for_a_seeded_user_carries_the_profile_and_names_the_client() {
    let app = spawn_app().await;
    let body = app.mint(json!({"kind": "id", "sub": "auth0|0123456789abcdef01234567", "client_id": "spa-client"})).await;
    let claims = &body["claims"];
    assert_eq!(claims["aud"], "spa-client");
    assert_eq!(claims["email"], "jane@example.com");
    assert_eq!(claims["name"], "Jane Doe");
    assert_eq!(claims["exp"], T0 + 36_000);
    let (status, err) = app.post("/__emulator/tokens", json!({"kind": "id"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err["error"], "bad_request");
    app.stop().await;
}

#[tokio::test]
async fn an_expired_or_foreign_signed_token_fails_verification() {
    let app = spawn_app().await;
    let (_, key) = app.jwks_key().await;
    // Move the clock to now so exp checks against real time are meaningful for these two tokens.
    let (_, clock) = app.post("/__emulator/clock", json!({"reset": true})).await;
    assert_eq!(clock["frozen"], false);
    let expired = app.mint(json!({"expires_in": "-1h"})).await;
    let err = jsonwebtoken::decode::<Value>(expired["token"].as_str().expect("t"), &key, &validation(&app.base, &format!("{}api/v2/", app.base)))
        .expect_err("expired");
    assert_eq!(err.kind(), &jsonwebtoken::errors::ErrorKind::ExpiredSignature);

    let foreign = app.mint(json!({"signing": "foreign"})).await;
    let token = foreign["token"].as_str().expect("t");
    let (kid, _) = app.jwks_key().await;
    assert_eq!(jsonwebtoken::decode_header(token).expect("header").kid, Some(kid), "a foreign token still names the tenant kid");
    let err = jsonwebtoken::decode::<Value>(token, &key, &validation(&app.base, &format!("{}api/v2/", app.base))).expect_err("foreign");
    assert_eq!(err.kind(), &jsonwebtoken::errors::ErrorKind::InvalidSignature);
    app.stop().await;
}

#[tokio::test]
async fn freezing_and_advancing_the_clock_moves_iat_and_exp() {
    let app = spawn_app().await;
    let (status, clock) = app.get("/__emulator/clock").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(clock, json!({"now": "2023-11-14T22:13:20.000Z", "now_ms": 1_700_000_000_000_i64, "frozen": true, "offset_ms": clock["offset_ms"]}));
    let (_, clock) = app.post("/__emulator/clock", json!({"advance": "2h"})).await;
    assert_eq!(clock["now"], "2023-11-15T00:13:20.000Z");
    let token = app.mint(json!({"expires_in": 60})).await;
    assert_eq!(token["claims"]["iat"], T0 + 7200);
    assert_eq!(token["claims"]["exp"], T0 + 7260);
    let (_, clock) = app.post("/__emulator/clock", json!({"set": "2030-01-01T00:00:00Z", "advance": 30})).await;
    assert_eq!(clock["now"], "2030-01-01T00:00:30.000Z");
    let (status, err) = app.post("/__emulator/clock", json!({"advance": "soon"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(err["message"].as_str().is_some_and(|m| m.contains("soon")), "{err}");
    app.stop().await;
}

#[tokio::test]
async fn health_and_the_ca_are_served() {
    let app = spawn_app().await;
    let (status, health) = app.get("/__emulator/health").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(health["status"], "ok");
    assert_eq!(health["users"], 3);
    assert_eq!(health["random_seed"], 42);
    let pem = app.http.get(app.url("/__emulator/ca.pem")).send().await.expect("ca").text().await.expect("text");
    assert_eq!(pem, app.ca_pem);
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
    let (status, reset) = app.post("/__emulator/reset", json!({})).await;
    assert_eq!((status, reset), (StatusCode::OK, json!({"status": "reset", "users": 3})));
    app.stop().await;
}

#[tokio::test]
async fn an_admin_token_guards_the_control_api_but_not_health() {
    let mut config = test_config();
    config.admin_token = Some("s3cret".into());
    let app = spawn_with(config).await;
    let (status, err) = app.post("/__emulator/tokens", json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(err["error"], "unauthorized");
    let ok = app.http.post(app.url("/__emulator/tokens")).bearer_auth("s3cret").json(&json!({})).send().await.expect("req");
    assert_eq!(ok.status(), StatusCode::OK);
    let wrong = app.http.post(app.url("/__emulator/tokens")).bearer_auth("nope").json(&json!({})).send().await.expect("req");
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let (status, _) = app.get("/__emulator/health").await;
    assert_eq!(status, StatusCode::OK);
    app.stop().await;
}
