//! Readable ASCII slugs for generated ids and file names.
//!
//! Accented letters are transliterated (`é` → `e`, `œ` → `oe`) with deunicode
//! rather than dropped, so `Qu'est-ce qu'un commun ?` gives
//! `qu-est-ce-qu-un-commun`, which survives every URL, file system and
//! EPUB reading system.

/// Slug of `text`: lowercase ASCII letters, digits, `_` and single `-`
/// between them; `fallback` when nothing readable remains. Only the slug:
/// a caller that needs an id prefixes it (`ch-`, `ref-`) or uses [`xml_id`].
pub fn slugify(text: &str, fallback: &str) -> String {
    let ascii = deunicode::deunicode(text);
    let mut slug = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    if slug.is_empty() {
        return fallback.to_string();
    }
    slug
}

/// An id made of the slug of `text`, valid as an XML ID (the EPUB's XHTML
/// and its navigation require one): a slug is, unless it starts with a
/// digit, which an XML name cannot; only then is it prefixed with `s-`.
/// `fallback` must be a valid XML ID itself.
pub fn xml_id(text: &str, fallback: &str) -> String {
    let slug = slugify(text, fallback);
    if slug.starts_with(|c: char| c.is_ascii_digit()) {
        format!("s-{slug}")
    } else {
        slug
    }
}

/// The ids mdBook gives a heading of `text`, which links in mdBook books
/// name: mdBook's `normalize_id` (alphanumerics, `_` and `-` kept, ASCII
/// lowercased, each whitespace a `-`, everything else dropped), then `-1`,
/// `-2`… for the second, third… heading of the same id in the chapter, as
/// `counts` remembers; and the same with every letter lowercased (a later
/// mdBook's reading). Nothing when no character is left.
pub fn mdbook_ids(text: &str, counts: &mut foldhash::HashMap<String, usize>) -> Vec<String> {
    let text = text.trim().trim_start_matches('#').trim();
    let id: String = text
        .chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                Some(c.to_ascii_lowercase())
            } else if c.is_whitespace() {
                Some('-')
            } else {
                None
            }
        })
        .collect();
    if id.is_empty() {
        return Vec::new();
    }
    let count = counts.entry(id.clone()).or_insert(0);
    let id = match *count {
        0 => id,
        n => format!("{id}-{n}"),
    };
    *count += 1;
    let lower = id.to_lowercase();
    if lower == id {
        vec![id]
    } else {
        vec![id, lower]
    }
}

#[cfg(test)]
mod tests {
    use super::{mdbook_ids, slugify, xml_id};

    #[test]
    fn mdbook_ids_are_mdbook_s() {
        let mut counts = foldhash::HashMap::default();
        let mut id = |text: &str| mdbook_ids(text, &mut counts);
        assert_eq!(id("count($ident, depth)"), ["countident-depth"]);
        assert_eq!(id("`==` or `===`"), ["-or-"]);
        assert_eq!(id("Hello World"), ["hello-world"]);
        assert_eq!(id("Hello World"), ["hello-world-1"]);
        assert_eq!(id("Été_2"), ["Été_2", "été_2"]);
        assert_eq!(id("!!!"), Vec::<String>::new());
    }

    #[test]
    fn transliterates_french() {
        assert_eq!(
            slugify("Qu’est-ce qu’un commun ?", "x"),
            "qu-est-ce-qu-un-commun"
        );
        assert_eq!(slugify("Œuvres à l'été", "x"), "oeuvres-a-l-ete");
        assert_eq!(slugify("Commun(s)", "x"), "commun-s");
    }

    #[test]
    fn the_slug_alone_keeps_what_it_starts_with() {
        assert_eq!(slugify("!!!", "section"), "section");
        assert_eq!(slugify("2. Constituants", "x"), "2-constituants");
        assert_eq!(slugify("S-Bahn", "x"), "s-bahn");
    }

    #[test]
    fn ids_are_xml_names() {
        assert_eq!(xml_id("2. Constituants", "x"), "s-2-constituants");
        assert_eq!(xml_id("S-Bahn", "x"), "s-bahn");
        assert_eq!(xml_id("_privé", "x"), "_prive");
        assert_eq!(xml_id("…", "section"), "section");
        // An XML name starts with a letter or `_`, then letters, digits, `-`, `_`, `.`.
        for text in ["1984", "2-3", "Été 2024", "-x", "__", "Ünïcödé", "٣"] {
            let id = xml_id(text, "section");
            let mut chars = id.chars();
            assert!(
                chars
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_'),
                "{text} → {id}"
            );
            assert!(
                chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')),
                "{text} → {id}"
            );
        }
    }
}
