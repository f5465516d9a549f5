//! Pair analysis: lexical alignment of two prepared documents, features and relation.

use crate::classify::{classify, Features};
use crate::config::Config;
use crate::prepare::Prepared;
use crate::relation::Relation;
use retold_align::{align, union_len, Passage};
use serde::Serialize;

/// The kind of an aligned passage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PassageKind {
    /// Copied word for word (similarity ≥ 0.8).
    Verbatim,
    /// Same passage, reworded.
    Paraphrase,
    /// Same passage in another language.
    Translation,
}

/// An aligned passage with code point offsets into both original texts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlignedPassage {
    /// `[start, end)` in `a`'s original text.
    pub a: [usize; 2],
    /// `[start, end)` in `b`'s original text.
    pub b: [usize; 2],
    /// What kind of match it is.
    pub kind: PassageKind,
    /// Similarity of the two sides, 0..1.
    pub similarity: f32,
}

/// The analysis of one pair.
#[derive(Debug, Clone)]
pub struct PairAnalysis {
    /// The relation.
    pub relation: Relation,
    /// Confidence of the relation.
    pub confidence: f32,
    /// Content identical after normalisation and boilerplate removal.
    pub exact: bool,
    /// Features.
    pub features: Features,
    /// Aligned passages, in `a` order.
    pub passages: Vec<AlignedPassage>,
    /// Token-level passages (for callers that need token positions).
    pub raw: Vec<Passage>,
}

/// Aligns and classifies `a` against `b`.
pub fn analyze(a: &Prepared, b: &Prepared, cfg: &Config) -> PairAnalysis {
    let ha = a.hashes();
    let hb = b.hashes();
    let exact = !ha.is_empty() && ha == hb;
    let raw = if exact {
        vec![Passage {
            a: (0, ha.len() as u32),
            b: (0, hb.len() as u32),
            matched_a: ha.len() as u32,
            matched_b: hb.len() as u32,
            seeds: ha.len() as u32,
            similarity: 1.0,
        }]
    } else {
        align(&ha, &hb, &cfg.align)
    };
    let features = features(&raw, ha.len(), hb.len());
    let (relation, confidence) = classify(&features, exact, &cfg.classifier);
    let passages = raw
        .iter()
        .map(|p| AlignedPassage {
            a: a.token_span_original(p.a.0, p.a.1),
            b: b.token_span_original(p.b.0, p.b.1),
            kind: if p.similarity >= 0.8 {
                PassageKind::Verbatim
            } else {
                PassageKind::Paraphrase
            },
            similarity: round3(p.similarity),
        })
        .collect();
    PairAnalysis {
        relation,
        confidence,
        exact,
        features,
        passages,
        raw,
    }
}

/// Rounds to three decimals (stable, readable JSON).
pub fn round3(x: f32) -> f32 {
    (x * 1000.0).round() / 1000.0
}

fn features(ps: &[Passage], na: usize, nb: usize) -> Features {
    let cov = |n: usize, r: &dyn Fn(&Passage) -> (u32, u32)| {
        if n == 0 {
            0.0
        } else {
            union_len(ps.iter().map(r)) as f32 / n as f32
        }
    };
    let span: u32 = ps.iter().map(|p| (p.a.1 - p.a.0) + (p.b.1 - p.b.0)).sum();
    let matched: u32 = ps.iter().map(|p| p.matched_a + p.matched_b).sum();
    let in_order = ps.windows(2).filter(|w| w[1].b.0 >= w[0].b.1).count();
    Features {
        coverage_a: round3(cov(na, &|p| p.a).min(1.0)),
        coverage_b: round3(cov(nb, &|p| p.b).min(1.0)),
        similarity: if span == 0 {
            0.0
        } else {
            round3(matched as f32 / span as f32)
        },
        matched_a: ps.iter().map(|p| p.matched_a).sum(),
        matched_b: ps.iter().map(|p| p.matched_b).sum(),
        passages: ps.len() as u32,
        order: if ps.len() < 2 {
            1.0
        } else {
            round3(in_order as f32 / (ps.len() - 1) as f32)
        },
        length_ratio: if na.max(nb) == 0 {
            0.0
        } else {
            round3(na.min(nb) as f32 / na.max(nb) as f32)
        },
        tokens_a: na as u32,
        tokens_b: nb as u32,
        longest_verbatim: ps
            .iter()
            .filter(|p| p.similarity >= 0.9)
            .map(|p| p.matched_a.min(p.matched_b))
            .max()
            .unwrap_or(0),
    }
}
