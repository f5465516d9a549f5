//! The WARC reader over arbitrary bytes.
//!
//! Invariants: no panic; the reader stops; every error names the file (message starts with
//! it, one line) and an error that ends the file is the last item; a record error names its
//! record (`path row N`); ids are unique and the marked chrome ranges are sorted code point
//! ranges of the text; records are numbered in order.
#![no_main]

use libfuzzer_sys::fuzz_target;
use retold_fuzz::{bound, read_checked, Mode};
use retold_ingest::IngestError;

fuzz_target!(|data: &[u8]| {
    let (mode, content) = Mode::split(data);
    // A record takes at least a version line, one header line and a blank line.
    let max_items = content.len() / 8 + 2;
    let (_, items) = read_checked(content, "warc", mode, bound(mode, max_items));
    let mut last_row = None;
    for item in &items {
        let origin = match item {
            Ok(doc) => &doc.origin,
            Err(IngestError::Page { origin, .. })
            | Err(IngestError::DocTooLarge { origin, .. }) => origin,
            Err(IngestError::DuplicateId { first, second, .. }) => {
                assert!(first.row < second.row, "{first} is not before {second}");
                second
            }
            Err(e) => {
                assert!(!e.is_record_error(), "unexpected record error: {e}");
                continue;
            }
        };
        let row = origin.row.expect("a WARC record names its row");
        assert!(origin.line.is_none());
        assert!(
            last_row < Some(row),
            "rows out of order: {last_row:?} then {row}"
        );
        last_row = Some(row);
    }
});
