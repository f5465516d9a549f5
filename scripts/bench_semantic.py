#!/usr/bin/env python3
"""Benchmark the semantic layer and write its section of docs/benchmarks.md.

    python3 scripts/bench_semantic.py [--retold BIN] [--example BIN] [--corpus bench/data/corpus-10k.jsonl]

Measures, on this machine (CPU; no GPU is used unless the binary was built with `cuda`):
  1. embedding throughput of each model on 20-word sentences (batch 32), with the
     `embed_speed` example of crates/retold_embed (build: cargo build --release -p retold_embed
     --features candle --example embed_speed);
  2. `retold dedup` end to end on the 10k-document benchmark corpus (scripts/make_corpus.py)
     with `--semantic off` and `--semantic on`, the same threads, one after the other: wall time,
     the ratio, candidate pairs, the share of pairs that reach the semantic aligner, texts and
     document leads embedded (documents/s);
  3. the semantic layer's cost cascade on that run, from the `semantic layer:` line of the
     dedup summary (the `cascade` counters of `Stats`, also in `retold eval --json`): how many
     candidate pairs each stage decides (final after the lexical alignment, decided by the
     cheap signals, vetoed by translation terms) and how many reach the transformer, with the
     documents and sentences it embeds, as counts and shares.
The section between `<!-- semantic:start -->` and `<!-- semantic:end -->` of
docs/benchmarks.md is replaced (appended when missing); the rest of the file (written by
scripts/bench.py) is kept. Standard library only.
"""
import argparse
import datetime
import os
import re
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR") or os.path.expanduser("~/.cache/retold/target")
START, END = "<!-- semantic:start -->", "<!-- semantic:end -->"


def run(cmd, env=None):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise SystemExit("failed: %s\n%s" % (" ".join(cmd), p.stderr[-2000:]))
    return p.stdout, wall


def embed_speed(example, threads):
    env = dict(os.environ, RETOLD_THREADS=str(threads))
    env.pop("RAYON_NUM_THREADS", None)
    out, _ = run([example, "all", "512", "32"], env)
    rows = []
    for line in out.splitlines():
        m = re.match(r"(\S+)\s+load ([\d.]+)s\s+(\d+) sentences.*?([\d.]+) sentences/s", line)
        if m:
            rows.append((m.group(1), float(m.group(2)), int(m.group(3)), float(m.group(4))))
    return rows


def dedup(retold, corpus, mode, threads, work):
    out_dir = os.path.join(work, "semantic-" + mode)
    out, wall = run([retold, "dedup", corpus, "--out", out_dir, "--quiet", "--threads", str(threads),
                     "--semantic", mode])
    info = {"wall": wall, "summary": out}
    m = re.search(r"retold dedup: (\d+) documents", out)
    info["docs"] = int(m.group(1)) if m else 0
    m = re.search(r"candidate pairs: (\d+)", out)
    info["candidates"] = int(m.group(1)) if m else None
    m = re.search(r"semantic layer: (\d+) candidates from static vectors \((\d+) documents in ([\d.]+) s\), "
                  r"(\d+) from anchors; (\d+) pairs \(final lexically (\d+), decided by cheap signals (\d+), "
                  r"vetoed by translation terms (\d+)\), (\d+) \(([\d.]+) %\) sentence-aligned: (\d+) sentences of "
                  r"(\d+) documents embedded in ([\d.]+) s", out)
    if m:
        keys = ["ann", "leads", "leads_s", "anchors", "pairs", "lexical_final", "cheap", "vetoed", "aligned",
                "aligned_pct", "texts", "docs_embedded", "embed_s"]
        for k, v in zip(keys, m.groups()):
            info[k] = float(v)
        info["pairs_total"] = info["pairs"]
    m = re.search(r"pairs: (.*)", out.split("candidate pairs")[1] if "candidate pairs" in out else "")
    info["pairs"] = m.group(1).strip() if m else "?"
    return info


