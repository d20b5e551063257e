//! The chapter renderer: a chapter's blocks and notes as an HTML fragment,
//! serialised for one of the targets. The site, the single page, the EPUB and
//! the conformance test all go through here.

use std::cell::RefCell;
use std::fmt::Write as _;

use foldhash::HashMap;

use folio_core::{
    AlertKind, Alignment, AltText, Block, Book, Chapter, ChapterId, CitationItem, Diagnostic,
    Footnote, Image, ImageTarget, Inline, LinkTarget, ListItem, Span,
};

use crate::escape::{escaped, push_escaped, push_text, push_url};
use crate::links::{chapter_href, chapter_url, relative_url};
use crate::{Contents, Fragment, Target, highlight};

mod raw;
use folio_core::locale::{Words, words};

/// A [`Target`], or the shape the CommonMark spec prints (for conformance).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Site,
    SinglePage,
    Epub,
    Spec,
}

impl From<Target> for Flavor {
    fn from(target: Target) -> Self {
        match target {
            Target::Site => Flavor::Site,
            Target::SinglePage => Flavor::SinglePage,
            Target::Epub => Flavor::Epub,
        }
    }
}

impl Flavor {
    fn xhtml(self) -> bool {
        self == Flavor::Epub
    }

    /// Headings get a visible self-link on the web.
    fn heading_links(self) -> bool {
        matches!(self, Flavor::Site | Flavor::SinglePage)
    }

    /// Levels added to headings: on the single page the book's title is the
    /// one `<h1>` and chapters start at `<h2>`.
    fn heading_offset(self) -> u8 {
        u8::from(self == Flavor::SinglePage)
    }

    /// The document the chapter is written into, for relative URLs.
    fn target(self) -> Target {
        match self {
            Flavor::Site | Flavor::Spec => Target::Site,
            Flavor::SinglePage => Target::SinglePage,
            Flavor::Epub => Target::Epub,
        }
    }
}

/// Whether the chapter's first image loads eagerly (it may be on the first
/// screen) or every image is lazy (the chapter comes later on its page).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageLoading {
    EagerFirst,
    AllLazy,
}

pub fn render(
    book: &Book,
    chapter_id: ChapterId,
    flavor: Flavor,
    loading: ImageLoading,
) -> Fragment {
    let chapter = &book.chapters[chapter_id];
    let mut writer = Writer {
        book,
        chapter,
        chapter_id,
        flavor,
        page: chapter_href(book, chapter_id, flavor.target()),
        words: words(&book.metadata.language),
        out: String::with_capacity(
            book.sources
                .get(chapter.source.index())
                .map_or(4096, |s| s.text.len() * 2),
        ),
        diagnostics: Vec::new(),
        contents: Contents::default(),
        links_open: 0,
        loading,
        page_urls: RefCell::default(),
    };
    writer.title();
    writer.blocks(&chapter.blocks, false, "", "");
    writer.notes();
    writer.finish()
}

/// What to do about an image an EPUB cannot carry.
const REMOTE_IMAGE_HINT: &str = "save the image in the book and show it by its path: an EPUB \
     carries its own images, and a reading system need not go online";

struct Writer<'a> {
    book: &'a Book,
    chapter: &'a Chapter,
    /// The chapter's id: its page is `page`.
    chapter_id: ChapterId,
    flavor: Flavor,
    /// Path of the document being written, relative to the output root.
    page: String,
    words: &'static Words,
    out: String,
    diagnostics: Vec<Diagnostic>,
    /// What the fragment holds so far (its images counted: the first may load eagerly).
    contents: Contents,
    /// Links being written around the current point: a link cannot hold one.
    links_open: u32,
    loading: ImageLoading,
    /// The URL of each chapter linked to, seen from this page, once made:
    /// pages link to a few chapters many times (every citation to the
    /// references, which link back to every citation).
    page_urls: RefCell<HashMap<ChapterId, String>>,
}

impl<'a> Writer<'a> {
    /// The id to write for one of this chapter's ids: book-wide on the
    /// single page. (Not borrowing the writer: it is written into `out`.)
    fn id<'s>(&self, local: &'s str) -> &'s str
    where
        'a: 's,
    {
        if self.flavor == Flavor::SinglePage {
            self.chapter.global_id(local)
        } else {
            local
        }
    }
}

