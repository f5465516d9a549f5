//! `retold_clean` owns boilerplate detection: deciding which parts of a document are page
//! chrome (navigation, share buttons, comment forms, teasers for other articles, editor tags,
//! duplicated captions, sidebars, picture labels) rather than the text itself.
//!
//! Boilerplate is *marked*, never deleted: every function returns [`Span`]s, byte ranges of
//! the **normalised** text ([`retold_text::normalize()`]); the caller maps them back to original
//! offsets with `Normalized::to_original`.
//!
//! Two sources of evidence:
//! - **structural cues** ([`cue_spans`]), which one document shows by itself: chrome phrases on
//!   short lines (English and a few common European languages), teaser blocks, menus, picture
//!   labels, runs of tiny buttons, lines printed twice, indented sidebars at the head or tail,
//!   editor initials at the end of a line;
//! - **corpus-learned lines** ([`CorpusModelBuilder`] → [`CorpusModel`]): lines that recur in
//!   many documents that are *not* copies of each other (corpus-wide, or within one source).
//!   Lines shared only by copies of one article are text, not boilerplate.
//!
//! [`spans`] combines both. The crate knows nothing about how documents are read, compared or
//! clustered; near-copy detection is passed in as a predicate.

mod cues;
mod learn;
mod lexicon;

pub use cues::{cue_spans, cue_spans_with_tokens};
pub use learn::{
    recurs_in_groups, source_line_keys, CorpusModel, CorpusModelBuilder, LearnParams, LearnedSet,
    ModelChange,
};

use std::ops::Range;

/// Why a span is boilerplate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Reason {
    /// Navigation, UI labels and site notices ("Skip to content", "Privacy policy", "XS").
    Navigation,
    /// Share and follow buttons.
    Share,
    /// Comment-form text ("Leave a Reply", "Your email address will not be published.").
    CommentForm,
    /// A teaser for another article: its header, headline and snippet.
    Teaser,
    /// Editor initials at the end of a line ("[em/lt]").
    EditorTag,
    /// A line printed twice or more in the document (photo captions).
    DuplicateLine,
    /// An indented or bulleted block at the head or tail of the document.
    Sidebar,
    /// A picture label or credit ("16x9 Image", "Photo: …").
    Caption,
    /// A line that recurs across otherwise different documents of the corpus.
    Recurring,
    /// A line that recurs across otherwise different documents of one source.
    RecurringInSource,
    /// Web page chrome found by main-text extraction (outside the article body).
    PageChrome,
}

impl Reason {
    /// The reason's name in output (snake case).
    pub fn as_str(&self) -> &'static str {
        match self {
            Reason::Navigation => "navigation",
            Reason::Share => "share",
            Reason::CommentForm => "comment_form",
            Reason::Teaser => "teaser",
            Reason::EditorTag => "editor_tag",
            Reason::DuplicateLine => "duplicate_line",
            Reason::Sidebar => "sidebar",
            Reason::Caption => "caption",
            Reason::Recurring => "recurring",
            Reason::RecurringInSource => "recurring_in_source",
            Reason::PageChrome => "page_chrome",
        }
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A boilerplate span: a byte range of the normalised text, end-exclusive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// Byte offset where the span starts.
    pub start: usize,
    /// Byte offset where the span ends (exclusive).
    pub end: usize,
    /// Why it is boilerplate.
    pub reason: Reason,
}

/// Per non-blank line with at least one token: its byte range (white space around it left
/// out) and its key, the [`retold_text::hash_seq`] of its tokens (so case and punctuation do
/// not matter). Feed the keys to [`CorpusModelBuilder::observe`].
pub fn line_keys(text: &str) -> Vec<(Range<usize>, u64)> {
    let mut out = Vec::new();
    for_each_line_key(text, |r, key, _| out.push((r, key)));
    out
}

/// Calls `f(range, key, token_count)` for each line that has tokens.
fn for_each_line_key(text: &str, f: impl FnMut(Range<usize>, u64, usize)) {
    for_each_line_key_with(text, &retold_text::tokenize(text), f)
}

