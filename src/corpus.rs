//! Finding article files under the folders a user names, and reading them.
//!
//! Every file gets a *key*: its absolute path (folders' symlinks and `..` resolved, the file's
//! own name kept), with `/` separators. `dateline index corpus/`, `dateline index ./corpus` and
//! `dateline index $PWD/corpus`, run from any folder, therefore name the same articles. Results
//! print a key relative to the current directory when it lies below it ([`display_key`]).

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// Files larger than this are rejected rather than read: no real article comes close, and it
/// bounds the memory one file can take.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// An article file found by the walk, with what the incremental plan needs to skip it unread.
#[derive(Debug, Clone)]
pub struct FileEntry {
    /// The key under which the article is indexed and printed.
    pub key: String,
    /// Where to read it.
    pub path: PathBuf,
    /// Size in bytes.
    pub size: u64,
    /// Modification time, in nanoseconds since the epoch.
    pub mtime_ns: i64,
}

/// A path the walk could not use, and why.
#[derive(Debug, Clone)]
pub struct WalkError {
    /// The path as the user would name it.
    pub path: String,
    /// The reason, lower-case, without a trailing period.
    pub reason: String,
}

/// The result of walking the roots: files to consider, the problems met on the way, and the key
/// prefixes this run is responsible for (articles indexed below them but no longer found are
/// removed, except below a folder that could not be read).
#[derive(Debug, Default)]
pub struct Walk {
    /// Article files, sorted by key.
    pub files: Vec<FileEntry>,
    /// Unreadable folders, symlink loops, vanished files.
    pub errors: Vec<WalkError>,
    /// Keys of the folders (ending in `/`) and single files the user named.
    pub scopes: Vec<String>,
    /// Key prefixes whose contents could not be fully listed: nothing below them is removed.
    pub protected: Vec<String>,
    /// Files passed by because their names are not of an article format (as the user would
    /// name them), sorted.
    pub ignored: Vec<String>,
}

/// Resolves a path to its key (see the module docs).
pub fn key_for(path: &Path) -> std::io::Result<String> {
    let abs = absolute(path)?;
    Ok(key_from_abs(&abs))
}

/// The key a user means by a path they name (`dateline show`, `path:` queries): resolved as
/// [`key_for`] does when its folder exists, otherwise made absolute as written (the file may be
/// gone but still indexed).
pub fn key_as_named(path: &Path) -> String {
    key_for(path).unwrap_or_else(|_| {
        key_from_abs(&std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()))
    })
}

fn absolute(path: &Path) -> std::io::Result<PathBuf> {
    // Resolve the parent's symlinks and `..` but keep the file name itself, so a symlinked
    // article keeps its own name.
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) if !parent.as_os_str().is_empty() => {
            Ok(fs::canonicalize(parent)?.join(name))
        }
        (_, Some(name)) if name != ".." => Ok(std::env::current_dir()?.join(name)),
        _ => fs::canonicalize(path),
    }
}

/// The current directory, symlinks resolved, looked up once per process.
fn canonical_cwd() -> Option<&'static Path> {
    static CWD: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    CWD.get_or_init(|| {
        std::env::current_dir()
            .ok()
            .and_then(|c| fs::canonicalize(c).ok())
    })
    .as_deref()
}

fn key_from_abs(abs: &Path) -> String {
    abs.to_string_lossy().replace('\\', "/")
}

/// How a key is shown: relative to the current directory when it lies below it (`corpus/a.txt`),
/// otherwise whole.
pub fn display_key(key: &str) -> String {
    match canonical_cwd() {
        Some(cwd) => display_key_from(cwd, key),
        None => key.to_string(),
    }
}

/// A key as shown relative to `base` (a canonical folder) when it lies below it, else whole.
pub fn display_key_from(base: &Path, key: &str) -> String {
    Path::new(key)
        .strip_prefix(base)
        .ok()
        .filter(|rel| !rel.as_os_str().is_empty())
        .map_or_else(|| key.to_string(), key_from_abs)
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy().starts_with('.')
}

/// Whether the walk reads a file of this name: `.txt` (dated articles), `.jsonl`, `.ndjson`
/// and `.csv` (records files), the extension in any case.
pub fn is_article_name(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("txt"))
        || crate::records::format_of(path).is_some()
}

