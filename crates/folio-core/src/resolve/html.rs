//! Raw HTML that HTML5 made obsolete, rewritten once as HTML5 has it, so that
//! every edition carries the same valid markup: books written for older
//! tools hold `<a name>` anchors, `<tt>` and tables sized by attributes, which
//! the Nu checker and EPUBCheck reject. What changes is noted once per
//! chapter, at its first place.

use crate::diagnostics::Diagnostic;
use crate::model::{Chapter, HtmlElement, Span};
use crate::visit;

/// Obsolete elements and the HTML5 element that means the same.
const RENAMED: &[(&str, &str)] = &[
    ("tt", "code"),
    ("strike", "s"),
    ("acronym", "abbr"),
    ("big", "strong"),
    ("center", "div"),
    ("font", "span"),
];

/// Presentational attributes HTML5 made obsolete (styles do their work).
const PRESENTATIONAL: &[&str] = &[
    "align",
    "valign",
    "bgcolor",
    "background",
    "border",
    "cellpadding",
    "cellspacing",
    "frame",
    "rules",
    "char",
    "charoff",
    "nowrap",
    "hspace",
    "vspace",
    "clear",
    "compact",
];

/// Elements that keep `width` and `height`: the ones HTML5 sizes by them.
const SIZED: &[&str] = &[
    "img",
    "video",
    "canvas",
    "iframe",
    "embed",
    "object",
    "source",
    "input",
    "svg",
    "rect",
    "image",
    "foreignObject",
    "pattern",
    "mask",
    "filter",
    "use",
];

/// Rewrites the chapter's obsolete raw HTML; the note that says so, if any.
pub fn modernise_chapter(chapter: &mut Chapter) -> Option<Diagnostic> {
    let (mut rewritten, mut first) = (0usize, None::<Span>);
    visit::each_html_element(chapter, &mut |element| {
        if modernise(element) {
            rewritten += 1;
            first.get_or_insert(element.span);
        }
    });
    first.map(|span| {
        Diagnostic::note(
            format!("{rewritten} raw HTML element(s) rewritten as HTML5 has them: `<tt>` as `<code>`, `<a name>` as an id, sizes and alignments of tables left to the stylesheet"),
            span,
        )
        .with_hint("HTML5 made these obsolete; write the modern form to silence this note")
    })
}

/// Rewrites `element` as HTML5 has it; whether anything changed.
fn modernise(element: &mut HtmlElement) -> bool {
    let mut changed = false;
    if let Some(&(old, modern)) = RENAMED.iter().find(|(old, _)| *old == element.name) {
        if old == "font" {
            element
                .attributes
                .retain(|a| !matches!(a.name.as_str(), "face" | "color" | "size"));
        }
        element.name = modern.to_string();
        changed = true;
    }
    // `<a name="x">`: the name is an id; without `href`, the element was
    // only ever an anchor, which a `<span>` is without being a link.
    if element.name == "a" && element.attribute("name").is_some() {
        let name = element
            .attributes
            .iter()
            .position(|a| a.name == "name")
            .expect("found above");
        let anchor = element.attributes.remove(name);
        if element.attribute("id").is_none() {
            element.attributes.insert(
                name,
                crate::model::HtmlAttribute {
                    name: "id".into(),
                    ..anchor
                },
            );
        }
        if element.attribute("href").is_none() {
            element.name = "span".into();
        }
        changed = true;
    }
    let sized = SIZED.contains(&element.name.as_str());
    let before = element.attributes.len();
    element.attributes.retain(|attribute| {
        let name = attribute.name.as_str();
        !(PRESENTATIONAL.contains(&name) || (!sized && matches!(name, "width" | "height")))
    });
    changed || element.attributes.len() != before
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::HtmlAttribute;

    fn element(name: &str, attributes: &[(&str, &str)]) -> HtmlElement {
        HtmlElement {
            name: name.into(),
            attributes: attributes
                .iter()
                .map(|(name, value)| HtmlAttribute {
                    name: (*name).into(),
                    value: (*value).into(),
                    target: None,
                })
                .collect(),
            span: Span::default(),
        }
    }

    fn names(element: &HtmlElement) -> Vec<&str> {
        element.attributes.iter().map(|a| a.name.as_str()).collect()
    }

    #[test]
    fn obsolete_elements_and_attributes_become_html5() {
        let mut font = element("font", &[("color", "red"), ("lang", "en")]);
        assert!(modernise(&mut font));
        assert_eq!((font.name.as_str(), names(&font)), ("span", vec!["lang"]));

        let mut tt = element("tt", &[("class", "x")]);
        assert!(modernise(&mut tt));
        assert_eq!((tt.name.as_str(), names(&tt)), ("code", vec!["class"]));

        let mut anchor = element("a", &[("name", "here")]);
        assert!(modernise(&mut anchor));
        assert_eq!(anchor.name, "span");
        assert_eq!(anchor.attribute("id"), Some("here"));
        assert_eq!(anchor.attribute("name"), None);

        let mut link = element("a", &[("href", "#x"), ("name", "n"), ("id", "i")]);
        assert!(modernise(&mut link));
        assert_eq!(
            (link.name.as_str(), names(&link)),
            ("a", vec!["href", "id"])
        );

        let mut col = element("col", &[("width", "42%")]);
        assert!(modernise(&mut col));
        assert!(col.attributes.is_empty());

        let mut td = element("td", &[("align", "right"), ("colspan", "2")]);
        assert!(modernise(&mut td));
        assert_eq!(names(&td), ["colspan"]);
    }

    #[test]
    fn what_html5_keeps_is_left_alone() {
        let mut img = element("img", &[("src", "a.png"), ("width", "300"), ("alt", "A")]);
        assert!(!modernise(&mut img));
        assert_eq!(names(&img), ["src", "width", "alt"]);
        let mut span = element("span", &[("class", "filename")]);
        assert!(!modernise(&mut span));
    }
}
