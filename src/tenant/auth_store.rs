//! Short-lived authentication state: authorization codes, refresh tokens, opaque `/userinfo`
//! tokens, login sessions and failed-login counters. All of it is per tenant, in memory, and
//! cleared by a reset.

use std::collections::HashMap;

use crate::clock::Millis;

/// How long an authorization code may wait for its exchange (Auth0: a few minutes at most).
pub const CODE_LIFETIME_MS: Millis = 10 * 60 * 1000;
/// Consecutive failed logins before brute-force protection blocks the user (Auth0's default).
pub const BRUTE_FORCE_THRESHOLD: u32 = 10;

/// What a successful login (or refresh) grants, carried from `/authorize` to `/oauth/token` and
/// from one refresh to the next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantContext {
    pub client_id: String,
    pub user_id: String,
    /// Granted scopes (OIDC and API), in request order.
    pub scope: Vec<String>,
    /// The API the access token is for; `None` means `/userinfo` only.
    pub audience: Option<String>,
    pub nonce: Option<String>,
    /// Epoch seconds of the login.
    pub auth_time: i64,
    pub sid: Option<String>,
}

#[derive(Debug, Clone)]
pub struct AuthorizationCode {
    pub grant: GrantContext,
    pub redirect_uri: Option<String>,
    pub code_challenge: Option<String>,
    /// `S256` or `plain`.
    pub code_challenge_method: Option<String>,
    pub expires_at: Millis,
}

#[derive(Debug, Clone)]
pub struct RefreshToken {
    pub grant: GrantContext,
    /// Every token descended from one login shares a family; reuse of a rotated token revokes it.
    pub family: String,
    /// Set when a rotating client exchanged this token for a new one.
    pub rotated: bool,
}

#[derive(Debug, Clone)]
pub struct OpaqueToken {
    pub user_id: String,
    pub client_id: String,
    pub scope: Vec<String>,
    pub expires_at: Millis,
}

#[derive(Debug, Clone)]
pub struct Session {
    pub user_id: String,
    /// Epoch seconds.
    pub auth_time: i64,
}

#[derive(Debug, Clone, Default)]
pub struct AuthStore {
    codes: HashMap<String, AuthorizationCode>,
    refresh_tokens: HashMap<String, RefreshToken>,
    opaque_tokens: HashMap<String, OpaqueToken>,
    sessions: HashMap<String, Session>,
    failed_logins: HashMap<String, u32>,
}

impl AuthStore {
    pub fn insert_code(&mut self, code: String, value: AuthorizationCode, now: Millis) {
        self.codes.retain(|_, c| c.expires_at > now);
        self.codes.insert(code, value);
    }

    /// Removes and returns a code: codes are single use, whatever the exchange's outcome.
    pub fn take_code(&mut self, code: &str, now: Millis) -> Option<AuthorizationCode> {
        self.codes.remove(code).filter(|c| c.expires_at > now)
    }

    pub fn insert_refresh_token(&mut self, token: String, value: RefreshToken) {
        self.refresh_tokens.insert(token, value);
    }

    pub fn refresh_token(&self, token: &str) -> Option<&RefreshToken> {
        self.refresh_tokens.get(token)
    }

    pub fn mark_rotated(&mut self, token: &str) {
        if let Some(t) = self.refresh_tokens.get_mut(token) {
            t.rotated = true;
        }
    }

    /// Revokes every refresh token of a family (revocation, or reuse of a rotated token).
    pub fn revoke_family(&mut self, family: &str) {
        self.refresh_tokens.retain(|_, t| t.family != family);
    }

    /// Ends a user's login sessions and `/userinfo`-only tokens (the user was deleted).
    pub fn forget_user_sessions(&mut self, user_id: &str) {
        self.opaque_tokens.retain(|_, t| t.user_id != user_id);
        self.sessions.retain(|_, s| s.user_id != user_id);
    }

    pub fn insert_opaque(&mut self, token: String, value: OpaqueToken, now: Millis) {
        self.opaque_tokens.retain(|_, t| t.expires_at > now);
        self.opaque_tokens.insert(token, value);
    }

    pub fn opaque(&self, token: &str, now: Millis) -> Option<&OpaqueToken> {
        self.opaque_tokens.get(token).filter(|t| t.expires_at > now)
    }

    pub fn insert_session(&mut self, sid: String, session: Session) {
        self.sessions.insert(sid, session);
    }

    pub fn session(&self, sid: &str) -> Option<&Session> {
        self.sessions.get(sid)
    }

    pub fn remove_session(&mut self, sid: &str) -> Option<Session> {
        self.sessions.remove(sid)
    }

    /// Counts a failed login and returns the new count.
    pub fn record_failure(&mut self, user_id: &str) -> u32 {
        let count = self.failed_logins.entry(user_id.to_string()).or_insert(0);
        *count += 1;
        *count
    }

    pub fn failures(&self, user_id: &str) -> u32 {
        self.failed_logins.get(user_id).copied().unwrap_or(0)
    }

    /// Clears brute-force state (a successful login, a password reset, an unblock).
    pub fn clear_failures(&mut self, user_id: &str) {
        self.failed_logins.remove(user_id);
    }
}
