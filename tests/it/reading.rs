//! Reading an archive like a researcher (issue 20): shares over time (`timeline --share`), words
//! in context (`kwic`), what sets a selection apart (`keywords`), the company a word keeps
//! (`collocates`), `--csv` and the short `stats`. Each figure is checked against something
//! worked out apart from the command: search's own totals, words counted in the corpus files by
//! this test, a hand-worked statistic, a word planted in a generated corpus.

use crate::common::{Output, TestDir};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn repo_corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// A test folder with the bundled archive indexed (under `corpus/` as given by absolute path,
/// so paths print absolute).
fn bundled() -> TestDir {
    let t = TestDir::new();
    let corpus = repo_corpus();
    t.run(["index".as_ref(), corpus.as_os_str()]).assert_code(0);
    t
}

/// Runs a command that must succeed (exit 0).
fn ok(t: &TestDir, args: &[&str]) -> Output {
    let out = t.run(args);
    assert_eq!(
        out.code, 0,
        "{} failed:\nstdout:\n{}\nstderr:\n{}",
        out.cmdline, out.stdout, out.stderr
    );
    out
}

/// Every `.txt` file under `dir`, with its paragraphs (split by the dated format's parser).
fn articles_under(dir: &Path) -> Vec<(PathBuf, Vec<String>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "txt") {
                let a = dateline::article::parse_bytes(&std::fs::read(&p).unwrap()).unwrap();
                out.push((p, a.paragraphs));
            }
        }
    }
    out
}

/// A paragraph's words, lower-cased: its runs of letters and digits.
fn words_of(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// A sequence of words, each one of its forms.
type Forms<'a> = &'a [&'a [&'a str]];

/// How often a sequence of words stands in the paragraphs, each word one of its forms.
fn count_sequence(paragraphs: &[String], forms: Forms) -> u64 {
    let mut n = 0;
    for p in paragraphs {
        let w = words_of(p);
        for i in 0..w.len() {
            if i + forms.len() <= w.len()
                && forms
                    .iter()
                    .enumerate()
                    .all(|(k, f)| f.contains(&w[i + k].as_str()))
            {
                n += 1;
            }
        }
    }
    n
}

