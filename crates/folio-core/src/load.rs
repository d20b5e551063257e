//! The book loader: finds the layout (GitBook, mdBook, single file), reads
//! metadata and the chapter tree, and runs the reader on every chapter.
//!
//! Problems in the book become diagnostics (all of them, never only the
//! first); only "there is no book here" is an error of the loader itself.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Deserialize;

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::model::{Bibliography, Block, Book, Chapter, ChapterKind, Footnote, Metadata, Part, Source, SourceId, Span};
use crate::paths::{self, Refused};
use crate::reader::{self, Document, FrontMatter};
use crate::slug::slugify;
use crate::summary::{self, Entry};

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("no book at `{0}`: expected a folder with SUMMARY.md or book.toml, or a Markdown file")]
    NotABook(String),
}

/// Loads and parses the book at `path` (a folder or a Markdown file). The
/// result is not resolved yet: see [`crate::open`].
pub fn load(path: &Path) -> Result<Book, LoadError> {
    let not_a_book = || LoadError::NotABook(path.display().to_string());
    if path.is_file() {
        let root = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let file = path.file_name().ok_or_else(not_a_book)?.to_string_lossy().into_owned();
        return Ok(Loader::new(root, root, "").single_file(&file));
    }
    if path.join("book.toml").is_file() {
        return Ok(Loader::mdbook(path));
    }
    if path.join("SUMMARY.md").is_file() {
        return Ok(Loader::new(path, path, "").gitbook());
    }
    Err(not_a_book())
}

/// Loads a standalone Markdown document held in memory (no files, no
/// assets). Not resolved yet: see [`crate::parse_str`].
pub fn load_str(markdown: &str) -> Book {
    let mut loader = Loader::new(Path::new(""), Path::new(""), "");
    let (markdown, _) = reader::clean(markdown.to_string());
    let source = loader.add_source("input.md", markdown.clone());
    let doc = reader::read(&markdown, source, FrontMatter::Allowed);
    loader.front_matter(&doc, source);
    loader.metadata.title = loader.metadata.title.clone().or_else(|| first_heading(&doc));
    let title = loader.metadata.title.clone().unwrap_or_default();
    loader.push_chapter(title, "input.md", ChapterKind::Body, 0, None, source, doc);
    loader.finish()
}

/// A source file as read: its text, with what no edition could take
/// replaced (invalid UTF-8 and control characters become U+FFFD, a lone CR
/// ends a line as CommonMark says), and where the first of each was.
struct SourceRead {
    text: std::io::Result<String>,
    /// Byte offset of the first invalid UTF-8 sequence.
    invalid_utf8_at: Option<usize>,
    /// The first control character replaced, at its byte offset.
    control_at: Option<(usize, char)>,
}

impl SourceRead {
    fn of(path: &Path) -> Self {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) => return SourceRead { text: Err(e), invalid_utf8_at: None, control_at: None },
        };
        let (text, invalid_utf8_at) = match String::from_utf8(bytes) {
            Ok(text) => (text, None),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                (String::from_utf8_lossy(e.as_bytes()).into_owned(), Some(at))
            }
        };
        let (text, control_at) = reader::clean(text);
        SourceRead { text: Ok(text), invalid_utf8_at, control_at }
    }
}

/// Metadata as found, before defaults and folio.toml are applied.
#[derive(Debug, Default)]
struct FoundMetadata {
    title: Option<String>,
    subtitle: Option<String>,
    authors: Vec<String>,
    language: Option<String>,
    description: Option<String>,
    date: Option<String>,
    license: Option<String>,
    identifier: Option<String>,
    publisher: Option<String>,
    version: Option<String>,
    keywords: Vec<String>,
}

