//! Math: every formula converted once (see [`crate::math`]), so that the
//! three editions print the same thing; a formula the converter refuses is
//! a warning at its line, and its source shown as code in every edition.

use crate::diagnostics::Diagnostic;
use crate::math::Converter;
use crate::model::{Chapter, Inline, MathState};
use crate::visit;

/// Converts the chapter's formulas with `converter` (the book's macros);
/// a warning for each it refuses.
pub(super) fn chapter(converter: &Converter, chapter: &mut Chapter) -> Vec<Diagnostic> {
    let mut warnings = Vec::new();
    visit::each_chapter_inline(chapter, &mut |inline| {
        let Inline::Math(math) = inline else { return };
        math.state = converter.convert(&math.source, math.display);
        if let MathState::Refused { reason } = &math.state {
            warnings.push(
                Diagnostic::warning(
                    format!(
                        "a formula folio cannot convert: {}; its LaTeX is shown as code",
                        reason.trim_end_matches('.')
                    ),
                    math.span,
                )
                .with_hint(
                    "folio converts LaTeX math as KaTeX reads it: see the math page of the guide",
                ),
            );
        }
    });
    warnings
}
