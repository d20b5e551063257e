//! load + parse + resolve (everything before a backend), on the white-paper
//! fixture and on a generated 100-chapter book. Target: ≥ 50 MB/s of Markdown.

use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

#[path = "common/generate.rs"]
mod generate;

/// Bytes of Markdown in a book folder (what the throughput is measured against).
fn markdown_bytes(dir: &Path) -> u64 {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            total += markdown_bytes(&path);
        } else if path.extension().is_some_and(|e| e == "md") {
            total += entry.metadata().map_or(0, |m| m.len());
        }
    }
    total
}

fn pipeline(c: &mut Criterion) {
    let mut group = c.benchmark_group("load+parse+resolve");
    let white_paper = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/white-paper");
    group.throughput(Throughput::Bytes(markdown_bytes(&white_paper)));
    group.bench_function("white-paper", |b| b.iter(|| folio::Book::load(&white_paper).expect("fixture loads")));

    let generated = generate::bench_book();
    group.throughput(Throughput::Bytes(markdown_bytes(&generated)));
    group.sample_size(20);
    group.bench_function("generated-100-chapters", |b| b.iter(|| folio::Book::load(&generated).expect("generated book loads")));
    group.finish();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