struct Loader {
    /// Where the book's own files are (book.toml, folio.toml).
    book_dir: PathBuf,
    /// Where the content is: the book root for links and images.
    root: PathBuf,
    /// Prefix of content paths as shown in diagnostics (`src/` for mdBook).
    display_prefix: String,
    sources: Vec<Source>,
    diagnostics: Vec<Diagnostic>,
    metadata: FoundMetadata,
    config: Config,
    parts: Vec<Part>,
    chapters: Vec<Chapter>,
    /// Chapters whose file is yet to be read and parsed (see `read_planned`).
    planned: Vec<Planned>,
    /// Whether chapters may open with YAML front matter (not in mdBook).
    front_matter: FrontMatter,
}

struct Planned {
    chapter: usize,
    path: PathBuf,
    /// The SUMMARY entry that names the file.
    span: Span,
}

impl Loader {
    fn new(book_dir: &Path, root: &Path, display_prefix: &str) -> Self {
        let mut loader = Loader {
            book_dir: book_dir.to_path_buf(),
            root: root.to_path_buf(),
            display_prefix: display_prefix.to_string(),
            sources: Vec::new(),
            diagnostics: Vec::new(),
            metadata: FoundMetadata::default(),
            config: Config::default(),
            parts: Vec::new(),
            chapters: Vec::new(),
            planned: Vec::new(),
            front_matter: FrontMatter::Allowed,
        };
        loader.folio_toml();
        loader
    }

    fn add_source(&mut self, path: &str, text: String) -> SourceId {
        self.sources.push(Source { path: path.to_string(), text });
        self.sources.len() - 1
    }

    /// Reads a file of the book dir (not the content root) if it exists.
    fn read_book_file(&mut self, name: &str) -> Option<(SourceId, String)> {
        let path = self.book_dir.join(name);
        if !path.is_file() {
            return None;
        }
        self.read_file(&path, name, None)
    }

    /// Reads a file, reporting unreadable or non-UTF-8 content. `span` is where
    /// it was asked for, if anywhere.
    fn read_file(&mut self, path: &Path, display: &str, span: Option<Span>) -> Option<(SourceId, String)> {
        let source = self.add_source(display, String::new());
        self.accept_read(source, SourceRead::of(path), span).then(|| (source, self.sources[source].text.clone()))
    }

    /// Stores what reading `source` gave, reporting an unreadable file,
    /// invalid UTF-8 and control characters. `false` when there is no text.
    fn accept_read(&mut self, source: SourceId, read: SourceRead, span: Option<Span>) -> bool {
        let display = &self.sources[source].path;
        let text = match read.text {
            Err(e) => {
                self.diagnostics.push(Diagnostic::new(crate::Severity::Error, format!("cannot read `{display}`: {e}"), span));
                return false;
            }
            Ok(text) => text,
        };
        if let Some(at) = read.invalid_utf8_at {
            self.diagnostics.push(
                Diagnostic::error(format!("`{display}` is not valid UTF-8"), span_at_byte(source, &text, at))
                    .with_hint("save the file as UTF-8; invalid bytes are shown as �"),
            );
        }
        if let Some((at, control)) = read.control_at {
            self.diagnostics.push(
                Diagnostic::warning(format!("`{display}` contains the control character U+{:04X}, replaced by �", control as u32), span_at_byte(source, &text, at))
                    .with_hint("no edition can show it (XML forbids it): delete it"),
            );
        }
        self.sources[source].text = text;
        true
    }

    /// Reads and parses every chapter planned so far, on all cores: chapters
    /// are independent until the resolver, and parsing is most of loading.
    fn read_planned(&mut self) {
        let planned = std::mem::take(&mut self.planned);
        let jobs: Vec<(&Path, SourceId)> = planned.iter().map(|p| (p.path.as_path(), self.chapters[p.chapter].source)).collect();
        let front_matter = self.front_matter;
        let reads: Vec<_> = jobs.par_iter().map(|&(path, source)| {
            let read = SourceRead::of(path);
            let doc = read.text.as_ref().ok().map(|text| reader::read(text, source, front_matter));
            (read, doc)
        }).collect();
        let sources: Vec<SourceId> = jobs.iter().map(|&(_, source)| source).collect();
        for ((plan, source), (read, doc)) in planned.iter().zip(sources).zip(reads) {
            if !self.accept_read(source, read, Some(plan.span)) {
                continue;
            }
            if let Some(doc) = doc {
                self.fill_chapter(plan.chapter, doc);
            }
        }
    }

