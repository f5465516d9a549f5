//! Whole-file documents: plain text (`.txt`, `.md`) read as is, web pages (`.html`, `.htm`)
//! through main-text extraction. One file, one document.

use std::io::{self, Read};

use crate::document::{Document, Origin};
use crate::error::IngestError;
use crate::input::{open_stream, PlannedFile};
use crate::options::{Format, IngestOptions};
use crate::reader::Step;

/// Reads a whole text file as one document, refusing (without reading it all) a
/// file over the size limit.
pub(crate) fn read_text_file(file: &PlannedFile, opts: &IngestOptions) -> Step {
    let path = &file.path;
    let limit = opts.max_doc_bytes;
    let too_large = |bytes: u64| {
        Step::Record(IngestError::DocTooLarge {
            origin: Origin::file(path),
            bytes,
            limit,
        })
    };
    if !file.gzip {
        match std::fs::metadata(path) {
            Ok(meta) if meta.len() > limit as u64 => return too_large(meta.len()),
            Ok(_) => {}
            Err(e) => return Step::Fatal(IngestError::io(path, None, e)),
        }
    }
    let mut stream = match open_stream(path, file.gzip) {
        Ok(s) => s,
        Err(e) => return Step::Fatal(e),
    };
    let mut bytes = Vec::new();
    let read = (&mut stream).take(limit as u64 + 1).read_to_end(&mut bytes);
    if let Err(e) = read {
        return Step::Fatal(IngestError::io(path, None, e));
    }
    if bytes.len() > limit {
        // Count the rest without keeping it, to report the real size; but only up to as much
        // again (at least 64 MiB), so that a gzip bomb is not decompressed to its end.
        let budget = limit.max(64 << 20) as u64;
        return match io::copy(&mut (&mut stream).take(budget + 1), &mut io::sink()) {
            Ok(rest) if rest > budget => Step::Record(IngestError::TooLargeToRead {
                origin: Origin::file(path),
                read: bytes.len() as u64 + rest,
                limit,
            }),
            Ok(rest) => too_large(bytes.len() as u64 + rest),
            Err(e) => Step::Fatal(IngestError::io(path, None, e)),
        };
    }
    if file.format == Format::Html {
        let base = Document::new(file.text_id.clone(), "", Origin::file(path));
        return match crate::page::page_document(base, &bytes, Default::default(), opts) {
            Ok(doc) => Step::Doc(doc),
            Err(e) => Step::Record(e),
        };
    }
    match String::from_utf8(bytes) {
        Ok(text) => Step::Doc(Document::new(
            file.text_id.clone(),
            text,
            Origin::file(path),
        )),
        Err(e) => Step::Record(IngestError::InvalidUtf8 {
            path: path.clone(),
            line: None,
            offset: e.utf8_error().valid_up_to() as u64,
        }),
    }
}
