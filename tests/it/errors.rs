//! Errors and odd input, the missing index, usage errors, `DATELINE_INDEX` and the writer lock
//! (formerly the last part of tests/cli.rs).

use crate::common;
use crate::common::{
    CRASH, GOOD, HARVEST, NEW_YEAR, SEED, Summary, TestDir, WINTER, indexed_good, paths_of,
};
use crate::output::check_results;
use dateline::index::schema::FORMAT_VERSION;
use serde_json::Value;
use std::fs;

// ---------------------------------------------------------------------------------------------
// 8. Errors and odd input
// ---------------------------------------------------------------------------------------------

#[test]
fn commands_without_an_index_say_how_to_make_one() {
    let t = TestDir::with_good();
    for args in [
        vec!["search", "aid"],
        vec!["stats"],
        vec!["stats", "--json"],
        vec!["show", SEED],
    ] {
        let out = t.run(&args);
        out.assert_code(2);
        assert_eq!(out.stdout, "", "{args:?}");
        assert_eq!(
            out.stderr, "error: no index at idx (run: dateline index --index idx corpus/)\n",
            "{args:?}"
        );
    }
    assert!(!t.index().exists(), "reading must not create the index");
}

#[test]
fn index_folder_with_only_placeholders_counts_as_no_index() {
    let t = TestDir::with_good();
    t.write("idx/README.md", "The index lives here.\n");
    t.write("idx/.gitkeep", "");
    let out = t.run(["search", "aid"]);
    out.assert_code(2);
    assert_eq!(
        out.stderr,
        "error: no index at idx (run: dateline index --index idx corpus/)\n"
    );
    assert_eq!(t.index_corpus(), Summary::new(GOOD, 0, 0, 0, 0, GOOD));
    assert_eq!(t.read("idx/README.md"), b"The index lives here.\n");
}

#[test]
fn folder_that_is_not_an_index_is_refused_and_left_alone() {
    let t = TestDir::with_good();
    t.write("idx/notes.txt", "my precious notes");
    for args in [
        vec!["search", "aid"],
        vec!["stats"],
        vec!["show", SEED],
        vec!["index", "corpus"],
        vec!["index", "--rebuild", "corpus"],
    ] {
        let out = t.run(&args);
        out.assert_code(2);
        assert_eq!(out.stdout, "", "{args:?}");
        assert_eq!(
            out.stderr, "error: idx is not a dateline index (choose another folder with --index)\n",
            "{args:?}"
        );
    }
    let left: Vec<_> = fs::read_dir(t.index())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, vec!["notes.txt"]);
    assert_eq!(t.read("idx/notes.txt"), b"my precious notes");
}

#[test]
fn corrupt_meta_json_is_not_an_index() {
    let t = TestDir::with_good();
    t.write("idx/meta.json", "this is not json");
    let out = t.run(["search", "aid"]);
    out.assert_code(2);
    assert_eq!(
        out.stderr,
        "error: idx is not a dateline index (choose another folder with --index)\n"
    );
}

/// Rewrites the format version in the index's meta.json payload.
fn set_format_version(t: &TestDir, version: &str) {
    let path = t.index().join("meta.json");
    let mut meta: Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    assert_eq!(
        meta["payload"],
        format!("{{\"dateline_format\":{FORMAT_VERSION}}}")
    );
    meta["payload"] = Value::String(format!("{{\"dateline_format\":{version}}}"));
    fs::write(&path, serde_json::to_vec(&meta).unwrap()).unwrap();
}

