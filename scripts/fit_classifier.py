#!/usr/bin/env python3
"""Fit the semantic classifier's thresholds and confidence calibration on the dev sets.

    python3 scripts/fit_classifier.py [--retold target/release/retold] [--shared ../shared]
                                      [--dumps DIR] [--reuse]

1. Runs `retold eval --dump-pairs` on ../shared/eval/{onestop,wmt,semeval} (dev data only):
   every analysed labelled pair with its features and gold label.
2. Per embedding model, grid-searches the thresholds of `classify_semantic`
   (crates/retold/src/classify.rs):
   - `same_text_coverage` (shared) and each model's `same_text_similarity`: both sides
     semantically covered and similar enough → rewrite/translation. Objective: F1 of "same
     text" (gold duplicate/rewrite/translation, or reproduced in a cluster gold) against
     independent pairs, with independent pairs called same-text held ≤ 1 %;
   - each model's `related_similarity` (document similarity → related): F1 of gold `related`
     against `unrelated` on the pairs that reach the rule.
3. Fits the logistic calibration `1/(1+exp(-(a·margin+b)))` of the confidence on whether the
   decision was right, and prints a reliability table.

It prints the values for `SemanticParams::default()` in crates/retold/src/config.rs, the one
place where they live. No test data is used: only ../shared/eval (dev) labels.
"""
import argparse
import json
import math
import os
import subprocess
import sys

SETS = ["onestop", "wmt", "semeval"]
REPRODUCED = {"duplicate", "rewrite", "translation", "partial", "reproduced"}
SAME_TEXT = {"duplicate", "rewrite", "translation", "reproduced"}


def run_dumps(retold, shared, out):
    os.makedirs(out, exist_ok=True)
    for ds in SETS:
        d = os.path.join(shared, "eval", ds)
        dump = os.path.join(out, ds + ".jsonl")
        print(f"fit: retold eval {ds} ...", file=sys.stderr)
        subprocess.run(
            [retold, "eval", "--docs", os.path.join(d, "docs.jsonl"), "--gold",
             os.path.join(d, "gold.jsonl"), "--dump-pairs", dump, "--semantic", "on"],
            check=True, stdout=subprocess.DEVNULL)


