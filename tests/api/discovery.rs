use base64::Engine;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn discovery_names_the_issuer_with_a_trailing_slash_and_a_jwks_on_the_same_origin() {
    let app = spawn_app().await;
    let (status, doc) = app.get("/.well-known/openid-configuration").await;
    assert_eq!(status, StatusCode::OK);
    let issuer = format!("https://localhost:{}/", app.addr.port());
    assert_eq!(doc["issuer"], json!(issuer));
    assert_eq!(doc["jwks_uri"], json!(format!("{issuer}.well-known/jwks.json")));
    assert_eq!(doc["id_token_signing_alg_values_supported"], json!(["HS256", "RS256"]));
    // The same document is served as OAuth authorization-server metadata.
    let (_, again) = app.get("/.well-known/oauth-authorization-server").await;
    assert_eq!(again, doc);
    app.stop().await;
}

#[tokio::test]
async fn discovery_follows_a_configured_domain() {
    let mut config = crate::helpers::test_config();
    config.domain = Some("auth.example.test".into());
    let app = crate::helpers::spawn_with(config).await;
    let response = app.http.get(app.plain_url("/.well-known/openid-configuration")).send().await.expect("request");
    let doc: serde_json::Value = response.json().await.expect("json");
    assert_eq!(doc["issuer"], "https://auth.example.test/");
    assert_eq!(doc["jwks_uri"], "https://auth.example.test/.well-known/jwks.json");
    app.stop().await;
}

#[tokio::test]
async fn the_jwks_publishes_an_rs256_signing_key_with_x5c_and_x5t() {
    let app = spawn_app().await;
    let response = app.http.get(app.url("/.well-known/jwks.json")).send().await.expect("request");
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    let jwks: serde_json::Value = response.json().await.expect("json");
    let keys = jwks["keys"].as_array().expect("keys");
    assert_eq!(keys.len(), 1);
    let key = &keys[0];
    for field in ["kid", "kty", "n", "e", "alg", "use", "x5t"] {
        assert!(key[field].is_string(), "{field} missing in {key}");
    }
    assert_eq!((key["kty"].as_str(), key["alg"].as_str(), key["use"].as_str()), (Some("RSA"), Some("RS256"), Some("sig")));
    // x5t is the SHA-1 thumbprint of the x5c certificate.
    let der = base64::engine::general_purpose::STANDARD.decode(key["x5c"][0].as_str().expect("x5c")).expect("base64");
    let sha1 = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, &der);
    assert_eq!(key["x5t"], json!(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha1)));
    // The certificate carries the same modulus as `n`.
    let n = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(key["n"].as_str().expect("n")).expect("n");
    assert!(der.windows(n.len()).any(|w| w == n.as_slice()), "x5c does not hold the key's modulus");
    app.stop().await;
}
