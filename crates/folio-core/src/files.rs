//! The one gate every file folio reads goes through.
//!
//! A book is untrusted input: a SUMMARY entry, an image, a stylesheet or a
//! font named by the book may point through `..` or a symlink at any file of
//! the machine, at a named pipe that blocks forever, at `/dev/zero`, or at a
//! file of several gigabytes. Every read therefore goes through a [`Folder`]
//! (a canonical folder folio may read below): the path is resolved with
//! every symlink followed and checked to stay inside the folder, only a
//! regular file of at most a documented size is accepted, and the file is
//! opened by the real path the check found, without following a link in its
//! last component and without blocking, then checked again on the open file
//! (so a file swapped between the check and the read is still refused).
//!
//! Limits (documented in the guide and ARCHITECTURE.md): [`MAX_TEXT_FILE`]
//! for Markdown and configuration, [`MAX_FILE`] for images, stylesheets and
//! fonts.

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use serde::{Serialize, Serializer};

/// The largest Markdown, SUMMARY or configuration file folio reads: 16 MiB.
/// Real chapters are a few hundred kilobytes.
pub const MAX_TEXT_FILE: u64 = 16 << 20;
/// The largest image, stylesheet or font folio reads: 256 MiB.
pub const MAX_FILE: u64 = 256 << 20;

/// Why a file cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    Missing,
    /// It exists but lies outside the folder (through `..` or a symlink).
    OutsideRoot,
    /// It is a folder, a named pipe, a device or a socket: what it is.
    NotAFile(&'static str),
    /// A folder was wanted.
    NotAFolder,
    TooLarge {
        size: u64,
        limit: u64,
    },
    /// The system refused to open or read it (permissions…).
    Unreadable(String),
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refused::Missing => f.write_str("not found"),
            Refused::OutsideRoot => f.write_str("lies outside the book"),
            Refused::NotAFile(kind) => write!(f, "is {kind}, not a file"),
            Refused::NotAFolder => f.write_str("is not a folder"),
            Refused::TooLarge { size, limit } => write!(
                f,
                "is too large ({} MiB; folio reads at most {} MiB)",
                mib(*size),
                mib(*limit)
            ),
            Refused::Unreadable(why) => write!(f, "cannot be read: {why}"),
        }
    }
}

impl Refused {
    /// What to do about it, for a file the book names as `written`.
    pub fn hint(&self, written: &str) -> String {
        match self {
            Refused::Missing => format!(
                "create `{written}`, or correct the path; paths starting with `/` start at the book root"
            ),
            Refused::OutsideRoot => {
                "folio reads nothing outside the book: copy the file into the book".to_string()
            }
            Refused::NotAFile(_) => "name a regular file".to_string(),
            Refused::NotAFolder => "name a folder of the book".to_string(),
            Refused::TooLarge { .. } => "split or shrink the file".to_string(),
            Refused::Unreadable(_) => "check the file's permissions".to_string(),
        }
    }
}

fn mib(bytes: u64) -> u64 {
    bytes.div_ceil(1 << 20)
}

/// A folder folio may read below, by its canonical path; or nowhere, for a
/// book held in memory, where every file is missing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Folder(Option<PathBuf>);

impl Serialize for Folder {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for Folder {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Option::<PathBuf>::deserialize(deserializer).map(Folder)
    }
}

impl Folder {
    /// The folder at `path` (which the user named: trusted), canonicalised.
    pub fn new(path: &Path) -> io::Result<Folder> {
        let real = path.canonicalize()?;
        if !real.is_dir() {
            return Err(io::Error::new(io::ErrorKind::NotADirectory, "not a folder"));
        }
        Ok(Folder(Some(real)))
    }

    /// No folder: every file is missing (a book held in memory).
    pub fn nowhere() -> Folder {
        Folder(None)
    }

    /// The canonical path, if the folder is on disk.
    pub fn path(&self) -> Option<&Path> {
        self.0.as_deref()
    }

    /// The folder `rel` (root-relative, `/`-separated, as a setting names
    /// it), which must lie inside this one once symlinks are followed.
    pub fn folder(&self, rel: &str) -> Result<Folder, Refused> {
        let real = self.resolve(rel)?;
        match std::fs::metadata(&real) {
            Ok(meta) if meta.is_dir() => Ok(Folder(Some(real))),
            Ok(_) => Err(Refused::NotAFolder),
            Err(e) => Err(refusal(&e)),
        }
    }

