//! The persistent index: documents added batch by batch, with the pairs and clusters of
//! everything added so far, on a [`retold_index::Store`].
//!
//! Each [`Index::add`] runs the pipeline ([`crate::dedup`]) over the stored documents and the
//! new batch, in the order they were added, and commits the new documents together with the
//! new results in one transaction: after any number of batches the stored pairs, clusters and
//! keep-list are exactly those of one `dedup` over the same documents in the same order, and
//! a process killed during `add` leaves the index as it was before that batch or with all of
//! it. The pipeline's corpus-level steps (boilerplate learned across documents, rare-key
//! limits, per-language centring of document vectors) make a pair's verdict depend on the
//! whole corpus, so `add` recomputes rather than updating pairs in place; its cost per batch
//! grows with the index. [`crate::Live`] keeps a run's state in memory and updates it
//! incrementally (`retold serve` adds through it and stores its results with
//! [`Index::commit`]).
//!
//! [`Index::query`] runs the same pipeline over the stored documents plus one query document
//! that is not stored, verifying only the query's candidate pairs, and returns its pairs (the
//! fields of `pairs.jsonl`; the same as `dedup` over the stored documents plus the query
//! gives it) and the cluster it would join (the stored cluster of a document it reproduces,
//! with the query added).

use std::path::Path;

use retold_index::{RedbStore, Store, StoreStats};
use serde::Serialize;

use crate::error::Error;
use crate::output::{cluster_line, pair_line, write_clusters, write_keep, write_pairs};
use crate::pipeline::{dedup, DedupOutput, RunOptions, Stats};
use crate::Config;
use retold_ingest::{Document, IngestError};

/// A persistent index.
pub struct Index {
    store: Box<dyn Store>,
}

/// What [`Index::add`] did.
#[derive(Debug, Clone, Serialize)]
pub struct AddReport {
    /// Number of the batch (from 1).
    pub batch: u64,
    /// Documents added by it.
    pub added: usize,
    /// Documents in the index now.
    pub docs: usize,
    /// Verified pairs now.
    pub pairs: usize,
    /// Clusters now.
    pub clusters: usize,
    /// Counters of the pipeline run.
    #[serde(skip)]
    pub stats: Stats,
}

/// The answer to [`Index::query`]: the query document's pairs and cluster, as JSON values
/// with the fields of `pairs.jsonl` and `clusters.jsonl`.
#[derive(Debug, Clone, Serialize)]
pub struct QueryResult {
    /// The query's id.
    pub id: String,
    /// Its verified pairs with stored documents.
    pub matches: Vec<serde_json::Value>,
    /// The cluster it would join, if any.
    pub cluster: Option<serde_json::Value>,
}

/// Index statistics.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct IndexStats {
    /// Documents.
    pub docs: u64,
    /// Batches added.
    pub batches: u64,
    /// Bytes of stored documents (text and fields, serialized).
    pub doc_bytes: u64,
    /// Bytes of stored results.
    pub result_bytes: u64,
    /// Size of the store file.
    pub file_bytes: u64,
}

impl From<StoreStats> for IndexStats {
    fn from(s: StoreStats) -> Self {
        IndexStats {
            docs: s.docs,
            batches: s.batches,
            doc_bytes: s.doc_bytes,
            result_bytes: s.result_bytes,
            file_bytes: s.file_bytes,
        }
    }
}

/// The settings string of a run (see [`Index::check_settings`]): the keep policy and whether
/// the semantic layer runs (models loaded and enabled).
pub fn settings(keep: crate::KeepPolicy, semantic: bool) -> String {
    format!(
        "--keep {keep} --semantic {}",
        if semantic { "on" } else { "off" }
    )
}

/// Decodes stored JSON (`what` names it in the error).
pub(crate) fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, Error> {
    serde_json::from_slice(bytes).map_err(|e| {
        Error::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("stored {what} does not decode: {e}"),
        ))
    })
}

/// A JSON value printed exactly as the line of `pairs.jsonl`/`clusters.jsonl` is: through
/// the text, so `f32` scores keep their short form (0.604, not 0.6039999723434448).
pub(crate) fn as_value<T: Serialize>(x: &T) -> Result<serde_json::Value, serde_json::Error> {
    serde_json::from_str(&serde_json::to_string(x)?)
}

