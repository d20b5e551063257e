//! Blocks: one template call (or a paragraph) each, separated by blank lines.

use folio_core::{Alignment, AltText, Block, Diagnostic, Image, ImageTarget, Inline, ListItem};

use super::Generator;
use super::table;

/// Points per pixel at 150 dpi: images never print larger than that.
const POINTS_PER_PIXEL: f64 = 72.0 / 150.0;

impl Generator<'_> {
    pub(super) fn blocks(&mut self, blocks: &[Block]) {
        for block in blocks {
            let start = self.out.len();
            self.block(block);
            self.record(start, block.span());
            self.out.push_str("\n\n");
        }
    }

    fn block(&mut self, block: &Block) {
        match block {
            Block::Heading {
                level, id, content, ..
            } => {
                let chapter = &self.book.chapters[self.chapter];
                let chapter_level =
                    1 + usize::from(chapter.part.is_some()) + chapter.depth as usize;
                // A second `#` heading in a chapter ranks as a `##` one: the
                // chapter title is the only first-level heading.
                let depth = usize::from(*level).max(2) - 1;
                self.out.push_str(&format!(
                    "#folio-section({}, {depth}, ",
                    chapter_level + depth
                ));
                let label = chapter.global_id(id);
                self.label_arg(label);
                self.out.push_str(")[");
                self.inlines(content);
                self.out.push(']');
            }
            Block::Paragraph { content, .. } => self.inlines(content),
            Block::Figure { image, .. } => self.figure(image),
            Block::BlockQuote { blocks, .. } => {
                self.out.push_str("#quote(block: true)[\n");
                self.blocks(blocks);
                self.out.push(']');
            }
            Block::List {
                start,
                tight,
                items,
                ..
            } => self.list(*start, *tight, items),
            Block::Table {
                alignments,
                header,
                rows,
                ..
            } => self.table(alignments, header, rows),
            Block::CodeBlock { language, code, .. } => {
                self.out.push_str("#folio-code(");
                self.literal(code);
                if let Some(language) = language {
                    self.out.push_str(", lang: ");
                    self.literal(language);
                }
                self.out.push(')');
            }
            Block::ThematicBreak { .. } => self.out.push_str("#divider()"),
            Block::Html(fragment) => self.html_fragment(fragment, true),
            Block::HtmlElement { element, blocks } => self.html_element_blocks(element, blocks),
            Block::Alert { kind, blocks, .. } => {
                let words = folio_core::locale::words(&self.book.metadata.language);
                let (label, ours) = words.alert(kind);
                self.out
                    .push_str(&format!("#folio-alert(\"{}\", ", kind.class()));
                self.literal(&label);
                if ours && !words.are_in(&self.book.metadata.language) {
                    self.out.push_str(", lang: ");
                    self.literal(words.lang);
                }
                self.out.push_str(")[\n");
                self.blocks(blocks);
                self.out.push(']');
            }
            Block::DefinitionList { items, .. } => {
                self.out.push_str("#folio-terms((");
                for item in items {
                    self.out.push_str("\n([");
                    let start = self.out.len();
                    self.inlines(&item.term);
                    self.record(start, item.span);
                    self.out.push_str("], [\n");
                    self.blocks(&item.details);
                    self.out.push_str("]),");
                }
                self.out.push_str("))");
            }
            _ => self.diagnostics.push(Diagnostic::warning(
                "this kind of block is not in the PDF edition yet",
                block.span(),
            )),
        }
    }

    fn list(&mut self, start: Option<u32>, tight: bool, items: &[ListItem]) {
        if items.iter().any(|item| item.entry.is_some()) {
            return self.references(items);
        }
        let outermost = self.list_depth == 0;
        if outermost {
            self.out.push_str("#folio-list-block[");
        }
        self.list_depth += 1;
        match start {
            Some(start) => self
                .out
                .push_str(&format!("#enum(start: {start}, tight: {tight}")),
            None => self.out.push_str(&format!("#list(tight: {tight}")),
        }
        for item in items {
            self.out.push_str(",\n[");
            let start = self.out.len();
            match item.task {
                Some(checked) => {
                    self.out.push_str(&format!("#folio-task({checked}, ["));
                    self.blocks(&item.blocks);
                    self.out.push_str("])");
                }
                None => self.blocks(&item.blocks),
            }
            self.record(start, item.span);
            self.out.push(']');
        }
        self.out.push(')');
        self.list_depth -= 1;
        if outermost {
            self.out.push(']');
        }
    }

    /// The references list: entries with a hanging indent, each one a link target.
    fn references(&mut self, items: &[ListItem]) {
        self.out.push_str("#folio-references((");
        for item in items {
            self.out.push_str("\n[");
            let start = self.out.len();
            if let Some(entry) = item
                .entry
                .and_then(|e| self.book.bibliography.entries.get(e.index()))
            {
                let chapter = &self.book.chapters[entry.chapter];
                self.anchor(chapter.global_id(&entry.id));
            }
            self.blocks(&item.blocks);
            self.record(start, item.span);
            self.out.push_str("],");
        }
        self.out.push_str("))");
    }

    fn table(
        &mut self,
        alignments: &[Alignment],
        header: &[Vec<Inline>],
        rows: &[Vec<Vec<Inline>>],
    ) {
        let columns = alignments
            .len()
            .max(header.len())
            .max(rows.iter().map(Vec::len).max().unwrap_or(0))
            .max(1);
        self.out
            .push_str(&format!("#folio-table(columns: {columns}, align: ("));
        for i in 0..columns {
            self.out.push_str(match alignments.get(i) {
                Some(Alignment::Center) => "center",
                Some(Alignment::Right) => "right",
                _ => "left",
            });
            self.out.push_str(", ");
        }
        // typst makes a repeated header an artifact, which PDF/UA forbids
        // to hold a link: a header with one is printed once.
        let repeat = !header.iter().any(|cell| holds_link(cell));
        self.out
            .push_str(&format!("), repeat-header: {repeat}, header: "));
        if header.iter().all(Vec::is_empty) {
            self.out.push_str("none");
        } else {
            self.cells(header, columns, true);
        }
        self.out.push_str(", rows: (");
        for row in rows {
            self.out.push('\n');
            self.cells(row, columns, false);
            self.out.push(',');
        }
        let mut sizes = table::Sizes::new(columns);
        for (column, cell) in header.iter().enumerate() {
            sizes.inlines(column, cell, true);
        }
        for row in rows {
            for (column, cell) in row.iter().enumerate() {
                sizes.inlines(column, cell, false);
            }
        }
        self.out.push_str("), ");
        sizes.write(&mut self.out);
        self.out.push(')');
    }

    /// One row as an array of `columns` cells (short rows are padded).
    fn cells(&mut self, row: &[Vec<Inline>], columns: usize, strong: bool) {
        self.out.push('(');
        for i in 0..columns {
            self.out.push('[');
            if let Some(cell) = row.get(i) {
                if strong {
                    self.out.push_str("#strong[");
                    self.inlines(cell);
                    self.out.push_str("];");
                } else {
                    self.inlines(cell);
                }
            }
            self.out.push_str("], ");
        }
        self.out.push(')');
    }

    pub(super) fn figure(&mut self, image: &Image) {
        if !matches!(image.target, ImageTarget::Asset { .. }) {
            // No image to show: the alt text stands in, as a paragraph.
            return self.image(image, false);
        }
        self.out.push_str("#folio-figure(");
        self.image(image, true);
        if let Some(title) = image.title.as_deref().filter(|t| !t.trim().is_empty()) {
            self.out.push_str(", caption: ");
            self.literal(title);
        }
        self.out.push(')');
    }

    /// An image: `in_code` when written as an argument (code mode), else as
    /// markup in a line of text.
    pub(super) fn image(&mut self, image: &Image, in_code: bool) {
        let asset = match &image.target {
            ImageTarget::Asset { asset } => self.book.assets.get(asset.index()),
            ImageTarget::External { url } => {
                self.diagnostics.push(
                    Diagnostic::warning(format!("remote image `{url}` is not embedded in the PDF: its alt text is printed instead"), image.span)
                        .with_hint("download the image into the book and link the local copy"),
                );
                None
            }
            ImageTarget::Missing | ImageTarget::Unresolved => None,
        };
        let Some(asset) = asset else {
            self.alt_text(image);
            return;
        };
        // PDF/UA wants every image described: typst cannot mark decoration.
        if image.alt_text != AltText::Described {
            self.images_without_alt
                .push((image.url.clone(), image.span));
        }
        let natural = asset.size.filter(|s| s.width > 0 && s.height > 0).map(|s| {
            (
                f64::from(s.width) * POINTS_PER_PIXEL,
                f64::from(s.height) * POINTS_PER_PIXEL,
            )
        });
        if in_code {
            self.out.push_str("folio-fit(");
            self.image_call(&asset.path, &image.alt, None);
            if let Some((width, height)) = natural {
                self.out.push_str(&format!(
                    ", width: {}, height: {}",
                    Self::points(width),
                    Self::points(height)
                ));
            }
            self.out.push(')');
        } else {
            let text_width = self.layout.geometry.text_width() * 72.0 / 25.4;
            self.out.push_str("#folio-inline-image(");
            self.image_call(
                &asset.path,
                &image.alt,
                natural.map(|(width, _)| width.min(text_width)),
            );
            self.out.push_str(");");
        }
    }

    /// `image("/path", alt: "…", width: …)`: written in the body, not in the
    /// template, so that typst's errors about the file point to the book.
    fn image_call(&mut self, path: &str, alt: &str, width: Option<f64>) {
        self.out.push_str("image(");
        self.literal(&format!("/{path}"));
        if !alt.trim().is_empty() {
            self.out.push_str(", alt: ");
            self.literal(alt);
        }
        if let Some(width) = width {
            self.out
                .push_str(&format!(", width: {}", Self::points(width)));
        }
        self.out.push(')');
    }

    /// `[alt]` in italics where an image cannot be shown.
    fn alt_text(&mut self, image: &Image) {
        self.out.push_str("#emph[");
        self.text(&format!(
            "[{}]",
            if image.alt.is_empty() {
                &image.url
            } else {
                &image.alt
            }
        ));
        self.out.push_str("];");
    }
}

/// Whether `inlines` hold anything the PDF writes as a link: a link, a
/// footnote reference, a citation.
fn holds_link(inlines: &[Inline]) -> bool {
    inlines.iter().any(|inline| match inline {
        Inline::Link(_) | Inline::FootnoteRef { .. } | Inline::Citation { .. } => true,
        Inline::HtmlElement { element, content } => element.is_link() || holds_link(content),
        Inline::Emphasis { content, .. }
        | Inline::Strong { content, .. }
        | Inline::Strikethrough { content, .. } => holds_link(content),
        _ => false,
    })
}
