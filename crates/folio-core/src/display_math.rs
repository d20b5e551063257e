//! mdbook-katex's display formulas, kept whole through Markdown's reading
//! of blocks.
//!
//! That preprocessor takes every `$$ … $$` out of the chapter before
//! Markdown reads it, so a formula may hold a blank line, or a line that
//! Markdown would read as the start of a block: `+ x` or `1. & y` (a list
//! item), `# …`, `> …`, a fence, an HTML tag, a setext underline. folio
//! reads dollars inside Markdown (comrak), where such a line ends the
//! paragraph and the formula with it. In the books that use mdbook-katex,
//! those lines are made harmless before Markdown reads the chapter: a blank
//! line becomes `%` (a LaTeX comment, dropped again from the formula's
//! source), a line that would open a block is indented four more spaces
//! (which Markdown reads as more of the paragraph, and LaTeX ignores).
//! Every line keeps its number, every other line its columns.
//!
//! The edits are kept only where they worked: after a second reading,
//! every line they touched must lie inside a formula; a formula whose lines
//! do not (dollars that were not math to Markdown after all) is read as it
//! was written.

use std::ops::RangeInclusive;

use comrak::nodes::{AstNode, NodeValue};
use comrak::{Arena, Options, parse_document};

/// The chapter read again with its display formulas kept whole.
pub struct Kept<'a> {
    pub text: String,
    pub root: &'a AstNode<'a>,
    /// The lines (1-based) it changed, in order, and how.
    pub edited: Vec<(usize, Edit)>,
}

/// `text`, already read as `root`, read again with its display formulas
/// kept whole; `None` when none needed it or no edit worked.
pub fn keep_whole<'a>(
    text: &str,
    root: &'a AstNode<'a>,
    arena: &'a Arena<'a>,
    options: &Options<'_>,
) -> Option<Kept<'a>> {
    let mut plan = plan(
        text,
        &block_lines(root, |v| {
            matches!(v, NodeValue::CodeBlock(_) | NodeValue::HtmlBlock(_))
        }),
    );
    // A formula dropped from the plan can change how the others read: try
    // again, a few times at most.
    for _ in 0..3 {
        if plan.is_empty() {
            return None;
        }
        let kept = apply(text, &plan);
        let root = parse_document(arena, &kept, options);
        let formulas = block_lines(root, |v| matches!(v, NodeValue::Math(_)));
        let before = plan.len();
        plan.retain(|edits| edits.iter().all(|(line, _)| covers(&formulas, *line)));
        if plan.len() == before {
            let edited = plan
                .iter()
                .flatten()
                .map(|&(line, edit)| (line + 1, edit))
                .collect();
            return Some(Kept {
                text: kept,
                root,
                edited,
            });
        }
    }
    None
}

/// Whether one of `ranges` (in document order, none inside another: code
/// and HTML blocks, or formulas) holds `line`.
fn covers(ranges: &[RangeInclusive<usize>], line: usize) -> bool {
    let before = ranges.partition_point(|range| *range.start() <= line);
    before > 0 && ranges[before - 1].contains(&line)
}

/// The lines (0-based) of the nodes `wanted` picks.
fn block_lines<'a>(
    root: &'a AstNode<'a>,
    wanted: impl Fn(&NodeValue) -> bool,
) -> Vec<RangeInclusive<usize>> {
    root.descendants()
        .filter_map(|node| {
            let data = node.data();
            wanted(&data.value).then(|| {
                let pos = data.sourcepos;
                pos.start.line.saturating_sub(1)..=pos.end.line.saturating_sub(1)
            })
        })
        .collect()
}

/// For each display formula outside `raw_lines` (code and HTML blocks)
/// that needs it, the edits of its lines (0-based), in order.
fn plan(text: &str, raw_lines: &[RangeInclusive<usize>]) -> Vec<Vec<(usize, Edit)>> {
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|at| at + 1))
        .collect();
    let line_of = |at: usize| line_starts.partition_point(|&start| start <= at) - 1;
    let line = |number: usize| {
        let end = line_starts
            .get(number + 1)
            .map_or(text.len(), |next| next - 1);
        &text[line_starts[number]..end]
    };
    let mut plan = Vec::new();
    for formula in display_formulas(text) {
        let first = line_of(formula.start);
        if covers(raw_lines, first) {
            continue;
        }
        let edits: Vec<(usize, Edit)> = (first + 1..=line_of(formula.end))
            .filter_map(|number| {
                let line = line(number).trim_end_matches('\r');
                if line.trim().is_empty() {
                    Some((number, Edit::Comment))
                } else if opens_a_block(line) {
                    Some((number, Edit::Indent))
                } else {
                    None
                }
            })
            .collect();
        if !edits.is_empty() {
            plan.push(edits);
        }
    }
    plan
}

