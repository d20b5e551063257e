//! The glossary of a GitBook book: each term (a `## Term` heading of
//! `GLOSSARY.md`) gets its heading's id, and in every other chapter the
//! first occurrence of each term in running text becomes a link to it —
//! a link already resolved (`LinkTarget::Chapter`), which every edition
//! prints by the one link rule.
//!
//! Terms match whole words, ignoring case; where several terms start at the
//! same place, the longest wins. Headings, links, code, raw HTML, images,
//! citations and the glossary itself are left alone. One walk of each
//! chapter's text: each word is looked up in a map of the terms by their
//! first word, so the cost does not grow with the number of terms.

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use crate::model::{Block, Book, Chapter, ChapterId, Glossary, Inline, Link, LinkTarget, Span};
use crate::paths;

/// Runs after the ids pass (every heading has its id) and the links pass
/// (which would otherwise decide these links again).
pub fn resolve(book: &mut Book) {
    let Book {
        glossary, chapters, ..
    } = book;
    let Some(glossary) = glossary.as_mut() else {
        return;
    };
    let chapter = &chapters[glossary.chapter];
    for term in &mut glossary.terms {
        if let Some(Block::Heading { id, .. }) = chapter.blocks.get(term.block) {
            term.id = id.clone();
        }
    }
    let Some(links) = TermLinks::new(glossary, &chapter.file) else {
        return;
    };
    super::per_chapter(chapters, |id, chapter| links.link(id, chapter));
}

/// The glossary's terms (once each has its id), ready to be linked in any
/// chapter.
pub(super) struct TermLinks<'a> {
    terms: Terms<'a>,
    glossary: ChapterId,
    glossary_file: String,
}

impl<'a> TermLinks<'a> {
    /// `None` when no term can be linked.
    pub(super) fn new(glossary: &'a Glossary, glossary_file: &str) -> Option<Self> {
        let terms = Terms::new(
            glossary
                .terms
                .iter()
                .filter(|t| !t.id.is_empty())
                .map(|t| (t.term.as_str(), t.id.as_str())),
        );
        (!terms.by_first_word.is_empty()).then(|| TermLinks {
            terms,
            glossary: glossary.chapter,
            glossary_file: glossary_file.to_string(),
        })
    }

    /// Links the first occurrence of each term in the chapter's text.
    pub(super) fn link(&self, id: ChapterId, chapter: &mut Chapter) {
        if id == self.glossary {
            return;
        }
        let url_base = paths::relative(&chapter.file, &self.glossary_file);
        let mut linker = Linker {
            terms: &self.terms,
            glossary: self.glossary,
            url_base: &url_base,
            used: HashSet::new(),
        };
        linker.blocks(&mut chapter.blocks);
        for note in &mut chapter.footnotes {
            linker.blocks(&mut note.blocks);
        }
    }
}

/// One term as matched: its text lowercased, char by char.
struct Term<'a> {
    /// Each char of the term, lowercased on its own (so that a match
    /// covers as many chars of the text as the term has).
    chars: Vec<char>,
    /// How many chars come before its first word (`.NET`: 1).
    before_first_word: usize,
    id: &'a str,
}

struct Terms<'a> {
    terms: Vec<Term<'a>>,
    /// A term's first word (lowercased) → the terms starting with it, longest first.
    by_first_word: HashMap<String, Vec<usize>>,
}

impl<'a> Terms<'a> {
    fn new(written: impl Iterator<Item = (&'a str, &'a str)>) -> Self {
        let mut terms: Vec<Term<'a>> = Vec::new();
        let mut by_first_word: HashMap<String, Vec<usize>> = HashMap::new();
        let mut seen = HashSet::new();
        for (text, id) in written {
            let chars: Vec<char> = text.chars().map(lower).collect();
            let Some(first) = words(text).next() else {
                continue;
            };
            // The first of two terms written alike wins.
            if !seen.insert(chars.clone()) {
                continue;
            }
            let before_first_word = text[..first.0].chars().count();
            let key: String = text[first.0..first.1].chars().map(lower).collect();
            by_first_word.entry(key).or_default().push(terms.len());
            terms.push(Term {
                chars,
                before_first_word,
                id,
            });
        }
        for candidates in by_first_word.values_mut() {
            candidates.sort_by_key(|&t| std::cmp::Reverse(terms[t].chars.len()));
        }
        Terms {
            terms,
            by_first_word,
        }
    }
}

