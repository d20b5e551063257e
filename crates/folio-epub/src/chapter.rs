//! The seam to the HTML edition's chapter renderer.
//!
//! TEMPORARY: folio-html's `chapter_fragment(book, id, Target::Epub)` and
//! `chapter_href` are being written; until they compile, this renders headings,
//! paragraphs and figures only, so that the package can be built and validated.

use folio_core::{Block, Book, ChapterId, Diagnostic, ImageTarget, plain_text};

use crate::xml::{escape, href as relative_href};

pub(crate) struct Fragment {
    pub html: String,
    pub diagnostics: Vec<Diagnostic>,
}

/// The chapter's content document, relative to the package root.
pub(crate) fn href(book: &Book, chapter: ChapterId) -> String {
    format!("{}.xhtml", book.chapters[chapter].path)
}

/// The chapter's content as XHTML body content.
pub(crate) fn fragment(book: &Book, chapter: ChapterId) -> Fragment {
    let from = href(book, chapter);
    let mut html = String::new();
    for block in &book.chapters[chapter].blocks {
        match block {
            Block::Heading { level, id, content, .. } => {
                html.push_str(&format!("<h{level} id=\"{}\">{}</h{level}>\n", escape(id), escape(&plain_text(content))));
            }
            Block::Paragraph { content, .. } => html.push_str(&format!("<p>{}</p>\n", escape(&plain_text(content)))),
            Block::Figure { image, .. } => {
                if let ImageTarget::Asset { asset } = image.target {
                    let src = relative_href(&from, &book.assets[asset].path);
                    html.push_str(&format!("<figure><img src=\"{}\" alt=\"{}\"/></figure>\n", escape(&src), escape(&image.alt)));
                }
            }
            _ => {}
        }
    }
    Fragment { html, diagnostics: Vec::new() }
}
