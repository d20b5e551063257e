//! The model folio builds for each fixture book, checked against the
//! fixture's EXPECTED.md: chapter tree and parts, footnotes per chapter,
//! citations, links, images, ids and diagnostics.

mod common;

use std::collections::{BTreeMap, HashSet};

use folio::core::model::{Block, Book, ChapterId, ImageTarget, Inline, LinkTarget, plain_text};
use folio::core::{visit_all_html_elements, visit_all_inlines};
use folio::{Severity, core::diagnostics::Diagnostic};

fn open(name: &str) -> Book {
    folio::Book::load(&common::fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn white_paper() -> Book {
    open("white-paper")
}

/// `severity path:line:col message` for every diagnostic.
fn diagnostics(book: &Book) -> Vec<String> {
    common::diagnostic_lines(book)
}

fn chapter(book: &Book, file: &str) -> ChapterId {
    book.chapter_ids()
        .find(|(_, c)| c.file == file)
        .map(|(id, _)| id)
        .unwrap_or_else(|| panic!("no chapter {file}"))
}

/// Every inline of the book with the chapter it is in.
fn inlines(book: &Book) -> Vec<(ChapterId, Inline)> {
    let mut out = Vec::new();
    for (id, chapter) in book.chapter_ids() {
        visit_all_inlines(chapter, &mut |inline| out.push((id, inline.clone())));
    }
    out
}

fn span_of(book: &Book, inline: &Inline) -> String {
    let span = inline.span();
    format!(
        "{}:{}:{}",
        book.sources[span.source].path, span.line, span.col
    )
}

#[test]
fn white_paper_metadata_and_tree() {
    let book = white_paper();
    assert_eq!(book.metadata.title, "Construire des communs numériques");
    assert_eq!(book.metadata.language, "fr");
    assert_eq!(book.metadata.authors, ["Collectif Folio"]);
    assert_eq!(book.output_name(), "construire-des-communs-numeriques");
    let cover = book.metadata.cover.expect("cover.png is the cover");
    assert_eq!(book.assets[cover].path, "cover.png");

    let parts: Vec<&str> = book.parts.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(parts, ["Comprendre", "Agir", "Meta"]);

    let rows: Vec<String> = book
        .chapters
        .iter()
        .map(|c| {
            let (part, parent) = (c.part.map(|p| p.index()), c.parent.map(|p| p.index()));
            format!(
                "{}|{}|{:?}|{part:?}|{parent:?}|{}|{}",
                c.file, c.title, c.kind, c.depth, c.path
            )
        })
        .collect();
    let expected = [
        "README.md|Introduction|Front|None|None|0|index",
        "1-enjeux/README.md|Les enjeux|Body|Some(0)|None|0|1-enjeux/index",
        "1-enjeux/1-definitions.md|Définitions|Body|Some(0)|Some(1)|1|1-enjeux/1-definitions",
        "2-constituants/README.md|Les constituants d’un commun|Body|Some(0)|None|0|2-constituants/index",
        "2-constituants/1-code_source.md|Le code source|Body|Some(0)|Some(3)|1|2-constituants/1-code_source",
        "2-constituants/2-gouvernance.md|Commun(s) et gouvernance|Body|Some(0)|Some(3)|1|2-constituants/2-gouvernance",
        "3-agir/README.md|Agir ensemble|Body|Some(1)|None|0|3-agir/index",
        "3-agir/1-acteurs_publics.md|Le rôle des acteurs publics|Body|Some(1)|Some(6)|1|3-agir/1-acteurs_publics",
        "3-agir/2-financement.md|Financer la maintenance|Body|Some(1)|Some(6)|1|3-agir/2-financement",
        "3-agir/3-feuille_de_route.md|Feuille de route|Body|Some(1)|Some(6)|1|3-agir/3-feuille_de_route",
        "glossaire.md|Glossaire|Body|Some(2)|None|0|glossaire",
        "references.md|Références|Body|Some(2)|None|0|references",
    ];
    assert_eq!(rows, expected);
    assert_eq!(
        book.bibliography.chapter,
        Some(chapter(&book, "references.md"))
    );
}

#[test]
fn white_paper_diagnostics_are_exactly_the_deliberate_ones() {
    let book = white_paper();
    let found = diagnostics(&book);
    let expected = [
        "Note EXPECTED.md:1:1 `EXPECTED.md` is not listed in SUMMARY.md and is left out",
        "Note book.json:7:3 book.json names GitBook plugins folio does not run: footnote-string-to-number, anchors",
        "Warning 1-enjeux/1-definitions.md:26:1 two headings of this chapter would both have the id `exemples`; this one gets `exemples-2`",
        "Warning 2-constituants/2-gouvernance.md:9:1 image `/assets/schema-gouvernance.png` has no alternative text",
        "Warning 2-constituants/2-gouvernance.md:33:1 footnote `[^3]` is never referenced and is left out",
        "Warning 3-agir/1-acteurs_publics.md:9:61 `assets/charte.pdf` is published with the web edition, but the EPUB and the PDF cannot carry it: there, this link is its text alone",
        "Warning 3-agir/1-acteurs_publics.md:15:177 citation `Benkler, 2006` has no bibliography entry",
        "Warning 3-agir/2-financement.md:13:186 broken link: `../2-constituants/1-code-source` is neither a chapter nor a file of the book",
        "Note brouillon.md:1:1 `brouillon.md` is not listed in SUMMARY.md and is left out",
    ];
    let mut sorted_found = found.clone();
    sorted_found.sort();
    let mut sorted_expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
    sorted_expected.sort();
    assert_eq!(sorted_found, sorted_expected, "\n{}", found.join("\n"));
    let broken = book
        .diagnostics
        .iter()
        .find(|d| d.message.starts_with("broken link"))
        .unwrap();
    assert_eq!(
        broken.hint.as_deref(),
        Some("did you mean `2-constituants/1-code_source.md`?")
    );
    assert!(!book.has_errors());
}

#[test]
fn white_paper_footnotes_are_scoped_and_numbered_per_book() {
    let book = white_paper();
    let mut found = Vec::new();
    for chapter in &book.chapters {
        for note in &chapter.footnotes {
            let text: String = plain_text(match &note.blocks[0] {
                Block::Paragraph { content, .. } => content,
                other => panic!("{other:?}"),
            });
            let words: String = text.chars().take(20).collect();
            found.push(format!(
                "{}|{}|{}|{}|{}",
                chapter.file,
                note.label,
                note.number,
                note.references.len(),
                words
            ));
        }
    }
    let expected = [
        "README.md|1|1|1|Dans les travaux sur",
        "1-enjeux/README.md|1|2|1|Les marchés publics ",
        "1-enjeux/README.md|2|3|1|Cette définition en ",
        "1-enjeux/1-definitions.md|1|4|1|C’est de loin le cas",
        "2-constituants/README.md|1|5|1|Même le choix d’un h",
        "2-constituants/1-code_source.md|1|6|1|Le choix de la licen",
        "2-constituants/1-code_source.md|2|7|1|Les clauses de propr",
        "2-constituants/1-code_source.md|12|8|1|Ces erreurs ont été ",
        "2-constituants/2-gouvernance.md|1|9|2|Plusieurs projets pu",
        "2-constituants/2-gouvernance.md|2|10|1|La publication des c",
        "3-agir/README.md|1|11|1|C’est presque toujou",
        "3-agir/1-acteurs_publics.md|1|12|1|Le principal levier ",
        "3-agir/1-acteurs_publics.md|2|13|1|Cette maxime ne sign",
        "3-agir/2-financement.md|1|14|1|Dans la comptabilité",
        "3-agir/2-financement.md|12|15|1|Une heure de relectu",
        "3-agir/3-feuille_de_route.md|1|16|1|L’ordre proposé n’es",
    ];
    assert_eq!(found, expected);

    // Every reference points at its own chapter's note, whose back links name it.
    for (id, inline) in inlines(&book) {
        if let Inline::FootnoteRef {
            label,
            note,
            id: ref_id,
            ..
        } = inline
        {
            let note = &book.chapters[id].footnotes[note.expect("every reference is defined")];
            assert_eq!(note.label, label);
            assert!(note.references.contains(&ref_id));
        }
    }
    // The multi-paragraph note keeps both paragraphs, its link and its citation.
    let gouv = &book.chapters[chapter(&book, "2-constituants/2-gouvernance.md")];
    let long = gouv.footnotes.iter().find(|n| n.label == "2").unwrap();
    assert_eq!(long.blocks.len(), 2);
    let mut kinds = Vec::new();
    for block in &long.blocks {
        if let Block::Paragraph { content, .. } = block {
            for inline in content {
                match inline {
                    Inline::Link(link) => {
                        if let LinkTarget::External { url } = &link.target {
                            kinds.push(format!("link {url}"))
                        }
                    }
                    Inline::Emphasis { .. } => kinds.push("emphasis".into()),
                    Inline::Citation { items, .. } => kinds.push(format!("cite {}", items[0].key)),
                    _ => {}
                }
            }
        }
    }
    assert_eq!(
        kinds,
        [
            "link https://forum.example.org/c/gouvernance",
            "emphasis",
            "cite Hess & Ostrom, 2007"
        ]
    );
}

#[test]
fn footnotes_can_be_numbered_per_chapter() {
    let book = open("mdbook");
    for chapter in &book.chapters {
        for (i, note) in chapter.footnotes.iter().enumerate() {
            assert_eq!(note.number as usize, i + 1, "{}", chapter.file);
        }
    }
    assert!(
        book.chapters.iter().any(|c| c.footnotes.len() >= 2),
        "the fixture should exercise the restart"
    );
}

#[test]
fn white_paper_citations_link_to_entries() {
    let book = white_paper();
    let keys: Vec<&str> = book
        .bibliography
        .entries
        .iter()
        .map(|e| e.key.as_str())
        .collect();
    assert_eq!(
        keys,
        [
            "Bollier, 2014",
            "Broca, 2013",
            "Colin & Verdier, 2015",
            "Coriat, 2015a",
            "Coriat, 2015b",
            "Coriat et al., 2015",
            "Coriat, 2017",
            "Hess & Ostrom, 2007",
            "Ostrom, 1990",
            "Rogers, 1962",
            "Verdier & Murciano, 2015"
        ]
    );
    let mut items = Vec::new();
    for (chapter_id, inline) in inlines(&book) {
        if let Inline::Citation { items: cited, .. } = &inline {
            for item in cited {
                let entry = item
                    .entry
                    .map(|e| book.bibliography.entries[e].key.as_str())
                    .unwrap_or("-");
                items.push(format!(
                    "{} {} -> {}",
                    span_of(&book, &inline),
                    item.key,
                    entry
                ));
                if let Some(e) = item.entry {
                    let sites = &book.bibliography.entries[e].cited_by;
                    assert!(
                        sites
                            .iter()
                            .any(|s| s.chapter == chapter_id && s.id == item.id),
                        "{} not in cited_by",
                        item.id
                    );
                }
            }
        }
    }
    assert_eq!(items.len(), 16, "{items:#?}");
    assert_eq!(
        items.iter().filter(|i| i.ends_with("-> -")).count(),
        1,
        "only Benkler, 2006 has no entry: {items:#?}"
    );
    for expected in [
        "1-enjeux/README.md:7:191 Coriat, 2017 -> Coriat, 2017",
        "2-constituants/2-gouvernance.md:23:95 Colin & Verdier, 2015 -> Colin & Verdier, 2015",
        "3-agir/2-financement.md:9:98 Hess et Ostrom, 2007 -> Hess & Ostrom, 2007",
        "3-agir/README.md:12:142 Coriat et al., 2015 -> Coriat et al., 2015",
        "3-agir/1-acteurs_publics.md:15:87 Coriat, 2015b -> Coriat, 2015b",
        "3-agir/1-acteurs_publics.md:15:177 Benkler, 2006 -> -",
    ] {
        assert!(
            items.iter().any(|i| i == expected),
            "missing `{expected}` in {items:#?}"
        );
    }
    let hess = book
        .bibliography
        .entries
        .iter()
        .find(|e| e.key == "Hess & Ostrom, 2007")
        .unwrap();
    assert_eq!(hess.cited_by.len(), 3);
    // A locator is kept apart from the key.
    assert!(inlines(&book).iter().any(|(_, i)| matches!(i, Inline::Citation { items, .. } if items[0].locator.as_deref() == Some("p. 90"))));
    // Entries are list items marked with their entry.
    let references = &book.chapters[book.bibliography.chapter.unwrap()];
    let marked = references.blocks.iter().map(|b| match b {
        Block::List { items, .. } => items.iter().filter(|i| i.entry.is_some()).count(),
        _ => 0,
    });
    assert_eq!(marked.sum::<usize>(), 11);
}

#[test]
fn white_paper_brackets_that_are_not_citations_stay_text() {
    let book = white_paper();
    let enjeux = &book.chapters[chapter(&book, "1-enjeux/README.md")];
    let mut text = String::new();
    visit_all_inlines(enjeux, &mut |i| {
        if let Inline::Text { text: t, .. } = i {
            text.push_str(t);
        }
    });
    for kept in ["[…]", "[la qualification de bien public]", "[1]"] {
        assert!(text.contains(kept), "`{kept}` should stay text");
    }
}

#[test]
fn white_paper_links_resolve() {
    let book = white_paper();
    let mut links = BTreeMap::new();
    for (_, inline) in inlines(&book) {
        if let Inline::Link(link) = &inline {
            let target = match &link.target {
                LinkTarget::Chapter { chapter, anchor } => format!(
                    "{}#{}",
                    book.chapters[*chapter].file,
                    anchor.as_deref().unwrap_or("")
                ),
                LinkTarget::Anchor { anchor } => format!("#{anchor}"),
                LinkTarget::Asset { asset } => format!("asset {}", book.assets[*asset].path),
                LinkTarget::External { url } => format!("external {url}"),
                LinkTarget::Broken => "broken".to_string(),
                LinkTarget::Unresolved => "unresolved".to_string(),
            };
            links.insert(span_of(&book, &inline), target);
        }
    }
    let expected = [
        ("README.md:21:32", "1-enjeux/README.md#"),
        ("README.md:21:93", "3-agir/README.md#"),
        ("1-enjeux/README.md:17:224", "2-constituants/README.md#"),
        (
            "1-enjeux/1-definitions.md:3:136",
            "glossaire.md#licence-libre",
        ),
        (
            "1-enjeux/1-definitions.md:24:129",
            "2-constituants/1-code_source.md#",
        ),
        ("1-enjeux/1-definitions.md:30:45", "references.md#"),
        (
            "2-constituants/README.md:7:30",
            "2-constituants/1-code_source.md#",
        ),
        (
            "2-constituants/README.md:7:131",
            "2-constituants/2-gouvernance.md#",
        ),
        (
            "2-constituants/1-code_source.md:15:92",
            "3-agir/3-feuille_de_route.md#",
        ),
        (
            "2-constituants/2-gouvernance.md:29:62",
            "external https://forum.example.org/c/gouvernance",
        ),
        ("3-agir/README.md:3:169", "2-constituants/README.md#"),
        (
            "3-agir/1-acteurs_publics.md:9:61",
            "asset assets/charte.pdf",
        ),
        (
            "3-agir/1-acteurs_publics.md:9:314",
            "external https://www.etalab.gouv.fr/",
        ),
        (
            "3-agir/1-acteurs_publics.md:13:101",
            "2-constituants/2-gouvernance.md#gouvernance",
        ),
        (
            "3-agir/1-acteurs_publics.md:17:54",
            "2-constituants/2-gouvernance.md#",
        ),
        (
            "3-agir/2-financement.md:7:134",
            "2-constituants/1-code_source.md#point-cle",
        ),
        ("3-agir/2-financement.md:13:186", "broken"),
        ("3-agir/3-feuille_de_route.md:3:175", "#calendrier"),
        (
            "glossaire.md:9:113",
            "2-constituants/2-gouvernance.md#gouvernance",
        ),
    ];
    for (at, target) in expected {
        assert_eq!(
            links.get(at).map(String::as_str),
            Some(target),
            "link at {at}; all links: {links:#?}"
        );
    }
    assert_eq!(
        links.values().filter(|t| *t == "broken").count(),
        1,
        "{links:#?}"
    );
    let asset = book
        .assets
        .iter()
        .find(|a| a.path == "assets/charte.pdf")
        .unwrap();
    assert_eq!(asset.media_type, "application/pdf");
}

/// An image's width and height.
type Pixels = (u32, u32);

#[test]
fn white_paper_images_resolve_with_their_size() {
    let book = white_paper();
    let sizes: BTreeMap<&str, (String, Option<Pixels>)> = book
        .assets
        .iter()
        .map(|a| {
            (
                a.path.as_str(),
                (a.media_type.clone(), a.size.map(|s| (s.width, s.height))),
            )
        })
        .collect();
    assert_eq!(sizes["cover.png"], ("image/png".into(), Some((600, 900))));
    assert_eq!(
        sizes["assets/logo.png"],
        ("image/png".into(), Some((400, 200)))
    );
    assert_eq!(
        sizes["assets/schema-gouvernance.png"],
        ("image/png".into(), Some((1200, 600)))
    );
    assert_eq!(
        sizes["assets/picto.png"],
        ("image/png".into(), Some((24, 24)))
    );
    assert_eq!(
        sizes["assets/cycle.svg"],
        ("image/svg+xml".into(), Some((300, 150)))
    );

    let readme = &book.chapters[chapter(&book, "README.md")];
    assert!(readme.blocks.iter().any(|b| matches!(b, Block::Figure { image, .. } if image.alt.starts_with("Logo du livre blanc") && matches!(image.target, ImageTarget::Asset { .. }))));
    let mut images = 0;
    for (_, inline) in inlines(&book) {
        if let Inline::Image(image) = inline {
            images += 1;
            assert!(
                matches!(image.target, ImageTarget::Asset { .. }),
                "{image:?}"
            );
        }
    }
    assert_eq!(images, 5, "four figures and one inline pictogram");
}

#[test]
fn white_paper_ids_are_unique() {
    let book = white_paper();
    let mut global = HashSet::new();
    for chapter in &book.chapters {
        let mut local = HashSet::new();
        let mut headings = Vec::new();
        collect_heading_ids(&chapter.blocks, &mut headings);
        for id in &headings {
            assert!(local.insert(id.clone()), "`{id}` twice in {}", chapter.file);
            assert!(
                global.insert(chapter.global_id(id).to_string()),
                "`{id}` collides book-wide in {}",
                chapter.file
            );
        }
    }
    let gouv = &book.chapters[chapter(&book, "2-constituants/2-gouvernance.md")];
    let mut ids = Vec::new();
    collect_heading_ids(&gouv.blocks, &mut ids);
    assert!(ids.contains(&"gouvernance".to_string()));
    let glossary = &book.chapters[chapter(&book, "glossaire.md")];
    let mut ids = Vec::new();
    collect_heading_ids(&glossary.blocks, &mut ids);
    for id in ["licence-libre", "commun", "gouvernance", "mutualisation"] {
        assert!(ids.contains(&id.to_string()), "{ids:?}");
    }
}

fn collect_heading_ids(blocks: &[Block], out: &mut Vec<String>) {
    for block in blocks {
        match block {
            Block::Heading { id, .. } => out.push(id.clone()),
            Block::BlockQuote { blocks, .. } => collect_heading_ids(blocks, out),
            _ => {}
        }
    }
}

#[test]
fn white_paper_heading_levels_are_normalised_and_text_kept() {
    let book = white_paper();
    let first_levels = |file: &str| -> Vec<u8> {
        book.chapters[chapter(&book, file)]
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading { level, .. } => Some(*level),
                _ => None,
            })
            .take(2)
            .collect()
    };
    assert_eq!(first_levels("1-enjeux/README.md"), [1, 2]);
    assert_eq!(first_levels("1-enjeux/1-definitions.md"), [1, 2]);

    // French typography: typed U+202F survives, ordinary spaces before `?` become U+202F.
    let readme = &book.chapters[chapter(&book, "README.md")];
    let headings: Vec<String> = readme
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading { content, .. } => Some(plain_text(content)),
            _ => None,
        })
        .collect();
    assert!(
        headings
            .iter()
            .any(|h| h == "Pourquoi ce livre blanc\u{202F}?"),
        "{headings:?}"
    );
    let mut text = String::new();
    visit_all_inlines(readme, &mut |i| {
        if let Inline::Text { text: t, .. } = i {
            text.push_str(t);
        }
    });
    assert!(
        text.contains("«\u{202F}pionniers\u{202F}»"),
        "typed narrow spaces are kept, not doubled"
    );
    assert!(!text.contains("\u{202F}\u{202F}"));
}

