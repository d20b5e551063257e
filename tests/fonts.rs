//! Fonts for every script: a character no font has is a warning at its
//! `file:line` (never a failed edition), the system's CJK and emoji faces
//! serve what the embedded fonts lack, and CJK books build in all three
//! editions with their language.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use folio_core::{Diagnostic, Severity};

fn folio() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_folio"));
    cmd.env("SOURCE_DATE_EPOCH", "1700000000");
    cmd
}

const CHAPTER: &str = "# Crab\n\nHello 🦀 and 世界.\n\nA rare mark: ⸭, and 🦀 again.\n\n```rust\n// 世界 😀\nfn main() {}\n```\n";

/// A GitBook-style book with emoji, ideographs and a rare mark in text and
/// code; `folio_toml` is written when given.
fn crab_book(tag: &str, folio_toml: Option<&str>) -> PathBuf {
    let dir = common::temp_out(tag).join("book");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("SUMMARY.md"), "# Summary\n\n* [Crab](crab.md)\n").unwrap();
    std::fs::write(dir.join("crab.md"), CHAPTER).unwrap();
    if let Some(toml) = folio_toml {
        std::fs::write(dir.join("folio.toml"), toml).unwrap();
    }
    dir
}

fn build(book: &Path, args: &[&str]) -> (Output, PathBuf) {
    let out = book.with_file_name("dist");
    let output = folio()
        .arg("build")
        .args(args)
        .arg("--out")
        .arg(&out)
        .arg(book)
        .output()
        .unwrap();
    (output, out)
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn pdf_in(dir: &Path) -> PathBuf {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "pdf"))
        .unwrap_or_else(|| panic!("no PDF in {}", dir.display()))
}

/// The uncovered-character warnings `folio check` finds: (character, line, col, message).
fn uncovered(book: &Path) -> Vec<(char, u32, u32, String)> {
    let book = folio_core::open(book).unwrap();
    folio::check(&book)
        .into_iter()
        .map(|d: Diagnostic| {
            assert_eq!(d.severity, Severity::Warning, "{d:?}");
            let span = d.span.unwrap_or_else(|| panic!("no place: {d:?}"));
            assert_eq!(book.sources[span.source.0 as usize].path, "crab.md");
            let c = d.message.split('`').nth(1).unwrap().chars().next().unwrap();
            (c, span.line, span.col, d.message)
        })
        .collect()
}

