//! Hostile books: each row of issue 9's table, as a book under
//! `fixtures/hostile/` (see its README). Whatever a book holds, folio exits 1
//! with a diagnostic at the `file:line` that caused it, or exits 0 with valid
//! editions — never a panic, a hang, a read or a write outside the book and
//! output folders, or an edition silently lost.
//!
//! Each book is copied to a fresh folder first: some cases add what git cannot
//! hold (named pipes, symlinks out of the book, ten thousand nested quotes).

mod common;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use folio::Severity;

/// What a book outside the book folder holds: it must never show up in an edition.
const SECRET: &str = "SECRET-OUTSIDE-THE-BOOK";

/// How long one run may take before it counts as a hang.
const TIMEOUT: Duration = Duration::from_secs(180);

struct Case {
    name: &'static str,
    /// Prepares the copy: `(book, outside)`, a folder beside the book holding the secret.
    setup: fn(&Path, &Path),
    /// `folio build`'s exit code.
    exit: i32,
    /// Diagnostics that must be reported: severity, where (`file:line:col`),
    /// and how the message starts.
    expected: &'static [(Severity, &'static str, &'static str)],
}

fn nothing(_: &Path, _: &Path) {}

const CASES: &[Case] = &[
    Case {
        name: "multibyte-citation",
        setup: nothing,
        exit: 0,
        expected: &[],
    },
    Case {
        name: "book-json-root",
        setup: nothing,
        exit: 1,
        expected: &[
            (
                Severity::Error,
                "book.json:3:3",
                "book.json `root` = \"/\" lies outside the book",
            ),
            (
                Severity::Error,
                "SUMMARY.md:3:3",
                "chapter file `etc/passwd` not found",
            ),
        ],
    },
    Case {
        name: "css-symlink",
        setup: |book, outside| symlink(&outside.join("secret.css"), &book.join("leak.css")),
        exit: 1,
        expected: &[(
            Severity::Error,
            "folio.toml:2:26",
            "[html] css: stylesheet `leak.css` lies outside the book",
        )],
    },
    Case {
        name: "output-name",
        setup: nothing,
        exit: 1,
        expected: &[(
            Severity::Error,
            "folio.toml:5:8",
            "[build] name = \"/../../../tmp/x\": a file name cannot hold `/`",
        )],
    },
    Case {
        name: "control-characters",
        setup: nothing,
        exit: 0,
        expected: &[
            (
                Severity::Warning,
                "folio.toml:2:9",
                "folio.toml `book.title` holds the character U+0001",
            ),
            (
                Severity::Warning,
                "folio.toml:3:19",
                "folio.toml `book.authors[1]` holds the character U+0007",
            ),
            (
                Severity::Warning,
                "entites.md:3:1",
                "the text here holds the character U+0001",
            ),
            (
                Severity::Warning,
                "entites.md:5:25",
                "the text here holds the character U+0002",
            ),
            (
                Severity::Warning,
                "entites.md:7:1",
                "raw HTML here holds the character U+0004",
            ),
            (
                Severity::Warning,
                "entites.md:5:47",
                "a link's destination here holds the character U+0003",
            ),
        ],
    },
    Case {
        name: "fifo-files",
        setup: |book, _| {
            mkfifo(&book.join("tube.md"));
            mkfifo(&book.join("tube.png"));
            symlink(Path::new("/dev/zero"), &book.join("zero.png"));
        },
        exit: 1,
        expected: &[
            (
                Severity::Error,
                "SUMMARY.md:3:3",
                "chapter file `tube.md` is a named pipe, not a file",
            ),
            (
                Severity::Error,
                "image.md:3:1",
                "image `tube.png` is a named pipe, not a file",
            ),
            (
                Severity::Error,
                "image.md:5:1",
                "image `zero.png` lies outside the book",
            ),
        ],
    },
    Case {
        name: "deep-nesting",
        setup: |book, _| {
            let quotes = "> ".repeat(10_000);
            let list: String = (0..3_000)
                .map(|depth| format!("{}- niveau\n", "  ".repeat(depth)))
                .collect();
            let html = "<div>".repeat(10_000);
            let notes: String = (1..1_000)
                .map(|i| format!("[^{i}]: Voir[^{}].\n", i + 1))
                .collect();
            std::fs::write(book.join("profond.md"), format!("# Profond\n\n{quotes}citation\n\n{list}\n{html}\n\nNote[^1].\n\n{notes}[^1000]: Fin.\n")).unwrap();
        },
        exit: 0,
        expected: &[
            (
                Severity::Warning,
                "profond.md:3:",
                "more than 12 levels of nesting",
            ),
            (
                Severity::Warning,
                "profond.md:3021:12",
                "footnote `[^13]` would open a note nested more than 12 notes deep",
            ),
        ],
    },
    Case {
        name: "empty-image",
        setup: nothing,
        exit: 1,
        expected: &[
            (Severity::Error, "vides.md:3:1", "image without a source"),
            (
                Severity::Error,
                "vides.md:5:1",
                "image `./` is a folder, not a file",
            ),
        ],
    },
    Case {
        name: "print-chapter",
        setup: nothing,
        exit: 0,
        expected: &[],
    },
];

