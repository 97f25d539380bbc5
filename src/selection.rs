//! A selection of articles, as the reading commands (`kwic`, `keywords`, `collocates`) take it:
//! a query and the filters `search` takes (`--from`, `--to`, `--in`), read by the same
//! `plan::parse_within` so that a selection holds exactly the articles `search` finds. Also
//! what those commands share: the selected documents as one bit set per segment, the words of
//! a selection counted from the postings, and the commonest spelling of each indexed form.

use crate::index::schema;
use crate::index::store::Store;
use crate::search::plan::{self, DateRange, Plan};
use crate::search::{SearchError, check_folder};
use rustc_hash::{FxHashMap, FxHashSet};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::schema::Field;
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher, SegmentOrdinal, SegmentReader};

/// Which articles to read: those matching `query` (every article when it is empty) within the
/// date range and within the scope (a folder, authors, sources).
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// A query in the language of `search`; empty: every article.
    pub query: String,
    /// The date range.
    pub range: DateRange,
    /// Only articles under a folder, by some authors, from some sources.
    pub scope: plan::Scope,
}

impl Selection {
    /// Whether anything narrows the selection (else it is the whole archive).
    pub fn restricts(&self) -> bool {
        !self.query.trim().is_empty() || self.range.is_bounded() || self.scope.restricts()
    }

    /// The selection's plan, as `search` reads it: a folder holding nothing is the user's
    /// mistake, named; the plan's words weighed.
    pub fn plan(&self, store: &Store, searcher: &Searcher) -> Result<Plan, SearchError> {
        if let Some(prefix) = &self.scope.folder {
            check_folder(searcher, prefix)?;
        }
        let mut plan = plan::parse_within(store, &self.query, &self.range, &self.scope)?;
        plan.weigh(searcher, store.fields.body)?;
        Ok(plan)
    }

    /// The selected articles.
    pub fn docs(&self, store: &Store, searcher: &Searcher) -> Result<Docs, SearchError> {
        let plan = self.plan(store, searcher)?;
        Ok(searcher.search(&*plan.full, &DocsCollector)?)
    }
}

/// A set of documents: one bit per document of each segment.
#[derive(Debug, Clone, Default)]
pub struct Docs {
    /// By segment ordinal: a bit per document.
    pub segments: Vec<Vec<u64>>,
    /// How many documents are set.
    pub count: u64,
}

impl Docs {
    /// Whether document `doc` of segment `seg` is in the set.
    pub fn contains(&self, seg: usize, doc: DocId) -> bool {
        self.segments
            .get(seg)
            .and_then(|bits| bits.get(doc as usize / 64))
            .is_some_and(|w| w >> (doc % 64) & 1 == 1)
    }

    /// The documents of segment `seg` in the set, in order.
    pub fn iter_segment(&self, seg: usize) -> impl Iterator<Item = DocId> + '_ {
        self.segments
            .get(seg)
            .into_iter()
            .flatten()
            .enumerate()
            .flat_map(|(i, &w)| {
                let mut w = w;
                std::iter::from_fn(move || {
                    if w == 0 {
                        return None;
                    }
                    let bit = w.trailing_zeros();
                    w &= w - 1;
                    Some(i as u32 * 64 + bit)
                })
            })
    }

    /// Every document in the set, segment by segment, in document order.
    pub fn iter(&self) -> impl Iterator<Item = DocAddress> + '_ {
        (0..self.segments.len()).flat_map(move |seg| {
            self.iter_segment(seg)
                .map(move |doc| DocAddress::new(seg as u32, doc))
        })
    }
}

/// Collects the matching documents into [`Docs`].
pub struct DocsCollector;

/// One segment's part of [`DocsCollector`].
pub struct SegmentDocs {
    bits: Vec<u64>,
    count: u64,
}

impl Collector for DocsCollector {
    type Fruit = Docs;
    type Child = SegmentDocs;

