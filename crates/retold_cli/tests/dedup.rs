//! `retold dedup` end to end: copies, reposts in shared chrome, partial reuse, keep-list,
//! determinism across thread counts, bad input.

mod common;
use common::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;

/// One article per onestop cluster (the levels of a cluster are rewrites of each other).
fn bases(n: usize) -> Vec<String> {
    let docs = std::fs::read_to_string(shared().join("eval/onestop/docs.jsonl")).unwrap();
    let gold = std::fs::read_to_string(shared().join("eval/onestop/gold.jsonl")).unwrap();
    let texts: BTreeMap<String, String> = docs
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["id"].as_str().unwrap().to_string(),
                v["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    gold.lines()
        .take(n)
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            texts[v["docs"][0].as_str().unwrap()].clone()
        })
        .collect()
}

fn paragraphs(t: &str) -> Vec<&str> {
    t.split("\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

fn chrome(site: &str, body: &str) -> String {
    format!(
        "Skip to content\nHome | World | Politics | Sport\nBreaking News\n\n{body}\n\nShare this:\nFacebook\nTwitter\n\nRelated Articles\n\nMarkets rally as inflation cools in the euro zone\nInvestors cheered new figures that showed prices rising more slowly than…\n\nLeave a Reply\n\nYour email address will not be published. Required fields are marked *\n\nCopyright © 2024 {site}. All rights reserved."
    )
}

/// Writes the fixture corpus; returns its path.
fn corpus(dir: &Path) -> std::path::PathBuf {
    let b = bases(10);
    let mut lines = Vec::new();
    let mut push = |id: &str, text: String, date: &str, source: &str| {
        lines.push(json!({"id": id, "text": text, "date": date, "source": source}).to_string());
    };
    for (i, t) in b.iter().enumerate() {
        push(
            &format!("base{i}"),
            t.clone(),
            "2024-01-01",
            &format!("paper{i}"),
        );
    }
    // Exact copy up to formatting.
    push(
        "copy0",
        b[0].replace('\'', "\u{2019}").replace("\n", "\n\n"),
        "2024-01-03",
        "aggregator",
    );
    // Repost of base1 in a farm's chrome, first paragraph dropped.
    let p1 = paragraphs(&b[1]);
    push(
        "repost1",
        chrome("Daily Farm", &p1[1..].join("\n\n")),
        "2024-01-02",
        "dailyfarm",
    );
    // Two other articles in the same farm's chrome: must not match each other.
    push(
        "farm4",
        chrome("Daily Farm", &b[4]),
        "2024-01-02",
        "dailyfarm",
    );
    push(
        "farm5",
        chrome("Daily Farm", &b[5]),
        "2024-01-02",
        "dailyfarm",
    );
    // A new article: the first half of base2 with three paragraphs of base3 quoted in it.
    let p2 = paragraphs(&b[2]);
    let p3 = paragraphs(&b[3]);
    let half = p2.len() / 2;
    let host = [&p2[..half], &p3[2..5]].concat().join("\n\n");
    push("host23", host, "2024-01-05", "paper-host");
    let path = dir.join("corpus.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

fn relation_of(pairs: &[Value], x: &str, y: &str) -> Option<String> {
    pairs
        .iter()
        .find(|p| (p["a"] == x && p["b"] == y) || (p["a"] == y && p["b"] == x))
        .map(|p| p["relation"].as_str().unwrap().to_string())
}

#[test]
fn finds_copies_reposts_and_partial_reuse() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path());
    let out = dir.path().join("out");
    let o = retold(&[
        "dedup",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("15 documents"), "{}", stdout(&o));
    let pairs = read_jsonl(&out.join("pairs.jsonl"));
    assert_eq!(
        relation_of(&pairs, "base0", "copy0").as_deref(),
        Some("duplicate")
    );
    assert_eq!(
        relation_of(&pairs, "base1", "repost1").as_deref(),
        Some("duplicate")
    );
    assert_eq!(
        relation_of(&pairs, "base3", "host23").as_deref(),
        Some("partial")
    );
    assert_eq!(
        relation_of(&pairs, "base2", "host23").as_deref(),
        Some("partial")
    );
    assert_eq!(
        relation_of(&pairs, "farm4", "farm5"),
        None,
        "shared chrome is not reuse"
    );
    assert_eq!(
        relation_of(&pairs, "repost1", "farm4"),
        None,
        "shared chrome is not reuse"
    );
    // Passages carry offsets into the original texts.
    let p = pairs
        .iter()
        .find(|p| p["b"] == "host23" && p["a"] == "base3")
        .unwrap();
    assert!(!p["passages"].as_array().unwrap().is_empty());

    let clusters = read_jsonl(&out.join("clusters.jsonl"));
    let c0 = clusters
        .iter()
        .find(|c| c["docs"].as_array().unwrap().contains(&json!("copy0")))
        .unwrap();
    assert_eq!(c0["docs"], json!(["base0", "copy0"]));
    assert_eq!(c0["relation"], "duplicate");
    assert_eq!(
        c0["original"], "base0",
        "earliest date: {}",
        c0["original_reason"]
    );
    assert!(c0["story"].is_string());
    assert!(
        clusters
            .iter()
            .all(|c| !c["docs"].as_array().unwrap().contains(&json!("host23"))),
        "partial reuse is a link, not a cluster edge"
    );

    let keep = std::fs::read_to_string(out.join("keep.txt")).unwrap();
    let keep: Vec<&str> = keep.lines().collect();
    assert!(keep.contains(&"base0") && !keep.contains(&"copy0"));
    assert!(keep.contains(&"base1") && !keep.contains(&"repost1"));
    assert!(
        keep.contains(&"base4") && !keep.contains(&"farm4"),
        "the repost goes"
    );
    assert!(keep.contains(&"base2") && keep.contains(&"base3") && keep.contains(&"host23"));
    assert_eq!(keep.len(), 11, "{keep:?}");
}

#[test]
fn output_does_not_depend_on_threads() {
    let dir = tempfile::tempdir().unwrap();
    let input = shared().join("eval/onestop/docs.jsonl");
    let mut outs = Vec::new();
    for t in ["1", "2", "3"] {
        let out = dir.path().join(format!("out{t}"));
        let o = retold(&[
            "dedup",
            input.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--threads",
            t,
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        outs.push(out);
    }
    for f in ["pairs.jsonl", "clusters.jsonl", "keep.txt"] {
        let first = std::fs::read(outs[0].join(f)).unwrap();
        assert!(!first.is_empty() || f == "pairs.jsonl");
        for o in &outs[1..] {
            assert_eq!(
                first,
                std::fs::read(o.join(f)).unwrap(),
                "{f} differs across --threads"
            );
        }
    }
}

#[test]
fn keep_policies() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path());
    let run = |policy: &str| {
        let out = dir.path().join(format!("keep-{policy}"));
        let o = retold(&[
            "dedup",
            input.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--keep",
            policy,
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        std::fs::read_to_string(out.join("keep.txt")).unwrap()
    };
    let first = run("first");
    assert!(first.lines().any(|l| l == "base1") && !first.lines().any(|l| l == "repost1"));
    let longest = run("longest");
    // The repost dropped a paragraph: the base is longer.
    assert!(longest.lines().any(|l| l == "base1"));
    let o = retold(&[
        "dedup",
        input.to_str().unwrap(),
        "--out",
        "x",
        "--keep",
        "newest",
    ]);
    assert_eq!(o.status.code(), Some(1), "a bad flag value is a user error");
    assert!(stderr(&o).contains("original"), "{}", stderr(&o));
}

#[test]
fn bad_lines_stop_with_file_and_line_or_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("bad.jsonl");
    let mut body = String::new();
    body.push_str(&json!({"id": "1", "text": "first document text here"}).to_string());
    body.push('\n');
    body.push_str("{\"id\": \"2\", \"text\": \n");
    body.push_str(&json!({"id": "3", "text": "third document text"}).to_string());
    body.push('\n');
    body.push_str(&json!({"id": "1", "text": "duplicate id"}).to_string());
    body.push('\n');
    std::fs::write(&input, body).unwrap();
    let out = dir.path().join("out");
    let o = retold(&[
        "dedup",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("bad.jsonl:2"), "names file and line: {e}");
    assert_eq!(e.trim().lines().count(), 1, "one clear line: {e}");
    assert!(!out.join("keep.txt").exists(), "nothing written on error");

    let o = retold(&[
        "dedup",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--skip-bad",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("skipped bad records: 2"),
        "{}",
        stdout(&o)
    );
    let keep = std::fs::read_to_string(out.join("keep.txt")).unwrap();
    assert_eq!(keep, "1\n3\n");
}

#[test]
fn directory_of_text_files_and_empty_documents() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("docs");
    std::fs::create_dir_all(d.join("sub")).unwrap();
    let b = bases(2);
    std::fs::write(d.join("a.txt"), &b[0]).unwrap();
    std::fs::write(d.join("sub/b.md"), format!("# Reposted\n\n{}", b[0])).unwrap();
    std::fs::write(d.join("c.txt"), &b[1]).unwrap();
    std::fs::write(d.join("empty.txt"), "").unwrap();
    let out = dir.path().join("out");
    let o = retold(&["dedup", d.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("empty documents: 1"), "{}", stdout(&o));
    let pairs = read_jsonl(&out.join("pairs.jsonl"));
    assert_eq!(
        relation_of(&pairs, "a.txt", "sub/b.md").as_deref(),
        Some("duplicate")
    );
    let keep = std::fs::read_to_string(out.join("keep.txt")).unwrap();
    assert!(
        keep.lines().any(|l| l == "empty.txt"),
        "empty documents are kept, not lost"
    );
}

#[test]
fn memory_budget_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let input = shared().join("eval/onestop/docs.jsonl");
    for (value, says) in [("100K", "at least 1M"), ("2X", "unknown unit")] {
        let o = retold(&[
            "dedup",
            input.to_str().unwrap(),
            "--out",
            dir.path().join("out").to_str().unwrap(),
            "--memory",
            value,
        ]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(stderr(&o).contains(says), "{}", stderr(&o));
        assert!(!dir.path().join("out").exists(), "nothing written");
    }
}
