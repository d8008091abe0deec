//! `POST /oauth/token`, `/userinfo` and `/oauth/revoke`: every grant, Auth0's error texts, CORS.

use base64::Engine;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{call, json_of, mgmt_token, spawn_app, TestApp, T0};

const REALM: &str = "http://auth0.com/oauth/grant-type/password-realm";
const API: &str = "https://api.example.test/";

fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).expect("payload");
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).expect("b64")).expect("json")
}

async fn token(app: &TestApp, body: Value) -> (StatusCode, Value) {
    app.post("/oauth/token", body).await
}

async fn form_token(app: &TestApp, form: &[(&str, &str)]) -> (StatusCode, Value) {
    json_of(app.http.post(app.url("/oauth/token")).form(form).send().await.expect("req")).await
}

fn jane_login(extra: Value) -> Value {
    let mut body = json!({"grant_type": REALM, "client_id": "web-client", "client_secret": "web-client-secret",
        "username": "jane@example.com", "password": "Passw0rd!", "realm": "Username-Password-Authentication"});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    body
}

#[tokio::test]
async fn client_credentials_mints_an_m2m_token_with_the_granted_scopes() {
    let app = spawn_app().await;
    let response = app
        .http
        .post(app.url("/oauth/token"))
        .form(&[("grant_type", "client_credentials"), ("client_id", "m2m-client"), ("client_secret", "m2m-client-secret"), ("audience", API)])
        .send()
        .await
        .expect("req");
    assert_eq!(response.headers()["cache-control"], "no-store");
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((body["token_type"].as_str(), body["expires_in"].as_i64(), body["scope"].as_str()), (Some("Bearer"), Some(86400), Some("read:things write:things")));
    assert!(body.get("id_token").is_none() && body.get("refresh_token").is_none());
    assert_eq!(
        claims(body["access_token"].as_str().expect("at")),
        json!({"iss": app.base, "sub": "m2m-client@clients", "aud": API, "iat": T0, "exp": T0 + 86400,
               "scope": "read:things write:things", "gty": "client-credentials", "azp": "m2m-client",
               "permissions": ["read:things", "write:things"]})
    );
    app.stop().await;
}

#[tokio::test]
async fn client_credentials_refuses_apis_without_a_grant_and_unknown_apis() {
    let dir = tempfile::tempdir().expect("dir");
    let seed = dir.path().join("t.json");
    std::fs::write(&seed, json!({"clients": [{"client_id": "m2m-client", "client_secret": "m2m-client-secret", "app_type": "non_interactive"}]}).to_string()).expect("write");
    let mut config = crate::helpers::test_config();
    config.seeds = vec![seed];
    let app = crate::helpers::spawn_with(config).await;
    let mgmt = format!("{}api/v2/", app.base);
    let (status, body) = token(&app, json!({"grant_type": "client_credentials", "client_id": "m2m-client", "client_secret": "m2m-client-secret", "audience": mgmt})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body, json!({"error": "access_denied", "error_description": format!("Client is not authorized to access \"{mgmt}\". You need to create a \"client-grant\" associated to this API. See: https://auth0.com/docs/api/v2#!/Client_Grants/post_client_grants")}));
    let (status, body) = token(&app, json!({"grant_type": "client_credentials", "client_id": "m2m-client", "client_secret": "m2m-client-secret", "audience": "https://nope/"})).await;
    assert_eq!((status, body), (StatusCode::FORBIDDEN, json!({"error": "access_denied", "error_description": "Service not found: https://nope/"})));
    app.stop().await;
}

