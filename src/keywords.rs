//! What sets a selection apart: the words over- (or, with `negative`, under-) represented in a
//! selection of articles against a reference (the rest of the archive, or a second selection),
//! as corpus linguists' keyword lists (AntConc, WordSmith) give them.
//!
//! Each word is scored by the log-likelihood G² of Rayson & Garside (2000), after Dunning
//! (1993): with `a` occurrences among `c` words of the selection and `b` among `d` of the
//! reference, `E1 = c(a+b)/(c+d)`, `E2 = d(a+b)/(c+d)` and `G² = 2(a ln(a/E1) + b ln(b/E2))`
//! (a zero term is zero), signed negative where the word is rarer in the selection, so that
//! swapping the two flips the sign. G² says how sure the difference is, not how large: beside
//! it stands Hardie's (2014) Log Ratio, `log2((a/c)/(b/d))`, a zero frequency counted as 0.5,
//! the binary log of how many times more often the selection uses the word (1 = twice).
//!
//! The frequencies come from the index, not from reading the articles: every body term's
//! postings (with their term frequencies) over the selected and reference documents. The
//! words are shown as written: each indexed form's commonest spelling in a few of the
//! articles that hold it.

use crate::index::store::Store;
use crate::search::SearchError;
use crate::selection::{self, Docs, Selection};
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::time::Instant;
use tantivy::postings::Postings;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocSet, Searcher, TERMINATED};

/// A keyword list to make.
#[derive(Debug, Clone)]
pub struct Request {
    /// The articles studied.
    pub selection: Selection,
    /// The articles compared against; `None`: every other article of the archive.
    pub reference: Option<Selection>,
    /// A word must occur at least this often in the selection (with `negative`, in the
    /// reference) to be listed.
    pub min_freq: u64,
    /// How many words to list.
    pub limit: usize,
    /// List the most under-represented words instead.
    pub negative: bool,
}

impl Default for Request {
    fn default() -> Self {
        Request {
            selection: Selection::default(),
            reference: None,
            min_freq: 5,
            limit: 30,
            negative: false,
        }
    }
}

/// One word of the list.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Keyword {
    /// The word as written (its indexed form's commonest spelling).
    pub word: String,
    /// Occurrences in the selection.
    pub selection: u64,
    /// Occurrences in the reference.
    pub reference: u64,
    /// Signed log-likelihood: positive where the selection uses the word more.
    pub g2: f64,
    /// Log Ratio: log2 of the ratio of the relative frequencies.
    pub log_ratio: f64,
}

/// The answer to a [`Request`].
#[derive(Debug, Clone, Serialize)]
pub struct Keywords {
    /// Articles in the selection.
    pub selection_articles: u64,
    /// Words in the selection.
    pub selection_words: u64,
    /// Articles in the reference.
    pub reference_articles: u64,
    /// Words in the reference.
    pub reference_words: u64,
    /// Whether these are the under-represented words.
    pub negative: bool,
    /// The words, the strongest first.
    pub keywords: Vec<Keyword>,
    /// Time spent.
    pub took_ms: f64,
}

/// Signed log-likelihood G² (Rayson & Garside 2000) of `a` in `c` words against `b` in `d`.
pub fn log_likelihood(a: f64, c: f64, b: f64, d: f64) -> f64 {
    if c <= 0.0 || d <= 0.0 {
        return 0.0;
    }
    let e1 = c * (a + b) / (c + d);
    let e2 = d * (a + b) / (c + d);
    let term = |o: f64, e: f64| if o > 0.0 { o * (o / e).ln() } else { 0.0 };
    let g2 = 2.0 * (term(a, e1) + term(b, e2));
    if a / c < b / d { -g2 } else { g2 }
}

/// Log Ratio (Hardie 2014) of `a` in `c` words against `b` in `d`: a zero frequency is 0.5.
pub fn log_ratio(a: f64, c: f64, b: f64, d: f64) -> f64 {
    if c <= 0.0 || d <= 0.0 {
        return 0.0;
    }
    let (a, b) = (a.max(0.5), b.max(0.5));
    ((a / c) / (b / d)).log2()
}

