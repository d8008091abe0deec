//! `GET /authorize`, the hosted login and signup pages and the four response modes, driven the
//! way a browser would (no redirects followed, the session cookie carried by hand). The browser
//! helpers here are shared with the logout and embedded-login tests.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use auth0_emulator::paths;
use base64::Engine;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{json_of, spawn_app, TestApp, T0};

pub const SPA: &str = "spa-client";
pub const WEB: &str = "web-client";
pub const WEB_SECRET: &str = "web-client-secret";
pub const API: &str = "https://api.example.test/";
pub const JANE: &str = "jane@example.com";
pub const JANE_ID: &str = "auth0|0123456789abcdef01234567";
pub const PASSWORD: &str = "Passw0rd!";
pub const SPA_CALLBACK: &str = "http://localhost:3000/callback";
pub const WEB_CALLBACK: &str = "http://localhost:3000/callback";
/// RFC 7636 appendix B.
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// A client that trusts the emulator's CA and follows no redirect.
pub fn browser(app: &TestApp) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(app.ca_pem.as_bytes()).expect("CA parses");
    reqwest::Client::builder()
        .tls_certs_only([ca])
        .resolve("localhost", SocketAddr::from(([127, 0, 0, 1], 0)))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client builds")
}

/// One response, read whole.
pub struct Reply {
    pub status: StatusCode,
    pub location: Option<String>,
    pub set_cookies: Vec<String>,
    pub content_type: String,
    pub body: String,
}

impl Reply {
    async fn read(response: reqwest::Response) -> Self {
        let header = |name: &str| response.headers().get(name).map(|v| v.to_str().expect("ascii header").to_string());
        let location = header("location");
        let content_type = header("content-type").unwrap_or_default();
        let set_cookies = response.headers().get_all("set-cookie").iter().map(|v| v.to_str().expect("ascii").to_string()).collect();
        Self { status: response.status(), location, set_cookies, content_type, body: response.text().await.expect("body") }
    }

    /// The `Location`, resolved against the emulator.
    pub fn location_url(&self, app: &TestApp) -> url::Url {
        let location = self.location.as_deref().unwrap_or_else(|| panic!("no Location; status {} body {}", self.status, self.body));
        url::Url::parse(&app.base).expect("base").join(location).expect("location")
    }

    /// The value of the session cookie this response sets.
    pub fn session(&self) -> Option<String> {
        self.set_cookies
            .iter()
            .find_map(|c| c.strip_prefix("auth0-emulator-session="))
            .map(|rest| rest.split(';').next().unwrap_or_default().to_string())
            .filter(|v| !v.is_empty())
    }
}

pub async fn get(client: &reqwest::Client, url: &str, session: Option<&str>) -> Reply {
    let mut request = client.get(url);
    if let Some(sid) = session {
        request = request.header("cookie", format!("appSession=unrelated; auth0-emulator-session={sid}"));
    }
    Reply::read(request.send().await.expect("request")).await
}

pub async fn post_form(client: &reqwest::Client, url: &str, form: &[(&str, &str)], session: Option<&str>) -> Reply {
    let mut request = client.post(url).form(form);
    if let Some(sid) = session {
        request = request.header("cookie", format!("auth0-emulator-session={sid}"));
    }
    Reply::read(request.send().await.expect("request")).await
}

pub fn authorize_url(app: &TestApp, params: &[(&str, &str)]) -> String {
    url::Url::parse_with_params(&app.url(paths::AUTHORIZE), params).expect("url").to_string()
}

/// The query (or fragment) parameters of a URL, exactly.
pub fn query_of(url: &url::Url) -> BTreeMap<String, String> {
    url.query_pairs().into_owned().collect()
}

pub fn fragment_of(url: &url::Url) -> BTreeMap<String, String> {
    url::form_urlencoded::parse(url.fragment().unwrap_or("").as_bytes()).into_owned().collect()
}

pub fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect()
}

/// A JWT's claims, unverified.
pub fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).expect("base64")).expect("json")
}

