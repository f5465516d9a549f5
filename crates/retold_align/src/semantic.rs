//! Semantic sentence alignment: a monotone dynamic program over the sentence similarity
//! matrix of two documents, in the manner of bitext sentence aligners.
//!
//! Input: unit-length sentence embeddings of both sides (any model; cosine = dot product) and
//! each sentence's weight (its content tokens). A *bead* pairs `1..=max_merge` consecutive
//! sentences of `a` with `1..=max_merge` consecutive sentences of `b` (one-to-one, one-to-many,
//! many-to-one); sentences in no bead are skipped at no cost. The program picks the monotone
//! chain of beads that maximises
//!
//! `Σ (sim(bead) − threshold) · size(bead)`
//!
//! where `sim` is the cosine of the beads' summed (then normalised) embeddings and `size` the
//! mean number of sentences on its two sides, so a bead is only worth taking when its
//! similarity clears `threshold`, and merging two sentences only pays when the merged pair is
//! as similar as a one-to-one pair would be. Cost: `O(n · m · max_merge²)` dot products over
//! `dim`; the caller keeps documents to a bounded number of sentences.

/// Parameters of the semantic aligner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SemanticParams {
    /// Cosine similarity a bead must exceed to add to the score.
    pub threshold: f32,
    /// Most sentences on one side of a bead (1 = one-to-one only).
    pub max_merge: usize,
    /// Score multiplier for beads with more than one sentence on a side (≤ 1 discourages
    /// merges that a pair of one-to-one beads would explain as well).
    pub merge_factor: f32,
    /// Least similarity above the background a bead needs (0 turns contrast off).
    pub min_contrast: f32,
    /// Background similarity where a side has a single sentence.
    pub default_background: f32,
}

impl Default for SemanticParams {
    fn default() -> Self {
        SemanticParams {
            threshold: 0.6,
            max_merge: 2,
            merge_factor: 0.9,
            min_contrast: 0.0,
            default_background: 0.0,
        }
    }
}

/// One aligned group of sentences: `[start, end)` sentence indices on both sides.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bead {
    /// Sentence range of `a`.
    pub a: (u32, u32),
    /// Sentence range of `b`.
    pub b: (u32, u32),
    /// Cosine similarity of the two sides' (merged) embeddings.
    pub similarity: f32,
    /// Similarity minus the background of its sentences.
    pub contrast: f32,
}

fn dot(x: &[f32], y: &[f32]) -> f32 {
    x.iter().zip(y).map(|(p, q)| p * q).sum()
}

/// Sums of `width` consecutive vectors starting at each index, normalised; `None` where the
/// window runs past the end.
fn windows(v: &[Vec<f32>], width: usize) -> Vec<Option<Vec<f32>>> {
    (0..v.len())
        .map(|i| {
            if i + width > v.len() {
                return None;
            }
            let mut s = v[i].clone();
            for w in &v[i + 1..i + width] {
                for (x, y) in s.iter_mut().zip(w) {
                    *x += y;
                }
            }
            let n = dot(&s, &s).sqrt();
            if n > 0.0 {
                for x in &mut s {
                    *x /= n;
                }
            }
            Some(s)
        })
        .collect()
}

