//! Structural cues: boilerplate that one document shows by itself, without a corpus.
//!
//! The unit is the line (the normalised text keeps its line breaks). Each non-blank line gets at
//! most one reason, decided by rules applied in a fixed order, an earlier rule winning:
//!
//! 1. phrase lists ([`crate::lexicon`]): comment forms, teaser headers, share buttons,
//!    navigation and notices, when they make up the whole of a short line (or start it, for
//!    long specific phrases, or label it: "Tags: …");
//! 2. teaser blocks: the headline and snippet after a teaser header;
//! 3. menus: short items between `|`, `»`, `›` or `>` separators;
//! 4. picture labels and credits;
//! 5. runs of tiny lines (text-size buttons, pagination), and lists of short menu items
//!    around a navigation line;
//! 6. lines of four or more tokens printed twice or more: every copy when two copies are
//!    adjacent (a caption printed twice), else the repeats after the first;
//! 7. an indented or bulleted block at the head or tail of a mostly unindented document.
//!
//! Editor initials at the end of an otherwise unmarked line ("… more. [em/lt]") are marked
//! alone, not the line.

use crate::lexicon::{self, Kind};
use crate::{Reason, Span};
use ahash::{AHashMap, AHashSet};
use retold_text::{hash_seq, Token};
use std::ops::Range;

/// One line of the text.
pub(crate) struct Line {
    /// The line without surrounding white space; empty (at the line start) for blank lines.
    pub(crate) content: Range<usize>,
    /// White space before the content.
    pub(crate) indented: bool,
    /// The content starts with a bullet character.
    pub(crate) bullet: bool,
    /// The line's tokens, as a range of the shared token vector.
    pub(crate) tok: Range<usize>,
}

impl Line {
    #[inline]
    pub(crate) fn blank(&self) -> bool {
        self.content.is_empty()
    }

    #[inline]
    fn ntok(&self) -> usize {
        self.tok.len()
    }
}

const BULLETS: &[char] = &[
    '•', '·', '-', '*', '‣', '◦', '▪', '▫', '●', '○', '■', '□', '►', '▸', '▹', '→', '»', '–', '—',
];

/// Splits `text` into lines; each line gets the range of `tokens` (the tokens of the whole
/// text, in order) that falls inside it. Tokens never cross a line break.
pub(crate) fn scan_lines(text: &str, tokens: &[Token]) -> Vec<Line> {
    let mut ti = 0usize;
    let mut out = Vec::new();
    let mut start = 0usize;
    let bytes = text.as_bytes();
    loop {
        let end = memchr_nl(bytes, start).unwrap_or(text.len());
        let raw = &text[start..end];
        let t = raw.trim();
        if t.is_empty() {
            out.push(Line {
                content: start..start,
                indented: false,
                bullet: false,
                tok: ti..ti,
            });
        } else {
            let lead = raw.len() - raw.trim_start().len();
            let cs = start + lead;
            let ce = cs + t.len();
            let tok = tokens_within(tokens, &mut ti, cs, ce);
            let mut chars = t.chars();
            let first = chars.next();
            let second = chars.next();
            let bullet = matches!(first, Some(c) if BULLETS.contains(&c))
                && !matches!(second, Some(c) if !c.is_whitespace());
            out.push(Line {
                content: cs..ce,
                indented: lead > 0,
                bullet,
                tok,
            });
        }
        if end >= text.len() {
            break;
        }
        start = end + 1;
    }
    out
}

/// The range of `tokens` (sorted, of the whole text) inside the byte range `cs..ce`, searching
/// forward from `*ti` (lines are visited in order).
#[inline]
pub(crate) fn tokens_within(
    tokens: &[Token],
    ti: &mut usize,
    cs: usize,
    ce: usize,
) -> Range<usize> {
    while *ti < tokens.len() && (tokens[*ti].start as usize) < cs {
        *ti += 1;
    }
    let t0 = *ti;
    while *ti < tokens.len() && (tokens[*ti].end as usize) <= ce {
        *ti += 1;
    }
    t0..*ti
}

