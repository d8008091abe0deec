//! The compact one-line rule form of `--fault` (and of a JSON string posted to the control
//! API): comma-separated `key=value` pairs, values quoted with `"` or `'` when they hold commas.
//!
//! ```text
//! endpoint=token,status=503,times=2
//! endpoint=mgmt.users.*,rate_limit,limit=50,reset_after=30s
//! path=/.well-known/jwks.json,latency=2s
//! endpoint=token,grant_type=password,user=alice@example.test,status=403,error=mfa_required,message="Multifactor authentication required"
//! endpoint=userinfo,reset,probability=0.1
//! ```
//!
//! Keys: matcher `method path endpoint client_id grant_type audience user connection
//! header=name[:value]`; action `status error message` (an HTTP error), or `action=KIND` / a bare
//! `KIND` for `rate_limit reset close garbage hang slow_body`, with `limit reset_after` (rate
//! limit), `bytes` (garbage), `chunk_bytes interval` (slow body); `latency=50ms`,
//! `latency=20ms..80ms`, `sigma=0.5` (makes `latency` the median of a log-normal); `extra.NAME=VALUE`
//! adds a string field to an error body (`extra.mfa_token=…`); limits
//! `probability times after priority`; `id`. Durations need a unit (`ms`, `s`, `m`, `h`).

use super::endpoint::closest;
use super::rule::{self, Action, HeaderMatch, Latency, Rule};

/// Why a `--fault` line was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CompactError(String);

const KEYS: &[&str] = &[
    "id", "method", "path", "endpoint", "client_id", "grant_type", "audience", "user", "connection", "header", "status",
    "error", "message", "action", "limit", "reset_after", "bytes", "chunk_bytes", "interval", "latency", "sigma",
    "probability", "times", "after", "priority",
];
const KINDS: &[&str] = &["error", "rate_limit", "reset", "close", "garbage", "hang", "slow_body"];

