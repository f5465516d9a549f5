#!/usr/bin/env bash
# Fuzzes retold's input-facing code with cargo-fuzz (libFuzzer, nightly Rust):
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]
# runs every target of fuzz/ (or the ones named) for SECONDS seconds each (default 60) and
# exits non-zero if any of them finds a crash (an input that panics, breaks an invariant,
# times out or runs out of memory), printing the file libFuzzer saved it to.
#
# Seed corpora are written to fuzz/corpus/<target>/ from ../shared at every run (JSONL lines
# of the eval sets, CSV/TSV and WARC files built from them, web pages of the extraction set,
# the seed texts); libFuzzer adds what it finds there. fuzz/corpus, fuzz/artifacts and the
# build are not committed (fuzz/.gitignore). Builds go to $RETOLD_FUZZ_TARGET_DIR (default
# ~/.cache/retold/fuzz-target), apart from the normal build cache: the sanitizer flags would
# otherwise rebuild everything. The first build takes about 8 minutes on 2 cores; later runs
# rebuild only what changed.
#
# With RETOLD_FUZZ_LEDGER=FILE set, every target's run appends one tab-separated line to FILE:
# UTC date, commit, target, seconds, executions, new corpus units, exit code. The repository's
# ledger is docs/fuzz-runs.tsv; scripts/fuzz_table.py sums it into docs/reliability.md.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_EACH="${1:-60}"
shift || true
CARGO_FUZZ_VERSION=0.13.2
TARGET_DIR="${RETOLD_FUZZ_TARGET_DIR:-$HOME/.cache/retold/fuzz-target}"
SHARED=../shared

rustup toolchain list 2>/dev/null | grep -q nightly || {
  echo "fuzz.sh: the nightly toolchain is required (rustup toolchain install nightly)" >&2
  exit 2
}
[ -d "$SHARED/eval" ] || { echo "fuzz.sh: $SHARED (seeds and eval data) must sit beside the repository" >&2; exit 2; }
if ! cargo fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
  echo "== installing cargo-fuzz $CARGO_FUZZ_VERSION"
  cargo install cargo-fuzz --locked --version "$CARGO_FUZZ_VERSION"
fi

if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo +nightly fuzz list)
fi
[ "${#targets[@]}" -gt 0 ] || { echo "fuzz.sh: no fuzz targets found (cargo fuzz list)" >&2; exit 2; }

echo "== seed corpora (fuzz/corpus, from $SHARED)"
python3 - "$SHARED" <<'PY'
import gzip, io, json, struct, sys
from pathlib import Path

shared = Path(sys.argv[1])
root = Path("fuzz/corpus")

def put(target, name, data):
    d = root / target
    d.mkdir(parents=True, exist_ok=True)
    (d / f"seed-{name}").write_bytes(data)

def docs(ds, n):
    out = []
    with open(shared / "eval" / ds / "docs.jsonl", encoding="utf-8") as f:
        for line in f:
            out.append(line.rstrip("\n"))
            if len(out) == n:
                break
    return out

def text(line, limit=3000):
    return json.loads(line)["text"][:limit]

seeds = [p.read_text(encoding="utf-8") for p in sorted((shared / "seeds").glob("*.txt"))]
lines = {ds: docs(ds, 4) for ds in ["onestop", "semeval", "wmt", "pan13"]}
# Small pages (largest last), as stored (gzip) and decompressed.
pages = sorted((shared / "eval" / "extraction" / "html").glob("*.html.gz"), key=lambda p: p.stat().st_size)[:4]
html = [gzip.decompress(p.read_bytes()) for p in pages]

# Reader targets: a mode byte (see fuzz/src/lib.rs: 1 gzip, 2 fake gzip, 4 small size
# limit, 8 HTML field, 16 TSV), then the file.
for ds, ls in lines.items():
    small = [json.dumps({**json.loads(l), "text": text(l, 1500)}, ensure_ascii=False) for l in ls]
    put("jsonl", ds, b"\0" + "\n".join(small).encode())
    put("jsonl", ds + "-crlf-gz", b"\1" + "\r\n".join(small[:2]).encode() + b"\r\n")
put("jsonl", "limits", b"\4" + b'{"id":1,"text":"short"}\n\n{"id":"x","text":' + json.dumps("long " * 20).encode() + b'}\n[1]\n{"id":true}\n')
put("jsonl", "html", b"\x08" + json.dumps({"id": "p", "text": html[0][:6000].decode("utf-8", "replace"), "url": "https://example.com/a"}).encode() + b"\n")

def csv_file(sep):
    out = io.StringIO()
    out.write(sep.join(["id", "text", "lang", "title"]) + "\n")
    for i, l in enumerate(lines["onestop"][:3] + lines["semeval"][:2]):
        d = json.loads(l)
        t = d["text"][:800]
        if sep == ",":
            t = '"' + t.replace('"', '""') + '"'
        else:
            t = t.replace("\t", " ").replace("\n", " ")
        out.write(sep.join([d["id"], t, d.get("lang", "en"), f"Title {i}"]) + "\n")
    return out.getvalue().encode()

put("csv", "csv", b"\0" + csv_file(","))
put("csv", "csv-gz", b"\1" + csv_file(",")[:2000])
put("csv", "tsv", b"\x10" + csv_file("\t"))
put("csv", "bad", b"\4" + b'id,text\r\n1,"a ""quoted""\r\nline"\r\n2,x,extra\r\n\r\n3,\xff\r\n')

