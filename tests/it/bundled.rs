//! The bundled archive in `corpus/`: it indexes whole, and the README's examples on it do what
//! the README says.

use crate::common::{TestDir, paths_of};
use std::path::{Path, PathBuf};

fn repo_corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

fn count_txt(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            if p.is_dir() {
                count_txt(&p)
            } else {
                usize::from(p.extension().is_some_and(|e| e == "txt"))
            }
        })
        .sum()
}

/// Every file of the archive indexes, none skipped: the seed, 85 Federalist Papers, 59 inaugural
/// addresses and 237 State of the Union addresses, 1787-10-27 to 2026-02-24.
fn the_archive_indexes_whole(t: &TestDir) {
    let corpus = repo_corpus();
    for (folder, n) in [("federalist", 85), ("inaugural", 59), ("sotu", 237)] {
        assert_eq!(count_txt(&corpus.join(folder)), n, "{folder}");
    }
    let stats = t.stats();
    assert_eq!(stats["articles"], 382, "{stats}");
    assert_eq!(stats["first_date"], "1787-10-27");
    assert_eq!(stats["last_date"], "2026-02-24");
    let check = t.run(["check"]);
    check.assert_code(0);
}

/// The seed query still finds the seed op-ed first among the archive's 382 pieces.
fn the_seed_query_returns_the_seed_first(t: &TestDir) {
    let v = t.search_json("aid convoys Aleppo", &[]);
    let paths = paths_of(&v);
    assert!(
        paths[0].ends_with("corpus/2016-09-17-aleppo-aid-caravans.txt"),
        "{paths:?}"
    );
    assert!(v["total"].as_u64().unwrap() > 1, "{v}");
}

/// The query language's `date:` takes the dates `--from`/`--to` take and always narrows:
/// September 2016 holds the seed alone, and `aid` after 2016 does not reach it.
fn the_date_field_narrows(t: &TestDir) {
    let v = t.search_json("date:[2016-09 TO 2016-09]", &[]);
    let paths = paths_of(&v);
    assert_eq!(paths.len(), 1, "{paths:?}");
    assert!(
        paths[0].ends_with("corpus/2016-09-17-aleppo-aid-caravans.txt"),
        "{paths:?}"
    );
    let v = t.search_json("aid date:[2017 TO *]", &["-n", "1000"]);
    let paths = paths_of(&v);
    assert!(!paths.is_empty(), "{v}");
    assert!(
        paths
            .iter()
            .all(|p| !p.ends_with("aleppo-aid-caravans.txt")),
        "{paths:?}"
    );
    assert!(
        v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["date"].as_str().unwrap() >= "2017"),
        "{v}"
    );
}

/// `search "standing army" --from 1787 --to 1788` finds Federalist Papers only, and the phrase
/// is marked whole.
fn standing_armies_in_the_federalist_papers(t: &TestDir) {
    let v = t.search_json("\"standing army\"", &["--from", "1787", "--to", "1788"]);
    let hits = v["hits"].as_array().unwrap();
    assert!(hits.len() >= 5, "{v}");
    for hit in hits {
        assert!(
            hit["path"].as_str().unwrap().contains("/federalist/"),
            "{hit}"
        );
        let s = hit["snippet"].as_str().unwrap();
        let [a, b] = [0, 1].map(|i| hit["highlights"][0][i].as_u64().unwrap() as usize);
        assert!(
            s[a..b].to_lowercase().starts_with("standing arm"),
            "{}",
            &s[a..b]
        );
    }
}

/// `timeline railroad nuclear`: one row per decade from the 1780s to the 2020s, railroads
/// before nuclear, and each count the search total of its decade.
fn railroad_and_nuclear_through_the_decades(t: &TestDir) {
    let out = t.run(["timeline", "railroad", "nuclear", "--json"]);
    out.assert_code(0);
    let v = out.json();
    let buckets = v["buckets"].as_array().unwrap();
    assert_eq!(v["by"], "decade");
    assert_eq!(buckets.len(), 25, "{v}");
    assert_eq!(buckets[0]["label"], "1780s");
    assert_eq!(buckets[24]["label"], "2020s");
    let first = |q: usize| {
        buckets
            .iter()
            .position(|b| b["counts"][q].as_u64().unwrap() > 0)
            .unwrap()
    };
    assert!(first(0) < first(1), "railroads come first: {v}");
    for b in [&buckets[first(1)], &buckets[12]] {
        let (from, to) = (b["start"].as_str().unwrap(), b["end"].as_str().unwrap());
        let total = t.search_json("nuclear", &["--from", from, "--to", to])["total"].clone();
        assert_eq!(b["counts"][1], total, "{b}");
    }
}

