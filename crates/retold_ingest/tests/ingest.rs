//! Behaviour tests for the document readers. Every fixture is written by the test
//! into a temporary directory.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use retold_ingest::{
    read_jsonl_values, Document, Format, IngestError, IngestOptions, Origin, Reader,
};

/// Writes `bytes` to `dir/rel`, creating parent directories.
fn write(dir: &Path, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(&path, bytes).unwrap();
    path
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

fn read_all(inputs: &[PathBuf], opts: IngestOptions) -> Vec<Result<Document, IngestError>> {
    Reader::open(inputs, opts).unwrap().collect()
}

fn docs(inputs: &[PathBuf]) -> Vec<Document> {
    read_all(inputs, IngestOptions::default())
        .into_iter()
        .map(|r| r.unwrap_or_else(|e| panic!("unexpected error: {e}")))
        .collect()
}

fn ids(items: &[Result<Document, IngestError>]) -> Vec<String> {
    items
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|d| d.id.clone())
        .collect()
}

fn errors(items: &[Result<Document, IngestError>]) -> Vec<&IngestError> {
    items.iter().filter_map(|r| r.as_ref().err()).collect()
}

/// The one error in `items`.
fn only_error(items: &[Result<Document, IngestError>]) -> &IngestError {
    let errs = errors(items);
    assert_eq!(errs.len(), 1, "expected one error, got {errs:?}");
    errs[0]
}

// ---------------------------------------------------------------- JSONL

#[test]
fn jsonl_string_and_integer_ids_and_optional_fields() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "c.jsonl",
        concat!(
            r#"{"id": "a-1", "text": "first", "lang": "en", "date": "2024-01-02", "source": "VOA", "url": "https://x.test/1", "title": "One"}"#,
            "\n",
            "\n",
            "   \n",
            r#"{"text": "second", "id": 42, "extra": {"nested": [1, {"id": "no"}]}, "lang": null, "date": 20240102, "source": ["x"], "title": true}"#,
            "\r\n",
            r#"{"id": -7, "text": "third", "id2": 3}"#,
        ),
    );
    let out = docs(std::slice::from_ref(&path));
    assert_eq!(out.len(), 3);

    let d = &out[0];
    assert_eq!(d.id, "a-1");
    assert_eq!(d.text, "first");
    assert_eq!(d.lang.as_deref(), Some("en"));
    assert_eq!(d.date.as_deref(), Some("2024-01-02"));
    assert_eq!(d.source.as_deref(), Some("VOA"));
    assert_eq!(d.url.as_deref(), Some("https://x.test/1"));
    assert_eq!(d.title.as_deref(), Some("One"));
    assert_eq!(d.origin, Origin::at_line(&path, 1));

    // Integer id as decimal string; non-string optional fields ignored; blank
    // lines skipped but counted; CRLF tolerated.
    let d = &out[1];
    assert_eq!(d.id, "42");
    assert_eq!(d.text, "second");
    assert_eq!(
        (&d.lang, &d.date, &d.source, &d.url, &d.title),
        (&None, &None, &None, &None, &None)
    );
    assert_eq!(d.origin.line, Some(4));

    assert_eq!(out[2].id, "-7");
    assert_eq!(out[2].origin.line, Some(5));
}

#[test]
fn jsonl_custom_field_names() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "c.jsonl",
        "{\"doc_id\": 5, \"body\": \"hello\", \"text\": 3, \"id\": [1]}\n",
    );
    let opts = IngestOptions {
        id_field: "doc_id".into(),
        text_field: "body".into(),
        ..IngestOptions::default()
    };
    let out = read_all(&[path], opts);
    let d = out[0].as_ref().unwrap();
    assert_eq!((d.id.as_str(), d.text.as_str()), ("5", "hello"));
}

#[test]
fn jsonl_malformed_line_reports_line_and_reading_continues() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "corpus.jsonl",
        concat!(
            "{\"id\": 1, \"text\": \"a\"}\n",
            "{\"id\": 2, \"text\": \"b\"}\n",
            "{\"id\": 3, \"text\": }\n",
            "{\"id\": 4, \"text\": \"d\"} trailing\n",
            "[1, 2]\n",
            "{\"id\": 6, \"text\": \"f\"}\n",
        ),
    );
    let mut reader = Reader::open(std::slice::from_ref(&path), IngestOptions::default()).unwrap();
    assert_eq!(reader.next().unwrap().unwrap().id, "1");
    assert_eq!(reader.next().unwrap().unwrap().id, "2");

    let err = reader.next().unwrap().unwrap_err();
    assert!(err.is_record_error());
    match &err {
        IngestError::Json {
            path: p,
            line,
            message,
        } => {
            assert_eq!(p, &path);
            assert_eq!(*line, 3);
            assert_eq!(message, "expected value at column 19");
        }
        other => panic!("wrong error {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        format!(
            "{}:3: malformed JSON: expected value at column 19",
            path.display()
        )
    );

    let err = reader.next().unwrap().unwrap_err();
    assert!(
        matches!(&err, IngestError::Json { line: 4, message, .. } if message.starts_with("trailing characters")),
        "{err}"
    );
    let err = reader.next().unwrap().unwrap_err();
    assert!(
        matches!(&err, IngestError::Json { line: 5, message, .. } if message == "expected a JSON object, found an array"),
        "{err}"
    );
    let d = reader.next().unwrap().unwrap();
    assert_eq!((d.id.as_str(), d.origin.line), ("6", Some(6)));
    assert!(reader.next().is_none());
    assert!(reader.next().is_none());
}

