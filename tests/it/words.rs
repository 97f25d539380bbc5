//! Errors state facts and each front end names its own words; one error-reporting path; one
//! exit-status table; one vocabulary (issue 15, items 3 and 4). Self-contained: it runs the
//! binary in a temporary folder with its own small corpus.

use clap::CommandFactory;
use dateline::cli::Cli;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// A temporary folder holding `corpus/` with two articles.
struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Dir {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("corpus")).unwrap();
        std::fs::write(
            d.path().join("corpus/a.txt"),
            " date 2016-09-17 Aid caravans reach Aleppo.",
        )
        .unwrap();
        std::fs::write(
            d.path().join("corpus/b.txt"),
            " date 1787-11-22 The violence of faction.",
        )
        .unwrap();
        Dir(d)
    }

    fn path(&self) -> &Path {
        self.0.path()
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_env(args, &[])
    }

    fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut cmd = crate::common::dateline(self.path());
        cmd.args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

fn src_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            src_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Every long flag of dateline and its commands (`--from`, `--index`, …).
fn flag_names() -> BTreeSet<String> {
    fn walk(cmd: &clap::Command, out: &mut BTreeSet<String>) {
        for a in cmd.get_arguments() {
            if let Some(l) = a.get_long() {
                out.insert(format!("--{l}"));
            }
        }
        for s in cmd.get_subcommands() {
            walk(s, out);
        }
    }
    let mut out = BTreeSet::new();
    walk(&Cli::command(), &mut out);
    out
}

