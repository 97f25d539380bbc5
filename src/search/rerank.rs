//! Reranking the best hits of a query: coordination (a short query's articles that hold more
//! of its clauses first), the rescoring of free words (query words close together, query words
//! in the lead), and the scores of hits sorted by date as ranking would give them.

use crate::index::schema;
use crate::index::store::Store;
use crate::search::plan;
use std::cell::RefCell;
use tantivy::query::{
    BooleanQuery, EnableScoring, Occur, PhraseQuery, Query, Scorer, TermQuery, Weight,
};
use tantivy::schema::{IndexRecordOption, Term};
use tantivy::{DocAddress, DocId, DocSet, Searcher, SegmentReader};

/// `rank::rescoring` ready to run: the phrases' weights and the lead's terms.
pub(crate) struct Rescorer {
    phrases: Vec<Box<dyn Weight>>,
    lead: Vec<(Term, f32)>,
    average_lead: f32,
}

impl Rescorer {
    /// For a query of free words; one that changes nothing for another query.
    pub(crate) fn new(
        searcher: &Searcher,
        store: &Store,
        parsed: &plan::Plan,
    ) -> tantivy::Result<Rescorer> {
        let Some(bag) = &parsed.bag else {
            return Ok(Rescorer {
                phrases: Vec::new(),
                lead: Vec::new(),
                average_lead: 0.0,
            });
        };
        let r = crate::search::rank::rescoring(parsed, bag)?;
        Ok(Rescorer {
            phrases: r
                .phrases
                .iter()
                .map(|q| q.weight(EnableScoring::enabled_from_searcher(searcher)))
                .collect::<tantivy::Result<_>>()?,
            lead: r.lead,
            average_lead: store.average_lead(searcher)?,
        })
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.phrases.is_empty() && self.lead.is_empty()
    }

    /// Adds to each hit the scores of the phrases it matches and of the query words in its
    /// lead (see `rank::rescoring`), and sorts again. Applied to the best `RERANK_WINDOW` (or
    /// more) hits, it reorders them and leaves the rest, as a reranker does.
    pub(crate) fn rescore(
        &self,
        searcher: &Searcher,
        mut hits: Vec<(f32, DocAddress)>,
    ) -> tantivy::Result<Vec<(f32, DocAddress)>> {
        if self.is_empty() {
            return Ok(hits);
        }
        // Per segment, in ascending doc order: scorers and postings only move forward.
        hits.sort_by_key(|(_, a)| (a.segment_ord, a.doc_id));
        let mut at = 0;
        while at < hits.len() {
            let seg_ord = hits[at].1.segment_ord;
            let mut segment = self.for_segment(searcher, seg_ord)?;
            while at < hits.len() && hits[at].1.segment_ord == seg_ord {
                let (score, addr) = &mut hits[at];
                let (proximity, lead) = segment.parts(addr.doc_id);
                *score += proximity + lead;
                at += 1;
            }
        }
        hits.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        Ok(hits)
    }

    /// What one hit gets from the rescoring: (proximity, lead).
    pub(crate) fn parts(
        &self,
        searcher: &Searcher,
        addr: DocAddress,
    ) -> tantivy::Result<(f32, f32)> {
        if self.is_empty() {
            return Ok((0.0, 0.0));
        }
        Ok(self
            .for_segment(searcher, addr.segment_ord)?
            .parts(addr.doc_id))
    }

    fn for_segment(&self, searcher: &Searcher, seg_ord: u32) -> tantivy::Result<SegmentRescorer> {
        let seg = searcher.segment_reader(seg_ord);
        let scorers = self
            .phrases
            .iter()
            .map(|w| w.scorer(seg, 1.0))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let lead_len = seg.fast_fields().u64(schema::LEAD)?;
        let inverted = seg.inverted_index(searcher.schema().get_field(schema::BODY)?)?;
        let mut lead = Vec::with_capacity(self.lead.len());
        for (term, weight) in &self.lead {
            if let Some(p) =
                inverted.read_postings(term, IndexRecordOption::WithFreqsAndPositions)?
            {
                lead.push((p, *weight));
            }
        }
        Ok(SegmentRescorer {
            scorers,
            lead,
            lead_len,
            average_lead: self.average_lead,
            positions: Vec::new(),
        })
    }
}

/// The rescoring of one segment's hits, taken in ascending doc order.
struct SegmentRescorer {
    scorers: Vec<Box<dyn Scorer>>,
    lead: Vec<(tantivy::postings::SegmentPostings, f32)>,
    lead_len: tantivy::columnar::Column<u64>,
    average_lead: f32,
    positions: Vec<u32>,
}

