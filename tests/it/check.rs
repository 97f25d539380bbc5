//! `dateline check` on a sound index, and on one damaged behind dateline's back with tantivy
//! itself: a second document for a path, and a document that does not read back.

use crate::common;
use dateline::index::{schema, store};
use std::path::Path;
use std::process::Output;
use tantivy::TantivyDocument;

fn dateline(cwd: &Path, args: &[&str]) -> Output {
    common::dateline(cwd)
        .args(["--index", "idx"])
        .args(args)
        .output()
        .expect("run dateline")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn indexed() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    std::fs::write(
        corpus.join("a.txt"),
        " date 2016-01-01 Alpha.\n\nMore alpha.",
    )
    .unwrap();
    std::fs::write(corpus.join("b.txt"), " date 2017-02-02 Beta.").unwrap();
    assert_eq!(dateline(dir.path(), &["index"]).status.code(), Some(0));
    dir
}

/// Adds documents with tantivy directly, committed with dateline's payload so the index still
/// opens as ours. Each path is relative to the index's folder and is keyed as dateline keys
/// files: by its absolute path.
fn inject(index_dir: &Path, docs: &[(&str, &str, &[&str])]) {
    let home = std::fs::canonicalize(index_dir.parent().unwrap()).unwrap();
    let store = store::open(index_dir).unwrap();
    let payload = store.index.load_metas().unwrap().payload.unwrap();
    let mut writer: tantivy::IndexWriter = store.index.writer(50_000_000).unwrap();
    let f = store.fields;
    for (path, date, paragraphs) in docs {
        let mut doc = TantivyDocument::new();
        doc.add_text(f.path, home.join(path).to_string_lossy());
        let d = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
        doc.add_date(f.date, schema::to_index_date(d).unwrap());
        for p in *paragraphs {
            doc.add_text(f.body, p);
            doc.add_text(f.pairs, p);
        }
        writer.add_document(doc).unwrap();
    }
    let mut prepared = writer.prepare_commit().unwrap();
    prepared.set_payload(&payload);
    prepared.commit().unwrap();
    writer.wait_merging_threads().unwrap();
}

#[test]
fn a_sound_index_checks_ok() {
    let dir = indexed();
    let out = dateline(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "ok: 2 articles checked\n");
    let json = dateline(dir.path(), &["check", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["articles"], 2);
    assert_eq!(v["problems"].as_array().unwrap().len(), 0);
}

#[test]
fn duplicates_and_documents_that_do_not_read_back_are_reported() {
    let dir = indexed();
    inject(
        &dir.path().join("idx"),
        &[
            ("corpus/a.txt", "2016-01-01", &["Alpha again."]),
            ("corpus/c.txt", "2018-03-03", &["One.\n\nTwo."]),
        ],
    );
    let out = dateline(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stdout),
        "does not parse back: corpus/c.txt: 1 paragraphs read back as 2\n\
         duplicate: corpus/a.txt (2 documents)\n\
         2 problems in 4 articles checked\n"
    );
    let json = dateline(dir.path(), &["check", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["articles"], 4);
    assert_eq!(v["problems"].as_array().unwrap().len(), 2);
}

#[test]
fn check_without_an_index_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dateline(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).starts_with("error: no index at idx"));
}