    fn for_segment(
        &self,
        _ord: SegmentOrdinal,
        seg: &SegmentReader,
    ) -> tantivy::Result<SegmentDocs> {
        Ok(SegmentDocs {
            bits: vec![0; (seg.max_doc() as usize).div_ceil(64)],
            count: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<(Vec<u64>, u64)>) -> tantivy::Result<Docs> {
        let count = fruits.iter().map(|(_, n)| n).sum();
        Ok(Docs {
            segments: fruits.into_iter().map(|(bits, _)| bits).collect(),
            count,
        })
    }
}

impl SegmentCollector for SegmentDocs {
    type Fruit = (Vec<u64>, u64);

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.bits[doc as usize / 64] |= 1 << (doc % 64);
        self.count += 1;
    }

    fn harvest(self) -> (Vec<u64>, u64) {
        (self.bits, self.count)
    }
}

/// Up to `per_word` documents of `docs` holding each of `words` (indexed forms of the body),
/// from the words' postings: the articles worth reading for their spellings. In document
/// order, each once.
pub fn sample_docs(
    searcher: &Searcher,
    body: Field,
    words: &[String],
    docs: &Docs,
    per_word: usize,
) -> tantivy::Result<Vec<DocAddress>> {
    let mut out = Vec::new();
    for word in words {
        let term = tantivy::Term::from_field_text(body, word);
        let mut found = 0;
        'segments: for (ord, seg) in searcher.segment_readers().iter().enumerate() {
            let inverted = seg.inverted_index(body)?;
            let Some(mut postings) =
                inverted.read_postings(&term, tantivy::schema::IndexRecordOption::Basic)?
            else {
                continue;
            };
            let mut doc = postings.doc();
            while doc != tantivy::TERMINATED {
                if docs.contains(ord, doc) {
                    out.push(DocAddress::new(ord as u32, doc));
                    found += 1;
                    if found >= per_word {
                        break 'segments;
                    }
                }
                doc = postings.advance();
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// The commonest spelling, as written, of each of `wanted` (indexed forms) in the articles
/// `docs` gives, read in that order until each has been seen `enough` times (or the articles
/// run out); a form never seen keeps its indexed form. Ties go to the spelling seen first.
pub fn spellings(
    searcher: &Searcher,
    body: Field,
    docs: impl Iterator<Item = DocAddress>,
    wanted: &[String],
    enough: u32,
) -> tantivy::Result<FxHashMap<String, String>> {
    let mut seen: FxHashMap<String, Vec<(String, u32)>> =
        wanted.iter().map(|w| (w.clone(), Vec::new())).collect();
    let mut missing: FxHashSet<&String> = wanted.iter().collect();
    let mut analyzer = schema::word_analyzer();
    for addr in docs {
        if missing.is_empty() {
            break;
        }
        let doc = crate::index::stored::doc(searcher, addr)?;
        for text in doc
            .get_all(body)
            .filter_map(|v| tantivy::schema::Value::as_str(&v))
        {
            let mut stream = analyzer.token_stream(text);
            while let Some(tok) = stream.next() {
                let Some(forms) = seen.get_mut(&tok.text) else {
                    continue;
                };
                let written = &text[tok.offset_from..tok.offset_to];
                let n = match forms.iter_mut().find(|(f, _)| f == written) {
                    Some((_, n)) => {
                        *n += 1;
                        *n
                    }
                    None => {
                        forms.push((written.to_string(), 1));
                        1
                    }
                };
                if n >= enough {
                    missing.remove(&tok.text);
                }
            }
        }
    }
    Ok(seen
        .into_iter()
        .map(|(stem, forms)| {
            // The most seen; the first seen among equals (max_by_key keeps the last).
            let best = forms
                .iter()
                .rev()
                .max_by_key(|(_, n)| *n)
                .map(|(f, _)| f.clone())
                .unwrap_or_else(|| stem.clone());
            (stem, best)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_iterate_in_order_and_answer_membership() {
        let mut d = Docs {
            segments: vec![vec![0; 2], vec![0; 1]],
            count: 0,
        };
        for (seg, doc) in [(0usize, 3u32), (0, 64), (0, 127), (1, 0)] {
            d.segments[seg][doc as usize / 64] |= 1 << (doc % 64);
        }
        let got: Vec<(u32, u32)> = d.iter().map(|a| (a.segment_ord, a.doc_id)).collect();
        assert_eq!(got, [(0, 3), (0, 64), (0, 127), (1, 0)]);
        assert!(d.contains(0, 64) && !d.contains(0, 65) && !d.contains(2, 0));
    }
}
