//! French typography, applied once for every edition: `typography = "fr"`
//! in folio.toml, or by default for French books. See crate::typography.

use crate::config::Typography;
use crate::model::{Block, Book, Inline};
use crate::typography::french;
use crate::visit;

pub fn resolve(book: &mut Book) {
    let wanted = match book.config.build.typography {
        Some(choice) => choice == Typography::Fr,
        None => book.metadata.language.to_lowercase().starts_with("fr"),
    };
    if !wanted {
        return;
    }
    book.metadata.title = french(&book.metadata.title, None);
    book.metadata.subtitle = book.metadata.subtitle.as_deref().map(|s| french(s, None));
    for part in &mut book.parts {
        part.title = french(&part.title, None);
    }
    for chapter in &mut book.chapters {
        chapter.title = french(&chapter.title, None);
        apply(&mut chapter.blocks);
        for note in &mut chapter.footnotes {
            apply(&mut note.blocks);
        }
    }
}

fn apply(blocks: &mut [Block]) {
    visit::each_sequence(blocks, &mut |seq| {
        // The character before each text node, across inline boundaries.
        let mut prev: Option<char> = None;
        visit::inlines(seq, &mut |inline| match inline {
            Inline::Text { text, .. } => {
                *text = french(text, prev);
                prev = text.chars().last().or(prev);
            }
            Inline::Code { code, .. } => prev = code.chars().last(),
            Inline::Image(image) => image.alt = french(&image.alt, None),
            Inline::Citation { .. } => prev = Some(']'),
            Inline::SoftBreak { .. } | Inline::HardBreak { .. } => prev = Some(' '),
            _ => {}
        });
    });
}
