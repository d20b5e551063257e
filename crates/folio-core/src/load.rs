//! The book loader: finds the layout (GitBook, mdBook, single file), reads
//! metadata and the chapter tree, and runs the reader on every chapter.
//!
//! Problems in the book become diagnostics (all of them, never only the
//! first); only "there is no book here" is an error of the loader itself.
//! Every file is read through the gate of [`crate::files`].

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::config::{Config, SettingSpans};
use crate::date::{PubDate, WrittenDate};
use crate::diagnostics::{Diagnostic, span_at_byte};
use crate::files::{Folder, Located, MAX_TEXT_FILE, Refused};
use crate::include;
use crate::model::{
    Bibliography, Block, Book, Chapter, ChapterId, ChapterKind, Footnote, Metadata, Part, PartId,
    Source, SourceId, Span,
};
use crate::names::UniqueNames;
use crate::paths;
use crate::reader::{self, Document, FrontMatter, ParseMemo};
use crate::slug::slugify;
use crate::summary::{self, Entry};
use crate::template;
use crate::text;

mod gitbook;

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(
        "no book at `{0}`: expected a folder with SUMMARY.md, book.json, LANGS.md or book.toml, or a Markdown file"
    )]
    NotABook(String),
}

/// Loads and parses the book at `path` (a folder or a Markdown file). The
/// result is not resolved yet: see [`crate::open`].
pub fn load(path: &Path) -> Result<Book, LoadError> {
    load_reusing(path, None, None)
}

/// Loads one language of the multilingual GitBook book at `path` (see
/// [`Book::languages`]). Not resolved yet: see [`crate::open_language`].
pub fn load_language(path: &Path, language: &crate::model::Language) -> Result<Book, LoadError> {
    load_reusing(path, Some(language), None)
}

/// [`load`], or [`load_language`] for a language, taking from `memo` the
/// documents of sources an earlier build parsed (see [`ParseMemo`]).
pub fn load_reusing(
    path: &Path,
    language: Option<&crate::model::Language>,
    memo: Option<Arc<ParseMemo>>,
) -> Result<Book, LoadError> {
    let not_a_book = || LoadError::NotABook(path.display().to_string());
    if let Some(language) = language {
        let folder = Folder::new(path).map_err(|_| not_a_book())?;
        return Ok(Loader::new(folder.clone(), folder, "", memo).gitbook_language(language));
    }
    if path.is_file() {
        let parent = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let folder = Folder::new(parent).map_err(|_| not_a_book())?;
        let file = path
            .file_name()
            .ok_or_else(not_a_book)?
            .to_string_lossy()
            .into_owned();
        return Ok(Loader::new(folder.clone(), folder, "", memo).single_file(&file));
    }
    let folder = Folder::new(path).map_err(|_| not_a_book())?;
    if path.join("book.toml").is_file() {
        return Ok(Loader::mdbook(folder, memo));
    }
    // book.json may move SUMMARY.md (`root`, `structure.summary`); a
    // multilingual book has LANGS.md instead.
    if ["SUMMARY.md", "book.json", "LANGS.md"]
        .iter()
        .any(|name| path.join(name).is_file())
    {
        return Ok(Loader::new(folder.clone(), folder, "", memo).gitbook());
    }
    Err(not_a_book())
}

/// Loads a standalone Markdown document held in memory (no files, no
/// assets). Not resolved yet: see [`crate::parse_str`].
pub fn load_str(markdown: &str) -> Book {
    load_str_with(markdown, None)
}

/// [`load_str`], reading the Markdown with `syntax` instead of a single
/// file's (the fuzz targets read it as an mdBook book with mdbook-katex too).
pub fn load_str_with(markdown: &str, syntax: Option<reader::Syntax>) -> Book {
    let mut loader = Loader::new(Folder::nowhere(), Folder::nowhere(), "", None);
    if let Some(syntax) = syntax {
        loader.syntax = syntax;
    }
    let source = loader.add_source("input.md", String::new());
    loader.accept_read(
        source,
        SourceRead::of(Ok(markdown.as_bytes().to_vec())),
        None,
    );
    let markdown = loader.sources[source].text.clone();
    let doc = reader::read_with(&markdown, source, FrontMatter::Allowed, loader.syntax);
    loader.front_matter(&doc, source);
    loader.metadata.title = loader
        .metadata
        .title
        .clone()
        .or_else(|| first_heading(&doc));
    let title = loader.metadata.title.clone().unwrap_or_default();
    loader.push_chapter(title, "input.md", ChapterKind::Body, 0, None, source, doc);
    loader.finish()
}

/// A source file as read: its text, with what no edition could take
/// replaced (invalid UTF-8 and the characters of [`text::is_forbidden`]
/// become U+FFFD, a lone CR ends a line as CommonMark says), and where the
/// first of each was.
#[derive(Debug)]
pub(crate) struct SourceRead {
    pub(crate) text: Result<String, Refused>,
    /// Byte offset of the first invalid UTF-8 sequence.
    invalid_utf8_at: Option<usize>,
    /// The first forbidden character replaced, at its byte offset.
    forbidden_at: Option<(usize, char)>,
}

impl SourceRead {
    pub(crate) fn of(read: Result<Vec<u8>, Refused>) -> Self {
        let bytes = match read {
            Ok(bytes) => bytes,
            Err(refused) => {
                return SourceRead {
                    text: Err(refused),
                    invalid_utf8_at: None,
                    forbidden_at: None,
                };
            }
        };
        let (text, invalid_utf8_at) = match utf8(bytes) {
            Ok(text) => (text, None),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                (String::from_utf8_lossy(e.as_bytes()).into_owned(), Some(at))
            }
        };
        let (text, forbidden_at) = reader::clean(text);
        SourceRead {
            text: Ok(text),
            invalid_utf8_at,
            forbidden_at,
        }
    }
}

