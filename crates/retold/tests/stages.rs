//! The stages of `dedup`, composed one key, pair and component at a time as a distributed run
//! composes them, give `dedup`'s files exactly.

mod common;

use common::{corpus, files, run};
use retold::stages::run_composed;
use retold::{Config, KeepPolicy};

fn check(cfg: &Config) -> (usize, usize) {
    let mut docs = corpus();
    for (i, d) in docs.iter_mut().enumerate() {
        if i % 3 == 0 {
            d.date = Some(format!("2024-{:02}-{:02}", 1 + i % 12, 1 + i % 28));
        }
        if i % 5 == 0 {
            d.lang = Some("en".into());
        }
    }
    let whole = run(&docs, cfg);
    let composed = run_composed(&docs, cfg, KeepPolicy::Original);
    assert_eq!(
        composed.candidates, whole.stats.candidates,
        "candidate pairs"
    );
    let mut out = whole.clone();
    out.pairs = composed.pairs;
    out.clusters = composed.clusters;
    out.keep = composed.keep;
    let (got, want) = (files(&out), files(&whole));
    for (name, (g, w)) in ["pairs", "clusters", "keep"]
        .iter()
        .zip(got.iter().zip(&want))
    {
        assert!(g == w, "{name} differ:\n--- composed\n{g}\n--- dedup\n{w}");
    }
    assert!(whole.stats.learned_lines > 0, "boilerplate was learned");
    let stories: std::collections::BTreeSet<&str> =
        whole.clusters.iter().map(|c| c.story.as_str()).collect();
    (whole.clusters.len(), stories.len())
}

#[test]
fn composed_stages_equal_dedup() {
    let (clusters, _) = check(&Config::default());
    assert!(clusters > 10, "a corpus with clusters ({clusters})");
}

#[test]
fn composed_stages_equal_dedup_with_capped_buckets() {
    // Small caps: LSH buckets above 2 documents chain, seeds in more than 3 are ignored.
    let cfg = Config {
        lsh_max_bucket: 2,
        seed_max_df: 3,
        ..Config::default()
    };
    check(&cfg);
}
