//! The table of contents, built once from SUMMARY's tree (each chapter's
//! part and parent) for every edition: the site's sidebar, the EPUB's
//! navigation document and NCX, and the order of the PDF's outline.

use crate::model::{Book, ChapterId, TocEntry, TocItem};

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
                children: vec![chapter],
            }),
            (None, _) => toc.push(chapter),
        }
        open_part = part;
    }
    toc
}
