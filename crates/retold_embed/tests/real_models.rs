//! Checks against the real models, when installed (`bash scripts/setup-models.sh`).
//!
//! A missing model skips its test with a note, unless `RETOLD_REQUIRE_MODELS=1`, which makes it
//! fail.
#![cfg(feature = "candle")]

use retold_embed::{cosine, load, locate, EmbedError, Embedder, LoadOptions, ModelKind};

fn model(kind: ModelKind) -> Option<Box<dyn Embedder>> {
    match locate(kind, None) {
        Ok(_) => Some(load(kind, &LoadOptions::default()).expect("model loads")),
        Err(e @ EmbedError::ModelMissing { .. }) => {
            if std::env::var("RETOLD_REQUIRE_MODELS").as_deref() == Ok("1") {
                panic!("RETOLD_REQUIRE_MODELS=1 but {e}");
            }
            eprintln!("skipping: {e}");
            None
        }
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn minilm_matches_reference() {
    let Some(m) = model(ModelKind::MiniLm) else {
        return;
    };
    assert_eq!(m.dim(), 384);
    assert_eq!(m.name(), "all-MiniLM-L6-v2");
    assert!(!m.multilingual());
    let v = m.embed(&["This is an example sentence"]).unwrap();
    // sentence-transformers reference values for this model.
    let want = [0.0677, 0.0635, 0.0488];
    for (got, want) in v[0].iter().zip(want) {
        assert!((got - want).abs() < 2e-3, "got {:?}", &v[0][..3]);
    }
    let e = m
        .embed(&[
            "A man is eating food.",
            "A man is eating a piece of bread.",
            "The new movie is awesome.",
        ])
        .unwrap();
    let close = cosine(&e[0], &e[1]);
    let far = cosine(&e[0], &e[2]);
    assert!(close > 0.6, "related pair {close}");
    assert!(far < 0.2, "unrelated pair {far}");
    for v in &e {
        let n: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((n - 1.0).abs() < 1e-4);
    }
}

#[test]
fn minilm_batch_equals_single() {
    let Some(m) = model(ModelKind::MiniLm) else {
        return;
    };
    let texts = [
        "short",
        "A somewhat longer sentence about the weather in the mountains today.",
        "Another one.",
    ];
    let batch = m.embed(&texts).unwrap();
    for (t, b) in texts.iter().zip(&batch) {
        let single = m.embed(&[t]).unwrap().remove(0);
        assert!(cosine(&single, b) > 0.9999);
    }
}

#[test]
fn e5_cross_lingual_ordering() {
    let Some(m) = model(ModelKind::E5Small) else {
        return;
    };
    assert_eq!(m.dim(), 384);
    assert!(m.multilingual());
    let e = m
        .embed(&[
            "The cat sits on the mat.",
            "猫坐在垫子上。",
            "股市今天大幅下跌。",
        ])
        .unwrap();
    let translation = cosine(&e[0], &e[1]);
    let unrelated = cosine(&e[0], &e[2]);
    assert!(
        translation > unrelated + 0.05,
        "translation {translation} vs unrelated {unrelated}"
    );
    let e = m
        .embed(&[
            "The weather is lovely today.",
            "Il fait très beau aujourd'hui.",
            "Der Zug hat zwei Stunden Verspätung.",
        ])
        .unwrap();
    assert!(cosine(&e[0], &e[1]) > cosine(&e[0], &e[2]));
}

#[test]
fn e5_long_text_is_truncated() {
    let Some(m) = model(ModelKind::E5Small) else {
        return;
    };
    let long = "word ".repeat(3000);
    let v = m.embed(&[&long, "short"]).unwrap();
    assert_eq!(v.len(), 2);
    assert!(v[0].iter().all(|x| x.is_finite()));
}
