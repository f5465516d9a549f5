//! The semantic layer: sentence units of a prepared document, their embeddings, and the
//! semantic alignment of a pair (DESIGN.md steps 4 and 6 for rewrites and translations).
//!
//! A document's *units* are its sentences (Unicode sentence boundaries, never across a line),
//! restricted to non-boilerplate tokens; sentences longer than [`MAX_UNIT_TOKENS`] are cut
//! into pieces so every unit fits the models' windows. Units are embedded by one of two
//! models ([`Models`]): the English model for pairs of English documents, the multilingual
//! one for everything else. [`semantic_pair`] aligns the units with the monotone dynamic
//! program of `retold_align::semantic` and measures how much of each side the beads cover.

use crate::analyze::{PairAnalysis, SemanticInput};
use crate::config::SemanticParams;
use crate::error::Error;
use crate::prepare::Prepared;
use crate::relation::Relation;
use retold_align::{align_sentences, order_evidence, Bead};
use retold_embed::Embedder;

/// Longest unit, in tokens; longer sentences are split.
pub const MAX_UNIT_TOKENS: usize = 80;
/// Most units per document that are aligned (the rest of a very long document is left to the
/// lexical aligner); keeps the dynamic program at most `MAX_UNITS²` cells.
pub const MAX_UNITS: usize = 400;

/// The sentence units of a document.
#[derive(Debug, Clone, Default)]
pub struct Units {
    /// Content-token range `[start, end)` of each unit.
    pub spans: Vec<(u32, u32)>,
    /// The unit's text (normalised).
    pub texts: Vec<String>,
}

impl Units {
    /// Content tokens inside units `[from, to)`.
    pub fn tokens(&self, from: u32, to: u32) -> u32 {
        self.spans[from as usize..to as usize]
            .iter()
            .map(|s| s.1 - s.0)
            .sum()
    }
}

/// Splits a prepared document into units.
pub fn units(p: &Prepared) -> Units {
    let text = p.norm.text();
    let mut out = Units::default();
    for r in retold_text::segment::sentences(text) {
        let from = p.tokens.partition_point(|t| (t.start as usize) < r.start);
        let to = p.tokens.partition_point(|t| (t.start as usize) < r.end);
        let mut s = from;
        while s < to && out.spans.len() < MAX_UNITS {
            // Cut long sentences into near-equal pieces of at most MAX_UNIT_TOKENS.
            let pieces = (to - from).div_ceil(MAX_UNIT_TOKENS);
            let len = (to - from).div_ceil(pieces);
            let e = (s + len).min(to);
            let (ts, te) = (p.tokens[s].start as usize, p.tokens[e - 1].end as usize);
            out.spans.push((s as u32, e as u32));
            out.texts.push(text[ts..te].to_string());
            s = e;
        }
    }
    out
}

/// Which model embeds a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Slot {
    /// The English model.
    English,
    /// The multilingual model.
    Multilingual,
}

impl Slot {
    /// The model each slot holds, as reported in `scores.model`.
    pub fn model_name(self) -> &'static str {
        match self {
            Slot::English => "all-MiniLM-L6-v2",
            Slot::Multilingual => "multilingual-e5-small",
        }
    }
}

/// The embedding models the semantic layer can use.
#[derive(Default)]
pub struct Models {
    /// English model (all-MiniLM-L6-v2).
    pub english: Option<Box<dyn Embedder>>,
    /// Multilingual model (multilingual-e5-small).
    pub multilingual: Option<Box<dyn Embedder>>,
}

impl std::fmt::Debug for Models {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Models")
            .field(
                "english",
                &self.english.as_ref().map(|m| m.name().to_string()),
            )
            .field(
                "multilingual",
                &self.multilingual.as_ref().map(|m| m.name().to_string()),
            )
            .finish()
    }
}

impl Models {
    /// Whether any model is loaded.
    pub fn any(&self) -> bool {
        self.english.is_some() || self.multilingual.is_some()
    }

    /// The model for a pair of documents in languages `la` and `lb`: the English model when
    /// both are English, the multilingual one otherwise (or when the English one is missing).
    pub fn slot_for(&self, la: Option<&str>, lb: Option<&str>) -> Option<Slot> {
        let english = la == Some("en") && lb == Some("en");
        match (english, &self.english, &self.multilingual) {
            (true, Some(_), _) => Some(Slot::English),
            (_, _, Some(_)) => Some(Slot::Multilingual),
            _ => None,
        }
    }

    /// The model of a slot.
    pub fn model(&self, slot: Slot) -> Option<&dyn Embedder> {
        match slot {
            Slot::English => self.english.as_deref(),
            Slot::Multilingual => self.multilingual.as_deref(),
        }
    }

