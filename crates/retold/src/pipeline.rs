//! `dedup`: the whole pipeline over a stream of documents, as named stages over one run
//! state (`Corpus`: the documents' records, stored texts, static vectors and counters):
//!
//! 1. **Read** (`Corpus::read`, streaming, parallel per batch): normalise, mark boilerplate by
//!    cues, tokenize; MinHash signature, passage seeds, sentence keys, exact hash and line keys
//!    of each document (with the semantic layer also language, anchor and translation terms and
//!    the static vector). Texts go to a [`TextStore`]; only compact sketches stay in memory.
//! 2. **Learn** (`Corpus::learn`): boilerplate lines that recur across documents that are
//!    otherwise different.
//! 3. **Candidates** (`Corpus::candidates`): exact-hash groups, LSH banding on MinHash, shared
//!    passage seeds and sentence keys; anchor terms and nearest neighbours of static vectors.
//! 4. **Verify** (`Corpus::verify`): candidate pairs chunk by chunk, in parallel: each document
//!    is prepared with the learned boilerplate (kept for later chunks within
//!    `Config::prepared_cache_bytes`), every pair aligned and classified, then the semantic
//!    layer's cost cascade (`semantic_chunk`).
//! 5. **Group** (`group`): clusters (chaining-guarded), stories, provenance and the keep-list.
//!
//! The output depends only on the input: every parallel step collects in input order and
//! every set is sorted, so `threads` changes speed, never results.

use crate::analyze::{add_semantic, analyze, PairAnalysis};
use crate::config::Config;
use crate::error::Error;
use crate::evidence::evidence;
use crate::prepare::{
    chrome_spans, content_tokens, detect_content_lang_str, merge_spans, prepare_with, sentences_of,
    Prepared,
};
use crate::relation::Relation;
use crate::semantic::{
    lead_similarity, terms_contradict, units, Models, PairPlan, SemSide, Slot, Units,
};
use crate::store::TextStore;
use ahash::AHashMap;
use rayon::prelude::*;
use retold_clean::{CorpusModel, CorpusModelBuilder};
use retold_cluster::{Containment, DocEvidence, Edge, KeepPolicy};
use retold_embed::StaticVectors;
use retold_ingest::{Document, IngestError};
use retold_sketch::ann::neighbour_pairs;
use retold_sketch::{
    exact_hash, jaccard_estimate, passage_seeds, sentence_keys, LshIndex, LshParams, MinHasher,
    SeedIndex,
};
use retold_text::{hash_seq, normalize, normalize_text, tokenize, Token};
use std::sync::{Arc, OnceLock};

/// What the pipeline keeps of each document.
#[derive(Debug, Clone)]
pub struct DocRecord {
    /// The document's id.
    pub id: String,
    /// Date, if given.
    pub date: Option<String>,
    /// Source, if given.
    pub source: Option<String>,
    /// Language, if given.
    pub lang: Option<String>,
    /// Bytes of text.
    pub bytes: usize,
    /// Content tokens after cue boilerplate.
    pub tokens: u32,
    /// Page chrome marked by ingest (code point ranges of the text).
    pub marked: Vec<[usize; 2]>,
}

/// A verified pair (relation other than `unrelated`).
#[derive(Debug, Clone)]
pub struct PairResult {
    /// Index of the first document (input order, `a < b`).
    pub a: u32,
    /// Index of the second document.
    pub b: u32,
    /// The analysis.
    pub analysis: PairAnalysis,
}

/// One reproduction cluster (two documents or more).
#[derive(Debug, Clone)]
pub struct ClusterResult {
    /// Stable name, `c1`, `c2`, … in order of the first member.
    pub name: String,
    /// Members, in input order.
    pub docs: Vec<u32>,
    /// The relation that holds the cluster together.
    pub relation: Relation,
    /// The likely original.
    pub original: Option<u32>,
    /// Why.
    pub original_reason: String,
    /// The story the cluster belongs to, `s1`, `s2`, ….
    pub story: String,
    /// What provenance saw (members, evidence, containment): only with
    /// [`Config::keep_provenance_input`], for fitting the weights (its votes) and re-deciding
    /// under other weights.
    pub provenance_input: Option<retold_cluster::ProvenanceInput>,
}

/// Counters of a run.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Documents read.
    pub docs: usize,
    /// Bytes of text read.
    pub bytes: usize,
    /// Bad records skipped.
    pub skipped: usize,
    /// Documents with no content tokens.
    pub empty: usize,
    /// Candidate pairs from exact hashes.
    pub exact_pairs: usize,
    /// Candidate pairs from LSH.
    pub lsh_pairs: usize,
    /// Candidate pairs from sentence keys (reworded passages).
    pub sentence_pairs: usize,
    /// Candidate pairs from passage seeds.
    pub seed_pairs: usize,
    /// Candidate pairs from nearest neighbours over static document vectors.
    pub ann_pairs: usize,
    /// Candidate pairs from shared anchor terms (numbers, acronyms).
    pub anchor_pairs: usize,
    /// Distinct candidate pairs aligned.
    pub candidates: usize,
    /// The semantic layer's cost cascade, stage by stage (see [`Cascade`]).
    pub cascade: Cascade,
    /// Pairs that went through the semantic (sentence-embedding) aligner.
    pub semantic_pairs: usize,
    /// Sentences (units) embedded by a transformer.
    pub sentences_embedded: usize,
    /// Seconds spent embedding sentences (part of the phases below).
    pub embed_secs: f64,
    /// Documents given a static vector (nearest-neighbour candidates, document similarity),
    /// and the seconds it took (part of reading and fingerprinting).
    pub doc_vectors: (usize, f64),
    /// Lines learned as boilerplate.
    pub learned_lines: usize,
    /// Texts were spilled to a temporary file.
    pub spilled: bool,
    /// Bytes of (compressed) text in the temporary file.
    pub spilled_text_bytes: u64,
    /// Candidate keys spilled to sorted runs on disk: bytes and runs (0 when everything
    /// stayed in memory).
    pub spilled_keys: (u64, usize),
    /// Seconds spent per phase: reading and fingerprinting, learning boilerplate, candidate
    /// generation, verification (alignment), clustering and provenance.
    pub phase_secs: [f64; 5],
}

/// How many candidate pairs (and documents) each stage of the semantic layer's cost cascade
/// decided or passed on: every pair gets the lexical alignment and the cheap signals
/// (document vectors, anchor terms, lexical coverage); only the rest reach the transformer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Cascade {
    /// Candidate pairs verified.
    pub pairs: usize,
    /// … final after the lexical alignment (exact or duplicate).
    pub lexical_final: usize,
    /// … decided from the cheap signals: one language without a possible rewrite (too little
    /// shared wording), or two languages whose document vectors are too far apart.
    pub cheap_decided: usize,
    /// … two languages whose anchor terms rule out a translation.
    pub anchor_vetoed: usize,
    /// … sentence-aligned by a transformer.
    pub transformer_pairs: usize,
    /// Documents whose sentences were embedded by a transformer.
    pub transformer_docs: usize,
    /// Sentences embedded by a transformer.
    pub transformer_sentences: usize,
}

