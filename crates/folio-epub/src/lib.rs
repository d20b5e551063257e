//! folio-epub: the e-reader edition, one EPUB 3 file.
//!
//! The package is version 3.0 written to the EPUB 3.3 rules, so that
//! EPUBCheck 5.3 (`--failonwarnings`) and Ace by DAISY have nothing to report:
//! one XHTML content document per chapter (the HTML edition's chapter
//! renderer, `folio_html::chapter_fragment` with `Target::Epub`), a navigation
//! document with the whole SUMMARY tree and landmarks, an NCX for older
//! readers, a cover page when the book has a cover, a stylesheet for
//! e-readers, and the accessibility metadata that the content earns.
//!
//! # Why our own packager instead of epub-builder
//!
//! An EPUB is a ZIP file with three rules (`mimetype` first, stored, no extra
//! field) and three XML documents (container, package, navigation). We write
//! them ourselves on the `zip` crate rather than through epub-builder 0.8.3,
//! because that crate:
//! - writes `id="epub-creator-0"` twice in the package document when there
//!   are several authors, which EPUBCheck rejects;
//! - stamps every entry with the current time, so two builds of the same book
//!   differ, whatever `SOURCE_DATE_EPOCH` says;
//! - cannot express everything the accessibility metadata and the landmarks
//!   need (refined creators, `schema:` properties, conditional `conformsTo`).
//!
//! Working around those would have cost as much code as the packager itself
//! (`ocf.rs`, ~70 lines), which also gives us deterministic output: entries in
//! a fixed order (mimetype, container, package, navigation, NCX, stylesheet,
//! images, cover page, chapters), each stamped with the build time
//! (`ctx.timestamp`, so `SOURCE_DATE_EPOCH`), text deflated, images stored as
//! they are (they are compressed already).

mod chapter;
mod content;
mod labels;
mod layout;
mod metadata;
mod nav;
mod ocf;
mod opf;
mod xml;

#[cfg(test)]
mod test_book;

use folio_core::{Book, Output, OutputFile, RenderContext, Unchanged};

pub use crate::content::EpubMemo;

use crate::content::Documents;
use crate::layout::Layout;
use crate::metadata::Facts;

/// Why no EPUB could be written. Problems of the book itself are reported as
/// diagnostics instead; these are failures of the machine or of folio.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An asset the resolver found can no longer be read (it changed since).
    #[error("`{path}` {refused}")]
    Asset {
        path: String,
        refused: folio_core::files::Refused,
    },
    #[error("cannot write the EPUB archive: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("cannot write the EPUB archive: {0}")]
    Io(#[from] std::io::Error),
    #[error("the build time {0} (seconds since 1970) is not a representable date")]
    Timestamp(i64),
}

/// The EPUB edition of `book`: one file, `<name>.epub`.
pub fn render(book: &Book, ctx: &RenderContext) -> Result<Output, Error> {
    package(book, ctx, None, &Unchanged::nothing())
}

/// [`render`] for a rebuild: the chapters `unchanged` names are taken from
/// `memo` (what the previous call wrote), the others written again, and
/// `memo` then holds this build's chapters. Byte for byte what [`render`]
/// gives.
pub fn render_reusing(
    book: &Book,
    ctx: &RenderContext,
    memo: &mut EpubMemo,
    unchanged: &Unchanged,
) -> Result<Output, Error> {
    package(book, ctx, Some(memo), unchanged)
}

