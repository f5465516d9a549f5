//! Behaviour of the public API on small hand-written pages.

use std::io::Write;

use retold_extract::{
    decode, extract, extract_with, host_of, ExtractError, ExtractOptions, Page, SiteProfile,
};

const PARA1: &str = "The council voted on Tuesday to approve the new harbour plan, which will add two piers, a ferry terminal and a public walkway along the old docks.";
const PARA2: &str = "Supporters said the project would bring jobs and tourism, while critics warned that the cost, estimated at forty million, could rise further before completion.";
const PARA3: &str = "Construction is expected to begin next spring, and the mayor said residents would be consulted on the design of the walkway during the winter months.";

fn article_page(title: &str, paras: &[&str], extra_head: &str) -> String {
    let body: String = paras.iter().map(|p| format!("<p>{p}</p>\n")).collect();
    format!(
        r##"<!DOCTYPE html><html><head>{extra_head}<title>{title} | Daily Bugle</title>
<meta property="article:published_time" content="2019-11-19T08:02:00-05:00">
<script>var x = "<p>not text</p>";</script><style>p {{ color: red }}</style></head>
<body>
<header><nav class="main-nav"><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li><li><a href="/about">About us</a></li></ul></nav></header>
<div class="page">
 <article class="story">
  <h1>{title}</h1>
  <div class="byline">By Jane Reporter</div>
  <div class="article-body">{body}</div>
  <div class="share-bar"><a href="#">Share on Facebook</a> <a href="#">Share on Twitter</a></div>
 </article>
 <aside class="related-stories"><h3>Related stories</h3><ul>
  <li><a href="/a">Mayor unveils budget for next year</a></li>
  <li><a href="/b">Ferry service to resume after storm damage</a></li>
  <li><a href="/c">Local team wins the regional championship</a></li></ul></aside>
</div>
<noscript>Please enable JavaScript to read this site.</noscript>
<div hidden>Secret hidden text</div><div style="display: none">Also hidden</div>
<footer class="site-footer"><p>Copyright 2019 Daily Bugle. All rights reserved.</p><a href="/privacy">Privacy policy</a></footer>
</body></html>"##
    )
}

fn check_invariants(page: &Page) {
    let mut last = 0;
    let mut all: Vec<_> = page.body.iter().chain(&page.boilerplate).cloned().collect();
    all.sort_by_key(|r| r.start);
    for r in &all {
        assert!(r.start >= last, "ranges overlap or unsorted: {all:?}");
        assert!(r.start < r.end && r.end <= page.text.len());
        assert!(page.text.is_char_boundary(r.start) && page.text.is_char_boundary(r.end));
        last = r.end;
    }
    // Everything outside the ranges is whitespace.
    let mut covered = vec![false; page.text.len()];
    for r in &all {
        covered[r.clone()].iter_mut().for_each(|c| *c = true);
    }
    for (i, ch) in page.text.char_indices() {
        assert!(covered[i] || ch.is_whitespace(), "uncovered {ch:?} at {i}");
    }
    let joined: Vec<&str> = page.body.iter().map(|r| &page.text[r.clone()]).collect();
    assert_eq!(joined.join("\n\n"), page.article);
    for w in page.body.windows(2).chain(page.boilerplate.windows(2)) {
        assert!(w[0].end <= w[1].start);
    }
}

#[test]
fn title_date_body_and_boilerplate() {
    let html = article_page("Harbour plan approved", &[PARA1, PARA2, PARA3], "");
    let page = extract(html.as_bytes(), &ExtractOptions::default()).unwrap();
    check_invariants(&page);
    assert_eq!(
        page.title.as_deref(),
        Some("Harbour plan approved | Daily Bugle")
    );
    assert_eq!(page.date.as_deref(), Some("2019-11-19T08:02:00-05:00"));
    assert_eq!(page.charset, "UTF-8");
    assert_eq!(page.article, format!("{PARA1}\n\n{PARA2}\n\n{PARA3}"));
    let boiler: Vec<&str> = page
        .boilerplate
        .iter()
        .map(|r| &page.text[r.clone()])
        .collect();
    let boiler = boiler.join("\n\n");
    for b in [
        "Home",
        "Harbour plan approved",
        "By Jane Reporter",
        "Share on Facebook",
        "Related stories",
        "Copyright 2019",
    ] {
        assert!(boiler.contains(b), "{b:?} should be boilerplate: {boiler}");
        assert!(!page.article.contains(b));
    }
    for gone in [
        "not text",
        "color: red",
        "enable JavaScript",
        "Secret hidden",
        "Also hidden",
    ] {
        assert!(
            !page.text.contains(gone),
            "{gone:?} must not be visible text"
        );
    }
}

