//! Short-lived front-channel state that is not the tenant's: authorization requests waiting on
//! the login page (keyed by the transaction id in `/u/login?state=…`) and cross-origin login
//! tickets waiting for `/authorize?login_ticket=…`.
//!
//! Entries are keyed by the tenant's issuer and an id, expire by the virtual clock, and are capped
//! in number so an abandoned flow never grows memory without bound. The values are the
//! Authentication API's own request types, so this lives beside its handlers rather than in the
//! HTTP-agnostic tenant; a tenant reset clears it through [`super::forget_pending`].

use std::collections::HashMap;
use std::sync::Mutex;

use crate::clock::Millis;

/// At most this many entries per kind, across tenants; the soonest to expire go first.
const MAX_ENTRIES: usize = 10_000;

struct Entry<T> {
    value: T,
    expires_at: Millis,
}

pub struct Pending<T> {
    // A std mutex: every critical section is a map operation, never held across an `.await`.
    entries: Mutex<HashMap<(String, String), Entry<T>>>,
}

impl<T: Clone> Pending<T> {
    pub fn new() -> Self {
        Self { entries: Mutex::new(HashMap::new()) }
    }

    fn with<R>(&self, f: impl FnOnce(&mut HashMap<(String, String), Entry<T>>) -> R) -> R {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut entries)
    }

    pub fn insert(&self, tenant: &str, id: String, value: T, now: Millis, lifetime: Millis) {
        self.with(|entries| {
            if entries.len() >= MAX_ENTRIES {
                entries.retain(|_, e| e.expires_at > now);
            }
            while entries.len() >= MAX_ENTRIES {
                let Some(oldest) = entries.iter().min_by_key(|(_, e)| e.expires_at).map(|(k, _)| k.clone()) else { break };
                entries.remove(&oldest);
            }
            entries.insert((tenant.to_string(), id), Entry { value, expires_at: now + lifetime });
        });
    }

    /// The live entry, left in place.
    pub fn get(&self, tenant: &str, id: &str, now: Millis) -> Option<T> {
        self.with(|entries| entries.get(&(tenant.to_string(), id.to_string())).filter(|e| e.expires_at > now).map(|e| e.value.clone()))
    }

    /// Drops every entry of one tenant (its reset).
    pub fn forget_tenant(&self, tenant: &str) {
        self.with(|entries| entries.retain(|(t, _), _| t != tenant));
    }

    /// The live entry, removed (single use).
    pub fn take(&self, tenant: &str, id: &str, now: Millis) -> Option<T> {
        self.with(|entries| entries.remove(&(tenant.to_string(), id.to_string())).filter(|e| e.expires_at > now).map(|e| e.value))
    }
}

impl<T: Clone> Default for Pending<T> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_per_tenant_expire_and_are_taken_once() {
        let store = Pending::new();
        store.insert("https://a/", "id".into(), 1, 0, 100);
        assert_eq!(store.get("https://b/", "id", 0), None);
        assert_eq!(store.get("https://a/", "id", 99), Some(1));
        assert_eq!(store.get("https://a/", "id", 100), None);
        assert_eq!(store.take("https://a/", "id", 50), Some(1));
        assert_eq!(store.take("https://a/", "id", 50), None);
    }

    #[test]
    fn the_store_is_capped() {
        let store = Pending::new();
        for i in 0..MAX_ENTRIES + 5 {
            store.insert("t", i.to_string(), i, 0, i64::try_from(i).expect("small") + 1);
        }
        assert_eq!(store.with(|e| e.len()), MAX_ENTRIES);
        assert_eq!(store.get("t", "0", 0), None);
        assert_eq!(store.get("t", &(MAX_ENTRIES + 4).to_string(), 0), Some(MAX_ENTRIES + 4));
    }
}
