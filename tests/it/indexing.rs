//! `dateline index`: incremental updates, the walk, and bad files reported with their line and
//! reason (formerly the first part of tests/cli.rs).

use crate::common;
use crate::common::{
    CRASH, GOOD, HARVEST, LEAP, RAIL, SEED, Summary, TestDir, WINTER, fixture_bytes, fixture_names,
    indexed_good,
};
use std::fs;
use std::time::{Duration, SystemTime};

// ---------------------------------------------------------------------------------------------
// 1. Indexing and incremental updates
// ---------------------------------------------------------------------------------------------

#[test]
fn index_good_fixtures_then_reindex_finds_everything_unchanged() {
    let t = TestDir::with_good();
    let out = t.run(["index", "corpus"]);
    out.assert_code(0);
    assert_eq!(out.stderr, "");
    assert_eq!(out.summary(), Summary::new(GOOD, 0, 0, 0, 0, GOOD));
    assert!(
        out.stdout
            .starts_with("7 added, 0 updated, 0 removed, 0 unchanged, 0 skipped in "),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.ends_with(" s; the index holds 7 articles\n"),
        "{}",
        out.stdout
    );
    assert!(t.index().join("meta.json").is_file());

    let again = t.run(["index", "corpus"]);
    again.assert_code(0);
    assert_eq!(again.summary(), Summary::new(0, 0, 0, GOOD, 0, GOOD));
    assert_eq!(t.article_count(), GOOD);
}

#[test]
fn index_summary_says_article_for_one() {
    let t = TestDir::new();
    t.write("corpus/one.txt", " date 2016-01-01 Only one.");
    let out = t.run(["index", "corpus"]);
    out.assert_code(0);
    assert!(
        out.stdout.ends_with("; the index holds 1 article\n"),
        "{}",
        out.stdout
    );
    assert_eq!(out.summary(), Summary::new(1, 0, 0, 0, 0, 1));
}

#[test]
fn index_without_paths_indexes_corpus_folder() {
    let t = TestDir::with_good();
    let out = t.run(["index"]);
    out.assert_code(0);
    assert_eq!(out.summary(), Summary::new(GOOD, 0, 0, 0, 0, GOOD));
    assert_eq!(t.hit_paths("Putin", &[]), vec![SEED]);
}

#[test]
fn edited_file_is_updated_and_its_old_text_is_gone() {
    let t = indexed_good();
    assert_eq!(t.hit_paths("convoys", &[]), vec![WINTER, RAIL]);

    t.write(
        RAIL,
        " date 2016-10-01 The rail strike was called off and trains ran normally.\n",
    );
    let out = t.run(["index", "corpus"]);
    out.assert_code(0);
    assert_eq!(out.summary(), Summary::new(0, 1, 0, GOOD - 1, 0, GOOD));

    assert_eq!(t.hit_paths("convoys", &[]), vec![WINTER]);
    assert_eq!(t.hit_paths("normally", &[]), vec![RAIL]);
    assert_eq!(
        t.article_count(),
        GOOD,
        "the edit must replace, not duplicate"
    );
    let shown = t.run(["show", RAIL, "--json"]);
    shown.assert_code(0);
    assert_eq!(
        shown.json()["paragraphs"],
        serde_json::json!(["The rail strike was called off and trains ran normally."])
    );
}

#[test]
fn deleted_file_is_removed() {
    let t = indexed_good();
    t.remove(LEAP);
    let out = t.run(["index", "corpus"]);
    out.assert_code(0);
    assert_eq!(out.summary(), Summary::new(0, 0, 1, GOOD - 1, 0, GOOD - 1));
    assert_eq!(t.article_count(), GOOD - 1);
    let out = t.run(["search", "leap"]);
    out.assert_code(1);
    assert!(
        out.stdout.starts_with("0 matching articles"),
        "{}",
        out.stdout
    );
    t.run(["show", LEAP]).assert_code(2);
}