impl Writer<'_> {
    fn finish(self) -> Fragment {
        Fragment {
            html: self.out,
            diagnostics: self.diagnostics,
            contents: self.contents,
        }
    }

    /// `>` or `/>`: the end of a void element.
    fn void_end(&self) -> &'static str {
        if self.flavor.xhtml() { "/>" } else { ">" }
    }

    fn warn(&mut self, message: String, span: Span, hint: &str) {
        self.diagnostics
            .push(Diagnostic::warning(message, span).with_hint(hint));
    }

    // ---- Blocks -------------------------------------------------------------

    /// Writes `blocks`; `prefix` and `suffix` (HTML) go inside the first and
    /// last paragraph when there is one (task boxes, back links), in a
    /// paragraph of their own otherwise.
    fn blocks(&mut self, blocks: &[Block], tight: bool, prefix: &str, suffix: &str) {
        let is_paragraph = |block: Option<&Block>| matches!(block, Some(Block::Paragraph { .. }));
        let first_is_paragraph = is_paragraph(blocks.first());
        let last_is_paragraph = is_paragraph(blocks.last());
        if !prefix.is_empty() && !first_is_paragraph {
            self.affix_paragraph(prefix, tight);
        }
        for (i, block) in blocks.iter().enumerate() {
            let before = if i == 0 && first_is_paragraph {
                prefix
            } else {
                ""
            };
            let after = if i + 1 == blocks.len() && last_is_paragraph {
                suffix
            } else {
                ""
            };
            self.block(block, tight, before, after);
        }
        if !suffix.is_empty() && !last_is_paragraph {
            self.affix_paragraph(suffix, tight);
        }
    }

    fn affix_paragraph(&mut self, html: &str, tight: bool) {
        if tight {
            self.out.push_str(html);
        } else {
            let _ = writeln!(self.out, "<p>{html}</p>");
        }
    }

    fn block(&mut self, block: &Block, tight: bool, prefix: &str, suffix: &str) {
        match block {
            Block::Heading {
                level, id, content, ..
            } => self.heading(*level, id, content),
            Block::Paragraph { content, .. } => {
                if !tight {
                    self.out.push_str("<p>");
                }
                self.out.push_str(prefix);
                self.inlines(content);
                self.out.push_str(suffix);
                if !tight {
                    self.out.push_str("</p>");
                }
                self.out.push('\n');
            }
            Block::Figure { image, .. } => self.figure(image),
            Block::BlockQuote { blocks, .. } => {
                self.out.push_str("<blockquote>\n");
                self.blocks(blocks, false, "", "");
                self.out.push_str("</blockquote>\n");
            }
            Block::List {
                start,
                tight,
                items,
                ..
            } => self.list(*start, *tight, items),
            Block::Table {
                alignments,
                header,
                rows,
                ..
            } => self.table(alignments, header, rows),
            Block::CodeBlock { language, code, .. } => self.code_block(language.as_deref(), code),
            Block::ThematicBreak { .. } => {
                let end = self.void_end();
                let _ = writeln!(self.out, "<hr{end}");
            }
            Block::Html(fragment) => self.html_fragment(fragment),
            Block::HtmlElement { element, blocks } => match self.html_start(element) {
                raw::Tags::Done => {}
                tags => {
                    self.out.push('\n');
                    // A `<p>` or a `<span>` holds text, not paragraphs.
                    let tight = raw::holds_phrasing_only(element);
                    self.blocks(blocks, tight, "", "");
                    if let raw::Tags::Written = tags {
                        self.html_end(element);
                        self.out.push('\n');
                    }
                }
            },
            Block::Alert { kind, blocks, .. } => self.alert(kind, blocks),
            Block::DefinitionList { items, .. } => {
                self.out.push_str("<dl>\n");
                for item in items {
                    self.out.push_str("<dt>");
                    self.inlines(&item.term);
                    self.out.push_str("</dt>\n<dd>\n");
                    self.blocks(&item.details, false, "", "");
                    self.out.push_str("</dd>\n");
                }
                self.out.push_str("</dl>\n");
            }
            // Future block kinds: nothing to show rather than a wrong guess.
            _ => {}
        }
    }

    /// A GitHub alert: a note (ARIA's `note` role: a `<div>`, as an
    /// `<aside>` inside the main content would be a landmark of its own),
    /// opened by its label.
    fn alert(&mut self, kind: &AlertKind, blocks: &[Block]) {
        let (label, ours) = self.words.alert(kind);
        let lang = if ours && !self.words.are_in(&self.book.metadata.language) {
            let lang = self.words.lang;
            if self.flavor.xhtml() {
                format!(" lang=\"{lang}\" xml:lang=\"{lang}\"")
            } else {
                format!(" lang=\"{lang}\"")
            }
        } else {
            String::new()
        };
        let _ = writeln!(
            self.out,
            "<div class=\"alert alert-{}\" role=\"note\">\n<p class=\"alert-title\"{lang}>{}</p>",
            kind.class(),
            escaped(&label)
        );
        self.blocks(blocks, false, "", "");
        self.out.push_str("</div>\n");
    }

    /// The chapter's title, when no heading of its own is (as the PDF's
    /// chapter opening always prints it). It carries the chapter's id,
    /// except on the single page, whose section around the chapter does.
    fn title(&mut self) {
        if self.chapter.title_heading.is_some() || self.flavor == Flavor::Spec {
            return;
        }
        let level = 1 + self.flavor.heading_offset();
        let _ = write!(self.out, "<h{level}");
        if self.flavor != Flavor::SinglePage {
            let _ = write!(self.out, " id=\"{}\"", escaped(&self.chapter.id));
        }
        let _ = writeln!(self.out, ">{}</h{level}>", escaped(&self.chapter.title));
    }

    fn heading(&mut self, level: u8, id: &str, content: &[Inline]) {
        let level = level
            .saturating_add(self.flavor.heading_offset())
            .clamp(1, 6);
        if self.flavor == Flavor::Spec {
            let _ = write!(self.out, "<h{level}>");
        } else {
            let _ = write!(self.out, "<h{level} id=\"{}\">", escaped(self.id(id)));
        }
        self.inlines(content);
        if self.flavor.heading_links() {
            // After the text, out of the accessibility tree and the tab order:
            // screen readers hear the heading alone.
            let _ = write!(
                self.out,
                " <a class=\"anchor\" href=\"#{}\" aria-hidden=\"true\" tabindex=\"-1\">#</a>",
                escaped(self.id(id))
            );
        }
        let _ = writeln!(self.out, "</h{level}>");
    }

    fn figure(&mut self, image: &Image) {
        if self.flavor == Flavor::Spec {
            self.out.push_str("<p>");
            self.image(image);
            self.out.push_str("</p>\n");
            return;
        }
        self.out.push_str("<figure>");
        self.image(image);
        if let Some(title) = &image.title {
            let _ = write!(self.out, "<figcaption>{}</figcaption>", escaped(title));
        }
        self.out.push_str("</figure>\n");
    }

    fn list(&mut self, start: Option<u32>, tight: bool, items: &[ListItem]) {
        let bibliography =
            self.flavor != Flavor::Spec && items.iter().any(|item| item.entry.is_some());
        if bibliography {
            self.out.push_str("<div role=\"doc-bibliography\">\n");
        }
        let tag = match start {
            Some(1) => {
                self.out.push_str("<ol>\n");
                "ol"
            }
            Some(start) => {
                let _ = writeln!(self.out, "<ol start=\"{start}\">");
                "ol"
            }
            None => {
                self.out.push_str("<ul>\n");
                "ul"
            }
        };
        for item in items {
            self.list_item(item, tight);
        }
        let _ = writeln!(self.out, "</{tag}>");
        if bibliography {
            self.out.push_str("</div>\n");
        }
    }

    fn list_item(&mut self, item: &ListItem, tight: bool) {
        let entry = item
            .entry
            .and_then(|e| self.book.bibliography.entries.get(e.index()));
        let mut backlinks = String::new();
        match entry {
            Some(entry) => {
                // No role: DPUB-ARIA 1.1 deprecates doc-biblioentry (EPUBCheck and
                // Ace flag it); the list's doc-bibliography container says it all.
                let _ = write!(self.out, "<li id=\"{}\">", escaped(self.id(&entry.id)));
                let hrefs = (entry.cited_by.iter())
                    .map(|site| self.chapter_url(site.chapter, Some(&site.id)));
                backlinks = self.backlinks(hrefs, self.words.back_to_citation);
            }
            None => self.out.push_str("<li>"),
        }
        let task_box = item
            .task
            .map(|checked| self.task_box(checked))
            .unwrap_or_default();
        if !tight
            || item
                .blocks
                .iter()
                .any(|b| !matches!(b, Block::Paragraph { .. }))
        {
            self.out.push('\n');
        }
        self.blocks(&item.blocks, tight, &task_box, &backlinks);
        self.out.push_str("</li>\n");
    }

    fn task_box(&self, checked: bool) -> String {
        let checked_attr = match (checked, self.flavor) {
            (false, _) => "",
            (true, Flavor::Epub) => " checked=\"checked\"",
            (true, _) => " checked=\"\"",
        };
        let disabled = if self.flavor.xhtml() {
            "disabled=\"disabled\""
        } else {
            "disabled=\"\""
        };
        let label = match self.flavor {
            Flavor::Spec => String::new(),
            _ => {
                let state = if checked {
                    self.words.task_done
                } else {
                    self.words.task_open
                };
                format!(" aria-label=\"{}\"", escaped(state))
            }
        };
        format!(
            "<input type=\"checkbox\" {disabled}{checked_attr}{label}{} ",
            self.void_end()
        )
    }

    fn table(
        &mut self,
        alignments: &[Alignment],
        header: &[Vec<Inline>],
        rows: &[Vec<Vec<Inline>>],
    ) {
        let wrapped = self.flavor.heading_links();
        if wrapped {
            // Wide tables scroll sideways on narrow screens instead of the page.
            self.out.push_str("<div class=\"table-wrap\">\n");
        }
        self.out.push_str("<table>\n<thead>\n");
        self.table_row("th", alignments, header);
        self.out.push_str("</thead>\n");
        if !rows.is_empty() {
            self.out.push_str("<tbody>\n");
            for row in rows {
                self.table_row("td", alignments, row);
            }
            self.out.push_str("</tbody>\n");
        }
        self.out.push_str("</table>\n");
        if wrapped {
            self.out.push_str("</div>\n");
        }
    }

    fn table_row(&mut self, kind: &str, alignments: &[Alignment], cells: &[Vec<Inline>]) {
        self.out.push_str("<tr>\n");
        for (i, content) in cells.iter().enumerate() {
            // An empty header cell (a corner) heads nothing: a plain cell,
            // as an empty `<th>` is an accessibility violation.
            let cell = if kind == "th" && content.is_empty() && self.flavor != Flavor::Spec {
                "td"
            } else {
                kind
            };
            let align = match alignments.get(i) {
                Some(Alignment::Left) => "left",
                Some(Alignment::Center) => "center",
                Some(Alignment::Right) => "right",
                _ => "",
            };
            match (align, self.flavor) {
                ("", _) => {
                    let _ = write!(self.out, "<{cell}>");
                }
                // The spec prints the obsolete `align` attribute; valid HTML wants CSS.
                (align, Flavor::Spec) => {
                    let _ = write!(self.out, "<{cell} align=\"{align}\">");
                }
                (align, _) => {
                    let _ = write!(self.out, "<{cell} style=\"text-align: {align}\">");
                }
            }
            self.inlines(content);
            let _ = writeln!(self.out, "</{cell}>");
        }
        self.out.push_str("</tr>\n");
    }

    fn code_block(&mut self, language: Option<&str>, code: &str) {
        let class = language
            .map(|l| format!(" class=\"language-{}\"", escaped(l)))
            .unwrap_or_default();
        if self.flavor == Flavor::Spec {
            let _ = write!(self.out, "<pre><code{class}>");
            push_text(&mut self.out, code);
        } else {
            let _ = write!(self.out, "<pre class=\"code\"><code{class}>");
            match language.and_then(|l| highlight::highlight(code, l)) {
                Some(html) => self.out.push_str(&html),
                None => push_text(&mut self.out, code),
            }
        }
        self.out.push_str("</code></pre>\n");
    }

    // ---- Notes --------------------------------------------------------------

    fn notes(&mut self) {
        let notes = &self.chapter.footnotes;
        if notes.is_empty() || self.flavor == Flavor::Spec {
            return;
        }
        if self.flavor == Flavor::Epub {
            self.out.push_str("<div class=\"footnotes\">\n");
            for note in notes {
                self.epub_note(note);
            }
            self.out.push_str("</div>\n");
            return;
        }
        let level = 2 + self.flavor.heading_offset();
        let _ = writeln!(
            self.out,
            "<section class=\"footnotes\" role=\"doc-endnotes\">\n<h{level}>{}</h{level}>\n<ol>",
            escaped(self.words.notes)
        );
        for note in notes {
            let _ = writeln!(
                self.out,
                "<li id=\"{}\" value=\"{}\">",
                escaped(self.id(&note.id)),
                note.number
            );
            let hrefs = (note.references.iter()).map(|r| format!("#{}", self.id(r)));
            let backlinks = self.backlinks(hrefs, self.words.back_to_reference);
            self.blocks(&note.blocks, false, "", &backlinks);
            self.out.push_str("</li>\n");
        }
        self.out.push_str("</ol>\n</section>\n");
    }

    /// A pop-up note: it starts with its number, linking back to the first
    /// reference (Kindle and Kobo look for that link); further references get
    /// back links at the end.
    fn epub_note(&mut self, note: &Footnote) {
        let _ = writeln!(
            self.out,
            "<aside epub:type=\"footnote\" role=\"doc-footnote\" id=\"{}\">",
            escaped(&note.id)
        );
        let hrefs: Vec<String> = note.references.iter().map(|r| format!("#{r}")).collect();
        let (first, others) = match hrefs.split_first() {
            Some((first, others)) => (first.as_str(), others),
            None => ("", &[][..]),
        };
        let prefix = if first.is_empty() {
            format!("{}. ", note.number)
        } else {
            format!(
                "<a href=\"{}\" role=\"doc-backlink\">{}.</a> ",
                escaped(first),
                note.number
            )
        };
        let suffix = if others.is_empty() {
            String::new()
        } else {
            self.backlinks(others.iter(), self.words.back_to_reference)
        };
        self.blocks(&note.blocks, false, &prefix, &suffix);
        self.out.push_str("</aside>\n");
    }

    /// ` ↩ ↩²…`: one back link per place, labelled for screen readers.
    fn backlinks(
        &self,
        hrefs: impl ExactSizeIterator<Item = impl AsRef<str>>,
        label: &str,
    ) -> String {
        let numbered = hrefs.len() > 1;
        let mut html = String::with_capacity(hrefs.len() * (100 + label.len()));
        for (i, href) in hrefs.enumerate() {
            let n = i + 1;
            html.push_str(" <a href=\"");
            push_url(&mut html, href.as_ref());
            html.push_str("\" role=\"doc-backlink\" aria-label=\"");
            push_escaped(&mut html, label);
            if numbered {
                let _ = write!(html, " {n}");
            }
            // U+FE0E asks for the text glyph, not an emoji arrow.
            html.push_str("\">\u{21A9}\u{FE0E}");
            if n > 1 {
                let _ = write!(html, "<sup>{n}</sup>");
            }
            html.push_str("</a>");
        }
        html
    }

    // ---- Inlines ------------------------------------------------------------

    fn inlines(&mut self, inlines: &[Inline]) {
        for inline in inlines {
            self.inline(inline);
        }
    }

    fn inline(&mut self, inline: &Inline) {
        match inline {
            Inline::Text { text, .. } => push_text(&mut self.out, text),
            Inline::Emphasis { content, .. } => self.wrapped("em", content),
            Inline::Strong { content, .. } => self.wrapped("strong", content),
            Inline::Strikethrough { content, .. } => self.wrapped("del", content),
            Inline::Code { code, .. } => {
                self.out.push_str("<code>");
                push_text(&mut self.out, code);
                self.out.push_str("</code>");
            }
            // MathML as the resolver wrote it (well-formed, the source as
            // `alttext`); a refused formula is its LaTeX as code.
            Inline::Math(math) => match &math.state {
                folio_core::MathState::Converted { mathml } => {
                    self.out.push_str(mathml);
                    self.contents.mathml = true;
                }
                _ => {
                    self.out.push_str(if math.display {
                        "<code class=\"math-source math-display\">"
                    } else {
                        "<code class=\"math-source\">"
                    });
                    push_text(&mut self.out, &math.source);
                    self.out.push_str("</code>");
                }
            },
            Inline::Link(link) => match self.link_href(&link.url, &link.target) {
                Some(href) => {
                    self.out.push_str("<a href=\"");
                    push_url(&mut self.out, &href);
                    self.out.push('"');
                    if let Some(title) = &link.title {
                        self.out.push_str(" title=\"");
                        push_escaped(&mut self.out, title);
                        self.out.push('"');
                    }
                    self.out.push('>');
                    self.links_open += 1;
                    self.inlines(&link.content);
                    self.links_open -= 1;
                    self.out.push_str("</a>");
                }
                None => self.inlines(&link.content),
            },
            Inline::Image(image) => self.image(image),
            Inline::FootnoteRef {
                label, note, id, ..
            } => match note.and_then(|n| self.chapter.footnotes.get(n.index())) {
                Some(note) => self.footnote_ref(note, id),
                None => {
                    self.out.push_str("[^");
                    push_escaped(&mut self.out, label);
                    self.out.push(']');
                }
            },
            Inline::Citation { items, .. } => self.citation(items),
            Inline::SoftBreak { .. } => self.out.push('\n'),
            Inline::HardBreak { .. } => {
                let end = self.void_end();
                let _ = writeln!(self.out, "<br{end}");
            }
            Inline::Html(fragment) => self.html_fragment(fragment),
            Inline::HtmlElement { element, content } => match self.html_start(element) {
                raw::Tags::Done => {}
                tags => {
                    self.inlines(content);
                    if let raw::Tags::Written = tags {
                        self.html_end(element);
                    }
                }
            },
            _ => {}
        }
    }

    fn wrapped(&mut self, tag: &str, content: &[Inline]) {
        self.out.push('<');
        self.out.push_str(tag);
        self.out.push('>');
        self.inlines(content);
        self.out.push_str("</");
        self.out.push_str(tag);
        self.out.push('>');
    }

    fn footnote_ref(&mut self, note: &Footnote, ref_id: &str) {
        let (note_id, ref_id) = (self.id(&note.id), self.id(ref_id));
        let number = note.number.to_string();
        let out = &mut self.out;
        // Pushed piece by piece, not formatted: one per note reference.
        if self.flavor == Flavor::Epub {
            out.push_str("<sup><a epub:type=\"noteref\" role=\"doc-noteref\" href=\"#");
            push_escaped(out, note_id);
            out.push_str("\" id=\"");
            push_escaped(out, ref_id);
            out.push_str("\">");
            out.push_str(&number);
            out.push_str("</a></sup>");
        } else {
            out.push_str("<a href=\"#");
            push_escaped(out, note_id);
            out.push_str("\" id=\"");
            push_escaped(out, ref_id);
            out.push_str("\" role=\"doc-noteref\"><sup>");
            out.push_str(&number);
            out.push_str("</sup></a>");
        }
    }

    /// `[Rogers, 1962, p. 12; Freinet, 1964]`, each key a link to its entry.
    fn citation(&mut self, items: &[CitationItem]) {
        self.out.push('[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.out.push_str("; ");
            }
            match item
                .entry
                .and_then(|e| self.book.bibliography.entries.get(e.index()))
            {
                Some(entry) => {
                    let href = self.chapter_url(entry.chapter, Some(&entry.id));
                    self.out.push_str("<a role=\"doc-biblioref\" href=\"");
                    push_url(&mut self.out, &href);
                    let id = self.id(&item.id);
                    self.out.push_str("\" id=\"");
                    push_escaped(&mut self.out, id);
                    self.out.push_str("\">");
                    push_escaped(&mut self.out, &item.key);
                    self.out.push_str("</a>");
                }
                None => push_escaped(&mut self.out, &item.key),
            }
            if let Some(locator) = &item.locator {
                self.out.push_str(", ");
                push_escaped(&mut self.out, locator);
            }
        }
        self.out.push(']');
    }

    fn image(&mut self, image: &Image) {
        let (src, size) = match &image.target {
            // The reference rendering writes what the author wrote.
            _ if self.flavor == Flavor::Spec => (image.url.clone(), None),
            ImageTarget::Asset { asset }
                if let Some(file) = self.book.assets.get(asset.index()) =>
            {
                self.contents.assets.insert(*asset);
                (relative_url(&self.page, &file.href), file.size)
            }
            // An EPUB must not depend on the network: its alt text stands in,
            // a link to the image unless it is inside a link already.
            ImageTarget::External { .. } if self.flavor == Flavor::Epub && self.links_open > 0 => {
                self.warn(
                    format!(
                        "remote image `{}` is not packaged in the EPUB: its alt text stands in",
                        image.url
                    ),
                    image.span,
                    REMOTE_IMAGE_HINT,
                );
                push_escaped(&mut self.out, &image.alt);
                return;
            }
            ImageTarget::External { url } if self.flavor == Flavor::Epub => {
                self.warn(
                    format!(
                        "remote image `{url}` is not packaged in the EPUB: its alt text links to it"
                    ),
                    image.span,
                    REMOTE_IMAGE_HINT,
                );
                self.out.push_str("<a href=\"");
                push_url(&mut self.out, url);
                self.out.push_str("\">");
                // A link needs a name: the address when nothing describes the image.
                let name = match image.alt_text {
                    AltText::Described => &image.alt,
                    _ => url,
                };
                push_escaped(&mut self.out, name);
                self.out.push_str("</a>");
                return;
            }
            ImageTarget::External { url } => {
                self.contents.remote = true;
                (url.clone(), None)
            }
            // The resolver reported the missing file: its alt text, in every edition.
            ImageTarget::Missing | ImageTarget::Unresolved | ImageTarget::Asset { .. } => {
                push_escaped(&mut self.out, &image.alt);
                return;
            }
        };
        self.out.push_str("<img src=\"");
        push_url(&mut self.out, &src);
        self.out.push_str("\" alt=\"");
        push_escaped(&mut self.out, &image.alt);
        self.out.push('"');
        if let Some(title) = &image.title {
            self.out.push_str(" title=\"");
            push_escaped(&mut self.out, title);
            self.out.push('"');
        }
        if let Some(size) = size {
            let _ = write!(
                self.out,
                " width=\"{}\" height=\"{}\"",
                size.width, size.height
            );
        }
        if self.next_image_is_lazy(image.alt_text) {
            self.out.push_str(" loading=\"lazy\"");
        }
        let end = self.void_end();
        self.out.push_str(end);
    }

    /// Counts an image of the page and tells whether it loads lazily: on the
    /// web, every image but the first, which may be on the first screen.
    fn next_image_is_lazy(&mut self, alt_text: AltText) -> bool {
        let eager = self.contents.images == 0 && self.loading == ImageLoading::EagerFirst;
        self.contents.image(alt_text == AltText::Missing);
        !eager && matches!(self.flavor, Flavor::Site | Flavor::SinglePage)
    }

    // ---- Links --------------------------------------------------------------

    /// The URL a link points at (not yet escaped); `None` when the target
    /// cannot be reached from this edition and the text stands alone.
    fn link_href(&self, url: &str, target: &LinkTarget) -> Option<String> {
        match target {
            // The reference rendering writes what the author wrote.
            _ if self.flavor == Flavor::Spec => Some(url.to_string()),
            LinkTarget::Chapter { chapter, anchor } => {
                Some(self.chapter_url(*chapter, anchor.as_deref()))
            }
            LinkTarget::Anchor { anchor } => Some(format!("#{}", self.id(anchor))),
            LinkTarget::Asset { asset } => {
                let file = &self.book.assets[*asset];
                match self.flavor {
                    // An EPUB may only link to its content documents: the file
                    // on the web edition, if the book says where that is.
                    Flavor::Epub => file.url.clone(),
                    _ => Some(relative_url(&self.page, &file.href)),
                }
            }
            LinkTarget::External { url } => Some(url.clone()),
            // Broken (the resolver warned): the text alone, in every edition.
            LinkTarget::Broken | LinkTarget::Unresolved => None,
        }
    }

    /// URL of `anchor` in chapter `target` (the chapter itself when `None`),
    /// seen from the document being written.
    fn chapter_url(&self, target: ChapterId, anchor: Option<&str>) -> String {
        let Some(chapter) = self.book.chapters.get(target.index()) else {
            return String::new();
        };
        if self.flavor == Flavor::SinglePage {
            let id = anchor.map_or(chapter.id.as_str(), |a| chapter.global_id(a));
            let mut url = String::with_capacity(1 + id.len());
            url.push('#');
            url.push_str(id);
            return url;
        }
        let mut url = String::new();
        if target != self.chapter_id || anchor.is_none() {
            let mut urls = self.page_urls.borrow_mut();
            let page = urls.entry(target).or_insert_with(|| {
                chapter_url(&self.page, self.book, target, self.flavor.target())
            });
            url.reserve(page.len() + 1 + anchor.map_or(0, str::len));
            url.push_str(page);
        }
        if let Some(anchor) = anchor {
            url.push('#');
            url.push_str(anchor);
        }
        url
    }
}

