//! Pipeline steps 8 and 9 of retold: **clustering** and **provenance**.
//!
//! This crate owns everything that happens after pairs of documents have been aligned and
//! classified:
//!
//! * [`cluster`] — reproduction clusters from verified, weighted doc–doc edges
//!   (`duplicate` / `rewrite` / `translation`), guarded against chaining;
//! * [`stories`] — story clusters one level above, grouping whole reproduction clusters
//!   linked by `related` edges, with the same guard;
//! * [`keep_list`] — which document of each cluster survives deduplication
//!   ([`KeepPolicy`]);
//! * [`provenance`] — which member of a cluster is most likely the original, and why.
//! * [`components`] — plain connected components of pairs (union-find), for callers that need
//!   no guard (the Spark job's stages, eval's gold groups, provenance's copies of one text).
//!
//! It knows nothing about text: it works on document indices, edge weights and a few
//! per-document facts ([`DocEvidence`], [`Containment`]) computed upstream. Everything here is
//! deterministic (same input → same output, whatever the order of the edges or the number of
//! threads) and never panics, prints or exits on any input.
//!
//! # The chaining guard
//!
//! Plain transitive closure over near-duplicate edges is how MinHash deduplicators end up with
//! one "cluster" of hundreds of thousands of unrelated documents: a few weak edges (template
//! text, boilerplate, a shared quote) bridge otherwise separate groups. [`cluster`] therefore
//! runs a *guarded* union–find:
//!
//! 1. Edges are cleaned (self-loops, out-of-range endpoints and NaN or negative weights are
//!    dropped; weights are clamped to `0..=1`; parallel edges between the same two documents
//!    are collapsed to the heaviest one), then sorted by descending weight, ties by `(a, b)`
//!    with `a < b`. The input order never matters.
//! 2. Edges are processed in that order. For an edge between two different components `A`
//!    and `B`, the *link count* `L` is the number of edges in the whole (cleaned) edge list
//!    with one end in `A` and the other in `B`, and the *link density* is
//!    `L / (|A|·|B|)`. Write `s` for [`GuardParams::strong`] and `d` for
//!    [`GuardParams::min_link_density`]. The edge merges `A` and `B` when
//!    * **both are singletons**, or a singleton meets a component of size 1 or 2: always (any
//!      verified edge, weight ≥ 0, may start or extend a small group);
//!    * **a singleton meets a component of size ≥ 3**: if the edge weight is ≥ `s`, or the
//!      singleton has edges to at least `d/2` of the component's members (`L ≥ d/2 · |B|`);
//!    * **both have ≥ 2 members**: if (weight ≥ `s` **and** density ≥ `d/2`) **or**
//!      density ≥ `d`.
//! 3. Otherwise the edge is kept as a link but does not merge anything. A refusal is
//!    remembered for that pair of component states: since weights only decrease, a later
//!    edge between the same two unchanged components would be refused too.
//!
//! With the defaults (`s = 0.85`, `d = 0.5`): two dense cliques joined by one weak or strong
//! edge stay apart; a path of weak edges `0-1-2-…` grows to five documents (a newcomer
//! linked to one member needs that member to be ≥ a quarter of the group) and the sixth
//! starts a new group; a path of strong edges is merged (strong edges between singletons are
//! trusted: that is what an exact or near-exact copy looks like).
//!
//! Link counts are computed by scanning the adjacency lists of the members of the side with
//! the smaller total degree (member lists are kept as circular linked lists, merged in
//! O(1); union by size with path halving), so the total cost is `O(E log E)` for sorting
//! plus, in practice, near-linear work for the merges.
//!
//! ```
//! use retold_cluster::{cluster, keep_list, Edge, GuardParams, KeepPolicy};
//!
//! // Two groups of three copies, bridged by one weak edge (shared template text).
//! let e = |a, b, weight| Edge { a, b, weight };
//! let edges = [
//!     e(0, 1, 0.95), e(0, 2, 0.9), e(1, 2, 0.9),
//!     e(3, 4, 0.95), e(3, 5, 0.9), e(4, 5, 0.9),
//!     e(2, 3, 0.4),
//! ];
//! let clusters = cluster(6, &edges, GuardParams::default());
//! assert_eq!(clusters, [0, 0, 0, 3, 3, 3]);
//! let lengths = [100, 300, 200, 50, 50, 60];
//! assert_eq!(keep_list(&clusters, KeepPolicy::Longest, &lengths, &|_| None), [1, 5]);
//! ```
//!
//! # Provenance
//!
//! See [`provenance`] for the evidence, its weights and when the answer is "undetermined".

mod components;
mod guard;
mod keep;
mod provenance;

pub use components::components;
pub use guard::{cluster, stories, Edge, GuardParams};
pub use keep::{keep_list, KeepPolicy, ParseKeepPolicyError};
pub use provenance::{
    provenance, provenance_weighted, Containment, DocEvidence, PairVotes, Provenance,
    ProvenanceInput, Weights, EVIDENCE_KINDS,
};
