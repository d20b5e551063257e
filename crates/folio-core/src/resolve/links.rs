//! Links: GitBook-style links between chapters (`../2-constituants`,
//! `./1-code_source`, `folder/`, `/x.md`, `x.md#id`) resolve to a chapter and
//! an anchor; links to other files of the book become asset links; the rest
//! is external or reported as broken, with the closest chapter as a hint.
//! Raw HTML's `<a href>`s resolve the same way.

use foldhash::{HashMap, HashSet};

use super::assets::Registry;
use super::ids::Aliases;
use super::{FileNodes, Wanted};
use crate::diagnostics::Diagnostic;
use crate::files::Folder;
use crate::model::{Book, Chapter, ChapterId, Inline, Link, LinkTarget, Span};
use crate::paths::{self, is_remote};
use crate::visit;

/// How many broken links get a "did you mean" hint: each costs a
/// comparison with every chapter's file name.
const CLOSEST_CHAPTER_HINTS: usize = 50;

/// `anchor_sets`: the ids of each chapter, from the ids pass; `aliases`:
/// the ids links may name in their stead (mdBook's heading ids).
pub fn resolve(
    book: &mut Book,
    anchor_sets: &[HashSet<String>],
    aliases: &[Aliases],
    registry: &mut Registry,
) -> Vec<(Wanted, usize)> {
    let book_links = BookLinks::new(book, anchor_sets, aliases);
    // Links are resolved on every core; the files of the book they lead to
    // are listed in the order a walk meets them…
    let found = super::per_chapter(&mut book.chapters, |current, chapter| {
        book_links.chapter(current, chapter)
    });
    // …become assets in reading order, so that asset ids never depend on
    // scheduling (rare: most books link no such file)…
    let mut hints = 0;
    let mut wanted_lists = Vec::with_capacity(found.len());
    for mut links in found {
        register(&book.root, registry, &links.wanted);
        book_links.hint(&mut links, &mut hints);
        book.diagnostics.extend(links.diagnostics);
        wanted_lists.push((links.wanted, links.broken.len()));
    }
    // …and each link to such a file gets its asset, on every core.
    let registry = &*registry;
    let published = book.config.html.site_url.is_some();
    let diagnostics = super::per_chapter(&mut book.chapters, |id, chapter| {
        give_files(chapter, &wanted_lists[id.index()].0, registry, published)
    });
    book.diagnostics.extend(diagnostics.into_iter().flatten());
    wanted_lists
}

/// What one chapter's links found: the files of the book they want, the
/// broken ones (the index of each one's diagnostic, and the path it was
/// taken for), and the diagnostics.
pub(super) struct ChapterLinks {
    pub(super) wanted: Wanted,
    broken: Vec<(usize, String)>,
    pub(super) diagnostics: Vec<Diagnostic>,
}

impl ChapterLinks {
    /// How many broken links may get a "did you mean" hint.
    pub(super) fn broken(&self) -> usize {
        self.broken.len()
    }
}

/// Registers the files the chapter's links want (`wanted`), in order.
pub(super) fn register(root: &Folder, registry: &mut Registry, wanted: &Wanted) {
    for path in wanted.paths() {
        // Refused now (it changed since the gate found it): the second walk breaks the link.
        let _ = registry.register(root, path);
    }
}

/// What every chapter's links may lead to.
pub(super) struct BookLinks<'a> {
    files: Vec<String>,
    ids: Vec<String>,
    chapters: HashMap<String, ChapterId>,
    anchor_sets: &'a [HashSet<String>],
    aliases: &'a [Aliases],
    root: Folder,
}

impl<'a> BookLinks<'a> {
    pub(super) fn new(
        book: &Book,
        anchor_sets: &'a [HashSet<String>],
        aliases: &'a [Aliases],
    ) -> Self {
        let files: Vec<String> = book.chapters.iter().map(|c| c.file.clone()).collect();
        let ids: Vec<String> = book.chapters.iter().map(|c| c.id.clone()).collect();
        let chapters = files
            .iter()
            .enumerate()
            .map(|(id, file)| (file.clone(), ChapterId::new(id)))
            .collect();
        BookLinks {
            files,
            ids,
            chapters,
            anchor_sets,
            aliases,
            root: book.root.clone(),
        }
    }

