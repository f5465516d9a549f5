//! Reworded passages: sentence-level alignment by bag-of-words similarity, for reuse that
//! keeps the content words (or their stems) but not the word order or the exact phrases —
//! obfuscated copies, round-trip machine translations, summaries. This is the approach that
//! holds the PAN text-alignment record without any neural model (Sanchez-Perez, Sidorov and
//! Gelbukh, PAN 2014), written here from its description:
//!
//! 1. **Weights**: each sentence is a bag of content terms (stemmed words without stop words,
//!    computed by the caller); a term weighs `tf × isf`, its inverse *sentence* frequency over
//!    the sentences of both documents (a word in every sentence says nothing).
//! 2. **Seeds**: sentence pairs whose cosine *and* Dice coefficient both reach their
//!    thresholds (cosine alone lets one shared rare word through; Dice alone, many common
//!    ones).
//!    A seed must also be near the best match of both its sentences (`dominance`). Each
//!    sentence is also compared with every two consecutive sentences of the other text, and
//!    such a window counts when it reads better than either of its sentences alone.
//! 3. **Extension**: seeds are clustered along `a` and then along `b`, allowing gaps of up to
//!    `max_gap` sentences, repeated until stable; each cluster is a passage pair spanning its
//!    seeds. A passage pair whose two sides, as bags of terms, are less similar than
//!    `validate` is re-clustered with smaller gaps.
//! 4. **Summaries**: the pair is aligned again with a wide gap on one side (a summary's
//!    sentences draw on sentences far apart in its source); when the passages found are much
//!    shorter on the narrow side and score more (similarity² × length), that answer replaces
//!    the first.
//! 5. **Filter**: overlapping passages keep the better one; passages shorter than `min_len`
//!    (in the caller's length unit, e.g. code points) on either side, or with fewer than
//!    `min_seeds` seeds, are dropped.
//!
//! Two additions of ours, both measured on the PAN 2013 training corpus: a sentence is also
//! seeded against each two consecutive sentences of the other text (rewording splits and joins
//! sentences), and a passage needs two seeds.
//!
//! Cost: building the weights is linear; seeding visits only the sentence pairs that share a
//! term (an inverted index over `b`), so unrelated documents cost little.

use crate::overlaps;
use ahash::AHashMap;

/// One sentence: its content terms (repeats allowed: term frequency) and its length in the
/// caller's unit (used by the length filter and the summary test).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sentence {
    /// Term hashes of the sentence's content words.
    pub terms: Vec<u64>,
    /// Length (e.g. code points).
    pub len: u32,
    /// Starts a paragraph (two consecutive sentences are read as one only inside a
    /// paragraph).
    pub new_paragraph: bool,
}

/// Parameters of [`align_reworded`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RewordParams {
    /// Least tf-isf cosine of a seed sentence pair.
    pub seed_cosine: f32,
    /// Least Dice coefficient (over term sets) of a seed sentence pair.
    pub seed_dice: f32,
    /// Largest gap, in sentences, between seeds of one passage.
    pub max_gap: u32,
    /// Gap on the longer side when a pair is aligned as a summary (the published 24 leaves
    /// the source side of summaries of long texts cut in pieces; 40 measured better on the
    /// PAN 2013 training corpus, see docs/quality.md).
    pub summary_gap: u32,
    /// Least cosine of a passage pair's two sides.
    pub validate: f32,
    /// Shortest passage kept, per side, in the sentences' length unit.
    pub min_len: u32,
    /// Fewest seed sentence pairs of a passage (one similar sentence, e.g. the same list of
    /// attributes or the same citation line, is what texts on one topic share by chance; a
    /// sentence matched by two consecutive ones counts as two).
    pub min_seeds: u32,
    /// A seed's cosine must reach this share of the best cosine of its sentence in `a` and of
    /// its sentence in `b` (a sentence copied next to others on the same topic matches them
    /// too, but far less well than its own copy; those weaker matches would stretch the
    /// passage past the copied text).
    pub dominance: f32,
    /// Fewest seed sentence pairs of a reworded passage that make a `partial` on their own
    /// (one or two similar sentences are what independent reports of one event share; used by
    /// the caller's classifier).
    pub partial_min_seeds: u32,
    /// Lexical passages at least this similar (Dice of matched tokens) inside a reworded one
    /// are copies whose exact token boundaries replace the sentence boundaries (a copied
    /// passage may start or end inside a sentence; used by the caller's merge).
    pub near_verbatim: f32,
    /// A pair is re-aligned as a summary when its passages' length on one side is at most this
    /// share of their length on the other.
    pub summary_ratio: f32,
}

