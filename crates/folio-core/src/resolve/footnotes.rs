//! Footnotes are scoped to their chapter: `[^1]` in chapter 2 is chapter 2's
//! note, whatever chapter 1 calls `[^1]`. Notes are ordered as a reader meets
//! them (a note's notes right after it) and numbered per book (default) or
//! per chapter.

use std::borrow::Cow;
use std::collections::hash_map::Entry;

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use crate::config::FootnoteNumbering;
use crate::diagnostics::Diagnostic;
use crate::model::{Book, Chapter, Footnote, Inline, NoteId};
use crate::reader::MAX_NESTING;
use crate::visit;

pub fn resolve(book: &mut Book) {
    // Scoping and ordering are the chapter's own business: on every core.
    let diagnostics = super::per_chapter(&mut book.chapters, |_, chapter| order_notes(chapter));
    book.diagnostics.extend(diagnostics.into_iter().flatten());
    let first_numbers = first_numbers(book);
    super::per_chapter(&mut book.chapters, |id, chapter| {
        number_notes(chapter, first_numbers[id.index()])
    });
}

/// Each chapter's first note number, once every chapter's notes are
/// ordered: numbers run through the book (or restart per chapter), in
/// reading order.
pub(super) fn first_numbers(book: &Book) -> Vec<u32> {
    match book.config.build.footnotes {
        FootnoteNumbering::Chapter => vec![1; book.chapters.len()],
        FootnoteNumbering::Book => {
            super::first_numbers(book.chapters.iter().map(|chapter| chapter.footnotes.len()))
                .into_iter()
                .map(|first| first as u32)
                .collect()
        }
    }
}

/// Labels match without case. Most are lowercase ASCII already (`1`,
/// `note`): those are their own key, and a lookup allocates nothing.
fn key(label: &str) -> Cow<'_, str> {
    if label
        .bytes()
        .all(|b| b.is_ascii() && !b.is_ascii_uppercase())
    {
        Cow::Borrowed(label)
    } else {
        Cow::Owned(label.to_lowercase())
    }
}

/// Keeps the chapter's referenced notes, in reading order, and reports
/// undefined references, duplicate definitions and unused notes.
///
/// Reading order is the order in which a reader meets the notes when each is
/// read where its mark is: a note referenced from inside another note comes
/// right after it (the print edition sets it there, inside the first one's
/// footnote). Notes may nest so only [`MAX_NESTING`] deep: a reference that
/// would open a note deeper is kept as text, with a warning.
pub(super) fn order_notes(chapter: &mut Chapter) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    // Definitions by label; a second definition of a label is reported and ignored.
    let mut by_label: HashMap<String, usize> = HashMap::new();
    for (i, note) in chapter.footnotes.iter().enumerate() {
        match by_label.entry(key(&note.label).into_owned()) {
            Entry::Occupied(_) => diagnostics.push(Diagnostic::warning(format!("footnote `[^{}]` is defined twice in this chapter; the first definition is used", note.label), note.span)),
            Entry::Vacant(slot) => {
                slot.insert(i);
            }
        }
    }
    // The notes each text refers to, in order: the chapter's text (last),
    // then each note's. An undefined reference is reported wherever it is.
    let mut refers: Vec<Vec<Option<usize>>> = Vec::with_capacity(chapter.footnotes.len() + 1);
    let list = |blocks: &mut [crate::model::Block], diagnostics: &mut Vec<Diagnostic>| {
        let mut found = Vec::new();
        visit::each_inline(blocks, &mut |inline| {
            if let Inline::FootnoteRef { label, span, .. } = inline {
                let def = by_label.get(&*key(label)).copied();
                if def.is_none() {
                    diagnostics.push(
                        Diagnostic::error(format!("footnote `[^{label}]` is not defined in this chapter"), *span)
                            .with_hint(format!("add `[^{label}]: …` to this chapter; footnotes are scoped to the chapter that defines them")),
                    );
                }
                found.push(def);
            }
        });
        found
    };
    for note in &mut chapter.footnotes {
        refers.push(list(&mut note.blocks, &mut diagnostics));
    }
    refers.push(list(&mut chapter.blocks, &mut diagnostics));
    let text = refers.len() - 1;
    // Depth first from the text, without recursion: a chain of a thousand
    // notes each referring to the next must not overflow the stack.
    let mut order: Vec<usize> = Vec::new();
    let mut referenced = vec![false; chapter.footnotes.len()];
    let mut too_deep: HashSet<(usize, usize)> = HashSet::new();
    // Notes whose reference was cut (reported there, not as unused).
    let mut cut = vec![false; chapter.footnotes.len()];
    let mut stack: Vec<(usize, usize)> = vec![(text, 0)];
    while let Some((container, next)) = stack.pop() {
        let Some(&reference) = refers[container].get(next) else {
            continue;
        };
        stack.push((container, next + 1));
        let Some(def) = reference.filter(|&def| !referenced[def]) else {
            continue;
        };
        if stack.len() > MAX_NESTING {
            too_deep.insert((container, next));
            cut[def] = true;
            continue;
        }
        referenced[def] = true;
        order.push(def);
        stack.push((def, 0));
    }
    cut_too_deep(chapter, text, &too_deep, &mut diagnostics);
    let mut notes: Vec<_> = std::mem::take(&mut chapter.footnotes)
        .into_iter()
        .map(Some)
        .collect();
    for (i, note) in notes.iter().enumerate() {
        if let Some(note) = note
            && !referenced[i]
            && !cut[i]
            && by_label.get(&*key(&note.label)) == Some(&i)
        {
            diagnostics.push(
                Diagnostic::warning(
                    format!(
                        "footnote `[^{}]` is never referenced and is left out",
                        note.label
                    ),
                    note.span,
                )
                .with_hint(format!(
                    "reference it with `[^{}]` where it belongs, or delete it",
                    note.label
                )),
            );
        }
    }
    chapter.footnotes = order.iter().filter_map(|&old| notes[old].take()).collect();
    diagnostics
}

