//! folio-pdf: the print edition, typeset with typst used as a library.
//!
//! # How
//!
//! The resolved model is written as typst **markup** (`markup/`), compiled
//! in folio's own [`World`](typst::World) and exported with typst-pdf. Markup
//! rather than content built directly in Rust because it can be read: the
//! exact input of typst can be dumped ([`markup`]) and compiled alone, which
//! makes problems reproducible and lets the benchmark measure folio's own
//! cost next to typst compiling the same source.
//!
//! The print design lives in one typst file (`template.typ`): page geometry,
//! running heads, chapter openings, tables, footnotes. The generated body
//! only calls its functions.
//!
//! # Why the author's text cannot break the source
//!
//! No text from the book is ever written as markup. Every piece of it (text,
//! titles, URLs, alt text, code, ids) is written as a typst **string
//! literal**, `#"…";` in markup and `"…"` in code (`escape.rs`): the literal
//! escapes `\` and `"` and writes control characters as `\u{…}`, so it ends
//! exactly where folio ends it and evaluates to the text itself, whatever
//! markup syntax (`* _ # $ @ < > [ ] = - + / // /*`…) the text holds. This is
//! easier to prove than escaping markup, whose special characters depend on
//! context (line starts, `http://`, shorthands). The single exception is
//! deliberate: straight quotes `"` `'` are written as markup smart quotes, so
//! typst sets them in the book's language (« » in French). Labels are made
//! with `label("…")`, never `<…>`. A property test feeds arbitrary text
//! through every place text can go and reads it back from the PDF.
//!
//! # Diagnostics
//!
//! Each block and inline records the byte range of markup it produced; a
//! typst error or warning inside such a range (or called from one) is
//! reported at the book's `file:line`. Others are folio's own mistakes and
//! are reported as internal errors quoting typst.

mod diagnostics;
mod escape;
mod fonts;
mod markup;
mod settings;
mod world;

use folio_core::{Book, Diagnostic, Output, OutputFile, RenderContext, Severity};
use typst::diag::{SourceDiagnostic, Warned};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards};

use crate::fonts::{Fonts, Uncovered};
use crate::markup::{Layout, Markup, SourceMap};
use crate::settings::Geometry;
use crate::world::BookWorld;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A `[pdf]` font folio cannot use: a family none of the fonts has, a
    /// file typst cannot read (the other settings are checked at load).
    #[error("{0}")]
    Config(String),
    /// typst refused the book; the diagnostics say where (render them with
    /// the book's sources: [`Error::into_diagnostics`]).
    #[error("the PDF could not be typeset: {}", .0.iter().filter(|d| d.severity == Severity::Error).map(|d| d.message.as_str()).collect::<Vec<_>>().join("; "))]
    Typeset(Vec<Diagnostic>),
    /// A defect of folio itself.
    #[error("internal error of the PDF edition: {0}")]
    Internal(String),
}

impl Error {
    /// Everything to report, as diagnostics: typst's at the book's
    /// `file:line` where they come from the author's content.
    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        match self {
            Error::Typeset(diagnostics) => diagnostics,
            other => vec![Diagnostic::new(Severity::Error, other.to_string(), None)],
        }
    }
}

/// Renders the print edition: one file, `<book.output_name()>.pdf`.
pub fn render(book: &Book, ctx: &RenderContext) -> Result<Output, Error> {
    typeset(book, ctx, None)
}

/// [`render`] for a rebuild: typst's world of the previous call is kept in
/// `memo` and given the new markup, so that typst finds what it memoised
/// for the chapters that did not change (as `typst watch` does). Byte for
/// byte what [`render`] gives.
pub fn render_reusing(
    book: &Book,
    ctx: &RenderContext,
    memo: &mut TypesetMemo,
) -> Result<Output, Error> {
    typeset(book, ctx, Some(memo))
}

/// typst's world of the previous build of a book (see [`render_reusing`]).
#[derive(Default)]
pub struct TypesetMemo {
    kept: Option<(WorldSetup, BookWorld)>,
}

