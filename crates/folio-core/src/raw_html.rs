//! What raw HTML holds that the rest of the book depends on: the ids it
//! defines (link targets) and the attributes that name a file or a chapter.
//! The reader scans each piece once with html5ever's tokenizer, the one of
//! the parser browsers use, so quoting, character references, comments and
//! `<script>` text are read as a browser reads them; the resolver then
//! decides the targets, and no edition parses raw HTML to find them again.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer,
};

use crate::model::{HtmlReference, LinkTarget, RawHtml, Span};

/// The attributes that name another place, by element.
const REFERENCES: &[(&str, &str)] = &[
    ("a", "href"),
    ("area", "href"),
    ("img", "src"),
    ("source", "src"),
    ("track", "src"),
    ("audio", "src"),
    ("video", "src"),
    ("video", "poster"),
];

/// `html` as the model holds it: with its anchors and references found.
pub fn scan(html: String, span: Span) -> RawHtml {
    let mut raw = RawHtml {
        html,
        anchors: Vec::new(),
        references: Vec::new(),
        span,
    };
    // Most raw HTML is `<br>`, `<sup>` or a comment: without an `=` there
    // is no attribute to find.
    if !raw.html.contains('=') {
        return raw;
    }
    let sink = Sink {
        html: &raw.html,
        span,
        cursor: Cell::default(),
        found: RefCell::default(),
        figure: RefCell::default(),
    };
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(&raw.html));
    let tokenizer = Tokenizer::new(sink, Default::default());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let found = tokenizer.sink.found.into_inner();
    (raw.anchors, raw.references) = found;
    raw
}

/// `html` with each numeric character reference that an HTML parser decodes
/// to a character no edition can carry (`&#1;`, `&#xFFFE;`) replaced by
/// `&#xFFFD;`, and the first such character. References to U+0080–U+009F
/// are left: parsers read them as Windows-1252 (`&#x80;` is €).
pub fn clean_references(html: &str) -> (Cow<'_, str>, Option<char>) {
    if !html.contains("&#") {
        return (Cow::Borrowed(html), None);
    }
    let mut out = String::new();
    let mut first = None;
    let mut copied = 0;
    for (at, _) in html.match_indices("&#") {
        if at < copied {
            continue;
        }
        let rest = &html[at + 2..];
        let (digits, radix) = match rest.strip_prefix(['x', 'X']) {
            Some(hex) => (hex, 16),
            None => (rest, 10),
        };
        let len = digits
            .find(|c: char| !c.is_digit(radix))
            .unwrap_or(digits.len());
        // Any number of digits, leading zeros included; past U+10FFFF a parser reads U+FFFD.
        let value = digits[..len]
            .chars()
            .filter_map(|c| c.to_digit(radix))
            .fold(0u32, |value, digit| {
                value.saturating_mul(radix).saturating_add(digit)
            });
        let Some(decoded) = char::from_u32(value).filter(|_| len > 0) else {
            continue;
        };
        if !crate::text::is_forbidden(decoded) || ('\u{80}'..='\u{9f}').contains(&decoded) {
            continue;
        }
        first = first.or(Some(decoded));
        let end = at + 2 + (rest.len() - digits.len()) + len;
        let end = if html[end..].starts_with(';') {
            end + 1
        } else {
            end
        };
        out.push_str(&html[copied..at]);
        out.push_str("&#xFFFD;");
        copied = end;
    }
    if first.is_none() {
        return (Cow::Borrowed(html), None);
    }
    out.push_str(&html[copied..]);
    (Cow::Owned(out), first)
}

struct Sink<'a> {
    html: &'a str,
    /// Where the piece starts in its file.
    span: Span,
    /// The line (1-based, in the piece) and byte after the last tag placed.
    cursor: Cell<(u64, usize)>,
    found: RefCell<(Vec<String>, Vec<HtmlReference>)>,
    figure: RefCell<Figure>,
}

/// The `<figure>` being read: its caption goes to its image, when it has one.
#[derive(Default)]
struct Figure {
    /// The first reference inside it, while it is open.
    first: Option<usize>,
    /// Its `<figcaption>` text, while that is open (`Some` from its start tag).
    caption: Option<String>,
    in_caption: bool,
}

