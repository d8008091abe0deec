//! Stored password credentials: the fast internal hash given to seeded and signed-up users, bcrypt
//! strings from a bulk import's `password_hash`, and the `custom_password_hash` objects of Auth0's
//! bulk user import schema. Parsing validates everything up front without running a slow KDF, so
//! loading many users stays cheap; the KDF runs only in [`PasswordHash::verify`].
//!
//! # `custom_password_hash` support
//!
//! Source: Auth0 docs, "Bulk User Import Database Schema and Examples"
//! (auth0/docs-v2 `main/docs/manage-users/user-migration/bulk-user-import-database-schema-and-examples.mdx`).
//!
//! | `algorithm` | supported | notes |
//! |---|---|---|
//! | `md4` `md5` `sha1` `sha256` `sha512` | yes | `digest(salt ‖ password)` or `digest(password ‖ salt)`; `hash.encoding` hex or base64 (required) |
//! | `hmac` | md4, md5, sha1, sha224, sha256, sha384, sha512 | `ripemd160` and `whirlpool` are valid Auth0 digests the emulator cannot compute |
//! | `bcrypt` | yes | `$2a$` `$2b$` `$2y$`; a `salt` is concatenated to the password before bcrypt; 72-byte input limit |
//! | `argon2` | `argon2i`, `argon2id`, `v=19` | PHC string; the rules of auth0/magic (libsodium), so no `argon2d` |
//! | `pbkdf2` | md4, md5, sha1, sha224, sha256, sha384, sha512 and their OpenSSL aliases | PHC `$pbkdf2-<digest>$i=…,l=…$salt$hash`; `i` defaults to 100000, `l` to 64; mdc2, ripemd and whirlpool are not computable |
//! | `ldap` | `{MD5}` `{SMD5}` `{SHA}` `{SSHA}`, and `{SHA224}`…`{SSHA512}` | RFC 2307; `{CRYPT}` is refused as Auth0 refuses it |
//! | `scrypt` | no | no scrypt crate in the dependency set |
//!
//! Encodings follow Node's `Buffer`, which Auth0 runs on: base64 accepts the URL-safe alphabet and
//! missing padding, hex either case; `password.encoding` `utf16le`/`ucs2` are UTF-16LE and
//! `latin1`/`binary`/`ascii` keep the low byte of each UTF-16 code unit.

use std::fmt;

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha2::Digest as _;
use subtle::ConstantTimeEq;

/// A stored credential. `Debug` shows only the kind, never salts or digests.
#[derive(Clone)]
pub enum PasswordHash {
    /// Internal salted SHA-256: cheap enough to seed 100k users at startup.
    Fast(FastHash),
    /// A bulk-import `password_hash` bcrypt string.
    Bcrypt(BcryptHash),
    /// A bulk-import `custom_password_hash` object (boxed: it is large and rare).
    Custom(Box<CustomHash>),
}

/// `SHA-256(salt ‖ password)`.
#[derive(Clone)]
pub struct FastHash {
    salt: [u8; 16],
    digest: [u8; 32],
}

/// A parsed bcrypt string; decoded at load time so `verify` only runs bcrypt.
#[derive(Clone)]
pub struct BcryptHash {
    cost: u32,
    salt: [u8; 16],
    digest: [u8; 23],
}

/// A validated `custom_password_hash`.
#[derive(Clone)]
pub struct CustomHash {
    algorithm: &'static str,
    scheme: Scheme,
    salt: Option<Salt>,
    password_encoding: PasswordEncoding,
}

/// Why a hash was refused. `path` is relative to the hash object (`""` is the object or string
/// itself); `reason` is a short lower-case phrase.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct PasswordError {
    pub path: String,
    pub reason: String,
    unsupported: bool,
}

impl PasswordError {
    fn invalid(path: &str, reason: impl Into<String>) -> Self {
        Self {
            path: path.to_owned(),
            reason: reason.into(),
            unsupported: false,
        }
    }

    fn unsupported(path: &str, reason: impl Into<String>) -> Self {
        Self {
            path: path.to_owned(),
            reason: reason.into(),
            unsupported: true,
        }
    }

    /// True when Auth0 would accept the input but the emulator cannot compute it
    /// (scrypt, ripemd160, whirlpool, mdc2).
    pub fn is_unsupported(&self) -> bool {
        self.unsupported
    }

    /// Anchors the path under `prefix`, e.g. `custom_password_hash` + `hash.value`.
    pub fn prefixed(mut self, prefix: &str) -> Self {
        self.path = join(prefix, &self.path);
        self
    }
}

impl PasswordHash {
    /// Internal fast hash for a plain password; `salt` comes from the caller's seeded RNG.
    pub fn fast(password: &str, salt: [u8; 16]) -> Self {
        let digest = sha2::Sha256::new()
            .chain_update(salt)
            .chain_update(password)
            .finalize();
        Self::Fast(FastHash {
            salt,
            digest: digest.into(),
        })
    }

    /// Validates a bcrypt string (`$2a$`, `$2b$`, `$2y$`, cost 04–31) without running bcrypt.
    /// Errors carry the empty path: the string itself.
    pub fn bcrypt(hash: &str) -> Result<Self, PasswordError> {
        parse_bcrypt(hash)
            .map(Self::Bcrypt)
            .map_err(|reason| PasswordError::invalid("", reason))
    }

    /// Parses and validates an Auth0 `custom_password_hash` object without running the KDF.
    pub fn custom(value: &Value) -> Result<Self, PasswordError> {
        parse_custom(value).map(|custom| Self::Custom(Box::new(custom)))
    }

    /// Checks a login attempt. Digest comparisons are constant-time.
    pub fn verify(&self, password: &str) -> bool {
        match self {
            Self::Fast(fast) => {
                let candidate = sha2::Sha256::new()
                    .chain_update(fast.salt)
                    .chain_update(password)
                    .finalize();
                bool::from(candidate.as_slice().ct_eq(&fast.digest))
            }
            Self::Bcrypt(hash) => hash.verify(password.as_bytes()),
            Self::Custom(custom) => custom.verify(password),
        }
    }

    /// True for the internal fast hash (the caller re-hashes slow ones after a successful login).
    pub fn is_fast(&self) -> bool {
        matches!(self, Self::Fast(_))
    }

    /// A log-safe label: `fast`, `bcrypt` or the custom algorithm name.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Fast(_) => "fast",
            Self::Bcrypt(_) => "bcrypt",
            Self::Custom(custom) => custom.algorithm,
        }
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PasswordHash").field(&self.kind()).finish()
    }
}

impl fmt::Debug for FastHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FastHash(..)")
    }
}

impl fmt::Debug for BcryptHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BcryptHash(..)")
    }
}

impl fmt::Debug for CustomHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CustomHash({})", self.algorithm)
    }
}

