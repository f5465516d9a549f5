//! Static document vectors: a weighted mean of a model's context-free input token vectors.
//!
//! A transformer sentence embedding costs about a GFLOP; a static vector costs a tokenisation
//! and one row addition per piece (thousands of times less), so it can run on every document
//! of a large corpus. The vectors come from the multilingual model's own input table (no other
//! weights), pooled in the manner of smooth inverse frequency (SIF, Arora et al. 2017):
//!
//! - each piece weighs `a / (a + p)`, where `p` is the piece's probability in the tokenizer's
//!   training corpus (its unigram score), so frequent pieces (function words, punctuation,
//!   word-boundary markers) weigh almost nothing and rare ones (names, numbers, content
//!   words) almost one — corpus-independent, so one pair (`compare`) and a whole collection
//!   (`dedup`) get the same vectors;
//! - the common direction of the table (the probability-weighted mean row, which every mean of
//!   rows leans towards) is projected out;
//! - the result is L2-normalised, so cosine is a dot product.
//!
//! Pieces that a translation keeps (names, numbers, acronyms, shared subwords) and the rough
//! cross-lingual alignment of the table's rows make translations of one text closer than
//! unrelated documents: good enough to *propose* candidate pairs, never to decide one.

use crate::TokenTable;

/// SIF's smoothing constant `a` (the paper's recommended range is 1e-4..1e-3).
const SIF_A: f32 = 1e-4;

/// Builds static document vectors from a [`TokenTable`].
pub struct StaticVectors<'a> {
    table: &'a dyn TokenTable,
    /// Unit common direction of the table, projected out of every vector.
    common: Vec<f32>,
    /// Pieces read per document.
    max_pieces: usize,
}

impl std::fmt::Debug for StaticVectors<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaticVectors")
            .field("dim", &self.table.dim())
            .field("max_pieces", &self.max_pieces)
            .finish()
    }
}

fn normalise(v: &mut [f32]) -> bool {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if n > 0.0 && n.is_finite() {
        v.iter_mut().for_each(|x| *x /= n);
        true
    } else {
        false
    }
}

impl<'a> StaticVectors<'a> {
    /// Static vectors over `table`, reading at most `max_pieces` pieces of each text. Computes
    /// the table's common direction (one pass over the table).
    pub fn new(table: &'a dyn TokenTable, max_pieces: usize) -> Self {
        let mut common = vec![0f32; table.dim()];
        for id in 0..table.vocab() as u32 {
            let p = table.log_prob(id).exp();
            if p > 0.0 {
                table.add_row(id, p, &mut common);
            }
        }
        if !normalise(&mut common) {
            common.iter_mut().for_each(|x| *x = 0.0);
        }
        StaticVectors {
            table,
            common,
            max_pieces,
        }
    }

    /// Length of every vector.
    pub fn dim(&self) -> usize {
        self.table.dim()
    }

    /// The unit static vector of `text`; empty when the text has no pieces.
    pub fn vector(&self, text: &str) -> Vec<f32> {
        // A piece holds at least one character: tokenise only a head that can fill the cap.
        let head = match text.char_indices().nth(self.max_pieces.saturating_mul(8)) {
            Some((i, _)) => &text[..i],
            None => text,
        };
        let ids = self.table.piece_ids(head, self.max_pieces);
        if ids.is_empty() {
            return Vec::new();
        }
        let mut v = vec![0f32; self.dim()];
        for &id in &ids {
            let p = self.table.log_prob(id).exp();
            self.table.add_row(id, SIF_A / (SIF_A + p), &mut v);
        }
        let c: f32 = v.iter().zip(&self.common).map(|(x, y)| x * y).sum();
        v.iter_mut()
            .zip(&self.common)
            .for_each(|(x, y)| *x -= c * y);
        if normalise(&mut v) {
            v
        } else {
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Four pieces: two frequent ones along one axis, two rare ones on their own axes.
    struct Toy;
    impl TokenTable for Toy {
        fn vocab(&self) -> usize {
            4
        }
        fn dim(&self) -> usize {
            3
        }
        fn piece_ids(&self, text: &str, max: usize) -> Vec<u32> {
            text.split_whitespace()
                .filter_map(|w| w.parse().ok())
                .take(max)
                .collect()
        }
        fn log_prob(&self, id: u32) -> f32 {
            if id < 2 {
                (0.4f32).ln()
            } else {
                (1e-6f32).ln()
            }
        }
        fn add_row(&self, id: u32, weight: f32, out: &mut [f32]) {
            let row = match id {
                0 | 1 => [1.0, 0.0, 0.0],
                2 => [0.0, 1.0, 0.0],
                _ => [0.0, 0.0, 1.0],
            };
            out.iter_mut().zip(row).for_each(|(o, r)| *o += weight * r);
        }
    }

    #[test]
    fn rare_pieces_dominate_and_common_direction_is_removed() {
        let s = StaticVectors::new(&Toy, 100);
        let x = s.vector("0 1 0 1 2");
        let y = s.vector("1 0 2");
        let z = s.vector("0 0 3");
        let cos = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(p, q)| p * q).sum::<f32>();
        assert!(cos(&x, &y) > 0.99, "{x:?} {y:?}");
        assert!(cos(&x, &z).abs() < 0.01);
        assert!(s.vector("").is_empty());
        // Frequent pieces barely move a vector.
        assert!(cos(&s.vector("0 1 0 1 3"), &z) > 0.99);
    }
}
