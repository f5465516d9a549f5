#!/usr/bin/env python3
"""Run `retold eval` on every labelled dataset and write docs/quality.md.

Datasets: each directory of ../shared/eval that holds docs.jsonl and gold.jsonl (onestop,
semeval, wmt) plus the synthetic set made by scripts/make_synthetic.py (built into
bench/data/synthetic when missing). For each one it runs

    target/release/retold eval --docs D/docs.jsonl --gold D/gold.jsonl --json

and reports per-label precision/recall/F1 with gold/predicted counts, coarse
(reproduced/independent) P/R/F1, the confusion matrix, independent_called_reproduced, and for
cluster gold the adjusted Rand index and pairwise P/R/F1.

Web-page extraction (dataset name `extraction`, ../shared/eval/extraction: pages with gold
article bodies): runs `retold extract --json` on every page and scores the article with the
benchmark's own metric (scrapinghub/article-extraction-benchmark): per page, multisets of
word 4-gram shingles (tokens: `\w+` runs, case kept) of the extracted vs the gold body give
TP/FP/FN normalised by their sum; precision and recall are averaged over pages; F1 is the
harmonic mean of the two averages. Standard library only.
PAN text alignment (dataset name `pan13`, ../shared/eval/pan13: `pairs.jsonl` with passage
cases): `retold eval --docs D/docs.jsonl --gold D/pairs.jsonl --json` scores every listed pair's
passages with PlagDet (character precision, recall, granularity) per obfuscation class; then
`retold dedup D/docs.jsonl` runs over all its documents and the report gives, per class, the
share of listed pairs that dedup reports as reproduced (what `dedup` finds of what `compare`
finds; for the no-plagiarism class it is the false-alarm rate).

Raw JSON goes to bench/results-quality-DATE.json (git-ignored).

Examples:
    python3 scripts/quality.py
    python3 scripts/quality.py --only semeval --only synthetic --out /tmp/q.md
"""

import argparse
import datetime
import glob
import json
import os
import re
import subprocess
import sys
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LABELS = ["duplicate", "rewrite", "translation", "partial", "related", "unrelated"]


def default_binary():
    """$CARGO_TARGET_DIR/release/retold, CARGO_TARGET_DIR defaulting to ~/.cache/retold/target as
    in scripts/test.sh."""
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.expanduser("~/.cache/retold/target")
    return os.path.join(target, "release", "retold")


def rel(path):
    r = os.path.relpath(os.path.abspath(path), REPO_ROOT)
    return path if r.startswith("..") and os.path.isabs(path) and not r.startswith("../shared") else r


def fnum(x, spec="%.3f"):
    if x is None:
        return "–"
    try:
        return spec % x
    except TypeError:
        return str(x)


def get(d, *keys):
    for k in keys:
        if not isinstance(d, dict):
            return None
        d = d.get(k)
    return d


def parse_json_output(text):
    """The JSON object retold printed (whole stdout, or its last line that parses)."""
    text = text.strip()
    try:
        return json.loads(text)
    except ValueError:
        pass
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                continue
    start = text.find("{")
    if start >= 0:
        try:
            return json.loads(text[start:])
        except ValueError:
            pass
    return None


def datasets(shared, synthetic_dir, only):
    found = []
    ev = os.path.join(shared, "eval")
    if os.path.isdir(ev):
        for name in sorted(os.listdir(ev)):
            d = os.path.join(ev, name)
            if os.path.isfile(os.path.join(d, "docs.jsonl")) and os.path.isfile(os.path.join(d, "gold.jsonl")):
                found.append((name, d))
    if os.path.isfile(os.path.join(ev, "pan13", "pairs.jsonl")):
        found.append(("pan13", os.path.join(ev, "pan13")))
    found.append(("synthetic", synthetic_dir))
    if os.path.isfile(os.path.join(ev, "extraction", "gold.jsonl")):
        found.append(("extraction", os.path.join(ev, "extraction")))
    if only:
        names = {n for o in only for n in o.split(",") if n}
        unknown = names - {n for n, _ in found}
        if unknown:
            raise SystemExit("error: --only: no dataset named %s (have: %s)" % (
                ", ".join(sorted(unknown)), ", ".join(n for n, _ in found)))
        found = [(n, d) for n, d in found if n in names]
    return found


