//! The stages of [`dedup`](crate::dedup) as functions of their own inputs, for runs that
//! spread one corpus over many machines (the Spark job of the Python package,
//! `python -m retold.spark`). Each function needs only what a distributed engine can bring
//! together by a shuffle on one key; composed, they give exactly `dedup`'s pairs, clusters and
//! keep-list with the lexical layer (see [`run_composed`], tested against `dedup`).
//!
//! 1. **Sketch** each document alone ([`Sketcher::sketch`]): its candidate keys, line keys
//!    (global and per source) and the signature values used to tell near copies apart.
//! 2. **Learn** boilerplate per line key: a key's document count and its
//!    [`LearnParams::sample_size`](retold_clean::LearnParams::sample_size) smallest document
//!    numbers, decided by [`learned_sets`]; the learned keys make the model
//!    ([`model_from_keys`]).
//! 3. **Candidates** per candidate key: the documents sharing it, paired by the key kind's
//!    [`PairRule`] ([`key_pairs`]); pairs of [`PairRule::Shared`] keys count their shared
//!    keys and need `min_shared` of them. Distributed: postings shuffled by key
//!    ([`key_part`]) give direct pairs and the lists of shared keys ([`key_pair_items`]),
//!    shuffled on by the pairs' smaller documents ([`doc_part`]) to be counted
//!    ([`candidates_of`]).
//! 4. **Verify** each candidate pair with both documents' texts ([`verify_pairs`]).
//! 5. **Group** each connected component of the verified pairs alone
//!    ([`group_component`]), then name clusters and stories in corpus order
//!    ([`name_groups`]).
//!
//! Documents are numbered by their position in the input (`u32`), as in `dedup`. The semantic
//! layer (static vectors, nearest neighbours, sentence embeddings) is not covered: its
//! nearest-neighbour candidates and per-language centring need the whole corpus's vectors.

use crate::analyze::analyze;
use crate::config::Config;
use crate::evidence::evidence;
use crate::pipeline::{
    group, sketch, ClusterResult, DocRecord, GroupPair, PairResult, SAME_TEXT_SIG,
};
use crate::prepare::{prepare_with, Prepared};
use crate::relation::Relation;
use ahash::AHashMap;
use rayon::prelude::*;
use retold_clean::{recurs_in_groups, source_line_keys};
/// The types of the stages' inputs and results that come from the lower crates.
pub use retold_clean::{CorpusModel, LearnedSet};
use retold_cluster::KeepPolicy;
pub use retold_cluster::{Containment, DocEvidence};
use retold_ingest::Document;
use retold_sketch::{jaccard_estimate, pack_pair, shared_pairs, LshParams, MinHasher, EMPTY_BIN};

/// Candidate key kind: the exact hash of the content.
pub const KEY_EXACT: u32 = 0;
/// Candidate key kind: a winnowed passage seed.
pub const KEY_SEED: u32 = 1;
/// Candidate key kind: a sentence key (reworded passages).
pub const KEY_SENTENCE: u32 = 2;
/// Candidate key kind of LSH band 0; band `i` is `KEY_BAND + i`.
pub const KEY_BAND: u32 = 16;

/// How the documents sharing one candidate key are paired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairRule {
    /// Consecutive documents (in input order) are paired: `(d₀,d₁), (d₁,d₂), …` (exact hashes).
    Chain,
    /// All pairs when at most `max` documents share the key, else consecutive ones (LSH bands).
    Bucket {
        /// Largest bucket paired completely.
        max: usize,
    },
    /// All pairs when at most `max_df` documents share the key, none above; a pair is a
    /// candidate when it shares at least `min_shared` keys of this kind (seeds, sentence keys).
    Shared {
        /// Most documents a key may have.
        max_df: usize,
        /// Keys a pair must share.
        min_shared: usize,
    },
}

