//! `dateline export`: the indexed corpus, read back from the index, in the ingest format of a
//! distributed engine (Quickwit, or Elasticsearch/OpenSearch), with the configuration that makes
//! it index the articles as dateline does.
//!
//! Articles are streamed: the live documents' path ordinals are gathered per segment (a few bytes
//! each), each segment's list is walked in the order of its path dictionary, and the segments are
//! merged by key, so the files come out sorted by path and each stored article is read, written
//! and dropped in turn. Data files are cut before a record would take one past the engine's
//! request limit; a record (a line, or an action and its source) is never split.

use crate::corpus;
use crate::index::schema::{self, Fields};
use crate::index::store::Store;
use crate::search::plan::DateRange;
use anyhow::{Context, anyhow, bail};
use serde::Serialize;
use std::fmt::Write as _;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::query::{AllQuery, Query};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader, TantivyDocument};

/// The most bytes a Quickwit data file holds. Quickwit's ingest API refuses larger requests
/// (`content_length_limit`, 10 MiB by default); ten million bytes stays under it whichever
/// megabyte is meant.
pub const QUICKWIT_MAX_BYTES: u64 = 10_000_000;

/// The most bytes an Elasticsearch `_bulk` file holds: under `http.max_content_length`, whose
/// default `100mb` is 104,857,600 bytes (OpenSearch has the same default).
pub const ELASTICSEARCH_MAX_BYTES: u64 = 100_000_000;

/// The longest `_id` Elasticsearch and OpenSearch accept, in bytes.
pub const ELASTICSEARCH_MAX_ID_BYTES: usize = 512;

/// The name of the index in both engines.
pub const INDEX_NAME: &str = "dateline";

/// The Quickwit index config written beside the data files.
pub const QUICKWIT_CONFIG: &str = "index-config.yaml";

/// The Elasticsearch index settings and mappings written beside the data files.
pub const ELASTICSEARCH_MAPPING: &str = "mapping.json";

/// The instructions written beside the data files.
pub const README: &str = "README.md";

/// What an export found wrong with the index it reads: a front end may suggest checking it.
#[derive(Debug, thiserror::Error)]
pub enum Damaged {
    /// Documents without the path field.
    #[error("{0} documents of the index have no path")]
    NoPath(u64),
    /// A document, by its path as shown, without a date.
    #[error("{0}: no date in the index")]
    NoDate(String),
}

/// The engine to export for: `--format` on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Quickwit: NDJSON files of at most 10 MB and an index config YAML.
    #[value(help = "Quickwit: NDJSON of at most 10 MB per file and an index config YAML")]
    Quickwit,
    /// Elasticsearch or OpenSearch: `_bulk` NDJSON files under 100 MB and an index mapping.
    #[value(help = "Elasticsearch or OpenSearch: _bulk NDJSON under 100 MB per file and a mapping")]
    Elasticsearch,
}

impl Format {
    /// The format's one spelling (`quickwit`, `elasticsearch`), as `--format` takes it.
    pub fn name(self) -> String {
        use clap::ValueEnum;
        self.to_possible_value()
            .map(|v| v.get_name().to_string())
            .unwrap_or_default()
    }

    /// The most bytes one data file of this format holds.
    pub fn max_bytes(self) -> u64 {
        match self {
            Format::Quickwit => QUICKWIT_MAX_BYTES,
            Format::Elasticsearch => ELASTICSEARCH_MAX_BYTES,
        }
    }

    /// Data files are named `PREFIX-0001.ndjson`, `PREFIX-0002.ndjson`, …
    pub fn data_prefix(self) -> &'static str {
        match self {
            Format::Quickwit => "articles",
            Format::Elasticsearch => "bulk",
        }
    }

    /// The name of the engine's configuration file.
    pub fn config_name(self) -> &'static str {
        match self {
            Format::Quickwit => QUICKWIT_CONFIG,
            Format::Elasticsearch => ELASTICSEARCH_MAPPING,
        }
    }

    fn other(self) -> Format {
        match self {
            Format::Quickwit => Format::Elasticsearch,
            Format::Elasticsearch => Format::Quickwit,
        }
    }
}

/// What to export, and where.
#[derive(Debug, Clone)]
pub struct Options {
    /// The engine's format.
    pub format: Format,
    /// The output folder (created; files in it with the names export writes are replaced).
    pub out: PathBuf,
    /// Only articles dated within this range.
    pub range: DateRange,
}

/// What an export wrote.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ExportSummary {
    /// Articles written.
    pub articles: u64,
    /// The files written, data files first.
    pub files: Vec<PathBuf>,
    /// Bytes written in all.
    pub bytes: u64,
}