impl Cascade {
    /// Adds another chunk's counts.
    pub fn add(&mut self, o: &Cascade) {
        self.pairs += o.pairs;
        self.lexical_final += o.lexical_final;
        self.cheap_decided += o.cheap_decided;
        self.anchor_vetoed += o.anchor_vetoed;
        self.transformer_pairs += o.transformer_pairs;
        self.transformer_docs += o.transformer_docs;
        self.transformer_sentences += o.transformer_sentences;
    }
}

/// The result of a run.
#[derive(Debug, Clone)]
pub struct DedupOutput {
    /// Every document read, in input order.
    pub docs: Vec<DocRecord>,
    /// Verified pairs, sorted by `(a, b)`.
    pub pairs: Vec<PairResult>,
    /// Clusters of two or more documents, in order of their first member.
    pub clusters: Vec<ClusterResult>,
    /// Cluster index (into `clusters`) per document, `None` for singletons.
    pub cluster_of: Vec<Option<u32>>,
    /// Documents kept, in input order.
    pub keep: Vec<u32>,
    /// Counters.
    pub stats: Stats,
}

/// Progress of a run, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub enum Progress {
    /// Documents and bytes read so far.
    Reading {
        /// Documents.
        docs: usize,
        /// Bytes.
        bytes: usize,
    },
    /// Candidate pairs verified so far, of the total.
    Verifying {
        /// Done.
        done: usize,
        /// Total.
        total: usize,
    },
    /// Documents embedded for nearest-neighbour candidates, of the total.
    Embedding {
        /// Done.
        done: usize,
        /// Total.
        total: usize,
    },
    /// Finding candidate pairs (merging the sorted runs on disk when keys were spilled).
    Candidates,
    /// Clustering and provenance.
    Clustering,
}

/// Options of a run beyond the configuration.
pub struct RunOptions<'a> {
    /// Which copy of a cluster survives in the keep-list.
    pub keep: KeepPolicy,
    /// Called with each bad record; return `true` to skip it and go on, `false` to stop.
    pub on_bad: &'a mut dyn FnMut(&IngestError) -> bool,
    /// Called with progress.
    pub progress: &'a (dyn Fn(Progress) + Sync),
    /// Embedding models of the semantic layer (`None`: lexical only).
    pub models: Option<&'a Models>,
}

pub(crate) struct Sketch {
    pub(crate) anchors: Vec<u64>,
    pub(crate) terms: retold_text::TranslationTerms,
    pub(crate) vector: Vec<f32>,
    pub(crate) lang: Option<String>,
    pub(crate) sig: Vec<u32>,
    pub(crate) seeds: Vec<u64>,
    pub(crate) sentence_keys: Vec<u64>,
    pub(crate) exact: u64,
    pub(crate) keys: Vec<u64>,
    pub(crate) tokens: u32,
}

/// Signature values kept per document for "same text" tests while learning boilerplate.
pub(crate) const SAME_TEXT_SIG: usize = 32;

/// Line keys (as `retold_clean::line_keys` computes them) from the text's tokens.
fn line_keys_of(text: &str, tokens: &[Token]) -> Vec<u64> {
    let mut keys = Vec::new();
    let mut i = 0;
    let mut start = 0usize;
    for end in memchr_lines(text) {
        let j = i + tokens[i..].partition_point(|t| (t.start as usize) < end);
        if j > i && tokens[i].start as usize >= start {
            keys.push(hash_seq(&tokens[i..j]));
        }
        i = j;
        start = end + 1;
    }
    keys
}

/// End offsets of the lines of `text` (the last one ends at `text.len()`).
fn memchr_lines(text: &str) -> impl Iterator<Item = usize> + '_ {
    text.bytes()
        .enumerate()
        .filter(|&(_, b)| b == b'\n')
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
}

pub(crate) fn sketch(
    text: &str,
    cfg: &Config,
    hasher: &MinHasher,
    semantic: Option<&StaticVectors<'_>>,
    lang: Option<&str>,
    marked: &[[usize; 2]],
) -> Sketch {
    let given_lang = lang;
    // Page chrome marked by ingest needs the offset map; plain text takes the fast path.
    let (norm, chrome) = if marked.is_empty() {
        (normalize_text(text), Vec::new())
    } else {
        let n = normalize(text);
        let chrome = chrome_spans(&n, marked);
        (std::borrow::Cow::Owned(n.into_text()), chrome)
    };
    let (anchors, terms, lang) = if semantic.is_some() {
        let lang = match lang {
            Some(l) if !l.is_empty() => None,
            _ => retold_text::lang::detect(&norm).map(str::to_string),
        };
        (
            retold_text::anchors(&norm),
            retold_text::translation_terms(&norm),
            lang,
        )
    } else {
        (Vec::new(), Default::default(), None)
    };
    let all = tokenize(&norm);
    let cues = merge_spans(retold_clean::cue_spans_with_tokens(&norm, &all), chrome);
    let keys = line_keys_of(&norm, &all);
    let tokens = content_tokens(all, &cues);
    let hashes: Vec<u64> = tokens.iter().map(|t| t.hash).collect();
    let sentence_keys = match cfg.sentence_keys {
        Some(kp) if !tokens.is_empty() => {
            let l = match (given_lang, &lang) {
                (Some(l), _) if !l.is_empty() => Some(l.to_string()),
                (_, Some(l)) => Some(l.clone()),
                _ => detect_content_lang_str(&norm, &tokens),
            };
            let s = sentences_of(&norm, &tokens, l.as_deref());
            sentence_keys(s.bags.iter().map(|b| b.terms.as_slice()), kp)
        }
        _ => Vec::new(),
    };
    // The static vector reads the content from its first token on (cue boilerplate at the
    // head, such as navigation lines, is left out).
    let vector = match (semantic, tokens.first(), tokens.last()) {
        (Some(sv), Some(f), Some(l)) => sv.vector(&norm[f.start as usize..l.end as usize]),
        _ => Vec::new(),
    };
    Sketch {
        sentence_keys,
        anchors,
        terms,
        vector,
        lang,
        sig: if hashes.is_empty() {
            Vec::new()
        } else {
            hasher.signature(&hashes)
        },
        seeds: passage_seeds(&hashes, cfg.seeds),
        exact: exact_hash(&hashes),
        keys,
        tokens: hashes.len() as u32,
    }
}

