//! Plain, coloured and JSON output, `stats` and `show` (formerly part of tests/cli.rs).

use crate::common::{
    GOOD, LEAP, RAIL, SEED, Summary, TestDir, WINTER, indexed_good, keys, seed_paragraphs, set,
};
use dateline::index::schema::FORMAT_VERSION;
use serde_json::Value;
use std::fs;

// ---------------------------------------------------------------------------------------------
// 5. Plain and coloured output
// ---------------------------------------------------------------------------------------------

#[test]
fn plain_output_marks_highlights_and_ends_with_a_footer() {
    let t = indexed_good();
    let out = t.run(["search", "Putin"]);
    out.assert_code(0);
    assert!(!out.stdout.contains('\x1b'), "{:?}", out.stdout);
    let score = t.search_json("Putin", &[])["hits"][0]["score"]
        .as_f64()
        .unwrap();
    let expected = format!(
        " 1. 2016-09-17  {SEED}  ¶7  score {score:.2}\n\
         \x20   …think beyond the parameters of being anti-Washington. President [[Putin]] must \
         also be aware that this is the US political Achilles’ heel when for nearly six months \
         the presidency is on oxygen and there…\n\
         \n\
         1 matching article, showing 1-1 (T ms)\n"
    );
    assert_eq!(out.stdout_without_timing(), expected);
    assert_eq!(out.stderr, "");
}

#[test]
fn plain_output_numbers_hits_from_the_offset() {
    let t = indexed_good();
    let out = t.run([
        "search",
        "convoys OR aid OR festival",
        "-n",
        "2",
        "--offset",
        "1",
    ]);
    out.assert_code(0);
    let text = out.stdout_without_timing();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 7, "{text}");
    assert!(
        lines[0].starts_with(&format!(" 2. 2015-12-31  {WINTER}  ¶2  score ")),
        "{text}"
    );
    assert_eq!(
        lines[1],
        "    Drivers said the [[convoys]] had been waiting at the border since Christmas, and \
         that the longest of the [[convoys]] stretched for eleven kilometres."
    );
    assert_eq!(lines[2], "");
    assert!(
        lines[3].starts_with(&format!(" 3. 2016-10-01  {RAIL}  ¶1  score ")),
        "{text}"
    );
    assert_eq!(lines[5], "");
    assert_eq!(lines[6], "5 matching articles, showing 2-3 (T ms)");
}

#[test]
fn footer_time_is_a_decimal_number_of_milliseconds() {
    let t = indexed_good();
    let out = t.run(["search", "aid"]);
    let footer = out.stdout.lines().last().unwrap();
    let ms = footer
        .strip_prefix("2 matching articles, showing 1-2 (")
        .and_then(|r| r.strip_suffix(" ms)"))
        .unwrap_or_else(|| panic!("footer: {footer:?}"));
    let (int, frac) = ms.split_once('.').expect("one decimal");
    assert!(
        int.bytes().all(|b| b.is_ascii_digit()) && !int.is_empty(),
        "{ms}"
    );
    assert_eq!(frac.len(), 1, "{ms}");
}

#[test]
fn color_always_emits_ansi_even_into_a_pipe() {
    let t = indexed_good();
    let out = t.run(["search", "Putin", "--color", "always"]);
    out.assert_code(0);
    assert!(out.stdout.contains("\x1b["), "{:?}", out.stdout);
    assert!(
        out.stdout.contains("\x1b[1;31mPutin\x1b[0m"),
        "{:?}",
        out.stdout
    );
    assert!(!out.stdout.contains("[[Putin]]"));
    // --color wins over NO_COLOR.
    let forced = t.run_env(
        ["search", "Putin", "--color", "always"],
        &[("NO_COLOR", "1")],
    );
    assert!(forced.stdout.contains("\x1b[1;31mPutin\x1b[0m"));
    // The global flag may come before the subcommand.
    let before = t.run(["--color", "always", "search", "Putin"]);
    assert!(before.stdout.contains("\x1b[1;31mPutin\x1b[0m"));
}

