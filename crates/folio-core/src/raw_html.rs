//! Raw HTML, read once into the model's tree ([`HtmlFragment`],
//! [`Block::HtmlElement`], [`Inline::HtmlElement`]).
//!
//! comrak hands the reader raw HTML in chunks: an HTML block, or one inline
//! piece per tag (`<span class="x">`, text, `</span>` are three inlines), and
//! `<div>` … Markdown … `</div>` arrive as separate blocks. Each chunk is
//! [`tokenize`]d with html5ever's tokenizer, the one of the parser browsers
//! use, so quoting, character references, comments and `<script>` text read
//! as a browser reads them; then [`pair`] matches start and end tags among
//! the siblings of one Markdown container, so that an element spanning
//! chunks becomes one node holding its Markdown children. The rules:
//! - an end tag that closes nothing open in the container is dropped, with
//!   a warning at its line;
//! - an element still open at the end of its container is closed there,
//!   with a warning, unless HTML lets its end tag be left out (`<p>`, `<li>`,
//!   `<td>`…); opening `<li>` closes an open `<li>`, a block closes an open
//!   `<p>`, as in a browser;
//! - void elements (`<br>`, `<img>`…) have no end tag;
//! - elements nest at most [`MAX_DEPTH`] deep in one container: the tags of
//!   deeper ones are dropped, their content kept, with a warning (a void
//!   element, which has no content, is dropped whole).

use std::borrow::Cow;
use std::cell::{Cell, RefCell};

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token as HtmlToken, TokenSink, TokenSinkResult, Tokenizer,
};

use crate::diagnostics::Diagnostic;
use crate::model::{
    Block, HtmlAttribute, HtmlElement, HtmlFragment, HtmlNode, Inline, LinkTarget, Span,
    VOID_ELEMENTS, names_a_place,
};

/// How deep raw HTML elements may nest inside one Markdown container: every
/// stage and edition walks the tree recursively, and no real page nests
/// that deep.
pub const MAX_DEPTH: usize = 64;

/// Elements whose content is text of its own language, not HTML.
const RAW_TEXT: &[&str] = &["script", "style", "xmp", "iframe", "noembed", "noframes"];

/// Elements whose end tag HTML lets an author leave out.
const OPTIONAL_END: &[&str] = &[
    "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "optgroup", "rt",
    "rp", "colgroup", "caption",
];

/// Start tags that close an open `<p>`.
const CLOSES_P: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "details",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "ul",
];

/// SVG's names in their case: the tokenizer lowercases every name.
const SVG_NAMES: &[&str] = &[
    "attributeName",
    "baseFrequency",
    "clipPath",
    "clipPathUnits",
    "foreignObject",
    "gradientTransform",
    "gradientUnits",
    "animateMotion",
    "animateTransform",
    "feBlend",
    "feColorMatrix",
    "feComposite",
    "feFlood",
    "feGaussianBlur",
    "feMerge",
    "feMergeNode",
    "feOffset",
    "keySplines",
    "keyTimes",
    "lengthAdjust",
    "linearGradient",
    "markerHeight",
    "markerUnits",
    "markerWidth",
    "maskUnits",
    "numOctaves",
    "pathLength",
    "patternContentUnits",
    "patternTransform",
    "patternUnits",
    "preserveAspectRatio",
    "radialGradient",
    "refX",
    "refY",
    "repeatCount",
    "spreadMethod",
    "startOffset",
    "stdDeviation",
    "textLength",
    "textPath",
    "viewBox",
];

/// One thing a chunk of raw HTML holds, before tags are paired.
#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    Open(HtmlElement),
    Close {
        name: String,
        span: Span,
    },
    /// Complete in itself: text, a comment, a void element, `<script>…</script>`.
    Node(HtmlNode),
}

/// A Markdown node or a chunk of raw HTML, among the siblings of a container.
pub enum Piece<T> {
    Markdown(T),
    Html(Vec<Token>),
}

