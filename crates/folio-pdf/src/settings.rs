//! The `[pdf]` settings of folio.toml turned into page geometry, fonts and
//! PDF standards, with the defaults a book designer would choose.

use folio_core::config::{self, PaperSize, PdfConfig, Sides};
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
    /// Page geometry for `[pdf] paper` (default A4) and `font-size`, both
    /// checked as folio.toml was read.
    ///
    /// Margins follow the page's proportions, after the classic canons
    /// (inner : outer = 2 : 3, foot larger than head): the outer margin holds
    /// the thumbs, the foot the folio. The body size grows with the page so
    /// that a line holds about 70–80 characters.
    pub fn new(config: &PdfConfig) -> Geometry {
        let paper = config.paper.unwrap_or(PaperSize::A4);
        let (width, height) = (paper.width_mm(), paper.height_mm());
        let font_size = match config.font_size {
            Some(size) => f64::from(size.points()),
            None if width < 160.0 => 10.0,
            None if width < 190.0 => 10.5,
            None => 11.0,
        };
        Geometry {
            width,
            height,
            inside: width * 0.12,
            outside: width * 0.18,
            top: height * 0.09,
            bottom: height * 0.12,
            font_size,
        }
    }

    /// Width of the text block in millimetres.
    pub fn text_width(&self) -> f64 {
        self.width - self.inside - self.outside
    }
}

pub fn two_sided(config: &PdfConfig) -> bool {
    config.sides != Some(Sides::One)
}

/// The standards asked for in `[pdf] standards`, or `None` for the default.
pub fn configured_standards(config: &PdfConfig) -> Option<Vec<PdfStandard>> {
    let standards = config.standards.as_ref()?;
    Some(
        standards
            .as_slice()
            .iter()
            .map(|&s| typst_standard(s))
            .collect(),
    )
}

/// typst's name for a standard of folio.toml.
pub fn typst_standard(standard: config::PdfStandard) -> PdfStandard {
    use config::PdfStandard as S;
    match standard {
        S::V1_4 => PdfStandard::V_1_4,
        S::V1_5 => PdfStandard::V_1_5,
        S::V1_6 => PdfStandard::V_1_6,
        S::V1_7 => PdfStandard::V_1_7,
        S::V2_0 => PdfStandard::V_2_0,
        S::A1b => PdfStandard::A_1b,
        S::A1a => PdfStandard::A_1a,
        S::A2b => PdfStandard::A_2b,
        S::A2u => PdfStandard::A_2u,
        S::A2a => PdfStandard::A_2a,
        S::A3b => PdfStandard::A_3b,
        S::A3u => PdfStandard::A_3u,
        S::A3a => PdfStandard::A_3a,
        S::A4 => PdfStandard::A_4,
        S::A4f => PdfStandard::A_4f,
        S::A4e => PdfStandard::A_4e,
        S::Ua1 => PdfStandard::Ua_1,
    }
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

/// typst's configuration for `list`: the standards of folio.toml were
/// checked together as it was read, and folio's defaults (a subset of
/// PDF/A-2b and PDF/UA-1) always hold together, so typst refusing them is a
/// defect of folio.
pub fn standards(list: &[PdfStandard]) -> Result<PdfStandards, Error> {
    PdfStandards::new(list)
        .map_err(|e| Error::Internal(format!("PDF standards {list:?}: {}", e.message())))
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
    fn margins_are_mirrored_and_proportioned() {
        let g = Geometry::new(&PdfConfig::default());
        assert_eq!((g.width, g.height), (210.0, 297.0));
        assert!(g.outside > g.inside && g.bottom > g.top);
        assert!(g.text_width() > 120.0 && g.text_width() < 160.0);
        let a5 = Geometry::new(&PdfConfig {
            paper: Some("a5".parse().unwrap()),
            ..PdfConfig::default()
        });
        assert!(a5.font_size < g.font_size);
        let set = Geometry::new(&PdfConfig {
            font_size: Some(config::FontSize::new(12.5).unwrap()),
            ..PdfConfig::default()
        });
        assert_eq!(set.font_size, 12.5);
    }

    /// folio checks `[pdf] standards` at load with its own rules: they must
    /// be typst's, for every pair and triple of standards.
    #[test]
    fn the_core_accepts_the_combinations_typst_accepts() {
        let all = config::PdfStandard::ALL;
        let mut lists: Vec<Vec<config::PdfStandard>> = vec![vec![]];
        for &a in &all {
            lists.push(vec![a]);
            for &b in &all {
                lists.push(vec![a, b]);
                for &c in &all {
                    lists.push(vec![a, b, c]);
                }
            }
        }
        for list in lists {
            let core = config::PdfStandards::new(list.clone()).is_ok();
            let mapped: Vec<PdfStandard> = list.iter().map(|&s| typst_standard(s)).collect();
            let typst = PdfStandards::new(&mapped).is_ok();
            assert_eq!(core, typst, "{list:?}");
        }
    }

    #[test]
    fn names_are_typst_names() {
        use serde::Deserialize;
        use serde::de::IntoDeserializer;
        for standard in config::PdfStandard::ALL {
            let by_name = PdfStandard::deserialize(standard.name().into_deserializer())
                .map_err(|e: serde::de::value::Error| e.to_string());
            assert_eq!(by_name, Ok(typst_standard(standard)), "{standard}");
        }
    }

    #[test]
    fn languages() {
        assert_eq!(lang_region("fr"), ("fr".into(), None));
        assert_eq!(lang_region("en-GB"), ("en".into(), Some("GB".into())));
        assert_eq!(lang_region("zh-Hant-TW"), ("zh".into(), Some("TW".into())));
        assert_eq!(lang_region("¿?"), ("en".into(), None));
    }
}
