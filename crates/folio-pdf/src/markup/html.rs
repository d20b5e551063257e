//! Raw HTML in print: the text of its elements with the formatting they
//! mean. `em`/`i` are emphasis, `strong`/`b` strong, `code`/`kbd`/`samp`/`tt`
//! code, `a` a link as Markdown's is, `br` a line break, `sup`/`sub`, `s`/
//! `del`, `u`/`ins`, `mark` what typst calls them, `img` an image (a figure
//! on its own, with a `<figcaption>` as caption), `pre` a code block, `hr` a
//! divider; block elements (`p`, `div`, `section`, `figure`, `details`,
//! `li`, `tr`…) are paragraphs; every other element is its content. Only
//! `<script>`, `<style>` (and the other raw-text elements) and comments are
//! left out. Every id becomes an anchor, as in the other editions.

use folio_core::{HtmlElement, HtmlFragment, HtmlNode, Image, Inline, LinkTarget, push_html_text};

use super::Generator;
use super::table;

/// What an element is in print.
enum Print {
    /// Its content inside a typst function: `emph`, `strong`, `super`…
    Wrapped(&'static str),
    /// Its text as code.
    Code {
        block: bool,
    },
    /// Its content as a link.
    Link(LinkTarget),
    LineBreak,
    Divider,
    /// A paragraph of its own (a space in a line of text).
    Block,
    /// A list item: a paragraph opening with a bullet.
    Item,
    /// A table cell: its content, then a gap.
    Cell,
    Image(Image),
    /// Its content alone.
    Content,
}

fn print(element: &HtmlElement) -> Print {
    match element.name.as_str() {
        "em" | "i" | "cite" | "dfn" | "var" => Print::Wrapped("emph"),
        "strong" | "b" | "summary" => Print::Wrapped("strong"),
        "code" | "kbd" | "samp" | "tt" => Print::Code { block: false },
        "pre" => Print::Code { block: true },
        "sup" => Print::Wrapped("super"),
        "sub" => Print::Wrapped("sub"),
        "s" | "del" | "strike" => Print::Wrapped("strike"),
        "u" | "ins" => Print::Wrapped("underline"),
        "mark" => Print::Wrapped("highlight"),
        "br" => Print::LineBreak,
        "hr" => Print::Divider,
        "img" => element.image().map_or(Print::Content, Print::Image),
        "a" | "area" => element
            .attributes
            .iter()
            .find(|a| a.name == "href")
            .and_then(|a| a.target.clone())
            .map_or(Print::Content, Print::Link),
        "li" | "dt" | "dd" => Print::Item,
        "td" | "th" => Print::Cell,
        "p" | "div" | "section" | "article" | "aside" | "header" | "footer" | "nav" | "main"
        | "figure" | "figcaption" | "details" | "blockquote" | "center" | "address" | "ul"
        | "ol" | "dl" | "table" | "thead" | "tbody" | "tfoot" | "tr" | "caption" | "h1" | "h2"
        | "h3" | "h4" | "h5" | "h6" => Print::Block,
        _ => Print::Content,
    }
}

impl Generator<'_> {
    /// A fragment among blocks (`block`) or in a line of text.
    pub(super) fn html_fragment(&mut self, fragment: &HtmlFragment, block: bool) {
        self.html_nodes(&fragment.nodes, block);
    }

    fn html_nodes(&mut self, nodes: &[HtmlNode], block: bool) {
        for node in nodes {
            match node {
                HtmlNode::Text { text, .. } if block && text.trim().is_empty() => {}
                HtmlNode::Text { text, .. } => self.text(text),
                HtmlNode::Element { element, children } => {
                    self.html_element(
                        element,
                        block,
                        &mut |this, block| this.html_nodes(children, block),
                        &|| {
                            let mut text = String::new();
                            push_html_text(children, &mut text);
                            text
                        },
                        Some(children),
                    );
                }
                // `<script>`, `<style>`, comments: nothing to print.
                _ => {}
            }
        }
    }

    /// An element whose tags enclose Markdown blocks: their content, as
    /// paragraphs of their own.
    pub(super) fn html_element_blocks(
        &mut self,
        element: &HtmlElement,
        blocks: &[folio_core::Block],
    ) {
        self.html_anchor(element);
        self.blocks(blocks);
    }