/// Writes the export.
pub fn run(store: &Store, opts: &Options) -> anyhow::Result<ExportSummary> {
    run_with_limit(store, opts, opts.format.max_bytes())
}

/// Writes the export with data files of at most `max_bytes` each (tests force several files
/// with a small limit). An article whose record alone is larger is an error.
pub fn run_with_limit(
    store: &Store,
    opts: &Options,
    max_bytes: u64,
) -> anyhow::Result<ExportSummary> {
    let out = &opts.out;
    fs::create_dir_all(out).map_err(|e| cannot("create", out, &e))?;
    remove_stale(out, opts.format)?;

    let mut data = DataFiles::new(out, opts.format.data_prefix(), max_bytes);
    let mut record = Vec::with_capacity(64 * 1024);
    // Ids and paths as people see them: relative to the folder holding the index (wherever
    // export runs), as `dateline serve` shows them.
    let home = store.home();
    let articles = for_each_article(store, &opts.range, |article| {
        record.clear();
        let shown = corpus::display_key_from(home, &article.path);
        encode(opts.format, &article, &shown, &mut record)?;
        data.write(&record, &article.path)
    })?;
    let data = data.finish()?;

    let mut files: Vec<PathBuf> = data.iter().map(|f| f.path.clone()).collect();
    let mut bytes: u64 = data.iter().map(|f| f.bytes).sum();
    let config = match opts.format {
        Format::Quickwit => quickwit_config(),
        Format::Elasticsearch => elasticsearch_mapping(),
    };
    let readme = readme(opts, &data, articles);
    for (name, text) in [(opts.format.config_name(), config), (README, readme)] {
        let path = out.join(name);
        fs::write(&path, &text).map_err(|e| cannot("write", &path, &e))?;
        bytes += text.len() as u64;
        files.push(path);
    }
    Ok(ExportSummary {
        articles,
        files,
        bytes,
    })
}

/// `cannot write DIR/x: reason`, without the `io::Error` in the chain (a broken pipe there
/// would read as a closed stdout).
fn cannot(what: &str, path: &Path, e: &std::io::Error) -> anyhow::Error {
    anyhow!("cannot {what} {}: {}", path.display(), corpus::io_reason(e))
}

