//! Dates as the user gives them: partial dates (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`) resolved to the
//! first or last day of their period, inclusive date ranges and their filter query, and the
//! errors a query or its flags can make.

use crate::schema::{self, Fields};
use chrono::{Datelike, NaiveDate};
use std::ops::Bound;
use tantivy::query::{ConstScoreQuery, EmptyQuery, Query, RangeQuery};
use tantivy::schema::Term;

use crate::query::{MAX_NESTING, MAX_QUERY_BYTES};

/// A user mistake in the query or its flags; the message names the argument.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// `--from`/`--to` that is not `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, or not on the calendar.
    #[error("invalid date for {flag}: {value:?} (expected YYYY, YYYY-MM or YYYY-MM-DD)")]
    BadDate {
        /// `--from` or `--to`.
        flag: &'static str,
        /// What the user gave.
        value: String,
    },
    /// `--from` later than `--to`.
    #[error("--from {from} is after --to {to}")]
    EmptyRange {
        /// The resolved lower bound.
        from: NaiveDate,
        /// The resolved upper bound.
        to: NaiveDate,
    },
    /// The query text is too long.
    #[error("the query is {0} bytes long; the limit is {MAX_QUERY_BYTES}")]
    TooLong(usize),
    /// Parentheses nested deeper than [`MAX_NESTING`].
    #[error("the query nests parentheses {0} deep; the limit is {MAX_NESTING}")]
    TooDeep(usize),
    /// A flag's value that cannot be served, with the reason.
    #[error("{0}")]
    Flag(String),
    /// `--in` names a folder under which no article is indexed.
    #[error("--in {0}: no indexed article lies under this folder")]
    EmptyFolder(String),
    /// A `date:` clause of the query whose value is not a date.
    #[error("date:{0}: not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)")]
    BadQueryDate(String),
    /// The query text could not be read even leniently.
    #[error("cannot read the query: {0}")]
    Syntax(String),
}

/// Which end of a range a partial date stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The first day of the period (`2016` → 2016-01-01).
    Start,
    /// The last day of the period (`2016-09` → 2016-09-30).
    Finish,
}

/// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD` into the first or last day of that period.
pub fn parse_partial_date(s: &str, end: End) -> Option<NaiveDate> {
    let s = s.trim();
    let parts: Vec<&str> = s.split('-').collect();
    let num = |p: &str, len: usize| {
        (p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<u32>().ok())
            .flatten()
    };
    match parts.as_slice() {
        [y] => {
            let y = num(y, 4)? as i32;
            match end {
                End::Start => NaiveDate::from_ymd_opt(y, 1, 1),
                End::Finish => NaiveDate::from_ymd_opt(y, 12, 31),
            }
        }
        [y, m] => {
            let (y, m) = (num(y, 4)? as i32, num(m, 2)?);
            let first = NaiveDate::from_ymd_opt(y, m, 1)?;
            match end {
                End::Start => Some(first),
                End::Finish => last_of_month(first),
            }
        }
        [y, m, d] => NaiveDate::from_ymd_opt(num(y, 4)? as i32, num(m, 2)?, num(d, 2)?),
        _ => None,
    }
}

fn last_of_month(first: NaiveDate) -> Option<NaiveDate> {
    let (y, m) = if first.month() == 12 {
        (first.year() + 1, 1)
    } else {
        (first.year(), first.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)?.pred_opt()
}

/// An inclusive date range; either end may be open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DateRange {
    /// First day included.
    pub from: Option<NaiveDate>,
    /// Last day included.
    pub to: Option<NaiveDate>,
}

impl DateRange {
    /// Resolves the `--from` and `--to` flags.
    pub fn parse(from: Option<&str>, to: Option<&str>) -> Result<DateRange, QueryError> {
        let resolve = |v: Option<&str>, flag, end| match v {
            None => Ok(None),
            Some(v) => parse_partial_date(v, end)
                .map(Some)
                .ok_or_else(|| QueryError::BadDate {
                    flag,
                    value: v.to_string(),
                }),
        };
        let range = DateRange {
            from: resolve(from, "--from", End::Start)?,
            to: resolve(to, "--to", End::Finish)?,
        };
        if let (Some(f), Some(t)) = (range.from, range.to)
            && f > t
        {
            return Err(QueryError::EmptyRange { from: f, to: t });
        }
        Ok(range)
    }

