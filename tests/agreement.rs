//! The three editions say the same thing: for each decision the resolver
//! records in the model, a test reads every edition back (the site's pages
//! and the EPUB's documents with an HTML parser, the PDF with lopdf and
//! pdftotext) and checks that each follows it.

mod common;

use common::agreement::{Reach, check_links, epub_pages, linked_texts, model_links, page_text};

use std::collections::BTreeMap;
use std::io::Read;

use folio_core::config::Edition;
use folio_core::{Book, Inline, RenderContext, visit_all_inlines};
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
    /// Where the PDF was written, for the validators.
    pdf_path: std::path::PathBuf,
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
    let epub = epub_pages(&epub_bytes);
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
        pdf_path,
    }
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
/// edition; every other link is a link in every edition (a file of the book
/// is one on the site, and in the EPUB and the PDF when the book says where
/// the site is).
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
        .filter(|(_, reach)| !reach.site)
        .map(|(text, _)| text.as_str())
        .collect();
    assert_eq!(
        broken,
        ["ici même", "rien", "un chapitre absent"],
        "the model: {links:?}"
    );
    // Punctuation is the model's (smart punctuation, once): every edition
    // must print `l’arrivée` with the apostrophe the model holds.
    assert_eq!(links[0].0, "l’arrivée");
    // A missing anchor of another chapter still leads to that chapter.
    assert!(links.contains(&(
        "une gare disparue".to_string(),
        Reach {
            site: true,
            ebook: true
        }
    )));
    // `plan.txt`: no site-url, so a link on the site only.
    assert!(links.contains(&(
        "le plan".to_string(),
        Reach {
            site: true,
            ebook: false
        }
    )));
    check_links("links", &editions.book, &editions.site, &editions.epub);

    // Raw HTML's links follow the same rule.
    for (edition, pages) in [("site", &editions.site), ("EPUB", &editions.epub)] {
        let (_, page) = pages
            .iter()
            .find(|(path, _)| path.ends_with("depart.html") || path.ends_with("depart.xhtml"))
            .unwrap_or_else(|| panic!("{edition}: no page for depart.md"));
        let linked = linked_texts(page);
        assert!(
            linked.contains(&"Par le HTML".to_string()),
            "{edition}: {linked:?}"
        );
        assert!(
            !linked.contains(&"une impasse".to_string()),
            "{edition}: {linked:?}"
        );
        assert!(page_text(page).contains("une impasse"), "{edition}");
    }

    // The PDF: every link that leads somewhere in an e-book edition is an
    // annotation on the chapter's page, and every other one is printed as text.
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
    // l'arrivée, son quai, une gare disparue, retour au quai, raw HTML's
    // `<a href>` to the other chapter's quai, and the heading named like the
    // next chapter: to itself, to that chapter, to that chapter by its id.
    assert_eq!(internal, 8, "internal links on page {page}");
    let text = pages[page as usize - 1]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for text_of_link in links
        .iter()
        .map(|(t, _)| t.as_str())
        .chain(["Par le HTML", "une impasse"])
    {
        assert!(
            text.contains(text_of_link),
            "PDF: `{text_of_link}` is printed: {text}"
        );
    }
}

/// The same rule on every other fixture book.
#[test]
fn links_agree_on_every_fixture() {
    for fixture in [
        "white-paper",
        "mdbook",
        "mdbook-includes/book",
        "single-file/livre.md",
    ] {
        let editions = editions(fixture);
        check_links(fixture, &editions.book, &editions.site, &editions.epub);
    }
}