/// Everything a world holds besides its markup: a rebuild keeps the world
/// only when all of it is what it was.
#[derive(PartialEq)]
struct WorldSetup {
    root: folio_core::files::Folder,
    files: Vec<String>,
    font_files: Vec<(String, Vec<u8>)>,
    system_fonts: bool,
    timestamp: i64,
}

impl TypesetMemo {
    /// The kept world with `markup` as its main source, or a new world.
    fn world(
        &mut self,
        setup: WorldSetup,
        markup: String,
        fonts: Fonts,
    ) -> Result<&BookWorld, Error> {
        match &mut self.kept {
            Some((kept, world)) if *kept == setup => world.replace_main(&markup),
            _ => {
                let world = BookWorld::new(
                    markup,
                    setup.root.clone(),
                    setup.files.iter().cloned(),
                    fonts.into_store(),
                    setup.timestamp,
                )?;
                self.kept = Some((setup, world));
            }
        }
        match &self.kept {
            Some((_, world)) => Ok(world),
            None => Err(Error::Internal("no world kept".into())),
        }
    }
}

fn typeset(
    book: &Book,
    ctx: &RenderContext,
    memo: Option<&mut TypesetMemo>,
) -> Result<Output, Error> {
    let Prepared {
        markup:
            Markup {
                text,
                map,
                diagnostics: mut reported,
                images_without_alt,
            },
        fonts,
        font_files,
        uncovered,
    } = prepare(book)?;
    reported.extend(fonts::warnings(&uncovered, system_fonts(book)));
    let fresh;
    let world = match memo {
        Some(memo) => {
            let setup = WorldSetup {
                root: book.root.clone(),
                files: book_files(book).collect(),
                font_files,
                system_fonts: fonts.with_system(),
                timestamp: ctx.timestamp,
            };
            memo.world(setup, text, fonts)?
        }
        None => {
            fresh = BookWorld::new(
                text,
                book.root.clone(),
                book_files(book),
                fonts.into_store(),
                ctx.timestamp,
            )?;
            &fresh
        }
    };
    let Warned { output, warnings } = typst::compile::<PagedDocument>(world);
    reported.extend(
        warnings
            .iter()
            .map(|w| diagnostics::convert(world, &map, w)),
    );
    let document = output.map_err(|errors| typeset_error(world, &map, &errors, &reported))?;

    // The standards the author asked for must hold; folio's own choice
    // (PDF/A-2b, with PDF/UA-1 when every image has alt text) gives way,
    // one standard after the other, with a note saying why: a book typst
    // cannot make archival (a string longer than PDF/A allows…) still gets
    // its PDF.
    let (mut standards, configured) = match settings::configured_standards(&book.config.pdf) {
        Some(list) => (list, true),
        None => (
            default_standards(&images_without_alt, &uncovered, &mut reported),
            false,
        ),
    };
    let ident = book
        .metadata
        .identifier
        .clone()
        .unwrap_or_else(|| book.output_name());
    let bytes = loop {
        match export(
            &document,
            &settings::standards(&standards)?,
            &ident,
            ctx.timestamp,
        ) {
            Ok(bytes) => break bytes,
            Err(errors) if configured || standards.is_empty() => {
                return Err(typeset_error(world, &map, &errors, &reported));
            }
            Err(errors) => {
                let blamed = settings::blamed(&standards, &errors);
                let names: Vec<&str> = blamed.iter().map(|s| settings::standard_name(*s)).collect();
                let span = errors
                    .iter()
                    .find_map(|e| diagnostics::convert(world, &map, e).span);
                let reasons: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
                reported.push(Diagnostic::new(
                    Severity::Note,
                    format!(
                        "the PDF is not {}: {}",
                        names.join(" nor "),
                        reasons.join("; ")
                    ),
                    span,
                ));
                standards.retain(|s| !blamed.contains(s));
            }
        }
    };
    // Drop what typst memoised for compilations more than a few builds old:
    // a long-lived process (watch mode, tests) must not grow without bound.
    typst::comemo::evict(10);
    Ok(Output {
        files: vec![OutputFile {
            path: format!("{}.pdf", book.output_name()),
            bytes,
        }],
        diagnostics: reported,
    })
}

