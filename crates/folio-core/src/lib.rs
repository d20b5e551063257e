//! folio-core: the document model and everything that fills it.
//!
//! Pipeline: [`load`] (find the book, read SUMMARY/config) → [`reader`]
//! (Markdown → model, per chapter) → [`resolve`] (ids, links, footnotes,
//! citations, assets, typography) → backends (other crates) read the result.

pub mod code;
pub mod config;
pub mod date;
pub mod diagnostics;
mod display_math;
pub mod files;
pub mod load;
pub mod locale;
pub mod math;
pub mod model;
pub mod names;
pub mod output;
pub mod reader;
pub mod resolve;
pub mod slug;
pub mod smart;
pub mod text;
pub mod typography;

pub use config::Config;
pub use diagnostics::{Diagnostic, Severity};
pub use load::{LoadError, load};
pub use model::*;
pub use output::{Output, OutputFile, RenderContext, Unchanged};

mod citation;
mod editions;
#[doc(hidden)]
pub mod fuzzing;
mod include;
pub mod paths;
mod raw_html;
mod scan;
mod summary;
mod template;
mod visit;

/// Pseudo-random numbers for the tests that check a fast version of an
/// algorithm against a plain one on many generated inputs: xorshift, so
/// that every run checks the same inputs.
#[cfg(test)]
fn xorshift(mut state: u64) -> impl FnMut() -> usize {
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state as usize
    }
}

pub use visit::all_html_elements as visit_all_html_elements;
pub use visit::all_inlines as visit_all_inlines;
pub use visit::each_block as visit_each_block;
/// For code that rewrites raw HTML as the resolver does (tests of other crates).
pub use visit::each_html_element as visit_each_html_element;

/// Loads, parses and resolves the book at `path`: the model every edition reads.
pub fn open(path: &std::path::Path) -> Result<Book, LoadError> {
    open_reusing(path, None, None)
}

/// Loads, parses and resolves one language of a multilingual GitBook book
/// (one of [`Book::languages`] of the book at `path`).
pub fn open_language(path: &std::path::Path, language: &Language) -> Result<Book, LoadError> {
    open_reusing(path, Some(language), None)
}

/// [`open`], or [`open_language`] for a language, parsing again only the
/// sources whose text changed since the build that filled `memo` (see
/// [`reader::ParseMemo`]; `folio::Session` keeps one).
pub fn open_reusing(
    path: &std::path::Path,
    language: Option<&Language>,
    memo: Option<std::sync::Arc<reader::ParseMemo>>,
) -> Result<Book, LoadError> {
    on_the_pool(|| {
        let mut book = load::load_reusing(path, language, memo)?;
        resolve::resolve(&mut book);
        Ok(book)
    })
}

/// A book kept open between builds (`folio::Session`): [`open_reusing`],
/// keeping what [`reopen`] needs to resolve only the chapters that change.
pub fn open_keeping(
    path: &std::path::Path,
    language: Option<&Language>,
    memo: Option<std::sync::Arc<reader::ParseMemo>>,
) -> Result<(Book, resolve::ResolveMemo), LoadError> {
    on_the_pool(|| {
        let mut book = load::load_reusing(path, language, memo)?;
        let kept = resolve::resolve_and_keep(&mut book);
        Ok((book, kept))
    })
}

/// What [`reopen`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reopened {
    /// The chapters equal to what they were.
    pub unchanged: Unchanged,
    /// How many chapters were resolved again (all of them when an edit
    /// reached beyond the chapters it was made in).
    pub resolved: usize,
}

/// Loads the book again into `book` (from [`open_keeping`], or an earlier
/// `reopen`): the chapters whose sources changed are resolved alone when
/// nothing else changed ([`resolve::again`]), else the whole book. On an
/// error (the book is gone), `book` and `kept` stay as they were.
pub fn reopen(
    book: &mut Book,
    kept: &mut resolve::ResolveMemo,
    path: &std::path::Path,
    language: Option<&Language>,
    memo: Option<std::sync::Arc<reader::ParseMemo>>,
) -> Result<Reopened, LoadError> {
    on_the_pool(|| {
        let loaded = load::load_reusing(path, language, memo)?;
        Ok(match resolve::again(book, kept, loaded) {
            Ok(resolved) => {
                let mut unchanged = vec![true; book.chapters.len()];
                for &(id, changed) in &resolved {
                    unchanged[id.index()] = !changed;
                }
                Reopened {
                    unchanged: Unchanged::from_flags(unchanged),
                    resolved: resolved.len(),
                }
            }
            Err(loaded) => {
                let mut loaded = *loaded;
                *kept = resolve::resolve_and_keep(&mut loaded);
                let unchanged = loaded.unchanged_since(book);
                *book = loaded;
                Reopened {
                    unchanged,
                    resolved: book.chapters.len(),
                }
            }
        })
    })
}

/// Parses and resolves a standalone Markdown document held in memory (no
/// files, so images stay unresolved): for conformance tests and for
/// embedding folio on strings.
pub fn parse_str(markdown: &str) -> Book {
    parse_str_with(markdown, None)
}

/// [`parse_str`] with the Markdown read with `syntax` (see [`load::load_str_with`]).
pub fn parse_str_with(markdown: &str, syntax: Option<reader::Syntax>) -> Book {
    on_the_pool(|| {
        let mut book = load::load_str_with(markdown, syntax);
        resolve::resolve(&mut book);
        book
    })
}

/// Runs `work` on one of rayon's threads. Loading and resolving fan out to
/// every core a dozen times; from a pool thread each fan-out starts at once
/// and lends work to idle threads, whereas from outside the pool each one
/// would be handed over and waited for (measured: a quarter of the time
/// spent resolving a small book).
fn on_the_pool<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    rayon::scope(|_| work())
}
