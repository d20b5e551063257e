//! The package document: metadata, manifest, spine.

use std::fmt::Write as _;

use folio_core::{AssetId, Book};

use crate::content::{Document, Documents};
use crate::layout::Layout;
use crate::metadata::{CONFORMANCE, Facts};
use crate::xml::{encode_path, escape};

/// `package.opf`, version 3.0 (EPUB 3.3 keeps that number).
pub(crate) fn package_document(
    book: &Book,
    layout: &Layout,
    documents: &Documents,
    facts: &Facts,
) -> String {
    let mut out =
        String::with_capacity(4096 + 160 * (documents.chapters.len() + documents.assets.len()));
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\" unique-identifier=\"pub-id\" xml:lang=\"{}\">\n",
        escape(&book.metadata.language)
    );
    write_metadata(&mut out, book, documents, facts);
    write_manifest(&mut out, book, layout, documents);
    write_spine(&mut out, documents);
    out.push_str("</package>\n");
    out
}

fn write_metadata(out: &mut String, book: &Book, documents: &Documents, facts: &Facts) {
    let metadata = &book.metadata;
    out.push_str("<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n");
    let mut element = |name: &str, attributes: &str, value: &str| {
        let _ = writeln!(out, "<{name}{attributes}>{}</{name}>", escape(value));
    };
    element("dc:identifier", " id=\"pub-id\"", &facts.identifier);
    element("dc:title", " id=\"title\"", &metadata.title);
    if let Some(subtitle) = &metadata.subtitle {
        element(
            "meta",
            " refines=\"#title\" property=\"title-type\"",
            "main",
        );
        element("dc:title", " id=\"subtitle\"", subtitle);
        element(
            "meta",
            " refines=\"#subtitle\" property=\"title-type\"",
            "subtitle",
        );
    }
    element("dc:language", "", &metadata.language);
    for (i, author) in metadata.authors.iter().enumerate() {
        let id = format!("creator-{}", i + 1);
        element("dc:creator", &format!(" id=\"{id}\""), author);
        element(
            "meta",
            &format!(" refines=\"#{id}\" property=\"role\" scheme=\"marc:relators\""),
            "aut",
        );
    }
    let optional = [
        ("dc:publisher", &metadata.publisher),
        ("dc:rights", &metadata.license),
        ("dc:date", &facts.date),
        ("dc:description", &metadata.description),
    ];
    for (name, value) in optional {
        if let Some(value) = value {
            element(name, "", value);
        }
    }
    for keyword in &metadata.keywords {
        element("dc:subject", "", keyword);
    }
    element("meta", " property=\"dcterms:modified\"", &facts.modified);
    if let Some(version) = &metadata.version {
        element("meta", " property=\"schema:version\"", version);
    }

    let a11y = &facts.accessibility;
    for mode in &a11y.access_modes {
        element("meta", " property=\"schema:accessMode\"", mode);
    }
    for modes in &a11y.access_modes_sufficient {
        element("meta", " property=\"schema:accessModeSufficient\"", modes);
    }
    for feature in &a11y.features {
        element("meta", " property=\"schema:accessibilityFeature\"", feature);
    }
    element("meta", " property=\"schema:accessibilityHazard\"", "none");
    let summary_lang = a11y
        .summary_lang
        .map(|lang| format!(" xml:lang=\"{lang}\""))
        .unwrap_or_default();
    element(
        "meta",
        &format!(" property=\"schema:accessibilitySummary\"{summary_lang}"),
        &a11y.summary,
    );
    if a11y.conforms {
        element("meta", " property=\"dcterms:conformsTo\"", CONFORMANCE);
    }
    if let (Some(cover), true) = (metadata.cover, documents.cover.is_some()) {
        // For EPUB 2 reading systems (older Kindles among them).
        let _ = writeln!(
            out,
            "<meta name=\"cover\" content=\"{}\"/>",
            asset_id(cover)
        );
    }
    out.push_str("</metadata>\n");
}

fn write_manifest(out: &mut String, book: &Book, layout: &Layout, documents: &Documents) {
    out.push_str("<manifest>\n");
    let mut item = |id: &str, path: &str, media_type: &str, properties: &[&str]| {
        let properties = if properties.is_empty() {
            String::new()
        } else {
            format!(" properties=\"{}\"", properties.join(" "))
        };
        let _ = writeln!(
            out,
            "<item id=\"{id}\" href=\"{}\" media-type=\"{}\"{properties}/>",
            escape(encode_path(path)),
            escape(media_type)
        );
    };
    item("nav", &layout.nav, "application/xhtml+xml", &["nav"]);
    item("ncx", &layout.ncx, "application/x-dtbncx+xml", &[]);
    item("css", &layout.css, "text/css", &[]);
    let documents_with_ids = documents
        .cover
        .iter()
        .map(|d| ("cover-page".to_string(), d))
        .chain(chapter_items(documents));
    for (id, document) in documents_with_ids {
        item(
            &id,
            &document.path,
            "application/xhtml+xml",
            &document.properties,
        );
    }
    for &asset in &documents.assets {
        let properties: &[&str] = if book.metadata.cover == Some(asset) {
            &["cover-image"]
        } else {
            &[]
        };
        item(
            &asset_id(asset),
            layout.asset(book, asset),
            &book.assets[asset].media_type,
            properties,
        );
    }
    out.push_str("</manifest>\n");
}

fn write_spine(out: &mut String, documents: &Documents) {
    out.push_str("<spine toc=\"ncx\">\n");
    if documents.cover.is_some() {
        out.push_str("<itemref idref=\"cover-page\"/>\n");
    }
    // The table of contents is a page of the book too: the landmarks point
    // at it, and links may only lead to spine items.
    out.push_str("<itemref idref=\"nav\"/>\n");
    for (id, _) in chapter_items(documents) {
        let _ = writeln!(out, "<itemref idref=\"{id}\"/>");
    }
    out.push_str("</spine>\n");
}

/// Manifest ids of the chapters' documents, in reading order.
fn chapter_items(documents: &Documents) -> impl Iterator<Item = (String, &Document)> {
    documents
        .chapters
        .iter()
        .enumerate()
        .map(|(i, document)| (format!("chapter-{}", i + 1), document))
}

fn asset_id(asset: AssetId) -> String {
    format!("asset-{}", asset.index() + 1)
}
