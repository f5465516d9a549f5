//! Nearest neighbours over document embeddings: candidate pairs for rewrites and translations,
//! which share meaning but few shingles.
//!
//! Vectors are split into groups (e.g. by language). Each group is indexed on its own: groups
//! of up to [`EXACT_LIMIT`] vectors are searched exactly, larger ones through an HNSW graph
//! (`hnsw_rs`), built by inserting the group's vectors one by one in input order (its level
//! generator has a fixed seed, so the graph, and hence the pairs, depend only on the input;
//! graphs of different groups are built in parallel). A query searches every group's index
//! and merges the hits, so one index per group serves both the nearest neighbours overall and
//! those in other groups, and every vector is inserted into one graph only. Each vector's
//! nearest neighbours with cosine similarity ≥ `min_sim` become pairs `(a, b, similarity)`
//! with `a < b`, deduplicated and sorted.

use hnsw_rs::prelude::{Distance, Hnsw};
use rayon::prelude::*;

/// Up to this many vectors, a group is searched exactly (an HNSW search at the settings below
/// visits about as many vectors).
pub const EXACT_LIMIT: usize = 2048;

/// Lanes of [`dot`]: independent partial sums, so that the compiler vectorises the loop and
/// several additions are in flight at once.
const LANES: usize = 32;

/// Dot product, summed in [`LANES`] lanes (the same result on every CPU: no fused
/// multiply-add, a fixed order of additions). The lane sums are added in order, a shape the
/// compiler turns into packed multiplies and adds.
pub fn dot(x: &[f32], y: &[f32]) -> f32 {
    let mut acc = [0f32; LANES];
    let (xc, yc) = (x.chunks_exact(LANES), y.chunks_exact(LANES));
    let tail: f32 = xc
        .remainder()
        .iter()
        .zip(yc.remainder())
        .map(|(p, q)| p * q)
        .sum();
    for (a, b) in xc.zip(yc) {
        for l in 0..LANES {
            acc[l] += a[l] * b[l];
        }
    }
    acc.iter().sum::<f32>() + tail
}

/// Distance between unit vectors for the graph: `1 − cosine` (orders neighbours as Euclidean
/// distance does, `|x − y|² = 2 − 2·cos`), with the vectorised [`dot`].
#[derive(Debug, Clone, Copy, Default)]
struct UnitDistance;

impl Distance<f32> for UnitDistance {
    fn eval(&self, va: &[f32], vb: &[f32]) -> f32 {
        (1.0 - dot(va, vb)).max(0.0)
    }
}

/// Pairs of each vector with its `k` nearest neighbours (cosine ≥ `min_sim`). Vectors must be
/// unit length and of one dimension; empty vectors (documents without content) are skipped.
pub fn nearest_pairs(vectors: &[Vec<f32>], k: usize, min_sim: f32) -> Vec<(u32, u32, f32)> {
    neighbour_pairs(vectors, &vec![0; vectors.len()], k, 0, min_sim)
}

/// Like [`nearest_pairs`], but each vector's neighbours are searched among the vectors of
/// *other* groups only (`group[i]` is vector `i`'s group, e.g. its language): a Chinese
/// report's nearest English documents, which the nearest documents overall (other Chinese
/// reports, nearer in any model's space) would crowd out.
pub fn nearest_pairs_across(
    vectors: &[Vec<f32>],
    group: &[u32],
    k: usize,
    min_sim: f32,
) -> Vec<(u32, u32, f32)> {
    neighbour_pairs(vectors, group, 0, k, min_sim)
}

