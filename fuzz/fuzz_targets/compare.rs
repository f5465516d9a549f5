//! `retold::compare` on arbitrary pairs of texts (the input split at its first NUL byte, or in
//! the middle when it has none; invalid UTF-8 replaced).
//!
//! Invariants: no panic, no error (no models are given); each side counts its text's code
//! points and its boilerplate spans are sorted code point ranges of it, one reason each;
//! every passage lies inside both texts (code points of the originals, `start <= end`), the
//! passages come in `a` order; scores are finite, confidence and similarities in 0..=1; the
//! result serialises to JSON that parses back with the same passages.
#![no_main]

use libfuzzer_sys::fuzz_target;
use retold::{compare, Config, DocInfo};
use retold_fuzz::check_char_ranges;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let (a, b) = match data.iter().position(|&x| x == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => data.split_at(data.len() / 2),
    };
    let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    let (a_chars, b_chars) = (a.chars().count(), b.chars().count());
    let da = DocInfo {
        text: &a,
        ..Default::default()
    };
    let db = DocInfo {
        text: &b,
        ..Default::default()
    };
    let c = compare(&da, &db, &Config::default(), None).expect("compare without models");

    for (side, chars, name) in [(&c.a, a_chars, "a"), (&c.b, b_chars, "b")] {
        assert_eq!(side.chars, chars, "side {name}: chars");
        check_char_ranges(&side.boilerplate, chars, "boilerplate");
        assert_eq!(side.boilerplate.len(), side.boilerplate_reasons.len());
    }
    assert!(
        c.confidence.is_finite() && (0.0..=1.0).contains(&c.confidence),
        "confidence {}",
        c.confidence
    );
    let mut last_a = 0;
    for p in &c.passages {
        assert!(
            p.a[0] <= p.a[1] && p.a[1] <= a_chars,
            "passage {p:?}: a of {a_chars}"
        );
        assert!(
            p.b[0] <= p.b[1] && p.b[1] <= b_chars,
            "passage {p:?}: b of {b_chars}"
        );
        assert!(
            p.a[0] >= last_a,
            "passages not in a order: {:?}",
            c.passages
        );
        last_a = p.a[0];
        assert!(
            p.similarity.is_finite() && (0.0..=1.0).contains(&p.similarity),
            "passage {p:?}: similarity"
        );
    }

    let json = serde_json::to_string(&c).expect("the comparison serialises");
    let v: Value = serde_json::from_str(&json).expect("the JSON parses back");
    let passages = v["passages"].as_array().expect("passages");
    assert_eq!(passages.len(), c.passages.len());
    for (p, q) in c.passages.iter().zip(passages) {
        assert_eq!(q["a"], serde_json::json!(p.a));
        assert_eq!(q["b"], serde_json::json!(p.b));
    }
    assert_eq!(v["a"]["chars"], a_chars);
    assert_eq!(v["b"]["chars"], b_chars);
    // serde_json writes a NaN or infinite float as null: every score is a number.
    for (k, x) in v["scores"].as_object().expect("scores") {
        assert!(
            x.is_number() || x.is_boolean() || k == "model",
            "score {k} is {x}"
        );
    }
    assert_eq!(
        v["relation"],
        serde_json::to_value(c.relation).expect("relation")
    );
});
