//! The corpus test: the eight real books of `../shared/corpus/` (see its README), built by the
//! real CLI into all three editions, each as its author has it.
//!
//! For every book (one `#[test]` each, so they run in parallel and a failure names the book):
//! - its folder is copied to `target/test-out/corpus-<book>-<pid>/book` and `git init`-ed
//!   there, and `folio build ROOT --out OUT` runs with `SOURCE_DATE_EPOCH` under a time limit
//!   ([`TIME_LIMIT`]): a hang, a panic or a death by signal fails the test at once;
//! - when that build fails, a second one without the PDF (`--to html --to epub`) checks the
//!   two other editions, so that a PDF that cannot be made does not hide their state;
//! - every edition written with exit 0 is validated: EPUBCheck (errors and warnings), the Nu
//!   Html Checker (errors) on the site, lopdf and `qpdf --check` on the PDF, whose PDF/A-2b and
//!   PDF/UA-1 claims are read back (folio drops a claim the book keeps it from meeting);
//! - nothing may be written outside OUT: the copy of the book is unchanged (hashed before and
//!   after) and OUT holds the editions and nothing else;
//! - one line per book is written to the test's standard error, uncaptured, so CI's log shows
//!   the state of the corpus at a glance: `corpus: <book> …`.
//!
//! # What each book gives today, and how to update it
//!
//! Each book has an [`Expected`] (below the tests): the exit code of the full build, every
//! **error** folio prints for it (in either build), every **finding** of the validators in the
//! editions written, and the count of mdBook directives left as text in its EPUB. Each error or
//! finding is a [`Known`]: a fragment of the message, its place, and why it is there — "in the
//! source" when the book really holds the fault, otherwise the issue that will remove it. The
//! test fails
//! - when something appears that is not listed: a regression, or a new fact to explain — the
//!   failure message prints each one as a `Known { … }` line to paste once you know the reason;
//! - when a listed entry no longer appears, or the count of directives changed: you fixed it,
//!   so delete its line (or lower the count). The lists only shrink; the day a book builds
//!   cleanly, its lists are empty and its exit code is 0.
//!
//! Places: an error's `at` is the `file:line` of the book's source folio points at (empty when
//! folio gives none); a finding's `at` is the output file (`EPUB/….xhtml`, `html/….html`, or
//! empty), without a line, since a line of the output moves whenever folio's writing changes:
//! one entry covers every finding of that message in that file. A finding's message starts
//! with its tool and, for EPUBCheck, the message id: `epubcheck: RSC-012 Fragment…`. EPUBCheck
//! lists at most 25 places per message and counts the others: `epubcheck: RSC-012 (31 more
//! places): …`, at no place. Warnings of folio are counted in the summary line but not listed:
//! the books have hundreds (links into sibling books, missing alt texts…), and they do not stop
//! an edition.
//!
//! EPUBCheck's warnings are listed like its errors: each of them is a fault of the EPUB that an
//! e-reader may show. The Nu Html Checker's warnings (obsolete markup the author wrote) are
//! only counted. Ace is not run here: it took 40 s for async-book and 130–180 s for
//! typescript-deep-dive and rust-reference on this 2-core machine, more than the rest of the
//! test together. Outside CI, set `FOLIO_CORPUS` to use a corpus elsewhere (a git worktree has
//! none beside it), and look in `target/test-out/corpus-<book>-<pid>/` for the book's copy, the
//! editions (`out-all/`, `out-html+epub/`) and the CLI's output (`build-*.stderr`).

mod common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::corpus::{self, Finished};

/// The biggest book's build takes 45–90 s in a debug build on two busy cores; a build still
/// running after five minutes has hung.
const TIME_LIMIT: Duration = Duration::from_secs(300);

/// What a book gives today.
struct Expected {
    /// The exit code of `folio build` for all three editions.
    exit: i32,
    /// Every error folio prints, in both builds.
    errors: &'static [Known],
    /// Every validator finding in the editions written with exit 0.
    findings: &'static [Known],
    /// mdBook directives (`{{#include …}}`) printed as text in the EPUB's pages (0 when no EPUB
    /// is written): issue 12 expands them.
    directives: usize,
}

/// An error or a finding expected today.
#[derive(Debug)]
struct Known {
    /// A fragment of its message.
    what: &'static str,
    /// Its place: `file:line` of the source for an error, the output file for a finding.
    at: &'static str,
    /// Why it is there, and what would remove it.
    why: &'static str,
}

/// An error or a finding as this run saw it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Seen {
    at: String,
    message: String,
}