/// `String::from_utf8`, checked by simdutf8 first: std leaves its ASCII
/// fast path at every accented letter, and checked a French book at about
/// 1.4 GB/s (3 % of opening it); the rare invalid source is checked again
/// by std, for the error's position.
fn utf8(bytes: Vec<u8>) -> Result<String, std::string::FromUtf8Error> {
    if simdutf8::basic::from_utf8(&bytes).is_err() {
        return String::from_utf8(bytes);
    }
    // SAFETY: simdutf8 has just found `bytes` valid UTF-8.
    Ok(unsafe { String::from_utf8_unchecked(bytes) })
}

/// Metadata as found in book.json, book.toml or front matter, before
/// defaults and folio.toml are applied.
#[derive(Debug, Default)]
struct FoundMetadata {
    title: Option<String>,
    subtitle: Option<String>,
    authors: Vec<String>,
    language: Option<String>,
    description: Option<String>,
    date: Option<PubDate>,
    license: Option<String>,
    identifier: Option<String>,
    publisher: Option<String>,
    version: Option<String>,
    keywords: Vec<String>,
}

/// How many chapters missing from SUMMARY get a "did you mean" hint: each
/// costs a comparison with every Markdown file of the book.
const CLOSEST_FILE_HINTS: usize = 50;

struct Loader {
    /// An earlier build's documents, when rebuilding (see [`ParseMemo`]).
    memo: Option<Arc<ParseMemo>>,
    /// The folder the user named: the book's own files (book.toml, folio.toml).
    book_dir: Folder,
    /// Where the content is (the same folder, or mdBook's `src`, or
    /// book.json's `root`): the book root for links and images.
    root: Folder,
    /// Prefix of content paths as shown in diagnostics (`src/` for mdBook).
    display_prefix: String,
    sources: Vec<Source>,
    diagnostics: Vec<Diagnostic>,
    metadata: FoundMetadata,
    config: Config,
    parts: Vec<Part>,
    /// Part ids given so far.
    part_ids: UniqueNames,
    chapters: Vec<Chapter>,
    /// Chapter files used so far, output paths and chapter ids given so far.
    chapter_files: HashSet<String>,
    chapter_paths: UniqueNames,
    chapter_ids: UniqueNames,
    /// Chapters whose file is yet to be read and parsed (see `read_planned`).
    planned: Vec<Planned>,
    /// Whether chapters may open with YAML front matter (not in mdBook).
    front_matter: FrontMatter,
    /// Which math delimiters chapters use (see [`Loader::math_syntax`]).
    syntax: reader::Syntax,
    /// A LaTeX macro file (mdBook's `[preprocessor.katex] macros`), relative
    /// to the book folder, and where it is named.
    math_macros: Option<(String, Option<Span>)>,
    /// The Markdown files of the content root, listed once when first needed.
    markdown_files: Option<Vec<String>>,
    /// How many "did you mean" hints were computed (see [`CLOSEST_FILE_HINTS`]).
    closest_hints: usize,
    /// Where mdBook's `{{#include}}` may read; `None`: the layout has no includes.
    include_root: Option<Folder>,
    /// Files of the content root that chapters include: not left out.
    included: HashSet<String>,
    /// GitBook: the files book.json `structure` names, and where it names them.
    structure: gitbook::Structure,
    structure_spans: std::collections::BTreeMap<String, Span>,
    /// GitBook: what chapters' templates see; `None`: no templating.
    template: Option<template::Context>,
    /// GitBook: the plugins whose tags chapters use.
    plugin_tags: gitbook::PluginTags,
    /// GitBook: the languages of a multilingual book.
    languages: Vec<crate::model::Language>,
    /// GitBook: the glossary chapter, its terms found as it is read.
    glossary: Option<crate::model::Glossary>,
    /// GitBook: the glossary's own title (its first heading, when that is
    /// not a term), found as it is read.
    glossary_title: Option<String>,
}

struct Planned {
    chapter: ChapterId,
    file: Located,
    /// The SUMMARY entry that names the file.
    span: Span,
}

impl Loader {
    fn new(
        book_dir: Folder,
        root: Folder,
        display_prefix: &str,
        memo: Option<Arc<ParseMemo>>,
    ) -> Self {
        let mut loader = Loader {
            memo,
            book_dir,
            root,
            display_prefix: display_prefix.to_string(),
            sources: Vec::new(),
            diagnostics: Vec::new(),
            metadata: FoundMetadata::default(),
            config: Config::default(),
            parts: Vec::new(),
            part_ids: UniqueNames::new(),
            chapters: Vec::new(),
            chapter_files: HashSet::new(),
            chapter_paths: UniqueNames::ignoring_case(),
            chapter_ids: UniqueNames::new(),
            planned: Vec::new(),
            front_matter: FrontMatter::Allowed,
            syntax: reader::Syntax::default(),
            math_macros: None,
            markdown_files: None,
            closest_hints: 0,
            include_root: None,
            included: HashSet::new(),
            structure: Default::default(),
            structure_spans: Default::default(),
            template: None,
            plugin_tags: Default::default(),
            languages: Vec::new(),
            glossary: None,
            glossary_title: None,
        };
        loader.folio_toml();
        loader.math_syntax(None, false);
        loader
    }

    /// Which math delimiters the book's chapters use: `$…$` and `$$…$$`
    /// unless `[build] math = false`, or, in an mdBook book (`katex`: whether
    /// book.toml runs the katex preprocessor), only with that preprocessor
    /// or `[build] math = true`, where `$` is otherwise plain text (Rust
    /// macros write `$x`, `$$`). mdBook's `\\( \\)` and `\\[ \\]` with
    /// `[output.html] mathjax-support`, unless `[build] math = false`.
    fn math_syntax(&mut self, katex: Option<bool>, mathjax: bool) {
        let setting = self.config.build.math;
        self.syntax = reader::Syntax {
            dollar_math: setting.unwrap_or(katex.unwrap_or(true)),
            mathjax_math: mathjax && setting != Some(false),
            spaced_dollars: katex == Some(true) && setting != Some(false),
        };
        if let Some(file) = &self.config.build.math_macros {
            self.math_macros = Some((file.clone(), self.config.span("build.math-macros")));
        }
    }

