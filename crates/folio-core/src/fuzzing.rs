//! What the fuzz targets (`fuzz/`) and their regression replay
//! (`tests/fuzz_regressions.rs`) run: each `check_*` takes the fuzzer's bytes,
//! runs one parser or the loader on them and panics when something that must
//! hold of the result does not. Both call the same function, so a crash found
//! by the fuzzer is replayed exactly. Not part of folio's API.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::citation::{self, Cited};
use crate::model::{Block, Book, Inline, SourceId, Span};
use crate::{Diagnostic, raw_html, reader, summary};

/// The fuzzer's bytes as the loader reads a file: invalid UTF-8 replaced,
/// then control characters (see [`reader::clean`]).
pub fn text(bytes: &[u8]) -> String {
    reader::clean(String::from_utf8_lossy(bytes).into_owned()).0
}

/// The author-year grammar: a bracket's citations and a bibliography entry's
/// key come from the text, and a key reads back as itself.
pub fn check_citation(bytes: &[u8]) {
    let body = text(bytes);
    for cited in citation::parse_bracket(&body).unwrap_or_default() {
        check_key(&body, &cited.key);
        let locator_ok = cited
            .locator
            .as_ref()
            .is_none_or(|l| !l.is_empty() && l.chars().count() <= 40 && body.contains(l.as_str()));
        assert!(locator_ok, "locator {:?} of {body:?}", cited.locator);
        assert_eq!(
            citation::parse_bracket(&cited.key),
            Some(vec![Cited {
                key: cited.key.clone(),
                locator: None
            }]),
            "key of {body:?}"
        );
    }
    if let Some(key) = citation::entry_key(&body) {
        check_key(&body, &key);
        assert_eq!(
            citation::entry_key(&key).as_ref(),
            Some(&key),
            "entry key of {body:?}"
        );
    }
    citation::normalize_key(&body);
}

/// `Authors, Year`, both as the text has them.
fn check_key(body: &str, key: &str) {
    let (authors, year) = key
        .split_once(", ")
        .unwrap_or_else(|| panic!("key {key:?} of {body:?} has no `, `"));
    assert!(
        authors.starts_with(char::is_alphabetic) && body.contains(authors),
        "authors of {key:?} in {body:?}"
    );
    assert!(body.contains(year), "year of {key:?} in {body:?}");
}

/// SUMMARY.md, parsed alone (every entry placed inside it), then as the table
/// of contents of a book on disk (see [`check_opened`]).
pub fn check_summary(bytes: &[u8]) {
    let summary = text(bytes);
    let lines = Lines::of(&summary);
    for entry in summary::parse(&summary, SourceId(0)) {
        let (span, title) = match &entry {
            summary::Entry::Part { title, span } => (span, title),
            summary::Entry::Chapter { title, span, .. } => (span, title),
        };
        if let Err(problem) = lines.place(*span) {
            panic!("{entry:?}: {problem}, in {summary:?}");
        }
        assert_eq!(title.trim(), title, "titles are trimmed");
    }
    with_book("", ("SUMMARY.md", bytes), check_opened);
}

/// A chunk of raw HTML, tokenized and paired as the reader does: every
/// element, text and comment placed inside the chunk; every attribute that
/// names a place with a non-empty value; no empty anchor; elements nested
/// at most [`raw_html::MAX_DEPTH`] deep.
pub fn check_raw_html(bytes: &[u8]) {
    let html = text(bytes);
    // Where the chunk starts in its file: spans add to it.
    let start = Span {
        source: SourceId(0),
        line: 3,
        col: 5,
    };
    let tokens = raw_html::tokenize(&html, start);
    let mut diagnostics = Vec::new();
    let inlines = raw_html::pair(vec![raw_html::Piece::Html(tokens)], &mut diagnostics);
    let lines = Lines::of(&html);
    let place = |what: &str, span: Span| {
        let line_in_piece = span
            .line
            .checked_sub(start.line)
            .unwrap_or_else(|| panic!("{what} at line {}, before the piece", span.line));
        let first_col = if line_in_piece == 0 { start.col } else { 1 };
        let col_in_piece = span
            .col
            .checked_sub(first_col)
            .unwrap_or_else(|| panic!("{what} at column {}, before the piece", span.col))
            + 1;
        if let Err(problem) = lines.place(Span {
            source: SourceId(0),
            line: line_in_piece + 1,
            col: col_in_piece,
        }) {
            panic!("{what}: {problem} of the piece {html:?}");
        }
    };
    for diagnostic in &diagnostics {
        place(&diagnostic.message, diagnostic.span.expect("placed"));
    }
    fn walk(nodes: &[crate::HtmlNode], depth: usize, place: &dyn Fn(&str, Span)) {
        assert!(depth <= raw_html::MAX_DEPTH, "nested {depth} deep");
        for node in nodes {
            place(&format!("{node:?}"), node.span());
            match node {
                crate::HtmlNode::Element { element, children } => {
                    assert!(element.anchor().is_none_or(|a| !a.is_empty()));
                    for attribute in &element.attributes {
                        if attribute.target.is_some() {
                            assert!(element.names_a_place(&attribute.name));
                            assert!(!attribute.value.trim().is_empty(), "{element:?}");
                        }
                    }
                    walk(children, depth + 1, place);
                }
                crate::HtmlNode::RawText { element, .. } => {
                    assert!(matches!(
                        element.name.as_str(),
                        "script" | "style" | "xmp" | "iframe" | "noembed" | "noframes"
                    ));
                }
                _ => {}
            }
        }
    }
    for inline in &inlines {
        let crate::Inline::Html(fragment) = inline else {
            panic!("one chunk holds no Markdown: {inline:?}")
        };
        place("the fragment", fragment.span);
        walk(&fragment.nodes, 0, &place);
    }
}

