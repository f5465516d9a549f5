#!/usr/bin/env python3
"""Load-test `retold serve` on loopback and write its section of docs/benchmarks.md.

    python3 scripts/bench_serve.py [--corpus bench/data/corpus-100k.jsonl] [--semantic off]
                                   [--batch 2000] [--hold 2000] [--queries 200]
                                   [--requests 2000] [--seconds 60] [--oha PATH]

1. Makes an empty index, starts `retold serve` on 127.0.0.1 (a free port) and adds the corpus
   (scripts/make_corpus.py; planted copies listed in its .truth.jsonl) less its last `--hold`
   documents, in batches of `--batch` through `POST /v1/documents`: ingest documents/s, over
   all batches and over the last tenth of them.
2. Latency: the held-out documents (not stored; they include planted copies of stored
   originals) one after another through `POST /v1/query` (`--queries` of them): p50/p99 and
   whether each held-out planted copy is matched to its original.
3. Load: `oha` (crates.io; `cargo install oha --locked`), bounded by `--requests` (and
   stopped after `--seconds`), 2 connections, posting one held-out planted copy: sustained queries/s and
   oha's p50/p99.
4. Memory: the server's peak RSS (VmHWM). Size: `retold index compact`, then the store's
   bytes beyond the stored documents, per document.

The section between `<!-- serve-<mode>:start -->` and `<!-- serve-<mode>:end -->` of
docs/benchmarks.md is replaced (appended when missing). Standard library only.
"""
import argparse
import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

from md_section import write_section

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR") or os.path.expanduser("~/.cache/retold/target")


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def post(url, body):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=3600) as r:
        return json.loads(r.read())


