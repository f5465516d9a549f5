//! Storage of retold's persistent index: the documents added, batch by batch, and the
//! current results (pairs and clusters), behind the [`Store`] trait.
//!
//! [`RedbStore`] keeps everything in one [redb](https://docs.rs/redb) file (`index.redb` in
//! the index directory). Every [`Store::add_batch`] is one write transaction holding the new
//! documents, the batch record and the new results together: a reader (or a process opening
//! the index after a crash or `SIGKILL`) sees either the whole batch or none of it. redb
//! checksums its pages and commits with a two-phase protocol, so a torn write is detected and
//! the last committed state is used.
//!
//! The on-disk format is versioned: the `meta` table holds a magic string and
//! [`FORMAT_VERSION`]; opening a file of another version fails with
//! [`IndexError::Version`], which names both versions.
//!
//! The store holds bytes; what they mean (serialized documents, JSON lines of results) is the
//! business of the `retold` crate. Library code: no printing, typed errors.

use std::path::{Path, PathBuf};

use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};

/// Version of the on-disk layout written by this build.
pub const FORMAT_VERSION: u32 = 1;
/// Magic value stored under `meta["magic"]`.
pub const MAGIC: &[u8] = b"retold-index";
/// File name of the store inside an index directory.
pub const FILE_NAME: &str = "index.redb";

const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
/// Sequence number → serialized document.
const DOCS: TableDefinition<u64, &[u8]> = TableDefinition::new("docs");
/// Document id → sequence number.
const IDS: TableDefinition<&str, u64> = TableDefinition::new("ids");
/// Batch number → number of documents in it.
const BATCHES: TableDefinition<u64, u64> = TableDefinition::new("batches");
/// Result name (`pairs`, `clusters`, …) → bytes.
const RESULTS: TableDefinition<&str, &[u8]> = TableDefinition::new("results");

/// Errors of the index store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IndexError {
    /// The directory has no index.
    #[error("{path}: no retold index here (create one with `retold index create`)")]
    Missing {
        /// The index directory.
        path: PathBuf,
    },
    /// An index already exists where one is to be created.
    #[error("{path}: an index already exists here")]
    Exists {
        /// The index directory.
        path: PathBuf,
    },
    /// The file is not a retold index.
    #[error("{path}: not a retold index (no retold magic in its metadata)")]
    NotAnIndex {
        /// The store file.
        path: PathBuf,
    },
    /// The index was written by another format version.
    #[error("{path}: index format version {found}, this build reads version {expected}; {hint}")]
    Version {
        /// The store file.
        path: PathBuf,
        /// Version in the file.
        found: u32,
        /// Version this build reads.
        expected: u32,
        /// What to do.
        hint: &'static str,
    },
    /// A document id is already in the index.
    #[error("document id {id:?} is already in the index")]
    DuplicateId {
        /// The id.
        id: String,
    },
    /// A run's settings differ from those the index was built with.
    #[error("the index was built with {stored}; this run has {given}: pass the same flags to every add and query")]
    Settings {
        /// Settings stored with the index.
        stored: String,
        /// Settings of this run.
        given: String,
    },
    /// A file-system error.
    #[error("{path}: {error}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        error: std::io::Error,
    },
    /// An error of the store itself (corrupt file, full disk, lock held by another process).
    #[error("{path}: {error}")]
    Store {
        /// The store file.
        path: PathBuf,
        /// The error.
        error: Box<redb::Error>,
    },
}

/// What a store holds, in numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StoreStats {
    /// Documents.
    pub docs: u64,
    /// Batches added.
    pub batches: u64,
    /// Bytes of serialized documents.
    pub doc_bytes: u64,
    /// Bytes of stored results.
    pub result_bytes: u64,
    /// Size of the store file.
    pub file_bytes: u64,
}

