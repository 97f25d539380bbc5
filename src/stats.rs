//! What the index holds: article count, date span, articles per year, size on disk.

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
    /// Articles per calendar year, ascending.
    pub per_year: Vec<YearCount>,
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

/// One row of [`Stats::per_year`].
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
        size_bytes,
        segments: searcher.segment_readers().len(),
        format_version: schema::FORMAT_VERSION,
        authors,
        sources,
    })
}
