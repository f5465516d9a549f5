#!/usr/bin/env python3
"""Web-page main-text extraction: retold extract vs trafilatura (Python and Rust ports).

    python3 scripts/bench_extract.py [--reps N] [--retold BIN] [--md docs/benchmarks.md]
        [--min-seconds S] [--peers-target DIR] [--data DIR] [--core K] [--skip TOOL,...]

retold is built (`cargo build --release -p retold_cli`, CARGO_TARGET_DIR or
~/.cache/retold/target) when the default binary lacks `extract`; bench/extract-peers is built
into --peers-target (default $EXTRACT_PEERS_TARGET or bench/extract-peers/target) when its
binary is missing; the venv bench/.venv-extract is created when trafilatura 2.3.1 is not in it.

Compares, in one run, on the same pages (default: the 90-page dev split of the Scrapinghub
article-extraction-benchmark in ../shared/eval/extraction: html/ID.html.gz + gold.jsonl):

  * retold        `retold extract --json PAGE...`, the `article` field of each JSON line;
  * trafilatura   the Python library, pinned 2.3.1, `trafilatura.extract(html,
                  include_comments=False)` (the benchmark's own runner for it), installed into
                  the venv bench/.venv-extract (created when missing);
  * the Rust crates `trafilatura` 0.6.0 (a port of go-trafilatura; default options with comments
    excluded, and once more with its readability/baseline fallback on, which the Python library
    runs by default) and `rs-trafilatura` 0.2.2 (`rs_trafilatura::extract`, its defaults), called
    by the small program bench/extract-peers (its own cargo project, built here in release when
    its binary is missing).

Quality: the benchmark's metric (its evaluate.py, re-implemented below). Per page, the extracted
text and the gold articleBody are cut into tokens (regex `\\w+`, Unicode, case kept), tokens into
word 4-gram shingles (a text of fewer than 4 tokens gives a single shorter shingle, an empty text
none), counted as multisets: TP = shared shingles, FP = extra predicted ones, FN = missed gold
ones, then divided by TP+FP+FN so every page weighs the same. Precision is averaged over the
pages where TP+FP > 0 (an empty extraction does not count for precision, it gives recall 0),
recall over the pages where TP+FN > 0; F1 = 2PR/(P+R) of the two averages.

Speed: every tool runs on one core (`taskset -c 0`; RAYON_NUM_THREADS=1 for retold), in its own
process, over the same decompressed HTML. The page list is run --reps times (default 10), and
again as a whole until the tool has run for at least --min-seconds (default 5). The peers
decompress the pages before their timer starts; retold gets the decompressed pages as .html files
in a temporary directory, all passes in one invocation (`retold extract --json P1..P90 P1..P90 ...`,
stdout to /dev/null), and its time is the wall time of that process, start-up included. retold is
run before and after the others; its speed is the mean of the two runs. MB = 10^6 bytes of
decompressed HTML. "speed vs retold" = the tool's pages/s / retold's pages/s.

Writes the raw results to bench/results-extract-DATE.json and replaces the section between
`<!-- extract:start -->` and `<!-- extract:end -->` of the markdown file (appends it when
missing; everything outside the markers is kept). Standard library only; Linux (taskset).
"""
import argparse
import datetime
import gzip
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR") or os.path.expanduser("~/.cache/retold/target")
PEERS_DIR = os.path.join(REPO, "bench", "extract-peers")
VENV = os.path.join(REPO, "bench", ".venv-extract")
TRAFILATURA_PIN = "2.3.1"
START, END = "<!-- extract:start -->", "<!-- extract:end -->"
PEER_TOOLS = ["trafilatura", "trafilatura-fallback", "rs-trafilatura"]

# --------------------------------------------------------------------------- quality metric

WORD = re.compile(r"\w+", re.UNICODE)


def shingles(text, n=4):
    """Multiset of word n-grams; a text shorter than n words is one (shorter) shingle."""
    words = WORD.findall(text or "")
    if len(words) < n:
        return Counter([tuple(words)]) if words else Counter()
    return Counter(tuple(words[i:i + n]) for i in range(len(words) - n + 1))


def page_scores(gold, pred):
    """(tp, fp, fn) for one page, normalised to sum to 1 (all 0 when both are empty)."""
    g, p = shingles(gold), shingles(pred)
    tp = sum((g & p).values())
    fp = sum((p - g).values())
    fn = sum((g - p).values())
    total = tp + fp + fn
    if total == 0:
        return 0.0, 0.0, 0.0
    return tp / total, fp / total, fn / total


