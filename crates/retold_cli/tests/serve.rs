//! `retold serve`: the HTTP API against a real server process (lexical, so fast), and the web
//! page in headless Chromium.
#![cfg(feature = "server")]

mod common;

use common::{index_corpus, read_jsonl, retold, seeds, shared, stderr, stdout};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `retold serve`, killed when dropped.
struct Serve {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `retold serve --index DIR --addr 127.0.0.1:0 --semantic off EXTRA…` and waits for
/// the address it prints.
fn serve(index: &Path, extra: &[&str]) -> Serve {
    let mut child = Command::new(env!("CARGO_BIN_EXE_retold"))
        .args(["serve", "--index", index.to_str().unwrap()])
        .args(["--addr", "127.0.0.1:0", "--semantic", "off"])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start retold serve");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = String::new();
    let addr = loop {
        match lines.next() {
            Some(Ok(l)) => {
                if let Some(rest) = l.strip_prefix("retold serve: listening on http://") {
                    break rest.trim_end_matches('/').parse().unwrap();
                }
                seen.push_str(&l);
                seen.push('\n');
            }
            _ => panic!("retold serve did not start: {seen}"),
        }
    };
    // Keep draining stderr so the server never blocks on it.
    std::thread::spawn(move || for _ in lines {});
    Serve { child, addr }
}

/// One HTTP/1.1 request; returns the status and the body.
fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Vec<u8>) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    // The server may answer (413) before reading a large body and close: that is fine.
    let _ = s.write_all(body);
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let head_end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP response: {:?}", String::from_utf8_lossy(&raw)));
    let head = String::from_utf8_lossy(&raw[..head_end]).to_string();
    let status: u16 = head.split(' ').nth(1).unwrap().parse().unwrap();
    let mut body = raw[head_end + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = unchunk(&body);
    }
    (status, body)
}

fn unchunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(i) = b.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let n = usize::from_str_radix(std::str::from_utf8(&b[..i]).unwrap().trim(), 16).unwrap();
        if n == 0 {
            return out;
        }
        out.extend_from_slice(&b[i + 2..i + 2 + n]);
        b = &b[i + 4 + n..];
    }
}

