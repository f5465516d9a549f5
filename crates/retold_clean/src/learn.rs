//! Corpus-learned boilerplate: lines that recur across documents that are otherwise different.
//!
//! A line recurring in many documents is boilerplate only if those documents are not copies of
//! one another: an article copied into five documents has every line in five documents, and
//! none of them is boilerplate. So per line key the builder keeps a document count and a
//! sample of the smallest document ids that hold it (the smallest, so that the sample does not
//! depend on how the corpus was split into batches); [`CorpusModelBuilder::build`] groups each
//! recurring key's sampled documents with the caller's near-copy predicate and learns the key
//! when it occurs in enough *groups*.

use crate::Reason;
use ahash::{AHashMap, AHashSet};
use std::collections::hash_map::Entry as MapEntry;
use xxhash_rust::xxh3::xxh3_64;

/// Parameters of boilerplate learning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LearnParams {
    /// A line is `Recurring` when it occurs in at least this many groups of distinct
    /// (not near-copy) documents. Values below 2 are taken as 2.
    pub min_groups: usize,
    /// A line is `RecurringInSource` when it occurs in at least this many groups of distinct
    /// documents of one source. Values below 2 are taken as 2.
    pub min_groups_in_source: usize,
    /// How many document ids are sampled per line key (the smallest ones). Raised to the
    /// larger of the two group thresholds when below it.
    pub max_sample: usize,
    /// Learned lines with fewer tokens than this are not marked by [`crate::spans`].
    pub min_tokens: usize,
    /// Lines with at least this many tokens are prose, not chrome, unless they recur very
    /// widely: a paragraph quoted by two other articles recurs in three otherwise different
    /// documents, yet it is reuse, not boilerplate.
    pub long_tokens: usize,
    /// Groups a long line needs to be learned corpus-wide.
    pub min_groups_long: usize,
}

impl Default for LearnParams {
    fn default() -> Self {
        LearnParams {
            min_groups: 3,
            min_groups_in_source: 2,
            max_sample: 16,
            min_tokens: 1,
            long_tokens: 24,
            min_groups_long: 6,
        }
    }
}

impl LearnParams {
    fn min_groups_eff(&self) -> usize {
        self.min_groups.max(2)
    }

    fn min_groups_in_source_eff(&self) -> usize {
        self.min_groups_in_source.max(2)
    }

    fn max_sample_eff(&self) -> usize {
        self.max_sample
            .max(self.min_groups_eff())
            .max(self.min_groups_in_source_eff())
            .max(self.min_groups_long)
    }
}

/// A key seen in two or more documents: its document count and the smallest ids holding it
/// (sorted, at most `max_sample`).
#[derive(Debug, Clone)]
struct Multi {
    count: u32,
    ids: Vec<u32>,
}

/// How many documents held a key before an addition.
enum Before {
    None,
    /// One document, this one.
    One(u32),
    Many,
}

/// Counts and samples of line keys. Most keys occur once: they cost one `(u64, u32)` entry
/// (16 bytes) in `single`; keys seen twice or more move to `multi`.
#[derive(Default)]
struct Table {
    single: AHashMap<u64, u32>,
    multi: AHashMap<u64, Multi>,
}

impl std::fmt::Debug for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Table")
            .field("single", &self.single.len())
            .field("multi", &self.multi.len())
            .finish()
    }
}

/// Adds `doc` to a sorted sample that keeps the `max` smallest ids.
fn insert_sample(ids: &mut Vec<u32>, doc: u32, max: usize) {
    if let Err(pos) = ids.binary_search(&doc) {
        if ids.len() < max {
            ids.insert(pos, doc);
        } else if pos < ids.len() {
            ids.pop();
            ids.insert(pos, doc);
        }
    }
}

