//! A small harness for running the `dateline` binary against a throwaway corpus and index, in
//! the manner of ripgrep's integration tests.
//!
//! Every test gets a [`TestDir`]: a temporary folder holding `corpus/` (the articles) and `idx/`
//! (the index, created by the first `dateline index`). The binary runs with that folder as its
//! current directory, so the paths it prints are relative (`corpus/a.txt`), and always with
//! `--index idx`, so no test can touch the repository's own `index/`.

#![allow(dead_code)]

pub mod server;
pub mod watchdog;

use serde_json::Value;
use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The index folder's name inside the test directory, as passed to `--index`.
pub const INDEX: &str = "idx";

/// The good fixtures, by the key the index shows them under (relative to the test folder).
pub const SEED: &str = "corpus/2016-09-17-aleppo-aid-caravans.txt";
/// See [`SEED`].
pub const CRASH: &str = "corpus/1987-10-19-market-crash.txt";
/// See [`SEED`].
pub const WINTER: &str = "corpus/2015-12-31-winter-convoys.txt";
/// See [`SEED`].
pub const NEW_YEAR: &str = "corpus/2016-01-01-new-year-relief.txt";
/// See [`SEED`].
pub const HARVEST: &str = "corpus/2016-09-30-harvest-festival.txt";
/// See [`SEED`].
pub const RAIL: &str = "corpus/2016-10-01-rail-strike.txt";
/// See [`SEED`].
pub const LEAP: &str = "corpus/2020-02-29-leap-day.txt";
/// Every good fixture, oldest first.
pub const BY_DATE: [&str; 7] = [CRASH, WINTER, NEW_YEAR, SEED, HARVEST, RAIL, LEAP];

/// How many good fixtures there are.
pub const GOOD: u64 = 7;

pub fn indexed_good() -> TestDir {
    let t = TestDir::with_good();
    assert_eq!(t.index_corpus(), Summary::new(GOOD, 0, 0, 0, 0, GOOD));
    t
}

/// The seed's paragraphs, straight from the fixture file.
pub fn seed_paragraphs() -> Vec<String> {
    let text = String::from_utf8(fixture_bytes("good", "2016-09-17-aleppo-aid-caravans.txt"))
        .expect("the seed is UTF-8");
    let body = text
        .strip_prefix(" date 2016-09-17 ")
        .expect("the seed starts with its date line");
    body.split("\n\n").map(|p| p.trim().to_string()).collect()
}

/// A set of strings, for comparisons.
pub fn set<S: AsRef<str>>(items: &[S]) -> BTreeSet<String> {
    items.iter().map(|s| s.as_ref().to_string()).collect()
}

/// The keys of a JSON object.
pub fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .unwrap_or_else(|| panic!("not a JSON object: {v}"))
        .keys()
        .cloned()
        .collect()
}

/// The binary under test.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_dateline")
}

/// `tests/fixtures/<set>` in the source tree.
pub fn fixtures(set: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(set)
}

/// The names of the files in a fixture set, sorted.
pub fn fixture_names(set: &str) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(fixtures(set))
        .unwrap_or_else(|e| panic!("reading fixtures/{set}: {e}"))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The exact bytes of one fixture.
pub fn fixture_bytes(set: &str, name: &str) -> Vec<u8> {
    fs::read(fixtures(set).join(name)).unwrap_or_else(|e| panic!("reading {set}/{name}: {e}"))
}

/// A temporary folder with a corpus and an index folder.
pub struct TestDir {
    dir: tempfile::TempDir,
}

impl Default for TestDir {
    fn default() -> Self {
        Self::new()
    }
}

impl TestDir {
    /// An empty test folder with an empty `corpus/` in it.
    pub fn new() -> TestDir {
        let dir = tempfile::Builder::new()
            .prefix("dateline-cli-")
            .tempdir()
            .expect("creating a temporary folder");
        fs::create_dir(dir.path().join("corpus")).unwrap();
        TestDir { dir }
    }

    /// A test folder whose `corpus/` holds a copy of the good fixtures.
    pub fn with_good() -> TestDir {
        let t = TestDir::new();
        t.copy_fixtures("good", "corpus");
        t
    }

    /// The test folder (the binary's current directory).
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A path inside the test folder.
    pub fn join(&self, rel: &str) -> PathBuf {
        self.path().join(rel)
    }

    /// The corpus folder.
    pub fn corpus(&self) -> PathBuf {
        self.join("corpus")
    }

