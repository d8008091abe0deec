//! auth0-emulator: an Auth0 tenant on localhost, in one binary.
//!
//! It serves the Authentication API and the Management API v2 the official SDKs call, signs
//! real RS256 tokens with a persistent key published in a JWKS, keeps users in memory seeded
//! from JSON files, and answers HTTPS (with its own local CA) and plain HTTP on one port.
//!
//! # Layout
//!
//! - [`cli`] and [`config`]: the command line, and the validated [`Config`] nothing else sees past.
//! - [`server`]: the listener (TLS or plain HTTP per connection), the router, graceful shutdown.
//! - [`state`]: [`AppState`], what handlers reach: the tenant, the [`clock`], the seeded [`rng`].
//! - [`tenant`]: the HTTP-agnostic domain — configuration objects, users, metadata rules,
//!   passwords, seed files.
//! - [`tokens`]: signing keys, JWKS, JWS signing and verification, claim assembly.
//! - [`tls`]: the local CA and the server certificate.
//! - [`authn`], [`mgmt`], [`control`]: the three HTTP surfaces, each with one error type that
//!   renders its exact error body.
//! - [`faults`]: fault rules (errors, 429s, connection faults, latency), the request journal and
//!   its anti-pattern report, and the opt-in Auth0 rate limiter; a middleware on every route.
//! - [`custom_db`]: custom database connections — the Node.js worker and HTTP hooks that run
//!   their action scripts, and where each flow calls them.
//! - [`commands`]: the subcommands other than `serve`.
//! - [`persist`]: files in the state directory.

pub mod authn;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
pub mod control;
pub mod custom_db;
pub mod extract;
pub mod faults;
pub mod mgmt;
pub mod paths;
pub mod persist;
pub mod rng;
pub mod server;
pub mod state;
pub mod tenant;
pub mod tls;
pub mod tokens;

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;

pub use config::Config;
pub use state::AppState;

use clock::Clock;
use config::ClockStart;
use rng::SeededRng;
use tenant::seed::{self, SeedError};
use tenant::Tenant;

/// Why start-up failed; the binary maps each to an exit code.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A seed file is wrong (exit code 2).
    #[error(transparent)]
    Seed(#[from] SeedError),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error(transparent)]
    Key(#[from] tokens::KeyError),
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    #[error("fault rule {0}")]
    Faults(#[from] faults::rule::InvalidRule),
}

/// A built emulator: listening, seeded, not yet serving.
pub struct Emulator {
    listener: tokio::net::TcpListener,
    addr: SocketAddr,
    state: AppState,
    tls: tls::Tls,
}

impl Emulator {
    /// Binds the listener, loads the seeds, keys and certificates.
    pub async fn build(config: Config) -> Result<Self, StartError> {
        let bind = SocketAddr::new(config.host, config.port);
        let listener = tokio::net::TcpListener::bind(bind).await.map_err(|source| StartError::Bind { addr: bind, source })?;
        let addr = listener.local_addr().map_err(|source| StartError::Bind { addr: bind, source })?;
        let domain = config.domain.clone().unwrap_or_else(|| format!("localhost:{}", addr.port()));
        let issuer = config.issuer.clone().unwrap_or_else(|| format!("https://{domain}/"));

        let clock = match config.clock {
            ClockStart::Real => Clock::system(),
            ClockStart::FrozenAt(ms) => Clock::frozen_at(ms),
        };
        let rng = SeededRng::new(config.random_seed);
        let files = if config.seeds.is_empty() { seed::embedded() } else { seed::read(&config.seeds)? };
        let (data, seeded) =
            seed::Seeded::build(files, Tenant::management_audience(&issuer), config.random_seed, &rng, clock.now_ms())?;
        let state_dir = config.state_dir.as_deref();
        let key = tokens::SigningKey::load_or_create(config.signing_key.as_deref(), state_dir)?;
        let tls = tls::load(&config.tls, state_dir, &domain)?;
        let tenant = Tenant::new(domain, issuer, key, data, seeded);
        let state = AppState::new(tenant, clock, rng, config.random_seed, tls.ca_pem.clone(), config.admin_token.clone(), config.scripts.clone());
        state.configure_faults(config.faults.clone(), config.rate_limits)?;
        Ok(Self { listener, addr, state, tls })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub fn ca_path(&self) -> Option<&Path> {
        self.tls.ca_path.as_deref()
    }

    /// The line scripts wait for: `auth0-emulator ready url=… domain=… ca=… users=… random_seed=…`.
    pub fn ready_line(&self) -> String {
        let tenant = self.state.tenant();
        let ca = match self.ca_path() {
            Some(path) => path.display().to_string(),
            None => tenant.url(paths::CONTROL_CA),
        };
        format!(
            "auth0-emulator ready url={} domain={} ca={} users={} random_seed={}",
            tenant.issuer,
            tenant.domain,
            ca,
            tenant.read(|d| d.users.len()),
            self.state.random_seed()
        )
    }

    /// What the tenant holds, for people reading the terminal: clients and their credentials,
    /// APIs, connections, roles, and the first users.
    pub fn banner(&self) -> String {
        commands::banner(self.state.tenant(), self.state.random_seed(), self.addr)
    }

    /// Serves until `shutdown` resolves, then drains open connections (at most ten seconds).
    pub async fn run_until(self, shutdown: impl Future<Output = ()>) {
        // Make the foreign test key off the request path, so the first negative-test token is as
        // fast as any other; the work runs on a blocking thread after the ready line.
        tokio::task::spawn_blocking(|| {
            let _ = tokens::keys::foreign();
        });
        let router = server::router(self.state.clone());
        server::serve(self.listener, router, self.tls, shutdown).await;
    }
}
