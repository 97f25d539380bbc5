//! Creating the index, and bringing it in step with the corpus: unchanged files are
//! skipped unread, changed ones re-indexed, removed ones deleted, all in one commit.

use crate::article;
use crate::corpus::{self, FileEntry, Walk};
use crate::index::damage::{self, Damaged, DamagedFile, WriteError};
use crate::index::schema::{self, Fields};
use crate::index::store::{
    self, LOCK_FILE, OpenError, PLACEHOLDERS, Store, is_creation_leftover, is_vacant, other,
    payload,
};
use crate::records::{self, Mapping, Records};
use anyhow::Context;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::ffi::OsString;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use tantivy::directory::error::LockError;
use tantivy::indexer::IndexWriterOptions;
use tantivy::{Directory, Index, IndexReader, IndexWriter, TantivyError, Term};

/// Makes the [`Directory`] an index folder is read and written through (a test's, to fail
/// writes); given the folder, which exists.
pub type DirectoryMaker = dyn Fn(&Path) -> Box<dyn Directory>;

/// Opens the index, creating it when the folder is absent or holds only placeholders. With
/// `rebuild`, an index of another format version, or one whose `meta.json` is damaged, is
/// replaced.
pub fn open_or_create(dir: &Path, rebuild: bool) -> Result<Store, OpenError> {
    open_or_create_in(dir, rebuild, None)
}

fn open_or_create_in(
    dir: &Path,
    rebuild: bool,
    make: Option<&DirectoryMaker>,
) -> Result<Store, OpenError> {
    let directory = || make.filter(|_| dir.is_dir()).map(|m| m(dir));
    match store::open_in(dir, directory()) {
        Err(OpenError::Missing(_)) => create(dir, make),
        Err(OpenError::Version { .. } | OpenError::Damaged(_)) if rebuild => {
            clear_index_files(dir).map_err(|e| other(dir, e))?;
            create(dir, make)
        }
        r => r,
    }
}

/// Creates the index; the caller holds the run lock, so leftovers of an interrupted creation
/// can be cleared first.
fn create(dir: &Path, make: Option<&DirectoryMaker>) -> Result<Store, OpenError> {
    fs::create_dir_all(dir)
        .with_context(|| format!("creating {}", dir.display()))
        .map_err(|e| other(dir, e))?;
    for e in fs::read_dir(dir).map_err(|e| other(dir, e))? {
        let e = e.map_err(|e| other(dir, e))?;
        if is_creation_leftover(&e.file_name()) && e.file_type().is_ok_and(|t| t.is_file()) {
            fs::remove_file(e.path()).map_err(|e| other(dir, e))?;
        }
    }
    let (schema, fields) = schema::build();
    let builder = Index::builder().schema(schema).settings(schema::settings());
    let index = match make {
        Some(m) => builder.open_or_create(m(dir)),
        None => builder.create_in_dir(dir),
    }
    .map_err(|e| other(dir, e))?;
    schema::register(&index);
    Ok(Store::new(index, fields, dir))
}

/// Removes the files of an index of another version, leaving placeholders alone.
fn clear_index_files(dir: &Path) -> std::io::Result<()> {
    for e in fs::read_dir(dir)? {
        let e = e?;
        let name = e.file_name();
        if PLACEHOLDERS.iter().any(|p| name == *p) {
            continue;
        }
        if e.file_type()?.is_dir() {
            fs::remove_dir_all(e.path())?;
        } else {
            fs::remove_file(e.path())?;
        }
    }
    Ok(())
}

/// The writer's memory budget: at a million generated articles on two cores, 768 MB leaves 4
/// segments where 512 MB left 6, and each search process takes 6-15 % less CPU (benches/README.md,
/// "Against plain Tantivy"); peak memory 1.16 GB against 0.9.
pub const WRITER_MEMORY: usize = 768 * 1024 * 1024;

/// How an index run is carried out.
#[derive(Debug, Clone)]
pub struct Options {
    /// Start from an empty index.
    pub rebuild: bool,
    /// Drop the segments whose files are damaged and re-read their articles.
    pub repair: bool,
    /// Remove the articles of these paths (files, or folders and all below them).
    pub forget: Vec<PathBuf>,
    /// Indexing threads (tantivy's writer); parsing uses rayon's pool.
    pub threads: usize,
    /// The writer's memory budget, in bytes, shared by its threads: it bounds peak memory
    /// whatever the corpus and the number of cores. Each thread writes a segment whenever its
    /// share fills, so a larger budget leaves fewer segments, which searches open faster.
    pub memory: usize,
    /// How the records files below this run's paths name their fields (remembered in the
    /// index for later runs); `None` keeps what was remembered.
    pub map: Option<Mapping>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            rebuild: false,
            repair: false,
            forget: Vec::new(),
            threads: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
                .clamp(1, 8),
            memory: WRITER_MEMORY,
            map: None,
        }
    }
}

/// Hears about progress while files are read and parsed.
pub trait Progress: Sync {
    /// `total` files will be read.
    fn start(&self, total: u64);
    /// One more file is done.
    fn advance(&self);
    /// Reading and parsing is over; the commit follows.
    fn finish(&self);
}

/// A [`Progress`] that reports nothing.
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _: u64) {}
    fn advance(&self) {}
    fn finish(&self) {}
}

/// A file that could not be indexed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedFile {
    /// The path as the user would name it.
    pub path: String,
    /// The 1-based line, when the problem has one.
    pub line: Option<usize>,
    /// What went wrong.
    pub reason: String,
}

impl std::fmt::Display for SkippedFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.path, line, self.reason),
            None => write!(f, "{}: {}", self.path, self.reason),
        }
    }
}

