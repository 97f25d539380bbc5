//! Facets at scale, in process: N generated articles (`gencorpus`'s built-in vocabulary, seed 1)
//! given authors and sources, indexed once into INDEX_DIR (kept, reused when it exists), then
//! `said` (in most articles) searched with and without `--facet author` / `--facet source`,
//! and the facet count alone; p50 and p95 over the runs after warm-ups.
//!
//! ```sh
//! cargo run --release --example facets -- 1000000 /tmp/facets-1m [RUNS]
//! ```
//! Authors: one or two of 2,000 names, sources one of 60, both drawn Zipf-like (a few write
//! most), as scraped news archives look; every tenth article has none.

#[path = "gencorpus/generator.rs"]
#[allow(dead_code)]
mod generator;

use dateline::article::{self, Meta};
use dateline::index::{schema, store};
use dateline::search::facets::{self, Facet};
use dateline::search::plan::{self, DateRange};
use dateline::search::{self, Request};
use generator::{Generator, Rng};
use rayon::prelude::*;
use std::path::PathBuf;
use std::time::Instant;
use tantivy::Index;

/// One thing timed: what it finds (a total, or the number of names).
type Case<'a> = Box<dyn Fn() -> anyhow::Result<u64> + 'a>;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (n, dir) = match args.as_slice() {
        [n, dir, ..] => (n.replace('_', "").parse::<u64>()?, PathBuf::from(dir)),
        _ => anyhow::bail!("usage: facets N INDEX_DIR [RUNS]"),
    };
    let runs: usize = args.get(2).map_or(Ok(30), |r| r.parse())?;
    if !dir.join("meta.json").exists() {
        build(n, &dir)?;
    }
    let store = store::open(&dir)?;
    let searcher = store.reader()?.searcher();
    eprintln!("{} articles in {}", searcher.num_docs(), dir.display());
    let parsed = plan::parse(&store, "said", &DateRange::default())?;
    let search = |facets: Vec<Facet>| -> anyhow::Result<u64> {
        let req = Request {
            text: "said".into(),
            facets,
            ..Request::default()
        };
        Ok(search::run(&store, &req)
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .total)
    };
    let cases: Vec<(&str, Case)> = vec![
        ("search `said`", Box::new(|| search(vec![]))),
        (
            "search `said` --facet author",
            Box::new(|| search(vec![Facet::Author])),
        ),
        (
            "search `said` --facet source",
            Box::new(|| search(vec![Facet::Source])),
        ),
        (
            "facet author over every match of `said` (the count alone)",
            Box::new(|| {
                let c = facets::count(&searcher, &*parsed.full, Facet::Author, 20)?;
                Ok(c.len() as u64)
            }),
        ),
        (
            "facet source over every match of `said` (the count alone)",
            Box::new(|| {
                let c = facets::count(&searcher, &*parsed.full, Facet::Source, 20)?;
                Ok(c.len() as u64)
            }),
        ),
    ];
    println!("| case | result | p50 ms | p95 ms |\n|---|---|---|---|");
    for (label, case) in &cases {
        for _ in 0..3 {
            case()?;
        }
        let mut times = Vec::with_capacity(runs);
        let mut result = 0;
        for _ in 0..runs {
            let started = Instant::now();
            result = case()?;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
        println!("| {label} | {result} | {:.2} | {:.2} |", at(0.5), at(0.95));
    }
    Ok(())
}

/// Generates and indexes `n` articles with metadata into `dir`.
fn build(n: u64, dir: &std::path::Path) -> anyhow::Result<()> {
    let started = Instant::now();
    std::fs::create_dir_all(dir)?;
    let (schema, fields) = schema::build();
    let index = Index::builder()
        .schema(schema)
        .settings(schema::settings())
        .create_in_dir(dir)?;
    schema::register(&index);
    let writer: tantivy::IndexWriter = index.writer_with_num_threads(2, 512_000_000)?;
    let generated = Generator {
        seed: 1,
        source: None,
    };
    (0..n)
        .into_par_iter()
        .try_for_each(|i| -> anyhow::Result<()> {
            let a = article::parse_bytes(generated.article(i).as_bytes())
                .map_err(|e| anyhow::anyhow!("article {i}: {e}"))?;
            let mut rng = Rng::for_article(7, i);
            let meta = if rng.below(10) == 0 {
                Meta::default()
            } else {
                let authors = (0..1 + rng.below(2))
                    .map(|_| format!("Author {}", rng.zipf(2_000)))
                    .collect();
                Meta {
                    title: a.paragraphs.first().cloned(),
                    authors,
                    source: Some(format!("Source {}", rng.zipf(60))),
                    url: Some(format!("https://example.org/{i}")),
                }
            };
            let date = schema::to_index_date(a.date).expect("generated dates are in range");
            let evidence = schema::Evidence {
                size: 0,
                mtime_ns: 0,
                hash: i,
            };
            writer.add_document(schema::document(
                fields,
                &format!("/generated/{i:08}"),
                date,
                &a.paragraphs,
                &meta,
                evidence,
            ))?;
            Ok(())
        })?;
    let mut writer = writer;
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&schema::commit_payload());
    prepared.commit()?;
    writer.wait_merging_threads()?;
    eprintln!(
        "indexed {n} articles in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