#[inline]
fn memchr_nl(bytes: &[u8], from: usize) -> Option<usize> {
    bytes[from..]
        .iter()
        .position(|&b| b == b'\n')
        .map(|p| p + from)
}

/// Structural boilerplate cues of `text` (normalised text; see the crate docs). Sorted by
/// start, non-overlapping.
pub fn cue_spans(text: &str) -> Vec<Span> {
    cue_spans_with_tokens(text, &retold_text::tokenize(text))
}

/// [`cue_spans`] for a caller that already has the tokens of the whole `text`
/// (`retold_text::tokenize(text)`), so the text is not tokenized twice.
pub fn cue_spans_with_tokens(text: &str, tokens: &[Token]) -> Vec<Span> {
    let lines = scan_lines(text, tokens);
    let mut reasons: Vec<Option<Reason>> = vec![None; lines.len()];
    let mut buf = String::new();

    // 1. Phrase lists; remember teaser headers.
    let mut headers = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if l.blank() {
            continue;
        }
        let toks = &tokens[l.tok.clone()];
        if let Some((kind, extend)) = phrase_kind(text, l, toks, &mut buf) {
            reasons[i] = Some(match kind {
                Kind::Nav => Reason::Navigation,
                Kind::Share => Reason::Share,
                Kind::Comment => Reason::CommentForm,
                Kind::Teaser => Reason::Teaser,
            });
            if kind == Kind::Teaser && extend {
                headers.push(i);
            }
        }
    }

    // 2. Teaser blocks.
    for &h in &headers {
        teaser_block(text, &lines, h, &mut reasons);
    }

    // 3–5. Menus, picture labels, tiny lines.
    for (i, l) in lines.iter().enumerate() {
        if l.blank() || reasons[i].is_some() {
            continue;
        }
        let toks = &tokens[l.tok.clone()];
        if is_menu(text, l, toks) || is_letter_buttons(text, l, toks) {
            reasons[i] = Some(Reason::Navigation);
        } else if is_caption(text, l, toks) {
            reasons[i] = Some(Reason::Caption);
        }
    }
    tiny_runs(text, &lines, tokens, &mut reasons);
    menu_lists(text, &lines, &mut reasons);

    // 6. Lines printed twice.
    duplicates(&lines, tokens, &mut reasons);

    // 7. Sidebars at the head or tail.
    sidebar(&lines, &mut reasons);

    let mut spans = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if l.blank() {
            continue;
        }
        match reasons[i] {
            Some(reason) => spans.push(Span {
                start: l.content.start,
                end: l.content.end,
                reason,
            }),
            None => {
                if let Some(off) = editor_tag(&text[l.content.clone()]) {
                    spans.push(Span {
                        start: l.content.start + off,
                        end: l.content.end,
                        reason: Reason::EditorTag,
                    });
                }
            }
        }
    }
    crate::merge_spans(spans, false)
}