    fn folio_toml(&mut self) {
        let Some((source, text)) = self.read_book_file("folio.toml") else { return };
        match toml::from_str::<Config>(&text) {
            Ok(config) => self.config = config,
            Err(e) => {
                let at = e.span().map_or(0, |r| r.start);
                let message = e.message().trim().to_string();
                self.diagnostics.push(
                    Diagnostic::error(format!("invalid folio.toml: {message}"), span_at_byte(source, &text, at))
                        .with_hint("every key is documented in the configuration chapter of the user guide"),
                );
            }
        }
    }

    fn gitbook(mut self) -> Book {
        if let Some((source, text)) = self.read_book_file("book.json") {
            self.book_json(source, &text);
        }
        let Some((summary_source, summary_text)) = self.read_book_file("SUMMARY.md") else {
            return self.finish();
        };
        let entries = summary::parse(&summary_text, summary_source);
        // GitBook always opens with README.md, listed or not.
        let lists_readme = entries.iter().any(|e| matches!(e, Entry::Chapter { target: Some(t), .. } if paths::join("", strip_anchor(t)).path == "README.md"));
        if !lists_readme && self.root.join("README.md").is_file() {
            self.chapter_from_file("Introduction".to_string(), "README.md", ChapterKind::Front, 0, None, Span { source: summary_source, line: 1, col: 1 });
        }
        self.summary_entries(entries, "");
        self.report_unlisted(&["SUMMARY.md", "GLOSSARY.md", "LANGS.md"]);
        self.finish()
    }

    fn mdbook(book_dir: &Path) -> Book {
        #[derive(Deserialize, Default)]
        struct BookToml {
            #[serde(default)]
            book: MdBookSection,
        }
        #[derive(Deserialize, Default)]
        struct MdBookSection {
            title: Option<String>,
            #[serde(default)]
            authors: Vec<String>,
            language: Option<String>,
            description: Option<String>,
            src: Option<String>,
        }
        let mut probe = Loader::new(book_dir, book_dir, "");
        let Some((source, text)) = probe.read_book_file("book.toml") else { return probe.finish() };
        let parsed = match toml::from_str::<BookToml>(&text) {
            Ok(parsed) => parsed,
            Err(e) => {
                let at = e.span().map_or(0, |r| r.start);
                probe.diagnostics.push(Diagnostic::error(format!("invalid book.toml: {}", e.message().trim()), span_at_byte(source, &text, at)));
                BookToml::default()
            }
        };
        let src = parsed.book.src.clone().unwrap_or_else(|| "src".to_string());
        // Start again with the content root at `src/`, keeping what was read.
        // mdBook has no front matter: a leading `---` is a thematic break.
        let mut loader = Loader { root: book_dir.join(&src), display_prefix: format!("{}/", src.trim_end_matches('/')), front_matter: FrontMatter::None, ..probe };
        loader.metadata.title = parsed.book.title;
        loader.metadata.authors = parsed.book.authors;
        loader.metadata.language = parsed.book.language;
        loader.metadata.description = parsed.book.description;
        let summary_display = format!("{}SUMMARY.md", loader.display_prefix);
        let summary_path = loader.root.join("SUMMARY.md");
        let Some((summary_source, summary_text)) = loader.read_file(&summary_path, &summary_display, None) else {
            return loader.finish();
        };
        let entries = summary::parse(&summary_text, summary_source);
        loader.summary_entries(entries, "");
        loader.report_unlisted(&["SUMMARY.md"]);
        loader.finish()
    }

