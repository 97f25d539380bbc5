//! Records files: JSON Lines (`.jsonl`, `.ndjson`) and CSV (`.csv`), one article a record.
//!
//! A records file is streamed, a bounded batch of records at a time ([`Records::next_batch`]):
//! however large the file, only one batch sits in memory, and one record may take at most
//! [`MAX_RECORD_BYTES`]. Each record's fields are recognised by name ([`Role`]), or as a
//! [`Mapping`] given on the command line says; [`prepare`] turns a record into an [`Article`]
//! with its [`Meta`], reading the article's text from a file the record names when it holds
//! none itself. A bad record is an error naming its line (the line a CSV row starts on); the
//! caller reports it and goes on with the next.
//!
//! A record holding its text is known by the records file's key, `#`, and its id: the id
//! field's value, or else the line the record starts on (`/srv/news/articles.jsonl#17`). A
//! record naming a text file is known by that file's own key, so the file keeps its name in
//! hits, `show`, `similar` and `--in`, and is indexed once, with the record's metadata.

use crate::article::{self, Article, Meta, ParseErrorKind};
use crate::corpus;
use chrono::NaiveDate;
use serde_json::Value;
use std::fs;
use std::io::{self, BufRead, BufReader};
use std::path::Path;
use std::sync::Arc;

/// The most one record may take (its line, or its row's fields together), as a dated file may.
pub const MAX_RECORD_BYTES: usize = corpus::MAX_FILE_BYTES as usize;

/// The most fields a CSV row may have.
const MAX_FIELDS: usize = 4096;

/// The formats of records files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object a line.
    JsonLines,
    /// RFC 4180, a header row first.
    Csv,
}

/// A records file's format, from its name's extension (any case); `None` for other files.
pub fn format_of(path: &Path) -> Option<Format> {
    let ext = path.extension()?.to_str()?;
    if ext.eq_ignore_ascii_case("jsonl") || ext.eq_ignore_ascii_case("ndjson") {
        Some(Format::JsonLines)
    } else if ext.eq_ignore_ascii_case("csv") {
        Some(Format::Csv)
    } else {
        None
    }
}

/// A record's key: its file's key and its id.
pub fn record_key(file_key: &str, id: &str) -> String {
    format!("{file_key}#{id}")
}

/// Splits a record's key into its records file's key and the record's id; `None` for the key
/// of a whole file. The file's key is the part before the first `#` that follows a records
/// file's name.
pub fn split_key(key: &str) -> Option<(&str, &str)> {
    let mut from = 0;
    while let Some(i) = key[from..].find('#') {
        let at = from + i;
        if format_of(Path::new(&key[..at])).is_some() {
            return Some((&key[..at], &key[at + 1..]));
        }
        from = at + 1;
    }
    None
}

/// What a field of a record means to dateline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Date,
    Text,
    Title,
    Author,
    Source,
    Url,
    Id,
    File,
}

/// Each role, its name in a mapping, and the field names recognised for it, the first match
/// winning.
const ROLES: [(Role, &str, &[&str]); 8] = [
    (
        Role::Date,
        "date",
        &[
            "date",
            "published",
            "date_publish",
            "publication_date",
            "pubdate",
            "datetime",
        ],
    ),
    (
        Role::Text,
        "text",
        &["text", "body", "content", "maintext", "article"],
    ),
    (Role::Title, "title", &["title", "headline"]),
    (
        Role::Author,
        "author",
        &["author", "authors", "byline", "creator"],
    ),
    (
        Role::Source,
        "source",
        &[
            "source",
            "publication",
            "outlet",
            "source_domain",
            "site",
            "newspaper",
        ],
    ),
    (Role::Url, "url", &["url", "link"]),
    (Role::Id, "id", &["id", "uuid", "guid"]),
    (Role::File, "file", &["file", "path"]),
];

fn role_index(role: Role) -> usize {
    ROLES.iter().position(|(r, _, _)| *r == role).unwrap_or(0)
}

fn names_of(role: Role) -> String {
    ROLES[role_index(role)].2.join(", ")
}

/// Field names given for roles (`text=maintext`), and a template naming each record's text
/// file (`file=texts/{id}.txt`). What it does not name is recognised by the usual names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mapping {
    /// A field name (lower case) per role, in [`ROLES`] order.
    names: [Option<String>; 8],
    /// A path built from the record's fields: `{name}` is the field's value.
    template: Option<String>,
}

