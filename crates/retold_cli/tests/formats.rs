//! `retold dedup` over CSV and Parquet inputs with custom field names (Parquet written with
//! arrow's writer, read by the real reader).

mod common;
use common::*;
use std::sync::Arc;

use arrow::array::{ArrayRef, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;

const A: &str = "The regional council approved a plan on Tuesday to rebuild the old harbour bridge, which has been closed to heavy traffic since a storm damaged its supports two winters ago. Work is due to start in the spring and last eighteen months.";
const B: &str = "A local choir won first prize at the national festival after performing a programme of folk songs arranged by its conductor, who has led the group for more than twenty years and plans to retire next season.";

#[test]
fn csv_with_custom_columns() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("docs.csv");
    let mut w = String::from("key,body,source\n");
    for (k, t) in [
        ("x1", A),
        ("x2", B),
        ("x3", &A.replace("Tuesday", "Wednesday")),
    ] {
        w.push_str(&format!("{k},\"{t}\",paper\n"));
    }
    std::fs::write(&input, w).unwrap();
    let out = dir.path().join("out");
    let p = dedup_pairs(&input, &out, &["--id-field", "key", "--text-field", "body"]);
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(
        (p[0]["a"].as_str(), p[0]["b"].as_str()),
        (Some("x1"), Some("x3"))
    );
    assert_eq!(p[0]["relation"], "duplicate");

    let o = retold(&[
        "dedup",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "default column names are missing");
    assert!(stderr(&o).contains("docs.csv"), "{}", stderr(&o));
}

#[test]
fn parquet_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("docs.parquet");
    let ids = StringArray::from(vec!["p1", "p2", "p3"]);
    let texts = StringArray::from(vec![A, B, A]);
    let schema = Arc::new(Schema::new(vec![
        Field::new("doc_id", DataType::Utf8, false),
        Field::new("content", DataType::Utf8, false),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![Arc::new(ids) as ArrayRef, Arc::new(texts) as ArrayRef],
    )
    .unwrap();
    let mut w = ArrowWriter::try_new(std::fs::File::create(&input).unwrap(), schema, None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    let out = dir.path().join("out");
    let p = dedup_pairs(
        &input,
        &out,
        &["--id-field", "doc_id", "--text-field", "content"],
    );
    assert_eq!(p.len(), 1);
    assert_eq!(p[0]["exact"], true);
    let keep = std::fs::read_to_string(out.join("keep.txt")).unwrap();
    assert_eq!(keep, "p1\np2\n");
}
