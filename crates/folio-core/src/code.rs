//! Code blocks as mdBook and rustdoc write them: the info string's language
//! and attributes (```` ```rust,ignore ````), and Rust's hidden lines.
//!
//! Decided once, by the reader: the model's [`crate::Block::CodeBlock`]
//! holds the language alone, the attributes apart, and the code as every
//! edition prints it.

/// rustdoc's and mdBook's attributes: words of an info string that are not
/// a language. A block whose info string opens with one is Rust, as rustdoc
/// reads it (```` ```ignore ````).
const RUST_ATTRIBUTES: &[&str] = &[
    "ignore",
    "should_panic",
    "no_run",
    "compile_fail",
    "edition2015",
    "edition2018",
    "edition2021",
    "edition2024",
    "editable",
    "noplayground",
    "noplaypen",
    "mdbook-runnable",
    "test_harness",
    "allow_fail",
    "standalone_crate",
];

fn is_rust_attribute(word: &str) -> bool {
    RUST_ATTRIBUTES.contains(&word)
        || word.starts_with("ignore-")
        || word.starts_with("edition")
        || (word.starts_with('E')
            && word.len() == 5
            && word[1..].bytes().all(|b| b.is_ascii_digit()))
}

/// A code block's info string read as mdBook and rustdoc read it: words
/// separated by commas or spaces; `{…}` holds attributes (`{.class #id}`).
/// The first word is the language, unless it is one of rustdoc's attributes
/// (then the block is Rust); every other word is an attribute.
pub fn info(info: &str) -> (Option<String>, Vec<String>) {
    let mut words = Vec::new();
    let mut rest = info.trim();
    while !rest.is_empty() {
        if let Some(inner) = rest.strip_prefix('{') {
            let end = inner.find('}').unwrap_or(inner.len());
            words.extend(
                inner[..end]
                    .split(|c: char| c.is_whitespace() || c == ',')
                    .filter(|w| !w.is_empty())
                    .map(|w| (w.to_string(), true)),
            );
            rest = inner
                .get(end + 1..)
                .unwrap_or("")
                .trim_start_matches([',', ' ', '\t']);
            continue;
        }
        let end = rest
            .find(|c: char| c.is_whitespace() || c == ',' || c == '{')
            .unwrap_or(rest.len());
        words.push((rest[..end].to_string(), false));
        rest = rest[end..].trim_start_matches(|c: char| c.is_whitespace() || c == ',');
    }
    let mut words = words.into_iter().peekable();
    let language = match words.peek() {
        Some((word, false)) if is_rust_attribute(word) => Some("rust".to_string()),
        Some((_, false)) => words.next().map(|(word, _)| word),
        _ => None,
    };
    (language, words.map(|(word, _)| word).collect())
}

/// Whether `language` hides mdBook's `# ` lines: Rust only (mdBook's default).
pub fn hides_lines(language: Option<&str>) -> bool {
    language.is_some_and(|l| l.eq_ignore_ascii_case("rust"))
}

/// `code` as every edition prints it: in a Rust block, each line whose
/// first non-blank characters are `# ` (or a lone `#`) is left out, and a
/// leading `##` is written `#` (mdBook's and rustdoc's escape). Also
/// returns how many lines were hidden.
pub fn visible(code: &str, language: Option<&str>) -> (String, usize) {
    if !hides_lines(language) || !code.contains('#') {
        return (code.to_string(), 0);
    }
    let mut out = String::with_capacity(code.len());
    let mut hidden = 0;
    for line in code.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let trimmed = body.trim_start();
        let indent = &body[..body.len() - trimmed.len()];
        if let Some(escaped) = trimmed.strip_prefix("##") {
            out.push_str(indent);
            out.push('#');
            out.push_str(escaped);
            out.push_str(&line[body.len()..]);
        } else if trimmed == "#" || trimmed.starts_with("# ") || trimmed.starts_with("#\t") {
            hidden += 1;
        } else {
            out.push_str(line);
        }
    }
    (out, hidden)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(list: &[&str]) -> Vec<String> {
        list.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn the_language_is_the_first_word_alone() {
        assert_eq!(info("rust"), (Some("rust".into()), vec![]));
        assert_eq!(
            info("rust,ignore"),
            (Some("rust".into()), words(&["ignore"]))
        );
        assert_eq!(
            info("rust, should_panic edition2021"),
            (Some("rust".into()), words(&["should_panic", "edition2021"]))
        );
        assert_eq!(
            info("compile_fail,E0308"),
            (Some("rust".into()), words(&["compile_fail", "E0308"]))
        );
        assert_eq!(
            info("toml {.ferris}"),
            (Some("toml".into()), words(&[".ferris"]))
        );
        assert_eq!(info("{.x #y}"), (None, words(&[".x", "#y"])));
        assert_eq!(info(""), (None, vec![]));
        assert_eq!(info("console"), (Some("console".into()), vec![]));
    }

    #[test]
    fn hidden_lines_are_left_out_of_rust_alone() {
        let code = "# fn main() {\nlet x = 1;\n#\n    # let y = 2;\n## not hidden\n#[derive(Debug)]\n#![allow(x)]\n# }\n";
        let (shown, hidden) = visible(code, Some("rust"));
        assert_eq!(
            shown,
            "let x = 1;\n# not hidden\n#[derive(Debug)]\n#![allow(x)]\n"
        );
        assert_eq!(hidden, 4);
        assert_eq!(visible(code, Some("python")).0, code);
        assert_eq!(visible(code, None).0, code);
    }
}
