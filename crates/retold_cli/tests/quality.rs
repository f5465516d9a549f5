//! Quality gates from the core-engine issue, measured with `retold eval` on `../shared/eval`
//! and on the synthetic copy/repost/partial set built by `scripts/make_synthetic.py`.

mod common;
use common::*;
use serde_json::Value;

fn eval(docs: &std::path::Path, gold: &std::path::Path) -> Value {
    let o = retold(&[
        "eval",
        "--docs",
        docs.to_str().unwrap(),
        "--gold",
        gold.to_str().unwrap(),
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

#[test]
fn semeval_independent_coverage_is_not_called_a_copy() {
    let d = shared().join("eval/semeval");
    let r = eval(&d.join("docs.jsonl"), &d.join("gold.jsonl"));
    let f = r["pairs"]["independent_called_reproduced"]
        .as_f64()
        .unwrap();
    assert!(f <= 0.02, "independent pairs called reproduced: {f}");
}

#[test]
fn synthetic_copies_reposts_and_partials() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("synthetic");
    let st = std::process::Command::new("python3")
        .arg(root().join("scripts/make_synthetic.py"))
        .args([
            "--out",
            out.to_str().unwrap(),
            "--shared",
            shared().to_str().unwrap(),
        ])
        .status()
        .expect("python3 runs scripts/make_synthetic.py");
    assert!(st.success());
    let r = eval(&out.join("docs.jsonl"), &out.join("gold.jsonl"));
    let rep = &r["pairs"]["coarse"]["reproduced"];
    let (p, rc) = (
        rep["precision"].as_f64().unwrap(),
        rep["recall"].as_f64().unwrap(),
    );
    assert!(
        p >= 0.95 && rc >= 0.95,
        "reproduced precision {p} recall {rc}"
    );
    let fine = r["pairs"]["fine_accuracy_on_reproduced"].as_f64().unwrap();
    assert!(fine >= 0.9, "fine label accuracy {fine}");
}

#[test]
fn eval_reports_clusters_for_cluster_gold() {
    let d = shared().join("eval/onestop");
    let r = eval(&d.join("docs.jsonl"), &d.join("gold.jsonl"));
    assert_eq!(r["gold_kind"], "clusters");
    let ari = r["clusters"]["ari"].as_f64().unwrap();
    assert!((-1.0..=1.0).contains(&ari));
    assert_eq!(
        r["pairs"]["confusion"]["labels"].as_array().unwrap().len(),
        6
    );
}

#[test]
fn eval_rejects_unknown_ids_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let gold = dir.path().join("gold.jsonl");
    std::fs::write(
        &gold,
        "{\"a\": \"nope\", \"b\": \"nada\", \"label\": \"duplicate\"}\n",
    )
    .unwrap();
    let docs = shared().join("eval/wmt/docs.jsonl");
    let o = retold(&[
        "eval",
        "--docs",
        docs.to_str().unwrap(),
        "--gold",
        gold.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("gold.jsonl:1"), "{}", stderr(&o));
}