/// The typst source folio compiles for `book`, for inspection and debugging.
pub fn markup(book: &Book) -> Result<String, Error> {
    Ok(prepare(book)?.markup.text)
}

/// What `folio check` can tell of the print edition without typesetting
/// it: the characters no available font has, each at its first
/// `file:line`, and a `[pdf] font` no font provides.
pub fn check(book: &Book) -> Vec<Diagnostic> {
    match prepare(book) {
        Ok(prepared) => fonts::warnings(&prepared.uncovered, system_fonts(book)),
        Err(error) => error.into_diagnostics(),
    }
}

/// The markup and the fonts to typeset it with.
struct Prepared {
    markup: Markup,
    fonts: Fonts,
    /// The book's font files as read (a rebuild compares them).
    font_files: Vec<(String, Vec<u8>)>,
    uncovered: Vec<Uncovered>,
}

/// Chooses the fonts and writes the markup. The system's fonts are searched
/// only when the embedded and the book's fonts do not suffice: for a CJK
/// book (its body needs a CJK face), a `[pdf] font` they lack, or
/// characters none of them has. The markup names the chosen families, so it
/// is written again once they are known.
fn prepare(book: &Book) -> Result<Prepared, Error> {
    let (lang, region) = settings::lang_region(&book.metadata.language);
    let body = book.config.pdf.font.as_deref();
    let files = font_files(book)?;
    let mut fonts = Fonts::new(files.clone())?;
    let write = |fonts: &Fonts| {
        let chain = fonts.chain(&lang, region.as_deref(), body);
        let markup = markup::generate(book, layout(book, chain));
        let uncovered = fonts::uncovered(book, &markup.text, &markup.map, fonts);
        (markup, uncovered)
    };
    let (mut markup, mut uncovered) = write(&fonts);
    let needs_system = fonts.chain(&lang, region.as_deref(), body).cjk
        || body.is_some_and(|family| !fonts.has_family(family))
        || !uncovered.is_empty();
    if needs_system && system_fonts(book) {
        fonts.add_system();
        (markup, uncovered) = write(&fonts);
    }
    if let Some(family) = body
        && !fonts.has_family(family)
    {
        let families: Vec<&str> = fonts.families().collect();
        return Err(Error::Config(format!(
            "[pdf] font = \"{family}\": no such font family; available: {} (add font files with [pdf] fonts)",
            families.join(", ")
        )));
    }
    Ok(Prepared {
        markup,
        fonts,
        font_files: files,
        uncovered,
    })
}

/// Whether the system's fonts may be used (`[pdf] system-fonts`, default yes).
fn system_fonts(book: &Book) -> bool {
    book.config.pdf.system_fonts != Some(false)
}

/// typst alone: compiles `markup` (as returned by [`markup`]) in the same
/// world as [`render`] and exports it with the same options, without any of
/// folio's own work. For measuring folio's overhead.
pub fn typeset_markup(book: &Book, markup: String, ctx: &RenderContext) -> Result<Vec<u8>, Error> {
    let world = BookWorld::new(
        markup,
        book.root.clone(),
        book_files(book),
        prepare(book)?.fonts.into_store(),
        ctx.timestamp,
    )?;
    let document = typst::compile::<PagedDocument>(&world)
        .output
        .map_err(|e| Error::Internal(first_message(&e)))?;
    let standards =
        settings::configured_standards(&book.config.pdf).unwrap_or_else(|| vec![PdfStandard::A_2b]);
    let ident = book
        .metadata
        .identifier
        .clone()
        .unwrap_or_else(|| book.output_name());
    let bytes = export(
        &document,
        &settings::standards(&standards)?,
        &ident,
        ctx.timestamp,
    )
    .map_err(|e| Error::Internal(first_message(&e)));
    typst::comemo::evict(10);
    bytes
}