fn f64_of(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// Every share of `timeline --json` equals search's total for the query over search `""`'s
/// total for that bucket, run both ways through the binary.
fn check_shares(t: &TestDir, args: &[&str], extra: &[&str]) {
    let mut all = vec!["timeline"];
    all.extend_from_slice(args);
    all.extend_from_slice(extra);
    all.push("--json");
    let v = ok(t, &all).json();
    let queries: Vec<String> = v["queries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q.as_str().unwrap().to_string())
        .collect();
    let buckets = v["buckets"].as_array().unwrap();
    assert!(buckets.len() > 3, "{v}");
    let mut sum = 0;
    for b in buckets {
        let (from, to) = (b["start"].as_str().unwrap(), b["end"].as_str().unwrap());
        let articles = t.search_total("", from, to, extra);
        assert_eq!(b["articles"], articles, "articles of {b}");
        sum += articles;
        for (i, q) in queries.iter().enumerate() {
            let n = t.search_total(q, from, to, extra);
            assert_eq!(b["counts"][i], n, "{q} in {b}");
            let share = if articles == 0 {
                0.0
            } else {
                n as f64 / articles as f64
            };
            // Within an ulp: serde_json's default float parsing is not always correctly
            // rounded (its `float_roundtrip` feature is off).
            let got = f64_of(&b["shares"][i]);
            assert!(
                (got - share).abs() <= f64::EPSILON * share,
                "{q} in {b}: {share}"
            );
        }
    }
    assert_eq!(v["articles"], sum);
}

#[test]
fn the_bundled_archive_read_as_a_researcher_would() {
    let t = bundled();
    // Shares: over every decade, and within a folder and a range.
    check_shares(&t, &["war", "slavery", "--by", "decade"], &[]);
    let sotu = repo_corpus().join("sotu");
    let sotu = sotu.to_str().unwrap();
    check_shares(
        &t,
        &[
            "\"standing army\"",
            "--by",
            "decade",
            "--from",
            "1820",
            "--to",
            "1899",
        ],
        &["--in", sotu],
    );
    shares_are_drawn_on_one_scale(&t);
    smoothing_averages_neighbours(&t);
    kwic_counts_every_occurrence(&t);
    kwic_pages_and_sorts(&t);
    stats_name_the_largest_folders(&t);
}

/// `stats`: the largest folders with the articles this test counts in them; the decades sum to
/// the articles.
fn stats_name_the_largest_folders(t: &TestDir) {
    let s = t.stats();
    let corpus = repo_corpus();
    let files = articles_under(&corpus);
    let count = |f: &Path| files.iter().filter(|(p, _)| p.parent() == Some(f)).count() as u64;
    let folders = s["folders"].as_array().unwrap();
    let got: Vec<(String, u64)> = folders
        .iter()
        .map(|g| {
            (
                g["name"].as_str().unwrap().to_string(),
                g["articles"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut want: Vec<(String, u64)> = ["sotu", "federalist", "inaugural", ""]
        .iter()
        .map(|f| {
            let dir = if f.is_empty() {
                corpus.clone()
            } else {
                corpus.join(f)
            };
            (dir.to_str().unwrap().to_string(), count(&dir))
        })
        .collect();
    want.sort_by_key(|w| std::cmp::Reverse(w.1));
    assert_eq!(got, want);
    assert_eq!(s["folder_count"], 4);
    let decades: u64 = s["per_decade"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["articles"].as_u64().unwrap())
        .sum();
    assert_eq!(decades, s["articles"].as_u64().unwrap());
    let text = ok(t, &["stats"]).stdout;
    // The header, six lines of decades, four folders, five authors and four sources.
    assert!(text.lines().count() < 30, "a short summary:\n{text}");
    assert!(text.contains("largest folders (4)"), "{text}");
}

/// `--share` draws the shares as percentages, the largest bar the widest; the legend gives
/// each query's total share.
fn shares_are_drawn_on_one_scale(t: &TestDir) {
    let out = ok(t, &["timeline", "war", "--share", "--by", "decade"]);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(
        lines[0].starts_with("share of articles per decade"),
        "{}",
        out.stdout
    );
    let v = ok(t, &["timeline", "war", "--by", "decade", "--json"]).json();
    let (n, all) = (
        v["totals"][0].as_u64().unwrap(),
        v["articles"].as_u64().unwrap(),
    );
    let total = format!("{:.1}%", n as f64 * 100.0 / all as f64);
    assert!(
        lines[1].contains(&format!("war ({n}, {total})")),
        "{}",
        lines[1]
    );
    // A bucket where every article says war has the full bar and 100%.
    let full = v["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["shares"][0] == 1.0)
        .expect("a decade where every article says war");
    let label = full["label"].as_str().unwrap();
    let row = lines
        .iter()
        .find(|l| l.starts_with(label))
        .expect("the decade's row");
    assert!(row.trim_end().ends_with("100%"), "{row}");
    let widest = lines[2..]
        .iter()
        .map(|l| l.matches('#').count())
        .max()
        .unwrap();
    assert_eq!(row.matches('#').count(), widest, "{}", out.stdout);
}

/// `--smooth 1`: each bucket's smoothed share is the mean of its own and its neighbours'.
fn smoothing_averages_neighbours(t: &TestDir) {
    let v = ok(
        t,
        &[
            "timeline", "slavery", "--share", "--smooth", "1", "--by", "decade", "--json",
        ],
    )
    .json();
    let b = v["buckets"].as_array().unwrap();
    let share = |i: usize| f64_of(&b[i]["shares"][0]);
    for i in 0..b.len() {
        let window: Vec<f64> = (i.saturating_sub(1)..(i + 2).min(b.len()))
            .map(share)
            .collect();
        let mean = window.iter().sum::<f64>() / window.len() as f64;
        assert!(
            (f64_of(&b[i]["smoothed"][0]) - mean).abs() < 1e-12,
            "{}",
            b[i]
        );
    }
}

/// The total of `kwic` equals the occurrences this test counts in the corpus files: a word's
/// forms (stemming: `convoys` finds convoy, convoys, convoyed), a phrase (one line each,
/// `standing army` and `standing armies`), within a folder.
fn kwic_counts_every_occurrence(t: &TestDir) {
    let corpus = repo_corpus();
    let all = articles_under(&corpus);
    let cases: [(&str, Forms, Option<PathBuf>); 4] = [
        ("convoys", &[&["convoy", "convoys", "convoyed"]], None),
        ("militia", &[&["militia", "militias"]], None),
        (
            "\"standing army\"",
            &[&["standing"], &["army", "armies"]],
            None,
        ),
        (
            "militia",
            &[&["militia", "militias"]],
            Some(corpus.join("federalist")),
        ),
    ];
    for (query, forms, folder) in cases {
        let expected: u64 = all
            .iter()
            .filter(|(p, _)| folder.as_ref().is_none_or(|f| p.starts_with(f)))
            .map(|(_, paras)| count_sequence(paras, forms))
            .sum();
        assert!(expected > 0, "{query}");
        let mut args = vec!["kwic", query, "-n", "100000", "--json"];
        let f = folder.as_ref().map(|f| f.to_str().unwrap().to_string());
        if let Some(f) = &f {
            args.extend(["--in", f.as_str()]);
        }
        let v = ok(t, &args).json();
        assert_eq!(v["total"], expected, "{query} in {folder:?}");
        let lines = v["lines"].as_array().unwrap();
        assert_eq!(lines.len() as u64, expected, "{query}");
        for l in lines {
            let m = words_of(l["match"].as_str().unwrap());
            assert_eq!(m.len(), forms.len(), "{l}");
            for (w, f) in m.iter().zip(forms) {
                assert!(f.contains(&w.as_str()), "{l}");
            }
            let left = words_of(l["left"].as_str().unwrap());
            assert!(left.len() <= 8, "{l}");
        }
    }
}

/// Pages follow one another; `--sort left` orders by the word before; the text output ends
/// with the total and aligns the matches in one column; --width sets the context.
fn kwic_pages_and_sorts(t: &TestDir) {
    let all = ok(t, &["kwic", "militia", "-n", "1000", "--json"]).json();
    let lines = all["lines"].as_array().unwrap();
    let page = ok(
        t,
        &["kwic", "militia", "-n", "7", "--offset", "5", "--json"],
    )
    .json();
    assert_eq!(page["lines"].as_array().unwrap()[..], lines[5..12]);
    let dates: Vec<&str> = lines.iter().map(|l| l["date"].as_str().unwrap()).collect();
    assert!(dates.is_sorted(), "date order by default");
    let left = ok(
        t,
        &["kwic", "militia", "--sort", "left", "-n", "1000", "--json"],
    )
    .json();
    let keys: Vec<String> = left["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            words_of(l["left"].as_str().unwrap())
                .pop()
                .unwrap_or_default()
        })
        .collect();
    assert!(keys.is_sorted(), "{keys:?}");
    assert_eq!(keys.len(), lines.len());
    let narrow = ok(
        t,
        &["kwic", "militia", "--width", "2", "-n", "1000", "--json"],
    )
    .json();
    for l in narrow["lines"].as_array().unwrap() {
        assert!(words_of(l["left"].as_str().unwrap()).len() <= 2, "{l}");
        assert!(words_of(l["right"].as_str().unwrap()).len() <= 2, "{l}");
    }
    let text = ok(t, &["kwic", "militia", "-n", "5"]);
    let out: Vec<&str> = text.stdout.lines().collect();
    assert_eq!(out.len(), 6, "{}", text.stdout);
    assert!(
        out[5].starts_with(&format!("{} occurrences in ", all["total"])),
        "{}",
        out[5]
    );
    let starts: Vec<usize> = out[..5]
        .iter()
        .map(|l| l[..l.find("[[").unwrap()].chars().count())
        .collect();
    assert!(starts.windows(2).all(|w| w[0] == w[1]), "{}", text.stdout);
    t.run(["kwic", "zzxqj"]).assert_code(1);
    let empty = t.run(["kwic", " "]);
    empty.assert_code(2);
    assert!(
        empty.stderr.contains("the query is empty"),
        "{}",
        empty.stderr
    );
}

/// CSV rows parsed with the csv crate: the header, then records.
fn csv_rows(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

#[test]
fn timeline_and_kwic_csv_parse_and_agree_with_json() {
    let t = TestDir::new();
    t.write(
        "corpus/a.txt",
        " date 2001-02-03 Aid convoys, \"quoted\", reached the city.\n\nA second convoy, later.\n",
    );
    t.write(
        "corpus/b.txt",
        " date 2003-04-05 Nothing of the kind here.\n",
    );
    t.write("corpus/c.txt", " date 2003-06-07 One convoy only.\n");
    t.index_corpus();
    let v = ok(&t, &["timeline", "convoy", "--by", "year", "--json"]).json();
    let csv = ok(&t, &["timeline", "convoy", "--by", "year", "--csv"]);
    let (header, rows) = csv_rows(&csv.stdout);
    assert_eq!(
        header,
        [
            "bucket",
            "start",
            "end",
            "articles",
            "convoy count",
            "convoy share"
        ]
    );
    let buckets = v["buckets"].as_array().unwrap();
    assert_eq!(rows.len(), buckets.len());
    for (row, b) in rows.iter().zip(buckets) {
        assert_eq!(row[0], b["label"].as_str().unwrap());
        assert_eq!(
            row[3].parse::<u64>().unwrap(),
            b["articles"].as_u64().unwrap()
        );
        assert_eq!(
            row[4].parse::<u64>().unwrap(),
            b["counts"][0].as_u64().unwrap()
        );
        let share = row[5].parse::<f64>().unwrap();
        assert!((share - f64_of(&b["shares"][0])).abs() <= f64::EPSILON * share);
    }
    assert_eq!(rows[2][5], "0.5", "2003: one of two articles");

    let k = ok(&t, &["kwic", "convoy", "--json"]).json();
    let csv = ok(&t, &["kwic", "convoy", "--csv"]);
    let (header, rows) = csv_rows(&csv.stdout);
    assert_eq!(
        header,
        ["date", "path", "paragraph", "left", "match", "right"]
    );
    assert_eq!(k["total"], 3);
    let lines = k["lines"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    for (row, l) in rows.iter().zip(lines) {
        for (i, key) in ["date", "path", "paragraph", "left", "match", "right"]
            .iter()
            .enumerate()
        {
            let want = match &l[key] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            assert_eq!(row[i], want, "{key}");
        }
    }
    // The quotes and commas of the right context survive the quoting.
    assert_eq!(rows[0][5], ", \"quoted\", reached the city");
    assert_eq!(rows[0][4], "convoys");
    assert_eq!(rows[1][2], "2");
    // search --csv: the hits of search --json, a row each.
    let hits = t.search_json("convoy", &[]);
    let (header, hit_rows) = csv_rows(&ok(&t, &["search", "convoy", "--csv"]).stdout);
    assert_eq!(
        header,
        [
            "rank",
            "date",
            "path",
            "title",
            "authors",
            "source",
            "score",
            "paragraph",
            "snippet"
        ]
    );
    let hits = hits["hits"].as_array().unwrap();
    assert_eq!(hit_rows.len(), hits.len());
    let text = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
    for (i, (row, h)) in hit_rows.iter().zip(hits).enumerate() {
        assert_eq!(row[0], (i + 1).to_string());
        assert_eq!(row[1], h["date"].as_str().unwrap());
        assert_eq!(row[2], h["path"].as_str().unwrap());
        assert_eq!(row[3], text(&h["title"]));
        let authors: Vec<String> = h["authors"]
            .as_array()
            .map_or(Vec::new(), |a| a.iter().map(text).collect());
        assert_eq!(row[4], authors.join("; "));
        assert_eq!(row[5], text(&h["source"]));
        assert!((row[6].parse::<f64>().unwrap() - f64_of(&h["score"])).abs() < 1e-6);
        assert_eq!(row[7], h["paragraph"].to_string());
        assert_eq!(row[8], h["snippet"].as_str().unwrap());
    }
}

/// A generated corpus (the benchmarks' generator, built-in words, dates 1950-2025) with a word
/// planted three times in each article of the 1980s.
fn planted_corpus() -> TestDir {
    let t = TestDir::new();
    let g = crate::generator::gencorpus::Generator {
        seed: 11,
        source: None,
    };
    let mut planted = 0;
    for i in 0..600 {
        let mut text = g.article(i);
        if text[6..9] == *"198" {
            text.push_str("\n\nThe Quuxwort said quuxwort, quuxwort, and quuxworts.\n");
            planted += 1;
        }
        t.write(&format!("corpus/g{i:04}.txt"), text);
    }
    assert!(planted > 20, "{planted} articles of the 1980s");
    t.index_corpus();
    t
}

fn keyword_list(v: &Value) -> Vec<(String, u64, u64, f64, f64)> {
    v["keywords"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["word"].as_str().unwrap().to_string(),
                k["selection"].as_u64().unwrap(),
                k["reference"].as_u64().unwrap(),
                f64_of(&k["g2"]),
                f64_of(&k["log_ratio"]),
            )
        })
        .collect()
}

#[test]
fn keywords_find_a_word_planted_in_one_decade_and_swapping_flips_the_sign() {
    let t = planted_corpus();
    let v = ok(
        &t,
        &["keywords", "--from", "1980", "--to", "1989", "--json"],
    )
    .json();
    let list = keyword_list(&v);
    // Shown as written most often (`quuxwort` twice a paragraph, `Quuxwort` and `quuxworts`
    // once), its three spellings counted as one stem, never in the reference.
    let first = &list[0];
    assert_eq!(first.0, "quuxwort", "{v}");
    let n = v["selection_articles"].as_u64().unwrap();
    assert_eq!(first.1, 4 * n, "{v}");
    assert_eq!(first.2, 0, "{v}");
    // Its G² and Log Ratio as defined, from the word counts the answer gives.
    let (c, d) = (
        v["selection_words"].as_u64().unwrap() as f64,
        v["reference_words"].as_u64().unwrap() as f64,
    );
    let a = first.1 as f64;
    let e1 = c * a / (c + d);
    assert!(
        (first.3 - 2.0 * a * (a / e1).ln()).abs() < 1e-6 * first.3,
        "{v}"
    );
    assert!((first.4 - ((a / c) / (0.5 / d)).log2()).abs() < 1e-9, "{v}");
    assert_eq!(
        v["selection_articles"].as_u64().unwrap() + v["reference_articles"].as_u64().unwrap(),
        600
    );
    // The reference given explicitly as the other decades: swapped, the signs flip.
    let sel = ["--from", "1980", "--to", "1989"];
    let refs = ["--vs-from", "1990", "--vs-to", "2025"];
    let mut args = vec!["keywords", "--json", "-n", "15"];
    args.extend(sel);
    args.extend(refs);
    let ab = keyword_list(&ok(&t, &args).json());
    let swapped = [
        "keywords",
        "--json",
        "-n",
        "15",
        "--negative",
        "--from",
        "1990",
        "--to",
        "2025",
        "--vs-from",
        "1980",
        "--vs-to",
        "1989",
    ];
    let ba = keyword_list(&ok(&t, &swapped).json());
    assert_eq!(ab.len(), ba.len());
    for (x, y) in ab.iter().zip(&ba) {
        assert_eq!(
            (&x.0, x.1, x.2),
            (&y.0, y.2, y.1),
            "the same word, sides swapped"
        );
        assert!((x.3 + y.3).abs() < 1e-9 * x.3.abs(), "{x:?} {y:?}");
        assert!((x.4 + y.4).abs() < 1e-9, "{x:?} {y:?}");
        assert!(x.3 > 0.0 && y.3 < 0.0);
    }
    // CSV: the same list.
    let mut csv_args = args.clone();
    csv_args.retain(|a| *a != "--json");
    csv_args.push("--csv");
    let (header, rows) = csv_rows(&ok(&t, &csv_args).stdout);
    assert_eq!(
        header,
        ["word", "selection", "reference", "g2", "log_ratio"]
    );
    assert_eq!(rows.len(), ab.len());
    for (row, x) in rows.iter().zip(&ab) {
        assert_eq!(row[0], x.0);
        assert_eq!(row[1].parse::<u64>().unwrap(), x.1);
        assert!((row[3].parse::<f64>().unwrap() - x.3).abs() <= 1e-9 * x.3);
    }
    // Nothing selected, or a reference folder holding nothing: errors naming the flags.
    let none = t.run(["keywords"]);
    none.assert_code(2);
    assert!(none.stderr.contains("nothing selected"), "{}", none.stderr);
    let nowhere = t.run(["keywords", "--from", "1980", "--vs-in", "nowhere"]);
    nowhere.assert_code(2);
    assert!(
        nowhere.stderr.contains("--vs-in nowhere"),
        "{}",
        nowhere.stderr
    );
    let bad = t.run(["keywords", "--from", "1980", "--vs-to", "19x"]);
    bad.assert_code(2);
    assert!(bad.stderr.contains("--vs-to"), "{}", bad.stderr);
}

/// The articles of the collocates test: (date, paragraphs). Every word is its own stem, but
/// `convoys`, a form of the node.
const NEAR: &[(&str, &[&str])] = &[
    (
        "1985-01-01",
        &[
            "red convoy blue green aid. The convoy red",
            "zebra blue zebra",
        ],
    ),
    (
        "1996-05-05",
        &["green green convoys aid", "nothing here aid"],
    ),
    ("1997-01-01", &["aid red blue"]),
];

/// Words within `window` of each occurrence of the node's forms, within a paragraph, counted
/// by this test: (co-occurrences per word, the node's occurrences).
fn near(articles: &[(&str, &[&str])], window: usize) -> (BTreeMap<String, u64>, u64) {
    let mut counts = BTreeMap::new();
    let mut node = 0;
    for (_, paragraphs) in articles {
        for p in *paragraphs {
            let w = words_of(p);
            for i in 0..w.len() {
                if w[i] != "convoy" && w[i] != "convoys" {
                    continue;
                }
                node += 1;
                let around =
                    (i.saturating_sub(window)..i).chain(i + 1..(i + 1 + window).min(w.len()));
                for k in around {
                    *counts.entry(w[k].clone()).or_default() += 1;
                }
            }
        }
    }
    (counts, node)
}

#[test]
fn collocates_count_the_words_around_each_occurrence_within_its_paragraph() {
    let t = TestDir::new();
    for (i, (date, paragraphs)) in NEAR.iter().enumerate() {
        t.write(
            &format!("corpus/n{i}.txt"),
            format!(" date {date} {}\n", paragraphs.join("\n\n")),
        );
    }
    t.index_corpus();
    let all_words: Vec<String> = NEAR
        .iter()
        .flat_map(|(_, ps)| ps.iter().flat_map(|p| words_of(p)))
        .collect();
    let frequency = |w: &str| all_words.iter().filter(|x| *x == w).count() as u64;
    // Over the whole range.
    let v = ok(
        &t,
        &[
            "collocates",
            "convoy",
            "--window",
            "2",
            "--min",
            "1",
            "--json",
        ],
    )
    .json();
    let (expected, node) = near(NEAR, 2);
    let periods = v["periods"].as_array().unwrap();
    assert_eq!(periods.len(), 1);
    let p = &periods[0];
    assert_eq!(p["node"], node);
    assert_eq!(p["words"], all_words.len() as u64, "{v}");
    let got: BTreeMap<String, u64> = p["collocates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["word"].as_str().unwrap().to_lowercase(),
                c["cooccurrences"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, expected, "zebra is in the next paragraph, never near");
    for c in p["collocates"].as_array().unwrap() {
        let word = c["word"].as_str().unwrap().to_lowercase();
        let (fxy, fy) = (c["cooccurrences"].as_u64().unwrap(), frequency(&word));
        assert_eq!(c["frequency"], fy, "{c}");
        let dice = 14.0 + (2.0 * fxy as f64 / (node + fy) as f64).log2();
        assert!((f64_of(&c["score"]) - dice).abs() < 1e-12, "{c}");
    }
    // --min drops the rarer; the order is by score.
    let v = ok(&t, &["collocates", "convoy", "--window", "2", "--json"]).json();
    let scores: Vec<f64> = v["periods"][0]["collocates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| f64_of(&c["score"]))
        .collect();
    assert!(scores.is_sorted_by(|a, b| a >= b), "{scores:?}");
    assert!(
        v["periods"][0]["collocates"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["cooccurrences"].as_u64().unwrap() >= 3)
    );
    // By decade: each decade's own counts.
    let v = ok(
        &t,
        &[
            "collocates",
            "convoy",
            "--window",
            "2",
            "--min",
            "1",
            "--by",
            "decade",
            "--json",
        ],
    )
    .json();
    let periods = v["periods"].as_array().unwrap();
    let labels: Vec<&str> = periods
        .iter()
        .map(|p| p["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["1980s", "1990s"]);
    for (p, decade) in periods.iter().zip([&NEAR[..1], &NEAR[1..]]) {
        let (expected, node) = near(decade, 2);
        assert_eq!(p["node"], node);
        let got: BTreeMap<String, u64> = p["collocates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["word"].as_str().unwrap().to_lowercase(),
                    c["cooccurrences"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(got, expected, "{}", p["label"]);
    }
    // The text has a column per decade; CSV a row per collocate of each.
    let text = ok(
        &t,
        &[
            "collocates",
            "convoy",
            "--window",
            "2",
            "--min",
            "1",
            "--by",
            "decade",
        ],
    );
    let head = text.stdout.lines().nth(1).unwrap();
    assert!(
        head.contains("1980s (2)") && head.contains("1990s (1)"),
        "{}",
        text.stdout
    );
    let csv = ok(
        &t,
        &[
            "collocates",
            "convoy",
            "--window",
            "2",
            "--min",
            "1",
            "--by",
            "decade",
            "--csv",
        ],
    );
    let (header, rows) = csv_rows(&csv.stdout);
    assert_eq!(
        header,
        [
            "period",
            "rank",
            "word",
            "cooccurrences",
            "frequency",
            "score"
        ]
    );
    let n: usize = periods
        .iter()
        .map(|p| p["collocates"].as_array().unwrap().len())
        .sum();
    assert_eq!(rows.len(), n);
    assert!(
        rows.iter()
            .any(|r| r[0] == "1990s" && r[2] == "green" && r[3] == "2")
    );
    t.run(["collocates", "zzxqj"]).assert_code(1);
}

/// The page of a concordance is found among the oldest matching articles, but an article can
/// match by its title alone and hold no occurrence: the page then reaches past it, the text
/// output prints its lines before the total, and the total counts the text only.
#[test]
fn kwic_pages_past_articles_that_match_by_their_title_alone() {
    let t = TestDir::new();
    let mut records = String::new();
    // The three oldest hold "convoy" in the title only; then three with it in the text.
    for (i, year) in [1990, 1991, 1992].iter().enumerate() {
        records.push_str(&format!(
            "{{\"id\": \"t{i}\", \"date\": \"{year}-01-01\", \"title\": \"Convoy {i}\", \"text\": \"Nothing of the kind.\"}}\n"
        ));
    }
    for (i, year) in [2000, 2001, 2002].iter().enumerate() {
        records.push_str(&format!(
            "{{\"id\": \"b{i}\", \"date\": \"{year}-01-01\", \"text\": \"A convoy left in {year}. The convoys came back.\"}}\n"
        ));
    }
    t.write("corpus/articles.jsonl", records);
    t.index_corpus();
    let hits = ok(&t, &["search", "convoy", "--json"]).json();
    assert_eq!(hits["total"], 6, "the titles match too: {hits}");
    let all = ok(&t, &["kwic", "convoy", "--json"]).json();
    assert_eq!(all["total"], 6, "two in each text, none in the titles");
    assert_eq!(all["articles"], 3);
    let dates = |v: &serde_json::Value| -> Vec<String> {
        v["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["date"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        dates(&all),
        [
            "2000-01-01",
            "2000-01-01",
            "2001-01-01",
            "2001-01-01",
            "2002-01-01",
            "2002-01-01"
        ]
    );
    for (offset, n) in [(0, 1), (1, 2), (3, 3), (5, 4)] {
        let page = ok(
            &t,
            &[
                "kwic",
                "convoy",
                "-n",
                &n.to_string(),
                "--offset",
                &offset.to_string(),
                "--json",
            ],
        )
        .json();
        let want = &all["lines"].as_array().unwrap()[offset..(offset + n).min(6)];
        assert_eq!(
            page["lines"].as_array().unwrap()[..],
            want[..],
            "offset {offset}, -n {n}"
        );
        assert_eq!(page["total"], 6);
    }
    let text = ok(&t, &["kwic", "convoy", "-n", "2"]);
    let out: Vec<&str> = text.stdout.lines().collect();
    assert_eq!(out.len(), 3, "{}", text.stdout);
    assert!(out[0].starts_with("2000-01-01"), "{}", text.stdout);
    assert!(
        out[2].starts_with("6 occurrences in 3 articles, showing 1-2"),
        "{}",
        text.stdout
    );
}
