//! Math: the MathML the resolver converted (see `folio_core::math`), written
//! as typst math. One tree for every edition: the PDF typesets what the web
//! and EPUB editions show.
//!
//! Every character of the formula reaches typst escaped (`\=`, `\(`) or in a
//! string literal, so no MathML can write typst syntax; every element has a
//! rule, and one without falls back to its children.

use folio_core::math::MATHML;
use roxmltree::Node;

use crate::escape::push_str_literal;

/// `mathml` (one `<math>` element) as a typst equation, in markup:
/// `#math.equation(block: …, alt: "…", $…$);`, its LaTeX `alt` the
/// alternative text PDF/UA asks for. `None` if it is not MathML.
pub fn equation(mathml: &str, display: bool, alt: &str) -> Option<String> {
    let doc = roxmltree::Document::parse(mathml).ok()?;
    let root = doc.root_element();
    if !root.has_tag_name((MATHML, "math")) {
        return None;
    }
    let mut out = String::with_capacity(mathml.len() / 2);
    out.push_str("#math.equation(block: ");
    out.push_str(if display { "true" } else { "false" });
    out.push_str(", alt: ");
    push_str_literal(&mut out, alt.trim());
    out.push_str(", $");
    children(root, &mut out);
    out.push_str("$);");
    Some(out)
}

/// The element children in a row: one that writes nothing (an `<mspace/>`
/// without width) needs no placeholder there, unlike an argument.
fn children(node: Node<'_, '_>, out: &mut String) {
    for child in node.children().filter(Node::is_element) {
        element_inner(child, out);
    }
}

/// The `n`th element child, written alone (an argument of a function).
fn argument(node: Node<'_, '_>, n: usize, out: &mut String) {
    match node.children().filter(Node::is_element).nth(n) {
        Some(child) => element(child, out),
        None => out.push_str("\"\""),
    }
}

/// What `write` writes, or an empty string if that is nothing: typst
/// wants an expression for every argument (`x^{}` has an empty script).
fn nonempty(out: &mut String, write: impl FnOnce(&mut String)) {
    let start = out.len();
    write(out);
    if out[start..].trim().is_empty() {
        out.push_str("\"\"");
    }
}

fn element(node: Node<'_, '_>, out: &mut String) {
    nonempty(out, |out| element_inner(node, out));
}

fn element_inner(node: Node<'_, '_>, out: &mut String) {
    // A space keeps two tokens apart (`x y`, not the name `xy`), except
    // after text, which typst would set it beside (see [`text_run`]).
    if !(out.ends_with('"') || out.ends_with("\")")) {
        out.push(' ');
    }
    // `\dfrac`, `\tfrac`, `\displaystyle`: the size asked for, in either
    // mode. Around a table it is the cells' (see [`table`]).
    let style = match node.attribute("displaystyle") {
        _ if holds_only_a_table(node) => return element_body(node, out),
        Some("true") => "display(",
        Some("false") => "inline(",
        _ => return element_body(node, out),
    };
    out.push_str(style);
    nonempty(out, |out| element_body(node, out));
    out.push(')');
}

fn holds_only_a_table(node: Node<'_, '_>) -> bool {
    let mut children = node.children().filter(Node::is_element);
    matches!((children.next(), children.next()), (Some(only), None) if only.has_tag_name((MATHML, "mtable")))
}

