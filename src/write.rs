//! The one gate every file folio writes goes through: the editions of a
//! build are written all or nothing.
//!
//! Every edition is first staged in a fresh folder inside the output folder
//! (`.folio-build-XXXXXX`, a random name, so two builds into the same folder
//! never share one), then moved into place by renames within one file
//! system. Before anything is staged, each destination is checked (a folder
//! where a file goes, or the reverse, stops the build); if a move fails, the
//! moves done are undone and the previous editions put back. The staging
//! folder, with the previous editions it held, is removed in every case.
//!
//! The paths come from the backends, not from the book, but they are checked
//! all the same: each is a plain relative path below its edition, and no two
//! files of an edition share one.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

use folio_core::OutputFile;
use folio_core::config::Edition;
use rayon::prelude::*;

use crate::BuildError;

/// One edition's files, where the build puts them.
pub(crate) struct Staged<'a> {
    pub edition: Edition,
    pub files: &'a [OutputFile],
    /// The subfolder of the output folder: a language's code in a
    /// multilingual book (checked to be one plain name), else empty.
    pub folder: &'a str,
}

/// Writes `editions` under `out_dir`: the HTML site as the folder `html/`,
/// each other edition as its files. Returns what was written, in order.
pub(crate) fn write_editions(
    out_dir: &Path,
    editions: &[Staged<'_>],
) -> Result<Vec<PathBuf>, BuildError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| BuildError::Io { path, source }
    };
    // What goes where: (name in the output folder, is a folder).
    let mut moves: Vec<(PathBuf, bool)> = Vec::new();
    for Staged {
        edition,
        files,
        folder,
    } in editions
    {
        check_paths(*edition, files)?;
        check_folder(folder)?;
        let folder = Path::new(folder);
        match edition {
            Edition::Html => moves.push((folder.join("html"), true)),
            Edition::Epub | Edition::Pdf => {
                moves.extend(files.iter().map(|file| (folder.join(&file.path), false)))
            }
        }
    }
    std::fs::create_dir_all(out_dir).map_err(io(out_dir))?;
    for Staged { folder, .. } in editions {
        let dir = out_dir.join(folder);
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    }
    for (name, folder) in &moves {
        let destination = out_dir.join(name);
        let in_the_way = match destination.symlink_metadata() {
            Ok(meta) if meta.file_type().is_symlink() => Some("a symlink"),
            Ok(meta) if meta.is_dir() && !folder => Some("a folder"),
            Ok(meta) if !meta.is_dir() && *folder => Some("a file"),
            _ => None,
        };
        if let Some(what) = in_the_way {
            return Err(BuildError::InTheWay {
                path: destination,
                what,
            });
        }
    }
    let staging = tempfile::Builder::new()
        .prefix(".folio-build-")
        .tempdir_in(out_dir)
        .map_err(io(out_dir))?;
    for Staged {
        edition,
        files,
        folder,
    } in editions
    {
        let base = match edition {
            Edition::Html => staging.path().join(folder).join("html"),
            Edition::Epub | Edition::Pdf => staging.path().join(folder),
        };
        files.par_iter().try_for_each(|file| {
            let path = base.join(&file.path);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(io(parent))?;
            }
            std::fs::write(&path, &file.bytes).map_err(io(&path))
        })?;
    }
    let backup = staging.path().join(".previous");
    std::fs::create_dir(&backup).map_err(io(&backup))?;
    let mut done: Vec<(&Path, bool)> = Vec::new();
    for (name, _) in &moves {
        let destination = out_dir.join(name);
        let result = replace(&staging.path().join(name), &destination, &backup.join(name));
        match result {
            Ok(had_previous) => done.push((name, had_previous)),
            Err(source) => {
                for (name, had_previous) in done.into_iter().rev() {
                    undo(&out_dir.join(name), &backup.join(name), had_previous);
                }
                return Err(BuildError::Io {
                    path: destination,
                    source,
                });
            }
        }
    }
    Ok(moves.iter().map(|(name, _)| out_dir.join(name)).collect())
}

/// Moves `new` to `destination`, first moving what is there to `backup`.
/// Returns whether there was something.
fn replace(new: &Path, destination: &Path, backup: &Path) -> std::io::Result<bool> {
    let had_previous = destination.symlink_metadata().is_ok();
    if had_previous {
        if let Some(parent) = backup.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::rename(destination, backup)?;
    }
    if let Err(e) = std::fs::rename(new, destination) {
        if had_previous {
            let _ = std::fs::rename(backup, destination);
        }
        return Err(e);
    }
    Ok(had_previous)
}

