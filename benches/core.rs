//! In-process costs: parsing, indexing a generated corpus, and searching it (with snippets).
//! Run with `cargo bench --bench core`; figures go in benches/README.md.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use dateline::query::DateRange;
use dateline::{article, indexer, search};
use std::hint::black_box;
use std::path::Path;

const SEED: &[u8] = include_bytes!("../corpus/2016-09-17-aleppo-aid-caravans.txt");

/// A deterministic corpus: `n` articles of Zipf-ish words over 1990–2019 (same `n`, same bytes).
fn generate(dir: &Path, n: usize) {
    let seed_words: Vec<&str> = std::str::from_utf8(SEED)
        .unwrap()
        .split_whitespace()
        .skip(2)
        .collect();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for i in 0..n {
        let day = next() % (30 * 365);
        let date = chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap()
            + chrono::Duration::days(day as i64);
        let mut text = format!(" date {date}");
        let paragraphs = 3 + next() % 6;
        for p in 0..paragraphs {
            text.push_str(if p == 0 { " " } else { "\n\n" });
            let words = 20 + next() % 60;
            for w in 0..words {
                // Squaring a uniform index skews draws toward the common words.
                let r = (next() % 10_000) as f64 / 10_000.0;
                let idx = ((r * r) * seed_words.len() as f64) as usize;
                if w > 0 {
                    text.push(' ');
                }
                text.push_str(seed_words[idx.min(seed_words.len() - 1)]);
            }
        }
        std::fs::write(dir.join(format!("a{i:06}.txt")), text).unwrap();
    }
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Bytes(SEED.len() as u64));
    g.bench_function("seed article", |b| {
        b.iter(|| article::parse_bytes(black_box(SEED)).unwrap())
    });
    g.finish();

    let corpus = tempfile::tempdir().unwrap();
    const N: usize = 2_000;
    generate(corpus.path(), N);
    let index = tempfile::tempdir().unwrap();
    let roots = [corpus.path().to_path_buf()];
    // Built once up front so `cargo bench -- search` works on its own.
    indexer::run(
        index.path(),
        &roots,
        &indexer::Options::default(),
        &indexer::Silent,
    )
    .unwrap();

    let mut g = c.benchmark_group("index");
    g.sample_size(10);
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("2000 generated articles, rebuild", |b| {
        let opts = indexer::Options {
            rebuild: true,
            ..Default::default()
        };
        b.iter(|| indexer::run(index.path(), &roots, &opts, &indexer::Silent).unwrap())
    });
    g.bench_function("2000 generated articles, no-op", |b| {
        let opts = indexer::Options::default();
        b.iter(|| indexer::run(index.path(), &roots, &opts, &indexer::Silent).unwrap())
    });
    g.finish();

    let store = indexer::open(index.path()).unwrap();
    let mut g = c.benchmark_group("search");
    for (name, text, range) in [
        ("rare word", "Aleppo", DateRange::default()),
        ("common word", "the", DateRange::default()),
        (
            "free-text triple",
            "aid convoys Aleppo",
            DateRange::default(),
        ),
        ("common phrase", "\"the US\"", DateRange::default()),
        (
            "date-filtered",
            "peace",
            DateRange::parse(Some("2000"), Some("2004")).unwrap(),
        ),
    ] {
        let req = search::Request {
            text: text.into(),
            range,
            ..Default::default()
        };
        g.bench_function(name, |b| b.iter(|| search::run(&store, &req).unwrap()));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
