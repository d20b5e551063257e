//! The static site: one page per chapter with the table of contents and
//! previous/next links, `print.html` with the whole book, the theme, the
//! extra stylesheets and the assets.
//!
//! The table of contents is written once for the whole site, not once per
//! page (a page carrying the whole list makes the site grow with the square
//! of its chapters): `toc.js` fills every page's sidebar and marks the page
//! being read; without JavaScript the sidebar links to `toc.html`, the same
//! list as a page.

use std::fmt::Write as _;
use std::sync::Arc;

use rayon::prelude::*;

use folio_core::names::UniqueNames;
use folio_core::{
    AssetId, Block, Book, ChapterId, Diagnostic, Output, OutputFile, RenderContext, TocEntry,
    TocItem, Unchanged, plain_text,
};

use crate::chapter::{self, Flavor, ImageLoading};
use crate::escape::{escaped, push_escaped, push_url};
use crate::links::{PRINT_PAGE, TOC_PAGE, TOC_SCRIPT, chapter_href, chapter_url, relative_url};
use crate::{Error, Target, theme};
use folio_core::locale::{Words, words};

/// What the site rendered for each chapter, kept between builds by a
/// caller that rebuilds the same book after edits (see `folio::Session`):
/// a chapter the model says is unchanged is taken from here.
#[derive(Debug, Default)]
pub struct SiteMemo {
    chapters: Vec<Arc<ChapterPages>>,
}

/// One chapter's share of the site.
#[derive(Debug, Clone)]
struct ChapterPages {
    /// Its whole page.
    page: String,
    /// Its section of the whole-book page.
    section: String,
    /// What rendering it reported.
    diagnostics: Vec<Diagnostic>,
}

pub fn render(
    book: &Book,
    _ctx: &RenderContext,
    memo: Option<&mut SiteMemo>,
    unchanged: &Unchanged,
) -> Result<Output, Error> {
    let mut output = Output::default();
    let site = Site::new(book);
    let earlier = memo.as_deref().map_or(&[][..], |m| &m.chapters[..]);
    // Chapters are written on every core, each as its page and as its
    // section of the whole-book page; pages are then assembled in reading order.
    let chapters: Vec<Arc<ChapterPages>> = (0..book.chapters.len())
        .into_par_iter()
        .map(ChapterId::new)
        .map(|id| unchanged.reuse_or(earlier, id, || Arc::new(site.chapter_pages(id))))
        .collect();
    if let Some(memo) = memo {
        memo.chapters = chapters.clone();
    }
    let mut sections = Vec::with_capacity(chapters.len());
    for (id, pages) in book.chapter_ids().map(|(id, _)| id).zip(chapters) {
        // Each page is copied into the output only when a memo keeps it too.
        let pages = Arc::unwrap_or_clone(pages);
        output.diagnostics.extend(pages.diagnostics);
        output.files.push(OutputFile {
            path: chapter_href(book, id, Target::Site),
            bytes: pages.page.into_bytes(),
        });
        sections.push(pages.section);
    }
    // A folder opened in a browser or served by a host starts at index.html:
    // when no chapter is the root README, send the reader to the first one.
    if let Some(index) = &site.names.index {
        let html = site.redirect_page(&chapter_href(book, ChapterId(0), Target::Site));
        output.files.push(OutputFile {
            path: index.clone(),
            bytes: html.into_bytes(),
        });
    }
    // The one table of contents of the site, its links relative to the root.
    let toc = site.toc(|target| chapter_href(book, target, Target::Site));
    output.files.push(OutputFile {
        path: site.names.toc_script.clone(),
        bytes: toc_script(&toc).into_bytes(),
    });
    output.files.push(OutputFile {
        path: site.names.toc_page.clone(),
        bytes: site.toc_page(&toc).into_bytes(),
    });
    if site.has_print_page() {
        let print = site.print_page(sections);
        output.files.push(OutputFile {
            path: site.names.print.clone(),
            bytes: print.into_bytes(),
        });
    }

    let css = theme::stylesheet(book, &mut output.diagnostics);
    output.files.push(OutputFile {
        path: site.names.theme.clone(),
        bytes: css.into_bytes(),
    });
    for asset in site_assets(book) {
        let bytes = book.read_asset(asset).map_err(|refused| Error::ReadAsset {
            path: book.assets[asset].path.clone(),
            refused,
        })?;
        output.files.push(OutputFile {
            path: book.assets[asset].href.clone(),
            bytes,
        });
    }
    output.files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(output)
}

