//! GitBook 3 books as HonKit reads them: the fixtures `gitbook3` (book.json
//! `root`, `structure`, `variables`, plugins, templates) and
//! `gitbook3-langs` (LANGS.md) read back in the model and the editions; and
//! the books that try to leave the book or never end, each an error.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use folio_core::model::{Block, Book, ChapterKind, Inline, Link, LinkTarget};
use folio_core::{Severity, plain_text, visit_all_inlines};

fn diagnostics(book: &Book) -> Vec<String> {
    common::diagnostic_lines(book)
}

fn errors(book: &Book) -> Vec<String> {
    diagnostics(book)
        .into_iter()
        .filter(|d| d.starts_with("Error"))
        .collect()
}

#[test]
fn book_json_moves_the_summary_and_the_introduction() {
    let book = common::open_book("gitbook3");
    let files: Vec<(&str, ChapterKind)> = book
        .chapters
        .iter()
        .map(|c| (c.file.as_str(), c.kind))
        .collect();
    assert_eq!(
        files,
        [
            ("index.md", ChapterKind::Front),
            ("reading.md", ChapterKind::Body),
            ("GLOSSARY.md", ChapterKind::Back)
        ]
    );
    assert_eq!(book.metadata.title, "The Lantern Handbook");
    let found = diagnostics(&book);
    assert!(
        book.diagnostics
            .iter()
            .all(|d| d.severity == Severity::Note),
        "{found:#?}"
    );
    let plugins = found
        .iter()
        .find(|d| d.contains("plugins folio does not run"))
        .expect("a note on book.json's plugins");
    assert!(
        plugins.contains("hints, edit-link, theme-faq") && !plugins.contains("sharing"),
        "{plugins}"
    );
    assert!(
        found.contains(&"Note source/index.md:6:1 `{% hint %}` is a tag of a GitBook plugin folio does not run: its content is kept, its tags are not".to_string()),
        "{found:#?}"
    );
    for name in ["embed", "tab", "tabs"] {
        assert_eq!(
            found
                .iter()
                .filter(|d| d.contains(&format!("`{{% {name} %}}`")))
                .count(),
            1,
            "one note for {name}: {found:#?}"
        );
    }
}

