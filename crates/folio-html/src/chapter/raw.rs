//! Raw HTML from the sources, serialised from the model's tree (the reader
//! parsed it once; the resolver gave its ids and places their targets). One
//! rule per edition:
//! - the site and the single page write it as HTML5: attributes escaped,
//!   void elements without end tag, links and images as Markdown's are
//!   (a broken link loses its `href`, a missing image becomes its alt
//!   text), ids book-wide on the single page; `<script>` is kept, `<style>`
//!   is dropped with a warning (a page's body cannot hold it: the book's
//!   stylesheets go in `[html] css`);
//! - the EPUB writes well-formed XHTML, without what a content document may
//!   not hold ([`DROPPED_FROM_EPUB`], event handlers, attributes XML cannot
//!   name), each dropped with a warning at its line, and without comments;
//! - the reference rendering (`Flavor::Spec`) writes the tree as it was read.

use std::fmt::Write as _;

use folio_core::{
    AltText, HtmlElement, HtmlFragment, HtmlNode, ImageSize, LinkTarget, VOID_ELEMENTS,
};

use super::{Flavor, Writer};
use crate::escape::push_escaped;
use crate::links::relative_url;

/// Elements an EPUB content document cannot hold (scripts, remote or
/// document-level machinery): dropped with their content.
const DROPPED_FROM_EPUB: &[&str] = &[
    "script", "noscript", "style", "iframe", "object", "embed", "applet", "frame", "frameset",
    "base", "link", "meta", "template", "title", "form", "input", "button", "select", "textarea",
];

/// Elements that hold text but no paragraph: Markdown paragraphs inside
/// them are written without their `<p>`, or the page would not be valid.
const PHRASING_ONLY: &[&str] = &[
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "span", "a", "em", "strong", "b", "i", "u", "s",
    "small", "code", "kbd", "sub", "sup", "label", "abbr", "cite", "mark", "q", "font",
];

/// Whether Markdown blocks inside `element` are written as text only.
pub(super) fn holds_phrasing_only(element: &HtmlElement) -> bool {
    PHRASING_ONLY.contains(&element.name.as_str())
}

/// What happens to a raw element's tags in the edition being written.
pub(super) enum Tags {
    /// Written: its content follows, then [`Writer::html_end`].
    Written,
    /// Left out, its content kept (a name XML cannot hold).
    Omitted,
    /// Left out with its content, or written whole already (an `<img>`).
    Done,
}