/// Aligns the sentences of `a` with those of `b`. Both are unit vectors of one dimension.
/// Returns the beads in order (monotone in both sides).
pub fn align_sentences(a: &[Vec<f32>], b: &[Vec<f32>], p: &SemanticParams) -> Vec<Bead> {
    let (n, m) = (a.len(), b.len());
    if n == 0 || m == 0 {
        return Vec::new();
    }
    let k = p.max_merge.max(1);
    // Background of each sentence: mean similarity to the other side's other sentences.
    let contrast_on = p.min_contrast > 0.0;
    let (mut row, mut col) = (vec![0f32; n], vec![0f32; m]);
    let mut cell = vec![0f32; if contrast_on { n * m } else { 0 }];
    if contrast_on {
        for i in 0..n {
            for j in 0..m {
                let s = dot(&a[i], &b[j]);
                cell[i * m + j] = s;
                row[i] += s;
                col[j] += s;
            }
        }
    }
    // Background of a bead: mean over its sentences of their mean similarity to the sentences
    // of the other side outside the bead.
    let background = |ia: std::ops::Range<usize>, jb: std::ops::Range<usize>| -> f32 {
        if !contrast_on {
            return 0.0;
        }
        let mut sum = 0f32;
        let mut cnt = 0usize;
        for i in ia.clone() {
            let inside: f32 = jb.clone().map(|j| cell[i * m + j]).sum();
            if m > jb.len() {
                sum += (row[i] - inside) / (m - jb.len()) as f32;
                cnt += 1;
            }
        }
        for j in jb.clone() {
            let inside: f32 = ia.clone().map(|i| cell[i * m + j]).sum();
            if n > ia.len() {
                sum += (col[j] - inside) / (n - ia.len()) as f32;
                cnt += 1;
            }
        }
        if cnt == 0 {
            p.default_background
        } else {
            sum / cnt as f32
        }
    };
    let wa: Vec<Vec<Option<Vec<f32>>>> = (1..=k).map(|w| windows(a, w)).collect();
    let wb: Vec<Vec<Option<Vec<f32>>>> = (1..=k).map(|w| windows(b, w)).collect();
    // best[i][j]: best score aligning a[..i] with b[..j]; back[i][j]: the move taken.
    #[derive(Clone, Copy)]
    enum Move {
        Start,
        SkipA,
        SkipB,
        Bead(u8, u8, f32, f32),
    }
    let cols = m + 1;
    let mut best = vec![0f32; (n + 1) * cols];
    let mut back = vec![Move::Start; (n + 1) * cols];
    for i in 0..=n {
        for j in 0..=m {
            if i == 0 && j == 0 {
                continue;
            }
            let mut sc = f32::NEG_INFINITY;
            let mut mv = Move::Start;
            if i > 0 && best[(i - 1) * cols + j] > sc {
                sc = best[(i - 1) * cols + j];
                mv = Move::SkipA;
            }
            if j > 0 && best[i * cols + j - 1] > sc {
                sc = best[i * cols + j - 1];
                mv = Move::SkipB;
            }
            for da in 1..=k.min(i) {
                for db in 1..=k.min(j) {
                    if da > 1 && db > 1 {
                        continue; // many-to-many beads would swallow two one-to-one beads
                    }
                    let (Some(x), Some(y)) = (&wa[da - 1][i - da], &wb[db - 1][j - db]) else {
                        continue;
                    };
                    let sim = dot(x, y);
                    if sim <= p.threshold {
                        continue;
                    }
                    let size = (da + db) as f32 / 2.0;
                    let factor = if da > 1 || db > 1 {
                        p.merge_factor
                    } else {
                        1.0
                    };
                    let contrast = sim - background(i - da..i, j - db..j);
                    let margin = if contrast_on {
                        contrast - p.min_contrast
                    } else {
                        sim - p.threshold
                    };
                    let gain = margin * size * factor;
                    if gain <= 0.0 {
                        continue;
                    }
                    let s = best[(i - da) * cols + j - db] + gain;
                    if s > sc {
                        sc = s;
                        mv = Move::Bead(da as u8, db as u8, sim, contrast);
                    }
                }
            }
            best[i * cols + j] = sc;
            back[i * cols + j] = mv;
        }
    }
    let mut out = Vec::new();
    let (mut i, mut j) = (n, m);
    while i > 0 || j > 0 {
        match back[i * cols + j] {
            Move::Start => break,
            Move::SkipA => i -= 1,
            Move::SkipB => j -= 1,
            Move::Bead(da, db, sim, contrast) => {
                let (da, db) = (da as usize, db as usize);
                out.push(Bead {
                    a: ((i - da) as u32, i as u32),
                    b: ((j - db) as u32, j as u32),
                    similarity: sim,
                    contrast,
                });
                i -= da;
                j -= db;
            }
        }
    }
    out.reverse();
    out
}

/// Share of both sides' sentences inside beads.
fn bead_share(beads: &[Bead], n: usize, m: usize) -> f32 {
    if n + m == 0 {
        return 0.0;
    }
    let inside: u32 = beads
        .iter()
        .map(|b| (b.a.1 - b.a.0) + (b.b.1 - b.b.0))
        .sum();
    inside as f32 / (n + m) as f32
}

