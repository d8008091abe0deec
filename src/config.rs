//! The validated configuration: everything past this module sees `Config`, never clap.

use std::net::IpAddr;
use std::path::PathBuf;

use crate::clock::Millis;
use crate::faults::ratelimit::Preset;
use crate::faults::rule::Rule;

/// How the server logs (to stderr; stdout carries the start-up summary and the ready line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    #[default]
    Pretty,
    Json,
}

/// Where the TLS certificate comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsSource {
    /// A leaf for localhost, 127.0.0.1, ::1 and these extra names, issued by the local CA.
    Generated { extra_sans: Vec<String> },
    /// The user's own PEM files.
    Files { cert: PathBuf, key: PathBuf },
}

/// How the clock starts (tests pin it; everything else follows wall time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClockStart {
    #[default]
    Real,
    FrozenAt(Millis),
}

#[derive(Debug, Clone)]
pub struct Config {
    pub host: IpAddr,
    /// 0 picks a free port; the ready line and [`crate::Emulator::local_addr`] tell which.
    pub port: u16,
    /// Public host\[:port\] of the tenant; `None` means `localhost:<bound port>`.
    pub domain: Option<String>,
    /// Overrides `https://DOMAIN/` (for plain-http setups); always ends with `/`.
    pub issuer: Option<String>,
    /// Seed files or directories, merged in order; empty means the embedded default tenant.
    pub seeds: Vec<PathBuf>,
    /// Where the CA and signing key persist; `None` keeps nothing on disk (`--ephemeral`).
    pub state_dir: Option<PathBuf>,
    pub signing_key: Option<PathBuf>,
    pub tls: TlsSource,
    pub random_seed: u64,
    pub log_format: LogFormat,
    /// When set, the control API (except health and the CA) requires `Authorization: Bearer <token>`.
    pub admin_token: Option<String>,
    pub clock: ClockStart,
    /// Fault rules installed at start (`--faults FILE`, then `--fault`, then `--latency`).
    pub faults: Vec<Rule>,
    /// Real rate limiting (`--rate-limits`).
    pub rate_limits: Preset,
    /// Where custom database scripts run (`--node`, `--scripts-dir`, `--script-timeout`).
    pub scripts: crate::custom_db::Settings,
}

impl Config {
    /// Defaults for an in-process emulator: loopback, any free port, nothing on disk.
    pub fn ephemeral(random_seed: u64) -> Self {
        Self {
            host: IpAddr::from([127, 0, 0, 1]),
            port: 0,
            domain: None,
            issuer: None,
            seeds: Vec::new(),
            state_dir: None,
            signing_key: None,
            tls: TlsSource::Generated { extra_sans: Vec::new() },
            random_seed,
            log_format: LogFormat::Pretty,
            admin_token: None,
            clock: ClockStart::Real,
            faults: Vec::new(),
            rate_limits: Preset::Off,
            scripts: Default::default(),
        }
    }
}

/// The user's data directory for persistent state (`~/.local/share/auth0-emulator` on Linux).
pub fn default_state_dir() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join("auth0-emulator"))
}

/// Normalises an issuer to end with exactly one `/`.
pub fn normalize_issuer(issuer: &str) -> String {
    format!("{}/", issuer.trim_end_matches('/'))
}
