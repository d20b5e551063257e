//! The book loader: finds the layout (GitBook, mdBook, single file), reads
//! metadata and the chapter tree, and runs the reader on every chapter.
use std::path::Path;

use crate::model::Book;

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("no book at `{0}`: expected SUMMARY.md, book.toml, or a Markdown file")]
    NotABook(String),
}

pub fn load(path: &Path) -> Result<Book, LoadError> {
    Err(LoadError::NotABook(path.display().to_string()))
}