/// Makes the list.
pub fn run(store: &Store, req: &Request) -> Result<Keywords, SearchError> {
    let started = Instant::now();
    let reader = store.reader()?;
    let searcher = reader.searcher();
    let chosen = req.selection.docs(store, &searcher)?;
    let against = match &req.reference {
        Some(r) => r.docs(store, &searcher)?,
        None => rest(&searcher, &chosen),
    };
    let counts = frequencies(&searcher, store, &chosen, &against)?;
    let (c, d) = counts
        .values()
        .fold((0u64, 0u64), |(c, d), &(a, b)| (c + a, d + b));
    let (cf, df) = (c as f64, d as f64);
    let mut scored: Vec<(String, u64, u64, f64)> = counts
        .into_iter()
        .filter(|&(_, (a, b))| {
            if req.negative {
                b >= req.min_freq && (a as f64) * df < (b as f64) * cf
            } else {
                a >= req.min_freq && (a as f64) * df > (b as f64) * cf
            }
        })
        .map(|(w, (a, b))| {
            let g2 = log_likelihood(a as f64, cf, b as f64, df);
            (w, a, b, g2)
        })
        .collect();
    // The strongest first (the largest G², or the most negative); ties by word.
    scored.sort_by(|x, y| {
        let order = if req.negative {
            x.3.total_cmp(&y.3)
        } else {
            y.3.total_cmp(&x.3)
        };
        order.then_with(|| x.0.cmp(&y.0))
    });
    scored.truncate(req.limit);
    let stems: Vec<String> = scored.iter().map(|s| s.0.clone()).collect();
    // Spellings from the side that uses the words more.
    let side = if req.negative { &against } else { &chosen };
    let sample = selection::sample_docs(&searcher, store.fields.body, &stems, side, 3)?;
    let spelled =
        selection::spellings(&searcher, store.fields.body, sample.into_iter(), &stems, 3)?;
    let keywords = scored
        .into_iter()
        .map(|(stem, a, b, g2)| Keyword {
            word: spelled.get(&stem).cloned().unwrap_or(stem),
            selection: a,
            reference: b,
            g2,
            log_ratio: log_ratio(a as f64, cf, b as f64, df),
        })
        .collect();
    Ok(Keywords {
        selection_articles: chosen.count,
        selection_words: c,
        reference_articles: against.count,
        reference_words: d,
        negative: req.negative,
        keywords,
        took_ms: started.elapsed().as_secs_f64() * 1000.0,
    })
}

/// Every live document not in `docs`.
fn rest(searcher: &Searcher, docs: &Docs) -> Docs {
    let mut out = Docs::default();
    for (ord, seg) in searcher.segment_readers().iter().enumerate() {
        let mut bits = vec![0u64; (seg.max_doc() as usize).div_ceil(64)];
        for doc in seg.doc_ids_alive() {
            if !docs.contains(ord, doc) {
                bits[doc as usize / 64] |= 1 << (doc % 64);
                out.count += 1;
            }
        }
        out.segments.push(bits);
    }
    out
}

/// Each body term's occurrences in `a`'s documents and in `b`'s, from the postings; terms in
/// neither left out.
fn frequencies(
    searcher: &Searcher,
    store: &Store,
    a: &Docs,
    b: &Docs,
) -> tantivy::Result<FxHashMap<String, (u64, u64)>> {
    let mut counts: FxHashMap<String, (u64, u64)> = FxHashMap::default();
    for (ord, seg) in searcher.segment_readers().iter().enumerate() {
        let inverted = seg.inverted_index(store.fields.body)?;
        let mut terms = inverted.terms().stream()?;
        while terms.advance() {
            let info = terms.value();
            let mut postings =
                inverted.read_postings_from_terminfo(info, IndexRecordOption::WithFreqs)?;
            let (mut in_a, mut in_b) = (0u64, 0u64);
            let mut doc = postings.doc();
            while doc != TERMINATED {
                if a.contains(ord, doc) {
                    in_a += u64::from(postings.term_freq());
                }
                if b.contains(ord, doc) {
                    in_b += u64::from(postings.term_freq());
                }
                doc = postings.advance();
            }
            // A document in both (a reference overlapping the selection) counts on both sides.
            if in_a + in_b == 0 {
                continue;
            }
            let Ok(word) = std::str::from_utf8(terms.key()) else {
                continue;
            };
            let slot = counts.entry(word.to_string()).or_default();
            slot.0 += in_a;
            slot.1 += in_b;
        }
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thirty_in_ten_thousand_against_ten_in_ninety_thousand() {
        // Worked by hand: E1 = 10,000 × 40 / 100,000 = 4, E2 = 36;
        // G² = 2 (30 ln 7.5 + 10 ln(10/36)) = 95.28; Log Ratio = log2(0.003 / 0.000111) = log2 27.
        let g2 = log_likelihood(30.0, 10_000.0, 10.0, 90_000.0);
        assert!((g2 - 95.276).abs() < 0.001, "{g2}");
        let lr = log_ratio(30.0, 10_000.0, 10.0, 90_000.0);
        assert!((lr - 27f64.log2()).abs() < 1e-12, "{lr}");
        assert!((lr - 4.755).abs() < 0.001, "{lr}");
        // Swapped: the same size, the sign flipped.
        assert_eq!(log_likelihood(10.0, 90_000.0, 30.0, 10_000.0), -g2);
        assert_eq!(log_ratio(10.0, 90_000.0, 30.0, 10_000.0), -lr);
    }

    #[test]
    fn a_word_absent_on_one_side() {
        // 10 in 1,000 against none in 1,000: G² = 2 × 10 ln(10 / 5) = 13.86; Log Ratio counts
        // the zero as 0.5: log2(10 / 0.5) = 4.32.
        let g2 = log_likelihood(10.0, 1_000.0, 0.0, 1_000.0);
        assert!((g2 - 20.0 * 2f64.ln()).abs() < 1e-9, "{g2}");
        assert!((log_ratio(10.0, 1_000.0, 0.0, 1_000.0) - 20f64.log2()).abs() < 1e-12);
        assert_eq!(log_likelihood(5.0, 100.0, 5.0, 100.0), 0.0);
    }
}
