//! One-permutation MinHash with optimal densification.
//!
//! See the crate documentation for the scheme and its accuracy.

use crate::hash::{for_each_shingle, mix64};

/// Bin value meaning "no shingle fell here". Real values are clamped below it, so a signature
/// holding it everywhere is the signature of an empty document and matches nothing.
pub const EMPTY_BIN: u32 = u32::MAX;

/// Largest `num_perm` for which the densification probe orders and their inverse are
/// precomputed (`num_perm² × 4` bytes: 64 KiB at 128, 4 MiB at 1024). Larger sketches hash the
/// probe keys on the fly, `O(m·(K−m))` per document with `m` non-empty bins.
const MAX_TABLE_PERM: usize = 1024;

/// Parameters of a [`MinHasher`].
#[derive(Clone, Copy, Debug)]
pub struct MinHashParams {
    /// Number of signature values (bins). 128 by default.
    pub num_perm: usize,
    /// Tokens per shingle. 5 by default; 0 acts as 1.
    pub shingle: usize,
    /// Seed of the element hash and of the densification probe orders. Signatures are only
    /// comparable when made with the same parameters.
    pub seed: u64,
}

impl Default for MinHashParams {
    fn default() -> Self {
        MinHashParams {
            num_perm: 128,
            shingle: 5,
            seed: 0x5EED_0F2E_701D,
        }
    }
}

/// Computes one-permutation MinHash signatures (see the crate docs). Cheap to share across
/// threads (`Sync`); build one per parameter set and reuse it.
#[derive(Clone, Debug)]
pub struct MinHasher {
    params: MinHashParams,
    /// Key xor-ed into every shingle hash before mixing.
    elem_key: u64,
    /// Key of the densification priorities.
    dens_key: u64,
    /// `probe[i * K .. (i + 1) * K]`: all bins in increasing probe key for empty bin `i`
    /// (empty when `K > MAX_TABLE_PERM`).
    probe: Vec<u16>,
    /// `rank[j * K + i]`: position of bin `j` in `probe` row `i`, stored by column `j` so that
    /// the ranks of one non-empty bin for all empty bins are contiguous (same availability).
    rank: Vec<u16>,
}

impl MinHasher {
    /// Builds a hasher; precomputes the densification probe orders when `num_perm ≤ 1024`.
    pub fn new(p: MinHashParams) -> Self {
        let params = MinHashParams {
            shingle: p.shingle.max(1),
            ..p
        };
        let elem_key = mix64(p.seed ^ 0x656C_656D_656E_7473);
        let dens_key = mix64(p.seed ^ 0x6465_6E73_6966_7921);
        let k = params.num_perm;
        let mut probe = Vec::new();
        let mut rank = Vec::new();
        if k > 0 && k <= MAX_TABLE_PERM {
            probe.reserve_exact(k * k);
            let mut row: Vec<u64> = Vec::with_capacity(k);
            for i in 0..k {
                row.clear();
                row.extend((0..k).map(|j| probe_key(dens_key, i, j)));
                row.sort_unstable();
                probe.extend(row.iter().map(|&key| key as u16));
            }
            rank = vec![0u16; k * k];
            for i in 0..k {
                for (pos, &j) in probe[i * k..(i + 1) * k].iter().enumerate() {
                    rank[j as usize * k + i] = pos as u16;
                }
            }
        }
        MinHasher {
            params,
            elem_key,
            dens_key,
            probe,
            rank,
        }
    }

    /// The parameters (with `shingle` raised to at least 1).
    pub fn params(&self) -> MinHashParams {
        self.params
    }

    /// The signature of a document given its token hashes: `num_perm` values.
    pub fn signature(&self, token_hashes: &[u64]) -> Vec<u32> {
        let mut out = vec![EMPTY_BIN; self.params.num_perm];
        self.signature_into(token_hashes, &mut out);
        out
    }