/// The rule of candidate key kind `kind` under `cfg`.
pub fn pair_rule(kind: u32, cfg: &Config) -> PairRule {
    match kind {
        KEY_EXACT => PairRule::Chain,
        KEY_SEED => PairRule::Shared {
            max_df: cfg.seed_max_df,
            min_shared: cfg.seed_min_shared.max(1),
        },
        KEY_SENTENCE => PairRule::Shared {
            max_df: cfg.seed_max_df,
            min_shared: cfg.sentence_key_min_shared.max(1),
        },
        _ => PairRule::Bucket {
            max: cfg.lsh_max_bucket,
        },
    }
}

/// Appends to `out` the pairs `(a, b)`, `a < b`, that `rule` makes of the documents `docs`
/// sharing one key (ascending, unique). For [`PairRule::Shared`] each pair is one shared key,
/// still to be counted against `min_shared`.
pub fn key_pairs(rule: PairRule, docs: &[u32], out: &mut Vec<(u32, u32)>) {
    let all = |out: &mut Vec<(u32, u32)>| {
        for (i, &a) in docs.iter().enumerate() {
            out.extend(docs[i + 1..].iter().map(|&b| (a, b)));
        }
    };
    let chain = |out: &mut Vec<(u32, u32)>| out.extend(docs.windows(2).map(|w| (w[0], w[1])));
    match rule {
        _ if docs.len() < 2 => {}
        PairRule::Chain => chain(out),
        PairRule::Bucket { max } if docs.len() <= max => all(out),
        PairRule::Bucket { .. } => chain(out),
        PairRule::Shared { max_df, .. } if docs.len() <= max_df => all(out),
        PairRule::Shared { .. } => {}
    }
}

/// One candidate-key posting: document `doc` holds key `key` of kind `kind`. Ordered by key,
/// kind, document (so one key's documents are adjacent and ascending); 16 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Posting {
    /// The key.
    pub key: u64,
    /// The key's kind ([`KEY_EXACT`], [`KEY_SEED`], [`KEY_SENTENCE`], `KEY_BAND + band`).
    pub kind: u32,
    /// The document's number.
    pub doc: u32,
}

/// Which of `parts` shuffle partitions the postings of key `(kind, key)` go to: all
/// documents of one key must meet in one partition for [`key_pair_items`].
pub fn key_part(kind: u32, key: u64, parts: u32) -> u32 {
    // Keys are hashes already; mixing the kind in keeps equal values of different kinds
    // apart, and the multiply spreads the high bits used by the range reduction.
    let h = (key ^ u64::from(kind).wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_mul(0xD6E8_FEB8_6659_FD93);
    ((u128::from(h >> 32) * u128::from(parts.max(1))) >> 32) as u32
}

/// Which of `parts` shuffle partitions counts the pairs whose smaller member is `doc`.
pub fn doc_part(doc: u32, parts: u32) -> u32 {
    key_part(0, u64::from(doc), parts)
}

/// What one candidate key gives: the pairs its kind's rule makes of its documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyPairs {
    /// One pair `[a, b]`, `a < b`, a candidate already (exact hashes, LSH bands).
    Direct([u32; 2]),
    /// The documents (ascending, 2 to `max_df` of them) of a seed or sentence key of kind
    /// `kind`: every pair of them shares the key, and is a candidate when it shares
    /// `min_shared` keys of the kind.
    Shared {
        /// [`KEY_SEED`] or [`KEY_SENTENCE`].
        kind: u32,
        /// The key's documents.
        docs: Vec<u32>,
    },
}

impl KeyPairs {
    /// The documents that are the smaller member of some pair: whoever counts the pairs of
    /// such a document needs this item.
    pub fn firsts(&self) -> &[u32] {
        match self {
            KeyPairs::Direct(p) => &p[..1],
            KeyPairs::Shared { docs, .. } => &docs[..docs.len().saturating_sub(1)],
        }
    }
}

