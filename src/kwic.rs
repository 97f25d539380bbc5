//! Words in context (a concordance, KWIC): every occurrence of a query's words or phrases in
//! the articles it selects, one line each, with the words either side.
//!
//! The occurrences come from the index, as snippets' highlights do (`snippet::Highlighter`):
//! the positions of the query's words (postings) and where each paragraph begins (the `starts`
//! fast field) give each occurrence's paragraph and word positions, a phrase where its words
//! stand together (one occurrence, never across paragraphs), stemming as search applies it.
//! Counting them reads no stored text; only the lines shown (or, to sort by the context, every
//! line) read their paragraphs, where the words at those positions are cut out as written.

use crate::index::schema;
use crate::index::store::Store;
use crate::search::SearchError;
use crate::search::snippet::{Highlighter, Occurrence};
use crate::selection::Selection;
use clap::ValueEnum;
use serde::Serialize;
use std::time::Instant;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DateTime, DocAddress, DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

/// How the lines are ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KwicSort {
    /// By date, oldest first (then article and place in it)
    #[default]
    Date,
    /// By the words to the left, nearest first
    Left,
    /// By the words to the right, nearest first
    Right,
    /// By the second word to the left, then the first, then further out
    Left2,
    /// By the second word to the right, then the first, then further out
    Right2,
}

/// A concordance to make.
#[derive(Debug, Clone)]
pub struct Request {
    /// The query and the articles it reads.
    pub selection: Selection,
    /// Words shown on either side.
    pub width: usize,
    /// Line order.
    pub sort: KwicSort,
    /// Lines to show.
    pub limit: usize,
    /// Lines to skip.
    pub offset: usize,
}

impl Default for Request {
    fn default() -> Self {
        Request {
            selection: Selection::default(),
            width: 8,
            sort: KwicSort::Date,
            limit: 40,
            offset: 0,
        }
    }
}

/// One occurrence in context.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Line {
    /// The article's date, `YYYY-MM-DD`.
    pub date: String,
    /// The article's key (a front end shows it its own way).
    pub path: String,
    /// 1-based paragraph.
    pub paragraph: usize,
    /// The words before, as written.
    pub left: String,
    /// The occurrence, as written (a phrase whole).
    #[serde(rename = "match")]
    pub matched: String,
    /// The words after.
    pub right: String,
}

/// A concordance.
#[derive(Debug, Clone, Serialize)]
pub struct Kwic {
    /// The query as given.
    pub query: String,
    /// Occurrences in all the selected articles.
    pub total: u64,
    /// Articles holding at least one.
    pub articles: u64,
    /// Lines skipped before these.
    pub offset: usize,
    /// The lines of the page, in order.
    pub lines: Vec<Line>,
    /// Time spent until the page's lines were known.
    pub page_ms: f64,
    /// Time spent.
    pub took_ms: f64,
    /// What the lenient reading of the query worked around.
    #[serde(skip)]
    pub warnings: Vec<String>,
}

impl Kwic {
    /// Shows paths as the front end does.
    pub fn show_paths(&mut self, show: impl Fn(&str) -> String) {
        for l in &mut self.lines {
            l.path = show(&l.path);
        }
    }
}

/// Makes the concordance.
pub fn run(store: &Store, req: &Request) -> Result<Kwic, SearchError> {
    run_streaming(store, req, |_| Ok(()))
}

