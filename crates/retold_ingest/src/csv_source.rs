//! CSV and TSV with a header row, read record by record.

use std::path::{Path, PathBuf};

use csv::{ByteRecord, ErrorKind, ReaderBuilder};

use crate::document::{Document, Origin};
use crate::error::IngestError;
use crate::input::{open_stream, ByteStream};
use crate::options::IngestOptions;
use crate::reader::{Step, OPTIONAL_FIELDS};

/// Column positions of the fields the reader uses.
struct Columns {
    id: usize,
    text: usize,
    optional: [Option<usize>; 5],
}

/// A CSV/TSV file being read.
pub(crate) struct CsvSource {
    path: PathBuf,
    reader: csv::Reader<ByteStream>,
    columns: Columns,
    record: ByteRecord,
}

fn header_names(headers: &ByteRecord) -> Vec<String> {
    headers
        .iter()
        .map(|h| String::from_utf8_lossy(h).into_owned())
        .collect()
}

impl CsvSource {
    /// Opens the file and reads its header. A missing id or text column is an
    /// error here, naming the columns found.
    pub(crate) fn open(
        path: &Path,
        gzip: bool,
        delimiter: u8,
        opts: &IngestOptions,
    ) -> Result<Self, IngestError> {
        let stream = open_stream(path, gzip)?;
        let mut reader = ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .delimiter(delimiter)
            .from_reader(stream);
        let headers = reader
            .byte_headers()
            .map_err(|e| csv_error(path, e).0)?
            .clone();
        let names = header_names(&headers);
        let find = |name: &str| names.iter().position(|n| n == name);
        let missing = |column: &str| IngestError::MissingColumn {
            path: path.to_path_buf(),
            column: column.to_owned(),
            found: names.clone(),
        };
        let id = find(&opts.id_field).ok_or_else(|| missing(&opts.id_field))?;
        let text = find(&opts.text_field).ok_or_else(|| missing(&opts.text_field))?;
        let optional = OPTIONAL_FIELDS.map(find);
        Ok(CsvSource {
            path: path.to_path_buf(),
            reader,
            columns: Columns { id, text, optional },
            record: ByteRecord::new(),
        })
    }

    pub(crate) fn next_step(&mut self) -> Step {
        match self.reader.read_byte_record(&mut self.record) {
            Ok(false) => return Step::End,
            Ok(true) => {}
            Err(e) => {
                return match csv_error(&self.path, e) {
                    (e, true) => Step::Record(e),
                    (e, false) => Step::Fatal(e),
                }
            }
        }
        let (line, start) = match self.record.position() {
            Some(p) => (p.line(), p.byte()),
            None => (0, 0),
        };
        let line_opt = (line > 0).then_some(line);
        let field = |i: usize| -> Result<&str, IngestError> {
            // With flexible(false) every record has as many fields as the header,
            // so `i` is in range; an empty string is the fallback all the same.
            let bytes = self.record.get(i).unwrap_or_default();
            std::str::from_utf8(bytes).map_err(|_| IngestError::InvalidUtf8 {
                path: self.path.clone(),
                line: line_opt,
                offset: start,
            })
        };
        let origin = Origin {
            path: self.path.clone(),
            line: line_opt,
            row: None,
        };
        let id = match field(self.columns.id) {
            Ok(s) => s.to_owned(),
            Err(e) => return Step::Record(e),
        };
        let text = match field(self.columns.text) {
            Ok(s) => s.to_owned(),
            Err(e) => return Step::Record(e),
        };
        let mut optional: [Option<String>; 5] = Default::default();
        for (slot, col) in optional.iter_mut().zip(self.columns.optional) {
            if let Some(col) = col {
                match field(col) {
                    Ok("") => {}
                    Ok(s) => *slot = Some(s.to_owned()),
                    Err(e) => return Step::Record(e),
                }
            }
        }
        let [lang, date, source, url, title] = optional;
        Step::Doc(Document {
            id,
            text,
            lang,
            date,
            source,
            url,
            title,
            origin,
        })
    }
}

/// Sorts a csv error into a per-record error (`true`: the reader can go on with
/// the next record) or a fatal one for the file (`false`).
fn csv_error(path: &Path, e: csv::Error) -> (IngestError, bool) {
    let line = e.position().map(|p| p.line()).filter(|&l| l > 0);
    let message = e.to_string();
    match e.into_kind() {
        ErrorKind::Io(err) => (IngestError::io(path, line, err), false),
        ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => (
            IngestError::Csv {
                path: path.to_path_buf(),
                line,
                message: format!("found {len} fields, expected {expected_len} as in the header"),
            },
            true,
        ),
        _ => (
            IngestError::Csv {
                path: path.to_path_buf(),
                line,
                message,
            },
            false,
        ),
    }
}
