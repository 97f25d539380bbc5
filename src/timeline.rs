//! How many articles match a query per calendar bucket (decade, year, month or day): counted by
//! a collector over the date fast field, never from stored documents, so a bucket's count is
//! the `total` that `dateline search` gives for the same query between the bucket's first and
//! last day. Beside each count, the articles of the bucket under the same filters (the total
//! of the empty query) and the share of them that match, as Media Cloud and the Ngram Viewer
//! chart a subject: a decade with twice the articles does not look twice as interested.

use crate::index::schema;
use crate::index::store::Store;
use crate::search::facets::{self, Facet};
use crate::search::plan::{self, DateRange, QueryError};
use crate::search::{SearchError, check_folder};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::time::Instant;
use tantivy::Term;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DateTime, DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

pub use crate::search::dates::By;

/// A chart asks for at most about this many rows when `--by` is not given.
pub const DEFAULT_ROWS: usize = 40;

/// More buckets than this are refused: no chart or reader needs them.
pub const MAX_BUCKETS: usize = 100_000;

/// A timeline to count.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// The queries, each in the query language of `plan::parse`.
    pub queries: Vec<String>,
    /// The bucket size; `None` picks one (see [`default_by`]).
    pub by: Option<By>,
    /// The range; an open end is the first or last date of the articles counted.
    pub range: DateRange,
    /// Only articles under a folder, by some authors, from some sources.
    pub scope: plan::Scope,
    /// One series per value of this facet (the largest, as many as the second says), for the
    /// one query, instead of a series per query.
    pub split: Option<(Facet, usize)>,
    /// Average each bucket with this many on either side (0: none), as the Ngram Viewer
    /// smooths: the shares when `share`, else the counts.
    pub smooth: usize,
    /// Whether shares, not counts, are what is charted (and smoothed).
    pub share: bool,
}

/// How many series `--split` draws unless told: as many as the chart has colours.
pub const SPLIT_LIMIT: usize = 6;

/// One bucket's counts.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Bucket {
    /// `1850s`, `1850`, `1850-03` or `1850-03-07`.
    pub label: String,
    /// The bucket's first day within the range, `YYYY-MM-DD`.
    pub start: String,
    /// The bucket's last day within the range.
    pub end: String,
    /// Articles matching each query, in the order of the queries.
    pub counts: Vec<u64>,
    /// Articles in the bucket under the same filters (the empty query's count).
    pub articles: u64,
    /// Each query's count over `articles` (0 when the bucket has none).
    pub shares: Vec<f64>,
    /// With smoothing: each query's charted value (share or count) averaged with the
    /// `smooth` buckets on either side (fewer at the ends).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub smoothed: Vec<f64>,
}

/// The answer to a [`Request`].
#[derive(Debug, Clone, Serialize)]
pub struct Timeline {
    /// The bucket size.
    pub by: By,
    /// The queries as given; split (`--split`), the values, one series each.
    pub queries: Vec<String>,
    /// The facet the one query was split by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub split: Option<Facet>,
    /// The first day counted (absent when there is nothing to count).
    pub from: Option<String>,
    /// The last day counted.
    pub to: Option<String>,
    /// Every bucket of the range, in date order, empty ones included.
    pub buckets: Vec<Bucket>,
    /// Articles matching each query over the whole range.
    pub totals: Vec<u64>,
    /// Articles over the whole range under the same filters.
    pub articles: u64,
    /// Whether shares are charted (and smoothed) rather than counts.
    pub share: bool,
    /// Buckets averaged on either side (0: no smoothing).
    pub smooth: usize,
    /// Time spent.
    pub took_ms: f64,
    /// What the lenient reading of a query worked around.
    #[serde(skip)]
    pub warnings: Vec<String>,
}

