//! Users: the stored record, Auth0's profile defaults, the Management API rendering, and the
//! store with its indexes by id, by (connection, email) and by (connection, username).

use std::collections::HashMap;

use serde::Serialize;
use serde_json::{Map, Value};

use super::model::Permission;
use super::passwords::PasswordHash;
use crate::clock::{iso8601, Millis};

#[derive(Clone, Debug)]
pub struct User {
    /// `auth0|<24 hex>` for database users.
    pub user_id: String,
    pub connection: String,
    /// Stored lowercased, as Auth0's user store does.
    pub email: Option<String>,
    pub email_verified: bool,
    pub username: Option<String>,
    pub phone_number: Option<String>,
    pub phone_verified: Option<bool>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub name: Option<String>,
    pub nickname: Option<String>,
    /// `None` renders Auth0's gravatar default, computed when shown rather than stored per user.
    pub picture: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub last_login: Option<Millis>,
    pub last_ip: Option<String>,
    pub logins_count: u64,
    pub last_password_reset: Option<Millis>,
    pub blocked: Option<bool>,
    pub user_metadata: Option<Map<String, Value>>,
    pub app_metadata: Option<Map<String, Value>>,
    pub password: Option<PasswordHash>,
    pub role_ids: Vec<String>,
    /// Permissions assigned to the user directly (`POST /users/{id}/permissions`), besides roles.
    pub permissions: Vec<Permission>,
}

impl User {
    /// A user with ids and timestamps and no profile yet; callers fill in the rest with struct
    /// update syntax.
    pub fn new(user_id: String, connection: String, now: Millis) -> Self {
        Self {
            user_id,
            connection,
            email: None,
            email_verified: false,
            username: None,
            phone_number: None,
            phone_verified: None,
            given_name: None,
            family_name: None,
            name: None,
            nickname: None,
            picture: None,
            created_at: now,
            updated_at: now,
            last_login: None,
            last_ip: None,
            logins_count: 0,
            last_password_reset: None,
            blocked: None,
            user_metadata: None,
            app_metadata: None,
            password: None,
            role_ids: Vec::new(),
            permissions: Vec::new(),
        }
    }

    /// The id without the provider prefix (`identities[0].user_id`, signup's `_id`).
    pub fn bare_id(&self) -> &str {
        self.user_id.split_once('|').map_or(self.user_id.as_str(), |(_, id)| id)
    }

    pub fn provider(&self) -> &str {
        self.user_id.split_once('|').map_or("auth0", |(provider, _)| provider)
    }

    /// The picture Auth0 shows: the stored one, else gravatar with Auth0's initials fallback.
    pub fn picture(&self) -> String {
        if let Some(picture) = &self.picture {
            return picture.clone();
        }
        let seed = self.email.as_deref().or(self.username.as_deref()).unwrap_or(&self.user_id);
        let initials: String = seed.chars().filter(|c| c.is_alphanumeric()).take(2).collect::<String>().to_lowercase();
        let hash = md5_hex(seed.trim().to_lowercase().as_bytes());
        format!(
            "https://s.gravatar.com/avatar/{hash}?s=480&r=pg&d=https%3A%2F%2Fcdn.auth0.com%2Favatars%2F{initials}.png"
        )
    }