    fn single_file(mut self, file: &str) -> Book {
        let display = file.to_string();
        let Some((source, text)) = self.read_file(&self.root.join(file), &display, None) else { return self.finish() };
        let doc = reader::read(&text, source, FrontMatter::Allowed);
        self.front_matter(&doc, source);
        if self.metadata.title.is_none() {
            self.metadata.title = first_heading(&doc).or_else(|| Some(file.trim_end_matches(".md").to_string()));
        }
        let title = self.metadata.title.clone().unwrap_or_default();
        self.push_chapter(title, file, ChapterKind::Body, 0, None, source, doc);
        self.finish()
    }

    fn book_json(&mut self, source: SourceId, text: &str) {
        #[derive(Deserialize)]
        struct BookJson {
            title: Option<String>,
            description: Option<String>,
            language: Option<String>,
            author: Option<String>,
            isbn: Option<String>,
            root: Option<String>,
        }
        match serde_json::from_str::<BookJson>(text) {
            Ok(json) => {
                self.metadata.title = json.title;
                self.metadata.description = json.description;
                self.metadata.language = json.language;
                self.metadata.authors = json.author.into_iter().collect();
                self.metadata.identifier = json.isbn.filter(|s| !s.is_empty());
                if let Some(root) = json.root {
                    self.root = self.book_dir.join(root.trim_start_matches("./"));
                    self.display_prefix = format!("{}/", root.trim_start_matches("./").trim_end_matches('/'));
                }
            }
            Err(e) => self.diagnostics.push(
                Diagnostic::error(format!("invalid book.json: {e}"), Span { source, line: e.line().max(1) as u32, col: e.column().max(1) as u32 })
                    .with_hint("book.json must be a JSON object such as {\"title\": \"…\", \"language\": \"fr\"}"),
            ),
        }
    }

