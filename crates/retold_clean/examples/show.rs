fn main() {
    for p in std::env::args().skip(1) {
        let raw = std::fs::read_to_string(&p).unwrap();
        let n = retold_text::normalize(&raw);
        let t = n.text();
        println!("== {p}");
        for s in retold_clean::cue_spans(t) {
            println!("{:>14} {:?}", s.reason.as_str(), &t[s.start..s.end]);
        }
    }
}
