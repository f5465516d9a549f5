//! Web pages (`.html` files, WARC payloads, HTML fields): main-text extraction through
//! `retold_extract`, into a [`Document`] whose text is the page's visible text with its chrome
//! marked.

use crate::document::Document;
use crate::error::IngestError;
use crate::options::IngestOptions;

/// What is known about a page besides its bytes.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct PageMeta<'a> {
    /// The HTTP `Content-Type` header (its charset wins over the page's `<meta>`).
    pub content_type: Option<&'a str>,
    /// The page's URL.
    pub url: Option<&'a str>,
    /// A date to use when the page gives none (e.g. the WARC capture date).
    pub date: Option<&'a str>,
}

/// Extracts the page in `bytes` into a document with id `id`. Its text is the page's visible
/// text (blocks separated by blank lines), `marked` holds the chrome's code point ranges, and
/// the title, date, URL and source (the URL's host) come from the page and `meta` unless
/// `base` (a record that carried them) already has them.
pub(crate) fn page_document(
    base: Document,
    bytes: &[u8],
    meta: PageMeta<'_>,
    opts: &IngestOptions,
) -> Result<Document, IngestError> {
    let eo = retold_extract::ExtractOptions {
        content_type: meta.content_type.map(str::to_owned),
        url: meta.url.map(str::to_owned),
        max_bytes: opts.max_doc_bytes,
    };
    let page = match retold_extract::extract(bytes, &eo) {
        Ok(p) => p,
        Err(retold_extract::ExtractError::TooLarge { limit }) => {
            return Err(IngestError::DocTooLarge {
                origin: base.origin,
                bytes: bytes.len() as u64,
                limit,
            })
        }
        Err(e) => {
            return Err(IngestError::Page {
                origin: base.origin,
                message: e.to_string(),
            })
        }
    };
    let marked = page.char_ranges(&page.boilerplate);
    let url = base.url.or_else(|| meta.url.map(str::to_owned));
    let source = base
        .source
        .or_else(|| url.as_deref().and_then(retold_extract::host_of));
    Ok(Document {
        id: base.id,
        lang: base.lang,
        date: base
            .date
            .or(page.date)
            .or_else(|| meta.date.map(str::to_owned)),
        source,
        url,
        title: base.title.or(page.title),
        origin: base.origin,
        marked,
        warnings: page.warnings,
        text: page.text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_becomes_a_document_with_its_chrome_marked() {
        let html = br#"<html><head><title>Storm hits coast</title>
            <meta property="article:published_time" content="2024-03-05T10:00:00Z"></head>
            <body><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
            <article><h1>Storm hits coast</h1>
            <p>A powerful storm hit the northern coast on Tuesday, flooding several towns and cutting power to thousands of homes, officials said.</p>
            <p>Rescue teams worked through the night to reach residents stranded by the rising water, and schools will stay closed until Friday.</p>
            </article><footer>Copyright 2024 Example News. All rights reserved.</footer></body></html>"#;
        let base = Document::new("p1", "", crate::document::Origin::file("p1.html"));
        let meta = PageMeta {
            url: Some("https://news.example.com/storm"),
            ..PageMeta::default()
        };
        let d = page_document(base, html, meta, &IngestOptions::default()).unwrap();
        assert!(d.text.contains("Rescue teams worked through the night"));
        assert_eq!(d.title.as_deref(), Some("Storm hits coast"));
        assert_eq!(d.date.as_deref().map(|s| &s[..10]), Some("2024-03-05"));
        assert_eq!(d.source.as_deref(), Some("news.example.com"));
        let chars: Vec<char> = d.text.chars().collect();
        let marked: Vec<String> = d
            .marked
            .iter()
            .map(|[a, b]| chars[*a..*b].iter().collect())
            .collect();
        assert!(
            marked.iter().any(|m| m.contains("Copyright 2024")),
            "{marked:?}"
        );
        assert!(
            !marked.iter().any(|m| m.contains("Rescue teams")),
            "{marked:?}"
        );
    }
}