/// `text` with `plan`'s edits made.
fn apply(text: &str, plan: &[Vec<(usize, Edit)>]) -> String {
    let mut out = String::with_capacity(text.len() + 4 * plan.len());
    let mut edits = plan.iter().flatten().copied().peekable();
    for (number, line) in text.split_inclusive('\n').enumerate() {
        match edits.next_if(|(at, _)| *at == number) {
            Some((_, Edit::Comment)) => {
                out.push('%');
                out.push_str(&line[line.trim_end_matches(['\n', '\r']).len()..]);
            }
            Some((_, Edit::Indent)) => {
                out.push_str("    ");
                out.push_str(line);
            }
            None => out.push_str(line),
        }
    }
    out
}

/// A formula's own line that `keep_whole` made a `%` comment, dropped
/// from its source: LaTeX reads nothing there either.
pub fn without_comment_lines(source: &str) -> String {
    source
        .split_inclusive('\n')
        .filter(|line| line.trim() != "%")
        .collect()
}

/// What was done to one of a formula's lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// An empty or blank line, now `%`.
    Comment,
    /// Indented four more spaces.
    Indent,
}

impl Edit {
    /// The column (0-based) a character at `column` of the edited line
    /// was written at. Nothing but the formula should stand on such a
    /// line, but comrak's positions can be a line off (after reference
    /// definitions): whatever lands there stays inside the line as written.
    pub fn written_column(self, column: usize) -> usize {
        match self {
            Edit::Comment => 0,
            Edit::Indent => column.saturating_sub(4),
        }
    }
}

/// Byte range of a `$$ … $$`, delimiters included.
struct Formula {
    start: usize,
    end: usize,
}

/// The display formulas of `text` as mdbook-katex finds them: a `\`
/// escapes the next character, code between backticks is skipped, a `$…$`
/// formula is skipped whole (its `$$` is not an opening), and a `$$` runs
/// to the next unescaped `$$`. An opening without its closing ends the search.
fn display_formulas(text: &str) -> Vec<Formula> {
    let bytes = text.as_bytes();
    let backticks = BacktickRuns::new(bytes);
    let mut found = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => at += 2,
            b'`' => {
                let run = bytes[at..].iter().take_while(|&&b| b == b'`').count();
                at += run;
                if let Some(close) = backticks.closing(at, run) {
                    at = close + run;
                }
            }
            b'$' => {
                let delimiter: &[u8] = if bytes.get(at + 1) == Some(&b'$') {
                    b"$$"
                } else {
                    b"$"
                };
                let Some(close) = unescaped(bytes, at + delimiter.len(), delimiter) else {
                    break;
                };
                let end = close + delimiter.len();
                if delimiter == b"$$" {
                    found.push(Formula { start: at, end });
                }
                at = end;
            }
            _ => at += 1,
        }
    }
    found
}

/// Every run of backticks of a text, by length: where the run closing
/// code opened by one is found without searching the text again (an
/// unclosed run would otherwise search to the end, for each one).
struct BacktickRuns {
    starts_by_length: std::collections::HashMap<usize, Vec<usize>>,
}

impl BacktickRuns {
    fn new(bytes: &[u8]) -> BacktickRuns {
        let mut starts_by_length: std::collections::HashMap<usize, Vec<usize>> =
            std::collections::HashMap::new();
        let mut at = 0;
        while let Some(start) = memchr::memchr(b'`', &bytes[at..]).map(|i| at + i) {
            let length = bytes[start..].iter().take_while(|&&b| b == b'`').count();
            starts_by_length.entry(length).or_default().push(start);
            at = start + length;
        }
        BacktickRuns { starts_by_length }
    }

    /// Where the first run of exactly `length` backticks at or after
    /// `from` starts.
    fn closing(&self, from: usize, length: usize) -> Option<usize> {
        let starts = self.starts_by_length.get(&length)?;
        starts
            .get(starts.partition_point(|&start| start < from))
            .copied()
    }
}