#[test]
fn jsonl_invalid_utf8_line_is_reported_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = b"{\"id\": 1, \"text\": \"ok\"}\n".to_vec();
    let line2_start = bytes.len();
    bytes.extend_from_slice(b"{\"id\": 2, \"text\": \"bad \xff byte\"}\n");
    bytes.extend_from_slice(b"{\"id\": 3, \"text\": \"fine\"}\n");
    let path = write(dir.path(), "u.jsonl", &bytes);

    let out = read_all(std::slice::from_ref(&path), IngestOptions::default());
    assert_eq!(ids(&out), ["1", "3"]);
    let err = only_error(&out);
    assert!(err.is_record_error());
    let expected_offset = (line2_start + "{\"id\": 2, \"text\": \"bad ".len()) as u64;
    match err {
        IngestError::InvalidUtf8 {
            path: p,
            line,
            offset,
        } => {
            assert_eq!(p, &path);
            assert_eq!(*line, Some(2));
            assert_eq!(*offset, expected_offset);
        }
        other => panic!("wrong error {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        format!(
            "{}:2: invalid UTF-8 at byte {expected_offset}",
            path.display()
        )
    );
}

#[test]
fn jsonl_missing_and_mistyped_fields() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "docs.jsonl",
        concat!(
            "{\"id\": 1}\n",
            "{\"id\": 2, \"text\": null}\n",
            "{\"text\": \"no id\"}\n",
            "{\"id\": 1.5, \"text\": \"x\"}\n",
            "{\"id\": \"5\", \"text\": 12}\n",
            "{\"id\": {\"a\": 1}, \"text\": \"x\"}\n",
            "{\"id\": 7, \"text\": [\"x\"]}\n",
            "{\"id\": 8, \"text\": \"good\"}\n",
        ),
    );
    let out = read_all(std::slice::from_ref(&path), IngestOptions::default());
    assert_eq!(ids(&out), ["8"]);
    let messages: Vec<String> = errors(&out).iter().map(|e| e.to_string()).collect();
    let p = path.display();
    assert_eq!(
        messages,
        [
            format!("{p}:1: missing field \"text\""),
            format!("{p}:2: missing field \"text\""),
            format!("{p}:3: missing field \"id\""),
            format!(
                "{p}:4: field \"id\" must be a string or an integer, found a non-integer number"
            ),
            format!("{p}:5: field \"text\" must be a string, found an integer"),
            format!("{p}:6: field \"id\" must be a string or an integer, found an object"),
            format!("{p}:7: field \"text\" must be a string, found an array"),
        ]
    );
    assert!(errors(&out).iter().all(|e| e.is_record_error()));
    match errors(&out)[0] {
        IngestError::MissingField { origin, field } => {
            assert_eq!(origin, &Origin::at_line(&path, 1));
            assert_eq!(field, "text");
        }
        other => panic!("wrong error {other:?}"),
    }
}

#[test]
fn jsonl_file_holding_a_json_array_is_skipped_with_one_error() {
    let dir = tempfile::tempdir().unwrap();
    let arr = write(
        dir.path(),
        "arr.json",
        "[\n  {\"id\": 1, \"text\": \"a\"},\n  {\"id\": 2, \"text\": \"b\"}\n]\n",
    );
    let next = write(dir.path(), "next.jsonl", "{\"id\": 3, \"text\": \"c\"}\n");
    let out = read_all(&[arr.clone(), next], IngestOptions::default());
    assert_eq!(ids(&out), ["3"]);
    let err = only_error(&out);
    assert!(matches!(err, IngestError::NotJsonLines { path } if path == &arr));
    assert!(!err.is_record_error());
}

#[test]
fn jsonl_utf8_bom_on_first_line_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "bom.jsonl",
        "\u{feff}{\"id\": 1, \"text\": \"\u{feff}kept\"}\n",
    );
    let out = docs(&[path]);
    assert_eq!(out[0].id, "1");
    // A BOM inside the text is text, and is kept.
    assert_eq!(out[0].text, "\u{feff}kept");
}

#[test]
fn duplicate_id_across_two_files() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(
        dir.path(),
        "a.jsonl",
        "{\"id\": 1, \"text\": \"one\"}\n{\"id\": \"x\", \"text\": \"two\"}\n",
    );
    let b = write(
        dir.path(),
        "b.jsonl",
        "{\"id\": \"y\", \"text\": \"three\"}\n{\"id\": \"1\", \"text\": \"four\"}\n{\"id\": \"z\", \"text\": \"five\"}\n",
    );
    let out = read_all(&[a.clone(), b.clone()], IngestOptions::default());
    // The integer id 1 and the string id "1" are the same id.
    assert_eq!(ids(&out), ["1", "x", "y", "z"]);
    let err = only_error(&out);
    assert!(err.is_record_error());
    match err {
        IngestError::DuplicateId { id, first, second } => {
            assert_eq!(id, "1");
            assert_eq!(**first, Origin::at_line(&a, 1));
            assert_eq!(**second, Origin::at_line(&b, 2));
        }
        other => panic!("wrong error {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        format!(
            "{}:2: duplicate id \"1\" (first seen at {}:1)",
            b.display(),
            a.display()
        )
    );
}

