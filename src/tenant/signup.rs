//! Public signup into a database connection (what `POST /dbconnections/signup` does), with no
//! HTTP in sight: the client and connection checks, the identifier rules, the signup-only
//! `user_metadata` limits, the connection's password policy, and the insert.
//!
//! Rules (reference §3.1, §6.3):
//! - `client_id` and `connection` are required; the connection must be a database connection
//!   enabled for the client.
//! - A connection with `requires_username` needs a `username` and takes `email` optionally (the
//!   recorded username-identifier signup sends none); any other connection needs an `email` and
//!   refuses a `username` (Auth0's Management API text for the same mistake).
//! - `user_metadata`: an object of at most 10 properties, names of at most 100 characters without
//!   `.` or `$`, string values of at most 500 characters. Lengths count UTF-16 code units, as
//!   Auth0's JavaScript does.
//! - The password must pass the connection's policy (`good` when unset).
//! - The email (stored lowercased) and the username must be new in the connection. The check and
//!   the insert happen under one write lock, so concurrent signups of one email make one user.
//!
//! [`prepare`] checks and [`commit`] stores; a custom database runs its scripts in between
//! ([`crate::custom_db::flows::signup`]).

use serde_json::{Map, Value};

use super::model::Connection;
use super::password_policy::PolicyFailure;
use super::ConnectionRefusal;
use super::passwords::PasswordHash;
use super::seed::is_email;
use super::users::{default_name_and_nickname, StoreError, User};
use super::Tenant;
use crate::clock::Millis;
use crate::rng::SeededRng;

/// At most this many `user_metadata` properties at signup.
pub const MAX_METADATA_PROPERTIES: usize = 10;
/// At most this many characters (UTF-16 units) in a `user_metadata` property name.
pub const MAX_METADATA_NAME: usize = 100;
/// At most this many characters (UTF-16 units) in a `user_metadata` value.
pub const MAX_METADATA_VALUE: usize = 500;

/// What the caller sent; absent fields are `None`.
#[derive(Debug, Clone, Default)]
pub struct SignupRequest {
    pub client_id: Option<String>,
    pub connection: Option<String>,
    pub email: Option<String>,
    pub password: Option<String>,
    pub username: Option<String>,
    pub phone_number: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub name: Option<String>,
    pub nickname: Option<String>,
    pub picture: Option<String>,
    /// Any JSON value: checked here, so a non-object gets Auth0's own message.
    pub user_metadata: Option<Value>,
}

/// The created user's id and the attributes the request set (what signup echoes back; the
/// stored user also carries Auth0's defaults for `name` and `nickname`).
#[derive(Debug, Clone, PartialEq)]
pub struct SignedUp {
    /// `auth0|<24 hex>`.
    pub user_id: String,
    /// Lowercased.
    pub email: Option<String>,
    pub username: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub name: Option<String>,
    pub nickname: Option<String>,
    pub picture: Option<String>,
    pub phone_number: Option<String>,
    pub user_metadata: Option<Map<String, Value>>,
}

impl SignedUp {
    /// The id without `auth0|`, signup's `_id`.
    pub fn bare_id(&self) -> &str {
        self.user_id.split_once('|').map_or(self.user_id.as_str(), |(_, id)| id)
    }
}

/// Why a signup was refused. `Display` is the text clients see.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignupFailure {
    #[error("Missing required parameter: {0}")]
    Missing(&'static str),
    #[error("invalid client")]
    UnknownClient,
    /// Unknown, or not a database connection.
    #[error("the connection was not found")]
    ConnectionNotFound,
    /// Not enabled for the client.
    #[error("the connection was disabled")]
    ConnectionDisabled,
    #[error("Invalid email address")]
    InvalidEmail,
    #[error("Cannot set username for connection without requires_username")]
    UsernameNotAllowed,
    #[error("{0}")]
    UserMetadata(#[from] UserMetadataError),
    #[error("Password is too weak")]
    WeakPassword(PolicyFailure),
    #[error("The user already exists.")]
    UserExists,
    #[error("The username already exists.")]
    UsernameExists,
    /// A custom database's `create` script refused with `ValidationError(code, message)`.
    #[error("{message}")]
    Rejected { code: String, message: String },
    /// A custom database's script failed (an error, a timeout, no Node.js, a bad profile).
    #[error("{0}")]
    ScriptFailed(String),
}

/// A broken signup `user_metadata` rule. The first two texts are Auth0's (auth0/auth0.js#843,
/// auth0/react-native-auth0#291); the others are ours, in the same style.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserMetadataError {
    #[error("invalid user_metadata type (expected object)")]
    NotObject,
    #[error("invalid user_metadata.{0} type (only strings are allowed)")]
    NotString(String),
    #[error("invalid user_metadata (at most 10 properties are allowed, got {0})")]
    TooManyProperties(usize),
    #[error("invalid user_metadata.{0} name (at most 100 characters are allowed)")]
    NameTooLong(String),
    #[error("invalid user_metadata.{0} name (field names may not contain '.' or '$')")]
    BadName(String),
    #[error("invalid user_metadata.{0} value (at most 500 characters are allowed)")]
    ValueTooLong(String),
}

/// Checks signup's `user_metadata` and returns it as an object.
pub fn check_user_metadata(value: &Value) -> Result<Map<String, Value>, UserMetadataError> {
    let Value::Object(map) = value else { return Err(UserMetadataError::NotObject) };
    if map.len() > MAX_METADATA_PROPERTIES {
        return Err(UserMetadataError::TooManyProperties(map.len()));
    }
    for (key, value) in map {
        if utf16_len(key) > MAX_METADATA_NAME {
            return Err(UserMetadataError::NameTooLong(key.clone()));
        }
        if key.contains('.') || key.contains('$') {
            return Err(UserMetadataError::BadName(key.clone()));
        }
        let Value::String(text) = value else { return Err(UserMetadataError::NotString(key.clone())) };
        if utf16_len(text) > MAX_METADATA_VALUE {
            return Err(UserMetadataError::ValueTooLong(key.clone()));
        }
    }
    Ok(map.clone())
}