    fn front_matter(&mut self, doc: &Document, source: SourceId) {
        #[derive(Deserialize, Default)]
        #[serde(default)]
        struct FrontMatter {
            title: Option<String>,
            subtitle: Option<String>,
            author: Option<OneOrMany>,
            authors: Option<OneOrMany>,
            lang: Option<String>,
            language: Option<String>,
            description: Option<String>,
            date: Option<String>,
            license: Option<String>,
            rights: Option<String>,
            identifier: Option<String>,
            publisher: Option<String>,
            version: Option<String>,
            keywords: Option<OneOrMany>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum OneOrMany {
            One(String),
            Many(Vec<String>),
        }
        impl OneOrMany {
            fn into_vec(self) -> Vec<String> {
                match self {
                    OneOrMany::One(s) => vec![s],
                    OneOrMany::Many(v) => v,
                }
            }
        }
        let Some(yaml) = &doc.front_matter else { return };
        match serde_norway::from_str::<FrontMatter>(yaml) {
            Ok(fm) => {
                let m = &mut self.metadata;
                m.title = fm.title;
                m.subtitle = fm.subtitle;
                m.authors = fm.authors.or(fm.author).map(OneOrMany::into_vec).unwrap_or_default();
                m.language = fm.lang.or(fm.language);
                m.description = fm.description;
                m.date = fm.date;
                m.license = fm.license.or(fm.rights);
                m.identifier = fm.identifier;
                m.publisher = fm.publisher;
                m.version = fm.version;
                m.keywords = fm.keywords.map(OneOrMany::into_vec).unwrap_or_default();
            }
            Err(e) => {
                // The YAML starts on line 2, after the opening `---`.
                let (line, col) = e.location().map_or((1, 1), |l| (l.line() as u32 + 1, l.column() as u32));
                self.diagnostics.push(Diagnostic::error(format!("invalid front matter: {e}"), Span { source, line, col }));
            }
        }
    }

    /// Turns SUMMARY entries into parts and chapters. `base` is the folder of
    /// the SUMMARY inside the content root.
    fn summary_entries(&mut self, entries: Vec<Entry>, base: &str) {
        let mut part = None;
        // Chapter ids by depth, to find each chapter's parent.
        let mut stack: Vec<Option<usize>> = Vec::new();
        let mut listed: Vec<String> = Vec::new();
        for entry in entries {
            match entry {
                Entry::Part { title, span } => {
                    let id = unique(format!("part-{}", slugify(&title, "part")), |c| self.parts.iter().any(|p| p.id == c));
                    self.parts.push(Part { title, id, span });
                    part = Some(self.parts.len() - 1);
                    stack.clear();
                }
                Entry::Chapter { title, target, depth, kind, span } => {
                    stack.truncate(depth as usize);
                    let parent = stack.iter().rev().flatten().next().copied();
                    let Some(target) = target else {
                        self.diagnostics.push(Diagnostic::note(format!("draft chapter `{title}` skipped"), span).with_hint("give it a file, e.g. `[Title](file.md)`, to include it"));
                        stack.push(None);
                        continue;
                    };
                    let resolved = paths::join(base, strip_anchor(&target));
                    if resolved.clamped {
                        self.diagnostics.push(Diagnostic::error(format!("chapter `{target}` lies outside the book"), span));
                        stack.push(None);
                        continue;
                    }
                    if listed.contains(&resolved.path) {
                        self.diagnostics.push(Diagnostic::warning(format!("`{}` is listed twice in SUMMARY.md; the second entry is skipped", resolved.path), span));
                        stack.push(None);
                        continue;
                    }
                    listed.push(resolved.path.clone());
                    // GitBook's root README is the introduction, front matter of the book.
                    let kind = if resolved.path == "README.md" && kind == ChapterKind::Body { ChapterKind::Front } else { kind };
                    // mdBook prefix and suffix chapters stand outside the parts.
                    let in_part = if kind == ChapterKind::Body { part } else { None };
                    let id = self.chapter_from_file(title, &resolved.path, kind, depth, parent, span).inspect(|&id| self.chapters[id].part = in_part);
                    stack.push(id);
                }
            }
        }
    }

    /// Reads and parses one chapter file named in SUMMARY at `span`.
    fn chapter_from_file(&mut self, title: String, file: &str, kind: ChapterKind, depth: u32, parent: Option<usize>, span: Span) -> Option<usize> {
        let display = format!("{}{}", self.display_prefix, file);
        if self.chapters.iter().any(|c| c.file == file) {
            return None;
        }
        let real = match paths::locate(&self.root, file) {
            Ok(real) => real,
            Err(refused) => {
                let message = match refused {
                    Refused::Missing => format!("chapter file `{display}` not found"),
                    Refused::OutsideRoot => format!("chapter file `{display}` lies outside the book root"),
                };
                let mut diagnostic = Diagnostic::error(message, span);
                if let Some(near) = closest_markdown_file(&self.root, file) {
                    diagnostic = diagnostic.with_hint(format!("did you mean `{near}`?"));
                } else {
                    diagnostic = diagnostic.with_hint(format!("create `{display}` or remove the entry"));
                }
                self.diagnostics.push(diagnostic);
                return None;
            }
        };
        let source = self.add_source(&display, String::new());
        let chapter = self.push_chapter(title, file, kind, depth, parent, source, Document::default());
        self.planned.push(Planned { chapter, path: real, span });
        Some(chapter)
    }

    #[allow(clippy::too_many_arguments)]
    fn push_chapter(&mut self, title: String, file: &str, kind: ChapterKind, depth: u32, parent: Option<usize>, source: SourceId, doc: Document) -> usize {
        // Editions name their files after it: portable, and distinct even
        // case-insensitively, as EPUB reading systems compare names.
        let path = unique(paths::portable(&output_path(file)), |c| self.chapters.iter().any(|ch| ch.path.eq_ignore_ascii_case(c)));
        let id = unique(format!("ch-{}", slugify(&path.replace('/', " "), "chapter").trim_start_matches("s-")), |c| self.chapters.iter().any(|ch| ch.id == c));
        self.chapters.push(Chapter {
            title,
            kind,
            part: None,
            parent,
            depth,
            source,
            file: file.to_string(),
            path,
            id,
            blocks: Vec::new(),
            footnotes: Vec::new(),
            global_ids: Default::default(),
            span: Span { source, line: 1, col: 1 },
        });
        let chapter = self.chapters.len() - 1;
        self.fill_chapter(chapter, doc);
        chapter
    }

    /// Gives a chapter its parsed content.
    fn fill_chapter(&mut self, chapter: usize, doc: Document) {
        let chapter = &mut self.chapters[chapter];
        chapter.blocks = doc.blocks;
        normalize_heading_levels(&mut chapter.blocks);
        // Numbered and ordered by the resolver.
        chapter.footnotes = doc
            .footnotes
            .into_iter()
            .map(|f| Footnote { label: f.label, number: 0, id: String::new(), blocks: f.blocks, references: Vec::new(), span: f.span })
            .collect();
    }

    /// Notes every Markdown file of the content root that no chapter uses.
    fn report_unlisted(&mut self, ignored: &[&str]) {
        let mut files = Vec::new();
        markdown_files(&self.root, "", &mut files);
        for file in files {
            if ignored.contains(&file.as_str()) || self.chapters.iter().any(|c| c.file == file) {
                continue;
            }
            let display = format!("{}{}", self.display_prefix, file);
            let text = std::fs::read(self.root.join(&file)).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
            let source = self.add_source(&display, text);
            self.diagnostics.push(
                Diagnostic::new(crate::Severity::Note, format!("`{display}` is not listed in SUMMARY.md and is left out"), Some(Span { source, line: 1, col: 1 }))
                    .with_hint("add it to SUMMARY.md to include it"),
            );
        }
    }

    fn finish(mut self) -> Book {
        self.read_planned();
        let found = self.metadata;
        let over = &self.config.book;
        let fallback_title = self.book_dir.canonicalize().ok().and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned())).unwrap_or_else(|| "Untitled".to_string());
        let metadata = Metadata {
            title: over.title.clone().or(found.title).filter(|t| !t.trim().is_empty()).unwrap_or(fallback_title),
            subtitle: over.subtitle.clone().or(found.subtitle),
            authors: over.authors.clone().unwrap_or(found.authors),
            // Every edition must declare a language: English when the book says none.
            language: over.language.clone().or(found.language).filter(|l| !l.trim().is_empty()).unwrap_or_else(|| "en".to_string()),
            description: over.description.clone().or(found.description),
            identifier: over.identifier.clone().or(found.identifier),
            license: over.license.clone().or(found.license),
            publisher: over.publisher.clone().or(found.publisher),
            version: over.version.clone().or(found.version),
            date: over.date.clone().or(found.date),
            keywords: over.keywords.clone().unwrap_or(found.keywords),
            cover: None,
        };
        Book {
            root: self.root,
            metadata,
            config: self.config,
            parts: self.parts,
            chapters: self.chapters,
            assets: Vec::new(),
            bibliography: Bibliography::default(),
            sources: self.sources,
            diagnostics: self.diagnostics,
        }
    }
}

