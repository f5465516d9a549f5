//! Helpers shared by the CLI integration tests.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `../shared` beside the repository; panics with a clear message when missing.
pub fn shared() -> PathBuf {
    let p = std::env::var_os("RETOLD_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared"));
    assert!(
        p.join("seeds").is_dir(),
        "the shared data directory is missing at {} (set RETOLD_SHARED)",
        p.display()
    );
    p
}

/// The seed pair: (original article 001, repost 000).
pub fn seeds() -> (PathBuf, PathBuf) {
    let s = shared().join("seeds");
    (
        s.join("001_14b810edc8f7e6fe.txt"),
        s.join("000_ace5d332109f866a.txt"),
    )
}

/// Runs the retold binary. A `dedup` run is lexical (`--semantic off`) unless the test passes
/// `--semantic` itself: the lexical tests stay fast and independent of installed models; the
/// semantic layer has its own tests (`semantic.rs`, `quality.rs`).
pub fn retold(args: &[&str]) -> Output {
    let mut args: Vec<&str> = args.to_vec();
    if args.first() == Some(&"dedup") && !args.contains(&"--semantic") {
        args.extend(["--semantic", "off"]);
    }
    Command::new(env!("CARGO_BIN_EXE_retold"))
        .args(args)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .output()
        .expect("run retold")
}

/// `retold eval --docs DOCS --gold GOLD ARGS...`.
pub fn eval_output(docs: &std::path::Path, gold: &std::path::Path, args: &[&str]) -> Output {
    let mut all = vec![
        "eval",
        "--docs",
        docs.to_str().unwrap(),
        "--gold",
        gold.to_str().unwrap(),
    ];
    all.extend_from_slice(args);
    retold(&all)
}

/// `retold eval --docs DOCS --gold GOLD --json ARGS...`: asserts success and returns the report.
pub fn eval_json(
    docs: &std::path::Path,
    gold: &std::path::Path,
    args: &[&str],
) -> serde_json::Value {
    let o = eval_output(docs, gold, &[&["--json"], args].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

/// stdout as a string.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// stderr as a string.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The JSON values of a JSONL file, one a line.
pub fn read_jsonl(p: &std::path::Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(p)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// True when the embedding models are installed (a `compare --semantic on` of the seeds
/// succeeds); panics when they are required (`RETOLD_REQUIRE_MODELS=1`, as `scripts/test.sh`
/// sets) but missing. Tests of the semantic layer return early (with a note) when false.
pub fn models_ready() -> bool {
    static READY: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *READY.get_or_init(probe_models)
}

/// Probes once per test binary whether the models load (see [`models_ready`]).
fn probe_models() -> bool {
    let (a, b) = seeds();
    let o = retold(&[
        "compare",
        "--semantic",
        "on",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
    ]);
    if o.status.success() {
        return true;
    }
    assert!(
        std::env::var("RETOLD_REQUIRE_MODELS").as_deref() != Ok("1"),
        "models required but missing: {}",
        stderr(&o)
    );
    eprintln!("skipping: embedding models not installed ({})", stderr(&o));
    false
}

/// The texts of one side's boilerplate spans (`side` of `compare --json`, `text` its chars).
pub fn marked(side: &serde_json::Value, text: &[char]) -> Vec<String> {
    side["boilerplate"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let (s, e) = (
                r[0].as_u64().unwrap() as usize,
                r[1].as_u64().unwrap() as usize,
            );
            assert!(s <= e && e <= text.len(), "span inside the text");
            text[s..e].iter().collect::<String>()
        })
        .collect()
}

/// Runs `retold dedup INPUT --out OUT EXTRA...` (lexical unless `extra` names `--semantic`),
/// asserts it succeeded, and returns its pairs.jsonl.
pub fn dedup_pairs(
    input: &std::path::Path,
    out: &std::path::Path,
    extra: &[&str],
) -> Vec<serde_json::Value> {
    let mut args = vec![
        "dedup",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = retold(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    read_jsonl(&out.join("pairs.jsonl"))
}

/// The fields of a `pairs.jsonl` line (also of `index query` and the API's matches).
pub const PAIR_FIELDS: [&str; 7] = [
    "a",
    "b",
    "relation",
    "confidence",
    "exact",
    "scores",
    "passages",
];

/// A corpus from the dev data (OneStop rewrites and SemEval stories, in their three files'
/// order) plus planted copies: exact ones and reposts inside another site's lines.
pub fn index_corpus(dir: &std::path::Path) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for (set, n) in [("onestop", 90), ("semeval", 60)] {
        let text = std::fs::read_to_string(shared().join("eval").join(set).join("docs.jsonl"))
            .expect("dev docs");
        lines.extend(text.lines().take(n).map(str::to_string));
    }
    let mut planted = Vec::new();
    for (k, l) in lines.iter().enumerate().step_by(9) {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        let text = v["text"].as_str().unwrap();
        let copy = if k % 2 == 0 {
            text.to_string()
        } else {
            format!(
                "Home | News | Sport\nShare this story\n\n{text}\n\nRead more on Example Daily\n"
            )
        };
        planted.push(serde_json::json!({"id": format!("copy-{k}"), "text": copy}).to_string());
    }
    // Copies come after their originals, interleaved with the rest.
    let mut all = Vec::new();
    let mut p = planted.into_iter();
    for (k, l) in lines.into_iter().enumerate() {
        all.push(l);
        if k % 3 == 2 {
            all.extend(p.next());
        }
    }
    all.extend(p);
    std::fs::write(dir.join("all.jsonl"), all.join("\n") + "\n").unwrap();
    all
}

/// Asserts that `retold index export IX` writes byte for byte the `pairs.jsonl`,
/// `clusters.jsonl` and `keep.txt` of `retold dedup` over `dir/all.jsonl` (see
/// [`index_corpus`]); returns the dedup's output folder.
pub fn assert_index_is_one_dedup(
    ix: &std::path::Path,
    dir: &std::path::Path,
    how: &str,
) -> PathBuf {
    let (exported, whole) = (dir.join("exported"), dir.join("whole"));
    let o = retold(&[
        "index",
        "export",
        ix.to_str().unwrap(),
        "--out",
        exported.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let all = dir.join("all.jsonl");
    let o = retold(&[
        "dedup",
        all.to_str().unwrap(),
        "--out",
        whole.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    for name in ["pairs.jsonl", "clusters.jsonl", "keep.txt"] {
        let (x, y) = (
            std::fs::read_to_string(exported.join(name)).unwrap(),
            std::fs::read_to_string(whole.join(name)).unwrap(),
        );
        assert_eq!(x, y, "{name} differs between {how} and dedup");
    }
    whole
}
