//! `dateline search`: matching and ranking, paging and ordering, date filters (formerly part of
//! tests/cli.rs).

use crate::common::{
    BY_DATE, CRASH, GOOD, HARVEST, LEAP, NEW_YEAR, RAIL, SEED, TestDir, WINTER, indexed_good,
    paths_of, scores_of, set,
};
use std::collections::BTreeSet;

// ---------------------------------------------------------------------------------------------
// 3. Search: matching and ranking
// ---------------------------------------------------------------------------------------------

#[test]
fn aid_convoys_aleppo_finds_every_article_with_any_of_the_words() {
    let t = indexed_good();
    let v = t.search_json("aid convoys Aleppo", &[]);
    assert_eq!(v["total"], 4);
    let found: BTreeSet<String> = paths_of(&v).into_iter().collect();
    assert_eq!(found, set(&[SEED, WINTER, NEW_YEAR, RAIL]));
}

#[test]
fn aid_convoys_aleppo_ranks_the_seed_first() {
    let t = indexed_good();
    let paths = t.hit_paths("aid convoys Aleppo", &[]);
    assert_eq!(paths[0], SEED, "{paths:?}");
    // The seed matches two of the three words; everything else one.
    let v = t.search_json("aid convoys Aleppo", &[]);
    let scores = scores_of(&v);
    assert!(scores[0] > scores[1], "{scores:?}");
}

#[test]
fn article_matching_more_query_words_ranks_higher_among_similar_articles() {
    let t = indexed_good();
    // The harvest article has `harvest` and `festival`; the rail article only `strike`.
    assert_eq!(
        t.hit_paths("harvest festival strike", &[]),
        vec![HARVEST, RAIL]
    );
    // The rail article has all three words; the winter one only `convoys` (four times).
    assert_eq!(t.hit_paths("rail strike convoys", &[]), vec![RAIL, WINTER]);
}

#[test]
fn more_occurrences_of_a_word_rank_higher() {
    let t = indexed_good();
    // Four `convoys` in the winter article against one in the rail article.
    let v = t.search_json("convoys", &[]);
    assert_eq!(paths_of(&v), vec![WINTER, RAIL]);
    let hits = v["hits"].as_array().unwrap();
    assert!(hits[0]["score"].as_f64().unwrap() > hits[1]["score"].as_f64().unwrap());
}

#[test]
fn words_are_stemmed_and_case_folded() {
    let t = indexed_good();
    let reference = t.search_json("convoys", &[]);
    for q in ["convoy", "Convoy", "CONVOYS", "cOnVoYs"] {
        let v = t.search_json(q, &[]);
        assert_eq!(paths_of(&v), vec![WINTER, RAIL], "{q}");
        assert_eq!(v["hits"][0]["score"], reference["hits"][0]["score"], "{q}");
        // The highlight is the word as written in the article.
        let hit = &v["hits"][0];
        let snippet = hit["snippet"].as_str().unwrap();
        let [s, e] = [
            hit["highlights"][0][0].as_u64().unwrap() as usize,
            hit["highlights"][0][1].as_u64().unwrap() as usize,
        ];
        assert_eq!(&snippet[s..e], "convoys", "{q}");
    }
    // Stemming works on the index side too: `strikes` finds `strike`.
    assert_eq!(t.hit_paths("strikes", &[]), vec![RAIL]);
}

