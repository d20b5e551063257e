//! A deterministic generator of realistic French books in the GitBook layout, for benches and
//! tests that need a big book.
//!
//! Use it from a bench with
//!     #[path = "common/generate.rs"]
//!     mod generate;
//! (cargo does not treat `benches/common/` as a bench target), and from an integration test
//! through `mod common;` as `common::generate` (tests/common/mod.rs includes this file).
//!
//! The book is what folio meets in the wild: SUMMARY.md with parts, book.json, chapters in
//! folders (a folder's README.md as its first chapter), chapters starting at `#` or at `##`,
//! headings with and without `{#id}`, footnotes restarting at `[^1]` in every chapter,
//! extensionless links between chapters, author-year citations of a references chapter,
//! tables, code, lists, block quotes, a root-absolute image and typed no-break spaces.
//! Everything resolves: `folio check` on it must report nothing.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The generated 100-chapter book that every edition's bench measures,
/// written once under `target/bench-books/` and reused by later runs.
pub fn bench_book() -> PathBuf {
    bench_book_of(100)
}

/// The generated book of `chapters` chapters, written once under
/// `target/bench-books/generated-N-chapters/` and reused by later runs.
pub fn bench_book_of(chapters: usize) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!("target/bench-books/generated-{chapters}-chapters"));
    if !dir.join("SUMMARY.md").is_file() {
        generate_book(&dir, chapters);
    }
    dir
}

/// Bytes of Markdown in a book's chapters: what every bench's throughput is
/// measured against. Not the other Markdown files of the folder: SUMMARY.md
/// is not text of the book, and a fixture's EXPECTED.md is only noted as
/// unlisted, so counting them would flatter the throughput.
pub fn chapter_bytes(book: &folio_core::Book) -> u64 {
    book.chapters
        .iter()
        .map(|c| book.sources[c.source].text.len() as u64)
        .sum()
}

/// Writes a book of `chapters` chapters (~15–25 KB of Markdown each, plus an introduction and
/// a references chapter) into `dir`, created if needed; files of an earlier book are not
/// removed, so pass a fresh directory. Returns the bytes of Markdown written, for
/// `criterion::Throughput::Bytes`.
pub fn generate_book(dir: &Path, chapters: usize) -> u64 {
    let plan = plan(chapters);
    let mut book = BookWriter {
        dir,
        markdown_bytes: 0,
    };
    book.write("book.json", BOOK_JSON.as_bytes());
    book.write("assets/fig.png", &png(240, 160));
    book.write("SUMMARY.md", summary(&plan).as_bytes());
    book.write("README.md", introduction(&plan).as_bytes());
    book.write("references.md", references().as_bytes());
    for chapter in &plan {
        book.write(&chapter.path(), chapter_markdown(chapter, &plan).as_bytes());
    }
    book.markdown_bytes
}

struct BookWriter<'a> {
    dir: &'a Path,
    markdown_bytes: u64,
}

impl BookWriter<'_> {
    fn write(&mut self, relative: &str, bytes: &[u8]) {
        let path = self.dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .unwrap_or_else(|e| panic!("cannot create {}: {e}", parent.display()));
        }
        std::fs::write(&path, bytes)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        if relative.ends_with(".md") {
            self.markdown_bytes += bytes.len() as u64;
        }
    }
}

const BOOK_JSON: &str = r#"{
  "title": "Des communs numériques à l’échelle",
  "description": "Un livre généré pour mesurer folio : gouvernance, financement et maintenance des logiciels publics.",
  "language": "fr",
  "author": "Atelier Folio",
  "gitbook": ">= 3.0.0"
}
"#;

const PARTS: [(&str, &str); 2] = [("1-comprendre", "Comprendre"), ("2-agir", "Agir")];

/// Where a chapter lives and what it is called.
struct Chapter {
    index: usize,
    folder: &'static str,
    /// `README` for the first chapter of a folder, `03-financer-la-maintenance` otherwise.
    stem: String,
    title: String,
}

impl Chapter {
    fn path(&self) -> String {
        format!("{}/{}.md", self.folder, self.stem)
    }

    /// The link a chapter of `from_folder` writes to reach this one, GitBook style: no
    /// extension, a folder for a README.
    /// `from_folder` is `""` for the book root.
    fn link_from(&self, from_folder: &str) -> String {
        if from_folder.is_empty() {
            return match self.stem.as_str() {
                "README" => format!("{}/", self.folder),
                stem => format!("{}/{stem}", self.folder),
            };
        }
        match (self.folder == from_folder, self.stem == "README") {
            (true, true) => "README".to_owned(),
            (true, false) => self.stem.clone(),
            (false, true) => format!("../{}/", self.folder),
            (false, false) => format!("../{}/{}", self.folder, self.stem),
        }
    }
}

