//! Connected components of an undirected graph given as pairs (union-find).

/// Connected components of the pairs over nodes `0..n`: each node's component as the
/// smallest node number in it. Pairs naming a node `>= n` are ignored.
pub fn components(n: usize, pairs: &[(u32, u32)]) -> Vec<u32> {
    let mut parent: Vec<u32> = (0..n as u32).collect();
    for &(a, b) in pairs
        .iter()
        .filter(|&&(a, b)| (a as usize) < n && (b as usize) < n)
    {
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        if ra != rb {
            parent[ra.max(rb) as usize] = ra.min(rb);
        }
    }
    (0..n as u32).map(|i| find(&mut parent, i)).collect()
}

/// The root of `x` in a union-find forest of parent links, halving the path on the way.
pub(crate) fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        parent[x as usize] = parent[parent[x as usize] as usize];
        x = parent[x as usize];
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smallest_member_names_the_component() {
        assert_eq!(
            components(6, &[(4, 2), (2, 5), (1, 0)]),
            vec![0, 0, 2, 3, 2, 2]
        );
        assert_eq!(components(2, &[(0, 7)]), vec![0, 1]);
        assert!(components(0, &[]).is_empty());
    }
}