#[test]
fn index_of_another_format_version_is_refused_until_rebuilt() {
    let t = indexed_good();
    // A newer version than this build reads; an older one (1: before common-word pairs) alike.
    let newer = FORMAT_VERSION + 1;
    set_format_version(&t, &newer.to_string());
    let expected = format!(
        "error: the index at idx has format version {newer}, this dateline reads version \
         {FORMAT_VERSION} (rebuild it: dateline index --index idx --rebuild PATH)\n"
    );
    for args in [
        vec!["search", "aid"],
        vec!["stats"],
        vec!["show", SEED],
        vec!["index", "corpus"],
    ] {
        let out = t.run(&args);
        out.assert_code(2);
        assert_eq!(out.stderr, expected, "{args:?}");
        assert_eq!(out.stdout, "", "{args:?}");
    }
    let out = t.run(["index", "--rebuild", "corpus"]);
    out.assert_code(0);
    assert_eq!(out.summary(), Summary::new(GOOD, 0, 0, 0, 0, GOOD));
    assert_eq!(t.hit_paths("Putin", &[]), vec![SEED]);
    assert_eq!(t.stats()["format_version"], FORMAT_VERSION);
}

#[test]
fn malformed_queries_are_read_leniently_with_a_warning() {
    let t = indexed_good();
    // (query, exit code, warning on stderr, hits)
    let cases: [(&str, i32, &str, &[&str]); 5] = [
        (
            "\"unclosed",
            1,
            "warning: syntax error: an unclosed quote or parenthesis, or a lone operator; \
             searched for: unclosed\n",
            &[],
        ),
        (
            "\"peace brokers",
            0,
            "warning: syntax error: an unclosed quote or parenthesis, or a lone operator; \
             searched for: peace brokers\n",
            &[CRASH, SEED],
        ),
        (
            "(aid",
            0,
            "warning: syntax error: an unclosed quote or parenthesis, or a lone operator; \
             searched for: aid\n",
            &[NEW_YEAR, SEED],
        ),
        (
            "nosuchfield:aid",
            0,
            "warning: no field named \"nosuchfield\"; searched for: nosuchfield aid\n",
            &[NEW_YEAR, SEED],
        ),
        (
            "festival AND",
            0,
            "warning: syntax error: an unclosed quote or parenthesis, or a lone operator; \
             searched for: festival\n",
            &[HARVEST],
        ),
    ];
    for (q, code, warning, hits) in cases {
        let out = t.run(["search", q, "--json"]);
        out.assert_code(code);
        assert_eq!(out.stderr, warning, "{q}");
        assert_eq!(paths_of(&out.json()), hits, "{q}");
    }
}

#[test]
fn odd_queries_never_panic() {
    let t = indexed_good();
    let long_words = "aid ".repeat(1000);
    for q in [
        "AND",
        "OR NOT",
        "NOT",
        "((((",
        "))))",
        "\"",
        "\"\"",
        "*",
        "aid^",
        "aid~2",
        ":",
        "body:",
        "date:",
        "date:yesterday",
        "path:",
        "date:[2016 TO]",
        "+",
        "-",
        "+-aid",
        "aid OR OR OR",
        "\u{feff}aid",
        "🙂",
        "東京",
        long_words.as_str(),
    ] {
        let out = t.run(["search", "--json", "--", q]);
        if out.code != 2 {
            check_results(&t, &out.json(), q);
        } else {
            assert!(out.stderr.starts_with("error: "), "{q:?}: {}", out.stderr);
        }
    }
}

#[test]
fn query_longer_than_4096_bytes_is_refused() {
    let t = indexed_good();
    let long = "a".repeat(5000);
    let out = t.run(["search", &long]);
    out.assert_code(2);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "error: the query is 5000 bytes long; the limit is 4096\n"
    );
    // Multi-byte characters count in bytes.
    let wide = "é".repeat(2049);
    let out = t.run(["search", &wide]);
    out.assert_code(2);
    assert_eq!(
        out.stderr,
        "error: the query is 4098 bytes long; the limit is 4096\n"
    );
    // Exactly at the limit is fine.
    let edge = "aid ".repeat(1024);
    assert_eq!(edge.len(), 4096);
    let out = t.run(["search", &edge]);
    out.assert_code(0);
    assert_eq!(
        out.stdout.lines().last().map(common::mask_millis),
        Some("2 matching articles, showing 1-2 (T ms)".to_string())
    );
}

