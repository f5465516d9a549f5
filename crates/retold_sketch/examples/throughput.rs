//! Micro benchmark: single-thread throughput of the sketches on synthetic token streams.
//!
//! `cargo run --release -p retold_sketch --example throughput [total_tokens]`
//!
//! MB/s assumes 6 bytes of text per token (an English word plus its separator).

use std::hint::black_box;
use std::time::Instant;

use retold_sketch::{
    exact_hash, passage_seeds, LshIndex, LshParams, MinHashParams, MinHasher, SeedIndex, SeedParams,
};

const BYTES_PER_TOKEN: f64 = 6.0;

/// Synthetic token hashes: a 50 000-word vocabulary, hashed like retold_text would.
fn corpus(total_tokens: usize, doc_len: usize) -> Vec<Vec<u64>> {
    let mut state: u64 = 0x1234_5678;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        state >> 33
    };
    let vocab: Vec<u64> = (0..50_000u64)
        .map(|w| xxhash_rust::xxh3::xxh3_64(&w.to_le_bytes()))
        .collect();
    let docs = total_tokens.div_ceil(doc_len);
    (0..docs)
        .map(|_| {
            (0..doc_len)
                .map(|_| {
                    // Skewed word choice (a crude Zipf): square a uniform draw.
                    let u = (next() % 50_000) as f64 / 50_000.0;
                    vocab[((u * u) * 49_999.0) as usize]
                })
                .collect()
        })
        .collect()
}

fn report(what: &str, tokens: usize, secs: f64) {
    let mbs = tokens as f64 * BYTES_PER_TOKEN / secs / 1e6;
    let mtok = tokens as f64 / secs / 1e6;
    println!("{what:<44} {mtok:>8.1} Mtokens/s {mbs:>9.1} MB/s");
}

/// Best of `reps` timings of `f` over all docs.
fn bench(docs: &[Vec<u64>], reps: usize, mut f: impl FnMut(&[u64])) -> f64 {
    let mut best = f64::INFINITY;
    for _ in 0..reps {
        let t = Instant::now();
        for d in docs {
            f(d);
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    best
}

fn main() {
    let total: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000_000);
    println!("single thread, {total} tokens per run, best of 3, {BYTES_PER_TOKEN} bytes/token");
    for doc_len in [20usize, 100, 500, 5000] {
        let docs = corpus(total, doc_len);
        let tokens: usize = docs.iter().map(Vec::len).sum();
        for num_perm in [128usize, 256] {
            let mh = MinHasher::new(MinHashParams {
                num_perm,
                ..MinHashParams::default()
            });
            let mut sig = vec![0u32; num_perm];
            let secs = bench(&docs, 3, |d| {
                mh.signature_into(d, &mut sig);
                black_box(&sig);
            });
            report(
                &format!("signature K={num_perm} shingle=5, {doc_len}-token docs"),
                tokens,
                secs,
            );
        }
        if doc_len == 500 {
            let secs = bench(&docs, 3, |d| {
                black_box(exact_hash(d));
            });
            report("exact_hash, 500-token docs", tokens, secs);
            let secs = bench(&docs, 3, |d| {
                black_box(passage_seeds(d, SeedParams::default()));
            });
            report("passage_seeds k=8 w=12, 500-token docs", tokens, secs);
            let t = Instant::now();
            let mut seeds = SeedIndex::new();
            for (i, d) in docs.iter().enumerate() {
                seeds.insert(i as u32, &passage_seeds(d, SeedParams::default()));
            }
            let build = t.elapsed().as_secs_f64();
            let t = Instant::now();
            let pairs = seeds.candidate_pairs(2, 50).unwrap();
            println!(
                "SeedIndex: {} docs, {} entries, build {:.3} s, candidate_pairs {:.3} s ({} pairs), {:.1} MiB",
                docs.len(),
                seeds.len(),
                build,
                t.elapsed().as_secs_f64(),
                pairs.len(),
                seeds.memory_bytes() as f64 / (1 << 20) as f64
            );
            let mh = MinHasher::new(MinHashParams::default());
            let sigs: Vec<Vec<u32>> = docs.iter().map(|d| mh.signature(d)).collect();
            let p = LshParams::for_threshold(0.5, 128);
            let t = Instant::now();
            let mut idx = LshIndex::new(p);
            for (i, s) in sigs.iter().enumerate() {
                idx.insert(i as u32, s);
            }
            let insert = t.elapsed().as_secs_f64();
            let t = Instant::now();
            let pairs = idx.candidate_pairs(100).unwrap();
            let query = t.elapsed().as_secs_f64();
            println!(
                "LSH {p:?}: {} docs, insert {:.3} s, candidate_pairs {:.3} s ({} pairs, {} threads), {:.1} MiB",
                sigs.len(),
                insert,
                query,
                pairs.len(),
                rayon::current_num_threads(),
                idx.memory_bytes() as f64 / (1 << 20) as f64
            );
        }
    }
}
