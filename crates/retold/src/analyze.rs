//! Pair analysis: lexical alignment of two prepared documents, features and relation.

use crate::classify::{classify, classify_semantic, Features};
use crate::config::Config;
use crate::prepare::Prepared;
use crate::relation::Relation;
use crate::semantic::{semantic_pair, SemSide, Slot};
use retold_align::{align, overlaps, union_len, Passage};
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
    /// One side condenses the other (a summary of a longer passage).
    Summary,
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

impl PairAnalysis {
    /// The pair's containment record for provenance (`a`, `b`: the documents' numbers):
    /// coverage of each side, and the share of each side's content before its first aligned
    /// passage (word-for-word passages; 0 without any).
    pub fn containment(&self, a: u32, b: u32) -> retold_cluster::Containment {
        let f = &self.features;
        let head = |first: Option<u32>, total: u32| match first {
            Some(s) if total > 0 => s as f32 / total as f32,
            _ => 0.0,
        };
        retold_cluster::Containment {
            a,
            b,
            a_in_b: f.contained_a(),
            b_in_a: f.contained_b(),
            a_head: head(self.raw.iter().map(|p| p.a.0).min(), f.tokens_a),
            b_head: head(self.raw.iter().map(|p| p.b.0).min(), f.tokens_b),
            same_text: self.exact,
            duplicate: self.relation == Relation::Duplicate,
            reworded: self.relation == Relation::Rewrite,
        }
    }
}

