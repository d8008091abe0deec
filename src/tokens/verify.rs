//! Verification of tokens the tenant signed, on the virtual clock: `jsonwebtoken` checks the
//! signature and algorithm, this module checks time, issuer and audience, so expiry follows the
//! emulator's clock rather than the wall.

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
    seen: std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<Map<String, Value>>>>,
}

/// Entries kept before the cache starts over.
const CACHE_CAPACITY: usize = 4096;

impl VerifiedTokens {
    pub fn verify(&self, key: &SigningKey, token: &str, issuer: &str, audience: &str, now_secs: i64) -> Result<std::sync::Arc<Map<String, Value>>, VerifyError> {
        let cached = self.seen.lock().unwrap_or_else(|p| p.into_inner()).get(token).cloned();
        let claims = match cached {
            Some(claims) => claims,
            None => {
                let claims = std::sync::Arc::new(verify_signature(key, token)?);
                let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
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
}
