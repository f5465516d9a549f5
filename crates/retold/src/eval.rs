//! `eval`: scores a run of the pipeline against gold labels (format of
//! `../shared/eval/README.md`).
//!
//! The predicted label of a pair is the relation of the verified pair if the pipeline found
//! one; otherwise, if both documents ended in one reproduction cluster, that cluster's relation;
//! otherwise `unrelated`. Pair gold scores the labelled pairs only. Cluster gold labels every
//! pair of its documents: pairs inside a cluster carry the cluster's relation (for
//! `translation` clusters, same-language pairs count as reproduced with any fine label), pairs
//! across clusters are `unrelated`; it also reports the adjusted Rand index and pairwise
//! precision/recall/F1 of the clusters.

use crate::error::Error;
use crate::pipeline::DedupOutput;
use crate::relation::Relation;
use ahash::AHashMap;
use serde::Serialize;
use std::path::Path;

/// Precision, recall, F1 and counts of one label.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Prf {
    /// Precision, `None` when nothing was predicted.
    pub precision: Option<f64>,
    /// Recall, `None` when there is no gold.
    pub recall: Option<f64>,
    /// F1, `None` when undefined.
    pub f1: Option<f64>,
    /// Gold count.
    pub gold: usize,
    /// Predicted count.
    pub predicted: usize,
}

impl Prf {
    fn new(tp: usize, gold: usize, predicted: usize) -> Prf {
        let precision = (predicted > 0).then(|| tp as f64 / predicted as f64);
        let recall = (gold > 0).then(|| tp as f64 / gold as f64);
        let f1 = match (precision, recall) {
            (Some(p), Some(r)) if p + r > 0.0 => Some(2.0 * p * r / (p + r)),
            (Some(_), Some(_)) => Some(0.0),
            _ => None,
        };
        Prf {
            precision: precision.map(r4),
            recall: recall.map(r4),
            f1: f1.map(r4),
            gold,
            predicted,
        }
    }
}

fn r4(x: f64) -> f64 {
    (x * 10000.0).round() / 10000.0
}

/// The confusion matrix: rows gold, columns predicted, in [`Relation::ALL`] order.
#[derive(Debug, Clone, Serialize)]
pub struct Confusion {
    /// Labels of rows and columns.
    pub labels: Vec<&'static str>,
    /// Counts.
    pub matrix: Vec<Vec<usize>>,
}

/// Pair-level scores.
#[derive(Debug, Clone, Serialize)]
pub struct PairScores {
    /// Labelled pairs scored.
    pub labelled: usize,
    /// Per fine label.
    pub per_label: std::collections::BTreeMap<&'static str, Prf>,
    /// Reproduced vs independent.
    pub coarse: std::collections::BTreeMap<&'static str, Prf>,
    /// Share of gold-reproduced pairs found as reproduced that got the right fine label.
    pub fine_accuracy_on_reproduced: Option<f64>,
    /// Confusion matrix.
    pub confusion: Confusion,
    /// Share of independent gold pairs (`related`/`unrelated`) called reproduced.
    pub independent_called_reproduced: Option<f64>,
}

/// Cluster-level scores.
#[derive(Debug, Clone, Serialize)]
pub struct ClusterScores {
    /// Adjusted Rand index.
    pub ari: f64,
    /// Pairwise precision/recall/F1 of "same cluster".
    pub pairwise: Prf,
}

/// The report of `retold eval`.
#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    /// Documents in the dataset.
    pub docs: usize,
    /// `pairs` or `clusters`.
    pub gold_kind: &'static str,
    /// Seconds the pipeline took.
    pub elapsed_s: f64,
    /// Pair scores.
    pub pairs: PairScores,
    /// Cluster scores (cluster gold only).
    pub clusters: Option<ClusterScores>,
    /// Provenance scores (cluster gold whose originals are known).
    pub provenance: Option<ProvenanceScores>,
}

