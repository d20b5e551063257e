//! Hostile input that once took quadratic time, each next to ordinary text of
//! the same size: the two must stay within a small multiple of each other.
//!
//! - 100,000 headings with the same text (each generated id once tried `-2`,
//!   `-3`… from the start);
//! - 5,000 SUMMARY entries whose file names differ only in case, so their
//!   output paths and chapter ids collide (the same, and a scan of every
//!   chapter per candidate);
//! - 50,000 footnotes in one chapter (a linear search per reference);
//! - read as an mdbook-katex book (spaced dollars, display formulas kept
//!   whole): a 0.9 MB line of escaped and spaced dollars, and a 1.1 MB line
//!   of 1,500 backtick runs that never close, each followed by dollars (each
//!   pair of dollars was checked against its whole line, each run searched
//!   to the end: both killed after two minutes). Their ordinary twins hold
//!   the same text in short paragraphs (measured: 2.3× and 6.6×, linear in
//!   the line's length from 0.3 to 4.5 MB).
//!
//! Run: `cargo bench --bench hostile`; compare each `hostile` time with its
//! `ordinary` twin.

use std::path::Path;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

fn identical_headings(n: usize) -> String {
    (0..n)
        .map(|_| "## Exemple\n\nUn paragraphe court.\n\n")
        .collect()
}

fn distinct_headings(n: usize) -> String {
    (0..n)
        .map(|i| format!("## Exemple {i:06}\n\nUn paragraphe court.\n\n"))
        .collect()
}

fn footnotes(n: usize) -> String {
    let text: String = (0..n).map(|i| format!("Phrase {i}[^n{i}].\n")).collect();
    let notes: String = (0..n).map(|i| format!("[^n{i}]: Note {i}.\n")).collect();
    format!("{text}\n{notes}")
}

fn no_footnotes(n: usize) -> String {
    let text: String = (0..n).map(|i| format!("Phrase {i}[xx{i}].\n")).collect();
    let notes: String = (0..n).map(|i| format!("[yy{i}]: Note {i}.\n")).collect();
    format!("{text}\n{notes}")
}

/// mdbook-katex's reading of dollars, as an mdBook book with that
/// preprocessor is read.
const KATEX: folio::core::reader::Syntax = folio::core::reader::Syntax {
    dollar_math: true,
    mathjax_math: true,
    spaced_dollars: true,
};

/// Text repeated `n` times, on one line (`true`) or in short paragraphs.
type Repeated = fn(usize, bool) -> String;

/// Money, escaped, between spaced dollars, `n` times: on one line, or
/// each time a paragraph of its own (the same formulas, short lines).
fn escaped_and_spaced_dollars(n: usize, one_line: bool) -> String {
    let separator = if one_line { " " } else { "\n\n" };
    vec!["de \\$5 à $ x $ et \\$10"; n].join(separator) + "\n"
}

/// `n` backtick runs of distinct lengths (none closes another), each
/// followed by a pair of spaced dollars: on one line, or each run a
/// paragraph of its own.
fn unclosed_backtick_runs(n: usize, one_line: bool) -> String {
    let separator = if one_line { " " } else { "\n\n" };
    let runs: Vec<String> = (1..=n).map(|i| "`".repeat(i) + " $ y $").collect();
    runs.join(separator) + "\n"
}

/// A book of `n` chapters listed in SUMMARY.md, whose file names are
/// `n` case variants of one name (`alike`) or `n` different names.
fn summary_book(dir: &Path, n: usize, alike: bool) {
    std::fs::create_dir_all(dir).unwrap();
    let name = |i: usize| -> String {
        let letters = "abcdefghijklm";
        if alike {
            letters
                .chars()
                .enumerate()
                .map(|(bit, c)| {
                    if i >> bit & 1 == 1 {
                        c.to_ascii_uppercase()
                    } else {
                        c
                    }
                })
                .collect()
        } else {
            format!("{letters}{i:04}")
        }
    };
    let mut summary = String::from("# Summary\n\n");
    for i in 0..n {
        let file = format!("{}.md", name(i));
        summary.push_str(&format!("* [Chapitre {i}]({file})\n"));
        std::fs::write(dir.join(&file), format!("# Chapitre {i}\n\nDu texte.\n")).unwrap();
    }
    std::fs::write(dir.join("SUMMARY.md"), summary).unwrap();
}

fn hostile(c: &mut Criterion) {
    let mut group = c.benchmark_group("hostile");
    group.sample_size(10);
    for (case, hostile, ordinary) in [
        (
            "100k-headings",
            identical_headings(100_000),
            distinct_headings(100_000),
        ),
        ("50k-footnotes", footnotes(50_000), no_footnotes(50_000)),
    ] {
        group.bench_with_input(BenchmarkId::new(case, "hostile"), &hostile, |b, text| {
            b.iter_with_large_drop(|| folio::core::parse_str(text))
        });
        group.bench_with_input(BenchmarkId::new(case, "ordinary"), &ordinary, |b, text| {
            b.iter_with_large_drop(|| folio::core::parse_str(text))
        });
    }
    // The ordinary twin holds the same formulas, in short paragraphs.
    let katex_cases: [(&str, Repeated, usize); 2] = [
        ("katex-escaped-dollars", escaped_and_spaced_dollars, 37_500),
        ("katex-unclosed-backticks", unclosed_backtick_runs, 1_500),
    ];
    for (case, text_of, n) in katex_cases {
        for (kind, one_line) in [("hostile", true), ("ordinary", false)] {
            let text = text_of(n, one_line);
            group.bench_with_input(BenchmarkId::new(case, kind), &text, |b, text| {
                b.iter_with_large_drop(|| folio::core::parse_str_with(text, Some(KATEX)))
            });
        }
    }
    let dir = tempfile::tempdir().unwrap();
    for (kind, alike) in [("hostile", true), ("ordinary", false)] {
        let book = dir.path().join(kind);
        summary_book(&book, 5_000, alike);
        group.bench_with_input(
            BenchmarkId::new("5k-summary-entries", kind),
            &book,
            |b, book| b.iter_with_large_drop(|| folio::Book::load(book).unwrap()),
        );
    }
    group.finish();
}

criterion_group!(benches, hostile);
criterion_main!(benches);
