//! Ranking of free-word queries beyond tantivy's BM25: each word weighed by how often the query
//! repeats it and by a classic IDF; for a sentence-like query, pseudo-relevance feedback; and
//! the best hits reranked by how close together their query words stand and whether their
//! first paragraph holds them.
//!
//! Applies to a query of free words only (no phrase, no required or excluded word, no field,
//! no boolean operator); any other query is ranked by BM25 as written. The rewritten query
//! matches exactly the articles the original matches: words from feedback only add to the
//! scores of articles that hold a word of the query. Every constant here was chosen by
//! measurement on six judged collections (`docs/relevance.md`, which gives each step's figures).

use crate::index::schema;
pub use crate::search::plan::Bag;
use crate::search::plan::Plan;
use rustc_hash::FxHashMap;
use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::{
    BooleanQuery, BoostQuery, EnableScoring, Explanation, Occur, PhraseQuery, Query, Scorer,
    TermQuery, Weight,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{DocId, Score, Searcher, SegmentReader, Term};

/// Feedback reads at most this many words of each article (a speech of 30,000 words costs no
/// more than an article of 5,000; every article of the judged collections is shorter).
const FEEDBACK_MAX_WORDS: f64 = 5_000.0;

/// A word whose classic IDF is at most this share of tantivy's (a word in most articles) is
/// left out of the proximity pairs, whatever the IDF floor.
const PAIR_MIN_SHARE: f32 = 0.2;

/// How free words are ranked: every step beyond the engine's BM25, each with its parameters.
/// [`Ranking::default`] is what `search` uses; [`Ranking::bm25`] is the engine's own BM25 (the
/// baseline every step is measured against). `docs/relevance.md` gives each step's worth,
/// measured leave-one-collection-out; `--ranking` (search, eval) changes any of them.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranking {
    /// A word given twice in the query counts twice (tantivy's parser keeps it once).
    pub repeats: bool,
    /// Each word weighed by the classic IDF `ln((N - n + 0.5) / (n + 0.5))` over tantivy's,
    /// floored at [`Ranking::idf_floor`].
    pub classic_idf: bool,
    /// A word's weight is at least this share of its BM25 weight, however common it is.
    pub idf_floor: f32,
    /// Feedback needs a query of at least this many distinct words (`usize::MAX`: never).
    pub feedback_min_words: usize,
    /// How many of the best articles of a first pass are read for feedback.
    pub feedback_docs: usize,
    /// How many words feedback adds or reweighs.
    pub feedback_words: usize,
    /// The original query's share of the final weights (RM3's lambda).
    pub original_share: f32,
    /// Smoothing of a feedback article's length (in words): short articles weigh less.
    pub length_smoothing: f64,

    /// The weight of a pair of adjacent query words found close together (0: off).
    pub proximity_weight: f32,
    /// How many other words may stand between the two words of a pair.
    pub proximity_slop: u32,
    /// The weight of a query word in the lead paragraph, relative to its weight in the body
    /// (0: off).
    pub lead_weight: f32,
    /// Short keyword queries coordinated (see `rerank::Coordination`).
    pub coordination: bool,
    /// The weight of a query word in the title a records file gives, relative to its weight
    /// in the body (0: titles are matched but add nothing); only an index holding titles
    /// is affected.
    pub title_weight: f32,
}

/// The title weight unless `--ranking` says otherwise: measured on four judged collections,
/// their first paragraph made the title (docs/relevance.md, "Titles").
pub const TITLE_WEIGHT: f32 = 1.0;

impl Default for Ranking {
    fn default() -> Self {
        Ranking {
            repeats: true,
            classic_idf: true,
            idf_floor: 0.4,
            feedback_min_words: 5,
            feedback_docs: 5,
            feedback_words: 30,
            original_share: 0.7,
            length_smoothing: 500.0,

            proximity_weight: 0.2,
            proximity_slop: 1,
            lead_weight: 0.8,
            coordination: true,
            title_weight: TITLE_WEIGHT,
        }
    }
}

