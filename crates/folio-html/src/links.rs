//! Where each chapter's document lives, and relative URLs between documents.

use folio_core::paths::relative_with_suffix;
use folio_core::{Book, ChapterId};

use crate::Target;

/// The single page holding the whole book.
pub const PRINT_PAGE: &str = "print.html";

/// The site's table of contents as a page (taken by a chapter `toc.md`, it
/// becomes `toc-2.html`).
pub const TOC_PAGE: &str = "toc.html";

/// The script that writes the table of contents into every page.
pub const TOC_SCRIPT: &str = "toc.js";

/// Path of the chapter's document relative to the output root:
/// `2-constituants/1-code_source.html` for the site (`…/index.html` for a
/// folder's README), the same with `.xhtml` for the EPUB, `print.html` for
/// the single page.
pub fn chapter_href(book: &Book, chapter: ChapterId, target: Target) -> String {
    let (path, extension) = document(book, chapter, target);
    format!("{path}{extension}")
}

/// The URL of the chapter's document seen from the document at `from`:
/// `relative_url(from, &chapter_href(…))`, without making the path first.
pub fn chapter_url(from: &str, book: &Book, chapter: ChapterId, target: Target) -> String {
    let (path, extension) = document(book, chapter, target);
    relative_with_suffix(from, path, extension)
}

/// [`chapter_href`] in two parts: the path without its extension, the extension.
fn document(book: &Book, chapter: ChapterId, target: Target) -> (&str, &'static str) {
    let path = &book.chapters[chapter].path;
    match target {
        Target::Site => (path, ".html"),
        Target::Epub => (path, ".xhtml"),
        Target::SinglePage => (PRINT_PAGE, ""),
    }
}

/// The URL that leads from the document at `from` to the file at `to`, both
/// relative to the output root with `/` separators.
pub use folio_core::paths::relative as relative_url;
