//! Content documents: each chapter's XHTML (from the chapter renderer) in its
//! document frame, the cover page, and what they reference.
//!
//! What each document holds that the package must declare — the book's files
//! it embeds, inline SVG or MathML, remote resources, images and their text
//! alternatives — is what the chapter renderer reports having written
//! ([`folio_html::Contents`]): nothing is parsed back.

use std::collections::BTreeSet;
use std::sync::Arc;

use rayon::prelude::*;

use folio_core::{AssetId, Block, Book, ChapterId, ChapterKind, Diagnostic, Span, Unchanged};
use folio_html::Contents;

use crate::chapter;
use crate::labels::labels;
use crate::layout::Layout;
use crate::ocf::Entry;

use crate::xml::{Page, escape, href};

/// The stylesheet for e-readers.
pub(crate) const STYLESHEET: &str = include_str!("style.css");

pub(crate) struct Document {
    /// Relative to the package root.
    pub path: String,
    /// Its XHTML, as the archive holds it.
    pub entry: Entry,
    /// Manifest properties: `mathml`, `remote-resources`, `svg`.
    pub properties: Vec<&'static str>,
}

/// How many images the documents show, and how many lack a text alternative.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Images {
    pub total: usize,
    pub without_alt: usize,
}

pub(crate) struct Documents {
    /// One per chapter, in reading order.
    pub chapters: Vec<Document>,
    pub cover: Option<Document>,
    /// The assets the documents embed, to be packaged.
    pub assets: BTreeSet<AssetId>,
    pub images: Images,
    pub diagnostics: Vec<Diagnostic>,
}

/// What the EPUB rendered for each chapter, kept between builds by a
/// caller that rebuilds the same book after edits (see `folio::Session`):
/// a chapter the model says is unchanged is taken from here.
#[derive(Debug, Default)]
pub struct EpubMemo {
    chapters: Vec<Arc<Written>>,
}

/// One chapter as written: its content document and what it holds.
#[derive(Debug, Clone)]
struct Written {
    path: String,
    entry: Entry,
    contents: Contents,
    diagnostics: Vec<Diagnostic>,
}

impl Written {
    fn render(book: &Book, layout: &Layout, id: ChapterId) -> Result<Written, crate::Error> {
        let fragment = chapter::fragment(book, id);
        let (path, xhtml) = chapter_document(book, layout, id, &fragment.html);
        Ok(Written {
            entry: Entry::new(&layout.archive_path(&path), xhtml.as_bytes())?,
            path,
            contents: fragment.contents,
            diagnostics: fragment.diagnostics,
        })
    }
}

impl Documents {
    pub(crate) fn render(
        book: &Book,
        layout: &Layout,
        memo: Option<&mut EpubMemo>,
        unchanged: &Unchanged,
    ) -> Result<Self, crate::Error> {
        let mut documents = Documents {
            chapters: Vec::with_capacity(book.chapters.len()),
            cover: None,
            assets: BTreeSet::new(),
            images: Images::default(),
            diagnostics: Vec::new(),
        };
        let earlier = memo.as_deref().map_or(&[][..], |m| &m.chapters[..]);
        // Chapters are written and deflated on every core, then recorded in
        // reading order.
        let written: Vec<Arc<Written>> = (0..book.chapters.len())
            .into_par_iter()
            .map(ChapterId::new)
            .map(|id| {
                unchanged.try_reuse_or(earlier, id, || {
                    Written::render(book, layout, id).map(Arc::new)
                })
            })
            .collect::<Result<_, _>>()?;
        if let Some(memo) = memo {
            memo.chapters = written.clone();
        }
        for (id, chapter) in written.into_iter().enumerate() {
            // Copied only when a memo keeps it too.
            let chapter = Arc::unwrap_or_clone(chapter);
            documents.diagnostics.extend(chapter.diagnostics);
            let span = book.chapters[id].span;
            let document =
                documents.record(book, chapter.path, chapter.entry, &chapter.contents, span);
            documents.chapters.push(document);
        }
        if let (Some(asset), Some(path)) = (book.metadata.cover, &layout.cover) {
            let span = book.chapters.first().map(|c| c.span).unwrap_or_default();
            let (path, xhtml) = cover_document(book, layout, path, asset);
            let entry = Entry::new(&layout.archive_path(&path), xhtml.as_bytes())?;
            let mut contents = Contents {
                images: 1,
                ..Contents::default()
            };
            contents.assets.insert(asset);
            documents.cover = Some(documents.record(book, path, entry, &contents, span));
        }
        Ok(documents)
    }

    /// Records what a document holds: its images, the assets to package (an
    /// asset an EPUB cannot hold is reported instead), its manifest properties.
    fn record(
        &mut self,
        book: &Book,
        path: String,
        entry: Entry,
        contents: &Contents,
        span: Span,
    ) -> Document {
        self.images.total += contents.images;
        self.images.without_alt += contents.images_without_alt;
        for &asset in &contents.assets {
            let media_type = &book.assets[asset].media_type;
            if is_core_media(media_type) {
                self.assets.insert(asset);
            } else {
                self.diagnostics.push(
                    Diagnostic::warning(
                        format!(
                            "{path} refers to {} ({media_type}), which an EPUB cannot hold",
                            book.assets[asset].href
                        ),
                        span,
                    )
                    .with_hint("link to it on the web edition instead (`site-url` in folio.toml)"),
                );
            }
        }
        let properties = [
            (contents.mathml, "mathml"),
            (contents.remote, "remote-resources"),
            (contents.svg, "svg"),
        ]
        .into_iter()
        .filter_map(|(has, property)| has.then_some(property))
        .collect();
        Document {
            path,
            entry,
            properties,
        }
    }
}