    /// Resolves the links of one chapter (`current`).
    pub(super) fn chapter(&self, current: ChapterId, chapter: &mut Chapter) -> ChapterLinks {
        let base = paths::parent(&chapter.file).to_string();
        let mut wanted = Wanted::default();
        let mut broken = Vec::new();
        let mut diagnostics = Vec::new();
        let mut here = Here {
            base: &base,
            current,
            links: self,
            span: Span::default(),
        };
        let mut resolve = |url: &str, span: Span| {
            here.span = span;
            match resolve_one(url, &here, &mut diagnostics) {
                Found::Target(target) => {
                    wanted.skip();
                    target
                }
                Found::File(path) => {
                    wanted.push(path);
                    LinkTarget::Unresolved
                }
                Found::Broken(path) => {
                    wanted.skip();
                    if !path.is_empty() {
                        broken.push((diagnostics.len() - 1, path));
                    }
                    LinkTarget::Broken
                }
            }
        };
        let mut unseen = Vec::new();
        visit::each_chapter_inline(chapter, &mut |inline| {
            if let Inline::Link(link) = inline {
                let Link {
                    url,
                    target,
                    span,
                    content,
                    ..
                } = &mut **link;
                *target = resolve(url, *span);
                // `[](https://…)`: a link nobody can see or name, which no
                // edition should write (an empty `<a>` is an accessibility
                // violation); a file's link keeps its place in the walk.
                if shows_nothing(content) && !matches!(target, LinkTarget::Unresolved) {
                    *target = LinkTarget::Broken;
                    unseen.push(
                        Diagnostic::warning(
                            format!("a link without text to `{url}` shows nothing: left out"),
                            *span,
                        )
                        .with_hint("write what the link leads to between the brackets: [text](…)"),
                    );
                }
            }
        });
        visit::each_html_element(chapter, &mut |element| {
            if !element.is_link() {
                return;
            }
            let span = element.span;
            for (url, target) in element.places() {
                *target = resolve(url, span);
            }
        });
        diagnostics.extend(unseen);
        ChapterLinks {
            wanted,
            broken,
            diagnostics,
        }
    }

    /// The first broken links of the book get the closest chapter as a
    /// hint; `hints`: how many earlier chapters gave.
    pub(super) fn hint(&self, links: &mut ChapterLinks, hints: &mut usize) {
        for (at, path) in &links.broken {
            *hints += 1;
            if *hints > CLOSEST_CHAPTER_HINTS {
                break;
            }
            if let Some(near) = closest_chapter(path, &self.files) {
                links.diagnostics[*at].hint = Some(format!("did you mean `{near}`?"));
            }
        }
    }
}

/// The second walk: each link to a file of the book (`wanted`, from
/// [`BookLinks::chapter`]) gets its asset.
pub(super) fn give_files(
    chapter: &mut Chapter,
    wanted: &Wanted,
    registry: &Registry,
    published: bool,
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    super::give_wanted_files(chapter, wanted, FileNodes::Linked, |path, _, _, span| {
        // Found by the gate a moment ago; should it have vanished since, the link is broken.
        let Some(asset) = registry.get(path) else {
            return LinkTarget::Broken;
        };
        if !published {
            diagnostics.push(
                Diagnostic::warning(format!("`{path}` is published with the web edition, but the EPUB and the PDF cannot carry it: there, this link is its text alone"), span)
                    .with_hint("set `site-url` under [html] in folio.toml: the EPUB and the PDF then link to the file on the web edition"),
            );
        }
        LinkTarget::Asset { asset }
    });
    diagnostics
}

