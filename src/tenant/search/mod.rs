//! User search: parses the `q` parameter of `GET /api/v2/users?search_engine=v3` once and
//! evaluates it against any number of users. HTTP-agnostic: the handler maps [`SearchError`]
//! to a 400 `invalid_query_string` body and supplies users through the [`Document`] trait.
//!
//! Implemented subset of Auth0's Lucene-based search v3 (sources: DOCS2 `auth0/docs-v2@092b879`
//! `main/docs/manage-users/user-search/user-search-query-syntax.mdx`, `list-and-search-users.mdx`,
//! `main/docs/troubleshoot/product-lifecycle/past-migrations/migrate-v2-v3.mdx`; DOCS1 `auth0/docs`
//! `articles/users/search/v3/{index,query-syntax,view-search-results-by-page}.md`; MGMT-OAS `GET /users`):
//! - `field:term`, `field:"quoted phrase"`, `field:(a OR b)`, parentheses, `\`-escapes. Values are
//!   not tokenised: a term or phrase must equal the whole value (`user_id:auth0` does not match
//!   `auth0|123`). `email`, `name`, `given_name`, `family_name`, `nickname` (and `email.domain`,
//!   derived from `email`) compare case-insensitively; every other field, metadata included, exactly.
//! - `AND`/`&&`, `OR`/`||`, `NOT`/`!`, `+`/`-` with Lucene's classic clause rules (implicit operator
//!   OR; see `parser.rs`), `_exists_:field`, `field:*`, `*` / `*:*` (everything), `^boost` (ignored).
//! - `*` wildcards; a pattern that starts with `*` needs 3 or more literal characters; none on
//!   `user_metadata` nor on boolean, integer or date fields. `?` is refused ("currently not supported").
//! - Ranges `[a TO b]`, `{a TO b}`, mixed, `*` for an open end, on numbers, dates (`2017`, `2017-12`,
//!   `2017-12-31`, `…T10:00:00Z`, epoch ms) and text; none on `user_metadata` or booleans.
//! - Metadata paths of any depth; array levels may be skipped (`user_metadata.addresses.city`);
//!   `null`, `[]` and `{}` are not indexed, so they neither match nor "exist".
//!
//! Refused with an error: fuzzy/proximity `~`, regular expressions `/…/`, wildcard field names,
//! nesting deeper than [`MAX_DEPTH`], malformed syntax. Emulator choices where Auth0 documents
//! nothing: the fields a bare term searches ([`DEFAULT_FIELDS`]), the wording of syntax errors
//! (Auth0 publishes none), and date precision (a partial date covers its whole period, so
//! `last_login:{2017-11 TO 2017-12]` is "December 2017" as DOCS1 `v3/index.md` describes).
//! Where Auth0's docs and Lucene disagree, Lucene wins, since it is what runs behind Auth0: the
//! documented `NOT _exists_:x OR x:false` reads as "`x:false` and not `_exists_:x`" (matches no one).
//!
//! Layout: `lexer` → `parser` (all checks that need no user) → the AST below → `eval`;
//! `value` holds the number/date/case readings both sides share.

mod eval;
mod lexer;
mod parser;
#[cfg(test)]
mod tests;
mod value;

use serde_json::{Map, Value};

/// Deepest parenthesis nesting accepted; deeper input is refused rather than risking the stack.
pub const MAX_DEPTH: usize = 32;

/// Auth0 lets a search reach only the first 1000 users (DOCS1 `view-search-results-by-page.md`).
pub const MAX_RESULT_WINDOW: u64 = 1000;

/// Fields a bare term (no `field:`) searches. Auth0 only says such terms do not match
/// `user_metadata`; this is the emulator's choice: the text attributes of the normalized profile.
pub const DEFAULT_FIELDS: [&str; 8] = [
    "user_id",
    "email",
    "name",
    "given_name",
    "family_name",
    "nickname",
    "username",
    "phone_number",
];

/// Fields whose search values are case-insensitive (DOCS2 user-search-query-syntax.mdx lists the
/// first five; `email.domain` is the domain part of `email`, so it follows it).
pub const CASE_INSENSITIVE_FIELDS: [&str; 6] = [
    "email",
    "name",
    "given_name",
    "family_name",
    "nickname",
    "email.domain",
];

