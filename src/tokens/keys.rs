//! The tenant's RS256 signing key and its public JWK.
//!
//! The key pair is parsed once and kept: parsing an RSA key costs more than signing with it,
//! so every token is one RSA operation. The JWK carries `x5c` (a self-signed certificate for the
//! key, as Auth0 publishes) and `x5t`. The certificate uses fixed dates and a serial derived from
//! the key, so the same key always yields the same `x5c`, `x5t` and `kid` across restarts.

use std::path::{Path, PathBuf};

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair as RsaKeyPair, KeySize};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::{json, Value};

use crate::persist;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: not an RSA private key in PEM (PKCS#8 or PKCS#1): {reason}")]
    BadKey { path: PathBuf, reason: String },
    #[error("RSA key generation failed")]
    Generate,
    #[error("signing failed")]
    Sign,
    #[error("certificate for the signing key: {0}")]
    Certificate(#[from] rcgen::Error),
}

pub struct SigningKey {
    kid: String,
    pair: RsaKeyPair,
    pkcs8_der: Vec<u8>,
    jwk: Value,
    /// `base64url({"alg":"RS256","typ":"JWT","kid":…})`, computed once.
    header_b64: String,
    decoding: jsonwebtoken::DecodingKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey").field("kid", &self.kid).finish_non_exhaustive()
    }
}

impl SigningKey {
    /// A fresh RSA-2048 key (about 100 ms: never on a request path).
    pub fn generate() -> Result<Self, KeyError> {
        let pair = RsaKeyPair::generate(KeySize::Rsa2048).map_err(|_| KeyError::Generate)?;
        let der = pair.as_der().map_err(|_| KeyError::Generate)?;
        Self::from_pkcs8(der.as_ref().to_vec(), Path::new("<generated>"))
    }

    /// Parses a PEM private key (PKCS#8 `PRIVATE KEY` or PKCS#1 `RSA PRIVATE KEY`).
    pub fn from_pem(pem: &str, origin: &Path) -> Result<Self, KeyError> {
        let bad = |reason: String| KeyError::BadKey { path: origin.to_path_buf(), reason };
        match PrivateKeyDer::from_pem_slice(pem.as_bytes()).map_err(|e| bad(e.to_string()))? {
            PrivateKeyDer::Pkcs8(der) => Self::from_pkcs8(der.secret_pkcs8_der().to_vec(), origin),
            PrivateKeyDer::Pkcs1(der) => {
                let pair = RsaKeyPair::from_der(der.secret_pkcs1_der()).map_err(|e| bad(e.to_string()))?;
                let pkcs8 = pair.as_der().map_err(|_| bad("cannot re-encode as PKCS#8".into()))?;
                Self::from_pkcs8(pkcs8.as_ref().to_vec(), origin)
            }
            _ => Err(bad("an EC or other non-RSA key".into())),
        }
    }

