//! GitBook 3 books as HonKit reads them: book.json (`root`, `structure`,
//! `variables`, `plugins`), the introduction, SUMMARY, LANGS and the
//! templates of [`crate::template`].
//!
//! Every file book.json names goes through the gate of the content root;
//! a name that leaves the book, or names nothing, is an error at its key.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{KeyStyle, Loader, key_name, key_span, strip_anchor};
use crate::diagnostics::{Diagnostic, span_at_line_byte};
use crate::files::Refused;
use crate::locale;
use crate::model::{
    Block, Book, ChapterId, ChapterKind, Glossary, GlossaryTerm, Language, SourceId, Span,
    plain_text,
};
use crate::paths;
use crate::summary::{self, Entry};
use crate::template;
use crate::text;

/// The files of a GitBook book that are not chapters, as book.json
/// `structure` names them (relative to the content root).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Structure {
    pub(super) readme: String,
    pub(super) summary: String,
    pub(super) glossary: String,
    pub(super) languages: String,
}

impl Default for Structure {
    fn default() -> Self {
        Structure {
            readme: "README.md".to_string(),
            summary: "SUMMARY.md".to_string(),
            glossary: "GLOSSARY.md".to_string(),
            languages: "LANGS.md".to_string(),
        }
    }
}

#[derive(Serialize, Deserialize)]
struct BookJson {
    title: Option<String>,
    description: Option<String>,
    language: Option<String>,
    author: Option<String>,
    isbn: Option<String>,
    root: Option<String>,
    #[serde(default)]
    structure: WrittenStructure,
    variables: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default)]
    plugins: Vec<String>,
    #[serde(rename = "pluginsConfig")]
    plugins_config: Option<serde_json::Map<String, serde_json::Value>>,
}

#[derive(Serialize, Deserialize, Default)]
struct WrittenStructure {
    readme: Option<String>,
    summary: Option<String>,
    glossary: Option<String>,
    languages: Option<String>,
}

impl Loader {
    pub(super) fn gitbook(mut self) -> Book {
        if let Some((source, text)) = self.read_book_file("book.json") {
            self.book_json(source, &text);
        }
        if let Some(languages) = self.languages() {
            self.languages = languages;
            return self.finish();
        }
        self.gitbook_chapters()
    }

    /// A language of a multilingual book: `language.folder` of the content
    /// root is the content root of a book of its own, which shares the
    /// book's book.json.
    pub(super) fn gitbook_language(mut self, language: &Language) -> Book {
        if let Some((source, text)) = self.read_book_file("book.json") {
            self.book_json(source, &text);
        }
        match self.root.folder(&language.folder) {
            Ok(root) => {
                self.root = root;
                self.display_prefix = format!("{}{}/", self.display_prefix, language.folder);
            }
            Err(refused) => {
                self.diagnostics.push(Diagnostic::new(
                    crate::Severity::Error,
                    format!("language folder `{}` {refused}", language.folder),
                    None,
                ));
                return self.finish();
            }
        }
        // A language may have a book.json of its own, over the book's.
        if self.root.locate("book.json") != Err(Refused::Missing)
            && let Some((source, text)) = self.read_content_file("book.json", None)
        {
            self.book_json(source, &text);
        }
        self.metadata.language = Some(language.code.clone());
        self.gitbook_chapters()
    }

    fn gitbook_chapters(mut self) -> Book {
        let structure = self.structure.clone();
        let Some((summary_source, summary_text)) =
            self.read_content_file(&structure.summary, self.structure_span("summary"))
        else {
            return self.finish();
        };
        let entries = summary::parse(&summary_text, summary_source);
        // GitBook always opens with the introduction, listed or not.
        let lists_readme = entries.iter().any(|e| matches!(e, Entry::Chapter { target: Some(t), .. } if paths::join("", strip_anchor(t)).path == structure.readme));
        if !lists_readme {
            let span = self.structure_span("readme").unwrap_or(Span {
                source: summary_source,
                line: 1,
                col: 1,
            });
            match self.root.locate(&structure.readme) {
                Ok(_) => {
                    self.chapter_from_file(
                        "Introduction".to_string(),
                        &structure.readme,
                        ChapterKind::Front,
                        0,
                        None,
                        span,
                    );
                }
                Err(Refused::Missing) if self.structure_span("readme").is_none() => {}
                Err(refused) => self.diagnostics.push(
                    Diagnostic::error(
                        format!(
                            "book.json `structure.readme` = {:?} {refused}",
                            structure.readme
                        ),
                        span,
                    )
                    .with_hint(refused.hint(&structure.readme)),
                ),
            }
        }
        self.summary_entries(entries, "");
        self.glossary_chapter(summary_source);
        self.read_planned();
        self.title_glossary();
        self.report_plugin_tags();
        self.report_unlisted(&[
            structure.summary.as_str(),
            structure.glossary.as_str(),
            structure.languages.as_str(),
        ]);
        self.finish()
    }

