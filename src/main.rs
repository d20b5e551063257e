//! The `folio` command: a thin layer over the `folio` library.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use folio::{Book, BuildError, BuildOptions, Diagnostic, Edition, Severity};

/// Turn a Markdown book into its PDF, EPUB 3 and HTML editions.
#[derive(Parser)]
#[command(name = "folio", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the editions of a book.
    Build {
        /// The book: a folder with SUMMARY.md or book.toml, or a Markdown file.
        #[arg(default_value = ".")]
        book: PathBuf,
        /// Editions to build (default: folio.toml `[build] editions`, else all).
        #[arg(long, value_delimiter = ',', value_enum)]
        to: Option<Vec<EditionArg>>,
        /// Output folder (default: BOOK/dist).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Fail when the book has warnings.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Load and check a book, and report every problem.
    Check {
        #[arg(default_value = ".")]
        book: PathBuf,
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Print the resolved document model.
    Inspect {
        #[arg(default_value = ".")]
        book: PathBuf,
        /// As JSON (the only format for now; scripts can rely on it).
        #[arg(long, required = true)]
        json: bool,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum EditionArg {
    Html,
    Epub,
    Pdf,
}

impl From<EditionArg> for Edition {
    fn from(e: EditionArg) -> Self {
        match e {
            EditionArg::Html => Edition::Html,
            EditionArg::Epub => Edition::Epub,
            EditionArg::Pdf => Edition::Pdf,
        }
    }
}

/// Exit codes: 0 success, 1 the book has errors, 2 usage errors (clap's
/// own, no book, an invalid `SOURCE_DATE_EPOCH`).
const BOOK_ERRORS: u8 = 1;
const USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build {
            book,
            to,
            out,
            deny_warnings,
        } => {
            // Before any work: a build that cannot be reproduced must not start.
            let timestamp = match folio::timestamp_from_env() {
                Ok(timestamp) => timestamp,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(USAGE);
                }
            };
            let Some(loaded) = load(&book) else {
                return ExitCode::from(USAGE);
            };
            let options = BuildOptions {
                editions: to.map(|t| t.into_iter().map(Edition::from).collect()),
                out_dir: out.unwrap_or_else(|| default_out_dir(&book)),
                timestamp,
                deny_warnings,
            };
            report(loaded, &loaded.diagnostics);
            // A multilingual book: one book per language, built together.
            let languages: &[(String, Book)] = match loaded.languages.is_empty() {
                true => &[],
                // LANGS.md's own errors stop the build, as a book's do.
                false if folio::blocking_diagnostics(&loaded.diagnostics, deny_warnings) > 0 => {
                    let blocking = folio::blocking_diagnostics(&loaded.diagnostics, deny_warnings);
                    return build_failed(loaded, BuildError::BookErrors(blocking), None);
                }
                false => match open_languages(&book, loaded) {
                    Some(languages) => languages,
                    None => return ExitCode::from(USAGE),
                },
            };
            let books: Vec<(&str, &Book)> = match languages.is_empty() {
                true => vec![("", loaded)],
                false => languages
                    .iter()
                    .map(|(code, b)| (code.as_str(), b))
                    .collect(),
            };
            match folio::build_languages(&books, &options) {
                Ok(built) => {
                    for ((_, book), diagnostics) in books.iter().zip(&built.by_book) {
                        report(book, diagnostics);
                    }
                    for path in &built.written {
                        eprintln!("wrote {}", path.display());
                    }
                    ExitCode::SUCCESS
                }
                Err(BuildError::Language { code, error }) => {
                    let failed = books.iter().find(|(c, _)| *c == code).map(|(_, b)| *b);
                    build_failed(failed.unwrap_or(loaded), *error, Some(&code))
                }
                Err(error) => build_failed(loaded, error, None),
            }
        }
        Command::Check {
            book,
            deny_warnings,
        } => {
            let Some(loaded) = load(&book) else {
                return ExitCode::from(USAGE);
            };
            let mut diagnostics = loaded.diagnostics.clone();
            diagnostics.extend(folio::check(loaded));
            report(loaded, &diagnostics);
            summary(&diagnostics);
            if folio::blocking_diagnostics(&diagnostics, deny_warnings) > 0 {
                ExitCode::from(BOOK_ERRORS)
            } else {
                ExitCode::SUCCESS
            }
        }
        Command::Inspect { book, json: _ } => {
            let Some(loaded) = load(&book) else {
                return ExitCode::from(USAGE);
            };
            report(loaded, &loaded.diagnostics);
            match serde_json::to_string_pretty(loaded) {
                Ok(json) => {
                    println!("{json}");
                    if loaded.has_errors() {
                        ExitCode::from(BOOK_ERRORS)
                    } else {
                        ExitCode::SUCCESS
                    }
                }
                Err(e) => {
                    eprintln!("error: cannot serialise the model: {e}");
                    ExitCode::from(BOOK_ERRORS)
                }
            }
        }
    }
}

/// The book at `path`, kept until the process ends: the command opens one
/// book and exits, and the system takes a big book's memory back at once,
/// where dropping its millions of nodes took a tenth of a second (1,000
/// chapters) for nothing.
fn load(path: &Path) -> Option<&'static Book> {
    match Book::load(path) {
        Ok(book) => Some(Box::leak(Box::new(book))),
        Err(e) => {
            eprintln!("error: {e}");
            None
        }
    }
}

/// Reports a failed build of `book` (of language `code`).
fn build_failed(book: &Book, error: BuildError, code: Option<&str>) -> ExitCode {
    let language = code.map(|code| format!(" ({code})")).unwrap_or_default();
    match error {
        BuildError::Edition {
            edition,
            diagnostics,
        } => {
            report(book, &diagnostics);
            eprintln!("error: the {edition:?} edition{language} failed; nothing was written");
        }
        // typst's reasons carry the book's file:line.
        BuildError::Pdf(error) => {
            report(book, &error.into_diagnostics());
            eprintln!("error: the Pdf edition{language} failed; nothing was written");
        }
        e => eprintln!("error: {e}"),
    }
    ExitCode::from(BOOK_ERRORS)
}

/// Each language of a multilingual book, loaded, its problems reported;
/// kept until the process ends, as [`load`] keeps a book.
fn open_languages(path: &Path, book: &Book) -> Option<&'static [(String, Book)]> {
    let mut languages = Vec::new();
    for language in &book.languages {
        match folio::core::open_language(path, language) {
            Ok(loaded) => {
                report(&loaded, &loaded.diagnostics);
                languages.push((language.code.clone(), loaded));
            }
            Err(e) => {
                eprintln!("error: {e}");
                return None;
            }
        }
    }
    Some(languages.leak())
}

/// `BOOK/dist`, or beside the file for a single-file book.
fn default_out_dir(book: &Path) -> PathBuf {
    if book.is_file() {
        book.parent().unwrap_or(Path::new(".")).join("dist")
    } else {
        book.join("dist")
    }
}

fn report(book: &Book, diagnostics: &[Diagnostic]) {
    if !diagnostics.is_empty() {
        eprint!(
            "{}",
            folio::core::diagnostics::render(
                diagnostics,
                &book.sources,
                std::io::stderr().is_terminal()
            )
        );
    }
}

fn summary(diagnostics: &[Diagnostic]) {
    let count = |s: Severity| diagnostics.iter().filter(|d| d.severity == s).count();
    eprintln!(
        "{} error(s), {} warning(s), {} note(s)",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Note)
    );
}
