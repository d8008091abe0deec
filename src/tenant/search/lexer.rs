//! Tokens of `q`, following Lucene's classic lexer: words (with `*`/`?` wildcards and `\`
//! escapes), quoted phrases, whole ranges, operators. `+`, `-` and `!` are operators only at the
//! start of a word, so `google-oauth2` and `a+b@x.y` stay single words.

use super::SearchError;

/// Longest piece of user input echoed back in an error message.
const ECHO_LIMIT: usize = 64;

/// A token; operator words and symbols are already told apart from terms.
#[derive(Debug)]
pub(super) enum Tok {
    LParen,
    RParen,
    Colon,
    And,
    Or,
    Not,
    Plus,
    Minus,
    Caret,
    Word(Vec<Piece>),
    Quoted(String),
    Range(RangeTok),
}

/// One character of a word: literal (escapes already removed) or an unescaped wildcard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Piece {
    Lit(char),
    Star,
    Question,
}

#[derive(Debug)]
pub(super) struct RangeTok {
    /// `None` is an open end (an unquoted `*`).
    pub(super) lower: Option<String>,
    pub(super) upper: Option<String>,
    pub(super) lower_inclusive: bool,
    pub(super) upper_inclusive: bool,
}

#[derive(Debug)]
pub(super) struct Spanned {
    pub(super) tok: Tok,
    /// 1-based character column, for error messages.
    pub(super) column: usize,
    /// The source text of the token, for error messages.
    pub(super) source: String,
}

impl Spanned {
    pub(super) fn unexpected(&self) -> SearchError {
        SearchError::Unexpected {
            token: echo(&self.source),
            column: self.column,
        }
    }
}

pub(super) fn echo(s: &str) -> String {
    s.chars().take(ECHO_LIMIT).collect()
}

/// Characters that end an unquoted word (Lucene's non-term characters, minus `+`/`-`, which only
/// count as operators at the start of a word, and `*`/`?`, which are wildcards inside it).
fn ends_word(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '(' | ')' | ':' | '"' | '[' | ']' | '{' | '}' | '^' | '~' | '/' | '!'
        )
}

pub(super) fn lex(q: &str) -> Result<Vec<Spanned>, SearchError> {
    let chars: Vec<char> = q.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let tok = match c {
            _ if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '(' => single(&mut i, Tok::LParen),
            ')' => single(&mut i, Tok::RParen),
            ':' => single(&mut i, Tok::Colon),
            '+' => single(&mut i, Tok::Plus),
            '-' => single(&mut i, Tok::Minus),
            '!' => single(&mut i, Tok::Not),
            '^' => single(&mut i, Tok::Caret),
            '~' => return Err(SearchError::Fuzzy { column: i + 1 }),
            '/' => return Err(SearchError::Regex { column: i + 1 }),
            ']' | '}' => {
                return Err(SearchError::Unexpected {
                    token: c.to_string(),
                    column: i + 1,
                })
            }
            '"' => Tok::Quoted(lex_quoted(&chars, &mut i)?),
            '[' | '{' => Tok::Range(lex_range(&chars, &mut i)?),
            _ => {
                let (pieces, escaped) = lex_word(&chars, &mut i)?;
                operator(&pieces, escaped).unwrap_or(Tok::Word(pieces))
            }
        };
        out.push(Spanned {
            tok,
            column: start + 1,
            source: chars[start..i].iter().collect(),
        });
    }
    Ok(out)
}

fn single(i: &mut usize, tok: Tok) -> Tok {
    *i += 1;
    tok
}

/// Unescaped `AND`/`&&`, `OR`/`||`, `NOT` words are operators; lowercase ones are plain terms.
fn operator(pieces: &[Piece], escaped: bool) -> Option<Tok> {
    if escaped || pieces.len() > 3 {
        return None;
    }
    let mut word = String::with_capacity(3);
    for piece in pieces {
        match piece {
            Piece::Lit(c) => word.push(*c),
            _ => return None,
        }
    }
    match word.as_str() {
        "AND" | "&&" => Some(Tok::And),
        "OR" | "||" => Some(Tok::Or),
        "NOT" => Some(Tok::Not),
        _ => None,
    }
}

