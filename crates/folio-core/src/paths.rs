//! Book-relative paths, shared by the loader (SUMMARY entries) and the
//! resolver (links and images): one place decides what a path in the book
//! means and whether it stays inside the book root.

use std::path::{Path, PathBuf};

/// A `/`-separated path relative to the book root, normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookPath {
    pub path: String,
    /// A `..` tried to climb above the book root and was stopped there, as
    /// URLs do. Links accept this; images and SUMMARY entries reject it.
    pub clamped: bool,
}

/// Resolves `target` (as written in a file of folder `base_dir`, itself
/// relative to the root) to a root-relative path. `/x` is root-absolute.
/// Percent-escapes (`%20`) are decoded.
pub fn join(base_dir: &str, target: &str) -> BookPath {
    let target = percent_decode(target);
    let mut parts: Vec<&str> = Vec::new();
    let mut clamped = false;
    let start = if target.starts_with('/') { "" } else { base_dir };
    for part in start.split('/').chain(target.split('/')) {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    clamped = true;
                }
            }
            p => parts.push(p),
        }
    }
    BookPath { path: parts.join("/"), clamped }
}

/// The folder of a root-relative file path (`a/b.md` → `a`, `b.md` → ``).
pub fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

/// The relative path that leads from the file at `from` to the file at `to`,
/// both root-relative with `/` separators: `relative("a/b.html", "c.css")`
/// is `../c.css`. Editions use it for every link between their files.
pub fn relative(from: &str, to: &str) -> String {
    let from_dirs: Vec<&str> = from.split('/').collect();
    let from_dirs = &from_dirs[..from_dirs.len() - 1];
    let to_parts: Vec<&str> = to.split('/').collect();
    let (to_dirs, to_file) = to_parts.split_at(to_parts.len() - 1);
    let common = from_dirs.iter().zip(to_dirs).take_while(|(a, b)| a == b).count();
    let mut path = "../".repeat(from_dirs.len() - common);
    for dir in &to_dirs[common..] {
        path.push_str(dir);
        path.push('/');
    }
    path.push_str(to_file[0]);
    path
}

/// Why a path cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    Missing,
    /// It exists but lies outside the book root (through `..` or a symlink).
    OutsideRoot,
}

/// The real location of root-relative `path`, if it exists and lies inside
/// `root` once every symlink is followed.
///
/// A normalised path (see [`join`]) can only lead out of the root through a
/// symlink, so the usual case costs one `lstat` per component below the
/// root; only a path through a symlink is canonicalised, which resolves
/// every component from `/` (several system calls each, measured as most of
/// what loading a small book spent in the kernel).
pub fn locate(root: &Path, path: &str) -> Result<PathBuf, Refused> {
    let mut full = root.to_path_buf();
    for part in path.split('/').filter(|p| !p.is_empty()) {
        if part == "." || part == ".." {
            return locate_through_links(root, path);
        }
        full.push(part);
        match full.symlink_metadata() {
            Ok(meta) if meta.file_type().is_symlink() => return locate_through_links(root, path),
            Ok(_) => {}
            Err(_) => return Err(Refused::Missing),
        }
    }
    Ok(full)
}

/// [`locate`] for a path that may pass through symlinks: the path and the
/// root are both canonicalised and compared.
fn locate_through_links(root: &Path, path: &str) -> Result<PathBuf, Refused> {
    let full = root.join(path);
    let real = full.canonicalize().map_err(|_| {
        if full.symlink_metadata().is_ok() { Refused::OutsideRoot } else { Refused::Missing }
    })?;
    let real_root = root.canonicalize().map_err(|_| Refused::Missing)?;
    if real.starts_with(&real_root) { Ok(real) } else { Err(Refused::OutsideRoot) }
}

/// `path` as a name every edition can give a file: each character that
/// EPUB forbids or warns about in file names (spaces, `"*:<>?\\|`, control
/// characters) or that means something in a URL (`#`, `%`) becomes `-`.
/// Letters of every script are kept. `mon schéma.png` → `mon-schéma.png`.
pub fn portable(path: &str) -> String {
    path.chars().map(|c| if c.is_whitespace() || c.is_control() || "\"*:<>?\\|#%".contains(c) { '-' } else { c }).collect()
}

