//! How much a title match should count: each judged collection indexed three ways, as dated
//! files (every paragraph in the body, no title: what `dateline index` does today), with its
//! first paragraph made the title and the rest the body ("split": a records file whose text
//! leaves the title out), and with the first paragraph the title and still the body's first
//! paragraph ("both"); the titled indexes ranked with title weights from 0 to 3, every ranking
//! scored by `dateline eval`'s measures.
//!
//! ```sh
//! tar xzf ../shared/corpora/cranfield.tar.gz -C /tmp/rel   # and cacm, cisi, med
//! cargo run --release --example titles -- /tmp/rel/cranfield /tmp/rel/cacm /tmp/rel/cisi /tmp/rel/med
//! ```
//! Each DIR holds `docs/*.txt` (dated format), `queries.tsv` and `qrels.txt`. Prints a markdown
//! table of nDCG@10 and MAP per collection and setting, and their means.

use dateline::article::{self, Meta};
use dateline::eval;
use dateline::index::{schema, store};
use dateline::search::rank::Ranking;
use std::path::{Path, PathBuf};
use tantivy::Index;

const WEIGHTS: &[f32] = &[0.0, 0.5, 1.0, 1.5, 2.0, 3.0];

fn main() -> anyhow::Result<()> {
    let dirs: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    anyhow::ensure!(!dirs.is_empty(), "usage: titles DIR...");
    let mut header = String::from("| collection | dated (no title) |");
    let mut rule = String::from("|---|---|");
    for layout in ["split", "both"] {
        for w in WEIGHTS {
            header.push_str(&format!(" {layout} title={w} |"));
            rule.push_str("---|");
        }
    }
    println!("nDCG@10 / MAP\n\n{header}\n{rule}");
    let mut sums = vec![(0.0, 0.0); 2 * WEIGHTS.len() + 1];
    for dir in &dirs {
        let name = dir.file_name().unwrap_or_default().to_string_lossy();
        let topics = eval::read_topics(&dir.join("queries.tsv"))?;
        let qrels = eval::read_qrels(&dir.join("qrels.txt"))?;
        let articles = read(&dir.join("docs"))?;
        let mut row = format!("| {name} |");
        let mut scores = Vec::new();
        let (_plain_dir, plain) = build(&articles, Layout::Dated)?;
        scores.push(score(&plain, &topics, &qrels, &Ranking::default())?);
        for layout in [Layout::Split, Layout::Both] {
            let (_titled_dir, titled) = build(&articles, layout)?;
            for &w in WEIGHTS {
                let ranking = Ranking {
                    title_weight: w,
                    ..Ranking::default()
                };
                scores.push(score(&titled, &topics, &qrels, &ranking)?);
            }
        }
        for (i, (ndcg, map)) in scores.iter().enumerate() {
            row.push_str(&format!(" {ndcg:.4} / {map:.4} |"));
            sums[i].0 += ndcg;
            sums[i].1 += map;
        }
        println!("{row}");
    }
    let n = dirs.len() as f64;
    let mut row = String::from("| mean |");
    for (ndcg, map) in sums {
        row.push_str(&format!(" {:.4} / {:.4} |", ndcg / n, map / n));
    }
    println!("{row}");
    Ok(())
}

/// The collection's articles: key, date, paragraphs.
fn read(docs: &Path) -> anyhow::Result<Vec<(String, article::Article)>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(docs)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "txt") {
            let a = article::parse_bytes(&std::fs::read(&path)?)
                .map_err(|e| anyhow::anyhow!("{}:{e}", path.display()))?;
            out.push((path.display().to_string(), a));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Where an article's first paragraph goes.
#[derive(Clone, Copy, PartialEq)]
enum Layout {
    /// The body's first paragraph, no title.
    Dated,
    /// The title, not in the body.
    Split,
    /// The title, and the body's first paragraph.
    Both,
}

/// An index of the articles in a temporary folder; unless [`Layout::Dated`], each article of
/// two paragraphs or more has its first one as the title.
fn build(
    articles: &[(String, article::Article)],
    layout: Layout,
) -> anyhow::Result<(tempfile::TempDir, store::Store)> {
    let dir = tempfile::tempdir()?;
    let (schema, fields) = schema::build();
    let index = Index::builder()
        .schema(schema)
        .settings(schema::settings())
        .create_in_dir(dir.path())?;
    schema::register(&index);
    let mut writer: tantivy::IndexWriter = index.writer(100_000_000)?;
    for (i, (key, a)) in articles.iter().enumerate() {
        let (meta, paragraphs) = if layout != Layout::Dated && a.paragraphs.len() > 1 {
            let meta = Meta {
                title: Some(a.paragraphs[0].clone()),
                ..Meta::default()
            };
            let from = usize::from(layout == Layout::Split);
            (meta, &a.paragraphs[from..])
        } else {
            (Meta::default(), &a.paragraphs[..])
        };
        let evidence = schema::Evidence {
            size: 0,
            mtime_ns: 0,
            hash: i as u64,
        };
        let date = schema::to_index_date(a.date).ok_or_else(|| anyhow::anyhow!("{key}: date"))?;
        writer.add_document(schema::document(
            fields, key, date, paragraphs, &meta, evidence,
        ))?;
    }
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&schema::commit_payload());
    prepared.commit()?;
    writer.wait_merging_threads()?;
    let store = store::open(dir.path())?;
    Ok((dir, store))
}

/// Mean nDCG@10 and MAP of the topics ranked as `ranking` says.
fn score(
    store: &store::Store,
    topics: &[eval::Topic],
    qrels: &eval::Qrels,
    ranking: &Ranking,
) -> anyhow::Result<(f64, f64)> {
    let run = eval::run_topics(store, topics, 1000, ranking)?;
    let e = eval::evaluate(&run, qrels, 10);
    Ok((e.mean.ndcg, e.mean.ap))
}
