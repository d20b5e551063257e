//! Resolver passes: everything the backends need is decided here, once.
//!
//! Order matters: heading levels are made consecutive before titles are
//! chosen, footnotes and citations create ids, ids must all exist before
//! links to them are checked, the glossary's links (decided after the links
//! pass) need its headings' ids, and typography runs last on final text.
//!
//! Within a pass, what one chapter decides alone (ordering its notes, naming
//! its headings, spacing its punctuation) runs on every core through
//! [`per_chapter`]; what the book decides (note and citation numbers, asset
//! ids) is a short sequential step between two such runs, in reading order,
//! so that the result never depends on scheduling. Consecutive stages of
//! several passes with no book-wide step between them run together on each
//! chapter ([`levels_titles_math_and_wanted_files`],
//! [`citation_html_and_heading_ids`]).

mod again;
mod assets;
mod citations;
mod footnotes;
mod glossary;
mod html;
mod ids;
mod levels;
mod links;
mod math;
mod titles;
pub mod toc;
mod typography;

use foldhash::{HashMap, HashMapExt, HashSet};
use rayon::prelude::*;

use crate::diagnostics::Diagnostic;
use crate::model::{AssetId, Book, Chapter, ChapterId, Inline, LinkTarget, Source, Span};
use crate::visit;

pub use again::{ResolveMemo, again};
pub use assets::media_type;

/// Runs every pass on a loaded book. Problems are added to `book.diagnostics`.
pub fn resolve(book: &mut Book) {
    passes(book, false);
    sort_diagnostics(book);
}

/// [`resolve`], keeping what [`again`] needs to resolve the next version
/// of the book's chapters alone.
pub fn resolve_and_keep(book: &mut Book) -> ResolveMemo {
    let loaded = again::LoadedFrame::of(book);
    let first_diagnostic = book.diagnostics.len();
    let given = passes(book, true);
    let diagnostics = book.diagnostics[first_diagnostic..].to_vec();
    sort_diagnostics(book);
    ResolveMemo::new(loaded, diagnostics, given)
}

/// What each chapter gave the book-wide steps, as [`passes`] returns it;
/// the anchors and the files found only when asked to keep them.
struct Given {
    wanted: Vec<Wanted>,
    link_files: Vec<(Wanted, usize)>,
    anchors: Vec<HashSet<String>>,
    aliases: Vec<ids::Aliases>,
    numbering: citations::Numbering,
    found: HashMap<String, Result<AssetId, crate::files::Refused>>,
}

fn passes(book: &mut Book, keep: bool) -> Given {
    // From SUMMARY alone: the table of contents, the pages asset names avoid.
    toc::resolve(book);
    let mut registry = assets::Registry::new(book);
    let wanted = levels_titles_math_and_wanted_files(book);
    let wanted = assets::resolve(book, &mut registry, wanted);
    footnotes::resolve(book);
    let numbering = citations::resolve(book);
    let (anchors, aliases) = citation_html_and_heading_ids(book, &numbering);
    // The book-wide ids of single-file editions are made in reading order,
    // on one core: meanwhile the other cores resolve the links (neither
    // reads what the other writes).
    let own_ids = ids::OwnIds::of(book);
    let (global_ids, link_files) = rayon::join(
        || ids::global_ids(&own_ids, &anchors),
        || links::resolve(book, &anchors, &aliases, &mut registry),
    );
    let kept_anchors = if keep { anchors.clone() } else { Vec::new() };
    book.chapters
        .par_iter_mut()
        .zip(anchors)
        .zip(global_ids)
        .for_each(|((chapter, ids), global_ids)| {
            chapter.anchors = ids.into_iter().collect();
            chapter.global_ids = global_ids;
        });
    glossary::resolve(book);
    let found = if keep {
        registry.found().clone()
    } else {
        HashMap::new()
    };
    book.assets = registry.into_assets(book.config.html.site_url.as_ref());
    typography::resolve(book);
    Given {
        wanted,
        link_files,
        anchors: kept_anchors,
        aliases,
        numbering,
        found,
    }
}

/// Report in reading order: sources are numbered in the order they were read.
fn sort_diagnostics(book: &mut Book) {
    book.diagnostics
        .sort_by_key(|d| d.span.map(|s| (s.source, s.line, s.col)));
}

