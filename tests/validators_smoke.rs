//! Checks the shared test harness itself. Each validator must accept a known-good input and
//! reject a known-bad one, otherwise every edition's validator gate could pass for nothing.
//! Like every validator test, these skip locally when a tool is missing and fail with CI=true.

mod common;

use std::io::Write as _;
use std::path::{Path, PathBuf};

use common::{ValidatorReport, temp_out};

const CONTAINER_XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles><rootfile full-path="EPUB/package.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>
"#;

/// A package with the accessibility metadata Ace asks for, so that only the chapter decides
/// whether the EPUB passes.
const PACKAGE_OPF: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid" xml:lang="fr">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="uid">urn:uuid:0b5f5a9e-3c1e-4a39-9a53-3f0e2f8e6c11</dc:identifier>
    <dc:title>Essai</dc:title>
    <dc:language>fr</dc:language>
    <meta property="dcterms:modified">2026-01-01T00:00:00Z</meta>
    <meta property="schema:accessMode">textual</meta>
    <meta property="schema:accessModeSufficient">textual</meta>
    <meta property="schema:accessibilityFeature">structuralNavigation</meta>
    <meta property="schema:accessibilityFeature">tableOfContents</meta>
    <meta property="schema:accessibilityHazard">none</meta>
    <meta property="schema:accessibilitySummary">Un texte court, structuré par des titres.</meta>
  </metadata>
  <manifest>
    <item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
    <item id="chapitre" href="chapitre.xhtml" media-type="application/xhtml+xml"/>
  </manifest>
  <spine><itemref idref="chapitre"/></spine>
</package>
"#;

fn xhtml(title: &str, body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" xml:lang="fr" lang="fr">
<head><title>{title}</title></head>
<body>{body}</body>
</html>
"#
    )
}

/// A one-chapter EPUB 3 whose chapter body is `chapter`.
fn write_epub(path: &Path, chapter: &str) {
    let nav = xhtml(
        "Sommaire",
        r#"<nav epub:type="toc" role="doc-toc" id="toc"><h1>Sommaire</h1><ol><li><a href="chapitre.xhtml">Chapitre</a></li></ol></nav>"#,
    );
    let file = std::fs::File::create(path).expect("create the EPUB");
    let mut zip = zip::ZipWriter::new(file);
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let entries = [
        ("mimetype", "application/epub+zip".to_owned(), stored),
        ("META-INF/container.xml", CONTAINER_XML.to_owned(), deflated),
        ("EPUB/package.opf", PACKAGE_OPF.to_owned(), deflated),
        ("EPUB/nav.xhtml", nav, deflated),
        ("EPUB/chapitre.xhtml", xhtml("Chapitre", chapter), deflated),
    ];
    for (name, text, options) in entries {
        zip.start_file(name, options).expect("start a zip entry");
        zip.write_all(text.as_bytes()).expect("write a zip entry");
    }
    zip.finish().expect("finish the EPUB");
}

const GOOD_CHAPTER: &str = "<main><h1>Chapitre</h1><p>Bonjour.</p></main>";
/// A missing resource (EPUBCheck RSC-007) that is also an image without alt text (Ace image-alt).
const BAD_CHAPTER: &str = r#"<main><h1>Chapitre</h1><p><img src="absent.png"/></p></main>"#;

fn epubs(tag: &str) -> (PathBuf, PathBuf) {
    let dir = temp_out(tag);
    let (good, bad) = (dir.join("good.epub"), dir.join("bad.epub"));
    write_epub(&good, GOOD_CHAPTER);
    write_epub(&bad, BAD_CHAPTER);
    (good, bad)
}

fn assert_finding(report: &ValidatorReport, expected: &str) {
    assert!(!report.ok, "{report}");
    assert!(
        report.errors.iter().any(|error| error.contains(expected)),
        "expected a finding containing {expected:?}:\n{report}"
    );
}