/// Storage of an index.
pub trait Store: Send + Sync {
    /// All documents, in the order they were added, with their ids.
    fn docs(&self) -> Result<Vec<(String, Vec<u8>)>, IndexError>;
    /// Whether an id is stored.
    fn contains(&self, id: &str) -> Result<bool, IndexError>;
    /// One stored document's bytes by id.
    fn doc(&self, id: &str) -> Result<Option<Vec<u8>>, IndexError>;
    /// Adds a batch of documents (id, bytes) and replaces the results, in one transaction;
    /// returns the batch number (from 1).
    fn add_batch(
        &mut self,
        docs: &[(String, Vec<u8>)],
        results: &[(&str, Vec<u8>)],
    ) -> Result<u64, IndexError>;
    /// A stored result by name.
    fn result(&self, name: &str) -> Result<Option<Vec<u8>>, IndexError>;
    /// Counts.
    fn stats(&self) -> Result<StoreStats, IndexError>;
    /// Gives free space back to the file system.
    fn compact(&mut self) -> Result<(), IndexError>;
}

/// The redb implementation of [`Store`].
pub struct RedbStore {
    db: Database,
    path: PathBuf,
}

impl RedbStore {
    /// Creates a new index in `dir` (created if missing); fails if one exists.
    pub fn create(dir: &Path) -> Result<RedbStore, IndexError> {
        let path = dir.join(FILE_NAME);
        if path.exists() {
            return Err(IndexError::Exists {
                path: dir.to_path_buf(),
            });
        }
        std::fs::create_dir_all(dir).map_err(|error| IndexError::Io {
            path: dir.to_path_buf(),
            error,
        })?;
        let db = Database::create(&path).at(&path)?;
        let s = RedbStore { db, path };
        s.write_meta(FORMAT_VERSION)?;
        Ok(s)
    }

    /// Opens the index in `dir`, checking its magic and format version.
    pub fn open(dir: &Path) -> Result<RedbStore, IndexError> {
        let path = dir.join(FILE_NAME);
        if !path.is_file() {
            return Err(IndexError::Missing {
                path: dir.to_path_buf(),
            });
        }
        let db = Database::open(&path).at(&path)?;
        let s = RedbStore { db, path };
        s.check_meta()?;
        Ok(s)
    }

    /// Writes the metadata (magic and `version`; tests write other versions with it).
    #[doc(hidden)]
    pub fn write_meta(&self, version: u32) -> Result<(), IndexError> {
        let w = self.db.begin_write().at(&self.path)?;
        {
            let mut t = w.open_table(META).at(&self.path)?;
            t.insert("magic", MAGIC).at(&self.path)?;
            t.insert("version", version.to_le_bytes().as_slice())
                .at(&self.path)?;
            // Create the other tables so readers find them in an empty index.
            w.open_table(DOCS).at(&self.path)?;
            w.open_table(IDS).at(&self.path)?;
            w.open_table(BATCHES).at(&self.path)?;
            w.open_table(RESULTS).at(&self.path)?;
        }
        w.commit().at(&self.path)
    }

    fn check_meta(&self) -> Result<(), IndexError> {
        let r = self.db.begin_read().at(&self.path)?;
        let t = match r.open_table(META) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => {
                return Err(IndexError::NotAnIndex {
                    path: self.path.clone(),
                })
            }
            Err(x) => return Err(store_error(&self.path, x)),
        };
        let magic = t.get("magic").at(&self.path)?;
        if magic.as_ref().map(|m| m.value()) != Some(MAGIC) {
            return Err(IndexError::NotAnIndex {
                path: self.path.clone(),
            });
        }
        let found = t
            .get("version")
            .at(&self.path)?
            .and_then(|v| <[u8; 4]>::try_from(v.value()).ok())
            .map(u32::from_le_bytes)
            .unwrap_or(0);
        if found != FORMAT_VERSION {
            return Err(IndexError::Version {
                path: self.path.clone(),
                found,
                expected: FORMAT_VERSION,
                hint: if found > FORMAT_VERSION {
                    "it was written by a newer retold: upgrade retold to read it"
                } else {
                    "it was written by an older retold: rebuild it with `retold index create` and `retold index add`"
                },
            });
        }
        Ok(())
    }
}

fn store_error(path: &Path, x: impl Into<redb::Error>) -> IndexError {
    IndexError::Store {
        path: path.to_path_buf(),
        error: Box::new(x.into()),
    }
}

/// `map_err` into [`IndexError::Store`] for any of redb's error types.
trait At<T> {
    fn at(self, path: &Path) -> Result<T, IndexError>;
}