/// A signup that passed every check and is ready to store: the user (with a fresh id and the
/// password hashed), what the response echoes, and what a custom database's scripts need.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub user: User,
    pub echo: SignedUp,
    /// The password as sent, for a custom database's `create` and `login` scripts.
    pub password: String,
    pub connection: Connection,
    pub client_id: String,
}

/// Checks a signup without storing anything. `rng` draws the id and the password salt; `now`
/// stamps `created_at`/`updated_at`.
pub fn prepare(tenant: &Tenant, rng: &SeededRng, now: Millis, request: SignupRequest) -> Result<Prepared, SignupFailure> {
    let client_id = request.client_id.clone().ok_or(SignupFailure::Missing("client_id"))?;
    let client_id = client_id.as_str();
    let connection = request.connection.as_deref().ok_or(SignupFailure::Missing("connection"))?;
    let connection = tenant.read(|data| {
        data.client(client_id).ok_or(SignupFailure::UnknownClient)?;
        data.database_connection(connection, client_id).cloned().map_err(|refusal| match refusal {
            ConnectionRefusal::NotFound => SignupFailure::ConnectionNotFound,
            ConnectionRefusal::Disabled => SignupFailure::ConnectionDisabled,
        })
    })?;

    let email = request.email.map(|e| e.to_lowercase());
    if connection.requires_username() {
        if request.username.is_none() {
            return Err(SignupFailure::Missing("username"));
        }
    } else {
        if email.is_none() {
            return Err(SignupFailure::Missing("email"));
        }
        if request.username.is_some() {
            return Err(SignupFailure::UsernameNotAllowed);
        }
    }
    if email.as_deref().is_some_and(|e| !is_email(e)) {
        return Err(SignupFailure::InvalidEmail);
    }
    let password = request.password.ok_or(SignupFailure::Missing("password"))?;
    let user_metadata = request.user_metadata.as_ref().map(check_user_metadata).transpose()?;
    let (policy, min_length) = connection.password_policy();
    policy.check(&password, min_length).map_err(SignupFailure::WeakPassword)?;

    let (default_name, default_nickname) =
        default_name_and_nickname(email.as_deref(), request.username.as_deref(), request.phone_number.as_deref());
    let user = User {
        email: email.clone(),
        username: request.username.clone(),
        phone_number: request.phone_number.clone(),
        phone_verified: request.phone_number.as_ref().map(|_| false),
        given_name: request.given_name.clone(),
        family_name: request.family_name.clone(),
        name: request.name.clone().or(default_name),
        nickname: request.nickname.clone().or(default_nickname),
        picture: request.picture.clone(),
        // An empty object is stored as absent, as everywhere else.
        user_metadata: user_metadata.clone().filter(|m| !m.is_empty()),
        password: Some(PasswordHash::fast(&password, rng.bytes())),
        ..User::new(format!("auth0|{}", rng.hex(24)), connection.name.clone(), now)
    };
    let echo = SignedUp {
        user_id: user.user_id.clone(),
        email,
        username: request.username,
        given_name: request.given_name,
        family_name: request.family_name,
        name: request.name,
        nickname: request.nickname,
        picture: request.picture,
        phone_number: request.phone_number,
        user_metadata,
    };
    Ok(Prepared { user, echo, password, connection, client_id: client_id.to_owned() })
}

/// Stores a prepared signup. The uniqueness checks and the insert happen under one write lock.
pub fn commit(tenant: &Tenant, rng: &SeededRng, prepared: Prepared) -> Result<SignedUp, SignupFailure> {
    let Prepared { mut user, mut echo, .. } = prepared;
    echo.user_id = tenant.write(|data| {
        // 96 random bits meeting an existing id is all but impossible; draw again if it happens.
        while data.users.get(&user.user_id).is_some() {
            user.user_id = format!("auth0|{}", rng.hex(24));
        }
        let user_id = user.user_id.clone();
        data.users.insert(user).map(|()| user_id).map_err(|e| match e {
            StoreError::DuplicateUsername { .. } => SignupFailure::UsernameExists,
            StoreError::DuplicateEmail { .. } | StoreError::DuplicateId(_) => SignupFailure::UserExists,
        })
    })?;
    Ok(echo)
}

/// JavaScript's `String.length`.
fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn metadata_lengths_count_utf16_units_like_javascript() {
        // 250 astral characters are 500 UTF-16 units: at the limit. One more is over.
        assert!(check_user_metadata(&json!({"bio": "😀".repeat(250)})).is_ok());
        assert_eq!(
            check_user_metadata(&json!({"bio": format!("{}a", "😀".repeat(250))})),
            Err(UserMetadataError::ValueTooLong("bio".into()))
        );
    }

    #[test]
    fn metadata_checks_report_the_first_offending_key() {
        assert_eq!(check_user_metadata(&json!(["a"])), Err(UserMetadataError::NotObject));
        assert_eq!(
            check_user_metadata(&json!({"ok": "x", "n": 1, "b": true})),
            Err(UserMetadataError::NotString("n".into()))
        );
        assert_eq!(
            UserMetadataError::NotString("consentGiven".into()).to_string(),
            "invalid user_metadata.consentGiven type (only strings are allowed)"
        );
        assert_eq!(check_user_metadata(&json!({})), Ok(Map::new()));
    }
}