#[cfg(test)]
mod tests {
    use folio_core::{Asset, Block, Book, Inline, LinkTarget, Span, parse_str};

    use crate::{Target, chapter_fragment};

    fn paragraph(content: Vec<Inline>) -> Block {
        Block::Paragraph {
            content,
            span: Span::default(),
        }
    }

    fn text(text: &str) -> Inline {
        Inline::Text {
            text: text.into(),
            span: Span::default(),
        }
    }

    fn book_with_pdf_link(site_url: Option<&str>) -> Book {
        let mut book = parse_str("x\n");
        book.assets.push(Asset {
            path: "assets/charte.pdf".into(),
            href: "assets/charte.pdf".into(),
            url: site_url.map(|site| format!("{}/assets/charte.pdf", site.trim_end_matches('/'))),
            media_type: "application/pdf".into(),
            size: None,
        });
        let link = Inline::Link(Box::new(folio_core::Link {
            url: "assets/charte.pdf".into(),
            title: None,
            target: LinkTarget::Asset {
                asset: folio_core::AssetId(0),
            },
            content: vec![text("la charte")],
            span: Span {
                source: folio_core::SourceId(0),
                line: 3,
                col: 5,
            },
        }));
        book.chapters[0].blocks = vec![paragraph(vec![link])];
        book
    }

