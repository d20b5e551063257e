//! What typst needs to size a table's columns, written for `folio-table`
//! to measure: for each column, the widest pieces of its cells that no line
//! can break (a long word, an identifier, a formula: its least width) and
//! its widest cells set on one line (its natural width). typst's automatic
//! columns do not know the least width and shrink below it, setting the
//! cells' text over each other; and measuring the cells themselves would
//! measure their links, whose targets typst only knows after a first pass
//! (a third layout pass of the whole book). So the candidates are the
//! cells' text, formulas and code in their style, without links or notes.

use folio_core::{HtmlNode, Inline, MathState};

use crate::escape::{push_markup_text, push_str_literal};

/// How many candidates of each kind a column keeps: the widest by a count
/// of characters, which typst then measures exactly.
const CANDIDATES: usize = 3;

/// A column's candidates, as markup.
#[derive(Debug, Default)]
struct ColumnPieces {
    /// Words, by length in characters.
    words: Vec<(usize, String)>,
    /// Formulas (typst sets an inline formula on one line), by source length.
    formulas: Vec<(usize, String)>,
    /// Whole cells on one line, by length in characters.
    cells: Vec<(usize, String)>,
}

/// The style of a piece of text: its width depends on it.
#[derive(Debug, Clone, Copy, Default)]
struct Style {
    strong: bool,
    code: bool,
}

impl Style {
    fn strong(strong: bool) -> Style {
        Style {
            strong,
            code: false,
        }
    }
}

/// One stretch of a cell's content, in its style.
enum Segment<'a> {
    Text(&'a str),
    /// A typeset formula's markup, and the length of its LaTeX.
    Formula(String, usize),
}

/// One cell being read: its content as one line of markup, and its length.
#[derive(Default)]
struct Whole {
    markup: String,
    length: usize,
}

impl ColumnPieces {
    /// A Markdown cell.
    fn inlines(&mut self, inlines: &[Inline], style: Style) {
        let mut whole = Whole::default();
        self.walk_inlines(inlines, style, &mut whole);
        self.keep_cell(whole);
    }

    /// A raw HTML cell.
    fn html(&mut self, nodes: &[HtmlNode], style: Style) {
        let mut whole = Whole::default();
        self.walk_html(nodes, style, &mut whole);
        self.keep_cell(whole);
    }

    fn walk_inlines(&mut self, inlines: &[Inline], style: Style, whole: &mut Whole) {
        let code = Style {
            code: true,
            ..style
        };
        for inline in inlines {
            match inline {
                Inline::Text { text, .. } => self.segment(Segment::Text(text), style, whole),
                Inline::Code { code: text, .. } => self.segment(Segment::Text(text), code, whole),
                Inline::SoftBreak { .. } | Inline::HardBreak { .. } => {
                    self.segment(Segment::Text(" "), style, whole);
                }
                Inline::Strong { content, .. } => {
                    let strong = Style {
                        strong: true,
                        ..style
                    };
                    self.walk_inlines(content, strong, whole);
                }
                Inline::Emphasis { content, .. } | Inline::Strikethrough { content, .. } => {
                    self.walk_inlines(content, style, whole);
                }
                Inline::Link(link) => self.walk_inlines(&link.content, style, whole),
                Inline::HtmlElement { content, .. } => self.walk_inlines(content, style, whole),
                Inline::Math(math) => {
                    let equation = match &math.state {
                        MathState::Converted { mathml } => {
                            super::math::equation(mathml, math.display, &math.source)
                        }
                        _ => None,
                    };
                    match equation {
                        Some(markup) => {
                            self.segment(Segment::Formula(markup, math.source.len()), style, whole)
                        }
                        // Its LaTeX, as code.
                        None => self.segment(Segment::Text(&math.source), code, whole),
                    }
                }
                _ => {}
            }
        }
    }

