//! Faults, latency, the request journal and rate limiting: what makes the emulator misbehave on
//! purpose, and what lets a test see how it was called.
//!
//! Rules are data ([`rule::Rule`], one serde format for `--faults FILE` and the control API;
//! [`compact`] reads the one-line `--fault` form into the same type). Per tenant, [`Faults`]
//! keeps the installed rules sorted by priority (ties by insertion), decides under its lock which
//! rules fire for a request — counting matches for `after` and firings for `times`, drawing
//! `probability` and latency samples from the app's seeded RNG so a seed replays — and hands the
//! [`Decision`] back; the [`middleware`] then awaits the delay with every lock released
//! (wiremock's design) and applies the action. A firing rule without an action (latency only)
//! lets the walk go on, so a global `--latency` adds to whatever else fires; the first rule with
//! an action ends it. Responses a rule touched carry `x-emulator-fault: <ids>`.
//!
//! With no rules the middleware pays one atomic load; request bodies are read only when a rule
//! needs body fields, or for the journal on the Authentication endpoints that take them.
//!
//! - [`rule`], [`latency`], [`compact`], [`matcher`], [`endpoint`]: the format, the flag syntax,
//!   matching, endpoint names.
//! - [`request`]: what a request says (client, grant, user, …). [`respond`]: the bodies rules
//!   answer with. [`connection`]: faults done to the socket.
//! - [`journal`], [`report`]: the request journal and its anti-pattern report.
//! - [`ratelimit`]: the opt-in token buckets with Auth0's published limits.

pub mod compact;
pub mod connection;
pub mod endpoint;
pub mod journal;
pub mod latency;
pub mod matcher;
pub mod middleware;
pub mod ratelimit;
pub mod report;
pub mod request;
pub mod respond;
pub mod rule;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::http::HeaderMap;
use serde::Serialize;

use crate::rng::SeededRng;
use matcher::{Compiled, RequestInfo};
use rule::{Action, InvalidRule, Latency, Rule, MAX_DELAY_MS};

/// The id prefix of generated rule ids.
pub const ID_PREFIX: &str = "flt_";

/// One tenant's installed rules.
#[derive(Debug, Default)]
pub struct Faults {
    // A std mutex: a decision is a short scan and a few RNG draws, never an await.
    set: Mutex<RuleSet>,
    /// Rules installed, read without the lock so requests skip everything when it is zero.
    installed: AtomicUsize,
    needs_body: AtomicBool,
}

#[derive(Debug, Default)]
struct RuleSet {
    /// Sorted by priority (high first), then insertion.
    rules: Vec<Installed>,
    next_seq: u64,
}

#[derive(Debug)]
struct Installed {
    id: Arc<str>,
    rule: Rule,
    matcher: Compiled,
    seq: u64,
    matched: u64,
    fired: u64,
}

impl Installed {
    fn exhausted(&self) -> bool {
        self.rule.times.is_some_and(|t| self.fired >= t)
    }

    fn view(&self) -> RuleView {
        RuleView { rule: Rule { id: Some(self.id.to_string()), ..self.rule.clone() }, matched: self.matched, fired: self.fired }
    }
}

/// A rule as the control API lists it: the rule (with its id) and its counters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleView {
    #[serde(flatten)]
    pub rule: Rule,
    /// Requests the matcher accepted while the rule was live.
    pub matched: u64,
    /// Times the rule fired.
    pub fired: u64,
}

/// What the rules decided for one request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Decision {
    /// Ids of the rules that fired, in walk order.
    pub fired: Vec<Arc<str>>,
    /// The summed latency samples, in milliseconds.
    pub delay_ms: Option<u64>,
    pub action: Option<Action>,
}

impl Faults {
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether any rule is installed (one atomic load).
    pub fn is_active(&self) -> bool {
        self.installed.load(Ordering::Acquire) > 0
    }

    /// Whether some rule matches on body fields.
    pub fn needs_body(&self) -> bool {
        self.needs_body.load(Ordering::Acquire)
    }

