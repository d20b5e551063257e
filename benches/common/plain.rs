//! typst text for measuring typst alone: plain justified paragraphs of
//! filler, in chapters that each start a new page, as folio's chapters do.
//! A page break ends what typst calls a page run, and typst lays its page
//! runs out in parallel: without them, one core would do all the work and
//! the text would measure a floor no book of folio's has.
//!
//! Use it from a bench or an example with
//!     #[path = "common/plain.rs"]
//!     mod plain;

/// Paragraphs per chapter: about six A4 pages, as in the generated book.
const PARAGRAPHS_PER_CHAPTER: usize = 25;

/// `paragraphs` paragraphs of filler (about 4.2 to an A4 page), a level-1
/// heading labelled `<hN>` on a new page before every 25th, each paragraph
/// opening with `inline` (typst markup, maybe empty).
pub fn text(paragraphs: usize, inline: &str) -> String {
    let mut text =
        String::from("#set page(paper: \"a4\", numbering: \"1\")\n#set par(justify: true)\n");
    for i in 0..paragraphs {
        if i % PARAGRAPHS_PER_CHAPTER == 0 {
            text.push_str(&format!(
                "#pagebreak(weak: true)\n= Chapitre {i} <h{i}>\n\n"
            ));
        }
        text.push_str(inline);
        text.push_str("#lorem(150)\n\n");
    }
    text
}
