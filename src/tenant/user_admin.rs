//! Management API writes to users, HTTP-agnostic: create, update (Auth0's metadata merge and
//! its "cannot update X and Y simultaneously" rules) and delete, with Auth0's validation messages
//! (reference §5.2–5.5). Every write happens under one tenant lock, so concurrent PATCHes of
//! different metadata keys all survive and concurrent creates of one email yield one user.

use serde_json::{Map, Value};

use super::config_admin;
use super::metadata::{self, MetadataKind};
use super::password_policy::PasswordPolicy;
use super::passwords::PasswordHash;
use super::seed::is_email;
use super::users::{default_name_and_nickname, StoreError, User};
use super::TenantData;
use crate::clock::Millis;

/// Why a write was refused; the Management API renders each with its status and `errorCode`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AdminError {
    /// 400 `invalid_body`.
    #[error("{0}")]
    InvalidBody(String),
    /// 400 without an error code (Auth0's plain validation texts).
    #[error("{0}")]
    BadRequest(String),
    /// 400 PasswordStrengthError.
    #[error("PasswordStrengthError: Password is too weak")]
    WeakPassword,
    /// 404 `inexistent_user`.
    #[error("The user does not exist.")]
    NoUser,
    /// 409 `auth0_idp_error`.
    #[error("The user already exists.")]
    Exists,
    /// A custom database's script refused or failed; 400 with its message.
    #[error("{0}")]
    Script(String),
}

/// Attributes `POST /users` accepts (MGMT-OAS `CreateUserRequestContent`, no additional properties).
const CREATE_FIELDS: &[&str] = &[
    "connection", "email", "phone_number", "user_metadata", "app_metadata", "blocked", "email_verified", "phone_verified",
    "given_name", "family_name", "name", "nickname", "picture", "user_id", "password", "verify_email", "username", "client_id",
];

/// Root attributes `PATCH` can unset with `null`.
const NULLABLE: &[&str] = &["given_name", "family_name", "name", "nickname", "picture", "phone_number", "username"];

fn payload(message: impl std::fmt::Display) -> AdminError {
    AdminError::InvalidBody(config_admin::payload(message))
}

fn wrong_type(field: &str, expected: &str, v: &Value) -> AdminError {
    AdminError::InvalidBody(config_admin::wrong_type(field, expected, v))
}

fn string(body: &Map<String, Value>, field: &str) -> Result<Option<String>, AdminError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(v) => Err(wrong_type(field, "string", v)),
    }
}

fn boolean(body: &Map<String, Value>, field: &str) -> Result<Option<bool>, AdminError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(v) => Err(wrong_type(field, "boolean", v)),
    }
}

fn object(body: &Map<String, Value>, field: &str) -> Result<Option<Map<String, Value>>, AdminError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m.clone())),
        Some(v) => Err(wrong_type(field, "object", v)),
    }
}

fn check_metadata(kind: MetadataKind, map: &Map<String, Value>) -> Result<(), AdminError> {
    metadata::validate(kind, map).map_err(|e| AdminError::InvalidBody(format!("Payload validation error: {} ({}).", e.reason, e.path)))
}

fn check_email(email: &str) -> Result<(), AdminError> {
    if is_email(email) {
        Ok(())
    } else {
        Err(AdminError::InvalidBody(format!("Payload validation error: 'Object didn't pass validation for format email: {email}' on property email (The user's email).")))
    }
}

fn check_phone(phone: &str) -> Result<(), AdminError> {
    let digits = phone.strip_prefix('+').unwrap_or("");
    if !digits.is_empty() && digits.len() <= 15 && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(AdminError::InvalidBody(format!("Payload validation error: 'String does not match pattern ^\\+[0-9]{{1,15}}$: {phone}' on property phone_number (The user's phone number (following the E.164 recommendation)).")))
    }
}

/// The connection's password policy, on a password a caller wants to set.
pub fn check_password(data: &TenantData, connection: &str, password: &str) -> Result<(), AdminError> {
    let (policy, min_length) = data.connections.iter().find(|c| c.name == connection).map_or((PasswordPolicy::Good, None), |c| c.password_policy());
    policy.check(password, min_length).map_err(|_| AdminError::WeakPassword)
}

/// Fresh values the caller draws from the seeded RNG and the clock.
pub struct WriteContext {
    pub now: Millis,
    pub new_id: String,
    pub salt: [u8; 16],
}

