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
//! runs the backends, writing their files atomically.

use std::path::{Path, PathBuf};

pub use folio_core::config::Edition;
pub use folio_core::{Book, Diagnostic, LoadError, RenderContext, Severity};
pub use folio_core as core;

/// What to build and where.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// `None`: the editions of folio.toml `[build] editions`, else all three.
    pub editions: Option<Vec<Edition>>,
    pub out_dir: PathBuf,
    /// Seconds since the epoch stamped into the editions; `None`: the
    /// `SOURCE_DATE_EPOCH` environment variable, else now.
    pub timestamp: Option<i64>,
    /// Treat warnings as errors.
    pub deny_warnings: bool,
}

impl BuildOptions {
    pub fn new(out_dir: impl Into<PathBuf>) -> Self {
        Self { editions: None, out_dir: out_dir.into(), timestamp: None, deny_warnings: false }
    }
}

/// What a successful build wrote, and what the backends reported.
#[derive(Debug, Default)]
pub struct BuildReport {
    pub written: Vec<PathBuf>,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The book has errors (or warnings, with `deny_warnings`): nothing is written.
    #[error("the book has {0} error(s); no edition was written")]
    BookErrors(usize),
    /// A backend found problems it cannot render around; nothing of that
    /// edition was written. The diagnostics say what.
    #[error("the {edition:?} edition failed")]
    Edition { edition: Edition, diagnostics: Vec<Diagnostic> },
    #[error("{edition:?} edition: {message}")]
    Backend { edition: Edition, message: String },
    #[error("cannot write `{path}`: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

/// Does the book fail the build under these options?
pub fn blocking_diagnostics(diagnostics: &[Diagnostic], deny_warnings: bool) -> usize {
    let floor = if deny_warnings { Severity::Warning } else { Severity::Error };
    diagnostics.iter().filter(|d| d.severity >= floor).count()
}

/// The build timestamp: `SOURCE_DATE_EPOCH` when set, so builds are reproducible.
pub fn timestamp_from_env() -> i64 {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64))
}

/// Renders the requested editions of a loaded book and writes them under
/// `options.out_dir`: `<name>.pdf`, `<name>.epub`, `html/`. Each edition is
/// written to a temporary name and renamed into place, so a failed build
/// leaves the previous editions intact.
pub fn build(book: &Book, options: &BuildOptions) -> Result<BuildReport, BuildError> {
    let blocking = blocking_diagnostics(&book.diagnostics, options.deny_warnings);
    if blocking > 0 {
        return Err(BuildError::BookErrors(blocking));
    }
    let ctx = RenderContext { timestamp: options.timestamp.unwrap_or_else(timestamp_from_env) };
    let mut editions = options.editions.clone().or_else(|| book.config.build.editions.clone()).unwrap_or_else(|| Edition::ALL.to_vec());
    editions.sort();
    editions.dedup();
    let mut report = BuildReport::default();
    // Render everything first: nothing is written unless every edition succeeds.
    let mut rendered = Vec::new();
    for edition in editions {
        let output = render(book, edition, &ctx)?;
        if blocking_diagnostics(&output.diagnostics, options.deny_warnings) > 0 {
            return Err(BuildError::Edition { edition, diagnostics: output.diagnostics });
        }
        report.diagnostics.extend(output.diagnostics.iter().cloned());
        rendered.push((edition, output));
    }
    std::fs::create_dir_all(&options.out_dir).map_err(|source| BuildError::Io { path: options.out_dir.clone(), source })?;
    for (edition, output) in rendered {
        report.written.push(write_edition(&options.out_dir, edition, &output.files)?);
    }
    Ok(report)
}

/// Runs one backend.
pub fn render(book: &Book, edition: Edition, ctx: &RenderContext) -> Result<folio_core::Output, BuildError> {
    let failed = |message: String| BuildError::Backend { edition, message };
    match edition {
        Edition::Html => folio_html::render(book, ctx).map_err(|e| failed(e.to_string())),
        Edition::Epub => folio_epub::render(book, ctx).map_err(|e| failed(e.to_string())),
        // typst's errors carry the book's file:line: keep them as diagnostics.
        Edition::Pdf => folio_pdf::render(book, ctx).map_err(|e| BuildError::Edition { edition, diagnostics: e.into_diagnostics() }),
    }
}

/// Writes an edition atomically: single-file editions through a temporary
/// file renamed into place, the HTML site through a temporary folder
/// swapped with the old one.
fn write_edition(out_dir: &Path, edition: Edition, files: &[folio_core::OutputFile]) -> Result<PathBuf, BuildError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| BuildError::Io { path, source }
    };
    match edition {
        Edition::Html => {
            let final_dir = out_dir.join("html");
            let temp_dir = out_dir.join(format!(".html.tmp-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&temp_dir);
            for file in files {
                let path = temp_dir.join(&file.path);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(io(parent))?;
                }
                std::fs::write(&path, &file.bytes).map_err(io(&path))?;
            }
            let old_dir = out_dir.join(format!(".html.old-{}", std::process::id()));
            if final_dir.exists() {
                std::fs::rename(&final_dir, &old_dir).map_err(io(&final_dir))?;
            }
            std::fs::rename(&temp_dir, &final_dir).map_err(io(&final_dir))?;
            let _ = std::fs::remove_dir_all(&old_dir);
            Ok(final_dir)
        }
        Edition::Epub | Edition::Pdf => {
            let mut last = out_dir.to_path_buf();
            for file in files {
                let path = out_dir.join(&file.path);
                let temp = out_dir.join(format!(".{}.tmp-{}", file.path, std::process::id()));
                std::fs::write(&temp, &file.bytes).map_err(io(&temp))?;
                std::fs::rename(&temp, &path).map_err(io(&path))?;
                last = path;
            }
            Ok(last)
        }
    }
}