/// How the named original of each cluster compares with the gold original, over the predicted
/// clusters that hold a gold cluster's known original and another of its members.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ProvenanceScores {
    /// Such clusters.
    pub clusters: usize,
    /// The gold original named.
    pub right: usize,
    /// Another member named.
    pub wrong: usize,
    /// None named (`undetermined: …`), `no_evidence` included.
    pub undetermined: usize,
    /// None named because no evidence was found (`undetermined: no evidence…`): none at all,
    /// or none between exact copies of one text that tie for first place.
    pub no_evidence: usize,
    /// Of `no_evidence`: exact copies of one text tie for first place and nothing tells them
    /// apart (`undetermined: no evidence between…`).
    pub copies_tied: usize,
    /// `right ÷ (clusters − no_evidence)`: right where any evidence exists.
    pub right_share_with_evidence: Option<f64>,
    /// `wrong ÷ (clusters − no_evidence)`.
    pub wrong_share_with_evidence: Option<f64>,
    /// `undetermined ÷ clusters`.
    pub undetermined_share: Option<f64>,
    /// The clusters scored: (position in the run's clusters, the gold original).
    #[serde(skip)]
    pub scored: Vec<(usize, u32)>,
}

impl ProvenanceScores {
    /// Counts one cluster whose gold original is `original`, given the original named (if
    /// any) and the reason.
    fn count(&mut self, original: u32, named: Option<u32>, reason: &str) {
        self.clusters += 1;
        match named {
            Some(x) if x == original => self.right += 1,
            Some(_) => self.wrong += 1,
            None => {
                self.undetermined += 1;
                if reason.starts_with("undetermined: no evidence") {
                    self.no_evidence += 1;
                }
                if reason.starts_with("undetermined: no evidence between") {
                    self.copies_tied += 1;
                }
            }
        }
    }

    /// Fills in the shares from the counts.
    fn finish(&mut self) {
        let share = |x: usize, n: usize| (n > 0).then(|| r4(x as f64 / n as f64));
        let with = self.clusters - self.no_evidence;
        self.right_share_with_evidence = share(self.right, with);
        self.wrong_share_with_evidence = share(self.wrong, with);
        self.undetermined_share = share(self.undetermined, self.clusters);
    }
}

/// A gold pair: `None` label = reproduced with any fine label.
struct GoldPair {
    a: u32,
    b: u32,
    label: Option<Relation>,
}

enum Gold {
    Pairs(Vec<GoldPair>),
    Clusters {
        pairs: Vec<GoldPair>,
        /// Gold cluster per document (only documents named in the gold).
        of: AHashMap<u32, usize>,
        /// Each gold cluster's members and its original, when the gold line names one
        /// (`"original": id`).
        clusters: Vec<(Vec<u32>, Option<u32>)>,
    },
}

fn gold_err(path: &Path, line: u64, message: impl Into<String>) -> Error {
    Error::Gold {
        path: path.to_path_buf(),
        line,
        message: message.into(),
    }
}

