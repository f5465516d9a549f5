//! `retold compare` on the seed pair: contract JSON, boilerplate, human output snapshots (of
//! the lexical layer, `--semantic off`, so they do not depend on installed models; the
//! semantic layer is tested in `semantic.rs`).

mod common;
use common::*;
use serde_json::Value;

fn chars(s: &str) -> Vec<char> {
    s.chars().collect()
}

#[test]
fn seed_pair_json_contract_and_boilerplate() {
    let (orig, repost) = seeds();
    let o = retold(&[
        "compare",
        orig.to_str().unwrap(),
        repost.to_str().unwrap(),
        "--json",
        "--semantic",
        "off",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).expect("valid JSON");
    for key in [
        "relation",
        "confidence",
        "scores",
        "original",
        "original_reason",
        "a",
        "b",
        "passages",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    let rel = v["relation"].as_str().unwrap();
    assert!(
        ["rewrite", "partial", "duplicate"].contains(&rel),
        "reproduced, got {rel}"
    );

    let ta = chars(&std::fs::read_to_string(&orig).unwrap());
    let tb = chars(&std::fs::read_to_string(&repost).unwrap());
    let ma = marked(&v["a"], &ta);
    let mb = marked(&v["b"], &tb);
    let all_a = ma.join("\n");
    let all_b = mb.join("\n");
    for chrome in [
        "Accessibility links",
        "Breaking News",
        "16x9 Image",
        "VOA News",
        "The Voice of America provides",
        "XS",
        "LG",
    ] {
        assert!(all_a.contains(chrome), "001 chrome not marked: {chrome}");
    }
    assert_eq!(
        ma.iter()
            .filter(|m| m.contains("speaks with U.S. Defense Secretary"))
            .count(),
        2,
        "both copies of the caption marked"
    );
    for chrome in [
        "[em/lt]",
        "Check Also",
        "Leave a Reply",
        "Your email address will not be published.",
    ] {
        assert!(all_b.contains(chrome), "000 chrome not marked: {chrome}");
    }
    for article in [
        "Stoltenberg made the comments",
        "Some information for this report came from",
        "NATO Chief Says Relations",
    ] {
        assert!(
            !all_a.contains(article),
            "article text of 001 marked: {article}"
        );
    }
    for article in [
        "Stoltenberg made this statement",
        "NATO relations with Russia at",
        "120,000 people",
    ] {
        assert!(
            !all_b.contains(article),
            "article text of 000 marked: {article}"
        );
    }

    // Passages point at matching text on both sides.
    let ps = v["passages"].as_array().unwrap();
    assert!(!ps.is_empty());
    for p in ps {
        let (a0, a1) = (
            p["a"][0].as_u64().unwrap() as usize,
            p["a"][1].as_u64().unwrap() as usize,
        );
        let (b0, b1) = (
            p["b"][0].as_u64().unwrap() as usize,
            p["b"][1].as_u64().unwrap() as usize,
        );
        assert!(a0 < a1 && a1 <= ta.len() && b0 < b1 && b1 <= tb.len());
        let sa: String = ta[a0..a1].iter().collect::<String>().to_lowercase();
        let sb: String = tb[b0..b1].iter().collect::<String>().to_lowercase();
        let first_a = sa.split_whitespace().next().unwrap().to_string();
        assert!(
            sb.contains(first_a.trim_matches(|c: char| !c.is_alphanumeric())),
            "{sa} / {sb}"
        );
    }
    insta::assert_json_snapshot!("seed_compare_json", v);
}

#[test]
fn seed_pair_human_output() {
    let (orig, repost) = seeds();
    let o = retold(&[
        "compare",
        orig.to_str().unwrap(),
        repost.to_str().unwrap(),
        "--color",
        "never",
        "--semantic",
        "off",
    ]);
    assert!(o.status.success());
    let out = stdout(&o)
        .replace(orig.to_str().unwrap(), "001.txt")
        .replace(repost.to_str().unwrap(), "000.txt");
    assert!(!out.contains('\x1b'), "no colour when piped");
    insta::assert_snapshot!("seed_compare_human", out);
}

#[test]
fn identical_files_are_exact_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.txt");
    let b = dir.path().join("b.txt");
    let text = "The council voted on Tuesday to expand the city's bus network, adding four routes.\n\nThe plan will cost 12 million dollars over three years, officials said, and service begins in March.";
    std::fs::write(&a, text).unwrap();
    std::fs::write(
        &b,
        text.replace("Tuesday", "Tuesday ")
            .replace('\'', "\u{2019}"),
    )
    .unwrap();
    let o = retold(&[
        "compare",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--json",
    ]);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["relation"], "duplicate");
    assert_eq!(v["exact"], true);
}

#[test]
fn unrelated_files_are_unrelated() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.txt");
    let b = dir.path().join("b.txt");
    std::fs::write(&a, "Farmers in the northern valley planted fewer acres this year because the drought left reservoirs at record lows and water prices doubled.").unwrap();
    std::fs::write(&b, "The orchestra opened its season with a new symphony by a young composer, and the audience gave the premiere a long standing ovation.").unwrap();
    let o = retold(&[
        "compare",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--json",
    ]);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["relation"], "unrelated");
    assert_eq!(v["passages"].as_array().unwrap().len(), 0);
}

#[test]
fn invalid_utf8_and_missing_file_are_user_errors() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, b"ok text \xff\xfe more").unwrap();
    let o = retold(&["compare", bad.to_str().unwrap(), bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("bad.txt") && e.contains("invalid UTF-8"), "{e}");
    let o = retold(&["compare", "/nonexistent/x.txt", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("/nonexistent/x.txt"));
}

#[test]
fn bad_flags_exit_1_and_help_exits_0() {
    let o = retold(&["compare", "--no-such-flag"]);
    assert_eq!(o.status.code(), Some(1));
    let o = retold(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).contains("compare")
            && stdout(&o).contains("dedup")
            && stdout(&o).contains("eval")
    );
}