impl Mapping {
    /// Reads `role=name[,role=name…]`: roles are `date`, `text`, `title`, `author`, `source`,
    /// `url`, `id` and `file`; a `file` value holding `{` is a template. Later pairs replace
    /// earlier ones.
    pub fn parse(spec: &str) -> Result<Mapping, String> {
        let mut m = Mapping::default();
        m.add(spec)?;
        Ok(m)
    }

    /// Adds the pairs of `spec` (see [`Mapping::parse`]).
    pub fn add(&mut self, spec: &str) -> Result<(), String> {
        for pair in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((role, name)) = pair.split_once('=') else {
                return Err(format!(
                    "{pair:?}: expected ROLE=FIELD, such as text=maintext"
                ));
            };
            let (role, name) = (role.trim().to_ascii_lowercase(), name.trim());
            let Some(i) = ROLES.iter().position(|(_, r, _)| *r == role) else {
                return Err(format!(
                    "{pair:?}: unknown role {role:?} (expected date, text, title, author, \
                     source, url, id or file)"
                ));
            };
            if name.is_empty() {
                return Err(format!("{pair:?}: no field name after `=`"));
            }
            if ROLES[i].0 == Role::File && name.contains('{') {
                template_fields(name)?;
                self.template = Some(name.to_string());
                self.names[i] = None;
            } else {
                if ROLES[i].0 == Role::File {
                    self.template = None;
                }
                self.names[i] = Some(name.to_ascii_lowercase());
            }
        }
        Ok(())
    }

    /// Adds another mapping's pairs, which replace this one's for the same roles.
    pub fn extend(&mut self, other: &Mapping) {
        for (mine, theirs) in self.names.iter_mut().zip(&other.names) {
            if theirs.is_some() {
                mine.clone_from(theirs);
            }
        }
        if other.template.is_some() || other.names[role_index(Role::File)].is_some() {
            self.template.clone_from(&other.template);
        }
    }

    /// The mapping written back as [`Mapping::parse`] reads it, roles in a fixed order (empty
    /// when nothing is mapped).
    pub fn spec(&self) -> String {
        let mut pairs: Vec<String> = ROLES
            .iter()
            .zip(&self.names)
            .filter_map(|((_, role, _), name)| name.as_ref().map(|n| format!("{role}={n}")))
            .collect();
        if let Some(t) = &self.template {
            pairs.push(format!("file={t}"));
        }
        pairs.join(",")
    }

    /// How well a field named `lname` (lower case) fits role `i`: lower is better; `None` when
    /// it does not.
    fn rank(&self, i: usize, lname: &str) -> Option<usize> {
        match &self.names[i] {
            Some(n) => (n == lname).then_some(0),
            None => ROLES[i].2.iter().position(|n| *n == lname),
        }
    }
}

/// The field names a template uses, or why it is malformed.
fn template_fields(t: &str) -> Result<Vec<&str>, String> {
    let mut out = Vec::new();
    let mut rest = t;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            return Err(format!("template {t:?}: `{{` without `}}`"));
        };
        let name = after[..close].trim();
        if name.is_empty() || name.contains('{') {
            return Err(format!("template {t:?}: expected {{FIELD}}"));
        }
        out.push(name);
        rest = &after[close + 1..];
    }
    if rest.contains('}') {
        return Err(format!("template {t:?}: `}}` without `{{`"));
    }
    Ok(out)
}

/// A CSV file's header: the field names (lower case), and a hash of the row as written.
#[derive(Debug)]
pub struct Header {
    names: Vec<String>,
    hash: u64,
}

impl Header {
    /// A hash of the header row as written.
    pub fn hash(&self) -> u64 {
        self.hash
    }
}

/// One record as read from its file, not yet parsed.
#[derive(Debug)]
pub struct Raw {
    /// The 1-based line the record starts on.
    pub line: usize,
    /// Its bytes, or why it could not be read.
    pub body: Result<Body, String>,
}

/// A record's bytes.
#[derive(Debug)]
pub enum Body {
    /// A JSON Lines line, without its line end.
    Json(Vec<u8>),
    /// A CSV row: its fields' bytes one after another, and where each field ends.
    Csv { bytes: Vec<u8>, ends: Vec<usize> },
}

/// A records file, read a batch of records at a time.
pub struct Records {
    format: Format,
    input: BufReader<fs::File>,
    /// The line the next byte of input is on.
    line: usize,
    /// The CSV parser (RFC 4180 quoting, CRLF or LF, a BOM stripped).
    csv: csv_core::Reader,
    header: Option<Arc<Header>>,
    /// Whether the JSON Lines file's first line has been read (a BOM is stripped from it).
    started: bool,
}

