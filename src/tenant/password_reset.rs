//! Password-reset tickets, HTTP-agnostic: issuing one (what `POST /dbconnections/change_password`
//! does), checking one (the reset page), and spending one on a new password.
//!
//! # Where tickets live
//!
//! A ticket is a random 32-character string carried in the `link` of a `password_reset` outbox
//! message, `https://DOMAIN/lo/reset?ticket=<ticket>#` (Auth0's links end with `#`). There is no
//! separate ticket table: a lookup scans the outbox, which holds at most
//! [`outbox::CAPACITY`](super::outbox::CAPACITY) messages, so it is cheap, and a ticket whose
//! message was cleared (`DELETE /__emulator/outbox`, tenant reset) or pushed out is gone. That is
//! fine for a test tool and keeps tickets visible where tests already look.
//!
//! # Expiry and single use
//!
//! A ticket expires [`TICKET_LIFETIME_MS`] (5 days, Auth0's default) after its message's
//! `created_at` on the virtual clock. It is spent once the user's `last_password_reset` is at or
//! after that instant: a reset sets `last_password_reset` to at least the ticket's time, so the
//! ticket used and every older one stop working. Because test clocks are often frozen, a ticket
//! issued at the very millisecond of the last reset is stamped one millisecond later, so it is
//! not born spent.

use super::ConnectionRefusal;
use super::outbox::{Message, MessageKind};
use super::password_policy::{PasswordPolicy, PolicyFailure};
use super::passwords::PasswordHash;
use super::{Tenant, TenantData};
use crate::clock::{iso8601, Millis};
use crate::paths;
use crate::rng::SeededRng;

/// How long a reset link works: 5 days (432000 s, Auth0's default ticket lifetime).
pub const TICKET_LIFETIME_MS: Millis = 5 * 24 * 60 * 60 * 1000;

/// Why a reset could not be requested. `Display` is the text clients see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RequestFailure {
    #[error("invalid client")]
    UnknownClient,
    /// Unknown, or not a database connection.
    #[error("the connection was not found")]
    ConnectionNotFound,
    #[error("the connection was disabled")]
    ConnectionDisabled,
}

/// Why a ticket does not work. `Display` is the text the reset page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TicketError {
    #[error("This link is invalid.")]
    Invalid,
    #[error("This link has expired.")]
    Expired,
    #[error("This link has already been used.")]
    Used,
}

/// Why a reset failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResetFailure {
    #[error(transparent)]
    Ticket(#[from] TicketError),
    #[error("Password is too weak")]
    WeakPassword(PolicyFailure),
}

/// A working ticket: whose it is and what password it will accept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    pub email: String,
    pub user_id: String,
    pub connection: String,
    /// The connection's policy in Auth0's words (`* At least 8 characters in length…`).
    pub policy_text: String,
}

/// Sends a reset link when `email` has a user in `connection`; answers the same whether or not
/// one was sent (the caller must not tell the difference to its client). Returns whether it was.
pub fn request(
    tenant: &Tenant,
    rng: &SeededRng,
    now: Millis,
    client_id: &str,
    email: &str,
    connection: &str,
) -> Result<bool, RequestFailure> {
    let page = tenant.url(paths::RESET_PASSWORD_PAGE);
    tenant.write(|data| {
        data.client(client_id).ok_or(RequestFailure::UnknownClient)?;
        data.database_connection(connection, client_id).map_err(|refusal| match refusal {
            ConnectionRefusal::NotFound => RequestFailure::ConnectionNotFound,
            ConnectionRefusal::Disabled => RequestFailure::ConnectionDisabled,
        })?;
        let Some(user) = data.users.by_email(connection, email) else { return Ok(false) };
        // Never born spent, even on a frozen clock (see the module docs).
        let created_at_ms = match user.last_password_reset {
            Some(reset) if reset >= now => reset.saturating_add(1),
            _ => now,
        };
        let message = Message {
            id: format!("msg_{}", rng.alnum(16)),
            kind: MessageKind::PasswordReset,
            to: user.email.clone().unwrap_or_else(|| email.to_lowercase()),
            user_id: Some(user.user_id.clone()),
            client_id: Some(client_id.to_owned()),
            connection: Some(connection.to_owned()),
            link: Some(format!("{page}?ticket={}#", rng.alnum(32))),
            code: None,
            created_at_ms,
            created_at: iso8601(created_at_ms),
        };
        data.outbox.push(message);
        Ok(true)
    })
}

