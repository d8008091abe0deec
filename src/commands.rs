//! The subcommands other than `serve`, and the start-up banner. Each returns its output as text
//! (or an error); `main` prints and picks the exit code.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use serde_json::{Map, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::cli::{CheckSeedArgs, EnvArgs, HealthcheckArgs, NetArgs, TokenArgs};
use crate::config::normalize_issuer;
use crate::persist;
use crate::rng::SeededRng;
use crate::tenant::model::AppType;
use crate::tenant::seed::{self, SeedError};
use crate::tenant::Tenant;
use crate::tokens::{jws, SigningKey, TokenKind, TokenSpec};

/// How many users the banner lists before summarising the rest.
const BANNER_USERS: usize = 10;

pub fn banner(tenant: &Tenant, random_seed: u64, addr: SocketAddr) -> String {
    tenant.read(|data| {
        let mut out = String::new();
        let name = data.settings.friendly_name.as_deref().unwrap_or("auth0-emulator");
        let _ = writeln!(out, "auth0-emulator {} — tenant \"{name}\" at {} (listening on {addr})", env!("CARGO_PKG_VERSION"), tenant.issuer);
        let _ = writeln!(out, "random seed {random_seed} (replay a run with --random-seed {random_seed})");
        let _ = writeln!(out, "clients:");
        for c in &data.clients {
            let kind = match c.app_type {
                AppType::Spa => "spa",
                AppType::RegularWeb => "regular_web",
                AppType::NonInteractive => "non_interactive",
                AppType::Native => "native",
            };
            let secret = c.client_secret.as_deref().filter(|_| !c.is_public()).map_or("public".to_string(), |s| format!("secret {s}"));
            let _ = writeln!(out, "  {:<24} {kind:<16} {secret}", c.client_id);
        }
        let _ = writeln!(out, "APIs:");
        for api in &data.resource_servers {
            let _ = writeln!(out, "  {} ({})", api.identifier, api.name);
        }
        let names: Vec<String> = data
            .connections
            .iter()
            .map(|c| match (c.is_custom_database(), c.import_mode()) {
                (true, true) => format!("{} (custom database, import mode)", c.name),
                (true, false) => format!("{} (custom database)", c.name),
                _ => c.name.clone(),
            })
            .collect();
        let _ = writeln!(out, "connections: {}", names.join(", "));
        let roles: Vec<&str> = data.roles.iter().map(|r| r.name.as_str()).collect();
        if !roles.is_empty() {
            let _ = writeln!(out, "roles: {}", roles.join(", "));
        }
        let mut users: Vec<_> = data.users.iter().collect();
        users.sort_by(|a, b| (a.created_at, &a.user_id).cmp(&(b.created_at, &b.user_id)));
        let _ = writeln!(out, "users ({}):", users.len());
        for u in users.iter().take(BANNER_USERS) {
            let login = u.email.as_deref().or(u.username.as_deref()).or(u.phone_number.as_deref()).unwrap_or("");
            let _ = writeln!(out, "  {login:<32} {}", u.user_id);
        }
        if users.len() > BANNER_USERS {
            let _ = writeln!(out, "  … and {} more", users.len() - BANNER_USERS);
        }
        out
    })
}

