//! WARC archives (`.warc`, `.warc.gz`): every `response` record whose HTTP payload is HTML
//! becomes a page document (see [`crate::page`]). Other records (requests, metadata,
//! revisits, non-HTML responses) are passed over.
//!
//! Records are framed here (headers up to a blank line, `Content-Length` bytes of body, then
//! `\r\n\r\n`) and parsed and checked with the `warc` crate: its own reader overflows on a
//! `Content-Length` near `usize::MAX`, and its `Record::header` panics on a header value that
//! is not UTF-8. Memory stays bounded: headers up to 1 MiB, a body over the size limit is
//! passed over (an HTML response that large is a record error). A file cut inside a record's
//! headers or body is an error naming the records read before it. HTTP bodies in chunked
//! transfer encoding are decoded.

use std::collections::HashMap;
use std::io::{BufRead, Read};
use std::path::PathBuf;

use warc::{EmptyBody, RawRecordHeader, Record, RecordType, WarcHeader};

use crate::document::{Document, Origin};
use crate::error::IngestError;
use crate::input::{open_stream, ByteStream, PlannedFile};
use crate::options::IngestOptions;
use crate::page::{page_document, PageMeta};
use crate::reader::Step;

/// A WARC file being read.
pub(crate) struct WarcSource {
    path: PathBuf,
    stream: ByteStream,
    /// Records read so far (all types).
    read: u64,
}

/// Longest header block of one record.
const MAX_HEAD: usize = 1 << 20;

/// How much of a record too large to read is kept, to learn from its HTTP head whether it is
/// a page (a large video is passed over; a large page is an error).
const PEEK: usize = 64 << 10;

/// One record: its checked headers, the raw target URI and the body.
struct WarcRecord {
    record: Record<EmptyBody>,
    target_uri: Option<Vec<u8>>,
    body: Vec<u8>,
    /// The body's length when it was over the size limit (`body` then holds its start only).
    too_large: Option<u64>,
}

impl WarcSource {
    pub(crate) fn open(file: &PlannedFile) -> Result<WarcSource, IngestError> {
        let stream = open_stream(&file.path, file.gzip)?;
        Ok(WarcSource {
            path: file.path.clone(),
            stream,
            read: 0,
        })
    }

    pub(crate) fn next_step(&mut self, opts: &IngestOptions) -> Step {
        // A record's payload is the HTTP head and the page (perhaps compressed).
        let cap = opts.max_doc_bytes.saturating_add(1 << 20);
        loop {
            let record = match next_record(&mut self.stream, cap) {
                Ok(None) => return Step::End,
                Ok(Some(r)) => r,
                Err(message) => {
                    return Step::Fatal(IngestError::Warc {
                        path: self.path.clone(),
                        records: self.read,
                        message,
                    })
                }
            };
            let index = self.read;
            self.read += 1;
            if let Some(step) = self.page(&record, index, opts) {
                return step;
            }
        }
    }

    /// The step for one record, or `None` when the record is not an HTML response.
    fn page(&self, warc: &WarcRecord, index: u64, opts: &IngestOptions) -> Option<Step> {
        let record = &warc.record;
        if *record.warc_type() != RecordType::Response {
            return None;
        }
        let (head, body) = split_http(&warc.body)?;
        let content_type = header(head, "content-type");
        if let Some(ct) = content_type.as_deref() {
            let ct = ct.to_ascii_lowercase();
            if !(ct.contains("html") || ct.starts_with("text/plain")) {
                return None;
            }
        }
        let status = head.split(|&b| b == b'\n').next().unwrap_or_default();
        let ok = std::str::from_utf8(status)
            .ok()
            .and_then(|s| s.split_whitespace().nth(1))
            .is_some_and(|code| code.starts_with('2'));
        if !ok {
            return None;
        }
        if let Some(bytes) = warc.too_large {
            return Some(Step::Record(IngestError::DocTooLarge {
                origin: Origin::at_row(&self.path, index),
                bytes,
                limit: opts.max_doc_bytes,
            }));
        }
        // A body sent with chunked transfer encoding is stored as sent: decode it.
        let chunked = header(head, "transfer-encoding")
            .is_some_and(|te| te.to_ascii_lowercase().contains("chunked"));
        let (body, broken_chunks) = if chunked {
            let (decoded, whole) = dechunk(body);
            (std::borrow::Cow::Owned(decoded), !whole)
        } else {
            (std::borrow::Cow::Borrowed(body), false)
        };
        let url = warc
            .target_uri
            .as_deref()
            .map(|u| String::from_utf8_lossy(u).into_owned());
        let id = url.clone().unwrap_or_else(|| record.warc_id().to_owned());
        let date = record.date().format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let base = Document::new(id, "", Origin::at_row(&self.path, index));
        let meta = PageMeta {
            content_type: content_type.as_deref(),
            url: url.as_deref(),
            date: Some(&date),
        };
        Some(match page_document(base, &body, meta, opts) {
            Ok(mut doc) => {
                if broken_chunks {
                    doc.warnings.push(
                        "chunked transfer encoding cut short or malformed; the page is read up to there"
                            .to_owned(),
                    );
                }
                Step::Doc(doc)
            }
            Err(e) => Step::Record(e),
        })
    }
}

