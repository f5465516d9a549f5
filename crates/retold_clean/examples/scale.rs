use retold_clean::*;
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
        // 5 template lines per site (1000 sites)
        for k in 0..5u64 {
            keys.push(1_000_000 + (d as u64 % 1000) * 10 + k);
        }
        let src = format!("site{}", d % 1000);
        b.observe(d, Some(&src), &keys);
    }
    eprintln!("observe {n} docs: {:?}", t.elapsed());
    let t = Instant::now();
    let m = b.build(&|a, c| a % 7 == c % 7 && false);
    eprintln!("build: {:?}, learned {}", t.elapsed(), m.len());
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    for l in status.lines() {
        if l.starts_with("VmHWM") {
            eprintln!("{l}");
        }
    }
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/seeds/001_14b810edc8f7e6fe.txt"
    ))
    .unwrap()
    .repeat(200);
    let norm = retold_text::normalize(&text);
    let t = Instant::now();
    let s = cue_spans(norm.text());
    eprintln!(
        "cue_spans on {} bytes: {:?} ({} spans)",
        norm.text().len(),
        t.elapsed(),
        s.len()
    );
}
