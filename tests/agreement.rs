//! The three editions say the same thing: for each decision the resolver
//! records in the model, a test reads every edition back (the site's pages
//! and the EPUB's documents with an HTML parser, the PDF with lopdf and
//! pdftotext) and checks that each follows it.

mod common;

use std::collections::BTreeMap;
use std::io::Read;

use folio_core::config::Edition;
use folio_core::{
    Book, ChapterId, Inline, LinkTarget, RenderContext, plain_text, visit_all_inlines,
};
use lopdf::{Document, Object};
use scraper::{Html, Selector};

const CONTEXT: RenderContext = RenderContext { timestamp: 0 };

/// The pages of every edition of one fixture.
struct Editions {
    book: Book,
    /// Site pages by path.
    site: BTreeMap<String, Html>,
    /// EPUB content documents by path in the package.
    epub: BTreeMap<String, Html>,
    pdf: Document,
    /// The PDF's text, page by page (`None` without poppler's pdftotext).
    pdf_pages: Option<Vec<String>>,
}

fn editions(fixture: &str) -> Editions {
    let book =
        folio_core::open(&common::fixture(fixture)).unwrap_or_else(|e| panic!("{fixture}: {e}"));
    let pages = |files: Vec<folio_core::OutputFile>, suffix: &str| -> BTreeMap<String, Html> {
        files
            .into_iter()
            .filter(|file| file.path.ends_with(suffix))
            .map(|file| {
                (
                    file.path,
                    Html::parse_document(std::str::from_utf8(&file.bytes).unwrap()),
                )
            })
            .collect()
    };
    let site = pages(
        folio_html::render(&book.for_edition(Edition::Html), &CONTEXT)
            .expect("the site")
            .files,
        ".html",
    );
    let epub_bytes = folio_epub::render(&book.for_edition(Edition::Epub), &CONTEXT)
        .expect("the EPUB")
        .files
        .remove(0)
        .bytes;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(epub_bytes)).expect("a zip");
    let mut epub = BTreeMap::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let name = file.name().expect("a UTF-8 name").to_string();
        if name.ends_with(".xhtml") {
            let mut text = String::new();
            file.read_to_string(&mut text).unwrap();
            epub.insert(name, Html::parse_document(&text));
        }
    }
    let pdf_bytes = folio_pdf::render(&book.for_edition(Edition::Pdf), &CONTEXT)
        .expect("the PDF")
        .files
        .remove(0)
        .bytes;
    let dir = common::temp_out(&format!("agreement-{fixture}"));
    let pdf_path = dir.join("book.pdf");
    std::fs::write(&pdf_path, &pdf_bytes).unwrap();
    let pdf_pages = common::pdftotext_pages(&pdf_path);
    Editions {
        book,
        site,
        epub,
        pdf: Document::load_mem(&pdf_bytes).expect("lopdf reads the PDF"),
        pdf_pages,
    }
}

/// A chapter's links as the model has them: (text, whether it leads somewhere).
fn model_links(book: &Book, chapter: ChapterId) -> Vec<(String, bool)> {
    let mut links = Vec::new();
    visit_all_inlines(&book.chapters[chapter], &mut |inline| {
        if let Inline::Link {
            target, content, ..
        } = inline
        {
            assert_ne!(
                *target,
                LinkTarget::Unresolved,
                "the resolver leaves no link unresolved"
            );
            links.push((plain_text(content), *target != LinkTarget::Broken));
        }
    });
    links
}

