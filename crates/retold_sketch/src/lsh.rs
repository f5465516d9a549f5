//! LSH banding over MinHash signatures.

use rayon::prelude::*;

use crate::hash::mix64;
use crate::minhash::EMPTY_BIN;
use crate::pairs::{pack, union_sorted, unpack};
use retold_runs::{KeyRuns, RunsError};

/// Banding parameters: a signature is cut into `bands` bands of `rows` values; two documents
/// are candidates when some band is identical in both.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LshParams {
    /// Number of bands.
    pub bands: usize,
    /// Signature values per band.
    pub rows: usize,
}

/// Probability that two documents of Jaccard similarity `s` share at least one band.
#[inline]
fn candidate_probability(s: f64, bands: usize, rows: usize) -> f64 {
    let r = i32::try_from(rows).unwrap_or(i32::MAX);
    let b = i32::try_from(bands).unwrap_or(i32::MAX);
    1.0 - (1.0 - s.powi(r)).powi(b)
}

/// Composite Simpson integral of `f` over `[lo, hi]` with `n` (even) intervals.
fn simpson(lo: f64, hi: f64, n: usize, f: impl Fn(f64) -> f64) -> f64 {
    if hi <= lo {
        return 0.0;
    }
    let h = (hi - lo) / n as f64;
    let mut sum = f(lo) + f(hi);
    for i in 1..n {
        let w = if i % 2 == 1 { 4.0 } else { 2.0 };
        sum += w * f(lo + h * i as f64);
    }
    sum * h / 3.0
}

const INTEGRATION_STEPS: usize = 200;

impl LshParams {
    /// Chooses `(bands, rows)` with `bands × rows ≤ num_perm` minimising
    /// `false_positive(t) + false_negative(t)` (equal weights), searched exhaustively over all
    /// admissible pairs with Simpson integration; ties go to fewer bands, then fewer rows.
    /// `threshold` is clamped to `[0, 1]`; `num_perm == 0` gives `{ bands: 0, rows: 0 }`, which
    /// indexes nothing.
    pub fn for_threshold(threshold: f64, num_perm: usize) -> Self {
        let t = if threshold.is_nan() {
            0.5
        } else {
            threshold.clamp(0.0, 1.0)
        };
        let mut best = LshParams { bands: 0, rows: 0 };
        let mut best_err = f64::INFINITY;
        for bands in 1..=num_perm {
            for rows in 1..=num_perm / bands {
                let p = LshParams { bands, rows };
                let err = p.false_positive(t) + p.false_negative(t);
                if err < best_err {
                    best_err = err;
                    best = p;
                }
            }
        }
        best
    }

    /// The bands a signature is indexed under in an [`LshIndex`]: `(band number, band hash)`
    /// of each complete band that is not made only of [`EMPTY_BIN`]. Two documents are
    /// candidates when they share an entry (a distributed run groups documents by it).
    pub fn band_keys<'s>(&self, sig: &'s [u32]) -> impl Iterator<Item = (usize, u64)> + 's {
        let rows = self.rows.max(1);
        let bands = if self.rows == 0 { 0 } else { self.bands };
        sig.chunks_exact(rows)
            .take(bands)
            .enumerate()
            .filter(|(_, chunk)| !chunk.iter().all(|&v| v == EMPTY_BIN))
            .map(|(i, chunk)| (i, band_hash(chunk)))
    }

    /// Weight of false positives below `t`: `∫₀ᵗ P(s) ds` with
    /// `P(s) = 1 − (1 − s^rows)^bands` the probability that a pair of Jaccard `s` becomes a
    /// candidate.
    pub fn false_positive(&self, t: f64) -> f64 {
        let (b, r) = (self.bands, self.rows);
        simpson(0.0, t.clamp(0.0, 1.0), INTEGRATION_STEPS, |s| {
            candidate_probability(s, b, r)
        })
    }

    /// Weight of false negatives above `t`: `∫ₜ¹ (1 − P(s)) ds`.
    pub fn false_negative(&self, t: f64) -> f64 {
        let (b, r) = (self.bands, self.rows);
        simpson(t.clamp(0.0, 1.0), 1.0, INTEGRATION_STEPS, |s| {
            1.0 - candidate_probability(s, b, r)
        })
    }
}

/// Hash of one band of a signature (a chain of bijective mixes, so distinct bands of equal
/// length collide with probability ≈ 2⁻⁶⁴).
#[inline]
fn band_hash(band: &[u32]) -> u64 {
    let mut h: u64 = 0x6261_6E64_6861_7368;
    for &v in band {
        h = mix64(h ^ v as u64);
    }
    h
}

