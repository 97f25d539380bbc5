//! Queries people actually type (issue 17, item 4), on the bundled archive: an empty query, a
//! query of common words only, a question, and misspellings, read as a new user would.

use crate::common::{TestDir, paths_of, scores_of};
use std::path::Path;

/// The highlighted words of a run's plain output (`[[word]]`), lower-cased.
fn marked(out: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut rest = out;
    while let Some(at) = rest.find("[[") {
        let Some(end) = rest[at..].find("]]") else {
            break;
        };
        words.push(rest[at + 2..at + end].to_lowercase());
        rest = &rest[at + end + 2..];
    }
    words
}

fn suggestion_of(t: &TestDir, query: &str) -> Option<String> {
    let out = t.run(["search", query, "--json"]);
    out.json()["suggestion"].as_str().map(str::to_string)
}

/// An empty query alone is a mistake, named, exit 2; with a date range or a folder it lists
/// those articles by date, earliest first, without a score.
fn empty_queries(t: &TestDir, corpus: &Path) {
    for q in ["", "  "] {
        let out = t.run(["search", q]);
        out.assert_code(2);
        assert!(out.stdout.is_empty(), "{}", out.stdout);
        assert!(out.stderr.contains("the query is empty"), "{}", out.stderr);
        assert!(out.stderr.contains("--from"), "{}", out.stderr);
    }
    let out = t.run(["search", "", "--from", "1861", "--to", "1861"]);
    out.assert_code(0);
    let text = out.stdout_without_timing();
    let first = text.lines().next().unwrap();
    assert!(first.starts_with(" 1. 1861-03-04  "), "{first}");
    assert!(
        first.ends_with("corpus/inaugural/inaugural-1861-lincoln.txt  ¶1"),
        "{first}"
    );
    assert!(!text.contains("score"), "{text}");
    let inaugural = corpus.join("inaugural").display().to_string();
    let v = t.search_json("", &["--in", &inaugural, "-n", "100"]);
    assert_eq!(v["total"], 59);
    let dates: Vec<&str> = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["date"].as_str().unwrap())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted, "earliest first");
}

/// A query of the commonest words matches every article, but ranks by the words side by side
/// (scores that are not 0.00), says so, and highlights the words (they are all it has).
fn common_words_only(t: &TestDir) {
    let out = t.run(["search", "the and of to"]);
    out.assert_code(0);
    assert!(
        out.stderr.contains("note: every word of the query"),
        "{}",
        out.stderr
    );
    assert!(!out.stdout.contains("score 0.00"), "{}", out.stdout);
    assert!(marked(&out.stdout).contains(&"the".to_string()));
    let v = t.search_json("the and of to", &[]);
    assert_eq!(v["total"], 382);
    let scores = scores_of(&v);
    assert!(scores[0] > 1.0, "{scores:?}");
    assert!(scores[0] > scores[9], "{scores:?}");
    // A query with a rarer word: no note.
    let out = t.run(["search", "the canals"]);
    assert!(!out.stderr.contains("note:"), "{}", out.stderr);
}

/// A question: its rare words carry the ranking, and its common words are not highlighted.
fn a_question(t: &TestDir) {
    let q = "why did the president ask congress for railroads and canals";
    let out = t.run(["search", q, "--snippets", "3"]);
    out.assert_code(0);
    let marks = marked(&out.stdout);
    assert!(!marks.is_empty());
    for common in ["the", "and", "for"] {
        assert!(!marks.contains(&common.to_string()), "{common}: {marks:?}");
    }
    assert!(
        marks
            .iter()
            .any(|m| m.starts_with("canal") || m.starts_with("railroad")),
        "{marks:?}"
    );
    let v = t.search_json(q, &[]);
    let top = &v["hits"][0]["snippet"];
    let snippet = top.as_str().unwrap().to_lowercase();
    assert!(
        snippet.contains("canal") || snippet.contains("railroad"),
        "{snippet}"
    );
    // Quoted, a phrase of common words is highlighted whole.
    let out = t.run(["search", "\"of the people\" canals"]);
    assert!(
        marked(&out.stdout).iter().any(|m| m == "of the people"),
        "{}",
        out.stdout
    );
}

/// Did-you-mean counts edits on the typed word against the archive's spellings.
fn misspellings(t: &TestDir) {
    assert_eq!(suggestion_of(t, "seperate").as_deref(), Some("separate"));
    assert_eq!(suggestion_of(t, "presidnet").as_deref(), Some("president"));
    assert_eq!(suggestion_of(t, "presdient").as_deref(), Some("president"));
    // `cafes` is in one article: `café` finds it, and `care` is two edits from `café`.
    let v = t.search_json("café", &[]);
    assert_eq!(v["total"], 1);
    assert_eq!(v.get("suggestion"), None, "{v}");
    // Of a longer word, two edits.
    assert_eq!(
        suggestion_of(t, "presidentail").as_deref(),
        Some("presidential")
    );
}

/// The bundled archive indexed once, then each kind of query checked on it.
#[test]
fn queries_people_actually_type() {
    let t = TestDir::new();
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    t.run(["index".as_ref(), corpus.as_os_str()]).assert_code(0);
    assert_eq!(paths_of(&t.search_json("presidnet", &[])).len(), 0);
    empty_queries(&t, &corpus);
    common_words_only(&t);
    a_question(&t);
    misspellings(&t);
}