#[test]
fn same_file_named_twice_gives_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.txt", "x");
    let out = read_all(&[a.clone(), a.clone()], IngestOptions::default());
    assert_eq!(ids(&out), [a.display().to_string()]);
    assert!(matches!(only_error(&out), IngestError::DuplicateId { .. }));
}

// ---------------------------------------------------------------- text files, directories

#[test]
fn directory_recursion_order_and_relative_ids() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("corpus");
    write(&root, "b.txt", "bee");
    write(&root, "a/z.md", "zed");
    write(&root, "a/y.HTML", "<p>why</p>");
    write(&root, "a.txt", "ay");
    write(&root, "a/deeper/x.htm", "ex");
    write(&root, ".hidden.txt", "hidden");
    write(&root, ".git/config.txt", "hidden dir");
    write(&root, "notes.bin", "unknown extension");
    write(&root, "README", "no extension");
    write(
        &root,
        "c.jsonl",
        "{\"id\": \"rec\", \"text\": \"from jsonl\"}\n",
    );

    let out = docs(std::slice::from_ref(&root));
    let got: Vec<(&str, &str)> = out
        .iter()
        .map(|d| (d.id.as_str(), d.text.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("a/deeper/x.htm", "ex"),
            ("a/y.HTML", "why"),
            ("a/z.md", "zed"),
            ("a.txt", "ay"),
            ("b.txt", "bee"),
            ("rec", "from jsonl"),
        ]
    );
    assert_eq!(out[0].origin, Origin::file(root.join("a/deeper/x.htm")));
    assert_eq!(out[5].origin, Origin::at_line(root.join("c.jsonl"), 1));

    // Same input, same order.
    let again: Vec<String> = docs(std::slice::from_ref(&root))
        .into_iter()
        .map(|d| d.id)
        .collect();
    assert_eq!(again, out.iter().map(|d| d.id.clone()).collect::<Vec<_>>());
}

#[test]
fn named_file_keeps_given_path_as_id_and_unknown_extension_is_text() {
    let dir = tempfile::tempdir().unwrap();
    let readme = write(dir.path(), "README", "plain words");
    let page = write(dir.path(), "sub/page.html", "<html>raw</html>");
    let out = docs(&[readme.clone(), page.clone()]);
    assert_eq!(out[0].id, readme.to_string_lossy());
    assert_eq!(out[0].text, "plain words");
    assert_eq!(out[1].id, page.to_string_lossy());
    // A web page is read through main-text extraction: its visible text, not its markup.
    assert_eq!(out[1].text, "raw");
    assert_eq!(out[1].origin.to_string(), page.display().to_string());
}

#[test]
fn inputs_are_read_in_the_order_named() {
    let dir = tempfile::tempdir().unwrap();
    let z = write(dir.path(), "z.txt", "z");
    let d = dir.path().join("d");
    write(&d, "m.txt", "m");
    let a = write(dir.path(), "a.jsonl", "{\"id\": \"j\", \"text\": \"j\"}\n");
    let out = docs(&[z.clone(), d, a]);
    let got: Vec<&str> = out.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(got, [z.to_str().unwrap(), "m.txt", "j"]);
}

#[test]
fn text_file_with_invalid_utf8_is_reported_with_byte_offset() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = vec![b'a'; 1024];
    bytes.extend_from_slice(b"\xc3\x28 rest");
    let bad = write(dir.path(), "a.txt", &bytes);
    let good = write(dir.path(), "b.txt", "fine");
    let out = read_all(&[bad.clone(), good], IngestOptions::default());
    assert_eq!(out.len(), 2);
    let err = only_error(&out);
    assert!(matches!(
        err,
        IngestError::InvalidUtf8 { path, line: None, offset: 1024 } if path == &bad
    ));
    assert_eq!(
        err.to_string(),
        format!("{}: invalid UTF-8 at byte 1024", bad.display())
    );
    assert_eq!(out[1].as_ref().unwrap().text, "fine");
}

#[test]
fn forced_format_applies_to_any_extension() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(dir.path(), "data.log", "{\"id\": 1, \"text\": \"t\"}\n");
    let sub = dir.path().join("sub");
    write(&sub, "part-0", "{\"id\": 2, \"text\": \"u\"}\n");
    write(&sub, ".hidden", "{\"id\": 3, \"text\": \"v\"}\n");
    let opts = IngestOptions {
        format: Some(Format::Jsonl),
        ..IngestOptions::default()
    };
    let out = read_all(&[log, sub], opts);
    assert_eq!(ids(&out), ["1", "2"]);
}

// ---------------------------------------------------------------- gzip