/// An LSH index over MinHash signatures: insert every document, then ask for candidate pairs.
///
/// Each band is one flat `Vec<(band hash, doc)>` (16 bytes per document and band, no per-bucket
/// allocation); [`LshIndex::candidate_pairs`] sorts a copy of each band, in parallel over bands,
/// and reads the buckets off as runs of equal hashes. Build batches in parallel and
/// [`LshIndex::merge`] them: the pairs do not depend on insert or merge order, nor on the number
/// of threads.
///
/// Entries beyond the run's memory budget go to sorted runs on disk, one series per band
/// ([`LshIndex::spill`], `retold_runs`); [`LshIndex::candidate_pairs`] merges them back and
/// gives the same pairs.
#[derive(Debug)]
pub struct LshIndex {
    params: LshParams,
    bands: Vec<Vec<(u64, u32)>>,
    runs: Vec<KeyRuns>,
}

impl LshIndex {
    /// An empty index.
    pub fn new(p: LshParams) -> Self {
        let bands = if p.rows == 0 { 0 } else { p.bands };
        LshIndex {
            params: p,
            bands: vec![Vec::new(); bands],
            runs: (0..bands).map(|_| KeyRuns::new()).collect(),
        }
    }

    /// The banding parameters.
    pub fn params(&self) -> LshParams {
        self.params
    }

    /// Adds a document. Only complete bands are used (a signature shorter than
    /// `bands × rows` fills fewer bands), and a band made only of [`EMPTY_BIN`] is skipped, so the
    /// signature of an empty document is never a candidate.
    pub fn insert(&mut self, doc: u32, sig: &[u32]) {
        for (band, h) in self.params.band_keys(sig) {
            self.bands[band].push((h, doc));
        }
    }

    /// Adds every document of `other` (entries in memory; neither index may have spilled).
    /// Both indexes must have the same [`LshParams`]; if they do not, bands are merged
    /// position by position and the surplus of `other` is dropped (the result is meaningless
    /// but nothing fails).
    pub fn merge(&mut self, other: LshIndex) {
        if self.bands.iter().all(Vec::is_empty) && self.params != other.params {
            *self = other;
            return;
        }
        for (mine, theirs) in self.bands.iter_mut().zip(other.bands) {
            if mine.is_empty() {
                *mine = theirs;
            } else {
                mine.extend_from_slice(&theirs);
            }
        }
    }

    /// Number of (band, document) entries: in memory, plus those on disk.
    pub fn len(&self) -> usize {
        self.bands.iter().map(Vec::len).sum::<usize>()
            + self
                .runs
                .iter()
                .map(|r| r.entries() as usize)
                .sum::<usize>()
    }

    /// Moves the entries held in memory to sorted runs on disk (one per band).
    pub fn spill(&mut self) -> Result<(), RunsError> {
        for (band, runs) in self.bands.iter_mut().zip(&mut self.runs) {
            runs.spill(band)?;
        }
        Ok(())
    }

    /// Bytes on disk and runs, over all bands.
    pub fn spilled(&self) -> (u64, usize) {
        self.runs
            .iter()
            .fold((0, 0), |(b, n), r| (b + r.bytes(), n + r.runs()))
    }

    /// True when nothing was inserted.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// All pairs `(a, b)`, `a < b`, sorted and unique, that share at least one band.
    ///
    /// A bucket (documents sharing one band value) with at most `max_bucket` distinct documents
    /// contributes all its pairs; a larger one contributes only the pairs of consecutive members
    /// in document order (`(d₀,d₁), (d₁,d₂), …`), which keeps the output linear in the bucket
    /// size while still connecting the bucket — huge buckets are mass duplicates or template
    /// text, and clustering by connected components recovers them from the chain.
    /// Runs over bands in parallel; the output is deterministic.
    /// A band that spilled is merged back from its runs, in band-hash order, with the same
    /// result.
    pub fn candidate_pairs(&self, max_bucket: usize) -> Result<Vec<(u32, u32)>, RunsError> {
        let merged = self
            .bands
            .par_iter()
            .zip(&self.runs)
            .map(|(band, runs)| {
                if runs.is_empty() {
                    Ok(band_pairs(band, max_bucket))
                } else {
                    spilled_band_pairs(runs, band, max_bucket)
                }
            })
            .try_reduce(Vec::new, |a, b| Ok(union_sorted(a, b)))?;
        Ok(merged.into_iter().map(unpack).collect())
    }