/// Titles of the PDF's outline (bookmarks), depth-first.
fn pdf_outline(pdf: &Document) -> Vec<String> {
    fn walk(pdf: &Document, item: Option<&Object>, out: &mut Vec<String>) {
        let mut next = item
            .and_then(|o| pdf.dereference(o).ok())
            .and_then(|(_, o)| o.as_dict().ok());
        while let Some(entry) = next {
            if let Ok(title) = entry.get(b"Title").and_then(lopdf::decode_text_string) {
                out.push(title);
            }
            walk(pdf, entry.get(b"First").ok(), out);
            next = entry
                .get(b"Next")
                .ok()
                .and_then(|o| pdf.dereference(o).ok())
                .and_then(|(_, o)| o.as_dict().ok());
        }
    }
    let mut out = Vec::new();
    let outlines = pdf
        .catalog()
        .ok()
        .and_then(|c| c.get(b"Outlines").ok())
        .and_then(|o| pdf.dereference(o).ok())
        .and_then(|(_, o)| o.as_dict().ok());
    walk(pdf, outlines.and_then(|o| o.get(b"First").ok()), &mut out);
    out
}

/// The rule: one table of contents, the model's. The site's sidebar and the
/// EPUB's navigation list the same parts and chapters in the same order
/// (the EPUB adds each chapter's sections), with the same titles; the PDF's
/// bookmarks hold every chapter title in that order.
#[test]
fn the_table_of_contents_is_the_models_in_every_edition() {
    let editions = editions("white-paper");
    let book = &editions.book;
    let mut expected = Vec::new();
    fn flatten(book: &Book, entries: &[folio_core::TocEntry], out: &mut Vec<String>) {
        for entry in entries {
            out.push(match entry.item {
                folio_core::TocItem::Part { part } => book.parts[part].title.clone(),
                folio_core::TocItem::Chapter { chapter } => book.chapters[chapter].title.clone(),
            });
            flatten(book, &entry.children, out);
        }
    }
    flatten(book, &book.toc, &mut expected);
    assert!(
        expected.len() > book.chapters.len(),
        "the fixture has parts"
    );

    let squeeze = |text: String| text.split_whitespace().collect::<Vec<_>>().join(" ");
    // The site's sidebar is one list for every page (toc.js writes it;
    // toc.html is the same list as a page, asserted in tests/html.rs).
    let toc_page = &editions.site["toc.html"];
    let entries =
        Selector::parse("nav.toc-page li > a, nav.toc-page li > span.part-title").unwrap();
    let site: Vec<String> = toc_page
        .select(&entries)
        .map(|e| squeeze(e.text().collect()))
        .collect();
    assert_eq!(site, expected, "the site's sidebar");

    let nav = &editions
        .epub
        .iter()
        .find(|(path, _)| path.ends_with("nav.xhtml"))
        .expect("nav.xhtml")
        .1;
    let toc_entries = Selector::parse("nav#toc li > a, nav#toc li > span").unwrap();
    let epub: Vec<String> = nav
        .select(&toc_entries)
        .filter(|e| {
            e.value()
                .attr("href")
                .is_none_or(|href| !href.contains('#'))
        })
        .map(|e| squeeze(e.text().collect()))
        .collect();
    assert_eq!(epub, expected, "the EPUB's navigation, sections left out");

    let outline = pdf_outline(&editions.pdf);
    let mut at = 0;
    for title in expected
        .iter()
        .filter(|t| book.chapters.iter().any(|c| &c.title == *t))
    {
        let found = outline[at..]
            .iter()
            .position(|o| squeeze(o.clone()) == *title);
        assert!(
            found.is_some(),
            "the PDF's bookmarks hold `{title}` after place {at}: {outline:?}"
        );
        at += found.unwrap() + 1;
    }
}