/// Whether a file name is one of export's data files (`articles-0001.ndjson`, `bulk-12.ndjson`).
fn is_data_file(name: &str) -> bool {
    [Format::Quickwit, Format::Elasticsearch].iter().any(|f| {
        name.strip_prefix(f.data_prefix())
            .and_then(|rest| rest.strip_prefix('-'))
            .and_then(|rest| rest.strip_suffix(".ndjson"))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// Removes what an earlier export left in the folder (its data files, of either format, and the
/// other engine's configuration), so that it holds exactly this export. Other files stay.
fn remove_stale(out: &Path, format: Format) -> anyhow::Result<()> {
    let entries = fs::read_dir(out).map_err(|e| cannot("read", out, &e))?;
    for entry in entries {
        let entry = entry.map_err(|e| cannot("read", out, &e))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !(is_data_file(name) || name == format.other().config_name()) {
            continue;
        }
        let path = entry.path();
        if path.is_file() {
            fs::remove_file(&path).map_err(|e| cannot("remove", &path, &e))?;
        }
    }
    Ok(())
}

use crate::index::schema::Stored as Article;

/// Calls `f` with every live article dated within `range`, sorted by key; returns how many.
fn for_each_article(
    store: &Store,
    range: &DateRange,
    mut f: impl FnMut(Article) -> anyhow::Result<()>,
) -> anyhow::Result<u64> {
    let reader = store.reader()?;
    let searcher = reader.searcher();
    let query: Box<dyn Query> = if range.is_bounded() {
        range.to_query(store.fields)
    } else {
        Box::new(AllQuery)
    };
    let fruits = searcher
        .search(query.as_ref(), &PathOrds)
        .context("reading the index")?;

    let (mut columns, mut lists, mut missing) = (Vec::new(), Vec::new(), 0u64);
    for fruit in fruits {
        missing += fruit.missing;
        if let Some(column) = fruit.paths
            && !fruit.docs.is_empty()
        {
            columns.push(column);
            lists.push((fruit.segment, fruit.docs));
        }
    }
    if missing > 0 {
        return Err(Damaged::NoPath(missing).into());
    }

    // One cursor per segment: its matching documents in path order, and its path dictionary
    // streamed alongside, standing on the key of the next document.
    let mut cursors = Vec::with_capacity(columns.len());
    for (column, (segment, docs)) in columns.iter().zip(lists) {
        cursors.push(Cursor {
            segment,
            docs,
            next: 0,
            terms: column
                .dictionary()
                .stream()
                .map_err(|e| anyhow!("reading the index: {e}"))?,
            at: None,
        });
    }
    let mut count = 0u64;
    let mut last: Option<Vec<u8>> = None;
    loop {
        for c in cursors.iter_mut() {
            let Some(&(ord, _)) = c.docs.get(c.next) else {
                continue;
            };
            while c.at.is_none_or(|at| at < ord) {
                if !c.terms.advance() {
                    bail!("reading the index: a path ordinal past the end of its dictionary");
                }
                c.at = Some(c.at.map_or(0, |at| at + 1));
            }
        }
        let Some(next) = (0..cursors.len())
            .filter(|&i| cursors[i].next < cursors[i].docs.len())
            .min_by(|&a, &b| cursors[a].terms.key().cmp(cursors[b].terms.key()))
        else {
            break;
        };
        let c = &mut cursors[next];
        let (_, doc) = c.docs[c.next];
        c.next += 1;
        let key = c.terms.key();
        // A sound index has one live document per path (`dateline check`); should it hold two,
        // the key is written once, so ids stay unique.
        if last.as_deref() == Some(key) {
            continue;
        }
        last = Some(key.to_vec());
        let key = String::from_utf8_lossy(key).into_owned();
        let stored: TantivyDocument = searcher
            .doc(DocAddress::new(c.segment, doc))
            .with_context(|| format!("reading {} from the index", corpus::display_key(&key)))?;
        let article = read_article(key, &stored, store.fields)?;
        f(article)?;
        count += 1;
    }
    Ok(count)
}

/// A segment's matching documents in path order, and where its dictionary stream stands.
struct Cursor<S> {
    segment: SegmentOrdinal,
    /// (path ordinal, document), sorted.
    docs: Vec<(u64, DocId)>,
    /// The index in `docs` of the next document to write.
    next: usize,
    terms: S,
    /// The ordinal of the stream's current key; `None` before the first.
    at: Option<u64>,
}

fn read_article(key: String, doc: &TantivyDocument, f: Fields) -> anyhow::Result<Article> {
    let mut article = Article::from_doc(doc, f);
    if article.date.is_empty() {
        return Err(Damaged::NoDate(corpus::display_key(&key)).into());
    }
    // The key as the path dictionary gives it.
    article.path = key;
    Ok(article)
}

/// Gathers, per segment, the path ordinal of every matching document.
struct PathOrds;

/// What [`PathOrds`] found in one segment.
struct SegmentPaths {
    segment: SegmentOrdinal,
    paths: Option<StrColumn>,
    /// (path ordinal, document), sorted once harvested.
    docs: Vec<(u64, DocId)>,
    /// Matching documents without a path.
    missing: u64,
}

impl Collector for PathOrds {
    type Fruit = Vec<SegmentPaths>;
    type Child = SegmentPaths;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentPaths> {
        Ok(SegmentPaths {
            segment,
            paths: reader.fast_fields().str(schema::PATH)?,
            docs: Vec::new(),
            missing: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<SegmentPaths>) -> tantivy::Result<Vec<SegmentPaths>> {
        Ok(fruits)
    }
}

impl SegmentCollector for SegmentPaths {
    type Fruit = SegmentPaths;

    fn collect(&mut self, doc: DocId, _score: Score) {
        match self.paths.as_ref().and_then(|p| p.term_ords(doc).next()) {
            Some(ord) => self.docs.push((ord, doc)),
            None => self.missing += 1,
        }
    }

    fn harvest(mut self) -> SegmentPaths {
        self.docs.sort_unstable();
        self
    }
}

/// A Quickwit document.
#[derive(Serialize)]
struct QuickwitDoc<'a> {
    id: &'a str,
    path: &'a str,
    date: &'a str,
    title: &'a str,
    body: &'a [String],
    authors: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
}

/// The action line of a `_bulk` request.
#[derive(Serialize)]
struct BulkAction<'a> {
    index: BulkTarget<'a>,
}

#[derive(Serialize)]
struct BulkTarget<'a> {
    #[serde(rename = "_index")]
    index: &'a str,
    #[serde(rename = "_id")]
    id: &'a str,
}

/// The source line of a `_bulk` request (the id is the action's `_id`).
#[derive(Serialize)]
struct BulkSource<'a> {
    path: &'a str,
    date: &'a str,
    title: &'a str,
    body: &'a [String],
    authors: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
}

/// Appends an article's record to `out`: one line (Quickwit), or an action line and a source
/// line (Elasticsearch), each ending in a newline.
fn encode(format: Format, a: &Article, id: &str, out: &mut Vec<u8>) -> anyhow::Result<()> {
    let date = a.rfc3339();
    match format {
        Format::Quickwit => {
            let doc = QuickwitDoc {
                id,
                path: id,
                date: &date,
                title: a.heading(),
                body: &a.paragraphs,
                authors: &a.authors,
                source: a.source.as_deref(),
                url: a.url.as_deref(),
            };
            serde_json::to_writer(&mut *out, &doc)?;
            out.push(b'\n');
        }
        Format::Elasticsearch => {
            if id.len() > ELASTICSEARCH_MAX_ID_BYTES {
                bail!(
                    "cannot export {}: its path, the document's _id, is {} bytes, over the \
                     {ELASTICSEARCH_MAX_ID_BYTES} Elasticsearch accepts",
                    corpus::display_key(&a.path),
                    id.len()
                );
            }
            let action = BulkAction {
                index: BulkTarget {
                    index: INDEX_NAME,
                    id,
                },
            };
            serde_json::to_writer(&mut *out, &action)?;
            out.push(b'\n');
            let source = BulkSource {
                path: id,
                date: &date,
                title: a.heading(),
                body: &a.paragraphs,
                authors: &a.authors,
                source: a.source.as_deref(),
                url: a.url.as_deref(),
            };
            serde_json::to_writer(&mut *out, &source)?;
            out.push(b'\n');
        }
    }
    Ok(())
}

/// A data file written.
struct DataFile {
    path: PathBuf,
    bytes: u64,
    articles: u64,
}

/// The file being written.
struct OpenFile {
    path: PathBuf,
    writer: BufWriter<File>,
    bytes: u64,
    articles: u64,
}

/// Numbered data files, each cut before a record would take it past the limit.
struct DataFiles {
    dir: PathBuf,
    prefix: &'static str,
    limit: u64,
    open: Option<OpenFile>,
    done: Vec<DataFile>,
}

impl DataFiles {
    fn new(dir: &Path, prefix: &'static str, limit: u64) -> DataFiles {
        DataFiles {
            dir: dir.to_path_buf(),
            prefix,
            limit,
            open: None,
            done: Vec::new(),
        }
    }

    /// Writes one article's record, in the current file or a new one.
    fn write(&mut self, record: &[u8], key: &str) -> anyhow::Result<()> {
        let len = record.len() as u64;
        if len > self.limit {
            bail!(
                "cannot export {}: it takes {len} bytes in the export, over the {} bytes a data \
                 file may hold",
                corpus::display_key(key),
                self.limit
            );
        }
        if self
            .open
            .as_ref()
            .is_some_and(|f| f.bytes + len > self.limit)
        {
            self.close()?;
        }
        if self.open.is_none() {
            let name = format!("{}-{:04}.ndjson", self.prefix, self.done.len() + 1);
            let path = self.dir.join(name);
            let file = File::create(&path).map_err(|e| cannot("write", &path, &e))?;
            self.open = Some(OpenFile {
                path,
                writer: BufWriter::with_capacity(256 * 1024, file),
                bytes: 0,
                articles: 0,
            });
        }
        let Some(file) = self.open.as_mut() else {
            unreachable!("a file was opened above")
        };
        file.writer
            .write_all(record)
            .map_err(|e| cannot("write", &file.path, &e))?;
        file.bytes += len;
        file.articles += 1;
        Ok(())
    }

    fn close(&mut self) -> anyhow::Result<()> {
        if let Some(f) = self.open.take() {
            f.writer
                .into_inner()
                .map_err(|e| cannot("write", &f.path, e.error()))?;
            self.done.push(DataFile {
                path: f.path,
                bytes: f.bytes,
                articles: f.articles,
            });
        }
        Ok(())
    }

    fn finish(mut self) -> anyhow::Result<Vec<DataFile>> {
        self.close()?;
        Ok(self.done)
    }
}

/// The Quickwit index config: the fields analyzed as dateline analyzes them (stemmed words with
/// positions and length norms, for phrases and BM25), the date as the timestamp field.
fn quickwit_config() -> String {
    format!(
        r#"# Quickwit index config for the articles `dateline export --format quickwit` wrote beside
# it. Create the index with: quickwit index create --index-config {QUICKWIT_CONFIG}
version: 0.8
index_id: {INDEX_NAME}
doc_mapping:
  # A field not listed here is an error, not silently indexed.
  mode: strict
  field_mappings:
    # The article's key in dateline: its absolute path (also `path`). One token each.
    - name: id
      type: text
      tokenizer: raw
    - name: path
      type: text
      tokenizer: raw
    # Midnight UTC, written as RFC 3339 text so that dates before 1970 are accepted
    # (Quickwit's unix_timestamp input format only takes 1972-04-13 to 2242-03-16).
    - name: date
      type: datetime
      input_formats: [rfc3339]
      output_format: rfc3339
      fast: true
      fast_precision: seconds
    # The first paragraph (a headline or lede); it is also the first value of body.
    # en_stem is built into Quickwit 0.8; 0.9.0 dropped it (quickwit#6154) and refuses this
    # config ("unknown tokenizer"): there, replace en_stem by default (no stemming).
    - name: title
      type: text
      tokenizer: en_stem
      record: position
      fieldnorms: true
    # The paragraphs, in order.
    - name: body
      type: array<text>
      tokenizer: en_stem
      record: position
      fieldnorms: true
    # The authors and the source as keywords (one token each, as written), fast for
    # aggregations; absent (no authors: an empty list) when the archive gives none.
    - name: authors
      type: array<text>
      tokenizer: raw
      fast: true
    - name: source
      type: text
      tokenizer: raw
      fast: true
    # Where the article was published: kept, not searched.
    - name: url
      type: text
      indexed: false
  timestamp_field: date
search_settings:
  default_search_fields: [title, body]
"#
    )
}

/// The Elasticsearch/OpenSearch index: settings and mappings.
fn elasticsearch_mapping() -> String {
    let mapping = serde_json::json!({
        "settings": {
            // One shard: one set of term statistics for BM25, as in dateline's index.
            "index": { "number_of_shards": 1 }
        },
        "mappings": {
            "dynamic": "strict",
            "properties": {
                "path": { "type": "keyword" },
                "date": { "type": "date", "format": "strict_date_optional_time||epoch_millis" },
                "title": { "type": "text", "analyzer": "english" },
                "body": { "type": "text", "analyzer": "english" },
                "authors": { "type": "keyword" },
                "source": { "type": "keyword" },
                "url": { "type": "keyword", "index": false }
            }
        }
    });
    let mut text = serde_json::to_string_pretty(&mapping).expect("a JSON value serializes");
    text.push('\n');
    text
}

/// What the range covers, in words.
fn describe_range(range: &DateRange) -> String {
    match (range.from, range.to) {
        (None, None) => "every article of the index".to_string(),
        (Some(f), None) => format!("the articles dated {f} or later"),
        (None, Some(t)) => format!("the articles dated {t} or earlier"),
        (Some(f), Some(t)) => format!("the articles dated {f} to {t}"),
    }
}

/// The README of the output folder: what is there and the commands that load it.
fn readme(opts: &Options, data: &[DataFile], articles: u64) -> String {
    let mut s = String::new();
    let (engine, config_what) = match opts.format {
        Format::Quickwit => ("Quickwit", "the Quickwit index config (index `dateline`)"),
        Format::Elasticsearch => (
            "Elasticsearch or OpenSearch",
            "the index settings and mappings (index `dateline`)",
        ),
    };
    let limit = opts.format.max_bytes();
    let _ = writeln!(s, "# dateline export for {engine}\n");
    let _ = writeln!(
        s,
        "Written by `dateline export --format {}`: {} ({articles} {}), read back from the \
         dateline index and sorted by path, in {} data {} (at most {} bytes each).\n",
        opts.format.name(),
        describe_range(&opts.range),
        if articles == 1 { "article" } else { "articles" },
        data.len(),
        if data.len() == 1 { "file" } else { "files" },
        thousands(limit),
    );
    let _ = writeln!(s, "| file | holds |\n|---|---|");
    let _ = writeln!(s, "| `{}` | {config_what} |", opts.format.config_name());
    for f in data {
        let _ = writeln!(
            s,
            "| `{}` | {} {}, {} bytes |",
            file_name(&f.path),
            f.articles,
            if f.articles == 1 {
                "article"
            } else {
                "articles"
            },
            thousands(f.bytes)
        );
    }
    s.push('\n');
    match opts.format {
        Format::Quickwit => quickwit_readme(&mut s, data),
        Format::Elasticsearch => elasticsearch_readme(&mut s, data),
    }
    s
}

/// `10000000` as `10,000,000`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn quickwit_readme(s: &mut String, data: &[DataFile]) {
    s.push_str(
        "Each line of a data file is one article: `id` and `path` (the article's absolute path as \
         dateline indexed it, its unique key), `date` (RFC 3339, midnight UTC), `title` (the \
         title the archive gives, else the first paragraph), `body` (every paragraph, the first \
         included, in order), `authors` (a list, empty when none is known) and, when known, \
         `source` and `url`. The files \
         are cut at 10,000,000 bytes so that each also fits one request to the ingest REST API \
         (`POST /api/v1/dateline/ingest`), which refuses larger payloads (10 MiB by default); a \
         line is never split.\n\n",
    );
    s.push_str("## Load\n\nFrom this folder, with a Quickwit node running (`quickwit run`):\n\n");
    s.push_str("```sh\n");
    let _ = writeln!(s, "quickwit index create --index-config {QUICKWIT_CONFIG}");
    for f in data {
        let _ = writeln!(
            s,
            "quickwit index ingest --index {INDEX_NAME} --input-path {}",
            file_name(&f.path)
        );
    }
    s.push_str("```\n\n");
    let _ = writeln!(
        s,
        "Or, for the data files whatever their number:\n\n```sh\nfor f in {}-*.ndjson; do \
         quickwit index ingest --index {INDEX_NAME} --input-path \"$f\"; done\n```\n",
        Format::Quickwit.data_prefix()
    );
    s.push_str(
        "Then search: `quickwit index search --index dateline --query '\"standing army\"'`. \
         `title` and `body` are stemmed with `en_stem` (dateline also folds accents, which \
         `en_stem` does not), with positions (phrase queries) and field norms (BM25).\n\n",
    );
    s.push_str(
        "**Quickwit 0.9.** `en_stem` is built into Quickwit 0.8, but Quickwit 0.9.0 no longer \
         registers it (it went with the `multilang` feature, \
         [quickwit#6154](https://github.com/quickwit-oss/quickwit/pull/6154), although the 0.9 \
         documentation still lists it), so `quickwit index create` refuses this config with \
         ``unknown tokenizer `en_stem` ``. On 0.9, index without stemming:\n\n\
         ```sh\nsed -i 's/tokenizer: en_stem/tokenizer: default/' index-config.yaml\n```\n\n",
    );
    s.push_str(
        "## Dates before 1970\n\n\
         Every date is RFC 3339 text with a four-digit year (`1787-10-27T00:00:00Z`), and the \
         config accepts only `rfc3339`. Quickwit parses such text without a range check and keeps \
         datetimes as signed 64-bit nanoseconds (tantivy's, about 1678 to 2262), so dates before \
         1970 are accepted; its `unix_timestamp` input format, by contrast, only takes \
         1972-04-13 to 2242-03-16 ([index config reference](https://quickwit.io/docs/configuration/index-config), \
         [date_time_parsing.rs](https://github.com/quickwit-oss/quickwit/blob/main/quickwit/quickwit-datetime/src/date_time_parsing.rs)), \
         which is why no date is written as a number. Split time ranges are signed too \
         ([quickwit#97](https://github.com/quickwit-oss/quickwit/pull/97)). This was read in \
         Quickwit's source and documentation, not tried on a running Quickwit: unconfirmed. To \
         filter by date, use RFC 3339 text (`date:[1787-01-01T00:00:00Z TO 1788-12-31T00:00:00Z]`); \
         whether `start_timestamp`/`end_timestamp` take negative seconds is unconfirmed.\n",
    );
}