/// Counts the matches of each query per bucket.
pub fn run(store: &Store, req: &Request) -> Result<Timeline, SearchError> {
    let started = Instant::now();
    if req.split.is_some() && req.queries.len() != 1 {
        return Err(QueryError::Syntax(format!(
            "a timeline is split by author or source for one query, not {}",
            req.queries.len()
        ))
        .into());
    }
    let reader = store.reader()?;
    let searcher = reader.searcher();
    let scope = &req.scope;
    if let Some(prefix) = &scope.folder {
        check_folder(&searcher, prefix)?;
    }
    let (lo, hi) = (schema::min_date(), schema::max_date());
    let span = match (req.range.from, req.range.to) {
        (Some(from), Some(to)) => Some((from, to)),
        (from, to) => span(&searcher, store, scope)?
            .map(|(first, last)| (from.unwrap_or(first), to.unwrap_or(last))),
    };
    // The dates an index can hold bound the buckets; a range wholly outside them is empty.
    let span = span
        .map(|(from, to)| (from.max(lo), to.min(hi)))
        .filter(|(from, to)| from <= to);
    let by = req.by.unwrap_or_else(|| match span {
        Some((from, to)) => default_by(from, to),
        None => By::Year,
    });
    let Some((from, to)) = span else {
        return Ok(Timeline {
            by,
            queries: req.queries.clone(),
            split: req.split.map(|(f, _)| f),
            from: None,
            to: None,
            buckets: Vec::new(),
            totals: vec![0; req.queries.len()],
            articles: 0,
            share: req.share,
            smooth: req.smooth,
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
            warnings: Vec::new(),
        });
    };
    let bounds = buckets(by, from, to)?;
    let range = DateRange {
        from: Some(from),
        to: Some(to),
    };
    let first_day = day_number(from);
    let mut buckets: Vec<Bucket> = bounds
        .iter()
        .map(|(label, start, end)| Bucket {
            label: label.clone(),
            start: ymd(*start),
            end: ymd(*end),
            counts: Vec::with_capacity(req.queries.len()),
            articles: 0,
            shares: Vec::with_capacity(req.queries.len()),
            smoothed: Vec::new(),
        })
        .collect();
    // The bucket's sums of a count per day.
    let per_bucket = |per_day: &[u32]| -> Vec<u64> {
        bounds
            .iter()
            .map(|(_, start, end)| {
                let a = (day_number(*start) - first_day) as usize;
                let b = (day_number(*end) - first_day) as usize;
                per_day[a..=b].iter().map(|&c| u64::from(c)).sum()
            })
            .collect()
    };
    // Every article under the filters: what `search ""` counts.
    let all = plan::parse_within(store, "", &range, scope)?;
    let articles = per_bucket(&count_per_day(
        &searcher,
        &*all.full,
        first_day,
        day_number(to),
    )?);
    for (bucket, &n) in buckets.iter_mut().zip(&articles) {
        bucket.articles = n;
    }
    let mut totals = Vec::with_capacity(req.queries.len());
    let mut warnings = Vec::new();
    // Each series: its label and the query it counts.
    let mut series: Vec<(String, Box<dyn Query>)> = Vec::new();
    for text in &req.queries {
        let parsed = plan::parse_within(store, text, &range, scope)?;
        warnings.extend(parsed.warnings.iter().map(|w| format!("{text}: {w}")));
        match req.split {
            None => series.push((text.clone(), parsed.full)),
            Some((facet, limit)) => {
                let field = match facet {
                    Facet::Author => store.fields.author,
                    Facet::Source => store.fields.source,
                };
                for value in facets::count(&searcher, &*parsed.full, facet, limit)? {
                    let name = Term::from_field_text(field, &value.value.to_lowercase());
                    let query = BooleanQuery::new(vec![
                        (Occur::Must, parsed.full.box_clone()),
                        (
                            Occur::Must,
                            Box::new(TermQuery::new(name, IndexRecordOption::Basic)),
                        ),
                    ]);
                    series.push((value.value, Box::new(query)));
                }
            }
        }
    }
    for (_, query) in &series {
        let per_day = count_per_day(&searcher, &**query, first_day, day_number(to))?;
        let counts = per_bucket(&per_day);
        for (bucket, &n) in buckets.iter_mut().zip(&counts) {
            bucket.counts.push(n);
            bucket.shares.push(share(n, bucket.articles));
        }
        totals.push(counts.iter().sum());
    }
    if req.smooth > 0 {
        for q in 0..series.len() {
            let values: Vec<f64> = buckets
                .iter()
                .map(|b| {
                    if req.share {
                        b.shares[q]
                    } else {
                        b.counts[q] as f64
                    }
                })
                .collect();
            for (bucket, v) in buckets.iter_mut().zip(smooth(&values, req.smooth)) {
                bucket.smoothed.push(v);
            }
        }
    }
    Ok(Timeline {
        by,
        queries: series.into_iter().map(|(label, _)| label).collect(),
        split: req.split.map(|(f, _)| f),
        from: Some(ymd(from)),
        to: Some(ymd(to)),
        buckets,
        totals,
        articles: articles.iter().sum(),
        share: req.share,
        smooth: req.smooth,
        took_ms: started.elapsed().as_secs_f64() * 1000.0,
        warnings,
    })
}

