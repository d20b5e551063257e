//! mdBook's include family, expanded before the reader: `{{#include}}`,
//! `{{#rustdoc_include}}`, `{{#playground}}` and `{{#title}}`.
//!
//! The directives follow mdBook's preprocessor (`links.rs`): found anywhere
//! in the text, code blocks included; `\{{#…}}` stays literal without its
//! backslash; a path is relative to the file that holds the directive, and
//! what a file brings in is expanded again relative to that file, at most
//! [`MAX_DEPTH`] deep. Unlike mdBook, a file that is missing or refused, an
//! anchor that is not there or a line range past the end is an error at
//! the directive, and a cycle is named as such.
//!
//! Every file is read through the gate ([`Folder`]), below the include
//! root: the book folder, or the repository that holds it (the nearest
//! folder with `.git`), or `[build] include-root`.
//!
//! Spans stay true through a [`LineMap`]: the reader works on the expanded
//! text, and every span it gives is mapped back to the file and line the
//! text came from. Each inclusion becomes a source of its own that records
//! the directive that included it ([`crate::model::Source::included_from`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::diagnostics::{Diagnostic, SpanCursor};
use crate::files::{Folder, MAX_TEXT_FILE, Refused};
use crate::load::SourceRead;
use crate::model::{Block, HtmlFragment, HtmlNode, Inline, SourceId, Span};
use crate::reader::Document;

/// How deep includes nest, as in mdBook.
pub const MAX_DEPTH: usize = 10;
/// The largest text a chapter may grow to once expanded: the limit of one
/// Markdown file, so that includes cannot make the reader see more.
pub const MAX_EXPANDED: usize = MAX_TEXT_FILE as usize;
/// How many inclusions one chapter may make, and how much included text (a
/// source each, kept for diagnostics) it may hold: an include bomb (a file
/// including another many times per line at every depth) is stopped there.
pub const MAX_INCLUSIONS: usize = 2048;
pub const MAX_INCLUDED_TEXT: usize = 4 * MAX_TEXT_FILE as usize;

/// The setting that widens where includes may read, for hints.
pub const INCLUDE_ROOT_SETTING: &str = "`[build] include-root` in folio.toml";

/// Where includes may read: the nearest folder above (or at) `book_dir`
/// that holds `.git` (a folder, or the file of a worktree or submodule),
/// else the book folder itself. The book folder's path is canonical, so
/// walking up its ancestors follows no link; `.git` itself is looked at
/// without following one.
pub fn default_root(book_dir: &Folder) -> Folder {
    let Some(book) = book_dir.path() else {
        return Folder::nowhere();
    };
    book.ancestors()
        .find(|dir| {
            dir.join(".git")
                .symlink_metadata()
                .is_ok_and(|meta| meta.is_dir() || meta.is_file())
        })
        .and_then(|repo| Folder::new(repo).ok())
        .unwrap_or_else(|| book_dir.clone())
}

/// `[build] include-root`, written relative to the book folder: a folder
/// that holds the book folder (`".."`, `"../.."`).
pub fn configured_root(book_dir: &Folder, written: &str) -> Result<Folder, String> {
    let Some(book) = book_dir.path() else {
        return Err("a book held in memory reads no file".to_string());
    };
    let folder = Folder::new(&book.join(written)).map_err(|e| format!("is no folder ({e})"))?;
    match folder.path() {
        Some(root) if book.starts_with(root) => Ok(folder),
        _ => Err("does not hold the book folder".to_string()),
    }
}

/// A chapter's text with its directives expanded.
#[derive(Debug, Default)]
pub struct Expanded {
    pub text: String,
    pub map: LineMap,
    /// The inclusions, in order: inclusion `i` is local source `i + 1`
    /// (local source 0 is the chapter).
    pub included: Vec<Included>,
    /// Problems, at spans of local sources (their own lines, not the
    /// expanded text's).
    pub diagnostics: Vec<Diagnostic>,
}

/// One file brought in by a directive.
#[derive(Debug)]
pub struct Included {
    /// Shown in diagnostics: relative to the book folder (`../examples/a.rs`).
    pub display: String,
    /// Where it really is.
    pub real: PathBuf,
    /// Its whole text, cleaned; invalid UTF-8 and forbidden characters are
    /// reported for the first inclusion of a file only.
    pub read: SourceRead,
    /// The directive, in a local source.
    pub from: Span,
}

