//! Running a query: the ranked (or date-sorted) hits, the total, and for each hit its
//! best-matching paragraph with a snippet and byte ranges to highlight. Renderer-agnostic.
//!
//! The way of one query: [`plan`] reads the text once (with [`dates`] for date ranges),
//! [`rank`] weighs free words, this module runs the query, [`rerank`] reorders the best hits,
//! [`snippet`] picks and marks the paragraphs shown, and [`suggest`] offers a respelling.

pub mod dates;
pub mod explain;
pub mod facets;
pub mod plan;
pub mod rank;
pub mod rerank;
pub mod snippet;
pub mod suggest;

use crate::index::schema;
use crate::index::store::{self, Store};
pub use crate::index::store::{Stored, article};
use crate::search::explain::{Explainer, Explanation};
use crate::search::plan::{DateRange, QueryError};
use crate::search::rank::Expansion;
use crate::search::rerank::{HitScoring, Rescorer, Scoring, coordination, rerank, scoring_query};
use crate::search::snippet::{Highlighter, Snippet};
use serde::Serialize;
use std::time::Instant;
use tantivy::collector::{Count, TopDocs};
use tantivy::{DateTime, DocAddress, DocId, Order, Searcher};

/// How hits are ordered.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// By BM25 score, best first.
    #[default]
    #[value(help = "Best BM25 score first")]
    Relevance,
    /// By date, latest first.
    #[value(help = "Latest date first")]
    Newest,
    /// By date, earliest first.
    #[value(help = "Earliest date first")]
    Oldest,
}

/// A search to run.
#[derive(Debug, Clone)]
pub struct Request {
    /// The query text, in the query language of [`plan::parse`].
    pub text: String,
    /// Inclusive date bounds.
    pub range: DateRange,
    /// Order of the hits.
    pub sort: Sort,
    /// How many hits to return.
    pub limit: usize,
    /// How many to skip first.
    pub offset: usize,
    /// About how long a snippet may be, in characters.
    pub snippet_chars: usize,
    /// How many paragraphs of each hit to show (the best-matching ones, in paragraph order).
    pub snippets: usize,
    /// Only articles under a folder, by some authors, from some sources.
    pub scope: plan::Scope,
    /// How free words are ranked.
    pub ranking: rank::Ranking,
    /// Explain each hit's score.
    pub explain: bool,
    /// Count the matches by these facets (each once).
    pub facets: Vec<facets::Facet>,
    /// How many values of each facet to give, the largest.
    pub facet_limit: usize,
}

/// How many values of a facet are given unless the request says otherwise.
pub const FACET_LIMIT: usize = 20;

impl Default for Request {
    fn default() -> Self {
        Request {
            text: String::new(),
            range: DateRange::default(),
            sort: Sort::Relevance,
            limit: 10,
            offset: 0,
            snippet_chars: 200,
            snippets: 1,
            scope: plan::Scope::default(),
            ranking: rank::Ranking::default(),
            explain: false,
            facets: Vec::new(),
            facet_limit: FACET_LIMIT,
        }
    }
}

/// One matching article.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Hit {
    /// The article's key (an absolute path, see `corpus`); front ends show it their own way
    /// ([`Results::show_paths`]).
    pub path: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// The title the archive gives (none for a dated file).
    pub title: Option<String>,
    /// The authors, in the order given.
    pub authors: Vec<String>,
    /// The source (outlet).
    pub source: Option<String>,
    /// Where it was published.
    pub url: Option<String>,
    /// BM25 score (also given when sorted by date).
    pub score: f32,
    /// 1-based number of the best-matching paragraph.
    pub paragraph: usize,
    /// Text around the matches in that paragraph.
    pub snippet: String,
    /// Byte ranges `[start, end)` into `snippet` of the matched words.
    pub highlights: Vec<[usize; 2]>,
    /// The best-matching paragraphs (as many as asked for), in paragraph order; the first
    /// fields repeat the best of them.
    pub snippets: Vec<Snippet>,
    /// What the score is made of (`--explain`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explain: Option<Explanation>,
}