    fn walk_html(&mut self, nodes: &[HtmlNode], style: Style, whole: &mut Whole) {
        for node in nodes {
            match node {
                HtmlNode::Text { text, .. } => self.segment(Segment::Text(text), style, whole),
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
                    self.walk_html(children, style, whole);
                }
                _ => {}
            }
        }
    }

    /// A stretch of a cell: its unbreakable pieces kept as candidates, and
    /// itself added to the whole cell.
    fn segment(&mut self, segment: Segment<'_>, style: Style, whole: &mut Whole) {
        match segment {
            Segment::Text(text) => {
                for word in unbreakable(text) {
                    let length = word.chars().count();
                    if self.words.len() < CANDIDATES || self.words.iter().any(|(l, _)| *l < length)
                    {
                        let mut markup = String::from("[");
                        styled(word, style, &mut markup);
                        markup.push(']');
                        keep(&mut self.words, length, markup);
                    }
                }
                whole.length += text.chars().count();
                styled(text, style, &mut whole.markup);
            }
            Segment::Formula(markup, length) => {
                whole.length += length;
                whole.markup.push_str(&markup);
                keep(&mut self.formulas, length, format!("[{markup}]"));
            }
        }
    }

    fn keep_cell(&mut self, whole: Whole) {
        if whole.length > 0 {
            keep(&mut self.cells, whole.length, format!("[{}]", whole.markup));
        }
    }

    /// The least candidates as a typst array of content: `([…], […],)`.
    fn write_least(&self, out: &mut String) {
        write_array(self.words.iter().chain(&self.formulas), out);
    }

    /// The natural candidates as a typst array of content.
    fn write_natural(&self, out: &mut String) {
        write_array(self.cells.iter(), out);
    }
}

/// `text` as markup in `style`.
fn styled(text: &str, style: Style, out: &mut String) {
    if style.strong {
        out.push_str("#strong[");
    }
    if style.code {
        out.push_str("#raw(");
        push_str_literal(out, text);
        out.push_str(");");
    } else {
        push_markup_text(out, text);
    }
    if style.strong {
        out.push_str("];");
    }
}

fn write_array<'a>(items: impl Iterator<Item = &'a (usize, String)>, out: &mut String) {
    out.push('(');
    for (_, markup) in items {
        out.push_str(markup);
        out.push_str(", ");
    }
    out.push(')');
}

/// A table's columns, their candidates gathered cell by cell.
pub(super) struct Sizes(Vec<ColumnPieces>);

impl Sizes {
    pub fn new(columns: usize) -> Sizes {
        Sizes(
            std::iter::repeat_with(ColumnPieces::default)
                .take(columns)
                .collect(),
        )
    }

    /// A Markdown cell of `column`; a header's is `strong`.
    pub fn inlines(&mut self, column: usize, inlines: &[Inline], strong: bool) {
        self.0[column].inlines(inlines, Style::strong(strong));
    }

    /// A raw HTML cell of `column`; a header's is `strong`.
    pub fn html(&mut self, column: usize, nodes: &[HtmlNode], strong: bool) {
        self.0[column].html(nodes, Style::strong(strong));
    }

    /// Every column's candidates as `folio-table`'s arguments:
    /// `least: (…), natural: (…)`.
    pub fn write(&self, out: &mut String) {
        out.push_str("least: (");
        for column in &self.0 {
            column.write_least(out);
            out.push_str(", ");
        }
        out.push_str("), natural: (");
        for column in &self.0 {
            column.write_natural(out);
            out.push_str(", ");
        }
        out.push(')');
    }
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
    fn a_column_keeps_its_longest_words_and_cells_first_met_winning_ties() {
        let mut sizes = Sizes::new(1);
        let text = |text: &str| Inline::Text {
            text: text.into(),
            span: folio_core::Span::default(),
        };
        sizes.inlines(0, &[text("a bb ccc dd eee ffff g")], false);
        let code = Inline::Code {
            code: "hhhh".into(),
            span: folio_core::Span::default(),
        };
        sizes.inlines(0, &[code], true);
        let mut out = String::new();
        sizes.write(&mut out);
        // ccc and eee tie at 3: hhhh takes the place of the later one; both
        // cells are candidates for the natural width.
        assert_eq!(
            out,
            r##"least: (([#"ffff";], [#"eee";], [#strong[#raw("hhhh");];], ), ), natural: (([#"a bb ccc dd eee ffff g";], [#strong[#raw("hhhh");];], ), )"##
        );
    }
}
