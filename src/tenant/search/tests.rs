#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use serde_json::json;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// A user as the emulator will hold one: typed root attributes, metadata as JSON.
struct User {
    json: Value,
    created_at: Option<i64>,
    updated_at: Option<i64>,
    last_login: Option<i64>,
}

fn epoch_ms(json: &Value, key: &str) -> Option<i64> {
    let text = json.get(key)?.as_str()?;
    let at = OffsetDateTime::parse(text, &Rfc3339).ok()?;
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).ok()
}

impl User {
    fn new(json: Value) -> Self {
        Self {
            created_at: epoch_ms(&json, "created_at"),
            updated_at: epoch_ms(&json, "updated_at"),
            last_login: epoch_ms(&json, "last_login"),
            json,
        }
    }
}

impl Document for User {
    fn lookup<'a>(&'a self, path: &str, out: &mut Vec<Field<'a>>) {
        let root = |key: &str| self.json.get(key);
        match path {
            "created_at" => out.extend(self.created_at.map(Field::Date)),
            "updated_at" => out.extend(self.updated_at.map(Field::Date)),
            "last_login" => out.extend(self.last_login.map(Field::Date)),
            "logins_count" => out.extend(root(path).and_then(Value::as_i64).map(Field::Int)),
            "email_verified" | "phone_verified" | "blocked" => {
                out.extend(root(path).and_then(Value::as_bool).map(Field::Bool));
            }
            "email.domain" => out.extend(
                root("email")
                    .and_then(Value::as_str)
                    .and_then(|e| e.rsplit_once('@'))
                    .map(|(_, domain)| Field::Str(domain)),
            ),
            "user_id" | "email" | "name" | "given_name" | "family_name" | "nickname"
            | "username" | "phone_number" | "last_ip" => {
                out.extend(root(path).and_then(Value::as_str).map(Field::Str));
            }
            _ => push_json_path(&self.json, path, out),
        }
    }
}

fn jane() -> User {
    User::new(json!({
        "user_id": "auth0|63d17c4bdf1ce171262c7e93",
        "email": "jane.smith@example.com",
        "email_verified": true,
        "name": "Jane Smith",
        "given_name": "Jane",
        "nickname": "jsmith",
        "username": "jane_s",
        "logins_count": 150,
        "blocked": false,
        "created_at": "2023-01-25T19:00:27.084Z",
        "last_login": "2017-12-15T08:30:00.000Z",
        "identities": [
            {"connection": "Username-Password-Authentication", "provider": "auth0", "isSocial": false},
            {"connection": "google-oauth2", "provider": "google-oauth2", "isSocial": true}
        ],
        "user_metadata": {
            "hobby": "surfing",
            "full_name": "Jane Q Smith",
            "approved": false,
            "display": {"fontSize": 13, "preferredLanguage": "en"},
            "addresses": [{"city": "Paris"}, {"city": "Seattle"}],
            "tags": ["a", "b"],
            "empty_list": [],
            "empty_object": {},
            "nothing": null
        },
        "app_metadata": {"plan": "full", "roles": ["admin", "editor"], "seats": 5, "since": "2021-06-01"}
    }))
}

fn bob() -> User {
    User::new(json!({
        "user_id": "google-oauth2|1234567890",
        "email": "Bob@Other.org",
        "email_verified": false,
        "name": "bob",
        "logins_count": 0,
        "created_at": "2024-03-01T00:00:00.000Z",
        "identities": [{"connection": "google-oauth2", "provider": "google-oauth2", "isSocial": true}],
        "user_metadata": {"hobby": "Surfing"},
        "app_metadata": {"plan": "free", "seats": 50}
    }))
}

fn hits(q: &str) -> (bool, bool) {
    let query = parse(q).unwrap_or_else(|e| panic!("{q:?} should parse: {e}"));
    (query.matches(&jane()), query.matches(&bob()))
}

fn matches_jane(q: &str) -> bool {
    hits(q).0
}

fn error(q: &str) -> SearchError {
    parse(q).expect_err(&format!("{q:?} should be refused"))
}

// ---- terms and phrases ----

