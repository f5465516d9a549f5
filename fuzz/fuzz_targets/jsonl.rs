//! The JSONL reader over arbitrary bytes.
//!
//! Invariants: no panic; the reader stops; every error names the file (message starts with
//! it, one line), a record error names its line (`path:line`, a line of the file) and an
//! error that ends the file is the last item; ids are unique; every document read from a line
//! has exactly the id, text and optional fields that an independent parse of that line
//! (`serde_json::Value`) gives.
#![no_main]

use libfuzzer_sys::fuzz_target;
use retold_fuzz::{bound, check_error_line, line_count, line_start, read_checked, Mode};
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let (mode, content) = Mode::split(data);
    let lines = line_count(content);
    // Every item consumes at least one line.
    let (path, items) = read_checked(content, "jsonl", mode, bound(mode, lines as usize + 1));
    for item in &items {
        match item {
            Err(e) => check_error_line(e, &path, if mode.fake_gzip { u64::MAX } else { lines }),
            Ok(doc) => {
                let line = doc.origin.line.expect("a JSONL document names its line");
                assert!(
                    mode.fake_gzip || (1..=lines).contains(&line),
                    "line {line} of {lines}"
                );
                if mode.fake_gzip {
                    continue;
                }
                // The line as the reader saw it: without its terminator and, on line 1, a BOM.
                let start = line_start(content, line);
                let end = content[start..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(content.len(), |i| start + i);
                let mut raw = &content[start..end];
                raw = raw.strip_suffix(b"\r").unwrap_or(raw);
                if line == 1 {
                    raw = raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw);
                }
                let value: Value = serde_json::from_slice(raw).unwrap_or_else(|e| {
                    panic!("line {line} gave a document but is not JSON ({e}): {doc:?}")
                });
                let obj = value.as_object().expect("a document comes from an object");
                let id = match &obj["id"] {
                    Value::String(s) => s.clone(),
                    Value::Number(n) if n.is_i64() || n.is_u64() => n.to_string(),
                    other => panic!("document id from {other:?}"),
                };
                assert_eq!(doc.id, id);
                let field = |k: &str| obj.get(k).and_then(Value::as_str).map(str::to_owned);
                if !mode.html_field {
                    assert_eq!(Some(doc.text.clone()), field("text"));
                    assert!(doc.marked.is_empty());
                }
                assert_eq!(doc.lang, field("lang"));
                assert_eq!(doc.url, field("url"));
                // From a page, date, title and source fall back on the page's own.
                for (got, k) in [
                    (&doc.date, "date"),
                    (&doc.title, "title"),
                    (&doc.source, "source"),
                ] {
                    let want = field(k);
                    if !mode.html_field || want.is_some() {
                        assert_eq!(got, &want, "field {k}");
                    }
                }
            }
        }
    }
});
