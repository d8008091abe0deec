//! Metadata rules shared by every write path (seed files, signup, Management API, custom
//! databases): key-name restrictions, Auth0's reserved `app_metadata` keys, and the PATCH merge.
//!
//! Sources: `reference/auth0-api.md` §5.4 (merge semantics) and §6.2–6.3 (names, reserved keys).

use serde_json::{Map, Value};

/// Keys Auth0 refuses inside `app_metadata` (§6.3).
pub const RESERVED_APP_METADATA_KEYS: &[&str] = &[
    "__tenant", "_id", "blocked", "clientID", "created_at", "email_verified", "email", "globalClientID",
    "global_client_id", "identities", "lastIP", "lastLogin", "loginsCount", "metadata",
    "multifactor_last_modified", "multifactor", "updated_at", "user_id",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetadataKind {
    User,
    App,
}

impl MetadataKind {
    pub fn field(self) -> &'static str {
        match self {
            MetadataKind::User => "user_metadata",
            MetadataKind::App => "app_metadata",
        }
    }
}

/// A rule broken, with the JSON path of the offending key (e.g. `app_metadata.blocked`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct MetadataError {
    pub path: String,
    pub reason: String,
}

/// Checks key names at every depth (no `.` or `$`) and, for `app_metadata`, the reserved keys.
pub fn validate(kind: MetadataKind, map: &Map<String, Value>) -> Result<(), MetadataError> {
    if kind == MetadataKind::App {
        if let Some(key) = map.keys().find(|k| RESERVED_APP_METADATA_KEYS.contains(&k.as_str())) {
            return Err(MetadataError {
                path: format!("{}.{key}", kind.field()),
                reason: format!("'{key}' is a reserved app_metadata key"),
            });
        }
    }
    check_names(kind.field(), map, 0)
}

/// Nesting deeper than this is refused: it keeps validation (and later search) from recursing without bound.
pub const MAX_DEPTH: usize = 32;

fn check_names(path: &str, map: &Map<String, Value>, depth: usize) -> Result<(), MetadataError> {
    if depth > MAX_DEPTH {
        return Err(MetadataError { path: path.into(), reason: format!("nested deeper than {MAX_DEPTH} levels") });
    }
    for (key, value) in map {
        let here = format!("{path}.{key}");
        if key.contains('.') || key.contains('$') {
            return Err(MetadataError { path: here, reason: "field names may not contain '.' or '$'".into() });
        }
        check_value(&here, value, depth + 1)?;
    }
    Ok(())
}

fn check_value(path: &str, value: &Value, depth: usize) -> Result<(), MetadataError> {
    match value {
        Value::Object(map) => check_names(path, map, depth),
        Value::Array(items) => {
            if depth > MAX_DEPTH {
                return Err(MetadataError { path: path.into(), reason: format!("nested deeper than {MAX_DEPTH} levels") });
            }
            items.iter().enumerate().try_for_each(|(i, v)| check_value(&format!("{path}[{i}]"), v, depth + 1))
        }
        _ => Ok(()),
    }
}

/// `app_metadata` from a custom-database profile (or seed user) that may carry Auth0's legacy
/// `metadata` alias (§6.4): when both come, they merge with `app_metadata` winning on clashes.
pub fn with_alias(alias: Option<Map<String, Value>>, app_metadata: Option<Map<String, Value>>) -> Option<Map<String, Value>> {
    match (alias, app_metadata) {
        (Some(mut alias), Some(app)) => {
            alias.extend(app);
            Some(alias)
        }
        (alias, app) => app.or(alias),
    }
}

/// Applies a PATCH body's metadata to the stored object, as Auth0 does: each top-level key
/// replaces the stored one (nested objects are replaced whole, not merged), a top-level `null`
/// deletes the key, and an empty object clears everything. An object left empty is stored as
/// absent, so responses omit it.
pub fn merge(stored: &mut Option<Map<String, Value>>, patch: Map<String, Value>) {
    if patch.is_empty() {
        *stored = None;
        return;
    }
    let target = stored.get_or_insert_with(Map::new);
    for (key, value) in patch {
        if value.is_null() {
            target.remove(&key);
        } else {
            target.insert(key, value);
        }
    }
    if target.is_empty() {
        *stored = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => panic!("not an object"),
        }
    }

    #[test]
    fn patch_merges_top_level_metadata_keys() {
        let mut stored = Some(obj(json!({"a": 1, "b": 2})));
        merge(&mut stored, obj(json!({"b": 3, "c": 4})));
        assert_eq!(stored, Some(obj(json!({"a": 1, "b": 3, "c": 4}))));
    }

    #[test]
    fn nested_objects_are_replaced_not_deep_merged() {
        let mut stored = Some(obj(json!({"addresses": {"home": "x", "work": "y"}})));
        merge(&mut stored, obj(json!({"addresses": {"home": "z"}})));
        assert_eq!(stored, Some(obj(json!({"addresses": {"home": "z"}}))));
    }

    #[test]
    fn null_deletes_a_key_and_an_empty_object_clears_all() {
        let mut stored = Some(obj(json!({"a": 1, "b": 2})));
        merge(&mut stored, obj(json!({"a": null})));
        assert_eq!(stored, Some(obj(json!({"b": 2}))));
        merge(&mut stored, Map::new());
        assert_eq!(stored, None);
    }

    #[test]
    fn deleting_the_last_key_leaves_no_metadata() {
        let mut stored = Some(obj(json!({"a": 1})));
        merge(&mut stored, obj(json!({"a": null})));
        assert_eq!(stored, None);
    }

    #[test]
    fn dotted_and_dollar_names_are_refused_at_any_depth() {
        let err = validate(MetadataKind::User, &obj(json!({"a": {"b.c": 1}}))).expect_err("dotted");
        assert_eq!(err.path, "user_metadata.a.b.c");
        let err = validate(MetadataKind::User, &obj(json!({"list": [{"$x": 1}]}))).expect_err("dollar");
        assert_eq!(err.path, "user_metadata.list[0].$x");
    }

    #[test]
    fn reserved_app_metadata_keys_are_refused_but_allowed_in_user_metadata() {
        let err = validate(MetadataKind::App, &obj(json!({"blocked": true}))).expect_err("reserved");
        assert_eq!(err.to_string(), "app_metadata.blocked: 'blocked' is a reserved app_metadata key");
        assert!(validate(MetadataKind::User, &obj(json!({"blocked": true}))).is_ok());
    }

    #[test]
    fn absurd_nesting_is_refused_without_recursing_forever() {
        let mut v = json!(1);
        for _ in 0..100 {
            v = json!({ "k": v });
        }
        assert!(validate(MetadataKind::User, &obj(v)).is_err());
    }
}