/// What an index run did.
#[derive(Debug, Default, Clone)]
pub struct IndexSummary {
    /// Articles new to the index.
    pub added: u64,
    /// Articles re-indexed because their file changed.
    pub updated: u64,
    /// Articles deleted because their file is gone.
    pub removed: u64,
    /// Files found unchanged.
    pub unchanged: u64,
    /// Files (and records) skipped, with the reason.
    pub skipped: Vec<SkippedFile>,
    /// Files not read because their names are not of an article format (as the user would
    /// name them).
    pub ignored: Vec<String>,
    /// Articles in the index after the run.
    pub total: u64,
    /// Whether anything was committed.
    pub committed: bool,
    /// What `--repair` found and did.
    pub repair: Repair,
}

/// What `--repair` did.
#[derive(Debug, Default, Clone)]
pub struct Repair {
    /// The damaged files; their segments were dropped from the index.
    pub damaged: Vec<DamagedFile>,
    /// Articles of the dropped segments read again from their files.
    pub reread: u64,
    /// Articles of the dropped segments whose files are gone: lost (their keys).
    pub lost: Vec<String>,
    /// Articles of dropped segments whose names could not be read back: those below the paths
    /// of the run were re-read with the rest of the corpus, any others are lost.
    pub unnamed: u64,
    /// Whether `.managed.json` (Tantivy's list of its files) was written anew.
    pub rewrote_file_list: bool,
}

/// What the index knows of one article's file.
#[derive(Debug, Clone, Copy)]
struct Known {
    size: u64,
    mtime_ns: i64,
    hash: u64,
}

enum FileOutcome {
    Added,
    Updated,
    Unchanged,
    Skipped(SkippedFile),
}

/// Brings the index at `dir` in step with the files under `roots`.
pub fn run(
    dir: &Path,
    roots: &[PathBuf],
    opts: &Options,
    progress: &dyn Progress,
) -> anyhow::Result<IndexSummary> {
    run_with(dir, roots, opts, progress, None)
}

/// [`run`], reading and writing the index through the directory `make` gives (a test's, to
/// fail writes).
///
/// Whatever stops the run (a full disk, a read-only or vanished folder, damage), the files it
/// wrote are removed: the folder holds the last commit, intact, and the next run starts clean.
pub fn run_with(
    dir: &Path,
    roots: &[PathBuf],
    opts: &Options,
    progress: &dyn Progress,
    make: Option<&DirectoryMaker>,
) -> anyhow::Result<IndexSummary> {
    // A path named on the command line that cannot be read is a mistake in the arguments:
    // stop before touching the index.
    for root in roots {
        if let Err(e) = fs::metadata(root) {
            anyhow::bail!("{}: {}", root.display(), corpus::io_reason(&e));
        }
    }
    let existed = dir.exists();
    let lock_file = lock(dir).map_err(|e| {
        let e = anyhow::Error::from(e);
        match damage::io_kind(&e) {
            Some(io::ErrorKind::ReadOnlyFilesystem | io::ErrorKind::PermissionDenied) => {
                write_failure(dir, e)
            }
            _ => e,
        }
    })?;
    let before = listing(dir);
    let result = (|| -> anyhow::Result<IndexSummary> {
        let mut repair = Repair::default();
        if opts.repair && !opts.rebuild {
            repair.rewrote_file_list = rewrite_file_list(dir)?;
        }
        let store = open_or_create_in(dir, opts.rebuild, make)?;
        let mut roots = roots.to_vec();
        if opts.repair && !opts.rebuild {
            let refetch = drop_damaged(&store, &mut repair)?;
            roots.extend(refetch.into_iter().map(PathBuf::from));
        } else if !opts.rebuild {
            // Damage found before writing: a merge could copy it into a sound-looking file.
            let damaged = damage::scan_files(&store.index, dir).map_err(|e| other(dir, e))?;
            if !damaged.is_empty() {
                return Err(Damaged {
                    dir: dir.to_path_buf(),
                    files: damaged,
                }
                .into());
            }
        }
        let walk = corpus::walk_except(&roots, Some(dir));
        let trust_cache = repair.damaged.is_empty();
        let mut report = index_walk(&store, walk, opts, progress, trust_cache)?;
        report.repair = repair;
        Ok(report)
    })();
    result.map_err(|e| {
        let e = write_failure(dir, e);
        if e.downcast_ref::<WriteError>().is_some() {
            remove_written(dir, &before, existed);
        }
        drop(lock_file);
        if !existed && e.downcast_ref::<WriteError>().is_some() {
            remove_folder(dir);
        }
        e
    })
}

/// Removes the folder a failed first run created. Once, on a loaded machine, the full-disk
/// test found one segment file left in it: most likely written by a thread of tantivy's that
/// outlives the writer while the folder was being emptied, so the removal failed on a folder
/// not empty. The removal is tried again, for up to a second.
fn remove_folder(dir: &Path) {
    for _ in 0..40 {
        if fs::remove_dir_all(dir).is_ok() || !dir.exists() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
}

/// The names in a folder (empty when it cannot be read).
fn listing(dir: &Path) -> HashSet<OsString> {
    fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default()
}

/// The segment ids of the commit `meta.json` holds now (dashes removed, as in file names).
fn committed_segments(dir: &Path) -> Option<HashSet<String>> {
    let bytes = fs::read(dir.join("meta.json")).ok()?;
    let meta: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    Some(
        meta.get("segments")?
            .as_array()?
            .iter()
            .filter_map(|s| s.get("segment_id")?.as_str())
            .map(|id| id.replace('-', ""))
            .collect(),
    )
}

/// Removes what a failed run wrote: every file that was not in the folder before the run and
/// is not part of the commit `meta.json` holds now. Returns the bytes removed.
fn remove_written(dir: &Path, before: &HashSet<OsString>, _existed: bool) -> u64 {
    let live = committed_segments(dir).unwrap_or_default();
    let mut removed = 0;
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name();
        if before.contains(&name) {
            continue;
        }
        let text = name.to_string_lossy();
        let ours = match damage::segment_of(&text) {
            Some(id) => !live.contains(id),
            None => text.starts_with(".tmp"),
        };
        if ours && entry.file_type().is_ok_and(|t| t.is_file()) {
            let len = entry.metadata().map(|m| m.len()).unwrap_or(0);
            if fs::remove_file(entry.path()).is_ok() {
                removed += len;
            }
        }
    }
    removed
}

