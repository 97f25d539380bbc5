//! Ranking quality on the six judged collections of the shared corpora folder named by
//! `DATELINE_CORPORA` (`.ci/run` sets it): each is indexed and run through `dateline eval`; its
//! nDCG@10 and MAP must be at least the best of SQLite FTS5, Xapian and tantivy-cli, as
//! `benches/relevance.sh` measured them (`docs/relevance.md`), and 5 % above it on average.
//! Without the folder the test says so and passes, except under `CI=true`.

mod common;

use common::{corpora, unpack};
use std::path::Path;

/// The best peer's nDCG@10 and MAP per collection (`benches/relevance.sh`, 2026-11-25).
const BEST_PEER: [(&str, f64, f64); 6] = [
    ("cranfield", 0.3291, 0.2942),
    ("cacm", 0.4655, 0.3167),
    ("cisi", 0.3610, 0.2073),
    ("med", 0.6900, 0.5281),
    ("adi", 0.4781, 0.4085),
    ("lisa", 0.4598, 0.3603),
];

fn dateline(cwd: &Path, args: &[&str]) -> String {
    let out = common::dateline(cwd)
        .args(args)
        .output()
        .expect("run dateline");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "dateline {args:?}: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn judged_collections_rank_at_least_as_well_as_the_best_peer() {
    let Some(corpora) = corpora("relevance") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let mut shortfalls = Vec::new();
    let mut ratios = Vec::new();
    for (name, peer_ndcg, peer_map) in BEST_PEER {
        unpack(&corpora, name, tmp.path());
        let index = format!("{name}-index");
        let docs = format!("{name}/docs");
        dateline(tmp.path(), &["--index", &index, "index", &docs]);
        let queries = format!("{name}/queries.tsv");
        let qrels = format!("{name}/qrels.txt");
        let out = dateline(
            tmp.path(),
            &[
                "--index",
                &index,
                "eval",
                "--queries",
                &queries,
                "--qrels",
                &qrels,
                "--json",
            ],
        );
        let report: serde_json::Value = serde_json::from_str(&out).unwrap();
        let ndcg = report["mean"]["ndcg@10"].as_f64().unwrap();
        let map = report["mean"]["map"].as_f64().unwrap();
        eprintln!("{name}: nDCG@10 {ndcg:.4} (best peer {peer_ndcg}), MAP {map:.4} ({peer_map})");
        ratios.push((ndcg / peer_ndcg, map / peer_map));
        // Equal to four decimals counts as equal: the figures are printed rounded.
        if ndcg < peer_ndcg - 0.0002 || map < peer_map - 0.0002 {
            shortfalls.push(format!("{name}: {ndcg:.4} / {map:.4}"));
        }
    }
    assert!(shortfalls.is_empty(), "below the best peer: {shortfalls:?}");
    let n = ratios.len() as f64;
    let ndcg_gain = ratios.iter().map(|r| r.0).sum::<f64>() / n;
    let map_gain = ratios.iter().map(|r| r.1).sum::<f64>() / n;
    eprintln!("mean ratio to the best peer: nDCG@10 {ndcg_gain:.3}, MAP {map_gain:.3}");
    // The target: on average 5 % above the best peer.
    assert!(
        ndcg_gain >= 1.05 && map_gain >= 1.05,
        "mean ratios {ndcg_gain:.3} / {map_gain:.3}"
    );
}