/// What holds raw HTML in the model: blocks or inlines.
pub trait Host: Sized {
    /// HTML nodes among Markdown siblings; `None` to leave them out.
    fn fragment(nodes: Vec<HtmlNode>) -> Option<Self>;
    /// An element whose tags enclose Markdown.
    fn element(element: HtmlElement, children: Vec<Self>) -> Self;
}

impl Host for Block {
    /// Whitespace between blocks means nothing.
    fn fragment(nodes: Vec<HtmlNode>) -> Option<Self> {
        let blank =
            |node: &HtmlNode| matches!(node, HtmlNode::Text { text, .. } if text.trim().is_empty());
        let span = nodes.first()?.span();
        (!nodes.iter().all(blank)).then_some(Block::Html(HtmlFragment { nodes, span }))
    }

    fn element(element: HtmlElement, blocks: Vec<Self>) -> Self {
        Block::HtmlElement {
            element: Box::new(element),
            blocks,
        }
    }
}

impl Host for Inline {
    fn fragment(nodes: Vec<HtmlNode>) -> Option<Self> {
        let span = nodes.first()?.span();
        Some(Inline::Html(HtmlFragment { nodes, span }))
    }

    fn element(element: HtmlElement, content: Vec<Self>) -> Self {
        Inline::HtmlElement {
            element: Box::new(element),
            content,
        }
    }
}

enum Item<T> {
    Node(HtmlNode),
    Host(T),
}

struct Open<T> {
    element: HtmlElement,
    items: Vec<Item<T>>,
}

/// The siblings of one container with their raw HTML chunks paired into
/// elements (see the module's rules); problems are warned at their line.
pub fn pair<T: Host>(pieces: Vec<Piece<T>>, diagnostics: &mut Vec<Diagnostic>) -> Vec<T> {
    if pieces
        .iter()
        .all(|piece| matches!(piece, Piece::Markdown(_)))
    {
        return pieces
            .into_iter()
            .filter_map(|piece| match piece {
                Piece::Markdown(node) => Some(node),
                Piece::Html(_) => None,
            })
            .collect();
    }
    let mut root: Vec<Item<T>> = Vec::new();
    let mut stack: Vec<Open<T>> = Vec::new();
    // Elements left out for depth, by name: their end tags close nothing.
    let mut skipped: Vec<String> = Vec::new();
    let mut warned_depth = false;
    for piece in pieces {
        let tokens = match piece {
            Piece::Markdown(node) => {
                items(&mut root, &mut stack).push(Item::Host(node));
                continue;
            }
            Piece::Html(tokens) => tokens,
        };
        // An element one level too deep is left out, with one warning.
        let mut too_deep = |depth: usize, span: Span, diagnostics: &mut Vec<Diagnostic>| {
            if depth < MAX_DEPTH {
                return false;
            }
            if !warned_depth {
                warned_depth = true;
                diagnostics.push(
                    Diagnostic::warning(format!("raw HTML nested more than {MAX_DEPTH} elements deep: the tags of deeper elements are left out, their content kept"), span)
                        .with_hint("no reader can follow that much nesting: flatten the structure"),
                );
            }
            true
        };
        for token in tokens {
            match token {
                // An element with no end tag (`<br>`, `<img/>`) nests too.
                Token::Node(HtmlNode::Element { element, .. })
                    if too_deep(stack.len(), element.span, diagnostics) => {}
                Token::Node(node) => items(&mut root, &mut stack).push(Item::Node(node)),
                Token::Open(element) => {
                    while let Some(open) = stack.last()
                        && closed_by(&open.element.name, &element.name)
                    {
                        close_top(&mut root, &mut stack);
                    }
                    if too_deep(stack.len(), element.span, diagnostics) {
                        skipped.push(element.name);
                        continue;
                    }
                    stack.push(Open {
                        element,
                        items: Vec::new(),
                    });
                }
                Token::Close { name, span } => {
                    let Some(at) = stack.iter().rposition(|open| open.element.name == name) else {
                        if let Some(at) = skipped.iter().rposition(|s| *s == name) {
                            skipped.remove(at);
                        } else if !VOID_ELEMENTS.contains(&name.as_str()) {
                            diagnostics.push(
                                Diagnostic::warning(format!("raw HTML `</{name}>` closes no element opened here: left out"), span)
                                    .with_hint("open and close each element in the same Markdown container (the same paragraph, or the same level of blocks)"),
                            );
                        }
                        continue;
                    };
                    while stack.len() > at + 1 {
                        unclosed(stack.last().map(|o| &o.element), diagnostics);
                        close_top(&mut root, &mut stack);
                    }
                    close_top(&mut root, &mut stack);
                }
            }
        }
    }
    while !stack.is_empty() {
        unclosed(stack.last().map(|o| &o.element), diagnostics);
        close_top(&mut root, &mut stack);
    }
    hosts(root)
}