#[test]
fn new_file_is_added() {
    let t = indexed_good();
    t.write(
        "corpus/2021-06-01-new.txt",
        " date 2021-06-01 A brand new zeppelin article.\n",
    );
    let out = t.run(["index", "corpus"]);
    out.assert_code(0);
    assert_eq!(out.summary(), Summary::new(1, 0, 0, GOOD, 0, GOOD + 1));
    assert_eq!(
        t.hit_paths("zeppelin", &[]),
        vec!["corpus/2021-06-01-new.txt"]
    );
}

#[test]
fn touched_file_with_same_content_is_not_updated() {
    let t = indexed_good();
    let f = fs::File::options()
        .write(true)
        .open(t.join(HARVEST))
        .unwrap();
    f.set_modified(SystemTime::now() - Duration::from_secs(3 * 86_400))
        .unwrap();
    drop(f);
    let out = t.run(["index", "corpus"]);
    out.assert_code(0);
    assert_eq!(out.summary(), Summary::new(0, 0, 0, GOOD, 0, GOOD));
    // And again: still nothing to do.
    assert_eq!(
        t.run(["index", "corpus"]).summary(),
        Summary::new(0, 0, 0, GOOD, 0, GOOD)
    );
}

#[test]
fn rebuild_adds_everything_again() {
    let t = indexed_good();
    let out = t.run(["index", "--rebuild", "corpus"]);
    out.assert_code(0);
    assert_eq!(out.summary(), Summary::new(GOOD, 0, 0, 0, 0, GOOD));
    assert_eq!(t.article_count(), GOOD);
    assert_eq!(t.hit_paths("convoys", &[]), vec![WINTER, RAIL]);
}

#[test]
fn rebuild_forgets_articles_whose_files_are_gone() {
    let t = indexed_good();
    t.remove(CRASH);
    let out = t.run(["index", "--rebuild", "corpus"]);
    out.assert_code(0);
    assert_eq!(out.summary(), Summary::new(GOOD - 1, 0, 0, 0, 0, GOOD - 1));
    assert_eq!(t.stats()["first_date"], "2015-12-31");
}

#[test]
fn indexing_a_subfolder_removes_only_inside_it() {
    let t = TestDir::new();
    t.write("corpus/a/1.txt", " date 2016-01-01 alpha article");
    t.write("corpus/a/2.txt", " date 2016-01-02 alpha second");
    t.write(
        "corpus/ab/3.txt",
        " date 2016-01-03 sibling with a shared prefix",
    );
    t.write("corpus/b/4.txt", " date 2016-01-04 beta article");
    t.write("corpus/5.txt", " date 2016-01-05 top article");
    assert_eq!(t.index_corpus(), Summary::new(5, 0, 0, 0, 0, 5));

    // Files outside corpus/a vanish, but only corpus/a is re-indexed: nothing is removed.
    t.remove("corpus/ab/3.txt");
    t.remove("corpus/b/4.txt");
    t.remove("corpus/5.txt");
    let out = t.run(["index", "corpus/a"]);
    out.assert_code(0);
    assert_eq!(out.summary(), Summary::new(0, 0, 0, 2, 0, 5));

    // A file inside corpus/a vanishes: that one is removed.
    t.remove("corpus/a/2.txt");
    let out = t.run(["index", "corpus/a/"]);
    out.assert_code(0);
    assert_eq!(out.summary(), Summary::new(0, 0, 1, 1, 0, 4));
    assert_eq!(t.hit_paths("alpha", &[]), vec!["corpus/a/1.txt"]);
    assert_eq!(t.hit_paths("sibling", &[]), vec!["corpus/ab/3.txt"]);

    // Indexing the whole corpus catches up.
    let out = t.run(["index", "corpus"]);
    assert_eq!(out.summary(), Summary::new(0, 0, 3, 1, 0, 1));
}

#[test]
fn indexing_one_file_removes_nothing_else() {
    let t = indexed_good();
    t.remove(CRASH);
    let out = t.run(["index", SEED]);
    out.assert_code(0);
    assert_eq!(out.summary(), Summary::new(0, 0, 0, 1, 0, GOOD));
}