impl TenantData {
    /// `POST /users`.
    pub fn create_user(&mut self, body: &Map<String, Value>, ctx: WriteContext) -> Result<User, AdminError> {
        let user = self.prepare_user(body, ctx)?;
        self.insert_user(user)
    }

    /// Stores a user [`Self::prepare_user`] checked, refusing any clash.
    pub fn insert_user(&mut self, user: User) -> Result<User, AdminError> {
        self.users.insert(user.clone()).map_err(|e| match e {
            StoreError::DuplicateId(_) | StoreError::DuplicateEmail { .. } | StoreError::DuplicateUsername { .. } => AdminError::Exists,
        })?;
        Ok(user)
    }

    /// Checks a `POST /users` body and builds the user, storing nothing.
    pub fn prepare_user(&self, body: &Map<String, Value>, ctx: WriteContext) -> Result<User, AdminError> {
        if let Some(extra) = body.keys().find(|k| !CREATE_FIELDS.contains(&k.as_str())) {
            return Err(payload(format!("Additional properties not allowed: {extra}")));
        }
        let connection_name = string(body, "connection")?.ok_or_else(|| payload("Missing required property: connection"))?;
        let connection = self
            .connections
            .iter()
            .find(|c| c.name == connection_name)
            .ok_or_else(|| AdminError::BadRequest("Connection does not exist.".into()))?;
        if !connection.is_database() {
            return Err(AdminError::BadRequest(
                "Connection does not support user creation through the API. It must either be a database or passwordless connection.".into(),
            ));
        }
        let requires_username = connection.requires_username();
        let email = string(body, "email")?.map(|e| e.trim().to_lowercase());
        if let Some(e) = &email {
            check_email(e)?;
        }
        let phone = string(body, "phone_number")?;
        if let Some(p) = &phone {
            check_phone(p)?;
        }
        let username = string(body, "username")?;
        if username.is_some() && !requires_username {
            return Err(AdminError::BadRequest("Cannot set username for connection without requires_username.".into()));
        }
        if email.is_none() && username.is_none() {
            return Err(payload("Missing required property: email"));
        }
        let password = string(body, "password")?.ok_or_else(|| payload("Missing required property: password"))?;
        check_password(self, &connection_name, &password)?;
        let user_metadata = object(body, "user_metadata")?;
        if let Some(m) = &user_metadata {
            check_metadata(MetadataKind::User, m)?;
        }
        let app_metadata = object(body, "app_metadata")?;
        if let Some(m) = &app_metadata {
            check_metadata(MetadataKind::App, m)?;
        }
        let user_id = match string(body, "user_id")? {
            Some(id) if id.is_empty() || id.len() > 255 || id.chars().any(char::is_whitespace) => {
                return Err(payload("String is too long (or empty) or contains whitespace: user_id"));
            }
            Some(id) if id.starts_with("auth0|") => id,
            Some(id) => format!("auth0|{id}"),
            None => format!("auth0|{}", ctx.new_id),
        };
        let (default_name, default_nickname) = default_name_and_nickname(email.as_deref(), username.as_deref(), phone.as_deref());
        let user = User {
            user_id,
            connection: connection_name,
            email_verified: boolean(body, "email_verified")?.unwrap_or(false),
            email,
            username,
            phone_verified: phone.as_ref().map(|_| boolean(body, "phone_verified").ok().flatten().unwrap_or(false)),
            phone_number: phone,
            given_name: string(body, "given_name")?,
            family_name: string(body, "family_name")?,
            name: string(body, "name")?.or(default_name),
            nickname: string(body, "nickname")?.or(default_nickname),
            picture: string(body, "picture")?,
            created_at: ctx.now,
            updated_at: ctx.now,
            last_login: None,
            last_ip: None,
            logins_count: 0,
            last_password_reset: None,
            blocked: boolean(body, "blocked")?,
            user_metadata: user_metadata.filter(|m| !m.is_empty()),
            app_metadata: app_metadata.filter(|m| !m.is_empty()),
            password: Some(PasswordHash::fast(&password, ctx.salt)),
            role_ids: Vec::new(),
            permissions: Vec::new(),
        };
        Ok(user)
    }

