//! folio: a Markdown book → its print (PDF), e-reader (EPUB 3) and web (HTML)
//! editions, from one document model.
//!
//! ```no_run
//! let book = folio::Book::load("fixtures/white-paper".as_ref())?;
//! let report = folio::build(&book, &folio::BuildOptions::new("dist"))?;
//! for path in &report.written { println!("{}", path.display()); }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! This crate is the facade: it re-exports the model ([`folio_core`]) and
//! runs the backends, writing their editions all or nothing.

use std::path::PathBuf;

mod session;
mod write;

pub use session::{Reload, Session};

pub use folio_core as core;
pub use folio_core::config::Edition;
pub use folio_core::{Book, Diagnostic, LoadError, RenderContext, Severity};

#[doc(hidden)]
pub mod fuzzing;

/// What to build and where.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// `None`: the editions of folio.toml `[build] editions`, else all three.
    pub editions: Option<Vec<Edition>>,
    pub out_dir: PathBuf,
    /// Seconds since the epoch stamped into the editions; `None`: the
    /// `SOURCE_DATE_EPOCH` environment variable (an error if it is not a
    /// timestamp), else now.
    pub timestamp: Option<i64>,
    /// Treat warnings as errors.
    pub deny_warnings: bool,
}

impl BuildOptions {
    pub fn new(out_dir: impl Into<PathBuf>) -> Self {
        Self {
            editions: None,
            out_dir: out_dir.into(),
            timestamp: None,
            deny_warnings: false,
        }
    }
}

/// What a successful build wrote, and what the backends reported.
#[derive(Debug, Default)]
pub struct BuildReport {
    pub written: Vec<PathBuf>,
    pub diagnostics: Vec<Diagnostic>,
    /// The same diagnostics, per book given to [`build_languages`] (their
    /// spans are in that book's sources).
    pub by_book: Vec<Vec<Diagnostic>>,
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The book has errors (or warnings, with `deny_warnings`): nothing is written.
    #[error("the book has {0} error(s); no edition was written")]
    BookErrors(usize),
    /// A backend found problems it cannot render around; nothing of that
    /// edition was written. The diagnostics say what.
    #[error("the {edition:?} edition failed")]
    Edition {
        edition: Edition,
        diagnostics: Vec<Diagnostic>,
    },
    /// The web edition could not be made (the backend's own error, kept).
    #[error("the Html edition failed: {0}")]
    Html(#[source] folio_html::Error),
    /// The EPUB could not be made.
    #[error("the Epub edition failed: {0}")]
    Epub(#[source] folio_epub::Error),
    /// The PDF could not be made: typst's reasons are diagnostics at the
    /// book's `file:line` ([`folio_pdf::Error::into_diagnostics`]).
    #[error("the Pdf edition failed: {0}")]
    Pdf(#[source] folio_pdf::Error),
    /// `SOURCE_DATE_EPOCH` is set but is not a time folio can stamp.
    #[error(transparent)]
    SourceDateEpoch(#[from] InvalidEpoch),
    /// Something that is not the build's own stands where an edition goes.
    #[error("cannot write `{}`: {what} of that name is in the way", path.display())]
    InTheWay { path: PathBuf, what: &'static str },
    #[error("cannot write `{}`: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// One language of a multilingual book failed (see [`build_languages`]).
    #[error("{code}: {error}")]
    Language {
        code: String,
        error: Box<BuildError>,
    },
    /// A defect of folio itself.
    #[error("internal error: {0}")]
    Internal(String),
}

/// `SOURCE_DATE_EPOCH` holds something other than a number of seconds
/// between 1970 and the end of year 9999.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "SOURCE_DATE_EPOCH={0:?} is not a time folio can stamp: it must be a whole number of seconds since 1970-01-01 (as `date +%s` prints), before year 10000"
)]
pub struct InvalidEpoch(pub String);

/// The last second of year 9999: dates after it have no four-digit year,
/// which EPUB and PDF dates require.
const LAST_EPOCH: i64 = 253_402_300_799;

/// Does the book fail the build under these options?
pub fn blocking_diagnostics(diagnostics: &[Diagnostic], deny_warnings: bool) -> usize {
    let floor = if deny_warnings {
        Severity::Warning
    } else {
        Severity::Error
    };
    diagnostics.iter().filter(|d| d.severity >= floor).count()
}

/// The build timestamp `SOURCE_DATE_EPOCH` asks for, so that builds are
/// reproducible; `None` when it is not set. A value that is set but is not
/// a timestamp is an error, never silently the clock.
pub fn timestamp_from_env() -> Result<Option<i64>, InvalidEpoch> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(value)) => {
            Err(InvalidEpoch(value.to_string_lossy().into_owned()))
        }
        Ok(value) => match value.trim().parse::<i64>() {
            Ok(seconds) if (0..=LAST_EPOCH).contains(&seconds) => Ok(Some(seconds)),
            _ => Err(InvalidEpoch(value)),
        },
    }
}