#[test]
fn no_color_and_auto_print_plain_markers() {
    let t = indexed_good();
    for (args, env) in [
        (
            vec!["search", "Putin", "--color", "auto"],
            vec![("NO_COLOR", "1")],
        ),
        (vec!["search", "Putin"], vec![("NO_COLOR", "1")]),
        (vec!["search", "Putin"], vec![]),
        (vec!["search", "Putin", "--color", "never"], vec![]),
    ] {
        let out = t.run_env(&args, &env);
        out.assert_code(0);
        assert!(
            !out.stdout.contains('\x1b'),
            "{args:?} {env:?}: {:?}",
            out.stdout
        );
        assert!(out.stdout.contains("[[Putin]]"), "{args:?} {env:?}");
    }
    // Stats and show are plain too.
    for args in [vec!["stats"], vec!["show", SEED]] {
        let out = t.run_env(&args, &[("NO_COLOR", "1")]);
        assert!(!out.stdout.contains('\x1b'), "{args:?}");
    }
    // Errors are not coloured into a pipe.
    let out = t.run(["search", "aid", "--from", "x"]);
    assert!(out.stderr.starts_with("error: "), "{:?}", out.stderr);
}

#[test]
fn color_always_colours_show_and_stats() {
    let t = indexed_good();
    let show = t.run(["show", RAIL, "--color", "always"]);
    assert!(
        show.stdout.starts_with("\x1b[32m2016-10-01\x1b[0m"),
        "{:?}",
        show.stdout
    );
    assert!(show.stdout.contains("\x1b[2m[1]\x1b[0m A rail strike"));
    let stats = t.run(["stats", "--by-year", "--color", "always"]);
    assert!(stats.stdout.contains('█'));
    assert!(!stats.stdout.contains('#'));
}

#[test]
fn invalid_color_value_is_a_usage_error() {
    let t = indexed_good();
    let out = t.run(["search", "aid", "--color", "sometimes"]);
    out.assert_code(2);
    assert!(out.stderr.contains("sometimes"), "{}", out.stderr);
    assert_eq!(out.stdout, "");
}

// ---------------------------------------------------------------------------------------------
// 6. JSON output
// ---------------------------------------------------------------------------------------------

/// Whether `highlighted` is (a form of) one of the query's words: equal ignoring case, or the
/// same stem (one is the other with at most one more letter, as `convoy`/`convoys`).
fn is_query_word(highlighted: &str, query: &str) -> bool {
    let h = highlighted.to_lowercase();
    query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .any(|w| {
            let common = h.chars().zip(w.chars()).take_while(|(a, b)| a == b).count();
            let shorter = h.chars().count().min(w.chars().count());
            common >= 3.min(shorter) && common + 1 >= shorter
        })
}

