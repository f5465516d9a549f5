//! Web pages in: `retold extract`, `compare` on pages, and a WARC built here from the dev
//! pages of ../shared/eval/extraction going through `dedup`.

mod common;

use common::{dedup_pairs, read_jsonl, retold, shared, stderr, stdout};
use serde_json::Value;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The dev pages: (id, url, gold article body, path of the gzipped HTML), in gold order.
fn pages() -> Vec<(String, String, String, PathBuf)> {
    let dir = shared().join("eval/extraction");
    read_jsonl(&dir.join("gold.jsonl"))
        .into_iter()
        .map(|g| {
            let id = g["id"].as_str().unwrap().to_string();
            let path = dir.join("html").join(format!("{id}.html.gz"));
            (
                id,
                g["url"].as_str().unwrap().to_string(),
                g["articleBody"].as_str().unwrap().to_string(),
                path,
            )
        })
        .collect()
}

fn gunzip(path: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// One WARC 1.0 `response` record holding an HTTP 200 response with `body`.
fn warc_response(uri: &str, n: usize, body: &[u8]) -> Vec<u8> {
    let mut payload = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    payload.extend_from_slice(body);
    let mut rec = format!(
        "WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-{n:012}>\r\nWARC-Date: 2019-11-20T12:00:00Z\r\nWARC-Target-URI: {uri}\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n",
        payload.len()
    )
    .into_bytes();
    rec.extend_from_slice(&payload);
    rec.extend_from_slice(b"\r\n\r\n");
    rec
}

/// `body`'s paragraphs (split at newlines) as escaped `<p>` elements.
fn paragraphs(body: &str) -> String {
    body.split('\n')
        .filter(|p| !p.trim().is_empty())
        .map(|p| format!("<p>{}</p>\n", p.replace('&', "&amp;").replace('<', "&lt;")))
        .collect()
}

/// The article `body` reposted inside another site's chrome (menus, teasers, footer).
fn repost(title: &str, body: &str) -> String {
    let paras = paragraphs(body);
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title} | Daily Buzz Today</title></head><body>\
         <header><nav><ul><li><a href=\"/\">Home</a></li><li><a href=\"/world\">World</a></li><li><a href=\"/politics\">Politics</a></li><li><a href=\"/tech\">Tech</a></li></ul></nav></header>\
         <div class=\"main\"><div class=\"post-content\"><h1>{title}</h1>\n{paras}</div>\
         <div class=\"share\">Share this: <a href=\"#\">Facebook</a> <a href=\"#\">Twitter</a> <a href=\"#\">WhatsApp</a></div>\
         <aside class=\"related\"><h3>Related Articles</h3><ul><li><a href=\"/a\">Ten things you missed this week in entertainment news</a></li><li><a href=\"/b\">Scientists puzzled by strange lights over the desert</a></li></ul></aside>\
         <section id=\"comments\"><h3>Leave a Reply</h3><p>Your email address will not be published. Required fields are marked *</p></section></div>\
         <footer>© Daily Buzz Today. All rights reserved.</footer></body></html>"
    )
}