/// The names `--ranking` takes, with what each sets.
pub const RANKING_NAMES: &[(&str, &str)] = &[
    (
        "bm25",
        "the engine's BM25 alone: every step below off (a preset; may start the list)",
    ),
    (
        "default",
        "the default ranking (a preset; may start the list)",
    ),
    (
        "repeats=on|off",
        "a word repeated in the query counts as often as it is given",
    ),
    (
        "idf=on|off",
        "each word weighed by the classic IDF over the engine's",
    ),
    (
        "idf_floor=X",
        "the least share of a common word's weight (0-1)",
    ),
    (
        "feedback=on|off",
        "pseudo-relevance feedback (RM3) for sentence-like queries",
    ),
    (
        "feedback_min_words=N",
        "distinct words a query needs for feedback",
    ),
    (
        "feedback_docs=N",
        "articles of the first pass read for feedback",
    ),
    ("feedback_words=N", "words feedback adds or reweighs"),
    (
        "lambda=X",
        "the original query's share of the final weights (0-1)",
    ),
    (
        "smoothing=X",
        "smoothing of a feedback article's length, in words",
    ),
    (
        "proximity=X",
        "weight of adjacent query words found close together (0: off)",
    ),
    (
        "slop=N",
        "words allowed between the two words of such a pair",
    ),
    (
        "lead=X",
        "weight of a query word in the first paragraph (0: off)",
    ),
    (
        "coordination=on|off",
        "short queries: articles holding more of the words first",
    ),
    (
        "title=X",
        "weight of a query word in an article's title, relative to the body",
    ),
];

impl Ranking {
    /// The engine's BM25 alone: the query's words OR-ed as tantivy's parser reads them.
    pub fn bm25() -> Ranking {
        Ranking {
            repeats: false,
            classic_idf: false,
            idf_floor: 0.0,
            feedback_min_words: usize::MAX,
            proximity_weight: 0.0,
            lead_weight: 0.0,
            coordination: false,
            ..Ranking::default()
        }
    }

    /// Whether a free-word query is rewritten at all (else BM25 as parsed).
    pub fn rewrites(&self) -> bool {
        self.repeats || self.classic_idf || self.feedback_min_words != usize::MAX
    }

    /// Reads `bm25`, `default`, or a comma-separated list of `name=value` changes to the
    /// default (to BM25 when the list starts with `bm25`); see [`RANKING_NAMES`].
    pub fn parse(spec: &str) -> Result<Ranking, String> {
        let mut r = Ranking::default();
        for (i, item) in spec.split(',').map(str::trim).enumerate() {
            match item {
                "" => continue,
                "bm25" if i == 0 => r = Ranking::bm25(),
                "default" if i == 0 => r = Ranking::default(),
                _ => {
                    let Some((name, value)) = item.split_once('=') else {
                        return Err(format!(
                            "'{item}' is not name=value (or bm25, default first)"
                        ));
                    };
                    r.set(name.trim(), value.trim())?;
                }
            }
        }
        Ok(r)
    }

    fn set(&mut self, name: &str, value: &str) -> Result<(), String> {
        fn on(name: &str, v: &str) -> Result<bool, String> {
            match v {
                "on" | "true" | "1" => Ok(true),
                "off" | "false" | "0" => Ok(false),
                _ => Err(format!("{name} takes on or off, not '{v}'")),
            }
        }
        fn num<T: std::str::FromStr>(
            name: &str,
            v: &str,
            ok: impl Fn(&T) -> bool,
        ) -> Result<T, String> {
            v.parse::<T>()
                .ok()
                .filter(|x| ok(x))
                .ok_or_else(|| format!("'{v}' is not a valid value for {name}"))
        }
        let share = |x: &f32| (0.0..=1.0).contains(x);
        match name {
            "repeats" => self.repeats = on(name, value)?,
            "idf" => self.classic_idf = on(name, value)?,
            "idf_floor" => self.idf_floor = num(name, value, share)?,
            "feedback" => {
                self.feedback_min_words = if on(name, value)? {
                    Ranking::default().feedback_min_words
                } else {
                    usize::MAX
                }
            }
            "feedback_min_words" => {
                self.feedback_min_words = num(name, value, |n: &usize| *n >= 1)?
            }
            "feedback_docs" => {
                self.feedback_docs = num(name, value, |n: &usize| (1..=1000).contains(n))?
            }
            "feedback_words" => {
                self.feedback_words = num(name, value, |n: &usize| (1..=1000).contains(n))?
            }
            "lambda" => self.original_share = num(name, value, share)?,
            "smoothing" => self.length_smoothing = num(name, value, |x: &f64| *x >= 0.0)?,

            "proximity" => self.proximity_weight = num(name, value, |x: &f32| *x >= 0.0)?,
            "slop" => self.proximity_slop = num(name, value, |n: &u32| *n <= 100)?,
            "lead" => self.lead_weight = num(name, value, |x: &f32| *x >= 0.0)?,
            "coordination" => self.coordination = on(name, value)?,
            "title" => self.title_weight = num(name, value, |x: &f32| *x >= 0.0)?,
            _ => {
                let names: Vec<&str> = RANKING_NAMES
                    .iter()
                    .map(|(n, _)| n.split(['=', ' ']).next().unwrap_or(n))
                    .collect();
                return Err(format!(
                    "no ranking setting '{name}' (there are: {})",
                    names.join(", ")
                ));
            }
        }
        Ok(())
    }
}

