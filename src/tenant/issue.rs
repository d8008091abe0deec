//! Token issuance: which scopes a grant gets, and the claims of the access, ID and refresh
//! tokens Auth0 would return (reference §3.3, §4). Claims are assembled under the tenant lock;
//! signing happens after it is released (see [`super::Tenant::sign`]), so RSA work never
//! serialises requests.

use serde_json::{json, Map, Value};

use super::actions::{self, Target};
use super::auth_store::{GrantContext, OpaqueToken, RefreshToken};
use super::model::{Client, ResourceServer, SigningAlg, TokenDialect};
use super::users::User;
use super::TenantData;
use crate::clock::Millis;

/// Scopes that are about the user's identity rather than an API.
pub const OIDC_SCOPES: &[&str] = &["openid", "profile", "email", "address", "phone", "offline_access"];

/// Lifetime of an access token that is only good for `/userinfo`.
pub const USERINFO_TOKEN_LIFETIME: i64 = 86_400;

/// The audience of `/userinfo`, added to access tokens when `openid` is granted.
pub fn userinfo_audience(issuer: &str) -> String {
    format!("{issuer}userinfo")
}

/// The permissions a user holds on an API: assigned directly, then through their roles.
pub fn user_permissions(data: &TenantData, user: &User, api: &str) -> Vec<String> {
    let mut permissions: Vec<String> = Vec::new();
    let roles = data.roles.iter().filter(|r| user.role_ids.contains(&r.id));
    let assigned = user.permissions.iter().chain(roles.flat_map(|r| r.permissions.iter()));
    for p in assigned.filter(|p| p.resource_server_identifier == api) {
        if !permissions.contains(&p.permission_name) {
            permissions.push(p.permission_name.clone());
        }
    }
    permissions
}

/// Scopes granted to a user for `requested` (space-separated) on `api`: OIDC scopes as asked
/// (`offline_access` only where refresh tokens are allowed), API scopes the API defines and —
/// with RBAC on — the user holds. Asking for nothing on an API grants all its scopes (the
/// password grant's rule), filtered the same way.
pub fn user_scope(data: &TenantData, client: &Client, user: &User, api: Option<&ResourceServer>, requested: Option<&str>) -> Vec<String> {
    let permissions = api.filter(|a| a.enforce_policies).map(|a| user_permissions(data, user, &a.identifier));
    let api_allows = |scope: &str| match api {
        Some(api) => api.has_scope(scope) && permissions.as_ref().is_none_or(|p| p.iter().any(|x| x == scope)),
        None => false,
    };
    let refresh_allowed = client.grant_types.iter().any(|g| g == "refresh_token") && api.is_none_or(|a| a.allow_offline_access);
    let requested: Vec<&str> = requested.map(|s| s.split_whitespace().collect()).unwrap_or_default();
    if requested.is_empty() {
        return api.map(|a| a.scopes.iter().map(|s| s.value.clone()).filter(|s| api_allows(s)).collect()).unwrap_or_default();
    }
    let mut granted: Vec<String> = Vec::new();
    for scope in requested {
        let keep = match scope {
            "offline_access" => refresh_allowed,
            s if OIDC_SCOPES.contains(&s) => true,
            s => api_allows(s),
        };
        if keep && !granted.iter().any(|g| g == scope) {
            granted.push(scope.to_string());
        }
    }
    granted
}

/// How an ID token is signed.
#[derive(Debug, Clone)]
pub enum IdSigner {
    Rs256,
    /// HS256 with the client's secret.
    Hs256(String),
}

#[derive(Debug, Clone)]
pub enum AccessToken {
    Jwt(Map<String, Value>),
    /// A random string only `/userinfo` understands (no audience was asked for).
    Opaque(String),
}

/// Tokens with their claims decided, waiting to be signed.
#[derive(Debug, Clone)]
pub struct Unsigned {
    pub access: AccessToken,
    pub id: Option<(Map<String, Value>, IdSigner)>,
    pub refresh_token: Option<String>,
    pub expires_in: i64,
    pub scope: Option<String>,
    /// Add `at_hash` to the ID token (front-channel responses carrying both tokens).
    pub at_hash: bool,
}

/// What the caller knows about the request besides the grant.
pub struct IssueRequest<'a> {
    pub issuer: &'a str,
    pub now: Millis,
    /// `gty` claim: `password`, `refresh_token`, … (`None` for authorization-code flows).
    pub gty: Option<&'static str>,
    /// Whether a refresh token may be issued (offline_access granted and the flow allows it).
    pub refresh: Option<RefreshPlan>,
    /// A random string for an opaque token, used when there is no audience.
    pub opaque_token: String,
}

