//! The one place where text from the book enters the typst source.
//!
//! Author text is never written as typst markup: it is written as typst
//! string literals (`#"…";` in markup, `"…"` in code). typst's lexer ends a
//! string at the first `"` not preceded by an escaping `\`, and knows the
//! escapes `\\`, `\"` and `\u{…}`; [`push_str_literal`] escapes every `\` and
//! `"` and writes every control character (newlines included) as `\u{…}`, so
//! whatever the text, the literal ends exactly where we end it and evaluates
//! to the text itself. Markup syntax (`*`, `_`, `#`, `$`, `<`, `@`, `//`,
//! `=`, `-`…) means nothing inside a string.

use std::fmt::Write;

/// Appends `text` as a typst string literal, quotes included.
pub fn push_str_literal(out: &mut String, text: &str) {
    out.reserve(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            // Control characters (U+0000–U+001F, U+007F–U+009F) and the
            // Unicode line and paragraph separators.
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => {
                // Writing to a String cannot fail.
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends author text to markup: string literals for the text, and typst's
/// smart quotes for `"` and `'` so that they become the book language's
/// quotation marks and apostrophes (« » in French, “ ” and ’ in English),
/// as a typesetter would set them.
///
/// Each literal is written `#"…";`: the `;` ends the embedded expression, so
/// whatever follows (a `.`, a `(`, a `[`) cannot extend it.
pub fn push_markup_text(out: &mut String, text: &str) {
    let mut rest = text;
    while !rest.is_empty() {
        let end = rest.find(['"', '\'']).unwrap_or(rest.len());
        if end > 0 {
            out.push('#');
            push_str_literal(out, &rest[..end]);
            out.push(';');
        }
        if let Some(quote) = rest[end..].chars().next() {
            // In markup, a bare `"` or `'` is a smart quote.
            out.push(quote);
            rest = &rest[end + 1..];
        } else {
            rest = "";
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn str_literal(text: &str) -> String {
        let mut out = String::new();
        push_str_literal(&mut out, text);
        out
    }

    #[test]
    fn escapes_backslash_quote_and_controls() {
        assert_eq!(str_literal(r#"a\b"c"#), r#""a\\b\"c""#);
        assert_eq!(
            str_literal("l1\nl2\t\u{7f}\u{2028}"),
            r#""l1\u{a}l2\u{9}\u{7f}\u{2028}""#
        );
        assert_eq!(
            str_literal("#$*_@<>[]~=+-/ // /* é\u{202f}»"),
            "\"#$*_@<>[]~=+-/ // /* é\u{202f}»\""
        );
    }

    #[test]
    fn markup_text_uses_smart_quotes_between_literals() {
        let mut out = String::new();
        push_markup_text(&mut out, r#"l'"a" *b*"#);
        assert_eq!(out, r##"#"l";'"#"a";"#" *b*";"##);
        let mut out = String::new();
        push_markup_text(&mut out, "");
        assert_eq!(out, "");
    }
}