def load(out):
    rows = []
    for ds in SETS:
        with open(os.path.join(out, ds + ".jsonl"), encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                r["set"] = ds
                rows.append(r)
    return rows


def f1(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def grid(pos, neg, cond, covs, sims):
    """Best (coverage, similarity) for `cond(r, cov, sim)`, F1 of pos vs neg, ≤ 1 % of neg."""
    best = None
    for cov in covs:
        for sim in sims:
            tp = sum(1 for r in pos if cond(r, cov, sim))
            fp = sum(1 for r in neg if cond(r, cov, sim))
            if neg and fp / len(neg) > 0.01:
                continue
            key = (round(f1(tp, fp, len(pos) - tp), 4), -cov, -sim)
            if best is None or key > best[0]:
                best = (key, cov, sim, tp, fp, len(pos), len(neg))
    return best


def min_cov(r):
    f = r["features"]
    return min(f["sem_coverage_a"], f["sem_coverage_b"])


def fit_same_text(rows, model, min_lexical):
    """Same-language rewrites of one model: (coverage, similarity) with the lexical floor."""
    xs = [r for r in rows if r["features"] and r["features"]["model"] == model
          and not r["features"]["cross_lingual"]]
    pos = [r for r in xs if r["gold"] in SAME_TEXT]
    neg = [r for r in xs if r["gold"] not in REPRODUCED]
    if not pos:
        return None
    lex = lambda r: max(r["features"]["coverage_a"], r["features"]["coverage_b"])
    cond = lambda r, cov, sim: min_cov(r) >= cov and r["features"]["sem_similarity"] >= sim and lex(r) >= min_lexical
    sims = sorted({round(r["features"]["sem_similarity"], 2) for r in pos})
    return grid(pos, neg, cond, [x / 100 for x in range(30, 91, 5)], sims)


def fit_translation(rows):
    xs = [r for r in rows if r["features"] and r["features"]["cross_lingual"]]
    pos = [r for r in xs if r["gold"] in SAME_TEXT]
    neg = [r for r in xs if r["gold"] not in REPRODUCED]
    if not pos:
        return None
    cond = lambda r, cov, sim: min_cov(r) >= cov and r["features"]["sem_similarity"] >= sim
    sims = sorted({round(r["features"]["sem_similarity"], 3) for r in pos})
    return grid(pos, neg, cond, [x / 100 for x in range(30, 91, 5)], sims)


def fit_related(rows, model, same_cov, same_sim):
    xs = [r for r in rows if r["features"] and r["features"]["model"] == model
          and r["gold"] in ("related", "unrelated")]
    best = None
    for t in sorted({round(r["features"]["doc_similarity"], 3) for r in xs}):
        tp = sum(1 for r in xs if r["gold"] == "related" and r["features"]["doc_similarity"] >= t)
        fp = sum(1 for r in xs if r["gold"] == "unrelated" and r["features"]["doc_similarity"] >= t)
        fn = sum(1 for r in xs if r["gold"] == "related") - tp
        key = (round(f1(tp, fp, fn), 4), t)
        if best is None or key > best[0]:
            best = (key, t, tp, fp, fn)
    return best


def right(r):
    g, p = r["gold"], r["pred"]
    if g == "reproduced":
        return p in REPRODUCED
    return g == p or (g in ("related", "unrelated") and p in ("related", "unrelated") and g == p)


def reliability(rows, conf_of):
    bins = [(0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.01)]
    table = []
    for lo, hi in bins:
        xs = [r for r in rows if lo <= conf_of(r) < hi]
        if xs:
            acc = sum(1 for r in xs if right(r)) / len(xs)
            mean = sum(conf_of(r) for r in xs) / len(xs)
            table.append((lo, min(hi, 1.0), len(xs), mean, acc))
    return table


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--retold", default=os.path.expanduser("~/.cache/retold/target/release/retold"))
    ap.add_argument("--shared", default="../shared")
    ap.add_argument("--dumps", default="out/fit")
    ap.add_argument("--reuse", action="store_true", help="use existing dumps in --dumps")
    ap.add_argument("--min-lexical", type=float, default=0.5,
                    help="rewrite_min_lexical of config.rs (not fitted: a principle, see there)")
    args = ap.parse_args()
    if not args.reuse:
        run_dumps(args.retold, args.shared, args.dumps)
    rows = load(args.dumps)
    print(f"{len(rows)} labelled pairs analysed or missed")
    models = sorted({r["features"]["model"] for r in rows if r["features"] and r["features"]["model"]})
    missed = sum(1 for r in rows if r["gold"] in SAME_TEXT and not r["candidate"])
    print(f"{missed} same-text gold pairs were never candidates")
    for m in models:
        best = fit_same_text(rows, m, args.min_lexical)
        if best:
            key, cov, sim, tp, fp, npos, nneg = best
            print(f"[{m}] same-language rewrite (lexical >= {args.min_lexical}): coverage >= {cov:.2f}, "
                  f"similarity >= {sim:.2f}: F1 {key[0]:.3f} (tp {tp}/{npos}, fp {fp}/{nneg})")
        else:
            print(f"[{m}] same-language rewrite: no positive pairs in the dev data for this model")
        rel = fit_related(rows, m, 0, 0)
        if rel and rel[2] > 0:
            (k, t, tp, fp, fn) = rel
            print(f"[{m}] related (lead vectors): similarity >= {t:.3f}: F1 {k[0]:.3f} (tp {tp}, fp {fp}, fn {fn})")
        else:
            print(f"[{m}] related: no related pairs in the dev data for this model")
    best = fit_translation(rows)
    if best:
        key, cov, sim, tp, fp, npos, nneg = best
        print(f"translation (cross-lingual): coverage >= {cov:.2f}, similarity >= {sim:.3f}: "
              f"F1 {key[0]:.3f} (tp {tp}/{npos}, fp {fp}/{nneg})")
    # Calibration: logistic fit of "the decision was right" on the decision's margin.
    cands = [r for r in rows if r["candidate"] and r["features"] and r["features"]["model"]]
    data = [(r["features"]["sem_margin"], 1.0 if right(r) else 0.0) for r in cands]
    a, b = fit_logistic(data)
    print(f"\ncalibration: confidence = 1/(1+exp(-({a:.2f}*margin + {b:.2f}))) on {len(data)} pairs")
    conf = lambda r: min(1.0, max(0.5, 1 / (1 + math.exp(-(a * r["features"]["sem_margin"] + b)))))
    print("reliability (pairs the semantic layer decided, refitted confidence):")
    print("| confidence | pairs | mean confidence | accuracy |")
    print("|---|---|---|---|")
    for lo, hi, n, mean, acc in reliability(cands, conf):
        print(f"| {lo:.1f}–{hi:.1f} | {n} | {mean:.3f} | {acc:.3f} |")


def fit_logistic(data, steps=3000, lr=0.5):
    """Maximum-likelihood (a, b) of P(right) = sigmoid(a*margin + b), by gradient ascent."""
    a, b = 1.0, 0.0
    n = max(1, len(data))
    for _ in range(steps):
        ga = gb = 0.0
        for x, y in data:
            p = 1 / (1 + math.exp(-max(-30.0, min(30.0, a * x + b))))
            ga += (y - p) * x
            gb += (y - p)
        a += lr * ga / n
        b += lr * gb / n
    return a, b

if __name__ == "__main__":
    main()
