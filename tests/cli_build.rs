//! `folio build` end to end: what it writes, and that a failed build leaves
//! the previous editions intact.

mod common;

use std::process::Command;

fn folio() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_folio"));
    cmd.env("SOURCE_DATE_EPOCH", "1700000000");
    cmd
}

#[test]
fn build_writes_the_site_and_a_failed_build_keeps_it() {
    let out = common::temp_out("cli-build");
    let built = folio()
        .args(["build", "--to", "html", "--out"])
        .arg(&out)
        .arg(common::fixture("white-paper"))
        .output()
        .unwrap();
    assert_eq!(
        built.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let index = out.join("html/index.html");
    let before = std::fs::read(&index).expect("the site's first page");
    assert!(
        out.join("html/2-constituants/1-code_source.html").is_file(),
        "pages mirror the sources"
    );
    assert!(
        String::from_utf8_lossy(&built.stderr).contains("warning: broken link"),
        "diagnostics are printed"
    );

    let failed = folio()
        .args(["build", "--to", "html", "--out"])
        .arg(&out)
        .arg(common::fixture("bad/missing-image"))
        .output()
        .unwrap();
    assert_eq!(failed.status.code(), Some(1));
    assert_eq!(
        std::fs::read(&index).unwrap(),
        before,
        "the previous edition is intact"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(
        leftovers.is_empty(),
        "no temporary files left: {leftovers:?}"
    );
}

#[test]
fn deny_warnings_refuses_to_build() {
    let out = common::temp_out("cli-deny");
    let built = folio()
        .args(["build", "--to", "html", "--deny-warnings", "--out"])
        .arg(&out)
        .arg(common::fixture("white-paper"))
        .output()
        .unwrap();
    assert_eq!(built.status.code(), Some(1));
    assert!(!out.join("html").exists(), "nothing written");
}

/// The editions render at once (`folio::render_all`, what `folio build`
/// does) and come out byte for byte as when rendered one after another, in
/// the order asked; two such builds agree too.
#[test]
fn editions_rendered_at_once_equal_editions_rendered_one_by_one() {
    let book = folio::core::open(&common::fixture("white-paper")).unwrap();
    let ctx = folio::RenderContext {
        timestamp: 1_700_000_000,
    };
    let one_by_one: Vec<_> = folio::Edition::ALL
        .iter()
        .map(|&edition| folio::render(&book, edition, &ctx).unwrap().files)
        .collect();
    // Asked in another order than the one they are scheduled in (PDF first).
    let order = [
        folio::Edition::Epub,
        folio::Edition::Pdf,
        folio::Edition::Html,
    ];
    let jobs: Vec<_> = order.iter().map(|&edition| (&book, edition)).collect();
    for _ in 0..2 {
        let at_once: Vec<_> = folio::render_all(&jobs, &ctx)
            .into_iter()
            .map(|output| output.unwrap().files)
            .collect();
        for (edition, files) in order.iter().zip(&at_once) {
            let at = folio::Edition::ALL
                .iter()
                .position(|e| e == edition)
                .unwrap();
            assert!(
                files == &one_by_one[at],
                "{edition:?}: rendered at once, the files differ"
            );
        }
    }
}