/// Names a failure to write: a full disk, a read-only folder, a vanished folder; other errors
/// pass unchanged. Called before [`remove_written`], it measures what the run wrote.
fn write_failure(dir: &Path, e: anyhow::Error) -> anyhow::Error {
    if e.downcast_ref::<Damaged>().is_some() || e.downcast_ref::<WriteError>().is_some() {
        return e;
    }
    if !dir.exists() {
        return WriteError::Vanished {
            dir: dir.to_path_buf(),
        }
        .into();
    }
    match damage::io_kind(&e) {
        Some(io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded) => {
            // What the run wrote and will remove: the files the last commit does not use.
            let live = committed_segments(dir).unwrap_or_default();
            let wrote: u64 = fs::read_dir(dir)
                .into_iter()
                .flatten()
                .flatten()
                .filter(|e| {
                    let name = e.file_name();
                    let name = name.to_string_lossy();
                    damage::segment_of(&name).is_some_and(|id| !live.contains(id))
                        || name.starts_with(".tmp")
                })
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum();
            WriteError::Full {
                dir: dir.to_path_buf(),
                wrote: crate::render::human_bytes(wrote),
            }
            .into()
        }
        Some(
            kind @ (io::ErrorKind::ReadOnlyFilesystem
            | io::ErrorKind::PermissionDenied
            | io::ErrorKind::NotADirectory),
        ) => WriteError::ReadOnly {
            dir: dir.to_path_buf(),
            why: match kind {
                io::ErrorKind::ReadOnlyFilesystem => "the file system is read-only".into(),
                io::ErrorKind::PermissionDenied => "permission denied".into(),
                k => k.to_string(),
            },
        }
        .into(),
        _ => e,
    }
}

/// With `--repair`: writes `.managed.json` (Tantivy's list of the files it wrote) anew when it
/// is damaged, from the files of the last commit. Returns whether it did.
fn rewrite_file_list(dir: &Path) -> anyhow::Result<bool> {
    let damaged = damage::scan_metas(dir);
    if damaged.is_empty() {
        return Ok(false);
    }
    if damaged.iter().any(|d| !d.repairable()) {
        return Err(Damaged {
            dir: dir.to_path_buf(),
            files: damaged,
        }
        .into());
    }
    let live = committed_segments(dir).unwrap_or_default();
    let mut files: Vec<String> = vec!["meta.json".into()];
    for entry in fs::read_dir(dir)?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if damage::segment_of(&name).is_some_and(|id| live.contains(id)) {
            files.push(name);
        }
    }
    let mut json = serde_json::to_vec(&files)?;
    json.push(b'\n');
    let tmp = dir.join(".managed.json.dateline-tmp");
    fs::write(&tmp, &json)?;
    fs::rename(&tmp, dir.join(".managed.json"))?;
    Ok(true)
}

/// With `--repair`: finds the damaged segments (a file missing or failing its checksum, or an
/// article that cannot be read back), drops them from the commit and removes their files.
/// Returns the keys of their articles whose files still exist, to be read again.
fn drop_damaged(store: &Store, repair: &mut Repair) -> anyhow::Result<Vec<String>> {
    let dir = &store.dir;
    let mut damaged = damage::scan_files(&store.index, dir).map_err(|e| other(dir, e))?;
    let unreadable = damage::scan_reads(&store.index, dir, &damaged);
    damaged.extend(unreadable);
    if damaged.is_empty() {
        return Ok(Vec::new());
    }
    let bad: BTreeSet<String> = damaged.iter().filter_map(|d| d.segment.clone()).collect();
    let mut refetch = Vec::new();
    let mut metas = store.index.load_metas()?;
    for seg in &metas.segments {
        let id = seg.id().uuid_string();
        if !bad.contains(&id) {
            continue;
        }
        match damage::segment_keys(&store.index, &id) {
            Some(keys) => {
                for key in keys {
                    let file = records::split_key(&key).map_or(key.as_str(), |(file, _)| file);
                    if Path::new(file).is_file() {
                        refetch.push(file.to_string());
                    } else {
                        repair.lost.push(key);
                    }
                }
            }
            None => repair.unnamed += u64::from(seg.num_docs()),
        }
    }
    repair.reread = refetch.len() as u64;
    refetch.sort();
    refetch.dedup();
    metas
        .segments
        .retain(|s| !bad.contains(&s.id().uuid_string()));
    let mut json = serde_json::to_vec_pretty(&metas)?;
    json.push(b'\n');
    store
        .index
        .directory()
        .atomic_write(Path::new("meta.json"), &json)?;
    for entry in fs::read_dir(dir)?.flatten() {
        let name = entry.file_name();
        if damage::segment_of(&name.to_string_lossy()).is_some_and(|id| bad.contains(id)) {
            let _ = fs::remove_file(entry.path());
        }
    }
    repair.lost.sort();
    repair.damaged = damaged;
    Ok(refetch)
}