/// The assets the site holds: what its pages show or link to, the cover
/// (for sharing) and the stylesheets; each once, in id order.
fn site_assets(book: &Book) -> Vec<AssetId> {
    let pages = book.chapters.iter().flat_map(|c| c.assets.iter().copied());
    let mut assets: Vec<AssetId> = pages
        .chain(book.metadata.cover)
        .chain(book.stylesheets.iter().copied())
        .collect();
    assets.sort_unstable();
    assets.dedup();
    assets
}

/// The names of the files the site adds to the book's pages and assets:
/// each takes a name that no chapter page or asset has (beside a chapter
/// `print.md`, the whole-book page becomes `print-2.html`).
struct SiteNames {
    print: String,
    theme: String,
    /// The table of contents as a page: the sidebar without JavaScript.
    toc_page: String,
    /// The script that writes the table of contents into every page's sidebar.
    toc_script: String,
    /// The redirect to the first chapter, unless a chapter or an asset is `index.html`.
    index: Option<String>,
}

impl SiteNames {
    fn new(book: &Book) -> Self {
        let mut taken = UniqueNames::ignoring_case();
        for (id, _) in book.chapter_ids() {
            taken.take(&chapter_href(book, id, Target::Site));
        }
        for asset in &book.assets {
            taken.take(&asset.href);
        }
        let index = (!book.chapters.is_empty() && !taken.is_taken("index.html"))
            .then(|| taken.unique_file("index.html"));
        SiteNames {
            print: taken.unique_file(PRINT_PAGE),
            theme: taken.unique_file(theme::FILE),
            toc_page: taken.unique_file(TOC_PAGE),
            toc_script: taken.unique_file(TOC_SCRIPT),
            index,
        }
    }
}

/// What every page shares.
struct Site<'a> {
    book: &'a Book,
    words: &'static Words,
    names: SiteNames,
}

impl<'a> Site<'a> {
    fn new(book: &'a Book) -> Self {
        Site {
            book,
            words: words(&book.metadata.language),
            names: SiteNames::new(book),
        }
    }

    /// A chapter's page and its section of the whole-book page.
    fn chapter_pages(&self, id: ChapterId) -> ChapterPages {
        let loading = if id.index() == 0 {
            ImageLoading::EagerFirst
        } else {
            ImageLoading::AllLazy
        };
        let page = chapter::render(self.book, id, Flavor::Site, ImageLoading::EagerFirst);
        let mut section = chapter::render(self.book, id, Flavor::SinglePage, loading).html;
        // Kept until print.html takes it: without the room it grew into (up
        // to half of it, a fifth of the site's peak memory in a big book).
        section.shrink_to_fit();
        let path = chapter_href(self.book, id, Target::Site);
        ChapterPages {
            page: self.chapter_page(id, &path, &page.html),
            section,
            diagnostics: page.diagnostics,
        }
    }

    fn chapter_page(&self, id: ChapterId, path: &str, content: &str) -> String {
        let book = self.book;
        let chapter = &book.chapters[id];
        let title = if chapter.title == book.metadata.title || chapter.title.is_empty() {
            book.metadata.title.clone()
        } else {
            format!("{} — {}", chapter.title, book.metadata.title)
        };
        let description =
            chapter_summary(&chapter.blocks).or_else(|| book.metadata.description.clone());
        let mut html = String::with_capacity(content.len() + 4096);
        self.head(&mut html, path, &title, description.as_deref(), true);
        self.header(&mut html, path);
        html.push_str("<div class=\"layout\">\n");
        self.sidebar(&mut html, path);
        html.push_str("<main id=\"content\">\n");
        html.push_str(content);
        self.pagination(&mut html, id, path);
        html.push_str("</main>\n</div>\n");
        self.footer(&mut html, path);
        html
    }

