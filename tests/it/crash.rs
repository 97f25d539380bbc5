//! Crash safety and concurrency: `dateline index` killed with SIGKILL at any point leaves the
//! index at its previous commit or its new one (never in between), the index still opens and
//! checks clean, and the next run brings it exactly in step; searches running beside an indexer
//! see one commit or the other and never fail; a second indexer is turned away at once; a killed
//! indexer's lock blocks nobody.
//!
//! Kill timing varies from run to run, so every assertion is an invariant that holds wherever the
//! kill lands. Three of them are sharp whatever the timing:
//! * a run killed before any segment of its own was serialised must leave the previous commit;
//! * a run whose summary line reached stdout must leave the new commit;
//! * anything in between may leave either, but never a mixture (counts and marker words are
//!   checked together).
//!
//! The tests take turns (one heavy indexer at a time on a small CI machine, and kill points are
//! placed against a run measured in the same test). No assertion is about time except watchdogs,
//! which turn a hang into a failure.

#![cfg(unix)]

use crate::common;
use crate::common::watchdog::Running;
use crate::common::{Output, Summary, TestDir};
use serde_json::Value;
use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::thread::{self};
use std::time::Duration;

/// How long any one command may take before the test kills it and fails.
const WATCHDOG: Duration = Duration::from_secs(120);

/// Articles in the shared corpus: enough that the debug binary takes a few seconds to index
/// them. Few and long rather than many and short: creating files is slow on some machines.
const FULL: usize = 4000;
/// Bump when the generator changes, so a cached shared corpus is not reused.
const CORPUS_VERSION: u32 = 1;

/// In every generated article.
const ALL: &str = "crashmarkall";
/// Only in the edited version of an article.
const EDITED: &str = "crashmarkedit";
/// Only in the articles of the shared corpus.
const SHARED: &str = "crashmarkshared";
/// Only in articles that are deleted after the first commit.
const GONE: &str = "crashmarkgone";

static SERIAL: Mutex<()> = Mutex::new(());

/// One test of this file at a time.
fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

// ---------------------------------------------------------------------------------------------
// A deterministic corpus
// ---------------------------------------------------------------------------------------------

/// xorshift64: small, fast and the same everywhere.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        // Spread nearby seeds apart; xorshift must not start at 0.
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
}

/// Generates articles. Words are consonant-vowel syllables, so no generated word can be one of
/// the marker words (which hold consonant clusters).
struct Generator {
    vocab: Vec<String>,
}

impl Generator {
    fn new() -> Generator {
        const CONSONANTS: &[u8] = b"bdfgklmnprstvz";
        const VOWELS: &[u8] = b"aeiou";
        let mut rng = Rng::new(0x00da_7e11);
        let vocab = (0..3000)
            .map(|_| {
                let syllables = rng.range(1, 4);
                let mut w = String::new();
                for _ in 0..syllables {
                    w.push(CONSONANTS[rng.below(CONSONANTS.len() as u64) as usize] as char);
                    w.push(VOWELS[rng.below(VOWELS.len() as u64) as usize] as char);
                }
                w
            })
            .collect();
        Generator { vocab }
    }

    /// Article number `n`: a date line and three to six paragraphs; the first paragraph starts
    /// with [`ALL`] and the `markers`.
    fn article(&self, n: u64, markers: &[&str]) -> String {
        let mut rng = Rng::new(n + 1);
        let mut text = format!(
            " date {}-{:02}-{:02} {ALL}",
            rng.range(1990, 2019),
            rng.range(1, 12),
            rng.range(1, 28)
        );
        for m in markers {
            text.push(' ');
            text.push_str(m);
        }
        let paragraphs = rng.range(3, 6);
        let vocab = self.vocab.len() as u64;
        for p in 0..paragraphs {
            if p > 0 {
                text.push_str("\n\n");
            }
            for w in 0..rng.range(120, 250) {
                // The first paragraph goes on after the marker words.
                if w > 0 || p == 0 {
                    text.push(' ');
                }
                // Skewed towards the first words, as real text is.
                let i = rng.below(vocab).min(rng.below(vocab));
                text.push_str(&self.vocab[i as usize]);
            }
            text.push('.');
        }
        text.push('\n');
        text
    }
}