/// Where the next item goes: into the innermost open element.
fn items<'a, T>(root: &'a mut Vec<Item<T>>, stack: &'a mut [Open<T>]) -> &'a mut Vec<Item<T>> {
    match stack.last_mut() {
        Some(open) => &mut open.items,
        None => root,
    }
}

/// Closes the innermost open element: an HTML node if it holds HTML only,
/// else a Markdown node holding its children.
fn close_top<T: Host>(root: &mut Vec<Item<T>>, stack: &mut Vec<Open<T>>) {
    let Some(Open {
        element,
        items: children,
    }) = stack.pop()
    else {
        return;
    };
    let item = if children.iter().all(|item| matches!(item, Item::Node(_))) {
        let children = children
            .into_iter()
            .filter_map(|item| match item {
                Item::Node(node) => Some(node),
                Item::Host(_) => None,
            })
            .collect();
        Item::Node(HtmlNode::Element { element, children })
    } else {
        Item::Host(T::element(element, hosts(children)))
    };
    items(root, stack).push(item);
}

/// Items as Markdown nodes: consecutive HTML nodes become one fragment.
fn hosts<T: Host>(items: Vec<Item<T>>) -> Vec<T> {
    let mut out = Vec::new();
    let mut nodes = Vec::new();
    for item in items {
        match item {
            Item::Node(node) => nodes.push(node),
            Item::Host(host) => {
                out.extend(T::fragment(std::mem::take(&mut nodes)));
                out.push(host);
            }
        }
    }
    out.extend(T::fragment(nodes));
    out
}

/// Whether opening `opening` closes an open `open` whose end tag may be left out.
fn closed_by(open: &str, opening: &str) -> bool {
    match open {
        "p" => CLOSES_P.contains(&opening),
        "li" => opening == "li",
        "dt" | "dd" => matches!(opening, "dt" | "dd"),
        "td" | "th" => matches!(opening, "td" | "th" | "tr" | "tbody" | "tfoot"),
        "tr" => matches!(opening, "tr" | "tbody" | "tfoot"),
        "thead" | "tbody" => matches!(opening, "tbody" | "tfoot"),
        "option" => matches!(opening, "option" | "optgroup"),
        _ => false,
    }
}

fn unclosed(element: Option<&HtmlElement>, diagnostics: &mut Vec<Diagnostic>) {
    let Some(element) = element.filter(|e| !OPTIONAL_END.contains(&e.name.as_str())) else {
        return;
    };
    diagnostics.push(
        Diagnostic::warning(format!("raw HTML `<{}>` is not closed in its Markdown container: closed at its end", element.name), element.span)
            .with_hint("open and close each element in the same Markdown container (the same paragraph, or the same level of blocks)"),
    );
}

