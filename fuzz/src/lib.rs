//! Helpers shared by the fuzz targets: the reader targets write the fuzz input to a file (the
//! readers of `retold_ingest` read files) and check the same invariants on every item the
//! [`Reader`] yields; range checks used by several targets.

use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use retold_ingest::{Document, IngestError, IngestOptions, Reader};

/// How a reader target reads its input, from the input's first byte (the rest is the file).
#[derive(Debug, Clone, Copy)]
pub struct Mode {
    /// Bit 0: write the file gzip-compressed (named `….gz`).
    pub gzip: bool,
    /// Bit 1 (without bit 0): write the bytes as they are but name the file `….gz` (a corrupt
    /// gzip stream, unless the bytes happen to be gzip).
    pub fake_gzip: bool,
    /// Bit 2: a small `max_doc_bytes` (64), so that the size checks trigger.
    pub small_limit: bool,
    /// Bit 3: `html_field = "text"`: the text field holds a web page (JSONL, CSV).
    pub html_field: bool,
    /// Bit 4: a target-specific variant (CSV: read as TSV).
    pub alt: bool,
}

impl Mode {
    /// Splits a fuzz input into its mode byte and the file's bytes.
    pub fn split(data: &[u8]) -> (Mode, &[u8]) {
        let (flags, rest) = match data.split_first() {
            Some((&f, rest)) => (f, rest),
            None => (0, data),
        };
        let mode = Mode {
            gzip: flags & 1 != 0,
            fake_gzip: flags & 2 != 0 && flags & 1 == 0,
            small_limit: flags & 4 != 0,
            html_field: flags & 8 != 0,
            alt: flags & 16 != 0,
        };
        (mode, rest)
    }

    /// The reader options of this mode.
    pub fn options(&self) -> IngestOptions {
        IngestOptions {
            max_doc_bytes: if self.small_limit {
                64
            } else {
                IngestOptions::default().max_doc_bytes
            },
            html_field: self.html_field.then(|| "text".to_owned()),
            ..IngestOptions::default()
        }
    }
}

/// The most items a reader may yield for a file: `max` (counted on the bytes written), or no
/// real bound when the file is named `.gz` without being compressed here (if the fuzzer makes
/// it a valid gzip stream, its content is not the bytes counted).
pub fn bound(mode: Mode, max: usize) -> usize {
    if mode.fake_gzip {
        1 << 24
    } else {
        max
    }
}

/// A directory of this process for the input files (created once).
fn scratch_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("retold-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create the scratch directory");
        dir
    })
}

/// Writes `content` to a scratch file with extension `ext` (plus `.gz` per `mode`) and reads
/// it with a [`Reader`]. Returns the path and every item, after checking that the reader
/// stops (at most `max_items` items) and the invariants every reader keeps:
///
/// - every error names the file: [`IngestError::path`] is the file and the message is one
///   line that starts with it;
/// - an error that ends the file (not a record error) is the last item;
/// - the documents' ids are unique (a second one is a `DuplicateId` error), and the ranges
///   marked as page chrome are sorted, non-empty, non-overlapping code point ranges of the
///   text.
pub fn read_checked(
    content: &[u8],
    ext: &str,
    mode: Mode,
    max_items: usize,
) -> (PathBuf, Vec<Result<Document, IngestError>>) {
    let name = if mode.gzip || mode.fake_gzip {
        format!("input.{ext}.gz")
    } else {
        format!("input.{ext}")
    };
    let path = scratch_dir().join(name);
    let bytes = if mode.gzip {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(content).expect("gzip in memory");
        gz.finish().expect("gzip in memory")
    } else {
        content.to_vec()
    };
    std::fs::write(&path, &bytes).expect("write the scratch file");

    let reader = Reader::open(std::slice::from_ref(&path), mode.options())
        .expect("opening an existing file succeeds");
    let items: Vec<_> = reader.take(max_items + 1).collect();
    assert!(
        items.len() <= max_items,
        "the reader yielded more than {max_items} items for {} bytes",
        content.len()
    );

    let shown = path.display().to_string();
    let mut ids = std::collections::HashSet::new();
    for (i, item) in items.iter().enumerate() {
        match item {
            Ok(doc) => {
                assert_eq!(doc.origin.path, path, "document origin names another file");
                assert!(ids.insert(doc.id.clone()), "id {:?} yielded twice", doc.id);
                check_char_ranges(&doc.marked, doc.text.chars().count(), "marked");
            }
            Err(e) => {
                assert_eq!(e.path(), path, "error names another file: {e}");
                let msg = e.to_string();
                assert!(
                    msg.starts_with(&shown),
                    "error message does not start with the file: {msg:?}"
                );
                assert!(
                    !msg.contains(['\n', '\r']),
                    "error message is not one line: {msg:?}"
                );
                if !e.is_record_error() {
                    assert_eq!(
                        i + 1,
                        items.len(),
                        "items after an error that ends the file: {e}"
                    );
                }
            }
        }
    }
    (path, items)
}