/// The path (relative to a test folder) of article `i` of a batch of the test's own corpus.
fn article_path(batch: &str, i: usize) -> String {
    format!("corpus/{batch}/{:03}/{batch}-{i:05}.txt", i / 250)
}

/// Writes articles `range` of a batch into the test's own corpus; `markers(i)` gives each one's
/// marker words.
fn write_batch(
    t: &TestDir,
    g: &Generator,
    batch: &str,
    seed: u64,
    range: std::ops::Range<usize>,
    markers: impl Fn(usize) -> Vec<&'static str>,
) {
    for i in range {
        t.write(
            &article_path(batch, i),
            g.article(seed * 1_000_000 + i as u64, &markers(i)),
        );
    }
}

/// The shared corpus: [`FULL`] articles, each with [`SHARED`], in two halves `a/` and `b/`.
/// The tests only read it. It is generated once into cargo's scratch folder for integration
/// tests and kept there for later runs (named by [`CORPUS_VERSION`], moved into place whole).
/// Its articles are indexed by absolute path.
fn shared_corpus() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let scratch = Path::new(env!("CARGO_TARGET_TMPDIR"));
        let dir = scratch.join(format!("crash-corpus-v{CORPUS_VERSION}-{FULL}"));
        let stamp = ".complete";
        if !dir.join(stamp).is_file() {
            let tmp = tempfile::Builder::new()
                .prefix("crash-corpus-partial-")
                .tempdir_in(scratch)
                .expect("creating a scratch folder");
            let g = Generator::new();
            for i in 0..FULL {
                let half = if i < FULL / 2 { "a" } else { "b" };
                let path = tmp
                    .path()
                    .join(format!("{half}/{:03}/{half}-{i:05}.txt", i / 200));
                fs::create_dir_all(path.parent().unwrap()).unwrap();
                fs::write(&path, g.article(7_000_000 + i as u64, &[SHARED])).unwrap();
            }
            fs::write(tmp.path().join(stamp), "").unwrap();
            // Another test process may have got there first: then use its copy.
            if fs::rename(tmp.path(), &dir).is_err() {
                assert!(dir.join(stamp).is_file(), "{} is incomplete", dir.display());
            }
        }
        fs::canonicalize(&dir).unwrap()
    })
}

/// The shared corpus, or one of its halves, as an argument for `dateline index`.
fn shared(half: &str) -> String {
    shared_corpus().join(half).to_string_lossy().into_owned()
}

// ---------------------------------------------------------------------------------------------
// Running the binary with a watchdog, and killing it
// ---------------------------------------------------------------------------------------------

/// Starts `dateline --index idx ARGS…` in the test folder under the watchdog.
fn spawn(t: &TestDir, args: &[&str]) -> Running {
    let cmdline = format!("dateline --index {} {}", common::INDEX, args.join(" "));
    Running::start(t.command(args), cmdline, WATCHDOG)
}

/// Runs a command to completion under the watchdog (see `common::watchdog::Running::finish`).
fn run(t: &TestDir, args: &[&str]) -> Output {
    spawn(t, args).finish()
}

// ---------------------------------------------------------------------------------------------
// Looking at the index folder
// ---------------------------------------------------------------------------------------------

fn file_names(dir: &Path) -> BTreeSet<String> {
    match fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => BTreeSet::new(),
    }
}

/// Whether the folder holds a segment file, not present in `before`, with postings or field
/// norms in it: tantivy writes those only when it serialises a segment, which a commit must do
/// before it can name the segment in `meta.json`. (The doc store is streamed from the start, so
/// `.store` files do not count.)
fn serialised_since(before: &BTreeSet<String>, dir: &Path) -> bool {
    let Ok(entries) = fs::read_dir(dir) else {
        return false;
    };
    entries.filter_map(|e| e.ok()).any(|e| {
        let name = e.file_name().to_string_lossy().into_owned();
        let postings = [".idx", ".term", ".pos", ".fieldnorm"]
            .iter()
            .any(|ext| name.ends_with(ext));
        postings && !before.contains(&name) && e.metadata().is_ok_and(|m| m.len() > 0)
    })
}

