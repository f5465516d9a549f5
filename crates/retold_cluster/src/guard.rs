//! Guarded union–find: reproduction clusters and story clusters.

use ahash::{AHashMap, AHashSet};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// A verified doc–doc edge.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Edge {
    /// One document index.
    pub a: u32,
    /// The other document index.
    pub b: u32,
    /// Strength of the edge in `0..=1`: classifier confidence × similarity.
    pub weight: f32,
}

/// Parameters of the chaining guard (see the crate docs for the exact rule).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GuardParams {
    /// An edge at least this heavy is "strong": it can attach a singleton to any component
    /// and merge two groups whose link density is at least half of `min_link_density`.
    /// Default 0.85.
    pub strong: f32,
    /// Link density (edges between two groups ÷ product of their sizes) that merges two
    /// groups whatever the edge weight. Default 0.5.
    pub min_link_density: f32,
}

impl Default for GuardParams {
    fn default() -> Self {
        GuardParams {
            strong: 0.85,
            min_link_density: 0.5,
        }
    }
}

/// Reproduction clusters.
///
/// Returns, for each document `0..n`, its cluster id: the smallest document index in its
/// cluster. Documents without edges are their own cluster. Edges are merged under the
/// chaining guard described in the crate docs; the result does not depend on the order of
/// `edges`. Edges naming a document `>= n`, self-loops and NaN or negative weights are ignored.
pub fn cluster(n: usize, edges: &[Edge], guard: GuardParams) -> Vec<u32> {
    let edges = prepare(n, edges);
    let mut forest = Forest::new(n, &edges);
    forest.run(&edges, guard);
    forest.labels()
}

/// Story clusters one level above the reproduction clusters.
///
/// `clusters[i]` is the cluster label of document `i` (as returned by [`cluster`]; any
/// labels work, documents past the end of `clusters` are their own cluster). `links` are
/// doc-level edges (typically `related`, possibly also `partial`). Each reproduction cluster
/// becomes one node; two clusters are linked with the weight of the heaviest link between
/// their documents, and the same guard as [`cluster`] is run over these cluster nodes, so
/// link density is measured in *clusters* (one syndicated article copied 50 times counts
/// once). `clusters` is never split: every story is a union of whole clusters.
///
/// Returns the story id of each document `0..n`: the smallest document index in its story.
pub fn stories(n: usize, clusters: &[u32], links: &[Edge], guard: GuardParams) -> Vec<u32> {
    // Node per distinct cluster label, numbered in order of first appearance, i.e. by the
    // smallest document index of the cluster, so node order (and every tie-break of the
    // guard) follows document order.
    let mut node_of_label: AHashMap<u64, u32> = AHashMap::new();
    let mut node_of_doc: Vec<u32> = Vec::with_capacity(n);
    let mut first_doc: Vec<u32> = Vec::new();
    for doc in 0..n {
        let label = match clusters.get(doc) {
            Some(&c) => u64::from(c),
            None => (1u64 << 32) | doc as u64,
        };
        let next = first_doc.len() as u32;
        let node = *node_of_label.entry(label).or_insert(next);
        if node == next {
            first_doc.push(doc as u32);
        }
        node_of_doc.push(node);
    }
    let node_edges: Vec<Edge> = links
        .iter()
        .filter_map(|e| {
            let na = *node_of_doc.get(e.a as usize)?;
            let nb = *node_of_doc.get(e.b as usize)?;
            (na != nb).then_some(Edge {
                a: na,
                b: nb,
                weight: e.weight,
            })
        })
        .collect();
    let story_node = cluster(first_doc.len(), &node_edges, guard);
    node_of_doc
        .iter()
        .map(|&node| first_doc[story_node[node as usize] as usize])
        .collect()
}

