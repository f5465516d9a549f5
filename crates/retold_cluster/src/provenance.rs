//! Provenance: which member of a cluster is most likely the original, and why.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// What is known about one document, computed upstream (ingest, clean, classify).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DocEvidence {
    /// Publication date: `YYYY-MM-DD`, or an ISO 8601 prefix of it (`YYYY`, `YYYY-MM`,
    /// `YYYY-MM-DDThh:mm…`; only the day is used). Anything else counts as no date.
    pub date: Option<String>,
    /// Length of the non-boilerplate text, in characters.
    pub content_len: usize,
    /// Length of the boilerplate around it (navigation, share blocks, "related" lists…).
    pub boilerplate_len: usize,
    /// The text carries an attribution line naming a source agency ("(Reuters) —", "VOA News").
    pub attribution: bool,
    /// The text shows signs of machine translation.
    pub machine_translation_signs: bool,
    /// The text carries an update or correction line ("Update: …", "This article was amended
    /// on …"): a later version of a text that another member may hold before the edit.
    #[serde(default)]
    pub update_line: bool,
    /// Language (ISO 639-1), if known. Attribution lines are compared only between documents
    /// of one language (the phrases are language-specific, and a translation carries its
    /// source's credit line); see [`provenance`] for the one-language-out rule.
    #[serde(default)]
    pub lang: Option<String>,
    /// Mean words per sentence of the content (0 when unknown). Between two versions of one
    /// text in one language, the one with clearly less content and no longer sentences is the
    /// simplified or condensed (derived) version.
    #[serde(default)]
    pub words_per_sentence: f32,
}

/// How much of each of two documents is covered by passages aligned to the other.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Containment {
    /// One document.
    pub a: u32,
    /// The other document.
    pub b: u32,
    /// Share (`0..=1`) of `a`'s content covered by passages aligned to `b`.
    pub a_in_b: f32,
    /// Share (`0..=1`) of `b`'s content covered by passages aligned to `a`.
    pub b_in_a: f32,
    /// Share (`0..=1`) of `a`'s content before its first passage aligned to `b` (0 when
    /// unknown).
    #[serde(default)]
    pub a_head: f32,
    /// Share of `b`'s content before its first passage aligned to `a`.
    #[serde(default)]
    pub b_head: f32,
    /// The two hold the same text: identical after normalisation and boilerplate removal (the
    /// pair's `exact`). Two such copies that nothing tells apart leave provenance undetermined.
    #[serde(default)]
    pub same_text: bool,
    /// The pair is a `duplicate`: one text up to formatting, boilerplate and small edits (a
    /// copy or repost, not an independent version).
    #[serde(default)]
    pub duplicate: bool,
    /// The pair is a rewrite (one text reworded in one language): with `duplicate`, the
    /// relations where the fuller of two versions is the original (see [`provenance`]).
    #[serde(default)]
    pub reworded: bool,
}

/// The likely original of a cluster, with the reason in plain words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// The likely original, or `None` when the evidence is thin or contradictory.
    pub original: Option<u32>,
    /// Why; starts with `"undetermined: "` when `original` is `None`.
    pub reason: String,
}

// Weights of the evidence, doubled so that all the arithmetic is exact integers.
/// Earliest date: 4.0.
const W_DATE: i64 = 8;
/// Containment (holds the other's text plus more of its own): 3.0.
const W_CONTAINMENT: i64 = 6;
/// Less wrapper boilerplate around the same text: 2.0.
const W_BOILERPLATE: i64 = 4;
/// Attribution line naming a source agency: 1.5.
const W_ATTRIBUTION: i64 = 3;
/// The other's whole text sits inside this one after text of this one's own (a repost
/// wrapper, a quotation): 3.0 for the inner text, as containment for the outer one would be.
const W_WRAPPED: i64 = 6;
/// No signs of machine translation where the other has them: 3.0. Direction-certain (a
/// machine-translated round trip is derived by construction, never the source), so it
/// outweighs wrapper boilerplate, which an original's own page has too.
const W_TRANSLATION: i64 = 6;
/// The fuller version of a rewrite of the same text: 4.0. Simplification (readers' editions,
/// easy-language versions), abridgement and summary drop content and shorten or keep sentence
/// length; edits, paraphrase and round-trip translation keep the content within a few per cent
/// and move sentence boundaries either way. So clearly more content with sentences no shorter
/// marks the original, and the reverse (expanding a text with longer sentences while keeping
/// all of it) is rare.
const W_SIMPLER: i64 = 8;
/// A decision needs a net score of at least 2.0 ...
const MIN_NET: i64 = 4;
/// ... and a lead of at least 0.5 over the runner-up.
const MIN_MARGIN: i64 = 1;

/// `x` contains `y` when at least this share of `y` is covered by passages aligned to `x` ...
const CONTAINS_MIN: f32 = 0.8;
/// ... and the share of `x` covered by `y` is lower by at least this much (`x` has more text
/// of its own).
const CONTAINS_GAP: f32 = 0.15;
/// `y` is a wrapper (repost) of `x` when its boilerplate share (boilerplate ÷ (boilerplate +
/// content)) exceeds `x`'s by at least this much, in millionths (0.15).
const BOILERPLATE_GAP: i64 = 150_000;
/// A wrapper share of at least this (0.03, in millionths) is a wrapper where the other text has
/// no boilerplate at all.
const SOME_WRAPPER: i64 = 30_000;
/// A container whose shared text starts after at least this share of its own content holds
/// the other inside text of its own (it wraps or quotes it) rather than extending it: an
/// abridgement or excerpt shares the original's opening, a repost or quotation does not.
const WRAP_HEAD: f32 = 0.03;
/// One version is the fuller one of two when it has at least this many times the other's
/// content (and no fewer words per sentence) ...
const SIMPLER_RATIO: f32 = 1.1;
/// ... each covers at least this share of the other (a rewrite of the same text, not a
/// shared passage) ...
const SIMPLER_COVER: f32 = 0.5;
/// ... and, for a `duplicate` (one text up to small edits), the fuller one is covered at least
/// this much by the other: its extra words are spread through the text (a condensed copy), not
/// a block of its own, which may as well be a teaser or a wrapper a repost added.
const SPREAD_COVER: f32 = 0.95;
/// No update line where the other has one (the earlier version of an edited text): 1.5, as
/// attribution (a copy may also be made of the updated version).
const W_VERSION: i64 = 3;
/// Characters per paragraph when saying how much more text a document holds.
const PARAGRAPH_CHARS: usize = 350;

const DATE: usize = 0;
const CONTAINMENT: usize = 1;
const BOILERPLATE: usize = 2;
const ATTRIBUTION: usize = 3;
const TRANSLATION: usize = 4;
const WRAPPED: usize = 5;
const SIMPLER: usize = 6;
const VERSION: usize = 7;
/// Kinds of evidence.
const KINDS: usize = 8;
const WEIGHTS: [i64; KINDS] = [
    W_DATE,
    W_CONTAINMENT,
    W_BOILERPLATE,
    W_ATTRIBUTION,
    W_TRANSLATION,
    W_WRAPPED,
    W_SIMPLER,
    W_VERSION,
];
/// The weight of each kind of evidence ([`EVIDENCE_KINDS`] order), in halves: `8` is 4.0.
/// [`Default`] is the weights `provenance` uses, fitted on the dev data by
/// `scripts/fit_provenance.py`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Weights(pub [i64; KINDS]);

impl Default for Weights {
    fn default() -> Self {
        Weights(WEIGHTS)
    }
}

impl Weights {
    /// Weights given as values ([`EVIDENCE_KINDS`] order), each a multiple of 0.5 and ≥ 0;
    /// `None` when there are not eight or one is not such a value.
    pub fn from_values(values: &[f64]) -> Option<Weights> {
        let mut w = [0; KINDS];
        if values.len() != KINDS {
            return None;
        }
        for (slot, &v) in w.iter_mut().zip(values) {
            if !(v >= 0.0 && (v * 2.0).fract() == 0.0 && v * 2.0 <= i64::MAX as f64) {
                return None;
            }
            *slot = (v * 2.0) as i64;
        }
        Some(Weights(w))
    }
}

/// The members, their evidence and their containment records as [`provenance`] saw them (for
/// re-deciding under other weights when fitting them: [`provenance_weighted`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProvenanceInput {
    /// The members, sorted.
    pub members: Vec<u32>,
    /// Their evidence, in `members` order.
    pub evidence: Vec<DocEvidence>,
    /// The containment records among them.
    pub containment: Vec<Containment>,
}

