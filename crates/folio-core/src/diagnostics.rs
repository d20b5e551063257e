//! Diagnostics: collected, never fatal on the first, rendered like rustc.
//!
//! Rendering uses `codespan-reporting`, the crate typst itself uses for the
//! same job: it prints the source line, a caret under the column and the hint.

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label, LabelStyle};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor::Buffer};
use serde::{Deserialize, Serialize};

use crate::model::{Source, SourceId, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    /// Where: `None` for problems that belong to no file (e.g. no book found).
    pub span: Option<Span>,
    /// What to do about it.
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn new(severity: Severity, message: impl Into<String>, span: Option<Span>) -> Self {
        Self {
            severity,
            message: message.into(),
            span,
            hint: None,
        }
    }
    pub fn error(message: impl Into<String>, span: Span) -> Self {
        Self::new(Severity::Error, message, Some(span))
    }
    pub fn warning(message: impl Into<String>, span: Span) -> Self {
        Self::new(Severity::Warning, message, Some(span))
    }
    pub fn note(message: impl Into<String>, span: Span) -> Self {
        Self::new(Severity::Note, message, Some(span))
    }
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// `path:line:col`, for one-line listings and tests.
    pub fn location(&self, sources: &[Source]) -> String {
        match self.span {
            Some(span) => format!("{}:{}:{}", sources[span.source].path, span.line, span.col),
            None => String::from("<book>"),
        }
    }
}

/// Byte offset of a 1-based line and character column in `text`, clamped to the text.
pub fn byte_offset(text: &str, line: u32, col: u32) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let line_text = &text[start..];
    let line_end = line_text.find('\n').unwrap_or(line_text.len());
    line_text[..line_end]
        .char_indices()
        .nth(col.saturating_sub(1) as usize)
        .map_or(start + line_end, |(i, _)| start + i)
}

/// The span of a 1-based line and byte column in `text`, as parsers such as serde_json count
/// them: the column becomes a character column (clamped to the line).
pub fn span_at_line_byte(source: SourceId, text: &str, line: usize, byte_col: usize) -> Span {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let mut at = (line_start + byte_col.saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    span_at_byte(source, text, at)
}

/// The span of byte `at` in `text` (the content of `source`).
pub fn span_at_byte(source: SourceId, text: &str, at: usize) -> Span {
    SpanCursor::new(source, text).span(at)
}

/// Turns byte offsets of one text into spans, counting lines and characters
/// from the previous offset rather than from the start: many offsets in
/// increasing order cost one pass over the text.
pub struct SpanCursor<'t> {
    source: SourceId,
    text: &'t str,
    /// The last offset placed, and its line and column.
    at: usize,
    line: u32,
    col: u32,
}

impl<'t> SpanCursor<'t> {
    pub fn new(source: SourceId, text: &'t str) -> Self {
        SpanCursor {
            source,
            text,
            at: 0,
            line: 1,
            col: 1,
        }
    }

    /// The span of byte `at`; an offset before the previous one counts again from the start.
    pub fn span(&mut self, at: usize) -> Span {
        let at = self.text.floor_char_boundary(at.min(self.text.len()));
        if at < self.at {
            (self.at, self.line, self.col) = (0, 1, 1);
        }
        for c in self.text[self.at..at].chars() {
            if c == '\n' {
                self.line += 1;
                self.col = 1;
            } else {
                self.col += 1;
            }
        }
        self.at = at;
        Span {
            source: self.source,
            line: self.line,
            col: self.col,
        }
    }
}

/// Renders diagnostics like rustc: `error: message`, `--> file:line:col`, the
/// source line with a caret, and `= hint: …`. `color` adds ANSI colours.
pub fn render(diagnostics: &[Diagnostic], sources: &[Source], color: bool) -> String {
    let mut files = SimpleFiles::new();
    let ids: Vec<usize> = sources
        .iter()
        .map(|s| files.add(s.path.clone(), s.text.clone()))
        .collect();
    let config = term::Config::default();
    let mut buffer = if color {
        Buffer::ansi()
    } else {
        Buffer::no_color()
    };
    for diagnostic in diagnostics {
        let mut cs = match diagnostic.severity {
            Severity::Error => CsDiagnostic::error(),
            Severity::Warning => CsDiagnostic::warning(),
            Severity::Note => CsDiagnostic::note(),
        }
        .with_message(&diagnostic.message);
        let mut notes = Vec::new();
        if let Some(span) = diagnostic.span {
            let label = |style, span: Span| {
                let text = &sources[span.source].text;
                let start = byte_offset(text, span.line, span.col);
                let end = text[start..]
                    .chars()
                    .next()
                    .map_or(start, |c| start + c.len_utf8());
                Label::new(style, ids[span.source.index()], start..end)
            };
            let mut labels = vec![label(LabelStyle::Primary, span)];
            // Text an `{{#include}}` brought in: show each directive on the way.
            for from in included_from(span, sources) {
                labels.push(label(LabelStyle::Secondary, from).with_message("included here"));
                notes.push(format!(
                    "included from {}:{}:{}",
                    sources[from.source].path, from.line, from.col
                ));
            }
            cs = cs.with_labels(labels);
        }
        if let Some(hint) = &diagnostic.hint {
            notes.push(format!("hint: {hint}"));
        }
        cs = cs.with_notes(notes);
        // Writing into an in-memory buffer cannot fail but for a span outside
        // its file, which byte_offset rules out.
        let _ = term::emit_to_write_style(&mut buffer, &config, &files, &cs);
    }
    String::from_utf8_lossy(buffer.as_slice()).into_owned()
}

/// The directives that included the text at `span`, innermost first. Each
/// points into an earlier source, so the chain ends.
pub fn included_from(span: Span, sources: &[Source]) -> impl Iterator<Item = Span> + '_ {
    std::iter::successors(sources[span.source].included_from, |from| {
        sources[from.source].included_from
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_offset_counts_characters_not_bytes() {
        let text = "un\nété là\n";
        assert_eq!(byte_offset(text, 2, 1), 3);
        assert_eq!(&text[byte_offset(text, 2, 5)..], "là\n");
        assert_eq!(byte_offset(text, 9, 1), text.len());
    }

    #[test]
    fn spans_count_lines_and_characters_in_one_pass() {
        let text = "ab\nçd\n\nz";
        let mut cursor = SpanCursor::new(SourceId(0), text);
        let spans: Vec<(u32, u32)> = [0, 4, 5, 8, 2]
            .map(|at| cursor.span(at))
            .iter()
            .map(|s| (s.line, s.col))
            .collect();
        assert_eq!(spans, [(1, 1), (2, 1), (2, 2), (4, 1), (1, 3)]);
        assert_eq!(
            span_at_byte(SourceId(0), text, 99),
            Span {
                source: SourceId(0),
                line: 4,
                col: 2
            }
        );
    }

    #[test]
    fn render_points_at_the_line_with_the_hint() {
        let sources = vec![Source {
            path: "a.md".into(),
            text: "# T\n\nvoir [x](y)\n".into(),
            included_from: None,
        }];
        let d = Diagnostic::warning(
            "broken link",
            Span {
                source: SourceId(0),
                line: 3,
                col: 6,
            },
        )
        .with_hint("did you mean `z`?");
        let out = render(&[d], &sources, false);
        assert!(out.contains("warning: broken link"), "{out}");
        assert!(out.contains("a.md:3:6"), "{out}");
        assert!(out.contains("voir [x](y)"), "{out}");
        assert!(out.contains("hint: did you mean `z`?"), "{out}");
    }
}