/// `/authorize` → `/u/login` → the login form, submitted; returns the form's answer.
pub async fn log_in(app: &TestApp, client: &reqwest::Client, params: &[(&str, &str)], username: &str, password: &str) -> Reply {
    let start = get(client, &authorize_url(app, params), None).await;
    assert_eq!(start.status, StatusCode::FOUND, "{}", start.body);
    let login = start.location_url(app);
    assert_eq!(login.path(), paths::LOGIN_PAGE);
    let tx = query_of(&login).remove("state").expect("a transaction id");
    let page = get(client, login.as_str(), None).await;
    assert_eq!(page.status, StatusCode::OK);
    post_form(client, login.as_str(), &[("state", &tx), ("username", username), ("password", password), ("action", "default")], None).await
}

/// Jane logs in to the SPA with the code flow; returns the session cookie value.
pub async fn jane_session(app: &TestApp, client: &reqwest::Client) -> String {
    let params = [
        ("client_id", SPA),
        ("response_type", "code"),
        ("redirect_uri", SPA_CALLBACK),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ];
    let done = log_in(app, client, &params, JANE, PASSWORD).await;
    assert_eq!(done.status, StatusCode::FOUND, "{}", done.body);
    done.session().expect("a session cookie")
}

pub async fn exchange(app: &TestApp, form: &[(&str, &str)]) -> (StatusCode, Value) {
    json_of(app.http.post(app.url(paths::TOKEN)).form(form).send().await.expect("request")).await
}

