//! The command line (clap derive). Every flag has an `AUTH0_EMULATOR_*` environment twin;
//! flags win over the environment, which wins over the defaults. Nothing past
//! [`ServeArgs::into_config`] sees clap.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::{default_state_dir, normalize_issuer, ClockStart, Config, LogFormat, TlsSource};
use crate::faults::ratelimit::Preset;
use crate::faults::rule::{Latency, Rule};

#[derive(Debug, Parser)]
#[command(
    name = "auth0-emulator",
    version,
    about = "A local Auth0 tenant: Authentication and Management APIs, real signed tokens, seeded users.",
    long_about = "A local Auth0 tenant in one binary. Point the official Auth0 SDKs at it: it serves \
HTTPS (with its own local CA) and plain HTTP on one port, signs real RS256 tokens, and keeps users \
in memory, seeded from JSON files.\n\nWith no subcommand it runs `serve`.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the emulator (the default).
    Serve(ServeArgs),
    /// Exit 0 when a running emulator answers its health check (for Docker HEALTHCHECK).
    Healthcheck(HealthcheckArgs),
    /// Print the local CA certificate (PEM), creating it in the state directory if needed.
    Ca(StateArgs),
    /// Print ready-to-paste environment lines for SDKs and runtimes to trust and find the emulator.
    Env(EnvArgs),
    /// Validate seed files and print a summary, without starting a server.
    CheckSeed(CheckSeedArgs),
    /// Mint a token signed with the tenant's key (the same key a running emulator uses).
    Token(TokenArgs),
}

/// Where the tenant is reachable.
#[derive(Debug, Clone, Args)]
pub struct NetArgs {
    /// Port for HTTPS and HTTP (one listener serves both); 0 picks a free port.
    #[arg(long, env = "AUTH0_EMULATOR_PORT", default_value_t = 4443)]
    pub port: u16,
    /// Address to listen on (use 0.0.0.0 inside containers).
    #[arg(long, env = "AUTH0_EMULATOR_HOST", default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// Public host[:port] of the tenant, as SDKs are configured with it [default: localhost:<port>].
    #[arg(long, env = "AUTH0_EMULATOR_DOMAIN")]
    pub domain: Option<String>,
    /// Issuer override, e.g. http://localhost:4443/ for plain-http setups [default: https://<domain>/].
    #[arg(long, env = "AUTH0_EMULATOR_ISSUER")]
    pub issuer: Option<String>,
}

/// Where state (CA, keys) lives.
#[derive(Debug, Clone, Args)]
pub struct StateArgs {
    /// Directory holding the CA and signing key, so trust and `kid` survive restarts
    /// [default: the user's data directory, e.g. ~/.local/share/auth0-emulator].
    #[arg(long, env = "AUTH0_EMULATOR_STATE_DIR")]
    pub state_dir: Option<PathBuf>,
    /// Keep nothing on disk: a fresh CA and signing key every start.
    #[arg(long, env = "AUTH0_EMULATOR_EPHEMERAL")]
    pub ephemeral: bool,
    /// Use this RSA private key (PEM, PKCS#8 or PKCS#1) to sign tokens.
    #[arg(long, env = "AUTH0_EMULATOR_SIGNING_KEY")]
    pub signing_key: Option<PathBuf>,
}

