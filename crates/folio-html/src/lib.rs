//! folio's HTML edition: a static site (one page per chapter), `print.html`
//! (the whole book on one page), and the chapter renderer that the EPUB edition
//! reuses in its XHTML form.
//!
//! Everything here reads the resolved model only: ids, link targets, footnote
//! numbers and citation targets were decided by folio-core's resolver.

mod chapter;
mod escape;
mod highlight;
mod links;
mod site;
mod theme;

use std::collections::BTreeSet;

use folio_core::{AssetId, Book, ChapterId, Diagnostic, Output, RenderContext, Unchanged};

pub use site::SiteMemo;

pub use links::chapter_href;

/// Where a chapter's HTML goes: the serialisation and how links are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// One HTML5 page per chapter.
    Site,
    /// `print.html`: every chapter in one HTML5 page, ids made book-wide.
    SinglePage,
    /// One XHTML content document per chapter, for the EPUB edition.
    Epub,
}

/// A chapter's content rendered for a target, and what the renderer had to say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fragment {
    pub html: String,
    pub diagnostics: Vec<Diagnostic>,
    /// What the writer put in it that a package must declare.
    pub contents: Contents,
}

/// What a fragment holds, as its writer wrote it: the EPUB's manifest and
/// accessibility claims come from here, never from parsing the XHTML back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contents {
    /// The book's files it embeds (`<img src>`, raw HTML's `src` and
    /// `poster`), each once.
    pub assets: BTreeSet<AssetId>,
    /// Images shown: Markdown's, raw `<img>` and `<svg>`.
    pub images: usize,
    /// Of those, the ones nothing describes ([`folio_core::AltText::Missing`]).
    pub images_without_alt: usize,
    /// Inline SVG (raw `<svg>`).
    pub svg: bool,
    /// MathML (formulas, raw `<math>`).
    pub mathml: bool,
    /// An element that loads a file from the web (`<video src="https://…">`).
    pub remote: bool,
}

impl Contents {
    /// Counts an image shown, described or not.
    fn image(&mut self, missing_alt: bool) {
        self.images += 1;
        self.images_without_alt += usize::from(missing_alt);
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An asset the resolver found can no longer be read (it changed since).
    #[error("`{path}` {refused}")]
    ReadAsset {
        path: String,
        refused: folio_core::files::Refused,
    },
}

/// A chapter's content — its blocks followed by its notes — as a fragment:
/// HTML5 for [`Target::Site`] and [`Target::SinglePage`], well-formed XHTML for
/// [`Target::Epub`]. Headings carry ids, and self-links except in the EPUB.
pub fn chapter_fragment(book: &Book, chapter: ChapterId, target: Target) -> Fragment {
    chapter::render(
        book,
        chapter,
        target.into(),
        chapter::ImageLoading::EagerFirst,
    )
}

/// The blocks of every chapter, shaped as the CommonMark and GFM specs print
/// them (no heading ids or self-links, figures as paragraphs, no highlighting):
/// what the conformance test compares with the spec examples.
pub fn fragment_html(book: &Book) -> String {
    book.chapter_ids()
        .map(|(id, _)| {
            chapter::render(
                book,
                id,
                chapter::Flavor::Spec,
                chapter::ImageLoading::EagerFirst,
            )
            .html
        })
        .collect()
}

/// Highlights every code block of `book` on every core, ahead of the
/// editions that print them: highlighting is kept for the process (see
/// `highlight.rs`), so the site and the EPUB, rendered at once afterwards,
/// find every block done — rendered at once without this, both would
/// highlight the same blocks at the same time, in the same order.
pub fn highlight_code(book: &Book) {
    use rayon::prelude::*;
    book.chapters.par_iter().for_each(|chapter| {
        let notes = chapter.footnotes.iter().map(|note| &note.blocks[..]);
        for blocks in std::iter::once(&chapter.blocks[..]).chain(notes) {
            folio_core::visit_each_block(blocks, &mut |block| {
                if let folio_core::Block::CodeBlock {
                    language: Some(language),
                    code,
                    ..
                } = block
                {
                    highlight::highlight(code, language);
                }
            });
        }
    });
}

/// The whole HTML edition: one page per chapter, `print.html`, the theme CSS,
/// the extra stylesheets and every asset the book links to.
pub fn render(book: &Book, ctx: &RenderContext) -> Result<Output, Error> {
    site::render(book, ctx, None, &Unchanged::nothing())
}

/// [`render`] for a rebuild: the chapters `unchanged` names are taken from
/// `memo` (what the previous call rendered), the others rendered again, and
/// `memo` then holds this build's chapters. Byte for byte what [`render`]
/// gives.
pub fn render_reusing(
    book: &Book,
    ctx: &RenderContext,
    memo: &mut SiteMemo,
    unchanged: &Unchanged,
) -> Result<Output, Error> {
    site::render(book, ctx, Some(memo), unchanged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_block_is_highlighted_ahead_wherever_it_stands() {
        // Code in a list, a quote, an alert, a definition and a note: each
        // found by the walk (their text is this test's own, so no other
        // test has put it in the process's memo).
        let book = folio_core::parse_str(
            "- item\n\n  ```rust\n  let in_a_list = 1;\n  ```\n\n\
             > ```rust\n> let in_a_quote = 2;\n> ```\n\n\
             > [!NOTE]\n> ```rust\n> let in_an_alert = 3;\n> ```\n\n\
             Terme\n: ```rust\n  let in_a_definition = 4;\n  ```\n\n\
             Texte.[^n]\n\n[^n]: Note.\n\n    ```rust\n    let in_a_note = 5;\n    ```\n",
        );
        let codes = [
            "let in_a_list = 1;\n",
            "let in_a_quote = 2;\n",
            "let in_an_alert = 3;\n",
            "let in_a_definition = 4;\n",
            "let in_a_note = 5;\n",
        ];
        highlight_code(&book);
        for code in codes {
            assert!(
                highlight::is_memoised(code, "rust"),
                "{code:?} not highlighted ahead"
            );
        }
    }
}
