//! End-to-end tests of the `dateline` binary: indexing, bad input, search, date filters, output
//! formats, stats, show and errors. Each test works in its own temporary folder (see
//! `common::TestDir`) and runs the real binary.

mod common;

use common::{
    BY_DATE, CRASH, HARVEST, LEAP, NEW_YEAR, RAIL, SEED, Summary, TestDir, WINTER, fixture_bytes,
    fixture_names, paths_of,
};
use dateline::index::schema::FORMAT_VERSION;
use serde_json::Value;
use std::collections::BTreeSet;
use std::fs;
use std::time::{Duration, SystemTime};

/// How many good fixtures there are.
const GOOD: u64 = 7;

fn indexed_good() -> TestDir {
    let t = TestDir::with_good();
    assert_eq!(t.index_corpus(), Summary::new(GOOD, 0, 0, 0, 0, GOOD));
    t
}

/// The seed's paragraphs, straight from the fixture file.
fn seed_paragraphs() -> Vec<String> {
    let text = String::from_utf8(fixture_bytes("good", "2016-09-17-aleppo-aid-caravans.txt"))
        .expect("the seed is UTF-8");
    let body = text
        .strip_prefix(" date 2016-09-17 ")
        .expect("the seed starts with its date line");
    body.split("\n\n").map(|p| p.trim().to_string()).collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .expect("a JSON object")
        .keys()
        .cloned()
        .collect()
}

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
    assert_eq!(t2.index_corpus(), Summary::new(0, 0, 0, 0, 0, 0));
}

#[test]
fn walk_skips_hidden_entries_and_non_txt_files_and_recurses() {
    let t = TestDir::new();
    t.write("corpus/kept.txt", " date 2016-01-01 kept top");
    t.write("corpus/deep/er/kept.txt", " date 2016-01-02 kept deep");
    t.write("corpus/upper/KEPT.TXT", " date 2016-01-03 kept upper");
    t.write("corpus/.hidden.txt", " date 2016-01-04 hidden file");
    t.write("corpus/.git/inside.txt", " date 2016-01-05 hidden folder");
    t.write("corpus/notes.md", " date 2016-01-06 hidden markdown");
    t.write("corpus/data.csv", "not,an,article");
    t.write("corpus/noext", " date 2016-01-07 hidden noext");
    t.write("corpus/README", "Hello");
    assert_eq!(t.index_corpus(), Summary::new(3, 0, 0, 0, 0, 3));
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

// ---------------------------------------------------------------------------------------------
// 3. Search: matching and ranking
// ---------------------------------------------------------------------------------------------

#[test]
fn aid_convoys_aleppo_finds_every_article_with_any_of_the_words() {
    let t = indexed_good();
    let v = t.search_json("aid convoys Aleppo", &[]);
    assert_eq!(v["total"], 4);
    let found: BTreeSet<String> = paths_of(&v).into_iter().collect();
    assert_eq!(found, set(&[SEED, WINTER, NEW_YEAR, RAIL]));
}

#[test]
fn aid_convoys_aleppo_ranks_the_seed_first() {
    let t = indexed_good();
    let paths = t.hit_paths("aid convoys Aleppo", &[]);
    assert_eq!(paths[0], SEED, "{paths:?}");
    // The seed matches two of the three words; everything else one.
    let v = t.search_json("aid convoys Aleppo", &[]);
    let scores: Vec<f64> = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["score"].as_f64().unwrap())
        .collect();
    assert!(scores[0] > scores[1], "{scores:?}");
}

#[test]
fn article_matching_more_query_words_ranks_higher_among_similar_articles() {
    let t = indexed_good();
    // The harvest article has `harvest` and `festival`; the rail article only `strike`.
    assert_eq!(
        t.hit_paths("harvest festival strike", &[]),
        vec![HARVEST, RAIL]
    );
    // The rail article has all three words; the winter one only `convoys` (four times).
    assert_eq!(t.hit_paths("rail strike convoys", &[]), vec![RAIL, WINTER]);
}

#[test]
fn more_occurrences_of_a_word_rank_higher() {
    let t = indexed_good();
    // Four `convoys` in the winter article against one in the rail article.
    let v = t.search_json("convoys", &[]);
    assert_eq!(paths_of(&v), vec![WINTER, RAIL]);
    let hits = v["hits"].as_array().unwrap();
    assert!(hits[0]["score"].as_f64().unwrap() > hits[1]["score"].as_f64().unwrap());
}

#[test]
fn words_are_stemmed_and_case_folded() {
    let t = indexed_good();
    let reference = t.search_json("convoys", &[]);
    for q in ["convoy", "Convoy", "CONVOYS", "cOnVoYs"] {
        let v = t.search_json(q, &[]);
        assert_eq!(paths_of(&v), vec![WINTER, RAIL], "{q}");
        assert_eq!(v["hits"][0]["score"], reference["hits"][0]["score"], "{q}");
        // The highlight is the word as written in the article.
        let hit = &v["hits"][0];
        let snippet = hit["snippet"].as_str().unwrap();
        let [s, e] = [
            hit["highlights"][0][0].as_u64().unwrap() as usize,
            hit["highlights"][0][1].as_u64().unwrap() as usize,
        ];
        assert_eq!(&snippet[s..e], "convoys", "{q}");
    }
    // Stemming works on the index side too: `strikes` finds `strike`.
    assert_eq!(t.hit_paths("strikes", &[]), vec![RAIL]);
}