    /// The regular file `rel` (root-relative, `/`-separated), inside this folder.
    pub fn locate(&self, rel: &str) -> Result<Located, Refused> {
        let real = self.resolve(rel)?;
        let meta = std::fs::metadata(&real).map_err(|e| refusal(&e))?;
        check(&meta, u64::MAX)?;
        Ok(Located { real })
    }

    /// Reads the regular file `rel`, of at most `limit` bytes.
    pub fn read(&self, rel: &str, limit: u64) -> Result<Vec<u8>, Refused> {
        self.locate(rel)?.read(limit)
    }

    /// Where `rel` really is, if it exists and lies inside the folder once
    /// every symlink is followed.
    ///
    /// A normalised path can only lead out through a symlink (or `..`), so
    /// the usual case costs one `lstat` per component below the folder,
    /// which is canonical already; only a path through a symlink is
    /// canonicalised, which resolves every component from `/` (several
    /// system calls each, measured as most of what loading a small book
    /// spent in the kernel).
    fn resolve(&self, rel: &str) -> Result<PathBuf, Refused> {
        let Some(root) = &self.0 else {
            return Err(Refused::Missing);
        };
        let mut full = root.clone();
        for part in rel.split('/').filter(|p| !p.is_empty()) {
            if part == "." || part == ".." {
                return through_links(root, rel);
            }
            full.push(part);
            match full.symlink_metadata() {
                Ok(meta) if meta.file_type().is_symlink() => return through_links(root, rel),
                Ok(_) => {}
                Err(e) => return Err(refusal(&e)),
            }
        }
        Ok(full)
    }
}

/// [`Folder::resolve`] for a path that may pass through symlinks.
fn through_links(root: &Path, rel: &str) -> Result<PathBuf, Refused> {
    let full = root.join(rel.trim_start_matches('/'));
    let real = full.canonicalize().map_err(|_| {
        if full.symlink_metadata().is_ok() {
            Refused::OutsideRoot
        } else {
            Refused::Missing
        }
    })?;
    if real.starts_with(root) {
        Ok(real)
    } else {
        Err(Refused::OutsideRoot)
    }
}

/// A regular file found inside a [`Folder`], by its real path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    real: PathBuf,
}

impl Located {
    pub fn path(&self) -> &Path {
        &self.real
    }

    /// Opens the file by the real path found, checking again on the open
    /// file that it is a regular file of at most `limit` bytes.
    pub fn open(&self, limit: u64) -> Result<Opened, Refused> {
        let file = open_no_follow(&self.real).map_err(|e| refusal(&e))?;
        let meta = file.metadata().map_err(|e| refusal(&e))?;
        check(&meta, limit)?;
        Ok(Opened {
            file,
            len: meta.len(),
            limit,
        })
    }

    /// The whole file, of at most `limit` bytes.
    pub fn read(&self, limit: u64) -> Result<Vec<u8>, Refused> {
        self.open(limit)?.read_all()
    }
}

/// An open regular file, checked.
#[derive(Debug)]
pub struct Opened {
    file: File,
    len: u64,
    limit: u64,
}

impl Opened {
    /// The file's content. A file that grew past the limit since it was
    /// opened is refused rather than read without end.
    pub fn read_all(self) -> Result<Vec<u8>, Refused> {
        let mut bytes = Vec::with_capacity(self.len as usize);
        let limit = self.limit;
        self.file
            .take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| refusal(&e))?;
        match bytes.len() as u64 {
            size if size > limit => Err(Refused::TooLarge { size, limit }),
            _ => Ok(bytes),
        }
    }

    /// The open file, for readers that need only its start (image sizes).
    pub fn file(&mut self) -> &mut File {
        &mut self.file
    }
}

fn check(meta: &std::fs::Metadata, limit: u64) -> Result<(), Refused> {
    if !meta.is_file() {
        return Err(Refused::NotAFile(kind(&meta.file_type())));
    }
    match meta.len() {
        size if size > limit => Err(Refused::TooLarge { size, limit }),
        _ => Ok(()),
    }
}

