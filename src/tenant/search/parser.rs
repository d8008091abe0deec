//! Parser for `q`: Lucene classic query syntax as Elasticsearch's `query_string` reads it,
//! narrowed to what Auth0 allows, built into the AST of `mod.rs` with every check that can be
//! made before seeing a user (field types, wildcard and range restrictions) done here.
//!
//! Boolean semantics follow Lucene's classic `QueryParser` with default operator OR, because that
//! is what runs behind Auth0's search: each parenthesised level is a flat clause list where `+`
//! makes a clause required, `-`/`NOT` prohibited, `AND` makes both neighbours required, and
//! everything else is optional. So `a OR b AND c` needs `b` and `c`, and `NOT x OR y` means
//! "`y` and not `x`" — not the boolean algebra one might expect (see the tests).

use super::lexer::{echo, lex, Piece, RangeTok, Spanned, Tok};
use super::value::{fold, parse_date, parse_number};
use super::{
    Bound, FieldSpec, Kind, Leaf, Node, Pattern, Pred, Range, SearchError, Term,
    CASE_INSENSITIVE_FIELDS, DEFAULT_FIELDS, MAX_DEPTH,
};

pub(super) fn parse(q: &str) -> Result<Node, SearchError> {
    let tokens = lex(q)?;
    if tokens.is_empty() {
        return Ok(Node::All);
    }
    let mut parser = Parser { tokens, pos: 0 };
    let root = parser.query(None, 0)?;
    match parser.tokens.get(parser.pos) {
        // `query` only stops early at a `)` that no `(` opened.
        Some(stray) => Err(stray.unexpected()),
        None => Ok(root),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Occur {
    Must,
    Should,
    MustNot,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Conj {
    None,
    And,
    Or,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Modifier {
    None,
    Required,
    Prohibited,
}

struct Parser {
    tokens: Vec<Spanned>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos).map(|s| &s.tok)
    }

    fn previous_source(&self) -> String {
        self.pos
            .checked_sub(1)
            .and_then(|p| self.tokens.get(p))
            .map_or_else(String::new, |s| echo(&s.source))
    }

    /// `Query := Modifier? Clause (Conj? Modifier? Clause)*`, up to the end or a `)`.
    fn query(&mut self, field: Option<&str>, depth: usize) -> Result<Node, SearchError> {
        let mut clauses: Vec<(Occur, Node)> = Vec::new();
        loop {
            let conj = if clauses.is_empty() {
                Conj::None
            } else {
                match self.peek() {
                    Some(Tok::And) => {
                        self.pos += 1;
                        Conj::And
                    }
                    Some(Tok::Or) => {
                        self.pos += 1;
                        Conj::Or
                    }
                    _ => Conj::None,
                }
            };
            let modifier = match self.peek() {
                Some(Tok::Plus) => Modifier::Required,
                Some(Tok::Minus | Tok::Not) => Modifier::Prohibited,
                _ => Modifier::None,
            };
            if modifier != Modifier::None {
                self.pos += 1;
            }
            let node = self.clause(field, depth)?;
            add_clause(&mut clauses, conj, modifier, node);
            if matches!(self.peek(), None | Some(Tok::RParen)) {
                break;
            }
        }
        Ok(build_bool(clauses))
    }

    /// `Clause := '(' Query ')' | field ':' ( '(' Query ')' | value ) | value`, then `^boost`.
    fn clause(&mut self, field: Option<&str>, depth: usize) -> Result<Node, SearchError> {
        let pos = self.pos;
        let Some(token) = self.tokens.get(pos) else {
            return Err(SearchError::MissingTerm {
                after: self.previous_source(),
            });
        };
        // Decide first, act after: acting needs `&mut self`, which the token borrow forbids.
        let next = match (&token.tok, self.tokens.get(pos + 1).map(|t| &t.tok)) {
            (Tok::LParen, _) => Next::Group(token.column),
            (Tok::Word(pieces), Some(Tok::Colon)) => Next::Field(field_name(pieces)),
            (Tok::Word(_) | Tok::Quoted(_) | Tok::Range(_), _) => Next::Value,
            _ => return Err(token.unexpected()),
        };
        self.pos += 1;
        let node = match next {
            Next::Group(column) => self.group(field, depth, column)?,
            Next::Field(name) => {
                self.pos += 1;
                self.field_value(&name, depth)?
            }
            Next::Value => value(field, &self.tokens[pos])?,
        };
        self.boost()?;
        Ok(node)
    }

    /// After `field:`: a group searched on that field, or a single value.
    fn field_value(&mut self, name: &FieldName, depth: usize) -> Result<Node, SearchError> {
        let pos = self.pos;
        let Some(token) = self.tokens.get(pos) else {
            return Err(SearchError::MissingTerm {
                after: format!("{}:", echo(&name.text)),
            });
        };
        let group_column = match &token.tok {
            Tok::Word(pieces) if name.text == "*" && pieces == &[Piece::Star] => {
                self.pos += 1;
                return Ok(Node::All);
            }
            _ if name.wildcard => {
                return Err(SearchError::WildcardFieldName {
                    field: echo(&name.text),
                })
            }
            Tok::LParen => token.column,
            Tok::Word(_) | Tok::Quoted(_) | Tok::Range(_) => {
                self.pos += 1;
                return value(Some(&name.text), &self.tokens[pos]);
            }
            _ => return Err(token.unexpected()),
        };
        self.pos += 1;
        self.group(Some(&name.text), depth, group_column)
    }

    fn group(
        &mut self,
        field: Option<&str>,
        depth: usize,
        column: usize,
    ) -> Result<Node, SearchError> {
        if depth + 1 > MAX_DEPTH {
            return Err(SearchError::TooDeep { max: MAX_DEPTH });
        }
        if matches!(self.peek(), Some(Tok::RParen)) {
            return Err(self.tokens[self.pos].unexpected());
        }
        let inner = self.query(field, depth + 1)?;
        if matches!(self.peek(), Some(Tok::RParen)) {
            self.pos += 1;
            Ok(inner)
        } else {
            Err(SearchError::UnclosedGroup { column })
        }
    }

    /// `^2` only ranks results in Lucene; results here are not ranked, so it is read and dropped.
    fn boost(&mut self) -> Result<(), SearchError> {
        let Some(caret) = self.tokens.get(self.pos) else {
            return Ok(());
        };
        if !matches!(caret.tok, Tok::Caret) {
            return Ok(());
        }
        let column = caret.column;
        let number = match self.tokens.get(self.pos + 1) {
            Some(Spanned {
                tok: Tok::Word(pieces),
                ..
            }) => literal(pieces).and_then(|text| parse_number(&text)),
            _ => None,
        };
        match number {
            Some(n) if n >= 0.0 => {
                self.pos += 2;
                Ok(())
            }
            _ => Err(SearchError::InvalidBoost { column }),
        }
    }
}

/// Lucene's `QueryParserBase.addClause` with the default operator OR: `AND` makes the previous
/// clause required (unless prohibited) and this one too; `+` requires, `-`/`NOT` prohibits.
fn add_clause(clauses: &mut Vec<(Occur, Node)>, conj: Conj, modifier: Modifier, node: Node) {
    if conj == Conj::And {
        if let Some(previous) = clauses.last_mut() {
            if previous.0 != Occur::MustNot {
                previous.0 = Occur::Must;
            }
        }
    }
    let occur = match modifier {
        Modifier::Prohibited => Occur::MustNot,
        Modifier::Required => Occur::Must,
        Modifier::None if conj == Conj::And => Occur::Must,
        Modifier::None => Occur::Should,
    };
    clauses.push((occur, node));
}

fn build_bool(mut clauses: Vec<(Occur, Node)>) -> Node {
    if clauses.len() == 1 && clauses[0].0 != Occur::MustNot {
        if let Some((_, node)) = clauses.pop() {
            return node;
        }
    }
    let (mut must, mut should, mut must_not) = (Vec::new(), Vec::new(), Vec::new());
    for (occur, node) in clauses {
        match occur {
            Occur::Must => must.push(node),
            Occur::Should => should.push(node),
            Occur::MustNot => must_not.push(node),
        }
    }
    Node::Bool {
        must,
        should,
        must_not,
    }
}

enum Next {
    Group(usize),
    Field(FieldName),
    Value,
}

struct FieldName {
    text: String,
    wildcard: bool,
}

fn field_name(pieces: &[Piece]) -> FieldName {
    let mut text = String::new();
    let mut wildcard = false;
    for piece in pieces {
        match piece {
            Piece::Lit(c) => text.push(*c),
            Piece::Star => {
                wildcard = true;
                text.push('*');
            }
            Piece::Question => {
                wildcard = true;
                text.push('?');
            }
        }
    }
    FieldName { text, wildcard }
}

/// The text of a word without wildcards, or `None` if it has any.
fn literal(pieces: &[Piece]) -> Option<String> {
    pieces
        .iter()
        .map(|piece| match piece {
            Piece::Lit(c) => Some(*c),
            _ => None,
        })
        .collect()
}

/// A word, phrase or range searched on `field`, or on every default field when there is none.
fn value(field: Option<&str>, token: &Spanned) -> Result<Node, SearchError> {
    let Some(field) = field else {
        if let Tok::Word(pieces) = &token.tok {
            if pieces == &[Piece::Star] {
                return Ok(Node::All);
            }
        }
        let leaves = DEFAULT_FIELDS
            .iter()
            .map(|f| value(Some(f), token))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(Node::Bool {
            must: Vec::new(),
            should: leaves,
            must_not: Vec::new(),
        });
    };
    if field == "_exists_" {
        return exists(token);
    }
    let spec = classify(field);
    let pred = match &token.tok {
        Tok::Quoted(text) => Pred::Term(term(&spec, text)?),
        Tok::Word(pieces) => match literal(pieces) {
            Some(text) => Pred::Term(term(&spec, &text)?),
            // Lucene turns `field:*` into an existence query.
            None if pieces == &[Piece::Star] => Pred::Exists,
            None => Pred::Wildcard(pattern(&spec, pieces)?),
        },
        Tok::Range(range) => Pred::Range(range_pred(&spec, range)?),
        _ => return Err(token.unexpected()),
    };
    Ok(Node::Leaf(Leaf { spec, pred }))
}

/// `_exists_:path` — the value names the field.
fn exists(token: &Spanned) -> Result<Node, SearchError> {
    let path = match &token.tok {
        Tok::Quoted(text) => text.clone(),
        Tok::Word(pieces) => literal(pieces).ok_or_else(|| SearchError::WildcardFieldName {
            field: echo(&token.source),
        })?,
        _ => {
            return Err(SearchError::InvalidValue {
                field: "_exists_".to_owned(),
                kind: "field name",
                value: echo(&token.source),
            })
        }
    };
    Ok(Node::Leaf(Leaf {
        spec: classify(&path),
        pred: Pred::Exists,
    }))
}

fn classify(path: &str) -> FieldSpec {
    let kind = match path {
        "created_at" | "updated_at" | "last_login" => Kind::Date,
        "logins_count" => Kind::Int,
        "email_verified" | "phone_verified" | "blocked" | "identities.isSocial" => Kind::Bool,
        _ if path == "user_metadata" || path.starts_with("user_metadata.") => Kind::UserMetadata,
        _ if path == "app_metadata" || path.starts_with("app_metadata.") => Kind::AppMetadata,
        _ => Kind::Text,
    };
    FieldSpec {
        path: path.into(),
        ci: CASE_INSENSITIVE_FIELDS.contains(&path),
        kind,
    }
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Bool => "boolean",
        Kind::Int => "integer",
        Kind::Date => "date",
        Kind::Text | Kind::UserMetadata | Kind::AppMetadata => "text",
    }
}

fn invalid(spec: &FieldSpec, text: &str) -> SearchError {
    SearchError::InvalidValue {
        field: echo(&spec.path),
        kind: kind_name(spec.kind),
        value: echo(text),
    }
}

/// Typed root fields must get a value of their type, as Elasticsearch refuses e.g. `blocked:yes`.
fn term(spec: &FieldSpec, text: &str) -> Result<Term, SearchError> {
    let mut term = Term {
        text: if spec.ci { fold(text) } else { text.to_owned() }.into(),
        num: None,
        boolean: None,
        date: None,
    };
    match spec.kind {
        Kind::Bool => term.boolean = Some(parse_bool(text).ok_or_else(|| invalid(spec, text))?),
        Kind::Int => term.num = Some(parse_number(text).ok_or_else(|| invalid(spec, text))?),
        Kind::Date => term.date = Some(parse_date(text).ok_or_else(|| invalid(spec, text))?),
        Kind::Text | Kind::UserMetadata | Kind::AppMetadata => {
            // Metadata keeps JSON types, so `user_metadata.fontSize:13` must match the number 13.
            term.num = parse_number(text);
            term.boolean = parse_bool(text);
        }
    }
    Ok(term)
}

fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

fn pattern(spec: &FieldSpec, pieces: &[Piece]) -> Result<Pattern, SearchError> {
    let shown = || echo(&field_name(pieces).text);
    if pieces.contains(&Piece::Question) {
        return Err(SearchError::QuestionMark);
    }
    match spec.kind {
        Kind::UserMetadata => {
            return Err(SearchError::WildcardOnUserMetadata {
                field: echo(&spec.path),
            })
        }
        Kind::Bool | Kind::Int | Kind::Date => {
            return Err(SearchError::WildcardOnTypedField {
                field: echo(&spec.path),
                kind: kind_name(spec.kind),
            })
        }
        Kind::Text | Kind::AppMetadata => {}
    }
    let literals = pieces.iter().filter(|p| matches!(p, Piece::Lit(_))).count();
    if pieces.first() == Some(&Piece::Star) && literals < 3 {
        return Err(SearchError::ShortSuffix { term: shown() });
    }
    let mut segments: Vec<String> = vec![String::new()];
    for piece in pieces {
        match piece {
            Piece::Lit(c) => {
                if let Some(last) = segments.last_mut() {
                    last.push(*c);
                }
            }
            _ => segments.push(String::new()),
        }
    }
    let fold_if = |s: String| -> Box<str> { if spec.ci { fold(&s) } else { s }.into() };
    let suffix = segments.pop().map(fold_if).unwrap_or_default();
    let mut rest = segments.into_iter();
    let prefix = rest.next().map(fold_if).unwrap_or_default();
    let middle = rest.filter(|s| !s.is_empty()).map(fold_if).collect();
    Ok(Pattern {
        prefix,
        middle,
        suffix,
    })
}

fn range_pred(spec: &FieldSpec, range: &RangeTok) -> Result<Range, SearchError> {
    match spec.kind {
        Kind::UserMetadata => {
            return Err(SearchError::RangeOnUserMetadata {
                field: echo(&spec.path),
            })
        }
        Kind::Bool => {
            return Err(SearchError::RangeOnBoolean {
                field: echo(&spec.path),
            })
        }
        _ => {}
    }
    let bound = |text: &Option<String>| -> Result<Option<Bound>, SearchError> {
        let Some(text) = text else { return Ok(None) };
        let mut bound = Bound {
            text: if spec.ci { fold(text) } else { text.clone() }.into(),
            num: parse_number(text),
            date: None,
        };
        match spec.kind {
            Kind::Int if bound.num.is_none() => return Err(invalid(spec, text)),
            Kind::Date => {
                bound.num = None;
                bound.date = Some(parse_date(text).ok_or_else(|| invalid(spec, text))?);
            }
            _ => {}
        }
        Ok(Some(bound))
    };
    Ok(Range {
        lower: bound(&range.lower)?,
        upper: bound(&range.upper)?,
        lower_inclusive: range.lower_inclusive,
        upper_inclusive: range.upper_inclusive,
    })
}
