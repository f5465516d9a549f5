//! Main-text extraction from web pages.
//!
//! [`extract`] turns the raw bytes of an HTML page (gzip-compressed or not) into a [`Page`]:
//! its visible text as paragraph-level blocks, the byte ranges of that text that are the
//! article body and the complementary boilerplate ranges, the title, the publication date and
//! the charset used.
//!
//! # Method
//!
//! 1. **Bytes to text.** Gzip input (magic `1f 8b`) is decompressed up to
//!    [`ExtractOptions::max_bytes`]; the charset comes from a BOM, the `Content-Type` header,
//!    a `<meta>` declaration in the first 4 KiB, valid UTF-8, or windows-1252 (see [`decode`]).
//! 2. **Parse** with `scraper` (html5ever: the WHATWG parsing algorithm, tolerant of broken
//!    markup).
//! 3. **Blocks.** An iterative DOM walk collects visible text (scripts, styles, `noscript`,
//!    templates, embedded media, `hidden` and `display:none` elements dropped) into blocks, one
//!    per run of inline content between block-level elements, each remembering the block-level
//!    element it hangs from, its length and how much of it is link text.
//! 4. **Article selection** (module `select`): blocks are weighted (paragraph-like text with
//!    punctuation and few links positive, link lists and short clutter negative); elements
//!    named like boilerplate (`nav`, `footer`, `aside`, classes/ids such as *comment*, *share*,
//!    *related*, *newsletter*, *byline*, `role=navigation`...) turn the weights under them
//!    negative; the block-level element with the highest subtree score (boosted for names like
//!    *article*/*content*/*post-body* and `itemprop=articleBody`) is the article container.
//!    Inside it, blocks under boilerplate-named elements, link-dense blocks, the `<h1>` headline
//!    and captions are boilerplate. A JSON-LD `articleBody`, when present, reinforces the
//!    blocks whose word trigrams it contains.
//! 5. **Cross-page boilerplate** (optional): a [`SiteProfile`] learned from other pages of the
//!    same host marks blocks recurring on many of them as boilerplate ([`extract_with`]).
//!
//! No rule refers to a particular site.
//!
//! # Quality
//!
//! On the 90-page dev split of the Scrapinghub article-extraction benchmark
//! (`shared/eval/extraction`, metric in [`metric`]): precision 0.970, recall 0.986, F1 0.978
//! (asserted ≥ 0.97 by `tests/dev_set.rs`; `examples/extract_eval.rs` prints per-page scores and
//! pages/s; `scripts/quality.py` writes it to `docs/quality.md`). The weights were chosen on
//! those pages, so expect somewhat less on unseen ones.

mod decode;
mod depth;
mod dom;
mod meta;
pub mod metric;
mod profile;
mod select;

use std::ops::Range;

pub use decode::{decode, gunzip_if_needed, Decoded};
pub use meta::normalize_date;
pub use profile::SiteProfile;

/// Default cap on (decompressed) input size: 64 MiB.
pub const DEFAULT_MAX_BYTES: usize = 64 << 20;

/// Options for [`extract`].
#[derive(Debug, Clone)]
pub struct ExtractOptions {
    /// The HTTP `Content-Type` header, if known (its `charset` wins over `<meta>`).
    pub content_type: Option<String>,
    /// The page's URL, if known (not used for scoring; group pages by [`host_of`] of it to learn
    /// a [`SiteProfile`]).
    pub url: Option<String>,
    /// Largest accepted input, after gzip decompression ([`ExtractError::TooLarge`] above).
    pub max_bytes: usize,
}

impl Default for ExtractOptions {
    fn default() -> Self {
        ExtractOptions {
            content_type: None,
            url: None,
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

/// Why a page could not be extracted at all.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// The input (after decompression) exceeds [`ExtractOptions::max_bytes`].
    #[error("page larger than the limit of {limit} bytes")]
    TooLarge {
        /// The limit that was exceeded.
        limit: usize,
    },
    /// The input has the gzip magic but nothing could be decompressed from it.
    #[error("gzip stream unreadable: {0}")]
    Gzip(String),
}

/// An extracted page.
///
/// `text` holds every visible block, separated by `"\n\n"`; `body` and `boilerplate` are
/// sorted, non-overlapping byte ranges of `text` (on char boundaries) that together cover all
/// its blocks. Each range spans one or more consecutive blocks (and the separators between
/// them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page {
    /// Title: `og:title`/`twitter:title`, JSON-LD `headline`, `<title>`, or the first `<h1>`.
    pub title: Option<String>,
    /// Publication date, `YYYY-MM-DD` or full ISO-8601 when a time is given (see
    /// [`normalize_date`]); from meta tags, `itemprop=datePublished`, JSON-LD or `<time>`.
    pub date: Option<String>,
    /// All visible text, blocks separated by `"\n\n"`.
    pub text: String,
    /// Byte ranges of `text` that are the article body.
    pub body: Vec<Range<usize>>,
    /// Byte ranges of `text` that are not (navigation, footers, share bars, related links...).
    pub boilerplate: Vec<Range<usize>>,
    /// The article body: the `body` ranges joined with `"\n\n"`.
    pub article: String,
    /// The encoding used to decode the page (WHATWG name).
    pub charset: String,
    /// Non-fatal problems (charset fallbacks, truncated gzip...).
    pub warnings: Vec<String>,
}

impl Page {
    /// The blocks of [`Page::text`].
    pub fn blocks(&self) -> impl Iterator<Item = &str> {
        self.text.split("\n\n").filter(|b| !b.trim().is_empty())
    }

