//! Damage to the index on disk, and failures to write it: finding damage (every file of every
//! segment present and matching the checksum Tantivy keeps in its footer, `meta.json` and
//! `.managed.json` readable, every stored article readable), naming it in one line, and telling
//! a full disk, a read-only folder and a vanished folder apart from other write errors.

use crate::index::schema;
use std::fmt;
use std::fs;
use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use tantivy::index::{SegmentComponent, SegmentMeta};
use tantivy::{Index, SegmentReader};

/// The components every segment has (the delete bitset only when it has deletes).
const COMPONENTS: [SegmentComponent; 6] = [
    SegmentComponent::Postings,
    SegmentComponent::Positions,
    SegmentComponent::Terms,
    SegmentComponent::Store,
    SegmentComponent::FastFields,
    SegmentComponent::FieldNorms,
];

/// One damaged file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DamagedFile {
    /// The file, inside the index folder.
    pub file: PathBuf,
    /// The segment it belongs to (its id, as its file names start), if any.
    pub segment: Option<String>,
    /// How many live articles that segment holds.
    pub articles: Option<u32>,
    /// What is wrong with it.
    pub why: String,
}

impl DamagedFile {
    /// Whether `dateline index --repair` can mend it (else only `--rebuild` can).
    pub fn repairable(&self) -> bool {
        self.file.file_name().is_none_or(|n| n != "meta.json")
    }
}

impl fmt::Display for DamagedFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}", self.file.display(), self.why)?;
        match self.articles {
            Some(1) => write!(f, "; it holds 1 article")?,
            Some(n) => write!(f, "; it holds {n} articles")?,
            None => {}
        }
        write!(f, ")")
    }
}

/// A damaged index: the error every command stops with when it meets damage.
#[derive(Debug, Clone, thiserror::Error)]
pub struct Damaged {
    /// The index folder.
    pub dir: PathBuf,
    /// The damaged files, at least one.
    pub files: Vec<DamagedFile>,
}

impl Damaged {
    /// Whether `dateline index --repair` can mend all of it.
    pub fn repairable(&self) -> bool {
        self.files.iter().all(DamagedFile::repairable)
    }
}

impl fmt::Display for Damaged {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the index at {} is damaged: ", self.dir.display())?;
        match self.files.split_first() {
            Some((first, [])) => write!(f, "{first}"),
            Some((first, rest)) => write!(f, "{first} and {} more files", rest.len()),
            None => write!(f, "unknown damage"),
        }
    }
}

/// Whether a name is one Tantivy gives a segment's file (32 hex digits, a dot, an extension).
pub(crate) fn segment_of(name: &str) -> Option<&str> {
    let (id, ext) = name.split_once('.')?;
    (id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()) && !ext.is_empty()).then_some(id)
}

/// Whether the folder holds what only an index holds: segment files (`.managed.json` alone is
/// what an interrupted creation leaves).
pub(crate) fn holds_index_files(dir: &Path) -> bool {
    fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().any(|e| {
            let name = e.file_name();
            segment_of(&name.to_string_lossy()).is_some()
        })
    })
}

/// Looks at `meta.json` and `.managed.json` alone: the damage no index can be opened with.
pub fn scan_metas(dir: &Path) -> Vec<DamagedFile> {
    let mut found = Vec::new();
    let meta = dir.join("meta.json");
    let broken = |file: PathBuf, why: String| DamagedFile {
        file,
        segment: None,
        articles: None,
        why,
    };
    match fs::read(&meta) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if holds_index_files(dir) {
                found.push(broken(
                    meta,
                    "missing: the list of the index's segments".into(),
                ));
            }
        }
        Err(e) => found.push(broken(meta, format!("unreadable: {e}"))),
        Ok(bytes) => {
            let ok = serde_json::from_slice::<serde_json::Value>(&bytes)
                .ok()
                .is_some_and(|v| v.get("segments").is_some_and(|s| s.is_array()));
            if !ok && holds_index_files(dir) {
                let why = if bytes.is_empty() {
                    "empty".into()
                } else {
                    "not the list of the index's segments Tantivy wrote".into()
                };
                found.push(broken(meta, why));
            }
        }
    }
    let managed = dir.join(".managed.json");
    if let Ok(bytes) = fs::read(&managed)
        && serde_json::from_slice::<Vec<String>>(&bytes).is_err()
    {
        let why = if bytes.is_empty() {
            "empty".into()
        } else {
            "not the list of files Tantivy wrote".into()
        };
        found.push(broken(managed, why));
    }
    found
}

