//! Text every edition can carry. XML (the EPUB's documents, the PDF's XMP
//! metadata) forbids most control characters and two noncharacters, and
//! HTML reports the other controls and noncharacters as errors: no such
//! character enters the model. Sources are cleaned as they are read
//! (`reader::clean`); what a parser decodes later (`&#1;` in Markdown, a
//! `\u0001` escape in TOML or JSON) is cleaned where it is decoded, with a
//! warning at its origin.

use std::borrow::Cow;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::diagnostics::Diagnostic;
use crate::model::Span;

/// What replaces a forbidden character: U+FFFD, the replacement character.
pub const REPLACEMENT: char = '\u{FFFD}';

/// Whether no edition can carry `c`: the C0 controls but tab, line feed and
/// carriage return (XML forbids them), DEL and the C1 controls (HTML
/// reports them), and the noncharacters (U+FFFE and U+FFFF XML forbids,
/// the others HTML reports).
pub fn is_forbidden(c: char) -> bool {
    matches!(c, '\0'..='\x08' | '\x0b' | '\x0c' | '\x0e'..='\x1f' | '\x7f'..='\u{9f}' | '\u{fdd0}'..='\u{fdef}')
        || (c as u32 & 0xfffe) == 0xfffe
}

/// Whether `text` holds a forbidden character, read from its UTF-8 bytes
/// rather than by decoding every character: the lead byte of a forbidden
/// character is rare in any language (`0xC2` starts the C1 controls but
/// also `«`, `»` and the no-break space of every French page, so the
/// following byte decides).
///
/// Every source and every text node passes here, so the scan takes 16
/// bytes at a time with a test free of branches (which the compiler turns
/// into vector instructions), and looks byte by byte only at a chunk that
/// test flags.
pub fn may_hold_forbidden(text: &str) -> bool {
    const CHUNK: usize = 16;
    let bytes = text.as_bytes();
    let mut start = 0;
    // Each window holds its chunk and the byte after it (for `0xC2`).
    while start + CHUNK < bytes.len() {
        let window = &bytes[start..=start + CHUNK];
        let mut suspect = false;
        for k in 0..CHUNK {
            let (b, next) = (window[k], window[k + 1]);
            suspect |= ((b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r'))
                | (b == 0x7f)
                | ((b == 0xc2) & (next & 0xe0 == 0x80))
                | (b == 0xef)
                | (b >= 0xf0);
        }
        if suspect && (start..start + CHUNK).any(|i| forbidden_at(bytes, i)) {
            return true;
        }
        start += CHUNK;
    }
    (start..bytes.len()).any(|i| forbidden_at(bytes, i))
}

/// Whether a forbidden character starts at byte `i`.
fn forbidden_at(bytes: &[u8], i: usize) -> bool {
    let at = |i: usize| bytes.get(i).copied().unwrap_or(0);
    match bytes[i] {
        b'\t' | b'\n' | b'\r' => false,
        0..0x20 | 0x7f => true,
        // U+0080–U+009F
        0xc2 => (0x80..=0x9f).contains(&at(i + 1)),
        // U+FDD0–U+FDEF, U+FFFE, U+FFFF
        0xef => {
            (at(i + 1) == 0xb7 && (0x90..=0xaf).contains(&at(i + 2)))
                || (at(i + 1) == 0xbf && at(i + 2) & 0xfe == 0xbe)
        }
        // U+nFFFE and U+nFFFF of the other planes
        0xf0.. => at(i + 1) & 0x0f == 0x0f && at(i + 2) == 0xbf && at(i + 3) & 0xfe == 0xbe,
        _ => false,
    }
}

/// `text` with every forbidden character replaced by [`REPLACEMENT`], and
/// the first character replaced, if any.
pub fn clean(text: &str) -> (Cow<'_, str>, Option<char>) {
    if !may_hold_forbidden(text) {
        return (Cow::Borrowed(text), None);
    }
    let Some(first) = text.chars().find(|&c| is_forbidden(c)) else {
        return (Cow::Borrowed(text), None);
    };
    (
        Cow::Owned(
            text.chars()
                .map(|c| if is_forbidden(c) { REPLACEMENT } else { c })
                .collect(),
        ),
        Some(first),
    )
}

/// The warning for a forbidden character decoded from `what` at `span`.
pub fn forbidden_warning(what: &str, first: char, span: Span) -> Diagnostic {
    Diagnostic::warning(
        format!(
            "{what} holds the character U+{:04X}, which no edition can carry: replaced by �",
            first as u32
        ),
        span,
    )
    .with_hint("delete it; a control character is usually a copy-and-paste accident")
}

/// `value` with every string in it cleaned (see [`clean`]), and a warning
/// for each string that held a forbidden character, at `span_of(key)`
/// (`key` as `section.name`, or `name[0]` for a list item). For settings and
/// metadata read with serde from TOML, JSON or YAML, whose escapes can
/// produce any character.
pub fn clean_strings<T: Serialize + DeserializeOwned>(
    value: T,
    what: &str,
    span_of: &dyn Fn(&str) -> Option<Span>,
    diagnostics: &mut Vec<Diagnostic>,
) -> T {
    let Ok(mut json) = serde_json::to_value(&value) else {
        return value;
    };
    let mut found = Vec::new();
    clean_json("", &mut json, &mut found);
    if found.is_empty() {
        return value;
    }
    for (key, first) in found {
        let mut warning = forbidden_warning(&format!("{what} `{key}`"), first, Span::default());
        warning.span = span_of(&key);
        diagnostics.push(warning);
    }
    serde_json::from_value(json).unwrap_or(value)
}

fn clean_json(key: &str, value: &mut serde_json::Value, found: &mut Vec<(String, char)>) {
    match value {
        serde_json::Value::String(text) => {
            if let (Cow::Owned(cleaned), Some(first)) = clean(text) {
                *text = cleaned;
                found.push((key.to_string(), first));
            }
        }
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                clean_json(&format!("{key}[{i}]"), item, found);
            }
        }
        serde_json::Value::Object(fields) => {
            let mut renamed = Vec::new();
            for (name, item) in fields.iter_mut() {
                let key = if key.is_empty() {
                    name.clone()
                } else {
                    format!("{key}.{name}")
                };
                clean_json(&key, item, found);
                if let (Cow::Owned(cleaned), Some(first)) = clean(name) {
                    renamed.push((name.clone(), cleaned));
                    found.push((key, first));
                }
            }
            for (old, new) in renamed {
                if let Some(item) = fields.remove(&old) {
                    fields.insert(new, item);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SourceId;

    #[test]
    fn forbidden_characters() {
        for c in [
            '\0',
            '\x01',
            '\x0b',
            '\x1f',
            '\x7f',
            '\u{85}',
            '\u{9f}',
            '\u{fdd0}',
            '\u{fffe}',
            '\u{ffff}',
            '\u{1fffe}',
            '\u{10ffff}',
        ] {
            assert!(is_forbidden(c), "U+{:04X}", c as u32);
        }
        for c in [
            '\t',
            '\n',
            '\r',
            ' ',
            'é',
            '\u{a0}',
            '\u{202f}',
            '\u{fffd}',
            '\u{fdf0}',
            '😀',
            '\u{1fffd}',
        ] {
            assert!(!is_forbidden(c), "U+{:04X}", c as u32);
        }
    }

    /// The byte scan finds exactly the forbidden characters, whatever
    /// surrounds them.
    #[test]
    fn the_byte_scan_is_exact() {
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            for text in [c.to_string(), format!("«\u{a0}{c}\u{a0}»"), format!("{c}é")] {
                assert_eq!(
                    may_hold_forbidden(&text),
                    text.chars().any(is_forbidden),
                    "U+{:04X} in {text:?}",
                    c as u32
                );
            }
        }
    }

    /// The same wherever the character falls in the 16-byte chunks of the
    /// scan, for every character whose first byte the chunk test looks at.
    #[test]
    fn the_byte_scan_is_exact_at_every_offset() {
        let looked_at = |c: char| {
            let mut buf = [0; 4];
            let lead = c.encode_utf8(&mut buf).as_bytes()[0];
            lead < 0x20 || lead == 0x7f || lead == 0xc2 || lead == 0xef || lead >= 0xf0
        };
        let samples: Vec<char> = (0..=0x10ffff)
            .filter_map(char::from_u32)
            .filter(|&c| looked_at(c) && (c as u32 <= 0xffff || c as u32 & 0xfffc == 0xfffc))
            .collect();
        for c in samples {
            for offset in 0..34 {
                let before: String = "a«\u{a0}»".chars().cycle().take(offset).collect();
                for text in [
                    format!("{before}{c}"),
                    format!("{before}{c}{}", "b".repeat(40)),
                ] {
                    assert_eq!(
                        may_hold_forbidden(&text),
                        text.chars().any(is_forbidden),
                        "U+{:04X} after {offset} characters",
                        c as u32
                    );
                }
            }
        }
    }

    #[test]
    fn cleaning_replaces_and_reports_the_first() {
        assert_eq!(
            clean("A\u{1}B\u{7f}"),
            (
                Cow::Owned::<str>("A\u{fffd}B\u{fffd}".into()),
                Some('\u{1}')
            )
        );
        assert!(matches!(clean("« déjà »"), (Cow::Borrowed(_), None)));
    }

    #[test]
    fn strings_of_settings_are_cleaned_with_a_warning_at_their_key() {
        #[derive(Serialize, serde::Deserialize, PartialEq, Debug)]
        struct Settings {
            title: String,
            authors: Vec<String>,
            size: u32,
        }
        let span = |key: &str| {
            (key == "authors[1]").then_some(Span {
                source: SourceId(0),
                line: 3,
                col: 1,
            })
        };
        let mut diagnostics = Vec::new();
        let cleaned = clean_strings(
            Settings {
                title: "T".into(),
                authors: vec!["A".into(), "B\u{1}".into()],
                size: 3,
            },
            "folio.toml",
            &span,
            &mut diagnostics,
        );
        assert_eq!(
            cleaned,
            Settings {
                title: "T".into(),
                authors: vec!["A".into(), "B\u{fffd}".into()],
                size: 3
            }
        );
        assert_eq!(diagnostics.len(), 1);
        assert!(
            diagnostics[0]
                .message
                .contains("folio.toml `authors[1]` holds the character U+0001"),
            "{}",
            diagnostics[0].message
        );
        assert_eq!(diagnostics[0].span.map(|s| s.line), Some(3));
    }
}
