//! Author-year citations → bibliography entries.
//!
//! The entries are the list items of the references chapter that start with
//! a key (`- Rogers, 1962 : …`). That chapter is `[build] references` in
//! folio.toml, or detected: the chapter whose list items mostly start with
//! `Name, Year`.

use foldhash::{HashMap, HashMapExt};
use rayon::prelude::*;

use crate::citation::{entry_key, normalize_key};
use crate::diagnostics::Diagnostic;
use crate::model::{
    BibEntry, Bibliography, Block, Book, Chapter, ChapterId, CitationSite, EntryId, Inline,
    ListItem, Span, plain_text,
};
use crate::names::UniqueNames;
use crate::slug::slugify;
use crate::visit;

/// A chapter needs this many entry-like list items to be taken for the references.
const MIN_ENTRIES: usize = 2;

/// Finds the entries and each citation's entry; what remains for each
/// chapter is [`number_chapter`] (run by the resolver with the chapter's
/// next stages), then [`add_sites`].
pub fn resolve(book: &mut Book) -> Numbering {
    book.bibliography.chapter = references_chapter(book);
    if let Some(chapter) = book.bibliography.chapter {
        collect_entries(book, chapter);
    }
    link_citations(book)
}

/// Where each chapter's citation ids start, and how many it numbers.
#[derive(Clone)]
pub struct Numbering {
    counts: Vec<usize>,
    first_ids: Vec<usize>,
}

impl Numbering {
    /// How many citations the chapter numbers.
    pub(super) fn count(&self, chapter: ChapterId) -> usize {
        self.counts[chapter.index()]
    }
}

/// Where a citation stands: the entry it cites learns it.
pub type Site = (EntryId, CitationSite);

fn references_chapter(book: &mut Book) -> Option<ChapterId> {
    if let Some(file) = &book.config.build.references {
        let found = book
            .chapter_ids()
            .find(|(_, c)| &c.file == file)
            .map(|(id, _)| id);
        if found.is_none() {
            book.diagnostics.push(
                Diagnostic::new(crate::Severity::Error, format!("references chapter `{file}` (folio.toml) is not a chapter of the book"), None)
                    .with_hint("`[build] references` is the chapter's file, relative to the book root, as listed in SUMMARY.md"),
            );
        }
        return found;
    }
    // Every chapter's lists are read, on every core; the ids make the
    // choice independent of the order chapters finish in.
    book.chapters
        .par_iter()
        .enumerate()
        .filter_map(|(at, chapter)| {
            let (entries, items) = entry_like_items(chapter);
            let id = ChapterId::new(at);
            (entries >= MIN_ENTRIES && entries * 2 > items).then_some((entries, id))
        })
        .max_by_key(|&(entries, id)| (entries, std::cmp::Reverse(id)))
        .map(|(_, id)| id)
}

/// How many of the chapter's top-level list items start with a key, and
/// how many there are.
fn entry_like_items(chapter: &Chapter) -> (usize, usize) {
    let items: Vec<&ListItem> = top_level_items(&chapter.blocks).collect();
    let entries = items.iter().filter(|item| item_key(item).is_some()).count();
    (entries, items.len())
}

/// Whether the chapter (as loaded) could be taken for the references: a
/// rebuild that resolves it alone must not change which chapter is.
pub(super) fn may_be_references(chapter: &Chapter) -> bool {
    entry_like_items(chapter).0 >= MIN_ENTRIES
}

fn top_level_items(blocks: &[Block]) -> impl Iterator<Item = &ListItem> {
    blocks.iter().flat_map(|b| match b {
        Block::List { items, .. } => items.as_slice(),
        _ => &[],
    })
}

fn item_key(item: &ListItem) -> Option<String> {
    let Block::Paragraph { content, .. } = item.blocks.first()? else {
        return None;
    };
    match content.first() {
        // The usual case, `Rogers, 1962 : …`: the key is in the first text.
        Some(Inline::Text { text, .. }) if text.contains(',') => entry_key(text),
        _ => entry_key(&plain_text(content)),
    }
}

