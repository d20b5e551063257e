//! The book's publication date, parsed once where it enters (folio.toml,
//! front matter): every edition writes the same date, and none parses one.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::diagnostics::Diagnostic;
use crate::model::Span;

/// A calendar date as precise as the author wrote it: a year, a month of
/// that year, or a day (W3C Date and Time Formats, the subset of ISO 8601
/// that EPUB's `dc:date` takes). Only a real date exists: no month 13, no
/// 30 February.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PubDate {
    year: u16,
    month: Option<u8>,
    /// Only with a month.
    day: Option<u8>,
}

/// Why a text is not a date, for the diagnostic's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("expected YYYY, YYYY-MM or YYYY-MM-DD")]
    Form,
    #[error("there is no month {0}")]
    Month(u8),
    #[error("month {1} of {0} has no day {2}")]
    Day(u16, u8, u8),
}

impl PubDate {
    /// The date of `year` (0–9999), `month` and `day`, if it exists.
    pub fn new(year: u16, month: Option<u8>, day: Option<u8>) -> Result<PubDate, DateError> {
        if year > 9999 {
            return Err(DateError::Form);
        }
        match (month, day) {
            (None, Some(_)) => return Err(DateError::Form),
            (Some(m), _) if !(1..=12).contains(&m) => return Err(DateError::Month(m)),
            (Some(m), Some(d)) if d == 0 || d > days_in_month(year, m) => {
                return Err(DateError::Day(year, m, d));
            }
            _ => {}
        }
        Ok(PubDate { year, month, day })
    }

    pub fn year(self) -> u16 {
        self.year
    }

    /// 1 to 12, when the date names its month.
    pub fn month(self) -> Option<u8> {
        self.month
    }

    /// When the date names its day.
    pub fn day(self) -> Option<u8> {
        self.day
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl FromStr for PubDate {
    type Err = DateError;

    /// `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, or a timestamp `YYYY-MM-DDThh:mm…`
    /// (TOML's `YYYY-MM-DD hh:mm` too), of which the date is kept.
    fn from_str(text: &str) -> Result<PubDate, DateError> {
        let text = text.trim();
        let date = match text.get(10..) {
            Some(time) if !time.is_empty() => {
                let mut rest = time.chars();
                let separator = rest.next();
                if !matches!(separator, Some('T' | 't' | ' '))
                    || !rest.next().is_some_and(|c| c.is_ascii_digit())
                {
                    return Err(DateError::Form);
                }
                &text[..10]
            }
            _ => text,
        };
        let number = |digits: &str, len: usize| {
            (digits.len() == len && digits.bytes().all(|b| b.is_ascii_digit()))
                .then(|| digits.parse::<u16>().ok())
                .flatten()
                .ok_or(DateError::Form)
        };
        let mut fields = date.split('-');
        let year = number(fields.next().unwrap_or_default(), 4)?;
        let month = fields.next().map(|m| number(m, 2)).transpose()?;
        let day = fields.next().map(|d| number(d, 2)).transpose()?;
        if fields.next().is_some() {
            return Err(DateError::Form);
        }
        // Two digits each: they fit in a u8.
        PubDate::new(year, month.map(|m| m as u8), day.map(|d| d as u8))
    }
}

impl TryFrom<String> for PubDate {
    type Error = DateError;

    fn try_from(text: String) -> Result<PubDate, DateError> {
        text.parse()
    }
}

/// The W3C form: `2024`, `2024-03`, `2024-03-09`.
impl fmt::Display for PubDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(month) = self.month {
            write!(f, "-{month:02}")?;
        }
        if let Some(day) = self.day {
            write!(f, "-{day:02}")?;
        }
        Ok(())
    }
}

impl From<PubDate> for String {
    fn from(date: PubDate) -> String {
        date.to_string()
    }
}

/// A date as a configuration file writes it, before it is understood: a
/// string, a TOML date (`date = 2024-03-09`) or a YAML or TOML number
/// (`date: 2024`), all read as the text they are written as.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub(crate) struct WrittenDate(String);

impl WrittenDate {
    /// The date, or `None` with a warning at `span` when it is not one.
    pub(crate) fn understood(
        self,
        span: Option<Span>,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<PubDate> {
        self.0
            .parse()
            .map_err(|why| {
                diagnostics.push(
                    Diagnostic::new(
                        crate::Severity::Warning,
                        format!("the date {:?} is left out: {why}", self.0),
                        span,
                    )
                    .with_hint("write the publication date as YYYY, YYYY-MM or YYYY-MM-DD (ISO 8601), such as 2024-03-09"),
                );
            })
            .ok()
    }
}

impl<'de> Deserialize<'de> for WrittenDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<WrittenDate, D::Error> {
        struct Written;
        impl<'de> Visitor<'de> for Written {
            type Value = WrittenDate;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date such as \"2024-03-09\"")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<WrittenDate, E> {
                Ok(WrittenDate(text.to_string()))
            }

