//! Every input with which a fuzz target found a bug (`fuzz/regressions/<target>/`)
//! is replayed through the very function its target calls. Each runs in a
//! child process, so that an abort or a stack overflow fails like a panic,
//! and a hang is stopped by a time limit.
//!
//! A bug not fixed yet is listed in `fuzz/regressions/expected-failures.txt`:
//! its input must still fail, printing the text listed; once it passes, this
//! test fails until the line is removed, so the list only holds live bugs.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use folio::core::fuzzing::{
    BookFile, check_book_file, check_citation, check_raw_html, check_summary,
};
use folio::fuzzing::{check_markdown, check_pdf};

/// What a fuzz target runs on its input.
type Check = fn(&[u8]);

/// Each fuzz target (a folder of `fuzz/regressions/`, a file of
/// `fuzz/fuzz_targets/`) and the check it runs.
const TARGETS: &[(&str, Check)] = &[
    ("markdown", check_markdown),
    ("pdf", check_pdf),
    ("citation", check_citation),
    ("summary", check_summary),
    ("raw_html", check_raw_html),
    ("book_json", |bytes| {
        check_book_file(BookFile::BookJson, bytes)
    }),
    ("book_toml", |bytes| {
        check_book_file(BookFile::BookToml, bytes)
    }),
    ("folio_toml", |bytes| {
        check_book_file(BookFile::FolioToml, bytes)
    }),
];

/// Set in a child: the regression it replays, `<target>/<file>`.
const CASE: &str = "FOLIO_FUZZ_REGRESSION";
/// Far above any regression's time (the slowest, a PDF, takes a second or two).
const TIME_LIMIT: Duration = Duration::from_secs(60);

fn regressions() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions")
}

#[test]
fn every_fuzz_regression_replays() {
    if let Ok(case) = std::env::var(CASE) {
        let (target, _) = case.split_once('/').expect("<target>/<file>");
        let check = TARGETS
            .iter()
            .find(|(name, _)| *name == target)
            .expect("a known target")
            .1;
        check(&std::fs::read(regressions().join(&case)).expect("the regression's input"));
        return;
    }
    let mut expected = expected_failures();
    let mut problems = Vec::new();
    let mut replayed = 0;
    for case in cases(&mut problems) {
        replayed += 1;
        let outcome = replay_in_child(&case);
        match (expected.remove(&case), outcome) {
            (None, Ok(())) => {}
            (None, Err(output)) => problems.push(format!("{case} fails:\n{output}")),
            (Some(_), Ok(())) => problems.push(format!("{case} passes now: remove its line from expected-failures.txt")),
            (Some(text), Err(output)) if !output.contains(&text) => {
                problems.push(format!("{case} fails, but without printing `{text}` as expected-failures.txt says:\n{output}"))
            }
            (Some(_), Err(_)) => println!("{case}: fails as expected (a known bug)"),
        }
    }
    problems.extend(
        expected.keys().map(|case| {
            format!("expected-failures.txt lists {case}, which is not a regression file")
        }),
    );
    println!("{replayed} fuzz regressions replayed");
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// `<target>/<file>` of every regression, after checking that each folder
/// names a target and each target has its fuzz target.
fn cases(problems: &mut Vec<String>) -> Vec<String> {
    let fuzz_targets = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/fuzz_targets");
    for (target, _) in TARGETS {
        if !fuzz_targets.join(format!("{target}.rs")).is_file() {
            problems.push(format!("no fuzz target fuzz/fuzz_targets/{target}.rs"));
        }
    }
    let mut cases = Vec::new();
    for folder in std::fs::read_dir(regressions())
        .expect("fuzz/regressions/")
        .map(|e| e.expect("an entry").path())
    {
        if !folder.is_dir() {
            continue;
        }
        let target = folder.file_name().unwrap().to_string_lossy().into_owned();
        if !TARGETS.iter().any(|(name, _)| *name == target) {
            problems.push(format!(
                "fuzz/regressions/{target}/ is not a fuzz target of this test"
            ));
            continue;
        }
        for file in std::fs::read_dir(&folder).expect("a regression folder") {
            cases.push(format!(
                "{target}/{}",
                file.expect("an entry").file_name().to_string_lossy()
            ));
        }
    }
    cases.sort();
    cases
}

/// `expected-failures.txt`: `<target>/<file> | <text its failure prints> | <the bug>`.
fn expected_failures() -> BTreeMap<String, String> {
    let list = std::fs::read_to_string(regressions().join("expected-failures.txt"))
        .expect("expected-failures.txt");
    list.lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|line| {
            let fields: Vec<&str> = line.split(" | ").map(str::trim).collect();
            assert!(
                fields.len() == 3 && fields.iter().all(|f| !f.is_empty()),
                "expected-failures.txt: `{line}` is not `case | text | bug`"
            );
            (fields[0].to_string(), fields[1].to_string())
        })
        .collect()
}

/// Runs this test again in a child process, replaying `case` alone: `Err`
/// with what it printed when it fails, crashes or outlives [`TIME_LIMIT`].
fn replay_in_child(case: &str) -> Result<(), String> {
    let mut child = Command::new(std::env::current_exe().expect("this test's executable"))
        .args([
            "--exact",
            "every_fuzz_regression_replays",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CASE, case)
        .env("RUST_BACKTRACE", "0")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("a child process");
    // Read stderr on a thread: a child blocked on a full pipe would look hung.
    let mut stderr = child.stderr.take().expect("piped stderr");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("the child's status") {
            break Some(status);
        }
        if start.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let output = reader.join().expect("the child's stderr");
    match status {
        Some(status) if status.success() => Ok(()),
        Some(status) => Err(format!("{status}\n{output}")),
        None => Err(format!(
            "still running after {TIME_LIMIT:?}: a hang\n{output}"
        )),
    }
}
