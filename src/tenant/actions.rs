//! Declarative post-login actions: claims added to tokens from templates over the user, the
//! client and the request — the emulator's stand-in for `api.idToken.setCustomClaim` in an Auth0
//! Action. A claim value that is exactly one `{{path}}` takes the referenced JSON value (objects
//! included); a string mixing text and `{{path}}`s is interpolated; objects and arrays are
//! rendered member by member. A path that leads nowhere leaves the claim out.
//!
//! Auth0's rules (reference §4.4): restricted claim names are ignored, and access tokens for the
//! Management API drop claims that are not namespaced (a URL).

use serde_json::{Map, Value};

use super::model::PostLoginAction;

/// Claims no action may set.
pub const RESTRICTED_CLAIMS: &[&str] = &[
    "acr", "act", "active", "amr", "at_hash", "ath", "attest", "aud", "auth_time", "authorization_details", "azp",
    "c_hash", "client_id", "cnf", "cty", "dest", "entitlements", "events", "exp", "groups", "gty", "htm", "htu",
    "iat", "internalService", "iss", "jcard", "jku", "jti", "jwe", "jwk", "kid", "may_act", "mky", "nbf", "nonce",
    "object_id", "org_id", "org_name", "orig", "origid", "permissions", "roles", "rph", "s_hash", "sid", "sub",
    "sub_jwk", "toe", "txn", "typ", "uuid", "vot", "vtm", "x5t#S256",
];

/// Which token the claims are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    IdToken,
    AccessToken { management_api: bool },
}

fn is_namespaced(name: &str) -> bool {
    name.starts_with("https://") || name.starts_with("http://")
}

fn allowed(name: &str) -> bool {
    !RESTRICTED_CLAIMS.contains(&name) && !name.starts_with("sip_")
}

/// Adds every action's claims for `target` to `claims`, rendering templates against `context`
/// (`{"user": …, "client": …, "request": …}`). Claims already present are left alone, as Auth0
/// ignores collisions.
pub fn apply(actions: &[PostLoginAction], target: Target, context: &Value, claims: &mut Map<String, Value>) {
    for action in actions {
        let templates = match target {
            Target::IdToken => &action.id_token_claims,
            Target::AccessToken { .. } => &action.access_token_claims,
        };
        for (name, template) in templates {
            if !allowed(name) || claims.contains_key(name) {
                continue;
            }
            if matches!(target, Target::AccessToken { management_api: true }) && !is_namespaced(name) {
                continue;
            }
            if let Some(value) = render(template, context) {
                claims.insert(name.clone(), value);
            }
        }
    }
}

/// Renders one template value.
pub fn render(template: &Value, context: &Value) -> Option<Value> {
    match template {
        Value::String(s) => render_string(s, context),
        Value::Array(items) => Some(Value::Array(items.iter().filter_map(|v| render(v, context)).collect())),
        Value::Object(map) => Some(Value::Object(
            map.iter().filter_map(|(k, v)| render(v, context).map(|v| (k.clone(), v))).collect(),
        )),
        other => Some(other.clone()),
    }
}

fn lookup<'a>(context: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(context, |value, key| value.get(key)).filter(|v| !v.is_null())
}

fn render_string(s: &str, context: &Value) -> Option<Value> {
    let trimmed = s.trim();
    if let Some(path) = trimmed.strip_prefix("{{").and_then(|r| r.strip_suffix("}}")) {
        if !path.contains("{{") {
            return lookup(context, path.trim()).cloned();
        }
    }
    if !s.contains("{{") {
        return Some(Value::String(s.to_string()));
    }
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        match lookup(context, after[..end].trim()) {
            Some(Value::String(v)) => out.push_str(v),
            Some(v) => out.push_str(&v.to_string()),
            None => {}
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Some(Value::String(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn action(id: Value, access: Value) -> PostLoginAction {
        PostLoginAction {
            id_token_claims: id.as_object().cloned().unwrap_or_default(),
            access_token_claims: access.as_object().cloned().unwrap_or_default(),
        }
    }

    #[test]
    fn a_whole_template_takes_the_referenced_value_and_mixed_text_interpolates() {
        let ctx = json!({"user": {"user_metadata": {"hobby": "surfing"}, "app_metadata": {"plan": "full"}}, "client": {"name": "SPA"}});
        let actions = [action(
            json!({"https://x/md": "{{user.user_metadata}}", "https://x/greeting": "{{client.name}} on {{user.app_metadata.plan}}", "https://x/none": "{{user.nothing}}"}),
            json!({}),
        )];
        let mut claims = Map::new();
        apply(&actions, Target::IdToken, &ctx, &mut claims);
        assert_eq!(Value::Object(claims), json!({"https://x/md": {"hobby": "surfing"}, "https://x/greeting": "SPA on full"}));
    }

    #[test]
    fn restricted_and_existing_claims_are_ignored_and_the_management_api_drops_plain_names() {
        let ctx = json!({"user": {"email": "a@b.c"}});
        let actions = [action(json!({}), json!({"sub": "forged", "email": "{{user.email}}", "https://x/email": "{{user.email}}"}))];
        let mut claims = Map::new();
        claims.insert("sub".into(), "real".into());
        apply(&actions, Target::AccessToken { management_api: true }, &ctx, &mut claims);
        assert_eq!(Value::Object(claims.clone()), json!({"sub": "real", "https://x/email": "a@b.c"}));
        let mut claims = Map::new();
        apply(&actions, Target::AccessToken { management_api: false }, &ctx, &mut claims);
        assert_eq!(Value::Object(claims), json!({"email": "a@b.c", "https://x/email": "a@b.c"}));
    }
}