/// What reranks the best hits of a query of free words (see [`rescoring`]).
pub struct Rescoring {
    /// Phrases of adjacent query words, allowing [`Ranking::proximity_slop`] words between,
    /// boosted.
    pub phrases: Vec<Box<dyn Query>>,
    /// The query's body terms, each with the weight of one occurrence in the lead.
    pub lead: Vec<(Term, f32)>,
}

/// What reranks the best hits of a query of free words; their scores are added:
/// - phrases of adjacent query words, each allowing [`Ranking::proximity_slop`] words between,
///   weighed [`Ranking::proximity_weight`] (words found in most articles are left out of the
///   pairs, as are repeated pairs): words close together rank higher;
/// - each query word in the article's first paragraph (a headline, a title, a lede: the body
///   positions below the `lead` fast field), weighed [`Ranking::lead_weight`] times its weight
///   and IDF, saturating as BM25's term frequency does: an article whose lead holds the
///   query's words ranks higher.
pub fn rescoring(plan: &Plan, bag: &Bag) -> tantivy::Result<Rescoring> {
    let r = &plan.ranking;
    let n = plan.num_docs() as f64;
    let dfs: Vec<f64> = bag
        .terms
        .iter()
        .map(|(t, _)| plan.frequency(t) as f64)
        .collect();
    let df_of = |t: &Term| {
        bag.terms
            .iter()
            .position(|(u, _)| u == t)
            .map_or(0.0, |i| dfs[i])
    };
    let pairs = if r.proximity_weight > 0.0 {
        adjacent_pairs(
            bag.sequence
                .iter()
                .filter(|t| classic_share(n, df_of(t)) > PAIR_MIN_SHARE),
        )
    } else {
        Vec::new()
    };
    let phrases = pairs
        .into_iter()
        .map(|(a, b)| -> Box<dyn Query> {
            let mut phrase = PhraseQuery::new(vec![a.clone(), b.clone()]);
            phrase.set_slop(r.proximity_slop);
            Box::new(BoostQuery::new(Box::new(phrase), r.proximity_weight))
        })
        .collect();
    let lead = if r.lead_weight > 0.0 {
        bag.terms
            .iter()
            .zip(&dfs)
            .map(|((t, count), &df)| {
                let weight = r.lead_weight
                    * r.count(*count)
                    * idf_weight(r, n, df)
                    * idf_tantivy(n, df) as f32;
                (t.clone(), weight)
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(Rescoring { phrases, lead })
}

/// Each pair of adjacent, different words of `words`, once, in the order they first stand.
pub fn adjacent_pairs<'a>(words: impl IntoIterator<Item = &'a Term>) -> Vec<(&'a Term, &'a Term)> {
    let words: Vec<&Term> = words.into_iter().collect();
    let mut pairs = Vec::new();
    for w in words.windows(2) {
        if w[0] != w[1] && !pairs.contains(&(w[0], w[1])) {
            pairs.push((w[0], w[1]));
        }
    }
    pairs
}

/// The lead score of a word found `tf` times in a lead of `len` words, leads being `avg` words
/// long on average: BM25's term-frequency part (k1 = 1.2, b = 0.75) times the word's weight.
pub fn lead_score(weight: f32, tf: u32, len: f32, avg: f32) -> f32 {
    const K1: f32 = 1.2;
    const B: f32 = 0.75;
    let tf = tf as f32;
    weight * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len / avg.max(1.0)))
}

/// tantivy's BM25 IDF.
fn idf_tantivy(num_docs: f64, df: f64) -> f64 {
    (1.0 + (num_docs - df + 0.5) / (df + 0.5)).ln()
}

