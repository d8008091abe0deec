//! Embedded login for Lock and auth0-js: the client configuration script, cross-origin
//! authentication and the `login_ticket` that completes `/authorize` without a page.

use auth0_emulator::paths;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::authorize::{authorize_url, browser, claims, fragment_of, get, map, JANE, JANE_ID, PASSWORD, SPA};
use crate::helpers::{json_of, spawn_app, TestApp};

const APP_ORIGIN: &str = "http://localhost:3000";
const DB: &str = "Username-Password-Authentication";

async fn co_authenticate(app: &TestApp, origin: Option<&str>, body: Value) -> reqwest::Response {
    let mut request = app.http.post(app.url(paths::CO_AUTHENTICATE)).json(&body);
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    request.send().await.expect("request")
}

fn jane_body(client_id: &str, password: &str) -> Value {
    json!({"client_id": client_id, "username": JANE, "password": password, "realm": DB,
           "credential_type": "http://auth0.com/oauth/grant-type/password-realm"})
}

#[tokio::test]
async fn the_client_script_hands_lock_the_database_connections() {
    let app = spawn_app().await;
    let response = app.http.get(app.url("/client/spa-client.js?t1700000000000")).send().await.expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/javascript; charset=utf-8");
    let script = response.text().await.expect("body");
    let json = script
        .strip_prefix("Auth0.setClient(")
        .and_then(|s| s.strip_suffix(");"))
        .unwrap_or_else(|| panic!("not a setClient call: {script}"));
    let config: Value = serde_json::from_str(json).expect("JSON argument");
    assert_eq!(config["id"], SPA, "Lock accepts the call only for the id it asked for");
    assert_eq!(config["tenant"], "localhost");
    assert_eq!(config["authorize"], json!(app.url(paths::AUTHORIZE)));
    assert_eq!(config["callback"], "http://localhost:3000");
    assert_eq!(config["hasAllowedOrigins"], true);
    let database = config["strategies"].as_array().expect("strategies").iter().find(|s| s["name"] == "auth0").expect("the auth0 strategy");
    assert_eq!(
        database,
        &json!({"name": "auth0", "connections": [{"name": DB, "passwordPolicy": "good", "showSignup": true, "showForgot": true, "requires_username": false}]})
    );

    for missing in ["/client/nobody.js", "/client/spa-client"] {
        let response = app.http.get(app.url(missing)).send().await.expect("request");
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{missing}");
    }
    app.stop().await;
}

#[tokio::test]
async fn co_authenticate_gives_a_ticket_that_completes_authorize_once() {
    let app = spawn_app().await;
    let response = co_authenticate(&app, Some(APP_ORIGIN), jane_body(SPA, PASSWORD)).await;
    assert_eq!(response.headers()["access-control-allow-origin"], APP_ORIGIN);
    assert_eq!(response.headers()["access-control-allow-credentials"], "true");
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let ticket = body["login_ticket"].as_str().expect("login_ticket").to_string();
    assert_eq!(
        body.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>()),
        Some(vec!["login_ticket".into(), "co_verifier".into(), "co_id".into()])
    );

    let client = browser(&app);
    let params = [
        ("client_id", SPA),
        ("response_type", "token id_token"),
        ("redirect_uri", APP_ORIGIN),
        ("scope", "openid profile"),
        ("nonce", "lock"),
        ("state", "s"),
        ("login_ticket", &ticket),
    ];
    let done = get(&client, &authorize_url(&app, &params), None).await;
    assert_eq!(done.status, StatusCode::FOUND, "{}", done.body);
    let sid = done.session().expect("the ticket starts a session");
    let fragment = fragment_of(&done.location_url(&app));
    assert_eq!(fragment.keys().collect::<Vec<_>>(), ["access_token", "expires_in", "id_token", "scope", "state", "token_type"]);
    let id = claims(&fragment["id_token"]);
    assert_eq!((id["sub"].as_str(), id["nonce"].as_str(), id["sid"].as_str()), (Some(JANE_ID), Some("lock"), Some(sid.as_str())));

    let again = get(&client, &authorize_url(&app, &params), None).await;
    assert_eq!(
        fragment_of(&again.location_url(&app)),
        map(&[("error", "access_denied"), ("error_description", "Invalid or expired login_ticket."), ("state", "s")])
    );
    app.stop().await;
}

#[tokio::test]
async fn a_login_ticket_is_bound_to_its_client() {
    let app = spawn_app().await;
    let (_, body) = json_of(co_authenticate(&app, None, jane_body(SPA, PASSWORD)).await).await;
    let ticket = body["login_ticket"].as_str().expect("ticket");
    let client = browser(&app);
    let params = [("client_id", "web-client"), ("response_type", "code"), ("login_ticket", ticket)];
    let reply = get(&client, &authorize_url(&app, &params), None).await;
    assert_eq!(
        reply.location.as_deref(),
        Some("http://localhost:3000/callback?error=access_denied&error_description=Invalid%20or%20expired%20login_ticket.")
    );
    app.stop().await;
}

#[tokio::test]
async fn co_authenticate_refuses_wrong_credentials_and_clients_without_cross_origin_login() {
    let app = spawn_app().await;
    let cases = [
        (
            Some(APP_ORIGIN),
            jane_body(SPA, "wrong"),
            StatusCode::FORBIDDEN,
            json!({"error": "access_denied", "error_description": "Wrong email or password."}),
        ),
        (
            None,
            jane_body("web-client", PASSWORD),
            StatusCode::FORBIDDEN,
            json!({"error": "unauthorized_client", "error_description": "Cross origin login not allowed."}),
        ),
        (
            Some("https://evil.test"),
            jane_body(SPA, PASSWORD),
            StatusCode::FORBIDDEN,
            json!({"error": "access_denied", "error_description": "Origin https://evil.test is not allowed."}),
        ),
        (
            None,
            json!({"client_id": SPA, "username": "blocked@example.com", "password": PASSWORD, "realm": DB}),
            StatusCode::UNAUTHORIZED,
            json!({"error": "unauthorized", "error_description": "user is blocked"}),
        ),
        (
            None,
            json!({"client_id": SPA, "password": PASSWORD}),
            StatusCode::BAD_REQUEST,
            json!({"error": "invalid_request", "error_description": "Missing required parameter: username"}),
        ),
    ];
    for (origin, body, status, expected) in cases {
        let (got_status, got) = json_of(co_authenticate(&app, origin, body.clone()).await).await;
        assert_eq!((got_status, got), (status, expected), "{body}");
    }
    app.stop().await;
}

#[tokio::test]
async fn the_co_authenticate_preflight_allows_the_exact_origin_with_credentials() {
    let app = spawn_app().await;
    let response = app
        .http
        .request(reqwest::Method::OPTIONS, app.url(paths::CO_AUTHENTICATE))
        .header("origin", APP_ORIGIN)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type, auth0-client")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(response.headers()["access-control-allow-origin"], APP_ORIGIN);
    assert_eq!(response.headers()["access-control-allow-credentials"], "true");
    assert_eq!(response.headers()["access-control-allow-headers"], "content-type, auth0-client");
    app.stop().await;
}