/// The [`KeyPairs`] of the keys of `postings`, each key's documents paired by its kind's rule
/// ([`key_pairs`]), and the most documents one key has. Every posting of a key must be in
/// `postings` (one shuffle partition by [`key_part`]). Sorts `postings`.
pub fn key_pair_items(postings: &mut [Posting], cfg: &Config) -> (Vec<KeyPairs>, usize) {
    postings.sort_unstable();
    let mut out = Vec::new();
    let mut largest = 0;
    let (mut docs, mut pairs) = (Vec::new(), Vec::new());
    for group in postings.chunk_by(|x, y| x.kind == y.kind && x.key == y.key) {
        let kind = group[0].kind;
        docs.clear();
        docs.extend(group.iter().map(|p| p.doc));
        docs.dedup();
        largest = largest.max(docs.len());
        if docs.len() < 2 {
            continue;
        }
        match pair_rule(kind, cfg) {
            PairRule::Shared { max_df, .. } if docs.len() <= max_df => out.push(KeyPairs::Shared {
                kind,
                docs: docs.clone(),
            }),
            PairRule::Shared { .. } => {}
            rule => {
                pairs.clear();
                key_pairs(rule, &docs, &mut pairs);
                out.extend(pairs.iter().map(|&(a, b)| KeyPairs::Direct([a, b])));
            }
        }
    }
    (out, largest)
}

/// The candidate pairs `(a, b)` (sorted, unique) whose smaller member `a` satisfies `mine`,
/// from `items` that hold every [`KeyPairs`] with such a document among its
/// [`firsts`](KeyPairs::firsts) (one shuffle partition by the smaller document): direct
/// pairs, and pairs sharing at least `min_shared` keys of a shared kind.
pub fn candidates_of(
    items: &[KeyPairs],
    mine: impl Fn(u32) -> bool,
    cfg: &Config,
) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    let mut shared: [Vec<u64>; 2] = Default::default();
    for item in items {
        match item {
            KeyPairs::Direct([a, b]) => {
                if mine(*a) {
                    out.push((*a, *b));
                }
            }
            KeyPairs::Shared { kind, docs } => {
                let keys = &mut shared[usize::from(*kind == KEY_SENTENCE)];
                for (i, &a) in docs.iter().enumerate() {
                    if mine(a) {
                        keys.extend(docs[i + 1..].iter().map(|&b| pack_pair(a, b)));
                    }
                }
            }
        }
    }
    for (keys, kind) in shared.iter_mut().zip([KEY_SEED, KEY_SENTENCE]) {
        let min_shared = match pair_rule(kind, cfg) {
            PairRule::Shared { min_shared, .. } => min_shared,
            _ => 1,
        };
        keys.sort_unstable();
        out.extend(shared_pairs(keys, min_shared).map(|(a, b, _)| (a, b)));
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// What one document contributes to a distributed run.
#[derive(Debug, Clone, PartialEq)]
pub struct DocSketch {
    /// Content tokens after cue boilerplate (0: the document has no content and no keys).
    pub tokens: u32,
    /// Candidate keys `(kind, key)`, sorted and unique: [`KEY_EXACT`], [`KEY_SEED`],
    /// [`KEY_SENTENCE`] and `KEY_BAND + band`.
    pub keys: Vec<(u32, u64)>,
    /// Line keys (sorted, unique), counted corpus-wide.
    pub lines: Vec<u64>,
    /// Line keys within the document's source (sorted, unique; empty without a source).
    pub source_lines: Vec<u64>,
    /// The first signature values, to tell near copies apart while learning boilerplate
    /// (compare two with [`same_text`]).
    pub same_sig: Vec<u32>,
}

/// Sketches documents one at a time with a run's configuration.
#[derive(Debug)]
pub struct Sketcher<'a> {
    cfg: &'a Config,
    hasher: MinHasher,
    lsh: LshParams,
}

