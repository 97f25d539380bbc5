//! Facets: how many of the matching articles have each author, or each source, counted over
//! every match (not a page) from the name columns (`schema::AUTHOR`, `schema::SOURCE`). A
//! name is counted once per article, and its spellings (`Reuters`, `REUTERS`) count as one
//! name, shown as most articles spell it.

use crate::index::schema;
use rustc_hash::FxHashMap;
use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Cardinality, StrColumn};
use tantivy::query::Query;
use tantivy::{DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

/// A name field articles can be counted by.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Facet {
    /// The authors.
    #[value(help = "The articles' authors")]
    Author,
    /// The source (outlet).
    #[value(help = "The articles' sources")]
    Source,
}

impl Facet {
    /// The name in the query language, the JSON and the flags: `author`, `source`.
    pub fn name(self) -> &'static str {
        match self {
            Facet::Author => schema::AUTHOR,
            Facet::Source => schema::SOURCE,
        }
    }
}

/// One value and the number of matching articles that have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacetCount {
    /// The name, as most of the articles counted spell it.
    pub value: String,
    /// How many matching articles have it.
    pub count: u64,
}

/// Every value of one facet over the articles `query` matches, largest first (ties by name),
/// the first `limit` of them.
pub fn count(
    searcher: &Searcher,
    query: &dyn Query,
    facet: Facet,
    limit: usize,
) -> tantivy::Result<Vec<FacetCount>> {
    let counts = searcher.search(query, &Counter { facet })?;
    Ok(largest(counts, limit))
}

/// Counts of each spelling, merged into names (lower case), the most common spelling shown.
fn largest(spellings: FxHashMap<String, u64>, limit: usize) -> Vec<FacetCount> {
    let mut names: FxHashMap<String, (u64, String, u64)> = FxHashMap::default();
    for (spelling, n) in spellings {
        let entry = names
            .entry(spelling.to_lowercase())
            .or_insert_with(|| (0, spelling.clone(), 0));
        entry.0 += n;
        // The most common spelling; among equals, the first in sort order.
        if n > entry.2 || (n == entry.2 && spelling < entry.1) {
            entry.1 = spelling;
            entry.2 = n;
        }
    }
    let mut out: Vec<FacetCount> = names
        .into_values()
        .map(|(count, value, _)| FacetCount { value, count })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    out.truncate(limit);
    out
}

/// Counts each spelling of a name column over the matches.
struct Counter {
    facet: Facet,
}

impl Collector for Counter {
    type Fruit = FxHashMap<String, u64>;
    type Child = SegmentCounter;