impl Table {
    /// Records `doc` for `key`; says how many documents held the key before (a document
    /// added twice counts once: then `One(doc)` comes back).
    fn add(&mut self, key: u64, doc: u32, max: usize) -> Before {
        if let Some(m) = self.multi.get_mut(&key) {
            if m.ids.binary_search(&doc).is_err() {
                m.count = m.count.saturating_add(1);
                insert_sample(&mut m.ids, doc, max);
            }
            return Before::Many;
        }
        match self.single.entry(key) {
            MapEntry::Vacant(v) => {
                v.insert(doc);
                Before::None
            }
            MapEntry::Occupied(o) => {
                if *o.get() == doc {
                    // The same document again: nothing new.
                    return Before::One(doc);
                }
                let first = o.remove();
                let mut ids = Vec::with_capacity(2);
                insert_sample(&mut ids, first, max);
                insert_sample(&mut ids, doc, max);
                self.multi.insert(key, Multi { count: 2, ids });
                Before::One(first)
            }
        }
    }

    /// Count and sample of `key`, if seen.
    #[cfg(test)]
    fn get(&self, key: u64) -> Option<(u32, &[u32])> {
        if let Some(m) = self.multi.get(&key) {
            return Some((m.count, &m.ids));
        }
        self.single.get(&key).map(|d| (1, std::slice::from_ref(d)))
    }

    /// Adds all of `other` (documents disjoint from this table's). For each key whose merged
    /// count reaches two while one side held it in a single document, calls `promoted(key,
    /// doc)` with that document.
    fn merge(&mut self, mut other: Table, max: usize, promoted: &mut dyn FnMut(u64, u32)) {
        if other.single.len() + other.multi.len() > self.single.len() + self.multi.len() {
            std::mem::swap(self, &mut other);
        }
        let Table { single, multi } = other;
        for (key, doc) in single {
            match self.add(key, doc, max) {
                Before::None => {}
                Before::One(first) => {
                    promoted(key, first);
                    promoted(key, doc);
                }
                Before::Many => promoted(key, doc),
            }
        }
        for (key, om) in multi {
            if let Some(m) = self.multi.get_mut(&key) {
                m.count = m.count.saturating_add(om.count);
                for d in om.ids {
                    insert_sample(&mut m.ids, d, max);
                }
                continue;
            }
            let mut m = om;
            if let Some(first) = self.single.remove(&key) {
                promoted(key, first);
                m.count = m.count.saturating_add(1);
                insert_sample(&mut m.ids, first, max);
            }
            m.ids.truncate(max);
            self.multi.insert(key, m);
        }
    }

    /// Keys whose sampled documents fall into at least `threshold` groups of near-copies.
    fn decide(&self, threshold: usize, same: &mut PairCache<'_>, out: &mut AHashSet<u64>) {
        let mut reps: Vec<u32> = Vec::new();
        for (key, m) in &self.multi {
            if (m.count as usize) < threshold || m.ids.len() < threshold {
                continue;
            }
            if count_groups(&m.ids, threshold, same, &mut reps) >= threshold {
                out.insert(*key);
            }
        }
    }
}

/// The sources of documents: sorted document ids and their source hashes.
#[derive(Debug, Default)]
struct DocSources {
    docs: Vec<u32>,
    hashes: Vec<u64>,
}

impl DocSources {
    fn insert(&mut self, doc: u32, hash: u64) {
        if all_before(self.docs.last(), doc) {
            self.docs.push(doc);
            self.hashes.push(hash);
        } else if let Err(p) = self.docs.binary_search(&doc) {
            self.docs.insert(p, doc);
            self.hashes.insert(p, hash);
        }
    }

    fn get(&self, doc: u32) -> Option<u64> {
        self.docs.binary_search(&doc).ok().map(|p| self.hashes[p])
    }

    fn merge(&mut self, other: DocSources) {
        if other.docs.is_empty() {
            return;
        }
        if all_before(self.docs.last(), other.docs[0]) {
            self.docs.extend(other.docs);
            self.hashes.extend(other.hashes);
            return;
        }
        let (a_docs, a_hashes) = (
            std::mem::take(&mut self.docs),
            std::mem::take(&mut self.hashes),
        );
        let n = a_docs.len() + other.docs.len();
        let mut docs = Vec::with_capacity(n);
        let mut hashes = Vec::with_capacity(n);
        let (mut i, mut j) = (0, 0);
        while i < a_docs.len() || j < other.docs.len() {
            let take_a = j >= other.docs.len() || (i < a_docs.len() && a_docs[i] <= other.docs[j]);
            if take_a {
                docs.push(a_docs[i]);
                hashes.push(a_hashes[i]);
                i += 1;
            } else {
                docs.push(other.docs[j]);
                hashes.push(other.hashes[j]);
                j += 1;
            }
        }
        self.docs = docs;
        self.hashes = hashes;
    }
}

