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
use std::collections::HashMap;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{Searcher, TantivyDocument, Term};

/// A word's weight is at least this share of its BM25 weight, however common it is.
const IDF_FLOOR: f32 = 0.2;
/// Feedback needs a query of at least this many distinct words: keyword queries are left
/// exact (and coordinated, see `search`).
const FEEDBACK_MIN_WORDS: usize = 5;
/// How many of the best articles of a first pass are read for feedback.
const FEEDBACK_DOCS: usize = 5;
/// How many words feedback adds or reweighs.
const FEEDBACK_WORDS: usize = 30;
/// The original query's share of the final weights (RM3's lambda).
const ORIGINAL_SHARE: f32 = 0.7;
/// Smoothing of a feedback article's length (in words): short articles weigh less.
const LENGTH_SMOOTHING: f64 = 500.0;
/// The weight of a pair of adjacent query words found close together (see [`rescoring`]).
const PROXIMITY_WEIGHT: f32 = 0.2;
/// How many other words may stand between the two words of a pair.
const PROXIMITY_SLOP: u32 = 1;
/// The weight of a query word in the lead paragraph, relative to its weight in the body.
const LEAD_WEIGHT: f32 = 0.8;

/// What reranks the best hits of a query of free words (see [`rescoring`]).
pub struct Rescoring {
    /// Phrases of adjacent query words, allowing [`PROXIMITY_SLOP`] words between, boosted.
    pub phrases: Vec<Box<dyn Query>>,
    /// The query's body terms, each with the weight of one occurrence in the lead.
    pub lead: Vec<(Term, f32)>,
}

/// What reranks the best hits of a query of free words; their scores are added:
/// - phrases of adjacent query words, each allowing [`PROXIMITY_SLOP`] words between, weighed
///   [`PROXIMITY_WEIGHT`] (words of floor weight, found in most articles, are left out of the
///   pairs, as are repeated pairs): words close together rank higher;
/// - each query word in the article's first paragraph (a headline, a title, a lede: the body
///   positions below the `lead` fast field), weighed [`LEAD_WEIGHT`] times its query weight
///   and IDF, saturating as BM25's term frequency does: an article whose lead holds the
///   query's words ranks higher.
pub fn rescoring(plan: &Plan, bag: &Bag) -> tantivy::Result<Rescoring> {
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
    let kept: Vec<&Term> = bag
        .sequence
        .iter()
        .filter(|t| idf_weight(n, df_of(t)) > IDF_FLOOR)
        .collect();
    let mut pairs: Vec<(&Term, &Term)> = Vec::new();
    for w in kept.windows(2) {
        if w[0] != w[1] && !pairs.contains(&(w[0], w[1])) {
            pairs.push((w[0], w[1]));
        }
    }
    let phrases = pairs
        .into_iter()
        .map(|(a, b)| -> Box<dyn Query> {
            let mut phrase = PhraseQuery::new(vec![a.clone(), b.clone()]);
            phrase.set_slop(PROXIMITY_SLOP);
            Box::new(BoostQuery::new(Box::new(phrase), PROXIMITY_WEIGHT))
        })
        .collect();
    let lead = bag
        .terms
        .iter()
        .zip(&dfs)
        .map(|((t, count), &df)| {
            let weight = LEAD_WEIGHT * count * idf_weight(n, df) * idf_tantivy(n, df) as f32;
            (t.clone(), weight)
        })
        .collect();
    Ok(Rescoring { phrases, lead })
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

/// A word's IDF weight relative to tantivy's: the classic `ln((N - n + 0.5) / (n + 0.5))`,
/// which reaches zero for a word in half the articles, over tantivy's `ln(1 + …)`, which never
/// does, floored at [`IDF_FLOOR`].
fn idf_weight(num_docs: f64, df: f64) -> f32 {
    let classic = ((num_docs - df + 0.5) / (df + 0.5)).ln().max(0.0);
    ((classic / idf_tantivy(num_docs, df)) as f32).max(IDF_FLOOR)
}

/// A union of weighted term queries.
fn weighted(terms: &[(Term, f32)]) -> Box<dyn Query> {
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

/// Rewrites a query of free words (the plan's bag) for ranking; `None` when there is no bag.
/// The plan's filter, if any, bounds the feedback pass; the caller adds it to the result.
pub fn rewrite(
    searcher: &Searcher,
    body: Field,
    plan: &Plan,
) -> tantivy::Result<Option<Box<dyn Query>>> {
    let Some(bag) = &plan.bag else {
        return Ok(None);
    };
    let filter = plan.filter.as_deref();
    let bag = &bag.terms[..];
    let n = searcher.num_docs() as f64;
    let mut original = Vec::with_capacity(bag.len());
    for (term, count) in bag {
        let idf = idf_weight(n, plan.doc_freq(searcher, term)? as f64);
        original.push((term.clone(), *count, idf));
    }
    let base: Vec<(Term, f32)> = original
        .iter()
        .map(|(t, c, idf)| (t.clone(), c * idf))
        .collect();
    if bag.len() < FEEDBACK_MIN_WORDS {
        return Ok(Some(weighted(&base)));
    }
    let feedback = feedback(searcher, body, &weighted(&base), filter)?;
    if feedback.is_empty() {
        return Ok(Some(weighted(&base)));
    }
    // RM3: final weight = share * P(w | query) + (1 - share) * P(w | feedback), on the scale of
    // the query (a word given once weighs about 1), times the word's IDF weight.
    let length: f32 = bag.iter().map(|(_, c)| c).sum();
    let mix = |p_query: f32, p_feedback: f32| {
        length * (ORIGINAL_SHARE * p_query + (1.0 - ORIGINAL_SHARE) * p_feedback)
    };
    let p_feedback = |term: &Term| {
        feedback
            .iter()
            .find(|(t, _)| t == term)
            .map_or(0.0, |(_, p)| *p)
    };
    let must: Vec<(Term, f32)> = original
        .iter()
        .map(|(t, c, idf)| (t.clone(), idf * mix(c / length, p_feedback(t))))
        .collect();
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, weighted(&must))];
    for (term, p) in &feedback {
        if bag.iter().any(|(t, _)| t == term) {
            continue;
        }
        let idf = idf_weight(n, searcher.doc_freq(term)? as f64);
        clauses.push((
            Occur::Should,
            weighted(&[(term.clone(), idf * mix(0.0, *p))]),
        ));
    }
    Ok(Some(Box::new(BooleanQuery::new(clauses))))
}