/// The classic IDF `ln((N - n + 0.5) / (n + 0.5))`, which reaches zero for a word in half the
/// articles, over tantivy's `ln(1 + …)`, which never does.
fn classic_share(num_docs: f64, df: f64) -> f32 {
    let classic = ((num_docs - df + 0.5) / (df + 0.5)).ln().max(0.0);
    (classic / idf_tantivy(num_docs, df)) as f32
}

/// A word's IDF weight relative to tantivy's: [`classic_share`] floored at
/// [`Ranking::idf_floor`]; 1 without the classic IDF.
fn idf_weight(r: &Ranking, num_docs: f64, df: f64) -> f32 {
    if r.classic_idf {
        classic_share(num_docs, df).max(r.idf_floor)
    } else {
        1.0
    }
}

impl Ranking {
    /// A word's weight for being given `count` times.
    fn count(&self, count: f32) -> f32 {
        if self.repeats { count } else { count.min(1.0) }
    }
}

/// A union of weighted term queries.
fn weighted(terms: &[(Term, f32)]) -> Box<dyn Query> {
    if let [(term, weight)] = terms {
        return Box::new(WeightedTerm {
            term: term.clone(),
            weight: *weight,
        });
    }
    Box::new(BooleanQuery::new(
        terms
            .iter()
            .map(|(t, w)| -> (Occur, Box<dyn Query>) {
                let term = Box::new(TermQuery::new(t.clone(), IndexRecordOption::WithFreqs));
                (Occur::Should, Box::new(BoostQuery::new(term, *w)))
            })
            .collect(),
    ))
}

/// One weighted word: the scores of a boosted term query, found as fast as a lone term query.
/// Tantivy ranks a lone term by its block-max scores, skipping the blocks that cannot reach
/// the best so far; a boolean query of one clause, or a boost, scores every article holding
/// the word instead (`said` at a million articles: 10.7 ms of CPU a search against 5.9).
#[derive(Clone, Debug)]
struct WeightedTerm {
    term: Term,
    weight: f32,
}

impl Query for WeightedTerm {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let term = TermQuery::new(self.term.clone(), IndexRecordOption::WithFreqs);
        Ok(Box::new(WeightedTermWeight {
            boosted: BoostQuery::new(Box::new(term.clone()), self.weight).weight(scoring)?,
            plain: term.weight(scoring)?,
            weight: self.weight,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        visitor(&self.term, false);
    }
}

struct WeightedTermWeight {
    /// Every score, as `BoostQuery(TermQuery)` gives it.
    boosted: Box<dyn Weight>,
    /// The term unweighted: its pruning, on thresholds scaled by the weight.
    plain: Box<dyn Weight>,
    weight: f32,
}

impl Weight for WeightedTermWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        self.boosted.scorer(reader, boost)
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.boosted.explain(reader, doc)
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        self.plain.count(reader)
    }

    fn for_each_pruning(
        &self,
        threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        let w = self.weight;
        if !(w.is_finite() && w > 0.0) {
            return self.boosted.for_each_pruning(threshold, reader, callback);
        }
        // The unweighted scores times the weight are the weighted ones; the threshold, kept
        // on the weighted scale by the collector, is divided back for the pruning.
        self.plain
            .for_each_pruning(threshold / w, reader, &mut |doc, score| {
                callback(doc, score * w) / w
            })
    }
}

/// A word feedback added to a query (see [`feedback`]), as `--explain` and the JSON's
/// `expansion` show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Expansion {
    /// The word as the feedback articles first spell it (the best article first).
    pub word: String,
    /// Its indexed (stemmed) form.
    #[serde(skip)]
    pub term: Term,
    /// Its weight in the rewritten query, on the scale of a query word given once (about 1).
    pub weight: f32,
}

/// A query of free words rewritten for ranking (see [`rewrite`]).
pub struct Rewritten {
    /// What ranks: the same matches as the text, other weights.
    pub query: Box<dyn Query>,
    /// Each term of it with its boost: its score is the term's BM25 times the boost, and the
    /// query's score their sum (what `--explain` takes apart).
    pub terms: Vec<(Term, f32)>,
    /// The words feedback added (none when it did not fire).
    pub expansion: Vec<Expansion>,
}

