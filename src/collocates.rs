//! The company a word keeps: the words found within a window of ±N words of a word or phrase
//! (never across paragraphs), scored against how common each is, overall or per period.
//!
//! The node's occurrences come from the positions, as `kwic`'s do (`Highlighter::occurrences`);
//! the words around each are read from its paragraph (the words at those positions, analysed
//! as the index analyses them, so `convoys` and `convoy` are one collocate, shown as most often
//! written). With `f_xy` the co-occurrences, `f_x` the node's occurrences, `f_y` the
//! collocate's occurrences (from its postings) and `N` the words of the articles read (from the
//! index's field lengths), the scores are:
//!
//! - logDice (Rychlý 2008, "A lexicographer-friendly association score"):
//!   `14 + log2(2 f_xy / (f_x + f_y))`, at most 14; it does not depend on `N`, so it compares
//!   across periods and corpora of different sizes, and it does not favour rare words as MI
//!   does: the default.
//! - MI (Church & Hanks 1990): `log2(f_xy N / (f_x f_y))`.
//! - log-likelihood (Dunning 1993): G² over the 2×2 table of the node and the collocate
//!   (`f_xy`, `f_x − f_xy`, `f_y − f_xy`, `N − f_x − f_y + f_xy`).

use crate::index::schema;
use crate::index::store::Store;
use crate::search::SearchError;
use crate::search::dates::By;
use crate::search::snippet::Highlighter;
use crate::selection::{DocsCollector, Selection};
use chrono::NaiveDate;
use clap::ValueEnum;
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, TERMINATED, Term};

/// How a collocate is scored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Measure {
    /// logDice (Rychlý 2008): 14 + log2(2 f_xy / (f_x + f_y))
    #[default]
    #[value(name = "logdice")]
    #[serde(rename = "logdice")]
    LogDice,
    /// Mutual information (Church & Hanks 1990): log2(f_xy N / (f_x f_y))
    Mi,
    /// Log-likelihood G² (Dunning 1993) of the 2×2 table
    #[value(name = "ll")]
    #[serde(rename = "ll")]
    LogLikelihood,
}

/// Collocates to find.
#[derive(Debug, Clone)]
pub struct Request {
    /// The node (a word or phrase in the query language) and the articles read.
    pub selection: Selection,
    /// Words on either side.
    pub window: usize,
    /// The score.
    pub measure: Measure,
    /// Co-occurrences a collocate needs to be listed.
    pub min_cooccurrences: u64,
    /// Collocates listed (per period).
    pub limit: usize,
    /// Periods, each scored on its own; `None`: the whole range at once.
    pub by: Option<By>,
}

impl Default for Request {
    fn default() -> Self {
        Request {
            selection: Selection::default(),
            window: 5,
            measure: Measure::LogDice,
            min_cooccurrences: 3,
            limit: 20,
            by: None,
        }
    }
}

/// One collocate.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Collocate {
    /// As most often written near the node.
    pub word: String,
    /// Times within the window of an occurrence of the node (f_xy).
    pub cooccurrences: u64,
    /// Occurrences in the articles read (f_y).
    pub frequency: u64,
    /// The score.
    pub score: f64,
}

/// The collocates of one period (or of the whole range).
#[derive(Debug, Clone, Serialize)]
pub struct Period {
    /// `1850s`, … or `all`.
    pub label: String,
    /// Articles read.
    pub articles: u64,
    /// Words in them (N).
    pub words: u64,
    /// Occurrences of the node (f_x).
    pub node: u64,
    /// The collocates, the highest score first.
    pub collocates: Vec<Collocate>,
}

/// The answer to a [`Request`].
#[derive(Debug, Clone, Serialize)]
pub struct Collocates {
    /// The node as given.
    pub query: String,
    /// Words on either side.
    pub window: usize,
    /// The score.
    pub measure: Measure,
    /// The periods (one, `all`, without `by`).
    pub periods: Vec<Period>,
    /// Time spent.
    pub took_ms: f64,
    /// What the lenient reading of the query worked around.
    #[serde(skip)]
    pub warnings: Vec<String>,
}

