//! Property tests for the offset map of `retold_text::normalize`.
//!
//! The map must give, for every byte range of the normalised text on char boundaries, an
//! end-exclusive code point range of the original that lies inside it, is monotone, covers
//! everything that normalisation did not drop, and is the identity for ASCII text that is
//! already normal.

use proptest::prelude::*;
use retold_text::normalize;

/// Characters that exercise the awkward paths of normalisation.
const TRICKY: &[char] = &[
    '\u{0301}', // combining acute
    '\u{0308}', // combining diaeresis
    '\u{0327}', // combining cedilla
    '\u{20DD}', // combining enclosing circle
    '\u{FB01}', // fi ligature
    '\u{FB03}', // ffi ligature
    '\u{2474}', // parenthesized one -> "(1)"
    '\u{3392}', // square MHz
    '\u{FF21}', // fullwidth A
    '\u{00BD}', // vulgar fraction one half
    '\u{2026}', // ellipsis -> "..."
    '北',
    '约',
    'カ',
    '\u{FF76}', // half-width katakana
    '\u{1100}', // Hangul choseong
    '\u{1161}', // Hangul jungseong
    '\u{AC00}', // Hangul syllable
    '😀',
    '\u{1F1FA}', // regional indicator U
    '\u{1F3FD}', // skin tone modifier
    '\u{FE0F}',  // variation selector
    '\r',
    '\n',
    '\t',
    '\u{00A0}', // no-break space
    '\u{2009}', // thin space
    '\u{3000}', // ideographic space
    '\u{2028}', // line separator
    '\u{0085}', // next line
    '\u{200B}', // zero width space
    '\u{200C}',
    '\u{200D}',
    '\u{2060}',
    '\u{FEFF}',
    '\u{00AD}', // soft hyphen
    '\u{2018}',
    '\u{2019}',
    '\u{201C}',
    '\u{201D}',
    '\u{00AB}',
    '\u{00BB}',
    '\u{2013}',
    '\u{2014}',
    '\u{2212}',
    '`',
    '\u{0000}',
    '\u{0007}',
    '\u{001B}',
    '\u{007F}',
    '\u{009F}',
    'é',
    'ß',
    'İ',
    'Σ',
    ' ',
    ' ',
    ' ',
];

/// Characters dropped by normalisation (they have no counterpart in the normalised text).
const DROPPED: &[char] = &[
    '\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}', '\u{00AD}',
];

fn tricky_char() -> impl Strategy<Value = char> {
    prop::sample::select(TRICKY)
}

fn any_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            3 => tricky_char(),
            2 => prop::char::range('a', 'z'),
            1 => any::<char>(),
            1 => prop::char::range(' ', '~'),
        ],
        0..48,
    )
    .prop_map(|v| v.into_iter().collect())
}

fn ascii_normal_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            6 => prop::char::range('!', '~').prop_filter("no backquote", |c| *c != '`'),
            2 => Just(' '),
            1 => Just('\n'),
        ],
        0..64,
    )
    .prop_map(|v| {
        // Collapse runs of spaces: that is what "already normal" means.
        let mut s = String::new();
        for c in v {
            if c == ' ' && s.ends_with(' ') {
                continue;
            }
            s.push(c);
        }
        s
    })
}