/// Cleans, deduplicates and orders the edges: `a < b < n`, weights in `0..=1`, one edge per
/// pair (the heaviest), sorted by descending weight then `(a, b)`.
fn prepare(n: usize, edges: &[Edge]) -> Vec<Edge> {
    let mut out: Vec<Edge> = edges
        .par_iter()
        .filter_map(|e| {
            let (a, b) = if e.a <= e.b { (e.a, e.b) } else { (e.b, e.a) };
            if a == b || b as usize >= n || e.weight.is_nan() || e.weight < 0.0 {
                return None;
            }
            // Also turns -0.0 into 0.0 so that the total order below has no surprises.
            let weight = if e.weight == 0.0 {
                0.0
            } else {
                e.weight.min(1.0)
            };
            Some(Edge { a, b, weight })
        })
        .collect();
    out.par_sort_unstable_by(|x, y| {
        (x.a, x.b)
            .cmp(&(y.a, y.b))
            .then(y.weight.total_cmp(&x.weight))
    });
    out.dedup_by(|later, first| later.a == first.a && later.b == first.b);
    // Keys are now unique, so the unstable sort is deterministic.
    out.par_sort_unstable_by(|x, y| {
        y.weight
            .total_cmp(&x.weight)
            .then((x.a, x.b).cmp(&(y.a, y.b)))
    });
    out
}

/// Union–find with member lists, degree sums and a CSR adjacency of the full edge list.
struct Forest {
    parent: Vec<u32>,
    size: Vec<u32>,
    /// Sum of the degrees of the members (valid at roots).
    degree_sum: Vec<u64>,
    /// Circular linked list of the members of each component.
    next: Vec<u32>,
    /// CSR adjacency: neighbours of `v` are `adj[offsets[v]..offsets[v + 1]]`.
    offsets: Vec<usize>,
    adj: Vec<u32>,
}

impl Forest {
    fn new(n: usize, edges: &[Edge]) -> Self {
        let mut degree = vec![0usize; n];
        for e in edges {
            degree[e.a as usize] += 1;
            degree[e.b as usize] += 1;
        }
        let mut offsets = Vec::with_capacity(n + 1);
        offsets.push(0usize);
        let mut total = 0usize;
        for &d in &degree {
            total += d;
            offsets.push(total);
        }
        let mut fill: Vec<usize> = offsets[..n].to_vec();
        let mut adj = vec![0u32; total];
        for e in edges {
            adj[fill[e.a as usize]] = e.b;
            fill[e.a as usize] += 1;
            adj[fill[e.b as usize]] = e.a;
            fill[e.b as usize] += 1;
        }
        Forest {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
            degree_sum: degree.iter().map(|&d| d as u64).collect(),
            next: (0..n as u32).collect(),
            offsets,
            adj,
        }
    }

    fn find(&mut self, x: u32) -> u32 {
        crate::components::find(&mut self.parent, x)
    }

    /// Number of edges between the components rooted at `ra` and `rb`, counted by scanning
    /// the side with the smaller degree sum.
    fn links_between(&mut self, ra: u32, rb: u32) -> u64 {
        let (scan, target) = if (self.degree_sum[ra as usize], self.size[ra as usize], ra)
            <= (self.degree_sum[rb as usize], self.size[rb as usize], rb)
        {
            (ra, rb)
        } else {
            (rb, ra)
        };
        let mut count = 0u64;
        let mut member = scan;
        loop {
            let (lo, hi) = (
                self.offsets[member as usize],
                self.offsets[member as usize + 1],
            );
            for i in lo..hi {
                let v = self.adj[i];
                if self.find(v) == target {
                    count += 1;
                }
            }
            member = self.next[member as usize];
            if member == scan {
                break;
            }
        }
        count
    }

    fn union(&mut self, ra: u32, rb: u32) {
        let (big, small) = if (self.size[ra as usize], rb) >= (self.size[rb as usize], ra) {
            (ra, rb)
        } else {
            (rb, ra)
        };
        self.parent[small as usize] = big;
        self.size[big as usize] += self.size[small as usize];
        self.degree_sum[big as usize] += self.degree_sum[small as usize];
        self.next.swap(big as usize, small as usize);
    }