impl<'a> Sketcher<'a> {
    /// A sketcher for `cfg` (lexical layer).
    pub fn new(cfg: &'a Config) -> Self {
        Sketcher {
            cfg,
            hasher: MinHasher::new(cfg.minhash),
            lsh: LshParams::for_threshold(cfg.lsh_threshold, cfg.minhash.num_perm),
        }
    }

    /// The sketch of one document, as `dedup`'s first pass computes it.
    pub fn sketch(&self, doc: &Document) -> DocSketch {
        let s = sketch(
            &doc.text,
            self.cfg,
            &self.hasher,
            None,
            doc.lang.as_deref(),
            &doc.marked,
        );
        let mut lines = s.keys;
        lines.sort_unstable();
        lines.dedup();
        let source_lines = doc
            .source
            .as_deref()
            .map(|src| source_line_keys(src, &lines))
            .unwrap_or_default();
        let mut same_sig = vec![EMPTY_BIN; SAME_TEXT_SIG];
        let mut keys = Vec::new();
        if s.tokens > 0 {
            let n = SAME_TEXT_SIG.min(s.sig.len());
            same_sig[..n].copy_from_slice(&s.sig[..n]);
            keys.push((KEY_EXACT, s.exact));
            keys.extend(s.seeds.iter().map(|&k| (KEY_SEED, k)));
            keys.extend(s.sentence_keys.iter().map(|&k| (KEY_SENTENCE, k)));
            keys.extend(
                self.lsh
                    .band_keys(&s.sig)
                    .map(|(band, h)| (KEY_BAND + band as u32, h)),
            );
            keys.sort_unstable();
            keys.dedup();
        }
        DocSketch {
            tokens: s.tokens,
            keys,
            lines,
            source_lines,
            same_sig,
        }
    }
}

/// Whether two documents are near copies for boilerplate learning, from their
/// [`DocSketch::same_sig`].
pub fn same_text(a: &[u32], b: &[u32], cfg: &Config) -> bool {
    jaccard_estimate(a, b) >= cfg.learn_same_text
}

/// The learned sets a line key joins: a global key (`per_source == false`) or a per-source
/// key held by `count` documents, whose smallest numbers are `sample` (ascending, the first
/// [`sample_size`](retold_clean::LearnParams::sample_size)); `same_sig(d)` gives document
/// `d`'s [`DocSketch::same_sig`].
pub fn learned_sets<'s>(
    cfg: &Config,
    per_source: bool,
    count: u64,
    sample: &[u32],
    same_sig: &dyn Fn(u32) -> &'s [u32],
) -> Vec<LearnedSet> {
    let same = |x: u32, y: u32| same_text(same_sig(x), same_sig(y), cfg);
    cfg.learn
        .decisions()
        .into_iter()
        .filter(|&(ps, _, threshold)| {
            ps == per_source && recurs_in_groups(count, sample, threshold, &same)
        })
        .map(|(_, set, _)| set)
        .collect()
}

/// The boilerplate model of the learned keys.
pub fn model_from_keys(
    cfg: &Config,
    recurring: impl IntoIterator<Item = u64>,
    recurring_wide: impl IntoIterator<Item = u64>,
    in_source: impl IntoIterator<Item = u64>,
) -> CorpusModel {
    CorpusModel::from_keys(&cfg.learn, recurring, recurring_wide, in_source)
}

/// A document of a candidate pair, as verification needs it.
#[derive(Debug, Clone, Copy)]
pub struct PairDoc<'a> {
    /// Its number (input position).
    pub idx: u32,
    /// Its text.
    pub text: &'a str,
    /// Source, if given.
    pub source: Option<&'a str>,
    /// Language, if given.
    pub lang: Option<&'a str>,
    /// Date, if given.
    pub date: Option<&'a str>,
}