/// A chapter's content document: `(path, xhtml)`.
fn chapter_document(
    book: &Book,
    layout: &Layout,
    id: ChapterId,
    fragment: &str,
) -> (String, String) {
    let chapter = &book.chapters[id];
    let path = layout.chapter(id).to_string();
    let matter = match chapter.kind {
        ChapterKind::Front => "frontmatter",
        ChapterKind::Body => "bodymatter",
        ChapterKind::Back => "backmatter",
    };
    // The section is named by the heading that titles it: the chapter's own,
    // or the one the fragment writes with the chapter's id.
    let title_id = match chapter.title_heading.map(|i| &chapter.blocks[i]) {
        Some(Block::Heading { id, .. }) => id,
        _ => &chapter.id,
    };
    let label = format!(" aria-labelledby=\"{}\"", escape(title_id));
    let mut body = String::with_capacity(fragment.len() + 128);
    body.push_str(&format!(
        "<section epub:type=\"chapter\" role=\"doc-chapter\"{label}>\n"
    ));
    body.push_str(fragment);
    body.push_str("\n</section>");
    let page = Page {
        path: &path,
        lang: &book.metadata.language,
        title: &chapter.title,
        css: &layout.css,
        body_attributes: &format!(" epub:type=\"{matter}\""),
    };
    let xhtml = page.write(&body);
    (path, xhtml)
}

/// The cover page: the cover image alone, as large as the screen allows.
fn cover_document(book: &Book, layout: &Layout, path: &str, asset: AssetId) -> (String, String) {
    let words = labels(&book.metadata.language);
    let alt = match book.metadata.authors.as_slice() {
        [] => book.metadata.title.clone(),
        authors => format!("{} — {}", book.metadata.title, authors.join(", ")),
    };
    let body = format!(
        "<div class=\"folio-cover\"><img src=\"{}\" alt=\"{}\" epub:type=\"cover\" role=\"doc-cover\"/></div>",
        escape(href(path, layout.asset(book, asset))),
        escape(&alt)
    );
    let page = Page {
        path,
        lang: &book.metadata.language,
        title: words.cover,
        css: &layout.css,
        body_attributes: "",
    };
    (path.to_string(), page.write(&body))
}

/// EPUB 3.3 core media types that a content document may reference without
/// a fallback (images, audio, fonts, stylesheets).
pub(crate) fn is_core_media(media_type: &str) -> bool {
    matches!(
        media_type,
        "image/gif"
            | "image/jpeg"
            | "image/png"
            | "image/svg+xml"
            | "image/webp"
            | "audio/mpeg"
            | "audio/mp4"
            | "audio/ogg"
            | "text/css"
            | "font/ttf"
            | "font/otf"
            | "font/woff"
            | "font/woff2"
            | "application/font-sfnt"
            | "application/vnd.ms-opentype"
            | "application/font-woff"
    )
}

#[cfg(test)]
mod tests {

    use super::*;
    use folio_core::reader::FrontMatter;
    use folio_core::{LinkTarget, visit_each_html_element};

    /// The test book with `raw` read into chapter 0, each place of its raw
    /// HTML given the target `target_of` says (as the resolver would).
    fn book_with(raw: &str, target_of: impl Fn(&str) -> LinkTarget) -> Book {
        let mut book = crate::test_book::book();
        let read = folio_core::reader::read(raw, Default::default(), FrontMatter::None);
        book.chapters[0].blocks.extend(read.blocks);
        visit_each_html_element(&mut book.chapters[0], &mut |element| {
            for (url, target) in element.places() {
                *target = target_of(url);
            }
        });
        book
    }

    #[test]
    fn what_the_writer_wrote_is_what_the_package_declares() {
        let book = book_with(
            r#"<p><img src="fig.png" alt=""/> <img src="fig.png"/></p>
<svg viewBox="0 0 1 1"><title>Un carré</title><rect width="1" height="1"/></svg>
<video src="https://example.org/v.webm" controls></video>
<p><a href="https://example.org/x.png">x</a></p>
"#,
            |url| match url {
                "fig.png" => LinkTarget::Asset { asset: AssetId(0) },
                url => LinkTarget::External { url: url.into() },
            },
        );
        let documents = Documents::render(&book, &Layout::new(&book), None, &Unchanged::nothing())
            .expect("rendered");
        // A remote video loads from the web; a link to a remote file does not.
        assert_eq!(
            documents.chapters[0].properties,
            ["remote-resources", "svg"]
        );
        assert!(documents.chapters[1].properties.is_empty());
        let packaged: Vec<&str> = documents
            .assets
            .iter()
            .map(|&a| book.assets[a].path.as_str())
            .collect();
        assert_eq!(packaged, ["images/fig.png", "cover.png"]);
        // Chapter A's figure, the decorative and the undescribed `<img>`,
        // the titled `<svg>`, the cover.
        assert_eq!(
            documents.images,
            Images {
                total: 5,
                without_alt: 1
            }
        );
    }

    #[test]
    fn what_the_package_cannot_hold_is_reported_not_packaged() {
        let book = book_with(r#"<p><img src="assets/doc.pdf" alt="y"/></p>"#, |_| {
            LinkTarget::Asset { asset: AssetId(2) }
        });
        let documents = Documents::render(&book, &Layout::new(&book), None, &Unchanged::nothing())
            .expect("rendered");
        let messages: Vec<&str> = documents
            .diagnostics
            .iter()
            .map(|d| d.message.as_str())
            .collect();
        assert!(
            messages
                .iter()
                .any(|m| m.contains("assets/doc.pdf (application/pdf), which an EPUB cannot hold")),
            "{messages:?}"
        );
        assert!(!documents.assets.contains(&AssetId(2)));
    }
}
