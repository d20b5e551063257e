//! Links: GitBook-style links between chapters (`../2-constituants`,
//! `./1-code_source`, `folder/`, `/x.md`, `x.md#id`) resolve to a chapter and
//! an anchor; links to other files of the book become asset links; the rest
//! is external or reported as broken, with the closest chapter as a hint.
//! Raw HTML's `<a href>`s resolve the same way.

use std::collections::HashSet;

use super::assets::register;
use crate::diagnostics::Diagnostic;
use crate::model::{AssetId, Book, ChapterId, Inline, LinkTarget, Span};
use crate::paths::{self, is_remote};
use crate::visit;

/// `anchor_sets`: the ids of each chapter, from the ids pass.
pub fn resolve(book: &mut Book, anchor_sets: &[HashSet<String>]) {
    let files: Vec<String> = book.chapters.iter().map(|c| c.file.clone()).collect();
    let root = &book.root;
    // Links are resolved on every core. A link to another file of the book
    // gets the file's index in its chapter's `wanted` list for now…
    let found = super::per_chapter(&mut book.chapters, |current, chapter| {
        let base = paths::parent(&chapter.file).to_string();
        let mut wanted: Vec<String> = Vec::new();
        let mut diagnostics = Vec::new();
        visit::each_chapter_inline(chapter, &mut |inline| {
            let Inline::Link { url, target, span, .. } = inline else { return };
            let here = Here { base: &base, current, files: &files, anchor_sets, span: *span };
            *target = resolve_one(url, &here, root, &mut diagnostics).target(&mut wanted);
        });
        visit::each_raw_html(chapter, &mut |raw| {
            for reference in raw.references.iter_mut().filter(|r| r.is_link()) {
                let here = Here { base: &base, current, files: &files, anchor_sets, span: reference.span };
                reference.target = resolve_one(&reference.url, &here, root, &mut diagnostics).target(&mut wanted);
            }
        });
        (wanted, diagnostics)
    });
    // …and the files become assets in reading order, so that asset ids
    // never depend on scheduling. (Rare: most books link no such file.)
    for (chapter, (wanted, diagnostics)) in book.chapters.iter_mut().zip(found) {
        book.diagnostics.extend(diagnostics);
        if wanted.is_empty() {
            continue;
        }
        let ids: Vec<AssetId> = wanted.iter().map(|path| register(&mut book.assets, &book.root, path)).collect();
        visit::each_chapter_inline(chapter, &mut |inline| {
            if let Inline::Link { target: LinkTarget::Asset { asset }, .. } = inline {
                *asset = ids[*asset];
            }
        });
        visit::each_raw_html(chapter, &mut |raw| {
            for reference in raw.references.iter_mut().filter(|r| r.is_link()) {
                if let LinkTarget::Asset { asset } = &mut reference.target {
                    *asset = ids[*asset];
                }
            }
        });
    }
}

/// Where a link is written: its chapter and what it can point at.
struct Here<'a> {
    /// The chapter's folder, which relative links start from.
    base: &'a str,
    current: ChapterId,
    files: &'a [String],
    anchor_sets: &'a [HashSet<String>],
    span: Span,
}

enum Found {
    Target(LinkTarget),
    /// A file of the book that is not a chapter, relative to the root.
    File(String),
}

impl Found {
    /// The link's target; a file points at its place in its chapter's
    /// `wanted` list until the files become assets.
    fn target(self, wanted: &mut Vec<String>) -> LinkTarget {
        match self {
            Found::Target(target) => target,
            Found::File(path) => LinkTarget::Asset { asset: super::index_in(wanted, path) },
        }
    }
}

fn resolve_one(url: &str, here: &Here, root: &std::path::Path, diagnostics: &mut Vec<Diagnostic>) -> Found {
    let Here { base, current, files, anchor_sets, span } = *here;
    if is_remote(url) {
        return Found::Target(LinkTarget::External { url: url.to_string() });
    }
    let (path, fragment) = match url.split_once('#') {
        Some((p, f)) => (p, Some(f.to_string()).filter(|f| !f.is_empty())),
        None => (url, None),
    };
    let check_anchor = |chapter: ChapterId, diagnostics: &mut Vec<Diagnostic>| {
        if let Some(anchor) = &fragment
            && !anchor_sets[chapter].contains(anchor)
        {
            diagnostics.push(
                Diagnostic::warning(format!("broken link: no `#{anchor}` in `{}`", files[chapter]), span)
                    .with_hint("link to a heading's id: its `{#id}`, or the id folio generates from its text"),
            );
        }
    };
    if path.is_empty() {
        return Found::Target(match fragment.clone() {
            Some(anchor) => {
                check_anchor(current, diagnostics);
                LinkTarget::Anchor { anchor }
            }
            None => LinkTarget::Unresolved,
        });
    }
    let joined = paths::join(base, path.split('?').next().unwrap_or(path));
    if let Some(chapter) = candidates(&joined.path).iter().find_map(|c| files.iter().position(|f| f == c)) {
        check_anchor(chapter, diagnostics);
        return Found::Target(if chapter == current && fragment.is_some() {
            LinkTarget::Anchor { anchor: fragment.clone().unwrap_or_default() }
        } else {
            LinkTarget::Chapter { chapter, anchor: fragment.clone() }
        });
    }
    if !joined.path.is_empty() && root.join(&joined.path).is_file() && paths::locate(root, &joined.path).is_ok() {
        return Found::File(joined.path);
    }
    let mut d = Diagnostic::warning(format!("broken link: `{url}` is neither a chapter nor a file of the book"), span);
    if let Some(near) = closest_chapter(&joined.path, files) {
        d = d.with_hint(format!("did you mean `{near}`?"));
    }
    diagnostics.push(d);
    Found::Target(LinkTarget::Unresolved)
}

/// The files a link path may mean: as written, with `.md`, or a folder's
/// README.md / index.md; `x.html` as the chapter `x.md` it was built from.
fn candidates(path: &str) -> Vec<String> {
    let dir = |p: &str| if p.is_empty() { String::new() } else { format!("{p}/") };
    let mut out = vec![path.to_string(), format!("{path}.md"), format!("{}README.md", dir(path)), format!("{}index.md", dir(path))];
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
        .map(|f| (strsim::levenshtein(f.trim_end_matches(".md"), wanted), f.as_str()))
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
        assert!(candidates("1-enjeux/1-code_source").contains(&"1-enjeux/1-code_source.md".to_string()));
        assert!(candidates("").contains(&"README.md".to_string()));
    }

    #[test]
    fn closest_chapter_for_a_typo() {
        let files = vec!["2-constituants/1-code_source.md".to_string(), "references.md".to_string()];
        assert_eq!(closest_chapter("2-constituants/1-code-source", &files), Some("2-constituants/1-code_source.md"));
        assert_eq!(closest_chapter("zzzzzzzzzzzzzzzzzz", &files), None);
    }
}
