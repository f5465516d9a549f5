//! The semantic layer through the CLI, with the real models (installed by
//! `scripts/setup-models.sh`). Without the models these tests skip with a note, unless
//! `RETOLD_REQUIRE_MODELS=1` (set by `scripts/test.sh`), where a missing model fails them.

mod common;
use common::*;
use serde_json::Value;

/// `retold compare A B --json --semantic MODE`: must succeed; the parsed JSON.
fn compare_json(a: &str, b: &str, mode: &str) -> Value {
    let o = retold(&["compare", a, b, "--json", "--semantic", mode]);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

fn chars(s: &str) -> Vec<char> {
    s.chars().collect()
}

/// Code point range of the line of `text` that contains `needle`.
fn line_of(text: &[char], needle: &str) -> (usize, usize) {
    let s: String = text.iter().collect();
    let at = s
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in text"));
    let start = s[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = s[at..].find('\n').map_or(s.len(), |i| at + i);
    (s[..start].chars().count(), s[..end].chars().count())
}

fn overlaps(x: (usize, usize), y: (usize, usize)) -> bool {
    x.0 < y.1 && y.0 < x.1
}

fn range(v: &Value) -> (usize, usize) {
    (
        v[0].as_u64().unwrap() as usize,
        v[1].as_u64().unwrap() as usize,
    )
}

/// The eleven article paragraphs of the repost (000), each with a phrase of its counterpart
/// paragraph in the original (001), written by reading the two texts.
const COUNTERPARTS: [(&str, &str); 11] = [
    ("NATO relations with Russia at", "NATO Chief Says Relations"),
    (
        "Secretary General of the North Atlantic",
        "NATO Secretary General Jens Stoltenberg said Thursday",
    ),
    (
        "Stoltenberg made this statement",
        "Stoltenberg made the comments",
    ),
    ("Tensions have run high", "Tensions have risen"),
    (
        "Speaking to reporters on Thursday",
        "Speaking to reporters Thursday",
    ),
    (
        "However, the NATO secretary general",
        "But the NATO chief said",
    ),
    (
        "Stoltenberg also said NATO is undergoing",
        "Stoltenberg also said NATO is going through",
    ),
    (
        "NATO also discussed the issue of Afghanistan",
        "NATO allies will also address Afghanistan",
    ),
    (
        "The lessons learned from the process",
        "process has to focus on both",
    ),
    (
        "Speaking to reporters on Wednesday",
        "Speaking to reporters on Wednesday, the NATO chief",
    ),
    (
        "Stoltenberg said NATO allies and partners managed",
        "Stoltenberg said NATO allies and partners were able",
    ),
];

#[test]
fn seed_pair_is_a_rewrite_aligned_paragraph_by_paragraph() {
    if !models_ready() {
        return;
    }
    let (orig, repost) = seeds();
    let v = compare_json(orig.to_str().unwrap(), repost.to_str().unwrap(), "on");
    assert_eq!(v["relation"], "rewrite", "{v}");
    assert_eq!(v["scores"]["model"], "all-MiniLM-L6-v2");
    let ta = chars(&std::fs::read_to_string(&orig).unwrap());
    let tb = chars(&std::fs::read_to_string(&repost).unwrap());
    let paras: Vec<((usize, usize), (usize, usize))> = COUNTERPARTS
        .iter()
        .map(|(b, a)| (line_of(&tb, b), line_of(&ta, a)))
        .collect();
    let passages = v["passages"].as_array().unwrap();
    // Paragraphs of 000 with a passage that points at their counterpart in 001.
    let aligned = paras
        .iter()
        .filter(|(pb, pa)| {
            passages
                .iter()
                .any(|p| overlaps(range(&p["b"]), *pb) && overlaps(range(&p["a"]), *pa))
        })
        .count();
    assert!(aligned >= 10, "only {aligned} of 11 paragraphs aligned");
    // Passages inside the article: every 000 paragraph they touch has its counterpart on the
    // other side.
    let inside: Vec<&Value> = passages
        .iter()
        .filter(|p| paras.iter().any(|(pb, _)| overlaps(range(&p["b"]), *pb)))
        .collect();
    let right = inside
        .iter()
        .filter(|p| {
            paras
                .iter()
                .filter(|(pb, _)| overlaps(range(&p["b"]), *pb))
                .all(|(_, pa)| overlaps(range(&p["a"]), *pa))
        })
        .count();
    assert!(
        right * 10 >= inside.len() * 9,
        "{right} of {} passages point at the right counterpart",
        inside.len()
    );
    assert!(passages
        .iter()
        .any(|p| p["kind"] == "paraphrase" && p["similarity"].as_f64().unwrap() > 0.7));
    // The chrome is still marked on both sides.
    let (ma, mb) = (
        marked(&v["a"], &ta).join("\n"),
        marked(&v["b"], &tb).join("\n"),
    );
    for c in [
        "Accessibility links",
        "Breaking News",
        "The Voice of America provides",
    ] {
        assert!(ma.contains(c), "001 chrome not marked: {c}");
    }
    for c in ["[em/lt]", "Check Also", "Leave a Reply"] {
        assert!(mb.contains(c), "000 chrome not marked: {c}");
    }
    // No article passage starts inside boilerplate.
    assert!(!mb.contains("Stoltenberg made this statement"));
}

/// A Chinese news report and one of its English machine translations (WMT 2023, dev data).
#[test]
fn chinese_source_and_english_translation_are_a_translation() {
    if !models_ready() {
        return;
    }
    let docs = read_jsonl(&shared().join("eval/wmt/docs.jsonl"));
    let zh = docs
        .iter()
        .find(|d| d["lang"] == "zh")
        .expect("a Chinese document");
    let id = zh["id"].as_str().unwrap();
    let stem = id.trim_end_matches("-src");
    let en = docs
        .iter()
        .find(|d| d["id"].as_str().unwrap().starts_with(stem) && d["lang"] == "en")
        .expect("its translation");
    // An unrelated English document: a translation of another source.
    let other = docs
        .iter()
        .find(|d| d["lang"] == "en" && !d["id"].as_str().unwrap().starts_with(stem))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, v: &Value| {
        let p = dir.path().join(name);
        std::fs::write(&p, v["text"].as_str().unwrap()).unwrap();
        p.to_str().unwrap().to_string()
    };
    let (pz, pe, po) = (
        write("zh.txt", zh),
        write("en.txt", en),
        write("other.txt", other),
    );
    let v = compare_json(&pz, &pe, "on");
    assert_eq!(v["relation"], "translation", "{}", v["scores"]);
    assert_eq!(v["a"]["lang"], "zh");
    assert_eq!(v["b"]["lang"], "en");
    assert_eq!(v["scores"]["cross_lingual"], true);
    let ps = v["passages"].as_array().unwrap();
    assert!(ps.len() >= 3, "{ps:?}");
    assert!(ps.iter().all(|p| p["kind"] == "translation"));

    let v = compare_json(&pz, &po, "on");
    assert!(
        !["translation", "rewrite", "duplicate"].contains(&v["relation"].as_str().unwrap()),
        "{}",
        v["scores"]
    );
}

#[test]
fn semantic_off_is_lexical_only() {
    let (orig, repost) = seeds();
    let v = compare_json(orig.to_str().unwrap(), repost.to_str().unwrap(), "off");
    assert_eq!(v["scores"]["model"], Value::Null);
    assert_eq!(v["scores"]["sem_coverage_a"], 0.0);
}

#[test]
fn missing_models_are_a_clear_user_error() {
    let empty = tempfile::tempdir().unwrap();
    let (orig, repost) = seeds();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_retold"))
        .args(["compare", "--semantic", "on"])
        .arg(&orig)
        .arg(&repost)
        .env("HOME", empty.path())
        .env("XDG_CACHE_HOME", empty.path())
        .env_remove("RETOLD_MODEL_DIR")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("scripts/setup-models.sh"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    // auto falls back to lexical analysis with a note.
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_retold"))
        .args(["compare", "--json"])
        .arg(&orig)
        .arg(&repost)
        .env("HOME", empty.path())
        .env("XDG_CACHE_HOME", empty.path())
        .env_remove("RETOLD_MODEL_DIR")
        .output()
        .unwrap();
    assert!(o.status.success());
    assert!(stderr(&o).contains("lexical analysis only"));
}

/// Two WMT sources with their English translations, and the seed pair: dedup with the
/// semantic layer clusters each source with its translations (relation `translation`, the
/// Chinese source named the original), and the seed pair as a rewrite.
#[test]
fn dedup_clusters_translations_and_names_the_source() {
    if !models_ready() {
        return;
    }
    let docs = read_jsonl(&shared().join("eval/wmt/docs.jsonl"));
    let sources: Vec<&str> = docs
        .iter()
        .filter(|d| d["lang"] == "zh")
        .take(2)
        .map(|d| d["id"].as_str().unwrap().trim_end_matches("-src"))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("docs.jsonl");
    let mut lines: Vec<String> = docs
        .iter()
        .filter(|d| {
            sources
                .iter()
                .any(|s| d["id"].as_str().unwrap().starts_with(s))
        })
        .map(|d| d.to_string())
        .collect();
    let (orig, repost) = seeds();
    for (id, p) in [("seed-001", &orig), ("seed-000", &repost)] {
        let text = std::fs::read_to_string(p).unwrap();
        lines.push(serde_json::json!({"id": id, "text": text, "lang": "en"}).to_string());
    }
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let out = dir.path().join("out");
    let o = retold(&[
        "dedup",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--semantic",
        "on",
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("sentence-aligned"), "{}", stdout(&o));
    let clusters = read_jsonl(&out.join("clusters.jsonl"));
    for s in &sources {
        let c = clusters
            .iter()
            .find(|c| {
                c["docs"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|d| d.as_str().unwrap() == format!("{s}-src"))
            })
            .unwrap_or_else(|| panic!("no cluster for {s}: {clusters:?}"));
        assert_eq!(c["relation"], "translation", "{c}");
        assert_eq!(c["docs"].as_array().unwrap().len(), 5, "{c}");
        assert!(c["docs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d.as_str().unwrap().starts_with(s)));
        assert_eq!(c["original"], format!("{s}-src"), "{c}");
        assert!(c["story"].as_str().unwrap().starts_with('s'));
    }
    let seed = clusters
        .iter()
        .find(|c| {
            c["docs"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d == "seed-000")
        })
        .expect("the seed pair clustered");
    assert_eq!(seed["docs"].as_array().unwrap().len(), 2);
    assert_eq!(seed["relation"], "rewrite");
    let pairs = read_jsonl(&out.join("pairs.jsonl"));
    assert!(pairs.iter().any(|p| p["relation"] == "translation"
        && p["passages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["kind"] == "translation")));
}
