//! Images, the files raw HTML embeds (`<img src>`, `<source src>`…) and the
//! cover: each must exist inside the book root; its format and pixel size are
//! read once here so that every edition can size it.

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;

use crate::diagnostics::Diagnostic;
use crate::model::{Asset, AssetId, Book, ImageSize, ImageTarget, Inline, LinkTarget, Span};
use crate::paths::{self, Refused, is_remote};
use crate::visit;

pub fn resolve(book: &mut Book) {
    let root = &book.root;
    // Each chapter lists the book files its images name, on every core; an
    // image (or raw HTML's `src`) points at its file's place in that list for now…
    let found = super::per_chapter(&mut book.chapters, |_, chapter| {
        let base = paths::parent(&chapter.file).to_string();
        let mut wanted: Vec<String> = Vec::new();
        let mut diagnostics = Vec::new();
        visit::each_chapter_inline(chapter, &mut |inline| {
            let Inline::Image(image) = inline else { return };
            if image.alt.trim().is_empty() {
                diagnostics.push(
                    Diagnostic::warning(format!("image `{}` has no alternative text", image.url), image.span)
                        .with_hint("describe the image between the brackets: ![a description](…), for readers who cannot see it"),
                );
            }
            image.target = wanted_file("image", &image.url, image.span, &base, &mut wanted, &mut diagnostics).into();
        });
        visit::each_raw_html(chapter, &mut |raw| {
            for reference in raw.references.iter_mut().filter(|r| !r.is_link()) {
                if reference.element == "img" && reference.alt.is_none() {
                    diagnostics.push(
                        Diagnostic::warning(format!("image `{}` has no alternative text", reference.url), reference.span)
                            .with_hint("describe it in an `alt` attribute, for readers who cannot see it (`alt=\"\"` marks an image as decoration)"),
                    );
                }
                reference.target = wanted_file(reference.what(), &reference.url, reference.span, &base, &mut wanted, &mut diagnostics);
            }
        });
        (wanted, diagnostics)
    });
    // …each file is looked for once (books reuse a logo in every chapter),
    // on every core, and the files found become assets in reading order…
    let mut unique_paths: Vec<&str> = Vec::new();
    let mut listed = HashSet::new();
    for path in found.iter().flat_map(|(wanted, _)| wanted) {
        if listed.insert(path.as_str()) {
            unique_paths.push(path);
        }
    }
    let probed: Vec<Result<Asset, Refused>> = unique_paths.par_iter().map(|path| paths::locate(root, path).map(|_| describe(root, path))).collect();
    let mut assets = std::mem::take(&mut book.assets);
    let files: HashMap<&str, Result<AssetId, Refused>> = unique_paths.iter().copied().zip(probed.into_iter().map(|probed| probed.map(|asset| add(&mut assets, asset)))).collect();
    // …then every image gets its asset, or an error when its file is refused.
    let errors = super::per_chapter(&mut book.chapters, |chapter_id, chapter| {
        let wanted = &found[chapter_id].0;
        let mut diagnostics = Vec::new();
        let mut found = |local: AssetId, what: &str, url: &str, span: Span| match &files[wanted[local].as_str()] {
            Ok(asset) => Some(*asset),
            Err(why) => {
                diagnostics.push(refused(what, url, span, &wanted[local], why.clone()));
                None
            }
        };
        visit::each_chapter_inline(chapter, &mut |inline| {
            let Inline::Image(image) = inline else { return };
            let ImageTarget::Asset { asset: local } = image.target else { return };
            image.target = found(local, "image", &image.url, image.span).map_or(ImageTarget::Unresolved, |asset| ImageTarget::Asset { asset });
        });
        visit::each_raw_html(chapter, &mut |raw| {
            for reference in raw.references.iter_mut().filter(|r| !r.is_link()) {
                let LinkTarget::Asset { asset: local } = reference.target else { continue };
                reference.target = found(local, reference.what(), &reference.url, reference.span).map_or(LinkTarget::Unresolved, |asset| LinkTarget::Asset { asset });
            }
        });
        diagnostics
    });
    let mut diagnostics: Vec<Diagnostic> = found.into_iter().flat_map(|(_, diagnostics)| diagnostics).collect();
    diagnostics.extend(errors.into_iter().flatten());
    book.metadata.cover = cover(book, &mut assets, &mut diagnostics);
    book.assets = assets;
    book.diagnostics.extend(diagnostics);
}

/// What the `url` of an image (`what`: or another file), written in the
/// chapter whose folder is `base`, points at: external, or the file's place in
/// `wanted` as an asset for now (it is looked for later, once per book). A
/// path out of the root is an error.
fn wanted_file(what: &str, url: &str, span: Span, base: &str, wanted: &mut Vec<String>, diagnostics: &mut Vec<Diagnostic>) -> LinkTarget {
    if is_remote(url) {
        return LinkTarget::External { url: url.to_string() };
    }
    let path = paths::join(base, strip_query(url));
    if path.clamped {
        diagnostics.push(refused(what, url, span, &path.path, Refused::OutsideRoot));
        return LinkTarget::Unresolved;
    }
    LinkTarget::Asset { asset: super::index_in(wanted, path.path) }
}