/// The text of the elements `selector` picks on a page, whitespace collapsed.
fn texts(page: &Html, selector: &str) -> Vec<String> {
    let selector = Selector::parse(selector).unwrap();
    page.select(&selector)
        .map(|e| {
            e.text()
                .collect::<Vec<_>>()
                .join(" ")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// The rule for raw HTML (ARCHITECTURE.md, "Raw HTML"): its text and links
/// are in every edition; `<script>` stays on the web only, `<style>` and
/// comments in no page; the validators stay clean.
#[test]
fn raw_html_reads_alike_in_every_edition() {
    let editions = editions("raw-html");
    let page = |pages: &BTreeMap<String, Html>, name: &str| {
        pages
            .iter()
            .find(|(path, _)| {
                path.ends_with(&format!("{name}.html")) || path.ends_with(&format!("{name}.xhtml"))
            })
            .map(|(_, page)| page.clone())
            .unwrap_or_else(|| {
                panic!(
                    "no page {name} among {:?}",
                    pages.keys().collect::<Vec<_>>()
                )
            })
    };
    for (edition, pages) in [("site", &editions.site), ("EPUB", &editions.epub)] {
        let atelier = page(pages, "atelier");
        assert_eq!(
            texts(&atelier, "span.filename"),
            ["Fichier : src/banc.rs"],
            "{edition}"
        );
        assert_eq!(texts(&atelier, "kbd"), ["Ctrl"], "{edition}");
        assert_eq!(texts(&atelier, "sub"), ["2"], "{edition}");
        assert_eq!(
            texts(&atelier, "div.encadre#prudence strong"),
            ["lunettes"],
            "{edition}"
        );
        let linked = linked_texts(&atelier);
        assert!(
            linked.contains(&"notice de la scie".to_string()),
            "{edition}: {linked:?}"
        );
        assert!(
            !linked.contains(&"une porte murée".to_string()),
            "{edition}: {linked:?}"
        );
        assert!(page_text(&atelier).contains("une porte murée"), "{edition}");
        let scie = Selector::parse("a[href$='#scie']").unwrap();
        assert_eq!(
            atelier.select(&scie).count(),
            1,
            "{edition}: the raw link leads to #scie"
        );
        assert!(
            texts(&atelier, "style").is_empty(),
            "{edition}: no <style> in a page's body"
        );
        let scripts = texts(
            &atelier,
            "main script, body > section script, body > div script",
        );
        assert_eq!(
            scripts.len(),
            usize::from(edition == "site"),
            "{edition}: {scripts:?}"
        );
        let outils = page(pages, "outils");
        let prudence = Selector::parse("a[href$='#prudence']").unwrap();
        assert_eq!(outils.select(&prudence).count(), 1, "{edition}");
    }

    // Each rule that leaves something out says so, at its line.
    let site = folio_html::render(&editions.book, &CONTEXT).expect("the site");
    let warned = |diagnostics: &[folio_core::Diagnostic], what: &str| {
        diagnostics
            .iter()
            .filter(|d| d.message.contains(what))
            .map(|d| d.span.map_or(0, |s| s.line))
            .collect::<Vec<_>>()
    };
    assert_eq!(warned(&site.diagnostics, "`<style>`"), [20]);
    assert!(warned(&site.diagnostics, "`<script>`").is_empty());
    let epub = folio_epub::render(&editions.book, &CONTEXT).expect("the EPUB");
    assert_eq!(warned(&epub.diagnostics, "`<style>`"), [20]);
    assert_eq!(warned(&epub.diagnostics, "`<script>`"), [24]);
    assert_eq!(
        warned(&editions.book.diagnostics, "broken link"),
        [12],
        "{:?}",
        editions.book.diagnostics
    );

    // The validators: the site, the EPUB and the PDF stay clean.
    validators_pass(
        "agreement-raw-html-validators",
        &site,
        &epub,
        &editions.pdf_path,
    );

    // A simple raw table is a table in the PDF too, its cell's id defined.
    let markup = folio_pdf::markup(&editions.book).expect("the markup");
    let table = markup
        .find("#folio-table(columns: 2, align: (left, left, ), repeat-header: false")
        .expect("the raw table set as a table");
    for cell in ["Outil", "Usage", "Rabot", "Ciseau", "tailler une mortaise"] {
        assert!(markup[table..].contains(cell), "`{cell}` in the table");
    }
    assert!(
        markup.contains("#folio-anchor(\"rabot\")"),
        "the cell's id is defined"
    );

    // The PDF prints the text of raw elements, and their links as links.
    let Some(pages) = &editions.pdf_pages else {
        return;
    };
    let text = pages
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for shown in [
        "Fichier : src/banc.rs",
        "Ctrl",
        "notice de la scie",
        "une porte murée",
        "lunettes",
        "consigne de prudence",
        // The model's punctuation (smart, once for every edition).
        "l’ancien",
    ] {
        assert!(text.contains(shown), "PDF: `{shown}` is printed: {text}");
    }
    for hidden in ["console.log", ".encadre", "remarque pour"] {
        assert!(
            !text.contains(hidden),
            "PDF: `{hidden}` is left out: {text}"
        );
    }
    let internal: usize = (1..=pages.len() as u32)
        .map(|page| pdf_links(&editions.pdf, page).0)
        .sum();
    assert!(
        internal >= 2,
        "the two raw links that lead somewhere: {internal}"
    );
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

/// mdBook's constructs (fixture `mdbook-constructs`): GitHub alerts with
/// their labels, definition lists, code without its hidden lines or its
/// attributes, heading levels that never skip, and links written for
/// mdBook's heading ids, alike in every edition; the validators stay clean.
#[test]
fn mdbook_constructs_read_alike_in_every_edition() {
    let editions = editions("mdbook-constructs/book");
    let labels = ["Note", "Tip", "Important", "Warning", "Caution", "Example"];
    let mut site_headings = Vec::new();
    for (edition, pages, ext) in [
        ("site", &editions.site, "html"),
        ("EPUB", &editions.epub, "xhtml"),
    ] {
        let page = |name: &str| {
            pages
                .iter()
                .find(|(path, _)| {
                    path.ends_with(&format!("/{name}.{ext}")) || *path == &format!("{name}.{ext}")
                })
                .map(|(_, page)| page.clone())
                .unwrap_or_else(|| panic!("{edition}: no {name} among {:?}", pages.keys()))
        };
        let alerts = page("alerts");
        assert_eq!(
            texts(&alerts, "div.alert[role=note] > p.alert-title"),
            labels,
            "{edition}"
        );
        assert_eq!(
            texts(&alerts, "div.alert-warning > p:not(.alert-title)"),
            [
                "The bench grinder throws sparks .",
                "Wear the glasses on the hook."
            ],
            "{edition}"
        );
        assert_eq!(
            texts(&alerts, "blockquote"),
            ["[!NOTE] An escaped marker: this stays a quotation."],
            "{edition}: an escaped marker is no alert"
        );
        let terms = page("terms");
        assert_eq!(
            texts(&terms, "dl > dt"),
            ["Clamp", "Mallet", "Try square"],
            "{edition}"
        );
        assert_eq!(texts(&terms, "dl > dd").len(), 3, "{edition}");
        let code = page("code");
        let blocks: Vec<String> = code
            .select(&Selector::parse("pre").unwrap())
            .map(|pre| {
                pre.text()
                    .collect::<String>()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        assert_eq!(blocks.len(), 3, "{edition}: {blocks:?}");
        assert_eq!(
            blocks[0],
            "let bench = \"tidy\"; # A comment that keeps one hash in every edition println!(\"{bench}\");",
            "{edition}: hidden lines left out, `##` unescaped"
        );
        assert!(
            blocks[2].contains("The bench stands"),
            "{edition}: the include outside the book"
        );
        let classes: Vec<String> = code
            .select(&Selector::parse("pre code").unwrap())
            .map(|c| c.value().attr("class").unwrap_or_default().to_string())
            .collect();
        assert_eq!(
            classes,
            ["language-rust", "language-toml", "language-rust"],
            "{edition}: the language alone"
        );
        let levels = page("levels");
        let headings: Vec<String> = levels
            .select(&Selector::parse("h1, h2, h3, h4, h5, h6").unwrap())
            .map(|h| h.value().name().to_string())
            .collect();
        assert_eq!(headings, ["h1", "h2", "h2", "h2", "h3"], "{edition}");
        if edition == "site" {
            site_headings = headings;
        }
        // Links written for mdBook's ids lead to the headings folio named.
        let links = page("links");
        let hrefs: Vec<String> = links
            .select(&Selector::parse("main a, body > section a, body a").unwrap())
            .filter_map(|a| a.value().attr("href"))
            .filter(|href| href.contains('#'))
            .map(|href| href.split_once('#').unwrap().1.to_string())
            .collect();
        for id in ["count-ident-depth", "or", "example-2", "top-shelf"] {
            assert!(
                hrefs.iter().any(|h| h == id),
                "{edition}: #{id} in {hrefs:?}"
            );
        }
    }
    assert!(!site_headings.is_empty());
    assert!(
        !editions.site.contains_key("print.html"),
        "[output.html.print] enable = false"
    );
    let repository = Selector::parse("footer a[href='https://example.org/tidy-workshop']").unwrap();
    assert_eq!(editions.site["welcome.html"].select(&repository).count(), 1);

    // The model says it once: the skipped levels are notes at their lines.
    let notes: Vec<u32> = editions
        .book
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("skips a level"))
        .map(|d| d.span.map_or(0, |s| s.line))
        .collect();
    assert_eq!(notes, [5, 9, 15]);
    for named in ["preprocessor `admonish`", "`[output.linkcheck]`"] {
        assert!(
            editions
                .book
                .diagnostics
                .iter()
                .any(|d| d.message.contains(named)),
            "a note names {named}"
        );
    }
    assert!(editions.book.config.mdbook.mathjax_support);
    // `no-section-label = true`: no table of contents numbers a chapter.
    assert!(!editions.book.config.mdbook.section_labels);
    assert!(editions.book.toc.iter().all(|entry| entry.number.is_none()));
    assert_eq!(editions.book.config.html.css, ["theme/extra.css"]);

    // The validators: the site, the EPUB and the PDF stay clean.
    let site = folio_html::render(&editions.book, &CONTEXT).expect("the site");
    let epub = folio_epub::render(&editions.book, &CONTEXT).expect("the EPUB");
    validators_pass(
        "agreement-mdbook-constructs-validators",
        &site,
        &epub,
        &editions.pdf_path,
    );

    // The PDF: the same labels, terms and code; no hidden line.
    let Some(pages) = &editions.pdf_pages else {
        return;
    };
    let text = pages
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for shown in labels.iter().copied().chain([
        "The workshop opens at nine on Saturdays.",
        "Clamp Holds two pieces together",
        "# A comment that keeps one hash in every edition",
        "The bench stands",
        "[!NOTE] An escaped marker",
    ]) {
        assert!(text.contains(shown), "PDF: `{shown}` is printed: {text}");
    }
    for hidden in [
        "fn main() { let bench",
        "## A comment",
        "rust,ignore",
        "[!TIP]",
    ] {
        assert!(!text.contains(hidden), "PDF: `{hidden}` is left out");
    }
}

/// Math (fixtures `math` and `mdbook-math`): each formula the resolver
/// converted is MathML with its LaTeX as `alttext` on the site and in the
/// EPUB and an equation in the PDF; the one it refused is its LaTeX as code
/// in all three; `$` stays text where the book does not write math with it.
#[test]
fn math_reads_alike_in_every_edition() {
    for (fixture, converted, refused) in [("math", 16, 1), ("mdbook-math", 8, 0)] {
        let editions = editions(fixture);
        let mut formulas = Vec::new();
        for (_, chapter) in editions.book.chapter_ids() {
            visit_all_inlines(chapter, &mut |inline| {
                if let Inline::Math(math) = inline {
                    formulas.push(folio_core::Math::clone(math));
                }
            });
        }
        let is_converted =
            |m: &&folio_core::Math| matches!(m.state, folio_core::MathState::Converted { .. });
        let (ok, refusals): (Vec<_>, Vec<_>) = formulas.iter().partition(is_converted);
        assert_eq!(
            (ok.len(), refusals.len()),
            (converted, refused),
            "{fixture}: {formulas:#?}"
        );
        let alttexts = |pages: &BTreeMap<String, Html>| {
            let math = Selector::parse("math").unwrap();
            pages
                .iter()
                .filter(|(path, _)| !path.ends_with("print.html") && !path.contains("nav"))
                .flat_map(|(_, page)| {
                    page.select(&math)
                        .map(|m| m.value().attr("alttext").unwrap_or_default().to_string())
                        .collect::<Vec<_>>()
                })
                .collect::<std::collections::BTreeSet<_>>()
        };
        let sources: std::collections::BTreeSet<String> =
            ok.iter().map(|m| m.source.trim().to_string()).collect();
        assert_eq!(alttexts(&editions.site), sources, "{fixture}: site");
        assert_eq!(alttexts(&editions.epub), sources, "{fixture}: EPUB");
        for refused in &refusals {
            let code = Selector::parse("code.math-source").unwrap();
            for (edition, pages) in [("site", &editions.site), ("EPUB", &editions.epub)] {
                assert!(
                    pages.values().any(|page| page
                        .select(&code)
                        .any(|c| c.text().collect::<String>() == refused.source)),
                    "{edition}: `{}` is code",
                    refused.source
                );
            }
            let warned = editions.book.diagnostics.iter().any(|d| {
                d.message.contains("cannot convert")
                    && d.span.is_some_and(|s| s.line == refused.span.line)
            });
            assert!(warned, "{fixture}: a warning at line {}", refused.span.line);
        }
        if let Some(pages) = &editions.pdf_pages {
            let text = pages.join(" ");
            for refused in &refusals {
                assert!(
                    text.contains(&refused.source),
                    "PDF: `{}` is printed as code",
                    refused.source
                );
            }
            // Dollar signs that are not math stay in the text.
            let kept = if fixture == "math" {
                "$5 and another of $10"
            } else {
                "$name in a sentence"
            };
            assert!(text.contains(kept), "PDF: {kept}");
            assert!(
                !text.contains("\\frac"),
                "PDF: no converted formula is printed as its source"
            );
        }
        // The EPUB declares MathML on the documents that hold it.
        let epub = folio_epub::render(&editions.book.for_edition(Edition::Epub), &CONTEXT).unwrap();
        let dir = common::temp_out(&format!("agreement-{fixture}-validators"));
        common::write_files(&dir, &epub.files);
        let mut archive =
            zip::ZipArchive::new(std::io::Cursor::new(epub.files[0].bytes.clone())).unwrap();
        let mut opf = String::new();
        archive
            .by_name("EPUB/package.opf")
            .unwrap()
            .read_to_string(&mut opf)
            .unwrap();
        assert!(opf.contains("properties=\"mathml\""), "{fixture}: {opf}");
        let site = folio_html::render(&editions.book.for_edition(Edition::Html), &CONTEXT).unwrap();
        common::write_files(&dir.join("site"), &site.files);
        if let Some(report) = common::vnu(&[dir.join("site")]) {
            assert!(report.ok, "vnu: {report:?}");
        }
        if let Some(report) = common::epubcheck(&dir.join(&epub.files[0].path)) {
            assert!(report.ok, "EPUBCheck: {report:?}");
        }
        if let Some(report) = common::qpdf_check(&editions.pdf_path) {
            assert!(report.ok, "qpdf: {report:?}");
        }
    }
}

/// A GitBook glossary: its page in every edition, and each term's first
/// occurrence per chapter a link to its definition in every edition.
#[test]
fn glossary_pages_and_links_agree_in_every_edition() {
    let editions = editions("gitbook3");
    let book = &editions.book;
    let glossary = book.glossary.as_ref().expect("the fixture's glossary");
    check_links("gitbook3", book, &editions.site, &editions.epub);
    let terms = Selector::parse(
        "main a[href*='GLOSSARY'][href*='#'], body > section a[href*='GLOSSARY'][href*='#']",
    )
    .unwrap();
    for (edition, pages, suffix) in [
        ("site", &editions.site, ".html"),
        ("EPUB", &editions.epub, ".xhtml"),
    ] {
        let page_of = |path: &str| {
            pages
                .iter()
                .find(|(p, _)| p.ends_with(&format!("{path}{suffix}")))
                .map(|(_, page)| page)
                .unwrap_or_else(|| panic!("{edition}: no {path}{suffix}: {:?}", pages.keys()))
        };
        let page = page_of(&book.chapters[glossary.chapter].path);
        let text = page_text(page);
        assert!(text.contains("Words of the trade"), "{edition}: {text}");
        for term in &glossary.terms {
            let id = Selector::parse(&format!("[id='{}']", term.id)).unwrap();
            assert_eq!(page.select(&id).count(), 1, "{edition}: #{}", term.id);
        }
        let reading = page_of("reading");
        let hrefs: Vec<(String, String)> = reading
            .select(&terms)
            .map(|a| {
                (
                    a.text().collect::<String>(),
                    a.value().attr("href").unwrap().to_string(),
                )
            })
            .collect();
        let expected: Vec<(String, String)> = [
            ("wick", "wick"),
            ("chimney", "chimney"),
            ("oil lamp", "oil-lamp"),
        ]
        .iter()
        .map(|(text, id)| (text.to_string(), format!("GLOSSARY{suffix}#{id}")))
        .collect();
        assert_eq!(hrefs, expected, "{edition}");
    }

    let site = folio_html::render(&book.for_edition(Edition::Html), &CONTEXT).unwrap();
    let epub = folio_epub::render(&book.for_edition(Edition::Epub), &CONTEXT).unwrap();
    validators_pass(
        "agreement-glossary-validators",
        &site,
        &epub,
        &editions.pdf_path,
    );

    // The PDF: the glossary's page, and the reading chapter's three terms
    // as links inside the document (the chapter has one external link too).
    let Some(pages) = &editions.pdf_pages else {
        return;
    };
    assert!(
        pages
            .iter()
            .any(|p| p.contains("Words of the trade") && p.contains("draws oil up")),
        "the glossary's page"
    );
    let page = pages
        .iter()
        .position(|text| text.contains("Lift the chimney"))
        .expect("the reading chapter's page") as u32
        + 1;
    let (internal, external) = pdf_links(&editions.pdf, page);
    assert!(
        internal >= 2,
        "PDF: {internal} internal links, {external:?}"
    );
}

/// mdBook's section labels: each numbered chapter's number (parts do not
/// restart it; prefix and suffix chapters have none) before its title in
/// every table of contents — the site's, the EPUB's, the PDF's.
#[test]
fn section_numbers_read_alike_in_every_edition() {
    let editions = editions("mdbook");
    let numbered = [
        "1. Un jardin en commun",
        "1.1. Les parcelles",
        "2. Les règles",
        "3. Le partage des récoltes",
    ];
    let toc = editions
        .site
        .iter()
        .find(|(path, _)| path.ends_with("toc.html"))
        .map(|(_, page)| page_text(page))
        .expect("the site's table of contents");
    let nav = editions
        .epub
        .iter()
        .find(|(path, _)| path.ends_with("nav.xhtml"))
        .map(|(_, page)| page_text(page))
        .expect("the EPUB's navigation");
    for (edition, text) in [("site", &toc), ("EPUB", &nav)] {
        for label in numbered {
            assert!(text.contains(label), "{edition}: `{label}` in {text}");
        }
        assert!(
            !text.contains("1. Avant-propos") && !text.contains(". Remerciements"),
            "{edition}: prefix and suffix chapters are not numbered: {text}"
        );
    }
    let Some(pages) = &editions.pdf_pages else {
        return;
    };
    let text = pages
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for label in numbered {
        assert!(text.contains(label), "PDF: `{label}`");
    }
}

/// The site and the EPUB written to a folder named after `tag`, then vnu,
/// EPUBCheck and qpdf (on the PDF at `pdf`) find nothing.
fn validators_pass(
    tag: &str,
    site: &folio_core::Output,
    epub: &folio_core::Output,
    pdf: &std::path::Path,
) {
    let dir = common::temp_out(tag);
    common::write_files(&dir.join("site"), &site.files);
    common::write_files(&dir, &epub.files);
    if let Some(report) = common::vnu(&[dir.join("site")]) {
        assert!(report.ok, "vnu: {report:?}");
    }
    if let Some(report) = common::epubcheck(&dir.join(&epub.files[0].path)) {
        assert!(report.ok, "EPUBCheck: {report:?}");
    }
    if let Some(report) = common::qpdf_check(pdf) {
        assert!(report.ok, "qpdf: {report:?}");
    }
}
