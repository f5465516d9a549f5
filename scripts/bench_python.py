#!/usr/bin/env python3
"""The Python package's Deduper against the CLI, side by side in one run; writes its section of
docs/benchmarks.md.

    bash scripts/setup-python.sh --release
    .venv-py/bin/python scripts/bench_python.py [--corpus bench/data/corpus-10k.jsonl] [--runs 3]

For each layer (lexical; semantic when the models are installed): `retold dedup` (release
binary) on the JSONL, and in this process: pyarrow reads the same JSONL, `Deduper.add_arrow`
takes the table, `run()` returns pairs and clusters as Arrow tables. Wall time of each, best of
`--runs`, and the ratio; the pairs of both are checked equal. The section between
`<!-- python:start -->` and `<!-- python:end -->` is replaced (appended when missing).
"""
import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time

import pyarrow.json as pj
from md_section import write_section

import retold

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR") or os.path.expanduser("~/.cache/retold/target")
START, END = "<!-- python:start -->", "<!-- python:end -->"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--retold", default=os.path.join(TARGET, "release", "retold"))
    ap.add_argument("--corpus", default=os.path.join(REPO, "bench", "data", "corpus-10k.jsonl"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--md", default=os.path.join(REPO, "docs", "benchmarks.md"))
    args = ap.parse_args()
    mb = os.path.getsize(args.corpus) / 1e6
    rows = []
    for layer in ("off", "on"):
        cli_best, py_best = float("inf"), float("inf")
        with tempfile.TemporaryDirectory() as tmp:
            for _ in range(args.runs):
                t0 = time.perf_counter()
                p = subprocess.run([args.retold, "dedup", args.corpus, "--out", tmp, "-q",
                                    "--semantic", layer], capture_output=True, text=True)
                cli_best = min(cli_best, time.perf_counter() - t0)
                if p.returncode != 0:
                    if layer == "on":
                        print("semantic layer skipped: %s" % p.stderr.strip(), file=sys.stderr)
                        break
                    sys.exit(p.stderr)
                t0 = time.perf_counter()
                d = retold.Deduper(semantic=layer)
                d.add_arrow(pj.read_json(args.corpus))
                r = d.run()
                py_best = min(py_best, time.perf_counter() - t0)
            else:
                with open(os.path.join(tmp, "pairs.jsonl")) as f:
                    cli_pairs = [json.loads(l) for l in f]
                same = r.pairs.to_pylist() == cli_pairs
                rows.append((("lexical" if layer == "off" else "semantic"), cli_best, py_best,
                             len(cli_pairs), same))
    body = [START, "", "## Python package vs CLI (%s)" % datetime.date.today(), "",
            "`.venv-py/bin/python scripts/bench_python.py` (release wheel and binary, %d cores, "
            "best of %d): `retold dedup` on `%s` (%.1f MB) against `Deduper.add_arrow(pyarrow "
            "table of the same file)` + `run()` in one Python process, reading included. Target: "
            "the Deduper within 10 %% of the CLI's throughput." % (
                os.cpu_count(), args.runs, os.path.relpath(args.corpus, REPO), mb), "",
            "| layer | CLI s | Python s | Python / CLI throughput | pairs | same pairs |",
            "| --- | ---: | ---: | ---: | ---: | --- |"]
    for name, c, p, n, same in rows:
        body.append("| %s | %.2f | %.2f | %.2f | %d | %s |" % (name, c, p, c / p, n,
                                                             "yes" if same else "NO"))
    body += ["", END]
    write_section(args.md, START, END, body)
    print("\n".join(body))


if __name__ == "__main__":
    main()