impl Records {
    /// Opens a records file; a CSV file's header row is read at once.
    pub fn open(path: &Path, format: Format) -> Result<Records, (Option<usize>, String)> {
        let file = fs::File::open(path).map_err(|e| (None, corpus::io_reason(&e)))?;
        let mut r = Records {
            format,
            input: BufReader::with_capacity(256 * 1024, file),
            line: 1,
            csv: csv_core::Reader::new(),
            header: None,
            started: false,
        };
        if format == Format::Csv {
            let raw = r
                .next_csv()
                .map_err(|e| (None, corpus::io_reason(&e)))?
                .ok_or((
                    Some(1),
                    "empty CSV file (expected a header row)".to_string(),
                ))?;
            let line = raw.line;
            let (bytes, ends) = match raw.body {
                Ok(Body::Csv { bytes, ends }) => (bytes, ends),
                Ok(Body::Json(_)) => return Err((Some(line), "not a CSV row".into())),
                Err(reason) => return Err((Some(line), format!("header row: {reason}"))),
            };
            let mut names = Vec::with_capacity(ends.len());
            let mut start = 0;
            for &end in &ends {
                let name = std::str::from_utf8(&bytes[start..end])
                    .map_err(|_| (Some(line), "header row is not UTF-8 text".to_string()))?;
                names.push(name.trim().to_ascii_lowercase());
                start = end;
            }
            r.header = Some(Arc::new(Header {
                hash: corpus::hash(&bytes) ^ ends.len() as u64,
                names,
            }));
        }
        Ok(r)
    }

    /// The CSV header, when the file is CSV.
    #[must_use]
    pub fn header(&self) -> Option<Arc<Header>> {
        self.header.clone()
    }

    /// The next records, at most `max_records` of them and about `max_bytes`; empty at the end
    /// of the file.
    pub fn next_batch(&mut self, max_records: usize, max_bytes: usize) -> io::Result<Vec<Raw>> {
        let mut batch = Vec::new();
        let mut bytes = 0;
        while batch.len() < max_records && bytes < max_bytes {
            let next = match self.format {
                Format::JsonLines => self.next_json()?,
                Format::Csv => self.next_csv()?,
            };
            let Some(raw) = next else { break };
            bytes += match &raw.body {
                Ok(Body::Json(b)) => b.len(),
                Ok(Body::Csv { bytes, .. }) => bytes.len(),
                Err(_) => 0,
            };
            batch.push(raw);
        }
        Ok(batch)
    }

    /// The next non-blank line, at most [`MAX_RECORD_BYTES`] long (a longer one is an error
    /// and is passed over unkept).
    fn next_json(&mut self) -> io::Result<Option<Raw>> {
        loop {
            let mut buf = Vec::new();
            let mut too_large = false;
            let mut read_any = false;
            loop {
                let avail = self.input.fill_buf()?;
                if avail.is_empty() {
                    break;
                }
                read_any = true;
                let (take, used, end) = match avail.iter().position(|&b| b == b'\n') {
                    Some(i) => (i, i + 1, true),
                    None => (avail.len(), avail.len(), false),
                };
                if !too_large {
                    if buf.len() + take > MAX_RECORD_BYTES {
                        too_large = true;
                        buf = Vec::new();
                    } else {
                        buf.extend_from_slice(&avail[..take]);
                    }
                }
                self.input.consume(used);
                if end {
                    break;
                }
            }
            if !read_any {
                return Ok(None);
            }
            let line = self.line;
            self.line += 1;
            if !self.started {
                self.started = true;
                if buf.starts_with(b"\xef\xbb\xbf") {
                    buf.drain(..3);
                }
            }
            if too_large {
                return Ok(Some(Raw {
                    line,
                    body: Err(too_large_reason()),
                }));
            }
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
            if buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Ok(Some(Raw {
                line,
                body: Ok(Body::Json(buf)),
            }));
        }
    }

