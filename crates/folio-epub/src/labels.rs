//! The few words folio itself writes into the EPUB, in the book's language
//! when we have them (French, English), in English otherwise — marked as
//! English then, so that a screen reader pronounces them right.

pub(crate) struct Labels {
    /// The language these words are in.
    pub lang: &'static str,
    pub contents: &'static str,
    pub landmarks: &'static str,
    pub cover: &'static str,
    pub start: &'static str,
    pub bibliography: &'static str,
    /// Default `schema:accessibilitySummary`: the structure…
    pub summary_structure: &'static str,
    /// …then one of these.
    pub summary_alt_text: &'static str,
    pub summary_no_images: &'static str,
    pub summary_missing_alt_text: &'static str,
}

const FRENCH: Labels = Labels {
    lang: "fr",
    contents: "Table des matières",
    landmarks: "Repères",
    cover: "Couverture",
    start: "Début du texte",
    bibliography: "Bibliographie",
    summary_structure: "Cette publication suit la structure de sa source\u{a0}: titres hiérarchisés, \
        table des matières navigable, ordre de lecture logique, notes liées à leur appel.",
    summary_alt_text: "Chaque image a une alternative textuelle.",
    summary_no_images: "Elle ne contient pas d’image.",
    summary_missing_alt_text: "Certaines images n’ont pas d’alternative textuelle.",
};

const ENGLISH: Labels = Labels {
    lang: "en",
    contents: "Contents",
    landmarks: "Landmarks",
    cover: "Cover",
    start: "Start of content",
    bibliography: "Bibliography",
    summary_structure: "This publication follows the structure of its source: hierarchical headings, \
        a navigable table of contents, a logical reading order, notes linked to their references.",
    summary_alt_text: "Every image has a text alternative.",
    summary_no_images: "It contains no images.",
    summary_missing_alt_text: "Some images have no text alternative.",
};

/// The labels for a BCP 47 language tag.
pub(crate) fn labels(language: &str) -> &'static Labels {
    if primary_subtag(language).eq_ignore_ascii_case("fr") { &FRENCH } else { &ENGLISH }
}

impl Labels {
    /// ` lang="en" xml:lang="en"` when these words are not in `language`.
    pub(crate) fn lang_if_foreign(&self, language: &str) -> String {
        if primary_subtag(language).eq_ignore_ascii_case(self.lang) {
            String::new()
        } else {
            crate::xml::lang_attributes(self.lang)
        }
    }
}

fn primary_subtag(language: &str) -> &str {
    language.split(['-', '_']).next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_for_french_english_marked_as_such_otherwise() {
        assert_eq!(labels("fr-CA").contents, "Table des matières");
        assert_eq!(labels("fr").lang_if_foreign("fr-CA"), "");
        assert_eq!(labels("de").contents, "Contents");
        assert_eq!(labels("de").lang_if_foreign("de"), r#" lang="en" xml:lang="en""#);
        assert_eq!(labels("en-GB").lang_if_foreign("en-GB"), "");
    }
}