def render(speeds, off, on, corpus, threads):
    lines = [START, "", "## Semantic layer (sentence embeddings, CPU)", ""]
    lines.append("Written by `python3 scripts/bench_semantic.py` on %s; %d threads, %s. No GPU was lent "
                 "to this project's sessions so far: GPU throughput is not measured (build with "
                 "`--features cuda` and pass `--device cuda` on a GPU machine)." % (
                     datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), threads,
                     os.uname().machine))
    lines += ["", "| model | load s | sentences/s (20 words, batch 32) |", "|---|---:|---:|"]
    for name, load, n, sps in speeds:
        lines.append("| %s | %.2f | %.1f |" % (name, load, sps))
    lines += ["", "End to end on `%s` (`retold dedup --threads %d`):" % (corpus, threads), "",
              "| run | wall s | docs/s | candidate pairs | decided lexically / by cheap signals / by translation terms | pairs sentence-aligned | sentences embedded | static vectors/s | pairs found |",
              "|---|---:|---:|---:|---|---:|---:|---:|---|"]
    for name, r in (("--semantic off", off), ("--semantic on", on)):
        aligned = "%d (%.1f %%)" % (r["aligned"], r["aligned_pct"]) if "aligned" in r else "–"
        texts = "%d" % r["texts"] if "texts" in r else "–"
        leads = "%.0f" % (r["leads"] / r["leads_s"]) if r.get("leads_s") else "–"
        cheap = "%d / %d / %d" % (r["lexical_final"], r["cheap"], r["vetoed"]) if "cheap" in r else "–"
        lines.append("| %s | %.1f | %.0f | %s | %s | %s | %s | %s | %s |" % (
            name, r["wall"], r["docs"] / max(r["wall"], 1e-9), r["candidates"], cheap, aligned, texts, leads,
            r["pairs"]))
    lines += cascade_table(on)
    ratio = on["wall"] / max(off["wall"], 1e-9)
    lines += ["", "Cost of the semantic layer: **%.1f×** the lexical pipeline on this corpus and machine. "
              "Transformer embedding took %.1f s of the %.1f s; static document vectors (nearest-neighbour "
              "candidates, document similarity) %.1f s of reading and fingerprinting." % (
                  ratio, on.get("embed_s", 0), on["wall"], on.get("leads_s", 0)), "", END, ""]
    return "\n".join(lines)


def cascade_table(r):
    """The share of pairs and sentences reaching each stage of the cost cascade (semantic on)."""
    if "cheap" not in r:
        return []
    pairs = max(r["pairs_total"], 1)
    rows = [("final after the lexical alignment (exact or duplicate)", r["lexical_final"]),
            ("decided by cheap signals (shared wording, static document vectors)", r["cheap"]),
            ("vetoed by translation terms (numbers, names)", r["vetoed"]),
            ("sentence-aligned by a transformer", r["aligned"])]
    lines = ["", "Cost cascade of the `--semantic on` run (every candidate pair gets the lexical and "
             "reworded-passage alignment and the cheap signals; only the rest reach the transformer):", "",
             "| stage | pairs | share of candidate pairs |", "|---|---:|---:|"]
    for name, n in rows:
        lines.append("| %s | %d | %.2f %% |" % (name, n, 100.0 * n / pairs))
    docs = max(r["docs"], 1)
    emb = r.get("docs_embedded", 0)
    lines += ["", "Transformer: %d sentences of %d documents embedded (%.2f %% of the %d documents; "
              "%.1f sentences per embedded document); every document got a static vector (%d)." % (
                  r.get("texts", 0), emb, 100.0 * emb / docs, r["docs"],
                  r.get("texts", 0) / max(emb, 1), r.get("leads", 0))]
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--retold", default=os.path.join(TARGET, "release", "retold"))
    ap.add_argument("--example", default=os.path.join(TARGET, "release", "examples", "embed_speed"))
    ap.add_argument("--corpus", default=os.path.join(REPO, "bench", "data", "corpus-10k.jsonl"))
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--limit", type=int, default=0,
                    help="use only the first N documents of the corpus (0: all)")
    ap.add_argument("--work", default=os.path.join(REPO, "bench", "work"))
    ap.add_argument("--md", default=os.path.join(REPO, "docs", "benchmarks.md"))
    args = ap.parse_args()
    if not os.path.exists(args.corpus):
        raise SystemExit("no corpus at %s: build it with python3 scripts/make_corpus.py" % args.corpus)
    os.makedirs(args.work, exist_ok=True)
    if args.limit:
        sliced = os.path.join(args.work, "semantic-first-%d.jsonl" % args.limit)
        with open(args.corpus, encoding="utf-8") as src, open(sliced, "w", encoding="utf-8") as dst:
            for i, line in enumerate(src):
                if i >= args.limit:
                    break
                dst.write(line)
        args.corpus_label = "%s (first %d documents)" % (os.path.relpath(args.corpus, REPO), args.limit)
        args.corpus = sliced
    else:
        args.corpus_label = os.path.relpath(args.corpus, REPO)
    speeds = embed_speed(args.example, args.threads)
    print("embedding:", speeds, file=sys.stderr)
    off = dedup(args.retold, args.corpus, "off", args.threads, args.work)
    print("off: %.1f s" % off["wall"], file=sys.stderr)
    on = dedup(args.retold, args.corpus, "on", args.threads, args.work)
    print("on: %.1f s" % on["wall"], file=sys.stderr)
    section = render(speeds, off, on, args.corpus_label, args.threads)
    text = open(args.md, encoding="utf-8").read() if os.path.exists(args.md) else "# Benchmarks\n\n"
    if START in text and END in text:
        text = text[:text.index(START)] + section + text[text.index(END) + len(END) + 1:]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    with open(args.md, "w", encoding="utf-8") as f:
        f.write(text)
    print("wrote %s" % os.path.relpath(args.md, REPO), file=sys.stderr)


if __name__ == "__main__":
    main()