/// Rewrites a query of free words (the plan's bag) for ranking; `None` when there is no bag
/// (or the ranking leaves BM25 as parsed). The plan's filter, if any, bounds the feedback pass;
/// the caller adds it to the result.
pub fn rewrite(
    searcher: &Searcher,
    body: Field,
    plan: &Plan,
) -> tantivy::Result<Option<Rewritten>> {
    let r = &plan.ranking;
    let Some(bag) = plan.bag.as_ref().filter(|_| r.rewrites()) else {
        return Ok(None);
    };
    let filter = plan.filter.as_deref();
    let bag = &bag.terms[..];
    let n = searcher.num_docs() as f64;
    let mut original = Vec::with_capacity(bag.len());
    for (term, count) in bag {
        let idf = idf_weight(r, n, plan.doc_freq(searcher, term)? as f64);
        original.push((term.clone(), r.count(*count), idf));
    }
    // Each word also in the title field, when the index holds titles: the same matches as the
    // parsed query (whose words match the body or the title), a title match weighed more.
    let titled = |terms: Vec<(Term, f32)>| -> Vec<(Term, f32)> {
        let Some(title) = plan.titles else {
            return terms;
        };
        let in_titles: Vec<(Term, f32)> = terms
            .iter()
            .filter_map(|(t, w)| {
                let value = t.value();
                let word = value.as_str()?;
                Some((Term::from_field_text(title, word), w * r.title_weight))
            })
            .collect();
        terms.into_iter().chain(in_titles).collect()
    };
    let base: Vec<(Term, f32)> = titled(
        original
            .iter()
            .map(|(t, c, idf)| (t.clone(), c * idf))
            .collect(),
    );
    let plain = |base: Vec<(Term, f32)>| Rewritten {
        query: weighted(&base),
        terms: base,
        expansion: Vec::new(),
    };
    if bag.len() < r.feedback_min_words {
        return Ok(Some(plain(base)));
    }
    let feedback = feedback(searcher, body, &weighted(&base), filter, r)?;
    if feedback.is_empty() {
        return Ok(Some(plain(base)));
    }
    // RM3: final weight = share * P(w | query) + (1 - share) * P(w | feedback), on the scale of
    // the query (a word given once weighs about 1), times the word's IDF weight.
    let length: f32 = original.iter().map(|(_, c, _)| c).sum();
    let mix = |p_query: f32, p_feedback: f32| {
        length * (r.original_share * p_query + (1.0 - r.original_share) * p_feedback)
    };
    let p_feedback = |term: &Term| {
        feedback
            .iter()
            .find(|(t, _, _)| t == term)
            .map_or(0.0, |(_, _, p)| *p)
    };
    let must: Vec<(Term, f32)> = titled(
        original
            .iter()
            .map(|(t, c, idf)| (t.clone(), idf * mix(c / length, p_feedback(t))))
            .collect(),
    );
    let mut terms = must.clone();
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, weighted(&must))];
    let mut expansion = Vec::new();
    for (term, word, p) in &feedback {
        if bag.iter().any(|(t, _)| t == term) {
            continue;
        }
        let idf = idf_weight(r, n, searcher.doc_freq(term)? as f64);
        let weight = idf * mix(0.0, *p);
        clauses.push((Occur::Should, weighted(&[(term.clone(), weight)])));
        terms.push((term.clone(), weight));
        expansion.push(Expansion {
            word: word.clone(),
            term: term.clone(),
            weight,
        });
    }
    Ok(Some(Rewritten {
        query: Box::new(BooleanQuery::new(clauses)),
        terms,
        expansion,
    }))
}

