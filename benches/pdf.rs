//! The PDF edition: folio's whole `render` next to typst compiling and
//! exporting the very markup folio generates, in the same world. The
//! difference is folio's own overhead (writing the markup, mapping
//! diagnostics, choosing the standards); the target is ≤ 15 %.
//!
//! `cargo bench --bench pdf`. typst memoises compilations in-process, so
//! every iteration starts cold ([`folio_pdf::clear_cache`]).

#[path = "common/generate.rs"]
mod generate;

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

/// The generated 100-chapter book, written once under target/.
fn generated_book() -> Book {
    open(&generate::bench_book())
}

fn pdf(c: &mut Criterion) {
    let white_paper = open(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/white-paper"));
    let generated = generated_book();
    let mut group = c.benchmark_group("pdf");
    group.sample_size(10);
    for (name, book) in [("white-paper", &white_paper), ("generated-100", &generated)] {
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

criterion_group!(benches, pdf);
criterion_main!(benches);
