//! `--csv`: every table a command prints, as RFC 4180 CSV with a header row (the `csv` crate
//! quotes). Numbers are written as JSON writes them (shares as fractions, not percentages), so a
//! spreadsheet or a script reads the same figures the `--json` output gives.

use crate::collocates::Collocates;
use crate::keywords::Keywords;
use crate::kwic::Kwic;
use crate::search::Results;
use crate::stats::Stats;
use crate::timeline::Timeline;
use std::io::{self, Write};

/// A CSV writer over `out`.
fn writer(out: &mut dyn Write) -> csv::Writer<&mut dyn Write> {
    csv::WriterBuilder::new().from_writer(out)
}

/// The `csv` crate's error as an I/O error (a closed pipe stays one).
fn io_error(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// Writes the rows (the header first) and flushes.
fn write_rows(out: &mut dyn Write, rows: impl IntoIterator<Item = Vec<String>>) -> io::Result<()> {
    let mut w = writer(out);
    for row in rows {
        w.write_record(&row).map_err(io_error)?;
    }
    w.flush()
}

/// A query's name in a column header: `all articles` for the empty query.
fn query_name(q: &str) -> &str {
    if q.trim().is_empty() {
        "all articles"
    } else {
        q
    }
}

/// A timeline: a row per bucket (label, start, end, articles), then per query its count and
/// share (and its smoothed value, when smoothed).
pub fn timeline(out: &mut dyn Write, t: &Timeline) -> io::Result<()> {
    let mut header: Vec<String> = ["bucket", "start", "end", "articles"]
        .map(String::from)
        .to_vec();
    for q in &t.queries {
        let q = query_name(q);
        header.push(format!("{q} count"));
        header.push(format!("{q} share"));
        if t.smooth > 0 {
            header.push(format!("{q} smoothed"));
        }
    }
    let rows = t.buckets.iter().map(|b| {
        let mut row = vec![
            b.label.clone(),
            b.start.clone(),
            b.end.clone(),
            b.articles.to_string(),
        ];
        for q in 0..b.counts.len() {
            row.push(b.counts[q].to_string());
            row.push(b.shares[q].to_string());
            if let Some(v) = b.smoothed.get(q) {
                row.push(v.to_string());
            }
        }
        row
    });
    write_rows(out, std::iter::once(header).chain(rows))
}

/// A concordance: a row per line of the page.
pub fn kwic(out: &mut dyn Write, k: &Kwic) -> io::Result<()> {
    let header = ["date", "path", "paragraph", "left", "match", "right"].map(String::from);
    let rows = k.lines.iter().map(|l| {
        vec![
            l.date.clone(),
            l.path.clone(),
            l.paragraph.to_string(),
            l.left.clone(),
            l.matched.clone(),
            l.right.clone(),
        ]
    });
    write_rows(out, std::iter::once(header.to_vec()).chain(rows))
}

/// A keyword list: a row per word.
pub fn keywords(out: &mut dyn Write, k: &Keywords) -> io::Result<()> {
    let header = ["word", "selection", "reference", "g2", "log_ratio"].map(String::from);
    let rows = k.keywords.iter().map(|w| {
        vec![
            w.word.clone(),
            w.selection.to_string(),
            w.reference.to_string(),
            w.g2.to_string(),
            w.log_ratio.to_string(),
        ]
    });
    write_rows(out, std::iter::once(header.to_vec()).chain(rows))
}

/// Collocates: a row per collocate of each period (`all` without periods).
pub fn collocates(out: &mut dyn Write, c: &Collocates) -> io::Result<()> {
    let header = [
        "period",
        "rank",
        "word",
        "cooccurrences",
        "frequency",
        "score",
    ]
    .map(String::from);
    let rows = c.periods.iter().flat_map(|p| {
        p.collocates.iter().enumerate().map(|(i, x)| {
            vec![
                p.label.clone(),
                (i + 1).to_string(),
                x.word.clone(),
                x.cooccurrences.to_string(),
                x.frequency.to_string(),
                x.score.to_string(),
            ]
        })
    });
    write_rows(out, std::iter::once(header.to_vec()).chain(rows))
}

/// The index's articles per year: a row for every year from the first to the last, those
/// without articles as 0.
pub fn stats(out: &mut dyn Write, s: &Stats) -> io::Result<()> {
    let header = vec!["year".to_string(), "articles".to_string()];
    let rows = s
        .every_year()
        .into_iter()
        .map(|y| vec![y.year.to_string(), y.articles.to_string()]);
    write_rows(out, std::iter::once(header).chain(rows))
}

/// Search results: a row per hit (rank, date, path, score, paragraph, snippet as plain text).
pub fn search(out: &mut dyn Write, r: &Results, offset: usize) -> io::Result<()> {
    let header = [
        "rank",
        "date",
        "path",
        "title",
        "authors",
        "source",
        "score",
        "paragraph",
        "snippet",
    ]
    .map(String::from)
    .to_vec();
    let rows = r.hits.iter().enumerate().map(|(i, h)| {
        vec![
            (offset + i + 1).to_string(),
            h.date.clone(),
            h.path.clone(),
            h.title.clone().unwrap_or_default(),
            h.authors.join("; "),
            h.source.clone().unwrap_or_default(),
            h.score.to_string(),
            h.paragraph.to_string(),
            h.snippet.clone(),
        ]
    });
    write_rows(out, std::iter::once(header).chain(rows))
}
