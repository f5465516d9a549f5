//! Unicode normalisation with an exact offset map back to the original text.
//!
//! The normalised text is NFKC, with typographic quotes folded to ASCII quotes, dashes to `-`,
//! zero-width and soft-hyphen characters removed, `\r\n`/`\r` turned into `\n`, and runs of
//! horizontal white space collapsed to one space. Line structure (`\n`) is kept, because lines
//! are the unit of boilerplate detection.
//!
//! Every byte of the normalised text knows the original *code point* range it came from, so a
//! span found in the normalised text maps back to a span of the original (`str` indexing as in
//! Python), end-exclusive.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// A normalised text and its map back to the original.
#[derive(Debug, Clone)]
pub struct Normalized {
    text: String,
    /// `None` when the normalised text is byte-identical to an ASCII original (identity map).
    map: Option<OffsetMap>,
    orig_chars: usize,
}

#[derive(Debug, Clone)]
struct OffsetMap {
    /// For each normalised byte, the original code point index it starts at.
    starts: Vec<u32>,
    /// For each normalised byte, the original code point index its source ends at (exclusive).
    ends: Vec<u32>,
}

impl Normalized {
    /// The normalised text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Number of code points in the original text.
    pub fn original_len(&self) -> usize {
        self.orig_chars
    }

    /// Bytes held on the heap (text and offset map), for memory budgets.
    pub fn heap_bytes(&self) -> usize {
        self.text.capacity()
            + self.map.as_ref().map_or(0, |m| {
                (m.starts.capacity() + m.ends.capacity()) * std::mem::size_of::<u32>()
            })
    }

    /// Maps a byte range of the normalised text to an end-exclusive code point range of the
    /// original. Empty or out-of-range input is clamped; the result always lies inside the
    /// original.
    pub fn to_original(&self, start: usize, end: usize) -> (usize, usize) {
        let len = self.text.len();
        let end = end.min(len);
        let start = start.min(end);
        match &self.map {
            None => (start, end),
            Some(m) => {
                if start == end {
                    let p = if start == len {
                        self.orig_chars
                    } else {
                        m.starts[start] as usize
                    };
                    return (p, p);
                }
                let s = m.starts[start] as usize;
                let e = m.ends[end - 1] as usize;
                (s, e.max(s))
            }
        }
    }

    /// Maps an end-exclusive code point range of the original to the byte range of the
    /// normalised text that came from it (the inverse of [`Normalized::to_original`], up to
    /// characters that normalisation removed or merged). Out-of-range input is clamped.
    pub fn from_original(&self, start: usize, end: usize) -> (usize, usize) {
        let end = end.min(self.orig_chars);
        let start = start.min(end);
        match &self.map {
            None => (start, end),
            Some(m) => {
                let s = m.starts.partition_point(|&x| (x as usize) < start);
                let e = m.starts.partition_point(|&x| (x as usize) < end);
                (s, e.max(s))
            }
        }
    }

    /// Consumes the value, returning the normalised text.
    pub fn into_text(self) -> String {
        self.text
    }
}

/// Folds one (already NFKC) character; returns `None` to drop it.
#[inline]
fn fold(c: char) -> Option<char> {
    Some(match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{00B4}' | '`' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}'
        | '\u{00BB}' => '"',
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
        | '\u{2212}' => '-',
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' => return None,
        '\n' | '\u{2028}' | '\u{2029}' | '\u{0085}' => '\n',
        c if c.is_whitespace() => ' ',
        c if c.is_control() => ' ',
        c => c,
    })
}

struct Builder {
    text: String,
    starts: Vec<u32>,
    ends: Vec<u32>,
    /// The last pushed char was a horizontal space (collapse runs).
    last_space: bool,
    /// Build the offset map (off for fingerprinting, which needs the text only).
    track: bool,
}

impl Builder {
    fn new(len: usize, track: bool) -> Self {
        let cap = if track { len } else { 0 };
        Builder {
            text: String::with_capacity(len),
            starts: Vec::with_capacity(cap),
            ends: Vec::with_capacity(cap),
            last_space: false,
            track,
        }
    }

    #[inline]
    fn push(&mut self, c: char, s: u32, e: u32) {
        if c == ' ' {
            if self.last_space {
                // Extend the span of the space that stands for this run.
                if !self.track {
                    return;
                }
                if let Some(last) = self.ends.last_mut() {
                    *last = e;
                }
                return;
            }
            self.last_space = true;
        } else {
            self.last_space = false;
        }
        self.text.push(c);
        if !self.track {
            return;
        }
        for _ in 0..c.len_utf8() {
            self.starts.push(s);
            self.ends.push(e);
        }
    }
}

/// True when `text` is ASCII and already in normal form (no control characters but `\n`, no
/// `\r`, no tabs, no runs of spaces, no backquote).
fn ascii_is_normal(text: &str) -> bool {
    let b = text.as_bytes();
    let mut prev_space = false;
    for &c in b {
        if c >= 0x80 || c == b'`' || (c < 0x20 && c != b'\n') || c == 0x7f {
            return false;
        }
        let sp = c == b' ';
        if sp && prev_space {
            return false;
        }
        prev_space = sp;
    }
    true
}

