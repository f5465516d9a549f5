//! Lines, paragraphs and sentences (`retold_text::segment`) over arbitrary text.
//!
//! Invariants: no panic; every range lies inside the text, on char boundaries, sorted and
//! non-overlapping; lines are the text split at `\n`; paragraphs and sentences are non-empty,
//! trimmed, and sentences never cross a line break; every non-white-space char is in a
//! sentence; and the sentences equal those of the reference segmenter (UAX #29 from
//! `unicode-segmentation`, line by line, trimmed), which the fast path must reproduce.
#![no_main]

use std::ops::Range;

use libfuzzer_sys::fuzz_target;
use retold_fuzz::check_byte_ranges;
use retold_text::segment::{lines, paragraphs, sentences};
use unicode_segmentation::UnicodeSegmentation;

/// Sentences as the full UAX #29 segmenter gives them: per line, trimmed, empty ones dropped.
fn reference(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut at = 0;
    for line in text.split('\n') {
        for (off, s) in line.split_sentence_bound_indices() {
            let lead = s.len() - s.trim_start().len();
            let t = s.trim();
            if !t.is_empty() {
                let start = at + off + lead;
                out.push(start..start + t.len());
            }
        }
        at += line.len() + 1;
    }
    out
}

fn check_trimmed(text: &str, ranges: &[Range<usize>], what: &str) {
    for r in ranges {
        let s = &text[r.clone()];
        assert!(
            !s.is_empty() && s.trim() == s,
            "{what} {r:?} = {s:?} is empty or untrimmed"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();

    let ls = lines(text);
    check_byte_ranges(text, &ls, "lines");
    assert_eq!(ls.len(), text.matches('\n').count() + 1);
    let split: Vec<&str> = text.split('\n').collect();
    let got: Vec<&str> = ls.iter().map(|r| &text[r.clone()]).collect();
    assert_eq!(got, split, "lines");

    let ps = paragraphs(text);
    check_byte_ranges(text, &ps, "paragraphs");
    check_trimmed(text, &ps, "paragraph");

    let ss = sentences(text);
    check_byte_ranges(text, &ss, "sentences");
    check_trimmed(text, &ss, "sentence");
    for r in &ss {
        assert!(
            !text[r.clone()].contains('\n'),
            "sentence {r:?} crosses a line break"
        );
    }
    let mut covered = ss.iter().peekable();
    for (i, c) in text.char_indices() {
        while covered.peek().is_some_and(|r| r.end <= i) {
            covered.next();
        }
        if !c.is_whitespace() {
            assert!(
                covered.peek().is_some_and(|r| r.start <= i),
                "char {c:?} at {i} is in no sentence"
            );
        }
    }
    assert_eq!(
        ss,
        reference(text),
        "sentences differ from the reference segmenter"
    );
});
