//! The seam between the model and the backends: every backend is a plain
//! function `fn(&Book, &RenderContext) -> Result<Output, _>` that returns the
//! files of its edition in memory. The facade writes them atomically, so a
//! failed build never leaves a half-written edition behind.

use crate::diagnostics::Diagnostic;

/// What a backend needs besides the book.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderContext {
    /// Build time in seconds since the Unix epoch: `SOURCE_DATE_EPOCH` when
    /// set, so that builds are reproducible.
    pub timestamp: i64,
}

/// One file of an edition, relative to the edition's output location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// `/`-separated path: `2-constituants/1-code_source.html`, or the file
    /// name alone for single-file editions (`livre.epub`).
    pub path: String,
    pub bytes: Vec<u8>,
}

/// The files of an edition and what the backend had to say about the book.
#[derive(Debug, Clone, Default)]
pub struct Output {
    pub files: Vec<OutputFile>,
    pub diagnostics: Vec<Diagnostic>,
}
