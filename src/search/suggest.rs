//! "Did you mean": for a query that finds little, a spelling of its words that finds more.
//!
//! Edits are counted on the word as typed (lower-cased, accents kept) against spellings the
//! articles use, not on stems: a stem hides how far two words are apart (`presidnet` is one
//! swap from `president`, but its stem `presidnet` is three edits from `presid` and two from
//! `presidenti`, the stem of `presidential`). A word is a likely misspelling when a spelling
//! lies within a small edit distance of it (1 for words of 4-5 letters, 2 for longer ones;
//! shorter words are left alone, too many are one letter from another) and its indexed word is
//! in at least ten times as many articles (in any, when the typed word is in none). The nearest
//! spelling wins, then the one whose indexed word is in the most articles.
//!
//! The spellings within reach are found from the term dictionary of the stemmed body (the index
//! keeps no list of spellings) and the stored text:
//! - every word one edit from the typed one, made of plain letters (a few hundred: deletions,
//!   swaps of neighbours, substitutions and insertions of `a`-`z`), each analyzed as the index
//!   analyzes words and looked up, one lookup each; an edit whose indexed word is frequent
//!   enough is taken when one of the ten articles where that word weighs most spells it so
//!   (`severate` has the stem of `several`, but no article writes it);
//! - failing those, for two edits or a spelling with accents, the indexed words near the typed
//!   word's stem, read through a Levenshtein automaton as tantivy's fuzzy query does (not by
//!   scanning the dictionary), each measured by its spellings in the article where it weighs
//!   most, the eight most frequent at most.
//!
//! The suggestion is the whole query with those words replaced, offered only when it finds more
//! articles; the query itself is never changed.

use crate::index::schema;
use crate::index::store::Store;
use crate::search::plan::{self, DateRange, Plan};
use std::collections::HashMap;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{FuzzyTermQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, Searcher, Term};

/// A query finding fewer articles than this gets a suggestion, when there is one.
pub const FEW: u64 = 3;

/// A replacement must be in at least this many times as many articles as the typed word.
const MORE_FREQUENT: u64 = 10;

/// At most this many indexed words near the typed word's stem are measured by their spellings
/// (one stored article read each), the most frequent first.
const MEASURED: usize = 8;

/// An edit one away is taken for a word when one of the articles where its indexed word weighs
/// most, at most this many, spells it so.
const VERIFIED: usize = 10;

