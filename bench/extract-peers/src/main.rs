//! Times the Rust trafilatura ports on a set of gzipped HTML pages.
//!
//! Driven by `scripts/bench_extract.py`; usable by hand too:
//!
//! ```text
//! extract-peers --tool TOOL [--reps N] [--min-seconds S] PAGE.html.gz...
//! ```
//!
//! TOOL is one of
//! * `trafilatura`: crate `trafilatura` 0.6.0, `Options::default()` with comments excluded;
//! * `trafilatura-fallback`: the same with `enable_fallback = true` (its readability/baseline
//!   fallback, which the Python library runs by default);
//! * `rs-trafilatura`: crate `rs-trafilatura` 0.2.2, `rs_trafilatura::extract` (its defaults:
//!   no comments, fallback on).
//!
//! Every page is read and gunzipped up front (not timed) and decoded as UTF-8 (lossily, like the
//! benchmark's own runners which read the pages as UTF-8 text). Then the whole page list is
//! extracted `N` times, or more until at least `S` seconds have passed. Output, on stdout, one JSON
//! object a line: `{"tool","id","text"}` for each page of the first pass (`text` is null when the
//! library returned an error), then one timing line
//! `{"tool","timing":true,"passes","pages","bytes","seconds","cpu_seconds","errors"}` where `pages`
//! and `bytes` count every page processed over all passes (bytes of decompressed HTML), `seconds`
//! is the wall time of the timed loop and `cpu_seconds` the process's CPU time over it.

use std::io::{Read, Write};
use std::path::Path;
use std::time::Instant;

use flate2::read::GzDecoder;
use serde_json::json;

#[derive(Clone, Copy, PartialEq)]
enum Tool {
    Trafilatura,
    TrafilaturaFallback,
    RsTrafilatura,
}

impl Tool {
    fn parse(s: &str) -> Option<Tool> {
        match s {
            "trafilatura" => Some(Tool::Trafilatura),
            "trafilatura-fallback" => Some(Tool::TrafilaturaFallback),
            "rs-trafilatura" => Some(Tool::RsTrafilatura),
            _ => None,
        }
    }
}

struct Extractor {
    tool: Tool,
    traf_opts: trafilatura::Options,
}

impl Extractor {
    fn new(tool: Tool) -> Self {
        let mut traf_opts = trafilatura::Options::default();
        // The benchmark runs the Python library with include_comments=False.
        traf_opts.exclude_comments = true;
        if tool == Tool::TrafilaturaFallback {
            traf_opts.enable_fallback = true;
        }
        Extractor { tool, traf_opts }
    }

    /// Main text of one page, `None` when the library reports an error.
    fn extract(&self, html: &str) -> Option<String> {
        match self.tool {
            Tool::Trafilatura | Tool::TrafilaturaFallback => {
                trafilatura::extract(html, &self.traf_opts)
                    .ok()
                    .map(|r| r.content_text)
            }
            Tool::RsTrafilatura => rs_trafilatura::extract(html).ok().map(|r| r.content_text),
        }
    }
}

fn usage() -> ! {
    eprintln!(
        "usage: extract-peers --tool trafilatura|trafilatura-fallback|rs-trafilatura \
         [--reps N] [--min-seconds S] PAGE.html.gz..."
    );
    std::process::exit(2);
}

fn page_id(path: &str) -> String {
    let name = Path::new(path)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(path);
    name.split('.').next().unwrap_or(name).to_string()
}

fn read_page(path: &str) -> std::io::Result<String> {
    let raw = std::fs::read(path)?;
    let mut bytes = Vec::new();
    if path.ends_with(".gz") {
        GzDecoder::new(&raw[..]).read_to_end(&mut bytes)?;
    } else {
        bytes = raw;
    }
    Ok(match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// User + system CPU seconds of this process so far (Linux `/proc/self/stat`; `None` elsewhere).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    // Clock ticks: USER_HZ is 100 on every Linux target Rust supports.
    Some((utime + stime) / 100.0)
}

fn main() {
    let mut tool = None;
    let mut reps: usize = 1;
    let mut min_seconds: f64 = 0.0;
    let mut paths = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--tool" => tool = args.next().as_deref().and_then(Tool::parse),
            "--reps" => {
                reps = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_else(|| usage())
            }
            "--min-seconds" => {
                min_seconds = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_else(|| usage())
            }
            "-h" | "--help" => usage(),
            _ => paths.push(a),
        }
    }
    let tool_name = match tool {
        Some(Tool::Trafilatura) => "trafilatura",
        Some(Tool::TrafilaturaFallback) => "trafilatura-fallback",
        Some(Tool::RsTrafilatura) => "rs-trafilatura",
        None => usage(),
    };
    if paths.is_empty() {
        usage();
    }
    let extractor = Extractor::new(tool.unwrap());

    // Untimed: read and decompress every page.
    let pages: Vec<(String, String)> = paths
        .iter()
        .map(|p| match read_page(p) {
            Ok(html) => (page_id(p), html),
            Err(e) => {
                eprintln!("{p}: {e}");
                std::process::exit(1);
            }
        })
        .collect();
    let pass_bytes: usize = pages.iter().map(|(_, h)| h.len()).sum();

    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut first: Vec<Option<String>> = Vec::with_capacity(pages.len());
    let mut errors = 0usize;
    let mut passes = 0usize;
    let cpu_start = cpu_seconds();
    let start = Instant::now();
    loop {
        for (_, html) in &pages {
            let text = extractor.extract(std::hint::black_box(html));
            if passes == 0 {
                if text.is_none() {
                    errors += 1;
                }
                first.push(text);
            } else {
                std::hint::black_box(&text);
            }
        }
        passes += 1;
        if passes >= reps && start.elapsed().as_secs_f64() >= min_seconds {
            break;
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    let cpu = match (cpu_start, cpu_seconds()) {
        (Some(a), Some(b)) => Some(b - a),
        _ => None,
    };

    for ((id, _), text) in pages.iter().zip(&first) {
        let line = json!({"tool": tool_name, "id": id, "text": text});
        writeln!(out, "{line}").unwrap();
    }
    let timing = json!({
        "tool": tool_name,
        "timing": true,
        "passes": passes,
        "pages": passes * pages.len(),
        "bytes": passes * pass_bytes,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "errors": errors,
    });
    writeln!(out, "{timing}").unwrap();
    out.flush().unwrap();
}