/// The book's own files that the loader reads as configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookFile {
    /// GitBook's book.json, next to SUMMARY.md.
    BookJson,
    /// mdBook's book.toml, with `src/SUMMARY.md`.
    BookToml,
    /// folio.toml, in a GitBook book.
    FolioToml,
}

/// A small GitBook book that uses what configuration can name: a
/// references chapter, an image (a cover), a stylesheet.
const BOOK: [(&str, &[u8]); 7] = [
    ("SUMMARY.md", b"# Summary\n\n* [Introduction](README.md)\n* [Un](un.md)\n  * [Deux](a/deux.md)\n* [R\xc3\xa9f\xc3\xa9rences](references.md)\n"),
    ("README.md", b"# Introduction\n\nVoir [le chapitre](un.md#un) [Rogers, 1962].\n"),
    ("un.md", b"# Un {#un}\n\nTexte[^1] ![plan](plan.svg).\n\n[^1]: Une note.\n"),
    ("a/deux.md", b"## Deux\n\n<a id=\"ici\" href=\"../un.md\">retour</a>\n"),
    ("references.md", b"# R\xc3\xa9f\xc3\xa9rences\n\n- Rogers, 1962 : Diffusion.\n"),
    ("plan.svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"4\" height=\"3\"/>"),
    ("style.css", b"p { color: black }\n"),
];

/// book.json, book.toml or folio.toml holding `bytes`, in a small book
/// opened by the real loader (see [`check_opened`]).
pub fn check_book_file(file: BookFile, bytes: &[u8]) {
    match file {
        BookFile::BookJson => with_book("", ("book.json", bytes), check_opened),
        // mdBook's content is in `src/`, next to book.toml.
        BookFile::BookToml => with_book("src/", ("book.toml", bytes), check_opened),
        BookFile::FolioToml => with_book("", ("folio.toml", bytes), check_opened),
    }
}

/// Opens the book in `dir` and checks what must hold of any book on disk:
/// its root stays inside its folder, the editions' file name is a plain file
/// name (or the book has errors, so that nothing is written), plus everything
/// [`check_spans`] and [`check_xml_text`] check.
fn check_opened(dir: &Path) {
    let book = crate::open(dir).expect("a book: the folder has SUMMARY.md or book.toml");
    let root = book
        .root
        .path()
        .expect("a book on disk has its root on disk");
    let dir = dir.canonicalize().expect("the book folder");
    assert!(
        root.starts_with(&dir),
        "the book root {} lies outside the book folder",
        root.display()
    );
    let name = book.output_name();
    let plain = !name.is_empty()
        && !name.contains(['/', '\\'])
        && name != "."
        && name != ".."
        && !name.contains(char::is_control);
    assert!(
        plain || book.has_errors(),
        "the editions' file name {name:?} is not a plain file name"
    );
    check_spans(&book);
    check_xml_text(&book);
}

/// Every span of the model and every diagnostic's span lies inside its source.
pub fn check_spans(book: &Book) {
    let sources = Sources::of(book);
    check_diagnostic_spans_in(&sources, &book.diagnostics);
    for part in &book.parts {
        sources.check(part.span, "part");
    }
    for chapter in &book.chapters {
        sources.check(chapter.span, "chapter");
        check_blocks(&sources, &chapter.blocks);
        for note in &chapter.footnotes {
            sources.check(note.span, "footnote");
            check_blocks(&sources, &note.blocks);
        }
        crate::visit_all_inlines(chapter, &mut |inline: &Inline| {
            sources.check(inline.span(), "inline")
        });
    }
}

/// Every diagnostic with a span (the book's or an edition's) points inside its source.
pub fn check_diagnostic_spans(book: &Book, diagnostics: &[Diagnostic]) {
    check_diagnostic_spans_in(&Sources::of(book), diagnostics);
}

fn check_diagnostic_spans_in(sources: &Sources, diagnostics: &[Diagnostic]) {
    for diagnostic in diagnostics {
        if let Some(span) = diagnostic.span {
            sources.check(span, &diagnostic.message);
        }
    }
}

