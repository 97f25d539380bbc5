//! The benchmark corpus generator (`benches/gencorpus`): deterministic, in the dated format, and
//! with a vocabulary that keeps growing with the corpus (Heaps' law).

#[path = "../../benches/gencorpus/generator.rs"]
#[allow(dead_code)]
pub mod gencorpus;

use gencorpus::{Generator, Source};
use std::collections::HashSet;
use std::path::Path;

fn builtin(seed: u64) -> Generator {
    Generator { seed, source: None }
}

fn distinct_words(g: &Generator, n: u64) -> usize {
    let mut words = HashSet::new();
    for i in 0..n {
        for w in g.article(i).split(|c: char| !c.is_alphanumeric()) {
            if !w.is_empty() {
                words.insert(w.to_lowercase());
            }
        }
    }
    words.len()
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    builtin(7).write(dir_a.path(), 300).unwrap();
    builtin(7).write(dir_b.path(), 300).unwrap();
    for i in [0, 1, 150, 299] {
        let a = std::fs::read(Generator::path(dir_a.path(), i)).unwrap();
        let b = std::fs::read(Generator::path(dir_b.path(), i)).unwrap();
        assert_eq!(a, b, "article {i}");
    }
    assert_ne!(builtin(7).article(5), builtin(8).article(5));
    assert_ne!(builtin(7).article(5), builtin(7).article(6));
}

#[test]
fn every_article_is_valid_dated_text_over_decades() {
    let g = builtin(1);
    let mut years = HashSet::new();
    for i in 0..2_000 {
        let text = g.article(i);
        let a = dateline::article::parse_bytes(text.as_bytes())
            .unwrap_or_else(|e| panic!("article {i}: {e}\n{text}"));
        assert!(text.starts_with(" date "), "article {i}");
        assert!(!a.paragraphs.is_empty());
        years.insert(chrono::Datelike::year(&a.date));
    }
    assert!(years.iter().all(|y| (1950..=2025).contains(y)), "{years:?}");
    assert!(
        years.len() > 60,
        "dates spread over decades: {} years",
        years.len()
    );
}

#[test]
fn vocabulary_keeps_growing_with_the_corpus() {
    let g = builtin(1);
    let small = distinct_words(&g, 1_000);
    let large = distinct_words(&g, 10_000);
    // Ten times the text: many new words (not a copy), but fewer than ten times as many (Zipf).
    assert!(large as f64 > 1.8 * small as f64, "{small} -> {large}");
    assert!((large as f64) < 10.0 * small as f64, "{small} -> {large}");
}

#[test]
fn synthetic_words_are_distinct_and_never_spell_a_common_word() {
    let mut seen = HashSet::new();
    for rank in 0..20_000 {
        let w = gencorpus::synthetic_word(rank);
        assert!(seen.insert(w.clone()), "rank {rank} repeats {w}");
    }
    for common in ["the", "to", "be", "no", "said", "made", "time"] {
        assert!(!seen.contains(common), "{common}");
    }
}

#[test]
fn a_source_folder_gives_its_paragraphs_with_new_words_between() {
    // The seed article alone as the source folder (the bundled corpus holds more).
    let src = tempfile::tempdir().unwrap();
    let seed_article = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/2016-09-17-aleppo-aid-caravans.txt"),
    )
    .unwrap();
    std::fs::write(src.path().join("seed.txt"), &seed_article).unwrap();
    let source = Source::load(src.path()).unwrap();
    let seed_words: HashSet<&str> = seed_article.split_whitespace().collect();
    let g = Generator {
        seed: 3,
        source: Some(source),
    };
    let text = g.article(42);
    let a = dateline::article::parse_bytes(text.as_bytes()).unwrap();
    let words: Vec<&str> = a.paragraphs.iter().flat_map(|p| p.split(' ')).collect();
    let from_seed = words.iter().filter(|w| seed_words.contains(*w)).count();
    // Mostly the seed's words, with about one inserted word in twelve.
    assert!(
        from_seed * 10 > words.len() * 8,
        "{from_seed} of {}",
        words.len()
    );
    assert!(from_seed < words.len(), "no inserted words");
}

#[test]
fn a_source_folder_without_articles_is_an_error() {
    let empty = tempfile::tempdir().unwrap();
    let e = Source::load(empty.path()).unwrap_err();
    assert!(e.to_string().contains("no dated articles"), "{e}");
}

/// `--format jsonl` writes the same articles as the dated files: each record's date and
/// paragraphs, as dateline reads a record, are the dated file's, with or without `--meta`.
#[test]
fn json_lines_records_hold_the_same_articles() {
    let g = builtin(5);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("g.jsonl");
    g.write_jsonl(&out, 300, true).unwrap();
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 300);
    let map = dateline::records::Mapping::default();
    for (i, line) in lines.iter().enumerate() {
        let fields = dateline::records::json_fields(line.as_bytes(), &map).unwrap();
        let dated = dateline::article::parse_bytes(g.article(i as u64).as_bytes()).unwrap();
        assert_eq!(fields.id, Some(i.to_string()));
        assert_eq!(
            dateline::records::parse_date(fields.date.as_deref().unwrap()),
            Ok(dated.date)
        );
        assert_eq!(
            dateline::records::paragraphs(fields.text.as_deref().unwrap()),
            dated.paragraphs,
            "article {i}"
        );
        assert!(fields.title.is_some() && fields.source.is_some());
        assert_eq!(fields.authors.len(), 1);
        assert!(g.record(i as u64, false).len() <= line.len());
    }
}