#[test]
fn mdbook_layout() {
    let book = open("mdbook");
    let parts: Vec<&str> = book.parts.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(parts, ["Premiers pas", "Aller plus loin"]);
    let rows: Vec<String> = book
        .chapters
        .iter()
        .map(|c| {
            format!(
                "{}|{:?}|{:?}|{}",
                c.file,
                c.kind,
                c.part.map(|p| p.index()),
                c.depth
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            "avant-propos.md|Front|None|0",
            "jardin.md|Body|Some(0)|0",
            "jardin/parcelles.md|Body|Some(0)|1",
            "regles.md|Body|Some(0)|0",
            "recoltes.md|Body|Some(1)|0",
            "bibliographie.md|Back|None|0",
            "remerciements.md|Back|None|0",
        ]
    );
    assert_eq!(book.output_name(), "guide-mdbook");
    assert_eq!(book.chapters[0].span.source, book.chapters[0].source);
    assert_eq!(
        book.sources[book.chapters[0].source].path,
        "src/avant-propos.md"
    );
    let found = diagnostics(&book);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with("Note src/SUMMARY.md:")
            && found[0].contains("draft chapter `À venir` skipped"),
        "{found:?}"
    );
    assert_eq!(book.bibliography.chapter, Some(ChapterId(5)));
    // One file with spaces in its name, written two ways: one asset, a portable href.
    let assets: Vec<(&str, &str, Option<Pixels>)> = book
        .assets
        .iter()
        .map(|a| {
            (
                a.path.as_str(),
                a.href.as_str(),
                a.size.map(|s| (s.width, s.height)),
            )
        })
        .collect();
    assert_eq!(
        assets,
        [
            (
                "images/jardin au printemps.png",
                "images/jardin-au-printemps.png",
                Some((320, 240))
            ),
            (
                "images/plan des parcelles.svg",
                "images/plan-des-parcelles.svg",
                Some((320, 160))
            ),
        ]
    );
    // Raw HTML: its figure's id is a link target, its image an asset, its link a chapter.
    let parcelles = &book.chapters[2];
    let elements = visit_all_html_elements(parcelles);
    let figure = elements
        .iter()
        .find(|e| e.name == "figure")
        .expect("the figure is raw HTML");
    assert_eq!(figure.anchor(), Some("plan"));
    let image = elements
        .iter()
        .find(|e| e.name == "img")
        .expect("its image");
    assert_eq!(
        (image.attributes[0].target.clone(), image.span.line),
        (
            Some(LinkTarget::Asset {
                asset: folio::core::AssetId(1)
            }),
            18
        )
    );
    let raw_links: Vec<_> = elements
        .iter()
        .filter(|e| e.name == "a")
        .map(|e| {
            (
                e.attribute("href").unwrap_or_default().to_string(),
                e.attributes[0].target.clone(),
                e.span.line,
                e.span.col,
            )
        })
        .collect();
    assert_eq!(
        raw_links,
        [(
            "../regles.html".to_string(),
            Some(LinkTarget::Chapter {
                chapter: ChapterId(3),
                anchor: None
            }),
            22,
            36
        )]
    );
    let mut to_the_plan = None;
    visit_all_inlines(&book.chapters[3], &mut |inline| {
        if let Inline::Link(link) = inline
            && link.url.ends_with("#plan")
        {
            to_the_plan = Some(link.target.clone());
        }
    });
    assert_eq!(
        to_the_plan,
        Some(LinkTarget::Chapter {
            chapter: ChapterId(2),
            anchor: Some("plan".into())
        })
    );
    let mut images = 0;
    for chapter in &book.chapters {
        visit_all_inlines(chapter, &mut |inline| {
            if let Inline::Image(image) = inline {
                assert_eq!(
                    image.target,
                    ImageTarget::Asset {
                        asset: folio_core::AssetId(0)
                    },
                    "{}",
                    image.url
                );
                images += 1;
            }
        });
    }
    assert_eq!(images, 2);
}