impl SegmentRescorer {
    /// The proximity and lead scores of `doc` (not below the last doc asked for).
    fn parts(&mut self, doc: DocId) -> (f32, f32) {
        let mut proximity = 0.0;
        for s in self.scorers.iter_mut() {
            if s.doc() < doc {
                s.seek(doc);
            }
            if s.doc() == doc {
                proximity += s.score();
            }
        }
        let mut lead = 0.0;
        let words = self.lead_len.first(doc).unwrap_or(0) as u32;
        for (postings, weight) in self.lead.iter_mut() {
            crate::search::snippet::positions_at(postings, doc, &mut self.positions);
            let tf = self.positions.iter().filter(|&&p| p < words).count() as u32;
            if tf > 0 {
                lead +=
                    crate::search::rank::lead_score(*weight, tf, words as f32, self.average_lead);
            }
        }
        (proximity, lead)
    }
}

/// The score a weight's scorer gives `doc` of a segment, 0 when it does not match.
pub(crate) fn score_of(
    weight: &dyn Weight,
    seg: &SegmentReader,
    doc: DocId,
) -> tantivy::Result<f32> {
    let mut scorer = weight.scorer(seg, 1.0)?;
    if scorer.doc() < doc {
        scorer.seek(doc);
    }
    Ok(if scorer.doc() == doc {
        scorer.score()
    } else {
        0.0
    })
}

/// The query that ranks, and what it is made of: for free words, the rewriting of `rank` (its
/// query with the side-by-side pairs of a common-words query and the date filter added);
/// otherwise the parsed query itself, with no terms and no expansion.
pub(crate) type Scoring = crate::search::rank::Rewritten;

/// The query that ranks (see [`Scoring`]).
pub(crate) fn scoring_query(searcher: &Searcher, parsed: &plan::Plan) -> tantivy::Result<Scoring> {
    let body = searcher.schema().get_field(schema::BODY)?;
    let Some(mut rewritten) = crate::search::rank::rewrite(searcher, body, parsed)? else {
        return Ok(Scoring {
            query: parsed.full.box_clone(),
            terms: Vec::new(),
            expansion: Vec::new(),
        });
    };
    let ranked = side_by_side(searcher, parsed, rewritten.query)?;
    rewritten.query = match &parsed.filter {
        Some(f) => Box::new(BooleanQuery::new(vec![
            (Occur::Must, ranked),
            (Occur::Must, f.box_clone()),
        ])),
        None => ranked,
    };
    Ok(rewritten)
}

/// For a query of common words only (`the and of to`, `of the people`): the ranking `query`
/// with each pair of the query's adjacent words, found side by side, added to the score (BM25
/// of the pair, from the pairs field when it holds the pair, else of a two-word phrase). The
/// words alone weigh next to nothing, being in nearly every article; their pairs are rarer,
/// and an article with the words as the query puts them ranks first. The matches are the
/// query's: the pairs only add.
fn side_by_side(
    searcher: &Searcher,
    parsed: &plan::Plan,
    query: Box<dyn Query>,
) -> tantivy::Result<Box<dyn Query>> {
    let Some(bag) = parsed.bag.as_ref().filter(|_| parsed.only_common_words()) else {
        return Ok(query);
    };
    let schema = searcher.schema();
    let pairs_field = schema.get_field(schema::PAIRS)?;
    let pairs = crate::search::rank::adjacent_pairs(&bag.sequence);
    if pairs.is_empty() {
        return Ok(query);
    }
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, query)];
    for (a, b) in pairs {
        let (first, second) = (a.value(), b.value());
        let (Some(x), Some(y)) = (first.as_str(), second.as_str()) else {
            continue;
        };
        let pair: Box<dyn Query> =
            if crate::index::grams::is_common(x) || crate::index::grams::is_common(y) {
                Box::new(TermQuery::new(
                    Term::from_field_text(pairs_field, &format!("{x} {y}")),
                    IndexRecordOption::WithFreqs,
                ))
            } else {
                Box::new(PhraseQuery::new(vec![a.clone(), b.clone()]))
            };
        clauses.push((Occur::Should, pair));
    }
    Ok(Box::new(BooleanQuery::new(clauses)))
}

/// Multiplies each hit's score by its coordination factor and sorts again (best first, then
/// by address, as tantivy breaks ties).
pub(crate) fn rerank(
    searcher: &Searcher,
    coordination: &Coordination,
    mut hits: Vec<(f32, DocAddress)>,
) -> Vec<(f32, DocAddress)> {
    // Per segment, in ascending doc order: the clause scorers only move forward.
    hits.sort_by_key(|(_, a)| (a.segment_ord, a.doc_id));
    let mut current: Option<(u32, SegmentCoordination)> = None;
    for (score, addr) in hits.iter_mut() {
        if current
            .as_ref()
            .is_none_or(|(seg, _)| *seg != addr.segment_ord)
        {
            let seg = searcher.segment_reader(addr.segment_ord);
            current = Some((addr.segment_ord, coordination.for_segment(seg)));
        }
        if let Some((_, c)) = &current {
            *score *= c.factor(addr.doc_id);
        }
    }
    hits.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    hits
}

/// Keyword queries of at most this many clauses are coordinated (see [`Coordination`]).
pub(crate) const MAX_COORDINATED_CLAUSES: usize = 4;

