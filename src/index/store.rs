//! Reading the index: opening it (the format check, what an index folder may hold before it
//! exists), the read handle, and lookups of one article by its key. The indexer writes; this
//! module reads.

use crate::index::damage;
use crate::index::schema::{self, Fields};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use tantivy::DocSet;
use tantivy::schema::IndexRecordOption;
use tantivy::{Directory, Index, IndexReader, ReloadPolicy, TantivyDocument, TantivyError, Term};

/// Files that may sit in an index folder before the index exists (the repository ships one).
pub(crate) const PLACEHOLDERS: &[&str] = &["README.md", ".gitkeep", LOCK_FILE];

/// Held (an OS file lock) by every `dateline index` run from before the index is created until
/// the run ends, so two runs never create or write one index at once. The OS releases it when
/// the process dies, so a killed run leaves no stale lock.
pub(crate) const LOCK_FILE: &str = ".dateline.lock";

/// Whether a file is what tantivy leaves when index creation is cut short (a temporary file,
/// its file list, its lock files) before `meta.json` exists.
pub(crate) fn is_creation_leftover(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with(".tmp")
        || name == ".managed.json"
        || name == ".tantivy-meta.lock"
        || name == ".tantivy-writer.lock"
}

/// Why an index could not be opened. The messages state facts; what to do about them (which
/// command to run) is for the front end to say.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// Nothing has been indexed at this location yet.
    #[error("no index at {0}")]
    Missing(PathBuf),
    /// The folder holds something else.
    #[error("{0} is not a dateline index")]
    NotAnIndex(PathBuf),
    /// Built by another version of dateline.
    #[error(
        "the index at {dir} has format version {found}, this dateline reads version {expected}"
    )]
    Version {
        /// The index folder.
        dir: PathBuf,
        /// What the index says.
        found: String,
        /// [`schema::FORMAT_VERSION`].
        expected: u32,
    },
    /// Another `dateline index` holds the writer lock.
    #[error("another dateline index is writing to {0}")]
    Locked(PathBuf),
    /// A file the index cannot be opened without is damaged.
    #[error(transparent)]
    Damaged(#[from] crate::index::damage::Damaged),
    /// Anything tantivy or the file system reports; the cause is the error's source, so it is
    /// printed once, after this message.
    #[error("cannot open the index at {dir}")]
    Other {
        /// The index folder.
        dir: PathBuf,
        /// The cause.
        source: anyhow::Error,
    },
}

/// An opened index with its field handles.
pub struct Store {
    /// The tantivy index, analyzer registered.
    pub index: Index,
    /// Field handles.
    pub fields: Fields,
    /// Where it lives.
    pub dir: PathBuf,
    reader: OnceLock<IndexReader>,
    parser: OnceLock<tantivy::query::QueryParser>,
    titled_parser: OnceLock<tantivy::query::QueryParser>,
    home: OnceLock<PathBuf>,
    /// The average lead length of the last reader generation asked about.
    average_lead: std::sync::Mutex<Option<(u64, f32)>>,
    /// Whether the reader generation given holds titles (see [`Store::holds_titles`]).
    titles: std::sync::Mutex<Option<(u64, bool)>>,
    /// Each segment's reader of stored documents, for the last reader generation asked about,
    /// opened when first needed (see [`Store::doc`]).
    doc_readers: std::sync::Mutex<Option<(u64, DocReaders)>>,
}

/// One slot per segment of a reader generation.
type DocReaders = std::sync::Arc<[OnceLock<tantivy::store::StoreReader>]>;

/// Blocks of stored documents each segment's reader keeps decompressed (tantivy's default).
const DOC_CACHE_BLOCKS: usize = 100;

impl Store {
    pub(crate) fn new(index: Index, fields: Fields, dir: &Path) -> Store {
        Store {
            index,
            fields,
            dir: dir.to_path_buf(),
            reader: OnceLock::new(),
            parser: OnceLock::new(),
            titled_parser: OnceLock::new(),
            home: OnceLock::new(),
            average_lead: std::sync::Mutex::new(None),
            titles: std::sync::Mutex::new(None),
            doc_readers: std::sync::Mutex::new(None),
        }
    }

