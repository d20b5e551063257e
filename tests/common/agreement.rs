//! The link rule (ARCHITECTURE.md, "Links: one rule for every edition") checked
//! on pages read back: by `tests/agreement.rs` on the fixtures, and by
//! `tests/corpus.rs` on the real books.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use folio_core::{Book, ChapterId, Inline, Link, LinkTarget, plain_text, visit_all_inlines};
use scraper::{Html, Selector};

/// Every page of an EPUB file, by its path in the package.
pub fn epub_pages(epub: &[u8]) -> BTreeMap<String, Html> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(epub)).expect("a zip");
    let mut pages = BTreeMap::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let name = file.name().expect("a UTF-8 name").to_string();
        if name.ends_with(".xhtml") {
            let mut text = String::new();
            file.read_to_string(&mut text).unwrap();
            pages.insert(name, Html::parse_document(&text));
        }
    }
    pages
}

/// Every page of a site written in `dir`, by its path there.
pub fn site_pages(dir: &Path) -> BTreeMap<String, Html> {
    fn walk(dir: &Path, prefix: &str, pages: &mut BTreeMap<String, Html>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            if path.is_dir() {
                walk(&path, &format!("{prefix}{name}/"), pages);
            } else if name.ends_with(".html") {
                let text = std::fs::read_to_string(&path).unwrap();
                pages.insert(format!("{prefix}{name}"), Html::parse_document(&text));
            }
        }
    }
    let mut pages = BTreeMap::new();
    walk(dir, "", &mut pages);
    pages
}

/// Where a link of the model is a link: on the site, in the e-book editions
/// (EPUB and PDF), per the one rule (ARCHITECTURE.md, "Links").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reach {
    pub site: bool,
    pub ebook: bool,
}

/// A chapter's links as the model has them: (text, where it is a link).
pub fn model_links(book: &Book, chapter: ChapterId) -> Vec<(String, Reach)> {
    let mut links = Vec::new();
    visit_all_inlines(&book.chapters[chapter], &mut |inline| {
        if let Inline::Link(link) = inline {
            let Link {
                target, content, ..
            } = &**link;
            let reach = match target {
                LinkTarget::Unresolved => panic!("the resolver leaves no link unresolved"),
                LinkTarget::Broken => Reach {
                    site: false,
                    ebook: false,
                },
                LinkTarget::Asset { asset } => Reach {
                    site: true,
                    ebook: book.assets[*asset].url.is_some(),
                },
                _ => Reach {
                    site: true,
                    ebook: true,
                },
            };
            links.push((squeeze(&shown_text(content)), reach));
        }
    });
    links
}

/// The text a page shows for `content`: its plain text, a converted
/// formula as the text of its MathML (`MerkleCRH^{Orchard}` shows `MerkleCRHOrchard`).
pub fn shown_text(content: &[Inline]) -> String {
    fn shown(inlines: &mut [Inline]) {
        for inline in inlines {
            match inline {
                Inline::Math(math) => {
                    if let folio_core::MathState::Converted { mathml } = &math.state {
                        let text = roxmltree::Document::parse(mathml)
                            .map(|doc| {
                                doc.descendants()
                                    .filter(|n| n.is_text())
                                    .filter_map(|n| n.text())
                                    .collect::<String>()
                            })
                            .unwrap_or_default();
                        *inline = Inline::Text {
                            text,
                            span: math.span,
                        };
                    }
                }
                Inline::Emphasis { content, .. }
                | Inline::Strong { content, .. }
                | Inline::Strikethrough { content, .. }
                | Inline::HtmlElement { content, .. } => shown(content),
                Inline::Link(link) => shown(&mut link.content),
                _ => {}
            }
        }
    }
    let mut copy = content.to_vec();
    shown(&mut copy);
    plain_text(&copy)
}

/// Every chapter's page in `pages` (site or EPUB) links each text of the
/// model's links as often as the model has it leading somewhere there.
pub fn check_links(
    fixture: &str,
    book: &Book,
    site: &BTreeMap<String, Html>,
    epub: &BTreeMap<String, Html>,
) {
    for (id, chapter) in book.chapter_ids() {
        let links = model_links(book, id);
        for (edition, pages, suffix) in [("site", site, ".html"), ("EPUB", epub, ".xhtml")] {
            let page = format!("{}{suffix}", chapter.path);
            let Some((_, page)) = pages
                .iter()
                .find(|(path, _)| **path == page || **path == format!("EPUB/{page}"))
            else {
                panic!(
                    "{fixture}, {edition}: no page {page} among {:?}",
                    pages.keys().collect::<Vec<_>>()
                );
            };
            let linked = linked_texts(page);
            let printed = page_text(page);

            for (text, reach) in &links {
                let leads = if edition == "site" {
                    reach.site
                } else {
                    reach.ebook
                };
                let in_model = links
                    .iter()
                    .filter(|(t, r)| t == text && if edition == "site" { r.site } else { r.ebook })
                    .count();
                let on_page = linked.iter().filter(|t| *t == text).count();
                assert!(
                    if leads {
                        on_page >= in_model && in_model > 0
                    } else {
                        on_page == in_model
                    },
                    "{fixture}, {edition}, {}: `{text}` is linked {on_page} time(s), the model has {in_model} link(s) with it leading somewhere",
                    chapter.file
                );
                assert!(
                    printed.contains(text.as_str()),
                    "{fixture}, {edition}: `{text}` is printed"
                );
            }
        }
    }
}

/// The texts of a page's links that lead somewhere (`a[href]` in its main content).
pub fn linked_texts(page: &Html) -> Vec<String> {
    let links = Selector::parse("main a[href], body > section a[href]").unwrap();
    page.select(&links).map(shown).collect()
}

/// The text of the whole page, as [`shown`].
pub fn page_text(page: &Html) -> String {
    shown(page.root_element())
}

/// What an element shows as text, whitespace collapsed: its text, and the
/// alt text of its images (which the model counts as text, as a reader does).
fn shown(element: scraper::ElementRef) -> String {
    let mut text = String::new();
    for node in element.descendants() {
        match node.value() {
            scraper::Node::Text(t) => text.push_str(t),
            scraper::Node::Element(e) if e.name() == "img" => {
                text.push(' ');
                text.push_str(e.attr("alt").unwrap_or_default());
                text.push(' ');
            }
            _ => {}
        }
    }
    squeeze(&text)
}

fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
