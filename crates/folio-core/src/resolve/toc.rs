//! The table of contents, built once from SUMMARY's tree (each chapter's
//! part and parent) for every edition: the site's sidebar, the EPUB's
//! navigation document and NCX, and the order of the PDF's outline.

use crate::model::{Book, ChapterId, ChapterKind, SectionNumber, TocEntry, TocItem};

pub fn resolve(book: &mut Book) {
    book.toc = build(book);
}

/// The table of contents of `book`'s chapters (for books assembled by hand,
/// as tests do: the resolver fills `Book::toc` with it).
pub fn build(book: &Book) -> Vec<TocEntry> {
    let mut children: Vec<Vec<ChapterId>> = vec![Vec::new(); book.chapters.len()];
    let mut top = Vec::new();
    for (id, chapter) in book.chapter_ids() {
        match chapter.parent {
            Some(parent) => children[parent.index()].push(id),
            None => top.push(id),
        }
    }
    // SUMMARY's nesting is bounded by the reader's (crate::reader::MAX_NESTING):
    // the recursion is shallow.
    fn entry(id: ChapterId, children: &[Vec<ChapterId>]) -> TocEntry {
        TocEntry {
            item: TocItem::Chapter { chapter: id },
            number: None,
            children: children[id.index()]
                .iter()
                .map(|&child| entry(child, children))
                .collect(),
        }
    }
    let mut toc: Vec<TocEntry> = Vec::new();
    let mut open_part = None;
    for id in top {
        let part = book.chapters[id].part;
        let chapter = entry(id, &children);
        match (part, toc.last_mut()) {
            (Some(_), Some(last)) if part == open_part => last.children.push(chapter),
            (Some(part), _) => toc.push(TocEntry {
                item: TocItem::Part { part },
                number: None,
                children: vec![chapter],
            }),
            (None, _) => toc.push(chapter),
        }
        open_part = part;
    }
    if book.config.mdbook.section_labels {
        number(&mut toc, book, &[], &mut 0);
    }
    toc
}

/// Each chapter's number in `book.toc`, by chapter id (for an edition that
/// prints a chapter's number where it prints the chapter, as the PDF's
/// opening, which its outline repeats).
pub fn numbers(book: &Book) -> Vec<Option<&SectionNumber>> {
    fn walk<'a>(entries: &'a [TocEntry], out: &mut Vec<Option<&'a SectionNumber>>) {
        for entry in entries {
            if let TocItem::Chapter { chapter } = entry.item {
                out[chapter.index()] = entry.number.as_ref();
            }
            walk(&entry.children, out);
        }
    }
    let mut out = vec![None; book.chapters.len()];
    walk(&book.toc, &mut out);
    out
}

/// Numbers the numbered chapters of `entries` after `prefix`, `next` being
/// the last number given at this level: parts do not restart it (as in
/// mdBook), prefix and suffix chapters (front and back matter) have none.
fn number(entries: &mut [TocEntry], book: &Book, prefix: &[u32], next: &mut u32) {
    for entry in entries {
        match entry.item {
            TocItem::Part { .. } => number(&mut entry.children, book, prefix, next),
            TocItem::Chapter { chapter } if book.chapters[chapter].kind == ChapterKind::Body => {
                *next += 1;
                let mut own = prefix.to_vec();
                own.push(*next);
                number(&mut entry.children, book, &own, &mut 0);
                entry.number = Some(SectionNumber(own));
            }
            TocItem::Chapter { .. } => {}
        }
    }
}