fn collect_entries(book: &mut Book, chapter: ChapterId) {
    let mut entries: Vec<BibEntry> = Vec::new();
    let mut by_key: HashMap<String, EntryId> = HashMap::new();
    let mut ids = UniqueNames::new();
    let mut diagnostics = Vec::new();
    for block in &mut book.chapters[chapter].blocks {
        let Block::List { items, .. } = block else {
            continue;
        };
        for item in items {
            let Some(key) = item_key(item) else { continue };
            if let Some(&first) = by_key.get(&normalize_key(&key)) {
                diagnostics.push(Diagnostic::warning(format!("two bibliography entries for `{key}`; citations link to the first (line {})", entries[first].span.line), item.span));
                continue;
            }
            by_key.insert(normalize_key(&key), EntryId::new(entries.len()));
            let id = ids.unique(&format!("ref-{}", slugify(&key, "entry")));
            item.entry = Some(EntryId::new(entries.len()));
            entries.push(BibEntry {
                key,
                id,
                chapter,
                cited_by: Vec::new(),
                span: item.span,
            });
        }
    }
    book.bibliography.entries = entries;
    book.diagnostics.extend(diagnostics);
}

fn link_citations(book: &mut Book) -> Numbering {
    let by_key = entries_by_key(&book.bibliography);
    let entries = &book.bibliography.entries;
    // Each citation finds its entry on every core…
    let found = super::per_chapter(&mut book.chapters, |_, chapter| {
        find_entries(chapter, &by_key, entries)
    });
    // …then gets its book-wide id, `cite-1` onwards in reading order.
    let (counts, diagnostics): (Vec<usize>, Vec<Vec<Diagnostic>>) = found.into_iter().unzip();
    book.diagnostics.extend(diagnostics.into_iter().flatten());
    let first_ids = super::first_numbers(counts.iter().copied());
    Numbering { counts, first_ids }
}

/// The entries by their normalised key.
pub(super) fn entries_by_key(bibliography: &Bibliography) -> HashMap<String, EntryId> {
    bibliography
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| (normalize_key(&e.key), EntryId::new(i)))
        .collect()
}

/// Gives each citation of the chapter its entry; returns how many
/// citations the chapter numbers, and a warning for each unknown key.
pub(super) fn find_entries(
    chapter: &mut Chapter,
    by_key: &HashMap<String, EntryId>,
    entries: &[BibEntry],
) -> (usize, Vec<Diagnostic>) {
    let mut count = 0;
    let mut diagnostics = Vec::new();
    visit::each_chapter_inline(chapter, &mut |inline| {
        let Inline::Citation { items, span } = inline else {
            return;
        };
        for item in items {
            count += 1;
            item.entry = by_key.get(&normalize_key(&item.key)).copied();
            if item.entry.is_none() {
                diagnostics.push(unknown_key(entries, &item.key, *span));
            }
        }
    });
    (count, diagnostics)
}

/// Gives each citation of the chapter its id; returns the places that cite
/// an entry, in reading order.
pub fn number_chapter(id: ChapterId, chapter: &mut Chapter, numbering: &Numbering) -> Vec<Site> {
    let mut sites = Vec::new();
    // A chapter that cites nothing is not walked again.
    if numbering.counts[id.index()] == 0 {
        return sites;
    }
    let mut number = numbering.first_ids[id.index()];
    visit::each_chapter_inline(chapter, &mut |inline| {
        let Inline::Citation { items, .. } = inline else {
            return;
        };
        for item in items {
            item.id = format!("cite-{number}");
            number += 1;
            if let Some(entry) = item.entry {
                sites.push((
                    entry,
                    CitationSite {
                        chapter: id,
                        id: item.id.clone(),
                    },
                ));
            }
        }
    });
    sites
}

/// Every entry learns the places that cite it, in reading order.
pub fn add_sites(book: &mut Book, sites: Vec<Vec<Site>>) {
    for (entry, site) in sites.into_iter().flatten() {
        book.bibliography.entries[entry].cited_by.push(site);
    }
}

fn unknown_key(entries: &[BibEntry], key: &str, span: Span) -> Diagnostic {
    let d = Diagnostic::warning(format!("citation `{key}` has no bibliography entry"), span);
    match closest_key(entries, key) {
        Some(near) => d.with_hint(format!("did you mean `{near}`?")),
        None if !entries.is_empty() => d.with_hint("add an entry starting with this key to the references chapter"),
        None => d.with_hint("no references chapter was found: list entries as `- Name, Year : …` in a chapter, or set `[build] references` in folio.toml"),
    }
}

fn closest_key<'a>(entries: &'a [BibEntry], key: &str) -> Option<&'a str> {
    let wanted = normalize_key(key);
    entries
        .iter()
        .map(|e| {
            (
                strsim::levenshtein(&normalize_key(&e.key), &wanted),
                e.key.as_str(),
            )
        })
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, k)| k)
}