/// Where a link is written: its chapter and what it can point at.
struct Here<'a> {
    /// The chapter's folder, which relative links start from.
    base: &'a str,
    current: ChapterId,
    links: &'a BookLinks<'a>,
    span: Span,
}

enum Found {
    Target(LinkTarget),
    /// A file of the book that is not a chapter, relative to the root.
    File(String),
    /// Leads nowhere (reported): the path it was taken for, empty when the
    /// link named no path (its closest chapter is no hint then).
    Broken(String),
}

fn resolve_one(url: &str, here: &Here, diagnostics: &mut Vec<Diagnostic>) -> Found {
    let Here {
        base,
        current,
        links,
        span,
    } = *here;
    let BookLinks {
        files,
        ids,
        chapters,
        anchor_sets,
        aliases,
        root,
    } = links;
    // `core::panic::Location`: a rustdoc path (which mdbook-spec resolves),
    // no URL; `core:` taken for its scheme would make an invalid EPUB.
    if url
        .split_once(':')
        .is_some_and(|(_, rest)| rest.starts_with(':'))
    {
        diagnostics.push(
            Diagnostic::warning(
                format!(
                    "broken link: `{url}` is a Rust path, not a URL: its text alone is printed"
                ),
                span,
            )
            .with_hint("link to the item's documentation: https://doc.rust-lang.org/…"),
        );
        return Found::Broken(String::new());
    }
    if is_remote(url) {
        return Found::Target(LinkTarget::External {
            url: url.to_string(),
        });
    }
    let (path, fragment) = match url.split_once('#') {
        Some((p, f)) => (p, Some(f.to_string()).filter(|f| !f.is_empty())),
        None => (url, None),
    };
    // The chapter's id an anchor names: one of its ids, or an alias of one.
    let find_anchor = |chapter: ChapterId, anchor: String| {
        if anchor_sets[chapter.index()].contains(&anchor) {
            return Some(anchor);
        }
        aliases[chapter.index()].get(&anchor).cloned()
    };
    // An anchor in `chapter`, found: the chapter's own id is its start (no
    // element carries it on a chapter's own page when a heading is its title).
    let in_chapter = |chapter: ChapterId, anchor: Option<String>| match anchor
        .filter(|anchor| *anchor != ids[chapter.index()])
    {
        Some(anchor) if chapter == current => LinkTarget::Anchor { anchor },
        anchor => LinkTarget::Chapter { chapter, anchor },
    };
    let no_anchor = |anchor: &str, chapter: ChapterId, leads: &str| {
        Diagnostic::warning(
            format!(
                "broken link: no `#{anchor}` in `{}`; {leads}",
                files[chapter.index()]
            ),
            span,
        )
        .with_hint("link to a heading's id: its `{#id}`, or the id folio generates from its text")
    };
    if path.is_empty() {
        let Some(anchor) = fragment else {
            diagnostics.push(
                Diagnostic::warning(
                    "a link without a destination: its text alone is printed",
                    span,
                )
                .with_hint(
                    "write where it leads between the parentheses: [text](chapter.md#section)",
                ),
            );
            return Found::Broken(String::new());
        };
        let Some(anchor) = find_anchor(current, anchor.clone()) else {
            diagnostics.push(no_anchor(&anchor, current, "its text alone is printed"));
            return Found::Broken(String::new());
        };
        return Found::Target(in_chapter(current, Some(anchor)));
    }
    let joined = paths::join(base, path.split('?').next().unwrap_or(path));
    if let Some(chapter) = candidates(&joined.path)
        .iter()
        .find_map(|c| chapters.get(c).copied())
    {
        // A missing anchor of another chapter: the chapter is still the
        // right place to go, so the link leads to its start.
        let anchor = fragment.and_then(|anchor| {
            find_anchor(chapter, anchor.clone()).or_else(|| {
                diagnostics.push(no_anchor(
                    &anchor,
                    chapter,
                    "the link leads to the chapter's start",
                ));
                None
            })
        });
        return Found::Target(in_chapter(chapter, anchor));
    }
    if !joined.path.is_empty() && root.locate(&joined.path).is_ok() {
        return Found::File(joined.path);
    }
    diagnostics.push(Diagnostic::warning(
        format!("broken link: `{url}` is neither a chapter nor a file of the book"),
        span,
    ));
    Found::Broken(joined.path)
}

