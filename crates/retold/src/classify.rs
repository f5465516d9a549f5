//! Pair features and the relation classifier.
//!
//! The lexical classifier reads the alignment's coverage of both sides' non-boilerplate text
//! and the passages' similarity:
//!
//! | condition | relation |
//! |---|---|
//! | identical content tokens | `duplicate`, `exact: true` |
//! | both sides covered ≥ `same_text_coverage`, similarity ≥ `duplicate_similarity` | `duplicate` |
//! | both sides covered ≥ `same_text_coverage`, lower similarity | `rewrite` |
//! | the smaller side covered ≥ `contained_coverage` (it is inside the other) | `duplicate`, or `rewrite` below `duplicate_similarity` |
//! | ≥ `partial_min_tokens` matched and one side covered ≥ `partial_min_coverage` | `partial` |
//! | one near-verbatim passage of ≥ `partial_block_tokens` tokens (a quoted block) | `partial` |
//! | otherwise | `unrelated` |
//!
//! The semantic layer refines that result with sentence-embedding features
//! ([`classify_semantic`]): `rewrite` and `translation` from semantic coverage, `related` from
//! document similarity; the rules above stay the lexical core. Confidence grows with the distance
//! of the features from the nearest decision boundary.

use crate::config::{ClassifierParams, SemanticParams};
use crate::relation::Relation;
use crate::semantic::Slot;
use serde::Serialize;

/// Features of a pair, as reported in `scores`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Features {
    /// Share of `a`'s content tokens inside aligned passages.
    pub coverage_a: f32,
    /// Share of `b`'s content tokens inside aligned passages.
    pub coverage_b: f32,
    /// Token-weighted mean similarity of the passages.
    pub similarity: f32,
    /// Tokens of `a` matched by seeds.
    pub matched_a: u32,
    /// Tokens of `b` matched by seeds.
    pub matched_b: u32,
    /// Number of passages.
    pub passages: u32,
    /// Share of consecutive passages (in `a` order) that are also in order in `b`.
    pub order: f32,
    /// Content length of the shorter side over the longer.
    pub length_ratio: f32,
    /// Content tokens of `a`.
    pub tokens_a: u32,
    /// Content tokens of `b`.
    pub tokens_b: u32,
    /// Matched tokens (smaller side) of the longest near-verbatim passage (similarity ≥ 0.9).
    pub longest_verbatim: u32,
    /// Share of `a`'s content tokens in semantically aligned sentences (0 without the
    /// semantic layer).
    pub sem_coverage_a: f32,
    /// Share of `b`'s content tokens in semantically aligned sentences.
    pub sem_coverage_b: f32,
    /// Token-weighted mean cosine similarity of the aligned sentences.
    pub sem_similarity: f32,
    /// Margin of the semantic decision to its threshold (the input of the calibrated
    /// confidence).
    pub sem_margin: f32,
    /// Token-weighted mean contrast of the aligned sentences: similarity above the mean
    /// similarity of the same sentences to the rest of the other document.
    pub sem_contrast: f32,
    /// Order evidence of the sentence alignment: the share of it lost when one side's
    /// sentences are shuffled (near 0 when the alignment is chance, e.g. between texts an
    /// embedding model rates as uniformly close; near 1 for a translation).
    pub sem_order: f32,
    /// Token-weighted share of the aligned sentences that are each other's closest match in
    /// the other document (`semantic::mutual_best`).
    pub sem_mutual: f32,
    /// Cosine similarity of the documents' lead vectors (title and lead, embedded by the
    /// multilingual model when it is installed).
    pub doc_similarity: f32,
    /// The two documents are in different languages.
    pub cross_lingual: bool,
    /// Their anchor terms (numbers, acronyms) rule out a translation: the smaller set has
    /// several and the other side keeps few of them.
    pub anchor_veto: bool,
    /// Which embedding model measured the semantic scores (`null` without the semantic layer).
    pub model: Option<&'static str>,
}

impl Features {
    /// Share of `a`'s content found in `b`, for provenance: the larger of the lexical and the
    /// semantic coverage (a reworded or translated copy holds the text without the words).
    pub fn contained_a(&self) -> f32 {
        self.coverage_a.max(self.sem_coverage_a)
    }

    /// Share of `b`'s content found in `a` (see [`Features::contained_a`]).
    pub fn contained_b(&self) -> f32 {
        self.coverage_b.max(self.sem_coverage_b)
    }
}