/// A char lowercased alone: its first lowercase char (`İ` → `i`), so that
/// text and term are compared char for char.
fn lower(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// The words of `text`: byte ranges of runs of letters and digits.
fn words(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        let (start, _) = chars.by_ref().find(|(_, c)| c.is_alphanumeric())?;
        let mut end = text.len();
        while let Some(&(i, c)) = chars.peek() {
            if !c.is_alphanumeric() {
                end = i;
                break;
            }
            chars.next();
        }
        Some((start, end))
    })
}

struct Linker<'t, 'a> {
    terms: &'t Terms<'a>,
    glossary: ChapterId,
    url_base: &'t str,
    /// The terms this chapter links already.
    used: HashSet<usize>,
}

impl Linker<'_, '_> {
    fn blocks(&mut self, blocks: &mut [Block]) {
        for block in blocks {
            match block {
                Block::Paragraph { content, .. } => self.inlines(content),
                Block::BlockQuote { blocks, .. } => self.blocks(blocks),
                Block::HtmlElement { element, blocks } if !element.is_link() => self.blocks(blocks),
                Block::List { items, .. } => {
                    for item in items {
                        self.blocks(&mut item.blocks);
                    }
                }
                Block::Table { header, rows, .. } => {
                    for cell in header.iter_mut().chain(rows.iter_mut().flatten()) {
                        self.inlines(cell);
                    }
                }
                // Each edition reads one branch: each links the terms it meets.
                Block::ForEditions { website, ebook, .. } => {
                    let before = self.used.clone();
                    self.blocks(website);
                    let after_website = std::mem::replace(&mut self.used, before);
                    self.blocks(ebook);
                    self.used.extend(after_website);
                }
                // Headings, code, raw HTML, figures.
                _ => {}
            }
        }
    }

    fn inlines(&mut self, seq: &mut Vec<Inline>) {
        if self.used.len() == self.terms.terms.len() {
            return;
        }
        let mut out = Vec::with_capacity(seq.len());
        for mut inline in std::mem::take(seq) {
            match &mut inline {
                Inline::Text { text, span } => {
                    self.text(text, *span, &mut out);
                    continue;
                }
                Inline::Emphasis { content, .. }
                | Inline::Strong { content, .. }
                | Inline::Strikethrough { content, .. } => self.inlines(content),
                // Links, code, raw HTML, images, notes and citations.
                _ => {}
            }
            out.push(inline);
        }
        *seq = out;
    }

    /// `text` into `out`, each first occurrence of a term made a link.
    fn text(&mut self, text: &str, span: Span, out: &mut Vec<Inline>) {
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        // Byte offset → char index, for the words' starts.
        let mut done = 0; // byte offset of the text not yet pushed
        let mut place = Place::new(span);
        let mut char_at = 0; // char index of the search
        for (start, end) in words(text) {
            while chars[char_at].0 < start {
                char_at += 1;
            }
            if start < done {
                continue;
            }
            let key: String = text[start..end].chars().map(lower).collect();
            let Some(candidates) = self.terms.by_first_word.get(&key) else {
                continue;
            };
            let found = candidates.iter().copied().find(|&t| {
                !self.used.contains(&t) && matches(&self.terms.terms[t], &chars, char_at)
            });
            let Some(t) = found else { continue };
            let term = &self.terms.terms[t];
            let first = char_at - term.before_first_word;
            let from = chars[first].0;
            let to = chars
                .get(first + term.chars.len())
                .map_or(text.len(), |&(i, _)| i);
            if from < done {
                continue;
            }
            self.used.insert(t);
            if from > done {
                out.push(Inline::Text {
                    text: text[done..from].to_string(),
                    span: place.at(&text[done..from]),
                });
            }
            let link_span = place.at(&text[done..from]);
            place.advance(&text[done..from]);
            out.push(Inline::Link(Box::new(Link {
                url: format!("{}#{}", self.url_base, term.id),
                title: None,
                target: LinkTarget::Chapter {
                    chapter: self.glossary,
                    anchor: Some(term.id.to_string()),
                },
                content: vec![Inline::Text {
                    text: text[from..to].to_string(),
                    span: link_span,
                }],
                span: link_span,
            })));
            place.advance(&text[from..to]);
            done = to;
        }
        if done == 0 {
            out.push(Inline::Text {
                text: text.to_string(),
                span,
            });
        } else if done < text.len() {
            out.push(Inline::Text {
                text: text[done..].to_string(),
                span: place.at(""),
            });
        }
    }
}

