//! Raw HTML from the sources. Whatever the author wrote, the page must stay
//! valid: a chapter holding raw HTML is parsed as a whole with html5ever (the
//! parser browsers use), so that `<div>` … markdown … `</div>` split over
//! several chunks is understood, and serialised again — HTML5 for the site,
//! well-formed XHTML for the EPUB, minus what an EPUB may not hold.
//!
//! The attributes that name a place of the book (`<img src>`, `<a href>`…)
//! are written with the targets the resolver gave them, as [`Rewrites`].
//!
//! The chapter renderer puts a marker comment before each raw chunk; the sink
//! below notes the last marker seen when the parser reports an error, so each
//! warning names the file and line of the chunk at fault.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use ego_tree::NodeRef;
use folio_core::{Diagnostic, ImageSize, Span};
use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::tree_builder::{ElementFlags, NodeOrText, QuirksMode, TreeBuilderOpts, TreeSink};
use html5ever::{Attribute, ParseOpts, QualName, local_name, ns};
use scraper::{Html, HtmlTreeSink, Node};

use crate::escape::push_escaped;

/// How deep raw HTML elements may nest; deeper, their text alone is kept.
const MAX_DEPTH: usize = 64;

/// Starts the comment that precedes raw chunk N: `<!--folio-raw:N-->`.
pub const MARKER: &str = "folio-raw:";

const VOID_ELEMENTS: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// Elements whose text the HTML serialisation writes unescaped.
const RAW_TEXT_ELEMENTS: &[&str] = &[
    "script", "style", "xmp", "iframe", "noembed", "noframes", "noscript",
];

/// Elements an EPUB content document cannot hold (scripts, remote or
/// document-level machinery): dropped with their content.
const DROPPED_FROM_EPUB: &[&str] = &[
    "script", "noscript", "style", "iframe", "object", "embed", "applet", "frame", "frameset",
    "base", "link", "meta", "template", "title",
];

/// What raw HTML attributes become on the page being written, keyed by
/// attribute and value as the model holds them: the targets of its
/// references, and its ids on the single page, where they are book-wide. A
/// chapter's references all start from its folder, so one value as written
/// always means one target.
pub type Rewrites = HashMap<(String, String), Rewrite>;

/// What one attribute value of raw HTML becomes.
#[derive(Debug, Default)]
pub struct Rewrite {
    /// The new value; `None` drops the attribute (a link an EPUB cannot follow).
    pub value: Option<String>,
    /// An image's pixel size, written unless the author sized it, as
    /// Markdown images get theirs (no layout shift while the page loads).
    pub size: Option<ImageSize>,
    /// `loading="lazy"`, unless the author chose.
    pub lazy: bool,
    /// Write the `<img>` as a link to `value` showing its alt text: a remote
    /// image in an EPUB, which may load nothing from the network.
    pub as_link: bool,
}

/// Parses `html` (a chapter fragment with marked raw chunks) and serialises it
/// again; problems are reported against `spans[chunk]`.
pub fn repair(
    html: &str,
    xhtml: bool,
    spans: &[Span],
    rewrites: &Rewrites,
    diagnostics: &mut Vec<Diagnostic>,
) -> String {
    let sink = TrackingSink {
        inner: HtmlTreeSink::new(Html::new_fragment()),
        chunk: Cell::new(None),
        errors: RefCell::default(),
    };
    let opts = ParseOpts {
        tree_builder: TreeBuilderOpts {
            exact_errors: true,
            ..Default::default()
        },
        ..Default::default()
    };
    let parser = html5ever::driver::parse_fragment(
        sink,
        opts,
        QualName::new(None, ns!(html), local_name!("body")),
        Vec::new(),
        false,
    );
    let (document, errors) = parser.one(html);

    let mut reported = vec![false; spans.len()];
    for (chunk, message) in errors {
        // One warning per chunk: the first error is the telling one.
        let Some(span) = chunk.and_then(|c| spans.get(c)) else {
            continue;
        };
        let Some(seen) = chunk.and_then(|c| reported.get_mut(c)) else {
            continue;
        };
        if !*seen {
            *seen = true;
            diagnostics.push(
                Diagnostic::warning(format!("raw HTML is not balanced or not allowed here ({message})"), *span)
                    .with_hint("close every element you open in the same place; folio repaired the page as a browser would"),
            );
        }
    }

    let mut serializer = Serializer {
        out: String::with_capacity(html.len()),
        xhtml,
        spans,
        rewrites,
        chunk: None,
        depth: 0,
        flattened: false,
        diagnostics,
    };
    // A fragment parses into a single <html> element holding the content.
    for node in document.tree.root().children() {
        match node.value() {
            Node::Element(_) => serializer.children(node),
            _ => serializer.node(node),
        }
    }
    serializer.out
}