#[test]
fn bare_term_matches_the_whole_value_of_a_default_field() {
    assert_eq!(hits("jsmith"), (true, false));
    assert_eq!(hits("\"Jane Smith\""), (true, false));
    assert!(
        matches_jane("JANE"),
        "given_name is Jane, compared case-insensitively"
    );
    assert!(!matches_jane("Smith"), "v3 does not tokenise values");
}

#[test]
fn bare_term_does_not_match_user_metadata() {
    assert_eq!(hits("surfing"), (false, false));
}

#[test]
fn field_term_must_equal_the_whole_value() {
    assert!(!matches_jane("user_id:auth0"));
    assert!(matches_jane("user_id:auth0|63d17c4bdf1ce171262c7e93"));
}

#[test]
fn quoted_phrase_matches_whole_value() {
    assert_eq!(hits("name:\"jane smith\""), (true, false));
    assert!(!matches_jane("name:\"jane\""));
}

#[test]
fn normalized_fields_compare_case_insensitively() {
    assert_eq!(hits("email:BOB@other.ORG"), (false, true));
    assert_eq!(hits("name:JANE\\ SMITH"), (true, false));
    assert_eq!(hits("given_name:jane"), (true, false));
}

#[test]
fn other_fields_compare_case_sensitively() {
    assert!(!matches_jane("user_id:AUTH0|63d17c4bdf1ce171262c7e93"));
    assert!(!matches_jane("username:JANE_S"));
    assert_eq!(hits("user_metadata.hobby:surfing"), (true, false));
    assert_eq!(hits("user_metadata.hobby:Surfing"), (false, true));
}

#[test]
fn escaped_space_keeps_words_in_one_term() {
    assert!(matches_jane("name:Jane\\ Smith"));
}

#[test]
fn unescaped_space_starts_a_new_clause_on_the_default_fields() {
    // `name:Jane` fails, `Smith` searches default fields and fails too.
    assert!(!matches_jane("name:Jane Smith"));
}

