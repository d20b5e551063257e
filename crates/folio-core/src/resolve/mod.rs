//! Resolver passes: everything the backends need is decided here, once.
//!
//! Order matters: footnotes and citations create ids, ids must all exist
//! before links to them are checked, and typography runs last on final text.
//!
//! Within a pass, what one chapter decides alone (ordering its notes, naming
//! its headings, spacing its punctuation) runs on every core through
//! [`per_chapter`]; what the book decides (note and citation numbers, asset
//! ids) is a short sequential step between two such runs, in reading order,
//! so that the result never depends on scheduling.

mod assets;
mod citations;
mod footnotes;
mod ids;
mod links;
mod typography;

use rayon::prelude::*;

use crate::model::{Book, Chapter, ChapterId};

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

/// Where `file` is in a chapter's list of `wanted` files, added at the end
/// if new: the chapter-local number a file gets before the book numbers its
/// assets.
fn index_in(wanted: &mut Vec<String>, file: String) -> usize {
    wanted.iter().position(|w| *w == file).unwrap_or_else(|| {
        wanted.push(file);
        wanted.len() - 1
    })
}

/// Where each chapter's numbers start when they run through the book from
/// 1, given how many each chapter numbers (notes, citations).
fn first_numbers(counts: impl Iterator<Item = usize>) -> Vec<usize> {
    counts
        .scan(1, |next, count| {
            let first = *next;
            *next += count;
            Some(first)
        })
        .collect()
}

/// `f` run on every chapter on all cores; the results in reading order.
fn per_chapter<R: Send>(chapters: &mut [Chapter], f: impl Fn(ChapterId, &mut Chapter) -> R + Sync) -> Vec<R> {
    chapters.par_iter_mut().enumerate().map(|(id, chapter)| f(id, chapter)).collect()
}