/// The 1-based line an error points at, if it names one.
pub fn error_line(e: &IngestError) -> Option<u64> {
    match e {
        IngestError::Io { line, .. }
        | IngestError::InvalidUtf8 { line, .. }
        | IngestError::Csv { line, .. } => *line,
        IngestError::Json { line, .. } => Some(*line),
        IngestError::MissingField { origin, .. }
        | IngestError::InvalidField { origin, .. }
        | IngestError::DocTooLarge { origin, .. }
        | IngestError::Page { origin, .. } => origin.line,
        IngestError::DuplicateId { second, .. } => second.line,
        _ => None,
    }
}

/// Number of lines of `content` as the readers count them (a last line without `\n` counts).
pub fn line_count(content: &[u8]) -> u64 {
    content.iter().filter(|&&b| b == b'\n').count() as u64 + 1
}

/// Byte offset where 1-based line `line` of `content` starts.
pub fn line_start(content: &[u8], line: u64) -> usize {
    if line <= 1 {
        return 0;
    }
    content
        .iter()
        .enumerate()
        .filter(|(_, &b)| b == b'\n')
        .nth(line as usize - 2)
        .map_or(content.len(), |(i, _)| i + 1)
}

/// Checks that an error of a line-based reader (JSONL, CSV) names a line of the file when it
/// concerns a record, and that any line it names exists; the message then starts with
/// `path:line`.
pub fn check_error_line(e: &IngestError, path: &Path, lines: u64) {
    let line = error_line(e);
    if e.is_record_error() {
        assert!(line.is_some(), "record error without a line: {e}");
    }
    if let Some(line) = line {
        assert!(
            (1..=lines).contains(&line),
            "error at line {line} of a file of {lines} lines: {e}"
        );
        let prefix = format!("{}:{line}", path.display());
        assert!(
            e.to_string().starts_with(&prefix),
            "message does not start with {prefix:?}: {e}"
        );
    }
}

/// Sorted, non-empty, non-overlapping `[start, end)` ranges inside `0..len`.
pub fn check_char_ranges(ranges: &[[usize; 2]], len: usize, what: &str) {
    let mut last = 0;
    for &[s, e] in ranges {
        assert!(
            last <= s && s < e && e <= len,
            "{what}: bad range [{s}, {e}) after {last} (length {len}): {ranges:?}"
        );
        last = e;
    }
}

/// Byte ranges of `text`: inside it, on char boundaries, `start <= end`, sorted and
/// non-overlapping (each starts at or after the end of the one before).
pub fn check_byte_ranges(text: &str, ranges: &[Range<usize>], what: &str) {
    let mut last = 0;
    for r in ranges {
        assert!(
            last <= r.start && r.start <= r.end && r.end <= text.len(),
            "{what}: bad range {r:?} after {last} (length {}): {ranges:?}",
            text.len()
        );
        assert!(
            text.is_char_boundary(r.start) && text.is_char_boundary(r.end),
            "{what}: range {r:?} not on char boundaries"
        );
        last = r.end;
    }
}
