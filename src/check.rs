//! `dateline check`: proves the index sound: every file of every segment is present and
//! matches its checksum, every segment opens, every stored article reads back into the dated
//! format and parses to the same date and paragraphs, and every path has one live document.
//! Damage is reported by file and segment; a panic inside Tantivy on a damaged file is caught
//! and reported as damage.

use crate::article;
use crate::index::damage::{self, DamagedFile};
use crate::index::schema;
use crate::index::store::Store;
use crate::index::store::Stored;
use serde::Serialize;
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use tantivy::TantivyDocument;

/// What `check` found.
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    /// Live documents examined.
    pub articles: u64,
    /// One line per problem; empty when the index is sound.
    pub problems: Vec<String>,
    /// The damaged files among the problems, each with its segment.
    pub damaged: Vec<DamagedFile>,
}

/// Examines every file and every live document of the index.
pub fn run(store: &Store) -> anyhow::Result<CheckResult> {
    let dir = &store.dir;
    let mut damaged = damage::scan_files(&store.index, dir)?;
    damaged.extend(damage::scan_reads(&store.index, dir, &damaged));
    let mut problems: Vec<String> = damaged.iter().map(|d| format!("damaged: {d}")).collect();
    let mut per_path: HashMap<String, u32> = HashMap::new();
    let mut articles = 0u64;
    for (ord, segment) in store.index.searchable_segments()?.iter().enumerate() {
        let id = segment.id().uuid_string();
        if damaged.iter().any(|d| d.segment.as_deref() == Some(&id)) {
            articles += u64::from(segment.meta().num_docs());
            continue;
        }
        let read = catch_unwind(AssertUnwindSafe(|| {
            check_segment(store, segment, ord, &mut per_path, &mut problems)
        }));
        match read {
            Ok(Ok(n)) => articles += n,
            Ok(Err(e)) => problems.push(format!(
                "damaged: segment {id}: {}",
                damage::short_cause(&e.to_string())
            )),
            Err(_) => problems.push(format!("damaged: segment {id}: unreadable")),
        }
    }
    let mut duplicates: Vec<_> = per_path.into_iter().filter(|(_, n)| *n > 1).collect();
    duplicates.sort();
    for (path, n) in duplicates {
        let path = crate::corpus::display_key(&path);
        problems.push(format!("duplicate: {path} ({n} documents)"));
    }
    Ok(CheckResult {
        articles,
        problems,
        damaged,
    })
}

/// Reads back every live article of one segment; returns how many.
fn check_segment(
    store: &Store,
    segment: &tantivy::index::Segment,
    ord: usize,
    per_path: &mut HashMap<String, u32>,
    problems: &mut Vec<String>,
) -> tantivy::Result<u64> {
    let reader = tantivy::SegmentReader::open(segment)?;
    let docs = reader.get_store_reader(1)?;
    let mut articles = 0;
    for doc_id in reader.doc_ids_alive() {
        articles += 1;
        let file = store.store_file(&reader);
        let doc: TantivyDocument =
            match crate::index::stored::read(&docs, doc_id, reader.schema().num_fields(), &file) {
                Ok(d) => d,
                Err(e) => {
                    problems.push(format!("unreadable: document {ord}/{doc_id}: {e}"));
                    continue;
                }
            };
        let stored = Stored::from_doc(&doc, store.fields);
        // Keys shown as the user sees paths (relative to the current directory).
        let name = if stored.path.is_empty() {
            format!("document {ord}/{doc_id}")
        } else {
            crate::corpus::display_key(&stored.path)
        };
        if stored.path.is_empty() {
            problems.push(format!("no path: {name}"));
        }
        *per_path.entry(stored.path.clone()).or_default() += 1;
        if let Err(why) = parses_back(&stored) {
            problems.push(format!("does not parse back: {name}: {why}"));
        }
    }
    Ok(articles)
}

/// Writes the stored article in the dated format and parses it again: the date and the
/// paragraphs must come back unchanged.
fn parses_back(stored: &Stored) -> Result<(), String> {
    if stored.date.is_empty() {
        return Err("no date".into());
    }
    if stored.paragraphs.is_empty() {
        return Err("no paragraphs".into());
    }
    let text = article::write(&stored.date, &stored.paragraphs);
    let parsed = article::parse(&text).map_err(|e| format!("line {}: {}", e.line, e.kind))?;
    if parsed.date.format("%Y-%m-%d").to_string() != stored.date {
        return Err(format!(
            "date {} reads back as {}",
            stored.date, parsed.date
        ));
    }
    if schema::to_index_date(parsed.date).is_none() {
        return Err(format!(
            "date {} is outside the supported range",
            stored.date
        ));
    }
    if parsed.paragraphs != stored.paragraphs {
        return Err(format!(
            "{} paragraphs read back as {}",
            stored.paragraphs.len(),
            parsed.paragraphs.len()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(date: &str, paragraphs: &[&str]) -> Stored {
        Stored {
            path: "a.txt".into(),
            date: date.into(),
            paragraphs: paragraphs.iter().map(|p| p.to_string()).collect(),
            title: None,
            authors: vec![],
            source: None,
            url: None,
        }
    }

    #[test]
    fn a_sound_article_parses_back() {
        assert_eq!(
            parses_back(&stored("2016-09-17", &["One.", "Two."])),
            Ok(())
        );
    }

    #[test]
    fn damage_is_reported() {
        assert!(parses_back(&stored("", &["One."])).is_err());
        assert!(parses_back(&stored("2016-09-17", &[])).is_err());
        assert!(parses_back(&stored("2016-02-30", &["x"])).is_err());
        // A paragraph holding a blank line would read back as two.
        let e = parses_back(&stored("2016-09-17", &["One.\n\nTwo."])).unwrap_err();
        assert_eq!(e, "1 paragraphs read back as 2");
    }
}
