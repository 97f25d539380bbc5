//! The `dateline` binary: parse arguments, run, map the outcome to an exit code.

use clap::Parser;
use dateline::cli::{self, Cli};
use dateline::render::{self, ColorChoice};
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    // A panic (Tantivy's, on a damaged file) is recorded, not printed: `cli::run` turns it into
    // one line naming the damage, or an internal error.
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        if let Ok(mut last) = cli::LAST_PANIC.lock() {
            *last = Some(format!("{message}{at}"));
        }
    }));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are not errors; usage mistakes exit 2, as clap does.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    // One command a process: the index it reads is left to the exit (see cli::KEEP_INDEX_OPEN).
    cli::KEEP_INDEX_OPEN.store(true, std::sync::atomic::Ordering::Relaxed);
    let color = cli.color;
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let result = cli::run(cli, &mut out);
    let flushed = out.flush();
    match (result, flushed) {
        (Ok(outcome), Ok(())) => ExitCode::from(outcome.code()),
        (Err(f), _) if is_broken_pipe(&f.error) => ExitCode::SUCCESS,
        (_, Err(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        (Err(f), _) => {
            report(&f.error, f.hint.as_deref(), color);
            ExitCode::from(2)
        }
        (Ok(_), Err(e)) => {
            report(&e.into(), None, color);
            ExitCode::from(2)
        }
    }
}

/// A reader that went away (`dateline search … | head`) is not an error.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Prints the error and its causes, each once (anyhow's `{:#}`), and the hint; the label is
/// coloured by the same rule as the output, for standard error.
fn report(e: &anyhow::Error, hint: Option<&str>, color: ColorChoice) {
    let label = render::error_label(render::use_color(
        color,
        io::stderr().is_terminal(),
        render::no_color_env(),
    ));
    match hint {
        Some(h) => eprintln!("{label} {e:#} ({h})"),
        None => eprintln!("{label} {e:#}"),
    }
}
