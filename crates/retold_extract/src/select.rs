//! Main-content selection over the blocks of a [`Walk`].
//!
//! 1. Each block gets a weight: positive for paragraph-like text (length, sentence
//!    punctuation, low link density), negative for link lists and short clutter.
//! 2. Elements named like boilerplate (nav, footer, comment, share, related...) flip the weight
//!    of the blocks under them to negative, unless they hold most of the page's text (then the
//!    name is misleading: a page wrapper with a `has-sidebar` class, say).
//! 3. Every block-level element scores the sum of the weights in its subtree (boosted for
//!    content-like names and `itemprop=articleBody`); the best-scoring element is the article
//!    container: it includes the article's paragraphs while excluding the surrounding
//!    negatively-weighted regions.
//! 4. Inside the container, blocks under boilerplate-named elements, link-dense blocks, the
//!    headline and captions are left out, and so are multi-block regions that are net
//!    negative or small and link-laden (related stories with summaries), unless they sit
//!    between the article's paragraphs (in-article lists).
//! 5. When the page carries a JSON-LD `articleBody`, blocks whose word trigrams it contains
//!    get a higher weight (container choice only; it never adds blocks outside the container:
//!    that was measured to hurt, and a JSON-LD body is often truncated).

use ahash::AHashSet;

use crate::dom::{Block, Hint, Tag, Walk};

/// Decides, for each block, whether it belongs to the article body.
///
/// `forced_boiler[i]` marks blocks known to be boilerplate (e.g. recurring on a host).
pub(crate) fn select(walk: &Walk, forced_boiler: &[bool], ld_body: Option<&str>) -> Vec<bool> {
    let n_el = walk.elems.len();
    let blocks = &walk.blocks;
    if blocks.is_empty() {
        return Vec::new();
    }
    let ld = ld_body
        .filter(|b| b.chars().count() >= 200)
        .map(LdIndex::new);

    // Base weights.
    let mut w: Vec<f64> = blocks
        .iter()
        .enumerate()
        .map(|(i, b)| {
            if forced_boiler[i] {
                -(b.chars as f64).min(200.0) - 5.0
            } else {
                base_weight(b, walk)
            }
        })
        .collect();
    let ld_cover: Vec<f64> = match &ld {
        Some(ix) => blocks.iter().map(|b| ix.coverage(&b.text)).collect(),
        None => Vec::new(),
    };
    if ld.is_some() {
        for (i, b) in blocks.iter().enumerate() {
            let c = ld_cover[i];
            if c >= 0.6 && b.chars >= 20 && !forced_boiler[i] {
                w[i] = w[i].abs().max(b.chars as f64) * 1.5;
            }
        }
    }

    // Subtree ends (pre-order indices), positive mass per subtree.
    let mut end: Vec<u32> = (1..=n_el as u32).collect();
    for e in (1..n_el).rev() {
        let p = walk.elems[e].parent as usize;
        end[p] = end[p].max(end[e]);
    }
    let mut pos_mass = vec![0.0f64; n_el];
    for (i, b) in blocks.iter().enumerate() {
        pos_mass[b.elem as usize] += w[i].max(0.0);
    }
    for e in (1..n_el).rev() {
        let p = walk.elems[e].parent as usize;
        pos_mass[p] += pos_mass[e];
    }
    let total_pos = pos_mass[0].max(1.0);

    // Effective negative elements and, per element, its nearest effective-negative ancestor.
    let mut neg_anc = vec![u32::MAX; n_el];
    for e in 1..n_el {
        let el = &walk.elems[e];
        let p = el.parent as usize;
        let inherited = neg_anc[p];
        neg_anc[e] = if el.hint == Hint::Negative && pos_mass[e] < 0.6 * total_pos {
            e as u32
        } else {
            inherited
        };
    }

    // Adjusted weights and subtree scores.
    let mut score = vec![0.0f64; n_el];
    let mut neg_mass = vec![0.0f64; n_el];
    let mut n_blocks = vec![0u32; n_el];
    for (i, b) in blocks.iter().enumerate() {
        let mut x = w[i];
        if neg_anc[b.elem as usize] != u32::MAX && x > 0.0 {
            x = -x * 0.5 - 1.0;
        }
        score[b.elem as usize] += x;
        neg_mass[b.elem as usize] += (-x).max(0.0);
        n_blocks[b.elem as usize] += 1;
    }
    for e in (1..n_el).rev() {
        let p = walk.elems[e].parent as usize;
        score[p] += score[e];
        neg_mass[p] += neg_mass[e];
        n_blocks[p] += n_blocks[e];
    }
    let mut best = 0usize;
    let mut best_score = f64::MIN;
    for (e, &raw) in score.iter().enumerate() {
        let el = &walk.elems[e];
        let boosted = if raw > 0.0 {
            match el.hint {
                Hint::Strong => raw * 1.3,
                Hint::Positive => raw * 1.08,
                _ => raw,
            }
        } else {
            raw
        };
        if boosted > best_score {
            best_score = boosted;
            best = e;
        }
    }

    let in_best = |elem: u32| (best as u32) <= elem && elem < end[best];
    let best_depth = walk.elems[best].depth;
    // Prune regions of the container that are net boilerplate: multi-block subtrees with a
    // negative score, or small link-laden ones (lists of related stories with summaries).
    // Regions sandwiched between the article's paragraphs are kept (in-article lists).
    let good = |i: usize| w[i] >= 60.0 && neg_anc[blocks[i].elem as usize] == u32::MAX;
    let in_c: Vec<usize> = (0..blocks.len())
        .filter(|&i| in_best(blocks[i].elem))
        .collect();
    let first_good = in_c
        .iter()
        .copied()
        .find(|&i| good(i))
        .map(|i| blocks[i].elem);
    let last_good = in_c
        .iter()
        .rev()
        .copied()
        .find(|&i| good(i))
        .map(|i| blocks[i].elem);
    let mut dropped = vec![false; n_el];
    let top = score[best].max(1.0);
    for e in best + 1..end[best] as usize {
        let p = walk.elems[e].parent as usize;
        let pos = score[e] + neg_mass[e];
        let sandwiched = matches!((first_good, last_good), (Some(f), Some(l)) if (f as usize) < e && end[e] <= l);
        dropped[e] = dropped[p]
            || (n_blocks[e] >= 2
                && !sandwiched
                && (score[e] < -(0.02 * top + 5.0)
                    || (neg_mass[e] > NEG_SHARE * pos && score[e] < SMALL_SHARE * top)));
    }
    let mut keep = vec![false; blocks.len()];
    for (i, b) in blocks.iter().enumerate() {
        if forced_boiler[i] || !in_best(b.elem) || dropped[b.elem as usize] {
            continue;
        }
        let na = neg_anc[b.elem as usize];
        if na != u32::MAX && walk.elems[na as usize].depth > best_depth {
            continue;
        }
        keep[i] = keep_block(b, walk, ld_cover.get(i).copied());
    }
    keep
}