    /// The book's LaTeX macros, from the file [`Self::math_macros`] names.
    fn read_math_macros(&mut self) -> Vec<crate::model::MathMacro> {
        let Some((file, span)) = self.math_macros.take() else {
            return Vec::new();
        };
        let read = self.book_dir.read(&file, MAX_TEXT_FILE);
        match self.accept(&file, read, span) {
            Some((source, text)) => crate::math::parse_macros(&text, source, &mut self.diagnostics),
            None => Vec::new(),
        }
    }

    fn add_source(&mut self, path: &str, text: String) -> SourceId {
        self.sources.push(Source {
            path: path.to_string(),
            text,
            included_from: None,
        });
        SourceId::new(self.sources.len() - 1)
    }

    /// Reads a file of the book folder (not the content root), if it exists.
    fn read_book_file(&mut self, name: &str) -> Option<(SourceId, String)> {
        let read = self.book_dir.read(name, MAX_TEXT_FILE);
        if read == Err(Refused::Missing) {
            return None;
        }
        self.accept(name, read, None)
    }

    /// Reads a file of the content root named `file` there, reporting a
    /// refused, unreadable or non-UTF-8 file. `span` is where it was asked
    /// for, if anywhere.
    fn read_content_file(&mut self, file: &str, span: Option<Span>) -> Option<(SourceId, String)> {
        let display = format!("{}{file}", self.display_prefix);
        let read = self.root.read(file, MAX_TEXT_FILE);
        self.accept(&display, read, span)
    }

    fn accept(
        &mut self,
        display: &str,
        read: Result<Vec<u8>, Refused>,
        span: Option<Span>,
    ) -> Option<(SourceId, String)> {
        let source = self.add_source(display, String::new());
        self.accept_read(source, SourceRead::of(read), span)
            .then(|| (source, self.sources[source].text.clone()))
    }

    /// Stores what reading `source` gave, reporting a refused file, invalid
    /// UTF-8 and forbidden characters. `false` when there is no text.
    fn accept_read(&mut self, source: SourceId, read: SourceRead, span: Option<Span>) -> bool {
        let display = &self.sources[source].path;
        let text = match read.text {
            Err(refused) => {
                self.diagnostics.push(
                    Diagnostic::new(
                        crate::Severity::Error,
                        format!("`{display}` {refused}"),
                        span,
                    )
                    .with_hint(refused.hint(display)),
                );
                return false;
            }
            Ok(text) => text,
        };
        if let Some(at) = read.invalid_utf8_at {
            self.diagnostics.push(
                Diagnostic::error(
                    format!("`{display}` is not valid UTF-8"),
                    span_at_byte(source, &text, at),
                )
                .with_hint("save the file as UTF-8; invalid bytes are shown as �"),
            );
        }
        if let Some((at, forbidden)) = read.forbidden_at {
            self.diagnostics.push(text::forbidden_warning(
                &format!("`{display}`"),
                forbidden,
                span_at_byte(source, &text, at),
            ));
        }
        self.sources[source].text = text;
        true
    }

    /// Reads and parses every chapter planned so far, on all cores: chapters
    /// are independent until the resolver, and parsing is most of loading.
    fn read_planned(&mut self) {
        let planned = std::mem::take(&mut self.planned);
        let (front_matter, syntax) = (self.front_matter, self.syntax);
        let chapters = &self.chapters;
        let (include_root, book_dir) = (self.include_root.as_ref(), &self.book_dir);
        let context = self.template.as_ref();
        let memo = self.memo.as_deref();
        let reads: Vec<_> = planned
            .par_iter()
            .map(|plan| {
                let read = SourceRead::of(plan.file.read(MAX_TEXT_FILE));
                let chapter = &chapters[plan.chapter];
                let expanded = read
                    .text
                    .as_ref()
                    .ok()
                    .zip(include_root)
                    .map(|(text, root)| include::expand(text, plan.file.path(), root, book_dir));
                let templated = read
                    .text
                    .as_ref()
                    .ok()
                    .zip(context)
                    .and_then(|(text, ctx)| {
                        template::expand(text, &chapter.file, &chapter.title, ctx)
                    });
                let doc = read.text.as_ref().ok().map(|text| match &templated {
                    Some(templated) => {
                        templated_document(templated, chapter.source, front_matter, syntax, memo)
                    }
                    None => {
                        let text = expanded.as_ref().map_or(text, |e| &e.text);
                        reader::read_maybe_memo(memo, text, chapter.source, front_matter, syntax)
                    }
                });
                (read, expanded, templated, doc)
            })
            .collect();
        for (plan, (read, expanded, templated, doc)) in planned.iter().zip(reads) {
            let source = self.chapters[plan.chapter].source;
            if !self.accept_read(source, read, Some(plan.span)) {
                continue;
            }
            if let Some(templated) = templated {
                let global = |span: Span| Span { source, ..span };
                self.diagnostics
                    .extend(templated.diagnostics.into_iter().map(|mut d| {
                        d.span = d.span.map(global);
                        d
                    }));
                for (name, span) in templated.plugins {
                    self.plugin_tags.entry(name).or_insert(global(span));
                }
            }
            if let Some(mut doc) = doc {
                if let Some(expanded) = expanded {
                    self.accept_includes(source, expanded, &mut doc);
                }
                self.fill_chapter(plan.chapter, doc);
            }
        }
    }

