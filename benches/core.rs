//! In-process costs: parsing, indexing a generated corpus (dateline against the plain Tantivy
//! loop with the same schema and settings), searching it over the fixed query mix, and making
//! one snippet. Run with `cargo bench --bench core`; figures go in benches/README.md.
//!
//! The corpus is 5,000 articles from the generator (`gencorpus/generator.rs`), built-in
//! vocabulary, seed 1, so every run measures the same bytes.

#[path = "gencorpus/generator.rs"]
#[allow(dead_code)]
mod generator;
mod mix;
#[path = "plain.rs"]
#[allow(dead_code)]
mod plain;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use dateline::index::{store, writer};
use dateline::search::plan::{self, DateRange};
use dateline::search::snippet::Highlighter;
use dateline::{article, search};
use std::hint::black_box;

const SEED: &[u8] = include_bytes!("../corpus/2016-09-17-aleppo-aid-caravans.txt");
const N: u64 = 5_000;

fn bench(c: &mut Criterion) {
    let generated = generator::Generator {
        seed: 1,
        source: None,
    };
    let corpus = tempfile::tempdir().unwrap();
    let bytes = generated.write(corpus.path(), N).unwrap();

    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Bytes(SEED.len() as u64));
    g.bench_function("seed article", |b| {
        b.iter(|| article::parse_bytes(black_box(SEED)).unwrap())
    });
    let articles: Vec<Vec<u8>> = (0..200)
        .map(|i| generated.article(i).into_bytes())
        .collect();
    g.throughput(Throughput::Bytes(
        articles.iter().map(|a| a.len() as u64).sum(),
    ));
    g.bench_function("200 generated articles", |b| {
        b.iter(|| {
            for a in &articles {
                article::parse_bytes(black_box(a)).unwrap();
            }
        })
    });
    g.finish();

    let index = tempfile::tempdir().unwrap();
    let roots = [corpus.path().to_path_buf()];
    // Built once up front so `cargo bench -- search` works on its own.
    writer::run(
        index.path(),
        &roots,
        &writer::Options::default(),
        &writer::Silent,
    )
    .unwrap();

    let mut g = c.benchmark_group("index");
    g.sample_size(10);
    g.throughput(Throughput::Elements(N));
    let label = format!("{N} generated articles ({:.1} MB)", bytes as f64 / 1e6);
    g.bench_function(format!("dateline, {label}, rebuild"), |b| {
        let opts = writer::Options {
            rebuild: true,
            ..Default::default()
        };
        b.iter(|| writer::run(index.path(), &roots, &opts, &writer::Silent).unwrap())
    });
    g.bench_function(format!("plain tantivy loop, {label}"), |b| {
        b.iter_batched(
            || tempfile::tempdir().unwrap(),
            |dir| {
                let settings = dateline::index::schema::settings();
                plain::index_plain(corpus.path(), dir.path(), settings).unwrap();
                dir
            },
            BatchSize::PerIteration,
        )
    });
    g.bench_function(format!("dateline, {label}, no-op"), |b| {
        let opts = writer::Options::default();
        b.iter(|| writer::run(index.path(), &roots, &opts, &writer::Silent).unwrap())
    });
    g.finish();

    let store = store::open(index.path()).unwrap();
    let mut g = c.benchmark_group("search");
    for entry @ (name, text, _, _) in mix::MIX {
        let req = mix::request(entry);
        g.bench_function(format!("{name}: {text}"), |b| {
            b.iter(|| search::run(&store, &req).unwrap())
        });
    }
    g.finish();

    // One snippet: the best paragraph and window of one article for a three-word query.
    let reader = store.reader().unwrap();
    let searcher = reader.searcher();
    let mut parsed = plan::parse(&store, "oil prices said", &DateRange::default()).unwrap();
    parsed.weigh(&searcher, store.fields.body).unwrap();
    let paragraphs: Vec<String> = (0..50)
        .map(|i| generated.article(i))
        .flat_map(|a| article::parse_bytes(a.as_bytes()).unwrap().paragraphs)
        .take(6)
        .collect();
    let mut g = c.benchmark_group("snippet");
    g.bench_function("one hit of 6 paragraphs", |b| {
        let mut h = Highlighter::new(&searcher, &parsed, store.fields.body, 200).unwrap();
        b.iter(|| h.best(black_box(&paragraphs)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