/// scraper's sink, plus the raw chunk being parsed when an error is reported.
struct TrackingSink {
    inner: HtmlTreeSink,
    chunk: Cell<Option<usize>>,
    errors: RefCell<Vec<(Option<usize>, Cow<'static, str>)>>,
}

type Handle = <HtmlTreeSink as TreeSink>::Handle;

impl TreeSink for TrackingSink {
    type Handle = Handle;
    type Output = (Html, Vec<(Option<usize>, Cow<'static, str>)>);
    type ElemName<'a> = <HtmlTreeSink as TreeSink>::ElemName<'a>;

    fn finish(self) -> Self::Output {
        (self.inner.finish(), self.errors.into_inner())
    }
    fn parse_error(&self, msg: Cow<'static, str>) {
        self.errors.borrow_mut().push((self.chunk.get(), msg));
    }
    fn create_comment(&self, text: StrTendril) -> Handle {
        if let Some(n) = marker_chunk(&text) {
            self.chunk.set(Some(n));
        }
        self.inner.create_comment(text)
    }
    fn get_document(&self) -> Handle {
        self.inner.get_document()
    }
    fn elem_name<'a>(&'a self, target: &'a Handle) -> Self::ElemName<'a> {
        self.inner.elem_name(target)
    }
    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, flags: ElementFlags) -> Handle {
        self.inner.create_element(name, attrs, flags)
    }
    fn create_pi(&self, target: StrTendril, data: StrTendril) -> Handle {
        self.inner.create_pi(target, data)
    }
    fn append(&self, parent: &Handle, child: NodeOrText<Handle>) {
        self.inner.append(parent, child)
    }
    fn append_based_on_parent_node(
        &self,
        element: &Handle,
        prev_element: &Handle,
        child: NodeOrText<Handle>,
    ) {
        self.inner
            .append_based_on_parent_node(element, prev_element, child)
    }
    fn append_doctype_to_document(
        &self,
        name: StrTendril,
        public_id: StrTendril,
        system_id: StrTendril,
    ) {
        self.inner
            .append_doctype_to_document(name, public_id, system_id)
    }
    fn get_template_contents(&self, target: &Handle) -> Handle {
        self.inner.get_template_contents(target)
    }
    fn same_node(&self, x: &Handle, y: &Handle) -> bool {
        self.inner.same_node(x, y)
    }
    fn set_quirks_mode(&self, mode: QuirksMode) {
        self.inner.set_quirks_mode(mode)
    }
    fn append_before_sibling(&self, sibling: &Handle, new_node: NodeOrText<Handle>) {
        self.inner.append_before_sibling(sibling, new_node)
    }
    fn add_attrs_if_missing(&self, target: &Handle, attrs: Vec<Attribute>) {
        self.inner.add_attrs_if_missing(target, attrs)
    }
    fn remove_from_parent(&self, target: &Handle) {
        self.inner.remove_from_parent(target)
    }
    fn reparent_children(&self, node: &Handle, new_parent: &Handle) {
        self.inner.reparent_children(node, new_parent)
    }
}

fn marker_chunk(comment: &str) -> Option<usize> {
    comment.strip_prefix(MARKER)?.parse().ok()
}

struct Serializer<'a> {
    out: String,
    xhtml: bool,
    spans: &'a [Span],
    rewrites: &'a Rewrites,
    /// The raw chunk the walk is in, for warnings about what XHTML drops.
    chunk: Option<usize>,
    /// How many elements enclose the node being written.
    depth: usize,
    /// Whether elements nested too deep were flattened (warned once).
    flattened: bool,
    diagnostics: &'a mut Vec<Diagnostic>,
}

impl<'a> Serializer<'a> {
    fn children(&mut self, node: NodeRef<'_, Node>) {
        if self.depth >= MAX_DEPTH {
            return self.flattened(node);
        }
        self.depth += 1;
        for child in node.children() {
            self.node(child);
        }
        self.depth -= 1;
    }