/// The first stages, which each chapter decides alone, run together on each
/// chapter (see [`citation_html_and_heading_ids`]): its heading levels, its
/// title, its formulas, and the files its images and raw HTML want (what
/// the assets pass needs, returned in reading order).
fn levels_titles_math_and_wanted_files(book: &mut Book) -> Vec<(Wanted, Vec<Diagnostic>)> {
    let Book {
        chapters,
        sources,
        math_macros,
        ..
    } = &mut *book;
    let converter = crate::math::Converter::new(math_macros);
    let stages = per_chapter(chapters, |_, chapter| {
        FirstStages::run(sources, &converter, chapter)
    });
    let (mut levels_notes, mut title_notes, mut math_warnings) =
        (Vec::new(), Vec::new(), Vec::new());
    let mut wanted = Vec::with_capacity(stages.len());
    for stages in stages {
        levels_notes.extend(stages.levels);
        title_notes.extend(stages.title);
        math_warnings.extend(stages.math);
        wanted.push(stages.files);
    }
    book.diagnostics.extend(levels_notes);
    book.diagnostics.extend(title_notes);
    titles::glossary_title(book);
    book.diagnostics.extend(math_warnings);
    wanted
}

/// The first stages of one chapter, in pass order, with each one's
/// diagnostics (the rebuild runs them on an edited chapter too).
struct FirstStages {
    levels: Vec<Diagnostic>,
    title: Option<Diagnostic>,
    math: Vec<Diagnostic>,
    files: (Wanted, Vec<Diagnostic>),
}

impl FirstStages {
    fn run(sources: &[Source], converter: &crate::math::Converter, chapter: &mut Chapter) -> Self {
        FirstStages {
            levels: levels::chapter(sources, chapter),
            title: titles::chapter(chapter),
            math: math::chapter(converter, chapter),
            files: assets::wanted_by(chapter),
        }
    }
}

/// Three passes' stages that each chapter decides alone, one after the
/// other: its citations' ids, its raw HTML made HTML5, its headings' ids.
/// Run together on each chapter, which stays in the cache between them: a
/// pass over the book reads every chapter from memory again (a walk of the
/// 1,000-chapter book's inlines: ~5 ms cold, ~0.4 ms hot). Each pass's
/// diagnostics are added in pass order, as when they ran one by one.
fn citation_html_and_heading_ids(
    book: &mut Book,
    numbering: &citations::Numbering,
) -> (Vec<HashSet<String>>, Vec<ids::Aliases>) {
    let Book {
        chapters,
        bibliography,
        ..
    } = &mut *book;
    let entry_ids = ids::entry_ids(bibliography, chapters.len());
    let stages = per_chapter(chapters, |id, chapter| {
        IdStages::run(id, chapter, numbering, &entry_ids[id.index()])
    });
    let mut sites = Vec::with_capacity(stages.len());
    let mut notes = Vec::new();
    let mut chapter_ids = Vec::with_capacity(stages.len());
    for stages in stages {
        sites.push(stages.sites);
        notes.extend(stages.html);
        chapter_ids.push(stages.ids);
    }
    citations::add_sites(book, sites);
    book.diagnostics.extend(notes);
    ids::finish(book, chapter_ids)
}

/// The stages of [`citation_html_and_heading_ids`] for one chapter, in
/// pass order (the rebuild runs them on an edited chapter too).
struct IdStages {
    sites: Vec<citations::Site>,
    html: Option<Diagnostic>,
    ids: ids::ChapterIds,
}

impl IdStages {
    fn run(
        id: ChapterId,
        chapter: &mut Chapter,
        numbering: &citations::Numbering,
        entry_ids: &[&str],
    ) -> Self {
        IdStages {
            sites: citations::number_chapter(id, chapter, numbering),
            html: html::modernise_chapter(chapter),
            ids: ids::chapter_ids(chapter, entry_ids),
        }
    }
}

