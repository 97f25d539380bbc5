//! A full disk, a read-only folder, a folder that vanishes (issue 18), through the library: an
//! injected Tantivy `Directory` fails writes with `StorageFull` (or `PermissionDenied`) after
//! N bytes, at several N. After each failure the index folder holds only the last commit's
//! files, that commit is searchable, and the next run succeeds with no manual step. Where the
//! tests run as root (CI does), a real 6 MB tmpfs too.

use crate::common::{TestDir, fixture_names};
use dateline::index::damage::WriteError;
use dateline::index::store;
use dateline::index::writer::{self, Options, Progress, Silent};
use std::collections::BTreeSet;
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use tantivy::Directory;
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    AntiCallToken, DirectoryLock, FileHandle, Lock, MmapDirectory, TerminatingWrite, WatchCallback,
    WatchHandle, WritePtr,
};

/// A folder's directory that lets `budget` bytes through, then fails every write with `kind`.
#[derive(Clone, Debug)]
struct Failing {
    inner: MmapDirectory,
    budget: Arc<AtomicI64>,
    kind: io::ErrorKind,
}

impl Failing {
    fn take(&self, n: usize) -> io::Result<()> {
        let n = n as i64;
        if self.budget.fetch_sub(n, Ordering::SeqCst) < n {
            self.budget.store(-1, Ordering::SeqCst);
            // As the system says it (Tantivy keeps some causes only as text).
            return Err(match self.kind {
                io::ErrorKind::StorageFull => io::Error::from_raw_os_error(28),
                io::ErrorKind::PermissionDenied => io::Error::from_raw_os_error(13),
                kind => io::Error::new(kind, "injected by the test"),
            });
        }
        Ok(())
    }
}

struct FailingWrite {
    inner: WritePtr,
    dir: Failing,
}

impl Write for FailingWrite {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.dir.take(buf.len())?;
        self.inner.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl TerminatingWrite for FailingWrite {
    fn terminate_ref(&mut self, token: AntiCallToken) -> io::Result<()> {
        self.inner.terminate_ref(token)
    }
}

impl Directory for Failing {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }
    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }
    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }
    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        let inner = self.inner.open_write(path)?;
        Ok(BufWriter::new(Box::new(FailingWrite {
            inner,
            dir: self.clone(),
        })))
    }
    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }
    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.take(data.len())?;
        self.inner.atomic_write(path, data)
    }
    fn sync_directory(&self) -> io::Result<()> {
        self.inner.sync_directory()
    }
    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.inner.acquire_lock(lock)
    }
    fn watch(&self, cb: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(cb)
    }
}

/// The folder's file names, lock files and Tantivy's file list aside.
fn files(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir)
        .map(|rd| {
            rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| !n.ends_with(".lock") && n != ".managed.json")
                .collect()
        })
        .unwrap_or_default()
}

fn articles(dir: &Path) -> u64 {
    let s = store::open(dir).unwrap();
    s.reader().unwrap().searcher().num_docs()
}

/// A corpus of the good fixtures, and `extra` more articles in `more/`.
fn corpus(t: &TestDir, extra: usize) -> (PathBuf, PathBuf) {
    let more = t.path().join("more");
    fs::create_dir_all(&more).unwrap();
    for i in 0..extra {
        let text = format!(
            " date 2001-02-{:02}\n\nArticle {i} on the harvest, the convoys and the rail strike, \
             with words of its own: w{i}a w{i}b w{i}c.\n\nA second paragraph, {i}.\n",
            i % 28 + 1
        );
        fs::write(more.join(format!("a{i:03}.txt")), text).unwrap();
    }
    (t.corpus(), more)
}

/// An index run over `roots` into `dir` with the default options and no progress output.
fn index_quietly(dir: &Path, roots: &[PathBuf]) -> anyhow::Result<writer::IndexSummary> {
    writer::run(dir, roots, &Options::default(), &Silent)
}

fn run_failing(
    dir: &Path,
    roots: &[PathBuf],
    budget: i64,
    kind: io::ErrorKind,
) -> anyhow::Result<writer::IndexSummary> {
    let make = move |d: &Path| -> Box<dyn Directory> {
        Box::new(Failing {
            inner: MmapDirectory::open(d).unwrap(),
            budget: Arc::new(AtomicI64::new(budget)),
            kind,
        })
    };
    writer::run_with(dir, roots, &Options::default(), &Silent, Some(&make))
}

