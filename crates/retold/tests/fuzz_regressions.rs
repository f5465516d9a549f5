//! Inputs found by fuzzing (`fuzz/`, `scripts/fuzz.sh`) that once broke an invariant of
//! [`retold::compare`]. The byte literals are the fuzz inputs (minimised with
//! `cargo fuzz tmin`), split into the two texts as the `compare` target splits them.

use retold::{compare, Config, DocInfo};

/// The `compare` target's split: at the first NUL byte, else in the middle; invalid UTF-8
/// replaced.
fn texts(data: &[u8]) -> (String, String) {
    let (a, b) = match data.iter().position(|&x| x == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => data.split_at(data.len() / 2),
    };
    (
        String::from_utf8_lossy(a).into_owned(),
        String::from_utf8_lossy(b).into_owned(),
    )
}

/// fuzz target `compare` (crash-fa7a11ffc32804c8ac759958c3430b41f0d24b1d, minimised): a
/// reworded passage absorbed lexical passages that overlap each other, and their matched tokens,
/// added up, exceeded the passage: a "verbatim" passage of similarity 1.13.
#[test]
fn fuzz_compare_passage_similarity_stays_within_one() {
    let data: &[u8] = b"Ams these houses, scattered around t harassment. We as a society want t\xff\xff\xff\n the new heofesociety want to dt the new heofeumh rapidly became an one of these families in the \x97\x99\x99\x99\x99\x99\x99\x19a\xe2\x80\x9d. After up to six months in these houses, scattered around t harassment. We as a society want to dt the new heofesociety want to dt the new heofefeumh rapidly became an one of these families in the \x97\x99\x99\x99\x99\x99\x99\x19a\xe2\x80\x9d. After up to six months in these houses, scattered around t harassment. We as a society want to dt the new heofesociety want to dt the new heofe";
    let (a, b) = texts(data);
    let doc = |text| DocInfo {
        text,
        ..DocInfo::default()
    };
    let c = compare(&doc(&a), &doc(&b), &Config::default(), None).unwrap();
    assert!(!c.passages.is_empty());
    for p in &c.passages {
        assert!((0.0..=1.0).contains(&p.similarity), "{p:?}");
    }
    assert!((0.0..=1.0).contains(&c.scores.similarity), "{:?}", c.scores);
}
