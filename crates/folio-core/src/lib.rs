//! folio-core: the document model and everything that fills it.
//!
//! Pipeline: [`load`] (find the book, read SUMMARY/config) → [`reader`]
//! (Markdown → model, per chapter) → [`resolve`] (ids, links, footnotes,
//! citations, assets, typography) → backends (other crates) read the result.

pub mod config;
pub mod diagnostics;
pub mod load;
pub mod model;
pub mod output;
pub mod reader;
pub mod resolve;
pub mod slug;
pub mod typography;

pub use config::Config;
pub use diagnostics::{Diagnostic, Severity};
pub use load::{load, LoadError};
pub use model::*;
pub use output::{Output, OutputFile, RenderContext};