impl Known {
    fn matches(&self, seen: &Seen) -> bool {
        seen.at == self.at && seen.message.contains(self.what)
    }
}

/// One `#[test]` per book, so that they run in parallel and a failure names the book.
macro_rules! book_tests {
    ($($test:ident: $folder:literal => $expected:ident,)*) => {$(
        #[test]
        fn $test() {
            check_book($folder, &$expected);
        }
    )*};
}

book_tests! {
    async_book: "async-book" => ASYNC_BOOK,
    edition_guide: "edition-guide" => EDITION_GUIDE,
    halo2_book: "halo2-book" => HALO2_BOOK,
    markdown_et_gitbook_fr: "markdown-et-gitbook-fr" => MARKDOWN_ET_GITBOOK_FR,
    rust_reference: "rust-reference" => RUST_REFERENCE,
    ten_quick_tips_live_coding: "ten-quick-tips-live-coding" => TEN_QUICK_TIPS_LIVE_CODING,
    tlborm: "tlborm" => TLBORM,
    typescript_deep_dive: "typescript-deep-dive" => TYPESCRIPT_DEEP_DIVE,
}

// ---- What each book gives today -------------------------------------------------------------
//
// The reasons, shared by several entries. "In the source": the book really holds that fault
// (mdBook, GitBook or pandoc would show it too); "issue N": what will remove it.

const NO_GLYPH: &str = "in the source: a character no font of the machine has (halo2's `⸭`, U+2E2D, with Noto CJK \
     and Noto Color Emoji installed as CI has them): warned at its file:line, the PDF written without the PDF/A \
     claim, which forbids an empty box";

#[rustfmt::skip]
const ASYNC_BOOK: Expected = Expected {
    exit: 0,
    errors: &[],
    findings: &[],
    directives: 0,
};

#[rustfmt::skip]
const EDITION_GUIDE: Expected = Expected { exit: 0, errors: &[], findings: &[], directives: 0 };

#[rustfmt::skip]
const HALO2_BOOK: Expected = Expected {
    exit: 0,
    errors: &[],
    findings: &[
        // Math: 3,833 formulas (3,587 inline, 255 display); 3,820 converted with the macros of
        // book/macros.txt, 13 refused and shown as code, each warned at its line (7 `\boxed`,
        // 3 `\hline` where math-core wants it after `\\`, 3 text-mode commands).
        // 🙂 (src/concepts/chips.md:87) and ⸭ (U+2E2D), in the text and in math.
        Known { what: "pdf: no PDF/A-2b claim", at: "the-halo2-book.pdf", why: NO_GLYPH },
        Known {
            what: "pdf: no PDF/UA-1 claim",
            at: "the-halo2-book.pdf",
            why: "in the source: five images without alt text (folio warns at each)",
        },
    ],
    directives: 0,
};

#[rustfmt::skip]
const MARKDOWN_ET_GITBOOK_FR: Expected = Expected {
    exit: 1,
    errors: &[
        Known {
            what: "image `../../img/markdown.svg` lies outside the book",
            at: "01-markdown/09-images.md:20",
            why: "in the source: one `../` too many (GitBook's web server clamped it at the root)",
        },
        Known {
            what: "image `../img/gitbook.svg` not found",
            at: "02-gitbook/01-gitbook.md:3",
            why: "missing on purpose: the GitBook logo is not under the free license (see its CORPUS.md)",
        },
        Known { what: "the book has 2 error(s); no edition was written", at: "", why: "the summary of the two above" },
    ],
    findings: &[],
    directives: 0,
};

#[rustfmt::skip]
const RUST_REFERENCE: Expected = Expected {
    exit: 0,
    errors: &[],
    findings: &[
    ],
    directives: 0,
};

#[rustfmt::skip]
const TEN_QUICK_TIPS_LIVE_CODING: Expected = Expected { exit: 0, errors: &[], findings: &[], directives: 0 };

#[rustfmt::skip]
const TLBORM: Expected = Expected {
    exit: 0,
    errors: &[],
    findings: &[
    ],
    directives: 0,
};

#[rustfmt::skip]
const TYPESCRIPT_DEEP_DIVE: Expected = Expected {
    exit: 0,
    errors: &[],
    findings: &[
    ],
    directives: 0,
};

// ---- The check -------------------------------------------------------------------------------

/// One build of the book: which editions, where, and what came of it.
struct Build {
    label: &'static str,
    out: PathBuf,
    finished: Finished,
    /// Its exit code (a build killed by a signal fails the test at once).
    exit: i32,
    /// The editions found in `out` afterwards.
    written: Vec<&'static str>,
}