#[test]
fn single_file_with_front_matter() {
    let book = folio::Book::load(&common::fixture("single-file").join("livre.md")).unwrap();
    assert_eq!(book.chapters.len(), 1);
    assert!(!book.metadata.title.is_empty());
    assert_eq!(book.metadata.language, "fr");
    assert!(!book.metadata.authors.is_empty());
    assert!(book.metadata.description.is_some());
    let chapter = &book.chapters[0];
    assert!(
        chapter.footnotes.iter().any(|n| n.references.len() == 2),
        "a note referenced twice"
    );
    assert!(
        chapter
            .blocks
            .iter()
            .any(|b| matches!(b, Block::Table { .. }))
    );
    assert!(
        book.assets.iter().any(|a| a.path == "images/carte.png"
            && a.size.map(|s| (s.width, s.height)) == Some((480, 320)))
    );
    assert!(
        book.diagnostics
            .iter()
            .all(|d| d.severity < Severity::Warning),
        "{:#?}",
        diagnostics(&book)
    );
}

#[test]
fn the_user_guide_is_clean() {
    let book =
        folio::Book::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("book")).unwrap();
    let found = diagnostics(&book);
    assert!(
        book.diagnostics
            .iter()
            .all(|d| d.severity < Severity::Warning),
        "{found:#?}"
    );
}

