//! GitBook's templating, expanded in a GitBook chapter before the reader.
//!
//! GitBook 3 (and HonKit) ran every page through Nunjucks: `{{ book.x }}`
//! (book.json `variables`), `{{ config.title }}` (book.json itself),
//! `{{ file.path }}`, `{% if output.name == "ebook" %}…{% endif %}` and
//! `{% raw %}…{% endraw %}`. minijinja's syntax is close enough to
//! Nunjucks' for what books write; its fuel and recursion limits bound a
//! hostile template, and its output spans say which part of the chapter
//! each piece of the output comes from, so spans stay true (a
//! [`LineMap`]).
//!
//! Tags of GitBook plugins (`{% hint %}`, `{% tabs %}`, `{% embed %}`, any
//! tag minijinja does not know) are replaced before minijinja sees them:
//! their content stays (a hint becomes a block quote, an embed a link, a
//! tab its title in bold), their tags never show, and each plugin's name is
//! reported once.
//!
//! `output.name` is `website` for the HTML edition and `ebook` for the
//! EPUB and the PDF: a chapter whose template reads it is rendered once per
//! name (see [`Templated::ebook`]).

use std::collections::BTreeMap;

use minijinja::{Environment, ErrorKind, OutputSpanKind, UndefinedBehavior, Value};

use crate::diagnostics::Diagnostic;
use crate::files::MAX_TEXT_FILE;
use crate::include::LineMap;
use crate::model::{SourceId, Span};

/// How many steps of minijinja's machine one rendering may take: far more
/// than a chapter's tags need, and a loop bomb stops within a second.
pub const FUEL: u64 = 2_000_000;
/// How deep templates may nest calls and blocks.
pub const RECURSION_LIMIT: usize = 64;
/// The largest text a chapter may grow to once expanded (as for includes).
pub const MAX_EXPANDED: usize = MAX_TEXT_FILE as usize;

/// The tags minijinja knows (Nunjucks' own, as GitBook books use them).
const KNOWN_TAGS: [&str; 29] = [
    "if",
    "elif",
    "else",
    "endif",
    "for",
    "endfor",
    "set",
    "endset",
    "with",
    "endwith",
    "filter",
    "endfilter",
    "macro",
    "endmacro",
    "call",
    "endcall",
    "block",
    "endblock",
    "extends",
    "include",
    "import",
    "from",
    "autoescape",
    "endautoescape",
    "raw",
    "endraw",
    "do",
    "continue",
    "break",
];

/// The two outputs GitBook named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputName {
    /// The HTML edition.
    Website,
    /// The EPUB and the PDF.
    Ebook,
}

impl OutputName {
    pub fn as_str(self) -> &'static str {
        match self {
            OutputName::Website => "website",
            OutputName::Ebook => "ebook",
        }
    }
}

/// What every chapter's template sees besides its own `file` and `page`.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// `book`: book.json `variables`, over `title`, `description`, `language`, `author`.
    pub book: serde_json::Value,
    /// `config`: book.json as written.
    pub config: serde_json::Value,
}

/// A chapter's text once expanded for one output.
#[derive(Debug)]
pub struct Rendering {
    pub text: String,
    /// Spans of `text` → the chapter's (local source 0).
    pub map: LineMap,
}

/// A chapter's text once its template is expanded.
#[derive(Debug)]
pub struct Templated {
    /// For `output.name == "website"`, or for every edition when the
    /// template never reads `output`.
    pub website: Rendering,
    /// For `output.name == "ebook"`, only when the template reads `output`
    /// and the two renderings differ.
    pub ebook: Option<Rendering>,
    /// At spans of local source 0.
    pub diagnostics: Vec<Diagnostic>,
    /// Each plugin whose tags were replaced, with its first tag.
    pub plugins: BTreeMap<String, Span>,
}

/// Whether `text` holds anything the template engine would change. A
/// heading's `{#id}` is not a tag: [`prepare`] protects it, and a chapter
/// whose only braces are such ids (most chapters of most GitBook books)
/// comes out of the engine as written, so it never goes in.
pub fn has_tags(text: &str) -> bool {
    memchr::memmem::find_iter(text.as_bytes(), b"{").any(|at| match text.as_bytes().get(at + 1) {
        Some(b'{' | b'%') => true,
        Some(b'#') => !is_attribute(&text[at..]),
        _ => false,
    })
}

