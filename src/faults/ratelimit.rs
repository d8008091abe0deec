//! Real rate limiting (`--rate-limits auth0-free|auth0-enterprise`): token buckets per endpoint
//! and per tenant (or per user) with Auth0's published limits, refilled on the virtual clock, so
//! a test can exhaust a bucket and then advance the clock instead of waiting.
//!
//! Limits (burst, then sustained refill), from Auth0's rate-limit configuration pages for the
//! Free and Enterprise (public cloud, production) subscriptions, and reference §9 for the
//! Management API:
//!
//! | bucket | key | auth0-free | auth0-enterprise |
//! |---|---|---|---|
//! | Authentication API (every endpoint outside `/api/v2`) | tenant | 300, 300/min | 100, 100/s |
//! | `/oauth/token` | tenant | 30, 30/s | — (global only) |
//! | `/userinfo` | user (token `sub`) | 10, 5/min | 10, 5/min |
//! | `/dbconnections/change_password` | email | 10, 1/min | 10, 1/min |
//! | `/passwordless/start` | tenant (Auth0: per IP) | 50, 50/h | 50, 50/h |
//! | `/co/authenticate` | tenant | 5, 5/s | — |
//! | `/.well-known/jwks.json` | tenant | 20, 20/s | — |
//! | Management API (`/api/v2/*`) | tenant | 10, 120/min | 50, 1000/min |
//!
//! Every response of a limited endpoint carries `x-ratelimit-limit` (the burst of its tightest
//! bucket), `x-ratelimit-remaining`, and `x-ratelimit-reset` (epoch seconds on the virtual
//! clock when that bucket is full again); a refusal is Auth0's 429 with `retry-after`. A refused
//! request takes no token from any bucket. Per-IP buckets are kept per tenant: every client of
//! a local emulator comes from the same few addresses.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Mutex;

use serde::Serialize;

use super::matcher::RequestInfo;
use crate::clock::Millis;
use crate::paths;

/// Which limits apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    #[default]
    Off,
    Auth0Free,
    Auth0Enterprise,
}

impl Preset {
    const ALL: [Preset; 3] = [Preset::Off, Preset::Auth0Free, Preset::Auth0Enterprise];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Tenant,
    User,
    Email,
}

#[derive(Debug, Clone, Copy)]
struct Spec {
    name: &'static str,
    burst: u32,
    /// Tokens added per `per_ms` milliseconds.
    refill: u32,
    per_ms: u32,
    key: Key,
}

const SECOND: u32 = 1_000;
const MINUTE: u32 = 60_000;
const HOUR: u32 = 3_600_000;

const fn spec(name: &'static str, burst: u32, refill: u32, per_ms: u32, key: Key) -> Spec {
    Spec { name, burst, refill, per_ms, key }
}

/// The buckets a request draws from under `preset`, tightest rules first.
fn specs(preset: Preset, request: &RequestInfo) -> Vec<Spec> {
    let path = request.path.as_str();
    let management = path == paths::MANAGEMENT_PREFIX || path.starts_with("/api/v2/");
    let free = preset == Preset::Auth0Free;
    let mut out = Vec::with_capacity(2);
    match preset {
        Preset::Off => return out,
        _ if management => {
            out.push(if free { spec("management", 10, 120, MINUTE, Key::Tenant) } else { spec("management", 50, 1000, MINUTE, Key::Tenant) });
            return out;
        }
        _ => {}
    }
    match path {
        paths::USERINFO => out.push(spec("userinfo", 10, 5, MINUTE, Key::User)),
        paths::CHANGE_PASSWORD => out.push(spec("change_password", 10, 1, MINUTE, Key::Email)),
        paths::PASSWORDLESS_START => out.push(spec("passwordless_start", 50, 50, HOUR, Key::Tenant)),
        paths::TOKEN if free => out.push(spec("token", 30, 30, SECOND, Key::Tenant)),
        paths::CO_AUTHENTICATE if free => out.push(spec("co_authenticate", 5, 5, SECOND, Key::Tenant)),
        paths::JWKS if free => out.push(spec("jwks", 20, 20, SECOND, Key::Tenant)),
        _ => {}
    }
    out.push(if free { spec("authentication", 300, 300, MINUTE, Key::Tenant) } else { spec("authentication", 100, 100, SECOND, Key::Tenant) });
    out
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Millis,
}

/// The outcome for one request: what the headers say, and whether it may pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    pub allowed: bool,
    pub limit: u64,
    pub remaining: u64,
    /// Epoch seconds when the reported bucket is full again.
    pub reset_epoch_s: i64,
    /// Seconds until the refused request could pass (refusals only).
    pub retry_after_s: Option<u64>,
}

/// Bucket state per tenant.
#[derive(Debug, Default)]
pub struct RateLimiter {
    /// The preset as a `u8` ([`Preset::ALL`] index), read on every request without a lock.
    preset: AtomicU8,
    // A std mutex: a take is arithmetic on a few entries.
    buckets: Mutex<HashMap<(&'static str, String), Bucket>>,
}

/// Per-user buckets beyond this many are forgotten (all at once; an emulator is not a CDN).
const MAX_BUCKETS: usize = 100_000;

impl RateLimiter {
    pub fn new(preset: Preset) -> Self {
        let limiter = Self::default();
        limiter.set_preset(preset);
        limiter
    }

