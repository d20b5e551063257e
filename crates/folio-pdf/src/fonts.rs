//! The fonts a book's PDF may use, and in which order typst tries them.
//!
//! Three sources, in this order of preference:
//!
//! 1. typst's embedded fonts (Libertinus Serif for text, DejaVu Sans Mono
//!    for code), the same on every machine;
//! 2. the font files the book names in `[pdf] fonts`;
//! 3. the system's fonts (typst-kit's search: fontconfig's folders on Linux,
//!    the system folders on macOS and Windows), unless `[pdf] system-fonts =
//!    false`. They are searched once per process and only for a book that
//!    needs them: one in Chinese, Japanese or Korean, one whose `[pdf] font`
//!    is not among the others, or one with characters the others lack. A
//!    book the embedded fonts cover is typeset exactly as on any machine.
//!
//! The **chain** ([`FontChain`]) is the list of families given to typst's
//! `text(font: …)`: the body face, the book's own faces, then one face per
//! script the book's text needs (a CJK face in the book's variant, an emoji
//! face, colour first). A Chinese, Japanese or Korean book sets its text in
//! its CJK face, the body face serving for Latin letters only
//! (`covers: "latin-in-cjk"`). Past the chain, typst's own fallback may take
//! any other font: the book's font list is sorted, so the same fonts always
//! give the same choice.
//!
//! A character that no font has is found before typesetting
//! ([`uncovered`]) and reported once, at its first `file:line`, with how
//! often it occurs.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{LazyLock, OnceLock};

use folio_core::{Book, Diagnostic, Severity, Span};
use typst::foundations::Bytes;
use typst::text::{Font, FontBook, FontInfo, is_default_ignorable};
use typst_kit::fonts::{FontSource, FontStore};

use crate::Error;
use crate::markup::SourceMap;

/// The body face when the book names none.
pub const DEFAULT_BODY: &str = "Libertinus Serif";
/// The code face.
pub const DEFAULT_MONO: &str = "DejaVu Sans Mono";

/// typst's embedded fonts, parsed once per process; `Font` is a cheap handle.
static EMBEDDED: LazyLock<Vec<(Font, FontInfo)>> =
    LazyLock::new(|| typst_kit::fonts::embedded().collect());

/// The system's fonts, searched once per process, sorted by file and index
/// so that the font book (and typst's fallback choices) never depends on the
/// order in which folders were listed.
static SYSTEM: LazyLock<SystemFonts> = LazyLock::new(SystemFonts::search);

struct SystemFonts {
    files: Vec<SystemFile>,
    /// (index in `files`, index in the collection, metadata).
    faces: Vec<(usize, u32, FontInfo)>,
}

/// A font file of the system, read on first use and kept for the process:
/// every face of a collection shares its bytes.
struct SystemFile {
    path: PathBuf,
    data: OnceLock<Option<Bytes>>,
}

impl SystemFonts {
    fn search() -> SystemFonts {
        let mut found: Vec<(PathBuf, u32, FontInfo)> = typst_kit::fonts::system()
            .map(|(path, info)| (path.path, path.index, info))
            .collect();
        found.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        let mut files: Vec<SystemFile> = Vec::new();
        let mut faces = Vec::with_capacity(found.len());
        for (path, index, info) in found {
            if files.last().is_none_or(|file| file.path != path) {
                files.push(SystemFile {
                    path,
                    data: OnceLock::new(),
                });
            }
            faces.push((files.len() - 1, index, info));
        }
        SystemFonts { files, faces }
    }
}

/// A face of [`SYSTEM`], by its index there.
struct SystemFace(usize);

impl FontSource for SystemFace {
    fn load(&self) -> Option<Font> {
        let (file, index, _) = SYSTEM.faces.get(self.0)?;
        let file = &SYSTEM.files[*file];
        let data = file
            .data
            .get_or_init(|| std::fs::read(&file.path).ok().map(Bytes::new))
            .clone()?;
        Font::new(data, *index)
    }
}

/// The fonts of one book.
pub struct Fonts {
    store: FontStore,
    /// The families of the book's `[pdf] fonts` files, in their order.
    book_families: Vec<String>,
    with_system: bool,
}