/// The first half of the chapters go to the first part, the rest to the second.
fn plan(chapters: usize) -> Vec<Chapter> {
    let first_part_len = chapters.div_ceil(2);
    (0..chapters)
        .map(|index| {
            let (part, position) = if index < first_part_len {
                (0, index)
            } else {
                (1, index - first_part_len)
            };
            let topic = TOPICS[index % TOPICS.len()];
            let title = match index / TOPICS.len() {
                0 => topic.to_owned(),
                round => format!("{topic}, volet {}", round + 1),
            };
            let stem = match position {
                0 => "README".to_owned(),
                _ => format!("{:02}-{}", position, slug(&title)),
            };
            Chapter {
                index,
                folder: PARTS[part].0,
                stem,
                title,
            }
        })
        .collect()
}

/// Enough of a slug for file names: lowercase ASCII words joined by `-`.
fn slug(title: &str) -> String {
    let ascii: String = title
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'à' | 'â' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' => 'o',
            'ù' | 'û' => 'u',
            'ç' => 'c',
            c if c.is_ascii_alphanumeric() => c,
            _ => ' ',
        })
        .collect();
    ascii.split_whitespace().collect::<Vec<_>>().join("-")
}

fn summary(plan: &[Chapter]) -> String {
    let mut summary = String::from("# Sommaire\n\n* [Introduction](README.md)\n");
    for (folder, part_title) in PARTS {
        let mut chapters = plan
            .iter()
            .filter(|chapter| chapter.folder == folder)
            .peekable();
        if chapters.peek().is_none() {
            continue;
        }
        let _ = write!(summary, "\n## {part_title}\n\n");
        for chapter in chapters {
            // The folder's README is the parent of the folder's other chapters.
            let indent = if chapter.stem == "README" { "" } else { "    " };
            // GitBook titles escape parentheses.
            let title = chapter.title.replace('(', "\\(").replace(')', "\\)");
            let _ = writeln!(summary, "{indent}* [{title}]({})", chapter.path());
        }
    }
    summary.push_str("\n## Annexes <a id=\"annexes\"></a>\n\n* [Références](references.md)\n");
    summary
}

fn introduction(plan: &[Chapter]) -> String {
    let mut text = String::from(
        "# Introduction\n\nCe livre rassemble des notes de travail sur les *communs numériques*\u{a0}: \
         comment des acteurs publics et privés coproduisent, financent et maintiennent des \
         logiciels d’intérêt général [Ostrom, 1990].\n\n",
    );
    if let Some(first) = plan.first() {
        let _ = writeln!(
            text,
            "Commencez par [{}]({}).",
            first.title,
            first.link_from("")
        );
    }
    text
}

/// Author-year keys of the references chapter, cited by the chapters.
const REFERENCES: [(&str, &str); 16] = [
    ("Ostrom, 1990", "Governing the Commons"),
    ("Rogers, 1962", "Diffusion of Innovations"),
    ("Coriat, 2015", "Le retour des communs"),
    ("Coriat et al., 2015", "Dictionnaire des biens communs"),
    ("Verdier & Murciano, 2015", "L’âge de la multitude"),
    (
        "Colin & Verdier, 2015",
        "L’âge de la multitude, deuxième édition",
    ),
    ("Benkler, 2006", "The Wealth of Networks"),
    ("Eghbal, 2016", "Roads and Bridges"),
    ("Eghbal, 2020", "Working in Public"),
    (
        "Hess & Ostrom, 2007",
        "Understanding Knowledge as a Commons",
    ),
    ("Lessig, 2001", "The Future of Ideas"),
    ("Stallman, 2002a", "Free Software, Free Society"),
    ("Stallman, 2002b", "The GNU Manifesto, revised"),
    ("Bollier, 2014", "La renaissance des communs"),
    (
        "Dardot & Laval, 2014",
        "Commun. Essai sur la révolution au XXIe siècle",
    ),
    ("Raymond, 1999", "The Cathedral and the Bazaar"),
];