    /// The glossary (`GLOSSARY.md`, or book.json `structure.glossary`), when
    /// the book has one: the chapter SUMMARY lists under its name, else a
    /// back-matter chapter after every other.
    fn glossary_chapter(&mut self, summary_source: SourceId) {
        let file = self.structure.glossary.clone();
        let configured = self.structure_span("glossary");
        let listed = self.chapters.iter().position(|c| c.file == file);
        let chapter = match listed {
            Some(listed) => Some(ChapterId::new(listed)),
            None => match self.root.locate(&file) {
                Ok(_) => {
                    let span = configured.unwrap_or(Span {
                        source: summary_source,
                        line: 1,
                        col: 1,
                    });
                    // Titled once read: its first heading, or the word for it.
                    self.chapter_from_file(String::new(), &file, ChapterKind::Back, 0, None, span)
                }
                Err(Refused::Missing) if configured.is_none() => None,
                Err(refused) => {
                    let span = configured.unwrap_or(Span {
                        source: summary_source,
                        line: 1,
                        col: 1,
                    });
                    self.diagnostics.push(
                        Diagnostic::error(
                            format!("book.json `structure.glossary` = {file:?} {refused}"),
                            span,
                        )
                        .with_hint(refused.hint(&file)),
                    );
                    None
                }
            },
        };
        self.glossary = chapter.map(|chapter| Glossary {
            chapter,
            terms: Vec::new(),
        });
    }

    /// An appended glossary is titled by its first heading when that is not
    /// a term, else by the word for it in the book's language.
    fn title_glossary(&mut self) {
        let Some(glossary) = &self.glossary else {
            return;
        };
        let chapter = &mut self.chapters[glossary.chapter];
        if !chapter.title.is_empty() {
            return;
        }
        chapter.title = match self.glossary_title.take() {
            Some(title) => title,
            None => {
                let language = self
                    .config
                    .book
                    .language
                    .as_deref()
                    .or(self.metadata.language.as_deref())
                    .unwrap_or("en");
                locale::words(language).glossary.to_string()
            }
        };
    }

    /// Where book.json writes `structure.<key>`, when it does.
    fn structure_span(&self, key: &str) -> Option<Span> {
        self.structure_spans.get(key).copied()
    }

    /// The languages of LANGS.md (or book.json `structure.languages`), when
    /// the book has one: each entry a folder inside the content root.
    fn languages(&mut self) -> Option<Vec<Language>> {
        let file = self.structure.languages.clone();
        let configured = self.structure_span("languages");
        if configured.is_none() && self.root.locate(&file) == Err(Refused::Missing) {
            return None;
        }
        let (source, text) = self.read_content_file(&file, configured)?;
        let mut languages = Vec::new();
        for entry in summary::parse(&text, source) {
            let Entry::Chapter {
                title,
                target: Some(target),
                span,
                ..
            } = entry
            else {
                continue;
            };
            let folder = paths::join("", &target);
            let code = folder
                .path
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_string();
            let refused = match folder.clamped || target.starts_with('/') || code.is_empty() {
                true => Some(Refused::OutsideRoot),
                false => self.root.folder(&folder.path).err(),
            };
            if let Some(refused) = refused {
                self.diagnostics.push(
                    Diagnostic::error(format!("language `{target}` {refused}"), span)
                        .with_hint("each language is a folder inside the book: `* [English](en/)`"),
                );
                continue;
            }
            if languages.iter().any(|l: &Language| l.code == code) {
                self.diagnostics.push(Diagnostic::error(
                    format!("language folder `{code}` is listed twice"),
                    span,
                ));
                continue;
            }
            languages.push(Language {
                code,
                title,
                folder: folder.path,
            });
        }
        if languages.is_empty() {
            self.diagnostics.push(Diagnostic::error(
                format!("`{file}` lists no language"),
                Span {
                    source,
                    line: 1,
                    col: 1,
                },
            ));
        }
        Some(languages)
    }