/// Each bad book: its diagnostics (snapshot) and the CLI's exit code 1.
#[test]
fn bad_fixtures_report_and_exit_1() {
    let bad = common::fixture("bad");
    let mut cases: Vec<_> = std::fs::read_dir(&bad)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name())
        .collect();
    cases.sort();
    assert!(cases.len() >= 7);
    for case in cases {
        let case = case.to_string_lossy().into_owned();
        let path = bad.join(&case);
        let book = folio::Book::load(&path).unwrap_or_else(|e| panic!("{case}: {e}"));
        assert!(book.has_errors(), "{case} should have an error");
        let errors: Vec<&Diagnostic> = book
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        let rendered = folio::core::diagnostics::render(
            &errors.into_iter().cloned().collect::<Vec<_>>(),
            &book.sources,
            false,
        );
        insta::assert_snapshot!(format!("bad_{case}"), rendered);
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_folio"))
            .arg("check")
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{case}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let built = std::process::Command::new(env!("CARGO_BIN_EXE_folio"))
            .args(["build", "--to", "html", "--out"])
            .arg(common::temp_out(&format!("bad-{case}")))
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(built.status.code(), Some(1), "{case}: build must refuse");
    }
}

/// Every invalid setting is reported at once, at its line in folio.toml, and
/// none reaches the model: a date folio cannot read is left out, a warning.
#[test]
fn invalid_settings_are_reported_together_and_left_unset() {
    let book = open("bad/invalid-settings");
    let found = diagnostics(&book);
    for expected in [
        "Warning folio.toml:4:8 the date \"2024-13-45\" is left out: there is no month 13",
        "Error folio.toml:7:12 [html] site-url",
        "Error folio.toml:10:16 [html.vars] light-accent",
        "Error folio.toml:11:14 [html.vars] \"bad name\"",
        "Error folio.toml:14:9 [pdf] paper",
        "Error folio.toml:15:14 [pdf] standards[0]",
        "Error folio.toml:16:13 [pdf] font-size",
    ] {
        assert!(
            found.iter().any(|d| d.starts_with(expected)),
            "{expected}: {found:#?}"
        );
    }
    assert_eq!(book.metadata.date, None);
    let config = &book.config;
    assert!(config.html.site_url.is_none() && config.html.vars.is_empty());
    assert!(config.pdf.paper.is_none() && config.pdf.standards.is_none());
    assert!(config.pdf.font_size.is_none());
}