/// Checks every invariant of a JSON search result against the stored articles.
pub(crate) fn check_results(t: &TestDir, v: &Value, query: &str) {
    let mut top = keys(v);
    // A suggestion comes only when the query finds little.
    top.remove("suggestion");
    assert_eq!(
        top,
        set(&["query", "total", "took_ms", "hits", "expansion"]),
        "{v}"
    );
    assert_eq!(v["query"], query);
    for e in v["expansion"].as_array().unwrap() {
        assert_eq!(keys(e), set(&["word", "weight"]), "{e}");
        assert!(e["weight"].as_f64().is_some_and(|w| w > 0.0), "{e}");
    }
    assert!(v["total"].is_u64());
    assert!(v["took_ms"].as_f64().is_some_and(|ms| ms >= 0.0));
    let hits = v["hits"].as_array().unwrap();
    assert!(hits.len() as u64 <= v["total"].as_u64().unwrap());
    for hit in hits {
        assert_eq!(
            keys(hit),
            set(&[
                "path",
                "date",
                "title",
                "authors",
                "source",
                "url",
                "score",
                "paragraph",
                "snippet",
                "highlights",
                "snippets"
            ]),
            "{hit}"
        );
        // The paragraphs shown (one by default), in order; the single fields repeat the best.
        let snippets = hit["snippets"].as_array().unwrap();
        let numbers: Vec<u64> = snippets
            .iter()
            .map(|s| s["paragraph"].as_u64().unwrap())
            .collect();
        assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{hit}");
        assert!(
            snippets.iter().any(|s| s["paragraph"] == hit["paragraph"]
                && s["text"] == hit["snippet"]
                && s["highlights"] == hit["highlights"]),
            "{hit}"
        );
        let path = hit["path"].as_str().unwrap();
        let stored = t.run(["show", path, "--json"]).json();
        assert_eq!(hit["date"], stored["date"], "{path}");
        assert!(hit["score"].as_f64().is_some_and(|s| s >= 0.0), "{hit}");

        let paragraphs = stored["paragraphs"].as_array().unwrap();
        let n = hit["paragraph"].as_u64().unwrap() as usize;
        assert!(
            (1..=paragraphs.len()).contains(&n),
            "{path}: ¶{n} of {}",
            paragraphs.len()
        );
        let paragraph = paragraphs[n - 1].as_str().unwrap();
        let snippet = hit["snippet"].as_str().unwrap();
        let core = snippet.trim_start_matches('…').trim_end_matches('…');
        assert!(
            paragraph.contains(core),
            "{path}: snippet is not from ¶{n}:\n{snippet}\n{paragraph}"
        );
        assert!(snippet.chars().count() <= 202, "{path}: snippet too long");

        let mut at = 0;
        for range in hit["highlights"].as_array().unwrap() {
            let r = range.as_array().unwrap();
            assert_eq!(r.len(), 2, "{range}");
            let (s, e) = (
                r[0].as_u64().unwrap() as usize,
                r[1].as_u64().unwrap() as usize,
            );
            assert!(
                at <= s && s < e && e <= snippet.len(),
                "{path}: {range} in {snippet:?}"
            );
            let word = snippet
                .get(s..e)
                .unwrap_or_else(|| panic!("{path}: {range} splits a character of {snippet:?}"));
            assert!(
                is_query_word(word, query),
                "{path}: highlighted {word:?} is not a word of {query:?}"
            );
            at = e;
        }
    }
}

#[test]
fn json_search_results_are_complete_and_consistent() {
    let t = indexed_good();
    for (query, extra) in [
        ("aid convoys Aleppo", vec![]),
        ("\"peace brokers\"", vec![]),
        ("Convoy", vec![]),
        ("harvest festival strike", vec![]),
        ("Moscow Putin Syria", vec![]),
        (
            "convoys OR aid OR festival OR brokers",
            vec!["--sort", "newest"],
        ),
        ("aid", vec!["--from", "2016-09"]),
        ("the", vec!["-n", "3", "--offset", "2"]),
    ] {
        let out = t.run(
            std::iter::once("search")
                .chain([query, "--json"])
                .chain(extra),
        );
        out.assert_code(0);
        assert_eq!(out.stdout.lines().count(), 1, "one line of JSON");
        let v = out.json();
        check_results(&t, &v, query);
        assert!(!v["hits"].as_array().unwrap().is_empty(), "{query}");
    }
}

#[test]
fn json_hit_for_the_seed_is_exact() {
    let t = indexed_good();
    let v = t.search_json("Aleppo", &[]);
    assert_eq!(v["query"], "Aleppo");
    assert_eq!(v["total"], 1);
    let hit = &v["hits"][0];
    assert_eq!(hit["path"], SEED);
    assert_eq!(hit["date"], "2016-09-17");
    assert_eq!(hit["paragraph"], 1);
    let snippet = hit["snippet"].as_str().unwrap();
    assert!(snippet.starts_with('…'), "{snippet}");
    assert!(snippet.ends_with("in the Aleppo region."), "{snippet}");
    let start = snippet.find("Aleppo").unwrap();
    assert_eq!(
        hit["highlights"],
        serde_json::json!([[start, start + "Aleppo".len()]])
    );
}

#[test]
fn json_and_plain_agree() {
    let t = indexed_good();
    let v = t.search_json("peace brokers", &[]);
    let plain = t.run(["search", "peace brokers"]).stdout;
    for (i, hit) in v["hits"].as_array().unwrap().iter().enumerate() {
        let header = format!(
            "{:>2}. {}  {}  ¶{}  score {:.2}",
            i + 1,
            hit["date"].as_str().unwrap(),
            hit["path"].as_str().unwrap(),
            hit["paragraph"],
            hit["score"].as_f64().unwrap()
        );
        assert!(plain.contains(&header), "{header}\n{plain}");
    }
    assert!(plain.contains("2 matching articles, showing 1-2 ("));
}