/// One value a user has at a field path. Root attributes come typed; metadata comes as JSON.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Field<'a> {
    Str(&'a str),
    Bool(bool),
    Int(i64),
    /// Epoch milliseconds (`created_at`, `updated_at`, `last_login`, ...).
    Date(i64),
    Json(&'a Value),
}

/// Implemented by the user model elsewhere. `path` is the dotted field path as written in the
/// query (`"email"`, `"user_metadata.address.city"`, `"identities.connection"`). Push every value
/// found; for JSON, walk objects by key and descend into each element of any array met on the way
/// ([`push_json_path`] does exactly that).
pub trait Document {
    fn lookup<'a>(&'a self, path: &str, out: &mut Vec<Field<'a>>);
}

/// Walks `path` (dotted, relative to `value`; `""` is `value` itself) the way Auth0 indexes
/// metadata: objects by key, arrays element by element wherever they appear, so a query may skip
/// array levels. Pushes each value reached as [`Field::Json`].
pub fn push_json_path<'a>(value: &'a Value, path: &str, out: &mut Vec<Field<'a>>) {
    eval::walk_json(value, path, out, 0);
}

/// [`push_json_path`] for metadata held as a map (`user_metadata`/`app_metadata` on the user
/// model): `push_map_path(&user_metadata, "address.city", out)` for the query path
/// `user_metadata.address.city`. An empty path pushes every top-level value, so
/// `_exists_:user_metadata` holds for non-empty metadata.
pub fn push_map_path<'a>(map: &'a Map<String, Value>, path: &str, out: &mut Vec<Field<'a>>) {
    if path.is_empty() {
        for value in map.values() {
            eval::walk_json(value, "", out, 1);
        }
        return;
    }
    let (key, rest) = path.split_once('.').unwrap_or((path, ""));
    if let Some(child) = eval::object_get(map, key) {
        eval::walk_json(child, rest, out, 1);
    }
}

/// A parsed `q`. Parse once, then call [`Query::matches`] per user.
#[derive(Debug, Clone)]
pub struct Query {
    root: Node,
}

/// Why a `q` was refused. `Display` is the message for the Management API's 400
/// `invalid_query_string` body. Auth0 documents no text for syntax errors, so those are ours;
/// [`SearchError::PageLimit`] is Auth0's documented wording (MGMT-OAS `GET /users` 400).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchError {
    #[error("Invalid query: unexpected '{token}' at column {column}.")]
    Unexpected { token: String, column: usize },
    #[error("Invalid query: a search term is missing after '{after}'.")]
    MissingTerm { after: String },
    #[error("Invalid query: the quoted phrase starting at column {column} is not closed.")]
    UnterminatedQuote { column: usize },
    #[error("Invalid query: the '(' at column {column} is not closed.")]
    UnclosedGroup { column: usize },
    #[error("Invalid query: malformed range at column {column}; expected [from TO to] or {{from TO to}}.")]
    MalformedRange { column: usize },
    #[error("Invalid query: the '\\' at column {column} escapes nothing.")]
    DanglingEscape { column: usize },
    #[error("Invalid query: the '^' at column {column} must be followed by a boost number.")]
    InvalidBoost { column: usize },
    #[error("Invalid query: parentheses may be nested at most {max} levels deep.")]
    TooDeep { max: usize },
    #[error(
        "Invalid query: fuzzy and proximity searches ('~' at column {column}) are not supported."
    )]
    Fuzzy { column: usize },
    #[error("Invalid query: regular expression searches ('/' at column {column}) are not supported; escape it as '\\/' or quote the value.")]
    Regex { column: usize },
    #[error("Invalid query: the '?' wildcard is not supported; use '*'.")]
    QuestionMark,
    #[error("Invalid query: field names cannot contain wildcards ('{field}').")]
    WildcardFieldName { field: String },
    #[error(
        "Invalid query: for suffix matching, literals must have 3 characters or more ('{term}')."
    )]
    ShortSuffix { term: String },
    #[error(
        "Invalid query: wildcard searches are not available on user_metadata fields ('{field}')."
    )]
    WildcardOnUserMetadata { field: String },
    #[error(
        "Invalid query: range searches are not available on user_metadata fields ('{field}')."
    )]
    RangeOnUserMetadata { field: String },
    #[error("Invalid query: wildcard searches are not available on the {kind} field '{field}'.")]
    WildcardOnTypedField { field: String, kind: &'static str },
    #[error("Invalid query: range searches are not available on the boolean field '{field}'.")]
    RangeOnBoolean { field: String },
    #[error("Invalid query: '{value}' is not a valid {kind} for '{field}'.")]
    InvalidValue {
        field: String,
        kind: &'static str,
        value: String,
    },
    #[error("You can only page through the first 1000 records. See https://auth0.com/docs/users/search/v3/view-search-results-by-page#limitation.")]
    PageLimit,
}