#[test]
fn a_character_no_font_has_is_warned_at_its_line_and_the_pdf_is_still_written() {
    let book = crab_book("fonts-hermetic", Some("[pdf]\nsystem-fonts = false\n"));
    let found = uncovered(&book);
    let places: Vec<(char, u32, u32)> = found.iter().map(|&(c, l, col, _)| (c, l, col)).collect();
    assert_eq!(
        places,
        [
            ('🦀', 3, 7),
            ('世', 3, 13),
            ('界', 3, 14),
            ('⸭', 5, 14),
            ('😀', 8, 7)
        ],
        "{found:#?}"
    );
    assert!(found[0].3.contains("2 times"), "{}", found[0].3);
    assert!(found[3].3.contains("once"), "{}", found[3].3);

    let (output, out) = build(&book, &["--to", "pdf"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{err}");
    assert!(err.contains("crab.md:8:7"), "the code block's line: {err}");
    assert!(!err.contains("generated source"), "{err}");
    assert!(err.contains("neither PDF/A-2b"), "{err}");
    let pdf = std::fs::read(pdf_in(&out)).unwrap();
    let text = String::from_utf8_lossy(&pdf);
    assert!(
        !text.contains("pdfaid:part"),
        "no PDF/A claim with empty boxes"
    );

    // `check` says the same without typesetting; warnings can be denied.
    let checked = folio().arg("check").arg(&book).output().unwrap();
    assert_eq!(checked.status.code(), Some(0), "{}", stderr(&checked));
    assert!(stderr(&checked).contains("no font has the character `⸭`"));
    let denied = folio()
        .args(["check", "--deny-warnings"])
        .arg(&book)
        .output()
        .unwrap();
    assert_eq!(denied.status.code(), Some(1));
}

#[test]
fn the_system_cjk_and_emoji_faces_set_what_the_embedded_fonts_lack() {
    if !common::require_font("Noto Serif CJK SC") || !common::require_font("Noto Color Emoji") {
        return;
    }
    let book = crab_book("fonts-system", None);
    // Only the rare mark is left without a font (Noto CJK and the emoji
    // font lack it).
    let left: Vec<char> = uncovered(&book).iter().map(|u| u.0).collect();
    assert_eq!(left, ['⸭']);

    let (output, out) = build(&book, &["--to", "pdf"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let pdf = pdf_in(&out);
    if let Some(fonts) = common::pdffonts(&pdf) {
        let names: Vec<&str> = fonts.iter().map(|f| f.name.as_str()).collect();
        assert!(
            names.iter().any(|n| n.contains("NotoSerifCJK")),
            "{names:?}"
        );
        assert!(
            names.iter().any(|n| n.contains("NotoSansMonoCJK")),
            "code's ideographs in the CJK monospace: {names:?}"
        );
        // Colour emoji are bitmaps drawn by a Type 3 font.
        assert!(fonts.iter().any(|f| f.font_type == "Type 3"), "{fonts:?}");
    }
    // The same fonts give the same bytes.
    let first = std::fs::read(&pdf).unwrap();
    let (again, out) = build(&book, &["--to", "pdf"]);
    assert_eq!(again.status.code(), Some(0));
    assert!(
        std::fs::read(pdf_in(&out)).unwrap() == first,
        "not reproducible"
    );
}

#[test]
fn cjk_books_build_in_every_edition_with_their_language() {
    for (file, lang, face) in [
        ("ja.md", "ja", "NotoSerifCJKjp"),
        ("zh.md", "zh-CN", "NotoSerifCJKsc"),
        ("ko.md", "ko", "NotoSerifCJKkr"),
    ] {
        let variant = &face[face.len() - 2..].to_uppercase();
        if !common::require_font(&format!("Noto Serif CJK {variant}")) {
            return;
        }
        let book = common::fixture("cjk").join(file);
        let out = common::temp_out(&format!("fonts-cjk-{lang}"));
        let output = folio()
            .args(["build", "--deny-warnings", "--out"])
            .arg(&out)
            .arg(&book)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{file}: {}", stderr(&output));

        let index = std::fs::read_to_string(out.join("html/index.html")).unwrap();
        assert!(index.contains(&format!("<html lang=\"{lang}\"")), "{file}");
        if let Some(report) = common::vnu(&[out.join("html")]) {
            report.assert_ok();
        }
        let epub = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == "epub"))
            .unwrap();
        if let Some(report) = common::epubcheck(&epub) {
            report.assert_ok();
        }

        let pdf = pdf_in(&out);
        let bytes = std::fs::read(&pdf).unwrap();
        let xmp = String::from_utf8_lossy(&bytes);
        assert!(
            xmp.contains(&format!("<rdf:li>{lang}</rdf:li>")),
            "{file}: language"
        );
        assert!(xmp.contains("pdfaid:part>2<"), "{file}: PDF/A-2b kept");
        assert!(xmp.contains("pdfuaid:part>1<"), "{file}: PDF/UA-1 kept");
        if let Some(report) = common::qpdf_check(&pdf) {
            report.assert_ok();
        }
        if let Some(fonts) = common::pdffonts(&pdf) {
            assert!(
                fonts.iter().any(|f| f.name.contains(face)),
                "{file}: {fonts:?}"
            );
        }
        // Text in the CJK face reads back (no hyphen breaks CJK words).
        if let Some(text) = common::pdftotext(&pdf) {
            let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            let sentence = match lang {
                "ja" => "トマトと紫蘇とネギを育てた",
                "zh-CN" => "我决定每天骑自行车上班",
                _ => "된장찌개는",
            };
            assert!(squeezed.contains(sentence), "{file}: {squeezed}");
        }
    }
}