/// The texts of a page's links that lead somewhere (`a[href]` in its main content).
fn linked_texts(page: &Html) -> Vec<String> {
    let links =
        Selector::parse("main a[href], body > section a[href], body > div a[href]").unwrap();
    page.select(&links)
        .map(|a| {
            a.text()
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

fn page_text(page: &Html) -> String {
    page.root_element()
        .text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Link annotations on a page of the PDF: (internal, external URIs).
fn pdf_links(pdf: &Document, page_number: u32) -> (usize, Vec<String>) {
    let page = pdf.get_pages()[&page_number];
    let (mut internal, mut external) = (0, Vec::new());
    for annotation in pdf.get_page_annotations(page).unwrap_or_default() {
        if annotation.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Link") {
            continue;
        }
        let action = annotation
            .get(b"A")
            .ok()
            .and_then(|a| pdf.dereference(a).ok())
            .and_then(|(_, a)| a.as_dict().ok());
        match action.and_then(|a| a.get(b"URI").ok()) {
            Some(Object::String(uri, _)) => {
                external.push(String::from_utf8_lossy(uri).into_owned())
            }
            _ => internal += 1,
        }
    }
    (internal, external)
}

/// The rule: a link the resolver found broken is its text alone in every
/// edition; every other link is a link in every edition.
#[test]
fn links_lead_where_the_resolver_says_in_every_edition() {
    let editions = editions("links");
    let book = &editions.book;
    let depart = book
        .chapter_ids()
        .find(|(_, c)| c.file == "depart.md")
        .unwrap()
        .0;
    let links = model_links(book, depart);
    let broken: Vec<&str> = links
        .iter()
        .filter(|(_, leads)| !leads)
        .map(|(text, _)| text.as_str())
        .collect();
    assert_eq!(
        broken,
        ["ici même", "rien", "un chapitre absent"],
        "the model: {links:?}"
    );
    // A missing anchor of another chapter still leads to that chapter.
    assert!(links.contains(&("une gare disparue".to_string(), true)));

    // A file of the book: the site publishes it; the EPUB and the PDF link
    // to it on the site when the book says where that is, which this one
    // does not.
    let carried =
        |edition: &str, text: &str, leads: bool| leads && (edition == "site" || text != "le plan");
    for (edition, pages) in [("site", &editions.site), ("EPUB", &editions.epub)] {
        let (_, page) = pages
            .iter()
            .find(|(path, _)| path.ends_with("depart.html") || path.ends_with("depart.xhtml"))
            .unwrap_or_else(|| {
                panic!(
                    "{edition}: no page for depart.md among {:?}",
                    pages.keys().collect::<Vec<_>>()
                )
            });
        let linked = linked_texts(page);
        for (text, leads) in &links {
            assert_eq!(
                linked.contains(text),
                carried(edition, text, *leads),
                "{edition}: `{text}` (linked: {linked:?})"
            );
            assert!(
                page_text(page).contains(text.as_str()),
                "{edition}: `{text}` is printed"
            );
        }
    }

    // The PDF: every link that leads somewhere is an annotation on the
    // chapter's page (the book's own links: no site-url, so `plan.txt` is
    // text there), and every broken one is printed as text.
    let Some(pages) = &editions.pdf_pages else {
        return;
    };
    let page = pages
        .iter()
        .position(|text| text.contains("Un retour au quai"))
        .expect("the chapter's page") as u32
        + 1;
    let (internal, external) = pdf_links(&editions.pdf, page);
    assert_eq!(external, ["https://example.org/"]);
    // l'arrivée, son quai, une gare disparue, retour au quai.
    assert_eq!(internal, 4, "internal links on page {page}");
    let text = pages[page as usize - 1]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for (text_of_link, _) in &links {
        assert!(
            text.contains(text_of_link.as_str()),
            "PDF: `{text_of_link}` is printed: {text}"
        );
    }
}

/// GitBook's `output.name`: the HTML edition has the `website` branch of a
/// template, the EPUB and the PDF the `ebook` one, and all three the text
/// around it; the model holds both, once.
#[test]
fn each_edition_has_its_gitbook_output_branch() {
    let editions = editions("gitbook3");
    let (website, ebook) = ("website edition", "ebook edition");
    let model = serde_json::to_string(&editions.book.chapters).unwrap();
    assert!(model.contains(website) && model.contains(ebook), "{model}");
    assert_eq!(
        model.matches("After the branch").count(),
        1,
        "shared text is kept once"
    );
    let site = page_text(&editions.site["reading.html"]);
    assert!(site.contains(website) && !site.contains(ebook), "{site}");
    assert!(site.contains("Before the branch") && site.contains("After the branch"));
    let epub = page_text(&editions.epub["EPUB/reading.xhtml"]);
    assert!(epub.contains(ebook) && !epub.contains(website), "{epub}");
    assert!(epub.contains("Before the branch") && epub.contains("After the branch"));
    let Some(pages) = &editions.pdf_pages else {
        eprintln!("pdftotext missing: the PDF's branch is not read back");
        return;
    };
    let pdf = pages
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(pdf.contains(ebook) && !pdf.contains(website), "{pdf}");
    assert!(pdf.contains("After the branch"), "{pdf}");
}
