//! Profiles that custom database scripts return (`login`, `get_user`), mapped onto users, and
//! how the tenant keeps them (reference §6.4).
//!
//! - `user_id` (or `id`; a string or a number) becomes `auth0|<id>`, as Auth0 prefixes ids from
//!   custom databases; an id already starting with `auth0|` is kept.
//! - `metadata` is Auth0's legacy name for `app_metadata`; `app_metadata` and `user_metadata` are
//!   accepted directly too. When both `metadata` and `app_metadata` come back they merge, with
//!   `app_metadata` winning on clashes.
//! - Metadata keys follow the rules of every other write: no `.` or `$` in names, none of the
//!   reserved `app_metadata` keys.
//! - Other profile attributes the emulator does not model are ignored.
//!
//! The tenant keeps a copy of each script user, as Auth0 caches custom-database profiles: the
//! Management API lists them, tokens carry their claims. A later login refreshes the root
//! attributes from the script; metadata keys the script returns overwrite the stored ones, and
//! keys set through the Management API in between are kept.

use serde_json::{Map, Value};

use super::metadata::{self, MetadataKind};
use super::passwords::PasswordHash;
use super::users::{default_name_and_nickname, StoreError, User};
use super::TenantData;
use crate::clock::Millis;

/// Why a script's profile was refused. `Display` names the action and the broken rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the {action} script returned an invalid profile: {reason}")]
pub struct ProfileError {
    pub action: &'static str,
    pub reason: String,
}

/// Maps the profile a script returned for `connection` onto a (not yet stored) user.
pub fn user_from_profile(action: &'static str, connection: &str, profile: &Value, now: Millis) -> Result<User, ProfileError> {
    let fail = |reason: String| ProfileError { action, reason };
    let Value::Object(p) = profile else { return Err(fail(format!("expected an object, got {profile}"))) };
    let id = match p.get("user_id").or_else(|| p.get("id")) {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err(fail("it has no user_id (or id)".into())),
    };
    let user_id = if id.starts_with("auth0|") { id } else { format!("auth0|{id}") };
    let text = |key: &str| -> Result<Option<String>, ProfileError> {
        match p.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(fail(format!("{key} must be a string, got {other}"))),
        }
    };
    let flag = |key: &str| -> Result<Option<bool>, ProfileError> {
        match p.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(fail(format!("{key} must be a boolean, got {other}"))),
        }
    };
    let object = |key: &str| -> Result<Option<Map<String, Value>>, ProfileError> {
        match p.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(m)) => Ok(Some(m.clone())),
            Some(other) => Err(fail(format!("{key} must be an object, got {other}"))),
        }
    };
    let user_metadata = object("user_metadata")?;
    let app_metadata = metadata::with_alias(object("metadata")?, object("app_metadata")?);
    for (kind, map) in [(MetadataKind::User, &user_metadata), (MetadataKind::App, &app_metadata)] {
        if let Some(map) = map {
            metadata::validate(kind, map).map_err(|e| fail(e.to_string()))?;
        }
    }
    let email = text("email")?.map(|e| e.trim().to_lowercase());
    let username = text("username")?;
    let phone_number = text("phone_number")?;
    let (default_name, default_nickname) = default_name_and_nickname(email.as_deref(), username.as_deref(), phone_number.as_deref());
    Ok(User {
        email_verified: flag("email_verified")?.unwrap_or(false),
        phone_verified: phone_number.as_ref().map(|_| flag("phone_verified").ok().flatten().unwrap_or(false)),
        given_name: text("given_name")?,
        family_name: text("family_name")?,
        name: text("name")?.or(default_name),
        nickname: text("nickname")?.or(default_nickname),
        picture: text("picture")?,
        user_metadata: user_metadata.filter(|m| !m.is_empty()),
        app_metadata: app_metadata.filter(|m| !m.is_empty()),
        email,
        username,
        phone_number,
        ..User::new(user_id, connection.to_owned(), now)
    })
}

