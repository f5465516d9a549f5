//! Writing `pairs.jsonl`, `clusters.jsonl` and `keep.txt` as one set, so that a run killed at
//! any point (SIGINT, SIGKILL, power loss after the data reached the disk) never leaves a
//! partial file or a silent mix of two runs' files.
//!
//! How ([`write_set`]): every file of the set is written and synced into a staging directory
//! inside the output directory (`.retold-staging/`), with a `manifest.json` naming each file,
//! its size and its XXH3-64 hash, written last. Then the old `manifest.json` is removed, each
//! file is renamed into place (one atomic `rename` each) and the new manifest is renamed in
//! last. So at every instant:
//!
//! - each output file is whole: the previous run's or the new run's, never part of one;
//! - when `manifest.json` is present, the files it names are exactly the ones it describes
//!   (all from one run);
//! - only during the renames (no manifest) can old and new files sit side by side; the
//!   staging directory then still holds the rest of the new set, and the next write of the
//!   set removes it and writes every file again.

use crate::analyze::{round3, AlignedPassage};
use crate::classify::Features;
use crate::error::Error;
use crate::pipeline::{ClusterResult, DedupOutput, PairResult};
use crate::relation::Relation;
use serde::Serialize;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// One line of `pairs.jsonl`.
#[derive(Serialize)]
pub struct PairLine<'a> {
    /// First document id.
    pub a: &'a str,
    /// Second document id.
    pub b: &'a str,
    /// Relation.
    pub relation: Relation,
    /// Confidence.
    pub confidence: f32,
    /// Identical content after normalisation.
    pub exact: bool,
    /// Features.
    pub scores: &'a Features,
    /// Aligned passages with code point offsets into each original text.
    pub passages: &'a [AlignedPassage],
}

/// One line of `clusters.jsonl`.
#[derive(Serialize)]
pub struct ClusterLine<'a> {
    /// Cluster name.
    pub cluster: &'a str,
    /// Member ids, in input order.
    pub docs: Vec<&'a str>,
    /// The relation holding it together.
    pub relation: Relation,
    /// Likely original id.
    pub original: Option<&'a str>,
    /// Why.
    pub original_reason: &'a str,
    /// Story name.
    pub story: &'a str,
}

fn file_err(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |error| Error::File {
        path: path.to_path_buf(),
        error,
    }
}

/// The manifest of an output set, written last (see the module documentation).
pub const MANIFEST: &str = "manifest.json";

/// The staging directory inside the output directory.
pub const STAGING: &str = ".retold-staging";

/// A writer that counts and hashes (XXH3-64) what goes through it.
struct Hashing<W> {
    inner: W,
    hasher: xxhash_rust::xxh3::Xxh3,
    bytes: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// One entry of `manifest.json`.
#[derive(Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ManifestFile {
    /// File name inside the output directory.
    pub name: String,
    /// Size in bytes.
    pub bytes: u64,
    /// XXH3-64 of the contents, 16 lowercase hex digits.
    pub xxh3: String,
}

/// `manifest.json`: the files of one complete output set.
#[derive(Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// Format of this file (1).
    pub version: u32,
    /// The files, in the order written.
    pub files: Vec<ManifestFile>,
}

/// The XXH3-64 of `bytes` as written in a manifest.
pub fn manifest_hash(bytes: &[u8]) -> String {
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(bytes))
}

/// Fills one file of a set.
pub type Fill<'a> = Box<dyn FnOnce(&mut dyn Write) -> std::io::Result<()> + 'a>;