    /// The text of what is nested in `node` beyond [`MAX_DEPTH`] elements,
    /// read without recursion: a chunk of ten thousand `<div>`s must not
    /// overflow the stack.
    fn flattened(&mut self, node: NodeRef<'_, Node>) {
        if !self.flattened {
            self.flattened = true;
            self.warn(format!("raw HTML nested more than {MAX_DEPTH} elements deep: what is deeper is kept as plain text"));
        }
        for descendant in node.descendants().skip(1) {
            if let Node::Text(text) = descendant.value() {
                push_escaped(&mut self.out, text);
            }
        }
    }

    fn node(&mut self, node: NodeRef<'_, Node>) {
        match node.value() {
            Node::Text(text) => {
                let parent_is_raw_text = node
                    .parent()
                    .and_then(|p| {
                        p.value()
                            .as_element()
                            .map(|e| RAW_TEXT_ELEMENTS.contains(&e.name()))
                    })
                    .unwrap_or(false);
                if parent_is_raw_text && !self.xhtml {
                    self.out.push_str(text);
                } else {
                    push_escaped(&mut self.out, text);
                }
            }
            Node::Comment(comment) => {
                if let Some(n) = marker_chunk(comment) {
                    self.chunk = Some(n);
                } else if !self.xhtml {
                    self.out.push_str("<!--");
                    self.out.push_str(comment);
                    self.out.push_str("-->");
                }
            }
            Node::Element(element) => self.element(node, element),
            _ => {}
        }
    }

    fn warn(&mut self, message: String) {
        if let Some(span) = self.chunk.and_then(|c| self.spans.get(c)) {
            self.diagnostics.push(Diagnostic::warning(message, *span));
        }
    }

