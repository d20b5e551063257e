//! The few words folio writes itself (headings of notes, navigation, the
//! colophon, accessibility summaries), in the book's language: one table for
//! every edition, so that a reader meets the same words in each of them.
//! French and English for now; any other language gets English, and the
//! editions mark those words as English (see [`Words::lang`]).

use crate::date::PubDate;
use crate::model::AlertKind;

/// The interface words of one language.
#[derive(Debug)]
pub struct Words {
    /// The language these words are in (BCP 47 primary subtag).
    pub lang: &'static str,
    pub contents: &'static str,
    pub notes: &'static str,
    pub bibliography: &'static str,
    /// The title of a GitBook glossary that has none of its own.
    pub glossary: &'static str,
    pub cover: &'static str,
    pub landmarks: &'static str,
    pub start: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    pub pagination: &'static str,
    pub skip_to_content: &'static str,
    pub whole_book: &'static str,
    /// The link to the book's sources (`[html] repository`).
    pub repository: &'static str,
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
    /// The labels of GitHub's alerts: note, tip, important, warning, caution.
    pub alerts: [&'static str; 5],
}

const FRENCH: Words = Words {
    lang: "fr",
    contents: "Table des matières",
    notes: "Notes",
    bibliography: "Bibliographie",
    glossary: "Glossaire",
    cover: "Couverture",
    landmarks: "Repères",
    start: "Début du texte",
    previous: "Précédent",
    next: "Suivant",
    pagination: "Chapitres précédent et suivant",
    skip_to_content: "Aller au contenu",
    whole_book: "Le livre entier sur une page",
    repository: "Dépôt des sources",
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
    alerts: [
        "Remarque",
        "Astuce",
        "Important",
        "Avertissement",
        "Attention",
    ],
};

const ENGLISH: Words = Words {
    lang: "en",
    contents: "Contents",
    notes: "Notes",
    bibliography: "Bibliography",
    glossary: "Glossary",
    cover: "Cover",
    landmarks: "Landmarks",
    start: "Start of content",
    previous: "Previous",
    next: "Next",
    pagination: "Previous and next chapters",
    skip_to_content: "Skip to content",
    whole_book: "The whole book on one page",
    repository: "Source repository",
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
    alerts: ["Note", "Tip", "Important", "Warning", "Caution"],
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
    /// The label every edition prints above an alert of `kind`, and whether
    /// it is one of these words (else the author's word, in the book's
    /// language): GitHub's five kinds in these words; another kind after
    /// its word, `EDITION-2021` as `Edition 2021`.
    pub fn alert(&self, kind: &AlertKind) -> (std::borrow::Cow<'static, str>, bool) {
        let i = match kind {
            AlertKind::Note => 0,
            AlertKind::Tip => 1,
            AlertKind::Important => 2,
            AlertKind::Warning => 3,
            AlertKind::Caution => 4,
            AlertKind::Other(word) => {
                let spaced = word.to_lowercase().replace(['-', '_'], " ");
                let mut chars = spaced.chars();
                let label: String = chars
                    .next()
                    .map(|first| first.to_uppercase().chain(chars).collect())
                    .unwrap_or_default();
                return (label.into(), false);
            }
        };
        (self.alerts[i].into(), true)
    }

    /// Are these words in `language`? When not, editions mark them as `lang`.
    pub fn are_in(&self, language: &str) -> bool {
        primary_subtag(language).eq_ignore_ascii_case(self.lang)
    }
}

/// `date` as a reader of `language` writes it: `15 mars 2024`,
/// `1er mars 2024`, `15 March 2024`, `March 15, 2024` in American English,
/// `mars 2024`, `2024`. In a language without month names here, the W3C
/// form (`2024-03-15`), which reads the same everywhere.
pub fn long_date(language: &str, date: PubDate) -> String {
    let words = words(language);
    let (Some(month), true) = (date.month(), words.are_in(language)) else {
        return date.to_string();
    };
    let year = date.year();
    let month_name = words.months[usize::from(month) - 1];
    match (date.day(), words.lang) {
        (None, _) => format!("{month_name} {year}"),
        (Some(1), "fr") => format!("1er {month_name} {year}"),
        (Some(day), "en") if language.to_ascii_lowercase().ends_with("-us") => {
            format!("{month_name} {day}, {year}")
        }
        (Some(day), _) => format!("{day} {month_name} {year}"),
    }
}

fn primary_subtag(language: &str) -> &str {
    language.split(['-', '_']).next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alert_labels_are_in_the_books_language() {
        use crate::model::AlertKind;
        assert_eq!(
            words("fr").alert(&AlertKind::Note),
            ("Remarque".into(), true)
        );
        assert_eq!(
            words("fr-CA").alert(&AlertKind::Caution),
            ("Attention".into(), true)
        );
        assert_eq!(words("en").alert(&AlertKind::Tip), ("Tip".into(), true));
        // Any other language: English, marked as such by the editions.
        assert_eq!(
            words("de").alert(&AlertKind::Warning),
            ("Warning".into(), true)
        );
        assert!(!words("de").are_in("de"));
        // Another kind: its own word.
        let other = AlertKind::from_word("edition-2021").unwrap();
        assert_eq!(other, AlertKind::Other("EDITION-2021".into()));
        assert_eq!(words("fr").alert(&other), ("Edition 2021".into(), false));
        assert_eq!(AlertKind::from_word("not a kind"), None);
    }

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
        let date = |text: &str| text.parse::<PubDate>().unwrap();
        for (language, written, long) in [
            ("fr", "2024-03-15", "15 mars 2024"),
            ("fr-CA", "2024-03-01", "1er mars 2024"),
            ("en", "2024-03-15T10:00:00Z", "15 March 2024"),
            ("en-US", "2024-03-15", "March 15, 2024"),
            ("fr", "2024-08", "août 2024"),
            ("fr", "2024-02-29", "29 février 2024"),
            ("fr", "2024", "2024"),
            ("de", "2024-03-15", "2024-03-15"),
        ] {
            assert_eq!(
                long_date(language, date(written)),
                long,
                "{language} {written}"
            );
        }
    }
}
