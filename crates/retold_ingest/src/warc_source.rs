//! WARC archives (`.warc`, `.warc.gz`): every `response` record whose HTTP payload is HTML
//! becomes a page document (see [`crate::page`]). Other records (requests, metadata,
//! revisits, non-HTML responses) are passed over.
//!
//! Records are framed here (headers up to a blank line, `Content-Length` bytes of body, then
//! `\r\n\r\n`, as the `warc` crate's reader does) and parsed and checked with the `warc` crate:
//! its own reader overflows on a `Content-Length` near `usize::MAX`, and its
//! `Record::header` panics on a header value that is not UTF-8.

use std::collections::HashMap;
use std::io::BufRead;
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

/// One record: its checked headers, the raw target URI and the body.
struct WarcRecord {
    record: Record<EmptyBody>,
    target_uri: Option<Vec<u8>>,
    body: Vec<u8>,
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
        loop {
            let record = match next_record(&mut self.stream) {
                Ok(None) => return Step::End,
                Ok(Some(r)) => r,
                Err(e) => {
                    return Step::Fatal(IngestError::Warc {
                        path: self.path.clone(),
                        records: self.read,
                        message: e.to_string(),
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
        Some(match page_document(base, body, meta, opts) {
            Ok(doc) => Step::Doc(doc),
            Err(e) => Step::Record(e),
        })
    }
}

/// Reads the next record: `Ok(None)` at the end of the input (as with the `warc` crate, also
/// when it ends inside a record's headers).
fn next_record(stream: &mut ByteStream) -> Result<Option<WarcRecord>, warc::Error> {
    let mut head = Vec::new();
    loop {
        let n = stream
            .read_until(b'\n', &mut head)
            .map_err(warc::Error::ReadData)?;
        if n == 0 {
            return Ok(None);
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
            ))
        }
    };
    // The body, then "\r\n\r\n" (the last line read must be a bare "\r\n").
    let expected = len.checked_add(4).ok_or_else(|| {
        warc::Error::MalformedHeader(WarcHeader::ContentLength, "too large".to_owned())
    })?;
    let mut body = Vec::new();
    loop {
        let n = stream
            .read_until(b'\n', &mut body)
            .map_err(warc::Error::ReadData)?;
        if n == 0 {
            return Err(warc::Error::UnexpectedEOB);
        }
        if body.len() > expected {
            return Err(warc::Error::ReadOverflow);
        }
        if n == 2 && body.len() == expected {
            break;
        }
    }
    body.truncate(len);
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
        record: Record::<EmptyBody>::try_from(raw)?,
        target_uri,
        body,
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