    /// The next CSV row; blank lines between rows are passed over.
    fn next_csv(&mut self) -> io::Result<Option<Raw>> {
        use csv_core::ReadRecordResult as R;
        // Blank lines before the row: counted here, so the row's own line is known.
        loop {
            let avail = self.input.fill_buf()?;
            let blank = avail
                .iter()
                .take_while(|&&b| b == b'\n' || b == b'\r')
                .count();
            self.line += avail[..blank].iter().filter(|&&b| b == b'\n').count();
            let done = blank < avail.len() || avail.is_empty();
            self.input.consume(blank);
            if done {
                break;
            }
        }
        let line = self.line;
        let mut out = vec![0u8; 4096];
        let mut ends = vec![0usize; 64];
        let (mut nout_total, mut nend_total) = (0, 0);
        let mut too_large = false;
        // Quotes come in pairs in a well-formed row (a field's opening and closing ones, and
        // `""` for a quote inside it): an odd count is a field left open or a stray quote.
        let mut quotes = 0usize;
        loop {
            let avail = self.input.fill_buf()?;
            let (res, nin, nout, nend) =
                self.csv
                    .read_record(avail, &mut out[nout_total..], &mut ends[nend_total..]);
            for &b in &avail[..nin] {
                self.line += usize::from(b == b'\n');
                quotes += usize::from(b == b'"');
            }
            self.input.consume(nin);
            nout_total += nout;
            nend_total += nend;
            match res {
                R::InputEmpty => {}
                R::OutputFull => {
                    if out.len() >= MAX_RECORD_BYTES {
                        // Passed over unkept: the field's bytes are written over.
                        too_large = true;
                        nout_total = 0;
                    } else {
                        out.resize((out.len() * 2).min(MAX_RECORD_BYTES), 0);
                    }
                }
                R::OutputEndsFull => {
                    if ends.len() >= MAX_FIELDS {
                        too_large = true;
                        nend_total = 0;
                    } else {
                        ends.resize(ends.len() * 2, 0);
                    }
                }
                R::Record => break,
                R::End => return Ok(None),
            }
        }
        if too_large {
            return Ok(Some(Raw {
                line,
                body: Err(too_large_reason()),
            }));
        }
        if quotes % 2 == 1 {
            return Ok(Some(Raw {
                line,
                body: Err(
                    "bad quoting: a quoted field is not closed, or a quote stands inside \
                           an unquoted field (write it as \"\" inside a quoted one)"
                        .into(),
                ),
            }));
        }
        ends.truncate(nend_total);
        out.truncate(nout_total);
        // A row ending in a CR LF keeps no CR: csv_core ends records at either.
        Ok(Some(Raw {
            line,
            body: Ok(Body::Csv { bytes: out, ends }),
        }))
    }
}

fn too_large_reason() -> String {
    format!(
        "record too large (the limit is {} MiB a record)",
        MAX_RECORD_BYTES / (1024 * 1024)
    )
}

/// What a record says, each role's value as text.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Fields {
    pub id: Option<String>,
    pub date: Option<String>,
    pub text: Option<String>,
    pub file: Option<String>,
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub source: Option<String>,
    pub url: Option<String>,
}

/// A field's value, whatever the format.
enum Val<'a> {
    Text(&'a str),
    Json(&'a Value),
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn non_empty(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

impl Val<'_> {
    /// The value as one piece of text; numbers as written, null or blank as none.
    fn text(&self, field: &str) -> Result<Option<String>, String> {
        match self {
            Val::Text(s) => Ok(non_empty(s)),
            Val::Json(Value::String(s)) => Ok(non_empty(s)),
            Val::Json(Value::Null) => Ok(None),
            Val::Json(Value::Number(n)) => Ok(Some(n.to_string())),
            Val::Json(v) => Err(format!("field {field:?}: expected text, found {}", kind(v))),
        }
    }

    /// The value as a list: a JSON array of texts, or text with `;` between the items.
    fn list(&self, field: &str) -> Result<Vec<String>, String> {
        let split = |s: &str| s.split(';').filter_map(non_empty).collect();
        match self {
            Val::Text(s) => Ok(split(s)),
            Val::Json(Value::String(s)) => Ok(split(s)),
            Val::Json(Value::Null) => Ok(Vec::new()),
            Val::Json(Value::Array(items)) => items
                .iter()
                .filter(|v| !v.is_null())
                .map(|v| match v {
                    Value::String(s) => Ok(non_empty(s)),
                    v => Err(format!(
                        "field {field:?}: expected a list of texts, found {} in it",
                        kind(v)
                    )),
                })
                .filter_map(Result::transpose)
                .collect(),
            Val::Json(v) => Err(format!(
                "field {field:?}: expected text or a list of texts, found {}",
                kind(v)
            )),
        }
    }
}

/// Reads a record's fields by role. `fields` lists each (name, value), in the record's order.
fn by_role<'a, I>(fields: I, map: &Mapping) -> Result<Fields, String>
where
    I: Iterator<Item = (&'a str, Val<'a>)> + Clone,
{
    let mut best: [Option<(usize, &str, Val)>; 8] = Default::default();
    for (name, val) in fields.clone() {
        let lname = name.trim().to_ascii_lowercase();
        for (i, slot) in best.iter_mut().enumerate() {
            if let Some(rank) = map.rank(i, &lname)
                && slot.as_ref().is_none_or(|(r, _, _)| rank < *r)
            {
                *slot = Some((rank, name, val_copy(&val)));
            }
        }
    }
    let text = |role: Role| -> Result<Option<String>, String> {
        match &best[role_index(role)] {
            Some((_, name, v)) => v.text(name),
            None => Ok(None),
        }
    };
    let mut out = Fields {
        id: text(Role::Id)?,
        date: text(Role::Date)?,
        text: text(Role::Text)?,
        file: text(Role::File)?,
        title: text(Role::Title)?,
        authors: match &best[role_index(Role::Author)] {
            Some((_, name, v)) => v.list(name)?,
            None => Vec::new(),
        },
        source: text(Role::Source)?,
        url: text(Role::Url)?,
    };
    if let Some(t) = &map.template {
        let mut path = String::new();
        let mut rest = t.as_str();
        for name in template_fields(t)? {
            let open = rest.find('{').unwrap_or(rest.len());
            path.push_str(&rest[..open]);
            let lname = name.to_ascii_lowercase();
            let value = fields
                .clone()
                .find(|(n, _)| n.trim().eq_ignore_ascii_case(&lname))
                .map(|(n, v)| v.text(n))
                .transpose()?
                .flatten()
                .ok_or_else(|| format!("no field {name:?} for the template {t:?}"))?;
            path.push_str(&value);
            rest = &rest[open..];
            rest = &rest[rest.find('}').map_or(rest.len(), |c| c + 1)..];
        }
        path.push_str(rest);
        out.file = Some(path);
    }
    Ok(out)
}

fn val_copy<'a>(v: &Val<'a>) -> Val<'a> {
    match v {
        Val::Text(s) => Val::Text(s),
        Val::Json(j) => Val::Json(j),
    }
}

