//! Tenant configuration objects — clients, APIs (resource servers), client grants, connections,
//! roles and post-login actions — in the shapes the Management API uses, so a seed file can hold
//! what Auth0 returns. Fields Auth0 has and the emulator does not model are ignored on input.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::password_policy::PasswordPolicy;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppType {
    Spa,
    #[default]
    RegularWeb,
    NonInteractive,
    Native,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenEndpointAuthMethod {
    None,
    ClientSecretPost,
    ClientSecretBasic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum SigningAlg {
    #[default]
    RS256,
    HS256,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JwtConfiguration {
    #[serde(default)]
    pub alg: SigningAlg,
    /// ID-token lifetime (Auth0's default is 36000 s).
    #[serde(default = "default_id_token_lifetime")]
    pub lifetime_in_seconds: i64,
}

impl Default for JwtConfiguration {
    fn default() -> Self {
        Self { alg: SigningAlg::RS256, lifetime_in_seconds: default_id_token_lifetime() }
    }
}

fn default_id_token_lifetime() -> i64 {
    36_000
}

fn yes() -> bool {
    true
}

/// An application. `grant_types` and `token_endpoint_auth_method` default by `app_type` as in
/// Auth0's dashboard; a confidential client without a secret gets a generated one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Client {
    #[serde(default)]
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub app_type: AppType,
    #[serde(default)]
    pub grant_types: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_method: Option<TokenEndpointAuthMethod>,
    #[serde(default)]
    pub callbacks: Vec<String>,
    #[serde(default)]
    pub allowed_logout_urls: Vec<String>,
    #[serde(default)]
    pub web_origins: Vec<String>,
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    #[serde(default)]
    pub jwt_configuration: JwtConfiguration,
    #[serde(default = "yes")]
    pub is_first_party: bool,
    #[serde(default = "yes")]
    pub oidc_conformant: bool,
    #[serde(default)]
    pub cross_origin_authentication: bool,
    #[serde(default)]
    pub refresh_token: RefreshTokenConfig,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RotationType {
    #[default]
    NonRotating,
    Rotating,
}

/// A client's refresh-token settings (Auth0 defaults: non-rotating).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RefreshTokenConfig {
    #[serde(default)]
    pub rotation_type: RotationType,
}

impl Client {
    /// Auth0's default grant types for an application type.
    pub fn default_grant_types(app_type: AppType) -> Vec<String> {
        let grants: &[&str] = match app_type {
            AppType::Spa | AppType::Native => &["authorization_code", "implicit", "refresh_token"],
            AppType::RegularWeb => &["authorization_code", "implicit", "refresh_token", "client_credentials"],
            AppType::NonInteractive => &["client_credentials"],
        };
        grants.iter().map(|g| (*g).to_string()).collect()
    }

    /// The origins a browser app of this client may call from (CORS, `web_message`).
    pub fn allows_origin(&self, origin: &str) -> bool {
        let origin = origin.trim_end_matches('/');
        self.web_origins.iter().chain(&self.allowed_origins).any(|o| o.trim_end_matches('/') == origin)
    }

    pub fn is_public(&self) -> bool {
        self.token_endpoint_auth_method == Some(TokenEndpointAuthMethod::None)
    }

    /// Auth0's per-application-type defaults and generated credentials, for seeded clients and
    /// clients created through the Management API alike. `generate(n)` draws `n` random letters
    /// and digits; it is called only for what is missing (the id, then the secret), so a seeded
    /// tenant replays the same ids.
    pub fn fill_defaults(&mut self, mut generate: impl FnMut(usize) -> String) {
        if self.client_id.is_empty() {
            self.client_id = generate(32);
        }
        if self.grant_types.is_empty() {
            self.grant_types = Self::default_grant_types(self.app_type);
        }
        if self.token_endpoint_auth_method.is_none() {
            self.token_endpoint_auth_method = Some(match self.app_type {
                AppType::Spa | AppType::Native => TokenEndpointAuthMethod::None,
                AppType::RegularWeb | AppType::NonInteractive => TokenEndpointAuthMethod::ClientSecretPost,
            });
        }
        if self.client_secret.is_none() && !self.is_public() {
            self.client_secret = Some(generate(64));
        }
        if self.name.is_empty() {
            self.name = self.client_id.clone();
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceServerScope {
    pub value: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenDialect {
    #[default]
    AccessToken,
    AccessTokenAuthz,
    Rfc9068Profile,
    Rfc9068ProfileAuthz,
}

/// An API. The Management API of the tenant is one, marked `is_system`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceServer {
    #[serde(default)]
    pub id: String,
    pub identifier: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub scopes: Vec<ResourceServerScope>,
    #[serde(default)]
    pub signing_alg: SigningAlg,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_secret: Option<String>,
    #[serde(default = "default_token_lifetime")]
    pub token_lifetime: i64,
    #[serde(default = "default_token_lifetime_for_web")]
    pub token_lifetime_for_web: i64,
    #[serde(default)]
    pub allow_offline_access: bool,
    #[serde(default = "yes")]
    pub skip_consent_for_verifiable_first_party_clients: bool,
    #[serde(default)]
    pub enforce_policies: bool,
    #[serde(default)]
    pub token_dialect: TokenDialect,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub is_system: bool,
}

fn default_token_lifetime() -> i64 {
    86_400
}

fn default_token_lifetime_for_web() -> i64 {
    7_200
}

/// The scopes of the Management API (reference §7.1 plus the common resource scopes).
pub const MANAGEMENT_API_SCOPES: &[&str] = &[
    "read:users", "update:users", "delete:users", "create:users", "read:users_app_metadata",
    "update:users_app_metadata", "delete:users_app_metadata", "create:users_app_metadata",
    "read:user_idp_tokens", "read:current_user", "update:current_user_metadata",
    "create:current_user_metadata", "delete:current_user_metadata", "update:current_user_identities",
    "delete:current_user", "create:user_tickets", "read:clients", "update:clients", "delete:clients",
    "create:clients", "read:client_keys", "read:client_credentials", "read:client_summary",
    "read:connections", "update:connections", "delete:connections", "create:connections",
    "read:resource_servers", "update:resource_servers", "delete:resource_servers",
    "create:resource_servers", "read:client_grants", "update:client_grants", "delete:client_grants",
    "create:client_grants", "read:roles", "create:roles", "update:roles", "delete:roles",
    "read:role_members", "create:role_members", "delete:role_members", "read:logs", "read:logs_users",
    "read:stats", "read:tenant_settings", "update:tenant_settings", "read:signing_keys",
    "create:signing_keys", "update:signing_keys", "read:grants", "delete:grants", "blocked_users",
];

impl ResourceServer {
    /// The tenant's own Management API, `https://DOMAIN/api/v2/`.
    pub fn management_api(identifier: String, id: String) -> Self {
        Self {
            id,
            identifier,
            name: "Auth0 Management API".into(),
            scopes: MANAGEMENT_API_SCOPES
                .iter()
                .map(|s| ResourceServerScope { value: (*s).into(), description: String::new() })
                .collect(),
            signing_alg: SigningAlg::RS256,
            signing_secret: None,
            token_lifetime: default_token_lifetime(),
            token_lifetime_for_web: default_token_lifetime_for_web(),
            allow_offline_access: false,
            skip_consent_for_verifiable_first_party_clients: false,
            enforce_policies: false,
            token_dialect: TokenDialect::AccessToken,
            is_system: true,
        }
    }

    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s.value == scope)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientGrant {
    #[serde(default)]
    pub id: String,
    pub client_id: String,
    pub audience: String,
    #[serde(default)]
    pub scope: Vec<String>,
}

/// Options of a database connection; other keys Auth0 knows are kept as they came.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ConnectionOptions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires_username: Option<bool>,
    #[serde(rename = "passwordPolicy", default, skip_serializing_if = "Option::is_none")]
    pub password_policy: Option<PasswordPolicy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_complexity_options: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub import_mode: Option<bool>,
    #[serde(rename = "enabledDatabaseCustomization", default, skip_serializing_if = "Option::is_none")]
    pub enabled_database_customization: Option<bool>,
    #[serde(rename = "customScripts", default, skip_serializing_if = "Option::is_none")]
    pub custom_scripts: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brute_force_protection: Option<bool>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// A connection. `enabled_clients` left out of a seed means every client of the tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Connection {
    #[serde(default)]
    pub id: String,
    pub name: String,
    #[serde(default = "default_strategy")]
    pub strategy: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled_clients: Option<Vec<String>>,
    #[serde(default)]
    pub options: ConnectionOptions,
}

fn default_strategy() -> String {
    "auth0".into()
}

/// The connection every tenant starts with.
pub const DEFAULT_DATABASE: &str = "Username-Password-Authentication";

impl Connection {
    pub fn database(name: &str, id: String) -> Self {
        Self {
            id,
            name: name.into(),
            strategy: default_strategy(),
            enabled_clients: None,
            options: ConnectionOptions { password_policy: Some(PasswordPolicy::Good), ..Default::default() },
        }
    }

    /// Auth0 database connections (including custom databases) have strategy `auth0`.
    pub fn is_database(&self) -> bool {
        self.strategy == "auth0"
    }

    pub fn is_custom_database(&self) -> bool {
        self.is_database() && self.options.enabled_database_customization == Some(true)
    }

    /// Import mode (automatic migration): a user's first script login moves them here.
    pub fn import_mode(&self) -> bool {
        self.options.import_mode == Some(true)
    }

    /// The script for `action` (JavaScript source or an http(s) URL) of a custom database.
    pub fn custom_script(&self, action: &str) -> Option<&str> {
        if !self.is_custom_database() {
            return None;
        }
        self.options.custom_scripts.as_ref()?.get(action)?.as_str().filter(|s| !s.trim().is_empty())
    }

    pub fn requires_username(&self) -> bool {
        self.options.requires_username == Some(true)
    }

    /// The password policy and minimum length a new password must meet (Auth0's default: `good`).
    pub fn password_policy(&self) -> (PasswordPolicy, Option<u32>) {
        let min_length = self
            .options
            .password_complexity_options
            .as_ref()
            .and_then(|o| o.get("min_length"))
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok());
        (self.options.password_policy.unwrap_or(PasswordPolicy::Good), min_length)
    }

    pub fn is_enabled_for(&self, client_id: &str) -> bool {
        self.enabled_clients.as_ref().is_none_or(|clients| clients.iter().any(|c| c == client_id))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Permission {
    pub resource_server_identifier: String,
    pub permission_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Role {
    #[serde(default)]
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub permissions: Vec<Permission>,
}

/// A declarative post-login action: claims added to tokens from templates such as
/// `{{user.user_metadata}}` (evaluated by the Authentication API).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostLoginAction {
    #[serde(default)]
    pub id_token_claims: Map<String, Value>,
    #[serde(default)]
    pub access_token_claims: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Actions {
    #[serde(default)]
    pub post_login: Vec<PostLoginAction>,
}
