//! The PDF edition read back: lopdf for its structure (pages, outline, links,
//! metadata), poppler and qpdf (through tests/common) for text, fonts and
//! validity.

mod common;

use std::path::{Path, PathBuf};

use folio_core::{Block, Book, Inline, LinkTarget, RenderContext};
use lopdf::{Document, Object};

const TIMESTAMP: i64 = 1_700_000_000;

fn open(path: &Path) -> Book {
    folio_core::open(path).unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()))
}

/// Renders `book`, writes the PDF under target/test-out/<tag>/ and returns its path and bytes.
fn render(book: &Book, tag: &str) -> (PathBuf, Vec<u8>) {
    let output = folio_pdf::render(
        book,
        &RenderContext {
            timestamp: TIMESTAMP,
        },
    )
    .unwrap_or_else(|e| panic!("render failed: {e}: {:#?}", diagnostics_of(&e)));
    assert_eq!(output.files.len(), 1);
    let file = &output.files[0];
    assert_eq!(file.path, format!("{}.pdf", book.output_name()));
    let path = common::temp_out(tag).join(&file.path);
    std::fs::write(&path, &file.bytes).expect("write the PDF");
    // PDF/A-2b always; PDF/UA-1 too unless a note says why not.
    let xmp = String::from_utf8_lossy(&file.bytes);
    assert!(xmp.contains("pdfaid:part>2<"), "{tag}: not PDF/A-2");
    let ua_refused = output
        .diagnostics
        .iter()
        .find(|d| d.message.contains("not PDF/UA-1"));
    assert_eq!(
        xmp.contains("pdfuaid:part>1<"),
        ua_refused.is_none(),
        "{tag}: PDF/UA-1 claimed or refused wrongly: {ua_refused:?}"
    );
    eprintln!("{tag}: {:#?}", output.diagnostics);
    (path, file.bytes.clone())
}

fn diagnostics_of(error: &folio_pdf::Error) -> Vec<folio_core::Diagnostic> {
    match error {
        folio_pdf::Error::Typeset(diagnostics) => diagnostics.clone(),
        _ => Vec::new(),
    }
}

/// Whitespace and hyphens removed: text compared across line breaks and hyphenation.
fn squeeze(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '\u{ad}' | '\u{2010}'))
        .map(|c| match c {
            '“' | '”' | '«' | '»' => '"',
            '‘' | '’' => '\'',
            c => c,
        })
        .collect()
}

/// Link annotations of the PDF: (internal, external).
fn link_annotations(pdf: &Document) -> (usize, usize) {
    let (mut internal, mut external) = (0, 0);
    for page in pdf.page_iter() {
        for annotation in pdf.get_page_annotations(page).unwrap_or_default() {
            if annotation.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Link") {
                continue;
            }
            let action = annotation
                .get(b"A")
                .ok()
                .and_then(|a| pdf.dereference(a).ok())
                .and_then(|(_, a)| a.as_dict().ok());
            let kind = action.and_then(|a| a.get(b"S").and_then(Object::as_name).ok());
            if annotation.has(b"Dest") || kind == Some(b"GoTo") {
                internal += 1;
            } else if kind == Some(b"URI") {
                external += 1;
            }
        }
    }
    (internal, external)
}

fn info_string(pdf: &Document, key: &[u8]) -> Option<String> {
    let info = pdf.trailer.get(b"Info").ok()?;
    let (_, info) = pdf.dereference(info).ok()?;
    let value = info.as_dict().ok()?.get(key).ok()?;
    lopdf::decode_text_string(value).ok()
}

/// The page (0-based) whose text contains `needle`, when exactly one does.
fn page_of(pages: &[String], needle: &str) -> Option<usize> {
    let needle = squeeze(needle);
    let mut found = pages
        .iter()
        .enumerate()
        .filter(|(_, page)| squeeze(page).contains(&needle))
        .map(|(i, _)| i);
    let first = found.next()?;
    found.next().is_none().then_some(first)
}