    /// Installs `rules` (all or none); rules without an id get `flt_` + 16 characters from `rng`.
    pub fn add(&self, rules: Vec<Rule>, rng: &SeededRng) -> Result<Vec<RuleView>, InvalidRule> {
        let mut set = self.lock();
        let single = rules.len() == 1;
        let mut fresh: Vec<Installed> = Vec::with_capacity(rules.len());
        for (i, rule) in rules.into_iter().enumerate() {
            let at = |e: InvalidRule| if single { e } else { e.within(&format!("[{i}]")) };
            rule.validate().map_err(at)?;
            let matcher = Compiled::new(&rule.matcher).map_err(at)?;
            let taken = |id: &str| set.rules.iter().chain(&fresh).any(|r| &*r.id == id);
            let id = match &rule.id {
                Some(id) if taken(id) => {
                    return Err(at(InvalidRule::new("id", format!("a rule with id {id:?} already exists (delete it first)"))));
                }
                Some(id) => id.clone(),
                None => loop {
                    let id = format!("{ID_PREFIX}{}", rng.alnum(16));
                    if !taken(&id) {
                        break id;
                    }
                },
            };
            set.next_seq += 1;
            let seq = set.next_seq;
            fresh.push(Installed { id: Arc::from(id), rule, matcher, seq, matched: 0, fired: 0 });
        }
        let views = fresh.iter().map(Installed::view).collect();
        set.rules.extend(fresh);
        set.rules.sort_by_key(|r| (std::cmp::Reverse(r.rule.priority), r.seq));
        self.publish(&set);
        Ok(views)
    }

    pub fn list(&self) -> Vec<RuleView> {
        self.lock().rules.iter().map(Installed::view).collect()
    }

    pub fn get(&self, id: &str) -> Option<RuleView> {
        self.lock().rules.iter().find(|r| &*r.id == id).map(Installed::view)
    }

    /// Removes one rule; false when there is none with this id.
    pub fn remove(&self, id: &str) -> bool {
        let mut set = self.lock();
        let before = set.rules.len();
        set.rules.retain(|r| &*r.id != id);
        let removed = set.rules.len() != before;
        self.publish(&set);
        removed
    }

    pub fn clear(&self) {
        let mut set = self.lock();
        set.rules.clear();
        self.publish(&set);
    }

    /// Walks the rules for one request. Latency-only rules that fire add their delay and the walk
    /// goes on; the first firing rule with an action ends it. `None` when nothing fired.
    pub fn decide(&self, request: &RequestInfo, headers: &HeaderMap, rng: &SeededRng) -> Option<Decision> {
        let mut set = self.lock();
        let mut decision = Decision::default();
        for installed in set.rules.iter_mut() {
            if installed.exhausted() || !installed.matcher.matches(request, headers) {
                continue;
            }
            installed.matched += 1;
            if installed.matched <= installed.rule.after {
                continue;
            }
            // No draw for certain rules, so adding one does not shift every later random value.
            if let Some(p) = installed.rule.probability.filter(|p| *p < 1.0) {
                if rng.unit() >= p {
                    continue;
                }
            }
            installed.fired += 1;
            decision.fired.push(installed.id.clone());
            if let Some(latency) = &installed.rule.latency {
                let sample = sample(latency, rng);
                decision.delay_ms = Some(decision.delay_ms.unwrap_or(0).saturating_add(sample).min(MAX_DELAY_MS));
            }
            if let Some(action) = &installed.rule.action {
                decision.action = Some(action.clone());
                break;
            }
        }
        (!decision.fired.is_empty()).then_some(decision)
    }

    fn publish(&self, set: &RuleSet) {
        self.needs_body.store(set.rules.iter().any(|r| r.matcher.needs_body()), Ordering::Release);
        self.installed.store(set.rules.len(), Ordering::Release);
    }

