//! The journal's anti-pattern report: Auth0 usage that works against a local emulator but hurts
//! (or gets rate limited) on a real tenant.
//!
//! - `m2m_token_per_call`: at least [`TOKEN_REUSE_THRESHOLD`] successful `client_credentials`
//!   exchanges for one client and audience within one access-token lifetime (the API's
//!   `token_lifetime`) — the app fetches a fresh token instead of caching it. Auth0 bills and
//!   rate-limits M2M tokens.
//! - `management_api_on_login`: at least [`LOGIN_THRESHOLD`] logins, and 80 % or more of them
//!   followed (before the next login, within [`LOGIN_FOLLOW_MS`]) by a Management API call — the
//!   app reads or writes the user through the Management API on every login, which its rate
//!   limits do not allow at scale (use ID-token claims or an Action).
//!
//! Works on journal order, so it holds with a frozen clock too.

use std::collections::BTreeMap;

use serde::Serialize;

use super::journal::Entry;
use crate::clock::Millis;

pub const TOKEN_REUSE_THRESHOLD: usize = 3;
pub const LOGIN_THRESHOLD: usize = 3;
pub const LOGIN_FOLLOW_MS: Millis = 60_000;

/// Grant types that log a user in.
const LOGIN_GRANTS: &[&str] = &[
    "password",
    "http://auth0.com/oauth/grant-type/password-realm",
    "authorization_code",
    "http://auth0.com/oauth/grant-type/passwordless/otp",
];

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Journal entries examined.
    pub requests: usize,
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Finding {
    M2mTokenPerCall {
        client_id: String,
        /// Absent when the client asked for the tenant's default audience.
        #[serde(skip_serializing_if = "Option::is_none")]
        audience: Option<String>,
        /// The most exchanges seen within one token lifetime.
        count: usize,
        token_lifetime: i64,
        message: String,
    },
    ManagementApiOnLogin {
        logins: usize,
        followed_by_management_calls: usize,
        message: String,
    },
}

/// Builds the report; `token_lifetime` gives an audience's access-token lifetime in seconds.
pub fn build(entries: &[Entry], token_lifetime: impl Fn(Option<&str>) -> i64) -> Report {
    let mut findings = token_per_call(entries, &token_lifetime);
    findings.extend(management_on_login(entries));
    Report { requests: entries.len(), findings }
}

fn is_token_success(entry: &Entry) -> bool {
    entry.endpoint.as_deref() == Some("token") && entry.status == Some(200)
}

fn token_per_call(entries: &[Entry], token_lifetime: &impl Fn(Option<&str>) -> i64) -> Vec<Finding> {
    let mut groups: BTreeMap<(String, Option<String>), Vec<Millis>> = BTreeMap::new();
    for entry in entries.iter().filter(|e| is_token_success(e) && e.grant_type.as_deref() == Some("client_credentials")) {
        let client = entry.client_id.clone().unwrap_or_default();
        groups.entry((client, entry.audience.clone())).or_default().push(entry.time);
    }
    let mut findings = Vec::new();
    for ((client_id, audience), times) in groups {
        let lifetime = token_lifetime(audience.as_deref());
        let window = lifetime.saturating_mul(1000);
        // The most exchanges inside any window of one lifetime (times are in journal order).
        let mut start = 0;
        let mut most = 0;
        for end in 0..times.len() {
            while times[end] - times[start] >= window {
                start += 1;
            }
            most = most.max(end + 1 - start);
        }
        if most >= TOKEN_REUSE_THRESHOLD {
            let target = audience.as_deref().unwrap_or("the default audience");
            let message = format!(
                "{most} client_credentials exchanges for client {client_id} and {target} within one token lifetime ({lifetime} s): \
                 cache the access token until it expires instead of fetching one per call"
            );
            findings.push(Finding::M2mTokenPerCall { client_id, audience, count: most, token_lifetime: lifetime, message });
        }
    }
    findings
}

fn management_on_login(entries: &[Entry]) -> Option<Finding> {
    let is_login = |e: &Entry| {
        (is_token_success(e) && e.grant_type.as_deref().is_some_and(|g| LOGIN_GRANTS.contains(&g)))
            || (e.endpoint.as_deref() == Some("co_authenticate") && e.status == Some(200))
    };
    let logins: Vec<usize> = entries.iter().enumerate().filter(|(_, e)| is_login(e)).map(|(i, _)| i).collect();
    if logins.len() < LOGIN_THRESHOLD {
        return None;
    }
    let followed = logins
        .iter()
        .enumerate()
        .filter(|(n, at)| {
            let next = logins.get(n + 1).copied().unwrap_or(entries.len());
            let login_time = entries[**at].time;
            entries[**at + 1..next]
                .iter()
                .any(|e| e.endpoint.as_deref().is_some_and(|ep| ep.starts_with("mgmt.")) && e.time - login_time <= LOGIN_FOLLOW_MS)
        })
        .count();
    (followed * 5 >= logins.len() * 4).then(|| Finding::ManagementApiOnLogin {
        logins: logins.len(),
        followed_by_management_calls: followed,
        message: format!(
            "{followed} of {} logins were followed by a Management API call: read profile data from the ID token or add it \
             with a post-login Action instead of calling the Management API on every login (its rate limits are per tenant)",
            logins.len()
        ),
    })
}
