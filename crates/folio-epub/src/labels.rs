//! The words folio writes into the EPUB come from `folio_core::locale`; in
//! a language folio has no words for they are English, and marked so, so
//! that a screen reader pronounces them right.

pub(crate) use folio_core::locale::{Words, words as labels};

/// ` lang="en" xml:lang="en"` when `words` are not in the book's `language`.
pub(crate) fn lang_if_foreign(words: &Words, language: &str) -> String {
    if words.are_in(language) {
        String::new()
    } else {
        crate::xml::lang_attributes(words.lang)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_words_are_marked() {
        assert_eq!(lang_if_foreign(labels("fr"), "fr-CA"), "");
        assert_eq!(
            lang_if_foreign(labels("de"), "de"),
            r#" lang="en" xml:lang="en""#
        );
        assert_eq!(lang_if_foreign(labels("en-GB"), "en-GB"), "");
    }
}
