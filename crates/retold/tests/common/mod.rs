//! Shared by the facade's integration tests: a corpus of dev documents with planted copies
//! and reposts, one `dedup` run over it, and its output files.
#![allow(dead_code)]

use retold::output::{write_clusters, write_keep, write_pairs};
use retold::{dedup, Config, DedupOutput, Document, IngestError, KeepPolicy, RunOptions};
use std::path::PathBuf;

pub fn shared() -> PathBuf {
    std::env::var_os("RETOLD_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
}

pub fn doc(id: &str, text: &str, source: Option<&str>) -> Document {
    let mut d = Document::new(id, text, retold::Origin::file("docs.jsonl"));
    d.source = source.map(str::to_string);
    d
}

pub const FOOTER: &str = "The river valley holds seven small villages and one old stone bridge\n\
    Farmers there grow barley, apples and a rare kind of blue potato\n\
    Visitors arrive in spring when the orchards bloom along the water\n\
    A narrow railway climbs from the valley floor to the northern pass\n";

/// Dev documents (OneStop rewrites, SemEval stories) and, after their originals, planted
/// copies and reposts wrapped in the lines of two sites, whose lines become learned
/// boilerplate only as more of their pages arrive.
pub fn corpus() -> Vec<Document> {
    let mut base = Vec::new();
    for (set, n) in [("onestop", 60), ("semeval", 40)] {
        let path = shared().join("eval").join(set).join("docs.jsonl");
        let text = std::fs::read_to_string(&path).expect("dev docs (set RETOLD_SHARED)");
        for l in text.lines().take(n) {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            base.push(doc(
                v["id"].as_str().unwrap(),
                v["text"].as_str().unwrap(),
                None,
            ));
        }
    }
    let mut all = Vec::new();
    for (k, d) in base.into_iter().enumerate() {
        let text = d.text.clone();
        all.push(d);
        if k % 4 == 1 {
            let site = ["daily.example", "wire.example"][k % 2];
            let wrapped = format!(
                "{site} | Home | World | Business\nSubscribe to the {site} newsletter for the \
                 morning briefing\n\n{text}\n\nMore from {site}: the most read stories of the \
                 week, chosen by our editors\n"
            );
            all.push(doc(&format!("repost-{k}"), &wrapped, Some(site)));
        } else if k % 20 == 10 && k < 60 {
            // A block about a valley under the start of an article, on no named site: learned
            // as boilerplate once a third such page arrives.
            let start: String = text.chars().take(1500).collect();
            all.push(doc(
                &format!("wrap-{k}"),
                &format!("{start}\n\n{FOOTER}"),
                None,
            ));
        } else if k % 7 == 3 {
            all.push(doc(&format!("copy-{k}"), &text, None));
        }
    }
    all
}

pub fn run(docs: &[Document], cfg: &Config) -> DedupOutput {
    let mut on_bad = |_: &IngestError| false;
    dedup(
        docs.iter().cloned().map(Ok),
        cfg,
        RunOptions {
            keep: KeepPolicy::Original,
            on_bad: &mut on_bad,
            progress: &|_| {},
            models: None,
        },
    )
    .unwrap()
}

pub fn files(out: &DedupOutput) -> [String; 3] {
    let mut bufs = [Vec::new(), Vec::new(), Vec::new()];
    write_pairs(&mut bufs[0], out).unwrap();
    write_clusters(&mut bufs[1], out).unwrap();
    write_keep(&mut bufs[2], out).unwrap();
    bufs.map(|b| String::from_utf8(b).unwrap())
}
