//! The bad-input suite: one test per case of `docs/reliability.md` (issue 14). Each runs the
//! real `retold dedup` on inputs written here and asserts the exit code, that the message
//! names the file (and line or record), and what happens to everything else: without
//! `--skip-bad` nothing is written; with it every good document is still in `keep.txt` and
//! the summary's counts add up (documents read + bad records skipped = records in the input).

mod common;
use common::*;
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Two good documents that are copies of each other, and a third unrelated one.
const A: &str = "The city council voted on Tuesday to expand the bus network to the northern suburbs, adding four new routes and extending night service on the busiest lines. The plan, which will cost about 12 million a year, was approved after months of debate over fares and the future of the tram project. Officials said the first new routes would open in September and the rest early next year.";
const B: &str = "Scientists studying a glacier in the Andes found that it lost nearly a third of its ice over the past two decades, far faster than earlier models had predicted. The team combined satellite images with field measurements taken every summer since 2004 and warned that several towns downstream depend on the meltwater for drinking water and farming during the dry season.";

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `retold dedup INPUTS --out OUT -q EXTRA...` (lexical).
fn dedup(inputs: &[&Path], out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["dedup"];
    args.extend(inputs.iter().map(|p| path_str(p)));
    args.extend(["--out", path_str(out), "-q"]);
    args.extend_from_slice(extra);
    retold(&args)
}

/// The summary's counts: (documents read, bad records skipped, empty documents).
fn counts(o: &Output) -> (usize, usize, usize) {
    let s = stdout(o);
    let num = |after: &str| -> usize {
        let i = s
            .find(after)
            .unwrap_or_else(|| panic!("no {after:?} in {s}"))
            + after.len();
        s[i..]
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    (
        num("retold dedup: "),
        num("skipped bad records: "),
        num("empty documents: "),
    )
}

/// The ids in `keep.txt`.
fn keep(out: &Path) -> Vec<String> {
    std::fs::read_to_string(out.join("keep.txt"))
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Asserts a user error (exit 1) whose message is one line starting `retold: error: ` and
/// containing each of `needles`; and that nothing was written.
fn assert_stops(o: &Output, out: &Path, needles: &[&str]) {
    let e = stderr(o);
    assert_eq!(o.status.code(), Some(1), "exit 1: {e}");
    let line = e
        .lines()
        .find(|l| l.starts_with("retold: error: "))
        .unwrap_or_else(|| panic!("no error line: {e}"));
    for n in needles {
        assert!(line.contains(n), "{n:?} not in the message: {line}");
    }
    assert!(!out.join("keep.txt").exists(), "nothing written on error");
}

/// Asserts a `--skip-bad` run that succeeded, kept exactly `kept` (in order), read
/// `docs` documents and skipped `skipped` bad records, each reported on stderr with its
/// location (`warned`: one needle per skipped record).
fn assert_skips(o: &Output, out: &Path, kept: &[&str], docs: usize, warned: &[&str]) {
    assert!(o.status.success(), "{}", stderr(o));
    let (d, s, _) = counts(o);
    assert_eq!(
        (d, s),
        (docs, warned.len()),
        "documents and skipped: {}",
        stdout(o)
    );
    assert_eq!(keep(out), kept, "keep.txt");
    let e = stderr(o);
    let warnings: Vec<&str> = e
        .lines()
        .filter(|l| l.starts_with("retold: warning: skipped: "))
        .collect();
    assert_eq!(warnings.len(), warned.len(), "one warning per skip: {e}");
    for (w, n) in warnings.iter().zip(warned) {
        assert!(w.contains(n), "{n:?} not in {w}");
    }
    assert!(
        retold::output::check_set(out).unwrap().is_some(),
        "a complete output set with its manifest"
    );
}

fn jsonl(lines: &[serde_json::Value]) -> String {
    lines.iter().map(|l| l.to_string() + "\n").collect()
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

/// A good JSONL file with documents `g1` (A), `g2` (copy of A), `g3` (B).
fn good(dir: &Path) -> PathBuf {
    write(
        dir,
        "good.jsonl",
        jsonl(&[
            json!({"id": "g1", "text": A}),
            json!({"id": "g2", "text": A}),
            json!({"id": "g3", "text": B}),
        ]),
    )
}

#[test]
fn invalid_utf8_in_jsonl_and_text_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = jsonl(&[json!({"id": "j1", "text": A})]).into_bytes();
    j.extend_from_slice(b"{\"id\": \"j2\", \"text\": \"caf\xe9 au lait\"}\n");
    j.extend(jsonl(&[json!({"id": "j3", "text": B})]).into_bytes());
    let j = write(dir.path(), "latin1.jsonl", j);
    let t = write(dir.path(), "latin1.txt", b"na\xefve text in Latin-1\n");
    let out = dir.path().join("out");
    let o = dedup(&[&j, &t], &out, &[]);
    assert_stops(&o, &out, &["latin1.jsonl:2", "invalid UTF-8"]);
    let o = dedup(&[&j, &t], &out, &["--skip-bad"]);
    assert_skips(
        &o,
        &out,
        &["j1", "j3"],
        2,
        &["latin1.jsonl:2: invalid UTF-8", "latin1.txt: invalid UTF-8"],
    );
}

#[test]
fn empty_files_and_empty_documents() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        write(dir.path(), "empty.jsonl", ""),
        write(dir.path(), "blank.jsonl", "\n  \n\r\n"),
        write(dir.path(), "empty.csv", ""),
        write(dir.path(), "header-only.csv", "id,text\n"),
        write(dir.path(), "empty.txt", ""),
        write(
            dir.path(),
            "docs.jsonl",
            jsonl(&[
                json!({"id": "e1", "text": ""}),
                json!({"id": "e2", "text": "   \n\t "}),
                json!({"id": "d1", "text": A}),
                json!({"id": "d2", "text": A}),
            ]),
        ),
    ];
    let inputs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let out = dir.path().join("out");
    let o = dedup(&inputs, &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    // The text file is one (empty) document; the empty JSONL/CSV files have no records.
    assert_eq!(counts(&o), (5, 0, 3), "{}", stdout(&o));
    let kept = keep(&out);
    // Empty documents are kept (they match nothing); d2 is a copy of d1.
    let want: Vec<String> = [files[4].to_str().unwrap(), "e1", "e2", "d1"]
        .map(String::from)
        .to_vec();
    assert_eq!(kept, want);
    let pairs = read_jsonl(&out.join("pairs.jsonl"));
    assert_eq!(pairs.len(), 1, "only d1–d2: {pairs:?}");
    assert_eq!(
        (pairs[0]["a"].as_str(), pairs[0]["b"].as_str()),
        (Some("d1"), Some("d2"))
    );
}

/// `n` pseudo-random words (seeded by `seed`): texts that match nothing else.
fn words(seed: u64, n: usize) -> String {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let len = 3 + (x % 7) as usize;
        out.push(
            (0..len)
                .map(|k| (b'a' + ((x >> (5 * k)) % 26) as u8) as char)
                .collect::<String>(),
        );
    }
    out.join(" ") + "."
}