/// logDice (Rychlý 2008).
pub fn log_dice(fxy: f64, fx: f64, fy: f64) -> f64 {
    14.0 + (2.0 * fxy / (fx + fy)).log2()
}

/// Mutual information (Church & Hanks 1990).
pub fn mutual_information(fxy: f64, fx: f64, fy: f64, n: f64) -> f64 {
    (fxy * n / (fx * fy)).log2()
}

/// Log-likelihood G² (Dunning 1993) of the 2×2 table of node and collocate; cells below zero
/// (a collocate seen more often near the node than the window allows) count as zero.
pub fn log_likelihood(fxy: f64, fx: f64, fy: f64, n: f64) -> f64 {
    let o = [
        fxy,
        (fx - fxy).max(0.0),
        (fy - fxy).max(0.0),
        (n - fx - fy + fxy).max(0.0),
    ];
    let total: f64 = o.iter().sum();
    let rows = [o[0] + o[1], o[2] + o[3]];
    let cols = [o[0] + o[2], o[1] + o[3]];
    let mut g2 = 0.0;
    for (i, &obs) in o.iter().enumerate() {
        let e = rows[i / 2] * cols[i % 2] / total;
        if obs > 0.0 && e > 0.0 {
            g2 += obs * (obs / e).ln();
        }
    }
    2.0 * g2
}

impl Measure {
    fn score(self, fxy: u64, fx: u64, fy: u64, n: u64) -> f64 {
        let (fxy, fx, fy, n) = (fxy as f64, fx as f64, fy as f64, n as f64);
        match self {
            Measure::LogDice => log_dice(fxy, fx, fy),
            Measure::Mi => mutual_information(fxy, fx, fy, n),
            Measure::LogLikelihood => log_likelihood(fxy, fx, fy, n),
        }
    }
}

/// Documents in a run read by one core at a time: at most, and at least.
const RUN: usize = 4096;
const MIN_RUN: usize = 16;

/// What one core finds near the node in one period: the node's occurrences, and each word
/// near it as written with how often.
#[derive(Default)]
struct Near {
    node: u64,
    written: FxHashMap<String, u64>,
}

/// What one period gathers: its articles and words, the node's occurrences, and per
/// collocate (indexed form) its co-occurrences and the spellings seen near the node.
#[derive(Default)]
struct Tally {
    articles: u64,
    words: u64,
    node: u64,
    /// Each word near the node as written, and how often (analysed once each, afterwards).
    written: FxHashMap<String, u64>,
    near: FxHashMap<String, (u64, FxHashMap<String, u64>)>,
}