fn elasticsearch_readme(s: &mut String, data: &[DataFile]) {
    s.push_str(
        "Each data file is a `_bulk` request body: for every article an action line \
         (`{\"index\": {\"_index\": \"dateline\", \"_id\": PATH}}`, the article's absolute path as \
         dateline indexed it, its unique key) and a source line with `path`, `date` (RFC 3339, \
         midnight UTC), `title` (the title the archive gives, else the first paragraph), `body` (every \
         paragraph, the first included, in order), `authors` (a list, empty when none is known) \
         and, when known, `source` and `url` (`authors` and `source` are keywords). The files \
         stay under 100,000,000 bytes because Elasticsearch \
         refuses larger requests (`http.max_content_length`, 100mb by default); an action is \
         never separated from its source.\n\n",
    );
    s.push_str(
        "## Load\n\nFrom this folder, with Elasticsearch or OpenSearch on localhost:9200 (with \
         security on, as Elasticsearch 8 has by default, add `-u USER:PASSWORD` and use \
         `https://` with `--cacert`):\n\n",
    );
    s.push_str("```sh\n");
    let _ = writeln!(
        s,
        "curl -X PUT localhost:9200/{INDEX_NAME} -H 'Content-Type: application/json' \
         --data-binary @{ELASTICSEARCH_MAPPING}"
    );
    for f in data {
        let _ = writeln!(
            s,
            "curl -X POST localhost:9200/_bulk -H 'Content-Type: application/x-ndjson' \
             --data-binary @{}",
            file_name(&f.path)
        );
    }
    s.push_str("```\n\n");
    let _ = writeln!(
        s,
        "Or, for the data files whatever their number:\n\n```sh\nfor f in {}-*.ndjson; do curl \
         -X POST localhost:9200/_bulk -H 'Content-Type: application/x-ndjson' --data-binary \
         \"@$f\"; done\n```\n",
        Format::Elasticsearch.data_prefix()
    );
    s.push_str(
        "A `_bulk` response says `\"errors\":false` when every article was taken; look for \
         `\"errors\":true` otherwise. Then `curl 'localhost:9200/dateline/_count'`. `title` and \
         `body` use the `english` analyzer (Porter stemming; unlike dateline it also drops \
         English stop words), with positions, so phrase queries work; a phrase does not run \
         from one paragraph into the next.\n\n",
    );
    s.push_str(
        "## Dates before 1970\n\n\
         Elasticsearch keeps dates as signed milliseconds since 1970 and accepts earlier dates \
         written as text; since 7.0 it refuses negative `epoch_millis` numbers: \"Values for \
         milliseconds-since-the-epoch must be non-negative. Use a formatted date to represent \
         dates before 1970\" ([date field type](https://www.elastic.co/guide/en/elasticsearch/reference/8.0/date.html), \
         [elasticsearch#40983](https://github.com/elastic/elasticsearch/issues/40983), \
         [elasticsearch#61379](https://github.com/elastic/elasticsearch/pull/61379)). The export \
         writes every date as RFC 3339 text with a four-digit year (`1787-10-27T00:00:00Z`), which \
         `strict_date_optional_time` reads; filter with text too (`\"range\": {\"date\": {\"gte\": \
         \"1787-01-01\", \"lte\": \"1788-12-31\"}}`), never with negative numbers. OpenSearch \
         shares the date parsing of Elasticsearch 7.10, from which it was forked, but the OpenSearch \
         documentation found does not state the rule, and it has an open bug on negative epoch \
         milliseconds ([OpenSearch#12693](https://github.com/opensearch-project/OpenSearch/issues/12693)): \
         text dates before 1970 are expected to work there, unconfirmed. Neither engine was run \
         on this export.\n",
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::store;
    use crate::index::writer::{self, Silent};
    use std::collections::BTreeSet;

    /// `n` articles of a few hundred bytes, on dates from 1787 on, named out of order.
    fn corpus(n: usize) -> Vec<(String, String)> {
        (0..n)
            .map(|i| {
                let year = 1787 + (i * 7) % 240;
                let name = format!("a{:03}.txt", (i * 37) % n);
                let text = format!(
                    " date {year}-10-27 Headline number {i} \"quoted\" and ünïcode\n\n\
                     {}\n\nLast paragraph of {i}.\n",
                    "A paragraph of words about convoys and aid. ".repeat(3 + i % 5)
                );
                (name, text)
            })
            .collect()
    }

    fn opts(format: Format, out: &Path) -> Options {
        Options {
            format,
            out: out.to_path_buf(),
            range: DateRange::default(),
        }
    }

    /// Every line of the data files, file by file.
    fn lines_of(report: &ExportSummary) -> Vec<Vec<serde_json::Value>> {
        report
            .files
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "ndjson"))
            .map(|p| {
                let text = fs::read_to_string(p).unwrap();
                assert!(
                    text.ends_with('\n'),
                    "{} ends without a newline",
                    p.display()
                );
                text.lines()
                    .map(|l| serde_json::from_str(l).expect("a line is JSON"))
                    .collect()
            })
            .collect()
    }

    /// At a small limit the export is cut into several files, none over the limit, with every
    /// article exactly once, in path order, and no line split.
    #[test]
    fn small_limits_split_files_without_splitting_records() {
        let (_dir, store) = writer::index_files(corpus(60));
        for format in [Format::Quickwit, Format::Elasticsearch] {
            let out = tempfile::tempdir().unwrap();
            let limit = 4_000;
            let report = run_with_limit(&store, &opts(format, out.path()), limit).unwrap();
            assert_eq!(report.articles, 60);
            let data: Vec<&PathBuf> = report
                .files
                .iter()
                .filter(|p| p.extension().is_some_and(|e| e == "ndjson"))
                .collect();
            assert!(data.len() > 3, "{format:?}: {} files", data.len());
            for (i, p) in data.iter().enumerate() {
                let name = format!("{}-{:04}.ndjson", format.data_prefix(), i + 1);
                assert_eq!(p.file_name().unwrap().to_str().unwrap(), name);
                let len = fs::metadata(p).unwrap().len();
                assert!(len <= limit, "{} is {len} bytes", p.display());
            }
            let mut keys = Vec::new();
            for lines in lines_of(&report) {
                match format {
                    Format::Quickwit => {
                        keys.extend(lines.iter().map(|l| l["id"].as_str().unwrap().to_string()))
                    }
                    Format::Elasticsearch => {
                        assert_eq!(lines.len() % 2, 0, "an action parted from its source");
                        for pair in lines.chunks(2) {
                            let id = pair[0]["index"]["_id"].as_str().unwrap();
                            assert_eq!(pair[1]["path"].as_str(), Some(id));
                            keys.push(id.to_string());
                        }
                    }
                }
            }
            assert_eq!(keys.len(), 60);
            let mut sorted = keys.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(keys, sorted, "{format:?}: not sorted by path, or repeated");
            let total: u64 = report
                .files
                .iter()
                .map(|p| fs::metadata(p).unwrap().len())
                .sum();
            assert_eq!(report.bytes, total);
        }
    }

    /// A record larger than a whole file is refused, naming the article.
    #[test]
    fn a_record_over_the_limit_is_an_error() {
        let (_dir, store) = writer::index_files(corpus(3));
        let out = tempfile::tempdir().unwrap();
        let e = run_with_limit(&store, &opts(Format::Quickwit, out.path()), 100).unwrap_err();
        let msg = e.to_string();
        assert!(msg.starts_with("cannot export "), "{msg}");
        assert!(
            msg.contains("a000.txt") && msg.contains("over the 100 bytes"),
            "{msg}"
        );
    }

    /// Articles spread over segments (a second run re-indexes one and adds others) come out
    /// merged in path order, the re-indexed one once with its new text.
    #[test]
    fn segments_are_merged_in_path_order() {
        let corpus_dir = tempfile::tempdir().unwrap();
        let index_dir = tempfile::tempdir().unwrap();
        let run_index = || {
            let opts = writer::Options {
                threads: 1,
                ..writer::Options::default()
            };
            writer::run(
                index_dir.path(),
                &[corpus_dir.path().to_path_buf()],
                &opts,
                &Silent,
            )
            .unwrap()
        };
        for name in ["b.txt", "d.txt", "f.txt"] {
            fs::write(corpus_dir.path().join(name), " date 1800-01-01 First run\n").unwrap();
        }
        run_index();
        for name in ["a.txt", "c.txt", "e.txt"] {
            fs::write(
                corpus_dir.path().join(name),
                " date 1900-01-01 Second run\n",
            )
            .unwrap();
        }
        fs::write(
            corpus_dir.path().join("d.txt"),
            " date 2000-01-01 Rewritten\n",
        )
        .unwrap();
        run_index();
        let store = store::open(index_dir.path()).unwrap();
        assert!(store.reader().unwrap().searcher().segment_readers().len() >= 2);
        let out = tempfile::tempdir().unwrap();
        let report = run(&store, &opts(Format::Quickwit, out.path())).unwrap();
        let lines: Vec<serde_json::Value> = lines_of(&report).concat();
        let names: Vec<String> = lines
            .iter()
            .map(|l| file_name(Path::new(l["path"].as_str().unwrap())))
            .collect();
        assert_eq!(
            names,
            ["a.txt", "b.txt", "c.txt", "d.txt", "e.txt", "f.txt"]
        );
        assert_eq!(lines[3]["title"], "Rewritten");
        assert_eq!(lines[3]["date"], "2000-01-01T00:00:00Z");
        let ids: BTreeSet<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), 6);
    }

    /// Data file names are recognised exactly; anything else in the folder is left alone.
    #[test]
    fn stale_data_files_are_recognised_by_name() {
        for name in [
            "articles-0001.ndjson",
            "bulk-0012.ndjson",
            "articles-12345.ndjson",
        ] {
            assert!(is_data_file(name), "{name}");
        }
        for name in [
            "articles-.ndjson",
            "articles-01.json",
            "articles-0001.ndjson.bak",
            "notes-0001.ndjson",
            "bulk-x1.ndjson",
            "README.md",
        ] {
            assert!(!is_data_file(name), "{name}");
        }
    }

    /// The date is RFC 3339 at midnight UTC with a four-digit year, before 1970 as after.
    #[test]
    fn dates_are_rfc3339_at_midnight() {
        let a = |d: &str| Article {
            path: "/x".into(),
            date: d.to_string(),
            paragraphs: vec![],
            title: None,
            authors: vec![],
            source: None,
            url: None,
        };
        assert_eq!(a("1787-10-27").rfc3339(), "1787-10-27T00:00:00Z");
        assert_eq!(a("2016-09-17").rfc3339(), "2016-09-17T00:00:00Z");
        assert_eq!(a("1678-01-01").heading(), "");
    }

    /// Byte counts in the README read with thousands separators.
    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(10_000_000), "10,000,000");
        assert_eq!(thousands(123_456_789), "123,456,789");
    }
}
