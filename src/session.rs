//! Rebuilding a book after edits, for a long-running process (`folio
//! serve`, an editor, a library user): a [`Session`] keeps what the last
//! build made and does again only what an edit changed.
//!
//! - **Reading and parsing**: every file is read again (a few milliseconds
//!   for a thousand chapters; an edit the watcher missed cannot go
//!   unseen), but a source whose text did not change is not parsed again
//!   ([`folio_core::reader::ParseMemo`]).
//! - **Resolving**: only the chapters whose sources changed, when the edit
//!   stayed inside them: each gives the book-wide steps (note and citation
//!   numbers, asset ids, ids and anchors) what it gave, and the other
//!   chapters are kept as they were resolved
//!   ([`folio_core::resolve::again`]). An edit that reaches further (a new
//!   note, a heading renamed, SUMMARY or the settings) resolves the whole
//!   book.
//! - **Rendering**: each chapter equal to its earlier self, in an unchanged
//!   frame ([`Book::unchanged_since`]), is taken from what the HTML and the
//!   EPUB wrote last time; the others are rendered again. The PDF keeps
//!   typst's world and gives it the new markup: typst lays out again what
//!   its memo does not hold.
//!
//! The outputs are those of a full build, byte for byte (tests/incremental.rs).

use std::path::PathBuf;
use std::sync::Arc;

use folio_core::reader::{ParseCount, ParseMemo};
use folio_core::resolve::ResolveMemo;
use folio_core::{Language, Output, Unchanged};

use crate::{Book, BuildError, Edition, LoadError, RenderContext};

/// A book kept open between builds. See the module documentation.
///
/// ```no_run
/// use folio::{Edition, RenderContext, Session};
/// let mut session = Session::open("fixtures/white-paper")?;
/// let ctx = RenderContext { timestamp: 0 };
/// let first = session.render(&[Edition::Html, Edition::Epub], &ctx);
/// // … a chapter is edited …
/// let reload = session.reload()?;
/// println!("{} source(s) parsed again", reload.sources.parsed);
/// let again = session.render(&[Edition::Html, Edition::Epub], &ctx);
/// # Ok::<(), folio::LoadError>(())
/// ```
pub struct Session {
    path: PathBuf,
    language: Option<Language>,
    parses: Arc<ParseMemo>,
    book: Book,
    /// What the book's resolve kept for the next reload.
    kept: ResolveMemo,
    html: Kept<folio_html::SiteMemo>,
    epub: Kept<folio_epub::EpubMemo>,
    pdf: folio_pdf::TypesetMemo,
}

/// What an edition rendered last time, and which chapters are still what
/// they were then (every reload since narrows it).
#[derive(Default)]
struct Kept<M> {
    memo: M,
    unchanged: Unchanged,
}

impl<M> Kept<M> {
    /// After a render of `book`: every chapter is as rendered.
    fn rendered(&mut self, book: &Book) {
        self.unchanged = Unchanged::from_flags(vec![true; book.chapters.len()]);
    }
}

/// What a reload found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reload {
    /// Sources parsed again, and sources whose earlier document was reused.
    pub sources: ParseCount,
    /// Chapters resolved again: the edited ones, or all of them when an
    /// edit reached beyond the chapters it was made in.
    pub resolved_chapters: usize,
    /// Chapters equal to what they were before the reload (their pages are
    /// not rendered again), out of `chapters`.
    pub unchanged_chapters: usize,
    pub chapters: usize,
}

impl Session {
    /// Opens the book at `path` (as [`folio_core::open`]); nothing is rendered yet.
    pub fn open(path: impl Into<PathBuf>) -> Result<Session, LoadError> {
        Session::start(path.into(), None)
    }

    /// Opens one language of a multilingual GitBook book (as
    /// [`folio_core::open_language`]).
    pub fn open_language(
        path: impl Into<PathBuf>,
        language: Language,
    ) -> Result<Session, LoadError> {
        Session::start(path.into(), Some(language))
    }

