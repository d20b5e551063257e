//! mdBook's include family: the fixture `mdbook-includes` read back in the
//! model, the HTML and the EPUB; and the books a directive can go wrong in
//! (missing file or anchor, range past the end, cycle, depth, a file
//! outside the include root, a pipe, `/dev/zero`, an include bomb), each an
//! error at the directive.

mod common;

use std::io::{Cursor, Read};
use std::path::Path;

use folio_core::model::{Block, Book};
use folio_core::{RenderContext, Severity};

/// The fixture copied into a fresh folder marked as a repository.
fn fixture_book() -> (tempfile::TempDir, Book) {
    let repo = tempfile::tempdir().unwrap();
    common::corpus::copy_tree(&common::fixture("mdbook-includes"), repo.path());
    std::fs::create_dir(repo.path().join(".git")).unwrap();
    let book = folio_core::open(&repo.path().join("book")).unwrap();
    (repo, book)
}

fn diagnostics(book: &Book) -> Vec<String> {
    common::diagnostic_lines(book)
}

fn code_blocks(book: &Book, file: &str) -> Vec<String> {
    let chapter = book.chapters.iter().find(|c| c.file == file).unwrap();
    chapter
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::CodeBlock { code, language, .. } => {
                assert_eq!(language.as_deref(), Some("rust"));
                Some(code.clone())
            }
            _ => None,
        })
        .collect()
}

const GREET: &str = "fn greet(name: &str) -> String {\n    format!(\"Hello, {name}!\")\n}\n";
const MAIN: &str = "fn main() {\n    println!(\"{}\", greet(\"world\"));\n}\n";

#[test]
fn every_directive_form_expands_as_mdbook_does() {
    let (_repo, book) = fixture_book();
    let whole = format!("// A greeting, shown piece by piece.\n\n{GREET}\n{MAIN}");
    // rustdoc_include keeps the lines outside the anchor as hidden `# `
    // lines, which no edition prints: the anchor's lines alone remain.
    let hidden = "    format!(\"Hello, {name}!\")\n";
    assert_eq!(
        code_blocks(&book, "code.md"),
        [
            whole.as_str(),
            "fn main() {\n",
            GREET,
            "// A greeting, shown piece by piece.\n",
            MAIN,
            GREET,
            hidden,
            whole.as_str(),
        ]
    );
    let text = serde_json::to_string(&book.chapters).unwrap();
    assert!(!text.contains("ANCHOR"), "a marker line is left");
    // Inline code too, as mdBook expands anywhere.
    assert!(
        text.contains(r#""type":"code","code":"fn main() {""#),
        "{text}"
    );
    // The repository's README, outside the book; the escaped directive as text; no title left.
    let intro = serde_json::to_string(&book.chapters[0]).unwrap();
    assert!(intro.contains("Shared introduction"), "{intro}");
    assert!(intro.contains("Written as is: {{#include not-a-file.md}}."));
    assert!(!intro.contains("#title") && !intro.contains("Welcome"));
    // Nested includes, relative to each file; neither is "not listed".
    let nested = serde_json::to_string(&book.chapters[2]).unwrap();
    assert!(nested.contains("An included paragraph.") && nested.contains("A deeper paragraph"));
    assert_eq!(
        diagnostics(&book),
        [
            "Warning src/partials/deeper.md:3:16 broken link: `no-such-chapter.md` is neither a chapter nor a file of the book"
        ]
    );
    folio_core::fuzzing::check_spans(&book);
    folio_core::fuzzing::check_diagnostic_spans(&book, &book.diagnostics);
}

#[test]
fn a_diagnostic_in_included_text_names_each_directive_on_the_way() {
    let (_repo, book) = fixture_book();
    let rendered = folio_core::diagnostics::render(&book.diagnostics, &book.sources, false);
    for expected in [
        "src/partials/deeper.md:3:16",
        "with a link to [a page that is not there](no-such-chapter.md).",
        "{{#include deeper.md}}",
        "included from src/partials/part.md:3:1",
        "included from src/nested.md:3:1",
    ] {
        assert!(rendered.contains(expected), "{expected} in\n{rendered}");
    }
    let json = serde_json::to_value(&book.sources).unwrap();
    let deeper = json
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["path"] == "src/partials/deeper.md")
        .unwrap();
    assert_eq!(deeper["included_from"]["line"], 3);
}