// ---------------------------------------------------------------------------------------------
// 7. stats and show
// ---------------------------------------------------------------------------------------------

#[test]
fn stats_json_figures() {
    let t = indexed_good();
    let s = t.stats();
    assert_eq!(
        keys(&s),
        set(&[
            "index",
            "articles",
            "first_date",
            "last_date",
            "per_year",
            "per_decade",
            "folders",
            "folder_count",
            "size_bytes",
            "segments",
            "format_version",
            "authors",
            "sources"
        ])
    );
    // Dated files name no author and no source.
    assert_eq!(s["authors"], serde_json::json!([]));
    assert_eq!(s["sources"], serde_json::json!([]));
    assert_eq!(s["index"], "idx");
    assert_eq!(s["articles"], GOOD);
    assert_eq!(s["first_date"], "1987-10-19");
    assert_eq!(s["last_date"], "2020-02-29");
    assert_eq!(
        s["per_year"],
        serde_json::json!([
            {"year": 1987, "articles": 1},
            {"year": 2015, "articles": 1},
            {"year": 2016, "articles": 4},
            {"year": 2020, "articles": 1}
        ])
    );
    assert_eq!(
        s["per_decade"],
        serde_json::json!([
            {"year": 1980, "articles": 1},
            {"year": 2010, "articles": 5},
            {"year": 2020, "articles": 1}
        ])
    );
    assert_eq!(
        s["folders"],
        serde_json::json!([{"name": "corpus", "articles": GOOD}])
    );
    assert_eq!(s["folder_count"], 1);
    assert_eq!(s["format_version"], FORMAT_VERSION);
    assert!(s["segments"].as_u64().unwrap() >= 1);
    let on_disk: u64 = fs::read_dir(t.index())
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum();
    assert_eq!(s["size_bytes"], on_disk);
    assert!(on_disk > 0);
}

#[test]
fn stats_text() {
    let t = indexed_good();
    let s = t.stats();
    let out = t.run(["stats"]);
    out.assert_code(0);
    let size = s["size_bytes"].as_u64().unwrap();
    let human = if size < 1000 {
        format!("{size} B")
    } else if size < 1_000_000 {
        format!("{:.1} KB", size as f64 / 1000.0)
    } else {
        format!("{:.1} MB", size as f64 / 1e6)
    };
    let bar = |n: usize| "#".repeat(n);
    let segments = s["segments"].as_u64().unwrap();
    let summary = format!(
        "index       idx\n\
         articles    7\n\
         first date  1987-10-19\n\
         last date   2020-02-29\n\
         size        {human} ({segments} {}, format {FORMAT_VERSION})\n\
         per decade\n\
         \x20 1980s  1   2010s  5   2020s  1\n\
         largest folders (1)\n\
         \x20 7  corpus\n",
        if segments == 1 { "segment" } else { "segments" },
    );
    // The summary: the decades with articles, the folders.
    assert_eq!(out.stdout, summary);
    // The full table: every year from the first to the last, empty ones as 0.
    let full = t.run(["stats", "--by-year"]);
    full.assert_code(0);
    let table = full
        .stdout
        .strip_prefix(summary.as_str())
        .expect("the summary first");
    let mut rows = table.lines();
    assert_eq!(rows.next(), Some("per year"));
    let rows: Vec<&str> = rows.collect();
    assert_eq!(rows.len(), 2020 - 1987 + 1);
    assert_eq!(rows[0], format!("  1987         1  {}", bar(10)));
    assert_eq!(rows[1], "  1988         0  ");
    assert_eq!(rows[2016 - 1987], format!("  2016         4  {}", bar(40)));
    assert_eq!(rows[2020 - 1987], format!("  2020         1  {}", bar(10)));
    // As CSV, the same table.
    let csv = t.run(["stats", "--csv"]);
    csv.assert_code(0);
    let mut r = csv::Reader::from_reader(csv.stdout.as_bytes());
    assert_eq!(r.headers().unwrap(), vec!["year", "articles"]);
    let years: Vec<(i32, u64)> = r
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            (rec[0].parse().unwrap(), rec[1].parse().unwrap())
        })
        .collect();
    assert_eq!(years.len(), rows.len());
    assert_eq!(years[0], (1987, 1));
    assert_eq!(years[2016 - 1987], (2016, 4));
    assert_eq!(years.iter().map(|y| y.1).sum::<u64>(), GOOD);
}

