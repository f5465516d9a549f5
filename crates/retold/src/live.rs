//! The live index: the state of a `dedup` run kept in memory, so that a batch of new
//! documents or a query costs work on those documents rather than on the whole corpus.
//!
//! [`Live::add`] sketches only the new documents and adds them to the kept candidate
//! indexes and boilerplate learner; it then learns the boilerplate model again (cheap: line
//! counts are kept), lists the candidate pairs of the whole corpus (sorted index look-ups),
//! and verifies only the pairs it has not verified before plus those of documents whose
//! learned boilerplate changed ([`retold_clean::ModelChange`]). Every other pair keeps its
//! verdict: a pair's lexical verdict depends only on its two prepared documents, and a
//! prepared document only on the learned lines it holds. So with the lexical layer the
//! results after any number of batches are exactly those of one [`crate::dedup`] over the same
//! documents in the same order (a test). With the semantic layer the static document vectors
//! are centred on each language's mean, which every new document moves a little; pairs kept
//! from earlier batches are not gated again, so a pair near the gate's threshold may differ
//! from a full run.
//!
//! [`Live::query`] sketches one document, asks each candidate index for its partners as if
//! it had been added last (`LshIndex::query`, `SeedIndex::query`, exact hashes; with the
//! semantic layer also shared anchor terms and its nearest documents by static vector), learns
//! what it would add to the boilerplate model (`CorpusModelBuilder::learned_with`) and
//! verifies only its own pairs. With the lexical layer its pairs are those `dedup` over the
//! stored documents plus the query gives it.

use std::borrow::Cow;
use std::collections::BTreeMap;

use ahash::AHashMap;
use rayon::prelude::*;
use retold_clean::CorpusModel;
use retold_cluster::{Containment, DocEvidence, KeepPolicy};
use retold_ingest::{Document, IngestError};
use retold_sketch::jaccard_estimate;

use crate::error::Error;
use crate::index::{query_answer, QueryResult};
use crate::pipeline::{
    center, group, group_pairs, language_means, sketch, Corpus, DedupOutput, PairResult, Progress,
    Sketches,
};
use crate::relation::Relation;
use crate::semantic::Models;
use crate::Config;

/// A corpus kept in memory for incremental adds and fast queries (see the module docs).
pub struct Live<'a> {
    corpus: Corpus<'a>,
    sk: Sketches,
    model: CorpusModel,
    keep: KeepPolicy,
    /// Static vectors as sketched (the corpus holds them centred).
    raw_vectors: Vec<Vec<f32>>,
    /// Per-language means the corpus's vectors were centred with.
    means: AHashMap<Option<String>, Vec<f32>>,
    /// The last document with each exact hash.
    exact_last: AHashMap<u64, u32>,
    /// Every candidate pair verified, with its result unless it is unrelated.
    verdicts: BTreeMap<(u32, u32), Option<PairResult>>,
    evidences: AHashMap<u32, DocEvidence>,
    ids: AHashMap<String, u32>,
    out: DedupOutput,
}

/// How [`Live::add`] went.
#[derive(Debug, Clone, Copy, Default)]
pub struct LiveAdd {
    /// Candidate pairs of the whole corpus.
    pub candidates: usize,
    /// Of them, verified by this add (new, or touched by a change of learned boilerplate).
    pub verified: usize,
    /// Stored documents whose learned boilerplate changed.
    pub touched_docs: usize,
}

impl<'a> Live<'a> {
    /// An empty live index.
    pub fn new(cfg: &'a Config, models: Option<&'a Models>, keep: KeepPolicy) -> Self {
        let corpus = Corpus::new(cfg, models);
        Live {
            corpus,
            sk: Sketches::new(cfg, true),
            model: CorpusModel::empty(),
            keep,
            raw_vectors: Vec::new(),
            means: AHashMap::new(),
            exact_last: AHashMap::new(),
            verdicts: BTreeMap::new(),
            evidences: AHashMap::new(),
            ids: AHashMap::new(),
            out: DedupOutput {
                docs: Vec::new(),
                pairs: Vec::new(),
                clusters: Vec::new(),
                cluster_of: Vec::new(),
                keep: Vec::new(),
                stats: Default::default(),
            },
        }
    }

    /// Documents held.
    pub fn len(&self) -> usize {
        self.corpus.records.len()
    }

    /// True when nothing was added.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True when a document with `id` was added.
    pub fn contains(&self, id: &str) -> bool {
        self.ids.contains_key(id)
    }

    /// The results over everything added, as one `dedup` gives them.
    pub fn output(&self) -> &DedupOutput {
        &self.out
    }

