//! Dates as the user gives them: partial dates (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`) resolved to the
//! first or last day of their period, inclusive date ranges and their filter query, and the
//! errors a query or its flags can make.

use crate::index::schema::{self, Fields};
use chrono::{Datelike, NaiveDate};
use std::ops::Bound;
use tantivy::query::{ConstScoreQuery, EmptyQuery, Query, RangeQuery};
use tantivy::schema::Term;

use serde::Serialize;

/// A user mistake in the query or its arguments. Its `Display` states the fact without naming
/// any argument; a front end names its own (`--from` on the command line, `from=` in the HTTP
/// API) with [`QueryError::describe`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// A range bound that is not `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, or not on the calendar.
    #[error("{problem} {} date {value:?}{}", end.word(), problem.explain())]
    BadDate {
        /// Which bound: [`End::Start`] is the first day, [`End::Finish`] the last.
        end: End,
        /// What the user gave.
        value: String,
        /// What is wrong with it.
        problem: DateProblem,
    },
    /// The first day of the range is after its last day.
    #[error("the start date {from} is after the end date {to}")]
    EmptyRange {
        /// The resolved lower bound.
        from: NaiveDate,
        /// The resolved upper bound.
        to: NaiveDate,
    },
    /// The query text is too long.
    #[error("the query is {len} bytes long; the limit is {limit}")]
    TooLong {
        /// The query's length in bytes.
        len: usize,
        /// The longest query read.
        limit: usize,
    },
    /// Parentheses nested deeper than the plan reads.
    #[error("the query nests parentheses {depth} deep; the limit is {limit}")]
    TooDeep {
        /// How deep the query nests.
        depth: usize,
        /// The deepest nesting read.
        limit: usize,
    },
    /// A timeline whose buckets over its range would make more rows than it may draw.
    #[error(
        "buckets of a {} from {from} to {to} make {rows} rows; the limit is {limit}",
        by.name()
    )]
    TooManyBuckets {
        /// The bucket size.
        by: By,
        /// The range's first day.
        from: NaiveDate,
        /// The range's last day.
        to: NaiveDate,
        /// How many rows that makes.
        rows: usize,
        /// The most rows allowed.
        limit: usize,
    },
    /// A folder under which no article is indexed.
    #[error("no indexed article lies under the folder {0}")]
    EmptyFolder(String),
    /// A `date:` clause of the query whose value is not a date, or not on the calendar.
    #[error("date:{value}: {}", match problem {
        DateProblem::Malformed => "not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)",
        DateProblem::Impossible => "impossible date (not on the calendar)",
    })]
    BadQueryDate {
        /// What the query gave.
        value: String,
        /// What is wrong with it.
        problem: DateProblem,
    },
    /// The query text could not be read even leniently.
    #[error("cannot read the query: {0}")]
    Syntax(String),
}

/// The size of a bucket: a timeline's calendar periods (`--by` on the command line, `by=` in the
/// HTTP API, `"by"` in JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum By {
    /// Ten calendar years from a year divisible by ten (`1850s`).
    #[value(help = "Ten calendar years (1850-1859)")]
    Decade,
    /// A calendar year.
    #[value(help = "A calendar year")]
    Year,
    /// A calendar month.
    #[value(help = "A calendar month")]
    Month,
    /// A day.
    #[value(help = "A day")]
    Day,
}

impl By {
    /// The bucket size as a word (`decade`, `year`, `month`, `day`): its one spelling, shared
    /// by the command line, the HTTP API and JSON.
    pub fn name(self) -> String {
        use clap::ValueEnum;
        self.to_possible_value()
            .map(|v| v.get_name().to_string())
            .unwrap_or_default()
    }
}

/// What is wrong with a date a user gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateProblem {
    /// Not in the form `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    Malformed,
    /// In that form but not on the calendar (`2016-02-30`, `2016-13`).
    Impossible,
}

impl DateProblem {
    fn explain(self) -> &'static str {
        match self {
            DateProblem::Malformed => " (expected YYYY, YYYY-MM or YYYY-MM-DD)",
            DateProblem::Impossible => " (not on the calendar)",
        }
    }
}

impl std::fmt::Display for DateProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The dated format's parser says "impossible date" too.
        f.write_str(match self {
            DateProblem::Malformed => "invalid",
            DateProblem::Impossible => "impossible",
        })
    }
}

/// How a front end spells the arguments a [`QueryError`] can be about, and how it joins a name
/// to its value: the command line's `--from 2016`, the HTTP API's `from=2016`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArgNames {
    /// The range's first day.
    pub from: &'static str,
    /// The range's last day.
    pub to: &'static str,
    /// The folder articles must lie under.
    pub folder: &'static str,
    /// A timeline's bucket size.
    pub by: &'static str,
    /// Between a name and its value.
    pub join: &'static str,
}

