//! HTML + EPUB of the generated book at 100 and 1,000 chapters: opening
//! (load, parse, resolve) and both editions rendered at once, as `folio
//! build --to html --to epub` does before writing. Measured against the
//! bytes of Markdown (target: ≥ 50 MB/s at 1,000 chapters on 2 cores), and
//! the two sizes against each other (target: t(1,000) / t(100) ≤ 11).
//!
//! `cargo bench --bench scaling`. The 1,000-chapter book (~20 MB of
//! Markdown) is written once under target/bench-books/.

#[path = "common/generate.rs"]
#[allow(dead_code)]
mod generate;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use folio::{Edition, RenderContext};

const CTX: RenderContext = RenderContext {
    timestamp: 1_700_000_000,
};

fn scaling(c: &mut Criterion) {
    let mut group = c.benchmark_group("html+epub");
    group.sample_size(10);
    for chapters in [100, 1000] {
        let dir = generate::bench_book_of(chapters);
        let bytes = generate::chapter_bytes(&folio_core::open(&dir).expect("book opens"));
        group.throughput(Throughput::Bytes(bytes));
        group.bench_function(format!("generated-{chapters}"), |b| {
            b.iter_with_large_drop(|| {
                let book = folio_core::open(&dir).expect("book opens");
                let jobs = [(&book, Edition::Html), (&book, Edition::Epub)];
                let outputs: Vec<_> = folio::render_all(&jobs, &CTX)
                    .into_iter()
                    .map(|output| output.expect("renders"))
                    .collect();
                (book, outputs)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, scaling);
criterion_main!(benches);
