//! `[pdf] paper`: a named paper or a trim size, in millimetres.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The page size of the print edition. Only a size between
/// [`PaperSize::MIN_MM`] and [`PaperSize::MAX_MM`] on each side exists.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PaperSize {
    width_mm: f64,
    height_mm: f64,
}

/// Named papers, lowercase: the ISO 216 series (the few smaller than
/// [`PaperSize::MIN_MM`] left out), the US sizes, and the usual book trims.
/// Names typst uses for the same paper (`iso-b5`, `us-letter`) are kept, so
/// that a folio.toml written for older folio releases keeps working.
const PAPERS: &[(&str, f64, f64)] = &[
    ("a0", 841.0, 1189.0),
    ("a1", 594.0, 841.0),
    ("a2", 420.0, 594.0),
    ("a3", 297.0, 420.0),
    ("a4", 210.0, 297.0),
    ("a5", 148.0, 210.0),
    ("a6", 105.0, 148.0),
    ("a7", 74.0, 105.0),
    ("a8", 52.0, 74.0),
    ("b0", 1000.0, 1414.0),
    ("b1", 707.0, 1000.0),
    ("b2", 500.0, 707.0),
    ("b3", 353.0, 500.0),
    ("b4", 250.0, 353.0),
    ("b5", 176.0, 250.0),
    ("b6", 125.0, 176.0),
    ("b7", 88.0, 125.0),
    ("b8", 62.0, 88.0),
    ("c0", 917.0, 1297.0),
    ("c1", 648.0, 917.0),
    ("c2", 458.0, 648.0),
    ("c3", 324.0, 458.0),
    ("c4", 229.0, 324.0),
    ("c5", 162.0, 229.0),
    ("c6", 114.0, 162.0),
    ("c7", 81.0, 114.0),
    ("c8", 57.0, 81.0),
    ("us-letter", 215.9, 279.4),
    ("us-legal", 215.9, 355.6),
    ("us-tabloid", 279.4, 431.8),
    ("us-ledger", 431.8, 279.4),
    ("us-executive", 184.15, 266.7),
    ("us-statement", 139.7, 215.9),
    ("us-digest", 139.7, 215.9),
    ("us-trade", 152.4, 228.6),
    // Trims of trade books.
    ("royal", 156.0, 234.0),
    ("demy", 138.0, 216.0),
    ("crown-quarto", 189.0, 246.0),
    ("a-format", 110.0, 178.0),
    ("b-format", 129.0, 198.0),
    ("uk-book-a", 111.0, 178.0),
    ("uk-book-b", 129.0, 198.0),
    ("jis-b5", 182.0, 257.0),
    ("jis-b6", 128.0, 182.0),
];

/// Other names of papers of [`PAPERS`].
const ALIASES: &[(&str, &str)] = &[("letter", "us-letter"), ("legal", "us-legal")];

impl PaperSize {
    pub const A4: PaperSize = PaperSize {
        width_mm: 210.0,
        height_mm: 297.0,
    };
    /// Smaller, the margins leave no room for a line; larger, no printer takes it.
    pub const MIN_MM: f64 = 50.0;
    pub const MAX_MM: f64 = 2000.0;

    pub fn width_mm(self) -> f64 {
        self.width_mm
    }

    pub fn height_mm(self) -> f64 {
        self.height_mm
    }

    /// The paper called `name` (any case; typst's `iso-` prefix of the B
    /// and C series too).
    pub fn named(name: &str) -> Option<PaperSize> {
        let name = name.trim().to_ascii_lowercase();
        let name = name.strip_prefix("iso-").unwrap_or(&name);
        let name = ALIASES
            .iter()
            .find(|(alias, _)| *alias == name)
            .map_or(name, |(_, paper)| paper);
        PAPERS
            .iter()
            .find(|(paper, _, _)| *paper == name)
            .map(|&(_, width_mm, height_mm)| PaperSize {
                width_mm,
                height_mm,
            })
    }

    /// A trim size, within bounds.
    pub fn trim(width_mm: f64, height_mm: f64) -> Result<PaperSize, String> {
        let bounds = Self::MIN_MM..=Self::MAX_MM;
        if bounds.contains(&width_mm) && bounds.contains(&height_mm) {
            Ok(PaperSize {
                width_mm,
                height_mm,
            })
        } else {
            Err(format!(
                "a page measures between {} mm and {} m on each side",
                Self::MIN_MM,
                Self::MAX_MM / 1000.0
            ))
        }
    }