/// [`for_each_line_key`] over the tokens of the whole text.
fn for_each_line_key_with(
    text: &str,
    all: &[retold_text::Token],
    mut f: impl FnMut(Range<usize>, u64, usize),
) {
    let mut ti = 0usize;
    let mut start = 0usize;
    loop {
        let end = text[start..]
            .find('\n')
            .map(|p| p + start)
            .unwrap_or(text.len());
        let raw = &text[start..end];
        let t = raw.trim();
        if !t.is_empty() {
            let cs = start + (raw.len() - raw.trim_start().len());
            let ce = cs + t.len();
            let r = cues::tokens_within(all, &mut ti, cs, ce);
            if !r.is_empty() {
                f(cs..ce, retold_text::hash_seq(&all[r.clone()]), r.len());
            }
        }
        if end >= text.len() {
            break;
        }
        start = end + 1;
    }
}

/// All boilerplate of `text` (normalised) in a document of `source`: the structural cues and
/// the lines `model` learned. Sorted by start; spans that overlap or touch are merged, keeping
/// the reason of the first.
pub fn spans(text: &str, source: Option<&str>, model: &CorpusModel) -> Vec<Span> {
    spans_with_tokens(text, &retold_text::tokenize(text), source, model)
}

/// [`spans`] for a caller that already has the tokens of the whole `text`
/// (`retold_text::tokenize(text)`).
pub fn spans_with_tokens(
    text: &str,
    tokens: &[retold_text::Token],
    source: Option<&str>,
    model: &CorpusModel,
) -> Vec<Span> {
    let mut out = cue_spans_with_tokens(text, tokens);
    if !model.is_empty() {
        let sh = source.map(learn::source_hash);
        let min_tokens = model.min_tokens();
        for_each_line_key_with(text, tokens, |r, key, ntok| {
            if ntok >= min_tokens {
                if let Some(reason) = model.reason_hashed(sh, key, ntok) {
                    out.push(Span {
                        start: r.start,
                        end: r.end,
                        reason,
                    });
                }
            }
        });
    }
    merge_spans(out, true)
}

/// Sorts spans by start (longer first on ties) and merges those that overlap, or also those
/// that touch when `touching`, keeping the first one's reason.
pub(crate) fn merge_spans(mut spans: Vec<Span>, touching: bool) -> Vec<Span> {
    spans.retain(|s| s.start < s.end);
    spans.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        if let Some(last) = out.last_mut() {
            if s.start < last.end || (touching && s.start == last.end) {
                last.end = last.end.max(s.end);
                continue;
            }
        }
        out.push(s);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_keeps_first_reason() {
        let m = merge_spans(
            vec![
                Span {
                    start: 10,
                    end: 20,
                    reason: Reason::Recurring,
                },
                Span {
                    start: 0,
                    end: 10,
                    reason: Reason::Navigation,
                },
                Span {
                    start: 12,
                    end: 25,
                    reason: Reason::Teaser,
                },
                Span {
                    start: 30,
                    end: 31,
                    reason: Reason::Share,
                },
            ],
            true,
        );
        assert_eq!(
            m,
            vec![
                Span {
                    start: 0,
                    end: 25,
                    reason: Reason::Navigation
                },
                Span {
                    start: 30,
                    end: 31,
                    reason: Reason::Share
                },
            ]
        );
    }

    #[test]
    fn line_keys_ignore_case_and_punctuation() {
        let k = line_keys("Leave a Reply\n\n  leave a reply!\n---\n");
        assert_eq!(k.len(), 2);
        assert_eq!(k[0].1, k[1].1);
        assert_eq!(k[0].0, 0..13);
        assert_eq!(k[1].0, 17..31);
    }

    #[test]
    fn reason_names() {
        assert_eq!(Reason::CommentForm.as_str(), "comment_form");
        assert_eq!(Reason::RecurringInSource.to_string(), "recurring_in_source");
    }
}
