//! Relevance measurement: queries, TREC judgments and runs read from files, and the standard
//! measures computed as `trec_eval` defines them.
//!
//! - A run is ordered as `trec_eval` orders it: score descending, ties by document name
//!   descending; the rank column of a run file is ignored, as `trec_eval` ignores it.
//! - A document is relevant when its grade is 1 or more (`trec_eval -l 1`, the default).
//! - nDCG@k: gain = grade, discount `log2(rank + 1)`, normalised by the ideal ordering of every
//!   judged grade of the query (`ndcg_cut.k`).
//! - MAP: the mean, over the query's relevant documents, of the precision at the rank of each
//!   one retrieved (a relevant document not retrieved adds 0) (`map`).
//! - P@k: relevant documents in the first k, divided by k even when fewer were retrieved (`P.k`).
//! - Recall@100: relevant documents in the first 100 over all relevant (`recall.100`).
//! - MRR: one over the rank of the first relevant document, 0 when none (`recip_rank`).
//!
//! Averages are over the judged queries with at least one relevant document; a judged query the
//! run does not answer counts as 0 (`trec_eval -c`).

use anyhow::{Context, bail};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Grades by document name, for one query.
pub type Grades = HashMap<String, i32>;

/// Judgments by query id, from a TREC qrels file.
#[derive(Debug, Default, Clone)]
pub struct Qrels(pub BTreeMap<String, Grades>);

/// Retrieved documents by query id, each list in rank order.
#[derive(Debug, Default, Clone)]
pub struct Run(pub BTreeMap<String, Vec<(String, f32)>>);

/// One query of a topics file.
#[derive(Debug, Clone, PartialEq)]
pub struct Topic {
    /// Query id, as the judgments name it.
    pub qid: String,
    /// The query text.
    pub text: String,
}

fn read(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        let line = 1 + e.as_bytes()[..e.utf8_error().valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        anyhow::anyhow!("{}:{line}: not UTF-8 text", path.display())
    })
}

/// Reads queries, one per line: `qid<TAB>text`. Blank lines are skipped.
pub fn read_topics(path: &Path) -> anyhow::Result<Vec<Topic>> {
    let text = read(path)?;
    let mut topics = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let Some((qid, query)) = line.split_once('\t') else {
            bail!(
                "{}:{}: expected `qid<TAB>query text`, found no tab",
                path.display(),
                i + 1
            );
        };
        let qid = qid.trim();
        if qid.is_empty() {
            bail!("{}:{}: the query id is empty", path.display(), i + 1);
        }
        topics.push(Topic {
            qid: qid.to_string(),
            text: query.trim().to_string(),
        });
    }
    if topics.is_empty() {
        bail!("{}: no queries in the file", path.display());
    }
    Ok(topics)
}

/// Reads TREC judgments: `qid iteration docname grade` per line.
pub fn read_qrels(path: &Path) -> anyhow::Result<Qrels> {
    parse_qrels(&read(path)?, path)
}

/// Parses TREC judgments (see [`read_qrels`]); `path` names the source in errors.
pub fn parse_qrels(text: &str, path: &Path) -> anyhow::Result<Qrels> {
    let mut qrels = Qrels::default();
    for (i, line) in text.lines().enumerate() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        match cols.as_slice() {
            [] => continue,
            [qid, _, doc, grade] => {
                let grade: i32 = grade.parse().with_context(|| {
                    format!(
                        "{}:{}: grade {grade:?} is not a whole number",
                        path.display(),
                        i + 1
                    )
                })?;
                qrels
                    .0
                    .entry(qid.to_string())
                    .or_default()
                    .insert(doc.to_string(), grade);
            }
            _ => bail!(
                "{}:{}: expected `qid 0 docname grade`, found {} columns",
                path.display(),
                i + 1,
                cols.len()
            ),
        }
    }
    if qrels.0.is_empty() {
        bail!("{}: no judgments in the file", path.display());
    }
    Ok(qrels)
}

/// Reads a TREC run: `qid Q0 docname rank score tag` per line.
pub fn read_run(path: &Path) -> anyhow::Result<Run> {
    parse_run(&read(path)?, path)
}