#[test]
fn accents_are_folded_and_unicode_highlights_are_whole_words() {
    let t = TestDir::new();
    t.write(
        "corpus/u.txt",
        " date 2016-05-05 Le café crème de Zürich coûte cher, dit le garçon.\n\n\
         Αθήνα και Θεσσαλονίκη. 東京.\n",
    );
    t.index_corpus();
    for (q, word, paragraph) in [
        ("cafe", "café", 1),
        ("CAFÉ", "café", 1),
        ("zurich", "Zürich", 1),
        ("garcon", "garçon", 1),
        ("Αθήνα", "Αθήνα", 2),
        ("東京", "東京", 2),
    ] {
        let v = t.search_json(q, &[]);
        assert_eq!(v["total"], 1, "{q}");
        let hit = &v["hits"][0];
        assert_eq!(hit["paragraph"], paragraph, "{q}");
        let snippet = hit["snippet"].as_str().unwrap();
        let hl = hit["highlights"].as_array().unwrap();
        assert_eq!(hl.len(), 1, "{q}");
        let (s, e) = (
            hl[0][0].as_u64().unwrap() as usize,
            hl[0][1].as_u64().unwrap() as usize,
        );
        assert_eq!(snippet.get(s..e), Some(word), "{q}: {snippet} {hl:?}");
    }
}

#[test]
fn quoted_phrase_matches_adjacent_words_only() {
    let t = indexed_good();
    // The market crash article has both words, but not side by side.
    let v = t.search_json("\"peace brokers\"", &[]);
    assert_eq!(paths_of(&v), vec![SEED]);
    assert_eq!(v["hits"][0]["paragraph"], 5);
    assert_eq!(
        t.hit_paths("peace brokers", &[]),
        vec![CRASH, SEED],
        "unquoted, both articles match"
    );
    // Phrases are stemmed too.
    assert_eq!(t.hit_paths("\"peace broker\"", &[]), vec![SEED]);
    t.run(["search", "\"brokers peace\""]).assert_code(1);
}

#[test]
fn required_and_excluded_words() {
    let t = indexed_good();
    assert_eq!(t.hit_paths("convoys -bus", &[]), vec![WINTER]);
    assert_eq!(t.hit_paths("+strike convoys", &[]), vec![RAIL]);
    assert_eq!(t.hit_paths("+convoys +bus", &[]), vec![RAIL]);
    assert_eq!(t.hit_paths("aid -Aleppo", &[]), vec![NEW_YEAR]);
    t.run(["search", "+convoys +Aleppo"]).assert_code(1);
}

#[test]
fn boolean_operators() {
    let t = indexed_good();
    assert_eq!(t.hit_paths("convoys AND strike", &[]), vec![RAIL]);
    assert_eq!(
        t.hit_paths("convoys OR festival", &[]),
        vec![HARVEST, WINTER, RAIL]
    );
    assert_eq!(t.hit_paths("convoys NOT bus", &[]), vec![WINTER]);
    assert_eq!(
        t.hit_paths(
            "(festival OR leap) AND (parade OR marry)",
            &["--sort", "oldest"]
        ),
        vec![HARVEST, LEAP]
    );
    // Lower-case `and` is a word, not an operator.
    t.run(["search", "convoys and strike"]).assert_code(0);
    t.run(["search", "convoys AND Aleppo"]).assert_code(1);
}

#[test]
fn best_paragraph_is_reported_one_based() {
    let t = indexed_good();
    for (q, path, paragraph) in [
        ("Putin", SEED, 7),
        ("Moscow", SEED, 4),
        ("Achilles", SEED, 7),
        ("drives service", SEED, 9),
        ("Aleppo", SEED, 1),
        ("convoys", WINTER, 2), // two mentions in ¶2, one in ¶1 and ¶3
        ("bridge spring", NEW_YEAR, 2),
        ("telephones", CRASH, 3),
    ] {
        let v = t.search_json(q, &["-n", "1"]);
        assert_eq!(v["hits"][0]["path"], path, "{q}");
        assert_eq!(v["hits"][0]["paragraph"], paragraph, "{q}");
    }
}

#[test]
fn no_hits_exit_1_with_zero_matching_articles() {
    let t = indexed_good();
    let out = t.run(["search", "xylophone"]);
    out.assert_code(1);
    assert_eq!(out.stdout_without_timing(), "0 matching articles (T ms)\n");
    assert_eq!(out.stderr, "");
    let out = t.run(["search", "xylophone", "--json"]);
    out.assert_code(1);
    let v = out.json();
    assert_eq!(v["total"], 0);
    assert_eq!(v["hits"], serde_json::json!([]));
}

