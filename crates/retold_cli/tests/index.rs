//! `retold index`: batches add up to one `dedup`; a killed `add` loses nothing acknowledged and
//! leaves no half batch.

mod common;

use common::{index_corpus as corpus, read_jsonl, retold, stderr, stdout};
use std::path::Path;
use std::process::Command;

/// A temporary directory with the test corpus and an empty index `ix` in it.
fn setup() -> (tempfile::TempDir, Vec<String>, String) {
    let tmp = tempfile::tempdir().unwrap();
    let all = corpus(tmp.path());
    let ix = tmp.path().join("ix").to_str().unwrap().to_string();
    let o = retold(&["index", "create", &ix]);
    assert!(o.status.success(), "{}", stderr(&o));
    (tmp, all, ix)
}

#[test]
fn ten_batches_give_the_results_of_one_dedup() {
    let (tmp, all, ix) = setup();
    let ix_s = ix.as_str();
    let size = all.len().div_ceil(10);
    for (k, chunk) in all.chunks(size).enumerate() {
        let f = tmp.path().join(format!("batch-{k}.jsonl"));
        std::fs::write(&f, chunk.join("\n") + "\n").unwrap();
        let o = retold(&[
            "index",
            "add",
            ix_s,
            f.to_str().unwrap(),
            "-q",
            "--semantic",
            "off",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(
            stdout(&o).contains(&format!("batch {} committed", k + 1)),
            "{}",
            stdout(&o)
        );
    }
    let whole = common::assert_index_is_one_dedup(Path::new(ix_s), tmp.path(), "ten batches");
    // Not vacuous: the planted copies are found.
    let pairs = read_jsonl(&whole.join("pairs.jsonl"));
    let mut copies: Vec<&str> = pairs
        .iter()
        .filter(|p| p["relation"] == "duplicate")
        .flat_map(|p| [p["a"].as_str().unwrap(), p["b"].as_str().unwrap()])
        .filter(|id| id.starts_with("copy-"))
        .collect();
    copies.sort_unstable();
    copies.dedup();
    let copies = copies.len();
    assert!(copies >= 15, "only {copies} planted copies found");

    // A planted copy queried against the index is matched to its original.
    let orig: serde_json::Value = serde_json::from_str(&all[0]).unwrap();
    let q = tmp.path().join("query.txt");
    std::fs::write(&q, orig["text"].as_str().unwrap()).unwrap();
    let o = retold(&[
        "index",
        "query",
        ix_s,
        q.to_str().unwrap(),
        "--json",
        "-q",
        "--semantic",
        "off",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let res: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let matched: Vec<&str> = res["matches"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| [m["a"].as_str().unwrap(), m["b"].as_str().unwrap()])
        .collect();
    assert!(matched.contains(&orig["id"].as_str().unwrap()), "{res}");
    // The query's pairs are those of one dedup over the index's documents plus the query.
    let with_q = tmp.path().join("with-query.jsonl");
    let qid = q.to_str().unwrap();
    let mut lines = all.clone();
    lines.push(serde_json::json!({"id": qid, "text": orig["text"]}).to_string());
    std::fs::write(&with_q, lines.join("\n") + "\n").unwrap();
    let wq = tmp.path().join("wq");
    let o = retold(&[
        "dedup",
        with_q.to_str().unwrap(),
        "--out",
        wq.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let expected: Vec<serde_json::Value> = read_jsonl(&wq.join("pairs.jsonl"))
        .into_iter()
        .filter(|p| p["a"] == qid || p["b"] == qid)
        .collect();
    assert_eq!(res["matches"].as_array().unwrap(), &expected);
    let cl = &res["cluster"]["docs"];
    assert!(
        cl.as_array().unwrap().iter().any(|d| d == qid) && cl.as_array().unwrap().len() > 2,
        "{res}"
    );
    for m in res["matches"].as_array().unwrap() {
        for f in common::PAIR_FIELDS {
            assert!(m.get(f).is_some(), "match without {f}: {m}");
        }
    }
    // Other run settings than the index was built with are refused, naming both.
    let o = retold(&[
        "index",
        "query",
        ix_s,
        q.to_str().unwrap(),
        "-q",
        "--semantic",
        "off",
        "--keep",
        "longest",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("--keep original") && stderr(&o).contains("--keep longest"),
        "{}",
        stderr(&o)
    );
    // A duplicate id is refused and changes nothing.
    let again = tmp.path().join("batch-0.jsonl");
    let o = retold(&[
        "index",
        "add",
        ix_s,
        again.to_str().unwrap(),
        "-q",
        "--semantic",
        "off",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("already in the index"),
        "{}",
        stderr(&o)
    );
}

fn stats(ix: &str) -> (u64, u64) {
    let o = retold(&["index", "stats", ix, "--json"]);
    assert!(o.status.success(), "index does not open: {}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    (v["docs"].as_u64().unwrap(), v["batches"].as_u64().unwrap())
}

#[test]
fn an_add_killed_at_any_point_leaves_whole_batches_only() {
    let (tmp, all, ix) = setup();
    let ix_s = ix.as_str();
    // Deterministic pseudo-random kill points (xorshift), from before the first read to
    // after the commit.
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let (mut acked, mut killed_whole, mut killed_none) = (0, 0, 0);
    let mut from = 0;
    for k in 0..16 {
        let n = 5 + (next() % 15) as usize;
        let batch: Vec<String> = all[from % all.len()..].iter().take(n).cloned().collect();
        let n = batch.len();
        // Fresh ids per round, so every batch is new to the index.
        let batch: Vec<String> = batch
            .into_iter()
            .map(|l| {
                let mut v: serde_json::Value = serde_json::from_str(&l).unwrap();
                v["id"] = format!("r{k}-{}", v["id"].as_str().unwrap()).into();
                v.to_string()
            })
            .collect();
        from += n;
        let f = tmp.path().join(format!("kill-{k}.jsonl"));
        std::fs::write(&f, batch.join("\n") + "\n").unwrap();
        let before = stats(ix_s);
        let mut child = Command::new(env!("CARGO_BIN_EXE_retold"))
            .args(["index", "add", ix_s, f.to_str().unwrap(), "-q"])
            .args(["--semantic", "off"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(next() % 250));
        let _ = child.kill(); // SIGKILL on Unix
        let out = child.wait_with_output().unwrap();
        let ack =
            out.status.success() && String::from_utf8_lossy(&out.stdout).contains("committed");
        let after = stats(ix_s);
        let (dd, db) = (after.0 - before.0, after.1 - before.1);
        if ack {
            acked += 1;
            assert_eq!(
                (dd, db),
                (n as u64, 1),
                "acknowledged batch {k} not stored whole"
            );
        } else if db == 1 {
            killed_whole += 1;
            assert_eq!(dd, n as u64, "batch {k} stored in part");
        } else {
            killed_none += 1;
            assert_eq!((dd, db), (0, 0), "batch {k} stored in part");
        }
    }
    // The stored results are those of one dedup over what the index holds.
    let o = retold(&[
        "index",
        "export",
        ix_s,
        "--out",
        tmp.path().join("x").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        killed_none > 0 && acked + killed_whole > 0,
        "kill points did not cover both sides of the commit: acked {acked}, killed after commit {killed_whole}, before {killed_none}"
    );
}

#[test]
fn a_directory_without_an_index_is_a_clear_user_error() {
    let tmp = tempfile::tempdir().unwrap();
    let o = retold(&["index", "stats", tmp.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("no retold index here"),
        "{}",
        stderr(&o)
    );
    let ix = tmp.path().join("ix");
    assert!(retold(&["index", "create", ix.to_str().unwrap()])
        .status
        .success());
    let o = retold(&["index", "create", ix.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
}
