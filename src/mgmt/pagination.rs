//! Paging for Management API lists (reference §10), shared by every list endpoint but users:
//! offset pages (`page`, `per_page`, `include_totals` → a bare array, or an envelope with
//! `start`, `limit` and `total`) and checkpoint pages (`from`, `take` → `{items, next}`, with
//! `next` absent on the last page). A checkpoint is the base64 of the last key returned, and
//! items come in key order, so a page boundary survives writes between calls.

use std::collections::HashMap;

use base64::Engine;
use serde::Serialize;
use serde_json::{Map, Value};

use super::error::{ErrorCode, MgmtError};

/// What an endpoint accepts.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub default_per_page: u64,
    /// Whether `from`/`take` are understood (otherwise they are ignored).
    pub checkpoint: bool,
}

impl Limits {
    pub const OFFSET: Limits = Limits { default_per_page: 50, checkpoint: false };
    pub const CHECKPOINT: Limits = Limits { default_per_page: 50, checkpoint: true };
}

/// Where the totals go in the envelope: Auth0 puts them after the items on the RBAC lists
/// (`{"roles":[…],"start","limit","total"}`) and before them on configuration lists
/// (`{"total","start","limit","clients":[…]}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Envelope {
    ItemsFirst,
    TotalsFirst,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paging {
    pub page: u64,
    pub per_page: u64,
    pub include_totals: bool,
    /// Set when `from` or `take` was given on an endpoint with checkpoint paging.
    pub checkpoint: Option<Checkpoint>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The decoded key of the last item already seen.
    pub after: Option<String>,
    pub take: usize,
}

pub fn query_error(message: impl Into<String>) -> MgmtError {
    MgmtError::bad_request(message, ErrorCode::InvalidQueryString)
}

fn invalid(name: &str, value: &str) -> MgmtError {
    query_error(format!("Query validation error: 'Invalid value {value}' on property {name}."))
}

fn number(q: &HashMap<String, String>, name: &str, default: u64, min: u64, max: u64) -> Result<u64, MgmtError> {
    match q.get(name) {
        None => Ok(default),
        Some(v) => v.parse::<u64>().ok().filter(|n| (min..=max).contains(n)).ok_or_else(|| invalid(name, v)),
    }
}

/// A boolean query parameter (`true`/`false`).
pub fn flag(q: &HashMap<String, String>, name: &str) -> Result<Option<bool>, MgmtError> {
    match q.get(name).map(String::as_str) {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(other) => Err(query_error(format!("Query validation error: 'Expected type boolean but found type string' on property {name} ({other})."))),
    }
}

impl Paging {
    pub fn from_query(q: &HashMap<String, String>, limits: Limits) -> Result<Self, MgmtError> {
        let page = number(q, "page", 0, 0, u64::from(u32::MAX))?;
        let per_page = number(q, "per_page", limits.default_per_page, 1, 100)?;
        let include_totals = flag(q, "include_totals")?.unwrap_or(false);
        let checkpoint = if limits.checkpoint && (q.contains_key("from") || q.contains_key("take")) {
            let take = usize::try_from(number(q, "take", 50, 1, 100)?).unwrap_or(50);
            let after = match q.get("from").filter(|f| !f.is_empty()) {
                None => None,
                Some(from) => {
                    let bytes = base64::engine::general_purpose::STANDARD.decode(from).map_err(|_| invalid("from", from))?;
                    Some(String::from_utf8(bytes).map_err(|_| invalid("from", from))?)
                }
            };
            Some(Checkpoint { after, take })
        } else {
            None
        };
        Ok(Self { page, per_page, include_totals, checkpoint })
    }

    /// One page of `items` under `key`. Checkpoint pages sort by `cursor`; offset pages keep the
    /// order given.
    pub fn respond<T: Serialize>(&self, mut items: Vec<T>, key: &str, envelope: Envelope, cursor: impl Fn(&T) -> String) -> Value {
        let render = |items: &[T]| items.iter().map(|i| serde_json::to_value(i).unwrap_or(Value::Null)).collect::<Vec<Value>>();
        if let Some(checkpoint) = &self.checkpoint {
            items.sort_by_cached_key(|i| cursor(i));
            let start = checkpoint.after.as_ref().map_or(0, |after| items.partition_point(|i| cursor(i) <= *after));
            let end = start.saturating_add(checkpoint.take).min(items.len());
            let page = &items[start..end];
            let mut body = Map::new();
            body.insert(key.into(), Value::Array(render(page)));
            if let Some(last) = page.last().filter(|_| end < items.len()) {
                body.insert("next".into(), base64::engine::general_purpose::STANDARD.encode(cursor(last)).into());
            }
            return Value::Object(body);
        }
        let total = items.len();
        let start = usize::try_from(self.page.saturating_mul(self.per_page)).unwrap_or(usize::MAX).min(total);
        let end = start.saturating_add(usize::try_from(self.per_page).unwrap_or(100)).min(total);
        let page = Value::Array(render(&items[start..end]));
        if !self.include_totals {
            return page;
        }
        let start = self.page.saturating_mul(self.per_page);
        let mut body = Map::new();
        match envelope {
            Envelope::ItemsFirst => {
                body.insert(key.into(), page);
                body.insert("start".into(), start.into());
                body.insert("limit".into(), self.per_page.into());
                body.insert("total".into(), total.into());
            }
            Envelope::TotalsFirst => {
                body.insert("total".into(), total.into());
                body.insert("start".into(), start.into());
                body.insert("limit".into(), self.per_page.into());
                body.insert(key.into(), page);
            }
        }
        Value::Object(body)
    }
}

/// Every value of a repeatable parameter (`strategy=a&strategy=b` or `strategy=a,b`).
pub fn query_all(raw: Option<&str>, name: &str) -> Vec<String> {
    url::form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .filter(|(k, _)| k == name)
        .flat_map(|(_, v)| v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect::<Vec<_>>())
        .collect()
}

/// `fields` / `include_fields`: keeps (or drops) the named top-level properties.
#[derive(Debug, Clone, Default)]
pub struct Fields {
    names: Vec<String>,
    include: bool,
}

impl Fields {
    pub fn from_query(q: &HashMap<String, String>) -> Result<Self, MgmtError> {
        let names = q.get("fields").map(|f| f.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()).unwrap_or_default();
        Ok(Self { names, include: flag(q, "include_fields")?.unwrap_or(true) })
    }

    pub fn apply(&self, mut value: Value) -> Value {
        if let (false, Value::Object(map)) = (self.names.is_empty(), &mut value) {
            map.retain(|k, _| self.names.iter().any(|n| n == k) == self.include);
        }
        value
    }
}

/// A rendered item with the key checkpoint pages order it by (the key itself is not rendered,
/// so `fields` may leave it out).
#[derive(Debug, Clone)]
pub struct Keyed {
    pub key: String,
    pub value: Value,
}

impl Serialize for Keyed {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(serializer)
    }
}
