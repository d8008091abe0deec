//! Reading a request's Auth0 notions ([`RequestInfo`]) for rules and the journal.
//!
//! Headers are always read (Basic auth's client id, a bearer JWT's `azp` and `sub` — decoded,
//! never verified). The body is read only when asked: it is buffered (form or JSON, with a
//! `Content-Length` of at most [`MAX_INSPECTED_BODY`]), its few fields picked out, and handed on
//! to the handler unchanged.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap};
use base64::Engine;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::matcher::RequestInfo;
use crate::tokens::verify::VerifiedTokens;

/// Bodies larger than this are passed on unread (their fields stay unknown).
pub const MAX_INSPECTED_BODY: u64 = 64 * 1024;

/// Reads the request's notions; returns the request (rebuilt when its body was read).
/// `known` holds the claims of tokens the tenant has verified, which spares decoding them again.
pub async fn read(request: Request, endpoint: Option<Arc<str>>, with_body: bool, known: &VerifiedTokens) -> (Request, RequestInfo) {
    let mut info = read_head(&request, endpoint, known);
    if !with_body || !inspectable(request.headers()) {
        return (request, info);
    }
    let (parts, body) = request.into_parts();
    let json = is_json(&parts.headers);
    // The limit is the declared length, so this fails only on a broken connection, which the
    // handler would have seen too; it then gets an empty body.
    let bytes = axum::body::to_bytes(body, usize::try_from(MAX_INSPECTED_BODY).unwrap_or(usize::MAX)).await.unwrap_or_default();
    if json {
        from_json(&bytes, &mut info);
    } else {
        from_form(&bytes, &mut info);
    }
    (Request::from_parts(parts, Body::from(bytes)), info)
}

/// What the request line and headers say, the body left unread.
pub fn read_head(request: &Request, endpoint: Option<Arc<str>>, known: &VerifiedTokens) -> RequestInfo {
    let mut info = RequestInfo {
        method: request.method().clone(),
        path: request.uri().path().to_owned(),
        endpoint,
        ..RequestInfo::default()
    };
    from_authorization(request.headers(), &mut info, known);
    info
}

fn is_json(headers: &HeaderMap) -> bool {
    content_type(headers).is_some_and(|ct| ct.starts_with("application/json"))
}

fn content_type(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok())
}

fn inspectable(headers: &HeaderMap) -> bool {
    let form_or_json = content_type(headers)
        .is_some_and(|ct| ct.starts_with("application/json") || ct.starts_with("application/x-www-form-urlencoded"));
    let length = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    form_or_json && length.is_some_and(|n| n > 0 && n <= MAX_INSPECTED_BODY)
}

fn from_authorization(headers: &HeaderMap, info: &mut RequestInfo, known: &VerifiedTokens) {
    let Some(value) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
        return;
    };
    if let Some(basic) = value.strip_prefix("Basic ") {
        let decoded = base64::engine::general_purpose::STANDARD.decode(basic.trim()).ok();
        let pair = decoded.as_deref().and_then(|d| std::str::from_utf8(d).ok());
        if let Some((user, _)) = pair.and_then(|p| p.split_once(':')) {
            // RFC 6749 §2.3.1: each half is form-urlencoded before base64.
            info.client_id = url::form_urlencoded::parse(user.as_bytes()).next().map(|(k, _)| k.into_owned());
        }
    } else if let Some(token) = value.strip_prefix("Bearer ") {
        if let Some(claims) = known.cached(token.trim()) {
            from_claims(&claims, info);
            return;
        }
        let mut segments = token.trim().split('.');
        if let (Some(_), Some(payload), Some(_), None) = (segments.next(), segments.next(), segments.next(), segments.next()) {
            #[derive(Deserialize)]
            struct Claims {
                azp: Option<String>,
                client_id: Option<String>,
                sub: Option<String>,
            }
            let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok();
            if let Some(claims) = bytes.and_then(|b| serde_json::from_slice::<Claims>(&b).ok()) {
                info.client_id = claims.azp.or(claims.client_id);
                info.subject = claims.sub;
            }
        }
    }
}

