//! End-to-end tests of `dateline export`: the data files parse line by line, hold every article
//! of the index (or of the date range) once, round-trip dates (1787 as well as 2016) and
//! paragraphs exactly against `dateline show`, stay under the engines' request limits, and come
//! with a configuration and a README that say what the engines need. Splitting at a small limit
//! is tested in `src/export.rs`.

use crate::common::{HARVEST, NEW_YEAR, SEED, TestDir};
use serde_json::Value;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use yaml_rust2::{Yaml, YamlLoader};

/// The Federalist No. 1, dated 1787-10-27, as the test corpus holds it.
const FEDERALIST: &str = "corpus/federalist/federalist-01.txt";

/// Quickwit's request limit, as `dateline::export` states it.
const QUICKWIT_MAX: u64 = 10_000_000;
/// Elasticsearch's, likewise.
const ELASTICSEARCH_MAX: u64 = 100_000_000;

/// The good fixtures plus the first Federalist Paper (1787), indexed.
fn indexed() -> TestDir {
    let t = TestDir::with_good();
    let federalist = Path::new(env!("CARGO_MANIFEST_DIR")).join(FEDERALIST);
    t.write(
        FEDERALIST,
        fs::read(&federalist).expect("the bundled corpus has Federalist 1"),
    );
    t.index_corpus();
    t
}

/// What one export run wrote, as its summary line says.
struct Export {
    articles: u64,
    files: usize,
    out: PathBuf,
}

/// Runs `dateline export --format FORMAT --out OUT EXTRA…`, expects success, and checks the
/// summary line word for word.
fn export(t: &TestDir, format: &str, out: &str, extra: &[&str]) -> Export {
    let mut args = vec!["export", "--format", format, "--out", out];
    args.extend_from_slice(extra);
    let run = t.run(&args);
    run.assert_code(0);
    assert_eq!(run.stderr, "");
    let line = run.stdout.trim_end();
    let rest = line
        .strip_prefix("exported ")
        .unwrap_or_else(|| panic!("not a summary: {line}"));
    let (articles, rest) = rest.split_once(" articles to ").expect("articles to");
    let rest = rest
        .strip_prefix(&format!("{out} in "))
        .unwrap_or_else(|| panic!("no folder in: {line}"));
    let (files, rest) = rest.split_once(" files (").expect("files");
    assert!(
        rest.ends_with(&format!("); see {out}/README.md")),
        "summary ends oddly: {line}"
    );
    Export {
        articles: articles.parse().expect("an article count"),
        files: files.parse().expect("a file count"),
        out: t.join(out),
    }
}

/// The data files of an export folder, in name order.
fn data_files(out: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ndjson"))
        .collect();
    files.sort();
    files
}

/// The names of everything in a folder, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Every line of every data file, parsed; each file must end with a newline and stay within
/// `limit` bytes.
fn lines(out: &Path, limit: u64) -> Vec<Value> {
    let mut all = Vec::new();
    for file in data_files(out) {
        let len = fs::metadata(&file).unwrap().len();
        assert!(len <= limit, "{} is {len} bytes", file.display());
        let text = fs::read_to_string(&file).unwrap();
        assert!(
            text.ends_with('\n'),
            "{} lacks its last newline",
            file.display()
        );
        for (i, line) in text.lines().enumerate() {
            let v: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{}:{}: not JSON ({e})", file.display(), i + 1));
            all.push(v);
        }
    }
    all
}

/// `dateline show KEY --json`, parsed.
fn show(t: &TestDir, key: &str) -> Value {
    let out = t.run(["show", key, "--json"]);
    out.assert_code(0);
    out.json()
}

/// An article's id and path as the export writes them: relative to the folder holding the
/// index (the test folder), as every other command shows it; it wrote absolute paths.
fn key(t: &TestDir, rel: &str) -> String {
    assert!(
        fs::canonicalize(t.path()).unwrap().join(rel).exists(),
        "{rel}"
    );
    rel.to_string()
}

/// Checks one exported article against `dateline show`: the date (midnight UTC, RFC 3339) and
/// every paragraph, exactly; the title is the first paragraph.
fn assert_round_trips(t: &TestDir, id: &str, source: &Value) {
    let shown = show(t, id);
    let date = shown["date"].as_str().unwrap();
    assert_eq!(source["date"], format!("{date}T00:00:00Z"), "{id}");
    assert_eq!(source["body"], shown["paragraphs"], "{id}");
    assert_eq!(source["title"], shown["paragraphs"][0], "{id}");
    assert_eq!(source["path"], id);
    // A dated file has no authors, source or url: an empty list, and the others left out.
    assert_eq!(source["authors"], shown["authors"], "{id}");
    assert!(source.get("source").is_none() && source.get("url").is_none());
}

