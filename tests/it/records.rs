//! Records files: JSON Lines and CSV, a metadata table beside a folder of texts; bad records
//! reported as `file:line: reason` with the rest indexed; the incremental plan record by
//! record; a mapping remembered.

use crate::common::*;
use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// Copies `tests/fixtures/records/<rel>` (a file or a folder) to `dest` in the test folder.
fn copy_records(t: &TestDir, rel: &str, dest: &str) {
    let from = fixtures("records").join(rel);
    if from.is_dir() {
        for e in fs::read_dir(&from).unwrap() {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            copy_records(t, &format!("{rel}/{name}"), &format!("{dest}/{name}"));
        }
    } else {
        t.write(dest, fs::read(&from).unwrap());
    }
}

/// The dates of the hits of a query, by path.
fn dates(t: &TestDir, query: &str) -> Vec<(String, String)> {
    let v = t.search_json(query, &["--sort", "oldest", "-n", "100"]);
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["path"].as_str().unwrap().to_string(),
                h["date"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn paragraphs(t: &TestDir, path: &str) -> Vec<String> {
    let out = t.run(["show", path, "--json"]);
    out.assert_code(0);
    out.json()["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect()
}

/// Sets a file's modification time (to tell "not read" from "read and found unchanged").
fn set_mtime(t: &TestDir, rel: &str, when: SystemTime) {
    fs::File::options()
        .write(true)
        .open(t.join(rel))
        .unwrap()
        .set_modified(when)
        .unwrap();
}

fn mtime(t: &TestDir, rel: &str) -> SystemTime {
    fs::metadata(t.join(rel)).unwrap().modified().unwrap()
}

#[test]
fn json_lines_and_csv_records_are_articles() {
    let t = TestDir::new();
    copy_records(&t, "articles.jsonl", "corpus/articles.jsonl");
    copy_records(&t, "articles.csv", "corpus/articles.csv");
    assert_eq!(t.index_corpus(), Summary::new(5, 0, 0, 0, 0, 5));
    // Keys are the records file and the id; dates as written (an RFC 2822 date with its offset
    // keeps its own calendar day, not UTC's), the CSV's BOM and quoted fields read.
    assert_eq!(
        dates(&t, "checkpoint OR convoy OR tariff OR strike OR leap"),
        vec![
            (
                "corpus/articles.jsonl#syria-001".into(),
                "2016-09-17".into()
            ),
            (
                "corpus/articles.jsonl#syria-002".into(),
                "2016-09-20".into()
            ),
            (
                "corpus/articles.jsonl#trade-001".into(),
                "2018-03-02".into()
            ),
            ("corpus/articles.csv#op-1".into(), "2019-11-05".into()),
            ("corpus/articles.csv#op-2".into(), "2020-02-29".into()),
        ]
    );
    assert_eq!(
        paragraphs(&t, "corpus/articles.csv#op-1"),
        vec![
            "Commuters queued for buses as the rail strike entered its second day.",
            "Union leaders said talks would resume on Friday, \"if the ministry shows up\".",
        ]
    );
    assert_eq!(
        paragraphs(&t, "corpus/articles.jsonl#syria-001").len(),
        2,
        "the text's blank line separates paragraphs"
    );
    t.run(["check"]).assert_code(0);
    // A second run reads neither file.
    assert_eq!(t.index_corpus(), Summary::new(0, 0, 0, 5, 0, 5));
}

#[test]
fn a_metadata_table_beside_texts_indexes_each_text_once() {
    let t = TestDir::new();
    copy_records(&t, "table", "corpus/table");
    // Two records, the two text files read with them and not again on their own; each is
    // known by its text file.
    assert_eq!(t.index_corpus(), Summary::new(2, 0, 0, 0, 0, 2));
    // The dated text's own date wins; the plain text takes the record's.
    assert_eq!(
        dates(&t, "faction OR partition"),
        vec![
            ("corpus/table/texts/dated.txt".into(), "1787-11-23".into()),
            ("corpus/table/texts/plain.txt".into(), "1788-02-06".into()),
        ]
    );
    assert_eq!(
        paragraphs(&t, "corpus/table/texts/plain.txt"),
        vec![
            "To what expedient, then, shall we finally resort, for maintaining in practice the \
             necessary partition of power among the several departments?",
            "The second paragraph of the plain text.",
        ]
    );
    assert_eq!(t.index_corpus(), Summary::new(0, 0, 0, 2, 0, 2));
    // An edited text file is read again with its record, though the table did not change.
    t.write(
        "corpus/table/texts/plain.txt",
        "A new plain text about ambition.\n",
    );
    assert_eq!(t.index_corpus(), Summary::new(0, 1, 0, 1, 0, 2));
    assert_eq!(
        t.hit_paths("ambition", &[]),
        vec!["corpus/table/texts/plain.txt"]
    );
    // A text file indexed on its own before a table described it is replaced by the record.
    let t = TestDir::new();
    copy_records(&t, "table/texts", "corpus/table/texts");
    t.write(
        "corpus/table/texts/plain.txt",
        " date 1788-02-06 Now dated.",
    );
    assert_eq!(t.index_corpus(), Summary::new(2, 0, 0, 0, 0, 2));
    copy_records(&t, "table/metadata.csv", "corpus/table/metadata.csv");
    assert_eq!(t.index_corpus(), Summary::new(0, 2, 0, 0, 0, 2));
    // And a text file no record names any more is read on its own again.
    t.write(
        "corpus/table/metadata.csv",
        "file,date\ntexts/dated.txt,1787-11-22\n",
    );
    t.write(
        "corpus/table/texts/plain.txt",
        " date 1788-02-07 Dated again.",
    );
    assert_eq!(t.index_corpus(), Summary::new(0, 2, 0, 0, 0, 2));
    assert_eq!(
        dates(&t, "again"),
        vec![("corpus/table/texts/plain.txt".into(), "1788-02-07".into())]
    );
    // The table gone: the text it named is read on its own again.
    t.remove("corpus/table/metadata.csv");
    assert_eq!(t.index_corpus(), Summary::new(0, 1, 0, 1, 0, 2));
    assert_eq!(
        dates(&t, "faction"),
        vec![("corpus/table/texts/dated.txt".into(), "1787-11-23".into())]
    );
}

#[test]
fn bad_records_are_reported_by_line_and_the_rest_indexed() {
    let t = TestDir::new();
    let mut jsonl = Vec::new();
    jsonl.extend_from_slice(
        b"{\"id\": \"ok-1\", \"date\": \"2016-09-17\", \"text\": \"first fine record\"}\n",
    );
    jsonl.extend_from_slice(
        b"{\"id\": \"utf\", \"date\": \"2016-09-17\", \"text\": \"bad \xff byte\"}\n",
    );
    jsonl
        .extend_from_slice(b"{\"id\": \"old\", \"date\": \"1500-01-01\", \"text\": \"too old\"}\n");
    jsonl.extend_from_slice(b"{\"id\": \"nodate\", \"text\": \"no date here\"}\n");
    jsonl.extend_from_slice(b"\n");
    jsonl.extend_from_slice(b"{\"id\": \"notext\", \"date\": \"2016-09-17\"}\n");
    jsonl.extend_from_slice(
        b"{\"id\": \"type\", \"date\": \"2016-09-17\", \"text\": \"x\", \"title\": [1]}\n",
    );
    jsonl.extend_from_slice(
        b"{\"id\": \"dup\", \"date\": \"2016-09-17\", \"text\": \"dup first version\"}\n",
    );
    jsonl.extend_from_slice(
        b"{\"id\": \"dup\", \"date\": \"2016-09-18\", \"text\": \"dup second version\"}\n",
    );
    jsonl.extend_from_slice(
        b"{\"id\": \"ok-2\", \"date\": \"2016-09-19\", \"text\": \"second fine record\"}\n",
    );
    jsonl.extend_from_slice(b"{\"id\": \"cut\", \"date\": \"2016-09-17\", \"text\": \"truncat");
    t.write("corpus/news.jsonl", &jsonl);
    t.write(
        "corpus/rows.csv",
        "id,date,text\n\
         r1,2016-09-17,fine row one\n\
         r2,2016-09-17\n\
         r3,2016-09-17,extra,column\n\
         r4,2016-09-17,\"fine row\nfour\"\n\
         r5,2016-09-17,\"unclosed quote\n",
    );
    t.write(
        "corpus/table/meta.csv",
        "file,date\ntexts/missing.txt,2016-09-17\n../../outside.txt,2016-09-17\n",
    );
    t.write("outside.txt", "outside the folder");
    let out = t.run(["index", "corpus"]);
    out.assert_code(1);
    assert_eq!(
        out.stderr_lines(),
        vec![
            "corpus/news.jsonl:2: invalid JSON: invalid unicode code point (column 50)",
            "corpus/news.jsonl:3: date 1500-01-01 is outside the supported range 1678-01-01..2261-12-31",
            "corpus/news.jsonl:4: no date (looked for the fields date, published, date_publish, \
             publication_date, pubdate, datetime)",
            "corpus/news.jsonl:6: no text (looked for the fields text, body, content, maintext, \
             article, or a file: file, path)",
            "corpus/news.jsonl:7: field \"title\": expected text, found a list",
            "corpus/news.jsonl:9: duplicate id \"dup\" (also on line 8): the last record is indexed",
            "corpus/news.jsonl:11: invalid JSON: EOF while parsing a string (column 52)",
            "corpus/rows.csv:3: 2 fields where the header has 3",
            "corpus/rows.csv:4: 4 fields where the header has 3",
            "corpus/rows.csv:7: bad quoting: a quoted field is not closed, or a quote stands \
             inside an unquoted field (write it as \"\" inside a quoted one)",
            "corpus/table/meta.csv:2: text file texts/missing.txt: no such file or directory",
            "corpus/table/meta.csv:3: text file ../../outside.txt is outside the folder being \
             indexed (TESTDIR/corpus)"
                .replace(
                    "TESTDIR",
                    &fs::canonicalize(t.path()).unwrap().display().to_string()
                )
                .as_str(),
            "hint: when records name their fields otherwise, give the names with --map \
             ROLE=FIELD,... (see dateline index --help)",
        ]
    );
    // ok-1, dup, ok-2; r1, r4.
    assert_eq!(out.summary(), Summary::new(5, 0, 0, 0, 12, 5));
    assert_eq!(
        dates(&t, "dup"),
        vec![("corpus/news.jsonl#dup".into(), "2016-09-18".into())]
    );
    assert_eq!(
        paragraphs(&t, "corpus/rows.csv#r4"),
        vec!["fine row", "four"]
    );
    // A file with bad records is read again each run, and says so again; nothing is lost.
    let again = t.run(["index", "corpus"]);
    again.assert_code(1);
    assert_eq!(again.stderr, out.stderr);
    assert_eq!(again.summary(), Summary::new(0, 0, 0, 5, 12, 5));
}

#[test]
fn a_huge_record_is_refused_and_its_neighbours_kept() {
    let t = TestDir::new();
    let big = "x".repeat(100 * 1024 * 1024);
    let mut jsonl = String::new();
    jsonl.push_str(
        "{\"id\": \"before\", \"date\": \"2016-09-17\", \"text\": \"before the big one\"}\n",
    );
    jsonl.push_str(&format!(
        "{{\"id\": \"big\", \"date\": \"2016-09-17\", \"text\": \"{big}\"}}\n"
    ));
    jsonl.push_str(
        "{\"id\": \"after\", \"date\": \"2016-09-17\", \"text\": \"after the big one\"}\n",
    );
    t.write("corpus/big.jsonl", jsonl);
    let csv = format!(
        "id,date,text\na,2016-09-17,small before\nb,2016-09-17,\"{}\"\nc,2016-09-17,small after\n",
        &big[..20 * 1024 * 1024]
    );
    drop(big);
    t.write("corpus/big.csv", csv);
    let out = t.run(["index", "corpus"]);
    out.assert_code(1);
    assert_eq!(
        out.stderr_lines(),
        vec![
            "corpus/big.csv:3: record too large (the limit is 16 MiB a record)",
            "corpus/big.jsonl:2: record too large (the limit is 16 MiB a record)",
        ]
    );
    assert_eq!(out.summary(), Summary::new(4, 0, 0, 0, 2, 4));
    assert_eq!(t.hit_paths("after", &["--sort", "oldest"]).len(), 2);
}

#[test]
fn an_edited_records_file_updates_only_its_changed_records() {
    let t = TestDir::new();
    let line = |id: &str, text: &str| {
        format!("{{\"id\": \"{id}\", \"date\": \"2016-09-17\", \"text\": \"{text}\"}}\n")
    };
    let file = |records: &[(&str, &str)]| -> String {
        records.iter().map(|(id, text)| line(id, text)).collect()
    };
    t.write(
        "corpus/a.jsonl",
        file(&[("1", "alpha one"), ("2", "beta two"), ("3", "gamma three")]),
    );
    assert_eq!(t.index_corpus(), Summary::new(3, 0, 0, 0, 0, 3));
    // Same size, same time, other bytes: an unchanged file is not read at all.
    let when = mtime(&t, "corpus/a.jsonl");
    t.write(
        "corpus/a.jsonl",
        file(&[("1", "alpha one"), ("2", "zeta two"), ("3", "gamma three")]),
    );
    set_mtime(&t, "corpus/a.jsonl", when);
    assert_eq!(t.index_corpus(), Summary::new(0, 0, 0, 3, 0, 3));
    assert_eq!(t.hit_paths("beta", &[]), vec!["corpus/a.jsonl#2"]);
    // Touched: read, and record 2 alone re-indexed.
    set_mtime(&t, "corpus/a.jsonl", when + Duration::from_secs(5));
    assert_eq!(t.index_corpus(), Summary::new(0, 1, 0, 2, 0, 3));
    assert_eq!(t.hit_paths("zeta", &[]), vec!["corpus/a.jsonl#2"]);
    t.run(["search", "beta"]).assert_code(1);
    // A record gone is removed; one added is added.
    t.write(
        "corpus/a.jsonl",
        file(&[
            ("1", "alpha one"),
            ("4", "epsilon four"),
            ("3", "gamma three"),
        ]),
    );
    assert_eq!(t.index_corpus(), Summary::new(1, 0, 1, 2, 0, 3));
    t.run(["search", "zeta"]).assert_code(1);
    // The file gone: its records go.
    t.remove("corpus/a.jsonl");
    assert_eq!(t.index_corpus(), Summary::new(0, 0, 3, 0, 0, 0));
}

#[test]
fn records_without_ids_are_known_by_their_line() {
    let t = TestDir::new();
    t.write(
        "corpus/a.csv",
        "date,text\n2016-09-17,first\n2016-09-18,second\n",
    );
    assert_eq!(t.index_corpus(), Summary::new(2, 0, 0, 0, 0, 2));
    assert_eq!(t.hit_paths("second", &[]), vec!["corpus/a.csv#3"]);
    paragraphs(&t, "corpus/a.csv#2");
}

#[test]
fn a_mapping_is_remembered_for_the_next_plain_run() {
    let t = TestDir::new();
    t.write(
        "corpus/scraped.jsonl",
        "{\"story\": \"mapped text here\", \"when\": \"2016-09-17\", \"key\": \"s1\"}\n",
    );
    let out = t.run(["index", "corpus"]);
    out.assert_code(1);
    assert!(
        out.stderr.starts_with("corpus/scraped.jsonl:1: no text"),
        "{}",
        out.stderr
    );
    let out = t.run([
        "index",
        "corpus",
        "--map",
        "text=story,date=when",
        "--map",
        "id=key",
    ]);
    out.assert_code(0);
    assert_eq!(out.summary(), Summary::new(1, 0, 0, 0, 0, 1));
    assert_eq!(t.hit_paths("mapped", &[]), vec!["corpus/scraped.jsonl#s1"]);
    // The next plain run reads the same way and changes nothing.
    assert_eq!(t.index_corpus(), Summary::new(0, 0, 0, 1, 0, 1));
    // A new file in the same folder is read with the same mapping.
    t.write(
        "corpus/more.jsonl",
        "{\"story\": \"another mapped text\", \"when\": \"2016-09-18\", \"key\": \"m1\"}\n",
    );
    assert_eq!(t.index_corpus(), Summary::new(1, 0, 0, 1, 0, 2));
    // A bad mapping is an error in the arguments.
    let out = t.run(["index", "corpus", "--map", "body=story"]);
    out.assert_code(2);
    assert!(
        out.stderr.contains("unknown role \"body\""),
        "{}",
        out.stderr
    );
}

#[test]
fn a_template_names_each_records_text_file() {
    let t = TestDir::new();
    t.write(
        "corpus/meta.csv",
        "doc,date,title\n7,2016-09-17,Seven\n8,2016-09-18,Eight\n",
    );
    t.write("corpus/texts/7.txt", "Text of seven.\n");
    t.write(
        "corpus/texts/8.txt",
        " date 2001-01-01 Text of eight, dated.\n",
    );
    let out = t.run(["index", "corpus", "--map", "id=doc,file=texts/{doc}.txt"]);
    out.assert_code(0);
    assert_eq!(out.summary(), Summary::new(2, 0, 0, 0, 0, 2));
    assert_eq!(
        dates(&t, "text"),
        vec![
            ("corpus/texts/8.txt".into(), "2001-01-01".into()),
            ("corpus/texts/7.txt".into(), "2016-09-17".into()),
        ]
    );
}

#[test]
fn record_keys_work_with_show_forget_and_a_named_file() {
    let t = TestDir::new();
    copy_records(&t, "articles.jsonl", "corpus/articles.jsonl");
    t.copy_fixture("good", "2016-09-17-aleppo-aid-caravans.txt", SEED);
    // A records file named directly, then its folder.
    let out = t.run(["index", "corpus/articles.jsonl"]);
    out.assert_code(0);
    assert_eq!(out.summary(), Summary::new(3, 0, 0, 0, 0, 3));
    assert_eq!(t.index_corpus(), Summary::new(1, 0, 0, 3, 0, 4));
    let out = t.run(["show", "corpus/articles.jsonl#trade-001"]);
    out.assert_code(0);
    assert!(out.stdout.contains("steel tariff"), "{}", out.stdout);
    let out = t.run(["index", "--forget", "corpus/articles.jsonl#trade-001"]);
    out.assert_code(0);
    assert_eq!(out.summary().total, 3);
    let out = t.run(["index", "--forget", "corpus/articles.jsonl"]);
    out.assert_code(0);
    assert_eq!(out.summary(), Summary::new(0, 0, 2, 0, 0, 1));
    assert!(Path::new(&t.join("idx/records.json")).is_file());
}

#[test]
fn repair_reads_records_again_from_their_files() {
    let t = TestDir::new();
    copy_records(&t, "articles.jsonl", "corpus/articles.jsonl");
    copy_records(&t, "table", "corpus/table");
    assert_eq!(t.index_corpus(), Summary::new(5, 0, 0, 0, 0, 5));
    // Every segment's store cut short: the articles' segments are dropped, and their records
    // read again from the records files (not passed by as unchanged).
    for e in fs::read_dir(t.index()).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "store") {
            let len = fs::metadata(&p).unwrap().len();
            fs::File::options()
                .write(true)
                .open(&p)
                .unwrap()
                .set_len(len / 2)
                .unwrap();
        }
    }
    let out = t.run(["index", "--repair", "corpus"]);
    out.assert_code(0);
    assert!(
        out.stderr.contains("read again from their files"),
        "{}",
        out.stderr
    );
    let check = t.run(["check"]);
    check.assert_code(0);
    assert_eq!(check.stdout, "ok: 5 articles checked\n");
    assert_eq!(
        t.hit_paths("faction", &[]),
        vec!["corpus/table/texts/dated.txt"]
    );
    assert_eq!(
        t.hit_paths("checkpoint", &[]),
        vec!["corpus/articles.jsonl#syria-001"]
    );
}
