//! Escaping for text, attribute values and URLs. Only the XML five entities
//! are ever written, so the same output is valid HTML5 and XHTML.

/// Appends `text` with `& < > "` escaped: safe in text and in quoted attributes.
pub fn push_escaped(out: &mut String, text: &str) {
    let _ = escape_into(out, text);
}

/// `text` with `& < > "` escaped, written where it is formatted
/// (`write!(out, "id=\"{}\"", escaped(id))`): no string made in between.
pub fn escaped(text: &str) -> Escaped<'_> {
    Escaped(text)
}

/// See [`escaped`].
#[derive(Clone, Copy)]
pub struct Escaped<'a>(&'a str);

impl std::fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        escape_into(f, self.0)
    }
}

/// Writes `text` with `& < > "` escaped. Most names and attribute values
/// hold none of them: SIMD searches tell so before any byte-wise work.
fn escape_into(out: &mut impl std::fmt::Write, text: &str) -> std::fmt::Result {
    let bytes = text.as_bytes();
    if memchr::memchr3(b'&', b'<', b'>', bytes).is_none() && memchr::memchr(b'"', bytes).is_none() {
        return out.write_str(text);
    }
    let mut start = 0;
    for (i, byte) in bytes.iter().enumerate() {
        let entity = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => continue,
        };
        out.write_str(&text[start..i])?;
        out.write_str(entity)?;
        start = i + 1;
    }
    out.write_str(&text[start..])
}

/// Appends text content with `& < >` escaped (`"` needs no escape outside
/// attributes). The bulk of a book goes through here, so it searches with
/// memchr's SIMD routine rather than byte by byte.
pub fn push_text(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(i) = memchr::memchr3(b'&', b'<', b'>', rest.as_bytes()) {
        out.push_str(&rest[..i]);
        out.push_str(match rest.as_bytes()[i] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            _ => "&gt;",
        });
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
}

/// Appends a URL for an `href`/`src` attribute: bytes that may not appear in a
/// URL are percent-encoded (as cmark does, so `[a](/föö)` gives `/f%C3%B6%C3%B6`),
/// existing `%XX` escapes are kept, and `&` is written as `&amp;`.
pub fn push_url(out: &mut String, url: &str) {
    let mut start = 0;
    for (i, byte) in url.bytes().enumerate() {
        if is_url_safe(byte) {
            continue;
        }
        // Safe runs are ASCII, so a non-empty run starts and ends on char
        // boundaries; the empty run after a multi-byte char's lead byte may not.
        if start < i {
            out.push_str(&url[start..i]);
        }
        match byte {
            b'&' => out.push_str("&amp;"),
            b'\'' => out.push_str("&#39;"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.push('%');
                out.push(HEX[usize::from(byte >> 4)] as char);
                out.push(HEX[usize::from(byte & 0xF)] as char);
            }
        }
        start = i + 1;
    }
    if start < url.len() {
        out.push_str(&url[start..]);
    }
}

fn is_url_safe(byte: u8) -> bool {
    URL_SAFE[usize::from(byte)]
}

/// The bytes a URL keeps as they are, as a table: every byte of every link
/// of every edition is looked up here (a chain of comparisons took twice
/// the instructions).
const URL_SAFE: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = matches!(
            byte as u8,
            b'0'..=b'9'
                | b'a'..=b'z'
                | b'A'..=b'Z'
                | b'-'
                | b'_'
                | b'.'
                | b'+'
                | b'!'
                | b'*'
                | b'('
                | b')'
                | b','
                | b'%'
                | b'#'
                | b'@'
                | b'?'
                | b'='
                | b';'
                | b':'
                | b'/'
                | b'$'
                | b'~'
        );
        byte += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;

    fn url(url: &str) -> String {
        let mut out = String::new();
        push_url(&mut out, url);
        out
    }

    #[test]
    fn text_escapes_markup_characters_only() {
        assert_eq!(
            escaped("a < b & \"c\" > d’é").to_string(),
            "a &lt; b &amp; &quot;c&quot; &gt; d’é"
        );
        assert_eq!(escaped("rien à échapper").to_string(), "rien à échapper");
    }

    #[test]
    fn text_content_keeps_quotes() {
        let mut out = String::new();
        push_text(&mut out, "« a » < b && \"c\" > d");
        assert_eq!(out, "« a » &lt; b &amp;&amp; \"c\" &gt; d");
    }

    #[test]
    fn urls_are_percent_encoded_like_cmark() {
        assert_eq!(
            url("/föö bar?a=1&b=2#x"),
            "/f%C3%B6%C3%B6%20bar?a=1&amp;b=2#x"
        );
        assert_eq!(url("a%20b\"<>"), "a%20b%22%3C%3E");
        assert_eq!(url("it's"), "it&#39;s");
    }
}
