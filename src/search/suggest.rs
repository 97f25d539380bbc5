//! "Did you mean": for a query that finds little, a spelling of its words that finds more.
//!
//! A query word is a likely misspelling when an indexed word lies within a small edit distance
//! of it (1 for words of 4-5 letters, 2 for longer ones; shorter words are left alone, too many
//! are one letter from another) and is in at least ten times as many articles (in any, when the
//! typed word is in none). The nearest such word wins, then the most frequent. The indexed words
//! within reach are read from each segment's term dictionary through a Levenshtein automaton,
//! as tantivy's fuzzy query does, not by scanning it. The suggestion is the whole query with
//! those words replaced, offered only when it finds more articles; the query itself is never
//! changed.

use crate::index::schema;
use crate::index::store::Store;
use crate::search::plan::{self, DateRange, Plan};
use std::collections::HashMap;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{FuzzyTermQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, TantivyDocument, Term};

/// A query finding fewer articles than this gets a suggestion, when there is one.
pub const FEW: u64 = 3;

/// A replacement must be in at least this many times as many articles as the typed word.
const MORE_FREQUENT: u64 = 10;

/// The suggested query for `text`, which found `total` articles within `range` and `folder`;
/// `None` when no word of it has a likelier spelling, or the respelt query finds no more.
pub fn suggest(
    searcher: &Searcher,
    store: &Store,
    plan: &Plan,
    text: &str,
    range: &DateRange,
    folder: Option<&str>,
    total: u64,
) -> tantivy::Result<Option<String>> {
    let body = store.fields.body;
    let mut replacements: Vec<(usize, usize, String)> = Vec::new();
    let mut analyzer = schema::word_analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut words = Vec::new();
    while let Some(tok) = stream.next() {
        words.push((tok.text.clone(), tok.offset_from, tok.offset_to));
    }
    for (stem, from, to) in words {
        if !is_plain_word(plan, &text[from..to], &stem) {
            continue;
        }
        let typed = &text[from..to];
        let reach = match typed.chars().count() {
            0..=3 => continue,
            4..=5 => 1,
            _ => 2,
        };
        let df = plan.doc_freq(searcher, &Term::from_field_text(body, &stem))?;
        let need = if df == 0 { 1 } else { df * MORE_FREQUENT };
        let Some(better) = nearest(searcher, body, &stem, reach, need)? else {
            continue;
        };
        let spelt = spelling(searcher, store, &better)?.unwrap_or(better);
        if spelt != typed.to_lowercase() {
            replacements.push((from, to, spelt));
        }
    }
    if replacements.is_empty() {
        return Ok(None);
    }
    let mut suggested = text.to_string();
    for (from, to, word) in replacements.iter().rev() {
        suggested.replace_range(from..to, word);
    }
    // Offered only when it finds more.
    let Ok(parsed) = plan::parse_within(store, &suggested, range, folder) else {
        return Ok(None);
    };
    let found = searcher.search(&*parsed.full, &Count)? as u64;
    Ok((found > total).then_some(suggested))
}

/// Whether a word of the query (as typed, and its indexed form) is one to respell: not an
/// operator (`AND`, `OR`, `NOT`), and one of the plan's plain words (not excluded, not in a
/// `field:value` clause).
fn is_plain_word(plan: &Plan, typed: &str, stem: &str) -> bool {
    !matches!(typed, "AND" | "OR" | "NOT") && plan.respellable.iter().any(|w| w == stem)
}

/// The indexed word within `reach` edits of `stem` that is in at least `need` articles: the
/// nearest, then the most frequent, then the first in order.
fn nearest(
    searcher: &Searcher,
    body: Field,
    stem: &str,
    reach: u8,
    need: u64,
) -> tantivy::Result<Option<String>> {
    let automaton =
        FuzzyTermQuery::new(Term::from_field_text(body, stem), reach, true).automaton()?;
    let mut found: HashMap<String, u64> = HashMap::new();
    for seg in searcher.segment_readers() {
        let inverted = seg.inverted_index(body)?;
        let mut terms = inverted.terms().search(&automaton).into_stream()?;
        while terms.advance() {
            let Ok(word) = std::str::from_utf8(terms.key()) else {
                continue;
            };
            *found.entry(word.to_string()).or_default() += u64::from(terms.value().doc_freq);
        }
    }
    Ok(found
        .into_iter()
        .filter(|(w, df)| *df >= need && w != stem)
        .map(|(w, df)| (edit_distance(stem, &w), std::cmp::Reverse(df), w))
        .min()
        .map(|(_, _, w)| w))
}