def ensure_synthetic(path, shared):
    if os.path.isfile(os.path.join(path, "docs.jsonl")) and os.path.isfile(os.path.join(path, "gold.jsonl")):
        return
    print("building the synthetic set in %s ..." % rel(path), file=sys.stderr)
    cmd = [sys.executable, os.path.join(REPO_ROOT, "scripts", "make_synthetic.py"), "--out", path,
           "--shared", shared]
    subprocess.run(cmd, check=True)


def known_originals(name, d):
    """The ids whose gold cluster's original is known, as each dataset has it: OneStop's advanced
    version stands for the Guardian article its levels were rewritten from (onestop/README.md), WMT's `-src` document is the
    source of its translations (wmt/README.md), the synthetic set's manifest names its originals
    (scripts/make_synthetic.py). None for the others."""
    ids = []
    if name in ("onestop", "wmt"):
        suffix = "-adv" if name == "onestop" else "-src"
        with open(os.path.join(d, "docs.jsonl"), encoding="utf-8") as f:
            ids = [i for i in (json.loads(l)["id"] for l in f if l.strip()) if i.endswith(suffix)]
    elif name == "synthetic" and os.path.isfile(os.path.join(d, "manifest.jsonl")):
        with open(os.path.join(d, "manifest.jsonl"), encoding="utf-8") as f:
            ids = [m["id"] for m in map(json.loads, f) if m.get("kind") in ("original", "seed-original")]
    return ids or None


def write_originals(logdir, name, originals):
    """Writes the ids for `retold eval --originals` to LOGDIR/originals-NAME.txt; its path."""
    path = os.path.join(logdir, "originals-%s.txt" % name)
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(originals) + "\n")
    return path


def run_eval(binary, name, d, timeout, logdir, lexical=False):
    os.makedirs(logdir, exist_ok=True)
    dump = os.path.join(logdir, "pairs-%s.jsonl" % name)
    cmd = [binary, "eval", "--docs", os.path.join(d, "docs.jsonl"), "--gold", os.path.join(d, "gold.jsonl"), "--json",
           "--dump-pairs", dump] + (["--semantic", "off"] if lexical else [])
    originals = known_originals(name, d)
    if originals:
        cmd += ["--originals", write_originals(logdir, name, originals)]
    t0 = time.perf_counter()
    res = {"dataset": name, "dir": rel(d), "command": " ".join(rel(c) if os.path.exists(c) else c for c in cmd)}
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        res["error"] = "timed out after %d s" % timeout
        return res
    except OSError as e:
        res["error"] = "cannot run %s: %s" % (binary, e)
        return res
    res["wall_s"] = time.perf_counter() - t0
    os.makedirs(logdir, exist_ok=True)
    with open(os.path.join(logdir, "quality-%s.stderr.txt" % name), "w") as f:
        f.write(p.stderr)
    if p.returncode != 0:
        res["error"] = "exit %d: %s" % (p.returncode, " ".join(p.stderr.strip().splitlines()[-3:]))
        return res
    out = parse_json_output(p.stdout)
    if out is None:
        res["error"] = "no JSON on stdout (first 200 chars: %r)" % p.stdout[:200]
        return res
    res["result"] = out
    res["reliability"] = reliability(dump)
    return res


REPRODUCED = {"duplicate", "rewrite", "translation", "partial", "reproduced"}
BINS = [(0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.0001)]


WORD_RE = re.compile(r"\w+", re.UNICODE)


def shingles(text, n=4):
    toks = WORD_RE.findall(text or "")
    out = {}
    for i in range(max(1, len(toks) - n + 1)):
        sh = tuple(toks[i:i + n])
        if sh:
            out[sh] = out.get(sh, 0) + 1
    return out


def page_scores(gold, pred):
    """(tp, fp, fn) of one page, normalised by their sum, as the benchmark's evaluate.py."""
    g, p = shingles(gold), shingles(pred)
    tp = sum(min(c, p.get(k, 0)) for k, c in g.items())
    fn = sum(max(0, c - p.get(k, 0)) for k, c in g.items())
    fp = sum(max(0, c - g.get(k, 0)) for k, c in p.items())
    s = tp + fp + fn
    return (tp / s, fp / s, fn / s) if s else (0.0, 0.0, 0.0)