/// The tokens of one chunk of raw HTML starting at `span`.
pub fn tokenize(html: &str, span: Span) -> Vec<Token> {
    let sink = Sink {
        html,
        span,
        cursor: Cell::default(),
        tokens: RefCell::default(),
        raw_text: RefCell::default(),
        svg: Cell::new(0),
    };
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let tokenizer = Tokenizer::new(sink, Default::default());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let sink = tokenizer.sink;
    let mut tokens = sink.tokens.into_inner();
    // A `<script>` left open at the end of its chunk keeps what it read.
    if let Some((element, text)) = sink.raw_text.into_inner() {
        tokens.push(Token::Node(HtmlNode::RawText { element, text }));
    }
    tokens
}

/// `html` with each numeric character reference that an HTML parser decodes
/// to a character no edition can carry (`&#1;`, `&#xFFFE;`) turned into a
/// reference to U+0000 of the same length (`&#0;`, `&#x0000;`), which an
/// HTML parser reads as U+FFFD — the same length, so that the positions of
/// what follows, and the spans of their diagnostics, stay true — and the
/// first such character. References to U+0080–U+009F are left: parsers
/// read them as Windows-1252 (`&#x80;` is €).
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
        // `&#`, then `x` if written, then every digit a zero, then `;` if written.
        let digits_at = at + 2 + (rest.len() - digits.len());
        out.push_str(&html[at..digits_at]);
        out.extend(std::iter::repeat_n('0', len));
        out.push_str(&html[digits_at + len..end]);
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
    /// Where the chunk starts in its file.
    span: Span,
    /// The line (1-based, in the chunk) and byte after the last tag placed.
    cursor: Cell<(u64, usize)>,
    tokens: RefCell<Vec<Token>>,
    /// The `<script>`-like element being read, and its text so far.
    raw_text: RefCell<Option<(HtmlElement, String)>>,
    /// How many `<svg>` or `<math>` elements are open (foreign content).
    svg: Cell<usize>,
}

