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

/// True when some line of the content of at most 400 bytes (a credit or note line, not a
/// paragraph) satisfies `test`.
fn any_short_line(p: &Prepared, test: impl Fn(&str) -> bool) -> bool {
    let text = p.norm.text();
    retold_text::segment::lines(text)
        .into_iter()
        .any(|r| text[r.clone()].len() <= 400 && test(&text[r]))
}

/// True when the content carries an attribution line.
pub fn has_attribution(p: &Prepared) -> bool {
    any_short_line(p, |line| {
        let l = line.to_lowercase();
        ATTRIBUTION.iter().any(|a| l.contains(a))
    })
}

/// Openings of a line that reports a later edit of the text.
const UPDATE_OPENINGS: &[&str] = &[
    "update:",
    "updated:",
    "update (",
    "updated (",
    "correction:",
    "clarification:",
    "editor's note:",
    "editor’s note:",
];

/// Phrases, anywhere in a short line, that say the text was edited after publication.
const UPDATE_PHRASES: &[&str] = &[
    "this article was updated",
    "this article has been updated",
    "this story was updated",
    "this story has been updated",
    "this article was amended",
    "this article has been amended",
    "this article was corrected",
    "this article has been corrected",
    "an earlier version of this article",
    "an earlier version of this story",
];

/// True when the content carries an update or correction line (a later version of a text
/// carries one that the earlier lacks). "Last updated: …" page furniture is not one.
pub fn has_update_line(p: &Prepared) -> bool {
    any_short_line(p, |line| {
        let l = line
            .trim_start_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        UPDATE_OPENINGS
            .iter()
            .any(|o| l.strip_prefix(o).is_some_and(says_something))
            || UPDATE_PHRASES.iter().any(|ph| l.contains(ph))
    })
}

/// Words of a date or time, which a dateline ("Updated: Tue 4 May 2021, 10:15 GMT") is made of.
const DATE_WORDS: &[&str] = &[
    "jan",
    "january",
    "feb",
    "february",
    "mar",
    "march",
    "apr",
    "april",
    "may",
    "jun",
    "june",
    "jul",
    "july",
    "aug",
    "august",
    "sep",
    "sept",
    "september",
    "oct",
    "october",
    "nov",
    "november",
    "dec",
    "december",
    "mon",
    "monday",
    "tue",
    "tues",
    "tuesday",
    "wed",
    "wednesday",
    "thu",
    "thurs",
    "thursday",
    "fri",
    "friday",
    "sat",
    "saturday",
    "sun",
    "sunday",
    "am",
    "pm",
    "at",
    "on",
    "st",
    "nd",
    "rd",
    "th",
    "gmt",
    "utc",
    "bst",
    "cet",
    "et",
    "est",
    "edt",
    "pt",
    "pst",
    "pdt",
    "ago",
    "hours",
    "hour",
    "minutes",
    "mins",
    "min",
];

/// The rest of an update line reports an edit (three words or more beside date and time
/// words), not only when it was made: "Updated: 4 May 2021, 10:15" is page furniture.
fn says_something(rest: &str) -> bool {
    rest.split(|c: char| !c.is_alphabetic())
        .filter(|w| w.chars().count() >= 2 && !DATE_WORDS.contains(w))
        .count()
        >= 3
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
        update_line: has_update_line(p),
        machine_translation_signs: machine_translation_signs(p),
        lang: p.lang.clone(),
        words_per_sentence: words_per_sentence(p),
    }
}

/// Mean content words per sentence: content tokens divided by sentence ends (see
/// [`ends_sentence`], between two content tokens, plus the end of the text). Line breaks do
/// not end a sentence here, so a hard-wrapped copy reads like its source. 0 without tokens.
pub fn words_per_sentence(p: &Prepared) -> f32 {
    let text = p.norm.text();
    let ends = p
        .tokens
        .windows(2)
        .filter(|w| {
            text.get(w[0].end as usize..w[1].start as usize)
                .is_some_and(ends_sentence)
        })
        .count();
    if p.tokens.is_empty() {
        0.0
    } else {
        p.tokens.len() as f32 / (ends + 1) as f32
    }
}

/// The text between two tokens ends a sentence: it holds a CJK full stop, exclamation or
/// question mark, or `.`, `!`, `?` with white space after it (closing quotes may come between:
/// `said." The`). A point with none ("3.5", the first point of "U.S.") ends nothing.
fn ends_sentence(gap: &str) -> bool {
    gap.contains(['。', '！', '？'])
        || gap.char_indices().any(|(i, c)| {
            matches!(c, '.' | '!' | '?') && gap[i + c.len_utf8()..].contains(char::is_whitespace)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prepare::prepare;
    use retold_clean::CorpusModel;

    fn en(text: &str) -> Prepared {
        prepare(text, None, &CorpusModel::empty(), Some("en"))
    }

    #[test]
    fn parenthesised_day_month_dates_are_a_sign_in_english_only() {
        let yes = "Jens Stoltenberg on Thursday (21/10) said relations were at a low point.";
        let no = "The vote (21 to 10) passed on 21/10/2021, see note (a/b) and (2021).";
        assert!(machine_translation_signs(&en(yes)));
        assert!(!machine_translation_signs(&en(no)));
        assert!(!machine_translation_signs(&prepare(
            yes,
            None,
            &CorpusModel::empty(),
            Some("id")
        )));
    }

    #[test]
    fn update_lines_mark_a_later_version() {
        let body = "The council met on Monday and voted to close the old bridge.";
        assert!(!has_update_line(&en(body)));
        for line in [
            "Update: The vote was postponed to Friday.",
            "UPDATED (3 p.m.): Officials confirmed the closure.",
            "* Correction: An earlier figure was wrong.",
            "This article was amended on 4 May to correct the date.",
        ] {
            assert!(has_update_line(&en(&format!("{body}\n{line}"))), "{line}");
        }
        // Page furniture and mid-sentence words are not update lines.
        for line in [
            "Last updated: Mon, 12/03/2007 - 14:17",
            "Updated: Tue 4 May 2021, 10:15 GMT",
            "Updated: 2 hours ago",
            "The agency will update its guidance in May.",
        ] {
            assert!(!has_update_line(&en(&format!("{body}\n{line}"))), "{line}");
        }
    }

    #[test]
    fn words_per_sentence_ignores_line_breaks() {
        let text = "The council met on Monday and voted to close the old bridge for repairs. \
                    Work starts in May and ends in the autumn.";
        let wrapped = "The council met on Monday and voted to close\nthe old bridge for \
                       repairs. Work starts in\nMay and ends in the autumn.";
        let a = words_per_sentence(&en(text));
        assert!((a - 11.5).abs() < 1e-6, "{a}");
        assert_eq!(a, words_per_sentence(&en(wrapped)));
        let simple = "The council met on Monday. It voted to close the old bridge. \
                      The bridge needs repairs. Work starts in May. It ends in the autumn.";
        assert!(words_per_sentence(&en(simple)) < a / 1.2);
        assert_eq!(words_per_sentence(&en("")), 0.0);
        // Points inside numbers end no sentence; a closing quote may follow a sentence end.
        let points =
            en("Prices rose 3.5 per cent, or 2.1 points, last year. \"It is high,\" she said.");
        let two = points.tokens.len() as f32 / 2.0;
        assert!((words_per_sentence(&points) - two).abs() < 1e-6);
    }
}
