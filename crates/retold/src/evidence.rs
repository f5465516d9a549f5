//! Per-document provenance evidence read off a prepared document.

use crate::prepare::Prepared;
use retold_cluster::DocEvidence;

/// Phrases of attribution lines that credit a news agency or another outlet.
const ATTRIBUTION: &[&str] = &[
    "contributed to this report",
    "information for this report",
    "material for this report",
    "this report came from",
    "reporting by",
    "additional reporting",
    "(reuters)",
    "(ap)",
    "(afp)",
    "- reuters",
    "- ap",
    "- afp",
    "associated press",
    "agence france-presse",
];

/// True when the content carries an attribution line.
pub fn has_attribution(p: &Prepared) -> bool {
    let text = p.norm.text();
    retold_text::segment::lines(text).into_iter().any(|r| {
        let line = &text[r];
        if line.len() > 400 {
            return false;
        }
        let l = line.to_lowercase();
        ATTRIBUTION.iter().any(|a| l.contains(a))
    })
}

/// The evidence of one document.
pub fn evidence(p: &Prepared, date: Option<&str>) -> DocEvidence {
    DocEvidence {
        date: date.map(str::to_string),
        content_len: p.norm.text().len().saturating_sub(p.boilerplate_bytes()),
        boilerplate_len: p.boilerplate_bytes(),
        attribution: has_attribution(p),
        machine_translation_signs: false,
        lang: p.lang.clone(),
    }
}