/// The answer to a [`Request`].
#[derive(Debug, Clone, Serialize)]
pub struct Results {
    /// The query text as given.
    pub query: String,
    /// How many articles match in all.
    pub total: u64,
    /// Time spent parsing, searching and making snippets.
    pub took_ms: f64,
    /// The requested page of hits.
    pub hits: Vec<Hit>,
    /// A respelling of the query that finds more, when it found little (see `suggest`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
    /// The words feedback added to the query, with their weights (empty when it did not fire).
    pub expansion: Vec<Expansion>,
    /// For each facet asked for (`author`, `source`), its largest values over every match.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub facets: std::collections::BTreeMap<facets::Facet, Vec<facets::FacetCount>>,
    /// What the lenient reading of the query worked around.
    #[serde(skip)]
    pub warnings: Vec<String>,
    /// What the user may want to know of how the query was read (a query of common words).
    #[serde(skip)]
    pub notes: Vec<String>,
}

impl Results {
    /// Replaces each hit's key with how a front end shows it.
    pub fn show_paths(&mut self, show: impl Fn(&str) -> String) {
        for h in &mut self.hits {
            h.path = show(&h.path);
        }
    }
}

/// Error from a search: the user's query or flags, or the index.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// A mistake in the query or flags.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// The index failed.
    #[error(transparent)]
    Index(#[from] anyhow::Error),
}

impl From<tantivy::TantivyError> for SearchError {
    fn from(e: tantivy::TantivyError) -> Self {
        match e {
            // A field named by the query is the user's mistake, not the index's.
            tantivy::TantivyError::FieldNotFound(name) => {
                SearchError::Query(QueryError::Syntax(format!("no field named {name:?}")))
            }
            e => SearchError::Index(e.into()),
        }
    }
}

/// Runs a search.
pub fn run(store: &Store, req: &Request) -> Result<Results, SearchError> {
    let started = Instant::now();
    let f = store.fields;
    let reader = store.reader()?;
    let searcher = reader.searcher();
    let parsed = parse(&searcher, store, req)?;

    let (total, page, ranked_by) = page(&searcher, store, &parsed, req)?;

    let mut highlighter = match &parsed.text {
        Some(_) => Some(Highlighter::new(
            &searcher,
            &parsed,
            f.body,
            req.snippet_chars,
        )?),
        None => None,
    };
    let expansion = ranked_by.as_ref().map(|r| r.expansion.clone());
    // Hits sorted by date come without a score, and `--explain` takes each hit's score apart:
    // both score single hits as ranking does, from the query that ranked when there is one.
    let unscored = page.iter().any(|(s, _)| s.is_none());
    let scoring = if unscored || (req.explain && !page.is_empty()) {
        let query = match ranked_by {
            Some(r) => r,
            None => scoring_query(&searcher, &parsed)?,
        };
        Some(HitScoring::of(&searcher, store, &parsed, query)?)
    } else {
        None
    };
    let explainer = match &scoring {
        Some(s) if req.explain => Some(Explainer::new(&searcher, &parsed, &s.scoring, &req.text)?),
        _ => None,
    };
    let mut hits = Vec::with_capacity(page.len());
    for (score, addr) in page {
        let score = match (score, &scoring) {
            (Some(s), _) => s,
            (None, Some(scoring)) => scoring.parts(&searcher, addr)?.score(),
            (None, None) => 0.0,
        };
        let explanation = match (&explainer, &scoring) {
            (Some(e), Some(s)) => Some(e.explain(s, &searcher, addr)?),
            _ => None,
        };
        let (mut hit, _) = make_hit(
            &searcher,
            store,
            addr,
            score,
            highlighter.as_mut(),
            req.snippets,
            req.snippet_chars,
        )?;
        hit.explain = explanation;
        hits.push(hit);
    }
    let suggestion = if (total as u64) < crate::search::suggest::FEW && parsed.text.is_some() {
        crate::search::suggest::suggest(
            &searcher,
            store,
            &parsed,
            &req.text,
            &req.range,
            &req.scope,
            total as u64,
        )?
    } else {
        None
    };
    let mut counted = std::collections::BTreeMap::new();
    for &facet in &req.facets {
        if let std::collections::btree_map::Entry::Vacant(slot) = counted.entry(facet) {
            slot.insert(facets::count(
                &searcher,
                &*parsed.full,
                facet,
                req.facet_limit,
            )?);
        }
    }
    let mut notes = Vec::new();
    if parsed.only_common_words() && total > 0 {
        notes.push(
            "every word of the query is among the commonest, found in nearly every article: \
             articles holding them side by side rank first; quote the query to find it as a \
             phrase"
                .to_string(),
        );
    }
    Ok(Results {
        query: req.text.clone(),
        total: total as u64,
        took_ms: started.elapsed().as_secs_f64() * 1000.0,
        hits,
        suggestion,
        expansion: expansion
            .or_else(|| scoring.map(|s| s.scoring.expansion))
            .unwrap_or_default(),
        facets: counted,
        warnings: parsed.warnings,
        notes,
    })
}

