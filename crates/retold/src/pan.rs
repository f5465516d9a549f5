//! PAN text-alignment evaluation: reused passages located inside longer documents.
//!
//! A PAN dataset lists pairs of a *suspicious* and a *source* document with the gold cases
//! (plagiarised passages, as `[start, end)` code point ranges on both sides). Each listed pair
//! is compared ([`crate::compare()`], the suspicious document as `a`) and every aligned passage
//! is a *detection*. The score is PlagDet (Potthast, Stein, Barrón-Cedeño and Rosso, "An
//! Evaluation Framework for Plagiarism Detection", COLING 2010):
//!
//! - a detection `r` *detects* a case `s` when they overlap on both sides;
//! - precision is the mean over detections of the share of the detection's characters (both
//!   sides) inside the cases it detects; recall the mean over cases of the share of the
//!   case's characters inside the detections that detect it;
//! - granularity is the mean number of detections per detected case;
//! - PlagDet = F1 / log2(1 + granularity).
//!
//! Scores are pooled over all pairs (and per obfuscation class). Two layouts are read: the
//! `pairs.jsonl` of `../shared/eval/pan13` (ids into a `docs.jsonl`), and PAN's own corpus
//! layout: a `pairs` file of `susp.txt src.txt` lines beside `susp/` and `src/` folders and one
//! folder of XML truth files per obfuscation class.

use crate::error::Error;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A `[start, end)` code point range.
pub type Range = [usize; 2];

/// One gold case or one detection: a passage of the suspicious document and its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Case {
    /// Range in the suspicious document.
    pub susp: Range,
    /// Range in the source document.
    pub src: Range,
}

/// One listed pair with its gold cases.
#[derive(Debug, Clone)]
pub struct PanPair {
    /// Id of the suspicious document.
    pub susp: String,
    /// Id of the source document.
    pub src: String,
    /// Obfuscation class (e.g. `03-random-obfuscation`).
    pub class: String,
    /// Gold cases (none in a no-plagiarism pair).
    pub cases: Vec<Case>,
}

/// A PAN dataset: the documents' texts by id and the listed pairs.
#[derive(Debug, Clone, Default)]
pub struct PanDataset {
    /// Text of each document, by id.
    pub docs: ahash::AHashMap<String, String>,
    /// The pairs, in file order.
    pub pairs: Vec<PanPair>,
}

/// True when `gold` is a PAN dataset: a JSONL file whose first record has `susp` and `src`,
/// a file named `pairs`, or a folder holding one.
pub fn is_pan(gold: &Path) -> bool {
    if gold.is_dir() {
        return gold.join("pairs").is_file();
    }
    if gold.file_name().is_some_and(|n| n == "pairs") {
        return true;
    }
    let Ok(f) = std::fs::File::open(gold) else {
        return false;
    };
    use std::io::BufRead;
    let mut line = String::new();
    let mut r = std::io::BufReader::new(f);
    while r.read_line(&mut line).is_ok_and(|n| n > 0) {
        if !line.trim().is_empty() {
            return serde_json::from_str::<serde_json::Value>(&line)
                .is_ok_and(|v| v.get("susp").is_some() && v.get("src").is_some());
        }
        line.clear();
    }
    false
}

fn gold_err(path: &Path, line: u64, message: impl Into<String>) -> Error {
    Error::Gold {
        path: path.to_path_buf(),
        line,
        message: message.into(),
    }
}

fn file_err(path: &Path, error: std::io::Error) -> Error {
    Error::File {
        path: path.to_path_buf(),
        error,
    }
}

fn range_of(path: &Path, line: u64, v: Option<&serde_json::Value>) -> Result<Range, Error> {
    let bad = || {
        gold_err(
            path,
            line,
            "a case range must be [start, end] with start <= end",
        )
    };
    let arr = v.and_then(|v| v.as_array()).ok_or_else(bad)?;
    match arr.as_slice() {
        [s, e] => {
            let (s, e) = (
                s.as_u64().ok_or_else(bad)? as usize,
                e.as_u64().ok_or_else(bad)? as usize,
            );
            if s > e {
                return Err(bad());
            }
            Ok([s, e])
        }
        _ => Err(bad()),
    }
}