    /// Makes a source of each file a chapter included, and maps the spans
    /// of its document (read from the expanded text) to those files.
    fn accept_includes(
        &mut self,
        chapter: SourceId,
        expanded: include::Expanded,
        doc: &mut Document,
    ) {
        let first = self.sources.len();
        let global = move |span: Span| Span {
            source: match span.source.index() {
                0 => chapter,
                local => SourceId::new(first + local - 1),
            },
            ..span
        };
        for included in expanded.included {
            if let Some(rel) = self
                .root
                .path()
                .and_then(|root| included.real.strip_prefix(root).ok())
            {
                self.included
                    .insert(rel.to_string_lossy().replace('\\', "/"));
            }
            let source = self.add_source(&included.display, String::new());
            self.sources[source].included_from = Some(global(included.from));
            self.accept_read(source, included.read, Some(global(included.from)));
        }
        self.diagnostics
            .extend(expanded.diagnostics.into_iter().map(|mut d| {
                d.span = d.span.map(global);
                d
            }));
        if !expanded.map.is_identity() {
            include::map_spans(doc, &|span| global(expanded.map.place(span)));
        }
    }

    fn folio_toml(&mut self) {
        let Some((source, text)) = self.read_book_file("folio.toml") else {
            return;
        };
        self.config = Config::read(source, &text, &mut self.diagnostics);
    }

    fn mdbook(book_dir: Folder, memo: Option<Arc<ParseMemo>>) -> Book {
        #[derive(Serialize, Deserialize, Default)]
        struct BookToml {
            #[serde(default)]
            book: MdBookSection,
            #[serde(default)]
            output: MdBookOutput,
            /// Preprocessors: programs folio never runs.
            #[serde(default)]
            preprocessor: std::collections::BTreeMap<String, toml::Value>,
            /// `[folio]`: what folio.toml's `[build]` says, for a book
            /// that keeps one file.
            #[serde(default)]
            folio: FolioSection,
        }
        #[derive(Serialize, Deserialize, Default)]
        #[serde(rename_all = "kebab-case")]
        struct FolioSection {
            include_root: Option<String>,
        }
        #[derive(Serialize, Deserialize, Default)]
        struct MdBookOutput {
            #[serde(default)]
            html: MdBookHtml,
            /// Other renderers: programs folio never runs.
            #[serde(flatten)]
            others: std::collections::BTreeMap<String, toml::Value>,
        }
        /// What of `[output.html]` has a meaning for folio.
        #[derive(Serialize, Deserialize, Default)]
        #[serde(rename_all = "kebab-case")]
        struct MdBookHtml {
            /// mdBook 0.5's name, on by default there.
            smart_punctuation: Option<bool>,
            /// mdBook 0.4's name, off by default there.
            curly_quotes: Option<bool>,
            site_url: Option<String>,
            git_repository_url: Option<String>,
            #[serde(default)]
            additional_css: Vec<String>,
            mathjax_support: Option<bool>,
            no_section_label: Option<bool>,
            #[serde(default)]
            print: MdBookPrint,
        }
        #[derive(Serialize, Deserialize, Default)]
        struct MdBookPrint {
            enable: Option<bool>,
        }
        #[derive(Serialize, Deserialize, Default)]
        struct MdBookSection {
            title: Option<String>,
            #[serde(default)]
            authors: Vec<String>,
            language: Option<String>,
            description: Option<String>,
            src: Option<String>,
        }
        let mut probe = Loader::new(book_dir.clone(), book_dir, "", memo);
        let Some((source, text)) = probe.read_book_file("book.toml") else {
            return probe.finish();
        };
        let spans = SettingSpans::of_toml(source, &text);
        let parsed = match toml::from_str::<BookToml>(&text) {
            Ok(parsed) => text::clean_strings(
                parsed,
                "book.toml",
                &|key| spans.get(key),
                &mut probe.diagnostics,
            ),
            Err(e) => {
                let at = e.span().map_or(0, |r| r.start);
                probe.diagnostics.push(Diagnostic::error(
                    format!("invalid book.toml: {}", e.message().trim()),
                    span_at_byte(source, &text, at),
                ));
                BookToml::default()
            }
        };
        let src = parsed.book.src.clone().unwrap_or_else(|| "src".to_string());
        // Start again with the content root at `src/`, keeping what was read.
        // mdBook has no front matter: a leading `---` is a thematic break.
        let root = probe.content_folder(&src, "book.toml `[book] src`", spans.get("book.src"));
        let display_prefix = format!("{}/", paths::join("", &src).path);
        let mut loader = Loader {
            root,
            display_prefix,
            front_matter: FrontMatter::None,
            ..probe
        };
        loader.metadata.title = parsed.book.title;
        loader.metadata.authors = parsed.book.authors;
        loader.metadata.language = parsed.book.language;
        loader.metadata.description = parsed.book.description;
        let html = &parsed.output.html;
        loader.config.build.smart_punctuation = loader
            .config
            .build
            .smart_punctuation
            .or(html.smart_punctuation)
            .or(html.curly_quotes);
        let config = &mut loader.config;
        config.mdbook.mathjax_support = html.mathjax_support.unwrap_or(false);
        config.mdbook.section_labels = !html.no_section_label.unwrap_or(false);
        config.html.print_page = config.html.print_page.or(html.print.enable);
        if config.html.repository.is_none()
            && let Some(url) = &html.git_repository_url
        {
            match crate::config::SiteUrl::parse(url) {
                Ok(url) => config.html.repository = Some(url),
                Err(why) => loader.diagnostics.push(
                    Diagnostic::new(
                        crate::Severity::Warning,
                        format!("book.toml's git-repository-url = {url:?}: {why}; the site links to no repository"),
                        spans.get("output.html.git-repository-url"),
                    )
                    .with_hint("the repository's full address, such as \"https://github.com/me/my-book\""),
                ),
            }
        }
        if loader.config.html.site_url.is_none()
            && let Some(url) = &html.site_url
        {
            match crate::config::SiteUrl::parse(url) {
                Ok(url) => loader.config.html.site_url = Some(url),
                // mdBook's is often a path, for its 404 page.
                Err(_) => loader.diagnostics.push(
                    Diagnostic::new(
                        crate::Severity::Note,
                        format!("book.toml's site-url = {url:?} is not a full address: folio does not use it"),
                        spans.get("output.html.site-url"),
                    )
                    .with_hint("set `site-url` under [html] in folio.toml to the site's full address (https://…): the EPUB and the PDF link to the site's files there"),
                ),
            }
        }
        // Relative to the book folder in book.toml, to the content root in folio.
        for (i, written) in html.additional_css.iter().enumerate() {
            let path = paths::join("", written);
            match path.path.strip_prefix(&loader.display_prefix) {
                Some(inside) if !path.clamped => loader.config.html.css.push(inside.to_string()),
                _ => loader.diagnostics.push(
                    Diagnostic::new(
                        crate::Severity::Warning,
                        format!("book.toml's additional-css `{written}` lies outside the content folder `{}`: the site does not link it", loader.display_prefix),
                        spans.get(&format!("output.html.additional-css[{i}]")),
                    )
                    .with_hint(format!("folio reads a book's files from its content folder only: move the stylesheet under `{}`", loader.display_prefix)),
                ),
            }
        }
        if loader.config.build.include_root.is_none()
            && let Some(root) = parsed.folio.include_root.clone()
        {
            loader.config.build.include_root = Some(root);
            if let Some(span) = spans.get("folio.include-root") {
                loader.config.spans.insert("build.include-root", span);
            }
        }
        // KaTeX's `$…$` folio reads itself (see `math_syntax` below).
        for name in parsed.preprocessor.keys().filter(|name| *name != "katex") {
            loader.diagnostics.push(Diagnostic::new(
                crate::Severity::Note,
                format!("book.toml's preprocessor `{name}` is not run: folio never runs a program a book names, and builds the chapters as written"),
                spans.get(&format!("preprocessor.{name}")),
            ).with_hint("what the preprocessor would add is missing from every edition; `folio inspect` shows what folio reads"));
        }
        for name in parsed.output.others.keys() {
            loader.diagnostics.push(Diagnostic::new(
                crate::Severity::Note,
                format!("book.toml's renderer `[output.{name}]` is not run: folio writes its own HTML, EPUB and PDF editions and never runs a program a book names"),
                spans.get(&format!("output.{name}")),
            ).with_hint("run mdBook for that output if you need it"));
        }
        let katex = parsed.preprocessor.get("katex");
        loader.math_syntax(Some(katex.is_some()), html.mathjax_support.unwrap_or(false));
        if loader.math_macros.is_none()
            && let Some(file) = katex
                .and_then(|k| k.get("macros"))
                .and_then(toml::Value::as_str)
        {
            loader.math_macros = Some((file.to_string(), spans.get("preprocessor.katex.macros")));
        }
        let Some((summary_source, summary_text)) = loader.read_content_file("SUMMARY.md", None)
        else {
            return loader.finish();
        };
        loader.include_root = Some(loader.include_root());
        let entries = summary::parse(&summary_text, summary_source);
        loader.summary_entries(entries, "");
        // Chapters are read first: the files they include are not left out.
        loader.read_planned();
        loader.report_unlisted(&["SUMMARY.md"]);
        loader.finish()
    }