/// Byte offsets of the char boundaries of `s`, `s.len()` included.
fn boundaries(s: &str) -> Vec<usize> {
    s.char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(s.len()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    /// Every char-boundary range maps into the original, with start <= end.
    #[test]
    fn ranges_map_inside_original(text in any_text()) {
        let n = normalize(&text);
        let orig_chars = text.chars().count();
        prop_assert_eq!(n.original_len(), orig_chars);
        let b = boundaries(n.text());
        for (i, &s) in b.iter().enumerate() {
            for &e in &b[i..] {
                let (os, oe) = n.to_original(s, e);
                prop_assert!(os <= oe, "{:?}: ({},{}) -> ({},{})", text, s, e, os, oe);
                prop_assert!(oe <= orig_chars, "{:?}: ({},{}) -> ({},{}) > {}", text, s, e, os, oe, orig_chars);
            }
        }
    }

    /// Later ranges start (and end) no earlier than earlier ones.
    #[test]
    fn mapping_is_monotone(text in any_text()) {
        let n = normalize(&text);
        let b = boundaries(n.text());
        let len = n.text().len();
        // Starts: to_original(s, len).0 is non-decreasing in s; so is the start of any
        // non-empty range starting at s.
        let mut prev_start = 0usize;
        for &s in &b {
            let (os, _) = n.to_original(s, len);
            prop_assert!(os >= prev_start, "{:?}: start of {} is {} < {}", text, s, os, prev_start);
            prev_start = os;
        }
        // Ends: to_original(0, e).1 is non-decreasing in e.
        let mut prev_end = 0usize;
        for &e in &b[1..] {
            let (_, oe) = n.to_original(0, e);
            prop_assert!(oe >= prev_end, "{:?}: end of {} is {} < {}", text, e, oe, prev_end);
            prev_end = oe;
        }
        // A range inside another maps inside the other's image.
        for (i, &s) in b.iter().enumerate() {
            for &e in &b[i + 1..] {
                let (os, oe) = n.to_original(s, e);
                let (fs, fe) = n.to_original(0, len);
                prop_assert!(fs <= os && oe <= fe);
            }
        }
    }

    /// Each normalised char comes from a non-empty original range, and consecutive chars come
    /// from ranges in order.
    #[test]
    fn each_char_has_a_source(text in any_text()) {
        let n = normalize(&text);
        let mut prev = (0usize, 0usize);
        for (i, c) in n.text().char_indices() {
            let (os, oe) = n.to_original(i, i + c.len_utf8());
            prop_assert!(os < oe, "{:?}: char {:?} at {} maps to empty ({},{})", text, c, i, os, oe);
            prop_assert!(os >= prev.0 && oe >= prev.1);
            prev = (os, oe);
        }
    }

    /// The full range covers every original char that normalisation did not drop.
    #[test]
    fn full_range_covers_content(text in any_text()) {
        let n = normalize(&text);
        let (s, e) = n.to_original(0, n.text().len());
        for (i, c) in text.chars().enumerate() {
            if i < s || i >= e {
                prop_assert!(
                    DROPPED.contains(&c),
                    "{:?}: char {} ({:?}) outside the full range ({},{})", text, i, c, s, e
                );
            }
        }
        // Union of per-char images also covers every kept char.
        let orig: Vec<char> = text.chars().collect();
        let mut covered = vec![false; orig.len()];
        for (i, c) in n.text().char_indices() {
            let (os, oe) = n.to_original(i, i + c.len_utf8());
            for slot in &mut covered[os..oe] {
                *slot = true;
            }
        }
        for (i, c) in orig.iter().enumerate() {
            prop_assert!(covered[i] || DROPPED.contains(c), "{:?}: char {} ({:?}) not covered", text, i, c);
        }
    }

    /// Empty ranges map to empty ranges.
    #[test]
    fn empty_ranges_stay_empty(text in any_text()) {
        let n = normalize(&text);
        for &p in &boundaries(n.text()) {
            let (s, e) = n.to_original(p, p);
            prop_assert_eq!(s, e);
            prop_assert!(s <= text.chars().count());
        }
    }

    /// Out-of-range and reversed input is clamped, never panics.
    #[test]
    fn out_of_range_is_clamped(text in any_text(), a in 0usize..400, b in 0usize..400) {
        let n = normalize(&text);
        let (s, e) = n.to_original(a, b);
        prop_assert!(s <= e && e <= text.chars().count());
    }

    /// ASCII text already in normal form: the text is unchanged and the map is the identity.
    #[test]
    fn ascii_normal_is_identity(text in ascii_normal_text()) {
        let n = normalize(&text);
        prop_assert_eq!(n.text(), text.as_str());
        for s in 0..=text.len() {
            for e in s..=text.len() {
                prop_assert_eq!(n.to_original(s, e), (s, e));
            }
        }
    }

    /// Mapping back a normalised ASCII word finds the same word in the original when the
    /// original word was plain ASCII too.
    #[test]
    fn ascii_words_map_back_to_themselves(text in any_text()) {
        let n = normalize(&text);
        let orig: Vec<char> = text.chars().collect();
        for (i, c) in n.text().char_indices() {
            if c.is_ascii_alphanumeric() {
                let (s, e) = n.to_original(i, i + 1);
                if e == s + 1 && orig[s].is_ascii_alphanumeric() {
                    prop_assert_eq!(orig[s], c);
                }
            }
        }
    }

    /// The text-only path (fingerprinting) gives exactly the text of the mapped path.
    #[test]
    fn text_only_path_agrees(text in any_text()) {
        let n = normalize(&text);
        let t = retold_text::normalize_text(&text);
        prop_assert_eq!(t.as_ref(), n.text());
    }

    /// Normalising twice changes nothing (except where a dropped zero-width character sat
    /// between two combining marks, which NFKC may then reorder).
    #[test]
    fn normalisation_is_idempotent(text in any_text()) {
        prop_assume!(!text.chars().any(|c| matches!(c, '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}')));
        let once = normalize(&text);
        let twice = normalize(once.text());
        prop_assert_eq!(once.text(), twice.text());
    }
}

/// Examples of the tricky characters, checked by hand.
#[test]
fn tricky_examples() {
    let n = normalize("a\u{200B}b");
    assert_eq!(n.text(), "ab");
    assert_eq!(n.to_original(0, 2), (0, 3));
    assert_eq!(n.to_original(1, 2), (2, 3));

    let n = normalize("x\r\ny");
    assert_eq!(n.text(), "x\ny");
    assert_eq!(n.to_original(1, 2), (1, 3));
    assert_eq!(n.to_original(2, 3), (3, 4));

    let n = normalize("a \u{00A0}\t b");
    assert_eq!(n.text(), "a b");
    assert_eq!(n.to_original(1, 2), (1, 5));

    let n = normalize("\u{2026}");
    assert_eq!(n.text(), "...");
    assert_eq!(n.to_original(1, 2), (0, 1));

    let n = normalize("😀 北约");
    assert_eq!(n.to_original(0, 4), (0, 1));
    assert_eq!(n.to_original(5, 8), (2, 3));
}

/// Decomposed text (NFD, common in text from macOS) must normalise like precomposed text.
///
/// Fails today: a combining mark after an ASCII letter is not composed with it, because the
/// ASCII fast path in `normalize` pushes the letter before looking at the marks after it.
#[test]

fn decomposed_equals_precomposed() {
    assert_eq!(
        normalize("cafe\u{0301}").text(),
        normalize("caf\u{00E9}").text()
    );
    assert!(unicode_normalization::is_nfkc(
        normalize("cafe\u{0301} x").text()
    ));
}
