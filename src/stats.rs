//! What the index holds: article count, date span, articles per decade and per year, the
//! largest folders, size on disk. Groups of articles (folders now; authors and sources once
//! the index holds them) are each a list of [`Group`]s, largest first.

use crate::index::schema;
use crate::index::store::Store;
use crate::search::facets::{self, Facet, FacetCount};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::collections::BTreeMap;

/// The figures `dateline stats` prints.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    /// The index folder.
    pub index: String,
    /// Live articles.
    pub articles: u64,
    /// Earliest article date, `YYYY-MM-DD`.
    pub first_date: Option<String>,
    /// Latest article date.
    pub last_date: Option<String>,
    /// Articles per calendar year, ascending (the years with articles).
    pub per_year: Vec<YearCount>,
    /// Articles per decade, ascending (the decades with articles).
    pub per_decade: Vec<YearCount>,
    /// The folders holding articles directly, the largest first (at most [`LARGEST`]).
    pub folders: Vec<Group>,
    /// How many folders hold articles directly.
    pub folder_count: u64,
    /// Bytes of all files in the index folder.
    pub size_bytes: u64,
    /// Tantivy segments.
    pub segments: usize,
    /// The index's format version.
    pub format_version: u32,
    /// The authors of the most articles (see [`largest_names`]).
    pub authors: Vec<FacetCount>,
    /// The sources of the most articles.
    pub sources: Vec<FacetCount>,
}

/// How many authors and sources `stats` lists.
pub const NAMES_LISTED: usize = 10;

/// The authors and the sources of the most articles, [`NAMES_LISTED`] of each (none for an
/// archive of dated files).
pub fn largest_names(
    searcher: &tantivy::Searcher,
) -> tantivy::Result<(Vec<FacetCount>, Vec<FacetCount>)> {
    let all = tantivy::query::AllQuery;
    Ok((
        facets::count(searcher, &all, Facet::Author, NAMES_LISTED)?,
        facets::count(searcher, &all, Facet::Source, NAMES_LISTED)?,
    ))
}

/// How many groups (folders, …) the summary names.
pub const LARGEST: usize = 10;

/// A group of articles (a folder) and how many it holds.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Group {
    /// Its name (a folder's key; a front end shows it its own way).
    pub name: String,
    /// Articles in it.
    pub articles: u64,
}

/// One row of [`Stats::per_year`] (or of [`Stats::per_decade`]: the decade's first year).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct YearCount {
    /// The calendar year.
    pub year: i32,
    /// Articles dated in it.
    pub articles: u64,
}

/// Gathers the figures, reading dates from the fast field rather than stored documents.
pub fn collect(store: &Store) -> anyhow::Result<Stats> {
    let reader = store.reader()?;
    let searcher = reader.searcher();
    let mut years: BTreeMap<i32, u64> = BTreeMap::new();
    let mut first: Option<NaiveDate> = None;
    let mut last: Option<NaiveDate> = None;
    for seg in searcher.segment_readers() {
        let dates = seg.fast_fields().date(schema::DATE)?;
        for doc in seg.doc_ids_alive() {
            if let Some(dt) = dates.first(doc) {
                let d = schema::from_index_date(dt);
                *years.entry(d.year()).or_default() += 1;
                first = Some(first.map_or(d, |f| f.min(d)));
                last = Some(last.map_or(d, |l| l.max(d)));
            }
        }
    }
    let mut decades: BTreeMap<i32, u64> = BTreeMap::new();
    for (&y, &n) in &years {
        *decades.entry(y - y.rem_euclid(10)).or_default() += n;
    }
    let (folders, folder_count) = folders(&searcher)?;
    let size_bytes = std::fs::read_dir(&store.dir)?
        .filter_map(Result::ok)
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum();
    let fmt = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    let (authors, sources) = largest_names(&searcher)?;
    Ok(Stats {
        index: store.dir.display().to_string(),
        articles: searcher.num_docs(),
        first_date: first.map(fmt),
        last_date: last.map(fmt),
        per_year: years
            .into_iter()
            .map(|(year, articles)| YearCount { year, articles })
            .collect(),
        per_decade: decades
            .into_iter()
            .map(|(year, articles)| YearCount { year, articles })
            .collect(),
        folders,
        folder_count,
        size_bytes,
        segments: searcher.segment_readers().len(),
        format_version: schema::FORMAT_VERSION,
        authors,
        sources,
    })
}

impl Stats {
    /// Every year from the first to the last, those without articles as 0: the full table.
    pub fn every_year(&self) -> Vec<YearCount> {
        let (Some(first), Some(last)) = (self.per_year.first(), self.per_year.last()) else {
            return Vec::new();
        };
        let mut known = self.per_year.iter().peekable();
        (first.year..=last.year)
            .map(|year| {
                let articles = match known.peek() {
                    Some(y) if y.year == year => known.next().map_or(0, |y| y.articles),
                    _ => 0,
                };
                YearCount { year, articles }
            })
            .collect()
    }

    /// Shows group names as the front end does.
    pub fn show_names(&mut self, show: impl Fn(&str) -> String) {
        for g in &mut self.folders {
            g.name = show(&g.name);
        }
    }
}

/// The folders holding live articles directly (the key up to its last `/`, not included), the largest first
/// (then by name), at most [`LARGEST`], and how many there are: from the path column's
/// dictionary, each key's folder taken once, never from stored documents.
fn folders(searcher: &tantivy::Searcher) -> anyhow::Result<(Vec<Group>, u64)> {
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for seg in searcher.segment_readers() {
        let Some(paths) = seg.fast_fields().str(schema::PATH)? else {
            continue;
        };
        let mut per_ord = vec![0u64; paths.num_terms()];
        for doc in seg.doc_ids_alive() {
            for ord in paths.term_ords(doc) {
                per_ord[ord as usize] += 1;
            }
        }
        let mut keys = paths.dictionary().stream()?;
        let mut ord = 0;
        let mut last: Option<(String, u64)> = None;
        while keys.advance() {
            let n = per_ord.get(ord).copied().unwrap_or(0);
            ord += 1;
            if n == 0 {
                continue;
            }
            let key = String::from_utf8_lossy(keys.key());
            let folder = key.rfind('/').map_or("", |i| &key[..i]);
            match &mut last {
                Some((f, total)) if f == folder => *total += n,
                _ => {
                    if let Some((f, total)) = last.take() {
                        *counts.entry(f).or_default() += total;
                    }
                    last = Some((folder.to_string(), n));
                }
            }
        }
        if let Some((f, total)) = last {
            *counts.entry(f).or_default() += total;
        }
    }
    let count = counts.len() as u64;
    let mut groups: Vec<Group> = counts
        .into_iter()
        .map(|(name, articles)| Group { name, articles })
        .collect();
    groups.sort_by(|a, b| {
        b.articles
            .cmp(&a.articles)
            .then_with(|| a.name.cmp(&b.name))
    });
    groups.truncate(LARGEST);
    Ok((groups, count))
}