/// What decoding the payload below would give, read from claims already decoded: the client and
/// subject when each is a string or absent, nothing when one has another type.
fn from_claims(claims: &Map<String, Value>, info: &mut RequestInfo) {
    let text = |name: &str| match claims.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(()),
    };
    if let (Ok(azp), Ok(client_id), Ok(sub)) = (text("azp"), text("client_id"), text("sub")) {
        info.client_id = azp.or(client_id);
        info.subject = sub;
    }
}

/// The body fields rules and the journal read.
#[derive(Default, Deserialize)]
#[serde(default)]
struct Fields {
    client_id: Option<Value>,
    grant_type: Option<Value>,
    audience: Option<Value>,
    username: Option<Value>,
    email: Option<Value>,
    connection: Option<Value>,
    realm: Option<Value>,
}

fn from_json(bytes: &[u8], info: &mut RequestInfo) {
    let Ok(fields) = serde_json::from_slice::<Fields>(bytes) else {
        return;
    };
    let text = |v: Option<Value>| match v {
        Some(Value::String(s)) => Some(s),
        _ => None,
    };
    set(info, "client_id", text(fields.client_id));
    set(info, "grant_type", text(fields.grant_type));
    set(info, "audience", text(fields.audience));
    set(info, "username", text(fields.username));
    set(info, "email", text(fields.email));
    set(info, "realm", text(fields.realm));
    set(info, "connection", text(fields.connection));
}

fn from_form(bytes: &[u8], info: &mut RequestInfo) {
    for (key, value) in url::form_urlencoded::parse(bytes) {
        set(info, &key, Some(value.into_owned()));
    }
}

/// A body field; body values win over what the headers said, `connection` over `realm`.
fn set(info: &mut RequestInfo, key: &str, value: Option<String>) {
    let Some(value) = value.filter(|v| !v.is_empty()) else {
        return;
    };
    match key {
        "client_id" => info.client_id = Some(value),
        "grant_type" => info.grant_type = Some(value),
        "audience" => info.audience = Some(value),
        "username" => info.username = Some(value),
        "email" => info.email = Some(value.to_lowercase()),
        "connection" => info.connection = Some(value),
        "realm" if info.connection.is_none() => info.connection = Some(value),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn info_of(request: Request) -> (RequestInfo, Vec<u8>) {
        let (request, info) = read(request, None, true, &VerifiedTokens::default()).await;
        let body = axum::body::to_bytes(request.into_body(), 1 << 20).await.expect("body");
        (info, body.to_vec())
    }

    #[tokio::test]
    async fn form_bodies_are_read_and_handed_on_unchanged() {
        let body = "grant_type=client_credentials&client_id=m2m&audience=https%3A%2F%2Fapi%2F";
        let request = Request::post("/oauth/token")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("content-length", body.len())
            .body(Body::from(body))
            .expect("request");
        let (info, bytes) = info_of(request).await;
        assert_eq!(bytes, body.as_bytes());
        assert_eq!(info.grant_type.as_deref(), Some("client_credentials"));
        assert_eq!(info.client_id.as_deref(), Some("m2m"));
        assert_eq!(info.audience.as_deref(), Some("https://api/"));
    }

    #[tokio::test]
    async fn json_bodies_give_user_and_realm() {
        let body = r#"{"grant_type":"password","username":"Alice@Example.test","realm":"db","client_id":null}"#;
        let request = Request::post("/oauth/token")
            .header("content-type", "application/json")
            .header("content-length", body.len())
            .header("authorization", "Basic c3BhJTIwMTpzZWNyZXQ=")
            .body(Body::from(body))
            .expect("request");
        let (info, _) = info_of(request).await;
        assert_eq!(info.client_id.as_deref(), Some("spa 1"));
        assert_eq!(info.username.as_deref(), Some("Alice@Example.test"));
        assert_eq!(info.connection.as_deref(), Some("db"));
    }

    #[tokio::test]
    async fn bearer_jwts_name_their_client_and_subject() {
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"azp":"m2m","sub":"m2m@clients"}"#);
        let request = Request::get("/api/v2/users")
            .header("authorization", format!("Bearer e30.{payload}.sig"))
            .body(Body::empty())
            .expect("request");
        let (_, info) = read(request, None, false, &VerifiedTokens::default()).await;
        assert_eq!((info.client_id.as_deref(), info.subject.as_deref()), (Some("m2m"), Some("m2m@clients")));
    }
}