/// `last < doc`, or no last.
#[inline]
fn all_before(last: Option<&u32>, doc: u32) -> bool {
    !matches!(last, Some(&l) if l >= doc)
}

/// Greedy grouping of `ids` (ascending) into near-copy groups: each id joins the first group
/// whose representative (its smallest id) it is a near copy of, or starts a new group. Stops
/// early once the answer relative to `threshold` is known; returns the groups counted.
fn count_groups(
    ids: &[u32],
    threshold: usize,
    same: &mut PairCache<'_>,
    reps: &mut Vec<u32>,
) -> usize {
    reps.clear();
    for (i, &d) in ids.iter().enumerate() {
        if reps.len() + (ids.len() - i) < threshold {
            break;
        }
        let mut joined = false;
        for &r in reps.iter() {
            if same.get(r, d) {
                joined = true;
                break;
            }
        }
        if !joined {
            reps.push(d);
            if reps.len() >= threshold {
                break;
            }
        }
    }
    reps.len()
}

/// Memoises the caller's near-copy predicate: the same pairs of documents come up for every
/// line they share.
struct PairCache<'a> {
    f: &'a dyn Fn(u32, u32) -> bool,
    memo: AHashMap<u64, bool>,
}

/// Most pairs memoised before the memo is cleared.
const PAIR_CACHE_MAX: usize = 1 << 22;

impl PairCache<'_> {
    fn get(&mut self, a: u32, b: u32) -> bool {
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        let k = ((a as u64) << 32) | b as u64;
        if let Some(&v) = self.memo.get(&k) {
            return v;
        }
        let v = (self.f)(a, b);
        if self.memo.len() >= PAIR_CACHE_MAX {
            self.memo.clear();
        }
        self.memo.insert(k, v);
        v
    }
}

#[inline]
pub(crate) fn source_hash(source: &str) -> u64 {
    xxh3_64(source.as_bytes())
}

/// The key of a line within one source.
#[inline]
pub(crate) fn source_key(key: u64, source_hash: u64) -> u64 {
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&key.to_le_bytes());
    b[8..].copy_from_slice(&source_hash.to_le_bytes());
    xxh3_64(&b)
}

/// Collects line keys of documents; see the module docs.
///
/// Observe documents (in batches, in parallel if wanted, each batch in its own builder),
/// [`merge`](Self::merge) the builders, then [`build`](Self::build). The result does not depend
/// on how the documents were split into batches, nor on the order of merging.
///
/// Memory: a line key seen in one document costs one 16-byte map entry; keys seen in two or
/// more documents also keep their sample. Per-source entries are made only for keys seen in
/// two or more documents (a key seen once cannot recur in a source), using a sorted list of
/// the documents' sources (12 bytes per document with a source).
#[derive(Debug)]
pub struct CorpusModelBuilder {
    params: LearnParams,
    global: Table,
    per_source: Table,
    sources: DocSources,
    scratch: Vec<u64>,
    docs: u64,
}

impl CorpusModelBuilder {
    /// An empty builder.
    pub fn new(params: LearnParams) -> Self {
        CorpusModelBuilder {
            params,
            global: Table::default(),
            per_source: Table::default(),
            sources: DocSources::default(),
            scratch: Vec::new(),
            docs: 0,
        }
    }

    /// The parameters.
    pub fn params(&self) -> &LearnParams {
        &self.params
    }

    /// Documents observed (merged builders included).
    pub fn docs(&self) -> u64 {
        self.docs
    }

