//! The Markdown reader: comrak's AST → model blocks, one source file at a time.
//!
//! comrak parses CommonMark + GFM; the reader maps its nodes onto the model
//! and recognises, in the text comrak leaves behind, what Markdown has no
//! syntax for: author-year citations and references to undefined footnotes.
//! It decides nothing that needs the rest of the book: that is the resolver's job.

use comrak::nodes::{AstNode, ListType, NodeValue, TableAlignment};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{LazyLock, Mutex};

use comrak::{Arena, Options, parse_document};
use regex::Regex;

use crate::citation;
use crate::diagnostics::Diagnostic;
use crate::model::{
    AlertKind, Alignment, AltText, Block, CitationItem, DefinitionItem, Image, ImageTarget, Inline,
    Link, LinkTarget, ListItem, Math, MathState, SourceId, Span,
};
use crate::raw_html::{self, Piece};
use crate::text;

/// One parsed source file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    pub blocks: Vec<Block>,
    /// Footnote definitions in source order: label, blocks, span.
    pub footnotes: Vec<FootnoteDefinition>,
    /// The YAML front matter, without its `---` delimiters.
    pub front_matter: Option<String>,
    /// What the reader found wrong (characters no edition can carry).
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FootnoteDefinition {
    pub label: String,
    pub blocks: Vec<Block>,
    pub span: Span,
}

/// Whether a source may open with YAML front matter: GitBook pages and
/// single-file books may, mdBook chapters and SUMMARY.md may not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FrontMatter {
    Allowed,
    None,
}

/// Syntax a book may or may not use, as its layout and settings say (the
/// loader decides: see `book/src/writing/math.md`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Syntax {
    /// `$…$` and `$$…$$` are math (comrak's dollar math, pandoc's rules: no
    /// space inside the dollars, no digit right after the closing one).
    pub dollar_math: bool,
    /// mdBook's MathJax delimiters: `\\( … \\)` and `\\[ … \\]` in the
    /// source, `\( … \)` and `\[ … \]` once Markdown's escapes are read.
    pub mathjax_math: bool,
    /// mdbook-katex's dollars as well: that preprocessor reads any two
    /// unescaped dollars of a line as a formula, spaces inside and all
    /// (`$ \pi $`, its own README's example), which pandoc's rules leave as
    /// text.
    pub spaced_dollars: bool,
}

/// comrak options for book content: CommonMark + GFM + footnotes + `{#id}`
/// heading attributes, and front matter when `front_matter`. Smart
/// punctuation stays off: the text comes out as the author typed it.
pub fn options(front_matter: bool) -> Options<'static> {
    let mut options = Options::default();
    options.extension.strikethrough = true;
    options.extension.table = true;
    options.extension.autolink = true;
    options.extension.tasklist = true;
    options.extension.footnotes = true;
    options.extension.front_matter_delimiter = front_matter.then(|| "---".to_string());
    options.extension.header_attributes = true;
    options.extension.description_lists = true;
    // Keep unreferenced definitions where they are, so the resolver can warn about them.
    options.parse.leave_footnote_definitions = true;
    // Columns come out in bytes; `Reader::span` converts them to characters
    // faster than comrak's `sourcepos_chars`, which rescans every line.
    options
}

