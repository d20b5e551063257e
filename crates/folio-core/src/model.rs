//! The document model: pure data, no I/O.
//!
//! The reader fills it from Markdown, the resolver decides everything a backend
//! needs (ids, link targets, footnote numbers, citation targets, asset paths),
//! and the backends only read it. Everything derives serde so that
//! `folio inspect --json` can print it, as pandoc does with its JSON AST.
//!
//! Enums are `#[non_exhaustive]` where future syntax (GitHub alerts, definition
//! lists, math, `[@key]` citations) will add variants.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::files::{Folder, Refused};

/// An index into one of the model's lists, as a type of its own: a chapter
/// id cannot be used for an asset, nor a bare number for either.
macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u32);

        impl $name {
            /// The id of the item at `index` of its list.
            pub fn new(index: usize) -> Self {
                Self(u32::try_from(index).expect("a list of the model holds fewer than 2^32 items"))
            }

            /// The item's position in its list.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

/// A list of the model indexed by its id type as well as by position:
/// `book.chapters[id]` for a `ChapterId`.
macro_rules! indexed_by {
    ($id:ident, $item:ty) => {
        indexed_by!($id, $item, Vec<$item>);
        indexed_by!($id, $item, [$item]);
    };
    ($id:ident, $item:ty, $list:ty) => {
        impl std::ops::Index<$id> for $list {
            type Output = $item;
            fn index(&self, id: $id) -> &$item {
                &self[id.index()]
            }
        }

        impl std::ops::IndexMut<$id> for $list {
            fn index_mut(&mut self, id: $id) -> &mut $item {
                &mut self[id.index()]
            }
        }
    };
}

indexed_by!(ChapterId, Chapter);
indexed_by!(PartId, Part);
indexed_by!(AssetId, Asset);
indexed_by!(SourceId, Source);
indexed_by!(EntryId, BibEntry);
indexed_by!(NoteId, Footnote);

id! {
    /// A chapter: its place in [`Book::chapters`] (reading order).
    ChapterId
}
id! {
    /// A part: its place in [`Book::parts`].
    PartId
}
id! {
    /// An asset: its place in [`Book::assets`].
    AssetId
}
id! {
    /// A source file: its place in [`Book::sources`].
    SourceId
}
id! {
    /// A bibliography entry: its place in [`Bibliography::entries`].
    EntryId
}
id! {
    /// A footnote of a chapter: its place in [`Chapter::footnotes`].
    NoteId
}

/// Where a node comes from: a source file, 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Span {
    pub source: SourceId,
    pub line: u32,
    pub col: u32,
}

/// A file the book was read from (chapters, SUMMARY.md, book.json, folio.toml…).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Source {
    /// Path relative to the book root, with `/` separators.
    pub path: String,
    /// The text, kept for diagnostics; not part of the JSON model.
    #[serde(skip)]
    pub text: String,
    /// For a file brought in by an mdBook `{{#include}}`, the directive
    /// (each inclusion is a source of its own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub included_from: Option<Span>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Book {
    /// The book root on disk (nowhere for a book held in memory). Every file
    /// folio reads lies below it and is read through it (see [`crate::files`]).
    pub root: Folder,
    pub metadata: Metadata,
    pub config: Config,
    pub parts: Vec<Part>,
    /// Every chapter, in reading order.
    pub chapters: Vec<Chapter>,
    /// The table of contents every edition prints: parts and chapters as
    /// SUMMARY nests them, in reading order (filled by the resolver).
    pub toc: Vec<TocEntry>,
    /// Every file of the book an edition uses: images, files linked to,
    /// stylesheets, fonts, the cover.
    pub assets: Vec<Asset>,
    /// `[html] css`: stylesheets the web pages link after the theme.
    pub stylesheets: Vec<AssetId>,
    /// `[pdf] fonts`: font files the print edition may use.
    pub fonts: Vec<AssetId>,
    pub bibliography: Bibliography,
    pub sources: Vec<Source>,
    pub diagnostics: Vec<Diagnostic>,
    /// The book's LaTeX macros, which the math pass expands.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub math_macros: Vec<MathMacro>,
    /// A multilingual GitBook book (LANGS.md) has no chapters of its own:
    /// each language is a book (see [`crate::open_language`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<Language>,
    /// A GitBook book's glossary (`GLOSSARY.md`): its chapter and its
    /// terms, each linked where it first appears in every other chapter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub glossary: Option<Glossary>,
}