/// Parses the request's query with its date range and folder; a folder under which nothing
/// is indexed is the user's mistake, named.
fn parse(searcher: &Searcher, store: &Store, req: &Request) -> Result<plan::Plan, SearchError> {
    if let Some(prefix) = &req.scope.folder {
        check_folder(searcher, prefix)?;
    }
    let mut plan = plan::parse_within(store, &req.text, &req.range, &req.scope)?;
    plan.ranking = req.ranking.clone();
    plan.weigh(searcher, store.fields.body)?;
    Ok(plan)
}

/// Fails with [`QueryError::EmptyFolder`] unless some article lies under the folder whose key
/// prefix is `prefix`.
pub fn check_folder(searcher: &Searcher, prefix: &str) -> Result<(), SearchError> {
    if store::holds_prefix(searcher, prefix)? {
        Ok(())
    } else {
        Err(QueryError::EmptyFolder(crate::corpus::display_key(prefix)).into())
    }
}

/// The total and the requested page of hits, in the request's order, with the query that
/// ranked them (when ranked by relevance).
fn page(
    searcher: &Searcher,
    store: &Store,
    parsed: &plan::Plan,
    req: &Request,
) -> Result<(usize, Page, Option<Scoring>), SearchError> {
    // Never ask tantivy for more than exists: a huge --limit must not allocate a huge heap.
    let num_docs = searcher.num_docs() as usize;
    let offset = req.offset.min(num_docs);
    let limit = req.limit.min(num_docs - offset);

    Ok(if limit == 0 {
        (searcher.search(&*parsed.full, &Count)?, Vec::new(), None)
    } else {
        let top = TopDocs::with_limit(limit).and_offset(offset);
        // Without words nothing is more relevant than anything else: the articles are listed
        // in date order, earliest first.
        let sort = match (&parsed.text, req.sort) {
            (None, Sort::Relevance) => Sort::Oldest,
            (_, sort) => sort,
        };
        match sort {
            Sort::Relevance => ranked(searcher, store, parsed, offset, limit)?,
            Sort::Newest | Sort::Oldest => {
                let order = if sort == Sort::Newest {
                    Order::Desc
                } else {
                    Order::Asc
                };
                let collector = top.order_by_fast_field::<DateTime>(schema::DATE, order);
                let (docs, total) = searcher.search(&*parsed.full, &(collector, Count))?;
                (
                    total,
                    docs.into_iter().map(|(_, a)| (None, a)).collect(),
                    None,
                )
            }
        }
    })
}

/// A ranking without snippets, as relevance measurement needs it: the total, and each hit's
/// score (0 when sorted by date) and key (read from the path fast field, not the doc store).
pub fn ranking(store: &Store, req: &Request) -> Result<(u64, Vec<(f32, String)>), SearchError> {
    let reader = store.reader()?;
    let searcher = reader.searcher();
    let parsed = parse(&searcher, store, req)?;
    let (total, page, _) = page(&searcher, store, &parsed, req)?;
    // Keys from each segment's path column, its ordinals looked up in one sorted sweep (one
    // lookup per hit would decompress a dictionary block per hit).
    let mut keys = vec![String::new(); page.len()];
    let mut by_segment: Vec<Vec<(DocId, usize)>> =
        vec![Vec::new(); searcher.segment_readers().len()];
    for (i, (_, addr)) in page.iter().enumerate() {
        by_segment[addr.segment_ord as usize].push((addr.doc_id, i));
    }
    for (seg, hits) in searcher.segment_readers().iter().zip(by_segment) {
        if hits.is_empty() {
            continue;
        }
        let Some(paths) = seg.fast_fields().str(schema::PATH)? else {
            continue;
        };
        let mut wanted: Vec<(u64, usize)> = hits
            .into_iter()
            .filter_map(|(doc, i)| paths.term_ords(doc).next().map(|ord| (ord, i)))
            .collect();
        wanted.sort_unstable();
        let ords: Vec<u64> = wanted.iter().map(|(o, _)| *o).collect();
        let mut slots = wanted.iter().map(|(_, i)| *i);
        paths
            .dictionary()
            .sorted_ords_to_term_cb(&ords, |bytes| {
                if let Some(i) = slots.next() {
                    keys[i] = String::from_utf8_lossy(bytes).into_owned();
                }
            })
            .map_err(anyhow::Error::from)?;
    }
    let hits = page
        .iter()
        .zip(keys)
        .map(|((score, _), key)| (score.unwrap_or(0.0), key))
        .collect();
    Ok((total as u64, hits))
}

