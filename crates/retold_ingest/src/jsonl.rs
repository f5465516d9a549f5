//! JSON Lines: one object per line, read line by line as bytes.

use std::fmt;
use std::io::{BufRead, ErrorKind};
use std::path::{Path, PathBuf};

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::document::{Document, Origin};
use crate::error::IngestError;
use crate::input::{open_stream, ByteStream};
use crate::options::{is_gzip, IngestOptions, DEFAULT_MAX_DOC_BYTES};
use crate::reader::{Step, OPTIONAL_FIELDS};

/// The longest line read into memory for a document of at most `max_doc_bytes`
/// bytes of text: JSON escapes take up to 6 bytes per text byte (`\u0001`), plus
/// room for the other fields. A longer line is skipped without being buffered.
pub(crate) fn line_cap(max_doc_bytes: usize) -> usize {
    max_doc_bytes.saturating_mul(6).saturating_add(1 << 20)
}

/// Reads a byte stream line by line with line numbers, skipping blank lines,
/// checking UTF-8 per line, and never buffering more than `cap` bytes of a line.
pub(crate) struct LineReader {
    path: PathBuf,
    inner: ByteStream,
    buf: Vec<u8>,
    cap: usize,
    limit: usize,
    /// Number of the last line read (1-based).
    line: u64,
    /// Byte offset of the start of the next line.
    offset: u64,
}

impl LineReader {
    pub(crate) fn new(path: PathBuf, inner: ByteStream, cap: usize, limit: usize) -> Self {
        LineReader {
            path,
            inner,
            buf: Vec::new(),
            cap,
            limit,
            line: 0,
            offset: 0,
        }
    }

    /// Reads one raw line (with its terminator) into `buf`, keeping at most `cap`
    /// bytes. Returns the line's full length, or `None` at end of input.
    fn read_raw(&mut self) -> std::io::Result<Option<u64>> {
        self.buf.clear();
        // Do not keep a huge buffer around after one huge line.
        self.buf.shrink_to(1 << 22);
        let mut total: u64 = 0;
        loop {
            let available = match self.inner.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                return Ok(if total == 0 { None } else { Some(total) });
            }
            let (take, done) = match available.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (available.len(), false),
            };
            let room = self.cap.saturating_sub(self.buf.len());
            self.buf.extend_from_slice(&available[..take.min(room)]);
            total += take as u64;
            self.inner.consume(take);
            if done {
                return Ok(Some(total));
            }
        }
    }

    /// The next non-blank line, as `(line number, text without terminator)`.
    /// Errors: I/O (fatal for the file), invalid UTF-8 and over-long lines (the
    /// line is skipped; the next call reads the following line).
    pub(crate) fn next_line(&mut self) -> Result<Option<(u64, &str)>, IngestError> {
        let (start, lo, hi) = loop {
            let start = self.offset;
            let next_line = self.line + 1;
            let total = match self.read_raw() {
                Ok(Some(total)) => total,
                Ok(None) => return Ok(None),
                Err(e) => return Err(IngestError::io(&self.path, Some(next_line), e)),
            };
            self.line = next_line;
            self.offset += total;
            if total > self.cap as u64 {
                return Err(IngestError::DocTooLarge {
                    origin: Origin::at_line(&self.path, self.line),
                    bytes: total,
                    limit: self.limit,
                });
            }
            let buf = &self.buf;
            let mut hi = buf.len();
            if buf[..hi].ends_with(b"\n") {
                hi -= 1;
            }
            if buf[..hi].ends_with(b"\r") {
                hi -= 1;
            }
            let lo = if self.line == 1 && buf[..hi].starts_with(b"\xEF\xBB\xBF") {
                3
            } else {
                0
            };
            if !buf[lo..hi].iter().all(|b| b.is_ascii_whitespace()) {
                break (start, lo, hi);
            }
        };
        match std::str::from_utf8(&self.buf[lo..hi]) {
            Ok(text) => Ok(Some((self.line, text))),
            Err(e) => Err(IngestError::InvalidUtf8 {
                path: self.path.clone(),
                line: Some(self.line),
                offset: start + (lo + e.valid_up_to()) as u64,
            }),
        }
    }
}

/// Turns a serde_json error on one line into a message with the column only (the
/// line is the file's line, given separately).
fn json_message(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    match full.strip_suffix(&suffix) {
        Some(message) if e.line() > 0 => format!("{message} at column {}", e.column()),
        _ => full,
    }
}