impl Default for RewordParams {
    fn default() -> Self {
        RewordParams {
            seed_cosine: 0.33,
            seed_dice: 0.33,
            max_gap: 4,
            summary_gap: 40,
            validate: 0.34,
            min_len: 150,
            min_seeds: 2,
            dominance: 0.8,
            partial_min_seeds: 5,
            near_verbatim: 0.97,
            summary_ratio: 0.5,
        }
    }
}

/// A reworded passage: sentence ranges `[start, end)` in both documents.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SentencePassage {
    /// Sentence range in `a`.
    pub a: (u32, u32),
    /// Sentence range in `b`.
    pub b: (u32, u32),
    /// tf-isf cosine of the two sides as bags of terms.
    pub similarity: f32,
    /// Seed sentence pairs inside.
    pub seeds: u32,
    /// Sentences taking part in a seed, on the side with fewer (a sentence split in two
    /// gives two seed pairs but one sentence here).
    pub seed_sentences: u32,
    /// Found by the summary rule (wide gap on the longer side).
    pub summary: bool,
}

/// Sparse tf-isf vectors of both documents' sentences.
struct Space {
    /// Per sentence: sorted (term id, weight).
    a: Vec<Vec<(u32, f32)>>,
    b: Vec<Vec<(u32, f32)>>,
    na: Vec<f32>,
    nb: Vec<f32>,
    isf: Vec<f32>,
    /// Per sentence: starts a paragraph.
    breaks_a: Vec<bool>,
    breaks_b: Vec<bool>,
}

fn bag(terms: &[u64], ids: &mut AHashMap<u64, u32>) -> Vec<(u32, f32)> {
    let mut v: Vec<u32> = terms
        .iter()
        .map(|t| {
            let n = ids.len() as u32;
            *ids.entry(*t).or_insert(n)
        })
        .collect();
    v.sort_unstable();
    let mut out: Vec<(u32, f32)> = Vec::with_capacity(v.len());
    for id in v {
        match out.last_mut() {
            Some((last, tf)) if *last == id => *tf += 1.0,
            _ => out.push((id, 1.0)),
        }
    }
    out
}

/// The best cosine of each sentence of `a` (`na` sentences) and of `b` among `pairs`.
fn best_per_sentence(pairs: &[(u32, u32, f32)], na: usize, nb: usize) -> (Vec<f32>, Vec<f32>) {
    let mut best_a = vec![0f32; na];
    let mut best_b = vec![0f32; nb];
    for &(i, j, c) in pairs {
        best_a[i as usize] = best_a[i as usize].max(c);
        best_b[j as usize] = best_b[j as usize].max(c);
    }
    (best_a, best_b)
}

/// Sentences as one bag (sorted by term, term frequencies added).
fn merged(v: &[Vec<(u32, f32)>]) -> Vec<(u32, f32)> {
    let mut m: Vec<(u32, f32)> = v.iter().flatten().copied().collect();
    m.sort_unstable_by_key(|x| x.0);
    let mut out: Vec<(u32, f32)> = Vec::with_capacity(m.len());
    for (t, tf) in m {
        match out.last_mut() {
            Some((last, f)) if *last == t => *f += tf,
            _ => out.push((t, tf)),
        }
    }
    out
}