/// Makes the concordance, handing the page's lines to `page` as soon as they are known: in
/// date order, before the occurrences in every other article are counted (a front end prints
/// them while the total is still being counted); sorted by context, once every line is.
/// An error from `page` stops the work and is returned.
pub fn run_streaming(
    store: &Store,
    req: &Request,
    mut page: impl FnMut(&[Line]) -> Result<(), SearchError>,
) -> Result<Kwic, SearchError> {
    let started = Instant::now();
    let reader = store.reader()?;
    let searcher = reader.searcher();
    let plan = req.selection.plan(store, &searcher)?;
    let mut highlighter = Highlighter::new(&searcher, &plan, store.fields.body, 0)?;
    let mut total = 0u64;
    let mut articles = 0u64;
    let end = req.offset.saturating_add(req.limit);
    let mut lines = Vec::new();
    let page_ms;
    match req.sort {
        KwicSort::Date => {
            // The page first. An article that matches holds an occurrence unless it matched
            // by its title alone, so the page lies within the oldest `end` articles but for
            // those. One pass over the matches keeps the oldest `end` (with their dates) and
            // every match's number (for the total, afterwards); should the oldest `end` not
            // fill the page, every match's date is collected and the page taken from them
            // all, oldest first, at least as many at a time as lines are still wanted (twice
            // as many as the last time, should articles without one keep coming).
            let (oldest, matches) = searcher.search(&*plan.full, &Oldest { keep: end })?;
            let matched: usize = matches.iter().map(Vec::len).sum();
            let mut by_date = oldest;
            let mut taken = 0;
            let mut seen = 0usize;
            let mut batch_len = 0usize;
            let mut occurrences = Vec::new();
            while seen < end && taken < by_date.len() {
                batch_len = (end - seen).max(batch_len.saturating_mul(2));
                let upto = taken.saturating_add(batch_len).min(by_date.len());
                if upto < by_date.len() {
                    by_date[taken..].select_nth_unstable(upto - taken);
                }
                let batch = &mut by_date[taken..upto];
                batch.sort_unstable();
                let mut in_index_order: Vec<(DocAddress, usize)> = batch
                    .iter()
                    .enumerate()
                    .map(|(i, &(_, a))| (a, i))
                    .collect();
                in_index_order.sort_unstable();
                let mut counts = vec![0u64; batch.len()];
                for run in in_index_order.chunk_by(|a, b| a.0.segment_ord == b.0.segment_ord) {
                    let ids: Vec<DocId> = run.iter().map(|(a, _)| a.doc_id).collect();
                    let mut at = run.iter().map(|&(_, i)| i);
                    let read = highlighter.count_in_segment(
                        &searcher,
                        run[0].0.segment_ord,
                        &ids,
                        |_, n| counts[at.next().expect("one count per document")] = n,
                    )?;
                    if !read {
                        return Err(no_starts());
                    }
                }
                for (&(_, addr), n) in batch.iter().zip(counts) {
                    let before = seen;
                    seen += n as usize;
                    let from = req.offset.max(before);
                    let to = end.min(seen);
                    if from < to {
                        highlighter.occurrences(&searcher, addr, &mut occurrences)?;
                        let article = Article::read(&searcher, store, addr)?;
                        lines.extend(
                            occurrences[from - before..to - before]
                                .iter()
                                .map(|o| article.line(o, req.width).0),
                        );
                    }
                }
                taken = upto;
                if seen < end && taken == by_date.len() && taken < matched {
                    // The oldest `end` held too few occurrences: every match, by date.
                    by_date = searcher.search(&*plan.full, &Dated)?;
                    let (done, _, _) = by_date.select_nth_unstable(taken - 1);
                    done.sort_unstable();
                }
            }
            page_ms = started.elapsed().as_secs_f64() * 1000.0;
            page(&lines)?;
            // Then the total, over every article.
            for (ord, ids) in matches.iter().enumerate() {
                if ids.is_empty() {
                    continue;
                }
                let read = highlighter.count_in_segment(&searcher, ord as u32, ids, |_, n| {
                    if n > 0 {
                        articles += 1;
                        total += n;
                    }
                })?;
                if !read {
                    return Err(no_starts());
                }
            }
        }
        sort => {
            // Every line, to sort by its context: every matching article is read, in index
            // order (each segment's words' postings read once, forward).
            let mut docs = searcher.search(&*plan.full, &Dated)?;
            docs.sort_unstable_by_key(|&(_, addr)| addr);
            let mut all: Vec<Sortable> = Vec::new();
            for run in docs.chunk_by(|a, b| a.1.segment_ord == b.1.segment_ord) {
                let ord = run[0].1.segment_ord;
                let ids: Vec<DocId> = run.iter().map(|(_, a)| a.doc_id).collect();
                let mut at = 0;
                let read =
                    highlighter.occurrences_in_segment(&searcher, ord, &ids, |doc, found| {
                        let secs = run[at].0;
                        at += 1;
                        if found.is_empty() {
                            return Ok::<(), SearchError>(());
                        }
                        articles += 1;
                        total += found.len() as u64;
                        let addr = DocAddress::new(ord, doc);
                        let article = Article::read(&searcher, store, addr)?;
                        for (i, o) in found.iter().enumerate() {
                            let (line, (left, right)) = article.line(o, req.width);
                            all.push((sort_key(sort, left, right), (secs, addr, i), line));
                        }
                        Ok(())
                    })?;
                if !read {
                    return Err(no_starts());
                }
            }
            all.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
            lines = all
                .into_iter()
                .skip(req.offset)
                .take(req.limit)
                .map(|(_, _, l)| l)
                .collect();
            page_ms = started.elapsed().as_secs_f64() * 1000.0;
            page(&lines)?;
        }
    }
    Ok(Kwic {
        query: req.selection.query.clone(),
        total,
        articles,
        offset: req.offset,
        lines,
        page_ms,
        took_ms: started.elapsed().as_secs_f64() * 1000.0,
        warnings: plan.warnings,
    })
}