    /// Embeds `texts` with the model of `slot`.
    pub fn embed(&self, slot: Slot, texts: &[&str]) -> Result<Vec<Vec<f32>>, Error> {
        let m = self
            .model(slot)
            .ok_or_else(|| Error::Inference(format!("no model loaded for {slot:?}")))?;
        m.embed(texts).map_err(|e| Error::Inference(e.to_string()))
    }

    /// Loads every installed model (`opts.model_dir`, `RETOLD_MODEL_DIR`, the cache). A model
    /// that is not installed is left out; a model that is installed but broken is an error.
    #[cfg(feature = "embed-candle")]
    pub fn load_installed(opts: &retold_embed::LoadOptions) -> Result<Models, Error> {
        use retold_embed::{load, EmbedError, ModelKind};
        let get = |k: ModelKind| match load(k, opts) {
            Ok(m) => Ok(Some(m)),
            Err(EmbedError::ModelMissing { .. }) => Ok(None),
            Err(e) => Err(Error::Model(e.to_string())),
        };
        Ok(Models {
            english: get(ModelKind::MiniLm)?,
            multilingual: get(ModelKind::E5Small)?,
        })
    }
}

/// The lead of a document for its document vector: its first units (title, first sentences)
/// up to `max_tokens` content tokens (at least one unit), joined by spaces.
pub fn lead_text(u: &Units, max_tokens: usize) -> String {
    let (mut k, mut tokens) = (0, 0);
    while k < u.texts.len() && (k == 0 || tokens < max_tokens) {
        tokens += (u.spans[k].1 - u.spans[k].0) as usize;
        k += 1;
    }
    u.texts[..k].join(" ")
}

/// The model that embeds document leads: the multilingual one when loaded (so that leads of
/// different languages are comparable), else the English one.
pub fn doc_slot(models: &Models) -> Option<Slot> {
    if models.multilingual.is_some() {
        Some(Slot::Multilingual)
    } else if models.english.is_some() {
        Some(Slot::English)
    } else {
        None
    }
}

/// How the semantic layer treats one candidate pair, decided before any sentence is embedded
/// (shared by `compare` and `dedup`, so both apply one rule).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairPlan {
    /// The model for the pair's sentences.
    pub slot: Slot,
    /// The model of the lead vectors.
    pub doc_slot: Slot,
    /// The documents are in different languages.
    pub cross_lingual: bool,
    /// Cosine similarity of the lead vectors.
    pub lead_similarity: f32,
    /// Whether the sentences are aligned (see [`PairPlan::new`]).
    pub align: bool,
}

impl PairPlan {
    /// The plan for a pair, or `None` when the lexical answer is final (an exact or
    /// duplicate pair). The sentences are aligned only where the alignment could change the
    /// relation: across languages when the lead vectors are at least the doc model's
    /// `align_gate` similar; in one language only when a `rewrite` is possible, i.e. one side
    /// is lexically covered at least `rewrite_min_lexical`. Other pairs are decided from the
    /// lead vectors (`related` or not).
    pub fn new(
        an: &PairAnalysis,
        slot: Slot,
        doc_slot: Slot,
        cross_lingual: bool,
        lead_similarity: f32,
        p: &SemanticParams,
    ) -> Option<PairPlan> {
        if !PairPlan::needed(an) {
            return None;
        }
        let align = if cross_lingual {
            lead_similarity >= p.for_slot(doc_slot).align_gate
        } else {
            an.features.coverage_a.max(an.features.coverage_b) >= p.rewrite_min_lexical
        };
        Some(PairPlan {
            slot,
            doc_slot,
            cross_lingual,
            lead_similarity,
            align,
        })
    }

    /// Whether the semantic layer has anything to add to a pair: not when its lexical answer
    /// is final (exact or duplicate).
    pub fn needed(an: &PairAnalysis) -> bool {
        !an.exact && an.relation != Relation::Duplicate
    }

    /// The input of [`crate::analyze::add_semantic`]; `sides` gives both documents' units and
    /// sentence embeddings and is called only when the plan aligns sentences.
    pub fn input<'a>(
        &self,
        sides: impl FnOnce() -> (SemSide<'a>, SemSide<'a>),
    ) -> SemanticInput<'a> {
        SemanticInput {
            sentences: self.align.then(sides),
            slot: self.slot,
            doc_similarity: self.lead_similarity,
            doc_slot: self.doc_slot,
            cross_lingual: self.cross_lingual,
        }
    }
}

