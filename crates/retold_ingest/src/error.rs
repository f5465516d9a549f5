//! Typed ingest errors. Every message is one line that starts with the location.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::document::{Loc, Origin};
use crate::options::Format;

/// An error met while opening or reading inputs.
///
/// Each message is one line starting with the location (`path:line`, `path row N`
/// or `path`). [`IngestError::is_record_error`] tells whether the error concerns one
/// record (the [`Reader`](crate::Reader) goes on with the next record of the same
/// file) or the whole file (the reader goes on with the next file).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IngestError {
    /// A named input does not exist (reported by [`Reader::open`](crate::Reader::open)).
    #[error("{}: no such file or directory", path.display())]
    NotFound {
        /// The input as named.
        path: PathBuf,
    },

    /// The file (or directory) could not be read: permissions, a truncated or
    /// corrupt gzip stream, a device error. The rest of the file is skipped.
    #[error("{}: cannot read: {error}", Loc(path, *line))]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The line being read when it happened, if known.
        line: Option<u64>,
        /// The underlying error (its message is part of this error's message).
        error: std::io::Error,
    },

    /// Bytes that are not valid UTF-8. For a text file the whole file is the
    /// record; for JSONL the line; for CSV the record.
    #[error("{}: invalid UTF-8 at byte {offset}", Loc(path, *line))]
    InvalidUtf8 {
        /// The file.
        path: PathBuf,
        /// 1-based line (JSONL, CSV), `None` for a text file.
        line: Option<u64>,
        /// Byte offset from the start of the (decompressed) file: of the first
        /// invalid byte for text files and JSONL, of the start of the record for CSV.
        offset: u64,
    },

    /// A JSONL line that is not a well-formed JSON object.
    #[error("{}:{line}: malformed JSON: {message}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// What is wrong, with the column where known.
        message: String,
    },

    /// A `.json`/`.jsonl` file that holds one JSON array instead of one object per
    /// line. The file is skipped.
    #[error(
        "{}: expected JSON Lines (one object per line), found a JSON array",
        path.display()
    )]
    NotJsonLines {
        /// The file.
        path: PathBuf,
    },

    /// A record without its id or text (absent, null, or a null Parquet cell).
    #[error("{origin}: missing field \"{field}\"")]
    MissingField {
        /// The record.
        origin: Origin,
        /// The field name, as configured.
        field: String,
    },

    /// A record whose id or text has the wrong JSON type (an id must be a string or
    /// an integer, a text a string).
    #[error("{origin}: field \"{field}\" must be {expected}, found {found}")]
    InvalidField {
        /// The record.
        origin: Origin,
        /// The field name, as configured.
        field: String,
        /// What was expected, e.g. `a string`.
        expected: &'static str,
        /// What was found, e.g. `an array`.
        found: &'static str,
    },

    /// A document over [`IngestOptions::max_doc_bytes`](crate::IngestOptions::max_doc_bytes).
    /// For JSONL, `bytes` may count the whole line when the line alone is far over
    /// the limit (it is then not parsed).
    #[error("{origin}: document is {bytes} bytes, over the limit of {limit} bytes")]
    DocTooLarge {
        /// The record.
        origin: Origin,
        /// Its size in bytes.
        bytes: u64,
        /// The limit in bytes.
        limit: usize,
    },

    /// A document or record so far over the size limit that reading it stopped before its
    /// end, so its real size is not known: a gzip-compressed text file or page that
    /// decompresses to more than twice the limit (a gzip bomb, say), or a CSV record that
    /// runs on far past the limit (an unclosed quote). Memory stays bounded by the limit.
    #[error(
        "{origin}: document is more than {read} bytes, over the limit of {limit} bytes (reading stopped there)"
    )]
    TooLargeToRead {
        /// The record (file, or the line where a CSV record starts).
        origin: Origin,
        /// Bytes read (decompressed) before stopping.
        read: u64,
        /// The limit in bytes.
        limit: usize,
    },

    /// An id seen before, in this file or an earlier one. The second record is not
    /// yielded; the first one was. (The origins are boxed to keep the error small.)
    #[error("{second}: duplicate id \"{}\" (first seen at {first})", OneLine(id))]
    DuplicateId {
        /// The id.
        id: String,
        /// Where it was first seen.
        first: Box<Origin>,
        /// Where it was seen again.
        second: Box<Origin>,
    },

    /// A CSV/TSV record that cannot be parsed (e.g. a wrong number of fields).
    #[error("{}: malformed CSV: {message}", Loc(path, *line))]
    Csv {
        /// The file.
        path: PathBuf,
        /// 1-based line where the record starts, if known.
        line: Option<u64>,
        /// What is wrong.
        message: String,
    },

    /// A CSV/TSV header or Parquet schema without the id or text column. The file
    /// is skipped.
    #[error("{}: no column \"{column}\" (columns: {})", path.display(), list(found))]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The column name, as configured.
        column: String,
        /// The columns the file has.
        found: Vec<String>,
    },

    /// A Parquet id or text column of a type that cannot be read as text. The file
    /// is skipped.
    #[error("{}: column \"{column}\" has type {found}, expected {expected}", path.display())]
    ColumnType {
        /// The file.
        path: PathBuf,
        /// The column name.
        column: String,
        /// The Arrow type found.
        found: String,
        /// What was expected.
        expected: &'static str,
    },

    /// A file that is not Parquet, or a Parquet file that cannot be decoded. The
    /// rest of the file is skipped.
    #[error("{}: cannot read Parquet: {message}", path.display())]
    Parquet {
        /// The file.
        path: PathBuf,
        /// The decoder's message.
        message: String,
    },

    /// A web page from which no text could be extracted (e.g. a gzip stream with nothing
    /// readable in it). The record is skipped.
    #[error("{origin}: cannot extract the page: {message}")]
    Page {
        /// The page (file, or record of a WARC/JSONL/CSV/Parquet file).
        origin: Origin,
        /// What failed.
        message: String,
    },

    /// A WARC file that cannot be parsed from some record on. The rest of the file is
    /// skipped.
    #[error("{}: malformed WARC after {records} records: {message}", path.display())]
    Warc {
        /// The file.
        path: PathBuf,
        /// Records read before the problem.
        records: u64,
        /// What is wrong.
        message: String,
    },

    /// A format whose reader was left out of this build (Cargo feature).
    #[error("{}: reading {format} needs the \"{feature}\" feature of retold_ingest", path.display())]
    FormatDisabled {
        /// The file.
        path: PathBuf,
        /// Its format.
        format: Format,
        /// The Cargo feature that enables it.
        feature: &'static str,
    },
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "none".to_owned()
    } else {
        let names: Vec<String> = names.iter().map(|n| OneLine(n).to_string()).collect();
        names.join(", ")
    }
}

