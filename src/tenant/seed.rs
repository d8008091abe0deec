//! Seed files: reading, merging and validating them into a tenant's starting state.
//!
//! A file holding a JSON object is a tenant document (`tenant`, `clients`, `resource_servers`,
//! `client_grants`, `connections`, `roles`, `users`, `actions`); a file holding an array is a list
//! of users in Auth0's bulk-import format, added to the default database connection. Documents
//! merge in order: configuration objects with the same key (client id, API identifier, connection
//! or role name, client+audience) are replaced by later ones; users are added, and any clash of
//! id, email or username is an error. Every error names the file, the JSON path and the reason,
//! e.g. `seed-data/users.json: [3].email: not an email`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::metadata::{self, MetadataKind};
use super::model::{Actions, Client, ClientGrant, Connection, ResourceServer, Role, DEFAULT_DATABASE};
use super::passwords::PasswordHash;
use super::users::{default_name_and_nickname, StoreError, User, UserStore};
use super::{TenantData, TenantSettings};
use crate::clock::{parse_iso8601, Millis};
use crate::rng::SeededRng;

/// The embedded default tenant (`seed-data/`), compiled into the binary.
pub const EMBEDDED: &[(&str, &str)] = &[
    ("seed-data/tenant.json", include_str!("../../seed-data/tenant.json")),
    ("seed-data/users.json", include_str!("../../seed-data/users.json")),
];

/// Written in a seed where the Management API's identifier belongs (client grants, role
/// permissions): the domain is only known once the server listens.
pub const MANAGEMENT_API_PLACEHOLDER: &str = "https://{{domain}}/api/v2/";

/// A seed problem: the file, the JSON path inside it, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {}{reason}", if path.is_empty() { String::new() } else { format!("{path}: ") })]
pub struct SeedError {
    pub file: String,
    pub path: String,
    pub reason: String,
}

/// A seed file's name (as the user wrote it) and its text.
#[derive(Debug, Clone)]
pub struct SeedFile {
    pub name: String,
    pub text: String,
}

/// Reads the given files and directories (all `*.json` in a directory, sorted by name).
pub fn read(paths: &[PathBuf]) -> Result<Vec<SeedFile>, SeedError> {
    let mut files = Vec::new();
    for path in paths {
        let io_err = |p: &Path, e: std::io::Error| SeedError { file: p.display().to_string(), path: String::new(), reason: e.to_string() };
        let meta = std::fs::metadata(path).map_err(|e| io_err(path, e))?;
        let mut entries = if meta.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| io_err(path, e))?
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|ext| ext == "json") && p.is_file())
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(SeedError { file: path.display().to_string(), path: String::new(), reason: "no *.json files in this directory".into() });
            }
            found
        } else {
            vec![path.clone()]
        };
        for file in entries.drain(..) {
            let text = std::fs::read_to_string(&file).map_err(|e| io_err(&file, e))?;
            files.push(SeedFile { name: file.display().to_string(), text });
        }
    }
    Ok(files)
}