/// Reads a PAN dataset: `docs` (a `docs.jsonl`, or the corpus folder of PAN's layout) and
/// `gold` (a `pairs.jsonl`, or PAN's `pairs` file or its folder).
pub fn load(docs: &Path, gold: &Path) -> Result<PanDataset, Error> {
    let pairs_file = if gold.is_dir() {
        gold.join("pairs")
    } else {
        gold.to_path_buf()
    };
    if pairs_file.file_name().is_some_and(|n| n == "pairs") {
        let corpus = if docs.is_dir() {
            docs.to_path_buf()
        } else {
            pairs_file
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default()
        };
        return load_pan_layout(&corpus, &pairs_file);
    }
    let mut ds = PanDataset::default();
    for (line, v) in retold_ingest::read_jsonl_values(docs)? {
        let id = match v.get("id") {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Number(n)) => n.to_string(),
            _ => return Err(gold_err(docs, line, "missing \"id\"")),
        };
        let text = v
            .get("text")
            .and_then(|t| t.as_str())
            .ok_or_else(|| gold_err(docs, line, "missing \"text\""))?;
        ds.docs.insert(id, text.to_string());
    }
    for (line, v) in retold_ingest::read_jsonl_values(gold)? {
        let id = |k: &str| -> Result<String, Error> {
            let s = v
                .get(k)
                .and_then(|x| x.as_str())
                .ok_or_else(|| gold_err(gold, line, format!("missing \"{k}\"")))?;
            if !ds.docs.contains_key(s) {
                return Err(gold_err(gold, line, format!("unknown document id {s:?}")));
            }
            Ok(s.to_string())
        };
        let (susp, src) = (id("susp")?, id("src")?);
        let class = v
            .get("class")
            .and_then(|c| c.as_str())
            .unwrap_or("all")
            .to_string();
        let mut cases = Vec::new();
        if let Some(cs) = v.get("cases") {
            let cs = cs
                .as_array()
                .ok_or_else(|| gold_err(gold, line, "\"cases\" must be a list"))?;
            for c in cs {
                cases.push(Case {
                    susp: range_of(gold, line, c.get("susp"))?,
                    src: range_of(gold, line, c.get("src"))?,
                });
            }
        }
        ds.pairs.push(PanPair {
            susp,
            src,
            class,
            cases,
        });
    }
    Ok(ds)
}

/// The value of `name="…"` in an XML start tag.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let mut rest = tag;
    while let Some(i) = rest.find(name) {
        let before_ok = i == 0 || rest.as_bytes()[i - 1].is_ascii_whitespace();
        let after = rest[i + name.len()..].trim_start();
        if before_ok {
            if let Some(v) = after.strip_prefix('=') {
                let v = v.trim_start();
                let q = v.chars().next()?;
                if q == '"' || q == '\'' {
                    let v = &v[1..];
                    return v.find(q).map(|e| &v[..e]);
                }
            }
        }
        rest = &rest[i + name.len()..];
    }
    None
}

/// Gold cases of one PAN truth file: its `<feature name="plagiarism" …>` elements.
fn truth_cases(xml: &str, path: &Path) -> Result<Vec<Case>, Error> {
    let mut out = Vec::new();
    for (k, chunk) in xml.split("<feature").enumerate().skip(1) {
        let tag = &chunk[..chunk.find('>').unwrap_or(chunk.len())];
        if attr(tag, "name") != Some("plagiarism") {
            continue;
        }
        let num = |n: &str| -> Result<usize, Error> {
            attr(tag, n)
                .and_then(|v| v.trim().parse().ok())
                .ok_or_else(|| {
                    gold_err(
                        path,
                        k as u64,
                        format!("plagiarism feature without a numeric {n}"),
                    )
                })
        };
        let (to, tl) = (num("this_offset")?, num("this_length")?);
        let (so, sl) = (num("source_offset")?, num("source_length")?);
        out.push(Case {
            susp: [to, to + tl],
            src: [so, so + sl],
        });
    }
    Ok(out)
}

