//! Smart punctuation, decided once by the resolver for every edition: the
//! straight quotes of a keyboard become the book's language's quotation
//! marks, `'` inside a word an apostrophe, `--` and `---` dashes and `...`
//! an ellipsis, as mdBook's `smart-punctuation` does. Code is never touched
//! (it is not text in the model), and typst's own smart quotes are off, so
//! the three editions print the same marks.

use std::borrow::Cow;

use crate::scan::{Next, nearest};

/// A language's quotation marks: (opening, closing), outer and inner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quotes {
    pub double: (char, char),
    pub single: (char, char),
}

impl Quotes {
    /// The marks of the language of BCP 47 `tag` (English's when unknown).
    pub fn for_language(tag: &str) -> Quotes {
        let language = tag
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let (double, single) = match language.as_str() {
            "fr" | "es" | "it" | "pt" | "ca" | "ru" | "uk" | "el" | "no" | "nb" | "nn" => {
                (('«', '»'), ('“', '”'))
            }
            "de" | "cs" | "sk" | "sl" | "lt" | "et" | "is" => (('„', '“'), ('‚', '‘')),
            "pl" | "ro" | "hu" | "bg" | "hr" | "sr" => (('„', '”'), ('‚', '’')),
            "sv" | "fi" => (('”', '”'), ('’', '’')),
            "ja" | "zh" => (('「', '」'), ('『', '』')),
            _ => (('“', '”'), ('‘', '’')),
        };
        Quotes { double, single }
    }
}

const APOSTROPHE: char = '’';

/// `text` with smart punctuation. `prev` is the character before `text` in
/// its paragraph (from an earlier inline), so that `*mot*"` closes a quote.
pub fn smarten(text: &str, prev: Option<char>, quotes: Quotes) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    // Every mark is ASCII, so byte offsets of marks are character
    // boundaries; the text between marks is copied as it is. A lone `-` or
    // `.` changes nothing: most text is borrowed back untouched.
    let is_mark = |i: usize| match bytes[i] {
        b'"' | b'\'' => true,
        b'-' => bytes.get(i + 1) == Some(&b'-'),
        b'.' => bytes.get(i + 1) == Some(&b'.') && bytes.get(i + 2) == Some(&b'.'),
        _ => false,
    };
    // Where a mark may start: memchr finds the candidates, `is_mark` decides.
    let mut quotes_and_dashes =
        Next::new(|at| memchr::memchr3(b'"', b'\'', b'-', &bytes[at..]).map(|i| at + i));
    let mut dots = Next::new(|at| memchr::memchr(b'.', &bytes[at..]).map(|i| at + i));
    let mut next_mark = |mut at: usize| {
        while let Some(candidate) = nearest(&mut quotes_and_dashes, &mut dots, at) {
            if is_mark(candidate) {
                return Some(candidate);
            }
            at = candidate + 1;
        }
        None
    };
    let Some(first) = next_mark(0) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 8);
    // The character before the next one, as written out.
    let mut before = prev;
    // Whether a single quote opened in this text is still open: a `'` after
    // a letter closes it, else it is a possessive's apostrophe.
    let mut single_open = false;
    let mut copied = 0;
    let mut next = Some(first);
    while let Some(at) = next {
        let run = &text[copied..at];
        out.push_str(run);
        before = run.chars().next_back().or(before);
        let after = text[at + 1..].chars().next();
        let (mark, used) = match bytes[at] {
            b'"' => (
                if opens(before, after) {
                    quotes.double.0
                } else {
                    quotes.double.1
                },
                1,
            ),
            b'\'' => {
                let in_word = before.is_some_and(char::is_alphanumeric)
                    && after.is_some_and(char::is_alphanumeric);
                // `'90s`: an elision, not a quote.
                let elision = after.is_some_and(|a| a.is_ascii_digit())
                    && before.is_none_or(char::is_whitespace);
                let mark = if in_word || elision {
                    APOSTROPHE
                } else if opens(before, after) {
                    single_open = true;
                    quotes.single.0
                } else if single_open || !before.is_some_and(char::is_alphanumeric) {
                    single_open = false;
                    quotes.single.1
                } else {
                    // `James' book`: a possessive, whatever the language's quotes.
                    APOSTROPHE
                };
                (mark, 1)
            }
            b'-' if bytes.get(at + 2) == Some(&b'-') => ('—', 3),
            b'-' => ('–', 2),
            _ => ('…', 3),
        };
        out.push(mark);
        before = Some(mark);
        copied = at + used;
        next = next_mark(copied);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// Whether a quote between `before` and `after` opens: at the start, after
/// a space, an opening bracket, a dash or another opening mark, and before
/// something that is not a space.
fn opens(before: Option<char>, after: Option<char>) -> bool {
    let after_ok = after.is_none_or(|a| !a.is_whitespace());
    let before_ok = match before {
        None => true,
        Some(b) => {
            b.is_whitespace()
                || matches!(
                    b,
                    '(' | '['
                        | '{'
                        | '—'
                        | '–'
                        | '-'
                        | '/'
                        | '«'
                        | '“'
                        | '‘'
                        | '„'
                        | '‚'
                        | '「'
                        | '『'
                )
        }
    };
    before_ok && after_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn en(text: &str) -> String {
        smarten(text, None, Quotes::for_language("en")).into_owned()
    }

    #[test]
    fn english_quotes_apostrophes_dashes_and_ellipses() {
        assert_eq!(en(r#"She said "it's 'fine'"."#), "She said “it’s ‘fine’”.");
        assert_eq!(en("pages 10--12 --- or more..."), "pages 10–12 — or more…");
        assert_eq!(en("the '90s, James' book"), "the ’90s, James’ book");
        assert_eq!(en("(\"quoted\")"), "(“quoted”)");
    }

    #[test]
    fn each_language_its_marks() {
        let fr = smarten(
            r#"Il dit "bonjour" et l'ami répond."#,
            None,
            Quotes::for_language("fr-FR"),
        );
        assert_eq!(fr, "Il dit «bonjour» et l’ami répond.");
        let de = smarten(
            r#"Er sagt "Hallo" und 'gut'."#,
            None,
            Quotes::for_language("de"),
        );
        assert_eq!(de, "Er sagt „Hallo“ und ‚gut‘.");
    }

    #[test]
    fn across_inlines_and_untouched_text() {
        // `"*mot*"`: the closing quote follows an emphasis ending with `t`.
        assert_eq!(
            smarten("\" suite", Some('t'), Quotes::for_language("en")),
            "” suite"
        );
        assert!(matches!(en_cow("rien à faire"), Cow::Borrowed(_)));
    }

    fn en_cow(text: &str) -> Cow<'_, str> {
        smarten(text, None, Quotes::for_language("en"))
    }
}