/// The opstamp of the last commit with a payload in `meta.json`, if any.
fn committed_opstamp(dir: &Path) -> Option<u64> {
    let text = fs::read_to_string(dir.join("meta.json")).ok()?;
    let meta: Value = serde_json::from_str(&text).ok()?;
    meta["payload"].as_str()?;
    meta["opstamp"].as_u64()
}

/// Whether `/proc/locks` shows a `flock` on the index's writer lock file; `None` where there is
/// no `/proc/locks` to ask.
fn writer_lock_held(index: &Path) -> Option<bool> {
    let locks = fs::read_to_string("/proc/locks").ok()?;
    let Ok(meta) = fs::metadata(index.join(".tantivy-writer.lock")) else {
        return Some(false);
    };
    let ino = format!(":{}", meta.ino());
    Some(locks.lines().any(|l| {
        let fields: Vec<&str> = l.split_whitespace().collect();
        fields.contains(&"FLOCK")
            && !fields.contains(&"->")
            && fields.iter().any(|f| f.ends_with(&ino))
    }))
}

/// Waits until the running indexer holds the writer lock (or, where `/proc/locks` does not
/// tell, a while: the lock is taken in the first milliseconds).
fn wait_for_writer_lock(t: &TestDir, run: &mut Running) {
    loop {
        assert!(
            run.is_running(),
            "{} exited before it was seen holding the lock",
            run.cmdline
        );
        match writer_lock_held(&t.index()) {
            Some(true) => return,
            Some(false) if run.elapsed() > Duration::from_secs(1) => return,
            None if run.elapsed() > Duration::from_millis(300) => return,
            _ => {}
        }
        run.watchdog();
        thread::sleep(Duration::from_millis(1));
    }
}

// ---------------------------------------------------------------------------------------------
// What the index says
// ---------------------------------------------------------------------------------------------

