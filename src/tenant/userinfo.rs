//! What `/userinfo` answers: the user's profile claims the token's scope releases, plus the
//! claims post-login actions put in ID tokens. Those claims depend only on the tenant's data (the
//! user, the token's client, the actions) and on which profile scopes the token holds, never on
//! the time, so their JSON text is kept per (user, client, scopes) and served again until the
//! next write to the tenant's data: an app polling `/userinfo` costs a lookup, not a rendering.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Map, Value};

use super::actions::{self, Target};
use super::issue::{self, ProfileScopes};
use super::{Tenant, TenantData};

/// Users whose bodies are kept before the cache starts over.
const CAPACITY: usize = 4096;

/// Rendered `/userinfo` bodies, each with the data generation it was rendered from.
#[derive(Debug, Default)]
pub struct UserinfoCache {
    // A std mutex: lookups and inserts are short and never await. Keyed by user id, then a
    // short list per user (one entry per client and scope set seen), so a lookup borrows the
    // ids it is given instead of building a key.
    by_user: Mutex<HashMap<String, Vec<Rendered>>>,
    /// The audience access tokens name for `/userinfo` (the issuer never changes).
    audience: OnceLock<String>,
}

#[derive(Debug)]
struct Rendered {
    client_id: String,
    scopes: ProfileScopes,
    generation: u64,
    body: Arc<str>,
}

impl UserinfoCache {
    fn get(&self, user_id: &str, client_id: &str, scopes: ProfileScopes, generation: u64) -> Option<Arc<str>> {
        let by_user = self.by_user.lock().unwrap_or_else(|p| p.into_inner());
        let found = by_user.get(user_id)?.iter().find(|r| r.client_id == client_id && r.scopes == scopes)?;
        (found.generation == generation).then(|| found.body.clone())
    }

    fn put(&self, user_id: &str, client_id: &str, scopes: ProfileScopes, generation: u64, body: Arc<str>) {
        let mut by_user = self.by_user.lock().unwrap_or_else(|p| p.into_inner());
        if by_user.len() >= CAPACITY && !by_user.contains_key(user_id) {
            by_user.clear();
        }
        let list = by_user.entry(user_id.to_owned()).or_default();
        match list.iter_mut().find(|r| r.client_id == client_id && r.scopes == scopes) {
            // A request that rendered from older data than the entry holds leaves it alone.
            Some(existing) if existing.generation > generation => {}
            Some(existing) => {
                existing.generation = generation;
                existing.body = body;
            }
            None => list.push(Rendered { client_id: client_id.to_owned(), scopes, generation, body }),
        }
    }
}

impl TenantData {
    /// The `/userinfo` claims of `user_id` for a token of `client_id` releasing `scopes`; `None`
    /// when the user is gone (or, when actions add claims, the tenant has no client at all).
    pub fn userinfo_claims(&self, user_id: &str, client_id: &str, scopes: ProfileScopes, issuer: &str) -> Option<Map<String, Value>> {
        let user = self.users.get(user_id)?;
        let mut claims = Map::new();
        claims.insert("sub".into(), user.user_id.clone().into());
        claims.extend(issue::profile_for(user, scopes));
        // The action context serialises the whole user: build it only when a template needs it.
        if self.actions.post_login.iter().any(|a| !a.id_token_claims.is_empty()) {
            let client = self.client(client_id).or(self.clients.first())?;
            let context = issue::action_context(user, client, issuer);
            actions::apply(&self.actions.post_login, Target::IdToken, &context, &mut claims);
        }
        Some(claims)
    }
}

impl Tenant {
    /// [`issue::userinfo_audience`] of this tenant, formatted once.
    pub fn userinfo_audience(&self) -> &str {
        self.userinfo.audience.get_or_init(|| issue::userinfo_audience(&self.issuer))
    }

    /// [`TenantData::userinfo_claims`] as JSON text, rendered once per generation of the data.
    pub fn userinfo_json(&self, user_id: &str, client_id: &str, scopes: ProfileScopes) -> Option<Arc<str>> {
        if let Some(body) = self.userinfo.get(user_id, client_id, scopes, self.generation()) {
            return Some(body);
        }
        let (claims, generation) =
            self.read_at(|data, generation| (data.userinfo_claims(user_id, client_id, scopes, &self.issuer), generation));
        // Serialised after the lock is released.
        let body: Arc<str> = Value::Object(claims?).to_string().into();
        self.userinfo.put(user_id, client_id, scopes, generation, body.clone());
        Some(body)
    }
}