#[test]
fn query_starting_with_an_operator_works_after_double_dash() {
    let t = indexed_good();
    let out = t.run(["search", "--json", "--", "-bus convoys"]);
    out.assert_code(0);
    assert_eq!(paths_of(&out.json()), vec![WINTER]);
}

#[test]
fn query_may_start_with_an_excluded_word() {
    let t = indexed_good();
    let out = t.run(["search", "-bus convoys", "--json"]);
    out.assert_code(0);
    assert_eq!(paths_of(&out.json()), vec![WINTER]);
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    let t = indexed_good();
    for args in [
        vec!["search"],
        vec!["search", "aid", "--sort", "sideways"],
        vec!["search", "aid", "-n", "-1"],
        vec!["search", "aid", "--limit", "many"],
        vec!["frobnicate"],
        vec![],
    ] {
        let out = t.run(&args);
        out.assert_code(2);
        assert_eq!(out.stdout, "", "{args:?}");
        assert!(!out.stderr.is_empty(), "{args:?}");
    }
    for args in [vec!["--help"], vec!["search", "--help"], vec!["--version"]] {
        let out = t.run(&args);
        out.assert_code(0);
        assert!(!out.stdout.is_empty(), "{args:?}");
    }
    assert!(t.run(["--version"]).stdout.starts_with("dateline "));
}

#[test]
fn dateline_index_environment_variable_names_the_index() {
    let t = indexed_good();
    // The harness passes --index idx; a bare command reads DATELINE_INDEX instead.
    let out = common::Output::of({
        let mut cmd = std::process::Command::new(common::bin());
        cmd.current_dir(t.path())
            .args(["stats", "--json"])
            .env("DATELINE_INDEX", "idx")
            .env_remove("NO_COLOR");
        cmd
    });
    out.assert_code(0);
    assert_eq!(out.json()["articles"], GOOD);
    // --index wins over the variable.
    let out = t.run_env(["stats", "--json"], &[("DATELINE_INDEX", "elsewhere")]);
    out.assert_code(0);
    assert_eq!(out.json()["index"], "idx");
}

// ---------------------------------------------------------------------------------------------
// 9. The writer lock
// ---------------------------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn second_indexer_while_the_writer_lock_is_held_is_refused() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let t = indexed_good();
    let lock = t.index().join(".tantivy-writer.lock");
    assert!(lock.is_file(), "tantivy's writer lock file");
    // util-linux flock(1) takes the same flock(2) lock tantivy does, and holds it until its
    // shell reads end-of-file on stdin.
    let holder = Command::new("flock")
        .arg("--nonblock")
        .arg("--close")
        .arg(&lock)
        .args(["-c", "echo locked; read _"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut holder) = holder else {
        common::skipped("flock(1) is not available");
        return;
    };
    let mut line = String::new();
    BufReader::new(holder.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    if line.trim() != "locked" {
        // Not util-linux flock (BusyBox's lacks these options): nothing to test with.
        drop(holder.stdin.take());
        let _ = holder.wait();
        common::skipped(&format!("flock(1) did not take the lock ({line:?})"));
        return;
    }

    t.write(
        "corpus/2021-01-01-late.txt",
        " date 2021-01-01 Waiting for the lock.",
    );
    let out = t.run(["index", "corpus"]);
    // Readers are not blocked by the writer lock.
    let search = t.run(["search", "Putin"]);

    drop(holder.stdin.take()); // end of file: the holder exits and the lock is released
    holder.wait().unwrap();

    out.assert_code(2);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "error: another dateline index is writing to idx (wait for it to finish, then run \
         again)\n"
    );
    search.assert_code(0);

    // Once released, indexing works and nothing was lost.
    assert_eq!(t.index_corpus(), Summary::new(1, 0, 0, GOOD, 0, GOOD + 1));
}

