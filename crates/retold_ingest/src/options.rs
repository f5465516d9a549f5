//! What to read and how: field names, size limit, format.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

/// Default [`IngestOptions::max_doc_bytes`]: 64 MiB.
pub const DEFAULT_MAX_DOC_BYTES: usize = 64 << 20;

/// How to read the inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestOptions {
    /// Name of the id field/column in JSONL, CSV and Parquet. Default `"id"`.
    pub id_field: String,
    /// Name of the text field/column in JSONL, CSV and Parquet. Default `"text"`.
    pub text_field: String,
    /// Largest accepted text, in bytes (UTF-8). A larger one is a
    /// [`DocTooLarge`](crate::IngestError::DocTooLarge) error. Default 64 MiB.
    pub max_doc_bytes: usize,
    /// Read every input in this format. `None`: choose by extension (see
    /// [`Format::from_path`]). A `.gz` suffix still means gzip (except for Parquet).
    /// With a format forced, every non-hidden file under a named directory is read,
    /// whatever its extension.
    pub format: Option<Format>,
    /// Name of a field/column (JSONL, CSV, Parquet) holding a web page's HTML: the text of
    /// such a record is the page's main text, extracted as for `.html` files, and
    /// `text_field` is not read. `None` (default): records hold text.
    pub html_field: Option<String>,
}

impl IngestOptions {
    /// The field/column the record's text (or HTML) is read from.
    pub fn text_column(&self) -> &str {
        self.html_field.as_deref().unwrap_or(&self.text_field)
    }
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            id_field: "id".to_owned(),
            text_field: "text".to_owned(),
            max_doc_bytes: DEFAULT_MAX_DOC_BYTES,
            format: None,
            html_field: None,
        }
    }
}

/// An input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// A whole file is one document (`.txt`, `.md`; read as is).
    Text,
    /// A whole file is one web page (`.html`, `.htm`): its charset is detected, its main
    /// text extracted, and its chrome marked as boilerplate.
    Html,
    /// A WARC archive (`.warc`): every `response` record with an HTML payload is a page,
    /// with the record's target URI as id and URL and its date as fallback date.
    Warc,
    /// One JSON object per line (`.jsonl`, `.json`, `.ndjson`).
    Jsonl,
    /// Comma-separated values with a header row (`.csv`).
    Csv,
    /// Tab-separated values with a header row (`.tsv`).
    Tsv,
    /// Apache Parquet (`.parquet`).
    Parquet,
}

impl Format {
    /// The format an extension stands for, looking through a `.gz` suffix
    /// (`a.jsonl.gz` is JSONL). Case-insensitive. `None` for an unknown extension
    /// and for `.parquet.gz` (Parquet compresses internally).
    pub fn from_path(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
        let (inner, gz) = match name.strip_suffix(".gz") {
            Some(inner) => (inner, true),
            None => (name.as_str(), false),
        };
        let (_, ext) = inner.rsplit_once('.')?;
        match ext {
            "txt" | "md" => Some(Format::Text),
            "html" | "htm" | "xhtml" => Some(Format::Html),
            "warc" => Some(Format::Warc),
            "jsonl" | "json" | "ndjson" => Some(Format::Jsonl),
            "csv" => Some(Format::Csv),
            "tsv" => Some(Format::Tsv),
            "parquet" if !gz => Some(Format::Parquet),
            _ => None,
        }
    }

    /// The format's short name, as accepted by [`str::parse`]: `text`, `html`, `warc`,
    /// `jsonl`, `csv`, `tsv`, `parquet`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Html => "html",
            Format::Warc => "warc",
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
            Format::Tsv => "tsv",
            Format::Parquet => "parquet",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An unknown format name given to [`Format::from_str`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown format \"{0}\" (expected text, html, warc, jsonl, csv, tsv or parquet)")]
pub struct ParseFormatError(pub String);

impl FromStr for Format {
    type Err = ParseFormatError;

    /// Accepts the names from [`Format::name`] and the usual extensions
    /// (`txt`, `md`, `htm`, `json`, `ndjson`), case-insensitively.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "text" | "txt" | "md" => Ok(Format::Text),
            "html" | "htm" | "xhtml" => Ok(Format::Html),
            "warc" => Ok(Format::Warc),
            "jsonl" | "json" | "ndjson" => Ok(Format::Jsonl),
            "csv" => Ok(Format::Csv),
            "tsv" => Ok(Format::Tsv),
            "parquet" => Ok(Format::Parquet),
            _ => Err(ParseFormatError(s.to_owned())),
        }
    }
}

/// Whether a file name ends in `.gz` (any case).
pub(crate) fn is_gzip(path: &Path) -> bool {
    path.file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase().ends_with(".gz"))
        .unwrap_or(false)
}