    pub fn preset(&self) -> Preset {
        Preset::ALL.get(usize::from(self.preset.load(Ordering::Acquire))).copied().unwrap_or_default()
    }

    /// Switches presets and forgets every bucket.
    pub fn set_preset(&self, preset: Preset) {
        let index = Preset::ALL.iter().position(|p| *p == preset).unwrap_or(0);
        self.buckets.lock().unwrap_or_else(|p| p.into_inner()).clear();
        self.preset.store(u8::try_from(index).unwrap_or(0), Ordering::Release);
    }

    /// Takes a token from every bucket `request` draws from, or from none when one is empty.
    /// `None` when no limit applies to the request.
    pub fn take(&self, request: &RequestInfo, bearer: Option<&str>, now: Millis) -> Option<Verdict> {
        let specs = specs(self.preset(), request);
        if specs.is_empty() {
            return None;
        }
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() > MAX_BUCKETS {
            buckets.clear();
        }
        let keyed: Vec<(Spec, (&'static str, String))> = specs
            .into_iter()
            .map(|s| {
                let key = match s.key {
                    Key::Tenant => String::new(),
                    Key::User => request.subject.clone().or_else(|| bearer.map(str::to_owned)).unwrap_or_default(),
                    Key::Email => request.email.clone().unwrap_or_default(),
                };
                (s, (s.name, key))
            })
            .collect();
        // Refill everything first, then decide, then take: a refusal takes nothing.
        let mut levels = Vec::with_capacity(keyed.len());
        for (spec, key) in &keyed {
            let bucket = buckets.entry(key.clone()).or_insert(Bucket { tokens: f64::from(spec.burst), updated: now });
            refill(bucket, spec, now);
            levels.push(bucket.tokens);
        }
        let allowed = levels.iter().all(|t| *t >= 1.0);
        if allowed {
            for ((_, key), level) in keyed.iter().zip(levels.iter_mut()) {
                if let Some(bucket) = buckets.get_mut(key) {
                    bucket.tokens -= 1.0;
                    *level = bucket.tokens;
                }
            }
        }
        // Report the bucket with the fewest tokens left (on refusal: the one that refused).
        let (spec, tokens) = keyed
            .iter()
            .map(|(s, _)| *s)
            .zip(levels.iter().copied())
            .min_by(|a, b| a.1.total_cmp(&b.1))?;
        let rate = f64::from(spec.refill) / f64::from(spec.per_ms);
        let full_in_ms = ((f64::from(spec.burst) - tokens).max(0.0) / rate).ceil() as i64;
        let retry_after_s = (!allowed).then(|| (((1.0 - tokens).max(0.0) / rate) / 1000.0).ceil().max(1.0) as u64);
        Some(Verdict {
            allowed,
            limit: u64::from(spec.burst),
            remaining: tokens.max(0.0).floor() as u64,
            reset_epoch_s: (now + full_in_ms + 999).div_euclid(1000),
            retry_after_s,
        })
    }
}

fn refill(bucket: &mut Bucket, spec: &Spec, now: Millis) {
    // A clock moved backwards refills nothing and restarts the count from now.
    let elapsed = (now - bucket.updated).max(0) as f64;
    let rate = f64::from(spec.refill) / f64::from(spec.per_ms);
    bucket.tokens = (bucket.tokens + elapsed * rate).min(f64::from(spec.burst));
    bucket.updated = now;
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Method;

    fn request(path: &str) -> RequestInfo {
        RequestInfo { method: Method::GET, path: path.into(), ..RequestInfo::default() }
    }

    #[test]
    fn the_free_management_bucket_holds_ten_and_refills_two_a_second() {
        let limiter = RateLimiter::new(Preset::Auth0Free);
        let now = 1_700_000_000_000;
        let verdicts: Vec<Verdict> = (0..11).filter_map(|_| limiter.take(&request("/api/v2/users"), None, now)).collect();
        assert_eq!(verdicts[0], Verdict { allowed: true, limit: 10, remaining: 9, reset_epoch_s: 1_700_000_001, retry_after_s: None });
        assert_eq!(verdicts[9].remaining, 0);
        assert_eq!(
            verdicts[10],
            Verdict { allowed: false, limit: 10, remaining: 0, reset_epoch_s: 1_700_000_005, retry_after_s: Some(1) }
        );
        let later = limiter.take(&request("/api/v2/users"), None, now + 1_000).expect("limited");
        assert_eq!((later.allowed, later.remaining), (true, 1));
    }

    #[test]
    fn userinfo_is_limited_per_user() {
        let limiter = RateLimiter::new(Preset::Auth0Enterprise);
        let alice = RequestInfo { subject: Some("auth0|alice".into()), ..request(paths::USERINFO) };
        let bob = RequestInfo { subject: Some("auth0|bob".into()), ..request(paths::USERINFO) };
        let allowed = (0..12).filter(|_| limiter.take(&alice, None, 0).is_some_and(|v| v.allowed)).count();
        assert_eq!(allowed, 10);
        assert!(limiter.take(&bob, None, 0).is_some_and(|v| v.allowed && v.limit == 10));
    }

    #[test]
    fn off_limits_nothing() {
        assert_eq!(RateLimiter::new(Preset::Off).take(&request("/api/v2/users"), None, 0), None);
    }
}