/// The embedded default tenant's files.
pub fn embedded() -> Vec<SeedFile> {
    EMBEDDED.iter().map(|(name, text)| SeedFile { name: (*name).into(), text: (*text).into() }).collect()
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedDocument {
    #[serde(rename = "$schema", default)]
    _schema: Option<String>,
    #[serde(default)]
    tenant: Option<TenantSeed>,
    #[serde(default)]
    clients: Vec<Client>,
    #[serde(default)]
    resource_servers: Vec<ResourceServer>,
    #[serde(default)]
    client_grants: Vec<ClientGrant>,
    #[serde(default)]
    connections: Vec<Connection>,
    #[serde(default)]
    roles: Vec<Role>,
    #[serde(default)]
    users: Vec<SeedUser>,
    #[serde(default)]
    actions: Option<Actions>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TenantSeed {
    friendly_name: Option<String>,
    default_directory: Option<String>,
    default_audience: Option<String>,
}

/// A user as seeds and Auth0's bulk import write it. Read-only attributes the Management API
/// returns (`created_at`, `logins_count`, …) are accepted so its output can be pasted back.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedUser {
    user_id: Option<String>,
    email: Option<String>,
    email_verified: Option<bool>,
    username: Option<String>,
    phone_number: Option<String>,
    phone_verified: Option<bool>,
    given_name: Option<String>,
    family_name: Option<String>,
    name: Option<String>,
    nickname: Option<String>,
    picture: Option<String>,
    blocked: Option<bool>,
    user_metadata: Option<Map<String, Value>>,
    app_metadata: Option<Map<String, Value>>,
    /// The custom-database alias of `app_metadata` (reference §6.4).
    metadata: Option<Map<String, Value>>,
    password: Option<String>,
    password_hash: Option<String>,
    custom_password_hash: Option<Value>,
    connection: Option<String>,
    #[serde(default)]
    roles: Vec<String>,
    created_at: Option<String>,
    updated_at: Option<String>,
    last_login: Option<String>,
    last_password_reset: Option<String>,
    last_ip: Option<String>,
    logins_count: Option<u64>,
    /// Accepted for paste-compatibility with Management API output; the identity is derived.
    #[serde(default)]
    identities: Option<Value>,
    /// Accepted for bulk-import compatibility; MFA enrolments are not emulated.
    #[serde(default)]
    mfa_factors: Option<Value>,
}

/// Where an item came from, for error messages.
#[derive(Debug, Clone)]
struct Origin {
    file: Arc<str>,
    path: String,
}

impl Origin {
    fn error(&self, field: &str, reason: impl Into<String>) -> SeedError {
        let path = match (self.path.is_empty(), field.is_empty()) {
            (_, true) => self.path.clone(),
            (true, false) => field.to_string(),
            (false, false) => format!("{}.{field}", self.path),
        };
        SeedError { file: self.file.to_string(), path, reason: reason.into() }
    }
}

/// Parses one file into a document (an array becomes a users-only document).
fn parse(file: &SeedFile) -> Result<SeedDocument, SeedError> {
    let first = file.text.trim_start().chars().next();
    // Parse without path tracking first (several times faster on large files); only a file that
    // fails is parsed again, tracking paths, to say where.
    let fast = match first {
        Some('[') => serde_json::from_str::<Vec<SeedUser>>(&file.text).map(|users| SeedDocument { users, ..Default::default() }),
        Some('{') => serde_json::from_str::<SeedDocument>(&file.text),
        _ => Err(serde::de::Error::custom("neither")),
    };
    if let Ok(doc) = fast {
        return Ok(doc);
    }
    let mut de = serde_json::Deserializer::from_str(&file.text);
    let result = match first {
        Some('[') => serde_path_to_error::deserialize::<_, Vec<SeedUser>>(&mut de).map(|users| SeedDocument { users, ..Default::default() }),
        Some('{') => serde_path_to_error::deserialize::<_, SeedDocument>(&mut de),
        _ => {
            return Err(SeedError {
                file: file.name.clone(),
                path: String::new(),
                reason: "expected a JSON object (a tenant document) or an array (users)".into(),
            })
        }
    };
    let doc = result.map_err(|e| {
        let inner = e.inner();
        let message = inner.to_string();
        let message = message.rsplit_once(" at line ").map_or(message.as_str(), |(m, _)| m).to_string();
        match inner.classify() {
            serde_json::error::Category::Data => {
                SeedError { file: file.name.clone(), path: e.path().to_string(), reason: message }
            }
            _ => SeedError {
                file: file.name.clone(),
                path: String::new(),
                reason: format!("line {} column {}: {message}", inner.line(), inner.column()),
            },
        }
    })?;
    de.end().map_err(|e| SeedError { file: file.name.clone(), path: String::new(), reason: format!("trailing characters after the JSON value (line {})", e.line()) })?;
    Ok(doc)
}

/// The seed files and the inputs that made the tenant, kept to rebuild it on reset.
pub struct Seeded {
    files: Vec<SeedFile>,
    management_audience: String,
    random_seed: u64,
    now: Millis,
}

impl Seeded {
    /// Builds the tenant with `rng`, which must be fresh from `random_seed`: `rebuild` replays it.
    pub fn build(files: Vec<SeedFile>, management_audience: String, random_seed: u64, rng: &SeededRng, now: Millis) -> Result<(TenantData, Self), SeedError> {
        let data = build(&files, &BuildContext { management_audience: management_audience.clone(), rng, now })?;
        Ok((data, Self { files, management_audience, random_seed, now }))
    }

    /// The same data `build` produced: the same generated ids, the same timestamps.
    pub fn rebuild(&self) -> Result<TenantData, SeedError> {
        let rng = SeededRng::new(self.random_seed);
        build(&self.files, &BuildContext { management_audience: self.management_audience.clone(), rng: &rng, now: self.now })
    }
}

/// What `build` needs from the outside world.
pub struct BuildContext<'a> {
    /// `https://DOMAIN/api/v2/`, the system API every tenant has.
    pub management_audience: String,
    pub rng: &'a SeededRng,
    pub now: Millis,
}

