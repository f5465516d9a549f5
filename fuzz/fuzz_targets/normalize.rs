//! `retold_text::normalize` and its offset map over arbitrary text.
//!
//! Offsets: `Normalized::to_original` takes a byte range of the normalised text (any byte
//! offsets: out-of-range and reversed input is clamped) and returns an end-exclusive *code
//! point* range of the original; `from_original` goes the other way.
//!
//! Invariants: no panic; the normalised text has no `\r`, tab, run of spaces or dropped
//! zero-width character, and equals `normalize_text`; for the fuzzed ranges and every char
//! boundary: the image is a range `s <= e` inside the original's code points (so it maps to
//! byte offsets on char boundaries of the original), the map is monotone (a later start maps
//! no earlier, a later end no earlier, for non-empty ranges; empty ranges map to empty ranges
//! in order), a range inside another maps inside the other's image, and every normalised char
//! comes from a non-empty original range; `from_original` gives a range of the normalised text
//! on char boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;
use retold_text::{normalize, normalize_text};

fuzz_target!(|data: &[u8]| {
    // Up to four fuzzed ranges from the first 16 bytes; the rest is the text.
    let (head, rest) = data.split_at(data.len().min(16));
    let original = String::from_utf8_lossy(rest);
    let original = original.as_ref();
    let n = normalize(original);
    let text = n.text();
    let len = text.len();
    let orig_chars = original.chars().count();
    // Byte offset of each code point of the original, and of its end.
    let orig_bytes: Vec<usize> = original
        .char_indices()
        .map(|(i, _)| i)
        .chain([original.len()])
        .collect();
    assert_eq!(n.original_len(), orig_chars);
    assert_eq!(normalize_text(original), text);
    assert!(!text.contains(['\r', '\t']), "{text:?}");
    assert!(!text.contains("  "), "{text:?}");
    assert!(
        !text.contains(['\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}', '\u{00AD}']),
        "{text:?}"
    );

    let image = |s: usize, e: usize| {
        let (os, oe) = n.to_original(s, e);
        assert!(
            os <= oe && oe <= orig_chars,
            "({s},{e}) -> ({os},{oe}) of {orig_chars}"
        );
        // Code points of the original: byte offsets on its char boundaries.
        let (bs, be) = (orig_bytes[os], orig_bytes[oe]);
        assert!(original.is_char_boundary(bs) && original.is_char_boundary(be));
        (os, oe)
    };

    // The fuzzed ranges, anywhere (also off char boundaries and out of range).
    let pairs: Vec<(usize, usize)> = head
        .chunks_exact(4)
        .map(|c| {
            let a = u16::from_le_bytes([c[0], c[1]]) as usize % (len + 2);
            let b = u16::from_le_bytes([c[2], c[3]]) as usize % (len + 2);
            (a, b)
        })
        .collect();
    let clamp = |(a, b): (usize, usize)| {
        let b = b.min(len);
        (a.min(b), b)
    };
    for &(a, b) in &pairs {
        let (os, oe) = image(a, b);
        let (a, b) = clamp((a, b));
        if a == b {
            assert_eq!(os, oe, "empty ({a},{b}) -> ({os},{oe})");
        }
        for &other in &pairs {
            let (c, d) = clamp(other);
            if a < b && c < d {
                let (xs, xe) = image(c, d);
                if a <= c {
                    assert!(
                        os <= xs,
                        "start of ({a},{b}) -> {os} > start of ({c},{d}) -> {xs}"
                    );
                }
                if b <= d {
                    assert!(
                        oe <= xe,
                        "end of ({a},{b}) -> {oe} > end of ({c},{d}) -> {xe}"
                    );
                }
                if a <= c && d <= b {
                    assert!(
                        os <= xs && xe <= oe,
                        "({c},{d}) inside ({a},{b}) maps outside"
                    );
                }
            }
        }
    }

    // Every char boundary: starts, ends and empty ranges in order; each char has a source.
    let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([len]).collect();
    let (mut prev_start, mut prev_end, mut prev_empty) = (0, 0, 0);
    let mut prev_char = (0, 0);
    for (k, &p) in bounds.iter().enumerate() {
        let (s, _) = image(p, len);
        assert!(s >= prev_start, "start at {p} maps to {s} < {prev_start}");
        prev_start = s;
        let (_, e) = image(0, p);
        if p > 0 {
            assert!(e >= prev_end, "end at {p} maps to {e} < {prev_end}");
            prev_end = e;
        }
        let (x, y) = image(p, p);
        assert_eq!(x, y);
        assert!(
            x >= prev_empty,
            "empty range at {p} maps to {x} < {prev_empty}"
        );
        prev_empty = x;
        if let Some(&q) = bounds.get(k + 1) {
            let (cs, ce) = image(p, q);
            assert!(cs < ce, "char at {p} maps to the empty ({cs},{ce})");
            assert!(
                cs >= prev_char.0 && ce >= prev_char.1,
                "char at {p} out of order"
            );
            prev_char = (cs, ce);
        }
    }

    // from_original: any code point range of the original gives a range of the normalised text.
    for &(a, b) in &pairs {
        let (s, e) = n.from_original(a, b);
        assert!(
            s <= e && e <= len,
            "from_original({a},{b}) = ({s},{e}) of {len}"
        );
        assert!(
            text.is_char_boundary(s) && text.is_char_boundary(e),
            "from_original({a},{b}) = ({s},{e}) off char boundaries"
        );
    }
});