// ---------------------------------------------------------------------------------------------
// Digests

/// The digests the RustCrypto crates in our dependency set can compute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Alg {
    Md4,
    Md5,
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

/// One arm per digest: the HMAC and PBKDF2 bounds are too unwieldy to write generically.
macro_rules! per_alg {
    ($alg:expr, $d:ident => $body:expr) => {
        match $alg {
            Alg::Md4 => {
                type $d = md4::Md4;
                $body
            }
            Alg::Md5 => {
                type $d = md5::Md5;
                $body
            }
            Alg::Sha1 => {
                type $d = sha1::Sha1;
                $body
            }
            Alg::Sha224 => {
                type $d = sha2::Sha224;
                $body
            }
            Alg::Sha256 => {
                type $d = sha2::Sha256;
                $body
            }
            Alg::Sha384 => {
                type $d = sha2::Sha384;
                $body
            }
            Alg::Sha512 => {
                type $d = sha2::Sha512;
                $body
            }
        }
    };
}

impl Alg {
    fn output_len(self) -> usize {
        per_alg!(self, D => <D as sha2::Digest>::output_size())
    }

    fn digest(self, data: &[u8]) -> Vec<u8> {
        per_alg!(self, D => D::digest(data).to_vec())
    }

    fn hmac(self, key: &[u8], data: &[u8]) -> Option<Vec<u8>> {
        per_alg!(self, D => {
            // HMAC takes keys of any length, so this never fails; stay panic-free anyway.
            let mut mac = <Hmac<D> as Mac>::new_from_slice(key).ok()?;
            mac.update(data);
            Some(mac.finalize().into_bytes().to_vec())
        })
    }

    fn pbkdf2(self, password: &[u8], salt: &[u8], rounds: u32, out: &mut [u8]) {
        per_alg!(self, D => pbkdf2::pbkdf2_hmac::<D>(password, salt, rounds, out))
    }
}

// ---------------------------------------------------------------------------------------------
// Custom hashes

#[derive(Clone)]
enum Scheme {
    Digest {
        alg: Alg,
        expected: Vec<u8>,
    },
    Hmac {
        alg: Alg,
        key: Vec<u8>,
        expected: Vec<u8>,
    },
    Bcrypt(BcryptHash),
    /// The PHC string; re-parsed on verify because the parsed form borrows it.
    Argon2(String),
    Pbkdf2 {
        alg: Alg,
        rounds: u32,
        salt: Vec<u8>,
        expected: Vec<u8>,
    },
    Ldap {
        alg: Alg,
        salt: Vec<u8>,
        expected: Vec<u8>,
    },
}

#[derive(Clone)]
struct Salt {
    bytes: Vec<u8>,
    suffix: bool,
}

#[derive(Clone, Copy)]
enum PasswordEncoding {
    Utf8,
    Utf16Le,
    /// Node's `latin1`, `binary` and `ascii`: the low byte of each UTF-16 code unit.
    Latin1,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Base64,
    Hex,
    Utf8,
}

const ALGORITHMS: [&str; 11] = [
    "argon2", "bcrypt", "hmac", "ldap", "md4", "md5", "sha1", "sha256", "sha512", "pbkdf2",
    "scrypt",
];
const HMAC_DIGESTS: [&str; 9] = [
    "md4",
    "md5",
    "ripemd160",
    "sha1",
    "sha224",
    "sha256",
    "sha384",
    "sha512",
    "whirlpool",
];
const TOP_LEVEL_KEYS: [&str; 8] = [
    "algorithm",
    "hash",
    "salt",
    "password",
    "keylen",
    "cost",
    "blockSize",
    "parallelization",
];

impl CustomHash {
    fn verify(&self, password: &str) -> bool {
        let encoded = self.password_encoding.encode(password);
        let input = match &self.salt {
            Some(Salt {
                bytes,
                suffix: false,
            }) => [bytes.as_slice(), &encoded].concat(),
            Some(Salt {
                bytes,
                suffix: true,
            }) => [encoded.as_slice(), bytes].concat(),
            None => encoded,
        };
        match &self.scheme {
            Scheme::Digest { alg, expected } => ct_eq(&alg.digest(&input), expected),
            Scheme::Hmac { alg, key, expected } => alg
                .hmac(key, &input)
                .is_some_and(|mac| ct_eq(&mac, expected)),
            Scheme::Bcrypt(hash) => hash.verify(&input),
            Scheme::Argon2(phc) => {
                use argon2::PasswordVerifier as _;
                argon2::password_hash::PasswordHash::new(phc).is_ok_and(|parsed| {
                    argon2::Argon2::default()
                        .verify_password(&input, &parsed)
                        .is_ok()
                })
            }
            Scheme::Pbkdf2 {
                alg,
                rounds,
                salt,
                expected,
            } => {
                let mut out = vec![0; expected.len()];
                alg.pbkdf2(&input, salt, *rounds, &mut out);
                ct_eq(&out, expected)
            }
            Scheme::Ldap {
                alg,
                salt,
                expected,
            } => ct_eq(&alg.digest(&[input.as_slice(), salt].concat()), expected),
        }
    }
}

impl PasswordEncoding {
    fn encode(self, password: &str) -> Vec<u8> {
        match self {
            Self::Utf8 => password.as_bytes().to_vec(),
            Self::Utf16Le => password.encode_utf16().flat_map(u16::to_le_bytes).collect(),
            Self::Latin1 => password
                .encode_utf16()
                .map(|unit| unit.to_le_bytes()[0])
                .collect(),
        }
    }
}

