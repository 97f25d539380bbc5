//! The one watchdog runner: starts the binary with its output captured, and fails a test (after
//! killing the process) when a command outlives its time limit, so a hang shows up as a failure
//! naming the command instead of a stuck `cargo test`. The crash tests also kill a run on purpose
//! at chosen points ([`Running::kill`]).

use super::{Output, assert_clean_exit};
use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// Copies a pipe into a shared buffer until it closes.
fn pump(mut src: impl Read + Send + 'static, sink: Arc<Mutex<Vec<u8>>>) -> JoinHandle<()> {
    thread::spawn(move || {
        let mut buf = [0u8; 8192];
        loop {
            match src.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => sink.lock().unwrap().extend_from_slice(&buf[..n]),
            }
        }
    })
}

/// A `dateline` process under way. Dropping it kills it, so a failing test leaves no indexer
/// behind.
pub struct Running {
    child: Child,
    started: Instant,
    pub cmdline: String,
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    pumps: Vec<JoinHandle<()>>,
    limit: Duration,
}

/// How a process ended.
pub struct Ended {
    pub status: ExitStatus,
    /// Wall time from spawn to reaping.
    pub took: Duration,
    pub output: Output,
}

impl Ended {
    /// Whether our SIGKILL ended it (rather than it exiting first).
    pub fn killed(&self) -> bool {
        self.status.signal() == Some(9)
    }
}

impl Running {
    /// Starts a command with its output captured; `limit` is how long it may run before
    /// [`Running::wait`] kills it and fails.
    pub fn start(mut cmd: Command, cmdline: String, limit: Duration) -> Running {
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("spawning {cmdline}: {e}"));
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let pumps = vec![
            pump(child.stdout.take().unwrap(), stdout.clone()),
            pump(child.stderr.take().unwrap(), stderr.clone()),
        ];
        Running {
            child,
            started: Instant::now(),
            cmdline,
            stdout,
            stderr,
            pumps,
            limit,
        }
    }

    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Whether anything has reached stdout (for `index`, the summary: stdout is buffered and
    /// written at exit).
    pub fn has_printed(&self) -> bool {
        !self.stdout.lock().unwrap().is_empty()
    }

    pub fn is_running(&mut self) -> bool {
        self.child
            .try_wait()
            .unwrap_or_else(|e| panic!("{}: {e}", self.cmdline))
            .is_none()
    }

    /// Fails (after killing it) if the watchdog has run out.
    pub fn watchdog(&mut self) {
        if self.elapsed() > self.limit {
            let _ = self.child.kill();
            panic!(
                "{} still running after {:?} (hung?)\nstderr so far:\n{}",
                self.cmdline,
                self.limit,
                String::from_utf8_lossy(&self.stderr.lock().unwrap())
            );
        }
    }

    /// Waits for the process to exit by itself.
    pub fn wait(&mut self) -> Ended {
        while self.is_running() {
            self.watchdog();
            thread::sleep(Duration::from_millis(2));
        }
        self.reap()
    }

    /// SIGKILLs the process (a no-op when it has already exited) and reaps it.
    pub fn kill(&mut self) -> Ended {
        let _ = self.child.kill();
        self.reap()
    }

    pub fn reap(&mut self) -> Ended {
        let status = self
            .child
            .wait()
            .unwrap_or_else(|e| panic!("{}: {e}", self.cmdline));
        let took = self.elapsed();
        for p in self.pumps.drain(..) {
            p.join().unwrap();
        }
        let stdout_bytes = std::mem::take(&mut *self.stdout.lock().unwrap());
        let stderr = String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned();
        Ended {
            status,
            took,
            output: Output {
                stdout: String::from_utf8_lossy(&stdout_bytes).into_owned(),
                stderr,
                code: status.code().unwrap_or(-1),
                stdout_bytes,
                cmdline: self.cmdline.clone(),
            },
        }
    }
}

impl Running {
    /// Waits for the process to exit by itself (see [`Running::wait`]), then checks, as
    /// [`Output::of`] does, that it did not panic and exited 0, 1 or 2.
    pub fn finish(mut self) -> Output {
        let ended = self.wait();
        let o = ended.output;
        let described = format!("{} [{:?}]", o.cmdline, ended.status);
        assert_clean_exit(&described, o.code, &o.stdout, &o.stderr);
        o
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
