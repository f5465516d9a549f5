//! Lines, paragraphs and sentences as byte ranges of a text.

use std::ops::Range;
use unicode_segmentation::UnicodeSegmentation;

/// Byte ranges of the lines of `text`, without their `\n`, empty lines included.
pub fn lines(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut s = 0;
    for (i, b) in text.bytes().enumerate() {
        if b == b'\n' {
            out.push(s..i);
            s = i + 1;
        }
    }
    out.push(s..text.len());
    out
}

/// Byte ranges of paragraphs: blocks of non-blank lines separated by blank lines. Leading and
/// trailing white space is trimmed from each.
pub fn paragraphs(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut cur: Option<Range<usize>> = None;
    for l in lines(text) {
        let t = &text[l.clone()];
        if t.trim().is_empty() {
            if let Some(c) = cur.take() {
                out.push(c);
            }
            continue;
        }
        let lead = t.len() - t.trim_start().len();
        let trail = t.len() - t.trim_end().len();
        let r = l.start + lead..l.end - trail;
        cur = Some(match cur {
            Some(c) => c.start..r.end,
            None => r,
        });
    }
    if let Some(c) = cur {
        out.push(c);
    }
    out
}

/// Byte ranges of sentences (Unicode sentence boundaries, never across a line break), trimmed.
pub fn sentences(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for l in lines(text) {
        let line = &text[l.clone()];
        if line.trim().is_empty() {
            continue;
        }
        for (off, s) in line.split_sentence_bound_indices() {
            let lead = s.len() - s.trim_start().len();
            let t = s.trim();
            if t.is_empty() {
                continue;
            }
            let start = l.start + off + lead;
            out.push(start..start + t.len());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_and_sentences() {
        let t = "Title\n\nOne sentence. Two sentence.\nSame para.\n\n\nLast.";
        let p = paragraphs(t);
        assert_eq!(p.len(), 3);
        assert_eq!(&t[p[1].clone()], "One sentence. Two sentence.\nSame para.");
        let s = sentences(t);
        let got: Vec<&str> = s.iter().map(|r| &t[r.clone()]).collect();
        assert_eq!(
            got,
            [
                "Title",
                "One sentence.",
                "Two sentence.",
                "Same para.",
                "Last."
            ]
        );
    }
}