#[test]
fn accents_are_folded_and_unicode_highlights_are_whole_words() {
    let t = TestDir::new();
    t.write(
        "corpus/u.txt",
        " date 2016-05-05 Le café crème de Zürich coûte cher, dit le garçon.\n\n\
         Αθήνα και Θεσσαλονίκη. 東京.\n",
    );
    t.index_corpus();
    for (q, word, paragraph) in [
        ("cafe", "café", 1),
        ("CAFÉ", "café", 1),
        ("zurich", "Zürich", 1),
        ("garcon", "garçon", 1),
        ("Αθήνα", "Αθήνα", 2),
        ("東京", "東京", 2),
    ] {
        let v = t.search_json(q, &[]);
        assert_eq!(v["total"], 1, "{q}");
        let hit = &v["hits"][0];
        assert_eq!(hit["paragraph"], paragraph, "{q}");
        let snippet = hit["snippet"].as_str().unwrap();
        let hl = hit["highlights"].as_array().unwrap();
        assert_eq!(hl.len(), 1, "{q}");
        let (s, e) = (
            hl[0][0].as_u64().unwrap() as usize,
            hl[0][1].as_u64().unwrap() as usize,
        );
        assert_eq!(snippet.get(s..e), Some(word), "{q}: {snippet} {hl:?}");
    }
}

#[test]
fn quoted_phrase_matches_adjacent_words_only() {
    let t = indexed_good();
    // The market crash article has both words, but not side by side.
    let v = t.search_json("\"peace brokers\"", &[]);
    assert_eq!(paths_of(&v), vec![SEED]);
    assert_eq!(v["hits"][0]["paragraph"], 5);
    assert_eq!(
        t.hit_paths("peace brokers", &[]),
        vec![CRASH, SEED],
        "unquoted, both articles match"
    );
    // Phrases are stemmed too.
    assert_eq!(t.hit_paths("\"peace broker\"", &[]), vec![SEED]);
    t.run(["search", "\"brokers peace\""]).assert_code(1);
}

#[test]
fn required_and_excluded_words() {
    let t = indexed_good();
    assert_eq!(t.hit_paths("convoys -bus", &[]), vec![WINTER]);
    assert_eq!(t.hit_paths("+strike convoys", &[]), vec![RAIL]);
    assert_eq!(t.hit_paths("+convoys +bus", &[]), vec![RAIL]);
    assert_eq!(t.hit_paths("aid -Aleppo", &[]), vec![NEW_YEAR]);
    t.run(["search", "+convoys +Aleppo"]).assert_code(1);
}

#[test]
fn boolean_operators() {
    let t = indexed_good();
    assert_eq!(t.hit_paths("convoys AND strike", &[]), vec![RAIL]);
    assert_eq!(
        t.hit_paths("convoys OR festival", &[]),
        vec![HARVEST, WINTER, RAIL]
    );
    assert_eq!(t.hit_paths("convoys NOT bus", &[]), vec![WINTER]);
    assert_eq!(
        t.hit_paths(
            "(festival OR leap) AND (parade OR marry)",
            &["--sort", "oldest"]
        ),
        vec![HARVEST, LEAP]
    );
    // Lower-case `and` is a word, not an operator.
    t.run(["search", "convoys and strike"]).assert_code(0);
    t.run(["search", "convoys AND Aleppo"]).assert_code(1);
}

#[test]
fn best_paragraph_is_reported_one_based() {
    let t = indexed_good();
    for (q, path, paragraph) in [
        ("Putin", SEED, 7),
        ("Moscow", SEED, 4),
        ("Achilles", SEED, 7),
        ("drives service", SEED, 9),
        ("Aleppo", SEED, 1),
        ("convoys", WINTER, 2), // two mentions in ¶2, one in ¶1 and ¶3
        ("bridge spring", NEW_YEAR, 2),
        ("telephones", CRASH, 3),
    ] {
        let v = t.search_json(q, &["-n", "1"]);
        assert_eq!(v["hits"][0]["path"], path, "{q}");
        assert_eq!(v["hits"][0]["paragraph"], paragraph, "{q}");
    }
}

#[test]
fn no_hits_exit_1_with_zero_matching_articles() {
    let t = indexed_good();
    let out = t.run(["search", "xylophone"]);
    out.assert_code(1);
    assert_eq!(out.stdout_without_timing(), "0 matching articles (T ms)\n");
    assert_eq!(out.stderr, "");
    let out = t.run(["search", "xylophone", "--json"]);
    out.assert_code(1);
    let v = out.json();
    assert_eq!(v["total"], 0);
    assert_eq!(v["hits"], serde_json::json!([]));
}

