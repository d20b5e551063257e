//! The resolved model written as typst markup.
//!
//! The markup is a generated preamble (`#let folio = (…)`: the settings and
//! the book's metadata), the print design (`template.typ`, fixed), and the
//! body: calls to the template's functions whose arguments are string
//! literals (see [`crate::escape`]) and content blocks of such calls. Every
//! block and inline that comes from a source file records the byte range it
//! produced, so that typst's diagnostics can be reported at `file:line`.

mod blocks;
mod html;
mod inlines;
mod math;
mod preamble;
mod table;

use std::collections::HashSet;
use std::ops::Range;

use folio_core::{Book, ChapterId, Diagnostic, NoteId, PartId, Span};

use crate::escape::{push_markup_text, push_str_literal};
use crate::fonts::FontChain;
use crate::settings::Geometry;

const TEMPLATE: &str = include_str!("../template.typ");

/// The generated typst source and what is needed to report on it.
pub struct Markup {
    pub text: String,
    pub map: SourceMap,
    /// Problems found while writing (remote images, dropped HTML…).
    pub diagnostics: Vec<Diagnostic>,
    /// Images embedded without alt text: they rule out PDF/UA.
    pub images_without_alt: Vec<(String, Span)>,
}

/// Byte ranges of the generated markup → where their content comes from.
#[derive(Debug, Default)]
pub struct SourceMap {
    entries: Vec<(Range<usize>, Span)>,
}

impl SourceMap {
    /// The innermost recorded range holding `offset`.
    pub fn find(&self, offset: usize) -> Option<Span> {
        self.entries
            .iter()
            .filter(|(range, _)| range.contains(&offset))
            .min_by_key(|(range, _)| range.len())
            .map(|(_, span)| *span)
    }
}

/// Layout choices the markup depends on.
#[derive(Debug, Clone)]
pub struct Layout {
    pub geometry: Geometry,
    pub two_sided: bool,
    pub fonts: FontChain,
}

/// Writes the book's markup in one pass. typst refuses a link to a label
/// the document lacks: every link follows the resolver's target, whose
/// anchor is one of the chapter's [`folio_core::Chapter::anchors`], and the
/// markup labels every one of those where it stands.
pub fn generate(book: &Book, layout: Layout) -> Markup {
    let mut generator = Generator::new(book, layout);
    generator.book_markup();
    Markup {
        text: generator.out,
        map: SourceMap {
            entries: generator.map,
        },
        diagnostics: generator.diagnostics,
        images_without_alt: generator.images_without_alt,
    }
}

struct Generator<'a> {
    book: &'a Book,
    layout: Layout,
    out: String,
    map: Vec<(Range<usize>, Span)>,
    diagnostics: Vec<Diagnostic>,
    images_without_alt: Vec<(String, Span)>,
    /// Labels written so far (each one once: typst refuses links to a label
    /// that occurs twice).
    labels: HashSet<String>,
    /// Footnotes already typeset, as (chapter, note): later references point to them.
    notes_done: HashSet<(ChapterId, NoteId)>,
    /// The chapter being written.
    chapter: ChapterId,
    /// How many lists enclose what is being written.
    list_depth: usize,
    /// Each chapter's number, printed before its title (mdBook's labels).
    numbers: Vec<Option<&'a folio_core::SectionNumber>>,
}

impl<'a> Generator<'a> {
    fn new(book: &'a Book, layout: Layout) -> Self {
        Generator {
            book,
            layout,
            out: String::with_capacity(64 * 1024),
            map: Vec::new(),
            diagnostics: Vec::new(),
            images_without_alt: Vec::new(),
            labels: HashSet::new(),
            notes_done: HashSet::new(),
            chapter: ChapterId(0),
            list_depth: 0,
            numbers: folio_core::resolve::toc::numbers(book),
        }
    }

    fn book_markup(&mut self) {
        self.preamble();
        self.out.push_str(TEMPLATE);
        self.out.push_str("\n// ---- The book ----\n#show: folio-book\n#folio-cover-page()\n#folio-title-page()\n#folio-colophon-page()\n");
        self.toc_sketch();
        self.out.push_str("#show: folio-main-matter\n\n");
        for opening in openings(self.book) {
            match opening {
                Opening::Part(id) => self.part(id),
                Opening::Chapter(id) => self.chapter(id),
            }
        }
    }