pub fn parse(line: &str) -> Result<Rule, CompactError> {
    let pairs = split(line)?;
    let mut seen: Vec<&str> = Vec::new();
    for (key, _) in &pairs {
        if seen.contains(&key.as_str()) {
            return Err(CompactError(format!("{key} is given twice")));
        }
        seen.push(key);
    }
    let get = |key: &str| pairs.iter().find(|(k, _)| k == key).and_then(|(_, v)| v.as_deref());
    let number = |key: &str| -> Result<Option<u64>, CompactError> {
        get(key).map(|v| v.parse::<u64>().map_err(|_| CompactError(format!("{key}={v}: expected a whole number")))).transpose()
    };
    let duration = |key: &str| -> Result<Option<u64>, CompactError> {
        get(key).map(|v| rule::parse_duration(v).map_err(|m| CompactError(format!("{key}: {m}")))).transpose()
    };

    let mut kind: Option<&str> = None;
    for (key, value) in &pairs {
        let chosen = match (key.as_str(), value.as_deref()) {
            ("action", Some(k)) => Some(k),
            ("action", None) => return Err(CompactError(format!("action needs a value: one of {}", KINDS.join(", ")))),
            (k, None) if KINDS.contains(&k) => Some(k),
            (k, Some(_)) if k.strip_prefix("extra.").is_some_and(|name| !name.is_empty()) => None,
            (k, _) if !KEYS.contains(&k) && !KINDS.contains(&k) => {
                let hint = closest(k, KEYS.iter().chain(KINDS).copied()).map(|n| format!(" (did you mean {n:?}?)")).unwrap_or_default();
                return Err(CompactError(format!("unknown key {k:?}{hint}")));
            }
            (k, Some(_)) if !KEYS.contains(&k) => return Err(CompactError(format!("{k} takes no value"))),
            (k, None) => return Err(CompactError(format!("{k} needs a value ({k}=…)"))),
            ("status", Some(_)) => Some("error"),
            _ => None,
        };
        if let Some(chosen) = chosen {
            if !KINDS.contains(&chosen) {
                return Err(CompactError(format!("action={chosen}: expected one of {}", KINDS.join(", "))));
            }
            match kind {
                Some(previous) if previous != chosen => {
                    return Err(CompactError(format!("two actions given ({previous} and {chosen}); a rule has one")));
                }
                _ => kind = Some(chosen),
            }
        }
    }

    let params: &[(&str, &str)] = &[
        ("error", "error"),
        ("message", "error"),
        ("limit", "rate_limit"),
        ("reset_after", "rate_limit"),
        ("bytes", "garbage"),
        ("chunk_bytes", "slow_body"),
        ("interval", "slow_body"),
    ];
    if kind != Some("error") && pairs.iter().any(|(k, _)| k.starts_with("extra.")) {
        return Err(CompactError("extra.* only applies to error (add status=…)".into()));
    }
    for (param, owner) in params {
        if get(param).is_some() && kind != Some(owner) {
            let hint = if *owner == "error" { "status=…".to_owned() } else { owner.to_string() };
            return Err(CompactError(format!("{param} only applies to {owner} (add {hint})")));
        }
    }

    let action = match kind {
        None => None,
        Some("error") => {
            let status = number("status")?.ok_or_else(|| CompactError("an error needs status=…".into()))?;
            let status = u16::try_from(status).map_err(|_| CompactError(format!("status={status}: not an HTTP status")))?;
            let extra = pairs
                .iter()
                .filter_map(|(k, v)| Some((k.strip_prefix("extra.")?.to_owned(), serde_json::Value::String(v.clone()?))))
                .collect();
            Some(Action::Error { status, error: get("error").map(str::to_owned), message: get("message").map(str::to_owned), extra })
        }
        Some("rate_limit") => Some(Action::RateLimit {
            limit: number("limit")?
                .map(|n| u32::try_from(n).map_err(|_| CompactError(format!("limit={n}: too large"))))
                .transpose()?
                .unwrap_or_else(rule::default_limit),
            reset_after: duration("reset_after")?.unwrap_or_else(rule::default_reset_after),
        }),
        Some("reset") => Some(Action::Reset {}),
        Some("close") => Some(Action::Close {}),
        Some("hang") => Some(Action::Hang {}),
        Some("garbage") => Some(Action::Garbage {
            bytes: number("bytes")?.map_or_else(rule::default_garbage_bytes, |n| usize::try_from(n).unwrap_or(usize::MAX)),
        }),
        Some(_) => Some(Action::SlowBody {
            chunk_bytes: number("chunk_bytes")?.map_or_else(rule::default_chunk_bytes, |n| usize::try_from(n).unwrap_or(usize::MAX)),
            interval: duration("interval")?.unwrap_or_else(rule::default_interval),
        }),
    };

    let latency = match (get("latency"), get("sigma")) {
        (None, None) => None,
        (None, Some(_)) => return Err(CompactError("sigma needs latency=MEDIAN (e.g. latency=100ms,sigma=0.5)".into())),
        (Some(text), None) => Some(Latency::parse_text(text).map_err(|m| CompactError(format!("latency: {m}")))?),
        (Some(text), Some(sigma)) => {
            let median_ms = rule::parse_duration(text).map_err(|m| CompactError(format!("latency: {m} (with sigma, latency is the median)")))?;
            let sigma = sigma.parse::<f64>().map_err(|_| CompactError(format!("sigma={sigma}: expected a number")))?;
            Some(Latency::LogNormal { median_ms, sigma })
        }
    };

    let header = get("header").map(|h| match h.split_once(':') {
        Some((name, value)) => HeaderMatch { name: name.trim().to_owned(), value: Some(value.trim().to_owned()) },
        None => HeaderMatch { name: h.trim().to_owned(), value: None },
    });
    let probability = get("probability")
        .map(|p| p.parse::<f64>().map_err(|_| CompactError(format!("probability={p}: expected a number between 0 and 1"))))
        .transpose()?;
    let priority = get("priority")
        .map(|p| p.parse::<i32>().map_err(|_| CompactError(format!("priority={p}: expected a whole number"))))
        .transpose()?
        .unwrap_or(0);
    let owned = |key: &str| get(key).map(str::to_owned);
    let rule = Rule {
        id: owned("id"),
        matcher: rule::Matcher {
            method: owned("method"),
            path: owned("path"),
            endpoint: owned("endpoint"),
            client_id: owned("client_id"),
            grant_type: owned("grant_type"),
            audience: owned("audience"),
            user: owned("user"),
            connection: owned("connection"),
            header,
        },
        action,
        latency,
        probability,
        times: number("times")?,
        after: number("after")?.unwrap_or(0),
        priority,
    };
    rule.validate().map_err(|e| {
        let field = e.field.trim_start_matches("match.").trim_start_matches("action.");
        let field = if field == "action" { "rule" } else { field };
        CompactError(format!("{field}: {}", e.message))
    })?;
    Ok(rule)
}

