//! The `[pdf]` settings of folio.toml turned into page geometry, fonts and
//! PDF standards, with the defaults a book designer would choose.

use std::str::FromStr;

use folio_core::config::{PdfConfig, Sides};
use serde::Deserialize;
use serde::de::IntoDeserializer;
use typst::layout::Paper;
use typst_pdf::{PdfStandard, PdfStandards};

use crate::Error;

/// Page size and margins in millimetres, body font size in points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Geometry {
    pub width: f64,
    pub height: f64,
    pub inside: f64,
    pub outside: f64,
    pub top: f64,
    pub bottom: f64,
    pub font_size: f64,
}

impl Geometry {
    /// Page geometry for `[pdf] paper` (default A4) and `font-size`.
    ///
    /// Margins follow the page's proportions, after the classic canons
    /// (inner : outer = 2 : 3, foot larger than head): the outer margin holds
    /// the thumbs, the foot the folio. The body size grows with the page so
    /// that a line holds about 70–80 characters.
    pub fn new(config: &PdfConfig) -> Result<Geometry, Error> {
        let (width, height) = paper_size(config.paper.as_deref().unwrap_or("a4"))?;
        let font_size = match config.font_size {
            Some(size) if size.is_finite() && (4.0..=72.0).contains(&size) => f64::from(size),
            Some(size) => {
                return Err(Error::Config(format!(
                    "[pdf] font-size = {size}: expected a size in points between 4 and 72"
                )));
            }
            None if width < 160.0 => 10.0,
            None if width < 190.0 => 10.5,
            None => 11.0,
        };
        Ok(Geometry {
            width,
            height,
            inside: width * 0.12,
            outside: width * 0.18,
            top: height * 0.09,
            bottom: height * 0.12,
            font_size,
        })
    }

    /// Width of the text block in millimetres.
    pub fn text_width(&self) -> f64 {
        self.width - self.inside - self.outside
    }
}

/// `a4`, `a5`, `b5`, `us-letter`, `royal`, any paper typst knows, or a trim
/// size `"156mm x 234mm"`.
pub fn paper_size(paper: &str) -> Result<(f64, f64), Error> {
    let name = paper.trim().to_ascii_lowercase();
    let named = match name.as_str() {
        // Royal octavo, the usual trim of trade non-fiction in the UK.
        "royal" => Some((156.0, 234.0)),
        "b5" => Some((176.0, 250.0)),
        _ => Paper::from_str(&name)
            .ok()
            .map(|p| (p.width().to_mm(), p.height().to_mm())),
    };
    if let Some(size) = named {
        return Ok(size);
    }
    let custom = name
        .split_once('x')
        .and_then(|(w, h)| Some((millimetres(w)?, millimetres(h)?)));
    match custom {
        Some((w, h)) if (50.0..=2000.0).contains(&w) && (50.0..=2000.0).contains(&h) => Ok((w, h)),
        _ => Err(Error::Config(format!(
            "[pdf] paper = \"{paper}\": expected a4, a5, b5, us-letter, royal, another typst paper name, or a trim size such as \"156mm x 234mm\""
        ))),
    }
}

fn millimetres(length: &str) -> Option<f64> {
    let value: f64 = length.trim().strip_suffix("mm")?.trim().parse().ok()?;
    value.is_finite().then_some(value)
}

pub fn two_sided(config: &PdfConfig) -> bool {
    config.sides != Some(Sides::One)
}