    /// Records the line keys of document `doc` (from [`crate::line_keys`]); a key repeated
    /// within the document counts once. Each document is observed once, in one builder.
    pub fn observe(&mut self, doc: u32, source: Option<&str>, keys: &[u64]) {
        let max = self.params.max_sample_eff();
        let sh = source.map(source_hash);
        if let Some(sh) = sh {
            self.sources.insert(doc, sh);
        }
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        scratch.extend_from_slice(keys);
        scratch.sort_unstable();
        scratch.dedup();
        for &k in &scratch {
            match self.global.add(k, doc, max) {
                Before::None => continue,
                Before::One(first) if first != doc => {
                    // The key's first document gets its per-source entry now.
                    if let Some(fs) = self.sources.get(first) {
                        self.per_source.add(source_key(k, fs), first, max);
                    }
                }
                _ => {}
            }
            if let Some(sh) = sh {
                self.per_source.add(source_key(k, sh), doc, max);
            }
        }
        self.scratch = scratch;
        self.docs += 1;
    }

    /// Adds everything `other` observed (documents disjoint from this builder's).
    pub fn merge(&mut self, other: CorpusModelBuilder) {
        let max = self.params.max_sample_eff();
        self.sources.merge(other.sources);
        self.per_source.merge(other.per_source, max, &mut |_, _| {});
        // Keys that were single on one side and now occur twice: that side's document gets
        // its per-source entry.
        let mut promoted: Vec<(u64, u32)> = Vec::new();
        self.global
            .merge(other.global, max, &mut |k, d| promoted.push((k, d)));
        for (k, d) in promoted {
            if let Some(sh) = self.sources.get(d) {
                self.per_source.add(source_key(k, sh), d, max);
            }
        }
        self.docs += other.docs;
    }

    /// Decides which keys are boilerplate. `same_text(a, b)` says whether documents `a` and
    /// `b` are near copies of each other (it is called with `a < b`, each pair at most once
    /// while the memo holds it).
    pub fn build(&self, same_text: &dyn Fn(u32, u32) -> bool) -> CorpusModel {
        let CorpusModelBuilder {
            params,
            global,
            per_source,
            ..
        } = self;
        let mut cache = PairCache {
            f: same_text,
            memo: AHashMap::new(),
        };
        let mut recurring = AHashSet::new();
        global.decide(params.min_groups_eff(), &mut cache, &mut recurring);
        let mut recurring_wide = AHashSet::new();
        global.decide(
            params.min_groups_long.max(params.min_groups_eff()),
            &mut cache,
            &mut recurring_wide,
        );
        let mut in_source = AHashSet::new();
        per_source.decide(
            params.min_groups_in_source_eff(),
            &mut cache,
            &mut in_source,
        );
        recurring.shrink_to_fit();
        in_source.shrink_to_fit();
        recurring_wide.shrink_to_fit();
        CorpusModel {
            recurring,
            recurring_wide,
            in_source,
            min_tokens: params.min_tokens,
            long_tokens: params.long_tokens,
        }
    }
}

impl CorpusModelBuilder {
    /// The keys that [`build`](Self::build) would learn among `keys` if document `doc` (an id
    /// above every observed one, of `source`, with line keys `keys`) were observed too, without
    /// observing it: a model to [`CorpusModel::union`] with this builder's model. Adding a
    /// document only ever adds learned keys (counts grow; a larger id joins a sample at its
    /// end, so the groups formed before it stay), and only among its own keys, so the union is
    /// exactly the model of the corpus with the document. `same_text` must also answer for
    /// `doc`. The work is proportional to the document's keys, not to the corpus.
    pub fn learned_with(
        &self,
        doc: u32,
        source: Option<&str>,
        keys: &[u64],
        same_text: &dyn Fn(u32, u32) -> bool,
    ) -> CorpusModel {
        let mut t = CorpusModelBuilder::new(self.params);
        let sh = source.map(source_hash);
        let mut ks = keys.to_vec();
        ks.sort_unstable();
        ks.dedup();
        for &k in &ks {
            self.global.copy_entry(k, &mut t.global);
            if let Some(&first) = self.global.single.get(&k) {
                if let Some(fs) = self.sources.get(first) {
                    t.sources.insert(first, fs);
                }
            }
            if let Some(sh) = sh {
                self.per_source
                    .copy_entry(source_key(k, sh), &mut t.per_source);
            }
        }
        t.observe(doc, source, &ks);
        t.build(same_text)
    }
}