/// Runs the pipeline over `docs`: the stages [`Corpus::read`], [`Corpus::learn`],
/// [`Corpus::candidates`], [`Corpus::verify`] and [`group`], in order, over one run state.
pub fn dedup<I>(docs: I, cfg: &Config, opts: RunOptions<'_>) -> Result<DedupOutput, Error>
where
    I: Iterator<Item = Result<Document, IngestError>>,
{
    run(docs, cfg, opts, None)
}

/// [`dedup`] that verifies only the candidate pairs of document `focus` (its index in
/// `docs`): its pairs are those `dedup` finds for it; the other documents' pairs among
/// themselves are left out, and clusters are formed from its pairs only.
pub(crate) fn dedup_focused<I>(
    docs: I,
    cfg: &Config,
    opts: RunOptions<'_>,
    focus: u32,
) -> Result<DedupOutput, Error>
where
    I: Iterator<Item = Result<Document, IngestError>>,
{
    run(docs, cfg, opts, Some(focus))
}

fn run<I>(
    docs: I,
    cfg: &Config,
    opts: RunOptions<'_>,
    focus: Option<u32>,
) -> Result<DedupOutput, Error>
where
    I: Iterator<Item = Result<Document, IngestError>>,
{
    let mut clock = std::time::Instant::now();
    let mut lap = |stats: &mut Stats, i: usize| {
        stats.phase_secs[i] = clock.elapsed().as_secs_f64();
        clock = std::time::Instant::now();
    };
    let mut corpus = Corpus::new(cfg, opts.models);
    let mut sketches = Sketches::new(cfg, false);
    corpus.read(docs, opts.on_bad, opts.progress, &mut sketches)?;
    lap(&mut corpus.stats, 0);
    let model = corpus.learn(&mut sketches)?;
    // What only learning needed goes before the candidate step.
    sketches.learner = CorpusModelBuilder::new(cfg.learn);
    sketches.same_sig = Vec::new();
    sketches.same_sig_file = None;
    lap(&mut corpus.stats, 1);
    (opts.progress)(Progress::Candidates);
    let mut pairs = corpus.candidates(&sketches.index)?;
    drop(sketches);
    if let Some(f) = focus {
        pairs.retain(|&(a, b)| a == f || b == f);
    }
    lap(&mut corpus.stats, 2);
    let verified = corpus.verify(&model, &pairs, opts.progress)?;
    (opts.progress)(Progress::Clustering);
    lap(&mut corpus.stats, 3);
    let (clusters, cluster_of, keep) = group(
        corpus.records.len(),
        &corpus.records,
        &group_pairs(&verified.pairs),
        &verified.evidences,
        &verified.containment,
        cfg,
        opts.keep,
        &|d| d,
    );
    lap(&mut corpus.stats, 4);
    Ok(DedupOutput {
        docs: corpus.records,
        pairs: verified.pairs,
        clusters,
        cluster_of,
        keep,
        stats: corpus.stats,
    })
}

/// The state of one `dedup` run, passed from stage to stage: what is kept of every document
/// (record, text in the store, static vector and translation terms) and the counters.
pub(crate) struct Corpus<'a> {
    pub(crate) cfg: &'a Config,
    /// Embedding models of the semantic layer (`None`: lexical only).
    pub(crate) models: Option<&'a Models>,
    /// Static document vectors (semantic layer, when the multilingual model is installed).
    pub(crate) statics: Option<StaticVectors<'a>>,
    pub(crate) hasher: MinHasher,
    pub(crate) records: Vec<DocRecord>,
    pub(crate) store: TextStore,
    /// Static vector of each document (semantic layer; centred per language by
    /// [`Corpus::candidates`]).
    pub(crate) vectors: Vec<Vec<f32>>,
    /// Translation terms of each document (semantic layer).
    pub(crate) terms: Vec<retold_text::TranslationTerms>,
    /// The slot of the document vectors, once they are ready for the cost cascade.
    pub(crate) doc_slot: Option<Slot>,
    pub(crate) stats: Stats,
}

/// What the first pass leaves for boilerplate learning and candidates.
pub(crate) struct Sketches {
    pub(crate) learner: CorpusModelBuilder,
    /// [`SAME_TEXT_SIG`] signature values per document (in memory; for batch runs up to a
    /// quarter of `Config::spill_bytes`, then in `same_sig_file`).
    pub(crate) same_sig: Vec<u32>,
    /// The signature values, once they outgrew their memory.
    pub(crate) same_sig_file: Option<crate::store::RowFile<SAME_TEXT_SIG>>,
    pub(crate) index: CandidateIndex,
    /// Line keys of each document, when kept (the live index needs them).
    pub(crate) keys: Option<Vec<Vec<u64>>>,
    /// Candidate keys may go to sorted runs on disk beyond `Config::key_buffer_bytes`: not
    /// for the live index, whose queries look keys up in memory.
    pub(crate) may_spill: bool,
}

impl Sketches {
    pub(crate) fn new(cfg: &Config, keep_keys: bool) -> Self {
        let lsh_params = LshParams::for_threshold(cfg.lsh_threshold, cfg.minhash.num_perm);
        Sketches {
            learner: CorpusModelBuilder::new(cfg.learn),
            same_sig: Vec::new(),
            same_sig_file: None,
            index: CandidateIndex {
                exact: Vec::new(),
                lsh: LshIndex::new(lsh_params),
                seeds: SeedIndex::new(),
                sentences: SeedIndex::new(),
                anchors: SeedIndex::new(),
            },
            keys: keep_keys.then(Vec::new),
            may_spill: !keep_keys,
        }
    }

    /// The [`SAME_TEXT_SIG`] signature values of document `i`.
    pub(crate) fn same_sig_of(&self, i: u32) -> &[u32] {
        &self.same_sig[i as usize * SAME_TEXT_SIG..(i as usize + 1) * SAME_TEXT_SIG]
    }
}

/// The candidate indexes the first pass fills.
pub(crate) struct CandidateIndex {
    /// Exact hash of each document with content.
    pub(crate) exact: Vec<(u64, u32)>,
    pub(crate) lsh: LshIndex,
    pub(crate) seeds: SeedIndex,
    pub(crate) sentences: SeedIndex,
    pub(crate) anchors: SeedIndex,
}

impl CandidateIndex {
    /// Heap bytes of the key entries held in memory (those [`CandidateIndex::spill`] moves).
    pub(crate) fn memory_bytes(&self) -> usize {
        self.lsh.memory_bytes()
            + self.seeds.memory_bytes()
            + self.sentences.memory_bytes()
            + self.anchors.memory_bytes()
    }

    /// Moves the key entries held in memory to sorted runs on disk.
    pub(crate) fn spill(&mut self) -> Result<(), retold_sketch::RunsError> {
        self.lsh.spill()?;
        self.seeds.spill()?;
        self.sentences.spill()?;
        self.anchors.spill()
    }

    /// Bytes on disk and runs, over every index.
    pub(crate) fn spilled(&self) -> (u64, usize) {
        [
            self.lsh.spilled(),
            self.seeds.spilled(),
            self.sentences.spilled(),
            self.anchors.spilled(),
        ]
        .into_iter()
        .fold((0, 0), |(b, n), (bytes, runs)| (b + bytes, n + runs))
    }
}

/// What verification leaves for grouping.
pub(crate) struct Verified {
    /// Pairs with a relation other than `unrelated` (or all, with `keep_unrelated`), sorted.
    pub(crate) pairs: Vec<PairResult>,
    /// Provenance evidence of every document in such a pair.
    pub(crate) evidences: AHashMap<u32, DocEvidence>,
    /// Containment of each such pair.
    pub(crate) containment: Vec<Containment>,
}

