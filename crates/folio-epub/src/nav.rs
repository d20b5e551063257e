//! The table of contents, built once from the SUMMARY tree and written
//! twice: the EPUB 3 navigation document (with landmarks) and the NCX that
//! older reading systems read.
//!
//! Tree: parts (headings without a link) hold their chapters; a chapter
//! holds its sections (headings of level 1 and 2, the chapter's own title
//! excepted), then its sub-chapters.

use std::collections::HashMap;
use std::fmt::Write as _;

use folio_core::{Block, Book, Chapter, ChapterKind, TocEntry, TocItem, plain_text};

use crate::labels::labels;
use crate::layout::Layout;
use crate::xml::{Page, escape, href};

#[derive(Debug, PartialEq)]
pub(crate) struct Entry {
    pub title: String,
    /// Target relative to the package root, with its fragment; `None` for a part.
    pub target: Option<String>,
    pub children: Vec<Entry>,
}

/// The whole table of contents: the model's, each chapter with its sections.
pub(crate) fn tree(book: &Book, layout: &Layout) -> Vec<Entry> {
    book.toc
        .iter()
        .map(|entry| toc_entry(book, layout, entry))
        .collect()
}

fn toc_entry(book: &Book, layout: &Layout, entry: &TocEntry) -> Entry {
    let nested = entry
        .children
        .iter()
        .map(|child| toc_entry(book, layout, child));
    match entry.item {
        TocItem::Part { part } => Entry {
            title: book.parts[part].title.clone(),
            target: None,
            children: nested.collect(),
        },
        TocItem::Chapter { chapter } => {
            let path = layout.chapter(chapter);
            let mut children = sections(&book.chapters[chapter], path);
            children.extend(nested);
            let title = &book.chapters[chapter].title;
            Entry {
                title: match &entry.number {
                    Some(number) => format!("{number} {title}"),
                    None => title.clone(),
                },
                target: Some(path.to_string()),
                children,
            }
        }
    }
}

/// Sections of a chapter: its level-1 headings with their level-2 headings
/// nested; the heading that titles the chapter is the chapter's own entry.
fn sections(chapter: &Chapter, path: &str) -> Vec<Entry> {
    let headings: Vec<(u8, Entry)> = chapter
        .blocks
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != chapter.title_heading)
        .filter_map(|(_, block)| match block {
            Block::Heading {
                level, id, content, ..
            } if *level <= 2 => {
                let title = plain_text(content).trim().to_string();
                let entry = Entry {
                    title,
                    target: Some(format!("{path}#{id}")),
                    children: Vec::new(),
                };
                (!entry.title.is_empty()).then_some((*level, entry))
            }
            _ => None,
        })
        .collect();
    let mut out: Vec<Entry> = Vec::new();
    let mut under_section = false;
    for (level, entry) in headings {
        match level {
            1 => {
                out.push(entry);
                under_section = true;
            }
            _ => match out.last_mut() {
                Some(section) if under_section => section.children.push(entry),
                _ => out.push(entry),
            },
        }
    }
    out
}