/// A 200 MB text of varied sentences (random words), written in a few seconds.
fn big_text(path: &Path, bytes: usize) {
    let mut words = Vec::new();
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for _ in 0..20_000 {
        let len = 2 + (next() % 8) as usize;
        words.push(
            (0..len)
                .map(|_| (b'a' + (next() % 26) as u8) as char)
                .collect::<String>(),
        );
    }
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut n = 0;
    while n < bytes {
        let mut s = String::new();
        for k in 0..12 {
            if k > 0 {
                s.push(' ');
            }
            s.push_str(&words[(next() % words.len() as u64) as usize]);
        }
        s.push_str(".\n");
        w.write_all(s.as_bytes()).unwrap();
        n += s.len();
    }
    w.flush().unwrap();
}

#[test]
fn a_200_mb_single_document() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.txt");
    big_text(&big, 200_000_000);
    let size = std::fs::metadata(&big).unwrap().len();
    let g = good(dir.path());
    let out = dir.path().join("out");
    // Over the default limit (64 MiB): refused before it is read.
    let o = dedup(&[&g, &big], &out, &[]);
    assert_stops(
        &o,
        &out,
        &[
            "big.txt",
            &format!("document is {size} bytes, over the limit of 67108864 bytes"),
        ],
    );
    let o = dedup(&[&g, &big], &out, &["--skip-bad"]);
    assert_skips(&o, &out, &["g1", "g3"], 3, &["big.txt: document is"]);
    // With the limit raised it is read and deduplicated like any other document.
    let t = Instant::now();
    let o = dedup(&[&g, &big], &out, &["--max-doc-bytes", "300000000"]);
    assert!(o.status.success(), "{}", stderr(&o));
    eprintln!("200 MB document: {:.1} s", t.elapsed().as_secs_f64());
    assert!(
        stdout(&o).contains("4 documents (200.0 MB)"),
        "{}",
        stdout(&o)
    );
    assert_eq!(keep(&out), ["g1", "g3", path_str(&big)]);
}

