//! Images, the files raw HTML embeds (`<img src>`, `<source src>`…), the
//! files settings name (the cover, `[html] css`, `[pdf] fonts`): each must be
//! a regular file inside the book root, read through the file gate; its
//! format and pixel size are read once here so that every edition can size
//! it, and it gets the name every edition gives it (`Asset::href`).

use std::io::BufReader;

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use rayon::prelude::*;

use super::{FileNodes, Wanted};
use crate::config::SiteUrl;
use crate::diagnostics::Diagnostic;
use crate::files::{Folder, MAX_FILE, Refused};
use crate::model::{AltText, Asset, AssetId, Book, Chapter, ImageSize, Inline, LinkTarget, Span};
use crate::names::UniqueNames;
use crate::paths::{self, is_remote};
use crate::visit;

/// The book's assets while the resolver finds them: each file once, by its
/// root-relative path.
pub struct Registry {
    assets: Vec<Asset>,
    by_path: HashMap<String, Result<AssetId, Refused>>,
    /// Asset hrefs given so far, and the chapters' pages they must not take.
    hrefs: UniqueNames,
}

impl Registry {
    pub fn new(book: &Book) -> Self {
        // An asset must not take the name of a chapter's page (`a.html` beside
        // the chapter `a.md`), in either edition that writes pages.
        let mut hrefs = UniqueNames::ignoring_case();
        for chapter in &book.chapters {
            hrefs.take(&format!("{}.html", chapter.path));
            hrefs.take(&format!("{}.xhtml", chapter.path));
        }
        Registry {
            assets: Vec::new(),
            by_path: HashMap::new(),
            hrefs,
        }
    }

    /// The asset for root-relative `path`, found and described the first
    /// time it is asked for.
    pub fn register(&mut self, root: &Folder, path: &str) -> Result<AssetId, Refused> {
        if let Some(found) = self.by_path.get(path) {
            return found.clone();
        }
        let found = describe(root, path).map(|asset| self.add(asset));
        self.by_path.insert(path.to_string(), found.clone());
        found
    }

    /// Registers files found (or refused) on every core, in the order given.
    fn add_found(&mut self, found: Vec<(&str, Result<Asset, Refused>)>) {
        for (path, asset) in found {
            let id = asset.map(|asset| self.add(asset));
            self.by_path.insert(path.to_string(), id);
        }
    }

    /// Adds `asset`, its `href` made unique (case-insensitively: EPUB reading
    /// systems treat `A.png` and `a.png` as one file).
    fn add(&mut self, mut asset: Asset) -> AssetId {
        asset.href = self.hrefs.unique_file(&asset.href);
        self.assets.push(asset);
        AssetId::new(self.assets.len() - 1)
    }

    /// What every path asked for so far found (a rebuild compares it with
    /// the last build's).
    pub(super) fn found(&self) -> &HashMap<String, Result<AssetId, Refused>> {
        &self.by_path
    }

    /// The asset registered for `path`, if it was found.
    pub fn get(&self, path: &str) -> Option<AssetId> {
        self.by_path.get(path)?.as_ref().ok().copied()
    }

    /// The assets, each with its address on the web edition at `site_url`.
    pub fn into_assets(self, site_url: Option<&SiteUrl>) -> Vec<Asset> {
        let mut assets = self.assets;
        if let Some(site) = site_url {
            for asset in &mut assets {
                asset.url = Some(site.join(&asset.href));
            }
        }
        assets
    }
}