impl TokenSink for Sink<'_> {
    type Handle = ();

    fn process_token(&self, token: Token, line: u64) -> TokenSinkResult<()> {
        let tag = match token {
            Token::TagToken(tag) => tag,
            Token::CharacterTokens(text) => {
                let mut figure = self.figure.borrow_mut();
                if figure.in_caption {
                    figure.caption.get_or_insert_default().push_str(&text);
                }
                return TokenSinkResult::Continue;
            }
            _ => return TokenSinkResult::Continue,
        };
        if tag.kind == TagKind::EndTag {
            self.end_tag(&tag.name);
            return TokenSinkResult::Continue;
        }
        self.start_tag(&tag, line);
        // Without a tree builder, the tokenizer must be told where text
        // holds no tags, or `<script>"<a href=…>"</script>` would count.
        match &*tag.name {
            "script" => TokenSinkResult::RawData(RawKind::ScriptData),
            "style" | "xmp" | "iframe" | "noembed" | "noframes" => {
                TokenSinkResult::RawData(RawKind::Rawtext)
            }
            "textarea" | "title" => TokenSinkResult::RawData(RawKind::Rcdata),
            _ => TokenSinkResult::Continue,
        }
    }
}

impl Sink<'_> {
    fn start_tag(&self, tag: &Tag, line: u64) {
        let element = &*tag.name;
        let mut figure = self.figure.borrow_mut();
        match element {
            "figure" => {
                *figure = Figure {
                    first: Some(self.found.borrow().1.len()),
                    ..Figure::default()
                }
            }
            "figcaption" => figure.in_caption = figure.first.is_some(),
            _ => {}
        }
        let value = |name: &str| {
            tag.attrs
                .iter()
                .find(|a| &*a.name.local == name)
                .map(|a| a.value.to_string())
        };
        let (anchors, references) = &mut *self.found.borrow_mut();
        anchors.extend(value("id").filter(|id| !id.is_empty()));
        if element == "a" {
            anchors.extend(value("name").filter(|name| !name.is_empty()));
        }
        for (_, attribute) in REFERENCES.iter().filter(|(e, _)| *e == element) {
            let Some(url) = value(attribute) else {
                continue;
            };
            let span = self.tag_span(line, element);
            let url = url.trim().to_string();
            if url.is_empty() {
                continue;
            }
            let alt = if element == "img" { value("alt") } else { None };
            references.push(HtmlReference {
                element: element.to_string(),
                attribute: attribute.to_string(),
                url,
                alt,
                caption: None,
                target: LinkTarget::Unresolved,
                span,
            });
        }
    }

    /// Where the `element` tag the tokenizer read on `line` (1-based, in the
    /// piece) starts in the file: the first such tag on that line after the
    /// last one placed, so that a diagnostic points at the tag itself.
    fn tag_span(&self, line: u64, element: &str) -> Span {
        let index = line.saturating_sub(1) as usize;
        let text = self.html.split('\n').nth(index).unwrap_or_default();
        let from = match self.cursor.get() {
            (placed, after) if placed == line => after,
            _ => 0,
        };
        let at = text
            .get(from..)
            .and_then(|rest| find_tag(rest, element))
            .map_or(from.min(text.len()), |at| from + at);
        self.cursor.set((line, at + 1));
        let before = text.get(..at).map_or(0, |b| b.chars().count()) as u32;
        match index {
            0 => Span {
                col: self.span.col + before,
                ..self.span
            },
            below => Span {
                line: self.span.line + below as u32,
                col: 1 + before,
                ..self.span
            },
        }
    }

    /// Ends a `<figcaption>`, or a `<figure>`: a figure holding one image
    /// gives it its caption, whitespace collapsed.
    fn end_tag(&self, element: &str) {
        let mut figure = self.figure.borrow_mut();
        match element {
            "figcaption" => figure.in_caption = false,
            "figure" => {
                let Figure {
                    first: Some(first),
                    caption,
                    ..
                } = std::mem::take(&mut *figure)
                else {
                    return;
                };
                let references = &mut self.found.borrow_mut().1;
                let mut images = references[first..]
                    .iter_mut()
                    .filter(|r| r.element == "img");
                if let (Some(image), None) = (images.next(), images.next()) {
                    image.caption = caption
                        .map(|c| c.split_whitespace().collect::<Vec<_>>().join(" "))
                        .filter(|c| !c.is_empty());
                }
            }
            _ => {}
        }
    }
}

