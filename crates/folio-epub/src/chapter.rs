//! The seam to the HTML edition's chapter renderer, in its XHTML form.

use folio_core::{Book, ChapterId};
use folio_html::{Fragment, Target};

/// The chapter's content document, relative to the package root.
pub(crate) fn href(book: &Book, chapter: ChapterId) -> String {
    folio_html::chapter_href(book, chapter, Target::Epub)
}

/// The chapter's content as XHTML body content, notes included.
pub(crate) fn fragment(book: &Book, chapter: ChapterId) -> Fragment {
    folio_html::chapter_fragment(book, chapter, Target::Epub)
}