/// A verified pair with what grouping needs of it.
#[derive(Debug, Clone)]
pub struct VerifiedPair {
    /// The pair and its analysis.
    pub pair: PairResult,
    /// Its containment record (provenance).
    pub containment: Containment,
    /// Provenance evidence of `a` and of `b`.
    pub evidence: [DocEvidence; 2],
}

/// Verifies `pairs` (numbers of `docs`, each pair `a < b`) with the learned `model`, in
/// parallel; returns the pairs whose relation is not `unrelated`, in the order of `pairs`.
/// Each document is prepared once. Pairs naming a document missing from `docs` are skipped.
pub fn verify_pairs(
    cfg: &Config,
    model: &CorpusModel,
    docs: &[PairDoc<'_>],
    pairs: &[(u32, u32)],
) -> Vec<VerifiedPair> {
    let prepared: Vec<(u32, (Prepared, &PairDoc<'_>))> = docs
        .par_iter()
        .map(|d| {
            let lang = d.lang.filter(|l| !l.is_empty());
            let p = prepare_with(d.text, d.source, model, lang, &[], false);
            (d.idx, (p, d))
        })
        .collect();
    let prepared: AHashMap<u32, (Prepared, &PairDoc<'_>)> = prepared.into_iter().collect();
    pairs
        .par_iter()
        .filter_map(|&(a, b)| {
            let (pa, da) = prepared.get(&a)?;
            let (pb, db) = prepared.get(&b)?;
            let analysis = analyze(pa, pb, cfg);
            if analysis.relation == Relation::Unrelated {
                return None;
            }
            Some(VerifiedPair {
                containment: analysis.containment(a, b),
                evidence: [evidence(pa, da.date), evidence(pb, db.date)],
                pair: PairResult { a, b, analysis },
            })
        })
        .collect()
}

/// A document of a connected component of verified pairs, as grouping needs it.
#[derive(Debug, Clone, Default)]
pub struct ComponentDoc {
    /// Its number.
    pub idx: u32,
    /// Date, if given.
    pub date: Option<String>,
    /// Language, if given.
    pub lang: Option<String>,
    /// Content tokens ([`DocSketch::tokens`]).
    pub tokens: u32,
    /// Its provenance evidence (from [`VerifiedPair::evidence`]).
    pub evidence: Option<DocEvidence>,
}

/// A cluster of a component, before corpus-wide naming.
#[derive(Debug, Clone, PartialEq)]
pub struct ComponentCluster {
    /// Members, ascending.
    pub docs: Vec<u32>,
    /// The relation holding it together.
    pub relation: Relation,
    /// The likely original.
    pub original: Option<u32>,
    /// Why.
    pub original_reason: String,
    /// Its story within the component (clusters of one story share it).
    pub story: String,
}

/// The groups of one component.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ComponentGroups {
    /// Clusters of two or more documents, by first member.
    pub clusters: Vec<ComponentCluster>,
    /// Members of those clusters left out of the keep-list.
    pub dropped: Vec<u32>,
}

/// Clusters, stories, provenance and keep decisions of one connected component of the
/// verified pairs: `docs` are its documents, `pairs` and `containment` its verified pairs
/// (every relation but `unrelated`). A component is grouped exactly as within the whole
/// corpus, since no cluster, story or guard decision reaches beyond it.
pub fn group_component(
    docs: &[ComponentDoc],
    pairs: &[GroupPair],
    containment: &[Containment],
    cfg: &Config,
    policy: KeepPolicy,
) -> ComponentGroups {
    let mut docs: Vec<&ComponentDoc> = docs.iter().collect();
    docs.sort_unstable_by_key(|d| d.idx);
    docs.dedup_by_key(|d| d.idx);
    // Local numbers keep the input order, so every tie-break is the corpus's.
    let local = |i: u32| {
        docs.binary_search_by_key(&i, |d| d.idx)
            .ok()
            .map(|p| p as u32)
    };
    let records: Vec<DocRecord> = docs
        .iter()
        .map(|d| DocRecord {
            id: String::new(),
            date: d.date.clone(),
            source: None,
            lang: d.lang.clone(),
            bytes: 0,
            tokens: d.tokens,
            marked: Vec::new(),
        })
        .collect();
    let evidences: AHashMap<u32, DocEvidence> = docs
        .iter()
        .enumerate()
        .filter_map(|(i, d)| d.evidence.clone().map(|e| (i as u32, e)))
        .collect();
    let pairs: Vec<GroupPair> = pairs
        .iter()
        .filter_map(|p| {
            Some(GroupPair {
                a: local(p.a)?,
                b: local(p.b)?,
                ..*p
            })
        })
        .collect();
    let containment: Vec<Containment> = containment
        .iter()
        .filter_map(|c| {
            Some(Containment {
                a: local(c.a)?,
                b: local(c.b)?,
                ..*c
            })
        })
        .collect();
    let global = |i: u32| docs[i as usize].idx;
    let (clusters, _, keep) = group(
        docs.len(),
        &records,
        &pairs,
        &evidences,
        &containment,
        cfg,
        policy,
        &global,
    );
    let mut kept = vec![false; docs.len()];
    for k in keep {
        kept[k as usize] = true;
    }
    ComponentGroups {
        dropped: (0..docs.len() as u32)
            .filter(|&i| !kept[i as usize])
            .map(global)
            .collect(),
        clusters: clusters
            .into_iter()
            .map(|c| ComponentCluster {
                docs: c.docs.into_iter().map(global).collect(),
                relation: c.relation,
                original: c.original.map(global),
                original_reason: c.original_reason,
                story: c.story,
            })
            .collect(),
    }
}

/// Corpus-wide names of the components' clusters (`c1`, `c2`, … by first member) and stories
/// (`s1`, `s2`, … by their first cluster), and the keep-list of a corpus of `n` documents:
/// the clusters and keep-list `dedup` gives.
pub fn name_groups(n: usize, components: Vec<ComponentGroups>) -> (Vec<ClusterResult>, Vec<u32>) {
    let mut dropped = vec![false; n];
    let mut all: Vec<(usize, ComponentCluster)> = Vec::new();
    for (ci, g) in components.into_iter().enumerate() {
        for d in g.dropped {
            if let Some(x) = dropped.get_mut(d as usize) {
                *x = true;
            }
        }
        all.extend(g.clusters.into_iter().map(|c| (ci, c)));
    }
    all.sort_unstable_by_key(|(_, c)| c.docs[0]);
    let mut story_names: AHashMap<(usize, String), String> = AHashMap::new();
    let clusters = all
        .into_iter()
        .enumerate()
        .map(|(k, (ci, c))| {
            let next = story_names.len() + 1;
            let story = story_names
                .entry((ci, c.story))
                .or_insert_with(|| format!("s{next}"))
                .clone();
            ClusterResult {
                name: format!("c{}", k + 1),
                docs: c.docs,
                relation: c.relation,
                original: c.original,
                original_reason: c.original_reason,
                story,
                // Kept only by a whole-corpus run (`Config::keep_provenance_input`).
                provenance_input: None,
            }
        })
        .collect();
    let keep = (0..n as u32).filter(|&d| !dropped[d as usize]).collect();
    (clusters, keep)
}

/// Connected components of the pairs over `n` documents: each document's component as the
/// smallest document number in it.
pub use retold_cluster::components;

/// The result of [`run_composed`].
#[derive(Debug, Clone)]
pub struct Composed {
    /// Verified pairs, sorted by `(a, b)`.
    pub pairs: Vec<PairResult>,
    /// Clusters, named.
    pub clusters: Vec<ClusterResult>,
    /// Documents kept.
    pub keep: Vec<u32>,
    /// Candidate pairs verified.
    pub candidates: usize,
}

/// The stages composed in one process, as a distributed run composes them across machines:
/// the reference for such a run, and equal to `dedup` with the lexical layer (test).
pub fn run_composed(docs: &[Document], cfg: &Config, policy: KeepPolicy) -> Composed {
    let sketcher = Sketcher::new(cfg);
    let sketches: Vec<DocSketch> = docs.par_iter().map(|d| sketcher.sketch(d)).collect();
    // Learn: per line key, its documents (ascending as collected).
    let mut lines: [AHashMap<u64, Vec<u32>>; 2] = Default::default();
    for (i, s) in sketches.iter().enumerate() {
        for (table, keys) in lines.iter_mut().zip([&s.lines, &s.source_lines]) {
            for &k in keys {
                table.entry(k).or_default().push(i as u32);
            }
        }
    }
    let size = cfg.learn.sample_size();
    let sig = |d: u32| sketches[d as usize].same_sig.as_slice();
    let mut learned: [Vec<u64>; 3] = Default::default();
    for (per_source, table) in [false, true].into_iter().zip(&lines) {
        for (&k, ids) in table {
            let sample = &ids[..ids.len().min(size)];
            for set in learned_sets(cfg, per_source, ids.len() as u64, sample, &sig) {
                learned[set as usize].push(k);
            }
        }
    }
    let [recurring, wide, in_source] = learned;
    let model = model_from_keys(cfg, recurring, wide, in_source);
    // Candidates: per key, its documents, paired by the kind's rule (one partition).
    let mut postings: Vec<Posting> = sketches
        .iter()
        .enumerate()
        .flat_map(|(i, s)| {
            s.keys.iter().map(move |&(kind, key)| Posting {
                kind,
                key,
                doc: i as u32,
            })
        })
        .collect();
    let (items, _) = key_pair_items(&mut postings, cfg);
    let direct = candidates_of(&items, |_| true, cfg);
    // Verify.
    let pair_docs: Vec<PairDoc<'_>> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| PairDoc {
            idx: i as u32,
            text: &d.text,
            source: d.source.as_deref(),
            lang: d.lang.as_deref(),
            date: d.date.as_deref(),
        })
        .collect();
    let verified = verify_pairs(cfg, &model, &pair_docs, &direct);
    // Group, component by component.
    let edges: Vec<(u32, u32)> = verified.iter().map(|v| (v.pair.a, v.pair.b)).collect();
    let comp = components(docs.len(), &edges);
    let mut by_comp: AHashMap<u32, Vec<&VerifiedPair>> = AHashMap::new();
    for v in &verified {
        by_comp.entry(comp[v.pair.a as usize]).or_default().push(v);
    }
    let mut roots: Vec<u32> = by_comp.keys().copied().collect();
    roots.sort_unstable();
    let groups: Vec<ComponentGroups> = roots
        .iter()
        .map(|r| {
            let vs = &by_comp[r];
            let mut members: AHashMap<u32, ComponentDoc> = AHashMap::new();
            for v in vs {
                for (side, i) in [v.pair.a, v.pair.b].into_iter().enumerate() {
                    members.entry(i).or_insert_with(|| ComponentDoc {
                        idx: i,
                        date: docs[i as usize].date.clone(),
                        lang: docs[i as usize].lang.clone().filter(|l| !l.is_empty()),
                        tokens: sketches[i as usize].tokens,
                        evidence: Some(v.evidence[side].clone()),
                    });
                }
            }
            let members: Vec<ComponentDoc> = members.into_values().collect();
            let gp: Vec<GroupPair> = vs.iter().map(|v| GroupPair::of(&v.pair)).collect();
            let cont: Vec<Containment> = vs.iter().map(|v| v.containment).collect();
            group_component(&members, &gp, &cont, cfg, policy)
        })
        .collect();
    let (clusters, keep) = name_groups(docs.len(), groups);
    Composed {
        pairs: verified.into_iter().map(|v| v.pair).collect(),
        clusters,
        keep,
        candidates: direct.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(rule: PairRule, docs: &[u32]) -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        key_pairs(rule, docs, &mut out);
        out
    }

    #[test]
    fn candidates_of_partitions_add_up_to_the_whole() {
        let cfg = Config::default();
        // Keys of four kinds over 60 documents; some keys shared by many.
        let mut all = Vec::new();
        for doc in 0..60u32 {
            for j in 0..40u64 {
                let kind = [KEY_EXACT, KEY_SEED, KEY_SENTENCE, KEY_BAND + 3][(j % 4) as usize];
                let key = (u64::from(doc) * 7 + j * 13) % 97 + (j % 4) * 1000;
                all.push(Posting { kind, key, doc });
            }
        }
        all.sort_unstable();
        all.dedup();
        let (items, largest) = key_pair_items(&mut all.clone(), &cfg);
        assert!(largest > 2);
        assert!(items.iter().any(|i| matches!(i, KeyPairs::Direct(_))));
        let whole = candidates_of(&items, |_| true, &cfg);
        // Some pairs share one seed only, and are no candidates.
        let seed_pairs = items
            .iter()
            .filter(|i| matches!(i, KeyPairs::Shared { kind: KEY_SEED, .. }))
            .count();
        assert!(seed_pairs > 0 && !whole.is_empty());
        for parts in [1, 3, 8] {
            // Keys partitioned by key, then items by their smaller documents.
            let mut merged = Vec::new();
            let mut most = 0;
            let mut routed: Vec<Vec<KeyPairs>> = vec![Vec::new(); parts as usize];
            for p in 0..parts {
                let mut mine: Vec<Posting> = all
                    .iter()
                    .filter(|x| key_part(x.kind, x.key, parts) == p)
                    .copied()
                    .collect();
                let (its, l) = key_pair_items(&mut mine, &cfg);
                most = most.max(l);
                for it in its {
                    let mut to: Vec<u32> =
                        it.firsts().iter().map(|&d| doc_part(d, parts)).collect();
                    to.sort_unstable();
                    to.dedup();
                    for q in to {
                        routed[q as usize].push(it.clone());
                    }
                }
            }
            for (q, its) in routed.iter().enumerate() {
                merged.extend(candidates_of(its, |d| doc_part(d, parts) == q as u32, &cfg));
            }
            merged.sort_unstable();
            assert_eq!(merged, whole, "{parts} parts");
            assert_eq!(most, largest);
        }
    }

    #[test]
    fn key_parts_are_in_range_and_spread() {
        let mut counts = [0usize; 7];
        for key in 0..7000u64 {
            let p = key_part(KEY_SEED, key.wrapping_mul(0x2545_F491_4F6C_DD1D), 7);
            counts[p as usize] += 1;
        }
        assert!(
            counts.iter().all(|&c| (700..1300).contains(&c)),
            "{counts:?}"
        );
    }

    #[test]
    fn pair_rules() {
        let docs = [1, 4, 6];
        assert_eq!(pairs(PairRule::Chain, &docs), [(1, 4), (4, 6)]);
        assert_eq!(
            pairs(PairRule::Bucket { max: 3 }, &docs),
            [(1, 4), (1, 6), (4, 6)]
        );
        assert_eq!(pairs(PairRule::Bucket { max: 2 }, &docs), [(1, 4), (4, 6)]);
        let shared = |max_df| PairRule::Shared {
            max_df,
            min_shared: 2,
        };
        assert_eq!(pairs(shared(3), &docs), [(1, 4), (1, 6), (4, 6)]);
        assert!(pairs(shared(2), &docs).is_empty());
        assert!(pairs(PairRule::Chain, &[7]).is_empty());
    }

    #[test]
    fn components_are_named_by_smallest_member() {
        assert_eq!(components(6, &[(3, 5), (1, 3), (2, 4)]), [0, 1, 2, 1, 2, 1]);
    }
}
