//! A run under a tiny memory budget, where texts, signature values and candidate keys go to
//! temporary files after every few documents, writes the same files as a run that keeps
//! everything in memory.

mod common;

use common::{corpus, files, run};
use retold::Config;

#[test]
fn spilled_run_writes_the_same_files() {
    let mut docs = corpus();
    for (i, d) in docs.iter_mut().enumerate() {
        if i % 4 == 0 {
            d.date = Some(format!("2024-03-{:02}", 1 + i % 28));
        }
    }
    let whole = run(&docs, &Config::default());
    assert!(!whole.stats.spilled && whole.stats.spilled_keys.1 == 0);
    for batch_size in [3, 11, 64] {
        let mut cfg = Config {
            batch_size,
            ..Config::default()
        };
        // Everything beyond a few bytes goes to disk: texts and signature values at once,
        // candidate keys after every batch.
        cfg.set_memory(64);
        let spilled = run(&docs, &cfg);
        assert!(spilled.stats.spilled, "texts went to disk");
        let (bytes, runs) = spilled.stats.spilled_keys;
        assert!(
            bytes > 0 && runs >= 2 * docs.len() / batch_size,
            "keys went to disk in runs ({bytes} bytes, {runs} runs)"
        );
        let (got, want) = (files(&spilled), files(&whole));
        for (name, (g, w)) in ["pairs", "clusters", "keep"]
            .iter()
            .zip(got.iter().zip(&want))
        {
            assert!(
                g == w,
                "{name} differ with batches of {batch_size}:\n--- spilled\n{g}\n--- in memory\n{w}"
            );
        }
    }
    assert!(whole.clusters.len() > 10 && whole.stats.learned_lines > 0);
}