/// `text` with what no edition can take replaced: U+0000 (as CommonMark
/// requires) and the other characters no edition can carry (see
/// [`text::is_forbidden`]) become U+FFFD, except vertical tab and form feed,
/// which are whitespace to Markdown and become spaces; a CR that does not
/// start a CRLF becomes a LF, the line ending CommonMark takes it for. Also
/// returns the first character replaced other than a CR, with its byte offset.
pub fn clean(text: String) -> (String, Option<(usize, char)>) {
    let bytes = text.as_bytes();
    let lone_cr = |at: usize| bytes[at] == b'\r' && bytes.get(at + 1) != Some(&b'\n');
    if !text::may_hold_forbidden(&text) && !memchr::memchr_iter(b'\r', bytes).any(lone_cr) {
        return (text, None);
    }
    let needs_work = |&(at, c): &(usize, char)| text::is_forbidden(c) || (c == '\r' && lone_cr(at));
    let Some((start, _)) = text.char_indices().find(needs_work) else {
        return (text, None);
    };
    let mut first = None;
    let mut out = String::with_capacity(text.len() + 8);
    out.push_str(&text[..start]);
    for (at, c) in text[start..].char_indices().map(|(at, c)| (start + at, c)) {
        if text::is_forbidden(c) {
            first = first.or(Some((at, c)));
            out.push(if matches!(c, '\x0b' | '\x0c') {
                ' '
            } else {
                text::REPLACEMENT
            });
        } else if c == '\r' && lone_cr(at) {
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    (out, first)
}

/// How deep blocks and inlines may nest (a quote in a list in a quote…, a
/// link in emphasis in emphasis…): deeper content is kept as plain text,
/// with a warning. Every stage and every edition walks the model
/// recursively, and typst refuses markup nested much deeper; real books nest
/// a few levels.
pub const MAX_NESTING: usize = 12;

/// Parses `text` (the content of source `source`), without math.
pub fn read(text: &str, source: SourceId, front_matter: FrontMatter) -> Document {
    read_with(text, source, front_matter, Syntax::default())
}

/// The documents of an earlier build of the same book, for rebuilding it
/// after an edit (see `folio::Session`): a source whose text and reading
/// settings are what they were is not parsed again. A document is a pure
/// function of those (its spans name the source by id, which is part of
/// the key), so a reused one is the one a new parse would give.
///
/// Each build keeps only what it read: [`ParseMemo::start_build`] forgets
/// the documents the previous build did not ask for.
#[derive(Debug, Default)]
pub struct ParseMemo {
    earlier: Mutex<HashMap<ParseKey, Parsed>>,
    now: Mutex<HashMap<ParseKey, Parsed>>,
    reused: AtomicUsize,
    parsed: AtomicUsize,
}

/// How a source was read; the memo holds one text per key.
#[derive(Debug, PartialEq, Eq, Hash)]
struct ParseKey {
    source: SourceId,
    front_matter: FrontMatter,
    syntax: Syntax,
}

/// A source's text and what parsing it gave. The text is compared, not
/// hashed: a rebuild of a big book neither hashes nor copies the text of
/// every source again (20 MB at 1,000 chapters).
#[derive(Debug)]
struct Parsed {
    text: String,
    doc: Document,
}

/// How many sources a build parsed and how many it took from the memo.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ParseCount {
    pub parsed: usize,
    pub reused: usize,
}

impl ParseMemo {
    /// What [`read_with`] returns for these arguments, parsed only if the
    /// previous build did not parse the same text with the same settings.
    pub fn read(
        &self,
        text: &str,
        source: SourceId,
        front_matter: FrontMatter,
        syntax: Syntax,
    ) -> Document {
        let key = ParseKey {
            source,
            front_matter,
            syntax,
        };
        let earlier = lock(&self.earlier)
            .remove(&key)
            .filter(|earlier| earlier.text == text);
        let parsed = match earlier {
            Some(earlier) => {
                self.reused.fetch_add(1, Ordering::Relaxed);
                earlier
            }
            None => {
                self.parsed.fetch_add(1, Ordering::Relaxed);
                Parsed {
                    text: text.to_string(),
                    doc: read_with(text, source, front_matter, syntax),
                }
            }
        };
        let doc = parsed.doc.clone();
        lock(&self.now).insert(key, parsed);
        doc
    }

    /// Begins a build: what the last one read becomes what this one may
    /// reuse; the rest is dropped.
    pub fn start_build(&self) {
        let last = std::mem::take(&mut *lock(&self.now));
        *lock(&self.earlier) = last;
        self.reused.store(0, Ordering::Relaxed);
        self.parsed.store(0, Ordering::Relaxed);
    }

    /// Sources parsed and reused since [`ParseMemo::start_build`].
    pub fn count(&self) -> ParseCount {
        ParseCount {
            parsed: self.parsed.load(Ordering::Relaxed),
            reused: self.reused.load(Ordering::Relaxed),
        }
    }
}

/// A poisoned memo only means another thread panicked mid-insert; its maps
/// are still whole (each insert or removal is one call).
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Parses `text` when no memo is at hand, else asks the memo.
pub fn read_maybe_memo(
    memo: Option<&ParseMemo>,
    text: &str,
    source: SourceId,
    front_matter: FrontMatter,
    syntax: Syntax,
) -> Document {
    match memo {
        Some(memo) => memo.read(text, source, front_matter, syntax),
        None => read_with(text, source, front_matter, syntax),
    }
}

/// Parses `text` (the content of source `source`) with the optional `syntax` on.
pub fn read_with(
    text: &str,
    source: SourceId,
    front_matter: FrontMatter,
    syntax: Syntax,
) -> Document {
    let arena = Arena::new();
    let mut options = options(front_matter == FrontMatter::Allowed && opens_with_metadata(text));
    options.extension.math_dollars = syntax.dollar_math;
    let mut root = parse_document(&arena, text, &options);
    // mdbook-katex's display formulas, kept whole (see `display_math`): the
    // chapter is read again only when one needed it.
    let kept = (syntax.spaced_dollars && text.contains("$$"))
        .then(|| crate::display_math::keep_whole(text, root, &arena, &options))
        .flatten();
    let text = match &kept {
        Some(kept) => {
            root = kept.root;
            kept.text.as_str()
        }
        None => text,
    };
    let line_starts = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let mut reader = Reader {
        source,
        text,
        line_starts,
        last_col: (0, 0, 0),
        line_shift: 0,
        column_shift: (0, 0),
        depth: 0,
        flattened: false,
        syntax,
        formulas_kept_whole: kept.is_some(),
        edited_lines: kept.as_ref().map(|k| k.edited.clone()).unwrap_or_default(),
        doc: Document::default(),
    };
    let blocks = reader.blocks(root);
    reader.doc.blocks = blocks;
    reader.doc
}

struct Reader<'t> {
    source: SourceId,
    text: &'t str,
    /// Byte offset where each line starts.
    line_starts: Vec<usize>,
    /// The last column `span` computed: where its line starts, its byte
    /// offset, and the characters before it on its line. Nodes come in
    /// source order, so the next column on the same line counts on from
    /// there instead of from the line start (a paragraph is often one long
    /// line with many nodes).
    last_col: (usize, usize, usize),
    /// Lines to add to comrak's lines inside the current paragraph: see
    /// `reference_definition_lines`.
    line_shift: usize,
    /// How far comrak's columns are off on a line of that paragraph: see `shifted_column`.
    column_shift: (usize, isize),
    /// How many block and inline containers enclose the node being read.
    depth: usize,
    /// Whether content nested too deep was flattened (warned once).
    flattened: bool,
    syntax: Syntax,
    /// Whether `display_math::keep_whole` changed the text: formulas then
    /// drop the `%` lines it wrote.
    formulas_kept_whole: bool,
    /// The lines it changed (1-based, in order): columns there are given
    /// back as written.
    edited_lines: Vec<(usize, crate::display_math::Edit)>,
    doc: Document,
}