/// A JSON Lines record's fields.
pub fn json_fields(bytes: &[u8], map: &Mapping) -> Result<Fields, String> {
    let obj: serde_json::Map<String, Value> = serde_json::from_slice(bytes).map_err(|e| {
        let msg = e.to_string();
        let msg = msg
            .rsplit_once(" at line ")
            .map_or(msg.as_str(), |(m, _)| m);
        match e.classify() {
            serde_json::error::Category::Data => format!("not a JSON object ({msg})"),
            _ => format!("invalid JSON: {msg} (column {})", e.column()),
        }
    })?;
    by_role(obj.iter().map(|(k, v)| (k.as_str(), Val::Json(v))), map)
}

/// A CSV row's fields, named by the header.
pub fn csv_fields(
    header: &Header,
    bytes: &[u8],
    ends: &[usize],
    map: &Mapping,
) -> Result<Fields, String> {
    if ends.len() != header.names.len() {
        return Err(format!(
            "{} {} where the header has {}",
            ends.len(),
            if ends.len() == 1 { "field" } else { "fields" },
            header.names.len()
        ));
    }
    let mut values = Vec::with_capacity(ends.len());
    let mut start = 0;
    for (i, &end) in ends.iter().enumerate() {
        let v = std::str::from_utf8(&bytes[start..end]).map_err(|e| {
            format!(
                "field {:?} is not UTF-8 text (invalid byte at offset {})",
                header.names[i],
                e.valid_up_to()
            )
        })?;
        values.push(v);
        start = end;
    }
    by_role(
        header
            .names
            .iter()
            .zip(values)
            .map(|(n, v)| (n.as_str(), Val::Text(v))),
        map,
    )
}

/// Whether a CSV header can give records a text: a text or file column, or a template.
pub fn header_problem(header: &Header, map: &Mapping) -> Option<String> {
    let has = |role: Role| {
        header
            .names
            .iter()
            .any(|n| map.rank(role_index(role), n).is_some())
    };
    if has(Role::Text) || has(Role::File) || map.template.is_some() {
        return None;
    }
    Some(format!(
        "no text column in the header (looked for {}, or a file column: {})",
        names_of(Role::Text),
        names_of(Role::File)
    ))
}

/// Where a records file sits, for reading the text files its records name.
pub struct Context<'a> {
    /// The records file's folder, as the user would name it.
    pub dir: &'a Path,
    /// The key prefix (ending in `/`) text files must lie below: the folder being indexed.
    pub allowed: &'a str,
    /// Mixed into every record's hash: the mapping and the CSV header, so a record read another
    /// way counts as changed.
    pub seed: u64,
}