/// The glossary of a GitBook book: a back-matter chapter whose `## Term`
/// headings each define a term. The loader finds the terms, the resolver
/// gives each its heading's id and links the first occurrence of each term
/// in every other chapter (`LinkTarget::Chapter` to that heading).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Glossary {
    pub chapter: ChapterId,
    pub terms: Vec<GlossaryTerm>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GlossaryTerm {
    /// The heading's text, as written (before typography).
    pub term: String,
    /// The heading's place in the glossary chapter's blocks.
    pub block: usize,
    /// The heading's id (filled by the resolver).
    pub id: String,
}

/// One language of a multilingual book: a folder of the content root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Language {
    /// The folder's name (`en`, `fr`): the subfolder of the output folder.
    pub code: String,
    /// As LANGS.md names it (`English`).
    pub title: String,
    /// Relative to the content root.
    pub folder: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    pub title: String,
    pub subtitle: Option<String>,
    pub authors: Vec<String>,
    /// BCP 47 language tag, e.g. `fr` or `en-GB`.
    pub language: String,
    pub description: Option<String>,
    /// ISBN, DOI or URN; editions derive a stable one when absent.
    pub identifier: Option<String>,
    pub license: Option<String>,
    pub publisher: Option<String>,
    pub version: Option<String>,
    /// Publication date, understood as the loader read it.
    pub date: Option<crate::date::PubDate>,
    pub keywords: Vec<String>,
    /// The cover image, an asset.
    pub cover: Option<AssetId>,
}

/// A part heading of the table of contents (`## Part` in a GitBook SUMMARY,
/// `# Part` in an mdBook one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Part {
    pub title: String,
    /// Unique book-wide; usable as an anchor in single-file outputs.
    pub id: String,
    pub span: Span,
}

/// An entry of the table of contents, with the entries SUMMARY nests
/// under it: a part holds its top-level chapters, a chapter its sub-chapters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TocEntry {
    pub item: TocItem,
    /// A numbered chapter's number (`1.2.`), as mdBook labels its numbered
    /// chapters (not its prefix and suffix ones) unless book.toml says
    /// `no-section-label`; every table of contents prints it before the
    /// title. Never set for other layouts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<SectionNumber>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<TocEntry>,
}

/// A chapter's place among the numbered chapters: `[1, 2]`, shown `1.2.`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionNumber(pub Vec<u32>);