/// A refresh token to store with the grant: the token string and its family.
pub struct RefreshPlan {
    pub token: String,
    pub family: String,
}

/// The context templates of post-login actions see: `user` (the Management API user object with
/// both metadata objects), `client` and `request` (`hostname`, `ip`).
pub fn action_context(user: &User, client: &Client, issuer: &str) -> Value {
    let mut user_json = serde_json::to_value(user.view()).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut user_json {
        map.entry("user_metadata").or_insert_with(|| json!({}));
        map.entry("app_metadata").or_insert_with(|| json!({}));
    }
    json!({
        "user": user_json,
        "client": {"client_id": client.client_id, "name": client.name},
        "request": {"hostname": hostname(issuer), "ip": "127.0.0.1"},
    })
}

fn hostname(issuer: &str) -> &str {
    let rest = issuer.split_once("://").map_or(issuer, |(_, r)| r);
    rest.split(['/', ':']).next().unwrap_or(rest)
}

/// Which groups of profile claims a scope releases: all that ID tokens and `/userinfo` read of it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProfileScopes {
    pub profile: bool,
    pub email: bool,
    pub phone: bool,
}

impl ProfileScopes {
    pub fn of<'a>(scope: impl IntoIterator<Item = &'a str>) -> Self {
        let mut scopes = Self::default();
        for s in scope {
            match s {
                "profile" => scopes.profile = true,
                "email" => scopes.email = true,
                "phone" => scopes.phone = true,
                _ => {}
            }
        }
        scopes
    }
}

/// Claims of the user's profile allowed by `scope` (`/userinfo` and ID tokens).
pub fn scoped_profile(user: &User, scope: &[String]) -> Map<String, Value> {
    profile_for(user, ProfileScopes::of(scope.iter().map(String::as_str)))
}

/// Claims of the user's profile in the groups `scopes` releases.
pub fn profile_for(user: &User, scopes: ProfileScopes) -> Map<String, Value> {
    const PROFILE: &[&str] = &["name", "family_name", "given_name", "nickname", "picture", "updated_at"];
    const EMAIL: &[&str] = &["email", "email_verified"];
    const PHONE: &[&str] = &["phone_number", "phone_number_verified"];
    user.profile_claims()
        .into_iter()
        .filter(|(k, _)| {
            (scopes.profile && PROFILE.contains(&k.as_str()))
                || (scopes.email && EMAIL.contains(&k.as_str()))
                || (scopes.phone && PHONE.contains(&k.as_str()))
        })
        .collect()
}

