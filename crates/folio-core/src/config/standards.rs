//! `[pdf] standards`: the PDF standards the print edition must meet, and
//! the combinations a PDF can meet at once (the rules typst-pdf applies,
//! checked at load so that `folio check` reports them at their line).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A PDF version or standard, by the name typst gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum PdfStandard {
    V1_4,
    V1_5,
    V1_6,
    V1_7,
    V2_0,
    A1b,
    A1a,
    A2b,
    A2u,
    A2a,
    A3b,
    A3u,
    A3a,
    A4,
    A4f,
    A4e,
    Ua1,
}

/// What a standard constrains: a PDF has one version, meets one PDF/A part
/// and one PDF/UA part at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Version,
    Archival,
    Accessibility,
}

/// A PDF version, comparable: `14` is PDF 1.4, `20` PDF 2.0.
type Version = u8;

impl PdfStandard {
    pub const ALL: [PdfStandard; 17] = [
        Self::V1_4,
        Self::V1_5,
        Self::V1_6,
        Self::V1_7,
        Self::V2_0,
        Self::A1b,
        Self::A1a,
        Self::A2b,
        Self::A2u,
        Self::A2a,
        Self::A3b,
        Self::A3u,
        Self::A3a,
        Self::A4,
        Self::A4f,
        Self::A4e,
        Self::Ua1,
    ];

    /// Its name in folio.toml, as typst names it: `1.7`, `a-2b`, `ua-1`.
    pub fn name(self) -> &'static str {
        match self {
            Self::V1_4 => "1.4",
            Self::V1_5 => "1.5",
            Self::V1_6 => "1.6",
            Self::V1_7 => "1.7",
            Self::V2_0 => "2.0",
            Self::A1b => "a-1b",
            Self::A1a => "a-1a",
            Self::A2b => "a-2b",
            Self::A2u => "a-2u",
            Self::A2a => "a-2a",
            Self::A3b => "a-3b",
            Self::A3u => "a-3u",
            Self::A3a => "a-3a",
            Self::A4 => "a-4",
            Self::A4f => "a-4f",
            Self::A4e => "a-4e",
            Self::Ua1 => "ua-1",
        }
    }

    fn kind(self) -> Kind {
        match self {
            Self::V1_4 | Self::V1_5 | Self::V1_6 | Self::V1_7 | Self::V2_0 => Kind::Version,
            Self::Ua1 => Kind::Accessibility,
            _ => Kind::Archival,
        }
    }

    /// The PDF versions this standard allows (a version allows itself).
    fn versions(self) -> (Version, Version) {
        match self {
            Self::V1_4 => (14, 14),
            Self::V1_5 => (15, 15),
            Self::V1_6 => (16, 16),
            Self::V1_7 => (17, 17),
            Self::V2_0 => (20, 20),
            Self::A1b | Self::A1a => (14, 14),
            Self::A4 | Self::A4f | Self::A4e => (20, 20),
            // PDF/A-2, PDF/A-3 and PDF/UA-1 are written against PDF 1.7.
            _ => (14, 17),
        }
    }
}

impl FromStr for PdfStandard {
    type Err = String;

    fn from_str(name: &str) -> Result<PdfStandard, String> {
        let name = name.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|s| s.name() == name)
            .ok_or_else(|| format!("unknown PDF standard {name:?}"))
    }
}

impl TryFrom<String> for PdfStandard {
    type Error = String;

    fn try_from(name: String) -> Result<PdfStandard, String> {
        name.parse()
    }
}

impl From<PdfStandard> for &'static str {
    fn from(standard: PdfStandard) -> &'static str {
        standard.name()
    }
}

impl fmt::Display for PdfStandard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Standards one PDF can meet together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<PdfStandard>", into = "Vec<PdfStandard>")]
pub struct PdfStandards(Vec<PdfStandard>);

/// Why a list of standards cannot hold together: at its item `at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub at: usize,
    pub why: String,
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.why)
    }
}

