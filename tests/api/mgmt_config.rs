//! Management API tenant configuration: clients, connections, APIs (resource servers) and client
//! grants — created, changed and deleted through the API, with Auth0's bodies, and taking effect
//! on the next token request.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{call, mgmt_token as token, spawn_app, TestApp};

const API: &str = "https://api.example.test/";
const ALL: &str = "read:clients read:client_keys create:clients update:clients delete:clients \
    read:connections create:connections update:connections delete:connections \
    read:resource_servers create:resource_servers update:resource_servers delete:resource_servers \
    read:client_grants create:client_grants update:client_grants delete:client_grants create:users";

async fn client_credentials(app: &TestApp, client: &Value, audience: &str) -> (StatusCode, Value) {
    app.post("/oauth/token", json!({"grant_type": "client_credentials", "client_id": client["client_id"],
        "client_secret": client["client_secret"], "audience": audience})).await
}

fn encoded(id: &str) -> String {
    url::form_urlencoded::byte_serialize(id.as_bytes()).collect()
}

#[tokio::test]
async fn a_client_created_through_the_api_gets_tokens_once_a_grant_exists() {
    let app = spawn_app().await;
    let t = token(&app, ALL).await;
    let (status, client) = call(&app, Method::POST, "/api/v2/clients", &t, Some(json!({"name": "Worker", "app_type": "non_interactive", "logo_uri": "https://x.test/l.png"}))).await;
    assert_eq!(status, StatusCode::CREATED, "{client}");
    let id = client["client_id"].as_str().expect("client_id").to_string();
    assert!(id.len() == 32 && id.bytes().all(|b| b.is_ascii_alphanumeric()), "{id}");
    assert_eq!(client["client_secret"].as_str().map(str::len), Some(64));
    assert_eq!((&client["grant_types"], &client["token_endpoint_auth_method"]), (&json!(["client_credentials"]), &json!("client_secret_post")));

    let (status, body) = client_credentials(&app, &client, API).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::FORBIDDEN, Some("access_denied")));

    let (status, grant) = call(&app, Method::POST, "/api/v2/client-grants", &t, Some(json!({"client_id": id, "audience": API, "scope": ["read:things"]}))).await;
    assert_eq!(status, StatusCode::CREATED, "{grant}");
    let grant_id = grant["id"].as_str().expect("id").to_string();
    assert!(grant_id.starts_with("cgr_") && grant_id.len() == 20, "{grant_id}");
    assert_eq!(grant, json!({"id": grant_id, "client_id": id, "audience": API, "scope": ["read:things"]}));
    let (status, tokens) = client_credentials(&app, &client, API).await;
    assert_eq!((status, tokens["scope"].as_str()), (StatusCode::OK, Some("read:things")));

    let (status, body) = call(&app, Method::POST, "/api/v2/client-grants", &t, Some(json!({"client_id": id, "audience": API}))).await;
    assert_eq!((status, body), (StatusCode::CONFLICT, json!({"statusCode": 409, "error": "Conflict",
        "message": format!("A client grant already exists between {id} and {API}")})));

    let (_, patched) = call(&app, Method::PATCH, &format!("/api/v2/client-grants/{grant_id}"), &t, Some(json!({"scope": ["read:things", "write:things"]}))).await;
    assert_eq!(patched["scope"], json!(["read:things", "write:things"]));
    let (_, tokens) = client_credentials(&app, &client, API).await;
    assert_eq!(tokens["scope"], "read:things write:things");
    let (_, listed) = call(&app, Method::GET, &format!("/api/v2/client-grants?client_id={id}&include_totals=true"), &t, None).await;
    assert_eq!(listed, json!({"total": 1, "start": 0, "limit": 50, "client_grants": [patched]}));

    let (status, _) = call(&app, Method::DELETE, &format!("/api/v2/client-grants/{grant_id}"), &t, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = client_credentials(&app, &client, API).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = call(&app, Method::GET, &format!("/api/v2/client-grants/{grant_id}"), &t, None).await;
    assert_eq!((status, body), (StatusCode::NOT_FOUND, json!({"statusCode": 404, "error": "Not Found", "message": "The client grant does not exist."})));
    app.stop().await;
}