    /// An element whose tags enclose Markdown inlines.
    pub(super) fn html_element_inlines(&mut self, element: &HtmlElement, content: &[Inline]) {
        self.html_element(
            element,
            false,
            &mut |this, _| this.inlines(content),
            &|| folio_core::plain_text(content),
            None,
        );
    }

    /// Writes `element`: `content` writes what it holds, `text` is its plain
    /// text (for code), `children` its HTML children when it has them.
    fn html_element(
        &mut self,
        element: &HtmlElement,
        block: bool,
        content: &mut dyn FnMut(&mut Self, bool),
        text: &dyn Fn() -> String,
        children: Option<&[HtmlNode]>,
    ) {
        self.html_anchor(element);
        match print(element) {
            Print::Wrapped(function) => {
                self.out.push('#');
                self.out.push_str(function);
                self.out.push('[');
                content(self, false);
                self.out.push_str("];");
            }
            Print::Code { block: false } => {
                self.out.push_str("#raw(");
                self.literal(&text());
                self.out.push_str(");");
            }
            Print::Code { block: true } => {
                self.paragraph_break(block);
                self.out.push_str("#folio-code(");
                self.literal(text().trim_end_matches('\n'));
                self.out.push(')');
                self.paragraph_break(block);
            }
            Print::Link(target) => self.link_with(&target, &mut |this| content(this, false)),
            Print::LineBreak => self.out.push_str("#linebreak();"),
            Print::Divider if block => self.out.push_str("\n\n#divider()\n\n"),
            Print::Divider => {}
            Print::Image(image) => match block {
                true => {
                    self.paragraph_break(true);
                    self.figure(&image);
                    self.paragraph_break(true);
                }
                false => self.image(&image, false),
            },
            Print::Block
                if element.name == "figure"
                    && let Some(image) = children.and_then(captioned_image) =>
            {
                self.paragraph_break(block);
                self.figure(&image);
                self.paragraph_break(block);
            }
            Print::Block
                if element.name == "table"
                    && let Some(table) = children.and_then(simple_table) =>
            {
                self.paragraph_break(block);
                self.html_table(&table);
                self.paragraph_break(block);
            }
            Print::Block => {
                self.paragraph_break(block);
                content(self, block);
                self.paragraph_break(block);
            }
            Print::Item => {
                self.paragraph_break(block);
                self.text("• ");
                content(self, false);
                self.paragraph_break(block);
            }
            Print::Cell => {
                content(self, false);
                self.text("  ");
            }
            Print::Content => content(self, block),
        }
    }

    /// Between blocks, a paragraph break; in a line, a space.
    fn paragraph_break(&mut self, block: bool) {
        match block {
            true => self.out.push_str("#parbreak();"),
            false => self.out.push(' '),
        }
    }

    /// The id an element carries, as an anchor for links.
    /// A raw table as the PDF sets Markdown's: left-aligned columns, the
    /// header printed once (its cells may hold links, see `folio-table`).
    fn html_table(&mut self, table: &SimpleTable<'_>) {
        let columns = table
            .rows
            .iter()
            .chain(&table.header)
            .map(Vec::len)
            .max()
            .unwrap_or(0)
            .max(1);
        self.out
            .push_str(&format!("#folio-table(columns: {columns}, align: ("));
        self.out.push_str(&"left, ".repeat(columns));
        self.out.push_str("), repeat-header: false, header: ");
        match &table.header {
            Some(header) => self.html_cells(header, columns, true),
            None => self.out.push_str("none"),
        }
        self.out.push_str(", rows: (");
        for row in &table.rows {
            self.out.push('\n');
            self.html_cells(row, columns, false);
            self.out.push(',');
        }
        let mut sizes = table::Sizes::new(columns);
        let header = table.header.iter().map(|row| (row, true));
        for (row, strong) in header.chain(table.rows.iter().map(|row| (row, false))) {
            for (column, (_, content)) in row.iter().enumerate() {
                sizes.html(column, content, strong);
            }
        }
        self.out.push_str("), ");
        sizes.write(&mut self.out);
        self.out.push(')');
    }

