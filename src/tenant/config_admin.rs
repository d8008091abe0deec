//! Management API writes to the tenant's configuration, HTTP-agnostic: clients, connections, APIs
//! (resource servers) and client grants (reference §5.10), plus the request-body checks they and
//! the role writes share. Bodies are validated against Auth0's schemas (no additional
//! properties; fields Auth0 accepts and the emulator does not model are accepted and ignored),
//! then read into the same model types seeds use, so a change takes effect on the next token
//! request. Deletes cascade the way Auth0's do: a client takes its grants with it, an API its
//! grants and permissions, a connection its users.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::model::{Client, ClientGrant, Connection, ResourceServer, SigningAlg};
use super::password_policy::PasswordPolicy;
use super::TenantData;

/// Why a configuration write was refused; the Management API renders each with its status.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    /// 400 `invalid_body`.
    #[error("{0}")]
    InvalidBody(String),
    /// 400 without an error code.
    #[error("{0}")]
    BadRequest(String),
    #[error("The client does not exist")]
    NoClient,
    #[error("The connection does not exist")]
    NoConnection,
    #[error("The resource server does not exist")]
    NoResourceServer,
    /// A client grant names an API the tenant does not have.
    #[error("No resource with identifier {0}")]
    NoAudience(String),
    #[error("The client grant does not exist.")]
    NoGrant,
    #[error("A connection with the same name already exists")]
    ConnectionExists,
    #[error("A resource server with the same identifier already exists")]
    ResourceServerExists,
    #[error("A client grant already exists between {client_id} and {audience}")]
    GrantExists { client_id: String, audience: String },
}

impl From<String> for ConfigError {
    fn from(message: String) -> Self {
        ConfigError::InvalidBody(message)
    }
}

// --- body checks shared with the role writes ---------------------------------------------------

/// `Payload validation error: '<message>'.`, hapi's wrapper for schema failures.
pub fn payload(message: impl std::fmt::Display) -> String {
    format!("Payload validation error: '{message}'.")
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

pub fn wrong_type(field: &str, expected: &str, v: &Value) -> String {
    format!("Payload validation error: 'Expected type {expected} but found type {}' on property {field}.", type_name(v))
}

/// Refuses properties outside Auth0's request schema (`additionalProperties: false`).
pub fn allow_only(body: &Map<String, Value>, allowed: &[&str]) -> Result<(), String> {
    match body.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(extra) => Err(payload(format!("Additional properties not allowed: {extra}"))),
        None => Ok(()),
    }
}

pub fn optional_string(body: &Map<String, Value>, field: &str) -> Result<Option<String>, String> {
    match body.get(field) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(v) => Err(wrong_type(field, "string", v)),
    }
}

pub fn required_string(body: &Map<String, Value>, field: &str) -> Result<String, String> {
    optional_string(body, field)?.ok_or_else(|| payload(format!("Missing required property: {field}")))
}

/// A required, non-empty array (`minItems: 1`).
pub fn required_array<'a>(body: &'a Map<String, Value>, field: &str) -> Result<&'a [Value], String> {
    match body.get(field) {
        None => Err(payload(format!("Missing required property: {field}"))),
        Some(Value::Array(items)) if items.is_empty() => {
            Err(format!("Payload validation error: 'Array is too short (0), minimum 1' on property {field}."))
        }
        Some(Value::Array(items)) => Ok(items),
        Some(v) => Err(wrong_type(field, "array", v)),
    }
}

fn strings(items: &[Value], field: &str) -> Result<Vec<String>, String> {
    items
        .iter()
        .enumerate()
        .map(|(i, v)| v.as_str().map(String::from).ok_or_else(|| wrong_type(&format!("{field}[{i}]"), "string", v)))
        .collect()
}

/// A required, non-empty array of strings.
pub fn required_strings(body: &Map<String, Value>, field: &str) -> Result<Vec<String>, String> {
    strings(required_array(body, field)?, field)
}

/// An optional array of strings (`null` counts as absent).
pub fn optional_strings(body: &Map<String, Value>, field: &str) -> Result<Option<Vec<String>>, String> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => strings(items, field).map(Some),
        Some(v) => Err(wrong_type(field, "array", v)),
    }
}

/// Reads a body into a model type, naming the property serde stumbled on.
pub fn decode<T: DeserializeOwned>(value: Map<String, Value>) -> Result<T, String> {
    serde_path_to_error::deserialize(Value::Object(value)).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        if path == "." {
            payload(message)
        } else {
            format!("Payload validation error: '{message}' on property {path}.")
        }
    })
}