/// Reads an unquoted word; returns its pieces and whether any character was escaped.
fn lex_word(chars: &[char], i: &mut usize) -> Result<(Vec<Piece>, bool), SearchError> {
    let mut pieces = Vec::new();
    let mut escaped = false;
    while let Some(&c) = chars.get(*i) {
        if ends_word(c) {
            break;
        }
        let piece = match c {
            '\\' => {
                escaped = true;
                let Some(&next) = chars.get(*i + 1) else {
                    return Err(SearchError::DanglingEscape { column: *i + 1 });
                };
                *i += 1;
                Piece::Lit(next)
            }
            '*' => Piece::Star,
            '?' => Piece::Question,
            _ => Piece::Lit(c),
        };
        pieces.push(piece);
        *i += 1;
    }
    Ok((pieces, escaped))
}

/// Reads `"…"` starting at the opening quote; `\` escapes the next character.
fn lex_quoted(chars: &[char], i: &mut usize) -> Result<String, SearchError> {
    let open = *i;
    let mut text = String::new();
    let mut j = open + 1;
    loop {
        match chars.get(j) {
            None => return Err(SearchError::UnterminatedQuote { column: open + 1 }),
            Some('"') => break,
            Some('\\') => match chars.get(j + 1) {
                Some(&next) => {
                    text.push(next);
                    j += 2;
                }
                None => return Err(SearchError::UnterminatedQuote { column: open + 1 }),
            },
            Some(&c) => {
                text.push(c);
                j += 1;
            }
        }
    }
    *i = j + 1;
    Ok(text)
}

/// Reads `[a TO b]`, `{a TO b}` or a mix, starting at the opening bracket. Bounds are a quoted
/// phrase or any run of characters up to whitespace, `]` or `}` (as Lucene's range lexer does).
fn lex_range(chars: &[char], i: &mut usize) -> Result<RangeTok, SearchError> {
    let open = *i;
    let malformed = || SearchError::MalformedRange { column: open + 1 };
    let lower_inclusive = chars[open] == '[';
    let mut j = open + 1;
    skip_whitespace(chars, &mut j);
    let lower = lex_bound(chars, &mut j, open)?;
    let before_to = j;
    skip_whitespace(chars, &mut j);
    let spaced_to = j > before_to
        && chars.get(j) == Some(&'T')
        && chars.get(j + 1) == Some(&'O')
        && chars.get(j + 2).is_some_and(|c| c.is_whitespace());
    if !spaced_to {
        return Err(malformed());
    }
    j += 2;
    skip_whitespace(chars, &mut j);
    let upper = lex_bound(chars, &mut j, open)?;
    skip_whitespace(chars, &mut j);
    let upper_inclusive = match chars.get(j) {
        Some(']') => true,
        Some('}') => false,
        _ => return Err(malformed()),
    };
    *i = j + 1;
    Ok(RangeTok {
        lower,
        upper,
        lower_inclusive,
        upper_inclusive,
    })
}

fn lex_bound(chars: &[char], j: &mut usize, open: usize) -> Result<Option<String>, SearchError> {
    if chars.get(*j) == Some(&'"') {
        return lex_quoted(chars, j).map(Some);
    }
    let mut text = String::new();
    let mut escaped = false;
    while let Some(&c) = chars.get(*j) {
        if c.is_whitespace() || c == ']' || c == '}' {
            break;
        }
        if c == '\\' {
            let Some(&next) = chars.get(*j + 1) else {
                return Err(SearchError::DanglingEscape { column: *j + 1 });
            };
            escaped = true;
            text.push(next);
            *j += 2;
        } else {
            text.push(c);
            *j += 1;
        }
    }
    if text.is_empty() {
        return Err(SearchError::MalformedRange { column: open + 1 });
    }
    Ok(if text == "*" && !escaped {
        None
    } else {
        Some(text)
    })
}

fn skip_whitespace(chars: &[char], j: &mut usize) {
    while chars.get(*j).is_some_and(|c| c.is_whitespace()) {
        *j += 1;
    }
}
