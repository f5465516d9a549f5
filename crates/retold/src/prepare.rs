//! A document made ready for comparison: normalised text with its offset map, boilerplate
//! spans, and the tokens of its non-boilerplate content.

use retold_clean::{CorpusModel, Span};
use retold_text::{normalize, tokenize, Normalized, Token};

/// A prepared document.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// Normalised text and its map back to the original.
    pub norm: Normalized,
    /// Boilerplate spans (byte ranges of the normalised text), sorted.
    pub spans: Vec<Span>,
    /// Tokens outside boilerplate (offsets into the normalised text).
    pub tokens: Vec<Token>,
    /// All tokens of the text, boilerplate included.
    pub all_tokens: usize,
    /// Detected (or given) language, ISO 639-1.
    pub lang: Option<String>,
    /// Sentence units with their content terms, computed on first use.
    sentences: std::sync::OnceLock<Sentences>,
}

/// A document's sentences for the reworded-passage aligner: each sentence's content-token
/// range and its terms (stemmed words without stop words).
#[derive(Debug, Clone, Default)]
pub struct Sentences {
    /// Content-token range `[start, end)` of each sentence.
    pub spans: Vec<(u32, u32)>,
    /// Terms and length (code points of the normalised text) of each sentence.
    pub bags: Vec<retold_align::Sentence>,
}

/// Sentences with fewer content tokens than this are joined to the next one (a heading or a
/// fragment says too little on its own).
const MIN_SENTENCE_TOKENS: usize = 4;

impl Prepared {
    /// Token hashes of the content.
    pub fn hashes(&self) -> Vec<u64> {
        self.tokens.iter().map(|t| t.hash).collect()
    }

    /// Boilerplate spans as code point ranges of the original text.
    pub fn boilerplate_original(&self) -> Vec<[usize; 2]> {
        self.spans
            .iter()
            .map(|s| {
                let (a, b) = self.norm.to_original(s.start, s.end);
                [a, b]
            })
            .collect()
    }

    /// Original code point range of content tokens `[from, to)`.
    pub fn token_span_original(&self, from: u32, to: u32) -> [usize; 2] {
        if from >= to || to as usize > self.tokens.len() {
            return [0, 0];
        }
        let s = self.tokens[from as usize].start as usize;
        let e = self.tokens[to as usize - 1].end as usize;
        let (a, b) = self.norm.to_original(s, e);
        [a, b]
    }

    /// The sentences of the content, with their terms (computed once, on first use; the
    /// language is detected here when the document has none).
    pub fn sentences(&self) -> &Sentences {
        self.sentences.get_or_init(|| {
            let text = self.norm.text();
            let lang = self
                .lang
                .clone()
                .or_else(|| detect_content_lang_str(text, &self.tokens));
            sentences_of(text, &self.tokens, lang.as_deref())
        })
    }

    /// Bytes held on the heap (text, offset map, spans, tokens and the sentences once
    /// computed), for memory budgets.
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        let sentences = self.sentences.get().map_or(0, |s| {
            s.spans.capacity() * size_of::<(u32, u32)>()
                + s.bags
                    .iter()
                    .map(|b| size_of::<retold_align::Sentence>() + b.terms.capacity() * 8)
                    .sum::<usize>()
        });
        self.norm.heap_bytes()
            + self.spans.capacity() * size_of::<Span>()
            + self.tokens.capacity() * size_of::<Token>()
            + sentences
    }

    /// Number of code points of boilerplate in the normalised text.
    pub fn boilerplate_bytes(&self) -> usize {
        self.spans.iter().map(|s| s.end - s.start).sum()
    }
}

/// Keeps the tokens that do not start inside a span (both sorted).
pub fn content_tokens(tokens: Vec<Token>, spans: &[Span]) -> Vec<Token> {
    if spans.is_empty() {
        return tokens;
    }
    let mut out = Vec::with_capacity(tokens.len());
    let mut si = 0;
    for t in tokens {
        let p = t.start as usize;
        while si < spans.len() && spans[si].end <= p {
            si += 1;
        }
        if si < spans.len() && spans[si].start <= p {
            continue;
        }
        out.push(t);
    }
    out
}

/// Prepares `text`. `model` adds corpus-learned boilerplate (use `CorpusModel::empty()` for
/// cues alone); `lang` is the language if the input gave one.
pub fn prepare(
    text: &str,
    source: Option<&str>,
    model: &CorpusModel,
    lang: Option<&str>,
) -> Prepared {
    prepare_with(text, source, model, lang, &[], true)
}