/// A line with its sort key and its place (date, article, occurrence) for ties.
type Sortable = (Vec<String>, (i64, DocAddress, usize), Line);

/// The error of an index whose segments have no paragraph starts.
fn no_starts() -> SearchError {
    SearchError::Index(anyhow::anyhow!(
        "this index has no paragraph starts (format 3 or older): rebuild it"
    ))
}

/// The sort key of a line: the context words, lower-cased, in the order the sort reads them.
fn sort_key(sort: KwicSort, left: Vec<String>, right: Vec<String>) -> Vec<String> {
    let mut near: Vec<String> = match sort {
        KwicSort::Left | KwicSort::Left2 => left.into_iter().rev().collect(),
        KwicSort::Right | KwicSort::Right2 | KwicSort::Date => right,
    };
    if matches!(sort, KwicSort::Left2 | KwicSort::Right2) && near.len() >= 2 {
        near.swap(0, 1);
    }
    near
}

/// An article read for its lines.
struct Article {
    date: String,
    path: String,
    paragraphs: Vec<String>,
}

impl Article {
    fn read(searcher: &Searcher, store: &Store, addr: DocAddress) -> tantivy::Result<Article> {
        let doc = store.doc(searcher, addr)?;
        let s = schema::Stored::from_doc(&doc, store.fields);
        Ok(Article {
            date: s.date,
            path: s.path,
            paragraphs: s.paragraphs,
        })
    }

    /// The line of an occurrence, `width` words either side, and the context words
    /// (lower-cased, left then right) for sorting.
    fn line(&self, o: &Occurrence, width: usize) -> (Line, (Vec<String>, Vec<String>)) {
        let text = self.paragraphs.get(o.paragraph).map_or("", String::as_str);
        let spans: Vec<(usize, usize)> = schema::word_spans(text).collect();
        let (first, last) = (o.first as usize, o.last as usize);
        let (line, words) = match (spans.get(first), spans.get(last)) {
            (Some(&(from, _)), Some(&(_, to))) => {
                let l = first.saturating_sub(width);
                let r = (last + width).min(spans.len() - 1);
                let left_from = if first > 0 { spans[l].0 } else { from };
                let words = |range: &[(usize, usize)]| {
                    range
                        .iter()
                        .map(|&(a, b)| text[a..b].to_lowercase())
                        .collect::<Vec<_>>()
                };
                (
                    (
                        one_line(&text[left_from..from]),
                        one_line(&text[from..to]),
                        one_line(&text[to..spans[r].1.max(to)]),
                    ),
                    (
                        words(&spans[l..first]),
                        words(&spans[last + 1..=r.max(last)]),
                    ),
                )
            }
            // The stored text has fewer words than the positions say: nothing to cut out.
            _ => (
                (String::new(), String::new(), String::new()),
                (Vec::new(), Vec::new()),
            ),
        };
        (
            Line {
                date: self.date.clone(),
                path: self.path.clone(),
                paragraph: o.paragraph + 1,
                left: line.0,
                matched: line.1,
                right: line.2,
            },
            words,
        )
    }
}

/// `text` trimmed, each run of white space one space.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Keeps the oldest `keep` matches (date in seconds, address; oldest first) and the number of
/// every match, by segment (ascending): a concordance's page in date order and its total from
/// one pass, without putting every match in order.
struct Oldest {
    keep: usize,
}

struct SegmentOldest {
    ord: SegmentOrdinal,
    keep: usize,
    dates: Column<DateTime>,
    /// The oldest so far, the newest of them on top.
    oldest: std::collections::BinaryHeap<(i64, DocId)>,
    docs: Vec<DocId>,
}

impl Collector for Oldest {
    type Fruit = (Vec<(i64, DocAddress)>, Vec<Vec<DocId>>);
    type Child = SegmentOldest;