fn package(
    book: &Book,
    ctx: &RenderContext,
    memo: Option<&mut EpubMemo>,
    unchanged: &Unchanged,
) -> Result<Output, Error> {
    let layout = Layout::new(book);
    // The tables of contents need no chapter's document: they are written
    // while the chapters are (alone, they kept one core busy and the other
    // idle for ~16 ms at the end of a 1,000-chapter book).
    let identifier = metadata::identifier(book);
    let entry = |path: &str, bytes: &[u8]| ocf::Entry::new(&layout.archive_path(path), bytes);
    let (documents, contents) = rayon::join(
        || Documents::render(book, &layout, memo, unchanged),
        || -> Result<_, Error> {
            let toc = nav::tree(book, &layout);
            let navigation = nav::navigation_document(book, &layout, &toc);
            let ncx = nav::ncx(book, &layout, &toc, &identifier);
            Ok([
                entry(&layout.nav, navigation.as_bytes())?,
                entry(&layout.ncx, ncx.as_bytes())?,
            ])
        },
    );
    let documents = documents?;
    let facts = Facts::gather(book, &documents, ctx, identifier)?;

    let mut entries = Vec::with_capacity(documents.chapters.len() + documents.assets.len() + 5);
    let package_document = opf::package_document(book, &layout, &documents, &facts);
    entries.push(entry(&layout.opf, package_document.as_bytes())?);
    entries.extend(contents?);
    entries.push(entry(&layout.css, content::STYLESHEET.as_bytes())?);
    for &asset in &documents.assets {
        let bytes = book.read_asset(asset).map_err(|refused| Error::Asset {
            path: book.assets[asset].path.clone(),
            refused,
        })?;
        entries.push(entry(layout.asset(book, asset), &bytes)?);
    }
    let Documents {
        chapters,
        cover,
        diagnostics,
        ..
    } = documents;
    entries.extend(cover.into_iter().chain(chapters).map(|d| d.entry));

    let bytes = ocf::package(&layout.archive_path(&layout.opf), entries, ctx.timestamp)?;
    Ok(Output {
        files: vec![OutputFile {
            path: format!("{}.epub", book.output_name()),
            bytes,
        }],
        diagnostics,
    })
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Read};

    use super::*;

    fn read(archive: &mut zip::ZipArchive<Cursor<Vec<u8>>>, name: &str) -> String {
        let mut text = String::new();
        archive
            .by_name(name)
            .expect(name)
            .read_to_string(&mut text)
            .expect("utf-8");
        text
    }

    #[test]
    fn the_package_holds_what_the_documents_use_in_reading_order() {
        let on_disk = test_book::book_on_disk();
        let output = render(
            &on_disk.0,
            &RenderContext {
                timestamp: 1_700_000_000,
            },
        )
        .expect("rendered");
        assert_eq!(output.files.len(), 1);
        assert_eq!(output.files[0].path, "le-livre-ses-notes.epub");

        let mut archive =
            zip::ZipArchive::new(Cursor::new(output.files[0].bytes.clone())).expect("a zip");
        let opf = read(&mut archive, "EPUB/package.opf");
        let package = roxmltree::Document::parse(&opf).expect("well-formed");
        let items: Vec<(&str, &str, Option<&str>)> = package
            .descendants()
            .filter(|n| n.has_tag_name("item"))
            .map(|n| {
                (
                    n.attribute("id").unwrap_or_default(),
                    n.attribute("href").unwrap_or_default(),
                    n.attribute("properties"),
                )
            })
            .collect();
        let hrefs: Vec<&str> = items.iter().map(|(_, href, _)| *href).collect();
        assert_eq!(
            hrefs,
            [
                "nav.xhtml",
                "toc.ncx",
                "style.css",
                "cover.xhtml",
                "index.xhtml",
                "1-part/a.xhtml",
                "1-part/b.xhtml",
                "references.xhtml",
                "images/fig.png",
                "cover.png"
            ]
        );
        assert!(items.contains(&("asset-2", "cover.png", Some("cover-image"))));
        for href in hrefs {
            assert!(
                archive.by_name(&format!("EPUB/{href}")).is_ok(),
                "{href} is packaged"
            );
        }
        assert_eq!(
            archive.len(),
            items.len() + 3,
            "mimetype, container, package and the manifest: nothing else"
        );

        let spine: Vec<&str> = package
            .descendants()
            .filter(|n| n.has_tag_name("itemref"))
            .filter_map(|n| n.attribute("idref"))
            .collect();
        assert_eq!(
            spine,
            [
                "cover-page",
                "nav",
                "chapter-1",
                "chapter-2",
                "chapter-3",
                "chapter-4"
            ]
        );
        assert!(opf.contains("<dc:creator id=\"creator-2\">Alan Turing</dc:creator>"));
        assert!(opf.contains("<meta property=\"dcterms:modified\">2023-11-14T22:13:20Z</meta>"));
        assert!(opf.contains("<dc:title id=\"title\">Le livre &amp; ses notes</dc:title>"));
        assert!(opf.contains("<dc:date>2024-03-09</dc:date>"));
        assert!(opf.contains(metadata::CONFORMANCE));

        let nav = read(&mut archive, "EPUB/nav.xhtml");
        assert!(
            nav.contains(r#"<a epub:type="bodymatter" href="1-part/a.xhtml">"#),
            "{nav}"
        );
        assert!(
            nav.contains(r#"<a epub:type="bibliography" href="references.xhtml">"#),
            "{nav}"
        );
        let chapter = read(&mut archive, "EPUB/1-part/a.xhtml");
        assert!(
            chapter.contains(r#"<link rel="stylesheet" type="text/css" href="../style.css"/>"#),
            "{chapter}"
        );
        assert!(
            chapter.contains(
                r#"<section epub:type="chapter" role="doc-chapter" aria-labelledby="chapitre-a">"#
            ),
            "{chapter}"
        );
    }

    #[test]
    fn the_date_is_written_in_w3c_form() {
        let mut on_disk = test_book::book_on_disk();
        on_disk.0.metadata.date = "2024-03-09T10:00:00Z".parse().ok();
        let output = render(&on_disk.0, &RenderContext { timestamp: 0 }).expect("rendered");
        let mut archive =
            zip::ZipArchive::new(Cursor::new(output.files[0].bytes.clone())).expect("a zip");
        assert!(read(&mut archive, "EPUB/package.opf").contains("<dc:date>2024-03-09</dc:date>"));
    }

    #[test]
    fn same_book_same_timestamp_same_bytes() {
        let on_disk = test_book::book_on_disk();
        let book = &on_disk.0;
        let ctx = RenderContext {
            timestamp: 1_700_000_000,
        };
        let first = render(book, &ctx).expect("rendered");
        let second = render(book, &ctx).expect("rendered");
        assert_eq!(first.files, second.files);
        let later = render(
            book,
            &RenderContext {
                timestamp: 1_800_000_000,
            },
        )
        .expect("rendered");
        assert_ne!(first.files, later.files);
    }
}