impl ProvenanceInput {
    /// What [`provenance`] would see of `members`.
    pub fn new(
        members: &[u32],
        evidence: &dyn Fn(u32) -> DocEvidence,
        containment: &[Containment],
    ) -> Self {
        let mut docs = members.to_vec();
        docs.sort_unstable();
        docs.dedup();
        let inside = |d: u32| docs.binary_search(&d).is_ok();
        ProvenanceInput {
            evidence: docs.iter().map(|&d| evidence(d)).collect(),
            containment: containment
                .iter()
                .filter(|c| inside(c.a) && inside(c.b))
                .copied()
                .collect(),
            members: docs,
        }
    }

    /// [`provenance_weighted`] of this input.
    pub fn decide(&self, weights: &Weights) -> Provenance {
        provenance_weighted(
            &self.members,
            &|d| self.evidence_of(d),
            &self.containment,
            weights,
        )
    }

    /// The votes that [`provenance`] weighs, between every two members `x < y`, kind by kind
    /// (pairs where no kind votes left out): what the weights are fitted on
    /// (`scripts/fit_provenance.py`).
    pub fn votes(&self) -> Vec<PairVotes> {
        let docs = &self.members;
        let (ev, _) = member_evidence(docs, &|d| self.evidence_of(d), &self.containment);
        let ranking = Ranking::new(docs, &ev, &self.containment, &Weights::default());
        let mut out = Vec::new();
        for x in 0..docs.len() {
            for y in x + 1..docs.len() {
                let net = ranking.votes_between(x, y).map(|v| v as i8);
                if net.iter().any(|&v| v != 0) {
                    out.push(PairVotes {
                        x: docs[x],
                        y: docs[y],
                        net,
                    });
                }
            }
        }
        out
    }

    fn evidence_of(&self, d: u32) -> DocEvidence {
        self.members
            .binary_search(&d)
            .map(|i| self.evidence[i].clone())
            .unwrap_or_default()
    }
}

/// The kinds of evidence, in the order of [`PairVotes::net`].
pub const EVIDENCE_KINDS: [&str; KINDS] = [
    "date",
    "containment",
    "boilerplate",
    "attribution",
    "translation",
    "wrapped",
    "fuller",
    "update",
];

/// The votes between two members of a cluster, kind by kind (see [`ProvenanceInput::votes`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairVotes {
    /// One member.
    pub x: u32,
    /// The other member.
    pub y: u32,
    /// Per kind of evidence ([`EVIDENCE_KINDS`]): +1 when it votes for `x` as the earlier
    /// version over `y`, −1 when for `y`, 0 when it says nothing.
    pub net: [i8; KINDS],
}

/// What a piece of evidence *against* a document is called in a reason.
const AGAINST: [&str; KINDS] = [
    "a later date",
    "its text contained in a longer document",
    "more wrapper boilerplate",
    "no attribution line",
    "signs of machine translation",
    "another document's whole text inside it after text of its own",
    "less content than a version of it (a simplified or condensed version)",
    "an update line the other lacks (a later version)",
];

/// Ranks the likely original among `members` (two or more documents).
///
/// Every pair of members is compared on eight kinds of evidence; each comparison is a vote for
/// one of the two, worth the kind's weight:
///
/// | evidence | weight | vote for `x` over `y` when |
/// |---|---|---|
/// | date | 4.0 | both dates parse and `x`'s is strictly earlier (at the precision both have) |
/// | containment | 3.0 | `y_in_x ≥ 0.8` and `x_in_y ≤ y_in_x − 0.15`: `x` holds `y`'s text plus more of its own (`y` is an abridgement or extract) |
/// | wrapper boilerplate | 2.0 | `y`'s boilerplate share (boilerplate ÷ (boilerplate + content)) exceeds `x`'s by ≥ 0.15, or `x` has no boilerplate at all and `y`'s share is ≥ 0.03: `y` is the repost |
/// | attribution | 1.5 | `x` carries an attribution line naming a source agency and `y` does not |
/// | update line | 1.5 | `y` carries an update or correction line and `x` does not: `y` is a later version |
/// | machine translation | 3.0 | `y` shows signs of machine translation and `x` does not |
/// | fuller version | 4.0 | `x` and `y` are versions of one text (`reworded`, or `duplicate` with `x` covered ≥ 0.95 by `y`) in one language, each covering ≥ 0.5 of the other, and `x` has ≥ 1.1 times `y`'s content and no fewer words per sentence: `y` is the simplified or condensed version |
/// | wrapped | 3.0 | `y` holds all of `x` as containment would say, but `x`'s text starts after ≥ 3 % of `y`'s own content: `y` wraps or quotes `x` (a repost, an embedded passage), so the vote goes to `x` instead of `y` |
///
/// **Undated members**: a member without a date may be the earliest, so a top scorer with date
/// votes is named only when other evidence already puts every undated member below it.
/// **Copies**: when the top scorer and its rival (a tie, or such an undated member) hold the
/// same text (`same_text`) and nothing tells them apart, the reason starts
/// `"undetermined: no evidence between"`: exact copies without evidence stay undetermined.
///
/// Attribution and update lines are compared only between members of one language (or of
/// unknown language).
/// **One language out**: in a cluster of three or more members whose languages are all known,
/// where one member is the only one in its language and all the others share another and hold
/// at least two different texts (copies of one translation, joined by `duplicate` or
/// `same_text`, count once), the others are translations of it (one source, translated
/// several times into one language):
/// they count as showing signs of machine translation, and when the ranking below names no
/// original, that member is named ("the only document in its language").
///
/// A member's score is the sum of its votes won minus its votes lost, divided by the number
/// of other members (so it is on the same scale whatever the cluster size). The top scorer
/// is the original when its score is ≥ 2.0, it leads the runner-up by ≥ 0.5, and the evidence
/// against it weighs at most half the evidence for it. Otherwise the answer is `None` with a
/// reason starting `"undetermined: "`: no evidence, thin evidence (e.g. an attribution line
/// alone), contradictory evidence (e.g. the earlier document is contained in the later one),
/// or a tie. Duplicate members are ignored; containment records about documents outside
/// `members` are ignored; when several records cover the same pair, the one with the highest
/// coverage is used. Deterministic: the reason names documents as `doc N` (or "the other"
/// in a two-document cluster) and lists them in index order.
pub fn provenance(
    members: &[u32],
    evidence: &dyn Fn(u32) -> DocEvidence,
    containment: &[Containment],
) -> Provenance {
    provenance_weighted(members, evidence, containment, &Weights::default())
}

/// [`provenance`] under other weights.
pub fn provenance_weighted(
    members: &[u32],
    evidence: &dyn Fn(u32) -> DocEvidence,
    containment: &[Containment],
    weights: &Weights,
) -> Provenance {
    let mut docs = members.to_vec();
    docs.sort_unstable();
    docs.dedup();
    match docs.len() {
        0 => {
            return Provenance {
                original: None,
                reason: "undetermined: no documents".to_string(),
            }
        }
        1 => {
            return Provenance {
                original: Some(docs[0]),
                reason: "the only document in its cluster".to_string(),
            }
        }
        _ => {}
    }
    let (ev, odd) = member_evidence(&docs, evidence, containment);
    let ranked = Ranking::new(&docs, &ev, containment, weights).decide();
    match (ranked.original, odd) {
        (None, Some(o)) => Provenance {
            original: Some(docs[o]),
            reason: format!(
                "the only document in its language ({}); the {} others are translations of it",
                ev[o].lang.as_deref().unwrap_or("?"),
                docs.len() - 1
            ),
        },
        _ => ranked,
    }
}

/// The members' evidence, with the one-language-out rule applied: the others of a member
/// alone in its language count as showing signs of translation. Also that member's position.
fn member_evidence(
    docs: &[u32],
    evidence: &dyn Fn(u32) -> DocEvidence,
    containment: &[Containment],
) -> (Vec<DocEvidence>, Option<usize>) {
    let mut ev: Vec<DocEvidence> = docs.iter().map(|&d| evidence(d)).collect();
    let odd = one_language_out(&ev, docs, containment);
    if let Some(o) = odd {
        for (i, e) in ev.iter_mut().enumerate() {
            e.machine_translation_signs |= i != o;
        }
    }
    (ev, odd)
}

