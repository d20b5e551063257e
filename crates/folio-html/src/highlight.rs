//! Code highlighting at build time with syntect: spans with `hl-` classes,
//! coloured by a stylesheet with a light and a dark palette, so the reader's
//! colour scheme applies without any script.

use std::sync::OnceLock;

use syntect::highlighting::ThemeSet;
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::{SyntaxDefinition, SyntaxSet, SyntaxSetBuilder};
use syntect::util::LinesWithEndings;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };
const LIGHT_THEME: &str = "InspiredGitHub";
const DARK_THEME: &str = "base16-ocean.dark";

/// Languages syntect does not bundle, written for folio.
const EXTRA_SYNTAXES: [&str; 1] = [include_str!("syntaxes/TOML.sublime-syntax")];

/// syntect's bundled syntaxes, loaded once per process.
fn defaults() -> &'static SyntaxSet {
    static DEFAULTS: OnceLock<SyntaxSet> = OnceLock::new();
    DEFAULTS.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// folio's own syntaxes, in a set of their own: adding them to the bundled
/// set (`into_builder`, then `build`) would recompile and recompress every
/// bundled syntax, which took most of the time of a small book's HTML.
fn extras() -> &'static SyntaxSet {
    static EXTRAS: OnceLock<SyntaxSet> = OnceLock::new();
    EXTRAS.get_or_init(|| {
        let mut builder = SyntaxSetBuilder::new();
        for syntax in EXTRA_SYNTAXES {
            // Tested below: a definition that does not load is a bug in folio.
            if let Ok(definition) = SyntaxDefinition::load_from_str(syntax, true, None) {
                builder.add(definition);
            }
        }
        builder.build()
    })
}

/// `code` as HTML spans for `language` (a token such as `rust` or `py`);
/// `None` when syntect does not know the language. folio's own syntaxes
/// come first, as they would in one set where they were added last.
pub fn highlight(code: &str, language: &str) -> Option<String> {
    let (syntax, syntaxes) = [extras(), defaults()]
        .into_iter()
        .find_map(|set| Some((set.find_syntax_by_token(language)?, set)))?;
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, syntaxes, CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        generator
            .parse_html_for_line_which_includes_newline(line)
            .ok()?;
    }
    Some(generator.finalize())
}

/// The token colours: the light palette, and the dark one under
/// `prefers-color-scheme: dark`.
pub fn css() -> &'static str {
    static CSS: OnceLock<String> = OnceLock::new();
    CSS.get_or_init(palettes)
}

fn palettes() -> String {
    let themes = ThemeSet::load_defaults();
    let palette = |name: &str| {
        themes
            .themes
            .get(name)
            .and_then(|theme| css_for_theme_with_class_style(theme, CLASS_STYLE).ok())
            .unwrap_or_default()
    };
    // Each palette under its own scheme: a rule only the light palette has
    // would otherwise paint dark text on the dark background.
    format!(
        "/* Code highlighting: syntect's {LIGHT_THEME} and {DARK_THEME} palettes. */\n\
         @media not screen and (prefers-color-scheme: dark) {{\n{}}}\n\
         @media screen and (prefers-color-scheme: dark) {{\n{}}}\n",
        palette(LIGHT_THEME),
        palette(DARK_THEME)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_languages_get_classed_spans_and_unknown_ones_none() {
        let html = highlight("fn main() { let x = \"<a>\"; }\n", "rust").unwrap();
        assert!(html.contains("<span class=\"hl-"), "{html}");
        assert!(html.contains("&lt;a&gt;"), "{html}");
        assert!(highlight("x", "no-such-language").is_none());
    }

    #[test]
    fn toml_is_highlighted() {
        for syntax in EXTRA_SYNTAXES {
            SyntaxDefinition::load_from_str(syntax, true, None)
                .expect("folio's own syntax definitions load");
        }
        let code = "# Réglages\n[book]\ntitle = \"Communs\" # titre\nauthors = [\"A\", 'B']\n[[pdf.fonts]]\nsides = 2\ndraft = false\nfonts = { body = \"x\" }\n";
        let html = highlight(code, "toml").unwrap();
        // (first classes of a span, the text it holds)
        let spans: Vec<(&str, &str)> = html
            .split("<span class=\"")
            .skip(1)
            .filter_map(|s| s.split_once("\">"))
            .map(|(class, rest)| (class, rest.split('<').next().unwrap_or_default()))
            .collect();
        for (class, text) in [
            ("hl-comment", "# Réglages"),
            ("hl-entity hl-name hl-section", "book"),
            ("hl-entity hl-name hl-section", "pdf.fonts"),
            ("hl-entity hl-name hl-tag", "title"),
            ("hl-string", ""),
            ("hl-comment", "# titre"),
            ("hl-constant hl-numeric", "2"),
            ("hl-constant hl-language", "false"),
            ("hl-entity hl-name hl-tag", "body"),
        ] {
            assert!(
                spans
                    .iter()
                    .any(|(c, t)| c.starts_with(class) && *t == text),
                "no {class} span holding {text:?} in {html}"
            );
        }
        assert!(html.contains("&quot;</span>Communs<"), "{html}");
    }

    #[test]
    fn css_has_both_palettes() {
        let css = css();
        assert!(css.contains(".hl-"), "{css}");
        let (light, dark) = css
            .split_once("@media screen and (prefers-color-scheme: dark)")
            .unwrap();
        assert!(
            light.contains("@media not screen and (prefers-color-scheme: dark)")
                && light.contains(".hl-")
        );
        assert!(dark.contains(".hl-"));
    }
}