/// Where the text of the expanded chapter comes from: at each listed
/// position (line and column of the expanded text) a piece starts that is
/// copied from a local source at the given line and column; inside a piece,
/// the following lines of both go together.
#[derive(Debug, Default, Clone)]
pub struct LineMap {
    pieces: Vec<Piece>,
    /// The character length of each line of each local source, to keep
    /// mapped spans inside their text.
    lines: Vec<Vec<u32>>,
}

#[derive(Debug, Clone, Copy)]
struct Piece {
    /// Line and column in the expanded text.
    at: (u32, u32),
    /// Line and column in `source`.
    source: SourceId,
    from: (u32, u32),
}

impl LineMap {
    /// The map of a text another expander (GitBook's templates) made from
    /// one source, local source 0 (`text`): at each `(at, from)`, in
    /// increasing order of `at`, a piece copied from line and column `from`
    /// of the source starts at `at` in the expanded text.
    pub fn of_one_source(starts: Vec<((u32, u32), (u32, u32))>, text: &str) -> LineMap {
        LineMap {
            pieces: starts
                .into_iter()
                .map(|(at, from)| Piece {
                    at,
                    source: SourceId::new(0),
                    from,
                })
                .collect(),
            lines: vec![line_lengths(text)],
        }
    }

    /// Whether the expanded text is the chapter's own text.
    pub fn is_identity(&self) -> bool {
        self.pieces.len() <= 1
    }

    /// The span in a local source of `span` (in the expanded text).
    pub fn place(&self, span: Span) -> Span {
        let at = (span.line, span.col);
        let index = self.pieces.partition_point(|p| p.at <= at);
        let Some(piece) = index.checked_sub(1).map(|i| self.pieces[i]) else {
            return span;
        };
        let line = piece.from.0 + (span.line - piece.at.0);
        let col = match span.line == piece.at.0 {
            true => piece.from.1 + (span.col - piece.at.1),
            false => span.col,
        };
        // Text folio wrote (a playground's fence, a hidden line's `# `) maps
        // to the place nearest to it.
        let lines = &self.lines[piece.source.index()];
        let line = line.clamp(1, lines.len().max(1) as u32);
        let chars = lines.get(line as usize - 1).copied().unwrap_or(0);
        Span {
            source: piece.source,
            line,
            col: col.clamp(1, chars + 1),
        }
    }
}

/// The text of a file as a directive selects it, each line with the line
/// of the file it comes from.
struct Selection {
    text: String,
    /// For each line of `text`, its line in the file.
    origins: Vec<u32>,
}

impl Selection {
    fn whole(text: &str) -> Selection {
        let lines = text.split('\n').count() as u32;
        Selection {
            text: text.to_string(),
            origins: (1..=lines).collect(),
        }
    }
}

/// What a directive asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Directive<'t> {
    /// `\{{#…}}`: the text without its backslash.
    Escaped(&'t str),
    Include {
        path: &'t str,
        select: Select<'t>,
    },
    RustdocInclude {
        path: &'t str,
        select: Select<'t>,
    },
    Playground {
        path: &'t str,
    },
    Title,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Select<'t> {
    /// 0-based lines `start..end` (`end` exclusive, `None`: to the end).
    Lines {
        start: usize,
        end: Option<usize>,
    },
    Anchor(&'t str),
}

/// A directive found at byte `start..end` of a text.
struct Found<'t> {
    start: usize,
    end: usize,
    directive: Directive<'t>,
}

/// The next directive in `text` from byte `from`, as mdBook's pattern finds
/// them: `\{{#…}}` up to the last `}}` of its line, or `{{ #type target}}`
/// whose target holds no `}`. A `{{#type …}}` of a type mdBook does not
/// know is skipped whole, as mdBook leaves it.
fn next_directive(text: &str, mut from: usize) -> Option<Found<'_>> {
    while let Some(open) = text[from..].find("{{").map(|i| from + i) {
        if open > 0 && text.as_bytes()[open - 1] == b'\\' && text[open + 2..].starts_with('#') {
            let line_end = text[open..].find('\n').map_or(text.len(), |i| open + i);
            if let Some(close) = text[open..line_end].rfind("}}") {
                let end = open + close + 2;
                return Some(Found {
                    start: open - 1,
                    end,
                    directive: Directive::Escaped(&text[open..end]),
                });
            }
        }
        from = open + 1;
        let Some((end, kind, target)) = directive_at(text, open) else {
            continue;
        };
        from = end;
        if let Some(directive) = parse(kind, target) {
            return Some(Found {
                start: open,
                end,
                directive,
            });
        }
    }
    None
}

