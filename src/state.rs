//! `AppState`: what every handler reaches — the tenant, the clock, the seeded RNG, the TLS
//! material, the tenant's fault rules, request journal and rate limiter, and the custom database
//! script runners. A cheap clone of
//! one `Arc`.

use std::sync::Arc;

use crate::clock::Clock;
use crate::custom_db::{Scripts, Settings as ScriptSettings};
use crate::faults::journal::Journal;
use crate::faults::ratelimit::{Preset, RateLimiter};
use crate::faults::rule::{InvalidRule, Rule};
use crate::faults::Faults;
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
    // Per tenant, next to the one tenant there is today.
    faults: Faults,
    journal: Journal,
    rate_limiter: RateLimiter,
    scripts: Scripts,
}

impl AppState {
    /// `rng` is the one the seeds were built with, so ids drawn later never repeat theirs.
    pub fn new(tenant: Tenant, clock: Clock, rng: SeededRng, random_seed: u64, ca_pem: Arc<str>, admin_token: Option<String>, scripts: ScriptSettings) -> Self {
        Self {
            inner: Arc::new(Inner {
                tenant,
                clock,
                rng,
                random_seed,
                ca_pem,
                admin_token,
                faults: Faults::new(),
                journal: Journal::new(),
                rate_limiter: RateLimiter::default(),
                scripts: Scripts::new(scripts),
            }),
        }
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

    /// The tenant's fault rules.
    pub fn faults(&self) -> &Faults {
        &self.inner.faults
    }

    /// The tenant's request journal.
    pub fn journal(&self) -> &Journal {
        &self.inner.journal
    }

    /// Runs custom database scripts.
    pub fn scripts(&self) -> &Scripts {
        &self.inner.scripts
    }

    pub fn rate_limiter(&self) -> &RateLimiter {
        &self.inner.rate_limiter
    }

    /// Installs the start-up rules (`--fault`, `--faults`, `--latency`) and the rate-limit preset.
    pub fn configure_faults(&self, rules: Vec<Rule>, rate_limits: Preset) -> Result<(), InvalidRule> {
        self.inner.rate_limiter.set_preset(rate_limits);
        if !rules.is_empty() {
            self.inner.faults.add(rules, &self.inner.rng)?;
        }
        Ok(())
    }
}
