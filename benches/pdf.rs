//! The PDF edition: folio's whole `render` next to typst compiling and
//! exporting the very markup folio generates, in the same world. The
//! difference is folio's own overhead (writing the markup, mapping
//! diagnostics, choosing the standards); the target is ≤ 15 %.
//!
//! A second group isolates what makes typst lay a long book out several
//! times over (see `relayout`).
//!
//! `cargo bench --bench pdf`. typst memoises compilations in-process, so
//! every iteration starts cold ([`folio_pdf::clear_cache`]).

#[path = "common/generate.rs"]
#[allow(dead_code)]
mod generate;
#[path = "common/plain.rs"]
mod plain;

use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use folio_core::{Book, RenderContext};

const CTX: RenderContext = RenderContext {
    timestamp: 1_700_000_000,
};

/// The book, with its PDF standards fixed to PDF/A-2b so that both sides
/// of the comparison export under the same rules.
fn open(path: &Path) -> Book {
    let mut book =
        folio_core::open(path).unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
    book.config.pdf.standards =
        folio_core::config::PdfStandards::new(vec![folio_core::config::PdfStandard::A2b]).ok();
    book
}

/// The PDF of the generated book at about 100 pages (16 chapters) and
/// about 1,000 pages (156 chapters): time should grow linearly, and
/// folio's own share stay small at both sizes.
fn pdf(c: &mut Criterion) {
    let white_paper = open(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/white-paper"));
    let small = open(&generate::bench_book_of(16));
    let large = open(&generate::bench_book_of(156));
    let mut group = c.benchmark_group("pdf");
    group.sample_size(10);
    for (name, book) in [
        ("white-paper", &white_paper),
        ("generated-16", &small),
        ("generated-156", &large),
    ] {
        let markup = folio_pdf::markup(book).expect("markup");
        group.throughput(Throughput::Bytes(generate::chapter_bytes(book)));
        group.bench_function(format!("{name}/folio-render"), |b| {
            b.iter(|| {
                folio_pdf::clear_cache();
                folio_pdf::render(book, &CTX).expect("render")
            })
        });
        group.bench_function(format!("{name}/typst-alone"), |b| {
            b.iter(|| {
                folio_pdf::clear_cache();
                folio_pdf::typeset_markup(book, markup.clone(), &CTX).expect("typeset")
            })
        });
    }
    group.finish();
}

/// Why long PDFs cost what they do: typst lays the document out again until
/// what it introspects settles, and a paragraph that holds an internal link
/// or a footnote is laid out anew in every pass. A footnote shows its
/// number; a link carries, as its PDF/UA alternative text, its target's
/// page when typst cannot number the target ("Page 12": folio's anchors,
/// unnumbered headings), so it changes whenever pages move. A page number
/// in the footer costs almost nothing. Three texts of 600 paragraphs, the
/// same but for one element in each paragraph: nothing, a link to a
/// heading's label, a footnote. typst alone, no folio markup (the fonts and
/// standards of the white paper). `plain` is the floor typst itself sets:
/// no book is set faster than plain text (`examples/typeset-plain.rs`
/// measures it at any length, and its memory).
fn relayout(c: &mut Criterion) {
    let book = open(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/white-paper"));
    let mut group = c.benchmark_group("typst-relayout");
    group.sample_size(10);
    for (name, inline) in [
        ("plain", ""),
        ("link-in-every-paragraph", "#link(label(\"h0\"))[voir] "),
        ("footnote-in-every-paragraph", "#footnote[Une note.] "),
    ] {
        let text = plain::text(600, inline);
        group.bench_function(name, |b| {
            b.iter(|| {
                folio_pdf::clear_cache();
                folio_pdf::typeset_markup(&book, text.clone(), &CTX).expect("typeset")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, pdf, relayout);
criterion_main!(benches);