/// The lexicon kind of a line, and whether (for a teaser header) the block after it belongs to
/// it too.
fn phrase_kind(text: &str, l: &Line, toks: &[Token], buf: &mut String) -> Option<(Kind, bool)> {
    let n = toks.len();
    if n == 0 || n > 60 {
        return None;
    }
    let lex = lexicon::lexicon();
    let content = &text[l.content.clone()];

    // "Label: …"
    if n <= 25 {
        if let Some(colon) = content.find(':') {
            let cut = l.content.start + colon;
            let k = toks.iter().take_while(|t| (t.end as usize) <= cut).count();
            if k > 0 && k <= 3 {
                buf.clear();
                lexicon::phrase_into(text, &toks[..k], buf);
                if let Some(&kind) = lex.labels.get(buf.as_str()) {
                    // A label with nothing after it is a header of what follows.
                    return Some((kind, k == n));
                }
            }
        }
    }

    // Only the notice and exact-phrase rules read a whole line; the prefix rule reads its
    // first words. Long lines are cut so they cost no more than a short one.
    let whole = n <= NOTICE_TOKENS.max(12);
    let read = if whole {
        toks
    } else {
        &toks[..n.min(lex.max_prefix_tokens + 8)]
    };
    buf.clear();
    let words = lexicon::phrase_into(text, read, buf);
    if words == 0 {
        return None;
    }
    if n <= 12 {
        if let Some(&kind) = lex.exact.get(buf.as_str()) {
            return Some((kind, true));
        }
    }
    // Prefixes, longest first.
    let mut cuts: Vec<usize> = buf
        .match_indices(' ')
        .map(|(p, _)| p)
        .take(lex.max_prefix_tokens)
        .collect();
    if whole && words <= lex.max_prefix_tokens {
        cuts.push(buf.len());
    }
    for &c in cuts.iter().rev() {
        if let Some(&(kind, max)) = lex.prefix.get(&buf[..c]) {
            if n <= max {
                return Some((kind, true));
            }
        }
    }
    if n <= NOTICE_TOKENS {
        if content.contains('©') || lex.reserved.iter().any(|r| contains_phrase(buf, r)) {
            return Some((Kind::Nav, false));
        }
        // "Copyright 2024 …", "Copyright (c) 2024 …", or "Copyright" alone.
        let first = &text[toks[0].start as usize..toks[0].end as usize];
        if first.eq_ignore_ascii_case("copyright") {
            let year = toks[1..n.min(3)].iter().any(|t| {
                let w = &text[t.start as usize..t.end as usize];
                w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit())
            });
            if year || n == 1 {
                return Some((Kind::Nav, false));
            }
        }
    }
    None
}

/// Most tokens of a copyright notice line.
const NOTICE_TOKENS: usize = 40;

/// `phrase` contains `needle` at word boundaries.
fn contains_phrase(phrase: &str, needle: &str) -> bool {
    phrase.match_indices(needle).any(|(p, _)| {
        let before = p == 0 || phrase.as_bytes()[p - 1] == b' ';
        let e = p + needle.len();
        let after = e == phrase.len() || phrase.as_bytes()[e] == b' ';
        before && after
    })
}

/// True when the (trimmed) line ends in an ellipsis.
fn ends_in_ellipsis(s: &str) -> bool {
    let s = s.trim_end_matches(['"', '\'', ')', ']', ' ']);
    s.ends_with("...") || s.ends_with('…')
}

/// Non-blank lines after `h`, at most `k`.
fn next_nonblank(lines: &[Line], h: usize, k: usize) -> Vec<usize> {
    lines
        .iter()
        .enumerate()
        .skip(h + 1)
        .filter(|(_, l)| !l.blank())
        .map(|(i, _)| i)
        .take(k)
        .collect()
}

/// Most tokens of a line between a teaser header and its snippet (a headline).
const HEADLINE_TOKENS: usize = 20;
/// Most tokens of a lone teaser headline (no snippet after it).
const SHORT_HEADLINE_TOKENS: usize = 16;

fn teaser_block(text: &str, lines: &[Line], h: usize, reasons: &mut [Option<Reason>]) {
    let next = next_nonblank(lines, h, 3);
    let mut block_end = None;
    for (k, &j) in next.iter().enumerate() {
        if ends_in_ellipsis(&text[lines[j].content.clone()]) {
            block_end = Some(k);
            break;
        }
        if lines[j].ntok() > HEADLINE_TOKENS {
            break;
        }
    }
    let marked: &[usize] = match block_end {
        Some(k) => &next[..=k],
        None => match next.first() {
            Some(&j) if (1..=SHORT_HEADLINE_TOKENS).contains(&lines[j].ntok()) => &next[..1],
            _ => &[],
        },
    };
    for &j in marked {
        if reasons[j].is_none() {
            reasons[j] = Some(Reason::Teaser);
        }
    }
}

