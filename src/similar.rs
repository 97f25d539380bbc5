//! More like this: the articles closest to a given one by its most significant words.
//!
//! The article (stored in the index, or a file parsed on the spot: [`run`]; stored in the index
//! only, never a file: [`run_indexed`]) is read into words; each
//! word weighs its frequency in the article times its rarity in the index (`tf · ln(N/df)`),
//! and the heaviest [`MAX_TERMS`] become a BM25 query, each boosted by its weight. The article
//! itself, and any copy of it under another name (the same content hash), never comes back.

use crate::article;
use crate::corpus;
use crate::index::schema;
use crate::index::store::Store;
use crate::search::plan::{self, DateRange};
use crate::search::snippet::Highlighter;
use crate::search::{Hit, SearchError, check_folder, make_hit};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::ops::Bound;
use std::path::PathBuf;
use std::time::Instant;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Searcher, Term};

/// The query is made of at most this many words (Lucene's MoreLikeThis uses 25 too).
pub const MAX_TERMS: usize = 25;

/// Articles longer than this many words only give words they use at least twice: a word used
/// once in a long text says little about it.
const LONG_ARTICLE_WORDS: usize = 300;

/// What to find articles like.
#[derive(Debug, Clone)]
pub struct Request {
    /// The article: its path as indexed, or any file in the dated format (a file is read by
    /// [`run`] only, never by [`run_indexed`]).
    pub path: PathBuf,
    /// How many hits.
    pub limit: usize,
    /// Inclusive date bounds on the hits.
    pub range: DateRange,
    /// Only hits under a folder, by some authors, from some sources.
    pub scope: plan::Scope,
    /// About how long a snippet may be, in characters.
    pub snippet_chars: usize,
}

impl Similar {
    /// Replaces the article's and each hit's key with how a front end shows it.
    pub fn show_paths(&mut self, show: impl Fn(&str) -> String) {
        self.article = show(&self.article);
        for h in &mut self.hits {
            h.hit.path = show(&h.hit.path);
        }
    }
}

/// One similar article: a search hit, and the query's words it holds.
#[derive(Debug, Clone, Serialize)]
pub struct SimilarHit {
    /// Path, date, score and snippets, as `dateline search` gives them.
    #[serde(flatten)]
    pub hit: Hit,
    /// The words of [`Similar::terms`] this article holds too, heaviest first.
    pub shared: Vec<String>,
}

/// The answer to a [`Request`].
#[derive(Debug, Clone, Serialize)]
pub struct Similar {
    /// The article's key (or the path given, for a file outside the index).
    pub article: String,
    /// Whether the article is in the index (otherwise it was read from its file).
    pub indexed: bool,
    /// The words the likeness was judged by, heaviest first, as the article spells them.
    pub terms: Vec<String>,
    /// How many articles share at least one of them (within the filters).
    pub total: u64,
    /// Time spent.
    pub took_ms: f64,
    /// The most similar articles, most similar first.
    pub hits: Vec<SimilarHit>,
}

/// A word of the article: indexed form, the spelling it has most often in the article, weight.
struct Word {
    stem: String,
    shown: String,
    weight: f32,
}

/// Finds the articles most like the requested one: stored in the index, or else the file at
/// `req.path`, read and parsed on the spot.
pub fn run(store: &Store, req: &Request) -> Result<Similar, SearchError> {
    find(store, req, Origin::IndexOrFile)?.ok_or_else(|| {
        // Not reached: a path that is not indexed is read from its file, or fails there.
        anyhow::anyhow!("{} is not in the index", req.path.display()).into()
    })
}

/// Finds the articles most like an article stored in the index, `None` when `req.path` is not
/// indexed: no file is ever read, whatever lies on disk at that path (for a server, which must
/// show only what was indexed).
pub fn run_indexed(store: &Store, req: &Request) -> Result<Option<Similar>, SearchError> {
    find(store, req, Origin::IndexOnly)
}

/// Where the article may be read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// The index, else its file.
    IndexOrFile,
    /// The index only.
    IndexOnly,
}