/// Now, in seconds since the epoch.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Renders the requested editions of a loaded book and writes them under
/// `options.out_dir`: `<name>.pdf`, `<name>.epub`, `html/`. Nothing is
/// written unless every edition renders, and then all of them are written
/// or none (see [`write`]): a failed build leaves the previous editions as
/// they were.
pub fn build(book: &Book, options: &BuildOptions) -> Result<BuildReport, BuildError> {
    build_languages(&[("", book)], options)
}

/// Builds each language of a multilingual book (see
/// [`folio_core::Book::languages`]) into `out_dir/<code>/`: every edition of
/// every language is rendered first, then all are written or none.
pub fn build_languages(
    books: &[(&str, &Book)],
    options: &BuildOptions,
) -> Result<BuildReport, BuildError> {
    let blocking: usize = books
        .iter()
        .map(|(_, book)| blocking_diagnostics(&book.diagnostics, options.deny_warnings))
        .sum();
    if blocking > 0 {
        return Err(BuildError::BookErrors(blocking));
    }
    let timestamp = match options.timestamp {
        Some(timestamp) => timestamp,
        None => timestamp_from_env()?.unwrap_or_else(now),
    };
    let ctx = RenderContext { timestamp };
    // Every edition of every book, in a fixed order: each book's editions
    // sorted, books as given.
    let jobs: Vec<(usize, Edition)> = books
        .iter()
        .enumerate()
        .flat_map(|(at, (_, book))| {
            let mut editions = options
                .editions
                .clone()
                .or_else(|| book.config.build.editions.clone())
                .unwrap_or_else(|| Edition::ALL.to_vec());
            editions.sort();
            editions.dedup();
            editions.into_iter().map(move |edition| (at, edition))
        })
        .collect();
    // Render everything first, every edition at once: the editions share
    // nothing mutable, and the PDF (typst's layout, the long pole) runs
    // beside the HTML and the EPUB on the same pool, whose chapters fill the
    // other cores. Nothing is written unless every edition succeeds.
    let outputs = render_all(
        &jobs
            .iter()
            .map(|&(at, edition)| (books[at].1, edition))
            .collect::<Vec<_>>(),
        &ctx,
    );
    let mut report = BuildReport::default();
    let mut rendered = Vec::with_capacity(jobs.len());
    let mut outputs = jobs.iter().zip(outputs).peekable();
    for (at, (folder, _)) in books.iter().enumerate() {
        let in_language = |error: BuildError| match folder.is_empty() {
            true => error,
            false => BuildError::Language {
                code: folder.to_string(),
                error: Box::new(error),
            },
        };
        let mut diagnostics = Vec::new();
        // Reported in the same order as when the editions ran one by one.
        while let Some((&(_, edition), output)) = outputs.next_if(|((book, _), _)| *book == at) {
            let output = output.map_err(in_language)?;
            if blocking_diagnostics(&output.diagnostics, options.deny_warnings) > 0 {
                return Err(in_language(BuildError::Edition {
                    edition,
                    diagnostics: output.diagnostics,
                }));
            }
            diagnostics.extend(output.diagnostics.iter().cloned());
            rendered.push((*folder, edition, output));
        }
        report.diagnostics.extend(diagnostics.iter().cloned());
        report.by_book.push(diagnostics);
    }
    let staged: Vec<write::Staged<'_>> = rendered
        .iter()
        .map(|(folder, edition, output)| write::Staged {
            edition: *edition,
            files: &output.files,
            folder,
        })
        .collect();
    report.written = write::write_editions(&options.out_dir, &staged)?;
    Ok(report)
}