/// The first `delimiter` from `from` on that no odd run of `\` precedes.
fn unescaped(bytes: &[u8], mut from: usize, delimiter: &[u8]) -> Option<usize> {
    while let Some(found) = memchr::memmem::find(&bytes[from..], delimiter).map(|at| from + at) {
        let backslashes = bytes[..found]
            .iter()
            .rev()
            .take_while(|&&b| b == b'\\')
            .count();
        if backslashes % 2 == 0 {
            return Some(found);
        }
        from = found + 1;
    }
    None
}

/// Whether Markdown would read `line`, inside a paragraph, as the start
/// of another block (up to three spaces of indentation allow it).
fn opens_a_block(line: &str) -> bool {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return false;
    }
    let rest = &line[indent..];
    let then_space = |after: &str| after.is_empty() || after.starts_with([' ', '\t']);
    let marker_then_space = |marker: char| rest.strip_prefix(marker).is_some_and(then_space);
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let numbered = (1..=9).contains(&digits)
        && rest[digits..]
            .strip_prefix(['.', ')'])
            .is_some_and(then_space);
    let heading = {
        let hashes = rest.bytes().take_while(|&b| b == b'#').count();
        (1..=6).contains(&hashes) && then_space(&rest[hashes..])
    };
    // A setext underline (`=`, `-`) or a thematic break (`***`, `___`):
    // counted loosely, as indenting a formula's line costs nothing.
    let marks = |c: char| {
        let mut count = 0;
        for x in rest.chars() {
            if x == c {
                count += 1;
            } else if !x.is_whitespace() {
                return 0;
            }
        }
        count
    };
    ['-', '+', '*'].into_iter().any(marker_then_space)
        || numbered
        || heading
        || rest.starts_with(['>', '<'])
        || rest.starts_with("```")
        || rest.starts_with("~~~")
        || marks('=') >= 1
        || marks('-') >= 1
        || marks('*') >= 3
        || marks('_') >= 3
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` read as comrak reads a katex book, kept whole if it needed it.
    fn kept(text: &str) -> Option<(String, Vec<usize>)> {
        let arena = Arena::new();
        let mut options = crate::reader::options(false);
        options.extension.math_dollars = true;
        let root = parse_document(&arena, text, &options);
        keep_whole(text, root, &arena, &options).map(|kept| {
            let indented = kept
                .edited
                .iter()
                .filter(|(_, edit)| *edit == Edit::Indent)
                .map(|(line, _)| *line)
                .collect();
            (kept.text, indented)
        })
    }

    #[test]
    fn blank_and_block_opening_lines_of_a_formula_are_made_harmless() {
        let text = "Text.\n\n$$q = \\sum\n\nx_2^i\n+ y \\\\\n1. & z\n  - w\n$$\n\n- a list\n";
        let (kept, indented) = kept(text).unwrap();
        assert_eq!(
            kept,
            "Text.\n\n$$q = \\sum\n%\nx_2^i\n    + y \\\\\n    1. & z\n      - w\n$$\n\n- a list\n"
        );
        assert_eq!(indented, [6, 7, 8]);
        assert_eq!(kept.lines().count(), text.lines().count());
        assert_eq!(
            without_comment_lines("q = \\sum\n%\nx_2^i\n"),
            "q = \\sum\nx_2^i\n"
        );
    }

    #[test]
    fn code_escapes_inline_formulas_and_raw_blocks_are_left_alone() {
        // `$$` in a code span, escaped, or between two `$…$`: no formula;
        // then dollars in a `~~~` code block (a backtick fence is skipped as
        // code while looking for dollars; this one only the first reading tells).
        let text = "`$$`\n\n+ x\n\n\\$\\$ y\n\n$a$$b$\n\n~~~\n$$\n\n+ d\n$$\n~~~\n";
        assert_eq!(kept(text), None);
        // Dollars Markdown does not read as a formula even once kept whole
        // (here split by a table): read as written.
        assert_eq!(kept("| a | $$ |\n|---|---|\n\n+ b $$\n"), None);
    }

    #[test]
    fn what_opens_a_block() {
        for line in [
            "+ x", "- x", "* x", "1. x", "12) x", "# x", "> x", "```", "~~~", "<div>", "===",
            "---", "***", "   + x", "-",
        ] {
            assert!(opens_a_block(line), "{line:?}");
        }
        for line in [
            "+x", "x + y", "    + x", "1.5", "#x", "\\\\", "& = x", "-x", "a_1",
        ] {
            assert!(!opens_a_block(line), "{line:?}");
        }
    }
}