/// `n` of `articles` as a fraction; 0 when there are no articles.
pub fn share(n: u64, articles: u64) -> f64 {
    if articles == 0 {
        0.0
    } else {
        n as f64 / articles as f64
    }
}

/// Each value averaged with the `n` on either side, as the Ngram Viewer smooths (the window
/// cut short at the ends: the first value's average is over it and the `n` after it).
pub fn smooth(values: &[f64], n: usize) -> Vec<f64> {
    (0..values.len())
        .map(|i| {
            let window = &values[i.saturating_sub(n)..(i + n + 1).min(values.len())];
            window.iter().sum::<f64>() / window.len() as f64
        })
        .collect()
}

/// The first and last dates of the articles counted: from the date column's bounds, or, for a
/// scope, from its articles' dates. `None` when there are none.
fn span(
    searcher: &Searcher,
    store: &Store,
    scope: &plan::Scope,
) -> Result<Option<(NaiveDate, NaiveDate)>, SearchError> {
    let mut first: Option<i64> = None;
    let mut last: Option<i64> = None;
    let mut widen = |secs: i64| {
        first = Some(first.map_or(secs, |f| f.min(secs)));
        last = Some(last.map_or(secs, |l| l.max(secs)));
    };
    match plan::filter(store.fields, &DateRange::default(), scope) {
        None => {
            for seg in searcher.segment_readers() {
                if seg.num_docs() == 0 {
                    continue;
                }
                let dates = seg.fast_fields().date(schema::DATE)?;
                widen(dates.min_value().into_timestamp_secs());
                widen(dates.max_value().into_timestamp_secs());
            }
        }
        Some(filter) => {
            let (min, max) = searcher.search(&*filter, &DateBounds)?;
            if let (Some(min), Some(max)) = (min, max) {
                widen(min);
                widen(max);
            }
        }
    }
    Ok(first.zip(last).map(|(f, l)| {
        (
            schema::from_index_date(DateTime::from_timestamp_secs(f)),
            schema::from_index_date(DateTime::from_timestamp_secs(l)),
        )
    }))
}

/// The bucket size that gives at most [`DEFAULT_ROWS`] rows: the smallest of day, month, year
/// and decade that does, or decade.
pub fn default_by(from: NaiveDate, to: NaiveDate) -> By {
    [By::Day, By::Month, By::Year]
        .into_iter()
        .find(|&by| bucket_count(by, from, to) <= DEFAULT_ROWS)
        .unwrap_or(By::Decade)
}

/// How many buckets of a size the range spans.
fn bucket_count(by: By, from: NaiveDate, to: NaiveDate) -> usize {
    let months = |d: NaiveDate| i64::from(d.year()) * 12 + i64::from(d.month0());
    let n = match by {
        By::Day => day_number(to) - day_number(from),
        By::Month => months(to) - months(from),
        By::Year => i64::from(to.year() - from.year()),
        By::Decade => i64::from(to.year().div_euclid(10) - from.year().div_euclid(10)),
    };
    (n + 1).max(0) as usize
}

