//! Read-only views of a persistent index's stored results, for callers that serve them one
//! document or one page at a time (the HTTP server): a document's pairs, its cluster, a page
//! of clusters. Built only on [`Index`]'s public methods ([`Index::result`]), so it does not
//! depend on how the results are computed or stored.
//!
//! Each call parses the stored `pairs.jsonl` or `clusters.jsonl` (linear in the number of
//! pairs or clusters).

use crate::error::Error;
use crate::index::Index;
use serde_json::Value;

/// A page of stored clusters.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ClusterPage {
    /// Clusters in the index.
    pub total: usize,
    /// Index of the first cluster of the page.
    pub offset: usize,
    /// The most clusters asked for.
    pub limit: usize,
    /// The clusters (lines of `clusters.jsonl`), in stored order.
    pub clusters: Vec<Value>,
}

fn lines(bytes: &[u8], name: &str) -> Result<Vec<Value>, Error> {
    bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        .map(|l| crate::index::decode(l, name))
        .collect()
}

impl Index {
    /// The stored pairs (lines of `pairs.jsonl`) in which `id` is `a` or `b`, in stored
    /// order.
    pub fn pairs_of(&self, id: &str) -> Result<Vec<Value>, Error> {
        let all = lines(&self.result("pairs.jsonl")?, "pairs.jsonl")?;
        Ok(all
            .into_iter()
            .filter(|p| p["a"].as_str() == Some(id) || p["b"].as_str() == Some(id))
            .collect())
    }

    /// The stored cluster (line of `clusters.jsonl`) that has `id` among its `docs`.
    pub fn cluster_of(&self, id: &str) -> Result<Option<Value>, Error> {
        self.cluster_of_any(&[id])
    }

    /// The stored cluster holding any of `ids` (the first in stored order), read once.
    pub fn cluster_of_any(&self, ids: &[&str]) -> Result<Option<Value>, Error> {
        let all = lines(&self.result("clusters.jsonl")?, "clusters.jsonl")?;
        Ok(all.into_iter().find(|c| {
            c["docs"].as_array().is_some_and(|d| {
                d.iter()
                    .any(|x| x.as_str().is_some_and(|x| ids.contains(&x)))
            })
        }))
    }

    pub fn clusters_page(&self, offset: usize, limit: usize) -> Result<ClusterPage, Error> {
        let all = lines(&self.result("clusters.jsonl")?, "clusters.jsonl")?;
        let total = all.len();
        let clusters = all.into_iter().skip(offset).take(limit).collect();
        Ok(ClusterPage {
            total,
            offset,
            limit,
            clusters,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_lines_are_skipped_and_bad_lines_are_errors() {
        let v = lines(b"{\"a\":1}\n\n{\"a\":2}\n", "x").unwrap();
        assert_eq!(v.len(), 2);
        assert!(lines(b"{\"a\":1}\nnot json\n", "x").is_err());
    }
}
