//! Packed document pairs and sorted-set helpers shared by the indexes.

/// Packs `(a, b)` into one `u64` whose order is the lexicographic order of the pair.
#[inline(always)]
pub fn pack(a: u32, b: u32) -> u64 {
    (a as u64) << 32 | b as u64
}

/// Inverse of [`pack`].
#[inline(always)]
pub fn unpack(p: u64) -> (u32, u32) {
    ((p >> 32) as u32, p as u32)
}

/// The shared-key rule of candidate pairs: the pairs that sorted packed pair keys (one per key
/// both documents hold) name at least `min_shared` times (0 acts as 1), with that number.
/// [`crate::SeedIndex::candidate_pairs`] and distributed runs count shared keys with it.
pub fn shared_pairs(
    sorted_keys: &[u64],
    min_shared: usize,
) -> impl Iterator<Item = (u32, u32, usize)> + '_ {
    let min_shared = min_shared.max(1);
    sorted_keys
        .chunk_by(|x, y| x == y)
        .filter(move |run| run.len() >= min_shared)
        .map(|run| {
            let (a, b) = unpack(run[0]);
            (a, b, run.len())
        })
}

/// Union of two sorted, duplicate-free vectors (sorted and duplicate-free). Being a set union it
/// is associative and commutative, so a parallel reduction with it is deterministic.
pub(crate) fn union_sorted(a: Vec<u64>, b: Vec<u64>) -> Vec<u64> {
    if a.is_empty() {
        return b;
    }
    if b.is_empty() {
        return a;
    }
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        if x <= y {
            out.push(x);
            i += 1;
            if x == y {
                j += 1;
            }
        } else {
            out.push(y);
            j += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn union_and_pack() {
        assert_eq!(
            union_sorted(vec![1, 3, 5], vec![2, 3, 6, 7]),
            vec![1, 2, 3, 5, 6, 7]
        );
        assert_eq!(union_sorted(vec![], vec![4]), vec![4]);
        assert_eq!(unpack(pack(7, 9)), (7, 9));
        assert!(pack(1, u32::MAX) < pack(2, 0));
    }

    #[test]
    fn shared_pairs_keep_pairs_named_often_enough() {
        let keys = [
            pack(1, 2),
            pack(1, 2),
            pack(1, 3),
            pack(2, 3),
            pack(2, 3),
            pack(2, 3),
        ];
        let two: Vec<_> = shared_pairs(&keys, 2).collect();
        assert_eq!(two, vec![(1, 2, 2), (2, 3, 3)]);
        let any: Vec<_> = shared_pairs(&keys, 0).collect();
        assert_eq!(any, vec![(1, 2, 2), (1, 3, 1), (2, 3, 3)]);
    }
}