/// Turns the references `too_deep` names (container, rank in it; the
/// container `text` is the chapter's text) into their text, with a warning.
fn cut_too_deep(
    chapter: &mut Chapter,
    text: usize,
    too_deep: &HashSet<(usize, usize)>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    if too_deep.is_empty() {
        return;
    }
    let mut cut = |container: usize, blocks: &mut [crate::model::Block]| {
        let mut rank = 0;
        visit::each_inline(blocks, &mut |inline| {
            let Inline::FootnoteRef { label, span, .. } = inline else {
                return;
            };
            if too_deep.contains(&(container, rank)) {
                diagnostics.push(
                    Diagnostic::warning(format!("footnote `[^{label}]` would open a note nested more than {MAX_NESTING} notes deep: the reference is kept as text"), *span)
                        .with_hint("refer to the note from the chapter's text, or write its text here"),
                );
                *inline = Inline::Text {
                    text: format!("[^{label}]"),
                    span: *span,
                };
            }
            rank += 1;
        });
    };
    for (i, note) in chapter.footnotes.iter_mut().enumerate() {
        cut(i, &mut note.blocks);
    }
    cut(text, &mut chapter.blocks);
}

/// Numbers the chapter's (ordered) notes from `first`, and points every
/// reference (in the text, then inside notes) at its note, with an id the
/// note links back to.
pub(super) fn number_notes(chapter: &mut Chapter, first: u32) {
    // Without notes no reference finds one: the chapter is not walked.
    if chapter.footnotes.is_empty() {
        return;
    }
    // Labels are unique among the notes kept by `order_notes`.
    let index: HashMap<String, usize> = chapter
        .footnotes
        .iter()
        .enumerate()
        .map(|(i, note)| (key(&note.label).into_owned(), i))
        .collect();
    let mut footnotes = std::mem::take(&mut chapter.footnotes);
    for (number, note) in (first..).zip(&mut footnotes) {
        note.number = number;
        note.id = format!("fn-{number}");
        note.references.clear();
    }
    visit::each_inline(&mut chapter.blocks, &mut |inline| {
        link_reference(inline, &index, &mut footnotes)
    });
    for i in 0..footnotes.len() {
        let mut blocks = std::mem::take(&mut footnotes[i].blocks);
        visit::each_inline(&mut blocks, &mut |inline| {
            link_reference(inline, &index, &mut footnotes)
        });
        footnotes[i].blocks = blocks;
    }
    chapter.footnotes = footnotes;
}

fn link_reference(
    inline: &mut Inline,
    new_index: &HashMap<String, usize>,
    footnotes: &mut [Footnote],
) {
    if let Inline::FootnoteRef {
        label, note, id, ..
    } = inline
        && let Some(&index) = new_index.get(&*key(label))
    {
        let target = &mut footnotes[index];
        *note = Some(NoteId::new(index));
        *id = match target.references.len() {
            0 => format!("fnref-{}", target.number),
            n => format!("fnref-{}-{}", target.number, n + 1),
        };
        target.references.push(id.clone());
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{Inline, plain_text};

    #[test]
    fn notes_come_in_the_order_a_reader_meets_them() {
        // Note `a` refers to `c`: the reader meets `c` inside `a`, before `b`.
        let book = crate::parse_str("Un[^a], deux[^b].\n\n[^a]: Voir[^c].\n[^b]: Bé.\n[^c]: Cé.\n");
        let labels: Vec<&str> = book.chapters[0]
            .footnotes
            .iter()
            .map(|n| n.label.as_str())
            .collect();
        assert_eq!(labels, ["a", "c", "b"]);
        let numbers: Vec<u32> = book.chapters[0]
            .footnotes
            .iter()
            .map(|n| n.number)
            .collect();
        assert_eq!(numbers, [1, 2, 3]);
    }

    #[test]
    fn notes_nest_twelve_deep_at_most() {
        let mut markdown = String::from("Début[^1].\n\n");
        for i in 1..1000 {
            markdown.push_str(&format!("[^{i}]: Voir[^{}].\n", i + 1));
        }
        markdown.push_str("[^1000]: Fin.\n");
        let book = crate::parse_str(&markdown);
        let notes = &book.chapters[0].footnotes;
        assert_eq!(notes.len(), 12);
        let last = &notes[11];
        assert_eq!(
            plain_text(match &last.blocks[0] {
                crate::model::Block::Paragraph { content, .. } => content,
                other => panic!("{other:?}"),
            }),
            "Voir[^13]."
        );
        assert!(
            !matches!(&last.blocks[0], crate::model::Block::Paragraph { content, .. } if content.iter().any(|i| matches!(i, Inline::FootnoteRef { .. })))
        );
        let warnings: Vec<&str> = book
            .diagnostics
            .iter()
            .map(|d| d.message.as_str())
            .filter(|m| m.contains("nested more than 12"))
            .collect();
        assert_eq!(warnings.len(), 1, "{:?}", book.diagnostics);
    }
}
