//! The document stream over all inputs: file after file, record after record.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::csv_source::CsvSource;
use crate::document::{Document, Origin};
use crate::error::IngestError;
use crate::input::{plan, Planned, PlannedFile};
use crate::jsonl::JsonlSource;
use crate::options::{Format, IngestOptions};
#[cfg(feature = "parquet")]
use crate::parquet_source::ParquetSource;
use crate::text::read_text_file;

/// Names of the optional fields, in the order of the `optional` arrays used by the
/// format readers: lang, date, source, url, title.
pub(crate) const OPTIONAL_FIELDS: [&str; 5] = ["lang", "date", "source", "url", "title"];

/// What a format reader hands back for one call.
pub(crate) enum Step {
    /// A document (size and id not yet checked).
    Doc(Document),
    /// A bad record; the file can be read on.
    Record(IngestError),
    /// The file cannot be read on.
    Fatal(IngestError),
    /// The file is done.
    End,
}

/// The file being read.
enum Source {
    /// A text file not read yet (it is read whole on the next call).
    Text(PlannedFile),
    #[cfg(feature = "html")]
    Warc(Box<crate::warc_source::WarcSource>),
    Jsonl(JsonlSource),
    Csv(Box<CsvSource>),
    #[cfg(feature = "parquet")]
    Parquet(Box<ParquetSource>),
}

/// Where in a file an accepted id was seen (compact form of an [`Origin`]).
#[derive(Clone, Copy)]
enum Pos {
    File,
    Line(u64),
    Row(u64),
}

/// A stream of [`Document`]s from files and directories: an
/// `Iterator<Item = Result<Document, IngestError>>`.
///
/// Inputs are read lazily, one file at a time, in the order named (directories
/// expanded in sorted order). Memory stays bounded: JSONL and CSV are read record
/// by record, Parquet batch by batch (1024 rows at a time), a text
/// file as a whole. The only structure that grows with the corpus is the set of
/// ids seen, used to report duplicates.
///
/// After an error for which [`IngestError::is_record_error`] is true, the next call
/// goes on with the next record; after any other error, with the next file. The
/// stream ends (`None`) when every file has been read.
pub struct Reader {
    opts: IngestOptions,
    queue: std::vec::IntoIter<Planned>,
    /// Paths of the files started so far, indexed by `seen` values.
    paths: Vec<PathBuf>,
    current: Option<Source>,
    /// Every accepted id, with the file (index into `paths`) and position.
    seen: HashMap<String, (usize, Pos)>,
}

impl Reader {
    /// Plans the reading of `inputs` (files and directories): checks that each
    /// exists (else [`IngestError::NotFound`]) and lists directories recursively,
    /// sorted by path, skipping hidden entries and, inside directories, files of
    /// unknown extension. A file named directly is read by its extension, or as
    /// text if the extension is unknown. No file is opened yet.
    ///
    /// Errors met while listing a directory below a named one (e.g. permission
    /// denied) are not returned here; they come out of the iterator in their place.
    pub fn open(inputs: &[PathBuf], opts: IngestOptions) -> Result<Reader, IngestError> {
        let planned = plan(inputs, &opts)?;
        Ok(Reader {
            opts,
            queue: planned.into_iter(),
            paths: Vec::new(),
            current: None,
            seen: HashMap::new(),
        })
    }

    /// The options this reader was opened with.
    pub fn options(&self) -> &IngestOptions {
        &self.opts
    }

    /// Opens the next planned file. `Err` for a planned error or a file that
    /// cannot be opened; `Ok(false)` when there is nothing left.
    fn start_next(&mut self) -> Result<bool, IngestError> {
        let file = match self.queue.next() {
            None => return Ok(false),
            Some(Planned::Error(e)) => return Err(e),
            Some(Planned::File(file)) => file,
        };
        self.paths.push(file.path.clone());
        let opts = &self.opts;
        let source = match file.format {
            Format::Text | Format::Html => Source::Text(file),
            #[cfg(feature = "html")]
            Format::Warc => Source::Warc(Box::new(crate::warc_source::WarcSource::open(&file)?)),
            #[cfg(not(feature = "html"))]
            Format::Warc => {
                return Err(IngestError::FormatDisabled {
                    path: file.path,
                    format: Format::Warc,
                    feature: "html",
                })
            }
            Format::Jsonl => Source::Jsonl(JsonlSource::open(&file.path, file.gzip, opts)?),
            Format::Csv => Source::Csv(Box::new(CsvSource::open(
                &file.path, file.gzip, b',', opts,
            )?)),
            Format::Tsv => Source::Csv(Box::new(CsvSource::open(
                &file.path, file.gzip, b'\t', opts,
            )?)),
            #[cfg(feature = "parquet")]
            Format::Parquet => Source::Parquet(Box::new(ParquetSource::open(&file.path, opts)?)),
            #[cfg(not(feature = "parquet"))]
            Format::Parquet => {
                return Err(IngestError::FormatDisabled {
                    path: file.path,
                    format: Format::Parquet,
                    feature: "parquet",
                })
            }
        };
        self.current = Some(source);
        Ok(true)
    }