/// A file's modification time in nanoseconds since the epoch (0 when unknown).
pub fn mtime_ns(meta: &fs::Metadata) -> i64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_nanos().min(i64::MAX as u128) as i64)
        .unwrap_or(0)
}

/// Walks the roots: recurses into folders (following symlinks, reporting loops), skips hidden
/// entries, and passes by (listing them in [`Walk::ignored`]) files whose names are not of an
/// article format ([`is_article_name`]); a file named directly is taken whatever its name.
///
/// Folders and the files in them are visited in parallel, and each file's size and mtime come
/// from a `stat` relative to its folder's open handle (`DirEntry::metadata`), not from its full
/// path: on a corpus of a million files that `stat` is most of a no-op run.
pub fn walk(roots: &[PathBuf]) -> Walk {
    walk_except(roots, None)
}

/// [`walk`], passing by the folder `except` (the index's own, when it lies below a root).
pub fn walk_except(roots: &[PathBuf], except: Option<&Path>) -> Walk {
    use rayon::prelude::*;
    let except = except.and_then(|p| fs::canonicalize(p).ok());
    let out = std::sync::Mutex::new(Walk::default());
    let mut jobs = Vec::new();
    for root in roots {
        let mut out = out.lock().unwrap_or_else(|e| e.into_inner());
        let (meta, root_abs) = match fs::metadata(root).and_then(|m| Ok((m, absolute(root)?))) {
            Ok(found) => found,
            Err(e) => {
                out.errors.push(WalkError {
                    path: root.display().to_string(),
                    reason: io_reason(&e),
                });
                continue;
            }
        };
        if meta.is_file() {
            let key = key_from_abs(&root_abs);
            out.scopes.push(key.clone());
            out.files.push(FileEntry {
                key,
                path: root.clone(),
                size: meta.len(),
                mtime_ns: mtime_ns(&meta),
            });
        } else if meta.is_dir() {
            out.scopes.push(dir_scope(&root_abs));
            jobs.push(Folder {
                path: root.clone(),
                abs: root_abs,
                ancestors: vec![Ancestor::of(&meta, root)],
                except: except.clone(),
            });
        } else {
            out.errors.push(WalkError {
                path: root.display().to_string(),
                reason: "not a regular file or folder".into(),
            });
        }
    }
    jobs.par_iter().for_each(|job| walk_folder(job, &out));
    let mut out = out.into_inner().unwrap_or_else(|e| e.into_inner());
    out.files.par_sort_unstable_by(|a, b| a.key.cmp(&b.key));
    out.files.dedup_by(|a, b| a.key == b.key);
    out.ignored.sort();
    out
}

/// A folder to list: the path as the user would name it, its absolute form (for keys), and the
/// folders above it in this walk (for symlink loops).
struct Folder {
    path: PathBuf,
    abs: PathBuf,
    ancestors: Vec<Ancestor>,
    /// A folder not to enter (the index's).
    except: Option<PathBuf>,
}

/// A folder's identity on disk, to recognise a symlink that leads back to it.
#[derive(Clone)]
struct Ancestor {
    dev: u64,
    ino: u64,
    path: PathBuf,
}

impl Ancestor {
    fn of(meta: &fs::Metadata, path: &Path) -> Ancestor {
        use std::os::unix::fs::MetadataExt;
        Ancestor {
            dev: meta.dev(),
            ino: meta.ino(),
            path: path.to_path_buf(),
        }
    }
}

/// What one entry of a folder turned out to be.
enum Found {
    File(FileEntry),
    Folder(Folder),
    Error(WalkError, String),
    Ignored(String),
    Skip,
}