async fn advance_clock(app: &TestApp, by: &str) {
    let (status, _) = app.post(paths::CONTROL_CLOCK, json!({"advance": by})).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn the_code_flow_with_pkce_runs_through_the_login_page_and_the_token_endpoint() {
    let app = spawn_app().await;
    let client = browser(&app);
    let params = [
        ("client_id", SPA),
        ("response_type", "code"),
        ("response_mode", "query"),
        ("redirect_uri", SPA_CALLBACK),
        ("scope", "openid profile email offline_access read:things"),
        ("audience", API),
        ("state", "st-1"),
        ("nonce", "n-1"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
        ("auth0Client", "eyJuYW1lIjoiYXV0aDAtc3BhLWpzIn0="),
    ];
    let start = get(&client, &authorize_url(&app, &params), None).await;
    assert_eq!(start.status, StatusCode::FOUND);
    let login = start.location_url(&app);
    assert_eq!((login.path(), query_of(&login).len()), (paths::LOGIN_PAGE, 1));

    let page = get(&client, login.as_str(), None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.content_type.starts_with("text/html"));
    for selector in [
        r#"<input id="username" name="username""#,
        r#"<input id="password" name="password" type="password""#,
        r#"<button type="submit" name="action" value="default">"#,
    ] {
        assert!(page.body.contains(selector), "missing {selector} in {}", page.body);
    }
    assert!(page.body.contains(r#"id="signup-link""#));

    let tx = query_of(&login)["state"].clone();
    let done =
        post_form(&client, login.as_str(), &[("state", &tx), ("username", JANE), ("password", PASSWORD), ("action", "default")], None)
            .await;
    assert_eq!(done.status, StatusCode::FOUND, "{}", done.body);
    let callback = done.location_url(&app);
    assert_eq!(format!("{}://{}{}", callback.scheme(), callback.authority(), callback.path()), SPA_CALLBACK);
    let code = query_of(&callback)["code"].clone();
    assert_eq!(query_of(&callback), map(&[("code", &code), ("state", "st-1")]));
    let sid = done.session().expect("session cookie");
    let cookie = done.set_cookies.iter().find(|c| c.starts_with("auth0-emulator-session=")).expect("cookie");
    assert_eq!(cookie, &format!("auth0-emulator-session={sid}; Path=/; HttpOnly; Secure; SameSite=None"));

    let form = [
        ("grant_type", "authorization_code"),
        ("client_id", SPA),
        ("code", &code),
        ("code_verifier", VERIFIER),
        ("redirect_uri", SPA_CALLBACK),
    ];
    let (status, tokens) = exchange(&app, &form).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert!(tokens["refresh_token"].is_string(), "offline_access gives a refresh token: {tokens}");
    assert_eq!(tokens["scope"], "openid profile email offline_access read:things");
    let id = claims(tokens["id_token"].as_str().expect("id_token"));
    assert_eq!((id["sub"].as_str(), id["aud"].as_str(), id["nonce"].as_str()), (Some(JANE_ID), Some(SPA), Some("n-1")));
    assert_eq!((id["sid"].as_str(), id["auth_time"].as_i64()), (Some(sid.as_str()), Some(T0)));
    assert_eq!(id["email"], JANE);
    let access = claims(tokens["access_token"].as_str().expect("access_token"));
    assert_eq!(access["aud"], json!([API, app.url("/userinfo")]));

    // Codes are single use.
    let (status, again) = exchange(&app, &form).await;
    assert_eq!((status, again["error"].as_str()), (StatusCode::FORBIDDEN, Some("invalid_grant")));
    app.stop().await;
}

#[tokio::test]
async fn without_state_or_nonce_the_callback_carries_only_the_code_and_the_id_token_no_nonce() {
    let app = spawn_app().await;
    let client = browser(&app);
    let params = [("client_id", WEB), ("response_type", "code"), ("redirect_uri", WEB_CALLBACK), ("scope", "openid")];
    let done = log_in(&app, &client, &params, JANE, PASSWORD).await;
    let callback = done.location_url(&app);
    let code = query_of(&callback)["code"].clone();
    assert_eq!(query_of(&callback), map(&[("code", &code)]), "no state, no iss");
    let form = [
        ("grant_type", "authorization_code"),
        ("client_id", WEB),
        ("client_secret", WEB_SECRET),
        ("code", &code),
        ("redirect_uri", WEB_CALLBACK),
    ];
    let (status, tokens) = exchange(&app, &form).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let id = claims(tokens["id_token"].as_str().expect("id_token"));
    assert!(id.get("nonce").is_none(), "{id}");
    assert!(id["sid"].is_string());
    app.stop().await;
}

#[tokio::test]
async fn wrong_credentials_keep_the_user_on_the_login_page_with_the_error_element() {
    let app = spawn_app().await;
    let client = browser(&app);
    let params = [("client_id", WEB), ("response_type", "code"), ("redirect_uri", WEB_CALLBACK), ("login_hint", "jane@example.com")];
    let start = get(&client, &authorize_url(&app, &params), None).await;
    let login = start.location_url(&app);
    let page = get(&client, login.as_str(), None).await;
    assert!(page.body.contains(r#"value="jane@example.com""#), "login_hint prefills the username");

    let wrong = post_form(&client, login.as_str(), &[("username", JANE), ("password", "nope"), ("action", "default")], None).await;
    assert_eq!((wrong.status, wrong.location.as_deref(), wrong.session()), (StatusCode::BAD_REQUEST, None, None));
    assert!(
        wrong.body.contains(r#"<p id="error-element-password" class="error" role="alert">Wrong email or password.</p>"#),
        "{}",
        wrong.body
    );

    // The transaction survives failures.
    let right = post_form(&client, login.as_str(), &[("username", JANE), ("password", PASSWORD), ("action", "default")], None).await;
    assert_eq!(right.status, StatusCode::FOUND);
    // And is spent by the success.
    let replay = post_form(&client, login.as_str(), &[("username", JANE), ("password", PASSWORD), ("action", "default")], None).await;
    assert_eq!(replay.status, StatusCode::BAD_REQUEST);
    assert!(replay.body.contains(r#"<span id="error-code">invalid_request</span>"#));
    app.stop().await;
}

#[tokio::test]
async fn an_unregistered_redirect_uri_or_unknown_client_is_an_error_page_without_a_redirect() {
    let app = spawn_app().await;
    let client = browser(&app);
    let bad = get(
        &client,
        &authorize_url(&app, &[("client_id", SPA), ("response_type", "code"), ("redirect_uri", "https://evil.test/cb")]),
        None,
    )
    .await;
    assert_eq!((bad.status, bad.location.as_deref()), (StatusCode::BAD_REQUEST, None));
    assert!(bad.content_type.starts_with("text/html"));
    assert!(bad.body.contains("Callback URL mismatch."), "{}", bad.body);
    let unknown = get(&client, &authorize_url(&app, &[("client_id", "nobody"), ("response_type", "code")]), None).await;
    assert_eq!((unknown.status, unknown.location.as_deref()), (StatusCode::BAD_REQUEST, None));
    assert!(unknown.body.contains(r#"<span id="error-description">Unknown client: nobody</span>"#), "{}", unknown.body);
    app.stop().await;
}

#[tokio::test]
async fn prompt_none_without_a_session_is_login_required_in_every_response_mode() {
    let app = spawn_app().await;
    let client = browser(&app);
    let query = get(
        &client,
        &authorize_url(
            &app,
            &[
                ("client_id", SPA),
                ("response_type", "code"),
                ("redirect_uri", SPA_CALLBACK),
                ("prompt", "none"),
                ("state", "s 1"),
                ("code_challenge", CHALLENGE),
            ],
        ),
        None,
    )
    .await;
    assert_eq!(query.status, StatusCode::FOUND);
    assert_eq!(
        query.location.as_deref(),
        Some("http://localhost:3000/callback?error=login_required&error_description=Login%20required&state=s%201")
    );

    let fragment = get(
        &client,
        &authorize_url(
            &app,
            &[
                ("client_id", SPA),
                ("response_type", "id_token token"),
                ("redirect_uri", SPA_CALLBACK),
                ("prompt", "none"),
                ("nonce", "n"),
                ("state", "s2"),
            ],
        ),
        None,
    )
    .await;
    assert_eq!(
        fragment.location.as_deref(),
        Some("http://localhost:3000/callback#error=login_required&error_description=Login%20required&state=s2")
    );

    let web_message = get(
        &client,
        &authorize_url(
            &app,
            &[
                ("client_id", SPA),
                ("response_type", "code"),
                ("response_mode", "web_message"),
                ("redirect_uri", "http://localhost:3000"),
                ("prompt", "none"),
                ("state", "s3"),
                ("code_challenge", CHALLENGE),
            ],
        ),
        None,
    )
    .await;
    assert_eq!((web_message.status, web_message.location.as_deref()), (StatusCode::OK, None));
    assert!(web_message.content_type.starts_with("text/html"));
    assert!(web_message.body.contains(r#"var targetOrigin = "http://localhost:3000";"#), "{}", web_message.body);
    assert!(web_message.body.contains(r#"var authorizationResponse = {"type":"authorization_response","response":{"error":"login_required","error_description":"Login required","state":"s3"}};"#), "{}", web_message.body);
    assert!(web_message.body.contains("var mainWin = window.opener ? window.opener : window.parent;"));
    app.stop().await;
}

#[tokio::test]
async fn prompt_none_with_a_session_posts_a_code_to_the_web_origin_and_the_code_exchanges() {
    let app = spawn_app().await;
    let client = browser(&app);
    let sid = jane_session(&app, &client).await;
    let params = [
        ("client_id", SPA),
        ("response_type", "code"),
        ("response_mode", "web_message"),
        ("redirect_uri", "http://localhost:3000"),
        ("prompt", "none"),
        ("scope", "openid"),
        ("state", "silent"),
        ("nonce", "n2"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ];
    let reply = get(&client, &authorize_url(&app, &params), Some(&sid)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.set_cookies.is_empty(), "an existing session is not restarted");
    assert!(reply.body.contains(r#"var targetOrigin = "http://localhost:3000";"#));
    let start = reply.body.find(r#"{"type":"authorization_response""#).expect("message");
    let end = reply.body[start..].find(";\n").expect("end of message") + start;
    let message: Value = serde_json::from_str(&reply.body[start..end]).expect("message JSON");
    let code = message["response"]["code"].as_str().expect("code").to_string();
    assert_eq!(message, json!({"type": "authorization_response", "response": {"code": code, "state": "silent"}}));
    let form = [
        ("grant_type", "authorization_code"),
        ("client_id", SPA),
        ("code", &code),
        ("code_verifier", VERIFIER),
        ("redirect_uri", "http://localhost:3000"),
    ];
    let (status, tokens) = exchange(&app, &form).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let id = claims(tokens["id_token"].as_str().expect("id_token"));
    assert_eq!((id["nonce"].as_str(), id["sid"].as_str()), (Some("n2"), Some(sid.as_str())));
    app.stop().await;
}

#[tokio::test]
async fn web_message_needs_the_redirect_origin_among_the_web_origins() {
    let app = spawn_app().await;
    let client = browser(&app);
    let reply = get(
        &client,
        &authorize_url(
            &app,
            &[
                ("client_id", WEB),
                ("response_type", "code"),
                ("response_mode", "web_message"),
                ("redirect_uri", WEB_CALLBACK),
                ("prompt", "none"),
            ],
        ),
        None,
    )
    .await;
    assert_eq!((reply.status, reply.location.as_deref()), (StatusCode::FORBIDDEN, None));
    assert!(!reply.body.contains("postMessage"));
    assert!(reply.body.contains("Allowed Web Origins"));
    app.stop().await;
}

#[tokio::test]
async fn implicit_id_token_token_arrives_in_the_fragment_with_at_hash() {
    let app = spawn_app().await;
    let client = browser(&app);
    let params = [
        ("client_id", SPA),
        ("response_type", "id_token token"),
        ("redirect_uri", SPA_CALLBACK),
        ("scope", "openid profile"),
        ("audience", API),
        ("nonce", "imp"),
        ("state", "s"),
    ];
    let done = log_in(&app, &client, &params, JANE, PASSWORD).await;
    assert_eq!(done.status, StatusCode::FOUND, "{}", done.body);
    let callback = done.location_url(&app);
    assert_eq!(callback.query(), None);
    let fragment = fragment_of(&callback);
    let access_token = fragment["access_token"].clone();
    let id_token = fragment["id_token"].clone();
    assert_eq!(
        fragment,
        map(&[
            ("access_token", &access_token),
            ("scope", "openid profile"),
            ("expires_in", "86400"),
            ("token_type", "Bearer"),
            ("id_token", &id_token),
            ("state", "s")
        ])
    );
    let (kid, key) = app.jwks_key().await;
    assert_eq!(jsonwebtoken::decode_header(&id_token).expect("header").kid.as_deref(), Some(kid.as_str()));
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.validate_exp = false;
    validation.set_audience(&[SPA]);
    validation.set_issuer(&[&app.base]);
    let id = jsonwebtoken::decode::<Value>(&id_token, &key, &validation).expect("a valid ID token").claims;
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, access_token.as_bytes());
    assert_eq!(id["at_hash"], json!(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest.as_ref()[..16])));
    assert_eq!((id["nonce"].as_str(), id["auth_time"].as_i64()), (Some("imp"), Some(T0)));
    assert!(id.get("c_hash").is_none());
    app.stop().await;
}

#[tokio::test]
async fn hybrid_code_id_token_binds_the_code_with_c_hash() {
    let app = spawn_app().await;
    let client = browser(&app);
    let params = [
        ("client_id", SPA),
        ("response_type", "code id_token"),
        ("redirect_uri", SPA_CALLBACK),
        ("nonce", "h"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ];
    let done = log_in(&app, &client, &params, JANE, PASSWORD).await;
    let fragment = fragment_of(&done.location_url(&app));
    assert_eq!(fragment.keys().collect::<Vec<_>>(), ["code", "id_token"]);
    let id = claims(&fragment["id_token"]);
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, fragment["code"].as_bytes());
    assert_eq!(id["c_hash"], json!(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest.as_ref()[..16])));
    assert!(id.get("at_hash").is_none());
    app.stop().await;
}

#[tokio::test]
async fn form_post_answers_with_a_self_submitting_form() {
    let app = spawn_app().await;
    let client = browser(&app);
    let params = [
        ("client_id", SPA),
        ("response_type", "id_token"),
        ("response_mode", "form_post"),
        ("redirect_uri", SPA_CALLBACK),
        ("nonce", "fp"),
        ("state", "a\"b"),
    ];
    let done = log_in(&app, &client, &params, JANE, PASSWORD).await;
    assert_eq!((done.status, done.location.as_deref()), (StatusCode::OK, None));
    assert!(done.session().is_some());
    assert!(done.body.contains(r#"<body onload="javascript:document.forms[0].submit()">"#));
    assert!(done.body.contains(r#"<form method="post" action="http://localhost:3000/callback">"#), "{}", done.body);
    assert!(done.body.contains(r#"<input type="hidden" name="id_token" value="ey"#));
    assert!(done.body.contains(r#"<input type="hidden" name="state" value="a&quot;b"/>"#));
    assert!(!done.body.contains("access_token"), "id_token alone carries no access token");
    let id_token = done.body.split(r#"name="id_token" value=""#).nth(1).and_then(|rest| rest.split('"').next()).expect("id_token");
    assert_eq!(claims(id_token)["nonce"], "fp");
    app.stop().await;
}

#[tokio::test]
async fn max_age_sends_an_older_session_back_to_the_login_page() {
    let app = spawn_app().await;
    let client = browser(&app);
    let sid = jane_session(&app, &client).await;
    advance_clock(&app, "120s").await;
    let base =
        [("client_id", SPA), ("response_type", "code"), ("redirect_uri", SPA_CALLBACK), ("scope", "openid"), ("code_challenge", CHALLENGE)];
    let with = |extra: &[(&'static str, &'static str)]| [&base[..], extra].concat();

    let stale = get(&client, &authorize_url(&app, &with(&[("max_age", "60")])), Some(&sid)).await;
    assert_eq!(stale.location_url(&app).path(), paths::LOGIN_PAGE);
    let silent = get(&client, &authorize_url(&app, &with(&[("max_age", "60"), ("prompt", "none")])), Some(&sid)).await;
    assert_eq!(query_of(&silent.location_url(&app))["error"], "login_required");

    let fresh = get(&client, &authorize_url(&app, &with(&[("max_age", "600")])), Some(&sid)).await;
    let code = query_of(&fresh.location_url(&app)).remove("code").expect("a code without a page");
    let form = [
        ("grant_type", "authorization_code"),
        ("client_id", SPA),
        ("code", &code),
        ("code_verifier", CHALLENGE),
        ("redirect_uri", SPA_CALLBACK),
    ];
    let (status, tokens) = exchange(&app, &form).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let id = claims(tokens["id_token"].as_str().expect("id_token"));
    assert_eq!((id["auth_time"].as_i64(), id["iat"].as_i64()), (Some(T0), Some(T0 + 120)));
    app.stop().await;
}

#[tokio::test]
async fn prompt_login_shows_the_page_despite_a_session() {
    let app = spawn_app().await;
    let client = browser(&app);
    let sid = jane_session(&app, &client).await;
    let params = [("client_id", SPA), ("response_type", "code"), ("redirect_uri", SPA_CALLBACK), ("code_challenge", CHALLENGE)];
    let sso = get(&client, &authorize_url(&app, &params), Some(&sid)).await;
    assert!(query_of(&sso.location_url(&app)).contains_key("code"), "a session answers at once");
    let forced = get(&client, &authorize_url(&app, &[&params[..], &[("prompt", "login")]].concat()), Some(&sid)).await;
    assert_eq!(forced.location_url(&app).path(), paths::LOGIN_PAGE);
    app.stop().await;
}

#[tokio::test]
async fn request_errors_after_the_redirect_check_go_back_through_the_response_mode() {
    let app = spawn_app().await;
    let client = browser(&app);
    let cases: [(&[(&str, &str)], &str); 5] = [
        (&[("client_id", SPA), ("response_type", "code"), ("audience", "https://nope.test/"), ("code_challenge", CHALLENGE), ("state", "x")],
         "http://localhost:3000?error=access_denied&error_description=Service%20not%20found%3A%20https%3A%2F%2Fnope.test%2F&state=x"),
        (&[("client_id", SPA), ("response_type", "id_token")],
         "http://localhost:3000#error=invalid_request&error_description=Missing%20required%20parameter%3A%20nonce"),
        (&[("client_id", SPA), ("response_type", "code")],
         "http://localhost:3000?error=invalid_request&error_description=Missing%20required%20parameter%3A%20code_challenge"),
        (&[("client_id", SPA), ("response_type", "code device")],
         "http://localhost:3000?error=unsupported_response_type&error_description=Unsupported%20response%20type%3A%20code%20device"),
        (&[("client_id", SPA)],
         "http://localhost:3000?error=invalid_request&error_description=Missing%20required%20parameter%3A%20response_type"),
    ];
    for (params, expected) in cases {
        let reply = get(&client, &authorize_url(&app, params), None).await;
        assert_eq!((reply.status, reply.location.as_deref()), (StatusCode::FOUND, Some(expected)), "{params:?}");
    }
    app.stop().await;
}

#[tokio::test]
async fn screen_hint_signup_creates_the_user_and_completes_the_flow() {
    let app = spawn_app().await;
    let client = browser(&app);
    let params = [
        ("client_id", SPA),
        ("response_type", "code"),
        ("redirect_uri", SPA_CALLBACK),
        ("screen_hint", "signup"),
        ("scope", "openid email"),
        ("code_challenge", CHALLENGE),
        ("state", "su"),
    ];
    let start = get(&client, &authorize_url(&app, &params), None).await;
    let signup = start.location_url(&app);
    assert_eq!(signup.path(), paths::SIGNUP_PAGE);
    let page = get(&client, signup.as_str(), None).await;
    assert!(page.body.contains(r#"<input id="email" name="email" type="email""#) && page.body.contains(r#"id="login-link""#));

    let weak =
        post_form(&client, signup.as_str(), &[("email", "new@example.com"), ("password", "weak"), ("action", "default")], None).await;
    assert_eq!((weak.status, weak.location.as_deref()), (StatusCode::BAD_REQUEST, None));
    assert!(weak.body.contains(r#"<p id="error-element-password" class="error" role="alert">Password is too weak"#), "{}", weak.body);
    let taken = post_form(&client, signup.as_str(), &[("email", JANE), ("password", "Str0ng!pass"), ("action", "default")], None).await;
    assert!(
        taken.body.contains(r#"<p id="error-element-email" class="error" role="alert">The user already exists.</p>"#),
        "{}",
        taken.body
    );

    let done =
        post_form(&client, signup.as_str(), &[("email", "New@Example.com"), ("password", "Str0ng!pass"), ("action", "default")], None)
            .await;
    assert_eq!(done.status, StatusCode::FOUND, "{}", done.body);
    assert!(done.session().is_some());
    let code = query_of(&done.location_url(&app)).remove("code").expect("code");
    let form = [
        ("grant_type", "authorization_code"),
        ("client_id", SPA),
        ("code", &code),
        ("code_verifier", CHALLENGE),
        ("redirect_uri", SPA_CALLBACK),
    ];
    let (status, tokens) = exchange(&app, &form).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!(claims(tokens["id_token"].as_str().expect("id_token"))["email"], "new@example.com");
    app.stop().await;
}

#[tokio::test]
async fn discovery_advertises_authorize_logout_and_the_supported_response_types() {
    let app = spawn_app().await;
    let (_, doc) = app.get(paths::DISCOVERY).await;
    assert_eq!(doc["authorization_endpoint"], json!(app.url(paths::AUTHORIZE)));
    assert_eq!(doc["end_session_endpoint"], json!(app.url(paths::OIDC_LOGOUT)));
    assert_eq!(
        doc["response_types_supported"],
        json!(["code", "token", "id_token", "code token", "code id_token", "token id_token", "code token id_token"])
    );
    assert_eq!(doc["response_modes_supported"], json!(["query", "fragment", "form_post"]));
    assert_eq!(doc["code_challenge_methods_supported"], json!(["S256", "plain"]));
    assert!(doc.get("authorization_response_iss_parameter_supported").is_none());
    app.stop().await;
}

#[tokio::test]
async fn a_session_whose_user_was_blocked_answers_unauthorized() {
    let app = spawn_app().await;
    let client = browser(&app);
    let sid = jane_session(&app, &client).await;
    let minted = app.mint(json!({"audience": app.url("/api/v2/"), "scope": "update:users", "expires_in": "1h"})).await;
    let path = format!("/api/v2/users/{}", url::form_urlencoded::byte_serialize(JANE_ID.as_bytes()).collect::<String>());
    let response = app
        .http
        .patch(app.url(&path))
        .bearer_auth(minted["token"].as_str().expect("token"))
        .json(&json!({"blocked": true}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);

    let params = [
        ("client_id", SPA),
        ("response_type", "code"),
        ("redirect_uri", SPA_CALLBACK),
        ("prompt", "none"),
        ("state", "b"),
        ("code_challenge", CHALLENGE),
    ];
    let reply = get(&client, &authorize_url(&app, &params), Some(&sid)).await;
    assert_eq!(
        reply.location.as_deref(),
        Some("http://localhost:3000/callback?error=unauthorized&error_description=user%20is%20blocked&state=b")
    );
    app.stop().await;
}

#[tokio::test]
async fn a_blocked_user_is_sent_back_to_the_app_with_unauthorized_and_no_session() {
    let app = spawn_app().await;
    let client = browser(&app);
    let params = [("client_id", WEB), ("response_type", "code"), ("redirect_uri", WEB_CALLBACK), ("state", "s1")];
    let start = get(&client, &authorize_url(&app, &params), None).await;
    let login = start.location_url(&app);
    let blocked =
        post_form(&client, login.as_str(), &[("username", "blocked@example.com"), ("password", PASSWORD), ("action", "default")], None)
            .await;
    assert_eq!(blocked.status, StatusCode::FOUND);
    assert_eq!(
        blocked.location.as_deref(),
        Some("http://localhost:3000/callback?error=unauthorized&error_description=user%20is%20blocked&state=s1")
    );
    assert_eq!(blocked.session(), None);
    app.stop().await;
}