/// `{{ #kind target}}` at byte `open`: its end, kind and target.
fn directive_at(text: &str, open: usize) -> Option<(usize, &str, &str)> {
    let rest = &text[open + 2..];
    let after_space = rest.trim_start();
    let kind_and_more = after_space.strip_prefix('#')?;
    let kind_len = kind_and_more
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(kind_and_more.len());
    let (kind, more) = kind_and_more.split_at(kind_len);
    if kind.is_empty() || !more.starts_with(char::is_whitespace) {
        return None;
    }
    let target_len = more.find('}')?;
    if target_len == 0 || !more[target_len..].starts_with("}}") {
        return None;
    }
    let end = text.len() - more.len() + target_len + 2;
    Some((end, kind, &more[..target_len]))
}

fn parse<'t>(kind: &str, target: &'t str) -> Option<Directive<'t>> {
    let mut props = target.split_whitespace();
    let first = props.next()?;
    let (path, select) = first.split_once(':').unwrap_or((first, ""));
    match kind {
        "include" => Some(Directive::Include {
            path,
            select: select_of(select),
        }),
        "rustdoc_include" => Some(Directive::RustdocInclude {
            path,
            select: select_of(select),
        }),
        // mdBook's attributes (`editable`) are its playground's, not ours.
        "playground" | "playpen" => Some(Directive::Playground { path: first }),
        "title" => Some(Directive::Title),
        _ => None,
    }
}

/// mdBook's `parse_range_or_anchor`: `10`, `10:20`, `:20`, `10:`, `anchor`,
/// lines numbered from 1.
fn select_of(written: &str) -> Select<'_> {
    let mut parts = written.splitn(3, ':');
    let first = parts.next().unwrap_or("");
    let start = match first.parse::<usize>() {
        Ok(line) => Some(line.saturating_sub(1)),
        Err(_) if first.is_empty() => None,
        Err(_) => return Select::Anchor(first),
    };
    let end = parts.next().map(str::parse::<usize>);
    match (start, end) {
        (Some(start), Some(Ok(end))) => Select::Lines {
            start,
            end: Some(end),
        },
        (Some(start), Some(Err(_))) => Select::Lines { start, end: None },
        (Some(start), None) => Select::Lines {
            start,
            end: Some(start + 1),
        },
        (None, Some(Ok(end))) => Select::Lines {
            start: 0,
            end: Some(end),
        },
        (None, _) => Select::Lines {
            start: 0,
            end: None,
        },
    }
}

/// The anchor name of a marker line (`// ANCHOR: name`, in any comment
/// syntax), for `marker` `ANCHOR:` or `ANCHOR_END:`.
fn marker<'l>(line: &'l str, marker: &str) -> Option<&'l str> {
    line.match_indices(marker).find_map(|(at, _)| {
        let rest = line[at + marker.len()..].trim_start();
        let len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len());
        (len > 0).then(|| &rest[..len])
    })
}

fn is_marker(line: &str) -> bool {
    marker(line, "ANCHOR:").is_some() || marker(line, "ANCHOR_END:").is_some()
}