/// Custom database scripts written `"file:PATH"` are read from PATH, relative to the seed file,
/// so seeds can keep them as `.js` files (the connection then holds the source, as on Auth0).
fn read_script_files(connection: &mut Connection, seed_file: &str, origin: &Origin) -> Result<(), SeedError> {
    let Some(scripts) = connection.options.custom_scripts.as_mut() else { return Ok(()) };
    let base = Path::new(seed_file).parent().unwrap_or(Path::new("."));
    for (action, value) in scripts.iter_mut() {
        let Some(relative) = value.as_str().and_then(|s| s.strip_prefix("file:")) else { continue };
        let path = base.join(relative.trim());
        let source = std::fs::read_to_string(&path)
            .map_err(|e| origin.error(&format!("options.customScripts.{action}"), format!("{}: {e}", path.display())))?;
        *value = Value::String(source);
    }
    Ok(())
}

/// Upserts `item` keyed by `key`: a later document replaces an earlier definition.
fn upsert<T>(list: &mut Vec<(Origin, T)>, origin: Origin, item: T, key: impl Fn(&T) -> String) {
    let k = key(&item);
    if !k.is_empty() {
        if let Some(slot) = list.iter_mut().find(|(_, existing)| key(existing) == k) {
            *slot = (origin, item);
            return;
        }
    }
    list.push((origin, item));
}