fn read_text(path: &Path) -> Result<String, Error> {
    let bytes = std::fs::read(path).map_err(|e| file_err(path, e))?;
    String::from_utf8(bytes).map_err(|e| {
        file_err(
            path,
            std::io::Error::new(std::io::ErrorKind::InvalidData, e.utf8_error()),
        )
    })
}

/// PAN's corpus layout: `pairs` lines `susp.txt src.txt`, texts in `susp/` and `src/`, truth
/// in `CLASS/susp-src.xml` (pairs without a truth file are no-plagiarism pairs).
fn load_pan_layout(corpus: &Path, pairs_file: &Path) -> Result<PanDataset, Error> {
    let list = read_text(pairs_file)?;
    // Truth files by name, with their class folder.
    let mut truth: BTreeMap<String, (String, PathBuf)> = BTreeMap::new();
    let entries = std::fs::read_dir(corpus).map_err(|e| file_err(corpus, e))?;
    for e in entries.flatten() {
        let p = e.path();
        if !p.is_dir() || matches!(p.file_name().and_then(|n| n.to_str()), Some("susp" | "src")) {
            continue;
        }
        let class = e.file_name().to_string_lossy().into_owned();
        for f in std::fs::read_dir(&p)
            .map_err(|e| file_err(&p, e))?
            .flatten()
        {
            let fp = f.path();
            if fp.extension().is_some_and(|x| x == "xml") {
                let stem = fp.file_stem().unwrap_or_default().to_string_lossy().into();
                truth.insert(stem, (class.clone(), fp));
            }
        }
    }
    let mut ds = PanDataset::default();
    for (n, line) in list.lines().enumerate() {
        let mut it = line.split_whitespace();
        let (Some(s), Some(r)) = (it.next(), it.next()) else {
            if line.trim().is_empty() {
                continue;
            }
            return Err(gold_err(
                pairs_file,
                n as u64 + 1,
                "expected `suspicious-document.txt source-document.txt`",
            ));
        };
        let (sid, rid) = (
            s.trim_end_matches(".txt").to_string(),
            r.trim_end_matches(".txt").to_string(),
        );
        for (dir, id, file) in [("susp", &sid, s), ("src", &rid, r)] {
            if !ds.docs.contains_key(id) {
                let text = read_text(&corpus.join(dir).join(file))?;
                ds.docs.insert(id.clone(), text);
            }
        }
        let (class, cases) = match truth.get(&format!("{sid}-{rid}")) {
            Some((class, path)) => {
                let xml = read_text(path)?;
                (class.clone(), truth_cases(&xml, path)?)
            }
            None => ("01-no-plagiarism".to_string(), Vec::new()),
        };
        ds.pairs.push(PanPair {
            susp: sid,
            src: rid,
            class,
            cases,
        });
    }
    Ok(ds)
}

/// PlagDet and its parts over a set of pairs.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct PlagDet {
    /// Pairs scored.
    pub pairs: usize,
    /// Gold cases.
    pub cases: usize,
    /// Detections.
    pub detections: usize,
    /// Pairs with at least one detection.
    pub pairs_with_detection: usize,
    /// Pairs without a gold case that have a detection (false alarms).
    pub clean_pairs_with_detection: usize,
    /// Macro character precision (`null` when there is no detection).
    pub precision: Option<f64>,
    /// Macro character recall (`null` when there is no case).
    pub recall: Option<f64>,
    /// Detections per detected case (1 is best).
    pub granularity: f64,
    /// F1 / log2(1 + granularity) (`null` when there is no case).
    pub plagdet: Option<f64>,
}

/// Accumulates PlagDet over pairs.
#[derive(Debug, Clone, Default)]
pub struct PlagDetSum {
    pairs: usize,
    pairs_with_detection: usize,
    clean_pairs_with_detection: usize,
    cases: usize,
    detections: usize,
    precision_sum: f64,
    recall_sum: f64,
    detected_cases: usize,
    detections_per_detected: usize,
}

