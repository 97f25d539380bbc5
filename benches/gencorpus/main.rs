//! Writes a deterministic corpus in the dated format (see `generator.rs`).
//!
//! ```sh
//! cargo run --release --example gencorpus -- 1000000 /tmp/c1m                   # built-in vocabulary
//! cargo run --release --example gencorpus -- 1000000 /tmp/c1m --source reuters-dated
//! ```
//! Same arguments, same bytes. Articles go to `OUT/NNNN/NNNNNNN.txt`, 1,000 to a folder; with
//! `--format jsonl`, the same articles go to the one JSON Lines file OUT (`--meta` adds a title,
//! an author and a source to each record).

mod generator;

use generator::{Generator, Source};
use std::path::PathBuf;
use std::time::Instant;

const USAGE: &str =
    "usage: gencorpus N OUT [--source DIR] [--seed S] [--format dated|jsonl] [--meta]";

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut positional = Vec::new();
    let mut source = None;
    let mut seed = 1u64;
    let mut jsonl = false;
    let mut meta = false;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--format" => match args.next().ok_or_else(usage)?.as_str() {
                "dated" => jsonl = false,
                "jsonl" => jsonl = true,
                other => anyhow::bail!("--format {other}: expected dated or jsonl"),
            },
            "--meta" => meta = true,
            "--source" => source = Some(PathBuf::from(args.next().ok_or_else(usage)?)),
            "--seed" => seed = args.next().ok_or_else(usage)?.parse()?,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            _ => positional.push(a),
        }
    }
    let [n, out] = positional.as_slice() else {
        return Err(usage());
    };
    let n: u64 = n.replace('_', "").parse()?;
    let out = PathBuf::from(out);
    let source = match source {
        Some(dir) => {
            let s = Source::load(&dir)?;
            eprintln!(
                "source: {} paragraphs from {}",
                s.paragraph_count(),
                dir.display()
            );
            Some(s)
        }
        None => None,
    };
    let started = Instant::now();
    let generator = Generator { seed, source };
    let bytes = if jsonl {
        generator.write_jsonl(&out, n, meta)?
    } else {
        generator.write(&out, n)?
    };
    eprintln!(
        "wrote {n} articles, {:.1} MB, to {} in {:.1} s",
        bytes as f64 / 1e6,
        out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn usage() -> anyhow::Error {
    anyhow::anyhow!(USAGE)
}
