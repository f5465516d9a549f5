//! Streaming document readers for retold: step 1 ("ingest") of the pipeline.
//!
//! This crate owns everything between a list of paths on the command line and a
//! stream of [`Document`]s:
//!
//! - expanding directories (recursively, in a deterministic order, skipping hidden
//!   files and files it does not know how to read),
//! - choosing a reader per file by extension or by [`IngestOptions::format`]
//!   (plain text, web pages, WARC archives, JSON Lines, CSV/TSV, Parquet; `.gz` means
//!   gzip),
//! - web pages (`.html`, WARC `response` records, an HTML field with
//!   [`IngestOptions::html_field`]) through main-text extraction (`retold_extract`, feature
//!   `html`): the document's text is the page's visible text, with its chrome marked in
//!   [`Document::marked`] and title, date, URL and host filled in,
//! - reading records one at a time with bounded memory (line by line, record by
//!   record, Parquet batch by batch, one text file at a time),
//! - stable document ids (a record's id field, or a text file's relative path),
//!   with duplicate ids across all inputs reported,
//! - typed errors ([`IngestError`]) that name the file and the line or row, and
//!   that tell a per-record problem (skip the record, go on) from a per-file one
//!   (skip the rest of the file, go on).
//!
//! The text of a document is handed on exactly as it was stored: no normalization,
//! no trimming, no line-ending conversion. Cleaning is the job of later stages.
//!
//! ```no_run
//! use retold_ingest::{IngestOptions, Reader};
//! use std::path::PathBuf;
//!
//! let inputs = vec![PathBuf::from("corpus.jsonl"), PathBuf::from("articles/")];
//! let reader = Reader::open(&inputs, IngestOptions::default())?;
//! for item in reader {
//!     match item {
//!         Ok(doc) => { /* hand the document on */ let _ = doc; }
//!         Err(err) if err.is_record_error() => { /* count it, skip it */ }
//!         Err(err) => return Err(err),
//!     }
//! }
//! # Ok::<(), retold_ingest::IngestError>(())
//! ```

mod csv_source;
mod document;
mod error;
mod input;
mod jsonl;
mod options;
#[cfg(feature = "html")]
mod page;
#[cfg(feature = "parquet")]
mod parquet_source;
mod reader;
mod text;
#[cfg(feature = "html")]
mod warc_source;

pub use document::{Document, Origin};
pub use error::IngestError;
pub use jsonl::read_jsonl_values;
pub use options::{Format, IngestOptions, ParseFormatError, DEFAULT_MAX_DOC_BYTES};
pub use reader::Reader;
