#!/usr/bin/env python3
"""Fit the weights of the provenance evidence on the dev data.

    python3 scripts/fit_provenance.py [--retold BINARY] [--shared ../shared]
                                      [--synthetic bench/data/synthetic] [--dumps DIR] [--md FILE]

1. Runs `retold eval --originals IDS --dump-provenance FILE` on the dev data whose originals
   are known (as scripts/quality.py passes them): OneStop (the advanced version), WMT (the
   `-src` document), the synthetic set (its manifest's originals) and the seed pair of
   ../shared/seeds (the VOA article, 001; written as a two-document set into the dumps
   directory). Each dump line is a predicted cluster holding a known original: the votes
   between its members kind by kind, and what provenance saw (members, evidence, containment).
2. Counts, per kind, the votes between the gold original and another member of its cluster
   (*right* when the vote goes to the original) and their smoothed log-odds
   `ln((right + 1) / (wrong + 1))`: how far each kind alone can be trusted on this data.
3. Fits the weights (multiples of 0.5, from 0.5 to 8) by coordinate ascent from the weights in
   use, re-deciding every dumped cluster with `retold provenance-refit`: the objective is
   right - 4 x wrong over all clusters, and every weight vector that leaves the seed pair
   without its original is rejected (the seed is dev data whose original is known). A value
   changes only when it gains at least --min-gain (default 2: a change that fixes a single
   cluster of ~300 is noise, and taking it would fit the weights to that cluster); passes
   repeat until none does. The script reports the best single change below that gain too.

Why not the log-odds themselves: a kind with no vote against it gets a weight that grows with
the number of its votes, and kinds are not independent (the synthetic set's reposts carry both
wrapper boilerplate and later dates), so summing them double-counts; the seed pair is then
undetermined. The fit weighs the kinds together, on the decisions themselves.

It prints the table and the constants for crates/retold_cluster/src/provenance.rs (`W_*`,
stored doubled), the one place where the weights live, and writes the table between markers
in docs/quality.md (scripts/quality.py keeps that section). Only dev data is used.
"""
import argparse
import json
import math
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from md_section import write_section  # noqa: E402
from quality import (REPO_ROOT, default_binary, ensure_synthetic, known_originals,  # noqa: E402
                     seed_files, write_originals)

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
    files = seed_files(shared)
    if not files:
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
    ids = write_originals(out_dir, name, originals)
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


def refit(binary, dumps, weights):
    """Scores per dump under `weights` (retold provenance-refit)."""
    cmd = [binary, "provenance-refit", *dumps, "--weights", ",".join("%g" % w for w in weights)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def objective(scores, seed_dump):
    """right - 4 x wrong over all clusters; None when the seed pair lost its original."""
    if scores[seed_dump]["right"] != 1:
        return None
    return sum(s["right"] - 4 * s["wrong"] for s in scores.values())


def search(binary, dumps, seed_dump, start, min_gain):
    """Coordinate ascent over multiples of 0.5 in [0.5, 8], taking a change only when it gains
    at least `min_gain`; returns (weights, objective, the best change not taken)."""
    best = list(start)
    best_score = objective(refit(binary, dumps, best), seed_dump)
    if best_score is None:
        raise SystemExit("error: the weights in use leave the seed pair without its original")
    improved = True
    not_taken = None  # (gain, weights) of the best change below min_gain
    while improved:
        improved = False
        for k in range(len(best)):
            for v in [x / 2 for x in range(1, 17)]:
                if v == best[k]:
                    continue
                trial = best[:k] + [v] + best[k + 1:]
                score = objective(refit(binary, dumps, trial), seed_dump)
                if score is None or score <= best_score:
                    continue
                if score - best_score >= min_gain:
                    best, best_score, improved = trial, score, True
                    print("fit: %s -> %d" % (trial, score), file=sys.stderr)
                elif not_taken is None or score - best_score > not_taken[0]:
                    not_taken = (score - best_score, trial)
    return best, best_score, not_taken


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
    ap.add_argument("--min-gain", type=int, default=2,
                    help="smallest gain of right - 4 x wrong that moves a weight (default 2)")
    ap.add_argument("--md", default=os.path.join(REPO_ROOT, "docs", "quality.md"),
                    help="report to write the table into (default docs/quality.md)")
    args = ap.parse_args(argv)
    os.makedirs(args.dumps, exist_ok=True)
    ensure_synthetic(args.synthetic, args.shared)
    sets = [("onestop", os.path.join(args.shared, "eval", "onestop")),
            ("wmt", os.path.join(args.shared, "eval", "wmt")),
            ("synthetic", args.synthetic)]
    sets.append(("seed", seed_set(args.shared, args.dumps)))
    dumps = [dump(args.retold, n, d, args.dumps) for n, d in sets]
    counts, clusters = count(dumps)
    logodds = fit(counts)
    used = weights_in_use(os.path.join(REPO_ROOT, "crates", "retold_cluster", "src", "provenance.rs"))
    start = [used[k] for k, _ in KINDS]
    before = refit(args.retold, dumps, start)
    fitted, score, not_taken = search(args.retold, dumps, dumps[-1], start, args.min_gain)
    after = refit(args.retold, dumps, fitted)
    names = dict(zip(dumps, (n for n, _ in sets)))

    def scores_line(s):
        return ", ".join("%s %d right / %d wrong / %d undetermined" % (
            names[d], s[d]["right"], s[d]["wrong"], s[d]["undetermined"]) for d in dumps)

    lines = [START, "## Provenance weights, fitted on the dev data", "",
             "`python3 scripts/fit_provenance.py`, %d clusters with a known original (%s). *Votes* are "
             "those between the original and another member of its cluster; *log-odds* is "
             "`ln((right + 1) / (wrong + 1))` of a kind alone; *fitted* is the weight by coordinate "
             "ascent on right - 4 x wrong over all clusters, the seed pair required right (see the "
             "script's header); *in use* is what `provenance` applies." % (
                 clusters, ", ".join(n for n, _ in sets)), "",
             "| evidence | votes for the original | against it | log-odds | fitted | in use |",
             "|---|---:|---:|---:|---:|---:|"]
    for (kind, _), w in zip(KINDS, fitted):
        r, wr = counts[kind]
        lines.append("| %s | %d | %d | %.1f | %.1f | %.1f |" % (kind, r, wr, logodds[kind], w, used[kind]))
    lines += ["", "With the weights in use: %s." % scores_line(before),
              "With the fitted weights: %s." % scores_line(after)]
    if not_taken:
        changed = [("%s %.1f -> %.1f" % (k, a, b)) for (k, _), a, b in zip(KINDS, fitted, not_taken[1]) if a != b]
        lines.append("Best change below the minimum gain of %d (not taken): %s, gain %d." % (
            args.min_gain, ", ".join(changed), not_taken[0]))
    lines += ["", END]
    print("\n".join(lines[1:-1]))
    print("\nFor crates/retold_cluster/src/provenance.rs (weights doubled):")
    for (kind, const), w in zip(KINDS, fitted):
        print("const %s: i64 = %d;" % (const, int(2 * w)))
    write_section(args.md, START, END, lines)
    print("\nwrote %s" % os.path.relpath(args.md), file=sys.stderr)


if __name__ == "__main__":
    main()