    #[test]
    fn asset_links_are_copied_files_on_the_site_and_web_links_or_text_in_the_epub() {
        let site = chapter_fragment(
            &book_with_pdf_link(None),
            folio_core::ChapterId(0),
            Target::Site,
        );
        assert!(
            site.html
                .contains("<a href=\"assets/charte.pdf\">la charte</a>"),
            "{}",
            site.html
        );
        assert!(site.diagnostics.is_empty());

        let epub = chapter_fragment(
            &book_with_pdf_link(None),
            folio_core::ChapterId(0),
            Target::Epub,
        );
        assert!(epub.html.ends_with("\n<p>la charte</p>\n"), "{}", epub.html);
        assert!(
            epub.diagnostics.is_empty(),
            "the resolver warns, once for every edition"
        );

        let epub = chapter_fragment(
            &book_with_pdf_link(Some("https://example.org/livre/")),
            folio_core::ChapterId(0),
            Target::Epub,
        );
        assert!(
            epub.html
                .contains("<a href=\"https://example.org/livre/assets/charte.pdf\">"),
            "{}",
            epub.html
        );
        assert!(epub.diagnostics.is_empty());
    }

    #[test]
    fn footnotes_are_endnotes_on_the_web_and_pop_up_asides_in_the_epub() {
        let book = parse_str("Texte[^a] et encore[^a].\n\n[^a]: La note.\n");
        let site = chapter_fragment(&book, folio_core::ChapterId(0), Target::Site).html;
        let note = &book.chapters[0].footnotes[0];
        let (id, first, second) = (&note.id, &note.references[0], &note.references[1]);
        assert!(
            site.contains(&format!(
                "<a href=\"#{id}\" id=\"{first}\" role=\"doc-noteref\"><sup>1</sup></a>"
            )),
            "{site}"
        );
        assert!(
            site.contains("<section class=\"footnotes\" role=\"doc-endnotes\">\n<h2>Notes</h2>"),
            "{site}"
        );
        assert!(
            site.contains(&format!("<a href=\"#{second}\" role=\"doc-backlink\"")),
            "{site}"
        );

        let epub = chapter_fragment(&book, folio_core::ChapterId(0), Target::Epub).html;
        assert!(epub.contains(&format!("<sup><a epub:type=\"noteref\" role=\"doc-noteref\" href=\"#{id}\" id=\"{first}\">1</a></sup>")), "{epub}");
        assert!(epub.contains(&format!("<aside epub:type=\"footnote\" role=\"doc-footnote\" id=\"{id}\">\n<p><a href=\"#{first}\" role=\"doc-backlink\">1.</a> La note.")), "{epub}");
    }