/// Aligns and classifies `a` against `b`.
pub fn analyze(a: &Prepared, b: &Prepared, cfg: &Config) -> PairAnalysis {
    let ha = a.hashes();
    let hb = b.hashes();
    let exact = !ha.is_empty() && ha == hb;
    // What the word-for-word alignment alone says: reworded passages may make a whole text
    // a `rewrite`, but a `partial` needs a copied block (independent reports of one event
    // share reworded facts, quotes and agency sentences; taken alone those are no reuse).
    let mut lexical_relation = None;
    let raw = if exact {
        vec![Passage {
            a: (0, ha.len() as u32),
            b: (0, hb.len() as u32),
            matched_a: ha.len() as u32,
            matched_b: hb.len() as u32,
            seeds: ha.len() as u32,
            similarity: 1.0,
            summary: false,
            sentence_seeds: 0,
        }]
    } else {
        let lexical = align(&ha, &hb, &cfg.align);
        let lf = features(&lexical, ha.len(), hb.len());
        lexical_relation = Some(classify(&lf, false, &cfg.classifier));
        let merged = merge_reworded(
            lexical,
            reworded(a, b, &cfg.reword),
            cfg.reword.near_verbatim,
        );
        // Short passages are noise (a shared phrase, a stock sentence): both sides must reach
        // the reworded aligner's minimum length.
        let min = cfg.reword.min_len as usize;
        merged
            .into_iter()
            .filter(|p| {
                let [x0, x1] = a.token_span_original(p.a.0, p.a.1);
                let [y0, y1] = b.token_span_original(p.b.0, p.b.1);
                x1 - x0 >= min && y1 - y0 >= min
            })
            .collect()
    };
    // A summary passage condenses a long stretch of the other text: evidence of where a
    // passage comes from, too loose to call two whole texts copies of each other.
    let scored: Vec<Passage> = raw.iter().filter(|p| !p.summary).copied().collect();
    let features = features(&scored, ha.len(), hb.len());
    // A reworded passage of several sentences, each matching its counterpart, is reuse.
    let reworded_block = scored
        .iter()
        .any(|p| p.sentence_seeds >= cfg.reword.partial_min_seeds);
    let (relation, confidence) = match (
        classify(&features, exact, &cfg.classifier),
        lexical_relation,
    ) {
        ((Relation::Partial, _), Some(lex @ (Relation::Unrelated, _))) if !reworded_block => lex,
        (r, _) => r,
    };
    let passages = raw
        .iter()
        .map(|p| AlignedPassage {
            a: a.token_span_original(p.a.0, p.a.1),
            b: b.token_span_original(p.b.0, p.b.1),
            kind: if p.similarity >= 0.8 {
                PassageKind::Verbatim
            } else if p.summary {
                PassageKind::Summary
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

/// Reworded passages of a pair (sentence alignment by stemmed bag-of-words), as token-level
/// passages. Their matched tokens are the passage's tokens scaled by its similarity.
fn reworded(a: &Prepared, b: &Prepared, p: &retold_align::RewordParams) -> Vec<Passage> {
    let (sa, sb) = (a.sentences(), b.sentences());
    retold_align::align_reworded(&sa.bags, &sb.bags, p)
        .into_iter()
        .map(|q| {
            let ta = (sa.spans[q.a.0 as usize].0, sa.spans[q.a.1 as usize - 1].1);
            let tb = (sb.spans[q.b.0 as usize].0, sb.spans[q.b.1 as usize - 1].1);
            let scale = |r: (u32, u32)| ((r.1 - r.0) as f32 * q.similarity).round() as u32;
            Passage {
                a: ta,
                b: tb,
                matched_a: scale(ta),
                matched_b: scale(tb),
                seeds: q.seeds,
                similarity: q.similarity,
                summary: q.summary,
                sentence_seeds: q.seed_sentences,
            }
        })
        .collect()
}

/// One passage per reused span: a reworded passage absorbs the lexical passages that overlap
/// it on both sides (the union of their ranges; the matched tokens and similarity of the
/// better-evidenced reading); lexical passages outside every reworded one stay as they are.
fn merge_reworded(
    lexical: Vec<Passage>,
    reworded: Vec<Passage>,
    near_verbatim: f32,
) -> Vec<Passage> {
    if reworded.is_empty() {
        return lexical;
    }
    let mut out: Vec<Passage> = Vec::with_capacity(lexical.len() + reworded.len());
    let mut used = vec![false; lexical.len()];
    for mut r in reworded {
        let mut lex_a = 0;
        let mut lex_b = 0;
        let mut hull: Option<((u32, u32), (u32, u32))> = None;
        for (k, l) in lexical.iter().enumerate() {
            if overlaps(l.a, r.a) && overlaps(l.b, r.b) {
                used[k] = true;
                lex_a += l.matched_a;
                lex_b += l.matched_b;
                hull = Some(match hull {
                    None => (l.a, l.b),
                    Some((ha, hb)) => (
                        (ha.0.min(l.a.0), ha.1.max(l.a.1)),
                        (hb.0.min(l.b.0), hb.1.max(l.b.1)),
                    ),
                });
            }
        }
        if let Some((ha, hb)) = hull {
            // Lexical passages may overlap (by up to half their length): their matched tokens
            // can add up to more than the hull holds.
            let (lex_a, lex_b) = (lex_a.min(ha.1 - ha.0), lex_b.min(hb.1 - hb.0));
            // Mostly copied word for word: the lexical passages' exact token boundaries
            // (a copied passage may start or end inside a sentence); otherwise the union.
            let lex_sim = (lex_a + lex_b) as f32 / ((ha.1 - ha.0) + (hb.1 - hb.0)) as f32;
            let covers = (lex_a + lex_b) as f32
                >= 0.8
                    * ((r.a.1 - r.a.0) + (r.b.1 - r.b.0)).min((ha.1 - ha.0) + (hb.1 - hb.0)) as f32
                && lex_sim >= near_verbatim;
            if covers {
                r.a = ha;
                r.b = hb;
                r.matched_a = lex_a;
                r.matched_b = lex_b;
                r.similarity = lex_sim;
                r.summary = false;
            } else {
                r.a = (r.a.0.min(ha.0), r.a.1.max(ha.1));
                r.b = (r.b.0.min(hb.0), r.b.1.max(hb.1));
            }
        }
        out.push(r);
    }
    let rest: Vec<Passage> = lexical
        .into_iter()
        .zip(used)
        .filter(|(l, u)| !u && !out.iter().any(|r| overlaps(l.a, r.a) || overlaps(l.b, r.b)))
        .map(|(l, _)| l)
        .collect();
    out.extend(rest);
    out.sort_by(|x, y| x.a.cmp(&y.a).then(x.b.cmp(&y.b)));
    out
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
        ..Features::default()
    }
}

/// The semantic side of a pair: the documents' lead vectors' similarity and, when the pair is
/// close enough to be worth it, both documents' sentence units and embeddings.
#[derive(Debug, Clone, Copy)]
pub struct SemanticInput<'a> {
    /// Units and embeddings of `a` and `b`, when the sentences are to be aligned.
    pub sentences: Option<(SemSide<'a>, SemSide<'a>)>,
    /// The model of the sentence embeddings.
    pub slot: Slot,
    /// Cosine similarity of the documents' lead vectors.
    pub doc_similarity: f32,
    /// The model of the lead vectors.
    pub doc_slot: Slot,
    /// The documents are in different languages.
    pub cross_lingual: bool,
    /// Their anchor terms rule out a translation (`semantic::anchors_contradict`).
    pub anchor_veto: bool,
}

/// Refines a lexical analysis with the semantic layer: adds the semantic scores,
/// re-classifies (`rewrite`, `translation`, `related`), and adds the sentence beads as
/// `paraphrase` / `translation` passages (a bead mostly inside near-verbatim lexical passages
/// is reported as `verbatim`; lexical passages that no bead overlaps are kept as they are).
pub fn add_semantic(
    an: &mut PairAnalysis,
    a: &Prepared,
    b: &Prepared,
    s: SemanticInput<'_>,
    cfg: &Config,
) {
    if an.exact {
        return;
    }
    let (beads, sc, sides) = match s.sentences {
        Some((sa, sb)) => {
            let (beads, sc) = semantic_pair(sa, sb, &cfg.semantic, s.slot);
            (beads, sc, Some((sa, sb)))
        }
        None => (Vec::new(), Default::default(), None),
    };
    let f = &mut an.features;
    f.sem_coverage_a = round3(sc.coverage_a);
    f.sem_coverage_b = round3(sc.coverage_b);
    f.sem_similarity = round3(sc.similarity);
    f.sem_contrast = round3(sc.contrast);
    f.sem_order = round3(sc.order);
    f.sem_mutual = round3(sc.mutual);
    f.doc_similarity = round3(s.doc_similarity);
    f.cross_lingual = s.cross_lingual;
    f.anchor_veto = s.anchor_veto;
    f.model = Some(if sides.is_some() { s.slot } else { s.doc_slot }.model_name());
    let (rel, conf, margin) = classify_semantic(
        (an.relation, an.confidence),
        f,
        s.slot,
        s.doc_slot,
        &cfg.semantic,
    );
    f.sem_margin = round3(margin);
    an.relation = rel;
    an.confidence = conf;
    let Some((sa, sb)) = sides else {
        return;
    };
    if beads.is_empty()
        || !matches!(
            rel,
            Relation::Rewrite | Relation::Translation | Relation::Partial
        )
    {
        return;
    }
    // Near-verbatim lexical passages of `a`, to tell copied beads from reworded ones.
    let lexical_a: Vec<(u32, u32)> = an
        .raw
        .iter()
        .filter(|p| p.similarity >= 0.8)
        .map(|p| p.a)
        .collect();
    let mut out: Vec<AlignedPassage> = Vec::with_capacity(beads.len() + an.passages.len());
    let mut bead_spans: Vec<(u32, u32)> = Vec::with_capacity(beads.len());
    for bd in &beads {
        let ta = (
            sa.units.spans[bd.a.0 as usize].0,
            sa.units.spans[bd.a.1 as usize - 1].1,
        );
        let tb = (
            sb.units.spans[bd.b.0 as usize].0,
            sb.units.spans[bd.b.1 as usize - 1].1,
        );
        // In one language the lexical and reworded passages stand (one detection per reused
        // passage); beads only add what they missed.
        if !s.cross_lingual && an.raw.iter().any(|r| r.a.0 < ta.1 && ta.0 < r.a.1) {
            continue;
        }
        bead_spans.push(ta);
        let inside = union_len(
            lexical_a
                .iter()
                .map(|&(x, y)| (x.max(ta.0), y.min(ta.1)))
                .filter(|r| r.0 < r.1),
        );
        let kind = if s.cross_lingual {
            PassageKind::Translation
        } else if inside as f32 >= 0.8 * (ta.1 - ta.0) as f32 {
            PassageKind::Verbatim
        } else {
            PassageKind::Paraphrase
        };
        out.push(AlignedPassage {
            a: a.token_span_original(ta.0, ta.1),
            b: b.token_span_original(tb.0, tb.1),
            kind,
            similarity: round3(bd.similarity),
        });
    }
    for (p, raw) in an.passages.iter().zip(&an.raw) {
        let overlaps =
            s.cross_lingual && bead_spans.iter().any(|&(x, y)| raw.a.0 < y && x < raw.a.1);
        if !overlaps {
            out.push(p.clone());
        }
    }
    out.sort_by_key(|p| (p.a[0], p.b[0]));
    an.passages = out;
}
