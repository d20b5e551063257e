//! French typography, applied once by the resolver to the text of every
//! edition: a narrow no-break space (U+202F) before `; ! ?` and inside « »,
//! a no-break space (U+00A0) before `:`, where the author typed an ordinary
//! space or none. Whatever else the author typed (a no-break space already,
//! a colon between digits as in `10:30`, `://` in a URL) is kept.

use std::borrow::Cow;

use crate::scan::{Next, nearest};

pub const NNBSP: char = '\u{202F}';
pub const NBSP: char = '\u{00A0}';

/// Applies French spacing to `text`. `prev` is the character that precedes
/// `text` in its paragraph (from an earlier inline), if any, so that `*mot*?`
/// gets its space too.
pub fn french(text: &str, prev: Option<char>) -> Cow<'_, str> {
    let mut marks = marks(text).peekable();
    if marks.peek().is_none() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    // Text between the punctuation marks is copied in runs.
    let mut copied = 0;
    for (at, c) in marks {
        if at < copied {
            continue;
        }
        out.push_str(&text[copied..at]);
        copied = at + c.len_utf8();
        let before = text[..at].chars().next_back().or(prev);
        let after = text[copied..].chars().next();
        match c {
            '«' => {
                out.push(c);
                match after {
                    Some(' ') => {
                        out.push(NNBSP);
                        copied += 1;
                    }
                    Some(a) if !a.is_whitespace() => out.push(NNBSP),
                    _ => {}
                }
            }
            '»' => {
                space_before(&mut out, at, before, NNBSP, |b| !b.is_whitespace());
                out.push(c);
            }
            _ => {
                let wants_space = match c {
                    // `10:30`, `http://`, `a:b` identifiers: no space.
                    ':' => !matches!(after, Some(a) if a.is_alphanumeric() || a == '/'),
                    // `?!` `!!`: one space before the group only.
                    _ => !matches!(before, Some('!' | '?')),
                };
                if wants_space {
                    let space = if c == ':' { NBSP } else { NNBSP };
                    space_before(&mut out, at, before, space, |b| {
                        b.is_alphanumeric()
                            || matches!(b, '»' | ')' | '’' | '"' | '”' | '*' | '_' | '.')
                    });
                }
                out.push(c);
            }
        }
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// The marks French spaces, with their byte offsets. memchr finds the
/// candidates: most text has none, and a search for a set of `char`s
/// decodes every character.
fn marks(text: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let bytes = text.as_bytes();
    let mut high = Next::new(|at| memchr::memchr3(b';', b'!', b'?', &bytes[at..]).map(|i| at + i));
    // « and » are U+00AB and U+00BB: C2 AB, C2 BB in UTF-8.
    let mut colons_and_guillemets =
        Next::new(|at| memchr::memchr2(b':', 0xC2, &bytes[at..]).map(|i| at + i));
    let mut at = 0;
    std::iter::from_fn(move || {
        while let Some(candidate) = nearest(&mut high, &mut colons_and_guillemets, at) {
            at = candidate + 1;
            let mark = match bytes[candidate] {
                0xC2 => match bytes.get(candidate + 1) {
                    Some(0xAB) => '«',
                    Some(0xBB) => '»',
                    _ => continue,
                },
                b => b as char,
            };
            return Some((candidate, mark));
        }
        None
    })
}

/// Puts `space` before the mark at byte `at`: in place of an ordinary space
/// the author typed, or added after a character `needs_one` accepts. A space
/// that ends the previous inline (`at == 0`) cannot be replaced from here.
fn space_before(
    out: &mut String,
    at: usize,
    before: Option<char>,
    space: char,
    needs_one: impl Fn(char) -> bool,
) {
    match before {
        Some(' ') if at == 0 => {}
        Some(' ') => {
            out.pop();
            out.push(space);
        }
        Some(b) if needs_one(b) => out.push(space),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_before_high_punctuation() {
        assert_eq!(french("Pourquoi ?", None), "Pourquoi\u{202F}?");
        assert_eq!(french("Pourquoi?", None), "Pourquoi\u{202F}?");
        assert_eq!(french("deux points : ici", None), "deux points\u{A0}: ici");
        assert_eq!(french("a ; b", None), "a\u{202F}; b");
        assert_eq!(french("Quoi ?!", None), "Quoi\u{202F}?!");
    }

    #[test]
    fn guillemets() {
        assert_eq!(
            french("« innovateurs »", None),
            "«\u{202F}innovateurs\u{202F}»"
        );
        assert_eq!(
            french("«innovateurs»", None),
            "«\u{202F}innovateurs\u{202F}»"
        );
    }

    #[test]
    fn keeps_what_the_author_typed() {
        assert_eq!(french("«\u{A0}déjà\u{A0}»", None), "«\u{A0}déjà\u{A0}»");
        assert_eq!(
            french("à 10:30 sur https://exemple.fr", None),
            "à 10:30 sur https://exemple.fr"
        );
        assert_eq!(french("déjà\u{202F}?", None), "déjà\u{202F}?");
        // No mark, nothing copied: not even a no-break space (also C2 in UTF-8) makes one.
        assert!(matches!(french("déjà\u{A0}vu ¶ ©", None), Cow::Borrowed(_)));
    }

    #[test]
    fn uses_the_previous_inline() {
        assert_eq!(french("?", Some('t')), "\u{202F}?");
        assert_eq!(french("? ", Some(' ')), "? ");
    }
}