/// What `folio check` reports beyond the loader's diagnostics, without
/// rendering: the characters of the book no font available to the PDF has.
/// Only when the book builds a PDF.
pub fn check(book: &Book) -> Vec<Diagnostic> {
    let pdf = book
        .config
        .build
        .editions
        .as_ref()
        .is_none_or(|editions| editions.contains(&Edition::Pdf));
    if pdf {
        folio_pdf::check(book)
    } else {
        Vec::new()
    }
}

/// Runs several backends at once, on rayon's pool: each `(book, edition)`
/// rendered as [`render`] does, the results in the order asked. The outputs
/// are those of one-by-one rendering, byte for byte: no backend depends on
/// scheduling.
pub fn render_all(
    jobs: &[(&Book, Edition)],
    ctx: &RenderContext,
) -> Vec<Result<folio_core::Output, BuildError>> {
    let pages = || {
        let mut highlighted: Vec<&Book> = Vec::new();
        for &(book, edition) in jobs {
            if edition != Edition::Pdf && !highlighted.iter().any(|b| std::ptr::eq(*b, book)) {
                folio_html::highlight_code(book);
                highlighted.push(book);
            }
        }
    };
    pdf_first(
        jobs.to_vec(),
        |(_, edition)| *edition,
        pages,
        |(book, edition)| render(book, edition, ctx),
    )
}

/// `run` on every job at once, on rayon's pool, the results in the order
/// of `jobs`. PDFs first: `rayon::join` runs them on the calling thread and
/// leaves the rest to be stolen, so typst starts at once while the other
/// cores run `before_pages` (highlighting the code the HTML and the EPUB
/// share), then the HTML and the EPUB, chapter by chapter.
fn pdf_first<J: Send, R: Send>(
    jobs: Vec<J>,
    edition: impl Fn(&J) -> Edition,
    before_pages: impl FnOnce() + Send,
    run: impl Fn(J) -> R + Sync + Send,
) -> Vec<R> {
    use rayon::prelude::*;
    type Numbered<J> = Vec<(usize, J)>;
    let (pdfs, pages): (Numbered<J>, Numbered<J>) = jobs
        .into_iter()
        .enumerate()
        .partition(|(_, job)| edition(job) == Edition::Pdf);
    let run_all = |jobs: Numbered<J>| -> Numbered<R> {
        jobs.into_par_iter()
            .with_max_len(1)
            .map(|(at, job)| (at, run(job)))
            .collect()
    };
    let (mut outputs, pages) = rayon::join(
        || run_all(pdfs),
        || {
            if !pages.is_empty() {
                before_pages();
            }
            run_all(pages)
        },
    );
    outputs.extend(pages);
    outputs.sort_by_key(|(at, _)| *at);
    outputs.into_iter().map(|(_, output)| output).collect()
}

/// Runs one backend.
pub fn render(
    book: &Book,
    edition: Edition,
    ctx: &RenderContext,
) -> Result<folio_core::Output, BuildError> {
    // What a GitBook template writes for this edition's output only.
    let book = &*book.for_edition(edition);
    match edition {
        Edition::Html => folio_html::render(book, ctx).map_err(BuildError::Html),
        Edition::Epub => folio_epub::render(book, ctx).map_err(BuildError::Epub),
        Edition::Pdf => folio_pdf::render(book, ctx).map_err(BuildError::Pdf),
    }
}