/// The feedback words of a first pass with `query`: the words of its best
/// [`Ranking::feedback_docs`] articles, each weighed by the article's share of their scores
/// times the word's smoothed frequency in it, times the word's classic IDF; the best
/// [`Ranking::feedback_words`], normalised to sum to one. Each comes with its first spelling
/// in those articles (lower-cased), the best article first.
fn feedback(
    searcher: &Searcher,
    body: Field,
    query: &dyn Query,
    filter: Option<&dyn Query>,
    r: &Ranking,
) -> tantivy::Result<Vec<(Term, String, f32)>> {
    let first: Box<dyn Query> = match filter {
        Some(f) => Box::new(BooleanQuery::new(vec![
            (Occur::Must, query.box_clone()),
            (Occur::Must, f.box_clone()),
        ])),
        None => query.box_clone(),
    };
    let top = searcher.search(
        &*first,
        &TopDocs::with_limit(r.feedback_docs).order_by_score(),
    )?;
    let score_sum: f64 = top.iter().map(|(s, _)| f64::from(*s)).sum();
    let mut analyzer = schema::word_analyzer();
    let mut weights: FxHashMap<String, f64> = FxHashMap::default();
    // Each indexed form's first spelling in the feedback articles (the best article first).
    let mut spellings: FxHashMap<String, String> = FxHashMap::default();
    for (score, addr) in &top {
        let doc = crate::index::stored::doc(searcher, *addr)?;
        let mut tf: FxHashMap<String, f64> = FxHashMap::default();
        let mut len = 0.0;
        'article: for text in doc.get_all(body).filter_map(|v| v.as_str()) {
            let mut stream = analyzer.token_stream(text);
            while let Some(tok) = stream.next() {
                if len >= FEEDBACK_MAX_WORDS {
                    break 'article;
                }
                len += 1.0;
                // One allocation per distinct word, not per token.
                if let Some(count) = tf.get_mut(&tok.text) {
                    *count += 1.0;
                    continue;
                }
                tf.insert(tok.text.clone(), 1.0);
                if !spellings.contains_key(&tok.text) {
                    let spelled = text[tok.offset_from..tok.offset_to].to_lowercase();
                    spellings.insert(tok.text.clone(), spelled);
                }
            }
        }
        let share = if score_sum > 0.0 {
            f64::from(*score) / score_sum
        } else {
            1.0 / top.len() as f64
        };
        for (word, count) in tf {
            *weights.entry(word).or_default() += share * count / (len + r.length_smoothing);
        }
    }
    let n = searcher.num_docs() as f64;
    let mut words: Vec<(Term, f64)> = Vec::with_capacity(weights.len());
    for (word, w) in weights {
        let term = Term::from_field_text(body, &word);
        let df = searcher.doc_freq(&term)? as f64;
        let classic = ((n - df + 0.5) / (df + 0.5)).ln().max(0.0);
        words.push((term, w * classic));
    }
    words.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    words.truncate(r.feedback_words);
    words.retain(|(_, w)| *w > 0.0);
    let sum: f64 = words.iter().map(|(_, w)| w).sum();
    Ok(words
        .into_iter()
        .map(|(t, w)| {
            let stem = t.value().as_str().unwrap_or_default().to_string();
            let word = spellings.remove(&stem).unwrap_or(stem);
            (t, word, (w / sum) as f32)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::store;
    use crate::index::writer;
    use crate::search::plan::{self, DateRange};
    use tantivy::collector::{Count, DocSetCollector};

    /// One weighted word ranks the same articles with the same scores as the boosted term
    /// query it stands for, pruned or not, for a short page and a long one.
    #[test]
    fn a_weighted_word_ranks_as_its_boosted_term_query() {
        let files = (0..700).map(|i| {
            let convoys = "convoys ".repeat(1 + i % 7);
            let filler = "harvest market weather ".repeat(i % 23);
            let text = format!(" date 2001-01-01 number{i} {filler}\n\n{convoys} {filler}\n");
            (format!("a{i:03}.txt"), text)
        });
        let (_dir, store) = writer::index_files(files);
        let reader = store.reader().unwrap();
        let searcher = reader.searcher();
        let term = Term::from_field_text(store.fields.body, "convoy");
        for weight in [0.4f32, 1.0, 2.5] {
            let ours = weighted(&[(term.clone(), weight)]);
            let boosted = BooleanQuery::new(vec![(
                Occur::Should,
                Box::new(BoostQuery::new(
                    Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)),
                    weight,
                )) as Box<dyn Query>,
            )]);
            for k in [10, 100, 700] {
                let top = TopDocs::with_limit(k).order_by_score();
                let a = searcher.search(&*ours, &top).unwrap();
                let b = searcher.search(&boosted, &top).unwrap();
                assert_eq!(a.len(), b.len());
                for ((sa, da), (sb, db)) in a.iter().zip(&b) {
                    assert!((sa - sb).abs() <= 1e-6 * sb.abs(), "{sa} against {sb}");
                    assert_eq!(da, db, "the same article at each rank");
                }
            }
            assert_eq!(
                searcher.search(&*ours, &Count).unwrap(),
                searcher.search(&boosted, &Count).unwrap()
            );
        }
    }

    fn index(texts: &[&str]) -> (tempfile::TempDir, store::Store) {
        writer::index_files(texts.iter().enumerate().map(|(i, t)| {
            let text = format!(" date 2001-01-{:02} {t}\n", i % 28 + 1);
            (format!("a{i:03}.txt"), text)
        }))
    }

    /// An index of `texts` (article `i` is `a{i:03}.txt`) and 30 more articles of other words,
    /// in which "the" and "city" are common.
    fn index_padded(texts: &[&str]) -> (tempfile::TempDir, store::Store) {
        let mut texts = texts.to_vec();
        texts.extend(std::iter::repeat_n("the weather report for the city", 30));
        index(&texts)
    }

    /// The ranking of free words, as scores and keys.
    fn ranking_of(store: &store::Store, query: &str) -> Vec<(f32, String)> {
        let req = crate::search::Request {
            text: query.into(),
            ..Default::default()
        };
        crate::search::ranking(store, &req).unwrap().1
    }

    #[test]
    fn repeated_words_are_counted_and_only_free_words_make_a_bag() {
        let (_dir, store) = index(&["aid convoys reach aleppo"]);
        let bag_of = |text: &str| {
            let p = plan::parse(&store, text, &DateRange::default()).unwrap();
            p.bag
                .map(|b| b.terms.into_iter().map(|(_, c)| c).collect::<Vec<f32>>())
        };
        assert_eq!(bag_of("Aid convoys aid AID, convoy"), Some(vec![3.0, 2.0]));
        assert_eq!(bag_of("aid"), Some(vec![1.0]));
        assert_eq!(bag_of("\"aid convoys\" aleppo"), None);
        assert_eq!(bag_of("+aid convoys"), None);
        assert_eq!(bag_of("aid -convoys"), None);
        assert_eq!(bag_of(""), None);
    }

    #[test]
    fn feedback_reorders_but_never_adds_or_drops_a_match() {
        let mut texts = vec![
            "relief convoys carry grain and medicine to the besieged city",
            "grain medicine relief trucks wait at the border crossing",
            "the harvest festival fills the square with music",
            "medicine shortages close the hospital wards",
            "music and grain prices rise at the market",
        ];
        texts.extend(std::iter::repeat_n("weather report calm seas", 20));
        let (_dir, store) = index(&texts);
        let reader = store.reader().unwrap();
        let searcher = reader.searcher();
        let text = "relief convoys carry grain medicine to a city under siege";
        let mut parsed = plan::parse(&store, text, &DateRange::default()).unwrap();
        parsed.weigh(&searcher, store.fields.body).unwrap();
        let bag = parsed.bag.as_ref().expect("free words");
        assert!(bag.terms.len() >= Ranking::default().feedback_min_words);
        let rewritten = rewrite(&searcher, store.fields.body, &parsed)
            .unwrap()
            .expect("rewritten");
        assert!(!rewritten.expansion.is_empty());
        let rewritten = rewritten.query;
        let before = searcher.search(&*parsed.full, &DocSetCollector).unwrap();
        let after = searcher.search(&*rewritten, &DocSetCollector).unwrap();
        assert_eq!(before, after);
        assert_eq!(searcher.search(&*rewritten, &Count).unwrap(), before.len());
        // Feedback found words the query lacks (such as "truck" from the second article).
        let fb = feedback(
            &searcher,
            store.fields.body,
            &*parsed.full,
            None,
            &Ranking::default(),
        )
        .unwrap();
        assert!(
            fb.iter()
                .any(|(t, w, _)| t.value().as_str() == Some("truck") && w == "trucks"),
            "{fb:?}"
        );
        let sum: f32 = fb.iter().map(|(_, _, p)| p).sum();
        assert!((sum - 1.0).abs() < 1e-4);
    }

    #[test]
    fn close_query_words_rank_an_article_higher() {
        // Same words, same length: only the distance between "grain" and "convoys" differs.
        let (_dir, store) = index_padded(&[
            "grain convoys reach the city after weeks on the road north",
            "grain reach the city after weeks on the road north convoys",
        ]);
        let hits = ranking_of(&store, "grain convoys");
        assert_eq!(hits.len(), 2);
        assert!(hits[0].1.ends_with("a000.txt"), "{hits:?}");
        assert!(hits[0].0 > hits[1].0);
        // The pairs leave out words in most articles ("the", "city") and repeated pairs.
        let reader = store.reader().unwrap();
        let searcher = reader.searcher();
        let text = "grain the convoys city grain the convoys";
        let mut parsed = plan::parse(&store, text, &DateRange::default()).unwrap();
        parsed.weigh(&searcher, store.fields.body).unwrap();
        let bag = parsed.bag.as_ref().unwrap();
        let r = rescoring(&parsed, bag).unwrap();
        assert_eq!(r.phrases.len(), 2, "grain-convoys and convoys-grain");
        assert_eq!(r.lead.len(), bag.terms.len());
    }

    #[test]
    fn a_query_word_in_the_lead_ranks_an_article_higher() {
        // Same words, same length: "harvest" is in the first paragraph of one article only.
        let (_dir, store) = index_padded(&[
            "harvest festival\n\nthe village gathers in the square",
            "village festival\n\nthe harvest gathers in the square",
        ]);
        let hits = ranking_of(&store, "harvest");
        assert_eq!(hits.len(), 2);
        assert!(hits[0].1.ends_with("a000.txt"), "{hits:?}");
        assert!(hits[0].0 > hits[1].0);
    }

    #[test]
    fn a_phrase_read_from_the_pairs_matches_what_the_words_match() {
        let (_dir, store) = index(&[
            "the company said on monday that it would sell",
            "the company, it said, would sell on monday",
            "a company said the sale of it was off",
            "said the company",
        ]);
        let reader = store.reader().unwrap();
        let searcher = reader.searcher();
        for phrase in ["the company said", "said the company", "of it", "on monday"] {
            let count = |text: &str| {
                let p = plan::parse(&store, text, &DateRange::default()).unwrap();
                let mut fields = Vec::new();
                p.full.query_terms(&mut |t, _| fields.push(t.field()));
                (searcher.search(&*p.full, &Count).unwrap(), fields)
            };
            let (pairs, fields) = count(&format!("\"{phrase}\""));
            assert!(fields.iter().all(|f| *f == store.fields.pairs), "{phrase}");
            let (words, fields) = count(&format!("body:\"{phrase}\""));
            assert!(fields.iter().all(|f| *f == store.fields.body), "{phrase}");
            assert_eq!(pairs, words, "{phrase}");
            assert!(pairs > 0, "{phrase}");
        }
    }

    #[test]
    fn ranking_settings_read_presets_and_changes() {
        assert_eq!(Ranking::parse("default").unwrap(), Ranking::default());
        assert_eq!(Ranking::parse("").unwrap(), Ranking::default());
        let bm25 = Ranking::parse("bm25").unwrap();
        assert_eq!(bm25, Ranking::bm25());
        assert!(!bm25.rewrites() && !bm25.coordination && bm25.lead_weight == 0.0);
        let r = Ranking::parse("bm25, idf=on, lead=0.5,feedback=on").unwrap();
        assert!(r.classic_idf && !r.repeats && r.lead_weight == 0.5);
        assert_eq!(r.feedback_min_words, Ranking::default().feedback_min_words);
        let r = Ranking::parse("feedback=off,proximity=0,lambda=1").unwrap();
        assert_eq!(r.feedback_min_words, usize::MAX);
        assert_eq!((r.proximity_weight, r.original_share), (0.0, 1.0));
        for (bad, says) in [
            ("lead", "not name=value"),
            ("idf=maybe", "idf takes on or off"),
            ("lambda=1.5", "not a valid value for lambda"),
            ("feedback_docs=0", "not a valid value for feedback_docs"),
            ("speed=9", "no ranking setting 'speed'"),
            ("lead=1,bm25", "not name=value"),
        ] {
            let e = Ranking::parse(bad).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn idf_weight_falls_to_the_floor_for_common_words() {
        let r = Ranking::default();
        assert!((idf_weight(&r, 1000.0, 999.0) - r.idf_floor).abs() < 1e-6);
        assert!(idf_weight(&r, 1000.0, 1.0) > 0.9);
        assert!(idf_weight(&r, 1000.0, 10.0) > idf_weight(&r, 1000.0, 100.0));
        assert_eq!(idf_weight(&Ranking::bm25(), 1000.0, 999.0), 1.0);
    }
}
