//! The finish of a command-line tool: completions, the man page, help examples, pipes, colour,
//! and error text. Shells that `.ci/run` installs (zsh, fish) and `man` are required under
//! `CI=true`; elsewhere a test that needs a missing one says so and passes.

use crate::common;
use clap::CommandFactory;
use dateline::cli::Cli;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn run(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = common::dateline(cwd);
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run dateline")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Whether a program is installed; under CI it must be.
fn have(program: &str) -> bool {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but {program} is not installed (.ci/run installs it)"
        );
        common::skipped(&format!("{program} is not installed"));
    }
    found
}

/// Checks a script's syntax with the shell's own no-execute mode.
fn parses(shell: &str, flag: &str, script: &[u8]) {
    let mut child = Command::new(shell)
        .arg(flag)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(script).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{shell} {flag}: {}", stderr(&out));
}

fn subcommands() -> Vec<clap::Command> {
    Cli::command()
        .get_subcommands()
        .filter(|s| s.get_name() != "help")
        .cloned()
        .collect()
}

#[test]
fn completions_are_produced_for_every_shell_and_name_every_subcommand_and_flag() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = run(dir.path(), &["completions", shell], &[]);
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", stderr(&out));
        let script = stdout(&out);
        for sub in subcommands() {
            assert!(
                script.contains(sub.get_name()),
                "{shell} lacks {}",
                sub.get_name()
            );
            for arg in sub.get_arguments() {
                if let Some(long) = arg.get_long() {
                    assert!(script.contains(long), "{shell} lacks --{long}");
                }
            }
        }
        // clap_complete's elvish and powershell generators do not complete values.
        if ["bash", "zsh", "fish"].contains(&shell) {
            for value in ["relevance", "newest", "oldest", "always", "never"] {
                assert!(script.contains(value), "{shell} lacks the value {value}");
            }
        }
    }
}

#[test]
fn completion_scripts_parse_in_their_shells() {
    let dir = tempfile::tempdir().unwrap();
    for (shell, flag) in [("bash", "-n"), ("zsh", "-n"), ("fish", "--no-execute")] {
        if !have(shell) {
            continue;
        }
        let out = run(dir.path(), &["completions", shell], &[]);
        assert!(!out.stdout.is_empty());
        parses(shell, flag, &out.stdout);
    }
}

#[test]
fn bash_completes_sort_values() {
    if !have("bash") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("dateline.bash");
    std::fs::write(
        &script,
        run(dir.path(), &["completions", "bash"], &[]).stdout,
    )
    .unwrap();
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source {}; COMP_WORDS=(dateline search aid --sort ''); COMP_CWORD=4; \
             _dateline dateline '' --sort; echo \"${{COMPREPLY[@]}}\"",
            script.display()
        ))
        .output()
        .unwrap();
    assert_eq!(
        stdout(&out).trim(),
        "relevance newest oldest",
        "{}",
        stderr(&out)
    );
}

#[test]
fn man_page_has_the_sections_and_every_flag() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["man"], &[]);
    assert_eq!(out.status.code(), Some(0));
    let page = stdout(&out);
    assert!(page.contains("\n.TH dateline 1 "), "{}", &page[..120]);
    for section in [
        ".SH NAME",
        ".SH SYNOPSIS",
        ".SH OPTIONS",
        ".SH COMMANDS",
        ".SH \"EXIT STATUS\"",
        ".SH \"THE DATED FORMAT\"",
        ".SH HIGHLIGHTING",
        ".SH EXAMPLES",
    ] {
        assert!(page.contains(section), "missing {section}");
    }
    assert!(
        page.contains("\\fB[[\\fR and \\fB]]\\fR"),
        "markers not documented"
    );
    for sub in subcommands() {
        let heading = format!(".SH \"DATELINE {}\"", sub.get_name().to_uppercase());
        assert!(page.contains(&heading), "missing {heading}");
        for arg in sub.get_arguments() {
            if let Some(long) = arg.get_long() {
                // roff writes a hyphen as \-.
                let flag = format!("\\-\\-{}", long.replace('-', "\\-"));
                assert!(page.contains(&flag), "missing {flag} of {}", sub.get_name());
            }
        }
    }
}

#[test]
fn man_renders_the_page() {
    if !have("man") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dateline.1");
    std::fs::write(&file, run(dir.path(), &["man"], &[]).stdout).unwrap();
    let out = Command::new("man")
        .arg("-l")
        .arg(&file)
        .env("MANWIDTH", "100")
        .env("MANPAGER", "cat")
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(out.status.success(), "{}", stderr(&out));
    for heading in [
        "NAME",
        "SYNOPSIS",
        "EXIT STATUS",
        "DATELINE SEARCH",
        "EXAMPLES",
    ] {
        assert!(text.contains(heading), "rendered page lacks {heading}");
    }
    assert!(!text.contains("\\f"), "unrendered roff escapes");
}

#[test]
fn every_help_ends_with_examples_and_version_prints_the_version() {
    let dir = tempfile::tempdir().unwrap();
    let mut helps = vec![vec!["--help".to_string()]];
    for sub in subcommands() {
        helps.push(vec![sub.get_name().to_string(), "--help".to_string()]);
    }
    for args in helps {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run(dir.path(), &args, &[]);
        assert_eq!(out.status.code(), Some(0));
        let text = stdout(&out);
        let tail = &text[text
            .rfind("Examples:")
            .unwrap_or_else(|| panic!("{args:?}"))..];
        let examples = tail
            .lines()
            .filter(|l| l.trim_start().starts_with("dateline ") || l.contains("<(dateline"))
            .count();
        assert!(examples >= 2, "{args:?} has {examples} examples");
    }
    let out = run(dir.path(), &["--version"], &[]);
    assert_eq!(
        stdout(&out).trim(),
        format!("dateline {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn missing_index_error_names_the_default_folder_and_hints_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["search", "aid"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: no index at ./index (run: dateline index corpus/)\n"
    );
    assert!(out.stdout.is_empty());
}

/// A corpus whose search output is far larger than a pipe's buffer.
fn big_index(dir: &Path) {
    let corpus = dir.join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    for i in 0..400 {
        let text = format!(
            " date 2016-01-{:02} Convoy number {i} reached the city with aid and water for \
             the families waiting at the gates since the early morning of that long day.",
            i % 28 + 1
        );
        std::fs::write(corpus.join(format!("a{i:03}.txt")), text).unwrap();
    }
    let out = run(dir, &["index"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn a_reader_that_closes_the_pipe_early_is_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    big_index(dir.path());
    let mut child = common::dateline(dir.path())
        .args(["search", "convoy aid", "-n", "400"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader is dropped here: the pipe closes with most of the output unwritten.
    let out = child.wait_with_output().unwrap();
    assert!(first.starts_with(" 1. 2016-01-"), "{first}");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stderr(&out), "");
}

#[test]
fn colour_is_forced_into_a_pipe_only_when_asked_and_no_color_is_honoured() {
    let dir = tempfile::tempdir().unwrap();
    big_index(dir.path());
    let always = run(dir.path(), &["search", "convoy", "--color", "always"], &[]);
    assert!(stdout(&always).contains("\x1b[1;31mConvoy\x1b[0m"));
    let piped = run(dir.path(), &["search", "convoy"], &[]);
    assert!(!stdout(&piped).contains('\x1b'));
    assert!(stdout(&piped).contains("[[Convoy]]"));
    let no_color = run(dir.path(), &["search", "convoy"], &[("NO_COLOR", "1")]);
    assert!(!stdout(&no_color).contains('\x1b'));
}
