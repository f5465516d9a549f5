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
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
