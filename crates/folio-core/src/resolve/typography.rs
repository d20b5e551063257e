//! French typography, applied once for every edition: `typography = "fr"`
//! in folio.toml, or by default for French books. See crate::typography.

use std::borrow::Cow;

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
    book.metadata.title = french(&book.metadata.title, None).into_owned();
    book.metadata.subtitle = book
        .metadata
        .subtitle
        .as_deref()
        .map(|s| french(s, None).into_owned());
    for part in &mut book.parts {
        part.title = french(&part.title, None).into_owned();
    }
    super::per_chapter(&mut book.chapters, |_, chapter| {
        chapter.title = french(&chapter.title, None).into_owned();
        apply(&mut chapter.blocks);
        for note in &mut chapter.footnotes {
            apply(&mut note.blocks);
        }
    });
}

fn apply(blocks: &mut [Block]) {
    visit::each_sequence(blocks, &mut |seq| {
        // The character before each text node, across inline boundaries.
        let mut prev: Option<char> = None;
        visit::inlines(seq, &mut |inline| match inline {
            Inline::Text { text, .. } => {
                if let Cow::Owned(spaced) = french(text, prev) {
                    *text = spaced;
                }
                prev = text.chars().next_back().or(prev);
            }
            Inline::Code { code, .. } => prev = code.chars().last(),
            Inline::Image(image) => image.alt = french(&image.alt, None).into_owned(),
            Inline::Citation { .. } => prev = Some(']'),
            Inline::SoftBreak { .. } | Inline::HardBreak { .. } => prev = Some(' '),
            _ => {}
        });
    });
}
