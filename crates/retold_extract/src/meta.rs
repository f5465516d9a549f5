//! Page metadata: title, publication date, JSON-LD `articleBody`.

use scraper::{Html, Node};

/// Metadata gathered in one pass over the document.
#[derive(Debug, Default)]
pub(crate) struct Meta {
    pub title: Option<String>,
    pub date: Option<String>,
    /// The longest JSON-LD `articleBody` / `text` of an article-like object.
    pub ld_body: Option<String>,
}

pub(crate) fn collect(doc: &Html) -> Meta {
    let mut og_title = None;
    let mut html_title = None;
    let mut h1 = None;
    let mut meta_date: Option<(u8, String)> = None; // (priority, value): lower wins
    let mut ld_date = None;
    let mut time_date = None;
    let mut ld_body: Option<String> = None;
    let mut ld_headline = None;
    for node in doc.tree.nodes() {
        let Node::Element(el) = node.value() else {
            continue;
        };
        match el.name() {
            "meta" => {
                let key = el
                    .attr("property")
                    .or_else(|| el.attr("name"))
                    .or_else(|| el.attr("itemprop"));
                let (Some(key), Some(content)) = (key, el.attr("content")) else {
                    continue;
                };
                let key = key.trim().to_ascii_lowercase();
                let prio = match key.as_str() {
                    "article:published_time" => 0,
                    "datepublished" => 1,
                    "og:published_time" | "article:published" | "published_time" => 2,
                    "pubdate" | "publishdate" | "publish-date" | "publish_date" | "date"
                    | "dc.date.issued" | "dcterms.created" | "dc.date" | "sailthru.date"
                    | "parsely-pub-date" | "datecreated" => 3,
                    "og:title" | "twitter:title" => {
                        if og_title.is_none() && !content.trim().is_empty() {
                            og_title = Some(clean(content));
                        }
                        continue;
                    }
                    _ => continue,
                };
                if meta_date.as_ref().is_none_or(|(p, _)| prio < *p) {
                    if let Some(d) = normalize_date(content) {
                        meta_date = Some((prio, d));
                    }
                }
            }
            "title" if html_title.is_none() => {
                let t = clean(&text_of(node));
                if !t.is_empty() {
                    html_title = Some(t);
                }
            }
            "h1" if h1.is_none() => {
                let t = clean(&text_of(node));
                if !t.is_empty() {
                    h1 = Some(t);
                }
            }
            "time" if time_date.is_none() => {
                if let Some(d) = el.attr("datetime").and_then(normalize_date) {
                    time_date = Some(d);
                }
            }
            "script"
                if el
                    .attr("type")
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json")) =>
            {
                let src = text_of(node);
                let Ok(v) =
                    serde_json::from_str::<serde_json::Value>(src.trim().trim_end_matches(';'))
                else {
                    continue;
                };
                walk_ld(&v, 0, &mut |obj| {
                    if ld_date.is_none() {
                        if let Some(d) = obj
                            .get("datePublished")
                            .and_then(|d| d.as_str())
                            .and_then(normalize_date)
                        {
                            ld_date = Some(d);
                        }
                    }
                    if ld_headline.is_none() {
                        if let Some(h) = obj.get("headline").and_then(|h| h.as_str()) {
                            ld_headline = Some(clean(h));
                        }
                    }
                    if let Some(b) = obj.get("articleBody").and_then(|b| b.as_str()) {
                        if ld_body.as_ref().is_none_or(|old| old.len() < b.len()) {
                            ld_body = Some(b.to_string());
                        }
                    }
                });
            }
            _ => {}
        }
    }
    if let Some(el) = doc.tree.nodes().find_map(|n| match n.value() {
        Node::Element(e) if e.attr("itemprop") == Some("datePublished") => Some(e),
        _ => None,
    }) {
        if let Some(d) = el
            .attr("datetime")
            .or_else(|| el.attr("content"))
            .and_then(normalize_date)
        {
            if meta_date.as_ref().is_none_or(|(p, _)| *p > 1) {
                meta_date = Some((1, d));
            }
        }
    }
    let date = match meta_date {
        Some((p, d)) if p <= 1 => Some(d),
        other => ld_date.or(other.map(|(_, d)| d)).or(time_date),
    };
    Meta {
        title: og_title.or(ld_headline).or(html_title).or(h1),
        date,
        ld_body,
    }
}

fn walk_ld(
    v: &serde_json::Value,
    depth: usize,
    f: &mut dyn FnMut(&serde_json::Map<String, serde_json::Value>),
) {
    if depth > 8 {
        return;
    }
    match v {
        serde_json::Value::Array(a) => a.iter().for_each(|x| walk_ld(x, depth + 1, f)),
        serde_json::Value::Object(o) => {
            f(o);
            for key in ["@graph", "mainEntity", "mainEntityOfPage"] {
                if let Some(x) = o.get(key) {
                    walk_ld(x, depth + 1, f);
                }
            }
        }
        _ => {}
    }
}

fn text_of(node: ego_tree::NodeRef<'_, Node>) -> String {
    let mut s = String::new();
    for d in node.descendants() {
        if let Node::Text(t) = d.value() {
            s.push_str(&t.text);
        }
    }
    s
}

fn clean(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Normalises a date string: `YYYY-MM-DD` (also from `YYYY/MM/DD`), or a full ISO-8601
/// timestamp `YYYY-MM-DDTHH:MM[:SS][.fff][zone]` when a time is present.
pub fn normalize_date(raw: &str) -> Option<String> {
    let s = raw.trim();
    let b = s.as_bytes();
    if b.len() < 10 {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if !(digits(0..4)
        && digits(5..7)
        && digits(8..10)
        && matches!(b[4], b'-' | b'/' | b'.')
        && b[7] == b[4])
    {
        return None;
    }
    let (y, m, d) = (&s[0..4], &s[5..7], &s[8..10]);
    let (mi, di): (u32, u32) = (m.parse().ok()?, d.parse().ok()?);
    if !(1..=12).contains(&mi) || !(1..=31).contains(&di) || !("1900".."2200").contains(&y) {
        return None;
    }
    let date = format!("{y}-{m}-{d}");
    let rest = &s[10..];
    let rb = rest.as_bytes();
    if rb.len() >= 6
        && matches!(rb[0], b'T' | b' ')
        && rb[1..3].iter().all(u8::is_ascii_digit)
        && rb[3] == b':'
    {
        let time: String = rest[1..]
            .chars()
            .take_while(|c| c.is_ascii_digit() || matches!(c, ':' | '.' | '+' | '-' | 'Z'))
            .collect();
        return Some(format!("{date}T{time}"));
    }
    Some(date)
}

#[cfg(test)]
mod tests {
    use super::normalize_date;

    #[test]
    fn dates() {
        assert_eq!(normalize_date("2019-11-19").as_deref(), Some("2019-11-19"));
        assert_eq!(
            normalize_date("2019/11/19 extra").as_deref(),
            Some("2019-11-19")
        );
        assert_eq!(
            normalize_date("2019-11-19T10:02:03+00:00").as_deref(),
            Some("2019-11-19T10:02:03+00:00")
        );
        assert_eq!(
            normalize_date("2019-11-19 10:02:03Z").as_deref(),
            Some("2019-11-19T10:02:03Z")
        );
        assert_eq!(normalize_date("Nov 19, 2019"), None);
        assert_eq!(normalize_date("2019-13-01"), None);
    }
}