/// Splits `a=1,b="x, y",flag` into `[("a", Some("1")), ("b", Some("x, y")), ("flag", None)]`.
fn split(line: &str) -> Result<Vec<(String, Option<String>)>, CompactError> {
    let mut pairs = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c == ',' {
                break;
            }
            key.push(c);
            chars.next();
        }
        let key = key.trim().to_owned();
        let value = if chars.peek() == Some(&'=') {
            chars.next();
            while chars.peek().is_some_and(|c| c.is_whitespace()) {
                chars.next();
            }
            let mut value = String::new();
            match chars.peek().copied() {
                Some(quote @ ('"' | '\'')) => {
                    chars.next();
                    loop {
                        match chars.next() {
                            None => return Err(CompactError(format!("{key}: the quote ({quote}) is never closed"))),
                            Some('\\') if quote == '"' => match chars.next() {
                                Some(c) => value.push(c),
                                None => return Err(CompactError(format!("{key}: the quote ({quote}) is never closed"))),
                            },
                            Some(c) if c == quote => break,
                            Some(c) => value.push(c),
                        }
                    }
                    while chars.peek().is_some_and(|c| c.is_whitespace()) {
                        chars.next();
                    }
                    if chars.peek().is_some_and(|c| *c != ',') {
                        return Err(CompactError(format!("{key}: expected a comma after the closing quote")));
                    }
                }
                _ => {
                    while let Some(&c) = chars.peek() {
                        if c == ',' {
                            break;
                        }
                        value.push(c);
                        chars.next();
                    }
                    value = value.trim().to_owned();
                }
            }
            Some(value)
        } else {
            None
        };
        if key.is_empty() {
            if value.is_some() || chars.peek() == Some(&',') {
                return Err(CompactError("a key is missing before = or between commas".into()));
            }
        } else {
            pairs.push((key, value));
        }
        match chars.next() {
            Some(',') => continue,
            None => break,
            Some(c) => return Err(CompactError(format!("unexpected {c:?}"))),
        }
    }
    if pairs.is_empty() {
        return Err(CompactError("empty rule: give at least an action or a latency, e.g. endpoint=token,status=503".into()));
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faults::rule::Matcher;

    fn err(line: &str) -> String {
        parse(line).expect_err(line).to_string()
    }

    #[test]
    fn an_error_rule_reads_like_a_sentence() {
        let rule = parse("endpoint=token,status=503,times=2").expect("valid");
        assert_eq!(
            rule,
            Rule {
                id: None,
                matcher: Matcher { endpoint: Some("token".into()), ..Matcher::default() },
                action: Some(Action::Error { status: 503, error: None, message: None, extra: Default::default() }),
                latency: None,
                probability: None,
                times: Some(2),
                after: 0,
                priority: 0,
            }
        );
    }

    #[test]
    fn quoted_values_keep_their_commas_and_escapes() {
        let rule = parse(r#"endpoint=token, status=403, error=mfa_required, message="Multifactor, \"required\"""#).expect("valid");
        assert_eq!(
            rule.action,
            Some(Action::Error {
                status: 403,
                error: Some("mfa_required".into()),
                message: Some("Multifactor, \"required\"".into()),
                extra: Default::default()
            })
        );
        let rule = parse("path=/x,status=500,message='a, b',extra.mfa_token=Fe26").expect("single quotes");
        assert!(matches!(&rule.action, Some(Action::Error { extra, .. }) if extra["mfa_token"] == "Fe26"));
        assert!(matches!(rule.action, Some(Action::Error { message: Some(m), .. }) if m == "a, b"));
    }

    #[test]
    fn bare_kinds_and_action_keys_choose_the_action() {
        assert_eq!(parse("endpoint=jwks,reset").expect("reset").action, Some(Action::Reset {}));
        assert_eq!(parse("endpoint=jwks,action=hang").expect("hang").action, Some(Action::Hang {}));
        assert_eq!(
            parse("endpoint=mgmt.users.*,rate_limit,limit=50,reset_after=30s").expect("rl").action,
            Some(Action::RateLimit { limit: 50, reset_after: 30_000 })
        );
        assert_eq!(parse("garbage,bytes=8").expect("garbage").action, Some(Action::Garbage { bytes: 8 }));
        assert_eq!(
            parse("slow_body,chunk_bytes=4,interval=50ms").expect("slow").action,
            Some(Action::SlowBody { chunk_bytes: 4, interval: 50 })
        );
    }

    #[test]
    fn latency_forms_and_limits() {
        let rule = parse("latency=20ms..80ms,probability=0.25,after=1,priority=-3,id=slow").expect("valid");
        assert_eq!(rule.latency, Some(Latency::Uniform { min_ms: 20, max_ms: 80 }));
        assert_eq!((rule.probability, rule.after, rule.priority, rule.id.as_deref()), (Some(0.25), 1, -3, Some("slow")));
        let rule = parse("latency=100ms,sigma=0.5").expect("lognormal");
        assert_eq!(rule.latency, Some(Latency::LogNormal { median_ms: 100, sigma: 0.5 }));
        let rule = parse("header=x-test: on,latency=1s").expect("header");
        assert_eq!(rule.matcher.header, Some(HeaderMatch { name: "x-test".into(), value: Some("on".into()) }));
    }

    #[test]
    fn mistakes_get_pointed_errors() {
        assert_eq!(err("endpoint=token,statsu=503"), "unknown key \"statsu\" (did you mean \"status\"?)");
        assert_eq!(err("endpoint=tokn,status=503"), "endpoint: unknown endpoint \"tokn\" (did you mean \"token\"?)");
        assert_eq!(err("endpoint=token,status=abc"), "status=abc: expected a whole number");
        assert_eq!(err("endpoint=token,status=200"), "status: 200 is not an error status (400-599)");
        assert_eq!(err("endpoint=token,status=503,reset"), "two actions given (error and reset); a rule has one");
        assert_eq!(err("endpoint=token,limit=5,status=429"), "limit only applies to rate_limit (add rate_limit)");
        assert_eq!(err("endpoint=token,error=x"), "error only applies to error (add status=…)");
        assert_eq!(err("endpoint=token"), "rule: a rule needs an action, a latency, or both");
        assert_eq!(err("latency=50"), "latency: \"50\" needs a unit, e.g. 50ms or 50s");
        assert_eq!(err("status=503,times=0"), "times: must be at least 1 (delete the rule to disable it)");
        assert_eq!(err("status=503,times=1,times=2"), "times is given twice");
        assert_eq!(err("status=503,message=\"open"), "message: the quote (\") is never closed");
        assert_eq!(err("status=503,,times=1"), "a key is missing before = or between commas");
        assert_eq!(err(""), "empty rule: give at least an action or a latency, e.g. endpoint=token,status=503");
        assert_eq!(err("action=explode"), "action=explode: expected one of error, rate_limit, reset, close, garbage, hang, slow_body");
        assert_eq!(err("endpoint=token,reset,extra.x=1"), "extra.* only applies to error (add status=…)");
        assert_eq!(err("sigma=0.5"), "sigma needs latency=MEDIAN (e.g. latency=100ms,sigma=0.5)");
        assert_eq!(err("status=503,probability=2"), "probability: 2 is not between 0 and 1");
    }
}