/// Evidence that an alignment follows the documents' order rather than chance, in the manner
/// of Cohen's kappa: `(real − chance) / (1 − chance)`, where `real` is the share of both
/// sides' sentences inside `beads` (the alignment of `a` with `b`) and `chance` the mean share
/// the same aligner reaches when `b`'s sentences are shuffled (`rounds` fixed permutations, so
/// the result is deterministic). A translation or rewrite keeps the order of its source:
/// shuffled, only a short increasing run of it still aligns, so the evidence is near 1 for a
/// faithful one whatever its length. Two unrelated texts whose sentences are all about
/// equally similar — word salad, lists, generated text, which embedding models rate as close
/// — align about as well shuffled: evidence near 0 (or below). 0 when nothing is aligned.
/// When `b` has a single sentence the order cannot be tested and the result is 1 (nothing
/// against it). Costs `rounds` more alignments of the same pair (no embedding).
pub fn order_evidence(
    a: &[Vec<f32>],
    b: &[Vec<f32>],
    beads: &[Bead],
    p: &SemanticParams,
    rounds: usize,
) -> f32 {
    let (n, m) = (a.len(), b.len());
    let real = bead_share(beads, n, m);
    if real == 0.0 {
        return 0.0;
    }
    if m < 2 || rounds == 0 {
        return 1.0;
    }
    let mut state = 0x9E37_79B9_7F4A_7C15u64 ^ ((n as u64) << 32 | m as u64);
    let mut next = move || {
        // SplitMix64: a fixed, well-mixed sequence; no dependency for a few permutations.
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut total = 0f32;
    for _ in 0..rounds {
        let mut order: Vec<usize> = (0..m).collect();
        for i in (1..m).rev() {
            let j = (next() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        let shuffled: Vec<Vec<f32>> = order.iter().map(|&j| b[j].clone()).collect();
        total += bead_share(&align_sentences(a, &shuffled, p), n, m);
    }
    let chance = total / rounds as f32;
    if chance >= 1.0 {
        return 0.0;
    }
    (real - chance) / (1.0 - chance)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(v: &[f32]) -> Vec<f32> {
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter().map(|x| x / n).collect()
    }

    /// Basis-like vectors: sentence `i` of a topic points mostly along axis `i`.
    fn sent(axis: usize, dim: usize, noise: f32) -> Vec<f32> {
        let mut v = vec![noise; dim];
        v[axis] = 1.0;
        unit(&v)
    }

    #[test]
    fn identical_sentences_align_one_to_one() {
        let a: Vec<_> = (0..5).map(|i| sent(i, 8, 0.05)).collect();
        let beads = align_sentences(&a, &a, &SemanticParams::default());
        assert_eq!(beads.len(), 5);
        for (i, bd) in beads.iter().enumerate() {
            assert_eq!(bd.a, (i as u32, i as u32 + 1));
            assert_eq!(bd.b, (i as u32, i as u32 + 1));
            assert!(bd.similarity > 0.99);
        }
    }

    #[test]
    fn insertions_are_skipped_and_order_kept() {
        let a: Vec<_> = (0..4).map(|i| sent(i, 10, 0.0)).collect();
        // b has an unrelated sentence inserted after the second one and one at the start.
        let b = vec![
            sent(8, 10, 0.0),
            a[0].clone(),
            a[1].clone(),
            sent(9, 10, 0.0),
            a[2].clone(),
            a[3].clone(),
        ];
        let beads = align_sentences(&a, &b, &SemanticParams::default());
        let pairs: Vec<_> = beads.iter().map(|b| (b.a.0, b.b.0)).collect();
        assert_eq!(pairs, vec![(0, 1), (1, 2), (2, 4), (3, 5)]);
    }

    #[test]
    fn a_split_sentence_aligns_one_to_two() {
        // b splits a's middle sentence (axes 1+2) into two sentences.
        let a = vec![
            sent(0, 6, 0.0),
            unit(&[0.0, 1.0, 1.0, 0.0, 0.0, 0.0]),
            sent(3, 6, 0.0),
        ];
        let b = vec![
            sent(0, 6, 0.0),
            sent(1, 6, 0.0),
            sent(2, 6, 0.0),
            sent(3, 6, 0.0),
        ];
        let beads = align_sentences(&a, &b, &SemanticParams::default());
        assert_eq!(beads.len(), 3);
        assert_eq!(beads[1].a, (1, 2));
        assert_eq!(beads[1].b, (1, 3));
        assert!(beads[1].similarity > 0.99);
    }

    #[test]
    fn dissimilar_documents_give_no_beads() {
        let a: Vec<_> = (0..3).map(|i| sent(i, 8, 0.0)).collect();
        let b: Vec<_> = (3..7).map(|i| sent(i, 8, 0.0)).collect();
        assert!(align_sentences(&a, &b, &SemanticParams::default()).is_empty());
        assert!(align_sentences(&a, &[], &SemanticParams::default()).is_empty());
    }

    #[test]
    fn uniformly_similar_sentences_do_not_align_with_contrast() {
        // Every sentence of a is 0.9 similar to every sentence of b: same kind, no match.
        let base = vec![1.0, 0.0, 0.0, 0.0, 0.0];
        let mk = |axis: usize| {
            let mut v = base.clone();
            v[axis] = 0.484; // cos ≈ 0.9 between any two such vectors
            unit(&v)
        };
        let a: Vec<_> = (1..3).map(mk).collect();
        let b: Vec<_> = (3..5).map(mk).collect();
        let raw = SemanticParams {
            threshold: 0.8,
            ..SemanticParams::default()
        };
        assert!(
            !align_sentences(&a, &b, &raw).is_empty(),
            "raw threshold aligns"
        );
        let with_contrast = SemanticParams {
            min_contrast: 0.05,
            ..raw
        };
        assert!(align_sentences(&a, &b, &with_contrast).is_empty());
        // The same sentences against themselves stand out and align.
        let beads = align_sentences(&a, &a, &with_contrast);
        assert_eq!(beads.len(), 2);
        assert!(beads.iter().all(|b| b.contrast > 0.05));
    }

    #[test]
    fn crossing_matches_keep_the_better_monotone_chain() {
        // a = [x, y], b = [y, x]: only one of the two can be aligned monotonically.
        let x = sent(0, 4, 0.0);
        let y = sent(1, 4, 0.0);
        let beads = align_sentences(&[x.clone(), y.clone()], &[y, x], &SemanticParams::default());
        assert_eq!(beads.len(), 1);
    }
    #[test]
    fn order_evidence_separates_ordered_matches_from_flat_similarity() {
        // A faithful "translation": b is a with small noise, same order.
        let a: Vec<_> = (0..8).map(|i| sent(i, 12, 0.1)).collect();
        let b: Vec<_> = (0..8).map(|i| sent(i, 12, 0.15)).collect();
        let p = SemanticParams {
            threshold: 0.5,
            min_contrast: 0.05,
            ..SemanticParams::default()
        };
        let beads = align_sentences(&a, &b, &p);
        assert_eq!(beads.len(), 8);
        let ev = order_evidence(&a, &b, &beads, &p, 3);
        assert!(ev > 0.6, "ordered alignment: {ev}");
        // Flat field: every sentence of one side about equally close to every sentence of
        // the other (small independent jitter), so the best chain is chance.
        let jitter = |k: usize, axis: usize| {
            let mut v = vec![1.0f32; 12];
            v[axis] += 0.3 + 0.05 * ((k * 7 + axis * 3) % 5) as f32;
            unit(&v)
        };
        let x: Vec<_> = (0..8).map(|i| jitter(i, i)).collect();
        let y: Vec<_> = (0..8).map(|i| jitter(i + 3, (i + 4) % 12)).collect();
        let raw = SemanticParams {
            threshold: 0.8,
            ..SemanticParams::default()
        };
        let beads = align_sentences(&x, &y, &raw);
        assert!(
            !beads.is_empty(),
            "the flat field aligns by threshold alone"
        );
        let ev = order_evidence(&x, &y, &beads, &raw, 3);
        assert!(ev < 0.3, "chance alignment: {ev}");
        // Deterministic.
        assert_eq!(ev, order_evidence(&x, &y, &beads, &raw, 3));
    }
}