#[test]
fn cli_exit_codes() {
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_folio"))
            .args(args)
            .output()
            .unwrap()
    };
    let wp = common::fixture("white-paper");
    let wp = wp.to_str().unwrap();
    assert_eq!(run(&["check", wp]).status.code(), Some(0));
    assert_eq!(
        run(&["check", wp, "--deny-warnings"]).status.code(),
        Some(1)
    );
    assert_eq!(run(&["check", "/nonexistent/book"]).status.code(), Some(2));
    assert_eq!(run(&["build", wp, "--to", "docx"]).status.code(), Some(2));
    let inspect = run(&["inspect", wp, "--json"]);
    assert_eq!(inspect.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&inspect.stdout).unwrap();
    assert_eq!(json["chapters"].as_array().unwrap().len(), 12);
    assert_eq!(json["metadata"]["language"], "fr");
}

/// Every CommonMark 0.31.2 and GFM 0.29 example parses without panic, its
/// model serialises, and its text survives: each word of the model's text
/// comes from the source, and a source with words gives a model with words.
#[test]
fn spec_examples_survive_into_the_model() {
    let Some((commonmark, gfm)) = common::spec::spec_files() else {
        return;
    };
    let mut checked = 0;
    for example in common::spec::examples("CommonMark 0.31.2", &commonmark)
        .iter()
        .chain(&common::spec::examples("GFM 0.29", &gfm))
    {
        // A document that opens with `---` starts YAML front matter (as GitBook books use it).
        if example.markdown.starts_with("---\n") {
            continue;
        }
        let markdown = example.markdown.clone();
        let book = std::panic::catch_unwind(move || folio::core::parse_str(&markdown))
            .unwrap_or_else(|_| panic!("{} example {} panicked", example.suite, example.number));
        serde_json::to_string(&book).expect("the model serialises");
        let mut text = String::new();
        for chapter in &book.chapters {
            visit_all_inlines(chapter, &mut |i| match i {
                Inline::Text { text: t, .. } | Inline::Code { code: t, .. } => {
                    text.push_str(t);
                    text.push(' ');
                }
                Inline::Html(fragment) => html_source_text(&fragment.nodes, &mut text),
                Inline::HtmlElement { element, .. } => html_element_text(element, &mut text),
                _ => {}
            });
            collect_block_text(&chapter.blocks, &mut text);
        }
        let words = |s: &str| {
            s.split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.len() > 2)
                .map(str::to_string)
                .collect::<HashSet<_>>()
        };
        // HTML's names are read in lowercase (`<DIV>` is a `div`), as a browser reads them.
        let source = example.markdown.to_lowercase();
        let source_words = words(&source);
        // Entities (`&ouml;`) and escapes make new words; everything else must come from the source.
        if !example.markdown.contains('&') {
            for word in words(&text.to_lowercase()) {
                assert!(
                    source_words.contains(&word) || source.contains(&word),
                    "{} example {}: `{word}` is not in the source",
                    example.suite,
                    example.number
                );
            }
        }
        // Every word the spec shows as text is in the model.
        let shown: String = scraper::Html::parse_fragment(&example.html)
            .root_element()
            .text()
            .collect::<Vec<_>>()
            .join(" ");
        let model_words = words(&text);
        for word in words(&shown) {
            assert!(
                model_words.contains(&word),
                "{} example {}: `{word}` is shown by the spec but missing from the model",
                example.suite,
                example.number
            );
        }
        checked += 1;
    }
    assert!(checked > 1300, "{checked}");
}