def run_extraction(binary, d, timeout):
    """`retold extract --json` on every page of an extraction set, scored with its metric."""
    with open(os.path.join(d, "gold.jsonl"), encoding="utf-8") as f:
        gold = [json.loads(line) for line in f if line.strip()]
    paths = [os.path.join(d, "html", g["id"] + ".html.gz") for g in gold]
    cmd = [binary, "extract", "--json"] + paths
    t0 = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    wall = time.time() - t0
    shown = "%s extract --json %s/html/*.html.gz" % (rel(binary), rel(d))
    if p.returncode != 0:
        return {"dataset": "extraction", "command": shown, "error": p.stderr.strip()[-500:] or "exit %d" % p.returncode}
    got = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
    precs, recs, pages = [], [], []
    for g, r in zip(gold, got):
        tp, fp, fn = page_scores(g.get("articleBody", ""), r.get("article", ""))
        pr = tp / (tp + fp) if tp + fp > 0 else None
        rc = tp / (tp + fn) if tp + fn > 0 else None
        if pr is not None:
            precs.append(pr)
        if rc is not None:
            recs.append(rc)
        f1 = 2 * pr * rc / (pr + rc) if pr and rc else 0.0
        pages.append({"id": g["id"], "url": g.get("url"), "precision": pr, "recall": rc, "f1": f1})
    P = sum(precs) / len(precs) if precs else 0.0
    R = sum(recs) / len(recs) if recs else 0.0
    F = 2 * P * R / (P + R) if P + R else 0.0
    mb = sum(os.path.getsize(x) for x in paths) / 1e6
    return {"dataset": "extraction", "command": shown, "wall_s": wall, "pages": len(got),
            "precision": P, "recall": R, "f1": F, "gz_mb": mb, "per_page": pages}


def render_extraction(r):
    out = ["## extraction (web pages)", ""]
    if r.get("error"):
        return out + ["`%s` failed: %s" % (r["command"], r["error"]), ""]
    out.append("`%s` (%d pages in one process, %.1f s wall including start-up)" % (r["command"], r["pages"], r["wall_s"]))
    out.append("")
    out.append("Metric of the benchmark (per-page word 4-gram shingle precision and recall, averaged; F1 of "
               "the two averages). Published on all 181 pages of the benchmark: rs_trafilatura 0.970, "
               "go_trafilatura 0.960, trafilatura 0.958, newspaper4k 0.949, Readability.js 0.947; this is the "
               "90-page dev split (the rest is held out). Side-by-side runs of the other tools on these pages: "
               "`docs/benchmarks.md`.")
    out.append("")
    out.append("| pages | precision | recall | F1 |")
    out.append("|---:|---:|---:|---:|")
    out.append("| %d | %.3f | %.3f | **%.3f** |" % (r["pages"], r["precision"], r["recall"], r["f1"]))
    out.append("")
    worst = sorted(r["per_page"], key=lambda x: x["f1"])[:8]
    out.append("Weakest pages:")
    out.append("")
    out.append("| page | precision | recall | F1 |")
    out.append("|---|---:|---:|---:|")
    for w in worst:
        out.append("| %s | %s | %s | %.3f |" % (w.get("url") or w["id"], fnum(w["precision"]), fnum(w["recall"]), w["f1"]))
    out.append("")
    return out


def reliability(dump):
    """Confidence bins of the analysed labelled pairs: count, mean confidence, accuracy (fine
    label right; a cluster pair of two same-language translations is right when reproduced)."""
    bins = [[0, 0.0, 0] for _ in BINS]
    try:
        f = open(dump, encoding="utf-8")
    except OSError:
        return None
    with f:
        for line in f:
            r = json.loads(line)
            c = r.get("confidence")
            if not r.get("candidate") or c is None:
                continue
            g, p = r["gold"], r["pred"]
            ok = (p in REPRODUCED) if g == "reproduced" else (g == p)
            for i, (lo, hi) in enumerate(BINS):
                if lo <= c < hi:
                    bins[i][0] += 1
                    bins[i][1] += c
                    bins[i][2] += ok
    return [{"lo": lo, "hi": min(hi, 1.0), "pairs": n, "mean": (sc / n if n else None), "accuracy": (k / n if n else None)}
            for (lo, hi), (n, sc, k) in zip(BINS, bins)]


