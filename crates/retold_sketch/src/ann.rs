//! Nearest neighbours over document embeddings: candidate pairs for rewrites and translations,
//! which share meaning but few shingles.
//!
//! Small collections (up to [`EXACT_LIMIT`] vectors) are searched exactly; larger ones through
//! an HNSW graph (`hnsw_rs`), built by inserting the vectors one by one in input order (its
//! level generator has a fixed seed, so the graph, and hence the pairs, depend only on the
//! input). Each vector's `k` nearest neighbours with cosine similarity ≥ `min_sim` become
//! pairs `(a, b, similarity)` with `a < b`, deduplicated and sorted.

use hnsw_rs::prelude::{DistL2, Hnsw};
use rayon::prelude::*;

/// Up to this many vectors, neighbours are found by exact search.
pub const EXACT_LIMIT: usize = 2048;

fn dot(x: &[f32], y: &[f32]) -> f32 {
    x.iter().zip(y).map(|(p, q)| p * q).sum()
}

/// Pairs of each vector with its `k` nearest neighbours (cosine ≥ `min_sim`). Vectors must be
/// unit length and of one dimension; empty vectors (documents without content) are skipped.
pub fn nearest_pairs(vectors: &[Vec<f32>], k: usize, min_sim: f32) -> Vec<(u32, u32, f32)> {
    let live: Vec<u32> = (0..vectors.len() as u32)
        .filter(|&i| !vectors[i as usize].is_empty())
        .collect();
    finish(vectors, knn(vectors, &live, &live, k, min_sim))
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
    let mut groups: Vec<u32> = group.to_vec();
    groups.sort_unstable();
    groups.dedup();
    let mut found = Vec::new();
    if groups.len() < 2 {
        return Vec::new();
    }
    for &g in &groups {
        let live = |inside: bool| -> Vec<u32> {
            (0..vectors.len() as u32)
                .filter(|&i| !vectors[i as usize].is_empty() && (group[i as usize] == g) == inside)
                .collect()
        };
        found.extend(knn(vectors, &live(false), &live(true), k, min_sim));
    }
    finish(vectors, found)
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

/// The `k` nearest `targets` (cosine ≥ `min_sim`, itself excluded) of each of `queries`.
fn knn(
    vectors: &[Vec<f32>],
    targets: &[u32],
    queries: &[u32],
    k: usize,
    min_sim: f32,
) -> Vec<(u32, u32)> {
    if targets.is_empty() || queries.is_empty() || k == 0 {
        return Vec::new();
    }
    let neighbours: Vec<Vec<(u32, f32)>> = if targets.len() <= EXACT_LIMIT {
        queries
            .par_iter()
            .map(|&i| {
                let v = &vectors[i as usize];
                let mut best: Vec<(u32, f32)> = targets
                    .iter()
                    .filter(|&&j| j != i)
                    .map(|&j| (j, dot(v, &vectors[j as usize])))
                    .filter(|&(_, s)| s >= min_sim)
                    .collect();
                best.sort_unstable_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
                best.truncate(k);
                best
            })
            .collect()
    } else {
        // Euclidean distance orders unit vectors as cosine does (|x − y|² = 2 − 2·cos).
        let hnsw: Hnsw<f32, DistL2> = Hnsw::new(16, targets.len(), 16, 100, DistL2 {});
        for &i in targets {
            hnsw.insert_slice((&vectors[i as usize], i as usize));
        }
        queries
            .par_iter()
            .map(|&i| {
                hnsw.search(&vectors[i as usize], k + 1, 64)
                    .into_iter()
                    .map(|n| n.d_id as u32)
                    .map(|j| (j, dot(&vectors[i as usize], &vectors[j as usize])))
                    .filter(|&(j, s)| j != i && s >= min_sim)
                    .take(k)
                    .collect()
            })
            .collect()
    };
    queries
        .iter()
        .zip(neighbours)
        .flat_map(|(&i, ns)| ns.into_iter().map(move |(j, _)| (i, j)))
        .collect()
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
}
