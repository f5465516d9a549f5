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

/// Signs that a text went through machine translation (a round trip through another
/// language, as content farms do): a numeric day/month date in parentheses, "(21/10)", the
/// house style of Indonesian and Malay news ("Kamis (21/10)") that survives translation into
/// English, where it is not written so. Only for English text, where it is foreign.
pub fn machine_translation_signs(p: &Prepared) -> bool {
    if p.lang.as_deref().is_some_and(|l| l != "en") {
        return false;
    }
    let b = p.norm.text().as_bytes();
    let digits = |i: usize| {
        let n = b[i..]
            .iter()
            .take(3)
            .take_while(|c| c.is_ascii_digit())
            .count();
        (1..=2).contains(&n).then_some(i + n)
    };
    b.iter().enumerate().any(|(i, &c)| {
        if c != b'(' {
            return false;
        }
        let Some(j) = digits(i + 1) else { return false };
        if b.get(j) != Some(&b'/') {
            return false;
        }
        let Some(k) = digits(j + 1) else { return false };
        b.get(k) == Some(&b')')
    })
}

/// The evidence of one document.
pub fn evidence(p: &Prepared, date: Option<&str>) -> DocEvidence {
    DocEvidence {
        date: date.map(str::to_string),
        content_len: p.norm.text().len().saturating_sub(p.boilerplate_bytes()),
        boilerplate_len: p.boilerplate_bytes(),
        attribution: has_attribution(p),
        machine_translation_signs: machine_translation_signs(p),
        lang: p.lang.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prepare::prepare;
    use retold_clean::CorpusModel;

    #[test]
    fn parenthesised_day_month_dates_are_a_sign_in_english_only() {
        let yes = "Jens Stoltenberg on Thursday (21/10) said relations were at a low point.";
        let no = "The vote (21 to 10) passed on 21/10/2021, see note (a/b) and (2021).";
        assert!(machine_translation_signs(&prepare(
            yes,
            None,
            &CorpusModel::empty(),
            Some("en")
        )));
        assert!(!machine_translation_signs(&prepare(
            no,
            None,
            &CorpusModel::empty(),
            Some("en")
        )));
        assert!(!machine_translation_signs(&prepare(
            yes,
            None,
            &CorpusModel::empty(),
            Some("id")
        )));
    }
}
