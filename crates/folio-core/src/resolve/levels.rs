//! Heading levels that never skip: a chapter that goes from `#` to `####`
//! is printed `#`, `##` in every edition (HTML validators count a skipped
//! level an error, PDF/UA forbids it), with a note at the heading.
//!
//! Each heading's level becomes one more than the level of the nearest
//! heading before it that the author wrote higher (fewer `#`); headings the
//! author wrote at the same level stay level with each other. The loader
//! has already made the chapter's top level 1.

use crate::diagnostics::Diagnostic;
use crate::model::{Block, Chapter, Source, Span};

/// Makes the chapter's heading levels consecutive; a note at each heading moved.
pub fn chapter(sources: &[Source], chapter: &mut Chapter) -> Vec<Diagnostic> {
    let mut levels = Levels {
        sources,
        open: Vec::new(),
        diagnostics: Vec::new(),
    };
    levels.blocks(&mut chapter.blocks);
    levels.diagnostics
}

struct Levels<'a> {
    sources: &'a [Source],
    /// The headings met that may still hold the next one: (level as
    /// written, level printed), each deeper than the one before.
    open: Vec<(u8, u8)>,
    diagnostics: Vec<Diagnostic>,
}

impl Levels<'_> {
    /// Headings in reading order, wherever they are (quotes, lists, alerts,
    /// raw HTML): the model's nesting is bounded by the reader.
    fn blocks(&mut self, blocks: &mut [Block]) {
        for block in blocks {
            match block {
                Block::Heading { level, span, .. } => self.heading(level, *span),
                Block::BlockQuote { blocks, .. }
                | Block::HtmlElement { blocks, .. }
                | Block::Alert { blocks, .. } => self.blocks(blocks),
                Block::List { items, .. } => {
                    for item in items {
                        self.blocks(&mut item.blocks);
                    }
                }
                Block::DefinitionList { items, .. } => {
                    for item in items {
                        self.blocks(&mut item.details);
                    }
                }
                // Each edition reads one branch: both start from here.
                Block::ForEditions { website, ebook, .. } => {
                    let open = self.open.clone();
                    self.blocks(website);
                    let after_website = std::mem::replace(&mut self.open, open);
                    self.blocks(ebook);
                    if self.open.len() < after_website.len() {
                        self.open = after_website;
                    }
                }
                _ => {}
            }
        }
    }

    fn heading(&mut self, level: &mut u8, span: Span) {
        let written = *level;
        while self.open.last().is_some_and(|&(open, _)| open >= written) {
            self.open.pop();
        }
        let parent = self.open.last().copied();
        // Under no heading, a heading is at most level 2: the chapter's
        // title, a heading or printed by the edition, is level 1.
        let printed = parent.map_or(written.min(2), |(_, printed)| printed.saturating_add(1));
        if printed < written {
            let marks = |level: u8| "#".repeat(usize::from(level));
            let shift = self
                .written_marks(span)
                .map_or(0, |marks| marks.saturating_sub(written));
            let (after, wanted) = match parent {
                Some((open, _)) => (format!("`{}`", marks(open + shift)), open + shift + 1),
                None => ("the chapter's title".to_string(), 2 + shift),
            };
            self.diagnostics.push(
                Diagnostic::note(
                    format!(
                        "this `{}` heading skips a level after {after}: every edition prints it as `{}`",
                        marks(written + shift),
                        marks(wanted),
                    ),
                    span,
                )
                .with_hint(format!(
                    "write `{}`: levels must follow one another for readers who navigate by headings (HTML and PDF/UA require it)",
                    marks(wanted)
                )),
            );
        }
        *level = printed;
        self.open.push((written, printed));
    }

    /// How many `#` open the heading at `span` in its source (`None` for a
    /// setext heading, or one the source does not show).
    fn written_marks(&self, span: Span) -> Option<u8> {
        let text = &self.sources.get(span.source.index())?.text;
        let line = text.lines().nth(span.line.checked_sub(1)? as usize)?;
        let rest: String = line
            .chars()
            .skip(span.col.saturating_sub(1) as usize)
            .collect();
        let marks = rest.chars().take_while(|&c| c == '#').count();
        (1..=6).contains(&marks).then_some(marks as u8)
    }
}
