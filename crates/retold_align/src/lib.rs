//! `retold_align` owns passage alignment. The [`reword`] module aligns sentences by
//! bag-of-words similarity (reworded passages, summaries); the [`semantic`] module aligns sentences by their
//! embeddings (rewrites, translations); the rest of this crate is lexical passage alignment: given the content token hashes of two
//! documents it finds the passages they share, in the spirit of PAN text-alignment systems
//! (seed, extend, merge).
//!
//! 1. **Seeds**: every `k`-token shingle of `a` is indexed (at most `max_occ` positions each, so
//!    repeated phrases cannot explode the work); every shingle of `b` found there is a seed
//!    `(i, j)`.
//! 2. **Extend and merge**: seeds sorted by position in `a` are chained into passages; a seed
//!    joins the passage whose last seed is at most `max_gap` tokens before it in *both* texts
//!    (monotone in both); otherwise it starts a new passage. Gaps absorb small edits (a word
//!    changed, a clause added), so a lightly edited paragraph stays one passage.
//! 3. **Filter**: passages need `min_seeds` seeds and `min_tokens` matched tokens on each side;
//!    overlapping passages keep the larger one.
//!
//! The similarity of a passage is the Dice coefficient of matched tokens:
//! `(matched_a + matched_b) / (len_a + len_b)`: 1.0 for a verbatim copy, lower as edits add
//! unmatched tokens. Positions are token indices; the caller maps them to text offsets.
//! Cost is linear in the lengths plus the number of seeds.

use ahash::AHashMap;

pub mod reword;
pub mod semantic;
pub use reword::{align_reworded, RewordParams, Sentence, SentencePassage};
pub use semantic::{align_sentences, order_evidence, Bead, SemanticParams};

/// Parameters of the aligner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlignParams {
    /// Shingle length of a seed, in tokens.
    pub k: usize,
    /// Largest gap (tokens) between consecutive seeds of one passage, in either text.
    pub max_gap: usize,
    /// Fewest seeds a passage needs.
    pub min_seeds: usize,
    /// Fewest matched tokens a passage needs on each side.
    pub min_tokens: usize,
    /// Most positions indexed per shingle of `a`.
    pub max_occ: usize,
}

impl Default for AlignParams {
    fn default() -> Self {
        AlignParams {
            k: 3,
            max_gap: 10,
            min_seeds: 3,
            min_tokens: 8,
            max_occ: 8,
        }
    }
}

/// One aligned passage: token ranges `[start, end)` in both texts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Passage {
    /// Token range in `a`.
    pub a: (u32, u32),
    /// Token range in `b`.
    pub b: (u32, u32),
    /// Tokens of `a`'s range covered by seeds.
    pub matched_a: u32,
    /// Tokens of `b`'s range covered by seeds.
    pub matched_b: u32,
    /// Number of seeds.
    pub seeds: u32,
    /// Dice coefficient of matched tokens.
    pub similarity: f32,
    /// One side condenses the other (found by the reworded aligner's summary rule).
    pub summary: bool,
    /// Sentences in a seed of the reworded aligner, on the side with fewer (0 for a lexical
    /// passage).
    pub sentence_seeds: u32,
}