fn check_blocks(sources: &Sources, blocks: &[Block]) {
    for block in blocks {
        sources.check(block.span(), "block");
        match block {
            Block::BlockQuote { blocks, .. } | Block::Alert { blocks, .. } => {
                check_blocks(sources, blocks)
            }
            Block::DefinitionList { items, .. } => items.iter().for_each(|item| {
                sources.check(item.span, "definition");
                check_blocks(sources, &item.details)
            }),
            Block::ForEditions { website, ebook, .. } => {
                check_blocks(sources, website);
                check_blocks(sources, ebook);
            }
            Block::List { items, .. } => items.iter().for_each(|item| {
                sources.check(item.span, "list item");
                check_blocks(sources, &item.blocks)
            }),
            _ => {}
        }
    }
}

/// The book's sources, each with the length of its lines, so that checking a
/// span does not rescan its text.
struct Sources<'b> {
    book: &'b Book,
    lines: Vec<Lines>,
}

impl<'b> Sources<'b> {
    fn of(book: &'b Book) -> Self {
        Sources {
            book,
            lines: book.sources.iter().map(|s| Lines::of(&s.text)).collect(),
        }
    }

    fn check(&self, span: Span, what: &str) {
        let lines = self.lines.get(span.source.index()).unwrap_or_else(|| {
            panic!(
                "{what}: source {} of {}",
                span.source.index(),
                self.lines.len()
            )
        });
        if let Err(problem) = lines.place(span) {
            let source = &self.book.sources[span.source];
            panic!("{what} in {}: {problem}, in {:?}", source.path, source.text);
        }
    }
}

/// The length in characters of each line of a text.
struct Lines(Vec<usize>);

impl Lines {
    fn of(text: &str) -> Self {
        Lines(text.split('\n').map(|line| line.chars().count()).collect())
    }

    /// Whether `span` points at a character of the text, or just after the
    /// end of a line; if not, why.
    fn place(&self, span: Span) -> Result<(), String> {
        let line = (span.line as usize)
            .checked_sub(1)
            .and_then(|i| self.0.get(i));
        let Some(&chars) = line else {
            return Err(format!("line {} of {}", span.line, self.0.len()));
        };
        match span.col as usize {
            1.. if span.col as usize <= chars + 1 => Ok(()),
            col => Err(format!(
                "column {col} of the {chars}-character line {}",
                span.line
            )),
        }
    }
}

/// No text of the model holds a character XML 1.0 forbids: every edition
/// is XML or carries XML (the EPUB, the PDF's metadata). Diagnostics and the
/// root folder are not part of any edition.
pub fn check_xml_text(book: &Book) {
    let mut model = serde_json::to_value(book).expect("the model serialises");
    let object = model.as_object_mut().expect("an object");
    object.remove("diagnostics");
    object.remove("root");
    check_xml_value(&model, &mut String::from("book"));
}

fn check_xml_value(value: &serde_json::Value, path: &mut String) {
    let forbidden = |c: char| matches!(c, '\0'..='\x08' | '\x0b' | '\x0c' | '\x0e'..='\x1f' | '\u{fffe}' | '\u{ffff}');
    let check_str = |text: &str, path: &str| {
        if let Some(c) = text.chars().find(|&c| forbidden(c)) {
            panic!(
                "{path} holds U+{:04X}, which XML forbids: {text:?}",
                c as u32
            );
        }
    };
    let len = path.len();
    match value {
        serde_json::Value::String(text) => check_str(text, path),
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push_str(&format!("[{i}]"));
                check_xml_value(item, path);
                path.truncate(len);
            }
        }
        serde_json::Value::Object(fields) => {
            for (key, item) in fields {
                check_str(key, path);
                path.push('.');
                path.push_str(key);
                check_xml_value(item, path);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

/// Writes [`BOOK`] under `content` (a folder of the book, `` or `src/`),
/// with `file` (relative to the book folder) added or replaced, into a new
/// folder under the system's temporary folder; runs `check` on the book
/// folder, then removes it, even when `check` panics.
fn with_book(content: &str, file: (&str, &[u8]), check: impl FnOnce(&Path)) {
    struct Removed(PathBuf);
    impl Drop for Removed {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
            let _ = self.0.parent().map(std::fs::remove_dir);
        }
    }
    static BOOKS: AtomicUsize = AtomicUsize::new(0);
    // The book lies two folders down, so that a root or `src` of `..` or
    // `../..` (a bug the checks report) still walks only this run's folders.
    let scratch = std::env::temp_dir().join(format!("folio-fuzz-{}", std::process::id()));
    let case = Removed(scratch.join(BOOKS.fetch_add(1, Ordering::Relaxed).to_string()));
    let dir = case.0.join("book");
    let book = BOOK
        .iter()
        .map(|&(name, bytes)| (format!("{content}{name}"), bytes));
    for (name, bytes) in book
        .filter(|(name, _)| name != file.0)
        .chain([(file.0.to_string(), file.1)])
    {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().expect("inside the book"))
            .expect("a temporary folder");
        std::fs::write(&path, bytes).expect("a temporary file");
    }
    check(&dir);
}