/// Decodes an HTTP/1.1 body in chunked transfer encoding (hex size line, data, CRLF, ...,
/// a zero-size chunk; extensions and trailers ignored). The flag is false when the encoding is
/// broken or cut short; the data decoded up to there is returned all the same.
fn dechunk(mut data: &[u8]) -> (Vec<u8>, bool) {
    let mut out = Vec::with_capacity(data.len());
    loop {
        let Some(nl) = data.iter().position(|&b| b == b'\n') else {
            return (out, false);
        };
        let line = String::from_utf8_lossy(&data[..nl]);
        let size = line.split(';').next().unwrap_or_default().trim();
        let Ok(size) = usize::from_str_radix(size, 16) else {
            return (out, false);
        };
        data = &data[nl + 1..];
        if size == 0 {
            return (out, true);
        }
        if data.len() < size {
            out.extend_from_slice(data);
            return (out, false);
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size..];
        if let Some(rest) = data.strip_prefix(b"\r\n") {
            data = rest;
        } else if let Some(rest) = data.strip_prefix(b"\n") {
            data = rest;
        } else {
            return (out, false);
        }
    }
}

/// Reads the next record: `Ok(None)` at the end of the input, `Err` with a message when the
/// input is not WARC from here on or ends inside a record. A body over `cap` bytes is passed
/// over (only its first [`PEEK`] bytes kept), so memory stays bounded.
fn next_record(stream: &mut ByteStream, cap: usize) -> Result<Option<WarcRecord>, String> {
    let mut head = Vec::new();
    loop {
        let room = (MAX_HEAD + 1).saturating_sub(head.len()) as u64;
        let n = (&mut *stream)
            .take(room)
            .read_until(b'\n', &mut head)
            .map_err(|e| warc::Error::ReadData(e).to_string())?;
        if n == 0 {
            if head.iter().all(u8::is_ascii_whitespace) {
                return Ok(None);
            }
            return Err("the file ends inside a record's headers (cut short?)".to_owned());
        }
        if head.len() > MAX_HEAD {
            return Err(format!("record headers longer than {MAX_HEAD} bytes"));
        }
        if n == 2 && head.ends_with(b"\r\n") {
            break;
        }
    }
    let (version, fields, len) = match warc::parser::headers(&head) {
        Ok((_, parsed)) => parsed,
        Err(e) => {
            return Err(warc::Error::ParseHeaders(
                e.map(|inner| (inner.input.to_owned(), inner.code)),
            )
            .to_string())
        }
    };
    // The body, then "\r\n\r\n".
    let cut = |got: u64| {
        format!("the file ends inside a record's body ({got} of {len} bytes; cut short?)")
    };
    let (body, too_large) = if len <= cap {
        let mut body = Vec::new();
        let got = (&mut *stream)
            .take(len as u64)
            .read_to_end(&mut body)
            .map_err(|e| warc::Error::ReadData(e).to_string())?;
        if got < len {
            return Err(cut(got as u64));
        }
        (body, None)
    } else {
        let mut body = Vec::new();
        (&mut *stream)
            .take(PEEK as u64)
            .read_to_end(&mut body)
            .map_err(|e| warc::Error::ReadData(e).to_string())?;
        let rest = (len - body.len()) as u64;
        let skipped = std::io::copy(&mut (&mut *stream).take(rest), &mut std::io::sink())
            .map_err(|e| warc::Error::ReadData(e).to_string())?;
        if skipped < rest {
            return Err(cut(body.len() as u64 + skipped));
        }
        (body, Some(len as u64))
    };
    let mut end = Vec::with_capacity(4);
    (&mut *stream)
        .take(4)
        .read_to_end(&mut end)
        .map_err(|e| warc::Error::ReadData(e).to_string())?;
    if end != b"\r\n\r\n" {
        return Err(if end.len() < 4 {
            "the file ends after a record's body, without the blank lines that close it (cut short?)"
                .to_owned()
        } else {
            "a record's body is not followed by the blank lines that close it (wrong Content-Length?)"
                .to_owned()
        });
    }
    let headers: HashMap<WarcHeader, Vec<u8>> = fields
        .into_iter()
        .map(|(name, value)| (WarcHeader::from(name), value.to_owned()))
        .collect();
    let target_uri = headers.get(&WarcHeader::TargetURI).cloned();
    let raw = RawRecordHeader {
        version: version.to_owned(),
        headers,
    };
    Ok(Some(WarcRecord {
        record: Record::<EmptyBody>::try_from(raw).map_err(|e| e.to_string())?,
        target_uri,
        body,
        too_large,
    }))
}

/// Splits an HTTP response into its head (status line and headers) and its body. `None`
/// when the payload is not an HTTP response.
fn split_http(payload: &[u8]) -> Option<(&[u8], &[u8])> {
    if !payload.starts_with(b"HTTP/") {
        return None;
    }
    let end = payload
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| (p, p + 4))
        .or_else(|| {
            payload
                .windows(2)
                .position(|w| w == b"\n\n")
                .map(|p| (p, p + 2))
        })?;
    Some((&payload[..end.0], &payload[end.1..]))
}

/// The value of an HTTP header (case-insensitive name), trimmed.
fn header(head: &[u8], name: &str) -> Option<String> {
    head.split(|&b| b == b'\n').skip(1).find_map(|line| {
        let line = String::from_utf8_lossy(line);
        let (k, v) = line.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_heads_are_split_and_read() {
        let p = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=ISO-8859-1\r\nX: y\r\n\r\n<html>hi</html>";
        let (head, body) = split_http(p).unwrap();
        assert_eq!(body, b"<html>hi</html>");
        assert_eq!(
            header(head, "content-type").as_deref(),
            Some("text/html; charset=ISO-8859-1")
        );
        assert_eq!(header(head, "missing"), None);
        assert!(split_http(b"<html>not http</html>").is_none());
    }
}
