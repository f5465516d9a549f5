//! Hashing primitives shared by the sketches: a 64-bit finaliser, the rolling shingle hash and
//! the exact-copy key.

use xxhash_rust::xxh3::Xxh3;

/// Multiplier of the polynomial rolling hash over token hashes (odd, so every power is odd and
/// each position of a shingle maps its token bijectively).
pub(crate) const ROLL_BASE: u64 = 0x9E37_79B9_7F4A_7C15 | 1;

/// A bijective 64-bit finaliser (xor-shift / multiply rounds, the constants of the well-known
/// SplitMix64 output function). Every input bit affects every output bit with probability ≈ ½.
#[inline(always)]
pub(crate) fn mix64(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// `ROLL_BASE^k` (wrapping), the weight of the token that leaves a window of `k` tokens.
#[inline]
pub(crate) fn roll_pow(k: usize) -> u64 {
    let mut p: u64 = 1;
    for _ in 0..k {
        p = p.wrapping_mul(ROLL_BASE);
    }
    p
}

/// Calls `f` with the polynomial hash `Σ t[i+j]·B^(k-1-j)` of every window of `k` consecutive
/// token hashes, in order, updating it in O(1) per token. A sequence shorter than `k` (but not
/// empty) yields one hash of all its tokens; an empty one yields nothing. `k == 0` acts as 1.
#[inline(always)]
pub(crate) fn for_each_shingle(tokens: &[u64], k: usize, mut f: impl FnMut(u64)) {
    let k = k.max(1);
    if tokens.is_empty() {
        return;
    }
    let head = k.min(tokens.len());
    let mut h: u64 = 0;
    for &t in &tokens[..head] {
        h = h.wrapping_mul(ROLL_BASE).wrapping_add(t);
    }
    f(h);
    if tokens.len() <= k {
        return;
    }
    let out_weight = roll_pow(k);
    for (&leaving, &entering) in tokens.iter().zip(&tokens[k..]) {
        h = h
            .wrapping_mul(ROLL_BASE)
            .wrapping_sub(leaving.wrapping_mul(out_weight))
            .wrapping_add(entering);
        f(h);
    }
}

/// Seed of [`exact_hash`]; changing it changes every exact key (and the empty key below).
const EXACT_SEED: u64 = 0x7265_746F_6C64_2165; // "retold!e"

/// The exact-copy key of a document: a 64-bit XXH3 of its token-hash sequence (order-sensitive).
///
/// Because tokens are already lower-cased and punctuation is not a token, two texts that differ
/// only in formatting, case, whitespace or punctuation get the same key. The empty sequence gets
/// a fixed key (XXH3 of zero bytes under the crate's seed), the same in every run.
pub fn exact_hash(token_hashes: &[u64]) -> u64 {
    const CHUNK: usize = 256;
    let mut hasher = Xxh3::with_seed(EXACT_SEED);
    let mut buf = [0u8; CHUNK * 8];
    for chunk in token_hashes.chunks(CHUNK) {
        for (dst, &t) in buf.chunks_exact_mut(8).zip(chunk) {
            dst.copy_from_slice(&t.to_le_bytes());
        }
        hasher.update(&buf[..chunk.len() * 8]);
    }
    hasher.digest()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rolling_equals_direct() {
        let toks: Vec<u64> = (0..50u64).map(|i| mix64(i + 1)).collect();
        for k in 1..8 {
            let mut rolled = Vec::new();
            for_each_shingle(&toks, k, |h| rolled.push(h));
            let direct: Vec<u64> = toks
                .windows(k)
                .map(|w| {
                    w.iter()
                        .fold(0u64, |h, &t| h.wrapping_mul(ROLL_BASE).wrapping_add(t))
                })
                .collect();
            assert_eq!(rolled, direct, "k={k}");
        }
        let mut short = Vec::new();
        for_each_shingle(&toks[..3], 5, |h| short.push(h));
        assert_eq!(short.len(), 1);
        let mut none = Vec::new();
        for_each_shingle(&[], 5, |h| none.push(h));
        assert!(none.is_empty());
    }

    #[test]
    fn exact_hash_is_stable_and_order_sensitive() {
        let a: Vec<u64> = (0..1000u64).map(mix64).collect();
        let mut b = a.clone();
        assert_eq!(exact_hash(&a), exact_hash(&b));
        b.swap(3, 4);
        assert_ne!(exact_hash(&a), exact_hash(&b));
        assert_eq!(exact_hash(&[]), exact_hash(&[]));
        assert_ne!(exact_hash(&[]), exact_hash(&[0]));
        // Chunk boundaries do not matter: prefix of 256 vs 257 tokens differ.
        assert_ne!(exact_hash(&a[..256]), exact_hash(&a[..257]));
    }
}
