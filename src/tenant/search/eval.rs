//! Evaluation of a parsed query against one [`Document`]. Runs once per user over whole tenants,
//! so it compares precomputed readings only and allocates nothing: lookups go into the caller's
//! scratch vector and case folding, when a value needs it, into a per-thread buffer.

use super::value::fold_into;
use super::{Bound, Document, Field, Leaf, Node, Pattern, Pred, Range, Term};
use serde_json::{Number, Value};
use std::cell::RefCell;
use std::cmp::Ordering;

/// Deepest JSON nesting walked; `serde_json` refuses deeper input anyway (limit 128), this just
/// keeps a hand-built `Value` from exhausting the stack.
const MAX_JSON_DEPTH: usize = 64;

impl Node {
    pub(super) fn eval<'d>(&self, doc: &'d dyn Document, scratch: &mut Vec<Field<'d>>) -> bool {
        match self {
            Node::All => true,
            Node::Leaf(leaf) => leaf.eval(doc, scratch),
            Node::Bool {
                must,
                should,
                must_not,
            } => {
                must.iter().all(|n| n.eval(doc, scratch))
                    && !must_not.iter().any(|n| n.eval(doc, scratch))
                    && (!must.is_empty()
                        || should.is_empty()
                        || should.iter().any(|n| n.eval(doc, scratch)))
            }
        }
    }
}

impl Leaf {
    fn eval<'d>(&self, doc: &'d dyn Document, scratch: &mut Vec<Field<'d>>) -> bool {
        scratch.clear();
        doc.lookup(&self.spec.path, scratch);
        let ci = self.spec.ci;
        scratch.iter().any(|field| match &self.pred {
            Pred::Exists => indexed(field),
            Pred::Term(term) => term_matches(term, ci, field),
            Pred::Wildcard(pattern) => {
                text_of(field, &|s| with_folded(s, ci, |v| pattern.matches(v)))
            }
            Pred::Range(range) => range_matches(range, ci, field),
        })
    }
}

/// Whether Auth0 would have indexed the value: `null`, `[]`, `{}` are not (DOCS2 query syntax).
fn indexed(field: &Field<'_>) -> bool {
    match field {
        Field::Json(value) => json_indexed(value, 0),
        Field::Str(_) | Field::Bool(_) | Field::Int(_) | Field::Date(_) => true,
    }
}

fn json_indexed(value: &Value, depth: usize) -> bool {
    if depth > MAX_JSON_DEPTH {
        return false;
    }
    match value {
        Value::Null => false,
        Value::Array(items) => items.iter().any(|v| json_indexed(v, depth + 1)),
        Value::Object(map) => map.values().any(|v| json_indexed(v, depth + 1)),
        Value::Bool(_) | Value::Number(_) | Value::String(_) => true,
    }
}

fn term_matches(term: &Term, ci: bool, field: &Field<'_>) -> bool {
    match field {
        Field::Str(s) => with_folded(s, ci, |v| v == &*term.text),
        Field::Bool(b) => term.boolean == Some(*b),
        Field::Int(i) => term.num.is_some_and(|n| int_equals(*i, n)),
        Field::Date(ms) => term
            .date
            .is_some_and(|(start, end)| (start..=end).contains(ms)),
        Field::Json(value) => json_any(value, 0, &|v| match v {
            Value::String(s) => with_folded(s, ci, |v| v == &*term.text),
            Value::Number(n) => term.num.is_some_and(|x| number_equals(n, x)),
            Value::Bool(b) => term.boolean == Some(*b),
            Value::Null | Value::Array(_) | Value::Object(_) => false,
        }),
    }
}

fn int_equals(i: i64, n: f64) -> bool {
    // i64 -> f64 is exact for every count a user can have, and a term matches only the exact
    // number (as Lucene's term query on a numeric field does), so no tolerance.
    #[allow(clippy::cast_precision_loss)]
    let i = i as f64;
    i == n
}

fn number_equals(n: &Number, x: f64) -> bool {
    match n.as_i64() {
        Some(i) => int_equals(i, x),
        None => n.as_f64() == Some(x),
    }
}

/// Applies `pred` to the text a field holds (strings, also inside JSON arrays).
fn text_of(field: &Field<'_>, pred: &dyn Fn(&str) -> bool) -> bool {
    match field {
        Field::Str(s) => pred(s),
        Field::Json(value) => json_any(value, 0, &|v| v.as_str().is_some_and(pred)),
        Field::Bool(_) | Field::Int(_) | Field::Date(_) => false,
    }
}

/// Any scalar of `value`, looking through arrays (Auth0 indexes array elements individually).
fn json_any(value: &Value, depth: usize, pred: &dyn Fn(&Value) -> bool) -> bool {
    match value {
        Value::Array(items) if depth < MAX_JSON_DEPTH => {
            items.iter().any(|v| json_any(v, depth + 1, pred))
        }
        Value::Array(_) => false,
        _ => pred(value),
    }
}

