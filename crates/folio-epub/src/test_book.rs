//! A small resolved book, built by hand, for the unit tests: a front
//! chapter, a part with a chapter and its sub-chapter, references, a figure,
//! a cover and an asset that no chapter uses.

use std::collections::BTreeMap;

use folio_core::files::Folder;
use folio_core::{
    Asset, AssetId, Bibliography, Block, Book, Chapter, ChapterId, ChapterKind, Config, Image,
    ImageTarget, Inline, Metadata, Part, PartId, SourceId, Span,
};

/// The table of contents of [`book`], as `nav::tests::outline` writes it.
pub(crate) const OUTLINE: &str =
    "Introduction; Première partie(Chapitre A(Section A1; Chapitre B)); Références";

fn text(text: &str) -> Vec<Inline> {
    vec![Inline::Text {
        text: text.into(),
        span: Span::default(),
    }]
}

fn heading(level: u8, id: &str, title: &str) -> Block {
    Block::Heading {
        level,
        id: id.into(),
        content: text(title),
        span: Span::default(),
    }
}

fn paragraph(words: &str) -> Block {
    Block::Paragraph {
        content: text(words),
        span: Span::default(),
    }
}

fn chapter(
    title: &str,
    path: &str,
    kind: ChapterKind,
    part: Option<u32>,
    parent: Option<u32>,
    blocks: Vec<Block>,
) -> Chapter {
    Chapter {
        title: title.into(),
        title_heading: folio_core::title_heading(&blocks),
        kind,
        part: part.map(PartId),
        parent: parent.map(ChapterId),
        depth: u32::from(parent.is_some()),
        source: SourceId(0),
        file: format!("{path}.md"),
        path: path.into(),
        id: path.replace('/', "-"),
        blocks,
        footnotes: Vec::new(),
        assets: Vec::new(),
        anchors: Default::default(),
        global_ids: BTreeMap::new(),
        span: Span::default(),
    }
}

/// The book, without files on disk.
pub(crate) fn book() -> Book {
    let figure = Image {
        url: "../images/fig.png".into(),
        alt: "Un schéma".into(),
        alt_text: folio_core::AltText::Described,
        title: None,
        target: ImageTarget::Asset {
            asset: folio_core::AssetId(0),
        },
        span: Span::default(),
    };
    let png = |path: &str| Asset {
        path: path.into(),
        href: path.into(),
        url: None,
        media_type: "image/png".into(),
        size: None,
    };
    let mut book = Book {
        root: Folder::nowhere(),
        metadata: Metadata {
            title: "Le livre & ses notes".into(),
            subtitle: Some("Un essai".into()),
            authors: vec!["Ada Lovelace".into(), "Alan Turing".into()],
            language: "fr".into(),
            description: Some("Une description.".into()),
            identifier: None,
            license: Some("CC BY-SA 4.0".into()),
            publisher: Some("Éditions folio".into()),
            version: Some("1.2".into()),
            date: "2024-03-09".parse().ok(),
            keywords: vec!["essai".into()],
            cover: Some(AssetId(1)),
        },
        config: Config::default(),
        toc: Vec::new(),
        parts: vec![Part {
            title: "Première partie".into(),
            id: "premiere-partie".into(),
            span: Span::default(),
        }],
        chapters: vec![
            chapter(
                "Introduction",
                "index",
                ChapterKind::Front,
                None,
                None,
                vec![
                    heading(1, "introduction", "Introduction"),
                    paragraph("Bonjour."),
                ],
            ),
            chapter(
                "Chapitre A",
                "1-part/a",
                ChapterKind::Body,
                Some(0),
                None,
                vec![
                    heading(1, "chapitre-a", "Chapitre A"),
                    paragraph("Texte."),
                    heading(2, "section-a1", "Section A1"),
                    Block::Figure {
                        image: Box::new(figure),
                        span: Span::default(),
                    },
                ],
            ),
            chapter(
                "Chapitre B",
                "1-part/b",
                ChapterKind::Body,
                Some(0),
                Some(1),
                vec![paragraph("Sans titre.")],
            ),
            chapter(
                "Références",
                "references",
                ChapterKind::Body,
                None,
                None,
                vec![heading(1, "references", "Références")],
            ),
        ],
        assets: vec![
            png("images/fig.png"),
            png("cover.png"),
            Asset {
                path: "assets/doc.pdf".into(),
                href: "assets/doc.pdf".into(),
                url: None,
                media_type: "application/pdf".into(),
                size: None,
            },
        ],
        stylesheets: Vec::new(),
        fonts: Vec::new(),
        bibliography: Bibliography {
            chapter: Some(ChapterId(3)),
            entries: Vec::new(),
        },
        sources: Vec::new(),
        diagnostics: Vec::new(),
        math_macros: Vec::new(),
        languages: Vec::new(),
        glossary: None,
    };
    book.toc = folio_core::resolve::toc::build(&book);
    book
}

/// A 1×1 grey PNG, for image assets.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x3a, 0x7e, 0x9b,
    0x55, 0x00, 0x00, 0x00, 0x0a, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x68, 0x00, 0x00, 0x00,
    0x82, 0x00, 0x81, 0x77, 0xcd, 0x72, 0xb6, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];

/// The book with its asset files written to a fresh folder, removed on drop.
pub(crate) struct OnDisk(
    pub Book,
    #[expect(dead_code, reason = "held for its Drop, which removes the folder")] tempfile::TempDir,
);

pub(crate) fn book_on_disk() -> OnDisk {
    let mut book = book();
    let folder = tempfile::tempdir().expect("temp folder");
    let root = folder.path();
    for asset in &book.assets {
        let path = root.join(&asset.path);
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder).expect("temp folder");
        }
        let bytes = if asset.media_type == "image/png" {
            PNG
        } else {
            asset.path.as_bytes()
        };
        std::fs::write(&path, bytes).expect("temp file");
    }
    book.root = Folder::new(root).expect("the temp folder");
    OnDisk(book, folder)
}