fn inter(x: Range, y: Range) -> Option<Range> {
    let (s, e) = (x[0].max(y[0]), x[1].min(y[1]));
    (s < e).then_some([s, e])
}

/// Characters covered by the union of ranges (code point offsets fit in `u32`).
fn union(v: impl Iterator<Item = Range>) -> usize {
    retold_align::union_len(v.map(|r| (r[0] as u32, r[1] as u32))) as usize
}

fn len(r: Range) -> usize {
    r[1].saturating_sub(r[0])
}

fn detects(r: &Case, s: &Case) -> bool {
    inter(r.susp, s.susp).is_some() && inter(r.src, s.src).is_some()
}

impl PlagDetSum {
    /// Adds one pair's gold cases and detections.
    pub fn add(&mut self, cases: &[Case], dets: &[Case]) {
        self.pairs += 1;
        self.cases += cases.len();
        self.detections += dets.len();
        if !dets.is_empty() {
            self.pairs_with_detection += 1;
            if cases.is_empty() {
                self.clean_pairs_with_detection += 1;
            }
        }
        for s in cases {
            let hits: Vec<&Case> = dets.iter().filter(|r| detects(r, s)).collect();
            if hits.is_empty() {
                continue;
            }
            self.detected_cases += 1;
            self.detections_per_detected += hits.len();
            let a = union(hits.iter().filter_map(|r| inter(r.susp, s.susp)));
            let b = union(hits.iter().filter_map(|r| inter(r.src, s.src)));
            let size = len(s.susp) + len(s.src);
            if size > 0 {
                self.recall_sum += (a + b) as f64 / size as f64;
            }
        }
        for r in dets {
            let hits: Vec<&Case> = cases.iter().filter(|s| detects(r, s)).collect();
            let a = union(hits.iter().filter_map(|s| inter(r.susp, s.susp)));
            let b = union(hits.iter().filter_map(|s| inter(r.src, s.src)));
            let size = len(r.susp) + len(r.src);
            if size > 0 {
                self.precision_sum += (a + b) as f64 / size as f64;
            }
        }
    }

    /// Adds another sum.
    pub fn merge(&mut self, o: &PlagDetSum) {
        self.pairs += o.pairs;
        self.pairs_with_detection += o.pairs_with_detection;
        self.clean_pairs_with_detection += o.clean_pairs_with_detection;
        self.cases += o.cases;
        self.detections += o.detections;
        self.precision_sum += o.precision_sum;
        self.recall_sum += o.recall_sum;
        self.detected_cases += o.detected_cases;
        self.detections_per_detected += o.detections_per_detected;
    }

    /// The scores.
    pub fn score(&self) -> PlagDet {
        let r4 = |x: f64| (x * 10_000.0).round() / 10_000.0;
        let precision = (self.detections > 0).then(|| self.precision_sum / self.detections as f64);
        let recall = (self.cases > 0).then(|| self.recall_sum / self.cases as f64);
        let granularity = if self.detected_cases == 0 {
            1.0
        } else {
            self.detections_per_detected as f64 / self.detected_cases as f64
        };
        let plagdet = recall.map(|r| {
            let p = precision.unwrap_or(0.0);
            let f1 = if p + r > 0.0 {
                2.0 * p * r / (p + r)
            } else {
                0.0
            };
            f1 / (1.0 + granularity).log2()
        });
        PlagDet {
            pairs: self.pairs,
            cases: self.cases,
            detections: self.detections,
            pairs_with_detection: self.pairs_with_detection,
            clean_pairs_with_detection: self.clean_pairs_with_detection,
            precision: precision.map(r4),
            recall: recall.map(r4),
            granularity: r4(granularity),
            plagdet: plagdet.map(r4),
        }
    }
}

/// The report of a PAN evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct PanReport {
    /// Always `"pan"`.
    pub gold_kind: &'static str,
    /// Documents in the dataset.
    pub docs: usize,
    /// Scores over all pairs.
    pub overall: PlagDet,
    /// Scores per obfuscation class.
    pub per_class: BTreeMap<String, PlagDet>,
    /// Share of the pairs without a gold case that have a detection.
    pub clean_pairs_with_detection_rate: Option<f64>,
    /// Wall-clock seconds.
    pub elapsed_s: f64,
}