#[test]
fn json_ld_and_time_dates() {
    let html = r#"<html><head><script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"NewsArticle","headline":"LD headline","datePublished":"2018/10/05"}]}</script></head>
        <body><p>Some words here, and more words, to make a paragraph of text.</p></body></html>"#;
    let page = extract(html.as_bytes(), &ExtractOptions::default()).unwrap();
    assert_eq!(page.date.as_deref(), Some("2018-10-05"));
    assert_eq!(page.title.as_deref(), Some("LD headline"));
    let html = r#"<html><body><time datetime="2017-01-02">Jan 2</time><p>Text, text and text again, written for the test.</p></body></html>"#;
    let page = extract(html.as_bytes(), &ExtractOptions::default()).unwrap();
    assert_eq!(page.date.as_deref(), Some("2017-01-02"));
    assert_eq!(page.title, None);
}

#[test]
fn charset_from_meta_and_header() {
    // "é" in windows-1252 / ISO-8859-1 is 0xE9; "Ж" in KOI8-R is 0xF6.
    let mut html = b"<html><head><meta charset=\"iso-8859-1\"></head><body><p>Caf".to_vec();
    html.extend_from_slice(b"\xe9 cr\xe8me, d\xe9j\xe0 vu, and a sentence long enough to be a paragraph.</p></body></html>");
    let page = extract(&html, &ExtractOptions::default()).unwrap();
    assert_eq!(page.charset, "windows-1252"); // WHATWG maps the ISO-8859-1 label to windows-1252
    assert!(page.text.contains("Café crème, déjà vu"));

    let html = b"<html><body><p>\xf6 is a letter; here it is in a sentence, to be a paragraph.</p></body></html>";
    let opts = ExtractOptions {
        content_type: Some("text/html; charset=KOI8-R".into()),
        ..Default::default()
    };
    let page = extract(html, &opts).unwrap();
    assert_eq!(page.charset, "KOI8-R");
    assert!(page.text.starts_with('Ж'));

    // Header wins over meta.
    let html =
        b"<html><head><meta charset=\"koi8-r\"></head><body><p>caf\xc3\xa9</p></body></html>";
    let opts = ExtractOptions {
        content_type: Some("text/html; charset=utf-8".into()),
        ..Default::default()
    };
    assert_eq!(extract(html, &opts).unwrap().text, "café");

    // Unknown label: warning, not an error.
    let d = decode(b"<meta charset=\"x-no-such-thing\"><p>plain</p>", None);
    assert_eq!(d.charset, "UTF-8");
    assert!(d.warnings.iter().any(|w| w.contains("unknown charset")));
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

#[test]
fn gzip_input_truncation_and_size_cap() {
    let html = article_page("Harbour plan approved", &[PARA1, PARA2, PARA3], "");
    let gz = gzip(html.as_bytes());
    let page = extract(&gz, &ExtractOptions::default()).unwrap();
    assert!(page.article.contains(PARA2));
    assert!(page.warnings.is_empty(), "{:?}", page.warnings);

    // Truncated stream: best effort plus a warning.
    let cut = &gz[..gz.len() * 2 / 3];
    let page = extract(cut, &ExtractOptions::default()).unwrap();
    assert!(
        page.warnings.iter().any(|w| w.contains("gzip")),
        "{:?}",
        page.warnings
    );
    assert!(page.text.contains("Harbour"));

    // Only the header: nothing decompressible.
    assert!(matches!(
        extract(&gz[..12], &ExtractOptions::default()),
        Err(ExtractError::Gzip(_))
    ));

    // Size cap, compressed and not.
    let opts = ExtractOptions {
        max_bytes: 1000,
        ..Default::default()
    };
    assert!(matches!(
        extract(&gz, &opts),
        Err(ExtractError::TooLarge { limit: 1000 })
    ));
    assert!(matches!(
        extract(html.as_bytes(), &opts),
        Err(ExtractError::TooLarge { .. })
    ));
}

#[test]
fn degenerate_inputs_do_not_panic() {
    let opts = ExtractOptions::default();
    let empty = extract(b"", &opts).unwrap();
    assert!(empty.text.is_empty() && empty.article.is_empty() && empty.body.is_empty());
    let deep = "<div>".repeat(20_000) + "deep text, with a comma." + &"</div>".repeat(20_000);
    let page = extract(deep.as_bytes(), &opts).unwrap();
    assert!(page.text.contains("deep text"));
    check_invariants(&page);
    let deep_inline = "<span><b>".repeat(20_000) + "x";
    extract(deep_inline.as_bytes(), &opts).unwrap();
    let mut state = 0x1234_5678_9abc_def0u64;
    for len in [1usize, 2, 3, 10, 100, 1000, 10_000] {
        for _ in 0..20 {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state as u8
                })
                .collect();
            if let Ok(p) = extract(&bytes, &opts) {
                check_invariants(&p);
            }
            let mut gz = vec![0x1f, 0x8b];
            gz.extend_from_slice(&bytes);
            let _ = extract(&gz, &opts);
        }
    }
}

