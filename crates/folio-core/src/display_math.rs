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

use std::ops::RangeInclusive;

/// `text` with its display formulas kept whole, or `None` when none
/// needed it. `raw_lines` are the lines of code and HTML blocks, where
/// dollars are not math.
pub fn keep_whole(text: &str, raw_lines: &[RangeInclusive<usize>]) -> Option<String> {
    let mut edits: Vec<(usize, Edit)> = Vec::new();
    for formula in display_formulas(text) {
        let first = line_of(text, formula.start);
        let last = line_of(text, formula.end);
        if raw_lines.iter().any(|raw| raw.contains(&first)) {
            continue;
        }
        for (number, line) in text.lines().enumerate().skip(first + 1).take(last - first) {
            if line.trim().is_empty() {
                edits.push((number, Edit::Comment));
            } else if opens_a_block(line) {
                edits.push((number, Edit::Indent));
            }
        }
    }
    if edits.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len() + 4 * edits.len());
    let mut edits = edits.into_iter().peekable();
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
    Some(out)
}

/// A formula's own line that `keep_whole` made a `%` comment, dropped
/// from its source: LaTeX reads nothing there either.
pub fn without_comment_lines(source: &str) -> String {
    source
        .split_inclusive('\n')
        .filter(|line| line.trim() != "%")
        .collect()
}

#[derive(Debug, Clone, Copy)]
enum Edit {
    Comment,
    Indent,
}

/// Byte range of a `$$ … $$`, delimiters included.
struct Formula {
    start: usize,
    end: usize,
}

/// 0-based line of byte `at`.
fn line_of(text: &str, at: usize) -> usize {
    memchr::memchr_iter(b'\n', &text.as_bytes()[..at]).count()
}

/// The display formulas of `text` as mdbook-katex finds them: a `\`
/// escapes the next character, code between backticks is skipped, a `$…$`
/// formula is skipped whole (its `$$` is not an opening), and a `$$` runs
/// to the next unescaped `$$`. An opening without its closing ends the search.
fn display_formulas(text: &str) -> Vec<Formula> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => at += 2,
            b'`' => {
                let run = bytes[at..].iter().take_while(|&&b| b == b'`').count();
                at += run;
                if let Some(close) = closing_backticks(&bytes[at..], run) {
                    at += close + run;
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

/// Where a run of exactly `run` backticks starts in `bytes`.
fn closing_backticks(bytes: &[u8], run: usize) -> Option<usize> {
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'`' {
            let length = bytes[at..].iter().take_while(|&&b| b == b'`').count();
            if length == run {
                return Some(at);
            }
            at += length;
        } else {
            at += 1;
        }
    }
    None
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

    #[test]
    fn blank_and_block_opening_lines_of_a_formula_are_made_harmless() {
        let text = "Text.\n\n$$q = \\sum\n\nx_2^i\n+ y \\\\\n1. & z\n  - w\n$$\n\n- a list\n";
        let kept = keep_whole(text, &[]).unwrap();
        assert_eq!(
            kept,
            "Text.\n\n$$q = \\sum\n%\nx_2^i\n    + y \\\\\n    1. & z\n      - w\n$$\n\n- a list\n"
        );
        assert_eq!(kept.lines().count(), text.lines().count());
        assert_eq!(
            without_comment_lines("q = \\sum\n%\nx_2^i\n"),
            "q = \\sum\nx_2^i\n"
        );
    }

    #[test]
    fn code_escapes_inline_formulas_and_raw_blocks_are_left_alone() {
        // `$$` in a code span, escaped, or between two `$…$`: no formula;
        // then one in a `~~~` code block (lines 8 to 13), which only the
        // reader's raw lines tell (a backtick fence is skipped as code).
        let text = "`$$`\n\n+ x\n\n\\$\\$ y\n\n$a$$b$\n\n~~~\n$$\n\n+ d\n$$\n~~~\n";
        let kept = keep_whole(text, &[]).unwrap();
        assert!(
            kept.contains("\n    + d\n") && kept.contains("\n%\n"),
            "{kept}"
        );
        assert!(kept.contains("\n+ x\n"), "{kept}");
        assert_eq!(keep_whole(text, &[8..=13]), None);
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
