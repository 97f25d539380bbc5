//! Turning the user's text and flags into a tantivy query: the query language, with clear
//! errors; dates are in `dates`.

use crate::schema::{self, Fields};
use std::ops::Bound;
use tantivy::Index;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, EnableScoring, Explanation, Occur, Query, QueryParser,
    RangeQuery, Scorer, Weight,
};
use tantivy::schema::Term;

pub use crate::dates::{DateRange, End, QueryError, parse_partial_date};
use tantivy::{DocId, DocSet, Score, SegmentReader};

/// Queries longer than this are refused: no real query needs it, and tantivy's lenient parser
/// has hung on crafted long input (tantivy#3032).
pub const MAX_QUERY_BYTES: usize = 4096;

/// Parentheses may nest this deep: tantivy's parsers recurse once per level, and a few thousand
/// levels overflow the stack.
pub const MAX_NESTING: usize = 100;

/// A query ready to run: the text part (for snippets) and the whole (text plus date filter).
pub struct Parsed {
    /// The text query alone, or `None` when the text was empty (match everything).
    pub text: Option<Box<dyn Query>>,
    /// What to execute.
    pub full: Box<dyn Query>,
    /// The date filter alone, when the range is bounded.
    pub filter: Option<Box<dyn Query>>,
    /// For a query of free words only: each word's term and how often the text gives it.
    pub bag: Option<crate::rank::Bag>,
    /// Problems the lenient reading worked around, for a warning.
    pub warnings: Vec<String>,
}

/// Parses the query language: free words (any may match; more matches rank higher),
/// `"exact phrases"`, `+required`, `-excluded`, `AND`/`OR`/`NOT`, parentheses. A query the
/// strict grammar rejects is read leniently, with a warning, rather than refused.
pub fn parse(
    index: &Index,
    f: Fields,
    text: &str,
    range: &DateRange,
) -> Result<Parsed, QueryError> {
    parse_within(index, f, text, range, None)
}

/// [`parse`], restricted to the articles whose key starts with `folder` (a key prefix ending
/// in `/`, see [`folder_prefix`]) when one is given.
pub fn parse_within(
    index: &Index,
    f: Fields,
    text: &str,
    range: &DateRange,
    folder: Option<&str>,
) -> Result<Parsed, QueryError> {
    if text.len() > MAX_QUERY_BYTES {
        return Err(QueryError::TooLong(text.len()));
    }
    let depth = nesting(text);
    if depth > MAX_NESTING {
        return Err(QueryError::TooDeep(depth));
    }
    let text = &absolute_paths(&open_ranges_as_all(text));
    let parser = QueryParser::new(index.schema(), vec![f.body], schema::query_tokenizers());
    let mut warnings = Vec::new();
    let text_query = if text.trim().is_empty() {
        None
    } else {
        let strict = match unknown_field(text) {
            Some(field) => Err(tantivy::query::QueryParserError::FieldDoesNotExist(
                field.trim_start_matches(['+', '-', '(']).to_string(),
            )),
            None => parser.parse_query(&phrases_to_pairs(text)),
        };
        match strict {
            Ok(q) => Some(q),
            Err(strict) => {
                let repaired = repair(text);
                match parser.parse_query(&phrases_to_pairs(&repaired)) {
                    Ok(q) if !repaired.trim().is_empty() => {
                        warnings.push(format!(
                            "{}; searched for: {}",
                            describe(&strict),
                            repaired.trim()
                        ));
                        Some(q)
                    }
                    _ => {
                        let (q, _) = parser.parse_query_lenient(&phrases_to_pairs(text));
                        warnings.push(format!("{}; read it leniently", describe(&strict)));
                        Some(q)
                    }
                }
            }
        }
    };
    let text_query = text_query.map(plain_seek_exclusions);
    let filter = filter(f, range, folder);
    let full: Box<dyn Query> = match (&text_query, &filter) {
        (Some(q), None) => q.box_clone(),
        (Some(q), Some(filter)) => Box::new(BooleanQuery::new(vec![
            (Occur::Must, q.box_clone()),
            (Occur::Must, filter.box_clone()),
        ])),
        (None, None) => Box::new(AllQuery),
        (None, Some(filter)) => filter.box_clone(),
    };
    let bag = text_query
        .as_deref()
        .and_then(|q| crate::rank::bag(text, q, f.body));
    Ok(Parsed {
        text: text_query,
        full,
        filter,
        bag,
        warnings,
    })
}

