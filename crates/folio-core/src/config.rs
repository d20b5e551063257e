//! `folio.toml`: what GitBook's book.json and mdBook's book.toml cannot say.
//! Every key is documented in `book/src/configuration.md`; keep both in step.
//!
//! Values here take precedence over book.json / book.toml / front matter.
//!
//! Every setting is checked once, here, as folio.toml is read: serde reads
//! the file into private raw sections (strings as written), and
//! [`Config::read`] turns each value into a type that only holds a valid
//! one ([`PaperSize`], [`PdfStandards`], [`FontSize`], [`SiteUrl`], the theme
//! variables, [`PubDate`]), reporting every invalid value at its line at
//! once. Backends map these types to their own without parsing anything.

mod html;
mod paper;
mod standards;

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

pub use self::html::{CssValue, CssVarName, SiteUrl};
pub use self::paper::PaperSize;
pub use self::standards::{Conflict, PdfStandard, PdfStandards};
use crate::date::{PubDate, WrittenDate};
use crate::diagnostics::{Diagnostic, SpanCursor, span_at_byte};
use crate::model::{SourceId, Span};
use crate::{paths, text};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    pub book: BookConfig,
    pub build: BuildConfig,
    pub html: HtmlConfig,
    pub epub: EpubConfig,
    pub pdf: PdfConfig,
    /// What an mdBook book's book.toml says that folio.toml has no key for.
    #[serde(skip)]
    pub mdbook: MdBookSettings,
    /// Where each setting was written, for diagnostics about its value.
    #[serde(skip)]
    pub spans: SettingSpans,
}

/// book.toml's `[output.html]` switches that only an mdBook book has.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MdBookSettings {
    /// `mathjax-support`: `\\( … \\)` and `\\[ … \\]` are math.
    pub mathjax_support: bool,
    /// Numbered chapters show their number (`1.2.`) in the tables of
    /// contents, as in mdBook; book.toml's `no-section-label` turns it off.
    pub section_labels: bool,
}

impl Config {
    /// Where setting `key` (`build.name`, `html.css[0]`) was written, if
    /// in a file: a diagnostic about its value points there.
    pub fn span(&self, key: &str) -> Option<Span> {
        self.spans.get(key)
    }

    /// The settings of folio.toml (`text`, read as `source`): each invalid
    /// value is reported in `diagnostics` at its line and left unset.
    pub fn read(source: SourceId, text: &str, diagnostics: &mut Vec<Diagnostic>) -> Config {
        let raw = match toml::from_str::<RawConfig>(text) {
            Ok(raw) => raw,
            Err(e) => {
                let at = e.span().map_or(0, |r| r.start);
                diagnostics.push(
                    Diagnostic::error(
                        format!("invalid folio.toml: {}", e.message().trim()),
                        span_at_byte(source, text, at),
                    )
                    .with_hint(
                        "every key is documented in the configuration chapter of the user guide",
                    ),
                );
                return Config::default();
            }
        };
        let spans = SettingSpans::of_toml(source, text);
        let raw = text::clean_strings(raw, "folio.toml", &|key| spans.get(key), diagnostics);
        let mut check = Check {
            spans: &spans,
            diagnostics,
        };
        let book = raw.book.check(&mut check);
        let build = raw.build.check(&mut check);
        let html = raw.html.check(&mut check);
        let pdf = raw.pdf.check(&mut check);
        Config {
            book,
            build,
            html,
            epub: raw.epub,
            pdf,
            mdbook: MdBookSettings::default(),
            spans,
        }
    }
}

/// Reports invalid settings at their line.
struct Check<'a> {
    spans: &'a SettingSpans,
    diagnostics: &'a mut Vec<Diagnostic>,
}

impl Check<'_> {
    /// The value of setting `key`, or `None` with an error: `[pdf] paper =
    /// "napkin": why`, and `hint` (what the setting accepts).
    fn value<T, E: std::fmt::Display>(
        &mut self,
        key: &str,
        written: &dyn std::fmt::Debug,
        checked: Result<T, E>,
        hint: &dyn Fn() -> String,
    ) -> Option<T> {
        checked
            .map_err(|why| {
                let (section, name) = key.split_once('.').unwrap_or(("", key));
                self.error(
                    key,
                    format!("[{section}] {name} = {written:?}: {why}"),
                    hint(),
                );
            })
            .ok()
    }

    /// An error about setting `key`, at its line.
    fn error(&mut self, key: &str, message: String, hint: String) {
        self.diagnostics.push(
            Diagnostic::new(crate::Severity::Error, message, self.spans.get(key)).with_hint(hint),
        );
    }
}

/// Where each setting was written, by its key: `build.name`, or
/// `html.css[0]` for an item of a list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SettingSpans(HashMap<String, Span>);

