//! CSV and TSV with a header row, read record by record.

use std::collections::VecDeque;
use std::io::{self, Read};
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

/// Watches the bytes the csv parser reads, so that a record's position can be
/// turned into its real first line and byte.
///
/// The csv crate reports a record at the position where its parser started,
/// which is before any blank lines it skipped and, after a `\r\n` terminator,
/// at the `\n` (with a line number one short). So the line terminators are
/// tracked here and skipped over. Only those not yet behind the last record asked
/// about are kept: at most the parser's read-ahead plus one record.
struct LineTracker<R> {
    inner: R,
    /// Bytes read so far.
    offset: u64,
    /// Offsets of the `\r` and `\n` bytes at or after the last record asked
    /// about, with a flag telling `\n` (which counts a line) from `\r`.
    terminators: VecDeque<(u64, bool)>,
    /// Number of `\n` before those.
    lines_before: u64,
    /// Where the record being read starts (the parser's position after the last record).
    record_start: u64,
    /// Most bytes read past `record_start` before the record is refused as too large.
    cap: u64,
    /// Most line terminators kept for one record (they take 16 bytes each).
    max_terminators: usize,
    /// Set when a read was refused because of `cap` or `max_terminators`.
    over: bool,
}

impl<R: Read> Read for LineTracker<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.offset.saturating_sub(self.record_start) > self.cap
            || self.terminators.len() > self.max_terminators
        {
            // A record running on far past the size limit (an unclosed quote, a gzip bomb):
            // stop here rather than hold it all in memory.
            self.over = true;
            return Err(io::Error::other("record over the size limit"));
        }
        let n = self.inner.read(buf)?;
        let base = self.offset;
        self.terminators.extend(
            buf[..n]
                .iter()
                .enumerate()
                .filter(|(_, &b)| b == b'\n' || b == b'\r')
                .map(|(i, &b)| (base + i as u64, b == b'\n')),
        );
        self.offset += n as u64;
        Ok(n)
    }
}

impl<R> LineTracker<R> {
    #[cfg(test)]
    fn new(inner: R) -> Self {
        Self::with_cap(inner, u64::MAX)
    }

    /// A tracker that refuses to read more than `cap` bytes of one record.
    fn with_cap(inner: R, cap: u64) -> Self {
        LineTracker {
            inner,
            offset: 0,
            terminators: VecDeque::new(),
            lines_before: 0,
            record_start: 0,
            cap,
            max_terminators: usize::try_from(cap / 16).unwrap_or(usize::MAX).max(1 << 16),
            over: false,
        }
    }

    /// The 1-based line and the byte offset where a record reported at byte `pos`
    /// really starts: past any line terminators found at `pos`. Positions must be
    /// asked for in increasing order.
    fn locate(&mut self, pos: u64) -> (u64, u64) {
        let mut start = pos;
        while let Some(&(at, is_lf)) = self.terminators.front() {
            if at > start {
                break;
            }
            if at == start {
                start += 1;
            }
            self.terminators.pop_front();
            if is_lf {
                self.lines_before += 1;
            }
        }
        (self.lines_before + 1, start)
    }
}

/// A CSV/TSV file being read.
pub(crate) struct CsvSource {
    path: PathBuf,
    reader: csv::Reader<LineTracker<ByteStream>>,
    columns: Columns,
    record: ByteRecord,
    /// The document size limit (for messages).
    limit: usize,
    /// The file is empty: no header, no records.
    empty: bool,
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
        // A record holds at most the text (quotes doubled) and a few short fields.
        let cap = (opts.max_doc_bytes as u64)
            .saturating_mul(2)
            .saturating_add(1 << 20);
        let mut reader = ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .delimiter(delimiter)
            .from_reader(LineTracker::with_cap(stream, cap));
        let headers = reader
            .byte_headers()
            .map_err(|e| csv_error(path, e, None).0)?
            .clone();
        let first = reader.position().byte();
        reader.get_mut().record_start = first;
        if headers.is_empty() && reader.is_done() {
            // An empty file (or only blank lines): no header, no records.
            return Ok(CsvSource {
                path: path.to_path_buf(),
                reader,
                columns: Columns {
                    id: 0,
                    text: 0,
                    optional: [None; 5],
                },
                record: ByteRecord::new(),
                limit: opts.max_doc_bytes,
                empty: true,
            });
        }
        let names = header_names(&headers);
        let find = |name: &str| names.iter().position(|n| n == name);
        let missing = |column: &str| IngestError::MissingColumn {
            path: path.to_path_buf(),
            column: column.to_owned(),
            found: names.clone(),
        };
        let id = find(&opts.id_field).ok_or_else(|| missing(&opts.id_field))?;
        let text = find(opts.text_column()).ok_or_else(|| missing(opts.text_column()))?;
        let optional = OPTIONAL_FIELDS.map(find);
        Ok(CsvSource {
            path: path.to_path_buf(),
            reader,
            columns: Columns { id, text, optional },
            record: ByteRecord::new(),
            limit: opts.max_doc_bytes,
            empty: false,
        })
    }

    pub(crate) fn next_step(&mut self) -> Step {
        if self.empty {
            return Step::End;
        }
        match self.reader.read_byte_record(&mut self.record) {
            Ok(false) => return Step::End,
            Ok(true) => {
                let next = self.reader.position().byte();
                self.reader.get_mut().record_start = next;
            }
            Err(_) if self.reader.get_ref().over => {
                let t = self.reader.get_mut();
                let read = t.offset - t.record_start;
                let (line, _) = t.locate(t.record_start);
                return Step::Fatal(IngestError::TooLargeToRead {
                    origin: Origin::at_line(&self.path, line),
                    read,
                    limit: self.limit,
                });
            }
            Err(e) => {
                let line = e
                    .position()
                    .map(|p| self.reader.get_mut().locate(p.byte()).0);
                return match csv_error(&self.path, e, line) {
                    (e, true) => Step::Record(e),
                    (e, false) => Step::Fatal(e),
                };
            }
        }
        let (line_opt, start) = match self.record.position() {
            Some(p) => {
                let (line, start) = self.reader.get_mut().locate(p.byte());
                (Some(line), start)
            }
            None => (None, 0),
        };
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
            marked: Vec::new(),
            warnings: Vec::new(),
        })
    }
}

/// Sorts a csv error into a per-record error (`true`: the reader can go on with
/// the next record) or a fatal one for the file (`false`).
fn csv_error(path: &Path, e: csv::Error, line: Option<u64>) -> (IngestError, bool) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn tracker(input: &[u8]) -> LineTracker<&[u8]> {
        let mut t = LineTracker::new(input);
        let mut sink = Vec::new();
        t.read_to_end(&mut sink).unwrap();
        t
    }

    #[test]
    fn locate_skips_terminators_and_counts_lf_only() {
        // "h\r\n" then two blank CRLF lines, then "a" at byte 7 on line 4.
        let mut t = tracker(b"h\r\n\r\n\r\na\r\nb");
        assert_eq!(t.locate(2), (4, 7));
        // The next record is reported at the '\n' after "a\r".
        assert_eq!(t.locate(9), (5, 10));
    }

    #[test]
    fn locate_at_a_content_byte_is_unchanged() {
        let mut t = tracker(b"h\nx\ny\n");
        assert_eq!(t.locate(2), (2, 2));
        assert_eq!(t.locate(4), (3, 4));
        // Past the end: every newline counted.
        assert_eq!(t.locate(6), (4, 6));
    }
}
