//! The publication metadata that needs deciding: the identifier, the dates,
//! and the accessibility claims the content earns.

use folio_core::{Book, RenderContext};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::Error;
use crate::content::{Documents, Images};
use crate::labels::labels;

/// The claim written in `dcterms:conformsTo` when the content earns it.
pub(crate) const CONFORMANCE: &str = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA";

pub(crate) struct Facts {
    /// `dc:identifier`: the book's, or a UUID derived from it.
    pub identifier: String,
    /// `dcterms:modified`: the build time, `YYYY-MM-DDThh:mm:ssZ`.
    pub modified: String,
    /// `dc:date`: the book's date, in the W3C form EPUBCheck asks for.
    pub date: Option<String>,
    pub accessibility: Accessibility,
}

impl Facts {
    pub(crate) fn gather(
        book: &Book,
        documents: &Documents,
        ctx: &RenderContext,
        identifier: String,
    ) -> Result<Facts, Error> {
        Ok(Facts {
            identifier,
            modified: modified(ctx.timestamp)?,
            date: book.metadata.date.map(|date| date.to_string()),
            accessibility: Accessibility::of(book, documents.images),
        })
    }
}

/// The book's identifier, or one derived from its title and file name: a
/// name-based UUID (version 5), so rebuilding the book keeps its identity and
/// reading systems keep the reader's place and notes.
pub(crate) fn identifier(book: &Book) -> String {
    if let Some(identifier) = book
        .metadata
        .identifier
        .as_deref()
        .map(str::trim)
        .filter(|i| !i.is_empty())
    {
        return identifier.to_string();
    }
    let name = format!("folio:{}\n{}", book.metadata.title, book.output_name());
    format!(
        "urn:uuid:{}",
        Uuid::new_v5(&Uuid::NAMESPACE_OID, name.as_bytes())
    )
}

/// `dcterms:modified` wants exactly `CCYY-MM-DDThh:mm:ssZ`, in UTC.
fn modified(timestamp: i64) -> Result<String, Error> {
    let time =
        OffsetDateTime::from_unix_timestamp(timestamp).map_err(|_| Error::Timestamp(timestamp))?;
    if !(0..=9999).contains(&time.year()) {
        return Err(Error::Timestamp(timestamp));
    }
    Ok(format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        time.year(),
        u8::from(time.month()),
        time.day(),
        time.hour(),
        time.minute(),
        time.second()
    ))
}

/// What the package says about accessibility, from what the documents hold.
pub(crate) struct Accessibility {
    pub access_modes: Vec<&'static str>,
    pub access_modes_sufficient: Vec<&'static str>,
    pub features: Vec<&'static str>,
    pub summary: String,
    /// `xml:lang` of the summary when it is not in the book's language.
    pub summary_lang: Option<&'static str>,
    pub conforms: bool,
}

impl Accessibility {
    fn of(book: &Book, images: Images) -> Self {
        let has_images = images.total > 0;
        let every_image_described = images.without_alt == 0;
        let mut features = vec![
            "structuralNavigation",
            "tableOfContents",
            "readingOrder",
            "displayTransformability",
        ];
        if has_images && every_image_described {
            features.push("alternativeText");
        }
        let (summary, summary_lang) = match &book.config.epub.accessibility_summary {
            Some(summary) => (summary.clone(), None),
            None => {
                let words = labels(&book.metadata.language);
                let images_sentence = match (has_images, every_image_described) {
                    (false, _) => words.summary_no_images,
                    (true, true) => words.summary_alt_text,
                    (true, false) => words.summary_missing_alt_text,
                };
                let foreign = !words.are_in(&book.metadata.language);
                (
                    format!("{} {images_sentence}", words.summary_structure),
                    foreign.then_some(words.lang),
                )
            }
        };
        Accessibility {
            access_modes: if has_images {
                vec!["textual", "visual"]
            } else {
                vec!["textual"]
            },
            access_modes_sufficient: match (has_images, every_image_described) {
                (false, _) => vec!["textual"],
                (true, true) => vec!["textual", "textual,visual"],
                (true, false) => vec!["textual,visual"],
            },
            features,
            summary,
            summary_lang,
            conforms: every_image_described,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modified_is_utc_to_the_second() {
        assert_eq!(modified(0).expect("epoch"), "1970-01-01T00:00:00Z");
        assert_eq!(
            modified(1_700_000_000).expect("2023"),
            "2023-11-14T22:13:20Z"
        );
        assert!(modified(i64::MAX).is_err());
        assert!(modified(-100_000_000_000).is_err());
    }

    #[test]
    fn the_derived_identifier_is_stable_and_depends_on_the_title() {
        let mut book = crate::test_book::book();
        book.metadata.identifier = None;
        let first = identifier(&book);
        assert!(first.starts_with("urn:uuid:"), "{first}");
        assert_eq!(identifier(&book), first);
        book.metadata.title.push('!');
        assert_ne!(identifier(&book), first);
        book.metadata.identifier = Some("urn:isbn:9782000000000".into());
        assert_eq!(identifier(&book), "urn:isbn:9782000000000");
    }

    #[test]
    fn claims_follow_the_images() {
        let book = crate::test_book::book();
        let none = Accessibility::of(
            &book,
            Images {
                total: 0,
                without_alt: 0,
            },
        );
        assert_eq!(none.access_modes, ["textual"]);
        assert!(none.conforms && !none.features.contains(&"alternativeText"));
        let described = Accessibility::of(
            &book,
            Images {
                total: 2,
                without_alt: 0,
            },
        );
        assert_eq!(
            described.access_modes_sufficient,
            ["textual", "textual,visual"]
        );
        assert!(described.conforms && described.features.contains(&"alternativeText"));
        let bare = Accessibility::of(
            &book,
            Images {
                total: 2,
                without_alt: 1,
            },
        );
        assert_eq!(bare.access_modes_sufficient, ["textual,visual"]);
        assert!(!bare.conforms && !bare.features.contains(&"alternativeText"));
        assert!(
            bare.summary.contains("n’ont pas d’alternative"),
            "{}",
            bare.summary
        );
    }
}