def prf_row(name, m):
    m = m or {}
    return "| %s | %s | %s | %s | %s | %s |" % (
        name, fnum(m.get("gold"), "%d"), fnum(m.get("predicted"), "%d"),
        fnum(m.get("precision")), fnum(m.get("recall")), fnum(m.get("f1")))


def render_dataset(r):
    out = ["## %s\n" % r["dataset"]]
    out.append("`%s`\n" % r["command"])
    if r.get("error"):
        out.append("Not scored: %s\n" % r["error"])
        return out
    res = r["result"]
    pairs = res.get("pairs") or {}
    facts = ["docs: %s" % fnum(res.get("docs"), "%d"), "gold: %s" % (res.get("gold_kind") or "?")]
    if pairs.get("labelled") is not None:
        facts.append("labelled pairs: %s" % fnum(pairs.get("labelled"), "%d"))
    facts.append("retold's elapsed: %s s (wall incl. start-up %.1f s)" % (fnum(res.get("elapsed_s"), "%.1f"), r.get("wall_s", 0)))
    out.append("; ".join(facts) + "\n")
    if pairs:
        per = pairs.get("per_label") or {}
        out.append("| label | gold | predicted | precision | recall | F1 |")
        out.append("|---|---:|---:|---:|---:|---:|")
        labels = [l for l in LABELS if l in per] + sorted(l for l in per if l not in LABELS)
        for l in labels:
            out.append(prf_row(l, per.get(l)))
        coarse = pairs.get("coarse") or {}
        for g in ("reproduced", "independent"):
            if g in coarse:
                out.append(prf_row("**%s** (coarse)" % g, coarse.get(g)))
        out.append("")
        extra = []
        if pairs.get("fine_accuracy_on_reproduced") is not None:
            extra.append("fine-label accuracy on reproduced pairs: %s" % fnum(pairs.get("fine_accuracy_on_reproduced")))
        if "independent_called_reproduced" in pairs:
            extra.append("independent_called_reproduced: %s" % fnum(pairs.get("independent_called_reproduced")))
        if extra:
            out.append("; ".join(extra) + "\n")
        conf = pairs.get("confusion") or {}
        labels_c, matrix = conf.get("labels"), conf.get("matrix")
        if labels_c and matrix:
            out.append("Confusion matrix (rows: gold, columns: predicted):\n")
            out.append("| gold \\ predicted | " + " | ".join(labels_c) + " |")
            out.append("|---|" + "---:|" * len(labels_c))
            for lab, row in zip(labels_c, matrix):
                out.append("| %s | %s |" % (lab, " | ".join(str(x) for x in row)))
            out.append("")
    cl = res.get("clusters")
    if cl:
        pw = cl.get("pairwise") or {}
        out.append("Clusters: ARI %s; pairwise precision %s, recall %s, F1 %s\n" % (
            fnum(cl.get("ari")), fnum(pw.get("precision")), fnum(pw.get("recall")), fnum(pw.get("f1"))))
    pv = res.get("provenance")
    if pv:
        out.append("Provenance (clusters holding a known original and another member of its gold "
                   "cluster): %d clusters; original named right %d, wrong %d, undetermined %d (%d "
                   "with no evidence: none at all, or %d where exact copies of one text tie and "
                   "nothing tells them apart). Where any evidence exists: right %s, wrong %s; "
                   "undetermined share %s.\n" % (
                       pv["clusters"], pv["right"], pv["wrong"], pv["undetermined"], pv["no_evidence"],
                       pv.get("copies_tied", 0),
                       fnum(pv.get("right_share_with_evidence")), fnum(pv.get("wrong_share_with_evidence")),
                       fnum(pv.get("undetermined_share"))))
    return out


