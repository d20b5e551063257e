//! The seam between the model and the backends: every backend is a plain
//! function `fn(&Book, &RenderContext) -> Result<Output, _>` that returns the
//! files of its edition in memory. The facade writes them atomically, so a
//! failed build never leaves a half-written edition behind.

use crate::diagnostics::Diagnostic;
use crate::model::ChapterId;

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

/// Which chapters a backend may take from what it rendered for an earlier
/// build of the same book instead of rendering them again: chapters equal
/// to their earlier selves in a book whose frame (metadata, settings,
/// assets, every chapter's title, path and ids) did not change either (see
/// [`crate::Book::unchanged_since`]). A backend given nothing renders
/// everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unchanged(Vec<bool>);

impl Unchanged {
    /// Nothing may be reused: a first build, or a changed frame.
    pub fn nothing() -> Self {
        Unchanged(Vec::new())
    }

    pub fn from_flags(flags: Vec<bool>) -> Self {
        Unchanged(flags)
    }

    /// Whether `chapter` may be taken from the earlier build.
    pub fn contains(&self, chapter: ChapterId) -> bool {
        self.0.get(chapter.index()).copied().unwrap_or(false)
    }

    /// What stays unchanged over two steps: unchanged in both.
    pub fn and(&self, next: &Unchanged) -> Unchanged {
        Unchanged(self.0.iter().zip(&next.0).map(|(a, b)| *a && *b).collect())
    }

    /// What `earlier` (a backend's renders of the previous build, by
    /// chapter) holds for `chapter` when the chapter is unchanged, else
    /// `render()`.
    pub fn reuse_or<T: Clone>(
        &self,
        earlier: &[T],
        chapter: ChapterId,
        render: impl FnOnce() -> T,
    ) -> T {
        let rendered = self.try_reuse_or(earlier, chapter, || {
            Ok::<T, std::convert::Infallible>(render())
        });
        match rendered {
            Ok(kept_or_rendered) => kept_or_rendered,
            Err(never) => match never {},
        }
    }

    /// [`Unchanged::reuse_or`] for a render that can fail.
    pub fn try_reuse_or<T: Clone, E>(
        &self,
        earlier: &[T],
        chapter: ChapterId,
        render: impl FnOnce() -> Result<T, E>,
    ) -> Result<T, E> {
        match earlier.get(chapter.index()) {
            Some(kept) if self.contains(chapter) => Ok(kept.clone()),
            _ => render(),
        }
    }

    /// How many chapters are unchanged.
    pub fn count(&self) -> usize {
        self.0.iter().filter(|unchanged| **unchanged).count()
    }
}
