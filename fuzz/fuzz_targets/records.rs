//! Records files on arbitrary bytes, as JSON Lines and as CSV: reading and preparing every
//! record never panics, each record's line lies inside the file and lines never go back, and an
//! accepted record has a date in the calendar and trimmed, non-empty paragraphs.
#![no_main]

use dateline::records::{self, Context, Format, Mapping, Records};
use libfuzzer_sys::fuzz_target;
use std::fs;

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().unwrap();
    let lines = data.iter().filter(|&&b| b == b'\n').count() + 1;
    let allowed = format!("{}/", fs::canonicalize(dir.path()).unwrap().display());
    let map = Mapping::parse("file=texts/{id}.txt").unwrap();
    for (name, format) in [("r.jsonl", Format::JsonLines), ("r.csv", Format::Csv)] {
        let path = dir.path().join(name);
        fs::write(&path, data).unwrap();
        let Ok(mut reader) = Records::open(&path, format) else { continue };
        let header = reader.header();
        let cx = Context { dir: dir.path(), allowed: &allowed, seed: 0 };
        let mut last = 0;
        loop {
            let batch = reader.next_batch(7, 1 << 20).unwrap();
            if batch.is_empty() {
                break;
            }
            for raw in &batch {
                assert!(raw.line >= 1 && raw.line <= lines, "line {} of {lines}", raw.line);
                assert!(raw.line >= last, "line {} after {last}", raw.line);
                last = raw.line;
                for m in [&Mapping::default(), &map] {
                    if let Ok(p) = records::prepare(raw, header.as_deref(), m, &cx) {
                        assert!(!p.article.paragraphs.is_empty());
                        for para in &p.article.paragraphs {
                            assert!(!para.is_empty() && para.trim() == para, "{para:?}");
                        }
                    }
                }
            }
        }
    }
});