fn ramp(x: f32, scale: f32) -> f32 {
    (x / scale).clamp(0.0, 1.0)
}

/// Refines the lexical relation `lex` with the semantic scores of `f` (DESIGN.md step 7):
///
/// | condition | relation |
/// |---|---|
/// | lexical `duplicate` | unchanged |
/// | languages differ, both sides semantically covered ≥ `translation_coverage`, sentence similarity ≥ `translation_similarity` | `translation` |
/// | same language, both sides covered ≥ `same_text_coverage`, sentence similarity ≥ the model's `same_text_similarity`, and one side lexically covered ≥ `rewrite_min_lexical` | `rewrite` |
/// | lexical `rewrite` or `partial` | unchanged |
/// | lead-vector similarity ≥ the lead model's `related_similarity` | `related` |
/// | otherwise | unchanged (`unrelated`) |
///
/// The thresholds per model live in [`SemanticParams`]; the confidence is a logistic function
/// of the margin to the deciding threshold, fitted on the development sets
/// (`scripts/fit_classifier.py`).
pub fn classify_semantic(
    lex: (Relation, f32),
    f: &Features,
    slot: Slot,
    doc_slot: Slot,
    p: &SemanticParams,
) -> (Relation, f32, f32) {
    if lex.0 == Relation::Duplicate {
        return (lex.0, lex.1, 0.0);
    }
    let sp = p.for_slot(slot);
    let dp = p.for_slot(doc_slot);
    let min_cov = f.sem_coverage_a.min(f.sem_coverage_b);
    // Margin of the same-text rule: the smallest of its distances, in units of scale.
    let same_text = if f.cross_lingual {
        let rule = ((min_cov - p.translation_coverage) / p.coverage_scale)
            .min((f.sem_similarity - p.translation_similarity) / sp.similarity_scale);
        // The order evidence only vetoes (a chance alignment); it never adds confidence.
        let order = (f.sem_order - p.translation_min_order) / p.coverage_scale;
        let rule = if order < 0.0 { rule.min(order) } else { rule };
        // Numbers and acronyms that do not survive veto a translation the same way.
        if f.anchor_veto {
            rule.min(-1.0)
        } else {
            rule
        }
    } else {
        let lexical = f.coverage_a.max(f.coverage_b);
        ((min_cov - p.same_text_coverage) / p.coverage_scale)
            .min((f.sem_similarity - sp.same_text_similarity) / sp.similarity_scale)
            .min((lexical - p.rewrite_min_lexical) / p.coverage_scale)
    };
    if same_text >= 0.0 {
        let rel = if f.cross_lingual {
            Relation::Translation
        } else {
            Relation::Rewrite
        };
        return (rel, p.confidence(same_text), same_text);
    }
    if matches!(lex.0, Relation::Rewrite | Relation::Partial) {
        return (lex.0, lex.1, 0.0);
    }
    let related = (f.doc_similarity - dp.related_similarity) / dp.similarity_scale;
    if related >= 0.0 {
        return (Relation::Related, p.confidence(related), related);
    }
    // Neither same text nor the same story: the distance to the nearer rule.
    let m = -(same_text.max(related));
    (lex.0, p.confidence(m), m)
}