/// True for characters NFKC leaves alone when no combining mark follows (quick check).
#[inline]
fn nfkc_stable(c: char) -> bool {
    use unicode_normalization::{is_nfkc_quick, IsNormalized};
    let cp = c as u32;
    // Common letters of Latin-1, Greek, Cyrillic, Arabic, Hebrew and the CJK ideographs.
    if (0xC0..=0x131).contains(&cp)
        || (0x391..=0x3C9).contains(&cp)
        || (0x410..=0x44F).contains(&cp)
        || (0x5D0..=0x5EA).contains(&cp)
        || (0x621..=0x64A).contains(&cp)
        || (0x4E00..=0x9FFF).contains(&cp)
    {
        return true;
    }
    is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes
}

/// Normalises `original` (see the module docs).
pub fn normalize(original: &str) -> Normalized {
    if ascii_is_normal(original) {
        return Normalized {
            text: original.to_string(),
            map: None,
            orig_chars: original.len(),
        };
    }
    if is_nfkc(original) {
        build_nfkc(original, true)
    } else {
        build(original, true)
    }
}

fn build(original: &str, track: bool) -> Normalized {
    let mut b = Builder::new(original.len(), track);
    let chars: Vec<char> = original.chars().collect();
    let mut i = 0usize;
    let mut chunk = String::new();
    while i < chars.len() {
        let c = chars[i];
        if c == '\r' {
            let e = if chars.get(i + 1) == Some(&'\n') {
                i + 2
            } else {
                i + 1
            };
            b.push('\n', i as u32, e as u32);
            i = e;
            continue;
        }
        let next_combines = chars.get(i + 1).is_some_and(|&n| is_combining_mark(n));
        if c.is_ascii() && !next_combines {
            if let Some(f) = fold(c) {
                b.push(f, i as u32, i as u32 + 1);
            }
            i += 1;
            continue;
        }
        // A starter and the combining marks after it normalise together.
        let start = i;
        i += 1;
        while i < chars.len() && is_combining_mark(chars[i]) {
            i += 1;
        }
        chunk.clear();
        if i == start + 1 && nfkc_stable(c) {
            chunk.push(c);
        } else {
            chunk.extend(chars[start..i].iter().copied().nfkc());
        }
        for n in chunk.chars() {
            if let Some(f) = fold(n) {
                b.push(f, start as u32, i as u32);
            }
        }
    }
    Normalized {
        text: b.text,
        map: track.then_some(OffsetMap {
            starts: b.starts,
            ends: b.ends,
        }),
        orig_chars: chars.len(),
    }
}

/// The normalised text alone, without the offset map (cheaper: for fingerprinting).
/// Equal to `normalize(original).text()`.
pub fn normalize_text(original: &str) -> std::borrow::Cow<'_, str> {
    if ascii_is_normal(original) {
        return std::borrow::Cow::Borrowed(original);
    }
    let track = false;
    std::borrow::Cow::Owned(
        if is_nfkc(original) {
            build_nfkc(original, track)
        } else {
            build(original, track)
        }
        .into_text(),
    )
}

fn is_nfkc(s: &str) -> bool {
    use unicode_normalization::{is_nfkc_quick, IsNormalized};
    is_nfkc_quick(s.chars()) == IsNormalized::Yes
}

/// Normalisation of a text that is already NFKC: folding and white space only. Runs of bytes
/// that need nothing (see [`plain_byte`]) are copied whole.
fn build_nfkc(original: &str, track: bool) -> Normalized {
    let bytes = original.as_bytes();
    let mut b = Builder::new(original.len(), track);
    // Code point index of the next character of the original.
    let mut ci: u32 = 0;
    let mut i = 0;
    while i < bytes.len() {
        let run = i;
        while i < bytes.len() && plain_byte(bytes[i]) {
            i += 1;
        }
        if i > run {
            // A run ends before a lead byte or an ASCII special, so it ends on a boundary.
            b.text.push_str(&original[run..i]);
            b.last_space = false;
            for &x in &bytes[run..i] {
                if x & 0xC0 != 0x80 {
                    ci += 1;
                }
                if track {
                    b.starts.push(ci - 1);
                    b.ends.push(ci);
                }
            }
            if i == bytes.len() {
                break;
            }
        }
        let c = original[i..].chars().next().unwrap_or(' ');
        let s = ci;
        i += c.len_utf8();
        ci += 1;
        if c == '\r' {
            if bytes.get(i) == Some(&b'\n') {
                i += 1;
                ci += 1;
            }
            b.push('\n', s, ci);
            continue;
        }
        if let Some(f) = fold(c) {
            b.push(f, s, ci);
        }
    }
    Normalized {
        text: b.text,
        map: track.then_some(OffsetMap {
            starts: b.starts,
            ends: b.ends,
        }),
        orig_chars: ci as usize,
    }
}

