//! The whole Reuters-21578 corpus (19,043 articles), unpacked from the shared corpora folder
//! named by `DATELINE_CORPORA` (`.ci/run` sets it). Without it the test says so and passes,
//! except under `CI=true`, where a missing corpus is a failure.

mod common;

use common::{corpora, unpack};
use std::path::Path;
use std::process::Output;

const ARTICLES: usize = 19_043;

fn dateline(cwd: &Path, args: &[&str]) -> Output {
    common::dateline(cwd)
        .args(args)
        .output()
        .expect("run dateline")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn reuters_indexes_whole_reindexes_nothing_and_finds_the_bahia_cocoa_review() {
    let Some(corpora) = corpora("reuters") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    unpack(&corpora, "reuters21578-dated", tmp.path());

    let first = dateline(tmp.path(), &["index", "reuters-dated"]);
    let (out, err) = (text(&first.stdout), text(&first.stderr));
    assert_eq!(first.status.code(), Some(0), "{out}{err}");
    assert!(
        out.starts_with(&format!(
            "{ARTICLES} added, 0 updated, 0 removed, 0 unchanged, 0 skipped"
        )),
        "{out}"
    );
    assert!(err.is_empty(), "{err}");

    let second = dateline(tmp.path(), &["index", "reuters-dated"]);
    let out = text(&second.stdout);
    assert_eq!(second.status.code(), Some(0));
    assert!(
        out.starts_with(&format!(
            "0 added, 0 updated, 0 removed, {ARTICLES} unchanged, 0 skipped"
        )),
        "{out}"
    );

    let stats = dateline(tmp.path(), &["stats", "--json"]);
    let s: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(s["articles"], ARTICLES);
    assert_eq!(s["first_date"], "1987-02-26");
    assert_eq!(s["last_date"], "1987-10-20");

    let found = dateline(
        tmp.path(),
        &[
            "search",
            "cocoa",
            "--from",
            "1987-02-26",
            "--to",
            "1987-02-26",
            "--json",
        ],
    );
    assert_eq!(found.status.code(), Some(0));
    let r: serde_json::Value = serde_json::from_slice(&found.stdout).unwrap();
    let hits = r["hits"].as_array().unwrap();
    assert_eq!(hits[0]["path"], "reuters-dated/reuters-00001.txt", "{r}");
    assert!(
        hits.iter().all(|h| h["date"] == "1987-02-26"),
        "a hit outside the day: {r}"
    );

    // The date filter runs inside the index: the same query unfiltered matches more.
    let all = dateline(tmp.path(), &["search", "cocoa", "--json", "-n", "0"]);
    let a: serde_json::Value = serde_json::from_slice(&all.stdout).unwrap();
    assert!(a["total"].as_u64().unwrap() > r["total"].as_u64().unwrap());
}