fn check_book(name: &str, expected: &Expected) {
    let Some(corpus_dir) = corpus::corpus_dir() else {
        return;
    };
    let dir = common::temp_out(&format!("corpus-{name}"));
    let book = dir.join("book");
    corpus::copy_tree(&corpus_dir.join(name), &book);
    corpus::git_init(&book);
    let root = corpus::book_root(&book);
    let before = corpus::snapshot(&book);

    let mut problems = Vec::new();
    let mut builds = vec![build(name, &root, &dir, "all", &[], &mut problems)];
    if builds[0].exit != 0 {
        builds.push(build(
            name,
            &root,
            &dir,
            "html+epub",
            &["--to", "html", "--to", "epub"],
            &mut problems,
        ));
    }
    let changed = corpus::changed_paths(&before, &corpus::snapshot(&book));
    if !changed.is_empty() {
        problems.push(format!(
            "the build wrote into the book's folder: {changed:?}"
        ));
    }
    // The folder holds the book, and per build its output folder and its two logs.
    let ours = |name: &std::ffi::OsStr| {
        name == "book"
            || builds.iter().any(|build| {
                Some(name) == build.out.file_name()
                    || [".stdout", ".stderr"]
                        .iter()
                        .any(|log| *name == *format!("build-{}{log}", build.label))
            })
    };
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        if !ours(&entry.file_name()) {
            problems.push(format!(
                "the build wrote beside the book: {}",
                entry.path().display()
            ));
        }
    }
    let mut errors = Vec::new();
    let mut findings = Findings::default();
    for build in &builds {
        let printed = corpus::printed_diagnostics(&build.finished.stderr);
        errors.extend(
            printed
                .into_iter()
                .filter(|printed| printed.severity == "error")
                .map(|printed| Seen {
                    at: printed.at,
                    message: printed.message,
                }),
        );
        if build.exit == 0 {
            findings.validate(&build.out, &build.written);
        } else if !build.written.is_empty() {
            problems.push(format!(
                "the {} build failed but wrote {:?}",
                build.label, build.written
            ));
        }
    }
    // The build without the PDF repeats the errors of the book itself.
    errors.sort();
    errors.dedup();
    let warnings = corpus::printed_diagnostics(&builds[0].finished.stderr)
        .iter()
        .filter(|printed| printed.severity == "warning")
        .count();

    if builds[0].exit != expected.exit {
        problems.push(format!(
            "the build exits {}, {} expected",
            builds[0].exit, expected.exit
        ));
    }
    compare("error", &errors, expected.errors, &mut problems);
    compare("finding", &findings.seen, expected.findings, &mut problems);
    if findings.directives != expected.directives {
        problems.push(format!(
            "{} mdBook directives printed as text in the EPUB, {} expected",
            findings.directives, expected.directives
        ));
    }

    // The editions say the same thing: every link of the model is a link, or
    // its text alone, on the site and in the EPUB alike.
    if let Some(build) = builds.iter().find(|build| {
        build.exit == 0 && build.written.contains(&"html") && build.written.contains(&"epub")
    }) {
        agree(name, &root, &build.out);
    }

    summary(name, &builds, errors.len(), warnings, &findings);
    assert!(
        problems.is_empty(),
        "{name} (outputs in {}):\n{}",
        dir.display(),
        problems.join("\n")
    );
}

/// Checks the link rule on the site and the EPUB of the book at `root`, written in `out`.
fn agree(name: &str, root: &Path, out: &Path) {
    let book = folio_core::open(root).unwrap_or_else(|e| panic!("{name}: {e}"));
    let site = common::agreement::site_pages(&out.join("html"));
    let epub = std::fs::read_dir(out)
        .unwrap()
        .flatten()
        .map(|entry| entry.path())
        .find(|path| path.extension().is_some_and(|e| e == "epub"))
        .expect("the EPUB");
    let epub = common::agreement::epub_pages(&std::fs::read(epub).unwrap());
    common::agreement::check_links(name, &book, &site, &epub);
}