fn references() -> String {
    let mut text = String::from(
        "# Références\n\nLes ouvrages cités, par ordre d’apparition dans les travaux du groupe.\n\n",
    );
    for (index, (key, title)) in REFERENCES.iter().enumerate() {
        let _ = writeln!(
            text,
            "- {key}\u{a0}: [{title}](https://example.org/references/{index})."
        );
    }
    text
}

const TOPICS: [&str; 24] = [
    "Les enjeux",
    "Définitions",
    "Le code source",
    "Commun(s) et gouvernance",
    "Les licences libres",
    "Le rôle des acteurs publics",
    "Financer la maintenance",
    "La feuille de route",
    "Documenter pour transmettre",
    "Accueillir les contributions",
    "Mesurer l’usage",
    "La sécurité des dépendances",
    "Les marchés publics",
    "Mutualiser entre collectivités",
    "La communauté d’usagers",
    "Décider ensemble",
    "Les données ouvertes",
    "L’interopérabilité",
    "Former les agents",
    "Héberger le service",
    "La pérennité des projets",
    "Évaluer la réussite",
    "Les modèles économiques",
    "Sortir d’un projet",
];

const SECTIONS: [&str; 12] = [
    "Le constat",
    "Ce que disent les textes",
    "Un exemple concret",
    "Les acteurs en présence",
    "Les écueils habituels",
    "Ce qui fonctionne",
    "Les coûts réels",
    "Les outils",
    "La gouvernance au quotidien",
    "Les indicateurs",
    "Les questions ouvertes",
    "En résumé",
];

/// Sentences mixing straight and curly apostrophes, typed U+00A0 before `:` and in « »,
/// and U+202F before `;`, `?` and `!`, as French authors type them.
const SENTENCES: [&str; 16] = [
    "Un commun numérique est une ressource partagée, administrée par une communauté qui en définit les règles d’usage.",
    "La publication du code source ne suffit pas\u{202f}; encore faut-il que d’autres puissent le réutiliser sans demander la permission.",
    "Qui paie la maintenance quand le projet initial s'arrête\u{202f}?",
    "Les collectivités qui mutualisent un logiciel partagent aussi ses coûts de correction et d’évolution.",
    "Le vocabulaire compte\u{a0}: parler de «\u{a0}logiciel libre\u{a0}» ou de «\u{a0}commun\u{a0}» n’engage pas aux mêmes obligations.",
    "Une gouvernance explicite rassure les contributeurs, qui savent comment une décision sera prise.",
    "Rien n'oblige un acteur public à rester seul propriétaire de ce qu'il a financé\u{202f}!",
    "La documentation est souvent le premier livrable sacrifié, alors qu’elle conditionne toute réutilisation.",
    "Les marchés publics peuvent exiger une licence libre dès la rédaction du cahier des charges.",
    "Un projet compte en moyenne 10\u{202f}000 lignes de code et deux personnes qui le connaissent vraiment.",
    "Les usagers d’un service sont les mieux placés pour dire ce qui doit évoluer en priorité.",
    "La sécurité d’un logiciel dépend de celle de chacune de ses dépendances, y compris les plus petites.",
    "Sans feuille de route publique, une communauté ne peut pas savoir où elle va ni comment y contribuer.",
    "Le financement par projet favorise la nouveauté au détriment de l'entretien de l'existant.",
    "L’interopérabilité évite qu’un choix technique d’hier ne devienne une dépendance de demain.",
    "Mesurer l’usage réel d’un service permet d’argumenter lors des arbitrages budgétaires.",
];

const EMPHASES: [&str; 6] = [
    "*à long terme*",
    "**sans exception**",
    "*de fait*",
    "**en premier lieu**",
    "*au sens strict*",
    "*tout particulièrement*",
];

const QUOTES: [&str; 3] = [
    "Les communs ne sont pas des choses, mais des relations sociales organisées autour d’une ressource.",
    "Le code est la loi du cyberespace, et qui écrit le code [la règle technique] écrit la règle.",
    "Un logiciel sans mainteneur est un logiciel qui a déjà commencé à mourir.",
];

/// A tiny deterministic generator (Knuth's MMIX LCG): the book must be the same every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.next() % items.len()]
    }
}

/// The Markdown of one chapter, built section by section until it reaches its size.
struct ChapterText<'a> {
    chapter: &'a Chapter,
    plan: &'a [Chapter],
    /// `#` for chapters written with a top-level title, `##` for those that start one level
    /// down (folio normalises both).
    title_level: usize,
    rng: Lcg,
    body: String,
    footnotes: Vec<String>,
}

