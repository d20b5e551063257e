//! Rebuilds after edits (`folio::Session`): after each edit of a list, the
//! session's editions equal a full build's byte for byte, with the same
//! diagnostics, and only the edited sources were parsed again.

mod common;

use std::path::Path;

use folio::{Edition, RenderContext, Session};
use folio_core::Output;

const CTX: RenderContext = RenderContext {
    timestamp: 1_700_000_000,
};

const EDITIONS: [Edition; 3] = [Edition::Html, Edition::Epub, Edition::Pdf];

/// One edit: the file (relative to the book), the text replaced, its replacement.
struct Edit {
    what: &'static str,
    file: &'static str,
    from: &'static str,
    to: &'static str,
    /// Sources parsed again: `None` when the edit changes the structure.
    parsed: Option<usize>,
    /// Whether the edited chapter is the only one rendered again.
    alone: bool,
    /// Whether the edited chapter is the only one resolved again (the edit
    /// stays inside it: it gives the book what it gave).
    resolved_alone: bool,
}

fn apply(book: &Path, edit: &Edit) {
    let path = book.join(edit.file);
    let text = std::fs::read_to_string(&path).expect("the file to edit");
    assert!(
        text.contains(edit.from),
        "{}: {} holds no {:?}",
        edit.what,
        edit.file,
        edit.from
    );
    std::fs::write(&path, text.replacen(edit.from, edit.to, 1)).expect("edited");
}

/// The diagnostics as printed, sorted: the order of a backend's own
/// diagnostics is its own business.
fn said(book: &folio_core::Book, outputs: &[Output]) -> Vec<String> {
    let mut lines = common::diagnostic_lines(book);
    for output in outputs {
        lines.extend(output.diagnostics.iter().map(|d| format!("{d:?}")));
    }
    lines
}

/// Every edition of the book at `path` built from scratch, in a fresh model.
fn full_build(path: &Path) -> (folio_core::Book, Vec<Output>) {
    let book = folio_core::open(path).expect("opens");
    let jobs: Vec<_> = EDITIONS.iter().map(|e| (&book, *e)).collect();
    let outputs = folio::render_all(&jobs, &CTX)
        .into_iter()
        .map(|output| output.expect("full build renders"))
        .collect();
    (book, outputs)
}

fn session_build(session: &mut Session) -> Vec<Output> {
    session
        .render(&EDITIONS, &CTX)
        .into_iter()
        .map(|(edition, output)| output.unwrap_or_else(|e| panic!("{edition:?}: {e}")))
        .collect()
}

fn assert_same(what: &str, session: &Session, rebuilt: &[Output], path: &Path) {
    let (book, full) = full_build(path);
    for (edition, (rebuilt, full)) in EDITIONS.iter().zip(rebuilt.iter().zip(&full)) {
        let paths = |output: &Output| -> Vec<String> {
            output.files.iter().map(|f| f.path.clone()).collect()
        };
        assert_eq!(paths(rebuilt), paths(full), "{what}: {edition:?} files");
        for (a, b) in rebuilt.files.iter().zip(&full.files) {
            assert!(
                a.bytes == b.bytes,
                "{what}: {edition:?} {} differs from a full build",
                a.path
            );
        }
    }
    assert_eq!(
        said(session.book(), rebuilt),
        said(&book, &full),
        "{what}: diagnostics"
    );
    // The model itself, as `folio inspect --json` prints it, and every
    // diagnostic with its hint: a chapter resolved alone is what the whole
    // book's resolve makes of it.
    assert_eq!(
        session.book().diagnostics,
        book.diagnostics,
        "{what}: diagnostics, hints and order"
    );
    let json = |book: &folio_core::Book| serde_json::to_string(book).expect("the model as JSON");
    assert!(
        json(session.book()) == json(&book),
        "{what}: the model differs from a full build's"
    );
}

fn check_edits(fixture: &str, book_in_fixture: &str, edits: &[Edit]) {
    let dir = common::temp_out(&format!("incremental-{fixture}"));
    common::corpus::copy_tree(&common::fixture(fixture), &dir);
    let book = dir.join(book_in_fixture);
    let mut session = Session::open(&book).expect("opens");
    let first = session_build(&mut session);
    assert_same("first build", &session, &first, &book);
    for edit in edits {
        apply(&book, edit);
        let reload = session.reload().expect("reloads");
        if let Some(parsed) = edit.parsed {
            assert_eq!(
                reload.sources.parsed, parsed,
                "{}: sources parsed",
                edit.what
            );
            assert!(reload.sources.reused > 0, "{}: nothing reused", edit.what);
        }
        let resolved = if edit.resolved_alone {
            1
        } else {
            reload.chapters
        };
        assert_eq!(
            reload.resolved_chapters, resolved,
            "{}: chapters resolved again",
            edit.what
        );
        if edit.alone {
            assert_eq!(
                reload.unchanged_chapters,
                reload.chapters - 1,
                "{}: chapters unchanged",
                edit.what
            );
        }
        let rebuilt = session_build(&mut session);
        assert_same(edit.what, &session, &rebuilt, &book);
    }
}

