//! The record type handed to the rest of the pipeline, and where it came from.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// One input record. The text is exactly as stored in the input, never altered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// Stable identifier: the record's id field, or a text file's path (relative to
    /// the directory that was named, or as given for a directly named file).
    pub id: String,
    /// The document text, byte for byte as read (after JSON/CSV unescaping).
    pub text: String,
    /// Language code, if the input gave one.
    pub lang: Option<String>,
    /// Publication date, if the input gave one (as written; not parsed here).
    pub date: Option<String>,
    /// Source (site, agency, outlet), if the input gave one.
    pub source: Option<String>,
    /// URL, if the input gave one.
    pub url: Option<String>,
    /// Title, if the input gave one.
    pub title: Option<String>,
    /// Where the record came from, for messages.
    pub origin: Origin,
    /// Code point ranges of `text` that the reader already knows to be boilerplate: the
    /// chrome of a web page (navigation, footers, share bars…) found by main-text
    /// extraction. Sorted, non-overlapping; empty for plain text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub marked: Vec<[usize; 2]>,
    /// Best-effort notes about the record (e.g. a page's unknown charset), for the user.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl Document {
    /// A document with only an id and a text; the optional fields are `None`.
    pub fn new(id: impl Into<String>, text: impl Into<String>, origin: Origin) -> Self {
        Document {
            id: id.into(),
            text: text.into(),
            lang: None,
            date: None,
            source: None,
            url: None,
            title: None,
            origin,
            marked: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

/// Where a record came from: a file, and within it a line (JSONL, CSV; 1-based) or
/// a row (Parquet; 0-based row index, as pyarrow and pandas count).
///
/// Displays as `path:line`, `path row N`, or `path`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Origin {
    /// The file, as named on input or as found under a named directory.
    pub path: PathBuf,
    /// 1-based line number (JSONL, CSV/TSV: the line where the record starts).
    pub line: Option<u64>,
    /// 0-based row index (Parquet).
    pub row: Option<u64>,
}

impl Origin {
    /// A whole file (a text file is one record).
    pub fn file(path: impl Into<PathBuf>) -> Self {
        Origin {
            path: path.into(),
            line: None,
            row: None,
        }
    }

    /// A 1-based line of a file.
    pub fn at_line(path: impl Into<PathBuf>, line: u64) -> Self {
        Origin {
            path: path.into(),
            line: Some(line),
            row: None,
        }
    }

    /// A 0-based row of a table file.
    pub fn at_row(path: impl Into<PathBuf>, row: u64) -> Self {
        Origin {
            path: path.into(),
            line: None,
            row: Some(row),
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.row) {
            (Some(line), _) => write!(f, "{}:{line}", self.path.display()),
            (None, Some(row)) => write!(f, "{} row {row}", self.path.display()),
            (None, None) => write!(f, "{}", self.path.display()),
        }
    }
}

/// A file location with an optional line, displayed as `path:line` or `path`.
pub(crate) struct Loc<'a>(pub &'a Path, pub Option<u64>);

impl fmt::Display for Loc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.1 {
            Some(line) => write!(f, "{}:{line}", self.0.display()),
            None => write!(f, "{}", self.0.display()),
        }
    }
}
