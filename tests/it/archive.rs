//! End-to-end tests of the archive features: several snippets per hit (`--snippets N`), a quoted
//! phrase highlighted as one span, did-you-mean suggestions, `--in FOLDER` (search, timeline and
//! similar), `dateline timeline` (counts per calendar bucket, JSON and the text chart) and
//! `dateline similar` (the articles most like a given one). Each test writes its own small corpus
//! into a temporary folder (see `common::TestDir`) and runs the real binary.
//!
//! The timeline's key property is checked against search itself: for every bucket and query,
//! `dateline search QUERY --from START --to END` must report the bucket's count. The corpora are
//! also described in the tests as data, so the expected counts are worked out independently of
//! the binary.

use crate::common::{Output, TestDir, keys, paths_of, set};
use chrono::{Datelike, NaiveDate};
use serde_json::Value;
use std::collections::BTreeSet;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// An article in the dated format: the date line with the first paragraph, then the others,
/// separated by one blank line.
fn article(date: &str, paragraphs: &[&str]) -> String {
    format!(" date {date} {}\n", paragraphs.join("\n\n"))
}

fn str_of(v: &Value) -> &str {
    v.as_str()
        .unwrap_or_else(|| panic!("not a JSON string: {v}"))
}

fn u64_of(v: &Value) -> u64 {
    v.as_u64()
        .unwrap_or_else(|| panic!("not a JSON count: {v}"))
}

fn array_of(v: &Value) -> &Vec<Value> {
    v.as_array()
        .unwrap_or_else(|| panic!("not a JSON array: {v}"))
}

fn strings_of(v: &Value) -> Vec<String> {
    array_of(v).iter().map(|s| str_of(s).to_string()).collect()
}

/// Runs `dateline ARGS…` and returns the output, which must not be an error (exit 2).
fn run_ok(t: &TestDir, args: &[&str]) -> Output {
    let out = t.run(args);
    assert_ne!(
        out.code, 2,
        "{} failed:\nstdout:\n{}\nstderr:\n{}",
        out.cmdline, out.stdout, out.stderr
    );
    out
}

/// The paragraphs of a stored article, per `dateline show PATH --json`.
fn stored_paragraphs(t: &TestDir, path: &str) -> Vec<String> {
    let out = t.run(["show", path, "--json"]);
    out.assert_code(0);
    strings_of(&out.json()["paragraphs"])
}

/// The lower-cased words (runs of letters and digits) of a text.
fn words_of(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The texts a highlight list marks in `text`, checking that the ranges are in order, do not
/// overlap and fall on character boundaries.
fn marked<'a>(text: &'a str, highlights: &Value) -> Vec<&'a str> {
    let mut at = 0;
    let mut out = Vec::new();
    for range in array_of(highlights) {
        let r = array_of(range);
        assert_eq!(r.len(), 2, "{range}");
        let (s, e) = (u64_of(&r[0]) as usize, u64_of(&r[1]) as usize);
        assert!(
            at <= s && s < e && e <= text.len(),
            "{range} out of order or out of {text:?}"
        );
        out.push(
            text.get(s..e)
                .unwrap_or_else(|| panic!("{range} splits a character of {text:?}")),
        );
        at = e;
    }
    out
}

/// `text` with `[[`/`]]` around each highlighted range, as the plain output prints it.
fn with_markers(text: &str, highlights: &Value) -> String {
    let mut out = String::new();
    let mut at = 0;
    for range in array_of(highlights) {
        let (s, e) = (u64_of(&range[0]) as usize, u64_of(&range[1]) as usize);
        out.push_str(&text[at..s]);
        out.push_str("[[");
        out.push_str(&text[s..e]);
        out.push_str("]]");
        at = e;
    }
    out.push_str(&text[at..]);
    out
}

/// A snippet's text without the `…` marking where it was cut.
fn core(snippet: &str) -> &str {
    snippet.trim_start_matches('…').trim_end_matches('…')
}

fn date(s: &str) -> NaiveDate {
    let parts: Vec<i32> = s
        .split('-')
        .map(|p| p.parse().unwrap_or_else(|_| panic!("not a date: {s:?}")))
        .collect();
    assert_eq!(parts.len(), 3, "not a YYYY-MM-DD date: {s:?}");
    NaiveDate::from_ymd_opt(parts[0], parts[1] as u32, parts[2] as u32)
        .unwrap_or_else(|| panic!("impossible date {s:?}"))
}