#[test]
fn gzip_jsonl_text_and_multi_member() {
    let dir = tempfile::tempdir().unwrap();
    let lines = "{\"id\": 1, \"text\": \"un\"}\n\n{\"id\": 2, \"text\": \"deux\"}\n";
    let gz = write(dir.path(), "c.jsonl.gz", gzip(lines.as_bytes()));
    // Two gzip members concatenated (as `cat a.gz b.gz` makes).
    let mut multi = gzip(b"{\"id\": 3, \"text\": \"trois\"}\n");
    multi.extend(gzip(b"{\"id\": 4, \"text\": \"quatre\"}\n"));
    let multi = write(dir.path(), "m.NDJSON.GZ", multi);
    let txt = write(dir.path(), "t.txt.gz", gzip("caf\u{e9}\r\n".as_bytes()));
    let out = docs(&[gz.clone(), multi, txt.clone()]);
    let got: Vec<(&str, &str)> = out
        .iter()
        .map(|d| (d.id.as_str(), d.text.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("1", "un"),
            ("2", "deux"),
            ("3", "trois"),
            ("4", "quatre"),
            (txt.to_str().unwrap(), "caf\u{e9}\r\n"),
        ]
    );
    assert_eq!(out[1].origin, Origin::at_line(&gz, 3));
}

#[test]
fn corrupt_gzip_is_a_file_error_and_the_next_file_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = String::new();
    for i in 0..2000 {
        lines.push_str(&format!(
            "{{\"id\": {i}, \"text\": \"document number {i}\"}}\n"
        ));
    }
    let full = gzip(lines.as_bytes());
    let truncated = write(dir.path(), "t.jsonl.gz", &full[..full.len() / 2]);
    let garbage = write(dir.path(), "g.jsonl.gz", "this is not gzip");
    let next = write(
        dir.path(),
        "n.jsonl",
        "{\"id\": \"next\", \"text\": \"t\"}\n",
    );

    let out = read_all(
        &[truncated.clone(), garbage.clone(), next],
        IngestOptions::default(),
    );
    let errs = errors(&out);
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert!(errs.iter().all(|e| !e.is_record_error()));
    assert!(matches!(errs[0], IngestError::Io { path, line: Some(_), .. } if path == &truncated));
    assert!(matches!(errs[1], IngestError::Io { path, .. } if path == &garbage));
    assert!(errs[1]
        .to_string()
        .starts_with(&format!("{}:", garbage.display())));
    let got = ids(&out);
    assert!(
        got.len() > 10 && got.len() < 2000,
        "read {} docs",
        got.len()
    );
    assert_eq!(got.last().unwrap(), "next");
    // The documents before the damage are all there, in order.
    for (i, id) in got[..got.len() - 1].iter().enumerate() {
        assert_eq!(id, &i.to_string());
    }
}

// ---------------------------------------------------------------- CSV / TSV

#[test]
fn csv_fields_line_numbers_and_bad_records() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = Vec::new();
    bytes.extend_from_slice(b"id,title,text,lang\r\n");
    bytes.extend_from_slice(b"1,First,\"multi\r\nline, with \"\"quotes\"\"\",en\r\n");
    // Blank lines are skipped, and counted.
    bytes.extend_from_slice(b"\r\n\r\n2,,plain,\r\n");
    bytes.extend_from_slice(b"3,too,many,fields,here\r\n");
    let bad_start = bytes.len() as u64;
    bytes.extend_from_slice(b"4,Bad,\"\xff\",en\r\n");
    bytes.extend_from_slice(b"5,Last,\"\",fr\r\n");
    let path = write(dir.path(), "docs.csv", &bytes);

    let out = read_all(std::slice::from_ref(&path), IngestOptions::default());
    assert_eq!(ids(&out), ["1", "2", "5"]);
    let d1 = out[0].as_ref().unwrap();
    assert_eq!(d1.text, "multi\r\nline, with \"quotes\"");
    assert_eq!(d1.title.as_deref(), Some("First"));
    assert_eq!(d1.lang.as_deref(), Some("en"));
    assert_eq!(d1.origin, Origin::at_line(&path, 2));
    let d2 = out[1].as_ref().unwrap();
    // Empty optional cells are absent.
    assert_eq!((d2.title.as_deref(), d2.lang.as_deref()), (None, None));
    assert_eq!(d2.origin.line, Some(6));

    let errs = errors(&out);
    assert_eq!(errs.len(), 2);
    assert!(errs.iter().all(|e| e.is_record_error()));
    assert_eq!(
        errs[0].to_string(),
        format!(
            "{}:7: malformed CSV: found 5 fields, expected 4 as in the header",
            path.display()
        )
    );
    assert!(
        matches!(errs[1], IngestError::InvalidUtf8 { line: Some(8), offset, .. } if *offset == bad_start),
        "{:?}",
        errs[1]
    );

    // Empty text is a document.
    let d5 = out[4].as_ref().unwrap();
    assert_eq!((d5.id.as_str(), d5.text.as_str()), ("5", ""));
    assert_eq!(d5.origin.line, Some(9));
}

#[test]
fn csv_missing_column_names_columns_found_and_next_file_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(dir.path(), "docs.csv", "id,body\n1,hello\n");
    let good = write(dir.path(), "ok.csv", "text,id\nhi,9\n");
    let out = read_all(&[bad.clone(), good], IngestOptions::default());
    assert_eq!(ids(&out), ["9"]);
    let err = only_error(&out);
    assert!(!err.is_record_error());
    assert_eq!(
        err.to_string(),
        format!("{}: no column \"text\" (columns: id, body)", bad.display())
    );
    match err {
        IngestError::MissingColumn { column, found, .. } => {
            assert_eq!(column, "text");
            assert_eq!(found, &["id", "body"]);
        }
        other => panic!("wrong error {other:?}"),
    }
}