#[test]
fn search_of_an_empty_index_finds_nothing() {
    let t = TestDir::new();
    t.index_corpus();
    t.run(["search", "aid"]).assert_code(1);
    t.run(["search", ""]).assert_code(1);
}

#[test]
fn empty_query_matches_every_article() {
    let t = indexed_good();
    let v = t.search_json("", &["--sort", "oldest"]);
    assert_eq!(v["total"], GOOD);
    assert_eq!(paths_of(&v), BY_DATE);
    // Without a query the snippet is the article's lead, with nothing highlighted.
    for h in v["hits"].as_array().unwrap() {
        assert_eq!(h["paragraph"], 1);
        assert_eq!(h["highlights"], serde_json::json!([]));
    }
    let seed = v["hits"][3]["snippet"].as_str().unwrap();
    assert!(seed.starts_with("While Russia and the US"), "{seed}");
    assert!(seed.ends_with('…'), "{seed}");
}

// ---------------------------------------------------------------------------------------------
// 3b. Paging and ordering
// ---------------------------------------------------------------------------------------------

#[test]
fn limit_and_offset_page_through_ranked_hits() {
    let t = indexed_good();
    let q = "convoys OR aid OR festival";
    let all = t.hit_paths(q, &[]);
    assert_eq!(all, vec![HARVEST, WINTER, RAIL, NEW_YEAR, SEED]);
    assert_eq!(t.hit_paths(q, &["-n", "2"]), all[..2]);
    assert_eq!(
        t.hit_paths(q, &["--limit", "2", "--offset", "2"]),
        all[2..4]
    );
    assert_eq!(t.hit_paths(q, &["--offset", "4"]), all[4..]);
    // The total is the number of matches whatever the page.
    for extra in [["-n", "1"], ["--offset", "3"]] {
        assert_eq!(t.search_json(q, &extra)["total"], 5);
    }
}

#[test]
fn sort_newest_and_oldest_order_by_date() {
    let t = indexed_good();
    let q = "convoys OR aid OR festival OR brokers";
    let oldest = t.hit_paths(q, &["--sort", "oldest"]);
    assert_eq!(oldest, vec![CRASH, WINTER, NEW_YEAR, SEED, HARVEST, RAIL]);
    let mut newest = t.hit_paths(q, &["--sort", "newest"]);
    newest.reverse();
    assert_eq!(newest, oldest);
    // Paging applies after sorting.
    assert_eq!(
        t.hit_paths(q, &["--sort", "newest", "-n", "2", "--offset", "1"]),
        vec![HARVEST, SEED]
    );
    // Hits sorted by date still carry their relevance score.
    let v = t.search_json("convoys", &["--sort", "oldest"]);
    let relevance = t.search_json("convoys", &[]);
    assert_eq!(paths_of(&v), vec![WINTER, RAIL]);
    assert_eq!(v["hits"][0]["score"], relevance["hits"][0]["score"]);
    assert_eq!(v["hits"][1]["score"], relevance["hits"][1]["score"]);
    // Also the coordinated score of a short keyword query, article by article.
    let scores = |v: &serde_json::Value| {
        let mut s: Vec<(String, f64)> = v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h["path"].as_str().unwrap().to_string(),
                    h["score"].as_f64().unwrap(),
                )
            })
            .collect();
        s.sort_by(|a, b| a.0.cmp(&b.0));
        s
    };
    let by_date = t.search_json("aid convoys Aleppo", &["--sort", "newest"]);
    let by_score = t.search_json("aid convoys Aleppo", &[]);
    assert_eq!(scores(&by_date), scores(&by_score));
    assert!(scores(&by_score).len() >= 3);
    // And the explicit default is relevance.
    assert_eq!(
        t.hit_paths(q, &["--sort", "relevance"]),
        t.hit_paths(q, &[])
    );
}

#[test]
fn limit_zero_reports_the_total_without_hits() {
    let t = indexed_good();
    let out = t.run(["search", "convoys", "--limit", "0"]);
    out.assert_code(0);
    assert_eq!(out.stdout_without_timing(), "2 matching articles (T ms)\n");
    let v = t.search_json("convoys", &["-n", "0"]);
    assert_eq!(v["total"], 2);
    assert_eq!(v["hits"], serde_json::json!([]));
}

#[test]
fn huge_limit_returns_every_hit() {
    let t = indexed_good();
    for n in ["1000000000", "18446744073709551615"] {
        let v = t.search_json("", &["--limit", n, "--sort", "oldest"]);
        assert_eq!(paths_of(&v), BY_DATE, "--limit {n}");
    }
}

