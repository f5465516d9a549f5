//! Web pages: `.html` files, WARC archives and HTML fields, through main-text extraction.
#![cfg(feature = "html")]

use std::io::Write;
use std::path::{Path, PathBuf};

use retold_ingest::{Document, IngestError, IngestOptions, Reader};

/// One WARC record, written by hand after the WARC 1.0 specification.
fn record(kind: &str, uri: &str, date: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:{:08x}-0000-4000-8000-000000000000>\r\nWARC-Date: {date}\r\nWARC-Target-URI: {uri}\r\nContent-Type: application/http; msgtype={kind}\r\nContent-Length: {}\r\n\r\n",
        payload.len() as u32 ^ uri.len() as u32,
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out.extend_from_slice(b"\r\n\r\n");
    out
}

fn http(content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

fn article(title: &str, para: &str) -> String {
    format!(
        "<html><head><title>{title}</title></head><body>\
         <nav><a href='/'>Home</a> <a href='/world'>World</a> <a href='/sport'>Sport</a></nav>\
         <article><h1>{title}</h1><p>{para}</p><p>{para} The officials said more details would follow later this week.</p></article>\
         <footer>Copyright 2024 Example News. All rights reserved.</footer></body></html>"
    )
}

fn read(paths: &[PathBuf], opts: IngestOptions) -> Vec<Result<Document, IngestError>> {
    Reader::open(paths, opts).unwrap().collect()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn warc_bytes() -> Vec<u8> {
    let mut w = Vec::new();
    w.extend(record(
        "warcinfo",
        "",
        "2024-03-05T10:00:00Z",
        b"software: test\r\n",
    ));
    w.extend(record(
        "request",
        "https://news.example.com/a",
        "2024-03-05T10:00:00Z",
        b"GET /a HTTP/1.1\r\nHost: news.example.com\r\n\r\n",
    ));
    w.extend(record(
        "response",
        "https://news.example.com/a",
        "2024-03-05T10:00:01Z",
        &http(
            "text/html; charset=utf-8",
            article("Storm hits coast", "A powerful storm hit the northern coast on Tuesday, flooding several towns and cutting power to thousands of homes.").as_bytes(),
        ),
    ));
    // Latin-1 bytes, declared only in the HTTP header.
    let latin = article("Café reopens", "The old café on the harbour reopened on Monday after a long renovation that took almost two years to finish.");
    let latin: Vec<u8> = latin.chars().map(|c| c as u32 as u8).collect();
    w.extend(record(
        "response",
        "https://www.other.example.org/cafe",
        "2024-04-01T08:00:00Z",
        &http("text/html; charset=ISO-8859-1", &latin),
    ));
    // Not a page: passed over.
    w.extend(record(
        "response",
        "https://news.example.com/logo.png",
        "2024-03-05T10:00:02Z",
        &http("image/png", b"\x89PNG\r\n\x1a\n"),
    ));
    w
}

#[test]
fn warc_responses_become_pages_with_url_host_and_date() {
    let dir = tempfile::tempdir().unwrap();
    let plain = write(dir.path(), "crawl.warc", &warc_bytes());
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&warc_bytes()).unwrap();
    let packed = write(dir.path(), "crawl.warc.gz", &gz.finish().unwrap());
    for path in [plain, packed] {
        let docs: Vec<Document> = read(std::slice::from_ref(&path), IngestOptions::default())
            .into_iter()
            .collect::<Result<_, _>>()
            .unwrap();
        let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "https://news.example.com/a",
                "https://www.other.example.org/cafe"
            ]
        );
        let a = &docs[0];
        assert_eq!(a.url.as_deref(), Some("https://news.example.com/a"));
        assert_eq!(a.source.as_deref(), Some("news.example.com"));
        assert_eq!(a.title.as_deref(), Some("Storm hits coast"));
        // No date in the page: the capture date.
        assert_eq!(a.date.as_deref(), Some("2024-03-05T10:00:01Z"));
        assert!(a.text.contains("flooding several towns"));
        assert!(!a.text.contains("<p>"));
        let chars: Vec<char> = a.text.chars().collect();
        let marked: String = a
            .marked
            .iter()
            .map(|[s, e]| chars[*s..*e].iter().collect::<String>())
            .collect();
        assert!(marked.contains("All rights reserved"), "{marked}");
        assert!(!marked.contains("flooding"), "{marked}");
        // The charset came from the HTTP header.
        assert!(
            docs[1].text.contains("The old café on the harbour"),
            "{}",
            docs[1].text
        );
        assert_eq!(docs[1].source.as_deref(), Some("other.example.org"));
        assert_eq!(docs[1].origin.path, path);
    }
}

#[test]
fn a_truncated_warc_keeps_the_records_before_the_break() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = warc_bytes();
    // Cut inside the last response record.
    let cut = write(dir.path(), "cut.warc", &bytes[..bytes.len() - 20]);
    let out = read(&[cut], IngestOptions::default());
    let ok: Vec<&Document> = out.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(ok.len(), 2, "both pages before the break are read");
    let errs: Vec<String> = out
        .iter()
        .filter_map(|r| r.as_ref().err())
        .map(ToString::to_string)
        .collect();
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].contains("cut.warc"), "{}", errs[0]);
}

#[test]
fn an_html_field_is_extracted_and_other_fields_kept() {
    let dir = tempfile::tempdir().unwrap();
    let page = article("Bridge opens", "The new bridge over the river opened to traffic on Saturday, ten years after it was first proposed.");
    let line = serde_json::json!({"id": "p1", "html": page, "url": "https://city.example.net/bridge", "date": "2023-06-01"});
    let path = write(dir.path(), "pages.jsonl", format!("{line}\n").as_bytes());
    let opts = IngestOptions {
        html_field: Some("html".into()),
        ..IngestOptions::default()
    };
    let docs: Vec<Document> = read(&[path], opts)
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(docs.len(), 1);
    let d = &docs[0];
    assert!(d.text.contains("opened to traffic on Saturday"));
    assert!(!d.text.contains("<article>"));
    assert_eq!(
        d.date.as_deref(),
        Some("2023-06-01"),
        "the record's own date wins"
    );
    assert_eq!(d.source.as_deref(), Some("city.example.net"));
    assert!(!d.marked.is_empty());
}

#[test]
fn html_files_are_extracted_also_gzipped_and_garbage_does_not_crash() {
    let dir = tempfile::tempdir().unwrap();
    let page = article(
        "Storm",
        "A powerful storm hit the northern coast on Tuesday, flooding several towns.",
    );
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(page.as_bytes()).unwrap();
    let packed = write(dir.path(), "p.html.gz", &gz.finish().unwrap());
    let binary = write(
        dir.path(),
        "junk.html",
        &[0u8, 159, 146, 150, 255, 1, 2, 3, 60, 62, 60],
    );
    let broken = write(
        dir.path(),
        "broken.htm",
        b"<html><body><p>Unclosed <b>tags <div>and <table><tr><td>cells",
    );
    let out = read(&[packed, binary, broken], IngestOptions::default());
    assert_eq!(out.len(), 3);
    let first = out[0].as_ref().unwrap();
    assert!(first.text.contains("flooding several towns"));
    // Binary bytes: best effort (no panic); the reader says what it did.
    let junk = out[1].as_ref().unwrap();
    assert!(!junk.text.contains('\u{0}') || !junk.warnings.is_empty());
    let broken = out[2].as_ref().unwrap();
    assert!(broken.text.contains("Unclosed"), "{}", broken.text);
}
