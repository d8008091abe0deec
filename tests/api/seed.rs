//! Seed files: formats, merging, defaults, and errors that name the file, the path and the reason.

use std::path::Path;

use auth0_emulator::rng::SeededRng;
use auth0_emulator::tenant::seed::{self, BuildContext, SeedError, SeedFile};
use auth0_emulator::tenant::TenantData;
use serde_json::json;

fn file(name: &str, text: &str) -> SeedFile {
    SeedFile { name: name.into(), text: text.into() }
}

fn build(files: &[SeedFile]) -> Result<TenantData, SeedError> {
    let rng = SeededRng::new(1);
    seed::build(files, &BuildContext { management_audience: "https://localhost:4443/api/v2/".into(), rng: &rng, now: 1_700_000_000_000 })
}

fn error(files: &[SeedFile]) -> String {
    build(files).expect_err("seed must be refused").to_string()
}

#[test]
fn the_embedded_tenant_loads() {
    let data = build(&seed::embedded()).expect("embedded seed");
    assert_eq!(data.users.len(), 3);
    assert!(data.client("m2m-client").is_some());
    let jane = data.users.by_email("Username-Password-Authentication", "jane@example.com").expect("jane");
    assert!(jane.password.as_ref().is_some_and(|p| p.verify("Passw0rd!")));
    assert_eq!(jane.role_ids.len(), 1);
}