#[test]
fn offset_past_the_end_shows_no_hits_but_the_total() {
    let t = indexed_good();
    for off in ["2", "7", "100", "18446744073709551615"] {
        let out = t.run(["search", "convoys", "--offset", off]);
        out.assert_code(0);
        assert_eq!(
            out.stdout_without_timing(),
            "2 matching articles (T ms)\n",
            "--offset {off}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Date filters
// ---------------------------------------------------------------------------------------------

fn dated(t: &TestDir, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["--sort", "oldest", "-n", "100"];
    args.extend_from_slice(extra);
    t.hit_paths("", &args)
}

#[test]
fn from_year_starts_on_january_first_inclusive() {
    let t = indexed_good();
    assert_eq!(
        dated(&t, &["--from", "2016"]),
        vec![NEW_YEAR, SEED, HARVEST, RAIL, LEAP]
    );
    assert_eq!(
        dated(&t, &["--from", "2016-01-01"]),
        dated(&t, &["--from", "2016"])
    );
    assert_eq!(
        dated(&t, &["--from", "2016-01-02"]),
        vec![SEED, HARVEST, RAIL, LEAP]
    );
    assert_eq!(dated(&t, &["--to", "2015"]), vec![CRASH, WINTER]);
    assert_eq!(dated(&t, &["--to", "2015-12-30"]), vec![CRASH]);
}

#[test]
fn to_month_ends_on_its_last_day_inclusive() {
    let t = indexed_good();
    assert_eq!(
        dated(&t, &["--to", "2016-09"]),
        vec![CRASH, WINTER, NEW_YEAR, SEED, HARVEST]
    );
    assert_eq!(
        dated(&t, &["--to", "2016-09-30"]),
        dated(&t, &["--to", "2016-09"])
    );
    assert_eq!(dated(&t, &["--from", "2016-10"]), vec![RAIL, LEAP]);
    assert_eq!(
        dated(&t, &["--from", "2016-09", "--to", "2016-09"]),
        vec![SEED, HARVEST]
    );
    // February of a leap year ends on the 29th.
    assert_eq!(
        dated(&t, &["--from", "2020-02", "--to", "2020-02"]),
        vec![LEAP]
    );
    assert_eq!(
        dated(&t, &["--to", "2020-02-28", "--from", "2017"]),
        Vec::<String>::new()
    );
}

#[test]
fn from_and_to_the_same_day() {
    let t = indexed_good();
    for (day, path) in [
        ("2016-09-30", HARVEST),
        ("2016-10-01", RAIL),
        ("2015-12-31", WINTER),
        ("2016-01-01", NEW_YEAR),
        ("2020-02-29", LEAP),
        ("1987-10-19", CRASH),
    ] {
        assert_eq!(
            dated(&t, &["--from", day, "--to", day]),
            vec![path],
            "{day}"
        );
    }
    let out = t.run(["search", "", "--from", "2016-09-18", "--to", "2016-09-18"]);
    out.assert_code(1);
    assert_eq!(out.stdout_without_timing(), "0 matching articles (T ms)\n");
}

#[test]
fn date_filter_combines_with_words() {
    let t = indexed_good();
    assert_eq!(t.hit_paths("convoys", &["--from", "2016"]), vec![RAIL]);
    assert_eq!(
        t.hit_paths("convoys", &["--to", "2016"]),
        vec![WINTER, RAIL]
    );
    assert_eq!(
        t.hit_paths(
            "aid convoys Aleppo",
            &["--from", "2016-09", "--to", "2016-12-31"]
        )
        .into_iter()
        .collect::<BTreeSet<_>>(),
        set(&[SEED, RAIL])
    );
    // The filter does not change scores.
    let all = t.search_json("convoys", &[]);
    let filtered = t.search_json("convoys", &["--from", "2016"]);
    assert_eq!(filtered["hits"][0]["score"], all["hits"][1]["score"]);
    assert_eq!(filtered["total"], 1);
}

#[test]
fn widest_bounds_are_accepted() {
    let t = indexed_good();
    let v = t.search_json("", &["--from", "0000-01-01", "--to", "9999-12-31"]);
    assert_eq!(v["total"], GOOD);
    assert_eq!(
        dated(&t, &["--from", "0000", "--to", "9999"]).len() as u64,
        GOOD
    );
}

#[test]
fn from_after_to_is_an_error() {
    let t = indexed_good();
    let out = t.run(["search", "aid", "--from", "2017", "--to", "2016-12-31"]);
    out.assert_code(2);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "error: --from 2017-01-01 is after --to 2016-12-31\n"
    );
    let out = t.run([
        "search",
        "aid",
        "--from",
        "2016-09-18",
        "--to",
        "2016-09-17",
    ]);
    out.assert_code(2);
    assert_eq!(
        out.stderr,
        "error: --from 2016-09-18 is after --to 2016-09-17\n"
    );
}

#[test]
fn invalid_dates_name_their_flag() {
    let t = indexed_good();
    for (flag, value) in [
        ("--from", "2016-13"),
        ("--from", "2016-02-30"),
        ("--from", "17/09/2016"),
        ("--from", "yesterday"),
        ("--to", "2016-9"),
        ("--to", "2015-02-29"),
        ("--to", ""),
    ] {
        let out = t.run(["search", "aid", flag, value]);
        out.assert_code(2);
        // In the form but off the calendar: impossible, as the file parser says (issue 15).
        let expected = if ["2016-13", "2016-02-30", "2015-02-29"].contains(&value) {
            format!("error: impossible date for {flag}: {value} (not on the calendar)\n")
        } else {
            format!(
                "error: invalid date for {flag}: {value:?} (expected YYYY, YYYY-MM or YYYY-MM-DD)\n"
            )
        };
        assert_eq!(out.stderr, expected);
        assert_eq!(out.stdout, "");
    }
}

#[test]
fn date_filter_edges_before_1970() {
    let t = TestDir::new();
    t.write("corpus/eve.txt", " date 1969-12-31 new year eve");
    t.write("corpus/epoch.txt", " date 1970-01-01 epoch day");
    t.write("corpus/old.txt", " date 1787-09-17 constitution day");
    t.index_corpus();
    assert_eq!(
        dated(&t, &["--to", "1969"]),
        vec!["corpus/old.txt", "corpus/eve.txt"]
    );
    assert_eq!(dated(&t, &["--from", "1970"]), vec!["corpus/epoch.txt"]);
    assert_eq!(
        dated(&t, &["--from", "1787-09-17", "--to", "1787-09-17"]),
        vec!["corpus/old.txt"]
    );
    let stats = t.stats();
    assert_eq!(stats["first_date"], "1787-09-17");
    assert_eq!(
        stats["per_year"],
        serde_json::json!([
            {"year": 1787, "articles": 1},
            {"year": 1969, "articles": 1},
            {"year": 1970, "articles": 1}
        ])
    );
}

#[test]
fn bounds_beyond_the_index_range_do_not_match_edge_articles() {
    let t = TestDir::new();
    t.write("corpus/last.txt", " date 2261-12-31 last day");
    t.write("corpus/first.txt", " date 1678-01-01 first day");
    t.index_corpus();
    t.run(["search", "", "--from", "2262"]).assert_code(1);
    t.run(["search", "", "--to", "1677"]).assert_code(1);
}

// ---------------------------------------------------------------------------------------------
// 5. Plain and coloured output
// ---------------------------------------------------------------------------------------------

#[test]
fn plain_output_marks_highlights_and_ends_with_a_footer() {
    let t = indexed_good();
    let out = t.run(["search", "Putin"]);
    out.assert_code(0);
    assert!(!out.stdout.contains('\x1b'), "{:?}", out.stdout);
    let score = t.search_json("Putin", &[])["hits"][0]["score"]
        .as_f64()
        .unwrap();
    let expected = format!(
        " 1. 2016-09-17  {SEED}  ¶7  score {score:.2}\n\
         \x20   …think beyond the parameters of being anti-Washington. President [[Putin]] must \
         also be aware that this is the US political Achilles’ heel when for nearly six months \
         the presidency is on oxygen and there…\n\
         \n\
         1 matching article, showing 1-1 (T ms)\n"
    );
    assert_eq!(out.stdout_without_timing(), expected);
    assert_eq!(out.stderr, "");
}

#[test]
fn plain_output_numbers_hits_from_the_offset() {
    let t = indexed_good();
    let out = t.run([
        "search",
        "convoys OR aid OR festival",
        "-n",
        "2",
        "--offset",
        "1",
    ]);
    out.assert_code(0);
    let text = out.stdout_without_timing();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 7, "{text}");
    assert!(
        lines[0].starts_with(&format!(" 2. 2015-12-31  {WINTER}  ¶2  score ")),
        "{text}"
    );
    assert_eq!(
        lines[1],
        "    Drivers said the [[convoys]] had been waiting at the border since Christmas, and \
         that the longest of the [[convoys]] stretched for eleven kilometres."
    );
    assert_eq!(lines[2], "");
    assert!(
        lines[3].starts_with(&format!(" 3. 2016-10-01  {RAIL}  ¶1  score ")),
        "{text}"
    );
    assert_eq!(lines[5], "");
    assert_eq!(lines[6], "5 matching articles, showing 2-3 (T ms)");
}

#[test]
fn footer_time_is_a_decimal_number_of_milliseconds() {
    let t = indexed_good();
    let out = t.run(["search", "aid"]);
    let footer = out.stdout.lines().last().unwrap();
    let ms = footer
        .strip_prefix("2 matching articles, showing 1-2 (")
        .and_then(|r| r.strip_suffix(" ms)"))
        .unwrap_or_else(|| panic!("footer: {footer:?}"));
    let (int, frac) = ms.split_once('.').expect("one decimal");
    assert!(
        int.bytes().all(|b| b.is_ascii_digit()) && !int.is_empty(),
        "{ms}"
    );
    assert_eq!(frac.len(), 1, "{ms}");
}

#[test]
fn color_always_emits_ansi_even_into_a_pipe() {
    let t = indexed_good();
    let out = t.run(["search", "Putin", "--color", "always"]);
    out.assert_code(0);
    assert!(out.stdout.contains("\x1b["), "{:?}", out.stdout);
    assert!(
        out.stdout.contains("\x1b[1;31mPutin\x1b[0m"),
        "{:?}",
        out.stdout
    );
    assert!(!out.stdout.contains("[[Putin]]"));
    // --color wins over NO_COLOR.
    let forced = t.run_env(
        ["search", "Putin", "--color", "always"],
        &[("NO_COLOR", "1")],
    );
    assert!(forced.stdout.contains("\x1b[1;31mPutin\x1b[0m"));
    // The global flag may come before the subcommand.
    let before = t.run(["--color", "always", "search", "Putin"]);
    assert!(before.stdout.contains("\x1b[1;31mPutin\x1b[0m"));
}

#[test]
fn no_color_and_auto_print_plain_markers() {
    let t = indexed_good();
    for (args, env) in [
        (
            vec!["search", "Putin", "--color", "auto"],
            vec![("NO_COLOR", "1")],
        ),
        (vec!["search", "Putin"], vec![("NO_COLOR", "1")]),
        (vec!["search", "Putin"], vec![]),
        (vec!["search", "Putin", "--color", "never"], vec![]),
    ] {
        let out = t.run_env(&args, &env);
        out.assert_code(0);
        assert!(
            !out.stdout.contains('\x1b'),
            "{args:?} {env:?}: {:?}",
            out.stdout
        );
        assert!(out.stdout.contains("[[Putin]]"), "{args:?} {env:?}");
    }
    // Stats and show are plain too.
    for args in [vec!["stats"], vec!["show", SEED]] {
        let out = t.run_env(&args, &[("NO_COLOR", "1")]);
        assert!(!out.stdout.contains('\x1b'), "{args:?}");
    }
    // Errors are not coloured into a pipe.
    let out = t.run(["search", "aid", "--from", "x"]);
    assert!(out.stderr.starts_with("error: "), "{:?}", out.stderr);
}

#[test]
fn color_always_colours_show_and_stats() {
    let t = indexed_good();
    let show = t.run(["show", RAIL, "--color", "always"]);
    assert!(
        show.stdout.starts_with("\x1b[32m2016-10-01\x1b[0m"),
        "{:?}",
        show.stdout
    );
    assert!(show.stdout.contains("\x1b[2m[1]\x1b[0m A rail strike"));
    let stats = t.run(["stats", "--color", "always"]);
    assert!(stats.stdout.contains('█'));
    assert!(!stats.stdout.contains('#'));
}

#[test]
fn invalid_color_value_is_a_usage_error() {
    let t = indexed_good();
    let out = t.run(["search", "aid", "--color", "sometimes"]);
    out.assert_code(2);
    assert!(out.stderr.contains("sometimes"), "{}", out.stderr);
    assert_eq!(out.stdout, "");
}

// ---------------------------------------------------------------------------------------------
// 6. JSON output
// ---------------------------------------------------------------------------------------------

/// Whether `highlighted` is (a form of) one of the query's words: equal ignoring case, or the
/// same stem (one is the other with at most one more letter, as `convoy`/`convoys`).
fn is_query_word(highlighted: &str, query: &str) -> bool {
    let h = highlighted.to_lowercase();
    query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .any(|w| {
            let common = h.chars().zip(w.chars()).take_while(|(a, b)| a == b).count();
            let shorter = h.chars().count().min(w.chars().count());
            common >= 3.min(shorter) && common + 1 >= shorter
        })
}

/// Checks every invariant of a JSON search result against the stored articles.
fn check_results(t: &TestDir, v: &Value, query: &str) {
    let mut top = keys(v);
    // A suggestion comes only when the query finds little.
    top.remove("suggestion");
    assert_eq!(top, set(&["query", "total", "took_ms", "hits"]), "{v}");
    assert_eq!(v["query"], query);
    assert!(v["total"].is_u64());
    assert!(v["took_ms"].as_f64().is_some_and(|ms| ms >= 0.0));
    let hits = v["hits"].as_array().unwrap();
    assert!(hits.len() as u64 <= v["total"].as_u64().unwrap());
    for hit in hits {
        assert_eq!(
            keys(hit),
            set(&[
                "path",
                "date",
                "score",
                "paragraph",
                "snippet",
                "highlights",
                "snippets"
            ]),
            "{hit}"
        );
        // The paragraphs shown (one by default), in order; the single fields repeat the best.
        let snippets = hit["snippets"].as_array().unwrap();
        let numbers: Vec<u64> = snippets
            .iter()
            .map(|s| s["paragraph"].as_u64().unwrap())
            .collect();
        assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{hit}");
        assert!(
            snippets.iter().any(|s| s["paragraph"] == hit["paragraph"]
                && s["text"] == hit["snippet"]
                && s["highlights"] == hit["highlights"]),
            "{hit}"
        );
        let path = hit["path"].as_str().unwrap();
        let stored = t.run(["show", path, "--json"]).json();
        assert_eq!(hit["date"], stored["date"], "{path}");
        assert!(hit["score"].as_f64().is_some_and(|s| s >= 0.0), "{hit}");

        let paragraphs = stored["paragraphs"].as_array().unwrap();
        let n = hit["paragraph"].as_u64().unwrap() as usize;
        assert!(
            (1..=paragraphs.len()).contains(&n),
            "{path}: ¶{n} of {}",
            paragraphs.len()
        );
        let paragraph = paragraphs[n - 1].as_str().unwrap();
        let snippet = hit["snippet"].as_str().unwrap();
        let core = snippet.trim_start_matches('…').trim_end_matches('…');
        assert!(
            paragraph.contains(core),
            "{path}: snippet is not from ¶{n}:\n{snippet}\n{paragraph}"
        );
        assert!(snippet.chars().count() <= 202, "{path}: snippet too long");

        let mut at = 0;
        for range in hit["highlights"].as_array().unwrap() {
            let r = range.as_array().unwrap();
            assert_eq!(r.len(), 2, "{range}");
            let (s, e) = (
                r[0].as_u64().unwrap() as usize,
                r[1].as_u64().unwrap() as usize,
            );
            assert!(
                at <= s && s < e && e <= snippet.len(),
                "{path}: {range} in {snippet:?}"
            );
            let word = snippet
                .get(s..e)
                .unwrap_or_else(|| panic!("{path}: {range} splits a character of {snippet:?}"));
            assert!(
                is_query_word(word, query),
                "{path}: highlighted {word:?} is not a word of {query:?}"
            );
            at = e;
        }
    }
}

#[test]
fn json_search_results_are_complete_and_consistent() {
    let t = indexed_good();
    for (query, extra) in [
        ("aid convoys Aleppo", vec![]),
        ("\"peace brokers\"", vec![]),
        ("Convoy", vec![]),
        ("harvest festival strike", vec![]),
        ("Moscow Putin Syria", vec![]),
        (
            "convoys OR aid OR festival OR brokers",
            vec!["--sort", "newest"],
        ),
        ("aid", vec!["--from", "2016-09"]),
        ("the", vec!["-n", "3", "--offset", "2"]),
    ] {
        let out = t.run(
            std::iter::once("search")
                .chain([query, "--json"])
                .chain(extra),
        );
        out.assert_code(0);
        assert_eq!(out.stdout.lines().count(), 1, "one line of JSON");
        let v = out.json();
        check_results(&t, &v, query);
        assert!(!v["hits"].as_array().unwrap().is_empty(), "{query}");
    }
}

#[test]
fn json_hit_for_the_seed_is_exact() {
    let t = indexed_good();
    let v = t.search_json("Aleppo", &[]);
    assert_eq!(v["query"], "Aleppo");
    assert_eq!(v["total"], 1);
    let hit = &v["hits"][0];
    assert_eq!(hit["path"], SEED);
    assert_eq!(hit["date"], "2016-09-17");
    assert_eq!(hit["paragraph"], 1);
    let snippet = hit["snippet"].as_str().unwrap();
    assert!(snippet.starts_with('…'), "{snippet}");
    assert!(snippet.ends_with("in the Aleppo region."), "{snippet}");
    let start = snippet.find("Aleppo").unwrap();
    assert_eq!(
        hit["highlights"],
        serde_json::json!([[start, start + "Aleppo".len()]])
    );
}

#[test]
fn json_and_plain_agree() {
    let t = indexed_good();
    let v = t.search_json("peace brokers", &[]);
    let plain = t.run(["search", "peace brokers"]).stdout;
    for (i, hit) in v["hits"].as_array().unwrap().iter().enumerate() {
        let header = format!(
            "{:>2}. {}  {}  ¶{}  score {:.2}",
            i + 1,
            hit["date"].as_str().unwrap(),
            hit["path"].as_str().unwrap(),
            hit["paragraph"],
            hit["score"].as_f64().unwrap()
        );
        assert!(plain.contains(&header), "{header}\n{plain}");
    }
    assert!(plain.contains("2 matching articles, showing 1-2 ("));
}

// ---------------------------------------------------------------------------------------------
// 7. stats and show
// ---------------------------------------------------------------------------------------------

#[test]
fn stats_json_figures() {
    let t = indexed_good();
    let s = t.stats();
    assert_eq!(
        keys(&s),
        set(&[
            "index",
            "articles",
            "first_date",
            "last_date",
            "per_year",
            "size_bytes",
            "segments",
            "format_version"
        ])
    );
    assert_eq!(s["index"], "idx");
    assert_eq!(s["articles"], GOOD);
    assert_eq!(s["first_date"], "1987-10-19");
    assert_eq!(s["last_date"], "2020-02-29");
    assert_eq!(
        s["per_year"],
        serde_json::json!([
            {"year": 1987, "articles": 1},
            {"year": 2015, "articles": 1},
            {"year": 2016, "articles": 4},
            {"year": 2020, "articles": 1}
        ])
    );
    assert_eq!(s["format_version"], FORMAT_VERSION);
    assert!(s["segments"].as_u64().unwrap() >= 1);
    let on_disk: u64 = fs::read_dir(t.index())
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum();
    assert_eq!(s["size_bytes"], on_disk);
    assert!(on_disk > 0);
}

#[test]
fn stats_text() {
    let t = indexed_good();
    let s = t.stats();
    let out = t.run(["stats"]);
    out.assert_code(0);
    let size = s["size_bytes"].as_u64().unwrap();
    let human = if size < 1000 {
        format!("{size} B")
    } else if size < 1_000_000 {
        format!("{:.1} KB", size as f64 / 1000.0)
    } else {
        format!("{:.1} MB", size as f64 / 1e6)
    };
    let bar = |n: usize| "#".repeat(n);
    let segments = s["segments"].as_u64().unwrap();
    let expected = format!(
        "index       idx\n\
         articles    7\n\
         first date  1987-10-19\n\
         last date   2020-02-29\n\
         size        {human} ({segments} {}, format {FORMAT_VERSION})\n\
         per year\n\
         \x20 1987         1  {}\n\
         \x20 2015         1  {}\n\
         \x20 2016         4  {}\n\
         \x20 2020         1  {}\n",
        if segments == 1 { "segment" } else { "segments" },
        bar(10),
        bar(10),
        bar(40),
        bar(10)
    );
    assert_eq!(out.stdout, expected);
}

#[test]
fn stats_of_an_empty_index() {
    let t = TestDir::new();
    assert_eq!(t.index_corpus(), Summary::new(0, 0, 0, 0, 0, 0));
    let s = t.stats();
    assert_eq!(s["articles"], 0);
    assert_eq!(s["first_date"], Value::Null);
    assert_eq!(s["last_date"], Value::Null);
    assert_eq!(s["per_year"], serde_json::json!([]));
    let text = t.run(["stats"]).stdout;
    assert!(text.contains("\nfirst date  -\nlast date   -\n"), "{text}");
    assert!(!text.contains("per year"), "{text}");
}

#[test]
fn show_prints_numbered_paragraphs() {
    let t = indexed_good();
    let out = t.run(["show", SEED]);
    out.assert_code(0);
    let mut expected = format!("2016-09-17  {SEED}\n");
    let paragraphs = seed_paragraphs();
    assert_eq!(paragraphs.len(), 9);
    for (i, p) in paragraphs.iter().enumerate() {
        expected.push_str(&format!("\n[{}] {p}\n", i + 1));
    }
    assert_eq!(out.stdout, expected);
    assert_eq!(out.stderr, "");
}

#[test]
fn show_json() {
    let t = indexed_good();
    let out = t.run(["show", SEED, "--json"]);
    out.assert_code(0);
    let v = out.json();
    assert_eq!(keys(&v), set(&["path", "date", "paragraphs"]));
    assert_eq!(v["path"], SEED);
    assert_eq!(v["date"], "2016-09-17");
    assert_eq!(v["paragraphs"], serde_json::json!(seed_paragraphs()));
    let fourth = v["paragraphs"][3].as_str().unwrap();
    assert!(
        fourth.contains("Moscow\u{2019}s foreign policy"),
        "{fourth}"
    );
}

#[test]
fn show_accepts_the_path_written_several_ways() {
    let t = indexed_good();
    let abs = t.join(RAIL).display().to_string();
    let dotted = format!("./{RAIL}");
    let roundabout = "corpus/../corpus/2016-10-01-rail-strike.txt";
    for p in [RAIL, dotted.as_str(), abs.as_str(), roundabout] {
        let out = t.run(["show", p, "--json"]);
        out.assert_code(0);
        assert_eq!(out.json()["path"], RAIL, "show {p}");
    }
}

#[test]
fn show_still_prints_an_indexed_article_whose_file_is_gone() {
    let t = indexed_good();
    t.remove(LEAP);
    let out = t.run(["show", LEAP, "--json"]);
    out.assert_code(0);
    assert_eq!(out.json()["date"], "2020-02-29");
}

#[test]
fn show_of_a_path_not_in_the_index_is_an_error() {
    let t = indexed_good();
    t.write("corpus/unindexed.txt", " date 2016-01-01 Not indexed yet.");
    for p in [
        "corpus/unindexed.txt",
        "corpus/never.txt",
        "nodir/never.txt",
    ] {
        let out = t.run(["show", p]);
        out.assert_code(2);
        assert_eq!(out.stdout, "");
        assert_eq!(
            out.stderr,
            format!(
                "error: {p} is not in the index at idx (index it first: dateline index --index idx PATH)\n"
            )
        );
    }
}

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
        eprintln!("skipped: flock(1) is not available");
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
        eprintln!("skipped: flock(1) did not take the lock ({line:?})");
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