    /// The stored document at `addr`, its bytes checked before they are read
    /// ([`crate::index::stored`]): damage is an error naming the segment's `.store` file, never
    /// an allocation of whatever size a flipped byte asks for. Use it instead of
    /// `Searcher::doc`.
    pub fn doc(
        &self,
        searcher: &tantivy::Searcher,
        addr: tantivy::DocAddress,
    ) -> tantivy::Result<TantivyDocument> {
        let generation = searcher.generation().generation_id();
        let readers = {
            let mut cached = self.doc_readers.lock().unwrap_or_else(|e| e.into_inner());
            match &*cached {
                Some((g, readers)) if *g == generation => readers.clone(),
                _ => {
                    let readers: DocReaders = searcher
                        .segment_readers()
                        .iter()
                        .map(|_| OnceLock::new())
                        .collect();
                    *cached = Some((generation, readers.clone()));
                    readers
                }
            }
        };
        let seg = searcher.segment_reader(addr.segment_ord);
        let slot = &readers[addr.segment_ord as usize];
        let reader = match slot.get() {
            Some(r) => r,
            None => {
                let r = seg.get_store_reader(DOC_CACHE_BLOCKS)?;
                slot.get_or_init(|| r)
            }
        };
        crate::index::stored::read(
            reader,
            addr.doc_id,
            seg.schema().num_fields(),
            &self.store_file(seg),
        )
    }

    /// The path of a segment's doc store, for errors.
    pub fn store_file(&self, seg: &tantivy::SegmentReader) -> PathBuf {
        self.dir
            .join(format!("{}.store", seg.segment_id().uuid_string()))
    }

    /// The folder that holds the index (its parent, symlinks resolved): what the server and
    /// export show keys relative to, whatever the current directory. Resolved once.
    pub fn home(&self) -> &Path {
        self.home.get_or_init(|| {
            let dir = std::path::absolute(&self.dir).unwrap_or_else(|_| self.dir.clone());
            let parent = dir.parent().map(Path::to_path_buf).unwrap_or(dir);
            fs::canonicalize(&parent).unwrap_or(parent)
        })
    }

    /// The query parser (the schema and the query-time analyzers), built once: words without
    /// a field are looked for in the body, and also in the title when `titles` (a title match
    /// weighed by the default ranking's title weight).
    pub fn parser(&self, titles: bool) -> &tantivy::query::QueryParser {
        if titles {
            return self.titled_parser.get_or_init(|| {
                let mut parser = tantivy::query::QueryParser::new(
                    self.index.schema(),
                    vec![self.fields.body, self.fields.title],
                    schema::query_tokenizers(),
                );
                parser.set_field_boost(self.fields.title, crate::search::rank::TITLE_WEIGHT);
                parser
            });
        }
        self.parser.get_or_init(|| {
            tantivy::query::QueryParser::new(
                self.index.schema(),
                vec![self.fields.body],
                schema::query_tokenizers(),
            )
        })
    }

    /// Whether any article of the current reader has a title (a records file gave it one):
    /// a look at each segment's title dictionary, once per reader generation (only a commit
    /// changes it). An index that cannot be read says no here and fails at the search that
    /// follows. Only records files give titles, so an index whose `records.json` lists none is
    /// answered without opening the title field: tantivy builds an empty dictionary for a
    /// field without terms, a 940 KB allocation that took a search of Reuters-21578 from 220
    /// to 490 page faults.
    pub fn holds_titles(&self) -> bool {
        let Ok(reader) = self.reader() else {
            return false;
        };
        let searcher = reader.searcher();
        let generation = searcher.generation().generation_id();
        let mut cached = self.titles.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((g, titles)) = *cached
            && g == generation
        {
            return titles;
        }
        let titles = crate::index::writer::holds_records(&self.dir) != Some(false)
            && searcher.segment_readers().iter().any(|seg| {
                seg.inverted_index(self.fields.title)
                    .is_ok_and(|i| i.terms().num_terms() > 0)
            });
        *cached = Some((generation, titles));
        titles
    }