    /// The index folder.
    pub fn index(&self) -> PathBuf {
        self.join(INDEX)
    }

    /// Writes a file (relative to the test folder), creating its parent folders.
    pub fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) {
        let p = self.join(rel);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(&p, bytes).unwrap_or_else(|e| panic!("writing {}: {e}", p.display()));
    }

    /// Reads a file of the test folder.
    pub fn read(&self, rel: &str) -> Vec<u8> {
        fs::read(self.join(rel)).unwrap_or_else(|e| panic!("reading {rel}: {e}"))
    }

    /// Removes a file of the test folder.
    pub fn remove(&self, rel: &str) {
        fs::remove_file(self.join(rel)).unwrap_or_else(|e| panic!("removing {rel}: {e}"));
    }

    /// Creates a folder (and its parents) in the test folder.
    pub fn mkdir(&self, rel: &str) {
        fs::create_dir_all(self.join(rel)).unwrap();
    }

    /// Copies one fixture, byte for byte, to `dest` (relative to the test folder). The copy is a
    /// fresh, writable file whatever the fixture's permissions.
    pub fn copy_fixture(&self, set: &str, name: &str, dest: &str) {
        self.write(dest, fixture_bytes(set, name));
    }

    /// Copies every fixture of a set into the folder `dest` (relative to the test folder).
    pub fn copy_fixtures(&self, set: &str, dest: &str) {
        for name in fixture_names(set) {
            self.copy_fixture(set, &name, &format!("{dest}/{name}"));
        }
    }

    /// A `dateline --index idx …` command ready to run in the test folder, with the variables
    /// that change its behaviour removed from its environment.
    pub fn command<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = dateline(self.path());
        cmd.arg("--index").arg(INDEX).args(args);
        cmd
    }

    /// Runs `dateline --index idx ARGS…`.
    pub fn run<I, S>(&self, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        Output::of(self.command(args))
    }

    /// Runs `dateline --index idx ARGS…` with extra environment variables.
    pub fn run_env<I, S>(&self, args: I, env: &[(&str, &str)]) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = self.command(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        Output::of(cmd)
    }

    /// Runs `dateline index corpus` and expects it to succeed; returns its summary.
    pub fn index_corpus(&self) -> Summary {
        let out = self.run(["index", "corpus"]);
        out.assert_code(0);
        assert_eq!(out.stderr, "", "indexing printed on stderr");
        out.summary()
    }

    /// Runs `dateline search QUERY --json EXTRA…` and returns the parsed JSON (any exit code
    /// but 2).
    pub fn search_json(&self, query: &str, extra: &[&str]) -> serde_json::Value {
        let mut args = vec!["search", query, "--json"];
        args.extend_from_slice(extra);
        let out = self.run(&args);
        assert_ne!(out.code, 2, "search {args:?} failed: {}", out.stderr);
        out.json()
    }

    /// The total of `dateline search QUERY --from FROM --to TO EXTRA… -n 0 --json`.
    pub fn search_total(&self, query: &str, from: &str, to: &str, extra: &[&str]) -> u64 {
        let mut args = vec!["--from", from, "--to", to, "-n", "0"];
        args.extend_from_slice(extra);
        let v = self.search_json(query, &args);
        v["total"]
            .as_u64()
            .unwrap_or_else(|| panic!("not a JSON count: {v}"))
    }

    /// The paths of the hits of `dateline search QUERY --json EXTRA…`, in order.
    pub fn hit_paths(&self, query: &str, extra: &[&str]) -> Vec<String> {
        paths_of(&self.search_json(query, extra))
    }

    /// `dateline stats --json`, parsed.
    pub fn stats(&self) -> serde_json::Value {
        let out = self.run(["stats", "--json"]);
        out.assert_code(0);
        out.json()
    }

    /// How many articles the index holds, per `dateline stats --json`.
    pub fn article_count(&self) -> u64 {
        self.stats()["articles"]
            .as_u64()
            .expect("articles is a number")
    }
}

/// The `path` of every hit of a JSON search result, in order.
pub fn paths_of(results: &serde_json::Value) -> Vec<String> {
    results["hits"]
        .as_array()
        .expect("hits is an array")
        .iter()
        .map(|h| h["path"].as_str().expect("path is a string").to_string())
        .collect()
}

/// The scores of a `search --json` object's hits, in order.
pub fn scores_of(results: &serde_json::Value) -> Vec<f64> {
    results["hits"]
        .as_array()
        .expect("hits is an array")
        .iter()
        .map(|h| h["score"].as_f64().expect("score is a number"))
        .collect()
}