/// A top-level merge: each key of `patch` replaces the current one, `null` removes it, and the
/// objects named in `merged` merge one level deeper.
fn merge(current: Value, patch: &Map<String, Value>, merged: &[&str]) -> Map<String, Value> {
    let mut map = match current {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    for (key, value) in patch {
        match (value, map.get_mut(key)) {
            (Value::Null, _) => {
                map.remove(key);
            }
            (Value::Object(inner), Some(Value::Object(existing))) if merged.contains(&key.as_str()) => {
                existing.extend(inner.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
            _ => {
                map.insert(key.clone(), value.clone());
            }
        }
    }
    map
}

// --- clients -------------------------------------------------------------------------------------

/// Properties of `POST /clients` (MGMT-OAS `CreateClientRequestContent`).
const CLIENT_CREATE: &[&str] = &[
    "addons", "allowed_clients", "allowed_logout_urls", "allowed_origins", "app_type", "async_approval_notification_channels",
    "callbacks", "client_aliases", "client_authentication_methods", "client_metadata", "compliance_level",
    "cross_origin_authentication", "cross_origin_loc", "custom_login_page", "custom_login_page_on", "custom_login_page_preview",
    "default_organization", "description", "encryption_key", "express_configuration", "fedcm_login", "form_template",
    "grant_types", "initiate_login_uri", "is_first_party", "is_token_endpoint_ip_header_trusted", "jwt_configuration",
    "logo_uri", "mobile", "my_organization_configuration", "name", "native_social_login", "oidc_backchannel_logout",
    "oidc_conformant", "oidc_logout", "organization_discovery_methods", "organization_require_behavior", "organization_usage",
    "par_request_expiry", "redirection_policy", "refresh_token", "require_proof_of_possession",
    "require_pushed_authorization_requests", "resource_server_identifier", "session_transfer", "signed_request_object",
    "skip_non_verifiable_callback_uri_confirmation_prompt", "sso", "sso_disabled", "third_party_security_mode",
    "token_endpoint_auth_method", "token_exchange", "token_quota", "token_vault_privileged_access", "web_origins",
];

impl TenantData {
    /// `POST /clients`: `name` is required; the id and secret are generated.
    pub fn create_client(&mut self, body: Map<String, Value>, generate: impl FnMut(usize) -> String) -> Result<Client, ConfigError> {
        allow_only(&body, CLIENT_CREATE)?;
        required_string(&body, "name")?;
        let mut client: Client = decode(body)?;
        client.fill_defaults(generate);
        self.clients.push(client.clone());
        Ok(client)
    }

    /// `PATCH /clients/{id}`: top-level keys replace (`jwt_configuration` and `refresh_token`
    /// merge one level), `null` resets a property.
    pub fn update_client(&mut self, id: &str, body: &Map<String, Value>, generate: impl FnMut(usize) -> String) -> Result<Client, ConfigError> {
        let index = self.clients.iter().position(|c| c.client_id == id).ok_or(ConfigError::NoClient)?;
        // The create schema, less `resource_server_identifier`, plus `client_secret`.
        let patchable: Vec<&str> = CLIENT_CREATE.iter().copied().filter(|k| *k != "resource_server_identifier").chain(["client_secret"]).collect();
        allow_only(body, &patchable)?;
        let current = serde_json::to_value(&self.clients[index]).unwrap_or(Value::Null);
        let mut client: Client = decode(merge(current, body, &["jwt_configuration", "refresh_token"]))?;
        client.client_id = id.to_string();
        client.fill_defaults(generate);
        self.clients[index] = client.clone();
        Ok(client)
    }

    /// `DELETE /clients/{id}`: idempotent; the client's grants and connection entries go too.
    pub fn delete_client(&mut self, id: &str) {
        self.clients.retain(|c| c.client_id != id);
        self.client_grants.retain(|g| g.client_id != id);
        for list in self.connections.iter_mut().filter_map(|c| c.enabled_clients.as_mut()) {
            list.retain(|c| c != id);
        }
    }
}

// --- connections ---------------------------------------------------------------------------------

const CONNECTION_UPDATE: &[&str] = &[
    "authentication", "connected_accounts", "cross_app_access_requesting_app", "display_name", "enabled_clients",
    "is_domain_connection", "metadata", "options", "realms", "show_as_button",
];

impl TenantData {
    pub fn connection_by_id(&self, id: &str) -> Result<&Connection, ConfigError> {
        self.connections.iter().find(|c| c.id == id).ok_or(ConfigError::NoConnection)
    }

    /// `POST /connections`: `name` and `strategy` are required; a database connection gets
    /// Auth0's defaults (`passwordPolicy: good`, brute-force protection) and, as on Auth0, no
    /// client is enabled unless `enabled_clients` says so.
    pub fn create_connection(&mut self, body: Map<String, Value>, id: String) -> Result<Connection, ConfigError> {
        allow_only(&body, &[CONNECTION_UPDATE, &["name", "strategy"]].concat())?;
        let name = required_string(&body, "name")?;
        required_string(&body, "strategy")?;
        if self.connections.iter().any(|c| c.name == name) {
            return Err(ConfigError::ConnectionExists);
        }
        let enabled_given = body.contains_key("enabled_clients");
        let mut connection: Connection = decode(body)?;
        connection.id = id;
        if !enabled_given {
            connection.enabled_clients = Some(Vec::new());
        }
        if connection.is_database() {
            let options = &mut connection.options;
            options.password_policy = options.password_policy.or(Some(PasswordPolicy::Good));
            options.brute_force_protection = options.brute_force_protection.or(Some(true));
        }
        self.connections.push(connection.clone());
        Ok(connection)
    }

    /// `PATCH /connections/{id}`: `options` is replaced as a whole, as Auth0 does.
    pub fn update_connection(&mut self, id: &str, body: &Map<String, Value>) -> Result<Connection, ConfigError> {
        allow_only(body, CONNECTION_UPDATE)?;
        let index = self.connections.iter().position(|c| c.id == id).ok_or(ConfigError::NoConnection)?;
        let mut connection = self.connections[index].clone();
        if let Some(options) = body.get("options") {
            let options = match options {
                Value::Object(map) => map.clone(),
                v => return Err(ConfigError::InvalidBody(wrong_type("options", "object", v))),
            };
            connection.options = decode(options).map_err(|e| e.replacen("on property ", "on property options.", 1))?;
        }
        if body.contains_key("enabled_clients") {
            connection.enabled_clients = Some(optional_strings(body, "enabled_clients")?.unwrap_or_default());
        }
        self.connections[index] = connection.clone();
        Ok(connection)
    }

    /// `DELETE /connections/{id}`: whether it existed. The connection's users go with it.
    pub fn delete_connection(&mut self, id: &str) -> bool {
        let Some(index) = self.connections.iter().position(|c| c.id == id) else {
            return false;
        };
        let connection = self.connections.remove(index);
        let users: Vec<String> = self.users.iter().filter(|u| u.connection == connection.name).map(|u| u.user_id.clone()).collect();
        for user_id in users {
            self.delete_user(&user_id);
        }
        true
    }
}

// --- resource servers ----------------------------------------------------------------------------

const RESOURCE_SERVER_UPDATE: &[&str] = &[
    "allow_offline_access", "allow_online_access", "allow_online_access_with_ephemeral_sessions", "authorization_details",
    "authorization_policy", "consent_policy", "enforce_policies", "name", "proof_of_possession", "scopes", "signing_alg",
    "signing_secret", "skip_consent_for_verifiable_first_party_clients", "subject_type_authorization", "token_dialect",
    "token_encryption", "token_lifetime", "token_lifetime_for_web",
];

impl TenantData {
    /// An API by its id or, as Auth0 also accepts, its identifier.
    pub fn resource_server_index(&self, id: &str) -> Result<usize, ConfigError> {
        self.resource_servers.iter().position(|r| r.id == id || r.identifier == id).ok_or(ConfigError::NoResourceServer)
    }

    /// `POST /resource-servers`: `identifier` is required and unique. HS256 APIs get a signing
    /// secret; consent is not skipped unless asked (Auth0's create default).
    pub fn create_resource_server(&mut self, body: Map<String, Value>, id: String, secret: String) -> Result<ResourceServer, ConfigError> {
        allow_only(&body, &[RESOURCE_SERVER_UPDATE, &["identifier"]].concat())?;
        let identifier = required_string(&body, "identifier")?;
        if self.resource_servers.iter().any(|r| r.identifier == identifier) {
            return Err(ConfigError::ResourceServerExists);
        }
        let skip_consent_given = body.contains_key("skip_consent_for_verifiable_first_party_clients");
        let mut api: ResourceServer = decode(body)?;
        api.id = id;
        api.is_system = false;
        if api.name.is_empty() {
            api.name = identifier;
        }
        if !skip_consent_given {
            api.skip_consent_for_verifiable_first_party_clients = false;
        }
        if api.signing_alg == SigningAlg::HS256 && api.signing_secret.is_none() {
            api.signing_secret = Some(secret);
        }
        self.resource_servers.push(api.clone());
        Ok(api)
    }

    /// `PATCH /resource-servers/{id}`: given properties replace the current ones; permissions
    /// for scopes the API no longer defines are dropped from roles and users.
    pub fn update_resource_server(&mut self, id: &str, body: &Map<String, Value>, secret: String) -> Result<ResourceServer, ConfigError> {
        let index = self.resource_server_index(id)?;
        if self.resource_servers[index].is_system {
            return Err(ConfigError::BadRequest("System resource servers cannot be patched.".into()));
        }
        allow_only(body, RESOURCE_SERVER_UPDATE)?;
        let current = serde_json::to_value(&self.resource_servers[index]).unwrap_or(Value::Null);
        let mut api: ResourceServer = decode(merge(current, body, &[]))?;
        if api.signing_alg == SigningAlg::HS256 && api.signing_secret.is_none() {
            api.signing_secret = Some(secret);
        }
        self.resource_servers[index] = api.clone();
        self.drop_permissions(&api.identifier, |scope| api.has_scope(scope));
        Ok(api)
    }

    /// `DELETE /resource-servers/{id}`: idempotent; the API's grants and permissions go with it.
    pub fn delete_resource_server(&mut self, id: &str) -> Result<(), ConfigError> {
        let Ok(index) = self.resource_server_index(id) else {
            return Ok(());
        };
        if self.resource_servers[index].is_system {
            return Err(ConfigError::BadRequest("System resource servers cannot be deleted.".into()));
        }
        let api = self.resource_servers.remove(index);
        self.client_grants.retain(|g| g.audience != api.identifier);
        self.drop_permissions(&api.identifier, |_| false);
        Ok(())
    }

    /// Removes role and user permissions on `api` whose scope fails `keep`.
    fn drop_permissions(&mut self, api: &str, keep: impl Fn(&str) -> bool) {
        let stays = |p: &super::model::Permission| p.resource_server_identifier != api || keep(&p.permission_name);
        for role in &mut self.roles {
            role.permissions.retain(stays);
        }
        let holders: Vec<String> = self.users.iter().filter(|u| !u.permissions.iter().all(stays)).map(|u| u.user_id.clone()).collect();
        for user_id in holders {
            if let Some(user) = self.users.get_mut(&user_id) {
                user.permissions.retain(stays);
            }
        }
    }
}

// --- client grants -------------------------------------------------------------------------------

const GRANT_CREATE: &[&str] = &[
    "allow_all_scopes", "allow_any_organization", "audience", "authorization_details_types", "client_id", "default_for",
    "organization_usage", "scope", "subject_type",
];
const GRANT_UPDATE: &[&str] = &["allow_all_scopes", "allow_any_organization", "authorization_details_types", "organization_usage", "scope"];

impl TenantData {
    pub fn client_grant(&self, id: &str) -> Result<&ClientGrant, ConfigError> {
        self.client_grants.iter().find(|g| g.id == id).ok_or(ConfigError::NoGrant)
    }

    /// `POST /client-grants`: one grant per client and API.
    pub fn create_client_grant(&mut self, body: &Map<String, Value>, id: String) -> Result<ClientGrant, ConfigError> {
        allow_only(body, GRANT_CREATE)?;
        let client_id = required_string(body, "client_id")?;
        let audience = required_string(body, "audience")?;
        let scope = optional_strings(body, "scope")?.unwrap_or_default();
        if self.client(&client_id).is_none() {
            return Err(ConfigError::NoClient);
        }
        if !self.resource_servers.iter().any(|r| r.identifier == audience) {
            return Err(ConfigError::NoAudience(audience));
        }
        if self.client_grants.iter().any(|g| g.client_id == client_id && g.audience == audience) {
            return Err(ConfigError::GrantExists { client_id, audience });
        }
        let grant = ClientGrant { id, client_id, audience, scope };
        self.client_grants.push(grant.clone());
        Ok(grant)
    }

    /// `PATCH /client-grants/{id}`: `scope` is replaced.
    pub fn update_client_grant(&mut self, id: &str, body: &Map<String, Value>) -> Result<ClientGrant, ConfigError> {
        allow_only(body, GRANT_UPDATE)?;
        let scope = optional_strings(body, "scope")?;
        let grant = self.client_grants.iter_mut().find(|g| g.id == id).ok_or(ConfigError::NoGrant)?;
        if let Some(scope) = scope {
            grant.scope = scope;
        }
        Ok(grant.clone())
    }

    /// `DELETE /client-grants/{id}`: idempotent.
    pub fn delete_client_grant(&mut self, id: &str) {
        self.client_grants.retain(|g| g.id != id);
    }
}
