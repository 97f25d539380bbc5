//! The index on disk: its fields and analyzers ([`schema`], with the common-word pairs of
//! [`grams`]), reading it ([`store`]: opening, the format check, the stored article and lookups
//! by key, per-commit statistics; [`stored`]: a stored document's bytes checked before they are
//! read) and writing it ([`writer`]: bringing it in step with the
//! corpus in one commit); [`damage`] finds and names damage to it and failures to write it.

pub mod damage;
pub mod grams;
pub mod schema;
pub mod stem;
pub mod store;
pub mod stored;
pub mod writer;