#[test]
fn tsv_and_gzipped_csv() {
    let dir = tempfile::tempdir().unwrap();
    let tsv = write(
        dir.path(),
        "d.tsv",
        "id\ttext\tsource\nt1\tcomma, inside\tAP\n\nt2\ttab-free text\t\n",
    );
    let csvgz = write(dir.path(), "e.csv.gz", gzip(b"id,text\ng1,zipped\n"));
    let out = docs(&[tsv.clone(), csvgz]);
    let got: Vec<(&str, &str)> = out
        .iter()
        .map(|d| (d.id.as_str(), d.text.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("t1", "comma, inside"),
            ("t2", "tab-free text"),
            ("g1", "zipped")
        ]
    );
    assert_eq!(out[0].source.as_deref(), Some("AP"));
    assert_eq!(out[1].source, None);
    assert_eq!(out[1].origin, Origin::at_line(&tsv, 4));
}

// ---------------------------------------------------------------- Parquet

#[cfg(feature = "parquet")]
mod parquet_tests {
    use super::*;
    use std::sync::Arc;

    use arrow::array::{
        ArrayRef, Date32Array, Int64Array, LargeStringArray, StringArray, StringViewArray,
    };
    use arrow::datatypes::{Field, Schema};
    use arrow::record_batch::RecordBatch;
    use parquet::arrow::ArrowWriter;

    fn write_parquet(path: &Path, columns: Vec<(&str, ArrayRef)>) {
        let fields: Vec<Field> = columns
            .iter()
            .map(|(name, a)| Field::new(*name, a.data_type().clone(), true))
            .collect();
        let schema = Arc::new(Schema::new(fields));
        let batch = RecordBatch::try_new(
            schema.clone(),
            columns.into_iter().map(|(_, a)| a).collect(),
        )
        .unwrap();
        let file = fs::File::create(path).unwrap();
        let mut writer = ArrowWriter::try_new(file, schema, None).unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
    }

    #[test]
    fn parquet_round_trip_across_batches_with_a_null_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("docs.parquet");
        let n = 2500usize;
        let ids: Vec<i64> = (0..n as i64).map(|i| i * 10).collect();
        let texts: Vec<Option<String>> = (0..n)
            .map(|i| (i != 1500).then(|| format!("text {i}\r\n\u{a0}\u{1f600}")))
            .collect();
        let langs: Vec<Option<&str>> = (0..n).map(|i| (i % 2 == 0).then_some("en")).collect();
        let dates: Vec<i32> = (0..n).map(|_| 19_724).collect(); // 2024-01-02
        write_parquet(
            &path,
            vec![
                ("lang", Arc::new(LargeStringArray::from(langs)) as ArrayRef),
                ("id", Arc::new(Int64Array::from(ids))),
                ("ignored", Arc::new(Int64Array::from(vec![1i64; n]))),
                ("text", Arc::new(StringArray::from(texts))),
                ("date", Arc::new(Date32Array::from(dates))),
            ],
        );

