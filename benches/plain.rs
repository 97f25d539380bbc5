//! The indexing ceiling: a plain Tantivy loop with dateline's schema, analyzer, store settings and
//! writer options, and none of its work (no incremental evidence, no validation, no progress).
//!
//! ```sh
//! cargo run --release --example plain -- CORPUS_DIR INDEX_DIR [--store lz4|zstdN] [--block BYTES] [--words-only]
//! ```
//! It walks CORPUS_DIR for `.txt` files, reads and splits them on two threads (rayon), feeds the
//! writer, commits once and waits for merges. `--store` and `--block` override the doc store
//! settings, to measure their trade-off on the same schema; `--words-only` leaves out the
//! common-word pairs (`grams`).

use rayon::prelude::*;
use std::path::PathBuf;
use std::time::{Instant, UNIX_EPOCH};
use tantivy::store::{Compressor, ZstdCompressor};
use tantivy::{Index, TantivyDocument};

/// `--words-only`: index without the common-word pairs (to measure what they cost).
static WORDS_ONLY: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut positional = Vec::new();
    let mut settings = dateline::index::schema::settings();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--store" => {
                let s = args.next().unwrap_or_default();
                settings.docstore_compression = match s.as_str() {
                    "lz4" => Compressor::Lz4,
                    "none" => Compressor::None,
                    z if z.starts_with("zstd") => Compressor::Zstd(ZstdCompressor {
                        compression_level: Some(z[4..].parse()?),
                    }),
                    other => anyhow::bail!("unknown store {other:?}"),
                }
            }
            "--block" => settings.docstore_blocksize = args.next().unwrap_or_default().parse()?,
            "--words-only" => WORDS_ONLY.store(true, std::sync::atomic::Ordering::Relaxed),
            _ => positional.push(PathBuf::from(a)),
        }
    }
    let [corpus, dir] = positional.as_slice() else {
        anyhow::bail!(
            "usage: plain CORPUS_DIR INDEX_DIR [--store lz4|zstdN] [--block BYTES] [--words-only]"
        );
    };
    let started = Instant::now();
    let added = index_plain(corpus, dir, settings)?;
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "plain: {added} articles in {secs:.2} s ({:.0} articles/s)",
        added as f64 / secs
    );
    Ok(())
}

/// Indexes every `.txt` under `corpus` into a new index at `dir`; returns the articles added.
pub fn index_plain(
    corpus: &std::path::Path,
    dir: &std::path::Path,
    settings: tantivy::IndexSettings,
) -> anyhow::Result<usize> {
    std::fs::create_dir_all(dir)?;
    let (schema, f) = dateline::index::schema::build();
    let index = Index::builder()
        .schema(schema)
        .settings(settings)
        .create_in_dir(dir)?;
    dateline::index::schema::register(&index);
    // Without common-word pairs (the pairs field left empty): what the pairs cost.
    let words_only = WORDS_ONLY.load(std::sync::atomic::Ordering::Relaxed);
    if words_only {
        index.tokenizers().register(
            dateline::index::schema::ANALYZER,
            dateline::index::schema::word_analyzer(),
        );
    }
    let opts = dateline::index::writer::Options::default();
    let mut writer = index.writer_with_options(dateline::index::writer::writer_options(&opts))?;

    let files: Vec<PathBuf> = walkdir::WalkDir::new(corpus)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    let added: usize = files
        .par_iter()
        .map(|path| {
            let Ok(text) = std::fs::read_to_string(path) else {
                return 0;
            };
            let meta = std::fs::metadata(path).ok();
            // ` date YYYY-MM-DD first paragraph…`: trusted, not validated.
            let (Some(date), Some(body)) = (text.get(6..16), text.get(17..)) else {
                return 0;
            };
            let Some(date) = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
                .ok()
                .and_then(dateline::index::schema::to_index_date)
            else {
                return 0;
            };
            let mut doc = TantivyDocument::new();
            doc.add_text(f.path, path.to_string_lossy());
            doc.add_date(f.date, date);
            for p in body.split("\n\n") {
                let p = p.trim();
                if !p.is_empty() {
                    doc.add_text(f.body, p);
                    if !words_only {
                        doc.add_text(f.pairs, p);
                    }
                }
            }
            doc.add_u64(f.size, text.len() as u64);
            let mtime = meta
                .and_then(|m| m.modified().ok())
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos() as i64);
            doc.add_i64(f.mtime, mtime);
            doc.add_u64(f.hash, 0);
            writer.add_document(doc).map_or(0, |_| 1)
        })
        .sum();
    let mut commit = writer.prepare_commit()?;
    commit.set_payload(&dateline::index::schema::commit_payload());
    commit.commit()?;
    writer.wait_merging_threads()?;
    Ok(added)
}