/// A menu or breadcrumb line: three or more short items between `|`, `»`, `›` or `>`.
fn is_menu(text: &str, l: &Line, toks: &[Token]) -> bool {
    let content = &text[l.content.clone()];
    // Normalisation folds '»' into '"'; a '"' with spaces on both sides is no quotation mark.
    // Scanned as bytes (the separators' UTF-8 forms start with bytes no other character
    // starts with at a character boundary), as most lines have none.
    let b = content.as_bytes();
    let seps: Vec<usize> = (0..b.len())
        .filter(|&i| match b[i] {
            b'|' | b'>' => true,
            b'"' => i > 0 && b[i - 1] == b' ' && b.get(i + 1) == Some(&b' '),
            // '»' (C2 BB), '¦' (C2 A6), '›' (E2 80 BA).
            0xc2 => matches!(b.get(i + 1), Some(0xbb | 0xa6)),
            0xe2 => b.get(i + 1..i + 3) == Some(&[0x80, 0xba]),
            _ => false,
        })
        .map(|i| l.content.start + i)
        .collect();
    if seps.len() < 2 || toks.is_empty() {
        return false;
    }
    // Tokens per item.
    let mut items = vec![0usize; seps.len() + 1];
    for t in toks {
        let item = seps.partition_point(|&s| s < t.start as usize);
        items[item] += 1;
    }
    let nonempty: Vec<usize> = items.into_iter().filter(|&c| c > 0).collect();
    nonempty.len() >= 3 && nonempty.iter().all(|&c| c <= 4)
}

/// A line of three or more copies of one letter ("A A A": text-size buttons).
fn is_letter_buttons(text: &str, l: &Line, toks: &[Token]) -> bool {
    toks.len() >= 3
        && toks.len() <= 5
        && toks
            .iter()
            .all(|t| t.hash == toks[0].hash && t.end - t.start <= 2)
        && text[l.content.clone()].chars().count() <= 16
}

fn lower(text: &str, t: &Token) -> String {
    text[t.start as usize..t.end as usize].to_lowercase()
}

fn is_dimension(w: &str) -> bool {
    // "16x9", "4x3", "1200x800"
    match w.split_once('x') {
        Some((a, b)) => {
            !a.is_empty()
                && !b.is_empty()
                && a.bytes().all(|c| c.is_ascii_digit())
                && b.bytes().all(|c| c.is_ascii_digit())
        }
        None => false,
    }
}

/// A picture label or credit alone on a line: "Image", "16x9 Image", "Getty Images",
/// "Photo: …", "Photo by …", "(AP Photo/…)".
fn is_caption(text: &str, l: &Line, toks: &[Token]) -> bool {
    let n = toks.len();
    if n == 0 || n > 15 {
        return false;
    }
    let words: Vec<String> = toks.iter().map(|t| lower(text, t)).collect();
    let noun = |w: &str| lexicon::IMAGE_NOUNS.contains(&w);
    let label = |w: &str| lexicon::IMAGE_LABEL_WORDS.contains(&w);
    // Bare label: every token a picture word, an agency, a number or a size.
    if n <= 6
        && words.iter().any(|w| noun(w))
        && words
            .iter()
            .all(|w| noun(w) || label(w) || w.chars().all(|c| c.is_numeric()) || is_dimension(w))
    {
        return true;
    }
    // Credit: a picture noun first (or after agency words), then ':' '/' '|' or a credit word.
    if let Some(j) = words.iter().position(|w| noun(w)) {
        if j <= 2 && words[..j].iter().all(|w| label(w)) {
            let after = text[toks[j].end as usize..l.content.end].trim_start();
            if after.starts_with([':', '/', '|', ','])
                || words
                    .get(j + 1)
                    .is_some_and(|w| lexicon::CREDIT_WORDS.contains(&w.as_str()))
            {
                return true;
            }
        }
    }
    // Parenthesised credit: "(Photo by …)", "(Reuters photo)".
    let content = &text[l.content.clone()];
    content.starts_with('(') && content.ends_with(')') && words.iter().any(|w| noun(w))
}

/// A "tiny" line: one short token that looks like a button label, not a word: a number, a
/// single character, or up to three capitals ("XS", "2", "A+"); no sentence punctuation.
fn is_tiny(text: &str, l: &Line, tokens: &[Token]) -> bool {
    if l.ntok() != 1 {
        return false;
    }
    let content = &text[l.content.clone()];
    let t = &tokens[l.tok.start];
    let w = &text[t.start as usize..t.end as usize];
    let n = w.chars().count();
    content.chars().count() <= 6
        && n <= 3
        && (n == 1
            || w.chars().all(char::is_numeric)
            || w.chars().all(|c| c.is_uppercase() || c.is_numeric()))
        && !content.ends_with(['.', '!', '?', ':'])
}

