//! `dateline eval` and `dateline search --trec-run` on the good fixtures: the measures agree
//! with a ranking scored here by hand, the run files agree with each other, and bad judgment or
//! query files are refused with the file and line named.

use crate::common::*;

/// Reads TREC run lines into (qid, name, rank, score).
fn run_lines(text: &str) -> Vec<(String, String, usize, f32)> {
    text.lines()
        .map(|l| {
            let c: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(c.len(), 6, "run line {l:?}");
            assert_eq!(c[1], "Q0");
            assert_eq!(c[5], "dateline");
            (
                c[0].to_string(),
                c[2].to_string(),
                c[3].parse().unwrap(),
                c[4].parse().unwrap(),
            )
        })
        .collect()
}

/// A file's judgment name: its file name without `.txt`.
fn name(key: &str) -> &str {
    key.rsplit('/').next().unwrap().trim_end_matches(".txt")
}

/// Average precision of a ranking, computed here the plain way.
fn average_precision(ranking: &[String], relevant: &[&str]) -> f64 {
    let mut found = 0.0;
    let mut sum = 0.0;
    for (i, d) in ranking.iter().enumerate() {
        if relevant.contains(&d.as_str()) {
            found += 1.0;
            sum += found / (i as f64 + 1.0);
        }
    }
    sum / relevant.len() as f64
}

/// `dateline eval --queries QUERIES --qrels QRELS EXTRA...` in the test's folder.
fn eval(t: &TestDir, queries: &str, qrels: &str, extra: &[&str]) -> Output {
    let mut args = vec!["eval", "--queries", queries, "--qrels", qrels];
    args.extend_from_slice(extra);
    t.run(args)
}

fn setup() -> TestDir {
    let t = TestDir::with_good();
    t.index_corpus();
    t.write(
        "queries.tsv",
        "1\tAid convoys for ALEPPO?\n2\tthe \"rail\" strike (AND harvest)\n3\tzebra quagga\n",
    );
    let qrels = format!(
        "1 0 {} 1\n1 0 {} 1\n2 0 {} 2\n2 0 {} 1\n2 0 {} 0\n3 0 {} 1\n4 0 {} 0\n",
        name(SEED),
        name(WINTER),
        name(RAIL),
        name(HARVEST),
        name(CRASH),
        name(LEAP),
        name(SEED),
    );
    t.write("qrels.txt", qrels);
    t
}

#[test]
fn eval_agrees_with_the_ranking_search_prints() {
    let t = setup();
    let out = eval(&t, "queries.tsv", "qrels.txt", &["--json", "--per-query"]);
    let report = out.assert_code(0).json();
    // Query 4 has no relevant article: skipped. Query 3 finds nothing: it counts, as zero.
    assert_eq!(report["queries"], 3);
    assert_eq!(report["k"], 10);
    let per: Vec<&serde_json::Value> = report["per_query"].as_array().unwrap().iter().collect();
    let qids: Vec<&str> = per.iter().map(|q| q["qid"].as_str().unwrap()).collect();
    assert_eq!(qids, ["1", "2", "3"]);
    assert_eq!(per[2]["retrieved"], 0);
    assert_eq!(per[2]["map"], 0.0);

    // Query 1 read as free words, as search ranks it.
    let printed = t.run([
        "search",
        "aid convoys for aleppo",
        "-n",
        "1000",
        "--trec-run",
        "1",
    ]);
    let lines = run_lines(&printed.assert_code(0).stdout);
    let ranking: Vec<String> = lines.iter().map(|l| l.1.clone()).collect();
    assert!(ranking.len() >= 2, "{ranking:?}");
    let ranks: Vec<usize> = lines.iter().map(|l| l.2).collect();
    assert_eq!(ranks, (1..=lines.len()).collect::<Vec<_>>());
    let ap = average_precision(&ranking, &[name(SEED), name(WINTER)]);
    let got = per[0]["map"].as_f64().unwrap();
    assert!((got - ap).abs() < 1e-4, "eval {got}, by hand {ap}");
    let first_relevant = ranking
        .iter()
        .position(|d| d == name(SEED) || d == name(WINTER))
        .unwrap();
    let rr = per[0]["mrr"].as_f64().unwrap();
    assert!((rr - 1.0 / (first_relevant as f64 + 1.0)).abs() < 1e-4);
    let mean_map = report["mean"]["map"].as_f64().unwrap();
    let sum: f64 = per.iter().map(|q| q["map"].as_f64().unwrap()).sum();
    assert!((mean_map - sum / 3.0).abs() < 1e-3);
}

