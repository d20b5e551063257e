//! Content documents: each chapter's XHTML (from the chapter renderer) in its
//! document frame, the cover page, and what they reference.
//!
//! Every document is parsed back once written. That proves it well-formed
//! (an EPUB with one malformed document is rejected whole), and it tells
//! exactly which files the package must hold and which manifest properties
//! each document needs — whatever the renderer or raw HTML put there.

use std::collections::{BTreeSet, HashMap};

use rayon::prelude::*;

use folio_core::{AssetId, Block, Book, ChapterId, ChapterKind, Diagnostic};

use crate::Error;
use crate::chapter;
use crate::labels::labels;
use crate::layout::Layout;
use folio_core::paths::has_scheme;

use crate::xml::{Page, escape, href, resolve};

/// The stylesheet for e-readers.
pub(crate) const STYLESHEET: &str = include_str!("style.css");

const SVG_NS: &str = "http://www.w3.org/2000/svg";
const MATHML_NS: &str = "http://www.w3.org/1998/Math/MathML";
const XLINK_NS: &str = "http://www.w3.org/1999/xlink";

pub(crate) struct Document {
    /// Relative to the package root.
    pub path: String,
    pub xhtml: String,
    /// Manifest properties: `svg`, `mathml`, `remote-resources`, `scripted`.
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
    /// The assets the documents reference, to be packaged.
    pub assets: BTreeSet<AssetId>,
    pub images: Images,
    pub diagnostics: Vec<Diagnostic>,
}

impl Documents {
    pub(crate) fn render(book: &Book, layout: &Layout) -> Result<Self, Error> {
        let mut documents = Documents {
            chapters: Vec::with_capacity(book.chapters.len()),
            cover: None,
            assets: BTreeSet::new(),
            images: Images::default(),
            diagnostics: Vec::new(),
        };
        let mut files = Files::new(book, layout);
        // Chapters are written and parsed back on every core, then recorded
        // in reading order.
        let written: Vec<_> = (0..book.chapters.len())
            .into_par_iter()
            .map(ChapterId::new)
            .map(|id| {
                let fragment = chapter::fragment(book, id);
                let (path, xhtml) = chapter_document(book, layout, id, &fragment.html);
                Scan::of(&path, &xhtml).map(|scan| (fragment.diagnostics, path, xhtml, scan))
            })
            .collect();
        for (id, written) in written.into_iter().enumerate() {
            let (diagnostics, path, xhtml, scan) = written?;
            documents.diagnostics.extend(diagnostics);
            let document = documents.record(path, xhtml, scan, &mut files, book.chapters[id].span);
            documents.chapters.push(document);
        }
        if let (Some(asset), Some(path)) = (book.metadata.cover, &layout.cover) {
            let span = book.chapters.first().map(|c| c.span).unwrap_or_default();
            documents.cover =
                Some(documents.add(cover_document(book, layout, path, asset), &mut files, span)?);
        }
        Ok(documents)
    }

    /// Scans a written document: its images, its manifest properties, and the
    /// files it needs packaged; reports what it references that cannot be.
    fn add(
        &mut self,
        (path, xhtml): (String, String),
        files: &mut Files,
        span: folio_core::Span,
    ) -> Result<Document, Error> {
        let scan = Scan::of(&path, &xhtml)?;
        Ok(self.record(path, xhtml, scan, files, span))
    }

    /// Records what a document's `scan` found: see [`Documents::add`].
    fn record(
        &mut self,
        path: String,
        xhtml: String,
        scan: Scan,
        files: &mut Files,
        span: folio_core::Span,
    ) -> Document {
        self.images.total += scan.images.total;
        self.images.without_alt += scan.images.without_alt;
        for target in &scan.local {
            match files.classify(target) {
                File::Packaged => {}
                File::Asset(asset) => {
                    self.assets.insert(asset);
                }
                File::NotCoreMedia(media_type) => self.diagnostics.push(
                    Diagnostic::warning(format!("{path} refers to {target} ({media_type}), which an EPUB cannot hold"), span)
                        .with_hint("link to it on the web edition instead (`site-url` in folio.toml)"),
                ),
                File::Missing => self.diagnostics.push(Diagnostic::warning(
                    format!("{path} refers to {target}, which is not a file of the book: the EPUB will not be valid"),
                    span,
                )),
            }
        }
        Document {
            path,
            xhtml,
            properties: scan.properties(),
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

/// What a document contains that the package must know about.
#[derive(Default)]
struct Scan {
    /// Files it references, relative to the package root.
    local: BTreeSet<String>,
    images: Images,
    svg: bool,
    mathml: bool,
    remote: bool,
    scripted: bool,
}

impl Scan {
    fn of(path: &str, xhtml: &str) -> Result<Scan, Error> {
        let options = roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        };
        let document = roxmltree::Document::parse_with_options(xhtml, options).map_err(|e| {
            Error::MalformedXhtml {
                document: path.to_string(),
                message: e.to_string(),
            }
        })?;
        let mut scan = Scan::default();
        for element in document.descendants().filter(|n| n.is_element()) {
            let name = element.tag_name();
            match (name.namespace(), name.name()) {
                (_, "img") => {
                    scan.images.total += 1;
                    if element
                        .attribute("alt")
                        .is_none_or(|alt| alt.trim().is_empty())
                    {
                        scan.images.without_alt += 1;
                    }
                }
                (Some(SVG_NS), "svg") => {
                    scan.svg = true;
                    scan.images.total += 1;
                    let labelled = element.has_attribute("aria-label")
                        || element.has_attribute("aria-labelledby")
                        || element
                            .children()
                            .any(|c| c.has_tag_name((SVG_NS, "title")));
                    if !labelled {
                        scan.images.without_alt += 1;
                    }
                }
                (Some(MATHML_NS), "math") => scan.mathml = true,
                (_, "script") => scan.scripted = true,
                _ => {}
            }
            let embeds = !matches!(name.name(), "a" | "area");
            let urls = ["src", "href", "poster", "data"]
                .into_iter()
                .filter_map(|attribute| element.attribute(attribute))
                .chain(element.attribute((XLINK_NS, "href")));
            for url in urls {
                if has_scheme(url) {
                    scan.remote |=
                        embeds && (url.starts_with("http:") || url.starts_with("https:"));
                } else if let Some(target) = resolve(path, url) {
                    scan.local.insert(target);
                }
            }
        }
        Ok(scan)
    }

    fn properties(&self) -> Vec<&'static str> {
        [
            (self.mathml, "mathml"),
            (self.remote, "remote-resources"),
            (self.scripted, "scripted"),
            (self.svg, "svg"),
        ]
        .into_iter()
        .filter_map(|(has, property)| has.then_some(property))
        .collect()
    }
}

/// What a referenced file is, for the package.
enum File {
    /// A document or stylesheet folio writes.
    Packaged,
    Asset(AssetId),
    NotCoreMedia(String),
    Missing,
}

struct Files<'a> {
    book: &'a Book,
    written: BTreeSet<&'a str>,
    assets: HashMap<&'a str, AssetId>,
}

