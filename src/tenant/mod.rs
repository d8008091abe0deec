//! The tenant: Auth0's domain model, HTTP-agnostic. It owns the configuration objects, the users
//! and the signing key, and returns typed errors that each API surface renders its own way.

pub mod actions;
pub mod auth_store;
pub mod config_admin;
pub mod issue;
pub mod jobs;
pub mod login;
pub mod logs;
pub mod metadata;
pub mod model;
pub mod outbox;
pub mod password_policy;
pub mod passwordless;
pub mod password_reset;
pub mod passwords;
pub mod roles_admin;
pub mod script_profile;
pub mod search;
pub mod seed;
pub mod signup;
pub mod user_admin;
pub mod user_search;
pub mod userinfo;
pub mod users;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::RwLock;

use crate::tokens::SigningKey;
use model::{Actions, Client, ClientGrant, Connection, ResourceServer, Role};
use users::UserStore;

/// Tenant-wide settings from the `tenant` object of seed documents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TenantSettings {
    pub friendly_name: Option<String>,
    /// The database connection used by the `password` grant without `realm`.
    pub default_directory: Option<String>,
    pub default_audience: Option<String>,
}

/// Everything about a tenant that requests can change (and `reset` restores).
#[derive(Debug, Clone)]
pub struct TenantData {
    pub settings: TenantSettings,
    pub clients: Vec<Client>,
    pub resource_servers: Vec<ResourceServer>,
    pub client_grants: Vec<ClientGrant>,
    pub connections: Vec<Connection>,
    pub roles: Vec<Role>,
    pub actions: Actions,
    pub users: UserStore,
    /// Messages Auth0 would have sent; read through the control API.
    pub outbox: outbox::Outbox,
    /// Codes, refresh tokens, sessions and failed-login counters.
    pub auth: auth_store::AuthStore,
    /// One-time codes of passwordless connections.
    pub passwordless: passwordless::PasswordlessCodes,
    /// Bulk import and export jobs.
    pub jobs: jobs::Jobs,
}

/// Why a client may not use a database connection it named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionRefusal {
    /// No database connection by that name.
    NotFound,
    /// The connection is not enabled for the client.
    Disabled,
}

impl TenantData {
    /// The database connection `name`, if `client_id` may use it (login, signup, password reset).
    pub fn database_connection(&self, name: &str, client_id: &str) -> Result<&model::Connection, ConnectionRefusal> {
        let connection = self.connections.iter().find(|c| c.name == name && c.is_database()).ok_or(ConnectionRefusal::NotFound)?;
        if connection.is_enabled_for(client_id) {
            Ok(connection)
        } else {
            Err(ConnectionRefusal::Disabled)
        }
    }

    pub fn client(&self, client_id: &str) -> Option<&Client> {
        self.clients.iter().find(|c| c.client_id == client_id)
    }

    /// One line per kind, for the start-up banner and `check-seed`.
    pub fn summary(&self) -> String {
        format!(
            "{} clients, {} APIs, {} client grants, {} connections, {} roles, {} post-login actions, {} users",
            self.clients.len(),
            self.resource_servers.len(),
            self.client_grants.len(),
            self.connections.len(),
            self.roles.len(),
            self.actions.post_login.len(),
            self.users.len()
        )
    }
}

pub struct Tenant {
    /// Public host\[:port\], e.g. `localhost:4443`.
    pub domain: String,
    /// `https://DOMAIN/` (or the `--issuer` override), always with the trailing slash.
    pub issuer: String,
    pub key: SigningKey,
    /// Tokens this tenant signed that have been verified once already.
    pub verified: crate::tokens::verify::VerifiedTokens,
    /// What happened, as `GET /api/v2/logs` shows it.
    pub logs: logs::Logs,
    /// The JWKS document, serialised once: the key never changes while the tenant lives.
    jwks: String,
    /// The discovery document, rendered by the Authentication API on first use (it never changes).
    pub discovery: std::sync::OnceLock<String>,
    // A std RwLock: every critical section is short, synchronous work on in-memory data and no
    // lock is ever held across an `.await`.
    data: RwLock<TenantData>,
    /// Counts writes to `data`, so what is rendered from it can be cached until the next write.
    generation: AtomicU64,
    /// `/userinfo` bodies rendered at some generation.
    userinfo: userinfo::UserinfoCache,
    /// How to rebuild the seeded state on reset. Keeping the seed text rather than a second copy
    /// of every user halves the memory of a large tenant.
    seed: seed::Seeded,
}