    /// The Management API user object (reference §5.1): absent attributes omitted.
    pub fn view(&self) -> UserView<'_> {
        UserView {
            blocked: self.blocked,
            created_at: iso8601(self.created_at),
            email: self.email.as_deref(),
            email_verified: self.email.as_ref().map(|_| self.email_verified),
            family_name: self.family_name.as_deref(),
            given_name: self.given_name.as_deref(),
            identities: [Identity {
                connection: &self.connection,
                user_id: self.bare_id(),
                provider: self.provider(),
                is_social: false,
            }],
            last_ip: self.last_ip.as_deref(),
            last_login: self.last_login.map(iso8601),
            last_password_reset: self.last_password_reset.map(iso8601),
            logins_count: (self.logins_count > 0).then_some(self.logins_count),
            name: self.name.as_deref(),
            nickname: self.nickname.as_deref(),
            phone_number: self.phone_number.as_deref(),
            phone_verified: self.phone_verified,
            picture: self.picture(),
            updated_at: iso8601(self.updated_at),
            user_id: &self.user_id,
            user_metadata: self.user_metadata.as_ref(),
            username: self.username.as_deref(),
            app_metadata: self.app_metadata.as_ref(),
        }
    }

    /// Standard OIDC profile claims (for ID tokens and `/userinfo`), before scope filtering.
    pub fn profile_claims(&self) -> Map<String, Value> {
        let mut claims = Map::new();
        let mut put = |k: &str, v: Option<Value>| {
            if let Some(v) = v {
                claims.insert(k.into(), v);
            }
        };
        put("given_name", self.given_name.clone().map(Value::from));
        put("family_name", self.family_name.clone().map(Value::from));
        put("nickname", self.nickname.clone().map(Value::from));
        put("name", self.name.clone().map(Value::from));
        put("picture", Some(self.picture().into()));
        put("updated_at", Some(iso8601(self.updated_at).into()));
        put("email", self.email.clone().map(Value::from));
        put("email_verified", self.email.as_ref().map(|_| self.email_verified.into()));
        put("phone_number", self.phone_number.clone().map(Value::from));
        put("phone_number_verified", self.phone_number.as_ref().and_then(|_| self.phone_verified.map(Value::from)));
        claims
    }
}

/// Auth0's defaults for `name` and `nickname`: the email (its local part for the nickname),
/// else the username, else the phone number.
pub fn default_name_and_nickname(email: Option<&str>, username: Option<&str>, phone: Option<&str>) -> (Option<String>, Option<String>) {
    match (email, username, phone) {
        (Some(email), _, _) => (Some(email.into()), Some(email.split('@').next().unwrap_or(email).into())),
        (None, Some(username), _) => (Some(username.into()), Some(username.into())),
        (None, None, Some(phone)) => (Some(phone.into()), Some(phone.into())),
        _ => (None, None),
    }
}

fn md5_hex(bytes: &[u8]) -> String {
    use md5::{Digest, Md5};
    Md5::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Debug, Serialize)]
pub struct Identity<'a> {
    pub connection: &'a str,
    pub user_id: &'a str,
    pub provider: &'a str,
    #[serde(rename = "isSocial")]
    pub is_social: bool,
}

/// The wire shape of a user, in the key order Auth0 returns (alphabetical, `app_metadata` last).
#[derive(Debug, Serialize)]
pub struct UserView<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocked: Option<bool>,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given_name: Option<&'a str>,
    pub identities: [Identity<'a>; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_ip: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_login: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_password_reset: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logins_count: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nickname: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_verified: Option<bool>,
    pub picture: String,
    pub updated_at: String,
    pub user_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_metadata: Option<&'a Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_metadata: Option<&'a Map<String, Value>>,
}

/// Why a user could not be stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("a user with id {0} already exists")]
    DuplicateId(String),
    #[error("a user with email {email} already exists in connection {connection}")]
    DuplicateEmail { connection: String, email: String },
    #[error("a user with username {username} already exists in connection {connection}")]
    DuplicateUsername { connection: String, username: String },
}

/// Users by id, with unique indexes per connection. Callers hold the tenant lock around it, so
/// every method sees and leaves a consistent store.
#[derive(Clone, Debug, Default)]
pub struct UserStore {
    by_id: HashMap<String, User>,
    by_email: HashMap<(String, String), String>,
    by_username: HashMap<(String, String), String>,
}

impl UserStore {
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    pub fn get(&self, user_id: &str) -> Option<&User> {
        self.by_id.get(user_id)
    }

    /// Mutable access for changes that leave id, email and username alone (indexes stay valid).
    pub fn get_mut(&mut self, user_id: &str) -> Option<&mut User> {
        self.by_id.get_mut(user_id)
    }