#[test]
fn the_html_and_the_epub_show_the_included_text() {
    let (_repo, book) = fixture_book();
    let ctx = RenderContext { timestamp: 0 };
    let html: String = folio_html::render(&book, &ctx)
        .unwrap()
        .files
        .iter()
        .filter(|f| f.path.ends_with(".html") && f.path != "print.html")
        .map(|f| String::from_utf8_lossy(&f.bytes).into_owned())
        .collect();
    let epub = folio_epub::render(&book, &ctx).unwrap();
    let bytes = &epub.files[0].bytes;
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut xhtml = String::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        if entry.name().unwrap().ends_with(".xhtml") {
            entry.read_to_string(&mut xhtml).unwrap();
        }
    }
    for (edition, text) in [("html", &html), ("epub", &xhtml)] {
        let text = without_tags(text);
        for expected in [
            "Shared introduction",
            "fn greet(name: &amp;str)",
            "A deeper paragraph",
            "{{#include not-a-file.md}}",
        ] {
            assert!(text.contains(expected), "{edition}: no {expected:?}");
        }
        assert!(!text.contains("ANCHOR"), "{edition}: a marker line is left");
        assert!(
            !text.contains("{{#include ../"),
            "{edition}: a directive is left"
        );
        assert!(
            !text.contains("{{#title"),
            "{edition}: the title directive is left"
        );
    }
}

/// The text of markup, as highlighting splits code into elements.
fn without_tags(markup: &str) -> String {
    markup
        .split('<')
        .map(|piece| piece.split_once('>').map_or(piece, |(_, text)| text))
        .collect()
}

/// A repository (`.git` marked) holding `book/` (an mdBook book whose one
/// chapter is `chapter.md`) and `files` (paths relative to the repository).
fn repo_with(chapter: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
    let repo = tempfile::tempdir().unwrap();
    std::fs::create_dir(repo.path().join(".git")).unwrap();
    write(repo.path(), "book/book.toml", "[book]\ntitle = \"T\"\n");
    write(
        repo.path(),
        "book/src/SUMMARY.md",
        "# Summary\n\n- [C](chapter.md)\n",
    );
    write(repo.path(), "book/src/chapter.md", chapter);
    for (path, text) in files {
        write(repo.path(), path, text);
    }
    repo
}

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn errors_of(repo: &tempfile::TempDir) -> Vec<String> {
    let book = folio_core::open(&repo.path().join("book")).unwrap();
    folio_core::fuzzing::check_spans(&book);
    folio_core::fuzzing::check_diagnostic_spans(&book, &book.diagnostics);
    book.diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| {
            format!(
                "{} {} | {}",
                d.location(&book.sources),
                d.message,
                d.hint.as_deref().unwrap_or("")
            )
        })
        .collect()
}

fn one_error(repo: &tempfile::TempDir, location: &str, message: &str) -> String {
    let errors = errors_of(repo);
    assert!(
        errors.len() == 1 && errors[0].starts_with(location) && errors[0].contains(message),
        "expected one error at {location}: {message}, got {errors:#?}"
    );
    errors[0].clone()
}

#[test]
fn a_missing_file_anchor_or_line_is_an_error_at_the_directive() {
    let rs = (
        "examples/a.rs",
        "// ANCHOR: one\nlet x = 1;\n// ANCHOR_END: one\n",
    );
    let repo = repo_with("# C\n\n{{#include ../../examples/a.rs:two}}\n", &[rs]);
    one_error(&repo, "src/chapter.md:3:1", "no line holds `ANCHOR: two`");
    let repo = repo_with("# C\n\nsee {{#include ../../examples/a.rs:4:9}}\n", &[rs]);
    one_error(
        &repo,
        "src/chapter.md:3:5",
        "lines 4–9 are not in the file, which has 3 lines",
    );
    let repo = repo_with("# C\n\n```\n{{#include ../../examples/b.rs}}\n```\n", &[rs]);
    one_error(
        &repo,
        "src/chapter.md:4:1",
        "included file `../../examples/b.rs` not found",
    );
}

