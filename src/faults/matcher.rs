//! Matching: a rule's [`Matcher`] compiled once into [`Compiled`], tested against the
//! [`RequestInfo`] the middleware read from a request.

use std::sync::Arc;

use axum::http::{HeaderMap, HeaderName, Method};

use super::rule::{InvalidRule, Matcher};

/// A string pattern: exact, or a glob where `*` matches any run of characters (`/` included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pattern {
    Exact(String),
    Glob(Vec<String>),
}

impl Pattern {
    pub fn new(text: &str) -> Self {
        if text.contains('*') {
            Pattern::Glob(text.split('*').map(str::to_owned).collect())
        } else {
            Pattern::Exact(text.to_owned())
        }
    }

    pub fn matches(&self, text: &str) -> bool {
        match self {
            Pattern::Exact(exact) => exact == text,
            Pattern::Glob(parts) => glob_matches(parts, text),
        }
    }
}

/// `parts` are the pieces between the `*`s (so there are at least two).
fn glob_matches(parts: &[String], text: &str) -> bool {
    let (Some(first), Some(last)) = (parts.first(), parts.last()) else {
        return false;
    };
    if text.len() < first.len() + last.len() || !text.starts_with(first.as_str()) || !text.ends_with(last.as_str()) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle.as_str()) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    true
}

/// The Auth0 notions a request carries, as far as the middleware read them.
#[derive(Debug, Clone, Default)]
pub struct RequestInfo {
    pub method: Method,
    pub path: String,
    pub endpoint: Option<Arc<str>>,
    /// From the body's `client_id`, Basic auth, or a bearer JWT's `azp`/`client_id`.
    pub client_id: Option<String>,
    pub grant_type: Option<String>,
    pub audience: Option<String>,
    pub username: Option<String>,
    pub email: Option<String>,
    /// A bearer JWT's `sub` (read, not verified).
    pub subject: Option<String>,
    /// The body's `connection`, else its `realm`.
    pub connection: Option<String>,
}

/// A matcher ready to test requests.
#[derive(Debug, Clone)]
pub struct Compiled {
    method: Option<Method>,
    path: Option<Pattern>,
    endpoint: Option<Pattern>,
    client_id: Option<Pattern>,
    grant_type: Option<Pattern>,
    audience: Option<Pattern>,
    /// Lowercased: emails compare without case.
    user: Option<Pattern>,
    connection: Option<Pattern>,
    header: Option<(HeaderName, Option<Pattern>)>,
}

impl Compiled {
    pub fn new(matcher: &Matcher) -> Result<Self, InvalidRule> {
        let method = match &matcher.method {
            Some(m) => Some(
                Method::from_bytes(m.to_ascii_uppercase().as_bytes())
                    .map_err(|_| InvalidRule::new("match.method", format!("{m:?} is not an HTTP method")))?,
            ),
            None => None,
        };
        let header = match &matcher.header {
            Some(h) => {
                let name = HeaderName::from_bytes(h.name.as_bytes())
                    .map_err(|_| InvalidRule::new("match.header.name", format!("{:?} is not a header name", h.name)))?;
                Some((name, h.value.as_deref().map(Pattern::new)))
            }
            None => None,
        };
        let pattern = |v: &Option<String>| v.as_deref().map(Pattern::new);
        Ok(Self {
            method,
            path: pattern(&matcher.path),
            endpoint: pattern(&matcher.endpoint),
            client_id: pattern(&matcher.client_id),
            grant_type: pattern(&matcher.grant_type),
            audience: pattern(&matcher.audience),
            user: matcher.user.as_deref().map(|u| Pattern::new(&u.to_lowercase())),
            connection: pattern(&matcher.connection),
            header,
        })
    }

    /// Whether matching needs fields only the request body carries.
    pub fn needs_body(&self) -> bool {
        self.client_id.is_some()
            || self.grant_type.is_some()
            || self.audience.is_some()
            || self.user.is_some()
            || self.connection.is_some()
    }

    pub fn matches(&self, request: &RequestInfo, headers: &HeaderMap) -> bool {
        fn field(pattern: &Option<Pattern>, value: Option<&str>) -> bool {
            match pattern {
                None => true,
                Some(p) => value.is_some_and(|v| p.matches(v)),
            }
        }
        self.method.as_ref().is_none_or(|m| *m == request.method)
            && field(&self.path, Some(&request.path))
            && field(&self.endpoint, request.endpoint.as_deref())
            && field(&self.client_id, request.client_id.as_deref())
            && field(&self.grant_type, request.grant_type.as_deref())
            && field(&self.audience, request.audience.as_deref())
            && field(&self.connection, request.connection.as_deref())
            && self.user.as_ref().is_none_or(|p| {
                [&request.email, &request.username, &request.subject]
                    .into_iter()
                    .flatten()
                    .any(|u| p.matches(&u.to_lowercase()))
            })
            && self.header.as_ref().is_none_or(|(name, value)| {
                headers.get_all(name).iter().any(|v| value.as_ref().is_none_or(|p| v.to_str().is_ok_and(|v| p.matches(v))))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faults::rule::HeaderMatch;

    #[test]
    fn globs_match_any_run_of_characters() {
        let p = Pattern::new("/api/v2/users/*");
        assert!(p.matches("/api/v2/users/auth0|1"));
        assert!(p.matches("/api/v2/users/auth0|1/roles"));
        assert!(!p.matches("/api/v2/users"));
        assert!(Pattern::new("*password-realm").matches("http://auth0.com/oauth/grant-type/password-realm"));
        assert!(Pattern::new("a*b*c").matches("abc"));
        assert!(!Pattern::new("a*b*c").matches("acb"));
        assert!(!Pattern::new("ab*ba").matches("aba"));
        assert!(Pattern::new("*").matches(""));
    }

    #[test]
    fn every_given_field_must_match() {
        let matcher = Matcher {
            method: Some("post".into()),
            endpoint: Some("token".into()),
            client_id: Some("m2m-client".into()),
            user: Some("Alice@Example.test".into()),
            header: Some(HeaderMatch { name: "x-test".into(), value: Some("on*".into()) }),
            ..Matcher::default()
        };
        let compiled = Compiled::new(&matcher).expect("compiles");
        assert!(compiled.needs_body());
        let request = RequestInfo {
            method: Method::POST,
            path: "/oauth/token".into(),
            endpoint: Some(Arc::from("token")),
            client_id: Some("m2m-client".into()),
            email: Some("alice@example.test".into()),
            ..RequestInfo::default()
        };
        let mut headers = HeaderMap::new();
        assert!(!compiled.matches(&request, &headers));
        headers.insert("x-test", "one".parse().expect("value"));
        assert!(compiled.matches(&request, &headers));
        let other_client = RequestInfo { client_id: Some("spa".into()), ..request.clone() };
        assert!(!compiled.matches(&other_client, &headers));
        let get = RequestInfo { method: Method::GET, ..request };
        assert!(!compiled.matches(&get, &headers));
    }
}