#[test]
fn hostile_books_get_a_diagnostic_or_valid_editions() {
    for case in CASES {
        let (dir, book) = prepare(case, "all");
        let loaded = folio::Book::load(&book).unwrap_or_else(|e| panic!("{}: {e}", case.name));
        for (severity, location, message) in case.expected {
            let found = loaded.diagnostics.iter().any(|d| {
                d.severity == *severity
                    && d.location(&loaded.sources).starts_with(location)
                    && d.message.starts_with(message)
            });
            let all: Vec<String> = loaded
                .diagnostics
                .iter()
                .map(|d| {
                    format!(
                        "{:?} {} {}",
                        d.severity,
                        d.location(&loaded.sources),
                        d.message
                    )
                })
                .collect();
            assert!(
                found,
                "{}: no {severity:?} at {location} starting {message:?} among\n{}",
                case.name,
                all.join("\n")
            );
        }
        let check_exit = if loaded.has_errors() { 1 } else { 0 };
        let checked = folio(&[&"check", &book], &[]);
        assert_eq!(
            checked.status.code(),
            Some(check_exit),
            "{}: folio check\n{}",
            case.name,
            stderr(&checked)
        );
        let out = dir.join("out");
        let built = folio(&[&"build", &"--out", &out, &book], &[]);
        assert_eq!(
            built.status.code(),
            Some(case.exit),
            "{}: folio build\n{}",
            case.name,
            stderr(&built)
        );
        if case.exit == 0 {
            assert_valid_editions(case.name, &out);
        } else {
            assert!(
                !out.exists() || std::fs::read_dir(&out).unwrap().next().is_none(),
                "{}: a failed build wrote something",
                case.name
            );
        }
        assert_nothing_written_beside(case.name, &dir);
        assert_no_secret(case.name, &out);
    }
}

/// A chapter `print.md` keeps `print.html`; the whole-book page takes another name.
#[test]
fn a_chapter_named_like_a_generated_page_keeps_its_name() {
    let case = CASES.iter().find(|c| c.name == "print-chapter").unwrap();
    let (dir, book) = prepare(case, "names");
    let out = dir.join("out");
    let built = folio(&[&"build", &"--to", &"html", &"--out", &out, &book], &[]);
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    let chapter = std::fs::read_to_string(out.join("html/print.html")).unwrap();
    assert!(
        chapter.contains("Comment imprimer ce livre."),
        "print.html is the chapter"
    );
    let whole = std::fs::read_to_string(out.join("html/print-2.html")).unwrap();
    assert!(
        whole.contains("Comment imprimer ce livre.") && whole.contains("Voir"),
        "print-2.html holds the whole book"
    );
    let index = std::fs::read_to_string(out.join("html/index.html")).unwrap();
    assert!(
        index.contains("href=\"print-2.html\""),
        "pages link to the whole-book page by its new name"
    );
    assert!(
        index.contains("href=\"print.html\""),
        "and to the chapter by its own"
    );
}

#[test]
fn an_unparsable_source_date_epoch_is_refused() {
    let case = CASES
        .iter()
        .find(|c| c.name == "multibyte-citation")
        .unwrap();
    let (dir, book) = prepare(case, "epoch");
    let out = dir.join("out");
    for value in ["abc", "", "1.5", "-1", "99999999999999"] {
        let built = folio(
            &[&"build", &"--to", &"html", &"--out", &out, &book],
            &[("SOURCE_DATE_EPOCH", value)],
        );
        assert_eq!(
            built.status.code(),
            Some(2),
            "SOURCE_DATE_EPOCH={value:?}\n{}",
            stderr(&built)
        );
        assert!(
            stderr(&built).contains("SOURCE_DATE_EPOCH"),
            "{}",
            stderr(&built)
        );
        assert!(!out.exists(), "nothing is built");
    }
}