/// Syncs a directory (its entries: new names, renames), where the platform allows it.
fn sync_dir(dir: &Path) -> Result<(), Error> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(file_err(dir))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Writes `path` whole with `fill` (created or truncated), synced; returns its manifest entry.
fn write_synced(
    path: &Path,
    name: &str,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<ManifestFile, Error> {
    let f = File::create(path).map_err(file_err(path))?;
    let mut w = Hashing {
        inner: BufWriter::with_capacity(1 << 16, f),
        hasher: xxhash_rust::xxh3::Xxh3::new(),
        bytes: 0,
    };
    fill(&mut w)
        .and_then(|_| w.flush())
        .and_then(|_| w.inner.get_ref().sync_all())
        .map_err(file_err(path))?;
    Ok(ManifestFile {
        name: name.to_owned(),
        bytes: w.bytes,
        xxh3: format!("{:016x}", w.hasher.digest()),
    })
}

/// Writes the files `files` (name, filler) into `dir` (created if missing) as one set, with
/// `manifest.json` (see the module documentation). On an error the previous set is left as
/// it was unless the renames had begun.
pub fn write_set(dir: &Path, files: Vec<(&str, Fill<'_>)>) -> Result<(), Error> {
    fs::create_dir_all(dir).map_err(file_err(dir))?;
    let staging = dir.join(STAGING);
    if staging.exists() {
        // Left by a run killed while writing: never read, replaced whole.
        fs::remove_dir_all(&staging).map_err(file_err(&staging))?;
    }
    fs::create_dir(&staging).map_err(file_err(&staging))?;
    let staged = (|| {
        let mut manifest = Manifest {
            version: 1,
            files: Vec::with_capacity(files.len()),
        };
        let mut names = Vec::with_capacity(files.len());
        for (name, fill) in files {
            manifest
                .files
                .push(write_synced(&staging.join(name), name, fill)?);
            names.push(name);
        }
        let m = staging.join(MANIFEST);
        write_synced(&m, MANIFEST, |w| {
            serde_json::to_writer_pretty(&mut *w, &manifest)?;
            w.write_all(b"\n")
        })?;
        sync_dir(&staging)?;
        Ok::<_, Error>(names)
    })();
    let names = match staged {
        Ok(names) => names,
        Err(e) => {
            // Nothing of the previous set was touched yet.
            let _ = fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    let manifest = dir.join(MANIFEST);
    match fs::remove_file(&manifest) {
        Ok(()) => sync_dir(dir)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(file_err(&manifest)(e)),
    }
    for name in names.iter().copied().chain([MANIFEST]) {
        let to = dir.join(name);
        fs::rename(staging.join(name), &to).map_err(file_err(&to))?;
    }
    sync_dir(dir)?;
    fs::remove_dir(&staging).map_err(file_err(&staging))
}

/// Reads `dir/manifest.json` and checks every file it names against it: `Ok(Some(manifest))`
/// when the set is complete and consistent, `Ok(None)` when there is no manifest (no set
/// written yet, or one cut short during its renames), `Err` naming the first file that does
/// not match.
pub fn check_set(dir: &Path) -> Result<Option<Manifest>, String> {
    let bytes = match fs::read(dir.join(MANIFEST)) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{}: {e}", dir.join(MANIFEST).display())),
    };
    let m: Manifest = serde_json::from_slice(&bytes)
        .map_err(|e| format!("{}: {e}", dir.join(MANIFEST).display()))?;
    for f in &m.files {
        let p = dir.join(&f.name);
        let data = fs::read(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        if data.len() as u64 != f.bytes || manifest_hash(&data) != f.xxh3 {
            return Err(format!("{}: does not match {MANIFEST}", p.display()));
        }
    }
    Ok(Some(m))
}

/// Writes `path` atomically with `fill` (written under a temporary name, synced, renamed).
pub fn write_atomic(
    path: &Path,
    fill: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> Result<(), Error> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let tmp: PathBuf = path.with_file_name(format!(".{name}.tmp"));
    let f = File::create(&tmp).map_err(file_err(&tmp))?;
    let mut w = BufWriter::with_capacity(1 << 16, f);
    let res = fill(&mut w)
        .and_then(|_| w.flush())
        .and_then(|_| w.get_ref().sync_all());
    if let Err(e) = res {
        let _ = fs::remove_file(&tmp);
        return Err(file_err(&tmp)(e));
    }
    fs::rename(&tmp, path).map_err(file_err(path))
}

/// Writes the three output files into `dir` (created if missing) as one set with
/// `manifest.json` (see [`write_set`]).
pub fn write_outputs(dir: &Path, out: &DedupOutput) -> Result<(), Error> {
    write_set(
        dir,
        vec![
            ("pairs.jsonl", Box::new(|w| write_pairs(w, out))),
            ("clusters.jsonl", Box::new(|w| write_clusters(w, out))),
            ("keep.txt", Box::new(|w| write_keep(w, out))),
        ],
    )
}

/// The `pairs.jsonl` line of a verified pair.
pub fn pair_line<'a>(out: &'a DedupOutput, p: &'a PairResult) -> PairLine<'a> {
    let id = |i: u32| out.docs[i as usize].id.as_str();
    PairLine {
        a: id(p.a),
        b: id(p.b),
        relation: p.analysis.relation,
        confidence: round3(p.analysis.confidence),
        exact: p.analysis.exact,
        scores: &p.analysis.features,
        passages: &p.analysis.passages,
    }
}

/// The `clusters.jsonl` line of a cluster.
pub fn cluster_line<'a>(out: &'a DedupOutput, c: &'a ClusterResult) -> ClusterLine<'a> {
    let id = |i: u32| out.docs[i as usize].id.as_str();
    ClusterLine {
        cluster: &c.name,
        docs: c.docs.iter().map(|&d| id(d)).collect(),
        relation: c.relation,
        original: c.original.map(id),
        original_reason: &c.original_reason,
        story: &c.story,
    }
}

/// Writes `pairs.jsonl` (one JSON object per verified pair).
pub fn write_pairs(w: &mut dyn Write, out: &DedupOutput) -> std::io::Result<()> {
    for p in &out.pairs {
        serde_json::to_writer(&mut *w, &pair_line(out, p))?;
        w.write_all(b"\n")?;
    }
    Ok(())
}

/// Writes `clusters.jsonl` (one JSON object per cluster).
pub fn write_clusters(w: &mut dyn Write, out: &DedupOutput) -> std::io::Result<()> {
    for c in &out.clusters {
        serde_json::to_writer(&mut *w, &cluster_line(out, c))?;
        w.write_all(b"\n")?;
    }
    Ok(())
}

/// Writes `keep.txt` (the ids of the documents kept, one per line).
pub fn write_keep(w: &mut dyn Write, out: &DedupOutput) -> std::io::Result<()> {
    for &k in &out.keep {
        w.write_all(out.docs[k as usize].id.as_bytes())?;
        w.write_all(b"\n")?;
    }
    Ok(())
}
