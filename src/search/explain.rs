//! Why a hit scores what it scores (`search --explain`): the BM25 of each query word with its
//! weight, the words feedback added, the coordination factor, and what proximity and the lead
//! added. The parts add up to the hit's score: `bm25 × coordination + proximity + lead`.

use crate::index::schema;
use crate::search::plan::Plan;
use crate::search::rerank::{HitScoring, Scoring, score_of};
use serde::Serialize;
use std::collections::HashMap;
use tantivy::query::{BoostQuery, EnableScoring, Query, TermQuery, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Searcher};

/// One word's part of a hit's BM25 score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Part {
    /// The word as typed (for feedback words, as the feedback articles spell it).
    pub word: String,
    /// Its weight in the ranked query (a query word given once with a rare word's IDF: 1).
    pub weight: f32,
    /// What it adds to the hit's BM25 score: its BM25 times its weight (0 when the hit lacks it).
    pub score: f32,
}

/// What a hit's score is made of.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// The hit's score: `bm25 × coordination + proximity + lead`.
    pub score: f32,
    /// The BM25 score of the query that ranked (the words' and feedback words' parts summed,
    /// for a query of free words).
    pub bm25: f32,
    /// The query's own words.
    pub words: Vec<Part>,
    /// The words feedback added (none when it did not fire).
    pub feedback: Vec<Part>,
    /// For a query of common words only: what its adjacent words found side by side add to the
    /// BM25 (the rest of it is the words').
    pub side_by_side: f32,
    /// The share of a short query's words the hit holds (1 when not coordinated).
    pub coordination: f32,
    /// Added for query words that stand close together in the hit.
    pub proximity: f32,
    /// Added for query words in the hit's first paragraph.
    pub lead: f32,
}

/// Explains hits of one query.
pub(crate) struct Explainer {
    /// Each ranked term: its display word, whether feedback added it, its boost, its weight.
    terms: Vec<(String, bool, f32, Box<dyn Weight>)>,
    common_only: bool,
}

impl Explainer {
    /// For the hits of `plan` ranked by `scoring`; `text` is the query as typed.
    pub(crate) fn new(
        searcher: &Searcher,
        plan: &Plan,
        scoring: &Scoring,
        text: &str,
    ) -> tantivy::Result<Explainer> {
        let enabled = EnableScoring::enabled_from_searcher(searcher);
        let typed = typed_words(text);
        let title = searcher.schema().get_field(schema::TITLE)?;
        let mut terms = Vec::with_capacity(scoring.terms.len());
        for (term, boost) in &scoring.terms {
            let added = scoring.expansion.iter().find(|e| &e.term == term);
            let stem = term.value().as_str().unwrap_or_default().to_string();
            let mut word = match added {
                Some(e) => e.word.clone(),
                None => typed.get(&stem).cloned().unwrap_or(stem),
            };
            if term.field() == title {
                word = format!("{}:{word}", schema::TITLE);
            }
            let query = BoostQuery::new(
                Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)),
                *boost,
            );
            terms.push((word, added.is_some(), *boost, query.weight(enabled)?));
        }
        Ok(Explainer {
            terms,
            common_only: plan.only_common_words(),
        })
    }

    /// A hit's explanation, its parts from `hits` (scoring as the ranking did).
    pub(crate) fn explain(
        &self,
        hits: &HitScoring,
        searcher: &Searcher,
        addr: DocAddress,
    ) -> tantivy::Result<Explanation> {
        let seg = searcher.segment_reader(addr.segment_ord);
        let parts = hits.parts(searcher, addr)?;
        let bm25 = parts.bm25;
        let mut words = Vec::new();
        let mut feedback = Vec::new();
        for (word, added, weight, w) in &self.terms {
            let part = Part {
                word: word.clone(),
                weight: *weight,
                score: score_of(&**w, seg, addr.doc_id)?,
            };
            if *added {
                if part.score > 0.0 {
                    feedback.push(part);
                }
            } else {
                words.push(part);
            }
        }
        let side_by_side = if self.common_only {
            let parts: f32 = words.iter().chain(&feedback).map(|p| p.score).sum();
            (bm25 - parts).max(0.0)
        } else {
            0.0
        };
        feedback.sort_by(|a, b| b.score.total_cmp(&a.score));
        Ok(Explanation {
            score: parts.score(),
            bm25,
            words,
            feedback,
            side_by_side,
            coordination: parts.coordination,
            proximity: parts.proximity,
            lead: parts.lead,
        })
    }
}

/// Each indexed form of the text's words → the first spelling of it, lower-cased.
fn typed_words(text: &str) -> HashMap<String, String> {
    let mut analyzer = schema::word_analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut typed = HashMap::new();
    while let Some(tok) = stream.next() {
        typed
            .entry(tok.text.clone())
            .or_insert_with(|| text[tok.offset_from..tok.offset_to].to_lowercase());
    }
    typed
}