impl<T, E: Into<redb::Error>> At<T> for Result<T, E> {
    fn at(self, path: &Path) -> Result<T, IndexError> {
        self.map_err(|x| store_error(path, x))
    }
}

impl Store for RedbStore {
    fn docs(&self) -> Result<Vec<(String, Vec<u8>)>, IndexError> {
        let r = self.db.begin_read().at(&self.path)?;
        let ids = r.open_table(IDS).at(&self.path)?;
        let mut by_seq: Vec<(u64, String)> = Vec::new();
        for x in ids.iter().at(&self.path)? {
            let (k, v) = x.at(&self.path)?;
            by_seq.push((v.value(), k.value().to_string()));
        }
        by_seq.sort_unstable();
        let docs = r.open_table(DOCS).at(&self.path)?;
        let mut out = Vec::with_capacity(by_seq.len());
        for (seq, id) in by_seq {
            let bytes = docs
                .get(seq)
                .at(&self.path)?
                .map(|v| v.value().to_vec())
                .unwrap_or_default();
            out.push((id, bytes));
        }
        Ok(out)
    }

    fn contains(&self, id: &str) -> Result<bool, IndexError> {
        let r = self.db.begin_read().at(&self.path)?;
        let ids = r.open_table(IDS).at(&self.path)?;
        Ok(ids.get(id).at(&self.path)?.is_some())
    }

    fn doc(&self, id: &str) -> Result<Option<Vec<u8>>, IndexError> {
        let r = self.db.begin_read().at(&self.path)?;
        let ids = r.open_table(IDS).at(&self.path)?;
        let Some(seq) = ids.get(id).at(&self.path)?.map(|v| v.value()) else {
            return Ok(None);
        };
        let docs = r.open_table(DOCS).at(&self.path)?;
        Ok(docs.get(seq).at(&self.path)?.map(|v| v.value().to_vec()))
    }

    fn add_batch(
        &mut self,
        docs: &[(String, Vec<u8>)],
        results: &[(&str, Vec<u8>)],
    ) -> Result<u64, IndexError> {
        let w = self.db.begin_write().at(&self.path)?;
        let batch;
        {
            let mut ids = w.open_table(IDS).at(&self.path)?;
            let mut dt = w.open_table(DOCS).at(&self.path)?;
            let first = dt
                .last()
                .at(&self.path)?
                .map(|(k, _)| k.value() + 1)
                .unwrap_or(0);
            for (seq, (id, bytes)) in (first..).zip(docs) {
                if ids.get(id.as_str()).at(&self.path)?.is_some() {
                    // Dropping `w` without commit aborts the transaction.
                    return Err(IndexError::DuplicateId { id: id.clone() });
                }
                ids.insert(id.as_str(), seq).at(&self.path)?;
                dt.insert(seq, bytes.as_slice()).at(&self.path)?;
            }
            let mut bt = w.open_table(BATCHES).at(&self.path)?;
            batch = bt
                .last()
                .at(&self.path)?
                .map(|(k, _)| k.value() + 1)
                .unwrap_or(1);
            bt.insert(batch, docs.len() as u64).at(&self.path)?;
            let mut rt = w.open_table(RESULTS).at(&self.path)?;
            for (name, bytes) in results {
                rt.insert(*name, bytes.as_slice()).at(&self.path)?;
            }
        }
        w.commit().at(&self.path)?;
        Ok(batch)
    }

    fn result(&self, name: &str) -> Result<Option<Vec<u8>>, IndexError> {
        let r = self.db.begin_read().at(&self.path)?;
        let t = r.open_table(RESULTS).at(&self.path)?;
        Ok(t.get(name).at(&self.path)?.map(|v| v.value().to_vec()))
    }

    fn stats(&self) -> Result<StoreStats, IndexError> {
        let r = self.db.begin_read().at(&self.path)?;
        let docs = r.open_table(DOCS).at(&self.path)?;
        let mut doc_bytes = 0u64;
        for x in docs.iter().at(&self.path)? {
            doc_bytes += x.at(&self.path)?.1.value().len() as u64;
        }
        let mut result_bytes = 0u64;
        let rt = r.open_table(RESULTS).at(&self.path)?;
        for x in rt.iter().at(&self.path)? {
            result_bytes += x.at(&self.path)?.1.value().len() as u64;
        }
        let batches = r.open_table(BATCHES).at(&self.path)?.len().at(&self.path)?;
        let file_bytes = std::fs::metadata(&self.path)
            .map(|m| m.len())
            .map_err(|error| IndexError::Io {
                path: self.path.clone(),
                error,
            })?;
        Ok(StoreStats {
            docs: docs.len().at(&self.path)?,
            batches,
            doc_bytes,
            result_bytes,
            file_bytes,
        })
    }

