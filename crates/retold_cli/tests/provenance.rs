//! Provenance: the seed pair's original is named, and `eval` scores named originals.

mod common;

use common::{retold, seeds, stderr, stdout};

#[test]
fn the_seed_pairs_original_is_the_voa_article_with_reasons() {
    let (voa, repost) = seeds();
    for (a, b, want) in [(&voa, &repost, "a"), (&repost, &voa, "b")] {
        let o = retold(&[
            "compare",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--json",
            "--semantic",
            "off",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let c: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert_eq!(c["original"], want, "{c}");
        let reason = c["original_reason"].as_str().unwrap();
        assert!(
            reason.contains("attribution line") && reason.contains("machine translation"),
            "{reason}"
        );
    }
}

#[test]
fn eval_scores_the_named_originals() {
    let tmp = tempfile::tempdir().unwrap();
    let body = "The river valley holds seven small villages and one old stone bridge. \
                Farmers there grow barley, apples and a rare kind of blue potato. Visitors \
                arrive in spring when the orchards bloom along the water, and a narrow railway \
                climbs from the valley floor to the northern pass every morning at seven.";
    let other = "A committee of the city council voted on Tuesday to extend the opening hours \
                 of the public library, citing a rise in student visitors during the exams. \
                 The change costs little, officials said, and takes effect next month.";
    let docs = [
        serde_json::json!({"id": "orig", "text": body, "date": "2021-03-01"}),
        serde_json::json!({"id": "copy1", "text": body, "date": "2021-03-04"}),
        serde_json::json!({"id": "copy2", "text": format!("{body}\n"), "date": "2021-03-09"}),
        serde_json::json!({"id": "lib", "text": other, "date": "2021-03-02"}),
        serde_json::json!({"id": "lib-copy", "text": other, "date": "2021-03-02"}),
    ];
    let lines: Vec<String> = docs.iter().map(|d| d.to_string()).collect();
    std::fs::write(tmp.path().join("docs.jsonl"), lines.join("\n") + "\n").unwrap();
    // One gold line names its original; the other's comes from --originals.
    std::fs::write(
        tmp.path().join("gold.jsonl"),
        "{\"cluster\": \"v\", \"docs\": [\"orig\", \"copy1\", \"copy2\"], \"relation\": \"duplicate\"}\n\
         {\"cluster\": \"l\", \"docs\": [\"lib\", \"lib-copy\"], \"relation\": \"duplicate\", \"original\": \"lib\"}\n",
    )
    .unwrap();
    std::fs::write(tmp.path().join("originals.txt"), "orig\n").unwrap();
    let p = |n: &str| tmp.path().join(n).to_str().unwrap().to_string();
    let o = retold(&[
        "eval",
        "--docs",
        &p("docs.jsonl"),
        "--gold",
        &p("gold.jsonl"),
        "--originals",
        &p("originals.txt"),
        "--json",
        "--semantic",
        "off",
        "--dump-provenance",
        &p("votes.jsonl"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let pv = &r["provenance"];
    // The dump: one line per scored cluster, the votes kind by kind (date first).
    let dump = std::fs::read_to_string(tmp.path().join("votes.jsonl")).unwrap();
    let dumped: Vec<serde_json::Value> = dump
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(dumped.len(), 2, "{dump}");
    let v = dumped.iter().find(|c| c["original"] == "orig").unwrap();
    assert_eq!(v["named"], "orig", "{v}");
    let votes = v["votes"].as_array().unwrap();
    // orig before copy1 and copy2, copy1 before copy2: three date votes for the earlier one.
    assert_eq!(votes.len(), 3, "{v}");
    for vote in votes {
        assert_eq!(vote["net"][0], 1, "{vote}");
        assert_eq!(vote["net"].as_array().unwrap().len(), 8, "{vote}");
    }
    let l = dumped.iter().find(|c| c["original"] == "lib").unwrap();
    assert_eq!(l["votes"], serde_json::json!([]), "{l}");
    // Re-deciding the dump under the weights in use gives eval's scores; without dates, the
    // dated cluster has no evidence left.
    let votes = p("votes.jsonl");
    let refit = |extra: &[&str]| {
        let mut args = vec!["provenance-refit", votes.as_str()];
        args.extend_from_slice(extra);
        let o = retold(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        let r: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        r[votes.as_str()].clone()
    };
    let same = refit(&[]);
    assert_eq!(
        (same["right"].as_u64(), same["no_evidence"].as_u64()),
        (Some(1), Some(1)),
        "{same}"
    );
    let dateless = refit(&["--weights", "0,3,2,1.5,3,3,4,1.5"]);
    assert_eq!(
        (dateless["right"].as_u64(), dateless["no_evidence"].as_u64()),
        (Some(0), Some(2)),
        "{dateless}"
    );
    let o = retold(&["provenance-refit", votes.as_str(), "--weights", "1,2"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // The dated cluster is named right; the same-day pair has no evidence.
    assert_eq!(pv["clusters"], 2, "{pv}");
    assert_eq!(pv["right"], 1, "{pv}");
    assert_eq!(pv["wrong"], 0, "{pv}");
    assert_eq!(pv["no_evidence"], 1, "{pv}");
    assert_eq!(pv["right_share_with_evidence"], 1.0, "{pv}");
    // Without any known original there is no provenance score.
    let o = retold(&[
        "eval",
        "--docs",
        &p("docs.jsonl"),
        "--gold",
        &p("gold.jsonl"),
        "--json",
        "--semantic",
        "off",
    ]);
    let r: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(r["provenance"]["clusters"], 1, "{}", r["provenance"]);
}
