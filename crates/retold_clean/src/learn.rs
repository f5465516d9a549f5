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
}

impl Default for LearnParams {
    fn default() -> Self {
        LearnParams {
            min_groups: 3,
            min_groups_in_source: 2,
            max_sample: 16,
            min_tokens: 1,
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
    }
}

/// No sample slot.
const NONE: u32 = u32::MAX;

/// Per key: 12 bytes. The first (smallest) document id is inline; keys seen in two or more
/// documents get a slot in the sample arena for the others.
#[derive(Debug, Clone, Copy)]
struct Entry {
    count: u32,
    first: u32,
    rest: u32,
}

/// Counts and samples of line keys.
#[derive(Debug, Default)]
struct Table {
    map: AHashMap<u64, Entry>,
    /// Sorted sample ids after `first`, at most `max_sample - 1` of them.
    rest: Vec<Vec<u32>>,
}

/// Adds `doc` to the sample of `e` (which keeps the smallest `max` ids, `first` the smallest).
fn insert_sample(e: &mut Entry, mut doc: u32, arena: &mut Vec<Vec<u32>>, max: usize) {
    if doc == e.first {
        return;
    }
    if doc < e.first {
        std::mem::swap(&mut doc, &mut e.first);
    }
    if max <= 1 {
        return;
    }
    if e.rest == NONE {
        if arena.len() >= NONE as usize {
            return;
        }
        e.rest = arena.len() as u32;
        arena.push(Vec::with_capacity(1));
    }
    let v = &mut arena[e.rest as usize];
    if let Err(pos) = v.binary_search(&doc) {
        if v.len() < max - 1 {
            v.insert(pos, doc);
        } else if pos < v.len() {
            v.pop();
            v.insert(pos, doc);
        }
    }
}

impl Table {
    #[inline]
    fn add(&mut self, key: u64, doc: u32, max: usize) {
        match self.map.entry(key) {
            MapEntry::Vacant(v) => {
                v.insert(Entry {
                    count: 1,
                    first: doc,
                    rest: NONE,
                });
            }
            MapEntry::Occupied(mut o) => {
                let e = o.get_mut();
                e.count = e.count.saturating_add(1);
                insert_sample(e, doc, &mut self.rest, max);
            }
        }
    }

    fn merge(&mut self, mut other: Table, max: usize) {
        if other.map.len() > self.map.len() {
            std::mem::swap(self, &mut other);
        }
        let Table {
            map,
            rest: mut other_rest,
        } = other;
        for (key, oe) in map {
            let more = if oe.rest == NONE {
                Vec::new()
            } else {
                std::mem::take(&mut other_rest[oe.rest as usize])
            };
            match self.map.entry(key) {
                MapEntry::Vacant(v) => {
                    let mut e = Entry {
                        count: oe.count,
                        first: oe.first,
                        rest: NONE,
                    };
                    for d in more {
                        insert_sample(&mut e, d, &mut self.rest, max);
                    }
                    v.insert(e);
                }
                MapEntry::Occupied(mut o) => {
                    let e = o.get_mut();
                    e.count = e.count.saturating_add(oe.count);
                    insert_sample(e, oe.first, &mut self.rest, max);
                    for d in more {
                        insert_sample(e, d, &mut self.rest, max);
                    }
                }
            }
        }
    }

    /// Keys whose sampled documents fall into at least `threshold` groups of near-copies.
    fn decide(
        self,
        threshold: usize,
        same: &mut PairCache<'_>,
        out: &mut AHashSet<u64>,
    ) {
        let mut ids: Vec<u32> = Vec::new();
        let mut reps: Vec<u32> = Vec::new();
        for (key, e) in &self.map {
            if (e.count as usize) < threshold {
                continue;
            }
            ids.clear();
            ids.push(e.first);
            if e.rest != NONE {
                ids.extend_from_slice(&self.rest[e.rest as usize]);
            }
            if count_groups(&ids, threshold, same, &mut reps) >= threshold {
                out.insert(*key);
            }
        }
    }
}

/// Greedy grouping of `ids` (ascending) into near-copy groups: each id joins the first group
/// whose representative (its smallest id) it is a near copy of, or starts a new group. Stops
/// early once the answer relative to `threshold` is known; returns the groups counted.
fn count_groups(ids: &[u32], threshold: usize, same: &mut PairCache<'_>, reps: &mut Vec<u32>) -> usize {
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
#[derive(Debug)]
pub struct CorpusModelBuilder {
    params: LearnParams,
    global: Table,
    per_source: Table,
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
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        scratch.extend_from_slice(keys);
        scratch.sort_unstable();
        scratch.dedup();
        let sh = source.map(source_hash);
        for &k in &scratch {
            self.global.add(k, doc, max);
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
        self.global.merge(other.global, max);
        self.per_source.merge(other.per_source, max);
        self.docs += other.docs;
    }

    /// Decides which keys are boilerplate. `same_text(a, b)` says whether documents `a` and
    /// `b` are near copies of each other (it is called with `a < b`, each pair at most once
    /// while the memo holds it).
    pub fn build(self, same_text: &dyn Fn(u32, u32) -> bool) -> CorpusModel {
        let mut cache = PairCache {
            f: same_text,
            memo: AHashMap::new(),
        };
        let mut recurring = AHashSet::new();
        self.global
            .decide(self.params.min_groups_eff(), &mut cache, &mut recurring);
        let mut in_source = AHashSet::new();
        self.per_source.decide(
            self.params.min_groups_in_source_eff(),
            &mut cache,
            &mut in_source,
        );
        recurring.shrink_to_fit();
        in_source.shrink_to_fit();
        CorpusModel {
            recurring,
            in_source,
            min_tokens: self.params.min_tokens,
        }
    }
}

/// The learned boilerplate lines of a corpus.
#[derive(Clone, Default)]
pub struct CorpusModel {
    recurring: AHashSet<u64>,
    in_source: AHashSet<u64>,
    min_tokens: usize,
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
        self.reason_hashed(source.map(source_hash), key)
    }

    #[inline]
    pub(crate) fn reason_hashed(&self, source_hash: Option<u64>, key: u64) -> Option<Reason> {
        if self.recurring.contains(&key) {
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

    fn sample(t: &Table, key: u64) -> Vec<u32> {
        let e = t.map[&key];
        let mut v = vec![e.first];
        if e.rest != NONE {
            v.extend_from_slice(&t.rest[e.rest as usize]);
        }
        v
    }

    #[test]
    fn sample_keeps_smallest_ids_in_any_order() {
        let mut t = Table::default();
        for d in [9, 3, 7, 1, 8, 2, 6] {
            t.add(42, d, 4);
        }
        assert_eq!(sample(&t, 42), [1, 2, 3, 6]);
        assert_eq!(t.map[&42].count, 7);
    }

    #[test]
    fn table_merge_is_order_free() {
        let mut a = Table::default();
        let mut b = Table::default();
        let mut all = Table::default();
        for d in 0..20u32 {
            let k = (d % 3) as u64;
            if d % 2 == 0 {
                a.add(k, d, 5)
            } else {
                b.add(k, d, 5)
            }
            all.add(k, d, 5);
        }
        a.merge(b, 5);
        for k in 0..3 {
            assert_eq!(sample(&a, k), sample(&all, k));
            assert_eq!(a.map[&k].count, all.map[&k].count);
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
}