impl TenantData {
    /// Stores (or refreshes) the tenant's copy of a script user; `password` is set in import
    /// mode, where the user now lives here. Returns the stored user.
    pub fn store_script_user(&mut self, incoming: User, password: Option<PasswordHash>) -> Result<User, StoreError> {
        let user = match self.users.get(&incoming.user_id).cloned() {
            None => User { password, ..incoming },
            Some(stored) => {
                let mut user_metadata = stored.user_metadata.clone();
                let mut app_metadata = stored.app_metadata.clone();
                for (target, patch) in [(&mut user_metadata, incoming.user_metadata), (&mut app_metadata, incoming.app_metadata)] {
                    if let Some(patch) = patch.filter(|p| !p.is_empty()) {
                        metadata::merge(target, patch);
                    }
                }
                User {
                    user_metadata,
                    app_metadata,
                    password: password.or(stored.password.clone()),
                    // What only the tenant knows stays.
                    created_at: stored.created_at,
                    last_login: stored.last_login,
                    last_ip: stored.last_ip.clone(),
                    logins_count: stored.logins_count,
                    last_password_reset: stored.last_password_reset,
                    blocked: stored.blocked,
                    role_ids: stored.role_ids.clone(),
                    permissions: stored.permissions.clone(),
                    ..incoming
                }
            }
        };
        let user_id = user.user_id.clone();
        let previous = self.users.remove(&user_id);
        if let Err(e) = self.users.insert(user.clone()) {
            if let Some(previous) = previous {
                let _ = self.users.insert(previous);
            }
            return Err(e);
        }
        Ok(user)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn metadata_is_the_legacy_name_of_app_metadata_and_app_metadata_wins() {
        let profile = json!({
            "user_id": 42, "email": "Ana@Example.com",
            "user_metadata": {"hobby": "surfing"},
            "metadata": {"plan": "full", "tier": "gold"},
            "app_metadata": {"tier": "silver"}
        });
        let user = user_from_profile("login", "legacy", &profile, 7).expect("maps");
        assert_eq!(user.user_id, "auth0|42");
        assert_eq!(user.email.as_deref(), Some("ana@example.com"));
        assert_eq!(user.user_metadata, json!({"hobby": "surfing"}).as_object().cloned());
        assert_eq!(user.app_metadata, json!({"plan": "full", "tier": "silver"}).as_object().cloned());
        assert_eq!(user.nickname.as_deref(), Some("ana"));
    }

    #[test]
    fn profiles_without_an_id_or_with_forbidden_metadata_are_refused() {
        let no_id = user_from_profile("login", "legacy", &json!({"email": "a@b.c"}), 0).expect_err("refused");
        assert_eq!(no_id.to_string(), "the login script returned an invalid profile: it has no user_id (or id)");
        let reserved = user_from_profile("get_user", "legacy", &json!({"id": "1", "metadata": {"blocked": true}}), 0).expect_err("refused");
        assert!(reserved.reason.contains("app_metadata.blocked"), "{reserved}");
        let dotted = user_from_profile("login", "legacy", &json!({"id": "1", "user_metadata": {"a.b": 1}}), 0).expect_err("refused");
        assert!(dotted.reason.contains("user_metadata.a.b"), "{dotted}");
        assert!(user_from_profile("login", "legacy", &json!("jane"), 0).is_err());
        assert_eq!(user_from_profile("login", "legacy", &json!({"user_id": "auth0|x1"}), 0).map(|u| u.user_id), Ok("auth0|x1".into()));
    }

    #[test]
    fn a_refresh_keeps_what_only_the_tenant_knows_and_merges_metadata() {
        use crate::tenant::seed;
        let rng = crate::rng::SeededRng::new(0);
        let ctx = seed::BuildContext { management_audience: "https://localhost/api/v2/".into(), rng: &rng, now: 0 };
        let mut data = seed::build(&seed::embedded(), &ctx).expect("the embedded tenant builds");
        let first = user_from_profile("login", "legacy", &json!({"id": "9", "email": "x@y.z", "metadata": {"plan": "a"}}), 1).expect("maps");
        data.store_script_user(first, None).expect("stored");
        let stored = data.users.get_mut("auth0|9").expect("there");
        stored.logins_count = 3;
        stored.app_metadata.get_or_insert_with(Map::new).insert("set_by_api".into(), json!(true));
        let again = user_from_profile("login", "legacy", &json!({"id": "9", "email": "new@y.z", "metadata": {"plan": "b"}}), 2).expect("maps");
        let user = data.store_script_user(again, None).expect("refreshed");
        assert_eq!(user.logins_count, 3);
        assert_eq!(user.created_at, 1);
        assert_eq!(user.email.as_deref(), Some("new@y.z"));
        assert_eq!(user.app_metadata, json!({"plan": "b", "set_by_api": true}).as_object().cloned());
        assert!(data.users.by_email("legacy", "new@y.z").is_some() && data.users.by_email("legacy", "x@y.z").is_none());
    }
}
