//! The article-extraction-benchmark metric (scrapinghub/article-extraction-benchmark,
//! `evaluate.py`), reimplemented.
//!
//! Tokens are maximal runs of word characters, as Python's `re.findall(r"\w+", text)` with
//! `re.UNICODE` finds them: letters, digits and `_`, case kept (the benchmark's `IGNORECASE`
//! flag does not change what `\w+` matches). Word characters here are
//! `char::is_alphanumeric() || '_'`, which differs from Python's `\w` only for a few
//! combining marks that Unicode counts as alphabetic (e.g. some Indic vowel signs).
//! Shingles are the 4-grams `tokens[i..i+4]` for `i in 0..max(1, n-3)` (a text of fewer than
//! 4 tokens is one shorter shingle; an empty text has none). Per page, TP/FP/FN count the
//! multiset intersection and differences, normalised by their sum. Precision is averaged over
//! the pages with `tp + fp > 0`, recall over those with `tp + fn > 0`, and F1 is the harmonic
//! mean of the two averages.

use std::collections::HashMap;

/// Word tokens of `text` (see the module docs).
pub fn tokenize(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|t| !t.is_empty())
        .collect()
}

fn shingles(text: &str, n: usize) -> HashMap<Vec<&str>, u32> {
    let toks = tokenize(text);
    let mut m = HashMap::new();
    let count = toks.len().saturating_sub(n - 1).max(1);
    for i in 0..count {
        let s = &toks[i.min(toks.len())..(i + n).min(toks.len())];
        if !s.is_empty() {
            *m.entry(s.to_vec()).or_insert(0) += 1;
        }
    }
    m
}

/// Normalised `(tp, fp, fn)` of 4-gram shingles of `pred` against `gold`.
pub fn shingle_matching(gold: &str, pred: &str) -> (f64, f64, f64) {
    let g = shingles(gold, 4);
    let p = shingles(pred, 4);
    let (mut tp, mut fp, mut fnn) = (0u64, 0u64, 0u64);
    for (k, &gc) in &g {
        let pc = p.get(k).copied().unwrap_or(0);
        tp += gc.min(pc) as u64;
        fnn += gc.saturating_sub(pc) as u64;
    }
    for (k, &pc) in &p {
        let gc = g.get(k).copied().unwrap_or(0);
        fp += pc.saturating_sub(gc) as u64;
    }
    let s = (tp + fp + fnn) as f64;
    if s > 0.0 {
        (tp as f64 / s, fp as f64 / s, fnn as f64 / s)
    } else {
        (0.0, 0.0, 0.0)
    }
}

/// Precision of one page, as the benchmark computes it.
pub fn precision(tp: f64, fp: f64, fnn: f64) -> f64 {
    if fp == 0.0 && fnn == 0.0 {
        1.0
    } else if tp == 0.0 && fp == 0.0 {
        0.0
    } else {
        tp / (tp + fp)
    }
}

/// Recall of one page, as the benchmark computes it.
pub fn recall(tp: f64, fp: f64, fnn: f64) -> f64 {
    if fp == 0.0 && fnn == 0.0 {
        1.0
    } else if tp == 0.0 && fnn == 0.0 {
        0.0
    } else {
        tp / (tp + fnn)
    }
}

/// Corpus precision, recall and F1 from per-page `(tp, fp, fn)`.
pub fn aggregate(per_page: &[(f64, f64, f64)]) -> (f64, f64, f64) {
    let ps: Vec<f64> = per_page
        .iter()
        .filter(|t| t.0 + t.1 > 0.0)
        .map(|&(a, b, c)| precision(a, b, c))
        .collect();
    let rs: Vec<f64> = per_page
        .iter()
        .filter(|t| t.0 + t.2 > 0.0)
        .map(|&(a, b, c)| recall(a, b, c))
        .collect();
    let mean = |v: &[f64]| {
        if v.is_empty() {
            0.0
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    let (p, r) = (mean(&ps), mean(&rs));
    let f1 = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    (p, r, f1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_and_disjoint() {
        let t = "the quick brown fox jumps over the lazy dog";
        assert_eq!(shingle_matching(t, t), (1.0, 0.0, 0.0));
        let (tp, fp, fnn) = shingle_matching(t, "completely different words here now");
        assert_eq!(tp, 0.0);
        assert!(fp > 0.0 && fnn > 0.0);
        assert_eq!(
            tokenize("Don't stop_me, 2019!"),
            vec!["Don", "t", "stop_me", "2019"]
        );
        let (p, r, f) = aggregate(&[(1.0, 0.0, 0.0), (0.5, 0.5, 0.0)]);
        assert_eq!((p, r), (0.75, 1.0));
        assert!((f - 2.0 * 0.75 / 1.75).abs() < 1e-12);
    }
}