/// `nav.xhtml`: the table of contents and the landmarks.
pub(crate) fn navigation_document(book: &Book, layout: &Layout, tree: &[Entry]) -> String {
    let words = labels(&book.metadata.language);
    let foreign = crate::labels::lang_if_foreign(words, &book.metadata.language);
    let mut body = String::new();
    let _ = write!(
        body,
        "<nav epub:type=\"toc\" role=\"doc-toc\" id=\"toc\" aria-labelledby=\"toc-title\">\n\
         <h1 id=\"toc-title\"{foreign}>{}</h1>\n",
        escape(words.contents)
    );
    write_list(&mut body, tree, &layout.nav);
    body.push_str("</nav>\n");

    let _ = write!(
        body,
        "<nav epub:type=\"landmarks\" id=\"landmarks\" hidden=\"hidden\" aria-labelledby=\"landmarks-title\">\n\
         <h2 id=\"landmarks-title\"{foreign}>{}</h2>\n<ol>\n",
        escape(words.landmarks)
    );
    let mut landmark = |kind: &str, target: &str, label: &str| {
        let _ = writeln!(
            body,
            "<li><a epub:type=\"{kind}\" href=\"{}\"{foreign}>{}</a></li>",
            escape(href(&layout.nav, target)),
            escape(label)
        );
    };
    if let Some(cover) = &layout.cover {
        landmark("cover", cover, words.cover);
    }
    landmark("toc", &format!("{}#toc", layout.nav), words.contents);
    if let Some((first, _)) = book
        .chapter_ids()
        .find(|(_, c)| c.kind == ChapterKind::Body)
        .or_else(|| book.chapter_ids().next())
    {
        landmark("bodymatter", layout.chapter(first), words.start);
    }
    if let Some(references) = book.bibliography.chapter {
        landmark(
            "bibliography",
            layout.chapter(references),
            words.bibliography,
        );
    }
    body.push_str("</ol>\n</nav>");

    let page = Page {
        path: &layout.nav,
        lang: &book.metadata.language,
        title: words.contents,
        css: &layout.css,
        body_attributes: "",
    };
    page.write(&body)
}

