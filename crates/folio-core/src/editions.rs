//! Chapters whose text differs per output (GitBook's `output.name`).
//!
//! The loader reads such a chapter twice, once per output, and [`merge`]s
//! the two documents into one: the blocks both have are kept once, and
//! where they differ a [`Block::ForEditions`] holds each output's blocks.
//! The resolver treats both branches like any blocks; each edition reads
//! its branch through [`Book::for_edition`], so no backend meets one.

use std::borrow::Cow;

use similar::{Algorithm, DiffTag};

use crate::config::Edition;
use crate::include;
use crate::model::{Block, Book, Span};
use crate::reader::Document;

/// The longest stretch of differing blocks compared block by block (a
/// diff costs their product at worst); a longer one is one
/// [`Block::ForEditions`] whole.
const MAX_COMPARED: usize = 2_000;

/// One document of `website` (`output.name == "website"`) and `ebook`.
pub fn merge(website: Document, ebook: Document) -> Document {
    let (keys_w, keys_e) = (keys(&website.blocks), keys(&ebook.blocks));
    let prefix = keys_w
        .iter()
        .zip(&keys_e)
        .take_while(|(w, e)| w == e)
        .count();
    let suffix = keys_w[prefix..]
        .iter()
        .rev()
        .zip(keys_e[prefix..].iter().rev())
        .take_while(|(w, e)| w == e)
        .count();
    let (middle_w, middle_e) = (prefix..keys_w.len() - suffix, prefix..keys_e.len() - suffix);
    let mut ops = vec![(DiffTag::Equal, 0..prefix, 0..prefix)];
    if middle_w.len().max(middle_e.len()) <= MAX_COMPARED {
        let diff = similar::capture_diff_slices(
            Algorithm::Myers,
            &keys_w[middle_w.clone()],
            &keys_e[middle_e.clone()],
        );
        ops.extend(diff.iter().map(|op| {
            let (tag, w, e) = op.as_tag_tuple();
            (
                tag,
                w.start + prefix..w.end + prefix,
                e.start + prefix..e.end + prefix,
            )
        }));
    } else {
        ops.push((DiffTag::Replace, middle_w, middle_e));
    }
    ops.push((
        DiffTag::Equal,
        keys_w.len() - suffix..keys_w.len(),
        keys_e.len() - suffix..keys_e.len(),
    ));

    let mut blocks = Vec::new();
    let mut differing: (Vec<Block>, Vec<Block>) = Default::default();
    let flush = |blocks: &mut Vec<Block>, differing: &mut (Vec<Block>, Vec<Block>)| {
        if differing.0.is_empty() && differing.1.is_empty() {
            return;
        }
        let (website, ebook) = std::mem::take(differing);
        let span = website
            .first()
            .or(ebook.first())
            .map(Block::span)
            .unwrap_or_default();
        blocks.push(Block::ForEditions {
            website,
            ebook,
            span,
        });
    };
    for (tag, w, e) in ops {
        if tag == DiffTag::Equal {
            flush(&mut blocks, &mut differing);
            blocks.extend_from_slice(&website.blocks[w]);
        } else {
            differing.0.extend_from_slice(&website.blocks[w]);
            differing.1.extend_from_slice(&ebook.blocks[e]);
        }
    }
    flush(&mut blocks, &mut differing);

    let mut merged = Document { blocks, ..website };
    for note in ebook.footnotes {
        if !merged.footnotes.iter().any(|n| n.label == note.label) {
            merged.footnotes.push(note);
        }
    }
    for diagnostic in ebook.diagnostics {
        if !merged.diagnostics.contains(&diagnostic) {
            merged.diagnostics.push(diagnostic);
        }
    }
    merged
}

/// What each block says, its places left out: blocks after a branch of
/// another length sit on other lines of the expanded text.
fn keys(blocks: &[Block]) -> Vec<String> {
    blocks
        .iter()
        .map(|block| {
            let mut doc = Document {
                blocks: vec![block.clone()],
                ..Document::default()
            };
            include::map_spans(&mut doc, &|_| Span::default());
            serde_json::to_string(&doc.blocks).unwrap_or_default()
        })
        .collect()
}

impl Book {
    /// The book as `edition` reads it: each [`Block::ForEditions`] replaced
    /// by the blocks of that edition's output (`website` for the HTML,
    /// `ebook` for the EPUB and the PDF, as GitBook named them). Borrowed
    /// when the book has none.
    pub fn for_edition(&self, edition: Edition) -> Cow<'_, Book> {
        let varies = |blocks: &[Block]| {
            blocks
                .iter()
                .any(|b| matches!(b, Block::ForEditions { .. }))
        };
        if !self.chapters.iter().any(|c| varies(&c.blocks)) {
            return Cow::Borrowed(self);
        }
        let mut book = self.clone();
        for chapter in &mut book.chapters {
            if varies(&chapter.blocks) {
                chapter.blocks = std::mem::take(&mut chapter.blocks)
                    .into_iter()
                    .flat_map(|block| match block {
                        Block::ForEditions { website, ebook, .. } => match edition {
                            Edition::Html => website,
                            Edition::Epub | Edition::Pdf => ebook,
                        },
                        block => vec![block],
                    })
                    .collect();
            }
        }
        Cow::Owned(book)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SourceId;
    use crate::reader::{self, FrontMatter};

    fn read(text: &str) -> Document {
        reader::read(text, SourceId::new(0), FrontMatter::None)
    }

    #[test]
    fn shared_blocks_stay_once() {
        let merged = merge(
            read("# T\n\nOne.\n\nOnline.\n\nTwo.\n"),
            read("# T\n\nOne.\n\nIn print,\nlonger.\n\nTwo.\n"),
        );
        let kinds: Vec<&str> = merged
            .blocks
            .iter()
            .map(|b| match b {
                Block::Heading { .. } => "heading",
                Block::Paragraph { .. } => "paragraph",
                Block::ForEditions { .. } => "for-editions",
                _ => "other",
            })
            .collect();
        assert_eq!(kinds, ["heading", "paragraph", "for-editions", "paragraph"]);
    }
}