/// Forgets what typst memoised: the next compilation starts cold. For
/// benchmarks, which compile the same book again and again.
pub fn clear_cache() {
    typst::comemo::evict(0);
}

fn layout(book: &Book, fonts: fonts::FontChain) -> Layout {
    Layout {
        geometry: Geometry::new(&book.config.pdf),
        two_sided: settings::two_sided(&book.config.pdf),
        fonts,
    }
}

/// The files typst may read: the book's assets, by their path in the root.
fn book_files(book: &Book) -> impl Iterator<Item = String> + '_ {
    book.assets.iter().map(|asset| asset.path.clone())
}

/// `[pdf] fonts`, found inside the book by the resolver: their contents.
fn font_files(book: &Book) -> Result<Vec<(String, Vec<u8>)>, Error> {
    book.fonts
        .iter()
        .map(|&font| {
            let name = book.assets[font].path.clone();
            let data = book
                .read_asset(font)
                .map_err(|refused| Error::Config(format!("[pdf] fonts: `{name}` {refused}")))?;
            Ok((name, data))
        })
        .collect()
}

/// The standards folio chooses when the author names none: PDF/A-2b and
/// PDF/UA-1 when every character has a glyph (both forbid a character shown
/// as an empty box), PDF/UA-1 when every image has alt text too. Each gives
/// way, with a note, if the book cannot meet it.
fn default_standards(
    images_without_alt: &[(String, folio_core::Span)],
    uncovered: &[Uncovered],
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<PdfStandard> {
    if let Some(first) = uncovered.first() {
        diagnostics.push(Diagnostic::new(
            Severity::Note,
            format!(
                "the PDF is neither PDF/A-2b (archival) nor PDF/UA-1 (accessible): both forbid characters without a glyph, and {} character(s) of the book have none in any font (see the warnings)",
                uncovered.len()
            ),
            first.first,
        ));
        return Vec::new();
    }
    if images_without_alt.is_empty() {
        return vec![PdfStandard::A_2b, PdfStandard::Ua_1];
    }
    let images: Vec<&str> = images_without_alt
        .iter()
        .map(|(url, _)| url.as_str())
        .collect();
    let mut note = Diagnostic::new(
        Severity::Note,
        format!(
            "the PDF is not PDF/UA-1 (accessible): images without alt text: {}",
            images.join(", ")
        ),
        images_without_alt.first().map(|(_, span)| *span),
    );
    note.hint = Some("give every image an alt text: `![what it shows](image.png)`".into());
    diagnostics.push(note);
    vec![PdfStandard::A_2b]
}

/// `ident` is a stable name of the book, from which typst derives the PDF's
/// identifier: the same across builds, different between books.
fn export(
    document: &PagedDocument,
    standards: &PdfStandards,
    ident: &str,
    timestamp: i64,
) -> Result<Vec<u8>, Vec<SourceDiagnostic>> {
    let options = PdfOptions {
        ident: typst::foundations::Smart::Custom(ident.to_string()),
        creator: typst::foundations::Smart::Custom(Some(format!(
            "folio {}",
            env!("CARGO_PKG_VERSION")
        ))),
        timestamp: world::pdf_timestamp(timestamp),
        standards: standards.clone(),
        tagged: true,
        ..PdfOptions::default()
    };
    typst_pdf::pdf(document, &options).map_err(|errors| errors.to_vec())
}

fn typeset_error(
    world: &BookWorld,
    map: &SourceMap,
    errors: &[SourceDiagnostic],
    earlier: &[Diagnostic],
) -> Error {
    let mut all = earlier.to_vec();
    all.extend(errors.iter().map(|e| diagnostics::convert(world, map, e)));
    Error::Typeset(all)
}

fn first_message(errors: &[SourceDiagnostic]) -> String {
    errors
        .first()
        .map_or_else(|| "unknown error".into(), |e| e.message.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book(markdown: &str) -> Book {
        let mut book = folio_core::parse_str(markdown);
        book.metadata.language = "en".into();
        book
    }

    /// A run of text typst set: its page, baseline, left and right ends
    /// (in points) and text.
    #[derive(Debug)]
    struct Run {
        page: usize,
        baseline: f64,
        left: f64,
        right: f64,
        text: String,
    }

    fn text_runs(book: &Book) -> Vec<Run> {
        use typst::layout::{Frame, FrameItem, Transform};
        fn collect(frame: &Frame, ts: Transform, page: usize, runs: &mut Vec<Run>) {
            for (pos, item) in frame.items() {
                let at = pos.transform(ts);
                match item {
                    FrameItem::Group(group) => {
                        let inner = ts
                            .pre_concat(Transform::translate(pos.x, pos.y))
                            .pre_concat(group.transform);
                        collect(&group.frame, inner, page, runs);
                    }
                    FrameItem::Text(text) => runs.push(Run {
                        page,
                        baseline: at.y.to_pt(),
                        left: at.x.to_pt(),
                        right: (at.x + text.width()).to_pt(),
                        text: text.text.to_string(),
                    }),
                    _ => {}
                }
            }
        }
        let prepared = prepare(book).unwrap();
        let world = BookWorld::new(
            prepared.markup.text,
            book.root.clone(),
            book_files(book),
            prepared.fonts.into_store(),
            0,
        )
        .unwrap();
        let document = typst::compile::<PagedDocument>(&world).output.unwrap();
        let mut runs = Vec::new();
        for (number, page) in document.pages().iter().enumerate() {
            collect(&page.frame, Transform::identity(), number, &mut runs);
        }
        runs
    }

    #[test]
    fn table_cells_never_overlap_nor_leave_the_page() {
        // Fourteen columns whose headers no line can break (wider together
        // than the text: the type shrinks), then a column whose one
        // identifier is wider than typst's fair share of the line.
        let headers: Vec<String> = (0..14).map(|i| format!("s_column_{i:02}")).collect();
        let wide = format!(
            "# Tables\n\n| {} |\n|{}\n| {} |\n\n\
             | Words | Name | More words |\n|---|---|---|\n\
             | {} | `std::ops::BitXorAssignAndMore` | {} |\n",
            headers.join(" | "),
            "---|".repeat(14),
            vec!["0"; 14].join(" | "),
            "a sentence long enough to want the whole line for itself alone ".repeat(2),
            "another sentence that also wants far more than its fair share ".repeat(2),
        );
        let book = book(&wide);
        let mut runs = text_runs(&book);
        let geometry = settings::Geometry::new(&book.config.pdf);
        let points = |mm: f64| mm * 72.0 / 25.4;
        let margin = points(geometry.inside.min(geometry.outside));
        let page_width = points(geometry.width);
        for run in &runs {
            assert!(
                run.left >= margin - 0.5 && run.right <= page_width - margin + 0.5,
                "{run:?} leaves the text"
            );
        }
        for header in &headers {
            assert!(
                runs.iter().any(|run| run.text == *header),
                "{header} split or missing"
            );
        }
        // Runs on one line, left to right, each ends before the next starts.
        runs.sort_by(|a, b| {
            (a.page, a.baseline.round() as i64)
                .cmp(&(b.page, b.baseline.round() as i64))
                .then(a.left.total_cmp(&b.left))
        });
        for pair in runs.windows(2) {
            let same_line =
                pair[0].page == pair[1].page && (pair[0].baseline - pair[1].baseline).abs() < 0.5;
            assert!(
                !same_line || pair[0].right <= pair[1].left + 0.1,
                "{:?} overlaps {:?}",
                pair[0],
                pair[1]
            );
        }
    }

    #[test]
    fn renders_a_small_book() {
        let book = book(
            "# A *small* book\n\nSome text with `code` and a [link](https://example.com).\n\n## Section\n\n- one\n- two\n",
        );
        let output = render(&book, &RenderContext { timestamp: 0 })
            .unwrap_or_else(|e| panic!("{e}: {e:?}\n{}", markup(&book).unwrap_or_default()));
        assert!(output.files[0].bytes.starts_with(b"%PDF-"));
        assert!(output.diagnostics.is_empty(), "{:?}", output.diagnostics);
    }

    #[test]
    fn one_sided_with_notes_per_chapter() {
        let mut book = book(
            "# Title\n\nText[^a] and again[^a].\n\n[^a]: A *note* with a [link](https://example.com).\n\n    second paragraph\n",
        );
        book.config.pdf.sides = Some(folio_core::config::Sides::One);
        book.config.pdf.paper = "a5".parse().ok();
        book.config.build.footnotes = folio_core::config::FootnoteNumbering::Chapter;
        let text = markup(&book).unwrap();
        assert!(
            text.contains("two-sided: false") && text.contains("#folio-note(\"1\")["),
            "{text}"
        );
        render(&book, &RenderContext { timestamp: 0 }).unwrap_or_else(|e| panic!("{e}: {e:?}"));
    }

    #[test]
    fn an_unreadable_image_is_reported_at_its_line() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("bad.png"), b"this is not a PNG").unwrap();
        let mut book = book("# Title\n\nSome text.\n\n![A picture](bad.png)\n");
        book.root = folio_core::files::Folder::new(root.path()).unwrap();
        book.assets = vec![folio_core::Asset {
            path: "bad.png".into(),
            href: "bad.png".into(),
            url: None,
            media_type: "image/png".into(),
            size: None,
        }];
        let span = folio_core::Span {
            source: folio_core::SourceId(0),
            line: 5,
            col: 1,
        };
        let image = folio_core::Image {
            url: "bad.png".into(),
            alt: "A picture".into(),
            alt_text: folio_core::AltText::Described,
            title: None,
            target: folio_core::ImageTarget::Asset {
                asset: folio_core::AssetId(0),
            },
            span,
        };
        book.chapters[0].blocks.push(folio_core::Block::Figure {
            image: Box::new(image),
            span,
        });
        let result = render(&book, &RenderContext { timestamp: 0 });
        let Err(error @ Error::Typeset(_)) = result else {
            panic!("expected a typesetting error")
        };
        let diagnostics = error.into_diagnostics();
        assert!(
            diagnostics
                .iter()
                .any(|d| d.severity == Severity::Error && d.span == Some(span)),
            "{diagnostics:#?}"
        );
    }

    #[test]
    fn an_unknown_font_is_refused() {
        // Paper, standards and sizes are checked as folio.toml is read; a
        // font family only the fonts typst loads can tell.
        let mut book = self::tests::book("# T\n");
        book.config.pdf.font = Some("No Such Font".into());
        let Err(Error::Config(message)) = render(&book, &RenderContext { timestamp: 0 }) else {
            panic!("an unknown font must be refused")
        };
        assert!(message.contains("Libertinus Serif"), "{message}");
        book.config.pdf.font = Some("libertinus serif".into());
        assert!(render(&book, &RenderContext { timestamp: 0 }).is_ok());
    }

    #[test]
    fn a_remote_image_is_not_fetched_but_said() {
        let mut book = book("# T\n");
        let span = folio_core::Span {
            source: folio_core::SourceId(0),
            line: 3,
            col: 1,
        };
        let image = folio_core::Image {
            url: "https://example.com/a.png".into(),
            alt: "A remote picture".into(),
            alt_text: folio_core::AltText::Described,
            title: None,
            target: folio_core::ImageTarget::External {
                url: "https://example.com/a.png".into(),
            },
            span,
        };
        book.chapters[0].blocks.push(folio_core::Block::Figure {
            image: Box::new(image),
            span,
        });
        let output =
            render(&book, &RenderContext { timestamp: 0 }).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(
            output
                .diagnostics
                .iter()
                .any(|d| d.severity == Severity::Warning && d.span == Some(span)),
            "{:?}",
            output.diagnostics
        );
        assert!(markup(&book).unwrap().contains("A remote picture"));
    }
}