fn first_words(s: &str, n: usize) -> String {
    s.split_whitespace().take(n).collect::<Vec<_>>().join(" ")
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn extract_prints_the_article_and_json_gives_title_date_and_spans() {
    let (_, _, gold, path) = pages().into_iter().next().unwrap();
    let p = path.to_str().unwrap();
    let o = retold(&["extract", p]);
    assert!(o.status.success(), "{}", stderr(&o));
    let lead = first_words(&gold, 12);
    assert!(squash(&stdout(&o)).contains(&lead), "{}", stdout(&o));

    let o = retold(&["extract", "--json", p]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert!(!v["title"].as_str().unwrap().is_empty());
    assert!(
        v["date"].as_str().unwrap().starts_with("2019-"),
        "{}",
        v["date"]
    );
    let text: Vec<char> = v["text"].as_str().unwrap().chars().collect();
    let slices = |key: &str| -> Vec<String> {
        v[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let (a, b) = (
                    r[0].as_u64().unwrap() as usize,
                    r[1].as_u64().unwrap() as usize,
                );
                assert!(
                    a < b && b <= text.len(),
                    "{key} span {a}..{b} of {}",
                    text.len()
                );
                text[a..b].iter().collect()
            })
            .collect()
    };
    let body = squash(&slices("body").join(" "));
    let chrome = squash(&slices("boilerplate").join(" "));
    assert!(body.contains(&lead));
    assert!(!chrome.contains(&lead));
    assert!(!chrome.is_empty(), "a news page has chrome");
    assert_eq!(squash(v["article"].as_str().unwrap()), body);
}

#[test]
fn extract_gives_clear_errors_and_best_effort_on_bad_pages() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.html");
    let o = retold(&["extract", missing.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("missing.html"), "{}", stderr(&o));

    // Binary bytes: no crash, whatever text there is.
    let junk = dir.path().join("junk.html");
    std::fs::write(&junk, [0u8, 159, 146, 150, 255, 1, 2, 3, 60, 62, 60, 0]).unwrap();
    let o = retold(&["extract", junk.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));

    // A truncated gzip page: what could be read, with a warning naming the file.
    let (_, _, gold, path) = pages().into_iter().next().unwrap();
    let gz = std::fs::read(&path).unwrap();
    let cut = dir.path().join("cut.html.gz");
    std::fs::write(&cut, &gz[..gz.len() * 2 / 3]).unwrap();
    let o = retold(&["extract", cut.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("cut.html.gz") && stderr(&o).contains("warning"),
        "{}",
        stderr(&o)
    );
    assert!(squash(&stdout(&o)).contains(&first_words(&gold, 8)));

    // --site needs several pages of the site.
    let o = retold(&["extract", "--site", junk.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn compare_takes_pages_and_greys_out_the_chrome_of_both() {
    let all = pages();
    let (_, _, gold, path) = &all[1];
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("repost.html");
    std::fs::write(&copy, repost("A reposted story", gold)).unwrap();
    let o = retold(&[
        "compare",
        path.to_str().unwrap(),
        copy.to_str().unwrap(),
        "--json",
        "--semantic",
        "off",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let rel = v["relation"].as_str().unwrap();
    assert!(
        ["duplicate", "rewrite", "partial"].contains(&rel),
        "{rel}: {}",
        v["scores"]
    );
    let reasons: Vec<&str> = v["a"]["boilerplate_reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(reasons.contains(&"page_chrome"), "{reasons:?}");
    // The farm's chrome is marked (by extraction or by the text cues), its article is not.
    let doc_b = retold(&["extract", "--json", copy.to_str().unwrap()]);
    let text_b: Vec<char> = serde_json::from_str::<Value>(&stdout(&doc_b)).unwrap()["text"]
        .as_str()
        .unwrap()
        .chars()
        .collect();
    let grey = squash(&common::marked(&v["b"], &text_b).join(" "));
    for chrome in [
        "Leave a Reply",
        "All rights reserved",
        "Related Articles",
        "Politics",
    ] {
        assert!(grey.contains(chrome), "{chrome} not marked: {grey}");
    }
    assert!(!grey.contains(&first_words(gold, 8)), "{grey}");
}

#[test]
fn a_warc_of_the_dev_pages_goes_through_dedup() {
    let all = pages();
    let dir = tempfile::tempdir().unwrap();
    let mut warc = Vec::new();
    for (n, (_, url, _, path)) in all.iter().enumerate() {
        warc.extend(warc_response(url, n, &gunzip(path)));
    }
    // Two reproductions: page 0 served again at a mirror, page 2's article in a content
    // farm's chrome.
    let mirror = "https://mirror.example.net/copy";
    let farm = "https://farm.example.org/story";
    warc.extend(warc_response(mirror, 900, &gunzip(&all[0].3)));
    warc.extend(warc_response(
        farm,
        901,
        repost("Copied story", &all[2].2).as_bytes(),
    ));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&warc).unwrap();
    let file = dir.path().join("crawl.warc.gz");
    std::fs::write(&file, gz.finish().unwrap()).unwrap();
    let out = dir.path().join("out");
    let pairs = dedup_pairs(&file, &out, &["--quiet"]);
    let reproduced: Vec<(String, String, String)> = pairs
        .iter()
        .filter(|p| ["duplicate", "rewrite", "partial"].contains(&p["relation"].as_str().unwrap()))
        .map(|p| {
            let (a, b) = (p["a"].as_str().unwrap(), p["b"].as_str().unwrap());
            let (a, b) = if a < b { (a, b) } else { (b, a) };
            (
                a.to_string(),
                b.to_string(),
                p["relation"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let has = |x: &str, y: &str| {
        reproduced
            .iter()
            .any(|(a, b, _)| (a == x && b == y) || (a == y && b == x))
    };
    assert!(has(&all[0].1, mirror), "{reproduced:?}");
    assert!(has(&all[2].1, farm), "{reproduced:?}");
    // Besides the planted copies, only partial reuse (two reports quoting one source, as the
    // Forbes and Live Science pages on one case report do): no other page is a copy.
    let planted = [mirror, farm];
    let others: Vec<_> = reproduced
        .iter()
        .filter(|(a, b, _)| !planted.contains(&a.as_str()) && !planted.contains(&b.as_str()))
        .collect();
    assert!(others.iter().all(|(_, _, r)| r == "partial"), "{others:?}");
    assert!(others.len() <= 2, "{others:?}");
    // The documents are the pages: ids are URLs, and the mirror's copy is a duplicate.
    let dup = pairs
        .iter()
        .find(|p| p["a"] == mirror || p["b"] == mirror)
        .unwrap();
    assert_eq!(dup["relation"], "duplicate");
    let keep = std::fs::read_to_string(out.join("keep.txt")).unwrap();
    assert_eq!(
        keep.lines().count(),
        all.len(),
        "one of each copy pair dropped"
    );
}

#[test]
fn dedup_reads_html_from_a_jsonl_field() {
    let all = pages();
    let dir = tempfile::tempdir().unwrap();
    let html = |p: &Path| String::from_utf8_lossy(&gunzip(p)).into_owned();
    let lines = [
        serde_json::json!({"id": "orig", "html": html(&all[3].3), "url": all[3].1}),
        serde_json::json!({"id": "other", "html": html(&all[4].3), "url": all[4].1}),
        serde_json::json!({"id": "farm", "html": repost("Copied", &all[3].2)}),
    ];
    let file = dir.path().join("pages.jsonl");
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(&file, body).unwrap();
    let out = dir.path().join("out");
    let o = retold(&[
        "dedup",
        file.to_str().unwrap(),
        "--html-field",
        "html",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let pairs = read_jsonl(&out.join("pairs.jsonl"));
    assert_eq!(pairs.len(), 1, "{pairs:?}");
    let ids = [
        pairs[0]["a"].as_str().unwrap(),
        pairs[0]["b"].as_str().unwrap(),
    ];
    assert!(ids.contains(&"orig") && ids.contains(&"farm"), "{ids:?}");
    assert_eq!(pairs[0]["relation"], "duplicate");
    // Without the flag the markup itself is the text: the field is not read at all.
    let o = retold(&[
        "dedup",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("text"), "{}", stderr(&o));
}

/// A page of one site: the site's template around `body`, with a sign-off paragraph inside the
/// article container that a single page cannot tell from the article.
fn site_page(title: &str, body: &str) -> String {
    let paras = paragraphs(body);
    format!(
        "<html><head><title>{title}</title></head><body><nav><a href=\"/\">Valley Post</a> <a href=\"/local\">Local</a></nav>\
         <article><h1>{title}</h1>\n{paras}<p>Our newsroom is supported by readers like you, and every gift keeps local news free.</p></article>\
         <footer>Valley Post, 12 Main Street.</footer></body></html>"
    )
}

#[test]
fn dedup_learns_a_sites_chrome_across_its_pages() {
    let all = pages();
    let dir = tempfile::tempdir().unwrap();
    let sign_off = "Our newsroom is supported by readers like you";
    // Alone, the sign-off looks like article text.
    let one = dir.path().join("one.html");
    std::fs::write(&one, site_page("A story", &all[5].2)).unwrap();
    let o = retold(&["extract", one.to_str().unwrap()]);
    assert!(
        stdout(&o).contains(sign_off),
        "precondition: {}",
        stdout(&o)
    );

    let mut warc = Vec::new();
    for (n, k) in [5usize, 6, 7].into_iter().enumerate() {
        let uri = format!("https://valleypost.example.com/story-{n}");
        warc.extend(warc_response(
            &uri,
            n,
            site_page("Story", &all[k].2).as_bytes(),
        ));
    }
    // Page 5's article, bare, on another site.
    let bare = format!(
        "<html><body><article>{}</article></body></html>",
        site_page("Story", &all[5].2)
            .split("<article>")
            .nth(1)
            .unwrap()
            .split("<p>Our newsroom")
            .next()
            .unwrap()
    );
    warc.extend(warc_response(
        "https://elsewhere.example.org/copy",
        9,
        bare.as_bytes(),
    ));
    let file = dir.path().join("site.warc");
    std::fs::write(&file, warc).unwrap();
    let out = dir.path().join("out");
    let pairs = dedup_pairs(&file, &out, &["--quiet"]);
    let p = pairs
        .iter()
        .find(|p| {
            p["a"] == "https://elsewhere.example.org/copy"
                || p["b"] == "https://elsewhere.example.org/copy"
        })
        .expect("the copy is found");
    // Learned across the site's pages, the sign-off is chrome: the article alone is the same
    // text as the copy.
    assert_eq!(p["relation"], "duplicate");
    assert_eq!(p["exact"], true, "{p}");

    // Control: with one page of the site there is nothing to learn from, and the sign-off
    // counts as text of the page (not the same text as the copy).
    let mut warc = warc_response(
        "https://valleypost.example.com/story-0",
        0,
        site_page("Story", &all[5].2).as_bytes(),
    );
    warc.extend(warc_response(
        "https://elsewhere.example.org/copy",
        9,
        bare.as_bytes(),
    ));
    std::fs::write(&file, warc).unwrap();
    let pairs = dedup_pairs(&file, &out, &["--quiet"]);
    assert_eq!(pairs.len(), 1);
    assert_eq!(pairs[0]["exact"], false, "{}", pairs[0]);
}
