//! Ids: explicit `{#id}`s are kept, missing heading ids are generated from the
//! heading text, duplicates within a chapter are made unique (with a warning
//! for explicit ones), and ids that several chapters use get a book-wide
//! alternative for single-file editions (`Chapter::global_ids`).

use std::collections::{HashMap, HashSet};

use crate::diagnostics::Diagnostic;
use crate::model::{Block, Book, Chapter, Inline, plain_text};
use crate::names::UniqueNames;
use crate::slug;
use crate::visit;

/// Per chapter, the ids links may name that are no id of the chapter, and
/// the id each stands for: mdBook's ids for the headings whose folio id
/// differs (see [`slug::mdbook_ids`]). Only the resolver reads them: a
/// link to one is given the real id, so no edition defines them.
pub type Aliases = HashMap<String, String>;

/// Decides every id and returns, per chapter, the set of ids it carries
/// (what links are checked against) and its [`Aliases`].
pub fn resolve(book: &mut Book) -> (Vec<HashSet<String>>, Vec<Aliases>) {
    // Each chapter's bibliography entries, found in one pass over the list
    // rather than one pass per chapter.
    let mut entry_ids: Vec<Vec<&str>> = vec![Vec::new(); book.chapters.len()];
    for entry in &book.bibliography.entries {
        if let Some(ids) = entry_ids.get_mut(entry.chapter.index()) {
            ids.push(&entry.id);
        }
    }
    let mut aliases = Vec::with_capacity(book.chapters.len());
    let (anchors, diagnostics): (Vec<_>, Vec<_>) =
        super::per_chapter(&mut book.chapters, |id, chapter| {
            let entry_ids = entry_ids[id.index()]
                .iter()
                .map(|entry_id| entry_id.to_string());
            heading_ids(chapter, entry_ids)
        })
        .into_iter()
        .map(|(anchors, chapter_aliases, diagnostics)| {
            aliases.push(chapter_aliases);
            (anchors, diagnostics)
        })
        .unzip();
    global_ids(book, &anchors);
    book.diagnostics.extend(diagnostics.into_iter().flatten());
    (anchors, aliases)
}

/// Every id the backends emit for `chapter`, except heading ids.
/// (`&mut` only because the model's visitor walks mutably.)
fn fixed_ids(chapter: &mut Chapter, entry_ids: impl Iterator<Item = String>) -> Vec<String> {
    let mut ids = vec![chapter.id.clone()];
    for note in &chapter.footnotes {
        ids.push(note.id.clone());
        ids.extend(note.references.iter().cloned());
    }
    ids.extend(entry_ids);
    visit::each_chapter_inline(chapter, &mut |inline| {
        if let Inline::Citation { items, .. } = inline {
            ids.extend(items.iter().map(|i| i.id.clone()));
        }
    });
    visit::each_html_element(chapter, &mut |element| {
        ids.extend(element.anchor().map(str::to_string))
    });
    ids
}

fn for_each_heading(
    blocks: &mut [Block],
    f: &mut dyn FnMut(&mut String, &[Inline], crate::model::Span),
) {
    for block in blocks {
        match block {
            Block::Heading {
                id, content, span, ..
            } => f(id, content, *span),
            Block::BlockQuote { blocks, .. }
            | Block::HtmlElement { blocks, .. }
            | Block::Alert { blocks, .. } => for_each_heading(blocks, f),
            Block::DefinitionList { items, .. } => items
                .iter_mut()
                .for_each(|item| for_each_heading(&mut item.details, f)),
            Block::ForEditions { website, ebook, .. } => {
                for_each_heading(website, f);
                for_each_heading(ebook, f);
            }
            Block::List { items, .. } => items
                .iter_mut()
                .for_each(|item| for_each_heading(&mut item.blocks, f)),
            _ => {}
        }
    }
}

/// Gives every heading of `chapter` its id; returns every id the chapter
/// carries (`entry_ids`: those of the bibliography entries it holds).
fn heading_ids(
    chapter: &mut Chapter,
    entry_ids: impl Iterator<Item = String>,
) -> (HashSet<String>, Aliases, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut names = UniqueNames::new();
    for id in fixed_ids(chapter, entry_ids) {
        names.take(&id);
    }
    let blocks = &mut chapter.blocks;
    // Explicit ids first, so that a generated id never takes an author's id.
    for_each_heading(blocks, &mut |id, _, span| {
        if id.is_empty() || names.take(id) {
            return;
        }
        let renamed = names.unique(id);
        diagnostics.push(
            Diagnostic::warning(
                format!("id `{id}` is used twice in this chapter; this one becomes `{renamed}`"),
                span,
            )
            .with_hint("give each heading its own `{#id}`"),
        );
        *id = renamed;
    });
    let mut aliases = Aliases::new();
    let mut mdbook_counts = HashMap::new();
    for_each_heading(blocks, &mut |id, content, span| {
        if !id.is_empty() {
            return;
        }
        let text = plain_text(content);
        let mdbook = slug::mdbook_ids(&text, &mut mdbook_counts);
        let base = slug::xml_id(&text, "section");
        let generated = names.unique(&base);
        if generated != base {
            diagnostics.push(
                Diagnostic::warning(format!("two headings of this chapter would both have the id `{base}`; this one gets `{generated}`"), span)
                    .with_hint("links to this heading must use the new id; or give it an explicit `{#id}`"),
            );
        }
        for alias in mdbook {
            aliases.entry(alias).or_insert_with(|| generated.clone());
        }
        *id = generated;
    });
    let anchors = names.into_taken();
    aliases.retain(|alias, target| !anchors.contains(alias) && alias != target);
    (anchors, aliases, diagnostics)
}

/// Ids used by more than one chapter get, in every chapter after the first
/// that uses them, a book-wide alternative prefixed by the chapter id. A
/// chapter's other ids keep their names, even one that looks like such an
/// alternative.
fn global_ids(book: &mut Book, anchors: &[HashSet<String>]) {
    // Ids as the chapters and parts carry them, and the alternatives made here.
    let mut names = UniqueNames::new();
    for part in &book.parts {
        names.take(&part.id);
    }
    for (chapter, ids) in book.chapters.iter_mut().zip(anchors) {
        let prefix = chapter.id.as_str();
        // A chapter's ids are distinct: one taken already was taken before
        // this chapter (one lookup per id; ~200,000 in a 1,000-chapter book).
        let mut clashing: Vec<&str> = ids
            .iter()
            .map(String::as_str)
            .filter(|id| !names.take(id) && *id != prefix)
            .collect();
        // Sorted: which clash gets `-2` must not depend on hashing.
        clashing.sort_unstable();
        chapter.global_ids = clashing
            .into_iter()
            .map(|id| (id.to_string(), names.unique(&format!("{prefix}-{id}"))))
            .collect();
    }
}
