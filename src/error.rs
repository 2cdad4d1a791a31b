//! The library's error type. Content problems travel as [`Diagnostic`]s inside
//! [`Error::Content`]; everything else (missing book, I/O, an unsafe destination) has its own
//! variant. The CLI maps content errors to exit code 1 and the rest to 2.

use std::io;
use std::path::PathBuf;

use crate::diagnostic::Diagnostic;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no book.toml in {0} or any folder above it")]
    NoBookRoot(PathBuf),

    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: io::Error },

    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: io::Error },

    #[error(
        "refusing to replace {0}: it exists, is not empty and was not written by guidebook \
         (choose another --dest, or delete it yourself)"
    )]
    UnsafeDestination(PathBuf),

    #[error(
        "refusing to build into {0}: it is or holds the book, or is or lies inside its content folder, which \
         replacing it would delete (choose a --dest or build-dir outside them, such as \"book\")"
    )]
    DestinationHoldsBook(PathBuf),

    #[error("refusing to write outside the output folder: {0}")]
    UnsafePath(#[from] crate::safe_path::UnsafePath),

    #[error("{0}")]
    Usage(String),

    /// A git command that failed (`guidebook diff`), with what git said.
    #[error("git: {0}")]
    Git(String),

    #[error("serve: {what}: {source}")]
    Serve {
        what: String,
        #[source]
        source: io::Error,
    },

    #[error("{0} does not exist: run `guidebook build` first, or serve without --no-watch")]
    NoBuildFolder(PathBuf),

    #[error("cannot watch for changes: {0}")]
    Watch(#[from] notify::Error),

    #[error("search index error: {0}")]
    Index(#[from] tantivy::TantivyError),

    /// A search index in a state it cannot be used in (no underlying error to carry).
    #[error("search index error: {0}")]
    Search(String),

    #[error("theme error: {what}: {}", chain(source))]
    Template {
        what: String,
        #[source]
        source: tera::Error,
    },

    /// A theme that breaks a rule of ours (no underlying error to carry).
    #[error("theme error: {0}")]
    Theme(String),

    #[error("the content has {} error(s)", count_errors(.0))]
    Content(Vec<Diagnostic>),
}

/// An error and its causes on one line (tera nests the real cause inside generic errors).
fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn count_errors(diagnostics: &[Diagnostic]) -> usize {
    diagnostics
        .iter()
        .filter(|d| d.severity == crate::diagnostic::Severity::Error)
        .count()
}

impl Error {
    pub fn read(path: impl Into<PathBuf>, source: io::Error) -> Self {
        Self::Read {
            path: path.into(),
            source,
        }
    }

    pub fn serve(what: impl Into<String>, source: io::Error) -> Self {
        Self::Serve {
            what: what.into(),
            source,
        }
    }

    pub fn write(path: impl Into<PathBuf>, source: io::Error) -> Self {
        Self::Write {
            path: path.into(),
            source,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