const NEG_SHARE: f64 = 0.25;
const SMALL_SHARE: f64 = 0.2;

fn sentence_punct(text: &str) -> usize {
    text.chars()
        .filter(|c| {
            matches!(
                c,
                '.' | ',' | '!' | '?' | ';' | ':' | '。' | '、' | '，' | '！' | '？' | '।'
            )
        })
        .count()
}

fn base_weight(b: &Block, walk: &Walk) -> f64 {
    let chars = b.chars as f64;
    let ld = b.link_chars as f64 / chars.max(1.0);
    let tag = walk.elems[b.elem as usize].tag;
    if ld > 0.5 {
        return -chars.min(300.0) * 0.5 * ld - 2.0;
    }
    // Headline teaser: a block that opens with a sizeable link, followed by a summary.
    if b.lead_link_chars >= 15 && ld >= 0.12 && tag != Tag::Heading {
        return -1.5;
    }
    let punct = sentence_punct(&b.text);
    if b.chars < 25 && punct == 0 {
        return match tag {
            Tag::Heading | Tag::Cell => 0.0,
            Tag::Li => -1.0,
            _ => -3.0,
        };
    }
    let mut x = chars * (1.0 - 1.5 * ld);
    x *= 1.0 + 0.05 * (punct.min(10) as f64);
    match tag {
        Tag::P | Tag::Pre | Tag::Quote => x *= 1.3,
        Tag::Caption | Tag::H1 => x = -chars.min(100.0) * 0.2,
        Tag::Cell => x *= 0.8,
        _ => {}
    }
    x
}

fn keep_block(b: &Block, walk: &Walk, ld_cover: Option<f64>) -> bool {
    let tag = walk.elems[b.elem as usize].tag;
    if matches!(tag, Tag::H1 | Tag::Caption) {
        return false;
    }
    let ld = b.link_chars as f64 / (b.chars as f64).max(1.0);
    if ld > 0.6 && ld_cover.is_none_or(|c| c < 0.8) {
        return false;
    }
    true
}

/// Word-trigram index of a JSON-LD body, for block coverage.
struct LdIndex {
    grams: AHashSet<u64>,
    words: AHashSet<u64>,
}

fn word_hashes(text: &str) -> Vec<u64> {
    text.split(|c: char| !(c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut h: u64 = 0xcbf2_9ce4_8422_2325;
            for c in w.chars().flat_map(char::to_lowercase) {
                h ^= c as u64;
                h = h.wrapping_mul(0x100_0000_01b3);
            }
            h
        })
        .collect()
}

impl LdIndex {
    fn new(body: &str) -> Self {
        let ws = word_hashes(body);
        let grams = ws
            .windows(3)
            .map(|g| g[0].rotate_left(1) ^ g[1].rotate_left(17) ^ g[2].rotate_left(33))
            .collect();
        LdIndex {
            grams,
            words: ws.into_iter().collect(),
        }
    }

    /// Fraction of the block's word trigrams (words, for short blocks) found in the body.
    fn coverage(&self, text: &str) -> f64 {
        let ws = word_hashes(text);
        if ws.len() < 4 {
            if ws.is_empty() {
                return 0.0;
            }
            return ws.iter().filter(|w| self.words.contains(w)).count() as f64 / ws.len() as f64;
        }
        let n = ws.len() - 2;
        let hit = ws
            .windows(3)
            .filter(|g| {
                self.grams
                    .contains(&(g[0].rotate_left(1) ^ g[1].rotate_left(17) ^ g[2].rotate_left(33)))
            })
            .count();
        hit as f64 / n as f64
    }
}