/// Both at once, over one index per group: each vector's `k` nearest neighbours overall and
/// its `k_across` nearest neighbours in other groups (cosine ≥ `min_sim`), as sorted,
/// deduplicated pairs.
pub fn neighbour_pairs(
    vectors: &[Vec<f32>],
    group: &[u32],
    k: usize,
    k_across: usize,
    min_sim: f32,
) -> Vec<(u32, u32, f32)> {
    let mut members: Vec<(u32, u32)> = (0..vectors.len() as u32)
        .filter(|&i| !vectors[i as usize].is_empty())
        .map(|i| (group[i as usize], i))
        .collect();
    members.sort_unstable();
    let groups: Vec<&[(u32, u32)]> = members.chunk_by(|x, y| x.0 == y.0).collect();
    if groups.is_empty() || (k == 0 && (k_across == 0 || groups.len() < 2)) {
        return Vec::new();
    }
    let indexes: Vec<GroupIndex<'_>> = groups
        .par_iter()
        .map(|g| GroupIndex::new(vectors, g.iter().map(|m| m.1).collect()))
        .collect();
    let ids: Vec<u32> = members.iter().map(|m| m.1).collect();
    let found: Vec<Vec<(u32, u32)>> = ids
        .par_chunks(QUERY_BLOCK)
        .map(|block| {
            // Hits per query of the block, per group (one pass over an exact group's vectors
            // serves the whole block, so they are read from memory once per block).
            let mut hits: Vec<Vec<Vec<(u32, f32)>>> = vec![Vec::new(); block.len()];
            for index in &indexes {
                let per_query = index.search_block(vectors, block, k.max(k_across), min_sim);
                for (h, q) in hits.iter_mut().zip(per_query) {
                    h.push(q);
                }
            }
            let mut out = Vec::new();
            for (&i, per_group) in block.iter().zip(hits) {
                let own = group[i as usize];
                let mut near: Vec<(u32, f32)> = Vec::new();
                let mut across: Vec<(u32, f32)> = Vec::new();
                for (g, mut h) in groups.iter().zip(per_group) {
                    if g[0].0 == own {
                        h.truncate(k);
                        near.extend(h);
                    } else {
                        if k_across > 0 {
                            across.extend_from_slice(&h[..h.len().min(k_across)]);
                        }
                        h.truncate(k);
                        near.extend(h);
                    }
                }
                for (mut list, keep) in [(near, k), (across, k_across)] {
                    best_first(&mut list);
                    list.truncate(keep);
                    out.extend(list.into_iter().map(|(j, _)| (i, j)));
                }
            }
            out
        })
        .collect();
    finish(vectors, found.into_iter().flatten().collect())
}

/// Queries searched together (their vectors stay in cache while an exact group is read).
const QUERY_BLOCK: usize = 32;

/// Sorts hits by similarity, highest first (ties by id).
fn best_first(hits: &mut [(u32, f32)]) {
    hits.sort_unstable_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
}

/// One group's vectors, searched exactly or through an HNSW graph.
enum GroupIndex<'a> {
    Exact(Vec<u32>),
    Graph(Hnsw<'a, f32, UnitDistance>),
}

impl<'a> GroupIndex<'a> {
    fn new(vectors: &'a [Vec<f32>], ids: Vec<u32>) -> Self {
        if ids.len() <= EXACT_LIMIT {
            return GroupIndex::Exact(ids);
        }
        let hnsw = Hnsw::new(16, ids.len(), 16, 100, UnitDistance);
        for &i in &ids {
            hnsw.insert_slice((&vectors[i as usize], i as usize));
        }
        GroupIndex::Graph(hnsw)
    }

    /// The `k` nearest vectors (cosine ≥ `min_sim`, the query itself excluded) of each of
    /// `queries`, best first.
    fn search_block(
        &self,
        vectors: &[Vec<f32>],
        queries: &[u32],
        k: usize,
        min_sim: f32,
    ) -> Vec<Vec<(u32, f32)>> {
        let mut hits: Vec<Vec<(u32, f32)>> = vec![Vec::new(); queries.len()];
        match self {
            GroupIndex::Exact(ids) => {
                for &j in ids {
                    let t = &vectors[j as usize];
                    for (&q, h) in queries.iter().zip(hits.iter_mut()) {
                        if q == j {
                            continue;
                        }
                        let s = dot(&vectors[q as usize], t);
                        if s >= min_sim {
                            h.push((j, s));
                            if h.len() >= 8 * k.max(64) {
                                keep_best(h, k);
                            }
                        }
                    }
                }
            }
            GroupIndex::Graph(hnsw) => {
                for (&q, h) in queries.iter().zip(hits.iter_mut()) {
                    let v = &vectors[q as usize];
                    *h = hnsw
                        .search(v, k + 1, 64)
                        .into_iter()
                        .map(|n| n.d_id as u32)
                        .filter(|&j| j != q)
                        .map(|j| (j, dot(v, &vectors[j as usize])))
                        .filter(|&(_, s)| s >= min_sim)
                        .collect();
                }
            }
        }
        for h in &mut hits {
            keep_best(h, k);
            best_first(h);
        }
        hits
    }
}