/// Parses a TREC run (see [`read_run`]); a document listed twice for a query keeps its first
/// line. `path` names the source in errors.
pub fn parse_run(text: &str, path: &Path) -> anyhow::Result<Run> {
    let mut run = Run::default();
    let mut seen: HashMap<String, std::collections::HashSet<String>> = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        match cols.as_slice() {
            [] => continue,
            [qid, _, doc, _rank, score, _tag] => {
                let score: f32 = score
                    .parse()
                    .ok()
                    .filter(|s: &f32| s.is_finite())
                    .with_context(|| {
                        format!(
                            "{}:{}: score {score:?} is not a number",
                            path.display(),
                            i + 1
                        )
                    })?;
                if seen
                    .entry(qid.to_string())
                    .or_default()
                    .insert(doc.to_string())
                {
                    run.0
                        .entry(qid.to_string())
                        .or_default()
                        .push((doc.to_string(), score));
                }
            }
            _ => bail!(
                "{}:{}: expected `qid Q0 docname rank score tag`, found {} columns",
                path.display(),
                i + 1,
                cols.len()
            ),
        }
    }
    for docs in run.0.values_mut() {
        trec_order(docs);
    }
    Ok(run)
}

/// Orders documents as `trec_eval` does: score descending, then name descending.
pub fn trec_order(docs: &mut [(String, f32)]) {
    docs.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| b.0.cmp(&a.0)));
}

/// Writes one query's ranking as TREC run lines (rank from 1).
pub fn write_run(
    w: &mut dyn std::io::Write,
    qid: &str,
    docs: &[(String, f32)],
    tag: &str,
) -> std::io::Result<()> {
    for (rank, (doc, score)) in docs.iter().enumerate() {
        writeln!(w, "{qid} Q0 {doc} {} {score} {tag}", rank + 1)?;
    }
    Ok(())
}

/// The measures of one query, or their means.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Measures {
    /// nDCG at the cutoff.
    pub ndcg: f64,
    /// Average precision over the whole ranking.
    pub ap: f64,
    /// Precision at the cutoff.
    pub precision: f64,
    /// Recall in the first 100.
    pub recall_100: f64,
    /// Reciprocal rank of the first relevant document.
    pub rr: f64,
}

/// Scores one ranking (document names, best first) against a query's grades, with cutoff `k`.
pub fn measure(ranking: &[&str], grades: &Grades, k: usize) -> Measures {
    let num_rel = grades.values().filter(|&&g| g >= 1).count();
    if num_rel == 0 {
        return Measures::default();
    }
    let gain = |doc: &str| grades.get(doc).copied().unwrap_or(0);
    let discount = |i: usize| (i as f64 + 2.0).log2();
    let dcg: f64 = ranking
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, d)| f64::from(gain(d).max(0)) / discount(i))
        .sum();
    let mut ideal: Vec<i32> = grades.values().copied().filter(|&g| g > 0).collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, &g)| f64::from(g) / discount(i))
        .sum();
    let mut found = 0usize;
    let mut precision_sum = 0.0;
    let mut in_k = 0usize;
    let mut in_100 = 0usize;
    let mut first = None;
    for (i, d) in ranking.iter().enumerate() {
        if gain(d) >= 1 {
            found += 1;
            precision_sum += found as f64 / (i + 1) as f64;
            first.get_or_insert(i + 1);
            if i < k {
                in_k += 1;
            }
            if i < 100 {
                in_100 += 1;
            }
        }
    }
    Measures {
        ndcg: if idcg > 0.0 { dcg / idcg } else { 0.0 },
        ap: precision_sum / num_rel as f64,
        precision: in_k as f64 / k as f64,
        recall_100: in_100 as f64 / num_rel as f64,
        rr: first.map_or(0.0, |r| 1.0 / r as f64),
    }
}

/// One query's result in a [`Evaluation`].
#[derive(Debug, Clone)]
pub struct QueryResult {
    /// Query id.
    pub qid: String,
    /// How many documents the run retrieved for it.
    pub retrieved: usize,
    /// Its measures.
    pub measures: Measures,
}

/// Measures of a whole run.
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// The cutoff of nDCG and precision.
    pub k: usize,
    /// Per judged query with a relevant document, in query-id order.
    pub queries: Vec<QueryResult>,
    /// Means over `queries`.
    pub mean: Measures,
}

/// Scores a run against judgments (see the module's notes for which queries count).
pub fn evaluate(run: &Run, qrels: &Qrels, k: usize) -> Evaluation {
    let k = k.max(1);
    let mut queries = Vec::new();
    for (qid, grades) in &qrels.0 {
        if !grades.values().any(|&g| g >= 1) {
            continue;
        }
        let docs = run.0.get(qid).map_or(&[][..], Vec::as_slice);
        let ranking: Vec<&str> = docs.iter().map(|(d, _)| d.as_str()).collect();
        queries.push(QueryResult {
            qid: qid.clone(),
            retrieved: ranking.len(),
            measures: measure(&ranking, grades, k),
        });
    }
    let n = queries.len().max(1) as f64;
    let sum = |f: fn(&Measures) -> f64| queries.iter().map(|q| f(&q.measures)).sum::<f64>() / n;
    let mean = Measures {
        ndcg: sum(|m| m.ndcg),
        ap: sum(|m| m.ap),
        precision: sum(|m| m.precision),
        recall_100: sum(|m| m.recall_100),
        rr: sum(|m| m.rr),
    };
    Evaluation { k, queries, mean }
}