/// Expands the template of a chapter (`file`, titled `title`): `None` when
/// it has no tags. On a template error the chapter keeps its text as
/// written, with the error.
pub fn expand(text: &str, file: &str, title: &str, context: &Context) -> Option<Templated> {
    if !has_tags(text) {
        return None;
    }
    let local = SourceId::new(0);
    let prepared = prepare(text);
    let mut plugins = BTreeMap::new();
    for (name, at) in &prepared.plugins {
        plugins
            .entry(name.clone())
            .or_insert_with(|| prepared.span_at(text, *at));
    }
    let unexpanded = |diagnostic: Diagnostic, plugins| Templated {
        website: Rendering {
            text: text.to_string(),
            map: LineMap::default(),
        },
        ebook: None,
        diagnostics: vec![diagnostic],
        plugins,
    };
    let mut env = Environment::new();
    env.set_fuel(Some(FUEL));
    env.set_recursion_limit(RECURSION_LIMIT);
    // Nunjucks prints nothing for a missing value, even `a.b` of a missing `a`.
    env.set_undefined_behavior(UndefinedBehavior::Chainable);
    env.set_debug(true);
    // A chapter's last line break is text like any other (and maps its line).
    if let Ok(syntax) = minijinja::syntax::SyntaxConfig::builder()
        .keep_trailing_newline(true)
        .build()
    {
        env.set_syntax(syntax);
    }
    let template = match env.template_from_str(&prepared.source) {
        Ok(template) => template,
        Err(e) => return Some(unexpanded(error(&e, &prepared, text, local), plugins)),
    };
    let reads_output = template.undeclared_variables(false).contains("output");
    let render = |name: OutputName| -> Result<Rendering, Diagnostic> {
        let ctx = Value::from(minijinja::value::Serde(serde_json::json!({
            "book": context.book,
            "config": context.config,
            "file": { "path": file },
            "page": { "title": title },
            "output": { "name": name.as_str() },
        })));
        // A first run counts the output (no span kept): a loop of large
        // pieces must stop at the limit, not fill the memory.
        let mut counter = Bounded(0);
        template
            .render_captured_to(ctx.clone(), &mut counter)
            .map_err(|e| match counter.0 > MAX_EXPANDED {
                true => Diagnostic::error(
                    format!(
                        "the template of this chapter expands past {} MiB",
                        MAX_EXPANDED >> 20
                    ),
                    prepared.span_at(text, 0),
                ),
                false => error(&e, &prepared, text, local),
            })?;
        let (output, spans) = template
            .render_with_spans(ctx)
            .map_err(|e| error(&e, &prepared, text, local))?;
        Ok(prepared.rendering(text, output, &spans))
    };
    let website = match render(OutputName::Website) {
        Ok(rendering) => rendering,
        Err(diagnostic) => return Some(unexpanded(diagnostic, plugins)),
    };
    let ebook = match reads_output {
        false => None,
        true => match render(OutputName::Ebook) {
            Ok(rendering) => Some(rendering).filter(|r| r.text != website.text),
            Err(diagnostic) => return Some(unexpanded(diagnostic, plugins)),
        },
    };
    Some(Templated {
        website,
        ebook,
        diagnostics: Vec::new(),
        plugins,
    })
}

/// A writer that only counts, and fails past [`MAX_EXPANDED`].
struct Bounded(usize);

impl std::io::Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        match self.0 > MAX_EXPANDED {
            true => Err(std::io::Error::other("too large")),
            false => Ok(buf.len()),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A template error as a diagnostic at its place in the chapter.
fn error(e: &minijinja::Error, prepared: &Prepared, text: &str, local: SourceId) -> Diagnostic {
    let at = e
        .range()
        .map(|r| prepared.original(r.start))
        .or_else(|| {
            let line = e.line()?;
            line_starts(text).get(line - 1).copied()
        })
        .unwrap_or(0);
    let what = match e.kind() {
        ErrorKind::OutOfFuel => format!(
            "the template of this chapter runs too long (more than {FUEL} steps): a loop without end?"
        ),
        kind => match e.detail() {
            Some(detail) => format!("template error: {kind}: {detail}"),
            None => format!("template error: {kind}"),
        },
    };
    let mut span = prepared.span_at(text, at);
    span.source = local;
    Diagnostic::error(what, span).with_hint(
        "GitBook templating (Nunjucks): write `{% raw %}…{% endraw %}` around text that must keep `{{` or `{%` as written",
    )
}

/// The byte offset where each line of `text` starts.
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|at| at + 1))
        .collect()
}