#[test]
fn white_paper() {
    let book = open(&common::fixture("white-paper"));
    let (path, bytes) = render(&book, "pdf-white-paper");
    let pdf = Document::load_mem(&bytes).expect("lopdf reads the PDF");

    // Metadata.
    assert_eq!(
        info_string(&pdf, b"Title").as_deref(),
        Some(book.metadata.title.as_str())
    );
    assert_eq!(
        info_string(&pdf, b"Author").as_deref(),
        Some("Collectif Folio")
    );
    let lang = pdf
        .catalog()
        .unwrap()
        .get(b"Lang")
        .and_then(lopdf::decode_text_string)
        .ok();
    assert_eq!(lang.as_deref(), Some("fr"));

    // Outline: every chapter, titled from SUMMARY, at the page that opens it.
    let toc = pdf.get_toc().expect("an outline").toc;
    let text_pages = common::pdftotext_pages(&path);
    for chapter in &book.chapters {
        let entry = toc
            .iter()
            .find(|e| e.title == chapter.title)
            .unwrap_or_else(|| panic!("no outline entry for {:?}: {toc:?}", chapter.title));
        if let Some(pages) = &text_pages {
            let page = &pages[entry.page - 1];
            assert!(
                squeeze(page).contains(&squeeze(&chapter.title)),
                "outline entry {:?} → page {} which reads:\n{page}",
                chapter.title,
                entry.page
            );
        }
    }
    for part in &book.parts {
        assert!(
            toc.iter().any(|e| e.title == part.title && e.level == 1),
            "part {:?} in the outline",
            part.title
        );
    }

    // An internal link for every citation with an entry, every chapter link and every footnote reference.
    let mut expected_internal = 0;
    for chapter in &book.chapters {
        // Notes count too: their citations and links are links in the PDF as well.
        folio_core::visit_all_inlines(chapter, &mut |inline| match inline {
            Inline::Citation { items, .. } => {
                expected_internal += items.iter().filter(|i| i.entry.is_some()).count()
            }
            Inline::Link(link)
                if matches!(
                    link.target,
                    LinkTarget::Chapter { .. } | LinkTarget::Anchor { .. }
                ) =>
            {
                expected_internal += 1
            }
            Inline::FootnoteRef { note: Some(_), .. } => expected_internal += 1,
            _ => {}
        });
    }
    let (internal, external) = link_annotations(&pdf);
    assert!(
        expected_internal > 10,
        "the fixture has citations and chapter links"
    );
    assert!(
        internal >= expected_internal,
        "{internal} internal links, expected at least {expected_internal}"
    );
    assert!(external > 0, "external links are clickable");

    if let Some(pages) = &text_pages {
        footnotes_on_their_page(&book, pages);
        footnotes_numbered_as_resolved(&book, pages);
    }
    validators(&path);

    // The cover opens the book, alone on its page, its verso blank, and the
    // title page is a recto; `cover = false` leaves the interior alone.
    let first_page = |pdf: &Document| {
        let (_, page) = pdf.get_pages().into_iter().next().expect("a first page");
        let images = pdf.get_page_images(page).map_or(0, |images| images.len());
        let content = pdf.get_and_decode_page_content(page).expect("page content");
        let shows_text = content
            .operations
            .iter()
            .any(|op| op.operator == "Tj" || op.operator == "TJ");
        (images, shows_text)
    };
    assert_eq!(
        first_page(&pdf),
        (1, false),
        "page 1 is the cover image alone"
    );
    if let Some(pages) = &text_pages {
        assert!(
            pages[1].trim().is_empty(),
            "the cover's verso is blank: {:?}",
            pages[1]
        );
        assert!(
            squeeze(&pages[2]).contains(&squeeze(&book.metadata.title)),
            "the title page follows, on a recto"
        );
    }
    let mut interior = book.clone();
    interior.config.pdf.cover = Some(false);
    let (_, bytes) = render(&interior, "pdf-white-paper-interior");
    let pdf = Document::load_mem(&bytes).expect("lopdf reads the PDF");
    assert_eq!(
        first_page(&pdf),
        (0, true),
        "without the cover, page 1 is the title page"
    );
}

/// Each footnote's text is on the page of its (first) reference: the words
/// just before the reference and the note's first words share a page.
fn footnotes_on_their_page(book: &Book, pages: &[String]) {
    let mut checked = 0;
    for chapter in &book.chapters {
        let mut paragraphs = Vec::new();
        collect_paragraphs(&chapter.blocks, &mut paragraphs);
        for content in paragraphs {
            let mut before = String::new();
            for inline in content {
                match inline {
                    Inline::FootnoteRef {
                        note: Some(note),
                        id,
                        ..
                    } if chapter.footnotes[*note].references.first() == Some(id) => {
                        let note = &chapter.footnotes[*note];
                        let words: String = before
                            .split_whitespace()
                            .rev()
                            .take(4)
                            .collect::<Vec<_>>()
                            .into_iter()
                            .rev()
                            .collect::<Vec<_>>()
                            .join(" ");
                        let mut note_text = String::new();
                        if let Some(Block::Paragraph { content, .. }) = note.blocks.first() {
                            note_text = folio_core::plain_text(content);
                        }
                        let note_start: String = note_text.chars().take(24).collect();
                        let (Some(reference_page), Some(note_page)) =
                            (page_of(pages, &words), page_of(pages, &note_start))
                        else {
                            continue;
                        };
                        assert_eq!(
                            reference_page, note_page,
                            "footnote {:?} of {:?}: reference after {words:?}",
                            note.label, chapter.title
                        );
                        checked += 1;
                    }
                    other => before.push_str(&folio_core::plain_text(std::slice::from_ref(other))),
                }
            }
        }
    }
    assert!(checked > 0, "no footnote could be checked");
}