#[test]
fn epubcheck_accepts_a_valid_epub_and_rejects_a_missing_resource() {
    let (good, bad) = epubs("smoke-epubcheck");
    let Some(report) = common::epubcheck(&good) else {
        return;
    };
    report.assert_ok();
    let Some(report) = common::epubcheck(&bad) else {
        return;
    };
    assert_finding(&report, "RSC-007");
    assert!(
        report
            .errors
            .iter()
            .any(|error| error.contains("EPUB/chapitre.xhtml:5:")),
        "{report}"
    );
}

#[test]
fn ace_accepts_an_accessible_epub_and_names_the_rule_an_image_without_alt_breaks() {
    let (good, bad) = epubs("smoke-ace");
    let Some(report) = common::ace(&good) else {
        return;
    };
    report.assert_ok();
    let Some(report) = common::ace(&bad) else {
        return;
    };
    assert_finding(&report, "image-alt");
}

fn html_page(body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Essai</title></head>\
         <body>{body}</body></html>\n"
    )
}

#[test]
fn vnu_reports_errors_only_for_invalid_pages() {
    let dir = temp_out("smoke-vnu");
    let (good, bad) = (dir.join("good.html"), dir.join("bad.html"));
    // The trailing slash is an info message the harness filters out on purpose.
    std::fs::write(&good, html_page("<p>Bonjour<br/></p>")).expect("write a page");
    std::fs::write(&bad, html_page("<ul><p>Bonjour</p></ul>")).expect("write a page");

    let Some(report) = common::vnu(std::slice::from_ref(&good)) else {
        return;
    };
    report.assert_ok();
    assert!(report.warnings.is_empty(), "{report}");

    // A directory is checked file by file, stylesheets included; findings point at their line.
    std::fs::write(
        dir.join("style.css"),
        "p { color: red; }\nul { colr: red; }\n",
    )
    .expect("write a stylesheet");
    let Some(report) = common::vnu(&[dir]) else {
        return;
    };
    assert_finding(&report, "bad.html:2:");
    assert_finding(&report, "“p” not allowed as child of element “ul”");
    assert_finding(&report, "style.css:2:");
    assert_finding(&report, "Property “colr” doesn't exist");
    assert_eq!(report.errors.len(), 2, "{report}");
}

#[test]
#[should_panic(expected = "no .html or .xhtml file")]
fn vnu_refuses_to_pass_a_directory_without_pages() {
    let dir = temp_out("smoke-vnu-empty");
    common::vnu(&[dir]);
}

/// A two-page PDF with one line of text per page, in a standard (not embedded) font.
fn write_pdf(path: &Path) {
    use lopdf::content::{Content, Operation};
    use lopdf::{Document, Object, Stream, dictionary};

    let mut document = Document::with_version("1.5");
    let pages_id = document.new_object_id();
    let font_id = document.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let resources_id =
        document.add_object(dictionary! { "Font" => dictionary! { "F1" => font_id } });
    let mut kids = Vec::new();
    for line in ["Page un", "Page deux"] {
        let content = Content {
            operations: vec![
                Operation::new("BT", vec![]),
                Operation::new("Tf", vec!["F1".into(), 24.into()]),
                Operation::new("Td", vec![72.into(), 700.into()]),
                Operation::new("Tj", vec![Object::string_literal(line)]),
                Operation::new("ET", vec![]),
            ],
        };
        let content_id = document.add_object(Stream::new(
            dictionary! {},
            content.encode().expect("encode a page"),
        ));
        let page_id = document.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
        });
        kids.push(page_id.into());
    }
    document.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => 2,
            "Resources" => resources_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog_id = document.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    document.trailer.set("Root", catalog_id);
    document.save(path).expect("save the PDF");
}

#[test]
fn qpdf_accepts_a_pdf_and_rejects_anything_else() {
    let dir = temp_out("smoke-qpdf");
    let (pdf, not_pdf) = (dir.join("ok.pdf"), dir.join("not.pdf"));
    write_pdf(&pdf);
    std::fs::write(&not_pdf, "Ceci n’est pas un PDF.\n").expect("write a file");

    let Some(report) = common::qpdf_check(&pdf) else {
        return;
    };
    report.assert_ok();
    let Some(report) = common::qpdf_check(&not_pdf) else {
        return;
    };
    assert!(!report.ok, "{report}");
    assert!(!report.errors.is_empty(), "{report}");
}