    fn lock(&self) -> MutexGuard<'_, RuleSet> {
        self.set.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// One latency draw, in milliseconds.
fn sample(latency: &Latency, rng: &SeededRng) -> u64 {
    match *latency {
        Latency::Fixed { ms } => ms,
        Latency::Uniform { min_ms, max_ms } if min_ms >= max_ms => min_ms,
        Latency::Uniform { min_ms, max_ms } => {
            let span = (max_ms - min_ms + 1) as f64;
            (min_ms + (rng.unit() * span) as u64).min(max_ms)
        }
        Latency::LogNormal { median_ms, sigma } => {
            let ms = median_ms as f64 * (sigma * rng.standard_normal()).exp();
            (ms.round() as u64).min(MAX_DELAY_MS)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Method;

    fn request(path: &str) -> RequestInfo {
        RequestInfo { method: Method::GET, path: path.into(), ..RequestInfo::default() }
    }

    fn fired(faults: &Faults, rng: &SeededRng, path: &str) -> Option<Vec<String>> {
        faults.decide(&request(path), &HeaderMap::new(), rng).map(|d| d.fired.iter().map(|id| id.to_string()).collect())
    }

    fn rule(line: &str) -> Rule {
        compact::parse(line).expect(line)
    }

    #[test]
    fn after_skips_and_times_exhausts() {
        let (faults, rng) = (Faults::new(), SeededRng::new(1));
        faults.add(vec![rule("id=a,path=/x,status=503,after=1,times=2")], &rng).expect("added");
        let seq: Vec<bool> = (0..5).map(|_| fired(&faults, &rng, "/x").is_some()).collect();
        assert_eq!(seq, [false, true, true, false, false]);
        let view = faults.get("a").expect("listed");
        assert_eq!((view.matched, view.fired), (3, 2));
    }

    #[test]
    fn priority_orders_rules_and_latency_only_rules_let_the_walk_go_on() {
        let (faults, rng) = (Faults::new(), SeededRng::new(1));
        let rules = vec![rule("id=slow,latency=5ms"), rule("id=low,status=500"), rule("id=high,path=/x,status=503,priority=5")];
        faults.add(rules, &rng).expect("added");
        let decision = faults.decide(&request("/x"), &HeaderMap::new(), &rng).expect("fires");
        assert_eq!(decision.fired.iter().map(|i| i.to_string()).collect::<Vec<_>>(), ["high"]);
        let decision = faults.decide(&request("/y"), &HeaderMap::new(), &rng).expect("fires");
        assert_eq!(decision.fired.iter().map(|i| i.to_string()).collect::<Vec<_>>(), ["slow", "low"]);
        assert_eq!(decision.delay_ms, Some(5));
    }

    #[test]
    fn the_same_seed_replays_the_same_faults_and_delays() {
        let run = |seed| {
            let (faults, rng) = (Faults::new(), SeededRng::new(seed));
            faults.add(vec![rule("id=p,probability=0.5,latency=10ms..90ms,status=503")], &rng).expect("added");
            (0..20).map(|_| faults.decide(&request("/"), &HeaderMap::new(), &rng).map(|d| d.delay_ms)).collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        assert!(run(7).iter().all(|d| d.is_none_or(|ms| (10..=90).contains(&ms.unwrap_or(0)))));
    }

    #[test]
    fn ids_are_generated_unique_and_refused_twice() {
        let (faults, rng) = (Faults::new(), SeededRng::new(1));
        let views = faults.add(vec![rule("status=500"), rule("id=mine,status=500")], &rng).expect("added");
        assert!(views[0].rule.id.as_deref().is_some_and(|id| id.starts_with("flt_") && id.len() == 20));
        let err = faults.add(vec![rule("id=mine,status=500")], &rng).expect_err("duplicate");
        assert_eq!(err.to_string(), "id: a rule with id \"mine\" already exists (delete it first)");
        assert!(faults.remove("mine") && !faults.remove("mine"));
        faults.clear();
        assert!(!faults.is_active());
    }
}