/// Finds the collocates.
pub fn run(store: &Store, req: &Request) -> Result<Collocates, SearchError> {
    let started = Instant::now();
    let reader = store.reader()?;
    let searcher = reader.searcher();
    let body = store.fields.body;
    let plan = req.selection.plan(store, &searcher)?;
    // The articles read: every article within the filters, not only the node's.
    let within = Selection {
        query: String::new(),
        ..req.selection.clone()
    };
    let read = within.docs(store, &searcher)?;
    let periods = periods(store, &within, req.by)?;
    let period_of = |secs: i64| periods.partition_point(|p| p.1 <= secs).saturating_sub(1);
    let mut tallies: Vec<Tally> = periods.iter().map(|_| Tally::default()).collect();
    // Articles and words per period, from the date column and the field lengths.
    for (ord, seg) in searcher.segment_readers().iter().enumerate() {
        let dates = seg.fast_fields().date(schema::DATE)?;
        let norms = seg.get_fieldnorms_reader(body)?;
        for doc in read.iter_segment(ord) {
            let secs = dates.first(doc).map_or(0, |d| d.into_timestamp_secs());
            let t = &mut tallies[period_of(secs)];
            t.articles += 1;
            t.words += u64::from(norms.fieldnorm(doc));
        }
    }
    // The node's occurrences and the words around each: the articles holding it, cut into
    // runs of consecutive documents that the cores read side by side, each with its own
    // reader of the stored text; their counts are summed, so the lists do not depend on how
    // the work was cut.
    let matching = searcher.search(&*plan.full, &DocsCollector)?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // At most RUN documents a run; fewer in a small archive (a few hundred long speeches),
    // so that every core has some: about eight runs a core, at least MIN_RUN documents each.
    let per_run = (matching.count as usize / (cores * 8)).clamp(MIN_RUN, RUN);
    let mut runs: Vec<(u32, Vec<DocId>)> = Vec::new();
    for ord in 0..matching.segments.len() {
        let ids: Vec<DocId> = matching.iter_segment(ord).collect();
        for run in ids.chunks(per_run) {
            runs.push((ord as u32, run.to_vec()));
        }
    }
    let threads = cores.min(runs.len()).max(1);
    let next = AtomicUsize::new(0);
    let read_runs = || -> Result<Vec<Near>, SearchError> {
        let mut highlighter = Highlighter::new(&searcher, &plan, body, 0)?;
        let mut near: Vec<Near> = periods.iter().map(|_| Near::default()).collect();
        let mut spans: Vec<(usize, usize)> = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some((ord, ids)) = runs.get(i) else {
                return Ok(near);
            };
            let seg = searcher.segment_reader(*ord);
            let fields = seg.schema().num_fields();
            let dates = seg.fast_fields().date(schema::DATE)?;
            // Consecutive documents share compressed blocks: a few cached are enough.
            let texts = seg
                .get_store_reader(4)
                .map_err(tantivy::TantivyError::from)?;
            highlighter.occurrences_in_segment(&searcher, *ord, ids, |doc, found| {
                if found.is_empty() {
                    return Ok::<(), SearchError>(());
                }
                let secs = dates.first(doc).map_or(0, |d| d.into_timestamp_secs());
                let t = &mut near[period_of(secs)];
                t.node += found.len() as u64;
                // The body's paragraphs borrowed from the stored bytes, checked, not copied.
                let stored = texts.get_document_bytes(doc)?;
                let paragraphs = crate::index::stored::texts(stored.as_slice(), fields, body)
                    .map_err(|why| {
                        tantivy::TantivyError::DataCorruption(tantivy::error::DataCorruption::new(
                            store.store_file(seg),
                            format!("stored document {doc}: {why}"),
                        ))
                    })?;
                // The word spans of the paragraph last cut (occurrences come in text order),
                // cut only as far as a window reaches.
                let mut cut = None;
                for o in found {
                    let Some(text) = paragraphs.get(o.paragraph) else {
                        continue;
                    };
                    if cut.as_ref().is_none_or(|(p, _)| *p != o.paragraph) {
                        spans.clear();
                        cut = Some((o.paragraph, schema::word_spans(text)));
                    }
                    let (first, last) = (o.first as usize, o.last as usize);
                    let reach = last + 1 + req.window;
                    if let Some((_, words)) = cut.as_mut() {
                        while spans.len() < reach {
                            match words.next() {
                                Some(span) => spans.push(span),
                                None => break,
                            }
                        }
                    }
                    let before = first.saturating_sub(req.window)..first.min(spans.len());
                    let after = (last + 1).min(spans.len())..reach.min(spans.len());
                    for k in before.chain(after) {
                        let written = &text[spans[k].0..spans[k].1];
                        match t.written.get_mut(written) {
                            Some(n) => *n += 1,
                            None => {
                                t.written.insert(written.to_string(), 1);
                            }
                        }
                    }
                }
                Ok(())
            })?;
        }
    };
    let found = on_cores(threads, |_| read_runs());
    for near in found {
        for (t, n) in tallies.iter_mut().zip(near?) {
            t.node += n.node;
            if t.written.is_empty() {
                t.written = n.written;
                continue;
            }
            for (written, count) in n.written {
                *t.written.entry(written).or_insert(0) += count;
            }
        }
    }
    // Each spelling analysed once, as the index analyses it (the collocates are indexed
    // forms), the spellings dealt to the cores in turn.
    let spellings: Vec<&str> = {
        let mut seen: rustc_hash::FxHashSet<&str> = rustc_hash::FxHashSet::default();
        for t in &tallies {
            seen.extend(t.written.keys().map(String::as_str));
        }
        seen.into_iter().collect()
    };
    let analyse = |share: usize| -> Vec<(&str, Option<String>)> {
        let mut analyzer = schema::word_analyzer();
        spellings
            .iter()
            .skip(share)
            .step_by(threads)
            .map(|&written| {
                let mut stream = analyzer.token_stream(written);
                (written, stream.next().map(|tok| tok.text.clone()))
            })
            .collect()
    };
    let forms: FxHashMap<String, Option<String>> = on_cores(threads, analyse)
        .into_iter()
        .flatten()
        .map(|(w, f)| (w.to_string(), f))
        .collect();
    drop(spellings);
    for t in &mut tallies {
        for (written, n) in std::mem::take(&mut t.written) {
            let Some(Some(form)) = forms.get(&written) else {
                continue;
            };
            let entry = t.near.entry(form.clone()).or_default();
            entry.0 += n;
            entry.1.insert(written, n);
        }
    }
    // Each candidate's frequency per period, from its postings over the articles read: the
    // candidates dealt to the cores in turn, each counting its own.
    let mut out = Vec::with_capacity(periods.len());
    let mut candidates: Vec<&str> = Vec::new();
    {
        let mut seen: rustc_hash::FxHashSet<&str> = rustc_hash::FxHashSet::default();
        for t in &tallies {
            for (word, (n, _)) in &t.near {
                if *n >= req.min_cooccurrences && seen.insert(word.as_str()) {
                    candidates.push(word.as_str());
                }
            }
        }
    }
    let count_frequencies = |share: usize| -> Result<Vec<(String, Vec<u64>)>, SearchError> {
        let mine: Vec<&str> = candidates
            .iter()
            .skip(share)
            .step_by(threads)
            .copied()
            .collect();
        let mut counts: Vec<Vec<u64>> = vec![vec![0; periods.len()]; mine.len()];
        for (ord, seg) in searcher.segment_readers().iter().enumerate() {
            let inverted = seg.inverted_index(body)?;
            let dates = seg.fast_fields().date(schema::DATE)?;
            for (word, counts) in mine.iter().zip(counts.iter_mut()) {
                let term = Term::from_field_text(body, word);
                let postings = inverted
                    .read_postings(&term, IndexRecordOption::WithFreqs)
                    .map_err(tantivy::TantivyError::from)?;
                let Some(mut postings) = postings else {
                    continue;
                };
                let mut doc = postings.doc();
                while doc != TERMINATED {
                    if read.contains(ord, doc) {
                        let secs = dates.first(doc).map_or(0, |d| d.into_timestamp_secs());
                        counts[period_of(secs)] +=
                            u64::from(tantivy::postings::Postings::term_freq(&postings));
                    }
                    doc = postings.advance();
                }
            }
        }
        Ok(mine.into_iter().map(String::from).zip(counts).collect())
    };
    let counted = on_cores(threads, count_frequencies);
    let mut frequency: FxHashMap<String, Vec<u64>> = FxHashMap::default();
    for part in counted {
        frequency.extend(part?);
    }
    for (i, (t, p)) in tallies.into_iter().zip(&periods).enumerate() {
        let mut collocates: Vec<Collocate> = t
            .near
            .into_iter()
            .filter(|(_, (n, _))| *n >= req.min_cooccurrences)
            .map(|(word, (n, spellings))| {
                // A collocate is at least as frequent as it is near the node.
                let fy = frequency.get(&word).map_or(n, |f| f[i]).max(n);
                let written = spellings
                    .into_iter()
                    .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
                    .map_or(word, |(w, _)| w);
                Collocate {
                    word: written,
                    cooccurrences: n,
                    frequency: fy,
                    score: req.measure.score(n, t.node, fy, t.words),
                }
            })
            .collect();
        collocates.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(b.cooccurrences.cmp(&a.cooccurrences))
                .then_with(|| a.word.cmp(&b.word))
        });
        collocates.truncate(req.limit);
        out.push(Period {
            label: p.0.clone(),
            articles: t.articles,
            words: t.words,
            node: t.node,
            collocates,
        });
    }
    Ok(Collocates {
        query: req.selection.query.clone(),
        window: req.window,
        measure: req.measure,
        periods: out,
        took_ms: started.elapsed().as_secs_f64() * 1000.0,
        warnings: plan.warnings,
    })
}