fn load_gold(path: &Path, out: &DedupOutput) -> Result<Gold, Error> {
    let index: AHashMap<&str, u32> = out
        .docs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id.as_str(), i as u32))
        .collect();
    let values = retold_ingest::read_jsonl_values(path)?;
    let id_of = |line: u64, v: &serde_json::Value| -> Result<u32, Error> {
        let s = match v {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            _ => return Err(gold_err(path, line, "document id must be a string")),
        };
        index
            .get(s.as_str())
            .copied()
            .ok_or_else(|| gold_err(path, line, format!("unknown document id {s:?}")))
    };
    let label_of = |line: u64, v: Option<&serde_json::Value>| -> Result<Relation, Error> {
        let s = v
            .and_then(|v| v.as_str())
            .ok_or_else(|| gold_err(path, line, "missing label"))?;
        s.parse::<Relation>().map_err(|e| gold_err(path, line, e))
    };
    let mut pairs = Vec::new();
    let mut clusters: Vec<(Vec<u32>, Relation)> = Vec::new();
    let mut originals: Vec<Option<u32>> = Vec::new();
    for (line, v) in &values {
        let line = *line;
        if let Some(docs) = v.get("docs") {
            let docs = docs
                .as_array()
                .ok_or_else(|| gold_err(path, line, "\"docs\" must be a list"))?;
            let ids = docs
                .iter()
                .map(|d| id_of(line, d))
                .collect::<Result<Vec<_>, _>>()?;
            let original = match v.get("original") {
                None | Some(serde_json::Value::Null) => None,
                Some(o) => {
                    let o = id_of(line, o)?;
                    if !ids.contains(&o) {
                        return Err(gold_err(path, line, "\"original\" is not in \"docs\""));
                    }
                    Some(o)
                }
            };
            clusters.push((ids, label_of(line, v.get("relation"))?));
            originals.push(original);
        } else if let (Some(a), Some(b)) = (v.get("a"), v.get("b")) {
            let (a, b) = (id_of(line, a)?, id_of(line, b)?);
            pairs.push(GoldPair {
                a: a.min(b),
                b: a.max(b),
                label: Some(label_of(line, v.get("label"))?),
            });
        } else {
            return Err(gold_err(
                path,
                line,
                "expected a cluster line {\"cluster\",\"docs\",\"relation\"} or a pair line {\"a\",\"b\",\"label\"}",
            ));
        }
    }
    if clusters.is_empty() {
        return Ok(Gold::Pairs(pairs));
    }
    let mut of = AHashMap::new();
    for (c, (docs, _)) in clusters.iter().enumerate() {
        for &d in docs {
            of.insert(d, c);
        }
    }
    let mut all: Vec<u32> = of.keys().copied().collect();
    all.sort_unstable();
    let lang = |d: u32| out.docs[d as usize].lang.as_deref();
    for (i, &x) in all.iter().enumerate() {
        for &y in &all[i + 1..] {
            let (cx, cy) = (of[&x], of[&y]);
            let label = if cx != cy {
                Some(Relation::Unrelated)
            } else {
                match clusters[cx].1 {
                    Relation::Translation if lang(x).is_some() && lang(x) == lang(y) => None,
                    r => Some(r),
                }
            };
            pairs.push(GoldPair { a: x, b: y, label });
        }
    }
    let clusters = clusters
        .into_iter()
        .zip(originals)
        .map(|((docs, _), o)| (docs, o))
        .collect();
    Ok(Gold::Clusters {
        pairs,
        of,
        clusters,
    })
}

/// The pipeline's label for every pair it reports, and the cluster fallback. Pairs verified
/// `unrelated` are in `out.pairs` only for `--dump-pairs`; `dedup` does not report them, so
/// they fall back to the clusters too (the scores must not depend on dumping).
fn predictor(out: &DedupOutput) -> impl Fn(u32, u32) -> Relation + '_ {
    let explicit: AHashMap<(u32, u32), Relation> = out
        .pairs
        .iter()
        .filter(|p| p.analysis.relation != Relation::Unrelated)
        .map(|p| ((p.a, p.b), p.analysis.relation))
        .collect();
    move |a: u32, b: u32| {
        if let Some(r) = explicit.get(&(a.min(b), a.max(b))) {
            return *r;
        }
        match (out.cluster_of[a as usize], out.cluster_of[b as usize]) {
            (Some(x), Some(y)) if x == y => out.clusters[x as usize].relation,
            _ => Relation::Unrelated,
        }
    }
}

fn idx(r: Relation) -> usize {
    Relation::ALL.iter().position(|&x| x == r).unwrap()
}

fn score_pairs(pairs: &[GoldPair], predict: &dyn Fn(u32, u32) -> Relation) -> PairScores {
    let mut matrix = vec![vec![0usize; 6]; 6];
    let mut coarse = [[0usize; 2]; 2]; // [gold reproduced?][pred reproduced?]
    let mut fine_right = 0;
    let mut fine_total = 0;
    let mut fine_pred = [0usize; 6];
    let mut fine_tp = [0usize; 6];
    let mut fine_gold = [0usize; 6];
    for p in pairs {
        let pred = predict(p.a, p.b);
        let g_rep = p.label.is_none_or(|l| l.is_reproduced());
        coarse[g_rep as usize][pred.is_reproduced() as usize] += 1;
        // A pair reproduced with any fine label (no `label`) counts in the coarse scores only.
        if let Some(l) = p.label {
            matrix[idx(l)][idx(pred)] += 1;
            fine_gold[idx(l)] += 1;
            fine_pred[idx(pred)] += 1;
            if l == pred {
                fine_tp[idx(l)] += 1;
            }
            if l.is_reproduced() && pred.is_reproduced() {
                fine_total += 1;
                fine_right += (l == pred) as usize;
            }
        }
    }
    let per_label = Relation::ALL
        .iter()
        .map(|&r| {
            (
                r.as_str(),
                Prf::new(fine_tp[idx(r)], fine_gold[idx(r)], fine_pred[idx(r)]),
            )
        })
        .collect();
    let rep = Prf::new(
        coarse[1][1],
        coarse[1][0] + coarse[1][1],
        coarse[0][1] + coarse[1][1],
    );
    let ind = Prf::new(
        coarse[0][0],
        coarse[0][0] + coarse[0][1],
        coarse[0][0] + coarse[1][0],
    );
    let n_ind = coarse[0][0] + coarse[0][1];
    PairScores {
        labelled: pairs.len(),
        per_label,
        coarse: [("reproduced", rep), ("independent", ind)]
            .into_iter()
            .collect(),
        fine_accuracy_on_reproduced: (fine_total > 0)
            .then(|| r4(fine_right as f64 / fine_total as f64)),
        confusion: Confusion {
            labels: Relation::ALL.iter().map(|r| r.as_str()).collect(),
            matrix,
        },
        independent_called_reproduced: (n_ind > 0).then(|| r4(coarse[0][1] as f64 / n_ind as f64)),
    }
}

