//! Math: mdBook's MathJax delimiters in the reader, the book's LaTeX macros,
//! and the one conversion every edition prints (LaTeX → MathML Core, with
//! math-core), bounded so that no formula can hang or overflow a stack.
//!
//! The resolver's math pass (`resolve::math`) calls [`Converter::convert`]
//! once per formula; the web and EPUB editions write the MathML, the PDF
//! typesets the same tree, and a refused formula is its source as code in
//! all three.

use std::fmt::Write as _;

use math_core::{LatexToMathML, MathCoreConfig, MathDisplay};

use crate::diagnostics::Diagnostic;
use crate::model::{Inline, Math, MathMacro, MathState, SourceId, Span};
use crate::scan::{Match, Next};

/// The longest formula converted, in bytes of LaTeX (before and after the
/// book's macros are expanded). A page of a real book's largest array is a
/// few kilobytes.
pub const MAX_SOURCE: usize = 32 * 1024;
/// How deep groups may nest (`{`, `\left`, `\begin`), and how many commands
/// may follow one another (`\frac\frac\frac…` nests without braces): the
/// converter recurses on each.
pub const MAX_DEPTH: usize = 48;
/// How many macro expansions one formula may take (a macro may use others).
pub const MAX_EXPANSIONS: usize = 4096;

/// The MathML namespace.
pub const MATHML: &str = "http://www.w3.org/1998/Math/MathML";

/// KaTeX commands math-core lacks, as macros: a book's macro of the same name
/// wins. The overlaps (`\mathclap` under a sum) lose only their overlap,
/// which beats the formula shown as code.
const COMPAT: &[(&str, &str)] = &[
    ("textnormal", r"\textrm{#1}"),
    ("textup", r"\textrm{#1}"),
    ("textmd", r"\textrm{#1}"),
    ("mathnormal", r"#1"),
    ("pmb", r"\boldsymbol{#1}"),
    ("dotsc", r"\ldots"),
    ("dotso", r"\ldots"),
    ("dotsb", r"\cdots"),
    ("dotsm", r"\cdots"),
    ("dotsi", r"\cdots"),
    ("intop", r"\int"),
    ("smallint", r"\int"),
    ("textcolor", r"{\color{#1}#2}"),
    ("substack", r"\begin{subarray}{c}#1\end{subarray}"),
    ("mathrlap", "#1"),
    ("mathllap", "#1"),
    ("mathclap", "#1"),
    ("rlap", "#1"),
    ("llap", "#1"),
    ("TeX", r"\text{TeX}"),
    ("LaTeX", r"\text{LaTeX}"),
    ("KaTeX", r"\text{KaTeX}"),
];

/// The macros of a KaTeX macro file as mdbook-katex reads it: one
/// `\name:definition` per line; blank lines and lines starting with `#` are
/// comments. A line of another shape is warned about and skipped.
pub fn parse_macros(
    text: &str,
    source: SourceId,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<MathMacro> {
    let mut macros = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let span = Span {
            source,
            line: i as u32 + 1,
            col: 1,
        };
        let parsed = trimmed
            .strip_prefix('\\')
            .and_then(|rest| rest.split_once(':'))
            .filter(|(name, _)| is_macro_name(name));
        match parsed {
            Some((name, definition)) => macros.push(MathMacro {
                name: name.to_string(),
                definition: definition.trim().to_string(),
                span,
            }),
            None => diagnostics.push(
                Diagnostic::warning("not a LaTeX macro: the line is skipped", span).with_hint(
                    "a macro is written `\\name:definition`, with `#1`… for its arguments",
                ),
            ),
        }
    }
    macros
}

fn is_macro_name(name: &str) -> bool {
    let mut chars = name.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => !c.is_whitespace(),
        (Some(_), Some(_)) => name.chars().all(|c| c.is_ascii_alphabetic()),
        _ => false,
    }
}

/// One converter per book: the macros, and math-core's.
pub struct Converter {
    macros: std::collections::HashMap<String, (usize, String)>,
    inner: LatexToMathML,
}

impl Converter {
    pub fn new(book_macros: &[MathMacro]) -> Converter {
        let mut macros: std::collections::HashMap<String, (usize, String)> = COMPAT
            .iter()
            .map(|(name, def)| (name.to_string(), (arity(def), def.to_string())))
            .collect();
        for m in book_macros {
            macros.insert(m.name.clone(), (arity(&m.definition), m.definition.clone()));
        }
        let config = MathCoreConfig {
            xml_namespace: true,
            ..Default::default()
        };
        let inner = LatexToMathML::new(config).expect("no macros are given to math-core");
        Converter { macros, inner }
    }

    /// The state of a formula: its MathML, or why it is refused.
    pub fn convert(&self, source: &str, display: bool) -> MathState {
        match self.try_convert(source, display) {
            Ok(mathml) => MathState::Converted { mathml },
            Err(reason) => MathState::Refused { reason },
        }
    }

    fn try_convert(&self, source: &str, display: bool) -> Result<String, String> {
        if source.len() > MAX_SOURCE {
            return Err(format!(
                "the formula is longer than {} KiB",
                MAX_SOURCE / 1024
            ));
        }
        if source.trim().is_empty() {
            return Err("the formula is empty".into());
        }
        let expanded = self.expand(source)?;
        let expanded = drop_row_room(&expanded);
        check_depth(&expanded)?;
        let expanded = scope_cells(&expanded, &|cell| self.lacks_an_argument(cell))?;
        let mode = if display {
            MathDisplay::Block
        } else {
            MathDisplay::Inline
        };
        let result = self
            .inner
            .convert_with_local_state(&expanded, mode)
            .map_err(|e| e.error_message())?;
        normalise(&result.mathml, source)
    }

