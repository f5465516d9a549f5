//! Prints the structural boilerplate cues of text files, one span per line:
//! `cargo run -p retold_clean --example show -- FILE...`

fn main() {
    for p in std::env::args().skip(1) {
        let raw = match std::fs::read_to_string(&p) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("{p}: {e}");
                continue;
            }
        };
        let n = retold_text::normalize(&raw);
        let t = n.text();
        println!("== {p}");
        for s in retold_clean::cue_spans(t) {
            println!("{:>14} {:?}", s.reason.as_str(), &t[s.start..s.end]);
        }
    }
}