impl Writer<'_> {
    pub(super) fn html_fragment(&mut self, fragment: &HtmlFragment) {
        for node in &fragment.nodes {
            self.html_node(node);
        }
    }

    fn html_node(&mut self, node: &HtmlNode) {
        match node {
            HtmlNode::Text { text, .. } => push_escaped(&mut self.out, text),
            HtmlNode::Comment { text, .. } if !self.flavor.xhtml() => {
                let _ = write!(self.out, "<!--{text}-->");
            }
            HtmlNode::Element { element, children } => match self.html_start(element) {
                Tags::Done => {}
                tags => {
                    // An inline picture: described by its `<title>` or an ARIA label.
                    if element.name == "svg" {
                        let titled = children.iter().any(|child| {
                            matches!(child, HtmlNode::Element { element, .. } if element.name == "title")
                        });
                        let labelled = element.attribute("aria-label").is_some()
                            || element.attribute("aria-labelledby").is_some();
                        self.contents.image(!titled && !labelled);
                    }
                    for child in children {
                        self.html_node(child);
                    }
                    if let Tags::Written = tags {
                        self.html_end(element);
                    }
                }
            },
            HtmlNode::RawText { element, text } => self.raw_text(element, text),
            _ => {}
        }
    }

    /// `<script>`, `<style>`…: their text is written as it is, on the web.
    fn raw_text(&mut self, element: &HtmlElement, text: &str) {
        let name = element.name.as_str();
        if name == "style" && matches!(self.flavor, Flavor::Site | Flavor::SinglePage) {
            return self.warn(
                "raw HTML `<style>` cannot stay in a page's body: left out of the web edition"
                    .to_string(),
                element.span,
                "list a stylesheet under `css` in [html] of folio.toml instead",
            );
        }
        if let Tags::Written = self.html_start(element) {
            match self.flavor.xhtml() {
                true => push_escaped(&mut self.out, text),
                false => self.out.push_str(text),
            }
            self.html_end(element);
        }
    }

    /// Writes the start tag of `element` as this edition has it.
    pub(super) fn html_start(&mut self, element: &HtmlElement) -> Tags {
        let name = element.name.as_str();
        let spec = self.flavor == Flavor::Spec;
        if self.flavor.xhtml() && DROPPED_FROM_EPUB.contains(&name) {
            self.warn(
                format!("raw HTML `<{name}>` cannot go into an EPUB: left out with its content"),
                element.span,
                "an EPUB holds no scripts, forms or embedded pages; the web edition keeps it",
            );
            return Tags::Done;
        }
        // `<https://exemple.fr>` in an HTML block is an element named
        // `https:` to an HTML parser, and no name at all to an XML one.
        if !spec && !is_xml_name(name) {
            self.warn(
                format!(
                    "`<{name}>` is not an element name: its tags are left out, its content kept"
                ),
                element.span,
                "write `&lt;` for a `<` that opens no tag, or put the text in backticks",
            );
            return Tags::Omitted;
        }
        let mut sized = None;
        let mut lazy = false;
        if name == "img" && !spec {
            match self.image_source(element) {
                Source::Write { size, is_asset } => {
                    sized = size.filter(|_| {
                        element.attribute("width").is_none()
                            && element.attribute("height").is_none()
                    });
                    let alt_text = AltText::of_attribute(element.attribute("alt"));
                    let lazy_here = self.next_image_is_lazy(alt_text);
                    lazy = is_asset && lazy_here && element.attribute("loading").is_none();
                }
                Source::Done => return Tags::Done,
            }
        }
        self.contents.svg |= name == "svg";
        self.contents.mathml |= name == "math";
        self.out.push('<');
        self.out.push_str(name);
        if self.flavor.xhtml() {
            match name {
                "svg" => self.out.push_str(" xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\""),
                "math" => self.out.push_str(" xmlns=\"http://www.w3.org/1998/Math/MathML\""),
                _ => {}
            }
        }
        for attribute in &element.attributes {
            let value = match &attribute.target {
                _ if spec => Some(attribute.value.clone()),
                Some(target) => self.place(element, target, &attribute.value),
                None if element.is_anchor_attribute(&attribute.name) => {
                    Some(self.id(&attribute.value).to_string())
                }
                None => Some(attribute.value.clone()),
            };
            let Some(value) = value else { continue };
            if self.flavor.xhtml() && !self.xhtml_attribute_allowed(element, &attribute.name) {
                continue;
            }
            self.attribute(&attribute.name, &value);
        }
        // HTML requires `alt`: an image nothing describes gets an empty one,
        // as Markdown's `![](…)` does (the resolver warned at its line).
        if name == "img" && !spec && element.attribute("alt").is_none() {
            self.attribute("alt", "");
        }
        if let Some(size) = sized {
            let _ = write!(
                self.out,
                " width=\"{}\" height=\"{}\"",
                size.width, size.height
            );
        }
        if lazy {
            self.out.push_str(" loading=\"lazy\"");
        }
        if VOID_ELEMENTS.contains(&name) {
            let end = self.void_end();
            self.out.push_str(end);
            return Tags::Done;
        }
        self.out.push('>');
        self.links_open += u32::from(element.is_link());
        Tags::Written
    }

    pub(super) fn html_end(&mut self, element: &HtmlElement) {
        self.links_open -= u32::from(element.is_link());
        let _ = write!(self.out, "</{}>", element.name);
    }

    /// What an attribute naming a place becomes here: as a Markdown link's
    /// or image's target is; `None` drops it (a link leading nowhere).
    fn place(&mut self, element: &HtmlElement, target: &LinkTarget, value: &str) -> Option<String> {
        if element.is_link() {
            return self.link_href(value.trim(), target);
        }
        Some(match target {
            LinkTarget::Asset { asset } => {
                self.contents.assets.insert(*asset);
                relative_url(&self.page, &self.book.assets[*asset].href)
            }
            LinkTarget::External { url } => {
                self.contents.remote |= url.starts_with("http:") || url.starts_with("https:");
                value.to_string()
            }
            _ => value.to_string(),
        })
    }

    /// How an `<img>` is written: with its source, or as its alt text when
    /// its file is missing, or as a link to a remote image in an EPUB.
    fn image_source(&mut self, element: &HtmlElement) -> Source {
        let target = element
            .attributes
            .iter()
            .find(|a| a.name == "src")
            .and_then(|a| a.target.as_ref());
        let alt = element.attribute("alt").unwrap_or_default();
        match target {
            Some(LinkTarget::Asset { asset }) => Source::Write {
                size: self.book.assets[*asset].size,
                is_asset: true,
            },
            Some(LinkTarget::External { .. })
                if self.flavor == Flavor::Epub && self.links_open > 0 =>
            {
                self.warn(
                    "a remote image is not packaged in the EPUB: its alt text stands in".into(),
                    element.span,
                    super::REMOTE_IMAGE_HINT,
                );
                push_escaped(&mut self.out, alt);
                Source::Done
            }
            Some(LinkTarget::External { url }) if self.flavor == Flavor::Epub => {
                self.warn(
                    format!(
                        "remote image `{url}` is not packaged in the EPUB: its alt text links to it"
                    ),
                    element.span,
                    super::REMOTE_IMAGE_HINT,
                );
                self.out.push_str("<a href=\"");
                push_escaped(&mut self.out, url);
                self.out.push_str("\">");
                push_escaped(&mut self.out, if alt.is_empty() { url } else { alt });
                self.out.push_str("</a>");
                Source::Done
            }
            Some(LinkTarget::External { .. } | LinkTarget::Unresolved) | None => Source::Write {
                size: None,
                is_asset: false,
            },
            // The resolver reported the missing file: its alt text, in every edition.
            Some(_) => {
                push_escaped(&mut self.out, alt);
                Source::Done
            }
        }
    }

    fn attribute(&mut self, name: &str, value: &str) {
        self.out.push(' ');
        self.out.push_str(name);
        self.out.push_str("=\"");
        push_escaped(&mut self.out, value);
        self.out.push('"');
    }

    /// XHTML keeps attributes that are well-formed XML names in a declared
    /// namespace, and never event handlers.
    fn xhtml_attribute_allowed(&mut self, element: &HtmlElement, attribute: &str) -> bool {
        let name = &element.name;
        if attribute.starts_with("on") {
            self.warn(
                format!("event handler `{attribute}` on <{name}> cannot go into an EPUB: dropped"),
                element.span,
                "an EPUB runs no scripts; the web edition keeps it",
            );
            return false;
        }
        let (prefix, local) = match attribute.split_once(':') {
            Some((prefix, local)) => (Some(prefix), local),
            None => (None, attribute),
        };
        let prefix_ok = matches!(prefix, None | Some("epub" | "xml" | "xlink"));
        if !prefix_ok || !is_xml_name(local) || attribute.starts_with("xmlns") {
            self.warn(
                format!("attribute `{attribute}` on <{name}> is not valid XHTML: dropped"),
                element.span,
                "an EPUB takes attribute names of letters, digits, `-`, `_` and `.` (and the \
                 `epub:`, `xml:` and `xlink:` prefixes); the web edition keeps it",
            );
            return false;
        }
        true
    }
}

enum Source {
    /// Write the `<img>`, sized as the file is unless the author sized it.
    Write {
        size: Option<ImageSize>,
        is_asset: bool,
    },
    /// Written already, in its place.
    Done,
}

/// Whether `name` is an XML name without a colon (XML 1.0, productions 4,
/// 4a and 5): the characters XML allows are its own ranges, not Unicode's
/// letters and digits (`m²` is an HTML attribute name, not an XML one).
fn is_xml_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(is_name_start_char) && chars.all(is_name_char)
}

fn is_name_start_char(c: char) -> bool {
    matches!(c,
        'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}'
        | '\u{F8}'..='\u{2FF}' | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}'
        | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}'
        | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}'
        | '\u{10000}'..='\u{EFFFF}')
}

fn is_name_char(c: char) -> bool {
    is_name_start_char(c)
        || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}