impl TokenSink for Sink<'_> {
    type Handle = ();

    fn process_token(&self, token: HtmlToken, line: u64) -> TokenSinkResult<()> {
        match token {
            HtmlToken::TagToken(tag) => return self.tag(tag, line),
            HtmlToken::CharacterTokens(text) => {
                if let Some((_, raw)) = &mut *self.raw_text.borrow_mut() {
                    raw.push_str(&text);
                    return TokenSinkResult::Continue;
                }
                let mut tokens = self.tokens.borrow_mut();
                if let Some(Token::Node(HtmlNode::Text { text: previous, .. })) = tokens.last_mut()
                {
                    previous.push_str(&text);
                } else {
                    tokens.push(Token::Node(HtmlNode::Text {
                        text: text.to_string(),
                        span: self.line_span(line),
                    }));
                }
            }
            HtmlToken::CommentToken(text) => {
                self.tokens
                    .borrow_mut()
                    .push(Token::Node(HtmlNode::Comment {
                        text: text.to_string(),
                        span: self.line_span(line),
                    }));
            }
            // Doctypes, NUL characters (the reader replaced them), parse errors
            // (the pairing reports what matters), the end.
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

impl Sink<'_> {
    fn tag(&self, tag: Tag, line: u64) -> TokenSinkResult<()> {
        let foreign = self.svg.get() > 0 || matches!(&*tag.name, "svg" | "math");
        let name = if foreign {
            svg_case(&tag.name)
        } else {
            tag.name.to_string()
        };
        if tag.kind == TagKind::EndTag {
            if let Some((element, text)) = self.raw_text.borrow_mut().take() {
                self.tokens
                    .borrow_mut()
                    .push(Token::Node(HtmlNode::RawText { element, text }));
                return TokenSinkResult::Continue;
            }
            if matches!(name.as_str(), "svg" | "math") {
                self.svg.set(self.svg.get().saturating_sub(1));
            }
            let span = self.tag_span(line, &name, true);
            self.tokens.borrow_mut().push(Token::Close { name, span });
            return TokenSinkResult::Continue;
        }
        let mut attributes: Vec<HtmlAttribute> = Vec::with_capacity(tag.attrs.len());
        for attribute in &tag.attrs {
            let attribute_name = match &attribute.name.prefix {
                Some(prefix) => format!("{prefix}:{}", attribute.name.local),
                None if foreign => svg_case(&attribute.name.local),
                None => attribute.name.local.to_string(),
            };
            if attributes.iter().any(|a| a.name == attribute_name) {
                continue;
            }
            attributes.push(HtmlAttribute {
                name: attribute_name,
                value: attribute.value.to_string(),
                target: None,
            });
        }
        let mut element = HtmlElement {
            span: self.tag_span(line, &name, false),
            name,
            attributes,
        };
        for attribute in &mut element.attributes {
            if names_a_place(&element.name, &attribute.name) && !attribute.value.trim().is_empty() {
                attribute.target = Some(LinkTarget::Unresolved);
            }
        }
        let name = element.name.as_str();
        if RAW_TEXT.contains(&name) {
            let kind = match name {
                "script" => RawKind::ScriptData,
                _ => RawKind::Rawtext,
            };
            *self.raw_text.borrow_mut() = Some((element, String::new()));
            return TokenSinkResult::RawData(kind);
        }
        let void = VOID_ELEMENTS.contains(&name) || (foreign && tag.self_closing);
        let rcdata = matches!(name, "textarea" | "title");
        if matches!(name, "svg" | "math") && !void {
            self.svg.set(self.svg.get() + 1);
        }
        let token = match void {
            true => Token::Node(HtmlNode::Element {
                element,
                children: Vec::new(),
            }),
            false => Token::Open(element),
        };
        self.tokens.borrow_mut().push(token);
        // Without a tree builder, the tokenizer must be told where text
        // holds no tags.
        match rcdata {
            true => TokenSinkResult::RawData(RawKind::Rcdata),
            false => TokenSinkResult::Continue,
        }
    }

    /// The start of `line` (1-based, in the chunk) in the file.
    fn line_span(&self, line: u64) -> Span {
        match line.saturating_sub(1) {
            0 => self.span,
            below => Span {
                line: self.span.line + below as u32,
                col: 1,
                ..self.span
            },
        }
    }

    /// Where the tag of `element` the tokenizer read on `line` (1-based, in the
    /// chunk) starts in the file: the first such tag on that line after the
    /// last one placed, so that a diagnostic points at the tag itself.
    fn tag_span(&self, line: u64, element: &str, end: bool) -> Span {
        let index = line.saturating_sub(1) as usize;
        let text = self.html.split('\n').nth(index).unwrap_or_default();
        let from = match self.cursor.get() {
            (placed, after) if placed == line => after,
            _ => 0,
        };
        let at = text
            .get(from..)
            .and_then(|rest| find_tag(rest, element, end))
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
}

/// `name` as SVG spells it.
fn svg_case(name: &str) -> String {
    SVG_NAMES
        .iter()
        .find(|known| known.eq_ignore_ascii_case(name))
        .map_or_else(|| name.to_string(), |known| known.to_string())
}

/// The byte where the tag `<element` (or `</element`) begins in `text`, any case.
fn find_tag(text: &str, element: &str, end: bool) -> Option<usize> {
    let open = if end { "</" } else { "<" };
    text.match_indices(open).map(|(at, _)| at).find(|&at| {
        let name = &text.as_bytes()[at + open.len()..];
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

    fn element(tokens: &[Token], name: &str) -> HtmlElement {
        tokens
            .iter()
            .find_map(|t| match t {
                Token::Open(e) | Token::Node(HtmlNode::Element { element: e, .. })
                    if e.name == name =>
                {
                    Some(e.clone())
                }
                _ => None,
            })
            .unwrap_or_else(|| panic!("no <{name}> in {tokens:?}"))
    }

    #[test]
    fn reads_attributes_as_a_browser_reads_them() {
        let html = "<p id=\"intro\"><a name='haut'></a><img alt=\"Plan &amp; jardin\" SRC=/assets/plan%20A.png>\n\
                    <!-- <img src=\"commented.png\"> -->\n\
                    <a href=\"../2-constituants#licences\">suite</a><input name=\"not-an-anchor\"></p>\n\
                    <video poster=\"v.jpg\"><source src=\"v.mp4\"></video><script>let s = '<img src=\"script.png\">';</script>";
        let tokens = tokenize(html, span(4, 3));
        let img = element(&tokens, "img");
        assert_eq!(img.attribute("alt"), Some("Plan & jardin"));
        assert_eq!(img.attributes[1].target, Some(LinkTarget::Unresolved));
        assert_eq!((img.span.line, img.span.col), (4, 3 + 33));
        assert_eq!(element(&tokens, "p").anchor(), Some("intro"));
        assert_eq!(element(&tokens, "input").anchor(), None);
        let source = element(&tokens, "source");
        assert_eq!((source.span.line, source.span.col), (7, 23));
        let Some(Token::Node(HtmlNode::RawText { element, text })) = tokens.last() else {
            panic!("{tokens:?}")
        };
        assert_eq!(element.name, "script");
        assert_eq!(text, "let s = '<img src=\"script.png\">';");
        assert!(tokens.iter().any(|t| matches!(t, Token::Node(HtmlNode::Comment { text, .. }) if text.contains("commented"))));
    }

    #[test]
    fn svg_names_keep_their_case() {
        let tokens = tokenize(
            "<svg viewBox=\"0 0 1 1\"><clipPath/><circle r=\"1\"/></svg>",
            span(1, 1),
        );
        let svg = element(&tokens, "svg");
        assert_eq!(svg.attributes[0].name, "viewBox");
        element(&tokens, "clipPath");
        // A self-closed SVG element is complete.
        assert!(
            matches!(&tokens[2], Token::Node(HtmlNode::Element { element, .. }) if element.name == "circle")
        );
    }

    /// Inlines from `(html | text)` pieces, paired.
    fn inlines(pieces: &[(bool, &str)]) -> (Vec<Inline>, Vec<Diagnostic>) {
        let pieces = pieces
            .iter()
            .enumerate()
            .map(|(i, (html, text))| match html {
                true => Piece::Html(tokenize(text, span(1, 1 + i as u32))),
                false => Piece::Markdown(Inline::Text {
                    text: text.to_string(),
                    span: span(1, 1 + i as u32),
                }),
            })
            .collect();
        let mut diagnostics = Vec::new();
        (pair(pieces, &mut diagnostics), diagnostics)
    }

    #[test]
    fn an_element_over_inline_chunks_holds_its_markdown() {
        let (content, diagnostics) = inlines(&[
            (true, "<span class=\"filename\">"),
            (false, "Filename: src/main.rs"),
            (true, "</span>"),
            (true, "<kbd>Ctrl</kbd>"),
        ]);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let [Inline::HtmlElement { element, content }, Inline::Html(kbd)] = &content[..] else {
            panic!("{content:?}")
        };
        assert_eq!(element.attribute("class"), Some("filename"));
        assert_eq!(crate::model::plain_text(content), "Filename: src/main.rs");
        assert!(
            matches!(&kbd.nodes[..], [HtmlNode::Element { element, .. }] if element.name == "kbd")
        );
    }

    #[test]
    fn stray_and_unclosed_tags_are_warned_at_their_line() {
        let (content, diagnostics) = inlines(&[
            (true, "</em>"),
            (true, "<b>"),
            (false, "gras"),
            (true, "<br>"),
        ]);
        let messages: Vec<_> = diagnostics
            .iter()
            .map(|d| (d.message.as_str(), d.span.map(|s| s.col)))
            .collect();
        assert!(
            messages[0].0.contains("`</em>` closes no element") && messages[0].1 == Some(1),
            "{messages:?}"
        );
        assert!(
            messages[1].0.contains("`<b>` is not closed") && messages[1].1 == Some(2),
            "{messages:?}"
        );
        assert_eq!(messages.len(), 2);
        let [Inline::HtmlElement { element, content }] = &content[..] else {
            panic!("{content:?}")
        };
        assert_eq!(element.name, "b");
        assert_eq!(content.len(), 2, "the text and the <br>: {content:?}");
    }

    #[test]
    fn a_div_over_blocks_holds_them_and_optional_end_tags_close_quietly() {
        let block = |text: &str| {
            Piece::Markdown(Block::Paragraph {
                content: vec![Inline::Text {
                    text: text.into(),
                    span: span(2, 1),
                }],
                span: span(2, 1),
            })
        };
        let pieces = vec![
            Piece::Html(tokenize("<div class=\"note\">\n", span(1, 1))),
            block("Markdown"),
            Piece::Html(tokenize(
                "<ul><li>un<li>deux</ul>\n<p>a<p>b\n</div>\n",
                span(3, 1),
            )),
        ];
        let mut diagnostics = Vec::new();
        let blocks = pair(pieces, &mut diagnostics);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let [Block::HtmlElement { element, blocks }] = &blocks[..] else {
            panic!("{blocks:?}")
        };
        assert_eq!(element.name, "div");
        let [Block::Paragraph { .. }, Block::Html(html)] = &blocks[..] else {
            panic!("{blocks:?}")
        };
        let names: Vec<_> = html
            .nodes
            .iter()
            .filter_map(|n| match n {
                HtmlNode::Element { element, children } => {
                    Some((element.name.as_str(), children.len()))
                }
                _ => None,
            })
            .collect();
        assert_eq!(names, [("ul", 2), ("p", 1), ("p", 1)]);
    }

    #[test]
    fn nesting_is_bounded() {
        // A void element (`<br>`) past the bound is left out too.
        let deep = "<div>".repeat(MAX_DEPTH + 10) + "fond<br>" + &"</div>".repeat(MAX_DEPTH + 10);
        let (content, diagnostics) = inlines(&[(true, &deep)]);
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        let mut depth = 0;
        let mut nodes = match &content[..] {
            [Inline::Html(fragment)] => fragment.nodes.clone(),
            other => panic!("{other:?}"),
        };
        while let [HtmlNode::Element { children, .. }] = &nodes[..] {
            depth += 1;
            nodes = children.clone();
        }
        assert_eq!(depth, MAX_DEPTH);
        assert!(matches!(&nodes[..], [HtmlNode::Text { text, .. }] if text == "fond"));
    }

    #[test]
    fn references_to_forbidden_characters_are_replaced() {
        let (html, first) = clean_references(
            "<b>&#1;&#x7F &#X1F;</b>&#128;&#233;&#xfffe;&amp;#1;&#00000000002;&#99999999999;",
        );
        assert_eq!(
            html,
            "<b>&#0;&#x00 &#X00;</b>&#128;&#233;&#x0000;&amp;#1;&#00000000000;&#99999999999;"
        );
        // Read as U+FFFD, as the reference to U+0000 it now is.
        let tokens = tokenize(&html, Span::default());
        let text: String = tokens
            .iter()
            .filter_map(|token| match token {
                Token::Node(HtmlNode::Text { text, .. }) => Some(text.as_str()),
                _ => None,
            })
            .collect();
        assert!(text.starts_with("\u{FFFD}\u{FFFD} \u{FFFD}"), "{text:?}");
        assert_eq!(first, Some('\u{1}'));
        assert!(matches!(
            clean_references("<p>&#233;</p>"),
            (Cow::Borrowed(_), None)
        ));
    }
}