/// `similar corpus/federalist/federalist-10.txt`: other Federalist Papers lead, never No. 10.
fn papers_like_federalist_ten(t: &TestDir) {
    let paper = repo_corpus().join("federalist/federalist-10.txt");
    let out = t.run([
        "similar".as_ref(),
        paper.as_os_str(),
        "-n".as_ref(),
        "5".as_ref(),
        "--json".as_ref(),
    ]);
    out.assert_code(0);
    let v = out.json();
    let paths = paths_of(&v);
    assert_eq!(paths.len(), 5);
    assert!(
        paths.iter().all(|p| !p.ends_with("federalist-10.txt")),
        "{paths:?}"
    );
    assert!(
        paths.iter().filter(|p| p.contains("/federalist/")).count() >= 4,
        "{paths:?}"
    );
    assert!(
        v["terms"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "faction"),
        "{v}"
    );
}

/// `search faction --snippets 3 --in corpus/federalist`: three paragraphs per paper, in order.
fn factions_paragraph_by_paragraph(t: &TestDir) {
    let folder = repo_corpus().join("federalist");
    let v = t.search_json(
        "faction",
        &["--snippets", "3", "--in", folder.to_str().unwrap()],
    );
    let hits = v["hits"].as_array().unwrap();
    assert!(!hits.is_empty());
    for hit in hits {
        assert!(
            hit["path"].as_str().unwrap().contains("/federalist/"),
            "{hit}"
        );
        let numbers: Vec<u64> = hit["snippets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["paragraph"].as_u64().unwrap())
            .collect();
        assert!((1..=3).contains(&numbers.len()), "{hit}");
        assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{numbers:?}");
    }
    let all = t.search_json("faction", &[])["total"].as_u64().unwrap();
    assert!(v["total"].as_u64().unwrap() < all, "--in narrows: {v}");
}

/// A misspelling in the archive gets its suggestion: `consitution` → `constitution`.
fn constitution_misspelt(t: &TestDir) {
    let out = t.run(["search", "consitution", "--json"]);
    out.assert_code(1);
    assert_eq!(out.json()["suggestion"], "constitution");
    assert!(
        out.stderr.contains("did you mean: constitution"),
        "{}",
        out.stderr
    );
}

/// The bundled archive indexed once, then each README example checked on it in turn.
#[test]
fn the_bundled_archive_works_as_the_readme_says() {
    let t = TestDir::new();
    let corpus = repo_corpus();
    t.run(["index".as_ref(), corpus.as_os_str()]).assert_code(0);
    the_archive_indexes_whole(&t);
    the_seed_query_returns_the_seed_first(&t);
    the_date_field_narrows(&t);
    standing_armies_in_the_federalist_papers(&t);
    railroad_and_nuclear_through_the_decades(&t);
    papers_like_federalist_ten(&t);
    factions_paragraph_by_paragraph(&t);
    constitution_misspelt(&t);
    scores_are_explained(&t);
    the_ranking_can_be_plain_bm25(&t);
    faction_by_author_and_tariff_by_president(&t);
}

/// The archive's metadata (`corpus/metadata.csv`) out of the box: `faction` counted by author
/// (Hamilton and Madison first, as the Federalist Papers have it), and `tariff` split by
/// author through the decades.
fn faction_by_author_and_tariff_by_president(t: &TestDir) {
    let v = t.search_json("faction", &["--facet", "author", "-n", "1"]);
    let authors = v["facets"]["author"].as_array().unwrap();
    let names: Vec<&str> = authors
        .iter()
        .take(2)
        .map(|a| a["value"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Alexander Hamilton", "James Madison"], "{v}");
    // Counted over every match: the counts of Madison's papers equal a search by him.
    let madison = t.search_json("faction", &["--author", "james madison", "-n", "0"]);
    assert_eq!(authors[1]["count"], madison["total"]);
    let out = t.run([
        "timeline", "tariff", "--split", "author", "--by", "decade", "--json",
    ]);
    out.assert_code(0);
    let tl = out.json();
    let series = tl["queries"].as_array().unwrap();
    assert_eq!(series.len(), 6, "{tl}");
    // Each series' total is that author's count of `tariff` articles.
    for (name, total) in series.iter().zip(tl["totals"].as_array().unwrap()) {
        let by = t.search_json("tariff", &["--author", name.as_str().unwrap(), "-n", "0"]);
        assert_eq!(&by["total"], total, "{name}");
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-3 * a.abs().max(b.abs()).max(1.0)
}

/// `--explain`: each hit's parts add up to its score (`bm25 × coordination + proximity +
/// lead`), and for free words the words' and feedback words' parts add up to the BM25; a
/// sentence-like query shows the words feedback added (JSON `expansion`), and every hit's
/// feedback words are among them.
fn scores_are_explained(t: &TestDir) {
    let queries: [(&str, &[&str]); 5] = [
        ("aid convoys Aleppo", &[]),
        (
            "why did the president ask congress for railroads and canals",
            &[],
        ),
        ("militia standing army", &["--sort", "newest"]),
        ("\"standing army\" militia", &[]),
        ("railroads canals", &["--from", "1850", "--to", "1900"]),
    ];
    for (query, extra) in queries {
        let mut args = vec!["--explain", "-n", "10"];
        args.extend_from_slice(extra);
        let v = t.search_json(query, &args);
        let hits = v["hits"].as_array().unwrap();
        assert!(!hits.is_empty(), "{query}");
        let expansion: Vec<&str> = v["expansion"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["word"].as_str().unwrap())
            .collect();
        let free = !query.contains('"');
        for h in hits {
            let e = &h["explain"];
            let f = |k: &str| e[k].as_f64().unwrap();
            let total = f("bm25") * f("coordination") + f("proximity") + f("lead");
            assert!(close(total, f("score")), "{query}: {e}");
            assert!(
                close(f("score"), h["score"].as_f64().unwrap()),
                "{query}: {h}"
            );
            if free {
                let parts: f64 = ["words", "feedback"]
                    .iter()
                    .flat_map(|k| e[k].as_array().unwrap())
                    .map(|p| p["score"].as_f64().unwrap())
                    .sum();
                // Under a date filter the filter's constant score is part of the BM25.
                if extra.is_empty() || extra[0] == "--sort" {
                    assert!(close(parts, f("bm25")), "{query}: {parts} against {e}");
                }
            }
            for p in e["feedback"].as_array().unwrap() {
                assert!(expansion.contains(&p["word"].as_str().unwrap()), "{p}");
            }
        }
        // Feedback fires for queries of five distinct words and more, and adds words that
        // are not the query's, spelled as the articles spell them (not stems).
        let sentence = query.split_whitespace().count() >= 5;
        assert_eq!(!expansion.is_empty(), sentence, "{query}: {expansion:?}");
        for w in &expansion {
            assert!(!query.split_whitespace().any(|q| q == *w), "{w}");
            assert!(w.chars().all(|c| c.is_alphanumeric() || c == '\''), "{w}");
        }
    }
    // The text output shows the sum and the parts.
    let out = t.run(["search", "--explain", "-n", "1", "aid convoys Aleppo"]);
    out.assert_code(0);
    assert!(out.stdout.contains("= BM25 "), "{}", out.stdout);
    assert!(out.stdout.contains("words: aid "), "{}", out.stdout);
}

/// `--ranking bm25` is the engine's BM25 alone: the same matches, no feedback, no coordination,
/// proximity or lead; an unknown setting names the flag.
fn the_ranking_can_be_plain_bm25(t: &TestDir) {
    for query in [
        "aid convoys Aleppo",
        "why did the president ask congress for railroads and canals",
    ] {
        let plain = t.search_json(query, &["--ranking", "bm25", "--explain"]);
        let ranked = t.search_json(query, &[]);
        assert_eq!(plain["total"], ranked["total"], "{query}");
        assert!(plain["expansion"].as_array().unwrap().is_empty());
        for h in plain["hits"].as_array().unwrap() {
            let e = &h["explain"];
            assert_eq!(e["coordination"].as_f64(), Some(1.0), "{e}");
            assert_eq!(e["proximity"].as_f64(), Some(0.0), "{e}");
            assert_eq!(e["lead"].as_f64(), Some(0.0), "{e}");
            assert!(close(
                e["bm25"].as_f64().unwrap(),
                h["score"].as_f64().unwrap()
            ));
        }
    }
    let out = t.run(["search", "--ranking", "feedback=maybe", "aid"]);
    out.assert_code(2);
    assert!(out.stderr.contains("--ranking"), "{}", out.stderr);
    assert!(
        out.stderr.contains("feedback takes on or off"),
        "{}",
        out.stderr
    );
}
