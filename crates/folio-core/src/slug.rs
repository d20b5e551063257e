//! Readable ASCII slugs for generated ids and file names.
//!
//! Accented letters are transliterated (`é` → `e`, `œ` → `oe`) with deunicode
//! rather than dropped, so `Qu'est-ce qu'un commun ?` gives
//! `qu-est-ce-qu-un-commun`, which survives every URL, file system and
//! EPUB reading system.

/// Slug of `text`; `fallback` when nothing readable remains.
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
    // An id must not start with a digit in some XML tooling; prefix instead of losing it.
    if slug.starts_with(|c: char| c.is_ascii_digit()) {
        slug.insert_str(0, "s-");
    }
    slug
}

#[cfg(test)]
mod tests {
    use super::slugify;

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
    fn falls_back_and_avoids_leading_digits() {
        assert_eq!(slugify("!!!", "section"), "section");
        assert_eq!(slugify("2. Constituants", "x"), "s-2-constituants");
    }
}
