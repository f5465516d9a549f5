//! Measures embedding throughput of the installed models on ~20-word sentences.
//!
//! ```text
//! cargo run --release -p retold_embed --features candle --example embed_speed -- [minilm|e5|all] [N] [BATCH]
//! cargo run --release -p retold_embed --features candle --example embed_speed -- dump e5 "text" ...
//! ```
//! Threads: batches run one per thread (`RETOLD_THREADS`, default every core) with candle's
//! products single-threaded, as in the `retold` binary; set `RAYON_NUM_THREADS` to get
//! candle's own splitting instead.

use std::time::Instant;

use retold_embed::{load, LoadOptions, ModelKind};

const WORDS: &[&str] = &[
    "the",
    "committee",
    "announced",
    "on",
    "tuesday",
    "that",
    "new",
    "rules",
    "for",
    "river",
    "water",
    "quality",
    "will",
    "take",
    "effect",
    "next",
    "spring",
    "after",
    "months",
    "of",
    "public",
    "debate",
    "and",
    "several",
    "court",
    "challenges",
    "from",
    "farmers",
    "city",
    "officials",
    "said",
    "budget",
    "would",
    "rise",
    "sharply",
    "while",
    "schools",
    "remain",
];

fn sentence(i: usize) -> String {
    // Deterministic pseudo-random 20-word sentences.
    let mut x = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut words = Vec::with_capacity(20);
    for _ in 0..20 {
        x ^= x >> 29;
        x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
        words.push(WORDS[(x >> 32) as usize % WORDS.len()]);
    }
    let mut s = words.join(" ");
    s.push('.');
    s
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // As the `retold` binary does: one batch per core, candle's products on one thread each
    // (unless RAYON_NUM_THREADS is set by the caller).
    // RETOLD_THREADS sets the number of batches in flight (default: every core).
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        let n = std::env::var("RETOLD_THREADS")
            .ok()
            .and_then(|v| v.parse::<usize>().ok())
            .filter(|&n| n > 0)
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()?;
        std::env::set_var("RAYON_NUM_THREADS", "1");
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("dump") {
        let kind: ModelKind = args.get(1).map(String::as_str).unwrap_or("e5").parse()?;
        let m = load(kind, &LoadOptions::default())?;
        let texts: Vec<&str> = args[2..].iter().map(String::as_str).collect();
        for v in m.embed(&texts)? {
            let s: Vec<String> = v.iter().map(|x| format!("{x:.6}")).collect();
            println!("{}", s.join(" "));
        }
        return Ok(());
    }
    let which = args.first().map(String::as_str).unwrap_or("all");
    let n: usize = args.get(1).map(|s| s.parse()).transpose()?.unwrap_or(512);
    let batch: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(32);
    let kinds: Vec<ModelKind> = if which == "all" {
        ModelKind::ALL.to_vec()
    } else {
        vec![which.parse()?]
    };
    let texts: Vec<String> = (0..n).map(sentence).collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    for kind in kinds {
        let opts = LoadOptions {
            batch_size: batch,
            ..Default::default()
        };
        let t0 = Instant::now();
        let m = load(kind, &opts)?;
        let load_s = t0.elapsed().as_secs_f64();
        m.embed(&refs[..batch.min(n)])?; // warm-up
        let t1 = Instant::now();
        let out = m.embed(&refs)?;
        let secs = t1.elapsed().as_secs_f64();
        println!(
            "{:<26} load {:.2}s  {} sentences (20 words) batch {}  {:.2}s  {:.1} sentences/s  dim {}",
            m.name(),
            load_s,
            out.len(),
            batch,
            secs,
            n as f64 / secs,
            m.dim()
        );
    }
    Ok(())
}