/// The article count and the hit count of each marker word: what must match one commit exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
struct State {
    articles: u64,
    hits: Vec<(&'static str, u64)>,
}

impl State {
    fn new(articles: u64, hits: &[(&'static str, u64)]) -> State {
        State {
            articles,
            hits: hits.to_vec(),
        }
    }
}

/// `dateline search WORD --json -n 0`: the total, after checking the exit code agrees with it.
fn search_total(t: &TestDir, word: &str) -> u64 {
    let out = run(t, &["search", word, "--json", "-n", "0"]);
    assert_eq!(out.stderr, "", "{}", out.cmdline);
    let total = out.json()["total"]
        .as_u64()
        .unwrap_or_else(|| panic!("{}: no total in {}", out.cmdline, out.stdout));
    out.assert_code(if total == 0 { 1 } else { 0 });
    total
}

fn article_count(t: &TestDir) -> u64 {
    let out = run(t, &["stats", "--json"]);
    out.assert_code(0);
    assert_eq!(out.stderr, "", "{}", out.cmdline);
    out.json()["articles"]
        .as_u64()
        .unwrap_or_else(|| panic!("{}: no article count in {}", out.cmdline, out.stdout))
}

/// What the index holds now, asked the way a user would (`stats`, `search`).
fn observe(t: &TestDir, words: &[&'static str]) -> State {
    State {
        articles: article_count(t),
        hits: words.iter().map(|w| (*w, search_total(t, w))).collect(),
    }
}

/// `dateline check` and `dateline check --json` find the index healthy with `articles` articles.
fn assert_check_ok(t: &TestDir, articles: u64) {
    let out = run(t, &["check"]);
    out.assert_code(0);
    assert_eq!(out.stdout, format!("ok: {articles} articles checked\n"));
    assert_eq!(out.stderr, "", "{}", out.cmdline);
    let out = run(t, &["check", "--json"]);
    out.assert_code(0);
    let v = out.json();
    assert_eq!(v["articles"], Value::from(articles), "{}", out.stdout);
    assert_eq!(v["problems"], Value::Array(vec![]), "{}", out.stdout);
}

/// What a second `dateline index` says while another one writes to the index.
fn lock_message() -> String {
    format!(
        "error: another dateline index is writing to {} (wait for it to finish, then run again)\n",
        common::INDEX
    )
}

/// `dateline index ROOTS…` runs to completion and exits 0 with an empty stderr.
fn index_ok(t: &TestDir, roots: &[&str]) -> (Summary, Duration) {
    let mut args = vec!["index"];
    args.extend_from_slice(roots);
    let ended = spawn(t, &args).wait();
    ended.output.assert_code(0);
    assert_eq!(ended.output.stderr, "", "{}", ended.output.cmdline);
    (ended.output.summary(), ended.took)
}

/// Copies the files of one folder into another (created).
fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

// ---------------------------------------------------------------------------------------------
// Killing an indexer
// ---------------------------------------------------------------------------------------------

/// When to SIGKILL a running indexer.
#[derive(Debug, Clone, Copy)]
enum KillAt {
    /// This long after the start, and not before `meta.json` exists (a kill while tantivy
    /// creates the index is the subject of its own test).
    After(Duration),
    /// As soon as a segment of this run is being serialised: the commit (or a flush ahead of
    /// it) is under way.
    Serialising,
    /// As soon as `meta.json` names a commit newer than before the run.
    Committed,
    /// As soon as the summary line reaches stdout.
    Summary,
}

/// Where a kill landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Landed {
    /// No segment of the run had been serialised: nothing can have been committed.
    BeforeCommit,
    /// Somewhere in the commit or after it, before the summary: either commit may be there.
    InCommit,
    /// The summary had been printed (or the run exited by itself): the commit is done.
    AfterSummary,
}

/// Starts `dateline index ARGS`, kills it at `at`, and says where the kill landed.
fn kill_index_run(t: &TestDir, args: &[&str], at: KillAt) -> Landed {
    let index = t.index();
    let before = file_names(&index);
    let opstamp_before = committed_opstamp(&index);
    let mut run = spawn(t, args);
    while run.is_running() {
        let fire = match at {
            KillAt::After(d) => run.elapsed() >= d && index.join("meta.json").is_file(),
            KillAt::Serialising => serialised_since(&before, &index),
            KillAt::Committed => {
                committed_opstamp(&index).is_some_and(|o| Some(o) != opstamp_before)
            }
            KillAt::Summary => run.has_printed(),
        };
        if fire {
            break;
        }
        run.watchdog();
        thread::sleep(Duration::from_millis(1));
    }
    let ended = run.kill();
    let out = &ended.output;
    assert!(
        !out.stderr.contains("panicked") && !out.stderr.contains("error"),
        "{} reported a problem before it was killed:\n{}",
        out.cmdline,
        out.stderr
    );
    if !ended.killed() {
        // It finished before the kill: it must have finished well.
        out.assert_code(0);
    }
    let landed = if !ended.killed() || !out.stdout.is_empty() {
        Landed::AfterSummary
    } else if !serialised_since(&before, &index) {
        Landed::BeforeCommit
    } else {
        Landed::InCommit
    };
    eprintln!(
        "kill {at:?}: {} after {:?}; landed {landed:?}",
        if ended.killed() {
            "killed"
        } else {
            "exited by itself"
        },
        ended.took
    );
    landed
}

/// After a kill: the index opens, holds exactly the previous or the new commit (as `landed`
/// allows), and checks clean. Returns which one it holds: `false` previous, `true` new.
fn assert_one_commit(
    t: &TestDir,
    words: &[&'static str],
    landed: Landed,
    prev: &State,
    new: &State,
) -> bool {
    let seen = observe(t, words);
    let is_new = if seen == *new {
        true
    } else if seen == *prev {
        false
    } else {
        panic!(
            "after a kill ({landed:?}) the index holds neither the previous commit nor the new \
             one:\n  seen     {seen:?}\n  previous {prev:?}\n  new      {new:?}"
        );
    };
    match landed {
        Landed::BeforeCommit => assert!(
            !is_new,
            "killed before any segment was serialised, yet the new commit is there: {seen:?}"
        ),
        Landed::AfterSummary => assert!(
            is_new,
            "the summary was printed, yet the index holds the previous commit: {seen:?}"
        ),
        Landed::InCommit => {}
    }
    assert_check_ok(t, seen.articles);
    is_new
}

// ---------------------------------------------------------------------------------------------
// 1. Crashes
// ---------------------------------------------------------------------------------------------

#[test]
fn killing_the_first_index_run_anywhere_leaves_an_empty_or_a_complete_index() {
    let _turn = serial();
    let t = TestDir::new();
    let corpus = shared("");
    let n = FULL as u64;

    // Calibrate: the quicker of two full runs (the first may read a cold cache).
    let mut full = WATCHDOG;
    for _ in 0..2 {
        let (summary, took) = index_ok(&t, &[&corpus]);
        assert_eq!(summary, Summary::new(n, 0, 0, 0, 0, n));
        full = full.min(took);
        fs::remove_dir_all(t.index()).unwrap();
    }
    eprintln!("a full run of {FULL} articles takes {full:?}");

    let words = [ALL];
    let empty = State::new(0, &[(ALL, 0)]);
    let complete = State::new(n, &[(ALL, n)]);
    let mut kills: Vec<KillAt> = [5, 25, 50, 75, 95]
        .iter()
        .map(|&pct| KillAt::After(full * pct / 100))
        .collect();
    kills.extend([KillAt::Serialising, KillAt::Committed, KillAt::Summary]);
    for at in kills {
        let landed = kill_index_run(&t, &["index", &corpus], at);
        // The kill came after the index was created: it opens, empty or complete.
        let is_new = assert_one_commit(&t, &words, landed, &empty, &complete);

        // The next run brings it in step: every article exactly once.
        let (summary, _) = index_ok(&t, &[&corpus]);
        let expected = if is_new {
            Summary::new(0, 0, 0, n, 0, n)
        } else {
            Summary::new(n, 0, 0, 0, 0, n)
        };
        assert_eq!(summary, expected, "the run after a kill at {at:?}");
        assert_eq!(
            observe(&t, &words),
            complete,
            "after the kill at {at:?} and a rerun"
        );
        assert_check_ok(&t, n);
        fs::remove_dir_all(t.index()).unwrap();
    }
}

#[test]
fn killing_an_update_run_leaves_the_previous_commit_and_a_rerun_gives_the_new_state() {
    let _turn = serial();
    let t = TestDir::new();
    let g = Generator::new();
    // The first commit: the test's own BASE articles, of which DELETED will be deleted and
    // EDITED_N edited.
    const BASE: usize = 400;
    const DELETED: usize = 30;
    const EDITED_N: usize = 30;
    let deleted = |i: usize| i % 10 == 3 && i / 10 < DELETED;
    let edited = |i: usize| i % 10 == 7 && i / 10 < EDITED_N;
    write_batch(&t, &g, "base", 2, 0..BASE, |i| {
        if deleted(i) { vec![GONE] } else { vec![] }
    });
    let (summary, base_took) = index_ok(&t, &["corpus"]);
    let b = BASE as u64;
    assert_eq!(summary, Summary::new(b, 0, 0, 0, 0, b));
    let snapshot = t.join("idx-first-commit");
    copy_dir(&t.index(), &snapshot);

    // The update: delete some, edit some (the size changes, so the edit is seen whatever the
    // file system's time resolution), and add half the shared corpus.
    for i in (0..BASE).filter(|&i| deleted(i)) {
        t.remove(&article_path("base", i));
    }
    for i in (0..BASE).filter(|&i| edited(i)) {
        let path = article_path("base", i);
        let mut text = String::from_utf8(t.read(&path)).unwrap();
        text.push_str(&format!("\n{EDITED} and a paragraph added later.\n"));
        t.write(&path, text);
    }
    let added = shared("b");
    let update = ["corpus", added.as_str()];

    let (a, e, d) = ((FULL - FULL / 2) as u64, EDITED_N as u64, DELETED as u64);
    let words = [ALL, EDITED, SHARED, GONE];
    let prev = State::new(b, &[(ALL, b), (EDITED, 0), (SHARED, 0), (GONE, d)]);
    let new = State::new(
        b - d + a,
        &[(ALL, b - d + a), (EDITED, e), (SHARED, a), (GONE, 0)],
    );
    assert_eq!(observe(&t, &words), prev);

    // The update reads three times as many articles as the first run did: a kill after the
    // first run's duration lands in the middle of reading.
    for at in [
        KillAt::After(base_took),
        KillAt::Serialising,
        KillAt::Committed,
        KillAt::Summary,
    ] {
        fs::remove_dir_all(t.index()).unwrap();
        copy_dir(&snapshot, &t.index());
        let landed = kill_index_run(&t, &["index", update[0], update[1]], at);
        let is_new = assert_one_commit(&t, &words, landed, &prev, &new);

        let (summary, _) = index_ok(&t, &update);
        let expected = if is_new {
            Summary::new(0, 0, 0, b - d + a, 0, b - d + a)
        } else {
            Summary::new(a, e, d, b - d - e, 0, b - d + a)
        };
        assert_eq!(summary, expected, "the run after a kill at {at:?}");
        assert_eq!(
            observe(&t, &words),
            new,
            "after the kill at {at:?} and a rerun"
        );
        assert_check_ok(&t, b - d + a);
    }
}

#[test]
fn a_run_killed_while_creating_the_index_leaves_a_folder_the_next_run_can_use() {
    let _turn = serial();
    let t = TestDir::with_good();
    let n = common::fixture_names("good").len() as u64;

    // What a kill in the first milliseconds leaves, one state at a time (seen with real kills:
    // tantivy writes `.managed.json`, then `meta.json`, each through a `.tmpXXXXXX` file).
    let leftovers: [&[(&str, &str)]; 3] = [
        &[(".tmpAb3dEf", "")],
        &[(".managed.json", "[\"meta.json\"]\n")],
        &[
            (".managed.json", "[\"meta.json\"]\n"),
            (".tmpAb3dEf", "{\"index"),
        ],
    ];
    for files in leftovers {
        t.mkdir(common::INDEX);
        for (name, text) in files {
            t.write(&format!("{}/{name}", common::INDEX), text);
        }
        let out = run(&t, &["index", "corpus"]);
        out.assert_code(0);
        assert_eq!(
            out.summary(),
            Summary::new(n, 0, 0, 0, 0, n),
            "after {files:?}"
        );
        assert_check_ok(&t, n);
        fs::remove_dir_all(t.index()).unwrap();
    }

    // Real kills in the first milliseconds, wherever they land.
    for step in 0..24u64 {
        let mut run_ = spawn(&t, &["index", "corpus"]);
        thread::sleep(Duration::from_micros(500 * step));
        let ended = run_.kill();
        let left = file_names(&t.index());
        let out = run(&t, &["index", "corpus"]);
        assert_eq!(
            out.code, 0,
            "after a kill at {:?} left {left:?}, `dateline index` says: {}",
            ended.took, out.stderr
        );
        assert_eq!(article_count(&t), n);
        fs::remove_dir_all(t.index()).unwrap();
    }
}

#[test]
fn two_indexers_started_together_on_a_new_index_one_indexes_the_other_gets_the_lock_message() {
    let _turn = serial();
    let t = TestDir::new();
    let half = shared("a");
    let n = (FULL / 2) as u64;
    for round in 0..5 {
        let mut first = spawn(&t, &["index", &half]);
        let mut second = spawn(&t, &["index", &half]);
        let (a, b) = (first.wait().output, second.wait().output);
        let (winner, loser) = if a.code == 0 { (a, b) } else { (b, a) };
        winner.assert_code(0);
        loser.assert_code(2);
        assert_eq!(loser.stderr, lock_message(), "round {round}");
        assert_eq!(winner.summary(), Summary::new(n, 0, 0, 0, 0, n));
        assert_check_ok(&t, n);
        fs::remove_dir_all(t.index()).unwrap();
    }
}

// ---------------------------------------------------------------------------------------------
// 2. Concurrent use
// ---------------------------------------------------------------------------------------------

#[test]
fn searches_beside_a_long_index_run_see_one_commit_and_a_second_indexer_is_turned_away() {
    let _turn = serial();
    let t = TestDir::new();
    let g = Generator::new();
    // A first commit of the test's own articles; then the long run adds the shared corpus.
    const OLD: usize = 100;
    write_batch(&t, &g, "old", 4, 0..OLD, |_| vec![]);
    let (summary, _) = index_ok(&t, &["corpus"]);
    let old = OLD as u64;
    assert_eq!(summary, Summary::new(old, 0, 0, 0, 0, old));
    let more = FULL as u64;
    let new = old + more;
    let everything = shared("");
    let args = ["index", "corpus", everything.as_str()];

    let mut long = spawn(&t, &args);
    wait_for_writer_lock(&t, &mut long);

    // A second indexer fails at once, while the first is still going.
    let second = run(&t, &args);
    second.assert_code(2);
    assert_eq!(second.stdout, "");
    assert_eq!(second.stderr, lock_message());
    assert!(
        long.is_running(),
        "the first indexer finished before the second one gave up: the second did not fail fast"
    );

    // Searches and stats, one process after another, until the indexer is done: each sees the
    // old commit or the new one, and once one has seen the new one, no later one sees the old.
    let probes: [(&str, u64, u64); 3] = [(ALL, old, new), (SHARED, 0, more), ("stats", old, new)];
    let mut seen: Vec<bool> = Vec::new();
    loop {
        let still_running = long.is_running();
        for (probe, before, after) in probes {
            let got = if probe == "stats" {
                article_count(&t)
            } else {
                search_total(&t, probe)
            };
            assert!(
                got == before || got == after,
                "{probe} beside the indexer saw {got}; expected {before} (old commit) or {after} \
                 (new commit)"
            );
            let is_new = got == after;
            assert!(
                is_new || !seen.contains(&true),
                "{probe} saw the old commit after an earlier process saw the new one"
            );
            seen.push(is_new);
        }
        if !still_running {
            break;
        }
    }
    let ended = long.wait();
    let old_seen = seen.iter().filter(|s| !**s).count();
    eprintln!(
        "{} searches and stats beside a {:?} index run: {old_seen} saw the old commit, {} the new",
        seen.len(),
        ended.took,
        seen.len() - old_seen
    );
    assert!(
        seen.last() == Some(&true),
        "the last search came after the commit"
    );
    ended.output.assert_code(0);
    assert_eq!(ended.output.stderr, "");
    assert_eq!(
        ended.output.summary(),
        Summary::new(more, 0, 0, old, 0, new)
    );
    assert_eq!(
        observe(&t, &[ALL, SHARED]),
        State::new(new, &[(ALL, new), (SHARED, more)])
    );
    assert_check_ok(&t, new);
}

#[test]
fn a_sigkilled_indexer_leaves_no_lock_that_blocks_the_next_run() {
    let _turn = serial();
    let t = TestDir::new();
    let half = shared("a");
    let (summary, took) = index_ok(&t, &[&half]);
    let n = (FULL / 2) as u64;
    assert_eq!(summary, Summary::new(n, 0, 0, 0, 0, n));

    // A rebuild re-reads everything; kill it halfway, holding the lock.
    let mut rebuild = spawn(&t, &["index", "--rebuild", &half]);
    wait_for_writer_lock(&t, &mut rebuild);
    while rebuild.elapsed() < took / 2 && rebuild.is_running() {
        thread::sleep(Duration::from_millis(2));
    }
    let ended = rebuild.kill();
    eprintln!(
        "rebuild {} after {:?}",
        if ended.killed() { "killed" } else { "finished" },
        ended.took
    );
    assert!(
        t.index().join(".tantivy-writer.lock").is_file(),
        "the lock file is left behind"
    );
    assert!(
        !writer_lock_held(&t.index()).unwrap_or(false),
        "a dead process holds no lock"
    );

    // A rebuild deletes everything and adds it back in one commit: killed or not, every
    // article is there exactly once.
    assert_eq!(observe(&t, &[ALL]), State::new(n, &[(ALL, n)]));
    assert_check_ok(&t, n);

    let out = run(&t, &["index", &half]);
    out.assert_code(0);
    assert_eq!(out.stderr, "");
    assert_eq!(out.summary(), Summary::new(0, 0, 0, n, 0, n));
    assert_check_ok(&t, n);
}