    fn for_segment(
        &self,
        _ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentCounter> {
        let column = segment.fast_fields().str(self.facet.name())?;
        let counts = vec![0u32; column.as_ref().map_or(0, |c| c.dictionary().num_terms())];
        Ok(SegmentCounter {
            multi: column
                .as_ref()
                .is_some_and(|c| c.ords().get_cardinality() == Cardinality::Multivalued),
            column,
            counts,
            docs: Vec::new(),
            rows: Vec::new(),
            ords: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        fruits: Vec<Option<(StrColumn, Vec<u32>)>>,
    ) -> tantivy::Result<FxHashMap<String, u64>> {
        let mut all = FxHashMap::default();
        for (column, counts) in fruits.into_iter().flatten() {
            // The names of the ordinals counted, looked up in one sorted sweep.
            let ords: Vec<u64> = (0..counts.len() as u64)
                .filter(|&o| counts[o as usize] > 0)
                .collect();
            let mut found = ords.iter().map(|&o| counts[o as usize]);
            column
                .dictionary()
                .sorted_ords_to_term_cb(&ords, |bytes| {
                    if let Some(n) = found.next() {
                        let name = String::from_utf8_lossy(bytes).into_owned();
                        *all.entry(name).or_default() += u64::from(n);
                    }
                })
                .map_err(tantivy::TantivyError::from)?;
        }
        Ok(all)
    }
}

/// One segment's counts, by term ordinal.
struct SegmentCounter {
    column: Option<StrColumn>,
    multi: bool,
    counts: Vec<u32>,
    /// A block's documents, one per value, and the rows of those values.
    docs: Vec<DocId>,
    rows: Vec<u32>,
    ords: Vec<u64>,
}

impl SegmentCollector for SegmentCounter {
    type Fruit = Option<(StrColumn, Vec<u32>)>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.collect_block(&[doc]);
    }

    /// The block's values read at once (rows from the column index, then the ordinals), each
    /// counted once per document.
    fn collect_block(&mut self, docs: &[DocId]) {
        let Some(column) = &self.column else {
            return;
        };
        let ords = column.ords();
        self.docs.clear();
        self.rows.clear();
        ords.index
            .docids_to_rowids(docs, &mut self.docs, &mut self.rows);
        self.ords.clear();
        self.ords.resize(self.rows.len(), 0);
        ords.values.get_vals(&self.rows, &mut self.ords);
        if !self.multi {
            for &ord in &self.ords {
                self.counts[ord as usize] += 1;
            }
            return;
        }
        // An article names an author once, however often it lists them: a value already seen
        // for the same document (they come together) is not counted again.
        let mut start = 0;
        for i in 0..self.ords.len() {
            if i > 0 && self.docs[i] != self.docs[i - 1] {
                start = i;
            }
            let ord = self.ords[i];
            if !self.ords[start..i].contains(&ord) {
                self.counts[ord as usize] += 1;
            }
        }
    }

    fn harvest(self) -> Option<(StrColumn, Vec<u32>)> {
        self.column.map(|c| (c, self.counts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article::Meta;
    use crate::index::store::Store;
    use crate::index::writer;
    use crate::search::plan::Scope;
    use crate::search::{self, Request};

    /// Four articles on convoys: three with metadata, one spelling a name differently, one
    /// without any (as a dated file is read).
    fn archive() -> (tempfile::TempDir, Store) {
        let day = |d: &str| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
        let meta = |title: Option<&str>, authors: &[&str], source: Option<&str>| Meta {
            title: title.map(str::to_string),
            authors: authors.iter().map(|a| a.to_string()).collect(),
            source: source.map(str::to_string),
            url: title.map(|_| "https://example.org/a".to_string()),
        };
        let text = |s: &str| vec![s.to_string(), "The convoys moved at night.".to_string()];
        writer::index_articles([
            (
                "/a/1.txt".to_string(),
                day("2016-01-01"),
                text("Aid reaches Aleppo."),
                meta(Some("North of the river"), &["Jane Roe"], Some("Reuters")),
            ),
            (
                "/a/2.txt".to_string(),
                day("2016-02-01"),
                text("Convoys wait at the border."),
                meta(
                    None,
                    &["jane  roe", "John Doe", "JANE ROE"],
                    Some("REUTERS"),
                ),
            ),
            (
                "/a/3.txt".to_string(),
                day("2016-03-01"),
                text("A long road."),
                meta(Some("Road to the south"), &["John Doe"], Some("AP")),
            ),
            (
                "/a/4.txt".to_string(),
                day("2016-04-01"),
                text("No names here."),
                Meta::default(),
            ),
        ])
    }

    fn paths(store: &Store, req: &Request) -> Vec<String> {
        let mut p: Vec<String> = search::run(store, req)
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.path)
            .collect();
        p.sort();
        p
    }

    fn named(value: &str, count: u64) -> FacetCount {
        FacetCount {
            value: value.into(),
            count,
        }
    }

    #[test]
    fn facets_count_every_match_not_the_page() {
        let (_dir, store) = archive();
        let req = Request {
            text: "convoys".into(),
            limit: 1,
            facets: vec![Facet::Author, Facet::Source, Facet::Author],
            ..Request::default()
        };
        let r = search::run(&store, &req).unwrap();
        assert_eq!((r.total, r.hits.len()), (4, 1));
        // `Jane Roe` and `jane roe` are one name, written each way once: the spelling first in
        // sort order is shown.
        assert_eq!(
            r.facets[&Facet::Author],
            vec![named("Jane Roe", 2), named("John Doe", 2)]
        );
        assert_eq!(
            r.facets[&Facet::Source],
            vec![named("REUTERS", 2), named("AP", 1)]
        );
        // The limit keeps the largest.
        let one = search::run(
            &store,
            &Request {
                facet_limit: 1,
                ..req
            },
        )
        .unwrap();
        assert_eq!(one.facets[&Facet::Source], vec![named("REUTERS", 2)]);
        // Narrowed by the query, the counts follow it.
        let road = search::run(
            &store,
            &Request {
                text: "road".into(),
                facets: vec![Facet::Source],
                ..Request::default()
            },
        )
        .unwrap();
        assert_eq!(road.facets[&Facet::Source], vec![named("AP", 1)]);
    }

    #[test]
    fn authors_and_sources_filter_exactly_and_in_any_case() {
        let (_dir, store) = archive();
        let scoped = |authors: &[&str], sources: &[&str]| Request {
            text: "convoys".into(),
            scope: Scope {
                folder: None,
                authors: authors.iter().map(|a| a.to_string()).collect(),
                sources: sources.iter().map(|s| s.to_string()).collect(),
            },
            ..Request::default()
        };
        assert_eq!(
            paths(&store, &scoped(&["JANE ROE"], &[])),
            ["/a/1.txt", "/a/2.txt"]
        );
        // Exact: part of a name is not the name.
        assert!(paths(&store, &scoped(&["Jane"], &[])).is_empty());
        // Any of several authors; and a source besides.
        assert_eq!(
            paths(&store, &scoped(&["jane roe", "john doe"], &["ap"])),
            ["/a/3.txt"]
        );
        assert_eq!(
            paths(&store, &scoped(&[], &["reuters", "ap"])),
            ["/a/1.txt", "/a/2.txt", "/a/3.txt"]
        );
    }

    #[test]
    fn the_query_language_reads_title_author_and_source() {
        let (_dir, store) = archive();
        let q = |text: &str| {
            paths(
                &store,
                &Request {
                    text: text.into(),
                    ..Request::default()
                },
            )
        };
        assert_eq!(q("author:\"john doe\""), ["/a/2.txt", "/a/3.txt"]);
        assert_eq!(q("author:\"John  DOE\" AND road"), ["/a/3.txt"]);
        assert_eq!(q("source:reuters -author:\"john doe\""), ["/a/1.txt"]);
        // Title words are stemmed as the body's: `rivers` finds `river`.
        assert_eq!(q("title:rivers"), ["/a/1.txt"]);
        assert_eq!(q("title:south OR title:north"), ["/a/1.txt", "/a/3.txt"]);
        assert!(q("title:convoys").is_empty());
    }

    #[test]
    fn free_words_match_titles_and_a_title_match_counts_for_more() {
        let day = chrono::NaiveDate::from_ymd_opt(2016, 1, 1).unwrap();
        let body = |s: &str| vec![s.to_string()];
        let titled = |t: &str| Meta {
            title: Some(t.to_string()),
            ..Meta::default()
        };
        let filler = (0..20).map(|i| {
            (
                format!("/f/{i:02}.txt"),
                day,
                body("Weather and markets."),
                Meta::default(),
            )
        });
        let (_dir, store) = writer::index_articles(
            [
                (
                    "/a/body.txt".to_string(),
                    day,
                    body("Harvest festival in the valley."),
                    titled("Village life"),
                ),
                (
                    "/a/title.txt".to_string(),
                    day,
                    body("Harvest festival in the valley."),
                    titled("Harvest moon"),
                ),
                (
                    "/a/only.txt".to_string(),
                    day,
                    body("Nothing of the kind."),
                    titled("Orchards"),
                ),
            ]
            .into_iter()
            .chain(filler),
        );
        let run = |text: &str| {
            search::run(
                &store,
                &Request {
                    text: text.into(),
                    ..Request::default()
                },
            )
            .unwrap()
        };
        // Found by its title alone, and counted.
        let r = run("orchards");
        assert_eq!(r.total, 1);
        assert_eq!(r.hits[0].path, "/a/only.txt");
        // The same body; the article whose title holds the word first.
        let r = run("harvest");
        assert_eq!(r.total, 2);
        assert_eq!(r.hits[0].path, "/a/title.txt");
        assert!(r.hits[0].score > r.hits[1].score);
        // Without the title's weight, the two score the same.
        let flat = search::run(
            &store,
            &Request {
                text: "harvest".into(),
                ranking: crate::search::rank::Ranking::parse("title=0").unwrap(),
                ..Request::default()
            },
        )
        .unwrap();
        assert_eq!(flat.total, 2);
        assert_eq!(flat.hits[0].score, flat.hits[1].score);
        // A phrase and a required word match titles as well.
        assert_eq!(run("+orchards").total, 1);
        assert_eq!(run("\"harvest moon\"").total, 1);
    }

    #[test]
    fn hits_and_stored_articles_carry_their_metadata() {
        let (_dir, store) = archive();
        let r = search::run(
            &store,
            &Request {
                text: "aleppo".into(),
                ..Request::default()
            },
        )
        .unwrap();
        let hit = &r.hits[0];
        assert_eq!(hit.title.as_deref(), Some("North of the river"));
        assert_eq!(hit.authors, ["Jane Roe"]);
        assert_eq!(hit.source.as_deref(), Some("Reuters"));
        assert_eq!(hit.url.as_deref(), Some("https://example.org/a"));
        // Names are stored tidied, as written, each once; an article without metadata has none.
        let two = search::article(&store, "/a/2.txt").unwrap().unwrap();
        assert_eq!(two.authors, ["jane roe", "John Doe"]);
        assert_eq!(two.title, None);
        assert_eq!(two.heading(), "Convoys wait at the border.");
        let four = search::article(&store, "/a/4.txt").unwrap().unwrap();
        assert_eq!(
            (four.title, four.authors, four.source, four.url),
            (None, vec![], None, None)
        );
    }

    #[test]
    fn spellings_of_one_name_are_merged_and_the_commonest_shown() {
        let spellings: FxHashMap<String, u64> = [
            ("Reuters".to_string(), 5),
            ("REUTERS".to_string(), 2),
            ("AP".to_string(), 6),
            ("Guardian".to_string(), 1),
            ("guardian".to_string(), 1),
        ]
        .into_iter()
        .collect();
        assert_eq!(
            largest(spellings.clone(), 10),
            vec![
                FacetCount {
                    value: "Reuters".into(),
                    count: 7
                },
                FacetCount {
                    value: "AP".into(),
                    count: 6
                },
                FacetCount {
                    value: "Guardian".into(),
                    count: 2
                },
            ]
        );
        assert_eq!(largest(spellings, 1).len(), 1);
    }
}