/// The error for an image (`what`: or another file) whose `path`, from the
/// root, cannot be used.
fn refused(what: &str, url: &str, span: Span, path: &str, why: Refused) -> Diagnostic {
    match why {
        Refused::Missing => Diagnostic::error(format!("{what} `{url}` not found"), span)
            .with_hint(format!("looked for `{path}` in the book root; paths starting with `/` start at the book root")),
        Refused::OutsideRoot => Diagnostic::error(format!("{what} `{url}` lies outside the book root"), span)
            .with_hint(format!("folio reads nothing outside the book: copy the {what} into the book, e.g. under assets/")),
    }
}

fn cover(book: &Book, assets: &mut Vec<Asset>, diagnostics: &mut Vec<Diagnostic>) -> Option<AssetId> {
    if let Some(configured) = &book.config.book.cover {
        let path = paths::join("", configured);
        return match paths::locate(&book.root, &path.path) {
            Ok(_) if !path.clamped => Some(register(assets, &book.root, &path.path)),
            _ => {
                diagnostics.push(
                    Diagnostic::new(crate::Severity::Error, format!("cover `{configured}` (folio.toml) not found inside the book root"), None)
                        .with_hint("`cover` is relative to the book root"),
                );
                None
            }
        };
    }
    ["cover.jpg", "cover.jpeg", "cover.png"]
        .into_iter()
        .find(|name| paths::locate(&book.root, name).is_ok())
        .map(|name| register(assets, &book.root, name))
}

/// The asset for root-relative `path`, added once.
pub fn register(assets: &mut Vec<Asset>, root: &std::path::Path, path: &str) -> AssetId {
    assets.iter().position(|a| a.path == path).unwrap_or_else(|| add(assets, describe(root, path)))
}

/// The id of `asset`, added unless an asset has its path already. Its
/// `href` is made unique here: `a b.png` and `a-b.png` may both exist.
fn add(assets: &mut Vec<Asset>, mut asset: Asset) -> AssetId {
    if let Some(id) = assets.iter().position(|a| a.path == asset.path) {
        return id;
    }
    // Case-insensitively: EPUB reading systems treat `A.png` and `a.png` as one file.
    asset.href = paths::unique_file(&asset.href, |href| assets.iter().any(|a| a.href.eq_ignore_ascii_case(href)));
    assets.push(asset);
    assets.len() - 1
}

/// Root-relative `path` as an asset: its media type, and its pixel size
/// if it is an image.
fn describe(root: &std::path::Path, path: &str) -> Asset {
    let full = root.join(path);
    let media_type = media_type(path).to_string();
    let size = if media_type == "image/svg+xml" {
        std::fs::read_to_string(&full).ok().and_then(|svg| svg_size(&svg))
    } else if media_type.starts_with("image/") {
        imagesize::size(&full).ok().map(|s| ImageSize { width: s.width as u32, height: s.height as u32 })
    } else {
        None
    };
    Asset { path: path.to_string(), href: paths::portable(path), media_type, size }
}

/// The media type of a file, from its extension.
pub fn media_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
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
    let number = |name: &str| root.attribute(name).and_then(|v| v.trim_end_matches("px").trim().parse::<f64>().ok());
    let (width, height) = match (number("width"), number("height")) {
        (Some(w), Some(h)) => (w, h),
        _ => {
            let view_box: Vec<f64> = root.attribute("viewBox")?.split([' ', ',']).filter_map(|v| v.parse().ok()).collect();
            (*view_box.get(2)?, *view_box.get(3)?)
        }
    };
    Some(ImageSize { width: width.round() as u32, height: height.round() as u32 })
}

fn strip_query(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hrefs_are_portable_and_unique() {
        let asset = |path: &str| Asset { path: path.into(), href: paths::portable(path), media_type: "image/png".into(), size: None };
        let mut assets = Vec::new();
        assert_eq!(add(&mut assets, asset("img/plan du jardin.png")), 0);
        assert_eq!(add(&mut assets, asset("img/plan-du-jardin.png")), 1);
        assert_eq!(add(&mut assets, asset("img/Plan du jardin.png")), 2);
        assert_eq!(add(&mut assets, asset("img/plan du jardin.png")), 0, "the same file is added once");
        let hrefs: Vec<&str> = assets.iter().map(|a| a.href.as_str()).collect();
        assert_eq!(hrefs, ["img/plan-du-jardin.png", "img/plan-du-jardin-2.png", "img/Plan-du-jardin-3.png"]);
    }

    #[test]
    fn raw_images_need_an_alt_attribute_but_may_be_decorative() {
        let book = crate::parse_str("<img src=\"a.png\">\n\nTexte <img src=\"b.png\" alt=\"\"> et <img src=\"c.png\" alt=\"C\">\n");
        let missing: Vec<_> = book.diagnostics.iter().filter(|d| d.message.contains("no alternative text")).map(|d| (d.message.as_str(), d.span.map(|s| s.line))).collect();
        assert_eq!(missing, [("image `a.png` has no alternative text", Some(1))]);
    }

    #[test]
    fn svg_sizes() {
        assert_eq!(svg_size(r#"<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40px"/>"#), Some(ImageSize { width: 120, height: 40 }));
        assert_eq!(svg_size(r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 150"/>"#), Some(ImageSize { width: 300, height: 150 }));
    }

}