    fn element(&mut self, node: NodeRef<'_, Node>, element: &scraper::node::Element) {
        let name = element.name();
        if self.xhtml && DROPPED_FROM_EPUB.contains(&name) {
            self.warn(format!("<{name}> cannot go into an EPUB: dropped"));
            return;
        }
        if let Some(href) = self.link_instead(element) {
            self.out.push_str("<a href=\"");
            push_escaped(&mut self.out, href);
            self.out.push_str("\">");
            push_escaped(&mut self.out, element.attr("alt").unwrap_or(href));
            self.out.push_str("</a>");
            return;
        }
        // `<https://exemple.fr>` in an HTML block is an element named
        // `https:` to an HTML parser, and no name at all to an XML one.
        if self.xhtml && !is_xml_name(name) {
            self.warn(format!("<{name}> is not a valid XHTML element: its tags are dropped from the EPUB, its content kept"));
            self.children(node);
            return;
        }
        self.out.push('<');
        self.out.push_str(name);
        if self.xhtml {
            // Foreign roots need their namespace in XML.
            let parent_ns = node
                .parent()
                .and_then(|p| p.value().as_element().map(|e| e.name.ns.clone()));
            let ns = &element.name.ns;
            if parent_ns.as_ref() != Some(ns) && *ns != ns!(html) {
                self.out.push_str(" xmlns=\"");
                push_escaped(&mut self.out, ns);
                self.out.push('"');
                if *ns == ns!(svg) {
                    self.out
                        .push_str(" xmlns:xlink=\"http://www.w3.org/1999/xlink\"");
                }
            }
        }
        // Sorted: the parser keeps attributes in a hash map.
        let mut attributes: Vec<(String, &str)> = element
            .attrs
            .iter()
            .map(|(name, value)| {
                let name = match &name.prefix {
                    Some(prefix) => format!("{prefix}:{}", name.local),
                    None => name.local.to_string(),
                };
                (name, &**value)
            })
            .collect();
        attributes.sort();
        let mut added = Vec::new();
        for (attribute, value) in attributes {
            if self.xhtml && !self.xhtml_attribute_allowed(name, &attribute) {
                continue;
            }
            let rewrite = match self.rewrites.is_empty() {
                true => None,
                false => self
                    .rewrites
                    .get(&(attribute.clone(), value.trim().to_string())),
            };
            let value = match rewrite {
                Some(rewrite) => {
                    let has = |a: &str| element.attr(a).is_some();
                    if let Some(size) = rewrite.size.filter(|_| !has("width") && !has("height")) {
                        added.extend([
                            ("width", size.width.to_string()),
                            ("height", size.height.to_string()),
                        ]);
                    }
                    if rewrite.lazy && !has("loading") {
                        added.push(("loading", "lazy".to_string()));
                    }
                    let Some(value) = &rewrite.value else {
                        continue;
                    };
                    value.as_str()
                }
                None => value,
            };
            self.attribute(&attribute, value);
        }
        for (attribute, value) in added {
            self.attribute(attribute, &value);
        }
        let is_void = VOID_ELEMENTS.contains(&name) && element.name.ns == ns!(html);
        if is_void {
            self.out.push_str(if self.xhtml { "/>" } else { ">" });
            return;
        }
        self.out.push('>');
        self.children(node);
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    /// Where an `<img>` links instead of showing itself, if it must.
    fn link_instead(&self, element: &scraper::node::Element) -> Option<&'a str> {
        let src = element.attr("src").filter(|_| element.name() == "img")?;
        let rewrite = self
            .rewrites
            .get(&("src".to_string(), src.trim().to_string()))?;
        rewrite.value.as_deref().filter(|_| rewrite.as_link)
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
    fn xhtml_attribute_allowed(&mut self, element: &str, attribute: &str) -> bool {
        if attribute.starts_with("on") {
            self.warn(format!(
                "event handler `{attribute}` on <{element}> cannot go into an EPUB: dropped"
            ));
            return false;
        }
        let (prefix, local) = match attribute.split_once(':') {
            Some((prefix, local)) => (Some(prefix), local),
            None => (None, attribute),
        };
        let prefix_ok = matches!(prefix, None | Some("epub" | "xml" | "xlink"));
        if !prefix_ok || !is_xml_name(local) || attribute.starts_with("xmlns") {
            self.warn(format!(
                "attribute `{attribute}` on <{element}> is not valid XHTML: dropped"
            ));
            return false;
        }
        true
    }
}

fn is_xml_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(line: u32) -> Span {
        Span {
            source: folio_core::SourceId(0),
            line,
            col: 1,
        }
    }

    fn repaired(html: &str, xhtml: bool, spans: &[Span]) -> (String, Vec<Diagnostic>) {
        let mut diagnostics = Vec::new();
        let out = repair(html, xhtml, spans, &Rewrites::new(), &mut diagnostics);
        (out, diagnostics)
    }

    #[test]
    fn references_take_their_targets_and_images_their_size() {
        let rewrite = |value: Option<&str>| Rewrite {
            value: value.map(str::to_string),
            ..Default::default()
        };
        let rewrites = Rewrites::from([
            (
                ("src".to_string(), "../img/plan a.svg".to_string()),
                Rewrite {
                    size: Some(ImageSize {
                        width: 320,
                        height: 160,
                    }),
                    lazy: true,
                    ..rewrite(Some("../img/plan-a.svg"))
                },
            ),
            (("href".to_string(), "../regles".to_string()), rewrite(None)),
            (
                ("id".to_string(), "plan".to_string()),
                rewrite(Some("parcelles-plan")),
            ),
        ]);
        let html = "<!--folio-raw:0--><figure id=\"plan\"><img src=\"../img/plan a.svg\" alt=\"Plan\">\
                    <img src=\" ../img/plan a.svg\" alt=\"\" width=\"50%\" loading=\"eager\"></figure>\
                    <a href=\"../regles\">règles</a> <a href=\"#plan\">plan</a>";
        let mut diagnostics = Vec::new();
        let out = repair(html, true, &[span(1)], &rewrites, &mut diagnostics);
        assert_eq!(
            out,
            "<figure id=\"parcelles-plan\"><img alt=\"Plan\" src=\"../img/plan-a.svg\" width=\"320\" height=\"160\" loading=\"lazy\"/>\
             <img alt=\"\" loading=\"eager\" src=\"../img/plan-a.svg\" width=\"50%\"/></figure>\
             <a>règles</a> <a href=\"#plan\">plan</a>",
            "the author's size and loading win; an unreachable link loses its href; other values stay"
        );
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
    }

