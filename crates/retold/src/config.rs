//! Every tunable of the pipeline in one place, with the reason for each default.

use retold_align::{AlignParams, RewordParams};
use retold_clean::LearnParams;
use retold_cluster::GuardParams;
use retold_sketch::{MinHashParams, SeedParams, SentenceKeyParams};

/// Thresholds of the relation classifier (see [`crate::classify`]).
///
/// Coverage is the share of a side's non-boilerplate tokens inside aligned passages;
/// similarity is the token-weighted mean Dice similarity of the passages.
///
/// The values were chosen on the development sets only (`../shared/eval` and the synthetic set
/// of `scripts/make_synthetic.py`), with `retold eval`: see `docs/quality.md`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClassifierParams {
    /// Both sides covered at least this much → the same text (duplicate or rewrite). 0.6
    /// keeps simplified rewrites (onestop) together while independent reports sharing stock
    /// sentences (semeval) stay far below.
    pub same_text_coverage: f32,
    /// A same-text pair whose passages are at least this similar is a `duplicate`, else a
    /// `rewrite`. Lightly edited reposts score ≥ 0.88 on the synthetic set; simplified
    /// rewrites mostly 0.73–0.9.
    pub duplicate_similarity: f32,
    /// Fewest matched tokens (on the smaller side) for any reproduction (`partial` included).
    pub partial_min_tokens: u32,
    /// One side covered at least this much makes a `partial` (SemEval's label rule uses
    /// 5-shingle containment ≥ 0.3 of the smaller text; passage spans run a little larger).
    pub partial_min_coverage: f32,
    /// One side covered at least this much: the smaller text sits inside the other, a
    /// `duplicate` (containment ≥ 0.8 in SemEval's rule).
    pub contained_coverage: f32,
    /// A single near-verbatim passage this long (matched tokens) makes a `partial` on its own:
    /// a quoted block of paragraphs. Shared stock sentences of independent reports stay below.
    pub partial_block_tokens: u32,
}

impl Default for ClassifierParams {
    fn default() -> Self {
        ClassifierParams {
            same_text_coverage: 0.6,
            duplicate_similarity: 0.85,
            partial_min_tokens: 25,
            partial_min_coverage: 0.35,
            contained_coverage: 0.85,
            partial_block_tokens: 35,
        }
    }
}

/// Thresholds of the semantic layer that depend on the embedding model: each model has its
/// own similarity scale (multilingual-e5 puts unrelated sentences near 0.75, MiniLM near 0.1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelParams {
    /// A sentence bead needs at least this cosine similarity.
    pub align_threshold: f32,
    /// … and at least this much similarity above its background (the mean similarity of its
    /// sentences to the other sentences of the other side): see `retold_align::semantic`.
    pub min_contrast: f32,
    /// Background similarity of unrelated sentences, where a side has a single sentence.
    pub default_background: f32,
    /// Least token-weighted sentence similarity of a same-language `rewrite`.
    pub same_text_similarity: f32,
    /// As the lead model: least lead-vector similarity of a `related` pair.
    pub related_similarity: f32,
    /// As the lead model: least lead-vector similarity of a nearest-neighbour candidate pair.
    pub ann_min_similarity: f32,
    /// As the lead model: least lead-vector similarity for the sentences of a pair in two
    /// languages to be aligned (below it no translation was seen in the dev data; this keeps
    /// the cost down). Same-language pairs are aligned only when a rewrite is possible
    /// (`rewrite_min_lexical`).
    pub align_gate: f32,
    /// Similarity difference that counts as one unit of margin in the confidence.
    pub similarity_scale: f32,
}

