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
    /// Static document vectors from the multilingual model's token table
    /// (`retold_embed::StaticVectors`): document vectors of `dedup`, never sentences.
    Static,
}

impl Slot {
    /// The model each slot holds, as reported in `scores.model`.
    pub fn model_name(self) -> &'static str {
        match self {
            Slot::English => "all-MiniLM-L6-v2",
            Slot::Multilingual => "multilingual-e5-small",
            Slot::Static => "multilingual-e5-small-static",
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
            Slot::Static => None,
        }
    }

    /// Static document vectors over the multilingual model's token table, reading at most
    /// `max_pieces` pieces of a text; `None` without the multilingual model.
    pub fn static_vectors(&self, max_pieces: usize) -> Option<retold_embed::StaticVectors<'_>> {
        let table = self.multilingual.as_deref()?.token_table()?;
        Some(retold_embed::StaticVectors::new(table, max_pieces))
    }

    /// Embeds `texts` with the model of `slot`.
    /// Identical texts (copies of a sentence in several documents) are embedded once.
    pub fn embed(&self, slot: Slot, texts: &[&str]) -> Result<Vec<Vec<f32>>, Error> {
        let m = self
            .model(slot)
            .ok_or_else(|| Error::Inference(format!("no model loaded for {slot:?}")))?;
        let mut first: ahash::AHashMap<&str, usize> = ahash::AHashMap::new();
        let mut unique: Vec<&str> = Vec::new();
        let slots: Vec<usize> = texts
            .iter()
            .map(|&t| {
                *first.entry(t).or_insert_with(|| {
                    unique.push(t);
                    unique.len() - 1
                })
            })
            .collect();
        let vecs = m
            .embed(&unique)
            .map_err(|e| Error::Inference(e.to_string()))?;
        Ok(slots.into_iter().map(|k| vecs[k].clone()).collect())
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

    /// The models of a `--semantic` setting other than `off`: with `required` (`on`) every
    /// model must be installed (else the error names what is missing and how to install it);
    /// otherwise (`auto`) those installed. `None` when none is installed: lexical only.
    #[cfg(feature = "embed-candle")]
    pub fn load_for(
        required: bool,
        opts: &retold_embed::LoadOptions,
    ) -> Result<Option<Models>, Error> {
        use retold_embed::{locate, ModelKind};
        if required {
            for k in ModelKind::ALL {
                locate(k, opts.model_dir.as_deref()).map_err(|e| Error::Model(e.to_string()))?;
            }
        }
        let m = Models::load_installed(opts)?;
        Ok(m.any().then_some(m))
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
    /// The documents' translation terms rule out a translation ([`terms_contradict`]).
    pub anchor_veto: bool,
}

/// Whether two documents' translation terms (`retold_text::translation_terms`: numbers,
/// acronyms, and names when both are in Latin script) rule out that one translates the
/// other: the smaller set (of the terms `keep` accepts; `compare` and `dedup` keep all) holds at least `min_terms` terms and the other
/// document keeps less than `min_share` of them. A translation keeps most of its source's
/// numbers and names. Dev data, pairs whose smaller set has three terms or more: WMT zh→en
/// translations keep at least half in 111 of 112; unrelated SemEval articles in two
/// languages in 0.4 % of random pairs, and none of the 17 pairs the sentence aligner alone
/// called translations.
pub fn terms_contradict(
    a: &retold_text::TranslationTerms,
    b: &retold_text::TranslationTerms,
    keep: &dyn Fn(u64) -> bool,
    min_terms: usize,
    min_share: f32,
) -> bool {
    let set = |t: &retold_text::TranslationTerms| -> Vec<u64> {
        let mut v: Vec<u64> = t.numbers.iter().copied().filter(|&x| keep(x)).collect();
        if a.latin && b.latin {
            v.extend(t.names.iter().copied().filter(|&x| keep(x)));
            v.sort_unstable();
        }
        v
    };
    anchors_contradict(&set(a), &set(b), min_terms, min_share)
}

/// [`terms_contradict`] on two sorted sets of term hashes.
pub fn anchors_contradict(a: &[u64], b: &[u64], min_anchors: usize, min_share: f32) -> bool {
    let small = a.len().min(b.len());
    if small < min_anchors.max(1) {
        return false;
    }
    let (mut i, mut j, mut shared) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    (shared as f32) < min_share * small as f32
}

impl PairPlan {
    /// The plan for a pair, or `None` when the lexical answer is final (an exact or
    /// duplicate pair). The sentences are aligned only where the alignment could change the
    /// relation: across languages when the document vectors are at least the doc model's
    /// `align_gate` similar and the anchor terms do not contradict a translation
    /// (`anchor_veto`); in one language only when a `rewrite` is possible, i.e. one side is
    /// lexically covered at least `rewrite_min_lexical` and the lexical layer (with its
    /// reworded-passage aligner) already calls the pair a `rewrite`. Other pairs are decided from the
    /// document vectors (`related` or not).
    pub fn new(
        an: &PairAnalysis,
        slot: Slot,
        doc_slot: Slot,
        cross_lingual: bool,
        lead_similarity: f32,
        anchor_veto: bool,
        p: &SemanticParams,
    ) -> Option<PairPlan> {
        if !PairPlan::needed(an) {
            return None;
        }
        let align = if cross_lingual {
            !anchor_veto && lead_similarity >= p.for_slot(doc_slot).align_gate
        } else {
            // In one language the sentence bag-of-words aligner finds reworded passages
            // (better than sentence embeddings inside longer texts, on PAN 2013, at a fraction
            // of the cost): only a pair it already calls a `rewrite` is aligned by sentence
            // embeddings, for paragraph-level passages (`compare`; `dedup` skips those too,
            // see `relation_only`).
            an.relation == Relation::Rewrite
                && an.features.coverage_a.max(an.features.coverage_b) >= p.rewrite_min_lexical
        };
        Some(PairPlan {
            slot,
            doc_slot,
            cross_lingual,
            lead_similarity,
            align,
            anchor_veto,
        })
    }

    /// Drops the sentence alignment of a same-language pair that the lexical layer already
    /// calls a `rewrite`: the alignment would only add passages, never change the relation
    /// (`classify_semantic` keeps a lexical rewrite). `dedup` uses it; `compare` aligns such a
    /// pair for its passages.
    pub fn relation_only(mut self, an: &PairAnalysis) -> PairPlan {
        if !self.cross_lingual && an.relation == Relation::Rewrite {
            self.align = false;
        }
        self
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
            anchor_veto: self.anchor_veto,
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
    /// Token-weighted share of the beads whose sentences are each other's closest match in
    /// the other document ([`mutual_best`]).
    pub mutual: f32,
}

/// Which beads pair sentences that are each other's closest match: some sentence of the
/// bead's `a` side has its most similar sentence of `b` inside the bead's `b` side, and some
/// sentence of the `b` side has its most similar sentence of `a` inside the `a` side. A
/// translated or reworded sentence is the closest sentence to its source; when a model rates
/// every sentence of two texts about equally close, a chain of beads picked by the aligner
/// mostly pairs sentences that each have a closer match elsewhere.
pub fn mutual_best(a: &[Vec<f32>], b: &[Vec<f32>], beads: &[Bead]) -> Vec<bool> {
    let mut best_b = vec![(f32::NEG_INFINITY, 0usize); a.len()];
    let mut best_a = vec![(f32::NEG_INFINITY, 0usize); b.len()];
    for (i, x) in a.iter().enumerate() {
        for (j, y) in b.iter().enumerate() {
            let s = retold_embed::cosine(x, y);
            if s > best_b[i].0 {
                best_b[i] = (s, j);
            }
            if s > best_a[j].0 {
                best_a[j] = (s, i);
            }
        }
    }
    beads
        .iter()
        .map(|bd| {
            let (ra, rb) = (
                bd.a.0 as usize..bd.a.1 as usize,
                bd.b.0 as usize..bd.b.1 as usize,
            );
            ra.clone().any(|i| rb.contains(&best_b[i].1))
                && rb.clone().any(|j| ra.contains(&best_a[j].1))
        })
        .collect()
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
    let mutual = mutual_best(a.emb, b.emb, &beads);
    let (mut ta, mut tb, mut wsum, mut csum, mut w) = (0u32, 0u32, 0f32, 0f32, 0f32);
    let mut wmut = 0f32;
    for (bd, &mb) in beads.iter().zip(&mutual) {
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
        if mb {
            wmut += wt;
        }
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
        mutual: if w > 0.0 { wmut / w } else { 0.0 },
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