    #[test]
    fn balanced_chunks_split_over_blocks_pass_without_warning() {
        let html = "<!--folio-raw:0--><div class=\"box\">\n<p>Some <em>text</em></p>\n<!--folio-raw:1--></div>\n";
        let (out, diagnostics) = repaired(html, false, &[span(1), span(5)]);
        assert_eq!(
            out,
            "<div class=\"box\">\n<p>Some <em>text</em></p>\n</div>\n"
        );
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
    }

    #[test]
    fn unclosed_element_is_closed_and_reported_at_its_line() {
        let html = "<p>a</p>\n<!--folio-raw:0--><div>\n<p>b</p>\n";
        let (out, diagnostics) = repaired(html, false, &[span(7)]);
        assert_eq!(out, "<p>a</p>\n<div>\n<p>b</p>\n</div>");
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert_eq!(diagnostics[0].span, Some(span(7)));
    }

    #[test]
    fn stray_end_tag_is_dropped_and_reported() {
        let html = "<p>a <!--folio-raw:0--></span> b</p>\n";
        let (out, diagnostics) = repaired(html, false, &[span(3)]);
        assert_eq!(out, "<p>a  b</p>\n");
        assert_eq!(diagnostics.len(), 1);
    }

    #[test]
    fn xhtml_is_well_formed_and_loses_scripts_and_handlers() {
        let html = "<!--folio-raw:0--><p onclick=\"x()\">a<br>b &nbsp;<img src=\"i.png\" alt=\"\"></p><script>alert(1)</script>\n\
                    <sup><a epub:type=\"noteref\" role=\"doc-noteref\" href=\"#fn-1\" id=\"r\">1</a></sup>";
        let (out, diagnostics) = repaired(html, true, &[span(2)]);
        assert_eq!(
            out,
            "<p>a<br/>b \u{a0}<img alt=\"\" src=\"i.png\"/></p>\n<sup><a epub:type=\"noteref\" href=\"#fn-1\" id=\"r\" role=\"doc-noteref\">1</a></sup>"
        );
        assert_eq!(diagnostics.len(), 2, "{diagnostics:?}");
        assert!(diagnostics.iter().all(|d| d.span == Some(span(2))));
        let wrapped = format!(
            "<body xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\">{out}</body>"
        );
        assert!(roxmltree::Document::parse(&wrapped).is_ok());
    }

    #[test]
    fn elements_xml_cannot_name_keep_their_content() {
        // Found by tests/robustness.rs: an autolink inside an HTML block.
        let (out, diagnostics) = repaired(
            "<!--folio-raw:0--><div><https://exemple.fr>texte</div>",
            true,
            &[span(3)],
        );
        assert_eq!(out, "<div>texte</div>");
        assert!(
            diagnostics
                .iter()
                .any(|d| d.message.contains("<https:> is not a valid XHTML element")),
            "{diagnostics:?}"
        );
    }

    #[test]
    fn svg_gets_its_namespace_in_xhtml() {
        let (out, _) = repaired(
            "<!--folio-raw:0--><svg viewBox=\"0 0 1 1\"><circle r=\"1\"/></svg>",
            true,
            &[span(1)],
        );
        assert!(out.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" viewBox=\"0 0 1 1\">"), "{out}");
        assert!(out.contains("<circle r=\"1\"></circle>"), "{out}");
    }
}