fn choose2(n: usize) -> f64 {
    (n as f64) * (n as f64 - 1.0) / 2.0
}

/// Adjusted Rand index of two labelings of the same items.
pub fn adjusted_rand(gold: &[usize], pred: &[usize]) -> f64 {
    let n = gold.len();
    let mut cont: AHashMap<(usize, usize), usize> = AHashMap::new();
    let mut ga: AHashMap<usize, usize> = AHashMap::new();
    let mut pb: AHashMap<usize, usize> = AHashMap::new();
    for (&g, &p) in gold.iter().zip(pred) {
        *cont.entry((g, p)).or_default() += 1;
        *ga.entry(g).or_default() += 1;
        *pb.entry(p).or_default() += 1;
    }
    let index: f64 = cont.values().map(|&c| choose2(c)).sum();
    let a: f64 = ga.values().map(|&c| choose2(c)).sum();
    let b: f64 = pb.values().map(|&c| choose2(c)).sum();
    let total = choose2(n);
    if total == 0.0 {
        return 1.0;
    }
    let expected = a * b / total;
    let max = (a + b) / 2.0;
    if (max - expected).abs() < 1e-12 {
        return 1.0;
    }
    r4((index - expected) / (max - expected))
}

/// Writes one JSON line per labelled gold pair that the run analysed (or that is reproduced
/// in the gold but was never a candidate): ids, gold label (`"reproduced"` where any
/// reproduced label counts), predicted relation, whether it was a candidate, and its features.
/// Run with `Config::keep_unrelated` so that pairs classified `unrelated` keep their features.
/// `scripts/fit_classifier.py` fits the classifier's thresholds on these lines.
pub fn dump_pairs(out: &DedupOutput, gold: &Path, to: &Path) -> Result<(), Error> {
    use std::io::Write;
    let gold = load_gold(gold, out)?;
    let pairs = match &gold {
        Gold::Pairs(p) => p,
        Gold::Clusters { pairs, .. } => pairs,
    };
    let analysed: AHashMap<(u32, u32), &crate::pipeline::PairResult> =
        out.pairs.iter().map(|p| ((p.a, p.b), p)).collect();
    let predict = predictor(out);
    let file_err = |error: std::io::Error| Error::File {
        path: to.to_path_buf(),
        error,
    };
    let mut w = std::io::BufWriter::new(std::fs::File::create(to).map_err(file_err)?);
    for g in pairs {
        let hit = analysed.get(&(g.a, g.b));
        let gold_reproduced = g.label.is_none_or(|l| l.is_reproduced());
        if hit.is_none() && !gold_reproduced {
            continue;
        }
        let line = serde_json::json!({
            "a": out.docs[g.a as usize].id,
            "b": out.docs[g.b as usize].id,
            "gold": g.label.map_or("reproduced", |l| l.as_str()),
            "pred": predict(g.a, g.b).as_str(),
            "candidate": hit.is_some(),
            "confidence": hit.map(|p| p.analysis.confidence),
            "features": hit.map(|p| serde_json::to_value(p.analysis.features).unwrap_or_default()),
        });
        writeln!(w, "{line}").map_err(file_err)?;
    }
    w.flush().map_err(file_err)?;
    Ok(())
}