#[test]
fn a_gitbook_book_rebuilt_after_each_edit_equals_a_full_build() {
    check_edits(
        "white-paper",
        "",
        &[
            Edit {
                what: "a word",
                file: "2-constituants/1-code_source.md",
                from: "nécessaire",
                to: "indispensable",
                parsed: Some(1),
                alone: true,
                resolved_alone: true,
            },
            Edit {
                what: "a heading",
                file: "1-enjeux/1-definitions.md",
                from: "### Logiciel libre et commun",
                to: "### Logiciel libre, logiciel commun",
                parsed: Some(1),
                alone: true,
                resolved_alone: false,
            },
            Edit {
                what: "a heading others link to",
                file: "glossaire.md",
                from: "## Licence libre",
                to: "## Licence ouverte",
                parsed: Some(1),
                alone: false,
                resolved_alone: false,
            },
            Edit {
                what: "a note added before others",
                file: "2-constituants/1-code_source.md",
                from: "jamais suffisante,",
                to: "jamais suffisante[^avant],\n\n[^avant]: Une note de plus.\n\n",
                parsed: Some(1),
                alone: false,
                resolved_alone: false,
            },
            Edit {
                what: "a word in a note",
                file: "2-constituants/1-code_source.md",
                from: "dès le premier marché",
                to: "dès la première commande",
                parsed: Some(1),
                alone: true,
                resolved_alone: true,
            },
            Edit {
                what: "a link led to another chapter",
                file: "2-constituants/1-code_source.md",
                from: "(../3-agir/3-feuille_de_route.md)",
                to: "(../1-enjeux/1-definitions.md)",
                parsed: Some(1),
                alone: true,
                resolved_alone: true,
            },
            Edit {
                what: "a link broken",
                file: "2-constituants/1-code_source.md",
                from: "(../1-enjeux/1-definitions.md)",
                to: "(../3-agir/nulle-part.md)",
                parsed: Some(1),
                alone: true,
                resolved_alone: false,
            },
            Edit {
                what: "a citation added",
                file: "1-enjeux/1-definitions.md",
                from: "[Ostrom, 1990, p. 90]",
                to: "[Ostrom, 1990, p. 90; Broca, 2013]",
                parsed: Some(1),
                alone: false,
                resolved_alone: false,
            },
            Edit {
                what: "an image shown",
                file: "1-enjeux/1-definitions.md",
                from: "### Exemples\n",
                to: "### Exemples\n\n![Le logo](/assets/logo.png)\n",
                parsed: Some(1),
                alone: false,
                resolved_alone: false,
            },
            Edit {
                what: "a chapter's title in SUMMARY",
                file: "SUMMARY.md",
                from: "[Le code source]",
                to: "[Le code publié]",
                parsed: None,
                alone: false,
                resolved_alone: false,
            },
            Edit {
                what: "a word, after the book was resolved whole",
                file: "2-constituants/1-code_source.md",
                from: "indispensable",
                to: "nécessaire",
                parsed: Some(1),
                alone: true,
                resolved_alone: true,
            },
        ],
    );
}

#[test]
fn an_mdbook_book_rebuilt_after_an_included_file_changes_equals_a_full_build() {
    check_edits(
        "mdbook-includes",
        "book",
        &[
            Edit {
                what: "an included file",
                file: "../examples/hello.rs",
                from: "fn main",
                to: "fn main_again",
                parsed: Some(1),
                alone: true,
                resolved_alone: false,
            },
            Edit {
                what: "a chapter's text",
                file: "src/intro.md",
                from: "Written as is",
                to: "Written as it is",
                parsed: Some(1),
                alone: true,
                resolved_alone: false,
            },
            Edit {
                what: "a page title (not in the parsed text)",
                file: "src/intro.md",
                from: "{{#title Welcome to the pieces}}",
                to: "{{#title Welcome to all the pieces}}",
                parsed: Some(0),
                alone: false,
                resolved_alone: false,
            },
        ],
    );
}