impl<'a> Corpus<'a> {
    pub(crate) fn new(cfg: &'a Config, models: Option<&'a Models>) -> Self {
        let models = models.filter(|m| cfg.semantic.enabled && m.any());
        Corpus {
            cfg,
            models,
            statics: models.and_then(|m| m.static_vectors(cfg.semantic.static_pieces)),
            hasher: MinHasher::new(cfg.minhash),
            records: Vec::new(),
            store: TextStore::new(cfg.spill_bytes),
            vectors: Vec::new(),
            terms: Vec::new(),
            doc_slot: None,
            stats: Stats::default(),
        }
    }

    /// Stage 1, read and fingerprint: streams the documents in batches, sketches each batch in
    /// parallel ([`sketch`]), fills the candidate indexes and the boilerplate learner, and
    /// stores the texts.
    pub(crate) fn read<I>(
        &mut self,
        docs: I,
        on_bad: &mut dyn FnMut(&IngestError) -> bool,
        progress: &(dyn Fn(Progress) + Sync),
        sk: &mut Sketches,
    ) -> Result<(), Error>
    where
        I: Iterator<Item = Result<Document, IngestError>>,
    {
        let cfg = self.cfg;
        let mut batch: Vec<Document> = Vec::with_capacity(cfg.batch_size);
        let mut docs = docs.peekable();
        loop {
            batch.clear();
            while batch.len() < cfg.batch_size {
                match docs.next() {
                    None => break,
                    Some(Ok(d)) => batch.push(d),
                    Some(Err(e)) => {
                        if on_bad(&e) {
                            self.stats.skipped += 1;
                        } else {
                            return Err(Error::Ingest(e));
                        }
                    }
                }
            }
            if batch.is_empty() {
                break;
            }
            let t = std::time::Instant::now();
            let (hasher, statics) = (&self.hasher, self.statics.as_ref());
            // Once texts go to disk, they are compressed here, in parallel with the sketches.
            let packing = self.store.spilled();
            let sketches: Vec<(Sketch, Option<std::io::Result<Vec<u8>>>)> = batch
                .par_iter()
                .map(|d| {
                    (
                        sketch(&d.text, cfg, hasher, statics, d.lang.as_deref(), &d.marked),
                        packing.then(|| TextStore::pack(&d.text)),
                    )
                })
                .collect();
            if self.statics.is_some() {
                // Share of the batch's time that went to static vectors is not separable from
                // the rest of the sketch; report the batch time of the runs that computed them.
                self.stats.doc_vectors.1 += t.elapsed().as_secs_f64();
            }
            for (d, (s, packed)) in batch.drain(..).zip(sketches) {
                self.add(d, s, packed.transpose()?, sk)?;
            }
            if sk.may_spill && sk.index.memory_bytes() > cfg.key_buffer_bytes {
                sk.index.spill()?;
            }
            self.stats.docs = self.records.len();
            progress(Progress::Reading {
                docs: self.stats.docs,
                bytes: self.stats.bytes,
            });
        }
        self.store.finish()?;
        self.stats.spilled = self.store.spilled();
        self.stats.spilled_text_bytes = self.store.spilled_bytes();
        Ok(())
    }

    /// Adds one sketched document to the run: its record, text (`packed`: already compressed
    /// by [`TextStore::pack`]), indexes and learner entry.
    pub(crate) fn add(
        &mut self,
        d: Document,
        mut s: Sketch,
        packed: Option<Vec<u8>>,
        sk: &mut Sketches,
    ) -> Result<(), Error> {
        let idx = self.records.len() as u32;
        if self.statics.is_some() {
            self.vectors.push(std::mem::take(&mut s.vector));
            self.terms.push(std::mem::take(&mut s.terms));
        }
        self.stats.bytes += d.text.len();
        sk.learner.observe(idx, d.source.as_deref(), &s.keys);
        if let Some(keys) = &mut sk.keys {
            keys.push(std::mem::take(&mut s.keys));
        }
        if s.tokens == 0 {
            self.stats.empty += 1;
            sk.same_sig
                .extend(std::iter::repeat_n(u32::MAX, SAME_TEXT_SIG));
        } else {
            let ix = &mut sk.index;
            ix.lsh.insert(idx, &s.sig);
            ix.anchors.insert(idx, &s.anchors);
            ix.seeds.insert(idx, &s.seeds);
            ix.sentences.insert(idx, &s.sentence_keys);
            ix.exact.push((s.exact, idx));
            sk.same_sig
                .extend_from_slice(&s.sig[..SAME_TEXT_SIG.min(s.sig.len())]);
            sk.same_sig.extend(std::iter::repeat_n(
                u32::MAX,
                SAME_TEXT_SIG.saturating_sub(s.sig.len()),
            ));
        }
        if sk.may_spill
            && (sk.same_sig_file.is_some() || sk.same_sig.len() * 4 > self.cfg.spill_bytes / 4)
        {
            let file = match &mut sk.same_sig_file {
                Some(f) => f,
                None => sk.same_sig_file.insert(crate::store::RowFile::new()?),
            };
            file.push(&sk.same_sig)?;
            sk.same_sig.clear();
        }
        self.records.push(DocRecord {
            id: d.id,
            date: d.date,
            source: d.source,
            lang: d.lang.filter(|l| !l.is_empty()).or(s.lang),
            bytes: d.text.len(),
            tokens: s.tokens,
            marked: d.marked,
        });
        match packed {
            Some(z) => self.store.push_packed(d.text, z)?,
            None => self.store.push(d.text)?,
        }
        Ok(())
    }

    /// Stage 2, learn boilerplate: lines that recur across documents that are otherwise
    /// different (near-copies, by MinHash, count once).
    pub(crate) fn learn(&mut self, sk: &mut Sketches) -> Result<CorpusModel, Error> {
        let t = self.cfg.learn_same_text;
        let model = match &mut sk.same_sig_file {
            None => sk
                .learner
                .build(&|x, y| jaccard_estimate(sk.same_sig_of(x), sk.same_sig_of(y)) >= t),
            Some(file) => {
                file.finish()?;
                let file = &*file;
                let failed: std::sync::Mutex<Option<std::io::Error>> = Default::default();
                let model = sk.learner.build(&|x, y| {
                    let (mut a, mut b) = ([0u32; SAME_TEXT_SIG], [0u32; SAME_TEXT_SIG]);
                    match file.get(x, &mut a).and_then(|()| file.get(y, &mut b)) {
                        Ok(()) => jaccard_estimate(&a, &b) >= t,
                        Err(e) => {
                            let mut f = failed.lock().unwrap_or_else(|e| e.into_inner());
                            f.get_or_insert(e);
                            false
                        }
                    }
                });
                if let Some(e) = failed.into_inner().unwrap_or_else(|e| e.into_inner()) {
                    return Err(e.into());
                }
                model
            }
        };
        self.stats.learned_lines = model.len();
        Ok(model)
    }