    /// print.html around every chapter's `sections` fragment.
    /// print.html, taking each section's text as it is copied in: the
    /// sections of a big book are not held twice.
    fn print_page(&self, sections: Vec<String>) -> String {
        let book = self.book;
        let toc = self.toc(|target| format!("#{}", book.chapters[target].id));
        let sections_size: usize = sections.iter().map(String::len).sum();
        let mut html =
            String::with_capacity(sections_size + toc.len() + 128 * sections.len() + 8192);
        let page = &self.names.print;
        self.head(
            &mut html,
            page,
            &book.metadata.title,
            book.metadata.description.as_deref(),
            false,
        );
        self.header(&mut html, page);
        html.push_str("<div class=\"layout\">\n");
        // One page, one table of contents: written in place, no script.
        let _ = write!(
            html,
            "<nav class=\"toc\" aria-label=\"{0}\">\n<details>\n<summary>{0}</summary>\n",
            escaped(self.words.contents)
        );
        html.push_str(&toc);
        html.push_str("</details>\n</nav>\n");
        html.push_str("<main id=\"content\">\n<div class=\"book-cover\">\n<h1>");
        push_escaped(&mut html, &book.metadata.title);
        html.push_str("</h1>\n");
        if let Some(subtitle) = &book.metadata.subtitle {
            let _ = writeln!(html, "<p class=\"subtitle\">{}</p>", escaped(subtitle));
        }
        if !book.metadata.authors.is_empty() {
            let _ = writeln!(
                html,
                "<p class=\"authors\">{}</p>",
                escaped(&book.metadata.authors.join(", "))
            );
        }
        html.push_str("</div>\n");
        // The site pages already reported the same findings as the sections.
        for (id, section) in sections.into_iter().enumerate() {
            let _ = writeln!(
                html,
                "<section class=\"chapter\" id=\"{}\">",
                escaped(&book.chapters[id].id)
            );
            html.push_str(&section);
            html.push_str("</section>\n");
        }
        html.push_str("</main>\n</div>\n");
        self.footer(&mut html, page);
        html
    }

    /// toc.html: the table of contents as the page's content.
    fn toc_page(&self, toc: &str) -> String {
        let book = self.book;
        let page = &self.names.toc_page;
        let title = format!("{} — {}", self.words.contents, book.metadata.title);
        let mut html = String::with_capacity(toc.len() + 4096);
        self.head(
            &mut html,
            page,
            &title,
            book.metadata.description.as_deref(),
            false,
        );
        self.header(&mut html, page);
        let _ = write!(
            html,
            "<div class=\"layout\">\n<main id=\"content\">\n<h1>{0}</h1>\n<nav class=\"toc-page\" aria-label=\"{0}\">\n",
            escaped(self.words.contents)
        );
        html.push_str(toc);
        html.push_str("</nav>\n</main>\n</div>\n");
        self.footer(&mut html, page);
        html
    }

    /// A chapter page's sidebar: what `toc.js` fills with the table of
    /// contents; without JavaScript, a link to toc.html. Its size does not
    /// depend on the book's.
    fn sidebar(&self, html: &mut String, path: &str) {
        let contents = escaped(self.words.contents);
        let _ = write!(
            html,
            "<nav class=\"toc\" aria-label=\"{contents}\">\n<details>\n<summary>{contents}</summary>\n<p class=\"toc-all\"><a href=\""
        );
        push_url(html, &relative_url(path, &self.names.toc_page));
        let _ = write!(html, "\">{contents}</a></p>\n</details>\n</nav>\n");
    }

    fn redirect_page(&self, target: &str) -> String {
        let language = if self.book.metadata.language.is_empty() {
            "en"
        } else {
            &self.book.metadata.language
        };
        let title = escaped(&self.book.metadata.title);
        let mut url = String::new();
        push_url(&mut url, target);
        format!(
            "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n\
             <meta http-equiv=\"refresh\" content=\"0; url={url}\">\n<link rel=\"canonical\" href=\"{url}\">\n</head>\n\
             <body>\n<p><a href=\"{url}\">{title}</a></p>\n</body>\n</html>\n",
            escaped(language)
        )
    }

