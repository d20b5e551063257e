//! Inlines: author text as string literals, everything else as template or
//! typst calls, each ended by `;` so that nothing after it can extend it.

use folio_core::{CitationItem, Inline, LinkTarget, NoteId};

use super::Generator;

impl Generator<'_> {
    pub(super) fn inlines(&mut self, inlines: &[Inline]) {
        for inline in inlines {
            let start = self.out.len();
            self.inline(inline);
            self.record(start, inline.span());
        }
    }

    fn inline(&mut self, inline: &Inline) {
        match inline {
            Inline::Text { text, .. } => self.text(text),
            Inline::Emphasis { content, .. } => self.wrapped("emph", content),
            Inline::Strong { content, .. } => self.wrapped("strong", content),
            Inline::Strikethrough { content, .. } => self.wrapped("strike", content),
            Inline::Code { code, .. } => {
                self.out.push_str("#raw(");
                self.literal(code);
                self.out.push_str(");");
            }
            Inline::Link(link) => self.link(&link.target, &link.content),
            Inline::Image(image) => self.image(image, false),
            Inline::FootnoteRef {
                label, note, id, ..
            } => self.footnote(label, *note, id),
            Inline::Citation { items, .. } => self.citation(items),
            Inline::SoftBreak { .. } => self.out.push(' '),
            Inline::HardBreak { .. } => self.out.push_str("#linebreak();"),
            Inline::Html(fragment) => self.html_fragment(fragment, false),
            Inline::HtmlElement { element, content } => self.html_element_inlines(element, content),
            Inline::Math(math) => self.math(math),
            // Future inline kinds: their plain text.
            other => self.text(&folio_core::plain_text(std::slice::from_ref(other))),
        }
    }

    /// A formula as the resolver left it: typeset, or its LaTeX as code.
    fn math(&mut self, math: &folio_core::Math) {
        let typeset = match &math.state {
            folio_core::MathState::Converted { mathml } => {
                super::math::equation(mathml, math.display, &math.source)
            }
            _ => None,
        };
        match typeset {
            Some(equation) => self.out.push_str(&equation),
            None => {
                self.out.push_str(if math.display {
                    "#raw(block: true, "
                } else {
                    "#raw("
                });
                self.literal(&math.source);
                self.out.push_str(");");
            }
        }
    }

    fn wrapped(&mut self, function: &str, content: &[Inline]) {
        self.out.push('#');
        self.out.push_str(function);
        self.out.push('[');
        self.inlines(content);
        self.out.push_str("];");
    }

    /// The label a link inside the book leads to.
    fn link_label(&self, target: &LinkTarget) -> Option<String> {
        let book = self.book;
        Some(match target {
            LinkTarget::Chapter { chapter, anchor } => {
                let chapter = &book.chapters[*chapter];
                match anchor {
                    Some(anchor) => chapter.global_id(anchor).to_string(),
                    None => chapter.id.clone(),
                }
            }
            LinkTarget::Anchor { anchor } => {
                book.chapters[self.chapter].global_id(anchor).to_string()
            }
            _ => return None,
        })
    }

    fn link(&mut self, target: &LinkTarget, content: &[Inline]) {
        self.link_with(target, &mut |this| this.inlines(content));
    }

    /// A link to `target` around what `content` writes (its text alone when
    /// the link leads nowhere this edition can reach).
    pub(super) fn link_with(&mut self, target: &LinkTarget, content: &mut dyn FnMut(&mut Self)) {
        let destination = match target {
            LinkTarget::External { url } => Some(url.clone()),
            // A file of the book that is not a chapter: reachable on the web
            // edition when its address is known.
            LinkTarget::Asset { asset } => self.book.assets[*asset].url.clone(),
            _ => None,
        };
        if let Some(url) = destination {
            self.out.push_str("#link(");
            self.literal(&url);
            self.out.push_str(")[");
        } else if let Some(label) = self.link_label(target) {
            self.open_internal_link(&label);
        } else {
            // Broken (the resolver warned), or a file the web edition does
            // not publish at a known address: the text alone.
            return content(self);
        }
        content(self);
        self.out.push_str("];");
    }

    /// Opens a link to the place labelled `label`, through the template's
    /// `folio-link` (see template.typ: it keeps typst to two passes); the
    /// caller writes the content and `];`.
    fn open_internal_link(&mut self, label: &str) {
        self.out.push_str("#folio-link(label(");
        self.literal(label);
        self.out.push_str("))[");
    }

    /// A footnote at its first reference; later references point to it.
    /// Each reference is an anchor too (a link may lead to it).
    fn footnote(&mut self, label: &str, note: Option<NoteId>, reference: &str) {
        let book = self.book;
        let chapter = &book.chapters[self.chapter];
        self.anchor(chapter.global_id(reference));
        let Some((index, footnote)) =
            note.and_then(|n| Some((n, chapter.footnotes.get(n.index())?)))
        else {
            // Undefined (the resolver reported it): the reference as typed.
            return self.text(&format!("[^{label}]"));
        };
        let id = chapter.global_id(&footnote.id);
        if self.notes_done.insert((self.chapter, index)) {
            self.out.push_str("#folio-note(");
            self.literal(&footnote.number.to_string());
            self.out.push_str(")[");
            let start = self.out.len();
            self.blocks(&footnote.blocks);
            // No blank line before the closing bracket: it would end the last
            // paragraph with an empty one.
            while self.out.ends_with('\n') {
                self.out.pop();
            }
            self.record(start, footnote.span);
            self.out.push_str("];");
            self.label(id);
        } else {
            self.out.push_str("#footnote(label(");
            self.literal(id);
            self.out.push_str("));");
        }
    }

    /// `[Rogers, 1962; Benkler, 2006, p. 12]` as typed, each key a link to
    /// its entry in the references.
    fn citation(&mut self, items: &[CitationItem]) {
        let book = self.book;
        self.text("[");
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.text("; ");
            }
            let entry = item
                .entry
                .and_then(|e| book.bibliography.entries.get(e.index()));
            match entry {
                Some(entry) => {
                    self.open_internal_link(book.chapters[entry.chapter].global_id(&entry.id));
                    self.text(&item.key);
                    self.out.push_str("];");
                    self.label(book.chapters[self.chapter].global_id(&item.id));
                }
                None => {
                    self.anchor(book.chapters[self.chapter].global_id(&item.id));
                    self.text(&item.key);
                }
            }
            if let Some(locator) = &item.locator {
                self.text(&format!(", {locator}"));
            }
        }
        self.text("]");
    }
}