/// Takes the run lock (see [`LOCK_FILE`]), creating the folder if needed; fails at once when
/// another run holds it.
fn lock(dir: &Path) -> Result<fs::File, OpenError> {
    // A folder of something else is refused before the lock file would litter it.
    // (An index that lost its `meta.json` is left to `open_or_create`: damaged, or rebuilt.)
    if !dir.join("meta.json").is_file()
        && !is_vacant(dir).map_err(|e| other(dir, e))?
        && !damage::holds_index_files(dir)
    {
        return Err(OpenError::NotAnIndex(dir.to_path_buf()));
    }
    fs::create_dir_all(dir)
        .with_context(|| format!("creating {}", dir.display()))
        .map_err(|e| other(dir, e))?;
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(LOCK_FILE))
        .map_err(|e| other(dir, e))?;
    while_busy(|| match file.try_lock() {
        Ok(()) => Ok(Some(())),
        Err(fs::TryLockError::WouldBlock) => Ok(None),
        Err(fs::TryLockError::Error(e)) => Err(other(dir, e)),
    })?
    .ok_or_else(|| OpenError::Locked(dir.to_path_buf()))?;
    Ok(file)
}

/// Tries to take a lock (`Ok(None)`: busy) for up to half a second before calling it held.
/// A lock is an open file, and a process being started by this one holds a copy of each open
/// file from its fork until its program runs: a lock this process has just let go of can look
/// held for that moment (the full-disk test, run beside tests that start processes, saw it).
fn while_busy<T>(
    mut attempt: impl FnMut() -> Result<Option<T>, OpenError>,
) -> Result<Option<T>, OpenError> {
    for _ in 0..20 {
        if let Some(taken) = attempt()? {
            return Ok(Some(taken));
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    attempt()
}

/// The writer's settings for a run: shared with the plain Tantivy loop of `benches/plain.rs`, so
/// the two are measured alike.
pub fn writer_options(opts: &Options) -> IndexWriterOptions {
    let threads = opts.threads.max(1);
    IndexWriterOptions::builder()
        .num_worker_threads(threads)
        .memory_budget_per_thread((opts.memory / threads).max(20_000_000))
        .num_merge_threads(1)
        .build()
}

fn writer(store: &Store, opts: &Options) -> Result<IndexWriter, OpenError> {
    while_busy(
        || match store.index.writer_with_options(writer_options(opts)) {
            Ok(writer) => Ok(Some(writer)),
            Err(TantivyError::LockFailure(LockError::LockBusy, _)) => Ok(None),
            Err(e) => Err(other(&store.dir, e)),
        },
    )?
    .ok_or_else(|| OpenError::Locked(store.dir.clone()))
}

/// The index's memory of its records files, in `records.json` beside the index files: the
/// mapping each folder's records files are read with, and, for the commit it was written after,
/// each records file's size, modification time and mapping and the text files its records name
/// (each with its size and time). A records file matching all of them is not read again. Beyond
/// the mappings it is a cache: missing, or written for another commit, every records file is
/// read again, and records that did not change are left as they are.
#[derive(Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
struct RecordsState {
    opstamp: u64,
    maps: BTreeMap<String, String>,
    files: BTreeMap<String, FileState>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct FileState {
    size: u64,
    mtime_ns: i64,
    map: String,
    claims: Vec<(String, u64, i64)>,
}

/// The file holding [`RecordsState`], in the index folder.
pub const RECORDS_STATE: &str = "records.json";

/// Whether the index at `dir` was given any records file (the only source of titles, authors
/// and sources), as `records.json` says, without opening the index; `None` without one (an
/// index written some other way).
pub fn holds_records(dir: &Path) -> Option<bool> {
    let bytes = fs::read(dir.join(RECORDS_STATE)).ok()?;
    let state: RecordsState = serde_json::from_slice(&bytes).ok()?;
    Some(!state.files.is_empty())
}

impl RecordsState {
    fn load(dir: &Path) -> RecordsState {
        fs::read(dir.join(RECORDS_STATE))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    /// Writes the state to a temporary file when it differs from the file's; returns the
    /// temporary file, for [`RecordsState::publish`] (a failed run removes it as it removes the
    /// other files it wrote).
    fn stage(&self, dir: &Path) -> io::Result<Option<PathBuf>> {
        let path = dir.join(RECORDS_STATE);
        if self == &RecordsState::default() && !path.exists() {
            return Ok(None);
        }
        let mut json = serde_json::to_vec_pretty(self).map_err(io::Error::other)?;
        json.push(b'\n');
        if fs::read(&path).is_ok_and(|old| old == json) {
            return Ok(None);
        }
        let tmp = dir.join(".tmp-records.json");
        fs::write(&tmp, &json)?;
        Ok(Some(tmp))
    }

    /// Puts a staged state in place.
    fn publish(dir: &Path, staged: Option<PathBuf>) -> io::Result<()> {
        match staged {
            Some(tmp) => fs::rename(tmp, dir.join(RECORDS_STATE)),
            None => Ok(()),
        }
    }

    /// The mapping a records file is read with: the one remembered for the narrowest path
    /// holding it, or none.
    fn map_for(&self, key: &str) -> Mapping {
        self.maps
            .iter()
            .filter(|(scope, _)| corpus::in_scope(key, scope))
            .max_by_key(|(scope, _)| scope.len())
            .and_then(|(_, spec)| Mapping::parse(spec).ok())
            .unwrap_or_default()
    }
}

/// What reading one records file did.
#[derive(Debug, Default)]
struct RecordsOutcome {
    added: u64,
    updated: u64,
    removed: u64,
    unchanged: u64,
    skipped: Vec<SkippedFile>,
    claims: Vec<records::Claim>,
    /// Text files the file's records named when last read and name no more.
    released: Vec<String>,
    /// Every record read and no duplicate id: the file can be passed by unread until it changes.
    clean: bool,
}

fn index_walk(
    store: &Store,
    walk: Walk,
    opts: &Options,
    progress: &dyn Progress,
    trust_cache: bool,
) -> anyhow::Result<IndexSummary> {
    let mut writer = writer(store, opts)?;
    let f = store.fields;
    let mut report = IndexSummary {
        ignored: walk.ignored.clone(),
        ..Default::default()
    };
    let metas = store.index.load_metas()?;
    let fresh = metas.payload.is_none();
    let mut state = RecordsState::load(&store.dir);
    if !trust_cache || opts.rebuild || state.opstamp != metas.opstamp {
        state.files.clear();
    }
    // The text files each records file named when last read.
    let previous_claims: HashMap<String, Vec<String>> = state
        .files
        .iter()
        .map(|(file, st)| {
            let keys = st.claims.iter().map(|(k, _, _)| k.clone()).collect();
            (file.clone(), keys)
        })
        .collect();
    if let Some(map) = &opts.map {
        let spec = map.spec();
        for scope in &walk.scopes {
            state.maps.retain(|s, _| !corpus::in_scope(s, scope));
            if !spec.is_empty() {
                state.maps.insert(scope.clone(), spec.clone());
            }
        }
    }

    let known = if opts.rebuild {
        writer.delete_all_documents()?;
        Vec::new()
    } else {
        known_files(&store.fresh_reader()?)?
    };

    // One merge of two sorted lists, the files found and the articles known, sorts every file
    // into unchanged, changed or new, and every article into kept or removed. Removed: indexed
    // below a scope of this run, not found now, and not below a folder that could not be listed
    // (an unreadable folder must not empty the index).
    let in_scope = |key: &str, scopes: &[String]| scopes.iter().any(|s| corpus::in_scope(key, s));
    let forget: Vec<String> = opts
        .forget
        .iter()
        .map(|p| corpus::key_as_named(p))
        .collect();
    let forgotten = |key: &str| {
        forget.iter().any(|f| {
            key == f
                || key
                    .strip_prefix(f.as_str())
                    .is_some_and(|rest| rest.starts_with(['/', '#']) || f.ends_with('/'))
        })
    };
    // `--forget PATH`: gone, whether or not the file is.
    let mut dated_known: Vec<(String, Known)> = Vec::with_capacity(known.len());
    let mut record_known: HashMap<String, HashMap<String, Known>> = HashMap::new();
    for (key, k) in known {
        if forgotten(&key) {
            writer.delete_term(Term::from_field_text(f.path, &key));
            report.removed += 1;
            continue;
        }
        match records::split_key(&key) {
            Some((file, id)) => {
                record_known
                    .entry(file.to_string())
                    .or_default()
                    .insert(id.to_string(), k);
            }
            None => dated_known.push((key, k)),
        }
    }
    let (record_files, dated_files): (Vec<&FileEntry>, Vec<&FileEntry>) = walk
        .files
        .iter()
        .filter(|e| !forgotten(&e.key))
        .partition(|e| records::format_of(&e.path).is_some());

    // Records files: passed by unread when the state remembers them as they are (and the text
    // files they name too), else read record by record.
    let evidence_of = |key: &str| -> Option<(u64, i64)> {
        match walk.files.binary_search_by(|e| e.key.as_str().cmp(key)) {
            Ok(i) => Some((walk.files[i].size, walk.files[i].mtime_ns)),
            Err(_) => fs::metadata(key)
                .ok()
                .map(|m| (m.len(), corpus::mtime_ns(&m))),
        }
    };
    let mut claimed: HashSet<String> = HashSet::new();
    let mut files_state: BTreeMap<String, FileState> = BTreeMap::new();
    let mut records_to_read: Vec<(&FileEntry, Mapping)> = Vec::new();
    for entry in &record_files {
        let map = state.map_for(&entry.key);
        let spec = map.spec();
        let remembered = state.files.get(&entry.key).filter(|st| {
            st.size == entry.size
                && st.mtime_ns == entry.mtime_ns
                && st.map == spec
                && st
                    .claims
                    .iter()
                    .all(|(k, size, mtime)| evidence_of(k) == Some((*size, *mtime)))
        });
        match remembered {
            Some(st) => {
                report.unchanged += record_known.get(&entry.key).map_or(0, |m| m.len() as u64)
                    + st.claims.len() as u64;
                claimed.extend(st.claims.iter().map(|(k, _, _)| k.clone()));
                files_state.insert(entry.key.clone(), st.clone());
            }
            None => records_to_read.push((entry, map)),
        }
    }
    // Records files gone from a scope of this run: their records go; the text files they named
    // are read again on their own (below).
    let walked: HashSet<&str> = record_files.iter().map(|e| e.key.as_str()).collect();
    let gone = |file: &str| {
        !walked.contains(file)
            && in_scope(file, &walk.scopes)
            && !in_scope(file, &walk.protected)
            && fs::symlink_metadata(file).is_err()
    };
    for (file, ids) in &record_known {
        if gone(file) {
            for id in ids.keys() {
                let key = records::record_key(file, id);
                writer.delete_term(Term::from_field_text(f.path, &key));
                report.removed += 1;
            }
        }
    }
    // Text files no record names any more: read again on their own.
    let mut released: HashSet<String> = HashSet::new();
    let gone_files: Vec<String> = state.files.keys().filter(|k| gone(k)).cloned().collect();
    for file in gone_files {
        if let Some(st) = state.files.remove(&file) {
            released.extend(st.claims.into_iter().map(|(k, _, _)| k));
        }
    }
    // What the index knows of a text file (a dated file, or a record's text file).
    let file_known = |key: &str| -> Option<Known> {
        dated_known
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
            .map(|i| dated_known[i].1)
    };
    // The files to read: the records files, and the dated files new or changed (less any a
    // record read below turns out to name).
    let dated_to_read = {
        let mut known_iter = dated_known.iter().peekable();
        let mut n = 0u64;
        for entry in &dated_files {
            while known_iter
                .next_if(|(key, _)| key.as_str() < entry.key.as_str())
                .is_some()
            {}
            let same = known_iter
                .next_if(|(key, _)| *key == entry.key)
                .is_some_and(|(_, k)| k.size == entry.size && k.mtime_ns == entry.mtime_ns);
            n += u64::from(!same && !claimed.contains(&entry.key));
        }
        n
    };
    progress.start(records_to_read.len() as u64 + dated_to_read);
    for (entry, map) in &records_to_read {
        let allowed = walk
            .scopes
            .iter()
            .filter(|s| corpus::in_scope(&entry.key, s))
            .map(|s| match s.ends_with('/') {
                true => s.clone(),
                false => s
                    .rsplit_once('/')
                    .map_or(String::new(), |(d, _)| format!("{d}/")),
            })
            .min_by_key(String::len)
            .unwrap_or_default();
        let o = index_records(
            &writer,
            f,
            entry,
            map,
            RecordsKnown {
                records: record_known.get(&entry.key),
                files: &file_known,
                claims: previous_claims.get(&entry.key).map_or(&[], Vec::as_slice),
            },
            &allowed,
        );
        released.extend(o.released);
        progress.advance();
        report.added += o.added;
        report.updated += o.updated;
        report.removed += o.removed;
        report.unchanged += o.unchanged;
        report.skipped.extend(o.skipped);
        claimed.extend(o.claims.iter().map(|c| c.key.clone()));
        if o.clean {
            let mut claims: Vec<(String, u64, i64)> = o
                .claims
                .into_iter()
                .map(|c| (c.key, c.size, c.mtime_ns))
                .collect();
            claims.sort();
            claims.dedup();
            files_state.insert(
                entry.key.clone(),
                FileState {
                    size: entry.size,
                    mtime_ns: entry.mtime_ns,
                    map: map.spec(),
                    claims,
                },
            );
        }
    }
    for key in walked {
        state.files.remove(key);
    }
    state.files.extend(files_state);

    // Dated files. One a records file describes is read with that record, not on its own.
    let mut to_read: Vec<(&FileEntry, Option<Known>)> = Vec::new();
    let mut not_found: Vec<&str> = Vec::new();
    let mut known_iter = dated_known.iter().peekable();
    for entry in dated_files {
        while let Some((key, _)) = known_iter.next_if(|(key, _)| key.as_str() < entry.key.as_str())
        {
            not_found.push(key);
        }
        let known = known_iter.next_if(|(key, _)| *key == entry.key);
        if claimed.contains(&entry.key) {
            // Read with its record.
            continue;
        }
        match known {
            // Indexed with a record that names it no more: read as a file of its own.
            Some((_, k)) if released.contains(&entry.key) => to_read.push((
                entry,
                Some(Known {
                    hash: !k.hash,
                    ..*k
                }),
            )),
            Some((_, k)) if k.size == entry.size && k.mtime_ns == entry.mtime_ns => {
                report.unchanged += 1
            }
            Some((_, k)) => to_read.push((entry, Some(*k))),
            None => to_read.push((entry, None)),
        }
    }
    not_found.extend(known_iter.map(|(key, _)| key.as_str()));
    // An article goes only when its file is gone: one named directly (`dateline index
    // notes.md`) stays when a later walk of its folder passes it by.
    for key in not_found {
        if in_scope(key, &walk.scopes)
            && !in_scope(key, &walk.protected)
            && fs::symlink_metadata(key).is_err()
        {
            writer.delete_term(Term::from_field_text(f.path, key));
            report.removed += 1;
        }
    }

    let outcomes: Vec<FileOutcome> = to_read
        .par_iter()
        .map(|(entry, known)| {
            let outcome = index_file(&writer, f, entry, *known);
            progress.advance();
            outcome
        })
        .collect();
    progress.finish();

    for o in outcomes {
        match o {
            FileOutcome::Added => report.added += 1,
            FileOutcome::Updated => report.updated += 1,
            FileOutcome::Unchanged => report.unchanged += 1,
            FileOutcome::Skipped(fail) => report.skipped.push(fail),
        }
    }
    report
        .skipped
        .extend(walk.errors.into_iter().map(|e| SkippedFile {
            path: e.path,
            line: None,
            reason: e.reason,
        }));
    report
        .skipped
        .sort_by(|a, b| a.path.cmp(&b.path).then(a.line.cmp(&b.line)));

    // The records state is written before the commit (a full disk stops the run before it) and
    // put in place after it, marked with the commit's opstamp.
    if report.added + report.updated + report.removed > 0 || opts.rebuild || fresh {
        let mut prepared = writer.prepare_commit()?;
        state.opstamp = prepared.opstamp();
        let staged = state.stage(&store.dir)?;
        prepared.set_payload(&payload());
        prepared.commit()?;
        RecordsState::publish(&store.dir, staged)?;
        writer.wait_merging_threads()?;
        report.committed = true;
    } else {
        // Nothing changed: leave every file of the index as it was.
        drop(writer);
        state.opstamp = metas.opstamp;
        let staged = state.stage(&store.dir)?;
        RecordsState::publish(&store.dir, staged)?;
    }
    report.total = store.fresh_reader()?.searcher().num_docs();
    Ok(report)
}

/// A record ready to be written: the article and its date as the index stores it.
type Ready = (records::Prepared, tantivy::DateTime);

/// Records read at once: parsed in parallel, then written in parallel.
const BATCH_RECORDS: usize = 4096;
/// The bytes of records read at once (about; one record may take up to its limit more).
const BATCH_BYTES: usize = 32 * 1024 * 1024;

/// What the index knows of one records file's articles.
struct RecordsKnown<'a> {
    /// Its records holding their text, by id.
    records: Option<&'a HashMap<String, Known>>,
    /// Any text file, by key (a record naming a text file is indexed under the file's key).
    files: &'a dyn Fn(&str) -> Option<Known>,
    /// The text files its records named when it was last read (when remembered).
    claims: &'a [String],
}

/// Reads one records file: each record new or changed (by its hash) is written, the unchanged
/// ones left as they are, and, when every record could be read, the known records it no longer
/// holds are deleted (a bad line might be one of them: while there is one, none is deleted).
/// A record holding its text is indexed as `file#id`; one naming a text file under that file's
/// key, so the file is known by its own path as before.
fn index_records(
    writer: &IndexWriter,
    f: Fields,
    entry: &FileEntry,
    map: &Mapping,
    known: RecordsKnown,
    allowed: &str,
) -> RecordsOutcome {
    let mut out = RecordsOutcome::default();
    let shown = entry.path.display().to_string();
    let fail = |line, reason| SkippedFile {
        path: shown.clone(),
        line,
        reason,
    };
    let Some(format) = records::format_of(&entry.path) else {
        return out;
    };
    let mut reader = match Records::open(&entry.path, format) {
        Ok(r) => r,
        Err((line, reason)) => {
            out.skipped.push(fail(line, reason));
            return out;
        }
    };
    let header = reader.header();
    if let Some(reason) = header
        .as_deref()
        .and_then(|h| records::header_problem(h, map))
    {
        out.skipped.push(fail(Some(1), reason));
        return out;
    }
    let dir = match entry.path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let cx = records::Context {
        dir,
        allowed,
        seed: corpus::hash(map.spec().as_bytes()) ^ header.as_deref().map_or(0, |h| h.hash()),
    };
    let empty = HashMap::new();
    let known_records = known.records.unwrap_or(&empty);
    // Each article key read so far: the line of its record, whether it was written, and
    // whether the index knew it before this run.
    let mut seen: HashMap<String, (usize, bool, bool)> = HashMap::new();
    let (mut errors, mut duplicates) = (false, false);
    loop {
        let batch = match reader.next_batch(BATCH_RECORDS, BATCH_BYTES) {
            Ok(b) => b,
            Err(e) => {
                out.skipped.push(fail(None, corpus::io_reason(&e)));
                errors = true;
                break;
            }
        };
        if batch.is_empty() {
            break;
        }
        let prepared: Vec<(usize, Result<Ready, String>)> = batch
            .par_iter()
            .map(|raw| {
                let r = records::prepare(raw, header.as_deref(), map, &cx).and_then(|p| {
                    let date = schema::to_index_date(p.article.date)
                        .ok_or_else(|| out_of_range(p.article.date))?;
                    Ok((p, date))
                });
                (raw.line, r)
            })
            .collect();
        drop(batch);
        let mut writes: Vec<Option<Write>> = Vec::new();
        let mut in_batch: HashMap<String, usize> = HashMap::new();
        for (line, r) in prepared {
            let (p, date) = match r {
                Ok(found) => found,
                Err(reason) => {
                    errors = true;
                    out.skipped.push(fail(Some(line), reason));
                    continue;
                }
            };
            let (key, before) = match &p.claim {
                Some(c) => {
                    out.claims.push(c.clone());
                    (c.key.clone(), (known.files)(&c.key))
                }
                None => (
                    records::record_key(&entry.key, &p.id),
                    known_records.get(&p.id).copied(),
                ),
            };
            let (delete_first, write) =
                match seen.insert(key.clone(), (line, false, before.is_some())) {
                    Some((first, written, _)) => {
                        duplicates = true;
                        let what = match &p.claim {
                            Some(c) => format!("text file {}", corpus::display_key(&c.key)),
                            None => format!("id {:?}", p.id),
                        };
                        out.skipped.push(fail(
                        Some(line),
                        format!(
                            "duplicate {what} (also on line {first}): the last record is indexed"
                        ),
                    ));
                        // The earlier record's write, still pending, is dropped; one already made
                        // (an earlier batch) is deleted before this one is added.
                        let cancelled = in_batch.remove(&key).map(|i| writes[i] = None).is_some();
                        let written_before = written && !cancelled;
                        match before {
                            Some(k) if k.hash == p.hash && !written_before => (false, false),
                            k => (written_before || k.is_some(), true),
                        }
                    }
                    None => match before {
                        Some(k) => (true, k.hash != p.hash),
                        None => (false, true),
                    },
                };
            if write {
                if let Some(s) = seen.get_mut(&key) {
                    s.1 = true;
                }
                in_batch.insert(key.clone(), writes.len());
                writes.push(Some(Write {
                    line,
                    key,
                    prepared: p,
                    date,
                    delete_first,
                }));
            }
        }
        let failed: Vec<SkippedFile> = writes
            .into_par_iter()
            .flatten()
            .filter_map(|w| {
                if w.delete_first {
                    writer.delete_term(Term::from_field_text(f.path, &w.key));
                }
                let evidence = match &w.prepared.claim {
                    Some(c) => schema::Evidence {
                        size: c.size,
                        mtime_ns: c.mtime_ns,
                        hash: w.prepared.hash,
                    },
                    None => schema::Evidence {
                        size: entry.size,
                        mtime_ns: entry.mtime_ns,
                        hash: w.prepared.hash,
                    },
                };
                let article = &w.prepared.article;
                let doc = schema::document(
                    f,
                    &w.key,
                    w.date,
                    &article.paragraphs,
                    &article.meta,
                    evidence,
                );
                writer
                    .add_document(doc)
                    .err()
                    .map(|e| fail(Some(w.line), format!("indexing failed: {e}")))
            })
            .collect();
        errors |= !failed.is_empty();
        out.skipped.extend(failed);
    }
    for (_, written, before) in seen.values() {
        match (before, written) {
            (true, true) => out.updated += 1,
            (true, false) => out.unchanged += 1,
            (false, _) => out.added += 1,
        }
    }
    if !errors {
        for id in known_records.keys() {
            let key = records::record_key(&entry.key, id);
            if !seen.contains_key(&key) {
                writer.delete_term(Term::from_field_text(f.path, &key));
                out.removed += 1;
            }
        }
        out.released = known
            .claims
            .iter()
            .filter(|k| !seen.contains_key(*k))
            .cloned()
            .collect();
    }
    out.clean = !errors && !duplicates;
    out
}

/// A record to write.
struct Write {
    line: usize,
    key: String,
    prepared: records::Prepared,
    date: tantivy::DateTime,
    delete_first: bool,
}

fn out_of_range(date: chrono::NaiveDate) -> String {
    format!(
        "date {} is outside the supported range {}..{}",
        date,
        schema::min_date(),
        schema::max_date()
    )
}

fn index_file(
    writer: &IndexWriter,
    f: Fields,
    entry: &FileEntry,
    known: Option<Known>,
) -> FileOutcome {
    let fail = |line, reason| {
        FileOutcome::Skipped(SkippedFile {
            path: entry.path.display().to_string(),
            line,
            reason,
        })
    };
    let bytes = match corpus::read(&entry.path) {
        Ok(b) => b,
        Err(reason) => return fail(None, reason),
    };
    let hash = corpus::hash(&bytes);
    if known.is_some_and(|k| k.hash == hash) {
        return FileOutcome::Unchanged;
    }
    let article = match article::parse_bytes(&bytes) {
        Ok(a) => a,
        Err(e) => return fail(Some(e.line), e.kind.to_string()),
    };
    drop(bytes);
    let Some(date) = schema::to_index_date(article.date) else {
        return fail(Some(article.date_line), out_of_range(article.date));
    };
    let evidence = schema::Evidence {
        size: entry.size,
        mtime_ns: entry.mtime_ns,
        hash,
    };
    let doc = schema::document(
        f,
        &entry.key,
        date,
        &article.paragraphs,
        &article.meta,
        evidence,
    );
    if known.is_some() {
        writer.delete_term(Term::from_field_text(f.path, &entry.key));
    }
    match writer.add_document(doc) {
        Ok(_) if known.is_some() => FileOutcome::Updated,
        Ok(_) => FileOutcome::Added,
        Err(e) => fail(None, format!("indexing failed: {e}")),
    }
}

/// Test support: indexes `files` (name and text of each) from a temporary folder into another,
/// which is returned with the opened index.
#[cfg(test)]
pub(crate) fn index_files(
    files: impl IntoIterator<Item = (String, String)>,
) -> (tempfile::TempDir, Store) {
    let corpus = tempfile::tempdir().unwrap();
    for (name, text) in files {
        fs::write(corpus.path().join(name), text).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    run(
        dir.path(),
        &[corpus.path().to_path_buf()],
        &Options::default(),
        &Silent,
    )
    .unwrap();
    let store = store::open(dir.path()).unwrap();
    (dir, store)
}

/// Reads, from fast fields alone, what the index knows of every live article's file, sorted by
/// key.
fn known_files(reader: &IndexReader) -> anyhow::Result<Vec<(String, Known)>> {
    let searcher = reader.searcher();
    let mut known = Vec::with_capacity(searcher.num_docs() as usize);
    for seg in searcher.segment_readers() {
        let ff = seg.fast_fields();
        let Some(paths) = ff.str(schema::PATH)? else {
            continue;
        };
        let sizes = ff.u64(schema::SIZE)?;
        let mtimes = ff.i64(schema::MTIME)?;
        let hashes = ff.u64(schema::HASH)?;
        // What each path ordinal's live article knows, then the dictionary streamed once, in
        // order: the segment's list comes out sorted.
        let mut by_ord: Vec<Option<Known>> = vec![None; paths.num_terms()];
        for doc in seg.doc_ids_alive() {
            if let Some(slot) = paths
                .term_ords(doc)
                .next()
                .and_then(|ord| by_ord.get_mut(ord as usize))
            {
                *slot = Some(Known {
                    size: sizes.first(doc).unwrap_or(0),
                    mtime_ns: mtimes.first(doc).unwrap_or(0),
                    hash: hashes.first(doc).unwrap_or(0),
                });
            }
        }
        let mut stream = paths.dictionary().stream()?;
        let mut ord = 0;
        while stream.advance() {
            if let Some(Some(k)) = by_ord.get(ord) {
                known.push((String::from_utf8_lossy(stream.key()).into_owned(), *k));
            }
            ord += 1;
        }
    }
    // Segments each come sorted; together they need one more sort (a key is live in one).
    if searcher.segment_readers().len() > 1 {
        known.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    }
    known.dedup_by(|a, b| a.0 == b.0);
    Ok(known)
}

/// Test support: indexes articles given as they would be read (key, date, paragraphs, metadata)
/// into a new index in a temporary folder, which is returned with the opened index. For the
/// metadata, which no file read here carries yet.
#[cfg(test)]
pub(crate) fn index_articles(
    articles: impl IntoIterator<Item = (String, chrono::NaiveDate, Vec<String>, article::Meta)>,
) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = create(dir.path(), None).unwrap();
    let mut writer = writer(&store, &Options::default()).unwrap();
    for (i, (key, date, paragraphs, meta)) in articles.into_iter().enumerate() {
        let evidence = schema::Evidence {
            size: 1,
            mtime_ns: 0,
            hash: i as u64,
        };
        let date = schema::to_index_date(date).unwrap();
        let doc = schema::document(store.fields, &key, date, &paragraphs, &meta, evidence);
        writer.add_document(doc).unwrap();
    }
    let mut prepared = writer.prepare_commit().unwrap();
    prepared.set_payload(&payload());
    prepared.commit().unwrap();
    writer.wait_merging_threads().unwrap();
    let store = store::open(dir.path()).unwrap();
    (dir, store)
}
