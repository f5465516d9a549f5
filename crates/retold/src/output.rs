//! Writing `pairs.jsonl`, `clusters.jsonl` and `keep.txt`, each atomically (written under a
//! temporary name, synced, then renamed), so a killed run never leaves a half-written file.

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

/// Writes `path` atomically with `fill`.
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

/// Writes the three output files into `dir` (created if missing).
pub fn write_outputs(dir: &Path, out: &DedupOutput) -> Result<(), Error> {
    fs::create_dir_all(dir).map_err(file_err(dir))?;
    write_atomic(&dir.join("pairs.jsonl"), |w| write_pairs(w, out))?;
    write_atomic(&dir.join("clusters.jsonl"), |w| write_clusters(w, out))?;
    write_atomic(&dir.join("keep.txt"), |w| write_keep(w, out))
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