fn find(store: &Store, req: &Request, origin: Origin) -> Result<Option<Similar>, SearchError> {
    let started = Instant::now();
    let f = store.fields;
    let reader = store.reader()?;
    let searcher = reader.searcher();
    if let Some(prefix) = &req.scope.folder {
        check_folder(&searcher, prefix)?;
    }
    let key = corpus::key_as_named(&req.path);
    let (paragraphs, hash, indexed) = match stored(&searcher, store, &key)? {
        Some((paragraphs, hash)) => (paragraphs, hash, true),
        None if origin == Origin::IndexOnly => return Ok(None),
        None => {
            let bytes = corpus::read(&req.path).map_err(|reason| {
                anyhow::anyhow!(
                    "{} is not in the index and cannot be read: {reason}",
                    req.path.display()
                )
            })?;
            let a = article::parse_bytes(&bytes)
                .map_err(|e| anyhow::anyhow!("{}:{e}", req.path.display()))?;
            (a.paragraphs, Some(corpus::hash(&bytes)), false)
        }
    };
    let words = significant_words(&searcher, f.body, &paragraphs, indexed)?;

    let mut similar: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let top = words.first().map_or(1.0, |w| w.weight);
    for w in &words {
        let term = TermQuery::new(
            Term::from_field_text(f.body, &w.stem),
            IndexRecordOption::WithFreqs,
        );
        similar.push((
            Occur::Should,
            Box::new(BoostQuery::new(Box::new(term), w.weight / top)),
        ));
    }
    let similar = BooleanQuery::new(similar);
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![
        (Occur::Must, Box::new(similar.clone())),
        (
            Occur::MustNot,
            Box::new(TermQuery::new(
                Term::from_field_text(f.path, &key),
                IndexRecordOption::Basic,
            )),
        ),
    ];
    if let Some(h) = hash {
        // Copies of the article under other names.
        let same = Term::from_field_u64(f.hash, h);
        clauses.push((
            Occur::MustNot,
            Box::new(RangeQuery::new(
                Bound::Included(same.clone()),
                Bound::Included(same),
            )),
        ));
    }
    if let Some(filter) = plan::filter(f, &req.range, &req.scope) {
        clauses.push((Occur::Must, filter));
    }
    let full = BooleanQuery::new(clauses);

    let (top_docs, total) = if words.is_empty() {
        (Vec::new(), 0)
    } else {
        let limit = req.limit.min(searcher.num_docs() as usize).max(1);
        searcher.search(&full, &(TopDocs::with_limit(limit).order_by_score(), Count))?
    };
    let marks = crate::search::plan::Marks {
        singles: words.iter().map(|w| w.stem.clone()).collect(),
        phrases: Vec::new(),
    };
    let mut highlighter = Highlighter::of_marks(&searcher, marks, f.body, None, req.snippet_chars)?;
    let mut analyzer = schema::word_analyzer();
    let mut hits = Vec::with_capacity(top_docs.len());
    for (score, addr) in top_docs.into_iter().take(req.limit) {
        let (hit, paragraphs) = make_hit(
            &searcher,
            store,
            addr,
            score,
            Some(&mut highlighter),
            1,
            req.snippet_chars,
        )?;
        let stems = stems_of(&paragraphs, &mut analyzer);
        let shared = words
            .iter()
            .filter(|w| stems.contains(&w.stem))
            .map(|w| w.shown.clone())
            .collect();
        hits.push(SimilarHit { hit, shared });
    }
    Ok(Some(Similar {
        article: key,
        indexed,
        terms: words.into_iter().map(|w| w.shown).collect(),
        total: total as u64,
        took_ms: started.elapsed().as_secs_f64() * 1000.0,
        hits,
    }))
}

/// An article's paragraphs and, when known, its content hash.
type Source = (Vec<String>, Option<u64>);

/// An indexed article's paragraphs and content hash.
fn stored(searcher: &Searcher, store: &Store, key: &str) -> Result<Option<Source>, SearchError> {
    let Some(addr) = crate::index::store::find_address(searcher, store.fields, key)? else {
        return Ok(None);
    };
    let doc = store.doc(searcher, addr)?;
    let hash = searcher
        .segment_reader(addr.segment_ord)
        .fast_fields()
        .u64(schema::HASH)?
        .first(addr.doc_id);
    Ok(Some((
        crate::index::store::paragraphs(&doc, store.fields),
        hash,
    )))
}