    /// Whether `cell`, a table's cell, ends in a command or script still
    /// waiting for its argument (`x_`, `\frac{a}`): math-core would take
    /// the separator after it as that argument. Alone, math-core reports
    /// the end of its input.
    fn lacks_an_argument(&self, cell: &str) -> bool {
        cell.contains(['\\', '_', '^'])
            && self
                .inner
                .convert_with_local_state(cell, MathDisplay::Inline)
                .is_err_and(|e| e.0.start == cell.len())
    }

    /// `source` with the macros expanded, pass after pass (a macro may use
    /// another), within [`MAX_EXPANSIONS`] and [`MAX_SOURCE`].
    fn expand(&self, source: &str) -> Result<String, String> {
        let mut text = source.to_string();
        let mut budget = MAX_EXPANSIONS;
        loop {
            let (next, expanded) = self.expand_once(&text, &mut budget)?;
            if expanded == 0 {
                return Ok(next);
            }
            if next.len() > MAX_SOURCE {
                return Err(format!(
                    "the formula's macros expand beyond {} KiB",
                    MAX_SOURCE / 1024
                ));
            }
            text = next;
        }
    }

    fn expand_once(&self, text: &str, budget: &mut usize) -> Result<(String, usize), String> {
        let mut out = String::with_capacity(text.len());
        let mut expanded = 0;
        let mut rest = text;
        while let Some(at) = rest.find('\\') {
            out.push_str(&rest[..at]);
            let after = &rest[at + 1..];
            let name_len = control_name_len(after);
            let name = &after[..name_len];
            let Some((arity, definition)) = self.macros.get(name) else {
                out.push('\\');
                out.push_str(name);
                rest = &after[name_len..];
                continue;
            };
            if *budget == 0 {
                return Err(format!(
                    "the formula takes more than {MAX_EXPANSIONS} macro expansions"
                ));
            }
            *budget -= 1;
            expanded += 1;
            let mut tail = &after[name_len..];
            let mut args = Vec::with_capacity(*arity);
            for _ in 0..*arity {
                let (arg, next) = argument(tail)
                    .ok_or_else(|| format!("the macro \\{name} lacks an argument"))?;
                args.push(arg);
                tail = next;
            }
            let body = substitute(definition, &args);
            // A control word expanded before a letter stays a word of its own.
            let needs_space = body.ends_with(|c: char| c.is_ascii_alphabetic())
                && tail.starts_with(|c: char| c.is_ascii_alphabetic());
            out.push_str(&body);
            if needs_space {
                out.push(' ');
            }
            rest = tail;
        }
        out.push_str(rest);
        Ok((out, expanded))
    }
}

/// The number of arguments a definition uses: its highest `#n`.
fn arity(definition: &str) -> usize {
    let bytes = definition.as_bytes();
    bytes
        .windows(2)
        .filter(|w| w[0] == b'#' && w[1].is_ascii_digit())
        .map(|w| (w[1] - b'0') as usize)
        .max()
        .unwrap_or(0)
}

/// The length of the control sequence's name at the start of `after` (what
/// follows a `\`): letters, or one character.
fn control_name_len(after: &str) -> usize {
    let letters = after
        .bytes()
        .take_while(|b| b.is_ascii_alphabetic())
        .count();
    match letters {
        0 => after.chars().next().map_or(0, char::len_utf8),
        n => n,
    }
}

/// One macro argument at the start of `text` (spaces skipped): a balanced
/// `{…}` group without its braces, a control sequence, or one character.
fn argument(text: &str) -> Option<(&str, &str)> {
    let text = text.trim_start();
    let first = text.chars().next()?;
    match first {
        '{' => {
            let mut depth = 0usize;
            let mut escaped = false;
            for (at, c) in text.char_indices() {
                match c {
                    _ if escaped => escaped = false,
                    '\\' => escaped = true,
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some((&text[1..at], &text[at + 1..]));
                        }
                    }
                    _ => {}
                }
            }
            None
        }
        '}' => None,
        '\\' => {
            let len = 1 + control_name_len(&text[1..]);
            Some((&text[..len], &text[len..]))
        }
        c => Some((&text[..c.len_utf8()], &text[c.len_utf8()..])),
    }
}

fn substitute(definition: &str, args: &[&str]) -> String {
    let mut out = String::with_capacity(definition.len());
    let mut chars = definition.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '#'
            && let Some(n) = chars.peek().and_then(|d| d.to_digit(10))
            && let Some(arg) = args.get((n as usize).wrapping_sub(1))
        {
            chars.next();
            out.push_str(arg);
        } else {
            out.push(c);
        }
    }
    out
}

/// `\\[0.4ex]`: a row break with extra room, which math-core reads as a
/// break followed by the text "[0.4ex]" (printed at the start of the next
/// row in every edition). The room is dropped and the break kept; a bracket
/// after `\\` that holds no length (`\\ [a, b]`) stays.
fn drop_row_room(latex: &str) -> std::borrow::Cow<'_, str> {
    static ROOM: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"\\\\\s*\[\s*[-+]?(?:\d+\.?\d*|\.\d+)\s*(?:pt|em|ex|mm|cm|in|bp|pc|mu|sp|dd|cc)\s*\]",
        )
        .expect("a valid pattern")
    });
    ROOM.replace_all(latex, regex::NoExpand(r"\\"))
}