    fn run(&mut self, edges: &[Edge], guard: GuardParams) {
        let half = f64::from(guard.min_link_density) / 2.0;
        let full = f64::from(guard.min_link_density);
        // Refused merges, keyed by the state (root, size) of both components. A component's
        // size only grows, and a root stays a root until it is merged away, so the key
        // identifies the exact member sets.
        let mut refused: AHashSet<(u32, u32, u32, u32)> = AHashSet::new();
        for e in edges {
            let ra = self.find(e.a);
            let rb = self.find(e.b);
            if ra == rb {
                continue;
            }
            let (sa, sb) = (self.size[ra as usize], self.size[rb as usize]);
            let strong = e.weight >= guard.strong;
            let merge = if sa.min(sb) == 1 && (sa.max(sb) < 3 || strong) {
                true
            } else {
                let key = if ra < rb {
                    (ra, sa, rb, sb)
                } else {
                    (rb, sb, ra, sa)
                };
                if refused.contains(&key) {
                    false
                } else {
                    let links = self.links_between(ra, rb) as f64;
                    let ok = if sa.min(sb) == 1 {
                        // A singleton joining a group of >= 3: it must be linked to at
                        // least half the minimum density's share of the members.
                        links >= half * f64::from(sa.max(sb))
                    } else {
                        let pairs = f64::from(sa) * f64::from(sb);
                        (strong && links >= half * pairs) || links >= full * pairs
                    };
                    if !ok {
                        refused.insert(key);
                    }
                    ok
                }
            };
            if merge {
                self.union(ra, rb);
            }
        }
    }