/// `file`, or `file-2.ext`, `file-3.ext`… (the number before the
/// extension), whichever `taken` does not refuse: a name for a file the
/// editions write beside others.
pub fn unique_file(file: &str, taken: impl Fn(&str) -> bool) -> String {
    if !taken(file) {
        return file.to_string();
    }
    let numbered = |n: u32| match file.rsplit_once('.') {
        Some((stem, extension)) if !extension.contains('/') => format!("{stem}-{n}.{extension}"),
        _ => format!("{file}-{n}"),
    };
    (2..).map(numbered).find(|c| !taken(c)).unwrap_or_default()
}

/// `http:`, `https:`, protocol-relative `//…`, `data:`: never fetched.
pub fn is_remote(url: &str) -> bool {
    url.starts_with("//") || has_scheme(url)
}

/// `scheme:` as in URLs (`https:`, `mailto:`): a letter, then letters,
/// digits, `+-.` (RFC 3986); a Windows drive letter (`c:`) is not one.
/// Every edition asks this one function whether a URL leaves the book.
pub fn has_scheme(url: &str) -> bool {
    match url.split_once(':') {
        Some((scheme, _)) => {
            scheme.len() > 1 && scheme.starts_with(|c: char| c.is_ascii_alphabetic()) && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }
        None => false,
    }
}

fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_like_urls() {
        assert_eq!(join("1-enjeux", "../2-constituants").path, "2-constituants");
        assert_eq!(join("1-enjeux", "./1-code_source").path, "1-enjeux/1-code_source");
        assert_eq!(join("a/b", "/x.md").path, "x.md");
        assert_eq!(join("", "mon%20fichier.md").path, "mon fichier.md");
    }

    #[test]
    fn clamps_at_the_root() {
        let p = join("1-enjeux", "../../references");
        assert_eq!(p, BookPath { path: "references".into(), clamped: true });
        assert!(!join("a/b", "../c").clamped);
    }

    #[test]
    fn relative_paths_climb_and_descend() {
        assert_eq!(relative("index.html", "a/b.html"), "a/b.html");
        assert_eq!(relative("a/b.html", "index.html"), "../index.html");
        assert_eq!(relative("a/b.html", "a/c.html"), "c.html");
        assert_eq!(relative("a/b.html", "a/b.html"), "b.html");
        assert_eq!(relative("a/x/b.html", "a/y/img.png"), "../y/img.png");
        assert_eq!(relative("a/b/c.xhtml", "a/d/e.png"), "../d/e.png");
    }

    #[test]
    fn schemes() {
        assert!(has_scheme("https://x.org") && has_scheme("mailto:a@b") && has_scheme("svn+ssh://h"));
        assert!(!has_scheme("c:/x") && !has_scheme("../a.md") && !has_scheme("a/b:c") && !has_scheme(":x"));
        assert!(is_remote("//cdn.example.org/x.png") && !is_remote("/assets/x.png"));
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_may_not_lead_out_of_the_root() {
        use std::os::unix::fs::symlink;
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.png"), "x").unwrap();
        let book = tempfile::tempdir().unwrap();
        let root = book.path();
        std::fs::create_dir(root.join("assets")).unwrap();
        std::fs::write(root.join("assets/logo.png"), "x").unwrap();
        symlink(outside.path().join("secret.png"), root.join("assets/leak.png")).unwrap();
        symlink(outside.path(), root.join("elsewhere")).unwrap();
        symlink(root.join("assets"), root.join("images")).unwrap();
        symlink(root.join("nowhere.png"), root.join("dangling.png")).unwrap();

        assert_eq!(locate(root, "assets/logo.png"), Ok(root.join("assets/logo.png")));
        assert_eq!(locate(root, "assets/leak.png"), Err(Refused::OutsideRoot));
        assert_eq!(locate(root, "elsewhere/secret.png"), Err(Refused::OutsideRoot));
        assert_eq!(locate(root, "dangling.png"), Err(Refused::OutsideRoot));
        assert_eq!(locate(root, "assets/missing.png"), Err(Refused::Missing));
        // A link that stays inside the book is followed.
        assert!(locate(root, "images/logo.png").is_ok_and(|p| p.ends_with("assets/logo.png")));
    }

    #[test]
    fn portable_names() {
        assert_eq!(portable("images/plan du jardin.png"), "images/plan-du-jardin.png");
        assert_eq!(portable("a/schéma:v2#1?.svg"), "a/schéma-v2-1-.svg");
        assert_eq!(portable("2-constituants/1-code_source"), "2-constituants/1-code_source");
    }

    #[test]
    fn parent_of_paths() {
        assert_eq!(parent("a/b.md"), "a");
        assert_eq!(parent("b.md"), "");
    }
}
