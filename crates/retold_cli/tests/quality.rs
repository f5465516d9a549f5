//! Quality gates, measured with `retold eval` on `../shared/eval` (with the semantic layer when
//! the models are installed, as `scripts/test.sh` makes sure) and on the synthetic
//! copy/repost/partial set built by `scripts/make_synthetic.py` (lexically, and with the semantic
//! layer when the models are installed).

mod common;
use common::*;
use serde_json::Value;

fn eval(docs: &std::path::Path, gold: &std::path::Path) -> Value {
    eval_with(docs, gold, "auto")
}

fn eval_with(docs: &std::path::Path, gold: &std::path::Path, semantic: &str) -> Value {
    eval_json(docs, gold, &["--semantic", semantic])
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
fn wmt_translations_are_found_and_labelled() {
    if !models_ready() {
        return;
    }
    let d = shared().join("eval/wmt");
    let r = eval(&d.join("docs.jsonl"), &d.join("gold.jsonl"));
    let t = &r["pairs"]["per_label"]["translation"];
    let (p, rc) = (
        t["precision"].as_f64().unwrap(),
        t["recall"].as_f64().unwrap(),
    );
    assert!(
        p >= 0.95 && rc >= 0.95,
        "translation precision {p} recall {rc}"
    );
}

/// The synthetic set (`scripts/make_synthetic.py`): copies, reposts, partial reuse and hard
/// negatives, among them thousands of unrelated news pairs in two languages. Lexically, and
/// with the semantic layer, which must not turn those into translations.
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
    let mut modes = vec!["off"];
    if models_ready() {
        modes.push("on");
    }
    for mode in modes {
        let r = eval_with(&out.join("docs.jsonl"), &out.join("gold.jsonl"), mode);
        let rep = &r["pairs"]["coarse"]["reproduced"];
        let (p, rc) = (
            rep["precision"].as_f64().unwrap(),
            rep["recall"].as_f64().unwrap(),
        );
        let floor = if mode == "on" { 0.98 } else { 0.95 };
        assert!(
            p >= floor && rc >= 0.95,
            "--semantic {mode}: reproduced precision {p} recall {rc}"
        );
        let fine = r["pairs"]["fine_accuracy_on_reproduced"].as_f64().unwrap();
        assert!(fine >= 0.9, "--semantic {mode}: fine label accuracy {fine}");
    }
}

#[test]
fn onestop_rewrites_cluster_together() {
    let d = shared().join("eval/onestop");
    let r = eval(&d.join("docs.jsonl"), &d.join("gold.jsonl"));
    assert_eq!(r["gold_kind"], "clusters");
    let ari = r["clusters"]["ari"].as_f64().unwrap();
    let floor = if models_ready() { 0.95 } else { 0.9 };
    assert!(ari >= floor, "onestop ARI {ari}");
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
    let o = eval_output(&docs, &gold, &["--semantic", "off"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("gold.jsonl:1"), "{}", stderr(&o));
}

#[test]
fn eval_scores_do_not_depend_on_dumping_pairs() {
    // `--dump-pairs` keeps the pairs verified `unrelated` for their features; they must not
    // override the clusters that `dedup` reports.
    let d = shared().join("eval/onestop");
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("pairs.jsonl");
    let plain = eval(&d.join("docs.jsonl"), &d.join("gold.jsonl"));
    let dumped = eval_json(
        &d.join("docs.jsonl"),
        &d.join("gold.jsonl"),
        &["--dump-pairs", dump.to_str().unwrap()],
    );
    assert_eq!(plain["pairs"], dumped["pairs"]);
    assert_eq!(plain["clusters"], dumped["clusters"]);
    // Every verified pair is dumped, those verified `unrelated` included.
    let lines = std::fs::read_to_string(&dump).unwrap();
    assert!(lines.lines().count() > 1_000);
}