def aggregate(scores):
    precisions, recalls = [], []
    for tp, fp, fn in scores:
        if tp + fp > 0:
            precisions.append(1.0 if fp == fn == 0 else tp / (tp + fp))
        if tp + fn > 0:
            recalls.append(1.0 if fp == fn == 0 else tp / (tp + fn))
    p = statistics.mean(precisions) if precisions else 0.0
    r = statistics.mean(recalls) if recalls else 0.0
    f1 = 2 * p * r / (p + r) if p + r > 0 else 0.0
    return {"f1": f1, "precision": p, "recall": r,
            "pages_scored_precision": len(precisions), "pages_scored_recall": len(recalls)}


def evaluate(gold, texts):
    """gold: id -> articleBody; texts: id -> extracted text (None/missing = nothing)."""
    per_page = {pid: page_scores(gold[pid], texts.get(pid) or "") for pid in sorted(gold)}
    out = aggregate(per_page.values())
    out["empty_extractions"] = sum(1 for pid in gold if not (texts.get(pid) or "").strip())
    out["per_page"] = per_page
    return out

# --------------------------------------------------------------------------- helpers


def run(cmd, env=None, stdout=subprocess.PIPE, cwd=None):
    """Run cmd; returns (stdout text or None, wall seconds, child CPU seconds)."""
    r0 = os.times()
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=stdout, stderr=subprocess.PIPE, env=env, cwd=cwd)
    wall = time.perf_counter() - t0
    r1 = os.times()
    if p.returncode != 0:
        raise SystemExit("failed (%d): %s\n%s" % (p.returncode, " ".join(cmd[:8]),
                                                  p.stderr.decode("utf-8", "replace")[-3000:]))
    cpu = (r1.children_user - r0.children_user) + (r1.children_system - r0.children_system)
    out = p.stdout.decode("utf-8") if p.stdout is not None else None
    return out, wall, cpu


def pin(cmd, core):
    if core is None or not shutil.which("taskset"):
        return cmd
    return ["taskset", "-c", str(core)] + cmd


def machine_info():
    model, cores = "?", set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name") and model == "?":
                    model = line.split(":", 1)[1].strip()
                if line.startswith("processor"):
                    cores.add(line.split(":", 1)[1].strip())
    except OSError:
        pass
    try:
        load = "%.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        load = "?"
    return {"cpu": model, "cpuinfo_processors": len(cores), "os_cpu_count": os.cpu_count(),
            "os": platform.platform(), "python": platform.python_version(),
            "loadavg_at_start": load}

# --------------------------------------------------------------------------- tools