    /// Stage 3, candidates: exact-hash chains, LSH bands, shared passage seeds and sentence
    /// keys; with the semantic layer also shared anchor terms and nearest neighbours over the
    /// static document vectors (which it centres per language). Sorted, deduplicated pairs.
    pub(crate) fn candidates(&mut self, index: &CandidateIndex) -> Result<Vec<(u32, u32)>, Error> {
        let cfg = self.cfg;
        self.stats.spilled_keys = index.spilled();
        let CandidateIndex {
            exact,
            lsh,
            seeds,
            sentences,
            anchors,
        } = index;
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        let mut exact = exact.clone();
        exact.sort_unstable();
        for g in exact.chunk_by(|x, y| x.0 == y.0) {
            for w in g.windows(2) {
                pairs.push((w[0].1, w[1].1));
            }
        }
        self.stats.exact_pairs = pairs.len();
        // The three indexes side by side: a spilled seed or sentence index merges its runs
        // on one thread.
        let (lsh_pairs, (seed_pairs, sentence_pairs)) = rayon::join(
            || lsh.candidate_pairs(cfg.lsh_max_bucket),
            || {
                rayon::join(
                    || seeds.candidate_pairs(cfg.seed_min_shared, cfg.seed_max_df),
                    || sentences.candidate_pairs(cfg.sentence_key_min_shared, cfg.seed_max_df),
                )
            },
        );
        let (lsh_pairs, seed_pairs, sentence_pairs) = (lsh_pairs?, seed_pairs?, sentence_pairs?);
        self.stats.lsh_pairs = lsh_pairs.len();
        pairs.extend(lsh_pairs);
        self.stats.seed_pairs = seed_pairs.len();
        pairs.extend(seed_pairs.into_iter().map(|(a, b, _)| (a, b)));
        self.stats.sentence_pairs = sentence_pairs.len();
        pairs.extend(sentence_pairs.into_iter().map(|(a, b, _)| (a, b)));
        if self.statics.is_some() {
            let sp = &cfg.semantic;
            let anchor_pairs = anchors.candidate_pairs(sp.anchor_min_shared, sp.anchor_max_df)?;
            self.stats.anchor_pairs = anchor_pairs.len();
            pairs.extend(anchor_pairs.into_iter().map(|(a, b, _)| (a, b)));
            center_by_language(&mut self.vectors, &self.records, sp.language_prior);
            self.stats.doc_vectors.0 = self.vectors.iter().filter(|v| !v.is_empty()).count();
            let slot = Slot::Static;
            let min_sim = sp.for_slot(slot).ann_min_similarity;
            // Each document's nearest neighbours overall, and (translations) in the other
            // languages, whose nearest documents overall would crowd out.
            let mut langs: Vec<&str> = self
                .records
                .iter()
                .filter_map(|r| r.lang.as_deref())
                .collect();
            langs.sort_unstable();
            langs.dedup();
            let group: Vec<u32> = self
                .records
                .iter()
                .map(|r| {
                    r.lang
                        .as_deref()
                        .and_then(|l| langs.binary_search(&l).ok())
                        .map_or(u32::MAX, |g| g as u32)
                })
                .collect();
            let k_across = if langs.len() > 1 { sp.ann_k_across } else { 0 };
            let ann_pairs = neighbour_pairs(&self.vectors, &group, sp.ann_k, k_across, min_sim);
            self.doc_slot = Some(slot);
            self.stats.ann_pairs = ann_pairs.len();
            pairs.extend(ann_pairs.into_iter().map(|(a, b, _)| (a, b)));
        }
        pairs.sort_unstable();
        pairs.dedup();
        self.stats.candidates = pairs.len();
        Ok(pairs)
    }

    /// Stage 4, verify: every candidate pair, chunk by chunk in parallel, is aligned and
    /// classified ([`analyze`]), then goes through the semantic layer's cost cascade
    /// ([`semantic_chunk`]). Documents are prepared with the learned boilerplate once and kept
    /// for later chunks as far as `Config::prepared_cache_bytes` allows ([`DocCache`]).
    pub(crate) fn verify(
        &mut self,
        model: &CorpusModel,
        pairs: &[(u32, u32)],
        progress: &(dyn Fn(Progress) + Sync),
    ) -> Result<Verified, Error> {
        let cfg = self.cfg;
        let chunk_len = cfg.pair_chunk.max(1);
        let mut out = Verified {
            pairs: Vec::new(),
            evidences: AHashMap::new(),
            containment: Vec::new(),
        };
        let mut cache = DocCache::new(
            self.records.len(),
            pairs,
            chunk_len,
            cfg.prepared_cache_bytes,
        );
        let total = pairs.len();
        let (records, store) = (&self.records, &self.store);
        let prepare = |i: u32| -> Result<Doc, Error> {
            let text = store.get(i)?;
            let r = &records[i as usize];
            Ok(Doc::new(prepare_with(
                &text,
                r.source.as_deref(),
                model,
                r.lang.as_deref(),
                &r.marked,
                false,
            )))
        };
        for (ci, chunk) in pairs.chunks(chunk_len).enumerate() {
            let mut ids: Vec<u32> = chunk.iter().flat_map(|&(a, b)| [a, b]).collect();
            ids.sort_unstable();
            ids.dedup();
            let docs = cache.get(&ids, &prepare)?;
            let pos = |i: u32| ids.binary_search(&i).expect("id prepared");
            let mut analyses: Vec<PairAnalysis> = chunk
                .par_iter()
                .map(|&(a, b)| analyze(&docs[pos(a)].prep, &docs[pos(b)].prep, cfg))
                .collect();
            if let Some(models) = self.models {
                let t = std::time::Instant::now();
                let gate = self.doc_slot.map(|s| (self.vectors.as_slice(), s));
                let sem = semantic_chunk(
                    chunk,
                    &mut analyses,
                    &ids,
                    &docs,
                    records,
                    models,
                    gate,
                    &self.terms,
                    cfg,
                )?;
                let stats = &mut self.stats;
                stats.cascade.add(&sem);
                stats.semantic_pairs = stats.cascade.transformer_pairs;
                stats.sentences_embedded = stats.cascade.transformer_sentences;
                stats.embed_secs += t.elapsed().as_secs_f64();
            }
            for (&(a, b), an) in chunk.iter().zip(analyses) {
                if an.relation == Relation::Unrelated {
                    // Kept for `eval --dump-pairs` only: never evidence for grouping (the
                    // clusters must not depend on whether pairs are dumped).
                    if cfg.keep_unrelated {
                        out.pairs.push(PairResult { a, b, analysis: an });
                    }
                    continue;
                }
                for i in [a, b] {
                    out.evidences.entry(i).or_insert_with(|| {
                        evidence(&docs[pos(i)].prep, records[i as usize].date.as_deref())
                    });
                }
                out.containment.push(an.containment(a, b));
                out.pairs.push(PairResult { a, b, analysis: an });
            }
            cache.keep(ci as u32, &ids, &docs);
            progress(Progress::Verifying {
                done: (ci * chunk_len + chunk.len()).min(total),
                total,
            });
        }
        Ok(out)
    }
}

