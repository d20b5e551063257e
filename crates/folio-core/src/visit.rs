//! Walking the model in reading order, so every resolver pass visits the
//! same nodes in the same order. The walks over inlines are generic over
//! the visitor, not `dyn`: each pass's closure is inlined into its walk
//! (they run a dozen times over every inline of the book).

use crate::model::{Block, Chapter, HtmlElement, HtmlNode, Inline};

/// Calls `f` on every inline sequence of `blocks` (paragraph, heading, table
/// cell), depth-first in reading order. Figures are passed as a one-image
/// sequence, so passes see their image too.
pub fn each_sequence<F>(blocks: &mut [Block], f: &mut F)
where
    F: FnMut(&mut Vec<Inline>) + ?Sized,
{
    for block in blocks {
        match block {
            Block::Heading { content, .. } | Block::Paragraph { content, .. } => f(content),
            Block::Figure { image, .. } => {
                let mut seq = vec![Inline::Image(image.clone())];
                f(&mut seq);
                if let Some(Inline::Image(changed)) = seq.pop() {
                    *image = changed;
                }
            }
            Block::BlockQuote { blocks, .. }
            | Block::HtmlElement { blocks, .. }
            | Block::Alert { blocks, .. } => each_sequence(blocks, f),
            Block::DefinitionList { items, .. } => {
                for item in items {
                    f(&mut item.term);
                    each_sequence(&mut item.details, f);
                }
            }
            Block::ForEditions { website, ebook, .. } => {
                each_sequence(website, f);
                each_sequence(ebook, f);
            }
            Block::List { items, .. } => {
                for item in items {
                    each_sequence(&mut item.blocks, f);
                }
            }
            Block::Table { header, rows, .. } => {
                for cell in header.iter_mut().chain(rows.iter_mut().flatten()) {
                    f(cell);
                }
            }
            Block::CodeBlock { .. } | Block::ThematicBreak { .. } | Block::Html { .. } => {}
        }
    }
}

/// Calls `f` on every block of `blocks` and on the blocks they hold, parents
/// first, in reading order (both branches of a `ForEditions`).
pub fn each_block<'a>(blocks: &'a [Block], f: &mut dyn FnMut(&'a Block)) {
    for block in blocks {
        f(block);
        match block {
            Block::BlockQuote { blocks, .. }
            | Block::HtmlElement { blocks, .. }
            | Block::Alert { blocks, .. } => each_block(blocks, f),
            Block::DefinitionList { items, .. } => {
                for item in items {
                    each_block(&item.details, f);
                }
            }
            Block::ForEditions { website, ebook, .. } => {
                each_block(website, f);
                each_block(ebook, f);
            }
            Block::List { items, .. } => {
                for item in items {
                    each_block(&item.blocks, f);
                }
            }
            Block::Heading { .. }
            | Block::Paragraph { .. }
            | Block::Figure { .. }
            | Block::Table { .. }
            | Block::CodeBlock { .. }
            | Block::ThematicBreak { .. }
            | Block::Html { .. } => {}
        }
    }
}

/// Calls `f` on every inline of `blocks`, parents before their children.
pub fn each_inline<F>(blocks: &mut [Block], f: &mut F)
where
    F: FnMut(&mut Inline) + ?Sized,
{
    each_sequence(blocks, &mut |seq| inlines(seq, f));
}

/// Calls `f` on every inline of a chapter: its blocks, then its footnotes.
pub fn each_chapter_inline<F>(chapter: &mut Chapter, f: &mut F)
where
    F: FnMut(&mut Inline) + ?Sized,
{
    each_inline(&mut chapter.blocks, f);
    for note in &mut chapter.footnotes {
        each_inline(&mut note.blocks, f);
    }
}

pub fn inlines<F>(seq: &mut [Inline], f: &mut F)
where
    F: FnMut(&mut Inline) + ?Sized,
{
    for inline in seq {
        f(inline);
        match inline {
            Inline::Emphasis { content, .. }
            | Inline::Strong { content, .. }
            | Inline::Strikethrough { content, .. }
            | Inline::HtmlElement { content, .. } => inlines(content, f),
            Inline::Link(link) => inlines(&mut link.content, f),
            _ => {}
        }
    }
}

/// Calls `f` on every raw HTML element of a chapter, block or inline,
/// parents before their children, in reading order: its blocks, then its
/// footnotes.
pub fn each_html_element(chapter: &mut Chapter, f: &mut dyn FnMut(&mut HtmlElement)) {
    fn nodes(nodes_: &mut [HtmlNode], f: &mut dyn FnMut(&mut HtmlElement)) {
        for node in nodes_ {
            match node {
                HtmlNode::Element { element, children } => {
                    f(element);
                    nodes(children, f);
                }
                HtmlNode::RawText { element, .. } => f(element),
                _ => {}
            }
        }
    }
    fn html_inline(inline: &mut Inline, f: &mut dyn FnMut(&mut HtmlElement)) {
        match inline {
            Inline::Html(fragment) => nodes(&mut fragment.nodes, f),
            Inline::HtmlElement { element, .. } => f(element),
            _ => {}
        }
    }
    fn walk(blocks: &mut [Block], f: &mut dyn FnMut(&mut HtmlElement)) {
        for block in blocks {
            match block {
                Block::Html(fragment) => nodes(&mut fragment.nodes, f),
                Block::HtmlElement { element, blocks } => {
                    f(element);
                    walk(blocks, f);
                }
                Block::BlockQuote { blocks, .. } | Block::Alert { blocks, .. } => walk(blocks, f),
                Block::DefinitionList { items, .. } => {
                    for item in items {
                        inlines(&mut item.term, &mut |inline| html_inline(inline, f));
                        walk(&mut item.details, f);
                    }
                }
                Block::ForEditions { website, ebook, .. } => {
                    walk(website, f);
                    walk(ebook, f);
                }
                Block::List { items, .. } => {
                    items.iter_mut().for_each(|item| walk(&mut item.blocks, f))
                }
                _ => each_inline(std::slice::from_mut(block), &mut |inline| {
                    html_inline(inline, f)
                }),
            }
        }
    }
    walk(&mut chapter.blocks, f);
    for note in &mut chapter.footnotes {
        walk(&mut note.blocks, f);
    }
}

/// Calls `f` on every inline of a chapter (blocks, then footnotes), read-only.
/// A convenience for tests and tools: it walks a copy, so keep it off hot paths.
pub fn all_inlines(chapter: &Chapter, f: &mut dyn FnMut(&Inline)) {
    let mut copy = chapter.clone();
    each_chapter_inline(&mut copy, &mut |inline| f(inline));
}

/// Every raw HTML element of a chapter, in reading order (see
/// [`each_html_element`]), copied. For tests and tools.
pub fn all_html_elements(chapter: &Chapter) -> Vec<HtmlElement> {
    let mut copy = chapter.clone();
    let mut elements = Vec::new();
    each_html_element(&mut copy, &mut |element| elements.push(element.clone()));
    elements
}