/// One token of LaTeX as the checks below see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token<'a> {
    GroupStart,
    GroupEnd,
    /// A control sequence, by name (`\\` is `"\\"`, `\&` is `"&"`).
    Command(&'a str),
    Space,
    /// Any other character (`&` among them: a cell separator).
    Other(char),
}

/// The tokens of `latex`, each with its byte offset.
fn tokens(latex: &str) -> impl Iterator<Item = (usize, Token<'_>)> {
    let mut at = 0;
    std::iter::from_fn(move || {
        let rest = &latex[at..];
        let c = rest.chars().next()?;
        let start = at;
        let token = match c {
            '{' => Token::GroupStart,
            '}' => Token::GroupEnd,
            '\\' => {
                let name_len = control_name_len(&rest[1..]);
                at += name_len;
                Token::Command(&rest[1..1 + name_len])
            }
            c if c.is_whitespace() => Token::Space,
            c => Token::Other(c),
        };
        at += c.len_utf8();
        Some((start, token))
    })
}

/// Commands whose scope is the rest of the group they stand in; in a table,
/// math-core's would run on past the cell's end.
fn scopes_rest_of_group(command: &str) -> bool {
    matches!(
        command,
        "color" | "displaystyle" | "textstyle" | "scriptstyle" | "scriptscriptstyle"
    )
}

/// Infix fractions (`a \over b`): their numerator is everything before
/// them in the group, which in a table math-core takes across cells.
fn is_infix_fraction(command: &str) -> bool {
    matches!(command, "over" | "atop" | "choose" | "brace" | "brack")
}

/// Environments whose first argument (a column spec, a column count) is not
/// a cell.
fn takes_an_argument(environment: &str) -> bool {
    matches!(
        environment,
        "array" | "darray" | "subarray" | "alignat" | "alignat*" | "alignedat"
    )
}

/// A table's cells as LaTeX scopes them, made explicit for math-core, which
/// lets a cell's `\color`, `\displaystyle` or `\over` take in the cells after
/// it (dropping their separators, or panicking when built with debug
/// assertions): such a cell's scope is braced, `{\color{red} a} & b`, as
/// LaTeX reads it. A script opening a cell (`\\ _0`, or a prime: `& '`)
/// gets the empty base LaTeX gives it, `{}_0`, where math-core would take
/// the separator before it as its base. A separator (`&`, `\\`) inside a
/// group of a table's cell (`{a & b}`, `\left( a \\ b \right)`), or after a
/// cell that `lacks_an_argument` (`x_ &`), is refused, as KaTeX refuses it.
fn scope_cells<'a>(
    latex: &'a str,
    lacks_an_argument: &dyn Fn(&str) -> bool,
) -> Result<std::borrow::Cow<'a, str>, String> {
    /// An open table environment's current cell.
    struct Cell {
        start: usize,
        /// Where a rest-of-group command's scope starts.
        scope_from: Option<usize>,
        infix: bool,
        /// Something but spaces and rules met in the cell.
        content_started: bool,
    }
    enum Frame {
        Group,
        Table(Cell),
    }
    let mut stack: Vec<Frame> = Vec::new();
    let mut braces: Vec<(usize, char)> = Vec::new();
    let mut skip_argument_until = 0;
    for (at, token) in tokens(latex) {
        if at < skip_argument_until {
            continue;
        }
        let separator = match token {
            Token::Other('&') => Some(at + 1),
            Token::Command("\\") => Some(at + 2),
            Token::Command("end") => Some(at),
            _ => None,
        };
        if let Some(next_cell) = separator {
            let in_a_table = stack.iter().any(|f| matches!(f, Frame::Table(_)));
            match stack.last_mut() {
                Some(Frame::Table(cell)) => {
                    if token != Token::Command("end") && lacks_an_argument(&latex[cell.start..at]) {
                        return Err(format!(
                            "a command at the end of a table's cell lacks its argument (before \"{}\")",
                            &latex[at..next_cell]
                        ));
                    }
                    let from = if cell.infix {
                        Some(first_content(latex, cell.start))
                    } else {
                        cell.scope_from
                    };
                    if let Some(from) = from.filter(|&from| from < at) {
                        braces.push((from, '{'));
                        braces.push((at, '}'));
                    }
                    *cell = Cell {
                        start: next_cell,
                        scope_from: None,
                        infix: false,
                        content_started: false,
                    };
                }
                Some(Frame::Group) if in_a_table && token != Token::Command("end") => {
                    let name = if token == Token::Other('&') {
                        "&"
                    } else {
                        r"\\"
                    };
                    return Err(format!(
                        "\"{name}\" stands inside a group ({{…}} or \\left…\\right) of a table's cell"
                    ));
                }
                _ => {}
            }
        }
        if separator.is_none()
            && let Some(Frame::Table(cell)) = stack.last_mut()
            && !cell.content_started
        {
            match token {
                Token::Space | Token::Command("hline" | "hdashline") => {}
                Token::Other('_' | '^' | '\'') => {
                    braces.push((at, '{'));
                    braces.push((at, '}'));
                    cell.content_started = true;
                }
                _ => cell.content_started = true,
            }
        }
        match token {
            Token::GroupStart | Token::Command("left") => stack.push(Frame::Group),
            Token::GroupEnd | Token::Command("right") => {
                if matches!(stack.last(), Some(Frame::Group)) {
                    stack.pop();
                }
            }
            Token::Command("begin") => {
                // The name, and a table's column spec, are not cells.
                let Some((name, rest)) = argument(&latex[at + r"\begin".len()..]) else {
                    continue;
                };
                let mut start = latex.len() - rest.len();
                if takes_an_argument(name.trim())
                    && let Some((_, rest)) = argument(rest)
                {
                    start = latex.len() - rest.len();
                }
                skip_argument_until = start;
                stack.push(Frame::Table(Cell {
                    start,
                    scope_from: None,
                    infix: false,
                    content_started: false,
                }));
            }
            Token::Command("end") => {
                if matches!(stack.last(), Some(Frame::Table(_))) {
                    stack.pop();
                }
                // Its name is not a group.
                if let Some((_, rest)) = argument(&latex[at + r"\end".len()..]) {
                    skip_argument_until = latex.len() - rest.len();
                }
            }
            Token::Command(name) => {
                if let Some(Frame::Table(cell)) = stack.last_mut() {
                    if scopes_rest_of_group(name) && cell.scope_from.is_none() {
                        cell.scope_from = Some(at);
                    }
                    if is_infix_fraction(name) {
                        cell.infix = true;
                    }
                }
            }
            _ => {}
        }
    }
    if braces.is_empty() {
        return Ok(std::borrow::Cow::Borrowed(latex));
    }
    // An outer cell's braces are found after its inner tables'.
    braces.sort_by_key(|&(at, _)| at);
    let mut out = String::with_capacity(latex.len() + braces.len());
    let mut copied = 0;
    for (at, brace) in braces {
        out.push_str(&latex[copied..at]);
        out.push(brace);
        copied = at;
    }
    out.push_str(&latex[copied..]);
    Ok(std::borrow::Cow::Owned(out))
}