#[test]
fn stats_of_an_empty_index() {
    let t = TestDir::new();
    assert_eq!(t.index_corpus(), Summary::new(0, 0, 0, 0, 0, 0));
    let s = t.stats();
    assert_eq!(s["articles"], 0);
    assert_eq!(s["first_date"], Value::Null);
    assert_eq!(s["last_date"], Value::Null);
    assert_eq!(s["per_year"], serde_json::json!([]));
    let text = t.run(["stats"]).stdout;
    assert!(text.contains("\nfirst date  -\nlast date   -\n"), "{text}");
    assert!(!text.contains("per year"), "{text}");
}

#[test]
fn show_prints_numbered_paragraphs() {
    let t = indexed_good();
    let out = t.run(["show", SEED]);
    out.assert_code(0);
    let mut expected = format!("2016-09-17  {SEED}\n");
    let paragraphs = seed_paragraphs();
    assert_eq!(paragraphs.len(), 9);
    for (i, p) in paragraphs.iter().enumerate() {
        expected.push_str(&format!("\n[{}] {p}\n", i + 1));
    }
    assert_eq!(out.stdout, expected);
    assert_eq!(out.stderr, "");
}

#[test]
fn show_json() {
    let t = indexed_good();
    let out = t.run(["show", SEED, "--json"]);
    out.assert_code(0);
    let v = out.json();
    assert_eq!(
        keys(&v),
        set(&[
            "path",
            "date",
            "paragraphs",
            "title",
            "authors",
            "source",
            "url"
        ])
    );
    // A dated file has no metadata: nulls and no authors, always present.
    assert_eq!(
        (&v["title"], &v["authors"], &v["source"], &v["url"]),
        (
            &Value::Null,
            &serde_json::json!([]),
            &Value::Null,
            &Value::Null
        )
    );
    assert_eq!(v["path"], SEED);
    assert_eq!(v["date"], "2016-09-17");
    assert_eq!(v["paragraphs"], serde_json::json!(seed_paragraphs()));
    let fourth = v["paragraphs"][3].as_str().unwrap();
    assert!(
        fourth.contains("Moscow\u{2019}s foreign policy"),
        "{fourth}"
    );
}

#[test]
fn show_accepts_the_path_written_several_ways() {
    let t = indexed_good();
    let abs = t.join(RAIL).display().to_string();
    let dotted = format!("./{RAIL}");
    let roundabout = "corpus/../corpus/2016-10-01-rail-strike.txt";
    for p in [RAIL, dotted.as_str(), abs.as_str(), roundabout] {
        let out = t.run(["show", p, "--json"]);
        out.assert_code(0);
        assert_eq!(out.json()["path"], RAIL, "show {p}");
    }
}

#[test]
fn show_still_prints_an_indexed_article_whose_file_is_gone() {
    let t = indexed_good();
    t.remove(LEAP);
    let out = t.run(["show", LEAP, "--json"]);
    out.assert_code(0);
    assert_eq!(out.json()["date"], "2020-02-29");
}

#[test]
fn show_of_a_path_not_in_the_index_is_an_error() {
    let t = indexed_good();
    t.write("corpus/unindexed.txt", " date 2016-01-01 Not indexed yet.");
    for p in [
        "corpus/unindexed.txt",
        "corpus/never.txt",
        "nodir/never.txt",
    ] {
        let out = t.run(["show", p]);
        out.assert_code(2);
        assert_eq!(out.stdout, "");
        assert_eq!(
            out.stderr,
            format!(
                "error: {p} is not in the index at idx (index it first: dateline index --index idx PATH)\n"
            )
        );
    }
}