impl Tenant {
    pub fn new(domain: String, issuer: String, key: SigningKey, data: TenantData, seed: seed::Seeded) -> Self {
        let jwks = serde_json::json!({ "keys": [key.jwk()] }).to_string();
        Self {
            domain,
            issuer,
            key,
            verified: Default::default(),
            logs: Default::default(),
            jwks,
            discovery: std::sync::OnceLock::new(),
            data: RwLock::new(data),
            generation: AtomicU64::new(0),
            userinfo: Default::default(),
            seed,
        }
    }

    /// The audience of this tenant's Management API.
    pub fn management_audience(issuer: &str) -> String {
        format!("{issuer}api/v2/")
    }

    /// An absolute URL on this tenant for a route path such as `/oauth/token`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.issuer, path.trim_start_matches('/'))
    }

    /// The JWKS document as JSON text.
    pub fn jwks(&self) -> &str {
        &self.jwks
    }

    pub fn read<T>(&self, f: impl FnOnce(&TenantData) -> T) -> T {
        let data = self.data.read().unwrap_or_else(|p| p.into_inner());
        f(&data)
    }

    pub fn write<T>(&self, f: impl FnOnce(&mut TenantData) -> T) -> T {
        let mut data = self.data.write().unwrap_or_else(|p| p.into_inner());
        // Bumped before the change, with the lock held: a reader that saw the old number under
        // the read lock saw the old data, and anything cached with it no longer matches.
        self.generation.fetch_add(1, Ordering::AcqRel);
        f(&mut data)
    }

    /// Like [`Tenant::read`], also passing the generation of the data `f` sees.
    pub fn read_at<T>(&self, f: impl FnOnce(&TenantData, u64) -> T) -> T {
        let data = self.data.read().unwrap_or_else(|p| p.into_inner());
        f(&data, self.generation.load(Ordering::Acquire))
    }

    /// How many writes the data has seen; equal numbers mean unchanged data.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Signs tokens whose claims were decided under the lock; call it after releasing the lock.
    pub fn sign(&self, unsigned: issue::Unsigned) -> Result<issue::Signed, crate::tokens::KeyError> {
        use crate::tokens::jws;
        let access_token = match unsigned.access {
            issue::AccessToken::Jwt(claims) => jws::sign_rs256(&self.key, &claims)?,
            issue::AccessToken::Opaque(token) => token,
        };
        let id_token = match unsigned.id {
            Some((mut claims, signer)) => {
                if unsigned.at_hash {
                    claims.insert("at_hash".into(), issue::at_hash(&access_token).into());
                }
                Some(match signer {
                    issue::IdSigner::Rs256 => jws::sign_rs256(&self.key, &claims)?,
                    issue::IdSigner::Hs256(secret) => jws::sign_hs256(secret.as_bytes(), &claims)?,
                })
            }
            None => None,
        };
        Ok(issue::Signed {
            access_token,
            id_token,
            refresh_token: unsigned.refresh_token,
            scope: unsigned.scope,
            expires_in: unsigned.expires_in,
            token_type: "Bearer",
        })
    }

    /// Back to the state the seeds produced: the same objects, ids and timestamps as at start.
    pub fn reset(&self) -> Result<(), seed::SeedError> {
        let fresh = self.seed.rebuild()?;
        self.write(|data| *data = fresh);
        self.logs.clear();
        Ok(())
    }
}