impl Fonts {
    /// The embedded fonts and `font_files` (their contents, with the name to
    /// report).
    pub fn new(font_files: Vec<(String, Vec<u8>)>) -> Result<Fonts, Error> {
        let mut store = FontStore::new();
        store.extend(EMBEDDED.iter().cloned());
        let mut book_families = Vec::new();
        for (name, data) in font_files {
            let faces = parse_fonts(&name, data)?;
            for (_, info) in &faces {
                if !book_families.contains(&info.family) {
                    book_families.push(info.family.clone());
                }
            }
            store.extend(faces);
        }
        Ok(Fonts {
            store,
            book_families,
            with_system: false,
        })
    }

    /// Adds the system's fonts, but no face of a family the embedded fonts
    /// or the book already have: those stay the same on every machine.
    pub fn add_system(&mut self) {
        if self.with_system {
            return;
        }
        self.with_system = true;
        let known: Vec<String> = self.families().map(|f| f.to_lowercase()).collect();
        for (i, (_, _, info)) in SYSTEM.faces.iter().enumerate() {
            if known.binary_search(&info.family.to_lowercase()).is_err() {
                self.store.push((SystemFace(i), info.clone()));
            }
        }
    }

    /// Whether the system's fonts were added.
    pub fn with_system(&self) -> bool {
        self.with_system
    }

    pub fn into_store(self) -> FontStore {
        self.store
    }

    /// Whether `family` is among the fonts (case-insensitive, as typst matches).
    pub fn has_family(&self, family: &str) -> bool {
        self.store.book().contains_family(&family.to_lowercase())
    }

    /// The font families, sorted (case-insensitively).
    pub fn families(&self) -> impl Iterator<Item = &str> {
        self.store.book().families().map(|(name, _)| name)
    }

    /// Whether some font has a glyph for `c`.
    fn covers(&self, c: char) -> bool {
        let book: &FontBook = self.store.book();
        (0..)
            .map_while(|i| book.info(i))
            .any(|info| info.coverage.contains(c as u32))
    }

    /// The chain of families for a book in `lang` whose body face is `body`.
    pub fn chain(&self, lang: &str, region: Option<&str>, body: Option<&str>) -> FontChain {
        FontChain::choose(lang, region, body, &self.book_families, &|family: &str| {
            self.has_family(family)
        })
    }
}

fn parse_fonts(name: &str, data: Vec<u8>) -> Result<Vec<(Font, FontInfo)>, Error> {
    let fonts: Vec<_> = Font::iter(Bytes::new(data))
        .map(|font| (font.clone(), font.info().clone()))
        .collect();
    if fonts.is_empty() {
        return Err(Error::Config(format!(
            "[pdf] fonts: `{name}` is not a font file typst can read (TrueType, OpenType or a collection)"
        )));
    }
    Ok(fonts)
}

/// One family of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Family {
    pub name: String,
    /// Used for Latin letters only (`covers: "latin-in-cjk"`): the body face
    /// of a CJK book, whose punctuation and ideographs are the CJK face's.
    pub latin_only: bool,
}

/// The families typst tries, in order, for text and for code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FontChain {
    pub body: Vec<Family>,
    pub mono: Vec<Family>,
    /// Whether the book is in Chinese, Japanese or Korean.
    pub cjk: bool,
}

/// Which CJK variant a language wants: the glyph shapes of one ideograph
/// differ between Japan, Korea, mainland China and Taiwan or Hong Kong.
fn cjk_variant(lang: &str, region: Option<&str>) -> Option<&'static str> {
    match (lang, region) {
        ("ja", _) => Some("JP"),
        ("ko", _) => Some("KR"),
        ("zh", Some("HK" | "MO")) => Some("HK"),
        ("zh", Some("TW")) => Some("TC"),
        ("zh", _) => Some("SC"),
        _ => None,
    }
}

/// CJK faces for `variant`, serif (for text) before sans: Noto CJK (Linux),
/// Source Han (its other name), then the faces macOS and Windows ship.
fn cjk_candidates(variant: &str, serif: bool) -> Vec<String> {
    let noto = |style: &str| format!("Noto {style} CJK {variant}");
    let source_han = |style: &str| {
        let suffix = match variant {
            "JP" => "",
            "KR" => " K",
            "SC" => " SC",
            "TC" => " TC",
            _ => " HC",
        };
        format!("Source Han {style}{suffix}")
    };
    let stock: &[&str] = match variant {
        "JP" => &[
            "Hiragino Mincho ProN",
            "Yu Mincho",
            "MS Mincho",
            "IPAexMincho",
        ],
        "KR" => &["AppleMyungjo", "Batang", "NanumMyeongjo"],
        "SC" => &["Songti SC", "SimSun", "Noto Serif SC"],
        _ => &["Songti TC", "MingLiU", "Noto Serif TC"],
    };
    let mut list = if serif {
        vec![
            noto("Serif"),
            source_han("Serif"),
            noto("Sans"),
            source_han("Sans"),
        ]
    } else {
        vec![
            noto("Sans"),
            source_han("Sans"),
            noto("Serif"),
            source_han("Serif"),
        ]
    };
    list.extend(stock.iter().map(|s| s.to_string()));
    list
}