/// The date range and the folder as one filter that scores nothing; `None` when neither
/// restricts anything.
pub fn filter(f: Fields, range: &DateRange, folder: Option<&str>) -> Option<Box<dyn Query>> {
    let mut parts: Vec<Box<dyn Query>> = Vec::new();
    if range.is_bounded() {
        parts.push(range.to_query(f));
    }
    if let Some(prefix) = folder {
        parts.push(folder_query(f, prefix));
    }
    match parts.len() {
        0 => None,
        1 => parts.pop(),
        _ => Some(Box::new(BooleanQuery::new(
            parts.into_iter().map(|q| (Occur::Must, q)).collect(),
        ))),
    }
}

/// The key prefix of a folder the user names (`--in corpus/federalist`): its key, as
/// `dateline show` resolves a path, ending in `/`.
pub fn folder_prefix(folder: &std::path::Path) -> String {
    let key = crate::corpus::key_as_named(folder);
    if key.ends_with('/') {
        key
    } else {
        format!("{key}/")
    }
}

/// The articles whose key starts with `prefix` (ending in `/`): the keys from `prefix` up to,
/// not including, the same text with its final `/` made `0`, the next byte. A range over the
/// path column's term ordinals, scoring nothing: the filter runs inside the index.
fn folder_query(f: Fields, prefix: &str) -> Box<dyn Query> {
    let upper = format!("{}0", prefix.strip_suffix('/').unwrap_or(prefix));
    Box::new(ConstScoreQuery::new(
        Box::new(RangeQuery::new(
            Bound::Included(Term::from_field_text(f.path, prefix)),
            Bound::Excluded(Term::from_field_text(f.path, &upper)),
        )),
        0.0,
    ))
}

/// Free text as a query of its words: every run of letters, digits and `_` (the `\w` of regular
/// expressions), lower-cased, so that punctuation, quotes and words such as `AND`, `NOT` or
/// `title:` in a question are read as words, never as query syntax.
pub fn free_text(text: &str) -> String {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Rebuilds boolean queries with every excluded clause wrapped in [`PlainSeek`].
///
/// tantivy's exclusion asks the excluded scorer whether it holds a document that may lie
/// behind it, which a phrase scorer's `seek_danger` forbids (a debug assertion; release builds
/// answer correctly). Found by the `query` fuzz target with `aid -"aid caravans"`.
fn plain_seek_exclusions(q: Box<dyn Query>) -> Box<dyn Query> {
    let Some(b) = q.downcast_ref::<BooleanQuery>() else {
        return q;
    };
    let clauses = b
        .clauses()
        .iter()
        .map(|(occur, sub)| {
            let sub = plain_seek_exclusions(sub.box_clone());
            let sub: Box<dyn Query> = if *occur == Occur::MustNot {
                Box::new(PlainSeek(sub))
            } else {
                sub
            };
            (*occur, sub)
        })
        .collect();
    Box::new(BooleanQuery::new(clauses))
}

/// A query whose scorer answers `seek_danger` with tantivy's default method, which accepts a
/// target behind the current document.
#[derive(Debug)]
struct PlainSeek(Box<dyn Query>);

impl Clone for PlainSeek {
    fn clone(&self) -> Self {
        PlainSeek(self.0.box_clone())
    }
}

impl Query for PlainSeek {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(PlainSeekWeight(self.0.weight(scoring)?)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.0.query_terms(visitor)
    }
}

struct PlainSeekWeight(Box<dyn Weight>);

impl Weight for PlainSeekWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(PlainSeekScorer(self.0.scorer(reader, boost)?)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.0.explain(reader, doc)
    }
}

struct PlainSeekScorer(Box<dyn Scorer>);

impl DocSet for PlainSeekScorer {
    fn advance(&mut self) -> DocId {
        self.0.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.0.seek(target)
    }

    fn doc(&self) -> DocId {
        self.0.doc()
    }

    fn size_hint(&self) -> u32 {
        self.0.size_hint()
    }
}

impl Scorer for PlainSeekScorer {
    fn score(&mut self) -> Score {
        self.0.score()
    }
}