fn write_list(out: &mut String, entries: &[Entry], from: &str) {
    out.push_str("<ol>\n");
    for entry in entries {
        let title = escape(&entry.title);
        match &entry.target {
            Some(target) => {
                let _ = write!(
                    out,
                    "<li><a href=\"{}\">{title}</a>",
                    escape(href(from, target))
                );
            }
            None => {
                let _ = write!(out, "<li><span>{title}</span>");
            }
        }
        if !entry.children.is_empty() {
            out.push('\n');
            write_list(out, &entry.children, from);
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ol>\n");
}

/// `toc.ncx`, the EPUB 2 table of contents. A part points at its first
/// chapter; entries with the same target share their `playOrder`, as NCX wants.
pub(crate) fn ncx(book: &Book, layout: &Layout, tree: &[Entry], identifier: &str) -> String {
    let mut points = String::new();
    let mut state = NcxState {
        orders: HashMap::new(),
        count: 0,
        from: layout.nav.clone(),
    };
    let depth = write_points(&mut points, tree, &mut state);
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <ncx xmlns=\"http://www.daisy.org/z3986/2005/ncx/\" version=\"2005-1\" xml:lang=\"{lang}\">\n\
         <head>\n<meta name=\"dtb:uid\" content=\"{uid}\"/>\n<meta name=\"dtb:depth\" content=\"{depth}\"/>\n\
         <meta name=\"dtb:totalPageCount\" content=\"0\"/>\n<meta name=\"dtb:maxPageNumber\" content=\"0\"/>\n</head>\n\
         <docTitle><text>{title}</text></docTitle>\n<navMap>\n{points}</navMap>\n</ncx>\n",
        lang = escape(&book.metadata.language),
        uid = escape(identifier),
        title = escape(&book.metadata.title),
    )
}

struct NcxState {
    orders: HashMap<String, usize>,
    count: usize,
    /// NCX and navigation document lie side by side: same relative hrefs.
    from: String,
}

/// Writes the nav points, returns the depth of the tree.
fn write_points(out: &mut String, entries: &[Entry], state: &mut NcxState) -> usize {
    let mut depth = 0;
    for entry in entries {
        let Some(target) = entry
            .target
            .as_deref()
            .or_else(|| first_target(&entry.children))
        else {
            continue;
        };
        let next = state.orders.len() + 1;
        let order = *state.orders.entry(target.to_string()).or_insert(next);
        state.count += 1;
        let _ = writeln!(
            out,
            "<navPoint id=\"np-{}\" playOrder=\"{order}\"><navLabel><text>{}</text></navLabel><content src=\"{}\"/>",
            state.count,
            escape(&entry.title),
            escape(href(&state.from, target))
        );
        depth = depth.max(1 + write_points(out, &entry.children, state));
        out.push_str("</navPoint>\n");
    }
    depth
}

fn first_target(entries: &[Entry]) -> Option<&str> {
    entries
        .iter()
        .find_map(|e| e.target.as_deref().or_else(|| first_target(&e.children)))
}

#[cfg(test)]
mod tests {
    use folio_core::{Inline, Span};

    use super::*;

    fn heading(level: u8, id: &str) -> Block {
        let text = Inline::Text {
            text: id.to_uppercase(),
            span: Span::default(),
        };
        Block::Heading {
            level,
            id: id.into(),
            content: vec![text],
            span: Span::default(),
        }
    }

    /// `A(B; C); D`: the tree in one line.
    pub(crate) fn outline(entries: &[Entry]) -> String {
        let entry = |e: &Entry| {
            if e.children.is_empty() {
                e.title.clone()
            } else {
                format!("{}({})", e.title, outline(&e.children))
            }
        };
        entries.iter().map(entry).collect::<Vec<_>>().join("; ")
    }

    #[test]
    fn a_single_title_heading_is_the_chapter_itself() {
        let entries = sections(
            &chapter_of(vec![
                heading(1, "t"),
                heading(2, "a"),
                heading(3, "x"),
                heading(2, "b"),
            ]),
            "c.xhtml",
        );
        assert_eq!(outline(&entries), "A; B");
        assert_eq!(entries[0].target.as_deref(), Some("c.xhtml#a"));
    }

    #[test]
    fn several_level_one_headings_are_sections_with_their_subsections() {
        let chapter = chapter_of(vec![
            heading(1, "a"),
            heading(2, "a1"),
            heading(1, "b"),
            heading(2, "b1"),
        ]);
        assert_eq!(outline(&sections(&chapter, "c.xhtml")), "A(A1); B(B1)");
    }

    /// A chapter of `blocks`, its title heading decided as the resolver does.
    fn chapter_of(blocks: Vec<Block>) -> Chapter {
        let mut chapter = folio_core::parse_str("").chapters.remove(0);
        chapter.title_heading = folio_core::title_heading(&blocks);
        chapter.blocks = blocks;
        chapter
    }

    #[test]
    fn parts_group_their_chapters_and_sub_chapters_nest() {
        let book = crate::test_book::book();
        let layout = Layout::new(&book);
        let tree = tree(&book, &layout);
        assert_eq!(outline(&tree), crate::test_book::OUTLINE);
        assert_eq!(tree[1].target, None, "parts have no link");
    }

    #[test]
    fn ncx_parts_share_the_play_order_of_their_first_chapter() {
        let book = crate::test_book::book();
        let layout = Layout::new(&book);
        let ncx = ncx(&book, &layout, &tree(&book, &layout), "urn:x");
        let doc = roxmltree::Document::parse(&ncx).expect("well-formed");
        let points: Vec<(&str, &str)> = doc
            .descendants()
            .filter(|n| n.has_tag_name("navPoint"))
            .map(|n| {
                let src = n
                    .children()
                    .find(|c| c.has_tag_name("content"))
                    .and_then(|c| c.attribute("src"))
                    .unwrap_or_default();
                (n.attribute("playOrder").unwrap_or_default(), src)
            })
            .collect();
        let part = points
            .iter()
            .position(|(_, src)| *src == "1-part/a.xhtml")
            .expect("the part's point");
        assert_eq!(points[part], points[part + 1]);
        // One play order per target, numbered in reading order from 1.
        let mut orders: Vec<(&str, &str)> = Vec::new();
        for point in &points {
            match orders.iter().find(|(_, src)| *src == point.1) {
                Some(seen) => assert_eq!(seen.0, point.0),
                None => {
                    assert_eq!(point.0, (orders.len() + 1).to_string(), "{points:?}");
                    orders.push(*point);
                }
            }
        }
    }
}