        let out = read_all(std::slice::from_ref(&path), IngestOptions::default());
        assert_eq!(out.len(), n);
        let err = only_error(&out);
        assert!(err.is_record_error());
        match err {
            IngestError::MissingField { origin, field } => {
                assert_eq!(origin, &Origin::at_row(&path, 1500));
                assert_eq!(field, "text");
            }
            other => panic!("wrong error {other:?}"),
        }
        assert_eq!(
            err.to_string(),
            format!("{} row 1500: missing field \"text\"", path.display())
        );
        for (i, item) in out.iter().enumerate() {
            if i == 1500 {
                continue;
            }
            let d = item.as_ref().unwrap();
            assert_eq!(d.id, (i * 10).to_string());
            assert_eq!(d.text, format!("text {i}\r\n\u{a0}\u{1f600}"));
            assert_eq!(d.origin, Origin::at_row(&path, i as u64));
            assert_eq!(d.lang.as_deref(), (i % 2 == 0).then_some("en"));
            assert_eq!(d.date.as_deref(), Some("2024-01-02"));
            assert_eq!(d.source, None);
        }
    }

    #[test]
    fn parquet_string_view_columns_and_null_id() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.parquet");
        write_parquet(
            &path,
            vec![
                (
                    "id",
                    Arc::new(StringViewArray::from(vec![Some("a"), None, Some("c")])) as ArrayRef,
                ),
                (
                    "text",
                    Arc::new(StringViewArray::from(vec![
                        "a text long enough not to be inlined in the view",
                        "b",
                        "",
                    ])),
                ),
                (
                    "title",
                    Arc::new(StringArray::from(vec![Some("T"), None, None])),
                ),
            ],
        );
        let out = read_all(std::slice::from_ref(&path), IngestOptions::default());
        assert_eq!(ids(&out), ["a", "c"]);
        let first = out[0].as_ref().unwrap();
        assert_eq!(
            first.text,
            "a text long enough not to be inlined in the view"
        );
        assert_eq!(first.title.as_deref(), Some("T"));
        // Empty text is a document.
        assert_eq!(out[2].as_ref().unwrap().text, "");
        assert!(matches!(
            only_error(&out),
            IngestError::MissingField { origin, field } if origin.row == Some(1) && field == "id"
        ));
    }

    #[test]
    fn parquet_schema_problems_and_bad_files_skip_to_the_next_file() {
        let dir = tempfile::tempdir().unwrap();
        let no_text = dir.path().join("no_text.parquet");
        write_parquet(
            &no_text,
            vec![
                ("id", Arc::new(Int64Array::from(vec![1i64])) as ArrayRef),
                ("body", Arc::new(StringArray::from(vec!["x"]))),
            ],
        );
        let int_text = dir.path().join("int_text.parquet");
        write_parquet(
            &int_text,
            vec![
                ("id", Arc::new(Int64Array::from(vec![1i64])) as ArrayRef),
                ("text", Arc::new(Int64Array::from(vec![5i64]))),
            ],
        );
        let not_parquet = write(dir.path(), "fake.parquet", "id,text\n1,x\n");
        let good = write(
            dir.path(),
            "good.jsonl",
            "{\"id\": \"g\", \"text\": \"ok\"}\n",
        );

        let out = read_all(
            &[no_text.clone(), int_text.clone(), not_parquet.clone(), good],
            IngestOptions::default(),
        );
        assert_eq!(ids(&out), ["g"]);
        let errs = errors(&out);
        assert_eq!(errs.len(), 3);
        assert!(errs.iter().all(|e| !e.is_record_error()));
        assert_eq!(
            errs[0].to_string(),
            format!(
                "{}: no column \"text\" (columns: id, body)",
                no_text.display()
            )
        );
        assert_eq!(
            errs[1].to_string(),
            format!(
                "{}: column \"text\" has type Int64, expected a string type",
                int_text.display()
            )
        );
        assert!(matches!(errs[2], IngestError::Parquet { path, .. } if path == &not_parquet));
        assert!(errs[2]
            .to_string()
            .starts_with(&format!("{}: cannot read Parquet: ", not_parquet.display())));
    }

    #[test]
    fn parquet_text_is_preserved_exactly_and_large_docs_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.parquet");
        let exact = "line one\r\nline\u{a0}two \u{1f469}\u{200d}\u{1f52c}\t\u{0}end";
        write_parquet(
            &path,
            vec![
                (
                    "id",
                    Arc::new(StringArray::from(vec!["a", "b"])) as ArrayRef,
                ),
                ("text", Arc::new(StringArray::from(vec![exact, "short"]))),
            ],
        );
        let opts = IngestOptions {
            max_doc_bytes: 20,
            ..IngestOptions::default()
        };
        let out = read_all(std::slice::from_ref(&path), opts);
        assert!(matches!(
            &out[0],
            Err(IngestError::DocTooLarge { origin, bytes, limit: 20 })
                if origin == &Origin::at_row(&path, 0) && *bytes == exact.len() as u64
        ));
        assert_eq!(out[1].as_ref().unwrap().text, "short");

        let out = docs(&[path]);
        assert_eq!(out[0].text.as_bytes(), exact.as_bytes());
    }
}

// ---------------------------------------------------------------- missing / unreadable

#[test]
fn missing_input_is_reported_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let present = write(dir.path(), "a.txt", "a");
    let missing = dir.path().join("nope.jsonl");
    let err = Reader::open(&[present, missing.clone()], IngestOptions::default())
        .err()
        .expect("open must fail");
    assert!(matches!(&err, IngestError::NotFound { path } if path == &missing));
    assert_eq!(
        err.to_string(),
        format!("{}: no such file or directory", missing.display())
    );
    assert!(!err.is_record_error());
    assert_eq!(err.path(), missing.as_path());

    let err = read_jsonl_values(&missing).unwrap_err();
    assert!(matches!(err, IngestError::NotFound { .. }));
}

#[cfg(unix)]
#[test]
fn unreadable_file_is_a_file_error_and_reading_goes_on() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let locked = write(dir.path(), "locked.jsonl", "{\"id\": 1, \"text\": \"x\"}\n");
    let next = write(dir.path(), "next.txt", "after");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    if fs::File::open(&locked).is_ok() {
        // Running as root: permissions are not enforced, nothing to test here.
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o644)).unwrap();
        return;
    }
    let out = read_all(&[locked.clone(), next], IngestOptions::default());
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(out.len(), 2);
    let err = only_error(&out);
    assert!(matches!(err, IngestError::Io { path, .. } if path == &locked));
    assert!(!err.is_record_error());
    assert_eq!(out[1].as_ref().unwrap().text, "after");
}

#[cfg(unix)]
#[test]
fn symlinks_inside_directories() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    let target = write(dir.path(), "outside/t.txt", "linked");
    write(&root, "real.txt", "real");
    fs::create_dir_all(&root).unwrap();
    std::os::unix::fs::symlink(&target, root.join("link.txt")).unwrap();
    // A link to a directory above: followed, this would loop forever.
    std::os::unix::fs::symlink(&root, root.join("loop")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("gone.txt"), root.join("dangling.txt")).unwrap();
    let out = docs(&[root]);
    let got: Vec<(&str, &str)> = out
        .iter()
        .map(|d| (d.id.as_str(), d.text.as_str()))
        .collect();
    assert_eq!(got, [("link.txt", "linked"), ("real.txt", "real")]);
}

