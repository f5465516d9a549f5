//! Keep-lists: which document of each cluster survives deduplication.

use std::fmt;
use std::str::FromStr;

use ahash::AHashMap;
use serde::{Deserialize, Serialize};

/// Which document of a cluster to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeepPolicy {
    /// The provenance original of the cluster; [`KeepPolicy::Longest`] when it is undetermined.
    Original,
    /// The longest document (ties: the smallest index).
    Longest,
    /// The document with the smallest index (the first one read).
    First,
}

impl KeepPolicy {
    /// Every policy, in the order they are listed to users.
    pub const ALL: [KeepPolicy; 3] = [KeepPolicy::Original, KeepPolicy::Longest, KeepPolicy::First];

    /// The name used on the command line and in configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            KeepPolicy::Original => "original",
            KeepPolicy::Longest => "longest",
            KeepPolicy::First => "first",
        }
    }
}

impl fmt::Display for KeepPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A keep policy name that is not one of the choices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseKeepPolicyError {
    /// What was given.
    pub input: String,
}

impl fmt::Display for ParseKeepPolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown keep policy {:?}; expected one of: original, longest, first",
            self.input
        )
    }
}

impl std::error::Error for ParseKeepPolicyError {}

impl FromStr for KeepPolicy {
    type Err = ParseKeepPolicyError;

    /// Parses `original`, `longest` or `first` (case-insensitive, surrounding spaces ignored).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        KeepPolicy::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(t))
            .ok_or_else(|| ParseKeepPolicyError {
                input: s.to_string(),
            })
    }
}

/// Which document of each cluster to keep.
///
/// `clusters[i]` is the cluster id of document `i` (as returned by [`crate::cluster`]; any
/// labels work). `lengths[i]` is the length of document `i` (missing entries count as 0).
/// `original(c)` is the provenance choice for the cluster whose id is `c`, if any; a choice
/// that is not a member of that cluster is ignored.
///
/// Returns the sorted indices of the kept documents: every singleton, and exactly one
/// document per cluster of two or more: under [`KeepPolicy::Original`] the provenance
/// original, falling back to the longest; under [`KeepPolicy::Longest`] the longest (ties:
/// the smallest index); under [`KeepPolicy::First`] the smallest index.
pub fn keep_list(
    clusters: &[u32],
    policy: KeepPolicy,
    lengths: &[usize],
    original: &dyn Fn(u32) -> Option<u32>,
) -> Vec<u32> {
    let len = |d: usize| lengths.get(d).copied().unwrap_or(0);
    // Per cluster label: (first member, member count, longest member).
    let mut groups: AHashMap<u32, (usize, usize, usize)> = AHashMap::new();
    let mut order: Vec<u32> = Vec::new();
    for (doc, &label) in clusters.iter().enumerate() {
        let g = groups.entry(label).or_insert_with(|| {
            order.push(label);
            (doc, 0, doc)
        });
        g.1 += 1;
        if len(doc) > len(g.2) {
            g.2 = doc;
        }
    }
    let mut kept: Vec<u32> = order
        .iter()
        .map(|label| {
            let (first, count, longest) = groups[label];
            let chosen = if count == 1 {
                first
            } else {
                match policy {
                    KeepPolicy::First => first,
                    KeepPolicy::Longest => longest,
                    KeepPolicy::Original => original(*label)
                        .map(|d| d as usize)
                        .filter(|&d| clusters.get(d) == Some(label))
                        .unwrap_or(longest),
                }
            };
            chosen as u32
        })
        .collect();
    kept.sort_unstable();
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_policies() {
        assert_eq!("original".parse::<KeepPolicy>(), Ok(KeepPolicy::Original));
        assert_eq!(" Longest ".parse::<KeepPolicy>(), Ok(KeepPolicy::Longest));
        assert_eq!("FIRST".parse::<KeepPolicy>(), Ok(KeepPolicy::First));
        let err = "newest".parse::<KeepPolicy>().unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("\"newest\""), "{msg}");
        assert!(msg.contains("original, longest, first"), "{msg}");
        for p in KeepPolicy::ALL {
            assert_eq!(p.to_string().parse::<KeepPolicy>(), Ok(p));
        }
    }

    // Clusters {0, 2, 5} (id 0), {1, 4} (id 1), singletons 3 and 6.
    const CLUSTERS: [u32; 7] = [0, 1, 0, 3, 1, 0, 6];
    const LENGTHS: [usize; 7] = [100, 50, 300, 10, 50, 300, 1];

    #[test]
    fn first_keeps_smallest_index() {
        let kept = keep_list(&CLUSTERS, KeepPolicy::First, &LENGTHS, &|_| None);
        assert_eq!(kept, vec![0, 1, 3, 6]);
    }

    #[test]
    fn longest_keeps_longest_with_index_ties() {
        let kept = keep_list(&CLUSTERS, KeepPolicy::Longest, &LENGTHS, &|_| None);
        assert_eq!(kept, vec![1, 2, 3, 6]);
    }

    #[test]
    fn original_uses_provenance_and_falls_back_to_longest() {
        let original = |c: u32| match c {
            0 => Some(5),
            _ => None,
        };
        let kept = keep_list(&CLUSTERS, KeepPolicy::Original, &LENGTHS, &original);
        assert_eq!(kept, vec![1, 3, 5, 6]);
        // A choice outside the cluster is ignored.
        let bad = |c: u32| if c == 1 { Some(3) } else { None };
        let kept = keep_list(&CLUSTERS, KeepPolicy::Original, &LENGTHS, &bad);
        assert_eq!(kept, vec![1, 2, 3, 6]);
    }

    #[test]
    fn one_per_cluster_and_missing_lengths() {
        let clusters = [4u32, 4, 4, 4, 4];
        let kept = keep_list(&clusters, KeepPolicy::Longest, &[1, 2], &|_| None);
        assert_eq!(kept, vec![1]);
        assert!(keep_list(&[], KeepPolicy::First, &[], &|_| None).is_empty());
    }
}