#[tokio::test]
async fn client_authentication_failures_use_auth0_bodies() {
    let app = spawn_app().await;
    let (status, body) = token(&app, json!({"grant_type": "client_credentials", "client_id": "m2m-client", "client_secret": "wrong", "audience": API})).await;
    assert_eq!((status, body), (StatusCode::UNAUTHORIZED, json!({"error": "access_denied", "error_description": "Unauthorized"})));
    let (status, body) = token(&app, json!({"grant_type": "client_credentials", "client_id": "ghost", "client_secret": "x", "audience": API})).await;
    assert_eq!((status, body), (StatusCode::FORBIDDEN, json!({"error": "unauthorized_client", "error_description": "invalid client"})));
    let (status, body) = token(&app, json!({"grant_type": "password", "client_id": "m2m-client", "client_secret": "m2m-client-secret", "username": "jane@example.com", "password": "Passw0rd!"})).await;
    assert_eq!((status, body), (StatusCode::FORBIDDEN, json!({"error": "unauthorized_client", "error_description": "Grant type 'password' not allowed for the client."})));
    let (status, body) = token(&app, json!({"grant_type": "magic", "client_id": "m2m-client"})).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("unsupported_grant_type")));
    let (status, body) = token(&app, json!({"client_id": "m2m-client"})).await;
    assert_eq!((status, body), (StatusCode::BAD_REQUEST, json!({"error": "invalid_request", "error_description": "Missing required parameter: grant_type"})));
    app.stop().await;
}

#[tokio::test]
async fn basic_authentication_is_url_decoded_after_base64() {
    let app = spawn_app().await;
    // openid-client percent-encodes before base64: "web%2Dclient:web%2Dclient%2Dsecret".
    let basic = base64::engine::general_purpose::STANDARD.encode("web%2Dclient:web%2Dclient%2Dsecret");
    let response = app
        .http
        .post(app.url("/oauth/token"))
        .header("authorization", format!("Basic {basic}"))
        .form(&[("grant_type", "password"), ("username", "jane@example.com"), ("password", "Passw0rd!")])
        .send()
        .await
        .expect("req");
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.stop().await;
}