    #[test]
    fn the_single_page_uses_book_wide_ids() {
        let mut book = parse_str("# Titre\n\nVoir[^1].\n\n[^1]: Note.\n");
        let chapter = &mut book.chapters[0];
        let (heading, note) = (
            chapter
                .blocks
                .iter()
                .find_map(|b| match b {
                    Block::Heading { id, .. } => Some(id.clone()),
                    _ => None,
                })
                .unwrap(),
            chapter.footnotes[0].id.clone(),
        );
        chapter
            .global_ids
            .insert(heading.clone(), format!("{heading}-2"));
        chapter.global_ids.insert(note.clone(), format!("{note}-2"));
        let print = chapter_fragment(&book, folio_core::ChapterId(0), Target::SinglePage).html;
        assert!(
            print.contains(&format!("<h2 id=\"{heading}-2\">")),
            "{print}"
        );
        assert!(print.contains(&format!("href=\"#{note}-2\"")), "{print}");
        assert!(print.contains(&format!("<li id=\"{note}-2\"")), "{print}");
        let site = chapter_fragment(&book, folio_core::ChapterId(0), Target::Site).html;
        assert!(site.contains(&format!("<h1 id=\"{heading}\">")), "{site}");
        assert!(
            site.contains(&format!("class=\"anchor\" href=\"#{heading}\"")),
            "{site}"
        );
        assert!(
            !chapter_fragment(&book, folio_core::ChapterId(0), Target::Epub)
                .html
                .contains("class=\"anchor\"")
        );
    }