    /// Sorted byte ranges of [`Page::text`] (such as [`Page::body`] or
    /// [`Page::boilerplate`]) as end-exclusive code point ranges, the unit of retold's
    /// outputs (`str` indexing in Python).
    pub fn char_ranges(&self, ranges: &[Range<usize>]) -> Vec<[usize; 2]> {
        let text = &self.text;
        let mut out = Vec::with_capacity(ranges.len());
        let (mut byte, mut chars) = (0usize, 0usize);
        let mut count_to = |to: usize| {
            let to = to.min(text.len());
            if to > byte {
                chars += text.get(byte..to).map_or(0, |s| s.chars().count());
                byte = to;
            }
            chars
        };
        for r in ranges {
            let a = count_to(r.start);
            let b = count_to(r.end);
            if b > a {
                out.push([a, b]);
            }
        }
        out
    }
}

/// Extracts a page; same as [`extract_with`] without a site profile.
pub fn extract(bytes: &[u8], opts: &ExtractOptions) -> Result<Page, ExtractError> {
    extract_with(bytes, opts, None)
}

/// Extracts a page, marking blocks that recur on the host (per `site`) as boilerplate.
pub fn extract_with(
    bytes: &[u8],
    opts: &ExtractOptions,
    site: Option<&SiteProfile>,
) -> Result<Page, ExtractError> {
    let mut warnings = Vec::new();
    let raw = gunzip_if_needed(bytes, opts.max_bytes, &mut warnings)?;
    let decoded = decode(&raw, opts.content_type.as_deref());
    warnings.extend(decoded.warnings);
    let flat = depth::flatten(&decoded.text, depth::MAX_DEPTH);
    if flat.is_some() {
        warnings.push(format!(
            "elements nested more than {} levels deep; the deeper tags are ignored (their text is kept)",
            depth::MAX_DEPTH
        ));
    }
    let doc = scraper::Html::parse_document(flat.as_deref().unwrap_or(&decoded.text));
    let meta = meta::collect(&doc);
    let walk = dom::walk(doc.tree.root());
    drop(doc);
    let forced: Vec<bool> = match site {
        Some(p) if !p.is_empty() => walk
            .blocks
            .iter()
            .map(|b| p.is_boilerplate(&b.text))
            .collect(),
        _ => vec![false; walk.blocks.len()],
    };
    let keep = select::select(&walk, &forced, meta.ld_body.as_deref());
    let mut page = Page {
        title: meta.title,
        date: meta.date,
        charset: decoded.charset,
        warnings,
        ..Page::default()
    };
    assemble(
        &mut page,
        walk.blocks.iter().map(|b| b.text.as_str()),
        &keep,
    );
    Ok(page)
}

/// Fills `text`, `body`, `boilerplate` and `article` from blocks and their body flags.
fn assemble<'a>(page: &mut Page, blocks: impl Iterator<Item = &'a str>, keep: &[bool]) {
    let mut cur: Option<(bool, Range<usize>)> = None;
    for (i, b) in blocks.enumerate() {
        if !page.text.is_empty() {
            page.text.push_str("\n\n");
        }
        let start = page.text.len();
        page.text.push_str(b);
        let end = page.text.len();
        let is_body = keep.get(i).copied().unwrap_or(false);
        if is_body {
            if !page.article.is_empty() {
                page.article.push_str("\n\n");
            }
            page.article.push_str(b);
        }
        cur = match cur.take() {
            Some((k, r)) if k == is_body => Some((k, r.start..end)),
            Some((k, r)) => {
                if k {
                    page.body.push(r)
                } else {
                    page.boilerplate.push(r)
                }
                Some((is_body, start..end))
            }
            None => Some((is_body, start..end)),
        };
    }
    if let Some((k, r)) = cur {
        if k {
            page.body.push(r)
        } else {
            page.boilerplate.push(r)
        }
    }
}

/// The lower-cased host of a URL (`http(s)://user@Host:port/...` → `host`), without a
/// leading `www.`; `None` when there is none.
pub fn host_of(url: &str) -> Option<String> {
    let rest = url.trim();
    let rest = match rest.find("://") {
        Some(i) => &rest[i + 3..],
        None => rest.strip_prefix("//")?,
    };
    let auth = rest.split(['/', '?', '#']).next()?;
    let auth = auth.rsplit('@').next()?;
    let host = if let Some(v6) = auth.strip_prefix('[') {
        v6.split(']').next()?
    } else {
        auth.split(':').next()?
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let host = host
        .strip_prefix("www.")
        .map(str::to_string)
        .unwrap_or(host);
    (!host.is_empty()).then_some(host)
}