/// A document prepared for verification, with what the semantic layer computes of it.
pub(crate) struct Doc {
    prep: Prepared,
    /// Its units and their transformer embeddings, per model ([`slot_index`]), once embedded.
    embedded: [OnceLock<(Units, Vec<Vec<f32>>)>; 3],
}

impl Doc {
    fn new(prep: Prepared) -> Self {
        Doc {
            prep,
            embedded: Default::default(),
        }
    }

    /// Bytes held on the heap, for the cache's budget.
    fn heap_bytes(&self) -> usize {
        let embedded: usize = self
            .embedded
            .iter()
            .filter_map(OnceLock::get)
            .map(|(u, e)| {
                u.texts.iter().map(String::capacity).sum::<usize>()
                    + u.spans.capacity() * 8
                    + e.iter().map(|v| v.capacity() * 4).sum::<usize>()
            })
            .sum();
        std::mem::size_of::<Doc>() + self.prep.heap_bytes() + embedded
    }
}

/// Index of a model slot in [`Doc::embedded`].
fn slot_index(s: Slot) -> usize {
    match s {
        Slot::English => 0,
        Slot::Multilingual => 1,
        Slot::Static => 2,
    }
}

/// Prepared documents kept from one chunk of pairs to the next: a document stays while a
/// later chunk needs it and the byte budget allows; it is dropped after the last chunk that
/// needs it. What is kept only saves work: the results are the same with any budget.
struct DocCache {
    docs: Vec<Option<(Arc<Doc>, usize)>>,
    /// Index of the last chunk that needs each document.
    last_use: Vec<u32>,
    bytes: usize,
    budget: usize,
}

impl DocCache {
    fn new(n: usize, pairs: &[(u32, u32)], chunk_len: usize, budget: usize) -> Self {
        let mut last_use = vec![0u32; n];
        for (ci, chunk) in pairs.chunks(chunk_len.max(1)).enumerate() {
            for &(a, b) in chunk {
                last_use[a as usize] = ci as u32;
                last_use[b as usize] = ci as u32;
            }
        }
        DocCache {
            docs: vec![None; n],
            last_use,
            bytes: 0,
            budget,
        }
    }

    /// The documents `ids` (sorted), those not kept prepared in parallel by `prepare`.
    fn get(
        &self,
        ids: &[u32],
        prepare: &(dyn Fn(u32) -> Result<Doc, Error> + Sync),
    ) -> Result<Vec<Arc<Doc>>, Error> {
        let missing: Vec<u32> = ids
            .iter()
            .copied()
            .filter(|&i| self.docs[i as usize].is_none())
            .collect();
        let made: Vec<Result<Doc, Error>> = missing.par_iter().map(|&i| prepare(i)).collect();
        let mut made = made.into_iter();
        let mut out = Vec::with_capacity(ids.len());
        for &i in ids {
            match &self.docs[i as usize] {
                Some((d, _)) => out.push(Arc::clone(d)),
                None => out.push(Arc::new(made.next().expect("one per missing id")?)),
            }
        }
        Ok(out)
    }

    /// After chunk `ci` (its documents `ids` and `docs`): drops what no later chunk needs and
    /// keeps the rest within the budget.
    fn keep(&mut self, ci: u32, ids: &[u32], docs: &[Arc<Doc>]) {
        for (&i, d) in ids.iter().zip(docs) {
            let slot = &mut self.docs[i as usize];
            if self.last_use[i as usize] <= ci {
                if let Some((_, b)) = slot.take() {
                    self.bytes -= b;
                }
            } else if slot.is_none() {
                let b = d.heap_bytes();
                if self.bytes + b <= self.budget {
                    *slot = Some((Arc::clone(d), b));
                    self.bytes += b;
                }
            }
        }
    }
}

/// The model slot and language relation of a pair, from the documents' languages.
fn pair_slot(records: &[DocRecord], models: &Models, a: u32, b: u32) -> Option<(Slot, bool)> {
    let (la, lb) = (
        records[a as usize].lang.as_deref(),
        records[b as usize].lang.as_deref(),
    );
    let cross = matches!((la, lb), (Some(x), Some(y)) if x != y);
    models.slot_for(la, lb).map(|s| (s, cross))
}

/// Runs the semantic layer on the pairs of a chunk whose lexical relation is not already
/// final: every such pair gets its document-vector similarity (`gate`: the vectors and their
/// slot) and the anchor veto; those its [`PairPlan`] aligns also get their sentences aligned,
/// with the units of the documents involved embedded once per model and run (kept with the
/// document, [`Doc::embedded`]), those of this chunk in one batch per model.
#[allow(clippy::too_many_arguments)]
fn semantic_chunk(
    chunk: &[(u32, u32)],
    analyses: &mut [PairAnalysis],
    ids: &[u32],
    docs: &[Arc<Doc>],
    records: &[DocRecord],
    models: &Models,
    gate: Option<(&[Vec<f32>], Slot)>,
    terms: &[retold_text::TranslationTerms],
    cfg: &Config,
) -> Result<Cascade, Error> {
    let sp = &cfg.semantic;
    let pos = |i: u32| ids.binary_search(&i).expect("id prepared");
    let mut cascade = Cascade {
        pairs: chunk.len(),
        ..Cascade::default()
    };
    let Some((vectors, doc_slot)) = gate else {
        return Ok(cascade);
    };
    let no_terms = retold_text::TranslationTerms::default();
    let terms_of = |d: u32| terms.get(d as usize).unwrap_or(&no_terms);
    let plans: Vec<(usize, PairPlan)> = chunk
        .iter()
        .enumerate()
        .filter_map(|(k, &(a, b))| {
            let (slot, cross) = pair_slot(records, models, a, b)?;
            let sim = lead_similarity(&vectors[a as usize], &vectors[b as usize]);
            let veto = cross
                && terms_contradict(
                    terms_of(a),
                    terms_of(b),
                    &|_| true,
                    sp.anchor_veto_min,
                    sp.anchor_veto_share,
                );
            let plan = PairPlan::new(&analyses[k], slot, doc_slot, cross, sim, veto, sp)?;
            Some((k, plan.relation_only(&analyses[k])))
        })
        .collect();
    cascade.lexical_final = chunk.len() - plans.len();
    for (_, p) in &plans {
        if p.align {
            cascade.transformer_pairs += 1;
        } else if p.anchor_veto {
            cascade.anchor_vetoed += 1;
        } else {
            cascade.cheap_decided += 1;
        }
    }
    // Which documents need which model and are not embedded by it yet.
    let mut fresh: Vec<(Slot, u32)> = plans
        .iter()
        .filter(|(_, p)| p.align)
        .flat_map(|&(k, p)| [(p.slot, chunk[k].0), (p.slot, chunk[k].1)])
        .filter(|&(s, d)| docs[pos(d)].embedded[slot_index(s)].get().is_none())
        .collect();
    fresh.sort_unstable();
    fresh.dedup();
    cascade.transformer_docs = fresh.len();
    let mut unit_list: Vec<Units> = fresh
        .par_iter()
        .map(|&(_, d)| units(&docs[pos(d)].prep))
        .collect();
    for slot in [Slot::English, Slot::Multilingual] {
        let members: Vec<usize> = (0..fresh.len()).filter(|&i| fresh[i].0 == slot).collect();
        let texts: Vec<&str> = members
            .iter()
            .flat_map(|&i| unit_list[i].texts.iter().map(String::as_str))
            .collect();
        let vecs = if texts.is_empty() {
            Vec::new()
        } else {
            cascade.transformer_sentences += texts.len();
            models.embed(slot, &texts)?
        };
        let mut vecs = vecs.into_iter();
        let embs: Vec<Vec<Vec<f32>>> = members
            .iter()
            .map(|&i| vecs.by_ref().take(unit_list[i].texts.len()).collect())
            .collect();
        for (&i, emb) in members.iter().zip(embs) {
            let u = std::mem::take(&mut unit_list[i]);
            // Only documents without this model's embeddings are in `fresh`.
            let _ = docs[pos(fresh[i].1)].embedded[slot_index(slot)].set((u, emb));
        }
    }
    let done: Vec<(usize, PairAnalysis)> = plans
        .par_iter()
        .map(|&(k, plan)| {
            let (a, b) = chunk[k];
            let (da, db) = (&docs[pos(a)], &docs[pos(b)]);
            let input = plan.input(|| (sem_side(da, plan.slot), sem_side(db, plan.slot)));
            let mut an = analyses[k].clone();
            add_semantic(&mut an, &da.prep, &db.prep, input, cfg);
            (k, an)
        })
        .collect();
    for (k, an) in done {
        analyses[k] = an;
    }
    Ok(cascade)
}