impl Reader<'_> {
    /// The bytes of 1-based `line` (without its `\n`), if the text has it.
    fn line_bytes(&self, line: usize) -> Option<std::ops::Range<usize>> {
        let start = *self.line_starts.get(line.checked_sub(1)?)?;
        Some(
            start
                ..self
                    .line_starts
                    .get(line)
                    .map_or(self.text.len(), |next| next - 1),
        )
    }

    /// `line`, or the nearest line the text has.
    fn nearest_line(&self, line: usize) -> usize {
        line.clamp(1, self.line_starts.len())
    }

    fn span(&mut self, node: &AstNode<'_>) -> Span {
        let pos = node.data().sourcepos.start;
        // Kept inside the text whatever comrak says: its positions after
        // removed reference definitions can be off (see `line_shift`).
        let line = self.nearest_line(pos.line + self.line_shift);
        let column = match self.line_shift {
            0 => pos.column,
            _ => self.shifted_column(node, line),
        };
        let std::ops::Range {
            start,
            end: line_end,
        } = self.line_bytes(line).unwrap_or_default();
        // Inside a multi-byte character: count what precedes it.
        let end = self
            .text
            .floor_char_boundary((start + column.saturating_sub(1)).min(line_end));
        let count = |from: usize| {
            let before = &self.text[from..end];
            if before.is_ascii() {
                before.len()
            } else {
                before.chars().count()
            }
        };
        let col = match self.last_col {
            (line_start, at, chars) if line_start == start && at <= end => chars + count(at),
            _ => count(start),
        };
        self.last_col = (start, end, col);
        // On a line changed to keep a formula whole.
        let col = match self.edited_lines.binary_search_by_key(&line, |(l, _)| *l) {
            Ok(at) => self.edited_lines[at].1.written_column(col),
            Err(_) => col,
        };
        Span {
            source: self.source,
            line: line as u32,
            col: col as u32 + 1,
        }
    }

    /// The byte column of `node`, on its real `line`, in a paragraph that
    /// opened with definitions. comrak's columns there are off too: it counts
    /// them from where the content of another line starts (past `  ` or `> `).
    /// A text shows where it really is, so it is looked for on its line, and
    /// the nodes after it on that line move as much.
    fn shifted_column(&mut self, node: &AstNode<'_>, line: usize) -> usize {
        let given = node.data().sourcepos.start.column;
        let column = match self.column_shift {
            (shifted, by) if shifted == line => given.saturating_add_signed(by).max(1),
            _ => given,
        };
        let NodeValue::Text(text) = &node.data().value else {
            return column;
        };
        let Some(bytes) = self.line_bytes(line) else {
            return column;
        };
        let source = &self.text[bytes];
        let opening = text.chars().count().min(8);
        let found = source
            .char_indices()
            .filter(|&(at, _)| written_len(&source[at..], text, opening).is_some())
            .map(|(at, _)| at + 1)
            .min_by_key(|&at| at.abs_diff(column));
        match found {
            Some(found) => {
                self.column_shift = (line, found as isize - given as isize);
                found
            }
            None => column,
        }
    }

    /// How many lines of link reference definitions open the paragraph (or
    /// setext heading) `node`. comrak removes them but still counts its
    /// text's lines from the paragraph's first line (`[a]: /url` then
    /// `texte` puts `texte` on line 1), so spans inside would point a line
    /// too high per definition line. The paragraph itself keeps its true end:
    /// the lines its text falls short of it are the lines removed.
    fn reference_definition_lines<'a>(&self, node: &'a AstNode<'a>) -> usize {
        let data = node.data();
        let start = data.sourcepos.start;
        // Nothing was removed unless the first line opens a definition (a
        // heading's `{#id}`, say, also ends its text early).
        let first = self
            .line_bytes(start.line)
            .and_then(|bytes| self.text[bytes].get(start.column.saturating_sub(1)..));
        if !first.is_some_and(|line| line.starts_with('[') && line.contains("]:")) {
            return 0;
        }
        // A setext heading ends on its underline, below its text.
        let underline =
            usize::from(matches!(&data.value, NodeValue::Heading(heading) if heading.setext));
        let Some(text_end) = node.last_child().map(|last| last.data().sourcepos.end.line) else {
            return 0;
        };
        data.sourcepos
            .end
            .line
            .saturating_sub(underline)
            .saturating_sub(text_end)
    }

    /// Text comrak decoded (entities, escapes) with what no edition can
    /// carry replaced, and a warning at `span`: `&#1;` decodes to U+0001.
    fn decoded(&mut self, decoded: &str, what: &str, span: Span) -> String {
        self.cleaned(Cow::Borrowed(decoded), what, span)
    }

    /// [`Reader::decoded`] for text the reader owns already: kept as it is
    /// when clean (nearly always), not copied.
    fn cleaned(&mut self, decoded: Cow<'_, str>, what: &str, span: Span) -> String {
        let forbidden = match text::clean(&decoded) {
            (cleaned, Some(first)) => Some((cleaned.into_owned(), first)),
            (_, None) => None,
        };
        match forbidden {
            Some((cleaned, first)) => {
                self.doc.diagnostics.push(text::forbidden_warning(
                    &format!("{what} here"),
                    first,
                    span,
                ));
                cleaned
            }
            None => decoded.into_owned(),
        }
    }

    /// A chunk of raw HTML as tokens, its character references to forbidden
    /// characters replaced; tags are paired once its container is read.
    fn raw_html<T>(&mut self, html: &str, span: Span) -> Piece<T> {
        let (html, forbidden) = raw_html::clean_references(html);
        if let Some(first) = forbidden {
            self.doc
                .diagnostics
                .push(text::forbidden_warning("raw HTML here", first, span));
        }
        Piece::Html(raw_html::tokenize(&html, span))
    }

    /// `pieces` with their raw HTML chunks paired into elements.
    fn paired<T: raw_html::Host>(&mut self, pieces: Vec<Piece<T>>) -> Vec<T> {
        raw_html::pair(pieces, &mut self.doc.diagnostics)
    }

    fn blocks<'a>(&mut self, parent: &'a AstNode<'a>) -> Vec<Block> {
        if self.depth >= MAX_NESTING {
            let span = self.span(parent);
            return vec![Block::Paragraph {
                content: self.flattened(parent, span),
                span,
            }];
        }
        self.depth += 1;
        let mut blocks = Vec::new();
        for node in parent.children() {
            if let NodeValue::HtmlBlock(html) = &node.data().value {
                let span = self.span(node);
                blocks.push(self.raw_html(&html.literal, span));
            } else if let Some(block) = self.block(node) {
                blocks.push(Piece::Markdown(block));
            }
        }
        self.depth -= 1;
        kept(self.paired(blocks))
    }

    /// What is nested in `node` beyond [`MAX_NESTING`] levels, as its plain
    /// text: every stage and edition walks the model recursively, and a
    /// thousand nested quotes would overflow a stack. Read without recursion.
    fn flattened<'a>(&mut self, node: &'a AstNode<'a>, span: Span) -> Vec<Inline> {
        if !self.flattened {
            self.flattened = true;
            self.doc.diagnostics.push(
                Diagnostic::warning(format!("more than {MAX_NESTING} levels of nesting (quotes, lists, emphasis): what is deeper is kept as plain text"), span)
                    .with_hint("no reader can follow that much nesting: flatten the structure"),
            );
        }
        let mut text = String::new();
        for descendant in node.descendants() {
            match &descendant.data().value {
                NodeValue::Text(t) => text.push_str(t),
                NodeValue::Code(code) => text.push_str(&code.literal),
                NodeValue::CodeBlock(code) => text.push_str(&code.literal),
                NodeValue::SoftBreak | NodeValue::LineBreak | NodeValue::Paragraph => {
                    text.push(' ')
                }
                _ => {}
            }
        }
        let text = self.decoded(text.trim(), "the text", span);
        vec![Inline::Text { text, span }]
    }

    fn block<'a>(&mut self, node: &'a AstNode<'a>) -> Option<Block> {
        let data = node.data();
        // A paragraph, or a setext heading, may open with definitions comrak removed.
        if matches!(data.value, NodeValue::Paragraph | NodeValue::Heading(_)) {
            self.column_shift = (0, 0);
            self.line_shift = self.reference_definition_lines(node);
        }
        let span = self.span(node);
        let block = self.block_at(node, &data, span);
        self.line_shift = 0;
        block
    }

    fn block_at<'a>(
        &mut self,
        node: &'a AstNode<'a>,
        data: &comrak::nodes::Ast,
        span: Span,
    ) -> Option<Block> {
        Some(match &data.value {
            NodeValue::FrontMatter(raw) => {
                self.doc.front_matter = Some(strip_front_matter_fences(raw));
                return None;
            }
            NodeValue::Heading(heading) => {
                // An explicit `{#id}`; empty means the resolver generates one.
                let id = data
                    .attrs
                    .as_ref()
                    .and_then(|a| a.id.clone())
                    .unwrap_or_default();
                Block::Heading {
                    level: heading.level,
                    id,
                    content: self.inlines(node),
                    span,
                }
            }
            NodeValue::Paragraph => {
                let content = self.inlines(node);
                match lone_image(&content) {
                    Some(image) => Block::Figure { image, span },
                    None => Block::Paragraph { content, span },
                }
            }
            NodeValue::BlockQuote | NodeValue::MultilineBlockQuote(_) => {
                let mut blocks = self.blocks(node);
                match self.alert(&mut blocks) {
                    Some(kind) => Block::Alert { kind, blocks, span },
                    None => Block::BlockQuote { blocks, span },
                }
            }
            NodeValue::DescriptionList => Block::DefinitionList {
                items: node
                    .children()
                    .map(|item| self.definition_item(item))
                    .collect(),
                span,
            },
            NodeValue::List(list) => Block::List {
                start: (list.list_type == ListType::Ordered).then_some(list.start as u32),
                tight: list.tight,
                items: node
                    .children()
                    .map(|item| ListItem {
                        task: match &item.data().value {
                            NodeValue::TaskItem(task) => Some(task.symbol.is_some()),
                            _ => None,
                        },
                        blocks: self.blocks(item),
                        entry: None,
                        span: self.span(item),
                    })
                    .collect(),
                span,
            },
            NodeValue::Table(table) => {
                let mut rows = node.children().map(|row| {
                    row.children()
                        .map(|cell| self.inlines(cell))
                        .collect::<Vec<_>>()
                });
                let header = rows.next().unwrap_or_default();
                Block::Table {
                    alignments: table.alignments.iter().map(|a| alignment(*a)).collect(),
                    header,
                    rows: rows.collect(),
                    span,
                }
            }
            NodeValue::CodeBlock(code) => {
                let info = self.decoded(&code.info, "a code block's info string", span);
                let (language, attributes) = crate::code::info(&info);
                let (code, _) = crate::code::visible(&code.literal, language.as_deref());
                Block::CodeBlock {
                    language,
                    attributes,
                    code,
                    span,
                }
            }
            NodeValue::ThematicBreak => Block::ThematicBreak { span },
            NodeValue::FootnoteDefinition(def) => {
                let blocks = self.blocks(node);
                self.doc.footnotes.push(FootnoteDefinition {
                    label: def.name.clone(),
                    blocks,
                    span,
                });
                return None;
            }
            // Extensions folio does not enable; keep their content rather than lose it.
            _ => {
                let blocks = self.blocks(node);
                if blocks.is_empty() {
                    return None;
                }
                Block::BlockQuote { blocks, span }
            }
        })
    }

    /// The kind of the GitHub alert a block quote of `blocks` is, its
    /// `[!KIND]` line taken out of them: a first paragraph that opens with
    /// `[!KIND]` as written (not escaped), alone on its line, and some
    /// content after it.
    fn alert(&self, blocks: &mut Vec<Block>) -> Option<AlertKind> {
        let Some(Block::Paragraph { content, .. }) = blocks.first() else {
            return None;
        };
        let Some(Inline::Text { text, span }) = content.first() else {
            return None;
        };
        let kind = AlertKind::from_word(text.strip_prefix("[!")?.strip_suffix(']')?)?;
        let written = self.line_bytes(span.line as usize).is_some_and(|bytes| {
            let line = &self.text[bytes];
            line.char_indices()
                .nth(span.col.saturating_sub(1) as usize)
                .is_some_and(|(at, _)| line[at..].starts_with("[!") && !line[..at].ends_with('\\'))
        });
        let alone = matches!(
            content.get(1),
            None | Some(Inline::SoftBreak { .. } | Inline::HardBreak { .. })
        );
        if !written || !alone || (content.len() <= 2 && blocks.len() == 1) {
            return None;
        }
        if let Some(Block::Paragraph { content, .. }) = blocks.first_mut() {
            content.drain(..content.len().min(2));
            if content.is_empty() {
                blocks.remove(0);
            }
        }
        Some(kind)
    }

    /// One term of a definition list and its details.
    fn definition_item<'a>(&mut self, item: &'a AstNode<'a>) -> DefinitionItem {
        let span = self.span(item);
        let mut term = Vec::new();
        let mut details = Vec::new();
        for part in item.children() {
            let is_term = matches!(part.data().value, NodeValue::DescriptionTerm);
            let blocks = self.blocks(part);
            if !is_term {
                details.extend(blocks);
                continue;
            }
            for block in blocks {
                if !term.is_empty() {
                    term.push(Inline::SoftBreak { span });
                }
                match block {
                    Block::Paragraph { content, .. } | Block::Heading { content, .. } => {
                        term.extend(content)
                    }
                    Block::Figure { image, .. } => term.push(Inline::Image(image)),
                    other => details.push(other),
                }
            }
        }
        DefinitionItem {
            term,
            details,
            span,
        }
    }

    fn inlines<'a>(&mut self, parent: &'a AstNode<'a>) -> Vec<Inline> {
        if self.depth >= MAX_NESTING {
            let span = self.span(parent);
            return self.flattened(parent, span);
        }
        self.depth += 1;
        let inlines = self.nested_inlines(parent);
        self.depth -= 1;
        if !self.syntax.mathjax_math && !self.syntax.spaced_dollars {
            return kept(inlines);
        }
        let text = self.text;
        let source_line = |line: u32| self.line_bytes(line as usize).map_or("", |b| &text[b]);
        let delimiters = crate::math::Delimiters {
            mathjax: self.syntax.mathjax_math,
            spaced_dollars: if self.syntax.spaced_dollars {
                Some(&source_line)
            } else {
                None
            },
        };
        kept(crate::math::delimited_math(inlines, delimiters))
    }

    fn nested_inlines<'a>(&mut self, parent: &'a AstNode<'a>) -> Vec<Inline> {
        // Each inline, with the byte where it starts in its line (`usize::MAX`:
        // unknown, counted from its column when needed).
        // Sized at once (at most one per node, text merged): growing it was
        // a tenth of reading a book.
        let mut out: Vec<(Piece<Inline>, usize)> = Vec::with_capacity(parent.children().count());
        for node in parent.children() {
            let data = node.data();
            // comrak splits text at brackets, entities and escapes: merge it
            // back so citations can be recognised across the pieces.
            if let NodeValue::Text(text) = &data.value
                && let Some((Piece::Markdown(Inline::Text { text: previous, .. }), _)) =
                    out.last_mut()
            {
                previous.push_str(text);
                continue;
            }
            let span = self.span(node);
            // Its byte in its line, as `span` just found it (see `last_col`).
            let start = self.last_col.1 - self.last_col.0;
            let inline = match &data.value {
                NodeValue::Text(text) => Inline::Text {
                    text: text.to_string(),
                    span,
                },
                NodeValue::Emph => Inline::Emphasis {
                    content: self.inlines(node),
                    span,
                },
                NodeValue::Strong => Inline::Strong {
                    content: self.inlines(node),
                    span,
                },
                NodeValue::Strikethrough => Inline::Strikethrough {
                    content: self.inlines(node),
                    span,
                },
                NodeValue::Code(code) => Inline::Code {
                    code: code.literal.clone(),
                    span,
                },
                NodeValue::Link(link) => Inline::Link(Box::new(Link {
                    url: self.decoded(&link.url, "a link's destination", span),
                    title: non_empty(&self.decoded(&link.title, "a link's title", span)),
                    target: LinkTarget::Unresolved,
                    content: self.inlines(node),
                    span,
                })),
                NodeValue::Image(link) => {
                    let alt = crate::model::plain_text(&self.inlines(node));
                    Inline::Image(Box::new(Image {
                        url: self.decoded(&link.url, "an image's source", span),
                        alt_text: AltText::of_markdown(&alt),
                        alt,
                        title: non_empty(&self.decoded(&link.title, "an image's title", span)),
                        target: ImageTarget::Unresolved,
                        span,
                    }))
                }
                NodeValue::FootnoteReference(reference) => Inline::FootnoteRef {
                    label: reference.name.clone(),
                    note: None,
                    id: String::new(),
                    span,
                },
                NodeValue::SoftBreak => Inline::SoftBreak { span },
                NodeValue::LineBreak => Inline::HardBreak { span },
                NodeValue::Math(math) => Inline::Math(Box::new(Math {
                    source: if self.formulas_kept_whole {
                        crate::display_math::without_comment_lines(&math.literal)
                    } else {
                        math.literal.clone()
                    },
                    display: math.display_math,
                    state: MathState::Unresolved,
                    span,
                })),
                NodeValue::HtmlInline(html) => {
                    let piece = self.raw_html(html, span);
                    out.push((piece, start));
                    continue;
                }
                // Inline extensions folio does not enable: keep the text.
                _ => {
                    out.extend(
                        self.inlines(node)
                            .into_iter()
                            .map(|inline| (Piece::Markdown(inline), usize::MAX)),
                    );
                    continue;
                }
            };
            out.push((Piece::Markdown(inline), start));
        }
        // Only text holding a bracket can hide a citation or a note reference.
        let mut inlines = Vec::with_capacity(out.len());
        for (piece, start) in out {
            let inline = match piece {
                Piece::Markdown(inline) => inline,
                html => {
                    inlines.push(html);
                    continue;
                }
            };
            match inline {
                Inline::Text { text, span } => {
                    let text = self.cleaned(Cow::Owned(text), "the text", span);
                    if !text.contains('[') {
                        inlines.push(Piece::Markdown(Inline::Text { text, span }));
                        continue;
                    }
                    let line = self
                        .line_bytes(span.line as usize)
                        .map_or("", |bytes| &self.text[bytes]);
                    let start = match line.get(start..) {
                        Some(_) => start,
                        None => line
                            .char_indices()
                            .nth(span.col.saturating_sub(1) as usize)
                            .map_or(line.len(), |(at, _)| at),
                    };
                    let (breaks, last) = source_breaks(&line[start..], span.col, &text);
                    let at = |offset: u32| {
                        let (from, col) =
                            breaks[breaks.partition_point(|&(from, _)| from <= offset) - 1];
                        Span {
                            col: (col + offset - from).min(last),
                            ..span
                        }
                    };
                    inlines.extend(split_text(&text, &at).into_iter().map(Piece::Markdown));
                }
                other => inlines.push(Piece::Markdown(other)),
            }
        }
        self.paired(inlines)
    }
}