/// The suggested query for `text`, which found `total` articles within `range` and `scope`;
/// `None` when no word of it has a likelier spelling, or the respelt query finds no more.
pub fn suggest(
    searcher: &Searcher,
    store: &Store,
    plan: &Plan,
    text: &str,
    range: &DateRange,
    scope: &plan::Scope,
    total: u64,
) -> tantivy::Result<Option<String>> {
    let body = store.fields.body;
    let mut replacements: Vec<(usize, usize, String)> = Vec::new();
    let mut analyzer = schema::word_analyzer();
    let mut words = Vec::new();
    {
        let mut stream = analyzer.token_stream(text);
        while let Some(tok) = stream.next() {
            words.push((tok.text.clone(), tok.offset_from, tok.offset_to));
        }
    }
    for (stem, from, to) in words {
        if !is_plain_word(plan, &text[from..to], &stem) {
            continue;
        }
        let typed = text[from..to].to_lowercase();
        let reach = match typed.chars().count() {
            0..=3 => continue,
            4..=5 => 1,
            _ => 2,
        };
        let df = plan.doc_freq(searcher, &Term::from_field_text(body, &stem))?;
        let need = if df == 0 { 1 } else { df * MORE_FREQUENT };
        let word = Word {
            typed: &typed,
            stem: &stem,
            reach,
            need,
        };
        if let Some(spelt) = respell(searcher, store, &mut analyzer, &word)?
            && spelt != typed
        {
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
    let Ok(parsed) = plan::parse_within(store, &suggested, range, scope) else {
        return Ok(None);
    };
    let found = searcher.search(&*parsed.full, &Count)? as u64;
    Ok((found > total).then_some(suggested))
}

/// A word of the query to respell.
struct Word<'a> {
    /// As typed, lower-cased.
    typed: &'a str,
    /// As indexed.
    stem: &'a str,
    /// How many edits a respelling may be from `typed`.
    reach: usize,
    /// How many articles a respelling's indexed word must be in.
    need: u64,
}

/// Whether a word of the query (as typed, and its indexed form) is one to respell: not an
/// operator (`AND`, `OR`, `NOT`), and one of the plan's plain words (not excluded, not in a
/// `field:value` clause).
fn is_plain_word(plan: &Plan, typed: &str, stem: &str) -> bool {
    !matches!(typed, "AND" | "OR" | "NOT") && plan.respellable.iter().any(|w| w == stem)
}

/// The likeliest spelling meant by `word` (see the module docs), or `None`.
fn respell(
    searcher: &Searcher,
    store: &Store,
    analyzer: &mut TextAnalyzer,
    word: &Word,
) -> tantivy::Result<Option<String>> {
    let body = store.fields.body;
    // One edit away: each indexed word reached, with the edits that reach it.
    let mut near: HashMap<String, (u64, Vec<String>)> = HashMap::new();
    let mut looked: HashMap<String, u64> = HashMap::new();
    for variant in one_edit(word.typed) {
        let Some(stem) = single_word(analyzer, &variant) else {
            continue;
        };
        if stem == word.stem {
            continue;
        }
        let df = match looked.get(&stem) {
            Some(&df) => df,
            None => {
                let df = searcher.doc_freq(&Term::from_field_text(body, &stem))?;
                looked.insert(stem.clone(), df);
                df
            }
        };
        if df >= word.need {
            near.entry(stem)
                .or_insert_with(|| (df, Vec::new()))
                .1
                .push(variant);
        }
    }
    // The most frequent indexed word one edit away whose articles spell it so: an edit is
    // only a word if an article spells it (`severate` has the stem of `several`).
    let mut near: Vec<(String, u64, Vec<String>)> =
        near.into_iter().map(|(s, (df, v))| (s, df, v)).collect();
    near.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut best: Option<(usize, std::cmp::Reverse<u64>, String)> = None;
    let mut measured: Vec<String> = Vec::new();
    for (stem, df, variants) in near {
        let mut seen = Vec::new();
        for addr in holders(searcher, body, &stem, VERIFIED)? {
            for (spelt, _) in spellings(searcher, store, analyzer, &stem, addr)? {
                if variants.contains(&spelt) {
                    return Ok(Some(spelt));
                }
                seen.push(spelt);
            }
        }
        consider(&mut best, word, df, seen);
        measured.push(stem);
    }
    // Further: indexed words near the stem, measured by their spellings.
    let mut candidates = nearest(searcher, body, word.stem, word.reach as u8, word.need)?;
    candidates.retain(|(s, _)| !measured.contains(s));
    candidates.sort_by(|(a, da), (b, db)| db.cmp(da).then_with(|| a.cmp(b)));
    for (stem, df) in candidates.into_iter().take(MEASURED) {
        let mut seen = Vec::new();
        for addr in holders(searcher, body, &stem, 1)? {
            seen.extend(
                spellings(searcher, store, analyzer, &stem, addr)?
                    .into_iter()
                    .map(|(s, _)| s),
            );
        }
        consider(&mut best, word, df, seen);
    }
    Ok(best.map(|(_, _, s)| s))
}

/// Keeps in `best` the nearest of `spellings` (of an indexed word in `df` articles) within
/// `word`'s reach, when nearer than `best`, or as near and more frequent.
fn consider(
    best: &mut Option<(usize, std::cmp::Reverse<u64>, String)>,
    word: &Word,
    df: u64,
    spellings: Vec<String>,
) {
    let found = spellings
        .into_iter()
        .map(|s| (edit_distance(word.typed, &s), std::cmp::Reverse(df), s))
        .filter(|(d, _, _)| (1..=word.reach).contains(d))
        .min();
    if let Some(found) = found
        && best.as_ref().is_none_or(|b| found < *b)
    {
        *best = Some(found);
    }
}

/// The articles where the indexed word `stem` weighs most, at most `n`, best first.
fn holders(
    searcher: &Searcher,
    body: Field,
    stem: &str,
    n: usize,
) -> tantivy::Result<Vec<DocAddress>> {
    let query = TermQuery::new(Term::from_field_text(body, stem), IndexRecordOption::Basic);
    let top = searcher.search(&query, &TopDocs::with_limit(n).order_by_score())?;
    Ok(top.into_iter().map(|(_, a)| a).collect())
}

/// Every word one edit from `typed` (a deletion, a swap of neighbours, a substitution or an
/// insertion of `a`-`z`) that is made of lower-case ASCII letters and digits alone: a spelling
/// with an accent the user did not type is not offered on the strength of its folded form
/// (`café` is not one edit from `care`, though `cafe` is).
fn one_edit(typed: &str) -> Vec<String> {
    let chars: Vec<char> = typed.chars().collect();
    let n = chars.len();
    let mut out: Vec<String> = Vec::with_capacity(54 * n + 26);
    let word = |cs: &[char]| -> Option<String> {
        cs.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            .then(|| cs.iter().collect())
    };
    let mut buf: Vec<char>;
    for i in 0..n {
        buf = chars.clone();
        buf.remove(i);
        out.extend(word(&buf));
        if i + 1 < n && chars[i] != chars[i + 1] {
            buf = chars.clone();
            buf.swap(i, i + 1);
            out.extend(word(&buf));
        }
        for c in 'a'..='z' {
            if c != chars[i] {
                buf = chars.clone();
                buf[i] = c;
                out.extend(word(&buf));
            }
        }
    }
    for i in 0..=n {
        for c in 'a'..='z' {
            buf = chars.clone();
            buf.insert(i, c);
            out.extend(word(&buf));
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The indexed form of `text` when it is one word.
fn single_word(analyzer: &mut TextAnalyzer, text: &str) -> Option<String> {
    let mut stream = analyzer.token_stream(text);
    let first = stream.next()?.text.clone();
    stream.next().is_none().then_some(first)
}

/// The indexed words within `reach` edits of `stem` that are in at least `need` articles, with
/// the number of articles each is in.
fn nearest(
    searcher: &Searcher,
    body: Field,
    stem: &str,
    reach: u8,
    need: u64,
) -> tantivy::Result<Vec<(String, u64)>> {
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
        .collect())
}

/// How the article at `addr` spells the indexed word `stem`: each spelling, lower-cased, with
/// how often it occurs there, the most frequent first.
fn spellings(
    searcher: &Searcher,
    store: &Store,
    analyzer: &mut TextAnalyzer,
    stem: &str,
    addr: DocAddress,
) -> tantivy::Result<Vec<(String, usize)>> {
    let doc = store.doc(searcher, addr)?;
    let mut counts: Vec<(String, usize)> = Vec::new();
    for p in crate::index::store::paragraphs(&doc, store.fields) {
        let mut stream = analyzer.token_stream(&p);
        while let Some(tok) = stream.next() {
            if tok.text == stem {
                let spelt = p[tok.offset_from..tok.offset_to].to_lowercase();
                match counts.iter_mut().find(|(s, _)| *s == spelt) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((spelt, 1)),
                }
            }
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(counts)
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
    fn one_edit_makes_plain_words_only() {
        let edits = one_edit("ab");
        for w in ["b", "a", "ba", "cb", "ac", "cab", "acb", "abc"] {
            assert!(edits.contains(&w.to_string()), "{w}");
        }
        assert!(!edits.contains(&"ab".to_string()));
        // 2 deletions, 1 swap, 2 x 25 substitutions, 3 x 26 insertions, less repeats.
        assert!(edits.len() <= 2 + 1 + 50 + 78, "{}", edits.len());
        // An accent the user typed is kept or replaced, never carried into an offer.
        let cafe = one_edit("café");
        assert!(cafe.contains(&"cafe".to_string()));
        assert!(cafe.iter().all(|w| w.is_ascii()), "{cafe:?}");
        assert!(!cafe.contains(&"care".to_string()));
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
            suggest(
                &searcher,
                &store,
                &plan,
                text,
                &none,
                &plan::Scope::default(),
                total,
            )
            .unwrap()
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

    /// Edits are counted on the typed word against the articles' spellings, not on stems, and
    /// frequency breaks ties: the issue-17 cases on a small archive of their own.
    #[test]
    fn edits_are_counted_on_spellings_not_stems() {
        let mut files: Vec<(String, String)> = Vec::new();
        let mut add = |name: &str, n: usize, text: &str| {
            for i in 0..n {
                files.push((
                    format!("{name}{i}.txt"),
                    format!(" date 2016-01-{:02} {text}", i % 28 + 1),
                ));
            }
        };
        // `presidential` (stem `presidenti`, two edits from the stem `presidnet`) is in more
        // articles than `president` (stem `presid`, three edits from it).
        add("p", 3, "The president spoke.");
        add("q", 5, "A presidential election.");
        // `several` (stem `sever`) is one edit from the stem of `seperate` (`seper`), three from
        // the word; `separate` is one.
        add("s", 6, "Several ships.");
        add("t", 2, "Separate ships.");
        // `present` (stem `present`) is two edits from `presdient`, `president` one.
        add("u", 9, "The present day.");
        add("c", 12, "Take care.");
        add("f", 1, "The cafes were full.");
        let (_dir, store) = crate::index::writer::index_files(files);
        let reader = store.reader().unwrap();
        let searcher = reader.searcher();
        let none = DateRange::default();
        let ask = |text: &str| {
            let mut plan = plan::parse(&store, text, &none).unwrap();
            plan.weigh(&searcher, store.fields.body).unwrap();
            let total = searcher.search(&*plan.full, &Count).unwrap() as u64;
            suggest(
                &searcher,
                &store,
                &plan,
                text,
                &none,
                &plan::Scope::default(),
                total,
            )
            .unwrap()
        };
        assert_eq!(ask("presidnet").as_deref(), Some("president"));
        assert_eq!(ask("presdient").as_deref(), Some("president"));
        assert_eq!(ask("Presidnet speech").as_deref(), Some("president speech"));
        assert_eq!(ask("seperate").as_deref(), Some("separate"));
        // `café` finds the cafes; `care` is two edits from what was typed.
        assert_eq!(ask("café"), None);
        // Two edits, for a long word: measured on the spellings of words near the stem.
        assert_eq!(ask("presidentail").as_deref(), Some("presidential"));
    }
}