/// Where a cell's content starts: after spaces and the rules drawn above
/// it (`\hline`), which must stay outside any braces.
fn first_content(latex: &str, cell_start: usize) -> usize {
    for (at, token) in tokens(&latex[cell_start..]) {
        match token {
            Token::Space | Token::Command("hline" | "hdashline") => {}
            _ => return cell_start + at,
        }
    }
    latex.len()
}

/// Refuses a formula nested deeper than [`MAX_DEPTH`] (groups, `\left`,
/// `\begin`, or commands in a row), which the converter would recurse into.
fn check_depth(latex: &str) -> Result<(), String> {
    let mut depth = 0usize;
    let mut deepest = 0usize;
    let mut commands_in_a_row = 0usize;
    for (_, token) in tokens(latex) {
        match token {
            Token::GroupStart => {
                depth += 1;
                commands_in_a_row = 0;
            }
            Token::GroupEnd => {
                depth = depth.saturating_sub(1);
                commands_in_a_row = 0;
            }
            Token::Command(name) => {
                match name {
                    "left" | "begin" => depth += 1,
                    "right" | "end" => depth = depth.saturating_sub(1),
                    _ => {}
                }
                commands_in_a_row += 1;
            }
            Token::Space => {}
            Token::Other(_) => commands_in_a_row = 0,
        }
        deepest = deepest.max(depth);
        if deepest > MAX_DEPTH || commands_in_a_row > MAX_DEPTH {
            return Err(format!(
                "the formula nests more than {MAX_DEPTH} levels deep"
            ));
        }
    }
    Ok(())
}

/// The MathML math-core wrote, checked as XML and written again with
/// `alttext` and `aria-label` (the source), MathML elements only: `\texttt`'s `<code>` and
/// `\textsf`'s `<span>` inside `<mtext>` become its `mathvariant` (and a
/// style browsers follow), so the EPUB's XHTML stays valid.
fn normalise(mathml: &str, source: &str) -> Result<String, String> {
    let doc = roxmltree::Document::parse(mathml)
        .map_err(|e| format!("the converter wrote invalid MathML ({e})"))?;
    let root = doc.root_element();
    let mut out = String::with_capacity(mathml.len() + source.len() + 16);
    write_element(root, Some(source.trim()), &mut out);
    Ok(out)
}