impl QueryError {
    /// The message in a front end's words: the arguments named as `names` spells them.
    pub fn describe(&self, names: &ArgNames) -> String {
        let j = names.join;
        match self {
            QueryError::BadDate {
                end,
                value,
                problem,
            } => {
                let name = match end {
                    End::Start => names.from,
                    End::Finish => names.to,
                };
                match problem {
                    DateProblem::Malformed => {
                        format!("invalid date for {name}: {value:?}{}", problem.explain())
                    }
                    DateProblem::Impossible => {
                        format!("impossible date for {name}: {value}{}", problem.explain())
                    }
                }
            }
            QueryError::EmptyRange { from, to } => {
                format!("{}{j}{from} is after {}{j}{to}", names.from, names.to)
            }
            QueryError::TooManyBuckets {
                by,
                from,
                to,
                rows,
                limit,
            } => format!(
                "{}{j}{} from {from} to {to} gives {rows} rows; the limit is {limit}: choose a \
                 larger {} or a shorter {}/{}",
                names.by,
                by.name(),
                names.by,
                names.from,
                names.to
            ),
            QueryError::EmptyFolder(folder) => format!(
                "{}{j}{folder}: no indexed article lies under this folder",
                names.folder
            ),
            QueryError::TooLong { .. }
            | QueryError::TooDeep { .. }
            | QueryError::BadQueryDate { .. }
            | QueryError::Syntax(_) => self.to_string(),
        }
    }
}

/// Which end of a range a partial date stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The first day of the period (`2016` → 2016-01-01).
    Start,
    /// The last day of the period (`2016-09` → 2016-09-30).
    Finish,
}

impl End {
    /// The bound this end makes of a range, in words.
    fn word(self) -> &'static str {
        match self {
            End::Start => "start",
            End::Finish => "end",
        }
    }
}

/// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD` into the first or last day of that period.
pub fn parse_partial_date(s: &str, end: End) -> Option<NaiveDate> {
    read_partial_date(s, end).ok()
}

/// [`parse_partial_date`], saying what is wrong with a date it refuses: the form, or a month or
/// day that is not on the calendar.
pub fn read_partial_date(s: &str, end: End) -> Result<NaiveDate, DateProblem> {
    let s = s.trim();
    let parts: Vec<&str> = s.split('-').collect();
    let num = |p: &str, len: usize| {
        (p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<u32>().ok())
            .flatten()
            .ok_or(DateProblem::Malformed)
    };
    let date = match parts.as_slice() {
        [y] => {
            let y = num(y, 4)? as i32;
            match end {
                End::Start => NaiveDate::from_ymd_opt(y, 1, 1),
                End::Finish => NaiveDate::from_ymd_opt(y, 12, 31),
            }
        }
        [y, m] => {
            let (y, m) = (num(y, 4)? as i32, num(m, 2)?);
            NaiveDate::from_ymd_opt(y, m, 1).and_then(|first| match end {
                End::Start => Some(first),
                End::Finish => last_of_month(first),
            })
        }
        [y, m, d] => {
            let (y, m, d) = (num(y, 4)? as i32, num(m, 2)?, num(d, 2)?);
            NaiveDate::from_ymd_opt(y, m, d)
        }
        _ => return Err(DateProblem::Malformed),
    };
    date.ok_or(DateProblem::Impossible)
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
    /// Resolves the first and last day a user gave as partial dates.
    pub fn parse(from: Option<&str>, to: Option<&str>) -> Result<DateRange, QueryError> {
        let resolve = |v: Option<&str>, end| match v {
            None => Ok(None),
            Some(v) => read_partial_date(v, end)
                .map(Some)
                .map_err(|problem| QueryError::BadDate {
                    end,
                    value: v.to_string(),
                    problem,
                }),
        };
        let range = DateRange {
            from: resolve(from, End::Start)?,
            to: resolve(to, End::Finish)?,
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

    const FLAGS: ArgNames = ArgNames {
        from: "-f",
        to: "-t",
        folder: "-i",
        by: "-b",
        join: " ",
    };

    #[test]
    fn range_errors_state_the_fact_and_front_ends_name_the_argument() {
        let e = DateRange::parse(Some("2016-1"), None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid start date \"2016-1\" (expected YYYY, YYYY-MM or YYYY-MM-DD)"
        );
        assert_eq!(
            e.describe(&FLAGS),
            "invalid date for -f: \"2016-1\" (expected YYYY, YYYY-MM or YYYY-MM-DD)"
        );
        let e = DateRange::parse(None, Some("x")).unwrap_err();
        assert!(e.to_string().starts_with("invalid end date"), "{e}");
        assert!(e.describe(&FLAGS).contains("for -t:"), "{e}");
    }

    #[test]
    fn dates_in_the_form_but_off_the_calendar_are_impossible() {
        for (from, to) in [
            (Some("2016-02-30"), None),
            (None, Some("2015-02-29")),
            (Some("2016-13"), None),
            (None, Some("2016-00-10")),
        ] {
            let e = DateRange::parse(from, to).unwrap_err();
            let QueryError::BadDate { problem, .. } = &e else {
                panic!("{e:?}")
            };
            assert_eq!(*problem, DateProblem::Impossible, "{from:?} {to:?}");
            assert!(e.to_string().starts_with("impossible "), "{e}");
        }
        let e = DateRange::parse(Some("2016-02-30"), None).unwrap_err();
        assert_eq!(
            e.describe(&FLAGS),
            "impossible date for -f: 2016-02-30 (not on the calendar)"
        );
        assert_eq!(
            read_partial_date("2016-2-30", End::Start),
            Err(DateProblem::Malformed)
        );
    }

    #[test]
    fn from_after_to_is_an_error_but_equal_is_fine() {
        let e = DateRange::parse(Some("2017"), Some("2016-12-31")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the start date 2017-01-01 is after the end date 2016-12-31"
        );
        assert_eq!(e.describe(&FLAGS), "-f 2017-01-01 is after -t 2016-12-31");
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
