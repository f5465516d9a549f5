//! How well static document vectors ([`retold_embed::StaticVectors`] over multilingual-e5's
//! token table) find the translations of a dataset with cluster gold, among the documents of
//! other languages: recall of each document's k nearest other-language neighbours.
//!
//! `cargo run --release -p retold_embed --features candle --example static_probe -- \
//!   ../shared/eval/wmt/docs.jsonl ../shared/eval/wmt/gold.jsonl [max_pieces] [center]`
//!
//! Reads the JSONL with a minimal scanner for `"id"`, `"text"`, `"lang"` (serde_json is a
//! dev-dependency); `center` subtracts each language's mean vector before comparing.

use retold_embed::{load, LoadOptions, ModelKind, StaticVectors};
use std::collections::HashMap;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let docs_path = args.get(1).ok_or("docs.jsonl")?;
    let gold_path = args.get(2).ok_or("gold.jsonl")?;
    let max_pieces: usize = args.get(3).map_or(Ok(512), |s| s.parse())?;
    let center = args.get(4).is_some_and(|s| s == "center");
    let mut docs: Vec<(String, String, String)> = Vec::new();
    for line in std::fs::read_to_string(docs_path)?.lines() {
        let v: serde_json::Value = serde_json::from_str(line)?;
        docs.push((
            v["id"].as_str().unwrap_or("").to_string(),
            v["lang"].as_str().unwrap_or("").to_string(),
            v["text"].as_str().unwrap_or("").to_string(),
        ));
    }
    let mut cluster: HashMap<String, String> = HashMap::new();
    for line in std::fs::read_to_string(gold_path)?.lines() {
        let v: serde_json::Value = serde_json::from_str(line)?;
        if let Some(ds) = v["docs"].as_array() {
            for d in ds {
                cluster.insert(
                    d.as_str().unwrap_or("").into(),
                    v["cluster"].as_str().unwrap_or("").into(),
                );
            }
        }
    }
    let model = load(ModelKind::E5Small, &LoadOptions::default())?;
    let table = model.token_table().ok_or("no token table")?;
    let t = std::time::Instant::now();
    let sv = StaticVectors::new(table, max_pieces);
    let t_init = t.elapsed().as_secs_f64();
    let t = std::time::Instant::now();
    let mut vecs: Vec<Vec<f32>> = docs.iter().map(|d| sv.vector(&d.2)).collect();
    let shrink: f32 = std::env::var("SHRINK")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0.0);
    let t_vec = t.elapsed().as_secs_f64();
    if center {
        let mut means: HashMap<&str, (Vec<f32>, usize)> = HashMap::new();
        for (d, v) in docs.iter().zip(&vecs) {
            let e = means
                .entry(d.1.as_str())
                .or_insert((vec![0.0; sv.dim()], 0));
            e.0.iter_mut().zip(v).for_each(|(m, x)| *m += x);
            e.1 += 1;
        }
        for (d, v) in docs.iter().zip(vecs.iter_mut()) {
            let (m, n) = &means[d.1.as_str()];
            v.iter_mut()
                .zip(m)
                .for_each(|(x, mm)| *x -= mm / (*n as f32 + shrink));
            let nn = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            v.iter_mut().for_each(|x| *x /= nn.max(1e-9));
        }
    }
    let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
    let ks = [1usize, 3, 5, 10, 20];
    let mut found = [0usize; 5];
    let mut total = 0usize;
    let (mut pos, mut neg) = (Vec::new(), Vec::new());
    for (i, d) in docs.iter().enumerate() {
        let Some(c) = cluster.get(&d.0) else { continue };
        let mut others: Vec<(f32, usize)> = docs
            .iter()
            .enumerate()
            .filter(|(j, e)| *j != i && e.1 != d.1)
            .map(|(j, _)| (dot(&vecs[i], &vecs[j]), j))
            .collect();
        others.sort_by(|x, y| y.0.total_cmp(&x.0));
        for (rank, &(s, j)) in others.iter().enumerate() {
            if cluster.get(&docs[j].0) == Some(c) {
                total += 1;
                pos.push(s);
                for (k, f) in ks.iter().zip(found.iter_mut()) {
                    if rank < *k {
                        *f += 1;
                    }
                }
            } else {
                neg.push(s);
            }
        }
    }
    // Distinct pairs among each document's 5 nearest other-language neighbours, by cosine.
    let mut top: std::collections::BTreeMap<(usize, usize), (f32, bool)> = Default::default();
    for (i, d) in docs.iter().enumerate() {
        let mut others: Vec<(f32, usize)> = docs
            .iter()
            .enumerate()
            .filter(|(j, e)| *j != i && e.1 != d.1)
            .map(|(j, _)| (dot(&vecs[i], &vecs[j]), j))
            .collect();
        others.sort_by(|x, y| y.0.total_cmp(&x.0));
        for &(s, j) in others.iter().take(5) {
            let same = cluster.contains_key(&d.0) && cluster.get(&d.0) == cluster.get(&docs[j].0);
            top.insert((i.min(j), i.max(j)), (s, same));
        }
    }
    for t in [0.2f32, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6] {
        let g = top.values().filter(|v| v.1 && v.0 >= t).count();
        let o = top.values().filter(|v| !v.1 && v.0 >= t).count();
        println!("top-5 across pairs with cos >= {t}: gold {g} other {o}");
    }
    // Each document's nearest document per other language.
    let mut langs: Vec<&str> = docs.iter().map(|d| d.1.as_str()).collect();
    langs.sort_unstable();
    langs.dedup();
    let mut top1: std::collections::HashSet<(usize, usize)> = Default::default();
    for (i, d) in docs.iter().enumerate() {
        for l in &langs {
            if *l == d.1 {
                continue;
            }
            let best = docs
                .iter()
                .enumerate()
                .filter(|(_, e)| e.1 == *l)
                .map(|(j, _)| (dot(&vecs[i], &vecs[j]), j))
                .max_by(|x, y| x.0.total_cmp(&y.0));
            if let Some((_, j)) = best {
                top1.insert((i, j));
            }
        }
    }
    for t in [0.25f32, 0.3, 0.35, 0.4] {
        let (mut g1, mut o1, mut gm, mut om) = (0, 0, 0, 0);
        for (&(i, j), &(s, gold)) in &top {
            if s < t {
                continue;
            }
            let one = top1.contains(&(i, j)) || top1.contains(&(j, i));
            let mutual = top1.contains(&(i, j)) && top1.contains(&(j, i));
            if one {
                if gold {
                    g1 += 1
                } else {
                    o1 += 1
                }
            }
            if mutual {
                if gold {
                    gm += 1
                } else {
                    om += 1
                }
            }
        }
        println!("cos >= {t}: top-1 one way gold {g1} other {o1}; mutual gold {gm} other {om}");
    }
    pos.sort_by(f32::total_cmp);
    neg.sort_by(f32::total_cmp);
    let q = |v: &[f32], p: f64| v.get(((v.len() as f64 - 1.0) * p) as usize).copied();
    println!(
        "docs {} init {t_init:.2}s vectors {t_vec:.2}s ({:.0} docs/s) center {center} max_pieces {max_pieces}",
        docs.len(),
        docs.len() as f64 / t_vec
    );
    for (k, f) in ks.iter().zip(found) {
        println!("recall@{k} (other languages): {f}/{total}");
    }
    println!(
        "gold cos min {:?} p05 {:?} p50 {:?}; others p50 {:?} p99 {:?} max {:?}",
        pos.first(),
        q(&pos, 0.05),
        q(&pos, 0.5),
        q(&neg, 0.5),
        q(&neg, 0.99),
        neg.last()
    );
    Ok(())
}
