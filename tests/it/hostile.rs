//! Hostile input, end to end: one index run over a corpus that mixes valid articles with every
//! kind of bad file (each must be reported as `path:line: reason` while every valid neighbour is
//! still indexed), and queries and flags built to break the parser, the paging or the date
//! handling (each must give results or a clear error). Every command runs under a watchdog, must
//! finish within [`WATCHDOG`], must exit 0, 1 or 2 and must never panic or die of a signal.
//!
//! Tests marked `#[ignore = "bug: …"]` assert the correct behaviour of a known product bug; run
//! them with `cargo test --test hostile -- --ignored`.

use crate::common;
use crate::common::watchdog::Running;
use crate::common::{
    BY_DATE, HARVEST, LEAP, NEW_YEAR, Output, RAIL, SEED, Summary, TestDir, WINTER, indexed_good,
    paths_of,
};
use serde_json::Value;
use std::fs;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// No command may take longer than this.
const WATCHDOG: Duration = Duration::from_secs(30);

/// The good fixtures holding `aid`, and those holding `convoys`.
const AID: [&str; 2] = [NEW_YEAR, SEED];
const AID_OR_CONVOYS: [&str; 4] = [WINTER, NEW_YEAR, SEED, RAIL];

/// The start of the warning for a query the strict grammar rejects.
const SYNTAX: &str = "warning: syntax error: an unclosed quote or parenthesis, or a lone operator";

// ---------------------------------------------------------------------------------------------
// Running the binary under a watchdog
// ---------------------------------------------------------------------------------------------

/// An argument as a message shows it: long ones cut, with their length.
fn shown(arg: &std::ffi::OsStr) -> String {
    let s = arg.to_string_lossy();
    if s.chars().count() <= 60 {
        format!("{s:?}")
    } else {
        let head: String = s.chars().take(40).collect();
        format!("{head:?}…({} bytes)", s.len())
    }
}

fn describe(cmd: &Command) -> String {
    let mut parts = vec![cmd.get_program().to_string_lossy().into_owned()];
    parts.extend(cmd.get_args().map(shown));
    parts.join(" ")
}

/// Starts a command under the watchdog (`common::watchdog`).
fn start(cmd: Command) -> Running {
    let cmdline = describe(&cmd);
    Running::start(cmd, cmdline, WATCHDOG)
}

/// Runs `dateline --index idx ARGS…` in the test folder under the watchdog.
fn run(t: &TestDir, args: &[&str]) -> Output {
    start(t.command(args)).finish()
}

/// Runs `dateline search --json EXTRA… -- QUERY`, with `-n 100` unless EXTRA sets the limit.
fn search(t: &TestDir, query: &str, extra: &[&str]) -> Output {
    let mut args = vec!["search", "--json"];
    if !extra.iter().any(|a| *a == "-n" || *a == "--limit") {
        args.extend_from_slice(&["-n", "100"]);
    }
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--", query]);
    run(t, &args)
}

/// Checks a JSON result for internal consistency and returns its hits' paths, sorted.
fn checked_paths(r: &Output, query: &str) -> Vec<String> {
    let v = r.json();
    assert_eq!(v["query"], query, "{}", r.cmdline);
    let total = v["total"].as_u64().expect("total is a number");
    let hits = v["hits"].as_array().expect("hits is an array");
    assert!(
        hits.len() as u64 <= total,
        "{}: more hits than total",
        r.cmdline
    );
    assert_eq!(r.code, if total == 0 { 1 } else { 0 }, "{}", r.cmdline);
    for h in hits {
        let snippet = h["snippet"].as_str().expect("snippet is a string");
        // 200 characters at most, plus an ellipsis at either end.
        assert!(
            snippet.chars().count() <= 202,
            "{}: a snippet of {} characters",
            r.cmdline,
            snippet.chars().count()
        );
        for range in h["highlights"].as_array().expect("highlights") {
            let (a, b) = (range[0].as_u64().unwrap(), range[1].as_u64().unwrap());
            let (a, b) = (a as usize, b as usize);
            assert!(
                a < b && snippet.get(a..b).is_some(),
                "{}: highlight {a}..{b} is not a slice of {snippet:?}",
                r.cmdline
            );
        }
    }
    let mut paths = paths_of(&v);
    paths.sort();
    paths
}

fn sorted(paths: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = paths.iter().map(|p| p.to_string()).collect();
    v.sort();
    v
}

/// One query: its exit code, its exact stderr, and (unless it is an error) the hits it finds.
fn expect(t: &TestDir, query: &str, extra: &[&str], code: i32, stderr: &str, hits: &[&str]) {
    let r = search(t, query, extra);
    r.assert_code(code);
    assert_eq!(r.stderr, stderr, "stderr of {}", r.cmdline);
    if code == 2 {
        assert_eq!(r.stdout, "", "{}", r.cmdline);
    } else {
        assert_eq!(
            checked_paths(&r, query),
            sorted(hits),
            "hits of {}",
            r.cmdline
        );
    }
}

// ---------------------------------------------------------------------------------------------
// A. The hostile corpus, in one run
// ---------------------------------------------------------------------------------------------

/// The size of the huge one-line file: far over the 16 MiB limit.
const HUGE: usize = 50 * 1024 * 1024;
/// How many paragraphs the long article has.
const PARAGRAPHS: usize = 100_000;