impl TenantData {
    /// Decides every token of a user grant and records refresh/opaque tokens.
    pub fn issue_for_user(&mut self, grant: &GrantContext, request: IssueRequest<'_>) -> Option<Unsigned> {
        let user = self.users.get(&grant.user_id)?.clone();
        let client = self.client(&grant.client_id)?.clone();
        let api = grant.audience.as_deref().and_then(|a| self.resource_servers.iter().find(|r| r.identifier == a)).cloned();
        let now_secs = request.now.div_euclid(1000);
        let has_openid = grant.scope.iter().any(|s| s == "openid");
        let scope_string = grant.scope.join(" ");
        // The action context serialises the whole user: build it only when an action exists.
        let context = if self.actions.post_login.is_empty() { Value::Null } else { action_context(&user, &client, request.issuer) };

        let (access, expires_in) = match &api {
            Some(api) => {
                let mut aud = vec![Value::String(api.identifier.clone())];
                if has_openid {
                    aud.push(Value::String(userinfo_audience(request.issuer)));
                }
                let mut claims = Map::new();
                claims.insert("iss".into(), request.issuer.into());
                claims.insert("sub".into(), user.user_id.clone().into());
                claims.insert("aud".into(), if aud.len() == 1 { aud.remove(0) } else { Value::Array(aud) });
                claims.insert("iat".into(), now_secs.into());
                claims.insert("exp".into(), (now_secs + api.token_lifetime).into());
                if !scope_string.is_empty() {
                    claims.insert("scope".into(), scope_string.clone().into());
                }
                if let Some(gty) = request.gty {
                    claims.insert("gty".into(), gty.into());
                }
                claims.insert("azp".into(), client.client_id.clone().into());
                if api.enforce_policies && matches!(api.token_dialect, TokenDialect::AccessTokenAuthz | TokenDialect::Rfc9068ProfileAuthz) {
                    let permissions = user_permissions(self, &user, &api.identifier);
                    claims.insert("permissions".into(), permissions.into());
                }
                actions::apply(&self.actions.post_login, Target::AccessToken { management_api: api.is_system }, &context, &mut claims);
                (AccessToken::Jwt(claims), api.token_lifetime)
            }
            None => {
                self.auth.insert_opaque(
                    request.opaque_token.clone(),
                    OpaqueToken {
                        user_id: user.user_id.clone(),
                        client_id: client.client_id.clone(),
                        scope: grant.scope.clone(),
                        expires_at: request.now + USERINFO_TOKEN_LIFETIME * 1000,
                    },
                    request.now,
                );
                (AccessToken::Opaque(request.opaque_token.clone()), USERINFO_TOKEN_LIFETIME)
            }
        };

        let id = has_openid.then(|| {
            let mut claims = scoped_profile(&user, &grant.scope);
            claims.insert("iss".into(), request.issuer.into());
            claims.insert("sub".into(), user.user_id.clone().into());
            claims.insert("aud".into(), client.client_id.clone().into());
            claims.insert("iat".into(), now_secs.into());
            claims.insert("exp".into(), (now_secs + client.jwt_configuration.lifetime_in_seconds).into());
            claims.insert("auth_time".into(), grant.auth_time.into());
            if let Some(sid) = &grant.sid {
                claims.insert("sid".into(), sid.clone().into());
            }
            if let Some(nonce) = &grant.nonce {
                claims.insert("nonce".into(), nonce.clone().into());
            }
            actions::apply(&self.actions.post_login, Target::IdToken, &context, &mut claims);
            let signer = match (client.jwt_configuration.alg, &client.client_secret) {
                (SigningAlg::HS256, Some(secret)) => IdSigner::Hs256(secret.clone()),
                _ => IdSigner::Rs256,
            };
            (claims, signer)
        });

        let refresh_token = request.refresh.filter(|_| grant.scope.iter().any(|s| s == "offline_access")).map(|plan| {
            self.auth.insert_refresh_token(plan.token.clone(), RefreshToken { grant: grant.clone(), family: plan.family, rotated: false });
            plan.token
        });

        Some(Unsigned {
            access,
            id,
            refresh_token,
            expires_in,
            scope: (!scope_string.is_empty()).then_some(scope_string),
            at_hash: false,
        })
    }

    /// The claims of a client-credentials token.
    pub fn issue_for_client(&self, client: &Client, api: &ResourceServer, scope: &[String], issuer: &str, now: Millis) -> Unsigned {
        let now_secs = now.div_euclid(1000);
        let scope_string = scope.join(" ");
        let mut claims = Map::new();
        claims.insert("iss".into(), issuer.into());
        claims.insert("sub".into(), format!("{}@clients", client.client_id).into());
        claims.insert("aud".into(), api.identifier.clone().into());
        claims.insert("iat".into(), now_secs.into());
        claims.insert("exp".into(), (now_secs + api.token_lifetime).into());
        if !scope_string.is_empty() {
            claims.insert("scope".into(), scope_string.clone().into());
        }
        claims.insert("gty".into(), "client-credentials".into());
        claims.insert("azp".into(), client.client_id.clone().into());
        if api.enforce_policies && matches!(api.token_dialect, TokenDialect::AccessTokenAuthz | TokenDialect::Rfc9068ProfileAuthz) {
            claims.insert("permissions".into(), scope.to_vec().into());
        }
        Unsigned {
            access: AccessToken::Jwt(claims),
            id: None,
            refresh_token: None,
            expires_in: api.token_lifetime,
            scope: (!scope_string.is_empty()).then_some(scope_string),
            at_hash: false,
        }
    }
}

/// Signed tokens, ready for the wire.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Signed {
    pub access_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    pub expires_in: i64,
    pub token_type: &'static str,
}

/// OIDC `at_hash`: the left half of SHA-256 over the access token, base64url.
pub fn at_hash(access_token: &str) -> String {
    use base64::Engine;
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, access_token.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest.as_ref()[..16])
}

#[cfg(test)]
mod tests {
    use super::hostname;

    #[test]
    fn the_request_hostname_is_the_issuers_host_without_port() {
        assert_eq!(hostname("https://localhost:4443/"), "localhost");
        assert_eq!(hostname("https://auth.example.test/"), "auth.example.test");
    }
}