#[test]
fn poppler_reads_fonts_and_text_per_page() {
    let dir = temp_out("smoke-poppler");
    let pdf = dir.join("ok.pdf");
    write_pdf(&pdf);

    let Some(fonts) = common::pdffonts(&pdf) else {
        return;
    };
    assert_eq!(fonts.len(), 1, "{fonts:?}");
    assert_eq!(fonts[0].name, "Helvetica");
    assert_eq!(fonts[0].font_type, "Type 1");
    assert!(!fonts[0].embedded, "{fonts:?}");

    let Some(pages) = common::pdftotext_pages(&pdf) else {
        return;
    };
    let pages: Vec<&str> = pages.iter().map(|page| page.trim()).collect();
    assert_eq!(pages, ["Page un", "Page deux"]);
}

#[test]
fn pdffonts_table_is_cut_at_its_columns() {
    let table = "\
name                                 type              encoding         emb sub uni object ID
------------------------------------ ----------------- ---------------- --- --- --- ---------
ABCDEF+LibertinusSerif-Regular       CID Type 0C       Identity-H       yes yes yes      5  0
Helvetica                            Type 1            WinAnsi          no  no  no       9  0
";
    let rows = common::parse_pdffonts(table);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].name, "ABCDEF+LibertinusSerif-Regular");
    assert_eq!(rows[0].font_type, "CID Type 0C");
    assert_eq!(rows[0].encoding, "Identity-H");
    assert!(rows[0].embedded && rows[0].subset && rows[0].unicode);
    assert_eq!(rows[1].font_type, "Type 1");
    assert!(!rows[1].embedded && !rows[1].subset && !rows[1].unicode);
}

#[test]
fn generated_book_is_deterministic_and_sized_as_documented() {
    let first = temp_out("smoke-generate-a");
    let second = temp_out("smoke-generate-b");
    let bytes = common::generate::generate_book(&first, 4);
    assert_eq!(common::generate::generate_book(&second, 4), bytes);
    // 4 chapters of 15–25 KB, plus the introduction, references and SUMMARY.
    assert!((60_000..110_000).contains(&bytes), "{bytes} bytes");
    for file in [
        "SUMMARY.md",
        "1-comprendre/README.md",
        "2-agir/01-commun-s-et-gouvernance.md",
    ] {
        let (a, b) = (
            std::fs::read(first.join(file)),
            std::fs::read(second.join(file)),
        );
        assert!(a.is_ok(), "{file} missing");
        assert_eq!(a.ok(), b.ok(), "{file} differs between two runs");
    }
}

#[test]
fn every_test_book_opens_and_writes_back() {
    for name in common::BOOKS {
        let book = common::open_book(name);
        assert!(!book.chapters.is_empty(), "{name} has no chapter");
    }
    let dir = temp_out("smoke-write-files");
    let files = [folio_core::OutputFile {
        path: "a/b.txt".to_owned(),
        bytes: b"ok".to_vec(),
    }];
    common::write_files(&dir, &files);
    assert_eq!(
        std::fs::read(dir.join("a/b.txt")).ok(),
        Some(b"ok".to_vec())
    );
}

/// The benches measure the generated book: it must exercise the resolver's successful paths
/// (every link, citation, note and image resolving), not its diagnostics.
#[test]
fn generated_book_resolves_without_a_diagnostic() {
    let dir = temp_out("smoke-generate-check");
    common::generate::generate_book(&dir, 12);
    let book = folio_core::open(&dir).expect("the generated book loads");
    assert!(book.diagnostics.is_empty(), "{:#?}", book.diagnostics);
    // 12 chapters, the introduction and the references.
    assert_eq!(book.chapters.len(), 14);
    assert_eq!(book.bibliography.entries.len(), 16);
    assert!(
        book.bibliography
            .entries
            .iter()
            .any(|entry| entry.cited_by.len() > 1)
    );
    assert_eq!(book.assets.len(), 1);
}
