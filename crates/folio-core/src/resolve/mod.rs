//! Resolver passes: everything the backends need is decided here, once.
//!
//! Order matters: footnotes and citations create ids, ids must all exist
//! before links to them are checked, and typography runs last on final text.

mod assets;
mod citations;
mod footnotes;
mod ids;
mod links;
mod typography;

use crate::model::Book;

pub use assets::media_type;

/// Runs every pass on a loaded book. Problems are added to `book.diagnostics`.
pub fn resolve(book: &mut Book) {
    assets::resolve(book);
    footnotes::resolve(book);
    citations::resolve(book);
    let anchors = ids::resolve(book);
    links::resolve(book, &anchors);
    typography::resolve(book);
    // Report in reading order: sources are numbered in the order they were read.
    book.diagnostics.sort_by_key(|d| d.span.map(|s| (s.source, s.line, s.col)));
}
