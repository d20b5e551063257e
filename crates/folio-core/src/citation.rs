//! Author-year citation syntax: `[Rogers, 1962]`, `[Verdier & Murciano, 2015]`,
//! `[Coriat et al., 2015]`, `[Ostrom, 1990, p. 90]`, `[Hess, 2007a; Ostrom, 1990]`.
//!
//! The same grammar recognises a bibliography entry: a list item that starts
//! with `Name, Year` in the references chapter.

/// Splits `Authors, Year…` into authors, year and what follows the year.
/// Authors start with a letter and hold only letters, spaces and `' ’ - . &`
/// (no digits, brackets or semicolons), at most 100 characters, and at least
/// one word is capitalised, so that an editorial insertion like
/// `[la qualification, 2]` is not taken for a citation. The year is four
/// digits from 1500 to 2099 with an optional letter (`2015a`), or `s. d.` /
/// `n. d.`. Hand-written rather than a regex: it runs on every bracket and
/// every list item of a book, and this is several times faster.
fn authors_year(text: &str) -> Option<(&str, &str, &str)> {
    let text = text.trim_start();
    let comma = text.find(',')?;
    let authors = text[..comma].trim_end();
    let author_chars =
        |c: char| c.is_alphabetic() || c == ' ' || "'’-.&".contains(c) || is_combining_mark(c);
    if authors.is_empty()
        || authors.chars().count() > 100
        || !authors.starts_with(char::is_alphabetic)
        || !authors.chars().all(author_chars)
        || !authors
            .split_whitespace()
            .any(|w| w.starts_with(char::is_uppercase))
    {
        return None;
    }
    let after = text[comma + 1..].trim_start();
    let year_len = year_length(after)?;
    Some((authors, &after[..year_len], &after[year_len..]))
}

fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{300}'..='\u{36F}')
}

/// Length in bytes of the year that starts `text`, if one does.
fn year_length(text: &str) -> Option<usize> {
    for undated in ["s. d.", "s.d.", "n. d.", "n.d."] {
        if text.starts_with(undated) {
            return Some(undated.len());
        }
    }
    // Bytes, not string slices: the text may hold any character after the
    // comma (`[Dupont, 1€]`), and four ASCII digits are four bytes.
    let digits = text.as_bytes().get(..4)?;
    let century_ok = matches!(&digits[..2], b"15" | b"16" | b"17" | b"18" | b"19" | b"20");
    if !(digits.iter().all(u8::is_ascii_digit) && century_ok) {
        return None;
    }
    let letter = text[4..].starts_with(|c: char| c.is_ascii_lowercase()) as usize;
    let len = 4 + letter;
    // `19621` or `2015ab` are not years.
    (!text[len..].starts_with(|c: char| c.is_alphanumeric())).then_some(len)
}

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
    let (authors, year, rest) = authors_year(item)?;
    let rest = rest.trim();
    let locator = match rest.strip_prefix(',') {
        Some(locator) => {
            let locator = locator.trim();
            let ok = !locator.is_empty()
                && locator.chars().count() <= 40
                && !locator.contains(['[', ']', ';']);
            Some(ok.then(|| locator.to_string())?)
        }
        None if rest.is_empty() => None,
        None => return None,
    };
    Some(Cited {
        key: format!("{authors}, {year}"),
        locator,
    })
}

/// The key a bibliography entry starts with (`Rogers, 1962 : Diffusion…` →
/// `Rogers, 1962`), if it starts with one.
pub fn entry_key(text: &str) -> Option<String> {
    let (authors, year, rest) = authors_year(text)?;
    let rest = rest.trim_start();
    (rest.is_empty() || rest.starts_with([':', '.', ',', '–', '—', '-']))
        .then(|| format!("{authors}, {year}"))
}

