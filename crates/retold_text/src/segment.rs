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
        let mut push = |off: usize, s: &str| {
            let lead = s.len() - s.trim_start().len();
            let t = s.trim();
            if !t.is_empty() {
                let start = l.start + off + lead;
                out.push(start..start + t.len());
            }
        };
        match sentence_breaks(line) {
            Some(breaks) => {
                let mut from = 0;
                for b in breaks.into_iter().chain(std::iter::once(line.len())) {
                    push(from, &line[from..b]);
                    from = b;
                }
            }
            None => {
                for (off, s) in line.split_sentence_bound_indices() {
                    push(off, s);
                }
            }
        }
    }
    out
}

/// Sentence-break classes of Unicode's UAX #29 that the fast path knows.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Sb {
    Sp,
    Lower,
    Upper,
    OLetter,
    Numeric,
    ATerm,
    STerm,
    Close,
    SContinue,
    Other,
}

/// The class of `c` for the characters most text is made of (ASCII, the Latin-1 letters,
/// typographic quotes and dashes, Arabic punctuation and digits, and the letters of
/// [`letter_class`]); `None` for any other, which sends the line to the full segmenter.
fn sb_class(c: char) -> Option<Sb> {
    if c.is_ascii() {
        return ASCII_CLASS[c as usize];
    }
    sb_class_of(c).or_else(|| letter_class(c))
}

/// [`sb_class_of`] of every ASCII character, looked up rather than matched.
static ASCII_CLASS: [Option<Sb>; 128] = {
    let mut t = [None; 128];
    let mut i = 0;
    while i < 128 {
        t[i] = sb_class_of(i as u8 as char);
        i += 1;
    }
    t
};

/// The class of the characters [`sb_class`] knows other than the letters of [`letter_class`].
const fn sb_class_of(c: char) -> Option<Sb> {
    Some(match c {
        ' ' | '\t' | '\u{b}' | '\u{c}' => Sb::Sp,
        'a'..='z' | '\u{df}'..='\u{f6}' | '\u{f8}'..='\u{ff}' => Sb::Lower,
        'A'..='Z' | '\u{c0}'..='\u{d6}' | '\u{d8}'..='\u{de}' => Sb::Upper,
        '0'..='9' => Sb::Numeric,
        '.' => Sb::ATerm,
        '!' | '?' => Sb::STerm,
        '"' | '\'' | '(' | ')' | '[' | ']' | '{' | '}' | '\u{ab}' | '\u{bb}' | '\u{2018}'
        | '\u{2019}' | '\u{201c}' | '\u{201d}' => Sb::Close,
        ',' | '-' | ':' | ';' | '\u{2013}' | '\u{2014}' => Sb::SContinue,
        '#' | '$' | '%' | '&' | '*' | '+' | '/' | '<' | '=' | '>' | '@' | '\\' | '^' | '_'
        | '`' | '|' | '~' => Sb::Other,
        '\u{60c}' => Sb::SContinue,
        '\u{61f}' | '\u{6d4}' => Sb::STerm,
        '\u{660}'..='\u{669}' | '\u{6f0}'..='\u{6f9}' => Sb::Numeric,
        '\u{3002}' => Sb::STerm,
        '\u{3001}' => Sb::SContinue,
        _ => return None,
    })
}

/// The class of a letter of the other scripts most text here is written in (Latin
/// Extended-A and Additional, Greek, Cyrillic, Arabic; kana, CJK ideographs and Hangul
/// syllables), from Unicode's own properties as UAX #29 defines them: Lowercase, Uppercase,
/// else Alphabetic (OLetter). Combining marks and anything else: `None` (the full segmenter).
fn letter_class(c: char) -> Option<Sb> {
    match c as u32 {
        // Every one of these is a letter of neither case (Lo).
        0x3041..=0x3096 | 0x30a1..=0x30fa | 0x4e00..=0x9fff | 0xac00..=0xd7a3 => {
            return Some(Sb::OLetter)
        }
        0x100..=0x17f
        | 0x1e00..=0x1eff
        | 0x386
        | 0x388..=0x3ce
        | 0x400..=0x481
        | 0x48a..=0x4ff
        | 0x620..=0x64a => {}
        _ => return None,
    }
    if c.is_lowercase() {
        Some(Sb::Lower)
    } else if c.is_uppercase() {
        Some(Sb::Upper)
    } else if c.is_alphabetic() {
        Some(Sb::OLetter)
    } else {
        None
    }
}

/// Combining marks the fast path knows (class Extend of UAX #29): the combining diacritics
/// (U+0300–U+036F, e.g. the dot of a lower-cased "İ") and the Arabic vowel marks
/// (U+064B–U+065F).
fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x300..=0x36f | 0x64b..=0x65f)
}