/// The position of the one member written in a language none of the others uses, when the
/// others all share one language, hold at least two different texts (copies and reposts of one
/// translation are one translation: `duplicate` and `same_text` records join them), and every
/// language is known.
fn one_language_out(
    ev: &[DocEvidence],
    docs: &[u32],
    containment: &[Containment],
) -> Option<usize> {
    if ev.len() < 3 {
        return None;
    }
    // Members joined by `same_text` or `duplicate` records share a label.
    let pos = |d: u32| docs.binary_search(&d).ok().map(|p| p as u32);
    let joined: Vec<(u32, u32)> = containment
        .iter()
        .filter(|c| c.same_text || c.duplicate)
        .filter_map(|c| Some((pos(c.a)?, pos(c.b)?)))
        .collect();
    let label = crate::components(ev.len(), &joined);
    let langs: Vec<&str> = ev
        .iter()
        .map(|e| e.lang.as_deref().filter(|l| !l.is_empty()))
        .collect::<Option<_>>()?;
    let odd: Vec<usize> = (0..langs.len())
        .filter(|&i| langs.iter().filter(|&&l| l == langs[i]).count() == 1)
        .collect();
    let (&[o], rest) = (odd.as_slice(), &langs) else {
        return None;
    };
    let other = langs[if o == 0 { 1 } else { 0 }];
    let mut texts: Vec<u32> = (0..ev.len())
        .filter(|&i| i != o)
        .map(|i| label[i])
        .collect();
    texts.sort_unstable();
    texts.dedup();
    (texts.len() >= 2 && rest.iter().enumerate().all(|(i, &l)| i == o || l == other)).then_some(o)
}

/// A date with the precision it was given in, as an inclusive range of day numbers.
#[derive(Debug, Clone)]
struct Day {
    start: i64,
    end: i64,
    text: String,
}

fn parse_date(s: &str) -> Option<Day> {
    let b = s.trim().as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = b.get(from..from + len)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(
            part.iter()
                .fold(0i64, |acc, &c| acc * 10 + i64::from(c - b'0')),
        )
    };
    let year = num(0, 4)?;
    let mut used = 4;
    let month = if b.get(4) == Some(&b'-') {
        used = 7;
        Some(num(5, 2)?)
    } else {
        None
    };
    let day = match month {
        Some(_) if b.get(7) == Some(&b'-') => {
            used = 10;
            Some(num(8, 2)?)
        }
        _ => None,
    };
    if b.get(used).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let text = String::from_utf8_lossy(&b[..used]).into_owned();
    match (month, day) {
        (None, _) => Some(Day {
            start: days_from_civil(year, 1, 1),
            end: days_from_civil(year, 12, 31),
            text,
        }),
        (Some(m), None) if (1..=12).contains(&m) => Some(Day {
            start: days_from_civil(year, m, 1),
            end: days_from_civil(year, m, days_in_month(year, m)),
            text,
        }),
        (Some(m), Some(d))
            if (1..=12).contains(&m) && (1..=days_in_month(year, m)).contains(&d) =>
        {
            let n = days_from_civil(year, m, d);
            Some(Day {
                start: n,
                end: n,
                text,
            })
        }
        _ => None,
    }
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Thousands separators: 12345 → "12,345".
fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut groups: Vec<&str> = digits
        .as_bytes()
        .rchunks(3)
        .map(|g| std::str::from_utf8(g).unwrap_or_default())
        .collect();
    groups.reverse();
    groups.join(",")
}

/// Up to three items, then "and N more".
fn list(items: &[String]) -> String {
    if items.len() <= 3 {
        items.join(", ")
    } else {
        format!("{}, and {} more", items[..3].join(", "), items.len() - 3)
    }
}

fn share(x: f32) -> f32 {
    if x.is_nan() {
        0.0
    } else {
        x.clamp(0.0, 1.0)
    }
}

/// Containment between members `lo < hi` (positions in the sorted member list).
#[derive(Debug, Clone, Copy)]
struct Pair {
    /// Share of `lo` covered by `hi`.
    lo_in_hi: f32,
    /// Share of `hi` covered by `lo`.
    hi_in_lo: f32,
    /// Share of `lo`'s content before the shared text.
    lo_head: f32,
    /// Share of `hi`'s content before the shared text.
    hi_head: f32,
    /// The record as given, for the reason.
    record: Containment,
}

struct Ranking<'a> {
    docs: &'a [u32],
    weights: [i64; KINDS],
    ev: &'a [DocEvidence],
    dates: Vec<Option<Day>>,
    /// Boilerplate share in millionths, `None` when the document has no length at all.
    shares: Vec<Option<i64>>,
    /// Containing pairs: `(container, contained) → record`.
    contains: BTreeMap<(usize, usize), Pair>,
    /// Wrapped pairs: `(inner, wrapper) → record`.
    wrapped: BTreeMap<(usize, usize), Pair>,
    /// Versions of one text of which one is the fuller: `(fuller, simplified)`.
    simpler: BTreeSet<(usize, usize)>,
    /// Pairs `(lo, hi)` that hold the same text (`Containment::same_text`).
    same: BTreeSet<(usize, usize)>,
    wins: Vec<[i64; KINDS]>,
    losses: Vec<[i64; KINDS]>,
}

impl<'a> Ranking<'a> {
    fn new(
        docs: &'a [u32],
        ev: &'a [DocEvidence],
        containment: &[Containment],
        weights: &Weights,
    ) -> Self {
        let k = docs.len();
        let mut r = Ranking {
            docs,
            weights: weights.0,
            ev,
            dates: ev
                .iter()
                .map(|e| e.date.as_deref().and_then(parse_date))
                .collect(),
            shares: ev
                .iter()
                .map(|e| {
                    let total = e.boilerplate_len as u128 + e.content_len as u128;
                    (total > 0).then(|| (e.boilerplate_len as u128 * 1_000_000 / total) as i64)
                })
                .collect(),
            contains: BTreeMap::new(),
            wrapped: BTreeMap::new(),
            simpler: BTreeSet::new(),
            same: BTreeSet::new(),
            wins: vec![[0; KINDS]; k],
            losses: vec![[0; KINDS]; k],
        };
        r.tally_dates();
        r.tally_containment(containment);
        r.tally_boilerplate();
        r.tally_flags();
        r
    }

    /// A kind's weight as a reason shows it: `[weight 4.0]`.
    fn weight_tag(&self, kind: usize) -> String {
        format!("[weight {:.1}]", self.weights[kind] as f32 / 2.0)
    }

    /// The evidence against member `i`, each kind with its weight.
    fn against_parts(&self, i: usize) -> Vec<String> {
        (0..KINDS)
            .filter(|&kind| self.losses[i][kind] > 0)
            .map(|kind| format!("{} {}", AGAINST[kind], self.weight_tag(kind)))
            .collect()
    }

    fn pos(&self, doc: u32) -> Option<usize> {
        self.docs.binary_search(&doc).ok()
    }

    /// Dates vote between every two dated members; an undated member takes no part (it may
    /// be the earliest, so it loses nothing, and it wins nothing either).
    fn tally_dates(&mut self) {
        let mut starts: Vec<i64> = self.dates.iter().flatten().map(|d| d.start).collect();
        let mut ends: Vec<i64> = self.dates.iter().flatten().map(|d| d.end).collect();
        starts.sort_unstable();
        ends.sort_unstable();
        for (i, date) in self.dates.iter().enumerate() {
            if let Some(d) = date {
                self.wins[i][DATE] =
                    (starts.len() - starts.partition_point(|&s| s <= d.end)) as i64;
                self.losses[i][DATE] = ends.partition_point(|&e| e < d.start) as i64;
            }
        }
    }