    fn start(path: PathBuf, language: Option<Language>) -> Result<Session, LoadError> {
        let parses = Arc::new(ParseMemo::default());
        let (book, kept) =
            folio_core::open_keeping(&path, language.as_ref(), Some(parses.clone()))?;
        Ok(Session {
            path,
            language,
            parses,
            book,
            kept,
            html: Kept::default(),
            epub: Kept::default(),
            pdf: folio_pdf::TypesetMemo::default(),
        })
    }

    /// The book as last loaded.
    pub fn book(&self) -> &Book {
        &self.book
    }

    /// Loads the book again from its files, parsing only the sources that
    /// changed. On an error (the book is gone), the session keeps the book
    /// it had.
    pub fn reload(&mut self) -> Result<Reload, LoadError> {
        self.parses.start_build();
        let reopened = folio_core::reopen(
            &mut self.book,
            &mut self.kept,
            &self.path,
            self.language.as_ref(),
            Some(self.parses.clone()),
        )?;
        let unchanged = reopened.unchanged;
        self.html.unchanged = self.html.unchanged.and(&unchanged);
        self.epub.unchanged = self.epub.unchanged.and(&unchanged);
        Ok(Reload {
            sources: self.parses.count(),
            resolved_chapters: reopened.resolved,
            unchanged_chapters: unchanged.count(),
            chapters: self.book.chapters.len(),
        })
    }

    /// Renders `editions` of the book as last loaded, at once (as
    /// [`crate::render_all`]), each once, reusing what the previous
    /// renders of that edition made for the chapters that did not change.
    /// The outputs are in the order of `editions`, without repeats.
    pub fn render(
        &mut self,
        editions: &[Edition],
        ctx: &RenderContext,
    ) -> Vec<(Edition, Result<Output, BuildError>)> {
        let book = &self.book;
        let (mut html, mut epub, mut pdf) = (
            Some(&mut self.html),
            Some(&mut self.epub),
            Some(&mut self.pdf),
        );
        let jobs: Vec<Job<'_>> = editions
            .iter()
            .filter_map(|edition| match edition {
                Edition::Html => html.take().map(Job::Html),
                Edition::Epub => epub.take().map(Job::Epub),
                Edition::Pdf => pdf.take().map(Job::Pdf),
            })
            .collect();
        let pages = || folio_html::highlight_code(book);
        crate::pdf_first(jobs, Job::edition, pages, |job| {
            let edition = job.edition();
            (edition, job.run(book, ctx))
        })
    }
}

/// One edition's render and what it keeps.
enum Job<'a> {
    Html(&'a mut Kept<folio_html::SiteMemo>),
    Epub(&'a mut Kept<folio_epub::EpubMemo>),
    Pdf(&'a mut folio_pdf::TypesetMemo),
}

impl Job<'_> {
    fn edition(&self) -> Edition {
        match self {
            Job::Html(_) => Edition::Html,
            Job::Epub(_) => Edition::Epub,
            Job::Pdf(_) => Edition::Pdf,
        }
    }

    fn run(self, book: &Book, ctx: &RenderContext) -> Result<Output, BuildError> {
        // What a GitBook template writes for this edition's output only: its
        // chapters change exactly when the book's do.
        let book = &*book.for_edition(self.edition());
        match self {
            Job::Html(kept) => {
                let output = folio_html::render_reusing(book, ctx, &mut kept.memo, &kept.unchanged);
                kept.rendered(book);
                output.map_err(BuildError::Html)
            }
            Job::Epub(kept) => {
                let output = folio_epub::render_reusing(book, ctx, &mut kept.memo, &kept.unchanged);
                kept.rendered(book);
                output.map_err(BuildError::Epub)
            }
            Job::Pdf(memo) => folio_pdf::render_reusing(book, ctx, memo).map_err(BuildError::Pdf),
        }
    }
}