    fn for_segment(
        &self,
        ord: SegmentOrdinal,
        seg: &SegmentReader,
    ) -> tantivy::Result<SegmentOldest> {
        Ok(SegmentOldest {
            ord,
            keep: self.keep,
            dates: seg.fast_fields().date(schema::DATE)?,
            oldest: std::collections::BinaryHeap::new(),
            docs: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        fruits: Vec<(SegmentOrdinal, Vec<(i64, DocId)>, Vec<DocId>)>,
    ) -> tantivy::Result<Self::Fruit> {
        let segments = fruits.iter().map(|f| f.0 as usize + 1).max().unwrap_or(0);
        let mut matches = vec![Vec::new(); segments];
        let mut oldest = Vec::new();
        for (ord, kept, docs) in fruits {
            oldest.extend(
                kept.into_iter()
                    .map(|(secs, doc)| (secs, DocAddress::new(ord, doc))),
            );
            matches[ord as usize] = docs;
        }
        oldest.sort_unstable();
        oldest.truncate(self.keep);
        Ok((oldest, matches))
    }
}

impl SegmentCollector for SegmentOldest {
    type Fruit = (SegmentOrdinal, Vec<(i64, DocId)>, Vec<DocId>);

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.docs.push(doc);
        if self.keep == 0 {
            return;
        }
        let secs = self
            .dates
            .first(doc)
            .map_or(i64::MIN, |d| d.into_timestamp_secs());
        if self.oldest.len() < self.keep {
            self.oldest.push((secs, doc));
        } else if self.oldest.peek().is_some_and(|&top| (secs, doc) < top) {
            self.oldest.pop();
            self.oldest.push((secs, doc));
        }
    }

    fn harvest(self) -> Self::Fruit {
        (self.ord, self.oldest.into_vec(), self.docs)
    }
}

/// Collects each match's date (seconds) and address.
struct Dated;

struct SegmentDated {
    ord: SegmentOrdinal,
    dates: Column<DateTime>,
    found: Vec<(i64, DocAddress)>,
}

impl Collector for Dated {
    type Fruit = Vec<(i64, DocAddress)>;
    type Child = SegmentDated;

    fn for_segment(
        &self,
        ord: SegmentOrdinal,
        seg: &SegmentReader,
    ) -> tantivy::Result<SegmentDated> {
        Ok(SegmentDated {
            ord,
            dates: seg.fast_fields().date(schema::DATE)?,
            found: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<(i64, DocAddress)>>) -> tantivy::Result<Self::Fruit> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for SegmentDated {
    type Fruit = Vec<(i64, DocAddress)>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let secs = self
            .dates
            .first(doc)
            .map_or(i64::MIN, |d| d.into_timestamp_secs());
        self.found.push((secs, DocAddress::new(self.ord, doc)));
    }

    fn harvest(self) -> Self::Fruit {
        self.found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split(' ').map(String::from).collect()
    }

    #[test]
    fn sort_keys_read_the_context_from_the_match_outwards() {
        let (l, r) = (words("a b c"), words("x y z"));
        assert_eq!(
            sort_key(KwicSort::Left, l.clone(), r.clone()),
            words("c b a")
        );
        assert_eq!(
            sort_key(KwicSort::Left2, l.clone(), r.clone()),
            words("b c a")
        );
        assert_eq!(
            sort_key(KwicSort::Right, l.clone(), r.clone()),
            words("x y z")
        );
        assert_eq!(sort_key(KwicSort::Right2, l, r), words("y x z"));
    }

    #[test]
    fn a_line_cuts_the_words_either_side_as_written() {
        let a = Article {
            date: "2016-09-17".into(),
            path: "/a.txt".into(),
            paragraphs: vec![
                "First.".into(),
                "The aid convoys, at last, reached Aleppo's  gates today.".into(),
            ],
        };
        let o = Occurrence {
            paragraph: 1,
            first: 1,
            last: 2,
        };
        let (line, (left, right)) = a.line(&o, 2);
        assert_eq!(line.left, "The");
        assert_eq!(line.matched, "aid convoys");
        assert_eq!(line.right, ", at last");
        assert_eq!(line.paragraph, 2);
        assert_eq!(left, words("the"));
        assert_eq!(right, words("at last"));
        let end = Occurrence {
            paragraph: 1,
            first: 9,
            last: 9,
        };
        let (line, _) = a.line(&end, 3);
        assert_eq!(line.left, "Aleppo's gates");
        assert_eq!(line.matched, "today");
        assert_eq!(line.right, "");
    }
}
