//! `dateline serve` for the tests that talk to it (the API tests and the browser test): started
//! on a free loopback port of a [`TestDir`]'s index, spoken to in plain HTTP/1.1 over a TCP
//! socket, and stopped with its process group when dropped.

use super::TestDir;
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, ChildStderr, Command, Stdio};
use std::time::{Duration, Instant};

/// A child process killed (with its process group) when dropped, on success or failure.
pub struct Guard {
    /// What it is, for messages.
    pub name: &'static str,
    /// The process, leader of its own group.
    pub child: Child,
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        // Each child leads its own process group: chromedriver's browsers go with it.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-TERM", "--", &group])
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        if self.child.wait().is_err() {
            eprintln!("could not reap {}", self.name);
        }
    }
}

/// A running `dateline serve`.
pub struct Server {
    guard: Guard,
    /// Where it listens.
    pub addr: SocketAddr,
    /// `http://ADDR/`, as its first line gave it.
    pub url: String,
    stderr: Option<ChildStderr>,
}

impl Server {
    /// `dateline --index idx serve --addr ADDR EXTRA…` in the test folder, once its first line
    /// (`listening on http://ADDR/`) has come.
    pub fn start(t: &TestDir, addr: &str, extra: &[&str]) -> Server {
        let mut args = vec!["serve", "--addr", addr];
        args.extend_from_slice(extra);
        let mut cmd = t.command(&args);
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let mut child = cmd.spawn().expect("starting dateline serve");
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take();
        let guard = Guard {
            name: "dateline serve",
            child,
        };
        let mut lines = BufReader::new(stdout);
        let mut first = String::new();
        lines
            .read_line(&mut first)
            .expect("reading dateline serve's first line");
        // Whatever the server prints later is read and dropped, so it never blocks on a pipe.
        std::thread::spawn(move || std::io::copy(&mut lines, &mut std::io::sink()));
        let url = first
            .trim_end()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("first line of dateline serve: {first:?}"))
            .to_string();
        let addr: SocketAddr = url
            .strip_prefix("http://")
            .and_then(|rest| rest.strip_suffix('/'))
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("not an http://ADDR/ URL: {url:?}"));
        Server {
            guard,
            addr,
            url,
            stderr,
        }
    }

    /// GET `target` (path and query): status, headers (lower-cased), body.
    pub fn get(&self, target: &str) -> (u16, String, String) {
        http_get(self.addr, target)
    }

    /// GET an API path and parse its JSON answer, expecting `status`.
    pub fn json(&self, target: &str, status: u16) -> Value {
        let (got, head, body) = self.get(target);
        assert_eq!(got, status, "GET {target}: {body}");
        assert!(
            head.contains("content-type: application/json"),
            "GET {target}: {head}"
        );
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {target}: {e}: {body}"))
    }

    /// Sends SIGINT, as Ctrl-C does, and waits for the exit: its code and stderr.
    pub fn interrupt(mut self) -> (Option<i32>, String) {
        let pid = self.guard.child.id().to_string();
        let sent = Command::new("kill").args(["-INT", &pid]).status().unwrap();
        assert!(sent.success());
        let deadline = Instant::now() + Duration::from_secs(10);
        let status = loop {
            if let Some(s) = self.guard.child.try_wait().unwrap() {
                break s;
            }
            assert!(Instant::now() < deadline, "still running 10 s after SIGINT");
            std::thread::sleep(Duration::from_millis(50));
        };
        let mut err = String::new();
        self.stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        (status.code(), err)
    }
}

/// A tiny HTTP/1.1 GET on a connection of its own, closed by the server after its answer:
/// status, headers (lower-cased), body.
pub fn http_get(addr: SocketAddr, target: &str) -> (u16, String, String) {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(5))
        .unwrap_or_else(|e| panic!("connecting to {addr}: {e}"));
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)
        .unwrap_or_else(|e| panic!("reading GET {target}: {e}"));
    let at = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("GET {target}: no end of headers in {raw:?}"));
    let head = String::from_utf8_lossy(&raw[..at]).to_ascii_lowercase();
    let mut body = raw[at + 4..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        body = unchunk(&body);
    }
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("status line of {head:?}"));
    let body = String::from_utf8(body).expect("a UTF-8 answer");
    (status, head, body)
}

/// The body of a chunked answer.
fn unchunk(mut rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let eol = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("a chunk size");
        let size = std::str::from_utf8(&rest[..eol]).unwrap();
        let size = usize::from_str_radix(size.split(';').next().unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&rest[eol + 2..eol + 2 + size]);
        rest = &rest[eol + 2 + size + 2..];
    }
}

/// Percent-encodes a query-string value.
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