/// `nodes` as the model keeps them until the book is written: without the
/// room they grew into while being read (a fifth of the inline nodes' memory
/// in a big book). Shrinking a block in place copies nothing.
fn kept<T>(mut nodes: Vec<T>) -> Vec<T> {
    nodes.shrink_to_fit();
    nodes
}

/// Where `text`, written from column `col` on in `source` (the rest of its
/// line), strays from it: after each escape (`\[`) or entity (`&amp;`) that
/// stood for one character (see [`written_len`]), the offset of the next
/// character in the text and its column. Between two such points both advance
/// together; where the source says something else, characters are counted one
/// for one. Also the last column a character may have: just past the line's
/// end, if the text runs beyond it.
fn source_breaks(source: &str, col: u32, text: &str) -> (Vec<(u32, u32)>, u32) {
    let mut breaks = vec![(0, col)];
    if source.starts_with(text) {
        return (breaks, u32::MAX);
    }
    let (mut source, mut text) = (source, text);
    let mut offset = 0;
    let mut col = col;
    loop {
        // The run written as it reads, up to an escape or entity that may differ.
        let mut same = source
            .bytes()
            .zip(text.bytes())
            .take_while(|&(s, t)| s == t && s != b'\\' && s != b'&')
            .count();
        while !text.is_char_boundary(same) {
            same -= 1;
        }
        let run = text[..same].chars().count() as u32;
        (offset, col) = (offset + run, col + run);
        (source, text) = (&source[same..], &text[same..]);
        let Some(wanted) = text.chars().next() else {
            return (breaks, u32::MAX);
        };
        let Some(first) = source.chars().next() else {
            return (breaks, col);
        };
        let written = written_len(source, text, 1).unwrap_or(first.len_utf8());
        (offset, col) = (offset + 1, col + source[..written].chars().count() as u32);
        (source, text) = (&source[written..], &text[wanted.len_utf8()..]);
        breaks.push((offset, col));
    }
}