/// Runs `folio build ROOT --out DIR/out-LABEL EXTRA…` and fails the test at once on a hang, a
/// panic or a death by signal.
fn build(
    name: &str,
    root: &Path,
    dir: &Path,
    label: &'static str,
    extra: &[&str],
    problems: &mut Vec<String>,
) -> Build {
    let out = dir.join(format!("out-{label}"));
    let mut command = Command::new(env!("CARGO_BIN_EXE_folio"));
    command
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .arg("build")
        .arg(root)
        .arg("--out")
        .arg(&out)
        .args(extra);
    let Some(finished) =
        corpus::run_with_limit(&mut command, TIME_LIMIT, dir, &format!("build-{label}"))
    else {
        panic!("{name}: `folio build` ({label}) still running after {TIME_LIMIT:?}: killed");
    };
    assert!(
        !finished.panicked(),
        "{name}: `folio build` ({label}) panicked:\n{}",
        finished.stderr
    );
    let Some(exit) = finished.status.code() else {
        panic!(
            "{name}: `folio build` ({label}) killed by signal {:?}:\n{}",
            finished.signal(),
            finished.stderr
        );
    };
    let written = editions_written(&out, problems);
    Build {
        label,
        out,
        finished,
        exit,
        written,
    }
}

/// The editions in `out` (`html`, `epub`, `pdf`); anything else there is a problem (a
/// temporary file left behind, a file written beside the editions).
fn editions_written(out: &Path, problems: &mut Vec<String>) -> Vec<&'static str> {
    let mut written = Vec::new();
    let Ok(entries) = std::fs::read_dir(out) else {
        return written;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let edition = match path.extension().and_then(|extension| extension.to_str()) {
            Some("epub") if path.is_file() => "epub",
            Some("pdf") if path.is_file() => "pdf",
            _ if path.is_dir() && entry.file_name() == "html" => "html",
            _ => {
                problems.push(format!(
                    "unexpected file in the output folder: {}",
                    path.display()
                ));
                continue;
            }
        };
        written.push(edition);
    }
    written.sort_unstable();
    written
}

/// What the validators found in the editions of every build, and their counts for the summary.
#[derive(Default)]
struct Findings {
    seen: Vec<Seen>,
    /// One `tool: N error(s), M warning(s)` (or `pdf: N pages`) per edition validated.
    counts: Vec<String>,
    /// mdBook directives printed as text in the EPUB.
    directives: usize,
    /// The time the validators took, all editions together.
    seconds: f64,
}

impl Findings {
    fn validate(&mut self, out: &Path, written: &[&str]) {
        let start = Instant::now();
        for edition in written {
            match *edition {
                "epub" => {
                    let epub = only_file(out, "epub");
                    self.directives += directives_in(&epub);
                    if let Some(report) = common::epubcheck(&epub) {
                        self.add(out, &report, &report.warnings);
                    }
                    // Accessibility: every violation Ace reports is a finding.
                    if let Some(report) = common::ace(&epub) {
                        self.add(out, &report, &[]);
                    }
                }
                "html" => {
                    if let Some(report) = common::vnu(&[out.join("html")]) {
                        // The checker's warnings are counted, not listed: see the module's comment.
                        self.add(out, &report, &[]);
                    }
                }
                _ => self.check_pdf(out),
            }
        }
        self.seconds += start.elapsed().as_secs_f64();
    }

    /// Records a report's errors and the `warnings` that count as findings.
    fn add(&mut self, out: &Path, report: &common::ValidatorReport, warnings: &[String]) {
        self.counts.push(format!(
            "{} {} error(s) {} warning(s)",
            report.tool,
            report.errors.len(),
            report.warnings.len()
        ));
        for finding in report.errors.iter().chain(warnings) {
            self.seen.push(seen_finding(report.tool, out, finding));
        }
    }

    /// The PDF opens (lopdf), passes `qpdf --check`, and claims the standards folio aims at:
    /// PDF/A-2b and PDF/UA-1. folio drops a claim when the book keeps it from meeting the
    /// standard (and says why in a note): each missing claim is a finding.
    fn check_pdf(&mut self, out: &Path) {
        let pdf = only_file(out, "pdf");
        let at = pdf
            .file_name()
            .expect("a file name")
            .to_string_lossy()
            .into_owned();
        let bytes =
            std::fs::read(&pdf).unwrap_or_else(|e| panic!("cannot read {}: {e}", pdf.display()));
        // The claims sit in the XMP metadata, which typst writes uncompressed.
        let text = String::from_utf8_lossy(&bytes);
        let mut claimed = Vec::new();
        for (claim, standard) in [
            ("pdfaid:part>2<", "PDF/A-2b"),
            ("pdfuaid:part>1<", "PDF/UA-1"),
        ] {
            if text.contains(claim) {
                claimed.push(standard);
            } else {
                self.seen.push(Seen {
                    at: at.clone(),
                    message: format!("pdf: no {standard} claim"),
                });
            }
        }
        match lopdf::Document::load_mem(&bytes) {
            Ok(document) => self.counts.push(format!(
                "pdf {} pages claiming [{}]",
                document.get_pages().len(),
                claimed.join(" ")
            )),
            Err(error) => self.seen.push(Seen {
                at,
                message: format!("lopdf cannot load the PDF: {error}"),
            }),
        }
        if let Some(report) = common::qpdf_check(&pdf) {
            self.add(out, &report, &report.warnings);
        }
    }
}