#[test]
fn a_phrase_of_common_words_matches_exactly_and_is_highlighted_as_one_span() {
    let t = TestDir::new();
    t.write(
        "corpus/a.txt",
        " date 2001-01-01 In March the Company said it would close the mill.\n",
    );
    // The words, but not in that order or not together.
    t.write(
        "corpus/b.txt",
        " date 2001-01-02 The mill said the company would close.\n",
    );
    t.write(
        "corpus/c.txt",
        " date 2001-01-03 Shares of the company rose.\n\nSaid a trader: fine.\n",
    );
    // Plural and capitals: the same stems.
    t.write(
        "corpus/d.txt",
        " date 2001-01-04 Analysts noted that THE COMPANIES SAID nothing.\n",
    );
    t.index_corpus();
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    let json = t.search_json("\"the company said\"", &[]);
    assert_eq!(
        sorted(paths_of(&json)),
        vec!["corpus/a.txt", "corpus/d.txt"]
    );
    for hit in json["hits"].as_array().unwrap() {
        let snippet = hit["snippet"].as_str().unwrap();
        let spans: Vec<&str> = hit["highlights"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| &snippet[h[0].as_u64().unwrap() as usize..h[1].as_u64().unwrap() as usize])
            .collect();
        assert!(
            spans == ["the Company said"] || spans == ["THE COMPANIES SAID"],
            "{spans:?} in {snippet}"
        );
    }
    // A phrase never runs across a paragraph break.
    assert_eq!(
        sorted(t.hit_paths("\"company said\"", &[])),
        vec!["corpus/a.txt", "corpus/d.txt"]
    );
    // Two words, one common: a single pair.
    assert_eq!(t.hit_paths("\"of the company\"", &[]), vec!["corpus/c.txt"]);
    // Common words alone still match as words.
    assert_eq!(t.search_json("the", &[])["total"], 4);
}

/// The same folder indexed from two working directories, by a relative and an absolute path, is
/// one set of articles: keys do not depend on where dateline runs.
#[test]
fn the_same_files_indexed_from_another_directory_are_not_duplicated() {
    let t = TestDir::with_good();
    assert_eq!(t.index_corpus().added, GOOD);
    let index = t.index();
    let run_in = |dir: &std::path::Path, args: &[&str]| {
        let mut cmd = std::process::Command::new(common::bin());
        cmd.current_dir(dir).arg("--index").arg(&index).args(args);
        common::scrub_env(&mut cmd);
        common::Output::of(cmd)
    };
    let elsewhere = tempfile::tempdir().unwrap();
    let corpus_abs = t.join("corpus");
    let out = run_in(elsewhere.path(), &["index", corpus_abs.to_str().unwrap()]);
    out.assert_code(0);
    assert_eq!(out.summary(), Summary::new(0, 0, 0, GOOD, 0, GOOD));
    // From inside the corpus, `.` is the same folder.
    let out = run_in(&corpus_abs, &["index", "."]);
    out.assert_code(0);
    assert_eq!(out.summary(), Summary::new(0, 0, 0, GOOD, 0, GOOD));
    // Results show paths relative to where the search runs, or whole outside it.
    let json = run_in(&corpus_abs, &["search", "Putin", "--json"]).json();
    assert_eq!(paths_of(&json), vec!["2016-09-17-aleppo-aid-caravans.txt"]);
    let json = run_in(elsewhere.path(), &["search", "Putin", "--json"]).json();
    let canonical = std::fs::canonicalize(&corpus_abs).unwrap();
    assert_eq!(
        paths_of(&json),
        vec![format!(
            "{}/2016-09-17-aleppo-aid-caravans.txt",
            canonical.display()
        )]
    );
    // `path:` takes a path as the user sees it.
    assert_eq!(t.hit_paths(&format!("path:{SEED}"), &[]), vec![SEED]);
}