fn range_matches(range: &Range, ci: bool, field: &Field<'_>) -> bool {
    match field {
        Field::Int(i) => {
            #[allow(clippy::cast_precision_loss)]
            let x = *i as f64;
            in_range(range, |b| b.num.and_then(|n| x.partial_cmp(&n)))
        }
        Field::Date(ms) => date_in_range(range, *ms),
        Field::Str(s) => with_folded(s, ci, |v| in_range(range, |b| Some(v.cmp(&b.text)))),
        Field::Bool(_) => false,
        Field::Json(value) => json_any(value, 0, &|v| match v {
            Value::Number(n) => n
                .as_f64()
                .is_some_and(|x| in_range(range, |b| b.num.and_then(|n| x.partial_cmp(&n)))),
            Value::String(s) => with_folded(s, ci, |v| in_range(range, |b| Some(v.cmp(&b.text)))),
            Value::Null | Value::Bool(_) | Value::Array(_) | Value::Object(_) => false,
        }),
    }
}

/// `cmp(bound)` orders the value against a bound; `None` means they are not comparable.
fn in_range(range: &Range, cmp: impl Fn(&Bound) -> Option<Ordering>) -> bool {
    let lower_ok = range.lower.as_ref().is_none_or(|b| match cmp(b) {
        Some(Ordering::Greater) => true,
        Some(Ordering::Equal) => range.lower_inclusive,
        Some(Ordering::Less) | None => false,
    });
    let upper_ok = range.upper.as_ref().is_none_or(|b| match cmp(b) {
        Some(Ordering::Less) => true,
        Some(Ordering::Equal) => range.upper_inclusive,
        Some(Ordering::Greater) | None => false,
    });
    lower_ok && upper_ok
}

/// A date bound names a period: `[x` starts at its first millisecond, `{x` after its last;
/// `x]` ends at its last millisecond, `x}` before its first.
fn date_in_range(range: &Range, ms: i64) -> bool {
    let lower_ok = range.lower.as_ref().is_none_or(|b| {
        b.date.is_some_and(|(start, end)| {
            if range.lower_inclusive {
                ms >= start
            } else {
                ms > end
            }
        })
    });
    let upper_ok = range.upper.as_ref().is_none_or(|b| {
        b.date.is_some_and(|(start, end)| {
            if range.upper_inclusive {
                ms <= end
            } else {
                ms < start
            }
        })
    });
    lower_ok && upper_ok
}

impl Pattern {
    /// `*`-only glob match: prefix and suffix anchor the ends (without overlapping), middle
    /// pieces are found left to right in what lies between; greedy-leftmost is exact for `*`.
    fn matches(&self, value: &str) -> bool {
        let Some(rest) = value.strip_prefix(&*self.prefix) else {
            return false;
        };
        let Some(mut between) = rest.strip_suffix(&*self.suffix) else {
            return false;
        };
        for piece in &self.middle {
            match between.find(&**piece) {
                Some(at) => between = &between[at + piece.len()..],
                None => return false,
            }
        }
        true
    }
}

thread_local! {
    /// Reused buffer for folding mixed-case values, so case-insensitive scans do not allocate.
    static FOLD_BUFFER: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Runs `f` on `s`, lowercased first when `ci` and `s` has anything to lowercase.
fn with_folded<R>(s: &str, ci: bool, f: impl FnOnce(&str) -> R) -> R {
    // `ci` first: most fields are case-sensitive and should not pay for a scan of the value.
    if !ci || (s.is_ascii() && !s.bytes().any(|b| b.is_ascii_uppercase())) {
        return f(s);
    }
    FOLD_BUFFER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buffer) => {
            buffer.clear();
            fold_into(s, &mut buffer);
            f(&buffer)
        }
        // Only reachable if `f` itself folded again; correctness over the saved allocation.
        Err(_) => {
            let mut owned = String::new();
            fold_into(s, &mut owned);
            f(&owned)
        }
    })
}

/// See [`super::push_json_path`]. Objects are descended in a loop; only arrays recurse.
pub(super) fn walk_json<'a>(
    mut value: &'a Value,
    mut path: &str,
    out: &mut Vec<Field<'a>>,
    depth: usize,
) {
    let mut depth = depth;
    loop {
        if depth > MAX_JSON_DEPTH {
            return;
        }
        match value {
            Value::Array(items) => {
                for item in items {
                    walk_json(item, path, out, depth + 1);
                }
                return;
            }
            Value::Object(map) if !path.is_empty() => {
                // Metadata keys cannot contain '.', so the first dot always ends the key.
                let (key, rest) = path.split_once('.').unwrap_or((path, ""));
                match object_get(map, key) {
                    Some(child) => {
                        value = child;
                        path = rest;
                        depth += 1;
                    }
                    None => return,
                }
            }
            _ if path.is_empty() => {
                out.push(Field::Json(value));
                return;
            }
            _ => return,
        }
    }
}

/// Small objects are searched by scanning their entries, which `serde_json` keeps contiguous in
/// insertion order: comparing lengths first, that beats hashing the key (`SipHash`) and probing the
/// index table, and metadata objects are small. Large ones still use the hash index.
pub(super) fn object_get<'a>(
    map: &'a serde_json::Map<String, Value>,
    key: &str,
) -> Option<&'a Value> {
    const SCAN_LIMIT: usize = 16;
    if map.len() <= SCAN_LIMIT {
        map.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
    } else {
        map.get(key)
    }
}
