//! `GET /v2/logout` and `GET|POST /oidc/logout`: the session ends, the cookie expires, and the
//! browser goes only where the client allows.

use auth0_emulator::paths;
use base64::Engine;
use reqwest::StatusCode;
use serde_json::json;

use crate::authorize::{
    authorize_url, browser, claims, exchange, get, jane_session, log_in, post_form, query_of, Reply, CHALLENGE, JANE, PASSWORD, SPA,
    SPA_CALLBACK, WEB, WEB_CALLBACK, WEB_SECRET,
};
use crate::helpers::{spawn_app, TestApp};

const EXPIRED_COOKIE: &str =
    "auth0-emulator-session=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=None";

fn logout_url(app: &TestApp, path: &str, params: &[(&str, &str)]) -> String {
    url::Url::parse_with_params(&app.url(path), params).expect("url").to_string()
}

/// Whether `sid` still logs Jane in silently.
async fn silent_login_works(app: &TestApp, client: &reqwest::Client, sid: &str) -> bool {
    let params =
        [("client_id", SPA), ("response_type", "code"), ("redirect_uri", SPA_CALLBACK), ("prompt", "none"), ("code_challenge", CHALLENGE)];
    let reply = get(client, &authorize_url(app, &params), Some(sid)).await;
    let answer = query_of(&reply.location_url(app));
    match answer.get("error").map(String::as_str) {
        None => answer.contains_key("code"),
        Some("login_required") => false,
        Some(other) => panic!("unexpected error {other}"),
    }
}