fn walk_folder(folder: &Folder, out: &std::sync::Mutex<Walk>) {
    use rayon::prelude::*;
    let fail = |e: &std::io::Error| {
        let mut out = out.lock().unwrap_or_else(|e| e.into_inner());
        out.protected.push(dir_scope(&folder.abs));
        out.errors.push(WalkError {
            path: folder.path.display().to_string(),
            reason: io_reason(e),
        });
    };
    let entries: Vec<fs::DirEntry> =
        match fs::read_dir(&folder.path).and_then(|rd| rd.collect::<std::io::Result<Vec<_>>>()) {
            Ok(entries) => entries,
            Err(e) => return fail(&e),
        };
    let found: Vec<Found> = entries
        .par_iter()
        .map(|entry| visit(folder, entry))
        .collect();
    let mut subfolders = Vec::new();
    {
        let mut out = out.lock().unwrap_or_else(|e| e.into_inner());
        for f in found {
            match f {
                Found::File(file) => out.files.push(file),
                Found::Folder(sub) => subfolders.push(sub),
                Found::Error(err, protect) => {
                    out.errors.push(err);
                    out.protected.push(protect);
                }
                Found::Ignored(path) => out.ignored.push(path),
                Found::Skip => {}
            }
        }
    }
    subfolders.par_iter().for_each(|sub| walk_folder(sub, out));
}

fn visit(folder: &Folder, entry: &fs::DirEntry) -> Found {
    let name = entry.file_name();
    if is_hidden(&name) {
        return Found::Skip;
    }
    let path = folder.path.join(&name);
    let abs = folder.abs.join(&name);
    let error = |reason: String, protect: String| {
        Found::Error(
            WalkError {
                path: path.display().to_string(),
                reason,
            },
            protect,
        )
    };
    let Ok(ty) = entry.file_type() else {
        return Found::Skip;
    };
    // The file's own metadata, or its target's when it is a symlink.
    let meta = if ty.is_symlink() {
        fs::metadata(&path)
    } else if ty.is_dir() || (ty.is_file() && is_article_name(&path)) {
        entry.metadata()
    } else if ty.is_file() {
        return Found::Ignored(path.display().to_string());
    } else {
        return Found::Skip;
    };
    let meta = match meta {
        Ok(m) => m,
        Err(e) => return error(io_reason(&e), key_from_abs(&abs)),
    };
    if meta.is_dir() {
        if folder.except.as_deref().is_some_and(|e| e == abs) {
            return Found::Skip;
        }
        let me = Ancestor::of(&meta, &path);
        if let Some(a) = folder
            .ancestors
            .iter()
            .find(|a| a.dev == me.dev && a.ino == me.ino)
        {
            let reason = format!("symlink loop (back to {})", a.path.display());
            return error(reason, dir_scope(&abs));
        }
        let mut ancestors = folder.ancestors.clone();
        ancestors.push(me);
        Found::Folder(Folder {
            path,
            abs,
            ancestors,
            except: folder.except.clone(),
        })
    } else if meta.is_file() && is_article_name(&path) {
        Found::File(FileEntry {
            key: key_from_abs(&abs),
            path,
            size: meta.len(),
            mtime_ns: mtime_ns(&meta),
        })
    } else if meta.is_file() {
        Found::Ignored(path.display().to_string())
    } else {
        Found::Skip
    }
}

/// The key prefix of everything below a folder: `/abs/dir/`.
fn dir_scope(abs: &Path) -> String {
    let key = key_from_abs(abs);
    if key.ends_with('/') {
        key
    } else {
        format!("{key}/")
    }
}

/// Whether a key lies in a scope: equal to a file's key, one of its records (`file#id`), or
/// below a folder's prefix.
pub fn in_scope(key: &str, scope: &str) -> bool {
    key == scope
        || (scope.ends_with('/') && key.starts_with(scope))
        || key
            .strip_prefix(scope)
            .is_some_and(|rest| rest.starts_with('#'))
}

/// An I/O error as a short lower-case reason.
pub fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        NotFound => "no such file or directory".into(),
        PermissionDenied => "permission denied".into(),
        IsADirectory => "is a directory".into(),
        _ => {
            let s = e.to_string();
            // std appends " (os error N)"; the reason reads better without it.
            let s = s.split(" (os error").next().unwrap_or(&s).to_string();
            let mut c = s.chars();
            match c.next() {
                Some(first) => first.to_lowercase().chain(c).collect(),
                None => s,
            }
        }
    }
}

/// Reads a file whole, refusing one larger than [`MAX_FILE_BYTES`] (checked on the open handle,
/// so a file that grew after the walk is still caught).
pub fn read(path: &Path) -> Result<Vec<u8>, String> {
    let file = fs::File::open(path).map_err(|e| io_reason(&e))?;
    let len = file.metadata().map_err(|e| io_reason(&e))?.len();
    if len > MAX_FILE_BYTES {
        return Err(too_large(len));
    }
    let mut buf = Vec::with_capacity(len as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut buf)
        .map_err(|e| io_reason(&e))?;
    if buf.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(buf.len() as u64));
    }
    Ok(buf)
}