/// When one edition cannot be written, every previous edition stays as it was
/// and no temporary file remains.
#[test]
fn a_build_that_cannot_write_one_edition_changes_nothing() {
    let case = CASES.iter().find(|c| c.name == "print-chapter").unwrap();
    let (dir, book) = prepare(case, "in-the-way");
    let out = dir.join("out");
    let first = folio(
        &[&"build", &"--to", &"html,epub", &"--out", &out, &book],
        &[],
    );
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let before = tree(&out);
    std::fs::create_dir(out.join("print-chapter.pdf")).unwrap();
    // Another build time: every edition would differ if it were written.
    let failed = folio(
        &[&"build", &"--out", &out, &book],
        &[("SOURCE_DATE_EPOCH", "1800000000")],
    );
    assert_eq!(failed.status.code(), Some(1), "{}", stderr(&failed));
    assert!(
        stderr(&failed).contains("print-chapter.pdf`: a folder of that name is in the way"),
        "{}",
        stderr(&failed)
    );
    std::fs::remove_dir(out.join("print-chapter.pdf")).unwrap();
    assert_eq!(
        tree(&out),
        before,
        "the previous editions are intact and nothing else is left"
    );
}

/// Copies fixture `case` to a fresh folder of test `test` and prepares it;
/// returns the folder and the book in it.
fn prepare(case: &Case, test: &str) -> (PathBuf, PathBuf) {
    let dir = common::temp_out(&format!("hostile-{test}-{}", case.name));
    let book = dir.join("book");
    copy_dir(&common::fixture(&format!("hostile/{}", case.name)), &book);
    let outside = dir.join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("secret.css"), format!("/* {SECRET} */")).unwrap();
    (case.setup)(&book, &outside);
    (dir, book)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn symlink(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// Runs the CLI with `args`, killed after [`TIMEOUT`]; a panic fails the test.
fn folio(args: &[&dyn AsRef<OsStr>], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_folio"));
    command
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .args(args.iter().map(|a| a.as_ref()));
    for (key, value) in env {
        command.env(key, value);
    }
    run(command)
}

fn run(mut command: Command) -> Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read both pipes meanwhile: a child blocked on a full pipe is no hang of folio's.
    let read = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            pipe.read_to_end(&mut bytes).unwrap();
            bytes
        })
    };
    let stdout = read(Box::new(child.stdout.take().unwrap()));
    let stderr_bytes = read(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            panic!("{command:?} hung for {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let output = Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr_bytes.join().unwrap(),
    };
    assert!(
        !stderr(&output).contains("panicked at") && output.status.code() != Some(101),
        "{command:?} panicked:\n{}",
        stderr(&output)
    );
    output
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn assert_valid_editions(name: &str, out: &Path) {
    let files: Vec<PathBuf> = std::fs::read_dir(out)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    let epub = files
        .iter()
        .find(|p| p.extension().is_some_and(|e| e == "epub"))
        .unwrap_or_else(|| panic!("{name}: no EPUB"));
    let pdf = files
        .iter()
        .find(|p| p.extension().is_some_and(|e| e == "pdf"))
        .unwrap_or_else(|| panic!("{name}: no PDF"));
    assert!(out.join("html").is_dir(), "{name}: no site");
    if let Some(report) = common::epubcheck(epub) {
        assert!(report.ok, "{name}: {report}");
    }
    if let Some(report) = common::vnu(&[out.join("html")]) {
        assert!(report.ok, "{name}: {report}");
    }
    if let Some(report) = common::qpdf_check(pdf) {
        assert!(report.ok, "{name}: {report}");
    }
    lopdf::Document::load(pdf).unwrap_or_else(|e| panic!("{name}: the PDF does not open: {e}"));
}

/// Folio wrote nothing in the test folder but `out/` (the book and the
/// outside folder are the test's own).
fn assert_nothing_written_beside(name: &str, dir: &Path) {
    let mut entries: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    entries.sort();
    entries.retain(|e| e != "out");
    assert_eq!(
        entries,
        ["book", "outside"],
        "{name}: something was written beside the output folder"
    );
    let leftovers: Vec<String> = tree(&dir.join("out"))
        .into_iter()
        .map(|(path, _)| path)
        .filter(|p| p.split('/').any(|part| part.starts_with('.')))
        .collect();
    assert!(
        leftovers.is_empty(),
        "{name}: temporary files left: {leftovers:?}"
    );
}

fn assert_no_secret(name: &str, out: &Path) {
    for (path, bytes) in tree(out) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains(SECRET),
            "{name}: {path} holds a file from outside the book"
        );
    }
}

/// Every file below `dir` (relative path, content), sorted.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(dir: &Path, prefix: &str, out: &mut Vec<(String, Vec<u8>)>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = format!("{prefix}{}", entry.file_name().to_string_lossy());
            if entry.file_type().unwrap().is_dir() {
                walk(&entry.path(), &format!("{path}/"), out);
            } else {
                out.push((path, std::fs::read(entry.path()).unwrap()));
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, "", &mut files);
    files.sort();
    files
}