/// The article's heaviest words, at most [`MAX_TERMS`]: `tf · ln(N/df)`, over words found in
/// some other article and in at most half of them, and, in a long article, used twice.
fn significant_words(
    searcher: &Searcher,
    body: tantivy::schema::Field,
    paragraphs: &[String],
    indexed: bool,
) -> tantivy::Result<Vec<Word>> {
    let mut analyzer = schema::word_analyzer();
    // Per indexed form: how often, and how often each spelling.
    let mut counts: HashMap<String, (u32, HashMap<String, u32>)> = HashMap::new();
    let mut total_words = 0usize;
    for p in paragraphs {
        let mut stream = analyzer.token_stream(p);
        while let Some(tok) = stream.next() {
            total_words += 1;
            let entry = counts.entry(tok.text.clone()).or_default();
            entry.0 += 1;
            let spelt = p[tok.offset_from..tok.offset_to].to_lowercase();
            *entry.1.entry(spelt).or_default() += 1;
        }
    }
    let min_tf = if total_words > LONG_ARTICLE_WORDS {
        2
    } else {
        1
    };
    let n = searcher.num_docs() as f32;
    // The article's own document counts in df when it is indexed.
    let own = u64::from(indexed);
    let mut words = Vec::new();
    for (stem, (tf, spellings)) in counts {
        if tf < min_tf || stem.chars().count() < 3 || crate::index::grams::is_common(&stem) {
            continue;
        }
        if stem.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let df = searcher.doc_freq(&Term::from_field_text(body, &stem))?;
        if df <= own || df as f32 > n / 2.0 {
            continue;
        }
        let weight = tf as f32 * (n / df as f32).ln();
        let shown = spellings
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
            .map(|(s, _)| s)
            .unwrap_or_else(|| stem.clone());
        words.push(Word {
            stem,
            shown,
            weight,
        });
    }
    words.sort_by(|a, b| b.weight.total_cmp(&a.weight).then(a.stem.cmp(&b.stem)));
    words.truncate(MAX_TERMS);
    Ok(words)
}

/// The indexed forms of all the words of some paragraphs.
fn stems_of(paragraphs: &[String], analyzer: &mut TextAnalyzer) -> HashSet<String> {
    let mut stems = HashSet::new();
    for p in paragraphs {
        let mut stream = analyzer.token_stream(p);
        while let Some(tok) = stream.next() {
            stems.insert(tok.text.clone());
        }
    }
    stems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(path: PathBuf) -> Request {
        Request {
            path,
            limit: 10,
            range: DateRange::default(),
            scope: plan::Scope::default(),
            snippet_chars: 200,
        }
    }

    /// `run_indexed` answers as `run` for an indexed article, and never reads a file that is
    /// not indexed, where `run` does.
    #[test]
    fn indexed_only_never_reads_a_file() {
        let text = |d: &str, s: &str| format!(" date {d} {s}");
        let (_dir, store) = crate::index::writer::index_files([
            (
                "a.txt".to_string(),
                text(
                    "2001-01-01",
                    "Caravans crossed the desert with salt and spices.",
                ),
            ),
            (
                "b.txt".to_string(),
                text(
                    "2002-02-02",
                    "The caravans carried salt across the desert again.",
                ),
            ),
            (
                "c.txt".to_string(),
                text(
                    "2003-03-03",
                    "A harbour strike stopped the ferries for a week.",
                ),
            ),
            (
                "d.txt".to_string(),
                text(
                    "2004-04-04",
                    "Fishermen mended their nets by the quiet harbour.",
                ),
            ),
        ]);
        let all = crate::search::run(&store, &crate::search::Request::default()).unwrap();
        let key = all
            .hits
            .iter()
            .map(|h| h.path.clone())
            .find(|p| p.ends_with("/a.txt"))
            .expect("a.txt is indexed");
        let by_run = run(&store, &request(PathBuf::from(&key))).unwrap();
        let by_index = run_indexed(&store, &request(PathBuf::from(&key)))
            .unwrap()
            .expect("an indexed article is found");
        assert!(by_index.indexed);
        assert_eq!(by_index.article, key);
        let paths =
            |s: &Similar| -> Vec<String> { s.hits.iter().map(|h| h.hit.path.clone()).collect() };
        assert_eq!(paths(&by_index), paths(&by_run));
        assert_eq!(by_index.terms, by_run.terms);
        assert!(
            paths(&by_index)[0].ends_with("/b.txt"),
            "{:?}",
            paths(&by_index)
        );

        // A file on disk, in the dated format, that is not indexed.
        let outside = tempfile::tempdir().unwrap();
        let file = outside.path().join("draft.txt");
        std::fs::write(&file, text("2005-05-05", "Salt caravans in the desert.")).unwrap();
        let read = run(&store, &request(file.clone())).unwrap();
        assert!(!read.indexed);
        assert!(!read.hits.is_empty());
        assert!(run_indexed(&store, &request(file)).unwrap().is_none());
    }
}