    /// Checks a document's size and id; records the id if it is accepted.
    fn accept(&mut self, doc: Document) -> Result<Document, IngestError> {
        let bytes = doc.text.len();
        if bytes > self.opts.max_doc_bytes {
            return Err(IngestError::DocTooLarge {
                origin: doc.origin,
                bytes: bytes as u64,
                limit: self.opts.max_doc_bytes,
            });
        }
        if let Some(&(file, pos)) = self.seen.get(&doc.id) {
            let path = self.paths[file].clone();
            let first = match pos {
                Pos::File => Origin::file(path),
                Pos::Line(line) => Origin::at_line(path, line),
                Pos::Row(row) => Origin::at_row(path, row),
            };
            return Err(IngestError::DuplicateId {
                id: doc.id,
                first: Box::new(first),
                second: Box::new(doc.origin),
            });
        }
        let pos = match (doc.origin.line, doc.origin.row) {
            (Some(line), _) => Pos::Line(line),
            (None, Some(row)) => Pos::Row(row),
            (None, None) => Pos::File,
        };
        // `paths` is never empty here: a document comes from a started file.
        let file = self.paths.len().saturating_sub(1);
        self.seen.insert(doc.id.clone(), (file, pos));
        Ok(doc)
    }
}

impl Iterator for Reader {
    type Item = Result<Document, IngestError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let Some(source) = self.current.as_mut() else {
                match self.start_next() {
                    Ok(true) => continue,
                    Ok(false) => return None,
                    Err(e) => return Some(Err(e)),
                }
            };
            let step = match source {
                Source::Text(_) => {
                    // A text file is one record: take it out and read it whole.
                    match self.current.take() {
                        Some(Source::Text(file)) => read_text_file(&file, &self.opts),
                        _ => Step::End,
                    }
                }
                #[cfg(feature = "html")]
                Source::Warc(s) => s.next_step(&self.opts),
                Source::Jsonl(s) => html_field(s.next_step(&self.opts), &self.opts),
                Source::Csv(s) => html_field(s.next_step(), &self.opts),
                #[cfg(feature = "parquet")]
                Source::Parquet(s) => html_field(s.next_step(), &self.opts),
            };
            match step {
                Step::Doc(doc) => return Some(self.accept(doc)),
                Step::Record(e) => return Some(Err(e)),
                Step::Fatal(e) => {
                    self.current = None;
                    return Some(Err(e));
                }
                Step::End => self.current = None,
            }
        }
    }
}

impl std::iter::FusedIterator for Reader {}

/// With [`IngestOptions::html_field`] set, a record's text is a web page's HTML: extract it.
#[cfg(feature = "html")]
fn html_field(step: Step, opts: &IngestOptions) -> Step {
    match step {
        Step::Doc(mut doc) if opts.html_field.is_some() => {
            let html = std::mem::take(&mut doc.text);
            let url = doc.url.clone();
            let meta = crate::page::PageMeta {
                content_type: Some("text/html; charset=utf-8"),
                url: url.as_deref(),
                date: None,
            };
            match crate::page::page_document(doc, html.as_bytes(), meta, opts) {
                Ok(d) => Step::Doc(d),
                Err(e) => Step::Record(e),
            }
        }
        other => other,
    }
}

/// Without the `html` feature an HTML field cannot be read: the text is passed on as is.
#[cfg(not(feature = "html"))]
fn html_field(step: Step, _opts: &IngestOptions) -> Step {
    step
}