#[test]
fn host_of_urls() {
    assert_eq!(
        host_of("https://www.Example.com:8080/a?b#c").as_deref(),
        Some("example.com")
    );
    assert_eq!(
        host_of("http://user@news.example.org").as_deref(),
        Some("news.example.org")
    );
    assert_eq!(
        host_of("//cdn.example.net/x").as_deref(),
        Some("cdn.example.net")
    );
    assert_eq!(host_of("not a url"), None);
    assert_eq!(host_of("http:///path"), None);
}

#[test]
fn site_profile_marks_recurring_blocks() {
    // Four pages of one host with the same chrome, written without boilerplate-revealing
    // class names, so that only the cross-page profile can tell the chrome apart.
    let chrome_top =
        "<div><p>The Harbour Town Gazette, your trusted source of local news since 1901.</p></div>";
    let chrome_bottom = "<div><h3>More from the Gazette</h3><p>Read our special report on the history of the old docks, and the people who built them.</p><p>Subscribe today for unlimited access to every story, podcast and newsletter we publish.</p></div>";
    let stories = [
        [PARA1, PARA2],
        ["The school board met on Monday, and members agreed to extend the library hours through the summer.", "Parents welcomed the decision, saying their children needed a quiet place to study, read and meet friends."],
        ["A storm brought heavy rain to the coast overnight, flooding several roads and closing the ferry terminal.", "Crews worked through the morning to clear debris, and officials said service would resume by the evening."],
        ["The farmers' market will move to the town square next month, after the old car park is sold to developers.", "Stallholders said the new site was smaller, but hoped that more visitors would pass by on weekends."],
    ];
    let pages_html: Vec<String> = stories
        .iter()
        .map(|s| format!("<html><body>{chrome_top}<div><p>{}</p><p>{}</p></div>{chrome_bottom}</body></html>", s[0], s[1]))
        .collect();
    let opts = ExtractOptions::default();
    let pages: Vec<Page> = pages_html
        .iter()
        .map(|h| extract(h.as_bytes(), &opts).unwrap())
        .collect();
    let profile = SiteProfile::learn(&pages);
    assert_eq!(profile.pages(), 4);
    assert!(profile
        .is_boilerplate("The Harbour Town Gazette, your trusted source of local news since 1901."));
    assert!(profile.is_boilerplate(
        "subscribe today for unlimited access to every story, podcast and newsletter we publish"
    ));
    assert!(!profile.is_boilerplate(PARA1));

    // A fifth page of the same host, extracted with the profile.
    let fifth = format!(
        "<html><body>{chrome_top}<div><p>{PARA3}</p><p>Residents can see the plans at the town hall until the end of the month, officials said.</p></div>{chrome_bottom}</body></html>"
    );
    let with = extract_with(fifth.as_bytes(), &opts, Some(&profile)).unwrap();
    check_invariants(&with);
    assert!(with.article.starts_with(PARA3), "{}", with.article);
    assert!(!with.article.contains("Gazette"));
    assert!(!with.article.contains("Subscribe today"));
    // Recurring blocks stay in the text, as boilerplate.
    assert!(with.text.contains("Subscribe today"));
    let without = extract(fifth.as_bytes(), &opts).unwrap();
    assert_eq!(with.text, without.text);
}

#[test]
fn byte_ranges_become_code_point_ranges() {
    let page = retold_extract::Page {
        text: "é nav\n\nbody ü text\n\nfooter".to_string(),
        ..Default::default()
    };
    let r = [0..6, 22..28];
    assert_eq!(&page.text[22..28], "footer");
    assert_eq!(page.char_ranges(&r), vec![[0, 5], [20, 26]]);
    let chars: Vec<char> = page.text.chars().collect();
    assert_eq!(chars[20..26].iter().collect::<String>(), "footer");
}
