//! Footnotes are scoped to their chapter: `[^1]` in chapter 2 is chapter 2's
//! note, whatever chapter 1 calls `[^1]`. Notes are ordered by first
//! reference and numbered per book (default) or per chapter.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use crate::config::FootnoteNumbering;
use crate::diagnostics::Diagnostic;
use crate::model::{Book, Chapter, Footnote, Inline};
use crate::visit;

pub fn resolve(book: &mut Book) {
    // Scoping and ordering are the chapter's own business: on every core.
    let diagnostics = super::per_chapter(&mut book.chapters, |_, chapter| order_notes(chapter));
    book.diagnostics.extend(diagnostics.into_iter().flatten());
    // Numbers run through the book (or restart per chapter), in reading order.
    let first_numbers = match book.config.build.footnotes {
        FootnoteNumbering::Chapter => vec![1; book.chapters.len()],
        FootnoteNumbering::Book => super::first_numbers(book.chapters.iter().map(|chapter| chapter.footnotes.len())),
    };
    super::per_chapter(&mut book.chapters, |id, chapter| number_notes(chapter, first_numbers[id] as u32));
}

fn key(label: &str) -> String {
    label.to_lowercase()
}

/// Keeps the chapter's referenced notes, in order of first reference, and
/// reports undefined references, duplicate definitions and unused notes.
fn order_notes(chapter: &mut Chapter) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    // Definitions by label; a second definition of a label is reported and ignored.
    let mut by_label: HashMap<String, usize> = HashMap::new();
    for (i, note) in chapter.footnotes.iter().enumerate() {
        match by_label.entry(key(&note.label)) {
            Entry::Occupied(_) => diagnostics.push(Diagnostic::warning(format!("footnote `[^{}]` is defined twice in this chapter; the first definition is used", note.label), note.span)),
            Entry::Vacant(slot) => {
                slot.insert(i);
            }
        }
    }
    // Order of first reference.
    let mut order: Vec<usize> = Vec::new();
    let mut referenced = vec![false; chapter.footnotes.len()];
    visit::each_chapter_inline(chapter, &mut |inline| {
        if let Inline::FootnoteRef { label, span, .. } = inline {
            match by_label.get(&key(label)) {
                Some(&def) if !referenced[def] => {
                    referenced[def] = true;
                    order.push(def);
                }
                Some(_) => {}
                None => diagnostics.push(
                    Diagnostic::error(format!("footnote `[^{label}]` is not defined in this chapter"), *span)
                        .with_hint(format!("add `[^{label}]: …` to this chapter; footnotes are scoped to the chapter that defines them")),
                ),
            }
        }
    });
    let mut notes: Vec<_> = std::mem::take(&mut chapter.footnotes).into_iter().map(Some).collect();
    for (i, note) in notes.iter().enumerate() {
        if let Some(note) = note
            && !referenced[i]
            && by_label.get(&key(&note.label)) == Some(&i)
        {
            diagnostics.push(
                Diagnostic::warning(format!("footnote `[^{}]` is never referenced and is left out", note.label), note.span)
                    .with_hint(format!("reference it with `[^{}]` where it belongs, or delete it", note.label)),
            );
        }
    }
    chapter.footnotes = order.iter().filter_map(|&old| notes[old].take()).collect();
    diagnostics
}

/// Numbers the chapter's (ordered) notes from `first`, and points every
/// reference (in the text, then inside notes) at its note, with an id the
/// note links back to.
fn number_notes(chapter: &mut Chapter, first: u32) {
    // Labels are unique among the notes kept by `order_notes`.
    let index: HashMap<String, usize> = chapter.footnotes.iter().enumerate().map(|(i, note)| (key(&note.label), i)).collect();
    let mut footnotes = std::mem::take(&mut chapter.footnotes);
    for (number, note) in (first..).zip(&mut footnotes) {
        note.number = number;
        note.id = format!("fn-{number}");
        note.references.clear();
    }
    visit::each_inline(&mut chapter.blocks, &mut |inline| link_reference(inline, &index, &mut footnotes));
    for i in 0..footnotes.len() {
        let mut blocks = std::mem::take(&mut footnotes[i].blocks);
        visit::each_inline(&mut blocks, &mut |inline| link_reference(inline, &index, &mut footnotes));
        footnotes[i].blocks = blocks;
    }
    chapter.footnotes = footnotes;
}

fn link_reference(inline: &mut Inline, new_index: &HashMap<String, usize>, footnotes: &mut [Footnote]) {
    if let Inline::FootnoteRef { label, note, id, .. } = inline
        && let Some(&index) = new_index.get(&key(label))
    {
        let target = &mut footnotes[index];
        *note = Some(index);
        *id = match target.references.len() {
            0 => format!("fnref-{}", target.number),
            n => format!("fnref-{}-{}", target.number, n + 1),
        };
        target.references.push(id.clone());
    }
}