/// Cosine similarity of two lead vectors; 0 when either is missing (empty).
pub fn lead_similarity(x: &[f32], y: &[f32]) -> f32 {
    if x.is_empty() || y.is_empty() {
        0.0
    } else {
        retold_embed::cosine(x, y)
    }
}

/// Shuffles of one side behind [`SemanticScores::order`].
const ORDER_ROUNDS: usize = 8;

/// What the semantic alignment of a pair measured.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SemanticScores {
    /// Share of `a`'s content tokens inside beads.
    pub coverage_a: f32,
    /// Share of `b`'s content tokens inside beads.
    pub coverage_b: f32,
    /// Token-weighted mean cosine similarity of the beads.
    pub similarity: f32,
    /// Token-weighted mean contrast (similarity above background) of the beads.
    pub contrast: f32,
    /// Number of beads.
    pub beads: u32,
    /// Order evidence: share of the alignment lost when one side's sentences are shuffled
    /// (`retold_align::order_evidence`); near 1 for a faithful translation, near 0 for chance.
    pub order: f32,
}

/// One side of a pair for the semantic aligner.
#[derive(Debug, Clone, Copy)]
pub struct SemSide<'a> {
    /// Units.
    pub units: &'a Units,
    /// Their embeddings.
    pub emb: &'a [Vec<f32>],
    /// Content tokens of the document.
    pub tokens: usize,
}

/// Aligns two documents' units; returns the beads and the scores.
pub fn semantic_pair(
    a: SemSide<'_>,
    b: SemSide<'_>,
    p: &SemanticParams,
    slot: Slot,
) -> (Vec<Bead>, SemanticScores) {
    let mp = p.for_slot(slot);
    let params = retold_align::SemanticParams {
        threshold: mp.align_threshold,
        min_contrast: mp.min_contrast,
        default_background: mp.default_background,
        ..retold_align::SemanticParams::default()
    };
    let beads = align_sentences(a.emb, b.emb, &params);
    let order = if beads.is_empty() {
        0.0
    } else {
        order_evidence(a.emb, b.emb, &beads, &params, ORDER_ROUNDS)
    };
    let (mut ta, mut tb, mut wsum, mut csum, mut w) = (0u32, 0u32, 0f32, 0f32, 0f32);
    for bd in &beads {
        let (x, y) = (
            a.units.tokens(bd.a.0, bd.a.1),
            b.units.tokens(bd.b.0, bd.b.1),
        );
        ta += x;
        tb += y;
        let wt = (x + y) as f32;
        wsum += wt * bd.similarity;
        csum += wt * bd.contrast;
        w += wt;
    }
    let share = |t: u32, n: usize| {
        if n == 0 {
            0.0
        } else {
            (t as f32 / n as f32).min(1.0)
        }
    };
    let scores = SemanticScores {
        coverage_a: share(ta, a.tokens),
        coverage_b: share(tb, b.tokens),
        similarity: if w > 0.0 { wsum / w } else { 0.0 },
        contrast: if w > 0.0 { csum / w } else { 0.0 },
        beads: beads.len() as u32,
        order,
    };
    (beads, scores)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prepare::prepare;
    use retold_clean::CorpusModel;

    #[test]
    fn units_follow_sentences_and_skip_boilerplate() {
        let text = "Breaking News\n\nThe minister resigned on Monday. She gave no reason.\n\nShare this article";
        let p = prepare(text, None, &CorpusModel::empty(), Some("en"));
        let u = units(&p);
        assert!(u
            .texts
            .iter()
            .any(|t| t == "The minister resigned on Monday"));
        assert!(u.texts.iter().any(|t| t == "She gave no reason"));
        // Units cover exactly the content tokens they claim.
        let covered: u32 = u.spans.iter().map(|s| s.1 - s.0).sum();
        assert!(covered as usize <= p.tokens.len());
        assert!(u.spans.windows(2).all(|w| w[0].1 <= w[1].0));
    }

    #[test]
    fn long_sentences_are_cut() {
        let long = vec!["word"; 200].join(" ");
        let p = prepare(&long, None, &CorpusModel::empty(), Some("en"));
        let u = units(&p);
        assert_eq!(u.spans.len(), 3);
        assert!(u
            .spans
            .iter()
            .all(|s| (s.1 - s.0) as usize <= MAX_UNIT_TOKENS));
        assert_eq!(u.spans.last().unwrap().1 as usize, p.tokens.len());
    }

    #[test]
    fn slots_pick_the_english_model_only_for_english_pairs() {
        let none = Models::default();
        assert_eq!(none.slot_for(Some("en"), Some("en")), None);
        assert!(!none.any());
    }
}