fn element_body(node: Node<'_, '_>, out: &mut String) {
    match node.tag_name().name() {
        "mi" => identifier(node, out),
        "mn" => number(node, out),
        "mo" => operator(node, out),
        "mtext" | "ms" => text(node, out),
        "mspace" => {
            if let Some(width) = node.attribute("width").and_then(length) {
                out.push_str("#h(");
                out.push_str(&width);
                out.push(')');
            }
        }
        "mrow" | "mpadded" | "mstyle" | "semantics" => {
            let style = node.attribute("style").unwrap_or_default();
            if let Some(shift) = declaration(style, "margin-left").and_then(length) {
                out.push_str("#h(");
                out.push_str(&shift);
                out.push(')');
            }
            // `\color`, `\textcolor`: math-core colours a row.
            match declaration(style, "color").filter(|c| is_hex_color(c)) {
                Some(color) => {
                    out.push_str("text(fill: #rgb(\"");
                    out.push_str(color);
                    out.push_str("\"), ");
                    nonempty(out, |out| row(node, out));
                    out.push(')');
                }
                None => row(node, out),
            }
        }
        "annotation" | "annotation-xml" => {}
        "mphantom" => {
            out.push_str("#hide($");
            children(node, out);
            out.push_str("$)");
        }
        "msub" | "msup" | "msubsup" => scripts(node, false, out),
        "munder" | "mover" | "munderover" => scripts(node, true, out),
        "mfrac" => {
            let no_line = node.attribute("linethickness").is_some_and(|t| {
                t.trim_start_matches('0').trim_start_matches('.').is_empty()
                    || t.starts_with("0px")
                    || t.starts_with("0em")
            });
            if no_line {
                out.push_str("mat(delim: #none, ");
                argument(node, 0, out);
                out.push_str(" ; ");
                argument(node, 1, out);
                out.push(')');
            } else {
                out.push_str("frac(");
                argument(node, 0, out);
                out.push_str(" , ");
                argument(node, 1, out);
                out.push(')');
            }
        }
        "msqrt" => {
            out.push_str("sqrt(");
            nonempty(out, |out| row(node, out));
            out.push(')');
        }
        "mroot" => {
            out.push_str("root(");
            argument(node, 1, out);
            out.push_str(" , ");
            argument(node, 0, out);
            out.push(')');
        }
        "mtable" => table(node, out),
        _ => row(node, out),
    }
}

/// Children in a row; a row that opens and closes with stretchy fences
/// (`\left( … \right)`) is a typst `lr(…)`, whose delimiters grow.
fn row(node: Node<'_, '_>, out: &mut String) {
    let elements: Vec<_> = node.children().filter(Node::is_element).collect();
    let fence = |n: &Node<'_, '_>| {
        n.has_tag_name((MATHML, "mo"))
            && n.attribute("stretchy") != Some("false")
            && n.text().is_none_or(|t| t.chars().count() <= 1)
    };
    let fenced = elements.len() >= 2
        && fence(&elements[0])
        && fence(&elements[elements.len() - 1])
        && elements[0].text().is_some_and(is_opening);
    if fenced {
        out.push_str("lr(");
        children(node, out);
        out.push(')');
    } else {
        children(node, out);
    }
}

fn is_opening(text: &str) -> bool {
    matches!(
        text,
        "(" | "[" | "{" | "|" | "‖" | "⟨" | "⌊" | "⌈" | "⟦" | "∣" | "∥"
    )
}