    /// `PATCH /users/{id}`. `allowed` limits which attributes the caller's scopes may touch
    /// (`None` = all).
    pub fn update_user(&mut self, user_id: &str, body: &Map<String, Value>, allowed: Option<&[&str]>, ctx: WriteContext) -> Result<User, AdminError> {
        let current = self.users.get(user_id).cloned().ok_or(AdminError::NoUser)?;
        if let Some(allowed) = allowed {
            if let Some(field) = body.keys().find(|k| !allowed.contains(&k.as_str())) {
                return Err(AdminError::BadRequest(format!("Some fields cannot be updated with the permissions granted by the bearer token scopes: {field}")));
            }
        }
        let has = |k: &str| body.contains_key(k);
        for (a, b) in [("password", "email"), ("password", "email_verified"), ("username", "email"), ("username", "email_verified"), ("username", "password")] {
            if has(a) && has(b) {
                return Err(AdminError::BadRequest(format!("Cannot update {a} and {b} simultaneously.")));
            }
        }
        let mut user = current.clone();
        for (key, value) in body {
            match key.as_str() {
                "user_metadata" | "app_metadata" => {
                    let kind = if key == "user_metadata" { MetadataKind::User } else { MetadataKind::App };
                    let patch = match value {
                        Value::Object(m) => m.clone(),
                        Value::Null => Map::new(),
                        v => return Err(wrong_type(key, "object", v)),
                    };
                    let non_null: Map<String, Value> = patch.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.clone(), v.clone())).collect();
                    check_metadata(kind, &non_null)?;
                    let target = if kind == MetadataKind::User { &mut user.user_metadata } else { &mut user.app_metadata };
                    metadata::merge(target, patch);
                }
                "email" => {
                    let email = string(body, "email")?.ok_or_else(|| wrong_type("email", "string", value))?.trim().to_lowercase();
                    check_email(&email)?;
                    user.email = Some(email);
                }
                "email_verified" => user.email_verified = boolean(body, key)?.unwrap_or(false),
                "phone_verified" => user.phone_verified = boolean(body, key)?,
                "blocked" => user.blocked = boolean(body, key)?,
                "password" => {
                    let password = string(body, key)?.ok_or_else(|| wrong_type(key, "string", value))?;
                    check_password(self, &user.connection, &password)?;
                    user.password = Some(PasswordHash::fast(&password, ctx.salt));
                    user.last_password_reset = Some(ctx.now);
                }
                "phone_number" => {
                    let phone = string(body, key)?;
                    if let Some(p) = &phone {
                        check_phone(p)?;
                    }
                    user.phone_number = phone;
                }
                "username" => {
                    let username = string(body, key)?;
                    if username.is_some() && !self.connections.iter().any(|c| c.name == user.connection && c.requires_username()) {
                        return Err(AdminError::BadRequest("Cannot set username for connection without requires_username.".into()));
                    }
                    user.username = username;
                }
                k if NULLABLE.contains(&k) => {
                    let v = string(body, k)?;
                    match k {
                        "given_name" => user.given_name = v,
                        "family_name" => user.family_name = v,
                        "name" => user.name = v,
                        "nickname" => user.nickname = v,
                        _ => user.picture = v,
                    }
                }
                // Accepted by Auth0 and meaningless here: no email or SMS is sent.
                "verify_email" | "verify_phone_number" | "client_id" | "connection" => {}
                other => return Err(payload(format!("Additional properties not allowed: {other}"))),
            }
        }
        user.updated_at = ctx.now;
        let password_changed = body.contains_key("password");
        // Re-index when the email or username moved; the store refuses a clash.
        if user.email != current.email || user.username != current.username {
            self.users.remove(user_id);
            if let Err(e) = self.users.insert(user.clone()) {
                let _ = self.users.insert(current);
                return Err(match e {
                    StoreError::DuplicateId(_) | StoreError::DuplicateEmail { .. } | StoreError::DuplicateUsername { .. } => AdminError::Exists,
                });
            }
        } else if let Some(slot) = self.users.get_mut(user_id) {
            *slot = user.clone();
        }
        if password_changed {
            // A password set by an administrator lifts brute-force blocks, as on Auth0.
            self.auth.clear_failures(user_id);
        }
        Ok(user)
    }

    /// `DELETE /users/{id}`: idempotent. Sessions go with the user; refresh tokens stay so that
    /// using one gets Auth0's "generated for a user who doesn't exist anymore" answer.
    pub fn delete_user(&mut self, user_id: &str) {
        self.users.remove(user_id);
        self.auth.forget_user_sessions(user_id);
    }
}