#[test]
fn search_of_an_empty_index_finds_nothing() {
    let t = TestDir::new();
    t.index_corpus();
    t.run(["search", "aid"]).assert_code(1);
    t.run(["search", "", "--sort", "newest"]).assert_code(1);
}

#[test]
fn empty_query_matches_every_article() {
    let t = indexed_good();
    let v = t.search_json("", &["--sort", "oldest"]);
    assert_eq!(v["total"], GOOD);
    assert_eq!(paths_of(&v), BY_DATE);
    // Without a query the snippet is the article's lead, with nothing highlighted.
    for h in v["hits"].as_array().unwrap() {
        assert_eq!(h["paragraph"], 1);
        assert_eq!(h["highlights"], serde_json::json!([]));
    }
    let seed = v["hits"][3]["snippet"].as_str().unwrap();
    assert!(seed.starts_with("While Russia and the US"), "{seed}");
    assert!(seed.ends_with('…'), "{seed}");
}

// ---------------------------------------------------------------------------------------------
// 3b. Paging and ordering
// ---------------------------------------------------------------------------------------------

#[test]
fn limit_and_offset_page_through_ranked_hits() {
    let t = indexed_good();
    let q = "convoys OR aid OR festival";
    let all = t.hit_paths(q, &[]);
    assert_eq!(all, vec![HARVEST, WINTER, RAIL, NEW_YEAR, SEED]);
    assert_eq!(t.hit_paths(q, &["-n", "2"]), all[..2]);
    assert_eq!(
        t.hit_paths(q, &["--limit", "2", "--offset", "2"]),
        all[2..4]
    );
    assert_eq!(t.hit_paths(q, &["--offset", "4"]), all[4..]);
    // The total is the number of matches whatever the page.
    for extra in [["-n", "1"], ["--offset", "3"]] {
        assert_eq!(t.search_json(q, &extra)["total"], 5);
    }
}

#[test]
fn sort_newest_and_oldest_order_by_date() {
    let t = indexed_good();
    let q = "convoys OR aid OR festival OR brokers";
    let oldest = t.hit_paths(q, &["--sort", "oldest"]);
    assert_eq!(oldest, vec![CRASH, WINTER, NEW_YEAR, SEED, HARVEST, RAIL]);
    let mut newest = t.hit_paths(q, &["--sort", "newest"]);
    newest.reverse();
    assert_eq!(newest, oldest);
    // Paging applies after sorting.
    assert_eq!(
        t.hit_paths(q, &["--sort", "newest", "-n", "2", "--offset", "1"]),
        vec![HARVEST, SEED]
    );
    // Hits sorted by date still carry their relevance score.
    let v = t.search_json("convoys", &["--sort", "oldest"]);
    let relevance = t.search_json("convoys", &[]);
    assert_eq!(paths_of(&v), vec![WINTER, RAIL]);
    assert_eq!(v["hits"][0]["score"], relevance["hits"][0]["score"]);
    assert_eq!(v["hits"][1]["score"], relevance["hits"][1]["score"]);
    // Also the coordinated score of a short keyword query, article by article.
    let scores = |v: &serde_json::Value| {
        let mut s: Vec<(String, f64)> = v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h["path"].as_str().unwrap().to_string(),
                    h["score"].as_f64().unwrap(),
                )
            })
            .collect();
        s.sort_by(|a, b| a.0.cmp(&b.0));
        s
    };
    let by_date = t.search_json("aid convoys Aleppo", &["--sort", "newest"]);
    let by_score = t.search_json("aid convoys Aleppo", &[]);
    assert_eq!(scores(&by_date), scores(&by_score));
    assert!(scores(&by_score).len() >= 3);
    // And the explicit default is relevance.
    assert_eq!(
        t.hit_paths(q, &["--sort", "relevance"]),
        t.hit_paths(q, &[])
    );
}