/// Normalised form for comparing keys: case, accents, whitespace and the
/// conjunctions `&`, `and`, `et` do not matter.
pub fn normalize_key(key: &str) -> String {
    // Called for every citation of the book: one string built word by word
    // (deunicode's output is ASCII, so ASCII lowercase is all there is).
    let ascii = deunicode::deunicode(key);
    let mut normal = String::with_capacity(ascii.len());
    for word in ascii.split(|c: char| c.is_whitespace() || c == ',') {
        if word.is_empty() {
            continue;
        }
        if !normal.is_empty() {
            normal.push(' ');
        }
        if word == "&" || word.eq_ignore_ascii_case("and") || word.eq_ignore_ascii_case("et") {
            normal.push('&');
        } else {
            normal.extend(word.chars().map(|c| c.to_ascii_lowercase()));
        }
    }
    if normal.contains("al.") {
        normal = normal.replace("al.", "al");
    }
    normal
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first `normalize_key`, clear and slow (five allocations a call):
    /// the oracle the faster one is checked against.
    fn normalize_key_by_words(key: &str) -> String {
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

    #[test]
    fn normalize_key_agrees_with_the_word_list_version() {
        let pieces = [
            "Rogers", "ÉTIENNE", "et", "ET", "And", "&", "al.", "Al.", "al", ".", ",", " ", "\t",
            "1962", "ß", "Ǆ", "İ", "東京", "Ωmega", "\u{2003}", "natal.", "a,b",
        ];
        let mut next = crate::xorshift(0x2545_f491_4f6c_dd1d_u64);
        for _ in 0..20_000 {
            let words = next() % 7;
            let key: String = (0..words).map(|_| pieces[next() % pieces.len()]).collect();
            assert_eq!(normalize_key(&key), normalize_key_by_words(&key), "{key:?}");
        }
    }

    fn keys(body: &str) -> Option<Vec<String>> {
        parse_bracket(body).map(|items| items.into_iter().map(|c| c.key).collect())
    }

    #[test]
    fn recognises_author_year_forms() {
        assert_eq!(keys("Rogers, 1962"), Some(vec!["Rogers, 1962".into()]));
        assert_eq!(
            keys("Verdier & Murciano, 2015"),
            Some(vec!["Verdier & Murciano, 2015".into()])
        );
        assert_eq!(
            keys("Coriat et al., 2015"),
            Some(vec!["Coriat et al., 2015".into()])
        );
        assert_eq!(
            keys("Hess, 2007a; Ostrom, 1990"),
            Some(vec!["Hess, 2007a".into(), "Ostrom, 1990".into()])
        );
        assert_eq!(
            keys("Le Crosnier, 2018"),
            Some(vec!["Le Crosnier, 2018".into()])
        );
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
        assert_eq!(keys("Rogers, 19621"), None);
        assert_eq!(
            keys("Rogers, 1962, p. 12; Ostrom, s. d."),
            Some(vec!["Rogers, 1962".into(), "Ostrom, s. d.".into()])
        );
        assert_eq!(keys("Dupont, 1962 et 1964"), None);
    }

    #[test]
    fn any_character_may_follow_the_comma() {
        // Each of these once sliced a string inside a multi-byte character.
        for body in [
            "Dupont, 1€]",
            "C’est, c’est",
            "Lefèvre, 1éa : titre",
            "A, 19€",
            "A, 2😀",
            "A, €",
            "A, 1",
            "A, 20",
        ] {
            assert_eq!(keys(body), None, "{body}");
            assert_eq!(entry_key(body), None, "{body}");
        }
        assert_eq!(keys("Dupont, 2015€"), None);
        assert_eq!(
            entry_key("Dupont, 2015 : 10 €").as_deref(),
            Some("Dupont, 2015")
        );
    }

    #[test]
    fn entries_start_with_a_key() {
        assert_eq!(
            entry_key("Rogers, 1962 : Diffusion of Innovations").as_deref(),
            Some("Rogers, 1962")
        );
        assert_eq!(
            entry_key("Ostrom, 1990. Governing the Commons").as_deref(),
            Some("Ostrom, 1990")
        );
        assert_eq!(entry_key("Une phrase, sans date"), None);
        assert_eq!(entry_key("Une liste, 2015 éléments"), None);
        assert_eq!(
            entry_key("Hess & Ostrom, 2007 — Understanding").as_deref(),
            Some("Hess & Ostrom, 2007")
        );
    }

    #[test]
    fn keys_compare_loosely() {
        assert_eq!(
            normalize_key("Colin & Verdier, 2015"),
            normalize_key("colin  et Verdier,2015")
        );
        assert_eq!(
            normalize_key("Coriat et al., 2015"),
            normalize_key("Coriat et al, 2015")
        );
        assert_eq!(
            normalize_key("Bénabou, 2001"),
            normalize_key("Benabou, 2001")
        );
        assert_ne!(normalize_key("Hess, 2007a"), normalize_key("Hess, 2007b"));
    }
}