    /// Cluster id of every node: the smallest node index in its component.
    fn labels(&mut self) -> Vec<u32> {
        let n = self.parent.len();
        let mut smallest = vec![u32::MAX; n];
        let mut out = Vec::with_capacity(n);
        for i in 0..n as u32 {
            let r = self.find(i) as usize;
            if smallest[r] == u32::MAX {
                smallest[r] = i;
            }
            out.push(smallest[r]);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(a: u32, b: u32, weight: f32) -> Edge {
        Edge { a, b, weight }
    }

    fn clique(members: &[u32], weight: f32, out: &mut Vec<Edge>) {
        for (i, &a) in members.iter().enumerate() {
            for &b in &members[i + 1..] {
                out.push(e(a, b, weight));
            }
        }
    }

    /// Small deterministic generator (splitmix64) so tests need no extra dependency.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
        fn shuffle<T>(&mut self, v: &mut [T]) {
            for i in (1..v.len()).rev() {
                let j = self.below(i as u64 + 1) as usize;
                v.swap(i, j);
            }
        }
    }

    #[test]
    fn two_cliques_joined_by_one_weak_edge_stay_apart() {
        let mut edges = Vec::new();
        clique(&[0, 1, 2, 3, 4], 0.9, &mut edges);
        clique(&[5, 6, 7, 8, 9], 0.9, &mut edges);
        edges.push(e(4, 5, 0.6));
        let c = cluster(10, &edges, GuardParams::default());
        assert_eq!(c, vec![0, 0, 0, 0, 0, 5, 5, 5, 5, 5]);
    }

    #[test]
    fn two_cliques_joined_by_one_strong_edge_stay_apart() {
        let mut edges = Vec::new();
        clique(&[0, 1, 2, 3], 0.95, &mut edges);
        clique(&[4, 5, 6, 7], 0.95, &mut edges);
        edges.push(e(3, 4, 0.9));
        let c = cluster(8, &edges, GuardParams::default());
        assert_eq!(c, vec![0, 0, 0, 0, 4, 4, 4, 4]);
    }

    #[test]
    fn weak_chain_grows_only_as_far_as_density_allows() {
        // 0-1-2-3-4-5-6-7, all weak. The group grows while the newcomer is linked to at
        // least a quarter of it: sizes 1, 2, 3 (size < 3 needs nothing), 4 (1 of 3), 5
        // (1 of 4); the sixth document (1 of 5) starts a new group.
        let edges: Vec<Edge> = (0..7).map(|i| e(i, i + 1, 0.5)).collect();
        let c = cluster(8, &edges, GuardParams::default());
        assert_eq!(c, vec![0, 0, 0, 0, 0, 5, 5, 5]);
        let long: Vec<Edge> = (0..99).map(|i| e(i, i + 1, 0.5)).collect();
        let c = cluster(100, &long, GuardParams::default());
        let biggest = (0..100)
            .map(|id| c.iter().filter(|&&x| x == id).count())
            .max()
            .unwrap();
        assert!(biggest <= 5, "a weak path became a cluster of {biggest}");
    }

    #[test]
    fn weak_chain_with_stricter_density_stops_earlier() {
        let edges: Vec<Edge> = (0..4).map(|i| e(i, i + 1, 0.5)).collect();
        let guard = GuardParams {
            strong: 0.85,
            min_link_density: 0.8,
        };
        // Joining a group of 3 needs links to 0.4·3 = 1.2 members: refused.
        let c = cluster(5, &edges, guard);
        assert_eq!(c, vec![0, 0, 0, 3, 3]);
    }

    #[test]
    fn pairs_joined_by_weak_edge_need_density() {
        // {0,1} and {2,3} (strong pairs) with one weak link: density 1/4 < 0.5.
        let edges = vec![e(0, 1, 0.95), e(2, 3, 0.95), e(1, 2, 0.5)];
        assert_eq!(cluster(4, &edges, GuardParams::default()), vec![0, 0, 2, 2]);
        // Two weak links: density 2/4 = 0.5: merged.
        let edges = vec![e(0, 1, 0.95), e(2, 3, 0.95), e(1, 2, 0.5), e(0, 3, 0.4)];
        assert_eq!(cluster(4, &edges, GuardParams::default()), vec![0, 0, 0, 0]);
        // One strong link: density 1/4 >= 0.25 and strong: merged.
        let edges = vec![e(0, 1, 0.95), e(2, 3, 0.95), e(1, 2, 0.9)];
        assert_eq!(cluster(4, &edges, GuardParams::default()), vec![0, 0, 0, 0]);
    }

    #[test]
    fn full_clique_is_one_cluster() {
        let mut edges = Vec::new();
        let members: Vec<u32> = (0..12).collect();
        clique(&members, 0.3, &mut edges);
        let c = cluster(12, &edges, GuardParams::default());
        assert!(c.iter().all(|&x| x == 0));
    }

    #[test]
    fn strong_chain_merges() {
        let edges: Vec<Edge> = (0..9).map(|i| e(i, i + 1, 0.95)).collect();
        let c = cluster(10, &edges, GuardParams::default());
        assert!(c.iter().all(|&x| x == 0));
    }

    #[test]
    fn ignores_bad_edges_and_keeps_isolated_docs() {
        let edges = vec![
            e(0, 0, 1.0),
            e(1, 99, 1.0),
            e(2, 3, f32::NAN),
            e(3, 4, -0.5),
            e(5, 6, f32::INFINITY),
            e(6, 5, 0.1),
        ];
        let c = cluster(7, &edges, GuardParams::default());
        assert_eq!(c, vec![0, 1, 2, 3, 4, 5, 5]);
        assert!(cluster(0, &edges, GuardParams::default()).is_empty());
    }

    #[test]
    fn nan_params_do_not_panic() {
        let mut edges = Vec::new();
        clique(&[0, 1, 2, 3], 0.9, &mut edges);
        let guard = GuardParams {
            strong: f32::NAN,
            min_link_density: f32::NAN,
        };
        let c = cluster(4, &edges, guard);
        assert_eq!(c.len(), 4);
    }

    fn random_graph(rng: &mut Rng, n: u32, groups: u32, noise: usize) -> Vec<Edge> {
        let mut edges = Vec::new();
        for g in 0..groups {
            let members: Vec<u32> = (0..n).filter(|d| d % groups == g).collect();
            for (i, &a) in members.iter().enumerate() {
                for &b in &members[i + 1..] {
                    if rng.below(10) < 7 {
                        let w = 0.3 + (rng.below(70) as f32) / 100.0;
                        edges.push(e(a, b, w));
                    }
                }
            }
        }
        for _ in 0..noise {
            let a = rng.below(u64::from(n)) as u32;
            let b = rng.below(u64::from(n)) as u32;
            // Duplicate weights on purpose: ties must be broken by (a, b), not input order.
            let w = [0.4f32, 0.6, 0.9][rng.below(3) as usize];
            edges.push(e(a, b, w));
        }
        edges
    }

    #[test]
    fn edge_order_does_not_matter() {
        let mut rng = Rng(7);
        for round in 0..20 {
            let mut edges = random_graph(&mut rng, 60, 7, 40 + round);
            let expected = cluster(60, &edges, GuardParams::default());
            for _ in 0..5 {
                rng.shuffle(&mut edges);
                for edge in edges.iter_mut() {
                    if rng.below(2) == 0 {
                        std::mem::swap(&mut edge.a, &mut edge.b);
                    }
                }
                assert_eq!(cluster(60, &edges, GuardParams::default()), expected);
            }
        }
    }

    #[test]
    fn labels_are_smallest_member() {
        let mut rng = Rng(3);
        let edges = random_graph(&mut rng, 200, 9, 300);
        let c = cluster(200, &edges, GuardParams::default());
        for (doc, &id) in c.iter().enumerate() {
            assert!(id as usize <= doc);
            assert_eq!(c[id as usize], id);
        }
    }

    #[test]
    fn stories_group_whole_clusters() {
        // Clusters: {0,1,2} {3,4} {5} {6,7}; related links 1-3, 2-4 (clusters 0 and 3),
        // 4-5 (cluster 3 and 5), nothing to {6,7}.
        let clusters = vec![0, 0, 0, 3, 3, 5, 6, 6];
        let links = vec![e(1, 3, 0.7), e(2, 4, 0.6), e(4, 5, 0.5), e(0, 1, 0.9)];
        let s = stories(8, &clusters, &links, GuardParams::default());
        assert_eq!(s, vec![0, 0, 0, 0, 0, 0, 6, 6]);
        // Every story is a union of clusters.
        for a in 0..8 {
            for b in 0..8 {
                if clusters[a] == clusters[b] {
                    assert_eq!(s[a], s[b]);
                }
            }
        }
        assert_eq!(clusters, vec![0, 0, 0, 3, 3, 5, 6, 6]);
    }

    #[test]
    fn stories_are_guarded_too() {
        // Two stories of three clusters each (clusters are singletons here), all related to
        // each other, bridged by one weak link.
        let clusters: Vec<u32> = (0..6).collect();
        let mut links = Vec::new();
        clique(&[0, 1, 2], 0.6, &mut links);
        clique(&[3, 4, 5], 0.6, &mut links);
        links.push(e(2, 3, 0.5));
        let s = stories(6, &clusters, &links, GuardParams::default());
        assert_eq!(s, vec![0, 0, 0, 3, 3, 3]);
    }

    #[test]
    fn stories_handle_short_cluster_vectors() {
        let s = stories(
            4,
            &[0, 0],
            &[e(1, 2, 0.9), e(7, 1, 0.9)],
            GuardParams::default(),
        );
        assert_eq!(s, vec![0, 0, 0, 3]);
    }

    fn big_synthetic(n: u32, rng: &mut Rng) -> Vec<Edge> {
        // True groups of 5 (near-cliques, mid to strong weights), plus noise that plain
        // transitive closure chains into one giant component: n weak random edges
        // (shared template text), hubs with hundreds of weak edges (a boilerplate block on
        // many pages) and a few false strong edges.
        let mut edges = Vec::with_capacity(n as usize * 4);
        for g in (0..n).step_by(5) {
            for a in g..(g + 5).min(n) {
                for b in (a + 1)..(g + 5).min(n) {
                    if rng.below(10) < 9 {
                        edges.push(e(a, b, 0.6 + (rng.below(35) as f32) / 100.0));
                    }
                }
            }
        }
        for _ in 0..n {
            let (a, b) = (
                rng.below(u64::from(n)) as u32,
                rng.below(u64::from(n)) as u32,
            );
            edges.push(e(a, b, 0.3 + (rng.below(25) as f32) / 100.0));
        }
        for _ in 0..n / 1000 {
            let hub = rng.below(u64::from(n)) as u32;
            for _ in 0..300 {
                let b = rng.below(u64::from(n)) as u32;
                edges.push(e(hub, b, 0.5 + (rng.below(10) as f32) / 100.0));
            }
        }
        for _ in 0..n / 100 {
            let (a, b) = (
                rng.below(u64::from(n)) as u32,
                rng.below(u64::from(n)) as u32,
            );
            edges.push(e(a, b, 0.9));
        }
        edges
    }

    fn check_big(n: u32) {
        let mut rng = Rng(11);
        let edges = big_synthetic(n, &mut rng);
        let start = std::time::Instant::now();
        let c = cluster(n as usize, &edges, GuardParams::default());
        let took = start.elapsed();
        // Plain transitive closure over the same edges: one giant component.
        let mut plain: Vec<u32> = (0..n).collect();
        fn root(p: &mut [u32], mut x: u32) -> u32 {
            while p[x as usize] != x {
                p[x as usize] = p[p[x as usize] as usize];
                x = p[x as usize];
            }
            x
        }
        for edge in &edges {
            let (ra, rb) = (root(&mut plain, edge.a), root(&mut plain, edge.b));
            plain[ra as usize] = rb;
        }
        let mut plain_sizes: AHashMap<u32, usize> = AHashMap::new();
        for d in 0..n {
            *plain_sizes.entry(root(&mut plain, d)).or_default() += 1;
        }
        let plain_biggest = plain_sizes.values().copied().max().unwrap_or(0);
        assert!(
            plain_biggest as u32 > n / 2,
            "plain closure: {plain_biggest}"
        );
        // Guarded: no giant component, and clusters are mostly the true groups (of 5).
        let mut per_cluster: AHashMap<u32, AHashMap<u32, u64>> = AHashMap::new();
        for (doc, &id) in c.iter().enumerate() {
            *per_cluster
                .entry(id)
                .or_default()
                .entry(doc as u32 / 5)
                .or_default() += 1;
        }
        let pairs = |k: u64| k * k.saturating_sub(1) / 2;
        let (mut same, mut together) = (0u64, 0u64);
        let mut biggest = 0;
        for groups in per_cluster.values() {
            let size: u64 = groups.values().sum();
            biggest = biggest.max(size);
            together += pairs(size);
            same += groups.values().map(|&k| pairs(k)).sum::<u64>();
        }
        let truth = u64::from(n / 5) * 10;
        let precision = same as f64 / together.max(1) as f64;
        let recall = same as f64 / truth as f64;
        eprintln!(
            "n={n} biggest={biggest} precision={precision:.3} recall={recall:.3} took={took:?}"
        );
        assert!(biggest <= 20, "largest cluster {biggest}");
        assert!(precision > 0.8, "pairwise precision {precision}");
        assert!(recall > 0.8, "pairwise recall {recall}");
        assert!(took.as_secs() < 60, "took {took:?}");
    }

    #[test]
    fn hundred_thousand_docs() {
        check_big(100_000);
    }

    /// Release builds only: `cargo test -p retold_cluster --release`.
    #[test]
    #[cfg_attr(debug_assertions, ignore)]
    fn million_docs() {
        check_big(1_000_000);
    }
}