#[tokio::test]
async fn clients_are_paged_patched_deleted_and_hide_secrets_without_read_client_keys() {
    let app = spawn_app().await;
    let t = token(&app, ALL).await;
    let (_, page) = call(&app, Method::GET, "/api/v2/clients?include_totals=true&per_page=2&fields=client_id,app_type", &t, None).await;
    assert_eq!(page, json!({"total": 3, "start": 0, "limit": 2, "clients": [
        {"client_id": "spa-client", "app_type": "spa"}, {"client_id": "web-client", "app_type": "regular_web"}]}));
    let (_, first) = call(&app, Method::GET, "/api/v2/clients?take=2&fields=client_id", &t, None).await;
    assert_eq!(first["clients"], json!([{"client_id": "m2m-client"}, {"client_id": "spa-client"}]), "checkpoint pages go by client id");
    let (_, last) = call(&app, Method::GET, &format!("/api/v2/clients?take=2&fields=client_id&from={}", first["next"].as_str().expect("next")), &t, None).await;
    assert_eq!(last, json!({"clients": [{"client_id": "web-client"}]}));

    let summary = token(&app, "read:clients").await;
    let (_, web) = call(&app, Method::GET, "/api/v2/clients/web-client", &summary, None).await;
    assert!(web.get("client_secret").is_none() && web["name"] == "Example Regular Web App", "{web}");
    let (_, web) = call(&app, Method::GET, "/api/v2/clients/web-client", &t, None).await;
    assert_eq!(web["client_secret"], "web-client-secret");

    let (status, patched) = call(&app, Method::PATCH, "/api/v2/clients/web-client", &t, Some(json!({"callbacks": ["http://localhost:4000/cb"], "description": "patched"}))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((&patched["callbacks"], &patched["description"], &patched["client_secret"]), (&json!(["http://localhost:4000/cb"]), &json!("patched"), &json!("web-client-secret")));
    let (status, body) = call(&app, Method::PATCH, "/api/v2/clients/web-client", &t, Some(json!({"client_id": "other"}))).await;
    assert_eq!((status, body["message"].as_str()), (StatusCode::BAD_REQUEST, Some("Payload validation error: 'Additional properties not allowed: client_id'.")));
    let (status, body) = call(&app, Method::POST, "/api/v2/clients", &t, Some(json!({"app_type": "spa"}))).await;
    assert_eq!((status, body["message"].as_str()), (StatusCode::BAD_REQUEST, Some("Payload validation error: 'Missing required property: name'.")));

    let (status, _) = call(&app, Method::DELETE, "/api/v2/clients/m2m-client", &t, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(&app, Method::DELETE, "/api/v2/clients/m2m-client", &t, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "deleting again is not an error");
    let (status, body) = call(&app, Method::GET, "/api/v2/clients/m2m-client", &t, None).await;
    assert_eq!((status, body), (StatusCode::NOT_FOUND, json!({"statusCode": 404, "error": "Not Found", "message": "The client does not exist", "errorCode": "inexistent_client"})));
    let (_, grants) = call(&app, Method::GET, "/api/v2/client-grants?client_id=m2m-client", &t, None).await;
    assert_eq!(grants, json!([]), "the client's grants went with it");
    app.stop().await;
}

#[tokio::test]
async fn a_connection_created_through_the_api_takes_users_and_logins() {
    let app = spawn_app().await;
    let t = token(&app, ALL).await;
    let (status, connection) = call(&app, Method::POST, "/api/v2/connections", &t,
        Some(json!({"name": "Staff", "strategy": "auth0", "enabled_clients": ["web-client"], "options": {"passwordPolicy": "low"}}))).await;
    assert_eq!(status, StatusCode::CREATED, "{connection}");
    let id = connection["id"].as_str().expect("id").to_string();
    assert!(id.starts_with("con_") && id.len() == 20, "{id}");
    assert_eq!(connection, json!({"id": id, "options": {"passwordPolicy": "low", "brute_force_protection": true}, "strategy": "auth0",
        "name": "Staff", "is_domain_connection": false, "enabled_clients": ["web-client"], "realms": ["Staff"]}));
    let (status, body) = call(&app, Method::POST, "/api/v2/connections", &t, Some(json!({"name": "Staff", "strategy": "auth0"}))).await;
    assert_eq!((status, body), (StatusCode::CONFLICT, json!({"statusCode": 409, "error": "Conflict",
        "message": "A connection with the same name already exists", "errorCode": "connection_conflict"})));

    let (status, user) = call(&app, Method::POST, "/api/v2/users", &t, Some(json!({"connection": "Staff", "email": "ann@staff.test", "password": "secret"}))).await;
    assert_eq!(status, StatusCode::CREATED, "the connection's low policy applies: {user}");
    let login = json!({"grant_type": "http://auth0.com/oauth/grant-type/password-realm", "client_id": "web-client",
        "client_secret": "web-client-secret", "username": "ann@staff.test", "password": "secret", "realm": "Staff"});
    let (status, _) = app.post("/oauth/token", login.clone()).await;
    assert_eq!(status, StatusCode::OK);

    let (_, patched) = call(&app, Method::PATCH, &format!("/api/v2/connections/{id}"), &t, Some(json!({"options": {"requires_username": false}}))).await;
    assert_eq!(patched["options"], json!({"requires_username": false}), "options are replaced as a whole");
    let (_, listed) = call(&app, Method::GET, "/api/v2/connections?strategy=email&strategy=sms&fields=name", &t, None).await;
    assert_eq!(listed, json!([{"name": "email"}, {"name": "sms"}]));
    let (_, named) = call(&app, Method::GET, "/api/v2/connections?name=Staff&include_totals=true&fields=id", &t, None).await;
    assert_eq!(named, json!({"total": 1, "start": 0, "limit": 100, "connections": [{"id": id}]}));

    let (status, body) = call(&app, Method::DELETE, &format!("/api/v2/connections/{id}"), &t, None).await;
    assert_eq!((status, body), (StatusCode::ACCEPTED, json!({"deleted_at": "2023-11-14T22:13:20.000Z"})), "the frozen clock's now");
    let (status, body) = call(&app, Method::GET, &format!("/api/v2/connections/{id}"), &t, None).await;
    assert_eq!((status, body), (StatusCode::NOT_FOUND, json!({"statusCode": 404, "error": "Not Found",
        "message": "The connection does not exist", "errorCode": "inexistent_connection"})));
    let (status, _) = call(&app, Method::DELETE, &format!("/api/v2/connections/{id}"), &t, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.post("/oauth/token", login).await;
    assert_ne!(status, StatusCode::OK, "the connection's users went with it");
    app.stop().await;
}

#[tokio::test]
async fn resource_servers_have_unique_identifiers_and_the_management_api_is_protected() {
    let app = spawn_app().await;
    let t = token(&app, ALL).await;
    let (status, api) = call(&app, Method::POST, "/api/v2/resource-servers", &t,
        Some(json!({"name": "Orders", "identifier": "https://orders.test/", "scopes": [{"value": "read:orders", "description": "Read orders"}]}))).await;
    assert_eq!(status, StatusCode::CREATED, "{api}");
    let id = api["id"].as_str().expect("id").to_string();
    assert!(id.len() == 24 && id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
    assert_eq!(api, json!({"id": id, "name": "Orders", "identifier": "https://orders.test/",
        "scopes": [{"value": "read:orders", "description": "Read orders"}], "signing_alg": "RS256", "allow_offline_access": false,
        "token_lifetime": 86400, "token_lifetime_for_web": 7200, "skip_consent_for_verifiable_first_party_clients": false,
        "enforce_policies": false, "token_dialect": "access_token"}));
    let (status, body) = call(&app, Method::POST, "/api/v2/resource-servers", &t, Some(json!({"identifier": "https://orders.test/"}))).await;
    assert_eq!((status, body), (StatusCode::CONFLICT, json!({"statusCode": 409, "error": "Conflict", "message": "A resource server with the same identifier already exists"})));
    let (_, by_identifier) = call(&app, Method::GET, &format!("/api/v2/resource-servers/{}", encoded("https://orders.test/")), &t, None).await;
    assert_eq!(by_identifier, api);

    let (_, m2m) = call(&app, Method::GET, "/api/v2/clients/m2m-client", &t, None).await;
    call(&app, Method::POST, "/api/v2/client-grants", &t, Some(json!({"client_id": "m2m-client", "audience": "https://orders.test/", "scope": ["read:orders"]}))).await;
    let (status, tokens) = client_credentials(&app, &m2m, "https://orders.test/").await;
    assert_eq!((status, tokens["scope"].as_str()), (StatusCode::OK, Some("read:orders")));
    let (_, patched) = call(&app, Method::PATCH, &format!("/api/v2/resource-servers/{id}"), &t, Some(json!({"token_lifetime": 600}))).await;
    assert_eq!(patched["token_lifetime"], 600);
    let (_, tokens) = client_credentials(&app, &m2m, "https://orders.test/").await;
    assert_eq!(tokens["expires_in"], 600, "the change applies to the next token");

    let management = format!("{}api/v2/", app.base);
    let (_, system) = call(&app, Method::GET, &format!("/api/v2/resource-servers?identifiers={}&fields=id,is_system", encoded(&management)), &t, None).await;
    let system_id = system[0]["id"].as_str().expect("id").to_string();
    assert_eq!(system, json!([{"id": system_id, "is_system": true}]));
    let (status, body) = call(&app, Method::PATCH, &format!("/api/v2/resource-servers/{system_id}"), &t, Some(json!({"name": "mine"}))).await;
    assert_eq!((status, body), (StatusCode::BAD_REQUEST, json!({"statusCode": 400, "error": "Bad Request", "message": "System resource servers cannot be patched."})));
    let (status, body) = call(&app, Method::DELETE, &format!("/api/v2/resource-servers/{system_id}"), &t, None).await;
    assert_eq!((status, body), (StatusCode::BAD_REQUEST, json!({"statusCode": 400, "error": "Bad Request", "message": "System resource servers cannot be deleted."})));

    let (status, _) = call(&app, Method::DELETE, &format!("/api/v2/resource-servers/{id}"), &t, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = call(&app, Method::GET, &format!("/api/v2/resource-servers/{id}"), &t, None).await;
    assert_eq!((status, body), (StatusCode::NOT_FOUND, json!({"statusCode": 404, "error": "Not Found",
        "message": "The resource server does not exist", "errorCode": "inexistent_resource_server"})));
    let (_, grants) = call(&app, Method::GET, "/api/v2/client-grants?audience=https://orders.test/", &t, None).await;
    assert_eq!(grants, json!([]), "the API's grants went with it");
    let (status, body) = call(&app, Method::POST, "/api/v2/client-grants", &t, Some(json!({"client_id": "m2m-client", "audience": "https://orders.test/"}))).await;
    assert_eq!((status, body), (StatusCode::NOT_FOUND, json!({"statusCode": 404, "error": "Not Found", "message": "No resource with identifier https://orders.test/"})));
    app.stop().await;
}

#[tokio::test]
async fn configuration_endpoints_refuse_tokens_without_their_scopes() {
    let app = spawn_app().await;
    let weak = token(&app, "read:users").await;
    let forbidden = |message: &str| json!({"statusCode": 403, "error": "Forbidden", "message": message, "errorCode": "insufficient_scope"});
    let cases = [
        (Method::GET, "/api/v2/clients", "Insufficient scope, expected any of: read:clients,read:client_keys,read:client_credentials,read:client_summary"),
        (Method::POST, "/api/v2/clients", "Insufficient scope, expected any of: create:clients"),
        (Method::DELETE, "/api/v2/clients/web-client", "Insufficient scope, expected any of: delete:clients"),
        (Method::GET, "/api/v2/connections", "Insufficient scope, expected any of: read:connections"),
        (Method::PATCH, "/api/v2/connections/con_x", "Insufficient scope, expected any of: update:connections"),
        (Method::POST, "/api/v2/resource-servers", "Insufficient scope, expected any of: create:resource_servers"),
        (Method::DELETE, "/api/v2/resource-servers/x", "Insufficient scope, expected any of: delete:resource_servers"),
        (Method::GET, "/api/v2/client-grants", "Insufficient scope, expected any of: read:client_grants"),
        (Method::PATCH, "/api/v2/client-grants/cgr_x", "Insufficient scope, expected any of: update:client_grants"),
    ];
    for (method, path, message) in cases {
        let (status, body) = call(&app, method.clone(), path, &weak, Some(json!({}))).await;
        assert_eq!((status, body), (StatusCode::FORBIDDEN, forbidden(message)), "{method} {path}");
    }
    let t = token(&app, ALL).await;
    let (status, body) = call(&app, Method::POST, "/api/v2/connections", &t, Some(json!({"name": "x", "strategy": "auth0", "surprise": true}))).await;
    assert_eq!((status, body), (StatusCode::BAD_REQUEST, json!({"statusCode": 400, "error": "Bad Request",
        "message": "Payload validation error: 'Additional properties not allowed: surprise'.", "errorCode": "invalid_body"})));
    let (status, body) = call(&app, Method::PATCH, "/api/v2/connections/con_nope", &t, Some(json!({"options": {}}))).await;
    assert_eq!((status, body["errorCode"].as_str()), (StatusCode::NOT_FOUND, Some("inexistent_connection")));
    let (status, body) = call(&app, Method::GET, "/api/v2/clients?per_page=abc", &t, None).await;
    assert_eq!((status, body["errorCode"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_query_string")));
    app.stop().await;
}

#[tokio::test]
async fn reset_restores_the_seeded_configuration() {
    let app = spawn_app().await;
    let t = token(&app, ALL).await;
    call(&app, Method::DELETE, "/api/v2/clients/web-client", &t, None).await;
    let (status, _) = app.post("/__emulator/reset", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, web) = call(&app, Method::GET, "/api/v2/clients/web-client", &t, None).await;
    assert_eq!((status, web["client_id"].as_str()), (StatusCode::OK, Some("web-client")));
    app.stop().await;
}