/// How many mdBook directives (`{{#include …}}`, `{{#title …}}`…) the EPUB's pages print as text.
fn directives_in(epub: &Path) -> usize {
    let file =
        std::fs::File::open(epub).unwrap_or_else(|e| panic!("cannot open {}: {e}", epub.display()));
    let mut archive =
        zip::ZipArchive::new(file).unwrap_or_else(|e| panic!("{} is no zip: {e}", epub.display()));
    let pages: Vec<String> = archive
        .file_names_raw()
        .map(|name| String::from_utf8_lossy(name).into_owned())
        .filter(|name| name.ends_with(".xhtml"))
        .collect();
    let mut count = 0;
    for name in pages {
        let mut page = String::new();
        let mut entry = archive
            .by_name(&name)
            .unwrap_or_else(|e| panic!("{}: {name}: {e}", epub.display()));
        entry
            .read_to_string(&mut page)
            .unwrap_or_else(|e| panic!("{}: {name}: {e}", epub.display()));
        count += page.matches("{{#").count();
    }
    count
}

/// The file of `out` with that extension (an edition is one file).
fn only_file(out: &Path, extension: &str) -> PathBuf {
    std::fs::read_dir(out)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .find(|path| path.extension().is_some_and(|found| found == extension))
        .expect("the edition listed was found")
}

/// A validator's finding as `tool: message`, placed at the output file it names (relative to
/// `out`), without its line and column; at no place when it names none.
fn seen_finding(tool: &str, out: &Path, finding: &str) -> Seen {
    let finding = finding.replace(&format!("{}/", out.display()), "");
    match split_place(&finding) {
        Some((before, file, message)) => Seen {
            at: file.to_owned(),
            message: format!("{tool}: {before}{message}"),
        },
        None => Seen {
            at: String::new(),
            message: format!("{tool}: {finding}"),
        },
    }
}

/// Splits `… file:line:column: message` into what comes before the file (EPUBCheck's message
/// id), the file and the message.
fn split_place(finding: &str) -> Option<(&str, &str, &str)> {
    let is_number = |text: &str| !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit());
    for (index, _) in finding.match_indices(": ") {
        let place = &finding[..index];
        let mut parts = place.rsplitn(3, ':');
        let (Some(column), Some(line), Some(file)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        if is_number(column) && is_number(line) {
            let file_start = file.rfind(' ').map_or(0, |space| space + 1);
            return Some((
                &finding[..file_start],
                &file[file_start..],
                &finding[index + 2..],
            ));
        }
    }
    None
}

/// Adds to `problems` what was seen but not listed, and what was listed but not seen.
fn compare(kind: &str, seen: &[Seen], known: &[Known], problems: &mut Vec<String>) {
    for item in seen
        .iter()
        .filter(|item| !known.iter().any(|known| known.matches(item)))
    {
        problems.push(format!(
            "unlisted {kind}: list it once you know why:\n    Known {{ what: {:?}, at: {:?}, why: \"…\" }},",
            item.message, item.at
        ));
    }
    for item in known
        .iter()
        .filter(|known| !seen.iter().any(|item| known.matches(item)))
    {
        problems.push(format!(
            "listed {kind} no longer seen: delete its line: {:?} at {:?} ({})",
            item.what, item.at, item.why
        ));
    }
}

/// One line per book on the test's standard error, written past the harness's capture so that
/// CI's log shows it even when the test passes.
fn summary(name: &str, builds: &[Build], errors: usize, warnings: usize, findings: &Findings) {
    let runs: Vec<String> = builds
        .iter()
        .map(|build| {
            format!(
                "{} exit {} in {:.1} s wrote [{}]",
                build.label,
                build.exit,
                build.finished.seconds,
                build.written.join(" ")
            )
        })
        .collect();
    let line = format!(
        "corpus: {name}: {}; {errors} distinct error(s), {warnings} warning(s); {}\n",
        runs.join(", "),
        if findings.counts.is_empty() {
            "nothing validated".to_owned()
        } else {
            format!(
                "validated in {:.1} s: {}",
                findings.seconds,
                findings.counts.join(", ")
            )
        }
    );
    // Best effort: a summary that cannot be written must not fail the test.
    let _ = std::io::stderr().write_all(line.as_bytes());
}