/// Whether a link's content shows nothing: no inline but blank text and breaks.
fn shows_nothing(content: &[Inline]) -> bool {
    content.iter().all(|inline| match inline {
        Inline::Text { text, .. } => text.trim().is_empty(),
        Inline::SoftBreak { .. } | Inline::HardBreak { .. } => true,
        _ => false,
    })
}

/// The files a link path may mean: as written, with `.md`, or a folder's
/// README.md / index.md; `x.html` as the chapter `x.md` it was built from.
fn candidates(path: &str) -> Vec<String> {
    let dir = |p: &str| {
        if p.is_empty() {
            String::new()
        } else {
            format!("{p}/")
        }
    };
    let mut out = vec![
        path.to_string(),
        format!("{path}.md"),
        format!("{}README.md", dir(path)),
        format!("{}index.md", dir(path)),
    ];
    if let Some(stem) = path.strip_suffix(".html") {
        out.push(format!("{stem}.md"));
        if let Some(folder) = stem.strip_suffix("index") {
            out.push(format!("{folder}README.md"));
        }
    }
    out
}

fn closest_chapter<'a>(path: &str, files: &'a [String]) -> Option<&'a str> {
    let wanted = path.trim_end_matches(".md");
    files
        .iter()
        .map(|f| {
            (
                strsim::levenshtein(f.trim_end_matches(".md"), wanted),
                f.as_str(),
            )
        })
        .filter(|(d, f)| *d <= wanted.len().max(f.len()) / 3 + 1)
        .min()
        .map(|(_, f)| f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_and_extensionless_candidates() {
        assert!(candidates("2-constituants").contains(&"2-constituants/README.md".to_string()));
        assert!(
            candidates("1-enjeux/1-code_source").contains(&"1-enjeux/1-code_source.md".to_string())
        );
        assert!(candidates("").contains(&"README.md".to_string()));
    }

    #[test]
    fn a_rust_path_is_no_url() {
        let book = crate::parse_str(
            "# T\n\n[Location](core::panic::Location), [mail](mailto:a@example.org), [w](https://example.org/a::b)\n",
        );
        let mut targets = Vec::new();
        crate::visit_all_inlines(&book.chapters[0], &mut |inline| {
            if let crate::Inline::Link(link) = inline {
                targets.push(matches!(link.target, LinkTarget::Broken));
            }
        });
        assert_eq!(targets, [true, false, false]);
        assert!(
            book.diagnostics
                .iter()
                .any(|d| d.message.contains("`core::panic::Location` is a Rust path")),
            "{:?}",
            book.diagnostics
        );
    }

    #[test]
    fn a_link_without_text_is_left_out() {
        let book =
            crate::parse_str("# T\n\n[](https://example.org/) and [x](https://example.org/)\n");
        let mut targets = Vec::new();
        crate::visit_all_inlines(&book.chapters[0], &mut |inline| {
            if let crate::Inline::Link(link) = inline {
                targets.push(matches!(link.target, LinkTarget::Broken));
            }
        });
        assert_eq!(targets, [true, false]);
        assert!(
            book.diagnostics
                .iter()
                .any(|d| d.message.contains("a link without text"))
        );
    }

    #[test]
    fn closest_chapter_for_a_typo() {
        let files = vec![
            "2-constituants/1-code_source.md".to_string(),
            "references.md".to_string(),
        ];
        assert_eq!(
            closest_chapter("2-constituants/1-code-source", &files),
            Some("2-constituants/1-code_source.md")
        );
        assert_eq!(closest_chapter("zzzzzzzzzzzzzzzzzz", &files), None);
    }
}