/// `msub`, `msup`, `msubsup`; `munder`, `mover`, `munderover` (limits, or an accent).
fn scripts(node: Node<'_, '_>, limits: bool, out: &mut String) {
    let name = node.tag_name().name();
    let items: Vec<_> = node.children().filter(Node::is_element).collect();
    let Some(base) = items.first() else { return };
    let accent = |n: usize, attribute: &str| {
        node.attribute(attribute) == Some("true")
            && items.get(n).is_some_and(|a| {
                a.has_tag_name((MATHML, "mo")) && a.text().is_some_and(|t| t.chars().count() == 1)
            })
    };
    if name == "mover" && accent(1, "accent") {
        let mark = items[1].text().unwrap_or_default();
        let stretchy = items[1].attribute("stretchy") == Some("true");
        match mark {
            // `\overline` (math-core draws it with U+0332, a low line, over
            // its base); `\bar`, a macron that does not stretch, is an accent.
            "‾" | "_" | "\u{305}" | "\u{332}" => wrap("overline", base, out),
            "¯" if stretchy => wrap("overline", base, out),
            "⏞" => wrap("overbrace", base, out),
            "→" | "⃗" => wrap("arrow", base, out),
            _ => {
                out.push_str("accent(");
                element(*base, out);
                out.push_str(" , ");
                symbol(mark.chars().next().unwrap_or(' '), out);
                out.push(')');
            }
        }
        return;
    }
    if name == "munder" && accent(1, "accentunder") {
        let mark = items[1].text().unwrap_or_default();
        match mark {
            "⏟" => wrap("underbrace", base, out),
            _ => wrap("underline", base, out),
        }
        return;
    }
    let (bottom, top) = match name {
        "msub" | "munder" => (items.get(1), None),
        "msup" | "mover" => (None, items.get(1)),
        _ => (items.get(1), items.get(2)),
    };
    // A large operator (`\sum`) whose limits move: typst places them as
    // MathML does, above and below in display, beside inline.
    let movable = base.has_tag_name((MATHML, "mo"))
        && base.attribute("movablelimits") != Some("false")
        && node.attribute("accent").is_none();
    out.push_str("attach(");
    if limits && !movable {
        out.push_str("limits(");
        element(*base, out);
        out.push(')');
    } else {
        element(*base, out);
    }
    for (key, script) in [("b", bottom), ("t", top)] {
        if let Some(script) = script {
            out.push_str(" , ");
            out.push_str(key);
            out.push_str(": ");
            element(*script, out);
        }
    }
    out.push(')');
}

fn wrap(function: &str, base: &Node<'_, '_>, out: &mut String) {
    out.push_str(function);
    out.push('(');
    element(*base, out);
    out.push(')');
}

/// A table: a typst matrix without delimiters. Columns that LaTeX aligns in
/// pairs (`aligned`, `align*`: right, then left with no gap) are merged
/// into one cell with an alignment point, as typst aligns them.
fn table(node: Node<'_, '_>, out: &mut String) {
    let rows: Vec<Vec<Node<'_, '_>>> = node
        .children()
        .filter(|r| r.is_element())
        .map(|r| r.children().filter(Node::is_element).collect())
        .collect();
    let align_of = |cell: &Node<'_, '_>| {
        let style = cell.attribute("style").unwrap_or_default();
        if style.contains("text-align: right") {
            'r'
        } else if style.contains("text-align: left") {
            'l'
        } else {
            'c'
        }
    };
    let paired = rows.iter().flatten().any(|c| {
        c.attribute("style")
            .is_some_and(|s| s.contains("text-align: right") && s.contains("padding-right: 0"))
    });
    let lefts = rows.iter().flatten().filter(|c| align_of(c) == 'l').count();
    let cells = rows.iter().map(Vec::len).sum::<usize>().max(1);
    let align = if paired || lefts * 2 > cells {
        "left"
    } else if rows.iter().flatten().all(|c| align_of(c) == 'r') {
        "right"
    } else {
        "center"
    };
    // Cells in text style, as LaTeX sets `matrix` and `cases` (typst's own
    // default shrinks them in a formula within a line), or in display style
    // for `aligned` (math-core says which on the table's `mstyle`).
    // `subarray` (`\substack`) is in script style, as the limits it sits in.
    let wanted = |name| node.parent_element().and_then(|p| p.attribute(name));
    let style = match (wanted("displaystyle"), wanted("scriptlevel")) {
        (Some("true"), _) => " display(",
        (_, Some("1")) => " script(",
        (_, Some(level)) if level.parse::<u8>().is_ok_and(|l| l > 1) => " sscript(",
        _ => " inline(",
    };
    out.push_str("mat(delim: #none, align: #");
    out.push_str(align);
    out.push_str(", row-gap: #0.3em, column-gap: #1em, ");
    for (r, cells) in rows.iter().enumerate() {
        if r > 0 {
            out.push_str(" ; ");
        }
        let mut c = 0;
        let mut first = true;
        while c < cells.len() {
            if !first {
                out.push_str(" , ");
            }
            first = false;
            let cell = cells[c];
            let pairs_with_next = paired && align_of(&cell) == 'r' && c + 1 < cells.len();
            out.push_str(style);
            nonempty(out, |out| row(cell, out));
            if pairs_with_next {
                out.push_str(" & ");
                row(cells[c + 1], out);
                c += 1;
            }
            out.push(')');
            c += 1;
        }
    }
    out.push(')');
}

