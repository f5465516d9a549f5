//! `retold_runs` keeps `(key, document)` entries that do not fit in memory: the candidate
//! indexes of `retold_sketch` hand it their buffered entries when the run's memory budget is
//! reached ([`KeyRuns::spill`]), and read everything back, in key order, as groups of
//! documents sharing a key ([`KeyRuns::merge`] → [`Merged::next_group`]).
//!
//! # Format
//!
//! A spill sorts the entries (in parallel), drops repeated ones and writes them as one *run* to
//! an unnamed temporary file (in `$TMPDIR`, removed by the operating system when it is
//! closed, also when the process is killed). Entries are stored as varints: the key as the
//! difference from the previous key; the document as the difference from the previous
//! document under the same key, or from the run's smallest document at a new key. With
//! 64-bit hashed keys that is about 9 bytes an entry instead of 16 in memory. A merge reads
//! every run with its own buffer (positioned reads, so `&self` suffices) and merges them with
//! the sorted in-memory rest through a binary heap.
//!
//! The merged stream is exactly what sorting all entries in memory would give: the same
//! groups, with the same documents in ascending order, whatever the number of runs. Callers
//! that pair documents from the groups therefore produce the same pairs spilled or not.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::PathBuf;

use rayon::slice::ParallelSliceMut;

/// Bytes read from a run at a time.
const READ_BUF: usize = 1 << 18;

/// What can go wrong with runs on disk.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunsError {
    /// A run could not be created or written (often: the disk is full).
    #[error(
        "could not write a sorted run to the temporary directory {dir}: {error} (is the disk \
         full? set TMPDIR to a directory with more free space)"
    )]
    Write {
        /// The temporary directory.
        dir: PathBuf,
        /// The cause (in the message already, so not chained as a source).
        error: io::Error,
    },
    /// A run could not be read back.
    #[error("could not read back a sorted run from the temporary directory {dir}: {error}")]
    Read {
        /// The temporary directory.
        dir: PathBuf,
        /// The cause (in the message already, so not chained as a source).
        error: io::Error,
    },
    /// A run ended early or held an invalid varint (the temporary file was changed).
    #[error("a sorted run in the temporary directory {dir} is corrupt")]
    Corrupt {
        /// The temporary directory.
        dir: PathBuf,
    },
    /// More groups than a `u32` can number.
    #[error("too many groups to number ({0})")]
    TooManyGroups(u64),
}

/// One sorted run on disk.
#[derive(Debug)]
struct Run {
    file: File,
    /// Smallest document of the run.
    base: u32,
    /// Entries.
    len: u64,
    /// Bytes.
    bytes: u64,
}

/// The spilled part of a `(key, document)` index: sorted runs on disk.
#[derive(Debug, Default)]
pub struct KeyRuns {
    runs: Vec<Run>,
}

fn temp_dir() -> PathBuf {
    std::env::temp_dir()
}

fn put_varint(w: &mut impl Write, mut v: u64) -> io::Result<()> {
    let mut buf = [0u8; 10];
    let mut n = 0;
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            buf[n] = b;
            n += 1;
            break;
        }
        buf[n] = b | 0x80;
        n += 1;
    }
    w.write_all(&buf[..n])
}

impl KeyRuns {
    /// No runs.
    pub fn new() -> Self {
        KeyRuns::default()
    }

    /// True when nothing was spilled.
    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    /// Number of runs.
    pub fn runs(&self) -> usize {
        self.runs.len()
    }

    /// Entries on disk (after dropping repeats within each run).
    pub fn entries(&self) -> u64 {
        self.runs.iter().map(|r| r.len).sum()
    }

    /// Bytes on disk.
    pub fn bytes(&self) -> u64 {
        self.runs.iter().map(|r| r.bytes).sum()
    }