#[test]
fn a_run_written_out_scores_the_same_when_read_back() {
    let t = setup();
    let direct = eval(
        &t,
        "queries.tsv",
        "qrels.txt",
        &["--run-out", "out.run", "--json", "--depth", "3"],
    )
    .assert_code(0)
    .json();
    let run = String::from_utf8(t.read("out.run")).unwrap();
    let lines = run_lines(&run);
    assert!(!lines.is_empty());
    for qid in ["1", "2"] {
        let n = lines.iter().filter(|l| l.0 == qid).count();
        assert!((1..=3).contains(&n), "query {qid}: {n} lines");
    }
    // Scores never rise down a query's list.
    for w in lines.windows(2) {
        if w[0].0 == w[1].0 {
            assert!(w[0].3 >= w[1].3, "{w:?}");
        }
    }
    let read_back = t
        .run(["eval", "--qrels", "qrels.txt", "--run", "out.run", "--json"])
        .assert_code(0)
        .json();
    assert_eq!(direct, read_back);
}

#[test]
fn the_text_table_names_every_measure_and_each_query() {
    let t = setup();
    let out = eval(&t, "queries.tsv", "qrels.txt", &["--per-query", "--k", "5"]);
    let text = out.assert_code(0).stdout.clone();
    let header = text.lines().next().unwrap();
    for m in ["ndcg@5", "map", "p@5", "recall@100", "mrr"] {
        assert!(header.contains(m), "{header}");
    }
    let rows: Vec<&str> = text
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(rows, ["1", "2", "3", "mean", "3"]);
    assert!(text.ends_with("3 judged queries\n"), "{text}");
}

#[test]
fn bad_judgments_queries_and_flags_are_refused_with_their_place() {
    let t = setup();
    t.write("bad-qrels.txt", "1 0 a 1\n1 0 b relevant\n");
    let out = eval(&t, "queries.tsv", "bad-qrels.txt", &[]);
    out.assert_code(2);
    assert!(
        out.stderr.contains("bad-qrels.txt:2: grade \"relevant\""),
        "{}",
        out.stderr
    );

    t.write("bad-queries.tsv", "1\taid\n2 no tab here\n");
    let out = eval(&t, "bad-queries.tsv", "qrels.txt", &[]);
    out.assert_code(2);
    assert!(out.stderr.contains("bad-queries.tsv:2:"), "{}", out.stderr);

    t.write("bad.run", "1 Q0 x 1 high dateline\n");
    let out = t.run(["eval", "--qrels", "qrels.txt", "--run", "bad.run"]);
    out.assert_code(2);
    assert!(out.stderr.contains("bad.run:1: score"), "{}", out.stderr);

    let out = eval(&t, "missing.tsv", "qrels.txt", &[]);
    out.assert_code(2);
    assert!(out.stderr.contains("missing.tsv"), "{}", out.stderr);

    // No queries and no run; a cutoff of zero; a run and queries together.
    t.run(["eval", "--qrels", "qrels.txt"]).assert_code(2);
    let out = eval(&t, "queries.tsv", "qrels.txt", &["--k", "0"]);
    out.assert_code(2);
    assert!(out.stderr.contains("--k"), "{}", out.stderr);
    eval(&t, "queries.tsv", "qrels.txt", &["--run", "x.run"]).assert_code(2);
}
