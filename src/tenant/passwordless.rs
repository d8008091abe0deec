//! Passwordless connections (`email`, `sms`): one-time codes sent (to the outbox) by
//! `/passwordless/start` and exchanged at the token endpoint, which finds or creates the user.

use std::collections::HashMap;

use super::model::Connection;
use super::outbox::{Message, MessageKind};
use super::users::{default_name_and_nickname, User};
use super::TenantData;
use crate::clock::{iso8601, Millis};

/// How long a code stays valid (Auth0's default OTP lifetime).
pub const CODE_LIFETIME_MS: Millis = 5 * 60 * 1000;
/// Wrong guesses before a code is void.
pub const MAX_ATTEMPTS: u32 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    pub fn of(connection: &Connection) -> Option<Self> {
        match connection.strategy.as_str() {
            "email" => Some(Channel::Email),
            "sms" => Some(Channel::Sms),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordlessError {
    #[error("Connection does not exist")]
    NoConnection,
    #[error("Connection is disabled")]
    Disabled,
    #[error("Wrong email or verification code.")]
    WrongEmailCode,
    #[error("Wrong phone number or verification code.")]
    WrongPhoneCode,
}

#[derive(Debug, Clone)]
struct PendingCode {
    code: String,
    client_id: String,
    expires_at: Millis,
    attempts: u32,
}

/// Codes waiting for their exchange, by (connection, email or phone).
#[derive(Debug, Clone, Default)]
pub struct PasswordlessCodes {
    pending: HashMap<(String, String), PendingCode>,
}

/// What `/passwordless/start` is asked for.
pub struct Start<'a> {
    pub connection: &'a str,
    pub client_id: &'a str,
    /// The email (lowercased by the caller) or E.164 phone number.
    pub to: &'a str,
    pub code: String,
    pub message_id: String,
    /// A magic link instead of a code (`send: "link"`), pointing at `/authorize` on the caller's side.
    pub link: Option<String>,
    pub now: Millis,
}

fn find<'a>(data: &'a TenantData, connection: &str, client_id: &str) -> Result<(&'a Connection, Channel), PasswordlessError> {
    let c = data.connections.iter().find(|c| c.name == connection).ok_or(PasswordlessError::NoConnection)?;
    let channel = Channel::of(c).ok_or(PasswordlessError::NoConnection)?;
    if !c.is_enabled_for(client_id) {
        return Err(PasswordlessError::Disabled);
    }
    Ok((c, channel))
}

impl TenantData {
    /// Records a code for `to` (replacing an earlier one) and puts the message in the outbox.
    pub fn passwordless_start(&mut self, start: Start<'_>) -> Result<Channel, PasswordlessError> {
        let (_, channel) = find(self, start.connection, start.client_id)?;
        let key = (start.connection.to_string(), start.to.to_string());
        self.passwordless.pending.insert(
            key,
            PendingCode { code: start.code.clone(), client_id: start.client_id.to_string(), expires_at: start.now + CODE_LIFETIME_MS, attempts: 0 },
        );
        let user_id = self.users_by_login(start.connection, start.to).map(|u| u.user_id.clone());
        let kind = if start.link.is_some() { MessageKind::PasswordlessLink } else { MessageKind::PasswordlessCode };
        self.outbox.push(Message {
            id: start.message_id,
            kind,
            to: start.to.to_string(),
            user_id,
            client_id: Some(start.client_id.to_string()),
            connection: Some(start.connection.to_string()),
            link: start.link,
            code: Some(start.code),
            created_at_ms: start.now,
            created_at: iso8601(start.now),
        });
        Ok(channel)
    }

    fn users_by_login(&self, connection: &str, to: &str) -> Option<&User> {
        self.users.by_email(connection, to).or_else(|| self.users.iter().find(|u| u.connection == connection && u.phone_number.as_deref() == Some(to)))
    }

    /// Checks a code; on success the code is spent and the user (created on first login) returned.
    pub fn passwordless_verify(&mut self, connection: &str, client_id: &str, to: &str, code: &str, new_id: String, now: Millis) -> Result<User, PasswordlessError> {
        let (_, channel) = find(self, connection, client_id)?;
        let wrong = match channel {
            Channel::Email => PasswordlessError::WrongEmailCode,
            Channel::Sms => PasswordlessError::WrongPhoneCode,
        };
        let key = (connection.to_string(), to.to_string());
        let Some(pending) = self.passwordless.pending.get_mut(&key) else { return Err(wrong) };
        if pending.expires_at <= now || pending.client_id != client_id || pending.attempts >= MAX_ATTEMPTS {
            self.passwordless.pending.remove(&key);
            return Err(wrong);
        }
        if pending.code != code {
            pending.attempts += 1;
            return Err(wrong);
        }
        self.passwordless.pending.remove(&key);
        let existing = self.users_by_login(connection, to).map(|u| u.user_id.clone());
        let user_id = match existing {
            Some(id) => id,
            None => {
                let (email, phone) = match channel {
                    Channel::Email => (Some(to.to_string()), None),
                    Channel::Sms => (None, Some(to.to_string())),
                };
                let (name, nickname) = default_name_and_nickname(email.as_deref(), None, phone.as_deref());
                let user = User {
                    email_verified: email.is_some(),
                    email,
                    phone_verified: phone.as_ref().map(|_| true),
                    phone_number: phone,
                    name,
                    nickname,
                    ..User::new(format!("{connection}|{new_id}"), connection.to_string(), now)
                };
                let id = user.user_id.clone();
                self.users.insert(user).map_err(|_| wrong.clone())?;
                id
            }
        };
        let user = self.users.get_mut(&user_id).ok_or(wrong)?;
        user.last_login = Some(now);
        user.logins_count += 1;
        if user.email.is_some() && channel == Channel::Email {
            user.email_verified = true;
        }
        Ok(user.clone())
    }
}
