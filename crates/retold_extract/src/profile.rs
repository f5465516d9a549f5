//! Cross-page boilerplate: blocks that recur on many pages of one host.

use ahash::{AHashMap, AHashSet};

use crate::Page;

/// Blocks (by normalised text hash) that recur across pages of one host.
///
/// Learned from already-extracted [`Page`]s of a single host with [`SiteProfile::learn`]; then
/// [`crate::extract_with`] marks any block of a new page whose normalised text is in the
/// profile as boilerplate (it stays in [`Page::text`]). A block is recurring when it occurs on
/// at least `max(2, ceil(min_share × pages))` of the learned pages.
#[derive(Debug, Clone, Default)]
pub struct SiteProfile {
    recurring: AHashSet<u64>,
    pages: usize,
}

/// Share of learned pages a block must occur on to count as recurring (at least 2 pages).
pub const MIN_SHARE: f64 = 0.5;

impl SiteProfile {
    /// Learns the recurring blocks of pages from one host (use [`crate::host_of`] to group).
    pub fn learn<'a>(pages: impl IntoIterator<Item = &'a Page>) -> SiteProfile {
        Self::learn_with_share(pages, MIN_SHARE)
    }

    /// [`SiteProfile::learn`] with an explicit share threshold in `(0, 1]`.
    pub fn learn_with_share<'a>(
        pages: impl IntoIterator<Item = &'a Page>,
        min_share: f64,
    ) -> SiteProfile {
        let mut counts: AHashMap<u64, u32> = AHashMap::new();
        let mut n = 0usize;
        for page in pages {
            n += 1;
            let uniq: AHashSet<u64> = page.blocks().filter_map(block_key).collect();
            for h in uniq {
                *counts.entry(h).or_default() += 1;
            }
        }
        let need = ((min_share.clamp(0.0, 1.0) * n as f64).ceil() as u32).max(2);
        SiteProfile {
            recurring: counts
                .into_iter()
                .filter(|&(_, c)| c >= need)
                .map(|(h, _)| h)
                .collect(),
            pages: n,
        }
    }

    /// Whether a block's text recurs on the host.
    pub fn is_boilerplate(&self, block: &str) -> bool {
        block_key(block).is_some_and(|h| self.recurring.contains(&h))
    }

    /// How many recurring blocks were learned.
    pub fn len(&self) -> usize {
        self.recurring.len()
    }

    /// True when nothing recurring was learned.
    pub fn is_empty(&self) -> bool {
        self.recurring.is_empty()
    }

    /// How many pages the profile was learned from.
    pub fn pages(&self) -> usize {
        self.pages
    }
}

/// Hash of a block's normalised text (lower case, digits folded to `0`, whitespace and
/// punctuation dropped); `None` for blocks without letters or digits.
fn block_key(text: &str) -> Option<u64> {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut any = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        let c = if c.is_numeric() {
            '0'
        } else if c.is_alphanumeric() {
            c
        } else {
            continue;
        };
        any = true;
        h ^= c as u64;
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    any.then_some(h)
}