/// [`prepare`], with `marked` code point ranges of `text` known to be boilerplate already
/// (web page chrome from ingest, see `Document::marked`), detecting the language only when
/// `detect` is set and none was given (the lexical pipeline does not need it; `compare`
/// reports it).
pub fn prepare_with(
    text: &str,
    source: Option<&str>,
    model: &CorpusModel,
    lang: Option<&str>,
    marked: &[[usize; 2]],
    detect: bool,
) -> Prepared {
    let norm = normalize(text);
    let all = tokenize(norm.text());
    let mut spans = retold_clean::spans_with_tokens(norm.text(), &all, source, model);
    if !marked.is_empty() {
        spans = merge_spans(spans, chrome_spans(&norm, marked));
    }
    let all_tokens = all.len();
    let tokens = content_tokens(all, &spans);
    let lang = match lang {
        Some(l) if !l.is_empty() => Some(l.to_string()),
        _ if detect => detect_content_lang(&norm, &tokens),
        _ => None,
    };
    Prepared {
        norm,
        spans,
        tokens,
        all_tokens,
        lang,
        sentences: std::sync::OnceLock::new(),
    }
}

/// The sentences of `text` (normalised) over its content `tokens`, with their terms in
/// `lang` (short sentences joined to the next).
pub(crate) fn sentences_of(text: &str, tokens: &[Token], lang: Option<&str>) -> Sentences {
    let terms = retold_text::Terms::for_lang(lang);
    let mut out = Sentences::default();
    let mut start: Option<usize> = None;
    let bounds = retold_text::segment::sentences(text);
    let n = bounds.len();
    for (k, r) in bounds.into_iter().enumerate() {
        let from = tokens.partition_point(|t| (t.start as usize) < r.start);
        let to = tokens.partition_point(|t| (t.start as usize) < r.end);
        let s = *start.get_or_insert(from);
        if to <= s || (to - s < MIN_SENTENCE_TOKENS && k + 1 < n) {
            continue;
        }
        start = None;
        let (bs, be) = (tokens[s].start as usize, tokens[to - 1].end as usize);
        // A new paragraph: a blank line since the last sentence.
        let gap = match out.spans.last() {
            Some(&(_, e)) => &text[tokens[e as usize - 1].end as usize..bs],
            None => "",
        };
        let new_paragraph = out.spans.is_empty() || gap.matches('\n').count() >= 2;
        out.spans.push((s as u32, to as u32));
        out.bags.push(retold_align::Sentence {
            new_paragraph,
            terms: tokens[s..to]
                .iter()
                .filter_map(|t| terms.term_cached(&text[t.start as usize..t.end as usize]))
                .collect(),
            len: text[bs..be].chars().count() as u32,
        });
    }
    out
}

/// The `marked` ranges (code points of the original) as page-chrome spans of `norm`.
pub(crate) fn chrome_spans(norm: &Normalized, marked: &[[usize; 2]]) -> Vec<Span> {
    marked
        .iter()
        .filter_map(|&[a, b]| {
            let (start, end) = norm.from_original(a, b);
            (end > start).then_some(Span {
                start,
                end,
                reason: retold_clean::Reason::PageChrome,
            })
        })
        .collect()
}

/// Two span lists as one, sorted and non-overlapping (an overlap keeps the earlier span's
/// reason).
pub(crate) fn merge_spans(a: Vec<Span>, b: Vec<Span>) -> Vec<Span> {
    if b.is_empty() {
        return a;
    }
    let mut all = a;
    all.extend(b);
    all.sort_by_key(|s| (s.start, s.end));
    let mut out: Vec<Span> = Vec::with_capacity(all.len());
    for s in all {
        match out.last_mut() {
            Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
            _ => out.push(s),
        }
    }
    out
}

fn detect_content_lang(norm: &Normalized, tokens: &[Token]) -> Option<String> {
    detect_content_lang_str(norm.text(), tokens)
}

/// The language of the content (from its first tokens: a few kilobytes tell).
pub(crate) fn detect_content_lang_str(text: &str, tokens: &[Token]) -> Option<String> {
    const SAMPLE_TOKENS: usize = 600;
    let (Some(f), Some(l)) = (
        tokens.first(),
        tokens.get(tokens.len().min(SAMPLE_TOKENS).wrapping_sub(1)),
    ) else {
        return None;
    };
    retold_text::lang::detect(&text[f.start as usize..l.end as usize]).map(str::to_string)
}