/// The clauses of a short free-text query, for coordination: an article's BM25 score is
/// multiplied by the share of the query's clauses it matches, so `aid convoys Aleppo` ranks an
/// article with two of the words above a short one that repeats a single word. Excluded clauses
/// do not count; required ones always match.
///
/// Only short (keyword) queries: on the judged collections, whose queries are sentences of
/// 14-37 distinct words, coordination lowered nDCG@10 on every one (Cranfield 0.326 → 0.290,
/// CISI 0.304 → 0.255, MED 0.704 → 0.671, CACM 0.429 → 0.357), also in softer forms (square
/// root, IDF-weighted); BM25 alone already rewards matching more of a long query.
pub(crate) struct Coordination {
    weights: Vec<Box<dyn Weight>>,
}

/// Per segment: a scorer per clause, advanced in step with the (ascending) collected docs.
pub(crate) struct SegmentCoordination {
    scorers: RefCell<Vec<Box<dyn Scorer>>>,
    n: f32,
}

impl Coordination {
    pub(crate) fn for_segment(&self, seg: &SegmentReader) -> SegmentCoordination {
        let scorers = self
            .weights
            .iter()
            .map(|w| {
                w.scorer(seg, 1.0)
                    .unwrap_or_else(|_| Box::new(tantivy::query::EmptyScorer))
            })
            .collect();
        SegmentCoordination {
            scorers: RefCell::new(scorers),
            n: self.weights.len() as f32,
        }
    }
}

impl SegmentCoordination {
    pub(crate) fn factor(&self, doc: DocId) -> f32 {
        let mut scorers = self.scorers.borrow_mut();
        let mut matched = 0;
        for s in scorers.iter_mut() {
            if s.doc() < doc {
                s.seek(doc);
            }
            if s.doc() == doc {
                matched += 1;
            }
        }
        matched as f32 / self.n
    }
}

/// Builds the coordination for a query with two or more scoring clauses at its top level (the
/// plan's `clauses`).
pub(crate) fn coordination(
    searcher: &Searcher,
    parsed: &plan::Plan,
) -> tantivy::Result<Option<Coordination>> {
    let clauses = &parsed.clauses;
    if !parsed.ranking.coordination || !(2..=MAX_COORDINATED_CLAUSES).contains(&clauses.len()) {
        return Ok(None);
    }
    let weights = clauses
        .iter()
        .map(|q| q.weight(EnableScoring::disabled_from_searcher(searcher)))
        .collect::<tantivy::Result<Vec<_>>>()?;
    Ok(Some(Coordination { weights }))
}

/// What one hit's score is made of, as ranking by relevance gives it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct HitParts {
    /// The BM25 score of the query that ranks.
    pub(crate) bm25: f32,
    /// The coordination factor (1 when not coordinated).
    pub(crate) coordination: f32,
    /// What query words close together add.
    pub(crate) proximity: f32,
    /// What query words in the lead add.
    pub(crate) lead: f32,
}

impl HitParts {
    /// The score: `bm25 × coordination + proximity + lead`, summed as ranking sums it.
    pub(crate) fn score(&self) -> f32 {
        self.bm25 * self.coordination + (self.proximity + self.lead)
    }
}

/// Scores single hits as ranking by relevance would (hits ordered by date, `--explain`): the
/// BM25 score, coordinated, plus the rescoring of a query of free words, from weights built
/// once per query.
pub(crate) struct HitScoring {
    weight: Box<dyn Weight>,
    coordination: Option<Coordination>,
    rescorer: Rescorer,
    /// The query that ranks.
    pub(crate) scoring: Scoring,
}

impl HitScoring {
    /// From the query that ranks (see [`scoring_query`]).
    pub(crate) fn of(
        searcher: &Searcher,
        store: &Store,
        parsed: &plan::Plan,
        scoring: Scoring,
    ) -> tantivy::Result<Self> {
        Ok(HitScoring {
            weight: scoring
                .query
                .weight(EnableScoring::enabled_from_searcher(searcher))?,
            coordination: coordination(searcher, parsed)?,
            rescorer: Rescorer::new(searcher, store, parsed)?,
            scoring,
        })
    }

    pub(crate) fn parts(&self, searcher: &Searcher, addr: DocAddress) -> tantivy::Result<HitParts> {
        let seg = searcher.segment_reader(addr.segment_ord);
        // Scorers of our own rather than `Query::explain`: tantivy's phrase explain seeks
        // backwards (a debug assertion) for an article that matches other clauses but not the
        // phrase.
        let bm25 = score_of(&*self.weight, seg, addr.doc_id)?;
        let coordination = match &self.coordination {
            Some(c) => c.for_segment(seg).factor(addr.doc_id),
            None => 1.0,
        };
        let (proximity, lead) = self.rescorer.parts(searcher, addr)?;
        Ok(HitParts {
            bm25,
            coordination,
            proximity,
            lead,
        })
    }
}