/// The bytes of `source` in which the first `count` characters of `text` are
/// written, or `None` if the source says something else. The text is shorter
/// than its source where an escape (`\[`) or an entity (`&amp;`) stood for
/// one character, so both are walked together.
fn written_len(source: &str, text: &str, count: usize) -> Option<usize> {
    static ENTITY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
            .expect("entity pattern is valid")
    });
    let (mut rest, mut text) = (source, text);
    for _ in 0..count {
        let Some(wanted) = text.chars().next() else {
            break;
        };
        let mut chars = rest.chars();
        let first = chars.next()?;
        let written = match (first, chars.next()) {
            ('\\', Some(escaped)) if escaped.is_ascii_punctuation() && escaped == wanted => 2,
            ('&', _) => match ENTITY.find(rest) {
                Some(entity) if !text.starts_with(entity.as_str()) => entity.len(),
                _ if wanted == '&' => 1,
                _ => return None,
            },
            _ if first == wanted => first.len_utf8(),
            _ => return None,
        };
        rest = &rest[written..];
        text = &text[wanted.len_utf8()..];
    }
    Some(source.len() - rest.len())
}

/// Splits the brackets comrak left as text into citations and references to
/// undefined footnotes (`[^3]` without a definition stays text in comrak);
/// `at` places a character of the text, by offset, in the source.
fn split_text(text: &str, at: &dyn Fn(u32) -> Span) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut rest = text;
    let mut consumed_chars = 0u32;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find(']').map(|c| open + c) else {
            break;
        };
        let body = &rest[open + 1..close];
        if body.contains('[') {
            // Not innermost: look again from the inner bracket.
            let skip = open + 1 + body.rfind('[').unwrap_or(0);
            push_text(&mut out, &rest[..skip], at, &mut consumed_chars);
            rest = &rest[skip..];
            continue;
        }
        let found = if let Some(label) = body
            .strip_prefix('^')
            .filter(|l| !l.is_empty() && !l.contains(char::is_whitespace))
        {
            Some(Inline::FootnoteRef {
                label: label.to_string(),
                note: None,
                id: String::new(),
                span: Span::default(),
            })
        } else {
            citation::parse_bracket(body).map(|items| Inline::Citation {
                items: items
                    .into_iter()
                    .map(|c| CitationItem {
                        key: c.key,
                        locator: c.locator,
                        entry: None,
                        id: String::new(),
                    })
                    .collect(),
                span: Span::default(),
            })
        };
        match found {
            Some(mut node) => {
                push_text(&mut out, &rest[..open], at, &mut consumed_chars);
                match &mut node {
                    Inline::FootnoteRef { span, .. } | Inline::Citation { span, .. } => {
                        *span = at(consumed_chars)
                    }
                    _ => {}
                }
                out.push(node);
                consumed_chars += rest[open..=close].chars().count() as u32;
            }
            None => push_text(&mut out, &rest[..=close], at, &mut consumed_chars),
        }
        rest = &rest[close + 1..];
    }
    push_text(&mut out, rest, at, &mut consumed_chars);
    out
}