fn chapter_markdown(chapter: &Chapter, plan: &[Chapter]) -> String {
    let mut text = ChapterText {
        chapter,
        plan,
        title_level: if chapter.index % 5 == 4 { 2 } else { 1 },
        rng: Lcg(chapter.index as u64 + 1),
        body: String::new(),
        footnotes: Vec::new(),
    };
    text.write();
    let mut markdown = text.body;
    for (index, note) in text.footnotes.iter().enumerate() {
        let _ = write!(markdown, "\n[^{}]: {note}\n", index + 1);
    }
    markdown
}

impl ChapterText<'_> {
    fn write(&mut self) {
        let target_size = 14_000 + (self.chapter.index * 7919) % 6_000;
        // Every other chapter names its top heading itself.
        let id = if self.chapter.index.is_multiple_of(2) {
            format!(" {{#chapitre-{}}}", self.chapter.index + 1)
        } else {
            String::new()
        };
        self.heading(0, &format!("{}{id}", self.chapter.title));
        self.paragraph();
        // Each section carries one kind of block; the first seven cover them all.
        for (number, title) in SECTIONS.iter().enumerate() {
            if number >= BLOCK_KINDS && self.body.len() >= target_size {
                break;
            }
            // Every third section has an explicit id; `#point-1` is a link target in every chapter.
            let id = if number % 3 == 0 {
                format!(" {{#point-{}}}", number + 1)
            } else {
                String::new()
            };
            self.heading(1, &format!("{title}{id}"));
            self.paragraph();
            self.block(number % BLOCK_KINDS);
            self.paragraph();
            if number % 2 == 1 {
                self.heading(2, &format!("Précisions sur {}", title.to_lowercase()));
                self.paragraph();
                self.paragraph();
            }
        }
    }

    fn heading(&mut self, depth: usize, text: &str) {
        let hashes = "#".repeat(self.title_level + depth);
        let _ = write!(self.body, "{hashes} {text}\n\n");
    }

    fn paragraph(&mut self) {
        let sentences = 4 + self.rng.next() % 4;
        for position in 0..sentences {
            if position > 0 {
                self.body.push(' ');
            }
            let sentence = *self.rng.pick(&SENTENCES);
            match self.rng.next() % 9 {
                0 => self.with_footnote(sentence),
                1 => {
                    self.body.push_str(sentence);
                    self.link_to_chapter();
                }
                2 | 3 => {
                    self.body.push_str(sentence);
                    self.citation();
                }
                4 => {
                    let emphasis = *self.rng.pick(&EMPHASES);
                    let _ = write!(self.body, "{sentence} C’est vrai {emphasis}.");
                }
                _ => self.body.push_str(sentence),
            }
        }
        self.body.push_str("\n\n");
    }

    /// The sentence with a note call before its final punctuation.
    fn with_footnote(&mut self, sentence: &str) {
        let number = self.footnotes.len() + 1;
        let (words, end) = sentence.split_at(sentence.len() - 1);
        let _ = write!(self.body, "{words}[^{number}]{end}");
        let note = if number.is_multiple_of(4) {
            // A note of two paragraphs, the second indented under the first.
            format!(
                "Voir [la discussion publique](https://example.org/notes/{}/{number}).\n\n    {}",
                self.chapter.index,
                self.rng.pick(&SENTENCES)
            )
        } else {
            format!(
                "{} [{}]",
                self.rng.pick(&SENTENCES),
                self.rng.pick(&REFERENCES).0
            )
        };
        self.footnotes.push(note);
    }

    fn link_to_chapter(&mut self) {
        let plan = self.plan;
        let target = &plan[(self.chapter.index * 7 + 3 + self.rng.next() % 5) % plan.len()];
        let href = target.link_from(self.chapter.folder);
        let anchor = if self.rng.next().is_multiple_of(2) {
            "#point-1"
        } else {
            ""
        };
        let _ = write!(
            self.body,
            " Voir aussi [« {} »]({href}{anchor}).",
            target.title
        );
    }

    /// One author-year citation in the forms authors type: plain, escaped, with a locator,
    /// with `&amp;`, or two at once.
    fn citation(&mut self) {
        let (key, _) = *self.rng.pick(&REFERENCES);
        let (other, _) = *self.rng.pick(&REFERENCES);
        let citation = match self.rng.next() % 5 {
            0 => format!("[{key}]"),
            1 => format!("\\[{key}\\]"),
            2 => format!("[{key}, p.\u{a0}{}]", 10 + self.rng.next() % 200),
            3 => format!("[{}]", key.replace('&', "&amp;")),
            _ => format!("[{key}\u{202f}; {other}]"),
        };
        let _ = write!(self.body, " Sur ce point, voir {citation}.");
    }

    fn block(&mut self, kind: usize) {
        let body = &mut self.body;
        match kind {
            0 => {
                for (index, sentence) in SENTENCES.iter().take(4).enumerate() {
                    let _ = writeln!(body, "- {sentence}");
                    if index == 1 {
                        let _ = writeln!(body, "    - {}", EMPHASES[index]);
                    }
                }
            }
            1 => {
                let start = 1 + self.chapter.index % 3;
                for (offset, sentence) in SENTENCES.iter().skip(4).take(3).enumerate() {
                    let _ = writeln!(body, "{}. {sentence}", start + offset);
                }
                body.push_str("\n- [x] Publier le code source\n- [ ] Ouvrir la feuille de route\n");
            }
            2 => {
                let quote = QUOTES[self.chapter.index % QUOTES.len()];
                let (key, _) = REFERENCES[self.chapter.index % REFERENCES.len()];
                let _ = writeln!(body, "> {quote}\n>\n> — [{key}]");
            }
            3 => {
                body.push_str("| Acteur | Rôle | Budget annuel (k€) |\n|:-------|:----:|------------------:|\n");
                for (row, actor) in ["Commune", "Région", "Association", "Entreprise"]
                    .iter()
                    .enumerate()
                {
                    let _ = writeln!(
                        body,
                        "| {actor} | *contributeur* | {}\u{202f}000 |",
                        12 + row * 7 + self.chapter.index % 10
                    );
                }
            }
            4 => {
                let _ = writeln!(
                    body,
                    "```toml\n[book]\ntitle = \"Chapitre {}\"\nlanguage = \"fr\"\n\n[pdf]\npaper = \"a5\" # format de poche\n```",
                    self.chapter.index + 1
                );
            }
            5 => {
                let _ = writeln!(
                    body,
                    "![Schéma de gouvernance du chapitre {}](/assets/fig.png)",
                    self.chapter.index + 1
                );
            }
            _ => {
                let _ = writeln!(
                    body,
                    "La liste complète est dans les [références](/references.md) ; les réglages sont dans `folio.toml` et les définitions sont dans [l’introduction](/README.md).\n\n---"
                );
            }
        }
        body.push('\n');
    }
}

