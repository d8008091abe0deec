//! Custom database connections: the JavaScript scripts in `tests/fixtures/custom-db/` over a
//! JSON legacy store (a temporary copy per test), and an HTTP hook server, driven through every
//! flow that calls them. Needs Node.js on PATH (as the SDK suites do).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use auth0_emulator::config::Config;
use auth0_emulator::paths;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::authorize::{browser, log_in, SPA, SPA_CALLBACK, WEB, WEB_SECRET};
use crate::helpers::{call, fixture, json_of, mgmt_token, spawn_with, test_config, TestApp};

const CONNECTION: &str = "legacy-db";
const ANA: &str = "ana@legacy.example";
const ANA_ID: &str = "auth0|1001";
const LEGACY_PASSWORD: &str = "Legacy-Passw0rd!";
const ACTIONS: &[&str] = &["login", "get_user", "create", "verify", "change_password", "change_email", "delete"];

/// An emulator with the `legacy-db` custom database over a private copy of the fixture store.
struct Legacy {
    app: TestApp,
    store: PathBuf,
    _dir: tempfile::TempDir,
}

impl Legacy {
    fn store(&self) -> Vec<Value> {
        serde_json::from_str(&std::fs::read_to_string(&self.store).expect("store")).expect("store JSON")
    }

    fn stored(&self, email: &str) -> Option<Value> {
        self.store().into_iter().find(|u| u["email"] == email)
    }
}

/// The connection as a seed document: every fixture script, `import_mode` as given.
fn connection_seed(store: &std::path::Path, import_mode: bool) -> Value {
    let scripts: serde_json::Map<String, Value> = ACTIONS
        .iter()
        .map(|a| ((*a).to_string(), json!(format!("file:{}", fixture(&format!("custom-db/scripts/{a}.js")).display()))))
        .collect();
    json!({"connections": [{
        "name": CONNECTION,
        "strategy": "auth0",
        "options": {
            "enabledDatabaseCustomization": true,
            "import_mode": import_mode,
            "configuration": {"store_path": store.display().to_string()},
            "customScripts": scripts,
        }
    }]})
}

async fn legacy_with(import_mode: bool, tweak: impl FnOnce(&mut Config)) -> Legacy {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store.json");
    std::fs::copy(fixture("custom-db/store.json"), &store).expect("copy the store");
    let seed = dir.path().join("legacy.json");
    std::fs::write(&seed, connection_seed(&store, import_mode).to_string()).expect("seed");
    let mut config = test_config();
    config.seeds = vec![PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("seed-data"), seed];
    tweak(&mut config);
    Legacy { app: spawn_with(config).await, store, _dir: dir }
}

async fn legacy(import_mode: bool) -> Legacy {
    legacy_with(import_mode, |_| {}).await
}

/// A password-realm login to `legacy-db`.
async fn login(app: &TestApp, username: &str, password: &str) -> (StatusCode, Value) {
    login_at(app, CONNECTION, username, password).await
}

/// A password-realm login of the web client to `realm`.
async fn login_at(app: &TestApp, realm: &str, username: &str, password: &str) -> (StatusCode, Value) {
    let form = [
        ("grant_type", "http://auth0.com/oauth/grant-type/password-realm"),
        ("client_id", WEB),
        ("client_secret", WEB_SECRET),
        ("username", username),
        ("password", password),
        ("realm", realm),
        ("scope", "openid profile email"),
    ];
    json_of(app.http.post(app.url(paths::TOKEN)).form(&form).send().await.expect("request")).await
}

/// Every script call in the journal, oldest first, as `(action, outcome)`.
async fn script_calls(app: &TestApp) -> Vec<(String, String)> {
    let (_, body) = app.get("/__emulator/requests").await;
    let mut entries: Vec<Value> = body["requests"].as_array().cloned().unwrap_or_default();
    entries.sort_by_key(|e| e["seq"].as_u64());
    entries
        .iter()
        .flat_map(|e| e["scripts"].as_array().cloned().unwrap_or_default())
        .map(|c| (c["action"].as_str().unwrap_or("").to_string(), c["outcome"].as_str().unwrap_or("").to_string()))
        .collect()
}

fn calls(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(a, o)| ((*a).to_string(), (*o).to_string())).collect()
}

