//! The EPUB edition of every fixture and of book/, opened with zip and read
//! back with roxmltree: the container, the manifest against what the
//! documents reference, the spine and the navigation against SUMMARY, notes
//! and citations, cover and metadata; then EPUBCheck and Ace, and two builds
//! compared byte for byte.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Read};
use std::path::PathBuf;

use common::BOOKS;
use folio_core::{Book, RenderContext};
use roxmltree::{Document, Node, ParsingOptions};

const CTX: RenderContext = RenderContext {
    timestamp: 1_700_000_000,
};
const OPS: &str = "http://www.idpf.org/2007/ops";

/// An EPUB read back: its entries in archive order, and its package.
struct Epub {
    name: &'static str,
    book: Book,
    bytes: Vec<u8>,
    /// Entry names in archive order.
    order: Vec<String>,
    entries: BTreeMap<String, Vec<u8>>,
}

/// A manifest item.
#[derive(Debug, Clone)]
struct Item {
    id: String,
    /// Archive path (the package document lies in `EPUB/`), decoded.
    path: String,
    media_type: String,
    properties: Vec<String>,
}

fn build(name: &'static str) -> Epub {
    let book = common::open_book(name);
    let output = folio_epub::render(&book, &CTX).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(output.files.len(), 1, "{name}: one file");
    assert_eq!(output.files[0].path, format!("{}.epub", book.output_name()));
    let bytes = output.files[0].bytes.clone();
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes.clone())).expect("a zip");
    let order: Vec<String> = archive
        .file_names_raw()
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .collect();
    let mut entries = BTreeMap::new();
    for name in &order {
        let mut content = Vec::new();
        archive
            .by_name(name)
            .expect("entry")
            .read_to_end(&mut content)
            .expect("readable");
        entries.insert(name.clone(), content);
    }
    Epub {
        name,
        book,
        bytes,
        order,
        entries,
    }
}

fn xml(text: &str) -> Document<'_> {
    Document::parse_with_options(
        text,
        ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .expect("well-formed XML")
}

impl Epub {
    fn text(&self, path: &str) -> &str {
        let bytes = self
            .entries
            .get(path)
            .unwrap_or_else(|| panic!("{}: no {path}", self.name));
        std::str::from_utf8(bytes).expect("UTF-8")
    }

    fn opf_path(&self) -> String {
        let container = xml(self.text("META-INF/container.xml"));
        let rootfile = container
            .descendants()
            .find(|n| n.has_tag_name("rootfile"))
            .expect("rootfile");
        rootfile
            .attribute("full-path")
            .expect("full-path")
            .to_string()
    }

    fn manifest(&self) -> Vec<Item> {
        let opf_path = self.opf_path();
        let opf = xml(self.text(&opf_path));
        opf.descendants()
            .filter(|n| n.has_tag_name("item"))
            .map(|n| Item {
                id: n.attribute("id").unwrap_or_default().to_string(),
                path: resolve(&opf_path, n.attribute("href").unwrap_or_default())
                    .expect("a local href"),
                media_type: n.attribute("media-type").unwrap_or_default().to_string(),
                properties: n
                    .attribute("properties")
                    .unwrap_or_default()
                    .split_whitespace()
                    .map(String::from)
                    .collect(),
            })
            .collect()
    }

    /// Archive paths of the spine, in order.
    fn spine(&self) -> Vec<String> {
        let items: BTreeMap<String, String> = self
            .manifest()
            .into_iter()
            .map(|i| (i.id, i.path))
            .collect();
        let opf = self.text(&self.opf_path()).to_string();
        let opf = xml(&opf);
        opf.descendants()
            .filter(|n| n.has_tag_name("itemref"))
            .map(|n| {
                items
                    .get(n.attribute("idref").unwrap_or_default())
                    .cloned()
                    .expect("idref in the manifest")
            })
            .collect()
    }

    fn item_with(&self, property: &str) -> Option<Item> {
        self.manifest()
            .into_iter()
            .find(|i| i.properties.iter().any(|p| p == property))
    }