    fn tally_containment(&mut self, containment: &[Containment]) {
        let mut pairs: BTreeMap<(usize, usize), Pair> = BTreeMap::new();
        for c in containment {
            let (Some(pa), Some(pb)) = (self.pos(c.a), self.pos(c.b)) else {
                continue;
            };
            if pa == pb {
                continue;
            }
            let (a_in_b, b_in_a) = (share(c.a_in_b), share(c.b_in_a));
            let pair = if pa < pb {
                Pair {
                    lo_in_hi: a_in_b,
                    hi_in_lo: b_in_a,
                    lo_head: share(c.a_head),
                    hi_head: share(c.b_head),
                    record: *c,
                }
            } else {
                Pair {
                    lo_in_hi: b_in_a,
                    hi_in_lo: a_in_b,
                    lo_head: share(c.b_head),
                    hi_head: share(c.a_head),
                    record: *c,
                }
            };
            let key = (pa.min(pb), pa.max(pb));
            let strength = |p: &Pair| p.lo_in_hi.max(p.hi_in_lo);
            match pairs.get(&key) {
                Some(old) if strength(old) >= strength(&pair) => {}
                _ => {
                    pairs.insert(key, pair);
                }
            }
        }
        for (&(lo, hi), p) in &pairs {
            if p.record.same_text {
                self.same.insert((lo, hi));
            }
            self.tally_simpler(lo, hi, p);
            let (container, contained) =
                if p.hi_in_lo >= CONTAINS_MIN && p.lo_in_hi <= p.hi_in_lo - CONTAINS_GAP {
                    (lo, hi)
                } else if p.lo_in_hi >= CONTAINS_MIN && p.hi_in_lo <= p.lo_in_hi - CONTAINS_GAP {
                    (hi, lo)
                } else {
                    continue;
                };
            let head = if container == lo {
                p.lo_head
            } else {
                p.hi_head
            };
            if head >= WRAP_HEAD {
                self.wins[contained][WRAPPED] += 1;
                self.losses[container][WRAPPED] += 1;
                self.wrapped.insert((contained, container), *p);
                continue;
            }
            self.wins[container][CONTAINMENT] += 1;
            self.losses[contained][CONTAINMENT] += 1;
            self.contains.insert((container, contained), *p);
        }
    }

    /// Two members of one language that are versions of one text (each covers much of the
    /// other, not the same text) vote by content: the one with clearly less content and no
    /// longer sentences is the simplified or condensed version.
    fn tally_simpler(&mut self, lo: usize, hi: usize, p: &Pair) {
        let (el, eh) = (&self.ev[lo], &self.ev[hi]);
        let one_language = el.lang.is_some() && el.lang == eh.lang;
        let measured = el.words_per_sentence > 0.0 && eh.words_per_sentence > 0.0;
        if !((p.record.reworded || p.record.duplicate)
            && !p.record.same_text
            && one_language
            && measured
            && p.lo_in_hi.min(p.hi_in_lo) >= SIMPLER_COVER)
        {
            return;
        }
        // `x` is the fuller version of `y`: clearly more content and sentences no shorter; for a
        // duplicate also its extra words spread through text that `y` covers (not a block of
        // its own).
        let fuller = |x: &DocEvidence, y: &DocEvidence, x_in_y: f32| {
            x.words_per_sentence >= y.words_per_sentence
                && x.content_len as f32 >= SIMPLER_RATIO * y.content_len as f32
                && (!p.record.duplicate || x_in_y >= SPREAD_COVER)
        };
        let (longer, shorter) = if fuller(el, eh, p.lo_in_hi) {
            (lo, hi)
        } else if fuller(eh, el, p.hi_in_lo) {
            (hi, lo)
        } else {
            return;
        };
        self.wins[longer][SIMPLER] += 1;
        self.losses[shorter][SIMPLER] += 1;
        self.simpler.insert((longer, shorter));
    }

    /// Counts [`more_wrapper`] over sorted shares (`O(k log k)`).
    fn tally_boilerplate(&mut self) {
        let mut sorted: Vec<i64> = self.shares.iter().flatten().copied().collect();
        sorted.sort_unstable();
        let at_least = |v: i64| (sorted.len() - sorted.partition_point(|&y| y < v)) as i64;
        let at_most = |v: i64| sorted.partition_point(|&y| y <= v) as i64;
        let bare = at_most(0);
        for (i, s) in self.shares.iter().enumerate() {
            let Some(s) = *s else { continue };
            // Beside a bare text (share 0) any wrapper of at least SOME_WRAPPER counts.
            let floor = if s == 0 {
                SOME_WRAPPER.min(BOILERPLATE_GAP)
            } else {
                s + BOILERPLATE_GAP
            };
            self.wins[i][BOILERPLATE] = at_least(floor);
            let mut lost = at_most(s - BOILERPLATE_GAP);
            if (SOME_WRAPPER..BOILERPLATE_GAP).contains(&s) {
                lost += bare;
            }
            self.losses[i][BOILERPLATE] = lost;
        }
    }

    /// For each member, the members it is compared with on a language-bound flag (those of its
    /// language and those of unknown language; all for a member of unknown language) and how
    /// many of them carry the flag, itself included.
    fn within_language(&self, flag: impl Fn(&DocEvidence) -> bool) -> Vec<(i64, i64)> {
        // (members, flagged) per language; `None`: language unknown, compared with all.
        let mut per_lang: BTreeMap<Option<&str>, (i64, i64)> = BTreeMap::new();
        for e in self.ev {
            let c = per_lang.entry(e.lang.as_deref()).or_default();
            c.0 += 1;
            c.1 += i64::from(flag(e));
        }
        let total = per_lang
            .values()
            .fold((0, 0), |(n, a), &(m, b)| (n + m, a + b));
        let unknown = per_lang.get(&None).copied().unwrap_or_default();
        self.ev
            .iter()
            .map(|e| match e.lang.as_deref() {
                None => total,
                l => {
                    let own = per_lang.get(&l).copied().unwrap_or_default();
                    (own.0 + unknown.0, own.1 + unknown.1)
                }
            })
            .collect()
    }

    fn tally_flags(&mut self) {
        let k = self.docs.len() as i64;
        let translated = self
            .ev
            .iter()
            .filter(|e| e.machine_translation_signs)
            .count() as i64;
        // Attribution and update lines within a language: members of another known language
        // are not compared.
        let attributed = self.within_language(|e| e.attribution);
        let updated = self.within_language(|e| e.update_line);
        for (i, e) in self.ev.iter().enumerate() {
            let (n, a) = attributed[i];
            if e.attribution {
                self.wins[i][ATTRIBUTION] = n - a;
            } else {
                self.losses[i][ATTRIBUTION] = a;
            }
            let (n, u) = updated[i];
            if e.update_line {
                self.losses[i][VERSION] = n - u;
            } else {
                self.wins[i][VERSION] = u;
            }
            if e.machine_translation_signs {
                self.losses[i][TRANSLATION] = k - translated;
            } else {
                self.wins[i][TRANSLATION] = translated;
            }
        }
    }

    /// Per kind, +1 when the evidence votes for `x` over `y`, −1 when for `y` over `x` (the
    /// same votes as the tallies, for one pair).
    fn votes_between(&self, x: usize, y: usize) -> [i64; KINDS] {
        let sign = |for_x: bool, for_y: bool| i64::from(for_x) - i64::from(for_y);
        let mut v = [0; KINDS];
        if let (Some(dx), Some(dy)) = (&self.dates[x], &self.dates[y]) {
            v[DATE] = sign(dx.end < dy.start, dy.end < dx.start);
        }
        v[CONTAINMENT] = sign(
            self.contains.contains_key(&(x, y)),
            self.contains.contains_key(&(y, x)),
        );
        v[WRAPPED] = sign(
            self.wrapped.contains_key(&(x, y)),
            self.wrapped.contains_key(&(y, x)),
        );
        v[SIMPLER] = sign(
            self.simpler.contains(&(x, y)),
            self.simpler.contains(&(y, x)),
        );
        if let (Some(sx), Some(sy)) = (self.shares[x], self.shares[y]) {
            v[BOILERPLATE] = sign(more_wrapper(sx, sy), more_wrapper(sy, sx));
        }
        let (ex, ey) = (&self.ev[x], &self.ev[y]);
        if ex.lang.is_none() || ey.lang.is_none() || ex.lang == ey.lang {
            v[ATTRIBUTION] = sign(
                ex.attribution && !ey.attribution,
                ey.attribution && !ex.attribution,
            );
            v[VERSION] = sign(
                ey.update_line && !ex.update_line,
                ex.update_line && !ey.update_line,
            );
        }
        v[TRANSLATION] = sign(
            ey.machine_translation_signs && !ex.machine_translation_signs,
            ex.machine_translation_signs && !ey.machine_translation_signs,
        );
        v
    }