/// Every line of a Quickwit export is one article as JSON; the count equals `dateline stats`
/// and the number of lines; ids are the unique, sorted paths; dates (1787 and 2016 alike) and
/// paragraphs read back exactly as `dateline show` gives them.
#[test]
fn quickwit_export_round_trips_every_article() {
    let t = indexed();
    let e = export(&t, "quickwit", "qw", &[]);
    let total = t.article_count();
    assert_eq!(total, 8);
    assert_eq!(e.articles, total);
    assert_eq!(e.files, 3, "one data file, the config and the README");
    assert_eq!(
        names(&e.out),
        ["README.md", "articles-0001.ndjson", "index-config.yaml"]
    );
    let docs = lines(&e.out, QUICKWIT_MAX);
    assert_eq!(docs.len() as u64, total);
    let mut ids = Vec::new();
    for doc in &docs {
        let fields: BTreeSet<&str> = doc
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            fields,
            BTreeSet::from(["id", "path", "date", "title", "body", "authors"])
        );
        let id = doc["id"].as_str().unwrap();
        assert_eq!(doc["path"], id, "id is the path");
        assert_round_trips(&t, id, doc);
        ids.push(id.to_string());
    }
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(ids, sorted, "ids are unique and in path order");

    let by_id = |rel: &str| {
        let k = key(&t, rel);
        docs.iter()
            .find(|d| d["id"] == k)
            .unwrap_or_else(|| panic!("{k} not exported"))
            .clone()
    };
    let federalist = by_id(FEDERALIST);
    assert_eq!(federalist["date"], "1787-10-27T00:00:00Z");
    assert_eq!(
        federalist["title"],
        "FEDERALIST No. 1: General Introduction"
    );
    let seed = by_id(SEED);
    assert_eq!(seed["date"], "2016-09-17T00:00:00Z");
    assert!(
        seed["title"]
            .as_str()
            .unwrap()
            .starts_with("While Russia and the US")
    );
}

/// An Elasticsearch export alternates action and source lines, one pair per article of the
/// index; `_id`s are unique and equal the source's path; the articles read back exactly.
#[test]
fn elasticsearch_export_alternates_actions_and_sources() {
    let t = indexed();
    let e = export(&t, "elasticsearch", "es", &[]);
    assert_eq!(e.articles, t.article_count());
    assert_eq!(
        names(&e.out),
        ["README.md", "bulk-0001.ndjson", "mapping.json"]
    );
    let lines = lines(&e.out, ELASTICSEARCH_MAX);
    assert_eq!(lines.len() as u64, 2 * e.articles);
    let mut ids = BTreeSet::new();
    for pair in lines.chunks(2) {
        let (action, source) = (&pair[0], &pair[1]);
        let target = &action["index"];
        assert_eq!(action.as_object().unwrap().len(), 1, "{action}");
        assert_eq!(target["_index"], "dateline");
        let id = target["_id"].as_str().expect("an _id");
        assert!(ids.insert(id.to_string()), "{id} twice");
        assert!(source.get("index").is_none(), "two actions in a row");
        let fields: BTreeSet<&str> = source
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            fields,
            BTreeSet::from(["path", "date", "title", "body", "authors"])
        );
        assert_round_trips(&t, id, source);
    }
    let federalist = lines
        .chunks(2)
        .find(|p| p[0]["index"]["_id"] == key(&t, FEDERALIST))
        .expect("the 1787 article is exported");
    assert_eq!(federalist[1]["date"], "1787-10-27T00:00:00Z");
}

