//! The CommonMark 0.31.2 and GFM 0.29 spec examples, read from
//! `../shared/testdata/` at test time (see its README): shared by the
//! reader's and the HTML writer's conformance tests.

use std::path::PathBuf;

pub struct Example {
    pub suite: &'static str,
    pub number: usize,
    pub section: String,
    pub markdown: String,
    pub html: String,
}

/// Examples sit between lines of 32 backticks tagged `example`: the
/// Markdown, a line holding `.`, the HTML. `→` stands for a tab.
pub fn examples(suite: &'static str, spec: &str) -> Vec<Example> {
    let fence = "`".repeat(32);
    let mut examples = Vec::new();
    let mut section = String::new();
    let mut lines = spec.lines();
    while let Some(line) = lines.next() {
        if let Some(heading) = line.strip_prefix('#') {
            section = heading.trim_start_matches('#').trim().to_string();
            continue;
        }
        if !(line.starts_with(&fence) && line[fence.len()..].trim_start().starts_with("example")) {
            continue;
        }
        let (mut markdown, mut html, mut in_html) = (String::new(), String::new(), false);
        for line in lines.by_ref() {
            if line == fence {
                break;
            }
            if line == "." && !in_html {
                in_html = true;
                continue;
            }
            let target = if in_html { &mut html } else { &mut markdown };
            target.push_str(&line.replace('→', "\t"));
            target.push('\n');
        }
        examples.push(Example {
            suite,
            number: examples.len() + 1,
            section: section.clone(),
            markdown,
            html,
        });
    }
    examples
}

/// Both spec files, or `None` (with a notice) when they are absent — a
/// failure on CI.
pub fn spec_files() -> Option<(String, String)> {
    let testdata = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/testdata");
    let read = |name: &str| std::fs::read_to_string(testdata.join(name));
    let (Ok(commonmark), Ok(gfm)) = (
        read("commonmark-spec-0.31.2.txt"),
        read("gfm-spec-0.29.txt"),
    ) else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "spec test data missing in {}",
            testdata.display()
        );
        println!(
            "SKIPPED: CommonMark/GFM spec examples not found in {}",
            testdata.display()
        );
        return None;
    };
    Some((commonmark, gfm))
}