impl Table {
    /// Copies the entry of `key`, if any, into `to`.
    fn copy_entry(&self, key: u64, to: &mut Table) {
        if let Some(m) = self.multi.get(&key) {
            to.multi.insert(key, m.clone());
        } else if let Some(&d) = self.single.get(&key) {
            to.single.insert(key, d);
        }
    }
}

/// Which learned set a line table's decision feeds (see [`LearnParams::decisions`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LearnedSet {
    /// Corpus-wide recurring lines (global keys).
    Recurring,
    /// Corpus-wide lines recurring widely enough to be learned when long (global keys).
    RecurringWide,
    /// Lines recurring within one source (per-source keys, [`source_line_keys`]).
    InSource,
}

impl LearnParams {
    /// How many of the smallest document ids are sampled per key.
    pub fn sample_size(&self) -> usize {
        self.max_sample_eff()
    }

    /// The decisions [`CorpusModelBuilder::build`] makes: for global keys (`false`) or
    /// per-source keys (`true`), the set and the number of near-copy groups it needs.
    pub fn decisions(&self) -> [(bool, LearnedSet, usize); 3] {
        [
            (false, LearnedSet::Recurring, self.min_groups_eff()),
            (
                false,
                LearnedSet::RecurringWide,
                self.min_groups_long.max(self.min_groups_eff()),
            ),
            (true, LearnedSet::InSource, self.min_groups_in_source_eff()),
        ]
    }
}

/// The decision of [`CorpusModelBuilder::build`] for one key, from its own entry: the key
/// occurs in `count` documents, `sample` holds the smallest of their ids (ascending, at most
/// [`LearnParams::sample_size`]), and `same_text` says whether two of them are near copies.
/// True when the sampled documents fall into at least `threshold` groups of near copies. Lets
/// a distributed run decide every key where its entry was aggregated.
pub fn recurs_in_groups(
    count: u64,
    sample: &[u32],
    threshold: usize,
    same_text: &dyn Fn(u32, u32) -> bool,
) -> bool {
    if (count as usize) < threshold || sample.len() < threshold {
        return false;
    }
    let mut cache = PairCache {
        f: same_text,
        memo: AHashMap::new(),
    };
    count_groups(sample, threshold, &mut cache, &mut Vec::new()) >= threshold
}

/// The per-source keys of a document's line keys (sorted, unique): the keys under which
/// [`CorpusModelBuilder`] counts a line within the document's source.
pub fn source_line_keys(source: &str, keys: &[u64]) -> Vec<u64> {
    let sh = source_hash(source);
    let mut out: Vec<u64> = keys.iter().map(|&k| source_key(k, sh)).collect();
    out.sort_unstable();
    out.dedup();
    out
}

impl CorpusModel {
    /// The model that learned exactly these keys (as decided by [`recurs_in_groups`]), with
    /// the marking thresholds of `params`.
    pub fn from_keys(
        params: &LearnParams,
        recurring: impl IntoIterator<Item = u64>,
        recurring_wide: impl IntoIterator<Item = u64>,
        in_source: impl IntoIterator<Item = u64>,
    ) -> Self {
        CorpusModel {
            recurring: recurring.into_iter().collect(),
            recurring_wide: recurring_wide.into_iter().collect(),
            in_source: in_source.into_iter().collect(),
            min_tokens: params.min_tokens,
            long_tokens: params.long_tokens,
        }
    }

    /// The learned keys: corpus-wide, corpus-wide for long lines, per source (each sorted).
    pub fn keys(&self) -> [Vec<u64>; 3] {
        let sorted = |s: &AHashSet<u64>| {
            let mut v: Vec<u64> = s.iter().copied().collect();
            v.sort_unstable();
            v
        };
        [
            sorted(&self.recurring),
            sorted(&self.recurring_wide),
            sorted(&self.in_source),
        ]
    }
}

/// The keys whose learned status differs between two models (see [`CorpusModel::changes`]).
#[derive(Debug, Default)]
pub struct ModelChange {
    global: AHashSet<u64>,
    in_source: AHashSet<u64>,
}

impl ModelChange {
    /// True when the models mark the same lines.
    pub fn is_empty(&self) -> bool {
        self.global.is_empty() && self.in_source.is_empty()
    }