/// How the articles spell an indexed word: the first spelling of it in an article that has
/// it, lower-cased.
fn spelling(searcher: &Searcher, store: &Store, stem: &str) -> tantivy::Result<Option<String>> {
    let f = store.fields;
    let query = TermQuery::new(
        Term::from_field_text(f.body, stem),
        IndexRecordOption::Basic,
    );
    let top = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
    let Some(&(_, addr)) = top.first() else {
        return Ok(None);
    };
    let doc: TantivyDocument = searcher.doc(addr)?;
    let mut analyzer = schema::word_analyzer();
    for p in crate::index::store::paragraphs(&doc, f) {
        let mut stream = analyzer.token_stream(&p);
        while let Some(tok) = stream.next() {
            if tok.text == stem {
                return Ok(Some(p[tok.offset_from..tok.offset_to].to_lowercase()));
            }
        }
    }
    Ok(None)
}

/// Edits (insertions, deletions, substitutions, swaps of neighbours) from `a` to `b`.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_count_swaps_as_one() {
        assert_eq!(edit_distance("slavri", "slaveri"), 1);
        assert_eq!(edit_distance("form", "from"), 1);
        assert_eq!(edit_distance("abc", "abc"), 0);
        assert_eq!(edit_distance("", "ab"), 2);
    }

    #[test]
    fn operators_exclusions_and_fields_are_not_respelt() {
        let (_dir, store) = crate::index::writer::index_files([(
            "a.txt".to_string(),
            " date 2016-01-01 Aid convoys.".to_string(),
        )]);
        let plain = |text: &str, word: &str| {
            let plan = plan::parse(&store, text, &DateRange::default()).unwrap();
            let stem = crate::search::plan::analyzed(word)
                .pop()
                .unwrap_or_default();
            is_plain_word(&plan, word, &stem)
        };
        assert!(plain("aid convoyz", "convoyz"));
        assert!(plain("\"standing armmy\"", "armmy"));
        assert!(plain("(convoyz OR aid)", "convoyz"));
        assert!(!plain("aid AND convoys", "AND"));
        assert!(!plain("aid -convoyz", "convoyz"));
        assert!(!plain("path:corpus/convoyz.txt", "convoyz"));
    }

    /// A typo of a common word is respelt; a rare word near a slightly commoner one is not.
    #[test]
    fn suggestions_need_a_much_more_frequent_neighbour() {
        let mut files: Vec<(String, String)> = (0..12)
            .map(|i| {
                (
                    format!("c{i}.txt"),
                    format!(" date 2016-01-{:02} Aid convoys reach the town.", i + 1),
                )
            })
            .collect();
        for i in 0..2 {
            files.push((
                format!("r{i}.txt"),
                " date 2016-02-01 Words convey much.".into(),
            ));
        }
        let (_dir, store) = crate::index::writer::index_files(files);
        let reader = store.reader().unwrap();
        let searcher = reader.searcher();
        let none = DateRange::default();
        let ask = |text: &str, total| {
            let mut plan = plan::parse(&store, text, &none).unwrap();
            plan.weigh(&searcher, store.fields.body).unwrap();
            suggest(&searcher, &store, &plan, text, &none, None, total).unwrap()
        };
        assert_eq!(ask("convoyz", 0), Some("convoys".to_string()));
        assert_eq!(ask("aid Convoyz", 0), Some("aid convoys".to_string()));
        // `convey` is in two articles, `convoy` (one edit away) in twelve: fewer than ten
        // times as many, so `convey` is taken as meant.
        assert_eq!(ask("convey", 2), None);
        // Nothing near: no suggestion. Short words: none either.
        assert_eq!(ask("zebra", 0), None);
        assert_eq!(ask("tow", 0), None);
        // Not when the respelt query finds no more than the query did.
        assert_eq!(ask("convoyz", 12), None);
    }
}
