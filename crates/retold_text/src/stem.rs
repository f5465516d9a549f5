//! Content terms: lower-cased, stemmed words with stop words left out, for bag-of-words
//! similarity of sentences (reworded passages share stems more than exact words).
//!
//! Stemming is Snowball's (the `rust-stemmers` crate) for the languages it covers; stop words
//! are NLTK's lists (the `stop-words` crate). Other languages keep their lower-cased words
//! and have no stop-word list (term weights by sentence frequency still play them down).

use ahash::AHashSet;
use rust_stemmers::{Algorithm, Stemmer};
use std::sync::OnceLock;

/// The stemmer and stop words of one language.
pub struct Terms {
    stemmer: Option<Stemmer>,
    stop: AHashSet<String>,
}

/// Languages with a Snowball stemmer: ISO 639-1 code, algorithm, NLTK stop-word list name.
const LANGS: &[(&str, Algorithm, Option<&str>)] = &[
    ("ar", Algorithm::Arabic, Some("ar")),
    ("da", Algorithm::Danish, Some("da")),
    ("nl", Algorithm::Dutch, Some("nl")),
    ("en", Algorithm::English, Some("en")),
    ("fi", Algorithm::Finnish, Some("fi")),
    ("fr", Algorithm::French, Some("fr")),
    ("de", Algorithm::German, Some("de")),
    ("el", Algorithm::Greek, Some("el")),
    ("hu", Algorithm::Hungarian, Some("hu")),
    ("it", Algorithm::Italian, Some("it")),
    ("no", Algorithm::Norwegian, Some("no")),
    ("nb", Algorithm::Norwegian, Some("no")),
    ("pt", Algorithm::Portuguese, Some("pt")),
    ("ro", Algorithm::Romanian, Some("ro")),
    ("ru", Algorithm::Russian, Some("ru")),
    ("es", Algorithm::Spanish, Some("es")),
    ("sv", Algorithm::Swedish, Some("sv")),
    ("ta", Algorithm::Tamil, None),
    ("tr", Algorithm::Turkish, Some("tr")),
];

/// Languages with an NLTK stop-word list but no Snowball stemmer.
const STOP_ONLY: &[&str] = &["az", "id", "kk", "ne", "sl", "tg"];

fn stop_list(code: &str) -> AHashSet<String> {
    stop_words::get(code)
        .into_iter()
        .map(|w| w.trim().to_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

fn table() -> &'static Vec<(&'static str, Terms)> {
    static T: OnceLock<Vec<(&'static str, Terms)>> = OnceLock::new();
    T.get_or_init(|| {
        let mut v: Vec<(&'static str, Terms)> = LANGS
            .iter()
            .map(|&(code, alg, stop)| {
                (
                    code,
                    Terms {
                        stemmer: Some(Stemmer::create(alg)),
                        stop: stop.map(stop_list).unwrap_or_default(),
                    },
                )
            })
            .collect();
        v.extend(STOP_ONLY.iter().map(|&code| {
            (
                code,
                Terms {
                    stemmer: None,
                    stop: stop_list(code),
                },
            )
        }));
        v
    })
}

static PLAIN: OnceLock<Terms> = OnceLock::new();

impl Terms {
    /// The terms of a language (ISO 639-1); unknown or missing languages get plain
    /// lower-cased words.
    pub fn for_lang(lang: Option<&str>) -> &'static Terms {
        lang.and_then(|l| table().iter().find(|(c, _)| *c == l).map(|(_, t)| t))
            .unwrap_or_else(|| {
                PLAIN.get_or_init(|| Terms {
                    stemmer: None,
                    stop: AHashSet::new(),
                })
            })
    }

    /// Whether the language has a stemmer.
    pub fn stems(&self) -> bool {
        self.stemmer.is_some()
    }

    /// The term of a word: the hash of its lower-cased stem, or `None` for a stop word.
    pub fn term(&self, word: &str) -> Option<u64> {
        let lower = word.to_lowercase();
        if self.stop.contains(&lower) {
            return None;
        }
        let stem = match &self.stemmer {
            Some(s) => s.stem(&lower),
            None => std::borrow::Cow::Borrowed(lower.as_str()),
        };
        Some(xxhash_rust::xxh3::xxh3_64(stem.as_bytes()))
    }
}

/// Words per thread whose terms are remembered by [`Terms::term_of`] before the memory is
/// cleared (each entry 24 bytes).
const TERM_CACHE_MAX: usize = 1 << 18;

/// Hashes a key that is a hash already (the cache's keys) by taking it as it is.
#[derive(Default)]
struct KeyIsHash(u64);

impl std::hash::Hasher for KeyIsHash {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used; anything else is folded in.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

thread_local! {
    /// Terms of recently seen words: (hash of the word's bytes, mixed with the language table's
    /// address) → term.
    static TERM_CACHE: std::cell::RefCell<
        std::collections::HashMap<u64, Option<u64>, std::hash::BuildHasherDefault<KeyIsHash>>,
    > = std::cell::RefCell::new(Default::default());
}

impl Terms {
    /// [`Terms::term`], remembered per thread by the word's exact bytes: words repeat (a few
    /// thousand make most of any text), and stemming each occurrence again cost more than a
    /// third of fingerprinting a corpus.
    pub fn term_cached(&self, word: &str) -> Option<u64> {
        // One table per language, so its address tells the languages apart.
        let table = (self as *const Terms as usize as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let k = xxhash_rust::xxh3::xxh3_64(word.as_bytes()) ^ table;
        if let Some(t) = TERM_CACHE.with(|c| c.borrow().get(&k).copied()) {
            return t;
        }
        let t = self.term(word);
        TERM_CACHE.with(|c| {
            let mut c = c.borrow_mut();
            if c.len() >= TERM_CACHE_MAX {
                c.clear();
            }
            c.insert(k, t);
        });
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_words_share_stems_and_stop_words_drop() {
        let t = Terms::for_lang(Some("en"));
        assert!(t.stems());
        assert_eq!(t.term("Running"), t.term("runs"));
        assert_eq!(t.term("connection"), t.term("connected"));
        assert_eq!(t.term("the"), None);
        assert_eq!(t.term("And"), None);
        assert_ne!(t.term("river"), t.term("bank"));
    }

    #[test]
    fn remembered_terms_equal_fresh_ones_per_language() {
        let (en, es) = (Terms::for_lang(Some("en")), Terms::for_lang(Some("es")));
        for w in [
            "Running",
            "runs",
            "the",
            "hablando",
            "los",
            "Río",
            "İstanbul",
            "istanbul",
        ] {
            for _ in 0..2 {
                assert_eq!(en.term_cached(w), en.term(w), "{w}");
                assert_eq!(es.term_cached(w), es.term(w), "{w}");
            }
        }
    }

    #[test]
    fn spanish_stems_and_unknown_languages_fall_back() {
        let es = Terms::for_lang(Some("es"));
        assert_eq!(es.term("hablando"), es.term("hablar"));
        assert_eq!(es.term("los"), None);
        let xx = Terms::for_lang(Some("xx"));
        assert!(!xx.stems());
        assert_eq!(xx.term("Word"), xx.term("word"));
        assert!(xx.term("the").is_some());
    }
}