/// `2-constituants/README.md` → `2-constituants/index`; `a/b.md` → `a/b`.
fn output_path(file: &str) -> String {
    let stem = file.strip_suffix(".md").or_else(|| file.strip_suffix(".markdown")).unwrap_or(file);
    match stem.rsplit_once('/') {
        Some((dir, "README" | "readme")) => format!("{dir}/index"),
        None if stem.eq_ignore_ascii_case("readme") => "index".to_string(),
        _ => stem.to_string(),
    }
}

fn strip_anchor(target: &str) -> &str {
    target.split('#').next().unwrap_or(target)
}

/// `base`, or `base-2`, `base-3`… whichever is not taken yet.
pub(crate) fn unique(base: String, taken: impl Fn(&str) -> bool) -> String {
    if !taken(&base) {
        return base;
    }
    (2..).map(|n| format!("{base}-{n}")).find(|c| !taken(c)).unwrap_or(base)
}

/// Shift headings so that the chapter's top level becomes 1: chapters that
/// start at `##` and chapters that start at `#` are both chapter-level.
fn normalize_heading_levels(blocks: &mut [Block]) {
    let top = blocks.iter().filter_map(|b| match b { Block::Heading { level, .. } => Some(*level), _ => None }).min();
    let Some(shift) = top.map(|t| t - 1).filter(|s| *s > 0) else { return };
    for block in blocks {
        if let Block::Heading { level, .. } = block {
            *level -= shift;
        }
    }
}

