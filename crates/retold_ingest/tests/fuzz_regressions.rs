//! Inputs found by fuzzing (`fuzz/`, `scripts/fuzz.sh`) and by reading the code around them:
//! each once panicked or broke an invariant of the readers. The byte literals are the files
//! as the fuzz targets wrote them (without the targets' leading mode byte).

use std::path::{Path, PathBuf};

use retold_ingest::{Document, IngestError, IngestOptions, Reader};

fn read(dir: &Path, name: &str, bytes: &[u8]) -> (PathBuf, Vec<Result<Document, IngestError>>) {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    let items = Reader::open(std::slice::from_ref(&path), IngestOptions::default())
        .unwrap()
        .collect();
    (path, items)
}

/// Every error names the file and is one line.
fn assert_one_line_errors(path: &Path, items: &[Result<Document, IngestError>]) {
    for e in items.iter().filter_map(|r| r.as_ref().err()) {
        let msg = e.to_string();
        assert!(msg.starts_with(&path.display().to_string()), "{msg}");
        assert!(!msg.contains(['\n', '\r']), "not one line: {msg:?}");
    }
}

/// fuzz target `csv` (crash-4923606270ad809571e1e9e65e734a8e993b77dd, read as TSV): a header
/// whose only column is a quoted name with line breaks in it. The `MissingColumn` message
/// listed the columns found as they were, line breaks included.
#[test]
fn fuzz_csv_header_with_line_breaks_gives_a_one_line_error() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = b"\"rcrc\r\n\r\x00\x00\x00)\x00\xe2\n\r\n1,\xff\r\n";
    let (path, items) = read(dir.path(), "input.tsv", bytes);
    assert_eq!(items.len(), 1);
    assert!(
        matches!(&items[0], Err(IngestError::MissingColumn { found, .. }) if found.len() == 1),
        "{items:?}"
    );
    assert_one_line_errors(&path, &items);
    let msg = items[0].as_ref().unwrap_err().to_string();
    assert!(
        msg.contains("(columns: rcrc\\r\\n\\r\\0\\0\\0)\\0"),
        "{msg}"
    );
}

/// The same kind of message (found while fixing the one above): a duplicate id with a line
/// break in it.
#[test]
fn duplicate_id_with_a_line_break_gives_a_one_line_error() {
    let dir = tempfile::tempdir().unwrap();
    let line = b"{\"id\": \"a\\nb\", \"text\": \"x\"}\n";
    let (path, items) = read(dir.path(), "dup.jsonl", &[&line[..], &line[..]].concat());
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].as_ref().unwrap().id, "a\nb");
    assert!(matches!(&items[1], Err(IngestError::DuplicateId { id, .. }) if id == "a\nb"));
    assert_one_line_errors(&path, &items);
    assert!(items[1]
        .as_ref()
        .unwrap_err()
        .to_string()
        .contains("duplicate id \"a\\nb\""));
}

/// fuzz target `warc` (crash-7b9e2ff8e5e297e2e17b766c8332d180a4c8c024): a `WARC-Target-URI` that
/// is not UTF-8 made the `warc` crate's `Record::header` panic (`unwrap` on `from_utf8`). The
/// page is read; its URL and id keep the URI with the bad bytes replaced.
#[test]
fn fuzz_warc_target_uri_not_utf8_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let bytes: &[u8] = b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:00000068-0000-4000-8000-000000000000>\r\nWARC-Date: 2024-03-05T10:00:00Z\r\nWARC-Target-URI: h\xff\x10\x00\x00:/\x1bexample.org/c\r\nContent-Type: application/http; msgtypebreadcrumb=response\r\nContent-Length: 104\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: text/html; charset=ISO-8859-1\r\nContent-Length: 20\r\n\r\n<p>Caf\xe9 reopens.</p>\r\n\r\n";
    let (_, items) = read(dir.path(), "input.warc", bytes);
    assert_eq!(items.len(), 1, "{items:?}");
    let doc = items[0].as_ref().unwrap();
    assert_eq!(doc.id, "h\u{FFFD}\u{10}\0\0:/\u{1b}example.org/c");
    assert_eq!(doc.url.as_deref(), Some(doc.id.as_str()));
    assert_eq!(doc.text, "Café reopens.");
    assert_eq!(doc.origin.row, Some(0));
}

/// Found while reading the `warc` crate's reader for the crash above (and confirmed with the
/// `warc` fuzz target): a `Content-Length` near `usize::MAX` overflowed `len + 4` (a panic with
/// overflow checks; without them a slice out of range). It is a malformed WARC: an error for the
/// file, after the records before it.
#[test]
fn warc_content_length_near_usize_max_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let ok = b"WARC/1.0\r\nWARC-Type: warcinfo\r\nWARC-Record-ID: <urn:uuid:1>\r\nWARC-Date: 2024-03-05T10:00:00Z\r\nContent-Length: 2\r\n\r\nab\r\n\r\n";
    for len in [u64::MAX, u64::MAX - 2, u64::MAX - 3] {
        let bad = format!("WARC/1.0\r\nContent-Length: {len}\r\n\r\n\n\r\n");
        let (path, items) = read(
            dir.path(),
            "input.warc",
            &[&ok[..], bad.as_bytes()].concat(),
        );
        assert_eq!(items.len(), 1, "{items:?}");
        assert!(
            matches!(&items[0], Err(IngestError::Warc { records: 1, .. })),
            "{items:?}"
        );
        assert_one_line_errors(&path, &items);
    }
}