/// Each two consecutive sentences as one bag; empty across a paragraph break (`second[k]`:
/// sentence `k + 1` starts a paragraph).
fn windows(v: &[Vec<(u32, f32)>], second: impl Iterator<Item = bool>) -> Vec<Vec<(u32, f32)>> {
    v.windows(2)
        .zip(second)
        .map(|(w, new_paragraph)| if new_paragraph { Vec::new() } else { merged(w) })
        .collect()
}

/// tf-isf dot product of two sorted bags.
fn dot(x: &[(u32, f32)], y: &[(u32, f32)], isf: &[f32]) -> f32 {
    let (mut i, mut j, mut d) = (0, 0, 0.0);
    while i < x.len() && j < y.len() {
        match x[i].0.cmp(&y[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                let w = isf[x[i].0 as usize];
                d += x[i].1 * y[j].1 * w * w;
                i += 1;
                j += 1;
            }
        }
    }
    d
}

fn norm(v: &[(u32, f32)], isf: &[f32]) -> f32 {
    v.iter()
        .map(|&(t, tf)| (tf * isf[t as usize]).powi(2))
        .sum::<f32>()
        .sqrt()
}

impl Space {
    fn new(a: &[Sentence], b: &[Sentence]) -> Space {
        let mut ids: AHashMap<u64, u32> = AHashMap::new();
        let ba: Vec<_> = a.iter().map(|s| bag(&s.terms, &mut ids)).collect();
        let bb: Vec<_> = b.iter().map(|s| bag(&s.terms, &mut ids)).collect();
        let mut sf = vec![0u32; ids.len()];
        for s in ba.iter().chain(&bb) {
            for &(t, _) in s {
                sf[t as usize] += 1;
            }
        }
        let n = (ba.len() + bb.len()).max(1) as f32;
        let isf: Vec<f32> = sf
            .iter()
            .map(|&f| (n / f.max(1) as f32).ln().max(0.0))
            .collect();
        let na = ba.iter().map(|v| norm(v, &isf)).collect();
        let nb = bb.iter().map(|v| norm(v, &isf)).collect();
        Space {
            a: ba,
            b: bb,
            na,
            nb,
            isf,
            breaks_a: a.iter().map(|s| s.new_paragraph).collect(),
            breaks_b: b.iter().map(|s| s.new_paragraph).collect(),
        }
    }

    /// Seed sentence pairs `(i, j)`, sorted. Besides single sentences, each sentence is
    /// also compared with every two consecutive sentences of the other text: rewording often
    /// splits one sentence in two or joins two into one, and the long sentence then shares
    /// too small a part of its terms with either short one to pass Dice alone.
    fn seeds(&self, p: &RewordParams) -> Vec<(u32, u32)> {
        let wa = windows(&self.a, self.breaks_a.iter().skip(1).copied());
        let wb = windows(&self.b, self.breaks_b.iter().skip(1).copied());
        let nwa: Vec<f32> = wa.iter().map(|v| norm(v, &self.isf)).collect();
        let nwb: Vec<f32> = wb.iter().map(|v| norm(v, &self.isf)).collect();
        let mut out: Vec<(u32, u32, f32)> = self.matches(&self.a, &self.na, &self.b, &self.nb, p);
        // A window counts when it reads better than each of its sentences alone (both halves
        // contribute) and neither half matches another sentence better on its own (a
        // headline next to a seed would otherwise join the seed's window).
        let (best_a, best_b) = best_per_sentence(&out, self.a.len(), self.b.len());
        let single = |i: u32, j: u32| {
            let (x, y) = (&self.a[i as usize], &self.b[j as usize]);
            let den = self.na[i as usize] * self.nb[j as usize];
            if den > 0.0 {
                dot(x, y, &self.isf) / den
            } else {
                0.0
            }
        };
        for (i, j, c) in self.matches(&self.a, &self.na, &wb, &nwb, p) {
            let (j, k) = (j as usize, j as usize + 1);
            if c > single(i, j as u32)
                && c > single(i, k as u32)
                && c >= best_b[j]
                && c >= best_b[k]
            {
                out.extend([(i, j as u32, c), (i, k as u32, c)]);
            }
        }
        for (i, j, c) in self.matches(&wa, &nwa, &self.b, &self.nb, p) {
            let (i, k) = (i as usize, i as usize + 1);
            if c > single(i as u32, j)
                && c > single(k as u32, j)
                && c >= best_a[i]
                && c >= best_a[k]
            {
                out.extend([(i as u32, j, c), (k as u32, j, c)]);
            }
        }
        // One score per pair: its best reading.
        out.sort_unstable_by(|x, y| (x.0, x.1).cmp(&(y.0, y.1)).then(y.2.total_cmp(&x.2)));
        out.dedup_by_key(|x| (x.0, x.1));
        // A seed must be near the best match of its sentence on both sides: a sentence
        // copied next to others on the same topic matches them too, but far less well.
        let r = p.dominance;
        let (row, col) = best_per_sentence(&out, self.a.len(), self.b.len());
        out.into_iter()
            .filter(|&(i, j, c)| c >= r * row[i as usize] && c >= r * col[j as usize])
            .map(|(i, j, _)| (i, j))
            .collect()
    }