fn token_text(node: Node<'_, '_>) -> String {
    node.descendants()
        .filter(Node::is_text)
        .filter_map(|t| t.text())
        .collect()
}

fn identifier(node: Node<'_, '_>, out: &mut String) {
    let text = token_text(node);
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (None, _) => {}
        (Some(c), None) => {
            if node.attribute("mathvariant") == Some("normal") {
                out.push_str("upright(");
                symbol(c, out);
                out.push(')');
            } else {
                variant(node, &mut |out| symbol(c, out), out);
            }
        }
        // A word (`sin`, `negl`): upright, as MathML and LaTeX set it.
        _ => text_run(node, &text, out),
    }
}

fn number(node: Node<'_, '_>, out: &mut String) {
    let text = token_text(node);
    if !text.is_empty() && text.chars().all(|c| c.is_ascii_digit()) {
        out.push_str(&text);
        out.push(' ');
    } else {
        for c in text.chars() {
            symbol(c, out);
        }
    }
}

fn operator(node: Node<'_, '_>, out: &mut String) {
    let text = token_text(node);
    if text.chars().count() > 1 && text.chars().all(char::is_alphabetic) {
        // `\lim`, `\max`: an operator name, limits as typst places them.
        out.push_str("op(");
        push_str_literal(out, &text);
        out.push_str(", limits: #true)");
        return;
    }
    match bar_class(node, &text) {
        Some(class) => {
            out.push_str("class(\"");
            out.push_str(class);
            out.push_str("\", ");
            symbol_of(&text, out);
            out.push(')');
        }
        None => symbol_of(&text, out),
    }
}

fn symbol_of(text: &str, out: &mut String) {
    for c in text.chars() {
        symbol(c, out);
    }
}

/// typst spaces a lone `|` or `‖` as a fence, around its neighbours:
/// `|S|` would read "| S |". MathML says what the bar is (LaTeX's `|x|`
/// and `\|v\|` come with no space around, `\lvert`/`\rvert` as prefix and
/// postfix), and typst's class says it again: ordinary, or a fence that
/// opens or closes.
fn bar_class(node: Node<'_, '_>, text: &str) -> Option<&'static str> {
    if !matches!(text, "|" | "‖") {
        return None;
    }
    let no_space = |side| {
        node.attribute(side)
            .and_then(|v| v.trim().trim_end_matches("em").parse::<f64>().ok())
            == Some(0.0)
    };
    match node.attribute("form") {
        Some("prefix") => Some("opening"),
        Some("postfix") => Some("closing"),
        _ if no_space("lspace") && no_space("rspace") => Some("normal"),
        _ => None,
    }
}

fn text(node: Node<'_, '_>, out: &mut String) {
    text_run(node, &token_text(node), out);
}

/// `text` as typst text in a formula, in its style. typst sets a space
/// written beside text as a space (`"negl" (x)` reads "negl (x)", `x "if"`
/// reads "x if"), where MathML and LaTeX put none: so no separator
/// touches it, before (trimmed here) or after ([`element_inner`]). A space
/// inside the text (`\text{if }`) stays.
fn text_run(node: Node<'_, '_>, text: &str, out: &mut String) {
    out.truncate(out.trim_end_matches(' ').len());
    variant(node, &mut |out| push_str_literal(out, text), out);
}

/// `write` inside the style `mathvariant` asks for.
fn variant(node: Node<'_, '_>, write: &mut dyn FnMut(&mut String), out: &mut String) {
    let function = match node.attribute("mathvariant") {
        Some("monospace") => "mono",
        Some("sans-serif") => "sans",
        Some("bold") => "bold",
        Some("italic") => "italic",
        Some("bold-italic") => "bold",
        Some("double-struck") => "bb",
        Some("script") => "cal",
        Some("fraktur") => "frak",
        _ => {
            write(out);
            return;
        }
    };
    out.push_str(function);
    out.push('(');
    write(out);
    out.push(')');
}