impl<'a> Files<'a> {
    fn new(book: &'a Book, layout: &'a Layout) -> Self {
        let mut written: BTreeSet<&str> = book
            .chapter_ids()
            .map(|(id, _)| layout.chapter(id))
            .collect();
        written.extend([layout.nav.as_str(), layout.css.as_str()]);
        written.extend(layout.cover.as_deref());
        let assets = book
            .assets
            .iter()
            .enumerate()
            .map(|(id, asset)| (asset.href.as_str(), AssetId::new(id)))
            .collect();
        Files {
            book,
            written,
            assets,
        }
    }

    fn classify(&self, path: &str) -> File {
        if self.written.contains(path) {
            return File::Packaged;
        }
        match self.assets.get(path) {
            Some(&asset) if is_core_media(&self.book.assets[asset].media_type) => {
                File::Asset(asset)
            }
            Some(&asset) => File::NotCoreMedia(self.book.assets[asset].media_type.clone()),
            None => File::Missing,
        }
    }
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

    fn frame(body: &str) -> String {
        Page {
            path: "a/c.xhtml",
            lang: "fr",
            title: "t",
            css: "style.css",
            body_attributes: "",
        }
        .write(body)
    }

    #[test]
    fn scan_finds_local_files_images_and_properties() {
        let xhtml = frame(
            r##"<p><img src="../images/a%20b.png" alt="A"/><img src="x.png" alt=" "/>
            <a href="d.xhtml#x">d</a><a href="https://example.org/">e</a><a href="#fn-1">1</a></p>
            <svg xmlns="http://www.w3.org/2000/svg"><title>s</title></svg>"##,
        );
        let scan = Scan::of("a/c.xhtml", &xhtml).expect("well-formed");
        let local: Vec<&str> = scan.local.iter().map(String::as_str).collect();
        assert_eq!(
            local,
            ["a/d.xhtml", "a/x.png", "images/a b.png", "style.css"]
        );
        assert_eq!(
            scan.images,
            Images {
                total: 3,
                without_alt: 1
            }
        );
        assert_eq!(scan.properties(), ["svg"]);
    }

    #[test]
    fn remote_images_need_a_property_remote_links_do_not() {
        let linked = Scan::of(
            "c.xhtml",
            &frame(r#"<a href="https://example.org/x.png">x</a>"#),
        )
        .expect("xml");
        assert!(linked.properties().is_empty());
        let embedded = Scan::of(
            "c.xhtml",
            &frame(r#"<img src="https://example.org/x.png" alt="x"/>"#),
        )
        .expect("xml");
        assert_eq!(embedded.properties(), ["remote-resources"]);
    }

    #[test]
    fn malformed_documents_are_an_error_naming_them() {
        let error = Scan::of("c.xhtml", &frame("<p>&nbsp;</p>"))
            .err()
            .expect("not XML");
        assert!(
            error
                .to_string()
                .starts_with("c.xhtml is not well-formed XHTML"),
            "{error}"
        );
    }

    #[test]
    fn what_the_package_cannot_hold_is_reported_not_packaged() {
        let mut book = crate::test_book::book();
        let raw = r#"<p><img src="missing.png" alt="x"/> <img src="assets/doc.pdf" alt="y"/></p>"#;
        // As the reader leaves it: targets unresolved, written as they are.
        let read = folio_core::reader::read(raw, Default::default(), FrontMatter::None);
        book.chapters[0].blocks.extend(read.blocks);
        let documents = Documents::render(&book, &Layout::new(&book)).expect("rendered");
        let messages: Vec<&str> = documents
            .diagnostics
            .iter()
            .map(|d| d.message.as_str())
            .collect();
        assert!(
            messages
                .iter()
                .any(|m| m.contains("missing.png, which is not a file of the book")),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("assets/doc.pdf (application/pdf), which an EPUB cannot hold")),
            "{messages:?}"
        );
        let packaged: Vec<&str> = documents
            .assets
            .iter()
            .map(|&a| book.assets[a].path.as_str())
            .collect();
        assert_eq!(packaged, ["images/fig.png", "cover.png"]);
        assert_eq!(
            documents.images,
            Images {
                total: 4,
                without_alt: 0
            },
            "figure, two raw images, cover"
        );
    }
}
