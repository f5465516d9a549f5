#!/usr/bin/env python3
"""Measure, on the dev sets, how often each kind of provenance evidence points at the original.

    python3 scripts/fit_provenance.py [--retold BINARY] [--shared ../shared]
                                      [--synthetic bench/data/synthetic] [--dumps DIR] [--md FILE]

1. Runs `retold eval --originals IDS --dump-provenance FILE` on the dev data whose originals
   are known (as scripts/quality.py passes them): OneStop (the advanced version), WMT (the
   `-src` document), the synthetic set (its manifest's originals) and the seed pair of
   ../shared/seeds (the VOA article, 001; written as a two-document set into the dumps
   directory). Each dump line is a predicted cluster holding a known original, with the votes
   between its members kind by kind (+1 for `x`, -1 for `y`, 0 none).
2. Counts, per kind of evidence, the votes between the gold original and another member of
   its cluster: *right* when the vote goes to the original, *wrong* when to the other.
3. Fits each kind's weight as the smoothed log-likelihood ratio of its vote,
   `ln((right + 1) / (wrong + 1))`: the log-odds that a vote of that kind points at the
   original (naive Bayes; add-one smoothing keeps rare kinds small), rounded to halves.

It writes the table, next to the weights in use (`W_*` in
crates/retold_cluster/src/provenance.rs, stored doubled), between markers in docs/quality.md
(scripts/quality.py keeps that section). The weights in use are not replaced by the fit: on
this data a kind with no vote against it gets a weight that grows with the number of its
votes, and the synthetic set's originals are always bare text, so wrapper boilerplate would
outweigh attribution and machine-translation signs together and the seed pair would be
undetermined. The table shows where the two differ. Only dev data is used.
"""
import argparse
import glob
import json
import math
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from md_section import write_section  # noqa: E402
from quality import REPO_ROOT, default_binary, ensure_synthetic, known_originals  # noqa: E402

START, END = "<!-- provenance-weights:start -->", "<!-- provenance-weights:end -->"

# The order of retold_cluster::EVIDENCE_KINDS, with the constant of each kind's weight.
KINDS = [("date", "W_DATE"), ("containment", "W_CONTAINMENT"), ("boilerplate", "W_BOILERPLATE"),
         ("attribution", "W_ATTRIBUTION"), ("translation", "W_TRANSLATION"),
         ("wrapped", "W_WRAPPED"), ("fuller", "W_SIMPLER"), ("update", "W_VERSION")]


def seed_set(shared, out_dir):
    """The seed pair as a dataset: docs.jsonl (ids 000 and 001, their file names' prefixes)
    and a gold cluster naming 001, the VOA article, as its original."""
    d = os.path.join(out_dir, "seed")
    os.makedirs(d, exist_ok=True)
    files = sorted(glob.glob(os.path.join(shared, "seeds", "*.txt")))
    if len(files) != 2:
        raise SystemExit("error: %s: expected the two seed .txt files" % os.path.join(shared, "seeds"))
    ids = [os.path.basename(f)[:3] for f in files]
    with open(os.path.join(d, "docs.jsonl"), "w", encoding="utf-8") as out:
        for i, f in zip(ids, files):
            with open(f, encoding="utf-8") as t:
                out.write(json.dumps({"id": i, "text": t.read(), "lang": "en"}) + "\n")
    with open(os.path.join(d, "gold.jsonl"), "w", encoding="utf-8") as out:
        out.write(json.dumps({"cluster": "seed", "docs": ids, "relation": "rewrite",
                              "original": "001"}) + "\n")
    return d


def dump(binary, name, d, out_dir):
    """Runs eval with --dump-provenance on one dataset; returns the dump's path."""
    originals = known_originals(name, d) if name != "seed" else ["001"]
    if not originals:
        raise SystemExit("error: %s: no known originals" % name)
    ids = os.path.join(out_dir, "originals-%s.txt" % name)
    with open(ids, "w", encoding="utf-8") as f:
        f.write("\n".join(originals) + "\n")
    path = os.path.join(out_dir, "provenance-%s.jsonl" % name)
    cmd = [binary, "eval", "--docs", os.path.join(d, "docs.jsonl"), "--gold",
           os.path.join(d, "gold.jsonl"), "--originals", ids, "--dump-provenance", path]
    print("fit: %s" % " ".join(cmd), file=sys.stderr)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return path


def count(paths):
    """Per kind: [right, wrong] votes between a gold original and another member."""
    counts = {k: [0, 0] for k, _ in KINDS}
    clusters = 0
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                c = json.loads(line)
                clusters += 1
                o = c["original"]
                for v in c["votes"]:
                    if o not in (v["x"], v["y"]):
                        continue
                    sign = 1 if v["x"] == o else -1
                    for (kind, _), n in zip(KINDS, v["net"]):
                        if n:
                            counts[kind][0 if n * sign > 0 else 1] += 1
    return counts, clusters


def weights_in_use(path):
    """The `W_*` constants of provenance.rs, halved."""
    text = open(path, encoding="utf-8").read()
    return {k: int(re.search(r"const %s: i64 = (\d+);" % c, text).group(1)) / 2 for k, c in KINDS}


def fit(counts):
    """Weight per kind: ln((right + 1) / (wrong + 1)), rounded to halves."""
    return {k: round(2 * math.log((r + 1) / (w + 1))) / 2 for k, (r, w) in counts.items()}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--retold", default=default_binary(), help="retold binary")
    ap.add_argument("--shared", default=os.path.join(REPO_ROOT, "..", "shared"))
    ap.add_argument("--synthetic", default=os.path.join(REPO_ROOT, "bench", "data", "synthetic"))
    ap.add_argument("--dumps", default=os.path.join(REPO_ROOT, "bench", "fit-provenance"),
                    help="where the dumps go (default bench/fit-provenance, git-ignored)")
    ap.add_argument("--md", default=os.path.join(REPO_ROOT, "docs", "quality.md"),
                    help="report to write the table into (default docs/quality.md)")
    args = ap.parse_args(argv)
    os.makedirs(args.dumps, exist_ok=True)
    ensure_synthetic(args.synthetic, args.shared)
    sets = [("onestop", os.path.join(args.shared, "eval", "onestop")),
            ("wmt", os.path.join(args.shared, "eval", "wmt")),
            ("synthetic", args.synthetic)]
    sets.append(("seed", seed_set(args.shared, args.dumps)))
    counts, clusters = count([dump(args.retold, n, d, args.dumps) for n, d in sets])
    fitted = fit(counts)
    used = weights_in_use(os.path.join(REPO_ROOT, "crates", "retold_cluster", "src", "provenance.rs"))
    lines = [START, "## Provenance evidence on the dev data", "",
             "`python3 scripts/fit_provenance.py`: votes between the known original and another member "
             "of its cluster, %d clusters (%s). *Dev log-odds* is `ln((right + 1) / (wrong + 1))`, "
             "rounded to halves; *in use* is the weight `provenance` applies (set by hand; see the "
             "script's header for why the fit is not adopted as it is)." % (
                 clusters, ", ".join(n for n, _ in sets)), "",
             "| evidence | votes for the original | against it | dev log-odds | in use |",
             "|---|---:|---:|---:|---:|"]
    for kind, _ in KINDS:
        r, w = counts[kind]
        lines.append("| %s | %d | %d | %.1f | %.1f |" % (kind, r, w, fitted[kind], used[kind]))
    lines += ["", END]
    print("\n".join(lines[1:-1]))
    write_section(args.md, START, END, lines)
    print("\nwrote %s" % os.path.relpath(args.md), file=sys.stderr)


if __name__ == "__main__":
    main()