/// The lines of `text` that `select` picks, marker lines left out; lines
/// outside are hidden (`# `) when `hide_others`, as rustdoc includes do.
fn select_in(text: &str, select: &Select<'_>, hide_others: bool) -> Result<Selection, String> {
    let lines: Vec<&str> = text.lines().collect();
    let picked: Vec<bool> = match select {
        Select::Lines { start, end } => {
            let end = end.unwrap_or(lines.len());
            if *start >= lines.len().max(1) || end > lines.len() || end < *start {
                return Err(format!(
                    "lines {}–{end} are not in the file, which has {} lines",
                    start + 1,
                    lines.len()
                ));
            }
            (0..lines.len())
                .map(|i| (*start..end).contains(&i))
                .collect()
        }
        Select::Anchor(name) => {
            if !lines.iter().any(|l| marker(l, "ANCHOR:") == Some(name)) {
                return Err(format!("no line holds `ANCHOR: {name}`"));
            }
            let (mut inside, mut ended) = (false, false);
            lines
                .iter()
                .map(|line| {
                    if !inside && !ended && marker(line, "ANCHOR:") == Some(name) {
                        inside = true;
                    } else if inside && marker(line, "ANCHOR_END:") == Some(name) {
                        // An include stops at its anchor's end; a rustdoc
                        // include shows the anchor again where it reopens.
                        (inside, ended) = (false, !hide_others);
                        return false;
                    }
                    inside
                })
                .collect()
        }
    };
    let mut chosen = Selection {
        text: String::new(),
        origins: Vec::new(),
    };
    for (i, (line, picked)) in lines.iter().zip(picked).enumerate() {
        if is_marker(line) || !(picked || hide_others) {
            continue;
        }
        if !chosen.origins.is_empty() {
            chosen.text.push('\n');
        }
        if !picked {
            chosen.text.push_str("# ");
        }
        chosen.text.push_str(line);
        chosen.origins.push(i as u32 + 1);
    }
    if chosen.origins.is_empty() {
        chosen.origins.push(1);
    }
    Ok(chosen)
}

/// Expands the directives of `text`, the chapter at `real`, reading below
/// `root`; `book_dir` names files for diagnostics.
pub fn expand(text: &str, real: &Path, root: &Folder, book_dir: &Folder) -> Expanded {
    let mut expander = Expander {
        root,
        book_dir,
        out: Out::new(),
        included: Vec::new(),
        diagnostics: Vec::new(),
        stack: Vec::new(),
        reads: HashMap::new(),
        included_text: 0,
        outermost: Span::default(),
        overflow: None,
    };
    let chapter = Selection::whole(text);
    let whole = Select::Lines {
        start: 0,
        end: None,
    };
    expander
        .stack
        .push((real.to_path_buf(), key(&whole, false)));
    expander.expand(&chapter, SourceId(0), real, 0);
    if let Some(error) = expander.overflow {
        // Nothing expanded rather than part: the error says why.
        return Expanded {
            text: text.to_string(),
            map: LineMap::default(),
            diagnostics: vec![error],
            ..Expanded::default()
        };
    }
    let mut lines = vec![line_lengths(text)];
    lines.extend(
        expander
            .included
            .iter()
            .map(|i| line_lengths(i.read.text.as_deref().unwrap_or(""))),
    );
    Expanded {
        text: expander.out.text,
        map: LineMap {
            pieces: expander.out.pieces,
            lines,
        },
        included: expander.included,
        diagnostics: expander.diagnostics,
    }
}

/// What a directive selects of a file, to recognise a cycle.
fn key(select: &Select<'_>, hide: bool) -> String {
    format!("{select:?} {hide}")
}

fn line_lengths(text: &str) -> Vec<u32> {
    text.split('\n')
        .map(|line| line.chars().count() as u32)
        .collect()
}

/// The expanded text as it grows, with where each piece comes from.
struct Out {
    text: String,
    pieces: Vec<Piece>,
    /// Line and column where the next character goes.
    line: u32,
    col: u32,
}

impl Out {
    fn new() -> Out {
        Out {
            text: String::new(),
            pieces: Vec::new(),
            line: 1,
            col: 1,
        }
    }

    fn position(&self) -> (u32, u32) {
        (self.line, self.col)
    }

    /// Appends `piece`, from `selection` of local source `source`, starting
    /// at line `line` and column `col` of the selection.
    fn push(
        &mut self,
        piece: &str,
        selection: &Selection,
        source: SourceId,
        (line, col): (u32, u32),
    ) {
        if piece.is_empty() {
            return;
        }
        let origin = |line: u32| {
            selection
                .origins
                .get(line as usize - 1)
                .copied()
                .unwrap_or(line)
        };
        self.pieces.push(Piece {
            at: self.position(),
            source,
            from: (origin(line), col),
        });
        let mut line = line;
        let mut rest = piece;
        while let Some(newline) = rest.find('\n') {
            self.advance(&rest[..newline]);
            self.text.push('\n');
            (self.line, self.col) = (self.line + 1, 1);
            line += 1;
            // Lines that do not follow each other in the file start a piece.
            if origin(line) != origin(line - 1) + 1 {
                self.pieces.push(Piece {
                    at: self.position(),
                    source,
                    from: (origin(line), 1),
                });
            }
            rest = &rest[newline + 1..];
        }
        self.advance(rest);
    }