fn parse_custom(value: &Value) -> Result<CustomHash, PasswordError> {
    let root = object(value, "")?;
    if let Some(key) = root
        .keys()
        .find(|key| !TOP_LEVEL_KEYS.contains(&key.as_str()))
    {
        return Err(PasswordError::invalid(key, "is not allowed"));
    }
    let algorithm = required_str(root, "", "algorithm")?;
    let algorithm = one_of(algorithm, &ALGORITHMS, "algorithm")?;
    if algorithm == "scrypt" {
        return Err(PasswordError::unsupported(
            "algorithm",
            "scrypt is not supported by the emulator",
        ));
    }
    for key in ["keylen", "cost", "blockSize", "parallelization"] {
        if root.get(key).is_some_and(|v| !v.is_u64() && !v.is_i64()) {
            return Err(PasswordError::invalid(key, "must be an integer"));
        }
    }

    let hash = object(
        root.get("hash")
            .ok_or_else(|| PasswordError::invalid("hash", "is required"))?,
        "hash",
    )?;
    let hash_value = required_str(hash, "hash", "value")?;
    let hash_encoding = optional_str(hash, "hash", "encoding")?
        .map(|name| Encoding::parse(name, "hash.encoding"))
        .transpose()?;
    let digest = optional_str(hash, "hash", "digest")?
        .map(|name| one_of(name, &HMAC_DIGESTS, "hash.digest"))
        .transpose()?;
    let key = hash
        .get("key")
        .map(|key| encoded_bytes(key, "hash.key"))
        .transpose()?;

    let salt = root.get("salt").map(parse_salt).transpose()?;
    let password_encoding = match root.get("password") {
        None => PasswordEncoding::Utf8,
        Some(password) => {
            match optional_str(object(password, "password")?, "password", "encoding")? {
                None | Some("utf8") => PasswordEncoding::Utf8,
                Some("utf16le" | "ucs2") => PasswordEncoding::Utf16Le,
                Some("latin1" | "binary" | "ascii") => PasswordEncoding::Latin1,
                Some(_) => {
                    return Err(PasswordError::invalid(
                        "password.encoding",
                        "must be one of ascii, utf8, utf16le, ucs2, latin1, binary",
                    ))
                }
            }
        }
    };

    let forbid_salt = |name: &str| match salt {
        Some(_) => Err(PasswordError::invalid(
            "salt",
            format!("is not allowed for {name}"),
        )),
        None => Ok(()),
    };
    let value_err = |reason: &str| PasswordError::invalid("hash.value", reason);
    let scheme = match algorithm {
        "md4" | "md5" | "sha1" | "sha256" | "sha512" => {
            let alg = digest_alg(algorithm)
                .ok_or_else(|| PasswordError::invalid("algorithm", "unknown digest"))?;
            let expected =
                decode_digest(hash_value, binary_encoding(hash_encoding, algorithm)?, alg)?;
            Scheme::Digest { alg, expected }
        }
        "hmac" => {
            let name = digest
                .ok_or_else(|| PasswordError::invalid("hash.digest", "is required for hmac"))?;
            let alg = digest_alg(name).ok_or_else(|| {
                PasswordError::unsupported(
                    "hash.digest",
                    format!("{name} is not supported by the emulator"),
                )
            })?;
            let key =
                key.ok_or_else(|| PasswordError::invalid("hash.key", "is required for hmac"))?;
            let expected =
                decode_digest(hash_value, binary_encoding(hash_encoding, algorithm)?, alg)?;
            Scheme::Hmac { alg, key, expected }
        }
        _ => {
            // The PHC-style algorithms carry their own parameters in a utf8 string.
            if hash_encoding.is_some_and(|e| e != Encoding::Utf8) {
                return Err(PasswordError::invalid(
                    "hash.encoding",
                    format!("must be utf8 for {algorithm}"),
                ));
            }
            match algorithm {
                "bcrypt" => Scheme::Bcrypt(parse_bcrypt(hash_value).map_err(value_err)?),
                "argon2" => {
                    forbid_salt(algorithm)?;
                    validate_argon2(hash_value).map_err(value_err)?;
                    Scheme::Argon2(hash_value.to_owned())
                }
                "pbkdf2" => {
                    forbid_salt(algorithm)?;
                    parse_pbkdf2(hash_value)?
                }
                _ => {
                    forbid_salt(algorithm)?;
                    parse_ldap(hash_value).map_err(value_err)?
                }
            }
        }
    };
    Ok(CustomHash {
        algorithm,
        scheme,
        salt,
        password_encoding,
    })
}

fn parse_salt(value: &Value) -> Result<Salt, PasswordError> {
    let bytes = encoded_bytes(value, "salt")?;
    let suffix = match optional_str(object(value, "salt")?, "salt", "position")? {
        None | Some("prefix") => false,
        Some("suffix") => true,
        Some(_) => {
            return Err(PasswordError::invalid(
                "salt.position",
                "must be one of prefix, suffix",
            ))
        }
    };
    Ok(Salt { bytes, suffix })
}

/// `{value, encoding = utf8}` as used by `salt` and `hash.key`.
fn encoded_bytes(value: &Value, path: &str) -> Result<Vec<u8>, PasswordError> {
    let map = object(value, path)?;
    let raw = required_str(map, path, "value")?;
    let encoding = optional_str(map, path, "encoding")?
        .map(|name| Encoding::parse(name, &join(path, "encoding")))
        .transpose()?
        .unwrap_or(Encoding::Utf8);
    encoding
        .decode(raw)
        .ok_or_else(|| PasswordError::invalid(&join(path, "value"), encoding.invalid_reason()))
}

fn binary_encoding(encoding: Option<Encoding>, algorithm: &str) -> Result<Encoding, PasswordError> {
    match encoding {
        Some(e @ (Encoding::Hex | Encoding::Base64)) => Ok(e),
        Some(Encoding::Utf8) => Err(PasswordError::invalid(
            "hash.encoding",
            format!("must be hex or base64 for {algorithm}"),
        )),
        None => Err(PasswordError::invalid(
            "hash.encoding",
            format!("is required for {algorithm}"),
        )),
    }
}

fn decode_digest(value: &str, encoding: Encoding, alg: Alg) -> Result<Vec<u8>, PasswordError> {
    let bytes = encoding
        .decode(value)
        .ok_or_else(|| PasswordError::invalid("hash.value", encoding.invalid_reason()))?;
    if bytes.len() != alg.output_len() {
        return Err(PasswordError::invalid(
            "hash.value",
            format!("must decode to {} bytes", alg.output_len()),
        ));
    }
    Ok(bytes)
}

/// Names Node's OpenSSL accepts for the digests we can compute (case-insensitive).
fn digest_alg(name: &str) -> Option<Alg> {
    let name = name.to_ascii_lowercase();
    let name = name.strip_prefix("rsa-").unwrap_or(&name);
    let name = name.strip_prefix("ssl3-").unwrap_or(name);
    let name = name.strip_suffix("withrsaencryption").unwrap_or(name);
    Some(match name {
        "md4" => Alg::Md4,
        "md5" => Alg::Md5,
        "sha1" | "sha1-2" => Alg::Sha1,
        "sha224" => Alg::Sha224,
        "sha256" => Alg::Sha256,
        "sha384" => Alg::Sha384,
        "sha512" => Alg::Sha512,
        _ => return None,
    })
}

fn parse_bcrypt(hash: &str) -> Result<BcryptHash, &'static str> {
    let rest = ["$2a$", "$2b$", "$2y$"]
        .iter()
        .find_map(|prefix| hash.strip_prefix(prefix))
        .ok_or("must start with $2a$, $2b$ or $2y$")?;
    let (cost, body) = rest.split_once('$').ok_or("must be a bcrypt hash")?;
    let cost = match (cost.len(), cost.parse::<u32>()) {
        (2, Ok(cost)) if (4..=31).contains(&cost) => cost,
        _ => return Err("cost must be two digits from 04 to 31"),
    };
    if body.len() != 53
        || !body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'/')
    {
        return Err("must be a bcrypt hash");
    }
    let salt = BCRYPT_B64
        .decode(&body[..22])
        .ok()
        .and_then(|salt| <[u8; 16]>::try_from(salt).ok());
    let digest = BCRYPT_B64
        .decode(&body[22..])
        .ok()
        .and_then(|digest| <[u8; 23]>::try_from(digest).ok());
    match (salt, digest) {
        (Some(salt), Some(digest)) => Ok(BcryptHash { cost, salt, digest }),
        _ => Err("must be a bcrypt hash"),
    }
}

