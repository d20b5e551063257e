//! The HTML edition of the generated 100-chapter book: every page,
//! print.html and the theme, measured against the bytes of source Markdown
//! (target: at least 50 MB/s). Asset copying is file I/O, not rendering, and
//! is included as the edition does it.
//!
//! `cargo bench --bench html`.

#[path = "common/generate.rs"]
mod generate;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use folio_core::RenderContext;

const CTX: RenderContext = RenderContext {
    timestamp: 1_700_000_000,
};

fn html(c: &mut Criterion) {
    let dir = generate::bench_book();
    let book =
        folio_core::open(&dir).unwrap_or_else(|e| panic!("cannot open {}: {e}", dir.display()));
    let markdown = generate::chapter_bytes(&book);
    let mut group = c.benchmark_group("html");
    group.sample_size(20);
    group.throughput(Throughput::Bytes(markdown));
    group.bench_function("generated-100/render", |b| {
        b.iter(|| folio_html::render(&book, &CTX).expect("render"))
    });
    group.finish();
}

criterion_group!(benches, html);
criterion_main!(benches);