impl std::fmt::Display for SectionNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for n in &self.0 {
            write!(f, "{n}.")?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum TocItem {
    /// A part: a heading without a page of its own.
    Part {
        part: PartId,
    },
    Chapter {
        chapter: ChapterId,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChapterKind {
    /// The README / introduction, or an mdBook prefix chapter.
    Front,
    /// An ordinary chapter.
    Body,
    /// An mdBook suffix chapter.
    Back,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chapter {
    /// The title every edition shows (tables of contents, page titles, the
    /// PDF's chapter opening): SUMMARY's (or the first heading's for a single
    /// file); when SUMMARY gives none, the title heading's text, else the
    /// file's name. Never empty once resolved.
    pub title: String,
    /// Which of `blocks` is the level-1 heading that titles the chapter: its
    /// first heading, when no other heading of level 1 follows. An edition
    /// that prints the title itself (the PDF's chapter opening) leaves it
    /// out; no table of contents lists it as a section. `None`: the chapter
    /// has no such heading, and the HTML and the EPUB print the title before
    /// its blocks, as the PDF always does.
    pub title_heading: Option<usize>,
    pub kind: ChapterKind,
    /// The part this chapter belongs to, if any.
    pub part: Option<PartId>,
    /// The enclosing chapter in the SUMMARY tree.
    pub parent: Option<ChapterId>,
    /// Nesting depth in the SUMMARY tree: 0 for top-level chapters.
    pub depth: u32,
    pub source: SourceId,
    /// The source file, relative to the book root: `2-constituants/README.md`.
    pub file: String,
    /// Output path without extension, mirroring the source so URLs survive:
    /// `2-constituants/1-code_source`; a folder's README becomes `…/index`;
    /// a space or another character editions cannot use in a file name
    /// becomes `-` (see [`crate::paths::portable`]).
    pub path: String,
    /// The chapter's own anchor (for links to the chapter as a whole in
    /// single-file outputs), unique book-wide.
    pub id: String,
    pub blocks: Vec<Block>,
    /// Footnotes defined in this chapter, in order of first reference (the
    /// loader leaves them in source order, unnumbered; the resolver orders them).
    pub footnotes: Vec<Footnote>,
    /// The assets the chapter shows or links to (its notes included), each
    /// once, in order of first use.
    pub assets: Vec<AssetId>,
    /// Every id the chapter carries: its own, its headings', its notes' and
    /// their references', its citations', its bibliography entries', those
    /// of its raw HTML. Every edition defines each one (once), so that a
    /// link to any of them never leads nowhere — except the chapter's own
    /// id, which a chapter's own page need not carry: a link naming it is
    /// given the chapter itself as target ([`LinkTarget::Chapter`] without
    /// an anchor).
    pub anchors: BTreeSet<String>,
    /// Ids of this chapter that collide with ids of other chapters, mapped to
    /// the book-wide id to use in single-file outputs. See [`Chapter::global_id`].
    pub global_ids: BTreeMap<String, String>,
    pub span: Span,
}

impl Chapter {
    /// Whether what other pages print of the chapter or link to (its title,
    /// its place, its paths and ids) is the same in both.
    pub(crate) fn same_frame(&self, other: &Chapter) -> bool {
        fn header(chapter: &Chapter) -> impl PartialEq + '_ {
            (
                &chapter.title,
                chapter.title_heading,
                chapter.kind,
                chapter.part,
                chapter.parent,
                chapter.depth,
                chapter.source,
                &chapter.file,
                &chapter.path,
                &chapter.id,
                &chapter.global_ids,
            )
        }
        header(self) == header(other)
    }

    /// The id to use for `local` when every chapter shares one file (PDF,
    /// single-page HTML). Ids unique book-wide are kept as they are.
    pub fn global_id<'a>(&'a self, local: &'a str) -> &'a str {
        self.global_ids.get(local).map_or(local, String::as_str)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Block {
    Heading {
        /// Normalised per chapter: the chapter's top heading level becomes 1.
        level: u8,
        /// Unique within the chapter. The reader sets explicit `{#id}`s only;
        /// the resolver generates the others.
        id: String,
        content: Vec<Inline>,
        span: Span,
    },
    Paragraph {
        content: Vec<Inline>,
        span: Span,
    },
    /// A paragraph holding a single image: rendered as a figure.
    Figure {
        image: Box<Image>,
        span: Span,
    },
    BlockQuote {
        blocks: Vec<Block>,
        span: Span,
    },
    List {
        /// `Some(start)` for an ordered list.
        start: Option<u32>,
        tight: bool,
        items: Vec<ListItem>,
        span: Span,
    },
    Table {
        alignments: Vec<Alignment>,
        header: Vec<Vec<Inline>>,
        rows: Vec<Vec<Vec<Inline>>>,
        span: Span,
    },
    CodeBlock {
        /// The language alone, for highlighting: `rust` in ```` ```rust,ignore ````
        /// (see [`crate::code::info`]).
        language: Option<String>,
        /// The info string's other words (`ignore`, `should_panic`,
        /// `edition2021`, `.class`): kept, printed by no edition.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        attributes: Vec<String>,
        /// The code every edition prints: in Rust, mdBook's hidden lines
        /// (`# ` lines) left out and `##` unescaped (see [`crate::code::visible`]).
        code: String,
        span: Span,
    },
    ThematicBreak {
        span: Span,
    },
    /// Raw HTML whose elements all open and close inside it (text,
    /// comments, `<script>`…): its own small tree.
    Html(HtmlFragment),
    /// A raw HTML element whose tags enclose Markdown blocks (`<div>`, a
    /// blank line, Markdown, `</div>`): one node holding them.
    HtmlElement {
        element: Box<HtmlElement>,
        blocks: Vec<Block>,
    },
    /// Blocks a GitBook template writes differently per output
    /// (`{% if output.name == "ebook" %}`): the HTML edition has `website`,
    /// the EPUB and the PDF `ebook`. Resolved like any blocks; a backend
    /// never meets one: it reads [`Book::for_edition`].
    ForEditions {
        website: Vec<Block>,
        ebook: Vec<Block>,
        span: Span,
    },
    /// A GitHub alert (`> [!NOTE]` and the first line alone): a block quote
    /// every edition prints with its kind's label (see [`AlertKind`]).
    Alert {
        kind: AlertKind,
        blocks: Vec<Block>,
        span: Span,
    },
    /// A definition list: terms, each followed by its details.
    DefinitionList {
        items: Vec<DefinitionItem>,
        span: Span,
    },
}

impl Block {
    pub fn span(&self) -> Span {
        match self {
            Block::Heading { span, .. }
            | Block::Paragraph { span, .. }
            | Block::Figure { span, .. }
            | Block::BlockQuote { span, .. }
            | Block::List { span, .. }
            | Block::Table { span, .. }
            | Block::CodeBlock { span, .. }
            | Block::ThematicBreak { span }
            | Block::ForEditions { span, .. }
            | Block::Alert { span, .. }
            | Block::DefinitionList { span, .. } => *span,
            Block::Html(fragment) => fragment.span,
            Block::HtmlElement { element, .. } => element.span,
        }
    }
}

/// The kind of a GitHub alert. GitHub knows five; another word in the
/// brackets (`> [!EXAMPLE]`, `> [!EDITION-2021]`, as mdbook-spec writes
/// them) is kept as [`AlertKind::Other`], labelled with the word itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AlertKind {
    Note,
    Tip,
    Important,
    Warning,
    Caution,
    /// The word as written, uppercase (`EXAMPLE`, `EDITION-2021`).
    Other(String),
}

impl AlertKind {
    /// The kind a bracketed word names: GitHub's five in any case, else
    /// any other word of letters, digits, `-` and `_`.
    pub fn from_word(word: &str) -> Option<AlertKind> {
        let upper = word.to_ascii_uppercase();
        Some(match upper.as_str() {
            "NOTE" => AlertKind::Note,
            "TIP" => AlertKind::Tip,
            "IMPORTANT" => AlertKind::Important,
            "WARNING" => AlertKind::Warning,
            "CAUTION" => AlertKind::Caution,
            _ if (1..=40).contains(&word.len())
                && word.starts_with(|c: char| c.is_ascii_alphabetic())
                && word
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') =>
            {
                AlertKind::Other(upper)
            }
            _ => return None,
        })
    }

    /// A class name for styles: `note`, …, `other`.
    pub fn class(&self) -> &'static str {
        match self {
            AlertKind::Note => "note",
            AlertKind::Tip => "tip",
            AlertKind::Important => "important",
            AlertKind::Warning => "warning",
            AlertKind::Caution => "caution",
            AlertKind::Other(_) => "other",
        }
    }
}

/// One term of a definition list and its details (the `: …` after it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DefinitionItem {
    pub term: Vec<Inline>,
    pub details: Vec<Block>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListItem {
    /// `Some(checked)` for a task list item.
    pub task: Option<bool>,
    pub blocks: Vec<Block>,
    /// Set when this item is a bibliography entry: its anchor id and entry.
    pub entry: Option<EntryId>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Alignment {
    None,
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Inline {
    Text {
        text: String,
        span: Span,
    },
    Emphasis {
        content: Vec<Inline>,
        span: Span,
    },
    Strong {
        content: Vec<Inline>,
        span: Span,
    },
    Strikethrough {
        content: Vec<Inline>,
        span: Span,
    },
    Code {
        code: String,
        span: Span,
    },
    // Links and images are boxed (and raw HTML elements, formulas): each is
    // several times the size of the text that makes up most of a book, and
    // every node of a sequence is as big as its biggest kind (72 bytes
    // instead of 120).
    Link(Box<Link>),
    Image(Box<Image>),
    FootnoteRef {
        label: String,
        /// The chapter's note; `None` when undefined.
        note: Option<NoteId>,
        /// This reference's own anchor id (the note links back to it).
        id: String,
        span: Span,
    },
    /// One pair of brackets holding one or more author-year citations.
    Citation {
        items: Vec<CitationItem>,
        span: Span,
    },
    SoftBreak {
        span: Span,
    },
    HardBreak {
        span: Span,
    },
    /// Raw HTML whose elements all open and close inside it (`<br>`, `<img>`,
    /// `<kbd>Ctrl</kbd>`).
    Html(HtmlFragment),
    /// A raw HTML element whose tags enclose Markdown inlines
    /// (`<span class="x">`, Markdown text, `</span>`): one node holding them.
    HtmlElement {
        /// Boxed, as links are: see [`Inline::Link`].
        element: Box<HtmlElement>,
        content: Vec<Inline>,
    },
    /// A formula: `$…$`, `$$…$$`, or mdBook's MathJax `\\( … \\)`, `\\[ … \\]`.
    /// Boxed, as links are: see [`Inline::Link`].
    Math(Box<Math>),
}

/// A LaTeX formula, read once by the reader and converted once by the
/// resolver (`resolve::math`): every edition prints what [`Math::state`] says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Math {
    /// The LaTeX as written, between its delimiters.
    pub source: String,
    /// `$$…$$` or `\\[ … \\]`: a formula set on its own line.
    pub display: bool,
    pub state: MathState,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum MathState {
    /// As the reader leaves it: the math pass replaces every one.
    Unresolved,
    /// Converted: MathML Core, one `<math>` element in the MathML namespace
    /// with the source as its `alttext`, the book's macros expanded. The web
    /// and EPUB editions write it as it is; the PDF typesets the same tree.
    Converted { mathml: String },
    /// The converter refused the formula (a warning at its span says why):
    /// every edition shows the source as code.
    Refused { reason: String },
}

/// A LaTeX macro of the book (`[preprocessor.katex] macros`, `[build]
/// math-macros`): `\name` stands for `definition`, whose `#1`…`#9` are its arguments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MathMacro {
    pub name: String,
    pub definition: String,
    pub span: Span,
}

impl Inline {
    pub fn span(&self) -> Span {
        match self {
            Inline::Text { span, .. }
            | Inline::Emphasis { span, .. }
            | Inline::Strong { span, .. }
            | Inline::Strikethrough { span, .. }
            | Inline::Code { span, .. }
            | Inline::FootnoteRef { span, .. }
            | Inline::Citation { span, .. }
            | Inline::SoftBreak { span }
            | Inline::HardBreak { span } => *span,
            Inline::Link(link) => link.span,
            Inline::Image(image) => image.span,
            Inline::Html(fragment) => fragment.span,
            Inline::HtmlElement { element, .. } => element.span,
            Inline::Math(math) => math.span,
        }
    }
}

/// Raw HTML as a tree, read once by the reader (html5ever's tokenizer, so
/// quoting and character references read as a browser reads them): every
/// edition serialises it, or leaves it out, by its own documented rule, and
/// none parses it again. An element whose tags lie in one chunk of raw HTML
/// is an [`HtmlNode`] here; one whose tags enclose Markdown is a
/// [`Block::HtmlElement`] or an [`Inline::HtmlElement`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HtmlFragment {
    pub nodes: Vec<HtmlNode>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum HtmlNode {
    Element {
        element: HtmlElement,
        children: Vec<HtmlNode>,
    },
    /// Text, character references decoded.
    Text {
        text: String,
        span: Span,
    },
    Comment {
        text: String,
        span: Span,
    },
    /// An element whose content is not HTML but text of its own language:
    /// `<script>`, `<style>` (and `<iframe>`, `<xmp>`, `<noembed>`,
    /// `<noframes>`, whose content a browser reads the same way).
    RawText {
        element: HtmlElement,
        text: String,
    },
}

impl HtmlNode {
    pub fn span(&self) -> Span {
        match self {
            HtmlNode::Element { element, .. } | HtmlNode::RawText { element, .. } => element.span,
            HtmlNode::Text { span, .. } | HtmlNode::Comment { span, .. } => *span,
        }
    }
}

/// A raw HTML element's start tag: name and attributes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HtmlElement {
    /// Lowercase, as HTML reads it (SVG's own names keep their case: `clipPath`).
    pub name: String,
    /// In source order, each name once (the first wins, as in a browser).
    pub attributes: Vec<HtmlAttribute>,
    pub span: Span,
}

/// One attribute of a raw HTML element.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HtmlAttribute {
    pub name: String,
    /// Character references decoded.
    pub value: String,
    /// For an attribute that names a place (`<a href>`, `<img src>`,
    /// `<video poster>`…, see [`HtmlElement::names_a_place`]): decided by
    /// the resolver as a Markdown link's or image's target is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<LinkTarget>,
}

/// The attributes that name another place, by element.
const PLACES: &[(&str, &str)] = &[
    ("a", "href"),
    ("area", "href"),
    ("img", "src"),
    ("source", "src"),
    ("track", "src"),
    ("audio", "src"),
    ("video", "src"),
    ("video", "poster"),
];

/// Whether `attribute` of an `element` names a place (see [`HtmlAttribute::target`]).
pub fn names_a_place(element: &str, attribute: &str) -> bool {
    PLACES.iter().any(|&(e, a)| e == element && a == attribute)
}

impl HtmlElement {
    /// The value of attribute `name`, if the element has it.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.name == name)
            .map(|a| a.value.as_str())
    }

    /// Whether attribute `attribute` of this element names a place of the
    /// book or of the web, which the resolver decides.
    pub fn names_a_place(&self, attribute: &str) -> bool {
        names_a_place(&self.name, attribute)
    }

    /// Each attribute that names a place: its value (trimmed) and its target.
    pub fn places(&mut self) -> impl Iterator<Item = (&str, &mut LinkTarget)> {
        self.attributes.iter_mut().filter_map(|attribute| {
            let target = attribute.target.as_mut()?;
            Some((attribute.value.trim(), target))
        })
    }

    /// The id this element defines: its `id`, or an `<a name>`.
    pub fn anchor(&self) -> Option<&str> {
        self.attribute("id")
            .or_else(|| self.attribute("name").filter(|_| self.name == "a"))
            .filter(|id| !id.is_empty())
    }

    /// Whether `attribute` holds an id of the chapter (see [`Self::anchor`]).
    pub fn is_anchor_attribute(&self, attribute: &str) -> bool {
        attribute == "id" || (attribute == "name" && self.name == "a")
    }

    /// `<a href>` and `<area href>` lead to a place; `src` and `poster` embed a file.
    pub fn is_link(&self) -> bool {
        matches!(self.name.as_str(), "a" | "area")
    }

    /// What a file this element embeds is, for messages: `image` or `file`.
    pub fn what(&self) -> &'static str {
        if self.name == "img" { "image" } else { "file" }
    }