#[test]
fn same_folder_named_three_ways_is_the_same_articles() {
    let t = indexed_good();
    let abs = t.corpus().display().to_string();
    for root in ["./corpus", "corpus/", abs.as_str()] {
        let out = t.run(["index", root]);
        out.assert_code(0);
        assert_eq!(
            out.summary(),
            Summary::new(0, 0, 0, GOOD, 0, GOOD),
            "index {root}"
        );
    }
    // Naming it twice in one run counts each file once.
    let out = t.run(["index", "corpus", "./corpus", &abs]);
    assert_eq!(out.summary(), Summary::new(0, 0, 0, GOOD, 0, GOOD));
}

#[test]
fn indexing_current_folder_removes_deleted_files() {
    let t = TestDir::new();
    t.write("corpus/a.txt", " date 2016-01-01 alpha");
    t.write("corpus/b.txt", " date 2016-01-02 beta");
    let out = t.run(["index", "."]);
    out.assert_code(0);
    assert_eq!(out.summary(), Summary::new(2, 0, 0, 0, 0, 2));
    t.remove("corpus/b.txt");
    let out = t.run(["index", "."]);
    out.assert_code(0);
    assert_eq!(out.summary(), Summary::new(0, 0, 1, 1, 0, 1));
    t.run(["search", "beta"]).assert_code(1);
}

#[test]
fn single_file_is_indexed_whatever_its_extension() {
    let t = TestDir::new();
    t.write("notes.md", " date 2016-04-04 Markdown named directly.");
    t.write("corpus/sub/plain", " date 2016-04-05 No extension at all.");
    let out = t.run(["index", "notes.md", "corpus/sub/plain"]);
    out.assert_code(0);
    assert_eq!(out.summary(), Summary::new(2, 0, 0, 0, 0, 2));
    assert_eq!(t.hit_paths("markdown", &[]), vec!["notes.md"]);
    assert_eq!(t.hit_paths("extension", &[]), vec!["corpus/sub/plain"]);
    // The same files are not picked up by a walk of their folder.
    let t2 = TestDir::new();
    t2.write("corpus/notes.md", " date 2016-04-04 Markdown in a folder.");
    t2.write("corpus/plain", " date 2016-04-05 No extension.");
    // Passed by, but counted.
    assert_eq!(
        t2.index_corpus(),
        Summary::new(0, 0, 0, 0, 0, 0).ignoring(2)
    );
}

#[test]
fn walk_skips_hidden_entries_and_counts_files_of_other_formats() {
    let t = TestDir::new();
    t.write("corpus/kept.txt", " date 2016-01-01 kept top");
    t.write("corpus/deep/er/kept.txt", " date 2016-01-02 kept deep");
    t.write("corpus/upper/KEPT.TXT", " date 2016-01-03 kept upper");
    t.write("corpus/.hidden.txt", " date 2016-01-04 hidden file");
    t.write("corpus/.git/inside.txt", " date 2016-01-05 hidden folder");
    t.write("corpus/notes.md", " date 2016-01-06 hidden markdown");
    t.write("corpus/data.tsv", "not\tan\tarticle");
    t.write("corpus/noext", " date 2016-01-07 hidden noext");
    t.write("corpus/README", "Hello");
    // Extensions in any case (KEPT.TXT); the four files of other formats counted, and listed
    // with -v; hidden entries passed by unmentioned.
    assert_eq!(t.index_corpus(), Summary::new(3, 0, 0, 0, 0, 3).ignoring(4));
    let out = t.run(["index", "corpus", "-v"]);
    out.assert_code(0);
    assert_eq!(
        out.stderr,
        "corpus/README: ignored: not an article format\n\
         corpus/data.tsv: ignored: not an article format\n\
         corpus/noext: ignored: not an article format\n\
         corpus/notes.md: ignored: not an article format\n"
    );
    assert_eq!(
        t.hit_paths("kept", &["--sort", "oldest"]),
        vec![
            "corpus/kept.txt",
            "corpus/deep/er/kept.txt",
            "corpus/upper/KEPT.TXT"
        ]
    );
    t.run(["search", "hidden"]).assert_code(1);
}