/// Keeps the `k` best hits (unordered).
fn keep_best(hits: &mut Vec<(u32, f32)>, k: usize) {
    if hits.len() > k {
        hits.select_nth_unstable_by(k, |x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
        hits.truncate(k);
    }
}

/// Sorted, deduplicated `(a, b, similarity)` with `a < b`.
fn finish(vectors: &[Vec<f32>], found: Vec<(u32, u32)>) -> Vec<(u32, u32, f32)> {
    let mut pairs: Vec<(u32, u32, f32)> = found
        .into_iter()
        .map(|(i, j)| (i.min(j), i.max(j)))
        .map(|(a, b)| (a, b, dot(&vectors[a as usize], &vectors[b as usize])))
        .collect();
    pairs.sort_unstable_by_key(|p| (p.0, p.1));
    pairs.dedup_by(|x, y| x.0 == y.0 && x.1 == y.1);
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic pseudo-random unit vectors.
    fn vectors(n: usize, dim: usize, seed: u64) -> Vec<Vec<f32>> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                let v: Vec<f32> = (0..dim)
                    .map(|_| {
                        s = s
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        ((s >> 33) as f32 / (1u64 << 31) as f32) - 0.5
                    })
                    .collect();
                let n = dot(&v, &v).sqrt();
                v.into_iter().map(|x| x / n).collect()
            })
            .collect()
    }

    /// Each base vector gets a near copy; the pairs found must be exactly those.
    fn planted(n: usize) -> (Vec<Vec<f32>>, Vec<(u32, u32)>) {
        let base = vectors(n, 32, 7);
        let noise = vectors(n, 32, 99);
        let mut all = base.clone();
        let mut expect = Vec::new();
        for (i, (b, e)) in base.iter().zip(&noise).enumerate() {
            let v: Vec<f32> = b.iter().zip(e).map(|(x, y)| x + 0.1 * y).collect();
            let nrm = dot(&v, &v).sqrt();
            all.push(v.into_iter().map(|x| x / nrm).collect());
            expect.push((i as u32, (n + i) as u32));
        }
        (all, expect)
    }

    #[test]
    fn exact_search_finds_planted_neighbours() {
        let (v, expect) = planted(100);
        let got: Vec<(u32, u32)> = nearest_pairs(&v, 1, 0.9)
            .into_iter()
            .map(|(a, b, _)| (a, b))
            .collect();
        assert_eq!(got, expect);
    }

    #[test]
    fn hnsw_search_finds_planted_neighbours_deterministically() {
        let (v, expect) = planted(EXACT_LIMIT);
        let first = nearest_pairs(&v, 1, 0.9);
        let got: Vec<(u32, u32)> = first.iter().map(|&(a, b, _)| (a, b)).collect();
        let found = expect.iter().filter(|p| got.contains(p)).count();
        assert!(found as f32 >= 0.99 * expect.len() as f32, "{found}");
        assert_eq!(nearest_pairs(&v, 1, 0.9), first);
    }

    #[test]
    fn across_groups_only_pairs_different_groups() {
        let (v, expect) = planted(50);
        // Base vectors in group 0, their near copies in group 1.
        let group: Vec<u32> = (0..100).map(|i| (i >= 50) as u32).collect();
        let got: Vec<(u32, u32)> = nearest_pairs_across(&v, &group, 1, 0.9)
            .into_iter()
            .map(|(a, b, _)| (a, b))
            .collect();
        assert_eq!(got, expect);
        // One group: nothing to pair across.
        assert!(nearest_pairs_across(&v, &[0; 100], 3, -1.0).is_empty());
    }

    #[test]
    fn empty_vectors_and_low_similarity_are_skipped() {
        let mut v = vectors(3, 8, 1);
        v.push(Vec::new());
        assert!(nearest_pairs(&v, 2, 0.999).is_empty());
        assert!(nearest_pairs(&v[..1], 2, -1.0).is_empty());
    }

    #[test]
    fn dot_matches_the_plain_sum() {
        for dim in [0, 1, 7, 32, 33, 384, 385] {
            let v = vectors(2, dim.max(1), 5);
            let (x, y) = (&v[0][..dim.min(v[0].len())], &v[1][..dim.min(v[1].len())]);
            let plain: f32 = x.iter().zip(y).map(|(p, q)| p * q).sum();
            assert!((dot(x, y) - plain).abs() < 1e-5, "{dim}");
        }
    }

    #[test]
    fn both_searches_at_once_are_the_union_of_each() {
        // Exact groups (small) and a graph group (above EXACT_LIMIT) side by side.
        for n in [60, EXACT_LIMIT + 200] {
            let (v, _) = planted(n);
            let groups = if n <= EXACT_LIMIT { 3 } else { 2 };
            let group: Vec<u32> = (0..v.len() as u32).map(|i| i % groups).collect();
            let mut expect = nearest_pairs(&v, 3, 0.0);
            expect.extend(nearest_pairs_across(&v, &group, 2, 0.0));
            expect.sort_unstable_by_key(|p| (p.0, p.1));
            expect.dedup_by(|x, y| x.0 == y.0 && x.1 == y.1);
            let got = neighbour_pairs(&v, &group, 3, 2, 0.0);
            // Overall neighbours come from per-group indexes here and from one index in
            // `nearest_pairs`: exact searches agree; graph searches may differ in a few.
            let same = got.iter().filter(|p| expect.contains(p)).count();
            if n <= EXACT_LIMIT {
                assert_eq!(got.len(), expect.len());
                assert_eq!(same, got.len());
            } else {
                assert!(
                    same as f32 >= 0.97 * expect.len() as f32,
                    "{same} of {}",
                    expect.len()
                );
            }
        }
    }
}