def record(kind, uri, payload):
    head = (f"WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:{len(payload):08x}-0000-4000-8000-000000000000>\r\n"
            f"WARC-Date: 2024-03-05T10:00:00Z\r\nWARC-Target-URI: {uri}\r\nContent-Type: application/http; msgtype={kind}\r\n"
            f"Content-Length: {len(payload)}\r\n\r\n").encode()
    return head + payload + b"\r\n\r\n"

def http(ct, body):
    return f"HTTP/1.1 200 OK\r\nContent-Type: {ct}\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body

warc = record("warcinfo", "", b"software: fuzz.sh\r\n") + record("request", "https://example.com/a", b"GET /a HTTP/1.1\r\n\r\n")
for i, page in enumerate(html[:2]):
    warc += record("response", f"https://news{i}.example.com/a", http("text/html; charset=utf-8", page[:8000]))
warc += record("response", "https://example.com/logo.png", http("image/png", b"\x89PNG\r\n"))
put("warc", "pages", b"\0" + warc)
put("warc", "pages-gz", b"\1" + warc)
put("warc", "latin1", b"\0" + record("response", "https://example.org/c", http("text/html; charset=ISO-8859-1", "<p>Caf\xe9 reopens.</p>".encode("latin-1"))))

for i, (p, page) in enumerate(zip(pages, html)):
    put("extract", f"page{i}", page)
    if i == 0:
        put("extract", f"page{i}-gz", p.read_bytes())
put("extract", "tags", b"<html><head><meta charset=\"windows-1252\"><title>T\x93</title></head><body><nav><a href=/>Home</a></nav>"
    b"<article><h1>Head</h1><p>One sentence here. Another one, longer.</p><script>x()</script></article><footer>(c) 2024</footer>")

texts = seeds + [text(l) for ls in lines.values() for l in ls[:2]]
texts.append("“Quoted”  text — with\u00a0\u00a0spaces\r\nof\ufb01ce cafe\u0301 soft\u00adhyphen\u200b zero\tx\u2028y")
for i, t in enumerate(texts):
    put("sentences", f"t{i}", t.encode())
    put("normalize", f"t{i}", struct.pack("<8H", 0, 40, 3, 17, 10, 10, 25, 9000) + t.encode())

pairs = [(seeds[0], seeds[1])] if len(seeds) >= 2 else []
for ds in ["onestop", "wmt", "semeval"]:
    ls = lines[ds]
    pairs.append((text(ls[0]), text(ls[1])))
pairs.append((seeds[0] if seeds else "x", (seeds[0] if seeds else "x")[::-1]))
pairs.append((text(lines["onestop"][0]), text(lines["onestop"][0])[200:1800]))
for i, (a, b) in enumerate(pairs):
    put("compare", f"p{i}", a.encode() + b"\0" + b.encode())
PY

# Release build with debug assertions and address sanitizer (cargo-fuzz's defaults); 16
# codegen units instead of cargo-fuzz's 1 lets a small machine build in parallel.
build_flags=(--target-dir "$TARGET_DIR" --codegen-units 16)
echo "== building the fuzz targets (cargo +nightly fuzz build, into $TARGET_DIR)"
cargo +nightly fuzz build "${build_flags[@]}"

failed=()
# A log of one's own: runs side by side (a long run, the test command's short one) must not
# read each other's statistics into the ledger.
log=$(mktemp "${TMPDIR:-/tmp}/retold-fuzz.XXXXXX")
trap 'rm -f "$log"' EXIT
for t in "${targets[@]}"; do
  echo "== fuzz $t for ${SECONDS_EACH}s"
  set +e
  # -timeout: one input taking 30 s counts as a failure (a hang); libFuzzer's default
  # memory limit (2 GiB) applies.
  cargo +nightly fuzz run "${build_flags[@]}" "$t" -- \
    -max_total_time="$SECONDS_EACH" -timeout=30 -print_final_stats=1 >"$log" 2>&1
  rc=$?
  set -e
  grep -E '^(stat::number_of_executed_units|stat::new_units_added|Done [0-9]+ runs)' "$log" || true
  if [ -n "${RETOLD_FUZZ_LEDGER:-}" ]; then
    execs=$(grep -oE '^stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo 0)
    added=$(grep -oE '^stat::new_units_added: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo 0)
    secs=$(grep -oE 'Done [0-9]+ runs in [0-9]+ second' "$log" | grep -oE '[0-9]+ second' | grep -oE '[0-9]+' || echo "$SECONDS_EACH")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(git rev-parse --short HEAD 2>/dev/null || echo -)" \
      "$t" "${secs:-$SECONDS_EACH}" "${execs:-0}" "${added:-0}" "$rc" >>"$RETOLD_FUZZ_LEDGER"
  fi
  if [ "$rc" -ne 0 ]; then
    failed+=("$t")
    # The panic (or sanitizer report) and where libFuzzer saved the input.
    grep -E -m 3 -A 3 'panicked at|==ERROR|ERROR: libFuzzer|SUMMARY: ' "$log" || tail -n 40 "$log"
    for f in $(grep -oE '(crash|leak|timeout|oom|slow-unit)-[0-9a-f]+' "$log" | sort -u); do
      echo "fuzz.sh: $t found a failing input: fuzz/artifacts/$t/$f ($(stat -c %s "fuzz/artifacts/$t/$f" 2>/dev/null || echo ?) bytes)"
      echo "  reproduce: cargo +nightly fuzz run ${build_flags[*]} $t fuzz/artifacts/$t/$f"
      od -An -c "fuzz/artifacts/$t/$f" 2>/dev/null | head -n 8 || true
    done
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz.sh: failures in: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz.sh: ${#targets[@]} targets, ${SECONDS_EACH}s each, no failures"
