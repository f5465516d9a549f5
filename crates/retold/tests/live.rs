//! The live index gives one `dedup`'s answers: after batches, and for a query.

use retold::output::{pair_line, write_clusters, write_keep, write_pairs};
use retold::{dedup, Config, DedupOutput, Document, IngestError, KeepPolicy, Live, RunOptions};
use std::path::PathBuf;

fn shared() -> PathBuf {
    std::env::var_os("RETOLD_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
}

fn doc(id: &str, text: &str, source: Option<&str>) -> Document {
    let mut d = Document::new(id, text, retold::Origin::file("docs.jsonl"));
    d.source = source.map(str::to_string);
    d
}

const FOOTER: &str = "The river valley holds seven small villages and one old stone bridge\n\
    Farmers there grow barley, apples and a rare kind of blue potato\n\
    Visitors arrive in spring when the orchards bloom along the water\n\
    A narrow railway climbs from the valley floor to the northern pass\n";

/// Dev documents (OneStop rewrites, SemEval stories) and, after their originals, planted
/// copies and reposts wrapped in the lines of two sites, whose lines become learned
/// boilerplate only as more of their pages arrive.
fn corpus() -> Vec<Document> {
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

fn run(docs: &[Document], cfg: &Config) -> DedupOutput {
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

fn files(out: &DedupOutput) -> [String; 3] {
    let mut bufs = [Vec::new(), Vec::new(), Vec::new()];
    write_pairs(&mut bufs[0], out).unwrap();
    write_clusters(&mut bufs[1], out).unwrap();
    write_keep(&mut bufs[2], out).unwrap();
    bufs.map(|b| String::from_utf8(b).unwrap())
}

#[test]
fn batches_and_queries_give_the_answers_of_one_dedup() {
    let cfg = Config::default();
    let all = corpus();
    let whole = run(&all, &cfg);
    let want = files(&whole);
    assert!(
        whole.pairs.len() > 50 && whole.clusters.len() > 10,
        "a corpus with matches"
    );

    let mut live = Live::new(&cfg, None, KeepPolicy::Original);
    let size = all.len().div_ceil(10);
    let (mut touched, mut reused) = (0, 0);
    for chunk in all.chunks(size) {
        let r = live.add(chunk.to_vec(), &|_| {}).unwrap();
        touched += r.touched_docs;
        reused += r.candidates - r.verified;
    }
    // Not vacuous: learned boilerplate changed under stored documents, and verdicts were kept.
    assert!(
        touched > 0 && reused > 0,
        "touched {touched}, reused {reused}"
    );
    let got = files(live.output());
    for (name, (g, w)) in ["pairs", "clusters", "keep"]
        .iter()
        .zip(got.iter().zip(&want))
    {
        assert_eq!(g, w, "{name} differ between ten live batches and one dedup");
    }

    // A query's pairs are those one dedup over the documents plus the query gives it: a copy,
    // a repost on a site whose lines are learned, and a reworded version.
    let (held, stored): (Vec<_>, Vec<_>) = all
        .iter()
        .cloned()
        .enumerate()
        .partition(|(i, d)| i % 11 == 6 || d.id == "wrap-50");
    let held: Vec<Document> = held.into_iter().map(|x| x.1).collect();
    let stored: Vec<Document> = stored.into_iter().map(|x| x.1).collect();
    let mut live = Live::new(&cfg, None, KeepPolicy::Original);
    live.add(stored.to_vec(), &|_| {}).unwrap();
    let mut matched = 0;
    for q in &held {
        let mut with_q = stored.to_vec();
        with_q.push(q.clone());
        let full = run(&with_q, &cfg);
        let qi = stored.len() as u32;
        let want: Vec<serde_json::Value> = full
            .pairs
            .iter()
            .filter(|p| p.b == qi)
            .map(|p| serde_json::from_str(&serde_json::to_string(&pair_line(&full, p)).unwrap()))
            .collect::<Result<_, _>>()
            .unwrap();
        let got = live.query(q.clone()).unwrap();
        assert_eq!(got.matches, want, "query {}", q.id);
        matched += usize::from(!want.is_empty());
    }
    assert!(
        matched >= 5,
        "only {matched} of {} queries had matches",
        held.len()
    );
}