impl SettingSpans {
    /// Every key and list item of a TOML document, at its value. A document
    /// TOML cannot parse has no spans (its error is reported on its own).
    pub fn of_toml(source: SourceId, text: &str) -> SettingSpans {
        let mut found = Vec::new();
        if let Ok(table) = toml::de::DeTable::parse(text) {
            toml_keys("", table.get_ref(), &mut found);
        }
        // In order of position, so that spans are counted in one pass.
        found.sort_unstable_by_key(|(at, _)| *at);
        let mut cursor = SpanCursor::new(source, text);
        SettingSpans(
            found
                .into_iter()
                .map(|(at, key)| (key, cursor.span(at)))
                .collect(),
        )
    }

    /// The span of `key`, if recorded.
    pub fn get(&self, key: &str) -> Option<Span> {
        self.0.get(key).copied()
    }

    /// Records that `key` was written at `span` (a setting read elsewhere
    /// than folio.toml, such as book.toml's `[folio]`).
    pub fn insert(&mut self, key: &str, span: Span) {
        self.0.insert(key.to_string(), span);
    }
}

/// Each key of `table` (prefixed) and each list item, with the byte where its value starts.
fn toml_keys(prefix: &str, table: &toml::de::DeTable<'_>, found: &mut Vec<(usize, String)>) {
    for (key, value) in table {
        toml_value(format!("{prefix}{}", key.get_ref()), value, found);
    }
}

fn toml_value(
    key: String,
    value: &toml::Spanned<toml::de::DeValue<'_>>,
    found: &mut Vec<(usize, String)>,
) {
    match value.get_ref() {
        toml::de::DeValue::Table(table) => toml_keys(&format!("{key}."), table, found),
        toml::de::DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                toml_value(format!("{key}[{i}]"), item, found);
            }
        }
        _ => {}
    }
    found.push((value.span().start, key));
}