fn push_text(
    out: &mut Vec<Inline>,
    text: &str,
    at: &dyn Fn(u32) -> Span,
    consumed_chars: &mut u32,
) {
    if text.is_empty() {
        return;
    }
    let at = at(*consumed_chars);
    *consumed_chars += text.chars().count() as u32;
    if let Some(Inline::Text { text: previous, .. }) = out.last_mut() {
        previous.push_str(text);
    } else {
        out.push(Inline::Text {
            text: text.to_string(),
            span: at,
        });
    }
}

/// A paragraph that holds nothing but one image is a figure.
fn lone_image(content: &[Inline]) -> Option<Box<Image>> {
    let mut images = content
        .iter()
        .filter(|i| !matches!(i, Inline::Text { text, .. } if text.trim().is_empty()));
    match (images.next(), images.next()) {
        (Some(Inline::Image(image)), None) => Some(image.clone()),
        _ => None,
    }
}

fn alignment(a: TableAlignment) -> Alignment {
    match a {
        TableAlignment::None => Alignment::None,
        TableAlignment::Left => Alignment::Left,
        TableAlignment::Center => Alignment::Center,
        TableAlignment::Right => Alignment::Right,
    }
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

/// Whether the `---` block that may open `text` holds metadata: its first
/// line (comments aside) is a `key:`. Otherwise the `---` is a
/// thematic break, or the underline of a heading, and the text that follows
/// is content that must not vanish.
fn opens_with_metadata(text: &str) -> bool {
    let mut lines = text.lines();
    if lines.next().map(str::trim_end) != Some("---") {
        return false;
    }
    let Some(first) = lines
        .map(str::trim_end)
        .find(|l| !l.trim().is_empty() && !l.starts_with('#'))
    else {
        return false;
    };
    let key = first.split_once(':').map_or("", |(key, _)| key.trim_end());
    key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn strip_front_matter_fences(raw: &str) -> String {
    let body = raw.trim_start().strip_prefix("---").unwrap_or(raw);
    let body = body.trim_end();
    body.strip_suffix("---")
        .unwrap_or(body)
        .trim_matches('\n')
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn para(md: &str) -> Vec<Inline> {
        match read(md, SourceId(0), FrontMatter::None)
            .blocks
            .into_iter()
            .next()
        {
            Some(Block::Paragraph { content, .. }) => content,
            other => panic!("expected a paragraph, got {other:?}"),
        }
    }

    #[test]
    fn escaped_and_plain_citations_become_citation_nodes() {
        let content =
            para("les « innovateurs » \\[Rogers, 1962\\] et [Colin &amp; Verdier, 2015].");
        let keys: Vec<_> = content
            .iter()
            .filter_map(|i| match i {
                Inline::Citation { items, .. } => Some(items[0].key.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(keys, ["Rogers, 1962", "Colin & Verdier, 2015"]);
        assert!(matches!(&content[0], Inline::Text { text, .. } if text == "les « innovateurs » "));
    }

    #[test]
    fn editorial_brackets_stay_text() {
        let content = para("« il faut [la qualification de bien public] ici » [1]");
        assert_eq!(content.len(), 1, "{content:?}");
        assert!(
            matches!(&content[0], Inline::Text { text, .. } if text.contains("[la qualification de bien public]"))
        );
    }

    #[test]
    fn undefined_footnote_reference_is_kept_as_a_reference() {
        let content = para("Texte[^3].");
        assert!(
            content
                .iter()
                .any(|i| matches!(i, Inline::FootnoteRef { label, .. } if label == "3")),
            "{content:?}"
        );
    }

    #[test]
    fn heading_ids_and_entities() {
        let doc = read(
            "## Gouvernance {#gouv}\n\nA &amp; B &#39;c&#39; \\*d\\*\u{a0}!\n",
            SourceId(0),
            FrontMatter::None,
        );
        match &doc.blocks[0] {
            Block::Heading { id, content, .. } => {
                assert_eq!(id, "gouv");
                assert_eq!(crate::model::plain_text(content), "Gouvernance");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            crate::model::plain_text(&para("A &amp; B &#39;c&#39; \\*d\\*\u{a0}!")),
            "A & B 'c' *d*\u{a0}!"
        );
    }

    #[test]
    fn footnote_definitions_are_collected_even_unreferenced() {
        let doc = read(
            "Un[^1].\n\n[^1]: Note.\n\n[^2]: Orpheline.\n",
            SourceId(0),
            FrontMatter::None,
        );
        let labels: Vec<_> = doc.footnotes.iter().map(|f| f.label.as_str()).collect();
        assert_eq!(labels, ["1", "2"]);
        assert_eq!(doc.footnotes[1].span.line, 5);
    }

    #[test]
    fn front_matter_is_returned_and_lines_stay_true() {
        let doc = read(
            "---\ntitle: Livre\n---\n\n# Un\n",
            SourceId(0),
            FrontMatter::Allowed,
        );
        assert_eq!(doc.front_matter.as_deref(), Some("title: Livre"));
        assert_eq!(doc.blocks[0].span().line, 5);
    }

    #[test]
    fn a_leading_rule_is_content_unless_metadata_follows() {
        // A thematic break, a paragraph, a setext underline: nothing vanishes.
        let doc = read(
            "---\nUne phrase : avec deux-points.\n---\n\nSuite.\n",
            SourceId(0),
            FrontMatter::Allowed,
        );
        assert_eq!(doc.front_matter, None);
        assert!(
            matches!(&doc.blocks[0], Block::ThematicBreak { .. }),
            "{:?}",
            doc.blocks
        );
        assert_eq!(doc.blocks.len(), 3, "{:?}", doc.blocks);
        // mdBook chapters have no front matter at all.
        let doc = read("---\ntitle: x\n---\n", SourceId(0), FrontMatter::None);
        assert_eq!(doc.front_matter, None);
        assert!(!doc.blocks.is_empty());
    }

    #[test]
    fn control_characters_and_lone_carriage_returns_are_cleaned() {
        assert_eq!(
            clean("a\0b\x01c\x0cd\te\r\nf\rg".into()),
            ("a\u{FFFD}b\u{FFFD}c d\te\r\nf\ng".into(), Some((1, '\0')))
        );
        let (text, first) = clean("déjà\r\n".into());
        assert_eq!((text.as_str(), first), ("déjà\r\n", None));
        // A lone CR ends a line for comrak and for spans alike.
        let doc = read(
            &clean("Un\rDeux[^1]\r\r[^1]: Note\r".into()).0,
            SourceId(0),
            FrontMatter::None,
        );
        assert_eq!(doc.footnotes[0].span.line, 4);
    }

    /// The line of the document's last paragraph, and (line, column) of each of its inlines.
    fn last_paragraph(doc: &Document) -> (u32, Vec<(u32, u32)>) {
        let Some(Block::Paragraph { content, span }) = doc
            .blocks
            .iter()
            .rfind(|b| matches!(b, Block::Paragraph { .. }))
        else {
            panic!("no paragraph in {:?}", doc.blocks)
        };
        (
            span.line,
            content
                .iter()
                .map(|i| (i.span().line, i.span().col))
                .collect(),
        )
    }

    #[test]
    fn spans_after_reference_definitions_stay_true() {
        // comrak counts the text's lines from the definitions it removed.
        let doc = read(
            "[a]: /url\n[b]: <c d> \"t\"\nfoo *bar* [Rogers, 1962]\nbaz\n\n[^1]: Note\n",
            SourceId(0),
            FrontMatter::None,
        );
        assert_eq!(
            last_paragraph(&doc),
            (3, vec![(3, 1), (3, 5), (3, 10), (3, 11), (3, 25), (4, 1)])
        );
        // A footnote definition is not a link reference definition.
        assert_eq!(doc.footnotes[0].blocks[0].span().line, 6);
        // A definition over several lines, whose indent comrak also lends to the text's columns.
        let doc = read(
            "Intro.\n\n[a]:\n  /url\n  \"un titre\"\nTexte [Rogers, 1962] ici.\nsuite\n",
            SourceId(0),
            FrontMatter::None,
        );
        assert_eq!(
            last_paragraph(&doc),
            (6, vec![(6, 1), (6, 7), (6, 21), (6, 26), (7, 1)])
        );
    }

    #[test]
    fn lone_image_is_a_figure() {
        let doc = read(
            "![Logo](/assets/logo.png)\n",
            SourceId(0),
            FrontMatter::None,
        );
        assert!(matches!(&doc.blocks[0], Block::Figure { image, .. } if image.alt == "Logo"));
    }

    #[test]
    fn alerts_definition_lists_and_code_attributes() {
        let doc = read(
            "> [!note]\n> Text.\n\n> [!TIP] not alone\n\n> \\[!NOTE]\n> Quoted.\n\n> [!WARNING]\n\nTerm\n: Details.\n\n```rust,no_run\n# hidden\nshown\n```\n",
            SourceId(0),
            FrontMatter::None,
        );
        let kinds: Vec<&str> = doc
            .blocks
            .iter()
            .map(|b| match b {
                Block::Alert { kind, .. } => kind.class(),
                Block::BlockQuote { .. } => "quote",
                Block::DefinitionList { .. } => "terms",
                Block::CodeBlock { .. } => "code",
                _ => "other",
            })
            .collect();
        // A marker with text after it, escaped, or with nothing to say: a quote.
        assert_eq!(kinds, ["note", "quote", "quote", "quote", "terms", "code"]);
        let Block::Alert { blocks, .. } = &doc.blocks[0] else {
            unreachable!()
        };
        assert!(
            matches!(&blocks[..], [Block::Paragraph { content, .. }] if crate::model::plain_text(content) == "Text.")
        );
        let Block::DefinitionList { items, .. } = &doc.blocks[4] else {
            unreachable!()
        };
        assert_eq!(crate::model::plain_text(&items[0].term), "Term");
        assert_eq!(items[0].span.line, 11);
        let Block::CodeBlock {
            language,
            attributes,
            code,
            ..
        } = &doc.blocks[5]
        else {
            unreachable!()
        };
        assert_eq!(
            (language.as_deref(), &attributes[..], code.as_str()),
            (Some("rust"), &["no_run".to_string()][..], "shown\n")
        );
    }
}
