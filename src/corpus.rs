//! Finding article files under the folders a user names, and reading them.
//!
//! Every file gets a *key*: its path relative to the current directory when it lies below it,
//! otherwise its absolute path, with `/` separators. `dateline index corpus/`,
//! `dateline index ./corpus` and `dateline index $PWD/corpus` therefore name the same articles,
//! and the key is what results print.

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
}

/// Resolves a path to its key (see the module docs).
pub fn key_for(path: &Path) -> std::io::Result<String> {
    let abs = absolute(path)?;
    Ok(key_from_abs(&abs))
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

fn key_from_abs(abs: &Path) -> String {
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|c| fs::canonicalize(c).ok());
    let rel = cwd
        .as_deref()
        .and_then(|c| abs.strip_prefix(c).ok())
        .filter(|r| !r.as_os_str().is_empty())
        .unwrap_or(abs);
    rel.to_string_lossy().replace('\\', "/")
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy().starts_with('.')
}

fn is_article_name(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("txt"))
}

fn mtime_ns(meta: &fs::Metadata) -> i64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_nanos().min(i64::MAX as u128) as i64)
        .unwrap_or(0)
}

/// Walks the roots: recurses into folders (following symlinks, reporting loops), skips hidden
/// entries and files not ending in `.txt`; a file named directly is taken whatever its name.
pub fn walk(roots: &[PathBuf]) -> Walk {
    let mut out = Walk::default();
    for root in roots {
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
        if !meta.is_file() && !meta.is_dir() {
            out.errors.push(WalkError {
                path: root.display().to_string(),
                reason: "not a regular file or folder".into(),
            });
            continue;
        }
        if meta.is_file() {
            let key = key_from_abs(&root_abs);
            out.scopes.push(key.clone());
            out.files.push(FileEntry {
                key,
                path: root.clone(),
                size: meta.len(),
                mtime_ns: mtime_ns(&meta),
            });
            continue;
        }
        out.scopes.push(dir_scope(&root_abs));
        let walker = walkdir::WalkDir::new(root)
            .follow_links(true)
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name()));
        for entry in walker {
            match entry {
                Ok(e) => {
                    if !e.file_type().is_file() || !is_article_name(e.path()) {
                        continue;
                    }
                    let rel = e.path().strip_prefix(root).unwrap_or(e.path());
                    let key = key_from_abs(&root_abs.join(rel));
                    match e.metadata() {
                        Ok(m) => out.files.push(FileEntry {
                            key,
                            path: e.path().to_path_buf(),
                            size: m.len(),
                            mtime_ns: mtime_ns(&m),
                        }),
                        Err(err) => {
                            out.protected.push(key.clone());
                            out.errors.push(WalkError {
                                path: e.path().display().to_string(),
                                reason: walk_reason(&err),
                            })
                        }
                    }
                }
                Err(err) => {
                    let path = err.path().map(Path::to_path_buf).unwrap_or(root.clone());
                    let rel = path.strip_prefix(root).unwrap_or(&path);
                    out.protected.push(dir_scope(&root_abs.join(rel)));
                    out.errors.push(WalkError {
                        path: path.display().to_string(),
                        reason: walk_reason(&err),
                    });
                }
            }
        }
    }
    out.files.sort_by(|a, b| a.key.cmp(&b.key));
    out.files.dedup_by(|a, b| a.key == b.key);
    out
}

/// The key prefix of everything below a folder: `corpus/`, `/abs/dir/`, or `` for the current
/// directory itself (whose files have relative keys).
fn dir_scope(abs: &Path) -> String {
    let key = key_from_abs(abs);
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|c| fs::canonicalize(c).ok());
    if cwd.as_deref() == Some(abs) {
        String::new()
    } else if key.ends_with('/') {
        key
    } else {
        format!("{key}/")
    }
}

/// Whether a key lies in a scope: equal to a file's key, below a folder's prefix, or, for the
/// current directory's empty scope, any relative key.
pub fn in_scope(key: &str, scope: &str) -> bool {
    if scope.is_empty() {
        !key.starts_with('/')
    } else {
        key == scope || (scope.ends_with('/') && key.starts_with(scope))
    }
}

fn walk_reason(err: &walkdir::Error) -> String {
    if let Some(ancestor) = err.loop_ancestor() {
        return format!("symlink loop (back to {})", ancestor.display());
    }
    match err.io_error() {
        Some(e) => io_reason(e),
        None => err.to_string(),
    }
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
        assert_eq!(names, vec!["a.txt", "sub/d.txt", "sub/deeper/e.TXT"]);
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
    fn keys_are_relative_below_the_current_directory() {
        let cwd = std::env::current_dir().unwrap();
        let k = key_for(&cwd.join("corpus/x.txt")).unwrap();
        assert_eq!(k, "corpus/x.txt");
        let k = key_for(Path::new("./corpus/x.txt")).unwrap();
        assert_eq!(k, "corpus/x.txt");
    }
}