    /// Adds a batch (ids must be new and distinct: the caller checks) and updates the results.
    /// On an error the live index is left in an unknown state: build it again.
    pub fn add(
        &mut self,
        batch: Vec<Document>,
        progress: &(dyn Fn(Progress) + Sync),
    ) -> Result<LiveAdd, Error> {
        let cfg = self.corpus.cfg;
        let n0 = self.len();
        let exact0 = self.sk.index.exact.len();
        let mut on_bad = |_: &IngestError| false;
        self.corpus.read(
            batch.into_iter().map(Ok::<_, IngestError>),
            &mut on_bad,
            progress,
            &mut self.sk,
        )?;
        let n = self.len();
        for (i, r) in self.corpus.records.iter().enumerate().skip(n0) {
            self.ids.insert(r.id.clone(), i as u32);
        }
        for &(h, i) in &self.sk.index.exact[exact0..] {
            self.exact_last.insert(h, i);
        }
        let ix = &mut self.sk.index;
        ix.lsh.sort();
        ix.seeds.sort();
        ix.sentences.sort();
        ix.anchors.sort();

        let model = self.corpus.learn(&mut self.sk)?;
        let change = model.changes(&self.model);
        let keys = self.sk.keys.as_deref().unwrap_or_default();
        let records = &self.corpus.records;
        let touched: Vec<bool> = (0..n0)
            .into_par_iter()
            .map(|i| change.touches(records[i].source.as_deref(), &keys[i]))
            .collect();
        let is_touched = |i: u32| (i as usize) < n0 && touched[i as usize];

        if self.corpus.statics.is_some() {
            let new_raw: Vec<Vec<f32>> = self.corpus.vectors[n0..].to_vec();
            self.raw_vectors.extend(new_raw);
            self.corpus.vectors.clone_from(&self.raw_vectors);
            self.means = language_means(
                &self.raw_vectors,
                &self.corpus.records,
                cfg.semantic.language_prior,
            );
        }
        let pairs = self.corpus.candidates(&self.sk.index)?;
        let todo: Vec<(u32, u32)> = pairs
            .iter()
            .copied()
            .filter(|&(a, b)| {
                is_touched(a) || is_touched(b) || !self.verdicts.contains_key(&(a, b))
            })
            .collect();
        let verified = self.corpus.verify(&model, &todo, progress)?;
        (progress)(Progress::Clustering);

        let mut fresh: AHashMap<(u32, u32), PairResult> = verified
            .pairs
            .into_iter()
            .map(|p| ((p.a, p.b), p))
            .collect();
        let mut verdicts = BTreeMap::new();
        for &p in &pairs {
            let v = if todo.binary_search(&p).is_ok() {
                fresh.remove(&p)
            } else {
                self.verdicts.remove(&p).flatten()
            };
            verdicts.insert(p, v);
        }
        self.verdicts = verdicts;
        self.evidences.retain(|&d, _| !is_touched(d));
        self.evidences.extend(verified.evidences);
        self.model = model;

        let results: Vec<PairResult> = self.verdicts.values().flatten().cloned().collect();
        let containment: Vec<Containment> = results
            .iter()
            .filter(|p| p.analysis.relation != Relation::Unrelated)
            .map(|p| p.analysis.containment(p.a, p.b))
            .collect();
        let records = &self.corpus.records;
        let (clusters, cluster_of, keep) = group(
            n,
            records,
            &group_pairs(&results),
            &self.evidences,
            &containment,
            cfg,
            self.keep,
            &|d| d,
        );
        self.corpus.stats.docs = n;
        self.out = DedupOutput {
            docs: records.clone(),
            pairs: results,
            clusters,
            cluster_of,
            keep,
            stats: self.corpus.stats.clone(),
        };
        Ok(LiveAdd {
            candidates: pairs.len(),
            verified: todo.len(),
            touched_docs: touched.iter().filter(|&&t| t).count(),
        })
    }