fn too_large(len: u64) -> String {
    format!(
        "file too large ({len} bytes; the limit is {} MiB)",
        MAX_FILE_BYTES / (1024 * 1024)
    )
}

/// The content hash stored with each article to tell an edited file from a touched one.
pub fn hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

#[cfg(test)]
mod tests {

    /// Keys are shown relative to a base folder when they lie below it, else whole: the CLI
    /// uses the current directory, the server and export the folder holding the index.
    #[test]
    fn keys_are_shown_relative_to_a_base_below_it() {
        let base = Path::new("/srv/news");
        assert_eq!(
            display_key_from(base, "/srv/news/corpus/a.txt"),
            "corpus/a.txt"
        );
        assert_eq!(
            display_key_from(base, "/srv/other/a.txt"),
            "/srv/other/a.txt"
        );
        assert_eq!(display_key_from(base, "/srv/news"), "/srv/news");
    }

    use super::*;

    #[test]
    fn walk_skips_hidden_and_non_txt_and_recurses() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        fs::create_dir_all(p.join("sub/deeper")).unwrap();
        fs::create_dir_all(p.join(".hidden")).unwrap();
        for f in [
            "a.txt",
            "b.md",
            "c.jsonl",
            ".c.txt",
            "sub/d.txt",
            "sub/deeper/e.TXT",
            ".hidden/f.txt",
        ] {
            fs::write(p.join(f), " date 2020-01-01 x").unwrap();
        }
        let w = walk(&[p.to_path_buf()]);
        let names: Vec<_> = w
            .files
            .iter()
            .map(|f| {
                f.path
                    .strip_prefix(p)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(
            names,
            vec!["a.txt", "c.jsonl", "sub/d.txt", "sub/deeper/e.TXT"]
        );
        assert_eq!(w.ignored, vec![p.join("b.md").display().to_string()]);
        assert!(w.errors.is_empty());
        assert_eq!(w.scopes.len(), 1);
        assert!(w.scopes[0].ends_with('/'));
    }

    #[test]
    fn a_file_named_directly_is_taken_whatever_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("notes.md");
        fs::write(&f, " date 2020-01-01 x").unwrap();
        let w = walk(std::slice::from_ref(&f));
        assert_eq!(w.files.len(), 1);
        assert_eq!(w.scopes, vec![w.files[0].key.clone()]);
    }

    #[test]
    fn missing_root_is_an_error_not_a_panic() {
        let w = walk(&[PathBuf::from("/definitely/not/here")]);
        assert!(w.files.is_empty());
        assert_eq!(w.errors[0].reason, "no such file or directory");
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loop_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        fs::create_dir(p.join("d")).unwrap();
        fs::write(p.join("d/a.txt"), " date 2020-01-01 x").unwrap();
        std::os::unix::fs::symlink(p.join("d"), p.join("d/loop")).unwrap();
        let w = walk(&[p.to_path_buf()]);
        assert_eq!(w.files.len(), 1);
        assert!(
            w.errors
                .iter()
                .any(|e| e.reason.starts_with("symlink loop"))
        );
    }

    #[test]
    fn read_refuses_huge_files() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("big.txt");
        let file = fs::File::create(&f).unwrap();
        file.set_len(MAX_FILE_BYTES + 1).unwrap();
        assert!(read(&f).unwrap_err().starts_with("file too large"));
    }

    #[test]
    fn keys_are_absolute_and_shown_relative_below_the_current_directory() {
        let cwd = fs::canonicalize(std::env::current_dir().unwrap()).unwrap();
        let abs = cwd.join("src/lib.rs").to_string_lossy().into_owned();
        assert_eq!(key_for(&cwd.join("src/lib.rs")).unwrap(), abs);
        assert_eq!(key_for(Path::new("./src/lib.rs")).unwrap(), abs);
        assert_eq!(key_for(Path::new("src/../src/lib.rs")).unwrap(), abs);
        assert_eq!(display_key(&abs), "src/lib.rs");
        assert_eq!(display_key("/elsewhere/a.txt"), "/elsewhere/a.txt");
    }
}