/// `healthcheck`: GET the health URL over plain HTTP; true when it answers 200.
pub async fn healthcheck(args: &HealthcheckArgs) -> anyhow::Result<()> {
    let url = args.url.clone().unwrap_or_else(|| format!("http://127.0.0.1:{}{}", args.port, crate::paths::CONTROL_HEALTH));
    let parsed = url::Url::parse(&url).with_context(|| format!("not a URL: {url}"))?;
    anyhow::ensure!(parsed.scheme() == "http", "healthcheck speaks plain http (the emulator answers it on its one port): {url}");
    let host = parsed.host_str().context("URL has no host")?.to_string();
    let port = parsed.port_or_known_default().unwrap_or(80);
    let path = match parsed.query() {
        Some(q) => format!("{}?{q}", parsed.path()),
        None => parsed.path().to_string(),
    };
    let probe = async {
        let mut stream = tokio::net::TcpStream::connect((host.as_str(), port)).await?;
        let request = format!("GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await?;
        Ok::<_, std::io::Error>(response)
    };
    let response = tokio::time::timeout(Duration::from_secs(5), probe)
        .await
        .with_context(|| format!("{url}: no answer within 5 s"))?
        .with_context(|| format!("{url}: cannot connect"))?;
    let status_line = String::from_utf8_lossy(&response).lines().next().unwrap_or_default().to_string();
    anyhow::ensure!(status_line.split_whitespace().nth(1) == Some("200"), "{url}: {status_line}");
    Ok(())
}

/// `ca`: the CA PEM (made and saved if the state directory has none yet).
pub fn ca(state_dir: Option<&Path>) -> anyhow::Result<String> {
    Ok(crate::tls::load_or_create_ca(state_dir)?.cert_pem)
}

fn domain_and_issuer(net: &NetArgs) -> (String, String) {
    let domain = net.domain.clone().unwrap_or_else(|| format!("localhost:{}", net.port));
    let issuer = net.issuer.as_deref().map(normalize_issuer).unwrap_or_else(|| format!("https://{domain}/"));
    (domain, issuer)
}

/// `env`: shell lines exporting what SDKs and runtimes need. Python's variables replace the
/// whole trust store, so they point at a bundle of the system roots plus the emulator's CA.
pub fn env(args: &EnvArgs) -> anyhow::Result<String> {
    let dir = args.state.resolve()?.context("`env` needs a state directory to write the CA into (not --ephemeral)")?;
    let ca = crate::tls::load_or_create_ca(Some(&dir))?;
    let ca_path = dir.join(persist::CA_CERT);
    let bundle_path = dir.join(persist::CA_BUNDLE);
    let system = ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
        .unwrap_or_default();
    let mut bundle = system;
    if !bundle.is_empty() && !bundle.ends_with('\n') {
        bundle.push('\n');
    }
    bundle.push_str(&ca.cert_pem);
    persist::write_atomic(&bundle_path, bundle.as_bytes(), false).with_context(|| bundle_path.display().to_string())?;
    let (domain, issuer) = domain_and_issuer(&args.net);
    Ok(format!(
        "export NODE_EXTRA_CA_CERTS={ca}\nexport SSL_CERT_FILE={bundle}\nexport REQUESTS_CA_BUNDLE={bundle}\nexport AUTH0_DOMAIN={domain}\nexport AUTH0_ISSUER_BASE_URL={issuer}\n",
        ca = shell_quote(&ca_path.display().to_string()),
        bundle = shell_quote(&bundle_path.display().to_string()),
    ))
}

fn shell_quote(s: &str) -> String {
    if s.bytes().all(|b| b.is_ascii_alphanumeric() || b"/._-:+@%".contains(&b)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// `check-seed`: the merged summary, or the first error.
pub fn check_seed(args: &CheckSeedArgs) -> Result<String, SeedError> {
    let files = seed::read(&args.paths)?;
    let rng = SeededRng::new(0);
    let ctx = seed::BuildContext { management_audience: "https://localhost/api/v2/".into(), rng: &rng, now: 0 };
    let data = seed::build(&files, &ctx)?;
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    Ok(format!("ok: {} ({})", data.summary(), names.join(", ")))
}

/// `token`: a JWT signed with the key a running emulator with the same state directory uses.
pub fn token(args: &TokenArgs, now_secs: i64) -> anyhow::Result<String> {
    let state_dir = args.state.resolve()?;
    let key = SigningKey::load_or_create(args.state.signing_key.as_deref(), state_dir.as_deref())?;
    let (_, issuer) = domain_and_issuer(&args.net);
    let lifetime_ms = crate::clock::parse_duration_ms(&args.expires_in)
        .with_context(|| format!("--expires-in: cannot read {:?} (use e.g. 3600, 15m, 24h, -1h)", args.expires_in))?;
    let mut extra = Map::new();
    for claim in &args.claims {
        let (k, v) = claim.split_once('=').with_context(|| format!("--claim {claim}: expected key=value"))?;
        let value = serde_json::from_str(v).unwrap_or_else(|_| Value::String(v.to_string()));
        extra.insert(k.to_string(), value);
    }
    let kind = if args.id_token { TokenKind::Id } else { TokenKind::Access };
    let sub = args.sub.clone().unwrap_or_else(|| format!("{}@clients", args.client_id));
    let audience = if args.audience.is_empty() { vec![Tenant::management_audience(&issuer)] } else { args.audience.clone() };
    let spec = TokenSpec {
        kind,
        sub,
        client_id: args.client_id.clone(),
        audience,
        scope: args.scope.clone(),
        lifetime_secs: lifetime_ms / 1000,
        profile: Map::new(),
        extra,
    };
    Ok(jws::sign_rs256(&key, &spec.claims(&issuer, now_secs))?)
}