/// Whether `family` is one of the CJK faces folio knows.
fn is_cjk_face(family: &str) -> bool {
    ["JP", "KR", "SC", "TC", "HK"].iter().any(|v| {
        cjk_candidates(v, true)
            .iter()
            .any(|f| f.eq_ignore_ascii_case(family))
    }) || family.contains(" CJK ")
}

/// Emoji faces, colour first: typst draws colour glyphs (COLR, CBDT, sbix,
/// SVG) as images, which PDF/A-2 allows.
const EMOJI: &[&str] = &[
    "Noto Color Emoji",
    "Apple Color Emoji",
    "Segoe UI Emoji",
    "Twemoji Mozilla",
    "Noto Emoji",
    "Segoe UI Symbol",
    "Symbola",
];

impl FontChain {
    /// The chain for a book in `lang`/`region` whose body face is `body`
    /// (default Libertinus Serif), with `book_families` from `[pdf] fonts`;
    /// `available` tells which families exist. Only available families are
    /// listed (typst warns about the others).
    pub fn choose(
        lang: &str,
        region: Option<&str>,
        body: Option<&str>,
        book_families: &[String],
        available: &dyn Fn(&str) -> bool,
    ) -> FontChain {
        let variant = cjk_variant(lang, region);
        let cjk = variant.is_some();
        // A book in another language takes the first CJK face it finds, for
        // the odd ideograph.
        let variants: Vec<&str> = match variant {
            Some(v) => vec![v],
            None => vec!["SC", "JP", "TC", "KR", "HK"],
        };
        let first = |candidates: Vec<String>| candidates.into_iter().find(|f| available(f));
        let cjk_serif = variants.iter().find_map(|v| first(cjk_candidates(v, true)));
        let cjk_mono = variants
            .iter()
            .find_map(|v| first(vec![format!("Noto Sans Mono CJK {v}")]))
            .or_else(|| {
                variants
                    .iter()
                    .find_map(|v| first(cjk_candidates(v, false)))
            });
        let emoji = first(EMOJI.iter().map(|s| s.to_string()).collect());

        let family = |name: &str, latin_only: bool| Family {
            name: name.to_string(),
            latin_only,
        };
        let mut chain = FontChain {
            body: Vec::new(),
            mono: Vec::new(),
            cjk,
        };
        // The body face of a CJK book sets its Latin letters, unless it is
        // a CJK face itself. The book's own faces cover what they have.
        let body = body.unwrap_or(DEFAULT_BODY);
        chain.body.push(family(body, cjk && !is_cjk_face(body)));
        for name in book_families {
            chain.push_body(family(name, false));
        }
        chain.mono.push(family(DEFAULT_MONO, cjk));
        for name in cjk_serif.iter().chain(&emoji) {
            chain.push_body(family(name, false));
        }
        for name in cjk_mono.iter().chain(&emoji) {
            chain.push_mono(family(name, false));
        }
        chain
    }

    fn push_body(&mut self, family: Family) {
        if !self
            .body
            .iter()
            .any(|f| f.name.eq_ignore_ascii_case(&family.name))
        {
            self.body.push(family);
        }
    }

    fn push_mono(&mut self, family: Family) {
        if !self
            .mono
            .iter()
            .any(|f| f.name.eq_ignore_ascii_case(&family.name))
        {
            self.mono.push(family);
        }
    }
}

/// A character no font has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uncovered {
    pub character: char,
    /// How many times the book uses it.
    pub count: usize,
    /// Where it first occurs, when it comes from a source file.
    pub first: Option<Span>,
}