    #[test]
    fn every_link_and_header_cell_has_a_name() {
        // An undescribed remote image is named by its address in the EPUB;
        // inside a link, by nothing of its own (the link has its text).
        let book = parse_str(
            "![](https://example.org/s.png)\n\n[![](https://example.org/b.png) site](https://example.org/)\n\n| | B |\n|---|---|\n| 1 | 2 |\n",
        );
        let epub = chapter_fragment(&book, folio_core::ChapterId(0), Target::Epub);
        assert!(
            epub.html
                .contains("<a href=\"https://example.org/s.png\">https://example.org/s.png</a>"),
            "{}",
            epub.html
        );
        assert!(
            epub.html
                .contains("<a href=\"https://example.org/\"> site</a>"),
            "{}",
            epub.html
        );
        // The empty corner of a table heads nothing.
        assert!(
            epub.html.contains("<tr>\n<td></td>\n<th>B</th>"),
            "{}",
            epub.html
        );
    }

    #[test]
    fn remote_images_are_links_in_the_epub_and_images_on_the_web() {
        let book = parse_str("Voir ![un schéma](https://example.org/s.png) ici.\n");
        let epub = chapter_fragment(&book, folio_core::ChapterId(0), Target::Epub);
        assert!(
            epub.html
                .contains("<a href=\"https://example.org/s.png\">un schéma</a>"),
            "{}",
            epub.html
        );
        assert_eq!(epub.diagnostics.len(), 1);
        let site = chapter_fragment(&book, folio_core::ChapterId(0), Target::Site);
        assert!(
            site.html
                .contains("<img src=\"https://example.org/s.png\" alt=\"un schéma\">"),
            "{}",
            site.html
        );

        // The same in raw HTML, which the EPUB rewrites as well.
        let book = parse_str(
            "<p>Voir <img src=\"https://example.org/s.png\" alt=\"un schéma\"> ici.</p>\n",
        );
        let epub = chapter_fragment(&book, folio_core::ChapterId(0), Target::Epub);
        assert!(
            epub.html
                .contains("<p>Voir <a href=\"https://example.org/s.png\">un schéma</a> ici.</p>"),
            "{}",
            epub.html
        );
        assert_eq!(epub.diagnostics.len(), 1, "{:?}", epub.diagnostics);
        let site = chapter_fragment(&book, folio_core::ChapterId(0), Target::Site);
        assert!(
            site.html
                .contains("<img src=\"https://example.org/s.png\" alt=\"un schéma\">"),
            "{}",
            site.html
        );
    }

