//! The CSV/TSV reader over arbitrary bytes (TSV when the mode's `alt` bit is set).
//!
//! Invariants: no panic; the reader stops; every error names the file (message starts with
//! it, one line), a record error names its line (`path:line`, a line of the file) and an
//! error that ends the file is the last item; ids are unique; documents name lines of the
//! file, in order, and when no quote follows that line's start the text appears verbatim
//! from there on.
#![no_main]

use libfuzzer_sys::fuzz_target;
use retold_fuzz::{bound, check_error_line, line_count, line_start, read_checked, Mode};

fn find(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

fuzz_target!(|data: &[u8]| {
    let (mode, content) = Mode::split(data);
    let lines = line_count(content);
    let ext = if mode.alt { "tsv" } else { "csv" };
    // Every item after the header ends at a line terminator (`\n`, `\r` or both) or at the end.
    let terminators = content
        .iter()
        .filter(|&&b| b == b'\n' || b == b'\r')
        .count();
    let (path, items) = read_checked(content, ext, mode, bound(mode, terminators + 2));
    let mut last_line = 0;
    for item in &items {
        match item {
            Err(e) => check_error_line(e, &path, if mode.fake_gzip { u64::MAX } else { lines }),
            Ok(doc) => {
                let line = doc.origin.line.expect("a CSV document names its line");
                if mode.fake_gzip {
                    continue;
                }
                // Lines count `\n` only: records ended by a lone `\r` share a line.
                assert!((1..=lines).contains(&line), "line {line} of {lines}");
                assert!(line >= last_line, "line {line} after line {last_line}");
                last_line = line;
                // Without quotes from the record's line on, its fields are the bytes as written.
                let from = &content[line_start(content, line)..];
                if !mode.html_field && !from.contains(&b'"') {
                    assert!(
                        find(from, doc.text.as_bytes()),
                        "text {:?} not found from line {line} on",
                        doc.text
                    );
                }
            }
        }
    }
});