/// A document's side of the sentence aligner: its units embedded by `slot`'s model.
fn sem_side(d: &Doc, slot: Slot) -> SemSide<'_> {
    let (units, emb) = d.embedded[slot_index(slot)].get().expect("units embedded");
    SemSide {
        units,
        emb,
        tokens: d.prep.tokens.len(),
    }
}

/// Centres static document vectors per language (see `SemanticParams::language_prior`) and
/// normalises them again. Documents without a language form one group.
fn center_by_language(vectors: &mut [Vec<f32>], records: &[DocRecord], prior: f32) {
    let means = language_means(vectors, records, prior);
    vectors.par_iter_mut().zip(records).for_each(|(v, r)| {
        if let Some(m) = means.get(&r.lang) {
            center(v, m);
        }
    });
}

/// The mean static vector of each language (documents without one form one group), with
/// `prior` phantom zero vectors in each (see `SemanticParams::language_prior`).
pub(crate) fn language_means(
    vectors: &[Vec<f32>],
    records: &[DocRecord],
    prior: f32,
) -> AHashMap<Option<String>, Vec<f32>> {
    let mut sums: AHashMap<Option<String>, (Vec<f32>, f32)> = AHashMap::new();
    for (v, r) in vectors.iter().zip(records) {
        if v.is_empty() {
            continue;
        }
        let e = sums
            .entry(r.lang.clone())
            .or_insert_with(|| (vec![0.0; v.len()], prior));
        e.0.iter_mut().zip(v).for_each(|(m, x)| *m += x);
        e.1 += 1.0;
    }
    sums.into_iter()
        .map(|(l, (mut m, n))| {
            m.iter_mut().for_each(|x| *x /= n);
            (l, m)
        })
        .collect()
}

/// Subtracts `mean` from `v` and normalises it again (an all-zero result is cleared).
pub(crate) fn center(v: &mut Vec<f32>, mean: &[f32]) {
    if v.is_empty() {
        return;
    }
    v.iter_mut().zip(mean).for_each(|(x, m)| *x -= m);
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    } else {
        v.clear();
    }
}

/// What grouping needs of a verified pair: its relation and the weight of its edge.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GroupPair {
    /// First document (index).
    pub a: u32,
    /// Second document.
    pub b: u32,
    /// The pair's relation.
    pub relation: Relation,
    /// Edge weight: 1 for exact copies, else confidence × (0.5 + 0.5 × the smaller coverage).
    pub weight: f32,
}

impl GroupPair {
    /// The grouping view of a verified pair.
    pub fn of(p: &PairResult) -> Self {
        let f = &p.analysis.features;
        let weight = if p.analysis.exact {
            1.0
        } else {
            p.analysis.confidence * (0.5 + 0.5 * f.coverage_a.min(f.coverage_b))
        };
        GroupPair {
            a: p.a,
            b: p.b,
            relation: p.analysis.relation,
            weight,
        }
    }
}

/// The grouping view of every pair.
pub(crate) fn group_pairs(pairs: &[PairResult]) -> Vec<GroupPair> {
    pairs.iter().map(GroupPair::of).collect()
}