fn first_heading(doc: &Document) -> Option<String> {
    doc.blocks.iter().find_map(|b| match b {
        Block::Heading { content, .. } => Some(crate::model::plain_text(content)),
        _ => None,
    })
}

/// Folders never part of a book's content.
const SKIPPED_DIRS: [&str; 6] = ["node_modules", "_book", "dist", "target", "book", "output"];

fn markdown_files(root: &Path, rel: &str, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(root.join(rel)) else { return };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let path = if rel.is_empty() { name.clone() } else { format!("{rel}/{name}") };
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_dir() && !SKIPPED_DIRS.contains(&name.as_str()) {
            markdown_files(root, &path, out);
        } else if kind.is_file() && name.ends_with(".md") {
            out.push(path);
        }
    }
}

fn closest_markdown_file(root: &Path, wanted: &str) -> Option<String> {
    let mut files = Vec::new();
    markdown_files(root, "", &mut files);
    files
        .into_iter()
        .map(|f| (strsim::levenshtein(&f, wanted), f))
        .filter(|(d, f)| *d <= wanted.len().max(f.len()) / 3)
        .min()
        .map(|(_, f)| f)
}

/// The span of byte `at` in `text` (the content of `source`).
pub(crate) fn span_at_byte(source: SourceId, text: &str, at: usize) -> Span {
    let at = at.min(text.len());
    let before = &text[..text.floor_char_boundary(at)];
    let line = before.matches('\n').count() as u32 + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() as u32 + 1;
    Span { source, line, col }
}

impl Book {
    /// Loads, parses and resolves the book at `path` (see [`crate::open`]).
    pub fn load(path: &Path) -> Result<Book, LoadError> {
        crate::open(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_paths_mirror_sources() {
        assert_eq!(output_path("README.md"), "index");
        assert_eq!(output_path("2-constituants/README.md"), "2-constituants/index");
        assert_eq!(output_path("2-constituants/1-code_source.md"), "2-constituants/1-code_source");
    }

    #[test]
    fn heading_levels_are_normalised() {
        let mut doc = reader::read("## Un\n\n### Deux\n", 0, FrontMatter::None).blocks;
        normalize_heading_levels(&mut doc);
        let levels: Vec<u8> = doc.iter().filter_map(|b| match b { Block::Heading { level, .. } => Some(*level), _ => None }).collect();
        assert_eq!(levels, [1, 2]);
    }

    #[test]
    fn chapter_paths_are_portable_and_distinct() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("SUMMARY.md"), "# Summary\n\n* [Un](<mon chapitre.md>)\n* [Deux](mon-chapitre.md)\n* [Trois](Mon%20Chapitre.md)\n").unwrap();
        for file in ["mon chapitre.md", "mon-chapitre.md", "Mon Chapitre.md"] {
            std::fs::write(root.join(file), "# Titre\n").unwrap();
        }
        let book = load(root).unwrap();
        let paths: Vec<&str> = book.chapters.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, ["mon-chapitre", "mon-chapitre-2", "Mon-Chapitre-3"]);
    }

    #[test]
    fn span_at_byte_counts_lines_and_characters() {
        assert_eq!(span_at_byte(0, "ab\nçd", 5), Span { source: 0, line: 2, col: 2 });
    }
}