/// The semantic layer: candidates from embeddings and anchors, and the classifier's semantic
/// thresholds. Fitted on the development sets by `scripts/fit_classifier.py`, which prints
/// the values to paste here; see `docs/quality.md`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SemanticParams {
    /// Use the semantic layer when models are loaded.
    pub enabled: bool,
    /// Thresholds for the English model (all-MiniLM-L6-v2).
    pub english: ModelParams,
    /// Thresholds for the multilingual model (multilingual-e5-small).
    pub multilingual: ModelParams,
    /// Thresholds for static document vectors (the multilingual model's token table, pooled;
    /// `dedup`'s document vectors): only the document-level fields apply.
    pub static_vectors: ModelParams,
    /// Pieces of a document's content read for its static vector.
    pub static_pieces: usize,
    /// Static vectors are centred per language (the mean vector of the corpus's documents
    /// in that language is subtracted), so that what documents share is their content, not
    /// their language; the mean is shrunk towards zero as if this many more documents of the
    /// language had a zero vector, so a language with few documents is barely centred.
    pub language_prior: f32,
    /// Veto of a translation by its translation terms (numbers, acronyms, names in Latin
    /// script: `semantic::terms_contradict`): the smaller set has at least this many terms …
    pub anchor_veto_min: usize,
    /// … and the other side keeps less than this share of them: a translation keeps most
    /// (half or more) of its source's numbers and names.
    pub anchor_veto_share: f32,
    /// Same language: both sides semantically covered at least this much → the same text
    /// (`rewrite`), when the rest of the rule holds.
    pub same_text_coverage: f32,
    /// Same language: one side lexically covered at least this much. A reproduction in the
    /// same language keeps much of the wording (names, numbers, phrases); independent reports
    /// of one event in one language reach high embedding similarity with little shared wording
    /// (SemEval `related` pairs: at most 0.44, rewrites of the dev sets: 0.6 at the 5th
    /// percentile), so embeddings alone never make a same-language `rewrite`.
    pub rewrite_min_lexical: f32,
    /// Languages differ: both sides semantically covered at least this much → `translation`.
    pub translation_coverage: f32,
    /// Languages differ: least token-weighted sentence similarity of a `translation`
    /// (multilingual model).
    pub translation_similarity: f32,
    /// Languages differ: least order evidence of the sentence alignment (kappa of the aligned
    /// share over the share aligned with one side shuffled; `Features::sem_order`). A veto
    /// only: it never raises a confidence. Text an embedding model rates as uniformly close
    /// (word salad, generated text, lists) aligns about as well shuffled. wmt dev: gold
    /// translations 0.36 at the minimum, 0.42 at the 5th percentile; the unrelated pairs the
    /// rest of the rule let through at most 0.33; on the benchmark corpus's generated word
    /// sequences, the cross-language pairs the rest of the rule let through have a median of
    /// 0.07 and a 90th percentile of 0.33.
    pub translation_min_order: f32,
    /// Coverage difference that counts as one unit of margin in the confidence.
    pub coverage_scale: f32,
    /// Logistic calibration of the confidence: `1 / (1 + exp(−(a·margin + b)))`.
    pub calibration: (f32, f32),
    /// Nearest neighbours per document from document embeddings.
    pub ann_k: usize,
    /// Nearest neighbours per document among documents of other languages (a source rarely
    /// has more translations than this in one collection; each costs a sentence alignment).
    pub ann_k_across: usize,
    /// Fewest shared anchor terms (numbers, acronyms) that make a candidate pair.
    pub anchor_min_shared: usize,
    /// Anchor terms found in more documents than this are ignored.
    pub anchor_max_df: usize,
    /// Document vectors embed the leading units (title and lead) up to this many tokens.
    pub doc_lead_tokens: usize,
}

impl SemanticParams {
    /// The thresholds of a model slot.
    pub fn for_slot(&self, slot: crate::semantic::Slot) -> &ModelParams {
        match slot {
            crate::semantic::Slot::English => &self.english,
            crate::semantic::Slot::Multilingual => &self.multilingual,
            crate::semantic::Slot::Static => &self.static_vectors,
        }
    }

    /// Calibrated confidence of a decision taken with `margin` (≥ 0) to its threshold.
    pub fn confidence(&self, margin: f32) -> f32 {
        let (a, b) = self.calibration;
        (1.0 / (1.0 + (-(a * margin + b)).exp())).clamp(0.5, 1.0)
    }
}