impl BcryptHash {
    fn verify(&self, password: &[u8]) -> bool {
        // The crate truncates input past 72 bytes, as Auth0 documents for imported hashes.
        let Ok(parts) = bcrypt::hash_with_salt(password, self.cost, self.salt) else {
            return false;
        };
        let formatted = parts.format_for_version(bcrypt::Version::TwoB);
        let digest = formatted
            .get(formatted.len().saturating_sub(31)..)
            .and_then(|tail| BCRYPT_B64.decode(tail).ok());
        digest.is_some_and(|digest| ct_eq(&digest, &self.digest))
    }
}

fn validate_argon2(value: &str) -> Result<(), &'static str> {
    let phc =
        argon2::password_hash::PasswordHash::new(value).map_err(|_| "must be a phc string")?;
    match argon2::Algorithm::try_from(phc.algorithm) {
        Ok(argon2::Algorithm::Argon2i | argon2::Algorithm::Argon2id) => {}
        _ => return Err("algorithm must be argon2i or argon2id"),
    }
    if phc.version != Some(19) {
        return Err("version must be v=19");
    }
    argon2::Params::try_from(&phc).map_err(|_| "invalid argon2 parameters")?;
    if phc.salt.is_none() || phc.hash.is_none() {
        return Err("must include a salt and a hash");
    }
    Ok(())
}

/// `$pbkdf2-<digest>[$i=<rounds>,l=<keylen>]$<salt>$<hash>` with PHC B64 fields.
fn parse_pbkdf2(value: &str) -> Result<Scheme, PasswordError> {
    let err = |reason: &str| PasswordError::invalid("hash.value", reason);
    let fields: Vec<&str> = value
        .strip_prefix('$')
        .ok_or_else(|| err("must be a phc string"))?
        .split('$')
        .collect();
    let (id, params, salt, hash) = match fields.as_slice() {
        [id, salt, hash] => (*id, None, *salt, *hash),
        [id, params, salt, hash] => (*id, Some(*params), *salt, *hash),
        _ => return Err(err("must be a phc string")),
    };
    let digest = id
        .strip_prefix("pbkdf2-")
        .ok_or_else(|| err("id must be pbkdf2-<digest>"))?;
    let alg = match digest_alg(digest) {
        Some(alg) => alg,
        None if is_known_openssl_digest(digest) => {
            return Err(PasswordError::unsupported(
                "hash.value",
                format!("pbkdf2 digest {digest} is not supported by the emulator"),
            ))
        }
        None => return Err(err("unknown pbkdf2 digest")),
    };
    let (mut rounds, mut keylen) = (None, None);
    for param in params.into_iter().flat_map(|p| p.split(',')) {
        let (slot, number) = match param.split_once('=') {
            Some(("i", n)) if rounds.is_none() => (&mut rounds, n),
            Some(("l", n)) if keylen.is_none() => (&mut keylen, n),
            _ => return Err(err("parameters must be i and l")),
        };
        *slot = Some(
            number
                .parse::<u32>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| err("i and l must be positive integers"))?,
        );
    }
    let salt = decode_b64(salt)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| err("salt must be b64"))?;
    let expected = decode_b64(hash).ok_or_else(|| err("hash must be b64"))?;
    if u32::try_from(expected.len()).ok() != Some(keylen.unwrap_or(64)) {
        return Err(err("hash length must equal l"));
    }
    Ok(Scheme::Pbkdf2 {
        alg,
        rounds: rounds.unwrap_or(100_000),
        salt,
        expected,
    })
}

/// Auth0's pbkdf2 digest list entries that no crate in our set implements.
fn is_known_openssl_digest(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "rsa-mdc2",
        "mdc2",
        "mdc2withrsa",
        "rsa-ripemd160",
        "ripemd",
        "ripemd160",
        "ripemd160withrsa",
        "rmd160",
        "whirlpool",
    ]
    .contains(&name.as_str())
}

/// RFC 2307 `{SCHEME}base64`; salted schemes append the salt to the digest.
fn parse_ldap(value: &str) -> Result<Scheme, &'static str> {
    let (scheme, data) = value
        .strip_prefix('{')
        .and_then(|v| v.split_once('}'))
        .ok_or("must be {scheme}hash")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme == "crypt" {
        return Err("crypt scheme is not supported");
    }
    let (alg, salted) = match scheme.as_str() {
        "md5" => (Alg::Md5, false),
        "smd5" => (Alg::Md5, true),
        "sha" => (Alg::Sha1, false),
        "ssha" => (Alg::Sha1, true),
        "sha224" => (Alg::Sha224, false),
        "ssha224" => (Alg::Sha224, true),
        "sha256" => (Alg::Sha256, false),
        "ssha256" => (Alg::Sha256, true),
        "sha384" => (Alg::Sha384, false),
        "ssha384" => (Alg::Sha384, true),
        "sha512" => (Alg::Sha512, false),
        "ssha512" => (Alg::Sha512, true),
        _ => return Err("scheme must be md5, smd5, sha* or ssha*"),
    };
    let mut bytes = decode_b64(data).ok_or("hash must be base64")?;
    let len = alg.output_len();
    if (salted && bytes.len() <= len) || (!salted && bytes.len() != len) {
        return Err("hash length does not match the scheme");
    }
    let salt = bytes.split_off(len);
    Ok(Scheme::Ldap {
        alg,
        salt,
        expected: bytes,
    })
}

// ---------------------------------------------------------------------------------------------
// Encodings and JSON helpers

/// Node-style lenient base64: padding optional, non-canonical trailing bits tolerated.
const LENIENT_B64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(true),
);
/// bcrypt's own alphabet; some generators leave stray low bits in the last salt character.
const BCRYPT_B64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::BCRYPT,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(true),
);

/// Standard or URL-safe base64, padded or not (Auth0 documents "url-encoded base64").
fn decode_b64(value: &str) -> Option<Vec<u8>> {
    let standard: String = value
        .trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    LENIENT_B64.decode(standard).ok()
}