/// Whether `line` holds `flag` as a whole flag (not the start of a longer one).
fn holds_flag(line: &str, flag: &str) -> bool {
    line.match_indices(flag).any(|(i, _)| {
        !line[i + flag.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    })
}

/// No library module outside the front ends (the command line, its manual, the HTTP server)
/// puts one of dateline's flags, any `"--…` literal or a hint naming a command to run in its
/// code: errors state facts and the front ends name their own words.
#[test]
fn library_modules_name_no_flags() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    src_files(&root, &mut files);
    let front_ends = ["cli", "main.rs", "manual", "serve"];
    let flags = flag_names();
    assert!(
        flags.contains("--from") && flags.contains("--index"),
        "{flags:?}"
    );
    let mut found = Vec::new();
    for file in &files {
        let rel = file
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let stem = rel
            .trim_end_matches(".rs")
            .split('/')
            .next()
            .unwrap()
            .to_string();
        if front_ends.contains(&stem.as_str()) || front_ends.contains(&rel.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        // Unit tests may say what they like.
        let code = text.split("#[cfg(test)]").next().unwrap();
        for (n, line) in code.lines().enumerate() {
            let t = line.trim_start();
            if t.starts_with("//") {
                continue;
            }
            // The export's README and configs give other engines' commands (quickwit, curl)
            // and say which dateline command wrote them: documents, not messages.
            if rel == "export.rs"
                && (line.contains("quickwit ")
                    || line.contains("--data-binary")
                    || line.contains("--cacert")
                    || line.contains("dateline export --format"))
            {
                continue;
            }
            let named = flags.iter().any(|f| holds_flag(line, f));
            // Hints that name a command to run are the command line's to give.
            let hint = line.contains("run: dateline") || line.contains("rebuild it: dateline");
            if named || hint || line.contains("\"--") {
                found.push(format!("src/{rel}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "flag names in library modules:\n{}",
        found.join("\n")
    );
}

/// A date in the form but not on the calendar is called impossible, as the file parser does;
/// a malformed one still gets the expected forms.
#[test]
fn impossible_dates_are_called_impossible() {
    let d = Dir::new();
    assert_eq!(d.run(&["--index", "idx", "index", "corpus"]).code, 0);
    let out = d.run(&["--index", "idx", "search", "aid", "--from", "2016-02-30"]);
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        "error: impossible date for --from: 2016-02-30 (not on the calendar)\n"
    );
    let out = d.run(&["--index", "idx", "timeline", "aid", "--to", "2015-02-29"]);
    assert_eq!(
        out.stderr,
        "error: impossible date for --to: 2015-02-29 (not on the calendar)\n"
    );
    let out = d.run(&["--index", "idx", "search", "aid", "--from", "2016-2-3"]);
    assert_eq!(
        out.stderr,
        "error: invalid date for --from: \"2016-2-3\" (expected YYYY, YYYY-MM or YYYY-MM-DD)\n"
    );
}

/// The missing-index and format hints name the index the user gave, so running the hint
/// builds that index; with the default (or `DATELINE_INDEX`) the hint needs no `--index`.
#[test]
fn hints_name_the_index_the_user_gave() {
    let d = Dir::new();
    let out = d.run(&["--index", "elsewhere", "search", "aid"]);
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        "error: no index at elsewhere (run: dateline index --index elsewhere corpus/)\n"
    );
    let out = d.run(&["search", "aid"]);
    assert_eq!(
        out.stderr,
        "error: no index at ./index (run: dateline index corpus/)\n"
    );
    let out = d.run_env(&["search", "aid"], &[("DATELINE_INDEX", "env-idx")]);
    assert_eq!(
        out.stderr,
        "error: no index at env-idx (run: dateline index corpus/)\n"
    );
    let out = d.run(&["--index", "my index", "stats"]);
    assert_eq!(
        out.stderr,
        "error: no index at my index (run: dateline index --index 'my index' corpus/)\n"
    );
    // The hint works: running it makes the index the search wanted.
    assert_eq!(d.run(&["index", "--index", "elsewhere", "corpus/"]).code, 0);
    assert_eq!(d.run(&["--index", "elsewhere", "search", "aid"]).code, 0);
}

/// An index that cannot be opened for a reason of the file system gives each cause once.
#[test]
fn each_cause_is_printed_once() {
    let d = Dir::new();
    std::fs::write(d.path().join("some-file.txt"), "not a folder").unwrap();
    let out = d.run(&["index", "corpus/", "--index", "some-file.txt/idx"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.starts_with("error: "), "{}", out.stderr);
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    let cause = "Not a directory (os error 20)";
    assert_eq!(out.stderr.matches(cause).count(), 1, "{}", out.stderr);
}

/// The `error:` label follows `--color` and `NO_COLOR` as the output does: never coloured
/// into a pipe unless `--color always` says so.
#[test]
fn the_error_label_follows_the_colour_choice() {
    let d = Dir::new();
    let out = d.run(&["--color", "always", "--index", "nowhere", "stats"]);
    assert!(
        out.stderr
            .starts_with("\x1b[1;31merror:\x1b[0m no index at nowhere"),
        "{:?}",
        out.stderr
    );
    let out = d.run_env(
        &["--color", "always", "--index", "nowhere", "stats"],
        &[("NO_COLOR", "1")],
    );
    assert!(
        out.stderr.starts_with("\x1b[1;31merror:"),
        "{:?}",
        out.stderr
    );
    for color in ["never", "auto"] {
        let out = d.run(&["--color", color, "--index", "nowhere", "stats"]);
        assert!(
            out.stderr.starts_with("error: no index"),
            "{:?}",
            out.stderr
        );
    }
}

/// The commands whose arm in `cli::run` can end with an exit-1 outcome, read from the source.
fn commands_that_can_exit_one() -> BTreeSet<String> {
    let src = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/cli/mod.rs"))
        .unwrap();
    let body = &src[src.find("fn run_command(").expect("cli::run_command")..];
    let mut out = BTreeSet::new();
    for arm in body.split("        Command::").skip(1) {
        let name: String = arm.chars().take_while(|c| c.is_alphanumeric()).collect();
        if ["NothingFound", "FilesSkipped", "ProblemsFound"]
            .iter()
            .any(|o| arm.contains(&format!("Outcome::{o}")))
        {
            out.insert(name.to_lowercase());
        }
    }
    out
}

/// The exit-status table is written once (`cli::EXIT_ONE`, `cli::EXIT_ERROR`): it names every
/// command that can exit 1, `--help` and the man page print it, and the README's copy matches.
#[test]
fn the_exit_status_table_is_written_once() {
    let can_exit_one = commands_that_can_exit_one();
    let tabled: BTreeSet<String> = dateline::cli::EXIT_ONE
        .iter()
        .map(|(c, _)| c.to_string())
        .collect();
    for c in ["search", "timeline", "similar", "index", "check"] {
        assert!(can_exit_one.contains(c), "{c}: {can_exit_one:?}");
    }
    assert_eq!(can_exit_one, tabled);

    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = &readme[readme
        .find("## Exit status")
        .expect("README: ## Exit status")..];
    let table: String = section
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(table, dateline::cli::exit_status_markdown());

    let d = Dir::new();
    let man = d.run(&["man"]).stdout;
    let start = man.find(".SH \"EXIT STATUS\"").expect("EXIT STATUS");
    let exit = &man[start..];
    let exit = &exit[..exit[1..].find(".SH").map_or(exit.len(), |e| e + 1)];
    for c in &tabled {
        assert!(
            exit.contains(&format!("\\fB{c}\\fR")),
            "{c} missing:\n{exit}"
        );
    }
    for code in ["0", "1", "2"] {
        assert!(exit.contains(&format!(".B {code}\n")), "{exit}");
    }

    // clap wraps --help to the terminal's width: compare the words.
    let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let help = words(&d.run(&["--help"]).stdout);
    for (code, meaning) in dateline::cli::exit_statuses() {
        let line = words(&format!("{code} {}", meaning.replace('`', "")));
        assert!(help.contains(&line), "{line:?} not in:\n{help}");
    }
    let help = words(&d.run(&["check", "--help"]).stdout);
    assert!(
        help.contains("Exit status: 0 success, 1 found a problem in the index, 2 error."),
        "{help}"
    );
}

/// What exit 1 means in practice: nothing found, files skipped.
#[test]
fn commands_exit_one_as_the_table_says() {
    let d = Dir::new();
    assert_eq!(d.run(&["--index", "idx", "index", "corpus"]).code, 0);
    assert_eq!(d.run(&["--index", "idx", "search", "zebra"]).code, 1);
    assert_eq!(d.run(&["--index", "idx", "timeline", "zebra"]).code, 1);
    std::fs::write(d.path().join("corpus/bad.txt"), "no date here").unwrap();
    let out = d.run(&["--index", "idx", "index", "corpus"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
}

/// Names say what a thing is: no type is called `Failure` or `Report` (there were three and
/// four, each something else), and the exit-1 outcomes say which one they are.
#[test]
fn no_vague_type_names() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    src_files(&root, &mut files);
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let t = line.trim_start();
            for kind in ["struct", "enum", "type", "trait"] {
                for name in ["Failure", "Report"] {
                    for vis in ["", "pub ", "pub(crate) "] {
                        let def = format!("{vis}{kind} {name}");
                        if t.starts_with(&format!("{def} "))
                            || t.starts_with(&format!("{def}<"))
                            || t.starts_with(&format!("{def};"))
                        {
                            found.push(format!("{}:{}: {t}", file.display(), n + 1));
                        }
                    }
                }
            }
            if t.contains("Partial,") || t.contains("Outcome::Partial") {
                found.push(format!("{}:{}: {t}", file.display(), n + 1));
            }
        }
    }
    assert!(found.is_empty(), "vague names:\n{}", found.join("\n"));
}