    fn single_file(mut self, file: &str) -> Book {
        let Some((source, text)) = self.read_content_file(file, None) else {
            return self.finish();
        };
        let doc = reader::read_maybe_memo(
            self.memo.as_deref(),
            &text,
            source,
            FrontMatter::Allowed,
            self.syntax,
        );
        self.front_matter(&doc, source);
        if self.metadata.title.is_none() {
            self.metadata.title =
                first_heading(&doc).or_else(|| Some(file.trim_end_matches(".md").to_string()));
        }
        let title = self.metadata.title.clone().unwrap_or_default();
        self.push_chapter(title, file, ChapterKind::Body, 0, None, source, doc);
        self.finish()
    }

    /// The content folder a setting names (book.json `root`, book.toml
    /// `src`), which must be a folder inside the book folder; on an error
    /// (reported at `span`), the book folder itself.
    fn content_folder(&mut self, written: &str, setting: &str, span: Option<Span>) -> Folder {
        let path = paths::join("", written);
        let found = if written.trim_start().starts_with('/')
            || Path::new(written).is_absolute()
            || path.clamped
        {
            Err(Refused::OutsideRoot)
        } else {
            self.book_dir.folder(&path.path)
        };
        found.unwrap_or_else(|refused| {
            self.diagnostics.push(
                Diagnostic::new(
                    crate::Severity::Error,
                    format!("{setting} = {written:?} {refused}"),
                    span,
                )
                .with_hint(format!(
                    "{setting} names a folder inside the book, relative to it: `src`, `./content/`"
                )),
            );
            self.book_dir.clone()
        })
    }

    /// Where includes may read: `[build] include-root`, or the book's
    /// repository, or the book folder (see [`include::default_root`]).
    fn include_root(&mut self) -> Folder {
        let Some(written) = self.config.build.include_root.clone() else {
            return include::default_root(&self.book_dir);
        };
        include::configured_root(&self.book_dir, &written).unwrap_or_else(|why| {
            self.diagnostics.push(
                Diagnostic::new(
                    crate::Severity::Error,
                    format!("[build] include-root = {written:?} {why}"),
                    self.config.span("build.include-root"),
                )
                .with_hint("include-root names a folder that holds the book folder, relative to it: \"..\""),
            );
            include::default_root(&self.book_dir)
        })
    }