/// Parses, merges and validates seed files into a tenant's starting data.
pub fn build(files: &[SeedFile], ctx: &BuildContext<'_>) -> Result<TenantData, SeedError> {
    let builtin: Arc<str> = Arc::from("<built-in>");
    let at = |file: &Arc<str>, path: String| Origin { file: file.clone(), path };
    let mut settings = TenantSettings::default();
    let mut clients: Vec<(Origin, Client)> = Vec::new();
    let mut apis = vec![(
        at(&builtin, String::new()),
        ResourceServer::management_api(ctx.management_audience.clone(), ctx.rng.hex(24)),
    )];
    let mut grants: Vec<(Origin, ClientGrant)> = Vec::new();
    let mut connections = vec![(at(&builtin, String::new()), Connection::database(DEFAULT_DATABASE, String::new()))];
    let mut roles: Vec<(Origin, Role)> = Vec::new();
    let mut actions = Actions::default();
    let mut users: Vec<(Origin, SeedUser)> = Vec::new();

    for file in files {
        let doc = parse(file)?;
        let name: Arc<str> = Arc::from(file.name.as_str());
        let array = file.text.trim_start().starts_with('[');
        if let Some(t) = doc.tenant {
            settings.friendly_name = t.friendly_name.or(settings.friendly_name);
            settings.default_directory = t.default_directory.or(settings.default_directory);
            settings.default_audience = t.default_audience.or(settings.default_audience);
        }
        for (i, c) in doc.clients.into_iter().enumerate() {
            upsert(&mut clients, at(&name, format!("clients[{i}]")), c, |c| c.client_id.clone());
        }
        for (i, r) in doc.resource_servers.into_iter().enumerate() {
            upsert(&mut apis, at(&name, format!("resource_servers[{i}]")), r, |r| r.identifier.clone());
        }
        for (i, mut g) in doc.client_grants.into_iter().enumerate() {
            if g.audience == MANAGEMENT_API_PLACEHOLDER {
                g.audience = ctx.management_audience.clone();
            }
            upsert(&mut grants, at(&name, format!("client_grants[{i}]")), g, |g| format!("{}\n{}", g.client_id, g.audience));
        }
        for (i, mut c) in doc.connections.into_iter().enumerate() {
            let origin = at(&name, format!("connections[{i}]"));
            read_script_files(&mut c, &file.name, &origin)?;
            upsert(&mut connections, origin, c, |c| c.name.clone());
        }
        for (i, r) in doc.roles.into_iter().enumerate() {
            upsert(&mut roles, at(&name, format!("roles[{i}]")), r, |r| r.name.clone());
        }
        if let Some(a) = doc.actions {
            actions.post_login.extend(a.post_login);
        }
        for (i, u) in doc.users.into_iter().enumerate() {
            let path = if array { format!("[{i}]") } else { format!("users[{i}]") };
            users.push((at(&name, path), u));
        }
    }

    finish_clients(&mut clients, ctx.rng);
    for (_, api) in apis.iter_mut().filter(|(_, a)| a.id.is_empty()) {
        api.id = ctx.rng.hex(24);
    }
    for (_, c) in connections.iter_mut().filter(|(_, c)| c.id.is_empty()) {
        c.id = format!("con_{}", ctx.rng.alnum(16));
    }
    for (_, r) in roles.iter_mut().filter(|(_, r)| r.id.is_empty()) {
        r.id = format!("rol_{}", ctx.rng.alnum(16));
    }
    for (_, g) in grants.iter_mut().filter(|(_, g)| g.id.is_empty()) {
        g.id = format!("cgr_{}", ctx.rng.alnum(16));
    }

    validate_references(&settings, &clients, &apis, &grants, &connections, &roles)?;

    let connections: Vec<Connection> = connections.into_iter().map(|(_, c)| c).collect();
    let roles: Vec<Role> = roles.into_iter().map(|(_, r)| r).collect();
    let default_connection = settings.default_directory.clone().unwrap_or_else(|| DEFAULT_DATABASE.to_string());
    let mut store = UserStore::default();
    for (origin, seed) in users {
        let user = build_user(seed, &origin, &connections, &roles, &default_connection, ctx)?;
        store.insert(user).map_err(|e| match e {
            StoreError::DuplicateId(_) => origin.error("user_id", e.to_string()),
            StoreError::DuplicateEmail { .. } => origin.error("email", e.to_string()),
            StoreError::DuplicateUsername { .. } => origin.error("username", e.to_string()),
        })?;
    }

    Ok(TenantData {
        settings,
        clients: clients.into_iter().map(|(_, c)| c).collect(),
        resource_servers: apis.into_iter().map(|(_, a)| a).collect(),
        client_grants: grants.into_iter().map(|(_, g)| g).collect(),
        connections,
        roles,
        actions,
        users: store,
        outbox: Default::default(),
        auth: Default::default(),
        passwordless: Default::default(),
        jobs: Default::default(),
    })
}

/// Fills Auth0's per-application-type defaults and generated credentials.
fn finish_clients(clients: &mut [(Origin, Client)], rng: &SeededRng) {
    for (_, c) in clients.iter_mut() {
        c.fill_defaults(|n| rng.alnum(n));
    }
}

