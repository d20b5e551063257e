//! Book-relative paths, shared by the loader (SUMMARY entries) and the
//! resolver (links and images): one place decides what a path in the book
//! means and whether it stays inside the book root.

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
    let start = if target.starts_with('/') {
        ""
    } else {
        base_dir
    };
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
    BookPath {
        path: parts.join("/"),
        clamped,
    }
}

/// The folder of a root-relative file path (`a/b.md` → `a`, `b.md` → ``).
pub fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

/// The relative path that leads from the file at `from` to the file at `to`,
/// both root-relative with `/` separators: `relative("a/b.html", "c.css")`
/// is `../c.css`. Editions use it for every link between their files.
pub fn relative(from: &str, to: &str) -> String {
    relative_with_suffix(from, to, "")
}

/// [`relative`] to the file `to` + `suffix` (`a/b` + `.html`): a page's URL
/// made from its chapter's path without building the page's path first
/// (the writer makes one per link, back link and citation).
pub fn relative_with_suffix(from: &str, to: &str, suffix: &str) -> String {
    let to_file = to.rsplit_once('/').map_or(to, |(_, file)| file);
    // Most links stay in their folder: the file's name alone.
    fn folder(path: &str) -> Option<&str> {
        path.rsplit_once('/').map(|(dir, _)| dir)
    }
    if folder(from) == folder(to) {
        let mut path = String::with_capacity(to_file.len() + suffix.len());
        path.push_str(to_file);
        path.push_str(suffix);
        return path;
    }
    let from_dirs = folders(from);
    let to_dirs = folders(to);
    let common = from_dirs
        .clone()
        .zip(to_dirs.clone())
        .take_while(|(a, b)| a == b)
        .count();
    let climbs = from_dirs.count() - common;
    let mut path = String::with_capacity(3 * climbs + to.len() + suffix.len());
    for _ in 0..climbs {
        path.push_str("../");
    }
    for dir in to_dirs.skip(common) {
        path.push_str(dir);
        path.push('/');
    }
    path.push_str(to_file);
    path.push_str(suffix);
    path
}

/// The folders a file path passes through, outermost first (`a/b/c.html`:
/// `a`, `b`; `/c.html`: one empty name).
fn folders(path: &str) -> impl Iterator<Item = &str> + Clone {
    path.rsplit_once('/')
        .into_iter()
        .flat_map(|(dir, _)| dir.split('/'))
}

/// `path` as a name every edition can give a file: each character that
/// EPUB forbids or warns about in file names (spaces, `"*:<>?\\|`, control
/// characters) or that means something in a URL (`#`, `%`) becomes `-`.
/// Letters of every script are kept. `mon schéma.png` → `mon-schéma.png`.
pub fn portable(path: &str) -> String {
    path.chars()
        .map(|c| {
            if c.is_whitespace() || c.is_control() || "\"*:<>?\\|#%".contains(c) {
                '-'
            } else {
                c
            }
        })
        .collect()
}

/// Whether `name` can name a file in the output folder, beside others: a
/// plain name, not a path (`[build] name`). The error says why not.
pub fn check_file_name(name: &str) -> Result<(), &'static str> {
    if name.trim().is_empty() {
        Err("the name is empty")
    } else if name.contains(['/', '\\']) {
        Err("a file name cannot hold `/` or `\\`")
    } else if name == "." || name == ".." {
        Err("`.` and `..` are folders")
    } else if name.starts_with('.') {
        Err("a name starting with `.` makes a hidden file")
    } else if name.chars().any(char::is_control) {
        Err("a file name cannot hold a control character")
    } else if name.len() > 200 {
        Err("the name is longer than 200 bytes")
    } else {
        Ok(())
    }
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
            scheme.len() > 1
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
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
        assert_eq!(
            join("1-enjeux", "./1-code_source").path,
            "1-enjeux/1-code_source"
        );
        assert_eq!(join("a/b", "/x.md").path, "x.md");
        assert_eq!(join("", "mon%20fichier.md").path, "mon fichier.md");
    }

    #[test]
    fn clamps_at_the_root() {
        let p = join("1-enjeux", "../../references");
        assert_eq!(
            p,
            BookPath {
                path: "references".into(),
                clamped: true
            }
        );
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
        assert_eq!(
            relative_with_suffix("a/b.html", "c/d", ".html"),
            "../c/d.html"
        );
    }

    /// The first version of `relative`, clear and slow (three allocations
    /// a call): the oracle the faster one is checked against.
    fn relative_by_splitting(from: &str, to: &str) -> String {
        let from_dirs: Vec<&str> = from.split('/').collect();
        let from_dirs = &from_dirs[..from_dirs.len() - 1];
        let to_parts: Vec<&str> = to.split('/').collect();
        let (to_dirs, to_file) = to_parts.split_at(to_parts.len() - 1);
        let common = from_dirs
            .iter()
            .zip(to_dirs)
            .take_while(|(a, b)| a == b)
            .count();
        let mut path = "../".repeat(from_dirs.len() - common);
        for dir in &to_dirs[common..] {
            path.push_str(dir);
            path.push('/');
        }
        path.push_str(to_file[0]);
        path
    }

    #[test]
    fn relative_agrees_with_splitting_on_every_small_path() {
        // Every path of up to three parts over a small alphabet, empty
        // parts (`a//b`, `/a`, `a/`) included.
        let parts = ["", "a", "b", "ab"];
        let mut paths = Vec::new();
        for n in 1..=3u32 {
            for i in 0..parts.len().pow(n) {
                let mut path: Vec<&str> = Vec::new();
                let mut k = i;
                for _ in 0..n {
                    path.push(parts[k % parts.len()]);
                    k /= parts.len();
                }
                paths.push(path.join("/"));
            }
        }
        for from in &paths {
            for to in &paths {
                assert_eq!(
                    relative(from, to),
                    relative_by_splitting(from, to),
                    "{from:?} → {to:?}"
                );
            }
        }
    }

    #[test]
    fn schemes() {
        assert!(
            has_scheme("https://x.org") && has_scheme("mailto:a@b") && has_scheme("svn+ssh://h")
        );
        assert!(
            !has_scheme("c:/x")
                && !has_scheme("../a.md")
                && !has_scheme("a/b:c")
                && !has_scheme(":x")
        );
        assert!(is_remote("//cdn.example.org/x.png") && !is_remote("/assets/x.png"));
    }

    #[test]
    fn output_names_are_plain_file_names() {
        assert_eq!(check_file_name("mon-livre"), Ok(()));
        assert_eq!(check_file_name("Mon livre (2e édition)"), Ok(()));
        for bad in [
            "",
            " ",
            "/../../../tmp/x",
            "../x",
            "a/b",
            "a\\b",
            ".",
            "..",
            ".hidden",
            "a\u{1}b",
            "a\nb",
        ] {
            assert!(check_file_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn portable_names() {
        assert_eq!(
            portable("images/plan du jardin.png"),
            "images/plan-du-jardin.png"
        );
        assert_eq!(portable("a/schéma:v2#1?.svg"), "a/schéma-v2-1-.svg");
        assert_eq!(
            portable("2-constituants/1-code_source"),
            "2-constituants/1-code_source"
        );
    }

    #[test]
    fn parent_of_paths() {
        assert_eq!(parent("a/b.md"), "a");
        assert_eq!(parent("b.md"), "");
    }
}
