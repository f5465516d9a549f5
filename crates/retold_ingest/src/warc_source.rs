//! WARC archives (`.warc`, `.warc.gz`): every `response` record whose HTTP payload is HTML
//! becomes a page document (see [`crate::page`]). Other records (requests, metadata,
//! revisits, non-HTML responses) are passed over.

use std::path::PathBuf;

use warc::{BufferedBody, Record, RecordType, WarcHeader, WarcReader};

use crate::document::{Document, Origin};
use crate::error::IngestError;
use crate::input::{open_stream, ByteStream, PlannedFile};
use crate::options::IngestOptions;
use crate::page::{page_document, PageMeta};
use crate::reader::Step;

/// A WARC file being read.
pub(crate) struct WarcSource {
    path: PathBuf,
    records: warc::RecordIter<ByteStream>,
    /// Records read so far (all types).
    read: u64,
}

impl WarcSource {
    pub(crate) fn open(file: &PlannedFile) -> Result<WarcSource, IngestError> {
        let stream = open_stream(&file.path, file.gzip)?;
        Ok(WarcSource {
            path: file.path.clone(),
            records: WarcReader::new(stream).iter_records(),
            read: 0,
        })
    }

    pub(crate) fn next_step(&mut self, opts: &IngestOptions) -> Step {
        loop {
            let record = match self.records.next() {
                None => return Step::End,
                Some(Ok(r)) => r,
                Some(Err(e)) => {
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
    fn page(
        &self,
        record: &Record<BufferedBody>,
        index: u64,
        opts: &IngestOptions,
    ) -> Option<Step> {
        if *record.warc_type() != RecordType::Response {
            return None;
        }
        let (head, body) = split_http(record.body())?;
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
        let url = record.header(WarcHeader::TargetURI).map(|u| u.into_owned());
        let id = url
            .clone()
            .or_else(|| record.header(WarcHeader::RecordID).map(|u| u.into_owned()))
            .unwrap_or_else(|| format!("{}#{index}", self.path.display()));
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