fn write_element(node: roxmltree::Node<'_, '_>, alttext: Option<&str>, out: &mut String) {
    let name = node.tag_name().name();
    // MathML Core styles a table itself; MathML 3 (EPUBCheck's and the
    // HTML checker's schema) only through an `<mstyle>` around it.
    let table_style: Vec<_> = match name {
        "mtable" => node
            .attributes()
            .filter(|a| matches!(a.name(), "displaystyle" | "scriptlevel"))
            .collect(),
        _ => Vec::new(),
    };
    if !table_style.is_empty() {
        out.push_str("<mstyle");
        for attribute in &table_style {
            let _ = write!(out, " {}=\"", attribute.name());
            escape(attribute.value(), true, out);
            out.push('"');
        }
        out.push('>');
    }
    out.push('<');
    out.push_str(name);
    if alttext.is_some() {
        let _ = write!(out, " xmlns=\"{MATHML}\"");
    }
    for attribute in node.attributes() {
        if attribute.name() == "class"
            || attribute.namespace().is_some()
            || (!table_style.is_empty()
                && matches!(attribute.name(), "displaystyle" | "scriptlevel"))
        {
            continue;
        }
        let _ = write!(out, " {}=\"", attribute.name());
        escape(attribute.value(), true, out);
        out.push('"');
    }
    // `<mtext><code>x</code></mtext>`: the variant the HTML element meant.
    let variant = (name == "mtext")
        .then(|| node.children().find(|c| c.is_element()))
        .flatten()
        .and_then(|child| match child.tag_name().name() {
            "code" => Some("monospace"),
            "span"
                if child
                    .attribute("class")
                    .is_some_and(|c| c.contains("sans-serif")) =>
            {
                Some("sans-serif")
            }
            _ => None,
        });
    if let Some(variant) = variant {
        let family = if variant == "monospace" {
            "monospace"
        } else {
            "sans-serif"
        };
        let _ = write!(
            out,
            " mathvariant=\"{variant}\" style=\"font-family: {family}\""
        );
    }
    // The source twice: `alttext` for MathML readers, `aria-label` for the
    // accessibility tree (axe, hence Ace, reads no MathML: a heading or a
    // header cell holding only a formula would have no name).
    if let Some(alttext) = alttext {
        for attribute in ["alttext", "aria-label"] {
            let _ = write!(out, " {attribute}=\"");
            escape(alttext, true, out);
            out.push('"');
        }
    }
    out.push('>');
    for child in node.children() {
        if child.is_text() {
            escape(child.text().unwrap_or_default(), false, out);
        } else if child.is_element() {
            if is_mathml_element(child.tag_name().name()) {
                write_element(child, None, out);
            } else {
                // An HTML element inside a token: its text.
                for text in child.descendants().filter(|d| d.is_text()) {
                    escape(text.text().unwrap_or_default(), false, out);
                }
            }
        }
    }
    out.push_str("</");
    out.push_str(name);
    out.push('>');
    if !table_style.is_empty() {
        out.push_str("</mstyle>");
    }
}

fn is_mathml_element(name: &str) -> bool {
    name.starts_with('m') || matches!(name, "semantics" | "annotation" | "none")
}

fn escape(text: &str, attribute: bool, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\n' if attribute => out.push_str("&#10;"),
            c => out.push(c),
        }
    }
}

/// The delimiters found in text after Markdown has been read, beside the
/// dollars comrak reads itself.
#[derive(Clone, Copy)]
pub struct Delimiters<'s> {
    /// mdBook's MathJax delimiters: `\( … \)` and `\[ … \]`, across soft breaks.
    pub mathjax: bool,
    /// mdbook-katex's dollars, which comrak (pandoc's rules) leaves as text:
    /// `$ x $` with spaces inside, and `$$ … $$` on one line likewise. Any
    /// two dollars of a line are math to that preprocessor, unless a `\`
    /// escapes one: the line (by number) is read back from the source to
    /// tell an escaped dollar from a written one.
    pub spaced_dollars: Option<&'s dyn Fn(u32) -> &'s str>,
}

/// `inlines` with the formulas `delimiters` find in their runs of text
/// (and soft breaks) made [`Inline::Math`], to be converted by the resolver.
pub fn delimited_math(inlines: Vec<Inline>, delimiters: Delimiters<'_>) -> Vec<Inline> {
    let may_hold = inlines.iter().any(|i| {
        matches!(i, Inline::Text { text, .. } if
            (delimiters.mathjax && (text.contains("\\(") || text.contains("\\[")))
                || (delimiters.spaced_dollars.is_some() && text.contains('$')))
    });
    if !may_hold {
        return inlines;
    }
    let mut out = Vec::with_capacity(inlines.len());
    let mut run: Vec<Inline> = Vec::new();
    for inline in inlines {
        match inline {
            Inline::Text { .. } | Inline::SoftBreak { .. } => run.push(inline),
            other => {
                flush_run(&mut run, delimiters, &mut out);
                out.push(other);
            }
        }
    }
    flush_run(&mut run, delimiters, &mut out);
    out
}

/// How many dollar pairs one run of text may check against its source.
const MAX_DOLLAR_CHECKS: usize = 1000;

/// One formula found in a run's text: its delimiters at `start..body` and
/// `body_end..end`.
struct Found {
    start: usize,
    body: usize,
    body_end: usize,
    end: usize,
    display: bool,
}

impl Match for Found {
    fn start(&self) -> usize {
        self.start
    }
}

/// The first MathJax formula in `text` from `from` on.
fn mathjax_formula(text: &str, mut from: usize) -> Option<Found> {
    while let Some(found) = text[from..].find('\\').map(|at| from + at) {
        let closing = match text[found + 1..].chars().next() {
            Some('(') => "\\)",
            Some('[') => "\\]",
            _ => {
                from = found + 1;
                continue;
            }
        };
        let body = found + 2;
        let body_end = body + text[body..].find(closing)?;
        return Some(Found {
            start: found,
            body,
            body_end,
            end: body_end + 2,
            display: closing == "\\]",
        });
    }
    None
}