fn get(addr: SocketAddr, path: &str) -> (u16, Value) {
    let (st, body) = http(addr, "GET", path, &[], b"");
    (st, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

fn post(addr: SocketAddr, path: &str, body: &Value, headers: &[(&str, &str)]) -> (u16, Value) {
    let mut h = vec![("Content-Type", "application/json")];
    h.extend_from_slice(headers);
    let (st, body) = http(addr, "POST", path, &h, body.to_string().as_bytes());
    (st, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

/// Asserts an error response: the status and `{"error": {"code", "message"}}`.
fn assert_error(got: &(u16, Value), status: u16, code: &str) {
    assert_eq!(got.0, status, "{}", got.1);
    assert_eq!(got.1["error"]["code"], code, "{}", got.1);
    assert!(got.1["error"]["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
    assert_eq!(got.1.as_object().unwrap().len(), 1, "{}", got.1);
}

/// An index of the seed pair (`voa.txt`, the original; `repost.txt`, its machine-translated,
/// boilerplate-wrapped repost) and six OneStop documents (three levels of two articles).
fn seeded_index(tmp: &Path) -> PathBuf {
    let docs = tmp.join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    let (voa, repost) = seeds();
    std::fs::copy(&voa, docs.join("voa.txt")).unwrap();
    std::fs::copy(&repost, docs.join("repost.txt")).unwrap();
    let onestop = std::fs::read_to_string(shared().join("eval/onestop/docs.jsonl")).unwrap();
    let six: Vec<&str> = onestop.lines().take(6).collect();
    std::fs::write(tmp.join("onestop.jsonl"), six.join("\n") + "\n").unwrap();
    let ix = tmp.join("ix");
    let o = retold(&["index", "create", ix.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = retold(&[
        "index",
        "add",
        ix.to_str().unwrap(),
        docs.to_str().unwrap(),
        tmp.join("onestop.jsonl").to_str().unwrap(),
        "-q",
        "--semantic",
        "off",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    ix
}

/// Batches added through the API (the server's live index) store the results of one `dedup`
/// over the same documents, and the API's query answers as `retold index query` does.
#[test]
fn api_batches_give_the_results_of_one_dedup() {
    let tmp = tempfile::tempdir().unwrap();
    let all = index_corpus(tmp.path());
    let ix = tmp.path().join("ix");
    let o = retold(&["index", "create", ix.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let docs: Vec<Value> = all
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let query = json!({"id": "q", "text": docs[0]["text"]});
    let api_answer = {
        let s = serve(&ix, &[]);
        for (k, chunk) in docs.chunks(docs.len().div_ceil(7)).enumerate() {
            let (st, body) = post(s.addr, "/v1/documents", &json!({"documents": chunk}), &[]);
            assert_eq!(st, 200, "{body}");
            assert_eq!(body["batch"], k + 1, "{body}");
        }
        let (st, body) = post(s.addr, "/v1/query", &query, &[]);
        assert_eq!(st, 200, "{body}");
        body
    };
    let whole = common::assert_index_is_one_dedup(&ix, tmp.path(), "the API's batches");
    assert!(read_jsonl(&whole.join("pairs.jsonl")).len() > 50);
    // The CLI's query over the same index gives the same answer.
    let q = tmp.path().join("q");
    std::fs::write(&q, docs[0]["text"].as_str().unwrap()).unwrap();
    let o = retold(&[
        "index",
        "query",
        ix.to_str().unwrap(),
        q.to_str().unwrap(),
        "--json",
        "-q",
        "--semantic",
        "off",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let cli: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(
        !api_answer["matches"].as_array().unwrap().is_empty(),
        "{api_answer}"
    );
    let rename = |v: &Value| v.to_string().replace(q.to_str().unwrap(), "q");
    assert_eq!(rename(&cli), rename(&api_answer));
}

#[test]
fn api_end_to_end() {
    let tmp = tempfile::tempdir().unwrap();
    let ix = seeded_index(tmp.path());
    let srv = serve(&ix, &[]);
    let a = srv.addr;

    assert_eq!(get(a, "/healthz"), (200, json!({"status": "ok"})));

    // The seed pair is stored and matched.
    let (st, d) = get(a, "/v1/documents/voa.txt");
    assert_eq!(st, 200, "{d}");
    let voa_text = std::fs::read_to_string(seeds().0).unwrap();
    let repost_text = std::fs::read_to_string(seeds().1).unwrap();
    assert_eq!(d["text"], voa_text.as_str());
    assert_eq!(d["id"], "voa.txt");
    let (st, m) = get(a, "/v1/documents/repost.txt/matches");
    assert_eq!(st, 200, "{m}");
    let pairs = m["matches"].as_array().unwrap();
    let seed = pairs
        .iter()
        .find(|p| p["a"] == "voa.txt" || p["b"] == "voa.txt")
        .unwrap_or_else(|| panic!("the seed counterpart is among the matches: {m}"));
    for field in common::PAIR_FIELDS {
        assert!(
            seed.get(field).is_some(),
            "pairs.jsonl field {field}: {seed}"
        );
    }
    let (st, c) = get(a, "/v1/documents/voa.txt/cluster");
    assert_eq!(st, 200, "{c}");
    let members: Vec<&str> = c["docs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert!(
        members.contains(&"voa.txt") && members.contains(&"repost.txt"),
        "{c}"
    );

    // A batch over the API: a copy of the original with metadata, and a document that
    // matches nothing.
    let batch = json!({"documents": [
        {"id": "api-copy", "text": voa_text, "lang": "en", "date": "2024-01-02", "source": "example.org",
         "url": "https://example.org/x", "title": "Copy"},
        {"id": "api-lone", "text": "A short note about nothing in particular, written once."}
    ]});
    let (st, rep) = post(a, "/v1/documents", &batch, &[]);
    assert_eq!(st, 200, "{rep}");
    assert_eq!(rep["batch"], 2);
    assert_eq!(rep["added"], 2);
    assert_eq!(rep["docs"], 10);
    let (st, d) = get(a, "/v1/documents/api-copy");
    assert_eq!(st, 200);
    assert_eq!(d["source"], "example.org");
    assert_eq!(d["title"], "Copy");
    let (_, m) = get(a, "/v1/documents/api-copy/matches");
    assert!(
        m["matches"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["relation"] == "duplicate"),
        "{m}"
    );
    assert_error(&get(a, "/v1/documents/api-lone/cluster"), 404, "no_cluster");
    assert_error(&get(a, "/v1/documents/nope"), 404, "not_found");
    assert_error(&get(a, "/v1/documents/nope/matches"), 404, "not_found");
    assert_error(&get(a, "/v1/documents/nope/cluster"), 404, "not_found");
    assert_error(&get(a, "/v1/nothing-here"), 404, "not_found");
    assert_error(
        &post(a, "/healthz", &json!({}), &[]),
        405,
        "method_not_allowed",
    );

    // 409: an id already stored, or twice in one batch; nothing is added.
    let dup = json!({"documents": [{"id": "voa.txt", "text": "x"}]});
    assert_error(&post(a, "/v1/documents", &dup, &[]), 409, "duplicate_id");
    let twice = json!({"documents": [{"id": "n1", "text": "x"}, {"id": "n1", "text": "y"}]});
    assert_error(&post(a, "/v1/documents", &twice, &[]), 409, "duplicate_id");
    assert_error(&get(a, "/v1/documents/n1"), 404, "not_found");
    // 400s.
    assert_error(
        &post(a, "/v1/documents", &json!({"documents": []}), &[]),
        400,
        "bad_request",
    );
    assert_error(
        &post(a, "/v1/documents", &json!({"docs": 1}), &[]),
        400,
        "bad_request",
    );
    assert_error(
        &post(a, "/v1/query", &json!({"txt": "a"}), &[]),
        400,
        "bad_request",
    );
    let (st, body) = http(a, "POST", "/v1/compare", &[], b"{not json");
    assert_eq!(st, 400, "{}", String::from_utf8_lossy(&body));
    assert_error(&get(a, "/v1/clusters?limit=0"), 400, "bad_request");
    assert_error(&get(a, "/v1/clusters?offset=-1"), 400, "bad_request");

    // Query: the repost, not stored, matches the original and its copy.
    let (st, q) = post(
        a,
        "/v1/query",
        &json!({"text": repost_text, "id": "new-repost"}),
        &[],
    );
    assert_eq!(st, 200, "{q}");
    assert_eq!(q["id"], "new-repost");
    let others: Vec<&str> = q["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            if p["a"] == "new-repost" {
                p["b"].as_str().unwrap()
            } else {
                p["a"].as_str().unwrap()
            }
        })
        .collect();
    assert!(
        others.contains(&"voa.txt") && others.contains(&"repost.txt"),
        "{q}"
    );
    assert!(q["cluster"]["docs"].is_array(), "{q}");
    assert_error(&get(a, "/v1/documents/new-repost"), 404, "not_found");

    // Compare: exactly `retold compare --json` of the same texts.
    let (st, c) = post(
        a,
        "/v1/compare",
        &json!({"a": voa_text, "b": repost_text}),
        &[],
    );
    assert_eq!(st, 200, "{c}");
    let (voa, repost) = seeds();
    let o = retold(&[
        "compare",
        "--json",
        "--semantic",
        "off",
        voa.to_str().unwrap(),
        repost.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let cli: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(c, cli);

    // Clusters, paged.
    let (st, all) = get(a, "/v1/clusters");
    assert_eq!(st, 200, "{all}");
    let total = all["total"].as_u64().unwrap() as usize;
    assert!(total >= 2, "{all}");
    assert_eq!(all["offset"], 0);
    assert_eq!(all["limit"], 50);
    assert_eq!(all["clusters"].as_array().unwrap().len(), total);
    let mut paged = Vec::new();
    for off in 0..total + 1 {
        let (st, p) = get(a, &format!("/v1/clusters?offset={off}&limit=1"));
        assert_eq!(st, 200);
        assert_eq!(p["total"].as_u64().unwrap() as usize, total);
        paged.extend(p["clusters"].as_array().unwrap().iter().cloned());
    }
    assert_eq!(&paged, all["clusters"].as_array().unwrap());

    // The OpenAPI document lists every operation exercised here.
    let (st, spec) = get(a, "/v1/openapi.json");
    assert_eq!(st, 200);
    assert_eq!(spec["openapi"], "3.1.0");
    for path in [
        "/healthz",
        "/v1/documents",
        "/v1/documents/{id}",
        "/v1/documents/{id}/matches",
        "/v1/documents/{id}/cluster",
        "/v1/query",
        "/v1/compare",
        "/v1/clusters",
        "/v1/openapi.json",
    ] {
        assert!(spec["paths"].get(path).is_some(), "{path} in openapi.json");
    }
    // The page and its assets.
    for (path, kind) in [
        ("/", "text/html"),
        ("/assets/app.js", "text/javascript"),
        ("/assets/app.css", "text/css"),
    ] {
        let (st, body) = http(a, "GET", path, &[], b"");
        assert_eq!(st, 200, "{path}");
        assert!(!body.is_empty(), "{path} {kind}");
    }
}

#[test]
fn limits_and_token() {
    let tmp = tempfile::tempdir().unwrap();
    let ix = tmp.path().join("ix");
    let o = retold(&["index", "create", ix.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let token = tmp.path().join("token");
    std::fs::write(&token, "s3cret-token\n").unwrap();
    let srv = serve(
        &ix,
        &[
            "--token-file",
            token.to_str().unwrap(),
            "--max-body-bytes",
            "4096",
            "--max-batch",
            "2",
        ],
    );
    let a = srv.addr;
    let one = json!({"documents": [{"id": "d1", "text": "Some text."}]});
    assert_error(&post(a, "/v1/documents", &one, &[]), 401, "unauthorized");
    assert_error(
        &post(
            a,
            "/v1/documents",
            &one,
            &[("Authorization", "Bearer wrong")],
        ),
        401,
        "unauthorized",
    );
    let auth = [("Authorization", "Bearer s3cret-token")];
    let (st, rep) = post(a, "/v1/documents", &one, &auth);
    assert_eq!(st, 200, "{rep}");
    // Reads need no token.
    assert_eq!(get(a, "/v1/documents/d1").0, 200);
    let three = json!({"documents": [{"id": "x1", "text": "a"}, {"id": "x2", "text": "b"}, {"id": "x3", "text": "c"}]});
    assert_error(
        &post(a, "/v1/documents", &three, &auth),
        413,
        "batch_too_large",
    );
    let big = json!({"documents": [{"id": "big", "text": "word ".repeat(2000)}]});
    assert_error(
        &post(a, "/v1/documents", &big, &auth),
        413,
        "payload_too_large",
    );
    assert_error(
        &post(
            a,
            "/v1/compare",
            &json!({"a": "x ".repeat(3000), "b": ""}),
            &[],
        ),
        413,
        "payload_too_large",
    );
    assert_error(&get(a, "/v1/documents/big"), 404, "not_found");
}

#[test]
fn remote_addresses_need_allow_remote() {
    let tmp = tempfile::tempdir().unwrap();
    let ix = tmp.path().join("ix");
    assert!(retold(&["index", "create", ix.to_str().unwrap()])
        .status
        .success());
    let o = retold(&[
        "serve",
        "--index",
        ix.to_str().unwrap(),
        "--addr",
        "0.0.0.0:0",
        "--semantic",
        "off",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("not a loopback address") && stderr(&o).contains("--allow-remote"),
        "{}",
        stderr(&o)
    );
    // A missing index is a user error too.
    let o = retold(&[
        "serve",
        "--index",
        tmp.path().join("none").to_str().unwrap(),
        "--addr",
        "127.0.0.1:0",
        "--semantic",
        "off",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("no retold index"), "{}", stderr(&o));
}

/// Where tests leave files worth looking at: `$RETOLD_TEST_ARTIFACTS`, else
/// `$CARGO_TARGET_TMPDIR/test-artifacts`.
fn artifacts() -> PathBuf {
    let p = std::env::var_os("RETOLD_TEST_ARTIFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("test-artifacts"));
    std::fs::create_dir_all(&p).unwrap();
    p
}

/// Runs chromium headless with `args`, killing it after `limit`.
fn chromium(args: &[&str], profile: &Path, limit: Duration) -> std::process::Output {
    let found = Command::new("chromium").arg("--version").output();
    assert!(
        found.as_ref().is_ok_and(|o| o.status.success()),
        "chromium is missing: run `bash scripts/test.sh` (it installs Debian's chromium package), or `apt-get install -y chromium`"
    );
    let mut child = Command::new("chromium")
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("chromium did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut err = Vec::new();
    let _ = child.stderr.take().unwrap().read_to_end(&mut err);
    std::process::Output {
        status,
        stdout: reader.join().unwrap(),
        stderr: err,
    }
}

#[test]
fn page_shows_the_seed_pair_side_by_side_in_chromium() {
    let tmp = tempfile::tempdir().unwrap();
    let ix = seeded_index(tmp.path());
    let srv = serve(&ix, &[]);
    let (st, cmp) = post(
        srv.addr,
        "/v1/compare",
        &json!({"a": std::fs::read_to_string(seeds().0).unwrap(), "b": std::fs::read_to_string(seeds().1).unwrap()}),
        &[],
    );
    assert_eq!(st, 200);
    let n = cmp["passages"].as_array().unwrap().len();
    assert!(n > 0, "{cmp}");
    let url = format!("http://{}/?a_id=voa.txt&b_id=repost.txt", srv.addr);
    let profile = tmp.path().join("chromium-profile");
    let o = chromium(
        &["--virtual-time-budget=5000", "--dump-dom", &url],
        &profile,
        Duration::from_secs(90),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let dom = stdout(&o);
    assert!(
        dom.contains("data-state=\"done\""),
        "the comparison ran: {dom}"
    );
    assert!(dom.contains(&format!("data-passages=\"{n}\"")), "{dom}");
    let rel = cmp["relation"].as_str().unwrap();
    assert!(
        dom.contains(&format!("<strong id=\"relation\">{rel}</strong>")),
        "relation shown: {dom}"
    );
    let (ia, ib) = (
        dom.find("id=\"side-a\"").unwrap(),
        dom.find("id=\"side-b\"").unwrap(),
    );
    let (side_a, side_b) = (&dom[ia..ib], &dom[ib..]);
    for (name, side) in [("a", side_a), ("b", side_b)] {
        let mut seen = vec![false; n];
        for chunk in side.split("data-p=\"").skip(1) {
            for i in chunk[..chunk.find('"').unwrap()].split(' ') {
                seen[i.parse::<usize>().unwrap()] = true;
            }
        }
        assert!(
            seen.iter().all(|&s| s),
            "every passage highlighted on side {name}: {seen:?}"
        );
        assert!(
            side.matches("class=\"seg passage").count() >= n,
            "side {name}"
        );
    }
    if !cmp["b"]["boilerplate"].as_array().unwrap().is_empty() {
        assert!(
            side_b.contains("class=\"seg bp\""),
            "greyed boilerplate on side b"
        );
    }
    let reason = cmp["original_reason"].as_str().unwrap();
    let reason = reason
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    assert!(dom.contains(&reason), "original_reason shown: {reason}");

    let png = artifacts().join("page-seed-pair.png");
    let _ = std::fs::remove_file(&png);
    let o = chromium(
        &[
            "--virtual-time-budget=5000",
            "--hide-scrollbars",
            "--window-size=1400,1000",
            &format!("--screenshot={}", png.display()),
            &url,
        ],
        &profile,
        Duration::from_secs(90),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let bytes = std::fs::read(&png).unwrap_or_else(|e| panic!("{}: {e}", png.display()));
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    assert!(
        bytes.len() > 20_000,
        "a non-trivial screenshot: {} bytes",
        bytes.len()
    );
    eprintln!("screenshot: {}", png.display());
}