    fn book_json(&mut self, source: SourceId, text: &str) {
        let span_of = |key: &str| {
            key_span(
                source,
                text,
                &format!("\"{}\"", key_name(key)),
                KeyStyle::Json,
            )
        };
        let json = match serde_json::from_str::<BookJson>(text) {
            Ok(json) => json,
            Err(e) => {
                return self.diagnostics.push(
                    // serde_json ends its message with its own place, in bytes: the span says it.
                    Diagnostic::error(
                        format!("invalid book.json: {}", e.to_string().rsplit_once(" at line ").map_or(e.to_string(), |(what, _)| what.to_owned())),
                        span_at_line_byte(source, text, e.line(), e.column()),
                    )
                    .with_hint("book.json must be a JSON object such as {\"title\": \"…\", \"language\": \"fr\"}"),
                );
            }
        };
        let json = text::clean_strings(json, "book.json", &span_of, &mut self.diagnostics);
        let metadata = &mut self.metadata;
        metadata.title = json.title.clone().or(metadata.title.take());
        metadata.description = json.description.clone().or(metadata.description.take());
        metadata.language = json.language.clone().or(metadata.language.take());
        if let Some(author) = json.author.clone() {
            metadata.authors = vec![author];
        }
        if let Some(isbn) = json.isbn.clone().filter(|s| !s.is_empty()) {
            metadata.identifier = Some(isbn);
        }
        if let Some(root) = &json.root {
            self.root = self.content_folder(root, "book.json `root`", span_of("root"));
            self.display_prefix = match paths::join("", root).path {
                prefix if prefix.is_empty() || self.root == self.book_dir => String::new(),
                prefix => format!("{prefix}/"),
            };
        }
        self.book_json_structure(&json.structure, &span_of);
        self.report_plugins(&json, span_of("plugins").or(span_of("pluginsConfig")));
        let mut book = serde_json::json!({
            "title": json.title,
            "description": json.description,
            "language": json.language,
            "author": json.author,
        });
        for (name, value) in json.variables.iter().flatten() {
            book[name] = value.clone();
        }
        let config = serde_json::to_value(&json).unwrap_or_default();
        self.template = Some(template::Context { book, config });
    }

    /// book.json `structure`: each name a file inside the content root.
    fn book_json_structure(
        &mut self,
        written: &WrittenStructure,
        span_of: &dyn Fn(&str) -> Option<Span>,
    ) {
        let keys = [
            ("readme", &written.readme),
            ("summary", &written.summary),
            ("glossary", &written.glossary),
            ("languages", &written.languages),
        ];
        for (key, value) in keys {
            let Some(value) = value else { continue };
            let span = span_of(key);
            let path = paths::join("", value);
            if path.clamped || value.starts_with('/') || path.path.is_empty() {
                self.diagnostics.push(
                    Diagnostic::new(
                        crate::Severity::Error,
                        format!("book.json `structure.{key}` = {value:?} lies outside the book"),
                        span,
                    )
                    .with_hint(format!(
                        "structure.{key} names a file inside the book's root, relative to it"
                    )),
                );
                continue;
            }
            if let Some(span) = span {
                self.structure_spans.insert(key.to_string(), span);
            }
            let field = match key {
                "readme" => &mut self.structure.readme,
                "summary" => &mut self.structure.summary,
                "glossary" => &mut self.structure.glossary,
                _ => &mut self.structure.languages,
            };
            *field = path.path;
        }
    }

    /// One note naming the plugins book.json asks for: folio runs no code
    /// from a book.
    fn report_plugins(&mut self, json: &BookJson, span: Option<Span>) {
        let mut names: Vec<&str> = json
            .plugins
            .iter()
            .map(String::as_str)
            // `-name` turns one of GitBook's default plugins off.
            .filter(|name| !name.starts_with('-') && !name.is_empty())
            .collect();
        for name in json.plugins_config.iter().flat_map(|c| c.keys()) {
            if !names.contains(&name.as_str()) {
                names.push(name);
            }
        }
        if names.is_empty() {
            return;
        }
        self.diagnostics.push(
            Diagnostic::new(
                crate::Severity::Note,
                format!(
                    "book.json names GitBook plugins folio does not run: {}",
                    names.join(", ")
                ),
                span,
            )
            .with_hint(
                "folio never runs code from a book; what a plugin added to the pages is left out",
            ),
        );
    }

    /// One note per plugin whose tags the chapters use, at its first tag.
    fn report_plugin_tags(&mut self) {
        let uses = std::mem::take(&mut self.plugin_tags);
        for (name, span) in uses {
            self.diagnostics.push(
                Diagnostic::note(
                    format!("`{{% {name} %}}` is a tag of a GitBook plugin folio does not run: its content is kept, its tags are not"),
                    span,
                )
                .with_hint("a hint becomes a block quote, an embed a link, a tab its title in bold"),
            );
        }
    }
}

/// Fills `glossary`'s terms from its chapter's blocks, as read (before
/// heading levels are normalised): as in GitBook, each `##` heading of the
/// file is a term, defined by the blocks up to the next one. Returns the
/// glossary's own title: its first heading, when that is a `#` heading.
pub(super) fn glossary_terms(glossary: &mut Glossary, blocks: &[Block]) -> Option<String> {
    let mut title = None;
    let mut first = true;
    for (block, heading) in blocks.iter().enumerate() {
        let Block::Heading { level, content, .. } = heading else {
            continue;
        };
        let text = plain_text(content).trim().to_string();
        if first && *level == 1 && !text.is_empty() {
            title = Some(text.clone());
        }
        first = false;
        if *level == 2 && !text.is_empty() {
            glossary.terms.push(GlossaryTerm {
                term: text,
                block,
                id: String::new(),
            });
        }
    }
    title
}

/// Plugin tags by name, each at its first use in reading order.
pub(super) type PluginTags = BTreeMap<String, Span>;
