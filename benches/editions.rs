//! All three editions of one book, the way `folio build` renders them:
//! one after another (as folio did until editions ran at once) against
//! [`folio::render_all`] (the PDF beside the HTML and the EPUB on one
//! pool). Both sides in the same run, on the same machine load, so the
//! ratio holds even where the absolute times move. Target: ≥ 1.5×.
//!
//! `cargo bench --bench editions`. typst memoises compilations in-process,
//! so every iteration starts cold ([`folio_pdf::clear_cache`]).

#[path = "common/generate.rs"]
#[allow(dead_code)]
mod generate;

use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use folio::{Edition, RenderContext};

const CTX: RenderContext = RenderContext {
    timestamp: 1_700_000_000,
};

fn editions(c: &mut Criterion) {
    let white_paper = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/white-paper");
    // About the size of a real book: 31 chapters (~600 KB of Markdown).
    let generated = generate::bench_book_of(31);
    let mut group = c.benchmark_group("editions");
    group.sample_size(10);
    for (name, dir) in [("white-paper", white_paper), ("generated-31", generated)] {
        let book = folio_core::open(&dir).expect("book opens");
        group.throughput(Throughput::Bytes(generate::chapter_bytes(&book)));
        group.bench_function(format!("{name}/one-by-one"), |b| {
            b.iter(|| {
                folio_pdf::clear_cache();
                Edition::ALL
                    .iter()
                    .map(|&edition| folio::render(&book, edition, &CTX).expect("renders"))
                    .collect::<Vec<_>>()
            })
        });
        group.bench_function(format!("{name}/at-once"), |b| {
            let jobs: Vec<_> = Edition::ALL.iter().map(|&e| (&book, e)).collect();
            b.iter(|| {
                folio_pdf::clear_cache();
                folio::render_all(&jobs, &CTX)
                    .into_iter()
                    .map(|output| output.expect("renders"))
                    .collect::<Vec<_>>()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, editions);
criterion_main!(benches);