/// A text file a record names, as the incremental plan remembers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub key: String,
    pub size: u64,
    pub mtime_ns: i64,
}

/// A record made into an article.
#[derive(Debug)]
pub struct Prepared {
    /// The id (the id field's value, or the line the record starts on).
    pub id: String,
    /// The article, its metadata filled in.
    pub article: Article,
    /// The record's hash (its bytes, its text file's bytes, the mapping, the header).
    pub hash: u64,
    /// The text file it was read from, if any.
    pub claim: Option<Claim>,
}

/// Makes one record into an article (see the module docs); the error is the reason it cannot
/// be, without the file and line.
pub fn prepare(
    raw: &Raw,
    header: Option<&Header>,
    map: &Mapping,
    cx: &Context,
) -> Result<Prepared, String> {
    let body = raw.body.as_ref().map_err(Clone::clone)?;
    let (fields, mut hash) = match body {
        Body::Json(bytes) => (
            json_fields(bytes, map)?,
            xxhash_rust::xxh3::xxh3_64_with_seed(bytes, cx.seed),
        ),
        Body::Csv { bytes, ends } => {
            let header = header.ok_or("CSV row without a header")?;
            (
                csv_fields(header, bytes, ends, map)?,
                xxhash_rust::xxh3::xxh3_64_with_seed(bytes, cx.seed ^ ends.len() as u64),
            )
        }
    };
    let id = fields.id.clone().unwrap_or_else(|| raw.line.to_string());
    if id.contains(['\n', '\r']) {
        return Err(format!("id {id:?} holds a line break"));
    }
    let date = fields.date.as_deref().map(parse_date).transpose()?;
    let meta = Meta {
        title: fields.title,
        authors: fields.authors,
        source: fields.source,
        url: fields.url,
    };
    let no_date = || format!("no date (looked for the fields {})", names_of(Role::Date));
    let mut claim = None;
    let (date, paragraphs) = if let Some(text) = &fields.text {
        (date.ok_or_else(no_date)?, paragraphs(text))
    } else if let Some(file) = &fields.file {
        let (text_article, c, file_hash) = read_text_file(file, cx)?;
        hash = xxhash_rust::xxh3::xxh3_64_with_seed(&file_hash.to_le_bytes(), hash);
        claim = Some(c);
        match text_article {
            TextFile::Dated(a) => (a.date, a.paragraphs),
            TextFile::Plain(p) => (date.ok_or_else(no_date)?, p),
        }
    } else {
        return Err(format!(
            "no text (looked for the fields {}, or a file: {})",
            names_of(Role::Text),
            names_of(Role::File)
        ));
    };
    if paragraphs.is_empty() {
        return Err("no text (the text is empty)".into());
    }
    Ok(Prepared {
        id,
        article: Article {
            date,
            paragraphs,
            date_line: raw.line,
            meta,
        },
        hash,
        claim,
    })
}

enum TextFile {
    Dated(Article),
    Plain(Vec<String>),
}

/// Reads the text file a record names (relative to the records file): in the dated format, or
/// plain text. A file outside the folder being indexed is refused.
fn read_text_file(name: &str, cx: &Context) -> Result<(TextFile, Claim, u64), String> {
    let path = cx.dir.join(name);
    let key = corpus::key_for(&path)
        .map_err(|e| format!("text file {name}: {}", corpus::io_reason(&e)))?;
    if !key.starts_with(cx.allowed) {
        return Err(format!(
            "text file {name} is outside the folder being indexed ({})",
            cx.allowed.trim_end_matches('/')
        ));
    }
    let meta =
        fs::metadata(&path).map_err(|e| format!("text file {name}: {}", corpus::io_reason(&e)))?;
    if !meta.is_file() {
        return Err(format!("text file {name}: not a regular file"));
    }
    let bytes = corpus::read(&path).map_err(|e| format!("text file {name}: {e}"))?;
    let hash = corpus::hash(&bytes);
    let claim = Claim {
        key,
        size: meta.len(),
        mtime_ns: corpus::mtime_ns(&meta),
    };
    let text = match article::parse_bytes(&bytes) {
        Ok(a) => TextFile::Dated(a),
        Err(e) if e.kind == ParseErrorKind::NoDateLine => {
            // Valid UTF-8 without NUL bytes (parse_bytes checked both first): plain text.
            let text = std::str::from_utf8(&bytes).unwrap_or_default();
            TextFile::Plain(paragraphs(text.strip_prefix('\u{feff}').unwrap_or(text)))
        }
        Err(e) if e.kind == ParseErrorKind::Empty => {
            return Err(format!("text file {name} is empty"));
        }
        Err(e) => return Err(format!("text file {name}:{}: {}", e.line, e.kind)),
    };
    Ok((text, claim, hash))
}