    /// `sidebar`: the page has a sidebar for `toc.js` to fill.
    fn head(
        &self,
        html: &mut String,
        path: &str,
        title: &str,
        description: Option<&str>,
        sidebar: bool,
    ) {
        let book = self.book;
        let language = if book.metadata.language.is_empty() {
            "en"
        } else {
            &book.metadata.language
        };
        let _ = write!(
            html,
            "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"color-scheme\" content=\"light dark\">\n<title>{}</title>\n",
            escaped(language),
            escaped(title)
        );
        if let Some(description) = description {
            let _ = writeln!(
                html,
                "<meta name=\"description\" content=\"{}\">",
                escaped(description)
            );
        }
        if !book.metadata.authors.is_empty() {
            let _ = writeln!(
                html,
                "<meta name=\"author\" content=\"{}\">",
                escaped(&book.metadata.authors.join(", "))
            );
        }
        if let Some(site) = &book.config.html.site_url {
            let url = site.join(path);
            html.push_str("<link rel=\"canonical\" href=\"");
            push_url(html, &url);
            html.push_str("\">\n<meta property=\"og:url\" content=\"");
            push_url(html, &url);
            let _ = write!(
                html,
                "\">\n<meta property=\"og:type\" content=\"article\">\n<meta property=\"og:title\" content=\"{}\">\n<meta property=\"og:site_name\" content=\"{}\">\n",
                escaped(title),
                escaped(&book.metadata.title)
            );
            if let Some(description) = description {
                let _ = writeln!(
                    html,
                    "<meta property=\"og:description\" content=\"{}\">",
                    escaped(description)
                );
            }
            if let Some(url) = book
                .metadata
                .cover
                .and_then(|c| book.assets[c].url.as_deref())
            {
                html.push_str("<meta property=\"og:image\" content=\"");
                push_url(html, url);
                html.push_str("\">\n");
            }
        }
        let stylesheets = book
            .stylesheets
            .iter()
            .map(|&asset| book.assets[asset].href.as_str());
        for css in std::iter::once(self.names.theme.as_str()).chain(stylesheets) {
            html.push_str("<link rel=\"stylesheet\" href=\"");
            push_url(html, &relative_url(path, css));
            html.push_str("\">\n");
        }
        if sidebar {
            html.push_str("<script src=\"");
            push_url(html, &relative_url(path, &self.names.toc_script));
            html.push_str("\" defer></script>\n");
        }
        let _ = write!(
            html,
            "</head>\n<body>\n<a class=\"skip-link\" href=\"#content\">{}</a>\n",
            escaped(self.words.skip_to_content)
        );
    }

    /// `print.html` is written unless `[html] print-page = false` (mdBook's
    /// `[output.html.print] enable`); a book without chapters has nothing else.
    fn has_print_page(&self) -> bool {
        self.book.config.html.print_page != Some(false) || self.book.chapters.is_empty()
    }

    fn header(&self, html: &mut String, path: &str) {
        let home = self.book.chapters.first().map_or_else(
            || self.names.print.clone(),
            |_| chapter_url(path, self.book, ChapterId(0), Target::Site),
        );
        html.push_str("<header class=\"site-header\">\n<a class=\"book-title\" href=\"");
        push_url(html, &home);
        let _ = writeln!(
            html,
            "\">{}</a>\n</header>",
            escaped(&self.book.metadata.title)
        );
    }

    /// The table of contents as a list: parts and the SUMMARY's nesting,
    /// each chapter linked to `href(chapter)`. In the sidebar it is a folded
    /// `<details>` on narrow screens (the text comes first); the theme
    /// unfolds it beside the text on wide ones.
    fn toc(&self, href: impl Fn(ChapterId) -> String) -> String {
        let mut html = String::from("<ol>\n");
        for entry in &self.book.toc {
            self.toc_entry(&mut html, entry, &href);
        }
        html.push_str("</ol>\n");
        html
    }

    fn toc_entry(&self, html: &mut String, entry: &TocEntry, href: &impl Fn(ChapterId) -> String) {
        match entry.item {
            TocItem::Part { part } => {
                let _ = write!(
                    html,
                    "<li class=\"part\"><span class=\"part-title\">{}</span>",
                    escaped(&self.book.parts[part].title)
                );
            }
            TocItem::Chapter { chapter } => {
                html.push_str("<li><a href=\"");
                push_url(html, &href(chapter));
                html.push_str("\">");
                if let Some(number) = &entry.number {
                    let _ = write!(html, "<strong>{number}</strong> ");
                }
                let _ = write!(html, "{}</a>", escaped(&self.book.chapters[chapter].title));
            }
        }
        if !entry.children.is_empty() {
            html.push_str("\n<ol>\n");
            for child in &entry.children {
                self.toc_entry(html, child, href);
            }
            html.push_str("</ol>\n");
        }
        html.push_str("</li>\n");
    }