/// Metadata overrides (`[book]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct BookConfig {
    pub title: Option<String>,
    pub subtitle: Option<String>,
    pub authors: Option<Vec<String>>,
    pub language: Option<String>,
    pub description: Option<String>,
    pub identifier: Option<String>,
    pub license: Option<String>,
    pub publisher: Option<String>,
    pub version: Option<String>,
    /// Understood once as folio.toml is read; a date folio cannot read is
    /// reported and left out.
    pub date: Option<PubDate>,
    pub keywords: Option<Vec<String>>,
    /// Cover image, relative to the book root.
    pub cover: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct BuildConfig {
    /// File name of the editions (`<name>.pdf`, `<name>.epub`); default: a slug of the title.
    pub name: Option<String>,
    /// Editions built when `--to` is not given.
    pub editions: Option<Vec<Edition>>,
    pub footnotes: FootnoteNumbering,
    /// `fr` or `none`; default: `fr` for French books, `none` otherwise.
    pub typography: Option<Typography>,
    /// Straight quotes to the language's quotation marks, `--`/`---` to
    /// dashes, `...` to an ellipsis, in every edition; default: mdBook's
    /// `[output.html] smart-punctuation` for an mdBook book, else on.
    pub smart_punctuation: Option<bool>,
    /// Source path of the chapter holding the bibliography; default: detected.
    pub references: Option<String>,
    /// Folder (relative to the book folder, holding it) below which mdBook's
    /// `{{#include}}` may read; default: the book's repository, or the book folder.
    pub include_root: Option<String>,
    /// `$…$` and `$$…$$` are math; default: on, but in an mdBook book only
    /// with book.toml's `[preprocessor.katex]` (elsewhere `$` is text there).
    /// `false` also turns off mdBook's MathJax delimiters.
    pub math: Option<bool>,
    /// A file of LaTeX macros (`\name:definition` per line, as
    /// mdbook-katex reads it), relative to the book folder; default:
    /// book.toml's `[preprocessor.katex] macros`.
    pub math_macros: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Edition {
    Html,
    Epub,
    Pdf,
}

impl Edition {
    pub const ALL: [Edition; 3] = [Edition::Html, Edition::Epub, Edition::Pdf];
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FootnoteNumbering {
    /// One sequence through the whole book (default).
    #[default]
    Book,
    /// Restart at 1 in every chapter.
    Chapter,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Typography {
    Fr,
    None,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct HtmlConfig {
    /// Public URL of the web edition: canonical links, Open Graph, and the
    /// target of asset links that the EPUB cannot package.
    pub site_url: Option<SiteUrl>,
    /// Extra stylesheets, relative to the book root, linked after the theme.
    pub css: Vec<String>,
    /// Theme CSS variables to override, by name without the leading `--`.
    pub vars: BTreeMap<CssVarName, CssValue>,
    /// The book's source repository: the site links to it from every page.
    pub repository: Option<SiteUrl>,
    /// Whether the site has `print.html`, the whole book on one page
    /// (default: yes).
    pub print_page: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct EpubConfig {
    /// One sentence for `schema:accessibilitySummary`; a default is written otherwise.
    pub accessibility_summary: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct PdfConfig {
    /// `a4` (default), `a5`, `b5`, `us-letter`, `royal`… or `"WIDTHmm x HEIGHTmm"`.
    pub paper: Option<PaperSize>,
    /// `two` (default, for print) or `one` (for screens).
    pub sides: Option<Sides>,
    /// PDF standards, e.g. `["a-2b"]`, `["a-3b", "ua-1"]`; default: PDF/A-2b
    /// and PDF/UA-1, each given up (with a note) when the book cannot meet it.
    pub standards: Option<PdfStandards>,
    /// Font files (relative to the book root) added to the embedded set.
    pub fonts: Vec<String>,
    /// Body font family; default: Libertinus Serif (embedded).
    pub font: Option<String>,
    /// Body font size; default: after the page's width.
    pub font_size: Option<FontSize>,
    /// Whether the book's cover image opens the PDF (default: yes). A
    /// printer wants the interior alone: `cover = false`.
    pub cover: Option<bool>,
    /// Whether the system's fonts may serve the scripts and emoji the
    /// embedded and the book's fonts lack (default: yes). `false` for a
    /// hermetic build, the same on every machine.
    pub system_fonts: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sides {
    One,
    Two,
}

/// folio.toml as written: the sections whose values are checked, before
/// they are (see [`Config::read`]).
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    book: RawBook,
    build: BuildConfig,
    html: RawHtml,
    epub: EpubConfig,
    pdf: RawPdf,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
struct RawBook {
    title: Option<String>,
    subtitle: Option<String>,
    authors: Option<Vec<String>>,
    language: Option<String>,
    description: Option<String>,
    identifier: Option<String>,
    license: Option<String>,
    publisher: Option<String>,
    version: Option<String>,
    date: Option<WrittenDate>,
    keywords: Option<Vec<String>>,
    cover: Option<String>,
}

impl RawBook {
    fn check(self, check: &mut Check<'_>) -> BookConfig {
        let date = self.date.and_then(|written| {
            let span = check.spans.get("book.date");
            written.understood(span, check.diagnostics)
        });
        BookConfig {
            title: self.title,
            subtitle: self.subtitle,
            authors: self.authors,
            language: self.language,
            description: self.description,
            identifier: self.identifier,
            license: self.license,
            publisher: self.publisher,
            version: self.version,
            date,
            keywords: self.keywords,
            cover: self.cover,
        }
    }
}

impl BuildConfig {
    /// `[build] name` names files in the output folder: a plain file name.
    fn check(mut self, check: &mut Check<'_>) -> BuildConfig {
        self.name = self.name.and_then(|name| {
            check.value(
                "build.name",
                &name,
                paths::check_file_name(&name).map(|()| name.clone()),
                &|| "`name` is the editions' file name without extension, such as \"my-book\": no `/`, no `..`".into(),
            )
        });
        self
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
struct RawHtml {
    site_url: Option<String>,
    css: Vec<String>,
    vars: BTreeMap<String, String>,
    repository: Option<String>,
    print_page: Option<bool>,
}

impl RawHtml {
    fn check(self, check: &mut Check<'_>) -> HtmlConfig {
        let site_url = self.site_url.and_then(|url| {
            check.value("html.site-url", &url, SiteUrl::parse(&url), &|| {
                "the web edition's public address, such as \"https://example.org/my-book/\"".into()
            })
        });
        let mut vars = BTreeMap::new();
        for (written, value) in self.vars {
            let key = format!("html.vars.{written}");
            let name = CssVarName::parse(&written)
                .map_err(|why| {
                    check.error(
                        &key,
                        format!("[html.vars] {written:?} is not a variable's name: {why}"),
                        "a theme variable's name, such as `light-accent` or `--measure`".into(),
                    );
                })
                .ok();
            let value = CssValue::parse(&value)
                .map_err(|why| {
                    check.error(
                        &key,
                        format!("[html.vars] {written} = {value:?}: {why}"),
                        "one CSS value, such as \"#1d5fa8\" or \"72ch\": no `;`, `{`, `}`, `<`, `>`, `\\`, line break or comment".into(),
                    );
                })
                .ok();
            if let (Some(name), Some(value)) = (name, value) {
                vars.insert(name, value);
            }
        }
        let repository = self.repository.and_then(|url| {
            check.value("html.repository", &url, SiteUrl::parse(&url), &|| {
                "the address of the book's sources, such as \"https://github.com/me/my-book\""
                    .into()
            })
        });
        HtmlConfig {
            site_url,
            css: self.css,
            vars,
            repository,
            print_page: self.print_page,
        }
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
struct RawPdf {
    paper: Option<String>,
    sides: Option<Sides>,
    standards: Option<Vec<String>>,
    fonts: Vec<String>,
    font: Option<String>,
    font_size: Option<f32>,
    cover: Option<bool>,
    system_fonts: Option<bool>,
}

impl RawPdf {
    fn check(self, check: &mut Check<'_>) -> PdfConfig {
        let paper = self.paper.and_then(|paper| {
            check.value(
                "pdf.paper",
                &paper,
                paper.parse::<PaperSize>(),
                &PaperSize::accepted,
            )
        });
        let font_size = self.font_size.and_then(|size| {
            check.value("pdf.font-size", &size, FontSize::new(size), &|| {
                format!(
                    "the body's size in points, from {} to {}, such as 10.5",
                    FontSize::MIN,
                    FontSize::MAX
                )
            })
        });
        PdfConfig {
            paper,
            sides: self.sides,
            standards: self
                .standards
                .and_then(|names| check_standards(&names, check)),
            fonts: self.fonts,
            font: self.font,
            font_size,
            cover: self.cover,
            system_fonts: self.system_fonts,
        }
    }
}

/// `[pdf] standards`: each name known, and all of them possible together.
fn check_standards(names: &[String], check: &mut Check<'_>) -> Option<PdfStandards> {
    let names_hint = || {
        let all: Vec<&str> = PdfStandard::ALL.iter().map(|s| s.name()).collect();
        format!("the standards typst knows: {}", all.join(", "))
    };
    let list: Vec<Option<PdfStandard>> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            check.value(
                &format!("pdf.standards[{i}]"),
                name,
                name.parse(),
                &names_hint,
            )
        })
        .collect();
    let list: Vec<PdfStandard> = list.into_iter().collect::<Option<_>>()?;
    PdfStandards::new(list)
        .map_err(|conflict| {
            let key = format!("pdf.standards[{}]", conflict.at);
            check.value::<(), _>(&key, &names[conflict.at], Err(conflict), &|| {
                "at most one PDF/A part, one PDF/UA part and one version, that allow a common PDF version: [\"a-2b\", \"ua-1\"], [\"a-3b\"], [\"a-4\"]".into()
            });
        })
        .ok()
}

/// The body's font size in points, within bounds a page can hold.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(try_from = "f32", into = "f32")]
pub struct FontSize(f32);

impl FontSize {
    pub const MIN: f32 = 4.0;
    pub const MAX: f32 = 72.0;

    pub fn new(points: f32) -> Result<FontSize, String> {
        if (Self::MIN..=Self::MAX).contains(&points) {
            Ok(FontSize(points))
        } else {
            Err(format!(
                "a size in points from {} to {}",
                Self::MIN,
                Self::MAX
            ))
        }
    }

    pub fn points(self) -> f32 {
        self.0
    }
}

impl TryFrom<f32> for FontSize {
    type Error = String;

    fn try_from(points: f32) -> Result<FontSize, String> {
        FontSize::new(points)
    }
}

impl From<FontSize> for f32 {
    fn from(size: FontSize) -> f32 {
        size.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GUIDE: &str = include_str!("../../../book/src/configuration.md");

    /// The guide's configuration chapter opens with a complete `folio.toml`
    /// and documents each key in a table: both must follow this file.
    #[test]
    fn the_guide_documents_every_key() {
        let example = GUIDE
            .split("```toml\n")
            .nth(1)
            .and_then(|rest| rest.split("```").next())
            .expect("a TOML example");
        let mut diagnostics = Vec::new();
        let config = Config::read(SourceId(0), example, &mut diagnostics);
        assert!(
            diagnostics.is_empty(),
            "the guide's example is not a valid folio.toml: {diagnostics:?}"
        );
        // Serialised as JSON, an unset option is `null`: the example sets every key.
        // A value the check refused would be unset too.
        let json = serde_json::to_value(&config).unwrap();
        for (section, keys) in json.as_object().unwrap() {
            let table = GUIDE
                .split(&format!("## `[{section}]`"))
                .nth(1)
                .unwrap_or_else(|| panic!("no section for [{section}]"));
            let table = table.split("\n## ").next().unwrap_or_default();
            for (key, value) in keys.as_object().unwrap() {
                assert!(
                    !value.is_null(),
                    "the complete example leaves [{section}] {key} out"
                );
                assert!(
                    table.contains(&format!("| `{key}` |")),
                    "[{section}] {key} has no row in the guide's table"
                );
            }
        }
    }
}