/// The files of a segment that should exist.
pub(crate) fn segment_files(meta: &SegmentMeta) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = COMPONENTS
        .iter()
        .map(|c| meta.relative_path(c.clone()))
        .collect();
    if meta.has_deletes() {
        files.push(meta.relative_path(SegmentComponent::Delete));
    }
    files
}

/// Checks every file of every segment of the last commit: present, and matching its checksum.
/// Reads the whole index once.
pub fn scan_files(index: &Index, dir: &Path) -> tantivy::Result<Vec<DamagedFile>> {
    let metas = index.load_metas()?;
    let mut found = Vec::new();
    for seg in &metas.segments {
        for file in segment_files(seg) {
            let why = if !dir.join(&file).is_file() {
                Some("missing".to_string())
            } else {
                match catch_unwind(AssertUnwindSafe(|| {
                    index.directory().validate_checksum(&file)
                })) {
                    Ok(Ok(true)) => None,
                    Ok(Ok(false)) => Some("its checksum does not match its content".into()),
                    Ok(Err(e)) => Some(short_cause(&e.to_string())),
                    Err(_) => Some("unreadable".into()),
                }
            };
            if let Some(why) = why {
                found.push(DamagedFile {
                    file: dir.join(file),
                    segment: Some(seg.id().uuid_string()),
                    articles: Some(seg.num_docs()),
                    why,
                });
            }
        }
    }
    Ok(found)
}

/// Opens every segment whose files passed [`scan_files`] and reads back every stored article:
/// damage a checksum cannot see (a file mended by a merge that copied bad bytes).
pub fn scan_reads(index: &Index, dir: &Path, skip: &[DamagedFile]) -> Vec<DamagedFile> {
    let Ok(segments) = index.searchable_segments() else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for segment in segments {
        let id = segment.id().uuid_string();
        if skip.iter().any(|d| d.segment.as_deref() == Some(&id)) {
            continue;
        }
        let articles = segment.meta().num_docs();
        let read = catch_unwind(AssertUnwindSafe(
            || -> Result<(), (SegmentComponent, String)> {
                let reader = SegmentReader::open(&segment)
                    .map_err(|e| (SegmentComponent::Terms, short_cause(&e.to_string())))?;
                let store = reader
                    .get_store_reader(1)
                    .map_err(|e| (SegmentComponent::Store, short_cause(&e.to_string())))?;
                let file = std::path::Path::new(&id).with_extension("store");
                for doc in reader.doc_ids_alive() {
                    crate::index::stored::read(&store, doc, reader.schema().num_fields(), &file)
                        .map_err(|e| (SegmentComponent::Store, short_cause(&e.to_string())))?;
                }
                let ff = reader.fast_fields();
                ff.str(schema::PATH)
                    .map_err(|e| (SegmentComponent::FastFields, short_cause(&e.to_string())))?;
                Ok(())
            },
        ));
        let (component, why) = match read {
            Ok(Ok(())) => continue,
            Ok(Err(e)) => e,
            Err(_) => (SegmentComponent::Store, "unreadable".to_string()),
        };
        found.push(DamagedFile {
            file: dir.join(segment.meta().relative_path(component)),
            segment: Some(id),
            articles: Some(articles),
            why,
        });
    }
    found
}

/// The keys of a segment's live articles, read from its path column alone (its `.fast` file,
/// and its delete bitset if it has one), so that a damaged store or term file does not hide
/// them; `None` when those files are damaged too.
pub fn segment_keys(index: &Index, segment_id: &str) -> Option<Vec<String>> {
    let segment = index
        .searchable_segments()
        .ok()?
        .into_iter()
        .find(|s| s.id().uuid_string() == segment_id)?;
    catch_unwind(AssertUnwindSafe(|| {
        let fast = segment.open_read(SegmentComponent::FastFields).ok()?;
        let columns = tantivy::columnar::ColumnarReader::open(fast).ok()?;
        let handle = columns
            .read_columns(schema::PATH)
            .ok()?
            .into_iter()
            .next()?;
        let tantivy::columnar::DynamicColumn::Str(paths) = handle.open().ok()? else {
            return None;
        };
        let alive = if segment.meta().has_deletes() {
            let bytes = segment
                .open_read(SegmentComponent::Delete)
                .ok()?
                .read_bytes()
                .ok()?;
            Some(tantivy::fastfield::AliveBitSet::open(bytes))
        } else {
            None
        };
        let mut live = vec![false; paths.num_terms()];
        for doc in 0..segment.meta().max_doc() {
            if alive.as_ref().is_some_and(|a| !a.is_alive(doc)) {
                continue;
            }
            for ord in paths.term_ords(doc) {
                *live.get_mut(ord as usize)? = true;
            }
        }
        let mut keys = Vec::new();
        let mut stream = paths.dictionary().stream().ok()?;
        let mut ord = 0;
        while stream.advance() {
            if *live.get(ord)? {
                keys.push(String::from_utf8(stream.key().to_vec()).ok()?);
            }
            ord += 1;
        }
        Some(keys)
    }))
    .ok()
    .flatten()
}