/// (line, column) of byte `at` of `text`, 1-based, the column in characters.
fn position(starts: &[usize], text: &str, at: usize) -> (u32, u32) {
    let line = starts.partition_point(|&s| s <= at).max(1);
    let start = starts[line - 1];
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let col = text[start..at.max(start)].chars().count() + 1;
    (line as u32, col as u32)
}

/// The chapter's text as given to minijinja: plugin tags replaced.
#[derive(Debug, Default)]
struct Prepared {
    source: String,
    /// Where each piece of `source` starts, and where it comes from in the
    /// chapter: copied text maps one to one, a replacement to its tag.
    pieces: Vec<(usize, usize, bool)>,
    /// The plugin tags replaced: name and byte offset in the chapter.
    plugins: Vec<(String, usize)>,
}

impl Prepared {
    fn copy(&mut self, text: &str, from: usize) {
        if !text.is_empty() {
            self.pieces.push((self.source.len(), from, true));
            self.source.push_str(text);
        }
    }

    fn replace(&mut self, with: &str, tag_at: usize) {
        self.pieces.push((self.source.len(), tag_at, false));
        self.source.push_str(with);
    }

    /// The byte offset in the chapter of byte `at` of `source`.
    fn original(&self, at: usize) -> usize {
        let index = self.pieces.partition_point(|p| p.0 <= at);
        match index.checked_sub(1).map(|i| self.pieces[i]) {
            Some((start, from, true)) => from + (at - start),
            Some((_, tag, false)) => tag,
            None => at,
        }
    }

    fn span_at(&self, text: &str, at: usize) -> Span {
        let (line, col) = position(&line_starts(text), text, at);
        Span {
            source: SourceId::new(0),
            line,
            col,
        }
    }

    /// The rendering of `output`, with the map its spans give.
    fn rendering(&self, text: &str, output: String, spans: &[minijinja::OutputSpan]) -> Rendering {
        let (text_starts, out_starts) = (line_starts(text), line_starts(&output));
        let mut starts = vec![((1, 1), (1, 1))];
        let mut start = |out_at: usize, source_at: usize| {
            let at = position(&out_starts, &output, out_at);
            let from = position(&text_starts, text, self.original(source_at));
            if starts.last().is_some_and(|last| last.0 == at) {
                starts.pop();
            }
            starts.push((at, from));
        };
        for span in spans {
            let (out, source) = (span.output_range(), span.source_range());
            match span.kind() {
                OutputSpanKind::Expression => start(out.start, source.start),
                // Copied as written: a piece starts at each piece of `source` it crosses.
                _ => {
                    start(out.start, source.start);
                    let first = self.pieces.partition_point(|p| p.0 <= source.start);
                    for piece in self.pieces[first..]
                        .iter()
                        .take_while(|p| p.0 < source.end.min(source.start + out.len()))
                    {
                        start(out.start + (piece.0 - source.start), piece.0);
                    }
                }
            }
        }
        Rendering {
            map: LineMap::of_one_source(starts, text),
            text: output,
        }
    }
}