#[inline]
fn shingle(h: &[u64]) -> u64 {
    let mut x: u64 = 0x243F_6A88_85A3_08D3;
    for &t in h {
        x = (x.rotate_left(17) ^ t).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    x ^ (x >> 31)
}

struct Chain {
    seeds: Vec<(u32, u32)>,
}

/// Aligns `a` and `b` (content token hashes). Passages come sorted by position in `a`.
pub fn align(a: &[u64], b: &[u64], p: &AlignParams) -> Vec<Passage> {
    let k = p.k.max(1);
    if a.len() < k || b.len() < k {
        return Vec::new();
    }
    let mut index: AHashMap<u64, Vec<u32>> = AHashMap::with_capacity(a.len());
    for i in 0..=a.len() - k {
        let e = index.entry(shingle(&a[i..i + k])).or_default();
        if e.len() < p.max_occ {
            e.push(i as u32);
        }
    }
    let mut seeds: Vec<(u32, u32)> = Vec::new();
    for j in 0..=b.len() - k {
        if let Some(pos) = index.get(&shingle(&b[j..j + k])) {
            if pos.len() >= p.max_occ {
                continue; // a phrase repeated all over `a` seeds nothing
            }
            for &i in pos {
                seeds.push((i, j as u32));
            }
        }
    }
    if seeds.is_empty() {
        return Vec::new();
    }
    seeds.sort_unstable();
    let gap = p.max_gap as u32 + k as u32;
    let mut chains: Vec<Chain> = Vec::new();
    // Chains whose last seed is still within reach in `a`.
    let mut open: Vec<usize> = Vec::new();
    for &(i, j) in &seeds {
        open.retain(|&c| {
            let (li, _) = *chains[c].seeds.last().unwrap();
            i <= li + gap
        });
        let mut best: Option<(u32, usize)> = None;
        for &c in &open {
            let (li, lj) = *chains[c].seeds.last().unwrap();
            if i > li && j > lj && j <= lj + gap {
                let d = (i - li) + (j - lj);
                if best.is_none_or(|(bd, _)| d < bd) {
                    best = Some((d, c));
                }
            }
        }
        match best {
            Some((_, c)) => chains[c].seeds.push((i, j)),
            None => {
                chains.push(Chain {
                    seeds: vec![(i, j)],
                });
                open.push(chains.len() - 1);
            }
        }
    }
    let mut out: Vec<Passage> = chains
        .iter()
        .filter(|c| c.seeds.len() >= p.min_seeds)
        .map(|c| passage_of(&c.seeds, k))
        .filter(|ps| ps.matched_a as usize >= p.min_tokens && ps.matched_b as usize >= p.min_tokens)
        .collect();
    // Overlaps: keep the larger passage.
    out.sort_by(|x, y| {
        (y.matched_a + y.matched_b)
            .cmp(&(x.matched_a + x.matched_b))
            .then(x.a.cmp(&y.a))
            .then(x.b.cmp(&y.b))
    });
    let mut kept: Vec<Passage> = Vec::new();
    for ps in out {
        let clash = kept.iter().any(|q| {
            overlap(ps.a, q.a) > (ps.a.1 - ps.a.0) / 2 || overlap(ps.b, q.b) > (ps.b.1 - ps.b.0) / 2
        });
        if !clash {
            kept.push(ps);
        }
    }
    kept.sort_by(|x, y| x.a.cmp(&y.a).then(x.b.cmp(&y.b)));
    kept
}

fn overlap(x: (u32, u32), y: (u32, u32)) -> u32 {
    x.1.min(y.1).saturating_sub(x.0.max(y.0))
}

/// Whether two `[start, end)` ranges share a position.
pub fn overlaps(x: (u32, u32), y: (u32, u32)) -> bool {
    x.0 < y.1 && y.0 < x.1
}

/// Covered-token count of a sorted list of seed starts, each covering `k` tokens.
fn covered(mut starts: Vec<u32>, k: u32) -> u32 {
    starts.sort_unstable();
    starts.dedup();
    let mut total = 0;
    let mut end = 0u32;
    for s in starts {
        let e = s + k;
        if s >= end {
            total += k;
        } else if e > end {
            total += e - end;
        }
        end = end.max(e);
    }
    total
}

fn passage_of(seeds: &[(u32, u32)], k: usize) -> Passage {
    let k = k as u32;
    let a0 = seeds.iter().map(|s| s.0).min().unwrap();
    let a1 = seeds.iter().map(|s| s.0).max().unwrap() + k;
    let b0 = seeds.iter().map(|s| s.1).min().unwrap();
    let b1 = seeds.iter().map(|s| s.1).max().unwrap() + k;
    let ma = covered(seeds.iter().map(|s| s.0).collect(), k);
    let mb = covered(seeds.iter().map(|s| s.1).collect(), k);
    let similarity = (ma + mb) as f32 / ((a1 - a0) + (b1 - b0)) as f32;
    Passage {
        a: (a0, a1),
        b: (b0, b1),
        matched_a: ma,
        matched_b: mb,
        seeds: seeds.len() as u32,
        similarity,
        summary: false,
        sentence_seeds: 0,
    }
}

/// Number of positions of a token range list covered by the union of ranges.
pub fn union_len(ranges: impl IntoIterator<Item = (u32, u32)>) -> u32 {
    let mut v: Vec<(u32, u32)> = ranges.into_iter().filter(|r| r.1 > r.0).collect();
    v.sort_unstable();
    let mut total = 0;
    let mut cur: Option<(u32, u32)> = None;
    for (s, e) in v {
        match cur {
            Some((cs, ce)) if s <= ce => cur = Some((cs, ce.max(e))),
            Some((cs, ce)) => {
                total += ce - cs;
                cur = Some((s, e));
            }
            None => cur = Some((s, e)),
        }
    }
    if let Some((cs, ce)) = cur {
        total += ce - cs;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<u64> {
        s.split_whitespace()
            .map(|w| xh(w.to_lowercase().as_bytes()))
            .collect()
    }
    fn xh(b: &[u8]) -> u64 {
        let mut h: u64 = 1469598103934665603;
        for &c in b {
            h = (h ^ c as u64).wrapping_mul(1099511628211);
        }
        h
    }

    const P1: &str = "the minister said on monday that the new rail line would open next spring after years of delays and rising costs";
    const P2: &str = "farmers in the northern valley have planted fewer acres this year because the drought has left reservoirs at record lows";

    #[test]
    fn verbatim_copy_is_one_passage() {
        let a = toks(P1);
        let ps = align(&a, &a, &AlignParams::default());
        assert_eq!(ps.len(), 1);
        assert_eq!(ps[0].a, (0, a.len() as u32));
        assert!((ps[0].similarity - 1.0).abs() < 1e-6);
    }

    #[test]
    fn embedded_passage_found_with_offsets() {
        let a = toks(&format!("{P2} {P1}"));
        let b = toks(&format!(
            "unrelated opening words here and there {P1} closing remark"
        ));
        let ps = align(&a, &b, &AlignParams::default());
        assert_eq!(ps.len(), 1);
        let n2 = toks(P2).len() as u32;
        assert_eq!(ps[0].a.0, n2);
        assert_eq!(ps[0].b.0, 6);
    }

    #[test]
    fn small_edits_stay_one_passage() {
        let a = toks(P1);
        let edited = P1.replace("monday", "tuesday").replace("rising", "soaring");
        let b = toks(&edited);
        let ps = align(&a, &b, &AlignParams::default());
        assert_eq!(ps.len(), 1);
        assert!(ps[0].similarity > 0.6 && ps[0].similarity < 1.0);
    }

    #[test]
    fn unrelated_texts_share_nothing() {
        assert!(align(&toks(P1), &toks(P2), &AlignParams::default()).is_empty());
    }

    #[test]
    fn short_common_phrase_is_not_a_passage() {
        let a = toks("officials said on monday that talks would resume");
        let b = toks("a spokesman said on monday that nothing was decided");
        assert!(align(&a, &b, &AlignParams::default()).is_empty());
    }

    #[test]
    fn union_len_merges() {
        assert_eq!(union_len([(0, 5), (3, 8), (10, 12)]), 10);
    }
}