fn ymd(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// The first and last day of the calendar bucket (of size `by`) holding `d`, and its label.
fn bucket_of(by: &str, d: NaiveDate) -> (NaiveDate, NaiveDate, String) {
    let day = |y: i32, m: u32, dd: u32| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
    match by {
        "day" => (d, d, ymd(d)),
        "month" => {
            let first = day(d.year(), d.month(), 1);
            let next = if d.month() == 12 {
                day(d.year() + 1, 1, 1)
            } else {
                day(d.year(), d.month() + 1, 1)
            };
            (
                first,
                next.pred_opt().unwrap(),
                format!("{:04}-{:02}", d.year(), d.month()),
            )
        }
        "year" => (
            day(d.year(), 1, 1),
            day(d.year(), 12, 31),
            format!("{:04}", d.year()),
        ),
        "decade" => {
            let y = d.year() - d.year().rem_euclid(10);
            (day(y, 1, 1), day(y + 9, 12, 31), format!("{y}s"))
        }
        other => panic!("unknown bucket size {other:?}"),
    }
}

/// The keys of a `timeline --json` answer, as documented.
const TIMELINE_KEYS: [&str; 10] = [
    "by", "queries", "from", "to", "buckets", "totals", "articles", "share", "smooth", "took_ms",
];

/// Checks every structural promise of a `timeline --json` answer: its keys (the documented ones
/// present; [`timeline_json_has_the_documented_shape`] pins the exact set), that the buckets
/// are the calendar buckets of `by` clipped to `from`..`to`, contiguous and covering the range
/// exactly, each labelled after its calendar bucket, with one count per query, and that the
/// totals are the sums of the counts.
fn check_timeline(v: &Value) {
    assert!(keys(v).is_superset(&set(&TIMELINE_KEYS)), "{v}");
    let by = str_of(&v["by"]);
    assert!(
        ["day", "month", "year", "decade"].contains(&by),
        "by = {by:?}"
    );
    let queries = strings_of(&v["queries"]);
    assert!(!queries.is_empty());
    let (from, to) = (date(str_of(&v["from"])), date(str_of(&v["to"])));
    assert!(from <= to, "{v}");
    let buckets = array_of(&v["buckets"]);
    assert!(!buckets.is_empty(), "{v}");
    let mut sums = vec![0u64; queries.len()];
    let mut next = from;
    for b in buckets {
        assert_eq!(
            keys(b),
            set(&["label", "start", "end", "counts", "articles", "shares"]),
            "{b}"
        );
        let (start, end) = (date(str_of(&b["start"])), date(str_of(&b["end"])));
        assert_eq!(start, next, "buckets must follow one another: {b}");
        let (first, last, label) = bucket_of(by, start);
        assert_eq!(start, first.max(from), "start of {b}");
        assert_eq!(end, last.min(to), "end of {b}");
        assert_eq!(str_of(&b["label"]), label, "{b}");
        let counts = array_of(&b["counts"]);
        assert_eq!(counts.len(), queries.len(), "one count per query: {b}");
        for (sum, c) in sums.iter_mut().zip(counts) {
            *sum += u64_of(c);
        }
        next = end.succ_opt().unwrap();
    }
    assert_eq!(next.pred_opt().unwrap(), to, "the last bucket ends on `to`");
    let totals: Vec<u64> = array_of(&v["totals"]).iter().map(u64_of).collect();
    assert_eq!(totals, sums, "totals are the sums of the counts");
}

/// Runs `dateline timeline ARGS… --json`, checks the answer's structure and that the exit code
/// is 0 when a count is above zero, else 1, and returns it.
fn timeline_json(t: &TestDir, args: &[&str]) -> Value {
    let mut all = vec!["timeline"];
    all.extend_from_slice(args);
    all.push("--json");
    let out = run_ok(t, &all);
    let v = out.json();
    check_timeline(&v);
    let any = array_of(&v["totals"]).iter().any(|n| u64_of(n) > 0);
    out.assert_code(if any { 0 } else { 1 });
    v
}

/// The (label, start, end) of every bucket.
fn bucket_bounds(v: &Value) -> Vec<(String, String, String)> {
    array_of(&v["buckets"])
        .iter()
        .map(|b| {
            (
                str_of(&b["label"]).to_string(),
                str_of(&b["start"]).to_string(),
                str_of(&b["end"]).to_string(),
            )
        })
        .collect()
}

/// The counts of every bucket, query by query.
fn bucket_counts(v: &Value) -> Vec<Vec<u64>> {
    array_of(&v["buckets"])
        .iter()
        .map(|b| array_of(&b["counts"]).iter().map(u64_of).collect())
        .collect()
}

/// The key property: every bucket's count of every query is what `dateline search QUERY --from
/// START --to END EXTRA…` reports as its total.
fn assert_counts_are_search_totals(t: &TestDir, v: &Value, extra: &[&str]) {
    let queries = strings_of(&v["queries"]);
    for b in array_of(&v["buckets"]) {
        let (start, end) = (str_of(&b["start"]), str_of(&b["end"]));
        for (i, q) in queries.iter().enumerate() {
            assert_eq!(
                u64_of(&b["counts"][i]),
                t.search_total(q, start, end, extra),
                "bucket {} ({start}..{end}), query {q:?} {extra:?}",
                b["label"]
            );
        }
    }
}

/// One paragraph per topic of the timeline corpora.
const CONVOY: &str = "Convoys of lorries crossed the river at night.";
const STRIKE: &str = "Dock workers went on strike over pay.";
const HARVEST: &str = "Farmers brought in the harvest early.";
const FILLER: &str = "The town council met on Tuesday.";

/// A dated article of the timeline corpora: its date and its topics.
type Dated = (&'static str, &'static [&'static str]);

/// Writes one article per entry: the filler paragraph, then one paragraph per topic.
fn write_dated(t: &TestDir, articles: &[Dated]) {
    for (i, (d, topics)) in articles.iter().enumerate() {
        let mut paragraphs = vec![FILLER];
        for topic in *topics {
            paragraphs.push(match *topic {
                "convoy" => CONVOY,
                "strike" => STRIKE,
                "harvest" => HARVEST,
                other => panic!("unknown topic {other}"),
            });
        }
        t.write(
            &format!("corpus/{d}-{i}.txt"),
            article(d, paragraphs.as_slice()),
        );
    }
}

/// How many of `articles` dated `start..=end` satisfy `matches` (on their topics).
fn expected_count(
    articles: &[Dated],
    start: &str,
    end: &str,
    matches: impl Fn(&[&str]) -> bool,
) -> u64 {
    articles
        .iter()
        .filter(|(d, topics)| *d >= start && *d <= end && matches(topics))
        .count() as u64
}

/// The corpus of the year-bucket test: articles just outside the range on both sides, on its
/// first and last days, and a year (2003) without any article.
const YEARS: &[Dated] = &[
    ("2001-06-14", &["convoy", "strike"]),
    ("2001-06-15", &["convoy"]),
    ("2001-11-30", &["strike", "harvest"]),
    ("2002-02-02", &["convoy", "strike"]),
    ("2002-07-07", &["harvest"]),
    ("2002-12-31", &["convoy"]),
    ("2004-01-01", &["convoy", "harvest"]),
    ("2004-05-05", &["strike"]),
    ("2004-09-09", &["convoy", "strike", "harvest"]),
    ("2005-03-10", &["harvest"]),
    ("2005-03-11", &["convoy"]),
    ("2006-01-01", &["strike"]),
];

/// The corpus of the month- and day-bucket tests (2016 is a leap year; April has no article).
const MONTHS: &[Dated] = &[
    ("2016-01-19", &["convoy"]),
    ("2016-01-20", &["convoy", "strike"]),
    ("2016-01-31", &["strike"]),
    ("2016-02-29", &["convoy"]),
    ("2016-03-01", &["harvest"]),
    ("2016-05-15", &["convoy", "harvest"]),
    ("2016-06-10", &["strike"]),
    ("2016-06-11", &["convoy", "strike"]),
];

/// The corpus of the decade-bucket test: no article in the 1870s.
const DECADES: &[Dated] = &[
    ("1848-05-01", &["convoy"]),
    ("1851-01-01", &["convoy", "strike"]),
    ("1859-12-31", &["strike"]),
    ("1863-04-04", &["convoy"]),
    ("1880-01-01", &["convoy"]),
];

fn indexed_dated(articles: &[Dated]) -> TestDir {
    let t = TestDir::new();
    write_dated(&t, articles);
    assert_eq!(t.index_corpus().total, articles.len() as u64);
    t
}

fn has(topics: &[&str], topic: &str) -> bool {
    topics.contains(&topic)
}

/// Writes a nested corpus in which every article mentions a lantern festival on a volcano's
/// slopes (and a place of its own): two under `corpus/a`, one deeper, and decoys whose paths
/// share a prefix or a folder name with it; and, in `corpus/other`, articles sharing no word with
/// them, so that their common words are not in every article. Returns the test folder, indexed.
fn nested_corpus() -> TestDir {
    let t = TestDir::new();
    for (path, d, place) in NESTED {
        t.write(
            path,
            article(
                d,
                &[&format!(
                    "The lantern festival lit the volcano slopes above {place}."
                )],
            ),
        );
    }
    for (i, text) in UNRELATED.iter().enumerate() {
        t.write(
            &format!("corpus/other/{i}.txt"),
            article(&format!("2002-0{}-15", i + 1), &[text]),
        );
    }
    assert_eq!(
        t.index_corpus().total,
        (NESTED.len() + UNRELATED.len()) as u64
    );
    t
}

/// Articles of the nested corpus that share no word with the lantern articles.
const UNRELATED: [&str; 8] = [
    "Quarterly grain prices rose sharply.",
    "Parliament debated fishing quotas.",
    "Heavy snow closed mountain passes.",
    "Shipping rates doubled overnight.",
    "Bankers feared higher interest.",
    "Teachers demanded smaller classes.",
    "Engineers inspected every bridge.",
    "Voters rejected new taxes.",
];

/// The nested corpus: path, date, place.
const NESTED: [(&str, &str, &str); 6] = [
    ("corpus/a/x.txt", "2001-02-03", "Arden"),
    ("corpus/a/b/y.txt", "2002-05-06", "Brill"),
    ("corpus/a/b/c/z.txt", "2003-07-08", "Corran"),
    ("corpus/ab/w.txt", "2002-09-10", "Dunmore"),
    ("corpus/top.txt", "2003-11-12", "Eskby"),
    ("corpus/b/a/v.txt", "2001-12-12", "Fallow"),
];

/// The articles of the nested corpus under `corpus/a`.
const UNDER_A: [&str; 3] = ["corpus/a/x.txt", "corpus/a/b/y.txt", "corpus/a/b/c/z.txt"];

// ---------------------------------------------------------------------------------------------
// 1. Several snippets per hit
// ---------------------------------------------------------------------------------------------

/// The snippets corpus: `corpus/s.txt` matches `convoy border checkpoint` in ¶2 (one word), ¶4
/// (all three) and ¶5 (two), so its best paragraphs by weight are 4, 5, 2; `corpus/t.txt`
/// matches in ¶1 (one word) and ¶3 (two), its best being ¶3; `corpus/u.txt` matches nothing.
fn snippets_corpus() -> TestDir {
    let t = TestDir::new();
    t.write(
        "corpus/s.txt",
        article(
            "2005-05-05",
            &[
                "Morning came slowly over the hills.",
                "A convoy left the depot at noon.",
                "Nobody in town expected rain.",
                "The convoy stopped at the border checkpoint for hours.",
                "Guards at the border checkpoint searched every truck.",
                "By evening the road was quiet again.",
            ],
        ),
    );
    t.write(
        "corpus/t.txt",
        article(
            "2005-06-06",
            &[
                "The checkpoint closed early.",
                "Nothing else happened that week.",
                "A convoy waited at the checkpoint overnight.",
            ],
        ),
    );
    t.write(
        "corpus/u.txt",
        article("2005-07-07", &["The market sold apples and pears."]),
    );
    t.index_corpus();
    t
}

const SNIPPET_QUERY: &str = "convoy border checkpoint";

/// Checks the `snippets` of one JSON hit: at most `n`, in ascending paragraph order, each taken
/// from its paragraph and highlighting only query words, and the one of the hit's best paragraph
/// equal to the single `snippet`/`highlights` fields. Returns the paragraph numbers.
fn check_snippets(t: &TestDir, hit: &Value, n: usize) -> Vec<u64> {
    assert!(
        keys(hit).contains("snippets"),
        "a hit without snippets: {hit}"
    );
    let path = str_of(&hit["path"]);
    let paragraphs = stored_paragraphs(t, path);
    let snippets = array_of(&hit["snippets"]);
    assert!(
        !snippets.is_empty() && snippets.len() <= n,
        "{path}: {} snippets for --snippets {n}",
        snippets.len()
    );
    let mut numbers = Vec::new();
    for s in snippets {
        assert_eq!(keys(s), set(&["paragraph", "text", "highlights"]), "{s}");
        let p = u64_of(&s["paragraph"]);
        assert!(
            (1..=paragraphs.len() as u64).contains(&p),
            "{path}: ¶{p} of {}",
            paragraphs.len()
        );
        let text = str_of(&s["text"]);
        assert!(
            paragraphs[p as usize - 1].contains(core(text)),
            "{path}: snippet {text:?} is not from ¶{p}"
        );
        let words = marked(text, &s["highlights"]);
        assert!(
            !words.is_empty(),
            "{path}: ¶{p} is shown but matches nothing"
        );
        for w in words {
            assert!(
                ["convoy", "border", "checkpoint"].contains(&w.to_lowercase().as_str()),
                "{path}: highlighted {w:?}"
            );
        }
        if p == u64_of(&hit["paragraph"]) {
            assert_eq!(s["text"], hit["snippet"], "{path}: ¶{p}");
            assert_eq!(s["highlights"], hit["highlights"], "{path}: ¶{p}");
        }
        numbers.push(p);
    }
    assert!(
        numbers.windows(2).all(|w| w[0] < w[1]),
        "{path}: snippets not in paragraph order: {numbers:?}"
    );
    assert!(
        numbers.contains(&u64_of(&hit["paragraph"])),
        "{path}: the best paragraph {} is not among the snippets {numbers:?}",
        hit["paragraph"]
    );
    numbers
}

/// The paragraph numbers of the snippets of the hit `path` for `--snippets n` (checked).
fn snippet_paragraphs(t: &TestDir, path: &str, n: usize) -> Vec<u64> {
    let v = t.search_json(SNIPPET_QUERY, &["--snippets", &n.to_string()]);
    let hit = array_of(&v["hits"])
        .iter()
        .find(|h| h["path"] == path)
        .unwrap_or_else(|| panic!("{path} is not a hit: {v}"));
    check_snippets(t, hit, n)
}

/// `--snippets N` gives each hit its N best-matching paragraphs, listed in paragraph order (not
/// best first), only paragraphs that match, never more than there are; the single best
/// paragraph's fields stay and agree with its entry; the default is one snippet.
#[test]
fn snippets_json_lists_the_best_paragraphs_in_paragraph_order() {
    let t = snippets_corpus();
    // The default: one snippet, the best paragraph.
    let v = t.search_json(SNIPPET_QUERY, &[]);
    assert_eq!(set(&paths_of(&v)), set(&["corpus/s.txt", "corpus/t.txt"]));
    for hit in array_of(&v["hits"]) {
        let numbers = check_snippets(&t, hit, 1);
        assert_eq!(numbers, vec![u64_of(&hit["paragraph"])], "{hit}");
    }
    assert_eq!(snippet_paragraphs(&t, "corpus/s.txt", 1), vec![4]);
    assert_eq!(snippet_paragraphs(&t, "corpus/t.txt", 1), vec![3]);
    // The two best of s are ¶4 and ¶5; of t, ¶3 and then ¶1, shown as 1, 3.
    assert_eq!(snippet_paragraphs(&t, "corpus/s.txt", 2), vec![4, 5]);
    assert_eq!(snippet_paragraphs(&t, "corpus/t.txt", 2), vec![1, 3]);
    // Three: ¶2 joins s's, shown first.
    assert_eq!(snippet_paragraphs(&t, "corpus/s.txt", 3), vec![2, 4, 5]);
    // More than match: only the matching paragraphs.
    assert_eq!(snippet_paragraphs(&t, "corpus/s.txt", 10), vec![2, 4, 5]);
    assert_eq!(snippet_paragraphs(&t, "corpus/t.txt", 10), vec![1, 3]);
    // The single best paragraph does not move with N.
    for n in ["1", "2", "3", "10"] {
        let v = t.search_json(SNIPPET_QUERY, &["--snippets", n]);
        for hit in array_of(&v["hits"]) {
            let best = if hit["path"] == "corpus/s.txt" { 4 } else { 3 };
            assert_eq!(hit["paragraph"], best, "--snippets {n}: {hit}");
        }
    }
}

/// With `--snippets N` above 1 the text output prints each snippet on its own line, prefixed
/// by `¶P`, in paragraph order, with the same text and `[[ ]]` highlights as the JSON.
#[test]
fn snippets_text_prints_each_snippet_on_its_own_line_with_its_paragraph_number() {
    let t = snippets_corpus();
    let v = t.search_json(SNIPPET_QUERY, &["--snippets", "3"]);
    let out = t.run([
        "search",
        SNIPPET_QUERY,
        "--snippets",
        "3",
        "--color",
        "never",
    ]);
    out.assert_code(0);
    assert!(!out.stdout.contains('\x1b'), "{:?}", out.stdout);
    let lines: Vec<&str> = out.stdout.lines().collect();
    let mut expected = Vec::new();
    for hit in array_of(&v["hits"]) {
        for s in array_of(&hit["snippets"]) {
            expected.push((
                u64_of(&s["paragraph"]),
                with_markers(str_of(&s["text"]), &s["highlights"]),
            ));
        }
    }
    // s.txt has 3 snippets, t.txt 2.
    assert_eq!(expected.len(), 5, "{v}");
    let shown: Vec<&str> = lines
        .iter()
        .map(|l| l.trim_start())
        .filter(|l| l.starts_with('¶'))
        .collect();
    assert_eq!(shown.len(), expected.len(), "{}", out.stdout);
    for (line, (p, text)) in shown.iter().zip(&expected) {
        let rest = line
            .strip_prefix(&format!("¶{p}"))
            .unwrap_or_else(|| panic!("expected ¶{p}: {line:?}\n{}", out.stdout));
        assert!(
            !rest.starts_with(|c: char| c.is_ascii_digit()),
            "expected ¶{p}: {line:?}"
        );
        let rest = rest.trim_start_matches(|c: char| c == ':' || c.is_whitespace());
        assert!(rest == text, "¶{p}: expected {text:?}, got {rest:?}");
    }
    // Each hit's header comes before its snippets.
    let s_header = lines
        .iter()
        .position(|l| l.contains("corpus/s.txt"))
        .expect("a header for s.txt");
    let t_header = lines
        .iter()
        .position(|l| l.contains("corpus/t.txt"))
        .expect("a header for t.txt");
    let para_lines: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with('¶'))
        .map(|(i, _)| i)
        .collect();
    let (first, second) = if s_header < t_header {
        (s_header, t_header)
    } else {
        (t_header, s_header)
    };
    let between = para_lines
        .iter()
        .filter(|&&i| i > first && i < second)
        .count();
    let after = para_lines.iter().filter(|&&i| i > second).count();
    let first_count = if first == s_header { 3 } else { 2 };
    assert_eq!(
        (between, after),
        (first_count, 5 - first_count),
        "{}",
        out.stdout
    );
}

// ---------------------------------------------------------------------------------------------
// 2. Phrases highlighted as one span
// ---------------------------------------------------------------------------------------------

/// A quoted phrase is highlighted as one span covering the whole phrase (`standing armies` for
/// `"standing army"`), each occurrence of it once, while the phrase's words alone elsewhere in
/// the snippet (`army`) are not highlighted; words outside the phrase are still highlighted on
/// their own.
#[test]
fn phrase_is_highlighted_as_one_span_and_its_lone_words_are_not() {
    let t = TestDir::new();
    let paragraph = "He said that standing armies endanger liberty, that an army raised for \
                     war must be disbanded, and that a standing army is a tool of tyrants.";
    t.write("corpus/p.txt", article("1790-01-01", &[paragraph]));
    // Both words, but not as the phrase.
    t.write(
        "corpus/q.txt",
        article("1790-02-02", &["The army was standing by the river."]),
    );
    t.index_corpus();

    let v = t.search_json("\"standing army\"", &[]);
    assert_eq!(paths_of(&v), vec!["corpus/p.txt"]);
    let hit = &v["hits"][0];
    let snippet = str_of(&hit["snippet"]);
    assert!(
        snippet.contains("an army raised"),
        "the lone `army` must be in the snippet for this test: {snippet}"
    );
    assert_eq!(
        marked(snippet, &hit["highlights"]),
        vec!["standing armies", "standing army"],
        "{snippet}"
    );
    let out = t.run(["search", "\"standing army\"", "--color", "never"]);
    out.assert_code(0);
    assert!(out.stdout.contains("[[standing armies]]"), "{}", out.stdout);
    assert!(out.stdout.contains("[[standing army]]"), "{}", out.stdout);
    assert!(!out.stdout.contains("[[army]]"), "{}", out.stdout);
    assert!(!out.stdout.contains("[[standing]]"), "{}", out.stdout);

    // A phrase and a free word: the phrase as one span, the word on its own, and still not the
    // lone `army`.
    let v = t.search_json("\"standing army\" liberty", &[]);
    assert_eq!(paths_of(&v), vec!["corpus/p.txt"]);
    let hit = &v["hits"][0];
    let snippet = str_of(&hit["snippet"]);
    assert_eq!(
        marked(snippet, &hit["highlights"]),
        vec!["standing armies", "liberty", "standing army"],
        "{snippet}"
    );
    // The multi-snippet entries follow the same rule.
    let v = t.search_json("\"standing army\"", &["--snippets", "3"]);
    let snippets = array_of(&v["hits"][0]["snippets"]);
    assert_eq!(snippets.len(), 1, "{v}");
    assert_eq!(
        marked(str_of(&snippets[0]["text"]), &snippets[0]["highlights"]),
        vec!["standing armies", "standing army"]
    );
}

/// A phrase of common words (`"the company said"`) is highlighted as one span too, and a
/// partial occurrence of it in the same snippet (`the company` not followed by `said`) is not
/// highlighted, since the query requires the whole phrase.
#[test]
fn phrase_of_common_words_is_one_span_and_its_partial_occurrences_are_not() {
    let t = TestDir::new();
    t.write(
        "corpus/a.txt",
        article(
            "2001-01-01",
            &["In March the Company said it would close the mill, and the company kept its word."],
        ),
    );
    t.write(
        "corpus/b.txt",
        article("2001-01-02", &["The mill said the company would close."]),
    );
    t.index_corpus();
    let v = t.search_json("\"the company said\"", &[]);
    assert_eq!(paths_of(&v), vec!["corpus/a.txt"]);
    let hit = &v["hits"][0];
    let snippet = str_of(&hit["snippet"]);
    assert!(snippet.contains("the company kept"), "{snippet}");
    assert_eq!(
        marked(snippet, &hit["highlights"]),
        vec!["the Company said"],
        "{snippet}"
    );
    let out = t.run(["search", "\"the company said\"", "--color", "never"]);
    out.assert_code(0);
    assert!(
        out.stdout.contains("[[the Company said]] it would close"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("and the company kept"),
        "{}",
        out.stdout
    );
}

// ---------------------------------------------------------------------------------------------
// 3. Did you mean
// ---------------------------------------------------------------------------------------------

/// Writes `n` articles (numbered from `first`) whose only paragraph is `text`.
fn write_many(t: &TestDir, stem: &str, first: usize, n: usize, text: &str) {
    for i in first..first + n {
        let day = 1 + i % 28;
        let month = 1 + (i / 28) % 12;
        t.write(
            &format!("corpus/{stem}-{i:02}.txt"),
            article(&format!("2010-{month:02}-{day:02}"), &[text]),
        );
    }
}

/// The `did you mean:` lines of a run's stderr.
fn suggestions_on_stderr(out: &Output) -> Vec<String> {
    out.stderr_lines()
        .into_iter()
        .filter(|l| l.contains("did you mean"))
        .map(str::to_string)
        .collect()
}

/// Runs a search as text and as JSON and returns the suggestion of each (the `did you mean:`
/// line of stderr; the JSON's `suggestion` key), checking that they agree, that the JSON total
/// is `total` and that the exit code follows the total (1 for none), as the query is run as
/// typed.
fn suggestion(t: &TestDir, query: &str, total: u64) -> Option<String> {
    let code = if total == 0 { 1 } else { 0 };
    let text = t.run(["search", query, "--color", "never"]);
    text.assert_code(code);
    let lines = suggestions_on_stderr(&text);
    let json = t.run(["search", query, "--json"]);
    json.assert_code(code);
    let v = json.json();
    assert_eq!(u64_of(&v["total"]), total, "{query}: {v}");
    let in_json = v.get("suggestion").map(|s| str_of(s).to_string());
    match &in_json {
        None => assert!(
            lines.is_empty(),
            "{query}: a suggestion on stderr but not in JSON: {lines:?}"
        ),
        Some(s) => assert_eq!(
            lines,
            vec![format!("did you mean: {s}")],
            "{query}: stderr:\n{}",
            text.stderr
        ),
    }
    in_json
}

/// A misspelt word, within edit distance 1 of a word in several articles, gets `did you mean:`
/// with the indexed word's surface form, lower-cased, in place of the typo, the rest of the query
/// kept; the results stay those of the query as typed (none: exit 1; one: that article).
#[test]
fn misspelt_word_gets_a_suggestion_and_the_query_is_still_run_as_typed() {
    let t = TestDir::new();
    write_many(
        &t,
        "convoys",
        0,
        3,
        "Convoys reached the border after dark.",
    );
    write_many(&t, "more", 3, 2, "The last of the convoys turned back.");
    t.write(
        "corpus/winter.txt",
        article("2011-01-01", &["A hard winter closed the passes."]),
    );
    t.index_corpus();

    let out = t.run(["search", "convoyz"]);
    out.assert_code(1);
    assert_eq!(out.stdout_without_timing(), "0 matching articles (T ms)\n");
    assert_eq!(
        suggestions_on_stderr(&out),
        vec!["did you mean: convoys"],
        "{}",
        out.stderr
    );
    assert_eq!(
        suggestion(&t, "convoyz", 0).as_deref(),
        Some("convoys"),
        "convoyz"
    );
    let v = t.search_json("convoyz", &[]);
    assert_eq!(v["hits"], serde_json::json!([]));

    // One article found (fewer than 3): still a suggestion, for the whole query.
    assert_eq!(
        suggestion(&t, "winter convoyz", 1).as_deref(),
        Some("winter convoys")
    );
    assert_eq!(
        t.hit_paths("winter convoyz", &[]),
        vec!["corpus/winter.txt"],
        "the results are those of the query as typed"
    );
    // The correctly spelt word is not corrected.
    assert_eq!(suggestion(&t, "convoys", 5), None);
}

/// A word of 3 letters or fewer is never corrected; a word of 4-5 letters only within edit
/// distance 1; a word of 6 letters or more within edit distance 2.
#[test]
fn edit_distance_allowed_depends_on_the_word_length() {
    let t = TestDir::new();
    write_many(
        &t,
        "harbour",
        0,
        12,
        "The cat watched boats in the harbour and ate bread.",
    );
    t.index_corpus();
    assert_eq!(suggestion(&t, "cax", 0), None, "3 letters");
    assert_eq!(suggestion(&t, "brea", 0).as_deref(), Some("bread"));
    assert_eq!(suggestion(&t, "brexd", 0).as_deref(), Some("bread"));
    assert_eq!(suggestion(&t, "brxxd", 0), None, "5 letters, distance 2");
    assert_eq!(suggestion(&t, "harbxur", 0).as_deref(), Some("harbour"));
    assert_eq!(suggestion(&t, "harbxxr", 0).as_deref(), Some("harbour"));
    assert_eq!(suggestion(&t, "hxrbxxr", 0), None, "7 letters, distance 3");
}

/// No suggestion for a word with no indexed word near it: nothing on stderr at all, no
/// `suggestion` key, exit 1.
#[test]
fn no_suggestion_for_a_word_without_a_near_neighbour() {
    let t = TestDir::new();
    write_many(
        &t,
        "convoys",
        0,
        6,
        "Convoys reached the border after dark.",
    );
    t.index_corpus();
    let out = t.run(["search", "zebra"]);
    out.assert_code(1);
    assert_eq!(out.stderr, "");
    assert_eq!(out.stdout_without_timing(), "0 matching articles (T ms)\n");
    let out = t.run(["search", "zebra", "--json"]);
    out.assert_code(1);
    let v = out.json();
    assert_eq!(
        keys(&v),
        set(&["query", "total", "took_ms", "hits", "expansion"]),
        "no suggestion key: {v}"
    );
    assert_eq!(suggestion(&t, "zebra", 0), None);
}

/// No suggestion when the typed word is found in 3 articles or more, however much more frequent
/// its neighbour (`cattle` in 3, `castle` in 30); with 2 articles, the same pair gets one.
#[test]
fn no_suggestion_when_the_query_finds_three_articles() {
    let t = TestDir::new();
    write_many(&t, "castle", 0, 30, "The castle stood above the town.");
    write_many(&t, "cattle", 30, 2, "The cattle grazed by the river.");
    t.index_corpus();
    assert_eq!(suggestion(&t, "cattle", 2).as_deref(), Some("castle"));
    assert_eq!(
        set(&t.hit_paths("cattle", &[])),
        set(&["corpus/cattle-30.txt", "corpus/cattle-31.txt"]),
        "the results are those of the query as typed"
    );
    write_many(&t, "cattle", 32, 1, "The cattle grazed by the river.");
    assert_eq!(t.index_corpus().total, 33);
    assert_eq!(suggestion(&t, "cattle", 3), None);
}

/// No suggestion for a rare real word whose neighbour is in fewer than 10 times as many
/// articles (`cattle` in 1, `castle` in 9); at exactly 10 times (`castle` in 10) there is one,
/// and the results are still the rare word's.
#[test]
fn no_suggestion_when_the_neighbour_is_less_than_ten_times_as_frequent() {
    let t = TestDir::new();
    write_many(&t, "castle", 0, 9, "The castle stood above the town.");
    write_many(&t, "cattle", 9, 1, "The cattle grazed by the river.");
    t.index_corpus();
    assert_eq!(suggestion(&t, "cattle", 1), None);
    write_many(&t, "castle", 10, 1, "The castle stood above the town.");
    assert_eq!(t.index_corpus().total, 11);
    assert_eq!(suggestion(&t, "cattle", 1).as_deref(), Some("castle"));
    assert_eq!(t.hit_paths("cattle", &[]), vec!["corpus/cattle-09.txt"]);
}

// ---------------------------------------------------------------------------------------------
// 4. --in FOLDER
// ---------------------------------------------------------------------------------------------

/// `search --in FOLDER` finds only articles under the folder, nested folders included, not a
/// sibling whose name merely starts the same (`corpus/ab`) nor a folder of the same name
/// elsewhere (`corpus/b/a`) nor a file beside it; the folder may be named with a trailing slash,
/// `./` or absolutely.
#[test]
fn search_in_folder_includes_nested_folders_only() {
    let t = nested_corpus();
    let all: Vec<&str> = NESTED.iter().map(|(p, _, _)| *p).collect();
    assert_eq!(set(&t.hit_paths("lantern", &["-n", "50"])), set(&all));
    let abs = t.join("corpus/a").display().to_string();
    for folder in ["corpus/a", "corpus/a/", "./corpus/a", abs.as_str()] {
        let v = t.search_json("lantern", &["--in", folder, "-n", "50"]);
        assert_eq!(set(&paths_of(&v)), set(&UNDER_A), "--in {folder}");
        assert_eq!(v["total"], 3, "--in {folder}");
        // The empty query: every article under the folder.
        assert_eq!(
            set(&t.hit_paths("", &["--in", folder, "-n", "50"])),
            set(&UNDER_A),
            "--in {folder}"
        );
    }
    assert_eq!(
        set(&t.hit_paths("lantern", &["--in", "corpus/a/b"])),
        set(&["corpus/a/b/y.txt", "corpus/a/b/c/z.txt"])
    );
    assert_eq!(
        t.hit_paths("lantern", &["--in", "corpus/ab"]),
        vec!["corpus/ab/w.txt"]
    );
    assert_eq!(
        set(&t.hit_paths("lantern", &["--in", "corpus", "-n", "50"])),
        set(&all)
    );
    // Combined with words and dates.
    assert_eq!(
        t.hit_paths(
            "Brill OR Dunmore OR Arden",
            &["--in", "corpus/a", "--from", "2002"]
        ),
        vec!["corpus/a/b/y.txt"]
    );
    let out = t.run(["search", "Dunmore", "--in", "corpus/a"]);
    out.assert_code(1);
}

/// `timeline --in FOLDER` counts only articles under the folder (nested included), each count
/// equal to `search --in FOLDER` over the bucket.
#[test]
fn timeline_in_folder_counts_only_articles_under_it() {
    let t = nested_corpus();
    let range: &[&str] = &["--by", "year", "--from", "2001", "--to", "2003"];
    let all = timeline_json(&t, &[&["lantern"][..], range].concat());
    assert_eq!(bucket_counts(&all), vec![vec![2], vec![2], vec![2]]);
    let under_a = timeline_json(&t, &[&["lantern", "--in", "corpus/a"][..], range].concat());
    assert_eq!(bucket_counts(&under_a), vec![vec![1], vec![1], vec![1]]);
    assert_counts_are_search_totals(&t, &under_a, &["--in", "corpus/a"]);
    let under_b = timeline_json(
        &t,
        &[&["lantern", "--in", "corpus/a/b/"][..], range].concat(),
    );
    assert_eq!(bucket_counts(&under_b), vec![vec![0], vec![1], vec![1]]);
    assert_counts_are_search_totals(&t, &under_b, &["--in", "corpus/a/b/"]);
}

/// `similar --in FOLDER` returns only articles under the folder (nested included), never the
/// article itself, whether or not the article lies in the folder.
#[test]
fn similar_in_folder_returns_only_articles_under_it() {
    let t = nested_corpus();
    let v = similar_json(&t, &["corpus/a/x.txt", "--in", "corpus/a", "-n", "50"]);
    assert_eq!(
        set(&paths_of(&v)),
        set(&["corpus/a/b/y.txt", "corpus/a/b/c/z.txt"])
    );
    let v = similar_json(&t, &["corpus/top.txt", "--in", "corpus/a", "-n", "50"]);
    assert_eq!(set(&paths_of(&v)), set(&UNDER_A));
    let v = similar_json(&t, &["corpus/a/x.txt", "-n", "50"]);
    assert_eq!(
        set(&paths_of(&v)),
        set(&NESTED.iter().map(|(p, _, _)| *p).collect::<Vec<_>>()[1..]),
        "without --in, every other article shares the festival"
    );
}

/// A folder with no indexed article under it (missing, empty, holding only unindexed files, or
/// only sharing a prefix with a folder of articles) is an error for search, timeline and
/// similar: exit 2, nothing on stdout, and stderr names the `--in` argument.
#[test]
fn in_folder_without_indexed_articles_is_an_error() {
    let t = TestDir::new();
    t.write(
        "corpus/ab/w.txt",
        article("2002-09-10", &["The lantern festival began."]),
    );
    t.write(
        "corpus/top.txt",
        article("2003-11-12", &["The lantern festival ended."]),
    );
    t.index_corpus();
    t.mkdir("corpus/empty");
    t.write(
        "corpus/late/n.txt",
        article("2004-01-01", &["A lantern festival nobody indexed."]),
    );
    let abs = t.join("corpus/empty").display().to_string();
    for folder in [
        "corpus/a",
        "corpus/empty",
        "corpus/late",
        "nowhere",
        abs.as_str(),
    ] {
        for args in [
            vec!["search", "lantern", "--in", folder],
            vec!["search", "lantern", "--in", folder, "--json"],
            vec!["timeline", "lantern", "--in", folder],
            vec!["timeline", "lantern", "--in", folder, "--json"],
            vec!["similar", "corpus/top.txt", "--in", folder],
            vec!["similar", "corpus/top.txt", "--in", folder, "--json"],
        ] {
            let out = t.run(&args);
            out.assert_code(2);
            assert_eq!(out.stdout, "", "{args:?}");
            assert!(
                out.stderr.starts_with("error: "),
                "{args:?}: {}",
                out.stderr
            );
            assert!(
                out.stderr.contains(folder),
                "{args:?}: stderr does not name {folder}: {}",
                out.stderr
            );
        }
    }
    // The folder that does hold articles works.
    assert_eq!(
        t.hit_paths("lantern", &["--in", "corpus/ab"]),
        vec!["corpus/ab/w.txt"]
    );
}

// ---------------------------------------------------------------------------------------------
// 5. timeline: counts
// ---------------------------------------------------------------------------------------------

/// Yearly counts of several queries (one per argument, a multi-word one and one with an
/// excluded word among them) over `--from`/`--to` cutting the first and last years mid-way:
/// every year is present (the empty 2003 with 0), the first and last buckets are clipped to the
/// range, and every count equals both the search total over the bucket and the count worked
/// out from the corpus.
#[test]
fn timeline_year_counts_equal_search_totals_in_every_bucket() {
    let t = indexed_dated(YEARS);
    let v = timeline_json(
        &t,
        &[
            "convoys",
            "strike",
            "harvest -strike",
            "--by",
            "year",
            "--from",
            "2001-06-15",
            "--to",
            "2005-03-10",
        ],
    );
    assert_eq!(v["by"], "year");
    assert_eq!(
        strings_of(&v["queries"]),
        vec!["convoys", "strike", "harvest -strike"]
    );
    assert_eq!(v["from"], "2001-06-15");
    assert_eq!(v["to"], "2005-03-10");
    let bounds: Vec<(String, String, String)> = [
        ("2001", "2001-06-15", "2001-12-31"),
        ("2002", "2002-01-01", "2002-12-31"),
        ("2003", "2003-01-01", "2003-12-31"),
        ("2004", "2004-01-01", "2004-12-31"),
        ("2005", "2005-01-01", "2005-03-10"),
    ]
    .iter()
    .map(|(l, s, e)| (l.to_string(), s.to_string(), e.to_string()))
    .collect();
    assert_eq!(bucket_bounds(&v), bounds);
    // The counts from the corpus description.
    let expected: Vec<Vec<u64>> = bounds
        .iter()
        .map(|(_, s, e)| {
            vec![
                expected_count(YEARS, s, e, |t| has(t, "convoy")),
                expected_count(YEARS, s, e, |t| has(t, "strike")),
                expected_count(YEARS, s, e, |t| has(t, "harvest") && !has(t, "strike")),
            ]
        })
        .collect();
    assert_eq!(bucket_counts(&v), expected);
    assert_eq!(bucket_counts(&v)[2], vec![0, 0, 0], "2003 is empty");
    assert_eq!(v["totals"], serde_json::json!([5, 4, 3]));
    // And from search itself.
    assert_counts_are_search_totals(&t, &v, &[]);
    for (i, q) in ["convoys", "strike", "harvest -strike"].iter().enumerate() {
        assert_eq!(
            v["totals"][i],
            t.search_total(q, "2001-06-15", "2005-03-10", &[]),
            "{q}"
        );
    }
}

/// Monthly counts with `--from`/`--to` in the middle of January and June: six months, February
/// of a leap year ending on the 29th, the empty April present with 0, articles on the range's
/// first and last days counted and those a day outside not, each count equal to the search
/// total over its bucket.
#[test]
fn timeline_month_counts_equal_search_totals_in_every_bucket() {
    let t = indexed_dated(MONTHS);
    let v = timeline_json(
        &t,
        &[
            "convoys",
            "strike",
            "--by",
            "month",
            "--from",
            "2016-01-20",
            "--to",
            "2016-06-10",
        ],
    );
    assert_eq!(v["by"], "month");
    let bounds: Vec<(String, String, String)> = [
        ("2016-01", "2016-01-20", "2016-01-31"),
        ("2016-02", "2016-02-01", "2016-02-29"),
        ("2016-03", "2016-03-01", "2016-03-31"),
        ("2016-04", "2016-04-01", "2016-04-30"),
        ("2016-05", "2016-05-01", "2016-05-31"),
        ("2016-06", "2016-06-01", "2016-06-10"),
    ]
    .iter()
    .map(|(l, s, e)| (l.to_string(), s.to_string(), e.to_string()))
    .collect();
    assert_eq!(bucket_bounds(&v), bounds);
    let expected: Vec<Vec<u64>> = bounds
        .iter()
        .map(|(_, s, e)| {
            vec![
                expected_count(MONTHS, s, e, |t| has(t, "convoy")),
                expected_count(MONTHS, s, e, |t| has(t, "strike")),
            ]
        })
        .collect();
    assert_eq!(bucket_counts(&v), expected);
    assert_eq!(
        bucket_counts(&v),
        vec![
            vec![1, 2],
            vec![1, 0],
            vec![0, 0],
            vec![0, 0],
            vec![1, 0],
            vec![0, 1]
        ]
    );
    assert_counts_are_search_totals(&t, &v, &[]);
    // Partial dates are read as search reads them: a month from its first day to its last.
    let v = timeline_json(
        &t,
        &[
            "convoys", "--by", "month", "--from", "2016-02", "--to", "2016-05",
        ],
    );
    assert_eq!(v["from"], "2016-02-01");
    assert_eq!(v["to"], "2016-05-31");
    assert_eq!(bucket_counts(&v), vec![vec![1], vec![0], vec![0], vec![1]]);
    assert_counts_are_search_totals(&t, &v, &[]);
}

/// Daily buckets are single days labelled `YYYY-MM-DD`, every day present (29 February
/// included), each count equal to the search total of that day.
#[test]
fn timeline_day_buckets_are_every_day_of_the_range() {
    let t = indexed_dated(MONTHS);
    let v = timeline_json(
        &t,
        &[
            "convoys",
            "harvest",
            "--by",
            "day",
            "--from",
            "2016-02-27",
            "--to",
            "2016-03-02",
        ],
    );
    assert_eq!(v["by"], "day");
    let labels: Vec<String> = bucket_bounds(&v).into_iter().map(|b| b.0).collect();
    assert_eq!(
        labels,
        vec![
            "2016-02-27",
            "2016-02-28",
            "2016-02-29",
            "2016-03-01",
            "2016-03-02"
        ]
    );
    assert_eq!(
        bucket_counts(&v),
        vec![vec![0, 0], vec![0, 0], vec![1, 0], vec![0, 1], vec![0, 0]]
    );
    assert_counts_are_search_totals(&t, &v, &[]);
}

/// Decade buckets start at years divisible by 10 and are labelled `1850s`; without `--from` and
/// `--to` the range is the index's first to last article date, so the first and last decades are
/// clipped to those days; the empty 1870s are present with 0; every count equals the search
/// total over its bucket.
#[test]
fn timeline_decades_over_the_whole_index() {
    let t = indexed_dated(DECADES);
    let v = timeline_json(&t, &["convoys", "strike", "--by", "decade"]);
    assert_eq!(v["by"], "decade");
    assert_eq!(v["from"], "1848-05-01");
    assert_eq!(v["to"], "1880-01-01");
    let bounds: Vec<(String, String, String)> = [
        ("1840s", "1848-05-01", "1849-12-31"),
        ("1850s", "1850-01-01", "1859-12-31"),
        ("1860s", "1860-01-01", "1869-12-31"),
        ("1870s", "1870-01-01", "1879-12-31"),
        ("1880s", "1880-01-01", "1880-01-01"),
    ]
    .iter()
    .map(|(l, s, e)| (l.to_string(), s.to_string(), e.to_string()))
    .collect();
    assert_eq!(bucket_bounds(&v), bounds);
    assert_eq!(
        bucket_counts(&v),
        vec![vec![1, 0], vec![1, 2], vec![1, 0], vec![0, 0], vec![1, 0]]
    );
    assert_counts_are_search_totals(&t, &v, &[]);
}

/// Without `--from`/`--to` the range is the index's first and last article date (as `stats`
/// gives them); with only one of them given, the other end is the index's.
#[test]
fn timeline_default_range_is_the_index_span() {
    let t = indexed_dated(DECADES);
    let stats = t.stats();
    let v = timeline_json(&t, &["convoys", "--by", "year"]);
    assert_eq!(v["from"], stats["first_date"]);
    assert_eq!(v["to"], stats["last_date"]);
    let buckets = array_of(&v["buckets"]);
    assert_eq!(buckets.len(), 1880 - 1848 + 1);
    assert_eq!(buckets[0]["start"], "1848-05-01");
    assert_eq!(buckets[buckets.len() - 1]["end"], "1880-01-01");
    assert_eq!(v["totals"], serde_json::json!([4]));
    assert_counts_are_search_totals(&t, &v, &[]);

    let v = timeline_json(&t, &["convoys", "--by", "year", "--from", "1850"]);
    assert_eq!(v["from"], "1850-01-01");
    assert_eq!(v["to"], "1880-01-01");
    let v = timeline_json(&t, &["convoys", "--by", "year", "--to", "1859-06"]);
    assert_eq!(v["from"], "1848-05-01");
    assert_eq!(v["to"], "1859-06-30");
    assert_eq!(v["totals"], serde_json::json!([2]));
}

/// Without `--by`, the bucket is the smallest of day, month, year, decade giving at most 40
/// buckets over the range (decade when none does), at each threshold's edge.
#[test]
fn timeline_default_bucket_is_the_smallest_giving_at_most_40() {
    let t = TestDir::new();
    for (i, d) in [
        "1860-06-06",
        "1950-01-01",
        "2003-03-03",
        "2016-01-15",
        "2016-02-14",
    ]
    .iter()
    .enumerate()
    {
        t.write(
            &format!("corpus/{i}.txt"),
            article(d, &["A lantern was lit."]),
        );
    }
    t.index_corpus();
    for (from, to, by, n) in [
        ("2016-01-01", "2016-02-09", "day", 40),
        ("2016-01-01", "2016-02-10", "month", 2),
        ("2016-01-31", "2016-03-01", "day", 31),
        ("2001-01", "2004-04", "month", 40),
        ("2001-01", "2004-05", "year", 4),
        ("1850", "1889", "year", 40),
        ("1850", "1890", "decade", 5),
        ("1700", "2199", "decade", 50),
    ] {
        let v = timeline_json(&t, &["lantern", "--from", from, "--to", to]);
        assert_eq!(v["by"], by, "{from}..{to}");
        assert_eq!(array_of(&v["buckets"]).len(), n, "{from}..{to}");
        assert!(u64_of(&v["totals"][0]) > 0, "{from}..{to}");
    }
}

/// The JSON answer has exactly the documented keys (`by`, `queries`, `from`, `to`, `buckets`
/// with `label`, `start`, `end`, `counts`, and `totals`), is one line, and keeps the queries as
/// given, one per argument, a multi-word argument being one query.
#[test]
fn timeline_json_has_the_documented_shape() {
    let t = indexed_dated(YEARS);
    let out = t.run([
        "timeline",
        "convoys strike",
        "\"dock workers\"",
        "--by",
        "year",
        "--json",
    ]);
    out.assert_code(0);
    assert_eq!(out.stdout.lines().count(), 1, "one line of JSON");
    let v = out.json();
    assert_eq!(
        keys(&v),
        set(&TIMELINE_KEYS),
        "exactly the documented keys: {v}"
    );
    check_timeline(&v);
    assert_eq!(
        strings_of(&v["queries"]),
        vec!["convoys strike", "\"dock workers\""]
    );
    let first = &array_of(&v["buckets"])[0];
    assert!(first["label"].is_string() && first["start"].is_string());
    assert!(
        first["counts"]
            .as_array()
            .unwrap()
            .iter()
            .all(Value::is_u64)
    );
    // The first is any of two words, the second a phrase: as search reads them.
    let totals: Vec<u64> = array_of(&v["totals"]).iter().map(u64_of).collect();
    let all = |q: &str| t.search_total(q, "0000", "9999", &[]);
    assert_eq!(totals, vec![all("convoys strike"), all("\"dock workers\"")]);
    assert_eq!(
        totals,
        vec![
            expected_count(YEARS, "0", "9", |t| has(t, "convoy") || has(t, "strike")),
            expected_count(YEARS, "0", "9", |t| has(t, "strike")),
        ]
    );
    assert_counts_are_search_totals(&t, &v, &[]);
}

/// Exit 1 when every count is 0 (the buckets still listed, with 0), 0 when any count is above
/// 0; a bad `--by` value or a bad date is an error (exit 2, nothing on stdout).
#[test]
fn timeline_exit_codes_and_errors() {
    let t = indexed_dated(YEARS);
    let v = timeline_json(&t, &["zebra", "--by", "year"]);
    assert_eq!(v["totals"], serde_json::json!([0]));
    assert_eq!(array_of(&v["buckets"]).len(), 2006 - 2001 + 1);
    assert!(bucket_counts(&v).iter().all(|c| c == &vec![0]));
    t.run(["timeline", "zebra", "--by", "year"]).assert_code(1);
    t.run(["timeline", "zebra", "convoys", "--by", "year"])
        .assert_code(0);
    for args in [
        vec!["timeline", "convoys", "--by", "week"],
        vec!["timeline", "convoys", "--by", ""],
        vec!["timeline", "convoys", "--from", "2016-13"],
        vec!["timeline", "convoys", "--to", "2015-02-29"],
        vec!["timeline", "convoys", "--from", "yesterday", "--json"],
    ] {
        let out = t.run(&args);
        out.assert_code(2);
        assert_eq!(out.stdout, "", "{args:?}");
        assert!(!out.stderr.is_empty(), "{args:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// 6. timeline: the text chart
// ---------------------------------------------------------------------------------------------

/// The chart corpus: per year, how many articles about convoys and how many about a strike.
/// The largest count (7 convoys in 2003) is unique.
const CHART: [(i32, usize, usize); 4] = [(2001, 3, 2), (2002, 0, 1), (2003, 7, 0), (2004, 1, 4)];

fn chart_corpus() -> TestDir {
    let t = TestDir::new();
    for (year, convoys, strikes) in CHART {
        for i in 0..convoys {
            t.write(
                &format!("corpus/c-{year}-{i}.txt"),
                article(&format!("{year}-03-{:02}", i + 1), &[CONVOY]),
            );
        }
        for i in 0..strikes {
            t.write(
                &format!("corpus/s-{year}-{i}.txt"),
                article(&format!("{year}-09-{:02}", i + 1), &[STRIKE]),
            );
        }
    }
    t.index_corpus();
    t
}

/// Removes ANSI escape sequences (`ESC [ … letter`).
fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' && chars.peek() == Some(&'[') {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The numbers written on a chart row after its label.
fn numbers_after_label(row: &str, label: &str) -> Vec<u64> {
    let rest = row
        .trim_start()
        .strip_prefix(label)
        .unwrap_or_else(|| panic!("row does not start with {label:?}: {row:?}"));
    rest.split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect()
}

/// How many times `mark` appears in `row`, checking that its occurrences are one unbroken run.
fn bar_len(row: &str, mark: char) -> usize {
    let positions: Vec<usize> = row
        .chars()
        .enumerate()
        .filter(|(_, c)| *c == mark)
        .map(|(i, _)| i)
        .collect();
    if let (Some(first), Some(last)) = (positions.first(), positions.last()) {
        assert_eq!(
            last - first + 1,
            positions.len(),
            "the {mark:?} bar is broken: {row:?}"
        );
    }
    positions.len()
}

/// Runs `timeline ARGS… --by year` with `COLUMNS=columns` (the output piped, so plain) and
/// returns its lines: a header, a legend, then one row per bucket (the JSON's), each starting
/// with its label and ending with its count(s). No line may be longer than `columns` characters.
fn chart(t: &TestDir, queries: &[&str], columns: usize) -> (Vec<String>, Value) {
    let mut args = queries.to_vec();
    args.extend(["--by", "year"]);
    let v = timeline_json(t, &args);
    let mut cmd = vec!["timeline"];
    cmd.extend(&args);
    let cols = columns.to_string();
    let out = t.run_env(&cmd, &[("COLUMNS", cols.as_str())]);
    out.assert_code(0);
    assert!(!out.stdout.contains('\x1b'), "{:?}", out.stdout);
    let lines: Vec<String> = out.stdout.lines().map(str::to_string).collect();
    check_chart_lines(&lines, &v, columns, &out.stdout);
    (lines, v)
}

/// The header, legend and rows of a chart agree with its JSON, and fit `columns`.
fn check_chart_lines(lines: &[String], v: &Value, columns: usize, stdout: &str) {
    let buckets = array_of(&v["buckets"]);
    assert_eq!(
        lines.len(),
        2 + buckets.len(),
        "a header, a legend and one row per bucket:\n{stdout}"
    );
    assert!(!lines[0].trim().is_empty(), "a header line:\n{stdout}");
    for line in lines {
        assert!(
            line.chars().count() <= columns,
            "line of {} characters at COLUMNS={columns}: {line:?}",
            line.chars().count()
        );
    }
    for (row, b) in lines[2..].iter().zip(buckets) {
        let counts: Vec<u64> = array_of(&b["counts"]).iter().map(u64_of).collect();
        assert_eq!(
            numbers_after_label(row, str_of(&b["label"])),
            counts,
            "row {row:?}"
        );
    }
}

/// The text chart of one query fits `COLUMNS` at 40 and 120: no line longer (in characters),
/// the row of the largest count exactly `COLUMNS` long, bars of `#` growing with the count,
/// none for 0, and a legend naming the query with its mark.
#[test]
fn timeline_chart_fits_columns_40_and_120() {
    let t = chart_corpus();
    let mut widest = Vec::new();
    for columns in [40, 120] {
        let (lines, v) = chart(&t, &["convoys"], columns);
        assert!(lines[1].contains("convoys"), "legend: {:?}", lines[1]);
        assert!(lines[1].contains('#'), "legend: {:?}", lines[1]);
        let rows = &lines[2..];
        let counts: Vec<u64> = bucket_counts(&v).into_iter().map(|c| c[0]).collect();
        assert_eq!(counts, vec![3, 0, 7, 1]);
        let bars: Vec<usize> = rows.iter().map(|r| bar_len(r, '#')).collect();
        assert_eq!(bars[1], 0, "no bar for 0: {:?}", rows[1]);
        assert!(bars[2] > 0 && bars[0] > 0, "{rows:?}");
        for i in 0..counts.len() {
            for j in 0..counts.len() {
                if counts[i] > counts[j] {
                    assert!(
                        bars[i] >= bars[j],
                        "bars must grow with the count: {rows:?}"
                    );
                }
            }
        }
        assert!(bars[2] > bars[3], "7 against 1: {rows:?}");
        assert_eq!(
            rows[2].chars().count(),
            columns,
            "the largest count's row fills the width: {:?}",
            rows[2]
        );
        assert!(!rows.iter().any(|r| r.contains('=')), "{rows:?}");
        widest.push(bars[2]);
    }
    assert!(
        widest[1] > widest[0],
        "a wider terminal draws longer bars: {widest:?}"
    );
}

/// Without `COLUMNS` and without a terminal the chart is 80 characters wide: the row of the
/// largest count is exactly 80 long, no line longer.
#[test]
fn timeline_chart_is_80_wide_without_columns_or_terminal() {
    let t = chart_corpus();
    let v = timeline_json(&t, &["convoys", "--by", "year"]);
    let mut cmd = t.command(["timeline", "convoys", "--by", "year"]);
    cmd.env_remove("COLUMNS");
    let out = Output::of(cmd);
    out.assert_code(0);
    let lines: Vec<String> = out.stdout.lines().map(str::to_string).collect();
    check_chart_lines(&lines, &v, 80, &out.stdout);
    assert_eq!(lines[2 + 2].chars().count(), 80, "{:?}", lines[4]);
}

/// Two queries are drawn side by side on each row, the first with `#`, the second with `=`, and
/// the legend names each with its mark; a row shows a query's bar only when its count is above
/// 0; at COLUMNS=40 and 120 no line is longer than COLUMNS.
#[test]
fn timeline_two_queries_side_by_side_with_a_legend() {
    let t = chart_corpus();
    for columns in [40, 120] {
        let (lines, v) = chart(&t, &["convoys", "strike"], columns);
        // The legend: each query named with its own mark, in order (mark before or after name).
        let legend = &lines[1];
        let pos = |needle: &str| {
            legend
                .find(needle)
                .unwrap_or_else(|| panic!("legend lacks {needle:?}: {legend:?}"))
        };
        let (hash, convoys, eq, strike) = (pos("#"), pos("convoys"), pos("="), pos("strike"));
        assert!(
            (hash < convoys && convoys < eq && eq < strike)
                || (convoys < hash && hash < strike && strike < eq),
            "legend pairs each query with its mark: {legend:?}"
        );
        let rows = &lines[2..];
        let counts = bucket_counts(&v);
        assert_eq!(
            counts,
            CHART
                .iter()
                .map(|&(_, c, s)| vec![c as u64, s as u64])
                .collect::<Vec<_>>()
        );
        for (row, c) in rows.iter().zip(&counts) {
            let (hashes, eqs) = (bar_len(row, '#'), bar_len(row, '='));
            assert_eq!(hashes > 0, c[0] > 0, "{row:?} for {c:?}");
            assert_eq!(eqs > 0, c[1] > 0, "{row:?} for {c:?}");
            if hashes > 0 && eqs > 0 {
                assert!(
                    row.rfind('#').unwrap() < row.find('=').unwrap(),
                    "the first query's bar comes first: {row:?}"
                );
            }
        }
        // Bars grow with the count, query by query: 7 > 3 > 1 convoys, 4 > 2 > 1 strikes.
        let hashes: Vec<usize> = rows.iter().map(|r| bar_len(r, '#')).collect();
        let eqs: Vec<usize> = rows.iter().map(|r| bar_len(r, '=')).collect();
        assert!(hashes[2] >= hashes[0] && hashes[0] >= hashes[3], "{rows:?}");
        assert!(eqs[3] >= eqs[0] && eqs[0] >= eqs[1], "{rows:?}");
        assert!(hashes[2] > hashes[3] && eqs[3] > eqs[1], "{rows:?}");
    }
}

/// With colour (`--color always`) the bars are Unicode block characters instead of `#`, and
/// widths count characters, not bytes: no line is wider than COLUMNS once the colour codes are
/// removed, and the row of the largest count is exactly COLUMNS wide.
#[test]
fn timeline_colour_chart_uses_block_characters_and_counts_characters() {
    let t = chart_corpus();
    let is_block = |c: char| ('\u{2580}'..='\u{259f}').contains(&c);
    for columns in [40usize, 120] {
        let cols = columns.to_string();
        let out = t.run_env(
            ["timeline", "convoys", "--by", "year", "--color", "always"],
            &[("COLUMNS", cols.as_str())],
        );
        out.assert_code(0);
        let lines: Vec<String> = out.stdout.lines().map(strip_ansi).collect();
        assert_eq!(lines.len(), 2 + CHART.len(), "{}", out.stdout);
        for line in &lines {
            assert!(
                line.chars().count() <= columns,
                "{} characters at COLUMNS={columns}: {line:?}",
                line.chars().count()
            );
        }
        let rows = &lines[2..];
        assert!(!rows.iter().any(|r| r.contains('#')), "{rows:?}");
        assert!(rows[2].chars().any(is_block), "{:?}", rows[2]);
        assert_eq!(rows[2].chars().count(), columns, "{:?}", rows[2]);
        assert!(
            rows[2].len() > columns,
            "block characters take several bytes"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 7. similar
// ---------------------------------------------------------------------------------------------

/// The similar corpus: four articles about a volcano (v1-v4, 2010-2014), three about football,
/// two about farming, and one whose words appear nowhere else. Every word has a single spelling
/// across the corpus, so a shared word can be looked for literally.
const SIMILAR: [(&str, &str, &[&str]); 10] = [
    (
        "corpus/v1.txt",
        "2010-03-01",
        &[
            "The volcano above Tarno woke at dawn. Lava poured down the crater; ash fell on the \
             villagers.",
            "Geologists said the magma under the summit kept rising.",
        ],
    ),
    (
        "corpus/v2.txt",
        "2010-06-15",
        &[
            "Geologists climbed to the crater of the volcano to sample lava.",
            "They found the magma hotter than expected.",
        ],
    ),
    (
        "corpus/v3.txt",
        "2012-01-20",
        &["Villagers came home once the volcano went quiet, though ash still lay on the summit."],
    ),
    (
        "corpus/v4.txt",
        "2014-08-09",
        &[
            "A second volcano on the island sent lava toward the coast while geologists watched \
           the crater.",
        ],
    ),
    (
        "corpus/f1.txt",
        "2010-04-04",
        &["The striker scored a late goal as supporters filled the stadium."],
    ),
    (
        "corpus/f2.txt",
        "2012-05-05",
        &["A penalty from the striker decided the match, and the referee was booed by supporters."],
    ),
    (
        "corpus/f3.txt",
        "2014-09-09",
        &["The stadium was half empty for the final and nobody scored a goal."],
    ),
    (
        "corpus/h1.txt",
        "2011-07-07",
        &["Farmers hurried to bring in the barley before the rain."],
    ),
    (
        "corpus/h2.txt",
        "2013-10-10",
        &["Rain ruined the apples in the orchards by the river."],
    ),
    ("corpus/odd.txt", "2011-01-01", &["Zyxwv qopnm."]),
];

const VOLCANOES: [&str; 4] = [
    "corpus/v1.txt",
    "corpus/v2.txt",
    "corpus/v3.txt",
    "corpus/v4.txt",
];

fn similar_corpus() -> TestDir {
    let t = TestDir::new();
    for (path, d, paragraphs) in SIMILAR {
        t.write(path, article(d, paragraphs));
    }
    assert_eq!(t.index_corpus().total, SIMILAR.len() as u64);
    t
}

/// Runs `dateline similar ARGS… --json` (exit 0 or 1, following whether there are hits) and
/// returns the answer, its shape checked.
fn similar_json(t: &TestDir, args: &[&str]) -> Value {
    let mut all = vec!["similar"];
    all.extend_from_slice(args);
    all.push("--json");
    let out = run_ok(t, &all);
    let v = out.json();
    assert_eq!(
        keys(&v),
        set(&["article", "indexed", "terms", "total", "took_ms", "hits"]),
        "{v}"
    );
    assert!(v["indexed"].is_boolean(), "{v}");
    assert!(v["took_ms"].as_f64().is_some_and(|ms| ms >= 0.0), "{v}");
    let hits = array_of(&v["hits"]);
    assert!(hits.len() as u64 <= u64_of(&v["total"]), "{v}");
    out.assert_code(if hits.is_empty() { 1 } else { 0 });
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
                "snippets",
                "shared"
            ]),
            "{hit}"
        );
        assert!(hit["score"].as_f64().is_some(), "{hit}");
        assert!(!array_of(&hit["shared"]).is_empty(), "{hit}");
    }
    v
}

/// Every hit's `shared` words are among `terms`, occur in the hit's stored text, and are all
/// the `terms` the hit contains; every term occurs in the given article's text.
fn check_shared(t: &TestDir, v: &Value, article_text: &str) {
    let terms = strings_of(&v["terms"]);
    assert!(!terms.is_empty(), "{v}");
    let article_words = words_of(article_text);
    for term in &terms {
        assert_eq!(term, &term.to_lowercase(), "terms are lower-cased: {term}");
        assert!(
            article_words.contains(term),
            "term {term:?} is not a word of the article"
        );
    }
    for hit in array_of(&v["hits"]) {
        let path = str_of(&hit["path"]);
        let text = stored_paragraphs(t, path).join("\n\n");
        let words = words_of(&text);
        let shared = strings_of(&hit["shared"]);
        for w in &shared {
            assert!(terms.contains(w), "{path}: shared {w:?} is not a term");
            assert!(words.contains(w), "{path}: shared {w:?} is not in {text:?}");
        }
        let expected: Vec<&String> = terms.iter().filter(|w| words.contains(*w)).collect();
        assert_eq!(
            set(&shared),
            set(&expected),
            "{path}: shared must list every term the hit contains"
        );
    }
}

/// The article's text as written in its file (paragraphs after the date).
fn article_text(path: &str) -> String {
    let (_, _, paragraphs) = SIMILAR
        .iter()
        .find(|(p, _, _)| *p == path)
        .expect("an article of the similar corpus");
    paragraphs.join("\n\n")
}

/// `similar` finds the articles on the same subject first (the other volcano articles), never
/// the article itself (also with `-n` far larger than the corpus, and for every article), and a
/// page of `-n 1` is the first of the full list.
#[test]
fn similar_finds_related_articles_and_never_the_article_itself() {
    let t = similar_corpus();
    let v = similar_json(&t, &["corpus/v1.txt", "-n", "1000"]);
    assert_eq!(v["article"], "corpus/v1.txt");
    assert_eq!(v["indexed"], true, "read from the index");
    let paths = paths_of(&v);
    assert!(!paths.contains(&"corpus/v1.txt".to_string()), "{paths:?}");
    assert_eq!(u64_of(&v["total"]), paths.len() as u64, "{v}");
    assert!(paths.len() < SIMILAR.len(), "{paths:?}");
    assert_eq!(
        set(&paths[..3]),
        set(&VOLCANOES[1..]),
        "the other volcano articles come first: {paths:?}"
    );
    check_shared(&t, &v, &article_text("corpus/v1.txt"));
    let unique: BTreeSet<&String> = paths.iter().collect();
    assert_eq!(unique.len(), paths.len(), "no article twice: {paths:?}");

    let first = similar_json(&t, &["corpus/v1.txt", "-n", "1"]);
    assert_eq!(paths_of(&first), vec![paths[0].clone()]);
    assert_eq!(first["total"], v["total"]);

    // Whatever the article, never itself.
    for (path, _, _) in SIMILAR {
        let v = similar_json(&t, &[path, "-n", "1000"]);
        assert!(
            !paths_of(&v).iter().any(|p| p == path),
            "{path} among its own similar articles: {v}"
        );
    }
    // The football articles find each other.
    let v = similar_json(&t, &["corpus/f1.txt", "-n", "2"]);
    assert_eq!(set(&paths_of(&v)), set(&["corpus/f2.txt", "corpus/f3.txt"]));
    check_shared(&t, &v, &article_text("corpus/f1.txt"));
}

/// The `shared` words of each hit are words of `terms` that the hit's text actually contains,
/// all of them; the text output lists the hits as search does, with one `shared:` line per hit
/// naming its shared words.
#[test]
fn similar_shared_words_are_in_the_hit_and_printed() {
    let t = similar_corpus();
    for path in VOLCANOES {
        let v = similar_json(&t, &[path, "-n", "20"]);
        check_shared(&t, &v, &article_text(path));
    }
    let v = similar_json(&t, &["corpus/v2.txt"]);
    let out = t.run(["similar", "corpus/v2.txt", "--color", "never"]);
    out.assert_code(0);
    let lines: Vec<&str> = out.stdout.lines().collect();
    let hits = array_of(&v["hits"]);
    let shared_lines: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.trim_start().starts_with("shared:"))
        .collect();
    assert_eq!(shared_lines.len(), hits.len(), "{}", out.stdout);
    let mut at = 0;
    for (hit, shared_line) in hits.iter().zip(&shared_lines) {
        let path = str_of(&hit["path"]);
        let header = lines[at..]
            .iter()
            .position(|l| l.contains(path) && l.contains(str_of(&hit["date"])))
            .unwrap_or_else(|| panic!("no header for {path} in order:\n{}", out.stdout))
            + at;
        at = header + 1;
        let listed = words_of(shared_line.trim_start().strip_prefix("shared:").unwrap());
        assert_eq!(
            listed,
            set(&strings_of(&hit["shared"])),
            "{path}: {shared_line:?}"
        );
    }
}

/// `--from`/`--to` restrict the similar articles to the range: the answer is the unfiltered
/// one restricted to the range (so the excluded volcano articles are gone and the one in range
/// stays); a range holding no similar article gives exit 1.
#[test]
fn similar_honours_from_and_to() {
    let t = similar_corpus();
    let all = similar_json(&t, &["corpus/v1.txt", "-n", "1000"]);
    let dated: Vec<(String, String)> = array_of(&all["hits"])
        .iter()
        .map(|h| {
            (
                str_of(&h["path"]).to_string(),
                str_of(&h["date"]).to_string(),
            )
        })
        .collect();
    for (from, to, first_day, last_day) in [
        ("2011", "2013", "2011-01-01", "2013-12-31"),
        ("2014", "2014-12", "2014-01-01", "2014-12-31"),
        ("2010-06-15", "2012-01-20", "2010-06-15", "2012-01-20"),
    ] {
        let v = similar_json(
            &t,
            &["corpus/v1.txt", "-n", "1000", "--from", from, "--to", to],
        );
        let expected: Vec<&String> = dated
            .iter()
            .filter(|(_, d)| d.as_str() >= first_day && d.as_str() <= last_day)
            .map(|(p, _)| p)
            .collect();
        assert_eq!(set(&paths_of(&v)), set(&expected), "{from}..{to}");
        for hit in array_of(&v["hits"]) {
            let d = str_of(&hit["date"]);
            assert!(
                d >= first_day && d <= last_day,
                "{from}..{to}: {}",
                hit["path"]
            );
        }
        check_shared(&t, &v, &article_text("corpus/v1.txt"));
    }
    let v = similar_json(&t, &["corpus/v1.txt", "--from", "2011", "--to", "2013"]);
    let paths = paths_of(&v);
    assert!(paths.contains(&"corpus/v3.txt".to_string()), "{paths:?}");
    assert!(!paths.contains(&"corpus/v2.txt".to_string()), "{paths:?}");
    assert!(!paths.contains(&"corpus/v4.txt".to_string()), "{paths:?}");
    let v = similar_json(&t, &["corpus/v1.txt", "--from", "2014-09"]);
    assert!(!paths_of(&v).contains(&"corpus/v4.txt".to_string()));
    // Nothing similar before 2010.
    let v = similar_json(&t, &["corpus/v1.txt", "--to", "2009"]);
    assert_eq!(v["total"], 0);
    t.run(["similar", "corpus/v1.txt", "--to", "2009"])
        .assert_code(1);
    // Bad dates are errors.
    t.run(["similar", "corpus/v1.txt", "--from", "2016-13"])
        .assert_code(2);
}

/// A file outside the index is parsed and used: a byte-for-byte copy of an indexed article
/// finds what the article finds but never the indexed original; a new article finds the
/// articles on its subject; `article` names the file as given.
#[test]
fn similar_of_a_file_outside_the_index() {
    let t = similar_corpus();
    t.write("outside/v1.txt", t.read("corpus/v1.txt"));
    let v = similar_json(&t, &["outside/v1.txt", "-n", "1000"]);
    assert_eq!(v["article"], "outside/v1.txt");
    assert_eq!(v["indexed"], false, "read from its file");
    let paths = paths_of(&v);
    assert!(
        !paths.contains(&"corpus/v1.txt".to_string()),
        "the copy's original is the article itself: {paths:?}"
    );
    assert_eq!(set(&paths[..3]), set(&VOLCANOES[1..]), "{paths:?}");
    check_shared(&t, &v, &article_text("corpus/v1.txt"));

    let text = "Lava buried the crater road below the volcano; ash covered the fields.";
    t.write("outside/new.txt", article("2015-05-05", &[text]));
    let v = similar_json(&t, &["outside/new.txt", "-n", "1000"]);
    assert_eq!(v["article"], "outside/new.txt");
    let paths = paths_of(&v);
    assert!(
        VOLCANOES.contains(&paths[0].as_str()),
        "a volcano article first: {paths:?}"
    );
    check_shared(&t, &v, text);
    // Still not indexed.
    t.run(["show", "outside/new.txt"]).assert_code(2);
}

/// A file that is neither indexed nor readable as an article (missing, or not in the dated
/// format) is an error naming it: exit 2, nothing on stdout.
#[test]
fn similar_of_a_missing_or_unparsable_file_is_an_error() {
    let t = similar_corpus();
    t.write("outside/bad.txt", "There is no date line here.\n");
    t.write("outside/empty.txt", "");
    for path in [
        "outside/missing.txt",
        "corpus/nope.txt",
        "outside/bad.txt",
        "outside/empty.txt",
    ] {
        for json in [false, true] {
            let mut args = vec!["similar", path];
            if json {
                args.push("--json");
            }
            let out = t.run(&args);
            out.assert_code(2);
            assert_eq!(out.stdout, "", "{args:?}");
            assert!(
                out.stderr.starts_with("error: "),
                "{args:?}: {}",
                out.stderr
            );
            assert!(
                out.stderr.contains(path),
                "{args:?}: stderr does not name {path}: {}",
                out.stderr
            );
        }
    }
}

/// An article none of whose words occur elsewhere has no similar articles: exit 1, total 0, no
/// hits.
#[test]
fn similar_without_hits_exits_1() {
    let t = similar_corpus();
    let v = similar_json(&t, &["corpus/odd.txt"]);
    assert_eq!(v["total"], 0);
    assert_eq!(v["hits"], serde_json::json!([]));
    t.run(["similar", "corpus/odd.txt"]).assert_code(1);
}

/// A copy of an article indexed under another name is the same article: `similar` of either
/// never returns the other (they share the content hash).
#[test]
fn similar_never_returns_an_indexed_copy_of_the_article() {
    let t = similar_corpus();
    t.write("corpus/copies/v1-again.txt", t.read("corpus/v1.txt"));
    assert_eq!(t.index_corpus().total, SIMILAR.len() as u64 + 1);
    for (given, copy) in [
        ("corpus/v1.txt", "corpus/copies/v1-again.txt"),
        ("corpus/copies/v1-again.txt", "corpus/v1.txt"),
    ] {
        let v = similar_json(&t, &[given, "-n", "1000"]);
        let paths = paths_of(&v);
        assert!(
            !paths.iter().any(|p| p == given || p == copy),
            "{given}: {paths:?}"
        );
        assert_eq!(set(&paths[..3]), set(&VOLCANOES[1..]), "{paths:?}");
    }
}