    /// Sorts `entries`, drops repeats, writes them as one run and empties `entries` (its
    /// memory is released). Nothing is written for an empty vector.
    pub fn spill(&mut self, entries: &mut Vec<(u64, u32)>) -> Result<(), RunsError> {
        if entries.is_empty() {
            return Ok(());
        }
        entries.par_sort_unstable();
        entries.dedup();
        let write_err = |error| RunsError::Write {
            dir: temp_dir(),
            error,
        };
        let file = tempfile::tempfile().map_err(write_err)?;
        let base = entries.iter().map(|e| e.1).min().unwrap_or(0);
        let mut w = BufWriter::with_capacity(1 << 20, &file);
        let (mut pk, mut pd) = (0u64, 0u32);
        for (i, &(k, d)) in entries.iter().enumerate() {
            let same = i > 0 && k == pk;
            put_varint(&mut w, k - if i > 0 { pk } else { 0 }).map_err(write_err)?;
            let dd = if same { d - pd } else { d - base };
            put_varint(&mut w, dd as u64).map_err(write_err)?;
            (pk, pd) = (k, d);
        }
        w.flush().map_err(write_err)?;
        drop(w);
        let bytes = file.metadata().map_err(write_err)?.len();
        self.runs.push(Run {
            file,
            base,
            len: entries.len() as u64,
            bytes,
        });
        *entries = Vec::new();
        Ok(())
    }

    /// Every run merged with `mem` (entries still in memory, in any order: they are sorted
    /// here).
    pub fn merge(&self, mut sorted: Vec<(u64, u32)>) -> Result<Merged<'_>, RunsError> {
        sorted.par_sort_unstable();
        sorted.dedup();
        let mut sources: Vec<Source<'_>> = self.runs.iter().map(Source::new).collect();
        let mut heap = BinaryHeap::with_capacity(sources.len() + 1);
        for (i, s) in sources.iter_mut().enumerate() {
            if let Some(e) = s.next()? {
                heap.push(Reverse((e, i)));
            }
        }
        Ok(Merged {
            heap,
            sources,
            mem: sorted,
            mem_at: 0,
            last: None,
            pending: None,
        })
    }
}

/// A reader of one run.
struct Source<'a> {
    run: &'a Run,
    buf: Vec<u8>,
    at: usize,
    /// File offset of the byte after `buf`.
    pos: u64,
    left: u64,
    key: u64,
    doc: u32,
    first: bool,
}

impl<'a> Source<'a> {
    fn new(run: &'a Run) -> Self {
        Source {
            run,
            buf: Vec::new(),
            at: 0,
            pos: 0,
            left: run.len,
            key: 0,
            doc: 0,
            first: true,
        }
    }

    fn corrupt() -> RunsError {
        RunsError::Corrupt { dir: temp_dir() }
    }

    fn byte(&mut self) -> Result<u8, RunsError> {
        if self.at == self.buf.len() {
            let n = (self.run.bytes - self.pos).min(READ_BUF as u64) as usize;
            if n == 0 {
                return Err(Self::corrupt());
            }
            self.buf.resize(n, 0);
            self.run
                .file
                .read_exact_at(&mut self.buf, self.pos)
                .map_err(|error| RunsError::Read {
                    dir: temp_dir(),
                    error,
                })?;
            self.pos += n as u64;
            self.at = 0;
        }
        let b = self.buf[self.at];
        self.at += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64, RunsError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= ((b & 0x7f) as u64) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(Self::corrupt())
    }

    fn next(&mut self) -> Result<Option<(u64, u32)>, RunsError> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        let dk = self.varint()?;
        let dd = u32::try_from(self.varint()?).map_err(|_| Self::corrupt())?;
        let same = !self.first && dk == 0;
        self.key = self.key.checked_add(dk).ok_or_else(Self::corrupt)?;
        self.doc = if same {
            self.doc.checked_add(dd)
        } else {
            self.run.base.checked_add(dd)
        }
        .ok_or_else(Self::corrupt)?;
        self.first = false;
        Ok(Some((self.key, self.doc)))
    }
}

/// Runs and in-memory entries merged in `(key, document)` order.
pub struct Merged<'a> {
    heap: BinaryHeap<Reverse<((u64, u32), usize)>>,
    sources: Vec<Source<'a>>,
    mem: Vec<(u64, u32)>,
    mem_at: usize,
    last: Option<(u64, u32)>,
    /// The first entry of the next group, read while finishing the previous one.
    pending: Option<(u64, u32)>,
}

