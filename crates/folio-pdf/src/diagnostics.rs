//! typst's diagnostics, reported where the book's author can act on them.

use folio_core::{Diagnostic, Severity};
use typst::WorldExt;
use typst::diag::SourceDiagnostic;
use typst::syntax::DiagSpan;

use crate::markup::SourceMap;
use crate::world::BookWorld;

/// A typst diagnostic at the book's `file:line` when it comes from the
/// author's content (directly, or through a template function called from
/// it); otherwise about folio's own template.
pub fn convert(world: &BookWorld, map: &SourceMap, diagnostic: &SourceDiagnostic) -> Diagnostic {
    let severity = match diagnostic.severity {
        typst::diag::Severity::Error => Severity::Error,
        typst::diag::Severity::Warning => Severity::Warning,
    };
    let main = world.main_source().id();
    let in_book = |span: DiagSpan| {
        if span.id() != Some(main) {
            return None;
        }
        map.find(world.range(span)?.start)
    };
    let span = in_book(diagnostic.span).or_else(|| {
        diagnostic
            .trace
            .iter()
            .find_map(|point| in_book(point.span.into()))
    });
    // Where in the generated source, for a report of folio's own defects.
    let line = world
        .range(diagnostic.span)
        .filter(|_| diagnostic.span.id() == Some(main))
        .and_then(|range| world.main_source().lines().byte_to_line(range.start))
        .map_or_else(String::new, |line| {
            format!(" (generated source, line {})", line + 1)
        });
    let message = match (span, severity) {
        (Some(_), _) => format!("PDF edition: {}", diagnostic.message),
        (None, Severity::Warning | Severity::Note) => {
            format!("PDF edition: {}{line}", diagnostic.message)
        }
        (None, Severity::Error) => format!(
            "internal error of the PDF edition: typst says: {}{line}",
            diagnostic.message
        ),
    };
    let mut converted = Diagnostic::new(severity, message, span);
    let hints: Vec<&str> = diagnostic
        .hints
        .iter()
        .map(|hint| hint.v.as_str())
        .collect();
    if !hints.is_empty() {
        converted.hint = Some(hints.join("; "));
    }
    converted
}