#[tokio::test]
async fn password_realm_login_returns_id_and_access_tokens_with_action_claims() {
    let app = spawn_app().await;
    let (status, body) = token(&app, jane_login(json!({"scope": "openid profile email offline_access", "audience": API}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["scope"], "openid profile email offline_access");
    assert!(body["refresh_token"].as_str().is_some_and(|t| t.starts_with("v1.")));
    let at = claims(body["access_token"].as_str().expect("at"));
    assert_eq!(at["aud"], json!([API, format!("{}userinfo", app.base)]));
    assert_eq!(at["gty"], "password");
    assert_eq!(at["permissions"], json!(["read:things", "write:things"]));
    assert_eq!(at["https://example.test/plan"], "full");
    let id = claims(body["id_token"].as_str().expect("id"));
    assert_eq!(id["aud"], "web-client");
    assert_eq!(id["email"], "jane@example.com");
    assert_eq!(id["https://example.test/user_metadata"], json!({"hobby": "surfing", "theme": "dark"}));
    assert!(id.get("nonce").is_none(), "no nonce unless /authorize sent one");
    assert_eq!((id["iat"].as_i64(), id["exp"].as_i64()), (Some(T0), Some(T0 + 36_000)));
    app.stop().await;
}

#[tokio::test]
async fn rbac_limits_api_scopes_to_the_users_permissions() {
    let app = spawn_app().await;
    let (_, body) = form_token(&app, &[("grant_type", "password"), ("client_id", "web-client"), ("client_secret", "web-client-secret"),
        ("username", "john@example.com"), ("password", "Passw0rd!"), ("audience", API), ("scope", "openid read:things write:things")]).await;
    assert_eq!(body["scope"], "openid read:things");
    assert_eq!(claims(body["access_token"].as_str().expect("at"))["permissions"], json!(["read:things"]));
    app.stop().await;
}

#[tokio::test]
async fn wrong_passwords_blocked_users_and_brute_force_get_auth0_errors() {
    let app = spawn_app().await;
    let (status, body) = token(&app, jane_login(json!({"password": "nope"}))).await;
    assert_eq!((status, body), (StatusCode::FORBIDDEN, json!({"error": "invalid_grant", "error_description": "Wrong email or password."})));
    let (status, body) = token(&app, jane_login(json!({"username": "nobody@example.com"}))).await;
    assert_eq!((status, body["error_description"].as_str()), (StatusCode::FORBIDDEN, Some("Wrong email or password.")));
    let (status, body) = token(&app, jane_login(json!({"username": "blocked@example.com"}))).await;
    assert_eq!((status, body), (StatusCode::UNAUTHORIZED, json!({"error": "unauthorized", "error_description": "user is blocked"})));
    for _ in 0..9 {
        token(&app, jane_login(json!({"username": "john@example.com", "password": "nope"}))).await;
    }
    let (status, body) = token(&app, jane_login(json!({"username": "john@example.com", "password": "nope"}))).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["error"], "too_many_attempts");
    // Even the right password is refused until the block is lifted.
    let (status, _) = token(&app, jane_login(json!({"username": "john@example.com"}))).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let (status, body) = token(&app, jane_login(json!({"realm": "Nope"}))).await;
    assert_eq!((status, body), (StatusCode::BAD_REQUEST, json!({"error": "invalid_request", "error_description": "the connection was not found"})));
    app.stop().await;
}

#[tokio::test]
async fn refresh_tokens_narrow_scope_rotate_and_detect_reuse() {
    let app = spawn_app().await;
    let (_, first) = token(&app, jane_login(json!({"scope": "openid profile offline_access read:things", "audience": API}))).await;
    let rt = first["refresh_token"].as_str().expect("rt").to_string();
    let refresh = |rt: String, client: &'static str, secret: Option<&'static str>, scope: Option<&'static str>| {
        let mut body = json!({"grant_type": "refresh_token", "client_id": client, "refresh_token": rt});
        if let Some(s) = secret {
            body["client_secret"] = json!(s);
        }
        if let Some(s) = scope {
            body["scope"] = json!(s);
        }
        body
    };
    // web-client does not rotate: the same token works again, no new one is returned.
    let (status, body) = token(&app, refresh(rt.clone(), "web-client", Some("web-client-secret"), Some("openid read:things"))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["scope"], "openid read:things");
    assert!(body.get("refresh_token").is_none());
    assert_eq!(claims(body["access_token"].as_str().expect("at"))["gty"], "refresh_token");
    let (status, _) = token(&app, refresh(rt.clone(), "web-client", Some("web-client-secret"), None)).await;
    assert_eq!(status, StatusCode::OK);
    // Another client may not use it.
    let (status, body) = token(&app, refresh(rt.clone(), "spa-client", None, None)).await;
    assert_eq!((status, body), (StatusCode::FORBIDDEN, json!({"error": "invalid_grant", "error_description": "Unknown or invalid refresh token."})));
    // Revocation kills it.
    let revoked = app.http.post(app.url("/oauth/revoke")).json(&json!({"client_id": "web-client", "client_secret": "web-client-secret", "token": rt})).send().await.expect("req");
    assert_eq!(revoked.status(), StatusCode::OK);
    assert_eq!(revoked.text().await.expect("body"), "");
    let (status, _) = token(&app, refresh(rt, "web-client", Some("web-client-secret"), None)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    app.stop().await;
}

#[tokio::test]
async fn unknown_or_garbage_refresh_tokens_are_invalid_grants() {
    let app = spawn_app().await;
    let (status, body) = token(&app, json!({"grant_type": "refresh_token", "client_id": "web-client", "client_secret": "web-client-secret", "refresh_token": "v1.bogus"})).await;
    assert_eq!((status, body), (StatusCode::FORBIDDEN, json!({"error": "invalid_grant", "error_description": "Unknown or invalid refresh token."})));
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_authorization_code_is_refused() {
    let app = spawn_app().await;
    let (status, body) = token(&app, json!({"grant_type": "authorization_code", "client_id": "web-client", "client_secret": "web-client-secret", "code": "nope", "redirect_uri": "http://localhost:3000/callback"})).await;
    assert_eq!((status, body), (StatusCode::FORBIDDEN, json!({"error": "invalid_grant", "error_description": "Invalid authorization code"})));
    app.stop().await;
}

#[tokio::test]
async fn userinfo_returns_scoped_claims_and_action_claims() {
    let app = spawn_app().await;
    let (_, body) = token(&app, jane_login(json!({"scope": "openid email", "audience": API}))).await;
    let at = body["access_token"].as_str().expect("at");
    let info: Value = app.http.get(app.url("/userinfo")).bearer_auth(at).send().await.expect("req").json().await.expect("json");
    assert_eq!(info, json!({"sub": "auth0|0123456789abcdef01234567", "email": "jane@example.com", "email_verified": true,
        "https://example.test/user_metadata": {"hobby": "surfing", "theme": "dark"}}));
    // Without an audience the access token is opaque and only good for /userinfo.
    let (_, body) = token(&app, jane_login(json!({"scope": "openid profile"}))).await;
    let opaque = body["access_token"].as_str().expect("at");
    assert_eq!(opaque.split('.').count(), 1);
    let info: Value = app.http.post(app.url("/userinfo")).bearer_auth(opaque).send().await.expect("req").json().await.expect("json");
    assert_eq!(info["name"], "Jane Doe");
    assert!(info.get("email").is_none());
    app.stop().await;
}

#[tokio::test]
async fn userinfo_shows_every_change_to_the_user_at_once() {
    let app = spawn_app().await;
    let (_, body) = token(&app, jane_login(json!({"scope": "openid profile", "audience": API}))).await;
    let at = body["access_token"].as_str().expect("at").to_string();
    let userinfo = || async { json_of(app.http.get(app.url("/userinfo")).bearer_auth(&at).send().await.expect("req")).await };
    let (_, before) = userinfo().await;
    assert_eq!((before["nickname"].clone(), before["https://example.test/user_metadata"]["hobby"].clone()), (json!("jane"), json!("surfing")));
    let admin = mgmt_token(&app, "update:users delete:users").await;
    let path = "/api/v2/users/auth0%7C0123456789abcdef01234567";
    call(&app, reqwest::Method::PATCH, path, &admin, Some(json!({"nickname": "JJ", "user_metadata": {"hobby": "chess"}}))).await;
    let (_, after) = userinfo().await;
    assert_eq!((after["nickname"].clone(), after["https://example.test/user_metadata"]["hobby"].clone()), (json!("JJ"), json!("chess")));
    call(&app, reqwest::Method::DELETE, path, &admin, None).await;
    let gone = app.http.get(app.url("/userinfo")).bearer_auth(&at).send().await.expect("req");
    assert_eq!(gone.status(), StatusCode::UNAUTHORIZED);
    app.stop().await;
}

#[tokio::test]
async fn userinfo_refuses_missing_bad_and_expired_tokens_in_plain_text() {
    let app = spawn_app().await;
    let (_, body) = token(&app, jane_login(json!({"scope": "openid", "audience": API}))).await;
    let at = body["access_token"].as_str().expect("at").to_string();
    let m2m = app.mint(json!({"audience": API})).await;
    for bearer in [None, Some("garbage".to_string()), Some(m2m["token"].as_str().expect("t").to_string())] {
        let mut request = app.http.get(app.url("/userinfo"));
        if let Some(b) = bearer {
            request = request.bearer_auth(b);
        }
        let response = request.send().await.expect("req");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(response.headers()["www-authenticate"].to_str().expect("ascii").starts_with("Bearer realm=\"Users\", error=\"invalid_token\""));
        assert_eq!(response.text().await.expect("body"), "Unauthorized");
    }
    app.post("/__emulator/clock", json!({"advance": "25h"})).await;
    let response = app.http.get(app.url("/userinfo")).bearer_auth(at).send().await.expect("req");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(response.headers()["www-authenticate"].to_str().expect("ascii").contains("The token has expired"));
    app.stop().await;
}

#[tokio::test]
async fn browser_endpoints_answer_preflights_for_allowed_origins_only() {
    let app = spawn_app().await;
    let preflight = |origin: &'static str| {
        app.http
            .request(reqwest::Method::OPTIONS, app.url("/oauth/token"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "auth0-client, content-type")
            .send()
    };
    let ok = preflight("http://localhost:3000").await.expect("req");
    assert_eq!(ok.status(), StatusCode::NO_CONTENT);
    assert_eq!(ok.headers()["access-control-allow-origin"], "http://localhost:3000");
    assert_eq!(ok.headers()["access-control-allow-headers"], "auth0-client, content-type");
    let other = preflight("https://evil.example").await.expect("req");
    assert!(other.headers().get("access-control-allow-origin").is_none());
    let real = app.http.post(app.url("/oauth/token")).header("origin", "http://localhost:3000").json(&jane_login(json!({}))).send().await.expect("req");
    assert_eq!(real.headers()["access-control-allow-origin"], "http://localhost:3000");
    app.stop().await;
}

#[tokio::test]
async fn rotating_clients_get_a_new_refresh_token_and_reuse_revokes_the_family() {
    let dir = tempfile::tempdir().expect("dir");
    let seed = dir.path().join("t.json");
    std::fs::write(&seed, json!({
        "clients": [{"client_id": "rot", "client_secret": "s", "grant_types": ["password", "refresh_token"], "refresh_token": {"rotation_type": "rotating"}}],
        "users": [{"email": "r@example.com", "password": "Passw0rd!"}]
    }).to_string()).expect("write");
    let mut config = crate::helpers::test_config();
    config.seeds = vec![seed];
    let app = crate::helpers::spawn_with(config).await;
    let (status, first) = token(&app, json!({"grant_type": "password", "client_id": "rot", "client_secret": "s", "username": "r@example.com", "password": "Passw0rd!", "realm": "Username-Password-Authentication", "scope": "openid offline_access"})).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let rt1 = first["refresh_token"].as_str().expect("rt").to_string();
    let body = |rt: &str| json!({"grant_type": "refresh_token", "client_id": "rot", "client_secret": "s", "refresh_token": rt});
    let (_, second) = token(&app, body(&rt1)).await;
    let rt2 = second["refresh_token"].as_str().expect("rotated").to_string();
    assert_ne!(rt1, rt2);
    let (_, third) = token(&app, body(&rt2)).await;
    let rt3 = third["refresh_token"].as_str().expect("rotated again").to_string();
    // Replaying the first token is reuse: it fails and takes the whole family down.
    let (status, _) = token(&app, body(&rt1)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, err) = token(&app, body(&rt3)).await;
    assert_eq!((status, err["error_description"].as_str()), (StatusCode::FORBIDDEN, Some("Unknown or invalid refresh token.")));
    app.stop().await;
}

#[tokio::test]
async fn a_client_configured_for_hs256_gets_id_tokens_signed_with_its_secret() {
    let dir = tempfile::tempdir().expect("dir");
    let seed = dir.path().join("t.json");
    std::fs::write(&seed, json!({
        "clients": [{"client_id": "hs", "client_secret": "a-long-enough-client-secret", "grant_types": ["password"], "jwt_configuration": {"alg": "HS256"}}],
        "users": [{"email": "h@example.com", "password": "Passw0rd!"}]
    }).to_string()).expect("write");
    let mut config = crate::helpers::test_config();
    config.seeds = vec![seed];
    let app = crate::helpers::spawn_with(config).await;
    let (status, body) = token(&app, json!({"grant_type": "password", "client_id": "hs", "client_secret": "a-long-enough-client-secret",
        "username": "h@example.com", "password": "Passw0rd!", "realm": "Username-Password-Authentication", "scope": "openid"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id_token = body["id_token"].as_str().expect("id token");
    let header = jsonwebtoken::decode_header(id_token).expect("header");
    assert_eq!((header.alg, header.kid), (jsonwebtoken::Algorithm::HS256, None));
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.set_audience(&["hs"]);
    validation.validate_exp = false;
    let verified = jsonwebtoken::decode::<Value>(id_token, &jsonwebtoken::DecodingKey::from_secret(b"a-long-enough-client-secret"), &validation);
    assert!(verified.is_ok(), "{verified:?}");
    app.stop().await;
}