            fn visit_i64<E: de::Error>(self, n: i64) -> Result<WrittenDate, E> {
                Ok(WrittenDate(n.to_string()))
            }

            fn visit_u64<E: de::Error>(self, n: u64) -> Result<WrittenDate, E> {
                Ok(WrittenDate(n.to_string()))
            }

            /// toml gives its dates as a map of one private key to the text.
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<WrittenDate, A::Error> {
                let Some((_, text)) = map.next_entry::<de::IgnoredAny, String>()? else {
                    return Err(de::Error::invalid_length(0, &self));
                };
                Ok(WrittenDate(text))
            }
        }
        deserializer.deserialize_any(Written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<String, DateError> {
        text.parse::<PubDate>().map(|d| d.to_string())
    }

    #[test]
    fn w3c_dates_and_timestamps_are_understood() {
        for (written, date) in [
            ("2024", "2024"),
            ("2024-03", "2024-03"),
            ("2024-03-09", "2024-03-09"),
            (" 2024-03-09 ", "2024-03-09"),
            ("2024-02-29", "2024-02-29"),
            ("2000-02-29", "2000-02-29"),
            ("2024-03-09T10:00Z", "2024-03-09"),
            ("2024-03-09T10:00:05.5+01:00", "2024-03-09"),
            ("2024-03-09 10:00:00", "2024-03-09"),
        ] {
            assert_eq!(parse(written).as_deref(), Ok(date), "{written}");
        }
    }

    #[test]
    fn impossible_or_other_forms_are_refused() {
        assert_eq!(parse("2024-13-45"), Err(DateError::Month(13)));
        assert_eq!(parse("2024-00"), Err(DateError::Month(0)));
        assert_eq!(parse("2023-02-29"), Err(DateError::Day(2023, 2, 29)));
        assert_eq!(parse("1900-02-29"), Err(DateError::Day(1900, 2, 29)));
        assert_eq!(parse("2024-04-31"), Err(DateError::Day(2024, 4, 31)));
        for bad in [
            "",
            "9 mars 2024",
            "2024-3-9",
            "24-03-09",
            "2024-03-09-01",
            "2024-03-09Tnoon",
            "2024-03-09x",
            "+2024",
            "２０２４",
        ] {
            assert_eq!(parse(bad), Err(DateError::Form), "{bad}");
        }
    }

    #[test]
    fn a_day_needs_a_month() {
        assert_eq!(PubDate::new(2024, None, Some(3)), Err(DateError::Form));
        let date = PubDate::new(2024, Some(3), None).unwrap();
        assert_eq!(
            (date.year(), date.month(), date.day()),
            (2024, Some(3), None)
        );
    }

    #[test]
    fn toml_and_yaml_dates_are_read_as_written() {
        #[derive(Deserialize)]
        struct Doc {
            date: WrittenDate,
        }
        for (toml, written) in [
            ("date = \"2024-03\"", "2024-03"),
            ("date = 2024-03-09", "2024-03-09"),
            ("date = 2024-03-09T10:00:00Z", "2024-03-09T10:00:00Z"),
            ("date = 2024", "2024"),
        ] {
            let doc: Doc = toml::from_str(toml).unwrap_or_else(|e| panic!("{toml}: {e}"));
            assert_eq!(doc.date.0, written);
        }
        for (yaml, written) in [("date: 2024-03-09", "2024-03-09"), ("date: 2024", "2024")] {
            let doc: Doc = serde_norway::from_str(yaml).unwrap_or_else(|e| panic!("{yaml}: {e}"));
            assert_eq!(doc.date.0, written);
        }
        assert!(toml::from_str::<Doc>("date = [2024]").is_err());
        let mut diagnostics = Vec::new();
        assert_eq!(
            WrittenDate("2024-13-45".into()).understood(None, &mut diagnostics),
            None
        );
        assert!(
            diagnostics[0].message.contains("no month 13"),
            "{diagnostics:?}"
        );
    }

    #[test]
    fn serialised_as_written_in_w3c_form() {
        let date: PubDate = "2024-03-09".parse().unwrap();
        let json = serde_json::to_string(&date).unwrap();
        assert_eq!(json, "\"2024-03-09\"");
        assert_eq!(serde_json::from_str::<PubDate>(&json).unwrap(), date);
        assert!(serde_json::from_str::<PubDate>("\"2024-13\"").is_err());
    }
}
