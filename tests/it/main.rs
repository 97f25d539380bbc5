//! The integration tests, one crate (one link step) as ripgrep's `tests/tests.rs` is: each module
//! is a topic, and all of them run the real `dateline` binary through the shared harness in
//! `tests/common/` (the same harness the separate suites `reuters`, `relevance` and `browser`
//! use, which need outside data or a browser).

#[path = "../common/mod.rs"]
mod common;

mod archive;
mod bundled;
mod check;
mod crash;
mod errors;
mod eval;
mod export;
mod finish;
mod generator;
mod hostile;
mod indexing;
mod output;
mod search;
mod serve;