impl Default for SemanticParams {
    /// Values from `python3 scripts/fit_classifier.py` on the dev sets (2026-11-23; see
    /// docs/quality.md), rounded to principled middles where the data allowed a range:
    /// - `translation_*`: fitted on WMT zh→en (148/152 translation pairs, 3 of 823 cross-lingual
    ///   independent candidates above both; F1 0.977);
    /// - English `same_text_similarity` 0.75 with `same_text_coverage` 0.6: every value from
    ///   0 to 0.78 gives the same F1 (0.986 on onestop + wmt) once `rewrite_min_lexical` holds;
    ///   0.75 sits between the independent pairs' 95th percentile (0.63) and the rewrites' 5th
    ///   (0.83);
    /// - multilingual `related_similarity` 0.876: F1 0.79 on SemEval related vs unrelated;
    ///   English `related_similarity` is not fitted (no English `related` pairs in the dev
    ///   data; it applies only when the multilingual model is missing);
    /// - multilingual `same_text_similarity` 0.95 is not fitted (no same-language non-English
    ///   rewrites in the dev data): above SemEval `related` pairs' 95th percentile (0.944);
    /// - `calibration`: logistic fit of "the decision was right" on the margin.
    fn default() -> Self {
        SemanticParams {
            enabled: true,
            english: ModelParams {
                align_threshold: 0.5,
                min_contrast: 0.2,
                default_background: 0.15,
                same_text_similarity: 0.75,
                related_similarity: 0.6,
                ann_min_similarity: 0.3,
                align_gate: 0.3,
                similarity_scale: 0.1,
            },
            multilingual: ModelParams {
                align_threshold: 0.8,
                min_contrast: 0.04,
                default_background: 0.8,
                same_text_similarity: 0.95,
                related_similarity: 0.876,
                ann_min_similarity: 0.8,
                align_gate: 0.8,
                similarity_scale: 0.03,
            },
            // Static vectors (centred per language; cosine): WMT zh→en dev translations score
            // 0.27 at the minimum and 0.30 at the 5th percentile, so 0.3 gates the sentence
            // alignment (the few pairs below are still clustered through their sister
            // translations) and 0.2 bounds nearest-neighbour candidates; `related` 0.5: precision 0.93 on SemEval
            // dev related vs unrelated (recall 0.35; 0.25 gives F1 0.78, but then a
            // cross-language pair that fails the translation test is reported `related`
            // inside its translation cluster: WMT translation recall 0.99 → 0.95). The sentence-level fields do
            // not apply (static vectors never align sentences).
            static_vectors: ModelParams {
                align_threshold: 0.0,
                min_contrast: 0.1,
                default_background: 0.3,
                same_text_similarity: 1.0,
                related_similarity: 0.5,
                ann_min_similarity: 0.2,
                align_gate: 0.3,
                similarity_scale: 0.05,
            },
            static_pieces: 256,
            language_prior: 8.0,
            anchor_veto_min: 3,
            anchor_veto_share: 0.5,
            same_text_coverage: 0.6,
            rewrite_min_lexical: 0.5,
            translation_coverage: 0.55,
            translation_similarity: 0.852,
            translation_min_order: 0.3,
            coverage_scale: 0.15,
            calibration: (2.81, 0.27),
            ann_k: 10,
            ann_k_across: 5,
            anchor_min_shared: 4,
            anchor_max_df: 50,
            doc_lead_tokens: 64,
        }
    }
}

/// The memory budget of a run by default (`retold dedup --memory`): 2 GiB, shared as
/// [`Config::set_memory`] says. Beyond it texts and candidate keys go to temporary files; what
/// grows with the corpus outside the budget (per document: its record, 32 signature values, its
/// text's place in the temporary file, the boilerplate learner's line counts) is about 450
/// bytes, so 10 million documents stay under 8 GB.
pub const DEFAULT_MEMORY: usize = 2 << 30;

/// The smallest memory budget [`Config::set_memory`] is given (`--memory 1M`).
pub const MIN_MEMORY: usize = 1 << 20;

