//! Word tokens with case-folded hashes.
//!
//! A token is a run of alphanumeric characters. Scripts written without spaces (Han, Hiragana,
//! Katakana, Thai, Lao, Khmer, Myanmar) give one token per character, so that shingles over
//! tokens become character n-grams there. Punctuation is not a token.

/// One token: a byte range of the (normalised) text and the hash of its lower-cased form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Byte offset where the token starts.
    pub start: u32,
    /// Byte offset where the token ends (exclusive).
    pub end: u32,
    /// Hash of the lower-cased token.
    pub hash: u64,
}

/// True for characters of scripts written without spaces between words.
#[inline]
pub fn is_unspaced(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF   // Hiragana, Katakana
        | 0x3400..=0x4DBF // CJK ext A
        | 0x4E00..=0x9FFF // CJK unified
        | 0xF900..=0xFAFF // CJK compatibility
        | 0x20000..=0x2FA1F
        | 0x0E00..=0x0EFF // Thai, Lao
        | 0x1000..=0x109F // Myanmar
        | 0x1780..=0x17FF // Khmer
        | 0xFF66..=0xFF9F // half-width Katakana
    )
}

#[inline]
fn mix(h: u64, x: u64) -> u64 {
    (h ^ x).wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(31)
}

#[inline]
fn finish(h: u64, len: usize) -> u64 {
    let mut h = h ^ (len as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    h ^= h >> 33;
    h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    h ^= h >> 29;
    h = h.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    h ^ (h >> 32)
}

/// Hash of the lower-cased word. An all-ASCII word (letters and digits only) is hashed
/// eight bytes at a time: setting bit 0x20 lower-cases ASCII letters and leaves digits as
/// they are. Other words are hashed by lower-cased code point.
#[inline]
fn hash_lower(word: &str) -> u64 {
    let b = word.as_bytes();
    let mut h: u64 = 0x243F_6A88_85A3_08D3;
    if word.is_ascii() {
        let mut chunks = b.chunks_exact(8);
        for c in &mut chunks {
            let x = u64::from_le_bytes(c.try_into().unwrap()) | 0x2020_2020_2020_2020;
            h = mix(h, x);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut tmp = [0u8; 8];
            tmp[..rest.len()].copy_from_slice(rest);
            h = mix(
                h,
                u64::from_le_bytes(tmp) | (0x2020_2020_2020_2020 >> (64 - 8 * rest.len())),
            );
        }
        return finish(h, b.len());
    }
    let mut n = 0usize;
    for c in word.chars() {
        if c.is_ascii() {
            h = mix(h, (c as u8 | 0x20) as u64 | 1 << 40);
            n += 1;
        } else if let Some(l) = lower_bmp(c) {
            h = mix(h, l as u64 | 1 << 40);
            n += 1;
        } else {
            for l in c.to_lowercase() {
                h = mix(h, l as u64 | 1 << 40);
                n += 1;
            }
        }
    }
    finish(h, n | 1 << 20)
}

/// Appends the tokens of `text[from..to]` to `out` (offsets relative to `text`).
pub fn tokenize_into(text: &str, from: usize, to: usize, out: &mut Vec<Token>) {
    let bytes = text.as_bytes();
    let mut i = from;
    while i < to {
        let b = bytes[i];
        if b < 0x80 {
            if b.is_ascii_alphanumeric() {
                let s = i;
                i = word_end(text, i, to);
                out.push(Token {
                    start: s as u32,
                    end: i as u32,
                    hash: hash_lower(&text[s..i]),
                });
            } else {
                i += 1;
            }
            continue;
        }
        let ch = text[i..].chars().next().unwrap();
        let n = ch.len_utf8();
        if is_unspaced(ch) {
            out.push(Token {
                start: i as u32,
                end: (i + n) as u32,
                hash: hash_lower(&text[i..i + n]),
            });
            i += n;
        } else if is_word(ch) {
            let s = i;
            i = word_end(text, i, to);
            out.push(Token {
                start: s as u32,
                end: i as u32,
                hash: hash_lower(&text[s..i]),
            });
        } else {
            i += n;
        }
    }
}

/// End of the word that starts at `i` (a word character): ASCII alphanumerics and word
/// characters of spaced scripts, up to `to`.
#[inline]
fn word_end(text: &str, mut i: usize, to: usize) -> usize {
    let bytes = text.as_bytes();
    while i < to {
        let c = bytes[i];
        if c < 0x80 {
            if !c.is_ascii_alphanumeric() {
                break;
            }
            i += 1;
        } else {
            let ch = text[i..].chars().next().unwrap_or(' ');
            if !is_word(ch) || is_unspaced(ch) {
                break;
            }
            i += ch.len_utf8();
        }
    }
    i
}

#[inline]
fn is_combining(c: char) -> bool {
    unicode_normalization::char::is_combining_mark(c)
}

/// Bitmap over the Basic Multilingual Plane of "alphanumeric or combining mark": the
/// standard library's lookups for non-ASCII characters dominate tokenization otherwise.
fn word_bits() -> &'static [u64] {
    static BITS: std::sync::OnceLock<Vec<u64>> = std::sync::OnceLock::new();
    BITS.get_or_init(|| {
        let mut v = vec![0u64; 1 << 10];
        for cp in 0u32..0x10000 {
            if let Some(c) = char::from_u32(cp) {
                if c.is_alphanumeric() || is_combining(c) {
                    v[(cp >> 6) as usize] |= 1 << (cp & 63);
                }
            }
        }
        v
    })
}