/// The feedback words of a first pass with `query`: the words of its best [`FEEDBACK_DOCS`]
/// articles, each weighed by the article's share of their scores times the word's smoothed
/// frequency in it, times the word's classic IDF; the best [`FEEDBACK_WORDS`], normalised to
/// sum to one.
fn feedback(
    searcher: &Searcher,
    body: Field,
    query: &dyn Query,
    filter: Option<&dyn Query>,
) -> tantivy::Result<Vec<(Term, f32)>> {
    let first: Box<dyn Query> = match filter {
        Some(f) => Box::new(BooleanQuery::new(vec![
            (Occur::Must, query.box_clone()),
            (Occur::Must, f.box_clone()),
        ])),
        None => query.box_clone(),
    };
    let top = searcher.search(
        &*first,
        &TopDocs::with_limit(FEEDBACK_DOCS).order_by_score(),
    )?;
    let score_sum: f64 = top.iter().map(|(s, _)| f64::from(*s)).sum();
    let mut analyzer = schema::word_analyzer();
    let mut weights: HashMap<String, f64> = HashMap::new();
    for (score, addr) in &top {
        let doc: TantivyDocument = searcher.doc(*addr)?;
        let mut tf: HashMap<String, f64> = HashMap::new();
        let mut len = 0.0;
        for text in doc.get_all(body).filter_map(|v| v.as_str()) {
            let mut stream = analyzer.token_stream(text);
            while let Some(tok) = stream.next() {
                *tf.entry(tok.text.clone()).or_default() += 1.0;
                len += 1.0;
            }
        }
        let share = if score_sum > 0.0 {
            f64::from(*score) / score_sum
        } else {
            1.0 / top.len() as f64
        };
        for (word, count) in tf {
            *weights.entry(word).or_default() += share * count / (len + LENGTH_SMOOTHING);
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
    words.truncate(FEEDBACK_WORDS);
    words.retain(|(_, w)| *w > 0.0);
    let sum: f64 = words.iter().map(|(_, w)| w).sum();
    Ok(words
        .into_iter()
        .map(|(t, w)| (t, (w / sum) as f32))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::store;
    use crate::index::writer;
    use crate::search::plan::{self, DateRange};
    use tantivy::collector::{Count, DocSetCollector};

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
        assert!(bag.terms.len() >= FEEDBACK_MIN_WORDS);
        let rewritten = rewrite(&searcher, store.fields.body, &parsed)
            .unwrap()
            .expect("rewritten");
        let before = searcher.search(&*parsed.full, &DocSetCollector).unwrap();
        let after = searcher.search(&*rewritten, &DocSetCollector).unwrap();
        assert_eq!(before, after);
        assert_eq!(searcher.search(&*rewritten, &Count).unwrap(), before.len());
        // Feedback found words the query lacks (such as "truck" from the second article).
        let fb = feedback(&searcher, store.fields.body, &*parsed.full, None).unwrap();
        assert!(
            fb.iter().any(|(t, _)| t.value().as_str() == Some("truck")),
            "{fb:?}"
        );
        let sum: f32 = fb.iter().map(|(_, p)| p).sum();
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
    fn idf_weight_falls_to_the_floor_for_common_words() {
        assert!((idf_weight(1000.0, 999.0) - IDF_FLOOR).abs() < 1e-6);
        assert!(idf_weight(1000.0, 1.0) > 0.9);
        assert!(idf_weight(1000.0, 10.0) > idf_weight(1000.0, 100.0));
    }
}
