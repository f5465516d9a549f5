//! Quality gate on the extraction dev set (`shared/eval/extraction` next to the workspace):
//! the benchmark metric (`retold_extract::metric`) over its pages must reach F1 ≥ 0.97.
//! Skipped, with a message, when the directory is absent.

use std::io::Read;
use std::path::Path;

use retold_extract::{extract, metric, ExtractOptions};

const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/eval/extraction"
);
const MIN_F1: f64 = 0.97;

#[test]
fn dev_set_f1() {
    let dir = Path::new(DIR);
    let Ok(gold) = std::fs::read_to_string(dir.join("gold.jsonl")) else {
        eprintln!("skipping: {DIR}/gold.jsonl not found");
        return;
    };
    let mut scores = Vec::new();
    for line in gold.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let id = v["id"].as_str().unwrap();
        let mut gz = Vec::new();
        std::fs::File::open(dir.join("html").join(format!("{id}.html.gz")))
            .unwrap()
            .read_to_end(&mut gz)
            .unwrap();
        let opts = ExtractOptions {
            url: v["url"].as_str().map(str::to_string),
            ..Default::default()
        };
        // The raw gzip bytes, as fetched: extraction detects and decompresses them.
        let page = extract(&gz, &opts).unwrap();
        scores.push(metric::shingle_matching(
            v["articleBody"].as_str().unwrap_or(""),
            &page.article,
        ));
    }
    let (p, r, f1) = metric::aggregate(&scores);
    eprintln!(
        "dev set: {} pages, precision {p:.4}, recall {r:.4}, F1 {f1:.4}",
        scores.len()
    );
    assert!(scores.len() >= 50, "dev set unexpectedly small");
    assert!(f1 >= MIN_F1, "F1 {f1:.4} below {MIN_F1}");
}
