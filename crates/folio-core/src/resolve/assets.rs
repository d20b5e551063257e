//! Images and the cover: each must exist inside the book root; its format
//! and pixel size are read once here so that every edition can size it.

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;

use crate::diagnostics::Diagnostic;
use crate::model::{Asset, AssetId, Book, Image, ImageSize, ImageTarget, Inline};
use crate::paths::{self, Refused, is_remote};
use crate::visit;

pub fn resolve(book: &mut Book) {
    let root = &book.root;
    // Each chapter lists the book files its images name, on every core; an
    // image points at its file's place in that list for now…
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
            if is_remote(&image.url) {
                image.target = ImageTarget::External { url: image.url.clone() };
                return;
            }
            let path = paths::join(&base, strip_query(&image.url));
            if path.clamped {
                diagnostics.push(refused(image, &path.path, Refused::OutsideRoot));
                return;
            }
            image.target = ImageTarget::Asset { asset: super::index_in(&mut wanted, path.path) };
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
        visit::each_chapter_inline(chapter, &mut |inline| {
            let Inline::Image(image) = inline else { return };
            let ImageTarget::Asset { asset: local } = image.target else { return };
            let path = &wanted[local];
            match &files[path.as_str()] {
                Ok(asset) => image.target = ImageTarget::Asset { asset: *asset },
                Err(why) => {
                    image.target = ImageTarget::Unresolved;
                    diagnostics.push(refused(image, path, why.clone()));
                }
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

/// The error for an image whose file (`path`, from the root) cannot be used.
fn refused(image: &Image, path: &str, why: Refused) -> Diagnostic {
    match why {
        Refused::Missing => Diagnostic::error(format!("image `{}` not found", image.url), image.span)
            .with_hint(format!("looked for `{path}` in the book root; paths starting with `/` start at the book root")),
        Refused::OutsideRoot => Diagnostic::error(format!("image `{}` lies outside the book root", image.url), image.span)
            .with_hint("folio reads nothing outside the book: copy the image into the book, e.g. under assets/"),
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
    fn svg_sizes() {
        assert_eq!(svg_size(r#"<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40px"/>"#), Some(ImageSize { width: 120, height: 40 }));
        assert_eq!(svg_size(r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 150"/>"#), Some(ImageSize { width: 300, height: 150 }));
    }

}