/// The first pair of dollars in `text` from `from` on, on one line (it
/// ends at `line_end`), with something between them, that `written`
/// confirms stands unescaped in the source.
fn spaced_dollar_formula(
    text: &str,
    mut from: usize,
    line_end: &dyn Fn(usize) -> usize,
    written: &dyn Fn(usize, &str) -> bool,
) -> Option<Found> {
    while let Some(start) = text[from..].find('$').map(|at| from + at) {
        let delimiter = if text[start + 1..].starts_with('$') {
            "$$"
        } else {
            "$"
        };
        let body = start + delimiter.len();
        let Some(body_end) = text[body..line_end(body)]
            .find(delimiter)
            .map(|at| body + at)
        else {
            from = start + delimiter.len();
            continue;
        };
        let end = body_end + delimiter.len();
        if !text[body..body_end].trim().is_empty() && written(start, &text[start..end]) {
            return Some(Found {
                start,
                body,
                body_end,
                end,
                display: delimiter == "$$",
            });
        }
        from = start + 1;
    }
    None
}

/// Whether `candidate` (dollars and what they hold) stands on `line` of
/// the source with no `\` before either dollar.
fn written_unescaped(line: &str, candidate: &str) -> bool {
    let unescaped = |at: usize| {
        let backslashes = line[..at].bytes().rev().take_while(|&b| b == b'\\').count();
        backslashes % 2 == 0
    };
    let closing = candidate.len() - candidate.trim_end_matches('$').len();
    line.match_indices(candidate)
        .any(|(at, _)| unescaped(at) && unescaped(at + candidate.len() - closing))
}

/// A run of text and soft breaks, its formulas found.
fn flush_run(run: &mut Vec<Inline>, delimiters: Delimiters<'_>, out: &mut Vec<Inline>) {
    if run.is_empty() {
        return;
    }
    // The run's text (a soft break is a `\n`), and where each piece starts.
    let mut text = String::new();
    let mut pieces: Vec<(usize, Span, bool)> = Vec::new();
    for inline in run.drain(..) {
        match inline {
            Inline::Text { text: t, span } => {
                pieces.push((text.len(), span, false));
                text.push_str(&t);
            }
            Inline::SoftBreak { span } => {
                pieces.push((text.len(), span, true));
                text.push('\n');
            }
            _ => unreachable!("a run holds text and soft breaks"),
        }
    }
    let span_at = |offset: usize| {
        let (start, span, _) = pieces[pieces.partition_point(|p| p.0 <= offset).max(1) - 1];
        Span {
            col: span.col + text[start..offset].chars().count() as u32,
            ..span
        }
    };
    // Each check reads its source line: a run checks so many pairs at most
    // (a line of a million dollars must not take a million line reads).
    let checks = std::cell::Cell::new(0usize);
    let written = |offset: usize, candidate: &str| {
        checks.set(checks.get() + 1);
        checks.get() <= MAX_DOLLAR_CHECKS
            && delimiters
                .spaced_dollars
                .is_some_and(|line| written_unescaped(line(span_at(offset).line), candidate))
    };
    // Where the line holding `at` ends: at the run's next soft break.
    let line_end = |at: usize| {
        pieces[pieces.partition_point(|p| p.0 <= at)..]
            .iter()
            .find(|p| p.2)
            .map_or(text.len(), |p| p.0)
    };
    // Each kind's next formula, kept until the run reaches it: neither
    // searches the same text twice.
    let mut mathjax = Next::new(|from| {
        delimiters
            .mathjax
            .then(|| mathjax_formula(&text, from))
            .flatten()
    });
    let mut dollars = Next::new(|from| {
        delimiters
            .spaced_dollars
            .and_then(|_| spaced_dollar_formula(&text, from, &line_end, &written))
    });
    let mut next = |from: usize| {
        let mathjax_first = match (
            mathjax.at_or_after(from).map(Match::start),
            dollars.at_or_after(from).map(Match::start),
        ) {
            (Some(a), Some(b)) => a <= b,
            (a, _) => a.is_some(),
        };
        if mathjax_first {
            mathjax.take()
        } else {
            dollars.take()
        }
    };
    let mut plain_from = 0;
    while let Some(found) = next(plain_from) {
        push_plain(&text, plain_from, found.start, &pieces, &span_at, out);
        out.push(Inline::Math(Box::new(Math {
            source: text[found.body..found.body_end].to_string(),
            display: found.display,
            state: MathState::Unresolved,
            span: span_at(found.start),
        })));
        plain_from = found.end;
    }
    push_plain(&text, plain_from, text.len(), &pieces, &span_at, out);
}