def render_reliability(report):
    """Reliability table of the confidences, all datasets together."""
    tot = [[0, 0.0, 0.0] for _ in BINS]
    for r in report["runs"]:
        for i, b in enumerate(r.get("reliability") or []):
            if b["pairs"]:
                tot[i][0] += b["pairs"]
                tot[i][1] += b["mean"] * b["pairs"]
                tot[i][2] += b["accuracy"] * b["pairs"]
    if not any(t[0] for t in tot):
        return []
    out = ["## Calibration\n",
           "Reliability of `confidence` over every labelled pair the pipeline analysed (all datasets; "
           "a pair is right when its fine label matches the gold, or, for two same-language "
           "translations of one source, when it is called reproduced). The semantic layer's "
           "calibration is fitted by `scripts/fit_classifier.py`.\n",
           "| confidence | pairs | mean confidence | accuracy |", "|---|---:|---:|---:|"]
    for (lo, hi), (n, sc, k) in zip(BINS, tot):
        if n:
            out.append("| %.1f–%.1f | %d | %.3f | %.3f |" % (lo, min(hi, 1.0), n, sc / n, k / n))
    out.append("")
    return out


def timed_run(cmd, timeout):
    """(completed process or None, wall seconds, error message or None)."""
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except (subprocess.TimeoutExpired, OSError) as e:
        return None, time.perf_counter() - t0, str(e)
    err = None if p.returncode == 0 else "exit %d: %s" % (p.returncode, p.stderr.strip()[-300:])
    return p, time.perf_counter() - t0, err