    fn front_matter(&mut self, doc: &Document, source: SourceId) {
        #[derive(Serialize, Deserialize, Default)]
        #[serde(default)]
        struct FrontMatter {
            title: Option<String>,
            subtitle: Option<String>,
            author: Option<OneOrMany>,
            authors: Option<OneOrMany>,
            lang: Option<String>,
            language: Option<String>,
            description: Option<String>,
            date: Option<WrittenDate>,
            license: Option<String>,
            rights: Option<String>,
            identifier: Option<String>,
            publisher: Option<String>,
            version: Option<String>,
            keywords: Option<OneOrMany>,
        }
        #[derive(Serialize, Deserialize)]
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
        let Some(yaml) = &doc.front_matter else {
            return;
        };
        match serde_norway::from_str::<FrontMatter>(yaml) {
            Ok(fm) => {
                let text = &self.sources[source].text;
                let span_of = |key: &str| {
                    key_span(source, text, &format!("{}:", key_name(key)), KeyStyle::Yaml)
                };
                let fm =
                    text::clean_strings(fm, "the front matter's", &span_of, &mut self.diagnostics);
                let m = &mut self.metadata;
                m.title = fm.title;
                m.subtitle = fm.subtitle;
                m.authors = fm
                    .authors
                    .or(fm.author)
                    .map(OneOrMany::into_vec)
                    .unwrap_or_default();
                m.language = fm.lang.or(fm.language);
                m.description = fm.description;
                m.date = fm
                    .date
                    .and_then(|date| date.understood(span_of("date"), &mut self.diagnostics));
                m.license = fm.license.or(fm.rights);
                m.identifier = fm.identifier;
                m.publisher = fm.publisher;
                m.version = fm.version;
                m.keywords = fm.keywords.map(OneOrMany::into_vec).unwrap_or_default();
            }
            Err(e) => {
                // The YAML starts on line 2, after the opening `---`.
                let (line, col) = e
                    .location()
                    .map_or((1, 1), |l| (l.line() as u32 + 1, l.column() as u32));
                self.diagnostics.push(Diagnostic::error(
                    format!("invalid front matter: {e}"),
                    Span { source, line, col },
                ));
            }
        }
    }

    /// Turns SUMMARY entries into parts and chapters. `base` is the folder of
    /// the SUMMARY inside the content root.
    fn summary_entries(&mut self, entries: Vec<Entry>, base: &str) {
        let mut part: Option<PartId> = None;
        // Chapter ids by depth, to find each chapter's parent.
        let mut stack: Vec<Option<ChapterId>> = Vec::new();
        let mut listed: HashSet<String> = HashSet::new();
        for entry in entries {
            match entry {
                Entry::Part { title, span } => {
                    let id = self
                        .part_ids
                        .unique(&format!("part-{}", slugify(&title, "part")));
                    self.parts.push(Part { title, id, span });
                    part = Some(PartId::new(self.parts.len() - 1));
                    stack.clear();
                }
                Entry::Chapter {
                    title,
                    target,
                    depth,
                    kind,
                    span,
                } => {
                    stack.truncate(depth as usize);
                    let parent = stack.iter().rev().flatten().next().copied();
                    let Some(target) = target else {
                        self.diagnostics.push(
                            Diagnostic::note(format!("draft chapter `{title}` skipped"), span)
                                .with_hint(
                                    "give it a file, e.g. `[Title](file.md)`, to include it",
                                ),
                        );
                        stack.push(None);
                        continue;
                    };
                    let resolved = paths::join(base, strip_anchor(&target));
                    if resolved.clamped {
                        self.diagnostics.push(Diagnostic::error(
                            format!("chapter `{target}` lies outside the book"),
                            span,
                        ));
                        stack.push(None);
                        continue;
                    }
                    if !listed.insert(resolved.path.clone()) {
                        self.diagnostics.push(Diagnostic::warning(
                            format!(
                                "`{}` is listed twice in SUMMARY.md; the second entry is skipped",
                                resolved.path
                            ),
                            span,
                        ));
                        stack.push(None);
                        continue;
                    }
                    // GitBook's root README is the introduction, front matter of the book.
                    let kind =
                        if resolved.path == self.structure.readme && kind == ChapterKind::Body {
                            ChapterKind::Front
                        } else {
                            kind
                        };
                    // mdBook prefix and suffix chapters stand outside the parts.
                    let in_part = if kind == ChapterKind::Body {
                        part
                    } else {
                        None
                    };
                    let id = self
                        .chapter_from_file(title, &resolved.path, kind, depth, parent, span)
                        .inspect(|&id| self.chapters[id].part = in_part);
                    stack.push(id);
                }
            }
        }
    }

    /// Reads and parses one chapter file named in SUMMARY at `span`.
    fn chapter_from_file(
        &mut self,
        title: String,
        file: &str,
        kind: ChapterKind,
        depth: u32,
        parent: Option<ChapterId>,
        span: Span,
    ) -> Option<ChapterId> {
        let display = format!("{}{}", self.display_prefix, file);
        if self.chapter_files.contains(file) {
            return None;
        }
        let located = match self.root.locate(file) {
            Ok(located) => located,
            Err(refused) => {
                let hint = match self
                    .closest_markdown_file(file)
                    .filter(|_| refused == Refused::Missing)
                {
                    Some(near) => format!("did you mean `{near}`?"),
                    None if refused == Refused::Missing => {
                        format!("create `{display}` or remove the entry")
                    }
                    None => refused.hint(&display),
                };
                self.diagnostics.push(
                    Diagnostic::error(format!("chapter file `{display}` {refused}"), span)
                        .with_hint(hint),
                );
                return None;
            }
        };
        let source = self.add_source(&display, String::new());
        let chapter = self.push_chapter(
            title,
            file,
            kind,
            depth,
            parent,
            source,
            Document::default(),
        );
        self.planned.push(Planned {
            chapter,
            file: located,
            span,
        });
        Some(chapter)
    }

