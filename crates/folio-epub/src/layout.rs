//! Where every file goes in the package.
//!
//! Chapters and assets keep the paths the resolver gave them
//! (`Chapter::path`, `Asset::href`), so the relative `src` and `href` the
//! chapter renderer writes stay right; the files folio adds (package,
//! navigation, NCX, stylesheet, cover page) take names that no chapter or
//! asset of the book uses.

use folio_core::names::UniqueNames;
use folio_core::{AssetId, Book, ChapterId};

use crate::chapter;

/// The folder of the archive that holds the package.
const ROOT: &str = "EPUB";

pub(crate) struct Layout {
    /// The package document, and the files folio adds, relative to the
    /// package root (the package document's folder).
    pub opf: String,
    pub nav: String,
    pub ncx: String,
    pub css: String,
    /// The cover page, when the book has a cover image.
    pub cover: Option<String>,
    chapters: Vec<String>,
}

impl Layout {
    pub(crate) fn new(book: &Book) -> Self {
        let chapters: Vec<String> = book
            .chapter_ids()
            .map(|(id, _)| chapter::href(book, id))
            .collect();
        // Reading systems and EPUBCheck treat names that differ only in case as one.
        let mut taken = UniqueNames::ignoring_case();
        for path in chapters.iter().chain(book.assets.iter().map(|a| &a.href)) {
            taken.take(path);
        }
        let mut name =
            |stem: &str, extension: &str| taken.unique_file(&format!("{stem}.{extension}"));
        Layout {
            opf: name("package", "opf"),
            nav: name("nav", "xhtml"),
            ncx: name("toc", "ncx"),
            css: name("style", "css"),
            cover: book.metadata.cover.map(|_| name("cover", "xhtml")),
            chapters,
        }
    }

    /// The content document of a chapter, relative to the package root.
    pub(crate) fn chapter(&self, chapter: ChapterId) -> &str {
        &self.chapters[chapter.index()]
    }

    /// The file of an asset, relative to the package root: where every edition puts it.
    pub(crate) fn asset<'b>(&self, book: &'b Book, asset: AssetId) -> &'b str {
        &book.assets[asset].href
    }

    /// The archive path of a file relative to the package root.
    pub(crate) fn archive_path(&self, path: &str) -> String {
        format!("{ROOT}/{path}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_names_avoid_the_books_files() {
        let mut book = folio_core::parse_str("# Nav\n");
        book.chapters[0].path = "nav".into();
        book.assets.push(folio_core::Asset {
            path: "Style.css".into(),
            href: "Style.css".into(),
            url: None,
            media_type: "text/css".into(),
            size: None,
        });
        let layout = Layout::new(&book);
        assert_eq!(
            (
                layout.nav.as_str(),
                layout.css.as_str(),
                layout.ncx.as_str()
            ),
            ("nav-2.xhtml", "style-2.css", "toc.ncx")
        );
    }
}