    fn from_pkcs8(pkcs8_der: Vec<u8>, origin: &Path) -> Result<Self, KeyError> {
        let bad = |reason: String| KeyError::BadKey { path: origin.to_path_buf(), reason };
        let pair = RsaKeyPair::from_pkcs8(&pkcs8_der).map_err(|e| bad(e.to_string()))?;
        let public = pair.public_key();
        let n = URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero());
        let e = URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero());
        let kid = jwk_thumbprint(&n, &e);
        let cert_der = self_signed_certificate(&pkcs8_der)?;
        let x5t = URL_SAFE_NO_PAD.encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, &cert_der));
        let jwk = json!({
            "kty": "RSA", "use": "sig", "n": n, "e": e, "kid": kid, "x5t": x5t,
            "x5c": [STANDARD.encode(&cert_der)], "alg": "RS256",
        });
        let header_b64 = URL_SAFE_NO_PAD.encode(json!({"alg": "RS256", "typ": "JWT", "kid": kid}).to_string());
        let decoding = jsonwebtoken::DecodingKey::from_rsa_components(&n, &e).map_err(|e| bad(e.to_string()))?;
        Ok(Self { kid, pair, pkcs8_der, jwk, header_b64, decoding })
    }

    /// The key from `--signing-key`, else the state directory's (made on first use), else a fresh one.
    pub fn load_or_create(explicit: Option<&Path>, state_dir: Option<&Path>) -> Result<Self, KeyError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| KeyError::Io { path, source }
        };
        if let Some(path) = explicit {
            let pem = std::fs::read_to_string(path).map_err(io(path))?;
            return Self::from_pem(&pem, path);
        }
        let Some(dir) = state_dir else { return Self::generate() };
        let path = dir.join(persist::SIGNING_KEY);
        if let Some(pem) = persist::read_optional(&path).map_err(io(&path))? {
            return Self::from_pem(&pem, &path);
        }
        let key = Self::generate()?;
        persist::write_atomic(&path, key.pem().as_bytes(), true).map_err(io(&path))?;
        Ok(key)
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public JWK as published in the JWKS.
    pub fn jwk(&self) -> &Value {
        &self.jwk
    }

    /// The private key as PKCS#8 PEM.
    pub fn pem(&self) -> String {
        persist::pem_encode("PRIVATE KEY", &self.pkcs8_der)
    }

    /// The encoded JWS header for RS256 tokens of this key.
    pub fn header_b64(&self) -> &str {
        &self.header_b64
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message`.
    pub fn sign_rs256(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        let mut signature = vec![0u8; self.pair.public_modulus_len()];
        let rng = aws_lc_rs::rand::SystemRandom::new();
        self.pair.sign(&RSA_PKCS1_SHA256, &rng, message, &mut signature).map_err(|_| KeyError::Sign)?;
        Ok(signature)
    }

    /// The verification key for tokens this key signed.
    pub fn decoding_key(&self) -> &jsonwebtoken::DecodingKey {
        &self.decoding
    }
}

/// A key that is not the tenant's, for tokens that must fail verification. Made on first use
/// (about 100 ms, so callers run this off the async executor) and kept for the process.
pub fn foreign() -> Result<&'static SigningKey, KeyError> {
    static FOREIGN: std::sync::OnceLock<SigningKey> = std::sync::OnceLock::new();
    if let Some(key) = FOREIGN.get() {
        return Ok(key);
    }
    let key = SigningKey::generate()?;
    Ok(FOREIGN.get_or_init(|| key))
}

/// RFC 7638 thumbprint of an RSA JWK: SHA-256 over `{"e","kty","n"}` in that order, base64url.
fn jwk_thumbprint(n: &str, e: &str) -> String {
    let canonical = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
    URL_SAFE_NO_PAD.encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, canonical.as_bytes()))
}

/// A self-signed certificate for the signing key (the JWKS `x5c`), deterministic for a given key.
fn self_signed_certificate(pkcs8_der: &[u8]) -> Result<Vec<u8>, KeyError> {
    let der = PrivatePkcs8KeyDer::from(pkcs8_der.to_vec());
    let key = rcgen::KeyPair::from_pkcs8_der_and_sign_algo(&der, &rcgen::PKCS_RSA_SHA256)?;
    let mut params = rcgen::CertificateParams::default();
    let mut dn = rcgen::DistinguishedName::new();
    dn.push(rcgen::DnType::CommonName, "auth0-emulator token signing key");
    params.distinguished_name = dn;
    params.not_before = rcgen::date_time_ymd(2024, 1, 1);
    params.not_after = rcgen::date_time_ymd(2049, 12, 31);
    Ok(params.self_signed(&key)?.der().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_round_trips_through_pem_with_the_same_kid_and_x5c() {
        let key = SigningKey::generate().expect("generate");
        let again = SigningKey::from_pem(&key.pem(), Path::new("test")).expect("parse");
        assert_eq!(key.kid(), again.kid());
        assert_eq!(key.jwk(), again.jwk());
        assert_eq!(key.jwk()["kty"], "RSA");
        assert_eq!(key.jwk()["e"], "AQAB");
    }

    #[test]
    fn a_non_key_is_refused_with_the_file_named() {
        let err = SigningKey::from_pem("not a pem", Path::new("k.pem")).expect_err("must fail");
        assert!(err.to_string().starts_with("k.pem: "), "{err}");
    }
}
