//! Anchor terms: the parts of a text that survive translation unchanged — numbers (amounts,
//! years, counts, with their digits only) and acronyms written in Latin capitals (`NATO`,
//! `GDP`, `WHO`). They form a cheap, language-independent signature: a Chinese report and its
//! English translation share few words but many of these.

use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Seed that keeps anchor hashes apart from token hashes.
const ANCHOR_SEED: u64 = 0x616E_6368_6F72_7321;

/// Hashes of the anchor terms of `text`, sorted and deduplicated.
///
/// - a number is a run of ASCII or full-width digits, with `,` `.` or thin-space separators
///   between digit groups; the separators are dropped and leading zeros kept (`1,200` and
///   `1200` are one anchor). Numbers of one digit are too common to count and are skipped;
///   a number of 2 digits counts only when it is followed by `%` or is part of a decimal;
/// - an acronym is a run of 2 to 8 Latin capital letters (and digits after the first letter)
///   that is not part of a longer word (`NATO`, `G20`, but not the `T` of `The`).
pub fn anchors(text: &str) -> Vec<u64> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut buf = String::new();
    while i < chars.len() {
        let c = chars[i];
        if let Some(d) = digit(c) {
            buf.clear();
            buf.push(d);
            let mut j = i + 1;
            let mut decimal = false;
            while j < chars.len() {
                if let Some(d) = digit(chars[j]) {
                    buf.push(d);
                    j += 1;
                } else if matches!(chars[j], ',' | '.' | '\u{2009}' | '，' | '．')
                    && j + 1 < chars.len()
                    && digit(chars[j + 1]).is_some()
                {
                    decimal |= matches!(chars[j], '.' | '．');
                    j += 1;
                } else {
                    break;
                }
            }
            let percent = j < chars.len() && matches!(chars[j], '%' | '％');
            let keep = buf.len() >= 3 || (buf.len() == 2 && (percent || decimal));
            if keep {
                out.push(xxh3_64_with_seed(buf.as_bytes(), ANCHOR_SEED));
            }
            i = j;
            continue;
        }
        if c.is_ascii_uppercase() && (i == 0 || boundary(chars[i - 1])) {
            let mut j = i + 1;
            while j < chars.len() && (chars[j].is_ascii_uppercase() || chars[j].is_ascii_digit()) {
                j += 1;
            }
            let len = j - i;
            let ends_word = j == chars.len() || boundary(chars[j]);
            if (2..=8).contains(&len) && ends_word {
                buf.clear();
                buf.extend(&chars[i..j]);
                out.push(xxh3_64_with_seed(buf.as_bytes(), ANCHOR_SEED ^ 1));
            }
            i = j;
            continue;
        }
        i += 1;
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// A character that may border an acronym: not a letter or digit of a spaced script (Chinese,
/// Japanese and Thai write acronyms straight against their own letters).
fn boundary(c: char) -> bool {
    !c.is_alphanumeric() || crate::token::is_unspaced(c)
}

fn digit(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        '\u{FF10}'..='\u{FF19}' => char::from_u32(c as u32 - 0xFF10 + '0' as u32),
        // Arabic-Indic and Eastern Arabic-Indic digits.
        '\u{0660}'..='\u{0669}' => char::from_u32(c as u32 - 0x0660 + '0' as u32),
        '\u{06F0}'..='\u{06F9}' => char::from_u32(c as u32 - 0x06F0 + '0' as u32),
        _ => None,
    }
}

/// The terms a translation keeps from its source, for testing whether one document can be a
/// translation of another (a cheap test: no model):
///
/// - `numbers`: every number of two digits or more (digits only, leading zeros dropped, so
///   `1,200`, `1200` and `１２００` are one term; dates and days count), and the acronyms of
///   [`anchors`];
/// - `names`: capitalised Latin words of four letters or more that do not start a sentence or
///   a line (`Granada`, `Stoltenberg`), lowercased. Only comparable between two texts in Latin
///   script: another script transliterates them;
/// - `latin`: most of the text's letters are Latin.
///
/// All hashes sorted and deduplicated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TranslationTerms {
    /// Numbers and acronyms.
    pub numbers: Vec<u64>,
    /// Capitalised words inside sentences.
    pub names: Vec<u64>,
    /// The text is mostly in Latin script.
    pub latin: bool,
}

