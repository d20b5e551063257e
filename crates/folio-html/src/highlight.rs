//! Code highlighting at build time with syntect: spans with `hl-` classes,
//! coloured by a stylesheet with a light and a dark palette, so the reader's
//! colour scheme applies without any script.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, OnceLock, PoisonError};

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
/// `None` when syntect does not know the language.
///
/// Each code block is highlighted once per process, whatever asks for it:
/// its chapter's page, its section of `print.html`, its EPUB document, the
/// next build of a `folio::Session`. syntect takes most of the time of
/// writing a code-heavy book (measured on The Rust Reference: ~60 % of the
/// HTML and EPUB editions' time, half of it highlighting again what the
/// other edition had highlighted).
pub fn highlight(code: &str, language: &str) -> Option<Arc<str>> {
    if let Some(known) = memo().get(language, code) {
        return known;
    }
    // Outside the lock: two threads asking for the same new block at once
    // both highlight it, and both get the same spans.
    let html = highlight_anew(code, language).map(Arc::from);
    memo().insert(language, code, html.clone());
    html
}

/// Whether `code` in `language` is in the process's memo.
#[cfg(test)]
pub(crate) fn is_memoised(code: &str, language: &str) -> bool {
    memo().get(language, code).is_some()
}

fn memo() -> std::sync::MutexGuard<'static, Memo> {
    static MEMO: LazyLock<Mutex<Memo>> = LazyLock::new(|| Mutex::new(Memo::new(MEMO_BYTES)));
    MEMO.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What the memo may hold, code and spans counted: a long-running process
/// (`folio serve`, tests) must not grow without bound. Far more than the
/// code of any one book (The Rust Reference: 928 highlighted blocks,
/// 222 KB of code).
const MEMO_BYTES: usize = 64 << 20;

/// Highlighted code by language and code, up to a size: past it, the memo
/// starts again empty (the blocks in use come back at once).
struct Memo {
    by_language: HashMap<String, HashMap<String, Option<Arc<str>>>>,
    bytes: usize,
    limit: usize,
}

impl Memo {
    fn new(limit: usize) -> Self {
        Memo {
            by_language: HashMap::new(),
            bytes: 0,
            limit,
        }
    }

    fn get(&self, language: &str, code: &str) -> Option<Option<Arc<str>>> {
        self.by_language.get(language)?.get(code).cloned()
    }

    fn insert(&mut self, language: &str, code: &str, html: Option<Arc<str>>) {
        let size = language.len() + 2 * code.len() + html.as_deref().map_or(0, str::len);
        if size > self.limit {
            return;
        }
        if self.bytes + size > self.limit {
            self.by_language.clear();
            self.bytes = 0;
        }
        self.bytes += size;
        self.by_language
            .entry(language.to_string())
            .or_default()
            .insert(code.to_string(), html);
    }
}

/// [`highlight`] without the memo. folio's own syntaxes come first, as they
/// would in one set where they were added last.
fn highlight_anew(code: &str, language: &str) -> Option<String> {
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
    fn a_block_is_highlighted_once_and_the_memo_stays_bounded() {
        let code = "let x = 1;\n";
        let first = highlight(code, "rust").expect("rust is known");
        let again = highlight(code, "rust").expect("rust is known");
        assert!(Arc::ptr_eq(&first, &again), "highlighted twice");
        assert!(highlight(code, "no-such-language").is_none());

        let mut memo = Memo::new(100);
        memo.insert("rust", "a", Some(Arc::from("<span>a</span>")));
        assert_eq!(
            memo.get("rust", "a"),
            Some(Some(Arc::from("<span>a</span>")))
        );
        assert_eq!(memo.get("py", "a"), None);
        memo.insert("py", "b", None);
        assert_eq!(memo.get("py", "b"), Some(None));
        memo.insert("rust", &"c".repeat(60), None);
        assert_eq!(
            memo.get("rust", &"c".repeat(60)),
            None,
            "bigger than the memo"
        );
        memo.insert("rust", &"d".repeat(30), None);
        assert_eq!(
            memo.get("rust", "a"),
            Some(Some(Arc::from("<span>a</span>")))
        );
        memo.insert("rust", &"e".repeat(20), None);
        assert_eq!(memo.get("rust", "a"), None, "emptied past its size");
        assert_eq!(memo.get("rust", &"e".repeat(20)), Some(None));
        assert!(memo.bytes <= memo.limit);
    }

    /// The text of highlighted HTML: its tags dropped, its escapes read.
    fn text_of(html: &str) -> String {
        let mut text = String::new();
        // Pieces alternate: text, tag, text… (the code's own `<` and `>`
        // are escaped, so every one left opens or closes a tag).
        for (i, piece) in html.split(['<', '>']).enumerate() {
            if i % 2 == 0 {
                text.push_str(piece);
            }
        }
        text.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    }

    /// Code written to defeat the regexes of its language's syntax: a
    /// search the regex engine gives up on counts as no match, and the code
    /// comes out whole, without a panic.
    #[test]
    fn hostile_code_comes_out_whole() {
        let marks = b"(){}[]<>\"'#/*\\ \tab1_:;,.=&|!?$@%^~`";
        let punctuation: String = (0..20_000)
            .map(|i| marks[i * 7919 % marks.len()] as char)
            .collect();
        for (language, code) in [
            ("rust", "a".repeat(50_000)),
            ("rust", "<".repeat(20_000) + &">".repeat(20_000)),
            ("rust", format!("r#####\"{}", "x\"####".repeat(5_000))),
            ("rust", format!("\"{}", "\\\\".repeat(10_000))),
            ("rust", punctuation),
            ("js", "/".repeat(30_000)),
            ("python", format!("'''{}", "a'".repeat(10_000))),
            ("c", format!("#define X({}", "a,".repeat(10_000))),
            ("html", "<a ".repeat(10_000)),
            ("toml", format!("x = [{}", "[".repeat(10_000))),
        ] {
            let code = code + "\n";
            let html = highlight(&code, language).expect("a language syntect knows");
            let text = text_of(&html);
            assert!(
                text == code,
                "{language}: the highlighted code is not the code ({} bytes in, {} out)",
                code.len(),
                text.len()
            );
        }
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