/// Runs of two or more tiny lines (blank lines between allowed) are navigation.
fn tiny_runs(text: &str, lines: &[Line], tokens: &[Token], reasons: &mut [Option<Reason>]) {
    let mut run: Vec<usize> = Vec::new();
    let flush = |run: &mut Vec<usize>, reasons: &mut [Option<Reason>]| {
        if run.len() >= 2 {
            for &j in run.iter() {
                if reasons[j].is_none() {
                    reasons[j] = Some(Reason::Navigation);
                }
            }
        }
        run.clear();
    };
    for (i, l) in lines.iter().enumerate() {
        if l.blank() {
            continue;
        }
        if is_tiny(text, l, tokens) {
            run.push(i);
        } else {
            flush(&mut run, reasons);
        }
    }
    flush(&mut run, reasons);
}

/// Most tokens of a menu item on its own line.
const MENU_ITEM_TOKENS: usize = 2;

/// A short line that could be a menu item: a few tokens, no sentence punctuation or quotes.
fn is_menu_item(text: &str, l: &Line) -> bool {
    let content = &text[l.content.clone()];
    (1..=MENU_ITEM_TOKENS).contains(&l.ntok())
        && content.chars().count() <= 32
        && !content.ends_with(['.', '!', '?', ':', ',', ';'])
        && !content.contains('"')
}