/// The book files the chapter's images and raw HTML embed, in the order a
/// walk meets them (each image's target stays to be given by [`resolve`]),
/// and the warnings about them (an image without a text alternative).
pub(super) fn wanted_by(chapter: &mut Chapter) -> (Wanted, Vec<Diagnostic>) {
    let base = paths::parent(&chapter.file).to_string();
    let mut wanted = Wanted::default();
    let mut diagnostics = Vec::new();
    visit::each_chapter_inline(chapter, &mut |inline| {
        let Inline::Image(image) = inline else { return };
        if image.alt_text == AltText::Missing {
            diagnostics.push(
                Diagnostic::warning(format!("image `{}` has no alternative text", image.url), image.span)
                    .with_hint("describe the image between the brackets: ![a description](…), for readers who cannot see it"),
            );
        }
        image.target = wanted_file(
            "image",
            &image.url,
            image.span,
            &base,
            &mut wanted,
            &mut diagnostics,
        )
        .into();
    });
    visit::each_html_element(chapter, &mut |element| {
        if element.is_link() {
            return;
        }
        let (what, span) = (element.what(), element.span);
        let alt_missing = element.name == "img"
            && AltText::of_attribute(element.attribute("alt")) == AltText::Missing;
        for (url, target) in element.places() {
            if alt_missing {
                diagnostics.push(
                    Diagnostic::warning(format!("image `{url}` has no alternative text"), span)
                        .with_hint("describe it in an `alt` attribute, for readers who cannot see it (`alt=\"\"` marks an image as decoration)"),
                );
            }
            *target = wanted_file(what, url, span, &base, &mut wanted, &mut diagnostics);
        }
    });
    (wanted, diagnostics)
}

/// `found`: [`wanted_by`] of each chapter, in reading order; returned
/// without its diagnostics.
pub(super) fn resolve(
    book: &mut Book,
    registry: &mut Registry,
    found: Vec<(Wanted, Vec<Diagnostic>)>,
) -> Vec<Wanted> {
    find(&book.root, registry, found.iter().map(|(wanted, _)| wanted));
    // …then every image gets its asset, or an error when its file is refused.
    let by_path = &registry.by_path;
    let errors = super::per_chapter(&mut book.chapters, |chapter_id, chapter| {
        give_files(chapter, &found[chapter_id.index()].0, by_path)
    });
    let mut found_by_chapter = Vec::with_capacity(found.len());
    let mut diagnostics = Vec::new();
    for (wanted, wanted_diagnostics) in found {
        found_by_chapter.push(wanted);
        diagnostics.extend(wanted_diagnostics);
    }
    diagnostics.extend(errors.into_iter().flatten());
    SettingsFiles::find(book, registry, &mut diagnostics).give(book);
    book.diagnostics.extend(diagnostics);
    found_by_chapter
}

/// Each file the chapters want (`wanted`, in reading order) is looked for
/// once (books reuse a logo in every chapter), on every core, and the files
/// found become assets in reading order.
pub(super) fn find<'w>(
    root: &Folder,
    registry: &mut Registry,
    wanted: impl Iterator<Item = &'w Wanted>,
) {
    let mut listed = HashSet::new();
    let unique_paths: Vec<&str> = wanted
        .flat_map(Wanted::paths)
        .filter(|path| listed.insert(*path))
        .collect();
    registry.add_found(
        unique_paths
            .par_iter()
            .map(|path| (*path, describe(root, path)))
            .collect(),
    );
}

/// Gives each image and embedded file of the chapter the asset of the file
/// it wants (`wanted`: the chapter's [`wanted_by`]), or an error when that
/// file is refused.
pub(super) fn give_files(
    chapter: &mut Chapter,
    wanted: &Wanted,
    by_path: &HashMap<String, Result<AssetId, Refused>>,
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    super::give_wanted_files(
        chapter,
        wanted,
        FileNodes::Shown,
        |path, what, url, span| match &by_path[path] {
            Ok(asset) => LinkTarget::Asset { asset: *asset },
            Err(why) => {
                diagnostics.push(refused(what, url, span, path, why));
                LinkTarget::Broken
            }
        },
    );
    diagnostics
}

/// The files settings name: the cover, `[html] css`, `[pdf] fonts`.
#[derive(PartialEq)]
pub(super) struct SettingsFiles {
    cover: Option<AssetId>,
    stylesheets: Vec<AssetId>,
    fonts: Vec<AssetId>,
}