    /// Sorts every band in place (and drops repeated entries), so that
    /// [`LshIndex::query`] can look buckets up; inserting afterwards needs another sort. For an
    /// index that never spilled (queries do not read runs on disk).
    pub fn sort(&mut self) {
        self.bands.par_iter_mut().for_each(|b| {
            b.par_sort_unstable();
            b.dedup();
        });
    }

    /// The documents that would pair with a new document of signature `sig`, inserted with
    /// an id above every stored one, in [`LshIndex::candidate_pairs`]: sorted, unique.
    /// Needs [`LshIndex::sort`] since the last insert.
    pub fn query(&self, sig: &[u32], max_bucket: usize) -> Vec<u32> {
        let rows = self.params.rows;
        if rows == 0 {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (band, chunk) in self.bands.iter().zip(sig.chunks_exact(rows)) {
            if chunk.iter().all(|&v| v == EMPTY_BIN) {
                continue;
            }
            let h = band_hash(chunk);
            let lo = band.partition_point(|x| x.0 < h);
            let hi = band.partition_point(|x| x.0 <= h);
            let run = &band[lo..hi];
            if run.is_empty() {
                continue;
            }
            // Members are distinct after `sort`; the new document makes one more.
            if run.len() < max_bucket {
                out.extend(run.iter().map(|x| x.1));
            } else {
                // A chained bucket pairs the new, largest id with the largest member only.
                out.push(run[run.len() - 1].1);
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Heap bytes held by the index (capacity of its band vectors).
    pub fn memory_bytes(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.bands.capacity() * std::mem::size_of::<Vec<(u64, u32)>>()
            + self
                .bands
                .iter()
                .map(|b| b.capacity() * std::mem::size_of::<(u64, u32)>())
                .sum::<usize>()
    }
}

/// Sorted, unique packed pairs of one band.
fn band_pairs(band: &[(u64, u32)], max_bucket: usize) -> Vec<u64> {
    let mut sorted = band.to_vec();
    sorted.par_sort_unstable();
    let mut out = Vec::new();
    let mut members: Vec<u32> = Vec::new();
    for run in sorted.chunk_by(|x, y| x.0 == y.0) {
        if run.len() < 2 {
            continue;
        }
        members.clear();
        members.extend(run.iter().map(|&(_, d)| d));
        members.dedup();
        bucket_pairs(&members, max_bucket, &mut out);
    }
    out.par_sort_unstable();
    out.dedup();
    out
}

/// [`band_pairs`] of a band with runs on disk.
fn spilled_band_pairs(
    runs: &KeyRuns,
    band: &[(u64, u32)],
    max_bucket: usize,
) -> Result<Vec<u64>, RunsError> {
    let mut buckets = runs.merge(band.to_vec())?;
    let mut out = Vec::new();
    let mut members: Vec<u32> = Vec::new();
    while buckets.next_group(&mut members)?.is_some() {
        bucket_pairs(&members, max_bucket, &mut out);
    }
    out.par_sort_unstable();
    out.dedup();
    Ok(out)
}

/// The pairs of one bucket (distinct documents, ascending): all of them up to `max_bucket`
/// members, the chain of consecutive members above.
fn bucket_pairs(members: &[u32], max_bucket: usize, out: &mut Vec<u64>) {
    if members.len() < 2 {
        return;
    }
    if members.len() <= max_bucket {
        for (i, &a) in members.iter().enumerate() {
            out.extend(members[i + 1..].iter().map(|&b| pack(a, b)));
        }
    } else {
        out.extend(members.windows(2).map(|w| pack(w[0], w[1])));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::minhash::{MinHashParams, MinHasher};

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            mix64(self.0)
        }
    }

    #[test]
    fn threshold_parameters_are_sensible() {
        for (t, num_perm) in [(0.5, 128), (0.7, 128), (0.8, 256), (0.9, 128), (0.3, 64)] {
            let p = LshParams::for_threshold(t, num_perm);
            assert!(
                p.bands * p.rows <= num_perm && p.bands > 0 && p.rows > 0,
                "{p:?}"
            );
            // The S-curve's steepest point (1/b)^(1/r) sits near the threshold.
            let knee = (1.0 / p.bands as f64).powf(1.0 / p.rows as f64);
            assert!((knee - t).abs() < 0.1, "t={t}: {p:?} knee {knee:.3}");
            // Pairs clearly above the threshold are found, pairs clearly below mostly not.
            // (Equal weights put the knee slightly above t: 0.5 → 25×5, P(0.6) ≈ 0.87; below
            // 0.5 the curve is necessarily flatter: 0.3 at 64 → 21×3, P(0.4) ≈ 0.75.)
            let above = if t >= 0.5 { 0.85 } else { 0.7 };
            assert!(
                candidate_probability((t + 0.1_f64).min(1.0), p.bands, p.rows) > above,
                "{p:?}"
            );
            assert!(
                candidate_probability((t + 0.2_f64).min(1.0), p.bands, p.rows) > above + 0.1,
                "{p:?}"
            );
            assert!(
                candidate_probability(t - 0.2, p.bands, p.rows) < 0.2,
                "{p:?}"
            );
            // It is the minimum over the admissible grid.
            let err = p.false_positive(t) + p.false_negative(t);
            for (b, r) in [(1, 1), (num_perm, 1), (1, num_perm), (num_perm / 8, 8)] {
                let q = LshParams { bands: b, rows: r };
                assert!(err <= q.false_positive(t) + q.false_negative(t) + 1e-12);
            }
        }
        assert_eq!(
            LshParams::for_threshold(0.5, 0),
            LshParams { bands: 0, rows: 0 }
        );
        let p = LshParams::for_threshold(0.5, 128);
        let q = LshParams::for_threshold(0.7, 128);
        assert!(q.rows > p.rows || q.bands < p.bands, "{p:?} vs {q:?}");
    }

    /// A pair of token sets with exact Jaccard `shared / (shared + 2 · only)`.
    fn pair(rng: &mut Rng, shared: usize, only: usize) -> (Vec<u64>, Vec<u64>) {
        let common: Vec<u64> = (0..shared).map(|_| rng.next()).collect();
        let mut a = common.clone();
        a.extend((0..only).map(|_| rng.next()));
        let mut b = common;
        b.extend((0..only).map(|_| rng.next()));
        (a, b)
    }

    #[test]
    fn recall_above_threshold_is_high() {
        let mh = MinHasher::new(MinHashParams {
            shingle: 1,
            ..MinHashParams::default()
        });
        for t in [0.5, 0.7] {
            let p = LshParams::for_threshold(t, 128);
            let mut rng = Rng(11);
            // (J above the threshold, minimum recall): for the chosen parameters (25×5 and 14×9)
            // the theory gives 0.87 at t + 0.1 and 0.99 / 0.999 at t + 0.2.
            for (j, min_recall) in [(t + 0.1, 0.8), (t + 0.2, 0.96), (1.0, 1.0)] {
                let mut idx = LshIndex::new(p);
                let n_pairs = 300u32;
                // Exact J: shared / (shared + 2·only).
                let shared = 600;
                let only = ((shared as f64 * (1.0 / j - 1.0)) / 2.0).round() as usize;
                for i in 0..n_pairs {
                    let (a, b) = pair(&mut rng, shared, only);
                    idx.insert(2 * i, &mh.signature(&a));
                    idx.insert(2 * i + 1, &mh.signature(&b));
                }
                let pairs = idx.candidate_pairs(100).unwrap();
                let found = (0..n_pairs)
                    .filter(|i| pairs.binary_search(&(2 * i, 2 * i + 1)).is_ok())
                    .count();
                let recall = found as f64 / n_pairs as f64;
                assert!(
                    recall >= min_recall,
                    "t={t} J={j} {p:?}: recall {recall:.3}"
                );
                // Cross pairs (unrelated) are essentially absent.
                let cross = pairs.iter().filter(|&&(a, b)| a / 2 != b / 2).count();
                assert!(cross <= 2, "t={t}: {cross} unrelated pairs");
            }
        }
    }

    #[test]
    fn finds_near_duplicates_not_unrelated() {
        let mh = MinHasher::new(MinHashParams::default());
        let p = LshParams::for_threshold(0.7, 128);
        let mut rng = Rng(5);
        let mut docs: Vec<Vec<u64>> = Vec::new();
        for _ in 0..50 {
            let base: Vec<u64> = (0..300).map(|_| rng.next() % 5000).collect();
            let mut near = base.clone();
            // Three spaced substitutions: 5-shingle Jaccard ≈ 0.9.
            for at in [50, 150, 250] {
                near[at] = rng.next();
            }
            docs.push(base);
            docs.push(near);
        }
        let mut idx = LshIndex::new(p);
        for (i, d) in docs.iter().enumerate() {
            idx.insert(i as u32, &mh.signature(d));
        }
        let pairs = idx.candidate_pairs(100).unwrap();
        let expected: Vec<(u32, u32)> = (0..50u32).map(|i| (2 * i, 2 * i + 1)).collect();
        assert_eq!(pairs, expected);
    }

    #[test]
    fn big_buckets_give_chains_and_empty_docs_nothing() {
        let mh = MinHasher::new(MinHashParams::default());
        let p = LshParams { bands: 16, rows: 8 };
        let toks: Vec<u64> = (0..100u64).map(mix64).collect();
        let sig = mh.signature(&toks);
        let empty = mh.signature(&[]);
        let mut idx = LshIndex::new(p);
        for d in 0..10 {
            idx.insert(d, &sig);
            idx.insert(100 + d, &empty);
        }
        idx.insert(3, &sig); // a repeated insert changes nothing
        assert_eq!(idx.candidate_pairs(10).unwrap().len(), 45);
        let chain = idx.candidate_pairs(9).unwrap();
        assert_eq!(chain, (0..9).map(|d| (d, d + 1)).collect::<Vec<_>>());
        assert!(idx.memory_bytes() >= idx.len() * 16);
    }

    #[test]
    fn spilled_index_gives_the_same_pairs() {
        // Signatures from a few values per position, so that buckets of every size occur,
        // some above max_bucket (chained).
        let p = LshParams { bands: 8, rows: 2 };
        let mut rng = Rng(9);
        let sigs: Vec<Vec<u32>> = (0..400)
            .map(|_| (0..16).map(|_| (rng.next() % 5) as u32).collect())
            .collect();
        let mut whole = LshIndex::new(p);
        for (d, s) in sigs.iter().enumerate() {
            whole.insert(d as u32, s);
        }
        let want = whole.candidate_pairs(12).unwrap();
        assert!(!want.is_empty());
        for every in [1usize, 33, 399] {
            let mut part = LshIndex::new(p);
            for (d, s) in sigs.iter().enumerate() {
                part.insert(d as u32, s);
                if d % every == every - 1 {
                    part.spill().unwrap();
                }
            }
            assert!(part.spilled().1 >= 8);
            assert_eq!(part.len(), whole.len());
            assert_eq!(
                part.candidate_pairs(12).unwrap(),
                want,
                "spill every {every}"
            );
        }
    }

    #[test]
    fn deterministic_under_merge_order_and_threads() {
        let mh = MinHasher::new(MinHashParams::default());
        let p = LshParams::for_threshold(0.5, 128);
        let mut rng = Rng(9);
        let mut sigs = Vec::new();
        let bases: Vec<Vec<u64>> = (0..40)
            .map(|_| (0..200).map(|_| rng.next()).collect())
            .collect();
        for i in 0..400u32 {
            let mut doc = bases[i as usize % 40].clone();
            for _ in 0..(i % 7) {
                let at = (rng.next() % 200) as usize;
                doc[at] = rng.next();
            }
            sigs.push((i, mh.signature(&doc)));
        }
        let build = |order: &[usize], batches: usize| {
            let chunk = order.len().div_ceil(batches);
            let mut parts: Vec<LshIndex> = order
                .chunks(chunk)
                .map(|c| {
                    let mut idx = LshIndex::new(p);
                    for &k in c {
                        idx.insert(sigs[k].0, &sigs[k].1);
                    }
                    idx
                })
                .collect();
            let mut acc = parts.pop().unwrap_or_else(|| LshIndex::new(p));
            for part in parts {
                acc.merge(part);
            }
            acc
        };
        let forward: Vec<usize> = (0..sigs.len()).collect();
        let mut shuffled = forward.clone();
        for i in (1..shuffled.len()).rev() {
            let j = (rng.next() % (i as u64 + 1)) as usize;
            shuffled.swap(i, j);
        }
        let reference = build(&forward, 1).candidate_pairs(5).unwrap();
        assert!(!reference.is_empty());
        for threads in [1, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let got = pool.install(|| build(&shuffled, 7).candidate_pairs(5).unwrap());
            assert_eq!(got, reference);
        }
    }
    proptest::proptest! {
        /// `query` gives exactly the partners `candidate_pairs` would give the new document.
        #[test]
        fn query_equals_the_new_documents_pairs(
            docs in proptest::collection::vec(proptest::collection::vec(0u32..3, 8), 1..30),
            new in proptest::collection::vec(0u32..3, 8),
            max_bucket in 2usize..6,
        ) {
            let p = LshParams { bands: 4, rows: 2 };
            let mut ix = LshIndex::new(p);
            for (i, d) in docs.iter().enumerate() {
                ix.insert(i as u32, d);
            }
            ix.sort();
            let got = ix.query(&new, max_bucket);
            let q = docs.len() as u32;
            ix.insert(q, &new);
            let want: Vec<u32> = ix
                .candidate_pairs(max_bucket).unwrap()
                .into_iter()
                .filter(|p| p.1 == q)
                .map(|p| p.0)
                .collect();
            proptest::prop_assert_eq!(got, want);
        }
    }
}
