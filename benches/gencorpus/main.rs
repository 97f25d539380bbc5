//! Writes a deterministic corpus in the dated format (see `generator.rs`).
//!
//! ```sh
//! cargo run --release --example gencorpus -- 1000000 /tmp/c1m                   # built-in vocabulary
//! cargo run --release --example gencorpus -- 1000000 /tmp/c1m --source reuters-dated
//! ```
//! Same arguments, same bytes. Articles go to `OUT/NNNN/NNNNNNN.txt`, 1,000 to a folder.

mod generator;

use generator::{Generator, Source};
use std::path::PathBuf;
use std::time::Instant;

const USAGE: &str = "usage: gencorpus N OUT [--source DIR] [--seed S]";

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut positional = Vec::new();
    let mut source = None;
    let mut seed = 1u64;
    while let Some(a) = args.next() {
        match a.as_str() {
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
    let bytes = Generator { seed, source }.write(&out, n)?;
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
