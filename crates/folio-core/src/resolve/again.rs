//! Resolving a book again after an edit, only the chapters whose sources
//! changed (ARCHITECTURE.md, "Incremental rebuilds").
//!
//! A full resolve keeps ([`ResolveMemo`]) the book as loaded and what each chapter
//! gave the book-wide steps: the files it wants, its note and citation
//! counts, its ids and aliases, its broken links. [`again`] runs every
//! pass's chapter stage on the edited chapters alone, with the answers the
//! book-wide steps gave last time, and checks on the way that each edited
//! chapter still gives what it gave: then the book-wide steps would answer
//! every chapter as before, and the other chapters are what they were. As
//! soon as one does not, it gives up, and the caller resolves the whole
//! book. The result is the full resolve's, byte for byte
//! (tests/incremental.rs compares every file of every edition).

use foldhash::{HashMap, HashSet};
use rayon::prelude::*;

use super::{
    FirstStages, IdStages, Wanted, assets, citations, footnotes, glossary, ids, links, typography,
};
use crate::diagnostics::Diagnostic;
use crate::files::{Folder, Refused};
use crate::model::{
    AssetId, Book, Chapter, ChapterId, ChapterKind, Glossary, Language, MathMacro, Metadata, Part,
    PartId, Source, SourceId, Span,
};

/// What a resolve keeps for [`again`]: the book as loaded, and what each
/// chapter gave the book-wide steps.
pub struct ResolveMemo {
    pub(super) loaded: LoadedFrame,
    /// The resolver's own diagnostics (not the loader's), in the order the
    /// passes made them.
    pub(super) diagnostics: Vec<Diagnostic>,
    /// Per chapter, in reading order: the files its images and raw HTML
    /// want, the files its links want, its broken links, its ids (as links
    /// see them) and its mdBook aliases.
    pub(super) wanted: Vec<Wanted>,
    pub(super) link_files: Vec<Wanted>,
    pub(super) broken: Vec<usize>,
    pub(super) anchors: Vec<HashSet<String>>,
    pub(super) aliases: Vec<ids::Aliases>,
    pub(super) numbering: citations::Numbering,
    /// What each file asked for found.
    pub(super) found: HashMap<String, Result<AssetId, Refused>>,
}

impl ResolveMemo {
    pub(super) fn new(
        loaded: LoadedFrame,
        diagnostics: Vec<Diagnostic>,
        given: super::Given,
    ) -> Self {
        let (link_files, broken) = given.link_files.into_iter().unzip();
        ResolveMemo {
            loaded,
            diagnostics,
            wanted: given.wanted,
            link_files,
            broken,
            anchors: given.anchors,
            aliases: given.aliases,
            numbering: given.numbering,
            found: given.found,
        }
    }
}

/// Everything the loader gives a book but its chapters' content: what an
/// edit that only [`again`] resolves leaves alone.
#[derive(PartialEq)]
pub(super) struct LoadedFrame {
    root: Folder,
    metadata: Metadata,
    config: crate::Config,
    parts: Vec<Part>,
    math_macros: Vec<MathMacro>,
    languages: Vec<Language>,
    glossary: Option<Glossary>,
    chapters: Vec<LoadedChapter>,
    sources: Vec<(String, Option<Span>)>,
}

/// A chapter as SUMMARY places it.
#[derive(PartialEq)]
struct LoadedChapter {
    title: String,
    kind: ChapterKind,
    part: Option<PartId>,
    parent: Option<ChapterId>,
    depth: u32,
    source: SourceId,
    file: String,
    path: String,
    id: String,
    span: Span,
}

impl LoadedFrame {
    /// The frame of a book as loaded, before it is resolved.
    pub(super) fn of(book: &Book) -> Self {
        LoadedFrame {
            root: book.root.clone(),
            metadata: book.metadata.clone(),
            config: book.config.clone(),
            parts: book.parts.clone(),
            math_macros: book.math_macros.clone(),
            languages: book.languages.clone(),
            glossary: book.glossary.clone(),
            chapters: book
                .chapters
                .iter()
                .map(|c| LoadedChapter {
                    title: c.title.clone(),
                    kind: c.kind,
                    part: c.part,
                    parent: c.parent,
                    depth: c.depth,
                    source: c.source,
                    file: c.file.clone(),
                    path: c.path.clone(),
                    id: c.id.clone(),
                    span: c.span,
                })
                .collect(),
            sources: book
                .sources
                .iter()
                .map(|s| (s.path.clone(), s.included_from))
                .collect(),
        }
    }
}

