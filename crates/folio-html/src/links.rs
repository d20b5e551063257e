//! Where each chapter's document lives, and relative URLs between documents.

use folio_core::{Book, ChapterId};

use crate::Target;

/// The single page holding the whole book.
pub const PRINT_PAGE: &str = "print.html";

/// Path of the chapter's document relative to the output root:
/// `2-constituants/1-code_source.html` for the site (`…/index.html` for a
/// folder's README), the same with `.xhtml` for the EPUB, `print.html` for
/// the single page.
pub fn chapter_href(book: &Book, chapter: ChapterId, target: Target) -> String {
    let path = &book.chapters[chapter].path;
    match target {
        Target::Site => format!("{path}.html"),
        Target::Epub => format!("{path}.xhtml"),
        Target::SinglePage => PRINT_PAGE.to_string(),
    }
}

/// The URL that leads from the document at `from` to the file at `to`, both
/// relative to the output root with `/` separators.
pub fn relative_url(from: &str, to: &str) -> String {
    let from_dirs: Vec<&str> = from.split('/').collect();
    let from_dirs = &from_dirs[..from_dirs.len() - 1];
    let to_parts: Vec<&str> = to.split('/').collect();
    let (to_dirs, to_file) = to_parts.split_at(to_parts.len() - 1);
    let common = from_dirs.iter().zip(to_dirs).take_while(|(a, b)| a == b).count();
    let mut url = "../".repeat(from_dirs.len() - common);
    for dir in &to_dirs[common..] {
        url.push_str(dir);
        url.push('/');
    }
    url.push_str(to_file[0]);
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_urls_climb_and_descend() {
        assert_eq!(relative_url("index.html", "a/b.html"), "a/b.html");
        assert_eq!(relative_url("a/b.html", "index.html"), "../index.html");
        assert_eq!(relative_url("a/b.html", "a/c.html"), "c.html");
        assert_eq!(relative_url("a/b.html", "a/b.html"), "b.html");
        assert_eq!(relative_url("a/x/b.html", "a/y/img.png"), "../y/img.png");
        assert_eq!(relative_url("a/b.html", "theme.css"), "../theme.css");
    }
}