/// Clusters, stories, provenance and keep-list of documents `0..n`, which are numbered
/// `number(d)` in the whole corpus (increasing in `d`; the identity for a whole corpus):
/// provenance reasons name those numbers.
#[allow(clippy::too_many_arguments)]
pub(crate) fn group(
    n: usize,
    records: &[DocRecord],
    pairs: &[GroupPair],
    evidences: &AHashMap<u32, DocEvidence>,
    containment: &[Containment],
    cfg: &Config,
    policy: KeepPolicy,
    number: &dyn Fn(u32) -> u32,
) -> (Vec<ClusterResult>, Vec<Option<u32>>, Vec<u32>) {
    let edge = |p: &GroupPair| Edge {
        a: p.a,
        b: p.b,
        weight: p.weight,
    };
    let edges: Vec<Edge> = pairs
        .iter()
        .filter(|p| p.relation.is_cluster_edge())
        .map(edge)
        .collect();
    let links: Vec<Edge> = pairs
        .iter()
        .filter(|p| matches!(p.relation, Relation::Partial | Relation::Related))
        .map(edge)
        .collect();
    let roots = retold_cluster::cluster(n, &edges, cfg.guard);
    let story_roots = retold_cluster::stories(n, &roots, &links, cfg.guard);

    // Members per root, in input order.
    let mut members: AHashMap<u32, Vec<u32>> = AHashMap::new();
    for (i, &r) in roots.iter().enumerate() {
        members.entry(r).or_default().push(i as u32);
    }
    let mut multi: Vec<(u32, Vec<u32>)> =
        members.into_iter().filter(|(_, m)| m.len() >= 2).collect();
    multi.sort_unstable_by_key(|(r, _)| *r);

    // Relation of each cluster from its internal edges.
    let mut rel_counts: AHashMap<u32, [usize; 3]> = AHashMap::new();
    for p in pairs {
        if roots[p.a as usize] == roots[p.b as usize] && p.relation.is_cluster_edge() {
            let c = rel_counts.entry(roots[p.a as usize]).or_default();
            match p.relation {
                Relation::Duplicate => c[0] += 1,
                Relation::Rewrite => c[1] += 1,
                _ => c[2] += 1,
            }
        }
    }
    // Containment records inside each cluster, by cluster root.
    let mut contained_in: AHashMap<u32, Vec<Containment>> = AHashMap::new();
    for c in containment {
        let r = roots[c.a as usize];
        if r == roots[c.b as usize] {
            contained_in.entry(r).or_default().push(*c);
        }
    }
    let mut story_names: AHashMap<u32, String> = AHashMap::new();
    let mut cluster_of = vec![None; n];
    let no_evidence = DocEvidence::default();
    let clusters: Vec<ClusterResult> = multi
        .into_iter()
        .enumerate()
        .map(|(k, (root, docs))| {
            for &d in &docs {
                cluster_of[d as usize] = Some(k as u32);
            }
            let c = rel_counts.get(&root).copied().unwrap_or_default();
            let relation = if c[2] > 0 {
                Relation::Translation
            } else if c[1] > 0 {
                Relation::Rewrite
            } else {
                Relation::Duplicate
            };
            let inside: &[Containment] = contained_in.get(&root).map_or(&[], Vec::as_slice);
            // Provenance sees (and its reasons name) the documents' numbers in the corpus.
            let numbered: Vec<u32> = docs.iter().map(|&d| number(d)).collect();
            let local = |g: u32| docs[numbered.binary_search(&g).expect("a member")];
            let inside: Vec<Containment> = inside
                .iter()
                .map(|c| Containment {
                    a: number(c.a),
                    b: number(c.b),
                    ..*c
                })
                .collect();
            let evidence = |g: u32| {
                let d = local(g);
                let mut e = evidences
                    .get(&d)
                    .cloned()
                    .unwrap_or_else(|| no_evidence.clone());
                let r = &records[d as usize];
                if e.date.is_none() {
                    e.date = r.date.clone();
                }
                if e.lang.is_none() {
                    e.lang = r.lang.clone();
                }
                e
            };
            // Votes name corpus numbers; a whole-corpus run (eval) numbers by identity.
            let (prov, provenance_input) = if cfg.keep_provenance_input {
                let input = retold_cluster::ProvenanceInput::new(&numbered, &evidence, &inside);
                (input.decide(&Default::default()), Some(input))
            } else {
                (
                    retold_cluster::provenance(&numbered, &evidence, &inside),
                    None,
                )
            };
            let original = prov.original.map(local);
            let sr = story_roots[docs[0] as usize];
            let next = story_names.len() + 1;
            let story = story_names
                .entry(sr)
                .or_insert_with(|| format!("s{next}"))
                .clone();
            ClusterResult {
                name: format!("c{}", k + 1),
                docs,
                relation,
                original,
                original_reason: prov.reason,
                story,
                provenance_input,
            }
        })
        .collect();
    let lengths: Vec<usize> = records.iter().map(|r| r.tokens as usize).collect();
    let originals: AHashMap<u32, Option<u32>> = clusters
        .iter()
        .map(|c| (roots[c.docs[0] as usize], c.original))
        .collect();
    let keep = retold_cluster::keep_list(&roots, policy, &lengths, &|c| {
        originals.get(&c).copied().flatten()
    });
    (clusters, cluster_of, keep)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_keys_match_retold_clean() {
        for text in [
            "Title line\n\n  Body, with words.  \n\n---\nLast line",
            "",
            "one\ntwo\n\n\nthree four",
            "\u{5317}\u{7EA6} NATO\nÜber café",
        ] {
            let expect: Vec<u64> = retold_clean::line_keys(text)
                .into_iter()
                .map(|(_, k)| k)
                .collect();
            assert_eq!(line_keys_of(text, &tokenize(text)), expect, "{text:?}");
        }
    }

    fn doc(text: &str) -> Doc {
        Doc::new(crate::prepare::prepare(
            text,
            None,
            &CorpusModel::empty(),
            Some("en"),
        ))
    }

    #[test]
    fn doc_cache_prepares_each_document_once_within_budget() {
        // Chunks of one pair: doc 0 is last needed by chunk 1, docs 1 and 2 by chunk 2.
        let pairs = [(0u32, 1u32), (0, 2), (1, 2)];
        for (budget, expect) in [(usize::MAX, 3), (0, 6)] {
            let mut cache = DocCache::new(3, &pairs, 1, budget);
            let made = std::sync::atomic::AtomicUsize::new(0);
            let prepare = |i: u32| -> Result<Doc, Error> {
                made.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Ok(doc(&format!("Document number {i} has a few words in it.")))
            };
            for (ci, &(a, b)) in pairs.iter().enumerate() {
                let ids = [a, b];
                let docs = cache.get(&ids, &prepare).unwrap();
                assert!(docs[0].prep.norm.text().contains(&format!("number {a} ")));
                cache.keep(ci as u32, &ids, &docs);
            }
            assert_eq!(made.into_inner(), expect, "budget {budget}");
            // Nothing is kept after the last chunk that needs it.
            assert!(cache.docs.iter().all(Option::is_none));
            assert_eq!(cache.bytes, 0);
        }
    }

    /// The stages give the same pairs and clusters whatever the chunking and cache budget.
    #[test]
    fn dedup_is_the_same_with_any_chunking_and_cache() {
        let base = "The council approved the new budget on Tuesday after a long debate about \
                    roads, schools and the harbour. Critics said the plan was rushed.";
        let texts = [
            base.to_string(),
            format!("{base} Reporting by a wire service."),
            "A completely different story about a football match that ended in a draw after \
             extra time and penalties in the rain."
                .to_string(),
            base.replace("Tuesday", "Wednesday"),
            base.to_string(),
        ];
        let run = |pair_chunk: usize, cache: usize| {
            let cfg = Config {
                pair_chunk,
                prepared_cache_bytes: cache,
                ..Config::default()
            };
            let docs = texts.iter().enumerate().map(|(i, t)| {
                Ok(Document::new(
                    format!("d{i}"),
                    t.clone(),
                    retold_ingest::Origin::file("test"),
                ))
            });
            let out = dedup(
                docs,
                &cfg,
                RunOptions {
                    keep: KeepPolicy::Original,
                    on_bad: &mut |_| false,
                    progress: &|_| {},
                    models: None,
                },
            )
            .unwrap();
            let pairs: Vec<(u32, u32, Relation)> = out
                .pairs
                .iter()
                .map(|p| (p.a, p.b, p.analysis.relation))
                .collect();
            let clusters: Vec<Vec<u32>> = out.clusters.iter().map(|c| c.docs.clone()).collect();
            (pairs, clusters, out.keep)
        };
        let first = run(8192, 256 << 20);
        assert!(
            first.1.iter().any(|c| c.contains(&0) && c.contains(&4)),
            "{first:?}"
        );
        for (chunk, cache) in [(1, 256 << 20), (1, 0), (2, 1 << 12)] {
            assert_eq!(run(chunk, cache), first, "chunk {chunk}, cache {cache}");
        }
    }
}