#[test]
fn missing_path_is_an_error_that_leaves_the_index_untouched() {
    let t = indexed_good();
    t.remove(CRASH);
    let meta_before = t.read("idx/meta.json");
    let out = t.run(["index", "corpus", "nowhere"]);
    out.assert_code(2);
    assert_eq!(out.stdout, "");
    assert_eq!(out.stderr, "error: nowhere: no such file or directory\n");
    // Nothing was committed: the deleted file's article is still there.
    assert_eq!(t.read("idx/meta.json"), meta_before);
    assert_eq!(t.article_count(), GOOD);
    assert_eq!(t.hit_paths("telephones", &[]), vec![CRASH]);
}

#[test]
fn missing_path_on_a_fresh_index_creates_nothing() {
    let t = TestDir::new();
    let out = t.run(["index", "nowhere/"]);
    out.assert_code(2);
    assert_eq!(out.stderr, "error: nowhere/: no such file or directory\n");
    assert!(!t.index().exists(), "no index folder may be created");
}

#[cfg(unix)]
#[test]
fn symlink_loop_is_reported_and_the_rest_indexed() {
    let t = TestDir::new();
    t.write("corpus/d/a.txt", " date 2016-01-01 inside the loop");
    std::os::unix::fs::symlink(t.join("corpus/d"), t.join("corpus/d/loop")).unwrap();
    let out = t.run(["index", "corpus"]);
    out.assert_code(1);
    assert_eq!(
        out.stderr,
        "corpus/d/loop: symlink loop (back to corpus/d)\n"
    );
    assert_eq!(out.summary(), Summary::new(1, 0, 0, 0, 1, 1));
}

#[test]
fn lenient_formats_are_accepted() {
    let t = TestDir::new();
    let cases: [(&str, &[u8], &str, &[&str]); 7] = [
        (
            "bom.txt",
            b"\xef\xbb\xbf date 2020-01-01 Byte order mark.\n\nSecond.",
            "2020-01-01",
            &["Byte order mark.", "Second."],
        ),
        (
            "crlf.txt",
            b" date 2020-01-02 Windows line ends.\r\n\r\nSecond.\r\n",
            "2020-01-02",
            &["Windows line ends.", "Second."],
        ),
        (
            "no-space.txt",
            b"date 2020-01-03 No leading space.\n\nSecond.\n",
            "2020-01-03",
            &["No leading space.", "Second."],
        ),
        (
            "trailing.txt",
            b" date 2020-01-04 Trailing spaces.   \n  \nSecond.\t \n",
            "2020-01-04",
            &["Trailing spaces.", "Second."],
        ),
        (
            "blanks.txt",
            b"\n\n date 2020-01-05 Blank lines around.\n\n\n\n\nSecond.\n\n\n",
            "2020-01-05",
            &["Blank lines around.", "Second."],
        ),
        (
            "next-line.txt",
            b" date 2020-01-06\nFirst paragraph on the next line.\n\nSecond.",
            "2020-01-06",
            &["First paragraph on the next line.", "Second."],
        ),
        (
            "wrapped.txt",
            b" date 2020-01-07 A paragraph\nwrapped over\nthree lines.\n\nSecond.",
            "2020-01-07",
            &["A paragraph wrapped over three lines.", "Second."],
        ),
    ];
    for (name, bytes, _, _) in &cases {
        t.write(&format!("corpus/{name}"), bytes);
    }
    assert_eq!(t.index_corpus(), Summary::new(7, 0, 0, 0, 0, 7));
    for (name, _, date, paragraphs) in &cases {
        let key = format!("corpus/{name}");
        let out = t.run(["show", &key, "--json"]);
        out.assert_code(0);
        let v = out.json();
        assert_eq!(v["path"], key.as_str());
        assert_eq!(v["date"], *date, "{name}");
        assert_eq!(v["paragraphs"], serde_json::json!(paragraphs), "{name}");
    }
}

// ---------------------------------------------------------------------------------------------
// 2. Bad files
// ---------------------------------------------------------------------------------------------