/// Parses a v3 `q`. An empty or blank query matches every user (the endpoint then just lists).
///
/// # Errors
/// Malformed syntax, or a construct Auth0 refuses or the emulator does not support; the error's
/// `Display` is the 400 message.
pub fn parse(q: &str) -> Result<Query, SearchError> {
    parser::parse(q).map(|root| Query { root })
}

/// Refuses a page that reaches past the first [`MAX_RESULT_WINDOW`] results, as Auth0 does.
/// The rule `page * per_page + per_page <= 1000` is inferred from "100 users per page for 10
/// pages" (DOCS1) and the search engine's result window **[unverified at the boundary]**.
///
/// # Errors
/// [`SearchError::PageLimit`] when the page ends past result 1000.
pub fn check_page_window(page: u64, per_page: u64) -> Result<(), SearchError> {
    let end = page.saturating_mul(per_page).saturating_add(per_page);
    if end > MAX_RESULT_WINDOW {
        Err(SearchError::PageLimit)
    } else {
        Ok(())
    }
}

impl Query {
    /// Whether `doc` satisfies the query. Allocates at most one small lookup buffer; use
    /// [`Query::matches_with`] to reuse one across users.
    #[must_use]
    pub fn matches(&self, doc: &dyn Document) -> bool {
        let mut scratch = Vec::new();
        self.matches_with(doc, &mut scratch)
    }

    /// [`Query::matches`] with a caller-owned lookup buffer, so a scan over many users borrowed
    /// from one store allocates nothing per user.
    #[must_use]
    pub fn matches_with<'d>(&self, doc: &'d dyn Document, scratch: &mut Vec<Field<'d>>) -> bool {
        self.root.eval(doc, scratch)
    }

    /// True when the query selects every user (`""`, `*`, `*:*`), so the caller can skip filtering.
    #[must_use]
    pub fn matches_everything(&self) -> bool {
        matches!(self.root, Node::All)
    }

    /// When the whole query is one exact term on `field` (`email:"a@b.c"`, `email:a@b.c`,
    /// `user_id:"auth0|x"`), the value, so the caller can answer from an index. Values of
    /// case-insensitive fields come back lowercased.
    #[must_use]
    pub fn exact_term(&self, field: &str) -> Option<String> {
        match &self.root {
            Node::Leaf(Leaf {
                spec,
                pred: Pred::Term(term),
            }) if &*spec.path == field => Some(term.text.to_string()),
            _ => None,
        }
    }
}

// ---- AST (built by parser.rs, evaluated by eval.rs) ----

#[derive(Debug, Clone)]
enum Node {
    All,
    /// Lucene boolean clause list: every `must`, no `must_not`, and (when there is no `must`)
    /// at least one `should`. Only `must_not` clauses means "everyone except", as Elasticsearch does.
    Bool {
        must: Vec<Node>,
        should: Vec<Node>,
        must_not: Vec<Node>,
    },
    Leaf(Leaf),
}

#[derive(Debug, Clone)]
struct Leaf {
    spec: FieldSpec,
    pred: Pred,
}

#[derive(Debug, Clone)]
struct FieldSpec {
    path: Box<str>,
    /// Compare case-insensitively; query-side text is already folded at parse time.
    ci: bool,
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Bool,
    Int,
    Date,
    UserMetadata,
    AppMetadata,
}

#[derive(Debug, Clone)]
enum Pred {
    Exists,
    Term(Term),
    Wildcard(Pattern),
    Range(Range),
}

/// A term with every typed reading worked out once, so evaluation only compares.
#[derive(Debug, Clone)]
struct Term {
    text: Box<str>,
    num: Option<f64>,
    boolean: Option<bool>,
    /// First and last millisecond of the period the date names.
    date: Option<(i64, i64)>,
}

/// A `*`-only glob split at its stars: `prefix*middle…*suffix`.
#[derive(Debug, Clone)]
struct Pattern {
    prefix: Box<str>,
    middle: Vec<Box<str>>,
    suffix: Box<str>,
}

#[derive(Debug, Clone)]
struct Range {
    lower: Option<Bound>,
    upper: Option<Bound>,
    lower_inclusive: bool,
    upper_inclusive: bool,
}

#[derive(Debug, Clone)]
struct Bound {
    text: Box<str>,
    num: Option<f64>,
    date: Option<(i64, i64)>,
}