/// Everything wrong with the index at `dir` that can be found without reading every article:
/// its metas, then its files' presence and checksums.
pub fn scan(dir: &Path) -> Vec<DamagedFile> {
    let metas = scan_metas(dir);
    if !metas.is_empty() {
        return metas;
    }
    match catch_unwind(|| Index::open_in_dir(dir)) {
        Ok(Ok(index)) => scan_files(&index, dir).unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// [`scan`] as an error, when there is damage.
pub fn diagnose(dir: &Path) -> Option<Damaged> {
    if !dir.join("meta.json").exists() && !holds_index_files(dir) {
        return None;
    }
    let files = scan(dir);
    (!files.is_empty()).then(|| Damaged {
        dir: dir.to_path_buf(),
        files,
    })
}

/// Tantivy's error messages carry a debug dump of their cause (`IoError { io_error: Custom {
/// kind: InvalidData, error: "Footer magic byte mismatch…" } … }`): this keeps the first quoted
/// reason in it, or the message up to its first `:`.
pub fn short_cause(message: &str) -> String {
    if let Some(start) = message.find("error: \"") {
        let rest = &message[start + 8..];
        if let Some(end) = rest.find('"') {
            return first_sentence(&rest[..end]);
        }
    }
    if message.contains("Data corruption") || message.contains("corrupt") {
        return "its content is corrupt".into();
    }
    if message.contains("FileDoesNotExist") || message.contains("does not exist") {
        return "missing".into();
    }
    first_sentence(message.split(": ").next().unwrap_or(message))
}

fn first_sentence(s: &str) -> String {
    let s = s.split(". ").next().unwrap_or(s).trim_end_matches('.');
    let mut out = s.to_string();
    if let Some(first) = out.get_mut(0..1) {
        first.make_ascii_lowercase();
    }
    out
}

/// Why a run could not write the index: the disk, the folder's permissions, the folder gone.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// No space left.
    #[error(
        "the disk holding the index at {dir} is full: the run had written {wrote} when it \
         stopped, and removed it; the index is as it was before the run"
    )]
    Full {
        /// The index folder.
        dir: PathBuf,
        /// How much the run had written, as a size for people.
        wrote: String,
    },
    /// Read-only file system or no permission.
    #[error(
        "cannot write to the index at {dir}: {why}; the index is unchanged and can still be \
         searched"
    )]
    ReadOnly {
        /// The index folder.
        dir: PathBuf,
        /// The system's reason.
        why: String,
    },
    /// The folder went away while the run wrote it.
    #[error("the index folder {dir} disappeared during the run; nothing was committed")]
    Vanished {
        /// The index folder.
        dir: PathBuf,
    },
}

/// The kind of I/O failure somewhere in an error, Tantivy's wrapped ones included.
pub fn io_kind(e: &anyhow::Error) -> Option<io::ErrorKind> {
    for cause in e.chain() {
        if let Some(io) = cause.downcast_ref::<io::Error>() {
            let kind = io.kind();
            if kind != io::ErrorKind::Other && kind != io::ErrorKind::InvalidData {
                return Some(kind);
            }
        }
    }
    // Tantivy keeps many of its causes as text: `Os { code: 28, kind: StorageFull, … }`.
    let text = format!("{e:?}");
    [
        ("StorageFull", io::ErrorKind::StorageFull),
        ("os error 28", io::ErrorKind::StorageFull),
        ("No space left on device", io::ErrorKind::StorageFull),
        ("Read-only file system", io::ErrorKind::ReadOnlyFilesystem),
        ("Permission denied", io::ErrorKind::PermissionDenied),
        ("QuotaExceeded", io::ErrorKind::QuotaExceeded),
        ("ReadOnlyFilesystem", io::ErrorKind::ReadOnlyFilesystem),
        ("os error 30", io::ErrorKind::ReadOnlyFilesystem),
        ("PermissionDenied", io::ErrorKind::PermissionDenied),
        ("os error 13", io::ErrorKind::PermissionDenied),
    ]
    .into_iter()
    .find(|(needle, _)| text.contains(needle))
    .map(|(_, kind)| kind)
}
