//! Where every file goes in the package.
//!
//! Chapters and assets keep the paths the resolver gave them
//! (`Chapter::path`, `Asset::href`), so the relative `src` and `href` the
//! chapter renderer writes stay right; the files folio adds (package,
//! navigation, NCX, stylesheet, cover page) take names that no chapter or
//! asset of the book uses.

use std::collections::HashSet;

use folio_core::paths::unique_file;
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
        let chapters: Vec<String> = (0..book.chapters.len()).map(|id| chapter::href(book, id)).collect();
        // Reading systems and EPUBCheck treat names that differ only in case as one.
        let mut taken: HashSet<String> = chapters.iter().chain(book.assets.iter().map(|a| &a.href)).map(|p| p.to_lowercase()).collect();
        let mut name = |stem: &str, extension: &str| free_name(&mut taken, stem, extension);
        Layout {
            opf: name("package", "opf"),
            nav: name("nav", "xhtml"),
            ncx: name("toc", "ncx"),
            css: name("style", "css"),
            cover: book.metadata.cover.filter(|&asset| asset < book.assets.len()).map(|_| name("cover", "xhtml")),
            chapters,
        }
    }

    /// The content document of a chapter, relative to the package root.
    pub(crate) fn chapter(&self, chapter: ChapterId) -> &str {
        &self.chapters[chapter]
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

/// `stem.extension`, or `stem-2.extension`… when the book has that file.
fn free_name(taken: &mut HashSet<String>, stem: &str, extension: &str) -> String {
    let name = unique_file(&format!("{stem}.{extension}"), |candidate| taken.contains(&candidate.to_lowercase()));
    taken.insert(name.to_lowercase());
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_names_avoid_the_books_files() {
        let mut taken: HashSet<String> = ["nav.xhtml", "nav-2.xhtml", "style.css"].map(String::from).into();
        assert_eq!(free_name(&mut taken, "nav", "xhtml"), "nav-3.xhtml");
        assert_eq!(free_name(&mut taken, "Style", "css"), "Style-2.css");
        assert_eq!(free_name(&mut taken, "toc", "ncx"), "toc.ncx");
        assert_eq!(free_name(&mut taken, "toc", "ncx"), "toc-2.ncx");
    }
}
