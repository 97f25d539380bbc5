//! dateline: fast full-text search for folders of dated articles.
//!
//! The data's way: [`corpus`] finds and reads files, [`article`] parses the dated format,
//! [`indexer`] brings a tantivy index (fields and analyzer from [`schema`], common-word pairs
//! from [`grams`]) in step with the
//! files, [`query`] turns text and flags into a query, [`search`] runs it into hits with
//! snippets, and [`render`] prints them.
//!
//! ```
//! use dateline::{indexer, search, store};
//! # fn main() -> anyhow::Result<()> {
//! let corpus = tempfile::tempdir()?;
//! std::fs::write(corpus.path().join("a.txt"), " date 2016-09-17 Aid caravans reach Aleppo.")?;
//! let index = tempfile::tempdir()?;
//! let report = indexer::run(
//!     index.path(),
//!     &[corpus.path().to_path_buf()],
//!     &indexer::Options::default(),
//!     &indexer::Silent,
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
pub mod corpus;
pub mod dates;
pub mod eval;
pub mod export;
pub mod grams;
pub mod indexer;
pub mod manual;
pub mod query;
pub mod rank;
pub mod render;
pub mod rerank;
pub mod schema;
pub mod search;
pub mod serve;
pub mod similar;
pub mod snippet;
pub mod stats;
pub mod store;
pub mod suggest;
pub mod timeline;
