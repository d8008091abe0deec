//! The outbox: messages Auth0 would have sent (password-reset links, passwordless codes,
//! verification emails). Nothing is delivered; tests read them through the control API.

use serde::Serialize;

use crate::clock::Millis;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    PasswordReset,
    PasswordlessCode,
    PasswordlessLink,
    VerifyEmail,
}

#[derive(Debug, Clone, Serialize)]
pub struct Message {
    pub id: String,
    pub kind: MessageKind,
    /// An email address or phone number.
    pub to: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection: Option<String>,
    /// A link the user would click (reset ticket, magic link).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// A one-time code the user would type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip)]
    pub created_at_ms: Millis,
    pub created_at: String,
}

/// At most this many messages are kept; the oldest go first.
pub const CAPACITY: usize = 1000;

#[derive(Debug, Clone, Default)]
pub struct Outbox {
    messages: std::collections::VecDeque<Message>,
}

impl Outbox {
    pub fn push(&mut self, message: Message) {
        if self.messages.len() == CAPACITY {
            self.messages.pop_front();
        }
        self.messages.push_back(message);
    }

    /// Newest last.
    pub fn iter(&self) -> impl Iterator<Item = &Message> {
        self.messages.iter()
    }

    pub fn clear(&mut self) {
        self.messages.clear();
    }
}