    /// Matches `doc` (not added) against everything added (see the module docs). The query
    /// keeps its id unless an added document has it (then `#queryN` is appended).
    pub fn query(&self, mut doc: Document) -> Result<QueryResult, Error> {
        let c = &self.corpus;
        let cfg = c.cfg;
        let base = doc.id.clone();
        let mut k = 1;
        while self.contains(&doc.id) {
            doc.id = format!("{base}#query{k}");
            k += 1;
        }
        let n = self.len() as u32;
        let s = sketch(
            &doc.text,
            cfg,
            &c.hasher,
            c.statics.as_ref(),
            doc.lang.as_deref(),
            &doc.marked,
        );

        // The boilerplate model with the query observed.
        let q_sig: Vec<u32> = {
            let mut v = s.sig.clone();
            v.resize(crate::pipeline::SAME_TEXT_SIG, u32::MAX);
            v.truncate(crate::pipeline::SAME_TEXT_SIG);
            v
        };
        let sig_of = |i: u32| -> &[u32] {
            if i == n {
                &q_sig
            } else {
                self.sk.same_sig_of(i)
            }
        };
        let extra = self
            .sk
            .learner
            .learned_with(n, doc.source.as_deref(), &s.keys, &|x, y| {
                jaccard_estimate(sig_of(x), sig_of(y)) >= cfg.learn_same_text
            });
        let model = if extra.is_empty() {
            Cow::Borrowed(&self.model)
        } else {
            Cow::Owned(self.model.union(&extra))
        };

        // Its candidates, as if it had been added last.
        let lang = doc
            .lang
            .clone()
            .filter(|l| !l.is_empty())
            .or(s.lang.clone());
        let mut vector = s.vector.clone();
        let mut cands: Vec<u32> = Vec::new();
        if s.tokens > 0 {
            let ix = &self.sk.index;
            cands.extend(self.exact_last.get(&s.exact));
            cands.extend(ix.lsh.query(&s.sig, cfg.lsh_max_bucket));
            let shared = |ix: &retold_sketch::SeedIndex, keys: &[u64], min: usize, df: usize| {
                ix.query(keys, min, df).into_iter().map(|(d, _)| d)
            };
            cands.extend(shared(
                &ix.seeds,
                &s.seeds,
                cfg.seed_min_shared,
                cfg.seed_max_df,
            ));
            cands.extend(shared(
                &ix.sentences,
                &s.sentence_keys,
                cfg.sentence_key_min_shared,
                cfg.seed_max_df,
            ));
            if c.statics.is_some() {
                let sp = &cfg.semantic;
                cands.extend(shared(
                    &ix.anchors,
                    &s.anchors,
                    sp.anchor_min_shared,
                    sp.anchor_max_df,
                ));
                if let Some(m) = self.means.get(&lang) {
                    center(&mut vector, m);
                }
                cands.extend(self.neighbours(&vector, lang.as_deref()));
            }
        }
        cands.sort_unstable();
        cands.dedup();

        // Verify the query's pairs on a small corpus of its candidates and itself.
        let mut local = Corpus::new(cfg, c.models);
        local.doc_slot = c.doc_slot;
        for &i in &cands {
            let r = &c.records[i as usize];
            local.records.push(r.clone());
            local.store.push(c.store.get(i)?.into_owned())?;
            if c.statics.is_some() {
                local.vectors.push(c.vectors[i as usize].clone());
                local.terms.push(c.terms[i as usize].clone());
            }
        }
        let q = cands.len() as u32;
        local.records.push(crate::pipeline::DocRecord {
            id: doc.id.clone(),
            date: doc.date.clone(),
            source: doc.source.clone(),
            lang,
            bytes: doc.text.len(),
            tokens: s.tokens,
            marked: doc.marked.clone(),
        });
        if c.statics.is_some() {
            local.vectors.push(vector);
            local.terms.push(s.terms);
        }
        local.store.push(doc.text)?;
        local.store.finish()?;
        let pairs: Vec<(u32, u32)> = (0..q).map(|i| (i, q)).collect();
        let verified = local.verify(&model, &pairs, &|_| {})?;
        let (clusters, cluster_of, keep) = group(
            local.records.len(),
            &local.records,
            &group_pairs(&verified.pairs),
            &verified.evidences,
            &verified.containment,
            cfg,
            self.keep,
            &|d| d,
        );
        let out = DedupOutput {
            docs: local.records,
            pairs: verified.pairs,
            clusters,
            cluster_of,
            keep,
            stats: local.stats,
        };
        query_answer(&out, q, |members| {
            // The first cluster (in stored order) holding any of the members.
            let first = members
                .iter()
                .filter_map(|id| self.ids.get(*id))
                .filter_map(|&i| self.out.cluster_of.get(i as usize).copied().flatten())
                .min();
            first
                .map(|k| {
                    crate::index::as_value(&crate::output::cluster_line(
                        &self.out,
                        &self.out.clusters[k as usize],
                    ))
                })
                .transpose()
                .map_err(|e| Error::Io(e.into()))
        })
    }

    /// The documents nearest to a (centred) static vector, as `dedup`'s nearest-neighbour
    /// candidates give them: the nearest overall and, when there are several languages, the
    /// nearest in other languages than `lang`. Exact search over the kept vectors.
    fn neighbours(&self, v: &[f32], lang: Option<&str>) -> Vec<u32> {
        if v.is_empty() {
            return Vec::new();
        }
        let c = &self.corpus;
        let sp = &c.cfg.semantic;
        let slot = crate::semantic::Slot::Static;
        let min_sim = sp.for_slot(slot).ann_min_similarity;
        let sims: Vec<(f32, u32)> = c
            .vectors
            .par_iter()
            .enumerate()
            .filter(|(_, x)| !x.is_empty())
            .map(|(i, x)| (retold_sketch::ann::dot(v, x), i as u32))
            .filter(|&(s, _)| s >= min_sim)
            .collect();
        let top = |k: usize, keep: &dyn Fn(u32) -> bool| -> Vec<u32> {
            let mut v: Vec<(f32, u32)> = sims.iter().copied().filter(|x| keep(x.1)).collect();
            v.sort_unstable_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
            v.truncate(k);
            v.into_iter().map(|x| x.1).collect()
        };
        let mut out = top(sp.ann_k, &|_| true);
        let several = self.means.len() > 1;
        if several && sp.ann_k_across > 0 {
            out.extend(top(sp.ann_k_across, &|i| {
                c.records[i as usize].lang.as_deref() != lang
            }));
        }
        out
    }
}