    #[allow(clippy::too_many_arguments)]
    fn push_chapter(
        &mut self,
        title: String,
        file: &str,
        kind: ChapterKind,
        depth: u32,
        parent: Option<ChapterId>,
        source: SourceId,
        doc: Document,
    ) -> ChapterId {
        // Editions name their files after it: portable, and distinct even
        // case-insensitively, as EPUB reading systems compare names.
        let path = self
            .chapter_paths
            .unique(&paths::portable(&output_path(file)));
        let id = self.chapter_ids.unique(&format!(
            "ch-{}",
            slugify(&path.replace('/', " "), "chapter")
        ));
        self.chapter_files.insert(file.to_string());
        self.chapters.push(Chapter {
            title,
            title_heading: None,
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
            assets: Vec::new(),
            anchors: Default::default(),
            global_ids: Default::default(),
            span: Span {
                source,
                line: 1,
                col: 1,
            },
        });
        let chapter = ChapterId::new(self.chapters.len() - 1);
        self.fill_chapter(chapter, doc);
        chapter
    }

    /// Gives a chapter its parsed content.
    fn fill_chapter(&mut self, chapter: ChapterId, doc: Document) {
        self.diagnostics.extend(doc.diagnostics);
        if let Some(glossary) = self.glossary.as_mut().filter(|g| g.chapter == chapter) {
            self.glossary_title = gitbook::glossary_terms(glossary, &doc.blocks);
        }
        let chapter = &mut self.chapters[chapter];
        chapter.blocks = doc.blocks;
        normalize_heading_levels(&mut chapter.blocks);
        // Numbered and ordered by the resolver.
        chapter.footnotes = doc
            .footnotes
            .into_iter()
            .map(|f| Footnote {
                label: f.label,
                number: 0,
                id: String::new(),
                blocks: f.blocks,
                references: Vec::new(),
                span: f.span,
            })
            .collect();
    }

    /// Notes every Markdown file of the content root that no chapter uses.
    fn report_unlisted(&mut self, ignored: &[&str]) {
        let files = self.markdown_files().to_vec();
        for file in files {
            if ignored.contains(&file.as_str())
                || self.chapter_files.contains(&file)
                || self.included.contains(&file)
            {
                continue;
            }
            let display = format!("{}{}", self.display_prefix, file);
            // Shown under the note only: a file the gate refuses shows nothing.
            let text = self
                .root
                .read(&file, MAX_TEXT_FILE)
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default();
            let source = self.add_source(&display, text);
            self.diagnostics.push(
                Diagnostic::new(
                    crate::Severity::Note,
                    format!("`{display}` is not listed in SUMMARY.md and is left out"),
                    Some(Span {
                        source,
                        line: 1,
                        col: 1,
                    }),
                )
                .with_hint("add it to SUMMARY.md to include it"),
            );
        }
    }

    /// The Markdown files of the content root, sorted, listed once.
    fn markdown_files(&mut self) -> &[String] {
        let root = self.root.path();
        self.markdown_files.get_or_insert_with(|| {
            let mut files = Vec::new();
            if let Some(root) = root {
                markdown_files(root, "", 0, &mut files);
            }
            files
        })
    }

    /// The Markdown file whose path is closest to `wanted`, for the first
    /// [`CLOSEST_FILE_HINTS`] chapters that are missing.
    fn closest_markdown_file(&mut self, wanted: &str) -> Option<String> {
        self.closest_hints += 1;
        if self.closest_hints > CLOSEST_FILE_HINTS {
            return None;
        }
        self.markdown_files()
            .iter()
            .map(|f| (strsim::levenshtein(f, wanted), f))
            .filter(|(d, f)| *d <= wanted.len().max(f.len()) / 3)
            .min()
            .map(|(_, f)| f.clone())
    }

    fn finish(mut self) -> Book {
        self.read_planned();
        let math_macros = self.read_math_macros();
        let found = self.metadata;
        let over = &self.config.book;
        let fallback_title = self.book_dir.path().and_then(Path::file_name).map_or_else(
            || "Untitled".to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let metadata = Metadata {
            title: over
                .title
                .clone()
                .or(found.title)
                .filter(|t| !t.trim().is_empty())
                .unwrap_or(fallback_title),
            subtitle: over.subtitle.clone().or(found.subtitle),
            authors: over.authors.clone().unwrap_or(found.authors),
            // Every edition must declare a language: English when the book says none.
            language: over
                .language
                .clone()
                .or(found.language)
                .filter(|l| !l.trim().is_empty())
                .unwrap_or_else(|| "en".to_string()),
            description: over.description.clone().or(found.description),
            identifier: over.identifier.clone().or(found.identifier),
            license: over.license.clone().or(found.license),
            publisher: over.publisher.clone().or(found.publisher),
            version: over.version.clone().or(found.version),
            date: over.date.or(found.date),
            keywords: over.keywords.clone().unwrap_or(found.keywords),
            cover: None,
        };
        Book {
            root: self.root,
            metadata,
            config: self.config,
            parts: self.parts,
            toc: Vec::new(),
            chapters: self.chapters,
            assets: Vec::new(),
            stylesheets: Vec::new(),
            fonts: Vec::new(),
            bibliography: Bibliography::default(),
            sources: self.sources,
            diagnostics: self.diagnostics,
            math_macros,
            languages: self.languages,
            glossary: self.glossary,
        }
    }
}

/// The document of a chapter whose template was expanded: read once per
/// output when they differ (see [`crate::editions`]), its spans in the
/// chapter's own lines.
fn templated_document(
    templated: &template::Templated,
    source: SourceId,
    front_matter: FrontMatter,
    syntax: reader::Syntax,
    memo: Option<&ParseMemo>,
) -> Document {
    let read = |rendering: &template::Rendering| {
        // Values of book.json may bring what no edition can carry.
        let (text, _) = reader::clean(rendering.text.clone());
        let mut doc = reader::read_maybe_memo(memo, &text, source, front_matter, syntax);
        if !rendering.map.is_identity() {
            include::map_spans(&mut doc, &|span| Span {
                source,
                ..rendering.map.place(span)
            });
        }
        doc
    };
    let website = read(&templated.website);
    match &templated.ebook {
        Some(ebook) => crate::editions::merge(website, read(ebook)),
        None => website,
    }
}

/// `2-constituants/README.md` → `2-constituants/index`; `a/b.md` → `a/b`.
fn output_path(file: &str) -> String {
    let stem = file
        .strip_suffix(".md")
        .or_else(|| file.strip_suffix(".markdown"))
        .unwrap_or(file);
    match stem.rsplit_once('/') {
        Some((dir, "README" | "readme")) => format!("{dir}/index"),
        None if stem.eq_ignore_ascii_case("readme") => "index".to_string(),
        _ => stem.to_string(),
    }
}

fn strip_anchor(target: &str) -> &str {
    target.split('#').next().unwrap_or(target)
}

/// Shift headings so that the chapter's top level becomes 1: chapters that
/// start at `##` and chapters that start at `#` are both chapter-level.
fn normalize_heading_levels(blocks: &mut [Block]) {
    let top = blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading { level, .. } => Some(*level),
            _ => None,
        })
        .min();
    let Some(shift) = top.map(|t| t - 1).filter(|s| *s > 0) else {
        return;
    };
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