/// Puts back what [`replace`] replaced (best effort: this runs after a failure).
fn undo(destination: &Path, backup: &Path, had_previous: bool) {
    let _ = if destination.is_dir() {
        std::fs::remove_dir_all(destination)
    } else {
        std::fs::remove_file(destination)
    };
    if had_previous {
        let _ = std::fs::rename(backup, destination);
    }
}

/// A language's folder is empty or one plain name.
fn check_folder(folder: &str) -> Result<(), BuildError> {
    let mut components = Path::new(folder).components();
    match (components.next(), components.next()) {
        (None, _) | (Some(Component::Normal(_)), None) => Ok(()),
        _ => Err(BuildError::Internal(format!(
            "a language's output folder `{folder}` is not a plain name"
        ))),
    }
}

/// Each file path of an edition is relative, made of plain names, and its own.
fn check_paths(edition: Edition, files: &[OutputFile]) -> Result<(), BuildError> {
    let mut seen = HashSet::new();
    for file in files {
        let path = Path::new(&file.path);
        let plain =
            !file.path.is_empty() && path.components().all(|c| matches!(c, Component::Normal(_)));
        let single = matches!(edition, Edition::Html) || path.components().count() == 1;
        if !plain || !single {
            return Err(BuildError::Internal(format!(
                "the {edition:?} edition named a file `{}`, which is not a plain relative path",
                file.path
            )));
        }
        if !seen.insert(file.path.to_lowercase()) {
            return Err(BuildError::Internal(format!(
                "the {edition:?} edition wrote two files named `{}`",
                file.path
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An edition staged for the output folder itself (a book in one language).
    fn at_root(edition: Edition, files: &[OutputFile]) -> Staged<'_> {
        Staged {
            edition,
            files,
            folder: "",
        }
    }

    fn file(path: &str, bytes: &str) -> OutputFile {
        OutputFile {
            path: path.into(),
            bytes: bytes.into(),
        }
    }

    fn leftovers(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect()
    }

    #[test]
    fn editions_replace_the_previous_ones_and_leave_nothing_behind() {
        let out = tempfile::tempdir().unwrap();
        let site = [file("index.html", "one"), file("a/b.html", "two")];
        let pdf = [file("livre.pdf", "pdf")];
        let staged = [at_root(Edition::Html, &site), at_root(Edition::Pdf, &pdf)];
        let written = write_editions(out.path(), &staged).unwrap();
        assert_eq!(
            written,
            [out.path().join("html"), out.path().join("livre.pdf")]
        );
        let site = [file("index.html", "three")];
        write_editions(out.path(), &[at_root(Edition::Html, &site)]).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.path().join("html/index.html")).unwrap(),
            "three"
        );
        assert!(
            !out.path().join("html/a").exists(),
            "the old site is replaced, not merged"
        );
        assert!(leftovers(out.path()).is_empty());
    }

    #[test]
    fn a_folder_in_the_way_stops_the_build_before_anything_moves() {
        let out = tempfile::tempdir().unwrap();
        let site = [file("index.html", "old")];
        write_editions(out.path(), &[at_root(Edition::Html, &site)]).unwrap();
        std::fs::create_dir(out.path().join("livre.pdf")).unwrap();
        let site = [file("index.html", "new")];
        let pdf = [file("livre.pdf", "pdf")];
        let error = write_editions(
            out.path(),
            &[at_root(Edition::Html, &site), at_root(Edition::Pdf, &pdf)],
        )
        .unwrap_err();
        assert!(matches!(error, BuildError::InTheWay { .. }), "{error}");
        assert_eq!(
            std::fs::read_to_string(out.path().join("html/index.html")).unwrap(),
            "old"
        );
        assert!(leftovers(out.path()).is_empty());
    }

    #[test]
    fn paths_that_leave_the_edition_or_repeat_are_refused() {
        for bad in [
            &[file("../x.pdf", "")][..],
            &[file("/tmp/x.pdf", "")],
            &[file("a/x.pdf", "")],
            &[file("x.pdf", ""), file("X.PDF", "")],
        ] {
            assert!(
                matches!(check_paths(Edition::Pdf, bad), Err(BuildError::Internal(_))),
                "{:?}",
                bad[0].path
            );
        }
        assert!(check_paths(Edition::Html, &[file("a/b.html", "")]).is_ok());
    }
}
