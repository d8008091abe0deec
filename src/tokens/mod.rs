//! Tokens: signing keys, the JWKS, JWS signing and verification, and claim assembly.
//! No HTTP types here; handlers and the CLI call in.

pub mod jws;
pub mod keys;
pub mod mint;
pub mod verify;

pub use keys::{KeyError, SigningKey};
pub use mint::{TokenKind, TokenSpec};