def ensure_venv():
    py = os.path.join(VENV, "bin", "python")
    check = [py, "-c", "import trafilatura, sys; sys.exit(trafilatura.__version__ != %r)"
             % TRAFILATURA_PIN]
    if os.path.exists(py) and subprocess.run(check, capture_output=True).returncode == 0:
        return py
    if not os.path.exists(py):
        print("creating %s" % VENV, file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    # lxml >= 5.2 moved lxml.html.clean (needed by jusText, a trafilatura dependency) out.
    subprocess.run([py, "-m", "pip", "install", "-q", "trafilatura==" + TRAFILATURA_PIN,
                    "lxml_html_clean==0.4.6"], check=True)
    subprocess.run(check, check=True)
    return py


def ensure_peers(target):
    exe = os.path.join(target, "release", "extract-peers")
    if not os.path.exists(exe):
        print("building bench/extract-peers (release) into %s" % target, file=sys.stderr)
        env = dict(os.environ, CARGO_TARGET_DIR=target)
        locked = ["--locked"] if os.path.exists(os.path.join(PEERS_DIR, "Cargo.lock")) else []
        subprocess.run(["cargo", "build", "--release"] + locked, cwd=PEERS_DIR, env=env,
                       check=True)
    return exe


def ensure_retold(binary):
    def has_extract():
        return os.path.exists(binary) and subprocess.run(
            [binary, "extract", "--help"], capture_output=True).returncode == 0
    if not has_extract():
        if binary != os.path.join(TARGET, "release", "retold"):
            raise SystemExit("%s has no `extract` subcommand" % binary)
        print("building retold (cargo build --release -p retold_cli)", file=sys.stderr)
        env = dict(os.environ, CARGO_TARGET_DIR=TARGET)
        subprocess.run(["cargo", "build", "--release", "-p", "retold_cli"], cwd=REPO, env=env,
                       check=True)
        if not has_extract():
            raise SystemExit("%s still has no `extract` subcommand" % binary)
    return binary


def crate_versions():
    """Versions of the peer crates from bench/extract-peers/Cargo.lock."""
    out = {}
    try:
        with open(os.path.join(PEERS_DIR, "Cargo.lock")) as f:
            lock = f.read()
    except OSError:
        return out
    for block in lock.split("[[package]]"):
        name = re.search(r'^name = "([^"]+)"', block, re.M)
        ver = re.search(r'^version = "([^"]+)"', block, re.M)
        if name and ver and name.group(1) in ("trafilatura", "rs-trafilatura"):
            out[name.group(1)] = ver.group(1)
    return out


def parse_lines(stdout):
    texts, timing = {}, None
    for line in stdout.splitlines():
        if not line.strip():
            continue
        obj = json.loads(line)
        if obj.get("timing"):
            timing = obj
        else:
            texts[obj["id"]] = obj.get("text")
    return texts, timing


PY_RUNNER = r'''
import gzip, json, os, sys, time
import trafilatura
reps, min_seconds, paths = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3:]
pages = []
for p in paths:  # untimed: read, gunzip, decode as UTF-8 like the benchmark's runner
    with gzip.open(p, "rt", encoding="utf-8", errors="replace") as f:
        pages.append((os.path.basename(p).split(".")[0], f.read()))
pass_bytes = sum(len(h.encode("utf-8")) for _, h in pages)
first, errors, passes = [], 0, 0
c0, t0 = time.process_time(), time.perf_counter()
while True:
    for _, html in pages:
        try:
            text = trafilatura.extract(html, include_comments=False)
        except Exception:
            text = None
            errors += passes == 0
        if passes == 0:
            first.append(text)
    passes += 1
    if passes >= reps and time.perf_counter() - t0 >= min_seconds:
        break
seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
for (pid, _), text in zip(pages, first):
    print(json.dumps({"tool": "trafilatura-py", "id": pid, "text": text}, ensure_ascii=False))
print(json.dumps({"tool": "trafilatura-py", "timing": True, "passes": passes,
                  "pages": passes * len(pages), "bytes": passes * pass_bytes,
                  "seconds": seconds, "cpu_seconds": cpu, "errors": errors}))
'''


def run_python(py, paths, reps, min_seconds, core):
    out, wall, _ = run(pin([py, "-c", PY_RUNNER, str(reps), str(min_seconds)] + paths, core),
                       env=dict(os.environ, PYTHONHASHSEED="0"))
    return parse_lines(out)


def run_peer(exe, tool, paths, reps, min_seconds, core):
    out, wall, _ = run(pin([exe, "--tool", tool, "--reps", str(reps),
                            "--min-seconds", str(min_seconds)] + paths, core))
    return parse_lines(out)


def run_retold(binary, pages, workdir, reps, min_seconds, core):
    """pages: list of (id, html bytes). Returns (texts, [timing, ...])."""
    names = {}
    for i, (pid, html) in enumerate(pages):
        name = os.path.join(workdir, "%03d.html" % i)
        with open(name, "wb") as f:
            f.write(html)
        names[name] = pid
    files = list(names)
    env = dict(os.environ, RAYON_NUM_THREADS="1")
    # Quality pass (its output is kept), one page list.
    out, _, _ = run(pin([binary, "extract", "--json"] + files, core), env=env)
    texts = {}
    for line in out.splitlines():
        if line.strip():
            obj = json.loads(line)
            pid = names.get(obj.get("path")) or names.get(os.path.join(workdir, os.path.basename(
                obj.get("path") or "")))
            if pid is None:
                raise SystemExit("retold: unexpected path %r" % obj.get("path"))
            texts[pid] = obj.get("article")
    # Start-up cost: one tiny page.
    tiny = os.path.join(workdir, "tiny.html")
    with open(tiny, "w") as f:
        f.write("<html><body><p>x</p></body></html>")
    _, startup, _ = run(pin([binary, "extract", "--json", tiny], core), env=env,
                        stdout=subprocess.DEVNULL)
    pass_bytes = sum(len(h) for _, h in pages)

    def timed(n):
        _, wall, cpu = run(pin([binary, "extract", "--json"] + files * n, core), env=env,
                           stdout=subprocess.DEVNULL)
        return {"tool": "retold", "passes": n, "pages": n * len(files), "bytes": n * pass_bytes,
                "seconds": wall, "cpu_seconds": cpu, "startup_seconds": startup, "errors": 0}

    def measure():
        t = timed(reps)
        if t["seconds"] < min_seconds:  # too short: scale the passes up to ~1.2x min_seconds
            n = max(reps + 1, int(reps * min_seconds * 1.2 / max(t["seconds"], 1e-3)) + 1)
            t = timed(n)
        return t
    return texts, measure

# --------------------------------------------------------------------------- report


def fmt_tool_rows(results, order):
    base = results["retold"]["speed"]["pages_per_s"]
    rows = []
    for key in order:
        r = results.get(key)
        if not r:
            continue
        q, s = r["quality"], r["speed"]
        rows.append("| %s | %s | %.3f | %.3f | %.3f | %.1f | %.2f | %s |" % (
            r["label"], r["version"], q["f1"], q["precision"], q["recall"], s["pages_per_s"],
            s["mb_per_s"], "1.00×" if key == "retold" else "%.2f×" % (s["pages_per_s"] / base)))
    return rows


def write_md(md_path, results, meta, order):
    m = meta["machine"]
    lines = [START, "", "## Web-page extraction (retold extract vs trafilatura)", ""]
    lines.append("Written by `python3 scripts/bench_extract.py` on %s. Raw numbers: `%s` "
                 "(not committed)." % (meta["date"], meta["results_file"]))
    lines.append("")
    lines.append("- Machine: %s, %d processors in /proc/cpuinfo (os.cpu_count() = %s); %s; "
                 "load average at start %s. Every tool ran pinned to one core (`taskset -c 0`)."
                 % (m["cpu"], m["cpuinfo_processors"], m["os_cpu_count"], m["os"],
                    m["loadavg_at_start"]))
    lines.append("- Command: `%s`" % meta["command"])
    lines.append("- Pages: %d (%s), %.2f MB of decompressed HTML per pass; gold: `articleBody` "
                 "of gold.jsonl." % (meta["pages"], meta["pages_dir"], meta["pass_bytes"] / 1e6))
    lines.append("")
    lines.append("| tool | version | F1 | precision | recall | pages/s | MB/s | speed vs retold |")
    lines.append("|---|---|---:|---:|---:|---:|---:|---:|")
    lines.extend(fmt_tool_rows(results, order))
    lines.append("")
    passes = ", ".join("%s %s" % (results[k]["label"], "+".join(
        str(t["passes"]) for t in results[k]["timings"])) for k in order if k in results)
    lines.append(
        "Quality: the benchmark's metric (word 4-gram shingles of `\\w+` tokens, case kept, "
        "TP/FP/FN normalised per page, precision and recall averaged over pages, F1 of the two "
        "averages), computed by the script for every tool alike. Speed: one core, pages/s and MB/s "
        "over all passes of the page list (passes: %s); the peers are timed in-process on "
        "decompressed HTML, retold is the wall time of one `retold extract --json` process over "
        "all passes (start-up, %.0f ms for a one-page run, included; JSON output to /dev/null) "
        "and the mean of a run before and after the others. "
        "speed vs retold = pages/s ÷ retold's pages/s." % (
            passes, 1000 * results["retold"]["timings"][0].get("startup_seconds", 0.0)))
    lines.append("")
    lines.append(
        "Notes: the published F1 figures in the benchmark's README (rs_trafilatura 0.970, "
        "trafilatura 0.958, Readability.js 0.947) are on all 181 pages of the benchmark; these "
        "are the %d-page dev split, so they are comparable with each other but not exactly with "
        "the published ones. The machine is shared and noisy (other builds ran alongside), so the "
        "ratios are more telling than the absolute pages/s; retold's two runs gave %s pages/s."
        % (meta["pages"], " and ".join("%.1f" % (t["pages"] / t["seconds"])
                                        for t in results["retold"]["timings"])))
    lines.append("")
    lines.append(
        "retold's extractor was tuned on the 90 pages of this dev split (see "
        "crates/retold_extract/src/lib.rs) and the peers were not, so its quality lead here is "
        "optimistic; the held-out pages of the benchmark are not measured. The Python library "
        "runs its readability/jusText fallbacks by default, the `trafilatura` crate only when "
        "asked (the \"fallback on\" row).")
    cpu_rates = {k: results[k]["speed"].get("pages_per_cpu_s") for k in order if k in results}
    if all(cpu_rates.values()):
        base = cpu_rates["retold"]
        lines.append("")
        lines.append(
            "Per CPU second instead of wall second (less sensitive to the noise): %s." % "; ".join(
                "%s %.0f pages/CPU-s (%s)" % (
                    results[k]["label"], v,
                    "1.00×" if k == "retold" else "%.2f×, retold %.1f× faster" % (v / base,
                                                                                  base / v))
                for k, v in cpu_rates.items()))
    for note in meta.get("extra_notes", []):
        lines.append("")
        lines.append(note)
    lines.append("")
    lines.append(END)
    section = "\n".join(lines)

    try:
        with open(md_path, encoding="utf-8") as f:
            doc = f.read()
    except FileNotFoundError:
        doc = ""
    a, b = doc.find(START), doc.find(END)
    if a != -1 and b != -1 and b > a:
        doc = doc[:a] + section + doc[b + len(END):]
    else:
        doc = doc.rstrip("\n") + ("\n\n" if doc.strip() else "") + section + "\n"
    with open(md_path, "w", encoding="utf-8") as f:
        f.write(doc)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=10,
                    help="passes over the page list, at least (default 10)")
    ap.add_argument("--min-seconds", type=float, default=5.0,
                    help="more passes until each tool ran this long (default 5)")
    ap.add_argument("--retold", default=os.path.join(TARGET, "release", "retold"),
                    help="retold binary (default $CARGO_TARGET_DIR/release/retold)")
    ap.add_argument("--md", default=os.path.join(REPO, "docs", "benchmarks.md"))
    ap.add_argument("--data", default=os.path.join(os.path.dirname(REPO), "shared", "eval",
                                                   "extraction"),
                    help="directory with html/*.html.gz and gold.jsonl")
    ap.add_argument("--peers-target",
                    default=os.environ.get("EXTRACT_PEERS_TARGET")
                    or os.path.join(PEERS_DIR, "target"),
                    help="cargo target dir of bench/extract-peers "
                         "(default $EXTRACT_PEERS_TARGET or bench/extract-peers/target)")
    ap.add_argument("--core", type=int, default=0, help="CPU core to pin to (default 0)")
    ap.add_argument("--skip", default="", help="comma-separated tools to leave out: "
                    "trafilatura-py," + ",".join(PEER_TOOLS))
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))

    html_dir = os.path.join(args.data, "html")
    paths = sorted(os.path.join(html_dir, n) for n in os.listdir(html_dir)
                   if n.endswith(".html.gz"))
    gold = {}
    with open(os.path.join(args.data, "gold.jsonl"), encoding="utf-8") as f:
        for line in f:
            if line.strip():
                obj = json.loads(line)
                gold[obj["id"]] = obj.get("articleBody") or ""
    pages = []
    for p in paths:
        with gzip.open(p, "rb") as f:
            pages.append((os.path.basename(p).split(".")[0], f.read()))
    ids = [pid for pid, _ in pages]
    if set(ids) != set(gold):
        raise SystemExit("pages and gold ids differ: %d pages, %d gold" % (len(ids), len(gold)))
    pass_bytes = sum(len(h) for _, h in pages)

    stamp = datetime.datetime.now(datetime.timezone.utc)
    meta = {"date": stamp.strftime("%Y-%m-%d %H:%M UTC"), "machine": machine_info(),
            "command": "python3 " + " ".join(
                [os.path.relpath(os.path.abspath(sys.argv[0]), REPO)] + sys.argv[1:]),
            "pages": len(pages), "pages_dir": os.path.relpath(html_dir, REPO),
            "pass_bytes": pass_bytes, "reps": args.reps, "min_seconds": args.min_seconds,
            "core": args.core,
            "results_file": "bench/results-extract-%s.json" % stamp.strftime("%Y%m%d-%H%M%S")}

    retold = ensure_retold(args.retold)
    retold_version = subprocess.run([retold, "--version"], capture_output=True,
                                    text=True).stdout.strip() or "?"
    py = ensure_venv() if "trafilatura-py" not in skip else None
    peers = ensure_peers(args.peers_target) if not skip >= set(PEER_TOOLS) else None
    crates = crate_versions()
    if py:
        meta["venv_freeze"] = subprocess.run([py, "-m", "pip", "freeze"], capture_output=True,
                                             text=True).stdout.split()

    results = {}

    def record(key, label, version, texts, timings):
        speed_pages = sum(t["pages"] for t in timings)
        speed_bytes = sum(t["bytes"] for t in timings)
        speed_secs = sum(t["seconds"] for t in timings)
        cpu = [t.get("cpu_seconds") for t in timings]
        results[key] = {
            "label": label, "version": version, "timings": timings,
            "speed": {"pages_per_s": speed_pages / speed_secs,
                      "mb_per_s": speed_bytes / 1e6 / speed_secs,
                      "pages_per_cpu_s": (speed_pages / sum(cpu))
                      if all(c for c in cpu) else None},
            "quality": evaluate(gold, texts), "texts": texts,
        }
        q, s = results[key]["quality"], results[key]["speed"]
        print("%-22s F1 %.3f P %.3f R %.3f  %.1f pages/s  %.2f MB/s  (%s)" % (
            label, q["f1"], q["precision"], q["recall"], s["pages_per_s"], s["mb_per_s"],
            ", ".join("%d passes %.1f s" % (t["passes"], t["seconds"]) for t in timings)),
            file=sys.stderr)

    with tempfile.TemporaryDirectory(prefix="bench-extract-") as work:
        retold_texts, retold_measure = run_retold(retold, pages, work, args.reps,
                                                  args.min_seconds, args.core)
        retold_timings = [retold_measure()]
        if peers:
            for tool in PEER_TOOLS:
                if tool in skip:
                    continue
                texts, timing = run_peer(peers, tool, paths, args.reps, args.min_seconds,
                                         args.core)
                crate = "rs-trafilatura" if tool == "rs-trafilatura" else "trafilatura"
                label = {"trafilatura": "trafilatura (Rust crate)",
                         "trafilatura-fallback": "trafilatura (Rust crate, fallback on)",
                         "rs-trafilatura": "rs-trafilatura (Rust crate)"}[tool]
                record(tool, label, crates.get(crate, "?"), texts, [timing])
        if py:
            texts, timing = run_python(py, paths, args.reps, args.min_seconds, args.core)
            record("trafilatura-py", "trafilatura (Python)", TRAFILATURA_PIN, texts, [timing])
        retold_timings.append(retold_measure())
        record("retold", "retold extract", retold_version.replace("retold ", ""),
               retold_texts, retold_timings)

    # retold's speed: mean of the before and after runs' pages/s.
    rt = results["retold"]
    rt["speed"]["pages_per_s"] = statistics.mean(t["pages"] / t["seconds"]
                                                 for t in rt["timings"])
    rt["speed"]["mb_per_s"] = statistics.mean(t["bytes"] / 1e6 / t["seconds"]
                                              for t in rt["timings"])
    print("retold (mean of 2 runs) %.1f pages/s %.2f MB/s" % (
        rt["speed"]["pages_per_s"], rt["speed"]["mb_per_s"]), file=sys.stderr)

    order = ["retold", "trafilatura-py", "trafilatura", "trafilatura-fallback", "rs-trafilatura"]
    meta["extra_notes"] = []
    errs = {k: r["timings"][0].get("errors", 0) for k, r in results.items()
            if r["timings"][0].get("errors")}
    empties = {r["label"]: r["quality"]["empty_extractions"] for r in results.values()
               if r["quality"]["empty_extractions"]}
    if errs or empties:
        meta["extra_notes"].append(
            "Pages with no text extracted (errors or empty output, scored as recall 0 and left out "
            "of the precision average, as the benchmark does): %s." % ", ".join(
                "%s %d" % kv for kv in sorted(empties.items())))

    os.makedirs(os.path.join(REPO, "bench"), exist_ok=True)
    with open(os.path.join(REPO, meta["results_file"]), "w", encoding="utf-8") as f:
        json.dump({"meta": meta, "results": results}, f, ensure_ascii=False, indent=1)
    write_md(args.md, results, meta, order)
    print("wrote %s and the extract section of %s" % (meta["results_file"], args.md),
          file=sys.stderr)


if __name__ == "__main__":
    main()
