//! SUMMARY.md, GitBook's and mdBook's table of contents, read through the
//! Markdown reader so that escapes (`Commun\(s\)`) and inline HTML in part
//! headings (`## Meta <a id="meta-1"></a>`) come out right.

use crate::model::{Block, ChapterKind, Inline, SourceId, Span, plain_text};
use crate::reader::{self, FrontMatter};

#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    Part {
        title: String,
        span: Span,
    },
    Chapter {
        title: String,
        /// The link as written; `None` for an mdBook draft `[Title]()`.
        target: Option<String>,
        depth: u32,
        kind: ChapterKind,
        span: Span,
    },
}

/// Titles that name the SUMMARY itself rather than a part.
const SUMMARY_TITLES: [&str; 5] = [
    "summary",
    "sommaire",
    "table of contents",
    "contents",
    "table des matières",
];

pub fn parse(text: &str, source: SourceId) -> Vec<Entry> {
    let doc = reader::read(text, source, FrontMatter::None);
    let mut entries = Vec::new();
    let mut seen_list = false;
    for (i, block) in doc.blocks.iter().enumerate() {
        match block {
            Block::Heading { content, span, .. } => {
                let title = plain_text(content).trim().to_string();
                let is_summary_title =
                    i == 0 && SUMMARY_TITLES.contains(&title.to_lowercase().as_str());
                if !is_summary_title && !title.is_empty() {
                    entries.push(Entry::Part { title, span: *span });
                }
            }
            Block::List { items, .. } => {
                seen_list = true;
                list(items, 0, &mut entries);
            }
            // mdBook prefix (before the first list) and suffix (after) chapters.
            Block::Paragraph { content, .. } => {
                let kind = if seen_list {
                    ChapterKind::Back
                } else {
                    ChapterKind::Front
                };
                for inline in content {
                    if let Some(entry) = chapter(inline, 0, kind) {
                        entries.push(entry);
                    }
                }
            }
            _ => {}
        }
    }
    entries
}

fn list(items: &[crate::model::ListItem], depth: u32, entries: &mut Vec<Entry>) {
    for item in items {
        for block in &item.blocks {
            match block {
                Block::Paragraph { content, .. } => {
                    if let Some(entry) = content
                        .iter()
                        .find_map(|i| chapter(i, depth, ChapterKind::Body))
                    {
                        entries.push(entry);
                    }
                }
                Block::List { items, .. } => list(items, depth + 1, entries),
                _ => {}
            }
        }
    }
}

fn chapter(inline: &Inline, depth: u32, kind: ChapterKind) -> Option<Entry> {
    let Inline::Link(link) = inline else {
        return None;
    };
    Some(Entry::Chapter {
        title: plain_text(&link.content).trim().to_string(),
        target: (!link.url.trim().is_empty()).then(|| link.url.clone()),
        depth,
        kind,
        span: link.span,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gitbook_summary_with_parts_and_escapes() {
        let text = "# Summary\n\n* [Introduction](README.md)\n\n## Comprendre\n\n* [Enjeux](1-enjeux/README.md)\n  * [Commun\\(s\\)](1-enjeux/1-communs.md)\n\n## Meta <a id=\"meta-1\"></a>\n\n* [Références](references.md)\n";
        let entries = parse(text, SourceId(0));
        let titles: Vec<String> = entries
            .iter()
            .map(|e| match e {
                Entry::Part { title, .. } => format!("part:{title}"),
                Entry::Chapter { title, depth, .. } => format!("{depth}:{title}"),
            })
            .collect();
        assert_eq!(
            titles,
            [
                "0:Introduction",
                "part:Comprendre",
                "0:Enjeux",
                "1:Commun(s)",
                "part:Meta",
                "0:Références"
            ]
        );
    }

    #[test]
    fn mdbook_prefix_suffix_and_drafts() {
        let text = "# Summary\n\n[Préface](preface.md)\n\n# Partie\n\n- [Un](un.md)\n- [À venir]()\n\n---\n\n[Annexe](annexe.md)\n";
        let entries = parse(text, SourceId(0));
        let kinds: Vec<_> = entries
            .iter()
            .filter_map(|e| match e {
                Entry::Chapter { kind, target, .. } => Some((*kind, target.is_some())),
                _ => None,
            })
            .collect();
        assert_eq!(
            kinds,
            [
                (ChapterKind::Front, true),
                (ChapterKind::Body, true),
                (ChapterKind::Body, false),
                (ChapterKind::Back, true)
            ]
        );
    }
}