fn kind(file_type: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a named pipe";
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return "a device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

fn refusal(error: &io::Error) -> Refused {
    match error.kind() {
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory => Refused::Missing,
        // O_NOFOLLOW on a symlink swapped in after the check.
        _ if error.raw_os_error() == Some(libc::ELOOP) => Refused::OutsideRoot,
        _ => Refused::Unreadable(error.to_string()),
    }
}

/// Opens for reading without following a symlink in the last component (the
/// path was resolved already) and without blocking (a named pipe swapped in
/// would wait for a writer forever; the check after opening refuses it).
#[cfg(unix)]
fn open_no_follow(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_no_follow(path: &Path) -> io::Result<File> {
    File::open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn symlinks_may_not_lead_out_of_the_folder() {
        use std::os::unix::fs::symlink;
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.png"), "x").unwrap();
        let book = tempfile::tempdir().unwrap();
        let root = book.path();
        std::fs::create_dir(root.join("assets")).unwrap();
        std::fs::write(root.join("assets/logo.png"), "x").unwrap();
        symlink(
            outside.path().join("secret.png"),
            root.join("assets/leak.png"),
        )
        .unwrap();
        symlink(outside.path(), root.join("elsewhere")).unwrap();
        symlink(root.join("assets"), root.join("images")).unwrap();
        symlink(root.join("nowhere.png"), root.join("dangling.png")).unwrap();
        symlink("/dev/zero", root.join("zero.png")).unwrap();

        let folder = Folder::new(root).unwrap();
        let real = folder.path().unwrap().to_path_buf();
        assert_eq!(
            folder.locate("assets/logo.png").map(|l| l.real),
            Ok(real.join("assets/logo.png"))
        );
        assert_eq!(folder.locate("assets/leak.png"), Err(Refused::OutsideRoot));
        assert_eq!(
            folder.locate("elsewhere/secret.png"),
            Err(Refused::OutsideRoot)
        );
        assert_eq!(folder.locate("dangling.png"), Err(Refused::OutsideRoot));
        assert_eq!(folder.locate("zero.png"), Err(Refused::OutsideRoot));
        assert_eq!(folder.locate("assets/missing.png"), Err(Refused::Missing));
        assert_eq!(folder.locate("../../etc/passwd"), Err(Refused::OutsideRoot));
        assert_eq!(folder.locate("assets"), Err(Refused::NotAFile("a folder")));
        // A link that stays inside the book is followed.
        assert_eq!(folder.read("images/logo.png", MAX_FILE), Ok(b"x".to_vec()));
        assert_eq!(folder.folder("elsewhere"), Err(Refused::OutsideRoot));
        assert!(folder.folder("images").is_ok());
        assert_eq!(
            Folder::nowhere().read("assets/logo.png", MAX_FILE),
            Err(Refused::Missing)
        );
    }

    #[cfg(unix)]
    #[test]
    fn pipes_are_refused_without_blocking_and_size_is_bounded() {
        let book = tempfile::tempdir().unwrap();
        let pipe = book.path().join("chapter.md");
        let c_path = std::ffi::CString::new(pipe.to_str().unwrap()).unwrap();
        // SAFETY: mkfifo with a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o644) }, 0);
        let folder = Folder::new(book.path()).unwrap();
        assert_eq!(
            folder.read("chapter.md", MAX_TEXT_FILE),
            Err(Refused::NotAFile("a named pipe"))
        );
        // Even found before it became a pipe, the open file is checked again.
        std::fs::write(book.path().join("big.md"), vec![b'a'; 100]).unwrap();
        let found = folder.locate("big.md").unwrap();
        assert_eq!(
            found.read(10),
            Err(Refused::TooLarge {
                size: 100,
                limit: 10
            })
        );
        std::fs::remove_file(book.path().join("big.md")).unwrap();
        assert_eq!(
            unsafe {
                libc::mkfifo(
                    std::ffi::CString::new(book.path().join("big.md").to_str().unwrap())
                        .unwrap()
                        .as_ptr(),
                    0o644,
                )
            },
            0
        );
        assert_eq!(found.read(10), Err(Refused::NotAFile("a named pipe")));
    }
}
