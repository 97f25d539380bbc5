//! The fixed query mix of the benchmarks (`latency`, `core`) and of `compare.sh`.

use dateline::search::plan::DateRange;
use dateline::search::{Request, Sort};

/// One query of the mix: a label, the query text, an optional date range, the order.
type Entry = (
    &'static str,
    &'static str,
    Option<(&'static str, &'static str)>,
    Sort,
);

/// The mix: rare and very common words, free-text triples, a free-text sentence (which gets
/// pseudo-relevance feedback), phrases (one of common words only), a boolean AND, date-filtered
/// and date-sorted queries. Kept in step with benches/compare.sh.
pub const MIX: &[Entry] = &[
    ("rare word", "dockworkers", None, Sort::Relevance),
    ("common word", "said", None, Sort::Relevance),
    ("triple", "oil prices opec", None, Sort::Relevance),
    ("triple, seed", "aid convoys Aleppo", None, Sort::Relevance),
    (
        "sentence",
        "opec ministers agree to cut crude oil output quotas",
        None,
        Sort::Relevance,
    ),
    ("phrase", "\"oil prices\"", None, Sort::Relevance),
    (
        "common phrase",
        "\"the company said\"",
        None,
        Sort::Relevance,
    ),
    ("AND", "oil AND prices", None, Sort::Relevance),
    (
        "date-filtered",
        "oil prices",
        Some(("1990", "1999")),
        Sort::Relevance,
    ),
    (
        "date-filtered month",
        "said",
        Some(("1987-03", "1987-03")),
        Sort::Relevance,
    ),
    ("date-sorted", "said", None, Sort::Newest),
];

/// The search request of one entry of the mix (top 10, snippets of the default length).
pub fn request((_, text, range, sort): &Entry) -> Request {
    Request {
        text: (*text).into(),
        range: match range {
            Some((from, to)) => {
                DateRange::parse(Some(from), Some(to)).expect("the mix's dates are valid")
            }
            None => DateRange::default(),
        },
        sort: *sort,
        ..Request::default()
    }
}