    /// Pairs `(i, j, cosine)` of `xs` × `ys` whose cosine and Dice reach the seed thresholds
    /// (only pairs sharing a term are visited: an inverted index over `ys`).
    fn matches(
        &self,
        xs: &[Vec<(u32, f32)>],
        nx: &[f32],
        ys: &[Vec<(u32, f32)>],
        ny: &[f32],
        p: &RewordParams,
    ) -> Vec<(u32, u32, f32)> {
        let mut index: Vec<Vec<(u32, f32)>> = vec![Vec::new(); self.isf.len()];
        for (j, s) in ys.iter().enumerate() {
            for &(t, tf) in s {
                index[t as usize].push((j as u32, tf));
            }
        }
        let mut dot: Vec<f32> = vec![0.0; ys.len()];
        let mut shared: Vec<u32> = vec![0; ys.len()];
        let mut touched: Vec<u32> = Vec::new();
        let mut out = Vec::new();
        for (i, s) in xs.iter().enumerate() {
            for &(t, tf) in s {
                let w = self.isf[t as usize];
                for &(j, tfb) in &index[t as usize] {
                    let j = j as usize;
                    if shared[j] == 0 {
                        touched.push(j as u32);
                    }
                    shared[j] += 1;
                    dot[j] += tf * w * tfb * w;
                }
            }
            for &j in &touched {
                let j = j as usize;
                let den = nx[i] * ny[j];
                let cos = if den > 0.0 { dot[j] / den } else { 0.0 };
                let dice = 2.0 * shared[j] as f32 / (s.len() + ys[j].len()) as f32;
                if cos >= p.seed_cosine && dice >= p.seed_dice {
                    out.push((i as u32, j as u32, cos));
                }
                dot[j] = 0.0;
                shared[j] = 0;
            }
            touched.clear();
        }
        out
    }

    /// Cosine of the sums of the sentences `ra` of `a` and `rb` of `b` (summed in term
    /// order: the same value on every run).
    fn fragment_cosine(&self, ra: (u32, u32), rb: (u32, u32)) -> f32 {
        let x = merged(&self.a[ra.0 as usize..ra.1 as usize]);
        let y = merged(&self.b[rb.0 as usize..rb.1 as usize]);
        let den = norm(&x, &self.isf) * norm(&y, &self.isf);
        if den > 0.0 {
            dot(&x, &y, &self.isf) / den
        } else {
            0.0
        }
    }
}