    /// Writes the signature into `out`, which must have length `num_perm`; if it does not, `out`
    /// is filled with [`EMPTY_BIN`] (the signature that matches nothing). Allocates nothing for
    /// `num_perm ≤ 1024`.
    pub fn signature_into(&self, token_hashes: &[u64], out: &mut [u32]) {
        out.fill(EMPTY_BIN);
        let k = self.params.num_perm;
        if out.len() != k || k == 0 {
            return;
        }
        let key = self.elem_key;
        let kk = k as u64;
        for_each_shingle(token_hashes, self.params.shingle, |h| {
            let x = mix64(h ^ key);
            // Bin from the high 32 bits (multiply-shift range reduction, any K), value from
            // the low 32 bits, clamped so that EMPTY_BIN stays reserved.
            let bin = (((x >> 32) * kk) >> 32) as usize;
            let v = (x as u32).min(EMPTY_BIN - 1);
            // Branch-free minimum: early in a document about half the shingles improve their
            // bin, which a branch would mispredict.
            if let Some(slot) = out.get_mut(bin) {
                *slot = (*slot).min(v);
            }
        });
        self.densify(out);
    }

    /// Fills every empty bin `i` with the value of the first non-empty bin in bin `i`'s own
    /// pseudo-random probe order (optimal densification). Either walks the precomputed order,
    /// eight probes at a time (expected `(K+1)/(m+1)` probes for `m` non-empty bins), or, when
    /// `m` is small, takes the non-empty bin of least rank in that order directly (an
    /// element-wise minimum over `m` rank columns); both give the same bin.
    fn densify(&self, out: &mut [u32]) {
        let k = out.len();
        if self.probe.is_empty() {
            self.densify_direct_heap(out);
            return;
        }
        // Table path: k ≤ MAX_TABLE_PERM, so bin indices fit the fixed arrays below and
        // `j & (MAX_TABLE_PERM - 1)` is `j` itself.
        let mut flags = [0u8; MAX_TABLE_PERM];
        let mut filled = 0usize;
        for (f, &v) in flags.iter_mut().zip(out.iter()) {
            let nonempty = u8::from(v != EMPTY_BIN);
            *f = nonempty;
            filled += nonempty as usize;
        }
        if filled == 0 || filled == k {
            return;
        }
        if filled * k < DIRECT_FACTOR * (k - filled) {
            // Few non-empty bins: the donor of bin i is the non-empty bin j of least rank in
            // row i, found for all i at once as an element-wise minimum over the rank columns
            // of the non-empty bins (m·K/lanes vector operations instead of about K²/m probes).
            let mut best = [u16::MAX; MAX_TABLE_PERM];
            let best = &mut best[..k];
            for (j, &f) in flags[..k].iter().enumerate() {
                if f == 0 {
                    continue;
                }
                let col = &self.rank[j * k..(j + 1) * k];
                for (b, &r) in best.iter_mut().zip(col) {
                    *b = (*b).min(r);
                }
            }
            for i in 0..k {
                if flags[i] != 0 {
                    continue;
                }
                let row = &self.probe[i * k..(i + 1) * k];
                let donor = row.get(best[i] as usize).map_or(i, |&j| j as usize);
                out[i] = out[donor];
            }
            return;
        }
        for i in 0..k {
            if flags[i] != 0 {
                continue;
            }
            let row = &self.probe[i * k..(i + 1) * k];
            let mut donor = i;
            for chunk in row.chunks(8) {
                let mut bits = 0u32;
                for (t, &j) in chunk.iter().enumerate() {
                    bits |= u32::from(flags[j as usize & (MAX_TABLE_PERM - 1)]) << t;
                }
                if bits != 0 {
                    donor = chunk[bits.trailing_zeros() as usize] as usize;
                    break;
                }
            }
            out[i] = out[donor];
        }
    }

    /// Direct densification for sketches without a probe table (`K > MAX_TABLE_PERM`).
    fn densify_direct_heap(&self, out: &mut [u32]) {
        let flags: Vec<u8> = out.iter().map(|&v| u8::from(v != EMPTY_BIN)).collect();
        let list: Vec<u32> = (0..out.len() as u32)
            .filter(|&j| flags[j as usize] != 0)
            .collect();
        if list.is_empty() || list.len() == out.len() {
            return;
        }
        self.fill_direct(out, &flags, &list);
    }

    /// Fills each empty bin from the non-empty bin (of `nonempty`) with the least probe key.
    fn fill_direct(&self, out: &mut [u32], flags: &[u8], nonempty: &[u32]) {
        for (i, &f) in flags.iter().enumerate() {
            if f != 0 {
                continue;
            }
            let best = nonempty
                .iter()
                .map(|&j| probe_key(self.dens_key, i, j as usize))
                .min()
                .unwrap_or(i as u64);
            if let Some(&v) = out.get(best as u32 as usize) {
                out[i] = v;
            }
        }
    }
}