/// Bytes copied as they are by the text-only path: ASCII other than white space, control
/// characters and the backquote; UTF-8 continuation bytes; lead bytes 0xC3–0xDF (Latin-1
/// letters up to Arabic and beyond, where no character folds) and 0xE4–0xE9 (CJK).
#[inline]
fn plain_byte(b: u8) -> bool {
    matches!(b, 0x21..=0x5F | 0x61..=0x7E | 0x80..=0xBF | 0xC3..=0xDF | 0xE4..=0xE9)
}

/// Converts a byte offset of `s` into a code point offset.
pub fn byte_to_char(s: &str, byte: usize) -> usize {
    let byte = byte.min(s.len());
    s.as_bytes()[..byte]
        .iter()
        .filter(|&&c| (c as i8) >= -0x40)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_identity() {
        let n = normalize("Hello world.\nBye");
        assert_eq!(n.text(), "Hello world.\nBye");
        assert_eq!(n.to_original(6, 11), (6, 11));
    }

    #[test]
    fn folds_quotes_dashes_and_spaces() {
        let n = normalize("“Low point” — said\u{00A0}\u{00A0}he\r\nok");
        assert_eq!(n.text(), "\"Low point\" - said he\nok");
        // "he" in the normalised text maps back to "he" in the original.
        let p = n.text().find("he\n").unwrap();
        let (s, e) = n.to_original(p, p + 2);
        let orig: Vec<char> = "“Low point” — said\u{00A0}\u{00A0}he\r\nok"
            .chars()
            .collect();
        assert_eq!(orig[s..e].iter().collect::<String>(), "he");
    }

    #[test]
    fn nfkc_ligature_maps_to_one_char() {
        let n = normalize("of\u{FB01}ce");
        assert_eq!(n.text(), "office");
        assert_eq!(n.to_original(2, 4), (2, 3));
        assert_eq!(n.to_original(0, 6), (0, 5));
    }

    #[test]
    fn nfkc_fast_path_equals_general_path() {
        for t in [
            "“Low point” — said\u{00A0}\u{00A0}he\r\nok\r\rx\u{200B}y",
            "Türkçe metin, İstanbul'da;\t\tالعربية  نص \u{2028} end",
            "北约秘书长说 NATO «quote» soft\u{00AD}hyphen\u{0085}next",
            "a\u{0301}\u{05B0}\u{0591} mixed ÿ€ emoji 😀 end ",
        ] {
            if !is_nfkc(t) {
                continue;
            }
            let (fast, slow) = (build_nfkc(t, true), build(t, true));
            assert_eq!(fast.text(), slow.text(), "{t:?}");
            assert_eq!(fast.original_len(), slow.original_len());
            for i in 0..fast.text().len() {
                if fast.text().is_char_boundary(i) {
                    assert_eq!(
                        fast.to_original(i, fast.text().len()),
                        slow.to_original(i, slow.text().len()),
                        "{t:?} at {i}"
                    );
                }
            }
        }
    }

    #[test]
    fn text_only_equals_mapped() {
        for t in [
            "“Low point” — said\u{00A0}\u{00A0}he\r\nok",
            "of\u{FB01}ce  caf\u{e9} cafe\u{301}\t\ttab",
            "Türkçe metin, İstanbul'da; العربية  نص\r\rx",
            "北约秘书长\u{3000}说 ＮＡＴＯ",
        ] {
            assert_eq!(normalize_text(t), normalize(t).text(), "{t:?}");
        }
    }

    #[test]
    fn byte_to_char_counts_code_points() {
        assert_eq!(byte_to_char("aé b", 3), 2);
    }

    #[test]
    fn from_original_inverts_to_original() {
        let orig = "“Quoted”  text — with   spaces\r\nand é";
        let n = normalize(orig);
        let chars: Vec<char> = orig.chars().collect();
        let find = |w: &str| {
            let b = orig.find(w).unwrap();
            let s = orig[..b].chars().count();
            (s, s + w.chars().count())
        };
        for w in ["Quoted", "text", "with", "spaces", "and é"] {
            let (a, b) = find(w);
            let (x, y) = n.from_original(a, b);
            assert_eq!(&n.text()[x..y], w, "{w}");
            assert_eq!(n.to_original(x, y), (a, b));
            assert_eq!(chars[a..b].iter().collect::<String>(), w);
        }
        let ascii = normalize("plain ascii");
        assert_eq!(ascii.from_original(6, 99), (6, 11));
    }
}
