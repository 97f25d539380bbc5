//! A damaged index: the input picks index files and bytes to flip, cut or overwrite in a copy
//! of a small index; then `search`, `check` and `index --repair` run on it through the command
//! line's own entry point (`cli::run`, which turns a panic inside Tantivy into a one-line error,
//! as the binary does). Never a panic that escapes; after the repair `check` passes with every
//! article once.
#![no_main]

use clap::Parser;
use dateline::cli::{self, Cli, Outcome};
use dateline::index::writer;
use libfuzzer_sys::fuzz_target;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

struct Fixture {
    _dirs: tempfile::TempDir,
    corpus: PathBuf,
    index: PathBuf,
    /// The index's files, sorted.
    files: Vec<String>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        // Panics inside `cli::run` are caught there; the hook stays quiet, as the binary's does.
        std::panic::set_hook(Box::new(|_| {}));
        let dirs = tempfile::tempdir().unwrap();
        let corpus = dirs.path().join("corpus");
        fs::create_dir(&corpus).unwrap();
        let articles = [
            include_str!("../../corpus/2016-09-17-aleppo-aid-caravans.txt"),
            " date 1987-10-19 Peace talks and brokers of the market crash.",
            " date 2015-12-31 Winter convoys convoys convoys convoys.\n\nSecond paragraph.",
            " date 2020-02-29 Leap day: café and aid.",
        ];
        for (i, a) in articles.iter().enumerate() {
            fs::write(corpus.join(format!("a{i}.txt")), a).unwrap();
        }
        let index = dirs.path().join("pristine");
        writer::run(&index, &[corpus.clone()], &writer::Options::default(), &writer::Silent)
            .unwrap();
        let mut files: Vec<String> = fs::read_dir(&index)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        Fixture { _dirs: dirs, corpus, index, files }
    })
}

fn dateline(index: &Path, args: &[&str]) -> Result<Outcome, String> {
    let mut argv = vec!["dateline", "--index", index.to_str().unwrap()];
    argv.extend_from_slice(args);
    let cli = Cli::try_parse_from(argv).unwrap();
    cli::run(cli, &mut std::io::sink()).map_err(|e| format!("{:#}", e.error))
}

fuzz_target!(|data: &[u8]| {
    let f = fixture();
    let scratch = tempfile::tempdir().unwrap();
    let index = scratch.path().join("idx");
    fs::create_dir(&index).unwrap();
    for name in &f.files {
        fs::copy(f.index.join(name), index.join(name)).unwrap();
    }
    // Each 4 bytes: which file, what to do, where, with what.
    for op in data.chunks(4).take(8) {
        let [which, what, at, with] = [op[0], *op.get(1).unwrap_or(&0), *op.get(2).unwrap_or(&0), *op.get(3).unwrap_or(&0)];
        let path = index.join(&f.files[which as usize % f.files.len()]);
        let Ok(mut bytes) = fs::read(&path) else { continue };
        let pos = if bytes.is_empty() { 0 } else { (at as usize * bytes.len() / 256).min(bytes.len() - 1) };
        match what % 4 {
            0 if !bytes.is_empty() => bytes[pos] ^= with | 1,
            1 => bytes.truncate(pos),
            2 if !bytes.is_empty() => bytes[pos] = with,
            3 => {
                let _ = fs::remove_file(&path);
                continue;
            }
            _ => {}
        }
        fs::write(&path, bytes).unwrap();
    }
    let _ = dateline(&index, &["search", "aid"]);
    let _ = dateline(&index, &["check"]);
    let corpus = f.corpus.to_str().unwrap();
    let repaired = match dateline(&index, &["index", "--repair", corpus]) {
        Ok(_) => true,
        Err(e) if e.contains("--rebuild") || e.contains("is not a dateline index") || e.contains("format version") => {
            dateline(&index, &["index", "--rebuild", corpus]).is_ok()
        }
        Err(_) => false,
    };
    if repaired {
        // Whole again: every article once.
        assert_eq!(dateline(&index, &["check"]), Ok(Outcome::Success));
    }
});
