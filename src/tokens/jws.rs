//! Compact JWS signing (RS256 with the tenant key, HS256 with a client secret) and verification.
//!
//! Signing builds the JWS by hand so each token costs exactly one RSA operation with the cached
//! key pair; verification goes through `jsonwebtoken`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Serialize;

use super::keys::{KeyError, SigningKey};

/// Signs `claims` as an RS256 JWT whose header names the key's `kid`.
pub fn sign_rs256(key: &SigningKey, claims: &impl Serialize) -> Result<String, KeyError> {
    sign_rs256_with_header(key, key.header_b64(), claims)
}

/// Signs with `key` under another key's header: a token that names the tenant's `kid` but whose
/// signature cannot verify (for negative tests).
pub fn sign_rs256_with_header(key: &SigningKey, header_b64: &str, claims: &impl Serialize) -> Result<String, KeyError> {
    let payload = serde_json::to_vec(claims).map_err(|_| KeyError::Sign)?;
    let mut token = String::with_capacity(header_b64.len() + payload.len() * 4 / 3 + 350);
    token.push_str(header_b64);
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(&payload, &mut token);
    let signature = key.sign_rs256(token.as_bytes())?;
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(signature, &mut token);
    Ok(token)
}

/// Signs `claims` as an HS256 JWT (no `kid`, as Auth0 does for HS256 ID tokens).
pub fn sign_hs256(secret: &[u8], claims: &impl Serialize) -> Result<String, KeyError> {
    let payload = serde_json::to_vec(claims).map_err(|_| KeyError::Sign)?;
    let mut token = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(&payload, &mut token);
    let mac = aws_lc_rs::hmac::sign(&aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret), token.as_bytes());
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(mac.as_ref(), &mut token);
    Ok(token)
}

/// Verifies an RS256 token signed by `key` against `validation` and returns its claims.
pub fn verify_rs256(
    key: &SigningKey,
    token: &str,
    validation: &jsonwebtoken::Validation,
) -> Result<serde_json::Map<String, serde_json::Value>, jsonwebtoken::errors::Error> {
    jsonwebtoken::decode(token, key.decoding_key(), validation).map(|data| data.claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rs256_tokens_verify_with_the_public_key_and_carry_the_kid() {
        let key = SigningKey::generate().expect("key");
        let token = sign_rs256(&key, &json!({"sub": "a", "exp": 4_000_000_000_i64})).expect("sign");
        let header = jsonwebtoken::decode_header(&token).expect("header");
        assert_eq!(header.kid.as_deref(), Some(key.kid()));
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        validation.validate_aud = false;
        let claims = verify_rs256(&key, &token, &validation).expect("verify");
        assert_eq!(claims["sub"], "a");
    }

    #[test]
    fn a_tampered_payload_fails_verification() {
        let key = SigningKey::generate().expect("key");
        let token = sign_rs256(&key, &json!({"sub": "a", "exp": 4_000_000_000_i64})).expect("sign");
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged = URL_SAFE_NO_PAD.encode(br#"{"sub":"b","exp":4000000000}"#);
        parts[1] = &forged;
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        validation.validate_aud = false;
        assert!(verify_rs256(&key, &parts.join("."), &validation).is_err());
    }

    #[test]
    fn hs256_tokens_verify_with_the_secret() {
        let token = sign_hs256(b"secret", &json!({"sub": "a", "exp": 4_000_000_000_i64})).expect("sign");
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
        validation.validate_aud = false;
        let data = jsonwebtoken::decode::<serde_json::Value>(
            &token,
            &jsonwebtoken::DecodingKey::from_secret(b"secret"),
            &validation,
        )
        .expect("verify");
        assert_eq!(data.claims["sub"], "a");
    }
}
