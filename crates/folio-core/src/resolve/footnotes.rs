//! Footnotes are scoped to their chapter: `[^1]` in chapter 2 is chapter 2's
//! note, whatever chapter 1 calls `[^1]`. Notes are ordered by first
//! reference and numbered per book (default) or per chapter.

use std::collections::HashMap;

use crate::config::FootnoteNumbering;
use crate::diagnostics::Diagnostic;
use crate::model::{Book, Chapter, Footnote, Inline};
use crate::visit;

pub fn resolve(book: &mut Book) {
    let per_chapter = book.config.build.footnotes == FootnoteNumbering::Chapter;
    let mut number = 0;
    let mut diagnostics = Vec::new();
    for chapter in &mut book.chapters {
        if per_chapter {
            number = 0;
        }
        chapter_notes(chapter, &mut number, &mut diagnostics);
    }
    book.diagnostics.extend(diagnostics);
}

fn key(label: &str) -> String {
    label.to_lowercase()
}

fn chapter_notes(chapter: &mut Chapter, number: &mut u32, diagnostics: &mut Vec<Diagnostic>) {
    // Definitions by label; a second definition of a label is reported and ignored.
    let mut by_label: HashMap<String, usize> = HashMap::new();
    for (i, note) in chapter.footnotes.iter().enumerate() {
        if by_label.contains_key(&key(&note.label)) {
            diagnostics.push(Diagnostic::warning(format!("footnote `[^{}]` is defined twice in this chapter; the first definition is used", note.label), note.span));
        } else {
            by_label.insert(key(&note.label), i);
        }
    }
    // Order of first reference.
    let mut order: Vec<usize> = Vec::new();
    visit::each_chapter_inline(chapter, &mut |inline| {
        if let Inline::FootnoteRef { label, span, .. } = inline {
            match by_label.get(&key(label)) {
                Some(&def) if !order.contains(&def) => order.push(def),
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
            && !order.contains(&i)
            && by_label.get(&key(&note.label)) == Some(&i)
        {
            diagnostics.push(
                Diagnostic::warning(format!("footnote `[^{}]` is never referenced and is left out", note.label), note.span)
                    .with_hint(format!("reference it with `[^{}]` where it belongs, or delete it", note.label)),
            );
        }
    }
    let new_index: HashMap<String, usize> = order.iter().enumerate().map(|(new, &old)| (key(&notes[old].as_ref().map_or("", |n| &n.label)), new)).collect();
    chapter.footnotes = order
        .iter()
        .filter_map(|&old| notes[old].take())
        .map(|mut note| {
            *number += 1;
            note.number = *number;
            note.id = format!("fn-{number}");
            note.references.clear();
            note
        })
        .collect();
    // Point every reference (in the text, then inside notes) at its note,
    // and give it an id the note links back to.
    let mut footnotes = std::mem::take(&mut chapter.footnotes);
    visit::each_inline(&mut chapter.blocks, &mut |inline| link_reference(inline, &new_index, &mut footnotes));
    for i in 0..footnotes.len() {
        let mut blocks = std::mem::take(&mut footnotes[i].blocks);
        visit::each_inline(&mut blocks, &mut |inline| link_reference(inline, &new_index, &mut footnotes));
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