/// The [`TranslationTerms`] of `text`.
pub fn translation_terms(text: &str) -> TranslationTerms {
    let chars: Vec<char> = text.chars().collect();
    let mut numbers = Vec::new();
    let mut names = Vec::new();
    let (mut letters, mut latin_letters) = (0usize, 0usize);
    let mut buf = String::new();
    // Whether the next word starts a sentence or a line.
    let mut sentence_start = true;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if digit(c).is_some() {
            buf.clear();
            let mut j = i;
            while j < chars.len() {
                if let Some(d) = digit(chars[j]) {
                    if !(buf.is_empty() && d == '0') {
                        buf.push(d);
                    }
                    j += 1;
                } else if matches!(chars[j], ',' | '.' | '\u{2009}' | '，' | '．')
                    && j + 1 < chars.len()
                    && digit(chars[j + 1]).is_some()
                {
                    j += 1;
                } else {
                    break;
                }
            }
            if j - i >= 2 {
                if buf.is_empty() {
                    buf.push('0');
                }
                numbers.push(xxh3_64_with_seed(buf.as_bytes(), ANCHOR_SEED ^ 2));
            }
            sentence_start = false;
            i = j;
            continue;
        }
        if c.is_alphabetic() && crate::token::is_unspaced(c) {
            letters += 1;
            sentence_start = false;
            i += 1;
            continue;
        }
        if c.is_alphabetic() {
            let mut j = i;
            while j < chars.len()
                && chars[j].is_alphabetic()
                && !crate::token::is_unspaced(chars[j])
            {
                letters += 1;
                if chars[j].is_ascii_alphabetic() || ('\u{00C0}'..='\u{024F}').contains(&chars[j]) {
                    latin_letters += 1;
                }
                j += 1;
            }
            let word = &chars[i..j];
            let capitalised = word.len() >= 4
                && word[0].is_uppercase()
                && word[1..].iter().all(|ch| ch.is_lowercase())
                && (word[0].is_ascii() || ('\u{00C0}'..='\u{024F}').contains(&word[0]));
            if (2..=8).contains(&word.len()) && word.iter().all(|ch| ch.is_ascii_uppercase()) {
                buf.clear();
                buf.extend(word);
                numbers.push(xxh3_64_with_seed(buf.as_bytes(), ANCHOR_SEED ^ 1));
            } else if capitalised && !sentence_start {
                buf.clear();
                buf.extend(word.iter().flat_map(|ch| ch.to_lowercase()));
                names.push(xxh3_64_with_seed(buf.as_bytes(), ANCHOR_SEED ^ 3));
            }
            sentence_start = false;
            i = j;
            continue;
        }
        if matches!(
            c,
            '.' | '!' | '?' | ':' | '\n' | '"' | '«' | '“' | '¿' | '¡' | '—'
        ) {
            sentence_start = true;
        }
        i += 1;
    }
    numbers.sort_unstable();
    numbers.dedup();
    names.sort_unstable();
    names.dedup();
    TranslationTerms {
        numbers,
        names,
        latin: latin_letters * 2 > letters,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translation_terms_keep_numbers_and_names() {
        let es = translation_terms("Un hombre herido en Granada. La policía de Granada llegó a las 4.50 horas, el 29 de enero de 2020.");
        let fr = translation_terms("Un homme blessé à Granada. La police de Granada est arrivée à 4h50, le 29 janvier 2020.");
        assert!(es.latin && fr.latin);
        assert_eq!(
            es.names, fr.names,
            "Granada, not the sentence-initial words"
        );
        assert_eq!(es.names.len(), 1);
        // 450 / 4 and 50 differ; 29 and 2020 are kept.
        let shared = es.numbers.iter().filter(|n| fr.numbers.contains(n)).count();
        assert_eq!(shared, 2);
        let ar = translation_terms("أعلن في ٢٠٢٠ عن ٢٧ دفعة");
        assert!(!ar.latin);
        assert_eq!(
            ar.numbers,
            translation_terms("announced 27 payments in 2020").numbers
        );
    }

    #[test]
    fn numbers_survive_formatting_and_script() {
        let zh = anchors("欧盟2023年将投入1,200亿欧元，增长3.5%，NATO表示");
        let en = anchors("In 2023 the Union will invest 1200 billion euros, up 3.5%, NATO said");
        assert_eq!(zh, en);
        assert_eq!(zh.len(), 4, "2023, 1200, 35 and NATO");
    }

    #[test]
    fn short_numbers_and_words_are_not_anchors() {
        assert!(anchors("On day 5 of 12 The Minister said It was fine").is_empty());
        assert_eq!(anchors("up 12% today").len(), 1);
        assert_eq!(
            anchors("ＧＤＰ grew ２０２３").len(),
            1,
            "full-width digits count"
        );
    }

    #[test]
    fn acronyms_need_a_word_boundary() {
        assert_eq!(anchors("the WHO and the G20 met"), {
            let mut v = anchors("WHO");
            v.extend(anchors("G20"));
            v.sort_unstable();
            v
        });
        assert!(anchors("NATOists McDONALD").is_empty());
    }
}
