//! Ids: explicit `{#id}`s are kept, missing heading ids are generated from the
//! heading text, duplicates within a chapter are made unique (with a warning
//! for explicit ones), and ids that several chapters use get a book-wide
//! alternative for single-file editions (`Chapter::global_ids`).

use std::collections::BTreeMap;

use foldhash::{HashMap, HashMapExt, HashSet};
use rayon::prelude::*;

use crate::diagnostics::Diagnostic;
use crate::model::{Bibliography, Block, Book, Chapter, Inline, plain_text};
use crate::names::UniqueNames;
use crate::slug;
use crate::visit;

/// Per chapter, the ids links may name that are no id of the chapter, and
/// the id each stands for: mdBook's ids for the headings whose folio id
/// differs (see [`slug::mdbook_ids`]). Only the resolver reads them: a
/// link to one is given the real id, so no edition defines them.
pub type Aliases = HashMap<String, String>;

/// Each chapter's bibliography entry ids, found in one pass over the list
/// rather than one pass per chapter.
pub fn entry_ids(bibliography: &Bibliography, chapters: usize) -> Vec<Vec<&str>> {
    let mut ids: Vec<Vec<&str>> = vec![Vec::new(); chapters];
    for entry in &bibliography.entries {
        if let Some(chapter_ids) = ids.get_mut(entry.chapter.index()) {
            chapter_ids.push(&entry.id);
        }
    }
    ids
}

/// What one chapter's ids are, decided by the chapter alone ([`chapter_ids`]).
pub struct ChapterIds {
    pub(super) anchors: HashSet<String>,
    pub(super) aliases: Aliases,
    pub(super) diagnostics: Vec<Diagnostic>,
}

/// Once every chapter has its ids: per chapter, the set of ids it carries
/// (what links are checked against) and its [`Aliases`]. The book-wide
/// alternatives are [`global_ids`]'s.
pub fn finish(book: &mut Book, chapters: Vec<ChapterIds>) -> (Vec<HashSet<String>>, Vec<Aliases>) {
    let mut anchors = Vec::with_capacity(chapters.len());
    let mut aliases = Vec::with_capacity(chapters.len());
    let mut diagnostics = Vec::new();
    for chapter in chapters {
        anchors.push(chapter.anchors);
        aliases.push(chapter.aliases);
        diagnostics.extend(chapter.diagnostics);
    }
    book.diagnostics.extend(diagnostics);
    (anchors, aliases)
}