/// Text from the input (an id, a column name) shown in a message, which must stay one line:
/// control characters (line breaks among them) are escaped as in Rust (`\n`, `\u{1b}`).
struct OneLine<'a>(&'a str);

impl std::fmt::Display for OneLine<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for c in self.0.chars() {
            if c.is_control() {
                write!(f, "{}", c.escape_debug())?;
            } else {
                f.write_char(c)?;
            }
        }
        Ok(())
    }
}

impl IngestError {
    /// True if the error concerns one record only: reading can go on with the next
    /// record of the same file (this is what `--skip-bad` skips). False if the file
    /// (or a named input) could not be read; the [`Reader`](crate::Reader) then goes
    /// on with the next file.
    pub fn is_record_error(&self) -> bool {
        matches!(
            self,
            IngestError::InvalidUtf8 { .. }
                | IngestError::Json { .. }
                | IngestError::MissingField { .. }
                | IngestError::InvalidField { .. }
                | IngestError::DocTooLarge { .. }
                | IngestError::TooLargeToRead { .. }
                | IngestError::DuplicateId { .. }
                | IngestError::Csv { .. }
                | IngestError::Page { .. }
        )
    }

    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            IngestError::NotFound { path }
            | IngestError::Io { path, .. }
            | IngestError::InvalidUtf8 { path, .. }
            | IngestError::Json { path, .. }
            | IngestError::NotJsonLines { path }
            | IngestError::Csv { path, .. }
            | IngestError::MissingColumn { path, .. }
            | IngestError::ColumnType { path, .. }
            | IngestError::Parquet { path, .. }
            | IngestError::Warc { path, .. }
            | IngestError::FormatDisabled { path, .. } => path,
            IngestError::MissingField { origin, .. }
            | IngestError::InvalidField { origin, .. }
            | IngestError::DocTooLarge { origin, .. }
            | IngestError::TooLargeToRead { origin, .. }
            | IngestError::Page { origin, .. } => &origin.path,
            IngestError::DuplicateId { second, .. } => &second.path,
        }
    }

    pub(crate) fn io(path: &Path, line: Option<u64>, error: std::io::Error) -> Self {
        if error.kind() == std::io::ErrorKind::NotFound && line.is_none() {
            IngestError::NotFound {
                path: path.to_path_buf(),
            }
        } else {
            IngestError::Io {
                path: path.to_path_buf(),
                line,
                error,
            }
        }
    }
}