#[test]
fn malformed_jsonl_lines() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = jsonl(&[json!({"id": "m1", "text": A})]);
    s.push_str("{\"id\": \"m2\", \"text\": \"unterminated\n");
    s.push_str("[\"an\", \"array\"]\n");
    s.push_str("{\"id\": \"m4\"}\n");
    s.push_str("{\"id\": [1], \"text\": \"x\"}\n");
    s.push_str(&jsonl(&[json!({"id": "m6", "text": B})]));
    let f = write(dir.path(), "bad.jsonl", s);
    let out = dir.path().join("out");
    let o = dedup(&[&f], &out, &[]);
    assert_stops(&o, &out, &["bad.jsonl:2", "malformed JSON"]);
    let o = dedup(&[&f], &out, &["--skip-bad"]);
    assert_skips(
        &o,
        &out,
        &["m1", "m6"],
        2,
        &[
            "bad.jsonl:2: malformed JSON",
            "bad.jsonl:3:",
            "bad.jsonl:4: missing field \"text\"",
            "bad.jsonl:5: field \"id\" must be",
        ],
    );
}

#[test]
fn csv_with_a_missing_or_an_extra_column() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "cols.csv",
        format!("id,text\nc1,\"{A}\"\nc2\nc3,\"{B}\",extra\nc4,\"{B}\"\n"),
    );
    let out = dir.path().join("out");
    let o = dedup(&[&f], &out, &[]);
    assert_stops(
        &o,
        &out,
        &["cols.csv:3", "found 1 fields, expected 2 as in the header"],
    );
    let o = dedup(&[&f], &out, &["--skip-bad"]);
    assert_skips(
        &o,
        &out,
        &["c1", "c4"],
        2,
        &[
            "cols.csv:3: malformed CSV: found 1 fields",
            "cols.csv:4: malformed CSV: found 3 fields",
        ],
    );
    // A header without the text column: the whole file is refused, naming the columns.
    let h = write(dir.path(), "nocol.csv", "id,body\nx1,hello\n");
    let g = good(dir.path());
    let o = dedup(&[&h, &g], &out.with_file_name("out2"), &[]);
    assert_stops(
        &o,
        &out.with_file_name("out2"),
        &["nocol.csv", "no column \"text\" (columns: id, body)"],
    );
    let o = dedup(&[&h, &g], &out, &["--skip-bad"]);
    assert_skips(&o, &out, &["g1", "g3"], 3, &["nocol.csv: no column"]);
}

#[test]
fn parquet_with_a_wrong_column_type() {
    use arrow::array::{ArrayRef, Int64Array, StringArray};
    use arrow::datatypes::{DataType, Field, Schema};
    use arrow::record_batch::RecordBatch;
    use parquet::arrow::ArrowWriter;
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("typed.parquet");
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("text", DataType::Int64, false),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(StringArray::from(vec!["p1", "p2"])) as ArrayRef,
            Arc::new(Int64Array::from(vec![1, 2])) as ArrayRef,
        ],
    )
    .unwrap();
    let mut w = ArrowWriter::try_new(std::fs::File::create(&f).unwrap(), schema, None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    let g = good(dir.path());
    let out = dir.path().join("out");
    let o = dedup(&[&f, &g], &out, &[]);
    assert_stops(
        &o,
        &out,
        &[
            "typed.parquet",
            "column \"text\" has type Int64, expected a string type",
        ],
    );
    let o = dedup(&[&f, &g], &out, &["--skip-bad"]);
    assert_skips(
        &o,
        &out,
        &["g1", "g3"],
        3,
        &["typed.parquet: column \"text\""],
    );
}