    #[test]
    fn unbalanced_raw_html_is_repaired_and_reported() {
        let book = parse_str("Un paragraphe.\n\n<div class=\"encadre\">\n\nTexte.\n");
        let site = chapter_fragment(&book, folio_core::ChapterId(0), Target::Site);
        assert!(
            site.html.trim_end().ends_with("<p>Texte.</p>\n</div>"),
            "{}",
            site.html
        );
        // The reader closed it, and said so.
        let warned: Vec<_> = book
            .diagnostics
            .iter()
            .filter(|d| d.message.contains("not closed"))
            .map(|d| d.span.map(|s| s.line))
            .collect();
        assert_eq!(warned, [Some(3)], "{:?}", book.diagnostics);
    }

    /// HTML takes any letter or digit of Unicode into a name; XML only its
    /// own ranges. Found by fuzzing: `<div m²>` made the EPUB ill-formed.
    #[test]
    fn raw_html_names_xml_refuses_leave_the_epub() {
        let book = parse_str("<div m² data-ª=\"1\" lang=\"fr\">\n\nTexte.\n\n</div>\n");
        let epub = chapter_fragment(&book, folio_core::ChapterId(0), Target::Epub);
        let document = format!(
            "<body xmlns=\"http://www.w3.org/1999/xhtml\">{}</body>",
            epub.html
        );
        let parsed = roxmltree::Document::parse(&document)
            .unwrap_or_else(|e| panic!("not well-formed ({e}):\n{}", epub.html));
        let div = parsed
            .descendants()
            .find(|n| n.has_tag_name("div"))
            .expect("the div");
        let names: Vec<&str> = div.attributes().map(|a| a.name()).collect();
        assert_eq!(names, ["lang"], "{}", epub.html);
        let dropped: Vec<&str> = epub
            .diagnostics
            .iter()
            .map(|d| d.message.as_str())
            .filter(|m| m.contains("is not valid XHTML"))
            .collect();
        assert_eq!(dropped.len(), 2, "{dropped:?}");
        // The web edition keeps what HTML allows.
        let site = chapter_fragment(&book, folio_core::ChapterId(0), Target::Site).html;
        assert!(site.contains(" m²"), "{site}");
    }

