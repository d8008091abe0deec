//! The login session cookie: its name, reading it from a request, and the `Set-Cookie` values
//! that start and end it. The sessions themselves live in the tenant's
//! [`AuthStore`](crate::tenant::auth_store::AuthStore), keyed by the cookie's value (which is
//! also the `sid` claim of the ID tokens the session yields).
//!
//! The name is distinctive because cookies ignore ports: an app on `localhost:3000` and the
//! emulator on `localhost:4443` share one cookie jar, and SDK cookies (`auth0.*`,
//! `com.auth0.*`, `appSession`, `__session`) must not be mistaken for ours. `SameSite=None;
//! Secure` lets the session reach the silent-authentication iframe of a same-site app (browsers
//! treat `http://localhost` as a secure context, so this holds over plain HTTP on localhost too).

use axum::http::{header, HeaderMap, HeaderValue};

use crate::clock::Millis;
use crate::tenant::auth_store::Session;
use crate::tenant::TenantData;

pub const COOKIE_NAME: &str = "auth0-emulator-session";

/// Every value of our cookie the request carries (normally one).
pub fn cookie_values(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(name, value)| *name == COOKIE_NAME && !value.is_empty())
        .map(|(_, value)| value.to_string())
        .collect()
}

/// The session the request's cookie names, if it still exists: `(sid, session)`.
pub fn current(data: &TenantData, headers: &HeaderMap) -> Option<(String, Session)> {
    cookie_values(headers).into_iter().find_map(|sid| data.auth.session(&sid).cloned().map(|s| (sid, s)))
}

/// Whether a session is young enough for `max_age` (seconds; `None` means any age).
pub fn fresh_enough(session: &Session, max_age: Option<i64>, now: Millis) -> bool {
    max_age.is_none_or(|max| now.div_euclid(1000) - session.auth_time <= max)
}

/// `Set-Cookie` that starts the session `sid`.
pub fn start(sid: &str) -> HeaderValue {
    HeaderValue::from_str(&format!("{COOKIE_NAME}={sid}; Path=/; HttpOnly; Secure; SameSite=None"))
        .unwrap_or_else(|_| HeaderValue::from_static("auth0-emulator-session=; Path=/"))
}

/// `Set-Cookie` that removes the session cookie.
pub fn end() -> HeaderValue {
    HeaderValue::from_static(
        "auth0-emulator-session=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=None",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_cookie_is_read_among_app_cookies() {
        let mut headers = HeaderMap::new();
        headers
            .insert(header::COOKIE, HeaderValue::from_static("appSession=x; auth0-emulator-session=abc; auth0.spa.is.authenticated=true"));
        headers.append(header::COOKIE, HeaderValue::from_static("auth0-emulator-session=def"));
        assert_eq!(cookie_values(&headers), vec!["abc".to_string(), "def".to_string()]);
    }

    #[test]
    fn max_age_compares_whole_seconds_since_the_login() {
        let session = Session { user_id: "u".into(), auth_time: 1_000 };
        assert!(fresh_enough(&session, None, 9_999_000));
        assert!(fresh_enough(&session, Some(60), 1_060_000));
        assert!(!fresh_enough(&session, Some(60), 1_061_000));
        assert!(!fresh_enough(&session, Some(0), 1_001_000));
    }
}
