//! Verification of tokens the tenant signed, on the virtual clock: `jsonwebtoken` checks the
//! signature and algorithm, this module checks time, issuer and audience, so expiry follows the
//! emulator's clock rather than the wall.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value};

use super::keys::SigningKey;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("invalid token")]
    Malformed,
    #[error("invalid signature")]
    Signature,
    #[error("The token has expired")]
    Expired,
    #[error("invalid issuer")]
    Issuer,
    #[error("bad audience")]
    Audience,
}

/// Verifies an RS256 token from `key`, issued by `issuer`, valid at `now_secs`, whose `aud`
/// (string or array) contains `audience`.
pub fn verify(key: &SigningKey, token: &str, issuer: &str, audience: &str, now_secs: i64) -> Result<Map<String, Value>, VerifyError> {
    let claims = verify_signature(key, token)?;
    check_claims(&claims, issuer, audience, now_secs)?;
    Ok(claims)
}

fn verify_signature(key: &SigningKey, token: &str) -> Result<Map<String, Value>, VerifyError> {
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    super::jws::verify_rs256(key, token, &validation).map_err(|e| match e.kind() {
        jsonwebtoken::errors::ErrorKind::InvalidSignature => VerifyError::Signature,
        _ => VerifyError::Malformed,
    })
}

fn check_claims(claims: &Map<String, Value>, issuer: &str, audience: &str, now_secs: i64) -> Result<(), VerifyError> {
    let exp = claims.get("exp").and_then(Value::as_i64).ok_or(VerifyError::Malformed)?;
    if exp <= now_secs {
        return Err(VerifyError::Expired);
    }
    if claims.get("iss").and_then(Value::as_str) != Some(issuer) {
        return Err(VerifyError::Issuer);
    }
    let audience_ok = match claims.get("aud") {
        Some(Value::String(a)) => a == audience,
        Some(Value::Array(list)) => list.iter().any(|a| a.as_str() == Some(audience)),
        _ => false,
    };
    if !audience_ok {
        return Err(VerifyError::Audience);
    }
    Ok(())
}

/// Remembers the claims of tokens whose signature verified, so a token presented again (an app
/// calling `/userinfo` or the Management API with the same token) costs a lookup instead of an
/// RSA verification. Time, issuer and audience are still checked on every use.
#[derive(Debug, Default)]
pub struct VerifiedTokens {
    // A std mutex: lookups and inserts are short and never await.
    seen: Mutex<Seen>,
}

/// Token → its claims.
type Seen = HashMap<String, Arc<Map<String, Value>>, BuildHasherDefault<TokenHasher>>;

/// Entries kept before the cache starts over.
const CACHE_CAPACITY: usize = 4096;

impl VerifiedTokens {
    pub fn verify(&self, key: &SigningKey, token: &str, issuer: &str, audience: &str, now_secs: i64) -> Result<Arc<Map<String, Value>>, VerifyError> {
        let claims = match self.cached(token) {
            Some(claims) => claims,
            None => {
                let claims = Arc::new(verify_signature(key, token)?);
                let mut seen = self.lock();
                if seen.len() >= CACHE_CAPACITY {
                    seen.clear();
                }
                seen.insert(token.to_string(), claims.clone());
                claims
            }
        };
        check_claims(&claims, issuer, audience, now_secs)?;
        Ok(claims)
    }

    /// The claims of `token` if its signature verified before (time, issuer and audience unchecked).
    pub fn cached(&self, token: &str) -> Option<Arc<Map<String, Value>>> {
        self.lock().get(token).cloned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Seen> {
        self.seen.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Hashes a token by its length and its last 16 bytes, where an RS256 JWT carries signature
/// bytes: as evenly spread as a full hash, without reading ~800 bytes per lookup. Only tokens
/// whose signature verified are ever inserted, so no one can crowd a bucket on purpose.
#[derive(Debug, Default)]
struct TokenHasher(u64);

impl Hasher for TokenHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut hash = self.0 ^ u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        for chunk in bytes[bytes.len().saturating_sub(16)..].chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            hash = (hash ^ u64::from_le_bytes(word)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
            hash ^= hash >> 29;
        }
        self.0 = hash;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}