#[test]
fn binary_junk() {
    let dir = tempfile::tempdir().unwrap();
    let mut junk = Vec::with_capacity(1 << 16);
    let mut x: u32 = 0x1234_5678;
    for _ in 0..(1 << 16) {
        x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        junk.push((x >> 24) as u8);
    }
    // Junk under each extension: a text file, JSONL, CSV, a gzip file, Parquet, WARC.
    let names = [
        "junk.txt",
        "junk.jsonl",
        "junk.csv",
        "junk.txt.gz",
        "junk.parquet",
        "junk.warc",
    ];
    let files: Vec<PathBuf> = names.iter().map(|n| write(dir.path(), n, &junk)).collect();
    let g = good(dir.path());
    let out = dir.path().join("out");
    for f in &files {
        let o = dedup(&[f, &g], &out, &[]);
        let name = f.file_name().unwrap().to_str().unwrap();
        assert_stops(&o, &out, &[name]);
    }
    let mut inputs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    inputs.push(&g);
    let o = dedup(&inputs, &out, &["--skip-bad"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(keep(&out), ["g1", "g3"], "every good document kept");
    let (docs, skipped, _) = counts(&o);
    assert_eq!(docs, 3, "no document made of junk: {}", stdout(&o));
    let e = stderr(&o);
    let warned: Vec<&str> = e.lines().filter(|l| l.contains("skipped: ")).collect();
    assert_eq!(skipped, warned.len(), "each skip reported: {e}");
    for n in names {
        assert!(
            warned
                .iter()
                .any(|w| w.contains(&format!("{n}:")) || w.contains(&format!("{n} "))),
            "{n} reported: {e}"
        );
    }
}

#[test]
fn truncated_gzip() {
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<serde_json::Value> = (0..400)
        .map(|i| json!({"id": format!("t{i}"), "text": words(i, 60)}))
        .collect();
    let gz = gzip(jsonl(&lines).as_bytes());
    let cut = write(dir.path(), "cut.jsonl.gz", &gz[..gz.len() / 2]);
    let cut_txt = write(dir.path(), "cut.txt.gz", &gzip(B.as_bytes())[..40]);
    let g = good(dir.path());
    let out = dir.path().join("out");
    let o = dedup(&[&cut, &g], &out, &[]);
    assert_stops(&o, &out, &["cut.jsonl.gz:", "cannot read"]);
    let o = dedup(&[&cut, &cut_txt, &g], &out, &["--skip-bad"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (docs, skipped, _) = counts(&o);
    assert_eq!(skipped, 2, "one per cut file: {}", stderr(&o));
    let kept = keep(&out);
    // Every complete line before the cut is read; the good file after it too.
    let read_from_cut = docs - 3;
    assert!(read_from_cut > 50, "lines before the cut: {read_from_cut}");
    assert!(kept.ends_with(&["g1".to_string(), "g3".to_string()]));
    for (i, id) in kept.iter().take(read_from_cut).enumerate() {
        assert_eq!(id, &format!("t{i}"));
    }
    assert!(
        stderr(&o).contains("cut.txt.gz: cannot read"),
        "{}",
        stderr(&o)
    );
}

/// The peak resident memory of a child, polled from /proc until it exits.
fn run_measured(mut cmd: Command) -> (Output, u64) {
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = format!("/proc/{}/status", child.id());
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let d2 = done.clone();
    let poll = std::thread::spawn(move || {
        let mut peak = 0u64;
        while !d2.load(std::sync::atomic::Ordering::Relaxed) {
            if let Ok(s) = std::fs::read_to_string(&status) {
                if let Some(kb) = s
                    .lines()
                    .find(|l| l.starts_with("VmHWM:"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|v| v.parse::<u64>().ok())
                {
                    peak = peak.max(kb * 1024);
                }
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        peak
    });
    let out = child.wait_with_output().unwrap();
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    (out, poll.join().unwrap())
}

fn retold_cmd(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_retold"));
    c.args(args).args(["--semantic", "off", "-q"]);
    c
}

#[test]
fn gzip_bomb() {
    let dir = tempfile::tempdir().unwrap();
    // 1 GiB of zeros in about 1 MB: as a text file, and as one JSONL line.
    let gib = 1usize << 30;
    let bomb = |name: &str, prefix: &[u8]| {
        let f = std::fs::File::create(dir.path().join(name)).unwrap();
        let mut gz = flate2::write::GzEncoder::new(f, flate2::Compression::fast());
        gz.write_all(prefix).unwrap();
        let zeros = vec![b'0'; 1 << 20];
        for _ in 0..gib >> 20 {
            gz.write_all(&zeros).unwrap();
        }
        gz.finish().unwrap();
        dir.path().join(name)
    };
    let txt = bomb("bomb.txt.gz", b"");
    let jl = bomb("bomb.jsonl.gz", b"{\"id\": \"b\", \"text\": \"");
    let csv = bomb("bomb.csv.gz", b"id,text\nb,\"");
    assert!(std::fs::metadata(&txt).unwrap().len() < 8 << 20);
    let g = good(dir.path());
    let out = dir.path().join("out");
    let limit = 64u64 << 20;
    for (f, needle) in [
        (&txt, "bomb.txt.gz: document is more than".to_string()),
        (&jl, "bomb.jsonl.gz:1: document is".to_string()),
        (&csv, "bomb.csv.gz:2: document is more than".to_string()),
    ] {
        let t = Instant::now();
        let (o, peak) = run_measured(retold_cmd(&[
            "dedup",
            path_str(f),
            path_str(&g),
            "--out",
            path_str(&out),
            "--skip-bad",
        ]));
        let secs = t.elapsed().as_secs_f64();
        eprintln!("{}: {secs:.1} s, peak RSS {} MB", f.display(), peak >> 20);
        assert_skips(&o, &out, &["g1", "g3"], 3, &[&needle]);
        assert!(stderr(&o).contains("over the limit of 67108864 bytes"));
        // Memory stays within a few times the document limit, far below the bomb's size.
        assert!(
            peak < 8 * limit,
            "peak RSS {peak} bytes for {}",
            f.display()
        );
    }
    // Without --skip-bad: exit 1, the file named, nothing written.
    let out2 = dir.path().join("out2");
    let o = dedup(&[&txt, &g], &out2, &[]);
    assert_stops(
        &o,
        &out2,
        &["bomb.txt.gz", "over the limit", "reading stopped"],
    );
}

/// A WARC record.
fn warc_record(kind: &str, uri: &str, payload: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:{:08x}-0000-0000-0000-000000000000>\r\nWARC-Date: 2024-03-05T10:00:00Z\r\nWARC-Target-URI: {uri}\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n",
        uri.len() * 7919 + payload.len(),
        payload.len()
    )
    .into_bytes();
    r.extend_from_slice(payload);
    r.extend_from_slice(b"\r\n\r\n");
    r
}

fn page(title: &str, body: &str) -> String {
    format!("<html><head><title>{title}</title></head><body><nav><a href=\"/\">Home</a> <a href=\"/news\">News</a></nav><article><h1>{title}</h1><p>{body}</p></article><footer>Copyright 2024</footer></body></html>")
}

fn chunked(body: &[u8], size: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for c in body.chunks(size) {
        out.extend_from_slice(format!("{:x}\r\n", c.len()).as_bytes());
        out.extend_from_slice(c);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

#[test]
fn warc_with_chunked_transfer_encoding_and_one_cut_mid_record() {
    let dir = tempfile::tempdir().unwrap();
    let plain = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{}",
        page("Bus network", A)
    );
    let mut ch = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    ch.extend(chunked(page("Glacier", B).as_bytes(), 37));
    let mut warc = warc_record("response", "https://a.example/bus", plain.as_bytes());
    warc.extend(warc_record("response", "https://b.example/glacier", &ch));
    let whole = write(dir.path(), "crawl.warc", &warc);
    let out = dir.path().join("out");
    let o = dedup(&[&whole], &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        keep(&out),
        ["https://a.example/bus", "https://b.example/glacier"]
    );
    // The chunked page is decoded: the same text as the page sent plain.
    let mut plain2 = warc_record(
        "response",
        "https://c.example/glacier",
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n{}",
            page("Glacier", B)
        )
        .as_bytes(),
    );
    plain2.splice(0..0, warc.iter().copied());
    let both = write(dir.path(), "both.warc", &plain2);
    let o = dedup(&[&both], &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let pairs = read_jsonl(&out.join("pairs.jsonl"));
    assert!(
        pairs.iter().any(|p| p["a"] == "https://b.example/glacier"
            && p["b"] == "https://c.example/glacier"
            && p["exact"] == true),
        "chunked page equals the plain one: {pairs:?}"
    );

    // Cut in the middle of the second record's body, and inside its headers.
    let first_len = warc_record("response", "https://a.example/bus", plain.as_bytes()).len();
    let g = good(dir.path());
    for (name, at) in [
        ("cut-body.warc", first_len + 400),
        ("cut-head.warc", first_len + 30),
    ] {
        let cut = write(dir.path(), name, &warc[..at]);
        let o = dedup(&[&cut, &g], &out, &[]);
        assert_stops(
            &o,
            &out.with_file_name("none"),
            &[name, "after 1 records", "cut short"],
        );
        let o = dedup(&[&cut, &g], &out, &["--skip-bad"]);
        assert_skips(
            &o,
            &out,
            // g1 is a copy of the first page (A), which came first.
            &["https://a.example/bus", "g3"],
            4,
            &[&format!("{name}: malformed WARC after 1 records")],
        );
    }
}

#[test]
fn deeply_nested_html() {
    let dir = tempfile::tempdir().unwrap();
    let n = 100_000;
    let html = format!(
        "<html><head><title>Deep</title></head><body>{}<p>{A}</p>{}</body></html>",
        "<div>".repeat(n),
        "</div>".repeat(n)
    );
    let deep = write(dir.path(), "deep.html", &html);
    let copy = write(dir.path(), "copy.txt", A);
    let out = dir.path().join("out");
    let t = Instant::now();
    // Not quiet: the page's warning goes to stderr.
    let o = retold(&[
        "dedup",
        path_str(&deep),
        path_str(&copy),
        "--out",
        path_str(&out),
    ]);
    let secs = t.elapsed().as_secs_f64();
    assert!(o.status.success(), "no crash: {}", stderr(&o));
    assert!(
        stderr(&o).contains("deep.html: elements nested more than 512 levels deep"),
        "{}",
        stderr(&o)
    );
    // The innermost text is read: the page is a copy of the text file.
    let pairs = read_jsonl(&out.join("pairs.jsonl"));
    assert_eq!(pairs.len(), 1, "{pairs:?}");
    assert_eq!(pairs[0]["relation"], "duplicate");
    // Linear, not quadratic, in the depth (it took 20 s before the guard).
    assert!(secs < 10.0, "{secs:.1} s");
    // `extract` too.
    let o = retold(&["extract", path_str(&deep)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("Officials said the first new routes"));
}

#[test]
fn duplicate_ids() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(
        dir.path(),
        "a.jsonl",
        jsonl(&[
            json!({"id": "d1", "text": A}),
            json!({"id": "d2", "text": B}),
            json!({"id": "d1", "text": "a different text under the same id"}),
        ]),
    );
    let b = write(
        dir.path(),
        "b.csv",
        format!("id,text\nd2,\"{A}\"\nd3,\"{B}\"\n"),
    );
    let out = dir.path().join("out");
    let o = dedup(&[&a, &b], &out, &[]);
    assert_stops(
        &o,
        &out,
        &[
            "a.jsonl:3: duplicate id \"d1\" (first seen at ",
            "a.jsonl:1)",
        ],
    );
    let o = dedup(&[&a, &b], &out, &["--skip-bad"]);
    // The first record with an id wins; d3 is a copy of d2 (B).
    assert_skips(
        &o,
        &out,
        &["d1", "d2"],
        3,
        &[
            "a.jsonl:3: duplicate id \"d1\"",
            "b.csv:2: duplicate id \"d2\"",
        ],
    );
}

#[test]
fn a_directory_loop_via_symlink() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("corpus");
    std::fs::create_dir_all(root.join("sub")).unwrap();
    std::fs::write(root.join("a.txt"), A).unwrap();
    std::fs::write(root.join("sub/b.txt"), B).unwrap();
    std::os::unix::fs::symlink(&root, root.join("sub/loop")).unwrap();
    std::os::unix::fs::symlink("self", root.join("self")).unwrap();
    let out = dir.path().join("out");
    let t = Instant::now();
    let o = dedup(&[&root], &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(t.elapsed() < Duration::from_secs(30));
    // Each file once; the link back up is not followed.
    assert_eq!(keep(&out), ["a.txt", "sub/b.txt"]);
    // A link to the directory named as input is read like the directory.
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&root, &link).unwrap();
    let o = dedup(&[&link], &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(keep(&out), ["a.txt", "sub/b.txt"]);
}

/// A directory no one can write to, or `None` (with a note) when this process can write
/// anywhere (root) and cannot mount a read-only file system over it.
struct ReadOnlyDir {
    path: PathBuf,
    mounted: bool,
}

impl ReadOnlyDir {
    fn new(path: PathBuf) -> Option<ReadOnlyDir> {
        use std::os::unix::fs::PermissionsExt;
        std::fs::create_dir_all(&path).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o555)).unwrap();
        if std::fs::File::create(path.join("probe")).is_err() {
            return Some(ReadOnlyDir {
                path,
                mounted: false,
            });
        }
        std::fs::remove_file(path.join("probe")).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", path_str(&path)])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return Some(ReadOnlyDir {
                path,
                mounted: true,
            });
        }
        eprintln!("note: cannot make a read-only directory here (root without mount)");
        None
    }
}

impl Drop for ReadOnlyDir {
    fn drop(&mut self) {
        if self.mounted {
            let _ = Command::new("umount").arg(&self.path).status();
        }
    }
}

#[test]
fn an_unwritable_output_directory() {
    let dir = tempfile::tempdir().unwrap();
    let g = good(dir.path());
    // --out names a file: cannot be a directory.
    let file = write(dir.path(), "a-file", "x");
    let o = dedup(&[&g], &file.join("out"), &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("a-file/out"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "x");
    // A read-only directory.
    let Some(ro) = ReadOnlyDir::new(dir.path().join("ro")) else {
        return;
    };
    let o = dedup(&[&g], &ro.path, &[]);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(e.contains("ro/.retold-staging"), "names the directory: {e}");
    assert_eq!(e.trim().lines().count(), 1, "one line: {e}");
    assert!(
        std::fs::read_dir(&ro.path).unwrap().next().is_none(),
        "nothing left"
    );
}

#[test]
fn a_full_output_directory() {
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<serde_json::Value> = (0..300)
        .map(|i| json!({"id": format!("f{i}"), "text": format!("{A} {B} Number {i}.")}))
        .collect();
    let input = write(dir.path(), "many.jsonl", jsonl(&lines));
    let out = dir.path().join("out");
    // A first run leaves a complete set.
    let o = dedup(&[&input], &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let before = retold::output::check_set(&out).unwrap().expect("manifest");
    let pairs_size = before.files[0].bytes;
    assert!(pairs_size > 8192, "pairs.jsonl is {pairs_size} bytes");
    let snapshot = |d: &Path| -> Vec<(String, Vec<u8>)> {
        let mut v: Vec<_> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).unwrap_or_default(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let old = snapshot(&out);
    // The second run (another corpus) meets a full disk: files may grow to 4 KiB only
    // (`ulimit -f`, with SIGXFSZ ignored so that the write fails with EFBIG as on a full disk).
    let other = write(dir.path(), "other.jsonl", jsonl(&lines[..200]));
    let script = format!(
        "trap '' XFSZ; ulimit -f 8; exec '{}' dedup '{}' --out '{}' -q --semantic off",
        env!("CARGO_BIN_EXE_retold"),
        path_str(&other),
        path_str(&out)
    );
    let o = Command::new("sh").args(["-c", &script]).output().unwrap();
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(
        e.contains("out/.retold-staging/pairs.jsonl: File too large"),
        "{e}"
    );
    assert_eq!(
        snapshot(&out),
        old,
        "the previous set untouched, nothing left behind"
    );

    // A real full file system, where one can be mounted (root).
    let small = dir.path().join("small");
    std::fs::create_dir_all(&small).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs", path_str(&small)])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("note: no tmpfs (not root): the ENOSPC half is not run");
        return;
    }
    let o = dedup(&[&input], &small.join("out"), &[]);
    let e = stderr(&o);
    let listing = snapshot(&small.join("out"));
    let _ = Command::new("umount").arg(&small).status();
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(e.contains("No space left on device"), "{e}");
    assert!(e.contains("small/out/.retold-staging/"), "{e}");
    assert!(listing.is_empty(), "nothing half-written: {listing:?}");
}

/// Outcome of one interrupted run.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum Interrupted {
    /// The previous set intact (with its manifest).
    Old,
    /// The new set complete (with its manifest).
    New,
    /// Killed during the renames: no manifest, each file whole (old or new), and the
    /// staging directory holds the rest of the new set.
    Renaming,
}

fn interrupt_at_random_points(signal: &str) {
    let dir = tempfile::tempdir().unwrap();
    let docs = std::fs::read_to_string(shared().join("eval/onestop/docs.jsonl")).unwrap();
    let lines: Vec<&str> = docs.lines().collect();
    let n = lines.len().min(300);
    let first = write(dir.path(), "first.jsonl", lines[..n / 2].join("\n") + "\n");
    let second = write(
        dir.path(),
        "second.jsonl",
        lines[n / 4..n].join("\n") + "\n",
    );
    // The reference sets: what each corpus gives when not interrupted.
    let reference = |input: &Path, name: &str| -> Vec<(String, Vec<u8>)> {
        let d = dir.path().join(name);
        let o = dedup(&[input], &d, &[]);
        assert!(o.status.success(), "{}", stderr(&o));
        ["pairs.jsonl", "clusters.jsonl", "keep.txt", "manifest.json"]
            .iter()
            .map(|f| (f.to_string(), std::fs::read(d.join(f)).unwrap()))
            .collect()
    };
    let (old, new) = (reference(&first, "ref-old"), reference(&second, "ref-new"));
    assert_ne!(old, new);
    // How long an uninterrupted run takes, to spread the signals over it.
    let t = Instant::now();
    reference(&second, "ref-timing");
    let span = t.elapsed().as_millis() as u64 + 20;
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15 ^ signal.len() as u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut seen = Vec::new();
    for k in 0..12 {
        let out = dir.path().join(format!("out-{k}"));
        for (f, bytes) in &old {
            std::fs::create_dir_all(&out).unwrap();
            std::fs::write(out.join(f), bytes).unwrap();
        }
        let mut cmd = retold_cmd(&["dedup", path_str(&second), "--out", path_str(&out)]);
        // SAFETY: only resets two signal dispositions between fork and exec.
        unsafe {
            use std::os::unix::process::CommandExt;
            cmd.pre_exec(|| {
                libc::signal(libc::SIGINT, libc::SIG_DFL);
                libc::signal(libc::SIGTERM, libc::SIG_DFL);
                Ok(())
            });
        }
        let mut child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Spread over the run, one stratum per round (the first at once, before any write),
        // so that a slow timing run cannot push every signal past the end.
        let stratum = span / 12;
        let delay = if k == 0 {
            0
        } else {
            stratum * k as u64 + next() % stratum.max(1)
        };
        std::thread::sleep(Duration::from_millis(delay));
        let sent = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let status = child.wait().unwrap();
        let have: Vec<(String, Option<Vec<u8>>)> = old
            .iter()
            .map(|(f, _)| (f.clone(), std::fs::read(out.join(f)).ok()))
            .collect();
        let is = |set: &[(String, Vec<u8>)]| {
            have.iter()
                .zip(set)
                .all(|((_, h), (_, s))| h.as_deref() == Some(s.as_slice()))
        };
        let outcome = if is(&old) {
            Interrupted::Old
        } else if is(&new) {
            Interrupted::New
        } else {
            // Only during the renames: no manifest, every file whole, the rest staged.
            let staged = out.join(retold::output::STAGING);
            for (((f, h), (_, o)), (_, n)) in have.iter().zip(&old).zip(&new) {
                if f == "manifest.json" {
                    assert!(
                        h.is_none() || h.as_deref() == Some(n.as_slice()),
                        "round {k}: a manifest beside a mixed set"
                    );
                    continue;
                }
                let whole =
                    h.as_deref() == Some(o.as_slice()) || h.as_deref() == Some(n.as_slice());
                let moved_or_staged = h.as_deref() == Some(n.as_slice())
                    || std::fs::read(staged.join(f)).ok().as_deref() == Some(n.as_slice());
                assert!(whole, "round {k}: {f} is neither the old nor the new file");
                assert!(
                    moved_or_staged,
                    "round {k}: new {f} neither in place nor staged"
                );
            }
            Interrupted::Renaming
        };
        if matches!(outcome, Interrupted::Old | Interrupted::New) {
            assert!(retold::output::check_set(&out).unwrap().is_some());
        }
        // A run into the same directory afterwards always leaves the new set.
        let o = dedup(&[&second], &out, &[]);
        assert!(o.status.success(), "{}", stderr(&o));
        let after = retold::output::check_set(&out).unwrap().expect("manifest");
        assert_eq!(after.files.len(), 3);
        assert!(!out.join(retold::output::STAGING).exists());
        eprintln!("round {k}: {status:?} -> {outcome:?}");
        seen.push(outcome);
    }
    assert!(
        seen.contains(&Interrupted::Old),
        "no kill before the write: {seen:?}"
    );
}

#[test]
fn dedup_interrupted_by_sigint_at_random_points() {
    interrupt_at_random_points("INT");
}

#[test]
fn dedup_interrupted_by_sigkill_at_random_points() {
    interrupt_at_random_points("KILL");
}

#[test]
fn a_full_temporary_directory_while_spilling() {
    // Texts beyond a quarter of --memory 1M go to a temporary file; files may grow to 8 KiB
    // only (`ulimit -f`, SIGXFSZ ignored: EFBIG as on a full disk).
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<serde_json::Value> = (0..400)
        .map(|i| json!({"id": format!("t{i}"), "text": format!("{A} {B} {A} Number {i}.")}))
        .collect();
    let input = write(dir.path(), "many.jsonl", jsonl(&lines));
    let tmp = dir.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let out = dir.path().join("out");
    let script = format!(
        "trap '' XFSZ; ulimit -f 8; TMPDIR='{}' exec '{}' dedup '{}' --out '{}' -q --semantic off --memory 1M",
        path_str(&tmp),
        env!("CARGO_BIN_EXE_retold"),
        path_str(&input),
        path_str(&out)
    );
    let o = Command::new("sh").args(["-c", &script]).output().unwrap();
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{e}");
    // Keys (a sorted run) or texts, whichever reaches the disk first.
    assert!(
        e.starts_with("retold: error: ")
            && (e.contains("temporary storage failed") || e.contains("sorted run"))
            && e.contains("TMPDIR")
            && e.matches("File too large").count() == 1,
        "{e}"
    );
    assert!(!out.join("pairs.jsonl").exists(), "no output");
    assert!(
        std::fs::read_dir(&tmp).unwrap().next().is_none(),
        "no temporary file left"
    );
    // With room, the same budget completes and spills.
    let o = dedup(&[&input], &out, &["--memory", "1M", "--semantic", "off"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("beyond --memory"), "{}", stdout(&o));
}