    /// An `<img>` as the model's image, for editions that print it themselves.
    pub fn image(&self) -> Option<Image> {
        let src = self.attributes.iter().find(|a| a.name == "src")?;
        (self.name == "img").then(|| Image {
            url: src.value.trim().to_string(),
            alt: self.attribute("alt").unwrap_or_default().to_string(),
            alt_text: AltText::of_attribute(self.attribute("alt")),
            title: self.attribute("title").map(str::to_string),
            target: src.target.clone().map_or(ImageTarget::Missing, Into::into),
            span: self.span,
        })
    }
}

/// HTML elements that have no content and no end tag.
pub const VOID_ELEMENTS: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// A link, as [`Inline::Link`] holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Link {
    /// The destination as written by the author.
    pub url: String,
    pub title: Option<String>,
    /// Decided by the resolver.
    pub target: LinkTarget,
    pub content: Vec<Inline>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Image {
    /// The source as written.
    pub url: String,
    pub alt: String,
    /// Whether `alt` tells what the image shows: the one decision every
    /// edition's accessibility claims follow (see [`AltText`]).
    pub alt_text: AltText,
    pub title: Option<String>,
    pub target: ImageTarget,
    pub span: Span,
}

/// Whether an image has a text alternative, decided once where the image is
/// read: the resolver warns about [`AltText::Missing`]; the EPUB claims
/// "every image described" when none is missing; the PDF claims PDF/UA only
/// when every image it shows is [`AltText::Described`] (typst has no way to
/// mark an image as decoration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AltText {
    /// A text says what the image shows.
    Described,
    /// Raw HTML's `alt=""`: the author marked the image as decoration.
    Decorative,
    /// Nothing says what the image shows.
    Missing,
}