// ---------------------------------------------------------------- sizes, exact text

#[test]
fn empty_documents_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let txt = write(dir.path(), "empty.txt", "");
    let jsonl = write(dir.path(), "e.jsonl", "{\"id\": \"e\", \"text\": \"\"}\n");
    let out = docs(&[txt.clone(), jsonl]);
    assert_eq!(out.len(), 2);
    assert_eq!(
        (out[0].id.as_str(), out[0].text.as_str()),
        (txt.to_str().unwrap(), "")
    );
    assert_eq!((out[1].id.as_str(), out[1].text.as_str()), ("e", ""));
}

#[test]
fn too_large_documents_are_rejected_and_reading_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl = write(
        dir.path(),
        "big.jsonl",
        concat!(
            "{\"id\": 1, \"text\": \"0123456789\"}\n",
            "{\"id\": 2, \"text\": \"0123456789X\"}\n",
            "{\"id\": 3, \"text\": \"\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\"}\n",
            "{\"id\": 4, \"text\": \"ok\"}\n",
        ),
    );
    let big_txt = write(dir.path(), "big.txt", "x".repeat(11));
    let big_gz = write(
        dir.path(),
        "big.md.gz",
        gzip("y".repeat(100_000).as_bytes()),
    );
    let fits = write(dir.path(), "fits.txt", "y".repeat(10));
    let opts = IngestOptions {
        max_doc_bytes: 10,
        ..IngestOptions::default()
    };
    let out = read_all(
        &[jsonl.clone(), big_txt.clone(), big_gz.clone(), fits],
        opts,
    );
    assert_eq!(ids(&out)[..2], ["1", "4"]);
    assert_eq!(ids(&out).len(), 3);
    let errs = errors(&out);
    let summary: Vec<(String, u64)> = errs
        .iter()
        .map(|e| match e {
            IngestError::DocTooLarge {
                origin,
                bytes,
                limit: 10,
            } => (origin.to_string(), *bytes),
            other => panic!("wrong error {other:?}"),
        })
        .collect();
    assert_eq!(
        summary,
        [
            (format!("{}:2", jsonl.display()), 11),
            // Six "é" are 12 bytes of UTF-8 (the limit counts bytes, not chars).
            (format!("{}:3", jsonl.display()), 12),
            (big_txt.display().to_string(), 11),
            (big_gz.display().to_string(), 100_000),
        ]
    );
    assert!(errs.iter().all(|e| e.is_record_error()));
    assert_eq!(
        errs[0].to_string(),
        format!(
            "{}:2: document is 11 bytes, over the limit of 10 bytes",
            jsonl.display()
        )
    );
}

#[test]
fn overlong_jsonl_line_is_skipped_without_parsing() {
    let dir = tempfile::tempdir().unwrap();
    // With a 10-byte limit, lines longer than 10 * 6 + 1 MiB are not buffered.
    let huge = format!("{{\"id\": 1, \"text\": \"{}\"}}\n", "z".repeat(1 << 21));
    let mut content = huge.clone();
    content.push_str("{\"id\": 2, \"text\": \"small\"}\n");
    let path = write(dir.path(), "huge.jsonl", content);
    let opts = IngestOptions {
        max_doc_bytes: 10,
        ..IngestOptions::default()
    };
    let out = read_all(std::slice::from_ref(&path), opts);
    assert_eq!(ids(&out), ["2"]);
    assert_eq!(out[1].as_ref().unwrap().origin.line, Some(2));
    assert!(matches!(
        only_error(&out),
        IngestError::DocTooLarge { origin, bytes, .. }
            if origin == &Origin::at_line(&path, 1) && *bytes == huge.len() as u64
    ));
}

#[test]
fn text_is_preserved_byte_exactly() {
    let exact =
        "  Head\u{a0}line \u{1f600}\r\nbody\u{2014}\u{201c}q\u{201d}\r\n\te\u{301}\u{feff}\n\n  ";
    let dir = tempfile::tempdir().unwrap();
    let txt = write(dir.path(), "exact.txt", exact);
    // JSON: once with escapes, once raw.
    let escaped = serde_json::to_string(&serde_json::json!({"id": "j1", "text": exact})).unwrap();
    let raw = format!(
        "{{\"id\": \"j2\", \"text\": \"{}\"}}",
        exact
            .replace('\r', "\\r")
            .replace('\n', "\\n")
            .replace('\t', "\\t")
    );
    let jsonl = write(dir.path(), "exact.jsonl", format!("{escaped}\n{raw}\n"));
    let csv = write(
        dir.path(),
        "exact.csv",
        format!("id,text\nc1,\"{}\"\n", exact.replace('"', "\"\"")),
    );
    let out = docs(&[txt, jsonl, csv]);
    assert_eq!(out.len(), 4);
    for d in &out {
        assert_eq!(d.text.as_bytes(), exact.as_bytes(), "document {}", d.id);
    }
}