    /// The days in both ranges; `None` when they do not meet.
    pub fn intersect(&self, other: &DateRange) -> Option<DateRange> {
        let later = |a: Option<NaiveDate>, b: Option<NaiveDate>| a.max(b);
        let earlier = |a: Option<NaiveDate>, b: Option<NaiveDate>| match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let range = DateRange {
            from: later(self.from, other.from),
            to: earlier(self.to, other.to),
        };
        match (range.from, range.to) {
            (Some(f), Some(t)) if f > t => None,
            _ => Some(range),
        }
    }

    /// Whether the range restricts anything.
    pub fn is_bounded(&self) -> bool {
        self.from.is_some() || self.to.is_some()
    }

    /// A range query over the date field, scoring zero so BM25 scores are unchanged. A range
    /// wholly outside the dates the index can hold matches nothing; one reaching past them is
    /// cut to them.
    pub fn to_query(&self, f: Fields) -> Box<dyn Query> {
        let (lo, hi) = (schema::min_date(), schema::max_date());
        if self.from.is_some_and(|d| d > hi) || self.to.is_some_and(|d| d < lo) {
            return Box::new(EmptyQuery);
        }
        let bound = |d: Option<NaiveDate>| match d {
            Some(d) => Bound::Included(Term::from_field_date(
                f.date,
                schema::to_index_date(d.clamp(lo, hi)).expect("clamped into range"),
            )),
            None => Bound::Unbounded,
        };
        Box::new(ConstScoreQuery::new(
            Box::new(RangeQuery::new(bound(self.from), bound(self.to))),
            0.0,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn partial_dates_expand_to_period_ends() {
        assert_eq!(
            parse_partial_date("2016", End::Start),
            Some(d("2016-01-01"))
        );
        assert_eq!(
            parse_partial_date("2016", End::Finish),
            Some(d("2016-12-31"))
        );
        assert_eq!(
            parse_partial_date("2016-09", End::Start),
            Some(d("2016-09-01"))
        );
        assert_eq!(
            parse_partial_date("2016-09", End::Finish),
            Some(d("2016-09-30"))
        );
        assert_eq!(
            parse_partial_date("2016-02", End::Finish),
            Some(d("2016-02-29"))
        );
        assert_eq!(
            parse_partial_date("2015-02", End::Finish),
            Some(d("2015-02-28"))
        );
        assert_eq!(
            parse_partial_date("2016-12", End::Finish),
            Some(d("2016-12-31"))
        );
        assert_eq!(
            parse_partial_date("2016-09-17", End::Finish),
            Some(d("2016-09-17"))
        );
    }

    #[test]
    fn malformed_or_impossible_dates_are_refused() {
        for bad in [
            "2016-02-30",
            "2016-13",
            "16",
            "2016-9",
            "2016-09-1",
            "17/09/2016",
            "",
            "2016-09-17T00:00:00Z",
            "2016-09-17+02:00",
            "-2016",
            "yesterday",
        ] {
            assert_eq!(parse_partial_date(bad, End::Start), None, "{bad}");
        }
    }

    #[test]
    fn range_errors_name_the_flag() {
        let e = DateRange::parse(Some("2016-13"), None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid date for --from: \"2016-13\" (expected YYYY, YYYY-MM or YYYY-MM-DD)"
        );
        let e = DateRange::parse(None, Some("x")).unwrap_err();
        assert!(e.to_string().contains("--to"));
    }

    #[test]
    fn from_after_to_is_an_error_but_equal_is_fine() {
        let e = DateRange::parse(Some("2017"), Some("2016-12-31")).unwrap_err();
        assert_eq!(e.to_string(), "--from 2017-01-01 is after --to 2016-12-31");
        let r = DateRange::parse(Some("2016-09"), Some("2016-09")).unwrap();
        assert_eq!(r.from, Some(d("2016-09-01")));
        assert_eq!(r.to, Some(d("2016-09-30")));
    }

    #[test]
    fn extreme_bounds_are_accepted() {
        let r = DateRange::parse(Some("0000-01-01"), Some("9999-12-31")).unwrap();
        assert!(r.is_bounded());
    }
}