fn assert_logged_out_page(reply: &Reply, notice: Option<&str>) {
    let status = if notice.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    assert_eq!((reply.status, reply.location.as_deref()), (status, None));
    assert!(reply.body.contains(r#"<h1 id="logged-out">"#), "{}", reply.body);
    match notice {
        Some(text) => assert!(reply.body.contains(&format!(r#"<p id="logout-notice" class="notice">{text}</p>"#)), "{}", reply.body),
        None => assert!(!reply.body.contains("logout-notice")),
    }
}

#[tokio::test]
async fn v2_logout_ends_the_session_and_redirects_to_an_allowed_return_to() {
    let app = spawn_app().await;
    let client = browser(&app);
    let sid = jane_session(&app, &client).await;
    assert!(silent_login_works(&app, &client, &sid).await);

    let reply =
        get(&client, &logout_url(&app, paths::LOGOUT, &[("client_id", SPA), ("returnTo", "http://localhost:3000")]), Some(&sid)).await;
    assert_eq!((reply.status, reply.location.as_deref()), (StatusCode::FOUND, Some("http://localhost:3000")));
    assert_eq!(reply.set_cookies, vec![EXPIRED_COOKIE.to_string()]);
    assert!(!silent_login_works(&app, &client, &sid).await, "the old cookie no longer logs in");
    app.stop().await;
}

#[tokio::test]
async fn v2_logout_redirects_only_to_allowed_logout_urls_and_still_ends_the_session() {
    let app = spawn_app().await;
    let client = browser(&app);
    let sid = jane_session(&app, &client).await;
    let refused =
        get(&client, &logout_url(&app, paths::LOGOUT, &[("client_id", SPA), ("returnTo", "https://evil.test/")]), Some(&sid)).await;
    assert_logged_out_page(
        &refused,
        Some("The &quot;returnTo&quot; querystring parameter &quot;https://evil.test/&quot; is not defined as a valid URL in &quot;Allowed Logout URLs&quot;."),
    );
    assert_eq!(refused.set_cookies, vec![EXPIRED_COOKIE.to_string()]);
    assert!(!silent_login_works(&app, &client, &sid).await, "a refused redirect still logs out");

    let first = get(&client, &logout_url(&app, paths::LOGOUT, &[("client_id", WEB)]), None).await;
    assert_eq!(first.location.as_deref(), Some("http://localhost:3000"), "no returnTo: the first allowed URL");
    let any_client = get(&client, &logout_url(&app, paths::LOGOUT, &[("returnTo", "https://localhost:3000")]), None).await;
    assert_eq!(any_client.location.as_deref(), Some("https://localhost:3000"), "no client_id: any client's allowed URL");
    let bare = get(&client, &app.url(paths::LOGOUT), None).await;
    assert_logged_out_page(&bare, None);
    app.stop().await;
}

/// Jane logs in to the web app; returns the session and the ID token.
async fn web_login(app: &TestApp, client: &reqwest::Client) -> (String, String) {
    let params = [("client_id", WEB), ("response_type", "code"), ("redirect_uri", WEB_CALLBACK), ("scope", "openid")];
    let done = log_in(app, client, &params, JANE, PASSWORD).await;
    let code = query_of(&done.location_url(app)).remove("code").expect("code");
    let form = [
        ("grant_type", "authorization_code"),
        ("client_id", WEB),
        ("client_secret", WEB_SECRET),
        ("code", &code),
        ("redirect_uri", WEB_CALLBACK),
    ];
    let (status, tokens) = exchange(app, &form).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    (done.session().expect("session"), tokens["id_token"].as_str().expect("id_token").to_string())
}

#[tokio::test]
async fn oidc_logout_with_a_hint_ends_the_hinted_session_and_returns_with_state() {
    let app = spawn_app().await;
    let client = browser(&app);
    let (sid, id_token) = web_login(&app, &client).await;
    assert_eq!(claims(&id_token)["sid"], json!(sid));
    // ID tokens live ten hours; an expired hint still identifies the session.
    let (status, _) = app.post(paths::CONTROL_CLOCK, json!({"advance": "11h"})).await;
    assert_eq!(status, StatusCode::OK);

    // No cookie: the hint's sid names the session to end.
    let params = [("id_token_hint", id_token.as_str()), ("post_logout_redirect_uri", "http://localhost:3000/"), ("state", "bye now")];
    let reply = get(&client, &logout_url(&app, paths::OIDC_LOGOUT, &params), None).await;
    assert_eq!((reply.status, reply.location.as_deref()), (StatusCode::FOUND, Some("http://localhost:3000/?state=bye%20now")));
    assert_eq!(reply.set_cookies, vec![EXPIRED_COOKIE.to_string()]);
    assert!(!silent_login_works(&app, &client, &sid).await);
    app.stop().await;
}

#[tokio::test]
async fn oidc_logout_accepts_a_form_post_and_a_client_id_without_hint() {
    let app = spawn_app().await;
    let client = browser(&app);
    let sid = jane_session(&app, &client).await;
    let reply = post_form(
        &client,
        &app.url(paths::OIDC_LOGOUT),
        &[("client_id", SPA), ("post_logout_redirect_uri", "http://localhost:3000")],
        Some(&sid),
    )
    .await;
    assert_eq!((reply.status, reply.location.as_deref()), (StatusCode::FOUND, Some("http://localhost:3000")));
    assert!(!silent_login_works(&app, &client, &sid).await);

    let nowhere = get(&client, &logout_url(&app, paths::OIDC_LOGOUT, &[("post_logout_redirect_uri", "http://localhost:3000")]), None).await;
    assert_eq!((nowhere.status, nowhere.location), (StatusCode::BAD_REQUEST, None), "without a client the URL cannot be checked");
    assert!(nowhere.body.contains("logout-notice"));
    app.stop().await;
}

#[tokio::test]
async fn oidc_logout_refuses_a_forged_or_mismatched_hint_and_ends_nothing() {
    let app = spawn_app().await;
    let client = browser(&app);
    let (sid, id_token) = web_login(&app, &client).await;
    // The same signature over other claims.
    let mut parts: Vec<String> = id_token.split('.').map(str::to_owned).collect();
    let mut forged_claims = claims(&id_token);
    forged_claims["sub"] = json!("auth0|someone-else");
    parts[1] = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(forged_claims.to_string());
    let forged = parts.join(".");
    for params in [
        vec![("id_token_hint", forged.as_str()), ("post_logout_redirect_uri", "http://localhost:3000")],
        vec![("id_token_hint", id_token.as_str()), ("client_id", SPA)],
        vec![("id_token_hint", id_token.as_str()), ("logout_hint", "another-session")],
    ] {
        let reply = get(&client, &logout_url(&app, paths::OIDC_LOGOUT, &params), Some(&sid)).await;
        assert_eq!((reply.status, reply.location.as_deref()), (StatusCode::BAD_REQUEST, None), "{params:?}");
        assert!(reply.body.contains(r#"<span id="error-code">invalid_request</span>"#));
        assert!(reply.set_cookies.is_empty());
    }
    assert!(silent_login_works(&app, &client, &sid).await);
    app.stop().await;
}