/// The standards asked for in `[pdf] standards`, or `None` for the default.
pub fn configured_standards(config: &PdfConfig) -> Result<Option<Vec<PdfStandard>>, Error> {
    let Some(names) = &config.standards else {
        return Ok(None);
    };
    let list = names
        .iter()
        .map(|name| {
            PdfStandard::deserialize(name.as_str().into_deserializer()).map_err(|_: serde::de::value::Error| {
                Error::Config(format!("[pdf] standards: unknown PDF standard \"{name}\" (typst knows e.g. \"a-2b\", \"a-3b\", \"a-4\", \"ua-1\", \"1.7\")"))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(list))
}

/// What a standard is called in typst's errors and in folio's notes.
pub fn standard_name(standard: PdfStandard) -> &'static str {
    match standard {
        PdfStandard::Ua_1 => "PDF/UA-1",
        PdfStandard::A_2b => "PDF/A-2b",
        _ => "the standard asked for",
    }
}

/// The standards of `standards` that typst's export `errors` name (`PDF/A-2b
/// error: …`); the last one when none is named (folio lists the one it
/// gives up first last).
pub fn blamed(
    standards: &[PdfStandard],
    errors: &[typst::diag::SourceDiagnostic],
) -> Vec<PdfStandard> {
    let named: Vec<PdfStandard> = standards
        .iter()
        .copied()
        .filter(|&s| {
            errors.iter().any(|e| {
                e.message
                    .split(" error:")
                    .next()
                    .is_some_and(|prefix| prefix.contains(standard_name(s)))
            })
        })
        .collect();
    if named.is_empty() {
        standards.last().copied().into_iter().collect()
    } else {
        named
    }
}

pub fn standards(list: &[PdfStandard]) -> Result<PdfStandards, Error> {
    PdfStandards::new(list).map_err(|e| Error::Config(format!("[pdf] standards: {}", e.message())))
}

/// typst's `lang` and `region` from a BCP 47 tag (`fr`, `en-GB`, `pt-BR`).
/// Anything typst would refuse falls back to English.
pub fn lang_region(tag: &str) -> (String, Option<String>) {
    let mut subtags = tag.split(['-', '_']);
    let lang = subtags.next().unwrap_or("").to_ascii_lowercase();
    if !(2..=3).contains(&lang.len()) || !lang.chars().all(|c| c.is_ascii_alphabetic()) {
        return ("en".into(), None);
    }
    let region = subtags
        .find(|s| s.len() == 2 && s.chars().all(|c| c.is_ascii_alphabetic()))
        .map(|s| s.to_ascii_uppercase());
    (lang, region)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn papers() {
        assert_eq!(paper_size("a4").unwrap(), (210.0, 297.0));
        assert_eq!(paper_size("A5").unwrap(), (148.0, 210.0));
        assert_eq!(paper_size("royal").unwrap(), (156.0, 234.0));
        let (w, h) = paper_size("us-letter").unwrap();
        assert!((w - 215.9).abs() < 0.01 && (h - 279.4).abs() < 0.01);
        assert_eq!(paper_size("156mm x 234mm").unwrap(), (156.0, 234.0));
        assert_eq!(paper_size("170 mm x 240mm").unwrap(), (170.0, 240.0));
        assert!(paper_size("huge").is_err());
        assert!(paper_size("0mm x 10mm").is_err());
        assert!(paper_size("NaNmm x 10mm").is_err());
    }

    #[test]
    fn margins_are_mirrored_and_proportioned() {
        let g = Geometry::new(&PdfConfig::default()).unwrap();
        assert!(g.outside > g.inside && g.bottom > g.top);
        assert!(g.text_width() > 120.0 && g.text_width() < 160.0);
        let a5 = Geometry::new(&PdfConfig {
            paper: Some("a5".into()),
            ..PdfConfig::default()
        })
        .unwrap();
        assert!(a5.font_size < g.font_size);
        assert!(
            Geometry::new(&PdfConfig {
                font_size: Some(-3.0),
                ..PdfConfig::default()
            })
            .is_err()
        );
    }

    #[test]
    fn standards_by_name() {
        let config = PdfConfig {
            standards: Some(vec!["a-2b".into(), "ua-1".into()]),
            ..PdfConfig::default()
        };
        assert_eq!(
            configured_standards(&config).unwrap(),
            Some(vec![PdfStandard::A_2b, PdfStandard::Ua_1])
        );
        let bad = PdfConfig {
            standards: Some(vec!["a-9z".into()]),
            ..PdfConfig::default()
        };
        assert!(configured_standards(&bad).is_err());
        assert!(standards(&[PdfStandard::A_2b, PdfStandard::A_3b]).is_err());
    }

    #[test]
    fn languages() {
        assert_eq!(lang_region("fr"), ("fr".into(), None));
        assert_eq!(lang_region("en-GB"), ("en".into(), Some("GB".into())));
        assert_eq!(lang_region("zh-Hant-TW"), ("zh".into(), Some("TW".into())));
        assert_eq!(lang_region("¿?"), ("en".into(), None));
    }
}
