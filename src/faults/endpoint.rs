//! Endpoint names: what a rule's `match.endpoint`, the journal and its filters call a route.
//!
//! Authentication API routes have fixed names (`token`, `userinfo`, `jwks`, …) whatever the
//! method. Management API routes are named from their path and method:
//! `mgmt.` + the path's literal segments (dashes become underscores) + a verb — `list` or
//! `create` on a collection, `get`, `update` or `delete` on an item (`/api/v2/users/{id}`
//! `PATCH` is `mgmt.users.update`, `/api/v2/users/{id}/roles` `POST` is
//! `mgmt.users.roles.create`). Names are computed from the router's matched path, so a request
//! that matched no route has no endpoint name.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use axum::http::Method;

use crate::paths;

/// The Authentication API's routes and their names.
const AUTHN: &[(&str, &str)] = &[
    (paths::DISCOVERY, "discovery"),
    (paths::OAUTH_AS_METADATA, "discovery"),
    (paths::JWKS, "jwks"),
    (paths::TOKEN, "token"),
    (paths::REVOKE, "revoke"),
    (paths::USERINFO, "userinfo"),
    (paths::AUTHORIZE, "authorize"),
    (paths::LOGIN_PAGE, "login_page"),
    (paths::SIGNUP_PAGE, "signup_page"),
    (paths::LOGOUT, "logout"),
    (paths::OIDC_LOGOUT, "logout"),
    (paths::CLIENT_SCRIPT, "client_script"),
    (paths::CO_AUTHENTICATE, "co_authenticate"),
    (paths::PASSWORDLESS_START, "passwordless_start"),
    (paths::SIGNUP, "signup"),
    (paths::CHANGE_PASSWORD, "change_password"),
    (paths::RESET_PASSWORD_PAGE, "reset_password_page"),
];

/// The Management API's routes (names are derived, see the module docs).
const MGMT: &[&str] = &[
    paths::MGMT_USERS,
    paths::MGMT_USER,
    paths::MGMT_USERS_BY_EMAIL,
    paths::MGMT_LOGS,
    paths::MGMT_LOG,
    paths::MGMT_USER_LOGS,
    paths::MGMT_USER_BLOCKS,
    paths::MGMT_USER_BLOCK,
    paths::MGMT_JOBS_IMPORT,
    paths::MGMT_JOBS_EXPORT,
    paths::MGMT_JOB,
    paths::MGMT_JOB_ERRORS,
    paths::MGMT_ROLES,
    paths::MGMT_ROLE,
    paths::MGMT_ROLE_PERMISSIONS,
    paths::MGMT_ROLE_USERS,
    paths::MGMT_USER_ROLES,
    paths::MGMT_USER_PERMISSIONS,
    paths::MGMT_CLIENTS,
    paths::MGMT_CLIENT,
    paths::MGMT_CONNECTIONS,
    paths::MGMT_CONNECTION,
    paths::MGMT_RESOURCE_SERVERS,
    paths::MGMT_RESOURCE_SERVER,
    paths::MGMT_CLIENT_GRANTS,
    paths::MGMT_CLIENT_GRANT,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verb {
    List,
    Create,
    Get,
    Update,
    Delete,
}

impl Verb {
    const ALL: [Verb; 5] = [Verb::List, Verb::Create, Verb::Get, Verb::Update, Verb::Delete];

    fn as_str(self) -> &'static str {
        match self {
            Verb::List => "list",
            Verb::Create => "create",
            Verb::Get => "get",
            Verb::Update => "update",
            Verb::Delete => "delete",
        }
    }

    fn of(method: &Method, item: bool) -> Option<Verb> {
        match *method {
            Method::GET | Method::HEAD => Some(if item { Verb::Get } else { Verb::List }),
            Method::POST => Some(Verb::Create),
            Method::PATCH | Method::PUT => Some(Verb::Update),
            Method::DELETE => Some(Verb::Delete),
            _ => None,
        }
    }

    /// The verbs a route of this shape can have, for the catalogue.
    fn applies(self, item: bool) -> bool {
        match self {
            Verb::List | Verb::Create => !item,
            Verb::Get | Verb::Update => item,
            Verb::Delete => true,
        }
    }
}

struct Names {
    authn: HashMap<&'static str, Arc<str>>,
    /// Per Management route: whether it names an item, and its name per verb.
    mgmt: HashMap<&'static str, (bool, [Arc<str>; 5])>,
    catalog: Vec<String>,
}

