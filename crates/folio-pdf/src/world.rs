//! The typst `World` of a book: what the typesetter may see.
//!
//! - the main source: the generated markup;
//! - files: only the book's assets, by their path relative to the book root,
//!   read through folio's file gate; any other path, and every package
//!   (`@preview/…`), is refused: nothing is downloaded;
//! - fonts: typst's embedded set, the font files named in `[pdf] fonts`,
//!   and the system's fonts when the book needs them (see [`crate::fonts`]);
//! - `today()`: the build timestamp (`SOURCE_DATE_EPOCH`), not the clock.

use std::collections::HashMap;
use std::sync::LazyLock;

use folio_core::files::{Folder, MAX_FILE, Refused};
use typst::diag::{FileError, FileResult, PackageError};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_kit::fonts::FontStore;

use crate::Error;

/// The standard library, built once per process.
static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

/// The virtual path of the generated markup. No book file can be served
/// under it: files are looked up among the book's assets only.
const MAIN_PATH: &str = "/folio-book.typ";

pub struct BookWorld {
    main: Source,
    /// The book root, the only folder typst may read in, through the file gate.
    root: Folder,
    /// The files typst may read: virtual path → path relative to the root.
    files: HashMap<FileId, String>,
    fonts: FontStore,
    /// Build time, seconds since the Unix epoch.
    timestamp: i64,
}

impl BookWorld {
    /// `files` are paths relative to `root`, read through the file gate.
    pub fn new(
        markup: String,
        root: Folder,
        files: impl IntoIterator<Item = String>,
        fonts: FontStore,
        timestamp: i64,
    ) -> Result<Self, Error> {
        let main = Source::new(
            file_id(MAIN_PATH).ok_or_else(|| Error::Internal("invalid main path".into()))?,
            markup,
        );
        let files = files
            .into_iter()
            .filter_map(|path| Some((file_id(&format!("/{path}"))?, path)))
            .collect();
        Ok(BookWorld {
            main,
            root,
            files,
            fonts,
            timestamp,
        })
    }

    /// Gives the main source new markup for a rebuild. typst reparses only
    /// the changed range and keeps the rest's spans, so that what it
    /// memoised for the unchanged chapters is found again (a new source
    /// would number every node anew, and miss).
    pub fn replace_main(&mut self, markup: &str) {
        self.main.replace(markup);
    }

    pub fn main_source(&self) -> &Source {
        &self.main
    }
}

fn file_id(path: &str) -> Option<FileId> {
    let vpath = VirtualPath::new(path).ok()?;
    Some(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

impl World for BookWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.fonts.book()
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotSource)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            return Ok(Bytes::from_string(self.main.clone()));
        }
        if let VirtualRoot::Package(package) = id.root() {
            return Err(FileError::Package(PackageError::NotFound(package.clone())));
        }
        match self.files.get(&id) {
            Some(path) => self
                .root
                .read(path, MAX_FILE)
                .map(Bytes::new)
                .map_err(|refused| match refused {
                    Refused::Missing => FileError::NotFound(path.into()),
                    other => FileError::Other(Some(other.to_string().into())),
                }),
            None => Err(FileError::AccessDenied),
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.font(index)
    }

    fn today(&self, offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        let offset_seconds = offset.map_or(0, |d| d.seconds() as i64);
        let moment =
            time::OffsetDateTime::from_unix_timestamp(self.timestamp.checked_add(offset_seconds)?)
                .ok()?;
        Datetime::from_ymd(moment.year(), moment.month().into(), moment.day())
    }
}

/// The build timestamp as typst-pdf wants it for the document's dates.
pub fn pdf_timestamp(timestamp: i64) -> Option<typst_pdf::Timestamp> {
    let moment = time::OffsetDateTime::from_unix_timestamp(timestamp).ok()?;
    let datetime = Datetime::from_ymd_hms(
        moment.year(),
        moment.month().into(),
        moment.day(),
        moment.hour(),
        moment.minute(),
        moment.second(),
    )?;
    Some(typst_pdf::Timestamp::new_utc(datetime))
}
