#!/usr/bin/env python3
"""Memory and speed of `retold dedup` against corpus size, under its memory budget.

    python3 scripts/make_corpus.py --docs 10000000 --out - \\
        --truth bench/data/corpus-10m.truth.jsonl | zstd -3 -T1 -q -o bench/data/corpus-10m.jsonl.zst
    cargo build --release
    python3 scripts/bench_scale.py --corpus bench/data/corpus-10m.jsonl.zst \\
        --sizes 100000,1000000,10000000 --unbounded 1000000

For each size N the first N lines of the corpus (the generator writes chunks seeded by their
number, so the first N lines of a bigger corpus are the corpus of N documents) are streamed
through a named pipe (`zstd -dc | head -n N`; plain JSONL too), so no copy of the corpus is
made on disk. `retold dedup --semantic off --threads 2 --memory M` (default budget unless
--memory is given) runs on it; wall time and peak RSS (ru_maxrss of the process, from
os.wait4) are measured by this script. Recall counts the planted pairs (the --truth file of
make_corpus.py) whose two documents lie in the first N lines and end up in one cluster or in
one reproduced pair.

--unbounded N also runs the first N documents with a budget larger than the machine needs
(--memory 1T: nothing spills) and reports the planted pairs of those N documents that the
unbounded run found and a bounded run of a larger size lost.

Results go to bench/results-scale-DATE.json; the table goes to docs/benchmarks.md between
<!-- scale:start --> and <!-- scale:end --> (python3 scripts/bench_scale.py --render FILE
re-writes it from a results file).
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPRODUCED = {"duplicate", "rewrite", "translation", "partial"}


def binary():
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target"))
    b = os.path.join(target, "release", "retold")
    if not os.path.exists(b):
        sys.exit("bench_scale.py: build first (cargo build --release); no %s" % b)
    return b


def doc_number(doc_id):
    m = re.match(r"doc-(\d+)$", doc_id)
    return int(m.group(1)) if m else None


def truth_pairs(path, n):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            t = json.loads(line)
            a, b = doc_number(t["a"]), doc_number(t["b"])
            if a is not None and b is not None and a < n and b < n:
                out.append((t["a"], t["b"]))
    return out


def found_pairs(out_dir, pairs):
    cluster = {}
    with open(os.path.join(out_dir, "clusters.jsonl"), encoding="utf-8") as f:
        for line in f:
            c = json.loads(line)
            for d in c["docs"]:
                cluster[d] = c["cluster"]
    linked = set()
    wanted = set(pairs)
    with open(os.path.join(out_dir, "pairs.jsonl"), encoding="utf-8") as f:
        for line in f:
            p = json.loads(line)
            if p["relation"] in REPRODUCED:
                for k in ((p["a"], p["b"]), (p["b"], p["a"])):
                    if k in wanted:
                        linked.add(k)
    found = set()
    for a, b in pairs:
        ca = cluster.get(a)
        if (ca is not None and ca == cluster.get(b)) or (a, b) in linked or (b, a) in linked:
            found.add((a, b))
    return found


def run_one(retold, corpus, n, memory, work):
    fifo_dir = tempfile.mkdtemp(prefix="retold-scale-")
    fifo = os.path.join(fifo_dir, "corpus.jsonl")
    os.mkfifo(fifo)
    if corpus.endswith(".zst"):
        feed = "zstd -dc %s | head -n %d > %s" % (shlex_quote(corpus), n, shlex_quote(fifo))
    elif corpus.endswith(".gz"):
        feed = "gzip -dc %s | head -n %d > %s" % (shlex_quote(corpus), n, shlex_quote(fifo))
    else:
        feed = "head -n %d %s > %s" % (n, shlex_quote(corpus), shlex_quote(fifo))
    feeder = subprocess.Popen(["bash", "-c", feed])
    out_dir = os.path.join(work, "n%d-%s" % (n, memory))
    shutil.rmtree(out_dir, ignore_errors=True)
    cmd = [retold, "dedup", "-q", "--semantic", "off", "--threads", "2", "--memory", memory,
           "--out", out_dir, fifo]
    print("== %s" % " ".join(cmd), file=sys.stderr, flush=True)
    t0 = time.time()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.time() - t0
    stdout, stderr = p.stdout.read(), p.stderr.read()
    feeder.wait()
    shutil.rmtree(fifo_dir, ignore_errors=True)
    rc = os.waitstatus_to_exitcode(status)
    if rc != 0:
        sys.exit("bench_scale.py: retold failed (rc %d):\n%s\n%s" % (rc, stdout, stderr))
    m = re.search(r"documents \(([\d.]+) (GB|MB|kB)\)", stdout)
    unit = {"GB": 1e9, "MB": 1e6, "kB": 1e3}
    mb = float(m.group(1)) * unit[m.group(2)] / 1e6 if m else float("nan")
    spill = re.search(r"beyond --memory .*", stdout)
    phases = re.search(r"time: (.*)", stdout)
    return {
        "docs": n,
        "memory": memory,
        "wall_s": round(wall, 1),
        "mb": round(mb, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 0),
        "spill": spill.group(0).strip() if spill else "nothing spilled",
        "phases": phases.group(1) if phases else "",
        "out": out_dir,
        "summary": stdout,
    }


def shlex_quote(s):
    import shlex
    return shlex.quote(s)


def render(res):
    rows = []
    for r in res["runs"]:
        rows.append("| %s | %s | %.1f | %.0f | %.2f | %.0f | %.4f | %s |" % (
            "{:,}".format(r["docs"]), r["memory"], r["wall_s"], r["docs"] / r["wall_s"],
            r["mb"] / r["wall_s"], r["peak_rss_mb"], r["recall"], r["spill"].replace(
                "beyond --memory ", "beyond ")))
    lines = [
        "<!-- scale:start -->",
        "## Memory against corpus size (`--memory`)",
        "",
        "`python3 scripts/bench_scale.py %s` on %s (%s), %s; retold `dedup --semantic off "
        "--threads 2` at git %s. Each size is the first N lines of `%s` streamed through a "
        "named pipe, so the corpus is not copied to disk; peak RSS is the process's "
        "ru_maxrss." % (res["argv"], res["machine"], res["cpus"], res["date"], res["git"],
                        res["corpus"]),
        "",
        "| documents | --memory | wall s | docs/s | MB/s | peak RSS MB | recall of planted pairs | spilled |",
        "|---:|---|---:|---:|---:|---:|---:|---|",
    ] + rows + [""]
    if res.get("lost") is not None:
        lines.append(
            "Planted pairs of the first %s documents: the unbounded run (`--memory 1T`, "
            "nothing spilled) found %d of %d; the %s-document run under the default budget "
            "lost %d of them." % ("{:,}".format(res["unbounded_n"]), res["unbounded_found"],
                                  res["unbounded_pairs"], "{:,}".format(res["largest_n"]),
                                  res["lost"]))
        lines.append("")
    lines.append("Phases (read+fingerprint, boilerplate, candidates, verify, cluster):")
    lines.append("")
    for r in res["runs"]:
        lines.append("- %s docs, --memory %s: %s" % ("{:,}".format(r["docs"]), r["memory"],
                                                    r["phases"]))
    lines.append("<!-- scale:end -->")
    return "\n".join(lines)


def write_doc(md):
    path = os.path.join(REPO, "docs", "benchmarks.md")
    text = open(path, encoding="utf-8").read()
    start, end = "<!-- scale:start -->", "<!-- scale:end -->"
    if start in text:
        i, j = text.index(start), text.index(end) + len(end)
        text = text[:i] + md + text[j:]
    else:
        text = text.rstrip("\n") + "\n\n" + md + "\n"
    open(path, "w", encoding="utf-8").write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__)
    ap.add_argument("--corpus", help="JSONL corpus (.zst, .gz or plain) of make_corpus.py")
    ap.add_argument("--truth", help="planted pairs (default: the corpus's .truth.jsonl)")
    ap.add_argument("--sizes", default="100000,1000000",
                    help="comma-separated document counts (default %(default)s)")
    ap.add_argument("--memory", default="2G", help="--memory of the runs (default %(default)s)")
    ap.add_argument("--unbounded", type=int,
                    help="also run the first N documents with nothing spilled (--memory 1T)")
    ap.add_argument("--work", default=os.path.join(REPO, "bench", "work", "scale"),
                    help="output directories of the runs (default %(default)s)")
    ap.add_argument("--render", help="re-write the table from a results file")
    args = ap.parse_args()
    if args.render:
        write_doc(render(json.load(open(args.render))))
        return 0
    if not args.corpus:
        ap.error("--corpus is required")
    truth = args.truth or re.sub(r"\.jsonl(\.zst|\.gz)?$", "", args.corpus) + ".truth.jsonl"
    retold = binary()
    os.makedirs(args.work, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",")]
    res = {
        "argv": " ".join(sys.argv[1:]),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "git": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO,
                              capture_output=True, text=True).stdout.strip(),
        "machine": "%s %s" % (platform.system(), platform.machine()),
        "cpus": "%d cores" % os.cpu_count(),
        "corpus": os.path.relpath(args.corpus, REPO),
        "runs": [],
    }
    found_by_size = {}
    for n in sizes:
        r = run_one(retold, args.corpus, n, args.memory, args.work)
        pairs = truth_pairs(truth, n)
        found = found_pairs(r["out"], pairs)
        r["planted"] = len(pairs)
        r["recall"] = len(found) / max(1, len(pairs))
        found_by_size[n] = found
        res["runs"].append(r)
        print("%d docs: %.1f s, peak RSS %.0f MB, recall %.4f; %s" % (
            n, r["wall_s"], r["peak_rss_mb"], r["recall"], r["spill"]), file=sys.stderr)
    if args.unbounded:
        n = args.unbounded
        r = run_one(retold, args.corpus, n, "1T", args.work)
        pairs = truth_pairs(truth, n)
        found = found_pairs(r["out"], pairs)
        r["planted"] = len(pairs)
        r["recall"] = len(found) / max(1, len(pairs))
        res["runs"].append(r)
        largest = max(sizes)
        in_prefix = {p for p in found_by_size[largest]
                     if doc_number(p[0]) < n and doc_number(p[1]) < n}
        res.update(unbounded_n=n, unbounded_pairs=len(pairs), unbounded_found=len(found),
                   largest_n=largest, lost=len(found - in_prefix))
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = os.path.join(REPO, "bench", "results-scale-%s.json" % stamp)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(res, f, indent=1)
    write_doc(render(res))
    print("wrote %s and docs/benchmarks.md" % path, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