/// One character of a formula: a letter or a digit as itself, ASCII
/// punctuation escaped, any other character as itself (typst math sets a
/// symbol it meets as text); spaces around it, so that nothing joins it.
fn symbol(c: char, out: &mut String) {
    if c.is_ascii_punctuation() {
        out.push('\\');
        out.push(c);
    } else if c.is_control() || c.is_whitespace() {
        out.push_str("space");
    } else {
        out.push(c);
    }
    out.push(' ');
}

/// The value of `property` in a `style` attribute (`color:#FF0000;`).
fn declaration<'s>(style: &'s str, property: &str) -> Option<&'s str> {
    style.split(';').find_map(|d| {
        let (name, value) = d.split_once(':')?;
        (name.trim() == property).then(|| value.trim())
    })
}

/// `#RGB` or `#RRGGBB`, and nothing else reaches typst's `rgb`.
fn is_hex_color(value: &str) -> bool {
    value
        .strip_prefix('#')
        .is_some_and(|hex| matches!(hex.len(), 3 | 6) && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A MathML length (`0.2777778em`, `-0.1em`, `2pt`) as a typst length.
fn length(value: &str) -> Option<String> {
    let value = value.trim();
    let (number, unit) = ["em", "pt", "px", "ex"]
        .iter()
        .find_map(|unit| value.strip_suffix(unit).map(|n| (n, *unit)))?;
    let number: f64 = number.trim().parse().ok()?;
    if !number.is_finite() || number.abs() > 100.0 {
        return None;
    }
    Some(match unit {
        "px" => format!("{:.3}pt", number * 0.75),
        "ex" => format!("{:.3}em", number * 0.5),
        unit => format!("{number:.3}{unit}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_groups_are_empty_strings() {
        let mathml = format!("<math xmlns=\"{MATHML}\"><msup><mrow/><mrow/></msup><msqrt/></math>");
        let typst = equation(&mathml, false, "{}^{}").unwrap();
        assert!(!typst.contains(": )") && !typst.contains("()"), "{typst}");
    }

    /// typst sets a space written beside text as a space, where MathML and
    /// LaTeX put none: `\textnormal{negl}(\lambda)` reads "negl(λ)", not
    /// "negl (λ)", and an empty `<mspace/>` before `\mathcal{O}` (as
    /// `\mathrm` and `\mathcal` give) adds nothing.
    #[test]
    fn no_space_touches_text() {
        let mathml = format!(
            "<math xmlns=\"{MATHML}\"><mrow><mspace/><mi>negl</mi></mrow><mo stretchy=\"false\">(</mo><mi>x</mi><mtext>if </mtext><mn>1</mn><mi mathvariant=\"script\">ab</mi><mi>y</mi></math>"
        );
        let typst = equation(&mathml, false, "").unwrap();
        let formula = typst.split_once('$').unwrap().1.rsplit_once('$').unwrap().0;
        assert_eq!(formula, "\"negl\"\\(  x\"if \"1cal(\"ab\")y ");
    }

    /// `|S|` reads "|S|", not "| S |": the bars keep the class MathML gives.
    #[test]
    fn bars_are_ordinary_or_fences_as_mathml_says() {
        let bar = |attributes: &str| {
            let mathml = format!("<math xmlns=\"{MATHML}\"><mo {attributes}>|</mo></math>");
            let typst = equation(&mathml, false, "").unwrap();
            typst
                .split_once('$')
                .unwrap()
                .1
                .rsplit_once('$')
                .unwrap()
                .0
                .trim()
                .to_string()
        };
        assert_eq!(bar("lspace=\"0\" rspace=\"0\""), "class(\"normal\", \\| )");
        assert_eq!(bar("form=\"prefix\""), "class(\"opening\", \\| )");
        assert_eq!(bar("form=\"postfix\""), "class(\"closing\", \\| )");
        // `a \mid b` and a bar with typst's own spacing stay as they were.
        assert_eq!(bar(""), "\\|");
        assert_eq!(bar("lspace=\"0.2778em\" rspace=\"0\""), "\\|");
    }

    fn formula(mathml_children: &str) -> String {
        let mathml = format!("<math xmlns=\"{MATHML}\">{mathml_children}</math>");
        let typst = equation(&mathml, false, "").unwrap();
        let inner = typst.split_once('$').unwrap().1.rsplit_once('$').unwrap().0;
        inner.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// math-core draws `\overline` with U+0332 over its base, and `\bar`
    /// with a macron that does not stretch.
    #[test]
    fn overline_is_a_line_over_and_bar_an_accent() {
        let over = |mark: &str, stretchy: &str| {
            formula(&format!(
                "<mover accent=\"true\"><mi>x</mi><mo stretchy=\"{stretchy}\">{mark}</mo></mover>"
            ))
        };
        assert_eq!(over("\u{332}", "true"), "overline( x )");
        assert_eq!(over("¯", "false"), "accent( x , ¯ )");
        assert_eq!(over("¯", "true"), "overline( x )");
        let under =
            "<munder accentunder=\"true\"><mi>x</mi><mo stretchy=\"true\">\u{332}</mo></munder>";
        assert_eq!(formula(under), "underline( x )");
    }

    /// `\dfrac` and `\tfrac` keep their size; a table's cells take the
    /// style its `mstyle` gives: text (`matrix`, `cases`), display
    /// (`aligned`), script (`\substack`).
    #[test]
    fn display_style_is_kept() {
        let frac = |style: &str| {
            formula(&format!(
                "<mfrac displaystyle=\"{style}\"><mi>a</mi><mi>b</mi></mfrac>"
            ))
        };
        assert_eq!(frac("true"), "display(frac( a , b ))");
        assert_eq!(frac("false"), "inline(frac( a , b ))");
        let table = |attributes: &str| {
            formula(&format!(
                "<mstyle {attributes}><mtable><mtr><mtd><mi>a</mi></mtd></mtr></mtable></mstyle>"
            ))
        };
        let cell = |style: &str| {
            format!(
                "mat(delim: #none, align: #center, row-gap: #0.3em, column-gap: #1em, {style}( a ))"
            )
        };
        assert_eq!(
            table("displaystyle=\"false\" scriptlevel=\"0\""),
            cell("inline")
        );
        assert_eq!(
            table("displaystyle=\"true\" scriptlevel=\"0\""),
            cell("display")
        );
        assert_eq!(
            table("displaystyle=\"false\" scriptlevel=\"1\""),
            cell("script")
        );
    }

    /// `\color`: math-core colours a row; only a hexadecimal colour reaches
    /// typst.
    #[test]
    fn a_coloured_row_keeps_its_colour() {
        let row =
            |color: &str| formula(&format!("<mrow style=\"color:{color};\"><mi>x</mi></mrow>"));
        assert_eq!(row("#FF0000"), "text(fill: #rgb(\"#FF0000\"), x )");
        assert_eq!(row("red&quot;), #panic(&quot;"), "x");
        assert_eq!(row("#12345"), "x");
    }

    #[test]
    fn writes_typst_math_with_every_character_escaped() {
        let mathml = format!(
            "<math xmlns=\"{MATHML}\"><msub><mi>x</mi><mn>1</mn></msub><mo>=</mo><mfrac><mn>1</mn><mi>$</mi></mfrac><mtext>a \"b\" #c</mtext></math>"
        );
        let typst = equation(&mathml, false, "x_1").unwrap();
        assert_eq!(
            typst,
            "#math.equation(block: false, alt: \"x_1\", $ attach( x  , b:  1 ) \\=  frac( 1  ,  \\$ )\"a \\\"b\\\" #c\"$);"
        );
    }
}
