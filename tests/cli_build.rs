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
