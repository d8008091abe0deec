//! `AppState`: what every handler reaches — the tenant, the clock, the seeded RNG and the TLS
//! material. A cheap clone of one `Arc`.

use std::sync::Arc;

use crate::clock::Clock;
use crate::rng::SeededRng;
use crate::tenant::Tenant;

#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    tenant: Tenant,
    clock: Clock,
    rng: SeededRng,
    random_seed: u64,
    ca_pem: Arc<str>,
    admin_token: Option<String>,
}

impl AppState {
    /// `rng` is the one the seeds were built with, so ids drawn later never repeat theirs.
    pub fn new(tenant: Tenant, clock: Clock, rng: SeededRng, random_seed: u64, ca_pem: Arc<str>, admin_token: Option<String>) -> Self {
        Self { inner: Arc::new(Inner { tenant, clock, rng, random_seed, ca_pem, admin_token }) }
    }

    /// The tenant a request belongs to. There is one tenant today; requests will later be
    /// routed by listener and Host, and this is the one place that will change.
    pub fn tenant(&self) -> &Tenant {
        &self.inner.tenant
    }

    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    pub fn rng(&self) -> &SeededRng {
        &self.inner.rng
    }

    pub fn random_seed(&self) -> u64 {
        self.inner.random_seed
    }

    pub fn ca_pem(&self) -> &str {
        &self.inner.ca_pem
    }

    pub fn admin_token(&self) -> Option<&str> {
        self.inner.admin_token.as_deref()
    }
}
