//! Query building and search on arbitrary input: lines are the query text, `--from`, `--to`,
//! limit, offset and sort. Never a panic; hits within the limit, highlights on char boundaries.
#![no_main]

use dateline::search::plan::DateRange;
use dateline::search::{self, Request, Sort};
use dateline::index::{store, writer};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

struct Fixture {
    _dirs: (tempfile::TempDir, tempfile::TempDir),
    store: store::Store,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let corpus = tempfile::tempdir().unwrap();
        let articles = [
            include_str!("../../corpus/2016-09-17-aleppo-aid-caravans.txt"),
            " date 1987-10-19 Peace talks and brokers of the market crash.",
            " date 2015-12-31 Winter convoys convoys convoys convoys.\n\nSecond paragraph.",
            " date 2020-02-29 Leap day: مرحبا بالعالم and 東京の天気 and café.",
        ];
        for (i, a) in articles.iter().enumerate() {
            std::fs::write(corpus.path().join(format!("a{i}.txt")), a).unwrap();
        }
        let index = tempfile::tempdir().unwrap();
        let roots = [corpus.path().to_path_buf()];
        writer::run(index.path(), &roots, &writer::Options::default(), &writer::Silent)
            .unwrap();
        let store = store::open(index.path()).unwrap();
        Fixture { _dirs: (corpus, index), store }
    })
}

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let mut parts = input.split('\n');
    let text = parts.next().unwrap_or("").to_string();
    let from = parts.next().filter(|s| !s.is_empty());
    let to = parts.next().filter(|s| !s.is_empty());
    let limit = parts.next().and_then(|s| s.parse().ok()).unwrap_or(10usize);
    let offset = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0usize);
    let sort = match parts.next() {
        Some("newest") => Sort::Newest,
        Some("oldest") => Sort::Oldest,
        _ => Sort::Relevance,
    };
    let snippets = parts.next().and_then(|s| s.parse().ok()).unwrap_or(1usize).clamp(1, 5);
    let Ok(range) = DateRange::parse(from, to) else {
        return;
    };
    let req = Request { text, range, sort, limit, offset, snippets, ..Default::default() };
    match search::run(&fixture().store, &req) {
        Err(search::SearchError::Query(_)) => {}
        Err(e) => panic!("index error on a valid request: {e}"),
        Ok(r) => {
            assert!(r.hits.len() <= limit);
            assert!(r.total as usize >= r.hits.len());
            for h in &r.hits {
                assert!(h.paragraph >= 1);
                for [s, e] in &h.highlights {
                    assert!(s < e && *e <= h.snippet.len());
                    assert!(h.snippet.is_char_boundary(*s) && h.snippet.is_char_boundary(*e));
                }
                // The paragraphs shown: in order, at most as many as asked, each highlight
                // on character boundaries, the best among them.
                assert!(!h.snippets.is_empty() && h.snippets.len() <= snippets);
                assert!(h.snippets.windows(2).all(|w| w[0].paragraph < w[1].paragraph));
                assert!(h.snippets.iter().any(|p| p.paragraph == h.paragraph && p.text == h.snippet));
                for p in &h.snippets {
                    for [s, e] in &p.highlights {
                        assert!(s < e && *e <= p.text.len());
                        assert!(p.text.is_char_boundary(*s) && p.text.is_char_boundary(*e));
                    }
                }
            }
        }
    }
});
