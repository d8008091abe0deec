//! Password login against a database connection, shared by the token endpoint, the hosted
//! login page and cross-origin authentication: connection checks, credentials, blocked users and
//! brute-force protection. On a custom database the password is checked by the connection's
//! `login` script first (see [`crate::custom_db::flows`]); the outcome arrives in
//! [`Attempt::checked`] and this stores the script's user and records the login.

use super::ConnectionRefusal;
use super::auth_store::BRUTE_FORCE_THRESHOLD;
use super::passwords::PasswordHash;
use super::users::User;
use super::TenantData;
use crate::clock::Millis;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoginError {
    #[error("the connection was not found")]
    ConnectionNotFound,
    #[error("the connection was disabled")]
    ConnectionDisabled,
    #[error("Wrong email or password.")]
    WrongCredentials,
    #[error("user is blocked")]
    Blocked,
    /// A custom database's `login` script refused the credentials with its own message.
    #[error("{0}")]
    Rejected(String),
    /// A custom database's `login` script answered `UnauthorizedError`.
    #[error("{0}")]
    Unauthorized(String),
    /// A custom database's script failed (an error, a timeout, no Node.js, a bad profile).
    #[error("{0}")]
    ScriptFailed(String),
    #[error("Your account has been blocked after multiple consecutive login attempts. We've sent you a notification via your preferred contact method with instructions on how to unblock it.")]
    TooManyAttempts,
}

/// What a login needs besides the tenant.
pub struct Attempt<'a> {
    pub connection: &'a str,
    pub client_id: &'a str,
    /// An email, or a username on connections that have them.
    pub username: &'a str,
    pub password: &'a str,
    pub now: Millis,
    /// Salt for re-hashing an imported (slow) hash to the fast one after it verifies.
    pub rehash_salt: [u8; 16],
    /// On a custom database, the user its `login` script returned (or why it refused).
    pub checked: Option<Result<User, LoginError>>,
}

impl TenantData {
    /// Checks the credentials and records the login (`last_login`, `logins_count`) or the failure.
    pub fn login(&mut self, attempt: &Attempt<'_>) -> Result<User, LoginError> {
        let connection = self.database_connection(attempt.connection, attempt.client_id).map_err(|refusal| match refusal {
            ConnectionRefusal::NotFound => LoginError::ConnectionNotFound,
            ConnectionRefusal::Disabled => LoginError::ConnectionDisabled,
        })?;
        let brute_force = connection.options.brute_force_protection != Some(false);
        let import_mode = connection.import_mode();
        if let Some(checked) = &attempt.checked {
            // In import mode the user now lives here, under the password that just worked.
            let password = import_mode.then(|| PasswordHash::fast(attempt.password, attempt.rehash_salt));
            let user = self.store_script_user(checked.clone()?, password).map_err(|e| LoginError::ScriptFailed(e.to_string()))?;
            return self.finish_login(&user.user_id, attempt);
        }
        let found = self
            .users
            .by_email(attempt.connection, attempt.username)
            .or_else(|| self.users.by_username(attempt.connection, attempt.username))
            .map(|u| u.user_id.clone());
        let Some(user_id) = found else { return Err(LoginError::WrongCredentials) };
        if brute_force && self.auth.failures(&user_id) >= BRUTE_FORCE_THRESHOLD {
            return Err(LoginError::TooManyAttempts);
        }
        let verified = self
            .users
            .get(&user_id)
            .and_then(|u| u.password.as_ref())
            .is_some_and(|hash| hash.verify(attempt.password));
        if !verified {
            let failures = self.auth.record_failure(&user_id);
            return Err(if brute_force && failures >= BRUTE_FORCE_THRESHOLD {
                LoginError::TooManyAttempts
            } else {
                LoginError::WrongCredentials
            });
        }
        self.finish_login(&user_id, attempt)
    }

    /// After the password checked out: refuses blocked users and records the login.
    fn finish_login(&mut self, user_id: &str, attempt: &Attempt<'_>) -> Result<User, LoginError> {
        self.auth.clear_failures(user_id);
        let user = self.users.get_mut(user_id).ok_or(LoginError::WrongCredentials)?;
        if user.blocked == Some(true) {
            return Err(LoginError::Blocked);
        }
        if user.password.as_ref().is_some_and(|h| !h.is_fast()) {
            // Imported hashes (bcrypt, pbkdf2, …) cost milliseconds to check; once one has
            // verified, keep the password under the fast hash so later logins are cheap.
            user.password = Some(PasswordHash::fast(attempt.password, attempt.rehash_salt));
        }
        user.last_login = Some(attempt.now);
        user.logins_count += 1;
        Ok(user.clone())
    }
}