#[test]
fn cycles_and_depth_are_errors_where_they_close() {
    let repo = repo_with(
        "# C\n\n{{#include a.md}}\n",
        &[
            ("book/src/a.md", "A\n\n{{#include b.md}}\n"),
            ("book/src/b.md", "B {{#include a.md}}\n"),
        ],
    );
    one_error(
        &repo,
        "src/b.md:1:3",
        "include cycle: src/chapter.md → src/a.md → src/b.md → src/a.md",
    );
    let repo = repo_with("# C\n\n{{#include chapter.md}}\n", &[]);
    one_error(&repo, "src/chapter.md:3:1", "include cycle");
    // A chain 12 deep stops at mdBook's 10.
    let files: Vec<(String, String)> = (0..12)
        .map(|i| {
            (
                format!("book/src/d{i}.md"),
                format!("{i} {{{{#include d{}.md}}}}\n", i + 1),
            )
        })
        .collect();
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let repo = repo_with("# C\n\n{{#include d0.md}}\n", &files);
    one_error(
        &repo,
        "src/d9.md:1:3",
        "includes nest more than 10 deep here",
    );
}

#[test]
fn includes_read_inside_the_repository_only_unless_widened() {
    // No `.git` above the book: the book folder is the limit.
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "shared.md", "Shared text.\n");
    write(outside.path(), "book/book.toml", "[book]\ntitle = \"T\"\n");
    write(
        outside.path(),
        "book/src/SUMMARY.md",
        "# Summary\n\n- [C](chapter.md)\n",
    );
    write(
        outside.path(),
        "book/src/chapter.md",
        "# C\n\n{{#include ../../shared.md}}\n",
    );
    let book = outside.path().join("book");
    let error = {
        let b = folio_core::open(&book).unwrap();
        let d = &b.diagnostics[0];
        (
            d.location(&b.sources),
            d.message.clone(),
            d.hint.clone().unwrap(),
        )
    };
    assert_eq!(error.0, "src/chapter.md:3:1");
    assert_eq!(
        error.1,
        "included file `../../shared.md` lies outside the book"
    );
    assert!(
        error.2.contains("`[build] include-root` in folio.toml"),
        "{}",
        error.2
    );
    write(
        outside.path(),
        "book/folio.toml",
        "[build]\ninclude-root = \"..\"\n",
    );
    let widened = folio_core::open(&book).unwrap();
    assert!(
        widened.diagnostics.is_empty(),
        "{:?}",
        diagnostics(&widened)
    );
    assert!(
        serde_json::to_string(&widened.chapters)
            .unwrap()
            .contains("Shared text.")
    );
    write(
        outside.path(),
        "book/folio.toml",
        "[build]\ninclude-root = \"src\"\n",
    );
    let wrong = folio_core::open(&book).unwrap();
    assert!(
        diagnostics(&wrong).iter().any(|d| d.starts_with(
            "Error folio.toml:2:16 [build] include-root = \"src\" does not hold the book folder"
        )),
        "{:?}",
        diagnostics(&wrong)
    );
}

#[cfg(unix)]
#[test]
fn pipes_and_devices_are_refused_by_the_gate() {
    let repo = repo_with("# C\n\n{{#include zero.md}}\n\n{{#include pipe.md}}\n", &[]);
    let src = repo.path().join("book/src");
    std::os::unix::fs::symlink("/dev/zero", src.join("zero.md")).unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(src.join("pipe.md"))
        .status()
        .expect("mkfifo");
    assert!(status.success());
    let errors = errors_of(&repo);
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(
        errors[0].starts_with("src/chapter.md:3:1 included file `zero.md` lies outside the book")
    );
    assert!(
        errors[1]
            .starts_with("src/chapter.md:5:1 included file `pipe.md` is a named pipe, not a file")
    );
}

#[test]
fn an_include_bomb_is_bounded() {
    // Twenty inclusions per file at every depth: 20^9 if nothing stopped it.
    let line = "{{#include next.md}} ".repeat(20);
    let files: Vec<(String, String)> = (0..10)
        .map(|i| {
            let text = line.replace("next", &format!("b{}", i + 1));
            (format!("book/src/b{i}.md"), text)
        })
        .collect();
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let repo = repo_with("# C\n\n{{#include b0.md}}\n", &files);
    one_error(&repo, "src/chapter.md:3:1", "more than 2048 inclusions");
    // A large file, included many times over.
    let big = "x".repeat(1 << 20);
    let twenty = "{{#include big.md}}\n".repeat(20);
    let repo = repo_with(
        &"{{#include twenty.md}}\n".repeat(20),
        &[("book/src/big.md", &big), ("book/src/twenty.md", &twenty)],
    );
    let errors = errors_of(&repo);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("MiB"), "{errors:?}");
}