/// Hits of one page: score (none when sorted by date) and address.
type Page = Vec<(Option<f32>, DocAddress)>;

/// Coordinated queries rank at least this many articles by BM25 first, then rerank them.
const RERANK_WINDOW: usize = 100;

/// The total and the requested page by relevance.
///
/// BM25 alone takes one top-k pass, which tantivy prunes with block-max WAND, and the total a
/// separate count (cheap: a term's document frequency, or an unscored union); asking for both
/// in one pass would score every match. A query with a phrase is the exception: checking
/// positions costs the same whether ranking or counting, so one pass does both.
///
/// With coordination, the best `RERANK_WINDOW` (or more) by BM25 are rescored; the result is
/// exact, since coordination only lowers scores: an article outside the window scores at most
/// the window's lowest BM25, and the window grows until the page's last hit beats that.
fn ranked(
    searcher: &Searcher,
    store: &Store,
    parsed: &plan::Plan,
    offset: usize,
    limit: usize,
) -> Result<(usize, Page, Option<Scoring>), SearchError> {
    let scoring = scoring_query(searcher, parsed)?;
    let full = &*scoring.query;
    let mut positions = false;
    full.query_terms(&mut |_, needs_positions| positions |= needs_positions);
    let coordination = coordination(searcher, parsed)?;
    let rescorer = Rescorer::new(searcher, store, parsed)?;
    let num_docs = searcher.num_docs() as usize;
    let want = offset + limit;
    let mut window = if coordination.is_some() || !rescorer.is_empty() {
        want.max(RERANK_WINDOW)
    } else {
        want
    };
    // Without a phrase the count is its own cheap pass; with one, the first ranking pass counts.
    let mut total = if positions {
        None
    } else {
        Some(searcher.search(&*parsed.full, &Count)?)
    };
    let page = |hits: Vec<(f32, DocAddress)>| -> Page {
        hits.into_iter()
            .skip(offset)
            .take(limit)
            .map(|(s, a)| (Some(s), a))
            .collect()
    };
    loop {
        window = window.min(num_docs).max(1);
        let top = TopDocs::with_limit(window).order_by_score();
        let (docs, total) = match total {
            Some(count) => (searcher.search(full, &top)?, count),
            None => {
                let (docs, count) = searcher.search(full, &(top, Count))?;
                (docs, *total.insert(count))
            }
        };
        let Some(coordination) = &coordination else {
            let hits = page(rescorer.rescore(searcher, docs)?);
            return Ok((total, hits, Some(scoring)));
        };
        let floor = docs.last().map_or(0.0, |(s, _)| *s);
        let complete = docs.len() < window || window >= num_docs;
        let reranked = rerank(searcher, coordination, docs);
        if complete || reranked.get(want - 1).is_some_and(|(s, _)| *s >= floor) {
            let hits = page(rescorer.rescore(searcher, reranked)?);
            return Ok((total, hits, Some(scoring)));
        }
        window = window.saturating_mul(4);
    }
}

