//! The EPUB edition of the generated 100-chapter book: chapter XHTML,
//! navigation, package document and the deflated archive, measured against
//! the bytes of source Markdown (target: at least 30 MB/s). Reading the image
//! assets from disk is included, as the edition does it.
//!
//! `cargo bench --bench epub`.

#[path = "common/generate.rs"]
mod generate;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use folio_core::RenderContext;

const CTX: RenderContext = RenderContext {
    timestamp: 1_700_000_000,
};

fn epub(c: &mut Criterion) {
    let dir = generate::bench_book();
    let book =
        folio_core::open(&dir).unwrap_or_else(|e| panic!("cannot open {}: {e}", dir.display()));
    let markdown = generate::chapter_bytes(&book);
    let mut group = c.benchmark_group("epub");
    group.sample_size(20);
    group.throughput(Throughput::Bytes(markdown));
    group.bench_function("generated-100/render", |b| {
        b.iter(|| folio_epub::render(&book, &CTX).expect("render"))
    });
    group.finish();
}

criterion_group!(benches, epub);
criterion_main!(benches);