/// A text's paragraphs: separated by blank lines, each one's lines joined with a space; a text
/// with line breaks but no blank line has a paragraph a line.
pub fn paragraphs(text: &str) -> Vec<String> {
    let mut groups: Vec<Vec<&str>> = vec![Vec::new()];
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            if groups.last().is_some_and(|g| !g.is_empty()) {
                groups.push(Vec::new());
            }
        } else if let Some(g) = groups.last_mut() {
            g.push(line);
        }
    }
    if groups.last().is_some_and(Vec::is_empty) {
        groups.pop();
    }
    if groups.len() == 1 {
        return groups[0].iter().map(|l| l.to_string()).collect();
    }
    groups.into_iter().map(|g| g.join(" ")).collect()
}

/// Reads a record's date: ISO 8601 (`2016-09-17`, with a time and an offset or none, the
/// calendar date as written kept) or RFC 2822 (`Sat, 17 Sep 2016 08:30:00 +0000`).
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let s = s.trim();
    let b = s.as_bytes();
    let iso = b.len() >= 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b[..10]
            .iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if iso && (b.len() == 10 || is_time(&s[10..])) {
        return article::parse_iso_date(&s[..10]).map_err(|_| format!("impossible date {s:?}"));
    }
    if let Ok(dt) = chrono::DateTime::parse_from_rfc2822(s) {
        return Ok(dt.date_naive());
    }
    Err(format!(
        "invalid date {s:?} (expected ISO 8601, such as 2016-09-17 or 2016-09-17T08:30:00Z, or \
         RFC 2822, such as Sat, 17 Sep 2016 08:30:00 +0000)"
    ))
}

