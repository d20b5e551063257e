//! What a table's columns cannot be narrower than: the widest pieces of
//! each column that no line can break (a long word, an identifier, a
//! formula), written for `folio-table` to measure. typst measures a cell's
//! natural width but not this least width, and its automatic columns
//! shrink below it, setting the cells' text over each other.

use folio_core::{HtmlNode, Inline, MathState};

use crate::escape::{push_markup_text, push_str_literal};

/// How many candidates of each kind a column keeps: the widest by a count
/// of characters, which typst then measures exactly.
const CANDIDATES: usize = 3;

/// The widest unbreakable pieces of one column, as markup.
#[derive(Debug, Default)]
pub(super) struct ColumnPieces {
    /// Words, by length in characters.
    words: Vec<(usize, String)>,
    /// Formulas (typst sets an inline formula on one line), by source length.
    formulas: Vec<(usize, String)>,
}

/// The style of a piece of text: its width depends on it.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Style {
    pub strong: bool,
    pub code: bool,
}

impl ColumnPieces {
    /// The pieces of `inlines`, a Markdown cell.
    pub fn inlines(&mut self, inlines: &[Inline], style: Style) {
        for inline in inlines {
            match inline {
                Inline::Text { text, .. } => self.text(text, style),
                Inline::Code { code, .. } => self.text(
                    code,
                    Style {
                        code: true,
                        ..style
                    },
                ),
                Inline::Strong { content, .. } => {
                    self.inlines(
                        content,
                        Style {
                            strong: true,
                            ..style
                        },
                    );
                }
                Inline::Emphasis { content, .. } | Inline::Strikethrough { content, .. } => {
                    self.inlines(content, style);
                }
                Inline::Link(link) => self.inlines(&link.content, style),
                Inline::HtmlElement { content, .. } => self.inlines(content, style),
                Inline::Math(math) => {
                    let equation = match &math.state {
                        MathState::Converted { mathml } => {
                            super::math::equation(mathml, math.display, &math.source)
                        }
                        _ => None,
                    };
                    match equation {
                        Some(markup) => {
                            keep(&mut self.formulas, math.source.len(), format!("[{markup}]"));
                        }
                        // Its LaTeX, as code.
                        None => self.text(
                            &math.source,
                            Style {
                                code: true,
                                ..style
                            },
                        ),
                    }
                }
                _ => {}
            }
        }
    }

    /// The pieces of `nodes`, a raw HTML cell.
    pub fn html(&mut self, nodes: &[HtmlNode], style: Style) {
        for node in nodes {
            match node {
                HtmlNode::Text { text, .. } => self.text(text, style),
                HtmlNode::Element { element, children } => {
                    let style = match element.name.as_str() {
                        "b" | "strong" | "th" => Style {
                            strong: true,
                            ..style
                        },
                        "code" | "tt" | "kbd" | "samp" => Style {
                            code: true,
                            ..style
                        },
                        _ => style,
                    };
                    self.html(children, style);
                }
                _ => {}
            }
        }
    }

    fn text(&mut self, text: &str, style: Style) {
        for word in unbreakable(text) {
            let length = word.chars().count();
            if self.words.len() == CANDIDATES && self.words.iter().all(|(l, _)| *l >= length) {
                continue;
            }
            let mut markup = String::from("[");
            if style.strong {
                markup.push_str("#strong[");
            }
            if style.code {
                markup.push_str("#raw(");
                push_str_literal(&mut markup, word);
                markup.push_str(");");
            } else {
                push_markup_text(&mut markup, word);
            }
            if style.strong {
                markup.push_str("];");
            }
            markup.push(']');
            keep(&mut self.words, length, markup);
        }
    }

    /// The candidates as a typst array of content: `([…], […],)`.
    fn write(&self, out: &mut String) {
        out.push('(');
        for (_, markup) in self.words.iter().chain(&self.formulas) {
            out.push_str(markup);
            out.push_str(", ");
        }
        out.push(')');
    }
}

/// Every column's candidates, as a typst array of arrays.
pub(super) fn write_columns(columns: &[ColumnPieces], out: &mut String) {
    out.push('(');
    for column in columns {
        column.write(out);
        out.push_str(", ");
    }
    out.push(')');
}

/// Keeps `markup` among the `CANDIDATES` longest (the first met wins a tie,
/// so that the markup is the same on every run).
fn keep(kept: &mut Vec<(usize, String)>, length: usize, markup: String) {
    if kept.len() < CANDIDATES {
        kept.push((length, markup));
        return;
    }
    if let Some(shortest) = (0..kept.len()).min_by_key(|&i| (kept[i].0, std::cmp::Reverse(i)))
        && kept[shortest].0 < length
    {
        kept[shortest] = (length, markup);
    }
}

/// The pieces of `text` between which a line may break: at spaces, after a
/// hyphen between letters, and around every ideograph, kana or hangul (which
/// break anywhere). A piece cut where typst would not cut only makes the
/// column's least width smaller than it is, as typst's own columns were.
fn unbreakable(text: &str) -> impl Iterator<Item = &str> {
    text.split(char::is_whitespace)
        .filter(|word| !word.is_empty())
        .flat_map(|word| {
            let mut pieces = Vec::new();
            let mut start = 0;
            let mut previous: Option<char> = None;
            for (at, c) in word.char_indices() {
                let break_before = is_wide(c)
                    || previous.is_some_and(is_wide)
                    || (previous == Some('-')
                        && c.is_alphabetic()
                        && word[..at]
                            .trim_end_matches('-')
                            .chars()
                            .next_back()
                            .is_some_and(char::is_alphabetic));
                if break_before && at > start {
                    pieces.push(&word[start..at]);
                    start = at;
                }
                previous = Some(c);
            }
            if start < word.len() {
                pieces.push(&word[start..]);
            }
            pieces
        })
}

/// Scripts written without spaces, whose lines break between characters.
fn is_wide(c: char) -> bool {
    matches!(c,
        '\u{1100}'..='\u{11FF}'
        | '\u{2E80}'..='\u{A4CF}'
        | '\u{AC00}'..='\u{D7A3}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FE30}'..='\u{FE4F}'
        | '\u{FF00}'..='\u{FF60}'
        | '\u{20000}'..='\u{3FFFD}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_break_at_spaces_hyphens_and_between_ideographs() {
        let pieces: Vec<_> = unbreakable("s_digest  well-known x-1 日本語の表").collect();
        assert_eq!(
            pieces,
            [
                "s_digest", "well-", "known", "x-1", "日", "本", "語", "の", "表"
            ]
        );
    }

    #[test]
    fn a_column_keeps_its_longest_words_first_met_winning_ties() {
        let mut column = ColumnPieces::default();
        column.text("a bb ccc dd eee ffff g", Style::default());
        column.text(
            "hhhh",
            Style {
                strong: true,
                code: true,
            },
        );
        let mut out = String::new();
        column.write(&mut out);
        // ccc and eee tie at 3: hhhh takes the place of the later one.
        assert_eq!(
            out,
            r##"([#"ffff";], [#"eee";], [#strong[#raw("hhhh");];], )"##
        );
    }
}