#[test]
fn a_reload_with_nothing_changed_parses_nothing_and_renders_the_same() {
    let mut session = Session::open(common::fixture("white-paper")).expect("opens");
    let first = session_build(&mut session);
    let reload = session.reload().expect("reloads");
    assert_eq!(reload.sources.parsed, 0);
    assert_eq!(reload.unchanged_chapters, reload.chapters);
    let again = session_build(&mut session);
    for (a, b) in first.iter().zip(&again) {
        assert_eq!(a.files, b.files);
    }
}

/// Editions rendered at different rates than the book is reloaded: each
/// one's output still equals a full build's (every reload narrows what
/// each edition may reuse, whether it rendered since or not).
#[test]
fn editions_rendered_now_and_then_still_equal_a_full_build() {
    let dir = common::temp_out("incremental-cadence");
    common::corpus::copy_tree(&common::fixture("white-paper"), &dir);
    let edit_in = |file: &str, from: &str, to: &str| {
        let chapter = dir.join(file);
        let text = std::fs::read_to_string(&chapter).expect("chapter");
        assert!(text.contains(from), "{from:?}");
        std::fs::write(&chapter, text.replacen(from, to, 1)).expect("edited");
    };
    let edit = |from: &str, to: &str| edit_in("2-constituants/1-code_source.md", from, to);
    let mut session = Session::open(&dir).expect("opens");
    let rendered = |session: &mut Session, editions: &[Edition]| -> Vec<Output> {
        session
            .render(editions, &CTX)
            .into_iter()
            .map(|(edition, output)| output.unwrap_or_else(|e| panic!("{edition:?}: {e}")))
            .collect()
    };
    let full = |edition: Edition| {
        let book = folio_core::open(&dir).expect("opens");
        folio::render(&book, edition, &CTX).expect("renders")
    };
    let same = |what: &str, outputs: Vec<Output>, editions: &[Edition]| {
        for (output, edition) in outputs.iter().zip(editions) {
            assert_eq!(output.files, full(*edition).files, "{what}: {edition:?}");
        }
    };
    let html = [Edition::Html];
    let epub = [Edition::Epub];
    let both = [Edition::Html, Edition::Epub];
    same("HTML first", rendered(&mut session, &html), &html);
    edit("nécessaire", "indispensable");
    session.reload().expect("reloads");
    edit("jamais suffisante", "jamais assez");
    session.reload().expect("reloads");
    same(
        "two reloads, then both",
        rendered(&mut session, &both),
        &both,
    );
    edit("indispensable", "nécessaire");
    session.reload().expect("reloads");
    same("the EPUB alone", rendered(&mut session, &epub), &epub);
    // Another chapter: the first is as the last reload saw it, not as the
    // HTML last rendered it.
    edit_in(
        "1-enjeux/1-definitions.md",
        "très différents",
        "fort différents",
    );
    session.reload().expect("reloads");
    same(
        "the HTML, two reloads later",
        rendered(&mut session, &html),
        &html,
    );
}

/// What a hostile author, or an editor caught half-way through a save,
/// leaves between two builds: whichever way the session resolves it, the
/// rebuild is the full build's, errors included.
#[test]
fn hostile_edits_rebuild_as_a_full_build_does() {
    let dir = common::temp_out("incremental-hostile");
    common::corpus::copy_tree(&common::fixture("white-paper"), &dir);
    let chapter = dir.join("2-constituants/1-code_source.md");
    let original = std::fs::read_to_string(&chapter).expect("the chapter");
    let write = |text: &[u8]| {
        let _ = std::fs::remove_file(&chapter);
        std::fs::write(&chapter, text).expect("written");
    };
    let mut session = Session::open(&dir).expect("opens");
    let first = session_build(&mut session);
    assert_same("first build", &session, &first, &dir);
    let deep = format!("{} trop profond\n", "> ".repeat(2_000));
    let nul = original.replacen("nécessaire", "néces\u{0}saire", 1);
    let edits: [(&str, &dyn Fn()); 7] = [
        ("bytes that are not UTF-8", &|| {
            write(b"# Le code source\n\n\xff\xfe illisible\n")
        }),
        ("the chapter emptied", &|| write(b"")),
        ("two thousand nested quotes", &|| write(deep.as_bytes())),
        ("a NUL character", &|| write(nul.as_bytes())),
        ("the chapter deleted", &|| {
            std::fs::remove_file(&chapter).expect("deleted")
        }),
        ("the chapter a link out of the book", &|| {
            std::os::unix::fs::symlink("/etc/passwd", &chapter).expect("linked")
        }),
        ("the chapter back", &|| write(original.as_bytes())),
    ];
    for (what, edit) in edits {
        edit();
        session.reload().expect("reloads");
        let rebuilt = session_build(&mut session);
        assert_same(what, &session, &rebuilt, &dir);
    }
}