/// Splits seeds (any order) into groups whose consecutive members, ordered by side `side`
/// (0: `a`, 1: `b`), are at most `gap` sentences apart.
fn split_by(mut seeds: Vec<(u32, u32)>, side: usize, gap: u32) -> Vec<Vec<(u32, u32)>> {
    let key = |s: &(u32, u32)| if side == 0 { s.0 } else { s.1 };
    seeds.sort_unstable_by_key(|s| (key(s), if side == 0 { s.1 } else { s.0 }));
    let mut out: Vec<Vec<(u32, u32)>> = Vec::new();
    let mut last: Option<u32> = None;
    for s in seeds {
        let k = key(&s);
        match (last, out.last_mut()) {
            (Some(l), Some(g)) if k <= l + gap + 1 => g.push(s),
            _ => out.push(vec![s]),
        }
        last = Some(last.map_or(k, |l| l.max(k)));
    }
    out
}

/// Clusters seeds alternately along `a` (gap `ga`) and `b` (gap `gb`) until stable.
fn cluster(seeds: Vec<(u32, u32)>, ga: u32, gb: u32) -> Vec<Vec<(u32, u32)>> {
    let mut groups = vec![seeds];
    loop {
        let mut next = Vec::new();
        for g in groups.iter().cloned() {
            for ga_group in split_by(g, 0, ga) {
                next.extend(split_by(ga_group, 1, gb));
            }
        }
        if next.len() == groups.len() {
            return next;
        }
        groups = next;
    }
}

fn seed_sentences(g: &[(u32, u32)]) -> u32 {
    let distinct = |mut v: Vec<u32>| {
        v.sort_unstable();
        v.dedup();
        v.len() as u32
    };
    distinct(g.iter().map(|s| s.0).collect()).min(distinct(g.iter().map(|s| s.1).collect()))
}

fn span(g: &[(u32, u32)]) -> ((u32, u32), (u32, u32)) {
    let a0 = g.iter().map(|s| s.0).min().unwrap_or(0);
    let a1 = g.iter().map(|s| s.0).max().unwrap_or(0) + 1;
    let b0 = g.iter().map(|s| s.1).min().unwrap_or(0);
    let b1 = g.iter().map(|s| s.1).max().unwrap_or(0) + 1;
    ((a0, a1), (b0, b1))
}

/// Extends seeds into validated passages.
fn extend(
    sp: &Space,
    seeds: Vec<(u32, u32)>,
    ga: u32,
    gb: u32,
    p: &RewordParams,
) -> Vec<SentencePassage> {
    let mut out = Vec::new();
    // Seed groups still to extend, with the gaps to use on `a` and `b`.
    type Work = (Vec<(u32, u32)>, u32, u32);
    let mut work: Vec<Work> = vec![(seeds, ga, gb)];
    while let Some((seeds, ga, gb)) = work.pop() {
        for g in cluster(seeds, ga, gb) {
            let (ra, rb) = span(&g);
            let sim = sp.fragment_cosine(ra, rb);
            if sim >= p.validate {
                out.push(SentencePassage {
                    a: ra,
                    b: rb,
                    similarity: sim,
                    seeds: g.len() as u32,
                    seed_sentences: seed_sentences(&g),
                    summary: false,
                });
            } else if g.len() > 1 && (ga > 0 || gb > 0) {
                work.push((g, ga.saturating_sub(1), gb.saturating_sub(1)));
            }
        }
    }
    out
}

fn total(len: &[u32], r: (u32, u32)) -> u32 {
    len[r.0 as usize..r.1 as usize].iter().sum()
}

/// Drops overlapping passages (keeping the one with more weight: similarity × length) and
/// short ones.
fn filter(
    mut ps: Vec<SentencePassage>,
    la: &[u32],
    lb: &[u32],
    p: &RewordParams,
) -> Vec<SentencePassage> {
    ps.retain(|x| {
        x.seeds >= p.min_seeds && total(la, x.a) >= p.min_len && total(lb, x.b) >= p.min_len
    });
    let weight = |x: &SentencePassage| x.similarity * (total(la, x.a) + total(lb, x.b)) as f32;
    ps.sort_by(|x, y| {
        weight(y)
            .total_cmp(&weight(x))
            .then(x.a.cmp(&y.a))
            .then(x.b.cmp(&y.b))
    });
    let mut kept: Vec<SentencePassage> = Vec::new();
    for x in ps {
        if !kept
            .iter()
            .any(|k| overlaps(k.a, x.a) || overlaps(k.b, x.b))
        {
            kept.push(x);
        }
    }
    kept.sort_by_key(|x| (x.a, x.b));
    kept
}

