//! The live index gives one `dedup`'s answers: after batches, and for a query.

mod common;

use common::{corpus, files, run};
use retold::output::pair_line;
use retold::{Config, Document, KeepPolicy, Live};

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