/// How deep the walk for Markdown files goes, and how many it lists at
/// most: a hostile tree must not make loading walk without end.
const MAX_WALK_DEPTH: usize = 32;
const MAX_WALKED_FILES: usize = 100_000;

/// Appends the Markdown files below `root/rel`, sorted; symlinks are not
/// followed (a link to a folder could lead anywhere, or in a circle).
fn markdown_files(root: &Path, rel: &str, depth: usize, out: &mut Vec<String>) {
    if depth > MAX_WALK_DEPTH || out.len() >= MAX_WALKED_FILES {
        return;
    }
    let Ok(entries) = std::fs::read_dir(root.join(rel)) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let path = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() && !SKIPPED_DIRS.contains(&name.as_str()) {
            markdown_files(root, &path, depth + 1, out);
        } else if kind.is_file() && name.ends_with(".md") && out.len() < MAX_WALKED_FILES {
            out.push(path);
        }
    }
}

/// How a configuration file writes its keys.
enum KeyStyle {
    /// `"key":` anywhere.
    Json,
    /// `key:` at the start of a line.
    Yaml,
}

/// Where `key` (written as `pattern`: `"root"` or `title:`) is in `text`,
/// the first time: serde_json and serde_norway keep no positions, and a
/// diagnostic about a value is most useful at its line.
fn key_span(source: SourceId, text: &str, pattern: &str, style: KeyStyle) -> Option<Span> {
    let at = text
        .match_indices(pattern)
        .map(|(at, _)| at)
        .find(|&at| match style {
            KeyStyle::Json => text[at + pattern.len()..].trim_start().starts_with(':'),
            KeyStyle::Yaml => at == 0 || text[..at].ends_with('\n'),
        })?;
    Some(span_at_byte(source, text, at))
}

/// The last name of a setting key: `authors` for `book.authors[1]`.
fn key_name(key: &str) -> &str {
    let key = key.split('[').next().unwrap_or(key);
    key.rsplit('.').next().unwrap_or(key)
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
        assert_eq!(
            output_path("2-constituants/README.md"),
            "2-constituants/index"
        );
        assert_eq!(
            output_path("2-constituants/1-code_source.md"),
            "2-constituants/1-code_source"
        );
    }

    #[test]
    fn heading_levels_are_normalised() {
        let mut doc = reader::read("## Un\n\n### Deux\n", SourceId(0), FrontMatter::None).blocks;
        normalize_heading_levels(&mut doc);
        let levels: Vec<u8> = doc
            .iter()
            .filter_map(|b| match b {
                Block::Heading { level, .. } => Some(*level),
                _ => None,
            })
            .collect();
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

    /// A slug is the text's, whatever it starts with: the `s-` that makes
    /// an XML id of a leading digit is never taken for part of the text.
    #[test]
    fn a_book_chapter_and_heading_called_s_bahn_keep_their_s() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("book.json"), r#"{"title": "S-Bahn"}"#).unwrap();
        std::fs::write(
            root.join("SUMMARY.md"),
            "# Summary\n\n* [S-Bahn](S-Bahn.md)\n",
        )
        .unwrap();
        std::fs::write(root.join("S-Bahn.md"), "# S-Bahn\n\n## 2024\n").unwrap();
        let book = crate::open(root).unwrap();
        assert_eq!(book.output_name(), "s-bahn");
        let chapter = &book.chapters[0];
        assert_eq!(chapter.id, "ch-s-bahn");
        let ids: Vec<&str> = chapter
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading { id, .. } => Some(id.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(ids, ["s-bahn", "s-2024"]);
    }

    #[test]
    fn keys_are_found_where_they_are_written() {
        let json = "{\n  \"title\": \"root\",\n  \"root\" : \"src\"\n}";
        assert_eq!(
            key_span(SourceId(0), json, "\"root\"", KeyStyle::Json).map(|s| (s.line, s.col)),
            Some((3, 3))
        );
        let yaml = "---\nsubtitle: x\ntitle: y\n---\n";
        assert_eq!(
            key_span(SourceId(0), yaml, "title:", KeyStyle::Yaml).map(|s| (s.line, s.col)),
            Some((3, 1))
        );
        assert_eq!(key_name("book.authors[1]"), "authors");
    }
}