    /// The average length of a lead in words, from a sample of about 1,000 articles spread
    /// over the segments in proportion to their size (the first ones of each): computed once
    /// per reader generation, since only a commit changes it.
    pub fn average_lead(&self, searcher: &tantivy::Searcher) -> tantivy::Result<f32> {
        let generation = searcher.generation().generation_id();
        let mut cached = self.average_lead.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((g, avg)) = *cached
            && g == generation
        {
            return Ok(avg);
        }
        const SAMPLE: u64 = 1_000;
        let total: u64 = searcher
            .segment_readers()
            .iter()
            .map(|s| u64::from(s.max_doc()))
            .sum();
        let (mut sum, mut n) = (0u64, 0u64);
        for seg in searcher.segment_readers() {
            let take = (u64::from(seg.max_doc()) * SAMPLE).div_ceil(total.max(1));
            let lead = seg.fast_fields().u64(schema::LEAD)?;
            for doc in 0..take.min(u64::from(seg.max_doc())) as tantivy::DocId {
                sum += lead.first(doc).unwrap_or(0);
                n += 1;
            }
        }
        let avg = sum as f32 / n.max(1) as f32;
        *cached = Some((generation, avg));
        Ok(avg)
    }

    /// The reader, opened once: it sees the commit that was last when it opened.
    pub fn reader(&self) -> anyhow::Result<IndexReader> {
        if let Some(r) = self.reader.get() {
            return Ok(r.clone());
        }
        let r: IndexReader = self
            .index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(self.reader.get_or_init(|| r).clone())
    }

    /// Makes [`Store::reader`] follow the index: each commit (by any process) is picked up
    /// within about half a second, by tantivy's watch of `meta.json`. For a long-running
    /// server; call it before the first `reader()`.
    pub fn follow_commits(&self) -> anyhow::Result<()> {
        let r: IndexReader = self
            .index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()?;
        let _ = self.reader.set(r);
        Ok(())
    }

    /// A reader of the latest commit, bypassing the cached one (after this process commits).
    pub(crate) fn fresh_reader(&self) -> anyhow::Result<IndexReader> {
        Ok(self
            .index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?)
    }
}

pub(crate) fn payload() -> String {
    schema::commit_payload()
}

pub(crate) fn other(dir: &Path, e: impl Into<anyhow::Error>) -> OpenError {
    OpenError::Other {
        dir: dir.to_path_buf(),
        source: e.into(),
    }
}