impl Merged<'_> {
    fn peek_or_next(&mut self) -> Result<Option<(u64, u32)>, RunsError> {
        match self.pending.take() {
            Some(e) => Ok(Some(e)),
            None => self.next_entry(),
        }
    }

    /// The next entry, in ascending order, without repeats.
    fn next_entry(&mut self) -> Result<Option<(u64, u32)>, RunsError> {
        loop {
            let from_mem = self.mem.get(self.mem_at).copied();
            let from_runs = self.heap.peek().map(|r| r.0 .0);
            let e = match (from_mem, from_runs) {
                (None, None) => return Ok(None),
                (Some(m), Some(r)) if r < m => self.pop_run()?,
                (Some(m), _) => {
                    self.mem_at += 1;
                    m
                }
                (None, Some(_)) => self.pop_run()?,
            };
            if self.last != Some(e) {
                self.last = Some(e);
                return Ok(Some(e));
            }
        }
    }

    fn pop_run(&mut self) -> Result<(u64, u32), RunsError> {
        let Reverse((e, i)) = self.heap.pop().expect("peeked");
        if let Some(n) = self.sources[i].next()? {
            self.heap.push(Reverse((n, i)));
        }
        Ok(e)
    }

    /// The next key and, in `docs` (cleared first), its documents in ascending order;
    /// `None` after the last key.
    pub fn next_group(&mut self, docs: &mut Vec<u32>) -> Result<Option<u64>, RunsError> {
        docs.clear();
        let Some((key, d)) = self.peek_or_next()? else {
            return Ok(None);
        };
        docs.push(d);
        while let Some((k, d)) = self.next_entry()? {
            if k != key {
                self.pending = Some((k, d));
                break;
            }
            docs.push(d);
        }
        Ok(Some(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn groups_in_memory(mut all: Vec<(u64, u32)>) -> Vec<(u64, Vec<u32>)> {
        all.sort_unstable();
        all.dedup();
        let mut out: Vec<(u64, Vec<u32>)> = Vec::new();
        for (k, d) in all {
            match out.last_mut() {
                Some((lk, docs)) if *lk == k => docs.push(d),
                _ => out.push((k, vec![d])),
            }
        }
        out
    }

    fn groups_spilled(batches: &[Vec<(u64, u32)>], mem: &[(u64, u32)]) -> Vec<(u64, Vec<u32>)> {
        let mut runs = KeyRuns::new();
        for b in batches {
            let mut b = b.clone();
            runs.spill(&mut b).unwrap();
            assert!(b.is_empty());
        }
        let mut m = runs.merge(mem.to_vec()).unwrap();
        let mut out = Vec::new();
        let mut docs = Vec::new();
        while let Some(k) = m.next_group(&mut docs).unwrap() {
            out.push((k, docs.clone()));
        }
        assert!(m.next_group(&mut docs).unwrap().is_none());
        out
    }

    #[test]
    fn groups_cross_runs_and_memory() {
        let a = vec![(5, 1), (u64::MAX, 7), (3, 2), (5, 1), (0, 0)];
        let b = vec![(5, 9), (3, 8), (4, u32::MAX)];
        let mem = [(5, 4), (3, 2), (6, 3)];
        let got = groups_spilled(&[a.clone(), b.clone(), vec![]], &mem);
        let want = groups_in_memory([a, b, mem.to_vec()].concat());
        assert_eq!(got, want);
        assert_eq!(got[3], (5, vec![1, 4, 9]));
    }

    #[test]
    fn counts_and_bytes() {
        let mut runs = KeyRuns::new();
        assert!(runs.is_empty());
        let mut e: Vec<(u64, u32)> = (0..1000u32).map(|d| (d as u64 * 7919, d)).collect();
        e.push((0, 0));
        runs.spill(&mut e).unwrap();
        assert_eq!((runs.runs(), runs.entries()), (1, 1000));
        assert!(runs.bytes() > 1000 && runs.bytes() < 16 * 1000);
    }

    proptest! {
        #[test]
        fn merge_equals_one_sort(
            batches in proptest::collection::vec(
                proptest::collection::vec((0u64..40, 0u32..30), 0..60), 0..5),
            big in proptest::collection::vec((any::<u64>(), any::<u32>()), 0..40),
            mem in proptest::collection::vec((0u64..40, 0u32..30), 0..30),
        ) {
            let mut batches = batches;
            batches.push(big);
            let all: Vec<(u64, u32)> = batches.iter().flatten().copied().chain(mem.iter().copied()).collect();
            prop_assert_eq!(groups_spilled(&batches, &mem), groups_in_memory(all));
        }
    }
}