/// Every id the backends emit for `chapter`, except heading ids and its
/// bibliography entries' ids. (`&mut` only because the model's visitor
/// walks mutably.)
fn fixed_ids(chapter: &mut Chapter) -> Vec<String> {
    let mut ids = vec![chapter.id.clone()];
    for note in &chapter.footnotes {
        ids.push(note.id.clone());
        ids.extend(note.references.iter().cloned());
    }
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
/// carries. `entry_ids`: those of the bibliography entries it holds (see
/// [`entry_ids`]).
pub fn chapter_ids(chapter: &mut Chapter, entry_ids: &[&str]) -> ChapterIds {
    let mut diagnostics = Vec::new();
    let mut names = UniqueNames::new();
    for id in fixed_ids(chapter) {
        names.take(&id);
    }
    for id in entry_ids {
        names.take(id);
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
    ChapterIds {
        anchors,
        aliases,
        diagnostics,
    }
}

/// Ids used by more than one chapter get, in every chapter after the first
/// that uses them, a book-wide alternative prefixed by the chapter id; so
/// does an id that is another chapter's id, wherever it is (the chapter's
/// own id marks its start in a single-file edition). A chapter's other ids
/// keep their names, even one that looks like such an alternative.
///
/// Returns each chapter's [`Chapter::global_ids`](crate::model::Chapter).
pub fn global_ids(names: &OwnIds, anchors: &[HashSet<String>]) -> Vec<BTreeMap<String, String>> {
    let prefixes: Vec<&str> = names.chapters.iter().map(String::as_str).collect();
    alternative_ids(names.parts.iter().map(String::as_str), &prefixes, anchors)
}

/// The ids of the book's parts and chapters, copied out of the book so that
/// [`global_ids`] can run while other passes change it.
pub struct OwnIds {
    parts: Vec<String>,
    chapters: Vec<String>,
}

impl OwnIds {
    pub fn of(book: &Book) -> Self {
        OwnIds {
            parts: book.parts.iter().map(|part| part.id.clone()).collect(),
            chapters: book.chapters.iter().map(|c| c.id.clone()).collect(),
        }
    }
}

/// Per chapter, its ids that a part or another chapter has as its own id,
/// or that an earlier chapter or an earlier alternative took first, each
/// with its alternative `{prefix}-{id}` (made unique). Reading order
/// decides, never hashing or scheduling.
///
/// Books have ~100 ids per chapter and few clashes, so every id is placed
/// once, borrowed, in a map of where it first appears; which ids clash is
/// then found on every core, and only the alternatives are made in order.
fn alternative_ids<'a>(
    parts: impl Iterator<Item = &'a str>,
    prefixes: &[&'a str],
    anchors: &'a [HashSet<String>],
) -> Vec<BTreeMap<String, String>> {
    // Who holds each id first: 0 for the book's own names (parts, chapter
    // ids), n + 1 for the chapter at n.
    let mut first: HashMap<&str, usize> =
        HashMap::with_capacity(anchors.iter().map(HashSet::len).sum());
    for name in parts.chain(prefixes.iter().copied()) {
        first.entry(name).or_insert(0);
    }
    for (at, ids) in anchors.iter().enumerate() {
        for id in ids {
            first.entry(id).or_insert(at + 1);
        }
    }
    let held_before = |id: &str, at: usize| first.get(id).is_some_and(|&holder| holder <= at);
    // Ids someone held before the chapter (its own id excepted: it is the prefix).
    let mut clashing: Vec<Vec<&str>> = anchors
        .par_iter()
        .enumerate()
        .map(|(at, ids)| {
            ids.iter()
                .map(String::as_str)
                .filter(|id| held_before(id, at) && *id != prefixes[at])
                .collect()
        })
        .collect();
    let mut alternatives = UniqueNames::new();
    let mut given = Vec::with_capacity(anchors.len());
    for (at, prefix) in prefixes.iter().enumerate() {
        let mut ids = std::mem::take(&mut clashing[at]);
        // Sorted: which clash gets `-2` must not depend on hashing.
        ids.sort_unstable();
        let mut chapter_alternatives = BTreeMap::new();
        for id in ids {
            // Taken: every id of the book up to this chapter, and every
            // alternative made so far.
            let alternative = alternatives
                .unique_besides(&format!("{prefix}-{id}"), |name| held_before(name, at + 1));
            // A later chapter that holds this alternative as one of its ids
            // finds it taken (never as its own id: chapter ids are held at 0,
            // so no alternative is one).
            if let Some((&later_id, &holder)) = first.get_key_value(alternative.as_str())
                && holder > at + 1
            {
                clashing[holder - 1].push(later_id);
            }
            chapter_alternatives.insert(id.to_string(), alternative);
        }
        given.push(chapter_alternatives);
    }
    given
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sequential version `alternative_ids` replaced: every id of the
    /// book inserted in one set, chapter after chapter.
    fn alternative_ids_in_one_set(
        parts: &[&str],
        prefixes: &[&str],
        anchors: &[HashSet<String>],
    ) -> Vec<BTreeMap<String, String>> {
        let mut names = UniqueNames::new();
        for name in parts.iter().chain(prefixes) {
            names.take(name);
        }
        prefixes
            .iter()
            .zip(anchors)
            .map(|(prefix, ids)| {
                let mut clashing: Vec<&str> = ids
                    .iter()
                    .map(String::as_str)
                    .filter(|id| !names.take(id) && id != prefix)
                    .collect();
                clashing.sort_unstable();
                clashing
                    .into_iter()
                    .map(|id| (id.to_string(), names.unique(&format!("{prefix}-{id}"))))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn alternatives_agree_with_one_set_in_reading_order() {
        // Few pieces, so that ids clash often and alternatives meet later
        // chapters' own ids (`c-a` is chapter `c`'s alternative for `a` and
        // an id of its own elsewhere), parts and chapter ids included.
        let pieces = ["a", "b", "c", "-", "2", "c-a", "c-a-2"];
        let mut next = crate::xorshift(0x9e37_79b9_7f4a_7c15_u64);
        let name = |next: &mut dyn FnMut() -> usize| -> String {
            (0..1 + next() % 3)
                .map(|_| pieces[next() % pieces.len()])
                .collect()
        };
        let mut clashes = 0;
        for _ in 0..3_000 {
            let chapters = 1 + next() % 6;
            let mut prefixes: Vec<String> = Vec::new();
            while prefixes.len() < chapters {
                let prefix = name(&mut next);
                if !prefixes.contains(&prefix) {
                    prefixes.push(prefix);
                }
            }
            let anchors: Vec<HashSet<String>> = prefixes
                .iter()
                .map(|prefix| {
                    let mut ids: HashSet<String> =
                        (0..next() % 8).map(|_| name(&mut next)).collect();
                    ids.insert(prefix.clone());
                    ids
                })
                .collect();
            let parts: Vec<String> = (0..next() % 2).map(|_| name(&mut next)).collect();
            let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
            let prefixes: Vec<&str> = prefixes.iter().map(String::as_str).collect();
            let expected = alternative_ids_in_one_set(&parts, &prefixes, &anchors);
            let given = alternative_ids(parts.iter().copied(), &prefixes, &anchors);
            assert_eq!(
                given, expected,
                "parts {parts:?}, chapters {prefixes:?}, ids {anchors:?}"
            );
            clashes += given.iter().map(BTreeMap::len).sum::<usize>();
        }
        assert!(
            clashes > 3_000,
            "the books clash enough to test something: {clashes}"
        );
    }
}
