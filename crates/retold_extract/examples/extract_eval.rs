//! Scores `retold_extract` on an article-extraction dev set laid out like
//! `shared/eval/extraction`: `gold.jsonl` (`id`, `url`, `articleBody`) and `html/ID.html.gz`.
//!
//! ```text
//! cargo run --release -p retold_extract --example extract_eval -- DIR [--json] [--site-profile] [--dump ID]
//! ```
//!
//! Prints per-page precision/recall/F1 (benchmark metric, see `retold_extract::metric`), the
//! corpus figures and the speed of extraction alone (pages already in memory and
//! decompressed, one thread). `--json` prints only one summary line. `--site-profile` first
//! extracts every page, learns a `SiteProfile` per host from the pages of that host (when it
//! has at least 3), and re-extracts with it. `--dump ID` prints that page's blocks with their
//! body/boilerplate label.

use std::io::Read;
use std::time::Instant;

use retold_extract::{extract, extract_with, host_of, metric, ExtractOptions, Page, SiteProfile};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let json = args.iter().any(|a| a == "--json");
    let use_profile = args.iter().any(|a| a == "--site-profile");
    let dump = args
        .iter()
        .position(|a| a == "--dump")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let dir = args
        .iter()
        .find(|a| !a.starts_with("--") && Some(*a) != dump.as_ref())
        .cloned();
    let Some(dir) = dir else {
        eprintln!("usage: extract_eval DIR [--json] [--site-profile] [--dump ID]");
        std::process::exit(2);
    };
    let gold = std::fs::read_to_string(format!("{dir}/gold.jsonl")).expect("read gold.jsonl");
    let mut items = Vec::new();
    for line in gold.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("gold line is JSON");
        let id = v["id"].as_str().unwrap_or_default().to_string();
        let url = v["url"].as_str().map(str::to_string);
        let body = v["articleBody"].as_str().unwrap_or_default().to_string();
        let mut gz = Vec::new();
        std::fs::File::open(format!("{dir}/html/{id}.html.gz"))
            .and_then(|f| flate2::read::MultiGzDecoder::new(f).read_to_end(&mut gz))
            .expect("read page");
        items.push((id, url, body, gz));
    }
    let bytes: usize = items.iter().map(|i| i.3.len()).sum();
    let opts_of = |url: &Option<String>| ExtractOptions {
        url: url.clone(),
        ..ExtractOptions::default()
    };
    let t = Instant::now();
    let mut pages: Vec<Page> = items
        .iter()
        .map(|(_, url, _, html)| extract(html, &opts_of(url)).expect("extract"))
        .collect();
    let secs = t.elapsed().as_secs_f64();
    if use_profile {
        let mut by_host: std::collections::HashMap<String, Vec<usize>> = Default::default();
        for (i, it) in items.iter().enumerate() {
            if let Some(h) = it.1.as_deref().and_then(host_of) {
                by_host.entry(h).or_default().push(i);
            }
        }
        for idx in by_host.values().filter(|v| v.len() >= 3) {
            let profile = SiteProfile::learn(idx.iter().map(|&i| &pages[i]));
            for &i in idx {
                pages[i] = extract_with(&items[i].3, &opts_of(&items[i].1), Some(&profile))
                    .expect("extract");
            }
        }
    }
    let mut scores = Vec::new();
    for ((id, url, gold, _), page) in items.iter().zip(&pages) {
        let s = metric::shingle_matching(gold, &page.article);
        scores.push(s);
        if !json && dump.is_none() {
            let (p, r) = (
                metric::precision(s.0, s.1, s.2),
                metric::recall(s.0, s.1, s.2),
            );
            let f = if p + r > 0.0 {
                2.0 * p * r / (p + r)
            } else {
                0.0
            };
            println!(
                "{:.12} P {p:.3} R {r:.3} F1 {f:.3}  {}",
                id,
                url.as_deref().unwrap_or("")
            );
        }
        if dump.as_deref().is_some_and(|d| id.starts_with(d)) {
            for r in merged_labels(page) {
                let (label, range) = r;
                for b in page.text[range].split("\n\n") {
                    println!("[{label}] {}", b.replace('\n', " / "));
                }
            }
            println!("---- GOLD ----\n{gold}");
        }
    }
    let (p, r, f1) = metric::aggregate(&scores);
    let pps = items.len() as f64 / secs;
    let mbs = bytes as f64 / 1e6 / secs;
    if json {
        println!(
            "{{\"pages\":{},\"precision\":{p:.4},\"recall\":{r:.4},\"f1\":{f1:.4},\"pages_per_s\":{pps:.1},\"mb_per_s\":{mbs:.2}}}",
            items.len()
        );
    } else {
        println!(
            "pages {}  precision {p:.4}  recall {r:.4}  F1 {f1:.4}  |  {pps:.1} pages/s  {mbs:.2} MB/s (extraction only, 1 thread{})",
            items.len(),
            if use_profile { "; first pass, without profiles" } else { "" }
        );
    }
}

fn merged_labels(page: &Page) -> Vec<(&'static str, std::ops::Range<usize>)> {
    let mut v: Vec<_> = page
        .body
        .iter()
        .map(|r| ("BODY", r.clone()))
        .chain(page.boilerplate.iter().map(|r| ("    ", r.clone())))
        .collect();
    v.sort_by_key(|x| x.1.start);
    v
}
