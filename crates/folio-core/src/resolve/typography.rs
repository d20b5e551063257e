//! Typography, decided once for every edition: smart punctuation
//! (`[build] smart-punctuation`, see crate::smart) and French spacing
//! (`typography = "fr"` in folio.toml, or by default for French books, see
//! crate::typography), in that order, so that the quotes smart punctuation
//! makes get their French spaces.

use std::borrow::Cow;

use crate::config::Typography;
use crate::model::{Block, Book, Chapter, Inline};
use crate::smart::{Quotes, smarten};
use crate::typography::french;
use crate::visit;

/// What the pass does to text.
#[derive(Clone, Copy)]
pub(super) struct Rules {
    /// The language's quotes, when smart punctuation is on.
    smart: Option<Quotes>,
    french: bool,
}

impl Rules {
    fn apply<'t>(self, text: &'t str, prev: Option<char>) -> Cow<'t, str> {
        let smart = match self.smart {
            Some(quotes) => smarten(text, prev, quotes),
            None => Cow::Borrowed(text),
        };
        if !self.french {
            return smart;
        }
        match french(&smart, prev) {
            Cow::Owned(spaced) => Cow::Owned(spaced),
            Cow::Borrowed(_) => smart,
        }
    }
}

pub fn resolve(book: &mut Book) {
    let Some(rules) = Rules::of(book) else {
        return;
    };
    let metadata = &mut book.metadata;
    metadata.title = rules.apply(&metadata.title, None).into_owned();
    metadata.subtitle = metadata
        .subtitle
        .as_deref()
        .map(|s| rules.apply(s, None).into_owned());
    for part in &mut book.parts {
        part.title = rules.apply(&part.title, None).into_owned();
    }
    super::per_chapter(&mut book.chapters, |_, chapter| rules.chapter(chapter));
}

impl Rules {
    /// The book's rules; `None` when typography changes nothing.
    pub(super) fn of(book: &Book) -> Option<Rules> {
        let language = &book.metadata.language;
        let rules = Rules {
            smart: book
                .config
                .build
                .smart_punctuation
                .unwrap_or(true)
                .then(|| Quotes::for_language(language)),
            french: match book.config.build.typography {
                Some(choice) => choice == Typography::Fr,
                None => language.to_lowercase().starts_with("fr"),
            },
        };
        (rules.smart.is_some() || rules.french).then_some(rules)
    }

    /// The chapter's title and text.
    pub(super) fn chapter(self, chapter: &mut Chapter) {
        chapter.title = self.apply(&chapter.title, None).into_owned();
        apply(&mut chapter.blocks, self);
        for note in &mut chapter.footnotes {
            apply(&mut note.blocks, self);
        }
    }
}

fn apply(blocks: &mut [Block], rules: Rules) {
    visit::each_sequence(blocks, &mut |seq| {
        // The character before each text node, across inline boundaries.
        let mut prev: Option<char> = None;
        visit::inlines(seq, &mut |inline| match inline {
            Inline::Text { text, .. } => {
                if let Cow::Owned(changed) = rules.apply(text, prev) {
                    *text = changed;
                }
                prev = text.chars().next_back().or(prev);
            }
            Inline::Code { code, .. } => prev = code.chars().last(),
            Inline::Image(image) => image.alt = rules.apply(&image.alt, None).into_owned(),
            Inline::Citation { .. } => prev = Some(']'),
            Inline::SoftBreak { .. } | Inline::HardBreak { .. } => prev = Some(' '),
            _ => {}
        });
    });
}