async fn user(app: &TestApp, id: &str) -> (StatusCode, Value) {
    let token = mgmt_token(app, "read:users update:users delete:users create:users").await;
    call(app, Method::GET, &format!("/api/v2/users/{}", id.replace('|', "%7C")), &token, None).await
}

#[tokio::test]
async fn a_script_login_maps_metadata_to_app_metadata_and_the_management_api_shows_it() {
    let legacy = legacy(false).await;
    let app = &legacy.app;
    let (status, tokens) = login(app, ANA, LEGACY_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let id_token = crate::authorize::claims(tokens["id_token"].as_str().expect("an ID token"));
    assert_eq!(id_token["sub"], ANA_ID);
    assert_eq!(id_token["name"], "Ana Legacy");

    let (status, shown) = user(app, ANA_ID).await;
    assert_eq!(status, StatusCode::OK, "{shown}");
    // `metadata` is app_metadata; where both name `tier`, app_metadata wins.
    assert_eq!(shown["app_metadata"], json!({"plan": "full", "tier": "silver"}));
    assert_eq!(shown["user_metadata"], json!({"hobby": "surfing"}));
    assert_eq!(shown["identities"][0], json!({"connection": CONNECTION, "user_id": "1001", "provider": "auth0", "isSocial": false}));
    assert_eq!(shown["logins_count"], 1);

    // Without import mode every login asks the script again.
    assert_eq!(login(app, ANA, LEGACY_PASSWORD).await.0, StatusCode::OK);
    assert_eq!(script_calls(app).await, calls(&[("login", "ok"), ("login", "ok")]));
    assert_eq!(user(app, ANA_ID).await.1["logins_count"], 2);
}

#[tokio::test]
async fn script_errors_get_auth0_answers_and_the_journal_names_each_outcome() {
    let legacy = legacy(false).await;
    let app = &legacy.app;
    assert_eq!(
        login(app, ANA, "wrong").await,
        (StatusCode::FORBIDDEN, json!({"error": "invalid_grant", "error_description": "Wrong email or password."}))
    );
    assert_eq!(
        login(app, "locked@legacy.example", LEGACY_PASSWORD).await,
        (StatusCode::UNAUTHORIZED, json!({"error": "unauthorized", "error_description": "This account is locked in the legacy store."}))
    );
    assert_eq!(
        login(app, "broken@legacy.example", LEGACY_PASSWORD).await,
        (StatusCode::INTERNAL_SERVER_ERROR, json!({"error": "server_error", "error_description": "legacy store is unreachable"}))
    );
    let (status, body) = login(app, "dotted@legacy.example", LEGACY_PASSWORD).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        body["error_description"],
        "the login script returned an invalid profile: user_metadata.a.b: field names may not contain '.' or '$'"
    );
    assert_eq!(
        script_calls(app).await,
        calls(&[("login", "wrong_credentials"), ("login", "unauthorized"), ("login", "error"), ("login", "ok")])
    );
    // Nothing was stored for the refused logins.
    assert_eq!(user(app, "auth0|1003").await.0, StatusCode::NOT_FOUND);
    assert_eq!(user(app, "auth0|1006").await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_script_that_never_calls_back_times_out_and_the_worker_keeps_serving() {
    let legacy = legacy_with(false, |c| c.scripts.timeout = std::time::Duration::from_millis(300)).await;
    let app = &legacy.app;
    assert_eq!(
        login(app, "slow@legacy.example", LEGACY_PASSWORD).await,
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({"error": "server_error", "error_description": "Script execution time exceeded (300 ms)"})
        )
    );
    assert_eq!(login(app, ANA, LEGACY_PASSWORD).await.0, StatusCode::OK);
    assert_eq!(script_calls(app).await, calls(&[("login", "timeout"), ("login", "ok")]));
}

#[tokio::test]
async fn without_node_a_javascript_script_fails_naming_the_missing_runtime() {
    let legacy = legacy_with(false, |c| c.scripts.node = PathBuf::from("/nonexistent/bin/node")).await;
    let (status, body) = login(&legacy.app, ANA, LEGACY_PASSWORD).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    let text = body["error_description"].as_str().unwrap_or_default();
    assert!(text.contains("need Node.js") && text.contains("/nonexistent/bin/node") && text.contains("--node"), "{text}");
    assert_eq!(script_calls(&legacy.app).await, calls(&[("login", "runtime_error")]));
}

#[tokio::test]
async fn signup_checks_get_user_creates_in_the_legacy_store_and_keeps_the_signup_metadata() {
    let legacy = legacy(false).await;
    let app = &legacy.app;
    let body = json!({"client_id": WEB, "connection": CONNECTION, "email": "New@Legacy.example", "password": "N3w-Passw0rd!",
                      "user_metadata": {"plan": "trial"}});
    let (status, created) = app.post(paths::SIGNUP, body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    // The id is the legacy store's (its 7th user), as `login` returned it after `create`.
    assert_eq!(created["_id"], "2006");
    assert_eq!(created["email"], "new@legacy.example");
    assert_eq!(created["user_metadata"], json!({"plan": "trial"}));
    let stored = legacy.stored("new@legacy.example").expect("create wrote the user");
    assert_eq!(stored["user_metadata"], json!({"plan": "trial"}));
    assert_eq!(script_calls(app).await, calls(&[("get_user", "ok"), ("create", "ok"), ("login", "ok")]));

    let (_, shown) = user(app, "auth0|2006").await;
    assert_eq!(shown["user_metadata"], json!({"plan": "trial"}));
    assert_eq!(login(app, "new@legacy.example", "N3w-Passw0rd!").await.0, StatusCode::OK);

    // get_user finds existing users: Auth0's user_exists, and create is never called.
    let (status, refused) = app.post(paths::SIGNUP, json!({"client_id": WEB, "connection": CONNECTION, "email": ANA, "password": "An0ther-Passw0rd!"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(refused["code"], "user_exists");
    assert_eq!(legacy.store().len(), 7);
}

#[tokio::test]
async fn import_mode_migrates_on_the_first_login_and_never_calls_login_again() {
    let legacy = legacy(true).await;
    let app = &legacy.app;
    assert_eq!(login(app, ANA, LEGACY_PASSWORD).await.0, StatusCode::OK);
    // The legacy store changes the password; the migrated user keeps the one that worked.
    let mut store = legacy.store();
    store[0]["password_sha256"] = json!("0");
    std::fs::write(&legacy.store, serde_json::to_string(&store).expect("json")).expect("write");
    assert_eq!(login(app, ANA, LEGACY_PASSWORD).await.0, StatusCode::OK);
    assert_eq!(login(app, ANA, "wrong").await.0, StatusCode::FORBIDDEN);
    assert_eq!(script_calls(app).await, calls(&[("login", "ok")]));
    let (_, shown) = user(app, ANA_ID).await;
    assert_eq!(shown["app_metadata"], json!({"plan": "full", "tier": "silver"}));
    assert_eq!(shown["logins_count"], 2);

    // A user still only in the legacy store can't sign up again (get_user), and may reset a
    // password: get_user brings the user over, the reset migrates them with the new password.
    let (status, refused) = app.post(paths::SIGNUP, json!({"client_id": WEB, "connection": CONNECTION, "email": "bo@legacy.example", "password": "An0ther-Passw0rd!"})).await;
    assert_eq!((status, refused["code"].clone()), (StatusCode::BAD_REQUEST, json!("user_exists")));
    let response = app
        .http
        .post(app.url(paths::CHANGE_PASSWORD))
        .json(&json!({"client_id": WEB, "connection": CONNECTION, "email": "bo@legacy.example"}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    let (_, outbox) = app.get(paths::CONTROL_OUTBOX).await;
    let link = outbox["messages"].as_array().and_then(|m| m.last()).and_then(|m| m["link"].as_str()).expect("a reset link").to_string();
    let ticket = url::Url::parse(&link).expect("url").query_pairs().find(|(k, _)| k == "ticket").map(|(_, v)| v.into_owned()).expect("ticket");
    let reset = app.http.post(app.url(paths::RESET_PASSWORD_PAGE)).form(&[("ticket", ticket.as_str()), ("password", "Migr4ted-Passw0rd!")]).send().await.expect("reset");
    assert_eq!(reset.status(), StatusCode::OK);
    assert_eq!(login(app, "bo@legacy.example", "Migr4ted-Passw0rd!").await.0, StatusCode::OK);
    assert_eq!(user(app, "auth0|1002").await.1["app_metadata"], json!({"plan": "basic"}));
    assert_eq!(script_calls(app).await, calls(&[("login", "ok"), ("get_user", "ok"), ("get_user", "ok")]));
}

#[tokio::test]
async fn management_api_writes_reach_the_legacy_store_through_their_scripts() {
    let legacy = legacy(false).await;
    let app = &legacy.app;
    let token = mgmt_token(app, "read:users update:users delete:users create:users").await;
    assert_eq!(login(app, ANA, LEGACY_PASSWORD).await.0, StatusCode::OK);
    let path = format!("/api/v2/users/{}", ANA_ID.replace('|', "%7C"));

    let (status, body) = call(app, Method::PATCH, &path, &token, Some(json!({"password": "Ch4nged-Passw0rd!"}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(login(app, ANA, "Ch4nged-Passw0rd!").await.0, StatusCode::OK);
    // The policy is checked before the script runs.
    let (status, _) = call(app, Method::PATCH, &path, &token, Some(json!({"password": "short"}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (status, body) = call(app, Method::PATCH, &path, &token, Some(json!({"email": "ana.new@legacy.example"}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(legacy.stored("ana.new@legacy.example").is_some());

    let (status, body) = call(app, Method::POST, "/api/v2/users", &token, Some(json!({"connection": CONNECTION, "email": "cy@legacy.example", "password": "Cy-Passw0rd!1"}))).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(legacy.stored("cy@legacy.example").is_some());
    let (status, _) = call(app, Method::POST, "/api/v2/users", &token, Some(json!({"connection": CONNECTION, "email": "bo@legacy.example", "password": "Bo-Passw0rd!1"}))).await;
    assert_eq!(status, StatusCode::CONFLICT);

    let (status, _) = call(app, Method::DELETE, &path, &token, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(legacy.stored("ana.new@legacy.example").is_none(), "delete removed the user from the legacy store");
    assert_eq!(
        script_calls(app).await,
        calls(&[
            ("login", "ok"),
            ("change_password", "ok"),
            ("login", "ok"),
            ("change_email", "ok"),
            ("get_user", "ok"),
            ("create", "ok"),
            ("get_user", "ok"),
            ("delete", "ok"),
        ])
    );
}

#[tokio::test]
async fn email_verification_runs_verify() {
    let legacy = legacy(false).await;
    let app = &legacy.app;
    assert_eq!(login(app, "bo@legacy.example", LEGACY_PASSWORD).await.0, StatusCode::OK);
    let token = mgmt_token(app, "update:users").await;
    let (status, body) = call(app, Method::PATCH, "/api/v2/users/auth0%7C1002", &token, Some(json!({"email_verified": true}))).await;
    assert_eq!((status, body["email_verified"].clone()), (StatusCode::OK, json!(true)));
    assert_eq!(legacy.stored("bo@legacy.example").map(|u| u["verified"].clone()), Some(json!(true)));
    assert_eq!(script_calls(app).await, calls(&[("login", "ok"), ("verify", "ok")]));
}

#[tokio::test]
async fn the_hosted_login_page_and_cross_origin_login_run_the_login_script() {
    let legacy = legacy(false).await;
    let app = &legacy.app;
    let client = browser(app);
    let params = [("client_id", SPA), ("response_type", "token"), ("redirect_uri", SPA_CALLBACK), ("connection", CONNECTION)];
    let wrong = log_in(app, &client, &params, ANA, "wrong").await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(wrong.body.contains("Wrong email or password."));
    let done = log_in(app, &client, &params, ANA, LEGACY_PASSWORD).await;
    assert_eq!(done.status, StatusCode::FOUND, "{}", done.body);
    assert!(done.location.as_deref().is_some_and(|l| l.starts_with(SPA_CALLBACK) && l.contains("access_token=")));

    let ticket = app
        .http
        .post(app.url(paths::CO_AUTHENTICATE))
        .json(&json!({"client_id": SPA, "username": ANA, "password": LEGACY_PASSWORD, "realm": CONNECTION,
                      "credential_type": "http://auth0.com/oauth/grant-type/password-realm"}))
        .send()
        .await
        .expect("request");
    let (status, body) = json_of(ticket).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["login_ticket"].is_string());
    assert_eq!(script_calls(app).await, calls(&[("login", "wrong_credentials"), ("login", "ok"), ("login", "ok")]));
}

#[tokio::test]
async fn connections_created_through_the_management_api_run_their_scripts() {
    let app = spawn_with(test_config()).await;
    let token = mgmt_token(&app, "create:connections read:connections read:users").await;
    let login_js = "function login(email, password, callback) {\n  if (password !== configuration.secret) return callback(new WrongUsernameOrPasswordError(email, 'Nope.'));\n  callback(null, {id: 'x7', email: email, metadata: {source: 'api'}});\n}";
    let body = json!({"name": "api-db", "strategy": "auth0", "enabled_clients": [WEB],
                      "options": {"enabledDatabaseCustomization": true, "configuration": {"secret": "S3cret!!"},
                                  "customScripts": {"login": login_js}}});
    let (status, created) = call(&app, Method::POST, "/api/v2/connections", &token, Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["options"]["customScripts"]["login"], login_js);
    let attempt = |password: &'static str| {
        let app = &app;
        async move {
            let form = [("grant_type", "password"), ("client_id", WEB), ("client_secret", WEB_SECRET), ("username", "zed@api.example"), ("password", password), ("realm", "api-db")];
            json_of(app.http.post(app.url(paths::TOKEN)).form(&form).send().await.expect("request")).await
        }
    };
    // The script's own message replaces Auth0's default text.
    assert_eq!(attempt("guess").await, (StatusCode::FORBIDDEN, json!({"error": "invalid_grant", "error_description": "Nope."})));
    assert_eq!(attempt("S3cret!!").await.0, StatusCode::OK);
    let (_, shown) = call(&app, Method::GET, "/api/v2/users/auth0%7Cx7", &token, None).await;
    assert_eq!(shown["app_metadata"], json!({"source": "api"}));
}

/// A legacy store behind an HTTP hook: records each call's body and answers per action.
async fn hook_server() -> (String, Arc<Mutex<Vec<Value>>>) {
    use axum::routing::post;
    let seen: Arc<Mutex<Vec<Value>>> = Arc::default();
    let record = seen.clone();
    let router = axum::Router::new().route(
        "/legacy",
        post(move |axum::Json(body): axum::Json<Value>| {
            let record = record.clone();
            async move {
                record.lock().expect("lock").push(body.clone());
                let answer = match (body["action"].as_str(), body["password"].as_str()) {
                    (Some("login"), Some("hook-pass")) => json!({"user_id": "h1", "email": body["email"], "metadata": {"plan": "hooked"}, "app_metadata": {"plan": "wins"}}),
                    (Some("login"), _) => json!({"error": {"name": "WrongUsernameOrPasswordError", "message": "Hook says no."}}),
                    (Some("get_user"), _) => Value::Null,
                    _ => json!({"error": {"name": "ValidationError", "code": "invalid_signup", "message": "hook refuses signups"}}),
                };
                axum::Json(answer)
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/legacy", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, router).await.expect("hook server") });
    (url, seen)
}

#[tokio::test]
async fn an_http_hook_serves_the_same_contract() {
    let (url, seen) = hook_server().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let seed = dir.path().join("hook.json");
    let doc = json!({"connections": [{"name": "hook-db", "options": {"enabledDatabaseCustomization": true, "configuration": {"k": "v"},
                      "customScripts": {"login": url, "get_user": url, "create": url}}}]});
    std::fs::write(&seed, doc.to_string()).expect("seed");
    let mut config = test_config();
    config.seeds = vec![PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("seed-data"), seed];
    let app = spawn_with(config).await;
    let (status, body) = login_at(&app, "hook-db", "hook@example.com", "nope").await;
    assert_eq!((status, body["error_description"].clone()), (StatusCode::FORBIDDEN, json!("Hook says no.")));
    let (status, body) = login_at(&app, "hook-db", "hook@example.com", "hook-pass").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let token = mgmt_token(&app, "read:users").await;
    let (_, shown) = call(&app, Method::GET, "/api/v2/users/auth0%7Ch1", &token, None).await;
    assert_eq!(shown["app_metadata"], json!({"plan": "wins"}));

    let (status, refused) = app.post(paths::SIGNUP, json!({"client_id": WEB, "connection": "hook-db", "email": "n@example.com", "password": "Passw0rd!x"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!((refused["code"].clone(), refused["description"].clone()), (json!("invalid_signup"), json!("hook refuses signups")));

    let bodies = seen.lock().expect("lock").clone();
    assert_eq!(bodies[0], json!({"action": "login", "connection": "hook-db", "configuration": {"k": "v"}, "email": "hook@example.com", "password": "nope"}));
    let actions: Vec<&str> = bodies.iter().filter_map(|b| b["action"].as_str()).collect();
    assert_eq!(actions, ["login", "login", "get_user", "create"]);
    assert_eq!(bodies[3]["user"]["email"], "n@example.com");
    let (_, journal) = app.get("/__emulator/requests").await;
    let runners: Vec<Value> = journal["requests"].as_array().into_iter().flatten().flat_map(|e| e["scripts"].as_array().cloned().unwrap_or_default()).map(|c| c["runner"].clone()).collect();
    assert!(!runners.is_empty() && runners.iter().all(|r| r == "http"), "{runners:?}");
}

#[tokio::test]
async fn a_script_stuck_in_a_loop_gets_the_worker_restarted() {
    let legacy = legacy_with(false, |c| c.scripts.timeout = std::time::Duration::from_millis(200)).await;
    let app = &legacy.app;
    let token = mgmt_token(app, "create:connections").await;
    let body = json!({"name": "loop-db", "strategy": "auth0", "enabled_clients": [WEB],
                      "options": {"enabledDatabaseCustomization": true, "customScripts": {"login": "function login(e, p, cb) { for (;;) {} }"}}});
    assert_eq!(call(app, Method::POST, "/api/v2/connections", &token, Some(body)).await.0, StatusCode::CREATED);
    let (status, body) = login_at(app, "loop-db", ANA, "x").await;
    assert_eq!((status, body["error_description"].clone()), (StatusCode::INTERNAL_SERVER_ERROR, json!("Script execution time exceeded (200 ms)")));
    // A fresh worker answers the next call.
    assert_eq!(login(app, ANA, LEGACY_PASSWORD).await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_client_that_fails_authentication_never_reaches_the_script() {
    let legacy = legacy(false).await;
    let app = &legacy.app;
    let form = [("grant_type", "http://auth0.com/oauth/grant-type/password-realm"), ("client_id", WEB), ("client_secret", "wrong"),
                ("username", ANA), ("password", LEGACY_PASSWORD), ("realm", CONNECTION)];
    let (status, _) = json_of(app.http.post(app.url(paths::TOKEN)).form(&form).send().await.expect("request")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let response = app.http.post(app.url(paths::CO_AUTHENTICATE)).header("origin", "https://evil.example")
        .json(&json!({"client_id": SPA, "username": ANA, "password": LEGACY_PASSWORD, "realm": CONNECTION})).send().await.expect("request");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(script_calls(app).await, calls(&[]));
}

#[tokio::test]
async fn scripts_require_modules_from_the_scripts_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let module = dir.path().join("node_modules").join("legacy-driver");
    std::fs::create_dir_all(&module).expect("mkdir");
    std::fs::write(module.join("index.js"), "module.exports.find = (email) => ({ id: 'drv-1', email, plan: 'from-driver' });\n").expect("module");
    let scripts_dir = dir.path().to_path_buf();
    let legacy = legacy_with(false, |c| c.scripts.dir = Some(scripts_dir)).await;
    let app = &legacy.app;
    let token = mgmt_token(app, "create:connections read:users").await;
    let login_js = "function login(email, password, callback) {\n  const row = require('legacy-driver').find(email);\n  callback(null, { user_id: row.id, email: row.email, metadata: { plan: row.plan } });\n}";
    let body = json!({"name": "driver-db", "strategy": "auth0", "enabled_clients": [WEB],
                      "options": {"enabledDatabaseCustomization": true, "customScripts": {"login": login_js}}});
    assert_eq!(call(app, Method::POST, "/api/v2/connections", &token, Some(body)).await.0, StatusCode::CREATED);
    let (status, body) = login_at(app, "driver-db", "d@driver.example", "x").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, shown) = call(app, Method::GET, "/api/v2/users/auth0%7Cdrv-1", &token, None).await;
    assert_eq!(shown["app_metadata"], json!({"plan": "from-driver"}));
}