    /// What the table of contents will list, for typst's first pass (see
    /// `folio-toc` in template.typ): each part's and chapter's heading as
    /// `(level, title, is-part)`.
    fn toc_sketch(&mut self) {
        self.out.push_str("#folio-toc((");
        for opening in openings(self.book) {
            let (level, title, part) = match opening {
                Opening::Part(id) => (1, self.book.parts[id].title.clone(), true),
                Opening::Chapter(id) => (self.chapter_level(id), self.chapter_heading(id), false),
            };
            self.out.push_str(&format!("({level}, "));
            push_str_literal(&mut self.out, &title);
            self.out.push_str(&format!(", {part}), "));
        }
        self.out.push_str("))\n");
    }

    /// The level of a chapter's heading: parts are level 1.
    fn chapter_level(&self, id: ChapterId) -> usize {
        let chapter = &self.book.chapters[id];
        1 + usize::from(chapter.part.is_some()) + chapter.depth as usize
    }

    /// A chapter's heading: its title, after its number when it has one.
    fn chapter_heading(&self, id: ChapterId) -> String {
        let title = &self.book.chapters[id].title;
        match self.numbers[id.index()] {
            Some(number) => format!("{number} {title}"),
            None => title.clone(),
        }
    }

    fn part(&mut self, id: PartId) {
        let part = &self.book.parts[id];
        let start = self.out.len();
        self.out.push_str("#folio-part(");
        push_str_literal(&mut self.out, &part.title);
        self.out.push_str(", ");
        self.label_arg(&part.id);
        self.out.push_str(")\n\n");
        self.record(start, part.span);
    }

    fn chapter(&mut self, id: ChapterId) {
        self.chapter = id;
        let book = self.book;
        let chapter = &book.chapters[id];
        let start = self.out.len();
        let level = self.chapter_level(id);
        self.out.push_str("#folio-chapter(");
        let heading = self.chapter_heading(id);
        push_str_literal(&mut self.out, &heading);
        self.out.push_str(", ");
        self.label_arg(&chapter.id);
        self.out
            .push_str(&format!(", level: {level}, depth: {})\n", chapter.depth));
        // folio-chapter prints the title: the heading that is the title is
        // left out, and its id leads to the chapter's opening.
        let (before, after) = match chapter.title_heading {
            Some(title) => {
                if let folio_core::Block::Heading { id, .. } = &chapter.blocks[title] {
                    self.anchor(chapter.global_id(id));
                }
                (&chapter.blocks[..title], &chapter.blocks[title + 1..])
            }
            None => (&chapter.blocks[..], &[][..]),
        };
        self.out.push('\n');
        self.blocks(before);
        self.blocks(after);
        self.out.push_str("#folio-chapter-end()\n\n");
        self.record(start, chapter.span);
    }

    // ---- Writing helpers ----

    /// Records that `start..` (up to now) comes from `span`.
    fn record(&mut self, start: usize, span: Span) {
        self.map.push((start..self.out.len(), span));
    }

    fn text(&mut self, text: &str) {
        push_markup_text(&mut self.out, text);
    }

    fn literal(&mut self, text: &str) {
        push_str_literal(&mut self.out, text);
    }

    /// Claims `name` as a label; false when empty or already written.
    fn claim_label(&mut self, name: &str) -> bool {
        !name.is_empty() && self.labels.insert(name.to_string())
    }

    /// Writes `#label("name");` right after an element, to name it.
    fn label(&mut self, name: &str) {
        if self.claim_label(name) {
            self.out.push_str("#label(");
            self.literal(name);
            self.out.push_str(");");
        }
    }

    /// A label as a template argument: the string, or `none`.
    fn label_arg(&mut self, name: &str) {
        if self.claim_label(name) {
            self.literal(name);
        } else {
            self.out.push_str("none");
        }
    }

    /// An invisible anchor for links.
    fn anchor(&mut self, name: &str) {
        if self.claim_label(name) {
            self.out.push_str("#folio-anchor(");
            self.literal(name);
            self.out.push_str(");");
        }
    }

    /// Lengths in typst points with a stable, short representation.
    fn points(value: f64) -> String {
        format!("{:.2}pt", value)
    }
}

/// A part's or a chapter's opening, in reading order.
enum Opening {
    Part(PartId),
    Chapter(ChapterId),
}

/// Every opening of the book: each chapter, after its part's when it is
/// the part's first.
fn openings(book: &Book) -> Vec<Opening> {
    let mut openings = Vec::with_capacity(book.chapters.len() + book.parts.len());
    let mut part = None;
    for (id, chapter) in book.chapter_ids() {
        if chapter.part.is_some() && chapter.part != part {
            part = chapter.part;
            openings.extend(part.map(Opening::Part));
        }
        openings.push(Opening::Chapter(id));
    }
    openings
}