/// Checks a ticket for the reset page.
pub fn inspect(tenant: &Tenant, now: Millis, ticket: &str) -> Result<Ticket, TicketError> {
    tenant.read(|data| find(data, now, ticket).map(|(ticket, _)| ticket))
}

/// Whether `ticket` would accept `password` (a working ticket, a password the policy takes),
/// changing nothing: a custom database's `change_password` script runs in between.
pub fn check(tenant: &Tenant, now: Millis, ticket: &str, password: &str) -> Result<Ticket, ResetFailure> {
    tenant.read(|data| {
        let (found, _) = find(data, now, ticket)?;
        let (policy, min_length) = policy_of(data, &found.connection);
        policy.check(password, min_length).map_err(ResetFailure::WeakPassword)?;
        Ok(found)
    })
}

/// Spends `ticket` on `password`: checks the connection's policy, stores the new password
/// (fast hash with `salt`), stamps `last_password_reset` and `updated_at`, and clears failed
/// logins. Check and change
/// happen under one write lock, so of two concurrent uses of a ticket exactly one succeeds.
pub fn reset(tenant: &Tenant, now: Millis, ticket: &str, password: &str, salt: [u8; 16]) -> Result<Ticket, ResetFailure> {
    tenant.write(|data| {
        let (found, issued_at) = find(data, now, ticket)?;
        let (policy, min_length) = policy_of(data, &found.connection);
        policy.check(password, min_length).map_err(ResetFailure::WeakPassword)?;
        let user = data.users.get_mut(&found.user_id).ok_or(TicketError::Invalid)?;
        user.password = Some(PasswordHash::fast(password, salt));
        user.last_password_reset = Some(now.max(issued_at));
        user.updated_at = now;
        // A successful reset lifts a brute-force block, as on Auth0.
        data.auth.clear_failures(&found.user_id);
        Ok(found)
    })
}

/// The ticket's message, checked: the user still exists, the ticket is unspent and unexpired.
/// Returns the ticket and the instant it was issued.
fn find(data: &TenantData, now: Millis, ticket: &str) -> Result<(Ticket, Millis), TicketError> {
    if ticket.is_empty() {
        return Err(TicketError::Invalid);
    }
    let message = data
        .outbox
        .iter()
        .filter(|m| m.kind == MessageKind::PasswordReset)
        .find(|m| m.link.as_deref().and_then(ticket_of).is_some_and(|t| t == ticket))
        .ok_or(TicketError::Invalid)?;
    let user = message.user_id.as_deref().and_then(|id| data.users.get(id)).ok_or(TicketError::Invalid)?;
    if user.last_password_reset.is_some_and(|reset| reset >= message.created_at_ms) {
        return Err(TicketError::Used);
    }
    if now > message.created_at_ms.saturating_add(TICKET_LIFETIME_MS) {
        return Err(TicketError::Expired);
    }
    let (policy, min_length) = policy_of(data, &user.connection);
    let found = Ticket {
        email: message.to.clone(),
        user_id: user.user_id.clone(),
        connection: user.connection.clone(),
        policy_text: policy.policy_text(min_length),
    };
    Ok((found, message.created_at_ms))
}

/// The `ticket` query parameter of a reset link.
fn ticket_of(link: &str) -> Option<String> {
    let url = url::Url::parse(link).ok()?;
    url.query_pairs().find(|(k, _)| k == "ticket").map(|(_, v)| v.into_owned())
}

/// The policy of a connection by name (`good` if it is gone).
fn policy_of(data: &TenantData, connection: &str) -> (PasswordPolicy, Option<u32>) {
    data.connections.iter().find(|c| c.name == connection).map_or((PasswordPolicy::Good, None), |c| c.password_policy())
}
