//! Chapter titles, decided once for every edition: which heading titles
//! the chapter (`Chapter::title_heading`), and a title for a chapter SUMMARY
//! leaves untitled (`[](chapter.md)`), so that no table of contents, page
//! title or chapter opening is ever empty.

use crate::diagnostics::Diagnostic;
use crate::model::{Block, Book, Chapter, plain_text, title_heading};
use crate::paths;

/// The chapter's title heading, and its title when SUMMARY gave none (with
/// a note saying where it came from).
pub fn chapter(chapter: &mut Chapter) -> Option<Diagnostic> {
    chapter.title_heading = title_heading(&chapter.blocks);
    if !chapter.title.trim().is_empty() {
        return None;
    }
    let (title, from) = match chapter.title_heading.map(|i| &chapter.blocks[i]) {
        Some(Block::Heading { content, .. }) => {
            (plain_text(content).trim().to_string(), "its first heading")
        }
        _ => (file_title(chapter), "its file name"),
    };
    chapter.title = title;
    Some(
        Diagnostic::note(
            format!(
                "`{}` has no title in the table of contents: it is titled after {from}, “{}”",
                chapter.file, chapter.title
            ),
            chapter.span,
        )
        .with_hint("write its title between the brackets: [Title](chapter.md)"),
    )
}

/// After [`chapter`] ran on every chapter: a glossary's terms are its
/// sections, never its title (a glossary of one `## Term` and no `#` heading).
pub fn glossary_title(book: &mut Book) {
    if let Some(glossary) = &book.glossary {
        let chapter = &mut book.chapters[glossary.chapter];
        if let Some(heading) = chapter.title_heading
            && glossary.terms.iter().any(|t| t.block == heading)
        {
            chapter.title_heading = None;
        }
    }
}

/// `2-constituants/1-code_source.md` → `1 code source`; a folder's README is
/// titled after its folder.
fn file_title(chapter: &Chapter) -> String {
    let file = chapter.file.as_str();
    let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
    let name_of = |path: &'_ str| path.rsplit('/').next().unwrap_or_default().to_string();
    let name = match name_of(stem) {
        readme if readme.eq_ignore_ascii_case("readme") || readme == "index" => {
            name_of(paths::parent(stem))
        }
        name => name,
    };
    let words = name.replace(['-', '_'], " ");
    match words.trim() {
        "" => chapter.file.clone(),
        words => words.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_str;

    fn heading_of(markdown: &str) -> Option<usize> {
        parse_str(markdown).chapters[0].title_heading
    }

    #[test]
    fn the_only_level_one_heading_titles_the_chapter() {
        assert_eq!(heading_of("# Titre\n\nTexte.\n\n## Section\n"), Some(0));
        assert_eq!(heading_of("Avant.\n\n# Titre\n\nTexte.\n"), Some(1));
        assert_eq!(
            heading_of("# Un\n\n# Deux\n"),
            None,
            "two sections, no title"
        );
        assert_eq!(heading_of("Texte seul.\n"), None);
        assert_eq!(
            heading_of("#\n\nTexte.\n"),
            None,
            "an empty heading titles nothing"
        );
    }

    #[test]
    fn an_untitled_chapter_takes_its_heading_or_its_file_name() {
        let mut book = parse_str("# Le titre\n\nTexte.\n");
        book.chapters[0].title = String::new();
        chapter(&mut book.chapters[0]);
        assert_eq!(book.chapters[0].title, "Le titre");
        let mut book = parse_str("Texte.\n");
        book.chapters[0].title = " ".into();
        book.chapters[0].file = "2-le_code-source/README.md".into();
        let note = chapter(&mut book.chapters[0]);
        assert_eq!(book.chapters[0].title, "2 le code source");
        assert!(note.is_some_and(|d| d.message.contains("no title")));
    }
}