    /// Archive path of a chapter's content document.
    fn chapter_path(&self, chapter: folio_core::ChapterId) -> String {
        format!("EPUB/{}.xhtml", self.book.chapters[chapter].path)
    }

    fn documents(&self) -> Vec<Item> {
        self.manifest()
            .into_iter()
            .filter(|i| i.media_type == "application/xhtml+xml")
            .collect()
    }

    fn write(&self, test: &str) -> PathBuf {
        let dir = common::temp_out(&format!("epub-{test}-{}", self.name));
        let file = folio_core::OutputFile {
            path: format!("{}.epub", self.book.output_name()),
            bytes: self.bytes.clone(),
        };
        common::write_files(&dir, std::slice::from_ref(&file));
        dir.join(file.path)
    }
}

/// Where `url`, found in the file at archive path `from`, leads: an archive
/// path, decoded; `None` for a URL with a scheme or a same-document fragment.
fn resolve(from: &str, url: &str) -> Option<String> {
    let path = url.split('#').next().unwrap_or_default();
    if path.is_empty() || path.contains(':') {
        return None;
    }
    let decoded = percent_decode(path);
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for segment in decoded.split('/') {
        match segment {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn fragment(url: &str) -> Option<&str> {
    url.split_once('#').map(|(_, f)| f)
}

fn epub_type<'a>(node: Node<'a, '_>) -> Option<&'a str> {
    node.attribute((OPS, "type"))
}

fn by_id<'a, 'i>(doc: &'a Document<'i>, id: &str) -> Option<Node<'a, 'i>> {
    doc.descendants().find(|n| n.attribute("id") == Some(id))
}

#[test]
fn mimetype_comes_first_stored_without_extra_field() {
    for name in BOOKS {
        let epub = build(name);
        assert_eq!(epub.order[0], "mimetype", "{name}");
        let bytes = &epub.bytes;
        assert_eq!(
            u16::from_le_bytes([bytes[8], bytes[9]]),
            0,
            "{name}: stored"
        );
        assert_eq!(
            u16::from_le_bytes([bytes[28], bytes[29]]),
            0,
            "{name}: no extra field"
        );
        assert_eq!(&bytes[30..38], b"mimetype");
        assert_eq!(&bytes[38..58], b"application/epub+zip");
    }
}

#[test]
fn manifest_is_exactly_the_files_the_package_uses() {
    for name in BOOKS {
        let epub = build(name);
        let manifest = epub.manifest();
        let listed: BTreeSet<String> = manifest.iter().map(|i| i.path.clone()).collect();
        let opf = epub.opf_path();

        // Every file of the archive is listed, and every listed file is there.
        let archived: BTreeSet<String> = epub
            .entries
            .keys()
            .filter(|p| !matches!(p.as_str(), "mimetype" | "META-INF/container.xml") && **p != opf)
            .cloned()
            .collect();
        assert_eq!(archived, listed, "{name}: archive = manifest");

        // Every file a document references is listed.
        let mut referenced: BTreeSet<String> = epub.spine().into_iter().collect();
        for document in epub.documents() {
            let doc = xml(epub.text(&document.path));
            for node in doc.descendants().filter(|n| n.is_element()) {
                for url in ["src", "href"]
                    .into_iter()
                    .filter_map(|a| node.attribute(a))
                {
                    if let Some(target) = resolve(&document.path, url) {
                        assert!(
                            listed.contains(&target),
                            "{name}: {} refers to {target}, not in the manifest",
                            document.path
                        );
                        referenced.insert(target);
                    }
                }
            }
        }
        // …and nothing else is: only the NCX is referenced by the package alone.
        let ncx = manifest
            .iter()
            .find(|i| i.media_type == "application/x-dtbncx+xml")
            .expect("an NCX");
        referenced.insert(ncx.path.clone());
        assert_eq!(listed, referenced, "{name}: every listed file is used");
    }
}

#[test]
fn media_types_and_properties_match_the_files() {
    for name in BOOKS {
        let epub = build(name);
        for item in epub.manifest() {
            let extension = item
                .path
                .rsplit('.')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            let expected = match extension.as_str() {
                "xhtml" => "application/xhtml+xml",
                "css" => "text/css",
                "ncx" => "application/x-dtbncx+xml",
                "png" => "image/png",
                "jpg" | "jpeg" => "image/jpeg",
                "svg" => "image/svg+xml",
                "webp" => "image/webp",
                "gif" => "image/gif",
                other => panic!("{name}: unexpected file type {other} ({})", item.path),
            };
            assert_eq!(item.media_type, expected, "{name}: {}", item.path);
            if item.media_type == "application/xhtml+xml" {
                let has_svg = xml(epub.text(&item.path))
                    .descendants()
                    .any(|n| n.has_tag_name(("http://www.w3.org/2000/svg", "svg")));
                assert_eq!(
                    item.properties.iter().any(|p| p == "svg"),
                    has_svg,
                    "{name}: svg property of {}",
                    item.path
                );
            }
        }
        assert!(
            epub.item_with("nav").is_some(),
            "{name}: a navigation document"
        );
    }
}

#[test]
fn spine_follows_summary_after_cover_and_contents() {
    for name in BOOKS {
        let epub = build(name);
        let spine = epub.spine();
        let nav = epub.item_with("nav").expect("nav").path;
        let chapters: Vec<String> = epub
            .book
            .chapter_ids()
            .map(|(c, _)| epub.chapter_path(c))
            .collect();
        let mut expected = Vec::new();
        if epub.book.metadata.cover.is_some() {
            expected.push(spine[0].clone());
        }
        expected.push(nav);
        expected.extend(chapters);
        assert_eq!(spine, expected, "{name}");
    }
}

#[test]
fn navigation_is_the_summary_tree_with_parts() {
    for name in BOOKS {
        let epub = build(name);
        let nav_path = epub.item_with("nav").expect("nav").path;
        let text = epub.text(&nav_path).to_string();
        let doc = xml(&text);
        let toc = doc
            .descendants()
            .find(|n| epub_type(*n) == Some("toc"))
            .expect("a toc nav");
        let links: Vec<Node> = toc.descendants().filter(|n| n.has_tag_name("a")).collect();
        let target = |a: &Node| {
            resolve(&nav_path, a.attribute("href").unwrap_or_default()).unwrap_or_default()
        };

        // Chapters in reading order.
        let chapter_links: Vec<Node> = links
            .iter()
            .filter(|a| fragment(a.attribute("href").unwrap_or_default()).is_none())
            .copied()
            .collect();
        let order: Vec<String> = chapter_links.iter().map(target).collect();
        let chapters: Vec<String> = epub
            .book
            .chapter_ids()
            .map(|(c, _)| epub.chapter_path(c))
            .collect();
        assert_eq!(order, chapters, "{name}: chapters of the toc");

        // Each chapter sits under its parent chapter, else under its part, else at the top.
        for (id, chapter) in epub.book.chapters.iter().enumerate() {
            let li = chapter_links[id].parent().expect("li");
            let enclosing = li.ancestors().skip(1).find(|n| n.has_tag_name("li"));
            let heading = enclosing.and_then(|e| {
                e.children()
                    .find(|c| c.has_tag_name("a") || c.has_tag_name("span"))
            });
            match (chapter.parent, chapter.part) {
                (Some(parent), _) => {
                    let a = heading.expect("a parent entry");
                    assert_eq!(
                        target(&a),
                        epub.chapter_path(parent),
                        "{name}: {} under its parent",
                        chapter.path
                    );
                }
                (None, Some(part)) => {
                    let span = heading.expect("a part entry");
                    assert!(
                        span.has_tag_name("span"),
                        "{name}: {} under a part heading",
                        chapter.path
                    );
                    assert_eq!(span.text(), Some(epub.book.parts[part].title.as_str()));
                }
                (None, None) => assert!(enclosing.is_none(), "{name}: {} at the top", chapter.path),
            }
        }

        // Section links land on headings of their chapter.
        for a in links
            .iter()
            .filter(|a| fragment(a.attribute("href").unwrap_or_default()).is_some())
        {
            let id = fragment(a.attribute("href").unwrap_or_default()).unwrap_or_default();
            let page = epub.text(&target(a)).to_string();
            let page = xml(&page);
            let heading =
                by_id(&page, id).unwrap_or_else(|| panic!("{name}: no #{id} in {}", target(a)));
            assert!(
                matches!(heading.tag_name().name(), "h1" | "h2"),
                "{name}: #{id} is a heading"
            );
        }

        // Landmarks.
        let landmarks = doc
            .descendants()
            .find(|n| epub_type(*n) == Some("landmarks"))
            .expect("landmarks");
        let mark = |kind: &str| {
            landmarks
                .descendants()
                .find(|a| epub_type(*a) == Some(kind))
                .map(|a| target(&a))
        };
        assert!(mark("toc").is_some(), "{name}: toc landmark");
        if let Some((first, _)) = epub
            .book
            .chapter_ids()
            .find(|(_, c)| c.kind == folio_core::ChapterKind::Body)
        {
            assert_eq!(mark("bodymatter"), Some(epub.chapter_path(first)), "{name}");
        }
        assert_eq!(
            mark("bibliography"),
            epub.book.bibliography.chapter.map(|c| epub.chapter_path(c)),
            "{name}"
        );
        assert_eq!(
            mark("cover").is_some(),
            epub.book.metadata.cover.is_some(),
            "{name}"
        );
    }
}

#[test]
fn notes_pop_up_from_the_same_document_and_link_back() {
    let mut notes = 0;
    for name in BOOKS {
        let epub = build(name);
        for document in epub.documents() {
            let text = epub.text(&document.path).to_string();
            let doc = xml(&text);
            for noteref in doc
                .descendants()
                .filter(|n| epub_type(*n) == Some("noteref"))
            {
                assert_eq!(noteref.attribute("role"), Some("doc-noteref"));
                let href = noteref.attribute("href").unwrap_or_default();
                assert!(
                    href.starts_with('#'),
                    "{name}: {href} points into the same document"
                );
                let aside = by_id(&doc, &href[1..])
                    .unwrap_or_else(|| panic!("{name}: no note {href} in {}", document.path));
                assert!(aside.has_tag_name("aside"), "{name}: {href} is an aside");
                assert_eq!(epub_type(aside), Some("footnote"));
                assert_eq!(aside.attribute("role"), Some("doc-footnote"));
                let back = format!("#{}", noteref.attribute("id").expect("noteref id"));
                assert!(
                    aside
                        .descendants()
                        .any(|a| a.attribute("href") == Some(back.as_str())),
                    "{name}: {href} links back to {back}"
                );
                notes += 1;
            }
        }
    }
    assert!(notes > 10, "the fixtures have notes ({notes})");
}

#[test]
fn citations_land_on_entries_of_the_references() {
    let mut citations = 0;
    for name in BOOKS {
        let epub = build(name);
        let Some(references) = epub.book.bibliography.chapter else {
            continue;
        };
        let references = epub.chapter_path(references);
        let text = epub.text(&references).to_string();
        let entries = xml(&text);
        for document in epub.documents() {
            let page = epub.text(&document.path).to_string();
            let doc = xml(&page);
            for citation in doc
                .descendants()
                .filter(|n| n.attribute("role") == Some("doc-biblioref"))
            {
                let href = citation.attribute("href").unwrap_or_default();
                let target = resolve(&document.path, href).unwrap_or_else(|| document.path.clone());
                assert_eq!(target, references, "{name}: {href} leads to the references");
                let id = fragment(href).expect("an entry id");
                assert!(by_id(&entries, id).is_some(), "{name}: no entry #{id}");
                citations += 1;
            }
        }
    }
    assert!(citations > 5, "the fixtures cite ({citations})");
}

#[test]
fn the_cover_is_packaged_shown_and_declared() {
    let epub = build("white-paper");
    let cover = epub.book.metadata.cover.expect("white-paper has a cover");
    let image = epub.item_with("cover-image").expect("a cover-image item");
    assert_eq!(image.path, format!("EPUB/{}", epub.book.assets[cover].path));
    let page = epub.spine()[0].clone();
    let text = epub.text(&page).to_string();
    let doc = xml(&text);
    let img = doc
        .descendants()
        .find(|n| n.has_tag_name("img"))
        .expect("an img");
    assert_eq!(
        resolve(&page, img.attribute("src").unwrap_or_default()),
        Some(image.path)
    );
    assert!(!img.attribute("alt").unwrap_or_default().is_empty());
    assert_eq!(img.attribute("role"), Some("doc-cover"));
}

#[test]
fn metadata_says_what_the_book_says() {
    for name in BOOKS {
        let epub = build(name);
        let meta = &epub.book.metadata;
        let opf_path = epub.opf_path();
        let text = epub.text(&opf_path).to_string();
        let opf = xml(&text);
        let package = opf.root_element();
        let values = |tag: &str| -> Vec<String> {
            opf.descendants()
                .filter(|n| {
                    n.tag_name().name() == tag
                        && n.tag_name().namespace() == Some("http://purl.org/dc/elements/1.1/")
                })
                .filter_map(|n| n.text().map(String::from))
                .collect()
        };
        let property = |p: &str| -> Vec<String> {
            opf.descendants()
                .filter(|n| n.attribute("property") == Some(p))
                .filter_map(|n| n.text().map(String::from))
                .collect()
        };
        assert_eq!(package.attribute("version"), Some("3.0"));
        assert_eq!(values("title")[0], meta.title, "{name}");
        assert_eq!(
            values("language"),
            std::slice::from_ref(&meta.language),
            "{name}"
        );
        assert_eq!(values("creator"), meta.authors, "{name}");
        let unique = package
            .attribute("unique-identifier")
            .expect("unique-identifier");
        let identifier = by_id(&opf, unique)
            .and_then(|n| n.text())
            .expect("the unique identifier");
        match &meta.identifier {
            Some(given) => assert_eq!(identifier, given),
            None => assert!(identifier.starts_with("urn:uuid:"), "{name}: {identifier}"),
        }
        assert_eq!(
            property("dcterms:modified"),
            ["2023-11-14T22:13:20Z"],
            "{name}"
        );
        assert_eq!(
            values("rights"),
            meta.license.iter().cloned().collect::<Vec<_>>(),
            "{name}"
        );
        assert_eq!(
            values("description"),
            meta.description.iter().cloned().collect::<Vec<_>>(),
            "{name}"
        );
        for required in [
            "schema:accessMode",
            "schema:accessModeSufficient",
            "schema:accessibilityFeature",
            "schema:accessibilityHazard",
            "schema:accessibilitySummary",
        ] {
            assert!(!property(required).is_empty(), "{name}: {required}");
        }
        // Every content document says its language, twice.
        for document in epub.documents() {
            let page = epub.text(&document.path).to_string();
            let html = xml(&page);
            let root = html.root_element();
            assert_eq!(
                root.attribute("lang"),
                Some(meta.language.as_str()),
                "{name}: {}",
                document.path
            );
            assert_eq!(
                root.attribute(("http://www.w3.org/XML/1998/namespace", "lang")),
                Some(meta.language.as_str())
            );
        }
    }
}

#[test]
fn two_builds_are_byte_identical() {
    for name in BOOKS {
        assert!(build(name).bytes == build(name).bytes, "{name}");
    }
}

/// Runs a validator on the EPUB of every book; fails listing every finding of every book.
fn validate(test: &str, validator: fn(&std::path::Path) -> Option<common::ValidatorReport>) {
    let mut failures = Vec::new();
    for name in BOOKS {
        let epub = build(name);
        match validator(&epub.write(test)) {
            Some(report) if !report.ok => failures.push(format!("{name}: {report}")),
            Some(_) => {}
            None => return,
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn epubcheck_finds_nothing() {
    validate("epubcheck", common::epubcheck);
}

#[test]
fn ace_finds_no_violation() {
    validate("ace", common::ace);
}