    /// Each warning the writer gives says what to do about it.
    #[test]
    fn the_writers_warnings_carry_a_hint() {
        let book = parse_str(
            "<style>p { color: red }</style>\n\n<script>x()</script>\n\n\
             <div onclick=\"x()\" m²>\n\ntexte\n\n</div>\n\n![loin](https://example.org/i.png) \
             [![loin](https://example.org/j.png)](https://example.org)\n",
        );
        let mut warnings = Vec::new();
        for target in [Target::Site, Target::Epub] {
            warnings.extend(chapter_fragment(&book, folio_core::ChapterId(0), target).diagnostics);
        }
        assert_eq!(warnings.len(), 7, "{warnings:?}");
        for warning in &warnings {
            assert!(warning.hint.is_some(), "no hint: {}", warning.message);
        }
    }

    #[test]
    fn broken_links_are_their_text_alone_in_every_edition() {
        let book = parse_str(
            "[ailleurs](autre-chapitre.md), [nulle part](#absent), [vide]() et [le web](https://example.org)\n",
        );
        for target in [Target::Site, Target::SinglePage, Target::Epub] {
            let html = chapter_fragment(&book, folio_core::ChapterId(0), target).html;
            assert!(
                html.contains("<p>ailleurs, nulle part, vide et <a href=\"https://example.org\">le web</a></p>"),
                "{target:?}: {html}"
            );
        }
    }

    #[test]
    fn task_boxes_are_labelled() {
        let book = parse_str("- [x] fait\n- [ ] pas fait\n");
        let site = chapter_fragment(&book, folio_core::ChapterId(0), Target::Site).html;
        assert!(
            site.contains(
                "<input type=\"checkbox\" disabled=\"\" checked=\"\" aria-label=\"done\"> fait"
            ),
            "{site}"
        );
        let epub = chapter_fragment(&book, folio_core::ChapterId(0), Target::Epub).html;
        assert!(
            epub.contains(
                "<input type=\"checkbox\" disabled=\"disabled\" aria-label=\"to do\"/> pas fait"
            ),
            "{epub}"
        );
    }
}