/// What the indexer must print for each bad fixture, in the order it prints them (by path).
const BAD_REPORTS: [&str; 11] = [
    "corpus/binary.txt:3: binary file (contains a NUL byte)",
    "corpus/date-in-middle.txt:2: expected a date line (` date YYYY-MM-DD first paragraph`)",
    "corpus/date-only.txt:1: no paragraph text after the date line",
    "corpus/empty.txt:1: empty file (expected a ` date YYYY-MM-DD` line)",
    "corpus/impossible-day.txt:1: impossible date 2016-02-30",
    "corpus/impossible-month.txt:1: impossible date 2016-13-01",
    "corpus/invalid-utf8.txt:3: not UTF-8 text (invalid byte at offset 42)",
    "corpus/no-date.txt:1: expected a date line (` date YYYY-MM-DD first paragraph`)",
    "corpus/other-format.txt:1: invalid date \"17/09/2016\" (expected YYYY-MM-DD)",
    "corpus/out-of-range.txt:1: date 1600-01-01 is outside the supported range \
     1678-01-01..2261-12-31",
    "corpus/whitespace-only.txt:1: empty file (expected a ` date YYYY-MM-DD` line)",
];

#[test]
fn bad_fixtures_are_what_they_claim() {
    // Guards the fixtures themselves: exact bytes matter for the line numbers and offsets.
    assert_eq!(fixture_names("bad").len(), BAD_REPORTS.len());
    assert_eq!(fixture_bytes("bad", "empty.txt"), b"");
    assert!(
        fixture_bytes("bad", "whitespace-only.txt")
            .iter()
            .all(u8::is_ascii_whitespace)
    );
    let utf8 = fixture_bytes("bad", "invalid-utf8.txt");
    assert_eq!(utf8[42], 0xff);
    assert!(std::str::from_utf8(&utf8[..42]).is_ok());
    let bin = fixture_bytes("bad", "binary.txt");
    assert!(bin.starts_with(b"\x89PNG\r\n\x1a\n\0"));
    assert_eq!(
        fixture_bytes("good", "2016-09-17-aleppo-aid-caravans.txt"),
        fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/corpus/2016-09-17-aleppo-aid-caravans.txt"
        ))
        .unwrap(),
        "the seed fixture must be the corpus seed, byte for byte"
    );
}

#[test]
fn bad_files_are_reported_with_line_and_reason_and_good_ones_indexed() {
    let t = TestDir::with_good();
    t.copy_fixtures("bad", "corpus");
    let out = t.run(["index", "corpus"]);
    out.assert_code(1);
    assert_eq!(out.stderr_lines(), BAD_REPORTS);
    assert_eq!(
        out.summary(),
        Summary::new(GOOD, 0, 0, 0, BAD_REPORTS.len() as u64, GOOD)
    );
    assert_eq!(t.article_count(), GOOD);

    // They are reported again on every run, and the good ones stay unchanged.
    let out = t.run(["index", "corpus"]);
    out.assert_code(1);
    assert_eq!(out.stderr_lines(), BAD_REPORTS);
    assert_eq!(
        out.summary(),
        Summary::new(0, 0, 0, GOOD, BAD_REPORTS.len() as u64, GOOD)
    );
}

#[test]
fn bad_file_named_directly_is_reported_with_its_path_as_given() {
    let t = TestDir::new();
    t.copy_fixture("bad", "impossible-day.txt", "elsewhere/feb.txt");
    let out = t.run(["index", "./elsewhere/feb.txt"]);
    out.assert_code(1);
    assert_eq!(
        out.stderr,
        "./elsewhere/feb.txt:1: impossible date 2016-02-30\n"
    );
    assert_eq!(out.summary(), Summary::new(0, 0, 0, 0, 1, 0));
}

#[test]
fn file_over_16_mib_is_refused() {
    let t = TestDir::new();
    t.write("corpus/ok.txt", " date 2016-01-01 Small enough.");
    // A sparse file: one byte over the limit, without writing 16 MiB.
    let big = fs::File::create(t.join("corpus/big.txt")).unwrap();
    big.set_len(16 * 1024 * 1024 + 1).unwrap();
    drop(big);
    let out = t.run(["index", "corpus"]);
    out.assert_code(1);
    assert_eq!(
        out.stderr,
        "corpus/big.txt: file too large (16777217 bytes; the limit is 16 MiB)\n"
    );
    assert_eq!(out.summary(), Summary::new(1, 0, 0, 0, 1, 1));
}