/// Replaces the tags of GitBook plugins in `text` with what they mean, and
/// protects Markdown's `{#id}` attributes from being read as comments.
fn prepare(text: &str) -> Prepared {
    let mut prepared = Prepared::default();
    let bytes = text.as_bytes();
    // How many hints are open: their lines are quoted.
    let mut quote_depth = 0usize;
    let (mut copied, mut at) = (0, 0);
    while let Some(found) = memchr::memchr2(b'{', b'\n', &bytes[at..]) {
        let here = at + found;
        if bytes[here] == b'\n' {
            at = here + 1;
            if quote_depth > 0 {
                prepared.copy(&text[copied..at], copied);
                prepared.replace(&"> ".repeat(quote_depth), at);
                copied = at;
            }
            continue;
        }
        let rest = &text[here..];
        let end = match bytes.get(here + 1) {
            Some(b'{') => rest.find("}}").map(|e| here + e + 2),
            Some(b'#') if is_attribute(rest) => {
                // `{#id}`, folio's heading id: text, not a comment.
                let len = rest.find('}').map_or(2, |e| e + 1);
                prepared.copy(&text[copied..here], copied);
                prepared.replace("{% raw %}", here);
                prepared.copy(&text[here..here + len], here);
                prepared.replace("{% endraw %}", here + len);
                copied = here + len;
                at = copied;
                continue;
            }
            Some(b'#') => rest.find("#}").map(|e| here + e + 2),
            Some(b'%') => {
                let Some(close) = rest.find("%}").map(|e| here + e + 2) else {
                    break;
                };
                let tag = &text[here + 2..close - 2];
                let name = tag_name(tag);
                if name == "raw" {
                    // Copied as written up to the end of the raw block.
                    at = raw_end(text, close).unwrap_or(text.len());
                    continue;
                }
                if KNOWN_TAGS.contains(&name) || name.is_empty() {
                    Some(close)
                } else {
                    prepared.copy(&text[copied..here], copied);
                    let plugin = name.strip_prefix("end").unwrap_or(name);
                    prepared.plugins.push((plugin.to_string(), here));
                    let mut with = match name {
                        "hint" => {
                            quote_depth += 1;
                            String::new()
                        }
                        "endhint" => {
                            quote_depth = quote_depth.saturating_sub(1);
                            String::new()
                        }
                        "embed" => attribute(tag, "url")
                            .map(|url| {
                                let label = attribute(tag, "caption").unwrap_or(url);
                                format!("[{label}](<{url}>)")
                            })
                            .unwrap_or_default(),
                        // Nunjucks' spelling of `elif`.
                        "elseif" => {
                            prepared.plugins.pop();
                            format!("{{%{}%}}", tag.replacen("elseif", "elif", 1))
                        }
                        "tab" => attribute(tag, "title")
                            .map(|title| format!("**{title}**"))
                            .unwrap_or_default(),
                        _ => String::new(),
                    };
                    // The tag's own line breaks stay, so that lines keep their numbers.
                    with.extend(std::iter::repeat_n('\n', tag.matches('\n').count()));
                    prepared.replace(&with, here);
                    copied = close;
                    at = close;
                    continue;
                }
            }
            _ => Some(here + 1),
        };
        // An unclosed tag: minijinja reports it.
        at = end.unwrap_or(text.len());
    }
    prepared.copy(&text[copied..], copied);
    prepared
}

/// The name of a tag: `if` for `- if x -`.
fn tag_name(tag: &str) -> &str {
    let tag = tag.trim_start_matches(['-', '+', '~']).trim_start();
    let end = tag
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(tag.len());
    tag[..end].trim_end_matches('-')
}

/// Where the `{% endraw %}` closing a raw block opened before `from` ends.
fn raw_end(text: &str, from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(open) = text[at..].find("{%").map(|o| at + o) {
        let close = text[open..].find("%}").map(|c| open + c + 2)?;
        if tag_name(&text[open + 2..close - 2]) == "endraw" {
            return Some(close);
        }
        at = open + 2;
    }
    None
}

/// `{#id}` or `{#id .class}` closing on its line before any `#}`.
fn is_attribute(rest: &str) -> bool {
    let line = rest.lines().next().unwrap_or(rest);
    let Some(end) = line.find('}') else {
        return false;
    };
    let inner = &line[2..end];
    !inner.is_empty()
        && !inner.contains('#')
        && inner
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
}

