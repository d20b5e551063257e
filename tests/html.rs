//! The HTML edition of every fixture, written out and read back with scraper:
//! notes pair up, citations and internal links land on existing ids, images
//! carry their size, the TOC is the SUMMARY, print.html ids are unique, the
//! Nu Html Checker finds nothing, and two builds are byte-identical.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use folio_core::{Block, Book, Inline, LinkTarget, RenderContext};
use scraper::{ElementRef, Html, Selector};

const BOOKS: &[&str] = &["white-paper", "mdbook", "single-file", "book"];

struct Site {
    book: Book,
    dir: PathBuf,
    files: BTreeMap<String, Vec<u8>>,
    pages: BTreeMap<String, Html>,
}

impl Site {
    fn page(&self, path: &str) -> &Html {
        self.pages
            .get(path)
            .unwrap_or_else(|| panic!("no page {path}"))
    }
}

fn book_dir(name: &str) -> PathBuf {
    match name {
        "book" => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("book"),
        "single-file" => common::fixture(name).join("livre.md"),
        _ => common::fixture(name),
    }
}

/// Renders book `name` into a directory of its own for test `test`.
fn build(name: &str, test: &str) -> Site {
    let book = folio_core::open(&book_dir(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let output = folio_html::render(&book, &RenderContext { timestamp: 0 }).expect("render");
    let dir = common::temp_out(&format!("html-{test}-{name}"));
    let mut files = BTreeMap::new();
    let mut pages = BTreeMap::new();
    for file in output.files {
        let path = dir.join(&file.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &file.bytes).unwrap();
        if file.path.ends_with(".html") {
            pages.insert(
                file.path.clone(),
                Html::parse_document(std::str::from_utf8(&file.bytes).unwrap()),
            );
        }
        files.insert(file.path, file.bytes);
    }
    Site {
        book,
        dir,
        files,
        pages,
    }
}

fn select<'a>(html: &'a Html, selector: &str) -> Vec<ElementRef<'a>> {
    html.select(&Selector::parse(selector).unwrap()).collect()
}

fn by_id<'a>(html: &'a Html, id: &str) -> Option<ElementRef<'a>> {
    html.tree
        .nodes()
        .filter_map(ElementRef::wrap)
        .find(|e| e.value().id() == Some(id))
}

/// `href` seen from `page`: the output file and the fragment.
fn resolve(page: &str, href: &str) -> (String, String) {
    let (path, fragment) = href.split_once('#').unwrap_or((href, ""));
    if path.is_empty() {
        return (page.to_string(), fragment.to_string());
    }
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for segment in path.split('/') {
        match segment {
            ".." => {
                parts.pop();
            }
            "." => {}
            s => parts.push(s),
        }
    }
    (decode(&parts.join("/")), fragment.to_string())
}