impl AltText {
    /// A Markdown image's: `![text](…)`, described when the text is not blank.
    pub fn of_markdown(alt: &str) -> AltText {
        if alt.trim().is_empty() {
            AltText::Missing
        } else {
            AltText::Described
        }
    }

    /// A raw `<img>`'s: its `alt` attribute, absent or blank.
    pub fn of_attribute(alt: Option<&str>) -> AltText {
        match alt {
            None => AltText::Missing,
            Some("") => AltText::Decorative,
            Some(alt) => AltText::of_markdown(alt),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum ImageTarget {
    /// As the reader leaves it: the assets pass replaces every one.
    Unresolved,
    /// No file can be shown (an error was reported).
    Missing,
    Asset {
        asset: AssetId,
    },
    /// A remote image: never fetched.
    External {
        url: String,
    },
}

/// A file's target as an image's: a chapter or an anchor is no image.
impl From<LinkTarget> for ImageTarget {
    fn from(target: LinkTarget) -> Self {
        match target {
            LinkTarget::Asset { asset } => ImageTarget::Asset { asset },
            LinkTarget::External { url } => ImageTarget::External { url },
            LinkTarget::Unresolved => ImageTarget::Unresolved,
            LinkTarget::Broken | LinkTarget::Chapter { .. } | LinkTarget::Anchor { .. } => {
                ImageTarget::Missing
            }
        }
    }
}

/// Where a link leads, as the resolver decided. Every edition follows one
/// rule: a link whose target is [`LinkTarget::Broken`] is its text alone;
/// every other target is a link, and an anchor it names is one of the
/// target chapter's [`Chapter::anchors`], which every edition defines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum LinkTarget {
    /// As the reader leaves it: the links pass replaces every one.
    Unresolved,
    /// Leads nowhere (a warning was reported): its text alone is printed.
    Broken,
    /// A chapter, and an id inside it (`None`: the chapter itself).
    Chapter {
        chapter: ChapterId,
        anchor: Option<String>,
    },
    /// An anchor in the same chapter.
    Anchor {
        anchor: String,
    },
    /// A file of the book that is not a chapter (a PDF under assets/…).
    Asset {
        asset: AssetId,
    },
    External {
        url: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CitationItem {
    /// The citation as typed, e.g. `Rogers, 1962` (without locator).
    pub key: String,
    /// `p. 12` in `[Rogers, 1962, p. 12]`.
    pub locator: Option<String>,
    /// The bibliography entry; `None` when no entry has this key (warned).
    pub entry: Option<EntryId>,
    /// This occurrence's anchor id, for the entry's back links.
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Footnote {
    /// The label as written (`1` in `[^1]`), scoped to its chapter.
    pub label: String,
    /// Display number, per book or per chapter as configured.
    pub number: u32,
    /// The note's anchor id.
    pub id: String,
    pub blocks: Vec<Block>,
    /// Ids of every reference to this note, in order.
    pub references: Vec<String>,
    pub span: Span,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Bibliography {
    /// The chapter that holds the entries, when there is one.
    pub chapter: Option<ChapterId>,
    pub entries: Vec<BibEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BibEntry {
    /// The key as it starts the entry, e.g. `Rogers, 1962`.
    pub key: String,
    /// The entry's anchor id in its chapter, e.g. `ref-rogers-1962`.
    pub id: String,
    pub chapter: ChapterId,
    /// Every place that cites this entry, in reading order.
    pub cited_by: Vec<CitationSite>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CitationSite {
    pub chapter: ChapterId,
    /// The citation item's id in that chapter.
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Asset {
    /// Path relative to the book root, with `/` separators: where it is read.
    pub path: String,
    /// Where the editions put it, relative to their root: `path` with the
    /// characters that EPUB or URLs handle badly (spaces, `#`, `?`…)
    /// replaced, unique among the book's assets. See [`crate::paths::portable`].
    pub href: String,
    /// Its address on the web edition, when `[html] site-url` says where
    /// that is: the EPUB and the PDF, which do not carry the file, link
    /// there (without it, a link to the file is its text alone there).
    pub url: Option<String>,
    pub media_type: String,
    /// Pixel size, for images.
    pub size: Option<ImageSize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageSize {
    pub width: u32,
    pub height: u32,
}

impl Book {
    /// Which chapters of this book are what they were in `earlier`, an
    /// earlier build of the same book, with everything a backend reads
    /// besides the chapter itself: the metadata, the settings, the parts, the
    /// assets, the bibliography, and every chapter's title, place, paths and
    /// ids (a page links to its neighbours and to other chapters' anchors).
    /// The table of contents is left out: each edition writes it again on
    /// every build. What differs in the frame makes every chapter changed.
    pub fn unchanged_since(&self, earlier: &Book) -> crate::output::Unchanged {
        use crate::output::Unchanged;
        fn frame(book: &Book) -> impl PartialEq + '_ {
            (
                &book.root,
                &book.metadata,
                &book.config,
                &book.parts,
                &book.assets,
                &book.stylesheets,
                &book.fonts,
                &book.bibliography,
                &book.math_macros,
                &book.languages,
                &book.glossary,
            )
        }
        let same_frame = frame(self) == frame(earlier)
            && self.chapters.len() == earlier.chapters.len()
            && self
                .chapters
                .iter()
                .zip(&earlier.chapters)
                .all(|(now, then)| now.same_frame(then));
        if !same_frame {
            return Unchanged::nothing();
        }
        // Every node of the book compared: on every core.
        use rayon::prelude::*;
        Unchanged::from_flags(
            self.chapters
                .par_iter()
                .zip(&earlier.chapters)
                .map(|(now, then)| now == then)
                .collect(),
        )
    }

    /// Every chapter with its id, in reading order.
    pub fn chapter_ids(
        &self,
    ) -> impl ExactSizeIterator<Item = (ChapterId, &Chapter)> + DoubleEndedIterator {
        self.chapters
            .iter()
            .enumerate()
            .map(|(i, chapter)| (ChapterId::new(i), chapter))
    }

    /// The content of an asset, read through the file gate (the resolver
    /// found it inside the root; the gate checks again).
    pub fn read_asset(&self, asset: AssetId) -> Result<Vec<u8>, Refused> {
        self.root
            .read(&self.assets[asset].path, crate::files::MAX_FILE)
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == crate::diagnostics::Severity::Error)
    }
}

/// The heading that titles a chapter of `blocks` (see
/// [`Chapter::title_heading`]): its first heading, when it is of level 1,
/// not empty, and no other heading of level 1 follows.
pub fn title_heading(blocks: &[Block]) -> Option<usize> {
    let mut headings = blocks
        .iter()
        .enumerate()
        .filter_map(|(i, block)| match block {
            Block::Heading { level, content, .. } => Some((i, *level, content)),
            _ => None,
        });
    let (first, level, content) = headings.next()?;
    let titles = level == 1 && !plain_text(content).trim().is_empty();
    (titles && headings.all(|(_, level, _)| level != 1)).then_some(first)
}

/// Concatenated plain text of inlines (for titles, alt text, slugs, PDF bookmarks).
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    push_plain_text(inlines, &mut out);
    out
}

fn push_plain_text(inlines: &[Inline], out: &mut String) {
    for inline in inlines {
        match inline {
            Inline::Text { text, .. } => out.push_str(text),
            Inline::Code { code, .. } => out.push_str(code),
            Inline::Emphasis { content, .. }
            | Inline::Strong { content, .. }
            | Inline::Strikethrough { content, .. } => push_plain_text(content, out),
            Inline::Link(link) => push_plain_text(&link.content, out),
            Inline::Image(image) => out.push_str(&image.alt),
            Inline::Citation { items, .. } => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str("; ");
                    }
                    out.push_str(&item.key);
                    if let Some(locator) = &item.locator {
                        out.push_str(", ");
                        out.push_str(locator);
                    }
                }
                out.push(']');
            }
            Inline::SoftBreak { .. } | Inline::HardBreak { .. } => out.push(' '),
            Inline::HtmlElement { content, .. } => push_plain_text(content, out),
            Inline::Html(fragment) => push_html_text(&fragment.nodes, out),
            Inline::Math(math) => out.push_str(&math.source),
            Inline::FootnoteRef { .. } => {}
        }
    }
}

/// The text raw HTML shows: its text nodes and its images' alt text.
pub fn push_html_text(nodes: &[HtmlNode], out: &mut String) {
    for node in nodes {
        match node {
            HtmlNode::Text { text, .. } => out.push_str(text),
            HtmlNode::Element { element, children } => {
                if let Some(alt) = element.attribute("alt").filter(|_| element.name == "img") {
                    out.push_str(alt);
                }
                push_html_text(children, out);
            }
            _ => {}
        }
    }
}

impl Book {
    /// File name (without extension) of single-file editions: `[build] name`
    /// in folio.toml, else a slug of the title.
    pub fn output_name(&self) -> String {
        self.config
            .build
            .name
            .clone()
            .unwrap_or_else(|| crate::slug::slugify(&self.metadata.title, "book"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A book is mostly text, and every node of a list takes the size of its
    /// enum's biggest variant: a new variant bigger than text and a few
    /// fields must be boxed, as links are (ARCHITECTURE.md, "Size").
    #[test]
    fn nodes_stay_small() {
        assert!(
            std::mem::size_of::<Inline>() <= 72,
            "{}",
            std::mem::size_of::<Inline>()
        );
        assert!(
            std::mem::size_of::<Block>() <= 88,
            "{}",
            std::mem::size_of::<Block>()
        );
    }
}