#[test]
fn indexed_file_that_turns_bad_keeps_its_old_version() {
    let t = indexed_good();
    t.write(
        RAIL,
        " date 2016-10-32 A broken edit of the rail strike story.\n",
    );
    let out = t.run(["index", "corpus"]);
    out.assert_code(1);
    assert_eq!(
        out.stderr,
        format!("{RAIL}:1: impossible date 2016-10-32\n")
    );
    assert_eq!(out.summary(), Summary::new(0, 0, 0, GOOD - 1, 1, GOOD));
    // The old version is still searchable and shown.
    assert_eq!(t.hit_paths("strike", &[]), vec![RAIL]);
    t.run(["search", "broken"]).assert_code(1);
    let shown = t.run(["show", RAIL, "--json"]).json();
    assert_eq!(shown["date"], "2016-10-01");
    // Fixing the file updates it.
    t.write(RAIL, " date 2016-10-02 The rail strike story, fixed.\n");
    let out = t.run(["index", "corpus"]);
    out.assert_code(0);
    assert_eq!(out.summary(), Summary::new(0, 1, 0, GOOD - 1, 0, GOOD));
    assert_eq!(t.run(["show", RAIL, "--json"]).json()["date"], "2016-10-02");
}

#[test]
fn date_outside_the_index_range_is_refused_with_its_reason() {
    let t = TestDir::new();
    t.write("corpus/late.txt", " date 2262-01-01 Too late.");
    t.write("corpus/edge.txt", " date 2261-12-31 Just in.");
    t.write("corpus/first.txt", " date 1678-01-01 Just in too.");
    let out = t.run(["index", "corpus"]);
    out.assert_code(1);
    assert_eq!(
        out.stderr,
        "corpus/late.txt:1: date 2262-01-01 is outside the supported range \
         1678-01-01..2261-12-31\n"
    );
    assert_eq!(out.summary(), Summary::new(2, 0, 0, 0, 1, 2));
    let stats = t.stats();
    assert_eq!(stats["first_date"], "1678-01-01");
    assert_eq!(stats["last_date"], "2261-12-31");
}

#[test]
fn out_of_range_date_is_reported_on_its_date_line() {
    let t = TestDir::new();
    t.write("corpus/old.txt", "\n\n date 1600-01-01 Too old.\n");
    let out = t.run(["index", "corpus"]);
    out.assert_code(1);
    assert_eq!(
        out.stderr,
        "corpus/old.txt:3: date 1600-01-01 is outside the supported range \
         1678-01-01..2261-12-31\n"
    );
}

#[cfg(unix)]
#[test]
fn unreadable_folder_is_reported_and_its_articles_kept() {
    use std::os::unix::fs::PermissionsExt;
    let t = indexed_good();
    t.write(
        "corpus/locked/a.txt",
        " date 2016-02-02 Behind a locked door.",
    );
    t.write("corpus/locked/b.txt", " date 2016-02-03 Also behind it.");
    assert_eq!(t.index_corpus(), Summary::new(2, 0, 0, GOOD, 0, GOOD + 2));

    let locked = t.join("corpus/locked");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    let _restore = common::RestoreMode(locked.clone());
    if fs::read_dir(&locked).is_ok() {
        // Running as root: permissions do not stop us, so there is nothing to test.
        eprintln!("skipped: corpus/locked is still readable (running as root?)");
        return;
    }
    let out = t.run(["index", "corpus"]);
    out.assert_code(1);
    assert_eq!(out.stderr, "corpus/locked: permission denied\n");
    assert_eq!(out.summary(), Summary::new(0, 0, 0, GOOD, 1, GOOD + 2));
    assert_eq!(
        t.hit_paths("behind", &["--sort", "oldest"]),
        vec!["corpus/locked/a.txt", "corpus/locked/b.txt"]
    );
}