fn field<'a>(mappings: &'a Yaml, name: &str) -> &'a Yaml {
    mappings
        .as_vec()
        .expect("field_mappings is a list")
        .iter()
        .find(|f| f["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("no field {name}"))
}

/// The Quickwit index config parses as YAML and declares what the issue asks: `date` a fast
/// datetime read from RFC 3339 and the timestamp field; `title` and `body` stemmed text with
/// positions and field norms; `id` and `path` raw; the default search fields; index `dateline`.
#[test]
fn quickwit_config_parses_and_declares_the_fields() {
    let t = indexed();
    let e = export(&t, "quickwit", "qw", &[]);
    let text = fs::read_to_string(e.out.join("index-config.yaml")).unwrap();
    let docs = YamlLoader::load_from_str(&text).expect("index-config.yaml is YAML");
    assert_eq!(docs.len(), 1);
    let config = &docs[0];
    assert_eq!(config["index_id"].as_str(), Some("dateline"));
    assert_eq!(config["version"].as_f64(), Some(0.8));
    let mapping = &config["doc_mapping"];
    assert_eq!(mapping["timestamp_field"].as_str(), Some("date"));
    assert_eq!(mapping["mode"].as_str(), Some("strict"));
    let fields = &mapping["field_mappings"];
    assert_eq!(fields.as_vec().unwrap().len(), 8);

    let date = field(fields, "date");
    assert_eq!(date["type"].as_str(), Some("datetime"));
    assert_eq!(date["fast"].as_bool(), Some(true));
    let formats: Vec<&str> = date["input_formats"]
        .as_vec()
        .unwrap()
        .iter()
        .filter_map(Yaml::as_str)
        .collect();
    assert!(formats.contains(&"rfc3339"), "{formats:?}");
    assert!(!formats.contains(&"unix_timestamp"), "numbers stop at 1972");

    for (name, kind) in [("title", "text"), ("body", "array<text>")] {
        let f = field(fields, name);
        assert_eq!(f["type"].as_str(), Some(kind), "{name}");
        assert_eq!(f["tokenizer"].as_str(), Some("en_stem"), "{name}");
        assert_eq!(f["record"].as_str(), Some("position"), "{name}");
        assert_eq!(f["fieldnorms"].as_bool(), Some(true), "{name}");
    }
    for name in ["id", "path"] {
        let f = field(fields, name);
        assert_eq!(f["type"].as_str(), Some("text"), "{name}");
        assert_eq!(f["tokenizer"].as_str(), Some("raw"), "{name}");
    }
    // Authors and source as keywords: one raw token each, fast for aggregations.
    for (name, kind) in [("authors", "array<text>"), ("source", "text")] {
        let f = field(fields, name);
        assert_eq!(f["type"].as_str(), Some(kind), "{name}");
        assert_eq!(f["tokenizer"].as_str(), Some("raw"), "{name}");
        assert_eq!(f["fast"].as_bool(), Some(true), "{name}");
    }
    assert_eq!(field(fields, "url")["indexed"].as_bool(), Some(false));
    let search: Vec<&str> = config["search_settings"]["default_search_fields"]
        .as_vec()
        .unwrap()
        .iter()
        .filter_map(Yaml::as_str)
        .collect();
    assert_eq!(search, ["title", "body"]);
}

/// `mapping.json` parses and maps `date` as a date (ISO text or epoch milliseconds), `title`
/// and `body` as English-analyzed text, `path` as a keyword, and nothing else.
#[test]
fn elasticsearch_mapping_parses_and_declares_the_fields() {
    let t = indexed();
    let e = export(&t, "elasticsearch", "es", &[]);
    let text = fs::read_to_string(e.out.join("mapping.json")).unwrap();
    let v: Value = serde_json::from_str(&text).expect("mapping.json is JSON");
    let props = &v["mappings"]["properties"];
    assert_eq!(props.as_object().unwrap().len(), 7);
    for name in ["authors", "source", "url"] {
        assert_eq!(props[name]["type"], "keyword", "{name}");
    }
    assert_eq!(props["url"]["index"], false);
    assert_eq!(props["date"]["type"], "date");
    assert_eq!(
        props["date"]["format"],
        "strict_date_optional_time||epoch_millis"
    );
    for name in ["title", "body"] {
        assert_eq!(props[name]["type"], "text", "{name}");
        assert_eq!(props[name]["analyzer"], "english", "{name}");
    }
    assert_eq!(props["path"]["type"], "keyword");
    assert_eq!(v["mappings"]["dynamic"], "strict");
}

/// `--from` and `--to` keep the articles dated within the range, inclusively, as search does.
#[test]
fn from_and_to_restrict_the_export() {
    let t = indexed();
    let expected: BTreeSet<String> = [NEW_YEAR, SEED, HARVEST]
        .iter()
        .map(|r| key(&t, r))
        .collect();
    let e = export(&t, "quickwit", "qw", &["--from", "2016", "--to", "2016-09"]);
    assert_eq!(e.articles, 3);
    let got: BTreeSet<String> = lines(&e.out, QUICKWIT_MAX)
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, expected);

    let e = export(&t, "elasticsearch", "es", &["--to", "1800"]);
    assert_eq!(e.articles, 1);
    let lines = lines(&e.out, ELASTICSEARCH_MAX);
    assert_eq!(lines[0]["index"]["_id"], key(&t, FEDERALIST));
    assert_eq!(lines[1]["date"], "1787-10-27T00:00:00Z");
}

/// A range with no article, and an index with none, write the configuration and the README and
/// no data file.
#[test]
fn nothing_to_export_writes_no_data_file() {
    let t = indexed();
    let e = export(&t, "quickwit", "qw", &["--from", "1700", "--to", "1700"]);
    assert_eq!((e.articles, e.files), (0, 2));
    assert_eq!(names(&e.out), ["README.md", "index-config.yaml"]);
    let readme = fs::read_to_string(e.out.join("README.md")).unwrap();
    assert!(readme.contains("in 0 data files"), "{readme}");

    let empty = TestDir::new();
    empty.index_corpus();
    let e = export(&empty, "elasticsearch", "es", &[]);
    assert_eq!((e.articles, e.files), (0, 2));
    assert_eq!(names(&e.out), ["README.md", "mapping.json"]);
}