/// Whether a folder is absent or holds nothing but placeholders and what an interrupted index
/// creation leaves (never an index: those files exist before `meta.json` does).
pub(crate) fn is_vacant(dir: &Path) -> std::io::Result<bool> {
    match fs::read_dir(dir) {
        Ok(entries) => {
            for e in entries {
                let name = e?.file_name();
                if !PLACEHOLDERS.iter().any(|p| name == *p) && !is_creation_leftover(&name) {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(e),
    }
}

/// The error for an index whose `meta.json` or `.managed.json` is damaged, if it is.
fn damaged_metas(dir: &Path) -> Option<OpenError> {
    let files = damage::scan_metas(dir);
    (!files.is_empty()).then(|| {
        OpenError::Damaged(damage::Damaged {
            dir: dir.to_path_buf(),
            files,
        })
    })
}

/// Opens an existing index for reading.
pub fn open(dir: &Path) -> Result<Store, OpenError> {
    open_in(dir, None)
}

/// [`open`], through `directory` when given (a test's, to fail writes) instead of the folder's
/// own memory-mapped one.
pub fn open_in(dir: &Path, directory: Option<Box<dyn Directory>>) -> Result<Store, OpenError> {
    if !dir.join("meta.json").is_file() {
        if let Some(e) = damaged_metas(dir) {
            return Err(e);
        }
        return Err(match is_vacant(dir) {
            Ok(true) => OpenError::Missing(dir.to_path_buf()),
            Ok(false) => OpenError::NotAnIndex(dir.to_path_buf()),
            Err(e) => other(dir, e),
        });
    }
    let opened = match directory {
        Some(d) => Index::open(d),
        None => Index::open_in_dir(dir),
    };
    let mut index = opened.map_err(|e| match e {
        TantivyError::DataCorruption(_) | TantivyError::SchemaError(_) => {
            damaged_metas(dir).unwrap_or_else(|| OpenError::NotAnIndex(dir.to_path_buf()))
        }
        e => damaged_metas(dir).unwrap_or_else(|| other(dir, e)),
    })?;
    // The format version first: an index of another version may have other fields.
    let metas = index.load_metas().map_err(|e| other(dir, e))?;
    match metas.payload.as_deref() {
        Some(p) if p == payload() => {}
        // Created, but killed before its first commit: an empty index of ours.
        None if metas.segments.is_empty() => {}
        found => {
            return Err(OpenError::Version {
                dir: dir.to_path_buf(),
                found: found
                    .and_then(|p| p.strip_prefix("{\"dateline_format\":"))
                    .and_then(|p| p.strip_suffix('}'))
                    .unwrap_or("unknown")
                    .to_string(),
                expected: schema::FORMAT_VERSION,
            });
        }
    }
    let fields = schema::fields_of(&index.schema())
        .ok_or_else(|| OpenError::NotAnIndex(dir.to_path_buf()))?;
    schema::register(&index);
    // Search the segments in parallel, one thread per core: a phrase of common words over a
    // million articles takes half the time on two cores. A single segment gains nothing, and
    // a small index loses: starting the pool costs more than its searches take.
    let articles: u64 = metas.segments.iter().map(|s| u64::from(s.num_docs())).sum();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(metas.segments.len());
    if threads > 1 && articles >= PARALLEL_SEARCH_ARTICLES {
        index
            .set_multithread_executor(threads)
            .map_err(|e| other(dir, e))?;
    }
    Ok(Store::new(index, fields, dir))
}

/// Indexes of at least this many articles search their segments in parallel.
const PARALLEL_SEARCH_ARTICLES: u64 = 100_000;

/// Looks up one article by its key and returns its stored document.
pub fn find(
    store: &Store,
    reader: &IndexReader,
    key: &str,
) -> anyhow::Result<Option<TantivyDocument>> {
    let searcher = reader.searcher();
    match find_address(&searcher, store.fields, key)? {
        Some(addr) => Ok(Some(store.doc(&searcher, addr)?)),
        None => Ok(None),
    }
}

/// Where one article, by its key, lies in the index.
pub fn find_address(
    searcher: &tantivy::Searcher,
    f: Fields,
    key: &str,
) -> tantivy::Result<Option<tantivy::DocAddress>> {
    let term = Term::from_field_text(f.path, key);
    let query = tantivy::query::TermQuery::new(term, tantivy::schema::IndexRecordOption::Basic);
    let hits = searcher.search(
        &query,
        &tantivy::collector::TopDocs::with_limit(1).order_by_score(),
    )?;
    Ok(hits.first().map(|(_, addr)| *addr))
}

pub use crate::index::schema::{Stored, paragraphs};

/// Fetches one stored article by key.
pub fn article(store: &Store, key: &str) -> anyhow::Result<Option<Stored>> {
    let reader = store.reader()?;
    let doc = find(store, &reader, key)?;
    Ok(doc.map(|d| Stored::from_doc(&d, store.fields)))
}

/// Whether some live article's key starts with `prefix`: a look at each segment's path
/// dictionary, not a search.
pub fn holds_prefix(searcher: &tantivy::Searcher, prefix: &str) -> anyhow::Result<bool> {
    let path = searcher.schema().get_field(schema::PATH)?;
    for seg in searcher.segment_readers() {
        let inverted = seg.inverted_index(path)?;
        let mut keys = inverted
            .terms()
            .range()
            .ge(prefix.as_bytes())
            .into_stream()
            .map_err(anyhow::Error::from)?;
        while keys.advance() {
            if !keys.key().starts_with(prefix.as_bytes()) {
                break;
            }
            let info = keys.value();
            // A key left by a deleted article does not count.
            let mut postings = inverted
                .read_postings_from_terminfo(info, IndexRecordOption::Basic)
                .map_err(anyhow::Error::from)?;
            let alive = seg.alive_bitset();
            while postings.doc() != tantivy::TERMINATED {
                if alive.is_none_or(|a| a.is_alive(postings.doc())) {
                    return Ok(true);
                }
                postings.advance();
            }
        }
    }
    Ok(false)
}
