//! Time and peak memory of boilerplate learning on a synthetic corpus: N documents of 30
//! unique lines plus 5 template lines of one of 1000 sites.
//! `cargo run --release -p retold_clean --example scale -- 1000000`

use retold_clean::{CorpusModelBuilder, LearnParams};
use std::time::Instant;

fn main() {
    let n: u32 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(200_000);
    let t = Instant::now();
    let mut b = CorpusModelBuilder::new(LearnParams::default());
    let mut x: u64 = 1;
    let mut keys = Vec::new();
    for d in 0..n {
        keys.clear();
        for _ in 0..30 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            keys.push(x);
        }
        for k in 0..5u64 {
            keys.push(1_000_000 + (d as u64 % 1000) * 10 + k);
        }
        let src = format!("site{}", d % 1000);
        b.observe(d, Some(&src), &keys);
    }
    eprintln!("observe {n} docs: {:?}", t.elapsed());
    let t = Instant::now();
    let m = b.build(&|_, _| false);
    eprintln!("build: {:?}, learned {}", t.elapsed(), m.len());
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        for l in status.lines().filter(|l| l.starts_with("VmHWM")) {
            eprintln!("{l}");
        }
    }
}