#[test]
fn escaped_characters_are_literal() {
    let user = User::new(json!({"app_metadata": {"code": "a:b(c)*\"d\""}}));
    assert!(parse(r#"app_metadata.code:a\:b\(c\)\*\"d\""#)
        .unwrap()
        .matches(&user));
    assert!(parse(r#"app_metadata.code:"a:b(c)*\"d\"""#)
        .unwrap()
        .matches(&user));
}

#[test]
fn boolean_field_matches_true_and_false() {
    assert_eq!(hits("email_verified:true"), (true, false));
    assert_eq!(hits("email_verified:false"), (false, true));
    assert_eq!(hits("blocked:false"), (true, false));
}

#[test]
fn integer_field_matches_its_number() {
    assert_eq!(hits("logins_count:0"), (false, true));
    assert_eq!(hits("logins_count:150"), (true, false));
}

#[test]
fn email_domain_matches_the_part_after_the_at_sign() {
    assert_eq!(hits("email.domain:\"example.com\""), (true, false));
    assert_eq!(hits("email.domain:OTHER.org"), (false, true));
}

#[test]
fn identities_connection_matches_any_linked_identity() {
    assert_eq!(
        hits("identities.connection:\"google-oauth2\""),
        (true, true)
    );
    assert_eq!(
        hits("identities.connection:Username-Password-Authentication"),
        (true, false)
    );
}

// ---- metadata ----

#[test]
fn metadata_terms_match_nested_values_and_json_types() {
    assert!(matches_jane("user_metadata.display.fontSize:13"));
    assert!(matches_jane("user_metadata.display.fontSize:13.0"));
    assert!(matches_jane("user_metadata.approved:false"));
    assert!(matches_jane("user_metadata.full_name:\"Jane Q Smith\""));
    assert_eq!(hits("app_metadata.plan:full"), (true, false));
}

#[test]
fn metadata_paths_may_skip_array_levels() {
    assert!(matches_jane("user_metadata.addresses.city:\"Seattle\""));
    assert!(matches_jane("user_metadata.tags:b"));
    assert!(matches_jane("app_metadata.roles:admin"));
    assert!(!matches_jane("user_metadata.addresses.city:London"));
}

#[test]
fn metadata_object_is_not_a_searchable_value() {
    assert!(!matches_jane("user_metadata.display:en"));
}

#[test]
fn exists_finds_present_fields() {
    assert_eq!(
        hits("_exists_:user_metadata.display.fontSize"),
        (true, false)
    );
    assert_eq!(hits("_exists_:user_metadata.display"), (true, false));
    assert_eq!(hits("_exists_:given_name"), (true, false));
    assert_eq!(hits("_exists_:logins_count"), (true, true));
}

#[test]
fn exists_ignores_null_empty_arrays_and_empty_objects() {
    assert!(!matches_jane("_exists_:user_metadata.nothing"));
    assert!(!matches_jane("_exists_:user_metadata.empty_list"));
    assert!(!matches_jane("_exists_:user_metadata.empty_object"));
    assert!(!matches_jane("_exists_:user_metadata.missing"));
}

#[test]
fn field_star_is_an_existence_query_even_on_user_metadata() {
    assert_eq!(hits("user_metadata.display.fontSize:*"), (true, false));
    assert_eq!(hits("given_name:*"), (true, false));
}

#[test]
fn star_empty_and_star_colon_star_match_everyone() {
    for q in ["", "   ", "*", "*:*"] {
        let query = parse(q).unwrap();
        assert!(query.matches_everything(), "{q:?}");
        assert!(query.matches(&jane()) && query.matches(&bob()));
    }
}

// ---- boolean operators ----

#[test]
fn and_requires_both_clauses() {
    assert_eq!(
        hits("email_verified:true AND app_metadata.plan:full"),
        (true, false)
    );
    assert_eq!(
        hits("email_verified:true && app_metadata.plan:free"),
        (false, false)
    );
}

#[test]
fn or_and_the_implicit_operator_accept_either_clause() {
    assert_eq!(
        hits("app_metadata.plan:full OR app_metadata.plan:free"),
        (true, true)
    );
    assert_eq!(
        hits("app_metadata.plan:full || app_metadata.plan:free"),
        (true, true)
    );
    assert_eq!(
        hits("app_metadata.plan:full app_metadata.plan:free"),
        (true, true)
    );
}

#[test]
fn plus_makes_a_clause_required_and_minus_excludes_it() {
    assert_eq!(
        hits("+app_metadata.plan:full email_verified:false"),
        (true, false)
    );
    assert_eq!(
        hits("identities.connection:google-oauth2 -app_metadata.plan:free"),
        (true, false)
    );
}

#[test]
fn not_alone_matches_everyone_else() {
    assert_eq!(hits("NOT app_metadata.plan:full"), (false, true));
    assert_eq!(hits("!app_metadata.plan:full"), (false, true));
    assert_eq!(hits("-app_metadata.plan:full"), (false, true));
}

#[test]
fn and_not_excludes_the_second_clause() {
    assert_eq!(
        hits("identities.connection:google-oauth2 AND NOT email_verified:true"),
        (false, true)
    );
}

#[test]
fn and_binds_its_neighbours_as_lucene_does() {
    // Lucene classic: `a OR b AND c` is `a +b +c`, so `a` alone is not enough.
    assert_eq!(
        hits("app_metadata.plan:free OR email_verified:true AND blocked:false"),
        (true, false)
    );
}

#[test]
fn not_then_or_follows_lucene_clause_rules_not_boolean_algebra() {
    // `NOT x OR y` is `-x y`: y must hold and x must not. Documented Auth0 examples of this shape
    // assume boolean algebra; the engine behind Auth0 reads them this way.
    assert_eq!(
        hits("NOT email_verified:true OR logins_count:0"),
        (false, true)
    );
    assert_eq!(
        hits("NOT _exists_:logins_count OR logins_count:0"),
        (false, false)
    );
}

#[test]
fn lowercase_operators_are_plain_terms() {
    // `and` is a bare term; with the implicit OR either side matching is enough.
    assert_eq!(
        hits("app_metadata.plan:full and app_metadata.plan:free"),
        (true, true)
    );
}

#[test]
fn parentheses_group_subqueries() {
    assert_eq!(
        hits("(app_metadata.plan:full OR app_metadata.plan:free) AND email_verified:false"),
        (false, true)
    );
    assert_eq!(hits("(NOT _exists_:given_name)"), (false, true));
}

#[test]
fn field_group_applies_the_field_to_each_term() {
    assert_eq!(
        hits("email:(\"jane.smith@example.com\" OR \"bob@other.org\")"),
        (true, true)
    );
    assert_eq!(hits("app_metadata.plan:(full free)"), (true, true));
    assert_eq!(hits("app_metadata.plan:(full AND free)"), (false, false));
}

#[test]
fn boost_is_accepted_and_ignored() {
    assert_eq!(hits("app_metadata.plan:full^2"), (true, false));
    assert_eq!(hits("(app_metadata.plan:full)^0.5"), (true, false));
    assert!(matches!(
        error("name:jane^"),
        SearchError::InvalidBoost { column: 10 }
    ));
    assert!(matches!(
        error("name:jane^x"),
        SearchError::InvalidBoost { .. }
    ));
}

// ---- wildcards ----

#[test]
fn prefix_wildcard_matches_value_starts() {
    assert_eq!(hits("name:jan*"), (true, false));
    assert_eq!(hits("user_id:auth0*"), (true, false));
    assert_eq!(hits("name:j*"), (true, false));
    assert_eq!(hits("email:BOB*"), (false, true));
}

#[test]
fn contains_and_infix_wildcards_match() {
    assert!(matches_jane("name:*smith*"));
    assert!(matches_jane("name:jane*smith"));
    assert!(matches_jane("name:*ith"));
    assert!(!matches_jane("name:jane*jones"));
    assert!(
        !matches_jane("nickname:js*mithsmith"),
        "prefix and suffix must not overlap"
    );
}

#[test]
fn wildcard_on_app_metadata_is_allowed() {
    assert_eq!(hits("app_metadata.plan:fu*"), (true, false));
    assert!(matches_jane("app_metadata.roles:adm*"));
}

#[test]
fn wildcard_on_user_metadata_is_rejected() {
    assert_eq!(
        error("user_metadata.hobby:surf*"),
        SearchError::WildcardOnUserMetadata {
            field: "user_metadata.hobby".into()
        }
    );
}

#[test]
fn suffix_wildcard_needs_three_literal_characters() {
    assert!(parse("name:*usa").is_ok());
    assert_eq!(
        error("name:*sa"),
        SearchError::ShortSuffix { term: "*sa".into() }
    );
    assert!(matches!(
        error("name:*ab*"),
        SearchError::ShortSuffix { .. }
    ));
    assert!(matches!(error("*ab"), SearchError::ShortSuffix { .. }));
}

#[test]
fn question_mark_wildcard_is_rejected() {
    assert_eq!(error("name:jan?"), SearchError::QuestionMark);
    assert!(matches_jane("name:\"jane smith\" OR name:what\\?"));
}

#[test]
fn wildcard_on_typed_fields_is_rejected() {
    assert_eq!(
        error("logins_count:1*"),
        SearchError::WildcardOnTypedField {
            field: "logins_count".into(),
            kind: "integer"
        }
    );
    assert!(matches!(
        error("created_at:2023*"),
        SearchError::WildcardOnTypedField { kind: "date", .. }
    ));
    assert!(matches!(
        error("blocked:t*"),
        SearchError::WildcardOnTypedField {
            kind: "boolean",
            ..
        }
    ));
}

#[test]
fn escaped_star_is_a_literal_character() {
    let user = User::new(json!({"name": "a*b"}));
    assert!(parse("name:a\\*b").unwrap().matches(&user));
    assert!(!parse("name:a\\*b")
        .unwrap()
        .matches(&User::new(json!({"name": "axxb"}))));
}

#[test]
fn wildcard_field_names_are_rejected() {
    assert!(matches!(
        error("user_metadata.*:x"),
        SearchError::WildcardFieldName { .. }
    ));
    assert!(matches!(
        error("*:x"),
        SearchError::WildcardFieldName { .. }
    ));
    assert!(matches!(
        error("_exists_:user_metadata.*"),
        SearchError::WildcardFieldName { .. }
    ));
}

// ---- ranges ----

#[test]
fn inclusive_exclusive_and_mixed_number_ranges() {
    assert_eq!(hits("logins_count:[0 TO 150]"), (true, true));
    assert_eq!(hits("logins_count:{0 TO 150}"), (false, false));
    assert_eq!(hits("logins_count:[100 TO 200}"), (true, false));
    assert_eq!(hits("logins_count:{0 TO 150]"), (true, false));
}

#[test]
fn star_opens_either_end_of_a_range() {
    assert_eq!(hits("logins_count:{100 TO *]"), (true, false));
    assert_eq!(hits("logins_count:[* TO 10}"), (false, true));
    assert_eq!(hits("logins_count:[* TO *]"), (true, true));
}

#[test]
fn date_range_bounds_cover_their_whole_period() {
    // Jane last logged in 2017-12-15, created 2023-01-25T19:00:27Z.
    assert!(matches_jane("last_login:[* TO 2017-12-31]"));
    assert!(matches_jane("last_login:[2017-12-01 TO 2017-12-31]"));
    assert!(matches_jane("last_login:{2017-11 TO 2017-12]"));
    assert!(!matches_jane("last_login:{2017-12 TO *]"));
    assert!(matches_jane("created_at:[2023-01-25 TO 2023-01-25]"));
    assert!(!matches_jane("created_at:[* TO 2023-01-25}"));
    assert!(matches_jane("created_at:[2023 TO 2023]"));
    assert_eq!(hits("created_at:[2024-01-01 TO *]"), (false, true));
}

#[test]
fn date_range_accepts_times_offsets_and_epoch_milliseconds() {
    assert!(matches_jane(
        "created_at:[2023-01-25T19:00:27Z TO 2023-01-25T19:00:27.084Z]"
    ));
    assert!(!matches_jane("created_at:[2023-01-25T19:00:28Z TO *]"));
    assert!(matches_jane(
        "created_at:[2023-01-25T21:00+02:00 TO 2023-01-25T21:00+02:00]"
    ));
    assert!(matches_jane("created_at:[1674673227084 TO 1674673227084]"));
}

#[test]
fn date_term_covers_its_whole_period() {
    assert_eq!(hits("created_at:2023-01-25"), (true, false));
    assert_eq!(hits("created_at:\"2024-03\""), (false, true));
}

#[test]
fn text_and_app_metadata_ranges_compare_by_value_type() {
    assert_eq!(hits("app_metadata.seats:[1 TO 10]"), (true, false));
    assert_eq!(hits("app_metadata.seats:{10 TO *]"), (false, true));
    assert!(matches_jane(
        "app_metadata.since:[2021-01-01 TO 2021-12-31]"
    ));
    assert_eq!(hits("name:[a TO c]"), (false, true));
    assert_eq!(hits("name:[JA TO JZ]"), (true, false));
}

#[test]
fn range_on_user_metadata_is_rejected() {
    assert_eq!(
        error("user_metadata.display.fontSize:[1 TO 20]"),
        SearchError::RangeOnUserMetadata {
            field: "user_metadata.display.fontSize".into()
        }
    );
}

#[test]
fn range_on_boolean_is_rejected() {
    assert!(matches!(
        error("blocked:[false TO true]"),
        SearchError::RangeOnBoolean { .. }
    ));
}

#[test]
fn values_of_the_wrong_type_for_typed_fields_are_rejected() {
    assert_eq!(
        error("email_verified:yes"),
        SearchError::InvalidValue {
            field: "email_verified".into(),
            kind: "boolean",
            value: "yes".into()
        }
    );
    assert!(matches!(
        error("logins_count:many"),
        SearchError::InvalidValue {
            kind: "integer",
            ..
        }
    ));
    assert!(matches!(
        error("logins_count:[1 TO lots]"),
        SearchError::InvalidValue { .. }
    ));
    assert!(matches!(
        error("created_at:[2023-13-01 TO *]"),
        SearchError::InvalidValue { kind: "date", .. }
    ));
    assert!(matches!(
        error("created_at:[now-1d TO *]"),
        SearchError::InvalidValue { .. }
    ));
    assert!(matches!(
        error("created_at:2023-02-30"),
        SearchError::InvalidValue { .. }
    ));
    assert!(matches!(
        error("logins_count:inf"),
        SearchError::InvalidValue { .. }
    ));
}

#[test]
fn malformed_ranges_are_rejected() {
    for q in [
        "logins_count:[1 TO",
        "logins_count:[1 2]",
        "logins_count:[1TO 2]",
        "logins_count:[ TO 2]",
        "logins_count:[1 to 2]",
        "logins_count:[1 TO 2)",
    ] {
        assert!(
            matches!(error(q), SearchError::MalformedRange { column: 14 }),
            "{q:?}"
        );
    }
}

// ---- syntax errors ----

#[test]
fn unsupported_lucene_features_are_rejected() {
    assert_eq!(error("name:jane~"), SearchError::Fuzzy { column: 10 });
    assert_eq!(
        error("name:\"jane smith\"~2"),
        SearchError::Fuzzy { column: 18 }
    );
    assert_eq!(error("name:/ja.e/"), SearchError::Regex { column: 6 });
}

#[test]
fn structural_errors_name_the_problem_and_its_column() {
    assert_eq!(
        error("name:\"jane"),
        SearchError::UnterminatedQuote { column: 6 }
    );
    assert_eq!(
        error("(name:jane"),
        SearchError::UnclosedGroup { column: 1 }
    );
    assert_eq!(
        error("name:jane)"),
        SearchError::Unexpected {
            token: ")".into(),
            column: 10
        }
    );
    assert_eq!(
        error("()"),
        SearchError::Unexpected {
            token: ")".into(),
            column: 2
        }
    );
    assert_eq!(
        error("name:jane\\"),
        SearchError::DanglingEscape { column: 10 }
    );
    assert_eq!(
        error("AND name:jane"),
        SearchError::Unexpected {
            token: "AND".into(),
            column: 1
        }
    );
    assert_eq!(
        error("name:jane AND"),
        SearchError::MissingTerm {
            after: "AND".into()
        }
    );
    assert_eq!(
        error("name:"),
        SearchError::MissingTerm {
            after: "name:".into()
        }
    );
    assert_eq!(
        error("NOT NOT name:jane"),
        SearchError::Unexpected {
            token: "NOT".into(),
            column: 5
        }
    );
    assert_eq!(
        error("name:jane OR OR x"),
        SearchError::Unexpected {
            token: "OR".into(),
            column: 14
        }
    );
    assert_eq!(
        error("a:b:c"),
        SearchError::Unexpected {
            token: ":".into(),
            column: 4
        }
    );
    assert_eq!(
        error("phone_number:+15551234"),
        SearchError::Unexpected {
            token: "+".into(),
            column: 14
        }
    );
}

#[test]
fn nesting_is_limited_to_max_depth() {
    let ok = format!(
        "{}given_name:jane{}",
        "(".repeat(MAX_DEPTH),
        ")".repeat(MAX_DEPTH)
    );
    assert!(parse(&ok).unwrap().matches(&jane()));
    let deep = format!(
        "{}name:jane{}",
        "(".repeat(MAX_DEPTH + 1),
        ")".repeat(MAX_DEPTH + 1)
    );
    assert_eq!(
        parse(&deep).unwrap_err(),
        SearchError::TooDeep { max: MAX_DEPTH }
    );
    let field_groups = format!(
        "{}x{}",
        "a:(".repeat(MAX_DEPTH + 1),
        ")".repeat(MAX_DEPTH + 1)
    );
    assert_eq!(
        parse(&field_groups).unwrap_err(),
        SearchError::TooDeep { max: MAX_DEPTH }
    );
}

#[test]
fn malformed_input_never_panics() {
    let huge_nesting = "(".repeat(100_000);
    let many_clauses = "name:x OR ".repeat(20_000) + "name:y";
    let long_echo = format!("{}:", "f".repeat(10_000));
    let mut nasty: Vec<String> = [
        "\"",
        "\"\"",
        "\\",
        "\\\\",
        "(",
        ")",
        ")(",
        "((a)",
        "a)",
        "AND",
        "OR",
        "NOT",
        "&&",
        "||",
        "!",
        "+",
        "-",
        "+-a",
        "- -a",
        ":",
        "a:",
        ":a",
        "a::b",
        "[",
        "]",
        "{",
        "}",
        "[a TO",
        "[a TO b",
        "[a b]",
        "{* TO *}",
        "[\"a TO b]",
        "^",
        "a^",
        "a^-1",
        "~",
        "a~2",
        "/",
        "/re/",
        "*",
        "**",
        "?",
        "*?",
        "a:()",
        "a:(",
        "_exists_:",
        "_exists_:[a TO b]",
        "_exists_:\"\"",
        "é:\"ü\"",
        "name:\u{0}",
        "\u{3000}",
        "name:\"\\",
        "created_at:[9999-12-31T23:59:59.999999999-23:59 TO *]",
        "created_at:99999999999999999999999",
        "created_at:-1",
        "logins_count:[1e400 TO *]",
        "email:ǅ*",
        "name:İSTANBUL",
        "a AND (b OR (c AND NOT (d)))",
        "NOT",
        "NOT (",
        "+(",
    ]
    .iter()
    .map(ToString::to_string)
    .collect();
    nasty.extend([huge_nesting, many_clauses, long_echo]);
    for q in &nasty {
        if let Ok(query) = parse(q) {
            // Only "does not panic" is under test here.
            let _ = (
                query.matches(&jane()),
                query.matches(&bob()),
                query.exact_term("email"),
            );
        }
    }
    let too_long = parse(&format!("{}:", "f".repeat(10_000)))
        .unwrap_err()
        .to_string();
    assert!(
        too_long.len() < 200,
        "errors echo at most a short piece of input"
    );
}

#[test]
fn error_messages_read_as_the_400_body_message() {
    assert_eq!(
        error("user_metadata.hobby:surf*").to_string(),
        "Invalid query: wildcard searches are not available on user_metadata fields ('user_metadata.hobby')."
    );
    assert_eq!(
        error("name:*sa").to_string(),
        "Invalid query: for suffix matching, literals must have 3 characters or more ('*sa')."
    );
    assert_eq!(
        error("logins_count:[1 TO").to_string(),
        "Invalid query: malformed range at column 14; expected [from TO to] or {from TO to}."
    );
    assert_eq!(
        error("name:jane\\").to_string(),
        "Invalid query: the '\\' at column 10 escapes nothing."
    );
}

#[test]
fn exists_needs_a_plain_field_name() {
    assert_eq!(
        error("_exists_:[a TO b]"),
        SearchError::InvalidValue {
            field: "_exists_".into(),
            kind: "field name",
            value: "[a TO b]".into()
        }
    );
    assert_eq!(hits("_exists_:\"given_name\""), (true, false));
}

#[test]
fn every_syntax_error_is_one_sentence_with_a_common_prefix() {
    for q in [
        "a)",
        "a AND",
        "\"a",
        "(a",
        "[a b]",
        "a\\",
        "a^",
        "a~",
        "/a/",
        "a?",
        "b*:c",
        "*ab",
        "user_metadata.a:b*",
        "user_metadata.a:[1 TO 2]",
        "logins_count:1*",
        "blocked:[a TO b]",
        "blocked:maybe",
        &"(".repeat(40),
    ] {
        let message = error(q).to_string();
        assert!(
            message.starts_with("Invalid query: ") && message.ends_with('.'),
            "{q:?}: {message}"
        );
    }
}

// ---- exact_term ----

#[test]
fn exact_term_returns_the_value_of_a_single_exact_term() {
    let term = |q: &str, f: &str| parse(q).unwrap().exact_term(f);
    assert_eq!(
        term("email:\"Jane.Smith@Example.com\"", "email").as_deref(),
        Some("jane.smith@example.com")
    );
    assert_eq!(term("email:a@b.c", "email").as_deref(), Some("a@b.c"));
    assert_eq!(
        term("user_id:\"auth0|X\"", "user_id").as_deref(),
        Some("auth0|X")
    );
    assert_eq!(
        term("+user_id:auth0|x", "user_id").as_deref(),
        Some("auth0|x")
    );
    assert_eq!(term("(email:(a@b.c))", "email").as_deref(), Some("a@b.c"));
}

#[test]
fn exact_term_is_none_for_anything_else() {
    let term = |q: &str| parse(q).unwrap().exact_term("email");
    for q in [
        "email:a@b*",
        "user_id:x",
        "email:a@b.c OR email:d@e.f",
        "-email:a@b.c",
        "NOT email:a@b.c",
        "_exists_:email",
        "email:[a TO b]",
        "a@b.c",
        "*",
        "",
    ] {
        assert_eq!(term(q), None, "{q:?}");
    }
}

// ---- helpers ----

#[test]
fn page_window_stops_at_the_first_thousand_results() {
    assert_eq!(check_page_window(9, 100), Ok(()));
    assert_eq!(check_page_window(19, 50), Ok(()));
    assert_eq!(check_page_window(10, 100), Err(SearchError::PageLimit));
    assert_eq!(
        check_page_window(u64::MAX, u64::MAX),
        Err(SearchError::PageLimit)
    );
    assert_eq!(
        SearchError::PageLimit.to_string(),
        "You can only page through the first 1000 records. See https://auth0.com/docs/users/search/v3/view-search-results-by-page#limitation."
    );
}

#[test]
fn push_json_path_descends_through_arrays() {
    let value = json!({"a": [{"b": [1, {"c": "x"}]}, {"b": {"c": "y"}}]});
    let mut out = Vec::new();
    push_json_path(&value, "a.b.c", &mut out);
    assert_eq!(
        out,
        vec![Field::Json(&json!("x")), Field::Json(&json!("y"))]
    );
    out.clear();
    push_json_path(&value, "", &mut out);
    assert_eq!(out.len(), 1);
}

#[test]
fn push_map_path_walks_metadata_held_as_a_map() {
    let Value::Object(map) = json!({"address": [{"city": "Paris"}], "empty": {}}) else {
        panic!("object literal")
    };
    let mut out = Vec::new();
    push_map_path(&map, "address.city", &mut out);
    assert_eq!(out, vec![Field::Json(&json!("Paris"))]);
    out.clear();
    push_map_path(&map, "", &mut out);
    assert_eq!(
        out,
        vec![
            Field::Json(&json!({"city": "Paris"})),
            Field::Json(&json!({}))
        ]
    );
}

#[test]
fn matches_with_reuses_one_buffer_across_users() {
    let users = [jane(), bob()];
    let query = parse("user_metadata.hobby:surfing").unwrap();
    let mut scratch = Vec::new();
    let found: Vec<bool> = users
        .iter()
        .map(|u| query.matches_with(u, &mut scratch))
        .collect();
    assert_eq!(found, [true, false]);
}

/// `cargo test --release -- --ignored --nocapture scan_of_100k`. Prints, per query, the best of
/// 25 interleaved rounds next to the floor: reading the same metadata value straight out of
/// serde_json with no query at all (memory-bound pointer chasing that no evaluator can avoid).
#[test]
#[ignore = "benchmark; run in release"]
fn scan_of_100k_users_with_a_metadata_term_is_fast() {
    let users: Vec<User> = (0..100_000)
        .map(|i| {
            User::new(json!({
                "user_id": format!("auth0|{i:024x}"),
                "email": format!("user{i}@example.com"),
                "name": format!("User {i}"),
                "logins_count": i % 97,
                "created_at": "2023-01-25T19:00:27.084Z",
                "user_metadata": {"hobby": if i % 10 == 0 { "surfing" } else { "chess" },
                                  "address": {"city": "Paris", "zip": "75001"}},
                "app_metadata": {"plan": "full", "roles": ["a", "b"]}
            }))
        })
        .collect();
    let time = |f: &mut dyn FnMut() -> usize| {
        let start = std::time::Instant::now();
        let n = f();
        (start.elapsed(), n)
    };
    for q in [
        "user_metadata.hobby:\"surfing\"",
        "email:USER5*",
        "app_metadata.plan:full AND logins_count:[10 TO 20] AND NOT user_metadata.address.city:London",
    ] {
        let query = parse(q).unwrap();
        let mut scratch = Vec::new();
        let (mut best_query, mut best_floor) = (std::time::Duration::MAX, std::time::Duration::MAX);
        let mut found = 0;
        for _ in 0..25 {
            let (elapsed, n) = time(&mut || {
                users.iter().filter(|u| query.matches_with(*u, &mut scratch)).count()
            });
            best_query = best_query.min(elapsed);
            found = n;
            let (floor, _) = time(&mut || {
                users
                    .iter()
                    .filter(|u| {
                        u.json.get("user_metadata").and_then(|m| m.get("hobby")).and_then(Value::as_str)
                            == Some("surfing")
                    })
                    .count()
            });
            best_floor = best_floor.min(floor);
        }
        println!("{q}: {found} matches in {best_query:?} (bare serde_json read: {best_floor:?})");
    }
}