/// The pipeline's configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// MinHash over word 5-shingles (character 5-grams for unspaced scripts), 128 values.
    pub minhash: MinHashParams,
    /// Target Jaccard threshold of LSH banding; bands and rows follow from it
    /// (`LshParams::for_threshold`). 0.5 keeps lightly edited reposts; alignment verifies.
    pub lsh_threshold: f64,
    /// LSH buckets larger than this only link consecutive members (sub-quadratic).
    pub lsh_max_bucket: usize,
    /// Passage seeds: winnowed 8-token shingles, window 12 (a shared run of ≥ 19 tokens is
    /// always seeded), so a few reused paragraphs inside a long article are found.
    pub seeds: SeedParams,
    /// Fewest shared passage seeds that make a candidate pair.
    pub seed_min_shared: usize,
    /// Seeds found in more documents than this are template text and ignored.
    pub seed_max_df: usize,
    /// Candidate keys for reworded passages: MinHash bands over each sentence's stemmed
    /// content terms (`None`: off). 4 keys of 2 minimums a sentence: two sentences with term
    /// Jaccard 0.5 share a key with probability 0.68, at 0.2 with 0.15.
    pub sentence_keys: Option<SentenceKeyParams>,
    /// Fewest shared sentence keys that make a candidate pair (a reused passage has several
    /// sentences; one shared key is often a stock sentence).
    pub sentence_key_min_shared: usize,
    /// The lexical aligner.
    pub align: AlignParams,
    /// The reworded-passage aligner (sentences by bag-of-words similarity of stemmed content
    /// words; `retold_align::reword`). Its defaults are the published PAN 2014 values of
    /// Sanchez-Perez et al. (seed cosine and Dice 0.33, gap 4 sentences, validation 0.34,
    /// passages of at least 150 code points); ours, chosen on the pan13 dev corpus:
    /// `dominance` 0.8 and `near_verbatim` 0.97 (they stop passages stretching past copied
    /// text), `min_seeds` 2 and `summary_gap` 40 (published: 24); and `partial_min_seeds` 5
    /// (chosen on SemEval dev, where independent reports share a few reworded sentences).
    pub reword: RewordParams,
    /// The relation classifier.
    pub classifier: ClassifierParams,
    /// The semantic layer (used when embedding models are loaded).
    pub semantic: SemanticParams,
    /// Chaining guard of clustering.
    pub guard: GuardParams,
    /// Corpus-learned boilerplate.
    pub learn: LearnParams,
    /// Two documents whose MinHash estimate reaches this are "the same text" when learning
    /// boilerplate (so copies of one article do not turn it into boilerplate).
    pub learn_same_text: f64,
    /// Documents processed per parallel batch.
    pub batch_size: usize,
    /// Candidate pairs aligned per parallel chunk.
    pub pair_chunk: usize,
    /// Keep pairs classified `unrelated` in the output (for fitting the classifier).
    pub keep_unrelated: bool,
    /// Keep what provenance saw of each cluster (`ClusterResult::provenance_input`), for
    /// fitting the weights (`retold eval --dump-provenance`). Off by default.
    pub keep_provenance_input: bool,
    /// Texts kept in memory up to this many bytes; beyond, they are spilled to a temporary
    /// file and read back for alignment.
    pub spill_bytes: usize,
    /// Documents prepared for verification (normalised text, offset map, tokens, sentences,
    /// embedded units) are kept from one chunk of candidate pairs to a later one that needs
    /// them up to this many bytes, so that most are prepared once per run. 256 MiB holds every
    /// document of a 10,000-document corpus of 2 KB articles (about 25 KB each); beyond it,
    /// documents are prepared again for each chunk that needs them (same results, more time).
    pub prepared_cache_bytes: usize,
    /// Candidate keys (LSH bands, passage seeds, sentence keys, anchor terms) kept in memory
    /// up to this many bytes; beyond, they are written to sorted runs on disk and merged back
    /// when candidates are listed (same pairs, more time). Set by [`Config::set_memory`].
    pub key_buffer_bytes: usize,
}

impl Config {
    /// Shares a memory budget of `bytes` between the parts of a run that can go to disk:
    /// a quarter for texts ([`Config::spill_bytes`]), half for candidate keys
    /// ([`Config::key_buffer_bytes`]), an eighth for prepared documents
    /// ([`Config::prepared_cache_bytes`]); the rest is headroom for sorting and the pairs.
    /// The results do not depend on it.
    pub fn set_memory(&mut self, bytes: usize) {
        self.spill_bytes = bytes / 4;
        self.key_buffer_bytes = bytes / 2;
        self.prepared_cache_bytes = bytes / 8;
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            minhash: MinHashParams::default(),
            lsh_threshold: 0.5,
            lsh_max_bucket: 256,
            seeds: SeedParams { k: 8, window: 12 },
            seed_min_shared: 2,
            seed_max_df: 64,
            sentence_keys: Some(SentenceKeyParams::default()),
            sentence_key_min_shared: 4,
            align: AlignParams::default(),
            reword: RewordParams::default(),
            classifier: ClassifierParams::default(),
            semantic: SemanticParams::default(),
            guard: GuardParams::default(),
            learn: LearnParams::default(),
            learn_same_text: 0.3,
            batch_size: 2048,
            pair_chunk: 8192,
            spill_bytes: DEFAULT_MEMORY / 4,
            prepared_cache_bytes: DEFAULT_MEMORY / 8,
            key_buffer_bytes: DEFAULT_MEMORY / 2,
            keep_unrelated: false,
            keep_provenance_input: false,
        }
    }
}