    /// Appends text folio writes itself, placed at `span`.
    fn write(&mut self, text: &str, span: Span) {
        self.pieces.push(Piece {
            at: self.position(),
            source: span.source,
            from: (span.line, span.col),
        });
        for (i, line) in text.split('\n').enumerate() {
            if i > 0 {
                self.text.push('\n');
                (self.line, self.col) = (self.line + 1, 1);
            }
            self.advance(line);
        }
    }

    fn advance(&mut self, line: &str) {
        self.text.push_str(line);
        self.col += line.chars().count() as u32;
    }
}

struct Expander<'r> {
    root: &'r Folder,
    book_dir: &'r Folder,
    out: Out,
    included: Vec<Included>,
    diagnostics: Vec<Diagnostic>,
    /// The files being expanded, with what each directive selected: the
    /// same selection of the same file inside itself is a cycle.
    stack: Vec<(PathBuf, String)>,
    /// Files read so far (by real path), each read once per chapter.
    reads: HashMap<PathBuf, String>,
    included_text: usize,
    /// The directive of the chapter itself being expanded: where a bound
    /// is reported, as the files below it are dropped.
    outermost: Span,
    /// The bound an include bomb hit: the chapter is then left unexpanded.
    overflow: Option<Diagnostic>,
}

impl Expander<'_> {
    fn expand(&mut self, selection: &Selection, source: SourceId, real: &Path, depth: usize) {
        let text = &selection.text;
        let mut cursor = SpanCursor::new(source, text);
        let mut done = 0;
        while let Some(found) = next_directive(text, done) {
            if self.overflow.is_some() {
                return;
            }
            let before = cursor.span(done);
            let at = cursor.span(found.start);
            self.out.push(
                &text[done..found.start],
                selection,
                source,
                (before.line, before.col),
            );
            let span = Span {
                line: selection.origins[at.line as usize - 1],
                ..at
            };
            if depth == 0 {
                self.outermost = span;
            }
            let written = &text[found.start..found.end];
            match &found.directive {
                Directive::Escaped(literal) => {
                    let after = cursor.span(found.start + 1);
                    self.out
                        .push(literal, selection, source, (after.line, after.col));
                }
                // mdBook's page `<title>`: folio titles a page after SUMMARY.md.
                Directive::Title => {}
                directive => {
                    if !self.include(directive, span, real, depth) {
                        self.out.push(written, selection, source, (at.line, at.col));
                    }
                }
            }
            done = found.end;
            if self.out.text.len() > MAX_EXPANDED {
                self.overflow(format!(
                    "this chapter grows past {} MiB once its includes are expanded",
                    MAX_EXPANDED >> 20
                ));
                return;
            }
        }
        let rest = cursor.span(done);
        self.out
            .push(&text[done..], selection, source, (rest.line, rest.col));
    }

    /// Expands one include at `span`; `false` (with an error) when it cannot.
    fn include(
        &mut self,
        directive: &Directive<'_>,
        span: Span,
        real: &Path,
        depth: usize,
    ) -> bool {
        let whole = Select::Lines {
            start: 0,
            end: None,
        };
        let (path, select, hide, fence) = match directive {
            Directive::Include { path, select } => (*path, select, false, false),
            Directive::RustdocInclude { path, select } => (*path, select, true, false),
            Directive::Playground { path } => (*path, &whole, false, true),
            Directive::Escaped(_) | Directive::Title => return true,
        };
        if depth >= MAX_DEPTH {
            self.error(span, format!("includes nest more than {MAX_DEPTH} deep here"), "mdBook stops at the same depth: look for a file that includes itself through others".to_string());
            return false;
        }
        if self.included.len() >= MAX_INCLUSIONS {
            self.overflow(format!(
                "this chapter makes more than {MAX_INCLUSIONS} inclusions"
            ));
            return false;
        }
        let Some((target, read)) = self.read(path, span, real) else {
            return false;
        };
        let text = read.text.as_deref().unwrap_or_default();
        let key = key(select, hide);
        if self
            .stack
            .iter()
            .any(|(file, selected)| *file == target && *selected == key)
        {
            let chain: Vec<String> = self
                .stack
                .iter()
                .map(|(file, _)| self.display(file))
                .chain([self.display(&target)])
                .collect();
            self.error(
                span,
                format!("include cycle: {}", chain.join(" → ")),
                "a file cannot include itself, directly or through others".to_string(),
            );
            return false;
        }
        let selection = match select_in(text, select, hide) {
            Ok(selection) => selection,
            Err(why) => {
                self.error(span, format!("cannot include `{path}`: {why}"), "an anchor is a line `ANCHOR: name` and a line `ANCHOR_END: name` in the file; lines count from 1".to_string());
                return false;
            }
        };
        self.included_text += text.len();
        if self.included_text > MAX_INCLUDED_TEXT {
            self.overflow(format!(
                "this chapter includes more than {} MiB of files",
                MAX_INCLUDED_TEXT >> 20
            ));
            return false;
        }
        self.included.push(Included {
            display: self.display(&target),
            real: target.clone(),
            read,
            from: span,
        });
        let source = SourceId::new(self.included.len());
        if fence {
            self.out.write("```rust\n", span);
        }
        self.stack.push((target.clone(), key));
        self.expand(&selection, source, &target, depth + 1);
        self.stack.pop();
        if fence {
            self.out.write("\n```", span);
        }
        true
    }

    /// The file `path` names from the file at `real`, read through the
    /// gate once per chapter; `None` (with an error at `span`) if refused.
    /// A file read before comes back with its text only: what is wrong in
    /// it was reported at its first inclusion.
    fn read(&mut self, path: &str, span: Span, real: &Path) -> Option<(PathBuf, SourceRead)> {
        let root = self.root.path().unwrap_or(Path::new(""));
        let dir = real.parent().and_then(|d| d.strip_prefix(root).ok());
        let rel = match Path::new(path).is_absolute() {
            true => Path::new(path).strip_prefix(root).map(Path::to_path_buf),
            false => Ok(dir.unwrap_or(Path::new("")).join(path)),
        };
        let found = match rel {
            Ok(rel) => self.root.locate(&rel.to_string_lossy()),
            Err(_) => Err(Refused::OutsideRoot),
        };
        let located = match found {
            Ok(located) => located,
            Err(refused) => {
                self.refused(path, span, refused);
                return None;
            }
        };
        let target = located.path().to_path_buf();
        if let Some(text) = self.reads.get(&target) {
            let read = SourceRead::of(Ok(text.clone().into_bytes()));
            return Some((target, read));
        }
        let bytes = match located.read(MAX_TEXT_FILE) {
            Ok(bytes) => bytes,
            Err(refused) => {
                self.refused(path, span, refused);
                return None;
            }
        };
        let read = SourceRead::of(Ok(bytes));
        let text = read.text.clone().unwrap_or_default();
        self.reads.insert(target.clone(), text);
        Some((target, read))
    }

    fn refused(&mut self, path: &str, span: Span, refused: Refused) {
        let hint = match &refused {
            Refused::OutsideRoot => format!(
                "includes may read inside `{}` only (the book folder, or the repository that holds it); {INCLUDE_ROOT_SETTING} widens that",
                self.root.path().map_or(String::new(), |p| self.display(p))
            ),
            Refused::Missing => {
                "the path is relative to the file that holds the directive".to_string()
            }
            other => other.hint(path),
        };
        self.error(span, format!("included file `{path}` {refused}"), hint);
    }

    fn error(&mut self, span: Span, message: String, hint: String) {
        self.diagnostics
            .push(Diagnostic::error(message, span).with_hint(hint));
    }

    fn overflow(&mut self, message: String) {
        let span = self.outermost;
        self.overflow.get_or_insert_with(|| {
            Diagnostic::error(message, span).with_hint(
                "the chapter is left unexpanded: look for a file included many times over below this directive",
            )
        });
    }

    /// `real` as diagnostics show it: relative to the book folder.
    fn display(&self, real: &Path) -> String {
        let Some(book) = self.book_dir.path() else {
            return real.display().to_string();
        };
        let common = book
            .ancestors()
            .enumerate()
            .find(|(_, dir)| real.starts_with(dir));
        match common {
            Some((0, _)) => real
                .strip_prefix(book)
                .unwrap_or(real)
                .display()
                .to_string(),
            Some((up, dir)) => format!(
                "{}{}",
                "../".repeat(up),
                real.strip_prefix(dir).unwrap_or(real).display()
            ),
            None => real.display().to_string(),
        }
    }
}

