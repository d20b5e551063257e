//! The real books of `../shared/corpus/` (see its README): where they are, how to copy one as
//! its author has it, how to run the CLI on it with a time limit, and how to read back what the
//! CLI printed. `tests/corpus.rs` holds what each book must give.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::hash::{DefaultHasher, Hasher};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// The corpus: `$FOLIO_CORPUS`, or `<repo>/../shared/corpus` (in CI the repository is a clean
/// clone with the read-only `../shared` beside it). When it is absent: prints a `SKIPPED:`
/// notice and returns `None` — or panics when `CI=true`, where the corpus test must run.
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("FOLIO_CORPUS") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => super::manifest_dir().join("../shared/corpus"),
    };
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        !super::on_ci(),
        "the corpus is missing in {} but CI=true requires it (set FOLIO_CORPUS to its folder)",
        dir.display()
    );
    println!(
        "SKIPPED: the corpus is not in {} (set FOLIO_CORPUS to its folder)",
        dir.display()
    );
    None
}

/// What `folio build` opens in a book's folder, found as `sweep.sh` does: the folder itself or
/// its `book/` when it holds `book.toml`, `SUMMARY.md` or `book.json`; otherwise its Markdown
/// file (not the README, the license or the corpus notes).
pub fn book_root(folder: &Path) -> PathBuf {
    let is_book = |dir: &Path| {
        ["book.toml", "SUMMARY.md", "book.json"]
            .iter()
            .any(|name| dir.join(name).is_file())
    };
    if let Some(dir) = [folder.to_owned(), folder.join("book")]
        .into_iter()
        .find(|dir| is_book(dir))
    {
        return dir;
    }
    let mut markdown: Vec<PathBuf> = read_dir(folder)
        .into_iter()
        .filter(|path| {
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_lowercase();
            name.ends_with(".md")
                && !["readme", "corpus", "license"]
                    .iter()
                    .any(|skip| name.contains(skip))
        })
        .collect();
    markdown.sort();
    markdown
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no book in {}", folder.display()))
}

/// The entries of `dir`, in no particular order.
fn read_dir(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| {
            entry
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
                .path()
        })
        .collect()
}

/// Copies the tree `from` into `to` (which must not exist) as a fresh, writable checkout: the
/// corpus itself is read-only, a user's book is not.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("cannot create {}: {e}", to.display()));
    for path in read_dir(from) {
        let target = to.join(path.file_name().expect("a directory entry has a name"));
        if path.is_dir() {
            copy_tree(&path, &target);
        } else {
            let bytes = std::fs::read(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            std::fs::write(&target, bytes)
                .unwrap_or_else(|e| panic!("cannot write {}: {e}", target.display()));
        }
    }
}

/// `git init` in `dir`: users have their books as git checkouts.
pub fn git_init(dir: &Path) {
    let status = Command::new("git")
        .args(["init", "--quiet"])
        .arg(dir)
        .status()
        .unwrap_or_else(|e| panic!("cannot run git: {e}"));
    assert!(
        status.success(),
        "git init {} failed: {status}",
        dir.display()
    );
}

/// Every file, directory and symlink under `dir` (relative path → a hash of its content, or
/// of its target for a symlink), to tell whether anything was written there. The hash is
/// not cryptographic: it catches a build's accidents, not a forger.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, u64> {
    let mut entries = BTreeMap::new();
    add_to_snapshot(dir, dir, &mut entries);
    entries
}

fn add_to_snapshot(root: &Path, dir: &Path, entries: &mut BTreeMap<PathBuf, u64>) {
    for path in read_dir(dir) {
        let mut hasher = DefaultHasher::new();
        let metadata = path
            .symlink_metadata()
            .unwrap_or_else(|e| panic!("cannot stat {}: {e}", path.display()));
        if metadata.is_symlink() {
            let target = std::fs::read_link(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            hasher.write(target.as_os_str().as_encoded_bytes());
        } else if metadata.is_dir() {
            add_to_snapshot(root, &path, entries);
        } else {
            hasher.write(
                &std::fs::read(&path)
                    .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display())),
            );
        }
        let relative = path
            .strip_prefix(root)
            .expect("entries lie under the root")
            .to_owned();
        entries.insert(relative, hasher.finish());
    }
}

/// The paths that differ between two snapshots: added, removed or changed.
pub fn changed_paths(
    before: &BTreeMap<PathBuf, u64>,
    after: &BTreeMap<PathBuf, u64>,
) -> Vec<PathBuf> {
    let paths: BTreeSet<&PathBuf> = before
        .keys()
        .chain(after.keys())
        .filter(|path| before.get(*path) != after.get(*path))
        .collect();
    paths.into_iter().cloned().collect()
}

/// How a run of a program ended within its time limit.
pub struct Finished {
    pub status: ExitStatus,
    pub stderr: String,
    pub seconds: f64,
}

impl Finished {
    /// A panic: Rust's exit code 101 or its message (a panic inside a thread that is caught
    /// may leave no exit code but still prints it).
    pub fn panicked(&self) -> bool {
        self.status.code() == Some(101) || self.stderr.contains("panicked at")
    }

    /// The signal that killed the program (a stack overflow aborts with SIGABRT), if any.
    pub fn signal(&self) -> Option<i32> {
        self.status.signal()
    }
}

/// Runs `command` with its standard output and error in `log_dir/<log>.stdout` and `.stderr`
/// (kept for a look after the test), killing it after `limit`: `None` when it had to be killed.
pub fn run_with_limit(
    command: &mut Command,
    limit: Duration,
    log_dir: &Path,
    log: &str,
) -> Option<Finished> {
    let stderr_path = log_dir.join(format!("{log}.stderr"));
    let create = |path: PathBuf| {
        File::create(&path).unwrap_or_else(|e| panic!("cannot create {}: {e}", path.display()))
    };
    let start = Instant::now();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(create(log_dir.join(format!("{log}.stdout"))))
        .stderr(create(stderr_path.clone()))
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    let status = loop {
        if let Some(status) = child
            .try_wait()
            .unwrap_or_else(|e| panic!("cannot wait for {command:?}: {e}"))
        {
            break status;
        }
        if start.elapsed() > limit {
            // The child may have ended meanwhile: kill's error is then moot, wait reaps it either way.
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stderr = std::fs::read(&stderr_path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", stderr_path.display()));
    Some(Finished {
        status,
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// One diagnostic as the CLI prints it (rustc style, through codespan-reporting).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Printed {
    /// `error`, `warning`, `note`…
    pub severity: String,
    pub message: String,
    /// `file:line` of its first label, or empty when it has none.
    pub at: String,
}

/// Every diagnostic in the CLI's standard error: a line `severity: message` at the start of a
/// line, then — when it has a place — `┌─ file:line:column` on the next.
pub fn printed_diagnostics(stderr: &str) -> Vec<Printed> {
    let mut lines = stderr.lines().peekable();
    let mut printed = Vec::new();
    while let Some(line) = lines.next() {
        let Some((severity, message)) = line.split_once(": ") else {
            continue;
        };
        if !matches!(severity, "error" | "warning" | "note" | "help") {
            continue;
        }
        let place = lines
            .peek()
            .and_then(|next| next.trim_start().strip_prefix("┌─ "));
        let at = place.map(|place| {
            place
                .rsplit_once(':')
                .map_or(place, |(file_line, _column)| file_line)
        });
        printed.push(Printed {
            severity: severity.to_owned(),
            message: message.to_owned(),
            at: at.unwrap_or_default().to_owned(),
        });
    }
    printed
}
