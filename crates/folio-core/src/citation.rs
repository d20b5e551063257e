//! Author-year citation syntax: `[Rogers, 1962]`, `[Verdier & Murciano, 2015]`,
//! `[Coriat et al., 2015]`, `[Ostrom, 1990, p. 90]`, `[Hess, 2007a; Ostrom, 1990]`.
//!
//! The same grammar recognises a bibliography entry: a list item that starts
//! with `Name, Year` in the references chapter.

use std::sync::LazyLock;

use regex::Regex;

/// Authors then year: `Name[ & Name | et al.], 1962[a]`. Authors start with a
/// letter and hold no digits, brackets or semicolons; at least one word is
/// capitalised, so an editorial insertion like `[la qualification, 2]` is not
/// mistaken for a citation.
const AUTHORS_YEAR: &str = r"(?P<authors>[\p{L}][\p{L}\p{M}'’\-. &]{0,100}?),\s*(?P<year>(?:1[5-9]|20)\d\d[a-z]?|s\.\s?d\.|n\.\s?d\.)";

static ITEM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"^\s*{AUTHORS_YEAR}(?:\s*,\s*(?P<locator>[^\[\];]{{1,40}}?))?\s*$"))
        .expect("citation pattern is valid")
});

static ENTRY_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"^\s*{AUTHORS_YEAR}(?:\s*[:.,–—\-]|\s*$)")).expect("entry pattern is valid")
});

/// One parsed citation item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cited {
    /// `Rogers, 1962`: authors and year as typed, whitespace trimmed.
    pub key: String,
    pub locator: Option<String>,
}

/// Parses the text between two brackets; `None` if it is not a citation.
pub fn parse_bracket(body: &str) -> Option<Vec<Cited>> {
    // Cheap refusal first: every citation has a year (or s. d. / n. d.).
    if !body.contains(|c: char| c.is_ascii_digit()) && !body.contains("d.") {
        return None;
    }
    body.split(';').map(parse_item).collect()
}

fn parse_item(item: &str) -> Option<Cited> {
    let caps = ITEM.captures(item)?;
    let authors = caps["authors"].trim();
    if !has_capitalised_word(authors) {
        return None;
    }
    Some(Cited {
        key: format!("{}, {}", authors, &caps["year"]),
        locator: caps.name("locator").map(|l| l.as_str().trim().to_string()),
    })
}

fn has_capitalised_word(authors: &str) -> bool {
    authors.split_whitespace().any(|w| w.chars().next().is_some_and(char::is_uppercase))
}

/// The key a bibliography entry starts with (`Rogers, 1962 : Diffusion…` →
/// `Rogers, 1962`), if it starts with one.
pub fn entry_key(text: &str) -> Option<String> {
    let caps = ENTRY_START.captures(text)?;
    let authors = caps["authors"].trim();
    has_capitalised_word(authors).then(|| format!("{}, {}", authors, &caps["year"]))
}

/// Normalised form for comparing keys: case, accents, whitespace and the
/// conjunctions `&`, `and`, `et` do not matter.
pub fn normalize_key(key: &str) -> String {
    let ascii = deunicode::deunicode(key).to_lowercase();
    let mut words: Vec<&str> = Vec::new();
    for word in ascii.split(|c: char| c.is_whitespace() || c == ',') {
        match word {
            "" => {}
            "and" | "et" | "&" => words.push("&"),
            w => words.push(w),
        }
    }
    words.join(" ").replace("al.", "al")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(body: &str) -> Option<Vec<String>> {
        parse_bracket(body).map(|items| items.into_iter().map(|c| c.key).collect())
    }

    #[test]
    fn recognises_author_year_forms() {
        assert_eq!(keys("Rogers, 1962"), Some(vec!["Rogers, 1962".into()]));
        assert_eq!(keys("Verdier & Murciano, 2015"), Some(vec!["Verdier & Murciano, 2015".into()]));
        assert_eq!(keys("Coriat et al., 2015"), Some(vec!["Coriat et al., 2015".into()]));
        assert_eq!(keys("Hess, 2007a; Ostrom, 1990"), Some(vec!["Hess, 2007a".into(), "Ostrom, 1990".into()]));
        assert_eq!(keys("Le Crosnier, 2018"), Some(vec!["Le Crosnier, 2018".into()]));
        let located = parse_bracket("Ostrom, 1990, p. 90").unwrap();
        assert_eq!(located[0].locator.as_deref(), Some("p. 90"));
    }

    #[test]
    fn leaves_other_brackets_alone() {
        assert_eq!(keys("la qualification de bien public"), None);
        assert_eq!(keys("1"), None);
        assert_eq!(keys("x"), None);
        assert_eq!(keys("voir, 1962"), None);
        assert_eq!(keys("Rogers, 1962; et puis"), None);
    }

    #[test]
    fn entries_start_with_a_key() {
        assert_eq!(entry_key("Rogers, 1962 : Diffusion of Innovations").as_deref(), Some("Rogers, 1962"));
        assert_eq!(entry_key("Ostrom, 1990. Governing the Commons").as_deref(), Some("Ostrom, 1990"));
        assert_eq!(entry_key("Une phrase, sans date"), None);
    }

    #[test]
    fn keys_compare_loosely() {
        assert_eq!(normalize_key("Colin & Verdier, 2015"), normalize_key("colin  et Verdier,2015"));
        assert_eq!(normalize_key("Coriat et al., 2015"), normalize_key("Coriat et al, 2015"));
        assert_eq!(normalize_key("Bénabou, 2001"), normalize_key("Benabou, 2001"));
        assert_ne!(normalize_key("Hess, 2007a"), normalize_key("Hess, 2007b"));
    }
}