    /// Whether a document of `source` with line keys `keys` may be marked differently.
    pub fn touches(&self, source: Option<&str>, keys: &[u64]) -> bool {
        if self.is_empty() {
            return false;
        }
        let sh = source.map(source_hash);
        keys.iter().any(|&k| {
            self.global.contains(&k)
                || sh.is_some_and(|sh| self.in_source.contains(&source_key(k, sh)))
        })
    }
}

/// The learned boilerplate lines of a corpus.
#[derive(Clone, Default)]
pub struct CorpusModel {
    recurring: AHashSet<u64>,
    /// Keys recurring in at least `min_groups_long` groups (long lines need these).
    recurring_wide: AHashSet<u64>,
    in_source: AHashSet<u64>,
    min_tokens: usize,
    long_tokens: usize,
}

impl std::fmt::Debug for CorpusModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CorpusModel")
            .field("recurring", &self.recurring.len())
            .field("in_source", &self.in_source.len())
            .field("min_tokens", &self.min_tokens)
            .finish()
    }
}

impl CorpusModel {
    /// A model that knows nothing (cues only).
    pub fn empty() -> Self {
        CorpusModel::default()
    }

    /// Why the line with `key` is boilerplate in a document of `source`, if it is.
    pub fn reason(&self, source: Option<&str>, key: u64) -> Option<Reason> {
        self.reason_hashed(source.map(source_hash), key, 0)
    }

    /// Like [`CorpusModel::reason`] for a line of `tokens` tokens: long lines need to recur
    /// more widely.
    pub fn reason_for_line(&self, source: Option<&str>, key: u64, tokens: usize) -> Option<Reason> {
        self.reason_hashed(source.map(source_hash), key, tokens)
    }

    #[inline]
    pub(crate) fn reason_hashed(
        &self,
        source_hash: Option<u64>,
        key: u64,
        tokens: usize,
    ) -> Option<Reason> {
        let global = if self.long_tokens > 0 && tokens >= self.long_tokens {
            &self.recurring_wide
        } else {
            &self.recurring
        };
        if global.contains(&key) {
            return Some(Reason::Recurring);
        }
        match source_hash {
            Some(sh) if !self.in_source.is_empty() => self
                .in_source
                .contains(&source_key(key, sh))
                .then_some(Reason::RecurringInSource),
            _ => None,
        }
    }

    /// This model with the keys `other` learned added.
    pub fn union(&self, other: &CorpusModel) -> CorpusModel {
        let mut m = self.clone();
        m.recurring.extend(&other.recurring);
        m.recurring_wide.extend(&other.recurring_wide);
        m.in_source.extend(&other.in_source);
        m
    }

    /// The keys learned in one of `self` and `old` but not in the other.
    pub fn changes(&self, old: &CorpusModel) -> ModelChange {
        let sym = |x: &AHashSet<u64>, y: &AHashSet<u64>| -> AHashSet<u64> {
            x.symmetric_difference(y).copied().collect()
        };
        let mut global = sym(&self.recurring, &old.recurring);
        global.extend(sym(&self.recurring_wide, &old.recurring_wide));
        ModelChange {
            global,
            in_source: sym(&self.in_source, &old.in_source),
        }
    }

    /// True when both models learned exactly the same keys (parameters aside).
    pub fn same_keys(&self, other: &CorpusModel) -> bool {
        self.recurring == other.recurring
            && self.recurring_wide == other.recurring_wide
            && self.in_source == other.in_source
    }

    /// Least tokens of a learned line for it to be marked.
    pub fn min_tokens(&self) -> usize {
        self.min_tokens
    }

    /// Number of learned keys (corpus-wide and per source).
    pub fn len(&self) -> usize {
        self.recurring.len() + self.in_source.len()
    }

