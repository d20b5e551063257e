//! typst alone on plain justified text, in the world of `fixtures/white-paper`
//! (its fonts and standards), for measuring the floor typst itself sets for a
//! PDF of any length, time and memory (`/usr/bin/time -v`):
//!
//!     cargo run --release --example typeset-plain -- PARAGRAPHS OUT.pdf
//!
//! 3,750 paragraphs make 900 A4 pages. The text is `benches/common/plain.rs`,
//! the `plain` case of `cargo bench --bench pdf -- typst-relayout`.

#[path = "../benches/common/plain.rs"]
mod plain;

use std::path::Path;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(paragraphs), Some(out)) = (args.next(), args.next()) else {
        eprintln!("usage: typeset-plain PARAGRAPHS OUT.pdf");
        std::process::exit(2);
    };
    let Ok(paragraphs) = paragraphs.parse::<usize>() else {
        eprintln!("PARAGRAPHS must be a number, not {paragraphs:?}");
        std::process::exit(2);
    };
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/white-paper");
    let book = folio_core::open(&fixture).expect("the white paper opens");
    let ctx = folio_core::RenderContext {
        timestamp: 1_700_000_000,
    };
    let start = Instant::now();
    let pdf = folio_pdf::typeset_markup(&book, plain::text(paragraphs, ""), &ctx)
        .expect("typst sets plain text");
    let elapsed = start.elapsed();
    std::fs::write(&out, pdf).expect("the PDF is written");
    println!("{paragraphs} paragraphs typeset and exported in {elapsed:.2?}");
}