/// The deepest nesting of parentheses outside quotes (unbalanced ones count as they open).
fn nesting(text: &str) -> usize {
    let (mut depth, mut max, mut quoted) = (0usize, 0usize, false);
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => {
                depth += 1;
                max = max.max(depth);
            }
            ')' if !quoted => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// `path:corpus/a.txt` names a file as the user sees it; the index keys files by absolute path
/// (see `corpus`), so each `path:` value is resolved as `dateline show` resolves its argument.
/// Ranges and wildcards are left as written.
fn absolute_paths(text: &str) -> String {
    const FIELD: &str = "path:";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(FIELD) {
        let starts_word = at == 0
            || rest[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_whitespace() || "(+-".contains(c));
        out.push_str(&rest[..at + FIELD.len()]);
        rest = &rest[at + FIELD.len()..];
        if !starts_word {
            continue;
        }
        let (value, quoted) = match rest.strip_prefix('"') {
            Some(q) => match q.find('"') {
                Some(end) => (&q[..end], true),
                None => continue,
            },
            None => {
                let end = rest
                    .find(|c: char| c.is_whitespace() || c == ')')
                    .unwrap_or(rest.len());
                (&rest[..end], false)
            }
        };
        let len = value.len() + if quoted { 2 } else { 0 };
        if value.is_empty() || value.starts_with(['/', '[', '{', '(']) || value.contains('*') {
            continue;
        }
        let key = crate::corpus::key_as_named(std::path::Path::new(value));
        out.push('"');
        out.push_str(&key.replace('"', "\\\""));
        out.push('"');
        rest = &rest[len..];
    }
    out.push_str(rest);
    out
}

/// A quoted phrase whose every word has a common neighbour (`"the company said"`, see `grams`)
/// is sent to the pairs field, whose postings are short, instead of the body's words, whose
/// positions of `the` fill nearly every article: `pairs:"the company said"`. Phrases with a
/// field, with a slop (`"…"~2`) or with a word no pair covers stay as they are.
fn phrases_to_pairs(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(open) = rest.find('"') {
        let Some(len) = rest[open + 1..].find('"') else {
            break;
        };
        let close = open + 1 + len;
        let phrase = &rest[open + 1..close];
        let fielded = rest[..open].ends_with(':');
        let slop = rest[close + 1..].starts_with('~');
        out.push_str(&rest[..open]);
        if !fielded && !slop && is_fully_paired(phrase) {
            out.push_str(schema::PAIRS);
            out.push(':');
        }
        out.push_str(&rest[open..=close]);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

fn is_fully_paired(phrase: &str) -> bool {
    let mut analyzer = schema::word_analyzer();
    let mut stream = analyzer.token_stream(phrase);
    let mut words = Vec::new();
    while let Some(t) = stream.next() {
        words.push(t.text.clone());
    }
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    crate::grams::fully_paired(&words)
}

/// `field:[* TO *]` (or `{* TO *}`) bounds nothing, yet tantivy reads it as matching nothing;
/// it is read as `*`, every article.
fn open_ranges_as_all(text: &str) -> String {
    let mut out = text.to_string();
    for pattern in [":[* TO *]", ":{* TO *}"] {
        while let Some(at) = out.find(pattern) {
            // The field name runs back to white space, a parenthesis or a +/- sign.
            let field_start = out[..at]
                .rfind(|c: char| c.is_whitespace() || matches!(c, '(' | '+' | '-'))
                .map(|i| i + 1)
                .unwrap_or(0);
            out.replace_range(field_start..at + pattern.len(), "*");
        }
    }
    out
}

/// The fields a query may name (`path:"corpus/x.txt"`, `date:[… TO …]`, `body:word`).
const QUERY_FIELDS: &[&str] = &[schema::PATH, schema::DATE, schema::BODY];

/// Whether the text before a `:` names a field a query may use (leading `+`, `-` and `(` aside).
fn is_query_field(field: &str) -> bool {
    QUERY_FIELDS.contains(&field.trim_start_matches(['+', '-', '(']))
}

/// Whether the text before a `:` reads as a field name at all (a word of letters, digits and
/// `_`), unlike the hours of `2016-12-31T00:00:00Z` in a date range.
fn looks_like_field(field: &str) -> bool {
    let name = field.trim_start_matches(['+', '-', '(']);
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The first `field:` in the text that names no field. tantivy's parser checks field names for
/// most clauses but not `field:*`, which would fail only when run.
fn unknown_field(text: &str) -> Option<&str> {
    text.split_whitespace()
        .filter_map(|w| w.split_once(':').map(|(field, _)| field))
        .find(|field| looks_like_field(field) && !is_query_field(field))
}

/// Mends the commonest slips: an unclosed quote (the last quote is dropped), unmatched
/// parentheses (dropped), and operators with nothing on one side (dropped).
pub fn repair(text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    if chars.iter().filter(|&&c| c == '"').count() % 2 == 1
        && let Some(i) = chars.iter().rposition(|&c| c == '"')
    {
        chars.remove(i);
    }
    // Parentheses inside quotes are words, not grouping.
    let mut open = Vec::new();
    let mut drop = vec![false; chars.len()];
    let mut quoted = false;
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => open.push(i),
            ')' if !quoted && open.pop().is_none() => drop[i] = true,
            _ => {}
        }
    }
    for i in open {
        drop[i] = true;
    }
    let text: String = chars
        .iter()
        .zip(&drop)
        .filter(|(_, d)| !**d)
        .map(|(c, _)| *c)
        .collect();
    // `word:` where word is not a field is text (`re:Syria`), not a field query.
    let text: String = text
        .split(' ')
        .map(|w| match w.split_once(':') {
            Some((field, rest)) if looks_like_field(field) && !is_query_field(field) => {
                // `foo:*` asks whether a field exists; with no such field, keep the word.
                if rest == "*" {
                    field.to_string()
                } else {
                    format!("{field} {rest}")
                }
            }
            _ => w.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ");
    let is_op = |w: &str| matches!(w, "AND" | "OR" | "NOT" | "&&" | "||");
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut kept: Vec<&str> = Vec::with_capacity(words.len());
    for (i, w) in words.iter().enumerate() {
        let next_ok = words.get(i + 1).is_some_and(|n| !is_op(n));
        let prev_ok = kept.last().is_some_and(|p| !is_op(p));
        if is_op(w) && (!next_ok || (*w != "NOT" && !prev_ok)) {
            continue;
        }
        kept.push(w);
    }
    kept.join(" ")
}

fn describe(e: &tantivy::query::QueryParserError) -> String {
    use tantivy::query::QueryParserError as E;
    match e {
        E::SyntaxError(_) => {
            "syntax error: an unclosed quote or parenthesis, or a lone operator".to_string()
        }
        E::FieldDoesNotExist(name) => format!("no field named {name:?}"),
        other => {
            let s = other.to_string();
            let mut c = s.chars();
            match c.next() {
                Some(first) => first.to_lowercase().chain(c).collect(),
                None => s,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_keeps_words_and_drops_syntax() {
        assert_eq!(
            free_text("What is \"AND\"-logic (in +IR)? NOT title:x_y, Café 3.5"),
            "what is and logic in ir not title x_y café 3 5"
        );
        assert_eq!(free_text(" -- ?"), "");
    }

    #[test]
    fn fully_paired_phrases_go_to_the_pairs_field() {
        assert_eq!(
            phrases_to_pairs(r#""the company said" oil "oil prices" -"brokers of peace""#),
            r#"pairs:"the company said" oil "oil prices" -pairs:"brokers of peace""#
        );
        // A field, a slop, a word without a common neighbour, an unclosed quote: as written.
        for kept in [
            r#"body:"the company""#,
            r#""the company"~2"#,
            r#""aid to aleppo convoys""#,
            r#"aid "the company"#,
        ] {
            assert_eq!(phrases_to_pairs(kept), kept);
        }
    }

    #[test]
    fn repair_mends_common_slips() {
        assert_eq!(repair("\"unclosed aid"), "unclosed aid");
        assert_eq!(repair("\"peace brokers\" \"x"), "\"peace brokers\" x");
        assert_eq!(repair("(aid OR convoys"), "aid OR convoys");
        assert_eq!(repair("aid) convoys"), "aid convoys");
        assert_eq!(repair("aid AND"), "aid");
        assert_eq!(repair("AND aid"), "aid");
        assert_eq!(repair("aid AND OR convoys"), "aid OR convoys");
        assert_eq!(repair("NOT aid"), "NOT aid");
        assert_eq!(repair("AND OR NOT"), "");
        assert_eq!(repair("\"(inside quotes\""), "\"(inside quotes\"");
        assert_eq!(repair("nosuchfield:aid"), "nosuchfield aid");
        assert_eq!(repair("body:aid"), "body:aid");
        assert_eq!(repair("(foo:* aid)"), "(foo aid)");
        assert_eq!(unknown_field("aid foo:*"), Some("foo"));
        assert_eq!(unknown_field("(foo:bar"), Some("(foo"));
        assert_eq!(unknown_field("+date:[* TO *] path:x"), None);
        let range = "date:[2016-01-01T00:00:00Z TO 2016-12-31T00:00:00Z]";
        assert_eq!(unknown_field(range), None);
        assert_eq!(repair(range), range);
    }

    #[test]
    fn nesting_counts_parentheses_outside_quotes() {
        assert_eq!(nesting("((a) (b))"), 2);
        assert_eq!(nesting("\"(((\" a"), 0);
        assert_eq!(nesting(&"(".repeat(300)), 300);
    }

    #[test]
    fn open_ranges_read_as_everything() {
        assert_eq!(open_ranges_as_all("date:[* TO *]"), "*");
        assert_eq!(open_ranges_as_all("aid +date:{* TO *}"), "aid +*");
        assert_eq!(open_ranges_as_all("(path:[* TO *])"), "(*)");
        assert_eq!(open_ranges_as_all("date:[2016 TO *]"), "date:[2016 TO *]");
    }
}
