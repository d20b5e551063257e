//! The author's text can never break the typst source: arbitrary text, full
//! of typst syntax, goes through headings, paragraphs, footnotes, table cells
//! and link texts, and comes back out of the PDF as it went in.

mod common;

use folio_core::{Alignment, Block, Book, Footnote, Inline, Link, LinkTarget, RenderContext, Span};
use proptest::prelude::*;

/// Text made of typst's special characters and sequences, words, and
/// Unicode the embedded fonts can show (accents, Greek, punctuation, no-break spaces).
fn nasty_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "#",
        "$",
        "*",
        "_",
        "@",
        "<",
        ">",
        "[",
        "]",
        "\\",
        "~",
        "\"",
        "'",
        "=",
        "+",
        "-",
        "/",
        "//",
        "/*",
        "*/",
        "`",
        "```",
        "#let x = 1",
        "#{",
        "}",
        "$x$",
        "<label>",
        "@ref",
        "= Titre",
        "- item",
        "+ item",
        "1. un",
        "http://example.com",
        "\\u{41}",
        "--",
        "---",
        "...",
        "-?",
        ":",
        ";",
        "é",
        "ß",
        "Ωμέγα",
        "œuvre",
        "«\u{202F}oui\u{202F}»",
        "a\u{A0}:",
        "€",
        "—",
        "…",
        "Ünïcödé",
        "word",
        "mot",
        "text",
        " ",
        "  ",
    ]);
    prop::collection::vec(pieces, 1..8).prop_map(|pieces| pieces.concat())
}

fn text(text: &str) -> Inline {
    Inline::Text {
        text: text.to_string(),
        span: Span::default(),
    }
}

/// A one-chapter book with `texts` in every place text can go.
fn book_with(texts: &[String; 7]) -> Book {
    let mut book = folio_core::parse_str("# Chapter\n\nText.\n");
    book.metadata.title = texts[0].clone();
    book.metadata.language = "en".into();
    let chapter = &mut book.chapters[0];
    chapter.title = texts[1].clone();
    chapter.footnotes = vec![Footnote {
        label: "1".into(),
        number: 1,
        id: "fn-1".into(),
        blocks: vec![Block::Paragraph {
            content: vec![text(&texts[4])],
            span: Span::default(),
        }],
        references: vec!["fnref-1".into()],
        span: Span::default(),
    }];
    chapter.blocks = vec![
        Block::Heading {
            level: 2,
            id: "section".into(),
            content: vec![text(&texts[2])],
            span: Span::default(),
        },
        Block::Paragraph {
            content: vec![
                text(&texts[3]),
                Inline::FootnoteRef {
                    label: "1".into(),
                    note: Some(folio_core::NoteId(0)),
                    id: "fnref-1".into(),
                    span: Span::default(),
                },
            ],
            span: Span::default(),
        },
        Block::Table {
            alignments: vec![Alignment::Left, Alignment::Right],
            header: vec![vec![text("H1")], vec![text("H2")]],
            rows: vec![vec![vec![text(&texts[5])], vec![text("cell")]]],
            span: Span::default(),
        },
        Block::Paragraph {
            content: vec![Inline::Link(Box::new(Link {
                url: "https://example.com/?a=\"b\"&c=#d".into(),
                title: None,
                target: LinkTarget::External {
                    url: "https://example.com/?a=\"b\"&c=#d".into(),
                },
                content: vec![text(&texts[6])],
                span: Span::default(),
            }))],
            span: Span::default(),
        },
    ];
    chapter.title_heading = folio_core::title_heading(&chapter.blocks);
    book
}

/// What is compared: no whitespace (line breaks, no-break spaces), no
/// hyphens (hyphenation), quotes straightened (typst sets smart quotes, and
/// primes after a digit: `1"` is 1″).
fn squeeze(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '\u{ad}' | '\u{2010}'))
        .map(|c| match c {
            '“' | '”' | '″' => '"',
            '‘' | '’' | '′' => '\'',
            c => c,
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_text_compiles_and_reads_back(texts in prop::array::uniform7(nasty_text())) {
        let book = book_with(&texts);
        let output = folio_pdf::render(&book, &RenderContext { timestamp: 0 });
        let output = match output {
            Ok(output) => output,
            Err(e) => panic!("{e}: {:#?}\n--- markup ---\n{}", e, folio_pdf::markup(&book).unwrap_or_default()),
        };
        let dir = common::temp_out("pdf-escape");
        let path = dir.join("book.pdf");
        std::fs::write(&path, &output.files[0].bytes).unwrap();
        if let Some(extracted) = common::pdftotext(&path) {
            let extracted = squeeze(&extracted);
            for text in &texts {
                prop_assert!(extracted.contains(&squeeze(text)), "{text:?} not found in:\n{extracted}");
            }
        }
    }
}