/// A hit from its stored document: path, date, score and its `snippets` best paragraphs (the
/// lead when there is no highlighter), with the paragraphs themselves for callers that read
/// them further.
pub(crate) fn make_hit(
    searcher: &Searcher,
    store: &Store,
    addr: DocAddress,
    score: f32,
    highlighter: Option<&mut Highlighter>,
    snippets: usize,
    snippet_chars: usize,
) -> Result<(Hit, Vec<String>), SearchError> {
    let doc = store.doc(searcher, addr)?;
    let store::Stored {
        path,
        date,
        paragraphs,
        title,
        authors,
        source,
        url,
    } = store::Stored::from_doc(&doc, store.fields);
    let (snippets, best) = match highlighter {
        Some(h) => h.best_n_of_hit(searcher, addr, &paragraphs, snippets)?,
        None => (
            vec![crate::search::snippet::lead(&paragraphs, snippet_chars)],
            0,
        ),
    };
    let first = snippets[best].clone();
    let hit = Hit {
        path,
        date,
        title,
        authors,
        source,
        url,
        score,
        paragraph: first.paragraph,
        snippet: first.text,
        highlights: first.highlights,
        snippets,
        explain: None,
    };
    Ok((hit, paragraphs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::writer;

    /// An index where many short articles repeat one query word (high BM25, low coordination)
    /// and fewer long ones hold every word (lower BM25, full coordination). Every article's
    /// lead is a headline without a query word.
    fn mixed_index() -> (tempfile::TempDir, Store) {
        let filler = "harvest market weather report ".repeat(40);
        let short = (0..300).map(|i| {
            let text = format!(" date 2001-01-01 Short number{i}\n\nconvoys convoys convoys\n");
            (format!("short{i:03}.txt"), text)
        });
        // Articles without any query word, so that `convoys` is not in nearly every one.
        let other = (0..1000).map(|i| {
            let text = format!(" date 2003-03-03 harvest market weather number{i}\n");
            (format!("other{i:04}.txt"), text)
        });
        let long = (0..60).map(|i| {
            let extra = "aleppo ".repeat(i % 3);
            let text = format!(
                " date 2002-02-02 Long number{i}\n\n{filler} aid convoys {extra} Aleppo {filler}\n"
            );
            (format!("long{i:03}.txt"), text)
        });
        writer::index_files(short.chain(other).chain(long))
    }

    #[test]
    fn reranking_a_window_equals_coordinating_every_match() {
        let (_index, store) = mixed_index();
        let reader = store.reader().unwrap();
        let searcher = reader.searcher();
        let mut parsed = plan::parse(&store, "aid convoys aleppo", &DateRange::default()).unwrap();
        parsed.weigh(&searcher, store.fields.body).unwrap();
        let coordination = coordination(&searcher, &parsed)
            .unwrap()
            .expect("a three-word query is coordinated");
        // The reference: every match scored, coordinated, sorted.
        let all = searcher
            .search(
                &*scoring_query(&searcher, &parsed).unwrap().query,
                &TopDocs::with_limit(10_000).order_by_score(),
            )
            .unwrap();
        assert_eq!(all.len(), 360);
        let first_window: Vec<DocAddress> = all[..RERANK_WINDOW].iter().map(|(_, a)| *a).collect();
        let rescorer = Rescorer::new(&searcher, &store, &parsed).unwrap();
        assert!(!rescorer.is_empty());
        // Rescoring adds only to the long articles (aid and convoys close together), which
        // coordination already put first.
        let reference = rescorer
            .rescore(&searcher, rerank(&searcher, &coordination, all))
            .unwrap();
        // The long articles match every word: all of them come first once coordinated...
        assert!(reference[..60].iter().all(|(s, _)| *s > reference[60].0));
        // ...though by BM25 alone short ones outrank many of them, so the first window misses
        // some and must grow.
        let long_in_window = reference[..60]
            .iter()
            .filter(|(_, a)| first_window.contains(a))
            .count();
        assert!(
            long_in_window < 60,
            "{long_in_window} of 60 in the first window"
        );
        for (offset, limit) in [(0, 10), (0, 60), (55, 10), (100, 50), (350, 20)] {
            let (total, page, _) = ranked(&searcher, &store, &parsed, offset, limit).unwrap();
            assert_eq!(total, 360);
            let expected: Vec<(Option<f32>, DocAddress)> = reference
                .iter()
                .skip(offset)
                .take(limit)
                .map(|(s, a)| (Some(*s), *a))
                .collect();
            assert_eq!(page, expected, "offset {offset}, limit {limit}");
        }
    }
}
