//! Writes the benches' generated book with any number of chapters, for
//! measuring folio from the command line (`/usr/bin/time -v`, callgrind):
//!
//!     cargo run --release --example generate-book -- DIR CHAPTERS
//!
//! DIR must not hold an earlier book. Prints the bytes of Markdown written.

#[path = "../benches/common/generate.rs"]
#[allow(dead_code)]
mod generate;

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(chapters)) = (args.next(), args.next()) else {
        eprintln!("usage: generate-book DIR CHAPTERS");
        std::process::exit(2);
    };
    let Ok(chapters) = chapters.parse::<usize>() else {
        eprintln!("CHAPTERS must be a number, not {chapters:?}");
        std::process::exit(2);
    };
    let bytes = generate::generate_book(dir.as_ref(), chapters);
    println!("{bytes}");
}
