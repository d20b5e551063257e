//! `folio.toml`: what GitBook's book.json and mdBook's book.toml cannot say.
//! Every key is documented in `book/src/configuration.md`; keep both in step.
//!
//! Values here take precedence over book.json / book.toml / front matter.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::diagnostics::SpanCursor;
use crate::model::{SourceId, Span};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    pub book: BookConfig,
    pub build: BuildConfig,
    pub html: HtmlConfig,
    pub epub: EpubConfig,
    pub pdf: PdfConfig,
    /// Where each setting was written, for diagnostics about its value.
    #[serde(skip)]
    pub spans: SettingSpans,
}

impl Config {
    /// Where setting `key` (`build.name`, `html.css[0]`) was written, if
    /// in a file: a diagnostic about its value points there.
    pub fn span(&self, key: &str) -> Option<Span> {
        self.spans.get(key)
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
    pub date: Option<String>,
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
    /// Source path of the chapter holding the bibliography; default: detected.
    pub references: Option<String>,
    /// Folder (relative to the book folder, holding it) below which mdBook's
    /// `{{#include}}` may read; default: the book's repository, or the book folder.
    pub include_root: Option<String>,
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
    pub site_url: Option<String>,
    /// Extra stylesheets, relative to the book root, linked after the theme.
    pub css: Vec<String>,
    /// Theme CSS variables to override, without the leading `--`.
    pub vars: BTreeMap<String, String>,
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
    pub paper: Option<String>,
    /// `two` (default, for print) or `one` (for screens).
    pub sides: Option<Sides>,
    /// typst PDF standards, e.g. `["a-2b"]`, `["a-3b", "ua-1"]`.
    pub standards: Option<Vec<String>>,
    /// Font files (relative to the book root) added to the embedded set.
    pub fonts: Vec<String>,
    /// Body font family; default: Libertinus Serif (embedded).
    pub font: Option<String>,
    /// Body font size in points.
    pub font_size: Option<f32>,
    /// Whether the book's cover image opens the PDF (default: yes). A
    /// printer wants the interior alone: `cover = false`.
    pub cover: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sides {
    One,
    Two,
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
        let config: Config =
            toml::from_str(example).expect("the guide's example is a valid folio.toml");
        // Serialised as JSON, an unset option is `null`: the example sets every key.
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
