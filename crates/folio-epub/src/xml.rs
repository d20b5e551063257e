//! Writing XML by hand, safely: escaping (from quick-xml), hrefs between the
//! files of the package, and the frame shared by every XHTML document.
//!
//! The documents are small fixed templates, so they are written with
//! `format!`, which keeps them readable as the XML they produce; every value
//! that comes from the book goes through [`escape`].

use std::fmt::Write as _;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

pub(crate) use quick_xml::escape::escape;

pub(crate) const XHTML_NS: &str = "http://www.w3.org/1999/xhtml";
pub(crate) const OPS_NS: &str = "http://www.idpf.org/2007/ops";

/// Bytes that cannot stay literal in a path segment of a URL (RFC 3986),
/// besides controls and non-ASCII, which are always encoded.
const PATH_SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// `path` (`/`-separated, relative to the package root) as a URL path.
pub(crate) fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for (i, segment) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.extend(utf8_percent_encode(segment, PATH_SEGMENT));
    }
    out
}

/// URL from the document at `from` to the file at `to` (with an optional
/// `#fragment`), both relative to the package root:
/// `href("a/b.xhtml", "style.css")` → `../style.css`.
pub(crate) fn href(from: &str, to: &str) -> String {
    let (to, fragment) = match to.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment)),
        None => (to, None),
    };
    let mut out = encode_path(&folio_core::paths::relative(from, to));
    if let Some(fragment) = fragment {
        out.push('#');
        out.extend(utf8_percent_encode(fragment, PATH_SEGMENT));
    }
    out
}

/// ` lang="x" xml:lang="x"`: XHTML content documents need both.
pub(crate) fn lang_attributes(lang: &str) -> String {
    let lang = escape(lang);
    format!(r#" lang="{lang}" xml:lang="{lang}""#)
}

/// An XHTML content document around `body` (already XHTML).
pub(crate) struct Page<'a> {
    /// Where the document lies, relative to the package root.
    pub path: &'a str,
    pub lang: &'a str,
    pub title: &'a str,
    /// The stylesheet, relative to the package root.
    pub css: &'a str,
    /// Attributes of `<body>`, each starting with a space.
    pub body_attributes: &'a str,
}

impl Page<'_> {
    pub(crate) fn write(&self, body: &str) -> String {
        let mut out = String::with_capacity(body.len() + 512);
        let _ = write!(
            out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n\
             <html xmlns=\"{XHTML_NS}\" xmlns:epub=\"{OPS_NS}\"{lang}>\n\
             <head>\n<meta charset=\"UTF-8\"/>\n<title>{title}</title>\n\
             <link rel=\"stylesheet\" type=\"text/css\" href=\"{css}\"/>\n</head>\n\
             <body{body_attributes}>\n",
            lang = lang_attributes(self.lang),
            title = escape(self.title),
            css = escape(href(self.path, self.css)),
            body_attributes = self.body_attributes,
        );
        out.push_str(body);
        out.push_str("\n</body>\n</html>\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hrefs_climb_out_of_folders_and_encode_segments() {
        assert_eq!(href("a.xhtml", "style.css"), "style.css");
        assert_eq!(href("2-x/1-y.xhtml", "style.css"), "../style.css");
        assert_eq!(
            href("2-x/1-y.xhtml", "2-x/img/été 1.png"),
            "img/%C3%A9t%C3%A9%201.png"
        );
        assert_eq!(href("a/b/c.xhtml", "a/d/e.png"), "../d/e.png");
        assert_eq!(
            href("nav.xhtml", "a/b.xhtml#section-1"),
            "a/b.xhtml#section-1"
        );
    }

    #[test]
    fn the_page_frame_is_well_formed_and_escaped() {
        let page = Page {
            path: "d/c.xhtml",
            lang: "fr",
            title: "R&D <1>",
            css: "style.css",
            body_attributes: "",
        };
        let xhtml = page.write("<p>x</p>");
        let doc = roxmltree::Document::parse_with_options(
            &xhtml,
            roxmltree::ParsingOptions {
                allow_dtd: true,
                ..Default::default()
            },
        )
        .expect("well-formed");
        let title = doc
            .descendants()
            .find(|n| n.has_tag_name("title"))
            .and_then(|n| n.text());
        assert_eq!(title, Some("R&D <1>"));
        assert!(xhtml.contains(r#"href="../style.css""#));
        assert!(xhtml.contains(r#"lang="fr" xml:lang="fr""#));
    }
}