// ---------------------------------------------------------------- gold files

#[test]
fn read_jsonl_values_gives_line_numbers_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let gold = write(
        dir.path(),
        "gold.jsonl",
        "{\"a\": \"1\", \"b\": \"2\", \"relation\": \"rewrite\"}\n\n[1, 2]\n\"text\"\r\n",
    );
    let values = read_jsonl_values(&gold).unwrap();
    assert_eq!(
        values,
        vec![
            (
                1,
                serde_json::json!({"a": "1", "b": "2", "relation": "rewrite"})
            ),
            (3, serde_json::json!([1, 2])),
            (4, serde_json::json!("text")),
        ]
    );

    let gz = write(
        dir.path(),
        "gold.jsonl.gz",
        gzip(b"{\"x\": 1}\n{\"x\": 2}\n"),
    );
    let values = read_jsonl_values(gz).unwrap();
    assert_eq!(values.iter().map(|(l, _)| *l).collect::<Vec<_>>(), [1, 2]);

    let bad = write(dir.path(), "bad.jsonl", "{\"x\": 1}\n{\"x\": }\n");
    let err = read_jsonl_values(&bad).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}:2: malformed JSON: expected value at column 7",
            bad.display()
        )
    );

    let utf = write(dir.path(), "utf.jsonl", b"{\"x\": \"\xfe\"}\n");
    assert!(matches!(
        read_jsonl_values(&utf).unwrap_err(),
        IngestError::InvalidUtf8 {
            line: Some(1),
            offset: 7,
            ..
        }
    ));

    let array = write(dir.path(), "pretty.json", "[\n {\"x\": 1}\n]\n");
    assert!(matches!(
        read_jsonl_values(&array).unwrap_err(),
        IngestError::NotJsonLines { .. }
    ));
}

// ---------------------------------------------------------------- small API pieces

#[test]
fn origin_display() {
    assert_eq!(
        Origin::at_line("corpus.jsonl", 17).to_string(),
        "corpus.jsonl:17"
    );
    assert_eq!(
        Origin::at_row("t.parquet", 3).to_string(),
        "t.parquet row 3"
    );
    assert_eq!(Origin::file("a.txt").to_string(), "a.txt");
}

#[test]
fn format_from_path_and_name() {
    let f = |p: &str| Format::from_path(Path::new(p));
    assert_eq!(f("a.txt"), Some(Format::Text));
    assert_eq!(f("dir/a.HTM"), Some(Format::Html));
    assert_eq!(f("a.html.gz"), Some(Format::Html));
    assert_eq!(f("crawl.warc.gz"), Some(Format::Warc));
    assert_eq!("warc".parse::<Format>(), Ok(Format::Warc));
    assert_eq!(f("a.md.gz"), Some(Format::Text));
    assert_eq!(f("a.json"), Some(Format::Jsonl));
    assert_eq!(f("a.ndjson.gz"), Some(Format::Jsonl));
    assert_eq!(f("a.tsv"), Some(Format::Tsv));
    assert_eq!(f("a.csv.gz"), Some(Format::Csv));
    assert_eq!(f("a.parquet"), Some(Format::Parquet));
    assert_eq!(f("a.parquet.gz"), None);
    assert_eq!(f("a.gz"), None);
    assert_eq!(f("README"), None);
    assert_eq!("JSONL".parse::<Format>(), Ok(Format::Jsonl));
    assert_eq!("txt".parse::<Format>(), Ok(Format::Text));
    assert!("xml".parse::<Format>().is_err());
    for f in [
        Format::Text,
        Format::Jsonl,
        Format::Csv,
        Format::Tsv,
        Format::Parquet,
    ] {
        assert_eq!(f.to_string().parse::<Format>(), Ok(f));
    }
}

#[test]
fn defaults_send_and_error_size() {
    let o = IngestOptions::default();
    assert_eq!((o.id_field.as_str(), o.text_field.as_str()), ("id", "text"));
    assert_eq!(o.max_doc_bytes, 64 * 1024 * 1024);
    assert_eq!(o.format, None);
    fn assert_send<T: Send>() {}
    assert_send::<Reader>();
    assert_send::<IngestError>();
    // Small enough to be returned by value per record (and to be wrapped in other
    // crates' errors) without clippy's `result_large_err`.
    assert!(std::mem::size_of::<IngestError>() <= 128);
}

#[test]
fn empty_input_list_and_empty_directory() {
    let dir = tempfile::tempdir().unwrap();
    assert!(read_all(&[], IngestOptions::default()).is_empty());
    assert!(read_all(&[dir.path().to_path_buf()], IngestOptions::default()).is_empty());
}

#[cfg(not(feature = "parquet"))]
#[test]
fn parquet_without_the_feature_is_a_file_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "a.parquet", "PAR1");
    let t = write(dir.path(), "b.txt", "next");
    let out = read_all(&[p.clone(), t], IngestOptions::default());
    assert_eq!(out.len(), 2);
    let err = only_error(&out);
    assert!(
        matches!(err, IngestError::FormatDisabled { path, format: Format::Parquet, .. } if path == &p)
    );
    assert!(!err.is_record_error());
}
