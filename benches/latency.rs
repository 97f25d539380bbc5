//! In-process search latency over the fixed query mix: p50, p95 and p99 per query and pooled.
//! Each search is the whole `search::run`: parse, top 10, total count and snippets.
//!
//! ```sh
//! cargo run --release --example latency -- INDEX_DIR [REPEATS]
//! ```
//! One warm-up pass, then REPEATS (default 50) passes over the mix, queries interleaved.
//! `ONLY=LABEL` runs only the queries whose label starts with LABEL (`ONLY=phrase`).

mod mix;

use dateline::search::{self, Request, Sort};
use mix::MIX;
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: latency INDEX_DIR [REPEATS]"))?;
    let repeats: usize = args.next().map_or(Ok(50), |r| r.parse())?;
    let opened = Instant::now();
    let store = dateline::index::store::open(std::path::Path::new(&dir))?;
    let reader = store.reader()?;
    println!(
        "{} articles, {} segments, opened in {:.2} ms",
        reader.searcher().num_docs(),
        reader.searcher().segment_readers().len(),
        opened.elapsed().as_secs_f64() * 1e3
    );
    let requests: Vec<Request> = MIX.iter().map(mix::request).collect();
    let only = std::env::var("ONLY").ok();
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); MIX.len()];
    let mut totals = vec![0u64; MIX.len()];
    for pass in 0..=repeats {
        for (i, req) in requests.iter().enumerate() {
            if only.as_deref().is_some_and(|o| !MIX[i].0.starts_with(o)) {
                continue;
            }
            let t = Instant::now();
            let results = search::run(&store, req)?;
            let ms = t.elapsed().as_secs_f64() * 1e3;
            totals[i] = results.total;
            if pass > 0 {
                times[i].push(ms);
            }
        }
    }
    println!("| query | matches | p50 ms | p95 ms | p99 ms |");
    println!("|---|---|---|---|---|");
    for (i, (name, text, range, sort)) in MIX.iter().enumerate() {
        let label = match (range, sort) {
            (Some((f, t)), _) => format!("{name}: `{text}` {f}..{t}"),
            (None, Sort::Newest) => format!("{name}: `{text}` newest first"),
            _ => format!("{name}: `{text}`"),
        };
        if times[i].is_empty() {
            continue;
        }
        let [p50, p95, p99] = percentiles(&mut times[i]);
        println!(
            "| {label} | {} | {p50:.2} | {p95:.2} | {p99:.2} |",
            totals[i]
        );
    }
    let mut all: Vec<f64> = times.concat();
    let [p50, p95, p99] = percentiles(&mut all);
    println!("| **all, pooled** | | {p50:.2} | {p95:.2} | {p99:.2} |");
    Ok(())
}

fn percentiles(v: &mut [f64]) -> [f64; 3] {
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() as f64 * q).ceil() as usize).clamp(1, v.len()) - 1];
    [at(0.50), at(0.95), at(0.99)]
}