def run_pan(binary, d, timeout, logdir, lexical=False):
    """PlagDet of `retold eval` on a PAN dataset, and what `retold dedup` reports of its pairs."""
    extra = ["--semantic", "off"] if lexical else []
    cmd = [binary, "eval", "--docs", os.path.join(d, "docs.jsonl"), "--gold", os.path.join(d, "pairs.jsonl"),
           "--json"] + extra
    res = {"dataset": "pan13", "dir": rel(d), "command": " ".join(rel(c) if os.path.exists(c) else c for c in cmd)}
    p, res["wall_s"], err = timed_run(cmd, timeout)
    out = parse_json_output(p.stdout) if p is not None and p.returncode == 0 else None
    if out is None:
        res["error"] = err or "no JSON on stdout"
        return res
    res["result"] = out
    outdir = os.path.join(logdir, "pan13-dedup")
    dcmd = [binary, "dedup", os.path.join(d, "docs.jsonl"), "--out", outdir] + extra
    res["dedup_command"] = " ".join(rel(c) if os.path.exists(c) else c for c in dcmd[:-2 - len(extra)]) + " --out DIR" + \
        ("".join(" " + e for e in extra))
    p, res["dedup_wall_s"], err = timed_run(dcmd, timeout)
    if err:
        res["dedup_error"] = err
        return res
    res["dedup_summary"] = [l for l in p.stdout.splitlines() if "candidate pairs" in l or l.strip().startswith("pairs:")]
    reported = set()
    with open(os.path.join(outdir, "pairs.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            if r.get("relation") in REPRODUCED:
                reported.add((r["a"], r["b"]))
                reported.add((r["b"], r["a"]))
    per = {}
    with open(os.path.join(d, "pairs.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            c = r["class"] + ("" if r["cases"] or r["class"].startswith("01") else " (no case)")
            t = per.setdefault(c, [0, 0])
            t[0] += 1
            t[1] += (r["susp"], r["src"]) in reported
    res["dedup_reported"] = {c: {"pairs": t[0], "reported": t[1], "share": t[1] / t[0]} for c, t in sorted(per.items())}
    return res


def render_pan(r):
    out = ["## pan13 (PAN 2013 text alignment, training corpus)", ""]
    if r.get("error"):
        return out + ["Not scored: %s" % r["error"], ""]
    res = r["result"]
    out.append("`%s` (%.1f s wall). PlagDet per obfuscation class (character precision and recall, "
               "granularity = detections per detected case):\n" % (r["command"], r.get("wall_s", 0)))
    out.append("| class | pairs | cases | precision | recall | granularity | PlagDet | pairs without a case that have a detection |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|")
    rows = list(res["per_class"].items()) + [("**overall**", res["overall"])]
    for name, m in rows:
        out.append("| %s | %d | %d | %s | %s | %.3f | %s | %d |" % (
            name, m["pairs"], m["cases"], fnum(m.get("precision")), fnum(m.get("recall")), m["granularity"],
            fnum(m.get("plagdet")), m["clean_pairs_with_detection"]))
    out.append("")
    out.append("Pairs without plagiarism that have a detection: %s %%." % fnum(
        100 * (res.get("clean_pairs_with_detection_rate") or 0), "%.2f"))
    out.append("")
    if r.get("dedup_reported"):
        out.append("`%s` over all %d documents (%.1f s): share of the listed pairs that `dedup` reports "
                   "as reproduced (`pairs.jsonl` with duplicate, rewrite, translation or partial). %s\n" % (
                       r["dedup_command"], res.get("docs", 0), r.get("dedup_wall_s", 0),
                       " ".join(x.strip() for x in r.get("dedup_summary", []))))
        out.append("| class | pairs | reported by dedup | share |")
        out.append("|---|---:|---:|---:|")
        for c, t in r["dedup_reported"].items():
            out.append("| %s | %d | %d | %.3f |" % (c, t["pairs"], t["reported"], t["share"]))
        out.append("")
    elif r.get("dedup_error"):
        out.append("dedup over the documents failed: %s\n" % r["dedup_error"])
    return out


def render_provenance(report):
    """Provenance per dataset (where the gold knows the original) and the seed pair."""
    rows = [(r["dataset"], r["result"]["provenance"]) for r in report["runs"]
            if not r.get("error") and (r.get("result") or {}).get("provenance")]
    seed = report.get("seed")
    if not rows and not seed:
        return []
    out = ["## Provenance\n",
           "The named original of each predicted cluster that holds a gold cluster's known original and "
           "another of its members (known originals: OneStop's advanced version, WMT's Chinese source, the "
           "synthetic set's originals). *No evidence* counts clusters where nothing tells the members "
           "apart, or where exact copies of one text tie for first place with nothing between them (the "
           "issue's \"exact copies with no evidence stay undetermined\"); the shares *with evidence* are over "
           "the other clusters.\n",
           "| dataset | clusters | right | wrong | undetermined | of which no evidence (copies tied) | right with evidence | wrong with evidence | undetermined share |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, pv in rows:
        out.append("| %s | %d | %d | %d | %d | %d (%d) | %s | %s | %s |" % (
            name, pv["clusters"], pv["right"], pv["wrong"], pv["undetermined"], pv["no_evidence"],
            pv.get("copies_tied", 0), fnum(pv.get("right_share_with_evidence")),
            fnum(pv.get("wrong_share_with_evidence")), fnum(pv.get("undetermined_share"))))
    out.append("")
    if seed:
        out.append("Seed pair (`retold compare %s %s --json`): original = **%s** (%s); reason: %s\n" % (
            seed["a"], seed["b"], seed.get("original") or "undetermined",
            {"a": seed["a"], "b": seed["b"]}.get(seed.get("original"), "none named"), seed.get("original_reason")))
    return out


def seed_files(shared):
    """The two seed texts of ../shared/seeds, sorted (the repost 000, the VOA original 001), or
    None when they are not there."""
    files = sorted(glob.glob(os.path.join(shared, "seeds", "*.txt")))
    return files if len(files) == 2 else None


def run_seed(binary, shared):
    """`retold compare --json` on the two seed texts: the named original and its reason."""
    files = seed_files(shared)
    if not files:
        return None
    p = subprocess.run([binary, "compare", files[0], files[1], "--json"], capture_output=True, text=True,
                       timeout=600)
    if p.returncode != 0:
        return {"a": os.path.basename(files[0]), "b": os.path.basename(files[1]), "original": None,
                "original_reason": "compare failed: " + p.stderr.strip()[-300:]}
    j = json.loads(p.stdout)
    return {"a": os.path.basename(files[0]), "b": os.path.basename(files[1]), "original": j.get("original"),
            "original_reason": j.get("original_reason")}


def render(report):
    out = ["# Quality: retold eval on the labelled datasets\n"]
    out_rel = render_reliability(report)
    out.append("Generated by `scripts/quality.py` on %s (`%s`, git %s). Raw JSON: `%s` (not committed).\n"
               % (report["date"], report.get("retold_version") or "?", report.get("git") or "?",
                  report.get("results_file", "bench/results-quality-*.json")))
    out.append("Reproduce:\n\n```sh\ncargo build --release\n%s\n```\n" % report["command"])
    out.append("Datasets: `../shared/eval/*` (development split; see its README) and the synthetic set of "
               "`scripts/make_synthetic.py` (exact/format copies, reposts in site chrome, partial reuse, "
               "same-site and same-topic hard negatives; see the script's header). Labels: "
               "duplicate/rewrite/translation/partial = reproduced; related/unrelated = independent.\n")
    out.append("| dataset | docs | gold | reproduced P / R / F1 | independent P / R / F1 | independent called reproduced | ARI | pairwise F1 | elapsed s |")
    out.append("|---|---:|---|---|---|---:|---:|---:|---:|")
    for r in report["runs"]:
        if r["dataset"] in ("extraction", "pan13"):
            continue
        if r.get("error"):
            out.append("| %s | – | – | not scored | | | | | |" % r["dataset"])
            continue
        res = r["result"]
        c = get(res, "pairs", "coarse") or {}

        def prf(m):
            m = m or {}
            return "%s / %s / %s" % (fnum(m.get("precision")), fnum(m.get("recall")), fnum(m.get("f1")))
        out.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            r["dataset"], fnum(res.get("docs"), "%d"), res.get("gold_kind") or "?",
            prf(c.get("reproduced")), prf(c.get("independent")),
            fnum(get(res, "pairs", "independent_called_reproduced")),
            fnum(get(res, "clusters", "ari")), fnum(get(res, "clusters", "pairwise", "f1")),
            fnum(res.get("elapsed_s"), "%.1f")))
    out.append("")
    for r in report["runs"]:
        if r["dataset"] == "extraction" and not r.get("error"):
            out.append("Web-page main-text extraction (`retold extract`, %d dev pages of `../shared/eval/extraction`, "
                       "the benchmark's metric): precision %.3f, recall %.3f, **F1 %.3f** (section below).\n"
                       % (r["pages"], r["precision"], r["recall"], r["f1"]))
        if r["dataset"] == "pan13" and not r.get("error"):
            o = r["result"]["overall"]
            out.append("PAN 2013 text alignment (`retold eval` on %d pairs of `../shared/eval/pan13`): "
                       "**PlagDet %s** (precision %s, recall %s, granularity %.3f; section below).\n"
                       % (o["pairs"], fnum(o.get("plagdet")), fnum(o.get("precision")), fnum(o.get("recall")),
                          o["granularity"]))
    out += render_provenance(report)
    out += out_rel
    for r in report["runs"]:
        if r["dataset"] == "extraction":
            out += render_extraction(r)
        elif r["dataset"] == "pan13":
            out += render_pan(r)
        else:
            out += render_dataset(r)
    return "\n".join(out) + "\n"


# Sections other scripts write into the report (scripts/fit_provenance.py), kept on re-render.
KEPT_SECTIONS = [("<!-- provenance-weights:start -->", "<!-- provenance-weights:end -->")]


def write_report(path, text):
    """Writes the report, keeping the sections of KEPT_SECTIONS found in the file it replaces."""
    old = open(path, encoding="utf-8").read() if os.path.exists(path) else ""
    for start, end in KEPT_SECTIONS:
        if start in old and end in old:
            text = text.rstrip("\n") + "\n\n" + old[old.index(start):old.index(end) + len(end)] + "\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=__doc__.split("\n", 2)[2],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--retold", default=default_binary(),
                    help="retold binary (default $CARGO_TARGET_DIR/release/retold, CARGO_TARGET_DIR defaulting to ~/.cache/retold/target as in scripts/test.sh)")
    ap.add_argument("--shared", default=os.path.join(REPO_ROOT, "..", "shared"),
                    help="shared data dir (default ../shared from the repo root)")
    ap.add_argument("--synthetic", default=os.path.join(REPO_ROOT, "bench", "data", "synthetic"),
                    help="synthetic set dir (built by make_synthetic.py if missing)")
    ap.add_argument("--only", action="append", default=[], metavar="NAME",
                    help="only this dataset (onestop, pan13, semeval, wmt, synthetic, extraction); repeatable or comma-separated")
    ap.add_argument("--out", default=os.path.join(REPO_ROOT, "docs", "quality.md"), help="report (default docs/quality.md)")
    ap.add_argument("--lexical", action="append", default=[], metavar="NAME",
                    help="score this dataset with the lexical layer only (--semantic off); repeatable")
    ap.add_argument("--merge", metavar="RESULTS_JSON",
                    help="keep the runs of this earlier results file for datasets not run now")
    ap.add_argument("--timeout", type=int, default=3600, help="seconds per dataset (default 3600)")
    ap.add_argument("--render", metavar="RESULTS_JSON", help="only re-render the report from a raw results file")
    args = ap.parse_args(argv)

    if args.render:
        with open(args.render) as f:
            report = json.load(f)
        write_report(args.out, render(report))
        print("wrote %s" % rel(args.out), file=sys.stderr)
        return 0
    if not (os.path.isfile(args.retold) and os.access(args.retold, os.X_OK)):
        print("error: retold binary %s not found; build it with `cargo build --release` or pass --retold"
              % rel(args.retold), file=sys.stderr)
        return 1
    sets = datasets(args.shared, args.synthetic, args.only)
    if any(n == "synthetic" for n, _ in sets):
        ensure_synthetic(args.synthetic, args.shared)

    stamp = datetime.datetime.now(datetime.timezone.utc)
    report = {"date": stamp.strftime("%Y-%m-%d %H:%M UTC"), "runs": [],
              "command": "python3 " + " ".join(["scripts/quality.py"] + list(argv if argv is not None else sys.argv[1:]))}
    try:
        report["retold_version"] = subprocess.run([args.retold, "--version"], capture_output=True, text=True,
                                                  timeout=30).stdout.strip() or None
    except Exception:
        report["retold_version"] = None
    try:
        report["git"] = subprocess.run(["git", "-C", REPO_ROOT, "rev-parse", "--short", "HEAD"],
                                       capture_output=True, text=True, timeout=30).stdout.strip() or None
    except Exception:
        report["git"] = None
    results_file = os.path.join(REPO_ROOT, "bench", "results-quality-%s.json" % stamp.strftime("%Y%m%d-%H%M%S"))
    report["results_file"] = rel(results_file)
    logdir = os.path.join(REPO_ROOT, "bench", "work")
    for name, d in sets:
        print("== %s" % name, file=sys.stderr)
        if name == "extraction":
            r = run_extraction(args.retold, d, args.timeout)
            print("  " + (r.get("error") or "F1 %.3f (P %.3f R %.3f), %.1f s" % (r["f1"], r["precision"], r["recall"], r["wall_s"])),
                  file=sys.stderr)
            report["runs"].append(r)
            continue
        if name == "pan13":
            r = run_pan(args.retold, d, args.timeout, logdir, lexical=name in args.lexical)
            print("  " + (r.get("error") or "PlagDet %s, %.1f s" % (
                fnum(r["result"]["overall"].get("plagdet")), r["wall_s"])), file=sys.stderr)
            report["runs"].append(r)
            continue
        r = run_eval(args.retold, name, d, args.timeout, logdir, lexical=name in args.lexical)
        if name in args.lexical:
            r["command"] += "  (lexical layer only)"
        if r.get("error"):
            print("  error: %s" % r["error"], file=sys.stderr)
        else:
            c = get(r["result"], "pairs", "coarse", "reproduced") or {}
            print("  reproduced F1 %s, ARI %s, %.1f s" % (fnum(c.get("f1")), fnum(get(r["result"], "clusters", "ari")),
                                                          r["wall_s"]), file=sys.stderr)
        report["runs"].append(r)
    if not args.only:
        report["seed"] = run_seed(args.retold, args.shared)
    if args.merge:
        with open(args.merge) as f:
            earlier = json.load(f)
        done = {r["dataset"] for r in report["runs"]}
        report["runs"] = [r for r in earlier["runs"] if r["dataset"] not in done] + report["runs"]
        report["command"] += "  (merged with %s)" % rel(args.merge)
    os.makedirs(os.path.dirname(results_file), exist_ok=True)
    with open(results_file, "w") as f:
        json.dump(report, f, indent=1)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    write_report(args.out, render(report))
    print("wrote %s and %s" % (rel(args.out), rel(results_file)), file=sys.stderr)
    return 0 if all(not r.get("error") for r in report["runs"]) else 2


if __name__ == "__main__":
    sys.exit(main())
