//! `retold_sketch` owns the fingerprint and candidate steps of the pipeline (DESIGN.md steps 4
//! and 5) for lexical similarity: the exact-copy key of a document, MinHash signatures, LSH
//! banding into candidate pairs, and winnowed passage seeds with their inverted index. It sees
//! only sequences of token hashes (`&[u64]`, from `retold_text`) and document ids (`u32`, the
//! index in input order); it knows nothing of text, files or languages. Because tokens of
//! Chinese, Japanese and Thai are single characters, word shingles there are character n-grams
//! with no special case here.
//!
//! # Exact key
//!
//! [`exact_hash`] is XXH3-64 of the token-hash sequence: equal for texts that differ only in
//! case, punctuation, whitespace or formatting.
//!
//! # MinHash: one-permutation hashing with optimal densification
//!
//! Classic MinHash applies `K` hash functions to every shingle (`K` = `num_perm`, 128): O(K)
//! work per token. [`MinHasher`] instead uses **one-permutation hashing** (Li, Owen & Zhang,
//! 2012): every shingle is hashed once, and the hash picks one of `K` bins and a value.
//!
//! 1. *Shingles.* A shingle is `shingle` (5) consecutive tokens, hashed with a polynomial rolling
//!    hash `Σ tᵢ·Bᵏ⁻¹⁻ⁱ mod 2⁶⁴` that is updated in O(1) per token (multiply, subtract the
//!    leaving token, add the entering one) with no allocation. A document with fewer tokens than
//!    `shingle` has one shingle of all its tokens.
//! 2. *Bin and value.* The shingle hash, xor-ed with a key derived from `seed`, goes through a
//!    bijective 64-bit finaliser `x`. The bin is `⌊(x >> 32) · K / 2³²⌋` (multiply-shift, any
//!    `K`), the value is the low 32 bits of `x`; each bin keeps its minimum value. Within a bin
//!    this is ordinary min-wise hashing of the shingles that land there, so for two documents
//!    with Jaccard similarity `J` a bin that is non-empty in both holds equal values with
//!    probability `J` (plus a 2⁻³² chance collision).
//! 3. *Densification.* A document with fewer shingles than about `K·ln K` leaves some bins
//!    empty. We apply **optimal densification** (Shrivastava, ICML 2017): each empty bin `i`
//!    probes the bins in its own pseudo-random order — fixed by the seed, the same for every
//!    document — and copies the value of the first non-empty bin it meets. Because the order
//!    depends only on `i`, two documents whose non-empty bins agree pick the same donor, and the
//!    donor is uniform among the non-empty bins and independent across empty bins, which is what
//!    makes the estimator unbiased with variance close to that of `K` independent permutations.
//!    The probe orders (bins sorted by a keyed hash of `(i, j)`) and their inverse (the rank
//!    of every bin in every order) are precomputed for `K ≤ 1024` (`2·K²` `u16`s: 64 KiB at
//!    128). With `m` non-empty bins, either every empty bin walks its order eight probes at a
//!    time (expected `(K+1)/(m+1)` probes), or — when `m` is small — the least rank among the
//!    non-empty bins is found for all empty bins at once as an element-wise minimum over `m`
//!    rank columns of length `K` (vectorised). Both yield the same donor; the faster is chosen.
//!    The work becomes negligible after a few hundred tokens (with 500 shingles about 2.6 of 128
//!    bins are empty).
//! 4. *Empty documents* keep [`EMPTY_BIN`] (`u32::MAX`) in every bin; real values are clamped
//!    below it. [`jaccard_estimate`] never counts such a position as equal, so an empty document
//!    matches nothing, not even another empty one, and [`LshIndex`] does not index it.
//!
//! **Accuracy.** [`jaccard_estimate`] is the fraction of equal positions. For documents with
//! many more shingles than bins its standard error is about `√(J(1−J)/K)` — 0.044 at `J = 0.5`,
//! `K = 128` (one-permutation hashing samples without replacement, so slightly better than `K`
//! independent permutations). For short documents densification copies values between bins,
//! which correlates them and raises the variance somewhat, but the estimate stays unbiased. The
//! unit tests assert, over 200 random pairs per case at `K = 128`, a mean absolute error below
//! 0.1 and a bias below 0.03 for `J` from 0.1 to 0.9 and sets of 12 to 1000 elements; the
//! measured values are a mean absolute error of 0.019–0.041 and a bias of at most 0.008.
//!
//! **Speed.** Per token: one rolling update, one 64-bit finaliser, one multiply-shift and a
//! branch-free minimum stored into a 512-byte array. `cargo run --release -p retold_sketch --example
//! throughput` reports MB/s (6 bytes of text per token assumed). Measured single-threaded at
//! `K = 128`, shingle 5, on a shared 2.6 GHz AMD EPYC (release profile, baseline x86-64, no
//! `target-cpu`): about 500 M tokens/s (3.0 GB/s) on 5000-token documents, 2.7 GB/s at 500
//! tokens, 0.7 GB/s at 100 tokens and 0.23 GB/s at 20 tokens, where densifying ~113 empty bins
//! dominates.
//!
//! # LSH banding
//!
//! [`LshParams::for_threshold`] picks `bands × rows ≤ num_perm` minimising the integrated false
//! positive probability below the threshold plus the integrated false negative probability above
//! it (equal weights, Simpson's rule, exhaustive search). [`LshIndex`] keeps one flat
//! `Vec<(band hash, doc)>` per band, sorts copies when pairs are requested (bands in parallel)
//! and reads buckets off as runs; oversized buckets contribute only a chain of consecutive
//! members, keeping candidate generation sub-quadratic. Output is sorted and deterministic.
//!
//! # Passage seeds
//!
//! [`passage_seeds`] winnows the hashes of `k`-token shingles (Schleimer et al., 2003): any run
//! of `window + k − 1` shared tokens yields a shared seed. [`SeedIndex`] is a flat
//! `Vec<(seed, doc)>`; pairs are counted by sorting packed pair keys, seeds in more than `max_df`
//! documents (templates) are ignored, so the work is bounded by `max_df ×` entries. The same
//! index over anchor terms (numbers, acronyms: `retold_text::anchors`) gives candidates that
//! survive translation.
//!
//! # Beyond memory
//!
//! [`LshIndex::spill`] and [`SeedIndex::spill`] move the entries held in memory to sorted runs
//! on disk (`retold_runs`); `candidate_pairs` then merges the runs with what is still in
//! memory into the same buckets and posting lists, in the same order, so the pairs do not
//! depend on when or how often an index spilled. Spilling is for batch runs: `query` and
//! `sort` read only the entries in memory.
//!
//! # Nearest neighbours (feature `ann`)
//!
//! `ann::neighbour_pairs` pairs each document embedding with its `k` nearest neighbours overall
//! and its nearest neighbours in other groups (languages), over one index per group (exact
//! search for small groups, HNSW above), for rewrites and translations.

#[cfg(feature = "ann")]
pub mod ann;
mod hash;
mod lsh;
mod minhash;
mod pairs;
mod seeds;
mod sentkeys;

pub use hash::exact_hash;
pub use lsh::{LshIndex, LshParams};
pub use minhash::{jaccard_estimate, MinHashParams, MinHasher, EMPTY_BIN};
pub use pairs::{pack as pack_pair, shared_pairs, unpack as unpack_pair};
pub use retold_runs::RunsError;
pub use seeds::{passage_seeds, SeedIndex, SeedParams};
pub use sentkeys::{sentence_keys, SentenceKeyParams};
