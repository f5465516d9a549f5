//! A guard against pathologically deep markup before the HTML parser sees it.
//!
//! The HTML tree builder (html5ever, as the standard says) looks through the stack of open
//! elements at every start tag, so a page of n nested elements takes O(n²) time: 100,000
//! nested `<div>`s take about 20 s, a 5 MB page of them many minutes. Browsers cap the depth
//! of the tree (Chromium at 512). Here a linear scan estimates the nesting depth of the
//! markup; only when it goes past [`MAX_DEPTH`] are the tags below that depth dropped (their
//! text is kept), so ordinary pages are parsed exactly as written.

/// Deepest nesting kept.
pub(crate) const MAX_DEPTH: usize = 512;

/// Elements that never hold content.
const VOID: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// Elements whose end tag may be left out (the parser closes them itself): not counted, so
/// that a page of unclosed `<p>`s or `<li>`s does not look deep.
const OPTIONAL_END: [&str; 19] = [
    "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "tbody", "thead", "tfoot",
    "colgroup", "caption", "rb", "rt", "rp", "rtc", "html",
];

/// Elements whose content is raw text up to their end tag.
const RAW: [&str; 6] = ["script", "style", "textarea", "title", "xmp", "noscript"];

/// One tag found by the scan.
struct Tag<'a> {
    /// Byte range of the whole tag, `<` to `>`.
    start: usize,
    end: usize,
    name: &'a str,
    closing: bool,
    self_closing: bool,
}

/// Finds the tags of `html` in order (comments, doctypes and raw-text content skipped).
fn tags(html: &str) -> impl Iterator<Item = Tag<'_>> {
    let b = html.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || loop {
        let lt = i + b.get(i..)?.iter().position(|&c| c == b'<')?;
        let rest = &b[lt + 1..];
        if rest.starts_with(b"!--") {
            i = find(b, lt + 4, b"-->").map_or(b.len(), |p| p + 3);
            continue;
        }
        if rest.first().is_some_and(|&c| c == b'!' || c == b'?') {
            i = b[lt..]
                .iter()
                .position(|&c| c == b'>')
                .map_or(b.len(), |p| lt + p + 1);
            continue;
        }
        let closing = rest.first() == Some(&b'/');
        let name_start = lt + 1 + usize::from(closing);
        let name_len = b[name_start..]
            .iter()
            .position(|c| !c.is_ascii_alphanumeric())
            .unwrap_or(b.len() - name_start);
        if name_len == 0 || !b[name_start].is_ascii_alphabetic() {
            i = lt + 1;
            continue;
        }
        // The tag ends at the first '>' outside quoted attribute values.
        let mut j = name_start + name_len;
        let mut quote = None;
        while j < b.len() {
            match (quote, b[j]) {
                (None, b'>') => break,
                (None, q @ (b'"' | b'\'')) => quote = Some(q),
                (Some(q), c) if c == q => quote = None,
                _ => {}
            }
            j += 1;
        }
        let end = (j + 1).min(b.len());
        let name = &html[name_start..name_start + name_len];
        let self_closing = j > 0 && j < b.len() && b[j - 1] == b'/';
        i = end;
        if !closing && RAW.iter().any(|r| r.eq_ignore_ascii_case(name)) {
            // Skip the raw text up to the end tag.
            let close = format!("</{}", name.to_ascii_lowercase());
            i = find_ci(b, end, close.as_bytes()).unwrap_or(b.len());
        }
        return Some(Tag {
            start: lt,
            end,
            name,
            closing,
            self_closing,
        });
    })
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

fn find_ci(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
        .map(|p| from + p)
}

/// Whether a tag opens or closes a level of nesting as counted here.
fn counted(t: &Tag<'_>) -> bool {
    let is = |set: &[&str]| set.iter().any(|s| s.eq_ignore_ascii_case(t.name));
    !t.self_closing && !is(&VOID) && !is(&OPTIONAL_END)
}

/// `html` with the tags nested deeper than `max` levels dropped, or `None` when it is not
/// that deep (the common case: nothing is copied).
pub(crate) fn flatten(html: &str, max: usize) -> Option<String> {
    let mut depth = 0usize;
    let mut deep = false;
    for t in tags(html).filter(counted) {
        if t.closing {
            depth = depth.saturating_sub(1);
        } else {
            depth += 1;
            if depth > max {
                deep = true;
                break;
            }
        }
    }
    if !deep {
        return None;
    }
    let mut out = String::with_capacity(html.len());
    let (mut depth, mut excess, mut copied) = (0usize, 0usize, 0usize);
    for t in tags(html).filter(counted) {
        let drop = if t.closing {
            if excess > 0 {
                excess -= 1;
                true
            } else {
                depth = depth.saturating_sub(1);
                false
            }
        } else if depth >= max {
            excess += 1;
            true
        } else {
            depth += 1;
            false
        };
        if drop {
            out.push_str(&html[copied..t.start]);
            copied = t.end;
        }
    }
    out.push_str(&html[copied..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_markup_is_left_alone() {
        // Depth 3 (body, div, script); the divs in the comment, the attribute and the script
        // are not tags; unclosed <p>s and void elements do not nest.
        let html = "<html><body><div class=\"a><div><div>\"><p>one<p>two<br><img src=x/><script>if (a<b) { s = '<div><div>'; }</script><!-- <div><div> --></div></body></html>";
        assert_eq!(flatten(html, 3), None);
        assert!(flatten(html, 2).is_some());
    }

    #[test]
    fn tags_below_the_limit_are_dropped_and_text_kept() {
        let html = format!(
            "<body>{}deep text{}</body><p>after",
            "<div>".repeat(10),
            "</div>".repeat(10)
        );
        let flat = flatten(&html, 4).unwrap();
        assert_eq!(
            flat,
            format!(
                "<body>{}deep text{}</body><p>after",
                "<div>".repeat(3),
                "</div>".repeat(3)
            )
        );
    }
}
