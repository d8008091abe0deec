//! Latency specifications and durations: how a rule says "wait", in JSON (a number of
//! milliseconds, a string with a unit such as `"250ms"`, or an object) and in text.

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::rule::MAX_DELAY_MS;

/// An injected delay before the response (or the action).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Latency {
    Fixed { ms: u64 },
    Uniform { min_ms: u64, max_ms: u64 },
    /// Log-normal with this median; `sigma` is the standard deviation of the log.
    LogNormal { median_ms: u64, sigma: f64 },
}

impl Latency {
    /// Reads `"50ms"` (fixed) or `"20ms..80ms"` (uniform).
    pub fn parse_text(text: &str) -> Result<Self, String> {
        match text.split_once("..") {
            Some((lo, hi)) => Ok(Latency::Uniform { min_ms: parse_duration(lo)?, max_ms: parse_duration(hi)? }),
            None => Ok(Latency::Fixed { ms: parse_duration(text)? }),
        }
    }

    fn from_value(value: &Value) -> Result<Self, String> {
        match value {
            Value::Number(_) => Ok(Latency::Fixed { ms: ms_of(value)? }),
            Value::String(text) => Self::parse_text(text),
            Value::Object(map) => {
                if let Some(key) = map.keys().find(|k| !["fixed", "min", "max", "median", "sigma"].contains(&k.as_str())) {
                    return Err(format!("unknown field {key:?} (use fixed, min and max, or median and sigma)"));
                }
                let get = |k: &str| map.get(k).map(ms_of).transpose();
                match (get("fixed")?, get("min")?, get("max")?, get("median")?, map.get("sigma")) {
                    (Some(ms), None, None, None, None) => Ok(Latency::Fixed { ms }),
                    (None, Some(min_ms), Some(max_ms), None, None) => Ok(Latency::Uniform { min_ms, max_ms }),
                    (None, None, None, Some(median_ms), Some(sigma)) => {
                        let sigma = sigma.as_f64().ok_or("sigma: expected a number")?;
                        Ok(Latency::LogNormal { median_ms, sigma })
                    }
                    _ => Err("expected {\"fixed\": ms}, {\"min\": ms, \"max\": ms} or {\"median\": ms, \"sigma\": s}".into()),
                }
            }
            _ => Err("expected milliseconds, a string such as \"50ms\" or \"20ms..80ms\", or an object".into()),
        }
    }

    pub(super) fn validate(&self) -> Result<(), String> {
        let too_long = |ms: u64| ms > MAX_DELAY_MS;
        match *self {
            Latency::Fixed { ms } if too_long(ms) => Err(format!("at most {MAX_DELAY_MS} ms")),
            Latency::Uniform { min_ms, max_ms } if min_ms > max_ms => Err("min is above max".into()),
            Latency::Uniform { max_ms, .. } if too_long(max_ms) => Err(format!("at most {MAX_DELAY_MS} ms")),
            Latency::LogNormal { median_ms, .. } if too_long(median_ms) => Err(format!("at most {MAX_DELAY_MS} ms")),
            Latency::LogNormal { sigma, .. } if !(0.0..=4.0).contains(&sigma) => Err("sigma must be between 0 and 4".into()),
            _ => Ok(()),
        }
    }
}

impl Serialize for Latency {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let value = match *self {
            Latency::Fixed { ms } => serde_json::json!({ "fixed": ms }),
            Latency::Uniform { min_ms, max_ms } => serde_json::json!({ "min": min_ms, "max": max_ms }),
            Latency::LogNormal { median_ms, sigma } => serde_json::json!({ "median": median_ms, "sigma": sigma }),
        };
        value.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Latency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Latency::from_value(&value).map_err(de::Error::custom)
    }
}

/// A duration with a unit (`250ms`, `2s`, `1m`, `1h`) in milliseconds. A bare number is refused:
/// in text the unit is never implied.
pub fn parse_duration(text: &str) -> Result<u64, String> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{text:?} needs a unit, e.g. {text}ms or {text}s"));
    }
    match crate::clock::parse_duration_ms(text) {
        Some(ms) if ms >= 0 => Ok(ms.unsigned_abs()),
        Some(_) => Err(format!("{text:?} is negative")),
        None => Err(format!("cannot read {text:?} as a duration (use e.g. 250ms, 2s, 1m)")),
    }
}

/// A JSON duration: milliseconds as a number, or a string with a unit.
fn ms_of(value: &Value) -> Result<u64, String> {
    match value {
        Value::Number(n) => n.as_u64().ok_or_else(|| format!("{n} is not a whole, non-negative number of milliseconds")),
        Value::String(s) => parse_duration(s),
        _ => Err("expected milliseconds or a string such as \"250ms\"".into()),
    }
}

pub(super) fn de_ms<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    ms_of(&Value::deserialize(deserializer)?).map_err(de::Error::custom)
}

pub(super) fn ser_ms<S: Serializer>(ms: &u64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_u64(*ms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn latency_accepts_numbers_text_and_objects() {
        let of = |v: Value| serde_json::from_value::<Latency>(v).expect("latency");
        assert_eq!(of(json!(50)), Latency::Fixed { ms: 50 });
        assert_eq!(of(json!("2s")), Latency::Fixed { ms: 2000 });
        assert_eq!(of(json!("20ms..80ms")), Latency::Uniform { min_ms: 20, max_ms: 80 });
        assert_eq!(of(json!({"median": 100, "sigma": 0.5})), Latency::LogNormal { median_ms: 100, sigma: 0.5 });
        let err = serde_json::from_value::<Latency>(json!("50")).expect_err("no unit");
        assert!(err.to_string().contains("needs a unit"), "{err}");
    }
}