/// What a run of the binary produced.
#[derive(Debug)]
pub struct Output {
    /// Standard output, as text (lossily decoded).
    pub stdout: String,
    /// Standard error, as text.
    pub stderr: String,
    /// The exit code.
    pub code: i32,
    /// Standard output, raw.
    pub stdout_bytes: Vec<u8>,
    /// What was run, for messages.
    pub cmdline: String,
}

impl Output {
    /// Runs a command to completion (see [`assert_clean_exit`]). Whatever the command, the binary must not panic and must
    /// exit with 0, 1 or 2.
    pub fn of(mut cmd: Command) -> Output {
        let cmdline = format!(
            "{} {}",
            cmd.get_program().to_string_lossy(),
            cmd.get_args()
                .map(|a| a.to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join(" ")
        );
        let out = cmd
            .output()
            .unwrap_or_else(|e| panic!("running {cmdline}: {e}"));
        let o = Output {
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            code: out.status.code().unwrap_or(-1),
            stdout_bytes: out.stdout,
            cmdline,
        };
        assert_clean_exit(&o.cmdline, o.code, &o.stdout, &o.stderr);
        o
    }

    /// Asserts the exit code, showing the output when it differs.
    pub fn assert_code(&self, code: i32) -> &Output {
        assert_eq!(
            self.code, code,
            "{} exited with {}, expected {code}\nstdout:\n{}\nstderr:\n{}",
            self.cmdline, self.code, self.stdout, self.stderr
        );
        self
    }

    /// Stdout parsed as one JSON value.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "{}: stdout is not JSON ({e}):\n{}",
                self.cmdline, self.stdout
            )
        })
    }

    /// The lines of stderr.
    pub fn stderr_lines(&self) -> Vec<&str> {
        self.stderr.lines().collect()
    }

    /// Stdout must be exactly one index summary line; returns it parsed.
    pub fn summary(&self) -> Summary {
        let lines: Vec<&str> = self.stdout.lines().collect();
        assert_eq!(
            lines.len(),
            1,
            "{}: expected one summary line on stdout, got:\n{}",
            self.cmdline,
            self.stdout
        );
        Summary::parse(lines[0])
            .unwrap_or_else(|| panic!("{}: not a summary line: {:?}", self.cmdline, lines[0]))
    }

    /// Stdout with the timing of the search footer (`(12.3 ms)`) replaced by `(T ms)`.
    pub fn stdout_without_timing(&self) -> String {
        mask_millis(&self.stdout)
    }
}

