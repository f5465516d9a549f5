//! Candidate keys for reworded passages: locality-sensitive keys of each sentence's bag of
//! content terms (stemmed words without stop words, computed by the caller).
//!
//! A reworded sentence keeps many of its content words but not their order, so neither word
//! shingles nor passage seeds survive it. Each sentence's term *set* is MinHashed with
//! `bands × rows` hash functions; each band of `rows` minimums is one key. Two sentences whose
//! term sets have Jaccard similarity `J` share a given band's key with probability `J^rows`,
//! so a reused passage of several such sentences shares keys with its source while unrelated
//! sentences almost never do. Keys found in many documents (stock phrases) are dropped by the
//! index's document-frequency cap like passage seeds.

use crate::hash::mix64;

/// Parameters of [`sentence_keys`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SentenceKeyParams {
    /// Keys per sentence.
    pub bands: usize,
    /// Minimums per key.
    pub rows: usize,
    /// Sentences with fewer distinct terms give no key (too little to be specific).
    pub min_terms: usize,
}

impl Default for SentenceKeyParams {
    fn default() -> Self {
        SentenceKeyParams {
            bands: 4,
            rows: 2,
            min_terms: 5,
        }
    }
}

/// Key mixed into the sentence hashes (unrelated to other sketches' values).
const SENT_KEY: u64 = 0x5345_4E54_454E_4345;

/// The keys of a document's sentences (each a list of term hashes), sorted and deduplicated.
pub fn sentence_keys<'a>(
    sentences: impl IntoIterator<Item = &'a [u64]>,
    p: SentenceKeyParams,
) -> Vec<u64> {
    let n = p.bands * p.rows.max(1);
    let mut out = Vec::new();
    let mut mins = vec![u64::MAX; n];
    let mut distinct: Vec<u64> = Vec::new();
    for terms in sentences {
        distinct.clear();
        distinct.extend_from_slice(terms);
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len() < p.min_terms.max(1) {
            continue;
        }
        mins.iter_mut().for_each(|m| *m = u64::MAX);
        for &t in &distinct {
            for (f, m) in mins.iter_mut().enumerate() {
                let h = mix64(t ^ SENT_KEY.wrapping_mul(f as u64 + 1));
                if h < *m {
                    *m = h;
                }
            }
        }
        for (b, band) in mins.chunks(p.rows.max(1)).enumerate() {
            let mut k = SENT_KEY ^ (b as u64);
            for &m in band {
                k = mix64(k ^ m);
            }
            out.push(k);
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(s: &str) -> Vec<u64> {
        s.split_whitespace()
            .map(|w| w.bytes().fold(7u64, |h, c| mix64(h ^ c as u64)))
            .collect()
    }

    #[test]
    fn same_bag_in_another_order_gives_the_same_keys() {
        let a = terms("committee approved budget new hospitals rural provinces");
        let b = terms("rural provinces new hospitals budget committee approved");
        let p = SentenceKeyParams::default();
        assert_eq!(
            sentence_keys([a.as_slice()], p),
            sentence_keys([b.as_slice()], p)
        );
        assert_eq!(sentence_keys([a.as_slice()], p).len(), 4);
    }

    #[test]
    fn unrelated_sentences_share_no_key_and_short_ones_give_none() {
        let p = SentenceKeyParams::default();
        let a = terms("committee approved budget new hospitals rural provinces");
        let b = terms("farmers harvested apples early because autumn frost threatened orchards");
        let ka = sentence_keys([a.as_slice()], p);
        let kb = sentence_keys([b.as_slice()], p);
        assert!(ka.iter().all(|k| !kb.contains(k)));
        let short = terms("rain fell");
        assert!(sentence_keys([short.as_slice()], p).is_empty());
    }
}