/// A list of three or more consecutive menu-item lines (no blank line between) in which some
/// line already is navigation or a share button: the whole list is navigation ("Home", "News",
/// "Sport", …).
fn menu_lists(text: &str, lines: &[Line], reasons: &mut [Option<Reason>]) {
    let mut i = 0;
    while i < lines.len() {
        if lines[i].blank() || !is_menu_item(text, &lines[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < lines.len() && !lines[i].blank() && is_menu_item(text, &lines[i]) {
            i += 1;
        }
        let run = start..i;
        let anchored = run
            .clone()
            .any(|j| matches!(reasons[j], Some(Reason::Navigation | Reason::Share)));
        if run.len() >= 3 && anchored {
            for j in run {
                if reasons[j].is_none() {
                    reasons[j] = Some(Reason::Navigation);
                }
            }
        }
    }
}

/// Least number of tokens of a line for the duplicate-line rule.
const DUP_MIN_TOKENS: usize = 4;

fn duplicates(lines: &[Line], tokens: &[Token], reasons: &mut [Option<Reason>]) {
    let mut counts: AHashMap<u64, u32> = AHashMap::new();
    let mut keys = vec![0u64; lines.len()];
    for (i, l) in lines.iter().enumerate() {
        if l.ntok() >= DUP_MIN_TOKENS {
            let k = hash_seq(&tokens[l.tok.clone()]);
            keys[i] = k;
            *counts.entry(k).or_insert(0) += 1;
        }
    }
    if counts.len() == lines.iter().filter(|l| l.ntok() >= DUP_MIN_TOKENS).count() {
        return;
    }
    // A line printed twice in a row (no blank line between: a caption under a picture and
    // again as alt text) is chrome in every copy. Otherwise the first occurrence is the
    // article's own text (a lead repeated as a summary) and only the repeats are marked.
    let adjacent = |i: usize| {
        let k = keys[i];
        (i > 0 && keys[i - 1] == k && !lines[i - 1].blank())
            || (i + 1 < lines.len() && keys[i + 1] == k && !lines[i + 1].blank())
    };
    let repeated = |i: usize| lines[i].ntok() >= DUP_MIN_TOKENS && counts[&keys[i]] >= 2;
    let printed_twice: AHashSet<u64> = (0..lines.len())
        .filter(|&i| repeated(i) && adjacent(i))
        .map(|i| keys[i])
        .collect();
    let mut seen: AHashSet<u64> = AHashSet::new();
    for i in 0..lines.len() {
        if !repeated(i) {
            continue;
        }
        let first = seen.insert(keys[i]);
        if (first && !printed_twice.contains(&keys[i])) || reasons[i].is_some() {
            continue;
        }
        reasons[i] = Some(Reason::DuplicateLine);
    }
}

/// An indented (or bullet-led, indented) block at the head or the tail of a document whose
/// body is mostly not indented.
fn sidebar(lines: &[Line], reasons: &mut [Option<Reason>]) {
    let content: Vec<usize> = (0..lines.len()).filter(|&i| !lines[i].blank()).collect();
    let flush_lines = content.iter().filter(|&&i| !lines[i].indented).count();
    let indented_tok: usize = content
        .iter()
        .filter(|&&i| lines[i].indented)
        .map(|&i| lines[i].ntok())
        .sum();
    let total_tok: usize = content.iter().map(|&i| lines[i].ntok()).sum();
    let flush_tok = total_tok - indented_tok;
    // "Mostly not indented": at least three unindented lines holding at least two thirds of
    // the tokens.
    if flush_lines < 3 || indented_tok * 2 > flush_tok {
        return;
    }

    let head = block(lines, reasons, content.iter().copied(), false);
    let tail = block(lines, reasons, content.iter().rev().copied(), true);
    for b in [head, tail] {
        let btok: usize = b.iter().map(|&i| lines[i].ntok()).sum();
        if b.is_empty() || btok * 2 > total_tok {
            continue;
        }
        for i in b {
            if reasons[i].is_none() {
                reasons[i] = Some(Reason::Sidebar);
            }
        }
    }
}

/// Collects the edge block walking `order` (non-blank lines from one end inwards). Lines
/// already marked are passed over. `from_tail`: the block's first line (its top) is the last
/// one reached, and may be a bullet line that is not indented.
fn block(
    lines: &[Line],
    reasons: &[Option<Reason>],
    order: impl Iterator<Item = usize>,
    from_tail: bool,
) -> Vec<usize> {
    let mut out = Vec::new();
    let mut has_indented = false;
    for i in order {
        let l = &lines[i];
        if reasons[i].is_some() {
            continue;
        }
        if l.indented {
            out.push(i);
            has_indented = true;
        } else if l.bullet && (from_tail || out.is_empty()) {
            // The block's top: a bullet line.
            out.push(i);
            if from_tail {
                break;
            }
        } else {
            break;
        }
    }
    if has_indented {
        out
    } else {
        Vec::new()
    }
}

/// Initials that are words, not editor tags.
const NOT_TAGS: &[&str] = &[
    "sic", "and", "or", "etc", "ed", "eds", "cf", "ie", "eg", "i", "a", "and/or", "he/she",
    "his/her", "him/her", "s/he", "w/o",
];

/// Editor initials at the end of a line ("… more. [em/lt]", "(ab/cd)", "[jh]"): the byte
/// offset in `content` where the tag's span starts (its preceding white space included).
pub(crate) fn editor_tag(content: &str) -> Option<usize> {
    let close = content.chars().last()?;
    let open = match close {
        ']' => '[',
        ')' => '(',
        _ => return None,
    };
    let open_pos = content.rfind(open)?;
    let inner = &content[open_pos + 1..content.len() - 1];
    if inner.is_empty() || inner.len() > 24 || NOT_TAGS.contains(&inner) {
        return None;
    }
    let mut groups = 0;
    for g in inner.split('/') {
        let c = g.chars().count();
        if c == 0 || c > 4 || !g.chars().all(|c| c.is_alphabetic() && c.is_lowercase()) {
            return None;
        }
        groups += 1;
    }
    if open == '(' && groups < 2 {
        return None;
    }
    let before = &content[..open_pos];
    let trimmed = before.trim_end();
    if !trimmed.is_empty() && trimmed.len() == before.len() {
        // Glued to the text: only after the end of a sentence.
        let last = trimmed.chars().last()?;
        if !matches!(last, '.' | '!' | '?' | '"' | '\'' | ')') {
            return None;
        }
    }
    Some(trimmed.len())
}