    pub fn by_email(&self, connection: &str, email: &str) -> Option<&User> {
        let id = self.by_email.get(&(connection.to_string(), email.to_lowercase()))?;
        self.by_id.get(id)
    }

    pub fn by_username(&self, connection: &str, username: &str) -> Option<&User> {
        let id = self.by_username.get(&(connection.to_string(), username.to_string()))?;
        self.by_id.get(id)
    }

    pub fn iter(&self) -> impl Iterator<Item = &User> {
        self.by_id.values()
    }

    /// Adds a user, refusing any clash of id, email or username within its connection.
    pub fn insert(&mut self, user: User) -> Result<(), StoreError> {
        if self.by_id.contains_key(&user.user_id) {
            return Err(StoreError::DuplicateId(user.user_id));
        }
        let email_key = user.email.as_ref().map(|e| (user.connection.clone(), e.to_lowercase()));
        if let Some(key) = &email_key {
            if self.by_email.contains_key(key) {
                return Err(StoreError::DuplicateEmail { connection: key.0.clone(), email: key.1.clone() });
            }
        }
        let username_key = user.username.as_ref().map(|u| (user.connection.clone(), u.clone()));
        if let Some(key) = &username_key {
            if self.by_username.contains_key(key) {
                return Err(StoreError::DuplicateUsername { connection: key.0.clone(), username: key.1.clone() });
            }
        }
        if let Some(key) = email_key {
            self.by_email.insert(key, user.user_id.clone());
        }
        if let Some(key) = username_key {
            self.by_username.insert(key, user.user_id.clone());
        }
        self.by_id.insert(user.user_id.clone(), user);
        Ok(())
    }

    pub fn remove(&mut self, user_id: &str) -> Option<User> {
        let user = self.by_id.remove(user_id)?;
        if let Some(email) = &user.email {
            self.by_email.remove(&(user.connection.clone(), email.to_lowercase()));
        }
        if let Some(username) = &user.username {
            self.by_username.remove(&(user.connection.clone(), username.clone()));
        }
        Some(user)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn user(id: &str, email: &str) -> User {
        User {
            email: Some(email.into()),
            name: Some(email.into()),
            nickname: email.split('@').next().map(String::from),
            ..User::new(format!("auth0|{id}"), "db".into(), 1_674_673_226_187)
        }
    }

    #[test]
    fn the_store_refuses_a_second_user_with_the_same_email_in_a_connection() {
        let mut store = UserStore::default();
        store.insert(user("1", "a@b.c")).expect("first");
        let err = store.insert(user("2", "a@b.c")).expect_err("duplicate");
        assert!(matches!(err, StoreError::DuplicateEmail { .. }));
        assert_eq!(store.by_email("db", "A@B.C").map(|u| u.user_id.as_str()), Some("auth0|1"));
        store.remove("auth0|1");
        assert!(store.by_email("db", "a@b.c").is_none());
        store.insert(user("2", "a@b.c")).expect("after removal");
    }

    #[test]
    fn a_fresh_user_renders_without_absent_attributes() {
        let json = serde_json::to_value(user("0123", "test-user@example.com").view()).expect("json");
        assert_eq!(
            json,
            serde_json::json!({
                "created_at": "2023-01-25T19:00:26.187Z",
                "email": "test-user@example.com",
                "email_verified": false,
                "identities": [{"connection": "db", "user_id": "0123", "provider": "auth0", "isSocial": false}],
                "name": "test-user@example.com",
                "nickname": "test-user",
                "picture": "https://s.gravatar.com/avatar/3664adb7d1eea0bd7d0b134577663889?s=480&r=pg&d=https%3A%2F%2Fcdn.auth0.com%2Favatars%2Fte.png",
                "updated_at": "2023-01-25T19:00:26.187Z",
                "user_id": "auth0|0123"
            })
        );
    }
}
