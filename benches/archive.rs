//! In-process latency of reading an archive through time: `timeline` counts, `similar`
//! articles, searches within a folder, with several snippets and with a did-you-mean; p50, p95
//! and p99 per case.
//!
//! ```sh
//! cargo run --release --example archive -- INDEX_DIR [REPEATS]
//! ```
//! One warm-up pass, then REPEATS (default 30) passes, cases interleaved. `similar` runs on 20
//! articles spread over the index, one per pass in turn (the figure pools them); the folder
//! cases use the folder of the first of those.

use dateline::search::plan::{DateRange, Scope};
use dateline::search::{self, Request};
use dateline::similar;
use dateline::timeline::{self, By};
use std::path::PathBuf;
use std::time::Instant;
use tantivy::schema::Value;

/// One case: its label and what it runs, returning a count to print.
type Case = (String, Box<dyn Fn(usize) -> anyhow::Result<u64>>);

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: archive INDEX_DIR [REPEATS]"))?;
    let repeats: usize = args.next().map_or(Ok(30), |r| r.parse())?;
    let store = std::rc::Rc::new(dateline::index::store::open(std::path::Path::new(&dir))?);
    let reader = store.reader()?;
    let searcher = reader.searcher();
    println!(
        "{} articles, {} segments",
        searcher.num_docs(),
        searcher.segment_readers().len()
    );
    let samples = sample_paths(&searcher, store.fields.path, 20)?;
    let folder = PathBuf::from(&samples[0])
        .parent()
        .map(|p| format!("{}/", p.display()))
        .ok_or_else(|| anyhow::anyhow!("no folder"))?;

    let mut cases: Vec<Case> = Vec::new();
    let tl = |queries: &[&str], by: Option<By>| timeline::Request {
        queries: queries.iter().map(|q| q.to_string()).collect(),
        by,
        ..Default::default()
    };
    for (label, req) in [
        ("timeline: `said` (common word)", tl(&["said"], None)),
        ("timeline: `said` --by year", tl(&["said"], Some(By::Year))),
        (
            "timeline: `oil` `opec` (two queries)",
            tl(&["oil", "opec"], None),
        ),
        (
            "timeline: `dockworkers` (rare word)",
            tl(&["dockworkers"], None),
        ),
    ] {
        let store = store.clone();
        cases.push((
            label.to_string(),
            Box::new(move |_| Ok(timeline::run(&store, &req)?.totals.iter().sum())),
        ));
    }
    {
        let store = store.clone();
        let samples = samples.clone();
        cases.push((
            "similar: 20 articles in turn, top 10 (pooled)".to_string(),
            Box::new(move |pass| {
                let req = similar::Request {
                    path: PathBuf::from(&samples[pass % samples.len()]),
                    limit: 10,
                    range: DateRange::default(),
                    scope: Scope::default(),
                    snippet_chars: 200,
                };
                Ok(similar::run(&store, &req)?.total)
            }),
        ));
    }
    let searches = [
        (
            "search: `said` --in FOLDER",
            "said",
            1,
            Some(folder.clone()),
        ),
        ("search: `said` --snippets 3", "said", 3, None),
        ("search: `dockwrkers` (did you mean)", "dockwrkers", 1, None),
    ];
    for (label, text, snippets, folder) in searches {
        let store = store.clone();
        let req = Request {
            text: text.into(),
            snippets,
            scope: Scope::folder(folder),
            ..Request::default()
        };
        cases.push((
            label.to_string(),
            Box::new(move |_| Ok(search::run(&store, &req)?.total)),
        ));
    }

    let mut times: Vec<Vec<f64>> = vec![Vec::new(); cases.len()];
    let mut counts = vec![0u64; cases.len()];
    for pass in 0..=repeats {
        for (i, (_, run)) in cases.iter().enumerate() {
            let t = Instant::now();
            counts[i] = run(pass)?;
            if pass > 0 {
                times[i].push(t.elapsed().as_secs_f64() * 1e3);
            }
        }
    }
    println!("| case | count | p50 ms | p95 ms | p99 ms |");
    println!("|---|---|---|---|---|");
    for (i, (label, _)) in cases.iter().enumerate() {
        let [p50, p95, p99] = percentiles(&mut times[i]);
        println!(
            "| {label} | {} | {p50:.2} | {p95:.2} | {p99:.2} |",
            counts[i]
        );
    }
    Ok(())
}

/// The keys of `n` articles spread evenly over the index.
fn sample_paths(
    searcher: &tantivy::Searcher,
    path: tantivy::schema::Field,
    n: u32,
) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for (ord, seg) in searcher.segment_readers().iter().enumerate() {
        let take = n.div_ceil(searcher.segment_readers().len() as u32);
        let step = (seg.max_doc() / take).max(1);
        for doc in (0..seg.max_doc())
            .step_by(step as usize)
            .take(take as usize)
        {
            let d: tantivy::TantivyDocument =
                searcher.doc(tantivy::DocAddress::new(ord as u32, doc))?;
            if let Some(p) = d.get_first(path).and_then(|v| v.as_str()) {
                out.push(p.to_string());
            }
        }
    }
    out.truncate(n as usize);
    anyhow::ensure!(!out.is_empty(), "the index is empty");
    Ok(out)
}

fn percentiles(v: &mut [f64]) -> [f64; 3] {
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() as f64 * q).ceil() as usize).clamp(1, v.len()) - 1];
    [at(0.50), at(0.95), at(0.99)]
}