/// With probe tables, the direct (rank column) densification path is taken when the number
/// `m` of non-empty bins satisfies `m · K < DIRECT_FACTOR · (K − m)` (vector minimum over `m`
/// columns of `K` ranks against walking about `K/m` probes for each of the `K − m` empty
/// bins); otherwise the probe order is walked. Both give the same result.
const DIRECT_FACTOR: usize = 48;

/// Probe key of bin `j` for empty bin `i`: 32 pseudo-random high bits, and `j` in the low 32
/// bits so that keys are distinct and the bin is recovered from the key. Bin `i` probes bins
/// in increasing key order.
#[inline(always)]
fn probe_key(key: u64, i: usize, j: usize) -> u64 {
    let p = mix64(key ^ ((i as u64) << 32 | j as u64));
    (p & 0xFFFF_FFFF_0000_0000) | (j as u64 & 0xFFFF_FFFF)
}

/// Estimated Jaccard similarity of the documents behind two signatures: the fraction of
/// positions holding equal values. Positions where either side is [`EMPTY_BIN`] never count as
/// equal, so an empty document has estimate 0.0 with everything, itself included. Signatures
/// of different lengths are compared on their common prefix (they should not be mixed);
/// empty slices give 0.0.
pub fn jaccard_estimate(a: &[u32], b: &[u32]) -> f64 {
    let n = a.len().min(b.len());
    if n == 0 {
        return 0.0;
    }
    let equal = a
        .iter()
        .zip(b)
        .filter(|(&x, &y)| x == y && x != EMPTY_BIN)
        .count();
    equal as f64 / n as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// SplitMix64 generator for test data.
    pub(crate) struct Rng(u64);
    impl Rng {
        pub(crate) fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            mix64(self.0)
        }
    }

    fn exact_jaccard_shingles(a: &[u64], b: &[u64], k: usize) -> f64 {
        let set = |t: &[u64]| {
            let mut s = HashSet::new();
            for_each_shingle(t, k, |h| {
                s.insert(h);
            });
            s
        };
        let (sa, sb) = (set(a), set(b));
        let inter = sa.intersection(&sb).count();
        let union = sa.union(&sb).count();
        inter as f64 / union as f64
    }

    /// Two sets of `size_a` and `size_b` elements sharing `shared` of them.
    fn overlap_sets(
        rng: &mut Rng,
        shared: usize,
        only_a: usize,
        only_b: usize,
    ) -> (Vec<u64>, Vec<u64>) {
        let common: Vec<u64> = (0..shared).map(|_| rng.next()).collect();
        let mut a = common.clone();
        a.extend((0..only_a).map(|_| rng.next()));
        let mut b = common;
        b.extend((0..only_b).map(|_| rng.next()));
        (a, b)
    }

    #[test]
    fn estimate_tracks_exact_jaccard() {
        let mh = MinHasher::new(MinHashParams {
            shingle: 1,
            ..MinHashParams::default()
        });
        let mut rng = Rng(42);
        // (shared, only_a, only_b) → J = shared / (shared + only_a + only_b).
        for &(shared, oa, ob) in &[
            (500, 500, 0),
            (900, 50, 50),
            (300, 350, 350),
            (100, 450, 450),
            (700, 0, 300),
            (8, 2, 2), // tiny sets: most bins densified
            (20, 10, 10),
            (60, 30, 30),
        ] {
            let exact = shared as f64 / (shared + oa + ob) as f64;
            let trials = 200;
            let (mut sum_abs, mut sum) = (0.0, 0.0);
            for _ in 0..trials {
                let (a, b) = overlap_sets(&mut rng, shared, oa, ob);
                let est = jaccard_estimate(&mh.signature(&a), &mh.signature(&b));
                sum_abs += (est - exact).abs();
                sum += est;
            }
            let mae = sum_abs / trials as f64;
            let bias = sum / trials as f64 - exact;
            eprintln!(
                "n={} J={exact:.3}: mean |error| {mae:.4}, bias {bias:+.4}",
                shared + oa + ob
            );
            assert!(mae < 0.1, "J={exact:.3}: mean |error| {mae:.3}");
            assert!(bias.abs() < 0.03, "J={exact:.3}: bias {bias:.3}");
        }
    }

    #[test]
    fn estimate_with_word_shingles() {
        let mh = MinHasher::new(MinHashParams::default());
        let mut rng = Rng(7);
        let mut sum_abs = 0.0;
        let trials = 100;
        for _ in 0..trials {
            let a: Vec<u64> = (0..400).map(|_| rng.next() % 2000).collect();
            let mut b = a.clone();
            for _ in 0..10 {
                let at = (rng.next() % 400) as usize;
                b[at] = rng.next();
            }
            let exact = exact_jaccard_shingles(&a, &b, 5);
            let est = jaccard_estimate(&mh.signature(&a), &mh.signature(&b));
            sum_abs += (est - exact).abs();
        }
        assert!(sum_abs / trials as f64 <= 0.06);
    }

    #[test]
    fn identical_inputs_identical_signatures() {
        let mh = MinHasher::new(MinHashParams::default());
        let mut rng = Rng(1);
        for len in [0usize, 1, 3, 4, 5, 6, 20, 129, 1000] {
            let toks: Vec<u64> = (0..len).map(|_| rng.next()).collect();
            let s1 = mh.signature(&toks);
            let s2 = MinHasher::new(MinHashParams::default()).signature(&toks);
            assert_eq!(s1, s2);
            assert_eq!(s1.len(), 128);
            let mut buf = vec![0u32; 128];
            mh.signature_into(&toks, &mut buf);
            assert_eq!(s1, buf);
            if len > 0 {
                assert!(s1.iter().all(|&v| v != EMPTY_BIN), "densified, len {len}");
                assert_eq!(jaccard_estimate(&s1, &s2), 1.0);
            }
        }
    }

    #[test]
    fn empty_document_matches_nothing() {
        let mh = MinHasher::new(MinHashParams::default());
        let e = mh.signature(&[]);
        assert!(e.iter().all(|&v| v == EMPTY_BIN));
        assert_eq!(jaccard_estimate(&e, &e), 0.0);
        assert_eq!(
            jaccard_estimate(&e, &mh.signature(&[1, 2, 3, 4, 5, 6])),
            0.0
        );
        assert_eq!(jaccard_estimate(&[], &[]), 0.0);
    }

    #[test]
    fn short_document_is_one_shingle() {
        let mh = MinHasher::new(MinHashParams::default());
        let s = mh.signature(&[10, 20, 30]);
        // One shingle: every bin holds its value.
        assert!(s.iter().all(|&v| v == s[0] && v != EMPTY_BIN));
        assert_ne!(s, mh.signature(&[10, 20, 31]));
    }

    #[test]
    fn seed_changes_signature_and_odd_sizes_work() {
        let toks: Vec<u64> = (0..300u64).map(mix64).collect();
        let a = MinHasher::new(MinHashParams::default()).signature(&toks);
        let b = MinHasher::new(MinHashParams {
            seed: 99,
            ..MinHashParams::default()
        })
        .signature(&toks);
        assert!(jaccard_estimate(&a, &b) < 0.1);
        for k in [0usize, 1, 7, 100, 1500, 5000] {
            let mh = MinHasher::new(MinHashParams {
                num_perm: k,
                ..MinHashParams::default()
            });
            let s = mh.signature(&toks[..40]);
            assert_eq!(s.len(), k);
            assert!(s.iter().all(|&v| v != EMPTY_BIN));
        }
        let mh = MinHasher::new(MinHashParams::default());
        let mut wrong = vec![0u32; 5];
        mh.signature_into(&toks, &mut wrong);
        assert!(wrong.iter().all(|&v| v == EMPTY_BIN));
    }

    #[test]
    fn walk_and_direct_densification_agree() {
        // A table-less hasher (K > 1024) always takes the direct path; compare it with the
        // table walk by forcing both on the same K through a copy without the table.
        let p = MinHashParams {
            num_perm: 256,
            ..MinHashParams::default()
        };
        let with_table = MinHasher::new(p);
        let mut without = with_table.clone();
        without.probe.clear();
        let mut rng = Rng(3);
        for len in [1usize, 2, 5, 10, 30, 100, 300, 1000] {
            let toks: Vec<u64> = (0..len + 4).map(|_| rng.next()).collect();
            assert_eq!(
                with_table.signature(&toks),
                without.signature(&toks),
                "len {len}"
            );
        }
    }
}