    fn compact(&mut self) -> Result<(), IndexError> {
        self.db.compact().at(&self.path)?;
        Ok(())
    }
}

#[cfg(test)]
impl RedbStore {
    fn open_unchecked(dir: &Path) -> RedbStore {
        let path = dir.join(FILE_NAME);
        RedbStore {
            db: Database::open(&path).unwrap(),
            path,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: &str) -> (String, Vec<u8>) {
        (id.to_string(), format!("text of {id}").into_bytes())
    }

    #[test]
    fn batches_add_documents_and_replace_results() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = RedbStore::create(dir.path()).unwrap();
        assert_eq!(s.stats().unwrap().docs, 0);
        assert_eq!(
            s.add_batch(&[doc("a"), doc("b")], &[("pairs", b"1".to_vec())])
                .unwrap(),
            1
        );
        assert_eq!(
            s.add_batch(&[doc("c")], &[("pairs", b"2".to_vec())])
                .unwrap(),
            2
        );
        drop(s);
        let s = RedbStore::open(dir.path()).unwrap();
        let ids: Vec<String> = s.docs().unwrap().into_iter().map(|d| d.0).collect();
        assert_eq!(ids, ["a", "b", "c"]);
        assert_eq!(s.result("pairs").unwrap().unwrap(), b"2");
        let st = s.stats().unwrap();
        assert_eq!((st.docs, st.batches), (3, 2));
        assert!(s.contains("b").unwrap() && !s.contains("z").unwrap());
        assert_eq!(s.doc("c").unwrap().unwrap(), b"text of c");
        assert_eq!(s.doc("z").unwrap(), None);
    }

    #[test]
    fn a_duplicate_id_aborts_the_whole_batch() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = RedbStore::create(dir.path()).unwrap();
        s.add_batch(&[doc("a")], &[]).unwrap();
        let err = s.add_batch(&[doc("b"), doc("a")], &[]).unwrap_err();
        assert!(matches!(err, IndexError::DuplicateId { ref id } if id == "a"));
        assert_eq!(s.stats().unwrap().docs, 1);
        assert!(!s.contains("b").unwrap());
        assert_eq!(s.stats().unwrap().batches, 1);
    }

    #[test]
    fn other_versions_and_missing_indexes_are_named() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            RedbStore::open(dir.path()),
            Err(IndexError::Missing { .. })
        ));
        let s = RedbStore::create(dir.path()).unwrap();
        assert!(matches!(
            RedbStore::create(dir.path()),
            Err(IndexError::Exists { .. })
        ));
        s.write_meta(FORMAT_VERSION + 1).unwrap();
        drop(s);
        let err = RedbStore::open(dir.path()).err().unwrap();
        let msg = err.to_string();
        assert!(msg.contains("version 2") && msg.contains("newer"), "{msg}");
        let s = RedbStore::open_unchecked(dir.path());
        s.write_meta(0).unwrap();
        drop(s);
        let msg = RedbStore::open(dir.path()).err().unwrap().to_string();
        assert!(msg.contains("older"), "{msg}");
    }

    #[test]
    fn a_foreign_file_is_not_an_index() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE_NAME), b"not a database at all").unwrap();
        assert!(RedbStore::open(dir.path()).is_err());
    }

    #[test]
    fn compaction_keeps_the_contents() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = RedbStore::create(dir.path()).unwrap();
        for i in 0..20 {
            s.add_batch(
                &[doc(&format!("d{i}"))],
                &[("pairs", vec![b'x'; 10_000 + i])],
            )
            .unwrap();
        }
        s.compact().unwrap();
        assert_eq!(s.stats().unwrap().docs, 20);
        assert_eq!(s.result("pairs").unwrap().unwrap().len(), 10_019);
    }
}