/// Replaces every `(<number> ms)` with `(T ms)`.
pub fn mask_millis(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('(') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find(" ms)") {
            Some(end) if is_decimal(&after[..end]) => {
                out.push_str("(T ms)");
                rest = &after[end + 4..];
            }
            _ => {
                out.push('(');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `123` or `12.5`.
pub fn is_decimal(s: &str) -> bool {
    let mut parts = s.split('.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next();
    parts.next().is_none()
        && !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

/// The summary line of `dateline index`, checked word for word:
/// `A added, U updated, R removed, N unchanged, S skipped in T.TT s; the index holds K articles`,
/// then `; I ignored: not an article format` when files were passed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub added: u64,
    pub updated: u64,
    pub removed: u64,
    pub unchanged: u64,
    pub skipped: u64,
    pub total: u64,
    pub ignored: u64,
}

impl Summary {
    /// Parses a summary line, or `None` when it is not one exactly.
    pub fn parse(line: &str) -> Option<Summary> {
        let (line, ignored) = match line.split_once("; ") {
            Some((_, tail)) => match tail.split_once("; ") {
                Some((_, ignored)) => {
                    let n = ignored.strip_suffix(" ignored: not an article format")?;
                    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) || n == "0" {
                        return None;
                    }
                    (&line[..line.len() - ignored.len() - 2], n.parse().ok()?)
                }
                None => (line, 0),
            },
            None => (line, 0),
        };
        let (counts, rest) = line.split_once(" in ")?;
        let mut nums = Vec::new();
        for (part, word) in
            counts
                .split(", ")
                .zip(["added", "updated", "removed", "unchanged", "skipped"])
        {
            let (n, w) = part.split_once(' ')?;
            if w != word || n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            nums.push(n.parse::<u64>().ok()?);
        }
        if nums.len() != 5 || counts.split(", ").count() != 5 {
            return None;
        }
        let (secs, holds) = rest.split_once(" s; the index holds ")?;
        let (int, frac) = secs.split_once('.')?;
        if !is_decimal(secs) || int.is_empty() || frac.len() != 2 {
            return None;
        }
        let (total, noun) = holds.split_once(' ')?;
        let total: u64 = total.parse().ok()?;
        let expected_noun = if total == 1 { "article" } else { "articles" };
        if noun != expected_noun {
            return None;
        }
        Some(Summary {
            added: nums[0],
            updated: nums[1],
            removed: nums[2],
            unchanged: nums[3],
            skipped: nums[4],
            total,
            ignored,
        })
    }

    /// The same summary with `n` files ignored.
    pub fn ignoring(self, n: u64) -> Summary {
        Summary { ignored: n, ..self }
    }

    /// A summary from its six numbers, for comparisons.
    pub fn new(
        added: u64,
        updated: u64,
        removed: u64,
        unchanged: u64,
        skipped: u64,
        total: u64,
    ) -> Summary {
        Summary {
            added,
            updated,
            removed,
            unchanged,
            skipped,
            total,
            ignored: 0,
        }
    }
}

/// Whatever the command, the binary must not panic and must exit with 0, 1 or 2 (a signal
/// counts as -1).
pub fn assert_clean_exit(cmdline: &str, code: i32, stdout: &str, stderr: &str) {
    assert!(
        !stderr.contains("panicked"),
        "{cmdline} panicked:\n{stderr}"
    );
    assert!(
        (0..=2).contains(&code),
        "{cmdline} exited with {code} (expected 0, 1 or 2)\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
}

/// `dateline` ready to run in `cwd`, with the environment cleaned by [`scrub_env`]: the one way
/// every suite starts the binary ([`TestDir::command`] adds `--index idx` to it).
pub fn dateline(cwd: &Path) -> Command {
    let mut cmd = Command::new(bin());
    cmd.current_dir(cwd);
    scrub_env(&mut cmd);
    cmd
}

/// Removes the variables that change dateline's behaviour (colour, index location, terminal
/// width, backtraces)
/// and gives the command no standard input.
pub fn scrub_env(cmd: &mut Command) {
    cmd.env_remove("NO_COLOR")
        .env_remove("DATELINE_INDEX")
        .env_remove("CLICOLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LOG")
        .env_remove("COLUMNS")
        .stdin(Stdio::null());
}

/// Restores a folder's permissions when dropped, so the temporary folder can be removed.
#[cfg(unix)]
pub struct RestoreMode(pub std::path::PathBuf);

#[cfg(unix)]
impl Drop for RestoreMode {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&self.0, std::fs::Permissions::from_mode(0o755));
    }
}

/// The shared corpora folder named by `DATELINE_CORPORA` (`.ci/run` sets it to
/// `../shared/corpora` when that folder exists). Without it the test prints a `skipped:` line
/// that `cargo test` shows (it goes to the process's stderr, which libtest does not capture,
/// unlike `eprintln!`) and passes, except under `CI=true`, where a missing corpus fails.
pub fn corpora(test: &str) -> Option<PathBuf> {
    match std::env::var_os("DATELINE_CORPORA") {
        Some(dir) => Some(PathBuf::from(dir)),
        None if std::env::var("CI").is_ok_and(|v| v == "true") => panic!(
            "CI=true but DATELINE_CORPORA is not set: {test} needs the shared corpora (see README)"
        ),
        None => {
            skipped(&format!(
                "{test}: DATELINE_CORPORA is not set (see README, \"The two commands\")"
            ));
            None
        }
    }
}

/// Prints `skipped: WHY` where `cargo test` shows it: on the process's stderr, which libtest does
/// not capture (it captures `eprintln!`), so a test that passes without running says so.
pub fn skipped(why: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "skipped: {why}");
}

/// Unpacks `NAME.tar.gz` of the corpora folder into `dest`.
pub fn unpack(corpora: &Path, name: &str, dest: &Path) {
    let tarball = corpora.join(format!("{name}.tar.gz"));
    assert!(tarball.is_file(), "{} is missing", tarball.display());
    let status = std::process::Command::new("tar")
        .arg("-xzf")
        .arg(&tarball)
        .arg("-C")
        .arg(dest)
        .status()
        .expect("run tar");
    assert!(status.success(), "tar -xzf {}", tarball.display());
}