#[test]
fn limit_zero_reports_the_total_without_hits() {
    let t = indexed_good();
    let out = t.run(["search", "convoys", "--limit", "0"]);
    out.assert_code(0);
    assert_eq!(out.stdout_without_timing(), "2 matching articles (T ms)\n");
    let v = t.search_json("convoys", &["-n", "0"]);
    assert_eq!(v["total"], 2);
    assert_eq!(v["hits"], serde_json::json!([]));
}

#[test]
fn huge_limit_returns_every_hit() {
    let t = indexed_good();
    for n in ["1000000000", "18446744073709551615"] {
        let v = t.search_json("", &["--limit", n, "--sort", "oldest"]);
        assert_eq!(paths_of(&v), BY_DATE, "--limit {n}");
    }
}

#[test]
fn offset_past_the_end_shows_no_hits_but_the_total() {
    let t = indexed_good();
    for off in ["2", "7", "100", "18446744073709551615"] {
        let out = t.run(["search", "convoys", "--offset", off]);
        out.assert_code(0);
        assert_eq!(
            out.stdout_without_timing(),
            "2 matching articles (T ms)\n",
            "--offset {off}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Date filters
// ---------------------------------------------------------------------------------------------

fn dated(t: &TestDir, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["--sort", "oldest", "-n", "100"];
    args.extend_from_slice(extra);
    t.hit_paths("", &args)
}

#[test]
fn from_year_starts_on_january_first_inclusive() {
    let t = indexed_good();
    assert_eq!(
        dated(&t, &["--from", "2016"]),
        vec![NEW_YEAR, SEED, HARVEST, RAIL, LEAP]
    );
    assert_eq!(
        dated(&t, &["--from", "2016-01-01"]),
        dated(&t, &["--from", "2016"])
    );
    assert_eq!(
        dated(&t, &["--from", "2016-01-02"]),
        vec![SEED, HARVEST, RAIL, LEAP]
    );
    assert_eq!(dated(&t, &["--to", "2015"]), vec![CRASH, WINTER]);
    assert_eq!(dated(&t, &["--to", "2015-12-30"]), vec![CRASH]);
}

#[test]
fn to_month_ends_on_its_last_day_inclusive() {
    let t = indexed_good();
    assert_eq!(
        dated(&t, &["--to", "2016-09"]),
        vec![CRASH, WINTER, NEW_YEAR, SEED, HARVEST]
    );
    assert_eq!(
        dated(&t, &["--to", "2016-09-30"]),
        dated(&t, &["--to", "2016-09"])
    );
    assert_eq!(dated(&t, &["--from", "2016-10"]), vec![RAIL, LEAP]);
    assert_eq!(
        dated(&t, &["--from", "2016-09", "--to", "2016-09"]),
        vec![SEED, HARVEST]
    );
    // February of a leap year ends on the 29th.
    assert_eq!(
        dated(&t, &["--from", "2020-02", "--to", "2020-02"]),
        vec![LEAP]
    );
    assert_eq!(
        dated(&t, &["--to", "2020-02-28", "--from", "2017"]),
        Vec::<String>::new()
    );
}

#[test]
fn from_and_to_the_same_day() {
    let t = indexed_good();
    for (day, path) in [
        ("2016-09-30", HARVEST),
        ("2016-10-01", RAIL),
        ("2015-12-31", WINTER),
        ("2016-01-01", NEW_YEAR),
        ("2020-02-29", LEAP),
        ("1987-10-19", CRASH),
    ] {
        assert_eq!(
            dated(&t, &["--from", day, "--to", day]),
            vec![path],
            "{day}"
        );
    }
    let out = t.run(["search", "", "--from", "2016-09-18", "--to", "2016-09-18"]);
    out.assert_code(1);
    assert_eq!(out.stdout_without_timing(), "0 matching articles (T ms)\n");
}

#[test]
fn date_filter_combines_with_words() {
    let t = indexed_good();
    assert_eq!(t.hit_paths("convoys", &["--from", "2016"]), vec![RAIL]);
    assert_eq!(
        t.hit_paths("convoys", &["--to", "2016"]),
        vec![WINTER, RAIL]
    );
    assert_eq!(
        t.hit_paths(
            "aid convoys Aleppo",
            &["--from", "2016-09", "--to", "2016-12-31"]
        )
        .into_iter()
        .collect::<BTreeSet<_>>(),
        set(&[SEED, RAIL])
    );
    // The filter does not change scores.
    let all = t.search_json("convoys", &[]);
    let filtered = t.search_json("convoys", &["--from", "2016"]);
    assert_eq!(filtered["hits"][0]["score"], all["hits"][1]["score"]);
    assert_eq!(filtered["total"], 1);
}

#[test]
fn widest_bounds_are_accepted() {
    let t = indexed_good();
    let v = t.search_json("", &["--from", "0000-01-01", "--to", "9999-12-31"]);
    assert_eq!(v["total"], GOOD);
    assert_eq!(
        dated(&t, &["--from", "0000", "--to", "9999"]).len() as u64,
        GOOD
    );
}

#[test]
fn from_after_to_is_an_error() {
    let t = indexed_good();
    let out = t.run(["search", "aid", "--from", "2017", "--to", "2016-12-31"]);
    out.assert_code(2);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "error: --from 2017-01-01 is after --to 2016-12-31\n"
    );
    let out = t.run([
        "search",
        "aid",
        "--from",
        "2016-09-18",
        "--to",
        "2016-09-17",
    ]);
    out.assert_code(2);
    assert_eq!(
        out.stderr,
        "error: --from 2016-09-18 is after --to 2016-09-17\n"
    );
}

#[test]
fn invalid_dates_name_their_flag() {
    let t = indexed_good();
    for (flag, value) in [
        ("--from", "2016-13"),
        ("--from", "2016-02-30"),
        ("--from", "17/09/2016"),
        ("--from", "yesterday"),
        ("--to", "2016-9"),
        ("--to", "2015-02-29"),
        ("--to", ""),
    ] {
        let out = t.run(["search", "aid", flag, value]);
        out.assert_code(2);
        // In the form but off the calendar: impossible, as the file parser says (issue 15).
        let expected = if ["2016-13", "2016-02-30", "2015-02-29"].contains(&value) {
            format!("error: impossible date for {flag}: {value} (not on the calendar)\n")
        } else {
            format!(
                "error: invalid date for {flag}: {value:?} (expected YYYY, YYYY-MM or YYYY-MM-DD)\n"
            )
        };
        assert_eq!(out.stderr, expected);
        assert_eq!(out.stdout, "");
    }
}

#[test]
fn date_filter_edges_before_1970() {
    let t = TestDir::new();
    t.write("corpus/eve.txt", " date 1969-12-31 new year eve");
    t.write("corpus/epoch.txt", " date 1970-01-01 epoch day");
    t.write("corpus/old.txt", " date 1787-09-17 constitution day");
    t.index_corpus();
    assert_eq!(
        dated(&t, &["--to", "1969"]),
        vec!["corpus/old.txt", "corpus/eve.txt"]
    );
    assert_eq!(dated(&t, &["--from", "1970"]), vec!["corpus/epoch.txt"]);
    assert_eq!(
        dated(&t, &["--from", "1787-09-17", "--to", "1787-09-17"]),
        vec!["corpus/old.txt"]
    );
    let stats = t.stats();
    assert_eq!(stats["first_date"], "1787-09-17");
    assert_eq!(
        stats["per_year"],
        serde_json::json!([
            {"year": 1787, "articles": 1},
            {"year": 1969, "articles": 1},
            {"year": 1970, "articles": 1}
        ])
    );
}

#[test]
fn bounds_beyond_the_index_range_do_not_match_edge_articles() {
    let t = TestDir::new();
    t.write("corpus/last.txt", " date 2261-12-31 last day");
    t.write("corpus/first.txt", " date 1678-01-01 first day");
    t.index_corpus();
    t.run(["search", "", "--from", "2262"]).assert_code(1);
    t.run(["search", "", "--to", "1677"]).assert_code(1);
}