impl Encoding {
    fn parse(name: &str, path: &str) -> Result<Self, PasswordError> {
        match name {
            "base64" => Ok(Self::Base64),
            "hex" => Ok(Self::Hex),
            "utf8" => Ok(Self::Utf8),
            _ => Err(PasswordError::invalid(
                path,
                "must be one of base64, hex, utf8",
            )),
        }
    }

    fn decode(self, value: &str) -> Option<Vec<u8>> {
        match self {
            Self::Utf8 => Some(value.as_bytes().to_vec()),
            Self::Base64 => decode_b64(value),
            Self::Hex => {
                let digits = value.as_bytes();
                if digits.len() % 2 != 0 {
                    return None;
                }
                let nibble = |b: u8| {
                    char::from(b)
                        .to_digit(16)
                        .and_then(|d| u8::try_from(d).ok())
                };
                digits
                    .chunks(2)
                    .map(|pair| Some(nibble(pair[0])? << 4 | nibble(pair[1])?))
                    .collect()
            }
        }
    }

    fn invalid_reason(self) -> &'static str {
        match self {
            Self::Base64 => "must be base64",
            Self::Hex => "must be hex",
            Self::Utf8 => "must be utf8",
        }
    }
}

fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

fn join(parent: &str, key: &str) -> String {
    match (parent.is_empty(), key.is_empty()) {
        (true, _) => key.to_owned(),
        (_, true) => parent.to_owned(),
        _ => format!("{parent}.{key}"),
    }
}

fn object<'a>(value: &'a Value, path: &str) -> Result<&'a Map<String, Value>, PasswordError> {
    value
        .as_object()
        .ok_or_else(|| PasswordError::invalid(path, "must be an object"))
}

fn optional_str<'a>(
    map: &'a Map<String, Value>,
    parent: &str,
    key: &str,
) -> Result<Option<&'a str>, PasswordError> {
    match map.get(key) {
        None => Ok(None),
        Some(value) => value
            .as_str()
            .map(Some)
            .ok_or_else(|| PasswordError::invalid(&join(parent, key), "must be a string")),
    }
}

fn required_str<'a>(
    map: &'a Map<String, Value>,
    parent: &str,
    key: &str,
) -> Result<&'a str, PasswordError> {
    optional_str(map, parent, key)?
        .ok_or_else(|| PasswordError::invalid(&join(parent, key), "is required"))
}

fn one_of(
    value: &str,
    allowed: &[&'static str],
    path: &str,
) -> Result<&'static str, PasswordError> {
    allowed
        .iter()
        .find(|candidate| **candidate == value)
        .copied()
        .ok_or_else(|| {
            PasswordError::invalid(path, format!("must be one of {}", allowed.join(", ")))
        })
}

#[cfg(test)]
mod tests {
    //! Expected values were computed outside Rust: md5/sha*/hmac/pbkdf2/ldap with Python 3.11
    //! `hashlib`/`hmac`/`base64`; md4 with `openssl dgst -md4 -provider legacy` and md4 PBKDF2 and
    //! `latin1` truncation with Node 20 (`--openssl-legacy-provider`, `crypto.pbkdf2Sync`, `Buffer`);
    //! bcrypt with glibc/libxcrypt `crypt()` via Perl; argon2 from the reference implementation's
    //! test vectors (phc-winner-argon2 `src/test.c`); the rest are Auth0 documentation examples.

    use serde_json::json;

    use super::*;

    fn custom(value: Value) -> PasswordHash {
        PasswordHash::custom(&value).expect("valid custom_password_hash")
    }

    fn rejected(value: Value) -> PasswordError {
        PasswordHash::custom(&value).expect_err("custom_password_hash should be rejected")
    }

    fn assert_verifies(hash: &PasswordHash, password: &str) {
        assert!(
            hash.verify(password),
            "{hash:?} should accept the right password"
        );
        assert!(
            !hash.verify(&format!("{password}x")),
            "{hash:?} should refuse a wrong password"
        );
        assert!(!hash.verify(""), "{hash:?} should refuse an empty password");
    }