impl StateArgs {
    /// The state directory, or `None` when ephemeral.
    pub fn resolve(&self) -> anyhow::Result<Option<PathBuf>> {
        if self.ephemeral {
            return Ok(None);
        }
        match self.state_dir.clone().or_else(default_state_dir) {
            Some(dir) => Ok(Some(dir)),
            None => anyhow::bail!("no data directory is known for this user: pass --state-dir or --ephemeral"),
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub net: NetArgs,
    #[command(flatten)]
    pub state: StateArgs,
    /// Seed file or directory (all *.json in it, sorted); repeatable, merged in order
    /// [default: the embedded default tenant].
    #[arg(long = "seed", env = "AUTH0_EMULATOR_SEED", value_delimiter = ',')]
    pub seeds: Vec<PathBuf>,
    /// TLS certificate chain (PEM) to serve instead of the generated one; needs --tls-key.
    #[arg(long, env = "AUTH0_EMULATOR_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// Private key (PEM) for --tls-cert.
    #[arg(long, env = "AUTH0_EMULATOR_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Extra DNS name or IP for the generated certificate (e.g. a compose service name); repeatable.
    #[arg(long = "tls-san", env = "AUTH0_EMULATOR_TLS_SAN", value_delimiter = ',')]
    pub tls_sans: Vec<String>,
    /// Seed for every random draw (ids, codes, faults); printed at start so a run can be replayed.
    #[arg(long, env = "AUTH0_EMULATOR_RANDOM_SEED")]
    pub random_seed: Option<u64>,
    /// Log format on stderr.
    #[arg(long, env = "AUTH0_EMULATOR_LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty)]
    pub log_format: LogFormat,
    /// Require `Authorization: Bearer <token>` on the control API (/__emulator/*, except health and ca.pem).
    #[arg(long, env = "AUTH0_EMULATOR_ADMIN_TOKEN")]
    pub admin_token: Option<String>,
    /// A fault rule in compact form, e.g. 'endpoint=token,status=503,times=2'; repeatable
    /// (env: rules separated by ';').
    #[arg(long = "fault", value_name = "RULE", env = "AUTH0_EMULATOR_FAULT", value_delimiter = ';', value_parser = parse_fault, long_help = FAULT_HELP)]
    pub faults: Vec<Rule>,
    /// JSON file holding an array of fault rules (the control API's format).
    #[arg(long = "faults", value_name = "FILE", env = "AUTH0_EMULATOR_FAULTS")]
    pub faults_file: Option<PathBuf>,
    /// Latency added to every request (control API excepted): 50ms, or a uniform range 20ms..80ms.
    #[arg(long, env = "AUTH0_EMULATOR_LATENCY", value_parser = parse_latency)]
    pub latency: Option<Latency>,
    /// Real rate limiting with Auth0's published limits (token buckets on the virtual clock).
    #[arg(long, env = "AUTH0_EMULATOR_RATE_LIMITS", value_enum, default_value_t = Preset::Off)]
    pub rate_limits: Preset,
    /// Node.js executable that runs custom database scripts written in JavaScript.
    #[arg(long, env = "AUTH0_EMULATOR_NODE", default_value = "node")]
    pub node: PathBuf,
    /// Working directory of custom database scripts: `require()` finds node_modules from here and
    /// relative paths resolve here [default: the current directory].
    #[arg(long, env = "AUTH0_EMULATOR_SCRIPTS_DIR")]
    pub scripts_dir: Option<PathBuf>,
    /// Time limit of one custom database script call (Auth0's: 20s).
    #[arg(long, env = "AUTH0_EMULATOR_SCRIPT_TIMEOUT", value_parser = parse_duration, default_value = "20s")]
    pub script_timeout: std::time::Duration,
}

const FAULT_HELP: &str = "A fault rule in compact form: comma-separated key=value pairs; quote values \
holding commas (\"…\" or '…'). Repeatable; in the environment, separate rules with ';'.

Match (all given must hold; * is a glob): method, path, endpoint (token, userinfo, jwks, \
discovery, authorize, revoke, signup, change_password, passwordless_start, mgmt.users.create, \
mgmt.users.get, mgmt.users.update, mgmt.users.list, mgmt.*, …), client_id, grant_type, audience, \
user (body email/username or token sub), connection (or realm), header=name[:value].

Action (one): status=CODE [error=CODE] [message=TEXT] [extra.NAME=VALUE] for an Auth0 error \
body; rate_limit [limit=N] [reset_after=1s]; reset; close; garbage [bytes=N]; hang; slow_body \
[chunk_bytes=N] [interval=100ms]. Latency (alone or with an action): latency=50ms, \
latency=20ms..80ms, or latency=MEDIAN,sigma=S (log-normal). Limits: probability=0.5, times=N, \
after=N, priority=N; id=NAME.

Examples:
  --fault 'endpoint=token,status=503,times=2'
  --fault 'endpoint=mgmt.*,rate_limit,limit=50,reset_after=30s'
  --fault 'endpoint=jwks,latency=2s'
  --fault 'endpoint=userinfo,reset,probability=0.1'
  --fault 'user=jane@example.com,status=401,error=unauthorized,message=\"user is blocked\"'";

fn parse_fault(line: &str) -> Result<Rule, String> {
    crate::faults::compact::parse(line).map_err(|e| e.to_string())
}

fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    crate::faults::rule::parse_duration(text).map(std::time::Duration::from_millis)
}

fn parse_latency(text: &str) -> Result<Latency, String> {
    Latency::parse_text(text)
}

/// `--faults FILE`: a JSON array (or one object) of rules.
fn read_faults_file(path: &std::path::Path) -> anyhow::Result<Vec<Rule>> {
    use anyhow::Context;
    let text = std::fs::read_to_string(path).with_context(|| format!("--faults {}", path.display()))?;
    let value: serde_json::Value = serde_json::from_str(&text).with_context(|| format!("--faults {}: not JSON", path.display()))?;
    Rule::list_from_json(value).with_context(|| format!("--faults {}", path.display()))
}

impl ServeArgs {
    pub fn into_config(self) -> anyhow::Result<Config> {
        let tls = match (self.tls_cert, self.tls_key) {
            (Some(cert), Some(key)) => TlsSource::Files { cert, key },
            _ => TlsSource::Generated { extra_sans: self.tls_sans },
        };
        let mut faults = match &self.faults_file {
            Some(path) => read_faults_file(path)?,
            None => Vec::new(),
        };
        faults.extend(self.faults);
        if let Some(latency) = self.latency {
            faults.push(Rule {
                id: Some("latency".into()),
                matcher: Default::default(),
                action: None,
                latency: Some(latency),
                probability: None,
                times: None,
                after: 0,
                priority: 0,
            });
        }
        Ok(Config {
            host: self.net.host,
            port: self.net.port,
            domain: self.net.domain,
            issuer: self.net.issuer.as_deref().map(normalize_issuer),
            seeds: self.seeds,
            state_dir: self.state.resolve()?,
            signing_key: self.state.signing_key,
            tls,
            random_seed: self.random_seed.unwrap_or_else(crate::rng::SeededRng::os_seed),
            log_format: self.log_format,
            admin_token: self.admin_token.filter(|t| !t.is_empty()),
            clock: ClockStart::Real,
            faults,
            rate_limits: self.rate_limits,
            scripts: crate::custom_db::Settings { node: self.node, dir: self.scripts_dir, timeout: self.script_timeout },
        })
    }
}

#[derive(Debug, Clone, Args)]
pub struct HealthcheckArgs {
    /// Health URL to probe (plain http) [default: http://127.0.0.1:<port>/__emulator/health].
    #[arg(long, env = "AUTH0_EMULATOR_HEALTHCHECK_URL")]
    pub url: Option<String>,
    /// Port of the running emulator, when --url is not given.
    #[arg(long, env = "AUTH0_EMULATOR_PORT", default_value_t = 4443)]
    pub port: u16,
}

#[derive(Debug, Clone, Args)]
pub struct EnvArgs {
    #[command(flatten)]
    pub net: NetArgs,
    #[command(flatten)]
    pub state: StateArgs,
}

#[derive(Debug, Clone, Args)]
pub struct CheckSeedArgs {
    /// Seed files or directories, merged in order as `serve --seed` would.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct TokenArgs {
    #[command(flatten)]
    pub net: NetArgs,
    #[command(flatten)]
    pub state: StateArgs,
    /// Subject (`sub`), e.g. auth0|0123… or <client_id>@clients [default: <client-id>@clients].
    #[arg(long)]
    pub sub: Option<String>,
    /// Client the token is for (`azp`; `aud` of an ID token).
    #[arg(long, default_value = "m2m-client")]
    pub client_id: String,
    /// Audience; repeatable [default: the Management API, https://<domain>/api/v2/].
    #[arg(long)]
    pub audience: Vec<String>,
    /// Space-separated scopes.
    #[arg(long)]
    pub scope: Option<String>,
    /// Extra claim as key=value (value parsed as JSON when it parses, else a string); repeatable.
    #[arg(long = "claim")]
    pub claims: Vec<String>,
    /// Lifetime, e.g. 3600, 15m, 24h; negative for an already-expired token.
    #[arg(long, default_value = "24h", allow_hyphen_values = true)]
    pub expires_in: String,
    /// Mint an ID token (aud = client id) instead of an access token.
    #[arg(long)]
    pub id_token: bool,
}