/// Aligns the sentences of `a` and `b`; passages come sorted by position in `a`.
pub fn align_reworded(a: &[Sentence], b: &[Sentence], p: &RewordParams) -> Vec<SentencePassage> {
    if a.is_empty() || b.is_empty() {
        return Vec::new();
    }
    let sp = Space::new(a, b);
    let seeds = sp.seeds(p);
    if seeds.is_empty() {
        return Vec::new();
    }
    let la: Vec<u32> = a.iter().map(|s| s.len).collect();
    let lb: Vec<u32> = b.iter().map(|s| s.len).collect();
    let plain = filter(
        extend(&sp, seeds.clone(), p.max_gap, p.max_gap, p),
        &la,
        &lb,
        p,
    );
    // Summary: one side condenses a long stretch of the other, whose sentences it draws on
    // far apart. Align again with a wide gap on each side in turn; an answer whose passages
    // are at most `summary_ratio` as long on the narrow side as on the wide side is a
    // summary, and replaces the plain one when it scores more: similarity² × length, so a
    // reading that covers more text at a lower similarity must cover proportionally more (a
    // wide gap also stretches an obfuscated copy over unrelated text up to a stray seed).
    let score = |v: &[SentencePassage]| -> f32 {
        v.iter()
            .map(|q| q.similarity * q.similarity * (total(&la, q.a) + total(&lb, q.b)) as f32)
            .sum()
    };
    let mut best = plain;
    for wide_b in [true, false] {
        let (ga, gb) = if wide_b {
            (p.max_gap, p.summary_gap)
        } else {
            (p.summary_gap, p.max_gap)
        };
        let mut wide = filter(extend(&sp, seeds.clone(), ga, gb, p), &la, &lb, p);
        let (sa, sb): (u32, u32) = wide.iter().fold((0, 0), |(x, y), q| {
            (x + total(&la, q.a), y + total(&lb, q.b))
        });
        let (narrow, broad) = if wide_b { (sa, sb) } else { (sb, sa) };
        let summary = narrow as f32 <= p.summary_ratio * broad as f32;
        if summary && score(&wide) > score(&best) {
            for w in &mut wide {
                w.summary = true;
            }
            best = wide;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(s: &str) -> Sentence {
        let stop = [
            "the", "a", "of", "and", "in", "to", "on", "is", "was", "that", "for",
        ];
        Sentence {
            terms: s
                .split_whitespace()
                .map(|w| {
                    w.trim_matches(|c: char| !c.is_alphanumeric())
                        .to_lowercase()
                })
                .filter(|w| !w.is_empty() && !stop.contains(&w.as_str()))
                .map(|w| {
                    let w = w.trim_end_matches('s');
                    w.bytes().fold(1469598103934665603u64, |h, c| {
                        (h ^ c as u64).wrapping_mul(1099511628211)
                    })
                })
                .collect(),
            len: s.chars().count() as u32,
            new_paragraph: false,
        }
    }

    fn doc(text: &str) -> Vec<Sentence> {
        text.split_terminator('.')
            .filter(|s| !s.trim().is_empty())
            .map(sent)
            .collect()
    }

    const FILLER: &str =
        "Tourists enjoy the old harbour at dawn. The bakery sells rye bread every morning. \
        Children play football near the church. A storm closed the mountain road last winter. \
        The museum shows paintings from local artists. Prices of fish rose after the festival. ";

    const REUSED: &str = "The committee approved a budget for new hospitals in rural provinces. \
        Doctors warned that staff shortages would delay the opening of clinics. \
        Officials promised additional funding for nurses and medical training programmes. ";

    const REWORDED: &str = "Additional funding for nurses and training programmes for medical staff was promised by officials. \
        In rural provinces new hospitals got a budget approved by the committee. \
        Staff shortages, doctors warned, would delay clinics opening. ";

    #[test]
    fn reworded_passage_is_found_as_one_passage_at_its_place() {
        let a = doc(&format!("{FILLER}{REWORDED}{FILLER}"));
        let b = doc(&format!(
            "Weather was calm on the coast. {REUSED}Farmers sold apples at the market. "
        ));
        let p = RewordParams {
            min_len: 50,
            ..RewordParams::default()
        };
        let ps = align_reworded(&a, &b, &p);
        assert_eq!(ps.len(), 1, "{ps:?}");
        assert_eq!(ps[0].a, (6, 9));
        assert_eq!(ps[0].b, (1, 4));
        assert!(ps[0].similarity > 0.5);
    }

    #[test]
    fn unrelated_texts_give_nothing() {
        let a = doc(FILLER);
        let b = doc(REUSED);
        assert!(align_reworded(&a, &b, &RewordParams::default()).is_empty());
    }

    #[test]
    fn short_matches_are_filtered() {
        let a = doc("The committee approved a budget for new hospitals. Rain fell all day.");
        let b = doc("Snow melted early. The committee approved a budget for new hospitals.");
        assert!(align_reworded(&a, &b, &RewordParams::default()).is_empty());
    }

    #[test]
    fn a_sentence_split_in_two_is_seeded_against_both_halves() {
        // Each half alone shares too few of the long sentence's terms to pass Dice.
        let a = doc(
            "Alpha beta gamma delta epsilon zeta eta theta iota kappa lambda omega. \
            Tourists enjoy the old harbour at dawn.",
        );
        let b = doc("Alpha beta. Gamma delta. Children play football near the church.");
        let seeds = Space::new(&a, &b).seeds(&RewordParams::default());
        assert_eq!(seeds, vec![(0, 0), (0, 1)]);
        let c = doc("Alpha beta. Children play football near the church.");
        assert!(Space::new(&a, &c)
            .seeds(&RewordParams::default())
            .is_empty());
        // Halves in two paragraphs (a headline and the first sentence) are not read as one.
        let mut d = b.clone();
        d[1].new_paragraph = true;
        assert!(Space::new(&a, &d)
            .seeds(&RewordParams::default())
            .is_empty());
    }

    #[test]
    fn fragment_similarity_is_the_same_on_every_run() {
        let a = doc(&format!("{FILLER}{REWORDED}"));
        let b = doc(&format!("{REUSED}{FILLER}"));
        let first = Space::new(&a, &b).fragment_cosine((0, 9), (0, 9));
        for _ in 0..20 {
            let again = Space::new(&a, &b).fragment_cosine((0, 9), (0, 9));
            assert_eq!(first.to_bits(), again.to_bits());
        }
    }

    #[test]
    fn one_matching_sentence_is_no_passage_but_two_are() {
        let long = "The committee approved a large budget for new hospitals in rural provinces \
            after a long debate about staff. ";
        let next = "Doctors warned that staff shortages would delay the opening of clinics \
            for several months in the north. ";
        let one = doc(&format!("{FILLER}{long}{FILLER}"));
        let two = doc(&format!("{FILLER}{long}{next}{FILLER}"));
        let other = doc(&format!(
            "Weather was calm on the coast. {long}{next}Farmers sold apples."
        ));
        assert!(align_reworded(&one, &other, &RewordParams::default()).is_empty());
        let ps = align_reworded(&two, &other, &RewordParams::default());
        assert_eq!(ps.len(), 1, "{ps:?}");
        assert_eq!(ps[0].seeds, 2);
    }

    #[test]
    fn clustering_respects_gaps_on_both_sides() {
        let g = cluster(vec![(0, 0), (1, 1), (2, 30), (20, 2)], 2, 2);
        assert_eq!(g.len(), 3);
    }
}