/// The characters of `markup` (generated from `book`, with `map`) that no
/// font of `fonts` has, in the order of their first occurrence. The markup
/// holds the author's text verbatim inside string literals, so scanning it
/// scans the book; the template's own characters are covered by the body
/// face.
pub fn uncovered(book: &Book, markup: &str, map: &SourceMap, fonts: &Fonts) -> Vec<Uncovered> {
    let mut covered: HashMap<char, bool> = HashMap::new();
    let mut found: Vec<Uncovered> = Vec::new();
    let mut slot: HashMap<char, usize> = HashMap::new();
    for (offset, c) in markup.char_indices() {
        if c.is_ascii() || c.is_whitespace() || c.is_control() || is_default_ignorable(c) {
            continue;
        }
        if *covered.entry(c).or_insert_with(|| fonts.covers(c)) {
            continue;
        }
        match slot.get(&c) {
            Some(&i) => found[i].count += 1,
            None => {
                slot.insert(c, found.len());
                found.push(Uncovered {
                    character: c,
                    count: 1,
                    first: map.find(offset).map(|span| exact_span(book, span, c)),
                });
            }
        }
    }
    found
}

/// `span` is where the block or inline holding `c` starts; `c` itself is on
/// that line or a later one (a paragraph's next lines, a code block's).
fn exact_span(book: &Book, span: Span, c: char) -> Span {
    let Some(source) = book.sources.get(span.source.0 as usize) else {
        return span;
    };
    let text = &source.text;
    let line_start = text
        .split_inclusive('\n')
        .take(span.line.saturating_sub(1) as usize)
        .map(str::len)
        .sum::<usize>();
    match text.get(line_start..).and_then(|rest| rest.find(c)) {
        Some(at) => folio_core::diagnostics::span_at_byte(span.source, text, line_start + at),
        None => span,
    }
}

/// At most this many characters are reported one by one; the rest in one
/// warning (a Chinese book on a machine without a CJK font has thousands).
const REPORTED_ONE_BY_ONE: usize = 40;

/// One warning per uncovered character (with a hint on what to install),
/// then one for the rest.
pub fn warnings(uncovered: &[Uncovered], system_fonts: bool) -> Vec<Diagnostic> {
    let mut warnings: Vec<Diagnostic> = uncovered
        .iter()
        .take(REPORTED_ONE_BY_ONE)
        .map(|u| {
            let times = match u.count {
                1 => "once".to_string(),
                n => format!("{n} times"),
            };
            let mut warning = Diagnostic::new(
                Severity::Warning,
                format!(
                    "PDF edition: no font has the character `{}` (U+{:04X}, {times} in the book): the PDF shows an empty box instead",
                    u.character, u.character as u32
                ),
                u.first,
            );
            warning.hint = Some(install_hint(u.character, system_fonts));
            warning
        })
        .collect();
    if uncovered.len() > REPORTED_ONE_BY_ONE {
        let rest = &uncovered[REPORTED_ONE_BY_ONE..];
        let sample: String = rest.iter().take(20).map(|u| u.character).collect();
        let mut warning = Diagnostic::new(
            Severity::Warning,
            format!(
                "PDF edition: no font has {} more characters ({sample}…)",
                rest.len()
            ),
            rest[0].first,
        );
        warning.hint = Some(install_hint(rest[0].character, system_fonts));
        warnings.push(warning);
    }
    warnings
}