/// Moves every span of `doc` with `place`. The matches list every variant,
/// so that a new node with a span cannot be forgotten here.
pub fn map_spans(doc: &mut Document, place: &dyn Fn(Span) -> Span) {
    blocks(&mut doc.blocks, place);
    for note in &mut doc.footnotes {
        note.span = place(note.span);
        blocks(&mut note.blocks, place);
    }
    for diagnostic in &mut doc.diagnostics {
        diagnostic.span = diagnostic.span.map(place);
    }
}

fn blocks(blocks_: &mut [Block], place: &dyn Fn(Span) -> Span) {
    for block in blocks_ {
        match block {
            Block::Heading { content, span, .. } | Block::Paragraph { content, span } => {
                *span = place(*span);
                inlines(content, place);
            }
            Block::Figure { image, span } => {
                *span = place(*span);
                image.span = place(image.span);
            }
            Block::BlockQuote {
                blocks: inner,
                span,
            } => {
                *span = place(*span);
                blocks(inner, place);
            }
            Block::List { items, span, .. } => {
                *span = place(*span);
                for item in items {
                    item.span = place(item.span);
                    blocks(&mut item.blocks, place);
                }
            }
            Block::Table {
                header, rows, span, ..
            } => {
                *span = place(*span);
                for cell in header.iter_mut().chain(rows.iter_mut().flatten()) {
                    inlines(cell, place);
                }
            }
            Block::CodeBlock { span, .. } | Block::ThematicBreak { span } => *span = place(*span),
            Block::Html(fragment) => raw_html(fragment, place),
            Block::HtmlElement {
                element,
                blocks: inner,
            } => {
                element.span = place(element.span);
                blocks(inner, place);
            }
            Block::ForEditions {
                website,
                ebook,
                span,
            } => {
                *span = place(*span);
                blocks(website, place);
                blocks(ebook, place);
            }
            Block::Alert {
                blocks: inner,
                span,
                ..
            } => {
                *span = place(*span);
                blocks(inner, place);
            }
            Block::DefinitionList { items, span } => {
                *span = place(*span);
                for item in items {
                    item.span = place(item.span);
                    inlines(&mut item.term, place);
                    blocks(&mut item.details, place);
                }
            }
        }
    }
}