/// Query ids numerically when they are numbers, else as text.
fn qid_order(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        _ => a.cmp(b),
    }
}

/// The measures' names for a cutoff, in print order.
pub fn names(k: usize) -> [String; 5] {
    [
        format!("ndcg@{k}"),
        "map".into(),
        format!("p@{k}"),
        "recall@100".into(),
        "mrr".into(),
    ]
}

impl Measures {
    fn values(&self) -> [f64; 5] {
        [self.ndcg, self.ap, self.precision, self.recall_100, self.rr]
    }

    fn to_json(self, k: usize) -> serde_json::Map<String, serde_json::Value> {
        names(k)
            .into_iter()
            .zip(self.values())
            .map(|(n, v)| (n, serde_json::json!(round(v))))
            .collect()
    }
}

/// Four decimals, as `trec_eval` prints.
fn round(v: f64) -> f64 {
    (v * 10_000.0).round() / 10_000.0
}

#[derive(Serialize)]
struct JsonEvaluation {
    queries: usize,
    k: usize,
    mean: serde_json::Map<String, serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    per_query: Option<Vec<serde_json::Map<String, serde_json::Value>>>,
}

impl Evaluation {
    /// The per-query results sorted by query id (numerically where ids are numbers).
    fn sorted(&self) -> Vec<&QueryResult> {
        let mut q: Vec<&QueryResult> = self.queries.iter().collect();
        q.sort_by(|a, b| qid_order(&a.qid, &b.qid));
        q
    }

    /// The report as JSON: `{"queries", "k", "mean": {measure: value}, "per_query"?}`.
    pub fn to_json(&self, per_query: bool) -> serde_json::Value {
        let per_query = per_query.then(|| {
            self.sorted()
                .into_iter()
                .map(|q| {
                    let mut m = serde_json::Map::new();
                    m.insert("qid".into(), q.qid.clone().into());
                    m.insert("retrieved".into(), q.retrieved.into());
                    m.extend(q.measures.to_json(self.k));
                    m
                })
                .collect()
        });
        serde_json::to_value(JsonEvaluation {
            queries: self.queries.len(),
            k: self.k,
            mean: self.mean.to_json(self.k),
            per_query,
        })
        .unwrap_or_default()
    }

    /// The report as a text table: a row per query (with `per_query`), then the mean.
    pub fn write_table(&self, w: &mut dyn std::io::Write, per_query: bool) -> std::io::Result<()> {
        let names = names(self.k);
        write!(w, "{:<10}", "query")?;
        for n in &names {
            write!(w, " {n:>10}")?;
        }
        writeln!(w)?;
        let row = |w: &mut dyn std::io::Write, label: &str, m: &Measures| {
            write!(w, "{label:<10}")?;
            for v in m.values() {
                write!(w, " {v:>10.4}")?;
            }
            writeln!(w)
        };
        if per_query {
            for q in self.sorted() {
                row(w, &q.qid, &q.measures)?;
            }
        }
        row(w, "mean", &self.mean)?;
        writeln!(w, "{} judged queries", self.queries.len())
    }
}

/// Runs every topic against the index, as free text (see [`crate::search::plan::free_text`]), and
/// keeps the first `depth` of each ranking, named by file name without `.txt`, in
/// `trec_eval`'s order (equal scores by name, descending).
pub fn run_topics(
    store: &crate::index::store::Store,
    topics: &[Topic],
    depth: usize,
    ranking: &crate::search::rank::Ranking,
) -> anyhow::Result<Run> {
    use crate::search::{self, Request, SearchError};
    let mut run = Run::default();
    for t in topics {
        let req = Request {
            text: crate::search::plan::free_text(&t.text),
            limit: depth,
            ranking: ranking.clone(),
            ..Default::default()
        };
        let (_, hits) = search::ranking(store, &req).map_err(|e| match e {
            SearchError::Query(q) => anyhow::anyhow!("query {}: {q}", t.qid),
            SearchError::Index(e) => e,
        })?;
        let mut docs: Vec<(String, f32)> = hits
            .into_iter()
            .map(|(score, key)| (docname(&key).to_string(), score))
            .collect();
        trec_order(&mut docs);
        run.0.entry(t.qid.clone()).or_default().extend(docs);
    }
    Ok(run)
}

