//! `retold eval` on PAN text-alignment data: the pan13 dev corpus (`pairs.jsonl`) and PAN's own
//! corpus layout (`pairs`, `susp/`, `src/`, XML truth per class).

mod common;
use common::*;
use serde_json::Value;

/// `retold eval` on a PAN dataset, lexical layer only (its passages come from the lexical and
/// reworded aligners; the semantic layer only runs across languages).
fn eval_pan(docs: &std::path::Path, gold: &std::path::Path, extra: &[&str]) -> Value {
    let mut args = vec!["--semantic", "off"];
    args.extend_from_slice(extra);
    eval_json(docs, gold, &args)
}

#[test]
fn pan13_sample_finds_reused_and_reworded_passages() {
    let d = shared().join("eval/pan13");
    let r = eval_pan(
        &d.join("docs.jsonl"),
        &d.join("pairs.jsonl"),
        &["--per-class", "30"],
    );
    assert_eq!(r["gold_kind"], "pan");
    let class = |c: &str| r["per_class"][c]["plagdet"].as_f64().unwrap();
    assert!(class("02-no-obfuscation") >= 0.9, "{r}");
    assert!(class("03-random-obfuscation") >= 0.7, "{r}");
    assert!(class("04-translation-obfuscation") >= 0.7, "{r}");
    assert!(r["overall"]["granularity"].as_f64().unwrap() <= 1.1, "{r}");
    assert!(
        r["per_class"]["01-no-plagiarism"]["clean_pairs_with_detection"]
            .as_u64()
            .unwrap()
            <= 1
    );
}

const FILLER_A: &str =
    "The harbour town prepared for the winter festival with lanterns along the quay. \
Fishermen mended their nets while children practised songs in the old school hall. \
The mayor announced that the ferry timetable would change after the first snowfall. ";
const FILLER_B: &str =
    "Researchers in the mountain observatory recorded an unusual number of meteors. \
The telescope dome was repaired after a storm damaged its motor last spring. \
Visitors may book guided night tours from the tourist office in the valley. ";
const REUSED: &str =
    "The regional parliament approved a plan to build three hospitals in rural districts, \
where patients now travel for hours to reach a doctor. Critics said the budget ignored the \
shortage of nurses, and unions warned that clinics would stand empty without new staff. \
The health minister promised scholarships for medical students who agree to work in the \
countryside for five years after graduating.";

#[test]
fn pan_corpus_layout_with_xml_truth_is_scored() {
    let dir = tempfile::tempdir().unwrap();
    let c = dir.path();
    for sub in ["susp", "src", "02-no-obfuscation"] {
        std::fs::create_dir_all(c.join(sub)).unwrap();
    }
    let susp = format!("{FILLER_A}{REUSED} {FILLER_A}");
    let src = format!("{FILLER_B}{REUSED} {FILLER_B}");
    std::fs::write(c.join("susp/suspicious-document00001.txt"), &susp).unwrap();
    std::fs::write(c.join("src/source-document00001.txt"), &src).unwrap();
    std::fs::write(c.join("src/source-document00002.txt"), FILLER_B.repeat(3)).unwrap();
    let (so, to) = (FILLER_B.chars().count(), FILLER_A.chars().count());
    let len = REUSED.chars().count();
    std::fs::write(
        c.join("02-no-obfuscation/suspicious-document00001-source-document00001.xml"),
        format!(
            "<document reference=\"suspicious-document00001.txt\">\n<feature name=\"plagiarism\" \
             obfuscation=\"none\" source_length=\"{len}\" source_offset=\"{so}\" \
             source_reference=\"source-document00001.txt\" this_length=\"{len}\" \
             this_offset=\"{to}\" type=\"artificial\"/>\n</document>\n"
        ),
    )
    .unwrap();
    std::fs::write(
        c.join("pairs"),
        "suspicious-document00001.txt source-document00001.txt\n\
         suspicious-document00001.txt source-document00002.txt\n",
    )
    .unwrap();
    let r = eval_pan(c, &c.join("pairs"), &[]);
    let p = &r["per_class"]["02-no-obfuscation"];
    assert_eq!(p["cases"], 1, "{r}");
    assert!(p["plagdet"].as_f64().unwrap() >= 0.95, "{r}");
    let clean = &r["per_class"]["01-no-plagiarism"];
    assert_eq!(clean["pairs"], 1, "{r}");
    assert_eq!(clean["clean_pairs_with_detection"], 0, "{r}");
    // The human report names the classes and PlagDet.
    let o = retold(&[
        "eval",
        "--docs",
        c.to_str().unwrap(),
        "--gold",
        c.join("pairs").to_str().unwrap(),
        "--semantic",
        "off",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("plagdet") && stdout(&o).contains("02-no-obfuscation"));
}

#[test]
fn pan_gold_with_unknown_document_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs.jsonl");
    std::fs::write(&docs, "{\"id\": \"s1\", \"text\": \"some text\"}\n").unwrap();
    let gold = dir.path().join("pairs.jsonl");
    std::fs::write(
        &gold,
        "{\"susp\": \"s1\", \"src\": \"s1\", \"class\": \"x\", \"cases\": []}\n{\"susp\": \"s1\", \"src\": \"nope\", \"class\": \"x\", \"cases\": []}\n",
    )
    .unwrap();
    let o = eval_output(&docs, &gold, &["--semantic", "off"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("pairs.jsonl:2"), "{}", stderr(&o));
}
