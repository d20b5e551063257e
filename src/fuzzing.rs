//! The fuzz targets that render editions (`fuzz/`) and their regression
//! replay (`tests/fuzz_regressions.rs`) call these, as the others call
//! [`folio_core::fuzzing`]. Not part of folio's API.

use std::io::Read;

use folio_core::fuzzing::{check_diagnostic_spans, check_spans, check_xml_text, text};
use folio_core::{Book, OutputFile, RenderContext, Severity};
use folio_html::Target;

const CONTEXT: RenderContext = RenderContext {
    timestamp: 1_700_000_000,
};

/// The input as a single Markdown file; an odd first byte reads it as an
/// mdBook book with mdbook-katex and MathJax instead (spaced dollars,
/// display formulas kept whole, `\\( … \\)`), another path through the reader.
fn parse(bytes: &[u8]) -> folio_core::Book {
    let katex = bytes
        .first()
        .is_some_and(|b| b % 2 == 1)
        .then_some(folio_core::reader::Syntax {
            dollar_math: true,
            mathjax_math: true,
            spaced_dollars: true,
        });
    folio_core::parse_str_with(&text(bytes), katex)
}

/// Markdown → model → the HTML chapter fragments, the HTML site and the
/// EPUB, in memory: the model's spans lie inside the text, the EPUB chapters
/// are well-formed XHTML, every XML document of the EPUB parses, no edition
/// writes two files at one path, the EPUB is the same when rendered twice,
/// and no text of the model holds a character XML forbids.
pub fn check_markdown(bytes: &[u8]) {
    let book = parse(bytes);
    check_spans(&book);
    for (chapter, _) in book.chapter_ids() {
        for target in [Target::Site, Target::SinglePage] {
            folio_html::chapter_fragment(&book, chapter, target);
        }
        let xhtml = folio_html::chapter_fragment(&book, chapter, Target::Epub).html;
        let document = format!(
            "<body xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\">{xhtml}</body>"
        );
        if let Err(error) = roxmltree::Document::parse(&document) {
            panic!(
                "the EPUB fragment of chapter {} is not well-formed ({error}):\n{xhtml}",
                chapter.index()
            );
        }
    }
    let site = folio_html::render(&book, &CONTEXT)
        .unwrap_or_else(|e| panic!("the HTML edition failed: {e}"));
    check_edition(&book, "HTML", &site.files, &site.diagnostics);
    let epub = folio_epub::render(&book, &CONTEXT)
        .unwrap_or_else(|e| panic!("the EPUB edition failed: {e}"));
    check_edition(&book, "EPUB", &epub.files, &epub.diagnostics);
    check_epub_documents(&epub.files[0].bytes);
    let again = folio_epub::render(&book, &CONTEXT).expect("the EPUB edition, again");
    assert!(
        again.files == epub.files,
        "two renderings of the same book give different EPUBs"
    );
    check_xml_text(&book);
}

/// Markdown → model → typst markup → the PDF, in memory (typst is slow: a
/// target of its own): either the PDF is written, or typst refused the
/// author's content (a character no embedded font has, under PDF/A) and every
/// error says where, in the source; never an internal error. Every diagnostic
/// points inside the sources.
pub fn check_pdf(bytes: &[u8]) {
    let book = parse(bytes);
    match folio_pdf::render(&book, &CONTEXT) {
        Ok(pdf) => {
            check_edition(&book, "PDF", &pdf.files, &pdf.diagnostics);
            assert!(
                pdf.files[0].bytes.starts_with(b"%PDF-"),
                "the PDF edition is not a PDF"
            );
        }
        Err(error @ folio_pdf::Error::Typeset(_)) => {
            let diagnostics = error.into_diagnostics();
            let unplaced = diagnostics
                .iter()
                .find(|d| d.severity == Severity::Error && d.span.is_none());
            assert!(
                unplaced.is_none(),
                "the PDF edition failed without saying where: {diagnostics:?}"
            );
            check_diagnostic_spans(&book, &diagnostics);
        }
        Err(error) => panic!("the PDF edition failed: {error}"),
    }
}

/// An edition's files have distinct paths and its diagnostics point inside the sources.
fn check_edition(
    book: &Book,
    edition: &str,
    files: &[OutputFile],
    diagnostics: &[folio_core::Diagnostic],
) {
    let mut paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    paths.sort_unstable();
    if let Some(twice) = paths.windows(2).find(|pair| pair[0] == pair[1]) {
        panic!("the {edition} edition writes `{}` twice", twice[0]);
    }
    check_diagnostic_spans(book, diagnostics);
}

/// Every XML document of the EPUB (package, navigation, NCX, container,
/// chapters) parses.
fn check_epub_documents(epub: &[u8]) {
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(epub)).expect("the EPUB is a zip archive");
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).expect("a readable zip entry");
        let name = entry.name().expect("a UTF-8 entry name").to_string();
        if !name.ends_with(".xhtml")
            && !name.ends_with(".opf")
            && !name.ends_with(".ncx")
            && !name.ends_with(".xml")
        {
            continue;
        }
        let mut xml = String::new();
        entry
            .read_to_string(&mut xml)
            .unwrap_or_else(|e| panic!("{name} is not UTF-8: {e}"));
        let options = roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        };
        if let Err(error) = roxmltree::Document::parse_with_options(&xml, options) {
            panic!("{name} of the EPUB is not well-formed XML ({error}):\n{xml}");
        }
    }
}
