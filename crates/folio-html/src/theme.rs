//! The theme stylesheet: folio's CSS, the highlighting palettes, and the
//! variables the book overrides from folio.toml (`[html.vars]`).

use std::fmt::Write as _;

use folio_core::{Book, Diagnostic, Severity};

const BASE: &str = include_str!("theme.css");

/// The stylesheet's file name at the root of the edition.
pub const FILE: &str = "theme.css";

/// Variables a book may override; documented in book/src/html.md.
pub const VARIABLES: &[&str] = &[
    "font-body",
    "font-ui",
    "font-mono",
    "font-size",
    "line-height",
    "measure",
    "sidebar-width",
    "light-bg",
    "light-fg",
    "light-muted",
    "light-accent",
    "light-border",
    "light-code-bg",
    "light-mark",
    "dark-bg",
    "dark-fg",
    "dark-muted",
    "dark-accent",
    "dark-border",
    "dark-code-bg",
    "dark-mark",
];

/// Colours with a light and a dark value; `[html.vars]` may set both at once.
const COLOURS: &[&str] = &["bg", "fg", "muted", "accent", "border", "code-bg", "mark"];

/// The whole theme.css, with the book's overrides last so that they win.
pub fn stylesheet(book: &Book, diagnostics: &mut Vec<Diagnostic>) -> String {
    let mut css = String::with_capacity(BASE.len() * 2);
    css.push_str(BASE);
    css.push('\n');
    css.push_str(crate::highlight::css());
    let mut overrides = String::new();
    // A BTreeMap: sorted, so the file is the same on every build. Names and
    // values were checked as folio.toml was read: a value cannot end its
    // declaration.
    for (name, value) in &book.config.html.vars {
        let name = name.as_str();
        // A colour named without `light-`/`dark-` sets both schemes.
        let names: Vec<String> = if COLOURS.contains(&name) {
            vec![format!("light-{name}"), format!("dark-{name}")]
        } else {
            vec![name.to_string()]
        };
        if !VARIABLES.contains(&names[0].as_str()) {
            let known = VARIABLES.join(", ");
            let span = book
                .config
                .span(&format!("html.vars.{name}"))
                .or_else(|| book.config.span(&format!("html.vars.--{name}")));
            diagnostics.push(
                Diagnostic::new(
                    Severity::Warning,
                    format!("[html.vars] `{name}` is not a theme variable: ignored"),
                    span,
                )
                .with_hint(format!(
                    "the variables are: {known}; a colour without `light-`/`dark-` sets both"
                )),
            );
            continue;
        }
        for name in names {
            let _ = writeln!(overrides, "  --{name}: {};", value.as_str());
        }
    }
    if !overrides.is_empty() {
        let _ = write!(
            css,
            "\n/* Overrides from folio.toml [html.vars]. */\n:root {{\n{overrides}}}\n"
        );
    }
    css
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_variables_are_overridden_last_and_others_refused() {
        use folio_core::config::{CssValue, CssVarName};
        let mut book = folio_core::parse_str("x\n");
        let vars = &mut book.config.html.vars;
        for (name, value) in [
            ("measure", "72ch"),
            ("--light-accent", "#1d5fa8"),
            ("colour", "red"),
            ("mark", "yellow"),
        ] {
            vars.insert(
                CssVarName::parse(name).unwrap(),
                CssValue::parse(value).unwrap(),
            );
        }
        let mut diagnostics = Vec::new();
        let css = stylesheet(&book, &mut diagnostics);
        let overrides = css
            .rsplit_once("[html.vars]")
            .map(|(_, tail)| tail)
            .unwrap_or_default();
        assert!(
            overrides.contains("--measure: 72ch;")
                && overrides.contains("--light-accent: #1d5fa8;"),
            "{overrides}"
        );
        assert!(
            overrides.contains("--light-mark: yellow;")
                && overrides.contains("--dark-mark: yellow;"),
            "{overrides}"
        );
        assert!(!overrides.contains("colour"), "{overrides}");
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    }

    #[test]
    fn every_documented_variable_is_defined_by_the_theme() {
        for name in VARIABLES {
            assert!(
                BASE.contains(&format!("--{name}:")),
                "--{name} is not in theme.css"
            );
        }
    }
}