/// The byte where the start tag `<element` begins in `text`, any case.
fn find_tag(text: &str, element: &str) -> Option<usize> {
    text.match_indices('<').map(|(at, _)| at).find(|&at| {
        let name = &text.as_bytes()[at + 1..];
        name.len() >= element.len()
            && name[..element.len()].eq_ignore_ascii_case(element.as_bytes())
            && !name
                .get(element.len())
                .is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SourceId;

    fn span(line: u32, col: u32) -> Span {
        Span {
            source: SourceId(0),
            line,
            col,
        }
    }

    #[test]
    fn finds_anchors_and_references_as_a_browser_reads_them() {
        let html = "<p id=\"intro\"><a name='haut'></a><img alt=\"Plan &amp; jardin\" SRC=/assets/plan%20A.png>\n\
                    <!-- <img src=\"commented.png\"> -->\n\
                    <a href=\"../2-constituants#licences\">suite</a><input name=\"not-an-anchor\"></p>\n\
                    <video poster=\"v.jpg\"><source src=\"v.mp4\"></video><script>let s = '<img src=\"script.png\">';</script>";
        let raw = scan(html.to_string(), span(4, 3));
        assert_eq!(raw.anchors, ["intro", "haut"]);
        let found: Vec<_> = raw
            .references
            .iter()
            .map(|r| {
                (
                    r.element.as_str(),
                    r.attribute.as_str(),
                    r.url.as_str(),
                    r.span.line,
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                ("img", "src", "/assets/plan%20A.png", 4),
                ("a", "href", "../2-constituants#licences", 6),
                ("video", "poster", "v.jpg", 7),
                ("source", "src", "v.mp4", 7),
            ]
        );
        assert_eq!(raw.references[0].alt.as_deref(), Some("Plan & jardin"));
        let columns: Vec<_> = raw
            .references
            .iter()
            .map(|r| (r.span.line, r.span.col))
            .collect();
        assert_eq!(
            columns,
            [(4, 3 + 33), (6, 1), (7, 1), (7, 23)],
            "each at its own tag"
        );
        assert!(raw.references[1].is_link() && !raw.references[0].is_link());
    }

    #[test]
    fn a_figure_gives_its_caption_to_its_only_image() {
        let html = "<figure><img src=\"a.png\" alt=\"A\">\n<figcaption>Le plan <em>affiché</em>\n à l'entrée</figcaption></figure>\n\
                    <figure><img src=\"b.png\" alt=\"B\"><img src=\"c.png\" alt=\"C\"><figcaption>Deux images</figcaption></figure>\n\
                    <img src=\"d.png\" alt=\"D\"><figcaption>Hors figure</figcaption>";
        let raw = scan(html.to_string(), span(1, 1));
        let captions: Vec<_> = raw
            .references
            .iter()
            .map(|r| r.caption.as_deref())
            .collect();
        assert_eq!(
            captions,
            [Some("Le plan affiché à l'entrée"), None, None, None]
        );
        assert_eq!(
            raw.references[0].image().and_then(|i| i.title).as_deref(),
            Some("Le plan affiché à l'entrée")
        );
    }

    #[test]
    fn references_to_forbidden_characters_are_replaced() {
        let (html, first) = clean_references(
            "<b>&#1;&#x7F &#X1F;</b>&#128;&#233;&#xfffe;&amp;#1;&#00000000002;&#99999999999;",
        );
        assert_eq!(
            html,
            "<b>&#xFFFD;&#xFFFD; &#xFFFD;</b>&#128;&#233;&#xFFFD;&amp;#1;&#xFFFD;&#99999999999;"
        );
        assert_eq!(first, Some('\u{1}'));
        assert!(matches!(
            clean_references("<p>&#233;</p>"),
            (Cow::Borrowed(_), None)
        ));
    }

    #[test]
    fn html_without_attributes_is_not_tokenized() {
        let raw = scan("<br>".to_string(), span(1, 1));
        assert!(raw.anchors.is_empty() && raw.references.is_empty());
        assert_eq!(raw.html, "<br>");
    }
}
