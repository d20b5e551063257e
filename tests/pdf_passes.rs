//! typst lays a document out again until what it looks up (labels, page
//! numbers, counters) settles, and each pass costs about as much as the
//! first. folio writes its markup so that it settles on the second pass
//! (ARCHITECTURE.md, "Backends"; the guide's Performance page): a link is its
//! text alone until its target is known, a note shows the number folio gave
//! it, the table of contents holds its titles on the first pass. A change
//! that broke one of those would cost a third pass on every book without
//! changing a byte of the PDF: this counts typst's passes, with typst's
//! own timing events, on books holding every kind of cross-reference
//! (internal links, notes, citations, the table of contents, running
//! heads).
//!
//! A test binary of its own: typst's timing events are process-wide, and a
//! test compiling another PDF at the same time would add its passes.

mod common;

use std::path::{Path, PathBuf};

use folio_core::RenderContext;

/// How many times typst laid out the PDF of the book at `path`.
fn typst_passes(path: &Path) -> usize {
    let book =
        folio_core::open(path).unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
    folio_pdf::clear_cache();
    typst_timing::clear();
    typst_timing::enable();
    let output = folio_pdf::render(
        &book,
        &RenderContext {
            timestamp: 1_700_000_000,
        },
    );
    typst_timing::disable();
    output.unwrap_or_else(|e| panic!("{}: the PDF does not render: {e}", path.display()));
    let mut json = Vec::new();
    typst_timing::export_json(&mut json, |_| (String::new(), 0)).expect("typst's timing events");
    let events: Vec<serde_json::Value> = serde_json::from_slice(&json).expect("JSON events");
    // Each pass is one span named "iter (N)"; "B" opens a span.
    events
        .iter()
        .filter(|event| {
            event["ph"] == "B"
                && event["name"]
                    .as_str()
                    .is_some_and(|n| n.starts_with("iter ("))
        })
        .count()
}

#[test]
fn every_pdf_settles_on_typst_s_second_pass() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for book in [
        root.join("fixtures/white-paper"),
        root.join("fixtures/mdbook-constructs/book"),
        root.join("book"),
        common::generate::bench_book_of(16),
    ] {
        assert_eq!(
            typst_passes(&book),
            2,
            "{}: typst laid the PDF out this many times (the first pass knows no label; \
             every later one is a pass over the whole book)",
            book.display()
        );
    }
}
