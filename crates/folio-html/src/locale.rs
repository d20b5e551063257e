//! The few words the HTML edition writes itself, in the book's language.

/// Words of the interface, for one language.
pub struct Words {
    pub notes: &'static str,
    pub contents: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    pub skip_to_content: &'static str,
    pub back_to_reference: &'static str,
    pub back_to_citation: &'static str,
    pub task_done: &'static str,
    pub task_open: &'static str,
    pub pagination: &'static str,
    pub whole_book: &'static str,
}

const EN: Words = Words {
    notes: "Notes",
    contents: "Contents",
    previous: "Previous",
    next: "Next",
    skip_to_content: "Skip to content",
    back_to_reference: "Back to reference",
    back_to_citation: "Back to citation",
    task_done: "done",
    task_open: "to do",
    pagination: "Previous and next chapters",
    whole_book: "The whole book on one page",
};

const FR: Words = Words {
    notes: "Notes",
    contents: "Sommaire",
    previous: "Précédent",
    next: "Suivant",
    skip_to_content: "Aller au contenu",
    back_to_reference: "Retour à l’appel de note",
    back_to_citation: "Retour à la citation",
    task_done: "fait",
    task_open: "à faire",
    pagination: "Chapitres précédent et suivant",
    whole_book: "Le livre entier sur une page",
};

/// The words for a BCP 47 language tag; English when the language is not known.
pub fn words(language: &str) -> &'static Words {
    let primary = language.split(['-', '_']).next().unwrap_or_default();
    if primary.eq_ignore_ascii_case("fr") { &FR } else { &EN }
}