/// Lower case of a BMP character whose lower case is one BMP character (table lookup);
/// `None` sends the caller to the general `to_lowercase`.
#[inline]
fn lower_bmp(c: char) -> Option<char> {
    static LOWER: std::sync::OnceLock<Vec<u16>> = std::sync::OnceLock::new();
    let cp = c as u32;
    if cp >= 0x10000 {
        return None;
    }
    let t = LOWER.get_or_init(|| {
        (0u32..0x10000)
            .map(|cp| {
                let Some(c) = char::from_u32(cp) else {
                    return 0;
                };
                let mut l = c.to_lowercase();
                match (l.next(), l.next()) {
                    (Some(x), None) if (x as u32) < 0x10000 && x as u32 != 0 => x as u16,
                    _ => 0,
                }
            })
            .collect()
    });
    match t[cp as usize] {
        0 => None,
        l => char::from_u32(l as u32),
    }
}

/// Alphanumeric or a combining mark (part of a word).
#[inline]
fn is_word(c: char) -> bool {
    let cp = c as u32;
    if cp < 0x10000 {
        word_bits()[(cp >> 6) as usize] >> (cp & 63) & 1 == 1
    } else {
        c.is_alphanumeric() || is_combining(c)
    }
}

/// The tokens of the whole text.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::with_capacity(text.len() / 5);
    tokenize_into(text, 0, text.len(), &mut out);
    out
}

/// A hash of a sequence of token hashes (order-sensitive), e.g. a line's key.
#[inline]
pub fn hash_seq(tokens: &[Token]) -> u64 {
    let mut h: u64 = 0x9E37_79B9_7F4A_7C15 ^ tokens.len() as u64;
    for t in tokens {
        h = (h.rotate_left(23) ^ t.hash).wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    }
    h ^ (h >> 29)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_case() {
        let t = tokenize("Hello, WORLD! hello-world");
        assert_eq!(t.len(), 4);
        assert_eq!(t[0].hash, t[2].hash);
        assert_eq!(t[1].hash, t[3].hash);
        assert_eq!((t[1].start, t[1].end), (7, 12));
    }

    #[test]
    fn cjk_is_per_character() {
        let t = tokenize("北约秘书长 said");
        assert_eq!(t.len(), 6);
    }

    #[test]
    fn accented_words_stay_whole() {
        let t = tokenize("café Über");
        assert_eq!(t.len(), 2);
        assert_eq!(tokenize("über")[0].hash, t[1].hash);
    }
}