    /// True when nothing was learned.
    pub fn is_empty(&self) -> bool {
        self.recurring.is_empty() && self.in_source.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(t: &Table, key: u64) -> (u32, Vec<u32>) {
        let (c, ids) = t.get(key).unwrap();
        (c, ids.to_vec())
    }

    #[test]
    fn sample_keeps_smallest_ids_in_any_order() {
        let mut t = Table::default();
        for d in [9, 3, 7, 1, 8, 2, 6, 3] {
            t.add(42, d, 4);
        }
        assert_eq!(sample(&t, 42), (7, vec![1, 2, 3, 6]));
        t.add(5, 1, 4);
        t.add(5, 1, 4);
        assert_eq!(sample(&t, 5), (1, vec![1]));
    }

    #[test]
    fn table_merge_is_order_free() {
        for split in 0..3u32 {
            let mut a = Table::default();
            let mut b = Table::default();
            let mut all = Table::default();
            let mut promoted = Vec::new();
            for d in 0..20u32 {
                let k = (d % 4) as u64 + if d < 2 { 10 } else { 0 };
                if (d + split) % 3 == 0 {
                    a.add(k, d, 5);
                } else {
                    b.add(k, d, 5);
                }
                all.add(k, d, 5);
            }
            a.merge(b, 5, &mut |k, d| promoted.push((k, d)));
            for k in [0, 1, 2, 3, 10, 11] {
                assert_eq!(sample(&a, k), sample(&all, k), "key {k}");
            }
        }
    }

    #[test]
    fn greedy_groups() {
        let f = |a: u32, b: u32| a / 10 == b / 10;
        let mut c = PairCache {
            f: &f,
            memo: AHashMap::new(),
        };
        let mut reps = Vec::new();
        assert_eq!(count_groups(&[1, 2, 3, 11, 12], 2, &mut c, &mut reps), 2);
        assert!(count_groups(&[1, 2, 3, 11, 12], 3, &mut c, &mut reps) < 3);
        assert_eq!(count_groups(&[1, 11, 21], 3, &mut c, &mut reps), 3);
    }

    #[test]
    fn doc_sources_merge() {
        let mut a = DocSources::default();
        let mut b = DocSources::default();
        a.insert(1, 10);
        a.insert(5, 50);
        b.insert(3, 30);
        b.insert(7, 70);
        a.merge(b);
        assert_eq!(a.docs, [1, 3, 5, 7]);
        assert_eq!(a.get(3), Some(30));
        assert_eq!(a.get(7), Some(70));
        assert_eq!(a.get(4), None);
    }

    /// `learned_with` plus the base model is the model of the corpus with the document, for
    /// random corpora with sources, shared lines and near-copies.
    #[test]
    fn learned_with_equals_building_with_the_document() {
        let mut state = 7u64;
        let mut next = move |m: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % m
        };
        let params = LearnParams {
            min_groups: 3,
            min_groups_in_source: 2,
            max_sample: 4,
            min_tokens: 1,
            long_tokens: 0,
            min_groups_long: 6,
        };
        for round in 0..200 {
            let n = 2 + next(14) as u32;
            let docs: Vec<(Option<String>, Vec<u64>)> = (0..=n)
                .map(|_| {
                    let src = match next(3) {
                        0 => None,
                        s => Some(format!("site{s}")),
                    };
                    let keys = (0..1 + next(6)).map(|_| next(10)).collect();
                    (src, keys)
                })
                .collect();
            // Documents whose ids differ by a multiple of 5 are near-copies.
            let same = |a: u32, b: u32| a.abs_diff(b).is_multiple_of(5);
            let mut b = CorpusModelBuilder::new(params);
            for (i, (src, keys)) in docs[..n as usize].iter().enumerate() {
                b.observe(i as u32, src.as_deref(), keys);
            }
            let base = b.build(&same);
            let (src, keys) = &docs[n as usize];
            let extra = b.learned_with(n, src.as_deref(), keys, &same);
            b.observe(n, src.as_deref(), keys);
            let full = b.build(&same);
            assert!(base.union(&extra).same_keys(&full), "round {round}");
            let change = full.changes(&base);
            for (i, (src, keys)) in docs.iter().enumerate() {
                let differs = keys
                    .iter()
                    .any(|&k| full.reason(src.as_deref(), k) != base.reason(src.as_deref(), k));
                if differs {
                    assert!(
                        change.touches(src.as_deref(), keys),
                        "round {round} doc {i}"
                    );
                }
            }
        }
    }
}