/// The book files one chapter wants, in the order a walk of the chapter
/// meets the nodes that name them. A pass walks once to list them, the book
/// finds each file once, and the pass walks again, identically, to give each
/// node its asset: nothing provisional is stored in the model meanwhile.
#[derive(Debug, Default, Clone)]
struct Wanted {
    /// Per node met, in order: the root-relative path it names, or `None`
    /// for a node that wants no file (external, refused already).
    nodes: Vec<Option<String>>,
}

impl Wanted {
    fn push(&mut self, path: String) {
        self.nodes.push(Some(path));
    }

    fn skip(&mut self) {
        self.nodes.push(None);
    }

    /// No node wants a file: the second walk would change nothing, and is
    /// skipped (each walk reads the chapter from memory again).
    fn is_empty(&self) -> bool {
        self.paths().next().is_none()
    }

    fn paths(&self) -> impl Iterator<Item = &str> {
        self.nodes.iter().flatten().map(String::as_str)
    }

    /// The second walk: one call of [`WantedWalk::next_path`] per node met.
    fn walk(&self) -> WantedWalk<'_> {
        WantedWalk(self.nodes.iter())
    }
}

struct WantedWalk<'a>(std::slice::Iter<'a, Option<String>>);

impl<'a> WantedWalk<'a> {
    /// The path the next node wants, if it wants one.
    fn next_path(&mut self) -> Option<&'a str> {
        self.0.next()?.as_deref()
    }
}

/// Which of a chapter's nodes name a file a pass looks for: what it shows
/// (images, embedded HTML media) or where it leads (links, HTML `<a>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileNodes {
    Shown,
    Linked,
}

/// The second walk of a pass (see [`Wanted`]): each node of `nodes` that
/// wanted a file gets the target `target_of` makes of that file's path,
/// given what the node is, its URL and its span; the assets so given are
/// added to the chapter's. Nodes that wanted none are left as they are.
fn give_wanted_files(
    chapter: &mut Chapter,
    wanted: &Wanted,
    nodes: FileNodes,
    mut target_of: impl FnMut(&str, &str, &str, Span) -> LinkTarget,
) {
    if wanted.is_empty() {
        return;
    }
    let mut walk = wanted.walk();
    let mut used = Vec::new();
    let mut give = |what: &str, url: &str, span: Span| {
        let target = target_of(walk.next_path()?, what, url, span);
        if let LinkTarget::Asset { asset } = target {
            used.push(asset);
        }
        Some(target)
    };
    visit::each_chapter_inline(chapter, &mut |inline| match (inline, nodes) {
        (Inline::Image(image), FileNodes::Shown) => {
            if let Some(target) = give("image", &image.url, image.span) {
                image.target = target.into();
            }
        }
        (Inline::Link(link), FileNodes::Linked) => {
            if let Some(target) = give("link", &link.url, link.span) {
                link.target = target;
            }
        }
        _ => {}
    });
    visit::each_html_element(chapter, &mut |element| {
        if element.is_link() != (nodes == FileNodes::Linked) {
            return;
        }
        let (what, span) = (element.what(), element.span);
        for (url, target) in element.places() {
            if let Some(found) = give(what, url, span) {
                *target = found;
            }
        }
    });
    add_assets(&mut chapter.assets, used);
}

/// Adds `found` to a chapter's assets, each once, keeping the order of first use.
fn add_assets(assets: &mut Vec<AssetId>, found: impl IntoIterator<Item = AssetId>) {
    let mut listed: std::collections::HashSet<AssetId> = assets.iter().copied().collect();
    assets.extend(found.into_iter().filter(|asset| listed.insert(*asset)));
}

/// Where each chapter's numbers start when they run through the book from
/// 1, given how many each chapter numbers (notes, citations).
fn first_numbers(counts: impl Iterator<Item = usize>) -> Vec<usize> {
    counts
        .scan(1, |next, count| {
            let first = *next;
            *next += count;
            Some(first)
        })
        .collect()
}

/// `f` run on every chapter on all cores; the results in reading order.
fn per_chapter<R: Send>(
    chapters: &mut [Chapter],
    f: impl Fn(ChapterId, &mut Chapter) -> R + Sync,
) -> Vec<R> {
    chapters
        .par_iter_mut()
        .enumerate()
        .map(|(id, chapter)| f(ChapterId::new(id), chapter))
        .collect()
}