/// Holds tantivy's meta lock of an index (a blocking `flock`, taken when a reader opens the
/// segments) through util-linux flock(1), until released.
#[cfg(unix)]
struct MetaLock(Child);

#[cfg(unix)]
impl MetaLock {
    /// Takes the lock, or `None` when flock(1) or /proc/locks is not available.
    fn take(lock: &Path) -> Option<MetaLock> {
        use std::io::{BufRead, BufReader};
        fs::read_to_string("/proc/locks").ok()?;
        let mut child = Command::new("flock")
            .arg("--nonblock")
            .arg("--close")
            .arg(lock)
            .args(["-c", "echo locked; read _"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let mut line = String::new();
        let _ = BufReader::new(child.stdout.take()?).read_line(&mut line);
        let held = MetaLock(child);
        (line.trim() == "locked").then_some(held)
    }

    /// Whether some process waits for the lock on `lock` (a `->` line of /proc/locks).
    fn has_waiter(lock: &Path) -> bool {
        use std::os::unix::fs::MetadataExt;
        let Ok(meta) = fs::metadata(lock) else {
            return false;
        };
        let inode = format!(":{}", meta.ino());
        fs::read_to_string("/proc/locks")
            .unwrap_or_default()
            .lines()
            .any(|l| l.contains("->") && l.split_whitespace().any(|f| f.ends_with(&inode)))
    }
}

#[cfg(unix)]
impl Drop for MetaLock {
    fn drop(&mut self) {
        drop(self.0.stdin.take()); // end of file: the shell exits and the lock is released
        let _ = self.0.wait();
    }
}

/// The `dateline index corpus` command, under GNU time when it is there (its report goes to
/// `report`), to measure the peak memory.
#[cfg(unix)]
fn index_command(t: &TestDir, report: &Path) -> (Command, bool) {
    let time = Path::new("/usr/bin/time");
    let gnu_time = time.exists()
        && Command::new(time)
            .args(["-v", "-o", "/dev/null", "true"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
    if !gnu_time {
        return (t.command(["index", "corpus"]), false);
    }
    let mut cmd = Command::new(time);
    cmd.current_dir(t.path())
        .arg("-v")
        .arg("-o")
        .arg(report)
        .arg(common::bin())
        .args(["--index", common::INDEX, "index", "corpus"]);
    common::scrub_env(&mut cmd);
    (cmd, true)
}

/// The one hit of a search, checked: its path, paragraph, and the word its highlight covers.
fn only_hit(t: &TestDir, query: &str, path: &str, paragraph: u64, highlighted: &str) -> Value {
    let r = search(t, query, &[]);
    r.assert_code(0);
    assert_eq!(r.stderr, "", "{}", r.cmdline);
    let v = r.json();
    assert_eq!(paths_of(&v), vec![path], "hits of {query:?}");
    let hit = v["hits"][0].clone();
    assert_eq!(hit["paragraph"], paragraph, "paragraph of {query:?}");
    let snippet = hit["snippet"].as_str().unwrap();
    assert!(
        snippet.chars().count() <= 202,
        "snippet of {query:?} is {} characters long",
        snippet.chars().count()
    );
    let ranges = hit["highlights"].as_array().unwrap();
    assert_eq!(ranges.len(), 1, "highlights of {query:?}: {hit}");
    let (a, b) = (
        ranges[0][0].as_u64().unwrap(),
        ranges[0][1].as_u64().unwrap(),
    );
    assert_eq!(&snippet[a as usize..b as usize], highlighted, "{hit}");
    hit
}

#[cfg(unix)]
#[test]
fn hostile_corpus_rejects_each_bad_file_and_indexes_every_valid_neighbour() {
    use std::os::unix::fs::{PermissionsExt, symlink};

    let t = TestDir::new();
    // The index exists before the run, so that its meta lock can be held during it (below).
    t.mkdir("nothing");
    let r = run(&t, &["index", "nothing"]);
    r.assert_code(0);
    assert_eq!(r.summary(), Summary::new(0, 0, 0, 0, 0, 0));

    // --- The bad files, each with a valid neighbour, and what the run must say about them.
    let utf8_prefix = " date 2016-09-17 Fine so far.\n\nThen a bad ";
    let mut binary = b"\x7fELF\x02\x01\x01\x00".to_vec();
    binary.extend((0..=255u8).cycle().take(4096));
    let bad: [(&str, Vec<u8>); 9] = [
        ("binary", binary),
        (
            "date-in-middle",
            b"An introduction without a date.\n\n date 2016-09-17 The date comes too late.\n"
                .to_vec(),
        ),
        ("date-only", b" date 2016-09-17\n".to_vec()),
        ("empty", Vec::new()),
        (
            "impossible-date",
            b" date 2016-02-30 The thirtieth of February.\n".to_vec(),
        ),
        (
            "invalid-utf8",
            [utf8_prefix.as_bytes(), b"\xff byte.\n"].concat(),
        ),
        (
            "nul",
            b" date 2016-09-17 Valid text\n\nuntil a \x00 byte.\n".to_vec(),
        ),
        ("other-format", b" date 17/09/2016 Day first.\n".to_vec()),
        ("whitespace-only", b" \t \n\n\t\r\n   \n".to_vec()),
    ];
    let mut valid: Vec<String> = Vec::new();
    for (i, (kind, bytes)) in bad.iter().enumerate() {
        t.write(&format!("corpus/{kind}.txt"), bytes);
        let neighbour = format!("corpus/{kind}-neighbour.txt");
        t.write(
            &neighbour,
            format!(
                " date 2016-01-{:02} The neighbour of the {kind} file, marker nb{}.\n\n\
                 A second paragraph about the harbour.\n",
                i + 1,
                kind.replace('-', "")
            ),
        );
        valid.push(neighbour);
    }
    // A 50 MiB article on one line: refused by size, never read.
    let mut huge = Vec::with_capacity(HUGE);
    huge.extend_from_slice(b" date 2016-09-17 ");
    while huge.len() < HUGE {
        huge.extend_from_slice(b"word ");
    }
    huge.truncate(HUGE);
    t.write("corpus/huge.txt", &huge);
    drop(huge);
    t.write(
        "corpus/huge-neighbour.txt",
        " date 2016-01-31 The neighbour of the huge file, marker nbhuge.\n\nAbout the harbour.\n",
    );
    valid.push("corpus/huge-neighbour.txt".into());
    let neighbours = valid.clone();

    // --- Valid articles that stress the parser, the analyzer and the store.
    let many: String = (0..PARAGRAPHS)
        .map(|i| format!("tiny{i} paragraph"))
        .collect::<Vec<_>>()
        .join("\n\n");
    t.write(
        "corpus/many-paragraphs.txt",
        format!(" date 2016-03-03 {many}\n"),
    );
    let long_paragraphs = [
        format!("alpha {} omega", "x".repeat(10_000)),
        format!("{} zeta {}", "ж".repeat(10_000), "東".repeat(10_000)),
        "beta gamma".to_string(),
        {
            let words = vec!["y".repeat(1000); 10].join(" ");
            format!("{words} delta {words}")
        },
    ];
    t.write(
        "corpus/long-words.txt",
        format!(" date 2016-04-04 {}\n", long_paragraphs.join("\n\n")),
    );
    t.write(
        "corpus/rtl.txt",
        " date 2016-05-05 مرحبا بالعالم\n\nשלום עולם\n\n\u{202e}override\u{202c} marks\n",
    );
    t.write(
        "corpus/cjk.txt",
        " date 2016-06-06 東京の天気は晴れ\n\n北京 上海\n",
    );
    // A folder named like an article.
    t.write(
        "corpus/folder.txt/inside.txt",
        " date 2016-07-07 Inside a folder named folder.txt, marker insidefolder.\n",
    );
    valid.extend(
        [
            "corpus/many-paragraphs.txt",
            "corpus/long-words.txt",
            "corpus/rtl.txt",
            "corpus/cjk.txt",
            "corpus/folder.txt/inside.txt",
        ]
        .map(String::from),
    );

    // --- The file system's hostility: a symlink loop, a dangling symlink, a FIFO and a device
    // named like articles, and a folder that cannot be read.
    t.write(
        "corpus/loop/inside.txt",
        " date 2016-08-08 Beside a symlink loop, marker insideloop.\n",
    );
    symlink(t.join("corpus/loop"), t.join("corpus/loop/back")).unwrap();
    valid.push("corpus/loop/inside.txt".into());
    symlink(t.join("corpus/nowhere.txt"), t.join("corpus/dangling.txt")).unwrap();
    let fifo = Command::new("mkfifo")
        .arg(t.join("corpus/fifo.txt"))
        .status();
    if !fifo.is_ok_and(|s| s.success()) {
        eprintln!("note: mkfifo failed; no FIFO in the corpus");
    }
    symlink("/dev/zero", t.join("corpus/zero.txt")).unwrap();
    t.write(
        "corpus/locked/inside.txt",
        " date 2016-08-09 Behind a locked door, marker insidelocked.\n",
    );
    let locked = t.join("corpus/locked");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    let _restore = common::RestoreMode(locked.clone());
    let locked_readable = fs::read_dir(&locked).is_ok();
    if locked_readable {
        // Running as root: permissions do not stop us, so the folder is indexed like any other.
        eprintln!("note: corpus/locked is still readable (running as root?)");
        valid.push("corpus/locked/inside.txt".into());
    }
    // --- Hostile records: each bad record reported by its line, every good one indexed. A 100 MB
    // field is passed over unkept (the peak memory below stays bounded).
    let mut jsonl = b"\xef\xbb\xbf".to_vec();
    jsonl.extend_from_slice(
        b"{\"id\": \"good-1\", \"date\": \"2016-02-01\", \"text\": \"marker recordone\"}\n",
    );
    jsonl.extend_from_slice(b"{\"id\": \"big\", \"date\": \"2016-02-02\", \"text\": \"");
    jsonl.resize(jsonl.len() + 100 * 1024 * 1024, b'x');
    jsonl.extend_from_slice(b"\"}\n");
    jsonl.extend_from_slice(
        b"{\"id\": \"utf\", \"date\": \"2016-02-03\", \"text\": \"bad \xff\"}\n",
    );
    jsonl
        .extend_from_slice(b"{\"id\": \"old\", \"date\": \"1600-01-01\", \"text\": \"too old\"}\n");
    jsonl.extend_from_slice(
        b"{\"id\": \"good-2\", \"date\": \"2016-02-04\", \"text\": \"marker recordtwo\"}\n",
    );
    jsonl.extend_from_slice(
        b"{\"id\": \"good-2\", \"date\": \"2016-02-05\", \"text\": \"marker recordtwo, last\"}\n",
    );
    jsonl.extend_from_slice(b"{\"id\": \"cut\", \"date\": \"2016-02-06\", \"text\": \"trunc");
    t.write("corpus/records.jsonl", &jsonl);
    drop(jsonl);
    t.write(
        "corpus/rows.csv",
        "\u{feff}id,date,text\nr1,2016-03-01,marker rowone\nr2,2016-03-02\nr3,2016-03-03,x,extra\n",
    );
    t.write(
        "corpus/table.csv",
        "file,date\nmissing.txt,2016-01-01\n../outside.txt,2016-01-01\n",
    );
    t.write("outside.txt", "Outside the folder being indexed.\n");
    valid.extend(
        [
            "corpus/records.jsonl#good-1",
            "corpus/records.jsonl#good-2",
            "corpus/rows.csv#r1",
        ]
        .map(String::from),
    );
    let corpus_abs = fs::canonicalize(t.corpus()).unwrap();

    // A file the walk lists and that is gone when it is read (see below).
    t.write(
        "corpus/vanished.txt",
        " date 2016-08-10 Here for the walk, gone for the read.\n",
    );

    let mut expected: Vec<String> = vec![
        "corpus/binary.txt:1: binary file (contains a NUL byte)".into(),
        "corpus/dangling.txt: no such file or directory".into(),
        "corpus/date-in-middle.txt:1: expected a date line (` date YYYY-MM-DD first paragraph`)"
            .into(),
        "corpus/date-only.txt:1: no paragraph text after the date line".into(),
        "corpus/empty.txt:1: empty file (expected a ` date YYYY-MM-DD` line)".into(),
        format!("corpus/huge.txt: file too large ({HUGE} bytes; the limit is 16 MiB)"),
        "corpus/impossible-date.txt:1: impossible date 2016-02-30".into(),
        format!(
            "corpus/invalid-utf8.txt:3: not UTF-8 text (invalid byte at offset {})",
            utf8_prefix.len()
        ),
    ];
    if !locked_readable {
        expected.push("corpus/locked: permission denied".into());
    }
    expected.extend([
        "corpus/loop/back: symlink loop (back to corpus/loop)".into(),
        "corpus/nul.txt:3: binary file (contains a NUL byte)".into(),
        "corpus/other-format.txt:1: invalid date \"17/09/2016\" (expected YYYY-MM-DD)".into(),
        "corpus/records.jsonl:2: record too large (the limit is 16 MiB a record)".into(),
        "corpus/records.jsonl:3: invalid JSON: invalid unicode code point (column 50)".into(),
        "corpus/records.jsonl:4: date 1600-01-01 is outside the supported range \
         1678-01-01..2261-12-31"
            .into(),
        "corpus/records.jsonl:6: duplicate id \"good-2\" (also on line 5): the last record is \
         indexed"
            .into(),
        "corpus/records.jsonl:7: invalid JSON: EOF while parsing a string (column 50)".into(),
        "corpus/rows.csv:3: 2 fields where the header has 3".into(),
        "corpus/rows.csv:4: 4 fields where the header has 3".into(),
        "corpus/table.csv:2: text file missing.txt: no such file or directory".into(),
        format!(
            "corpus/table.csv:3: text file ../outside.txt is outside the folder being indexed ({})",
            corpus_abs.display()
        ),
        "corpus/vanished.txt: no such file or directory".into(),
        "corpus/whitespace-only.txt:1: empty file (expected a ` date YYYY-MM-DD` line)".into(),
    ]);

    // --- The run. Tantivy opens the index's segments under a blocking flock on
    // idx/.tantivy-meta.lock, which `dateline index` first does after the walk and before reading
    // any file. Holding that lock stops the run exactly there: the file deleted then has been
    // listed but not read, deterministically.
    let meta_lock = t.index().join(".tantivy-meta.lock");
    let holder = MetaLock::take(&meta_lock);
    if holder.is_none() {
        eprintln!("note: flock(1) or /proc/locks unavailable; the vanished file is removed first");
        t.remove("corpus/vanished.txt");
        expected.retain(|l| !l.starts_with("corpus/vanished.txt"));
    }
    let time_report = t.join("time-report.txt");
    let (cmd, timed) = index_command(&t, &time_report);
    let mut indexer = start(cmd);
    if let Some(holder) = holder {
        let deadline = Instant::now() + WATCHDOG;
        while !MetaLock::has_waiter(&meta_lock) {
            let finished = !indexer.is_running();
            assert!(
                !finished && Instant::now() < deadline,
                "dateline index never waited for {} (finished: {finished}); the vanished-file \
                 case relies on the run opening a reader between the walk and the reads",
                meta_lock.display()
            );
            thread::sleep(Duration::from_millis(5));
        }
        t.remove("corpus/vanished.txt");
        // Written after the walk: this run must not see it.
        t.write(
            "corpus/late.txt",
            " date 2016-08-11 Written after the walk, marker latecomer.\n",
        );
        drop(holder);
    }
    let r = indexer.finish();
    r.assert_code(1);
    assert_eq!(
        r.stderr.lines().collect::<Vec<_>>(),
        expected,
        "{}",
        r.stderr
    );
    let n = valid.len() as u64;
    assert_eq!(
        r.summary(),
        Summary::new(n, 0, 0, 0, expected.len() as u64, n)
    );

    // Memory stays bounded: the 50 MiB file is refused unread.
    if timed {
        let report = fs::read_to_string(&time_report).unwrap();
        let kb: u64 = report
            .lines()
            .find_map(|l| {
                l.trim()
                    .strip_prefix("Maximum resident set size (kbytes): ")
            })
            .unwrap_or_else(|| panic!("no peak RSS in the time report:\n{report}"))
            .parse()
            .unwrap();
        eprintln!("note: peak RSS of the run: {kb} kB");
        assert!(kb < 500 * 1024, "peak RSS {kb} kB, over 500 MB");
    } else {
        eprintln!("note: GNU time unavailable; peak memory not measured");
    }

    // --- Every valid article, and nothing else, is indexed.
    let stats = run(&t, &["stats", "--json"]);
    stats.assert_code(0);
    assert_eq!(stats.json()["articles"], n);
    let all = search(&t, "", &["-n", "1000", "--sort", "oldest"]);
    let mut want = valid.clone();
    want.sort();
    assert_eq!(checked_paths(&all, ""), want);
    assert_eq!(checked_paths(&search(&t, "harbour", &[]), "harbour"), {
        let mut v = neighbours.clone();
        v.sort();
        v
    });
    for path in &neighbours {
        let kind = path
            .strip_prefix("corpus/")
            .and_then(|p| p.strip_suffix("-neighbour.txt"))
            .unwrap();
        let marker = format!("nb{}", kind.replace('-', ""));
        let v = search(&t, &marker, &[]);
        v.assert_code(0);
        assert_eq!(paths_of(&v.json()), vec![path.as_str()], "{marker}");
    }
    for (marker, path) in [
        ("insidefolder", "corpus/folder.txt/inside.txt"),
        ("insideloop", "corpus/loop/inside.txt"),
        ("recordone", "corpus/records.jsonl#good-1"),
        ("recordtwo", "corpus/records.jsonl#good-2"),
        ("rowone", "corpus/rows.csv#r1"),
    ] {
        assert_eq!(paths_of(&search(&t, marker, &[]).json()), vec![path]);
    }
    search(&t, "latecomer", &[]).assert_code(1);

    // 100,000 tiny paragraphs: searchable to the last one, and shown whole.
    only_hit(
        &t,
        "tiny54321",
        "corpus/many-paragraphs.txt",
        54_322,
        "tiny54321",
    );
    let shown = run(&t, &["show", "corpus/many-paragraphs.txt", "--json"]);
    shown.assert_code(0);
    let paragraphs = shown.json()["paragraphs"].as_array().unwrap().clone();
    assert_eq!(paragraphs.len(), PARAGRAPHS);
    assert_eq!(paragraphs[0], "tiny0 paragraph");
    assert_eq!(paragraphs[PARAGRAPHS - 1], "tiny99999 paragraph");
    let plain = run(&t, &["show", "corpus/many-paragraphs.txt"]);
    plain.assert_code(0);
    assert_eq!(plain.stdout.lines().count(), 1 + 2 * PARAGRAPHS);
    assert!(plain.stdout.ends_with("\n[100000] tiny99999 paragraph\n"));

    // 10,000-character words: kept in the store, their neighbours searchable, snippets short.
    only_hit(&t, "alpha", "corpus/long-words.txt", 1, "alpha");
    only_hit(&t, "omega", "corpus/long-words.txt", 1, "omega");
    only_hit(&t, "zeta", "corpus/long-words.txt", 2, "zeta");
    only_hit(&t, "gamma", "corpus/long-words.txt", 3, "gamma");
    let hit = only_hit(&t, "delta", "corpus/long-words.txt", 4, "delta");
    assert_eq!(hit["snippet"], "…delta…");
    let shown = run(&t, &["show", "corpus/long-words.txt", "--json"]);
    shown.assert_code(0);
    assert_eq!(
        shown.json()["paragraphs"],
        serde_json::json!(long_paragraphs)
    );
    // The word itself is longer than a query may be…
    let word = "x".repeat(10_000);
    let r = search(&t, &word, &[]);
    r.assert_code(2);
    assert_eq!(
        r.stderr,
        "error: the query is 10000 bytes long; the limit is 4096\n"
    );
    // …and the analyzer drops words over 40 bytes, in queries as in articles: no hits, no error.
    expect(&t, &"x".repeat(4000), &[], 1, "", &[]);

    // Right-to-left and CJK text: the tokenizer splits at non-alphanumeric characters, so a CJK
    // run without spaces is one word, found whole; bidi controls are separators.
    only_hit(&t, "بالعالم", "corpus/rtl.txt", 1, "بالعالم");
    only_hit(&t, "עולם", "corpus/rtl.txt", 2, "עולם");
    only_hit(&t, "override", "corpus/rtl.txt", 3, "override");
    only_hit(
        &t,
        "東京の天気は晴れ",
        "corpus/cjk.txt",
        1,
        "東京の天気は晴れ",
    );
    only_hit(&t, "上海", "corpus/cjk.txt", 2, "上海");

    // --- A second run: the bad files are reported again, the valid ones are unchanged, the late
    // file is added and the vanished one, never indexed, is simply gone.
    let late = t.join("corpus/late.txt").exists();
    expected.retain(|l| !l.starts_with("corpus/vanished.txt"));
    let r = run(&t, &["index", "corpus"]);
    r.assert_code(1);
    assert_eq!(r.stderr.lines().collect::<Vec<_>>(), expected);
    let added = u64::from(late);
    assert_eq!(
        r.summary(),
        Summary::new(added, 0, 0, n, expected.len() as u64, n + added)
    );
    if late {
        assert_eq!(
            paths_of(&search(&t, "latecomer", &[]).json()),
            vec!["corpus/late.txt"]
        );
    }
}

/// A FIFO named on the command line is neither a file nor a folder: the run must say so rather
/// than report success having done nothing.
#[cfg(unix)]
#[test]
fn fifo_named_directly_is_reported() {
    let t = TestDir::new();
    let made = Command::new("mkfifo")
        .arg(t.join("corpus/fifo.txt"))
        .status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mkfifo failed");
        return;
    }
    let r = run(&t, &["index", "corpus/fifo.txt"]);
    assert_ne!(r.code, 0, "{}: {}", r.cmdline, r.stdout);
    assert!(r.stderr.contains("corpus/fifo.txt"), "{}", r.stderr);
}

// ---------------------------------------------------------------------------------------------
// B. Hostile queries and flags
// ---------------------------------------------------------------------------------------------

#[test]
fn unbalanced_quotes_and_parentheses_and_lone_operators_are_read_leniently() {
    let t = indexed_good();
    let searched = |what: &str| format!("{SYNTAX}; searched for: {what}\n");
    let lenient = format!("{SYNTAX}; read it leniently\n");
    expect(&t, "aid\"", &[], 0, &searched("aid"), &AID);
    expect(
        &t,
        "\"aid\" \"convoys",
        &[],
        0,
        &searched("\"aid\" convoys"),
        &AID_OR_CONVOYS,
    );
    expect(&t, "\"\"\"", &[], 1, &searched("\"\""), &[]);
    expect(&t, "aid)", &[], 0, &searched("aid"), &AID);
    expect(&t, ")aid(", &[], 0, &searched("aid"), &AID);
    expect(
        &t,
        "((aid OR convoys)",
        &[],
        0,
        &searched("(aid OR convoys)"),
        &AID_OR_CONVOYS,
    );
    expect(
        &t,
        "(aid OR convoys))",
        &[],
        0,
        &searched("(aid OR convoys)"),
        &AID_OR_CONVOYS,
    );
    expect(&t, "AND OR NOT", &[], 1, &lenient, &[]);
    expect(&t, &"NOT ".repeat(1000), &[], 1, &lenient, &[]);
}

#[test]
fn query_over_4096_bytes_is_refused_and_one_of_exactly_4096_works() {
    let t = indexed_good();
    for (query, len) in [
        ("aid ".repeat(25_600), 102_400),
        ("a".repeat(4097), 4097),
        ("(".repeat(100_000), 100_000),
    ] {
        expect(
            &t,
            &query,
            &[],
            2,
            &format!("error: the query is {len} bytes long; the limit is 4096\n"),
            &[],
        );
    }
    let at_limit = "convoys ".repeat(512);
    assert_eq!(at_limit.len(), 4096);
    expect(&t, &at_limit, &[], 0, "", &[WINTER, RAIL]);
    let wide = "é".repeat(2048);
    assert_eq!(wide.len(), 4096);
    expect(&t, &wide, &[], 1, "", &[]);
}

#[test]
fn unknown_fields_and_date_and_path_syntax_abuse() {
    let t = indexed_good();
    let lenient = format!("{SYNTAX}; read it leniently\n");
    expect(
        &t,
        "nosuchfield:aid convoys",
        &[],
        0,
        "warning: no field named \"nosuchfield\"; searched for: nosuchfield aid convoys\n",
        &AID_OR_CONVOYS,
    );
    expect(
        &t,
        "nosuchfield:",
        &[],
        1,
        "warning: no field named \"nosuchfield\"; searched for: nosuchfield\n",
        &[],
    );
    expect(
        &t,
        "NoSuchField:\"aid convoys\"",
        &[],
        1,
        "warning: no field named \"NoSuchField\"; searched for: NoSuchField \"aid convoys\"\n",
        &[],
    );
    for q in [
        "date:",
        "date:[",
        "date:[2016 TO",
        "path:",
        "path:(",
        "path:\"",
    ] {
        expect(&t, q, &[], 1, &lenient, &[]);
    }
    // A date clause that is not a date is refused, in dateline's words (it was read leniently
    // as matching nothing, with tantivy's "the date field has an invalid format").
    for (q, value) in [("date:>=", ">="), ("date:\"not a date\"", "not a date")] {
        expect(
            &t,
            q,
            &[],
            2,
            &format!("error: date:{value}: not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)\n"),
            &[],
        );
    }
    // The date field takes the dates --from and --to take.
    expect(&t, "date:2016-09-17", &[], 0, "", &[SEED]);
    expect(
        &t,
        "date:[2016-09 TO 2016-09]",
        &[],
        0,
        "",
        &[SEED, HARVEST],
    );
    expect(&t, "date:{2016-09 TO *]", &[], 0, "", &[RAIL, LEAP]);
    // Well-formed date queries (RFC 3339) work, alone or with words.
    expect(
        &t,
        "date:[2016-01-01T00:00:00Z TO 2016-12-31T00:00:00Z]",
        &[],
        0,
        "",
        &[NEW_YEAR, SEED, HARVEST, RAIL],
    );
    expect(
        &t,
        "date:>=2016-09-17T00:00:00Z",
        &[],
        0,
        "",
        &[SEED, HARVEST, RAIL, LEAP],
    );
    // A date clause narrows, never widens: an open range beside `aid` leaves `aid`'s matches
    // (OR-ed in, it matched every article).
    expect(&t, "aid date:[* TO *]", &[], 0, "", &AID);
    expect(&t, "aid date:[2017 TO *]", &[], 1, "", &[]);
    expect(&t, "aid date:[2016-09 TO 2016-09]", &[], 0, "", &[SEED]);
    expect(&t, "+aid date:[* TO *]", &[], 0, "", &AID);
    // Paths are exact keys: nothing escapes the index.
    expect(&t, &format!("path:\"{SEED}\""), &[], 0, "", &[SEED]);
    for q in ["path:../../etc/passwd", "path:/etc/passwd", "path:corpus*"] {
        expect(&t, q, &[], 1, "", &[]);
    }
}

/// `[* TO *]` bounds nothing, so it matches every article that has the field; tantivy's parser
/// drops such a range, which leaves an empty query that matches nothing at all.
#[test]
fn ranges_open_at_both_ends_match_every_article() {
    let t = indexed_good();
    for q in ["date:[* TO *]", "date:{* TO *}", "path:[* TO *]"] {
        expect(&t, q, &[], 0, "", &BY_DATE);
    }
}

/// A query that only excludes words reads as every article without them, and says so in
/// dateline's words (it showed tantivy's "Only excluding terms given").
#[test]
fn a_query_of_exclusions_alone_says_what_it_searched() {
    let t = indexed_good();
    let r = search(&t, "-aid", &[]);
    r.assert_code(0);
    assert_eq!(
        r.stderr,
        "warning: the query only excludes words; searched every article without them\n"
    );
    assert_eq!(r.json()["total"], 5);
}

#[test]
fn limit_and_offset_at_their_extremes() {
    let t = indexed_good();
    let v = search(&t, "", &["--limit", "0", "--sort", "oldest"]);
    v.assert_code(0);
    assert_eq!(v.json()["total"], 7);
    assert_eq!(v.json()["hits"], serde_json::json!([]));
    for n in ["1000000000", "18446744073709551615"] {
        expect(&t, "aid", &["--limit", n], 0, "", &AID);
        expect(&t, "", &["--limit", n, "--sort", "newest"], 0, "", &BY_DATE);
    }
    for (offset, left) in [("6", 1), ("7", 0), ("1000000000", 0)] {
        let r = search(&t, "", &["--offset", offset, "--sort", "oldest"]);
        r.assert_code(0);
        assert_eq!(r.json()["total"], 7);
        assert_eq!(r.json()["hits"].as_array().unwrap().len(), left, "{offset}");
    }
    let max = "18446744073709551615";
    let r = search(
        &t,
        "aid",
        &["--offset", max, "--limit", max, "--sort", "oldest"],
    );
    r.assert_code(0);
    assert_eq!(r.json()["total"], 2);
    assert_eq!(r.json()["hits"], serde_json::json!([]));
    // One past u64: a usage error naming the flag.
    for flag in ["--limit", "--offset"] {
        let r = search(&t, "aid", &[flag, "18446744073709551616"]);
        r.assert_code(2);
        assert_eq!(r.stdout, "");
        let upper = flag.trim_start_matches('-').to_uppercase();
        assert!(
            r.stderr.starts_with(&format!(
                "error: invalid value '18446744073709551616' for '{flag} <{upper}>'"
            )),
            "{}",
            r.stderr
        );
    }
}

#[test]
fn date_flags_at_the_extremes_and_with_time_zones() {
    let t = indexed_good();
    let widest = ["--from", "0000-01-01", "--to", "9999-12-31"];
    expect(&t, "", &widest, 0, "", &BY_DATE);
    expect(&t, "aid", &widest, 0, "", &AID);
    expect(&t, "", &["--from", "0000-01-01"], 0, "", &BY_DATE);
    expect(&t, "", &["--to", "9999-12-31"], 0, "", &BY_DATE);
    expect(&t, "", &["--from", "9999-12-31"], 1, "", &[]);
    expect(&t, "", &["--to", "0000-01-01"], 1, "", &[]);
    for (flag, value) in [
        ("--from", "2016-09-17T00:00:00Z"),
        ("--to", "2016-09-17+02:00"),
        ("--from", "2016-09-17T00:00:00+02:00"),
        ("--to", "2016-09-17Z"),
        ("--from", "2016-09-17 00:00"),
    ] {
        expect(
            &t,
            "aid",
            &[flag, value],
            2,
            &format!(
                "error: invalid date for {flag}: {value:?} (expected YYYY, YYYY-MM or YYYY-MM-DD)\n"
            ),
            &[],
        );
    }
}

#[test]
fn empty_blank_punctuation_control_and_emoji_queries() {
    let t = indexed_good();
    // No words: a mistake, unless something lists the articles by date.
    for q in ["", "   ", "\t\n \r"] {
        let r = search(&t, q, &[]);
        r.assert_code(2);
        assert!(
            r.stderr.starts_with("error: the query is empty ("),
            "{}",
            r.stderr
        );
        expect(&t, q, &["--sort", "oldest"], 0, "", &BY_DATE);
    }
    let lenient = format!("{SYNTAX}; read it leniently\n");
    expect(&t, "!@#$%^&*()", &[], 1, &lenient, &[]);
    expect(&t, "\u{1b}[31m", &[], 1, &lenient, &[]);
    expect(
        &t,
        ".,;:!?",
        &[],
        1,
        "warning: no field named \".,;\"; read it leniently\n",
        &[],
    );
    for q in [
        "...",
        "¿¡«»—…",
        "\u{1}\u{2}\u{3}\u{7f}",
        "\u{200b}",
        "\u{feff}",
        "\u{fffd}",
        "🙂🙂🙂",
        "👩\u{200d}👩\u{200d}👧\u{200d}👦",
    ] {
        expect(&t, q, &[], 1, "", &[]);
    }
    for q in ["🙂 aid", "\u{202e}aid", "\u{7}aid\u{7}"] {
        expect(&t, q, &[], 0, "", &AID);
    }
    for q in ["aid\tconvoys", "aid\nconvoys", "aid\rconvoys"] {
        expect(&t, q, &[], 0, "", &AID_OR_CONVOYS);
    }
}

#[test]
fn deeply_nested_parentheses_and_500_ored_words() {
    let t = indexed_good();
    // Up to 100 levels are read; deeper is refused, because tantivy's parsers recurse per level.
    let nested = format!("{}aid{}", "(".repeat(100), ")".repeat(100));
    expect(&t, &nested, &[], 0, "", &AID);
    let unclosed = format!("{}aid", "(".repeat(100));
    expect(
        &t,
        &unclosed,
        &[],
        0,
        &format!("{SYNTAX}; searched for: aid\n"),
        &AID,
    );
    for depth in [101, 1000, 2046] {
        let deep = format!("{}aid{}", "(".repeat(depth), ")".repeat(depth));
        let r = search(&t, &deep, &[]);
        r.assert_code(2);
        assert_eq!(
            r.stderr,
            format!("error: the query nests parentheses {depth} deep; the limit is 100\n")
        );
        assert_eq!(r.stdout, "");
    }

    let mut words: Vec<String> = (0..498).map(|i| format!("w{i}")).collect();
    words.extend(["aid".to_string(), "convoys".to_string()]);
    let ored = words.join(" OR ");
    assert!(ored.len() <= 4096, "{}", ored.len());
    expect(&t, &ored, &[], 0, "", &AID_OR_CONVOYS);
    let anded = vec!["aid"; 500].join(" AND ");
    assert!(anded.len() <= 4096, "{}", anded.len());
    expect(&t, &anded, &[], 0, "", &AID);
}

/// The lenient parser recurses once per `(`; a query of nothing but `(` (the strict parser
/// rejects it, and mending leaves nothing) overflows the main thread's stack: SIGABRT in a debug
/// build with the default 8 MiB stack, and in a release build under `ulimit -s 4096`.
#[test]
fn thousands_of_unclosed_parentheses_do_not_overflow_the_stack() {
    let t = indexed_good();
    for n in [3000, 4096] {
        let q = "(".repeat(n);
        let r = search(&t, &q, &[]);
        if r.code == 2 {
            assert!(r.stderr.starts_with("error: "), "{}", r.stderr);
        } else {
            assert_eq!(r.stderr, format!("{SYNTAX}; read it leniently\n"));
            assert_eq!(checked_paths(&r, &q), Vec::<String>::new());
        }
    }
}

/// Sorting by date scores each hit with `Query::explain`; tantivy's phrase explanation seeks
/// backwards for an article that precedes the phrase's first match, which a debug assertion in
/// tantivy turns into a panic (release builds answer correctly).
#[test]
fn phrase_and_words_sorted_by_date_do_not_panic() {
    let t = indexed_good();
    for (q, sort, want) in [
        ("\"peace brokers\" aid", "oldest", vec![NEW_YEAR, SEED]),
        ("\"peace brokers\" aid", "newest", vec![SEED, NEW_YEAR]),
        (
            "\"aid caravans\" convoys",
            "newest",
            vec![RAIL, SEED, WINTER],
        ),
    ] {
        let r = search(&t, q, &["--sort", sort]);
        r.assert_code(0);
        assert_eq!(r.stderr, "");
        assert_eq!(paths_of(&r.json()), want, "{q} --sort {sort}");
    }
}

/// Found by the `query` fuzz target: excluding a phrase made tantivy's exclusion seek the
/// phrase scorer backwards, a debug assertion (`phrase_scorer.rs`: target >= doc) that killed
/// debug builds; release builds answered correctly.
#[test]
fn excluded_phrase_does_not_trip_tantivy_seek_assertion() {
    let t = indexed_good();
    expect(&t, "aid -\"aid caravans\"", &[], 0, "", &[NEW_YEAR]);
    expect(&t, "aid -\"peace aid\"", &[], 0, "", &AID);
    expect(&t, "aid -(\"aid caravans\")", &[], 0, "", &[NEW_YEAR]);
    expect(&t, "convoys -\"bus convoys\"", &[], 0, "", &[WINTER]);
}

/// Found by the `query` fuzz target: `field:*` on a field that does not exist passed tantivy's
/// parser (it checks field names for other clauses) and failed only when run, as an index error.
#[test]
fn exists_query_on_an_unknown_field_is_read_as_a_word() {
    let t = indexed_good();
    let warn = "warning: no field named \"aid\"; searched for: aid\n";
    expect(&t, "aid:*", &[], 0, warn, &AID);
    let warn = "warning: no field named \"nosuch\"; searched for: (nosuch convoys)\n";
    expect(&t, "(nosuch:* convoys)", &[], 0, warn, &[WINTER, RAIL]);
}