/// Classifies a pair from its features; returns the relation and a confidence in [0.5, 1].
pub fn classify(f: &Features, exact: bool, p: &ClassifierParams) -> (Relation, f32) {
    if exact {
        return (Relation::Duplicate, 1.0);
    }
    let min_cov = f.coverage_a.min(f.coverage_b);
    let matched = f.matched_a.min(f.matched_b);
    let conf = |m: f32| 0.5 + 0.5 * m.clamp(0.0, 1.0);
    if min_cov >= p.same_text_coverage {
        let cov_margin = ramp(min_cov - p.same_text_coverage, 0.15);
        if f.similarity >= p.duplicate_similarity {
            let m = cov_margin.min(ramp(f.similarity - p.duplicate_similarity, 0.1));
            return (Relation::Duplicate, conf(0.3 + 0.7 * m));
        }
        let m = cov_margin.min(ramp(p.duplicate_similarity - f.similarity, 0.1));
        return (Relation::Rewrite, conf(0.2 + 0.8 * m));
    }
    let max_cov = f.coverage_a.max(f.coverage_b);
    if max_cov >= p.contained_coverage && matched >= p.partial_min_tokens {
        // The smaller text is (almost) all inside the other: a copy of it, extended (or, with
        // lower similarity, a reworded one).
        let m = ramp(max_cov - p.contained_coverage, 0.1);
        if f.similarity >= p.duplicate_similarity {
            return (Relation::Duplicate, conf(0.2 + 0.6 * m));
        }
        return (Relation::Rewrite, conf(0.2 + 0.6 * m));
    }
    let partial_by_share = matched >= p.partial_min_tokens && max_cov >= p.partial_min_coverage;
    let partial_by_block = f.longest_verbatim >= p.partial_block_tokens;
    if partial_by_share || partial_by_block {
        let m = ramp(max_cov - p.partial_min_coverage, 0.2).max(ramp(
            f.longest_verbatim as f32 - p.partial_block_tokens as f32,
            40.0,
        ));
        return (Relation::Partial, conf(0.2 + 0.8 * m));
    }
    let m = 1.0 - ramp(matched as f32, p.partial_min_tokens as f32);
    (Relation::Unrelated, conf(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sem(cov: f32, sim: f32, doc: f32, cross: bool) -> Features {
        Features {
            sem_coverage_a: cov,
            sem_coverage_b: cov,
            sem_similarity: sim,
            doc_similarity: doc,
            cross_lingual: cross,
            ..Features::default()
        }
    }

    #[test]
    fn semantic_rules() {
        let p = SemanticParams::default();
        let e = p.english;
        let unrelated = (Relation::Unrelated, 0.9);
        let mut same = sem(0.9, e.same_text_similarity + 0.05, 0.9, false);
        // Same-language embeddings alone cannot tell a rewrite from an independent report of
        // the same story: without shared wording the close pair is `related`.
        assert_eq!(
            classify_semantic(unrelated, &same, Slot::English, Slot::English, &p).0,
            Relation::Related
        );
        same.coverage_a = p.rewrite_min_lexical + 0.1;
        assert_eq!(
            classify_semantic(unrelated, &same, Slot::English, Slot::English, &p).0,
            Relation::Rewrite
        );
        let mut across = sem(0.9, p.translation_similarity + 0.01, 0.9, true);
        across.sem_order = p.translation_min_order + 0.3;
        let ml = |f: &Features| {
            classify_semantic(unrelated, f, Slot::Multilingual, Slot::Multilingual, &p)
        };
        let (rel, conf, _) = ml(&across);
        assert_eq!(rel, Relation::Translation);
        // Order evidence only vetoes: more of it does not change the confidence ...
        across.sem_order = 1.0;
        assert_eq!(ml(&across).1, conf);
        // ... and an alignment that holds as well shuffled is chance, not a translation
        // (the close leads still make it the same story).
        across.sem_order = p.translation_min_order - 0.2;
        assert_eq!(ml(&across).0, Relation::Related);
        // Low coverage, close documents: the same story.
        let story = sem(0.1, 0.0, e.related_similarity + 0.05, false);
        assert_eq!(
            classify_semantic(unrelated, &story, Slot::English, Slot::English, &p).0,
            Relation::Related
        );
        // Far apart: unchanged.
        let far = sem(0.0, 0.0, e.related_similarity - 0.3, false);
        assert_eq!(
            classify_semantic(unrelated, &far, Slot::English, Slot::English, &p).0,
            Relation::Unrelated
        );
        // A lexical duplicate stays one, a partial stays partial unless the whole text matches.
        let dup = (Relation::Duplicate, 0.95);
        assert_eq!(
            classify_semantic(dup, &far, Slot::English, Slot::English, &p).0,
            Relation::Duplicate
        );
        let partial = (Relation::Partial, 0.8);
        assert_eq!(
            classify_semantic(partial, &story, Slot::English, Slot::English, &p).0,
            Relation::Partial
        );
        // Confidence grows with the margin and stays in [0.5, 1].
        let mut strong = sem(1.0, 0.99, 0.99, false);
        strong.coverage_a = 1.0;
        let (_, c1, m1) = classify_semantic(unrelated, &same, Slot::English, Slot::English, &p);
        let (_, c2, m2) = classify_semantic(unrelated, &strong, Slot::English, Slot::English, &p);
        assert!(m2 > m1 && c2 >= c1 && (0.5..=1.0).contains(&c1) && c2 <= 1.0);
    }
}