impl PdfStandards {
    /// `list`, if one PDF can meet all of it; otherwise the first item that
    /// makes it impossible, and why.
    pub fn new(list: Vec<PdfStandard>) -> Result<PdfStandards, Conflict> {
        let mut allowed: (Version, Version) = (14, 20);
        for (at, &standard) in list.iter().enumerate() {
            let conflict = |why: String| Err(Conflict { at, why });
            if let Some(&earlier) = list[..at].iter().find(|s| s.kind() == standard.kind()) {
                let why = match standard.kind() {
                    Kind::Version => "a PDF has one version",
                    Kind::Archival => "a PDF meets one PDF/A part at most",
                    Kind::Accessibility => "a PDF meets one PDF/UA part at most",
                };
                return conflict(format!("\"{earlier}\" and \"{standard}\": {why}"));
            }
            let (low, high) = standard.versions();
            let (low, high) = (allowed.0.max(low), allowed.1.min(high));
            if low > high {
                let (own_low, own_high) = standard.versions();
                let earlier: Vec<String> = list[..at].iter().map(|s| format!("\"{s}\"")).collect();
                return conflict(format!(
                    "\"{standard}\" needs PDF {}, which {} exclude{}",
                    version_range(own_low, own_high),
                    earlier.join(" and "),
                    if at == 1 { "s" } else { "" }
                ));
            }
            allowed = (low, high);
        }
        Ok(PdfStandards(list))
    }

    pub fn as_slice(&self) -> &[PdfStandard] {
        &self.0
    }
}

fn version_range(low: Version, high: Version) -> String {
    let version = |v: Version| format!("{}.{}", v / 10, v % 10);
    if low == high {
        version(low)
    } else {
        format!("{} to {}", version(low), version(high))
    }
}

impl TryFrom<Vec<PdfStandard>> for PdfStandards {
    type Error = Conflict;

    fn try_from(list: Vec<PdfStandard>) -> Result<PdfStandards, Conflict> {
        PdfStandards::new(list)
    }
}

impl From<PdfStandards> for Vec<PdfStandard> {
    fn from(standards: PdfStandards) -> Vec<PdfStandard> {
        standards.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PdfStandard::*;

    fn check(list: &[PdfStandard]) -> Result<(), (usize, String)> {
        PdfStandards::new(list.to_vec())
            .map(|_| ())
            .map_err(|c| (c.at, c.why))
    }

    #[test]
    fn names_read_back() {
        for standard in PdfStandard::ALL {
            assert_eq!(standard.name().parse(), Ok(standard));
        }
        assert_eq!("A-2B".parse(), Ok(A2b));
        assert!("a-9z".parse::<PdfStandard>().is_err());
        assert!("pdf/a-2b".parse::<PdfStandard>().is_err());
    }

    #[test]
    fn combinations_a_pdf_can_meet() {
        for ok in [
            &[][..],
            &[A2b],
            &[A2b, Ua1],
            &[A3b, Ua1, V1_7],
            &[V1_4, A1b],
            &[A4f, V2_0],
            &[Ua1],
            &[V2_0],
        ] {
            assert_eq!(check(ok), Ok(()), "{ok:?}");
        }
    }

    #[test]
    fn combinations_typst_refuses_are_refused_at_the_item_at_fault() {
        let (at, why) = check(&[A2b, A3b]).unwrap_err();
        assert_eq!(at, 1);
        assert!(why.contains("one PDF/A part"), "{why}");
        assert_eq!(check(&[Ua1, A2b, Ua1]).unwrap_err().0, 2);
        assert_eq!(check(&[V1_7, V2_0]).unwrap_err().0, 1);
        assert_eq!(check(&[A2b, A2b]).unwrap_err().0, 1);
        let (at, why) = check(&[A4, Ua1]).unwrap_err();
        assert_eq!(at, 1);
        assert_eq!(why, "\"ua-1\" needs PDF 1.4 to 1.7, which \"a-4\" excludes");
        assert_eq!(check(&[V1_7, A1b]).unwrap_err().0, 1);
        assert_eq!(check(&[A2b, V2_0]).unwrap_err().0, 1);
    }

    #[test]
    fn serialised_by_name() {
        let standards = PdfStandards::new(vec![A2b, Ua1]).unwrap();
        let json = serde_json::to_string(&standards).unwrap();
        assert_eq!(json, r#"["a-2b","ua-1"]"#);
        assert_eq!(
            serde_json::from_str::<PdfStandards>(&json).unwrap(),
            standards
        );
        assert!(serde_json::from_str::<PdfStandards>(r#"["a-2b","a-3b"]"#).is_err());
    }
}
