//! dateline: fast full-text search for folders of dated articles.
//!
//! The data's way: [`corpus`] finds and reads files, [`article`] parses the dated format,
//! [`index`] holds the Tantivy index (its schema, the writer that brings it in step with the
//! files, the store that reads it), [`search`] reads a query once into a plan and runs it into
//! ranked hits with snippets, and [`render`] prints them; [`cli`] and [`serve`] are the two
//! front ends.
//!
//! ```
//! use dateline::index::{store, writer};
//! use dateline::search;
//! # fn main() -> anyhow::Result<()> {
//! let corpus = tempfile::tempdir()?;
//! std::fs::write(corpus.path().join("a.txt"), " date 2016-09-17 Aid caravans reach Aleppo.")?;
//! let index = tempfile::tempdir()?;
//! let report = writer::run(
//!     index.path(),
//!     &[corpus.path().to_path_buf()],
//!     &writer::Options::default(),
//!     &writer::Silent,
//! )?;
//! assert_eq!(report.added, 1);
//!
//! let store = store::open(index.path())?;
//! let req = search::Request { text: "aid convoys Aleppo".into(), ..Default::default() };
//! let results = search::run(&store, &req)?;
//! assert_eq!(results.total, 1);
//! let hit = &results.hits[0];
//! let [s, e] = hit.highlights[0];
//! assert_eq!(&hit.snippet[s..e], "Aid");
//! # Ok(())
//! # }
//! ```

pub mod article;
pub mod check;
pub mod cli;
pub mod collocates;
pub mod corpus;
pub mod eval;
pub mod export;
pub mod index;
pub mod keywords;
pub mod kwic;
pub mod records;
pub mod render;
pub mod search;
pub mod selection;
pub mod serve;
pub mod similar;
pub mod stats;
pub mod tables;
pub mod timeline;