/// How many kinds of block `ChapterText::block` writes.
const BLOCK_KINDS: usize = 7;

/// A valid grayscale PNG with a diagonal gradient (uncompressed deflate blocks, so no
/// compression crate is needed).
fn png(width: u32, height: u32) -> Vec<u8> {
    let mut raw = Vec::with_capacity(((width + 1) * height) as usize);
    for y in 0..height {
        raw.push(0); // filter type: none
        raw.extend((0..width).map(|x| ((x + y) * 255 / (width + height)) as u8));
    }
    let mut zlib = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(0xFFFF).collect();
    for (index, block) in blocks.iter().enumerate() {
        let length = block.len() as u16;
        zlib.push(u8::from(index + 1 == blocks.len()));
        zlib.extend(length.to_le_bytes());
        zlib.extend((!length).to_le_bytes());
        zlib.extend_from_slice(block);
    }
    zlib.extend(adler32(&raw).to_be_bytes());

    let mut header = Vec::new();
    header.extend(width.to_be_bytes());
    header.extend(height.to_be_bytes());
    header.extend([8, 0, 0, 0, 0]); // 8-bit grayscale, deflate, no filter method, no interlace

    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [(b"IHDR", header), (b"IDAT", zlib), (b"IEND", Vec::new())] {
        png.extend((data.len() as u32).to_be_bytes());
        let start = png.len();
        png.extend(kind);
        png.extend(&data);
        png.extend(crc32(&png[start..]).to_be_bytes());
    }
    png
}

fn adler32(data: &[u8]) -> u32 {
    let (a, b) = data.iter().fold((1u32, 0u32), |(a, b), &byte| {
        let a = (a + u32::from(byte)) % 65521;
        (a, (b + a) % 65521)
    });
    (b << 16) | a
}

fn crc32(data: &[u8]) -> u32 {
    !data.iter().fold(!0u32, |crc, &byte| {
        (0..8).fold(crc ^ u32::from(byte), |crc, _| {
            if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            }
        })
    })
}
