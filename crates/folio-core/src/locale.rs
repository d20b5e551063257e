//! The few words folio writes itself (headings of notes, navigation, the
//! colophon, accessibility summaries), in the book's language: one table for
//! every edition, so that a reader meets the same words in each of them.
//! French and English for now; any other language gets English, and the
//! editions mark those words as English (see [`Words::lang`]).

/// The interface words of one language.
#[derive(Debug)]
pub struct Words {
    /// The language these words are in (BCP 47 primary subtag).
    pub lang: &'static str,
    pub contents: &'static str,
    pub notes: &'static str,
    pub bibliography: &'static str,
    pub cover: &'static str,
    pub landmarks: &'static str,
    pub start: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    pub pagination: &'static str,
    pub skip_to_content: &'static str,
    pub whole_book: &'static str,
    pub back_to_reference: &'static str,
    pub back_to_citation: &'static str,
    pub task_done: &'static str,
    pub task_open: &'static str,
    pub license: &'static str,
    pub version: &'static str,
    pub built_with: &'static str,
    /// `: ` after a label (French sets a no-break space before the colon).
    pub colon: &'static str,
    /// Default accessibility summary: the structure…
    pub summary_structure: &'static str,
    /// …then one of these.
    pub summary_alt_text: &'static str,
    pub summary_no_images: &'static str,
    pub summary_missing_alt_text: &'static str,
    /// Month names, January first, as written inside a date.
    pub months: [&'static str; 12],
}

const FRENCH: Words = Words {
    lang: "fr",
    contents: "Table des matières",
    notes: "Notes",
    bibliography: "Bibliographie",
    cover: "Couverture",
    landmarks: "Repères",
    start: "Début du texte",
    previous: "Précédent",
    next: "Suivant",
    pagination: "Chapitres précédent et suivant",
    skip_to_content: "Aller au contenu",
    whole_book: "Le livre entier sur une page",
    back_to_reference: "Retour à l’appel de note",
    back_to_citation: "Retour à la citation",
    task_done: "fait",
    task_open: "à faire",
    license: "Licence",
    version: "Version",
    built_with: "Composé avec folio.",
    colon: "\u{a0}: ",
    summary_structure: "Cette publication suit la structure de sa source\u{a0}: titres hiérarchisés, \
        table des matières navigable, ordre de lecture logique, notes liées à leur appel.",
    summary_alt_text: "Chaque image a une alternative textuelle.",
    summary_no_images: "Elle ne contient pas d’image.",
    summary_missing_alt_text: "Certaines images n’ont pas d’alternative textuelle.",
    months: [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
};

const ENGLISH: Words = Words {
    lang: "en",
    contents: "Contents",
    notes: "Notes",
    bibliography: "Bibliography",
    cover: "Cover",
    landmarks: "Landmarks",
    start: "Start of content",
    previous: "Previous",
    next: "Next",
    pagination: "Previous and next chapters",
    skip_to_content: "Skip to content",
    whole_book: "The whole book on one page",
    back_to_reference: "Back to reference",
    back_to_citation: "Back to citation",
    task_done: "done",
    task_open: "to do",
    license: "License",
    version: "Version",
    built_with: "Built with folio.",
    colon: ": ",
    summary_structure: "This publication follows the structure of its source: hierarchical headings, \
        a navigable table of contents, a logical reading order, notes linked to their references.",
    summary_alt_text: "Every image has a text alternative.",
    summary_no_images: "It contains no images.",
    summary_missing_alt_text: "Some images have no text alternative.",
    months: [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
};

/// The words for a BCP 47 language tag (`fr`, `fr-CA`, `en-GB`…).
pub fn words(language: &str) -> &'static Words {
    if primary_subtag(language).eq_ignore_ascii_case("fr") {
        &FRENCH
    } else {
        &ENGLISH
    }
}

impl Words {
    /// Are these words in `language`? When not, editions mark them as `lang`.
    pub fn are_in(&self, language: &str) -> bool {
        primary_subtag(language).eq_ignore_ascii_case(self.lang)
    }
}

/// A date written `YYYY-MM-DD` or `YYYY-MM` (what follows, such as a time,
/// ignored) as a reader of `language` writes it: `15 mars 2024`,
/// `1er mars 2024`, `15 March 2024`, `March 15, 2024` in American English,
/// `mars 2024`. `None` for another form, an impossible date, or a language
/// without month names here: the date is then shown as written.
pub fn long_date(language: &str, date: &str) -> Option<String> {
    let words = words(language);
    if !words.are_in(language) {
        return None;
    }
    let number = |range: std::ops::Range<usize>| {
        date.get(range)
            .filter(|d| d.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|d| d.parse::<u32>().ok())
    };
    let (year, month) = (number(0..4)?, number(5..7)?);
    if date.as_bytes().get(4) != Some(&b'-') || !(1..=12).contains(&month) {
        return None;
    }
    let month_name = words.months[month as usize - 1];
    let day = match date.as_bytes().get(7) {
        None => return Some(format!("{month_name} {year}")),
        Some(b'-') => number(8..10)?,
        Some(_) => return None,
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ][month as usize - 1];
    if !(1..=days_in_month).contains(&day) {
        return None;
    }
    Some(match words.lang {
        "fr" if day == 1 => format!("1er {month_name} {year}"),
        "en" if language.to_ascii_lowercase().ends_with("-us") => {
            format!("{month_name} {day}, {year}")
        }
        _ => format!("{day} {month_name} {year}"),
    })
}

fn primary_subtag(language: &str) -> &str {
    language.split(['-', '_']).next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_for_french_english_otherwise() {
        assert_eq!(words("fr-CA").contents, "Table des matières");
        assert!(words("fr").are_in("fr-CA"));
        assert_eq!(words("de").contents, "Contents");
        assert!(!words("de").are_in("de"));
        assert!(words("en-GB").are_in("en-GB"));
    }

    #[test]
    fn long_dates() {
        assert_eq!(
            long_date("fr", "2024-03-15").as_deref(),
            Some("15 mars 2024")
        );
        assert_eq!(
            long_date("fr-CA", "2024-03-01").as_deref(),
            Some("1er mars 2024")
        );
        assert_eq!(
            long_date("en", "2024-03-15T10:00:00Z").as_deref(),
            Some("15 March 2024")
        );
        assert_eq!(
            long_date("en-US", "2024-03-15").as_deref(),
            Some("March 15, 2024")
        );
        assert_eq!(long_date("fr", "2024-08").as_deref(), Some("août 2024"));
        assert_eq!(
            long_date("fr", "2024-02-29").as_deref(),
            Some("29 février 2024")
        );
        for (language, date) in [
            ("fr", "2023-02-29"),
            ("fr", "2024-13-01"),
            ("fr", "mars 2024"),
            ("fr", "2024"),
            ("fr", "2024-3-5"),
            ("de", "2024-03-15"),
        ] {
            assert_eq!(long_date(language, date), None, "{language} {date}");
        }
    }
}