/// A JSON value reduced to what the reader needs to know about it.
#[derive(Debug, Clone)]
enum Scalar {
    Str(String),
    /// An integer, already as its decimal string.
    Int(String),
    Null,
    /// Any other type, by name (for messages).
    Other(&'static str),
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar::Str(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar, E> {
        Ok(Scalar::Str(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar::Int(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
        Ok(Scalar::Int(v.to_string()))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Scalar, E> {
        Ok(Scalar::Int(v.to_string()))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Scalar, E> {
        Ok(Scalar::Int(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Scalar, E> {
        Ok(Scalar::Other("a non-integer number"))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Scalar, E> {
        Ok(Scalar::Other("a boolean"))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar::Null)
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Scalar, D::Error> {
        Scalar::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar::Other("an array"))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar::Other("an object"))
    }
}

/// The fields of one JSONL record that the reader uses; the rest is skipped
/// without being kept.
#[derive(Debug, Default)]
struct RawRecord {
    id: Option<Scalar>,
    text: Option<Scalar>,
    optional: [Option<String>; 5],
}

enum Parsed {
    Object(RawRecord),
    NotObject(&'static str),
}

/// What a key is used for (a key can serve more than one role if the configured
/// names overlap, e.g. `id_field = "url"`).
#[derive(Default)]
struct Roles {
    id: bool,
    text: bool,
    optional: Option<usize>,
}

#[derive(Clone, Copy)]
struct KeySeed<'o> {
    id_field: &'o str,
    text_field: &'o str,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Roles;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Roles, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Roles;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Roles, E> {
        Ok(Roles {
            id: v == self.id_field,
            text: v == self.text_field,
            optional: OPTIONAL_FIELDS.iter().position(|f| *f == v),
        })
    }
}

#[derive(Clone, Copy)]
struct RecordSeed<'o>(KeySeed<'o>);

impl<'de> DeserializeSeed<'de> for RecordSeed<'_> {
    type Value = Parsed;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Parsed, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RecordSeed<'_> {
    type Value = Parsed;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Parsed, A::Error> {
        let mut rec = RawRecord::default();
        while let Some(roles) = map.next_key_seed(self.0)? {
            if !roles.id && !roles.text && roles.optional.is_none() {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let value: Scalar = map.next_value()?;
            if let (Some(i), Scalar::Str(s)) = (roles.optional, &value) {
                rec.optional[i] = Some(s.clone());
            } else if let Some(i) = roles.optional {
                // Not a string (null, number, ...): ignored. A later duplicate key
                // wins, as with serde_json's own maps.
                rec.optional[i] = None;
            }
            match (roles.id, roles.text) {
                (true, true) => {
                    rec.id = Some(value.clone());
                    rec.text = Some(value);
                }
                (true, false) => rec.id = Some(value),
                (false, true) => rec.text = Some(value),
                (false, false) => {}
            }
        }
        Ok(Parsed::Object(rec))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Parsed, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Parsed::NotObject("an array"))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Parsed, E> {
        Ok(Parsed::NotObject("a string"))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Parsed, E> {
        Ok(Parsed::NotObject("a number"))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Parsed, E> {
        Ok(Parsed::NotObject("a number"))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Parsed, E> {
        Ok(Parsed::NotObject("a number"))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Parsed, E> {
        Ok(Parsed::NotObject("a boolean"))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Parsed, E> {
        Ok(Parsed::NotObject("null"))
    }
}

/// Parses one line into a document.
fn parse_record(
    path: &Path,
    line: u64,
    text: &str,
    opts: &IngestOptions,
) -> Result<Document, IngestError> {
    let json_err = |e: serde_json::Error| IngestError::Json {
        path: path.to_path_buf(),
        line,
        message: json_message(&e),
    };
    let seed = RecordSeed(KeySeed {
        id_field: &opts.id_field,
        text_field: opts.text_column(),
    });
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = seed.deserialize(&mut de).map_err(json_err)?;
    de.end().map_err(json_err)?;
    let rec = match parsed {
        Parsed::Object(rec) => rec,
        Parsed::NotObject(kind) => {
            return Err(IngestError::Json {
                path: path.to_path_buf(),
                line,
                message: format!("expected a JSON object, found {kind}"),
            })
        }
    };
    let origin = || Origin::at_line(path, line);
    let id = match rec.id {
        Some(Scalar::Str(s)) | Some(Scalar::Int(s)) => s,
        None | Some(Scalar::Null) => {
            return Err(IngestError::MissingField {
                origin: origin(),
                field: opts.id_field.clone(),
            })
        }
        Some(Scalar::Other(kind)) => {
            return Err(IngestError::InvalidField {
                origin: origin(),
                field: opts.id_field.clone(),
                expected: "a string or an integer",
                found: kind,
            })
        }
    };
    let text = match rec.text {
        Some(Scalar::Str(s)) => s,
        None | Some(Scalar::Null) => {
            return Err(IngestError::MissingField {
                origin: origin(),
                field: opts.text_column().to_owned(),
            })
        }
        Some(Scalar::Int(_)) => {
            return Err(IngestError::InvalidField {
                origin: origin(),
                field: opts.text_column().to_owned(),
                expected: "a string",
                found: "an integer",
            })
        }
        Some(Scalar::Other(kind)) => {
            return Err(IngestError::InvalidField {
                origin: origin(),
                field: opts.text_column().to_owned(),
                expected: "a string",
                found: kind,
            })
        }
    };
    let [lang, date, source, url, title] = rec.optional;
    Ok(Document {
        id,
        text,
        lang,
        date,
        source,
        url,
        title,
        origin: origin(),
        marked: Vec::new(),
        warnings: Vec::new(),
    })
}

/// A JSONL file being read.
pub(crate) struct JsonlSource {
    lines: LineReader,
    path: PathBuf,
    seen_content: bool,
}

impl JsonlSource {
    pub(crate) fn open(path: &Path, gzip: bool, opts: &IngestOptions) -> Result<Self, IngestError> {
        let stream = open_stream(path, gzip)?;
        Ok(JsonlSource {
            lines: LineReader::new(
                path.to_path_buf(),
                stream,
                line_cap(opts.max_doc_bytes),
                opts.max_doc_bytes,
            ),
            path: path.to_path_buf(),
            seen_content: false,
        })
    }

    pub(crate) fn next_step(&mut self, opts: &IngestOptions) -> Step {
        let (line, text) = match self.lines.next_line() {
            Ok(Some(l)) => l,
            Ok(None) => return Step::End,
            Err(e) if e.is_record_error() => {
                self.seen_content = true;
                return Step::Record(e);
            }
            Err(e) => return Step::Fatal(e),
        };
        if !self.seen_content {
            self.seen_content = true;
            if text.trim_start().starts_with('[') {
                return Step::Fatal(IngestError::NotJsonLines {
                    path: self.path.clone(),
                });
            }
        }
        match parse_record(&self.path, line, text, opts) {
            Ok(doc) => Step::Doc(doc),
            Err(e) => Step::Record(e),
        }
    }
}

/// Reads a whole JSON Lines file of arbitrary JSON values (one per non-blank line),
/// with their 1-based line numbers. Meant for small files such as gold labels; a
/// `.gz` suffix means gzip. Stops at the first error, with the same messages as
/// the document reader (`gold.jsonl:17: malformed JSON: ...`).
pub fn read_jsonl_values(
    path: impl AsRef<Path>,
) -> Result<Vec<(u64, serde_json::Value)>, IngestError> {
    let path = path.as_ref();
    let stream = open_stream(path, is_gzip(path))?;
    let mut lines = LineReader::new(
        path.to_path_buf(),
        stream,
        line_cap(DEFAULT_MAX_DOC_BYTES),
        DEFAULT_MAX_DOC_BYTES,
    );
    let mut out = Vec::new();
    while let Some((line, text)) = lines.next_line()? {
        match serde_json::from_str(text) {
            Ok(value) => out.push((line, value)),
            Err(_) if out.is_empty() && text.trim() == "[" => {
                return Err(IngestError::NotJsonLines {
                    path: path.to_path_buf(),
                })
            }
            Err(e) => {
                return Err(IngestError::Json {
                    path: path.to_path_buf(),
                    line,
                    message: json_message(&e),
                })
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(input: &'static [u8], cap: usize) -> LineReader {
        LineReader::new(PathBuf::from("t.jsonl"), Box::new(input), cap, cap)
    }

    #[test]
    fn lines_are_numbered_blank_lines_skipped_terminators_stripped() {
        let mut r = reader(b"a\r\n\n \t\nb\nc", 100);
        assert_eq!(r.next_line().unwrap(), Some((1, "a")));
        assert_eq!(r.next_line().unwrap(), Some((4, "b")));
        assert_eq!(r.next_line().unwrap(), Some((5, "c")));
        assert_eq!(r.next_line().unwrap(), None);
        assert_eq!(r.next_line().unwrap(), None);
    }

    #[test]
    fn line_cap_counts_the_whole_line_and_reading_resumes() {
        // Cap 4: "abcd" plus its newline is 5 bytes, over the cap.
        let mut r = reader(b"abc\nabcd\nxy\n", 4);
        assert_eq!(r.next_line().unwrap(), Some((1, "abc")));
        match r.next_line() {
            Err(IngestError::DocTooLarge {
                origin, bytes: 5, ..
            }) => {
                assert_eq!(origin.line, Some(2))
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(r.next_line().unwrap(), Some((3, "xy")));
    }

    #[test]
    fn json_message_keeps_the_column_only() {
        let e = serde_json::from_str::<serde_json::Value>("{\"a\": }").unwrap_err();
        assert_eq!(json_message(&e), "expected value at column 7");
        let e = serde_json::from_str::<serde_json::Value>("{\"a\": 1").unwrap_err();
        assert_eq!(json_message(&e), "EOF while parsing an object at column 7");
    }

    #[test]
    fn line_cap_allows_fully_escaped_text() {
        assert!(line_cap(10) >= 60);
        assert_eq!(line_cap(usize::MAX), usize::MAX);
    }
}