/// `text[from..to]` as the text and soft breaks it was.
fn push_plain(
    text: &str,
    from: usize,
    to: usize,
    pieces: &[(usize, Span, bool)],
    span_at: &dyn Fn(usize) -> Span,
    out: &mut Vec<Inline>,
) {
    // The soft breaks in `from..to`, in order (pieces are sorted by offset).
    let first = pieces.partition_point(|p| p.0 < from);
    let breaks = pieces[first..]
        .iter()
        .take_while(|p| p.0 < to)
        .filter(|p| p.2)
        .map(|p| p.0);
    let mut at = from;
    for soft in breaks.chain(std::iter::once(to)) {
        if at < soft {
            out.push(Inline::Text {
                text: text[at..soft].to_string(),
                span: span_at(at),
            });
        }
        if soft < to {
            out.push(Inline::SoftBreak {
                span: span_at(soft),
            });
            at = soft + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn converter(macros: &str) -> Converter {
        let mut diagnostics = Vec::new();
        Converter::new(&parse_macros(macros, SourceId(0), &mut diagnostics))
    }

    /// Each stand-in for a KaTeX command converts, where the command alone
    /// is refused.
    #[test]
    fn katex_commands_math_core_lacks_convert() {
        let c = converter("");
        let bare = Converter {
            macros: std::collections::HashMap::new(),
            inner: LatexToMathML::new(MathCoreConfig::default()).unwrap(),
        };
        for (name, definition) in COMPAT {
            let args = ["{red}", "{x}"];
            let formula = format!("a \\{name}{} b", args[..arity(definition)].concat());
            assert!(
                matches!(c.convert(&formula, false), MathState::Converted { .. }),
                "{formula}"
            );
            assert!(
                matches!(bare.convert(&formula, false), MathState::Refused { .. }),
                "math-core knows {formula}: drop it from COMPAT"
            );
        }
    }

    #[test]
    fn a_cells_colour_style_or_infix_fraction_ends_with_the_cell() {
        let scoped = |latex| scope_cells(latex, &|_| false).unwrap().into_owned();
        assert_eq!(
            scoped(
                r"\begin{array}{cc} \color{red} a & b \\ \hline x \over y & \displaystyle c \end{array}"
            ),
            r"\begin{array}{cc} {\color{red} a }& b \\ \hline {x \over y }& {\displaystyle c }\end{array}"
        );
        // Tables inside a cell, and groups, keep their own scopes.
        assert_eq!(
            scoped(
                r"\begin{matrix} \begin{matrix} a \over b \end{matrix} \over c & {\color{red} d} \end{matrix}"
            ),
            r"\begin{matrix} {\begin{matrix} {a \over b }\end{matrix} \over c }& {\color{red} d} \end{matrix}"
        );
        // A script opening a cell gets an empty base, not the separator.
        assert_eq!(
            scoped(r"\begin{array}{l}\\_0 & \hline ^2 x_1 & ' y\end{array}"),
            r"\begin{array}{l}\\{}_0 & \hline {}^2 x_1 & {}' y\end{array}"
        );
        let plain = r"\begin{aligned} x &= \frac{a}{b} \\ &\le \sqrt{c} \end{aligned}";
        assert!(matches!(
            scope_cells(plain, &|_| false),
            Ok(std::borrow::Cow::Borrowed(_))
        ));
        // Each cell stays a cell of its own.
        let c = converter("");
        let MathState::Converted { mathml } = c.convert(
            r"\begin{array}{cc} \color{red} a & b \\ x \over y & c \end{array}",
            true,
        ) else {
            panic!("the table converts");
        };
        assert_eq!(mathml.matches("<mtd").count(), 4, "{mathml}");
        assert_eq!(mathml.matches("<mfrac").count(), 1, "{mathml}");
    }

    #[test]
    fn a_separator_inside_a_cells_group_is_refused_not_lost() {
        let c = converter("");
        let refused_for = |why: &str, formulas: &[&str]| {
            for latex in formulas {
                assert!(
                    matches!(c.convert(latex, true), MathState::Refused { ref reason } if reason.contains(why)),
                    "{latex}"
                );
            }
        };
        refused_for(
            "inside a group",
            &[
                r"\begin{array}{c} A_{a&b} \end{array}",
                r"\begin{array}{c} {a \\ b} \end{array}",
                r"\begin{array}{cc} \left( a & b \right) \end{array}",
                r"\begin{aligned} x &= \sqrt{a\\b} \end{aligned}",
                r"\begin{cases} x & \mathrm{a&b} \end{cases}",
            ],
        );
        // A separator math-core would take as an argument.
        refused_for(
            "lacks its argument",
            &[
                r"\begin{aligned} r_& = x \end{aligned}",
                r"\begin{array}{cc} \frac{a} & b \\ c & d \end{array}",
                r"\begin{matrix} \hat \\ b \end{matrix}",
                r"\begin{matrix} a & {}^ \\ b \end{matrix}",
            ],
        );
        // What takes no argument keeps its place before a separator.
        let fine = r"\begin{aligned} a \quad & \alpha \\ x_1 & \cdots \end{aligned}";
        assert!(matches!(c.convert(fine, true), MathState::Converted { .. }));
        // Outside a table math-core decides.
        for latex in [
            r"\frac{a\\b}{c}",
            r"{a \\ b}",
            r"\color{red} a \\ b",
            r"x \over y \\ z",
        ] {
            assert!(
                matches!(c.convert(latex, true), MathState::Converted { .. }),
                "{latex}"
            );
        }
    }

    #[test]
    fn a_row_break_loses_its_extra_room_only() {
        assert_eq!(
            drop_row_room(r"a \\[0.4ex] b \\ [-2.3ex] c"),
            r"a \\ b \\ c"
        );
        assert_eq!(drop_row_room(r"a \\ [a, b]"), r"a \\ [a, b]");
        let c = converter("");
        let MathState::Converted { mathml } =
            c.convert(r"\begin{array}{c} a \\[0.4ex] b \end{array}", true)
        else {
            panic!("converts")
        };
        assert!(
            !mathml.contains("<mn>0.4</mn>") && !mathml.contains(">[</mo>"),
            "{mathml}"
        );
    }

    #[test]
    fn macros_expand_with_arguments_and_through_each_other() {
        let c = converter(
            "# comment\n\\field:{\\mathbb{F}}\n\\pair:\\langle{#1},{#2}\\rangle\n\\twice:\\pair{#1}{#1}\n",
        );
        assert_eq!(
            c.expand(r"\field_p \twice{x}").unwrap(),
            r"{\mathbb{F}}_p \langle{x},{x}\rangle"
        );
        assert_eq!(c.expand(r"\textnormal{IP}").unwrap(), r"\textrm{IP}");
        // Unknown commands are left to the converter.
        assert_eq!(c.expand(r"\alpha").unwrap(), r"\alpha");
    }

    #[test]
    fn a_macro_bomb_is_refused_not_expanded() {
        let c = converter(
            "\\a:\\b\\b\\b\\b\n\\b:\\c\\c\\c\\c\n\\c:\\d\\d\\d\\d\n\\d:\\e\\e\\e\\e\n\\e:\\f\\f\\f\\f\n\\f:xxxxxxxxxxxxxxxx\n",
        );
        assert!(matches!(
            c.convert(r"\a\a\a\a", false),
            MathState::Refused { .. }
        ));
        let c = converter("\\loop:\\loop\n");
        assert!(matches!(
            c.convert(r"\loop", false),
            MathState::Refused { .. }
        ));
    }

    #[test]
    fn converted_mathml_has_alttext_and_only_mathml_elements() {
        let c = converter("");
        let MathState::Converted { mathml } = c.convert(r"\texttt{a<b} + \frac{1}{2}", true) else {
            panic!()
        };
        assert!(
            mathml.starts_with(&format!("<math xmlns=\"{MATHML}\" display=\"block\"")),
            "{mathml}"
        );
        assert!(
            mathml.contains("alttext=\"\\texttt{a&lt;b} + \\frac{1}{2}\" aria-label=\"\\texttt{a&lt;b} + \\frac{1}{2}\""),
            "{mathml}"
        );
        assert!(!mathml.contains("<code"), "{mathml}");
        assert!(mathml.contains("mathvariant=\"monospace\""), "{mathml}");
        assert!(matches!(
            c.convert(r"\frac{1}{", false),
            MathState::Refused { .. }
        ));
    }

    #[test]
    fn deep_formulas_are_refused_without_overflowing_a_small_stack() {
        let handle = std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(|| {
                let c = converter("");
                for deep in [
                    "{".repeat(5000) + &"}".repeat(5000),
                    r"\frac".repeat(5000) + &"1".repeat(10000),
                    r"\left(".repeat(5000) + &r"\right)".repeat(5000),
                    r"\sqrt".repeat(5000) + "x",
                    "x^".repeat(5000) + "x",
                    r"\begin{matrix}".repeat(3000),
                    "a".repeat(MAX_SOURCE + 1),
                ] {
                    assert!(
                        matches!(c.convert(&deep, false), MathState::Refused { .. }),
                        "{}",
                        &deep[..20]
                    );
                }
                // Just below the limits, the converter still copes.
                let ok = "{".repeat(MAX_DEPTH) + "x" + &"}".repeat(MAX_DEPTH);
                assert!(matches!(c.convert(&ok, false), MathState::Converted { .. }));
                let ok = r"\frac".repeat(MAX_DEPTH / 2) + &"1".repeat(MAX_DEPTH);
                let _ = c.convert(&ok, true);
                let ok = "x^{".repeat(MAX_DEPTH) + &"}".repeat(MAX_DEPTH);
                let _ = c.convert(&ok, true);
            })
            .unwrap();
        handle.join().expect("no stack overflow");
    }

    #[test]
    fn spaced_dollars_are_math_unless_escaped_in_the_source() {
        let source = r"Area $ \pi r^2 $, money \$5 and \$10, $$ x $$ and $ $ alone.";
        let line = |_: u32| source;
        let inlines = vec![Inline::Text {
            // As Markdown leaves it: the escapes read.
            text: r"Area $ \pi r^2 $, money $5 and $10, $$ x $$ and $ $ alone.".into(),
            span: Span {
                source: SourceId(0),
                line: 1,
                col: 1,
            },
        }];
        let dollars = Delimiters {
            mathjax: false,
            spaced_dollars: Some(&line),
        };
        let formulas: Vec<(String, bool, u32)> = delimited_math(inlines, dollars)
            .into_iter()
            .filter_map(|i| match i {
                Inline::Math(m) => Some((m.source, m.display, m.span.col)),
                _ => None,
            })
            .collect();
        assert_eq!(
            formulas,
            [
                (r" \pi r^2 ".to_string(), false, 6),
                (" x ".to_string(), true, 37)
            ]
        );
    }

    #[test]
    fn mathjax_delimiters_across_soft_breaks() {
        let span = |col| Span {
            source: SourceId(0),
            line: 1,
            col,
        };
        let inlines = vec![
            Inline::Text {
                text: r"so \(a + b\) and \[".into(),
                span: span(1),
            },
            Inline::SoftBreak { span: span(20) },
            Inline::Text {
                text: r"x^2 \] end \( open".into(),
                span: span(1),
            },
        ];
        let mathjax = Delimiters {
            mathjax: true,
            spaced_dollars: None,
        };
        let out = delimited_math(inlines, mathjax);
        let kinds: Vec<String> = out
            .iter()
            .map(|i| match i {
                Inline::Text { text, .. } => format!("T({text})"),
                Inline::SoftBreak { .. } => "B".into(),
                Inline::Math(m) => format!("M({},{})", m.source, m.display),
                _ => "?".into(),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "T(so )",
                "M(a + b,false)",
                "T( and )",
                "M(\nx^2 ,true)",
                r"T( end \( open)"
            ]
        );
    }
}
