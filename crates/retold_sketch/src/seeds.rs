//! Passage seeds (winnowed k-token shingles) and their inverted index.

use rayon::prelude::*;

use crate::hash::{for_each_shingle, mix64};
use crate::pairs::{pack, shared_pairs, unpack};
use retold_runs::{KeyRuns, RunsError};

/// Parameters of [`passage_seeds`].
#[derive(Clone, Copy, Debug)]
pub struct SeedParams {
    /// Tokens per shingle (8 by default; 0 acts as 1).
    pub k: usize,
    /// Winnowing window in shingles (12 by default; 0 acts as 1). Any run of at least
    /// `window + k − 1` tokens shared by two documents yields at least one shared seed.
    pub window: usize,
}

impl Default for SeedParams {
    fn default() -> Self {
        SeedParams { k: 8, window: 12 }
    }
}

/// Key mixed into shingle hashes so that seeds are unrelated to MinHash values.
const SEED_KEY: u64 = 0x7365_6564_735F_6B21;

/// Winnowing fingerprints (Schleimer, Wilkerson & Aiken, 2003) of the document's `k`-token
/// shingles, deduplicated and sorted.
///
/// Every shingle is hashed (rolling, O(1) per token); in every window of `window` consecutive
/// shingle hashes the minimum is selected (the rightmost one on ties) and the selected values
/// form the fingerprint set. Hence any run of `window + k − 1` tokens common to two documents
/// contains a whole window of identical shingles, whose minimum both select: the guarantee
/// threshold. Nothing shorter than `k` tokens is fingerprinted (a document of fewer than `k`
/// tokens has no seeds); a document of fewer than `window` shingles gets its one minimum.
/// The density is about `2 / (window + 1)` seeds per token.
pub fn passage_seeds(token_hashes: &[u64], p: SeedParams) -> Vec<u64> {
    let k = p.k.max(1);
    let w = p.window.max(1);
    if token_hashes.len() < k {
        return Vec::new();
    }
    let mut hs = Vec::with_capacity(token_hashes.len() + 1 - k);
    for_each_shingle(token_hashes, k, |h| hs.push(mix64(h ^ SEED_KEY)));
    let mut out = Vec::with_capacity(2 * hs.len() / (w + 1) + 1);
    if hs.len() <= w {
        out.extend(hs.iter().min().copied());
        return out;
    }
    // `best`: position of the selected (rightmost minimal) hash of the current window.
    let mut best = usize::MAX;
    for end in w - 1..hs.len() {
        let start = end + 1 - w;
        if best == usize::MAX || best < start {
            // The previous minimum left the window: rescan it (expected O(1) amortised).
            let mut pos = start;
            for i in start..=end {
                if hs[i] <= hs[pos] {
                    pos = i;
                }
            }
            best = pos;
            out.push(hs[best]);
        } else if hs[end] <= hs[best] {
            best = end;
            out.push(hs[best]);
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Maximum number of packed pair keys materialised at once by
/// [`SeedIndex::candidate_pairs`] (128 MiB); more are processed in passes over document ranges.
const PAIR_BUDGET: u64 = 1 << 24;

/// An inverted index from passage seeds to documents: insert every document's seeds, then ask
/// for the pairs sharing enough of them.
///
/// Stored as one flat `Vec<(seed, doc)>` (16 bytes an entry); [`SeedIndex::candidate_pairs`]
/// sorts a copy, reads posting lists off as runs, and counts pairs by sorting packed pair keys
/// (no hash map). Output does not depend on insert or merge order, nor on the thread count.
///
/// Entries beyond the run's memory budget go to sorted runs on disk ([`SeedIndex::spill`],
/// `retold_runs`); [`SeedIndex::candidate_pairs`] then merges them back and gives the same
/// pairs.
#[derive(Debug, Default)]
pub struct SeedIndex {
    entries: Vec<(u64, u32)>,
    runs: KeyRuns,
}

impl SeedIndex {
    /// An empty index.
    pub fn new() -> Self {
        SeedIndex::default()
    }

    /// Adds a document's seeds (duplicates are harmless).
    pub fn insert(&mut self, doc: u32, seeds: &[u64]) {
        self.entries.extend(seeds.iter().map(|&s| (s, doc)));
    }

    /// Adds every document of `other` (entries in memory; neither index may have spilled).
    pub fn merge(&mut self, other: SeedIndex) {
        if self.entries.is_empty() {
            self.entries = other.entries;
        } else {
            self.entries.extend_from_slice(&other.entries);
        }
    }

    /// Number of (seed, document) entries: in memory, plus those on disk (after dropping
    /// repeats within each run).
    pub fn len(&self) -> usize {
        self.entries.len() + self.runs.entries() as usize
    }

    /// True when nothing was inserted.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Moves the entries held in memory to a sorted run on disk.
    pub fn spill(&mut self) -> Result<(), RunsError> {
        self.runs.spill(&mut self.entries)
    }

    /// The runs on disk.
    pub fn runs(&self) -> &KeyRuns {
        &self.runs
    }

    /// Bytes on disk and runs (as [`crate::LshIndex::spilled`]).
    pub fn spilled(&self) -> (u64, usize) {
        (self.runs.bytes(), self.runs.runs())
    }

    /// All pairs `(a, b, shared)`, `a < b`, sorted, where `shared ≥ min_shared` (0 acts as 1) is
    /// the number of distinct seeds both documents hold, counting only seeds held by at most
    /// `max_df` documents: a seed in more documents is template or boilerplate text and is
    /// ignored. The work is at most `Σ df² ≤ max_df × entries`, so sub-quadratic for a fixed
    /// `max_df`; memory for pair keys is bounded by processing ranges of `a` in passes (or,
    /// after a spill, by spilling pair keys to runs of their own).
    pub fn candidate_pairs(
        &self,
        min_shared: usize,
        max_df: usize,
    ) -> Result<Vec<(u32, u32, u32)>, RunsError> {
        if self.runs.is_empty() {
            Ok(self.pairs_with_budget(min_shared, max_df, PAIR_BUDGET))
        } else {
            self.spilled_pairs(min_shared, max_df, PAIR_BUDGET)
        }
    }

    /// [`SeedIndex::candidate_pairs`] over the runs on disk and the entries in memory, merged
    /// in seed order: every posting list gives its pair keys tagged with the list's number,
    /// so that after sorting (in memory up to `budget` keys, beyond in runs of their own) the
    /// documents under one pair key are the shared seeds.
    fn spilled_pairs(
        &self,
        min_shared: usize,
        max_df: usize,
        budget: u64,
    ) -> Result<Vec<(u32, u32, u32)>, RunsError> {
        let min_shared = min_shared.max(1);
        let mut seeds = self.runs.merge(self.entries.clone())?;
        let mut keys: Vec<(u64, u32)> = Vec::new();
        let mut key_runs = KeyRuns::new();
        let mut docs = Vec::new();
        let mut lists: u64 = 0;
        while seeds.next_group(&mut docs)?.is_some() {
            if docs.len() < 2 || docs.len() > max_df {
                continue;
            }
            let tag = u32::try_from(lists).map_err(|_| RunsError::TooManyGroups(lists))?;
            lists += 1;
            for (i, &a) in docs.iter().enumerate() {
                keys.extend(docs[i + 1..].iter().map(|&b| (pack(a, b), tag)));
            }
            if keys.len() as u64 >= budget {
                key_runs.spill(&mut keys)?;
            }
        }
        let mut pairs = key_runs.merge(keys)?;
        let mut out = Vec::new();
        while let Some(p) = pairs.next_group(&mut docs)? {
            if docs.len() >= min_shared {
                let (a, b) = unpack(p);
                out.push((a, b, u32::try_from(docs.len()).unwrap_or(u32::MAX)));
            }
        }
        Ok(out)
    }

    /// [`SeedIndex::candidate_pairs`] with at most about `budget` pair keys in memory at once.
    fn pairs_with_budget(
        &self,
        min_shared: usize,
        max_df: usize,
        budget: u64,
    ) -> Vec<(u32, u32, u32)> {
        let min_shared = min_shared.max(1);
        let mut sorted = self.entries.clone();
        sorted.par_sort_unstable();
        sorted.dedup();
        // Posting lists with 2 ≤ df ≤ max_df, as ranges of `sorted` (docs ascending inside).
        let mut groups: Vec<(usize, usize)> = Vec::new();
        let mut start = 0;
        for run in sorted.chunk_by(|x, y| x.0 == y.0) {
            let end = start + run.len();
            if run.len() >= 2 && run.len() <= max_df {
                groups.push((start, end));
            }
            start = end;
        }
        let total: u64 = groups
            .iter()
            .map(|&(s, e)| {
                let c = (e - s) as u64;
                c * (c - 1) / 2
            })
            .sum();
        let ranges = doc_ranges(&sorted, &groups, total, budget);
        let mut out = Vec::new();
        for (lo, hi) in ranges {
            let chunks: Vec<Vec<u64>> = groups
                .par_iter()
                .fold(Vec::new, |mut keys, &(s, e)| {
                    let g = &sorted[s..e];
                    let i0 = g.partition_point(|x| (x.1 as u64) < lo);
                    let i1 = g.partition_point(|x| (x.1 as u64) < hi);
                    for i in i0..i1 {
                        let a = g[i].1;
                        keys.extend(g[i + 1..].iter().map(|x| pack(a, x.1)));
                    }
                    keys
                })
                .collect();
            let mut keys = Vec::with_capacity(chunks.iter().map(Vec::len).sum());
            for c in chunks {
                keys.extend_from_slice(&c);
            }
            keys.par_sort_unstable();
            out.extend(
                shared_pairs(&keys, min_shared)
                    .map(|(a, b, n)| (a, b, u32::try_from(n).unwrap_or(u32::MAX))),
            );
        }
        out
    }

    /// Sorts the entries in place (and drops repeated ones), so that [`SeedIndex::query`]
    /// can look seeds up; inserting afterwards needs another sort. For an index that never
    /// spilled (queries do not read runs on disk).
    pub fn sort(&mut self) {
        self.entries.par_sort_unstable();
        self.entries.dedup();
    }

    /// The `(doc, shared)` pairs a new document holding `seeds`, inserted with an id above
    /// every stored one, would get in [`SeedIndex::candidate_pairs`]: sorted by document.
    /// Needs [`SeedIndex::sort`] since the last insert.
    pub fn query(&self, seeds: &[u64], min_shared: usize, max_df: usize) -> Vec<(u32, u32)> {
        let min_shared = min_shared.max(1);
        let mut mine = seeds.to_vec();
        mine.sort_unstable();
        mine.dedup();
        let mut hits: Vec<u32> = Vec::new();
        for s in mine {
            let lo = self.entries.partition_point(|x| x.0 < s);
            let hi = self.entries.partition_point(|x| x.0 <= s);
            // The new document makes the document frequency one more.
            if hi > lo && hi - lo < max_df {
                hits.extend(self.entries[lo..hi].iter().map(|x| x.1));
            }
        }
        hits.sort_unstable();
        hits.chunk_by(|x, y| x == y)
            .filter(|run| run.len() >= min_shared)
            .map(|run| (run[0], u32::try_from(run.len()).unwrap_or(u32::MAX)))
            .collect()
    }

    /// Heap bytes held by the index.
    pub fn memory_bytes(&self) -> usize {
        std::mem::size_of::<Self>() + self.entries.capacity() * std::mem::size_of::<(u64, u32)>()
    }
}

/// Splits the document-id space into half-open ranges `[lo, hi)` of the smaller pair member so
/// that each range yields about `budget` pair keys (one range when everything fits; a single
/// document contributing more than `budget` gets a range of its own).
fn doc_ranges(
    sorted: &[(u64, u32)],
    groups: &[(usize, usize)],
    total: u64,
    budget: u64,
) -> Vec<(u64, u64)> {
    let end_of_ids = u32::MAX as u64 + 1;
    if total <= budget {
        return vec![(0, end_of_ids)];
    }
    // Pairs contributed with each document as the smaller member.
    let mut per_doc: Vec<(u32, u64)> = Vec::new();
    for &(s, e) in groups {
        let c = e - s;
        for (i, x) in sorted[s..e].iter().enumerate().take(c - 1) {
            per_doc.push((x.1, (c - 1 - i) as u64));
        }
    }
    per_doc.par_sort_unstable();
    let mut ranges = Vec::new();
    let mut lo = 0u64;
    let mut acc = 0u64;
    for run in per_doc.chunk_by(|x, y| x.0 == y.0) {
        let n: u64 = run.iter().map(|x| x.1).sum();
        if acc > 0 && acc + n > budget {
            let hi = run[0].0 as u64;
            ranges.push((lo, hi));
            lo = hi;
            acc = 0;
        }
        acc += n;
    }
    ranges.push((lo, end_of_ids));
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            mix64(self.0)
        }
        fn tokens(&mut self, n: usize) -> Vec<u64> {
            (0..n).map(|_| self.next()).collect()
        }
    }

    fn shared(a: &[u64], b: &[u64]) -> usize {
        a.iter().filter(|x| b.binary_search(x).is_ok()).count()
    }

    #[test]
    fn spilled_index_gives_the_same_pairs() {
        // Documents drawn from a small pool of seeds, so that posting lists of every size
        // occur, some above max_df; spills after various numbers of documents.
        let mut rng = Rng(5);
        let docs: Vec<Vec<u64>> = (0..300)
            .map(|_| (0..12).map(|_| rng.next() % 600).collect())
            .collect();
        let mut whole = SeedIndex::new();
        for (d, seeds) in docs.iter().enumerate() {
            whole.insert(d as u32, seeds);
        }
        let want = whole.candidate_pairs(2, 8).unwrap();
        assert!(want.len() > 50, "{}", want.len());
        for every in [1usize, 7, 100, 299] {
            let mut part = SeedIndex::new();
            for (d, seeds) in docs.iter().enumerate() {
                part.insert(d as u32, seeds);
                if d % every == every - 1 {
                    part.spill().unwrap();
                }
            }
            assert!(!part.runs().is_empty());
            assert_eq!(
                part.candidate_pairs(2, 8).unwrap(),
                want,
                "spill every {every}"
            );
            // Pair keys beyond a tiny budget go to runs of their own: same counts.
            assert_eq!(part.spilled_pairs(2, 8, 5).unwrap(), want);
            assert_eq!(
                part.spilled_pairs(1, 8, 3).unwrap(),
                whole.candidate_pairs(1, 8).unwrap()
            );
        }
    }

    #[test]
    fn embedded_passage_shares_seeds() {
        let mut rng = Rng(21);
        let p = SeedParams::default();
        let passage = rng.tokens(200);
        let mut a = rng.tokens(500);
        a.splice(137..137, passage.iter().copied());
        let mut b = rng.tokens(300);
        b.splice(41..41, passage.iter().copied());
        let (sa, sb) = (passage_seeds(&a, p), passage_seeds(&b, p));
        assert!(sa.windows(2).all(|w| w[0] < w[1]), "sorted and unique");
        let n = shared(&sa, &sb);
        assert!(n >= 2, "shared {n}");
        // Roughly 2/(w+1) of the passage's shingles are selected.
        assert!((15..=60).contains(&n), "shared {n}");
        // Unrelated documents share nothing.
        assert_eq!(shared(&sa, &passage_seeds(&rng.tokens(700), p)), 0);
    }

    #[test]
    fn winnowing_guarantee() {
        let mut rng = Rng(8);
        for (k, w) in [(8usize, 12usize), (5, 4), (1, 1), (3, 30)] {
            let p = SeedParams { k, window: w };
            for trial in 0..200 {
                // A shared run of exactly w + k - 1 tokens, in different contexts.
                let run = rng.tokens(w + k - 1);
                let mut a = rng.tokens(40 + trial % 17);
                let at = a.len() / 2;
                a.splice(at..at, run.iter().copied());
                let mut b = rng.tokens(25 + trial % 5);
                b.extend_from_slice(&run);
                b.extend(rng.tokens(trial % 9));
                let n = shared(&passage_seeds(&a, p), &passage_seeds(&b, p));
                assert!(n >= 1, "k={k} w={w} trial {trial}");
            }
        }
    }

    #[test]
    fn short_documents() {
        let p = SeedParams::default();
        assert!(passage_seeds(&[], p).is_empty());
        assert!(passage_seeds(&[1, 2, 3], p).is_empty());
        let ten: Vec<u64> = (0..10).map(mix64).collect();
        assert_eq!(passage_seeds(&ten, p).len(), 1);
        assert_eq!(passage_seeds(&ten, p), passage_seeds(&ten, p));
        assert!(!passage_seeds(&ten, SeedParams { k: 0, window: 0 }).is_empty());
    }

    #[test]
    fn index_counts_shared_seeds_and_drops_templates() {
        let mut idx = SeedIndex::new();
        let template = 999u64;
        for d in 0..10u32 {
            let mut seeds = vec![template, 10_000 + d as u64];
            if d < 3 {
                seeds.extend([1, 2, 3]); // docs 0, 1, 2 share three seeds
            }
            if d == 5 || d == 7 {
                seeds.push(4);
            }
            idx.insert(d, &seeds);
        }
        idx.insert(1, &[1]); // duplicate entry: not double counted
        let pairs = idx.candidate_pairs(1, 5).unwrap();
        assert_eq!(
            pairs,
            vec![(0, 1, 3), (0, 2, 3), (1, 2, 3), (5, 7, 1)],
            "template seed (df 10 > 5) ignored"
        );
        assert_eq!(idx.candidate_pairs(2, 5).unwrap().len(), 3);
        // With a large max_df the template connects everything.
        let all = idx.candidate_pairs(1, 100).unwrap();
        assert_eq!(all.len(), 45);
        assert!(all.contains(&(0, 1, 4)));
        assert!(idx.memory_bytes() >= idx.len() * 16);
    }

    #[test]
    fn passes_over_doc_ranges_match_single_pass() {
        let mut rng = Rng(4);
        let mut idx = SeedIndex::new();
        for d in 0..200u32 {
            let seeds: Vec<u64> = (0..20).map(|_| rng.next() % 300).collect();
            idx.insert(d, &seeds);
        }
        let one_pass = idx.pairs_with_budget(2, 1000, u64::MAX);
        assert!(one_pass.len() > 1000);
        for budget in [1u64, 50, 3000] {
            assert_eq!(
                idx.pairs_with_budget(2, 1000, budget),
                one_pass,
                "budget {budget}"
            );
        }
    }

    #[test]
    fn deterministic_under_merge_order_and_threads() {
        let mut rng = Rng(77);
        let p = SeedParams::default();
        let shared_passages: Vec<Vec<u64>> = (0..10).map(|_| rng.tokens(60)).collect();
        let docs: Vec<Vec<u64>> = (0..120)
            .map(|i| {
                let mut d = rng.tokens(80);
                d.extend_from_slice(&shared_passages[i % 10]);
                d.extend(rng.tokens(40));
                d
            })
            .collect();
        let seeds: Vec<Vec<u64>> = docs.iter().map(|d| passage_seeds(d, p)).collect();
        let build = |order: &[usize], batches: usize| {
            let chunk = order.len().div_ceil(batches);
            let mut acc = SeedIndex::new();
            for c in order.chunks(chunk).rev() {
                let mut part = SeedIndex::new();
                for &i in c {
                    part.insert(i as u32, &seeds[i]);
                }
                acc.merge(part);
            }
            acc
        };
        let forward: Vec<usize> = (0..docs.len()).collect();
        let reference = build(&forward, 1).candidate_pairs(2, 50).unwrap();
        // 10 groups of 12 docs sharing a passage: 10 × 66 pairs.
        assert_eq!(reference.len(), 660);
        let mut shuffled = forward.clone();
        for i in (1..shuffled.len()).rev() {
            let j = (rng.next() % (i as u64 + 1)) as usize;
            shuffled.swap(i, j);
        }
        for threads in [1, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let got = pool.install(|| build(&shuffled, 5).candidate_pairs(2, 50).unwrap());
            assert_eq!(got, reference);
        }
    }
    proptest::proptest! {
        /// `query` gives exactly the pairs `candidate_pairs` would give the new document.
        #[test]
        fn query_equals_the_new_documents_pairs(
            docs in proptest::collection::vec(proptest::collection::vec(0u64..40, 0..12), 1..30),
            new in proptest::collection::vec(0u64..40, 0..12),
            min_shared in 1usize..4,
            max_df in 2usize..8,
        ) {
            let mut ix = SeedIndex::new();
            for (i, d) in docs.iter().enumerate() {
                ix.insert(i as u32, d);
            }
            ix.sort();
            let got = ix.query(&new, min_shared, max_df);
            let q = docs.len() as u32;
            ix.insert(q, &new);
            let want: Vec<(u32, u32)> = ix
                .candidate_pairs(min_shared, max_df).unwrap()
                .into_iter()
                .filter(|p| p.1 == q)
                .map(|p| (p.0, p.2))
                .collect();
            proptest::prop_assert_eq!(got, want);
        }
    }
}