/// Writes, for each cluster that `scores` scored, its gold original and the provenance votes
/// between its members kind by kind, with what provenance saw (JSONL), for
/// `scripts/fit_provenance.py`. The run needs [`crate::Config::keep_provenance_input`].
pub fn dump_provenance(
    out: &DedupOutput,
    scores: &ProvenanceScores,
    to: &Path,
) -> Result<(), Error> {
    use std::io::Write;
    let file_err = |error: std::io::Error| Error::File {
        path: to.to_path_buf(),
        error,
    };
    let id = |d: u32| out.docs[d as usize].id.as_str();
    let mut w = std::io::BufWriter::new(std::fs::File::create(to).map_err(file_err)?);
    for &(k, original) in &scores.scored {
        let c = &out.clusters[k];
        let votes: Vec<serde_json::Value> = c
            .provenance_input
            .iter()
            .flat_map(|input| input.votes())
            .map(|v| serde_json::json!({"x": id(v.x), "y": id(v.y), "net": v.net}))
            .collect();
        let line = serde_json::json!({
            "cluster": c.name,
            "original": id(original),
            "original_number": original,
            "named": c.original.map(id),
            "docs": c.docs.iter().map(|&d| id(d)).collect::<Vec<_>>(),
            "votes": votes,
            "input": c.provenance_input,
        });
        writeln!(w, "{line}").map_err(file_err)?;
    }
    w.flush().map_err(file_err)?;
    Ok(())
}

/// The provenance scores of the clusters in a [`dump_provenance`] file, decided again under
/// `weights` (for fitting them).
pub fn rescore_provenance(
    dump: &Path,
    weights: &retold_cluster::Weights,
) -> Result<ProvenanceScores, Error> {
    let text = std::fs::read_to_string(dump).map_err(|error| Error::File {
        path: dump.to_path_buf(),
        error,
    })?;
    let mut s = ProvenanceScores::default();
    for (i, line) in text.lines().enumerate() {
        let bad = |message: String| Error::Gold {
            path: dump.to_path_buf(),
            line: i as u64 + 1,
            message,
        };
        let v: serde_json::Value = serde_json::from_str(line).map_err(|e| bad(e.to_string()))?;
        let input: retold_cluster::ProvenanceInput =
            serde_json::from_value(v["input"].clone()).map_err(|e| bad(e.to_string()))?;
        let original = v["original_number"]
            .as_u64()
            .and_then(|o| u32::try_from(o).ok())
            .ok_or_else(|| bad("no original_number".to_string()))?;
        let p = input.decide(weights);
        s.count(original, p.original, &p.reason);
    }
    s.finish();
    Ok(s)
}

/// Scores `out` (a run over the dataset's documents) against the gold file at `gold`.
///
/// `originals` (ids, one per line) names the known originals of gold clusters whose lines do
/// not: a gold cluster holding exactly one of them gets it.
pub fn score(
    out: &DedupOutput,
    gold: &Path,
    originals: Option<&Path>,
    elapsed_s: f64,
) -> Result<EvalReport, Error> {
    let mut gold = load_gold(gold, out)?;
    // Pair gold: the groups its reproduction pairs connect stand for clusters (provenance).
    let mut pair_groups = match &gold {
        Gold::Pairs(p) if originals.is_some() => Some(pair_gold_groups(out.docs.len(), p)),
        _ => None,
    };
    let target = match (&mut gold, &mut pair_groups) {
        (Gold::Clusters { clusters, .. }, _) => Some(clusters),
        (_, Some((_, groups))) => Some(groups),
        _ => None,
    };
    if let (Some(path), Some(clusters)) = (originals, target) {
        let text = std::fs::read_to_string(path).map_err(|error| Error::File {
            path: path.to_path_buf(),
            error,
        })?;
        let known: ahash::AHashSet<&str> = text.lines().map(str::trim).collect();
        for (docs, o) in clusters.iter_mut().filter(|c| c.1.is_none()) {
            let listed: Vec<u32> = docs
                .iter()
                .copied()
                .filter(|&d| known.contains(out.docs[d as usize].id.as_str()))
                .collect();
            if let [one] = listed[..] {
                *o = Some(one);
            }
        }
    }
    let predict = predictor(out);
    let mut provenance = None;
    if let Some((of, groups)) = &pair_groups {
        provenance = score_provenance(out, of, groups);
    }
    let (kind, pairs, clusters) = match &gold {
        Gold::Pairs(p) => ("pairs", score_pairs(p, &predict), None),
        Gold::Clusters {
            pairs,
            of,
            clusters: gold_clusters,
        } => {
            provenance = score_provenance(out, of, gold_clusters);
            let mut docs: Vec<u32> = of.keys().copied().collect();
            docs.sort_unstable();
            let g: Vec<usize> = docs.iter().map(|d| of[d]).collect();
            let p: Vec<usize> = docs
                .iter()
                .map(|&d| match out.cluster_of[d as usize] {
                    Some(c) => c as usize,
                    None => out.clusters.len() + d as usize,
                })
                .collect();
            let (mut tp, mut gp, mut pp) = (0, 0, 0);
            for i in 0..docs.len() {
                for j in i + 1..docs.len() {
                    let (sg, sp) = (g[i] == g[j], p[i] == p[j]);
                    gp += sg as usize;
                    pp += sp as usize;
                    tp += (sg && sp) as usize;
                }
            }
            let cs = ClusterScores {
                ari: adjusted_rand(&g, &p),
                pairwise: Prf::new(tp, gp, pp),
            };
            ("clusters", score_pairs(pairs, &predict), Some(cs))
        }
    };
    Ok(EvalReport {
        docs: out.docs.len(),
        gold_kind: kind,
        elapsed_s: (elapsed_s * 1000.0).round() / 1000.0,
        pairs,
        clusters,
        provenance,
    })
}