/// The name judgments give an article: its file name without `.txt`.
pub fn docname(key: &str) -> &str {
    let name = key
        .rsplit(['/', std::path::MAIN_SEPARATOR])
        .next()
        .unwrap_or(key);
    name.strip_suffix(".txt").unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grades(pairs: &[(&str, i32)]) -> Grades {
        pairs.iter().map(|(d, g)| (d.to_string(), *g)).collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    /// Worked by hand. Relevant: a (grade 2), c (1), e (1), and z (1), never retrieved; x is
    /// judged 0. The ranking is a x c y e.
    ///
    /// - DCG@5 = 2/log2(2) + 1/log2(4) + 1/log2(6) = 2 + 0.5 + 0.386852807...
    /// - ideal = 2, 1, 1, 1: 2 + 1/log2(3) + 1/log2(4) + 1/log2(5) = 2 + 0.630929754 + 0.5 +
    ///   0.430676558
    /// - AP = (1/1 + 2/3 + 3/5) / 4 = 0.566666...
    /// - P@5 = 3/5; recall@100 = 3/4; RR = 1
    #[test]
    fn measures_match_a_hand_computed_example() {
        let g = grades(&[("a", 2), ("c", 1), ("e", 1), ("z", 1), ("x", 0)]);
        let m = measure(&["a", "x", "c", "y", "e"], &g, 5);
        let dcg = 2.0 + 0.5 + 1.0 / 6f64.log2();
        let idcg = 2.0 + 1.0 / 3f64.log2() + 0.5 + 1.0 / 5f64.log2();
        assert!(close(m.ndcg, dcg / idcg), "{}", m.ndcg);
        assert!((m.ndcg - 0.810_55).abs() < 1e-5, "{}", m.ndcg);
        assert!(close(m.ap, (1.0 + 2.0 / 3.0 + 3.0 / 5.0) / 4.0));
        assert!(close(m.precision, 0.6));
        assert!(close(m.recall_100, 0.75));
        assert!(close(m.rr, 1.0));
    }

    #[test]
    fn precision_divides_by_k_and_rr_finds_the_first_relevant() {
        let g = grades(&[("b", 1)]);
        let m = measure(&["a", "b"], &g, 10);
        assert!(close(m.precision, 0.1));
        assert!(close(m.rr, 0.5));
        assert!(close(m.ap, 0.5));
        assert!(close(m.ndcg, 1.0 / 3f64.log2()));
        let none = measure(&[], &g, 10);
        assert_eq!(none, Measures::default());
    }

    #[test]
    fn runs_are_ordered_as_trec_eval_orders_them() {
        let text = "1 Q0 d1 1 2.0 t\n1 Q0 d3 2 5.0 t\n1 Q0 d2 3 5.0 t\n1 Q0 d1 4 9.0 t\n";
        let run = parse_run(text, Path::new("r")).unwrap();
        let docs: Vec<&str> = run.0["1"].iter().map(|(d, _)| d.as_str()).collect();
        // Score first, ties by name descending; the repeated d1 keeps its first line.
        assert_eq!(docs, ["d3", "d2", "d1"]);
    }

    #[test]
    fn unjudged_and_unanswered_queries() {
        let qrels = parse_qrels("1 0 a 1\n2 0 b 0\n3 0 c 1\n", Path::new("q")).unwrap();
        let run = parse_run("1 Q0 a 1 1 t\n", Path::new("r")).unwrap();
        let r = evaluate(&run, &qrels, 10);
        // Query 2 has no relevant document: skipped. Query 3 is not answered: it scores 0.
        let ids: Vec<&str> = r.queries.iter().map(|q| q.qid.as_str()).collect();
        assert_eq!(ids, ["1", "3"]);
        assert!(close(r.mean.ap, 0.5));
        assert!(close(r.mean.ndcg, 0.5));
    }

    #[test]
    fn malformed_lines_name_file_and_line() {
        let e = parse_qrels("1 0 a 1\n1 0 b high\n", Path::new("qrels.txt")).unwrap_err();
        assert!(
            format!("{e:#}").starts_with("qrels.txt:2: grade \"high\""),
            "{e:#}"
        );
        let e = parse_run("1 Q0 a 1 1.0\n", Path::new("run.txt")).unwrap_err();
        assert!(format!("{e:#}").contains("run.txt:1: expected"), "{e:#}");
        let e = parse_run("1 Q0 a 1 NaN t\n", Path::new("run.txt")).unwrap_err();
        assert!(format!("{e:#}").contains("run.txt:1: score"), "{e:#}");
    }
}