/// `book` (resolved, `kept` from its resolve) after a new load of it,
/// `loaded`: the chapters whose sources changed are resolved alone and put
/// in their place, with the new load's sources and loader diagnostics.
/// Returns each chapter resolved again, and whether it changed. `Err`, with
/// `loaded` untouched, when the edit reaches beyond those chapters (the
/// book's settings or SUMMARY, a chapter's title or ids, its note or
/// citation count, the files it wants, an included file, the references
/// or the glossary…): the whole book must be resolved.
pub fn again(
    book: &mut Book,
    kept: &mut ResolveMemo,
    loaded: Book,
) -> Result<Vec<(ChapterId, bool)>, Box<Book>> {
    let Some((edited, edited_sources)) = edited_chapters(book, kept, &loaded) else {
        return Err(Box::new(loaded));
    };
    let chapters = edited
        .iter()
        .map(|&id| (id, loaded.chapters[id].clone()))
        .collect();
    let Some(resolved) = resolve_alone(book, kept, &loaded.sources, chapters) else {
        return Err(Box::new(loaded));
    };
    kept.diagnostics.retain(|d| {
        !d.span
            .is_some_and(|span| edited_sources.contains(&span.source))
    });
    let mut changed = Vec::with_capacity(resolved.len());
    for (id, chapter, diagnostics) in resolved {
        kept.diagnostics.extend(diagnostics);
        let before = std::mem::replace(&mut book.chapters[id], chapter);
        changed.push((id, before != book.chapters[id]));
    }
    book.sources = loaded.sources;
    book.diagnostics = loaded.diagnostics;
    book.diagnostics.extend(kept.diagnostics.iter().cloned());
    super::sort_diagnostics(book);
    Ok(changed)
}

/// The chapters whose sources differ between `book` and `loaded`, and
/// those sources, when nothing else does and each may be resolved alone.
fn edited_chapters(
    book: &Book,
    kept: &ResolveMemo,
    loaded: &Book,
) -> Option<(Vec<ChapterId>, HashSet<SourceId>)> {
    // An included file may be shared by several chapters: their
    // diagnostics could no longer be told apart.
    if LoadedFrame::of(loaded) != kept.loaded
        || loaded.sources.iter().any(|s| s.included_from.is_some())
    {
        return None;
    }
    let edited_sources: HashSet<SourceId> = loaded
        .sources
        .par_iter()
        .zip(&book.sources)
        .enumerate()
        .filter(|(_, (now, then))| now.text != then.text)
        .map(|(i, _)| SourceId::new(i))
        .collect();
    let edited: Vec<ChapterId> = book
        .chapter_ids()
        .filter(|(_, chapter)| edited_sources.contains(&chapter.source))
        .map(|(id, _)| id)
        .collect();
    // Every changed source is a chapter's own; the chapters other
    // chapters read (the references, the glossary) are resolved with the
    // book, and so is one that may become the references.
    let read_by_others = [
        book.bibliography.chapter,
        book.glossary.as_ref().map(|g| g.chapter),
    ];
    let alone = edited.len() == edited_sources.len()
        && edited.iter().all(|&id| {
            !read_by_others.contains(&Some(id))
                && !citations::may_be_references(&loaded.chapters[id])
        });
    alone.then_some((edited, edited_sources))
}