fn validate_references(
    settings: &TenantSettings,
    clients: &[(Origin, Client)],
    apis: &[(Origin, ResourceServer)],
    grants: &[(Origin, ClientGrant)],
    connections: &[(Origin, Connection)],
    roles: &[(Origin, Role)],
) -> Result<(), SeedError> {
    let client_exists = |id: &str| clients.iter().any(|(_, c)| c.client_id == id);
    let api = |identifier: &str| apis.iter().map(|(_, a)| a).find(|a| a.identifier == identifier);
    for (origin, api) in apis {
        if api.identifier.is_empty() {
            return Err(origin.error("identifier", "must not be empty"));
        }
    }
    for (origin, g) in grants {
        if !client_exists(&g.client_id) {
            return Err(origin.error("client_id", format!("no client {} in the seed", g.client_id)));
        }
        let Some(rs) = api(&g.audience) else {
            return Err(origin.error("audience", format!("no resource server with identifier {}", g.audience)));
        };
        if let Some((i, s)) = g.scope.iter().enumerate().find(|(_, s)| !rs.has_scope(s)) {
            return Err(origin.error(&format!("scope[{i}]"), format!("{} defines no scope {s}", rs.identifier)));
        }
    }
    for (origin, c) in connections {
        if let Some((i, id)) = c.enabled_clients.iter().flatten().enumerate().find(|(_, id)| !client_exists(id)) {
            return Err(origin.error(&format!("enabled_clients[{i}]"), format!("no client {id} in the seed")));
        }
    }
    for (origin, r) in roles {
        for (i, p) in r.permissions.iter().enumerate() {
            let Some(rs) = api(&p.resource_server_identifier) else {
                return Err(origin.error(
                    &format!("permissions[{i}].resource_server_identifier"),
                    format!("no resource server with identifier {}", p.resource_server_identifier),
                ));
            };
            if !rs.has_scope(&p.permission_name) {
                return Err(origin.error(&format!("permissions[{i}].permission_name"), format!("{} defines no scope {}", rs.identifier, p.permission_name)));
            }
        }
    }
    let tenant = Origin { file: Arc::from("<tenant>"), path: "tenant".into() };
    if let Some(dir) = &settings.default_directory {
        if !connections.iter().any(|(_, c)| &c.name == dir && c.is_database()) {
            return Err(tenant.error("default_directory", format!("no database connection named {dir}")));
        }
    }
    if let Some(aud) = settings.default_audience.as_deref().filter(|a| !a.is_empty()) {
        if api(aud).is_none() {
            return Err(tenant.error("default_audience", format!("no resource server with identifier {aud}")));
        }
    }
    Ok(())
}

/// One element of a bulk-import file (`POST /jobs/users-imports`), checked exactly like a seed
/// user and built for `connection`. The error's path is the element's index (`[3].email`).
pub fn import_user(
    value: Value,
    index: usize,
    connection: &str,
    connections: &[Connection],
    roles: &[Role],
    rng: &SeededRng,
    now: Millis,
) -> Result<User, SeedError> {
    let origin = Origin { file: Arc::from("users"), path: format!("[{index}]") };
    let seed: SeedUser = serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { String::new() } else { path };
        origin.error(&field, e.inner().to_string())
    })?;
    if seed.connection.as_deref().is_some_and(|c| c != connection) {
        return Err(origin.error("connection", format!("the file is being imported into {connection}")));
    }
    let ctx = BuildContext { management_audience: String::new(), rng, now };
    build_user(seed, &origin, connections, roles, connection, &ctx)
}

/// A light check, in the spirit of Auth0's: one `@`, something on both sides, no whitespace.
pub fn is_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && !domain.is_empty() && !domain.contains('@') && !s.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

fn parse_time(origin: &Origin, field: &str, value: Option<&str>) -> Result<Option<Millis>, SeedError> {
    value
        .map(|s| parse_iso8601(s).ok_or_else(|| origin.error(field, "not an ISO-8601 timestamp")))
        .transpose()
}