#[test]
fn a_full_disk_leaves_the_last_commit_and_the_next_run_succeeds() {
    let t = TestDir::with_good();
    let (good, more) = corpus(&t, 40);
    let n = fixture_names("good").len() as u64;
    let pristine = t.path().join("pristine");
    index_quietly(&pristine, std::slice::from_ref(&good)).unwrap();
    let committed = files(&pristine);
    let mut failures = 0;
    for budget in [0, 100, 2_000, 20_000, 60_000, 200_000] {
        let dir = t.path().join(format!("idx-{budget}"));
        fs::create_dir_all(&dir).unwrap();
        for e in fs::read_dir(&pristine).unwrap() {
            let e = e.unwrap();
            fs::copy(e.path(), dir.join(e.file_name())).unwrap();
        }
        let roots = [good.clone(), more.clone()];
        match run_failing(&dir, &roots, budget, io::ErrorKind::StorageFull) {
            Err(e) => {
                failures += 1;
                let w = e.downcast_ref::<WriteError>();
                assert!(
                    matches!(w, Some(WriteError::Full { .. })),
                    "{budget}: {e:#}"
                );
                let message = e.to_string();
                assert!(message.contains(&dir.display().to_string()), "{message}");
                assert!(message.contains("is full"), "{message}");
                assert_eq!(
                    files(&dir),
                    committed,
                    "after a full disk at {budget} bytes"
                );
                assert_eq!(articles(&dir), n, "the last commit is searchable");
            }
            Ok(r) => assert_eq!(r.total, n + 40, "{budget}"),
        }
        // Space freed: the next run succeeds, no manual step.
        let r = index_quietly(&dir, &roots).unwrap();
        assert_eq!(r.total, n + 40);
        assert_eq!(articles(&dir), n + 40);
    }
    assert!(failures >= 4, "most budgets are too small: {failures}");

    // A first run on a full disk leaves no folder behind.
    let fresh = t.path().join("fresh");
    let e = run_failing(
        &fresh,
        std::slice::from_ref(&good),
        5_000,
        io::ErrorKind::StorageFull,
    )
    .unwrap_err();
    assert!(
        matches!(
            e.downcast_ref::<WriteError>(),
            Some(WriteError::Full { .. })
        ),
        "{e:#}"
    );
    assert!(!fresh.exists(), "{:?}", files(&fresh));
    index_quietly(&fresh, &[good]).unwrap();
    assert_eq!(articles(&fresh), n);
}

#[test]
fn a_read_only_index_is_searchable_and_index_says_why_it_cannot_write() {
    let t = TestDir::with_good();
    let (good, more) = corpus(&t, 5);
    let dir = t.index();
    index_quietly(&dir, std::slice::from_ref(&good)).unwrap();
    let before = files(&dir);
    let e = run_failing(&dir, &[good, more], 0, io::ErrorKind::PermissionDenied).unwrap_err();
    assert!(
        matches!(
            e.downcast_ref::<WriteError>(),
            Some(WriteError::ReadOnly { .. })
        ),
        "{e:#}"
    );
    assert!(e.to_string().contains("cannot write"), "{e}");
    assert_eq!(files(&dir), before);
    assert_eq!(articles(&dir), fixture_names("good").len() as u64);
}

/// Removes the index folder when reading begins.
struct Vanish(PathBuf);

impl Progress for Vanish {
    fn start(&self, _: u64) {
        fs::remove_dir_all(&self.0).unwrap();
    }
    fn advance(&self) {}
    fn finish(&self) {}
}

#[test]
fn an_index_folder_that_vanishes_during_a_run_is_named_and_made_anew() {
    let t = TestDir::with_good();
    let (good, more) = corpus(&t, 5);
    let dir = t.index();
    index_quietly(&dir, std::slice::from_ref(&good)).unwrap();
    let roots = [good, more];
    let e = writer::run(&dir, &roots, &Options::default(), &Vanish(dir.clone())).unwrap_err();
    assert!(
        matches!(
            e.downcast_ref::<WriteError>(),
            Some(WriteError::Vanished { .. })
        ),
        "{e:#}"
    );
    let r = index_quietly(&dir, &roots).unwrap();
    assert_eq!(r.total, fixture_names("good").len() as u64 + 5);
}

#[test]
fn a_real_full_tmpfs() {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n");
    if !root.unwrap_or(false) {
        println!("skipped: a real full disk needs root to mount a tmpfs");
        return;
    }
    let t = TestDir::with_good();
    let mnt = t.path().join("mnt");
    fs::create_dir(&mnt).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=6m", "tmpfs"])
        .arg(&mnt)
        .status();
    if !mounted.is_ok_and(|s| s.success()) {
        println!("skipped: cannot mount a tmpfs here");
        return;
    }
    struct Unmount(PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(&self.0).status();
        }
    }
    let _unmount = Unmount(mnt.clone());
    let dir = mnt.join("idx");
    let good = t.corpus();
    index_quietly(&dir, std::slice::from_ref(&good)).unwrap();
    let committed = files(&dir);
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let e = index_quietly(&dir, &[good.clone(), bundled]).unwrap_err();
    assert!(
        matches!(
            e.downcast_ref::<WriteError>(),
            Some(WriteError::Full { .. })
        ),
        "{e:#}"
    );
    assert_eq!(files(&dir), committed);
    assert_eq!(articles(&dir), fixture_names("good").len() as u64);
    let r = index_quietly(&dir, &[good]).unwrap();
    assert_eq!(r.total, fixture_names("good").len() as u64);
}