/// Scores per-pair detections (parallel to `ds.pairs`).
pub fn score(ds: &PanDataset, detections: &[Vec<Case>], elapsed_s: f64) -> PanReport {
    let mut overall = PlagDetSum::default();
    let mut per: BTreeMap<String, PlagDetSum> = BTreeMap::new();
    for (p, d) in ds.pairs.iter().zip(detections) {
        let mut one = PlagDetSum::default();
        one.add(&p.cases, d);
        overall.merge(&one);
        per.entry(p.class.clone()).or_default().merge(&one);
    }
    let clean = ds.pairs.iter().filter(|p| p.cases.is_empty()).count();
    PanReport {
        gold_kind: "pan",
        docs: ds.docs.len(),
        clean_pairs_with_detection_rate: (clean > 0).then(|| {
            (overall.clean_pairs_with_detection as f64 / clean as f64 * 10_000.0).round() / 10_000.0
        }),
        overall: overall.score(),
        per_class: per.into_iter().map(|(k, v)| (k, v.score())).collect(),
        elapsed_s: (elapsed_s * 100.0).round() / 100.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: [usize; 2], r: [usize; 2]) -> Case {
        Case { susp: s, src: r }
    }

    #[test]
    fn exact_detection_scores_one() {
        let mut s = PlagDetSum::default();
        s.add(&[c([10, 20], [0, 10])], &[c([10, 20], [0, 10])]);
        let p = s.score();
        assert_eq!(p.precision, Some(1.0));
        assert_eq!(p.recall, Some(1.0));
        assert_eq!(p.granularity, 1.0);
        assert_eq!(p.plagdet, Some(1.0));
    }

    #[test]
    fn split_detection_costs_granularity() {
        let mut s = PlagDetSum::default();
        s.add(
            &[c([0, 100], [0, 100])],
            &[c([0, 50], [0, 50]), c([50, 100], [50, 100])],
        );
        let p = s.score();
        assert_eq!(p.recall, Some(1.0));
        assert_eq!(p.granularity, 2.0);
        let want = 1.0 / 3f64.log2();
        assert!((p.plagdet.unwrap() - want).abs() < 1e-3);
    }

    #[test]
    fn detection_must_overlap_both_sides() {
        let mut s = PlagDetSum::default();
        // Right place in the suspicious text, wrong place in the source: detects nothing.
        s.add(&[c([0, 100], [0, 100])], &[c([0, 100], [500, 600])]);
        let p = s.score();
        assert_eq!(p.recall, Some(0.0));
        assert_eq!(p.precision, Some(0.0));
        assert_eq!(p.plagdet, Some(0.0));
    }

    #[test]
    fn half_overlap_gives_partial_precision_and_recall() {
        let mut s = PlagDetSum::default();
        s.add(&[c([0, 100], [0, 100])], &[c([50, 150], [50, 150])]);
        let p = s.score();
        assert_eq!(p.precision, Some(0.5));
        assert_eq!(p.recall, Some(0.5));
    }

    #[test]
    fn clean_pairs_count_false_alarms() {
        let mut s = PlagDetSum::default();
        s.add(&[], &[c([0, 10], [0, 10])]);
        s.add(&[], &[]);
        let p = s.score();
        assert_eq!(p.clean_pairs_with_detection, 1);
        assert_eq!(p.recall, None);
        assert_eq!(p.precision, Some(0.0));
    }

    #[test]
    fn reads_pan_truth_xml() {
        let xml = r#"<document reference="suspicious-document00001.txt">
<feature name="about" authors="x"/>
<feature name="plagiarism" obfuscation="random" source_length="120" source_offset="30"
 source_reference="source-document00002.txt" this_length="100" this_offset="5" type="artificial"/>
</document>"#;
        let cs = truth_cases(xml, Path::new("t.xml")).unwrap();
        assert_eq!(cs, vec![c([5, 105], [30, 150])]);
    }
}