    fn pagination(&self, html: &mut String, id: ChapterId, path: &str) {
        let previous = id.index().checked_sub(1).map(ChapterId::new);
        let next = Some(id.index() + 1)
            .filter(|n| *n < self.book.chapters.len())
            .map(ChapterId::new);
        if previous.is_none() && next.is_none() {
            return;
        }
        let _ = writeln!(
            html,
            "<nav class=\"pagination\" aria-label=\"{}\">",
            escaped(self.words.pagination)
        );
        for (target, rel, label, class) in [
            (previous, "prev", self.words.previous, "previous"),
            (next, "next", self.words.next, "next"),
        ] {
            let Some(target) = target else { continue };
            let arrow = if rel == "prev" { "←" } else { "→" };
            html.push_str("<a href=\"");
            push_url(html, &chapter_url(path, self.book, target, Target::Site));
            let title = escaped(&self.book.chapters[target].title);
            let text = if rel == "prev" {
                format!("{arrow} {title}")
            } else {
                format!("{title} {arrow}")
            };
            let _ = writeln!(
                html,
                "\" rel=\"{rel}\" class=\"{class}\" aria-label=\"{}: {title}\">{text}</a>",
                escaped(label)
            );
        }
        html.push_str("</nav>\n");
    }

    fn footer(&self, html: &mut String, path: &str) {
        let metadata = &self.book.metadata;
        html.push_str("<footer class=\"site-footer\">\n<p>");
        push_escaped(html, &metadata.title);
        if !metadata.authors.is_empty() {
            html.push_str(" — ");
            push_escaped(html, &metadata.authors.join(", "));
        }
        if let Some(license) = &metadata.license {
            html.push_str(" · ");
            push_escaped(html, license);
        }
        if path != self.names.print && self.has_print_page() {
            html.push_str(" · <a href=\"");
            push_url(html, &relative_url(path, &self.names.print));
            let _ = write!(html, "\">{}</a>", escaped(self.words.whole_book));
        }
        if let Some(repository) = &self.book.config.html.repository {
            html.push_str(" · <a href=\"");
            push_url(html, repository.as_str());
            let _ = write!(html, "\">{}</a>", escaped(self.words.repository));
        }
        html.push_str("</p>\n</footer>\n</body>\n</html>\n");
    }
}

/// toc.js: the table of contents (`toc`, its links relative to the site's
/// root) and the few lines that put it into the page's sidebar, each link
/// made absolute from the script's own address (the script sits at the
/// root), the one to the page being read marked `aria-current="page"`. A
/// page is the same whatever its fragment or query, and `x/index.html` is
/// `x/` (and `x.html` is `x`, as hosts serving clean URLs show it).
fn toc_script(toc: &str) -> String {
    let mut js = String::with_capacity(toc.len() + 1024);
    js.push_str(
        "// The table of contents of every page of the site, written once; without\n\
         // JavaScript, each page's sidebar links to the same list as a page.\n\
         (function () {\n  \"use strict\";\n  var toc = ",
    );
    push_js_string(&mut js, toc);
    js.push_str(
        ";\n  var script = document.currentScript;\n  \
         var nav = document.querySelector(\"nav.toc details\");\n  \
         if (!script || !nav) return;\n  \
         var page = function (address) {\n    \
           var url = new URL(address);\n    \
           url.hash = \"\";\n    \
           url.search = \"\";\n    \
           return url.href.replace(/(index)?\\.html$/, \"\");\n  \
         };\n  \
         var here = page(window.location.href);\n  \
         var list = document.createElement(\"template\");\n  \
         list.innerHTML = toc;\n  \
         list.content.querySelectorAll(\"a[href]\").forEach(function (link) {\n    \
           link.href = new URL(link.getAttribute(\"href\"), script.src).href;\n    \
           if (page(link.href) === here) link.setAttribute(\"aria-current\", \"page\");\n  \
         });\n  \
         var fallback = nav.querySelector(\".toc-all\");\n  \
         if (fallback) fallback.replaceWith(list.content); else nav.appendChild(list.content);\n\
         })();\n",
    );
    js
}

/// `text` as a JavaScript string literal in double quotes (also a JSON
/// string: its escapes are JSON's).
fn push_js_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The chapter's first paragraph as plain text, cut at a word under 160
/// characters: the page's meta description.
fn chapter_summary(blocks: &[Block]) -> Option<String> {
    const LIMIT: usize = 160;
    let text = blocks.iter().find_map(|block| match block {
        Block::Paragraph { content, .. } => Some(plain_text(content)),
        _ => None,
    })?;
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= LIMIT {
        return Some(text);
    }
    let mut summary = String::new();
    for word in text.split(' ') {
        if summary.chars().count() + word.chars().count() + 2 > LIMIT {
            break;
        }
        if !summary.is_empty() {
            summary.push(' ');
        }
        summary.push_str(word);
    }
    summary.push('…');
    Some(summary)
}