/// Whether `rest` is the time part of an ISO 8601 date-time: `THH:MM[:SS[.fff]]` (or a space
/// for `T`), then `Z`, `±HH`, `±HHMM`, `±HH:MM` or nothing.
fn is_time(rest: &str) -> bool {
    let b = rest.as_bytes();
    if !matches!(b.first(), Some(b'T' | b't' | b' ')) {
        return false;
    }
    let mut i = 1;
    let two = |i: usize, max: u32| {
        b.get(i..i + 2).is_some_and(|d| {
            d.iter().all(u8::is_ascii_digit)
                && u32::from(d[0] - b'0') * 10 + u32::from(d[1] - b'0') <= max
        })
    };
    if !two(i, 24) || b.get(i + 2) != Some(&b':') || !two(i + 3, 59) {
        return false;
    }
    i += 5;
    if b.get(i) == Some(&b':') {
        if !two(i + 1, 60) {
            return false;
        }
        i += 3;
        if matches!(b.get(i), Some(b'.' | b',')) {
            let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if digits == 0 {
                return false;
            }
            i += 1 + digits;
        }
    }
    match b.get(i) {
        None => true,
        Some(b'Z' | b'z') => i + 1 == b.len(),
        Some(b'+' | b'-') => {
            let off = &rest[i + 1..];
            let ob = off.as_bytes();
            let ok2 = |j: usize| {
                ob.get(j..j + 2)
                    .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
            };
            match ob.len() {
                2 => ok2(0),
                4 => ok2(0) && ok2(2),
                5 => ok2(0) && ob[2] == b':' && ok2(3),
                _ => false,
            }
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn dates_as_people_have_them() {
        for s in [
            "2016-09-17",
            " 2016-09-17 ",
            "2016-09-17T08:30:00Z",
            "2016-09-17T08:30Z",
            "2016-09-17T08:30:00.123+02:00",
            "2016-09-17 08:30:00",
            "2016-09-17T23:30:00-0500",
            "2016-09-17T08:30:00+02",
            "Sat, 17 Sep 2016 08:30:00 +0000",
            "17 Sep 2016 08:30:00 GMT",
        ] {
            assert_eq!(parse_date(s), Ok(d(2016, 9, 17)), "{s}");
        }
        // The calendar date as written, not moved to UTC.
        assert_eq!(
            parse_date("Sat, 17 Sep 2016 23:30:00 -0500"),
            Ok(d(2016, 9, 17))
        );
    }

    #[test]
    fn bad_dates_are_refused_with_the_value() {
        assert_eq!(
            parse_date("2016-02-30").unwrap_err(),
            "impossible date \"2016-02-30\""
        );
        for s in [
            "17/09/2016",
            "2016-09-17T25:00",
            "2016-09-17Tfoo",
            "2016-09-17T08:30:00+2",
            "yesterday",
            "",
            "20160917",
        ] {
            let e = parse_date(s).unwrap_err();
            assert!(e.starts_with("invalid date"), "{s}: {e}");
        }
    }

    #[test]
    fn mappings_read_and_write_back() {
        let m = Mapping::parse("text=MainText, title=headline_text,file=texts/{id}.txt").unwrap();
        assert_eq!(
            m.spec(),
            "text=maintext,title=headline_text,file=texts/{id}.txt"
        );
        assert_eq!(Mapping::parse(&m.spec()).unwrap(), m);
        assert!(
            Mapping::parse("body=x")
                .unwrap_err()
                .contains("unknown role")
        );
        assert!(Mapping::parse("text").unwrap_err().contains("ROLE=FIELD"));
        assert!(Mapping::parse("file=texts/{id.txt").is_err());
        assert_eq!(Mapping::parse("").unwrap().spec(), "");
    }

    #[test]
    fn fields_by_name_first_match_wins_and_authors_split() {
        let m = Mapping::default();
        let f = json_fields(
            br#"{"Headline":"H","Title":"T","maintext":"x","date_publish":"2016-09-17",
                "authors":["A B", "C D"],"source_domain":"ex.org","URL":"u","id":7}"#,
            &m,
        )
        .unwrap();
        assert_eq!(f.title.as_deref(), Some("T"));
        assert_eq!(f.authors, vec!["A B", "C D"]);
        assert_eq!(f.source.as_deref(), Some("ex.org"));
        assert_eq!(f.id.as_deref(), Some("7"));
        let f = json_fields(br#"{"byline":"A B; C D ;","text":"x"}"#, &m).unwrap();
        assert_eq!(f.authors, vec!["A B", "C D"]);
        let e = json_fields(br#"{"title":{"a":1},"text":"x"}"#, &m).unwrap_err();
        assert_eq!(e, "field \"title\": expected text, found an object");
    }

    #[test]
    fn paragraphs_split_on_blank_lines_or_else_lines() {
        assert_eq!(paragraphs("a\nb\n\nc"), vec!["a b", "c"]);
        assert_eq!(paragraphs("a\nb\nc\n"), vec!["a", "b", "c"]);
        assert_eq!(paragraphs("\n\n  one  \n\n"), vec!["one"]);
        assert!(paragraphs(" \n ").is_empty());
    }

    /// Lines as a person counts them: blank lines, CRLF ends and a field's own line breaks all
    /// counted, a BOM stripped.
    #[test]
    fn records_start_on_the_lines_they_start_on() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("a.csv");
        fs::write(&csv, "\u{feff}\r\n\r\nid,Text\r\n1,\"a\r\nb\"\r\n\r\n2,c").unwrap();
        let mut r = Records::open(&csv, Format::Csv).unwrap();
        assert_eq!(r.header().unwrap().names, vec!["id", "text"]);
        let batch = r.next_batch(10, 1 << 20).unwrap();
        let lines: Vec<usize> = batch.iter().map(|raw| raw.line).collect();
        assert_eq!(lines, vec![4, 7]);
        let Ok(Body::Csv { bytes, ends }) = &batch[0].body else {
            panic!("{:?}", batch[0].body)
        };
        assert_eq!(
            (bytes.as_slice(), ends.as_slice()),
            (&b"1a\r\nb"[..], &[1, 5][..])
        );
        assert!(r.next_batch(10, 1 << 20).unwrap().is_empty());

        let jsonl = dir.path().join("a.jsonl");
        fs::write(&jsonl, "\u{feff}{\"a\":1}\r\n\r\n  \n{\"b\":2}").unwrap();
        let mut r = Records::open(&jsonl, Format::JsonLines).unwrap();
        let batch = r.next_batch(10, 1 << 20).unwrap();
        let got: Vec<(usize, Vec<u8>)> = batch
            .into_iter()
            .map(|raw| match raw.body {
                Ok(Body::Json(b)) => (raw.line, b),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            got,
            vec![(1, b"{\"a\":1}".to_vec()), (4, b"{\"b\":2}".to_vec())]
        );
    }

    #[test]
    fn record_keys_split_after_a_records_file_name() {
        assert_eq!(
            split_key("/a/b#c/x.jsonl#id#2"),
            Some(("/a/b#c/x.jsonl", "id#2"))
        );
        assert_eq!(split_key("/a/x.CSV#7"), Some(("/a/x.CSV", "7")));
        assert_eq!(split_key("/a/notes#1.txt"), None);
    }
}
