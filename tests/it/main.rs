//! The integration tests, one crate (one link step) as ripgrep's `tests/tests.rs` is: each module
//! is a topic, and all of them run the real `dateline` binary through the shared harness in
//! `tests/common/` (the same harness the separate suites `reuters`, `relevance` and `browser`
//! use, which need outside data or a browser).

/// Every `assert_eq!` below (in every module) is `pretty_assertions`' own: when two multi-line
/// outputs differ, the failure shows a line-by-line diff instead of two long strings. A macro
/// defined here is in textual scope in the modules declared after it, ahead of the prelude's.
macro_rules! assert_eq {
    ($($arg:tt)*) => {
        pretty_assertions::assert_eq!($($arg)*)
    };
}

#[path = "../common/mod.rs"]
mod common;

mod archive;
mod bundled;
mod check;
mod crash;
mod damage;
mod errors;
mod eval;
mod export;
mod finish;
mod full_disk;
mod generator;
mod hostile;
mod indexing;
mod metadata;
mod output;
mod queries;
mod reading;
mod records;
mod search;
mod serve;
mod words;