def rss_mb(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--retold", default=os.path.join(TARGET, "release", "retold"))
    ap.add_argument("--corpus", default=os.path.join(REPO, "bench", "data", "corpus-100k.jsonl"))
    ap.add_argument("--semantic", default="off", choices=["off", "on"])
    ap.add_argument("--batch", type=int, default=2000)
    ap.add_argument("--ingest", default="api", choices=["api", "cli"],
                    help="add through the server's API in batches (default), or with one "
                         "`retold index add` before the server starts, which then reads the "
                         "index into its live index (for the slow semantic layer)")
    ap.add_argument("--hold", type=int, default=2000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--oha", default=shutil.which("oha") or os.path.expanduser("~/.cache/oha/bin/oha"))
    ap.add_argument("--md", default=os.path.join(REPO, "docs", "benchmarks.md"))
    ap.add_argument("--note", default="", help="a paragraph written under the table")
    args = ap.parse_args()
    if not os.path.exists(args.corpus):
        sys.exit("%s is missing: python3 scripts/make_corpus.py --docs 100000 --out %s"
                 % (args.corpus, args.corpus))
    if not os.path.exists(args.oha):
        sys.exit("oha is missing: cargo install oha --locked")
    lines = open(args.corpus, encoding="utf-8").read().splitlines()
    docs = [json.loads(l) for l in lines]
    truth_path = args.corpus.replace(".jsonl", ".truth.jsonl")
    truth = [json.loads(l) for l in open(truth_path)] if os.path.exists(truth_path) else []
    stored, held = docs[:-args.hold], docs[-args.hold:]
    stored_ids = {d["id"] for d in stored}
    original_of = {t["b"]: t["a"] for t in truth if t["a"] in stored_ids}

    tmp = tempfile.mkdtemp(prefix="retold-serve-bench-")
    ix = os.path.join(tmp, "ix")
    subprocess.run([args.retold, "index", "create", ix], check=True, capture_output=True)
    times = []
    if args.ingest == "cli":
        src = os.path.join(tmp, "stored.jsonl")
        with open(src, "w", encoding="utf-8") as f:
            f.write("\n".join(lines[:len(stored)]) + "\n")
        t0 = time.perf_counter()
        subprocess.run([args.retold, "index", "add", ix, src, "-q", "--semantic", args.semantic],
                       check=True, capture_output=True)
        times.append((len(stored), time.perf_counter() - t0))
    t_start = time.perf_counter()
    server = subprocess.Popen(
        [args.retold, "serve", "--index", ix, "--addr", "127.0.0.1:0", "--semantic", args.semantic,
         "--max-batch", str(args.batch), "--max-body-bytes", str(1 << 30)],
        stderr=subprocess.PIPE, text=True)
    try:
        addr = None
        for line in server.stderr:
            if "listening on " in line:
                addr = line.split("listening on ")[1].strip().rstrip("/")
                break
        if addr is None:
            sys.exit("the server did not start")
        startup = time.perf_counter() - t_start

        # 1. Ingest.
        t_all = time.perf_counter()
        for k in range(0, len(stored) if args.ingest == "api" else 0, args.batch):
            batch = stored[k:k + args.batch]
            t0 = time.perf_counter()
            post(addr + "/v1/documents", {"documents": batch})
            times.append((len(batch), time.perf_counter() - t0))
            print("batch %d: %d docs in %.2f s" % (len(times), len(batch), times[-1][1]),
                  file=sys.stderr)
        ingest_secs = sum(s for _, s in times)
        tail = times[-max(1, len(times) // 10):]
        ingest = len(stored) / ingest_secs
        ingest_tail = sum(n for n, _ in tail) / sum(s for _, s in tail)

        # 2. Latency, one query at a time, on varied held-out documents.
        qs = [d for d in held if d["id"] in original_of] + [d for d in held if d["id"] not in original_of]
        qs = qs[:args.queries]
        lat, found, planted = [], 0, 0
        for d in qs:
            t0 = time.perf_counter()
            r = post(addr + "/v1/query", {"id": d["id"], "text": d["text"]})
            lat.append(time.perf_counter() - t0)
            if d["id"] in original_of:
                planted += 1
                ids = {m["a"] for m in r["matches"]} | {m["b"] for m in r["matches"]}
                found += original_of[d["id"]] in ids

        # 3. Load with oha on one planted copy.
        body = os.path.join(tmp, "query.json")
        q = next((d for d in held if d["id"] in original_of), held[0])
        with open(body, "w") as f:
            json.dump({"id": q["id"], "text": q["text"]}, f)
        o = subprocess.run(
            [args.oha, "-n", str(args.requests), "-c", "2",
             "-m", "POST", "-H", "content-type: application/json", "-D", body, "--no-tui",
             "--output-format", "json", addr + "/v1/query"],
            capture_output=True, text=True, check=True, timeout=args.seconds)
        oha = json.loads(o.stdout)
        ok = oha.get("statusCodeDistribution", {})
        peak = rss_mb(server.pid, "VmHWM")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)

    subprocess.run([args.retold, "index", "compact", ix], check=True, capture_output=True)
    st = json.loads(subprocess.run([args.retold, "index", "stats", ix, "--json"], check=True,
                                   capture_output=True, text=True).stdout)
    text_bytes = sum(len(d["text"].encode()) for d in stored)
    beyond = (st["file_bytes"] - text_bytes) / st["docs"]
    shutil.rmtree(tmp)

    mode = "semantic" if args.semantic == "on" else "lexical"
    summary = oha["summary"]
    lp = oha.get("latencyPercentiles", {})
    rows = [
        ("documents in the index", "{:,}".format(len(stored))),
        ("ingest, all %d batches of %d" % (len(times), args.batch) if args.ingest == "api"
         else "ingest, one `retold index add` of all", "%.0f documents/s" % ingest),
        ("ingest, last tenth of the batches", "%.0f documents/s" % ingest_tail),
        ("server start (reads the index into its live index)", "%.1f s" % startup),
        ("query latency, %d held-out documents one at a time" % len(lat),
         "p50 %.1f ms, p99 %.1f ms" % (1000 * pct(lat, 0.5), 1000 * pct(lat, 0.99))),
        ("held-out planted copies matched to their original", "%d of %d" % (found, planted)),
        ("sustained queries/s (oha, 2 connections, %d requests)" % sum(ok.values()),
         "%.1f" % summary["requestsPerSec"]),
        ("query latency under that load (oha)",
         "p50 %.1f ms, p99 %.1f ms" % (1000 * lp.get("p50", float("nan")), 1000 * lp.get("p99", float("nan")))),
        ("responses by status", ", ".join("%s: %d" % kv for kv in sorted(ok.items()))),
        ("index bytes per document beyond the text (after compact)", "%.0f" % beyond),
        ("server peak RSS", "%.0f MB" % peak),
    ]
    start, end = "<!-- serve-%s:start -->" % mode, "<!-- serve-%s:end -->" % mode
    body = [start, "",
            "### `retold serve` under load, %s layer (%s)" % (mode, datetime.date.today()), "",
            "`python3 scripts/bench_serve.py --semantic %s --ingest %s` on `%s` (%d cores): the "
            "server adds and queries through its live index. Targets on 2 cores: p99 ≤ %s ms, "
            "ingest ≥ 1,000 documents/s, ≤ 2 KB per document beyond the text." % (
                args.semantic, args.ingest, os.path.relpath(args.corpus, REPO), os.cpu_count(),
                "50" if mode == "lexical" else "250"), "",
            "| measure | value |", "| --- | --- |"]
    body += ["| %s | %s |" % r for r in rows]
    if args.note:
        body += ["", args.note]
    body += ["", end]
    write_section(args.md, start, end, body)
    print("\n".join(body))


if __name__ == "__main__":
    main()