/// The answer for query document `q` of `out` (a run over stored documents plus the query):
/// its pairs, and the cluster it would join: the stored cluster (`stored_cluster` finds the
/// first holding any of the given ids) of a document it reproduces, with the query added;
/// else the cluster of the query and its matches alone.
pub(crate) fn query_answer(
    out: &DedupOutput,
    q: u32,
    stored_cluster: impl FnOnce(&[&str]) -> Result<Option<serde_json::Value>, Error>,
) -> Result<QueryResult, Error> {
    let id = out.docs[q as usize].id.clone();
    let matches = out
        .pairs
        .iter()
        .filter(|p| p.a == q || p.b == q)
        .map(|p| as_value(&pair_line(out, p)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(std::io::Error::from)?;
    let mut cluster: Option<serde_json::Value> = None;
    if let Some(c) = out.cluster_of[q as usize] {
        let members: Vec<&str> = out.clusters[c as usize]
            .docs
            .iter()
            .filter(|&&d| d != q)
            .map(|&d| out.docs[d as usize].id.as_str())
            .collect();
        cluster = stored_cluster(&members)?;
        if let Some(d) = cluster.as_mut().and_then(|v| v["docs"].as_array_mut()) {
            d.push(id.clone().into());
        }
        if cluster.is_none() {
            cluster = Some(
                as_value(&cluster_line(out, &out.clusters[c as usize]))
                    .map_err(std::io::Error::from)?,
            );
        }
    }
    Ok(QueryResult {
        id,
        matches,
        cluster,
    })
}

/// Names of the stored results.
const PAIRS: &str = "pairs.jsonl";
const CLUSTERS: &str = "clusters.jsonl";
const KEEP: &str = "keep.txt";
/// The run settings the results were computed with (see [`Index::add`]).
const SETTINGS: &str = "settings";

impl Index {
    /// Creates an empty index in `dir`.
    pub fn create(dir: &Path) -> Result<Index, Error> {
        Ok(Index {
            store: Box::new(RedbStore::create(dir)?),
        })
    }

    /// Opens the index in `dir`.
    pub fn open(dir: &Path) -> Result<Index, Error> {
        Ok(Index {
            store: Box::new(RedbStore::open(dir)?),
        })
    }

    /// An index on any store (tests, other back ends).
    pub fn with_store(store: Box<dyn Store>) -> Index {
        Index { store }
    }

    fn stored(&self) -> Result<Vec<Document>, Error> {
        self.store
            .docs()?
            .into_iter()
            .map(|(id, bytes)| decode(&bytes, &format!("document {id:?}")))
            .collect()
    }

    /// Checks that `settings` (a caller's description of what changes results beyond
    /// `Config`, e.g. the keep policy and whether the semantic layer runs) are those the
    /// index was built with; an empty index takes any.
    pub fn check_settings(&self, settings: &str) -> Result<(), Error> {
        match self.store.result(SETTINGS)? {
            Some(s) if s != settings.as_bytes() => Err(retold_index::IndexError::Settings {
                stored: String::from_utf8_lossy(&s).into_owned(),
                given: settings.to_string(),
            }
            .into()),
            _ => Ok(()),
        }
    }

    /// Adds a batch of documents (ids must be new and distinct) and stores the results over
    /// everything added so far, with `settings` (see [`Index::check_settings`]). Nothing is
    /// stored when it fails.
    pub fn add(
        &mut self,
        batch: Vec<Document>,
        settings: &str,
        cfg: &Config,
        opts: RunOptions<'_>,
    ) -> Result<AddReport, Error> {
        self.check_settings(settings)?;
        self.check_new(&batch)?;
        let mut all = self.stored()?;
        all.extend(batch.iter().cloned());
        let out = dedup(all.into_iter().map(Ok::<_, IngestError>), cfg, opts)?;
        self.commit(&batch, settings, &out)
    }

    /// Checks that the ids of `batch` are distinct and not in the index.
    pub fn check_new(&self, batch: &[Document]) -> Result<(), Error> {
        let mut seen = ahash::AHashSet::new();
        for d in batch {
            if !seen.insert(d.id.as_str()) || self.store.contains(&d.id)? {
                return Err(retold_index::IndexError::DuplicateId { id: d.id.clone() }.into());
            }
        }
        Ok(())
    }

    /// Stores `batch` with `out`, the results over the stored documents and the batch (in
    /// that order, as [`Index::add`] or a [`crate::Live`] holding the same documents computes
    /// them), in one transaction. The caller has checked the batch ([`Index::check_new`]) and
    /// the settings.
    pub fn commit(
        &mut self,
        batch: &[Document],
        settings: &str,
        out: &DedupOutput,
    ) -> Result<AddReport, Error> {
        let new: Vec<(String, Vec<u8>)> = batch
            .iter()
            .map(|d| Ok((d.id.clone(), serde_json::to_vec(d)?)))
            .collect::<Result<_, serde_json::Error>>()
            .map_err(std::io::Error::from)?;
        let mut results: Vec<(&str, Vec<u8>)> = vec![(SETTINGS, settings.as_bytes().to_vec())];
        for (name, write) in [
            (
                PAIRS,
                write_pairs as fn(&mut dyn std::io::Write, &DedupOutput) -> _,
            ),
            (CLUSTERS, write_clusters),
            (KEEP, write_keep),
        ] {
            let mut buf = Vec::new();
            write(&mut buf, out)?;
            results.push((name, buf));
        }
        let number = self.store.add_batch(&new, &results)?;
        Ok(AddReport {
            batch: number,
            added: batch.len(),
            docs: out.docs.len(),
            pairs: out.pairs.len(),
            clusters: out.clusters.len(),
            stats: out.stats.clone(),
        })
    }

    /// Every stored document, in the order added.
    pub fn documents(&self) -> Result<Vec<Document>, Error> {
        self.stored()
    }

    /// Matches a document that is not stored against the index, with the index's `settings`
    /// (see [`Index::check_settings`]).
    pub fn query(
        &self,
        mut doc: Document,
        settings: &str,
        cfg: &Config,
        opts: RunOptions<'_>,
    ) -> Result<QueryResult, Error> {
        self.check_settings(settings)?;
        // The query keeps its id unless a stored document has it.
        let base = doc.id.clone();
        let mut k = 1;
        while self.store.contains(&doc.id)? {
            doc.id = format!("{base}#query{k}");
            k += 1;
        }
        let mut all = self.stored()?;
        all.push(doc);
        let q = (all.len() - 1) as u32;
        let out = crate::pipeline::dedup_focused(
            all.into_iter().map(Ok::<_, IngestError>),
            cfg,
            opts,
            q,
        )?;
        query_answer(&out, q, |members| self.cluster_of_any(members))
    }

    /// True when a document with `id` is stored (without reading it).
    pub fn contains(&self, id: &str) -> Result<bool, Error> {
        Ok(self.store.contains(id)?)
    }

    /// A stored document by id.
    pub fn document(&self, id: &str) -> Result<Option<Document>, Error> {
        self.store
            .doc(id)?
            .map(|bytes| decode(&bytes, &format!("document {id:?}")))
            .transpose()
    }

    /// A stored result file (`pairs.jsonl`, `clusters.jsonl` or `keep.txt`), as bytes.
    pub fn result(&self, name: &str) -> Result<Vec<u8>, Error> {
        Ok(self.store.result(name)?.unwrap_or_default())
    }

    /// Writes the stored results into `dir` as `dedup` does (one set with `manifest.json`,
    /// see [`crate::output::write_set`]).
    pub fn export(&self, dir: &Path) -> Result<(), Error> {
        let mut files: Vec<(&str, crate::output::Fill<'_>)> = Vec::new();
        for name in [PAIRS, CLUSTERS, KEEP] {
            let bytes = self.result(name)?;
            files.push((
                name,
                Box::new(move |w| std::io::Write::write_all(w, &bytes)),
            ));
        }
        crate::output::write_set(dir, files)
    }

    /// Counts.
    pub fn stats(&self) -> Result<IndexStats, Error> {
        Ok(self.store.stats()?.into())
    }

    /// Gives free space back to the file system.
    pub fn compact(&mut self) -> Result<(), Error> {
        Ok(self.store.compact()?)
    }
}