    /// The weighted evidence for `x` over `y` minus that for `y` over `x`.
    fn net_between(&self, x: usize, y: usize) -> i64 {
        let v = self.votes_between(x, y);
        (0..KINDS).map(|k| self.weights[k] * v[k]).sum()
    }

    /// Members `x` and `y` hold the same text and no evidence sets one above the other.
    fn copies_without_evidence(&self, x: usize, y: usize) -> bool {
        self.same.contains(&(x.min(y), x.max(y))) && self.net_between(x, y) == 0
    }

    fn pro(&self, i: usize) -> i64 {
        (0..KINDS)
            .map(|kind| self.weights[kind] * self.wins[i][kind])
            .sum()
    }

    fn con(&self, i: usize) -> i64 {
        (0..KINDS)
            .map(|kind| self.weights[kind] * self.losses[i][kind])
            .sum()
    }

    fn decide(&self) -> Provenance {
        let k = self.docs.len();
        let others = (k - 1) as i64;
        if (0..k).all(|i| self.pro(i) == 0) {
            return undetermined(
                "no evidence (no differing dates, no containment, similar boilerplate, \
                 no attribution line or machine-translation signs that tell them apart)"
                    .to_string(),
            );
        }
        let score = |i: usize| self.pro(i) - self.con(i);
        // Highest score; ties go to the smaller index (only for naming: a tie is undetermined).
        let top = (0..k)
            .max_by(|&x, &y| score(x).cmp(&score(y)).then(y.cmp(&x)))
            .unwrap_or(0);
        let second = (0..k)
            .filter(|&i| i != top)
            .max_by(|&x, &y| score(x).cmp(&score(y)).then(y.cmp(&x)))
            .unwrap_or(0);
        let (pro, con) = (self.pro(top), self.con(top));
        let net = pro - con;
        let margin = net - score(second);
        let doc = self.docs[top];
        // A member without a date may be the earliest: a lead built on dates stands only when
        // other evidence already puts every undated member below it.
        if self.wins[top][DATE] > 0 {
            if let Some(u) =
                (0..k).find(|&u| self.dates[u].is_none() && self.net_between(top, u) <= 0)
            {
                if self.copies_without_evidence(top, u) {
                    return undetermined(format!(
                        "no evidence between doc {} and doc {}: copies of one text, and only \
                         doc {doc} has a date (for doc {doc}: {})",
                        doc.min(self.docs[u]),
                        doc.max(self.docs[u]),
                        self.for_parts(top).join("; ")
                    ));
                }
                return undetermined(format!(
                    "doc {} has no date and nothing else tells it apart from doc {doc}; it may \
                     be the original (for doc {doc}: {})",
                    self.docs[u],
                    self.for_parts(top).join("; ")
                ));
            }
        }
        if net >= MIN_NET * others && 2 * con <= pro && margin >= MIN_MARGIN * others {
            let mut reason = self.for_parts(top).join("; ");
            let against = self.against_parts(top);
            if !against.is_empty() {
                reason.push_str("; outweighing ");
                reason.push_str(&against.join(", "));
            }
            return Provenance {
                original: Some(doc),
                reason,
            };
        }
        let second_doc = self.docs[second];
        if con > 0 {
            let detail = if k == 2 {
                format!(
                    "for doc {doc}: {}; for doc {second_doc}: {}",
                    self.for_parts(top).join("; "),
                    self.for_parts(second).join("; ")
                )
            } else {
                let against = self.against_parts(top);
                format!(
                    "for doc {doc}: {}; against it: {}",
                    self.for_parts(top).join("; "),
                    against.join(", ")
                )
            };
            return undetermined(format!("contradictory evidence ({detail})"));
        }
        if margin < MIN_MARGIN * others {
            if self.copies_without_evidence(top, second) {
                return undetermined(format!(
                    "no evidence between doc {} and doc {}: copies of one text that nothing \
                     tells apart (for both: {})",
                    doc.min(second_doc),
                    doc.max(second_doc),
                    self.for_parts(top).join("; ")
                ));
            }
            return undetermined(format!(
                "tie between doc {} and doc {} ({})",
                doc.min(second_doc),
                doc.max(second_doc),
                self.for_parts(top).join("; ")
            ));
        }
        undetermined(format!(
            "thin evidence (only: {})",
            self.for_parts(top).join("; ")
        ))
    }

    /// The evidence in favour of member `w`, in plain words, strongest first.
    fn for_parts(&self, w: usize) -> Vec<String> {
        let k = self.docs.len();
        let two = k == 2;
        let mut parts = Vec::new();
        let wins = &self.wins[w];
        if wins[DATE] > 0 {
            if let Some(d) = &self.dates[w] {
                let mut later: Vec<&Day> = self
                    .dates
                    .iter()
                    .flatten()
                    .filter(|o| o.start > d.end)
                    .collect();
                later.sort_by(|x, y| (x.start, &x.text).cmp(&(y.start, &y.text)));
                let mut texts: Vec<String> = later.iter().map(|o| o.text.clone()).collect();
                texts.dedup();
                if self.losses[w][DATE] == 0 {
                    parts.push(format!("earliest date ({} vs {})", d.text, list(&texts)));
                } else {
                    parts.push(format!(
                        "earlier date than {} of the others ({} vs {})",
                        wins[DATE],
                        d.text,
                        list(&texts)
                    ));
                }
            }
        }
        if wins[CONTAINMENT] > 0 {
            let contained: Vec<(usize, Pair)> = self
                .contains
                .range((w, 0)..(w + 1, 0))
                .map(|(&(_, o), &p)| (o, p))
                .collect();
            for (o, p) in contained.iter().take(2) {
                let r = p.record;
                let wd = self.docs[w];
                let (other_in_w, w_in_other, l_other, l_w) = if r.a == wd {
                    (share(r.b_in_a), share(r.a_in_b), "b_in_a", "a_in_b")
                } else {
                    (share(r.a_in_b), share(r.b_in_a), "a_in_b", "b_in_a")
                };
                let whose = if two {
                    "the other's".to_string()
                } else {
                    format!("doc {}'s", self.docs[*o])
                };
                parts.push(format!(
                    "contains {whose} text plus {} ({l_other} {other_in_w:.2}, {l_w} {w_in_other:.2})",
                    self.worth(w, w_in_other)
                ));
            }
            if contained.len() > 2 {
                parts.push(format!(
                    "contains the text of {} more documents",
                    contained.len() - 2
                ));
            }
        }
        if wins[WRAPPED] > 0 {
            let outer: Vec<usize> = self
                .wrapped
                .range((w, 0)..(w + 1, 0))
                .map(|(&(_, o), _)| o)
                .collect();
            let whose = if two {
                "the other".to_string()
            } else {
                list(
                    &outer
                        .iter()
                        .map(|&o| format!("doc {}", self.docs[o]))
                        .collect::<Vec<_>>(),
                )
            };
            parts.push(format!(
                "its whole text sits inside {whose} after text of that document's own (a repost \
                 wrapper or a quotation of it)"
            ));
        }
        if wins[BOILERPLATE] > 0 {
            if let Some(s) = self.shares[w] {
                let mut theirs: Vec<usize> = (0..k)
                    .filter(|&i| self.shares[i].is_some_and(|y| more_wrapper(s, y)))
                    .map(|i| self.ev[i].boilerplate_len)
                    .collect();
                theirs.sort_unstable();
                let theirs: Vec<String> = theirs.into_iter().map(count).collect();
                let mine = count(self.ev[w].boilerplate_len);
                if two {
                    parts.push(format!(
                        "less wrapper boilerplate ({mine} vs {} characters around the text; \
                         the other looks like a repost)",
                        list(&theirs)
                    ));
                } else {
                    parts.push(format!(
                        "less wrapper boilerplate than {} of the others ({mine} vs {} \
                         characters around the text; they look like reposts)",
                        wins[BOILERPLATE],
                        list(&theirs)
                    ));
                }
            }
        }
        if wins[SIMPLER] > 0 {
            let shorter: Vec<usize> = self
                .simpler
                .range((w, 0)..(w + 1, 0))
                .map(|&(_, o)| o)
                .collect();
            let chars: Vec<String> = shorter
                .iter()
                .map(|&o| count(self.ev[o].content_len))
                .collect();
            let words: Vec<String> = shorter
                .iter()
                .map(|&o| format!("{:.1}", self.ev[o].words_per_sentence))
                .collect();
            let whose = if two {
                "the other reads as a simplified or condensed version".to_string()
            } else if shorter.len() == 1 {
                format!(
                    "doc {} reads as a simplified or condensed version",
                    self.docs[shorter[0]]
                )
            } else {
                format!(
                    "{} read as simplified or condensed versions",
                    list(
                        &shorter
                            .iter()
                            .map(|&o| format!("doc {}", self.docs[o]))
                            .collect::<Vec<_>>()
                    )
                )
            };
            parts.push(format!(
                "fuller version ({} vs {} characters, {:.1} vs {} words per sentence; {whose})",
                count(self.ev[w].content_len),
                list(&chars),
                self.ev[w].words_per_sentence,
                list(&words)
            ));
        }
        if wins[ATTRIBUTION] > 0 {
            if two {
                parts.push(
                    "carries an attribution line naming a source agency (the other does not)"
                        .to_string(),
                );
            } else {
                parts.push(format!(
                    "carries an attribution line naming a source agency ({} of the others do not)",
                    wins[ATTRIBUTION]
                ));
            }
        }
        if wins[TRANSLATION] > 0 {
            if two {
                parts.push("the other shows signs of machine translation".to_string());
            } else if wins[TRANSLATION] == 1 {
                parts.push("1 of the others shows signs of machine translation".to_string());
            } else {
                parts.push(format!(
                    "{} of the others show signs of machine translation",
                    wins[TRANSLATION]
                ));
            }
        }
        if wins[VERSION] > 0 {
            if two {
                parts.push("no update line where the other has one (a later version)".to_string());
            } else {
                parts.push(format!(
                    "no update line where {} of the others {} one (later versions)",
                    wins[VERSION],
                    if wins[VERSION] == 1 { "has" } else { "have" }
                ));
            }
        }
        // One part per kind that won, in this order: tag each with its weight.
        let kinds = [
            DATE,
            CONTAINMENT,
            WRAPPED,
            BOILERPLATE,
            SIMPLER,
            ATTRIBUTION,
            TRANSLATION,
            VERSION,
        ]
        .into_iter()
        .filter(|&kind| wins[kind] > 0);
        parts
            .into_iter()
            .zip(kinds)
            .map(|(part, kind)| format!("{part} {}", self.weight_tag(kind)))
            .collect()
    }