    #[test]
    fn fast_hash_is_salted_sha256_and_verifies() {
        let salt: [u8; 16] = std::array::from_fn(|i| i as u8);
        let hash = PasswordHash::fast("hunter2", salt);
        let PasswordHash::Fast(fast) = &hash else {
            panic!("expected the fast variant")
        };
        let hex: String = fast.digest.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "e8d1e18507861757b13674f2e9d0e9149ed6667f432ad5b8220f9c049a29dc54"
        );
        assert!(hash.is_fast());
        assert_verifies(&hash, "hunter2");
    }

    #[test]
    fn debug_output_names_only_the_kind() {
        assert_eq!(
            format!("{:?}", PasswordHash::fast("hunter2", [7; 16])),
            r#"PasswordHash("fast")"#
        );
        let md5 = custom(
            json!({"algorithm": "md5", "hash": {"value": "5ebe2294ecd0e0f08eab7690d2a6ee69", "encoding": "hex"}}),
        );
        assert_eq!(format!("{md5:?}"), r#"PasswordHash("md5")"#);
        assert!(!md5.is_fast());
    }

    #[test]
    fn bcrypt_strings_verify_for_each_accepted_prefix() {
        // Auth0 docs: "this was generated from the string `hello` using a cost parameter of 10".
        let doc =
            PasswordHash::bcrypt("$2b$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K")
                .expect("doc example");
        assert!(doc.verify("hello"));
        assert!(!doc.verify("hellO"));
        let a =
            PasswordHash::bcrypt("$2a$04$abcdefghijklmnopqrstuuV3duMsC0HpUex6N9qapiuOHHWkwRXVm")
                .expect("2a");
        assert_verifies(&a, "hunter2");
        let y =
            PasswordHash::bcrypt("$2y$05$ZYXWVUTSRQPONMLKJIHGFeDbmXfPyBpca/vG8s97AwBRtspCXxZiG")
                .expect("2y");
        assert_verifies(&y, "hunter2");
        assert_eq!(a.kind(), "bcrypt");
    }

    #[test]
    fn bcrypt_rejects_bad_prefix_cost_and_shape() {
        let body = "abcdefghijklmnopqrstuuV3duMsC0HpUex6N9qapiuOHHWkwRXVm";
        for bad in [
            format!("$2x$04${body}"),
            format!("$2$04${body}"),
            format!("$2b$03${body}"),
            format!("$2b$32${body}"),
            format!("$2b$4${body}"),
            format!("$2b$04${}", &body[1..]),
            format!("$2b$04${}!", &body[1..]),
            "hunter2".to_owned(),
        ] {
            let err = PasswordHash::bcrypt(&bad).expect_err(&bad);
            assert_eq!(err.path, "", "{bad}");
            assert!(!err.is_unsupported());
        }
        let err = PasswordHash::bcrypt("$2b$03$x")
            .expect_err("cost 3")
            .prefixed("password_hash");
        assert_eq!(
            err.to_string(),
            "password_hash: cost must be two digits from 04 to 31"
        );
    }

    #[test]
    fn custom_bcrypt_applies_the_salt_before_bcrypt() {
        let hash = custom(json!({"algorithm": "bcrypt",
            "hash": {"value": "$2b$04$abcdefghijklmnopqrstuujzGiSVduKNSVINDfG9kdF8HrEVA/oj2"},
            "salt": {"value": "NaCl"}}));
        assert_verifies(&hash, "hunter2");
        assert_eq!(hash.kind(), "bcrypt");
    }

    #[test]
    fn md4_md5_sha1_sha256_sha512_digests_verify() {
        let md4 = custom(
            json!({"algorithm": "md4", "hash": {"value": "2zRtaR16zE3CYl2xn54/Ug==", "encoding": "base64"}}),
        );
        assert_verifies(&md4, "test");
        // Auth0 schema docs: MD5('salt' + 'password') = '67A1E09BB1F83F5007DC119C14D663AA' is "prefix".
        let md5 = custom(
            json!({"algorithm": "md5", "hash": {"value": "67A1E09BB1F83F5007DC119C14D663AA", "encoding": "hex"},
            "salt": {"value": "salt", "position": "prefix"}}),
        );
        assert_verifies(&md5, "password");
        let md5_suffix = custom(
            json!({"algorithm": "md5", "hash": {"value": "b305cadbb3bce54f3aa59c64fec00dea", "encoding": "hex"},
            "salt": {"value": "salt", "position": "suffix"}}),
        );
        assert_verifies(&md5_suffix, "password");
        let sha1 = custom(
            json!({"algorithm": "sha1", "hash": {"value": "L55TUjtiq8FBorTWAZ0jy6g129A=", "encoding": "base64"}}),
        );
        assert_verifies(&sha1, "correct horse");
        let sha256 = custom(json!({"algorithm": "sha256",
            "hash": {"value": "6f9c7ad734de92641526f9967f044955ea1988bf81904f7f7c7715477e37533f", "encoding": "hex"},
            "salt": {"value": "DEADBEEF", "encoding": "hex", "position": "suffix"}}));
        assert_verifies(&sha256, "Secret123");
        // URL-safe, unpadded base64 is accepted ("url-encoded base64" in the docs).
        let sha512 = custom(json!({"algorithm": "sha512",
            "hash": {"value": "TQwR7Wzn4XjErpPdkl8J8jGhk1RN2dEkI4rmr7PTgYOXUCfUnNpgt2g7tH2y-wh2WK_20xIH3w1UysjqekrXLg", "encoding": "base64"},
            "salt": {"value": "c2FsdHk=", "encoding": "base64"}}));
        assert_verifies(&sha512, "hunter2");
    }

    #[test]
    fn hmac_verifies_for_every_computable_digest() {
        // Auth0 docs example user peter@contoso.com; the password is "test" (checked with Python hmac).
        let doc = custom(
            json!({"algorithm": "hmac", "hash": {"value": "cg7f42jH39/2EaAU4wNd4s2lKIk=", "encoding": "base64",
            "digest": "sha1", "key": {"value": "736868", "encoding": "hex"}}}),
        );
        assert_verifies(&doc, "test");
        for (digest, value) in [
            ("md4", "241753dd45e8dbd2869cf2917f7d6fcb"),
            ("md5", "e791a226c0f39f2db23db2a943510b0c"),
            ("sha224", "e1178f8f520743f199e3ed7560a0d620eac95fa7c95de5f09801ac44"),
            ("sha384", "98b70567f203a0469e12c087976b03e8672960df601c5d84101bf9cf2e115070c66b090b072c90b3e4310f0c85914dfa"),
        ] {
            let hash = custom(json!({"algorithm": "hmac", "hash": {"value": value, "encoding": "hex", "digest": digest,
                "key": {"value": "key"}}}));
            assert_verifies(&hash, "hunter2");
        }
        let sha256 = custom(
            json!({"algorithm": "hmac", "hash": {"value": "05d210d8af05129cb4bc04565faa72f94362ebaf20427cdf098059b5429d95bf",
            "encoding": "hex", "digest": "sha256", "key": {"value": "a2V5", "encoding": "base64"}}}),
        );
        assert_verifies(&sha256, "hunter2");
        let sha512 = custom(
            json!({"algorithm": "hmac", "hash": {"encoding": "base64", "digest": "sha512", "key": {"value": "k3y"},
            "value": "hB36HJyYHOtCQFaJxMiodI8cy+qIotyEFLGZXQGAVUGHF3PCJ7rcrcpI/z5gKihmtuC02iJCs9oGtdbcOJ+Xbw=="},
            "salt": {"value": "NaCl", "position": "suffix"}}),
        );
        assert_verifies(&sha512, "hunter2");
    }

    #[test]
    fn ldap_schemes_verify() {
        for value in [
            "{SSHA}uJDd0BIdJ9Z7yDCZNWdgYeb33+cBAgME",
            "{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=",
            "{SMD5}LF/f6q9WuGXFii+gm3ssYQECAwQ=",
            "{md5}Xr4ilOzQ4PCOq3aQ0qbuaQ==",
            "{SHA256}K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=",
            "{SSHA512}aCu7JRc+kLsuEmFs1zTY+AiP7DSGnjjG+dH28Dp+E5usqoAixeTPihKqZmkWal4mUfp63tqvCAkFV1LKTDFH6XNhbHRzYWx0",
        ] {
            let hash = custom(json!({"algorithm": "ldap", "hash": {"value": value, "encoding": "utf8"}}));
            assert_verifies(&hash, "secret");
        }
        // The Auth0 docs example (sean@contoso.com) parses; its password is not published.
        custom(json!({"algorithm": "ldap", "hash": {"encoding": "utf8",
            "value": "{SSHA384}/cgEjdoZh85DhurDeOQEMO1rMlAur93SVPbYe5XSD4lF7nNuvrBju5hUeg9A6agRemgSXGl5YuE="}}));
    }

    #[test]
    fn pbkdf2_phc_strings_verify() {
        for value in [
            "$pbkdf2-sha256$i=1000,l=32$MDEyMzQ1Njc4OWFiY2RlZg$pj4T35D2v4tYmC1sTJ1y5tcMADOdtnQGvuHmyYDQh2g",
            "$pbkdf2-sha1$l=20,i=1000$MDEyMzQ1Njc4OWFiY2RlZg$EXf/SoHQ/PUuLqi74PYEPFhhLxQ",
            "$pbkdf2-md4$i=1000,l=16$MDEyMzQ1Njc4OWFiY2RlZg$Nesw29onxrsaR6DMO3lb1w",
            "$pbkdf2-RSA-SHA224$i=1000,l=28$MDEyMzQ1Njc4OWFiY2RlZg$jJ4uYF+QisdaZ8Oo7QyLpNrD32UOVUGeDyiUMQ",
            "$pbkdf2-sha512$i=10$MDEyMzQ1Njc4OWFiY2RlZg$7y8jQXI+9a738tJA5LsIFHPv7WS2msS90aLWFrvtKmjVNfhHdfB/eNFSvvdnx5/BtXBNq5zOx5LdYGq50piuBg",
        ] {
            assert_verifies(&custom(json!({"algorithm": "pbkdf2", "hash": {"value": value, "encoding": "utf8"}})), "hunter2");
        }
        // Without parameters Auth0 uses i=100000, l=64.
        let defaulted = custom(json!({"algorithm": "pbkdf2", "hash": {"value":
            "$pbkdf2-sha512$MDEyMzQ1Njc4OWFiY2RlZg$mMvH/7B+tH1pQnyhfyam5xbAZmhPAige6CxnmR7aFwAiXPoAfNwitP//tJsXWBRNEugGcMdGcQtiYIKxnSUaPg"}}));
        let PasswordHash::Custom(inner) = &defaulted else {
            panic!("expected a custom hash")
        };
        assert!(matches!(
            inner.scheme,
            Scheme::Pbkdf2 {
                rounds: 100_000,
                alg: Alg::Sha512,
                ..
            }
        ));
        // The two Auth0 docs examples (terrell@, cecil@) parse; their passwords are not published.
        for value in [
            "$pbkdf2-md4$i=100000,l=64$+N375B8q0Fw$fp2R9KAM4hK/votGHC5Fu+jhqbxUD8+Nic/EMSGvNC3UP/k7wSHI0uXluHRSkZfl/BOheYqNOemayG90ZaSSQw",
            "$pbkdf2-sha512$i=100000,l=64$KNyFsA2rWoE$I2CQGI9H0JxdDf3kERRI97kPCGxh0KWBIV3MxyaS191gDGfzVBGyS4BibhgqWQ0/ails8mHuU9ckASxHOOq58w",
        ] {
            custom(json!({"algorithm": "pbkdf2", "hash": {"value": value}}));
        }
    }

    #[test]
    fn argon2i_and_argon2id_phc_strings_verify() {
        for value in [
            "$argon2i$v=19$m=256,t=2,p=1$c29tZXNhbHQ$iekCn0Y3spW+sCcFanM2xBT63UP2sghkUoHLIUpWRS8",
            "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
        ] {
            assert_verifies(
                &custom(json!({"algorithm": "argon2", "hash": {"value": value}})),
                "password",
            );
        }
        // The Auth0 docs example (edward@contoso.com) parses.
        custom(json!({"algorithm": "argon2", "hash": {"value":
            "$argon2id$v=19$m=65536,t=2,p=1$J6Q/82PCyaNpYKRELJyTZg$m04qUAB8rexWDR4+/0f+SFB+4XMFxt7YAvAq2UycYos"}}));
    }

    #[test]
    fn password_encoding_transcodes_like_node_buffers() {
        let utf16 = custom(
            json!({"algorithm": "sha256", "password": {"encoding": "utf16le"},
            "hash": {"value": "a8d2959f706e7a01c25cb411b383c48d434b9f9aacbf2740a6e8ecb27249ec6d", "encoding": "hex"}}),
        );
        assert_verifies(&utf16, "pässwörd");
        let latin1 = custom(
            json!({"algorithm": "md5", "password": {"encoding": "latin1"},
            "hash": {"value": "2ca67a2dbf3a2f52ef5126a2ae8f8a2f", "encoding": "hex"}}),
        );
        assert_verifies(&latin1, "pässwörd");
        // Node keeps the low byte: "p\u{100}ss" becomes 70 00 73 73 under ascii as under latin1.
        let ascii = custom(
            json!({"algorithm": "md4", "password": {"encoding": "ascii"},
            "hash": {"value": "341b050cfdfc095bcf1e495032c62612", "encoding": "hex"}}),
        );
        assert!(ascii.verify("p\u{100}ss"));
        assert!(ascii.verify("p\u{0}ss"));
        let utf8 = custom(json!({"algorithm": "md5", "password": {"encoding": "utf8"},
            "hash": {"value": "12841e4ba5e37d2fbfc78458c6714ade", "encoding": "hex"}}));
        assert_verifies(&utf8, "pässwörd");
    }

    #[test]
    fn each_validation_error_names_its_path() {
        let md5 = |hash: Value| json!({"algorithm": "md5", "hash": hash});
        let ok_hash = json!({"value": "5ebe2294ecd0e0f08eab7690d2a6ee69", "encoding": "hex"});
        let hmac = |hash: Value| json!({"algorithm": "hmac", "hash": hash});
        let argon =
            "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4";
        let cases = [
            (json!("md5"), ""),
            (
                json!({"algorithm": "md5", "hash": ok_hash, "extra": 1}),
                "extra",
            ),
            (json!({"hash": ok_hash}), "algorithm"),
            (json!({"algorithm": 5, "hash": ok_hash}), "algorithm"),
            (json!({"algorithm": "rot13", "hash": ok_hash}), "algorithm"),
            (json!({"algorithm": "md5"}), "hash"),
            (json!({"algorithm": "md5", "hash": "abc"}), "hash"),
            (md5(json!({"encoding": "hex"})), "hash.value"),
            (
                md5(json!({"value": "5ebe2294ecd0e0f08eab7690d2a6ee69"})),
                "hash.encoding",
            ),
            (
                md5(json!({"value": "5ebe2294ecd0e0f08eab7690d2a6ee69", "encoding": "utf8"})),
                "hash.encoding",
            ),
            (
                md5(json!({"value": "5ebe2294ecd0e0f08eab7690d2a6ee69", "encoding": "base32"})),
                "hash.encoding",
            ),
            (
                md5(json!({"value": "5ebe2294", "encoding": "hex"})),
                "hash.value",
            ),
            (md5(json!({"value": "zz", "encoding": "hex"})), "hash.value"),
            (
                md5(json!({"value": "a!b", "encoding": "base64"})),
                "hash.value",
            ),
            (
                md5(
                    json!({"value": "5ebe2294ecd0e0f08eab7690d2a6ee69", "encoding": "hex", "digest": "crc32"}),
                ),
                "hash.digest",
            ),
            (
                json!({"algorithm": "md5", "hash": ok_hash, "salt": {"encoding": "hex"}}),
                "salt.value",
            ),
            (
                json!({"algorithm": "md5", "hash": ok_hash, "salt": {"value": "x", "encoding": "b64"}}),
                "salt.encoding",
            ),
            (
                json!({"algorithm": "md5", "hash": ok_hash, "salt": {"value": "xyz", "encoding": "hex"}}),
                "salt.value",
            ),
            (
                json!({"algorithm": "md5", "hash": ok_hash, "salt": {"value": "x", "position": "middle"}}),
                "salt.position",
            ),
            (
                json!({"algorithm": "md5", "hash": ok_hash, "salt": "x"}),
                "salt",
            ),
            (
                json!({"algorithm": "md5", "hash": ok_hash, "password": "utf8"}),
                "password",
            ),
            (
                json!({"algorithm": "md5", "hash": ok_hash, "password": {"encoding": "ebcdic"}}),
                "password.encoding",
            ),
            (
                json!({"algorithm": "md5", "hash": ok_hash, "keylen": "32"}),
                "keylen",
            ),
            (
                hmac(
                    json!({"value": "cg7f42jH39/2EaAU4wNd4s2lKIk=", "encoding": "base64", "key": {"value": "k"}}),
                ),
                "hash.digest",
            ),
            (
                hmac(
                    json!({"value": "cg7f42jH39/2EaAU4wNd4s2lKIk=", "encoding": "base64", "digest": "sha1"}),
                ),
                "hash.key",
            ),
            (
                hmac(
                    json!({"value": "cg7f42jH39/2EaAU4wNd4s2lKIk=", "encoding": "base64", "digest": "sha1", "key": {}}),
                ),
                "hash.key.value",
            ),
            (
                hmac(
                    json!({"value": "cg7f42jH39/2EaAU4wNd4s2lKIk=", "encoding": "base64", "digest": "sha1",
                "key": {"value": "k", "encoding": "rot13"}}),
                ),
                "hash.key.encoding",
            ),
            (
                hmac(
                    json!({"value": "cg7f42jH39/2EaAU4wNd4s2lKIk=", "encoding": "utf8", "digest": "sha1", "key": {"value": "k"}}),
                ),
                "hash.encoding",
            ),
            (
                json!({"algorithm": "argon2", "hash": {"value": argon, "encoding": "hex"}}),
                "hash.encoding",
            ),
            (
                json!({"algorithm": "argon2", "hash": {"value": argon}, "salt": {"value": "x"}}),
                "salt",
            ),
            (
                json!({"algorithm": "argon2", "hash": {"value": "$argon2id$nonsense"}}),
                "hash.value",
            ),
            (
                json!({"algorithm": "argon2", "hash": {"value": "$argon2d$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4"}}),
                "hash.value",
            ),
            (
                json!({"algorithm": "argon2", "hash": {"value": "$argon2id$v=16$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4"}}),
                "hash.value",
            ),
            (
                json!({"algorithm": "bcrypt", "hash": {"value": "$2x$04$abcdefghijklmnopqrstuuV3duMsC0HpUex6N9qapiuOHHWkwRXVm"}}),
                "hash.value",
            ),
            (
                json!({"algorithm": "pbkdf2", "hash": {"value": "$pbkdf2-sha256$i=1000,l=16$MDEyMzQ1Njc4OWFiY2RlZg$pj4T35D2v4tYmC1sTJ1y5tcMADOdtnQGvuHmyYDQh2g"}}),
                "hash.value",
            ),
            (
                json!({"algorithm": "pbkdf2", "hash": {"value": "$pbkdf2-sha256$i=0$MDEyMzQ1Njc4OWFiY2RlZg$pj4T35D2v4tYmC1sTJ1y5tcMADOdtnQGvuHmyYDQh2g"}}),
                "hash.value",
            ),
            (
                json!({"algorithm": "pbkdf2", "hash": {"value": "$pbkdf2-sha256$r=3$MDEyMzQ1Njc4OWFiY2RlZg$pj4T35D2v4tYmC1sTJ1y5tcMADOdtnQGvuHmyYDQh2g"}}),
                "hash.value",
            ),
            (
                json!({"algorithm": "pbkdf2", "hash": {"value": "$pbkdf2-crc32$MDEyMzQ1Njc4OWFiY2RlZg$pj4T35D2v4tYmC1sTJ1y5tcMADOdtnQGvuHmyYDQh2g"}}),
                "hash.value",
            ),
            (
                json!({"algorithm": "pbkdf2", "hash": {"value": "$pbkdf2$MDEyMzQ1Njc4OWFiY2RlZg$pj4T35D2v4tYmC1sTJ1y5tcMADOdtnQGvuHmyYDQh2g"}}),
                "hash.value",
            ),
            (
                json!({"algorithm": "ldap", "hash": {"value": "{CRYPT}aaqPiZY5xR5l."}}),
                "hash.value",
            ),
            (
                json!({"algorithm": "ldap", "hash": {"value": "{SHA}AAAA"}}),
                "hash.value",
            ),
            (
                json!({"algorithm": "ldap", "hash": {"value": "5en6G6MezRroT3XKqkdPOmY/BfQ="}}),
                "hash.value",
            ),
            (
                json!({"algorithm": "ldap", "hash": {"value": "{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ="}, "salt": {"value": "x"}}),
                "salt",
            ),
        ];
        for (input, path) in cases {
            let err = rejected(input.clone());
            assert_eq!(err.path, path, "{input} -> {err}");
            assert!(!err.is_unsupported(), "{input} -> {err}");
        }
    }

    #[test]
    fn algorithms_auth0_accepts_but_the_emulator_cannot_compute_are_flagged_unsupported() {
        let cases = [
            (
                json!({"algorithm": "scrypt", "hash": {"value": "00", "encoding": "hex"}, "keylen": 32}),
                "algorithm",
            ),
            (
                json!({"algorithm": "hmac", "hash": {"value": "00", "encoding": "hex", "digest": "whirlpool", "key": {"value": "k"}}}),
                "hash.digest",
            ),
            (
                json!({"algorithm": "pbkdf2", "hash": {"value": "$pbkdf2-ripemd160$i=1$MDEyMzQ1Njc4OWFiY2RlZg$EXf/SoHQ/PUuLqi74PYEPFhhLxQ"}}),
                "hash.value",
            ),
        ];
        for (input, path) in cases {
            let err = rejected(input.clone());
            assert_eq!(err.path, path, "{input} -> {err}");
            assert!(err.is_unsupported(), "{input} -> {err}");
        }
    }

    #[test]
    fn errors_render_path_and_reason_and_can_be_prefixed() {
        let err = rejected(json!({"algorithm": "md5", "hash": {"value": "00", "encoding": "hex"}}));
        assert_eq!(err.to_string(), "hash.value: must decode to 16 bytes");
        assert_eq!(
            err.prefixed("custom_password_hash").to_string(),
            "custom_password_hash.hash.value: must decode to 16 bytes"
        );
        let root = rejected(json!(null)).prefixed("custom_password_hash");
        assert_eq!(root.to_string(), "custom_password_hash: must be an object");
    }
}
