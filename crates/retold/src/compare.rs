//! `compare`: the full analysis of two documents, in the JSON shape of DESIGN.md.

use crate::analyze::{add_semantic, analyze, AlignedPassage, PairAnalysis};
use crate::classify::Features;
use crate::config::Config;
use crate::error::Error;
use crate::evidence::evidence;
use crate::prepare::{prepare_with, Prepared};
use crate::relation::Relation;
use crate::semantic::{
    doc_slot, lead_similarity, lead_text, terms_contradict, units, Models, PairPlan, SemSide,
};
use retold_clean::CorpusModel;
use retold_cluster::provenance;
use serde::Serialize;

/// One side of a comparison.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    /// Detected language (ISO 639-1), if any.
    pub lang: Option<String>,
    /// Boilerplate spans, `[start, end)` code points of the original text.
    pub boilerplate: Vec<[usize; 2]>,
    /// Why each boilerplate span was marked (parallel to `boilerplate`).
    pub boilerplate_reasons: Vec<&'static str>,
    /// Code points of the original text.
    pub chars: usize,
}

/// The result of `retold compare`.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// The relation of the pair.
    pub relation: Relation,
    /// Confidence, 0.5..1.
    pub confidence: f32,
    /// Identical content after normalisation and boilerplate removal.
    pub exact: bool,
    /// The features behind the relation.
    pub scores: Features,
    /// `"a"`, `"b"` or `None`.
    pub original: Option<&'static str>,
    /// Why (or `"undetermined: …"`).
    pub original_reason: String,
    /// First document.
    pub a: Side,
    /// Second document.
    pub b: Side,
    /// Aligned passages.
    pub passages: Vec<AlignedPassage>,
}

fn side(p: &Prepared) -> Side {
    Side {
        lang: p.lang.clone(),
        boilerplate: p.boilerplate_original(),
        boilerplate_reasons: p.spans.iter().map(|s| s.reason.as_str()).collect(),
        chars: p.norm.original_len(),
    }
}

/// Metadata of a compared document that provenance can use.
#[derive(Debug, Clone, Default)]
pub struct DocInfo<'a> {
    /// The text.
    pub text: &'a str,
    /// Publication date, if known.
    pub date: Option<&'a str>,
    /// Source (site), if known.
    pub source: Option<&'a str>,
    /// Language, if known.
    pub lang: Option<&'a str>,
    /// Code point ranges of `text` known to be boilerplate (web page chrome from ingest).
    pub marked: &'a [[usize; 2]],
}

impl<'a> DocInfo<'a> {
    /// What provenance and boilerplate can use of a document as read (text, date, source,
    /// language and the chrome marked by the reader).
    pub fn of(d: &'a retold_ingest::Document) -> DocInfo<'a> {
        DocInfo {
            text: &d.text,
            date: d.date.as_deref(),
            source: d.source.as_deref(),
            lang: d.lang.as_deref(),
            marked: &d.marked,
        }
    }
}

/// Names the likely original of a pair from its analysis.
pub(crate) fn pair_provenance(
    pa: &Prepared,
    pb: &Prepared,
    da: Option<&str>,
    db: Option<&str>,
    an: &PairAnalysis,
) -> retold_cluster::Provenance {
    let ev = [evidence(pa, da), evidence(pb, db)];
    let cont = [an.containment(0, 1)];
    provenance(&[0, 1], &|i| ev[i as usize].clone(), &cont)
}

/// The semantic layer on one pair: lead vectors, then (when the plan says so) the sentences.
fn semantic_compare(
    an: &mut PairAnalysis,
    pa: &Prepared,
    pb: &Prepared,
    m: &Models,
    cfg: &Config,
) -> Result<(), Error> {
    let (la, lb) = (pa.lang.as_deref(), pb.lang.as_deref());
    let (Some(slot), Some(dslot)) = (m.slot_for(la, lb), doc_slot(m)) else {
        return Ok(());
    };
    if !PairPlan::needed(an) {
        return Ok(());
    }
    let (ua, ub) = (units(pa), units(pb));
    let leads = [
        lead_text(&ua, cfg.semantic.doc_lead_tokens),
        lead_text(&ub, cfg.semantic.doc_lead_tokens),
    ];
    let lv = if leads.iter().any(String::is_empty) {
        vec![Vec::new(), Vec::new()]
    } else {
        m.embed(dslot, &[leads[0].as_str(), leads[1].as_str()])?
    };
    let cross = matches!((la, lb), (Some(x), Some(y)) if x != y);
    let sim = lead_similarity(&lv[0], &lv[1]);
    let sp = &cfg.semantic;
    let veto = cross
        && terms_contradict(
            &retold_text::translation_terms(pa.norm.text()),
            &retold_text::translation_terms(pb.norm.text()),
            &|_| true,
            sp.anchor_veto_min,
            sp.anchor_veto_share,
        );
    let Some(plan) = PairPlan::new(an, slot, dslot, cross, sim, veto, sp) else {
        return Ok(());
    };
    let (ea, eb) = if plan.align {
        let texts: Vec<&str> = ua
            .texts
            .iter()
            .chain(&ub.texts)
            .map(String::as_str)
            .collect();
        let mut ea = m.embed(slot, &texts)?;
        let eb = ea.split_off(ua.texts.len().min(ea.len()));
        (ea, eb)
    } else {
        (Vec::new(), Vec::new())
    };
    let input = plan.input(|| {
        (
            SemSide {
                units: &ua,
                emb: &ea,
                tokens: pa.tokens.len(),
            },
            SemSide {
                units: &ub,
                emb: &eb,
                tokens: pb.tokens.len(),
            },
        )
    });
    add_semantic(an, pa, pb, input, cfg);
    Ok(())
}

/// Compares two documents without a corpus (structural boilerplate cues only). With `models`,
/// the semantic layer aligns their sentences too (rewrites, translations).
pub fn compare(
    a: &DocInfo<'_>,
    b: &DocInfo<'_>,
    cfg: &Config,
    models: Option<&Models>,
) -> Result<Comparison, Error> {
    compare_when(a, b, cfg, models, |_, _| true)
}

/// [`compare`], running the semantic layer only on pairs for which `semantic` says so (e.g.
/// only across languages), each document prepared once.
pub fn compare_when(
    a: &DocInfo<'_>,
    b: &DocInfo<'_>,
    cfg: &Config,
    models: Option<&Models>,
    semantic: impl Fn(&Prepared, &Prepared) -> bool,
) -> Result<Comparison, Error> {
    let model = CorpusModel::empty();
    let pa = prepare_with(a.text, a.source, &model, a.lang, a.marked, true);
    let pb = prepare_with(b.text, b.source, &model, b.lang, b.marked, true);
    let mut an = analyze(&pa, &pb, cfg);
    if let Some(m) = models.filter(|_| cfg.semantic.enabled && semantic(&pa, &pb)) {
        semantic_compare(&mut an, &pa, &pb, m, cfg)?;
    }
    let (original, original_reason) = if an.relation.is_reproduced() {
        let prov = pair_provenance(&pa, &pb, a.date, b.date, &an);
        (
            prov.original.map(|o| if o == 0 { "a" } else { "b" }),
            prov.reason.replace("doc 0", "a").replace("doc 1", "b"),
        )
    } else {
        (
            None,
            "undetermined: the texts are not reproductions of each other".to_string(),
        )
    };
    Ok(Comparison {
        relation: an.relation,
        confidence: crate::analyze::round3(an.confidence),
        exact: an.exact,
        scores: an.features,
        original,
        original_reason,
        a: side(&pa),
        b: side(&pb),
        passages: an.passages,
    })
}