/// At the real 10 MB limit, three articles of about 4 MB each go into two Quickwit files (no
/// line split, none over the limit), and the README gives the ingest command of each file.
#[test]
fn large_exports_are_split_and_the_readme_names_every_file() {
    let t = TestDir::new();
    let paragraph = "Convoys of aid reached the city before the winter came. ".repeat(40);
    for i in 0..3 {
        let body = vec![paragraph.as_str(); 1750].join("\n\n");
        t.write(
            &format!("corpus/big-{i}.txt"),
            format!(" date 1788-0{}-01 Big article {i}\n\n{body}\n", i + 1),
        );
    }
    t.index_corpus();
    let e = export(&t, "quickwit", "qw", &[]);
    assert_eq!(e.articles, 3);
    let files = data_files(&e.out);
    assert_eq!(files.len(), 2, "{files:?}");
    assert_eq!(e.files, 4);
    let docs = lines(&e.out, QUICKWIT_MAX);
    assert_eq!(docs.len(), 3);
    let readme = fs::read_to_string(e.out.join("README.md")).unwrap();
    assert!(readme.contains("quickwit index create --index-config index-config.yaml"));
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy();
        let command = format!("quickwit index ingest --index dateline --input-path {name}");
        assert!(
            readme.contains(&command),
            "README lacks `{command}`:\n{readme}"
        );
    }
    assert!(readme.contains("## Dates before 1970"));

    let e = export(&t, "elasticsearch", "es", &[]);
    let readme = fs::read_to_string(e.out.join("README.md")).unwrap();
    assert!(readme.contains(
        "curl -X PUT localhost:9200/dateline -H 'Content-Type: application/json' \
         --data-binary @mapping.json"
    ));
    for f in data_files(&e.out) {
        let name = f.file_name().unwrap().to_string_lossy();
        let command = format!(
            "curl -X POST localhost:9200/_bulk -H 'Content-Type: application/x-ndjson' \
             --data-binary @{name}"
        );
        assert!(
            readme.contains(&command),
            "README lacks `{command}`:\n{readme}"
        );
    }
    assert!(readme.contains("## Dates before 1970"));
}

/// Exporting into a folder of an earlier export removes its data files (of either format) and
/// the other engine's configuration, and leaves other files alone.
#[test]
fn a_reused_folder_holds_exactly_the_new_export() {
    let t = indexed();
    for stale in [
        "out/articles-0001.ndjson",
        "out/articles-0009.ndjson",
        "out/bulk-0002.ndjson",
        "out/mapping.json",
    ] {
        t.write(stale, "stale\n");
    }
    t.write("out/notes.txt", "mine\n");
    let e = export(&t, "quickwit", "out", &[]);
    assert_eq!(
        names(&e.out),
        [
            "README.md",
            "articles-0001.ndjson",
            "index-config.yaml",
            "notes.txt"
        ]
    );
    assert_eq!(lines(&e.out, QUICKWIT_MAX).len() as u64, e.articles);
    assert_eq!(t.read("out/notes.txt"), b"mine\n");
}

/// Two exports of the same index are the same bytes.
#[test]
fn exports_are_deterministic() {
    let t = indexed();
    for format in ["quickwit", "elasticsearch"] {
        let a = export(&t, format, "a", &[]);
        let b = export(&t, format, "b", &[]);
        for name in names(&a.out) {
            assert_eq!(
                fs::read(a.out.join(&name)).unwrap(),
                fs::read(b.out.join(&name)).unwrap(),
                "{format}: {name} differs"
            );
        }
        fs::remove_dir_all(&a.out).unwrap();
        fs::remove_dir_all(&b.out).unwrap();
    }
}

/// An output folder that cannot be made is an error (exit 2) naming it.
#[test]
fn an_output_that_cannot_be_created_is_an_error_naming_it() {
    let t = indexed();
    t.write("taken", "a file, not a folder\n");
    for out in ["taken", "taken/sub"] {
        let run = t.run(["export", "--format", "quickwit", "--out", out]);
        run.assert_code(2);
        assert!(
            run.stderr
                .starts_with(&format!("error: cannot create {out}: ")),
            "{}",
            run.stderr
        );
        assert_eq!(run.stdout, "");
    }
}

/// Without an index there is nothing to export: exit 2 and the usual hint.
#[test]
fn exporting_without_an_index_is_an_error() {
    let t = TestDir::new();
    let run = t.run(["export", "--format", "elasticsearch"]);
    run.assert_code(2);
    assert!(run.stderr.contains("no index at idx"), "{}", run.stderr);
    assert!(!t.join("export").exists(), "nothing is written");
}