impl SettingsFiles {
    pub(super) fn find(
        book: &Book,
        registry: &mut Registry,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Self {
        SettingsFiles {
            cover: cover(book, registry, diagnostics),
            stylesheets: settings_files(
                book,
                registry,
                "html.css",
                &book.config.html.css,
                "stylesheet",
                diagnostics,
            ),
            fonts: settings_files(
                book,
                registry,
                "pdf.fonts",
                &book.config.pdf.fonts,
                "font",
                diagnostics,
            ),
        }
    }

    /// What `book` holds (once resolved).
    pub(super) fn of(book: &Book) -> Self {
        SettingsFiles {
            cover: book.metadata.cover,
            stylesheets: book.stylesheets.clone(),
            fonts: book.fonts.clone(),
        }
    }

    fn give(self, book: &mut Book) {
        book.metadata.cover = self.cover;
        book.stylesheets = self.stylesheets;
        book.fonts = self.fonts;
    }
}

/// What the `url` of an image (`what`: or another file), written in the
/// chapter whose folder is `base`, points at: external, or a file of the
/// book, added to `wanted` (it is looked for later, once per book) and
/// unresolved until then. No path, or a path out of the root, is an error.
fn wanted_file(
    what: &str,
    url: &str,
    span: Span,
    base: &str,
    wanted: &mut Wanted,
    diagnostics: &mut Vec<Diagnostic>,
) -> LinkTarget {
    if is_remote(url) {
        wanted.skip();
        return LinkTarget::External {
            url: url.to_string(),
        };
    }
    let path = paths::join(base, strip_query(url));
    if url.trim().is_empty() {
        diagnostics.push(
            Diagnostic::error(format!("{what} without a source"), span).with_hint(
                "write the file's path between the parentheses: ![a description](images/plan.png)",
            ),
        );
        wanted.skip();
        LinkTarget::Broken
    } else if path.clamped {
        diagnostics.push(refused(what, url, span, &path.path, &Refused::OutsideRoot));
        wanted.skip();
        LinkTarget::Broken
    } else {
        wanted.push(path.path);
        LinkTarget::Unresolved
    }
}

/// The error for an image (`what`: or another file) whose `path`, from the
/// root, cannot be used.
fn refused(what: &str, url: &str, span: Span, path: &str, why: &Refused) -> Diagnostic {
    let hint = match why {
        Refused::Missing => format!(
            "looked for `{path}` in the book root; paths starting with `/` start at the book root"
        ),
        Refused::OutsideRoot => format!(
            "folio reads nothing outside the book: copy the {what} into the book, e.g. under assets/"
        ),
        other => other.hint(url),
    };
    Diagnostic::error(format!("{what} `{url}` {why}"), span).with_hint(hint)
}

fn cover(
    book: &Book,
    registry: &mut Registry,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<AssetId> {
    if let Some(configured) = &book.config.book.cover {
        return setting_file(
            book,
            registry,
            configured,
            "book.cover",
            "cover",
            diagnostics,
        );
    }
    ["cover.jpg", "cover.jpeg", "cover.png"]
        .into_iter()
        .find_map(|name| registry.register(&book.root, name).ok())
}

/// The files a list setting names (`key`: `html.css`), as assets.
fn settings_files(
    book: &Book,
    registry: &mut Registry,
    key: &str,
    files: &[String],
    what: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<AssetId> {
    files
        .iter()
        .enumerate()
        .filter_map(|(i, file)| {
            setting_file(
                book,
                registry,
                file,
                &format!("{key}[{i}]"),
                what,
                diagnostics,
            )
        })
        .collect()
}

/// The file a setting names (relative to the book root), as an asset; an
/// error at the setting's line when it cannot be used.
fn setting_file(
    book: &Book,
    registry: &mut Registry,
    written: &str,
    key: &str,
    what: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<AssetId> {
    let path = paths::join("", written);
    let found = if path.clamped {
        Err(Refused::OutsideRoot)
    } else {
        registry.register(&book.root, &path.path)
    };
    found
        .map_err(|why| {
            let (section, name) = key.split_once('.').unwrap_or(("", key));
            let name = name.split('[').next().unwrap_or(name);
            diagnostics.push(
                Diagnostic::new(
                    crate::Severity::Error,
                    format!("[{section}] {name}: {what} `{written}` {why}"),
                    book.config.span(key),
                )
                .with_hint(format!(
                    "the {what} is a file inside the book root, named relative to it"
                )),
            );
        })
        .ok()
}

/// Root-relative `path` as an asset: its media type, and its pixel size
/// if it is an image, read through the gate.
fn describe(root: &Folder, path: &str) -> Result<Asset, Refused> {
    let mut file = root.locate(path)?.open(MAX_FILE)?;
    let media_type = media_type(path).to_string();
    let size = if media_type == "image/svg+xml" {
        String::from_utf8(file.read_all()?)
            .ok()
            .and_then(|svg| svg_size(&svg))
    } else if media_type.starts_with("image/") {
        // Only the header is read: imagesize stops where the size is written.
        imagesize::reader_size(BufReader::new(file.file()))
            .ok()
            .map(|s| ImageSize {
                width: s.width as u32,
                height: s.height as u32,
            })
    } else {
        None
    };
    Ok(Asset {
        path: path.to_string(),
        href: paths::portable(path),
        url: None,
        media_type,
        size,
    })
}

/// The media type of a file, from its extension.
pub fn media_type(path: &str) -> &'static str {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "pdf" => "application/pdf",
        "css" => "text/css",
        "txt" => "text/plain",
        "csv" => "text/csv",
        "json" => "application/json",
        "zip" => "application/zip",
        "epub" => "application/epub+zip",
        "mp3" => "audio/mpeg",
        "mp4" => "video/mp4",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

/// Pixel size of an SVG from `width`/`height` (unitless or px) or its viewBox.
fn svg_size(svg: &str) -> Option<ImageSize> {
    let doc = roxmltree::Document::parse(svg).ok()?;
    let root = doc.root_element();
    let number = |name: &str| {
        root.attribute(name)
            .and_then(|v| v.trim_end_matches("px").trim().parse::<f64>().ok())
    };
    let (width, height) = match (number("width"), number("height")) {
        (Some(w), Some(h)) => (w, h),
        _ => {
            let view_box: Vec<f64> = root
                .attribute("viewBox")?
                .split([' ', ','])
                .filter_map(|v| v.parse().ok())
                .collect();
            (*view_box.get(2)?, *view_box.get(3)?)
        }
    };
    Some(ImageSize {
        width: width.round() as u32,
        height: height.round() as u32,
    })
}

fn strip_query(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hrefs_are_portable_unique_and_never_a_chapter_page() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("img")).unwrap();
        for file in [
            "img/plan du jardin.png",
            "img/plan-du-jardin.png",
            "img/Plan du jardin.png",
            "a.html",
        ] {
            std::fs::write(dir.path().join(file), "x").unwrap();
        }
        let mut book = crate::parse_str("# A\n");
        book.chapters[0].path = "a".into();
        book.root = Folder::new(dir.path()).unwrap();
        let mut registry = Registry::new(&book);
        let ids: Vec<_> = [
            "img/plan du jardin.png",
            "img/plan-du-jardin.png",
            "img/Plan du jardin.png",
            "img/plan du jardin.png",
            "a.html",
        ]
        .map(|path| registry.register(&book.root, path).unwrap())
        .into();
        assert_eq!(
            ids,
            [0, 1, 2, 0, 3].map(AssetId),
            "the same file is added once"
        );
        let hrefs: Vec<String> = registry
            .into_assets(None)
            .into_iter()
            .map(|a| a.href)
            .collect();
        assert_eq!(
            hrefs,
            [
                "img/plan-du-jardin.png",
                "img/plan-du-jardin-2.png",
                "img/Plan-du-jardin-3.png",
                "a-2.html"
            ]
        );
    }

    #[test]
    fn raw_images_need_an_alt_attribute_but_may_be_decorative() {
        let book = crate::parse_str(
            "<img src=\"a.png\">\n\nTexte <img src=\"b.png\" alt=\"\"> et <img src=\"c.png\" alt=\"C\">\n",
        );
        let missing: Vec<_> = book
            .diagnostics
            .iter()
            .filter(|d| d.message.contains("no alternative text"))
            .map(|d| (d.message.as_str(), d.span.map(|s| s.line)))
            .collect();
        assert_eq!(
            missing,
            [("image `a.png` has no alternative text", Some(1))]
        );
    }

    #[test]
    fn svg_sizes() {
        assert_eq!(
            svg_size(r#"<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40px"/>"#),
            Some(ImageSize {
                width: 120,
                height: 40
            })
        );
        assert_eq!(
            svg_size(r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 150"/>"#),
            Some(ImageSize {
                width: 300,
                height: 150
            })
        );
    }
}