fn inlines(inlines_: &mut [Inline], place: &dyn Fn(Span) -> Span) {
    for inline in inlines_ {
        match inline {
            Inline::Emphasis { content, span }
            | Inline::Strong { content, span }
            | Inline::Strikethrough { content, span } => {
                *span = place(*span);
                inlines(content, place);
            }
            Inline::Link(link) => {
                link.span = place(link.span);
                inlines(&mut link.content, place);
            }
            Inline::Text { span, .. }
            | Inline::Code { span, .. }
            | Inline::FootnoteRef { span, .. }
            | Inline::Citation { span, .. }
            | Inline::SoftBreak { span }
            | Inline::HardBreak { span } => *span = place(*span),
            Inline::Image(image) => image.span = place(image.span),
            Inline::Math(math) => math.span = place(math.span),
            Inline::Html(fragment) => raw_html(fragment, place),
            Inline::HtmlElement { element, content } => {
                element.span = place(element.span);
                inlines(content, place);
            }
        }
    }
}

fn raw_html(fragment: &mut HtmlFragment, place: &dyn Fn(Span) -> Span) {
    fn nodes(nodes_: &mut [HtmlNode], place: &dyn Fn(Span) -> Span) {
        for node in nodes_ {
            match node {
                HtmlNode::Element { element, children } => {
                    element.span = place(element.span);
                    nodes(children, place);
                }
                HtmlNode::RawText { element, .. } => element.span = place(element.span),
                HtmlNode::Text { span, .. } | HtmlNode::Comment { span, .. } => {
                    *span = place(*span)
                }
            }
        }
    }
    fragment.span = place(fragment.span);
    nodes(&mut fragment.nodes, place);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn directives(text: &str) -> Vec<(usize, Directive<'_>)> {
        let mut found = Vec::new();
        let mut from = 0;
        while let Some(next) = next_directive(text, from) {
            from = next.end;
            found.push((next.start, next.directive));
        }
        found
    }

    #[test]
    fn directives_are_found_as_mdbook_finds_them() {
        let include = |path, select| Directive::Include { path, select };
        assert_eq!(
            directives("a {{ #include x.rs:2:4 }} b {{#unknown y}} {{#include}}"),
            [(
                2,
                include(
                    "x.rs",
                    Select::Lines {
                        start: 1,
                        end: Some(4)
                    }
                )
            )]
        );
        // An escape runs to the last `}}` of its line.
        assert_eq!(
            directives("\\{{#include a}} {{#include b}}\n{{{#include c:x}}"),
            [
                (0, Directive::Escaped("{{#include a}} {{#include b}}")),
                (32, include("c", Select::Anchor("x"))),
            ]
        );
        assert_eq!(
            directives("{{#playground p.rs editable}}{{#title A  title}}"),
            [
                (0, Directive::Playground { path: "p.rs" }),
                (29, Directive::Title)
            ]
        );
        // A `}` inside the target ends it: not a directive.
        assert_eq!(directives("{{#include a}b}}"), []);
    }

    #[test]
    fn ranges_read_as_mdbook_reads_them() {
        let lines = |start, end| Select::Lines { start, end };
        assert_eq!(select_of(""), lines(0, None));
        assert_eq!(select_of("10"), lines(9, Some(10)));
        assert_eq!(select_of("10:20"), lines(9, Some(20)));
        assert_eq!(select_of(":20"), lines(0, Some(20)));
        assert_eq!(select_of("10:"), lines(9, None));
        assert_eq!(select_of("10:x"), lines(9, None));
        assert_eq!(select_of("name:10"), Select::Anchor("name"));
    }

    #[test]
    fn anchors_drop_every_marker_line() {
        let text = "a\n/* ANCHOR: one */\nb\n# ANCHOR: two\nc\n# ANCHOR_END: two\n/* ANCHOR_END: one */\nd";
        let one = select_in(text, &Select::Anchor("one"), false).unwrap();
        assert_eq!(one.text, "b\nc");
        assert_eq!(one.origins, [3, 5]);
        let hidden = select_in(text, &Select::Anchor("two"), true).unwrap();
        assert_eq!(hidden.text, "# a\n# b\nc\n# d");
        let whole = select_in(
            text,
            &Select::Lines {
                start: 0,
                end: None,
            },
            false,
        )
        .unwrap();
        assert_eq!(whole.text, "a\nb\nc\nd");
        assert!(select_in(text, &Select::Anchor("three"), false).is_err());
        assert!(
            select_in(
                text,
                &Select::Lines {
                    start: 8,
                    end: Some(9)
                },
                false
            )
            .is_err()
        );
    }

    #[test]
    fn the_line_map_places_text_spliced_inside_a_line() {
        // `ab {{#include x}} cd` where x is `X1\nX2`: `ab X1\nX2 cd`.
        let mut out = Out::new();
        let chapter = Selection::whole("ab {{#include x}} cd");
        let included = Selection::whole("X1\nX2");
        out.push("ab ", &chapter, SourceId(0), (1, 1));
        out.push("X1\nX2", &included, SourceId(1), (1, 1));
        out.push(" cd", &chapter, SourceId(0), (1, 17));
        assert_eq!(out.text, "ab X1\nX2 cd");
        let map = LineMap {
            pieces: out.pieces,
            lines: vec![line_lengths(&chapter.text), line_lengths(&included.text)],
        };
        let place = |line, col| {
            let span = map.place(Span {
                source: SourceId(0),
                line,
                col,
            });
            (span.source.index(), span.line, span.col)
        };
        assert_eq!(place(1, 2), (0, 1, 2));
        assert_eq!(place(1, 5), (1, 1, 2));
        assert_eq!(place(2, 2), (1, 2, 2));
        assert_eq!(place(2, 4), (0, 1, 17 + 1));
    }
}