/// The buckets from `from` to `to`: label, first and last day, each clipped to the range.
pub fn buckets(
    by: By,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(String, NaiveDate, NaiveDate)>, QueryError> {
    let n = bucket_count(by, from, to);
    if n > MAX_BUCKETS {
        return Err(QueryError::TooManyBuckets {
            by,
            from,
            to,
            rows: n,
            limit: MAX_BUCKETS,
        });
    }
    let mut out = Vec::with_capacity(n);
    let mut start = bucket_start(by, from);
    while start <= to {
        let next = next_start(by, start);
        let end = next.pred_opt().unwrap_or(start).min(to);
        let label = match by {
            By::Decade => format!("{}s", start.year()),
            By::Year => format!("{}", start.year()),
            By::Month => start.format("%Y-%m").to_string(),
            By::Day => ymd(start),
        };
        out.push((label, start.max(from), end));
        start = next;
    }
    Ok(out)
}

/// The first day of the bucket holding `d`.
fn bucket_start(by: By, d: NaiveDate) -> NaiveDate {
    let ymd = |y, m| NaiveDate::from_ymd_opt(y, m, 1).expect("the first of a month exists");
    match by {
        By::Decade => ymd(d.year() - d.year().rem_euclid(10), 1),
        By::Year => ymd(d.year(), 1),
        By::Month => ymd(d.year(), d.month()),
        By::Day => d,
    }
}

/// The first day of the bucket after the one starting on `start`.
fn next_start(by: By, start: NaiveDate) -> NaiveDate {
    let ymd = |y, m| NaiveDate::from_ymd_opt(y, m, 1).expect("the first of a month exists");
    match by {
        By::Decade => ymd(start.year() + 10, 1),
        By::Year => ymd(start.year() + 1, 1),
        By::Month if start.month() == 12 => ymd(start.year() + 1, 1),
        By::Month => ymd(start.year(), start.month() + 1),
        By::Day => start.succ_opt().unwrap_or(start),
    }
}

fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Days since 1970-01-01 (negative before).
fn day_number(d: NaiveDate) -> i64 {
    schema::to_index_date(d)
        .map(|dt| dt.into_timestamp_secs().div_euclid(86_400))
        .unwrap_or_default()
}

/// The matches of `query` per day from `first` to `last` (day numbers), by [`DayCounts`].
fn count_per_day(
    searcher: &Searcher,
    query: &dyn Query,
    first: i64,
    last: i64,
) -> tantivy::Result<Vec<u32>> {
    searcher.search(
        query,
        &DayCounts {
            first,
            days: (last - first + 1).max(0) as usize,
        },
    )
}

/// A collector of matches per day: a counter per day of the range, indexed by the date fast
/// field's value. Days outside the range are not counted (the query's date filter keeps them
/// out anyway).
struct DayCounts {
    first: i64,
    days: usize,
}

struct SegmentDayCounts {
    dates: Column<DateTime>,
    first_secs: i64,
    counts: Vec<u32>,
}

impl Collector for DayCounts {
    type Fruit = Vec<u32>;
    type Child = SegmentDayCounts;

    fn for_segment(
        &self,
        _ord: SegmentOrdinal,
        seg: &SegmentReader,
    ) -> tantivy::Result<SegmentDayCounts> {
        Ok(SegmentDayCounts {
            dates: seg.fast_fields().date(schema::DATE)?,
            first_secs: self.first * 86_400,
            counts: vec![0; self.days],
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<u32>>) -> tantivy::Result<Vec<u32>> {
        let mut sum = vec![0u32; self.days];
        for fruit in fruits {
            for (s, n) in sum.iter_mut().zip(fruit) {
                *s += n;
            }
        }
        Ok(sum)
    }
}

impl SegmentCollector for SegmentDayCounts {
    type Fruit = Vec<u32>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        if let Some(date) = self.dates.first(doc) {
            let day = (date.into_timestamp_secs() - self.first_secs).div_euclid(86_400);
            if let Some(c) = usize::try_from(day)
                .ok()
                .and_then(|d| self.counts.get_mut(d))
            {
                *c += 1;
            }
        }
    }

    fn harvest(self) -> Vec<u32> {
        self.counts
    }
}

/// A collector of the earliest and latest date (seconds) among the matches.
struct DateBounds;

struct SegmentDateBounds {
    dates: Column<DateTime>,
    min: Option<i64>,
    max: Option<i64>,
}

type Bounds = (Option<i64>, Option<i64>);

impl Collector for DateBounds {
    type Fruit = Bounds;
    type Child = SegmentDateBounds;

    fn for_segment(
        &self,
        _ord: SegmentOrdinal,
        seg: &SegmentReader,
    ) -> tantivy::Result<SegmentDateBounds> {
        Ok(SegmentDateBounds {
            dates: seg.fast_fields().date(schema::DATE)?,
            min: None,
            max: None,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Bounds>) -> tantivy::Result<Bounds> {
        let min = fruits.iter().filter_map(|f| f.0).min();
        let max = fruits.iter().filter_map(|f| f.1).max();
        Ok((min, max))
    }
}

impl SegmentCollector for SegmentDateBounds {
    type Fruit = Bounds;

    fn collect(&mut self, doc: DocId, _score: Score) {
        if let Some(date) = self.dates.first(doc) {
            let s = date.into_timestamp_secs();
            self.min = Some(self.min.map_or(s, |m| m.min(s)));
            self.max = Some(self.max.map_or(s, |m| m.max(s)));
        }
    }

    fn harvest(self) -> Bounds {
        (self.min, self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn buckets_cover_the_range_clipped_at_both_ends() {
        let b = buckets(By::Decade, d("1787-10-27"), d("1802-03-04")).unwrap();
        let got: Vec<(&str, String, String)> = b
            .iter()
            .map(|(l, s, e)| (l.as_str(), ymd(*s), ymd(*e)))
            .collect();
        assert_eq!(
            got,
            vec![
                ("1780s", "1787-10-27".into(), "1789-12-31".into()),
                ("1790s", "1790-01-01".into(), "1799-12-31".into()),
                ("1800s", "1800-01-01".into(), "1802-03-04".into()),
            ]
        );
        let months = buckets(By::Month, d("2019-12-15"), d("2020-03-01")).unwrap();
        let labels: Vec<&str> = months.iter().map(|(l, _, _)| l.as_str()).collect();
        assert_eq!(labels, ["2019-12", "2020-01", "2020-02", "2020-03"]);
        assert_eq!(ymd(months[2].2), "2020-02-29");
        let days = buckets(By::Day, d("2016-02-28"), d("2016-03-01")).unwrap();
        assert_eq!(days.len(), 3);
        // Dates before 1970 (negative timestamps) fall in their calendar decade.
        assert_eq!(bucket_start(By::Decade, d("1969-12-31")), d("1960-01-01"));
    }

    #[test]
    fn smoothing_averages_over_the_window_cut_short_at_the_ends() {
        assert_eq!(smooth(&[1.0, 2.0, 6.0, 3.0], 0), [1.0, 2.0, 6.0, 3.0]);
        assert_eq!(
            smooth(&[1.0, 2.0, 6.0, 3.0], 1),
            [1.5, 3.0, 11.0 / 3.0, 4.5]
        );
        assert_eq!(smooth(&[3.0, 0.0, 0.0], 5), [1.0, 1.0, 1.0]);
        assert!(smooth(&[], 2).is_empty());
        assert_eq!(share(3, 12), 0.25);
        assert_eq!(share(0, 0), 0.0);
    }

    #[test]
    fn default_size_gives_at_most_forty_rows() {
        assert_eq!(default_by(d("1787-10-27"), d("2026-02-24")), By::Decade);
        assert_eq!(default_by(d("1850-01-01"), d("1870-12-31")), By::Year);
        assert_eq!(default_by(d("1850-01-01"), d("1889-12-31")), By::Year);
        assert_eq!(default_by(d("1850-01-01"), d("1890-01-01")), By::Decade);
        assert_eq!(default_by(d("2016-01-01"), d("2016-12-31")), By::Month);
        assert_eq!(default_by(d("2016-09-01"), d("2016-09-30")), By::Day);
    }

    #[test]
    fn one_spelling_for_the_command_line_the_api_and_json() {
        use clap::ValueEnum;
        for by in By::value_variants() {
            let json = serde_json::to_value(by).unwrap();
            assert_eq!(json.as_str(), Some(by.name().as_str()));
            assert_eq!(By::from_str(&by.name(), false), Ok(*by));
            assert_eq!(serde_json::from_value::<By>(json).unwrap(), *by);
        }
    }

    #[test]
    fn too_many_rows_are_refused_stating_the_bucket_size() {
        let e = buckets(By::Day, d("1700-01-01"), d("2200-01-01")).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("buckets of a day from 1700-01-01"),
            "{e}"
        );
        assert!(!e.to_string().contains("--"), "{e}");
    }
}