#[test]
fn a_bulk_import_array_becomes_users_with_auth0_defaults() {
    let data = build(&[file("users.json", r#"[{"email": "Test-User@Example.com", "user_id": "abc"}]"#)]).expect("seed");
    let user = data.users.get("auth0|abc").expect("prefixed id");
    let view = serde_json::to_value(user.view()).expect("json");
    assert_eq!(view["email"], "test-user@example.com");
    assert_eq!(view["name"], "test-user@example.com");
    assert_eq!(view["nickname"], "test-user");
    assert_eq!(view["email_verified"], false);
    assert_eq!(view["identities"], json!([{"connection": "Username-Password-Authentication", "user_id": "abc", "provider": "auth0", "isSocial": false}]));
    assert_eq!(view["created_at"], "2023-11-14T22:13:20.000Z");
    assert!(view["picture"].as_str().is_some_and(|p| p.starts_with("https://s.gravatar.com/avatar/")));
    assert!(view.get("user_metadata").is_none() && view.get("blocked").is_none(), "absent attributes are omitted: {view}");
}

#[test]
fn generated_ids_have_auth0_formats() {
    let data = build(&[file("t.json", r#"{"roles": [{"name": "r"}], "users": [{"email": "a@b.c"}]}"#)]).expect("seed");
    let user = data.users.iter().next().expect("user");
    let hex = user.user_id.strip_prefix("auth0|").expect("prefix");
    assert!(hex.len() == 24 && hex.bytes().all(|b| b.is_ascii_hexdigit()), "{}", user.user_id);
    assert!(data.roles[0].id.starts_with("rol_") && data.roles[0].id.len() == 20);
    assert!(data.connections[0].id.starts_with("con_") && data.connections[0].id.len() == 20);
}

#[test]
fn documents_merge_in_order_with_later_definitions_winning() {
    let a = file("a.json", r#"{"clients": [{"client_id": "c", "name": "first", "app_type": "spa"}], "users": [{"email": "a@b.c"}]}"#);
    let b = file("b.json", r#"{"clients": [{"client_id": "c", "name": "second", "app_type": "non_interactive"}], "users": [{"email": "d@e.f"}]}"#);
    let data = build(&[a, b]).expect("merge");
    assert_eq!(data.clients.len(), 1);
    assert_eq!(data.clients[0].name, "second");
    assert_eq!(data.clients[0].grant_types, vec!["client_credentials".to_string()]);
    assert!(data.clients[0].client_secret.is_some(), "a confidential client gets a secret");
    assert_eq!(data.users.len(), 2);
}

#[test]
fn password_hash_and_custom_password_hash_log_in_with_the_original_password() {
    let bcrypt = "$2b$04$eT4RKr4VBbWFmV4O0eR0Ie3K1nAgu0Bp6gxWJfU3W2qD6hM0OKZb2";
    let seed = json!([
        {"email": "b@x.y", "password_hash": bcrypt},
        {"email": "s@x.y", "custom_password_hash": {"algorithm": "sha256", "hash": {"value": "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8", "encoding": "hex"}}}
    ]);
    let data = build(&[file("u.json", &seed.to_string())]).expect("seed");
    let b = data.users.by_email("Username-Password-Authentication", "b@x.y").expect("b");
    assert!(b.password.as_ref().is_some_and(|p| !p.is_fast()));
    let s = data.users.by_email("Username-Password-Authentication", "s@x.y").expect("s");
    assert!(s.password.as_ref().is_some_and(|p| p.verify("password")));
    assert!(!s.password.as_ref().is_some_and(|p| p.verify("Password")));
}

#[test]
fn the_custom_database_metadata_alias_becomes_app_metadata_with_app_metadata_winning() {
    let seed = json!({
        "connections": [{"name": "legacy", "options": {"enabledDatabaseCustomization": true}}],
        "users": [{"email": "m@x.y", "connection": "legacy", "metadata": {"plan": "full", "tier": 1}, "app_metadata": {"tier": 2}}]
    });
    let data = build(&[file("t.json", &seed.to_string())]).expect("seed");
    let user = data.users.by_email("legacy", "m@x.y").expect("user");
    assert_eq!(serde_json::to_value(&user.app_metadata).expect("json"), json!({"plan": "full", "tier": 2}));
}

#[test]
fn malformed_json_names_the_file_and_the_line() {
    assert_eq!(error(&[file("seed/t.json", "{\n  \"clients\": [,]\n}")]), "seed/t.json: line 2 column 15: expected value");
}

#[test]
fn a_wrong_type_names_the_json_path() {
    assert_eq!(
        error(&[file("u.json", r#"[{"email": "a@b.c"}, {"email": "d@e.f", "email_verified": "yes"}]"#)]),
        "u.json: [1].email_verified: invalid type: string \"yes\", expected a boolean"
    );
}

#[test]
fn semantic_errors_name_file_path_and_reason() {
    let cases = [
        (r#"[{"email": "a@b.c"}, {"email": "not-an-email"}]"#, "users.json: [1].email: not an email"),
        (r#"[{"email": "a@b.c"}, {"email": "A@b.c"}]"#, "users.json: [1].email: a user with email a@b.c already exists in connection Username-Password-Authentication"),
        (r#"[{"email": "a@b.c", "user_id": "1"}, {"email": "x@b.c", "user_id": "auth0|1"}]"#, "users.json: [1].user_id: a user with id auth0|1 already exists"),
        (r#"[{"email": "a@b.c", "connection": "nope"}]"#, "users.json: [0].connection: no connection named nope"),
        (r#"[{"email": "a@b.c", "app_metadata": {"blocked": true}}]"#, "users.json: [0].app_metadata.blocked: 'blocked' is a reserved app_metadata key"),
        (r#"[{"email": "a@b.c", "user_metadata": {"a.b": 1}}]"#, "users.json: [0].user_metadata.a.b: field names may not contain '.' or '$'"),
        (r#"[{"email": "a@b.c", "passwrd": "x"}]"#, "users.json: [0].passwrd: unknown field `passwrd`, expected one of `user_id`, `email`, `email_verified`, `username`, `phone_number`, `phone_verified`, `given_name`, `family_name`, `name`, `nickname`, `picture`, `blocked`, `user_metadata`, `app_metadata`, `metadata`, `password`, `password_hash`, `custom_password_hash`, `connection`, `roles`, `created_at`, `updated_at`, `last_login`, `last_password_reset`, `last_ip`, `logins_count`, `identities`, `mfa_factors`"),
        (r#"[{"email": "a@b.c", "metadata": {"plan": "x"}}]"#, "users.json: [0].metadata: `metadata` (the custom-database name for app_metadata) is only accepted for custom database connections; use app_metadata"),
        (r#"[{"email": "a@b.c", "roles": ["ghost"]}]"#, "users.json: [0].roles[0]: no role named ghost"),
        (r#"[{"email": "a@b.c", "password_hash": "plain"}]"#, "users.json: [0].password_hash: not a bcrypt hash"),
    ];
    for (text, expected) in cases {
        let got = error(&[file("users.json", text)]);
        if expected.ends_with("not a bcrypt hash") {
            assert!(got.starts_with("users.json: [0].password_hash: "), "{got}");
        } else {
            assert_eq!(got, expected);
        }
    }
}

#[test]
fn references_between_objects_are_checked() {
    let grant = r#"{"client_grants": [{"client_id": "ghost", "audience": "https://localhost:4443/api/v2/"}]}"#;
    assert_eq!(error(&[file("t.json", grant)]), "t.json: client_grants[0].client_id: no client ghost in the seed");
    let role = r#"{"roles": [{"name": "r", "permissions": [{"resource_server_identifier": "https://nope/", "permission_name": "x"}]}]}"#;
    assert_eq!(
        error(&[file("t.json", role)]),
        "t.json: roles[0].permissions[0].resource_server_identifier: no resource server with identifier https://nope/"
    );
}

#[test]
fn a_directory_seeds_every_json_file_in_name_order() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("b.json"), r#"{"clients": [{"client_id": "c", "name": "from b"}]}"#).expect("write");
    std::fs::write(dir.path().join("a.json"), r#"{"clients": [{"client_id": "c", "name": "from a"}]}"#).expect("write");
    std::fs::write(dir.path().join("notes.txt"), "ignored").expect("write");
    let files = seed::read(&[dir.path().to_path_buf()]).expect("read");
    assert_eq!(files.len(), 2);
    let data = build(&files).expect("build");
    assert_eq!(data.clients[0].name, "from b");
    let missing = seed::read(&[Path::new("/definitely/not/here.json").to_path_buf()]).expect_err("missing");
    assert!(missing.to_string().starts_with("/definitely/not/here.json: "), "{missing}");
}

#[test]
fn a_hundred_thousand_users_load_with_fast_hashes() {
    let users: Vec<_> = (0..100_000)
        .map(|i| json!({"email": format!("user{i}@example.com"), "password": "Passw0rd!", "user_metadata": {"n": i}}))
        .collect();
    let data = build(&[file("big.json", &serde_json::Value::Array(users).to_string())]).expect("seed");
    assert_eq!(data.users.len(), 100_000);
    let u = data.users.by_email("Username-Password-Authentication", "user99999@example.com").expect("last user");
    assert!(u.password.as_ref().is_some_and(|p| p.is_fast() && p.verify("Passw0rd!")));
}

#[test]
fn a_rebuild_replays_the_same_generated_ids_and_times() {
    let files = vec![file("t.json", r#"{"roles": [{"name": "r"}], "users": [{"email": "a@b.c"}, {"email": "d@e.f"}]}"#)];
    let (first, seeded) = seed::Seeded::build(files, "https://localhost/api/v2/".into(), 9, &SeededRng::new(9), 1_700_000_000_000).expect("build");
    let again = seeded.rebuild().expect("rebuild");
    let ids = |d: &TenantData| {
        let mut ids: Vec<String> = d.users.iter().map(|u| format!("{} {}", u.user_id, u.created_at)).collect();
        ids.sort();
        ids.push(d.roles[0].id.clone());
        ids
    };
    assert_eq!(ids(&first), ids(&again));
}