fn decode(url: &str) -> String {
    let bytes = url.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = url
                .get(i + 1..i + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

/// URLs of the links the resolver could not resolve (it warned): kept as written.
fn unresolved_links(book: &Book) -> HashSet<String> {
    fn inlines(content: &[Inline], out: &mut HashSet<String>) {
        for inline in content {
            match inline {
                Inline::Link(link) if link.target == LinkTarget::Unresolved => {
                    out.insert(link.url.clone());
                }
                Inline::Link(link) => inlines(&link.content, out),
                Inline::Emphasis { content, .. } | Inline::Strong { content, .. } => {
                    inlines(content, out)
                }
                _ => {}
            }
        }
    }
    fn blocks(content: &[Block], out: &mut HashSet<String>) {
        for block in content {
            match block {
                Block::Paragraph { content, .. } | Block::Heading { content, .. } => {
                    inlines(content, out)
                }
                Block::BlockQuote { blocks: inner, .. } => blocks(inner, out),
                Block::List { items, .. } => {
                    items.iter().for_each(|item| blocks(&item.blocks, out))
                }
                _ => {}
            }
        }
    }
    let mut out = HashSet::new();
    for chapter in &book.chapters {
        blocks(&chapter.blocks, &mut out);
        chapter
            .footnotes
            .iter()
            .for_each(|note| blocks(&note.blocks, &mut out));
    }
    out
}

fn is_external(href: &str) -> bool {
    href.starts_with("http:") || href.starts_with("https:") || href.starts_with("mailto:")
}

#[test]
fn every_internal_link_and_image_reaches_an_existing_file_and_id() {
    for name in BOOKS {
        let site = build(name, "links");
        let unresolved = unresolved_links(&site.book);
        let mut checked = 0;
        for (page, html) in &site.pages {
            let links = select(html, "a[href], link[href]")
                .into_iter()
                .filter_map(|e| e.value().attr("href"));
            let sources = select(html, "img[src]")
                .into_iter()
                .filter_map(|e| e.value().attr("src"));
            for href in links
                .chain(sources)
                .filter(|h| !is_external(h) && !unresolved.contains(*h))
            {
                let (file, fragment) = resolve(page, href);
                assert!(
                    site.files.contains_key(&file),
                    "{name}/{page}: `{href}` → missing file {file}"
                );
                if !fragment.is_empty() {
                    let target = site.page(&file);
                    assert!(
                        by_id(target, &fragment).is_some(),
                        "{name}/{page}: `{href}` → no id `{fragment}` in {file}"
                    );
                }
                checked += 1;
            }
        }
        assert!(checked > 10, "{name}: only {checked} links checked");
        assert!(
            site.files.contains_key("index.html"),
            "{name}: no index.html"
        );
    }
}

#[test]
fn footnote_references_and_notes_link_both_ways() {
    let site = build("white-paper", "notes");
    let mut pairs = 0;
    for (page, html) in &site.pages {
        for reference in select(html, "a[role=doc-noteref]") {
            let href = reference.value().attr("href").unwrap();
            let ref_id = reference
                .value()
                .id()
                .unwrap_or_else(|| panic!("{page}: noteref without id"));
            let note = by_id(html, href.trim_start_matches('#'))
                .unwrap_or_else(|| panic!("{page}: {href} has no note"));
            assert_eq!(note.value().name(), "li", "{page}: {href}");
            let in_endnotes = note
                .ancestors()
                .filter_map(ElementRef::wrap)
                .any(|a| a.value().attr("role") == Some("doc-endnotes"));
            assert!(
                in_endnotes,
                "{page}: note {href} outside the endnotes section"
            );
            let back = format!("#{ref_id}");
            let backlinks: Vec<_> = note
                .select(&Selector::parse("a[role=doc-backlink]").unwrap())
                .collect();
            assert!(
                backlinks
                    .iter()
                    .any(|a| a.value().attr("href") == Some(&back)),
                "{page}: note {href} does not link back to {back}"
            );
            pairs += 1;
        }
        // Every back link of every note leads to a reference.
        for backlink in select(html, "[role=doc-endnotes] a[role=doc-backlink]") {
            let id = backlink
                .value()
                .attr("href")
                .unwrap()
                .trim_start_matches('#');
            let reference =
                by_id(html, id).unwrap_or_else(|| panic!("{page}: back link to missing #{id}"));
            assert_eq!(reference.value().attr("role"), Some("doc-noteref"));
        }
    }
    assert!(
        pairs >= 3,
        "only {pairs} note references in the white paper"
    );
    let endnote_headings = select(
        site.page("3-agir/2-financement.html"),
        "[role=doc-endnotes] h2",
    );
    if let Some(heading) = endnote_headings.first() {
        assert_eq!(heading.text().collect::<String>(), "Notes");
    }
}

#[test]
fn citations_and_bibliography_entries_link_both_ways() {
    let site = build("white-paper", "citations");
    let mut citations = 0;
    for (page, html) in &site.pages {
        for citation in select(html, "a[role=doc-biblioref]") {
            let (file, id) = resolve(page, citation.value().attr("href").unwrap());
            let entry = by_id(site.page(&file), &id)
                .unwrap_or_else(|| panic!("{page}: citation to missing {file}#{id}"));
            assert_eq!(entry.value().name(), "li", "{file}#{id}");
            let in_bibliography = entry
                .ancestors()
                .filter_map(ElementRef::wrap)
                .any(|a| a.value().attr("role") == Some("doc-bibliography"));
            assert!(
                in_bibliography,
                "{file}#{id} is not inside role=doc-bibliography"
            );
            let citation_id = citation.value().id().expect("citation id");
            let back = entry
                .select(&Selector::parse("a[role=doc-backlink]").unwrap())
                .filter_map(|a| a.value().attr("href"))
                .map(|h| resolve(&file, h))
                .any(|(f, i)| f == *page && i == citation_id);
            assert!(back, "{file}#{id} has no back link to {page}#{citation_id}");
            citations += 1;
        }
    }
    assert!(citations >= 3, "only {citations} citations");
}

#[test]
fn images_have_alt_text_and_their_size() {
    for name in BOOKS {
        let site = build(name, "images");
        for (page, html) in &site.pages {
            let images: Vec<_> = select(html, "main img")
                .into_iter()
                .filter(|i| !is_external(i.value().attr("src").unwrap_or("")))
                .collect();
            for (i, image) in images.iter().enumerate() {
                let attr = |a| image.value().attr(a);
                assert!(attr("alt").is_some(), "{name}/{page}: image without alt");
                let (w, h) = (attr("width"), attr("height"));
                assert!(
                    w.is_some_and(|w| w.parse::<u32>().is_ok())
                        && h.is_some_and(|h| h.parse::<u32>().is_ok()),
                    "{name}/{page}: image {:?} without size",
                    attr("src")
                );
                // Only the first image of a page may load eagerly.
                if i > 0 {
                    assert_eq!(attr("loading"), Some("lazy"), "{name}/{page}");
                }
            }
        }
    }
}

/// The TOC under `selector` as (depth, text, is part) in document order.
fn toc_entries(html: &Html, selector: &str) -> Vec<(usize, String, bool)> {
    let nav = select(html, selector)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("{selector}"));
    nav.descendants()
        .filter_map(ElementRef::wrap)
        .filter(|e| e.value().name() == "li")
        .map(|li| {
            let depth = li
                .ancestors()
                .filter_map(ElementRef::wrap)
                .filter(|a| a.value().name() == "li")
                .count();
            let part = li.value().classes().any(|c| c == "part");
            let label = li
                .children()
                .filter_map(ElementRef::wrap)
                .next()
                .map(|e| e.text().collect::<String>())
                .unwrap_or_default();
            (depth, label, part)
        })
        .collect()
}

/// The list toc.js writes into every page's sidebar: the string literal
/// it holds, read as the JSON string it also is.
fn toc_script_list(script: &[u8]) -> String {
    let script = std::str::from_utf8(script).unwrap();
    let literal = script
        .split_once("var toc = ")
        .and_then(|(_, rest)| rest.split_once(";\n"))
        .expect("toc.js holds `var toc = \"…\";`")
        .0;
    serde_json::from_str(literal).expect("a JSON string")
}

/// One table of contents for the whole site, written once: toc.html (the
/// page) and toc.js (which fills each page's sidebar) hold the same list,
/// the SUMMARY's; each chapter page loads the script and links to the page
/// without it, its sidebar no bigger for a bigger book; toc.js marks the
/// link that leads to the page being read, and exactly one does.
#[test]
fn toc_mirrors_the_summary_and_marks_the_current_chapter() {
    for name in BOOKS {
        let site = build(name, "toc");
        let book = &site.book;
        let mut expected = Vec::new();
        let mut part = None;
        // mdBook's numbered chapters show their number before the title.
        let numbers = folio_core::resolve::toc::numbers(book);
        for (chapter, number) in book.chapters.iter().zip(&numbers) {
            if chapter.parent.is_none() && chapter.part != part {
                part = chapter.part;
                if let Some(p) = part {
                    expected.push((0, book.parts[p].title.clone(), true));
                }
            }
            let depth = chapter.depth as usize + usize::from(chapter.part.is_some());
            let title = match number {
                Some(number) => format!("{number} {}", chapter.title),
                None => chapter.title.clone(),
            };
            expected.push((depth, title, false));
        }
        let toc_page = site.page("toc.html");
        assert_eq!(
            toc_entries(toc_page, "nav.toc-page"),
            expected,
            "{name}/toc.html"
        );
        let list = toc_script_list(&site.files["toc.js"]);
        let shared = Html::parse_fragment(&list);
        assert_eq!(
            toc_entries(&shared, "ol"),
            expected,
            "{name}/toc.js: the list"
        );
        assert!(
            std::str::from_utf8(&site.files["toc.html"])
                .unwrap()
                .contains(&list),
            "{name}: toc.js and toc.html hold the same list"
        );
        // Links of the shared list are relative to the site's root, where toc.js is.
        let targets: Vec<String> = select(&shared, "a[href]")
            .iter()
            .map(|a| resolve("toc.js", a.value().attr("href").unwrap()).0)
            .collect();
        for chapter in &book.chapters {
            let page = format!("{}.html", chapter.path);
            let html = site.page(&page);
            let sidebar = select(html, "nav.toc");
            assert_eq!(sidebar.len(), 1, "{name}/{page}");
            assert!(
                sidebar[0].html().len() < 400,
                "{name}/{page}: the sidebar holds no list: {}",
                sidebar[0].html()
            );
            let links: Vec<String> = select(html, "nav.toc a[href]")
                .iter()
                .map(|a| resolve(&page, a.value().attr("href").unwrap()).0)
                .collect();
            assert_eq!(links, ["toc.html"], "{name}/{page}: the fallback");
            let scripts: Vec<String> = select(html, "head script[src][defer]")
                .iter()
                .map(|s| resolve(&page, s.value().attr("src").unwrap()).0)
                .collect();
            assert_eq!(scripts, ["toc.js"], "{name}/{page}");
            assert_eq!(
                targets.iter().filter(|t| **t == page).count(),
                1,
                "{name}/{page}: what toc.js marks as the current page"
            );
        }
        assert_eq!(
            toc_entries(site.page("print.html"), "nav.toc"),
            expected,
            "{name}/print.html"
        );
    }
}

/// Every id of `html`, checked to be there once.
fn unique_ids(html: &Html, page: &str) -> HashSet<String> {
    let mut seen = HashSet::new();
    for element in html.tree.nodes().filter_map(ElementRef::wrap) {
        if let Some(id) = element.value().id() {
            assert!(seen.insert(id.to_string()), "{page}: duplicate id {id}");
        }
    }
    seen
}

/// The `links` fixture's first chapter has a heading `{#ch-arrivee}`, the
/// second chapter's id: on one page, the id still marks where the second
/// chapter starts, the heading takes a book-wide alternative, and each
/// link reaches what it names.
#[test]
fn print_page_keeps_chapter_ids_for_their_chapters() {
    let site = build("links", "chapter-ids");
    let html = site.page("print.html");
    unique_ids(html, "links/print.html");
    // What carries an id: its element and the start of its text.
    let element = |html: &Html, id: &str| {
        let element = by_id(html, id).unwrap_or_else(|| panic!("no #{id}"));
        let text: String = element.text().collect();
        (element.value().name().to_string(), text.trim().to_string())
    };
    let (name, text) = element(html, "ch-arrivee");
    assert_eq!(name, "section");
    assert!(text.starts_with("Arrivée"), "{text}");
    let (name, text) = element(html, "ch-depart-ch-arrivee");
    assert!(name.starts_with('h'), "{name}");
    assert!(text.starts_with("Avant l’arrivée"), "{text}");
    let href = |html: &Html, text: &str| {
        select(html, "main a[href]")
            .into_iter()
            .find(|a| a.text().collect::<String>() == text)
            .and_then(|a| a.value().attr("href"))
            .unwrap_or_else(|| panic!("no link `{text}`"))
            .to_string()
    };
    assert_eq!(href(html, "lui-même"), "#ch-depart-ch-arrivee");
    assert_eq!(href(html, "le chapitre"), "#ch-arrivee");
    assert_eq!(href(html, "son début"), "#ch-arrivee");
    // The chapter's own page keeps the author's id.
    let page = site.page("depart.html");
    let (_, text) = element(page, "ch-arrivee");
    assert!(text.starts_with("Avant l’arrivée"), "{text}");
    // A link to the next chapter by its id leads to that page, whose title
    // heading carries an id of its own.
    assert_eq!(href(page, "son début"), "arrivee.html");
}

#[test]
fn print_page_has_unique_ids_and_in_page_links() {
    for name in BOOKS {
        let site = build(name, "print");
        let html = site.page("print.html");
        let seen = unique_ids(html, &format!("{name}/print.html"));
        for chapter in &site.book.chapters {
            assert!(
                seen.contains(&chapter.id),
                "{name}/print.html: no chapter anchor {}",
                chapter.id
            );
        }
        for link in select(html, "main a[href]") {
            let href = link.value().attr("href").unwrap();
            if !is_external(href) && !href.contains('.') {
                assert!(
                    href.starts_with('#'),
                    "{name}/print.html: link {href} leaves the page"
                );
            }
        }
    }
}

#[test]
fn two_builds_are_byte_identical() {
    let book = folio_core::open(&common::fixture("white-paper")).unwrap();
    let ctx = RenderContext { timestamp: 0 };
    let (a, b) = (
        folio_html::render(&book, &ctx).unwrap(),
        folio_html::render(&book, &ctx).unwrap(),
    );
    assert_eq!(a.files, b.files);
}

#[test]
fn pages_have_title_language_and_landmarks() {
    let site = build("white-paper", "landmarks");
    let html = site.page("2-constituants/1-code_source.html");
    let root = select(html, "html")[0];
    assert_eq!(root.value().attr("lang"), Some("fr"));
    let title = select(html, "title")[0].text().collect::<String>();
    assert_eq!(title, "Le code source — Construire des communs numériques");
    for landmark in [
        "header",
        "nav.toc",
        "main#content",
        "footer",
        "a.skip-link[href='#content']",
        "link[href='../theme.css']",
    ] {
        assert_eq!(select(html, landmark).len(), 1, "{landmark}");
    }
    assert!(site.files.contains_key("theme.css"));
    assert!(
        site.dir.join("assets/logo.png").is_file()
            || !site.files.keys().any(|f| f.starts_with("assets/"))
    );
}

#[test]
fn nu_html_checker_finds_no_error() {
    let dirs: Vec<PathBuf> = BOOKS.iter().map(|name| build(name, "vnu").dir).collect();
    if let Some(report) = common::vnu(&dirs) {
        report.assert_ok();
    }
}

#[test]
fn epub_fragments_are_well_formed_xhtml_with_notes_starting_with_back_links() {
    for name in BOOKS {
        let book = folio_core::open(&book_dir(name)).unwrap();
        let mut notes = 0;
        for (id, _) in book.chapter_ids() {
            let fragment = folio_html::chapter_fragment(&book, id, folio_html::Target::Epub);
            let document = format!(
                "<body xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\">{}</body>",
                fragment.html
            );
            let xml = roxmltree::Document::parse(&document).unwrap_or_else(|e| {
                panic!(
                    "{name} chapter {id:?}: not well-formed: {e}\n{}",
                    fragment.html
                )
            });
            let epub_type = |n: &roxmltree::Node, value| {
                n.attribute(("http://www.idpf.org/2007/ops", "type")) == Some(value)
            };
            for noteref in xml.descendants().filter(|n| epub_type(n, "noteref")) {
                assert_eq!(noteref.attribute("role"), Some("doc-noteref"));
                let target = noteref.attribute("href").unwrap().trim_start_matches('#');
                let aside = xml
                    .descendants()
                    .find(|n| n.attribute("id") == Some(target))
                    .expect("note in the same document");
                assert!(
                    epub_type(&aside, "footnote")
                        && aside.attribute("role") == Some("doc-footnote")
                );
                let first_link = aside
                    .descendants()
                    .find(|n| n.has_tag_name("a"))
                    .expect("back link");
                assert_eq!(first_link.attribute("role"), Some("doc-backlink"));
                let first_text = aside
                    .descendants()
                    .find(|n| n.is_text() && !n.text().unwrap().trim().is_empty())
                    .unwrap();
                assert_eq!(
                    first_text.parent(),
                    Some(first_link),
                    "{name}: the note must start with its back link"
                );
                notes += 1;
            }
            assert!(
                !fragment.html.contains("class=\"anchor\""),
                "no self-links in the EPUB"
            );
            assert!(!fragment.html.contains("<script"), "no script in the EPUB");
        }
        if *name == "white-paper" {
            assert!(notes >= 3, "{name}: {notes} notes");
        }
    }
}

#[test]
fn site_url_adds_canonical_and_open_graph() {
    let mut book = folio_core::open(&common::fixture("white-paper")).unwrap();
    let site = folio_core::config::SiteUrl::parse("https://example.org/communs/").unwrap();
    // As the resolver does when folio.toml sets site-url.
    for asset in &mut book.assets {
        asset.url = Some(site.join(&asset.href));
    }
    book.config.html.site_url = Some(site);
    let output = folio_html::render(&book, &RenderContext { timestamp: 0 }).unwrap();
    let page = output
        .files
        .iter()
        .find(|f| f.path == "2-constituants/1-code_source.html")
        .unwrap();
    let html = Html::parse_document(std::str::from_utf8(&page.bytes).unwrap());
    let attr = |selector: &str, name: &str| {
        select(&html, selector)
            .first()
            .and_then(|e| e.value().attr(name))
            .map(String::from)
    };
    assert_eq!(
        attr("link[rel=canonical]", "href").as_deref(),
        Some("https://example.org/communs/2-constituants/1-code_source.html")
    );
    assert_eq!(
        attr("meta[property='og:title']", "content").as_deref(),
        Some("Le code source — Construire des communs numériques")
    );
    assert_eq!(
        attr("meta[property='og:image']", "content").as_deref(),
        Some("https://example.org/communs/cover.png")
    );
    assert_eq!(
        select(&html, "link[rel=stylesheet]").len(),
        1,
        "only theme.css is linked"
    );
}

/// `[html] css` names files inside the book: each one that is not is an
/// error at its line of folio.toml; the others are linked after the theme.
#[test]
fn stylesheets_are_files_inside_the_book() {
    let dir = common::temp_out("html-stylesheets");
    std::fs::write(dir.join("SUMMARY.md"), "# Summary\n\n* [Un](un.md)\n").unwrap();
    std::fs::write(dir.join("un.md"), "# Un\n\nTexte.\n").unwrap();
    std::fs::write(dir.join("ok.css"), "p { color: teal; }\n").unwrap();
    std::fs::write(
        dir.join("folio.toml"),
        "[html]\ncss = [\n  \"../outside.css\",\n  \"missing.css\",\n  \"ok.css\",\n]\n",
    )
    .unwrap();
    let book = folio_core::open(&dir).unwrap();
    let errors: Vec<String> = book
        .diagnostics
        .iter()
        .filter(|d| d.severity == folio_core::Severity::Error)
        .map(|d| format!("{} {}", d.location(&book.sources), d.message))
        .collect();
    assert_eq!(
        errors,
        [
            "folio.toml:3:3 [html] css: stylesheet `../outside.css` lies outside the book",
            "folio.toml:4:3 [html] css: stylesheet `missing.css` not found",
        ]
    );
    let output = folio_html::render(&book, &RenderContext { timestamp: 0 }).unwrap();
    let page = output.files.iter().find(|f| f.path == "un.html").unwrap();
    let html = Html::parse_document(std::str::from_utf8(&page.bytes).unwrap());
    let linked: Vec<String> = select(&html, "link[rel=stylesheet]")
        .iter()
        .filter_map(|e| e.value().attr("href"))
        .map(String::from)
        .collect();
    assert_eq!(linked, ["theme.css", "ok.css"]);
    assert!(
        output.files.iter().any(|f| f.path == "ok.css"),
        "the stylesheet is copied"
    );
}