/// What raw HTML holds from its source: names, attribute values, text, comments.
fn html_source_text(nodes: &[folio::core::HtmlNode], out: &mut String) {
    use folio::core::HtmlNode;
    for node in nodes {
        match node {
            HtmlNode::Element { element, children } => {
                html_element_text(element, out);
                html_source_text(children, out);
            }
            HtmlNode::RawText { element, text } => {
                html_element_text(element, out);
                out.push_str(text);
                out.push(' ');
            }
            HtmlNode::Text { text, .. } | HtmlNode::Comment { text, .. } => {
                out.push_str(text);
                out.push(' ');
            }
            _ => {}
        }
    }
}

fn html_element_text(element: &folio::core::HtmlElement, out: &mut String) {
    out.push_str(&element.name);
    out.push(' ');
    for attribute in &element.attributes {
        out.push_str(&attribute.name);
        out.push(' ');
        out.push_str(&attribute.value);
        out.push(' ');
    }
}

fn collect_block_text(blocks: &[Block], out: &mut String) {
    for block in blocks {
        match block {
            Block::CodeBlock { code: text, .. } => {
                out.push_str(text);
                out.push(' ');
            }
            Block::Html(fragment) => html_source_text(&fragment.nodes, out),
            Block::HtmlElement { element, blocks } => {
                html_element_text(element, out);
                collect_block_text(blocks, out);
            }
            Block::BlockQuote { blocks, .. } => collect_block_text(blocks, out),
            Block::List { items, .. } => items
                .iter()
                .for_each(|i| collect_block_text(&i.blocks, out)),
            _ => {}
        }
    }
}