fn names() -> &'static Names {
    static NAMES: OnceLock<Names> = OnceLock::new();
    NAMES.get_or_init(|| {
        let authn: HashMap<_, _> = AUTHN.iter().map(|(path, name)| (*path, Arc::<str>::from(*name))).collect();
        let mgmt: HashMap<_, _> = MGMT
            .iter()
            .map(|path| {
                let (base, item) = mgmt_base(path);
                (*path, (item, Verb::ALL.map(|v| Arc::<str>::from(format!("{base}.{}", v.as_str())))))
            })
            .collect();
        let mut catalog: Vec<String> = AUTHN.iter().map(|(_, name)| (*name).to_owned()).collect();
        for (item, verbs) in mgmt.values() {
            catalog.extend(Verb::ALL.iter().zip(verbs).filter(|(v, _)| v.applies(*item)).map(|(_, n)| n.to_string()));
        }
        catalog.sort();
        catalog.dedup();
        Names { authn, mgmt, catalog }
    })
}

/// `mgmt.users.roles` and whether the route ends in an `{id}`.
fn mgmt_base(path: &str) -> (String, bool) {
    let rest = path.strip_prefix(paths::MANAGEMENT_PREFIX).unwrap_or(path);
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let item = segments.last().is_some_and(|s| s.starts_with('{'));
    let literal: Vec<String> = segments.iter().filter(|s| !s.starts_with('{')).map(|s| s.replace('-', "_")).collect();
    (format!("mgmt.{}", literal.join(".")), item)
}

/// The endpoint name of a request that matched the route `template`.
pub fn name(method: &Method, template: &str) -> Option<Arc<str>> {
    let names = names();
    if let Some(name) = names.authn.get(template) {
        return Some(name.clone());
    }
    if let Some((item, verbs)) = names.mgmt.get(template) {
        let verb = Verb::of(method, *item)?;
        return Verb::ALL.iter().position(|v| *v == verb).map(|i| verbs[i].clone());
    }
    // A route added after this table: derive its name the same way.
    if template.starts_with("/api/v2/") {
        let (base, item) = mgmt_base(template);
        let verb = Verb::of(method, item)?;
        return Some(Arc::from(format!("{base}.{}", verb.as_str())));
    }
    None
}

/// Every endpoint name a rule may use, sorted.
pub fn catalog() -> &'static [String] {
    &names().catalog
}

/// Accepts a known name or a glob matching at least one; otherwise says what was meant.
pub fn check_pattern(pattern: &str) -> Result<(), String> {
    let glob = super::matcher::Pattern::new(pattern);
    if catalog().iter().any(|name| glob.matches(name)) {
        return Ok(());
    }
    match closest(pattern, catalog().iter().map(String::as_str)) {
        Some(near) => Err(format!("unknown endpoint {pattern:?} (did you mean {near:?}?)")),
        None => Err(format!("unknown endpoint {pattern:?} (known: {})", catalog().join(", "))),
    }
}

/// The candidate nearest to `word` by edit distance, when it is near enough to be a typo.
pub fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != *cb)).min(row[j] + 1).min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authentication_routes_have_fixed_names() {
        assert_eq!(name(&Method::POST, paths::TOKEN).as_deref(), Some("token"));
        assert_eq!(name(&Method::GET, paths::USERINFO).as_deref(), Some("userinfo"));
        assert_eq!(name(&Method::POST, paths::USERINFO).as_deref(), Some("userinfo"));
        assert_eq!(name(&Method::GET, paths::OAUTH_AS_METADATA).as_deref(), Some("discovery"));
    }

    #[test]
    fn management_routes_are_named_by_path_and_verb() {
        assert_eq!(name(&Method::POST, paths::MGMT_USERS).as_deref(), Some("mgmt.users.create"));
        assert_eq!(name(&Method::GET, paths::MGMT_USERS).as_deref(), Some("mgmt.users.list"));
        assert_eq!(name(&Method::GET, paths::MGMT_USER).as_deref(), Some("mgmt.users.get"));
        assert_eq!(name(&Method::PATCH, paths::MGMT_USER).as_deref(), Some("mgmt.users.update"));
        assert_eq!(name(&Method::DELETE, paths::MGMT_USER_ROLES).as_deref(), Some("mgmt.users.roles.delete"));
        assert_eq!(name(&Method::POST, paths::MGMT_JOBS_IMPORT).as_deref(), Some("mgmt.jobs.users_imports.create"));
        assert_eq!(name(&Method::GET, "/api/v2/organizations/{id}").as_deref(), Some("mgmt.organizations.get"));
        assert_eq!(name(&Method::GET, "/nowhere"), None);
    }

    #[test]
    fn the_catalogue_lists_only_verbs_a_route_shape_can_have() {
        let catalog = catalog();
        assert!(catalog.iter().any(|n| n == "mgmt.users.list"));
        assert!(catalog.iter().any(|n| n == "mgmt.users.update"));
        assert!(!catalog.iter().any(|n| n == "mgmt.roles.permissions.get"));
        assert!(check_pattern("mgmt.users.*").is_ok());
        assert_eq!(check_pattern("userinf"), Err("unknown endpoint \"userinf\" (did you mean \"userinfo\"?)".into()));
    }
}
