//! load + parse + resolve (everything before a backend), on the white-paper
//! fixture and on a generated 100-chapter book. Target: ≥ 50 MB/s of Markdown.

use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

#[path = "common/generate.rs"]
mod generate;

fn chapter_bytes(dir: &Path) -> u64 {
    generate::chapter_bytes(&folio::Book::load(dir).expect("book loads"))
}

fn pipeline(c: &mut Criterion) {
    let mut group = c.benchmark_group("load+parse+resolve");
    let white_paper = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/white-paper");
    group.throughput(Throughput::Bytes(chapter_bytes(&white_paper)));
    // Freeing the model is not loading it: dropping a big book's many small
    // allocations (made on the parsing threads, freed on this one) costs a
    // quarter of loading it, so it is left out of the timing.
    group.bench_function("white-paper", |b| {
        b.iter_with_large_drop(|| folio::Book::load(&white_paper).expect("fixture loads"))
    });

    let generated = generate::bench_book();
    group.throughput(Throughput::Bytes(chapter_bytes(&generated)));
    group.sample_size(20);
    group.bench_function("generated-100-chapters", |b| {
        b.iter_with_large_drop(|| folio::Book::load(&generated).expect("generated book loads"))
    });
    group.finish();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