    /// One row as an array of `columns` cells (short rows are padded).
    fn html_cells(&mut self, row: &[Cell<'_>], columns: usize, strong: bool) {
        self.out.push('(');
        for i in 0..columns {
            self.out.push('[');
            if let Some((cell, content)) = row.get(i) {
                self.html_anchor(cell);
                if strong {
                    self.out.push_str("#strong[");
                }
                self.html_nodes(content, false);
                if strong {
                    self.out.push_str("];");
                }
            }
            self.out.push_str("], ");
        }
        self.out.push(')');
    }

    fn html_anchor(&mut self, element: &HtmlElement) {
        if let Some(id) = element.anchor() {
            let chapter = &self.book.chapters[self.chapter];
            self.anchor(chapter.global_id(id));
        }
    }
}

/// A table cell: its element (for its id) and its content.
type Cell<'a> = (&'a HtmlElement, &'a [HtmlNode]);

/// A raw `<table>` the PDF can set as a table.
struct SimpleTable<'a> {
    /// A first row of `<th>` cells only.
    header: Option<Vec<Cell<'a>>>,
    rows: Vec<Vec<Cell<'a>>>,
}

/// `children` of a `<table>` as rows of cells, when they are only that:
/// rows (in `thead`, `tbody`, `tfoot` or not) of `td`/`th` cells spanning
/// one column and one row each, no caption, no id but on cells. Anything
/// else is printed as paragraphs, which keep every text and id.
fn simple_table(children: &[HtmlNode]) -> Option<SimpleTable<'_>> {
    fn blank(node: &HtmlNode) -> bool {
        match node {
            HtmlNode::Text { text, .. } => text.trim().is_empty(),
            HtmlNode::Comment { .. } => true,
            _ => false,
        }
    }
    fn one(element: &HtmlElement, attribute: &str) -> bool {
        element.attribute(attribute).is_none_or(|v| v.trim() == "1")
    }
    fn rows<'a>(nodes: &'a [HtmlNode], out: &mut Vec<(bool, Vec<Cell<'a>>)>) -> Option<()> {
        for node in nodes.iter().filter(|node| !blank(node)) {
            let HtmlNode::Element { element, children } = node else {
                return None;
            };
            if element.anchor().is_some() {
                return None;
            }
            match element.name.as_str() {
                "thead" | "tbody" | "tfoot" => rows(children, out)?,
                "colgroup" | "col" => {}
                "tr" => {
                    let mut cells = Vec::new();
                    let mut headers = true;
                    for cell in children.iter().filter(|node| !blank(node)) {
                        match cell {
                            HtmlNode::Element { element, children }
                                if matches!(element.name.as_str(), "td" | "th")
                                    && one(element, "colspan")
                                    && one(element, "rowspan") =>
                            {
                                headers &= element.name == "th";
                                cells.push((element, children.as_slice()));
                            }
                            _ => return None,
                        }
                    }
                    out.push((headers && !cells.is_empty(), cells));
                }
                _ => return None,
            }
        }
        Some(())
    }
    let mut found = Vec::new();
    rows(children, &mut found)?;
    if found.is_empty() {
        return None;
    }
    let header = match found[0].0 {
        true => Some(found.remove(0).1),
        false => None,
    };
    Some(SimpleTable {
        header,
        rows: found.into_iter().map(|(_, cells)| cells).collect(),
    })
}

/// The image of a `<figure>` holding one `<img>` and a `<figcaption>`, with
/// the caption's text as its title.
fn captioned_image(children: &[HtmlNode]) -> Option<Image> {
    let mut image = None;
    let mut caption = None;
    for child in children {
        match child {
            HtmlNode::Element { element, .. } if element.name == "img" && image.is_none() => {
                image = element.image();
            }
            HtmlNode::Element { element, children } if element.name == "figcaption" => {
                let mut text = String::new();
                push_html_text(children, &mut text);
                caption = Some(text.split_whitespace().collect::<Vec<_>>().join(" "));
            }
            HtmlNode::Text { text, .. } if text.trim().is_empty() => {}
            _ => return None,
        }
    }
    let mut image = image?;
    image.title = caption.filter(|c| !c.is_empty()).or(image.title);
    Some(image)
}