/// Does `term` occur in `chars` with its first word at `word`, as whole words?
fn matches(term: &Term, chars: &[(usize, char)], word: usize) -> bool {
    let Some(first) = word.checked_sub(term.before_first_word) else {
        return false;
    };
    let end = first + term.chars.len();
    if end > chars.len() {
        return false;
    }
    let alike = chars[first..end]
        .iter()
        .zip(&term.chars)
        .all(|(&(_, c), &t)| lower(c) == t);
    let joined = |at: Option<&(usize, char)>, edge: Option<&char>| matches!((at, edge), (Some((_, c)), Some(e)) if c.is_alphanumeric() && e.is_alphanumeric());
    let before = first.checked_sub(1).and_then(|i| chars.get(i));
    alike && !joined(before, term.chars.first()) && !joined(chars.get(end), term.chars.last())
}

/// Where a piece of a text inline starts in its source: the text's span
/// moved by the text before it.
struct Place {
    span: Span,
}

impl Place {
    fn new(span: Span) -> Self {
        Place { span }
    }

    /// The span of what follows `before` (not yet advanced over).
    fn at(&self, before: &str) -> Span {
        let mut span = self.span;
        for c in before.chars() {
            if c == '\n' {
                span.line += 1;
                span.col = 1;
            } else {
                span.col += 1;
            }
        }
        span
    }

    fn advance(&mut self, text: &str) {
        self.span = self.at(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_str;
    use crate::model::{Glossary, GlossaryTerm, plain_text};

    /// A book of `chapter` and a glossary of `terms`, resolved.
    fn linked(chapter: &str, terms: &[&str]) -> Book {
        let glossary: String = terms
            .iter()
            .map(|t| format!("## {t}\n\nA definition.\n\n"))
            .collect();
        let mut book = load_str(chapter);
        let mut second = load_str(&glossary);
        let mut glossary_chapter = second.chapters.remove(0);
        glossary_chapter.file = "GLOSSARY.md".into();
        glossary_chapter.id = "ch-glossary".into();
        book.chapters.push(glossary_chapter);
        book.glossary = Some(Glossary {
            chapter: ChapterId::new(1),
            terms: terms
                .iter()
                .enumerate()
                .map(|(i, t)| GlossaryTerm {
                    term: t.to_string(),
                    block: 2 * i,
                    id: String::new(),
                })
                .collect(),
        });
        crate::resolve::resolve(&mut book);
        book
    }

    /// `(linked text, anchor)` of every glossary link of the first chapter.
    fn links(book: &Book) -> Vec<(String, String)> {
        let mut found = Vec::new();
        let mut chapter = book.chapters[0].clone();
        crate::visit::each_chapter_inline(&mut chapter, &mut |inline| {
            if let Inline::Link(link) = inline
                && let LinkTarget::Chapter {
                    anchor: Some(anchor),
                    ..
                } = &link.target
            {
                found.push((plain_text(&link.content), anchor.clone()));
            }
        });
        found
    }

    #[test]
    fn the_first_occurrence_links_as_whole_words_longest_first() {
        let book = linked(
            "A wick and a Wick. Wicked wicks; the pull request, then a request.\n",
            &["wick", "request", "pull request"],
        );
        assert_eq!(
            links(&book),
            [
                ("wick".to_string(), "wick".to_string()),
                ("pull request".to_string(), "pull-request".to_string()),
                ("request".to_string(), "request".to_string()),
            ]
        );
        let Block::Paragraph { content, .. } = &book.chapters[0].blocks[0] else {
            panic!()
        };
        assert_eq!(
            plain_text(content),
            "A wick and a Wick. Wicked wicks; the pull request, then a request."
        );
        // Spans move with the text: `wick` is at column 3.
        let Inline::Link(link) = &content[1] else {
            panic!("{content:?}")
        };
        assert_eq!((link.span.line, link.span.col), (1, 3));
    }

    #[test]
    fn headings_code_links_and_raw_html_are_left_alone() {
        let book = linked(
            "# Wick\n\nThe `wick`, [a wick](https://example.org), <b>wick</b> and *the Wick*.\n\nA wick.\n",
            &["wick"],
        );
        assert_eq!(links(&book), [("Wick".to_string(), "wick".to_string())]);
        let text = serde_json::to_string(&book.chapters[0].blocks[1]).unwrap();
        assert!(text.contains(r##""url":"GLOSSARY.md#wick""##), "{text}");
    }

    #[test]
    fn cased_and_non_ascii_terms_match() {
        let book = linked("L’ÉTÉ passe; C++ aussi.\n", &["été", "C++"]);
        assert_eq!(
            links(&book),
            [
                ("ÉTÉ".to_string(), "ete".to_string()),
                ("C++".to_string(), "c".to_string()),
            ]
        );
    }
}