/// The groups of documents that pair gold's reproduction pairs (duplicate, rewrite,
/// translation) connect, as (group of each document, groups with no original yet).
#[allow(clippy::type_complexity)]
fn pair_gold_groups(
    n: usize,
    pairs: &[GoldPair],
) -> (AHashMap<u32, usize>, Vec<(Vec<u32>, Option<u32>)>) {
    let edges: Vec<(u32, u32)> = pairs
        .iter()
        .filter(|g| g.label.is_some_and(|l| l.is_cluster_edge()))
        .map(|g| (g.a, g.b))
        .collect();
    let mut members: std::collections::BTreeMap<u32, Vec<u32>> = Default::default();
    for (d, r) in retold_cluster::components(n, &edges)
        .into_iter()
        .enumerate()
    {
        members.entry(r).or_default().push(d as u32);
    }
    let groups: Vec<(Vec<u32>, Option<u32>)> = members
        .into_values()
        .filter(|m| m.len() >= 2)
        .map(|m| (m, None))
        .collect();
    let of = groups
        .iter()
        .enumerate()
        .flat_map(|(g, (m, _))| m.iter().map(move |&d| (d, g)))
        .collect();
    (of, groups)
}

/// See [`ProvenanceScores`]; `None` when no gold cluster's original is known.
fn score_provenance(
    out: &DedupOutput,
    of: &AHashMap<u32, usize>,
    gold: &[(Vec<u32>, Option<u32>)],
) -> Option<ProvenanceScores> {
    if gold.iter().all(|g| g.1.is_none()) {
        return None;
    }
    let mut s = ProvenanceScores::default();
    for (k, c) in out.clusters.iter().enumerate() {
        // A gold original in the cluster with another member of its gold cluster.
        let Some(o) = c.docs.iter().copied().find(|&d| {
            of.get(&d).is_some_and(|&g| {
                gold[g].1 == Some(d) && c.docs.iter().any(|&x| x != d && of.get(&x) == Some(&g))
            })
        }) else {
            continue;
        };
        s.scored.push((k, o));
        s.count(o, c.original, &c.original_reason);
    }
    s.finish();
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ari_perfect_and_random() {
        assert_eq!(adjusted_rand(&[0, 0, 1, 1], &[5, 5, 7, 7]), 1.0);
        assert!(adjusted_rand(&[0, 0, 1, 1], &[0, 1, 0, 1]) < 0.0);
    }

    #[test]
    fn prf_counts() {
        let p = Prf::new(3, 4, 6);
        assert_eq!(p.precision, Some(0.5));
        assert_eq!(p.recall, Some(0.75));
        assert_eq!(p.f1, Some(0.6));
        assert_eq!(Prf::new(0, 0, 0).f1, None);
    }
}