/// What to install for `c`, after its script.
fn install_hint(c: char, system_fonts: bool) -> String {
    let what = match c as u32 {
        0x1100..=0x11FF
        | 0x2E80..=0x2FFF
        | 0x3000..=0x30FF
        | 0x3100..=0x9FFF
        | 0xAC00..=0xD7AF
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFFEF
        | 0x20000..=0x3FFFF => "a CJK font, such as Noto CJK (Debian and Ubuntu: fonts-noto-cjk)",
        0x2600..=0x27BF | 0x1F000..=0x1FAFF => {
            "an emoji font, such as Noto Color Emoji (Debian and Ubuntu: fonts-noto-color-emoji)"
        }
        _ => {
            "a font with this character, such as one of the Noto family (Debian and Ubuntu: fonts-noto-core, fonts-noto-extra)"
        }
    };
    if system_fonts {
        format!(
            "install {what}, or add a font file to the book with `[pdf] fonts`; the guide's \"Fonts and scripts\" lists fonts per script"
        )
    } else {
        format!(
            "`[pdf] system-fonts = false`: add {what} to the book with `[pdf] fonts`, or let folio use the system's fonts"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(families: &[Family]) -> Vec<(&str, bool)> {
        families
            .iter()
            .map(|f| (f.name.as_str(), f.latin_only))
            .collect()
    }

    const INSTALLED: &[&str] = &[
        "Libertinus Serif",
        "DejaVu Sans Mono",
        "Noto Serif CJK JP",
        "Noto Serif CJK SC",
        "Noto Sans Mono CJK JP",
        "Noto Sans Mono CJK SC",
        "Noto Color Emoji",
        "Symbola",
    ];

    fn installed(family: &str) -> bool {
        INSTALLED.iter().any(|f| f.eq_ignore_ascii_case(family))
    }

    #[test]
    fn a_japanese_book_is_set_in_its_cjk_face_with_latin_letters_in_the_body_face() {
        let chain = FontChain::choose("ja", None, None, &[], &installed);
        assert!(chain.cjk);
        assert_eq!(
            names(&chain.body),
            [
                ("Libertinus Serif", true),
                ("Noto Serif CJK JP", false),
                ("Noto Color Emoji", false)
            ]
        );
        assert_eq!(
            names(&chain.mono),
            [
                ("DejaVu Sans Mono", true),
                ("Noto Sans Mono CJK JP", false),
                ("Noto Color Emoji", false)
            ]
        );
    }

    #[test]
    fn chinese_takes_its_variant_and_an_english_book_the_first_cjk_face_found() {
        let zh = FontChain::choose("zh", Some("CN"), None, &[], &installed);
        assert_eq!(zh.body[1].name, "Noto Serif CJK SC");
        let en = FontChain::choose("en", None, None, &[], &installed);
        assert!(!en.cjk);
        assert_eq!(
            names(&en.body),
            [
                ("Libertinus Serif", false),
                ("Noto Serif CJK SC", false),
                ("Noto Color Emoji", false)
            ]
        );
    }

    #[test]
    fn a_missing_variant_falls_back_to_another_face_of_it() {
        // Korean with no Korean face installed: nothing Korean is invented.
        let ko = FontChain::choose("ko", None, None, &[], &installed);
        assert_eq!(names(&ko.body)[1..], [("Noto Color Emoji", false)]);
        let sans_only = |f: &str| f == "Noto Sans CJK KR" || installed(f);
        let ko = FontChain::choose("ko", None, None, &[], &sans_only);
        assert_eq!(ko.body[1].name, "Noto Sans CJK KR");
        assert_eq!(ko.mono[1].name, "Noto Sans CJK KR");
    }

    #[test]
    fn the_books_faces_come_after_its_body_face_and_nothing_is_listed_twice() {
        let chain = FontChain::choose(
            "en",
            None,
            Some("Noto Color Emoji"),
            &["Amiri".into(), "noto color emoji".into()],
            &|f: &str| f == "Amiri" || installed(f),
        );
        assert_eq!(
            names(&chain.body),
            [
                ("Noto Color Emoji", false),
                ("Amiri", false),
                ("Noto Serif CJK SC", false)
            ]
        );
    }

    #[test]
    fn a_cjk_body_face_is_not_restricted_to_latin_letters() {
        let chain = FontChain::choose("ja", None, Some("Noto Serif CJK JP"), &[], &installed);
        assert_eq!(
            names(&chain.body),
            [("Noto Serif CJK JP", false), ("Noto Color Emoji", false)]
        );
    }

    #[test]
    fn without_system_fonts_the_chain_is_the_embedded_faces() {
        let embedded = |f: &str| f == "Libertinus Serif" || f == "DejaVu Sans Mono";
        let chain = FontChain::choose("ja", None, None, &[], &embedded);
        assert_eq!(names(&chain.body), [("Libertinus Serif", true)]);
        assert_eq!(names(&chain.mono), [("DejaVu Sans Mono", true)]);
    }

    #[test]
    fn many_missing_characters_end_in_one_warning() {
        let uncovered: Vec<Uncovered> = ('\u{4E00}'..'\u{4E64}')
            .map(|character| Uncovered {
                character,
                count: 2,
                first: None,
            })
            .collect();
        let warnings = warnings(&uncovered, true);
        assert_eq!(warnings.len(), REPORTED_ONE_BY_ONE + 1);
        assert!(
            warnings[0].message.contains("U+4E00, 2 times"),
            "{}",
            warnings[0].message
        );
        assert!(
            warnings[0]
                .hint
                .as_deref()
                .unwrap()
                .contains("fonts-noto-cjk")
        );
        assert!(
            warnings
                .last()
                .unwrap()
                .message
                .contains("60 more characters")
        );
    }
}