#[test]
fn templates_are_expanded_before_the_reader_with_spans_kept() {
    let book = common::open_book("gitbook3");
    let intro = &book.chapters[0];
    let Block::Heading { content, .. } = &intro.blocks[0] else {
        panic!("a heading first: {:?}", intro.blocks[0]);
    };
    assert_eq!(plain_text(content), "Welcome to Lantern");
    let text = serde_json::to_string(&book.chapters).unwrap();
    assert!(
        text.contains("Lantern 3.1, as The Lantern Handbook says."),
        "{text}"
    );
    assert!(text.contains(r#""code":"index.md""#), "file.path: {text}");
    assert!(!text.contains("{% hint") && !text.contains("{% tab") && !text.contains("endhint"));
    // The hint is a block quote, at its content's line.
    let quote = intro
        .blocks
        .iter()
        .find(|b| matches!(b, Block::BlockQuote { .. }))
        .expect("the hint as a block quote");
    assert_eq!(quote.span().line, 7);
    // `{% raw %}` keeps its text as written.
    assert!(text.contains("A template writes {{ book.product }} and {% if x %}"));
    // Spans after a branch that removed lines are the chapter's own lines.
    let reading = &book.chapters[1];
    let after = reading
        .blocks
        .iter()
        .find(|b| matches!(b, Block::Paragraph { content, .. } if plain_text(content).starts_with("After the branch")))
        .expect("the paragraph after the branch");
    assert_eq!((after.span().line, after.span().col), (11, 1));
    let branches = reading
        .blocks
        .iter()
        .filter(|b| matches!(b, Block::ForEditions { .. }))
        .count();
    assert_eq!(branches, 1, "{:#?}", reading.blocks);
}

/// `(text, anchor, line, col)` of each link of `chapter` to the glossary.
fn glossary_links(book: &Book, chapter: usize) -> Vec<(String, String, u32, u32)> {
    let glossary = book.glossary.as_ref().expect("a glossary").chapter;
    let mut links = Vec::new();
    visit_all_inlines(&book.chapters[chapter], &mut |inline| {
        if let Inline::Link(link) = inline
            && let Link {
                target: LinkTarget::Chapter { chapter, anchor },
                content,
                span,
                ..
            } = &**link
            && *chapter == glossary
        {
            links.push((
                plain_text(content),
                anchor.clone().unwrap_or_default(),
                span.line,
                span.col,
            ));
        }
    });
    links
}

#[test]
fn the_glossary_is_a_last_chapter_and_its_terms_are_linked_once_per_chapter() {
    let book = common::open_book("gitbook3");
    let glossary = book.glossary.as_ref().expect("GLOSSARY.md is the glossary");
    let chapter = &book.chapters[glossary.chapter];
    assert_eq!(chapter.file, "GLOSSARY.md");
    assert_eq!(chapter.title, "Words of the trade", "its first heading");
    assert_eq!(chapter.title_heading, Some(0));
    let terms: Vec<(&str, &str)> = glossary
        .terms
        .iter()
        .map(|t| (t.term.as_str(), t.id.as_str()))
        .collect();
    assert_eq!(
        terms,
        [
            ("Wick", "wick"),
            ("Chimney", "chimney"),
            ("Oil lamp", "oil-lamp")
        ]
    );
    // The first occurrence in running text, per chapter: never the heading
    // `The chimney`, the code span or block, nor the text of a link.
    let link =
        |text: &str, anchor: &str, line, col| (text.to_string(), anchor.to_string(), line, col);
    assert_eq!(
        glossary_links(&book, 1),
        [
            link("wick", "wick", 3, 29),
            link("chimney", "chimney", 15, 10),
            link("oil lamp", "oil-lamp", 15, 29),
        ]
    );
    // The introduction's hint (a block quote) has its own first `wick`.
    assert_eq!(glossary_links(&book, 0), [link("wick", "wick", 7, 14)]);
    assert!(
        glossary_links(&book, 2).is_empty(),
        "the glossary links nothing to itself"
    );
    let reading = serde_json::to_string(&book.chapters[1].blocks).unwrap();
    assert!(reading.contains(r#""code":"wick""#) && reading.contains("wick chimney"));
    assert!(
        reading.contains(r##""url":"GLOSSARY.md#chimney""##),
        "{reading}"
    );
    // No note on GLOSSARY.md as an unlisted file.
    assert!(
        !diagnostics(&book).iter().any(|d| d.contains("GLOSSARY.md")),
        "{:#?}",
        diagnostics(&book)
    );
}

#[test]
fn a_glossary_without_a_title_heading_is_titled_in_the_books_language() {
    let dir = book_of(&[
        ("book.json", r#"{"language": "fr"}"#),
        ("SUMMARY.md", "# Sommaire\n\n* [Texte](texte.md)\n"),
        ("texte.md", "# Texte\n\nUne mèche, une MÈCHE.\n"),
        ("GLOSSARY.md", "## Mèche\n\nLe cordon qui brûle.\n"),
    ]);
    let book = folio_core::open(dir.path()).unwrap();
    let glossary = book.glossary.as_ref().unwrap();
    let chapter = &book.chapters[glossary.chapter];
    assert_eq!(chapter.title, "Glossaire");
    assert_eq!(chapter.title_heading, None, "its one term is no title");
    let texte = book
        .chapters
        .iter()
        .position(|c| c.file == "texte.md")
        .unwrap();
    assert_eq!(
        glossary_links(&book, texte),
        [("mèche".to_string(), "meche".to_string(), 3, 5)]
    );
    // Listed in SUMMARY: the listed chapter is the glossary, not appended again.
    let dir = book_of(&[
        (
            "SUMMARY.md",
            "# Summary\n\n* [Words](GLOSSARY.md)\n* [Text](text.md)\n",
        ),
        ("text.md", "# Text\n\nA wick.\n"),
        ("GLOSSARY.md", "# Words\n\n## Wick\n\nA cord.\n"),
    ]);
    let book = folio_core::open(dir.path()).unwrap();
    let files: Vec<&str> = book.chapters.iter().map(|c| c.file.as_str()).collect();
    assert_eq!(files, ["GLOSSARY.md", "text.md"]);
    let glossary = book.glossary.as_ref().unwrap();
    assert_eq!(book.chapters[glossary.chapter].title, "Words");
    assert_eq!(glossary_links(&book, 1).len(), 1);
}

/// The CLI on `book`, writing into `out`, under a time limit.
fn build(book: &Path, out: &Path) -> (i32, String, Duration) {
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_folio"))
        .args(["build", "--out"])
        .arg(out)
        .arg(book)
        .env("SOURCE_DATE_EPOCH", "0")
        .output()
        .expect("folio runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        started.elapsed(),
    )
}

#[test]
fn each_language_is_a_book_in_its_own_folder() {
    let out = common::temp_out("gitbook-langs");
    let (code, stderr, _) = build(&common::fixture("gitbook3-langs"), &out);
    assert_eq!(code, 0, "{stderr}");
    for (lang, page, text) in [
        ("en", "hello.html", "The motto: one source, two books."),
        ("fr", "bonjour.html", ": one source, two books."),
    ] {
        let html = std::fs::read_to_string(out.join(lang).join("html").join(page)).unwrap();
        assert!(html.contains(&format!("<html lang=\"{lang}\"")), "{html}");
        assert!(html.contains(text), "{lang}: {html}");
        assert!(out.join(lang).join("two-tongues.epub").is_file());
        assert!(out.join(lang).join("two-tongues.pdf").is_file());
    }
    let mut top: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert_eq!(top, ["en", "fr"]);
}

/// A book of `files` in a fresh folder.
fn book_of(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

#[test]
fn a_structure_outside_the_book_is_an_error_at_its_key() {
    let dir = book_of(&[
        (
            "book.json",
            "{\n  \"structure\": {\n    \"summary\": \"../../etc/passwd\",\n    \"readme\": \"/etc/hostname\"\n  }\n}\n",
        ),
        ("README.md", "# Intro\n"),
    ]);
    let book = folio_core::open(dir.path()).unwrap();
    let found = errors(&book);
    assert!(
        found.contains(&"Error book.json:3:5 book.json `structure.summary` = \"../../etc/passwd\" lies outside the book".to_string()),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|e| e.starts_with("Error book.json:4:5") && e.contains("structure.readme")),
        "{found:#?}"
    );
    assert!(!serde_json::to_string(&book).unwrap().contains("root:x:0"));
    // A name inside the book that names nothing is an error at its key too.
    let dir = book_of(&[("book.json", "{\"structure\": {\"summary\": \"toc.md\"}}")]);
    let found = errors(&folio_core::open(dir.path()).unwrap());
    assert!(
        found
            .iter()
            .any(|e| e.contains("book.json:1:16") && e.contains("toc.md")),
        "{found:#?}"
    );
}

#[test]
fn a_language_outside_the_book_is_an_error_and_nothing_is_written() {
    let dir = book_of(&[
        (
            "LANGS.md",
            "* [English](en/)\n* [Elsewhere](../../tmp/)\n* [Root](/etc/)\n",
        ),
        ("en/SUMMARY.md", "* [Hi](hi.md)\n"),
        ("en/hi.md", "# Hi\n"),
    ]);
    let book = folio_core::open(dir.path()).unwrap();
    let found = errors(&book);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(
        found[0].starts_with("Error LANGS.md:2:3 language `../../tmp/`"),
        "{found:#?}"
    );
    assert!(
        found[1].starts_with("Error LANGS.md:3:3 language `/etc/`"),
        "{found:#?}"
    );
    assert_eq!(book.languages.len(), 1);
    let out = common::temp_out("gitbook-lang-outside");
    let (code, stderr, _) = build(dir.path(), &out);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        std::fs::read_dir(&out).unwrap().count(),
        0,
        "nothing written"
    );
}

#[test]
fn a_template_that_never_ends_is_an_error_at_its_line_fast() {
    let dir = book_of(&[
        ("book.json", "{}"),
        ("SUMMARY.md", "* [Bomb](bomb.md)\n* [Typo](typo.md)\n"),
        (
            "bomb.md",
            "# Bomb\n\n{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}\n",
        ),
        (
            "typo.md",
            "# Typo\n\nSome text.\n\n{{ book.title | nosuchfilter }}\n",
        ),
    ]);
    let out = common::temp_out("gitbook-bomb");
    let (code, stderr, took) = build(dir.path(), &out);
    assert_eq!(code, 1, "{stderr}");
    assert!(took < Duration::from_secs(60), "took {took:?}");
    assert!(stderr.contains("runs too long"), "{stderr}");
    assert!(stderr.contains("bomb.md:3:"), "{stderr}");
    assert!(stderr.contains("typo.md:5:"), "{stderr}");
    assert!(stderr.contains("nosuchfilter"), "{stderr}");
}

#[test]
fn mdbook_books_are_not_templated() {
    let dir = book_of(&[
        ("book.toml", "[book]\ntitle = \"T\"\n"),
        ("src/SUMMARY.md", "* [A](a.md)\n"),
        ("src/a.md", "# A\n\n`{{ book.title }}` and {% raw %}\n"),
    ]);
    let book = folio_core::open(dir.path()).unwrap();
    let text = serde_json::to_string(&book.chapters).unwrap();
    assert!(
        text.contains("{{ book.title }}") && text.contains("{% raw %}"),
        "{text}"
    );
}