/// typst numbers the notes as the resolver did: each note's text starts
/// with its number (`1Dans les travaux…` in pdftotext's reading).
fn footnotes_numbered_as_resolved(book: &Book, pages: &[String]) {
    let text = squeeze(&pages.join(""));
    let mut checked = 0;
    for note in book
        .chapters
        .iter()
        .flat_map(|c| &c.footnotes)
        .filter(|n| !n.references.is_empty())
    {
        let Some(Block::Paragraph { content, .. }) = note.blocks.first() else {
            continue;
        };
        let start: String = folio_core::plain_text(content).chars().take(20).collect();
        assert!(
            text.contains(&squeeze(&format!("{}{start}", note.number))),
            "note {} should start {start:?}",
            note.number
        );
        checked += 1;
    }
    assert!(checked > 3);
}

fn collect_paragraphs<'a>(blocks: &'a [Block], out: &mut Vec<&'a [Inline]>) {
    for block in blocks {
        match block {
            Block::Paragraph { content, .. } => out.push(content),
            Block::BlockQuote { blocks, .. } => collect_paragraphs(blocks, out),
            Block::List { items, .. } => items
                .iter()
                .for_each(|item| collect_paragraphs(&item.blocks, out)),
            _ => {}
        }
    }
}

/// qpdf finds nothing, every font is embedded.
fn validators(path: &Path) {
    if let Some(report) = common::qpdf_check(path) {
        report.assert_ok();
    }
    if let Some(pdffonts) = common::require("pdffonts") {
        let output = std::process::Command::new(pdffonts)
            .arg(path)
            .output()
            .expect("run pdffonts");
        let table = String::from_utf8_lossy(&output.stdout);
        // Font names can be wider than their column, so the columns are read
        // from the right: … emb sub uni object-id generation.
        let rows: Vec<Vec<&str>> = table
            .lines()
            .skip(2)
            .map(|line| line.split_whitespace().collect())
            .collect();
        assert!(!rows.is_empty(), "pdffonts lists no font:\n{table}");
        for row in rows {
            assert!(
                row.len() >= 6 && row[row.len() - 5] == "yes",
                "font not embedded:\n{table}"
            );
        }
    }
}

#[test]
fn same_timestamp_same_bytes() {
    let book = open(&common::fixture("single-file").join("livre.md"));
    let ctx = RenderContext {
        timestamp: TIMESTAMP,
    };
    let first = folio_pdf::render(&book, &ctx).expect("render");
    let second = folio_pdf::render(&book, &ctx).expect("render");
    assert!(
        first.files[0].bytes == second.files[0].bytes,
        "two builds differ"
    );
}

#[test]
fn other_fixtures_and_the_guide() {
    let guide = Path::new(env!("CARGO_MANIFEST_DIR")).join("book");
    for (tag, path) in [
        ("pdf-mdbook", common::fixture("mdbook")),
        (
            "pdf-single",
            common::fixture("single-file").join("livre.md"),
        ),
        ("pdf-guide", guide),
    ] {
        let book = open(&path);
        let (pdf_path, bytes) = render(&book, tag);
        let pdf = Document::load_mem(&bytes).expect("lopdf reads the PDF");
        let toc = pdf.get_toc().expect("an outline").toc;
        // mdBook's numbered chapters open with their number.
        let numbers = folio_core::resolve::toc::numbers(&book);
        for (chapter, number) in book.chapters.iter().zip(&numbers) {
            let title = match number {
                Some(number) => format!("{number} {}", chapter.title),
                None => chapter.title.clone(),
            };
            assert!(
                toc.iter().any(|e| e.title == title),
                "{tag}: no outline entry for {title:?}"
            );
        }
        if let Some(text) = common::pdftotext(&pdf_path) {
            assert!(
                squeeze(&text).contains(&squeeze(&book.metadata.title)),
                "{tag}: title page"
            );
            // `date: 2024-03-15` in a French book, as a French reader writes it.
            if tag == "pdf-single" {
                assert!(
                    squeeze(&text).contains("15mars2024") && !text.contains("2024-03-15"),
                    "{tag}: the date on the title page"
                );
            }
            // A raw HTML <figure> prints as a figure: its image, and its <figcaption> as the caption.
            if tag == "pdf-mdbook" {
                assert!(
                    squeeze(&text).contains(&squeeze("Le plan affiché sur la porte de la cabane.")),
                    "{tag}: the raw figure's caption"
                );
            }
        }
        validators(&pdf_path);
    }
}