/// The value of `key="value"` in a plugin tag.
fn attribute<'t>(tag: &'t str, key: &str) -> Option<&'t str> {
    let mut rest = tag;
    while let Some(at) = rest.find(key) {
        let after = rest[at + key.len()..].trim_start();
        let before_ok = rest[..at]
            .chars()
            .next_back()
            .is_none_or(char::is_whitespace);
        if let (true, Some(value)) = (before_ok, after.strip_prefix('=')) {
            let value = value.trim_start();
            let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
            let value = &value[1..];
            return value.find(quote).map(|end| &value[..end]);
        }
        rest = &rest[at + key.len()..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> Context {
        Context {
            book: serde_json::json!({"title": "Le livre", "version": "2.1"}),
            config: serde_json::json!({"title": "Le livre"}),
        }
    }

    fn expanded(text: &str) -> Templated {
        expand(text, "a.md", "A", &context()).expect("has tags")
    }

    #[test]
    fn variables_and_outputs() {
        let t = expanded(
            "# {{ book.title }}\n\nv{{ book.version }} {{ file.path }}\n{% if output.name == \"ebook\" %}print{% else %}web{% endif %}\n",
        );
        assert!(t.diagnostics.is_empty(), "{:?}", t.diagnostics);
        assert_eq!(t.website.text, "# Le livre\n\nv2.1 a.md\nweb\n");
        assert_eq!(t.ebook.unwrap().text, "# Le livre\n\nv2.1 a.md\nprint\n");
    }

    /// Heading ids alone are no tags: the engine would give the text back
    /// as written, so it is not run. A comment beside them still is one.
    #[test]
    fn heading_ids_alone_are_no_template() {
        let ids = "# Titre {#titre}\n\n## Section {#s-1 .note}\n\nTexte {sans} accolade.\n";
        assert!(!has_tags(ids));
        assert!(expand(ids, "a.md", "A", &context()).is_none());
        let t = expanded(&format!("{ids}{{# une remarque #}}\n"));
        assert_eq!(t.website.text, ids.to_string() + "\n");
    }

    #[test]
    fn no_output_no_second_rendering() {
        let t = expanded("{{ book.title }}\n");
        assert!(t.ebook.is_none());
    }

    #[test]
    fn raw_and_ids_stay() {
        let t = expanded("## Titre {#mon-id}\n\n{% raw %}{{ x }} {% hint %}{% endraw %}\n");
        assert!(t.diagnostics.is_empty(), "{:?}", t.diagnostics);
        assert_eq!(t.website.text, "## Titre {#mon-id}\n\n{{ x }} {% hint %}\n");
        assert!(t.plugins.is_empty());
    }

    #[test]
    fn plugins_keep_their_content() {
        let t = expanded(
            "{% hint style=\"info\" %}\nBe careful.\n{% endhint %}\n\n{% embed url=\"https://example.org/v\" %}\n{% tabs %}{% tab title=\"Rust\" %}fn{% endtab %}{% endtabs %}\n",
        );
        assert!(t.diagnostics.is_empty(), "{:?}", t.diagnostics);
        assert_eq!(
            t.website.text,
            "\n> Be careful.\n> \n\n[https://example.org/v](<https://example.org/v>)\n**Rust**fn\n"
        );
        let names: Vec<&str> = t.plugins.keys().map(String::as_str).collect();
        assert_eq!(names, ["embed", "hint", "tab", "tabs"]);
        assert_eq!(t.plugins["embed"].line, 5);
    }

    #[test]
    fn spans_follow_removed_lines() {
        let t = expanded("{% if false %}\none\ntwo\n{% endif %}\nthree {{ book.title }} four\n");
        assert_eq!(t.website.text, "\nthree Le livre four\n");
        let place = |line, col| {
            let s = t.website.map.place(Span {
                source: SourceId::new(0),
                line,
                col,
            });
            (s.line, s.col)
        };
        assert_eq!(place(2, 1), (5, 1));
        // Text an expression wrote is at the expression.
        assert_eq!(place(2, 7), (5, 10));
        assert_eq!(place(2, 16), (5, 24));
    }

    #[test]
    fn errors_are_at_their_line() {
        let t = expanded("one\n\ntwo {{ x | nosuchfilter }}\n");
        let d = &t.diagnostics[0];
        assert_eq!(d.span.map(|s| s.line), Some(3), "{d:?}");
        assert!(d.message.contains("nosuchfilter") || d.message.contains("filter"));
        assert_eq!(t.website.text, "one\n\ntwo {{ x | nosuchfilter }}\n");
    }

    #[test]
    fn a_loop_bomb_stops() {
        let started = std::time::Instant::now();
        let t = expanded(
            "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}\n",
        );
        assert!(
            t.diagnostics[0].message.contains("too long"),
            "{:?}",
            t.diagnostics
        );
        assert!(started.elapsed().as_secs() < 10);
        let t = expanded("{% for i in range(10**9) %}x{% endfor %}\n");
        assert_eq!(t.diagnostics.len(), 1);
        let t = expanded(
            "{% set s = \"x\" * 100000 %}{% for i in range(100000) %}{{ s }}{% endfor %}\n",
        );
        assert!(
            t.diagnostics[0].message.contains("MiB"),
            "{:?}",
            t.diagnostics
        );
    }
}
