//! Rebuilding after a one-chapter edit ([`folio::Session`]) against a full
//! build of the same editions, in the same run:
//!
//! - HTML + EPUB of the generated 1,000-chapter book: a full build opens
//!   the book and renders both editions; a rebuild reloads it (reading
//!   every file, parsing and resolving the edited chapter) and renders the
//!   edited chapter again.
//! - The PDF of the generated 100-chapter book: a full build starts typst
//!   cold; a rebuild gives the kept world the new markup.
//!
//! Each rebuild edits the middle chapter (a sentence added or taken away,
//! in turn). `cargo bench --bench incremental`; the books are written under
//! target/bench-books/ (copies: the edits never touch the other benches' books).

#[path = "common/generate.rs"]
#[allow(dead_code)]
mod generate;

use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use folio::{Edition, RenderContext, Session};

const CTX: RenderContext = RenderContext {
    timestamp: 1_700_000_000,
};

/// A fresh generated book of `chapters` chapters for this bench to edit.
fn book_to_edit(chapters: usize) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!(
        "target/bench-books/incremental-{chapters}-chapters"
    ));
    if dir.exists() {
        std::fs::remove_dir_all(&dir).expect("old copy removed");
    }
    generate::generate_book(&dir, chapters);
    dir
}

/// Edits one chapter file, differently on every call.
struct Editor {
    file: PathBuf,
    original: String,
    edits: usize,
}

impl Editor {
    /// The middle chapter of the book at `dir`.
    fn new(dir: &Path) -> Self {
        let book = folio_core::open(dir).expect("book opens");
        let file = dir.join(&book.chapters[book.chapters.len() / 2].file);
        let original = std::fs::read_to_string(&file).expect("chapter read");
        Editor {
            file,
            original,
            edits: 0,
        }
    }

    fn edit(&mut self) {
        self.edits += 1;
        let text = if self.edits % 2 == 1 {
            format!(
                "{}\nUne phrase de plus, le temps d'une mesure.\n",
                self.original
            )
        } else {
            self.original.clone()
        };
        std::fs::write(&self.file, text).expect("chapter written");
    }
}

fn rebuild(c: &mut Criterion, name: &str, chapters: usize, editions: &[Edition]) {
    let dir = book_to_edit(chapters);
    let mut group = c.benchmark_group("rebuild");
    group.sample_size(10);
    group.bench_function(format!("{name}/full"), |b| {
        b.iter_with_large_drop(|| {
            folio_pdf::clear_cache();
            let book = folio_core::open(&dir).expect("book opens");
            let jobs: Vec<_> = editions.iter().map(|e| (&book, *e)).collect();
            let outputs: Vec<_> = folio::render_all(&jobs, &CTX)
                .into_iter()
                .map(|output| output.expect("renders"))
                .collect();
            (book, outputs)
        })
    });
    folio_pdf::clear_cache();
    let mut editor = Editor::new(&dir);
    let mut session = Session::open(&dir).expect("book opens");
    for (_, output) in session.render(editions, &CTX) {
        output.expect("renders");
    }
    group.bench_function(format!("{name}/one-chapter-edited"), |b| {
        b.iter_with_large_drop(|| {
            editor.edit();
            let reload = session.reload().expect("book reloads");
            // A sentence stays inside its chapter: the rebuild measured
            // resolves that chapter alone.
            assert_eq!(
                reload.resolved_chapters, 1,
                "the edited chapter alone resolved"
            );
            session
                .render(editions, &CTX)
                .into_iter()
                .map(|(_, output)| output.expect("renders"))
                .collect::<Vec<_>>()
        })
    });
    group.finish();
}

fn incremental(c: &mut Criterion) {
    rebuild(c, "html+epub-1000", 1000, &[Edition::Html, Edition::Epub]);
    rebuild(c, "pdf-100", 100, &[Edition::Pdf]);
}

criterion_group!(benches, incremental);
criterion_main!(benches);