/// `work(0)` … `work(threads - 1)`, each on a core of its own (on this thread when there is
/// one), their results in that order.
fn on_cores<T: Send>(threads: usize, work: impl Fn(usize) -> T + Sync) -> Vec<T> {
    if threads <= 1 {
        return vec![work(0)];
    }
    let work = &work;
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|share| scope.spawn(move || work(share)))
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("a collocates worker panicked"))
            .collect()
    })
}

/// The periods: label and first second of each, in order (one, `all`, from the earliest
/// date, without `by`); the calendar buckets of `by` over the dates of the articles read.
fn periods(
    store: &Store,
    within: &Selection,
    by: Option<By>,
) -> Result<Vec<(String, i64)>, SearchError> {
    let Some(by) = by else {
        return Ok(vec![("all".into(), i64::MIN)]);
    };
    let t = crate::timeline::run(
        store,
        &crate::timeline::Request {
            queries: vec![within.query.clone()],
            by: Some(by),
            range: within.range,
            scope: within.scope.clone(),
            ..Default::default()
        },
    )?;
    let mut out = Vec::with_capacity(t.buckets.len());
    for (i, b) in t.buckets.iter().enumerate() {
        let start = NaiveDate::parse_from_str(&b.start, "%Y-%m-%d")
            .ok()
            .and_then(schema::to_index_date)
            .map_or(i64::MIN, |d| d.into_timestamp_secs());
        out.push((b.label.clone(), if i == 0 { i64::MIN } else { start }));
    }
    if out.is_empty() {
        out.push(("all".into(), i64::MIN));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_as_their_definitions_give_them() {
        // f_xy = 10, f_x = 100, f_y = 50: logDice = 14 + log2(20 / 150).
        assert!((log_dice(10.0, 100.0, 50.0) - (14.0 + (20.0f64 / 150.0).log2())).abs() < 1e-12);
        // A collocate found only and always beside the node: logDice is 14, its maximum.
        assert_eq!(log_dice(7.0, 7.0, 7.0), 14.0);
        // MI: 10 × 10,000 / (100 × 50) = 20.
        assert!((mutual_information(10.0, 100.0, 50.0, 10_000.0) - 20f64.log2()).abs() < 1e-12);
        // Independence: no association, G² = 0.
        assert!(log_likelihood(1.0, 100.0, 100.0, 10_000.0).abs() < 1e-9);
        // Dunning's 2×2 table worked by hand: cells 10, 90, 40, 9,860 (N = 10,000); expected
        // 0.5, 99.5, 49.5, 9,850.5.
        let cells: [(f64, f64); 4] = [(10.0, 0.5), (90.0, 99.5), (40.0, 49.5), (9_860.0, 9_850.5)];
        let by_hand: f64 = 2.0 * cells.iter().map(|(o, e)| o * (o / e).ln()).sum::<f64>();
        assert!((log_likelihood(10.0, 100.0, 50.0, 10_000.0) - by_hand).abs() < 1e-9);
    }
}