    /// How much more text member `w` holds than what the other covers of it.
    fn worth(&self, w: usize, w_in_other: f32) -> String {
        let len = self.ev[w].content_len;
        if len == 0 {
            return "more of its own".to_string();
        }
        let extra = (f64::from(1.0 - w_in_other) * len as f64).round() as usize;
        match (extra + PARAGRAPH_CHARS / 2) / PARAGRAPH_CHARS {
            0 => format!("{} more characters", count(extra)),
            1 => "1 more paragraph's worth".to_string(),
            p => format!("{p} more paragraphs' worth"),
        }
    }
}

/// A text with boilerplate share `y` (millionths) sits in more wrapper than one with share `x`:
/// by at least [`BOILERPLATE_GAP`], or any wrapper at all (≥ [`SOME_WRAPPER`]) where `x` has
/// none.
fn more_wrapper(x: i64, y: i64) -> bool {
    y >= x + BOILERPLATE_GAP || (x == 0 && y >= SOME_WRAPPER)
}

fn undetermined(why: String) -> Provenance {
    Provenance {
        original: None,
        reason: format!("undetermined: {why}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(date: Option<&str>, content: usize, boilerplate: usize) -> DocEvidence {
        DocEvidence {
            date: date.map(str::to_string),
            content_len: content,
            boilerplate_len: boilerplate,
            attribution: false,
            machine_translation_signs: false,
            update_line: false,
            lang: None,
            words_per_sentence: 0.0,
        }
    }

    fn run(evs: &[DocEvidence], containment: &[Containment]) -> Provenance {
        let members: Vec<u32> = (0..evs.len() as u32).collect();
        provenance(&members, &|d| evs[d as usize].clone(), containment)
    }

    #[test]
    fn earliest_date_wins() {
        let evs = [
            doc(Some("2021-10-22"), 2000, 100),
            doc(Some("2021-10-21T08:00:00Z"), 2000, 100),
        ];
        let p = run(&evs, &[]);
        assert_eq!(p.original, Some(1));
        assert_eq!(
            p.reason,
            "earliest date (2021-10-21 vs 2021-10-22) [weight 4.0]"
        );
    }

    #[test]
    fn date_outweighs_boilerplate() {
        let evs = [
            doc(Some("2021-10-21"), 2000, 1500),
            doc(Some("2021-10-22"), 2000, 100),
        ];
        let p = run(&evs, &[]);
        assert_eq!(p.original, Some(0));
        assert_eq!(
            p.reason,
            "earliest date (2021-10-21 vs 2021-10-22) [weight 4.0]; outweighing more wrapper \
             boilerplate [weight 2.0]"
        );
    }

    #[test]
    fn equal_or_unparsable_dates_are_no_evidence() {
        let evs = [
            doc(Some("2021-10-21"), 2000, 0),
            doc(Some("2021-10-21"), 2000, 0),
        ];
        let p = run(&evs, &[]);
        assert_eq!(p.original, None);
        assert!(
            p.reason.starts_with("undetermined: no evidence"),
            "{}",
            p.reason
        );
        let evs = [
            doc(Some("yesterday"), 2000, 0),
            doc(Some("2021-13-01"), 2000, 0),
        ];
        assert_eq!(run(&evs, &[]).original, None);
        // Month precision vs a day in the same month: not comparable.
        let evs = [
            doc(Some("2021-10"), 2000, 0),
            doc(Some("2021-10-05"), 2000, 0),
        ];
        assert_eq!(run(&evs, &[]).original, None);
        // ... but an earlier month is earlier.
        let evs = [
            doc(Some("2021-09"), 2000, 0),
            doc(Some("2021-10-05"), 2000, 0),
        ];
        let p = run(&evs, &[]);
        assert_eq!(p.original, Some(0));
        assert_eq!(
            p.reason,
            "earliest date (2021-09 vs 2021-10-05) [weight 4.0]"
        );
    }

    #[test]
    fn containment_names_the_longer_text() {
        let evs = [doc(None, 2400, 0), doc(None, 1700, 0)];
        let c = [Containment {
            a: 0,
            b: 1,
            a_in_b: 0.71,
            b_in_a: 0.98,
            ..Default::default()
        }];
        let p = run(&evs, &c);
        assert_eq!(p.original, Some(0));
        assert_eq!(
            p.reason,
            "contains the other's text plus 2 more paragraphs' worth (b_in_a 0.98, a_in_b 0.71) \
             [weight 3.0]"
        );
        // Same record given the other way round.
        let c = [Containment {
            a: 1,
            b: 0,
            a_in_b: 0.98,
            b_in_a: 0.71,
            ..Default::default()
        }];
        let p = run(&evs, &c);
        assert_eq!(p.original, Some(0));
        assert_eq!(
            p.reason,
            "contains the other's text plus 2 more paragraphs' worth (a_in_b 0.98, b_in_a 0.71) \
             [weight 3.0]"
        );
    }

    #[test]
    fn near_duplicates_are_not_containment() {
        let evs = [doc(None, 2000, 0), doc(None, 2000, 0)];
        let c = [Containment {
            a: 0,
            b: 1,
            a_in_b: 0.93,
            b_in_a: 0.97,
            ..Default::default()
        }];
        assert_eq!(run(&evs, &c).original, None);
    }

    #[test]
    fn wrapper_boilerplate_marks_the_repost() {
        let evs = [doc(None, 3000, 2480), doc(None, 3000, 312)];
        let p = run(&evs, &[]);
        assert_eq!(p.original, Some(1));
        assert_eq!(
            p.reason,
            "less wrapper boilerplate (312 vs 2,480 characters around the text; \
             the other looks like a repost) [weight 2.0]"
        );
    }

    #[test]
    fn boilerplate_tally_counts_more_wrapper_pair_by_pair() {
        let lens = [0, 0, 40, 100, 160, 700, 1500, 3000];
        let evs: Vec<DocEvidence> = lens.iter().map(|&b| doc(None, 3000, b)).collect();
        let docs: Vec<u32> = (0..evs.len() as u32).collect();
        let r = Ranking::new(&docs, &evs, &[], &Weights::default());
        for x in 0..evs.len() {
            let (sx, row) = (r.shares[x].unwrap(), &r.shares);
            let wins = row.iter().filter(|y| more_wrapper(sx, y.unwrap())).count() as i64;
            let losses = row.iter().filter(|y| more_wrapper(y.unwrap(), sx)).count() as i64;
            assert_eq!(
                (r.wins[x][BOILERPLATE], r.losses[x][BOILERPLATE]),
                (wins, losses),
                "{x}"
            );
        }
    }

    #[test]
    fn any_wrapper_marks_the_repost_of_a_bare_text() {
        // 5 % boilerplate around the text where the other has none: a repost.
        let p = run(&[doc(None, 3000, 0), doc(None, 3000, 160)], &[]);
        assert_eq!(p.original, Some(0), "{}", p.reason);
        // Not when the bare-looking one has some boilerplate of its own, nor for a trace.
        assert_eq!(
            run(&[doc(None, 3000, 20), doc(None, 3000, 160)], &[]).original,
            None
        );
        assert_eq!(
            run(&[doc(None, 3000, 0), doc(None, 3000, 60)], &[]).original,
            None
        );
    }

    #[test]
    fn undetermined_without_evidence() {
        let evs = [DocEvidence::default(), DocEvidence::default()];
        let p = run(&evs, &[]);
        assert_eq!(p.original, None);
        assert!(
            p.reason.starts_with("undetermined: no evidence"),
            "{}",
            p.reason
        );
    }

    #[test]
    fn an_update_line_marks_the_later_version() {
        let mut later = doc(Some("2021-10-21"), 2000, 0);
        later.update_line = true;
        let earlier = doc(Some("2021-10-21"), 2000, 0);
        // Alone it is thin evidence, as attribution is.
        let p = run(&[later.clone(), earlier.clone()], &[]);
        assert_eq!(p.original, None);
        assert!(
            p.reason
                .contains("no update line where the other has one (a later version) [weight 1.5]"),
            "{}",
            p.reason
        );
        // With an attribution line it decides.
        let mut credited = earlier.clone();
        credited.attribution = true;
        let p = run(&[later.clone(), credited], &[]);
        assert_eq!(p.original, Some(1), "{}", p.reason);
        // Not across languages.
        let mut de = later;
        de.lang = Some("de".to_string());
        let mut en = earlier;
        en.lang = Some("en".to_string());
        let votes = ProvenanceInput::new(
            &[0, 1],
            &|i| [de.clone(), en.clone()][i as usize].clone(),
            &[],
        )
        .votes();
        assert!(votes.iter().all(|v| v.net[VERSION] == 0), "{votes:?}");
    }

    #[test]
    fn thin_evidence_is_undetermined() {
        let mut a = doc(None, 2000, 0);
        a.attribution = true;
        let p = run(&[a, doc(None, 2000, 0)], &[]);
        assert_eq!(p.original, None);
        assert_eq!(
            p.reason,
            "undetermined: thin evidence (only: carries an attribution line naming a \
             source agency (the other does not) [weight 1.5])"
        );
        // Attribution plus machine-translation signs on the other one is enough.
        let mut a = doc(None, 2000, 0);
        a.attribution = true;
        let mut b = doc(None, 2000, 0);
        b.machine_translation_signs = true;
        let p = run(&[a, b], &[]);
        assert_eq!(p.original, Some(0));
        assert_eq!(
            p.reason,
            "carries an attribution line naming a source agency (the other does not) \
             [weight 1.5]; the other shows signs of machine translation [weight 3.0]"
        );
    }

    #[test]
    fn contradictory_evidence_is_undetermined() {
        // Doc 0 is earlier, but doc 1 contains doc 0's text plus more.
        let evs = [
            doc(Some("2021-10-21"), 1000, 0),
            doc(Some("2021-10-22"), 3000, 0),
        ];
        let c = [Containment {
            a: 0,
            b: 1,
            a_in_b: 0.95,
            b_in_a: 0.4,
            ..Default::default()
        }];
        let p = run(&evs, &c);
        assert_eq!(p.original, None);
        assert!(
            p.reason.starts_with(
                "undetermined: contradictory evidence (for doc 0: earliest date (2021-10-21 vs \
                 2021-10-22) [weight 4.0]; for doc 1: contains the other's text plus"
            ),
            "{}",
            p.reason
        );
    }

    #[test]
    fn bigger_clusters() {
        // Doc 3 is the earliest and cleanest; the others are later.
        let mut evs = [
            doc(Some("2021-10-24"), 2000, 2000),
            doc(Some("2021-10-22"), 2000, 1800),
            doc(Some("2021-10-23"), 2000, 100),
            doc(Some("2021-10-21"), 2000, 100),
        ];
        let p = run(&evs, &[]);
        assert_eq!(p.original, Some(3));
        assert_eq!(
            p.reason,
            "earliest date (2021-10-21 vs 2021-10-22, 2021-10-23, 2021-10-24) [weight 4.0]; \
             less wrapper boilerplate than 2 of the others (100 vs 1,800, 2,000 characters \
             around the text; they look like reposts) [weight 2.0]"
        );
        // With one member undated, the others' dates still vote, but it may be the earliest:
        // the latest-dated member, with the most boilerplate, undated now, is below doc 3 on
        // boilerplate, so doc 3 stands.
        evs[0].date = None;
        let p = run(&evs, &[]);
        assert_eq!(p.original, Some(3), "{}", p.reason);
        assert!(
            p.reason
                .starts_with("earliest date (2021-10-21 vs 2021-10-22, 2021-10-23)"),
            "{}",
            p.reason
        );
        // An undated member that nothing else puts below the earliest-dated one blocks it.
        let mut blocked = evs.clone();
        blocked[2].date = None;
        let p = run(&blocked, &[]);
        assert_eq!(p.original, None, "{}", p.reason);
        assert!(
            p.reason
                .starts_with("undetermined: doc 2 has no date and nothing else tells it apart"),
            "{}",
            p.reason
        );
        // Two members share the earliest date and nothing else separates them.
        let evs = [
            doc(Some("2021-10-21"), 2000, 0),
            doc(Some("2021-10-22"), 2000, 0),
            doc(Some("2021-10-21"), 2000, 0),
        ];
        let p = run(&evs, &[]);
        assert_eq!(p.original, None);
        assert!(
            p.reason
                .starts_with("undetermined: tie between doc 0 and doc 2"),
            "{}",
            p.reason
        );
    }

    #[test]
    fn deterministic_and_order_free() {
        let evs = [
            doc(Some("2021-10-22"), 2000, 900),
            doc(Some("2021-10-21"), 2400, 100),
            doc(None, 1500, 100),
        ];
        let c = [
            Containment {
                a: 1,
                b: 2,
                a_in_b: 0.6,
                b_in_a: 0.99,
                ..Default::default()
            },
            Containment {
                a: 7,
                b: 1,
                a_in_b: 1.0,
                b_in_a: 0.0,
                ..Default::default()
            },
        ];
        let f = |d: u32| evs[d as usize].clone();
        let p1 = provenance(&[0, 1, 2], &f, &c);
        let p2 = provenance(&[2, 0, 1, 1], &f, &c);
        assert_eq!(p1, p2);
        assert_eq!(p1.original, Some(1));
    }

    #[test]
    fn degenerate_inputs() {
        let f = |_: u32| DocEvidence::default();
        assert_eq!(provenance(&[], &f, &[]).original, None);
        assert_eq!(provenance(&[4], &f, &[]).original, Some(4));
        assert_eq!(provenance(&[4, 4], &f, &[]).original, Some(4));
        let nan = [Containment {
            a: 0,
            b: 1,
            a_in_b: f32::NAN,
            b_in_a: f32::INFINITY,
            ..Default::default()
        }];
        let p = provenance(&[0, 1], &f, &nan);
        assert_eq!(p.original, Some(0));
    }

    #[test]
    fn formats_counts() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(1234567), "1,234,567");
    }

    #[test]
    fn parses_dates() {
        assert_eq!(
            parse_date("2021-10-21").map(|d| d.text),
            Some("2021-10-21".into())
        );
        assert_eq!(
            parse_date(" 2021-10-21T10:00:00+02:00").map(|d| d.text),
            Some("2021-10-21".into())
        );
        assert!(parse_date("2021-02-29").is_none());
        assert!(parse_date("2020-02-29").is_some());
        assert!(parse_date("20211021").is_none());
        assert!(parse_date("2021-1-2").is_none());
        assert!(parse_date("").is_none());
        assert!(parse_date("é").is_none());
        let a = parse_date("2021").unwrap();
        assert_eq!(a.end - a.start, 364);
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    fn in_lang(lang: &str, attribution: bool) -> DocEvidence {
        DocEvidence {
            lang: Some(lang.to_string()),
            attribution,
            ..doc(None, 1000, 100)
        }
    }

    #[test]
    fn the_one_language_out_is_the_source_of_its_translations() {
        let evs = [
            in_lang("en", false),
            in_lang("zh", false),
            in_lang("en", false),
            in_lang("en", false),
        ];
        let p = run(&evs, &[]);
        assert_eq!(p.original, Some(1), "{}", p.reason);
        // The others count as machine translations of it.
        assert!(
            p.reason
                .contains("3 of the others show signs of machine translation"),
            "{}",
            p.reason
        );
        // Stronger evidence still wins: an earlier date names another member.
        let mut dated = evs.clone();
        dated[2].date = Some("2020-01-01".into());
        for (i, e) in dated.iter_mut().enumerate() {
            if i != 2 {
                e.date = Some("2020-02-01".into());
            }
        }
        assert_eq!(run(&dated, &[]).original, Some(2));
        // Not with two members, two odd ones out, or an unknown language.
        assert_eq!(one_language_out(&evs[..2], &[0, 1], &[]), None);
        let two_odd = [
            in_lang("en", false),
            in_lang("zh", false),
            in_lang("fr", false),
        ];
        assert_eq!(one_language_out(&two_odd, &[0, 1, 2], &[]), None);
        let mut unknown = evs.clone();
        unknown[0].lang = None;
        assert_eq!(one_language_out(&unknown, &[0, 1, 2, 3], &[]), None);
    }

    #[test]
    fn attribution_is_compared_within_a_language_only() {
        // The English translation carries the agency credit; the Chinese source has none in
        // the English phrases: no vote either way.
        let evs = [in_lang("zh", false), in_lang("en", true)];
        let p = run(&evs, &[]);
        assert_eq!(p.original, None, "{}", p.reason);
        // In one language the credit line votes (alone it is thin evidence, but it counts).
        let same = [in_lang("en", false), in_lang("en", true)];
        let r = Ranking::new(&[0, 1], &same, &[], &Weights::default());
        assert_eq!(r.wins[1][ATTRIBUTION], 1);
        let r = Ranking::new(&[0, 1], &evs, &[], &Weights::default());
        assert_eq!(r.wins[1][ATTRIBUTION], 0);
    }

    #[test]
    fn a_text_wrapped_after_text_of_the_others_own_is_the_original() {
        let evs = [doc(None, 2400, 0), doc(None, 1700, 0)];
        // Doc 0 holds all of doc 1 plus more, but doc 1's text starts 12 % into doc 0: doc 0
        // wraps or quotes it.
        let wrapped = [Containment {
            a: 0,
            b: 1,
            a_in_b: 0.71,
            b_in_a: 0.98,
            a_head: 0.12,
            ..Default::default()
        }];
        let p = run(&evs, &wrapped);
        assert_eq!(p.original, Some(1), "{}", p.reason);
        assert!(p.reason.contains("sits inside the other"), "{}", p.reason);
        // Sharing doc 0's opening, doc 1 is an excerpt of it.
        let excerpt = [Containment {
            a_head: 0.0,
            ..wrapped[0]
        }];
        assert_eq!(run(&evs, &excerpt).original, Some(0));
    }

    fn pair(a: u32, b: u32, a_in_b: f32, b_in_a: f32) -> Containment {
        Containment {
            a,
            b,
            a_in_b,
            b_in_a,
            ..Default::default()
        }
    }

    #[test]
    fn copies_that_nothing_tells_apart_have_no_evidence() {
        // Doc 0 and doc 1 hold one text; doc 2 is a repost in chrome. Only doc 1 is dated.
        let evs = [
            doc(None, 2000, 0),
            doc(Some("2021-10-21"), 2000, 0),
            doc(Some("2021-10-23"), 2000, 1500),
        ];
        let same = [Containment {
            same_text: true,
            ..pair(0, 1, 1.0, 1.0)
        }];
        let p = run(&evs, &same);
        assert_eq!(p.original, None, "{}", p.reason);
        assert!(
            p.reason.starts_with(
                "undetermined: no evidence between doc 0 and doc 1: copies of one text"
            ),
            "{}",
            p.reason
        );
        // Undated both: a tie between the copies, also without evidence.
        let mut undated = evs.clone();
        undated[1].date = None;
        let p = run(&undated, &same);
        assert!(
            p.reason
                .starts_with("undetermined: no evidence between doc 0 and doc 1"),
            "{}",
            p.reason
        );
        // Not the same text (no record says so): an ordinary tie or block.
        let p = run(&undated, &[]);
        assert!(p.reason.starts_with("undetermined: tie"), "{}", p.reason);
    }

    fn sentences(lang: &str, words: f32, content: usize) -> DocEvidence {
        DocEvidence {
            lang: Some(lang.to_string()),
            words_per_sentence: words,
            ..doc(None, content, 0)
        }
    }

    #[test]
    fn the_simplified_version_is_not_the_original() {
        let evs = [sentences("en", 16.0, 1800), sentences("en", 24.0, 2000)];
        let rewrite = [Containment {
            reworded: true,
            ..pair(0, 1, 0.8, 0.75)
        }];
        let p = run(&evs, &rewrite);
        assert_eq!(p.original, Some(1), "{}", p.reason);
        assert_eq!(
            p.reason,
            "fuller version (2,000 vs 1,800 characters, 24.0 vs 16.0 words per sentence; the \
             other reads as a simplified or condensed version) [weight 4.0]"
        );
        // Sentences as long and less content: still the simplified one.
        let flat = [sentences("en", 24.0, 1800), sentences("en", 24.0, 2000)];
        assert_eq!(run(&flat, &rewrite).original, Some(1));
        // Not across languages, not below the ratio, not with shorter sentences (a round trip
        // that lost some words but joined sentences), not for a passage shared by two texts.
        let langs = [sentences("en", 16.0, 1800), sentences("de", 24.0, 2000)];
        assert_eq!(run(&langs, &rewrite).original, None);
        let close = [sentences("en", 16.0, 1900), sentences("en", 24.0, 2000)];
        assert_eq!(run(&close, &rewrite).original, None);
        let joined = [sentences("en", 25.0, 1800), sentences("en", 24.0, 2000)];
        assert_eq!(run(&joined, &rewrite).original, None);
        let passage = [Containment {
            reworded: true,
            ..pair(0, 1, 0.4, 0.3)
        }];
        assert_eq!(run(&evs, &passage).original, None);
        // A duplicate votes only when the fuller one is covered as a whole (a condensed copy);
        // an extra block of its own (a teaser a repost added, a cut paragraph) says nothing.
        let block = [Containment {
            duplicate: true,
            ..pair(0, 1, 1.0, 0.9)
        }];
        assert_eq!(run(&evs, &block).original, None);
        let spread = [Containment {
            duplicate: true,
            ..pair(0, 1, 1.0, 0.97)
        }];
        assert_eq!(run(&evs, &spread).original, Some(1));
        // Copies of one text never.
        let same = [Containment {
            same_text: true,
            ..pair(0, 1, 1.0, 1.0)
        }];
        assert_eq!(run(&evs, &same).original, None);
    }

    #[test]
    fn copies_of_one_translation_are_one_translation() {
        // A French text beside two copies of one Spanish text: not "translated several times".
        let evs = [
            in_lang("fr", false),
            in_lang("es", false),
            in_lang("es", false),
        ];
        let copies = [Containment {
            same_text: true,
            ..pair(1, 2, 1.0, 1.0)
        }];
        assert_eq!(one_language_out(&evs, &[0, 1, 2], &copies), None);
        // A repost of it (a duplicate with small edits) too.
        let repost = [Containment {
            duplicate: true,
            ..pair(1, 2, 0.95, 0.9)
        }];
        assert_eq!(one_language_out(&evs, &[0, 1, 2], &repost), None);
        assert_eq!(run(&evs, &copies).original, None);
        // Two different Spanish texts: it is.
        assert_eq!(one_language_out(&evs, &[0, 1, 2], &[]), Some(0));
    }
}