/// Each of `chapters` (as loaded) through every pass's chapter stage, with
/// the answers the book-wide steps of `book`'s resolve gave it, with its
/// diagnostics in pass order; `None` as soon as one no longer gives the
/// book-wide steps what it gave.
fn resolve_alone(
    book: &Book,
    kept: &ResolveMemo,
    sources: &[Source],
    chapters: Vec<(ChapterId, Chapter)>,
) -> Option<Vec<(ChapterId, Chapter, Vec<Diagnostic>)>> {
    // The files are looked for again, in the order a full resolve asks for
    // them: one may have changed on disk.
    let mut registry = assets::Registry::new(book);
    assets::find(&book.root, &mut registry, kept.wanted.iter());
    // Its diagnostics are the kept ones when it finds what it found.
    let settings = assets::SettingsFiles::find(book, &mut registry, &mut Vec::new());
    for files in &kept.link_files {
        links::register(&book.root, &mut registry, files);
    }
    if settings != assets::SettingsFiles::of(book) || *registry.found() != kept.found {
        return None;
    }
    let converter = crate::math::Converter::new(&book.math_macros);
    let first_notes = footnotes::first_numbers(book);
    let by_key = citations::entries_by_key(&book.bibliography);
    let entry_ids = ids::entry_ids(&book.bibliography, book.chapters.len());
    let book_links = links::BookLinks::new(book, &kept.anchors, &kept.aliases);
    let terms = book
        .glossary
        .as_ref()
        .and_then(|g| glossary::TermLinks::new(g, &book.chapters[g.chapter].file));
    let rules = typography::Rules::of(book);
    let published = book.config.html.site_url.is_some();
    let mut resolved = Vec::with_capacity(chapters.len());
    for (id, mut chapter) in chapters {
        let before = &book.chapters[id];
        let first = FirstStages::run(sources, &converter, &mut chapter);
        let (wanted, wanted_diagnostics) = first.files;
        if !same_paths(&wanted, &kept.wanted[id.index()]) {
            return None;
        }
        let mut diagnostics = first.levels;
        diagnostics.extend(first.title);
        diagnostics.extend(first.math);
        diagnostics.extend(wanted_diagnostics);
        diagnostics.extend(assets::give_files(&mut chapter, &wanted, registry.found()));
        diagnostics.extend(footnotes::order_notes(&mut chapter));
        if chapter.footnotes.len() != before.footnotes.len() {
            return None;
        }
        footnotes::number_notes(&mut chapter, first_notes[id.index()]);
        let (citations, unknown) =
            citations::find_entries(&mut chapter, &by_key, &book.bibliography.entries);
        if citations != kept.numbering.count(id) {
            return None;
        }
        diagnostics.extend(unknown);
        let stages = IdStages::run(id, &mut chapter, &kept.numbering, &entry_ids[id.index()]);
        if !same_sites(book, id, stages.sites) {
            return None;
        }
        diagnostics.extend(stages.html);
        let chapter_ids = stages.ids;
        if chapter_ids.anchors != kept.anchors[id.index()]
            || chapter_ids.aliases != kept.aliases[id.index()]
        {
            return None;
        }
        diagnostics.extend(chapter_ids.diagnostics);
        chapter.global_ids = before.global_ids.clone();
        let mut found = book_links.chapter(id, &mut chapter);
        if !same_paths(&found.wanted, &kept.link_files[id.index()])
            || found.broken() != kept.broken[id.index()]
        {
            return None;
        }
        let mut hints = kept.broken[..id.index()].iter().sum();
        book_links.hint(&mut found, &mut hints);
        diagnostics.extend(found.diagnostics);
        diagnostics.extend(links::give_files(
            &mut chapter,
            &found.wanted,
            &registry,
            published,
        ));
        chapter.anchors = chapter_ids.anchors.into_iter().collect();
        if let Some(terms) = &terms {
            terms.link(id, &mut chapter);
        }
        if let Some(rules) = rules {
            rules.chapter(&mut chapter);
        }
        // What other pages print of it (its title, its place, its ids) is
        // what they printed; its diagnostics all stand in its source.
        if !chapter.same_frame(before) || diagnostics.iter().any(|d| d.span.is_none()) {
            return None;
        }
        resolved.push((id, chapter, diagnostics));
    }
    let assets = registry.into_assets(book.config.html.site_url.as_ref());
    (assets == book.assets).then_some(resolved)
}

/// Whether two walks want the same files in the same order (the asset ids
/// follow that order).
fn same_paths(now: &Wanted, then: &Wanted) -> bool {
    now.paths().eq(then.paths())
}

/// Whether the chapter's citations cite what they cited, from the same
/// places: then every entry's back links stand.
fn same_sites(book: &Book, id: ChapterId, mut sites: Vec<citations::Site>) -> bool {
    let mut before: Vec<citations::Site> = book
        .bibliography
        .entries
        .iter()
        .enumerate()
        .flat_map(|(entry, e)| {
            e.cited_by
                .iter()
                .filter(|site| site.chapter == id)
                .map(move |site| (crate::model::EntryId::new(entry), site.clone()))
        })
        .collect();
    let order = |(entry, site): &citations::Site| (entry.index(), site.id.clone());
    sites.sort_by_key(order);
    before.sort_by_key(order);
    sites == before
}