    /// What `[pdf] paper` accepts, for a hint.
    pub fn accepted() -> String {
        "a paper such as a4, a5, b5, us-letter or royal (the guide lists every name), \
         or a trim size such as \"156mm x 234mm\" (in mm, cm or in)"
            .into()
    }
}

/// `"156mm"`, `"15.6 cm"`, `"6in"` in millimetres.
fn length_mm(length: &str) -> Option<f64> {
    let length = length.trim();
    let (number, per_unit) = [("mm", 1.0), ("cm", 10.0), ("in", 25.4)]
        .iter()
        .find_map(|(unit, mm)| Some((length.strip_suffix(unit)?, *mm)))?;
    let value: f64 = number.trim().parse().ok()?;
    value.is_finite().then_some(value * per_unit)
}

impl FromStr for PaperSize {
    type Err = String;

    fn from_str(text: &str) -> Result<PaperSize, String> {
        if let Some(paper) = PaperSize::named(text) {
            return Ok(paper);
        }
        let lower = text.to_ascii_lowercase();
        let Some((width, height)) = lower.split_once(['x', '×']) else {
            return Err("not a paper folio knows, nor a trim size".into());
        };
        match (length_mm(width), length_mm(height)) {
            (Some(width), Some(height)) => PaperSize::trim(width, height),
            _ => Err("a trim size is two lengths with their unit: \"156mm x 234mm\"".into()),
        }
    }
}

impl TryFrom<String> for PaperSize {
    type Error = String;

    fn try_from(text: String) -> Result<PaperSize, String> {
        text.parse()
    }
}

/// `210mm x 297mm`: read back as the same size.
impl fmt::Display for PaperSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}mm x {}mm", self.width_mm, self.height_mm)
    }
}

impl From<PaperSize> for String {
    fn from(paper: PaperSize) -> String {
        paper.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn size(text: &str) -> Result<(f64, f64), String> {
        text.parse::<PaperSize>()
            .map(|p| (p.width_mm(), p.height_mm()))
    }

    #[test]
    fn named_papers() {
        assert_eq!(size("a4"), Ok((210.0, 297.0)));
        assert_eq!(size(" A5 "), Ok((148.0, 210.0)));
        assert_eq!(size("b5"), Ok((176.0, 250.0)));
        assert_eq!(size("iso-b5"), size("b5"));
        assert_eq!(size("iso-c5"), Ok((162.0, 229.0)));
        assert_eq!(size("royal"), Ok((156.0, 234.0)));
        assert_eq!(size("us-letter"), Ok((215.9, 279.4)));
        assert_eq!(size("Letter"), size("us-letter"));
        assert_eq!(PaperSize::named("a4"), Some(PaperSize::A4));
    }

    #[test]
    fn trim_sizes() {
        assert_eq!(size("156mm x 234mm"), Ok((156.0, 234.0)));
        assert_eq!(size("170 mm x 240mm"), Ok((170.0, 240.0)));
        assert_eq!(size("15.6cm × 23.4cm"), Ok((156.0, 234.0)));
        let (w, h) = size("6in x 9in").unwrap();
        assert!((w - 152.4).abs() < 1e-9 && (h - 228.6).abs() < 1e-9);
        for bad in [
            "napkin",
            "",
            "0mm x 10mm",
            "49mm x 100mm",
            "100mm x 2001mm",
            "NaNmm x 10mm",
            "infmm x 100mm",
            "156 x 234",
            "156mm x",
            "-156mm x 234mm",
        ] {
            assert!(size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_guide_names_every_paper() {
        const GUIDE: &str = include_str!("../../../../book/src/pdf.md");
        for (name, _, _) in PAPERS.iter().filter(|(name, _, _)| {
            // The ISO series are written as ranges: `a0`…`a8`.
            !(name.len() == 2 && name.starts_with(['a', 'b', 'c']))
        }) {
            assert!(
                GUIDE.contains(&format!("`{name}`")),
                "{name} is not in pdf.md"
            );
        }
        for (alias, _) in ALIASES {
            assert!(
                GUIDE.contains(&format!("`{alias}`")),
                "{alias} is not in pdf.md"
            );
        }
    }

    #[test]
    fn every_named_paper_is_a_valid_trim_and_reads_back() {
        for &(name, width, height) in PAPERS {
            assert!(PaperSize::trim(width, height).is_ok(), "{name}");
            let paper = PaperSize::named(name).unwrap();
            assert_eq!(paper.to_string().parse::<PaperSize>(), Ok(paper), "{name}");
        }
        for (alias, paper) in ALIASES {
            assert!(PaperSize::named(paper).is_some(), "{alias}");
        }
    }
}
