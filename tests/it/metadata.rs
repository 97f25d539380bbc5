//! Metadata everywhere: titles, authors, sources and URLs from records files searched
//! (`title:`, `author:`, `source:`), filtered (`--author`, `--source`), counted (`--facet`,
//! `timeline --split`, `stats`) and shown (hits, `show`, the API, `export`).

use crate::common::server::{Server, enc};
use crate::common::*;
use serde_json::{Value, json};
use std::fs;

/// A test folder whose `corpus/` holds the records fixtures (a JSON Lines file, a CSV, a
/// metadata table beside texts), indexed: seven articles, six with authors and sources.
fn indexed_records() -> TestDir {
    fn copy(t: &TestDir, rel: &str) {
        let from = fixtures("records").join(rel);
        if from.is_dir() {
            for e in fs::read_dir(&from).unwrap() {
                let name = e.unwrap().file_name().to_string_lossy().into_owned();
                let rel = if rel.is_empty() {
                    name
                } else {
                    format!("{rel}/{name}")
                };
                copy(t, &rel);
            }
        } else {
            t.write(&format!("corpus/{rel}"), fs::read(&from).unwrap());
        }
    }
    let t = TestDir::new();
    copy(&t, "");
    t.index_corpus();
    t
}

fn facet(v: &Value, name: &str) -> Vec<(String, u64)> {
    v["facets"][name]
        .as_array()
        .unwrap_or_else(|| panic!("no facet {name} in {v}"))
        .iter()
        .map(|c| {
            (
                c["value"].as_str().unwrap().to_string(),
                c["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn owned(pairs: &[(&str, u64)]) -> Vec<(String, u64)> {
    pairs.iter().map(|(v, n)| (v.to_string(), *n)).collect()
}

#[test]
fn facets_count_every_match_and_print_after_the_hits() {
    let t = indexed_records();
    // Every article, one hit on the page: the facets still count all seven.
    let v = t.search_json(
        "",
        &[
            "--sort", "oldest", "-n", "1", "--facet", "author", "--facet", "source",
        ],
    );
    assert_eq!(v["total"], 7);
    assert_eq!(v["hits"].as_array().unwrap().len(), 1);
    assert_eq!(
        facet(&v, "author"),
        owned(&[
            ("Ana Ruiz", 2),
            ("Lina Haddad", 2),
            ("Alexander Hamilton", 1),
            ("Ben Okafor", 1),
            ("Dev Patel", 1),
            ("James Madison", 1),
            ("Maria Olsen", 1),
            ("Tom Reyes", 1),
        ])
    );
    assert_eq!(
        facet(&v, "source"),
        owned(&[
            ("The Federalist", 2),
            ("dailyledger.example", 2),
            ("The Daily Ledger", 1),
            ("The Harbor Times", 1),
            ("harbortimes.example", 1),
        ])
    );
    // --facet-limit keeps the largest; the query narrows the counts.
    let v = t.search_json("convoy", &["--facet", "author", "--facet-limit", "1"]);
    assert_eq!(v["total"], 2);
    assert_eq!(facet(&v, "author"), owned(&[("Lina Haddad", 2)]));
    // Without --facet the JSON has no facets.
    assert!(t.search_json("convoy", &[]).get("facets").is_none());
    // Human output: the facet after the hits, before the total.
    let out = t.run(["search", "convoy", "--facet", "source"]);
    out.assert_code(0);
    let text = out.stdout_without_timing();
    let facet_at = text
        .find("by source:\n  2  dailyledger.example\n")
        .expect(&text);
    assert!(facet_at > text.find("Aid convoys wait outside Aleppo").unwrap());
    assert!(facet_at < text.find("2 matching articles").unwrap());
    // A bad facet name is refused by name.
    let out = t.run(["search", "convoy", "--facet", "title"]);
    out.assert_code(2);
    assert!(out.stderr.contains("--facet"), "{}", out.stderr);
}

#[test]
fn author_and_source_filter_exactly_in_any_case() {
    let t = indexed_records();
    let mut paths = t.hit_paths("", &["--sort", "oldest", "--author", "LINA HADDAD"]);
    paths.sort();
    assert_eq!(
        paths,
        [
            "corpus/articles.jsonl#syria-001",
            "corpus/articles.jsonl#syria-002"
        ]
    );
    // Any of several; with a source, both must hold.
    assert_eq!(
        t.hit_paths(
            "",
            &[
                "--sort",
                "oldest",
                "--author",
                "ana ruiz",
                "--author",
                "dev patel",
                "--source",
                "the daily ledger"
            ]
        ),
        ["corpus/articles.csv#op-2"]
    );
    assert_eq!(
        t.hit_paths("tariff", &["--source", "harbortimes.example"]),
        ["corpus/articles.jsonl#trade-001"]
    );
    // A part of a name is not the name.
    let out = t.run(["search", "convoy", "--author", "Lina"]);
    out.assert_code(1);
    // A blank name is refused, naming the flag.
    let out = t.run(["search", "convoy", "--source", " "]);
    out.assert_code(2);
    assert!(
        out.stderr.contains("--source <NAME>") && out.stderr.contains("a name is needed"),
        "{}",
        out.stderr
    );
    // timeline and similar take them too.
    let v = t.run([
        "timeline",
        "",
        "--by",
        "year",
        "--source",
        "The Federalist",
        "--json",
    ]);
    v.assert_code(0);
    assert_eq!(v.json()["totals"], json!([2]));
}

#[test]
fn the_query_language_reads_title_author_and_source() {
    let t = indexed_records();
    let sorted = |q: &str| {
        let mut p = t.hit_paths(q, &["-n", "100"]);
        p.sort();
        p
    };
    assert_eq!(
        sorted("author:\"ana ruiz\""),
        ["corpus/articles.csv#op-1", "corpus/articles.csv#op-2"]
    );
    assert_eq!(
        sorted("source:\"The Federalist\" -author:\"james madison\""),
        ["corpus/table/texts/dated.txt"]
    );
    // Title words are stemmed as the body's.
    assert_eq!(sorted("title:ledgers"), ["corpus/articles.csv#op-2"]);
    // A free word matches titles: `struck` is in a title and a body, `Urum` only in a title.
    assert_eq!(sorted("urum"), ["corpus/articles.jsonl#syria-002"]);
    // A field the index does not have is still refused by name.
    let out = t.run(["search", "byline:okafor"]);
    assert!(
        out.stderr.contains("no field named \"byline\""),
        "{}",
        out.stderr
    );
}

#[test]
fn hits_show_and_export_carry_the_metadata() {
    let t = indexed_records();
    let v = t.search_json("tariff", &[]);
    let hit = &v["hits"][0];
    assert_eq!(hit["title"], "Steel tariffs and the farm vote");
    assert_eq!(hit["authors"], json!(["Maria Olsen", "Dev Patel"]));
    assert_eq!(hit["source"], "harbortimes.example");
    assert_eq!(hit["url"], "https://harbortimes.example/steel-tariffs");
    let out = t.run(["search", "tariff"]);
    out.assert_code(0);
    assert!(
        out.stdout.contains(
            "    Steel tariffs and the farm vote · by Maria Olsen, Dev Patel · harbortimes.example\n"
        ),
        "{}",
        out.stdout
    );
    let out = t.run(["show", "corpus/articles.jsonl#trade-001"]);
    out.assert_code(0);
    assert!(
        out.stdout.starts_with(
            "2018-03-02  corpus/articles.jsonl#trade-001\n\
             Steel tariffs and the farm vote · by Maria Olsen, Dev Patel · harbortimes.example\n\
             https://harbortimes.example/steel-tariffs\n\n[1] "
        ),
        "{}",
        out.stdout
    );
    let out = t.run(["export", "--format", "elasticsearch", "--out", "es"]);
    out.assert_code(0);
    let data = String::from_utf8(t.read("es/bulk-0001.ndjson")).unwrap();
    let sources: Vec<Value> = data
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v.get("index").is_none())
        .collect();
    let trade = sources
        .iter()
        .find(|s| s["title"] == "Steel tariffs and the farm vote")
        .expect("the record exported");
    assert_eq!(trade["authors"], json!(["Maria Olsen", "Dev Patel"]));
    assert_eq!(trade["source"], "harbortimes.example");
    assert_eq!(trade["url"], "https://harbortimes.example/steel-tariffs");
}

#[test]
fn a_timeline_split_by_author_draws_one_series_per_name() {
    let t = indexed_records();
    let out = t.run([
        "timeline",
        "",
        "--split",
        "author",
        "--split-limit",
        "2",
        "--by",
        "year",
        "--from",
        "2016",
        "--json",
    ]);
    out.assert_code(0);
    let v = out.json();
    assert_eq!(v["split"], "author");
    assert_eq!(v["queries"], json!(["Ana Ruiz", "Lina Haddad"]));
    assert_eq!(v["totals"], json!([2, 2]));
    let year = |y: &str| {
        v["buckets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["label"] == y)
            .unwrap()["counts"]
            .clone()
    };
    assert_eq!(year("2016"), json!([0, 2]));
    assert_eq!(year("2019"), json!([1, 0]));
    assert_eq!(year("2020"), json!([1, 0]));
    // One query only.
    let out = t.run(["timeline", "a", "b", "--split", "source"]);
    out.assert_code(2);
    assert!(
        out.stderr
            .contains("split by author or source for one query, not 2"),
        "{}",
        out.stderr
    );
}

#[test]
fn stats_lists_the_largest_authors_and_sources() {
    let t = indexed_records();
    let s = t.stats();
    assert_eq!(s["authors"][0], json!({"value": "Ana Ruiz", "count": 2}));
    assert_eq!(s["authors"].as_array().unwrap().len(), 8);
    assert_eq!(
        s["sources"][0],
        json!({"value": "The Federalist", "count": 2})
    );
    let out = t.run(["stats"]);
    out.assert_code(0);
    assert!(
        out.stdout.contains("largest authors\n  2  Ana Ruiz\n"),
        "{}",
        out.stdout
    );
}

#[test]
fn the_api_filters_counts_and_shows_the_metadata() {
    let t = indexed_records();
    let s = Server::start(&t, "127.0.0.1:0", &[]);
    let v = s.json(
        &format!(
            "/api/search?q=&sort=oldest&facet=author&facet=source&author={}",
            enc("lina haddad")
        ),
        200,
    );
    assert_eq!(v["total"], 2);
    assert_eq!(
        facet(&v, "author"),
        owned(&[("Lina Haddad", 2), ("Tom Reyes", 1)])
    );
    assert_eq!(v["hits"][0]["title"], "Aid convoys wait outside Aleppo");
    let v = s.json("/api/search?q=convoy&author=", 400);
    assert_eq!(v["error"], "author=: a name is needed");
    let v = s.json("/api/search?q=convoy&facet=title", 400);
    assert!(
        v["error"].as_str().unwrap().contains("facet=\"title\""),
        "{v}"
    );
    let a = s.json(
        &format!(
            "/api/article?path={}",
            enc("corpus/articles.jsonl#syria-001")
        ),
        200,
    );
    assert_eq!(a["authors"], json!(["Lina Haddad", "Tom Reyes"]));
    assert_eq!(a["source"], "dailyledger.example");
    let tl = s.json("/api/timeline?q=&by=year&split=source&split_limit=1", 200);
    assert_eq!(tl["queries"], json!(["The Federalist"]));
}