/// Byte offsets where UAX #29 breaks a line into sentences (the same as the
/// `unicode-segmentation` crate, which looks every character up in its full tables and cost a
/// quarter of fingerprinting a corpus), or `None` when the line has a character outside
/// [`sb_class`]. Without paragraph separators, extenders or format characters, a break can
/// only follow a run `SATerm Close* Sp*` (SB9–SB11); rules SB6–SB8a keep some runs joined.
fn sentence_breaks(line: &str) -> Option<Vec<usize>> {
    let mut cls: Vec<(usize, Sb)> = Vec::with_capacity(line.len());
    for (i, c) in line.char_indices() {
        if is_mark(c) {
            // SB5: a mark belongs to the character before it; at the start it has no rule.
            if cls.is_empty() {
                cls.push((i, Sb::Other));
            }
            continue;
        }
        cls.push((i, sb_class(c)?));
    }
    let n = cls.len();
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        let term = cls[i].1;
        if term != Sb::ATerm && term != Sb::STerm {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < n && cls[j].1 == Sb::Close {
            j += 1;
        }
        while j < n && cls[j].1 == Sb::Sp {
            j += 1;
        }
        if j == n {
            break;
        }
        let next = cls[j].1;
        let joined = if term == Sb::ATerm && j == i + 1 {
            // SB6: ATerm × Numeric; SB7: (Upper | Lower) ATerm × Upper.
            next == Sb::Numeric
                || (next == Sb::Upper && i > 0 && matches!(cls[i - 1].1, Sb::Upper | Sb::Lower))
        } else {
            false
        } || (term == Sb::ATerm && {
            // SB8: ATerm Close* Sp* × (¬(OLetter | Upper | Lower | ParaSep | SATerm))* Lower.
            let mut k = j;
            while k < n
                && !matches!(
                    cls[k].1,
                    Sb::Upper | Sb::Lower | Sb::OLetter | Sb::ATerm | Sb::STerm
                )
            {
                k += 1;
            }
            k < n && cls[k].1 == Sb::Lower
        })
            // SB8a: SATerm Close* Sp* × (SContinue | SATerm).
            || matches!(next, Sb::SContinue | Sb::ATerm | Sb::STerm);
        if !joined {
            out.push(cls[j].0);
        }
        i = j;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The full segmenter's pieces of a line.
    fn reference(line: &str) -> Vec<usize> {
        line.split_sentence_bound_indices()
            .map(|(o, _)| o)
            .filter(|&o| o > 0)
            .collect()
    }

    #[test]
    fn fast_breaks_match_the_full_segmenter_on_news_lines() {
        for line in [
            "He said: \"No.\" Then he left. U.S. officials met at 3.30 p.m. in Washington.",
            "Mr. Smith (aged 40.) arrived... And then? “Yes!” she said. ‘Fine.’ — ok",
            "Prices rose 2.5% in the E.U. Last year. e.g. this; that. A.B. C. d.",
            "The café in Zürich. Élise said «Non.» Après-midi. It's 5 p.m. — then.",
        ] {
            assert_eq!(sentence_breaks(line), Some(reference(line)), "{line}");
        }
        assert_eq!(
            sentence_breaks("Şehir. Ünlü."),
            Some(reference("Şehir. Ünlü."))
        );
        assert_eq!(sentence_breaks("Ἀθῆναι. Ναι."), None);
    }

    /// Every character the fast path classes beyond Latin-1 (and every mark it lets through),
    /// in the contexts where its class decides a break (after a full stop, before one, between
    /// spaces, as a closing mark), breaks as the full segmenter does.
    #[test]
    fn wider_letters_break_as_the_full_segmenter() {
        let mut seen = 0;
        for c in (0x100u32..0x700)
            .chain(0x1e00..0x1f00)
            .chain(0x3000..0x3100)
            .chain(0x4e00..0x4f00)
            .chain(0x9f00..0xa000)
            .chain(0xac00..0xad00)
            .chain(0xd700..0xd7b0)
            .filter_map(char::from_u32)
        {
            if sb_class(c).is_none() && !is_mark(c) {
                continue;
            }
            seen += 1;
            for t in [
                "x. {}x",
                "a.{}",
                "x. {} y",
                "x.{}",
                "x. {}",
                "x{} Y",
                "x.{} Y",
                "A. {}",
                "x{}. z",
                "{}. Y",
                "{}.{}",
                "Zz{} Y. {}",
                "x.{} y",
                "x. {}. Y",
                "{}{}. Y",
                "中文{}。下",
                "x{}。 Y",
            ] {
                let line = t.replace("{}", &c.to_string());
                assert_eq!(
                    sentence_breaks(&line),
                    Some(reference(&line)),
                    "{line:?} U+{:04X}",
                    c as u32
                );
            }
        }
        assert!(seen > 1000, "{seen}");
    }

    proptest! {
        #[test]
        fn fast_breaks_match_the_full_segmenter(line in proptest::collection::vec(
            prop::sample::select(vec![
                "a", "b", "Z", "É", "ß", "7", ".", "?", "!", " ", "  ", "\t", "\"", "'", "(", ")",
                ",", "-", ":", ";", "’", "“", "”", "«", "»", "—", "%", "_", "word", "Word",
                "...", "U.S.", "3.5", "ı", "İ", "ş", "о", "Д", "Ω", "ά", "ا", "،", "؟", "۔", "٣",
                "слово", "Слово", "كلمة", "\u{307}", "\u{64b}", "。", "、", "中文", "한국어", "かな",
                "カナ",
            ]),
            0..24,
        )) {
            let line = line.concat();
            prop_assert_eq!(sentence_breaks(&line), Some(reference(&line)));
        }
    }

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