fn build_user(
    seed: SeedUser,
    origin: &Origin,
    connections: &[Connection],
    roles: &[Role],
    default_connection: &str,
    ctx: &BuildContext<'_>,
) -> Result<User, SeedError> {
    let connection_name = seed.connection.clone().unwrap_or_else(|| default_connection.to_string());
    let Some(connection) = connections.iter().find(|c| c.name == connection_name) else {
        return Err(origin.error("connection", format!("no connection named {connection_name}")));
    };
    if !connection.is_database() {
        return Err(origin.error("connection", format!("{connection_name} is not a database connection")));
    }
    let email = seed.email.map(|e| e.trim().to_lowercase());
    if let Some(email) = &email {
        if !is_email(email) {
            return Err(origin.error("email", "not an email"));
        }
    }
    if let Some(phone) = &seed.phone_number {
        let digits = phone.strip_prefix('+').unwrap_or("");
        if digits.is_empty() || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(origin.error("phone_number", "must match ^\\+[0-9]{1,15}$"));
        }
    }
    if let Some(username) = &seed.username {
        if username.is_empty() || username.len() > 128 || username.chars().any(char::is_whitespace) {
            return Err(origin.error("username", "must be 1 to 128 characters without whitespace"));
        }
    }
    if email.is_none() && seed.username.is_none() && seed.phone_number.is_none() {
        return Err(origin.error("email", "a user needs an email, a username or a phone_number"));
    }

    let user_id = match seed.user_id {
        Some(id) if id.is_empty() || id.len() > 255 || id.chars().any(char::is_whitespace) => {
            return Err(origin.error("user_id", "must be 1 to 255 characters without whitespace"));
        }
        Some(id) if id.contains('|') => id,
        Some(id) => format!("auth0|{id}"),
        None => format!("auth0|{}", ctx.rng.hex(24)),
    };

    let password = match (seed.password, seed.password_hash, seed.custom_password_hash) {
        (None, None, None) => None,
        (Some(plain), None, None) => Some(PasswordHash::fast(&plain, ctx.rng.bytes())),
        (None, Some(hash), None) => {
            Some(PasswordHash::bcrypt(&hash).map_err(|e| origin.error("password_hash", e.reason))?)
        }
        (None, None, Some(custom)) => Some(
            PasswordHash::custom(&custom).map_err(|e| {
                let e = e.prefixed("custom_password_hash");
                origin.error(&e.path, e.reason)
            })?,
        ),
        _ => return Err(origin.error("password", "give only one of password, password_hash and custom_password_hash")),
    };

    if let Some(m) = &seed.user_metadata {
        metadata::validate(MetadataKind::User, m).map_err(|e| origin.error(&e.path, e.reason))?;
    }
    if seed.metadata.is_some() && !connection.is_custom_database() {
        return Err(origin.error(
            "metadata",
            "`metadata` (the custom-database name for app_metadata) is only accepted for custom database connections; use app_metadata",
        ));
    }
    let app_metadata = metadata::with_alias(seed.metadata, seed.app_metadata);
    if let Some(m) = &app_metadata {
        metadata::validate(MetadataKind::App, m).map_err(|e| origin.error(&e.path, e.reason))?;
    }

    let mut role_ids = Vec::with_capacity(seed.roles.len());
    for (i, r) in seed.roles.iter().enumerate() {
        let Some(role) = roles.iter().find(|role| &role.name == r || &role.id == r) else {
            return Err(origin.error(&format!("roles[{i}]"), format!("no role named {r}")));
        };
        role_ids.push(role.id.clone());
    }

    let created_at = parse_time(origin, "created_at", seed.created_at.as_deref())?.unwrap_or(ctx.now);
    let updated_at = parse_time(origin, "updated_at", seed.updated_at.as_deref())?.unwrap_or(created_at);
    let (default_name, default_nickname) =
        default_name_and_nickname(email.as_deref(), seed.username.as_deref(), seed.phone_number.as_deref());
    let _ = (seed.identities, seed.mfa_factors);
    Ok(User {
        user_id,
        connection: connection_name,
        email,
        email_verified: seed.email_verified.unwrap_or(false),
        username: seed.username,
        phone_verified: seed.phone_number.as_ref().map(|_| seed.phone_verified.unwrap_or(false)),
        phone_number: seed.phone_number,
        given_name: seed.given_name,
        family_name: seed.family_name,
        name: seed.name.or(default_name),
        nickname: seed.nickname.or(default_nickname),
        picture: seed.picture,
        created_at,
        updated_at,
        last_login: parse_time(origin, "last_login", seed.last_login.as_deref())?,
        last_ip: seed.last_ip,
        logins_count: seed.logins_count.unwrap_or(0),
        last_password_reset: parse_time(origin, "last_password_reset", seed.last_password_reset.as_deref())?,
        blocked: seed.blocked,
        user_metadata: seed.user_metadata.filter(|m| !m.is_empty()),
        app_metadata: app_metadata.filter(|m| !m.is_empty()),
        password,
        role_ids,
        permissions: Vec::new(),
    })
}
